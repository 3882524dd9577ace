/*
 * catalog.c - products, search and categories (see catalog.h).
 *
 * Search: with words, products_fts MATCH the built query (fts.c) ranked by bm25 with
 * the title weighted most; filters and sorts are plain SQL on products.  Only active
 * products are listed; an archived one is visible to its own seller alone, and stays
 * in the orders that hold it.
 */
#include "catalog.h"
#include "fts.h"
#include "handlers.h"
#include "product_cache.h"
#include "searchidx.h"
#include "server.h"
#include "store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FTS_RANK "bm25(products_fts, 10.0, 1.0, 4.0, 5.0)"

cJSON *catalog_product_row(sqlite3_stmt *st, int c)
{
	cJSON *p = cJSON_CreateObject();
	cJSON_AddNumberToObject(p, "id", (double)sqlite3_column_int64(st, c + 0));
	cJSON_AddNumberToObject(p, "seller_id", (double)sqlite3_column_int64(st, c + 1));
	cJSON_AddStringToObject(p, "seller_name", (const char *)sqlite3_column_text(st, c + 2));
	cJSON_AddStringToObject(p, "title", (const char *)sqlite3_column_text(st, c + 3));
	cJSON_AddStringToObject(p, "description", (const char *)sqlite3_column_text(st, c + 4));
	cJSON_AddNumberToObject(p, "price_cents", (double)sqlite3_column_int64(st, c + 5));
	cJSON_AddStringToObject(p, "currency", (const char *)sqlite3_column_text(st, c + 6));
	cJSON_AddNumberToObject(p, "stock", (double)sqlite3_column_int64(st, c + 7));
	cJSON_AddStringToObject(p, "category", (const char *)sqlite3_column_text(st, c + 8));
	cJSON *tags = api_parse_stored((const char *)sqlite3_column_text(st, c + 9));
	if (!cJSON_IsArray(tags)) {
		cJSON_Delete(tags);
		tags = cJSON_CreateArray();
	}
	cJSON_AddItemToObject(p, "tags", tags);
	cJSON_AddStringToObject(p, "status", (const char *)sqlite3_column_text(st, c + 10));
	api_add_time(p, "created_at", sqlite3_column_int64(st, c + 11));
	api_add_time(p, "updated_at", sqlite3_column_int64(st, c + 12));
	return p;
}

cJSON *catalog_product_json(const struct store_product *sp)
{
	cJSON *p = cJSON_CreateObject();
	cJSON_AddNumberToObject(p, "id", (double)sp->id);
	cJSON_AddNumberToObject(p, "seller_id", (double)sp->seller_id);
	cJSON_AddStringToObject(p, "seller_name", sp->seller_name);
	cJSON_AddStringToObject(p, "title", sp->title);
	cJSON_AddStringToObject(p, "description", sp->description);
	cJSON_AddNumberToObject(p, "price_cents", (double)sp->price_cents);
	cJSON_AddStringToObject(p, "currency", sp->currency);
	cJSON_AddNumberToObject(p, "stock", (double)sp->stock);
	cJSON_AddStringToObject(p, "category", sp->category);
	cJSON *tags = api_parse_stored(sp->tags);
	if (!cJSON_IsArray(tags)) {
		cJSON_Delete(tags);
		tags = cJSON_CreateArray();
	}
	cJSON_AddItemToObject(p, "tags", tags);
	cJSON_AddStringToObject(p, "status", sp->status);
	api_add_time(p, "created_at", sp->created_at);
	api_add_time(p, "updated_at", sp->updated_at);
	return p;
}

cJSON *catalog_products_json(const struct store_products *l)
{
	cJSON *items = cJSON_CreateArray();
	for (size_t i = 0; i < l->count; i++)
		cJSON_AddItemToArray(items, catalog_product_json(&l->items[i]));
	return items;
}

cJSON *catalog_product_get(struct store *store, int64_t id)
{
	struct store_product sp;
	if (store_product_get(store, id, &sp) != STORE_OK)
		return NULL;
	cJSON *p = catalog_product_json(&sp);
	store_product_free(&sp);
	return p;
}

/* Bumped with srv->catalog_version: the count cache below belongs to no server. */
static atomic_uint_fast64_t catalog_epoch;

