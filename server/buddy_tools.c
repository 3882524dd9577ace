/*
 * buddy_tools.c - the buddy's tools on top of the REST modules' own functions
 * (catalog_search, cart_*, orders_*, payments_*): what the buddy does is exactly what
 * the same request over REST would do, with the same checks and errors.
 */
#include "buddy_tools.h"
#include "auth.h"
#include "clock.h"
#include "log.h"
#include "buddy/buddy.h"
#include "cart.h"
#include "catalog.h"
#include "orders.h"
#include "payments.h"
#include "server.h"

#include <stdio.h>
#include <string.h>

#define MSGLEN BUDDY_ERR_MSG_LEN

static void fail(char *code, char *msg, const char *c, const char *m)
{
	snprintf(code, BUDDY_ERR_CODE_LEN, "%s", c);
	snprintf(msg, MSGLEN, "%s", m);
}

static int t_search(void *ctx, const struct buddy_search *s, cJSON **result, char *code, char *msg)
{
	struct buddy_tools_ctx *c = ctx;
	struct catalog_query q = { 0 };
	q.text = s->query;
	q.category = s->category && *s->category ? s->category : NULL;
	q.sort = s->sort && *s->sort ? s->sort : NULL;
	q.min_price = s->min_price_cents;
	q.max_price = s->max_price_cents;
	q.limit = s->limit > 0 && s->limit <= 100 ? s->limit : 10;
	int bad_sort = 0;
	double t0 = clock_mono_s();
	*result = catalog_search(c->db, &q, &bad_sort);
	log_debug("buddy", "search \"%s\" category=%s: %.1f ms", q.text ? q.text : "",
		  q.category ? q.category : "-", (clock_mono_s() - t0) * 1000);
	if (!*result) {
		fail(code, msg, bad_sort ? "bad_request" : "internal", "search failed");
		return bad_sort ? 400 : 500;
	}
	return 0;
}

static int t_vocabulary(void *ctx, const char *const **words, size_t *nwords,
			const char *const **categories, size_t *ncategories)
{
	struct buddy_tools_ctx *c = ctx;
	if (!c->vocab)
		c->vocab = buddy_vocab_get(c->srv, c->db);
	if (!c->vocab) {
		*words = *categories = NULL;
		*nwords = *ncategories = 0;
		return 500;
	}
	buddy_vocab_words(c->vocab, words, nwords, categories, ncategories, NULL, NULL);
	return 0;
}

static const struct match_index *t_vocab_index(void *ctx)
{
	struct buddy_tools_ctx *c = ctx;
	return buddy_vocab_index(c->vocab);
}

static int t_product_get(void *ctx, int64_t id, cJSON **product, char *code, char *msg)
{
	struct buddy_tools_ctx *c = ctx;
	*product = catalog_product_get(c->db, id);
	if (*product) {
		const cJSON *status = cJSON_GetObjectItem(*product, "status");
		if (cJSON_IsString(status) && strcmp(status->valuestring, "active") == 0)
			return 0;
		cJSON_Delete(*product);
		*product = NULL;
	}
	fail(code, msg, "not_found", "no such product");
	return 404;
}

static int cart_result(struct buddy_tools_ctx *c, int rc, cJSON **cart)
{
	*cart = rc == 0 ? cart_json(c->db, c->user_id) : NULL;
	return rc;
}

static int t_cart_view(void *ctx, cJSON **cart, char *code, char *msg)
{
	struct buddy_tools_ctx *c = ctx;
	*cart = cart_json(c->db, c->user_id);
	if (!*cart) {
		fail(code, msg, "internal", "cannot read the cart");
		return 500;
	}
	return 0;
}

static int t_cart_add(void *ctx, int64_t id, int qty, cJSON **cart, char *code, char *msg)
{
	struct buddy_tools_ctx *c = ctx;
	return cart_result(c, cart_add(c->db, c->user_id, id, qty, code, msg, MSGLEN), cart);
}

