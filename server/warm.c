/*
 * warm.c - start-up builds of the catalog's in-memory structures (see warm.h).
 */
#include "warm.h"
#include "buddy/knowledge.h"
#include "buddy_tools.h"
#include "log.h"
#include "searchidx.h"
#include "server.h"
#include "store/store.h"

#include <pthread.h>
#include <time.h>

static double clock_s(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The search index, on a connection of this thread's own; *arg gets its CPU time. */
static void *index_thread(void *arg)
{
	double *cpu = arg;
	double c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
	struct store *db = store_thread();
	if (db)
		searchidx_build(db);
	store_thread_close();
	*cpu = clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
	return NULL;
}

void warm_catalog(struct server *srv)
{
	double t0 = clock_s(CLOCK_MONOTONIC), index_cpu = 0;
	pthread_t t;
	int threaded = pthread_create(&t, NULL, index_thread, &index_cpu) == 0;
	if (!threaded)
		index_thread(&index_cpu);
	double c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
	struct store *db = store_thread();
	struct vocab *v = db ? buddy_vocab_get(srv, db) : NULL;
	buddy_vocab_release(v);
	know_available();
	store_thread_close();
	double vocab_cpu = clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
	if (threaded)
		pthread_join(t, NULL);
	log_info("voxcartd", "catalog structures built at start in %.0f ms (CPU: search index "
		 "%.0f ms, buddy vocabulary %.0f ms)", (clock_s(CLOCK_MONOTONIC) - t0) * 1000,
		 index_cpu * 1000, vocab_cpu * 1000);
}
