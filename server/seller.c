/*
 * seller.c - the seller's side of orders: the orders holding their items, shipping
 * them, and sales figures.
 *
 * Invariants:
 * - A seller sees an order when at least one item in it is theirs, and then only the
 *   seller view (orders_seller_json): their own lines, the totals of those, the
 *   shipping address; never the payment or other sellers' lines.  Others get 404,
 *   never 403, so order ids reveal nothing.
 * - Shipping marks only the caller's own items, and only in a paid order (a
 *   pending_payment or cancelled order is 409).  When the last pending item of the
 *   order ships, the order becomes "shipped".  Shipping again is a harmless no-op.
 * - Stats count orders that were paid (paid, shipped, delivered): a pending or
 *   cancelled order is no sale.  low_stock lists at most 100 active listings with
 *   stock <= 5, lowest first; low_stock_total counts them all.
 */
#include "catalog.h"
#include "handlers.h"
#include "orders.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

#define LOW_STOCK 5
#define SOLD_STATUSES "('paid','shipped','delivered')"

HANDLER(h_seller_orders)
{
	int64_t limit, offset, me = req->user.id;
	if (api_page(req, resp, &limit, &offset) != 0)
		return;
	const char *status = api_query(req, "status");
	static const char *const known[] = { "pending_payment", "paid", "shipped", "delivered",
					     "cancelled" };
	int ok = status == NULL;
	for (size_t i = 0; !ok && i < sizeof known / sizeof known[0]; i++)
		ok = strcmp(status, known[i]) == 0;
	if (!ok) {
		api_error(resp, 400, "bad_request", "status",
			  "status must be pending_payment, paid, shipped, delivered or cancelled.");
		return;
	}
	sqlite3_stmt *st = store_prepare(req->db,
		"SELECT o.id FROM orders o WHERE EXISTS (SELECT 1 FROM order_items i"
		" WHERE i.order_id = o.id AND i.seller_id = ?1) AND (?2 IS NULL OR o.status = ?2)"
		" ORDER BY o.id DESC LIMIT ?3 OFFSET ?4");
	sqlite3_stmt *ct = store_prepare(req->db,
		"SELECT count(*) FROM orders o WHERE EXISTS (SELECT 1 FROM order_items i"
		" WHERE i.order_id = o.id AND i.seller_id = ?1) AND (?2 IS NULL OR o.status = ?2)");
	cJSON *items = NULL;
	int rc = SQLITE_ERROR;
	if (st && ct) {
		sqlite3_bind_int64(st, 1, me);
		sqlite3_bind_int64(ct, 1, me);
		sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
		sqlite3_bind_text(ct, 2, status, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, limit);
		sqlite3_bind_int64(st, 4, offset);
		items = cJSON_CreateArray();
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			cJSON *o = orders_seller_json(req->db, sqlite3_column_int64(st, 0), me);
			if (!o) {
				rc = SQLITE_ERROR;
				break;
			}
			cJSON_AddItemToArray(items, o);
		}
	}
	if (rc == SQLITE_DONE && sqlite3_step(ct) == SQLITE_ROW) {
		api_json(resp, 200, api_page_json(items, sqlite3_column_int64(ct, 0), limit, offset));
		items = NULL;
	} else {
		api_internal(resp, req->db, "seller orders");
	}
	cJSON_Delete(items);
	sqlite3_finalize(st);
	sqlite3_finalize(ct);
}

/* Runs a statement binding (order_id, seller_id); -1 on error. */
static int exec2(sqlite3 *db, const char *sql, int64_t a, int64_t b)
{
	sqlite3_stmt *st = store_prepare(db, sql);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The ship steps inside a transaction: 0 done, 404/409 refused (resp set), -1 error. */
static int ship_tx(struct api_req *req, struct api_resp *resp, int64_t order_id)
{
	int64_t me = req->user.id, now = store_now();
	sqlite3_stmt *st = store_prepare(req->db,
		"SELECT o.status, (SELECT count(*) FROM order_items i WHERE i.order_id = o.id"
		" AND i.seller_id = ?2) FROM orders o WHERE o.id = ?1");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, order_id);
	sqlite3_bind_int64(st, 2, me);
	char status[24] = "";
	int mine = 0, rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(status, sizeof status, "%s", sqlite3_column_text(st, 0));
		mine = sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	if (!mine) {
		api_error(resp, 404, "not_found", NULL, "You have no items in order %lld.",
			  (long long)order_id);
		return 404;
	}
	if (strcmp(status, "pending_payment") == 0 || strcmp(status, "cancelled") == 0) {
		api_error(resp, 409, "conflict", NULL, "Order %lld is %s; only paid orders ship.",
			  (long long)order_id, status);
		return 409;
	}
	if (strcmp(status, "paid") != 0)
		return 0; /* shipped or delivered: the items are already out */
	if (exec2(req->db, "UPDATE order_items SET fulfillment = 'shipped'"
			   " WHERE order_id = ? AND seller_id = ?", order_id, me) != 0)
		return -1;
	if (exec2(req->db, "UPDATE orders SET updated_at = ?2, status = CASE WHEN NOT EXISTS"
			   " (SELECT 1 FROM order_items WHERE order_id = ?1 AND fulfillment = 'pending')"
			   " THEN 'shipped' ELSE status END WHERE id = ?1", order_id, now) != 0)
		return -1;
	return 0;
}

