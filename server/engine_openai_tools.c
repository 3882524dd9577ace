/*
 * engine_openai_tools.c - the function tools the chat model may call, run through
 * struct buddy_tools.
 *
 * Every tool is one or two buddy_tools calls.  What a tool did is reported as the
 * same action event the built-in engine sends (PROTOCOL.md names and result
 * shapes: cart.add gets {"cart":Cart}, search {"items":[Product]}...), and the model
 * reads back a compact JSON of the result (ids, titles, prices in cents and in
 * words) or {"error":{"status","code","message"}}.  A tool that failed emits no
 * action.
 *
 * Checkout takes two turns.  checkout_prepare only reads (cart total, default card,
 * address) and marks the turn as having asked.  When that turn ends (with a reply),
 * the question is kept in the conversation's state (struct buddy_checkout_offer,
 * buddy/buddy.h).  Each turn takes the offer out of the state as it starts, so it
 * is good for the next turn only: there place_order needs it, and the turn's own
 * text must read as a confirmation ("yes", "go ahead"...).  It is used up by the
 * first place_order, whatever happens next, and expires after OFFER_TTL seconds.
 * A lost offer (a state evicted from the cache) only means the buddy asks again.
 */
#include "engine_openai_tools.h"
#include "buddy/buddy.h"
#include "buddy/reply.h"
#include "json.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OFFER_TTL 900.0
#define SEARCH_LIMIT 5


/* The tools as the model sees them (OpenAI function-calling JSON schema). */
static const char tools_schema[] =
	"["
	"{\"type\":\"function\",\"function\":{\"name\":\"search_products\","
	"\"description\":\"Search the shop's catalog. Returns up to five active products with id, title, "
	"price and stock, best match first. Search before adding anything whose product id you do not know.\","
	"\"parameters\":{\"type\":\"object\",\"properties\":{"
	"\"query\":{\"type\":\"string\",\"description\":\"words to look for, e.g. organic bananas\"},"
	"\"category\":{\"type\":\"string\",\"description\":\"exact category name, only when the shopper names one\"},"
	"\"max_price_dollars\":{\"type\":\"number\",\"description\":\"highest price\"},"
	"\"min_price_dollars\":{\"type\":\"number\",\"description\":\"lowest price\"},"
	"\"sort\":{\"type\":\"string\",\"enum\":[\"relevance\",\"price_asc\",\"price_desc\"]}},"
	"\"required\":[\"query\"]}}},"
	"{\"type\":\"function\",\"function\":{\"name\":\"product_details\","
	"\"description\":\"The full description, price and stock of one product.\","
	"\"parameters\":{\"type\":\"object\",\"properties\":{\"product_id\":{\"type\":\"integer\"}},"
	"\"required\":[\"product_id\"]}}},"
	"{\"type\":\"function\",\"function\":{\"name\":\"view_cart\","
	"\"description\":\"The shopper's cart: lines, quantities and subtotal.\","
	"\"parameters\":{\"type\":\"object\",\"properties\":{}}}},"
	"{\"type\":\"function\",\"function\":{\"name\":\"add_to_cart\","
	"\"description\":\"Adds a quantity of a product to the cart (on top of what is already there).\","
	"\"parameters\":{\"type\":\"object\",\"properties\":{\"product_id\":{\"type\":\"integer\"},"
	"\"quantity\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":1000}},"
	"\"required\":[\"product_id\",\"quantity\"]}}},"
	"{\"type\":\"function\",\"function\":{\"name\":\"set_quantity\","
	"\"description\":\"Sets the quantity of a cart line; 0 removes it.\","
	"\"parameters\":{\"type\":\"object\",\"properties\":{\"product_id\":{\"type\":\"integer\"},"
	"\"quantity\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":1000}},"
	"\"required\":[\"product_id\",\"quantity\"]}}},"
	"{\"type\":\"function\",\"function\":{\"name\":\"remove_from_cart\","
	"\"description\":\"Removes a product's line from the cart.\","
	"\"parameters\":{\"type\":\"object\",\"properties\":{\"product_id\":{\"type\":\"integer\"}},"
	"\"required\":[\"product_id\"]}}},"
	"{\"type\":\"function\",\"function\":{\"name\":\"clear_cart\","
	"\"description\":\"Empties the cart.\",\"parameters\":{\"type\":\"object\",\"properties\":{}}}},"
	"{\"type\":\"function\",\"function\":{\"name\":\"checkout_prepare\","
	"\"description\":\"Reads the cart total, the card that would be charged and the shipping address, "
	"so you can tell the shopper and ask them to confirm. Nothing is ordered or charged. "
	"Always call it, and ask, before place_order.\","
	"\"parameters\":{\"type\":\"object\",\"properties\":{}}}},"
	"{\"type\":\"function\",\"function\":{\"name\":\"place_order\","
	"\"description\":\"Places the order and charges the card. Works only when your previous reply "
	"asked after checkout_prepare and the shopper's new message says yes.\","
	"\"parameters\":{\"type\":\"object\",\"properties\":{}}}},"
	"{\"type\":\"function\",\"function\":{\"name\":\"order_status\","
	"\"description\":\"The status of an order: the given one, or the most recent.\","
	"\"parameters\":{\"type\":\"object\",\"properties\":{\"order_id\":{\"type\":\"integer\"}}}}},"
	"{\"type\":\"function\",\"function\":{\"name\":\"cancel_order\","
	"\"description\":\"Cancels an order that has not shipped (a paid order is refunded).\","
	"\"parameters\":{\"type\":\"object\",\"properties\":{\"order_id\":{\"type\":\"integer\"}},"
	"\"required\":[\"order_id\"]}}}"
	"]";

