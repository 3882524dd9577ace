/*
 * catalog_feed.h - the catalog's change feed between processes (PostgreSQL).
 *
 * Several voxcartd on one PostgreSQL database each keep things built from the
 * catalog: the in-memory search index, the serialised products, the buddy's
 * vocabulary and language model, the category list, list totals.  A change made
 * through one process is committed with a notification per product
 * (store_changes_listen); the feed thread of every process hears it within
 * milliseconds: the product's serialised copy is dropped (product_cache_changed) and,
 * when what it is found or listed by changed, it is read again into the search index
 * and the catalog's version moves on (catalog_products_changed), as for a change made
 * here.  A bulk change (more than 512 products at once) or a lost connection rebuilds
 * everything (catalog_changed); while the feed is down nothing is served from the
 * serialised copies.  With SQLite there is one process per file and no feed: every
 * change is made here and told by the store, so the serialised copies are served
 * from the start.
 */
#ifndef VOXCART_CATALOG_FEED_H
#define VOXCART_CATALOG_FEED_H

struct server;
struct catalog_feed;

/* Starts the feed's thread when the database is PostgreSQL (NULL otherwise, or when
 * the thread cannot start: logged); with SQLite turns the serialised copies on
 * (product_cache_follow) and returns NULL.  It listens on a connection of its own (the first
 * time before this returns, so that a build of the index that starts afterwards
 * misses no change), reconnecting (and refreshing everything once) after the
 * database went away. */
struct catalog_feed *catalog_feed_start(struct server *srv);
/* Ends it (after srv->stopping is set: it notices within a quarter of a second). */
void catalog_feed_stop(struct catalog_feed *f);

#endif
