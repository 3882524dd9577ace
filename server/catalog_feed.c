/*
 * catalog_feed.c - hears the catalog's changes made by other processes (see
 * catalog_feed.h).
 */
#include "catalog_feed.h"
#include "catalog.h"
#include "log.h"
#include "server.h"
#include "store/store.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

struct catalog_feed {
	pthread_t thread;
	struct server *srv;
};

/* A connection listening to the feed, or NULL (logged once per failure streak). */
static struct store *listen_on(struct server *srv, int *warned)
{
	char err[512];
	struct store *s = store_connect(srv->set.database, err, sizeof err);
	if (s && store_changes_listen(s) == STORE_OK) {
		*warned = 0;
		return s;
	}
	if (!*warned)
		log_warn("catalog", "change feed: %s; retrying every second",
			 s ? store_errmsg(s) : err);
	*warned = 1;
	store_disconnect(s);
	return NULL;
}

static void *feed_main(void *arg)
{
	struct catalog_feed *f = arg;
	struct server *srv = f->srv;
	struct store *s = NULL;
	int warned = 0, lost = 0;
	while (!atomic_load(&srv->stopping)) {
		if (!s) {
			if (!(s = listen_on(srv, &warned))) {
				lost = 1; /* whatever changes meanwhile goes unheard */
				sleep(1);
				continue;
			}
			if (lost) /* changes made meanwhile were not heard */
				catalog_changed(srv);
		}
		int changed = 0;
		if (store_changes_wait(s, 250, &changed) != STORE_OK) {
			log_warn("catalog", "change feed: %s", store_errmsg(s));
			store_disconnect(s);
			s = NULL;
			lost = 1;
			continue;
		}
		if (changed)
			catalog_changed(srv);
	}
	store_disconnect(s);
	return NULL;
}

struct catalog_feed *catalog_feed_start(struct server *srv)
{
	enum store_backend backend;
	char target[sizeof srv->set.database + 8], err[256];
	if (store_parse_url(srv->set.database, &backend, target, sizeof target, err,
			    sizeof err) != 0 || backend != STORE_POSTGRES)
		return NULL;
	struct catalog_feed *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->srv = srv;
	if (pthread_create(&f->thread, NULL, feed_main, f) != 0) {
		log_error("catalog", "cannot start the change feed's thread");
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
