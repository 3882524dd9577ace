/*
 * proxy.h - the client address behind trusted proxies ([server] trusted_proxies).
 *
 * Behind a balancer every connection comes from the balancer's address.  Only when
 * the connection comes from a configured trusted proxy does voxcartd believe its
 * X-Forwarded-For header: walking it from the right (the hop nearest to us), each
 * address that is itself a trusted proxy is skipped, and the first one that is not
 * is the client.  From anyone else the header is ignored, so a shopper cannot pick
 * the address their rate limit is counted against.  Rate limits (REST and WebSocket
 * upgrades) and logs use the address found here.
 */
#ifndef VOXCART_PROXY_H
#define VOXCART_PROXY_H

#include <stddef.h>

#define PROXY_MAX_NETS 32

struct proxy_net {
	int family;                /* AF_INET or AF_INET6 */
	unsigned char addr[16];    /* network byte order; 4 bytes used for AF_INET */
	int prefix;                /* bits */
};

struct proxy_list {
	int count;
	struct proxy_net nets[PROXY_MAX_NETS];
};

struct lws;
struct server;

/* Parses "127.0.0.1, 10.0.0.0/8, ::1" (commas and/or spaces) into *out; an empty
 * string is an empty list.  -1 with err saying which entry is wrong. */
int proxy_parse(const char *spec, struct proxy_list *out, char *err, size_t errlen);

/* 1 when ip (text) is an address inside one of the list's networks. */
int proxy_trusted(const struct proxy_list *list, const char *ip);

/* The client address for a connection from `peer` that carried X-Forwarded-For
 * `xff` (NULL or "" when it had none): see above.  An entry that is not an address
 * stops the walk at the last hop vouched for. */
void proxy_client(const struct proxy_list *list, const char *peer, const char *xff,
		  char *out, size_t outlen);

/* proxy_client for a libwebsockets connection (its peer and its X-Forwarded-For). */
void proxy_client_of(const struct server *srv, struct lws *wsi, char *out, size_t outlen);

#endif
