/*
 * routes.c - the route table and dispatcher (see routes.h).
 */
#include "routes.h"
#include "auth.h"
#include "handlers.h"
#include "msgcheck.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

enum who { PUBLIC, OPTIONAL_USER, USER, SELLER };
enum body { NO_BODY, JSON_BODY, OPTIONAL_BODY };

struct route {
	enum api_method method;
	const char *pattern;
	enum who who;
	enum body body;
	void (*handler)(struct api_req *, struct api_resp *);
};

static const struct route routes[] = {
	{ M_GET, "/health", PUBLIC, NO_BODY, h_health },
	{ M_POST, "/api/v1/auth/register", PUBLIC, JSON_BODY, h_register },
	{ M_POST, "/api/v1/auth/login", PUBLIC, JSON_BODY, h_login },
	{ M_POST, "/api/v1/auth/refresh", PUBLIC, JSON_BODY, h_refresh },
	{ M_POST, "/api/v1/auth/logout", USER, OPTIONAL_BODY, h_logout },
	{ M_GET, "/api/v1/me", USER, NO_BODY, h_me_get },
	{ M_PATCH, "/api/v1/me", USER, JSON_BODY, h_me_patch },
	{ M_GET, "/api/v1/products", PUBLIC, NO_BODY, h_products_list_fast },
	{ M_POST, "/api/v1/products", SELLER, JSON_BODY, h_product_create },
	{ M_GET, "/api/v1/products/{id}", OPTIONAL_USER, NO_BODY, h_product_get_warm },
	{ M_PATCH, "/api/v1/products/{id}", SELLER, JSON_BODY, h_product_patch },
	{ M_DELETE, "/api/v1/products/{id}", SELLER, NO_BODY, h_product_delete },
	{ M_GET, "/api/v1/categories", PUBLIC, NO_BODY, h_categories },
	{ M_GET, "/api/v1/seller/products", SELLER, NO_BODY, h_seller_products },
	{ M_GET, "/api/v1/seller/orders", SELLER, NO_BODY, h_seller_orders },
	{ M_POST, "/api/v1/seller/orders/{id}/ship", SELLER, OPTIONAL_BODY, h_seller_ship },
	{ M_GET, "/api/v1/seller/stats", SELLER, NO_BODY, h_seller_stats },
	{ M_GET, "/api/v1/cart", USER, NO_BODY, h_cart_get },
	{ M_DELETE, "/api/v1/cart", USER, NO_BODY, h_cart_clear },
	{ M_POST, "/api/v1/cart/items", USER, JSON_BODY, h_cart_add },
	{ M_PUT, "/api/v1/cart/items/{id}", USER, JSON_BODY, h_cart_set },
	{ M_DELETE, "/api/v1/cart/items/{id}", USER, NO_BODY, h_cart_remove },
	{ M_POST, "/api/v1/payment-methods", USER, JSON_BODY, h_cards_create },
	{ M_GET, "/api/v1/payment-methods", USER, NO_BODY, h_cards_list },
	{ M_DELETE, "/api/v1/payment-methods/{id}", USER, NO_BODY, h_cards_delete },
	{ M_PATCH, "/api/v1/payment-methods/{id}", USER, JSON_BODY, h_cards_patch },
	{ M_POST, "/api/v1/orders", USER, OPTIONAL_BODY, h_orders_create },
	{ M_GET, "/api/v1/orders", USER, NO_BODY, h_orders_list },
	{ M_GET, "/api/v1/orders/{id}", USER, NO_BODY, h_order_get },
	{ M_POST, "/api/v1/orders/{id}/pay", USER, JSON_BODY, h_order_pay },
	{ M_POST, "/api/v1/orders/{id}/cancel", USER, OPTIONAL_BODY, h_order_cancel },
	{ M_POST, "/api/v1/buddy/messages", USER, JSON_BODY, h_buddy_message },
	{ M_GET, "/api/v1/conversations", USER, NO_BODY, h_conversations_list },
	{ M_GET, "/api/v1/conversations/{id}", USER, NO_BODY, h_conversation_get },
	{ M_DELETE, "/api/v1/conversations/{id}", USER, NO_BODY, h_conversation_delete },
};

enum route_lane routes_lane(enum api_method method, const char *path)
{
	if (method == M_POST && (strcmp(path, "/api/v1/auth/login") == 0 ||
				 strcmp(path, "/api/v1/auth/register") == 0))
		return ROUTE_LANE_HASH;
	if (method == M_PATCH && strcmp(path, "/api/v1/me") == 0)
		return ROUTE_LANE_HASH; /* may change the password */
	if (method == M_POST && strcmp(path, "/api/v1/buddy/messages") == 0)
		return ROUTE_LANE_TURN;
	return ROUTE_LANE_FAST;
}

