/*
 * fuzz_rest.c - libFuzzer harness: what a server answers the clients' REST requests.
 * The input is sent verbatim, as the whole HTTP answer, by a listener on a thread of
 * the fuzzer; libvoxcart's rest_request reads it (libcurl, the Retry-After header,
 * the body kept whole, parsed as JSON, error.code / message / field of a failure),
 * and the voxcart command line shows it as it would (cli/render.c's products, cart
 * and orders, cli.c's cli_fail for a failure, the login answer taken and saved by
 * session_accept_auth).  cli/cli.c, render.c and output.c are compiled into this
 * harness (the command line is not a library).
 *
 * What must hold: the response is whole (body NUL-terminated, a reason for every
 * failure); nothing printed for people holds a control character other than a line
 * end (C0, DEL or C1: a title "\e[2J" must not clear the buyer's screen); with
 * --json, stdout is one JSON document per line; a login that was taken loads back
 * the same from its file.
 *
 * Input: byte 0 = what the command line does with a 2xx answer (bits 0-3: a page of
 * products, a seller's listings, a product, a cart, the cart line, a page of orders,
 * an order, its address, the page footer, else a login; bit 4: --json, the answer
 * printed as JSON instead); the rest is the server's answer, status line, headers and
 * body, sent as is, then the connection is closed.
 */
#include "../../cli/cli.c"
#include "../../cli/output.c"
#include "../../cli/render.c"

#include <arpa/inet.h>
#include <locale.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

static int listen_fd = -1;
static char base[64], dir[64], cred[96];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint8_t *answer; /* the input's answer, the harness's copy */
static size_t answer_len;

/* One connection: the request up to its blank line, then the answer, then close. */
static void serve_one(int fd)
{
	struct timeval tv = { 5, 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	char req[8192];
	size_t len = 0;
	ssize_t got;
	while (len < sizeof req - 1 && (got = recv(fd, req + len, sizeof req - 1 - len, 0)) > 0) {
		len += (size_t)got;
		req[len] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	/* A copy: curl may give up before the whole answer is sent, and the fuzzer then
	 * goes on to the next input. */
	pthread_mutex_lock(&lock);
	size_t n = answer_len;
	uint8_t *copy = malloc(n ? n : 1);
	if (copy && n)
		memcpy(copy, answer, n);
	pthread_mutex_unlock(&lock);
	const uint8_t *p = copy;
	if (!copy)
		n = 0;
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w <= 0)
			break;
		p += w;
		n -= (size_t)w;
	}
	free(copy);
	close(fd);
}

static void *serve(void *arg)
{
	(void)arg;
	for (;;) {
		int fd = accept(listen_fd, NULL, NULL);
		if (fd >= 0)
			serve_one(fd);
	}
	return NULL;
}


static void setup(void)
{
	setlocale(LC_CTYPE, "C.UTF-8"); /* as voxcart runs: setlocale(LC_CTYPE, "") */
	listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof sa;
	pthread_t t;
	if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    getsockname(listen_fd, (struct sockaddr *)&sa, &sl) != 0 || listen(listen_fd, 16) != 0 ||
	    pthread_create(&t, NULL, serve, NULL) != 0)
		abort();
	snprintf(base, sizeof base, "http://127.0.0.1:%d", ntohs(sa.sin_port));
}

/* Printed text: no C0 control but '\n', no DEL, no C1 (U+0080-U+009F in UTF-8). */
static void check_printed(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < ' ' && c != '\n') || c == 0x7f ||
		    (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
		     (unsigned char)s[i + 1] <= 0x9F)) {
			fprintf(stderr, "control character 0x%02x%s printed at byte %zu of:\n%.*s\n", c,
				c == 0xC2 ? " (C1)" : "", i, (int)n, s);
			abort();
		}
	}
}

static void check_response(const struct rest_response *resp)
{
	const char *bad = NULL;
	if (!resp->body || resp->body[resp->body_len] != '\0')
		bad = "the body is not a string";
	else if (strnlen(resp->error, sizeof resp->error) == sizeof resp->error ||
		 strnlen(resp->error_code, sizeof resp->error_code) == sizeof resp->error_code ||
		 strnlen(resp->error_field, sizeof resp->error_field) == sizeof resp->error_field)
		bad = "an error text is not terminated";
	else if (resp->retry_after < -1)
		bad = "Retry-After below -1";
	else if ((resp->status < 200 || resp->status >= 300) && !*resp->error)
		bad = "a failure without a reason";
	else if (resp->status >= 200 && resp->status < 300 && *resp->error)
		bad = "a success with a reason";
	if (bad) {
		fprintf(stderr, "%s: status %d, error \"%.512s\"\n", bad, resp->status, resp->error);
		abort();
	}
}

