/*
 * ws_rx.h - piecing WebSocket messages together from libwebsockets' receive
 * callbacks: the one fragment assembler of the server (buddy_ws.c) and the buddy
 * client (buddy_client.c).
 *
 * A message that arrives in one piece (the usual case) is handed over where lws has
 * it, without a copy; fragments are collected in a buffer that is given back once the
 * message has been handled, so an idle connection keeps no receive buffer.
 */
#ifndef VOXCART_WS_RX_H
#define VOXCART_WS_RX_H

#include <stddef.h>

struct lws;

struct ws_rx {
	size_t max;		/* the largest message taken, in bytes (set before use) */
	unsigned char *buf;
	size_t len, cap;
	int binary;
};

/* A whole message: data/len point into lws's buffer or into r's, valid until
 * ws_rx_done(). */
struct ws_rx_msg {
	const unsigned char *data;
	size_t len;
	int binary;
};

enum {
	WS_RX_MORE = 0,		/* a fragment kept; the rest is to come */
	WS_RX_MESSAGE = 1,	/* *m holds a whole message: handle it, then ws_rx_done() */
	WS_RX_TOO_LARGE = -1,	/* over r->max: close the connection */
	WS_RX_NO_MEMORY = -2,
};

/* Takes what one LWS_CALLBACK_(CLIENT_)RECEIVE brought (in, len) on wsi. */
int ws_rx_take(struct ws_rx *r, struct lws *wsi, const void *in, size_t len,
	       struct ws_rx_msg *m);

/* After a WS_RX_MESSAGE has been handled: gives a pieced-together buffer back. */
void ws_rx_done(struct ws_rx *r);

#endif
