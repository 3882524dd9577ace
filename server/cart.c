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
#include "store.h"

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

cJSON *cart_json(sqlite3 *db, int64_t user_id)
{
	sqlite3_stmt *st = store_prepare(db,
		"SELECT c.product_id, p.title, p.price_cents, c.quantity, p.stock, p.status"
		" FROM cart_items c JOIN products p ON p.id = c.product_id"
		" WHERE c.user_id = ? ORDER BY c.added_at, c.rowid");
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, user_id);
	cJSON *items = cJSON_CreateArray();
	int64_t count = 0, subtotal = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t price = sqlite3_column_int64(st, 2), qty = sqlite3_column_int64(st, 3);
		int available = sqlite3_column_int64(st, 4) >= qty &&
				strcmp((const char *)sqlite3_column_text(st, 5), "active") == 0;
		cJSON *it = cJSON_CreateObject();
		cJSON_AddNumberToObject(it, "product_id", (double)sqlite3_column_int64(st, 0));
		cJSON_AddStringToObject(it, "title", (const char *)sqlite3_column_text(st, 1));
		cJSON_AddNumberToObject(it, "unit_price_cents", (double)price);
		cJSON_AddNumberToObject(it, "quantity", (double)qty);
		cJSON_AddNumberToObject(it, "line_total_cents", (double)(price * qty));
		cJSON_AddBoolToObject(it, "available", available);
		cJSON_AddItemToArray(items, it);
		count += qty;
		if (available)
			subtotal += price * qty;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		cJSON_Delete(items);
		return NULL;
	}
	cJSON *cart = cJSON_CreateObject();
	cJSON_AddItemToObject(cart, "items", items);
	cJSON_AddNumberToObject(cart, "item_count", (double)count);
	cJSON_AddNumberToObject(cart, "subtotal_cents", (double)subtotal);
	cJSON_AddStringToObject(cart, "currency", "USD");
	return cart;
}

/* The line's quantity now (0 when there is none), -1 on a database error. */
static int64_t line_quantity(sqlite3 *db, int64_t user_id, int64_t product_id)
{
	sqlite3_stmt *st = store_prepare(db,
		"SELECT quantity FROM cart_items WHERE user_id = ? AND product_id = ?");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, product_id);
	int rc = sqlite3_step(st);
	int64_t q = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : rc == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return q;
}

/* Deletes the line; returns the number of rows deleted (0 or 1), -1 on error. */
static int delete_line(sqlite3 *db, int64_t user_id, int64_t product_id)
{
	sqlite3_stmt *st = store_prepare(db,
		"DELETE FROM cart_items WHERE user_id = ? AND product_id = ?");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, product_id);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? sqlite3_changes(db) : -1;
}

static int write_line(sqlite3 *db, int64_t user_id, int64_t product_id, int64_t qty)
{
	sqlite3_stmt *st = store_prepare(db,
		"INSERT INTO cart_items (user_id, product_id, quantity, added_at) VALUES (?,?,?,?)"
		" ON CONFLICT (user_id, product_id) DO UPDATE SET quantity = excluded.quantity");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, product_id);
	sqlite3_bind_int64(st, 3, qty);
	sqlite3_bind_int64(st, 4, store_now());
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Checks the product and the line's new quantity, then writes it; inside the
 * caller's transaction.  add: qty is added to the line, else it replaces it. */
static int put_line(sqlite3 *db, int64_t user_id, int64_t product_id, int64_t qty, int add,
		    struct cart_error *e)
{
	sqlite3_stmt *st = store_prepare(db,
		"SELECT title, stock, status = 'active' FROM products WHERE id = ?");
	if (!st) {
		db_error(e);
		return -1;
	}
	sqlite3_bind_int64(st, 1, product_id);
	char title[256] = "";
	int64_t stock = 0;
	int active = 0, rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(title, sizeof title, "%s", sqlite3_column_text(st, 0));
		stock = sqlite3_column_int64(st, 1);
		active = sqlite3_column_int(st, 2);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		db_error(e);
		return -1;
	}
	if (!active) {
		cart_error_set(e, 404, "not_found", "product_id",
			       "There is no product %lld for sale.", (long long)product_id);
		return -1;
	}
	int64_t have = line_quantity(db, user_id, product_id);
	if (have < 0) {
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
	if (write_line(db, user_id, product_id, want) != 0) {
		db_error(e);
		return -1;
	}
	return 0;
}

