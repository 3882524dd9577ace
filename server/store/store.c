/*
 * store/store.c - database URLs, per-thread connections and the forwarding of each
 * public function to the connection's backend (see store/store.h, store/backend.h).
 */
#include "store/backend.h"
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char configured_url[4096];
static __thread struct store *thread_store;

int store_parse_url(const char *url, enum store_backend *backend, char *target,
		    size_t target_len, char *err, size_t errlen)
{
	if (!url || !*url) {
		snprintf(err, errlen, "no database given");
		return -1;
	}
	const char *t = url;
	if (!strncmp(url, "postgresql://", 13) || !strncmp(url, "postgres://", 11)) {
		*backend = STORE_POSTGRES;
	} else if (!strncmp(url, "sqlite:", 7)) {
		*backend = STORE_SQLITE;
		t = url + 7;
		/* sqlite:///abs/path and sqlite://localhost/abs/path are the URI forms. */
		if (!strncmp(t, "//localhost/", 12))
			t += 11;
		else if (!strncmp(t, "//", 2))
			t += 2;
		if (!*t) {
			snprintf(err, errlen, "database %s: no file path after sqlite:", url);
			return -1;
		}
	} else if (strstr(url, "://")) {
		snprintf(err, errlen,
			 "database %s: unknown kind (expected sqlite:/path/file.db or"
			 " postgresql://user@host/db)", url);
		return -1;
	} else {
		*backend = STORE_SQLITE; /* a plain path */
	}
	if (strlen(t) >= target_len) {
		snprintf(err, errlen, "database %s: too long", url);
		return -1;
	}
	snprintf(target, target_len, "%s", t);
	return 0;
}

struct store *store_connect(const char *url, char *err, size_t errlen)
{
	enum store_backend backend;
	char target[4096];
	if (store_parse_url(url, &backend, target, sizeof target, err, errlen) != 0)
		return NULL;
	if (backend == STORE_SQLITE)
		return store_sqlite_connect(target, err, errlen);
#ifdef VOXCART_WITH_POSTGRES
	return store_pg_connect(target, err, errlen);
#else
	snprintf(err, errlen,
		 "database %s: PostgreSQL is not supported by this voxcartd yet (use sqlite:PATH)",
		 url);
	return NULL;
#endif
}

int store_configure(const char *url, char *err, size_t errlen)
{
	enum store_backend backend;
	char target[4096];
	if (store_parse_url(url, &backend, target, sizeof target, err, errlen) != 0)
		return -1;
#ifndef VOXCART_WITH_POSTGRES
	if (backend == STORE_POSTGRES) {
		snprintf(err, errlen,
			 "database %s: PostgreSQL is not supported by this voxcartd yet"
			 " (use sqlite:PATH)", url);
		return -1;
	}
#endif
	if (strlen(url) >= sizeof configured_url) {
		snprintf(err, errlen, "database URL too long");
		return -1;
	}
	snprintf(configured_url, sizeof configured_url, "%s", url);
	return 0;
}

void store_disconnect(struct store *s)
{
	if (s)
		s->ops->disconnect(s);
}

int store_upgrade(struct store *s, char *err, size_t errlen)
{
	return s->ops->upgrade(s, err, errlen);
}

struct store *store_thread(void)
{
	if (!thread_store) {
		char err[512];
		thread_store = store_connect(configured_url, err, sizeof err);
		if (!thread_store)
			log_error("store", "%s", err);
	}
	return thread_store;
}

void store_thread_close(void)
{
	store_disconnect(thread_store);
	thread_store = NULL;
}

enum store_backend store_backend_of(const struct store *s)
{
	return s->ops->backend;
}

const char *store_errmsg(const struct store *s)
{
	return s ? s->err : "no database connection";
}

int store_set_err(struct store *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof s->err, fmt, ap);
	va_end(ap);
	return STORE_ERROR;
}

int store_tx_begin(struct store *s) { return s->ops->tx_begin(s); }
int store_tx_commit(struct store *s) { return s->ops->tx_commit(s); }
void store_tx_rollback(struct store *s) { s->ops->tx_rollback(s); }
int store_savepoint(struct store *s) { return s->ops->savepoint(s); }
int store_savepoint_rollback(struct store *s) { return s->ops->savepoint_rollback(s); }
int store_savepoint_release(struct store *s) { return s->ops->savepoint_release(s); }

/* ---- idempotency ---- */

void store_idem_free(struct store_idem *a)
{
	free(a->request);
	free(a->body);
	memset(a, 0, sizeof *a);
}

int store_idem_get(struct store *s, int64_t user_id, const char *key, int64_t since,
		   struct store_idem *a)
{
	return s->ops->idem_get(s, user_id, key, since, a);
}

int store_idem_put(struct store *s, int64_t user_id, const char *key, const char *request,
		   int status, const char *body, size_t body_len, int64_t now)
{
	return s->ops->idem_put(s, user_id, key, request, status, body, body_len, now);
}

int store_idem_purge(struct store *s, int64_t before, int64_t *purged)
{
	return s->ops->idem_purge(s, before, purged);
}

/* ---- time ---- */

int64_t store_now(void)
{
	return (int64_t)time(NULL);
}

const char *store_time_str(int64_t t, char buf[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}
