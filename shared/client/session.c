/*
 * session.c - the credentials file and token refresh (contract in session.h).
 *
 * Invariants: what is on disk is always a whole file (temp file + rename); tokens are
 * checked to be plain printable text before they are written, so a hostile answer
 * cannot add lines to the file or headers to a request; a refresh token is spent at
 * most once per login, under the lock, because the server retires it on use.
 */
#include "session.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"

/* Refresh this many seconds before the server would refuse the token. */
#define EXPIRY_MARGIN 30

int session_config_path(const char *name, char *buf, size_t len, char *err, size_t errlen)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	int n;
	if (xdg && xdg[0] == '/') {
		n = snprintf(buf, len, "%s/voxcart/%s", xdg, name);
	} else {
		const char *home = getenv("HOME");
		if (!home || home[0] != '/') {
			struct passwd *pw = getpwuid(getuid());
			home = pw ? pw->pw_dir : NULL;
		}
		if (!home || home[0] != '/') {
			snprintf(err, errlen, "cannot find the config directory: set HOME or XDG_CONFIG_HOME");
			return -1;
		}
		n = snprintf(buf, len, "%s/.config/voxcart/%s", home, name);
	}
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "config directory path too long");
		return -1;
	}
	return 0;
}

int session_init(struct session *s, const char *path)
{
	memset(s, 0, sizeof *s);
	s->path = strdup(path);
	return s->path ? 0 : -1;
}

static void wipe(char **p)
{
	if (*p) {
		explicit_bzero(*p, strlen(*p));
		free(*p);
		*p = NULL;
	}
}

static void clear_login(struct session *s)
{
	wipe(&s->server);
	wipe(&s->email);
	wipe(&s->access_token);
	wipe(&s->refresh_token);
	s->expires_at = 0;
}

void session_free(struct session *s)
{
	clear_login(s);
	free(s->path);
	s->path = NULL;
}

/* Printable ASCII, no blanks or quotes: safe in the file and in a header. */
static int token_ok(const char *t)
{
	if (!t || !*t || strlen(t) > 4096)
		return 0;
	for (; *t; t++)
		if (*t <= ' ' || *t > '~' || *t == '"' || *t == '\'')
			return 0;
	return 1;
}

/* One line of text: no control characters. */
static int text_ok(const char *t)
{
	if (!t || strlen(t) > 1024)
		return 0;
	for (; *t; t++)
		if ((unsigned char)*t < ' ' || *t == 0x7f)
			return 0;
	return 1;
}

static int same_server(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	while (la > 0 && a[la - 1] == '/')
		la--;
	while (lb > 0 && b[lb - 1] == '/')
		lb--;
	return la == lb && strncmp(a, b, la) == 0;
}

int session_logged_in(const struct session *s, const char *server)
{
	return s->server && s->access_token && s->refresh_token && server &&
	       same_server(s->server, server);
}

int session_load(struct session *s, char *err, size_t errlen)
{
	clear_login(s);
	struct config cfg = { 0 };
	char cerr[512];
	if (access(s->path, F_OK) != 0 && errno == ENOENT)
		return 0;
	if (config_load(&cfg, s->path, cerr, sizeof cerr) != 0) {
		snprintf(err, errlen, "%s", cerr);
		return -1;
	}
	struct stat st;
	if (stat(s->path, &st) == 0 && (st.st_mode & 077))
		chmod(s->path, 0600); /* someone loosened it; tokens are secrets */
	const char *server = config_get(&cfg, "server");
	const char *email = config_get(&cfg, "email");
	const char *access = config_get(&cfg, "access_token");
	const char *refresh = config_get(&cfg, "refresh_token");
	long expires = 0;
	int rc = 1;
	if (config_get_int(&cfg, "expires_at", 0, 0, 0x7fffffffL, &expires, cerr, sizeof cerr) != 0) {
		snprintf(err, errlen, "%s: %s", s->path, cerr);
		rc = -1;
	} else if (!server || !access || !refresh || !token_ok(access) || !token_ok(refresh) ||
		   !text_ok(server) || (email && !text_ok(email))) {
		snprintf(err, errlen, "%s: incomplete or damaged credentials; log in again", s->path);
		rc = -1;
	} else {
		s->server = strdup(server);
		s->email = email ? strdup(email) : NULL;
		s->access_token = strdup(access);
		s->refresh_token = strdup(refresh);
		s->expires_at = expires;
		if (!s->server || !s->access_token || !s->refresh_token || (email && !s->email)) {
			clear_login(s);
			snprintf(err, errlen, "out of memory");
			rc = -1;
		}
	}
	for (size_t i = 0; i < cfg.count; i++)
		explicit_bzero(cfg.entries[i].value, strlen(cfg.entries[i].value));
	config_free(&cfg);
	return rc;
}

/* mkdir -p for the directory part of path; new directories get mode 0700. */
static int make_parent_dirs(const char *path, char *err, size_t errlen)
{
	char *dir = strdup(path);
	if (!dir) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir)
		*slash = '\0';
	for (char *p = dir + 1; ; p++) {
		int last = *p == '\0';
		if (*p == '/' || last) {
			char saved = *p;
			*p = '\0';
			if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
				snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
				free(dir);
				return -1;
			}
			*p = saved;
		}
		if (last)
			break;
	}
	free(dir);
	return 0;
}

