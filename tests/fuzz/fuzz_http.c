/*
 * fuzz_http.c - libFuzzer harness: REST request handling behind the HTTP layer.
 *
 * Each input is one request, as libwebsockets hands it over once the framing is
 * checked (see http.c):
 *
 *     METHOD /path?name=value&name=value
 *     T: 0|1|2            (optional: no token, a shopper's token, a seller's token)
 *     K: idempotency key  (optional)
 *                         (an empty line)
 *     body...
 *
 * It goes through routes_dispatch(): route matching, token and role checks, the
 * body's UTF-8 and JSON checks and every endpoint's field validators and handler,
 * against a real (temporary) database holding one shopper, one seller, a product, a
 * saved address, a card, an order and a cart line, so that deep paths (cart, checkout,
 * orders) are reached.
 * The database is made once per process; after each input that changed it, it is put
 * back as the setup left it (dbreset.h), so that no input sees the cart, orders or
 * logouts of an earlier one.
 */
#include "dbreset.h"
#include "tmpdir.h"

#include "api.h"
#include "log.h"
#include "product_cache.h"
#include "routes.h"
#include "server.h"
#include "settings.h"
#include "store/store.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct server srv;
static char dir[64];
static char *tokens[3];

static void req_free(struct api_req *req, struct api_resp *resp)
{
	free(req->body);
	free(req->bearer);
	free(req->idempotency_key);
	for (int i = 0; i < req->query_count; i++) {
		free(req->query_names[i]);
		free(req->query_values[i]);
	}
	cJSON_Delete(req->json);
	free(resp->body);
	memset(req, 0, sizeof *req);
	memset(resp, 0, sizeof *resp);
}

/* One request made by hand; returns the response body (malloc'd) on 2xx. */
static char *call(enum api_method m, const char *path, const char *token, const char *body)
{
	struct api_req req = { 0 };
	struct api_resp resp = { 0 };
	req.srv = &srv;
	req.store = store_thread();
	req.method = m;
	snprintf(req.path, sizeof req.path, "%s", path);
	snprintf(req.client_ip, sizeof req.client_ip, "127.0.0.1");
	req.bearer = token ? strdup(token) : NULL;
	if (body) {
		req.body = strdup(body);
		req.body_len = strlen(body);
	}
	routes_dispatch(&req, &resp);
	char *out = resp.status >= 200 && resp.status < 300 && resp.body ? strdup(resp.body) : NULL;
	if (!out) {
		fprintf(stderr, "fuzz_http setup: %s %s -> %d %s\n", m == M_POST ? "POST" : "PATCH",
			path, resp.status, resp.body ? resp.body : "");
		abort();
	}
	req_free(&req, &resp);
	return out;
}

static char *token_of(const char *json)
{
	cJSON *j = cJSON_Parse(json);
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "access_token");
	char *out = cJSON_IsString(t) ? strdup(t->valuestring) : NULL;
	cJSON_Delete(j);
	return out;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	log_set_level(LOG_ERROR);
	if (fuzz_tmpdir(dir, sizeof dir) != 0)
		abort();
	settings_defaults(&srv);
	snprintf(srv.set.hash_cost, sizeof srv.set.hash_cost, "min");
	snprintf(srv.set.db_path, sizeof srv.set.db_path, "%s/fuzz.db", dir);
	snprintf(srv.set.database, sizeof srv.set.database, "%s", srv.set.db_path);
	srv.set.lockout_failures = 1000;
	char err[512];
	struct store *db = store_connect(srv.set.database, err, sizeof err);
	if (!db || store_upgrade(db, err, sizeof err) != 0 ||
	    store_configure(srv.set.database, err, sizeof err) != 0) {
		fprintf(stderr, "fuzz_http: %s\n", err);
		abort();
	}
	store_disconnect(db);
	/* the serialised products, kept current as voxcartd keeps them on SQLite */
	store_on_product_change(product_cache_changed);
	product_cache_follow(1);

	char *r = call(M_POST, "/api/v1/auth/register", NULL,
		       "{\"email\":\"shopper@fuzz.io\",\"password\":\"password123\",\"name\":\"S\"}");
	tokens[1] = token_of(r);
	free(r);
	r = call(M_POST, "/api/v1/auth/register", NULL,
		 "{\"email\":\"seller@fuzz.io\",\"password\":\"password123\",\"name\":\"T\","
		 "\"role\":\"seller\"}");
	tokens[2] = token_of(r);
	free(r);
	free(call(M_POST, "/api/v1/products", tokens[2],
		  "{\"title\":\"Organic Bananas\",\"price_cents\":199,\"stock\":1000000,"
		  "\"category\":\"Produce\",\"description\":\"A bunch of bananas\"}"));
	free(call(M_PATCH, "/api/v1/me", tokens[1],
		  "{\"shipping_address\":{\"name\":\"Ann\",\"line1\":\"1 Main St\",\"city\":\"X\","
		  "\"postal_code\":\"12345\",\"country\":\"US\"}}"));
	char card[160];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	snprintf(card, sizeof card, "{\"card_number\":\"4242424242424242\",\"exp_month\":12,"
		 "\"exp_year\":%d,\"cvc\":\"123\"}", tm.tm_year + 1900 + 3);
	free(call(M_POST, "/api/v1/payment-methods", tokens[1], card));
	/* an order placed, and a line in the cart: every input starts from them, so one
	 * request can look at, pay or cancel an order, or check out */
	free(call(M_POST, "/api/v1/cart/items", tokens[1], "{\"product_id\":1,\"quantity\":1}"));
	free(call(M_POST, "/api/v1/orders", tokens[1], NULL));
	free(call(M_POST, "/api/v1/cart/items", tokens[1], "{\"product_id\":1,\"quantity\":2}"));
	db_snapshot(srv.set.db_path);
	return 0;
}

