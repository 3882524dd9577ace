/*
 * inproc.h - the whole voxcartd in a libFuzzer harness (fuzz_ws.c, fuzz_http_raw.c).
 *
 * server/main.c is compiled in under another name and runs on a thread of the fuzzer,
 * on a free port with a temporary database (tmpdir.h); the harness talks to it over
 * TCP as a client would, so libwebsockets and the server's own code meet the fuzzed
 * bytes exactly as from the network.  A crash or sanitizer report anywhere in the
 * server stops the fuzzer like one in the harness would.
 *
 * The server starts once per process (inproc_start, from LLVMFuzzerInitialize), not
 * per input.  Inputs stay independent all the same: inproc_settle() waits until the
 * server has nothing under way (http_busy: no request being read, handled or
 * answered, no job in any pool; no buddy session open), then puts the database back
 * as it was after the harness's setup (dbreset.h) when the input changed it.  Nothing
 * waits a fixed time: the harness reads until the server closes, or has nothing under
 * way, or (a request waiting for the rest of its body) has been quiet a moment.
 *
 * Include it once, before anything else of the harness.
 */
#define main voxcartd_main
#include "../../server/main.c"
#undef main

#include "dbreset.h"
#include "tmpdir.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *inproc_name = "fuzz";
static int port;
static char dir[64];
static char db[128];

static void die(const char *why)
{
	fprintf(stderr, "%s: %s\n", inproc_name, why);
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

/* One HTTP request on a new connection; the answer's body into out.  0 for a 2xx. */
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

static void *server_thread(void *arg)
{
	char **argv = arg;
	int argc = 0;
	while (argv[argc])
		argc++;
	exit(voxcartd_main(argc, argv));
}

static long long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Waits until nothing is under way in the server and no buddy session is open, then
 * puts the database back as it was after the setup (when the input changed it).
 * Dies when the server is still busy after ms milliseconds: the previous input left
 * it stuck. */
static void inproc_settle(int ms)
{
	struct server *srv = signal_target;
	long long end = now_ms() + ms;
	while (http_busy(srv) != 0 || buddy_ws_session_count(srv) != 0) {
		if (now_ms() > end) {
			fprintf(stderr, "%s: %d requests or jobs and %d buddy sessions still under "
				"way %d ms after the input\n", inproc_name, http_busy(srv),
				buddy_ws_session_count(srv), ms);
			die("the server did not settle");
		}
		usleep(200);
	}
	db_reset(srv);
}

/* Starts voxcartd with config (appended to a quiet, unlimited base) and waits for
 * /health. */
static void inproc_start(const char *name, const char *config)
{
	inproc_name = name;
	if (fuzz_tmpdir(dir, sizeof dir) != 0)
		die("temporary directory");
	static char conf[128], portarg[16];
	snprintf(conf, sizeof conf, "%s/voxcart.conf", dir);
	snprintf(db, sizeof db, "%s/fuzz.db", dir);
	FILE *f = fopen(conf, "w");
	if (!f)
		die("config");
	fputs("[auth]\nhash_cost = min\n[server]\nrate_limit = 0\nlog_level = error\n", f);
	fputs(config, f);
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
}

/* After the harness's setup: what every input starts from (dbreset.h). */
static void inproc_snapshot(void)
{
	db_snapshot(db);
}

/* Registers email (role "" for a shopper) and copies its access token into token. */
static void inproc_register(const char *email, const char *role, char *token, size_t cap)
{
	char body[256], out[8192];
	snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"password123\",\"name\":\"F\"%s%s%s}",
		 email, role[0] ? ",\"role\":\"" : "", role, role[0] ? "\"" : "");
	if (http("POST", "/api/v1/auth/register", body, out, sizeof out) != 0)
		die("register");
	char *t0 = strstr(out, "\"access_token\":\"");
	if (!t0)
		die("no token");
	t0 += 16;
	char *t1 = strchr(t0, '"');
	if (!t1 || (size_t)(t1 - t0) >= cap)
		die("token");
	memcpy(token, t0, (size_t)(t1 - t0));
	token[t1 - t0] = '\0';
}
