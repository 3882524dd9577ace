/*
 * store/sqlite/search.c - product search on SQLite (store.h "catalog: search"): FTS5
 * for the words, an index per filter prefix and sort for the rest (sq_search_sql
 * picks the plan; tests/unit/test_catalog_plans.c checks every one).
 */
#include "store/sqlite/sqlite.h"

#include <stdio.h>
#include <stdlib.h>

#define FTS_RANK "bm25(products_fts, 10.0, 1.0, 4.0, 5.0)"

static const char *const order_sql[] = {
	[STORE_SORT_NEWEST] = "p.created_at DESC, p.id DESC",
	[STORE_SORT_PRICE_ASC] = "p.price_cents ASC, p.id",
	[STORE_SORT_PRICE_DESC] = "p.price_cents DESC, p.id",
	[STORE_SORT_RANK] = FTS_RANK ", p.id",
};

int sq_search_sql(const struct store_search *q, char *sql, size_t sqllen, char *count_sql,
		  size_t countlen)
{
	int words = q->words > 0;
	enum store_sort sort = q->sort;
	if ((unsigned)sort > STORE_SORT_RANK)
		return -1;
	if (sort == STORE_SORT_RANK && !words)
		sort = STORE_SORT_NEWEST;
	int has_price = q->min_price >= 0 || q->max_price >= 0;
	char where[512];
	snprintf(where, sizeof where, " WHERE p.status = 'active'%s%s%s%s%s",
		 words ? " AND products_fts MATCH ?1" : "",
		 q->category ? " AND p.category = ?2 COLLATE NOCASE" : "",
		 q->min_price >= 0 ? " AND p.price_cents >= ?3" : "",
		 q->max_price >= 0 ? " AND p.price_cents <= ?4" : "",
		 q->seller_id > 0 ? " AND p.seller_id = ?5" : "");

	if (words && sort == STORE_SORT_RANK && !q->category && !has_price && q->seller_id <= 0) {
		/* Words and no other filter: the index alone counts and ranks (it holds only
		 * active products; its rank is the weighted bm25 of migration 3). */
		snprintf(sql, sqllen, "SELECT f.rowid FROM (SELECT rowid, rank FROM products_fts"
			 " WHERE products_fts MATCH ?1 ORDER BY rank LIMIT ?6 OFFSET ?7) f"
			 " ORDER BY f.rank, f.rowid");
		snprintf(count_sql, countlen, "SELECT count(*) FROM products_fts WHERE products_fts MATCH ?1");
		return 0;
	}
	if (words) {
		/* Words and filters or another order: the full-text index drives (CROSS JOIN
		 * fixes the order; left to itself SQLite may walk every product and probe
		 * the index per row), the matches are filtered and sorted. */
		const char *from = " FROM products_fts CROSS JOIN products p ON p.id = products_fts.rowid";
		snprintf(sql, sqllen, "SELECT p.id%s%s ORDER BY %s LIMIT ?6 OFFSET ?7", from, where,
			 order_sql[sort]);
		snprintf(count_sql, countlen, "SELECT count(*)%s%s", from, where);
		return 0;
	}
	/* No words: an index per filter prefix (category, seller, both or neither), in
	 * the order of the sort.  A price range over few products (the total says how
	 * many) is ranged over and sorted; over many, the newest-first index is walked
	 * and the cap checked from the index entry until the page is full. */
	int by = (q->seller_id > 0) << 1 | (q->category != NULL);
	static const char *const newest_index[] = { "products_newest_price", "products_cat_newest",
						     "products_seller_newest", "products_seller_cat_newest" };
	static const char *const price_index[] = { "products_price", "products_cat_price",
						    "products_seller_price", "products_seller_cat_price" };
	const char *newest = newest_index[by], *price = price_index[by];
	int64_t total = q->total < 0 ? 0 : q->total;
	const char *index = sort != STORE_SORT_NEWEST ? price
			    : has_price && total <= SQ_SORT_MAX ? price : newest;
	snprintf(sql, sqllen, "SELECT p.id FROM products p INDEXED BY %s%s ORDER BY %s"
		 " LIMIT ?6 OFFSET ?7", index, where, order_sql[sort]);
	snprintf(count_sql, countlen, "SELECT count(*) FROM products p INDEXED BY %s%s", price, where);
	return 0;
}

static void bind_filters(sqlite3_stmt *st, const struct store_search *q)
{
	if (q->words > 0)
		sqlite3_bind_text(st, 1, q->match, -1, SQLITE_STATIC);
	if (q->category)
		sqlite3_bind_text(st, 2, q->category, -1, SQLITE_STATIC);
	if (q->min_price >= 0)
		sqlite3_bind_int64(st, 3, q->min_price);
	if (q->max_price >= 0)
		sqlite3_bind_int64(st, 4, q->max_price);
	if (q->seller_id > 0)
		sqlite3_bind_int64(st, 5, q->seller_id);
}

/* The search's SQL is built per query: prepared here and finalised after. */
static sqlite3_stmt *prepare(struct sq_store *q, const char *sql)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_set_err(&q->base, "prepare %.60s: %s", sql, sqlite3_errmsg(q->db));
		return NULL;
	}
	return st;
}

static int count(struct sq_store *q, const char *count_sql, const struct store_search *sq,
		 int64_t *total)
{
	sqlite3_stmt *ct = prepare(q, count_sql);
	if (!ct)
		return STORE_ERROR;
	bind_filters(ct, sq);
	int rc = sqlite3_step(ct) == SQLITE_ROW ? STORE_OK : sq_fail(q, "search count");
	if (rc == STORE_OK)
		*total = sqlite3_column_int64(ct, 0);
	sqlite3_finalize(ct);
	return rc;
}

int sq_products_search(struct store *s, const struct store_search *q, int64_t *ids, size_t *n,
		       int64_t *total)
{
	struct sq_store *sq = sq_of(s);
	char sql[2048], count_sql[1024];
	*n = 0;
	*total = q->total;
	if (sq_search_sql(q, sql, sizeof sql, count_sql, sizeof count_sql) != 0)
		return store_set_err(s, "search: unknown sort");
	struct store_search known = *q;
	if (q->words <= 0 && q->total < 0) {
		/* The total first: it picks the page's plan. */
		if (count(sq, count_sql, q, total) != STORE_OK)
			return STORE_ERROR;
		known.total = *total;
		sq_search_sql(&known, sql, sizeof sql, count_sql, sizeof count_sql);
	}
	sqlite3_stmt *st = prepare(sq, sql);
	if (!st)
		return STORE_ERROR;
	bind_filters(st, q);
	sqlite3_bind_int64(st, 6, q->limit);
	sqlite3_bind_int64(st, 7, q->offset);
	int step;
	while ((int64_t)*n < q->limit && (step = sqlite3_step(st)) == SQLITE_ROW)
		ids[(*n)++] = sqlite3_column_int64(st, 0);
	int rc = (int64_t)*n == q->limit || step == SQLITE_DONE ? STORE_OK : sq_fail(sq, "search");
	sqlite3_finalize(st);
	if (rc == STORE_OK && q->words > 0 && q->total < 0)
		rc = count(sq, count_sql, q, total);
	return rc;
}
