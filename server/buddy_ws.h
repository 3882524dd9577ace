/*
 * buddy_ws.h - the buddy WebSocket (/api/v1/buddy, subprotocol voxcart.v1).
 *
 * Sessions live on the event-loop thread; their turns run on the worker pool, one at
 * a time per session, and hand their events back through a queue that
 * buddy_ws_wake() drains when the loop is woken.
 */
#ifndef VOXCART_BUDDY_WS_H
#define VOXCART_BUDDY_WS_H

#include <libwebsockets.h>
#include <stddef.h>

struct server;

int buddy_ws_init(struct server *srv, char *err, size_t errlen);
struct lws_protocols buddy_ws_protocol(void);
/* Loop thread: sends what the workers have queued. */
void buddy_ws_wake(struct server *srv);
void buddy_ws_shutdown(struct server *srv);
/* Any thread: sessions not yet freed (open, or closed with a job still holding one). */
int buddy_ws_session_count(struct server *srv);

#endif
