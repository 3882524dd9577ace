/*
 * fuzz_ws.c - libFuzzer harness: the buddy WebSocket end to end, in process.
 *
 * The whole voxcartd (server/main.c, included here under another name) runs on a
 * thread of the fuzzer, on a free port with a temporary database.  The harness logs
 * a shopper in, opens /api/v1/buddy and says hello; then each input is sent as client
 * messages on that socket, so libwebsockets, buddy_ws.c (message parsing, turns,
 * audio frames, cancels) and buddy_turn.c meet them exactly as from the network:
 *
 *     input = message*,  message = 1 byte (bit 0: binary, bit 1: last message)
 *                                  + 2 bytes big-endian length + that many bytes
 *
 * After the messages a ping goes out and the harness reads until its pong, so each
 * input is handled before the next.  When the server closes the socket (a message it
 * refuses that way) the harness connects and says hello again.  A crash or sanitizer
 * report anywhere in the server stops the fuzzer like one in the harness would.
 */
#define main voxcartd_main
#include "../../server/main.c"
#undef main

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

static int port;
static int sock = -1;
static char token[256];
static char dir[64];

static void die(const char *why)
{
	fprintf(stderr, "fuzz_ws: %s\n", why);
	abort();
}

static int connect_server(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

static int send_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n > 0) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads what is there within ms milliseconds; returns bytes read, 0 on close, -1 on
 * timeout or error. */
static ssize_t read_some(int fd, char *buf, size_t cap, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	if (poll(&p, 1, ms) <= 0)
		return -1;
	return recv(fd, buf, cap, 0);
}

/* One HTTP request on a new connection; the answer's body into out. */
static int http(const char *method, const char *path, const char *body, char *out, size_t cap)
{
	int fd = connect_server();
	if (fd < 0)
		return -1;
	char req[1024];
	int n = snprintf(req, sizeof req,
			 "%s %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: "
			 "application/json\r\nContent-Length: %zu\r\n\r\n%s",
			 method, path, strlen(body), body);
	size_t len = 0;
	if (send_all(fd, req, (size_t)n) == 0)
		for (ssize_t r; len + 1 < cap && (r = read_some(fd, out + len, cap - 1 - len, 5000)) > 0;)
			len += (size_t)r;
	out[len] = '\0';
	close(fd);
	return strncmp(out, "HTTP/1.1 2", 10) == 0 ? 0 : -1;
}

static void ws_frame(uint8_t opcode, const uint8_t *payload, size_t n, uint8_t *out, size_t *outlen)
{
	size_t h = 0;
	out[h++] = (uint8_t)(0x80 | opcode);
	if (n < 126) {
		out[h++] = (uint8_t)(0x80 | n);
	} else {
		out[h++] = 0x80 | 126;
		out[h++] = (uint8_t)(n >> 8);
		out[h++] = (uint8_t)n;
	}
	static const uint8_t mask[4] = { 0x12, 0x34, 0x56, 0x78 };
	memcpy(out + h, mask, 4);
	h += 4;
	for (size_t i = 0; i < n; i++)
		out[h + i] = payload[i] ^ mask[i & 3];
	*outlen = h + n;
}

static int ws_send(uint8_t opcode, const void *payload, size_t n)
{
	static uint8_t buf[70000];
	size_t len;
	ws_frame(opcode, payload, n, buf, &len);
	return send_all(sock, buf, len);
}

/* Reads the server's frames (never masked) until a text frame containing `want`;
 * -1 on a close frame, a closed socket or after ms milliseconds. */
static int wait_for_frame(const char *want, int ms)
{
	static uint8_t buf[1 << 17];
	size_t have = 0;
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		/* whole frames in buf */
		size_t at = 0;
		for (;;) {
			if (have - at < 2)
				break;
			uint8_t op = buf[at] & 0x0f;
			size_t n = buf[at + 1] & 0x7f, h = 2;
			if (n == 126) {
				if (have - at < 4)
					break;
				n = ((size_t)buf[at + 2] << 8) | buf[at + 3];
				h = 4;
			} else if (n == 127) {
				if (have - at < 10)
					break;
				n = 0;
				for (int i = 0; i < 8; i++)
					n = (n << 8) | buf[at + 2 + i];
				h = 10;
			}
			if (n > sizeof buf / 2)
				return -1;
			if (have - at < h + n)
				break;
			if (op == 0x8)
				return -1;
			if (op == 0x1 && memmem(buf + at + h, n, want, strlen(want)))
				return 0;
			at += h + n;
		}
		memmove(buf, buf + at, have - at);
		have -= at;
		clock_gettime(CLOCK_MONOTONIC, &now);
		int left = ms - (int)((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0)
			return -1;
		ssize_t r = read_some(sock, (char *)buf + have, sizeof buf - have, left);
		if (r <= 0)
			return -1;
		have += (size_t)r;
	}
}

