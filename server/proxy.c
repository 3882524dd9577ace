/*
 * proxy.c - the client address behind trusted proxies (see proxy.h).
 */
#include "proxy.h"
#include "server.h"

#include <arpa/inet.h>
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Text to address; 0 on success.  IPv4-mapped IPv6 (::ffff:a.b.c.d) counts as IPv4. */
static int parse_addr(const char *s, int *family, unsigned char addr[16])
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, s, addr) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, addr) == 1) {
		static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		if (memcmp(addr, mapped, 12) == 0) {
			memmove(addr, addr + 12, 4);
			memset(addr + 4, 0, 12);
			*family = AF_INET;
		} else {
			*family = AF_INET6;
		}
		return 0;
	}
	return -1;
}

int proxy_parse(const char *spec, struct proxy_list *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	if (!spec)
		return 0;
	const char *p = spec;
	while (*p) {
		while (*p == ',' || *p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		size_t n = strcspn(p, ", \t");
		char item[64];
		if (n >= sizeof item) {
			snprintf(err, errlen, "server.trusted_proxies: '%.*s...' is too long for an "
				 "address", 20, p);
			return -1;
		}
		memcpy(item, p, n);
		item[n] = '\0';
		p += n;
		if (out->count == PROXY_MAX_NETS) {
			snprintf(err, errlen, "server.trusted_proxies: at most %d entries",
				 PROXY_MAX_NETS);
			return -1;
		}
		struct proxy_net *net = &out->nets[out->count];
		char *slash = strchr(item, '/');
		if (slash)
			*slash = '\0';
		if (parse_addr(item, &net->family, net->addr) != 0) {
			snprintf(err, errlen, "server.trusted_proxies: '%s' is not an IPv4 or IPv6 "
				 "address", item);
			return -1;
		}
		int max = net->family == AF_INET ? 32 : 128;
		net->prefix = max;
		if (slash) {
			char *end;
			long bits = strtol(slash + 1, &end, 10);
			if (slash[1] == '\0' || *end || bits < 0 || bits > max) {
				snprintf(err, errlen, "server.trusted_proxies: '%s/%s' needs a prefix "
					 "length from 0 to %d", item, slash + 1, max);
				return -1;
			}
			net->prefix = (int)bits;
		}
		out->count++;
	}
	return 0;
}

static int net_contains(const struct proxy_net *net, int family, const unsigned char *addr)
{
	if (net->family != family)
		return 0;
	int full = net->prefix / 8, rest = net->prefix % 8;
	if (memcmp(net->addr, addr, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (net->addr[full] & mask) == (addr[full] & mask);
}

static int trusted_addr(const struct proxy_list *list, int family, const unsigned char *addr)
{
	for (int i = 0; i < list->count; i++)
		if (net_contains(&list->nets[i], family, addr))
			return 1;
	return 0;
}

int proxy_trusted(const struct proxy_list *list, const char *ip)
{
	int family;
	unsigned char addr[16];
	if (!list || !ip || parse_addr(ip, &family, addr) != 0)
		return 0;
	return trusted_addr(list, family, addr);
}

/* The entry of xff that ends at `end` (exclusive), trimmed, copied into item. */
static const char *prev_entry(const char *xff, const char *end, char *item, size_t len)
{
	const char *start = end;
	while (start > xff && start[-1] != ',')
		start--;
	const char *a = start, *b = end;
	while (a < b && (*a == ' ' || *a == '\t'))
		a++;
	while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
		b--;
	size_t n = (size_t)(b - a);
	if (n >= len)
		n = 0; /* too long to be an address: seen as empty, which is not one */
	memcpy(item, a, n);
	item[n] = '\0';
	return start;
}

void proxy_client(const struct proxy_list *list, const char *peer, const char *xff,
		  char *out, size_t outlen)
{
	snprintf(out, outlen, "%s", peer ? peer : "");
	if (!list || list->count == 0 || !xff || !*xff || !proxy_trusted(list, peer))
		return;
	/* From the right: out holds the last address vouched for so far. */
	const char *end = xff + strlen(xff);
	while (end > xff) {
		char item[64];
		const char *start = prev_entry(xff, end, item, sizeof item);
		int family;
		unsigned char addr[16];
		if (parse_addr(item, &family, addr) != 0)
			return; /* not an address: believe nothing further left */
		snprintf(out, outlen, "%s", item);
		if (!trusted_addr(list, family, addr))
			return; /* the first hop that is not ours: the client */
		if (start == xff)
			break;
		end = start - 1; /* before the comma */
	}
}

void proxy_client_of(const struct server *srv, struct lws *wsi, char *out, size_t outlen)
{
	char peer[64] = "";
	lws_get_peer_simple(wsi, peer, sizeof peer);
	const struct proxy_list *list = &srv->set.trusted_proxies;
	if (list->count == 0 || !proxy_trusted(list, peer)) {
		snprintf(out, outlen, "%s", peer);
		return;
	}
	/* lws joins repeated X-Forwarded-For lines with commas, in order: one list.
	 * A list too long to hold is ignored whole (never cut: its right end is the
	 * part our proxy wrote). */
	char xff[2048];
	int n = lws_hdr_total_length(wsi, WSI_TOKEN_X_FORWARDED_FOR);
	if (n <= 0 || n >= (int)sizeof xff ||
	    lws_hdr_copy(wsi, xff, sizeof xff, WSI_TOKEN_X_FORWARDED_FOR) < 0)
		xff[0] = '\0';
	proxy_client(list, peer, xff, out, outlen);
}
