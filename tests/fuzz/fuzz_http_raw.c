/*
 * fuzz_http_raw.c - libFuzzer harness: raw bytes on an HTTP connection, in process.
 *
 * The whole voxcartd runs on a thread of the fuzzer (inproc.h), behind a trusted
 * proxy list that holds 127.0.0.1 (so X-Forwarded-For is walked too).  Each input is
 * sent as it is on a new connection: the request line, headers and framing
 * (Content-Length, Transfer-Encoding: http.c's framing_error), query strings, the
 * Authorization and Idempotency-Key headers, bodies, pipelined requests and the event
 * loop's answer for a cached product by id - what fuzz_http (behind the framing) does
 * not reach.  "@S" and "@P" in the input become the bearer tokens of a shopper and of
 * a seller (so logged-in paths are reached); product 1 exists and is cached.
 *
 *     input = 1 flag byte (bit 0: hang up right after sending) + the bytes to send
 *
 * The answer is read until the server closes the connection or has nothing under way
 * (inproc.h); then the harness hangs up, waits for the server to settle (the database
 * put back as the setup left it: an input that logs the shopper out or edits product 1
 * changes nothing for the next), and /health must still answer on a new connection.
 */
#include "inproc.h"

static char shopper[256], seller[256];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	inproc_start("fuzz_http_raw", "[server]\ntrusted_proxies = 127.0.0.1, ::1\n");
	inproc_register("raw@fuzz.io", "", shopper, sizeof shopper);
	inproc_register("seller@fuzz.io", "seller", seller, sizeof seller);
	char req[1024], out[8192];
	int fd = connect_server();
	int n = snprintf(req, sizeof req,
			 "POST /api/v1/products HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
			 "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
			 "Content-Length: 70\r\n\r\n"
			 "{\"title\":\"Fuzz teapot\",\"price_cents\":999,\"stock\":5,\"category\":\"Kit\"}  ",
			 seller);
	size_t len = 0;
	if (fd < 0 || send_all(fd, req, (size_t)n) != 0)
		die("create product");
	for (ssize_t r; len + 1 < sizeof out && (r = read_some(fd, out + len, sizeof out - 1 - len, 5000)) > 0;)
		len += (size_t)r;
	out[len] = '\0';
	close(fd);
	if (strncmp(out, "HTTP/1.1 201", 12) != 0)
		die("create product: not 201");
	if (http("GET", "/api/v1/products/1", "", out, sizeof out) != 0)
		die("product 1");
	inproc_settle(10000);
	inproc_snapshot();
	return 0;
}

/* data with @S / @P replaced by the tokens; malloc'd, its length in *n. */
static char *expand(const uint8_t *data, size_t size, size_t *n)
{
	size_t cap = size + 1, len = 0;
	size_t extra = strlen(shopper) > strlen(seller) ? strlen(shopper) : strlen(seller);
	for (size_t i = 0; i + 1 < size; i++)
		if (data[i] == '@' && (data[i + 1] == 'S' || data[i + 1] == 'P'))
			cap += extra;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	for (size_t i = 0; i < size; i++) {
		if (data[i] == '@' && i + 1 < size && (data[i + 1] == 'S' || data[i + 1] == 'P')) {
			const char *t = data[i + 1] == 'S' ? shopper : seller;
			memcpy(out + len, t, strlen(t));
			len += strlen(t);
			i++;
		} else {
			out[len++] = (char)data[i];
		}
	}
	*n = len;
	return out;
}

/* Reads and drops what the server sends: with idle, until the server closes the
 * connection (1) or ms milliseconds pass (0); else also until the server has nothing
 * under way and nothing came for 2 ms, or only waits for more bytes (no worker busy,
 * nothing came for 5 ms) (0). */
static int read_answers(int fd, int ms, int idle)
{
	static char buf[1 << 16];
	struct server *srv = signal_target;
	long long start = now_ms(), last = start;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int ready = poll(&p, 1, 1);
		long long t = now_ms();
		if (ready > 0) {
			if (recv(fd, buf, sizeof buf, 0) <= 0)
				return 1; /* closed (or reset) */
			last = t;
			continue;
		}
		if (t - start > ms)
			return 0;
		if (idle)
			continue;
		if (http_busy(srv) == 0 && t - last >= 2)
			return 0;
		if (workers_busy(srv->pool) + workers_busy(srv->hash_pool) +
			    workers_busy(srv->turn_pool) == 0 && t - last >= 5)
			return 0;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int hang_up = data[0] & 1;
	size_t n;
	char *req = expand(data + 1, size - 1, &n);
	if (!req)
		return 0;
	int fd = connect_server();
	if (fd < 0)
		die("connect");
	int sent = send_all(fd, req, n) == 0;
	free(req);
	if (sent && hang_up)
		shutdown(fd, SHUT_WR);
	/* /health on a new connection: the server still answers, and (the input's bytes
	 * were there before it connected) its loop has read them by the time it does.
	 * A second try: on a loaded machine (the fuzzer at nice 10 beside busy processes)
	 * one /health can outwait its 5 s read; a dead or stuck server fails both. */
	char out[4096];
	if (http("GET", "/health", "", out, sizeof out) != 0 &&
	    http("GET", "/health", "", out, sizeof out) != 0) {
		fprintf(stderr, "fuzz_http_raw: /health answered %.200s\n", out[0] ? out : "nothing");
		die("the server stopped answering /health");
	}
	/* The answers (3 s at most), then the harness hangs up and the server must
	 * close its end: everything the input sent has been read by then. */
	int closed = sent && read_answers(fd, 3000, 0);
	if (!closed) {
		shutdown(fd, SHUT_WR);
		if (!read_answers(fd, 20000, 1))
			die("the server kept the connection open 20 s after the client hung up");
	}
	close(fd);
	inproc_settle(20000);
	return 0;
}
