/*
 * session.h - a client's login: the credentials file and authenticated requests.
 *
 * Used by voxcart and voxcart-tui; prints nothing and never prompts.  The file is
 * $XDG_CONFIG_HOME/voxcart/credentials (default ~/.config/voxcart/credentials), in the
 * config.h key = value format:
 *
 *     server = http://127.0.0.1:8080
 *     email = alice@example.com
 *     access_token = ...
 *     refresh_token = ...
 *     expires_at = 1795000000      (Unix time the access token expires)
 *
 * Its directory is created with mode 0700 and the file is written with mode 0600 to a
 * temporary file that is then renamed over the old one, so a crash never leaves half
 * a file.  session_request() refreshes an expired access token before a request, and
 * on a 401 refreshes once and retries; the new pair is saved at once.  Refreshing
 * holds an flock on "credentials.lock", so two clients refreshing together do not
 * spend the same single-use refresh token twice (the second one adopts the first
 * one's new pair from the file).  A struct session is not shared between threads.
 */
#ifndef VOXCART_SESSION_H
#define VOXCART_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "rest.h"

struct session {
	char *path;          /* credentials file; owned */
	char *server;        /* base URL the tokens belong to; NULL when logged out */
	char *email;
	char *access_token;
	char *refresh_token;
	int64_t expires_at;  /* Unix time; 0 when unknown */
};

/* Writes "$XDG_CONFIG_HOME/voxcart/<name>" (or "$HOME/.config/voxcart/<name>"; a
 * relative XDG_CONFIG_HOME is ignored, as the XDG spec says) into buf.  -1 and err
 * filled when neither variable helps or buf is too small. */
int session_config_path(const char *name, char *buf, size_t len, char *err, size_t errlen);

/* Zeroes s and remembers path (copied).  -1 when out of memory. */
int session_init(struct session *s, const char *path);
/* Frees everything, wiping the tokens from memory first. */
void session_free(struct session *s);

/* Reads the file.  1 loaded, 0 no file (s stays logged out), -1 unreadable or
 * malformed (err says why). */
int session_load(struct session *s, char *err, size_t errlen);
/* Writes the file atomically (directory 0700, file 0600).  0 ok, -1 err filled. */
int session_save(const struct session *s, char *err, size_t errlen);
/* Forgets the tokens and removes the file (a missing file is fine).  0 ok, -1 err. */
int session_forget(struct session *s, char *err, size_t errlen);

/* 1 when s holds tokens for server (compared without trailing slashes). */
int session_logged_in(const struct session *s, const char *server);

/* Takes the tokens from a register, login or refresh answer
 * ({"access_token","refresh_token","expires_in","user":{"email"}}) for server and
 * saves the file.  email may be NULL (kept from the answer or from before).
 * 0 ok, -1 err filled (malformed answer or the file could not be written). */
int session_accept_auth(struct session *s, const char *server, const cJSON *auth,
			const char *email, char *err, size_t errlen);

/* Status returned by session_request() when there is no login for the server of r. */
#define SESSION_NOT_LOGGED_IN (-1)

/* An authenticated rest_request() to r's server (see the top of this file).  Returns
 * the final HTTP status, 0 when the server could not be reached, or
 * SESSION_NOT_LOGGED_IN (resp->error says so).  A 401 after a failed refresh means the
 * login is over: resp->error_code is "session_expired" when it ran out, "login_unknown"
 * when the server does not know it (logged out, spent, or another database).  *resp is
 * always filled; free it with rest_response_free(). */
int session_request(struct session *s, struct rest *r, const char *method, const char *path,
		    const cJSON *body, const char *idempotency_key, struct rest_response *resp);

#endif
