/*
 * fuzz_session.c - libFuzzer harness: the saved login that voxcart and voxcart-tui
 * read at start (shared/client/session.c, session_load: the credentials file in the
 * config.h format).  The file may have been edited by hand, damaged, or written by a
 * hostile program.  What loads must be usable as it is (tokens safe in a header, the
 * server comparable) and must survive a save: saved and loaded again it gives the same
 * login.
 *
 * The files live in a private directory under /dev/shm (or /tmp), made for each input
 * and removed after it (libFuzzer may leave without running atexit handlers).
 */
#include "session.h"

#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64], file[96], copy[96];

static void cleanup(void)
{
	unlink(file);
	unlink(copy);
	rmdir(dir);
}

static void setup(void)
{
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(dir, sizeof dir, "%s/voxcart-fuzz-session.XXXXXX", base);
	if (!mkdtemp(dir))
		abort();
	snprintf(file, sizeof file, "%s/credentials", dir);
	snprintf(copy, sizeof copy, "%s/copy", dir);
}

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* What a header or the file may hold: printable ASCII without blanks or quotes. */
static void check_token(const char *t)
{
	if (!t || !*t)
		abort();
	for (; *t; t++)
		if (*t <= ' ' || *t > '~' || *t == '"' || *t == '\'')
			abort();
}

static void check_line(const char *t)
{
	for (; t && *t; t++)
		if ((unsigned char)*t < ' ' || *t == 0x7f)
			abort();
}

static int one(const uint8_t *data, size_t size)
{
	FILE *f = fopen(file, "w");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	if (fclose(f) != 0)
		abort();

	struct session s, again;
	char err[512] = "";
	if (session_init(&s, file) != 0)
		return 0;
	int rc = session_load(&s, err, sizeof err);
	if (rc != 1) {
		if (rc != -1 || !*err || memchr(err, '\0', sizeof err) == NULL || s.server ||
		    s.access_token || s.refresh_token || s.email)
			abort(); /* a refused file says why and leaves no half login */
		session_free(&s);
		return 0;
	}
	check_token(s.access_token);
	check_token(s.refresh_token);
	check_line(s.server);
	check_line(s.email);
	if (!session_logged_in(&s, s.server) || s.expires_at < 0)
		abort();

	/* Saved (as a refresh would) and loaded again: the same login. */
	free(s.path);
	s.path = strdup(copy);
	if (!s.path || session_save(&s, err, sizeof err) != 0) {
		fprintf(stderr, "a loaded login cannot be saved: %s\n", err);
		abort();
	}
	if (session_init(&again, copy) != 0) {
		session_free(&s);
		return 0;
	}
	if (session_load(&again, err, sizeof err) != 1) {
		fprintf(stderr, "a saved login does not load: %s\n", err);
		abort();
	}
	if (!same(s.server, again.server) || !same(s.email, again.email) ||
	    !same(s.access_token, again.access_token) ||
	    !same(s.refresh_token, again.refresh_token) || s.expires_at != again.expires_at) {
		fprintf(stderr, "saved and loaded again, the login changed: server \"%s\" -> \"%s\", "
			"email \"%s\" -> \"%s\"\n", s.server, again.server,
			s.email ? s.email : "(none)", again.email ? again.email : "(none)");
		abort();
	}
	session_free(&again);
	session_free(&s);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	int rc = one(data, size);
	cleanup();
	return rc;
}
