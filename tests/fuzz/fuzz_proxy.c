/*
 * fuzz_proxy.c - libFuzzer harness: the trusted-proxy list of the config file and the
 * X-Forwarded-For header a client (through a balancer) sends (server/proxy.c).
 * Input: the proxy list, a newline, the peer address, a newline, the header value.
 * A list that parses must fit its bounds; the client address found must fit the
 * buffer it is written to (NUL-terminated, even a tiny one); a refusal says why.
 */
#include "proxy.h"

#include "fuzz_text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	if (!text)
		return 0;
	char *peer = strchr(text, '\n');
	char *xff = NULL;
	if (peer) {
		*peer++ = '\0';
		xff = strchr(peer, '\n');
		if (xff)
			*xff++ = '\0';
	} else {
		peer = "127.0.0.1";
	}
	struct proxy_list list;
	char err[256];
	if (proxy_parse(text, &list, err, sizeof err) == 0) {
		if (list.count < 0 || list.count > PROXY_MAX_NETS)
			abort();
		(void)proxy_trusted(&list, peer);
		char out[64];
		proxy_client(&list, peer, xff, out, sizeof out);
		if (strlen(out) >= sizeof out)
			abort();
		char tiny[4];
		proxy_client(&list, peer, xff, tiny, sizeof tiny);
		if (strlen(tiny) >= sizeof tiny)
			abort();
	} else if (!err[0]) {
		abort(); /* a refusal says why */
	}
	free(text);
	return 0;
}
