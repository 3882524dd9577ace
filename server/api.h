/*
 * api.h - what a REST handler sees: the request, the response it fills, and the
 * helpers for PROTOCOL.md's conventions (error bodies, ids, pagination, validation).
 *
 * Handlers run on worker threads.  They read `struct api_req` (owned by the HTTP
 * layer), use the thread's own database connection (req->store, store/store.h), and fill
 * `struct api_resp` through api_json()/api_error()/api_empty().  The response body is
 * a malloc'd string the HTTP layer frees after sending.
 */
#ifndef VOXCART_API_H
#define VOXCART_API_H

#include <cJSON.h>
#include <stddef.h>
#include <stdint.h>

struct server;
struct store;

enum api_method { M_GET, M_POST, M_PUT, M_PATCH, M_DELETE, M_OTHER };

struct api_user {
	int64_t id;
	char email[256];
	char name[256];
	char role[16];
	int64_t token_id; /* the row of the access token used */
	int64_t login_id; /* the login it belongs to (kept through refreshes) */
};

#define API_MAX_QUERY 32
#define API_MAX_PARAMS 4

struct api_req {
	struct server *srv;
	struct store *store; /* the thread's connection (store/store.h) */
	enum api_method method;
	char path[512];
	/* Decoded query parameters, name=value, in the order given. */
	char *query_names[API_MAX_QUERY];
	char *query_values[API_MAX_QUERY];
	int query_count;
	char *body;      /* NUL-terminated; NULL without a body */
	size_t body_len;
	char *bearer;    /* token from "Authorization: Bearer", or NULL */
	char *idempotency_key; /* or NULL */
	char client_ip[64];
	/* Filled by the router. */
	int64_t params[API_MAX_PARAMS]; /* numeric path parameters ({id}) in order */
	struct api_user user;           /* valid when has_user */
	int has_user;
	cJSON *json;                    /* parsed body when the route takes one */
};

struct api_resp {
	int status;
	char *body;        /* malloc'd; NULL for an empty body */
	size_t body_len;
	int retry_after;   /* seconds; >0 adds Retry-After */
};

/* Takes ownership of obj (deletes it) and serialises it as the body. */
void api_json(struct api_resp *resp, int status, cJSON *obj);
/* Error body {"error":{"code","message","field"?}}; field may be NULL. */
void api_error(struct api_resp *resp, int status, const char *code, const char *field,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void api_empty(struct api_resp *resp, int status);
/* 500 internal, logging where and the connection's last error (store_errmsg). */
void api_store_failed(struct api_resp *resp, struct store *s, const char *where);

/* Query parameters: NULL when absent. */
const char *api_query(const struct api_req *req, const char *name);
/* Integer query parameter in [min,max]; def when absent; -1 after a 400 was set. */
int api_query_int(const struct api_req *req, struct api_resp *resp, const char *name,
		  int64_t def, int64_t min, int64_t max, int64_t *out);
/* limit (1..100, default 20) and offset (>= 0, default 0); -1 after a 400 was set. */
int api_page(const struct api_req *req, struct api_resp *resp, int64_t *limit, int64_t *offset);
/* A page object {"items":items,"total","limit","offset"}; takes items. */
cJSON *api_page_json(cJSON *items, int64_t total, int64_t limit, int64_t offset);

/* Body field validation; each sets a 422 validation_failed naming the field and
 * returns -1 on a wrong type or value.  `required` 0 allows absence (then *present=0). */
int api_field_string(const cJSON *obj, struct api_resp *resp, const char *name, int required,
		     size_t minlen, size_t maxlen, const char **out);
int api_field_int(const cJSON *obj, struct api_resp *resp, const char *name, int required,
		  int64_t min, int64_t max, int64_t *out, int *present);

/* RFC 3339 time string into a JSON object. */
void api_add_time(cJSON *obj, const char *name, int64_t t);

/* JSON parse of a stored JSON text column (NULL-safe); returns a cJSON null on error. */
cJSON *api_parse_stored(const char *text);

#endif
