/*
 * catalog_feed.h - the catalog's change feed between processes (PostgreSQL).
 *
 * Several voxcartd on one PostgreSQL database each keep things built from the
 * catalog: the buddy's vocabulary and language model, the category list, list
 * totals.  A change made through one process is committed with a notification
 * (store_changes_listen); the feed thread of every other process hears it within a
 * quarter of a second and calls catalog_changed(), as a change made here does.  With
 * SQLite there is one process per file and no feed.
 */
#ifndef VOXCART_CATALOG_FEED_H
#define VOXCART_CATALOG_FEED_H

struct server;
struct catalog_feed;

/* Starts the feed's thread when the database is PostgreSQL (NULL otherwise, or when
 * the thread cannot start: logged).  It listens on a connection of its own,
 * reconnecting (and refreshing everything once) after the database went away. */
struct catalog_feed *catalog_feed_start(struct server *srv);
/* Ends it (after srv->stopping is set: it notices within a quarter of a second). */
void catalog_feed_stop(struct catalog_feed *f);

#endif
