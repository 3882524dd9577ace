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

cJSON *catalog_product_get(sqlite3 *db, int64_t id)
{
	sqlite3_stmt *st = store_prepare(db, "SELECT " CATALOG_COLUMNS CATALOG_FROM "WHERE p.id = ?");
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	cJSON *p = sqlite3_step(st) == SQLITE_ROW ? catalog_product_row(st, 0) : NULL;
	sqlite3_finalize(st);
	return p;
}

void catalog_changed(struct server *srv)
{
	if (srv)
		atomic_fetch_add(&srv->catalog_version, 1);
}

static const char *order_by(const char *sort, int has_text)
{
	if (!sort || !*sort)
		sort = has_text ? "relevance" : "newest";
	if (strcmp(sort, "relevance") == 0)
		return has_text ? FTS_RANK ", p.id" : "p.created_at DESC, p.id DESC";
	if (strcmp(sort, "price_asc") == 0)
		return "p.price_cents ASC, p.id";
	if (strcmp(sort, "price_desc") == 0)
		return "p.price_cents DESC, p.id";
	if (strcmp(sort, "newest") == 0)
		return "p.created_at DESC, p.id DESC";
	return NULL;
}

cJSON *catalog_search(sqlite3 *db, const struct catalog_query *q, int *bad_sort)
{
	char match[1024];
	int words = fts_build_query(q->text, q->any_word, match, sizeof match);
	if (words < 0)
		words = fts_build_query("", 0, match, sizeof match); /* absurdly long: ignore */
	const char *order = order_by(q->sort, words > 0);
	*bad_sort = order == NULL;
	if (!order)
		return NULL;

	/* With words, the full-text index drives the query (CROSS JOIN fixes the order:
	 * left to itself SQLite may walk every product and probe the index per row).
	 * With words and no other filter, the index alone counts and ranks: it holds
	 * only active products, and its rank is the weighted bm25 (migration 3). */
	int index_only = words > 0 && !q->category && q->min_price < 0 && q->max_price < 0 &&
			 q->seller_id <= 0 && strcmp(order, FTS_RANK ", p.id") == 0;
	const char *from = words > 0 ? " FROM products_fts CROSS JOIN products p ON p.id = products_fts.rowid"
				     : " FROM products p";
	char where[512];
	snprintf(where, sizeof where, " WHERE p.status = 'active'%s%s%s%s%s",
		 words > 0 ? " AND products_fts MATCH ?1" : "",
		 q->category ? " AND p.category = ?2 COLLATE NOCASE" : "",
		 q->min_price >= 0 ? " AND p.price_cents >= ?3" : "",
		 q->max_price >= 0 ? " AND p.price_cents <= ?4" : "",
		 q->seller_id > 0 ? " AND p.seller_id = ?5" : "");
	char sql[2048];
	char count_sql[1024];
	if (index_only) {
		snprintf(sql, sizeof sql, "SELECT " CATALOG_COLUMNS " FROM (SELECT rowid, rank FROM products_fts"
			 " WHERE products_fts MATCH ?1 ORDER BY rank LIMIT ?6 OFFSET ?7) f"
			 " CROSS JOIN products p ON p.id = f.rowid JOIN users u ON u.id = p.seller_id"
			 " ORDER BY f.rank, p.id");
		snprintf(count_sql, sizeof count_sql,
			 "SELECT count(*) FROM products_fts WHERE products_fts MATCH ?1");
	} else {
		snprintf(sql, sizeof sql, "SELECT " CATALOG_COLUMNS "%s JOIN users u ON u.id = p.seller_id%s"
			 " ORDER BY %s LIMIT ?6 OFFSET ?7", from, where, order);
		snprintf(count_sql, sizeof count_sql, "SELECT count(*)%s%s", from, where);
	}

	sqlite3_stmt *st = store_prepare(db, sql), *ct = store_prepare(db, count_sql);
	cJSON *items = NULL;
	int64_t total = 0;
	if (!st || !ct)
		goto out;
	sqlite3_stmt *both[2] = { st, ct };
	for (int i = 0; i < 2; i++) {
		if (words > 0)
			sqlite3_bind_text(both[i], 1, match, -1, SQLITE_STATIC);
		if (q->category)
			sqlite3_bind_text(both[i], 2, q->category, -1, SQLITE_STATIC);
		if (q->min_price >= 0)
			sqlite3_bind_int64(both[i], 3, q->min_price);
		if (q->max_price >= 0)
			sqlite3_bind_int64(both[i], 4, q->max_price);
		if (q->seller_id > 0)
			sqlite3_bind_int64(both[i], 5, q->seller_id);
	}
	sqlite3_bind_int64(st, 6, q->limit);
	sqlite3_bind_int64(st, 7, q->offset);
	items = cJSON_CreateArray();
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		cJSON_AddItemToArray(items, catalog_product_row(st, 0));
	if (rc != SQLITE_DONE || sqlite3_step(ct) != SQLITE_ROW) {
		cJSON_Delete(items);
		items = NULL;
		goto out;
	}
	total = sqlite3_column_int64(ct, 0);
out:
	sqlite3_finalize(st);
	sqlite3_finalize(ct);
	return items ? api_page_json(items, total, q->limit, q->offset) : NULL;
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
	cJSON *page = catalog_search(req->db, &q, &bad_sort);
	if (bad_sort) {
		api_error(resp, 400, "bad_request", "sort",
			  "sort must be relevance, price_asc, price_desc or newest.");
		return;
	}
	if (!page) {
		api_internal(resp, req->db, "products list");
		return;
	}
	api_json(resp, 200, page);
}

