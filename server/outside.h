/*
 * outside.h - calling an outside service over HTTP: what the OpenAI-compatible
 * callers (engine_openai.c, voice/remote_asr.c, voice/remote_tts.c) do the same way.
 *
 * Config: the endpoint's URL from a base URL in the config, bounded integers that
 * fall back to their default with a warning.  The API key: read from the environment
 * variable the config names, at each request.  libcurl: started once, a small pool
 * of easy handles per caller (so later requests reuse a connection and its TLS
 * session), the options every request has (user agent, connect and total timeouts,
 * no signals, http and https only, a cancel polled from the progress callback), and
 * for answers that are read whole, the transfer itself.
 *
 * The key's rules: it only ever goes into the Authorization header (the stack copy
 * wiped at once, the header list wiped before it is freed), and every text that may
 * be logged or returned is passed through outside_scrub() first.
 */
#ifndef VOXCART_OUTSIDE_H
#define VOXCART_OUTSIDE_H

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

struct config;

#define OUTSIDE_KEY_MAX 1000 /* bytes of an API key: "Authorization: Bearer " + key fits 1 KiB */
#define OUTSIDE_POOL_MAX 8

/* ---- config ---- */

/* 1 when config key (e.g. "voice.asr") names the outside service: "openai", in any
 * case; else 0. */
int outside_chosen(const struct config *cfg, const char *key);

/* The integer config key within [min, max]: def when it is unset, and def with a
 * warning (logged under log_mod) when it is not a number in range. */
long outside_config_long(const struct config *cfg, const char *log_mod, const char *key, long def,
			 long min, long max);

/* The full URL of an endpoint into url: config key url_key's base URL (trailing '/'
 * dropped) followed by path, unless it already ends with path.  0, or -1 and why
 * (not http:// or https://, too long for urllen). */
int outside_url(const struct config *cfg, const char *url_key, const char *path, char *url,
		size_t urllen, char *why, size_t whylen);

/* ---- the key ---- */

/* *key = the API key in $key_env, or NULL when key_env is "" or the variable is unset
 * or empty (then it warns under log_mod "$NAME is not set: <missing>": once per
 * *warned_once, or every time when warned_once is NULL).  *key points into the
 * environment: nothing is copied.  0, or -1 and why when the key is longer than
 * OUTSIDE_KEY_MAX. */
int outside_key(const char *key_env, const char *log_mod, const char *missing,
		atomic_int *warned_once, const char **key, char *why, size_t whylen);

/* Appends "Authorization: Bearer <key>" to list when key is set (and returns the
 * list, as curl_slist_append() does). */
struct curl_slist *outside_headers_auth(struct curl_slist *list, const char *key);

/* Wipes every header of list (one may hold the key), then frees it. */
void outside_headers_free(struct curl_slist *list);

/* Overwrites every occurrence of key in s with '*' (and the key's first 4 or more
 * characters at the end of s, where a text cut to fit may stop inside it), and control
 * characters with spaces, so s can be logged or shown. */
void outside_scrub(char *s, const char *key);

/* ---- libcurl ---- */

/* curl_global_init(), once per process; call before the first handle. */
void outside_start(void);

/* A caller's idle easy handles.  Define one per caller with OUTSIDE_POOL_INIT. */
struct outside_pool {
	pthread_mutex_t lock;
	CURL *idle[OUTSIDE_POOL_MAX];
	int n;
};
#define OUTSIDE_POOL_INIT { PTHREAD_MUTEX_INITIALIZER, { NULL }, 0 }

/* An idle handle of pool (with no options set), or a new one (NULL when libcurl
 * cannot make one). */
CURL *outside_handle_take(struct outside_pool *pool);

/* Resets c (forgetting its options, which may point into the caller's frame; the
 * connection stays) and keeps it in pool, or cleans it up when pool is full. */
void outside_handle_give(struct outside_pool *pool, CURL *c);

/* One request: set by the caller, read during the transfer. */
struct outside_request {
	const char *url;
	struct curl_slist *headers;  /* with outside_headers_auth() */
	long timeout_ms;             /* connect and total time */
	int (*cancelled)(void *ctx); /* may be NULL; polled during the transfer */
	void *ctx;
	size_t body_max;             /* outside_perform(): the most answer bytes taken */
};

/* What curl points to during a transfer: it must outlive curl_easy_perform(). */
struct outside_transfer {
	const struct outside_request *req;
	int cancelled;                 /* req->cancelled() said yes: stays 1 */
	char errbuf[CURL_ERROR_SIZE];  /* curl's message on failure */
};

/* Sets the options every request has: req's URL, headers and timeouts, the user
 * agent, no signals, http and https only, x's error buffer, and the progress
 * callback that stops the transfer once req->cancelled() says so.  The caller sets
 * the method, the request body and the write callback. */
void outside_setopt(CURL *curl, const struct outside_request *req, struct outside_transfer *x);

/* Why a transfer failed: "request failed: <curl's reason>: <errbuf>", or "request
 * failed: answer too big" when too_big. */
void outside_failure(CURLcode cc, const char *errbuf, int too_big, char *why, size_t whylen);

/* An answer read whole. */
struct outside_answer {
	char *body;  /* NUL-terminated (it may hold NULs too); NULL when none; caller frees */
	size_t len;
};

/* Runs the request (method and request body already set on curl) through
 * outside_setopt(), collecting the answer into a.  Returns 0 on HTTP 200; 1 when
 * cancelled; -1 and why on failure: no connection, timeout, an answer over
 * req->body_max, or an HTTP error ("HTTP 500: " and the service's error.message when
 * it sent one, else the body).  a->body is filled in every case.  curl keeps pointers
 * into this call's frame: give it back with outside_handle_give() (or reset it)
 * before any other use, but CURLINFO may still be read. */
int outside_perform(CURL *curl, const struct outside_request *req, struct outside_answer *a,
		    char *why, size_t whylen);

#endif