HANDLER(h_seller_ship)
{
	int64_t id = req->params[0];
	if (store_begin(req->db) != 0) {
		api_internal(resp, req->db, "ship");
		return;
	}
	int rc = ship_tx(req, resp, id);
	if (rc == 0 && store_commit(req->db) != 0)
		rc = -1;
	store_rollback(req->db);
	if (rc > 0)
		return;
	cJSON *o = rc == 0 ? orders_seller_json(req->db, id, req->user.id) : NULL;
	if (!o) {
		api_internal(resp, req->db, "ship");
		return;
	}
	api_json(resp, 200, o);
}

static cJSON *top_products(sqlite3 *db, int64_t me)
{
	sqlite3_stmt *st = store_prepare(db,
		"SELECT i.product_id, coalesce(p.title, max(i.title)), sum(i.quantity),"
		" sum(i.quantity * i.unit_price_cents)"
		" FROM order_items i JOIN orders o ON o.id = i.order_id"
		" LEFT JOIN products p ON p.id = i.product_id"
		" WHERE i.seller_id = ? AND o.status IN " SOLD_STATUSES
		" GROUP BY i.product_id ORDER BY 3 DESC, 4 DESC, i.product_id LIMIT 5");
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, me);
	cJSON *top = cJSON_CreateArray();
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *t = cJSON_CreateObject();
		cJSON_AddNumberToObject(t, "product_id", (double)sqlite3_column_int64(st, 0));
		cJSON_AddStringToObject(t, "title", (const char *)sqlite3_column_text(st, 1));
		cJSON_AddNumberToObject(t, "units", (double)sqlite3_column_int64(st, 2));
		cJSON_AddNumberToObject(t, "revenue_cents", (double)sqlite3_column_int64(st, 3));
		cJSON_AddItemToArray(top, t);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		cJSON_Delete(top);
		return NULL;
	}
	return top;
}

static cJSON *low_stock(sqlite3 *db, int64_t me)
{
	sqlite3_stmt *st = store_prepare(db, "SELECT " CATALOG_COLUMNS CATALOG_FROM
		"WHERE p.seller_id = ? AND p.status = 'active' AND p.stock <= ?"
		" ORDER BY p.stock, p.id LIMIT 100");
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, me);
	sqlite3_bind_int(st, 2, LOW_STOCK);
	cJSON *low = cJSON_CreateArray();
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		cJSON_AddItemToArray(low, catalog_product_row(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		cJSON_Delete(low);
		return NULL;
	}
	return low;
}

HANDLER(h_seller_stats)
{
	int64_t me = req->user.id;
	sqlite3_stmt *st = store_prepare(req->db,
		"SELECT coalesce(sum(i.quantity * i.unit_price_cents), 0),"
		" count(DISTINCT i.order_id), coalesce(sum(i.quantity), 0)"
		" FROM order_items i JOIN orders o ON o.id = i.order_id"
		" WHERE i.seller_id = ? AND o.status IN " SOLD_STATUSES);
	cJSON *out = NULL, *top = NULL, *low = NULL;
	if (st) {
		sqlite3_bind_int64(st, 1, me);
		if (sqlite3_step(st) == SQLITE_ROW) {
			out = cJSON_CreateObject();
			cJSON_AddNumberToObject(out, "revenue_cents", (double)sqlite3_column_int64(st, 0));
			cJSON_AddNumberToObject(out, "orders", (double)sqlite3_column_int64(st, 1));
			cJSON_AddNumberToObject(out, "units_sold", (double)sqlite3_column_int64(st, 2));
			cJSON_AddStringToObject(out, "currency", "USD");
		}
		sqlite3_finalize(st);
	}
	sqlite3_stmt *ct = out ? store_prepare(req->db, "SELECT count(*) FROM products WHERE"
					       " seller_id = ? AND status = 'active' AND stock <= ?") : NULL;
	int64_t low_total = -1;
	if (ct) {
		sqlite3_bind_int64(ct, 1, me);
		sqlite3_bind_int(ct, 2, LOW_STOCK);
		if (sqlite3_step(ct) == SQLITE_ROW)
			low_total = sqlite3_column_int64(ct, 0);
		sqlite3_finalize(ct);
	}
	if (out && low_total >= 0 && (top = top_products(req->db, me)) &&
	    (low = low_stock(req->db, me))) {
		cJSON_AddItemToObject(out, "top_products", top);
		cJSON_AddItemToObject(out, "low_stock", low);
		/* low_stock holds the first 100 (lowest stock first); this counts them all */
		cJSON_AddNumberToObject(out, "low_stock_total", (double)low_total);
		api_json(resp, 200, out);
		return;
	}
	cJSON_Delete(out);
	cJSON_Delete(top);
	cJSON_Delete(low);
	api_internal(resp, req->db, "seller stats");
}
