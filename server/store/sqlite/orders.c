/*
 * store/sqlite/orders.c - orders, their lines, stock and payments on SQLite (store.h
 * "orders and checkout").  Writers are serialised by the caller's BEGIN IMMEDIATE,
 * so store_order_state needs no lock of its own.
 */
#include "store/sqlite/sqlite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void copy_col(char *dst, size_t len, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	snprintf(dst, len, "%s", t ? (const char *)t : "");
}

/* Steps a statement with no result rows; STORE_NOT_FOUND when it changed no row. */
static int step_change(struct sq_store *q, sqlite3_stmt *st, const char *where)
{
	int rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : sq_fail(q, where);
	if (rc == STORE_OK && sqlite3_changes(q->db) == 0)
		rc = STORE_NOT_FOUND;
	sq_done(st);
	return rc;
}

int sq_stock_take(struct store *s, int64_t product_id, int64_t qty)
{
	struct sq_store *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, "UPDATE products SET stock = stock - ?1 WHERE id = ?2"
				      " AND stock >= ?1 AND status = 'active'");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, qty);
	sqlite3_bind_int64(st, 2, product_id);
	int rc = step_change(q, st, "stock take");
	return rc == STORE_NOT_FOUND ? STORE_CONFLICT : rc;
}

static int sq_order_insert_steps(struct store *s, int64_t user_id, int64_t subtotal_cents,
		    const char *address_json, int64_t expires_at, int64_t now,
		    const struct store_order_line *lines, size_t n, int64_t *id)
{
	struct sq_store *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q,
		"INSERT INTO orders (user_id, status, subtotal_cents, total_cents, currency,"
		" shipping_address, expires_at, created_at, updated_at)"
		" VALUES (?, 'pending_payment', ?, ?, 'USD', ?, ?, ?, ?)");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, subtotal_cents);
	sqlite3_bind_int64(st, 3, subtotal_cents);
	sqlite3_bind_text(st, 4, address_json, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, expires_at);
	sqlite3_bind_int64(st, 6, now);
	sqlite3_bind_int64(st, 7, now);
	int rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : sq_fail(q, "order insert");
	int64_t order_id = sqlite3_last_insert_rowid(q->db);
	sq_done(st);
	if (rc != STORE_OK)
		return rc;
	st = sq_stmt(q, "INSERT INTO order_items (order_id, product_id, seller_id, title,"
			" unit_price_cents, quantity) VALUES (?,?,?,?,?,?)");
	if (!st)
		return STORE_ERROR;
	for (size_t i = 0; rc == STORE_OK && i < n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, order_id);
		sqlite3_bind_int64(st, 2, lines[i].product_id);
		sqlite3_bind_int64(st, 3, lines[i].seller_id);
		sqlite3_bind_text(st, 4, lines[i].title, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, lines[i].unit_price_cents);
		sqlite3_bind_int64(st, 6, lines[i].quantity);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = sq_fail(q, "order items");
	}
	sq_done(st);
	if (rc == STORE_OK)
		*id = order_id;
	return rc;
}

int sq_order_insert(struct store *s, int64_t user_id, int64_t subtotal_cents,
		    const char *address_json, int64_t expires_at, int64_t now,
		    const struct store_order_line *lines, size_t n, int64_t *id)
{
	struct sq_store *q = sq_of(s);
	if (sq_atomic_begin(q) != STORE_OK)
		return STORE_ERROR;
	int rc = sq_order_insert_steps(s, user_id, subtotal_cents, address_json, expires_at, now, lines, n, id);
	return sq_atomic_end(q, rc);
}

int sq_order_mark_paid(struct store *s, int64_t order_id, const struct store_order_payment *p,
		       int64_t now)
{
	struct sq_store *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q,
		"UPDATE orders SET status = 'paid', payment_status = 'succeeded', payment_brand = ?,"
		" payment_last4 = ?, payment_amount_cents = ?, paid_at = ?, payment_method_id = ?,"
		" payment_provider = ?, payment_ref = ?, expires_at = NULL, updated_at = ?"
		" WHERE id = ?");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_text(st, 1, p->brand, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p->last4, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, p->amount_cents);
	sqlite3_bind_int64(st, 4, now);
	if (p->method_id > 0) /* 0: no saved card (NULL, as on PostgreSQL) */
		sqlite3_bind_int64(st, 5, p->method_id);
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_text(st, 6, p->provider, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, p->ref, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, now);
	sqlite3_bind_int64(st, 9, order_id);
	return step_change(q, st, "order paid");
}

