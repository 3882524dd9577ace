/*
 * product_cache.h - serialised active products by id, answered from the event loop
 * (GET /api/v1/products/{id} without the worker hop; issue 16).
 *
 * A product's JSON depends on its row in products and on its seller's name in users.
 * The store tells this process's changes to them (store_on_product_change: the
 * product's id, or 0 for any product) once they are committed, on either backend, and
 * product_cache_changed bumps the product's bucket epoch (0: the global epoch); on
 * PostgreSQL the change feed (catalog_feed.c) tells other processes' changes the same
 * way, within milliseconds, which is as fresh as another process's answers can be.  An
 * entry is served only while the epochs it was stamped with (read before its row was
 * read) are current, so nothing stale is ever served: the bump comes after the
 * commit, so a copy stamped before it is stale from then on and one stamped after it
 * was read from the committed row.  Nothing is cached until product_cache_follow(1)
 * says every change is heard.
 */
#ifndef VOXCART_PRODUCT_CACHE_H
#define VOXCART_PRODUCT_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct product_cache_stamp {
	uint64_t bucket, global;
};

/* Product id changed (0: any product may have): its copy is stale.  Called after
 * commit for changes made here (store_on_product_change) and for those the change
 * feed hears from other processes (catalog_feed.c). */
void product_cache_changed(int64_t id);
/* Caching is on only while every change is heard: 1 from start-up on SQLite (one
 * process per file: the store tells every change), on PostgreSQL when the change feed
 * starts listening; 0 when it loses its connection (every copy is then stale, either
 * way).  Both are said by catalog_feed_start and its thread. */
void product_cache_follow(int on);
/* Read before reading product id's row, passed to product_cache_put with its JSON. */
struct product_cache_stamp product_cache_stamp(int64_t id);
/* Keeps a copy of the JSON of active product id (dropped if it changed meanwhile):
 * 0 kept, -1 not (changed meanwhile, or out of memory), -2 not (the byte budget is
 * spent). */
int product_cache_put(int64_t id, const struct product_cache_stamp *s, const char *json,
		      size_t len);

/* Every stamp at once, for reading many products in one read transaction: taken
 * before the transaction begins, it stamps each of its rows (a change committed
 * meanwhile makes the copy stale, as product_cache_stamp would).  free() it. */
struct product_cache_snapshot;
struct product_cache_snapshot *product_cache_snapshot(void);
struct product_cache_stamp product_cache_snapshot_stamp(const struct product_cache_snapshot *s,
							 int64_t id);

/* The id in path /api/v1/products/<id> (digits only), or -1 for any other path. */
int64_t product_cache_id_of(const char *path);
/* Calls fn with the cached JSON of active product id (NUL-terminated, len bytes), under
 * the entry's lock (fn must not call back into the cache): 0 when fn returned 0, -1 not
 * cached or out of date (fn not called), -2 fn failed. */
int product_cache_with(int64_t id, int (*fn)(const char *json, size_t len, void *arg), void *arg);
/* For path /api/v1/products/<id>: a malloc'd copy of the cached JSON in *body (0), or
 * -1 (not that path, not cached, or out of date). */
int product_cache_answer(const char *path, char **body, size_t *len);

/* Appends the cached JSON of active product id to the buffer *buf (*len bytes used of
 * *cap, grown with realloc): 0, or -1 (not cached, out of date, or out of memory;
 * nothing appended). */
int product_cache_append(int64_t id, char **buf, size_t *len, size_t *cap);

#endif