void catalog_changed(struct server *srv)
{
	atomic_fetch_add(&catalog_epoch, 1);
	searchidx_invalidate();
	if (srv)
		atomic_fetch_add(&srv->catalog_version, 1);
}

void catalog_product_changed(struct server *srv, struct store *store, int64_t id)
{
	sqlite3 *db = store_db_of(store);
	atomic_fetch_add(&catalog_epoch, 1);
	searchidx_product_changed(db, id);
	if (srv)
		atomic_fetch_add(&srv->catalog_version, 1);
}

enum sort_kind { SORT_BAD = -1, SORT_NEWEST, SORT_PRICE_ASC, SORT_PRICE_DESC, SORT_RANK };

static enum sort_kind sort_kind(const char *sort, int has_text)
{
	if (!sort || !*sort)
		sort = "relevance";
	if (strcmp(sort, "relevance") == 0)
		return has_text ? SORT_RANK : SORT_NEWEST;
	if (strcmp(sort, "price_asc") == 0)
		return SORT_PRICE_ASC;
	if (strcmp(sort, "price_desc") == 0)
		return SORT_PRICE_DESC;
	if (strcmp(sort, "newest") == 0)
		return SORT_NEWEST;
	return SORT_BAD;
}

static const char *const order_sql[] = {
	[SORT_NEWEST] = "p.created_at DESC, p.id DESC",
	[SORT_PRICE_ASC] = "p.price_cents ASC, p.id",
	[SORT_PRICE_DESC] = "p.price_cents DESC, p.id",
	[SORT_RANK] = FTS_RANK ", p.id",
};

int catalog_search_sql(const struct catalog_query *q, int words, int64_t total, char *sql,
		       size_t sqllen, char *count_sql, size_t countlen)
{
	enum sort_kind sort = sort_kind(q->sort, words > 0);
	if (sort == SORT_BAD)
		return -1;
	int has_price = q->min_price >= 0 || q->max_price >= 0;
	char where[512];
	snprintf(where, sizeof where, " WHERE p.status = 'active'%s%s%s%s%s",
		 words > 0 ? " AND products_fts MATCH ?1" : "",
		 q->category ? " AND p.category = ?2 COLLATE NOCASE" : "",
		 q->min_price >= 0 ? " AND p.price_cents >= ?3" : "",
		 q->max_price >= 0 ? " AND p.price_cents <= ?4" : "",
		 q->seller_id > 0 ? " AND p.seller_id = ?5" : "");

	if (words > 0 && sort == SORT_RANK && !q->category && !has_price && q->seller_id <= 0) {
		/* Words and no other filter: the index alone counts and ranks (it holds only
		 * active products; its rank is the weighted bm25 of migration 3). */
		snprintf(sql, sqllen, "SELECT " CATALOG_COLUMNS " FROM (SELECT rowid, rank FROM products_fts"
			 " WHERE products_fts MATCH ?1 ORDER BY rank LIMIT ?6 OFFSET ?7) f"
			 " CROSS JOIN products p ON p.id = f.rowid CROSS JOIN users u ON u.id = p.seller_id"
			 " ORDER BY f.rank, p.id");
		snprintf(count_sql, countlen, "SELECT count(*) FROM products_fts WHERE products_fts MATCH ?1");
		return 0;
	}
	if (words > 0) {
		/* Words and filters or another order: the full-text index drives (CROSS JOIN
		 * fixes the order; left to itself SQLite may walk every product and probe
		 * the index per row), the matches are filtered and sorted. */
		const char *from = " FROM products_fts CROSS JOIN products p ON p.id = products_fts.rowid";
		snprintf(sql, sqllen, "SELECT " CATALOG_COLUMNS "%s CROSS JOIN users u ON u.id = p.seller_id%s"
			 " ORDER BY %s LIMIT ?6 OFFSET ?7", from, where, order_sql[sort]);
		snprintf(count_sql, countlen, "SELECT count(*)%s%s", from, where);
		return 0;
	}
	/* No words: an index per filter prefix (category, seller, both or neither), in
	 * the order of the sort.  A price range over few
	 * products (the count says how many) is ranged over and sorted; over many, the
	 * newest-first index is walked and the cap checked from the index entry until
	 * the page is full. */
	int by = (q->seller_id > 0) << 1 | (q->category != NULL);
	static const char *const newest_index[] = { "products_newest_price", "products_cat_newest",
						     "products_seller_newest", "products_seller_cat_newest" };
	static const char *const price_index[] = { "products_price", "products_cat_price",
						    "products_seller_price", "products_seller_cat_price" };
	const char *newest = newest_index[by], *price = price_index[by];
	const char *index = sort != SORT_NEWEST ? price
			    : has_price && total <= CATALOG_SORT_MAX ? price : newest;
	snprintf(sql, sqllen, "SELECT " CATALOG_COLUMNS " FROM products p INDEXED BY %s"
		 " CROSS JOIN users u ON u.id = p.seller_id%s ORDER BY %s LIMIT ?6 OFFSET ?7",
		 index, where, order_sql[sort]);
	snprintf(count_sql, countlen, "SELECT count(*) FROM products p INDEXED BY %s%s", price, where);
	return 0;
}

