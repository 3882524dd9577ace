/*
 * warm.c - start-up builds of the catalog's in-memory structures (see warm.h).
 */
#include "warm.h"
#include "buddy/knowledge.h"
#include "buddy_tools.h"
#include "log.h"
#include "searchidx.h"
#include "server.h"
#include "store.h"

#include <pthread.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The search index, on a connection of this thread's own. */
static void *index_thread(void *arg)
{
	double *took = arg;
	double t0 = now_s();
	sqlite3 *db = store_thread_db();
	if (db)
		searchidx_build(db);
	store_thread_close();
	*took = now_s() - t0;
	return NULL;
}

void warm_catalog(struct server *srv)
{
	double t0 = now_s(), index_s = 0;
	pthread_t t;
	int threaded = pthread_create(&t, NULL, index_thread, &index_s) == 0;
	if (!threaded)
		index_thread(&index_s);
	struct store *db = store_thread();
	struct vocab *v = db ? buddy_vocab_get(srv, db) : NULL;
	double vocab_s = now_s() - t0;
	buddy_vocab_release(v);
	know_available();
	store_thread_close();
	if (threaded)
		pthread_join(t, NULL);
	log_info("voxcartd", "catalog structures built at start in %.0f ms (search index %.0f ms, "
		 "buddy vocabulary %.0f ms)", (now_s() - t0) * 1000, index_s * 1000, vocab_s * 1000);
}