static enum api_method method_of(const char *s, size_t n)
{
	static const struct {
		const char *name;
		enum api_method m;
	} map[] = { { "GET", M_GET },     { "POST", M_POST },     { "PUT", M_PUT },
		    { "PATCH", M_PATCH }, { "DELETE", M_DELETE } };
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strlen(map[i].name) == n && memcmp(s, map[i].name, n) == 0)
			return map[i].m;
	return M_OTHER;
}

static void add_query(struct api_req *req, const char *s, size_t n)
{
	if (req->query_count >= API_MAX_QUERY)
		return;
	const char *eq = memchr(s, '=', n);
	size_t nl = eq ? (size_t)(eq - s) : n;
	req->query_names[req->query_count] = strndup(s, nl);
	req->query_values[req->query_count] = eq ? strndup(eq + 1, n - nl - 1) : strdup("");
	req->query_count++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	const char *nl = memchr(p, '\n', size);
	if (!nl)
		return 0;
	struct api_req req = { 0 };
	struct api_resp resp = { 0 };
	req.srv = &srv;
	req.store = store_thread();
	snprintf(req.client_ip, sizeof req.client_ip, "127.0.0.1");

	/* request line: the same NUL-free strings lws gives (it refuses %00) */
	const char *sp = memchr(p, ' ', (size_t)(nl - p));
	if (!sp || memchr(p, '\0', (size_t)(nl - p)))
		return 0;
	req.method = method_of(p, (size_t)(sp - p));
	const char *uri = sp + 1;
	const char *q = memchr(uri, '?', (size_t)(nl - uri));
	size_t plen = (size_t)((q ? q : nl) - uri);
	if (plen >= sizeof req.path)
		return 0;
	memcpy(req.path, uri, plen);
	req.path[plen] = '\0';
	if (q) {
		const char *a = q + 1;
		while (a < nl) {
			const char *amp = memchr(a, '&', (size_t)(nl - a));
			const char *e = amp ? amp : nl;
			add_query(&req, a, (size_t)(e - a));
			a = e + 1;
		}
	}
	/* header lines up to an empty one */
	p = nl + 1;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		if (e == p) {
			p = e + 1;
			break;
		}
		if (e - p >= 3 && p[0] == 'T' && p[1] == ':') {
			int t = (p[e - p - 1] - '0') % 3;
			free(req.bearer);
			req.bearer = t > 0 ? strdup(tokens[t]) : strndup(p + 2, (size_t)(e - p - 2));
		} else if (e - p >= 2 && p[0] == 'K' && p[1] == ':' && !memchr(p, '\0', (size_t)(e - p))) {
			free(req.idempotency_key);
			req.idempotency_key = strndup(p + 2, (size_t)(e - p - 2));
		}
		if (!nl) {
			p = end;
			break;
		}
		p = nl + 1;
	}
	if (p < end) {
		req.body_len = (size_t)(end - p);
		req.body = malloc(req.body_len + 1);
		memcpy(req.body, p, req.body_len);
		req.body[req.body_len] = '\0';
	}
	routes_dispatch(&req, &resp);
	if (resp.status < 100 || resp.status > 599 || (resp.body_len && !resp.body))
		abort();
	req_free(&req, &resp);
	db_reset(&srv);
	return 0;
}
