/*
 * store/sqlite/sqlite.h - the SQLite backend's connection and helpers, shared by the
 * files of store/sqlite/ (one per aggregate).
 *
 * Each connection keeps its statements prepared: sq_stmt() returns the statement for
 * an SQL text (keyed by the text's address, so pass a string literal or a static
 * array), prepared on first use and reset for reuse.  The caller binds, steps and
 * hands it back with sq_done() (which resets it: a statement left mid-step would keep
 * a read snapshot open).
 */
#ifndef VOXCART_STORE_SQLITE_H
#define VOXCART_STORE_SQLITE_H

#include "store/backend.h"

#include <sqlite3.h>

#define SQ_CACHE_SLOTS 256

struct sq_store {
	struct store base;
	sqlite3 *db;
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} cache[SQ_CACHE_SLOTS];
};

static inline struct sq_store *sq_of(struct store *s)
{
	return (struct sq_store *)s;
}

/* The cached, reset statement for sql; NULL with s->err set on failure. */
sqlite3_stmt *sq_stmt(struct sq_store *q, const char *sql);
/* Resets st for its next use (NULL-safe). */
void sq_done(sqlite3_stmt *st);
/* Sets s->err from the connection's last error (prefixed by where); STORE_ERROR, or
 * STORE_CONFLICT when the last error was a constraint violation. */
int sq_fail(struct sq_store *q, const char *where);
/* Steps st once: STORE_OK on a row (read it, then sq_done), STORE_NOT_FOUND at the
 * end, else sq_fail(where). */
int sq_row(struct sq_store *q, sqlite3_stmt *st, const char *where);
/* Steps st to its end, filling one zeroed element of a growing array per row with
 * row() (STORE_OK, or STORE_ERROR with s->err set and nothing of its own left
 * allocated); the array is *items with *count elements of elem bytes.  Resets st.  On
 * failure the elements filled so far stay for the caller's *_free(). */
typedef int (*sq_row_fn)(struct store *s, sqlite3_stmt *st, void *item);
int sq_collect(struct store *s, sqlite3_stmt *st, void **items, size_t *count, size_t elem,
	       sq_row_fn row, const char *where);
/* Runs a count(*) statement into *n (resets st). */
int sq_count(struct sq_store *q, sqlite3_stmt *st, int64_t *n, const char *where);
/* Makes a multi-statement operation atomic whether or not a transaction is open (a
 * savepoint of its own): sq_atomic_end keeps its changes when rc is STORE_OK, else
 * undoes them; it returns rc (or STORE_ERROR when the release failed). */
int sq_atomic_begin(struct sq_store *q);
int sq_atomic_end(struct sq_store *q, int rc);
/* Runs SQL with no result rows; STORE_OK or sq_fail(). */
int sq_exec(struct sq_store *q, const char *sql);
/* The same for the statements run on every transaction (BEGIN, COMMIT, savepoints):
 * kept prepared in the connection's cache instead of parsed each time.  sql must be
 * a string literal (the cache is keyed by its address). */
int sq_exec_kept(struct sq_store *q, const char *sql);
/* Text column as a malloc'd copy ("" for NULL); NULL when out of memory. */
char *sq_text_dup(sqlite3_stmt *st, int col);

/* Transactions (the table's tx_* and savepoint_*): BEGIN IMMEDIATE, COMMIT (rolled
 * back when it fails), ROLLBACK (no-op outside one), and the savepoint "work". */
int sq_tx_begin(struct store *s);
int sq_tx_commit(struct store *s);
void sq_tx_rollback(struct store *s);
int sq_savepoint(struct store *s);
int sq_savepoint_rollback(struct store *s);
int sq_savepoint_release(struct store *s);

/* The sqlite3 handle of a SQLite connection, NULL for any other backend.  For the
 * modules not yet moved behind store/store.h (legacy store.h) only. */
sqlite3 *store_sqlite_db(struct store *s);

