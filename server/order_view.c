/*
 * order_view.c - the read side of orders (orders.h): the Order JSON every module
 * shows, the shopper's list, and who may see an order.
 *
 * An order is visible to its owner and to a seller with an item in it; to anyone
 * else it does not exist (404).  A seller sees the seller view (orders_seller_json):
 * their own lines and the shipping address, never the payment.  Lists are newest first (by id, which follows
 * created_at) and take the usual limit/offset, plus an optional status filter.
 */
#include "handlers.h"
#include "orders.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

#define ORDER_STATUSES "pending_payment paid shipped delivered cancelled"

/* ---- Order JSON ---------------------------------------------------------------------- */

static cJSON *items_json(sqlite3 *db, int64_t order_id)
{
	sqlite3_stmt *st = store_prepare(db,
		"SELECT product_id, seller_id, title, unit_price_cents, quantity, fulfillment"
		" FROM order_items WHERE order_id = ? ORDER BY rowid");
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, order_id);
	cJSON *items = cJSON_CreateArray();
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t price = sqlite3_column_int64(st, 3), qty = sqlite3_column_int64(st, 4);
		cJSON *it = cJSON_CreateObject();
		cJSON_AddNumberToObject(it, "product_id", (double)sqlite3_column_int64(st, 0));
		cJSON_AddNumberToObject(it, "seller_id", (double)sqlite3_column_int64(st, 1));
		cJSON_AddStringToObject(it, "title", (const char *)sqlite3_column_text(st, 2));
		cJSON_AddNumberToObject(it, "unit_price_cents", (double)price);
		cJSON_AddNumberToObject(it, "quantity", (double)qty);
		cJSON_AddNumberToObject(it, "line_total_cents", (double)(price * qty));
		cJSON_AddStringToObject(it, "fulfillment", (const char *)sqlite3_column_text(st, 5));
		cJSON_AddItemToArray(items, it);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		cJSON_Delete(items);
		return NULL;
	}
	return items;
}

cJSON *orders_json(sqlite3 *db, int64_t order_id)
{
	sqlite3_stmt *st = store_prepare(db,
		"SELECT id, user_id, status, subtotal_cents, total_cents, currency, shipping_address,"
		" payment_status, payment_brand, payment_last4, payment_amount_cents, paid_at,"
		" expires_at, created_at, updated_at FROM orders WHERE id = ?");
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, order_id);
	cJSON *o = NULL, *items = NULL;
	if (sqlite3_step(st) == SQLITE_ROW && (items = items_json(db, order_id)) != NULL) {
		const char *status = (const char *)sqlite3_column_text(st, 2);
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)sqlite3_column_int64(st, 0));
		cJSON_AddNumberToObject(o, "user_id", (double)sqlite3_column_int64(st, 1));
		cJSON_AddStringToObject(o, "status", status);
		cJSON_AddItemToObject(o, "items", items);
		cJSON_AddNumberToObject(o, "subtotal_cents", (double)sqlite3_column_int64(st, 3));
		cJSON_AddNumberToObject(o, "total_cents", (double)sqlite3_column_int64(st, 4));
		cJSON_AddStringToObject(o, "currency", (const char *)sqlite3_column_text(st, 5));
		cJSON_AddItemToObject(o, "shipping_address",
				      api_parse_stored((const char *)sqlite3_column_text(st, 6)));
		if (sqlite3_column_type(st, 7) == SQLITE_NULL) {
			cJSON_AddNullToObject(o, "payment");
		} else {
			cJSON *p = cJSON_AddObjectToObject(o, "payment");
			cJSON_AddStringToObject(p, "status", (const char *)sqlite3_column_text(st, 7));
			cJSON_AddStringToObject(p, "brand", (const char *)sqlite3_column_text(st, 8));
			cJSON_AddStringToObject(p, "last4", (const char *)sqlite3_column_text(st, 9));
			cJSON_AddNumberToObject(p, "amount_cents", (double)sqlite3_column_int64(st, 10));
			api_add_time(p, "paid_at", sqlite3_column_int64(st, 11));
		}
		if (strcmp(status, "pending_payment") == 0 && sqlite3_column_type(st, 12) != SQLITE_NULL)
			api_add_time(o, "expires_at", sqlite3_column_int64(st, 12));
		api_add_time(o, "created_at", sqlite3_column_int64(st, 13));
		api_add_time(o, "updated_at", sqlite3_column_int64(st, 14));
	}
	sqlite3_finalize(st);
	return o;
}

