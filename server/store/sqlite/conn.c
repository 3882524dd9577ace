/*
 * store/sqlite/conn.c - SQLite connections: opening with voxcart's pragmas,
 * migrations, transactions and the per-connection statement cache (see sqlite.h).
 *
 * Every connection runs in WAL mode with a busy timeout and foreign keys on, so
 * readers never block the writer and a writer waits its turn.  store_tx_begin() is
 * BEGIN IMMEDIATE: a transaction that will write takes the write lock up front and
 * cannot deadlock on an upgrade.
 *
 * Waiting for the write lock: SQLite's own busy handler (sqlite3_busy_timeout) polls
 * with sleeps of 1 to 100 ms, so with a few workers writing at once (every buddy turn
 * stores its messages and dialogue state) a turn slept about 17 ms per wait while
 * the lock had long been free.  Here a writer of this process that finds the lock
 * taken waits on a condition variable instead, woken as soon as any connection of
 * this process commits (the WAL hook, which SQLite calls once the write lock is
 * released) or rolls back; the wait is bounded at 1 ms so that a writer of another
 * process, or a wake-up missed just before the wait, costs at most that.  It gives up
 * after BUSY_TIMEOUT_MS, like the busy timeout it replaces.
 */
#include "store/sqlite/sqlite.h"
#include "log.h"
#include "store/sqlite/schema.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The checkpoint SQLite's automatic one did in the committing thread (copying the
 * WAL back into the database and syncing it: 5-80 ms on a busy disk, paid by one
 * shopper's request in every ~60 buddy turns), done on a thread of its own with a
 * connection of its own instead.  One at a time; PASSIVE, as the automatic one. */
static atomic_int checkpointing, checkpoint_failed;

static void *checkpoint_thread(void *arg)
{
	char *path = arg;
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	/* a new connection knows the file is in WAL mode only once it has read it */
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "PRAGMA journal_mode", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	sqlite3_close_v2(db);
	free(path);
	if (rc != SQLITE_OK)
		atomic_store(&checkpoint_failed, 1); /* from now on, in the committing thread */
	atomic_store(&checkpointing, 0);
	return NULL;
}

static void checkpoint_soon(sqlite3 *db, const char *dbname)
{
	if (atomic_exchange(&checkpointing, 1))
		return; /* one is under way: it copies these frames too */
	const char *file = sqlite3_db_filename(db, dbname);
	char *path = file && *file && !atomic_load(&checkpoint_failed) ? strdup(file) : NULL;
	pthread_t t;
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	if (!path || pthread_create(&t, &a, checkpoint_thread, path) != 0) {
		free(path);
		sqlite3_wal_checkpoint(db, dbname); /* here, as before */
		atomic_store(&checkpointing, 0);
	}
	pthread_attr_destroy(&a);
}

/* sqlite3_wal_hook: called after each commit, the write lock released.  Wakes the
 * writers waiting, and past 1000 frames starts the checkpoint: what
 * sqlite3_wal_autocheckpoint(db, 1000) did before this hook replaced it, off the
 * committing thread. */
static int wal_committed(void *arg, sqlite3 *db, const char *name, int pages)
{
	(void)arg;
	sq_writer_done();
	if (pages >= 1000)
		checkpoint_soon(db, name);
	return SQLITE_OK;
}

sqlite3 *sq_open_db(const char *path, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
				 NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open database %s: %s", path,
			 db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close_v2(db);
		return NULL;
	}
	sqlite3_busy_handler(db, sq_busy_wait, NULL);
	const char *pragmas = "PRAGMA journal_mode=WAL;"
			      "PRAGMA synchronous=NORMAL;"
			      "PRAGMA foreign_keys=ON;"
			      "PRAGMA temp_store=MEMORY;"
			      /* No shared mapping of the file: in WAL mode a connection that
			       * finds the WAL changed since its last read (after any commit by
			       * any connection: every buddy turn writes) unmaps it, and then
			       * faults every page in again.  That was a fifth of a buddy turn
			       * under 200 sessions; reads through the page cache are as fast
			       * for the REST searches (tests/bench: search, longtail). */
			      "PRAGMA mmap_size=0;";
	char *msg = NULL;
	if (sqlite3_exec(db, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "cannot set up database %s: %s", path, msg ? msg : "?");
		sqlite3_free(msg);
		sqlite3_close_v2(db);
		return NULL;
	}
	sqlite3_wal_hook(db, wal_committed, NULL);
	return db;
}