/* Opens path with voxcart's pragmas, and brings a handle's schema up to date. */
sqlite3 *sq_open_db(const char *path, char *err, size_t errlen);
int sq_migrate_db(sqlite3 *db, char *err, size_t errlen);
/* Wakes this process's writers waiting for the write lock (util.c): a connection
 * released it (its commits do this themselves, through the WAL hook). */
void sq_writer_done(void);
/* The busy handler every connection gets (sqlite3_busy_handler). */
int sq_busy_wait(void *arg, int count);

/* Operations of the aggregates (store/sqlite/<aggregate>.c). */
int sq_user_get(struct store *s, int64_t id, struct store_user *u);
int sq_user_create(struct store *s, const char *email, const char *password_hash, const char *name,
		   const char *role, int64_t now, int64_t *id);
int sq_user_update(struct store *s, int64_t id, const char *name, int set_address,
		   const char *address_json);
int sq_login_find(struct store *s, const char *email, struct store_login *l);
int sq_login_failed(struct store *s, int64_t user_id, int max_failures, int64_t now,
		    int64_t lock_until, int *failures);
int sq_login_reset(struct store *s, int64_t user_id, int64_t ended_by);
int sq_login_locked_until(struct store *s, int64_t user_id, int64_t *locked_until);
int sq_token_check(struct store *s, const char *access_hash, int64_t now,
		   struct store_token_user *u);
int sq_token_issue(struct store *s, int64_t user_id, const char *access_hash,
		   const char *refresh_hash, int64_t access_expires, int64_t refresh_expires,
		   int64_t now, int64_t login_id, int64_t *token_id);
int sq_token_refresh(struct store *s, const char *refresh_hash, int64_t now, int64_t *user_id,
		     int64_t *login_id, enum store_refresh_why *why);
int sq_login_end(struct store *s, int64_t login_id, int64_t token_id);
int sq_login_alive(struct store *s, int64_t login_id, int64_t now, int *alive);
int sq_conv_create(struct store *s, int64_t user_id, int64_t now, int64_t *id);
int sq_conv_get(struct store *s, int64_t conv_id, int64_t user_id, struct store_conv *c);
int sq_conv_list(struct store *s, int64_t user_id, int64_t limit, int64_t offset,
		 struct store_convs *out, int64_t *total);
int sq_conv_add_turn(struct store *s, int64_t conv_id, const char *user_text, const char *intent,
		     double sentiment, const char *reply, int frustrated, const char *state,
		     int64_t now);
int sq_conv_delete(struct store *s, int64_t conv_id);
int sq_conv_messages(struct store *s, int64_t conv_id, int last, struct store_messages *out);
/* search.c: the SQL of a search (the page: ?1 match, ?2 category, ?3 min_price, ?4
 * max_price, ?5 seller, ?6 limit, ?7 offset; selecting p.id) and of its count; -1 on an
 * unknown sort.  Without words the total (q->total, 0 when unknown) picks between
 * ranging over a small price range and walking an index.  Every plan starts from an
 * index or the full-text index, never a scan or a sort of the products table
 * (tests/unit/test_catalog_plans.c checks them all). */
#define SQ_SORT_MAX 1000 /* price ranges up to this many products are sorted */
int sq_search_sql(const struct store_search *q, char *sql, size_t sqllen, char *count_sql,
		  size_t countlen);
int sq_products_search(struct store *s, const struct store_search *q, int64_t *ids, size_t *n,
		       int64_t *total);
int sq_lock_try(struct store *s, enum store_lock lock, int *got);
int sq_lock_release(struct store *s, enum store_lock lock);
int sq_conv_state_put(struct store *s, int64_t conv_id, const char *state);
int sq_conv_state_get(struct store *s, int64_t conv_id, char **state);
int sq_product_get(struct store *s, int64_t id, struct store_product *p);
int sq_products_by_id(struct store *s, const int64_t *ids, size_t n, struct store_products *out);
int sq_seller_products(struct store *s, int64_t seller_id, int64_t limit, int64_t offset,
		       struct store_products *out, int64_t *total);