cJSON *engine_openai_tools_schema(void)
{
	return cJSON_Parse(tools_schema);
}

/* ---- the checkout confirmation ---- */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9 + 1.0; /* never 0 */
}

static int word_in(const char *w, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(w, *list) == 0)
			return 1;
	return 0;
}

/* 1 when the text says yes to a question and nothing against it. */
static int is_confirmation(const char *text)
{
	static const char *const yes[] = { "yes", "yeah", "yep", "yup", "yea", "sure", "ok", "okay",
		"confirm", "confirmed", "proceed", "absolutely", "definitely", "alright", "affirmative",
		"correct", NULL };
	static const char *const yes_pairs[] = { "go ahead", "do it", "place it", "place the",
		"place my", "buy it", "sounds good", "that's right", "all right", "please do", NULL };
	static const char *const no[] = { "no", "nope", "nah", "not", "don't", "dont", "cancel",
		"wait", "stop", "hold", "never", "later", "without", NULL };
	char word[24], prev[24] = "", pair[sizeof prev + sizeof word + 1];
	int agreed = 0;
	for (const char *p = text ? text : ""; *p;) {
		while (*p && !isalnum((unsigned char)*p) && *p != '\'')
			p++;
		size_t len = 0;
		while (*p && (isalnum((unsigned char)*p) || *p == '\'')) {
			if (len < sizeof word - 1)
				word[len++] = (char)tolower((unsigned char)*p);
			p++;
		}
		if (len == 0)
			break;
		word[len] = '\0';
		if (word_in(word, no))
			return 0;
		size_t plen = strlen(prev);
		memcpy(pair, prev, plen);
		pair[plen] = ' ';
		memcpy(pair + plen + 1, word, len + 1);
		if (word_in(word, yes) || word_in(pair, yes_pairs))
			agreed = 1;
		memcpy(prev, word, len + 1);
	}
	return agreed;
}

void engine_openai_tools_turn_start(struct engine_openai_tool_turn *tt,
				    struct buddy_checkout_offer *offer)
{
	tt->offer = offer;
	if (offer) {
		tt->asked_before = *offer;
		offer->at = 0; /* good for this turn only */
	}
}

void engine_openai_tools_turn_end(struct engine_openai_tool_turn *tt, const char *reply)
{
	if (tt->asked && reply && *reply && tt->offer)
		*tt->offer = (struct buddy_checkout_offer){ tt->asked_total, tt->asked_method, now_s() };
}

