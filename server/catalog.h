/*
 * catalog.h - products and categories: search (FTS5, filters, sorts, pages), the
 * seller's listings, and the Product JSON every other module reuses.
 *
 * Every change to a product's text or status also updates its full-text entry (only
 * active products are indexed; the store keeps it) and bumps srv->catalog_version,
 * which the buddy's vocabulary, the speech recogniser's language model and the
 * categories cache watch.  Stock changes do not: they change none of those.
 */
#ifndef VOXCART_CATALOG_H
#define VOXCART_CATALOG_H

#include "api.h"

struct store;

struct server;

struct store_product;
struct store_products;
/* Product JSON of a stored product, and an array of them. */
cJSON *catalog_product_json(const struct store_product *p);
cJSON *catalog_products_json(const struct store_products *l);
/* Product JSON by id (any status), or NULL. */
cJSON *catalog_product_get(struct store *db, int64_t id);

struct catalog_query {
	const char *text;      /* user text, or NULL */
	const char *category;  /* exact (case-insensitive), or NULL */
	int64_t min_price, max_price; /* cents, -1 for none */
	int64_t seller_id;     /* 0 for any */
	const char *sort;      /* relevance, price_asc, price_desc, newest; NULL default */
	int any_word;          /* 1: match any word (OR) rather than all */
	int64_t limit, offset;
};

/* Runs a search over active products; returns a page object or NULL on a database
 * error.  An unknown sort gives NULL with *bad_sort set. */
cJSON *catalog_search(struct store *db, const struct catalog_query *q, int *bad_sort);

/* Inserts a product for a seller (fields validated by the caller). Returns its id. */
int64_t catalog_insert(struct store *db, int64_t seller_id, const char *title, const char *desc,
		       int64_t price_cents, int64_t stock, const char *category,
		       const char *tags_json);

/* After a committed change: of any products (bulk), or of product id alone (it is
 * re-read from db into the in-memory search index). */
void catalog_changed(struct server *srv);
void catalog_product_changed(struct server *srv, struct store *db, int64_t id);
/* Products ids[0..n) changed (read again in one go). */
void catalog_products_changed(struct server *srv, struct store *db, const int64_t *ids,
			      size_t n);

#endif