int sq_order_state(struct store *s, int64_t order_id, struct store_order_state *o)
{
	struct sq_store *q = sq_of(s);
	memset(o, 0, sizeof *o);
	sqlite3_stmt *st = sq_stmt(q,
		"SELECT user_id, status, total_cents, coalesce(expires_at, 0),"
		" coalesce(payment_status, ''), coalesce(payment_provider, 'sandbox'),"
		" coalesce(payment_ref, ''),"
		" (SELECT count(*) FROM order_items WHERE order_id = orders.id"
		"  AND fulfillment = 'shipped') FROM orders WHERE id = ?");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, order_id);
	int step = sqlite3_step(st), rc = STORE_NOT_FOUND;
	if (step == SQLITE_ROW) {
		o->user_id = sqlite3_column_int64(st, 0);
		copy_col(o->status, sizeof o->status, st, 1);
		o->total_cents = sqlite3_column_int64(st, 2);
		o->expires_at = sqlite3_column_int64(st, 3);
		copy_col(o->payment_status, sizeof o->payment_status, st, 4);
		copy_col(o->payment_provider, sizeof o->payment_provider, st, 5);
		copy_col(o->payment_ref, sizeof o->payment_ref, st, 6);
		o->shipped_items = sqlite3_column_int(st, 7);
		rc = STORE_OK;
	} else if (step != SQLITE_DONE) {
		rc = sq_fail(q, "order state");
	}
	sq_done(st);
	return rc;
}

static int sq_order_release_steps(struct store *s, int64_t order_id, int refunded, int64_t now)
{
	struct sq_store *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q,
		"UPDATE products SET stock = stock + (SELECT sum(quantity) FROM order_items"
		" WHERE order_id = ?1 AND product_id = products.id)"
		" WHERE id IN (SELECT product_id FROM order_items WHERE order_id = ?1)");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, order_id);
	int rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : sq_fail(q, "order release");
	sq_done(st);
	if (rc != STORE_OK)
		return rc;
	st = sq_stmt(q, "UPDATE orders SET status = 'cancelled', expires_at = NULL, updated_at = ?,"
			" payment_status = CASE WHEN ? THEN 'refunded' ELSE payment_status END"
			" WHERE id = ?");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int(st, 2, refunded != 0);
	sqlite3_bind_int64(st, 3, order_id);
	return step_change(q, st, "order cancel");
}

int sq_order_release(struct store *s, int64_t order_id, int refunded, int64_t now)
{
	struct sq_store *q = sq_of(s);
	if (sq_atomic_begin(q) != STORE_OK)
		return STORE_ERROR;
	return sq_atomic_end(q, sq_order_release_steps(s, order_id, refunded, now));
}

int sq_orders_due(struct store *s, int64_t now, int64_t *ids, size_t max, size_t *n)
{
	struct sq_store *q = sq_of(s);
	*n = 0;
	sqlite3_stmt *st = sq_stmt(q, "SELECT id FROM orders WHERE status = 'pending_payment'"
				      " AND expires_at <= ? ORDER BY expires_at LIMIT ?");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (int64_t)max);
	int step = SQLITE_DONE;
	while (*n < max && (step = sqlite3_step(st)) == SQLITE_ROW)
		ids[(*n)++] = sqlite3_column_int64(st, 0);
	int rc = *n == max || step == SQLITE_DONE ? STORE_OK : sq_fail(q, "orders due");
	sq_done(st);
	return rc;
}

int sq_order_expire(struct store *s, int64_t order_id, int64_t now)
{
	struct sq_store *q = sq_of(s);
	/* Still pending and due (a payment may have landed since orders_due)? */
	sqlite3_stmt *st = sq_stmt(q, "SELECT 1 FROM orders WHERE id = ?"
				      " AND status = 'pending_payment' AND expires_at <= ?");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, order_id);
	sqlite3_bind_int64(st, 2, now);
	int step = sqlite3_step(st);
	int rc = step == SQLITE_ROW ? STORE_OK : step == SQLITE_DONE ? STORE_NOT_FOUND
								     : sq_fail(q, "order due");
	sq_done(st);
	return rc == STORE_OK ? sq_order_release(s, order_id, 0, now) : rc;
}

static int item_row(struct store *s, sqlite3_stmt *st, void *item)
{
	struct store_order_item *it = item;
	it->product_id = sqlite3_column_int64(st, 0);
	it->seller_id = sqlite3_column_int64(st, 1);
	it->unit_price_cents = sqlite3_column_int64(st, 3);
	it->quantity = sqlite3_column_int64(st, 4);
	copy_col(it->fulfillment, sizeof it->fulfillment, st, 5);
	it->title = sq_text_dup(st, 2);
	return it->title ? STORE_OK : store_set_err(s, "out of memory");
}

