/*
 * buddy_ws.c - placeholder until the buddy session lands: accepts the socket and
 * answers every message with an error.
 */
#include "buddy_ws.h"
#include "server.h"

#include <string.h>

static int callback_buddy(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			  void *in, size_t len)
{
	(void)user; (void)in; (void)len;
	if (reason == LWS_CALLBACK_RECEIVE) {
		lws_close_reason(wsi, 1011, (unsigned char *)"not ready", 9);
		return -1;
	}
	return 0;
}

int buddy_ws_init(struct server *srv, char *err, size_t errlen)
{
	(void)srv; (void)err; (void)errlen;
	return 0;
}

struct lws_protocols buddy_ws_protocol(void)
{
	return (struct lws_protocols){ .name = "voxcart.v1", .callback = callback_buddy };
}

void buddy_ws_wake(struct server *srv) { (void)srv; }
void buddy_ws_shutdown(struct server *srv) { (void)srv; }