/* Totals of word-less lists by filter, for the current catalog_epoch: a total
 * counts every match (90,000 index entries for the whole catalog), the page needs
 * only 20.  Read the epoch before counting, so that a count from before a change is
 * filed under the old epoch. */
#define COUNT_SLOTS 2048
static struct count_slot {
	uint64_t epoch; /* 0: empty */
	int64_t min_price, max_price, seller_id, total;
	char category[96];
} count_cache[COUNT_SLOTS];
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;

static int count_key(const struct catalog_query *q, char cat[96], unsigned *slot)
{
	const char *c = q->category ? q->category : "";
	size_t n = strlen(c);
	if (n >= 96)
		return -1;
	unsigned h = 2166136261u;
	for (size_t i = 0; i <= n; i++) {
		/* NOCASE folds ASCII letters only */
		cat[i] = (char)(c[i] >= 'A' && c[i] <= 'Z' ? c[i] + 32 : c[i]);
		h = (h ^ (unsigned char)cat[i]) * 16777619u;
	}
	uint64_t nums[3] = { (uint64_t)q->min_price, (uint64_t)q->max_price, (uint64_t)q->seller_id };
	for (int i = 0; i < 3; i++)
		h = (h ^ (unsigned)(nums[i] ^ nums[i] >> 32)) * 16777619u;
	*slot = h % COUNT_SLOTS;
	return 0;
}

static int count_get(const struct catalog_query *q, uint64_t epoch, int64_t *total)
{
	char cat[96];
	unsigned i;
	if (count_key(q, cat, &i) != 0)
		return -1;
	pthread_mutex_lock(&count_lock);
	struct count_slot *s = &count_cache[i];
	int hit = s->epoch == epoch + 1 && s->min_price == q->min_price &&
		  s->max_price == q->max_price && s->seller_id == q->seller_id &&
		  strcmp(s->category, cat) == 0;
	if (hit)
		*total = s->total;
	pthread_mutex_unlock(&count_lock);
	return hit ? 0 : -1;
}

static void count_put(const struct catalog_query *q, uint64_t epoch, int64_t total)
{
	char cat[96];
	unsigned i;
	if (count_key(q, cat, &i) != 0)
		return;
	pthread_mutex_lock(&count_lock);
	struct count_slot *s = &count_cache[i];
	s->epoch = epoch + 1;
	s->min_price = q->min_price;
	s->max_price = q->max_price;
	s->seller_id = q->seller_id;
	s->total = total;
	memcpy(s->category, cat, sizeof cat);
	pthread_mutex_unlock(&count_lock);
}

static void bind_filters(sqlite3_stmt *st, const struct catalog_query *q, const char *match)
{
	if (match)
		sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
	if (q->category)
		sqlite3_bind_text(st, 2, q->category, -1, SQLITE_STATIC);
	if (q->min_price >= 0)
		sqlite3_bind_int64(st, 3, q->min_price);
	if (q->max_price >= 0)
		sqlite3_bind_int64(st, 4, q->max_price);
	if (q->seller_id > 0)
		sqlite3_bind_int64(st, 5, q->seller_id);
}

