/*
 * store/sqlite/seller.c - the seller's side of orders on SQLite (store.h "seller
 * views").
 */
#include "store/sqlite/sqlite.h"

#include <stdio.h>
#include <string.h>

#define SOLD_STATUSES "('paid','shipped','delivered')"

int sq_seller_order_ids(struct store *s, int64_t seller_id, const char *status, int64_t limit,
			int64_t offset, int64_t *ids, size_t *n, int64_t *total)
{
	struct sq_store *q = sq_of(s);
	*n = 0;
	sqlite3_stmt *ct = sq_stmt(q,
		"SELECT count(*) FROM orders o WHERE EXISTS (SELECT 1 FROM order_items i"
		" WHERE i.order_id = o.id AND i.seller_id = ?1) AND (?2 IS NULL OR o.status = ?2)");
	if (!ct)
		return STORE_ERROR;
	sqlite3_bind_int64(ct, 1, seller_id);
	sqlite3_bind_text(ct, 2, status, -1, SQLITE_STATIC);
	int rc = sq_count(q, ct, total, "seller orders count");
	if (rc != STORE_OK)
		return rc;
	sqlite3_stmt *st = sq_stmt(q,
		"SELECT o.id FROM orders o WHERE EXISTS (SELECT 1 FROM order_items i"
		" WHERE i.order_id = o.id AND i.seller_id = ?1) AND (?2 IS NULL OR o.status = ?2)"
		" ORDER BY o.id DESC LIMIT ?3 OFFSET ?4");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, seller_id);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, limit);
	sqlite3_bind_int64(st, 4, offset);
	int step = SQLITE_DONE;
	while (*n < (size_t)limit && (step = sqlite3_step(st)) == SQLITE_ROW)
		ids[(*n)++] = sqlite3_column_int64(st, 0);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = sq_fail(q, "seller orders");
	sq_done(st);
	return rc;
}

int sq_seller_order_lines(struct store *s, int64_t order_id, int64_t seller_id, char status[24],
			  int *lines)
{
	struct sq_store *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q,
		"SELECT o.status, (SELECT count(*) FROM order_items i WHERE i.order_id = o.id"
		" AND i.seller_id = ?2) FROM orders o WHERE o.id = ?1");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, order_id);
	sqlite3_bind_int64(st, 2, seller_id);
	int rc = sq_row(q, st, "seller order");
	status[0] = '\0';
	*lines = 0;
	if (rc == STORE_OK) {
		snprintf(status, 24, "%s", (const char *)sqlite3_column_text(st, 0));
		*lines = sqlite3_column_int(st, 1);
	}
	sq_done(st);
	return rc;
}

static int sq_seller_ship_steps(struct store *s, int64_t order_id, int64_t seller_id, int64_t now)
{
	struct sq_store *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, "UPDATE order_items SET fulfillment = 'shipped'"
				      " WHERE order_id = ? AND seller_id = ?");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, order_id);
	sqlite3_bind_int64(st, 2, seller_id);
	int rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : sq_fail(q, "ship lines");
	sq_done(st);
	if (rc != STORE_OK)
		return rc;
	st = sq_stmt(q, "UPDATE orders SET updated_at = ?2, status = CASE WHEN NOT EXISTS"
			" (SELECT 1 FROM order_items WHERE order_id = ?1 AND fulfillment = 'pending')"
			" THEN 'shipped' ELSE status END WHERE id = ?1");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, order_id);
	sqlite3_bind_int64(st, 2, now);
	rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : sq_fail(q, "ship order");
	sq_done(st);
	return rc;
}

int sq_seller_ship(struct store *s, int64_t order_id, int64_t seller_id, int64_t now)
{
	struct sq_store *q = sq_of(s);
	if (sq_atomic_begin(q) != STORE_OK)
		return STORE_ERROR;
	return sq_atomic_end(q, sq_seller_ship_steps(s, order_id, seller_id, now));
}

int sq_seller_totals(struct store *s, int64_t seller_id, int64_t low_stock_max,
		     struct store_seller_totals *t)
{
	struct sq_store *q = sq_of(s);
	memset(t, 0, sizeof *t);
	sqlite3_stmt *st = sq_stmt(q,
		"SELECT coalesce(sum(i.quantity * i.unit_price_cents), 0),"
		" count(DISTINCT i.order_id), coalesce(sum(i.quantity), 0)"
		" FROM order_items i JOIN orders o ON o.id = i.order_id"
		" WHERE i.seller_id = ? AND o.status IN " SOLD_STATUSES);
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, seller_id);
	int rc = sq_row(q, st, "seller totals");
	if (rc == STORE_OK) {
		t->revenue_cents = sqlite3_column_int64(st, 0);
		t->orders = sqlite3_column_int64(st, 1);
		t->units_sold = sqlite3_column_int64(st, 2);
	}
	sq_done(st);
	if (rc != STORE_OK)
		return rc == STORE_NOT_FOUND ? sq_fail(q, "seller totals") : rc;
	st = sq_stmt(q, "SELECT count(*) FROM products WHERE seller_id = ? AND status = 'active'"
			" AND stock <= ?");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, seller_id);
	sqlite3_bind_int64(st, 2, low_stock_max);
	return sq_count(q, st, &t->low_stock_total, "low stock count");
}

static int top_row(struct store *s, sqlite3_stmt *st, void *item)
{
	struct store_top_product *t = item;
	t->product_id = sqlite3_column_int64(st, 0);
	t->units = sqlite3_column_int64(st, 2);
	t->revenue_cents = sqlite3_column_int64(st, 3);
	t->title = sq_text_dup(st, 1);
	return t->title ? STORE_OK : store_set_err(s, "out of memory");
}

int sq_seller_top_products(struct store *s, int64_t seller_id, int64_t limit,
			   struct store_top_products *out)
{
	struct sq_store *q = sq_of(s);
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = sq_stmt(q,
		"SELECT i.product_id, coalesce(p.title, max(i.title)), sum(i.quantity),"
		" sum(i.quantity * i.unit_price_cents)"
		" FROM order_items i JOIN orders o ON o.id = i.order_id"
		" LEFT JOIN products p ON p.id = i.product_id"
		" WHERE i.seller_id = ? AND o.status IN " SOLD_STATUSES
		" GROUP BY i.product_id ORDER BY 3 DESC, 4 DESC, i.product_id LIMIT ?");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, seller_id);
	sqlite3_bind_int64(st, 2, limit);
	int rc = sq_collect(s, st, (void **)&out->items, &out->count, sizeof *out->items, top_row,
			    "top products");
	if (rc != STORE_OK)
		store_top_products_free(out);
	return rc;
}