/* ---- helpers ---- */

static cJSON *tool_error(int status, const char *code, const char *message)
{
	cJSON *r = cJSON_CreateObject(), *e = cJSON_AddObjectToObject(r, "error");
	cJSON_AddNumberToObject(e, "status", status);
	cJSON_AddStringToObject(e, "code", code && *code ? code : "error");
	cJSON_AddStringToObject(e, "message", message && *message ? message : "the tool failed");
	return r;
}

/* A positive id from a JSON integer or a string of digits; 0 when absent or bad. */
static int64_t arg_id(const cJSON *args, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, key);
	if (cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble < 9e15 &&
	    v->valuedouble == floor(v->valuedouble))
		return (int64_t)v->valuedouble;
	if (cJSON_IsString(v) && v->valuestring[0] && strlen(v->valuestring) < 16 &&
	    strspn(v->valuestring, "0123456789") == strlen(v->valuestring))
		return strtoll(v->valuestring, NULL, 10);
	return 0;
}

/* An integer in [lo, hi]; -1 when absent or out of range. */
static int arg_int(const cJSON *args, const char *key, int lo, int hi)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, key);
	double d = cJSON_IsNumber(v) ? v->valuedouble : cJSON_IsString(v) ? strtod(v->valuestring, NULL) : NAN;
	if (!(d >= lo && d <= hi) || d != floor(d))
		return -1;
	return (int)d;
}

/* Dollars (a JSON number) to cents; -1 when absent or unreasonable. */
static int64_t arg_cents(const cJSON *args, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, key);
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble <= 1e6))
		return -1;
	return (int64_t)llround(v->valuedouble * 100.0);
}

static void add_money(cJSON *to, const char *key, int64_t cents, const char *currency)
{
	char words[96];
	reply_money(cents, currency && *currency ? currency : NULL, words, sizeof words);
	cJSON_AddStringToObject(to, key, words);
}

/* Copies at most max bytes of s, not cutting a UTF-8 sequence. */
static void add_clipped(cJSON *to, const char *key, const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max) {
		cJSON_AddStringToObject(to, key, s);
		return;
	}
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	char *cut = malloc(max + 4);
	if (!cut)
		return;
	memcpy(cut, s, max);
	memcpy(cut + max, "...", 4);
	cJSON_AddStringToObject(to, key, cut);
	free(cut);
}

static void emit(struct engine_openai_tool_turn *tt, const char *name, cJSON *args, cJSON *result)
{
	if (tt->out->action)
		tt->out->action(tt->out->ctx, name, args, result);
	tt->actions++;
	cJSON_Delete(args);
	cJSON_Delete(result);
}

static cJSON *args_id(const char *key, int64_t id)
{
	cJSON *a = cJSON_CreateObject();
	cJSON_AddNumberToObject(a, key, (double)id);
	return a;
}

static cJSON *wrap(const char *key, cJSON *item)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, key, item);
	return o;
}

/* ---- what the model reads ---- */

static cJSON *model_product(const cJSON *p, size_t description_max)
{
	cJSON *m = cJSON_CreateObject();
	cJSON_AddNumberToObject(m, "id", (double)json_int(p, "id"));
	cJSON_AddStringToObject(m, "title", json_str(p, "title"));
	cJSON_AddNumberToObject(m, "price_cents", (double)json_int(p, "price_cents"));
	add_money(m, "price", json_int(p, "price_cents"), json_str(p, "currency"));
	cJSON_AddNumberToObject(m, "stock", (double)json_int(p, "stock"));
	cJSON_AddStringToObject(m, "category", json_str(p, "category"));
	add_clipped(m, "description", json_str(p, "description"), description_max);
	return m;
}