static int run_count(sqlite3 *db, const char *count_sql, const struct catalog_query *q,
		     const char *match, int64_t *total)
{
	sqlite3_stmt *ct = store_prepare(db, count_sql);
	if (!ct)
		return -1;
	bind_filters(ct, q, match);
	int ok = sqlite3_step(ct) == SQLITE_ROW;
	if (ok)
		*total = sqlite3_column_int64(ct, 0);
	sqlite3_finalize(ct);
	return ok ? 0 : -1;
}

static void to_index_query(const struct catalog_query *q, const char *match, int words,
			   struct searchidx_query *sq)
{
	static const enum searchidx_sort map[] = {
		[SORT_NEWEST] = SEARCHIDX_NEWEST, [SORT_PRICE_ASC] = SEARCHIDX_PRICE_ASC,
		[SORT_PRICE_DESC] = SEARCHIDX_PRICE_DESC, [SORT_RANK] = SEARCHIDX_RANK,
	};
	memset(sq, 0, sizeof *sq);
	sq->match = words > 0 ? match : "";
	sq->any_word = q->any_word;
	sq->category = q->category;
	sq->min_price = q->min_price;
	sq->max_price = q->max_price;
	sq->seller_id = q->seller_id;
	sq->sort = map[sort_kind(q->sort, words > 0)];
	sq->limit = q->limit;
	sq->offset = q->offset;
}

/* The products of ids, in that order (one that went away meanwhile is left out). */
static cJSON *rows_by_id(struct store *store, const int64_t *ids, int n)
{
	struct store_products l;
	if (store_products_by_id(store, ids, (size_t)n, &l) != STORE_OK)
		return NULL;
	cJSON *items = catalog_products_json(&l);
	store_products_free(&l);
	return items;
}

