/*
 * store/sqlite/catalog.c - products and categories on SQLite (store.h "catalog").
 */
#include "store/sqlite/sqlite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The columns product_row() reads, over "products p JOIN users u". */
#define PRODUCT_COLUMNS                                                                  \
	"p.id, p.seller_id, u.name, p.title, p.description, p.price_cents, p.currency,"  \
	" p.stock, p.category, p.tags, p.status, p.created_at, p.updated_at, p.sku"
#define PRODUCT_FROM " FROM products p JOIN users u ON u.id = p.seller_id "

static int product_row(struct store *s, sqlite3_stmt *st, void *item)
{
	struct store_product *p = item;
	p->id = sqlite3_column_int64(st, 0);
	p->seller_id = sqlite3_column_int64(st, 1);
	p->seller_name = sq_text_dup(st, 2);
	p->title = sq_text_dup(st, 3);
	p->description = sq_text_dup(st, 4);
	p->price_cents = sqlite3_column_int64(st, 5);
	snprintf(p->currency, sizeof p->currency, "%s", (const char *)sqlite3_column_text(st, 6));
	p->stock = sqlite3_column_int64(st, 7);
	p->category = sq_text_dup(st, 8);
	p->tags = sq_text_dup(st, 9);
	snprintf(p->status, sizeof p->status, "%s", (const char *)sqlite3_column_text(st, 10));
	p->created_at = sqlite3_column_int64(st, 11);
	p->updated_at = sqlite3_column_int64(st, 12);
	int has_sku = sqlite3_column_type(st, 13) != SQLITE_NULL;
	if (has_sku)
		p->sku = sq_text_dup(st, 13);
	if (!p->seller_name || !p->title || !p->description || !p->category || !p->tags ||
	    (has_sku && !p->sku)) {
		store_product_free(p);
		return store_set_err(s, "out of memory");
	}
	return STORE_OK;
}

/* Steps st to its end, appending each row to out; resets st. */
static int product_rows(struct store *s, sqlite3_stmt *st, struct store_products *out,
			const char *where)
{
	int rc = sq_collect(s, st, (void **)&out->items, &out->count, sizeof *out->items,
			    product_row, where);
	if (rc != STORE_OK)
		store_products_free(out);
	return rc;
}

int sq_product_get(struct store *s, int64_t id, struct store_product *p)
{
	struct sq_store *q = sq_of(s);
	memset(p, 0, sizeof *p);
	sqlite3_stmt *st = sq_stmt(q, "SELECT " PRODUCT_COLUMNS PRODUCT_FROM "WHERE p.id = ?");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, id);
	int rc = sq_row(q, st, "product get");
	if (rc == STORE_OK)
		rc = product_row(s, st, p);
	sq_done(st);
	return rc;
}

int sq_products_by_id(struct store *s, const int64_t *ids, size_t n, struct store_products *out)
{
	struct sq_store *q = sq_of(s);
	memset(out, 0, sizeof *out);
	if (n == 0)
		return STORE_OK;
	/* One statement kept prepared on the connection, stepped once per id. */
	sqlite3_stmt *st = sq_stmt(q, "SELECT " PRODUCT_COLUMNS PRODUCT_FROM
				      "WHERE p.id = ? AND p.status = 'active'");
	if (!st)
		return STORE_ERROR;
	out->items = malloc(n * sizeof *out->items);
	if (!out->items)
		return store_set_err(s, "out of memory");
	/* One read transaction for the lot (the rows of one moment), not one per row:
	 * each of those took and dropped the WAL read lock (fcntl calls). */
	int own = n > 1 && sqlite3_get_autocommit(q->db) &&
		  sq_exec_kept(q, "BEGIN") == STORE_OK;
	int rc = STORE_OK;
	for (size_t i = 0; i < n && rc == STORE_OK; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, ids[i]);
		int step = sqlite3_step(st);
		if (step == SQLITE_ROW) {
			memset(&out->items[out->count], 0, sizeof *out->items);
			rc = product_row(s, st, &out->items[out->count]);
			if (rc == STORE_OK)
				out->count++;
		} else if (step != SQLITE_DONE) {
			rc = sq_fail(q, "products by id");
		}
	}
	sq_done(st);
	if (own && sq_exec_kept(q, "COMMIT") != STORE_OK)
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
	if (rc != STORE_OK)
		store_products_free(out);
	return rc;
}

int sq_seller_products(struct store *s, int64_t seller_id, int64_t limit, int64_t offset,
		       struct store_products *out, int64_t *total)
{
	struct sq_store *q = sq_of(s);
	memset(out, 0, sizeof *out);
	*total = 0;
	sqlite3_stmt *ct = sq_stmt(q, "SELECT count(*) FROM products WHERE seller_id = ?");
	if (!ct)
		return STORE_ERROR;
	sqlite3_bind_int64(ct, 1, seller_id);
	int rc = sq_count(q, ct, total, "seller products count");
	if (rc != STORE_OK)
		return rc;
	sqlite3_stmt *st = sq_stmt(q, "SELECT " PRODUCT_COLUMNS PRODUCT_FROM
				      "WHERE p.seller_id = ?1 ORDER BY p.id DESC LIMIT ?2 OFFSET ?3");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, seller_id);
	sqlite3_bind_int64(st, 2, limit);
	sqlite3_bind_int64(st, 3, offset);
	return product_rows(s, st, out, "seller products");
}