static cJSON *model_cart(const cJSON *cart)
{
	cJSON *m = cJSON_CreateObject(), *lines = cJSON_AddArrayToObject(m, "items"), *it;
	const char *cur = json_str(cart, "currency");
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(cart, "items")) {
		cJSON *l = cJSON_CreateObject();
		cJSON_AddNumberToObject(l, "product_id", (double)json_int(it, "product_id"));
		cJSON_AddStringToObject(l, "title", json_str(it, "title"));
		cJSON_AddNumberToObject(l, "quantity", (double)json_int(it, "quantity"));
		add_money(l, "unit_price", json_int(it, "unit_price_cents"), cur);
		add_money(l, "line_total", json_int(it, "line_total_cents"), cur);
		cJSON_AddBoolToObject(l, "available",
				      !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(it, "available")));
		cJSON_AddItemToArray(lines, l);
	}
	cJSON_AddNumberToObject(m, "item_count", (double)json_int(cart, "item_count"));
	cJSON_AddNumberToObject(m, "subtotal_cents", (double)json_int(cart, "subtotal_cents"));
	add_money(m, "subtotal", json_int(cart, "subtotal_cents"), cur);
	return m;
}

static cJSON *model_order(const cJSON *o)
{
	cJSON *m = cJSON_CreateObject(), *lines = cJSON_AddArrayToObject(m, "items"), *it;
	cJSON_AddNumberToObject(m, "id", (double)json_int(o, "id"));
	cJSON_AddStringToObject(m, "status", json_str(o, "status"));
	add_money(m, "total", json_int(o, "total_cents"), json_str(o, "currency"));
	cJSON_AddStringToObject(m, "created_at", json_str(o, "created_at"));
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, "items")) {
		cJSON *l = cJSON_CreateObject();
		cJSON_AddStringToObject(l, "title", json_str(it, "title"));
		cJSON_AddNumberToObject(l, "quantity", (double)json_int(it, "quantity"));
		cJSON_AddStringToObject(l, "fulfillment", json_str(it, "fulfillment"));
		cJSON_AddItemToArray(lines, l);
	}
	return m;
}

/* An Order out of a tool result that is {"order":Order} or the Order itself
 * (detached; result is freed). */
static cJSON *take_order(cJSON *result)
{
	cJSON *o = cJSON_DetachItemFromObjectCaseSensitive(result, "order");
	if (cJSON_IsObject(o)) {
		cJSON_Delete(result);
		return o;
	}
	cJSON_Delete(o);
	return result;
}

/* ---- the tools ---- */

typedef cJSON *tool_fn(struct engine_openai_tool_turn *tt, const cJSON *args);

static cJSON *t_search(struct engine_openai_tool_turn *tt, const cJSON *args)
{
	const char *sort = json_str(args, "sort");
	if (strcmp(sort, "relevance") && strcmp(sort, "price_asc") && strcmp(sort, "price_desc"))
		sort = NULL;
	struct buddy_search s = { json_str(args, "query"), json_str(args, "category"),
		arg_cents(args, "min_price_dollars"), arg_cents(args, "max_price_dollars"), sort,
		SEARCH_LIMIT };
	if (!*s.category)
		s.category = NULL;
	cJSON *res = NULL;
	ERRBUF;
	int rc = tt->tools->search(tt->tools->ctx, &s, &res, code, msg);
	if (rc != 0 || !res) {
		cJSON_Delete(res);
		return tool_error(rc ? rc : 500, code, msg);
	}
	cJSON *items = cJSON_GetObjectItemCaseSensitive(res, "items"), *p;
	cJSON *model = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(model, "items");
	cJSON_ArrayForEach(p, items)
		cJSON_AddItemToArray(list, model_product(p, 160));
	cJSON_AddNumberToObject(model, "total", (double)json_int_or(res, "total", cJSON_GetArraySize(items)));
	cJSON *a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "query", s.query);
	if (s.category)
		cJSON_AddStringToObject(a, "category", s.category);
	if (s.min_price_cents >= 0)
		cJSON_AddNumberToObject(a, "min_price_cents", (double)s.min_price_cents);
	if (s.max_price_cents >= 0)
		cJSON_AddNumberToObject(a, "max_price_cents", (double)s.max_price_cents);
	if (sort)
		cJSON_AddStringToObject(a, "sort", sort);
	cJSON *shown = cJSON_DetachItemFromObjectCaseSensitive(res, "items");
	emit(tt, "search", a, wrap("items", cJSON_IsArray(shown) ? shown : cJSON_CreateArray()));
	if (!cJSON_IsArray(shown))
		cJSON_Delete(shown);
	cJSON_Delete(res);
	return model;
}

