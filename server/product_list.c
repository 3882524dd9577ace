/*
 * product_list.c - the product list from memory (see product_list.h).
 *
 * The query is read as h_products_list reads it (catalog.c); anything it would answer
 * with an error, and anything the index does not answer, is left to it.  The page's
 * products come from product_cache; one not cached is read by id (and cached), one no
 * longer active is left out, as catalog_search leaves it out.
 */
#include "product_list.h"
#include "catalog.h"
#include "fts.h"
#include "handlers.h"
#include "product_cache.h"
#include "log.h"
#include "searchidx.h"
#include "store.h" /* TRANSITIONAL: searchidx reads SQLite */

#include <errno.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* api_query_int without the error answer: -1 when the value would get one. */
static int query_int(const struct api_req *req, const char *name, int64_t def, int64_t min,
		     int64_t max, int64_t *out)
{
	const char *v = api_query(req, name);
	if (!v) {
		*out = def;
		return 0;
	}
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

struct buf {
	char *p;
	size_t len, cap;
};

static int put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t c = b->cap ? b->cap : 4096;
		while (c < b->len + n + 1)
			c *= 2;
		char *p = realloc(b->p, c);
		if (!p)
			return -1;
		b->p = p;
		b->cap = c;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

/* Appends product id's JSON: 1, 0 when it is no longer active (left out), -1 when it
 * cannot be read. */
static int append_product(struct store *db, int64_t id, struct buf *b)
{
	if (product_cache_append(id, &b->p, &b->len, &b->cap) == 0)
		return 1;
	/* The stamp before the row: a change meanwhile keeps this copy out of the cache. */
	struct product_cache_stamp stamp = product_cache_stamp(id);
	cJSON *p = catalog_product_get(db, id);
	if (!p)
		return -1; /* gone, or a database error: catalog_search tells which */
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(p, "status");
	int active = cJSON_IsString(status) && strcmp(status->valuestring, "active") == 0;
	char *text = active ? cJSON_PrintUnformatted(p) : NULL;
	cJSON_Delete(p);
	if (!active)
		return 0;
	if (!text)
		return -1;
	size_t n = strlen(text);
	product_cache_put(id, &stamp, text, n);
	int rc = put(b, text, n) == 0 ? 1 : -1;
	free(text);
	return rc;
}

int product_list_answer(struct api_req *req, struct api_resp *resp)
{
	int64_t min_price, max_price, seller_id, limit, offset;
	if (query_int(req, "min_price", -1, 0, 100000000000LL, &min_price) ||
	    query_int(req, "max_price", -1, 0, 100000000000LL, &max_price) ||
	    query_int(req, "seller_id", 0, 1, INT64_MAX, &seller_id) ||
	    query_int(req, "limit", 20, 1, 100, &limit) ||
	    query_int(req, "offset", 0, 0, INT32_MAX, &offset))
		return -1;
	const char *category = api_query(req, "category");
	if (category && !*category)
		category = NULL;
	char match[1024];
	int words = fts_build_query(api_query(req, "q"), 0, match, sizeof match);
	if (words < 0)
		words = 0; /* absurdly long: ignored, as catalog_search ignores it */
	const char *sort = api_query(req, "sort");
	enum searchidx_sort s;
	if (!sort || !*sort || strcmp(sort, "relevance") == 0)
		s = words > 0 ? SEARCHIDX_RANK : SEARCHIDX_NEWEST;
	else if (strcmp(sort, "price_asc") == 0)
		s = SEARCHIDX_PRICE_ASC;
	else if (strcmp(sort, "price_desc") == 0)
		s = SEARCHIDX_PRICE_DESC;
	else if (strcmp(sort, "newest") == 0)
		s = SEARCHIDX_NEWEST;
	else
		return -1;
	struct searchidx_query q = { .match = words > 0 ? match : "", .category = category,
				     .min_price = min_price, .max_price = max_price,
				     .seller_id = seller_id, .sort = s, .limit = limit,
				     .offset = offset };
	int64_t ids[100], total;
	int n;
	if (searchidx_search(store_db_of(req->store), &q, ids, &n, &total) != 0)
		return -1;
	struct buf b = { 0 };
	int ok = put(&b, "{\"items\":[", 10) == 0;
	for (int i = 0, shown = 0; ok && i < n; i++) {
		size_t mark = b.len;
		ok = !shown || put(&b, ",", 1) == 0;
		int r = ok ? append_product(req->store, ids[i], &b) : -1;
		if (r < 0)
			ok = 0;
		else if (r == 0)
			b.len = mark;
		else
			shown++;
	}
	char tail[96];
	int tn = snprintf(tail, sizeof tail, "],\"total\":%" PRId64 ",\"limit\":%" PRId64
			  ",\"offset\":%" PRId64 "}", total, limit, offset);
	if (!ok || put(&b, tail, (size_t)tn) != 0) {
		free(b.p);
		return -1;
	}
	free(resp->body);
	resp->status = 200;
	resp->body = b.p;
	resp->body_len = b.len;
	return 0;
}

/* The SELECT list product_row() reads, over "products p JOIN users u". */
#define CATALOG_COLUMNS                                                                  \
	"p.id, p.seller_id, u.name, p.title, p.description, p.price_cents, p.currency,"  \
	" p.stock, p.category, p.tags, p.status, p.created_at, p.updated_at"
#define CATALOG_FROM " FROM products p JOIN users u ON u.id = p.seller_id "

/* Product JSON from a row of CATALOG_COLUMNS (the same as catalog_product_json). */
static cJSON *product_row(sqlite3_stmt *st)
{
	cJSON *p = cJSON_CreateObject();
	cJSON_AddNumberToObject(p, "id", (double)sqlite3_column_int64(st, 0));
	cJSON_AddNumberToObject(p, "seller_id", (double)sqlite3_column_int64(st, 1));
	cJSON_AddStringToObject(p, "seller_name", (const char *)sqlite3_column_text(st, 2));
	cJSON_AddStringToObject(p, "title", (const char *)sqlite3_column_text(st, 3));
	cJSON_AddStringToObject(p, "description", (const char *)sqlite3_column_text(st, 4));
	cJSON_AddNumberToObject(p, "price_cents", (double)sqlite3_column_int64(st, 5));
	cJSON_AddStringToObject(p, "currency", (const char *)sqlite3_column_text(st, 6));
	cJSON_AddNumberToObject(p, "stock", (double)sqlite3_column_int64(st, 7));
	cJSON_AddStringToObject(p, "category", (const char *)sqlite3_column_text(st, 8));
	cJSON *tags = api_parse_stored((const char *)sqlite3_column_text(st, 9));
	if (!cJSON_IsArray(tags)) {
		cJSON_Delete(tags);
		tags = cJSON_CreateArray();
	}
	cJSON_AddItemToObject(p, "tags", tags);
	cJSON_AddStringToObject(p, "status", (const char *)sqlite3_column_text(st, 10));
	api_add_time(p, "created_at", sqlite3_column_int64(st, 11));
	api_add_time(p, "updated_at", sqlite3_column_int64(st, 12));
	return p;
}

void product_list_warm(sqlite3 *db)
{
	/* The stamps before the read transaction (product_cache.h). */
	struct product_cache_snapshot *snap = product_cache_snapshot();
	sqlite3_stmt *st = snap ? store_prepare(db, "SELECT " CATALOG_COLUMNS CATALOG_FROM
						"WHERE p.status = 'active' ORDER BY p.id")
				: NULL;
	size_t kept = 0;
	while (st && sqlite3_step(st) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		cJSON *p = product_row(st);
		char *text = p ? cJSON_PrintUnformatted(p) : NULL;
		cJSON_Delete(p);
		struct product_cache_stamp stamp = product_cache_snapshot_stamp(snap, id);
		int rc = text ? product_cache_put(id, &stamp, text, strlen(text)) : -1;
		free(text);
		if (rc == -2)
			break; /* the budget is spent: the rest is read on demand */
		kept += rc == 0;
	}
	sqlite3_finalize(st);
	free(snap);
	log_info("products", "%zu products serialised ahead of their first request", kept);
}

/* Once per process, on a thread of its own at low priority, when the product list or a
 * product is first asked for. */
static void *warm_main(void *arg)
{
	(void)arg;
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
	sqlite3 *db = store_thread_db();
	if (db)
		product_list_warm(db);
	store_thread_close();
	return NULL;
}

static void warm_start(void)
{
	pthread_t t;
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &a, warm_main, NULL) != 0)
		log_warn("products", "cannot start the thread that serialises products ahead");
	pthread_attr_destroy(&a);
}

static pthread_once_t warm_once = PTHREAD_ONCE_INIT;

HANDLER(h_products_list_fast)
{
	pthread_once(&warm_once, warm_start);
	if (product_list_answer(req, resp) != 0)
		h_products_list(req, resp);
}

HANDLER(h_product_get_warm)
{
	pthread_once(&warm_once, warm_start);
	h_product_get(req, resp);
}
