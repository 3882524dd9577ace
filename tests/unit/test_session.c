/*
 * test_session.c - the client's credentials file and authenticated requests
 * (shared/client/session.c over shared/client/rest.c), against a small HTTP server in a thread
 * that plays voxcartd's auth endpoints.
 *
 * Covered: file and directory modes, atomic writes, damaged and hostile files,
 * refresh before an expired token, refresh and retry on a 401, a refresh token the
 * server refuses, adopting a pair another client saved, an unreachable server,
 * Retry-After, and answers that are not JSON.
 */
#include <arpa/inet.h>
#include <check.h>
#include <dirent.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rest.h"
#include "session.h"

/* ---- a fake voxcartd ---- */

struct fake {
	int listen_fd, port;
	pthread_t thread;
	pthread_mutex_t lock;
	char access[64], refresh[64]; /* the pair the server accepts */
	int refresh_calls, me_calls, refuse_refresh, rate_limited;
	int stop;
};

static struct fake F;

static void answer(int fd, int status, const char *extra_headers, const char *body)
{
	char head[512];
	int n = snprintf(head, sizeof head,
			 "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n%sContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n", status, extra_headers, strlen(body));
	if (write(fd, head, (size_t)n) < 0 || write(fd, body, strlen(body)) < 0)
		return;
}

static void handle(int fd)
{
	char req[8192];
	size_t len = 0;
	ssize_t got;
	while (len < sizeof req - 1 && (got = read(fd, req + len, sizeof req - 1 - len)) > 0) {
		len += (size_t)got;
		req[len] = '\0';
		char *end = strstr(req, "\r\n\r\n");
		if (!end)
			continue;
		const char *cl = strcasestr(req, "Content-Length:");
		size_t want = cl && cl < end ? (size_t)atoi(cl + 15) : 0;
		if (len >= (size_t)(end + 4 - req) + want)
			break;
	}
	req[len] = '\0';
	pthread_mutex_lock(&F.lock);
	char auth[128] = "";
	const char *a = strcasestr(req, "Authorization: Bearer ");
	if (a)
		sscanf(a + 22, "%127[^\r\n]", auth);
	if (strncmp(req, "POST /api/v1/auth/refresh ", 26) == 0) {
		F.refresh_calls++;
		char want[128];
		snprintf(want, sizeof want, "\"refresh_token\":\"%s\"", F.refresh);
		if (F.refuse_refresh == 2) {
			answer(fd, 401, "", "{\"error\":{\"code\":\"session_expired\",\"message\":\"ran out\"}}");
		} else if (F.refuse_refresh || !strstr(req, want)) {
			answer(fd, 401, "", "{\"error\":{\"code\":\"unauthorized\",\"message\":\"bad refresh token\"}}");
		} else {
			snprintf(F.access, sizeof F.access, "access-%d", F.refresh_calls + 1);
			snprintf(F.refresh, sizeof F.refresh, "refresh-%d", F.refresh_calls + 1);
			char body[512];
			snprintf(body, sizeof body, "{\"user\":{\"email\":\"a@b.c\"},\"access_token\":\"%s\","
				 "\"refresh_token\":\"%s\",\"expires_in\":900}", F.access, F.refresh);
			answer(fd, 200, "", body);
		}
	} else if (strncmp(req, "GET /api/v1/me ", 15) == 0) {
		F.me_calls++;
		if (F.rate_limited)
			answer(fd, 429, "Retry-After: 7\r\n", "{\"error\":{\"code\":\"rate_limited\",\"message\":\"slow down\"}}");
		else if (strcmp(auth, F.access) == 0)
			answer(fd, 200, "", "{\"id\":1,\"email\":\"a@b.c\"}");
		else
			answer(fd, 401, "", "{\"error\":{\"code\":\"unauthorized\",\"message\":\"expired\"}}");
	} else if (strncmp(req, "GET /folded ", 12) == 0) {
		/* the first header line continues a header that is not there */
		static const char raw[] = "HTTP/1.1 503 X\r\n X: 1\r\nRetry-After: 5\r\n"
					  "Connection: close\r\n\r\nbusy";
		if (write(fd, raw, sizeof raw - 1) < 0)
			perror("write");
	} else if (strncmp(req, "GET /farretry ", 14) == 0) {
		answer(fd, 503, "Retry-After: Fri, 31 Dec 9999 23:59:59 GMT\r\n", "{}");
	} else if (strncmp(req, "GET /nostatus ", 14) == 0) {
		static const char raw[] = "HTTP/200 1.4 No \"message\":\"close\n\n";
		if (write(fd, raw, sizeof raw - 1) < 0)
			perror("write");
	} else if (strncmp(req, "GET /notjson ", 13) == 0) {
		answer(fd, 200, "", "<html>hello</html>");
	} else {
		answer(fd, 404, "", "{\"error\":{\"code\":\"not_found\",\"message\":\"no such thing\","
		       "\"field\":\"id\"}}");
	}
	pthread_mutex_unlock(&F.lock);
}