static cJSON *t_product(struct engine_openai_tool_turn *tt, const cJSON *args)
{
	int64_t id = arg_id(args, "product_id");
	if (!id)
		return tool_error(422, "validation_failed", "product_id must be a positive integer");
	cJSON *p = NULL;
	ERRBUF;
	int rc = tt->tools->product_get(tt->tools->ctx, id, &p, code, msg);
	if (rc != 0 || !p) {
		cJSON_Delete(p);
		return tool_error(rc ? rc : 500, code, msg);
	}
	cJSON *model = wrap("product", model_product(p, 600));
	emit(tt, "product.show", args_id("product_id", id), wrap("product", p));
	return model;
}

/* The cart tools share one shape: call, emit name with {"cart":Cart}, show the cart. */
static cJSON *cart_done(struct engine_openai_tool_turn *tt, int rc, cJSON *cart, const char *code,
			const char *msg, const char *action, cJSON *a)
{
	if (rc != 0 || !cart) {
		cJSON_Delete(cart);
		cJSON_Delete(a);
		return tool_error(rc ? rc : 500, code, msg);
	}
	cJSON *model = wrap("cart", model_cart(cart));
	emit(tt, action, a, wrap("cart", cart));
	return model;
}

static cJSON *t_view_cart(struct engine_openai_tool_turn *tt, const cJSON *args)
{
	(void)args;
	cJSON *cart = NULL;
	ERRBUF;
	int rc = tt->tools->cart_view(tt->tools->ctx, &cart, code, msg);
	return cart_done(tt, rc, cart, code, msg, "cart.view", cJSON_CreateObject());
}

static cJSON *cart_quantity(struct engine_openai_tool_turn *tt, const cJSON *args, int set)
{
	int64_t id = arg_id(args, "product_id");
	int q = arg_int(args, "quantity", set ? 0 : 1, 1000);
	if (!id)
		return tool_error(422, "validation_failed", "product_id must be a positive integer");
	if (q < 0)
		return tool_error(422, "validation_failed",
				  set ? "quantity must be 0 to 1000" : "quantity must be 1 to 1000");
	cJSON *cart = NULL;
	ERRBUF;
	int rc = set ? tt->tools->cart_set(tt->tools->ctx, id, q, &cart, code, msg)
		     : tt->tools->cart_add(tt->tools->ctx, id, q, &cart, code, msg);
	cJSON *a = args_id("product_id", id);
	cJSON_AddNumberToObject(a, "quantity", q);
	return cart_done(tt, rc, cart, code, msg, set ? "cart.set" : "cart.add", a);
}

static cJSON *t_add(struct engine_openai_tool_turn *tt, const cJSON *args)
{
	return cart_quantity(tt, args, 0);
}

static cJSON *t_set(struct engine_openai_tool_turn *tt, const cJSON *args)
{
	return cart_quantity(tt, args, 1);
}

static cJSON *t_remove(struct engine_openai_tool_turn *tt, const cJSON *args)
{
	int64_t id = arg_id(args, "product_id");
	if (!id)
		return tool_error(422, "validation_failed", "product_id must be a positive integer");
	cJSON *cart = NULL;
	ERRBUF;
	int rc = tt->tools->cart_remove(tt->tools->ctx, id, &cart, code, msg);
	return cart_done(tt, rc, cart, code, msg, "cart.remove", args_id("product_id", id));
}

static cJSON *t_clear(struct engine_openai_tool_turn *tt, const cJSON *args)
{
	(void)args;
	cJSON *cart = NULL;
	ERRBUF;
	int rc = tt->tools->cart_clear(tt->tools->ctx, &cart, code, msg);
	return cart_done(tt, rc, cart, code, msg, "cart.clear", cJSON_CreateObject());
}