HANDLER(h_product_get)
{
	cJSON *p = catalog_product_get(req->db, req->params[0]);
	if (p) {
		const char *status = cJSON_GetObjectItem(p, "status")->valuestring;
		int64_t seller = (int64_t)cJSON_GetObjectItem(p, "seller_id")->valuedouble;
		if (strcmp(status, "active") != 0 && !(req->has_user && req->user.id == seller)) {
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
	sqlite3_stmt *st = store_prepare(req->db,
		"SELECT category, count(*) FROM products WHERE +status = 'active'"
		" GROUP BY category COLLATE NOCASE ORDER BY category COLLATE NOCASE");
	if (!st) {
		api_internal(resp, req->db, "categories");
		return;
	}
	cJSON *items = cJSON_CreateArray();
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "name", (const char *)sqlite3_column_text(st, 0));
		cJSON_AddNumberToObject(c, "count", (double)sqlite3_column_int64(st, 1));
		cJSON_AddItemToArray(items, c);
	}
	sqlite3_finalize(st);
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
	sqlite3_stmt *st = store_prepare(req->db, "SELECT " CATALOG_COLUMNS CATALOG_FROM
		"WHERE p.seller_id = ?1 ORDER BY p.id DESC LIMIT ?2 OFFSET ?3");
	sqlite3_stmt *ct = store_prepare(req->db, "SELECT count(*) FROM products WHERE seller_id = ?");
	if (!st || !ct) {
		sqlite3_finalize(st);
		sqlite3_finalize(ct);
		api_internal(resp, req->db, "seller products");
		return;
	}
	sqlite3_bind_int64(st, 1, req->user.id);
	sqlite3_bind_int64(st, 2, limit);
	sqlite3_bind_int64(st, 3, offset);
	sqlite3_bind_int64(ct, 1, req->user.id);
	cJSON *items = cJSON_CreateArray();
	while (sqlite3_step(st) == SQLITE_ROW)
		cJSON_AddItemToArray(items, catalog_product_row(st, 0));
	int64_t total = sqlite3_step(ct) == SQLITE_ROW ? sqlite3_column_int64(ct, 0) : 0;
	sqlite3_finalize(st);
	sqlite3_finalize(ct);
	api_json(resp, 200, api_page_json(items, total, limit, offset));
}