static int user_version(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int v = -1;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

int sq_migrate_db(sqlite3 *db, char *err, size_t errlen)
{
	int have = user_version(db);
	if (have < 0) {
		snprintf(err, errlen, "cannot read schema version: %s", sqlite3_errmsg(db));
		return -1;
	}
	if (have > schema_count) {
		snprintf(err, errlen,
			 "database schema version %d is newer than this voxcartd knows (%d)", have,
			 schema_count);
		return -1;
	}
	for (int v = have; v < schema_count; v++) {
		char *msg = NULL;
		char bump[64];
		snprintf(bump, sizeof bump, "PRAGMA user_version=%d;", v + 1);
		int ok = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg) == SQLITE_OK;
		for (const char *const *sql = schema_migrations[v]; ok && *sql; sql++)
			ok = sqlite3_exec(db, *sql, NULL, NULL, &msg) == SQLITE_OK;
		ok = ok && sqlite3_exec(db, bump, NULL, NULL, &msg) == SQLITE_OK;
		ok = ok && sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) == SQLITE_OK;
		if (!ok) {
			snprintf(err, errlen, "migration %d failed: %s", v + 1,
				 msg ? msg : sqlite3_errmsg(db));
			sqlite3_free(msg);
			if (!sqlite3_get_autocommit(db))
				sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		log_info("store", "applied migration %d", v + 1);
	}
	return 0;
}

/* ---- operations ---- */

static void sq_disconnect(struct store *s)
{
	struct sq_store *q = sq_of(s);
	for (size_t i = 0; i < SQ_CACHE_SLOTS; i++)
		sqlite3_finalize(q->cache[i].st);
	sqlite3_close_v2(q->db);
	free(q);
}

static int sq_upgrade(struct store *s, char *err, size_t errlen)
{
	return sq_migrate_db(sq_of(s)->db, err, errlen);
}

static const struct store_ops sq_ops = {
	.backend = STORE_SQLITE,
	.disconnect = sq_disconnect,
	.upgrade = sq_upgrade,
	.tx_begin = sq_tx_begin,
	.tx_commit = sq_tx_commit,
	.tx_rollback = sq_tx_rollback,
	.savepoint = sq_savepoint,
	.savepoint_rollback = sq_savepoint_rollback,
	.savepoint_release = sq_savepoint_release,
	.user_get = sq_user_get,
	.user_create = sq_user_create,
	.user_update = sq_user_update,
	.login_find = sq_login_find,
	.login_failed = sq_login_failed,
	.login_reset = sq_login_reset,
	.login_locked_until = sq_login_locked_until,
	.token_check = sq_token_check,
	.token_issue = sq_token_issue,
	.token_refresh = sq_token_refresh,
	.login_end = sq_login_end,
	.login_alive = sq_login_alive,
	.conv_create = sq_conv_create,
	.conv_get = sq_conv_get,
	.conv_list = sq_conv_list,
	.conv_add_turn = sq_conv_add_turn,
	.conv_delete = sq_conv_delete,
	.conv_messages = sq_conv_messages,
	.conv_state_put = sq_conv_state_put,
	.conv_state_get = sq_conv_state_get,
	.product_get = sq_product_get,
	.products_by_id = sq_products_by_id,
	.seller_products = sq_seller_products,
	.seller_low_stock = sq_seller_low_stock,
	.categories = sq_categories,
	.cart_get = sq_cart_get,
	.cart_line_qty = sq_cart_line_qty,
	.cart_put = sq_cart_put,
	.cart_delete = sq_cart_delete,
	.cart_clear = sq_cart_clear,
	.card_get = sq_card_get,
	.cards_list = sq_cards_list,
	.card_default = sq_card_default,
	.card_insert = sq_card_insert,
	.card_set_default = sq_card_set_default,
	.card_delete = sq_card_delete,
	.stock_take = sq_stock_take,
	.order_insert = sq_order_insert,
	.order_mark_paid = sq_order_mark_paid,
	.order_state = sq_order_state,
	.order_release = sq_order_release,
	.orders_due = sq_orders_due,
	.order_expire = sq_order_expire,
	.order_get = sq_order_get,
	.order_ids = sq_order_ids,
	.order_has_seller = sq_order_has_seller,
	.product_insert = sq_product_insert,
	.product_update = sq_product_update,
	.product_by_sku = sq_product_by_sku,
	.seller_order_ids = sq_seller_order_ids,
	.seller_order_lines = sq_seller_order_lines,
	.seller_ship = sq_seller_ship,
	.seller_totals = sq_seller_totals,
	.seller_top_products = sq_seller_top_products,
	.products_count = sq_products_count,
	.products_search = sq_products_search,
	.lock_try = sq_lock_try,
	.lock_release = sq_lock_release,
	.products_each_text = sq_products_each_text,
	.products_each = sq_products_each,
	.categories_each = sq_categories_each,
	.idem_get = sq_idem_get,
	.idem_put = sq_idem_put,
	.idem_purge = sq_idem_purge,
};

struct store *store_sqlite_connect(const char *path, char *err, size_t errlen)
{
	struct sq_store *q = calloc(1, sizeof *q);
	if (!q) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	q->db = sq_open_db(path, err, errlen);
	if (!q->db) {
		free(q);
		return NULL;
	}
	q->base.ops = &sq_ops;
	return &q->base;
}
