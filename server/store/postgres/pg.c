/*
 * pg.c - connection pool, migrations, search and stock for PostgreSQL (see pg.h).
 */
#include "pg.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Advisory lock key of the migrations ("voxcart" in ASCII). */
#define MIGRATE_LOCK 0x766f7863617274LL

struct pg_pool {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	char *url;
	int size;
	int free_count;
	PGconn **all;
	PGconn **free_list;
};

struct prepared {
	const char *name, *sql;
	int nparams;
};

static const struct prepared statements[] = {
	{ "search",
	  "SELECT id, ts_rank_cd('{0.1, 0.4, 0.5, 1.0}', search, q, 1) AS rank, count(*) OVER ()"
	  " FROM products, to_tsquery('voxcart', $1) AS q"
	  " WHERE status = 'active' AND search @@ q"
	  " ORDER BY rank DESC, id LIMIT $2 OFFSET $3",
	  3 },
	{ "take_stock",
	  "UPDATE products SET stock = stock - $2, updated_at = extract(epoch FROM now())::bigint"
	  " WHERE id = $1 AND status = 'active' AND stock >= $2 RETURNING price_cents",
	  2 },
};

int pg_exec(PGconn *conn, const char *sql, char *err, size_t errlen)
{
	PGresult *r = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(r);
	int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
	if (!ok && err)
		snprintf(err, errlen, "%s", PQerrorMessage(conn));
	PQclear(r);
	return ok ? 0 : -1;
}

static int run_all(PGconn *conn, const char *const *sql, char *err, size_t errlen)
{
	for (; *sql; sql++)
		if (pg_exec(conn, *sql, err, errlen) != 0)
			return -1;
	return 0;
}

int pg_migrate(PGconn *conn, char *err, size_t errlen)
{
	char lock[96];
	snprintf(lock, sizeof lock, "SELECT pg_advisory_lock(%lld)", (long long)MIGRATE_LOCK);
	if (pg_exec(conn, lock, err, errlen) != 0)
		return -1;
	int rc = pg_exec(conn, "CREATE TABLE IF NOT EXISTS schema_migrations ("
			       " version integer PRIMARY KEY, applied_at bigint NOT NULL)",
			 err, errlen);
	int have = 0;
	if (rc == 0) {
		PGresult *r = PQexec(conn, "SELECT coalesce(max(version), 0) FROM schema_migrations");
		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
			have = atoi(PQgetvalue(r, 0, 0));
		else {
			snprintf(err, errlen, "%s", PQerrorMessage(conn));
			rc = -1;
		}
		PQclear(r);
	}
	if (rc == 0 && have > pg_migration_count) {
		snprintf(err, errlen, "the database is at schema version %d, newer than this "
			 "voxcartd (%d): upgrade voxcartd", have, pg_migration_count);
		rc = -1;
	}
	for (int v = have + 1; rc == 0 && v <= pg_migration_count; v++) {
		char rec[128];
		snprintf(rec, sizeof rec, "INSERT INTO schema_migrations VALUES (%d, "
			 "extract(epoch FROM now())::bigint)", v);
		if (pg_exec(conn, "BEGIN", err, errlen) != 0)
			rc = -1;
		else if (run_all(conn, pg_migrations[v - 1], err, errlen) != 0 ||
			 pg_exec(conn, rec, err, errlen) != 0 ||
			 pg_exec(conn, "COMMIT", err, errlen) != 0) {
			char why[400];
			snprintf(why, sizeof why, "%s", err);
			pg_exec(conn, "ROLLBACK", NULL, 0);
			snprintf(err, errlen, "migration %d: %s", v, why);
			rc = -1;
		}
	}
	snprintf(lock, sizeof lock, "SELECT pg_advisory_unlock(%lld)", (long long)MIGRATE_LOCK);
	pg_exec(conn, lock, NULL, 0);
	return rc;
}

static int prepare_all(PGconn *conn, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof statements / sizeof statements[0]; i++) {
		PGresult *r = PQprepare(conn, statements[i].name, statements[i].sql,
					statements[i].nparams, NULL);
		int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
		if (!ok) {
			snprintf(err, errlen, "preparing %s: %s", statements[i].name,
				 PQerrorMessage(conn));
			return -1;
		}
	}
	return 0;
}

/* NOTICEs ("relation already exists, skipping") are not for the server's log. */
static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

PGconn *pg_connect(const char *url, char *err, size_t errlen)
{
	PGconn *c = PQconnectdb(url);
	if (c)
		PQsetNoticeProcessor(c, quiet, NULL);
	if (!c || PQstatus(c) != CONNECTION_OK) {
		snprintf(err, errlen, "cannot connect to PostgreSQL: %s",
			 c ? PQerrorMessage(c) : "out of memory");
		PQfinish(c);
		return NULL;
	}
	return c;
}

struct pg_pool *pg_pool_open(const char *url, int size, char *err, size_t errlen)
{
	if (size < 1)
		size = 1;
	struct pg_pool *p = calloc(1, sizeof *p);
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->url = strdup(url);
	p->all = calloc((size_t)size, sizeof *p->all);
	p->free_list = calloc((size_t)size, sizeof *p->free_list);
	if (!p->url || !p->all || !p->free_list) {
		snprintf(err, errlen, "out of memory");
		pg_pool_close(p);
		return NULL;
	}
	for (int i = 0; i < size; i++) {
		PGconn *c = pg_connect(url, err, errlen);
		if (!c) {
			pg_pool_close(p);
			return NULL;
		}
		p->all[p->size++] = c;
		if (i == 0 && pg_migrate(c, err, errlen) != 0) {
			pg_pool_close(p);
			return NULL;
		}
		if (prepare_all(c, err, errlen) != 0) {
			pg_pool_close(p);
			return NULL;
		}
		p->free_list[p->free_count++] = c;
	}
	return p;
}

