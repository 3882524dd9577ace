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
#include "store/store.h"

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
	if (searchidx_search(&q, ids, &n, &total) != 0)
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

struct warm {
	struct product_cache_snapshot *snap;
	size_t kept;
};

static int warm_row(void *arg, const struct store_product *sp, const char *tags_text)
{
	(void)tags_text;
	struct warm *w = arg;
	cJSON *p = catalog_product_json(sp);
	char *text = p ? cJSON_PrintUnformatted(p) : NULL;
	cJSON_Delete(p);
	struct product_cache_stamp stamp = product_cache_snapshot_stamp(w->snap, sp->id);
	int rc = text ? product_cache_put(sp->id, &stamp, text, strlen(text)) : -1;
	free(text);
	w->kept += rc == 0;
	return rc == -2; /* the budget is spent: the rest is read on demand */
}

void product_list_warm(struct store *s)
{
	/* The stamps before the read (product_cache.h). */
	struct warm w = { product_cache_snapshot(), 0 };
	if (w.snap && store_products_each(s, NULL, 0, warm_row, &w) != STORE_OK)
		log_warn("products", "products not serialised ahead: %s", store_errmsg(s));
	free(w.snap);
	log_info("products", "%zu products serialised ahead of their first request", w.kept);
}

/* Once per process, on a thread of its own at low priority, when the product list or a
 * product is first asked for. */
static void *warm_main(void *arg)
{
	(void)arg;
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
	struct store *db = store_thread();
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
