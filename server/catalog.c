/*
 * catalog.c - products, search and categories (see catalog.h).
 *
 * Search: the in-memory index (searchidx.c) when it can answer, else the storage
 * interface's search (store_products_search: FTS5 or PostgreSQL's tsvector, ranked
 * with the title weighted most) and the products by id.  Only active
 * products are listed; an archived one is visible to its own seller alone, and stays
 * in the orders that hold it.
 */
#include "catalog.h"
#include "fts.h"
#include "handlers.h"
#include "product_cache.h"
#include "searchidx.h"
#include "server.h"
#include "store/store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
	catalog_products_changed(srv, store, &id, 1);
}

void catalog_products_changed(struct server *srv, struct store *store, const int64_t *ids,
			      size_t n)
{
	atomic_fetch_add(&catalog_epoch, 1);
	searchidx_products_changed(store, ids, n);
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
static int parse_cached(const char *json, size_t len, void *arg)
{
	cJSON **out = arg;
	*out = cJSON_ParseWithLength(json, len);
	return *out ? 0 : -1;
}

/* The active products of ids, in that order: each from product_cache.c's copy when it
 * has a current one, the rest from the store.  Every buddy search reads 20 of them, and
 * the store reads each row's pages again (SQLite empties a connection's page cache
 * after any commit by another; every buddy turn commits). */
static cJSON *rows_by_id(struct store *store, const int64_t *ids, int n)
{
	if (n <= 0)
		return cJSON_CreateArray();
	cJSON **got = calloc((size_t)n, sizeof *got);
	int64_t *missing = malloc((size_t)n * sizeof *missing);
	cJSON *items = NULL;
	struct product_cache_stamp *stamps = NULL;
	size_t nmissing = 0;
	if (!got || !missing)
		goto out;
	for (int i = 0; i < n; i++)
		if (product_cache_with(ids[i], parse_cached, &got[i]) != 0)
			missing[nmissing++] = ids[i];
	if (nmissing > 0) {
		/* stamped before the read, as h_product_get does: the copies kept of what is
		 * read here are dropped if a product changes meanwhile */
		stamps = malloc(nmissing * sizeof *stamps);
		for (size_t k = 0; stamps && k < nmissing; k++)
			stamps[k] = product_cache_stamp(missing[k]);
		struct store_products l;
		if (store_products_by_id(store, missing, nmissing, &l) != STORE_OK)
			goto out;
		for (size_t k = 0; k < l.count; k++) {
			cJSON *p = NULL;
			for (int i = 0; i < n; i++)
				if (!got[i] && ids[i] == l.items[k].id)
					got[i] = p = catalog_product_json(&l.items[k]);
			/* kept for the next search (and product page) that wants it */
			char *text = p && stamps ? cJSON_PrintUnformatted(p) : NULL;
			for (size_t m = 0; text && m < nmissing; m++)
				if (missing[m] == l.items[k].id) {
					product_cache_put(missing[m], &stamps[m], text, strlen(text));
					break;
				}
			free(text);
		}
		store_products_free(&l);
	}
	items = cJSON_CreateArray();
	for (int i = 0; i < n; i++)
		if (got[i]) {
			cJSON_AddItemToArray(items, got[i]);
			got[i] = NULL;
		}
out:
	for (int i = 0; got && i < n; i++)
		cJSON_Delete(got[i]);
	free(got);
	free(missing);
	free(stamps);
	return items;
}

cJSON *catalog_search(struct store *store, const struct catalog_query *q, int *bad_sort)
{
	static const enum store_sort store_sort[] = {
		[SORT_NEWEST] = STORE_SORT_NEWEST, [SORT_PRICE_ASC] = STORE_SORT_PRICE_ASC,
		[SORT_PRICE_DESC] = STORE_SORT_PRICE_DESC, [SORT_RANK] = STORE_SORT_RANK,
	};
	char match[1024];
	int words = fts_build_query(q->text, q->any_word, match, sizeof match);
	if (words < 0)
		words = fts_build_query("", 0, match, sizeof match); /* absurdly long: ignore */
	enum sort_kind sort = sort_kind(q->sort, words > 0);
	*bad_sort = sort == SORT_BAD;
	if (*bad_sort)
		return NULL;
	int64_t total = -1;
	struct searchidx_query sq;
	to_index_query(q, match, words, &sq);
	if (words > 0 && q->limit <= 1000) {
		/* The in-memory index: only the best offset + limit are ranked in full. */
		int64_t ids[1000];
		int n;
		if (searchidx_search(&sq, ids, &n, &total) == 0) {
			cJSON *items = rows_by_id(store, ids, n);
			return items ? api_page_json(items, total, q->limit, q->offset) : NULL;
		}
	}
	/* Without words the total is cached per catalog_epoch (read before counting, so
	 * that a count from before a change is filed under the old epoch). */
	uint64_t epoch = atomic_load(&catalog_epoch);
	if (words == 0 && count_get(q, epoch, &total) != 0 && searchidx_count(&sq, &total) != 0)
		total = -1;
	struct store_search ss = { .match = match, .words = words, .category = q->category,
				   .min_price = q->min_price, .max_price = q->max_price,
				   .seller_id = q->seller_id, .sort = store_sort[sort],
				   .limit = q->limit, .offset = q->offset, .total = total };
	int64_t *ids = malloc((size_t)(q->limit > 0 ? q->limit : 1) * sizeof *ids);
	size_t n = 0;
	if (!ids || store_products_search(store, &ss, ids, &n, &total) != STORE_OK) {
		free(ids);
		return NULL;
	}
	if (words == 0 && ss.total < 0)
		count_put(q, epoch, total);
	cJSON *items = rows_by_id(store, ids, (int)n);
	free(ids);
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
