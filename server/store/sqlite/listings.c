/*
 * store/sqlite/listings.c - sellers' product writes on SQLite (store.h "the seller's
 * listings"), keeping products_fts in step: active products are in it, others not.
 */
#include "store/sqlite/sqlite.h"

/* Re-indexes one product in products_fts. */
static int fts_sync(struct sq_store *q, int64_t id)
{
	sqlite3_stmt *st = sq_stmt(q, "DELETE FROM products_fts WHERE rowid = ?");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : sq_fail(q, "fts delete");
	sq_done(st);
	if (rc != STORE_OK)
		return rc;
	st = sq_stmt(q, "INSERT INTO products_fts (rowid, title, description, category, tags_text)"
			" SELECT id, title, description, category,"
			" (SELECT group_concat(value, ' ') FROM json_each(products.tags))"
			" FROM products WHERE id = ? AND status = 'active'");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : sq_fail(q, "fts insert");
	sq_done(st);
	return rc;
}

static int sq_product_insert_steps(struct store *s, int64_t seller_id, const char *title,
		      const char *description, int64_t price_cents, int64_t stock,
		      const char *category, const char *tags_json, const char *sku, int64_t now,
		      int64_t *id)
{
	struct sq_store *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q,
		"INSERT INTO products (seller_id, title, description, price_cents, stock, category,"
		" tags, created_at, updated_at, sku) VALUES (?,?,?,?,?,?,?,?,?,?)");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, seller_id);
	sqlite3_bind_text(st, 2, title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, description ? description : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, price_cents);
	sqlite3_bind_int64(st, 5, stock);
	sqlite3_bind_text(st, 6, category, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, tags_json ? tags_json : "[]", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, now);
	sqlite3_bind_int64(st, 9, now);
	sqlite3_bind_text(st, 10, sku, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : sq_fail(q, "product insert");
	int64_t new_id = sqlite3_last_insert_rowid(q->db);
	sq_done(st);
	if (rc == STORE_OK)
		rc = fts_sync(q, new_id);
	if (rc == STORE_OK)
		*id = new_id;
	return rc;
}

int sq_product_insert(struct store *s, int64_t seller_id, const char *title,
		      const char *description, int64_t price_cents, int64_t stock,
		      const char *category, const char *tags_json, const char *sku, int64_t now,
		      int64_t *id)
{
	struct sq_store *q = sq_of(s);
	if (sq_atomic_begin(q) != STORE_OK)
		return STORE_ERROR;
	int rc = sq_product_insert_steps(s, seller_id, title, description, price_cents, stock, category, tags_json, sku, now, id);
	return sq_atomic_end(q, rc);
}

static int sq_product_update_steps(struct store *s, int64_t id, const struct store_product_change *c,
		      int64_t now)
{
	struct sq_store *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q,
		"UPDATE products SET title = coalesce(?1, title),"
		" description = coalesce(?2, description), category = coalesce(?3, category),"
		" status = coalesce(?4, status),"
		" price_cents = CASE WHEN ?5 THEN ?6 ELSE price_cents END,"
		" stock = CASE WHEN ?7 THEN ?8 ELSE stock END, tags = coalesce(?9, tags),"
		" updated_at = ?10, sku = coalesce(?12, sku) WHERE id = ?11");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_text(st, 1, c->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->description, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->category, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c->status, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, c->has_price != 0);
	sqlite3_bind_int64(st, 6, c->price_cents);
	sqlite3_bind_int(st, 7, c->has_stock != 0);
	sqlite3_bind_int64(st, 8, c->stock);
	sqlite3_bind_text(st, 9, c->tags_json, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, now);
	sqlite3_bind_int64(st, 11, id);
	sqlite3_bind_text(st, 12, c->sku, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : sq_fail(q, "product update");
	if (rc == STORE_OK && sqlite3_changes(q->db) == 0)
		rc = STORE_NOT_FOUND;
	sq_done(st);
	return rc == STORE_OK ? fts_sync(q, id) : rc;
}

int sq_product_update(struct store *s, int64_t id, const struct store_product_change *c,
		      int64_t now)
{
	struct sq_store *q = sq_of(s);
	if (sq_atomic_begin(q) != STORE_OK)
		return STORE_ERROR;
	return sq_atomic_end(q, sq_product_update_steps(s, id, c, now));
}

int sq_product_by_sku(struct store *s, int64_t seller_id, const char *sku, int64_t *id)
{
	struct sq_store *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, "SELECT id FROM products WHERE seller_id = ? AND sku = ?");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, seller_id);
	sqlite3_bind_text(st, 2, sku, -1, SQLITE_STATIC);
	int rc = sq_row(q, st, "product by sku");
	*id = rc == STORE_OK ? sqlite3_column_int64(st, 0) : 0;
	sq_done(st);
	return rc;
}
