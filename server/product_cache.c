/*
 * product_cache.c - serialised active products for the event loop (see product_cache.h).
 *
 * A direct-mapped table by id (a collision replaces), striped locks, a byte budget.
 */
#include "product_cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS (1u << 17)
#define BUCKETS 4096u
#define STRIPES 64u
#define BUDGET ((size_t)96 << 20) /* bytes of JSON kept at most */

struct slot {
	int64_t id; /* 0: empty */
	struct product_cache_stamp stamp;
	char *body;
	size_t len;
};

static struct slot slots[SLOTS];
static pthread_mutex_t stripes[STRIPES];
static pthread_once_t once = PTHREAD_ONCE_INIT;
static atomic_uint_fast64_t bucket_epoch[BUCKETS];
static atomic_uint_fast64_t global_epoch;
static atomic_size_t bytes;
/* Set while every change is heard (product_cache_follow): on SQLite from start-up
 * (every change is made by this process and told by the store), on PostgreSQL while
 * the change feed listens; otherwise nothing is cached (or served: entries are stamped
 * before a global bump). */
static atomic_int attached;

static unsigned bucket_of(int64_t id)
{
	return (unsigned)((uint64_t)id % BUCKETS);
}

static void init(void)
{
	for (unsigned i = 0; i < STRIPES; i++)
		pthread_mutex_init(&stripes[i], NULL);
}

void product_cache_changed(int64_t id)
{
	if (id > 0)
		atomic_fetch_add(&bucket_epoch[bucket_of(id)], 1);
	else
		atomic_fetch_add(&global_epoch, 1);
}

void product_cache_follow(int on)
{
	if (!on)
		atomic_store(&attached, 0);
	atomic_fetch_add(&global_epoch, 1); /* changes may have gone unheard */
	if (on)
		atomic_store(&attached, 1);
}

struct product_cache_stamp product_cache_stamp(int64_t id)
{
	struct product_cache_stamp s = { atomic_load(&bucket_epoch[bucket_of(id)]),
					 atomic_load(&global_epoch) };
	return s;
}

static int current(const struct product_cache_stamp *s, int64_t id)
{
	return s->bucket == atomic_load(&bucket_epoch[bucket_of(id)]) &&
	       s->global == atomic_load(&global_epoch);
}

struct product_cache_snapshot {
	uint64_t bucket[BUCKETS], global;
};

struct product_cache_snapshot *product_cache_snapshot(void)
{
	struct product_cache_snapshot *s = malloc(sizeof *s);
	if (!s)
		return NULL;
	s->global = atomic_load(&global_epoch);
	for (unsigned i = 0; i < BUCKETS; i++)
		s->bucket[i] = atomic_load(&bucket_epoch[i]);
	return s;
}

struct product_cache_stamp product_cache_snapshot_stamp(const struct product_cache_snapshot *s,
							 int64_t id)
{
	struct product_cache_stamp st = { s->bucket[bucket_of(id)], s->global };
	return st;
}

int product_cache_put(int64_t id, const struct product_cache_stamp *s, const char *json, size_t len)
{
	if (id <= 0 || !atomic_load(&attached) || !current(s, id))
		return -1;
	pthread_once(&once, init);
	struct slot *sl = &slots[(uint64_t)id % SLOTS];
	pthread_mutex_t *m = &stripes[(uint64_t)id % STRIPES];
	int rc = -2;
	pthread_mutex_lock(m);
	size_t old = sl->body ? sl->len : 0;
	if (atomic_load(&bytes) - old + len <= BUDGET) {
		char *copy = malloc(len + 1);
		rc = -1;
		if (copy) {
			rc = 0;
			memcpy(copy, json, len);
			copy[len] = '\0';
			free(sl->body);
			atomic_fetch_sub(&bytes, old);
			atomic_fetch_add(&bytes, len);
			sl->id = id;
			sl->stamp = *s;
			sl->body = copy;
			sl->len = len;
		}
	}
	pthread_mutex_unlock(m);
	return rc;
}

int64_t product_cache_id_of(const char *path)
{
	static const char prefix[] = "/api/v1/products/";
	if (strncmp(path, prefix, sizeof prefix - 1) != 0)
		return -1;
	const char *p = path + sizeof prefix - 1;
	int64_t id = 0;
	int digits = 0;
	for (; *p >= '0' && *p <= '9' && digits < 18; p++, digits++)
		id = id * 10 + (*p - '0');
	if (*p || digits == 0 || id <= 0)
		return -1;
	return id;
}

int product_cache_with(int64_t id, int (*fn)(const char *json, size_t len, void *arg), void *arg)
{
	if (id <= 0)
		return -1;
	pthread_once(&once, init);
	struct slot *sl = &slots[(uint64_t)id % SLOTS];
	pthread_mutex_t *m = &stripes[(uint64_t)id % STRIPES];
	int rc = -1;
	pthread_mutex_lock(m);
	if (sl->id == id && sl->body && current(&sl->stamp, id))
		rc = fn(sl->body, sl->len, arg) == 0 ? 0 : -2;
	pthread_mutex_unlock(m);
	return rc;
}

struct copy_out {
	char **body;
	size_t *len;
};

static int copy_json(const char *json, size_t len, void *arg)
{
	struct copy_out *out = arg;
	*out->body = malloc(len + 1);
	if (!*out->body)
		return -1;
	memcpy(*out->body, json, len + 1);
	*out->len = len;
	return 0;
}

int product_cache_answer(const char *path, char **body, size_t *len)
{
	struct copy_out out = { body, len };
	return product_cache_with(product_cache_id_of(path), copy_json, &out) == 0 ? 0 : -1;
}

int product_cache_append(int64_t id, char **buf, size_t *len, size_t *cap)
{
	if (id <= 0)
		return -1;
	pthread_once(&once, init);
	struct slot *sl = &slots[(uint64_t)id % SLOTS];
	pthread_mutex_t *m = &stripes[(uint64_t)id % STRIPES];
	int rc = -1;
	pthread_mutex_lock(m);
	if (sl->id == id && sl->body && current(&sl->stamp, id)) {
		if (*len + sl->len + 1 > *cap) {
			size_t c = *cap ? *cap : 4096;
			while (c < *len + sl->len + 1)
				c *= 2;
			char *b = realloc(*buf, c);
			if (b) {
				*buf = b;
				*cap = c;
			}
		}
		if (*len + sl->len + 1 <= *cap) {
			memcpy(*buf + *len, sl->body, sl->len);
			*len += sl->len;
			rc = 0;
		}
	}
	pthread_mutex_unlock(m);
	return rc;
}
