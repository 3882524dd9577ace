/*
 * workers.h - a small pool of worker threads beside the event loop.
 *
 * The event loop hands work that may block (database queries, speech, outside
 * services) to the pool with workers_submit(); jobs run in FIFO order on whichever
 * thread is free.  A job reports back by itself (the HTTP layer queues the answer and
 * wakes the loop with lws_cancel_service()).  Callers that need ordering (a buddy
 * session's turns) submit their next job only when the previous one has finished.
 * Each worker thread closes its database connection when the pool stops.
 * voxcartd runs three pools (server.h): REST, buddy turns, and password hashing, so
 * that slow work only ever waits behind work of its own kind.
 */
#ifndef VOXCART_WORKERS_H
#define VOXCART_WORKERS_H

struct workers;

typedef void (*worker_fn)(void *arg);

/* Starts n threads; NULL on failure.  With connect, each thread opens its database
 * connection (store_thread()) before its first job, so no request pays for opening
 * it (the schema read and the pragmas: milliseconds on the first turn each thread
 * ran). */
struct workers *workers_start(int n, int connect);
/* Queues fn(arg); returns 0, or -1 when the pool is stopping (fn is not run). */
int workers_submit(struct workers *w, worker_fn fn, void *arg);
/* Number of jobs waiting (not yet started). */
int workers_pending(struct workers *w);
/* Jobs waiting or being run (0: the pool is idle). */
int workers_busy(struct workers *w);
/* Runs the jobs already queued, then joins the threads and frees the pool. */
void workers_stop(struct workers *w);

#endif