int sq_seller_low_stock(struct store *s, int64_t seller_id, int64_t max_stock, int64_t limit,
			struct store_products *out);
int sq_categories(struct store *s, struct store_categories *out);
int sq_cart_get(struct store *s, int64_t user_id, struct store_cart *out);
int sq_cart_line_qty(struct store *s, int64_t user_id, int64_t product_id, int64_t *qty);
int sq_cart_put(struct store *s, int64_t user_id, int64_t product_id, int64_t qty, int64_t now);
int sq_cart_delete(struct store *s, int64_t user_id, int64_t product_id);
int sq_cart_clear(struct store *s, int64_t user_id);
int sq_card_get(struct store *s, int64_t user_id, int64_t id, struct store_card *c);
int sq_cards_list(struct store *s, int64_t user_id, struct store_cards *out);
int sq_card_default(struct store *s, int64_t user_id, int64_t *id);
int sq_card_insert(struct store *s, int64_t user_id, const struct store_card *c, int64_t now,
		   int64_t *id);
int sq_card_set_default(struct store *s, int64_t user_id, int64_t id);
int sq_card_delete(struct store *s, int64_t user_id, int64_t id);
int sq_stock_take(struct store *s, int64_t product_id, int64_t qty);
int sq_order_insert(struct store *s, int64_t user_id, int64_t subtotal_cents,
		    const char *address_json, int64_t expires_at, int64_t now,
		    const struct store_order_line *lines, size_t n, int64_t *id);
int sq_order_mark_paid(struct store *s, int64_t order_id, const struct store_order_payment *p,
		       int64_t now);
int sq_order_state(struct store *s, int64_t order_id, struct store_order_state *o);
int sq_order_release(struct store *s, int64_t order_id, int refunded, int64_t now);
int sq_orders_due(struct store *s, int64_t now, int64_t *ids, size_t max, size_t *n);
int sq_order_expire(struct store *s, int64_t order_id, int64_t now);
int sq_order_get(struct store *s, int64_t order_id, struct store_order *o);
int sq_order_ids(struct store *s, int64_t user_id, const char *status, int64_t limit,
		 int64_t offset, int64_t *ids, size_t *n, int64_t *total);
int sq_order_has_seller(struct store *s, int64_t order_id, int64_t seller_id, int *yes);
int sq_product_insert(struct store *s, int64_t seller_id, const char *title,
		      const char *description, int64_t price_cents, int64_t stock,
		      const char *category, const char *tags_json, const char *sku, int64_t now,
		      int64_t *id);
int sq_product_update(struct store *s, int64_t id, const struct store_product_change *c,
		      int64_t now);
int sq_product_by_sku(struct store *s, int64_t seller_id, const char *sku, int64_t *id);
int sq_seller_order_ids(struct store *s, int64_t seller_id, const char *status, int64_t limit,
			int64_t offset, int64_t *ids, size_t *n, int64_t *total);
int sq_seller_order_lines(struct store *s, int64_t order_id, int64_t seller_id, char status[24],
			  int *lines);
int sq_seller_ship(struct store *s, int64_t order_id, int64_t seller_id, int64_t now);
int sq_seller_totals(struct store *s, int64_t seller_id, int64_t low_stock_max,
		     struct store_seller_totals *t);
int sq_seller_top_products(struct store *s, int64_t seller_id, int64_t limit,
			   struct store_top_products *out);
int sq_products_count(struct store *s, int64_t *n);
int sq_products_each_text(struct store *s, store_text_fn fn, void *arg);
int sq_products_each(struct store *s, const int64_t *ids, size_t n, store_product_fn fn,
		     void *arg);
int sq_categories_each(struct store *s, store_name_fn fn, void *arg);
int sq_idem_get(struct store *s, int64_t user_id, const char *key, int64_t since,
		struct store_idem *a);
int sq_idem_put(struct store *s, int64_t user_id, const char *key, const char *request,
		int status, const char *body, size_t body_len, int64_t now);
int sq_idem_purge(struct store *s, int64_t before, int64_t *purged);

#endif