static cJSON *not_ready(const char *why)
{
	cJSON *m = cJSON_CreateObject();
	cJSON_AddBoolToObject(m, "ready", 0);
	cJSON_AddStringToObject(m, "reason", why);
	return m;
}

/* Reads only: the total, card and address the order would get; marks the turn as
 * having asked for a confirmation. */
static cJSON *t_checkout_prepare(struct engine_openai_tool_turn *tt, const cJSON *args)
{
	(void)args;
	cJSON *cart = NULL, *info = NULL;
	ERRBUF;
	int rc = tt->tools->cart_view(tt->tools->ctx, &cart, code, msg);
	if (rc == 0 && cart)
		rc = tt->tools->checkout_info(tt->tools->ctx, &info, code, msg);
	if (rc != 0 || !cart || !info) {
		cJSON_Delete(cart);
		cJSON_Delete(info);
		return tool_error(rc ? rc : 500, code, msg);
	}
	const cJSON *user = cJSON_GetObjectItemCaseSensitive(info, "user");
	const cJSON *addr = cJSON_GetObjectItemCaseSensitive(user, "shipping_address");
	const cJSON *card = buddy_default_card(info);
	cJSON *m;
	if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(cart, "items")) == 0)
		m = not_ready("the cart is empty");
	else if (!card && !cJSON_IsObject(addr))
		m = not_ready("the shopper has no saved card and no shipping address; they can add them in their account");
	else if (!card)
		m = not_ready("the shopper has no saved card; they can add one in their account");
	else if (!cJSON_IsObject(addr))
		m = not_ready("the shopper has no shipping address saved; they can add one in their account");
	else {
		m = cJSON_CreateObject();
		cJSON_AddBoolToObject(m, "ready", 1);
		int64_t total = json_int(cart, "subtotal_cents");
		cJSON_AddNumberToObject(m, "total_cents", (double)total);
		add_money(m, "total", total, json_str(cart, "currency"));
		cJSON_AddNumberToObject(m, "item_count", (double)json_int(cart, "item_count"));
		cJSON *c = cJSON_AddObjectToObject(m, "card");
		cJSON_AddStringToObject(c, "brand", json_str(card, "brand"));
		cJSON_AddStringToObject(c, "last4", json_str(card, "last4"));
		cJSON *a = cJSON_AddObjectToObject(m, "ship_to");
		cJSON_AddStringToObject(a, "name", json_str(addr, "name"));
		cJSON_AddStringToObject(a, "city", json_str(addr, "city"));
		cJSON_AddStringToObject(m, "next", "Tell the shopper the total, the card and the city, and ask "
					"whether to place the order. Call place_order only after they say yes in "
					"their next message.");
		tt->asked = 1;
		tt->asked_total = total;
		tt->asked_method = json_int(card, "id");
	}
	cJSON_Delete(cart);
	cJSON_Delete(info);
	return m;
}

static cJSON *t_place_order(struct engine_openai_tool_turn *tt, const cJSON *args)
{
	(void)args;
	static const char unconfirmed[] = "The shopper has not confirmed this order. Call checkout_prepare, "
		"tell them the total and ask; place the order only when they say yes in their next message.";
	/* the question of the turn before, used up by the first place_order */
	struct buddy_checkout_offer p = tt->asked_before;
	tt->asked_before.at = 0;
	if (!is_confirmation(tt->text) || p.at == 0 || now_s() - p.at > OFFER_TTL)
		return tool_error(409, "confirmation_required", unconfirmed);
	cJSON *cart = NULL;
	ERRBUF;
	int rc = tt->tools->cart_view(tt->tools->ctx, &cart, code, msg);
	int64_t total = json_int_or(cart, "subtotal_cents", -1);
	cJSON_Delete(cart);
	if (rc != 0)
		return tool_error(rc, code, msg);
	if (total != p.total_cents)
		return tool_error(409, "cart_changed", "The cart changed since the shopper confirmed. "
				  "Call checkout_prepare again and ask them.");
	cJSON *order = NULL;
	rc = tt->tools->checkout(tt->tools->ctx, p.payment_method_id, &order, code, msg);
	if (rc != 0 || !order) {
		cJSON_Delete(order);
		return tool_error(rc ? rc : 500, code, msg);
	}
	order = take_order(order);
	cJSON *model = cJSON_CreateObject();
	cJSON_AddBoolToObject(model, "placed", 1);
	cJSON_AddItemToObject(model, "order", model_order(order));
	emit(tt, "checkout", args_id("payment_method_id", p.payment_method_id), wrap("order", order));
	return model;
}

