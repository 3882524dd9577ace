/*
 * searchidx.h - an in-memory copy of the full-text index of active products, for
 * top-k search without ranking every match in SQLite (issue 16).
 *
 * products_fts stays the index of record; this module mirrors it: the same tokens (it
 * tokenizes with the table's own tokenizer, porter over unicode61 with diacritics
 * removed), the same prefix matching of each quoted word of fts_build_query(), and
 * the same weighted bm25 (weights 10, 1, 4, 5 for title, description, category,
 * tags; k1 1.2, b 0.75), computed in the same order of floating-point operations, so
 * that answers and their order are the ones FTS5 gives.  Postings hold each
 * product's weighted term frequency and the product's length, filters (category,
 * price, seller) and sort keys, so a search is a merge of posting lists and a
 * bounded heap: the `total` stays exact.
 *
 * It is built from the database through the storage interface (store_products_each,
 * either backend: the same catalog gives the same answers in the same order) at
 * start and after searchidx_invalidate() (searches meanwhile, and any query it does
 * not handle, get -1: the caller asks the database), and kept in step by
 * searchidx_product_changed() after each committed product change: made here, or by
 * another process on the same PostgreSQL database (heard by catalog_feed.c).
 */
#ifndef VOXCART_SEARCHIDX_H
#define VOXCART_SEARCHIDX_H

#include <stddef.h>
#include <stdint.h>

struct store;

enum searchidx_sort { SEARCHIDX_RANK, SEARCHIDX_NEWEST, SEARCHIDX_PRICE_ASC, SEARCHIDX_PRICE_DESC };

struct searchidx_query {
	const char *match;    /* fts_build_query() output, "" for none */
	int any_word;         /* the match joins words with OR */
	const char *category; /* NULL for any (compared like COLLATE NOCASE) */
	int64_t min_price, max_price; /* -1 for none */
	int64_t seller_id;    /* 0 for any */
	enum searchidx_sort sort;
	int64_t limit, offset;
};

/* Fills ids[0..*n) (at most q->limit) with the page and *total with every match.
 * Returns 0, or -1 when the index is not ready or the query is one it does not
 * handle (then nothing is filled). */
int searchidx_search(const struct searchidx_query *q, int64_t *ids, int *n, int64_t *total);
/* Counts active products that pass the filters (words ignored); -1 when not ready. */
int searchidx_count(const struct searchidx_query *q, int64_t *total);

/* Product id changed and the change is committed: re-read it through s. */
void searchidx_product_changed(struct store *s, int64_t id);
/* The same for several products, read in one go. */
void searchidx_products_changed(struct store *s, const int64_t *ids, size_t n);
/* Any product may have changed: forget the index, rebuild it (on a thread of its own)
 * on next use. */
void searchidx_invalidate(void);
/* Builds the index now from db, if it is not up to date (tests; the server builds on
 * first use). */
void searchidx_build(struct store *s);
/* Tests: how many merged prefix lists are kept, and how many of them differ from what
 * merging the prefix's terms gives now (a product, weight or length out of step); -1
 * when the index is not built or out of memory. */
long searchidx_prefix_lists(long *differ);

#endif
