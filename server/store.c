/*
 * store.c - SQLite connections, per-thread handles and migrations (see store.h).
 */
#include "store.h"
#include "log.h"
#include "product_cache.h"
#include "schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char db_path[4096];
static __thread sqlite3 *thread_db;

sqlite3 *store_open(const char *path, char *err, size_t errlen)
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

int store_migrate(sqlite3 *db, char *err, size_t errlen)
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
		int ok = store_begin(db) == 0;
		for (const char *const *sql = schema_migrations[v]; ok && *sql; sql++)
			ok = sqlite3_exec(db, *sql, NULL, NULL, &msg) == SQLITE_OK;
		ok = ok && sqlite3_exec(db, bump, NULL, NULL, &msg) == SQLITE_OK;
		if (!ok || store_commit(db) != 0) {
			snprintf(err, errlen, "migration %d failed: %s", v + 1,
				 msg ? msg : sqlite3_errmsg(db));
			sqlite3_free(msg);
			store_rollback(db);
			return -1;
		}
		log_info("store", "applied migration %d", v + 1);
	}
	return 0;
}

void store_set_path(const char *path)
{
	snprintf(db_path, sizeof db_path, "%s", path);
}

sqlite3 *store_thread_db(void)
{
	if (!thread_db) {
		char err[512];
		thread_db = store_open(db_path, err, sizeof err);
		if (!thread_db)
			log_error("store", "%s", err);
	}
	return thread_db;
}

void store_thread_close(void)
{
	if (thread_db) {
		sqlite3_close_v2(thread_db);
		thread_db = NULL;
	}
}

int store_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		log_error("store", "%.40s...: %s", sql, msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
	}
	return rc;
}

int store_begin(sqlite3 *db)
{
	return store_exec(db, "BEGIN IMMEDIATE") == SQLITE_OK ? 0 : -1;
}

int store_commit(sqlite3 *db)
{
	return store_exec(db, "COMMIT") == SQLITE_OK ? 0 : -1;
}

void store_rollback(sqlite3 *db)
{
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

sqlite3_stmt *store_prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		log_error("store", "prepare %.60s: %s", sql, sqlite3_errmsg(db));
		return NULL;
	}
	return st;
}

int64_t store_now(void)
{
	return (int64_t)time(NULL);
}

const char *store_time_str(int64_t t, char buf[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}
