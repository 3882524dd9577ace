/*
 * rest.h - a small REST client for voxcartd's /api/v1 (libcurl + cJSON).
 *
 * One struct rest per server and per thread: it keeps libcurl's connection cache (each
 * request has a handle of its own), so a run of requests (an import of 150 listings)
 * reuses one keep-alive connection.  Bodies go out
 * as JSON; answers are parsed into cJSON.  Nothing here prints: failures come back as
 * text in the response, ready to be shown.
 *
 * Typical use:
 *     struct rest_response resp;
 *     int status = rest_request(r, "GET", "/api/v1/me", NULL, token, NULL, &resp);
 *     if (status == 200) use(resp.json); else show(resp.error);
 *     rest_response_free(&resp);
 */
#ifndef VOXCART_REST_H
#define VOXCART_REST_H

#include <stddef.h>

#include <cJSON.h>

struct rest;

struct rest_response {
	int status;        /* HTTP status; 0 when no answer came (see error) */
	cJSON *json;       /* the parsed body; NULL when empty (204) or not JSON */
	char *body;        /* the raw body, NUL-terminated ("" when empty); owned */
	size_t body_len;
	int retry_after;   /* seconds from a Retry-After header; -1 when absent */
	int timed_out;     /* status 0 because the server did not answer in time */
	/* For status 0: why ("cannot reach voxcartd at http://127.0.0.1:8080: Connection
	 * refused").  For other non-2xx answers: the server's error.message, or
	 * "HTTP 502" when the body has none.  Empty for 2xx. */
	char error[512];
	char error_code[64];  /* error.code of a non-2xx answer ("" when none) */
	char error_field[64]; /* error.field of a non-2xx answer ("" when none) */
};

/* Checks that url is an http:// or https:// base URL; fills err when not. */
int rest_check_url(const char *url, char *err, size_t errlen);

/* A client for the server at base_url ("http://127.0.0.1:8080"; trailing slashes are
 * dropped).  NULL when the URL is not http(s) or out of memory. */
struct rest *rest_new(const char *base_url);
void rest_free(struct rest *r);

/* The normalised base URL (no trailing slash). */
const char *rest_base_url(const struct rest *r);

/* Connection and whole-request timeouts in milliseconds (defaults 5000 and 30000). */
void rest_set_timeouts(struct rest *r, long connect_ms, long total_ms);

/* Sends METHOD base_url+path (path starts with "/" and may hold a query string that
 * the caller escaped with rest_escape).  body, bearer and idempotency_key may be NULL;
 * POST, PUT and PATCH without a body send "{}".  Fills *resp (always: free it with
 * rest_response_free) and returns resp->status. */
int rest_request(struct rest *r, const char *method, const char *path, const cJSON *body,
		 const char *bearer, const char *idempotency_key, struct rest_response *resp);

void rest_response_free(struct rest_response *resp);

/* An Idempotency-Key's size with its NUL: 32 hex digits. */
#define REST_IDEMPOTENCY_KEY_SIZE 33

/* Writes a fresh random Idempotency-Key (32 hex digits from 16 random bytes) into key,
 * which holds at least REST_IDEMPOTENCY_KEY_SIZE bytes.  A request sent again with the
 * same key is done once by the server. */
void rest_new_idempotency_key(char *key);

/* Percent-encodes s for a URL query value or path segment.  Returns a malloc'd string
 * (the caller frees it) or NULL when out of memory. */
char *rest_escape(const char *s);

/* Appends "&key=escaped(value)" (or "?key=..." when the query is still empty) to the
 * malloc'd string *url, which may be NULL at first.  0 ok, -1 out of memory. */
int rest_query_add(char **url, const char *key, const char *value);

#endif