static void *serve(void *arg)
{
	(void)arg;
	for (;;) {
		int fd = accept(F.listen_fd, NULL, NULL);
		if (fd < 0 || F.stop) {
			if (fd >= 0)
				close(fd);
			return NULL;
		}
		handle(fd);
		close(fd);
	}
}

static char base[64];
static char dir[256], path[512];

static void setup(void)
{
	memset(&F, 0, sizeof F);
	pthread_mutex_init(&F.lock, NULL);
	snprintf(F.access, sizeof F.access, "access-1");
	snprintf(F.refresh, sizeof F.refresh, "refresh-1");
	F.listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	ck_assert_int_eq(bind(F.listen_fd, (struct sockaddr *)&sa, sizeof sa), 0);
	socklen_t sl = sizeof sa;
	getsockname(F.listen_fd, (struct sockaddr *)&sa, &sl);
	F.port = ntohs(sa.sin_port);
	listen(F.listen_fd, 16);
	pthread_create(&F.thread, NULL, serve, NULL);
	snprintf(base, sizeof base, "http://127.0.0.1:%d", F.port);
	snprintf(dir, sizeof dir, "/tmp/voxcart-test-session-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/conf/voxcart/credentials", dir);
}

static void teardown(void)
{
	F.stop = 1;
	shutdown(F.listen_fd, SHUT_RDWR);
	close(F.listen_fd);
	pthread_join(F.thread, NULL);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

/* A logged-in session for the fake server, saved to path. */
static void login(struct session *s, const char *access, const char *refresh, int64_t expires)
{
	ck_assert_int_eq(session_init(s, path), 0);
	s->server = strdup(base);
	s->email = strdup("a@b.c");
	s->access_token = strdup(access);
	s->refresh_token = strdup(refresh);
	s->expires_at = expires;
	char err[256];
	ck_assert_msg(session_save(s, err, sizeof err) == 0, "%s", err);
}

static void load_file(struct session *s)
{
	char err[256];
	ck_assert_int_eq(session_init(s, path), 0);
	ck_assert_msg(session_load(s, err, sizeof err) == 1, "%s", err);
}

/* ---- tests ---- */

START_TEST(config_path)
{
	char buf[512], err[128];
	setenv("XDG_CONFIG_HOME", "/x/y", 1);
	ck_assert_int_eq(session_config_path("credentials", buf, sizeof buf, err, sizeof err), 0);
	ck_assert_str_eq(buf, "/x/y/voxcart/credentials");
	setenv("XDG_CONFIG_HOME", "relative/ignored", 1);
	setenv("HOME", "/home/z", 1);
	ck_assert_int_eq(session_config_path("config", buf, sizeof buf, err, sizeof err), 0);
	ck_assert_str_eq(buf, "/home/z/.config/voxcart/config");
	unsetenv("XDG_CONFIG_HOME");
	ck_assert_int_eq(session_config_path("config", buf, sizeof buf, err, sizeof err), 0);
	ck_assert_str_eq(buf, "/home/z/.config/voxcart/config");
	ck_assert_int_eq(session_config_path("config", buf, 10, err, sizeof err), -1);
}
END_TEST

START_TEST(save_load_modes)
{
	struct session s, back;
	login(&s, "tok-A", "ref-A", 1900000000);
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	char d[600];
	snprintf(d, sizeof d, "%s/conf/voxcart", dir);
	ck_assert_int_eq(stat(d, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0700);
	/* nothing but the file (and no temp file) in the directory */
	DIR *dp = opendir(d);
	struct dirent *de;
	int files = 0;
	while ((de = readdir(dp)))
		files += de->d_name[0] != '.';
	closedir(dp);
	ck_assert_int_eq(files, 1);
	load_file(&back);
	ck_assert_str_eq(back.server, base);
	ck_assert_str_eq(back.email, "a@b.c");
	ck_assert_str_eq(back.access_token, "tok-A");
	ck_assert_str_eq(back.refresh_token, "ref-A");
	ck_assert_int_eq(back.expires_at, 1900000000);
	ck_assert(session_logged_in(&back, base));
	char slash[80];
	snprintf(slash, sizeof slash, "%s/", base);
	ck_assert(session_logged_in(&back, slash));
	ck_assert(!session_logged_in(&back, "http://127.0.0.1:1"));
	/* a file someone made world-readable is tightened when read */
	chmod(path, 0644);
	session_free(&back);
	load_file(&back);
	stat(path, &st);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	char err[128];
	ck_assert_int_eq(session_forget(&back, err, sizeof err), 0);
	ck_assert_int_ne(access(path, F_OK), 0);
	ck_assert(!session_logged_in(&back, base));
	ck_assert_int_eq(session_forget(&back, err, sizeof err), 0); /* twice is fine */
	session_free(&back);
	session_free(&s);
}
END_TEST

static int load_text(const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	struct session s;
	char err[256] = "";
	session_init(&s, path);
	int rc = session_load(&s, err, sizeof err);
	if (rc < 0)
		ck_assert_msg(*err, "an error needs a reason");
	session_free(&s);
	return rc;
}

START_TEST(damaged_files)
{
	struct session s;
	char err[256];
	session_init(&s, path);
	ck_assert_int_eq(session_load(&s, err, sizeof err), 0); /* no file: logged out */
	ck_assert(!session_logged_in(&s, base));
	session_free(&s);
	login(&s, "a", "b", 0);
	session_free(&s);
	ck_assert_int_eq(load_text("server = http://x\naccess_token = a\nrefresh_token = b\n"), 1);
	ck_assert_int_eq(load_text("server = http://x\naccess_token = a\n"), -1);
	ck_assert_int_eq(load_text("garbage without equals\n"), -1);
	ck_assert_int_eq(load_text("server = http://x\naccess_token = a b\nrefresh_token = b\n"), -1);
	ck_assert_int_eq(load_text("server = http://x\naccess_token = a\nrefresh_token = b\n"
				   "expires_at = soon\n"), -1);
	ck_assert_int_eq(load_text(""), -1);
}
END_TEST

/* Whatever loads (or a server's answer gave) is saved so that it loads the same:
 * config_parse trims values and removes enclosing quotes (found by fuzz_session). */
START_TEST(values_kept_as_saved)
{
	static const char *values[] = { "'a'", "\"Ann\"", " ann@x.y ", "\"", "a\"", "'b", "x y",
					"# not a comment", "" };
	for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
		struct session s, back;
		login(&s, "t", "r", 0);
		free(s.email);
		s.email = strdup(values[i]);
		free(s.server);
		s.server = strdup(values[i]);
		char err[256];
		ck_assert_msg(session_save(&s, err, sizeof err) == 0, "%s", err);
		load_file(&back);
		ck_assert_msg(strcmp(back.email, values[i]) == 0, "email [%s] came back as [%s]",
			      values[i], back.email);
		ck_assert_msg(strcmp(back.server, values[i]) == 0, "server [%s] came back as [%s]",
			      values[i], back.server);
		session_free(&back);
		session_free(&s);
	}
}
END_TEST

START_TEST(hostile_tokens_refused)
{
	struct session s;
	char err[256];
	session_init(&s, path);
	cJSON *auth = cJSON_Parse("{\"access_token\":\"x\\r\\nX-Evil: 1\",\"refresh_token\":\"r\"}");
	ck_assert_int_eq(session_accept_auth(&s, base, auth, NULL, err, sizeof err), -1);
	ck_assert_int_ne(access(path, F_OK), 0); /* nothing written */
	cJSON_Delete(auth);
	auth = cJSON_Parse("{\"access_token\":\"ok\",\"refresh_token\":\"r\\nserver = http://evil\"}");
	ck_assert_int_eq(session_accept_auth(&s, base, auth, NULL, err, sizeof err), -1);
	cJSON_Delete(auth);
	auth = cJSON_Parse("{\"access_token\":\"ok\"}");
	ck_assert_int_eq(session_accept_auth(&s, base, auth, NULL, err, sizeof err), -1);
	cJSON_Delete(auth);
	/* an email with a line end is not copied into the file */
	auth = cJSON_Parse("{\"user\":{\"email\":\"a\\nb\"},\"access_token\":\"t\",\"refresh_token\":\"r\","
			   "\"expires_in\":60}");
	ck_assert_int_eq(session_accept_auth(&s, base, auth, "safe@x.y", err, sizeof err), 0);
	ck_assert_str_eq(s.email, "safe@x.y");
	ck_assert(s.expires_at > time(NULL) + 50 && s.expires_at <= time(NULL) + 60);
	cJSON_Delete(auth);
	session_free(&s);
}
END_TEST

START_TEST(not_logged_in)
{
	struct session s;
	session_init(&s, path);
	struct rest *r = rest_new(base);
	struct rest_response resp;
	ck_assert_int_eq(session_request(&s, r, "GET", "/api/v1/me", NULL, NULL, &resp),
			 SESSION_NOT_LOGGED_IN);
	ck_assert_str_eq(resp.error_code, "not_logged_in");
	ck_assert_int_eq(F.me_calls, 0);
	rest_response_free(&resp);
	rest_free(r);
	session_free(&s);
}
END_TEST

START_TEST(refresh_on_401_and_retry)
{
	struct session s, disk;
	login(&s, "stale", "refresh-1", 0);
	struct rest *r = rest_new(base);
	struct rest_response resp;
	ck_assert_int_eq(session_request(&s, r, "GET", "/api/v1/me", NULL, NULL, &resp), 200);
	ck_assert_int_eq(F.refresh_calls, 1);
	ck_assert_int_eq(F.me_calls, 2);
	ck_assert_str_eq(s.access_token, "access-2");
	ck_assert_int_eq(cJSON_GetObjectItem(resp.json, "id")->valueint, 1);
	rest_response_free(&resp);
	load_file(&disk); /* the new pair was saved at once */
	ck_assert_str_eq(disk.access_token, "access-2");
	ck_assert_str_eq(disk.refresh_token, "refresh-2");
	session_free(&disk);
	/* the next request just works */
	ck_assert_int_eq(session_request(&s, r, "GET", "/api/v1/me", NULL, NULL, &resp), 200);
	ck_assert_int_eq(F.refresh_calls, 1);
	rest_response_free(&resp);
	rest_free(r);
	session_free(&s);
}
END_TEST

START_TEST(refresh_before_expiry)
{
	struct session s;
	login(&s, "access-1", "refresh-1", (int64_t)time(NULL) - 10);
	struct rest *r = rest_new(base);
	struct rest_response resp;
	ck_assert_int_eq(session_request(&s, r, "GET", "/api/v1/me", NULL, NULL, &resp), 200);
	ck_assert_int_eq(F.refresh_calls, 1);
	ck_assert_int_eq(F.me_calls, 1); /* no wasted 401 round trip */
	ck_assert(s.expires_at > time(NULL));
	rest_response_free(&resp);
	rest_free(r);
	session_free(&s);
}
END_TEST

START_TEST(refresh_refused)
{
	struct session s;
	login(&s, "stale", "refresh-1", 0);
	F.refuse_refresh = 1;
	struct rest *r = rest_new(base);
	struct rest_response resp;
	ck_assert_int_eq(session_request(&s, r, "GET", "/api/v1/me", NULL, NULL, &resp), 401);
	/* unknown to the server: not "expired" */
	ck_assert_str_eq(resp.error_code, "login_unknown");
	ck_assert_ptr_nonnull(strstr(resp.error, "not logged in"));
	ck_assert_ptr_null(strstr(resp.error, "expired"));
	ck_assert_int_eq(F.refresh_calls, 1); /* once, not in a loop */
	rest_response_free(&resp);
	rest_free(r);
	session_free(&s);
}
END_TEST

START_TEST(refresh_expired)
{
	struct session s;
	login(&s, "stale", "refresh-1", 0);
	F.refuse_refresh = 2; /* the server says the refresh token ran out */
	struct rest *r = rest_new(base);
	struct rest_response resp;
	ck_assert_int_eq(session_request(&s, r, "GET", "/api/v1/me", NULL, NULL, &resp), 401);
	ck_assert_str_eq(resp.error_code, "session_expired");
	ck_assert_ptr_nonnull(strstr(resp.error, "expired; log in again"));
	ck_assert_int_eq(F.refresh_calls, 1);
	rest_response_free(&resp);
	rest_free(r);
	session_free(&s);
}
END_TEST

START_TEST(adopts_pair_saved_by_another_client)
{
	struct session mine, other;
	login(&mine, "stale", "refresh-0", 0);
	/* another voxcart refreshed meanwhile and saved the current pair */
	login(&other, "access-1", "refresh-1", 0);
	session_free(&other);
	struct rest *r = rest_new(base);
	struct rest_response resp;
	ck_assert_int_eq(session_request(&mine, r, "GET", "/api/v1/me", NULL, NULL, &resp), 200);
	ck_assert_int_eq(F.refresh_calls, 0); /* our stale refresh token was not spent */
	ck_assert_str_eq(mine.access_token, "access-1");
	rest_response_free(&resp);
	rest_free(r);
	session_free(&mine);
}
END_TEST

START_TEST(unreachable_server)
{
	struct rest *r = rest_new("http://127.0.0.1:1/");
	ck_assert_str_eq(rest_base_url(r), "http://127.0.0.1:1");
	struct rest_response resp;
	ck_assert_int_eq(rest_request(r, "GET", "/health", NULL, NULL, NULL, &resp), 0);
	ck_assert_msg(strstr(resp.error, "cannot reach voxcartd at http://127.0.0.1:1") != NULL,
		      "%s", resp.error);
	ck_assert_msg(strstr(resp.error, "Connection refused") != NULL, "%s", resp.error);
	rest_response_free(&resp);
	rest_free(r);
	ck_assert_ptr_null(rest_new("ftp://x"));
	ck_assert_ptr_null(rest_new("127.0.0.1:8080"));
	ck_assert_ptr_null(rest_new("http://"));
	ck_assert_ptr_null(rest_new("http://a b"));
	ck_assert_ptr_null(rest_new(NULL));
}
END_TEST

START_TEST(errors_and_retry_after)
{
	struct rest *r = rest_new(base);
	struct rest_response resp;
	ck_assert_int_eq(rest_request(r, "GET", "/nope", NULL, NULL, NULL, &resp), 404);
	ck_assert_str_eq(resp.error, "no such thing");
	ck_assert_str_eq(resp.error_code, "not_found");
	ck_assert_str_eq(resp.error_field, "id");
	ck_assert_int_eq(resp.retry_after, -1);
	rest_response_free(&resp);
	F.rate_limited = 1;
	ck_assert_int_eq(rest_request(r, "GET", "/api/v1/me", NULL, "x", NULL, &resp), 429);
	ck_assert_int_eq(resp.retry_after, 7);
	rest_response_free(&resp);
	ck_assert_int_eq(rest_request(r, "GET", "/notjson", NULL, NULL, NULL, &resp), 200);
	ck_assert_ptr_null(resp.json);
	ck_assert_str_eq(resp.body, "<html>hello</html>");
	rest_response_free(&resp);
	rest_free(r);
}
END_TEST

/* Answers a hostile server may send (found by fuzz_rest): a first header line that
 * continues nothing, after an ordinary request on the same struct rest (libcurl 7.88
 * then read the previous transfer's freed header: ASan heap-use-after-free), a
 * Retry-After date centuries away (wrapped to a negative wait), and an answer curl
 * takes without a status code (status 0 came back without a reason). */
START_TEST(hostile_answers)
{
	struct rest *r = rest_new(base);
	struct rest_response resp;
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(rest_request(r, "GET", "/nope", NULL, NULL, NULL, &resp), 404);
		rest_response_free(&resp);
		int st = rest_request(r, "GET", "/folded", NULL, NULL, NULL, &resp);
		ck_assert_msg(st == 0 || st == 503, "status %d", st);
		ck_assert_msg(*resp.error, "a failure needs a reason");
		rest_response_free(&resp);
	}
	/* a Retry-After date centuries away: a long wait, not a negative one */
	ck_assert_int_eq(rest_request(r, "GET", "/farretry", NULL, NULL, NULL, &resp), 503);
	ck_assert_int_eq(resp.retry_after, INT_MAX);
	rest_response_free(&resp);
	int st = rest_request(r, "GET", "/nostatus", NULL, NULL, NULL, &resp);
	ck_assert_int_eq(st, 0);
	ck_assert_msg(*resp.error, "status 0 without a reason");
	rest_response_free(&resp);
	rest_free(r);
}
END_TEST

