/*
 * http.h - the libwebsockets event loop: HTTP/1.1 REST and the buddy WebSocket on
 * one port.
 *
 * The loop thread reads requests (headers, then the body up to the configured
 * limit), applies the per-client rate limit, and hands each request to the worker
 * pool.  The worker runs the route's handler with its own database connection and
 * queues the answer; lws_cancel_service() wakes the loop, which writes it.  The loop
 * never waits on a worker.  A connection that closes while its request is being
 * handled leaves the job to be freed when it comes back.
 */
#ifndef VOXCART_HTTP_H
#define VOXCART_HTTP_H

#include <stddef.h>

struct server;

/* Creates the lws context listening as srv->set says; -1 with err filled on failure. */
int http_start(struct server *srv, char *err, size_t errlen);
/* The port actually listened on (the system's choice after --port 0). */
int http_port(struct server *srv);
/* Runs the loop until srv->stopping is set (by a signal handler through http_wake). */
void http_run(struct server *srv);
/* Any thread: requests being read, handled or answered plus jobs waiting or running in
 * the three worker pools (0: nothing under way; the SIGTERM drain and the in-process
 * fuzz harnesses wait for it). */
int http_busy(struct server *srv);
/* Safe from any thread and from signal handlers: wakes the loop. */
void http_wake(struct server *srv);
void http_stop(struct server *srv);

#endif