/* add or set, in one transaction.  Returns 0 or e->status. */
static int change_line(sqlite3 *db, int64_t user_id, int64_t product_id, int64_t qty, int add,
		       struct cart_error *e)
{
	memset(e, 0, sizeof *e);
	if (qty < (add ? 1 : 0) || qty > MAX_QTY) {
		cart_error_set(e, 422, "validation_failed", "quantity",
			       "quantity must be an integer from %d to %d.", add ? 1 : 0, MAX_QTY);
		return e->status;
	}
	if (store_begin(db) != 0) {
		db_error(e);
		return e->status;
	}
	int rc;
	if (!add && qty == 0)
		rc = delete_line(db, user_id, product_id) < 0 ? (db_error(e), -1) : 0;
	else
		rc = put_line(db, user_id, product_id, qty, add, e);
	if (rc == 0 && store_commit(db) != 0)
		db_error(e);
	store_rollback(db);
	return e->status;
}

static int remove_line(sqlite3 *db, int64_t user_id, int64_t product_id, struct cart_error *e)
{
	memset(e, 0, sizeof *e);
	int n = delete_line(db, user_id, product_id);
	if (n < 0)
		db_error(e);
	else if (n == 0)
		cart_error_set(e, 404, "not_found", "product_id",
			       "Product %lld is not in your cart.", (long long)product_id);
	return e->status;
}

static int clear_cart(sqlite3 *db, int64_t user_id, struct cart_error *e)
{
	memset(e, 0, sizeof *e);
	sqlite3_stmt *st = store_prepare(db, "DELETE FROM cart_items WHERE user_id = ?");
	if (!st) {
		db_error(e);
		return e->status;
	}
	sqlite3_bind_int64(st, 1, user_id);
	if (sqlite3_step(st) != SQLITE_DONE)
		db_error(e);
	sqlite3_finalize(st);
	return e->status;
}

int cart_add(sqlite3 *db, int64_t user_id, int64_t product_id, int64_t qty, char *err_code,
	     char *err_msg, size_t msglen)
{
	struct cart_error e;
	int rc = change_line(db, user_id, product_id, qty, 1, &e);
	cart_error_copy(&e, err_code, err_msg, msglen);
	return rc;
}

int cart_set(sqlite3 *db, int64_t user_id, int64_t product_id, int64_t qty, char *err_code,
	     char *err_msg, size_t msglen)
{
	struct cart_error e;
	int rc = change_line(db, user_id, product_id, qty, 0, &e);
	cart_error_copy(&e, err_code, err_msg, msglen);
	return rc;
}

int cart_remove(sqlite3 *db, int64_t user_id, int64_t product_id, char *err_code,
		char *err_msg, size_t msglen)
{
	struct cart_error e;
	int rc = remove_line(db, user_id, product_id, &e);
	cart_error_copy(&e, err_code, err_msg, msglen);
	return rc;
}

int cart_clear(sqlite3 *db, int64_t user_id, char *err_code, char *err_msg, size_t msglen)
{
	struct cart_error e;
	int rc = clear_cart(db, user_id, &e);
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
	cJSON *cart = cart_json(req->db, req->user.id);
	if (!cart) {
		api_internal(resp, req->db, "cart");
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
	change_line(req->db, req->user.id, product_id, qty, 1, &e);
	answer(req, resp, &e);
}

HANDLER(h_cart_set)
{
	int64_t qty;
	if (api_field_int(req->json, resp, "quantity", 1, 0, MAX_QTY, &qty, NULL))
		return;
	struct cart_error e;
	change_line(req->db, req->user.id, req->params[0], qty, 0, &e);
	answer(req, resp, &e);
}

HANDLER(h_cart_remove)
{
	struct cart_error e;
	remove_line(req->db, req->user.id, req->params[0], &e);
	answer(req, resp, &e);
}

HANDLER(h_cart_clear)
{
	struct cart_error e;
	clear_cart(req->db, req->user.id, &e);
	answer(req, resp, &e);
}
