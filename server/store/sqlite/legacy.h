/*
 * store/sqlite/legacy.h - the sqlite3-level helpers that the SQLite-only unit tests
 * use to set up and inspect a database (store/store.h, which this includes, is the
 * way to the database for the server and new tests).  No server module outside
 * server/store/sqlite/ includes it.
 *
 * The handle store_thread_db() returns is the SQLite connection of store_thread() (NULL
 * when the configured database is not SQLite), so a transaction begun through either
 * header is the same transaction.
 */
#ifndef VOXCART_STORE_SQLITE_LEGACY_H
#define VOXCART_STORE_SQLITE_LEGACY_H

#include "store/store.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* Opens (creating if needed) the SQLite database at path with voxcart's pragmas.
 * Returns NULL and fills err on failure.  The caller owns the handle (sqlite3_close_v2). */
sqlite3 *store_open(const char *path, char *err, size_t errlen);

/* Brings the schema up to the newest migration, each in its own transaction. */
int store_migrate(sqlite3 *db, char *err, size_t errlen);

/* store_configure() of a plain SQLite path (once, before threads start). */
void store_set_path(const char *path);
/* The calling thread's SQLite connection (store_thread()'s); NULL if it cannot open
 * or the database is not SQLite. */
sqlite3 *store_thread_db(void);

/* The SQLite handle of a connection (NULL for another backend). */
sqlite3 *store_db_of(struct store *s);

int store_begin(sqlite3 *db);    /* BEGIN IMMEDIATE; 0 on success */
int store_commit(sqlite3 *db);   /* 0 on success */
void store_rollback(sqlite3 *db);

/* Runs one statement with no result rows.  Returns the sqlite3 result code. */
int store_exec(sqlite3 *db, const char *sql);

/* Prepare with logging; NULL on failure (logged with the SQL's first words). */
sqlite3_stmt *store_prepare(sqlite3 *db, const char *sql);

#endif