void pg_pool_close(struct pg_pool *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->size; i++)
		PQfinish(p->all[i]);
	free(p->all);
	free(p->free_list);
	free(p->url);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	free(p);
}

int pg_pool_size(const struct pg_pool *p)
{
	return p ? p->size : 0;
}

PGconn *pg_acquire(struct pg_pool *p)
{
	pthread_mutex_lock(&p->lock);
	while (p->free_count == 0)
		pthread_cond_wait(&p->cond, &p->lock);
	PGconn *c = p->free_list[--p->free_count];
	pthread_mutex_unlock(&p->lock);
	return c;
}

void pg_release(struct pg_pool *p, PGconn *c)
{
	/* A connection left inside a transaction by a caller's mistake, or broken by the
	 * server going away, is not handed to the next caller as it is. */
	if (PQstatus(c) != CONNECTION_OK) {
		PQreset(c);
		char err[256];
		if (PQstatus(c) == CONNECTION_OK)
			prepare_all(c, err, sizeof err);
	} else if (PQtransactionStatus(c) != PQTRANS_IDLE) {
		pg_exec(c, "ROLLBACK", NULL, 0);
	}
	pthread_mutex_lock(&p->lock);
	p->free_list[p->free_count++] = c;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

size_t pg_search_query(const char *words, char *out, size_t outlen)
{
	size_t n = 0;
	if (outlen == 0)
		return 0;
	out[0] = '\0';
	const unsigned char *s = (const unsigned char *)(words ? words : "");
	while (*s) {
		/* A word: ASCII letters and digits, and any non-ASCII byte (UTF-8 letters);
		 * everything else (tsquery operators, quotes, punctuation) separates words. */
		while (*s && !(*s >= 0x80 || (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
			       (*s >= 'A' && *s <= 'Z')))
			s++;
		if (!*s)
			break;
		const unsigned char *start = s;
		while (*s >= 0x80 || (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
		       (*s >= 'A' && *s <= 'Z'))
			s++;
		size_t len = (size_t)(s - start);
		size_t need = (n ? 3 : 0) + len + 2;
		if (n + need + 1 > outlen)
			break; /* the words that fit */
		if (n) {
			memcpy(out + n, " & ", 3);
			n += 3;
		}
		for (size_t i = 0; i < len; i++) {
			unsigned char c = start[i];
			out[n++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
		}
		memcpy(out + n, ":*", 2);
		n += 2;
		out[n] = '\0';
	}
	return n;
}

int pg_search(PGconn *conn, const char *words, int limit, int offset, struct pg_hit *hits,
	      int64_t *total, char *err, size_t errlen)
{
	char q[1024];
	*total = 0;
	if (pg_search_query(words, q, sizeof q) == 0)
		return 0;
	char lim[16], off[16];
	snprintf(lim, sizeof lim, "%d", limit);
	snprintf(off, sizeof off, "%d", offset);
	const char *params[3] = { q, lim, off };
	PGresult *r = PQexecPrepared(conn, "search", 3, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		snprintf(err, errlen, "search: %s", PQerrorMessage(conn));
		PQclear(r);
		return -1;
	}
	int n = PQntuples(r);
	for (int i = 0; i < n; i++) {
		hits[i].id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
		hits[i].rank = strtod(PQgetvalue(r, i, 1), NULL);
		*total = strtoll(PQgetvalue(r, i, 2), NULL, 10);
	}
	PQclear(r);
	if (n == 0 && offset > 0) {
		/* Past the last page: the total still counts every match. */
		const char *cp[3] = { q, "1", "0" };
		r = PQexecPrepared(conn, "search", 3, cp, NULL, NULL, 0);
		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
			*total = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
		PQclear(r);
	}
	return n;
}

int pg_take_stock(PGconn *conn, int64_t product_id, int qty, int64_t *price_cents)
{
	char id[24], q[16];
	snprintf(id, sizeof id, "%lld", (long long)product_id);
	snprintf(q, sizeof q, "%d", qty);
	const char *params[2] = { id, q };
	PGresult *r = PQexecPrepared(conn, "take_stock", 2, params, NULL, NULL, 0);
	int rc = -1;
	if (PQresultStatus(r) == PGRES_TUPLES_OK) {
		rc = PQntuples(r) == 1;
		if (rc && price_cents)
			*price_cents = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	}
	PQclear(r);
	return rc;
}

int pg_try_lock(PGconn *conn, int64_t key)
{
	char sql[96];
	snprintf(sql, sizeof sql, "SELECT pg_try_advisory_lock(%lld)", (long long)key);
	PGresult *r = PQexec(conn, sql);
	int got = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
		  strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	return got;
}

void pg_unlock(PGconn *conn, int64_t key)
{
	char sql[96];
	snprintf(sql, sizeof sql, "SELECT pg_advisory_unlock(%lld)", (long long)key);
	pg_exec(conn, sql, NULL, 0);
}