static cJSON *t_order_status(struct engine_openai_tool_turn *tt, const cJSON *args)
{
	int64_t id = arg_id(args, "order_id");
	cJSON *page = NULL;
	ERRBUF;
	int rc = tt->tools->orders_list(tt->tools->ctx, 20, &page, code, msg);
	if (rc != 0 || !page) {
		cJSON_Delete(page);
		return tool_error(rc ? rc : 500, code, msg);
	}
	cJSON *items = cJSON_GetObjectItemCaseSensitive(page, "items"), *o, *found = NULL;
	cJSON_ArrayForEach(o, items) {
		if (!id || json_int(o, "id") == id) {
			found = o;
			break;
		}
	}
	if (!found) {
		cJSON_Delete(page);
		return tool_error(404, "not_found", id ? "No such order among the shopper's recent orders."
						       : "The shopper has no orders yet.");
	}
	cJSON_DetachItemViaPointer(items, found);
	cJSON_Delete(page);
	cJSON *model = wrap("order", model_order(found));
	emit(tt, "order.status", args_id("order_id", json_int(found, "id")), wrap("order", found));
	return model;
}

static cJSON *t_cancel_order(struct engine_openai_tool_turn *tt, const cJSON *args)
{
	int64_t id = arg_id(args, "order_id");
	if (!id)
		return tool_error(422, "validation_failed", "order_id must be a positive integer");
	cJSON *order = NULL;
	ERRBUF;
	int rc = tt->tools->order_cancel(tt->tools->ctx, id, &order, code, msg);
	if (rc != 0 || !order) {
		cJSON_Delete(order);
		return tool_error(rc ? rc : 500, code, msg);
	}
	order = take_order(order);
	cJSON *model = wrap("order", model_order(order));
	emit(tt, "order.cancel", args_id("order_id", id), wrap("order", order));
	return model;
}

/* Tool name, the turn intent it stands for (the built-in engine's names), function. */
static const struct {
	const char *name, *intent;
	tool_fn *run;
} tool_table[] = {
	{ "search_products", "search", t_search },
	{ "product_details", "info", t_product },
	{ "view_cart", "view_cart", t_view_cart },
	{ "add_to_cart", "add", t_add },
	{ "set_quantity", "set_quantity", t_set },
	{ "remove_from_cart", "remove", t_remove },
	{ "clear_cart", "clear_cart", t_clear },
	{ "checkout_prepare", "checkout", t_checkout_prepare },
	{ "place_order", "confirm", t_place_order },
	{ "order_status", "order_status", t_order_status },
	{ "cancel_order", "cancel_order", t_cancel_order },
};

char *engine_openai_tools_run(struct engine_openai_tool_turn *tt, const char *name,
			      const char *arguments)
{
	cJSON *args = arguments && *arguments ? cJSON_Parse(arguments) : cJSON_CreateObject();
	cJSON *result = NULL;
	if (!cJSON_IsObject(args)) {
		result = tool_error(400, "bad_arguments", "The arguments were not a JSON object.");
	} else {
		size_t i;
		for (i = 0; i < sizeof tool_table / sizeof tool_table[0]; i++)
			if (name && strcmp(name, tool_table[i].name) == 0)
				break;
		if (i == sizeof tool_table / sizeof tool_table[0]) {
			result = tool_error(404, "unknown_tool", "There is no tool by that name.");
		} else {
			snprintf(tt->intent, sizeof tt->intent, "%s", tool_table[i].intent);
			result = tool_table[i].run(tt, args);
		}
	}
	cJSON_Delete(args);
	char *text = result ? cJSON_PrintUnformatted(result) : NULL;
	cJSON_Delete(result);
	return text;
}