cJSON *orders_seller_json(sqlite3 *db, int64_t order_id, int64_t seller_id)
{
	cJSON *o = orders_json(db, order_id);
	if (!o)
		return NULL;
	/* Only the seller's own lines, their sum as the totals, no payment, no buyer id:
	 * what a seller needs to ship, and nothing about the buyer's other purchases. */
	cJSON *items = cJSON_GetObjectItemCaseSensitive(o, "items");
	int64_t sum = 0;
	for (cJSON *it = items ? items->child : NULL, *next; it; it = next) {
		next = it->next;
		const cJSON *sid = cJSON_GetObjectItemCaseSensitive(it, "seller_id");
		if (!cJSON_IsNumber(sid) || (int64_t)sid->valuedouble != seller_id) {
			cJSON_Delete(cJSON_DetachItemViaPointer(items, it));
			continue;
		}
		const cJSON *lt = cJSON_GetObjectItemCaseSensitive(it, "line_total_cents");
		sum += cJSON_IsNumber(lt) ? (int64_t)lt->valuedouble : 0;
	}
	cJSON_ReplaceItemInObjectCaseSensitive(o, "subtotal_cents", cJSON_CreateNumber((double)sum));
	cJSON_ReplaceItemInObjectCaseSensitive(o, "total_cents", cJSON_CreateNumber((double)sum));
	cJSON_DeleteItemFromObjectCaseSensitive(o, "payment");
	cJSON_DeleteItemFromObjectCaseSensitive(o, "user_id");
	cJSON_DeleteItemFromObjectCaseSensitive(o, "expires_at");
	cJSON_AddTrueToObject(o, "seller_view");
	return o;
}

/* The order's owner, 0 when there is no such order, -1 on a database error. */
static int64_t order_owner(sqlite3 *db, int64_t order_id)
{
	sqlite3_stmt *st = store_prepare(db, "SELECT user_id FROM orders WHERE id = ?");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, order_id);
	int rc = sqlite3_step(st);
	int64_t owner = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : rc == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return owner;
}

cJSON *orders_get_own(sqlite3 *db, int64_t user_id, int64_t order_id)
{
	return order_owner(db, order_id) == user_id ? orders_json(db, order_id) : NULL;
}

/* Page of the user's orders; status filters when not NULL. */
static cJSON *list_page(sqlite3 *db, int64_t user_id, const char *status, int64_t limit,
			int64_t offset)
{
	sqlite3_stmt *st = store_prepare(db,
		"SELECT id FROM orders WHERE user_id = ?1 AND (?2 IS NULL OR status = ?2)"
		" ORDER BY id DESC LIMIT ?3 OFFSET ?4");
	sqlite3_stmt *ct = store_prepare(db,
		"SELECT count(*) FROM orders WHERE user_id = ?1 AND (?2 IS NULL OR status = ?2)");
	cJSON *items = NULL;
	int64_t total = 0;
	if (!st || !ct)
		goto out;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(ct, 1, user_id);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(ct, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, limit);
	sqlite3_bind_int64(st, 4, offset);
	items = cJSON_CreateArray();
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *o = orders_json(db, sqlite3_column_int64(st, 0));
		if (!o)
			break;
		cJSON_AddItemToArray(items, o);
	}
	if (rc != SQLITE_DONE || sqlite3_step(ct) != SQLITE_ROW) {
		cJSON_Delete(items);
		items = NULL;
		goto out;
	}
	total = sqlite3_column_int64(ct, 0);
out:
	sqlite3_finalize(st);
	sqlite3_finalize(ct);
	return items ? api_page_json(items, total, limit, offset) : NULL;
}

cJSON *orders_list_json(sqlite3 *db, int64_t user_id, int limit)
{
	if (limit < 1)
		limit = 1;
	if (limit > 100)
		limit = 100;
	return list_page(db, user_id, NULL, limit, 0);
}

HANDLER(h_orders_list)
{
	int64_t limit, offset;
	if (api_page(req, resp, &limit, &offset) != 0)
		return;
	const char *status = api_query(req, "status");
	if (status && (!*status || strchr(status, ' ') || !strstr(ORDER_STATUSES, status))) {
		api_error(resp, 400, "bad_request", "status", "status must be one of: %s.",
			  ORDER_STATUSES);
		return;
	}
	cJSON *page = list_page(req->db, req->user.id, status, limit, offset);
	if (!page) {
		api_internal(resp, req->db, "orders list");
		return;
	}
	api_json(resp, 200, page);
}

HANDLER(h_order_get)
{
	int64_t id = req->params[0];
	int64_t owner = order_owner(req->db, id);
	int visible = owner == req->user.id;
	if (owner > 0 && !visible) {
		/* A seller sees the orders that hold their items. */
		sqlite3_stmt *st = store_prepare(req->db,
			"SELECT 1 FROM order_items WHERE order_id = ? AND seller_id = ?");
		if (st) {
			sqlite3_bind_int64(st, 1, id);
			sqlite3_bind_int64(st, 2, req->user.id);
			visible = sqlite3_step(st) == SQLITE_ROW;
			sqlite3_finalize(st);
		}
	}
	cJSON *o = !visible ? NULL
		   : owner == req->user.id ? orders_json(req->db, id)
					   : orders_seller_json(req->db, id, req->user.id);
	if (owner < 0 || (visible && !o))
		api_internal(resp, req->db, "order get");
	else if (!visible)
		api_error(resp, 404, "not_found", NULL, "You have no order %lld.", (long long)id);
	else
		api_json(resp, 200, o);
}

