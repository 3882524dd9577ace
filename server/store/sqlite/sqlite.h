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
/* Runs SQL with no result rows; STORE_OK or sq_fail(). */
int sq_exec(struct sq_store *q, const char *sql);
/* Text column as a malloc'd copy ("" for NULL); NULL when out of memory. */
char *sq_text_dup(sqlite3_stmt *st, int col);

/* The sqlite3 handle of a SQLite connection, NULL for any other backend.  For the
 * modules not yet moved behind store/store.h (legacy store.h) only. */
sqlite3 *store_sqlite_db(struct store *s);

/* Opens path with voxcart's pragmas, and brings a handle's schema up to date. */
sqlite3 *sq_open_db(const char *path, char *err, size_t errlen);
int sq_migrate_db(sqlite3 *db, char *err, size_t errlen);

/* Operations of the aggregates (store/sqlite/<aggregate>.c). */
int sq_idem_get(struct store *s, int64_t user_id, const char *key, int64_t since,
		struct store_idem *a);
int sq_idem_put(struct store *s, int64_t user_id, const char *key, const char *request,
		int status, const char *body, size_t body_len, int64_t now);
int sq_idem_purge(struct store *s, int64_t before, int64_t *purged);

#endif