cJSON *catalog_search(struct store *store, const struct catalog_query *q, int *bad_sort)
{
	sqlite3 *db = store_db_of(store);
	char match[1024];
	int words = fts_build_query(q->text, q->any_word, match, sizeof match);
	if (words < 0)
		words = fts_build_query("", 0, match, sizeof match); /* absurdly long: ignore */
	char sql[2048], count_sql[1024];
	*bad_sort = catalog_search_sql(q, words, 0, sql, sizeof sql, count_sql, sizeof count_sql) != 0;
	if (*bad_sort)
		return NULL;
	const char *m = words > 0 ? match : NULL;
	int64_t total = 0;
	struct searchidx_query sq;
	to_index_query(q, match, words, &sq);
	if (words > 0 && q->limit <= 1000) {
		/* The in-memory index: only the best offset + limit are ranked in full. */
		int64_t ids[1000];
		int n;
		if (searchidx_search(db, &sq, ids, &n, &total) == 0) {
			cJSON *items = rows_by_id(store, ids, n);
			return items ? api_page_json(items, total, q->limit, q->offset) : NULL;
		}
	}
	if (words == 0) {
		/* The total first: it is cached, and it picks the page's plan. */
		uint64_t epoch = atomic_load(&catalog_epoch);
		if (count_get(q, epoch, &total) != 0) {
			if (searchidx_count(db, &sq, &total) != 0 &&
			    run_count(db, count_sql, q, NULL, &total) != 0)
				return NULL;
			count_put(q, epoch, total);
		}
		catalog_search_sql(q, words, total, sql, sizeof sql, count_sql, sizeof count_sql);
	}
	sqlite3_stmt *st = store_prepare(db, sql);
	if (!st)
		return NULL;
	bind_filters(st, q, m);
	sqlite3_bind_int64(st, 6, q->limit);
	sqlite3_bind_int64(st, 7, q->offset);
	cJSON *items = cJSON_CreateArray();
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		cJSON_AddItemToArray(items, catalog_product_row(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE || (words > 0 && run_count(db, count_sql, q, m, &total) != 0)) {
		cJSON_Delete(items);
		return NULL;
	}
	return api_page_json(items, total, q->limit, q->offset);
}

HANDLER(h_products_list)
{
	struct catalog_query q = { 0 };
	q.text = api_query(req, "q");
	q.category = api_query(req, "category");
	if (q.category && !*q.category)
		q.category = NULL;
	q.sort = api_query(req, "sort");
	if (api_query_int(req, resp, "min_price", -1, 0, 100000000000LL, &q.min_price) ||
	    api_query_int(req, resp, "max_price", -1, 0, 100000000000LL, &q.max_price) ||
	    api_query_int(req, resp, "seller_id", 0, 1, INT64_MAX, &q.seller_id) ||
	    api_page(req, resp, &q.limit, &q.offset))
		return;
	int bad_sort = 0;
	cJSON *page = catalog_search(req->store, &q, &bad_sort);
	if (bad_sort) {
		api_error(resp, 400, "bad_request", "sort",
			  "sort must be relevance, price_asc, price_desc or newest.");
		return;
	}
	if (!page) {
		api_store_failed(resp, req->store, "products list");
		return;
	}
	api_json(resp, 200, page);
}

HANDLER(h_product_get)
{
	struct product_cache_stamp stamp = product_cache_stamp(req->params[0]);
	cJSON *p = catalog_product_get(req->store, req->params[0]);
	int active = 0;
	if (p) {
		const char *status = cJSON_GetObjectItem(p, "status")->valuestring;
		int64_t seller = (int64_t)cJSON_GetObjectItem(p, "seller_id")->valuedouble;
		active = strcmp(status, "active") == 0;
		if (!active && !(req->has_user && req->user.id == seller)) {
			cJSON_Delete(p);
			p = NULL;
		}
	}
	if (!p) {
		api_error(resp, 404, "not_found", NULL, "There is no product %lld.",
			  (long long)req->params[0]);
		return;
	}
	api_json(resp, 200, p);
	/* An active product reads the same for everyone: the event loop may answer it. */
	if (active && resp->status == 200 && resp->body)
		product_cache_put(req->params[0], &stamp, resp->body, resp->body_len);
}

/* The category list changes only with the catalog's text or status: it is cached
 * per catalog_version (the GROUP BY reads every active product). */
static pthread_mutex_t categories_lock = PTHREAD_MUTEX_INITIALIZER;
static char *categories_json;
static uint64_t categories_version = UINT64_MAX;

HANDLER(h_categories)
{
	uint64_t version = atomic_load(&req->srv->catalog_version);
	pthread_mutex_lock(&categories_lock);
	if (categories_json && categories_version == version) {
		cJSON *cached = cJSON_Parse(categories_json);
		pthread_mutex_unlock(&categories_lock);
		api_json(resp, 200, cached);
		return;
	}
	pthread_mutex_unlock(&categories_lock);
	struct store_categories l;
	if (store_categories(req->store, &l) != STORE_OK) {
		api_store_failed(resp, req->store, "categories");
		return;
	}
	cJSON *items = cJSON_CreateArray();
	for (size_t i = 0; i < l.count; i++) {
		cJSON *c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "name", l.items[i].name);
		cJSON_AddNumberToObject(c, "count", (double)l.items[i].count);
		cJSON_AddItemToArray(items, c);
	}
	store_categories_free(&l);
	cJSON *out = cJSON_CreateObject();
	cJSON_AddItemToObject(out, "items", items);
	char *text = cJSON_PrintUnformatted(out);
	pthread_mutex_lock(&categories_lock);
	if (text) {
		free(categories_json);
		categories_json = text;
		categories_version = version;
	}
	pthread_mutex_unlock(&categories_lock);
	api_json(resp, 200, out);
}

HANDLER(h_seller_products)
{
	int64_t limit, offset;
	if (api_page(req, resp, &limit, &offset))
		return;
	/* The seller's own listings: the public Product plus their "sku" when set. */
	struct store_products l;
	int64_t total = 0;
	if (store_seller_products(req->store, req->user.id, limit, offset, &l, &total) != STORE_OK) {
		api_store_failed(resp, req->store, "seller products");
		return;
	}
	cJSON *items = cJSON_CreateArray();
	for (size_t i = 0; i < l.count; i++) {
		cJSON *p = catalog_product_json(&l.items[i]);
		if (l.items[i].sku)
			cJSON_AddStringToObject(p, "sku", l.items[i].sku);
		cJSON_AddItemToArray(items, p);
	}
	store_products_free(&l);
	api_json(resp, 200, api_page_json(items, total, limit, offset));
}