/* Writes "key = value\n" so that config_parse reads value back as it is: it trims the
 * value and removes one pair of enclosing quotes, so a value that starts or ends with a
 * blank or a quote is written inside double quotes (tokens never are: token_ok). */
static void put_value(FILE *f, const char *key, const char *v)
{
	size_t n = strlen(v);
	int quote = n > 0 && (v[0] == ' ' || v[0] == '"' || v[0] == '\'' || v[n - 1] == ' ' ||
			      v[n - 1] == '"' || v[n - 1] == '\'');
	fprintf(f, quote ? "%s = \"%s\"\n" : "%s = %s\n", key, v);
}

int session_save(const struct session *s, char *err, size_t errlen)
{
	if (!s->server || !token_ok(s->access_token) || !token_ok(s->refresh_token) ||
	    !text_ok(s->server) || (s->email && !text_ok(s->email))) {
		snprintf(err, errlen, "refusing to save incomplete or unsafe credentials");
		return -1;
	}
	if (make_parent_dirs(s->path, err, errlen) != 0)
		return -1;
	size_t tlen = strlen(s->path) + 8;
	char *tmp = malloc(tlen);
	if (!tmp) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(tmp, tlen, "%s.XXXXXX", s->path);
	int fd = mkstemp(tmp); /* mode 0600 */
	if (fd < 0) {
		snprintf(err, errlen, "cannot write %s: %s", s->path, strerror(errno));
		free(tmp);
		return -1;
	}
	FILE *f = fdopen(fd, "w");
	int ok = f != NULL && fchmod(fd, 0600) == 0;
	if (ok) {
		fprintf(f, "# voxcart login - written by voxcart; keep it private\n");
		put_value(f, "server", s->server);
		if (s->email)
			put_value(f, "email", s->email);
		fprintf(f, "access_token = %s\n", s->access_token);
		fprintf(f, "refresh_token = %s\n", s->refresh_token);
		fprintf(f, "expires_at = %lld\n", (long long)s->expires_at);
		ok = fflush(f) == 0 && fsync(fd) == 0;
	}
	int saved_errno = errno;
	if (f ? fclose(f) != 0 : close(fd) != 0)
		ok = 0;
	if (ok && rename(tmp, s->path) != 0) {
		saved_errno = errno;
		ok = 0;
	}
	if (!ok) {
		snprintf(err, errlen, "cannot write %s: %s", s->path, strerror(saved_errno));
		unlink(tmp);
	}
	free(tmp);
	return ok ? 0 : -1;
}

int session_forget(struct session *s, char *err, size_t errlen)
{
	clear_login(s);
	if (unlink(s->path) != 0 && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove %s: %s", s->path, strerror(errno));
		return -1;
	}
	return 0;
}

static int replace(char **dst, const char *src)
{
	char *copy = strdup(src);
	if (!copy)
		return -1;
	wipe(dst);
	*dst = copy;
	return 0;
}

