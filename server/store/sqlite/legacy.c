/*
 * store/sqlite/legacy.c - the sqlite3-level helpers of store/sqlite/legacy.h, for the
 * SQLite-only unit tests.  They use the same per-thread connection as store_thread(),
 * so a transaction begun through either is one transaction.
 */
#include "store/sqlite/legacy.h"
#include "log.h"
#include "store/sqlite/sqlite.h"

#include <stdio.h>

sqlite3 *store_open(const char *path, char *err, size_t errlen)
{
	return sq_open_db(path, err, errlen);
}

int store_migrate(sqlite3 *db, char *err, size_t errlen)
{
	return sq_migrate_db(db, err, errlen);
}

void store_set_path(const char *path)
{
	char err[256];
	if (store_configure(path, err, sizeof err) != 0)
		log_error("store", "%s", err);
}

sqlite3 *store_thread_db(void)
{
	return store_sqlite_db(store_thread());
}

sqlite3 *store_db_of(struct store *s)
{
	return store_sqlite_db(s);
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