static int t_cart_set(void *ctx, int64_t id, int qty, cJSON **cart, char *code, char *msg)
{
	struct buddy_tools_ctx *c = ctx;
	return cart_result(c, cart_set(c->db, c->user_id, id, qty, code, msg, MSGLEN), cart);
}

static int t_cart_remove(void *ctx, int64_t id, cJSON **cart, char *code, char *msg)
{
	struct buddy_tools_ctx *c = ctx;
	return cart_result(c, cart_remove(c->db, c->user_id, id, code, msg, MSGLEN), cart);
}

static int t_cart_clear(void *ctx, cJSON **cart, char *code, char *msg)
{
	struct buddy_tools_ctx *c = ctx;
	return cart_result(c, cart_clear(c->db, c->user_id, code, msg, MSGLEN), cart);
}

static int t_checkout_info(void *ctx, cJSON **info, char *code, char *msg)
{
	struct buddy_tools_ctx *c = ctx;
	cJSON *user = auth_user_json(c->db, c->user_id);
	cJSON *cards = payments_list_json(c->db, c->user_id);
	if (!user || !cards) {
		cJSON_Delete(user);
		cJSON_Delete(cards);
		fail(code, msg, "internal", "cannot read the account");
		return 500;
	}
	*info = cJSON_CreateObject();
	cJSON_AddItemToObject(*info, "user", user);
	/* payments_list_json gives {"items":[...]}; the buddy wants the array. */
	cJSON *items = cJSON_DetachItemFromObject(cards, "items");
	cJSON_Delete(cards);
	cJSON_AddItemToObject(*info, "payment_methods", items ? items : cJSON_CreateArray());
	return 0;
}

static int t_checkout(void *ctx, int64_t method, cJSON **order, char *code, char *msg)
{
	struct buddy_tools_ctx *c = ctx;
	cJSON *o = NULL;
	int rc = orders_checkout(c->srv, c->db, c->user_id, NULL, method, &o, code, msg, MSGLEN);
	if (rc == 0) {
		*order = cJSON_CreateObject();
		cJSON_AddItemToObject(*order, "order", o);
	} else {
		*order = NULL;
		cJSON_Delete(o);
	}
	return rc;
}

static int t_orders_list(void *ctx, int limit, cJSON **page, char *code, char *msg)
{
	struct buddy_tools_ctx *c = ctx;
	*page = orders_list_json(c->db, c->user_id, limit > 0 ? limit : 5);
	if (!*page) {
		fail(code, msg, "internal", "cannot read the orders");
		return 500;
	}
	return 0;
}

static int t_order_cancel(void *ctx, int64_t id, cJSON **order, char *code, char *msg)
{
	struct buddy_tools_ctx *c = ctx;
	cJSON *o = NULL;
	int rc = orders_cancel(c->srv, c->db, c->user_id, id, &o, code, msg, MSGLEN);
	*order = NULL;
	if (rc == 0) {
		*order = cJSON_CreateObject();
		cJSON_AddItemToObject(*order, "order", o);
	} else {
		cJSON_Delete(o);
	}
	return rc;
}

void buddy_tools_init(struct buddy_tools *t, struct buddy_tools_ctx *ctx)
{
	memset(t, 0, sizeof *t);
	t->ctx = ctx;
	t->search = t_search;
	t->vocabulary = t_vocabulary;
	t->vocab_index = t_vocab_index;
	t->product_get = t_product_get;
	t->cart_view = t_cart_view;
	t->cart_add = t_cart_add;
	t->cart_set = t_cart_set;
	t->cart_remove = t_cart_remove;
	t->cart_clear = t_cart_clear;
	t->checkout_info = t_checkout_info;
	t->checkout = t_checkout;
	t->orders_list = t_orders_list;
	t->order_cancel = t_order_cancel;
}

void buddy_tools_cleanup(struct buddy_tools_ctx *ctx)
{
	buddy_vocab_release(ctx->vocab);
	ctx->vocab = NULL;
}