int session_accept_auth(struct session *s, const char *server, const cJSON *auth,
			const char *email, char *err, size_t errlen)
{
	const cJSON *access = cJSON_GetObjectItemCaseSensitive(auth, "access_token");
	const cJSON *refresh = cJSON_GetObjectItemCaseSensitive(auth, "refresh_token");
	const cJSON *expires = cJSON_GetObjectItemCaseSensitive(auth, "expires_in");
	const cJSON *user = cJSON_GetObjectItemCaseSensitive(auth, "user");
	const cJSON *uemail = cJSON_GetObjectItemCaseSensitive(user, "email");
	if (!cJSON_IsString(access) || !cJSON_IsString(refresh) ||
	    !token_ok(access->valuestring) || !token_ok(refresh->valuestring)) {
		snprintf(err, errlen, "the server's login answer has no usable tokens");
		return -1;
	}
	if (cJSON_IsString(uemail) && text_ok(uemail->valuestring))
		email = uemail->valuestring;
	if (replace(&s->server, server) != 0 || replace(&s->access_token, access->valuestring) ||
	    replace(&s->refresh_token, refresh->valuestring) ||
	    (email && email != s->email && replace(&s->email, email) != 0)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	size_t n = strlen(s->server);
	while (n > 0 && s->server[n - 1] == '/')
		s->server[--n] = '\0';
	s->expires_at = 0;
	if (cJSON_IsNumber(expires) && expires->valuedouble > 0 && expires->valuedouble < 1e9)
		s->expires_at = (int64_t)time(NULL) + (int64_t)expires->valuedouble;
	return session_save(s, err, errlen);
}

static int lock_file(const struct session *s)
{
	size_t n = strlen(s->path) + 6;
	char *lp = malloc(n);
	if (!lp)
		return -1;
	snprintf(lp, n, "%s.lock", s->path);
	int fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(lp);
	if (fd >= 0 && flock(fd, LOCK_EX) != 0) {
		close(fd);
		fd = -1;
	}
	return fd; /* -1: go on without the lock rather than fail the request */
}

static void unlock_file(int fd)
{
	if (fd >= 0) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}

/* Another client may have refreshed while we waited for the lock: if the file holds a
 * different pair for our server, take it instead of spending our stale refresh token. */
static int adopt_newer_pair(struct session *s)
{
	struct session disk;
	char err[256];
	if (session_init(&disk, s->path) != 0)
		return 0;
	int adopted = 0;
	if (session_load(&disk, err, sizeof err) == 1 && session_logged_in(&disk, s->server) &&
	    strcmp(disk.refresh_token, s->refresh_token) != 0) {
		clear_login(s);
		s->server = disk.server;
		s->email = disk.email;
		s->access_token = disk.access_token;
		s->refresh_token = disk.refresh_token;
		s->expires_at = disk.expires_at;
		disk.server = disk.email = disk.access_token = disk.refresh_token = NULL;
		adopted = 1;
	}
	session_free(&disk);
	return adopted;
}

/* Gets a new token pair.  1 done (*resp untouched), 0 failed (*resp holds why; the
 * caller frees it). */
static int refresh(struct session *s, struct rest *r, struct rest_response *resp)
{
	int lock = lock_file(s);
	if (adopt_newer_pair(s)) {
		unlock_file(lock);
		return 1;
	}
	cJSON *body = cJSON_CreateObject();
	if (!body || !cJSON_AddStringToObject(body, "refresh_token", s->refresh_token)) {
		cJSON_Delete(body);
		unlock_file(lock);
		memset(resp, 0, sizeof *resp);
		resp->retry_after = -1;
		snprintf(resp->error, sizeof resp->error, "out of memory");
		return 0;
	}
	int status = rest_request(r, "POST", "/api/v1/auth/refresh", body, NULL, NULL, resp);
	/* The body held the refresh token: wipe the copy cJSON made. */
	cJSON *tok = cJSON_GetObjectItemCaseSensitive(body, "refresh_token");
	if (cJSON_IsString(tok))
		explicit_bzero(tok->valuestring, strlen(tok->valuestring));
	cJSON_Delete(body);
	int ok = 0;
	if (status == 200) {
		char err[256];
		char *server = strdup(s->server);
		const cJSON *nt = cJSON_GetObjectItemCaseSensitive(resp->json, "access_token");
		if (server && session_accept_auth(s, server, resp->json, NULL, err, sizeof err) == 0) {
			ok = 1;
			rest_response_free(resp);
		} else if (cJSON_IsString(nt) && s->access_token &&
			   strcmp(nt->valuestring, s->access_token) == 0) {
			/* Only the file could not be written: this run still has the new
			 * pair, so carry on (the next run will have to log in again). */
			ok = 1;
			rest_response_free(resp);
		} else {
			snprintf(resp->error, sizeof resp->error, "%s", server ? err : "out of memory");
			resp->status = 0;
		}
		free(server);
	} else if (status == 401 && strcmp(resp->error_code, "session_expired") == 0) {
		/* The server says the login ran out (refresh_ttl). */
		snprintf(resp->error, sizeof resp->error, "your session at %s expired; log in again",
			 rest_base_url(r));
	} else if (status == 401) {
		/* Unknown to the server (another database), logged out, or already spent. */
		snprintf(resp->error_code, sizeof resp->error_code, "login_unknown");
		snprintf(resp->error, sizeof resp->error, "you are not logged in: %s does not know "
			 "your saved login (it was logged out, or the server's database changed); "
			 "log in again", rest_base_url(r));
	}
	unlock_file(lock);
	return ok;
}

int session_request(struct session *s, struct rest *r, const char *method, const char *path,
		    const cJSON *body, const char *idempotency_key, struct rest_response *resp)
{
	const char *server = rest_base_url(r);
	if (!session_logged_in(s, server)) {
		memset(resp, 0, sizeof *resp);
		resp->retry_after = -1;
		resp->status = SESSION_NOT_LOGGED_IN;
		resp->body = strdup("");
		snprintf(resp->error_code, sizeof resp->error_code, "not_logged_in");
		snprintf(resp->error, sizeof resp->error, "not logged in to %s", server);
		return SESSION_NOT_LOGGED_IN;
	}
	if (s->expires_at != 0 && (int64_t)time(NULL) >= s->expires_at - EXPIRY_MARGIN) {
		if (!refresh(s, r, resp)) {
			/* The server may still take the old token (clocks differ); anything but
			 * a clear "no" from the refresh goes on to the request itself. */
			if (resp->status == 401 || resp->status == 0)
				return resp->status;
			rest_response_free(resp);
		}
	}
	int status = rest_request(r, method, path, body, s->access_token, idempotency_key, resp);
	if (status != 401)
		return status;
	struct rest_response fail;
	if (!refresh(s, r, &fail)) {
		if (fail.status == 401 || fail.status == 0) {
			rest_response_free(resp);
			*resp = fail;
			return resp->status;
		}
		rest_response_free(&fail);
		return status; /* keep the original 401 answer */
	}
	rest_response_free(resp);
	return rest_request(r, method, path, body, s->access_token, idempotency_key, resp);
}
