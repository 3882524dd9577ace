/*
 * store.h - the storage module: SQLite connections, schema migrations, transactions
 * and the small helpers every data module uses.
 *
 * One connection per thread (sqlite3 handles are not shared): each worker thread
 * calls store_thread_db(), which opens its connection on first use and keeps it for
 * the life of the thread.  Every connection runs in WAL mode with a busy timeout and
 * foreign keys on, so readers never block the writer and a writer waits its turn.
 * Multi-row changes go inside store_begin()/store_commit() (BEGIN IMMEDIATE, so a
 * transaction that will write takes the write lock up front and cannot deadlock on
 * an upgrade).
 *
 * The data modules (auth, catalog, cart, orders...) speak SQL through this module's
 * connection; the schema lives in schema.c as numbered migrations.
 */
#ifndef VOXCART_STORE_H
#define VOXCART_STORE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Opens (creating if needed) the database at path and applies the pragmas.  Returns
 * NULL and fills err on failure.  The caller owns the handle (sqlite3_close_v2). */
sqlite3 *store_open(const char *path, char *err, size_t errlen);

/* Brings the schema up to the newest migration, each in its own transaction. */
int store_migrate(sqlite3 *db, char *err, size_t errlen);

/* Sets the path that store_thread_db() opens (once, before threads start). */
void store_set_path(const char *path);
/* The calling thread's connection (opened on first use); NULL if it cannot open. */
sqlite3 *store_thread_db(void);
/* Closes the calling thread's connection (threads call this before they end). */
void store_thread_close(void);

int store_begin(sqlite3 *db);    /* BEGIN IMMEDIATE; 0 on success */
int store_commit(sqlite3 *db);   /* 0 on success */
void store_rollback(sqlite3 *db);

/* Runs one statement with no result rows.  Returns the sqlite3 result code. */
int store_exec(sqlite3 *db, const char *sql);

/* Prepare with logging; NULL on failure (logged with the SQL's first words). */
sqlite3_stmt *store_prepare(sqlite3 *db, const char *sql);

/* Seconds since the epoch, and an RFC 3339 UTC string of such a time. */
int64_t store_now(void);
const char *store_time_str(int64_t t, char buf[32]);

#endif
