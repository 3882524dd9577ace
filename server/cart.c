/*
 * cart.c - the shopper's cart (see cart.h) and its REST handlers.
 *
 * The cart is rows of cart_items (user, product, quantity): a line per product, its
 * quantity 1..1000.  Invariants:
 * - A change that reads before it writes (add merges into the line, set checks the
 *   stock) runs in one BEGIN IMMEDIATE transaction, so two requests of the same user
 *   cannot lose an update.
 * - Adding or setting never lets a line exceed the product's stock at that moment
 *   (409 out_of_stock naming the product).  Stock may still drop later (others buy);
 *   the cart then shows the line "available":false and checkout refuses it.
 * - The REST handlers are thin wrappers: the buddy calls the same functions.
 */
#include "cart.h"
#include "handlers.h"
#include "store/store.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_QTY 1000

void cart_error_set(struct cart_error *e, int status, const char *code, const char *field,
		    const char *fmt, ...)
{
	va_list ap;
	e->status = status;
	snprintf(e->code, sizeof e->code, "%s", code);
	snprintf(e->field, sizeof e->field, "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof e->message, fmt, ap);
	va_end(ap);
}

void cart_error_answer(const struct cart_error *e, struct api_resp *resp)
{
	if (e->status == 0 || e->status >= 500) {
		api_error(resp, 500, "internal", NULL, "Something went wrong on the server.");
		return;
	}
	api_error(resp, e->status, e->code, e->field[0] ? e->field : NULL, "%s", e->message);
}

void cart_error_copy(const struct cart_error *e, char *err_code, char *err_msg, size_t msglen)
{
	if (err_code)
		snprintf(err_code, CART_ERR_CODE, "%s", e->status >= 500 ? "internal" : e->code);
	if (err_msg && msglen)
		snprintf(err_msg, msglen, "%s", e->message);
}

static void db_error(struct cart_error *e)
{
	cart_error_set(e, 500, "internal", NULL, "Something went wrong on the server.");
}

cJSON *cart_json(struct store *store, int64_t user_id)
{
	struct store_cart c;
	if (store_cart_get(store, user_id, &c) != STORE_OK)
		return NULL;
	cJSON *items = cJSON_CreateArray();
	int64_t count = 0, subtotal = 0;
	for (size_t i = 0; i < c.count; i++) {
		const struct store_cart_line *l = &c.items[i];
		int64_t price = l->unit_price_cents, qty = l->quantity;
		int available = l->stock >= qty && l->active;
		cJSON *it = cJSON_CreateObject();
		cJSON_AddNumberToObject(it, "product_id", (double)l->product_id);
		cJSON_AddStringToObject(it, "title", l->title);
		cJSON_AddNumberToObject(it, "unit_price_cents", (double)price);
		cJSON_AddNumberToObject(it, "quantity", (double)qty);
		cJSON_AddNumberToObject(it, "line_total_cents", (double)(price * qty));
		cJSON_AddBoolToObject(it, "available", available);
		cJSON_AddItemToArray(items, it);
		count += qty;
		if (available)
			subtotal += price * qty;
	}
	store_cart_free(&c);
	cJSON *cart = cJSON_CreateObject();
	cJSON_AddItemToObject(cart, "items", items);
	cJSON_AddNumberToObject(cart, "item_count", (double)count);
	cJSON_AddNumberToObject(cart, "subtotal_cents", (double)subtotal);
	cJSON_AddStringToObject(cart, "currency", "USD");
	return cart;
}

/* Checks the product and the line's new quantity, then writes it; inside the
 * caller's transaction.  add: qty is added to the line, else it replaces it. */
static int put_line(struct store *store, int64_t user_id, int64_t product_id, int64_t qty,
		    int add, struct cart_error *e)
{
	struct store_product p;
	int rc = store_product_get(store, product_id, &p);
	if (rc == STORE_ERROR) {
		db_error(e);
		return -1;
	}
	char title[256] = "";
	int64_t stock = 0;
	int active = 0;
	if (rc == STORE_OK) {
		snprintf(title, sizeof title, "%s", p.title);
		stock = p.stock;
		active = strcmp(p.status, "active") == 0;
		store_product_free(&p);
	}
	if (!active) {
		cart_error_set(e, 404, "not_found", "product_id",
			       "There is no product %lld for sale.", (long long)product_id);
		return -1;
	}
	int64_t have = 0;
	if (store_cart_line_qty(store, user_id, product_id, &have) != STORE_OK) {
		db_error(e);
		return -1;
	}
	int64_t want = add ? have + qty : qty;
	char field[32];
	snprintf(field, sizeof field, "%lld", (long long)product_id);
	if (want > MAX_QTY) {
		cart_error_set(e, 422, "validation_failed", "quantity",
			       "A cart line holds at most %d; you already have %lld of \"%s\".",
			       MAX_QTY, (long long)have, title);
		return -1;
	}
	if (want > stock) {
		if (stock == 0)
			cart_error_set(e, 409, "out_of_stock", field, "\"%s\" is sold out.", title);
		else
			cart_error_set(e, 409, "out_of_stock", field,
				       "Only %lld of \"%s\" left%s.", (long long)stock, title,
				       have > 0 && add ? ", counting what is in your cart" : "");
		return -1;
	}
	if (store_cart_put(store, user_id, product_id, want, store_now()) != STORE_OK) {
		db_error(e);
		return -1;
	}
	return 0;
}

/* add or set, in one transaction.  Returns 0 or e->status. */
static int change_line(struct store *store, int64_t user_id, int64_t product_id, int64_t qty,
		       int add, struct cart_error *e)
{
	memset(e, 0, sizeof *e);
	if (qty < (add ? 1 : 0) || qty > MAX_QTY) {
		cart_error_set(e, 422, "validation_failed", "quantity",
			       "quantity must be an integer from %d to %d.", add ? 1 : 0, MAX_QTY);
		return e->status;
	}
	if (store_tx_begin(store) != STORE_OK) {
		db_error(e);
		return e->status;
	}
	int rc;
	if (!add && qty == 0)
		rc = store_cart_delete(store, user_id, product_id) == STORE_ERROR ? (db_error(e), -1) : 0;
	else
		rc = put_line(store, user_id, product_id, qty, add, e);
	if (rc == 0 && store_tx_commit(store) != STORE_OK)
		db_error(e);
	store_tx_rollback(store);
	return e->status;
}

static int remove_line(struct store *store, int64_t user_id, int64_t product_id,
		       struct cart_error *e)
{
	memset(e, 0, sizeof *e);
	int rc = store_cart_delete(store, user_id, product_id);
	if (rc == STORE_ERROR)
		db_error(e);
	else if (rc == STORE_NOT_FOUND)
		cart_error_set(e, 404, "not_found", "product_id",
			       "Product %lld is not in your cart.", (long long)product_id);
	return e->status;
}

static int clear_cart(struct store *store, int64_t user_id, struct cart_error *e)
{
	memset(e, 0, sizeof *e);
	if (store_cart_clear(store, user_id) != STORE_OK)
		db_error(e);
	return e->status;
}

int cart_add(struct store *store, int64_t user_id, int64_t product_id, int64_t qty, char *err_code,
	     char *err_msg, size_t msglen)
{
	struct cart_error e;
	int rc = change_line(store, user_id, product_id, qty, 1, &e);
	cart_error_copy(&e, err_code, err_msg, msglen);
	return rc;
}

int cart_set(struct store *store, int64_t user_id, int64_t product_id, int64_t qty, char *err_code,
	     char *err_msg, size_t msglen)
{
	struct cart_error e;
	int rc = change_line(store, user_id, product_id, qty, 0, &e);
	cart_error_copy(&e, err_code, err_msg, msglen);
	return rc;
}

int cart_remove(struct store *store, int64_t user_id, int64_t product_id, char *err_code,
		char *err_msg, size_t msglen)
{
	struct cart_error e;
	int rc = remove_line(store, user_id, product_id, &e);
	cart_error_copy(&e, err_code, err_msg, msglen);
	return rc;
}

int cart_clear(struct store *store, int64_t user_id, char *err_code, char *err_msg, size_t msglen)
{
	struct cart_error e;
	int rc = clear_cart(store, user_id, &e);
	cart_error_copy(&e, err_code, err_msg, msglen);
	return rc;
}

/* ---- REST --------------------------------------------------------------------------- */

/* Answers 200 Cart after a change, or the change's error. */
static void answer(struct api_req *req, struct api_resp *resp, const struct cart_error *e)
{
	if (e->status) {
		cart_error_answer(e, resp);
		return;
	}
	cJSON *cart = cart_json(req->store, req->user.id);
	if (!cart) {
		api_store_failed(resp, req->store, "cart");
		return;
	}
	api_json(resp, 200, cart);
}

HANDLER(h_cart_get)
{
	struct cart_error e = { 0 };
	answer(req, resp, &e);
}

HANDLER(h_cart_add)
{
	int64_t product_id, qty = 1; /* a missing quantity means one */
	if (api_field_int(req->json, resp, "product_id", 1, 1, INT64_MAX / 2, &product_id, NULL) ||
	    api_field_int(req->json, resp, "quantity", 0, 1, MAX_QTY, &qty, NULL))
		return;
	struct cart_error e;
	change_line(req->store, req->user.id, product_id, qty, 1, &e);
	answer(req, resp, &e);
}

HANDLER(h_cart_set)
{
	int64_t qty;
	if (api_field_int(req->json, resp, "quantity", 1, 0, MAX_QTY, &qty, NULL))
		return;
	struct cart_error e;
	change_line(req->store, req->user.id, req->params[0], qty, 0, &e);
	answer(req, resp, &e);
}

HANDLER(h_cart_remove)
{
	struct cart_error e;
	remove_line(req->store, req->user.id, req->params[0], &e);
	answer(req, resp, &e);
}

HANDLER(h_cart_clear)
{
	struct cart_error e;
	clear_cart(req->store, req->user.id, &e);
	answer(req, resp, &e);
}