/* The login answer taken as `voxcart login` does, then read back from its file (in a
 * directory of its own under /dev/shm or /tmp, removed after). */
static void take_login(const struct rest_response *resp)
{
	struct session s, back;
	char err[512];
	const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(dir, sizeof dir, "%s/voxcart-fuzz-rest.XXXXXX", tmp);
	if (!mkdtemp(dir))
		abort();
	snprintf(cred, sizeof cred, "%s/credentials", dir);
	if (session_init(&s, cred) != 0) {
		rmdir(dir);
		return;
	}
	if (session_accept_auth(&s, base, resp->json, "me@example.com", err, sizeof err) == 0) {
		if (session_init(&back, cred) != 0 || session_load(&back, err, sizeof err) != 1) {
			fprintf(stderr, "a login taken does not load: %s\n", err);
			abort();
		}
		if (strcmp(s.server, back.server) || strcmp(s.access_token, back.access_token) ||
		    strcmp(s.refresh_token, back.refresh_token) || !s.email || !back.email ||
		    strcmp(s.email, back.email) || s.expires_at != back.expires_at) {
			fprintf(stderr, "a login taken loads back changed: email \"%s\" -> \"%s\"\n",
				s.email ? s.email : "(none)", back.email ? back.email : "(none)");
			abort();
		}
		session_free(&back);
	}
	session_free(&s);
	unlink(cred);
	rmdir(dir);
}

static const struct cmd_entry cmd = { "listing", NULL, "", "", NULL };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rest *r;
	if (size < 1)
		return 0;
	if (!r) {
		setup();
		if (!(r = rest_new(base)))
			abort();
		rest_set_timeouts(r, 2000, 4000);
	}
	int what = data[0] & 15, json = (data[0] >> 4) & 1;
	uint8_t *copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	pthread_mutex_lock(&lock);
	free(answer);
	answer = copy;
	answer_len = size - 1;
	pthread_mutex_unlock(&lock);

	struct rest_response resp;
	rest_request(r, "GET", "/api/v1/x", NULL, "token", NULL, &resp);
	check_response(&resp);

	/* What goes to the terminal, stdout and stderr apart. */
	char *out = NULL, *err = NULL;
	size_t nout = 0, nerr = 0;
	FILE *mo = open_memstream(&out, &nout), *me = open_memstream(&err, &nerr);
	if (!mo || !me) {
		if (mo)
			fclose(mo);
		if (me)
			fclose(me);
		free(out);
		free(err);
		rest_response_free(&resp);
		return 0;
	}
	FILE *so = stdout, *se = stderr;
	stdout = mo;
	stderr = me;
	struct cli cli = { .server = base, .json = json, .cmd = &cmd, .hint_status = 402,
			   .hint = "nothing was charged" };
	const cJSON *j = resp.json;
	if (resp.status < 200 || resp.status >= 300) {
		cli_fail(&cli, &resp);
	} else if (cli.json) {
		cli_json_out(&cli, &resp); /* what every command does with --json */
	} else {
		switch (what) {
		case 0: render_products(j, 0, "No products."); break;
		case 1: render_products(j, 1, "No listings."); break;
		case 2: render_product(j); break;
		case 3: render_cart(j); break;
		case 4: render_cart_line(j); break;
		case 5: render_orders(j, "No orders."); break;
		case 6: render_order(j); break;
		case 7: render_address(cJSON_GetObjectItemCaseSensitive(j, "shipping_address"), "  "); break;
		case 8: render_page_footer(j); break;
		default: take_login(&resp); break;
		}
	}
	fflush(mo);
	fflush(me);
	stdout = so;
	stderr = se;
	fclose(mo);
	fclose(me);
	check_printed(err, nerr);
	if (!cli.json) {
		check_printed(out, nout);
	} else {
		/* --json: one JSON document per line, for scripts */
		for (char *line = out, *nl; line && *line; line = nl + 1) {
			nl = strchr(line, '\n');
			if (!nl)
				abort(); /* every line ends */
			cJSON *doc = cJSON_ParseWithLength(line, (size_t)(nl - line));
			if (!doc)
				abort();
			cJSON_Delete(doc);
		}
	}
	free(out);
	free(err);
	rest_response_free(&resp);
	return 0;
}