/* Matches path against pattern; fills params.  Returns 1 on a match, 0 on none, and
 * -1 when the shape matches but a {id} segment is not a positive integer. */
static int match(const char *pattern, const char *path, int64_t *params)
{
	int np = 0, bad = 0;
	while (*pattern && *path) {
		if (*pattern == '{') {
			const char *end = strchr(pattern, '}');
			size_t n = strcspn(path, "/");
			if (!end || n == 0)
				return 0;
			int64_t v = 0;
			int ok = n <= 18;
			for (size_t i = 0; ok && i < n; i++) {
				if (path[i] < '0' || path[i] > '9')
					ok = 0;
				else
					v = v * 10 + (path[i] - '0');
			}
			if (!ok || v <= 0)
				bad = 1;
			if (np < API_MAX_PARAMS)
				params[np++] = v;
			pattern = end + 1;
			path += n;
			continue;
		}
		if (*pattern != *path)
			return 0;
		pattern++;
		path++;
	}
	if (*pattern || (*path && strcmp(path, "/") != 0))
		return 0;
	return bad ? -1 : 1;
}

static int check_who(struct api_req *req, struct api_resp *resp, enum who who)
{
	if (who == PUBLIC)
		return 0;
	if (req->bearer && auth_check_token(req->store, req->bearer, &req->user) == 0)
		req->has_user = 1;
	if (who == OPTIONAL_USER)
		return 0;
	if (!req->has_user) {
		api_error(resp, 401, "unauthorized", NULL,
			  req->bearer ? "The access token is unknown, expired or revoked."
				      : "This needs an access token (Authorization: Bearer).");
		return -1;
	}
	if (who == SELLER && strcmp(req->user.role, "seller") != 0 &&
	    strcmp(req->user.role, "admin") != 0) {
		api_error(resp, 403, "forbidden", NULL, "Only sellers can do this.");
		return -1;
	}
	return 0;
}

static int parse_body(struct api_req *req, struct api_resp *resp, enum body body)
{
	if (body == NO_BODY)
		return 0;
	int empty = !req->body || req->body_len == 0;
	if (empty && body == OPTIONAL_BODY)
		return 0;
	if (empty) {
		api_error(resp, 400, "invalid_json", NULL, "This request needs a JSON object body.");
		return -1;
	}
	if (!utf8_valid(req->body, req->body_len) || memchr(req->body, '\0', req->body_len)) {
		api_error(resp, 400, "invalid_json", NULL, "The body is not valid UTF-8.");
		return -1;
	}
	const char *end = NULL;
	/* The length counts the terminating NUL: cJSON wants to see it when asked to
	 * check that nothing follows the value. */
	req->json = cJSON_ParseWithLengthOpts(req->body, req->body_len + 1, &end, 1);
	if (!req->json) {
		api_error(resp, 400, "invalid_json", NULL, "The body is not valid JSON.");
		return -1;
	}
	if (msgcheck_nul_escape(req->body, req->body_len)) {
		api_error(resp, 400, "invalid_json", NULL, "Strings may not contain NUL characters.");
		return -1;
	}
	if (!cJSON_IsObject(req->json)) {
		api_error(resp, 400, "invalid_json", NULL, "The body must be a JSON object.");
		return -1;
	}
	return 0;
}

void routes_dispatch(struct api_req *req, struct api_resp *resp)
{
	int path_known = 0;
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		const struct route *r = &routes[i];
		int64_t params[API_MAX_PARAMS] = { 0 };
		int m = match(r->pattern, req->path, params);
		if (m == 0)
			continue;
		path_known = 1;
		if (r->method != req->method)
			continue;
		if (m < 0) {
			api_error(resp, 400, "bad_request", "id", "The id in the path must be a positive integer.");
			return;
		}
		memcpy(req->params, params, sizeof params);
		if (check_who(req, resp, r->who) != 0 || parse_body(req, resp, r->body) != 0)
			return;
		r->handler(req, resp);
		if (resp->status == 0)
			api_error(resp, 500, "internal", NULL, "The handler gave no answer.");
		return;
	}
	if (path_known)
		api_error(resp, 405, "method_not_allowed", NULL, "%s does not take this method.",
			  req->path);
	else
		api_error(resp, 404, "not_found", NULL, "There is nothing at %s.", req->path);
}