int sq_seller_low_stock(struct store *s, int64_t seller_id, int64_t max_stock, int64_t limit,
			struct store_products *out)
{
	struct sq_store *q = sq_of(s);
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = sq_stmt(q, "SELECT " PRODUCT_COLUMNS PRODUCT_FROM
				      "WHERE p.seller_id = ? AND p.status = 'active' AND p.stock <= ?"
				      " ORDER BY p.stock, p.id LIMIT ?");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, seller_id);
	sqlite3_bind_int64(st, 2, max_stock);
	sqlite3_bind_int64(st, 3, limit);
	return product_rows(s, st, out, "low stock");
}

static int category_row(struct store *s, sqlite3_stmt *st, void *item)
{
	struct store_category *c = item;
	c->count = sqlite3_column_int64(st, 1);
	c->name = sq_text_dup(st, 0);
	return c->name ? STORE_OK : store_set_err(s, "out of memory");
}

int sq_categories(struct store *s, struct store_categories *out)
{
	struct sq_store *q = sq_of(s);
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = sq_stmt(q,
		"SELECT category, count(*) FROM products WHERE +status = 'active'"
		" GROUP BY category COLLATE NOCASE ORDER BY category COLLATE NOCASE");
	if (!st)
		return STORE_ERROR;
	int rc = sq_collect(s, st, (void **)&out->items, &out->count, sizeof *out->items,
			    category_row, "categories");
	if (rc != STORE_OK)
		store_categories_free(out);
	return rc;
}

int sq_products_count(struct store *s, int64_t *n)
{
	struct sq_store *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, "SELECT count(*) FROM products");
	return st ? sq_count(q, st, n, "products count") : STORE_ERROR;
}

/* PRODUCT_COLUMNS and the tags joined by spaces, as fts_sync (listings.c) indexes them. */
#define EACH_SELECT                                                                       \
	"SELECT " PRODUCT_COLUMNS ", coalesce((SELECT group_concat(value, ' ')"            \
	" FROM json_each(p.tags)), '')" PRODUCT_FROM

/* Steps st (bound) to its end or until fn stops: STORE_OK or the error. */
static int each_rows(struct store *s, sqlite3_stmt *st, store_product_fn fn, void *arg, int *stop)
{
	int step;
	while (!*stop && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_product p;
		memset(&p, 0, sizeof p);
		if (product_row(s, st, &p) != STORE_OK)
			return STORE_ERROR;
		*stop = fn(arg, &p, (const char *)sqlite3_column_text(st, 14)) != 0;
		store_product_free(&p);
	}
	if (*stop)
		return STORE_OK;
	return step == SQLITE_DONE ? STORE_OK : sq_fail(sq_of(s), "products each");
}

int sq_products_each(struct store *s, const int64_t *ids, size_t n, store_product_fn fn,
		     void *arg)
{
	struct sq_store *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, ids ? EACH_SELECT "WHERE p.id = ?"
				      : EACH_SELECT "WHERE p.status = 'active' ORDER BY p.id");
	if (!st)
		return STORE_ERROR;
	int rc = STORE_OK, stop = 0;
	if (!ids) {
		rc = each_rows(s, st, fn, arg, &stop);
	} else {
		/* in id order, as the other backend gives them */
		int64_t *sorted = malloc((n ? n : 1) * sizeof *sorted);
		if (!sorted)
			rc = store_set_err(s, "out of memory");
		for (size_t i = 0; sorted && i < n; i++)
			sorted[i] = ids[i];
		for (size_t i = 1; sorted && i < n; i++)
			for (size_t j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
				int64_t t = sorted[j];
				sorted[j] = sorted[j - 1];
				sorted[j - 1] = t;
			}
		for (size_t i = 0; sorted && rc == STORE_OK && !stop && i < n; i++) {
			if (i > 0 && sorted[i] == sorted[i - 1])
				continue;
			sqlite3_reset(st);
			sqlite3_bind_int64(st, 1, sorted[i]);
			rc = each_rows(s, st, fn, arg, &stop);
		}
		free(sorted);
	}
	sq_done(st);
	return rc;
}

int sq_products_each_text(struct store *s, store_text_fn fn, void *arg)
{
	struct sq_store *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q,
		"SELECT title, category, coalesce((SELECT group_concat(value, ' ')"
		" FROM json_each(tags)), '') FROM products WHERE status = 'active'");
	if (!st)
		return STORE_ERROR;
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW &&
	       fn(arg, (const char *)sqlite3_column_text(st, 0),
		  (const char *)sqlite3_column_text(st, 1), (const char *)sqlite3_column_text(st, 2)) == 0)
		;
	int rc = step == SQLITE_ROW || step == SQLITE_DONE ? STORE_OK : sq_fail(q, "product texts");
	sq_done(st);
	return rc;
}

int sq_categories_each(struct store *s, store_name_fn fn, void *arg)
{
	struct sq_store *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, "SELECT DISTINCT category FROM products WHERE status = 'active'");
	if (!st)
		return STORE_ERROR;
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW &&
	       fn(arg, (const char *)sqlite3_column_text(st, 0)) == 0)
		;
	int rc = step == SQLITE_ROW || step == SQLITE_DONE ? STORE_OK : sq_fail(q, "categories");
	sq_done(st);
	return rc;
}
