/*
 * store/sqlite/cart.c - cart lines on SQLite (store.h "carts").  The caller's BEGIN
 * IMMEDIATE serialises every writer, which is all store_cart_line_qty promises.
 */
#include "store/sqlite/sqlite.h"

#include <string.h>

static int line_row(struct store *s, sqlite3_stmt *st, void *item)
{
	struct store_cart_line *l = item;
	l->product_id = sqlite3_column_int64(st, 0);
	l->unit_price_cents = sqlite3_column_int64(st, 2);
	l->quantity = sqlite3_column_int64(st, 3);
	l->stock = sqlite3_column_int64(st, 4);
	l->active = sqlite3_column_int(st, 5);
	l->seller_id = sqlite3_column_int64(st, 6);
	l->title = sq_text_dup(st, 1);
	return l->title ? STORE_OK : store_set_err(s, "out of memory");
}

int sq_cart_get(struct store *s, int64_t user_id, struct store_cart *out)
{
	struct sq_store *q = sq_of(s);
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = sq_stmt(q,
		"SELECT c.product_id, p.title, p.price_cents, c.quantity, p.stock, p.status = 'active',"
		" p.seller_id FROM cart_items c JOIN products p ON p.id = c.product_id"
		" WHERE c.user_id = ? ORDER BY c.added_at, c.rowid");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	int rc = sq_collect(s, st, (void **)&out->items, &out->count, sizeof *out->items, line_row,
			    "cart");
	if (rc != STORE_OK)
		store_cart_free(out);
	return rc;
}

int sq_cart_line_qty(struct store *s, int64_t user_id, int64_t product_id, int64_t *qty)
{
	struct sq_store *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, "SELECT quantity FROM cart_items WHERE user_id = ? AND product_id = ?");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, product_id);
	int step = sqlite3_step(st), rc = STORE_OK;
	*qty = 0;
	if (step == SQLITE_ROW)
		*qty = sqlite3_column_int64(st, 0);
	else if (step != SQLITE_DONE)
		rc = sq_fail(q, "cart line");
	sq_done(st);
	return rc;
}

int sq_cart_put(struct store *s, int64_t user_id, int64_t product_id, int64_t qty, int64_t now)
{
	struct sq_store *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q,
		"INSERT INTO cart_items (user_id, product_id, quantity, added_at) VALUES (?,?,?,?)"
		" ON CONFLICT (user_id, product_id) DO UPDATE SET quantity = excluded.quantity");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, product_id);
	sqlite3_bind_int64(st, 3, qty);
	sqlite3_bind_int64(st, 4, now);
	int rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : sq_fail(q, "cart put");
	sq_done(st);
	return rc;
}

int sq_cart_delete(struct store *s, int64_t user_id, int64_t product_id)
{
	struct sq_store *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, "DELETE FROM cart_items WHERE user_id = ? AND product_id = ?");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, product_id);
	int rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : sq_fail(q, "cart delete");
	if (rc == STORE_OK && sqlite3_changes(q->db) == 0)
		rc = STORE_NOT_FOUND;
	sq_done(st);
	return rc;
}

int sq_cart_clear(struct store *s, int64_t user_id)
{
	struct sq_store *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, "DELETE FROM cart_items WHERE user_id = ?");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	int rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : sq_fail(q, "cart clear");
	sq_done(st);
	return rc;
}
