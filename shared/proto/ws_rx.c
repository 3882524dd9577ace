/*
 * ws_rx.c - WebSocket message assembly over libwebsockets (ws_rx.h).
 */
#include "ws_rx.h"

#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

static int last_piece(struct lws *wsi)
{
	return lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0;
}

int ws_rx_take(struct ws_rx *r, struct lws *wsi, const void *in, size_t len,
	       struct ws_rx_msg *m)
{
	if (lws_is_first_fragment(wsi)) {
		r->len = 0;
		r->binary = lws_frame_is_binary(wsi);
		if (last_piece(wsi)) {
			if (len > r->max)
				return WS_RX_TOO_LARGE;
			m->data = in;
			m->len = len;
			m->binary = r->binary;
			return WS_RX_MESSAGE;
		}
	}
	if (r->len + len > r->max)
		return WS_RX_TOO_LARGE;
	if (r->len + len > r->cap) {
		size_t cap = r->cap ? r->cap : 4096;
		while (cap < r->len + len)
			cap *= 2;
		unsigned char *b = realloc(r->buf, cap);
		if (!b)
			return WS_RX_NO_MEMORY;
		r->buf = b;
		r->cap = cap;
	}
	if (len)
		memcpy(r->buf + r->len, in, len);
	r->len += len;
	if (!last_piece(wsi))
		return WS_RX_MORE;
	m->data = r->buf;
	m->len = r->len;
	m->binary = r->binary;
	return WS_RX_MESSAGE;
}

void ws_rx_done(struct ws_rx *r)
{
	free(r->buf);
	r->buf = NULL;
	r->len = r->cap = 0;
}