START_TEST(escaping)
{
	char *e = rest_escape("green tea & milk/100%");
	ck_assert_str_eq(e, "green%20tea%20%26%20milk%2F100%25");
	free(e);
	e = rest_escape("caf\xC3\xA9");
	ck_assert_str_eq(e, "caf%C3%A9");
	free(e);
	char *url = strdup("/api/v1/products");
	ck_assert_int_eq(rest_query_add(&url, "q", "a b"), 0);
	ck_assert_int_eq(rest_query_add(&url, "limit", "5"), 0);
	ck_assert_str_eq(url, "/api/v1/products?q=a%20b&limit=5");
	free(url);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("session");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, config_path);
	tcase_add_test(tc, save_load_modes);
	tcase_add_test(tc, damaged_files);
	tcase_add_test(tc, values_kept_as_saved);
	tcase_add_test(tc, hostile_tokens_refused);
	tcase_add_test(tc, not_logged_in);
	tcase_add_test(tc, refresh_on_401_and_retry);
	tcase_add_test(tc, refresh_before_expiry);
	tcase_add_test(tc, refresh_refused);
	tcase_add_test(tc, refresh_expired);
	tcase_add_test(tc, adopts_pair_saved_by_another_client);
	tcase_add_test(tc, unreachable_server);
	tcase_add_test(tc, errors_and_retry_after);
	tcase_add_test(tc, hostile_answers);
	tcase_add_test(tc, escaping);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
