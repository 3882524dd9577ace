/*
 * fuzz_ws.c - libFuzzer harness: the buddy WebSocket end to end, in process.
 *
 * The whole voxcartd runs on a thread of the fuzzer (inproc.h), started once with a
 * registered shopper and a conversation.  For each input the harness opens
 * /api/v1/buddy and says hello (going on with that conversation: nothing written),
 * then sends the input as client messages on that socket, so libwebsockets,
 * buddy_ws.c (message parsing, turns, audio frames, cancels) and buddy_turn.c meet
 * them exactly as from the network:
 *
 *     input = message*,  message = 1 byte (bit 0: binary, bit 1: last message)
 *                                  + 2 bytes big-endian length + that many bytes
 *
 * After the messages a ping goes out and the harness reads until its pong (or the
 * server's close, for a message it refuses that way), hangs up, and waits for the
 * server to settle: the session freed, its turns finished, the database put back as
 * the setup left it (inproc.h), so that no input sees the cart, the conversation or
 * the orders of an earlier one.  A crash or sanitizer report anywhere in the server
 * stops the fuzzer like one in the harness would.
 */
#include "inproc.h"

static int sock = -1;
static char token[256];
static long long conversation; /* the one made in the setup: hello goes on with it */
static char matched[512];      /* the start of the frame wait_for_frame found */

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
			if (op == 0x1 && memmem(buf + at + h, n, want, strlen(want))) {
				size_t k = n < sizeof matched - 1 ? n : sizeof matched - 1;
				memcpy(matched, buf + at + h, k);
				matched[k] = '\0';
				return 0;
			}
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
	/* the setup's conversation, so that a hello writes nothing to the database */
	char hello[512], conv[48] = "";
	if (conversation > 0)
		snprintf(conv, sizeof conv, ",\"conversation_id\":%lld", conversation);
	int n = snprintf(hello, sizeof hello,
			 "{\"type\":\"hello\",\"token\":\"%s\",\"client\":\"fuzz/1\","
			 "\"speech\":false%s}", token, conv);
	if (ws_send(0x1, hello, (size_t)n) != 0 || wait_for_frame("\"ready\"", 10000) != 0)
		return -1;
	return 0;
}

/* A new session (the previous one is freed: inproc_settle); retried after the server
 * settles again, for a loaded machine's slow hello (a long run at load 20 once saw two
 * tries of 15 s fail where the input passes alone). */
static int ws_reopen(void)
{
	for (int i = 0; i < 5; i++) {
		if (ws_open() == 0)
			return 0;
		if (sock >= 0)
			close(sock);
		sock = -1;
		inproc_settle(20000);
	}
	return -1;
}

/* Hangs up and waits for the server to forget the session. */
static void ws_close(void)
{
	if (sock >= 0)
		close(sock);
	sock = -1;
	inproc_settle(20000);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	inproc_start("fuzz_ws", "");
	inproc_register("ws@fuzz.io", "", token, sizeof token);
	/* one session first: what the first hello makes once is in the snapshot */
	if (ws_reopen() != 0)
		die("websocket");
	const char *c = strstr(matched, "\"conversation_id\":");
	if (!c || (conversation = atoll(c + 18)) <= 0)
		die("no conversation in ready");
	ws_close();
	inproc_snapshot();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (ws_reopen() != 0)
		die("the server stopped answering hello");
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
	/* refused by closing, or answered: either way handled before the hang-up */
	static const char ping[] = "{\"type\":\"ping\"}";
	if (ws_send(0x1, ping, sizeof ping - 1) == 0)
		wait_for_frame("\"pong\"", 10000);
	ws_close();
	return 0;
}
