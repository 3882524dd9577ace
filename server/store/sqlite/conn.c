/*
 * store/sqlite/conn.c - SQLite connections: opening with voxcart's pragmas,
 * migrations, transactions and the per-connection statement cache (see sqlite.h).
 *
 * Every connection runs in WAL mode with a busy timeout and foreign keys on, so
 * readers never block the writer and a writer waits its turn.  store_tx_begin() is
 * BEGIN IMMEDIATE: a transaction that will write takes the write lock up front and
 * cannot deadlock on an upgrade.
 */
#include "store/sqlite/sqlite.h"
#include "log.h"
#include "product_cache.h"
#include "store/sqlite/schema.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	sqlite3_busy_timeout(db, 10000);
	const char *pragmas = "PRAGMA journal_mode=WAL;"
			      "PRAGMA synchronous=NORMAL;"
			      "PRAGMA foreign_keys=ON;"
			      "PRAGMA temp_store=MEMORY;"
			      /* Reads through a shared mapping rather than a read() per page
			       * missing from each connection's small cache. */
			      "PRAGMA mmap_size=1073741824;";
	char *msg = NULL;
	if (sqlite3_exec(db, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "cannot set up database %s: %s", path, msg ? msg : "?");
		sqlite3_free(msg);
		sqlite3_close_v2(db);
		return NULL;
	}
	product_cache_attach(db); /* sees every change to products and users */
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

/* ---- statement cache ---- */

static size_t slot_of(const char *sql)
{
	uintptr_t h = (uintptr_t)sql;
	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 24) % SQ_CACHE_SLOTS;
}

sqlite3_stmt *sq_stmt(struct sq_store *q, const char *sql)
{
	size_t i = slot_of(sql);
	for (size_t n = 0; n < SQ_CACHE_SLOTS; n++, i = (i + 1) % SQ_CACHE_SLOTS) {
		if (q->cache[i].sql == sql) {
			sqlite3_reset(q->cache[i].st);
			return q->cache[i].st;
		}
		if (!q->cache[i].sql)
			break;
	}
	if (q->cache[i].sql) {
		store_set_err(&q->base, "statement cache full (%d)", SQ_CACHE_SLOTS);
		log_error("store", "%s", q->base.err);
		return NULL;
	}
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v3(q->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		store_set_err(&q->base, "prepare %.60s: %s", sql, sqlite3_errmsg(q->db));
		log_error("store", "%s", q->base.err);
		return NULL;
	}
	q->cache[i].sql = sql;
	q->cache[i].st = st;
	return st;
}

void sq_done(sqlite3_stmt *st)
{
	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
}

int sq_fail(struct sq_store *q, const char *where)
{
	int code = sqlite3_errcode(q->db);
	store_set_err(&q->base, "%s: %s", where, sqlite3_errmsg(q->db));
	return (code & 0xff) == SQLITE_CONSTRAINT ? STORE_CONFLICT : STORE_ERROR;
}

int sq_exec(struct sq_store *q, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(q->db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		store_set_err(&q->base, "%.40s: %s", sql, msg ? msg : sqlite3_errstr(rc));
		log_error("store", "%s", q->base.err);
		sqlite3_free(msg);
		return STORE_ERROR;
	}
	return STORE_OK;
}

char *sq_text_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return strdup(t ? (const char *)t : "");
}

sqlite3 *store_sqlite_db(struct store *s)
{
	return s && s->ops->backend == STORE_SQLITE ? sq_of(s)->db : NULL;
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

static int sq_tx_begin(struct store *s)
{
	return sq_exec(sq_of(s), "BEGIN IMMEDIATE");
}

static int sq_tx_commit(struct store *s)
{
	struct sq_store *q = sq_of(s);
	if (sq_exec(q, "COMMIT") == STORE_OK)
		return STORE_OK;
	if (!sqlite3_get_autocommit(q->db))
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
	return STORE_ERROR;
}

static void sq_tx_rollback(struct store *s)
{
	struct sq_store *q = sq_of(s);
	if (!sqlite3_get_autocommit(q->db))
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
}

static int sq_savepoint(struct store *s)
{
	return sq_exec(sq_of(s), "SAVEPOINT work");
}

static int sq_savepoint_rollback(struct store *s)
{
	return sq_exec(sq_of(s), "ROLLBACK TO work");
}

static int sq_savepoint_release(struct store *s)
{
	return sq_exec(sq_of(s), "RELEASE work");
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
