/*
 * catalog_feed.c - hears the catalog's changes made by other processes (see
 * catalog_feed.h).
 */
#include "catalog_feed.h"
#include "catalog.h"
#include "log.h"
#include "product_cache.h"
#include "server.h"
#include "store/store.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

/* Products whose search text or keys changed, re-read in one go per wait; past this
 * many at once (a bulk import) everything is rebuilt instead. */
#define BATCH 512

struct catalog_feed {
	pthread_t thread;
	struct server *srv;
	struct store *listening; /* the first connection, made by catalog_feed_start */
	int warned;
};

struct heard {
	int64_t ids[BATCH];
	size_t n;
	int overflow;
};

/* A connection listening to the feed, or NULL (logged once per failure streak). */
static struct store *listen_on(struct server *srv, int *warned)
{
	char err[512];
	struct store *s = store_connect(srv->set.database, err, sizeof err);
	if (s && store_changes_listen(s) == STORE_OK) {
		*warned = 0;
		product_cache_follow(1);
		return s;
	}
	if (!*warned)
		log_warn("catalog", "change feed: %s; retrying every second",
			 s ? store_errmsg(s) : err);
	*warned = 1;
	store_disconnect(s);
	return NULL;
}

static void on_change(void *arg, enum store_change_kind kind, int64_t id)
{
	struct heard *h = arg;
	/* The serialised copy first: it is stale from now on, whatever the kind. */
	product_cache_changed(kind == STORE_CHANGE_ALL ? 0 : id);
	if (kind != STORE_CHANGE_PRODUCT)
		return;
	for (size_t i = 0; i < h->n; i++)
		if (h->ids[i] == id)
			return;
	if (h->n == BATCH)
		h->overflow = 1;
	else
		h->ids[h->n++] = id;
}

static void *feed_main(void *arg)
{
	struct catalog_feed *f = arg;
	struct server *srv = f->srv;
	struct store *s = f->listening;
	struct heard *h = malloc(sizeof *h);
	int lost = s == NULL; /* the first listen failed: changes may have gone unheard */
	while (h && !atomic_load(&srv->stopping)) {
		if (!s) {
			if (!(s = listen_on(srv, &f->warned))) {
				lost = 1; /* whatever changes meanwhile goes unheard */
				sleep(1);
				continue;
			}
			if (lost) /* changes made meanwhile were not heard */
				catalog_changed(srv);
			lost = 0;
		}
		int changed = 0;
		h->n = 0;
		h->overflow = 0;
		if (store_changes_wait(s, 250, on_change, h, &changed) != STORE_OK) {
			log_warn("catalog", "change feed: %s", store_errmsg(s));
			product_cache_follow(0);
			store_disconnect(s);
			s = NULL;
			lost = 1;
			continue;
		}
		if (h->overflow) {
			catalog_changed(srv);
		} else if (h->n) {
			/* Read on this thread's own connection (the listening one only listens). */
			struct store *rd = store_thread();
			if (rd)
				catalog_products_changed(srv, rd, h->ids, h->n);
			else
				catalog_changed(srv);
		}
	}
	product_cache_follow(0);
	store_disconnect(s);
	store_thread_close();
	free(h);
	return NULL;
}

struct catalog_feed *catalog_feed_start(struct server *srv)
{
	enum store_backend backend;
	char target[sizeof srv->set.database + 8], err[256];
	if (store_parse_url(srv->set.database, &backend, target, sizeof target, err,
			    sizeof err) != 0)
		return NULL;
	if (backend == STORE_SQLITE) {
		/* one process per file: every change is made here, and the store tells it */
		product_cache_follow(1);
		return NULL;
	}
	struct catalog_feed *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->srv = srv;
	/* Listening before this returns: what the caller reads next misses no change. */
	f->listening = listen_on(srv, &f->warned);
	if (pthread_create(&f->thread, NULL, feed_main, f) != 0) {
		log_error("catalog", "cannot start the change feed's thread");
		product_cache_follow(0);
		store_disconnect(f->listening);
		free(f);
		return NULL;
	}
	return f;
}

void catalog_feed_stop(struct catalog_feed *f)
{
	if (!f)
		return;
	pthread_join(f->thread, NULL);
	free(f);
}