/* The HTTP answer to the upgrade: up to the empty line, nothing more. */
static int wait_upgrade(void)
{
	char c, last[4] = { 0 };
	for (int i = 0; i < 8192; i++) {
		if (read_some(sock, &c, 1, 5000) != 1)
			return -1;
		memmove(last, last + 1, 3);
		last[3] = c;
		if (memcmp(last, "\r\n\r\n", 4) == 0)
			return 0;
	}
	return -1;
}

static int ws_open(void)
{
	if (sock >= 0)
		close(sock);
	sock = connect_server();
	if (sock < 0)
		return -1;
	const char *req = "GET /api/v1/buddy HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
			  "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
			  "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: voxcart.v1\r\n\r\n";
	if (send_all(sock, req, strlen(req)) != 0 || wait_upgrade() != 0)
		return -1;
	char hello[512];
	int n = snprintf(hello, sizeof hello,
			 "{\"type\":\"hello\",\"token\":\"%s\",\"client\":\"fuzz/1\",\"speech\":false}",
			 token);
	if (ws_send(0x1, hello, (size_t)n) != 0 || wait_for_frame("\"ready\"", 10000) != 0)
		return -1;
	return 0;
}

/* A new session; the server may still count the one just closed against the
 * account's session limit for a moment, so a refusal is retried for a while. */
static int ws_reopen(void)
{
	for (int i = 0; i < 100; i++) {
		if (ws_open() == 0)
			return 0;
		usleep(50000);
	}
	return -1;
}

static void *server_thread(void *arg)
{
	char **argv = arg;
	int argc = 0;
	while (argv[argc])
		argc++;
	exit(voxcartd_main(argc, argv));
}

static void cleanup(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (dir[0] && system(cmd) != 0)
		fprintf(stderr, "fuzz_ws: could not remove %s\n", dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(dir, sizeof dir, "/tmp/voxcart-fuzzws-XXXXXX");
	if (!mkdtemp(dir))
		die("mkdtemp");
	atexit(cleanup);
	static char conf[128], db[128], portarg[16];
	snprintf(conf, sizeof conf, "%s/voxcart.conf", dir);
	snprintf(db, sizeof db, "%s/fuzz.db", dir);
	FILE *f = fopen(conf, "w");
	if (!f)
		die("config");
	fputs("[auth]\nhash_cost = min\n[server]\nrate_limit = 0\nlog_level = error\n", f);
	fclose(f);
	int probe = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t alen = sizeof a;
	if (bind(probe, (struct sockaddr *)&a, sizeof a) != 0 ||
	    getsockname(probe, (struct sockaddr *)&a, &alen) != 0)
		die("no free port");
	port = ntohs(a.sin_port);
	close(probe);
	snprintf(portarg, sizeof portarg, "%d", port);
	static char *args[] = { "voxcartd", "--port", portarg, "--db", db, "--config", conf, NULL };
	pthread_t t;
	if (pthread_create(&t, NULL, server_thread, args) != 0)
		die("thread");
	pthread_detach(t);
	char out[8192];
	int up = 0;
	for (int i = 0; i < 200 && !up; i++) {
		up = http("GET", "/health", "", out, sizeof out) == 0;
		if (!up)
			usleep(50000);
	}
	if (!up)
		die("voxcartd did not come up");
	if (http("POST", "/api/v1/auth/register",
		 "{\"email\":\"ws@fuzz.io\",\"password\":\"password123\",\"name\":\"W\"}", out,
		 sizeof out) != 0)
		die("register");
	char *t0 = strstr(out, "\"access_token\":\"");
	if (!t0)
		die("no token");
	t0 += 16;
	char *t1 = strchr(t0, '"');
	if (!t1 || (size_t)(t1 - t0) >= sizeof token)
		die("token");
	memcpy(token, t0, (size_t)(t1 - t0));
	if (ws_reopen() != 0)
		die("websocket");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (sock < 0 && ws_reopen() != 0)
		die("websocket reopen");
	size_t i = 0;
	int sent = 0;
	while (i + 3 <= size && sent < 16) {
		uint8_t flags = data[i];
		size_t n = ((size_t)data[i + 1] << 8) | data[i + 2];
		i += 3;
		if (n > size - i)
			n = size - i;
		if (ws_send((flags & 1) ? 0x2 : 0x1, data + i, n) != 0)
			break;
		i += n;
		sent++;
		if (flags & 2)
			break;
	}
	static const char ping[] = "{\"type\":\"ping\"}";
	int bad = ws_send(0x1, ping, sizeof ping - 1) != 0 ||
		  wait_for_frame("\"pong\"", 10000) != 0;
	if (bad) {
		/* refused by closing, or too busy to answer: a new session for the next input */
		if (ws_reopen() != 0)
			die("the server stopped answering");
	}
	return 0;
}