static int order_items(struct store *s, struct store_order *o)
{
	sqlite3_stmt *st = sq_stmt(sq_of(s), "SELECT product_id, seller_id, title, unit_price_cents,"
					     " quantity, fulfillment FROM order_items"
					     " WHERE order_id = ? ORDER BY rowid");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, o->id);
	return sq_collect(s, st, (void **)&o->items, &o->item_count, sizeof *o->items, item_row,
			  "order items");
}

int sq_order_get(struct store *s, int64_t order_id, struct store_order *o)
{
	struct sq_store *q = sq_of(s);
	memset(o, 0, sizeof *o);
	sqlite3_stmt *st = sq_stmt(q,
		"SELECT id, user_id, status, subtotal_cents, total_cents, currency, shipping_address,"
		" payment_status, payment_brand, payment_last4, payment_amount_cents, paid_at,"
		" coalesce(expires_at, 0), created_at, updated_at FROM orders WHERE id = ?");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, order_id);
	int step = sqlite3_step(st), rc = STORE_NOT_FOUND;
	if (step == SQLITE_ROW) {
		rc = STORE_OK;
		o->id = sqlite3_column_int64(st, 0);
		o->user_id = sqlite3_column_int64(st, 1);
		copy_col(o->status, sizeof o->status, st, 2);
		o->subtotal_cents = sqlite3_column_int64(st, 3);
		o->total_cents = sqlite3_column_int64(st, 4);
		copy_col(o->currency, sizeof o->currency, st, 5);
		if (sqlite3_column_type(st, 6) != SQLITE_NULL && !(o->shipping_address = sq_text_dup(st, 6)))
			rc = store_set_err(s, "out of memory");
		o->has_payment = sqlite3_column_type(st, 7) != SQLITE_NULL;
		copy_col(o->payment_status, sizeof o->payment_status, st, 7);
		copy_col(o->payment_brand, sizeof o->payment_brand, st, 8);
		copy_col(o->payment_last4, sizeof o->payment_last4, st, 9);
		o->payment_amount_cents = sqlite3_column_int64(st, 10);
		o->paid_at = sqlite3_column_int64(st, 11);
		o->expires_at = sqlite3_column_int64(st, 12);
		o->created_at = sqlite3_column_int64(st, 13);
		o->updated_at = sqlite3_column_int64(st, 14);
	} else if (step != SQLITE_DONE) {
		rc = sq_fail(q, "order get");
	}
	sq_done(st);
	if (rc == STORE_OK)
		rc = order_items(s, o);
	if (rc != STORE_OK)
		store_order_free(o);
	return rc;
}

int sq_order_ids(struct store *s, int64_t user_id, const char *status, int64_t limit,
		 int64_t offset, int64_t *ids, size_t *n, int64_t *total)
{
	struct sq_store *q = sq_of(s);
	*n = 0;
	*total = 0;
	sqlite3_stmt *ct = sq_stmt(q, "SELECT count(*) FROM orders WHERE user_id = ?1"
				      " AND (?2 IS NULL OR status = ?2)");
	if (!ct)
		return STORE_ERROR;
	sqlite3_bind_int64(ct, 1, user_id);
	sqlite3_bind_text(ct, 2, status, -1, SQLITE_STATIC);
	int rc = sq_count(q, ct, total, "orders count");
	if (rc != STORE_OK)
		return rc;
	sqlite3_stmt *st = sq_stmt(q, "SELECT id FROM orders WHERE user_id = ?1"
				      " AND (?2 IS NULL OR status = ?2) ORDER BY id DESC LIMIT ?3 OFFSET ?4");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, limit);
	sqlite3_bind_int64(st, 4, offset);
	int step = SQLITE_DONE;
	while (*n < (size_t)limit && (step = sqlite3_step(st)) == SQLITE_ROW)
		ids[(*n)++] = sqlite3_column_int64(st, 0);
	if (*n < (size_t)limit && step != SQLITE_DONE)
		rc = sq_fail(q, "orders");
	sq_done(st);
	return rc;
}

int sq_order_has_seller(struct store *s, int64_t order_id, int64_t seller_id, int *yes)
{
	struct sq_store *q = sq_of(s);
	*yes = 0;
	sqlite3_stmt *st = sq_stmt(q, "SELECT 1 FROM order_items WHERE order_id = ? AND seller_id = ?");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, order_id);
	sqlite3_bind_int64(st, 2, seller_id);
	int step = sqlite3_step(st), rc = STORE_OK;
	if (step == SQLITE_ROW)
		*yes = 1;
	else if (step != SQLITE_DONE)
		rc = sq_fail(q, "order seller");
	sq_done(st);
	return rc;
}
