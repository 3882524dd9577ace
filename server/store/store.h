/*
 * store/store.h - voxcart's storage interface: the one place the rest of the server
 * goes to for persistent data.  Nothing outside server/store/ writes SQL or includes a
 * database library's header; the domain modules (auth, cart, catalog, orders...) keep
 * the rules and call the functions below.
 *
 * BACKENDS.  A database is named by a URL:
 *     sqlite:/path/to/file.db      (or a plain path: SQLite, the embedded default)
 *     postgresql://user@host/db    (also postgres://; the PostgreSQL backend)
 * store_configure() picks the backend once at start-up; each implementation lives in
 * store/<backend>/ and fills a table of operations (store/backend.h).  A backend that
 * is not built into this voxcartd is refused with a clear message.
 *
 * CONNECTIONS.  `struct store` is one open connection and is used by one thread at a
 * time.  Worker threads call store_thread(), which connects on first use and keeps
 * the connection (and its prepared statements) for the life of the thread;
 * store_thread_close() ends it.  store_connect() opens a private one (start-up,
 * tools, tests); store_disconnect() closes it.
 *
 * RESULTS.  Functions return an enum store_rc: STORE_OK, STORE_NOT_FOUND (no such
 * row: not an error, nothing is logged), STORE_CONFLICT (a uniqueness or check rule
 * refused the change: nothing changed), or STORE_ERROR (the database failed;
 * store_errmsg() says why and the caller answers 500).  Functions that return a count
 * or an id return it through an out-parameter.  Structs a function fills belong to the
 * caller; where they hold allocated memory there is a matching *_free() that releases
 * it (and accepts a zeroed struct).  Money is integer cents, times integer seconds
 * since the epoch, everywhere.
 *
 * TRANSACTIONS.  Outside a transaction each function is atomic by itself.  A
 * multi-step operation (checkout: stock check, stock decrement, order, payment row;
 * an idempotent request and its stored answer) runs between store_tx_begin() and
 * store_tx_commit() / store_tx_rollback().  store_tx_begin() starts a write
 * transaction: on SQLite it takes the write lock up front (BEGIN IMMEDIATE), so two
 * such transactions run one after the other; on PostgreSQL it is a READ COMMITTED
 * transaction and the functions documented as "serialising" lock what they read
 * (row locks, advisory locks) so the same guarantee holds across processes.
 * Transactions do not nest; inside one, store_savepoint() marks a point that
 * store_savepoint_rollback() returns to (both then store_savepoint_release()).
 *
 * THREADING.  Everything here may be called from any thread with that thread's own
 * connection; a connection is never shared between threads.
 */
#ifndef VOXCART_STORE_STORE_H
#define VOXCART_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

struct store;

enum store_rc {
	STORE_ERROR = -1,    /* the database failed; see store_errmsg() */
	STORE_OK = 0,
	STORE_NOT_FOUND = 1, /* no such row */
	STORE_CONFLICT = 2,  /* a uniqueness or check rule refused the change */
};

enum store_backend { STORE_SQLITE, STORE_POSTGRES };

/* ---- configuration and connections ------------------------------------------------ */

/* Parses a database URL (see above).  Fills *backend and the backend's target (the
 * file path for SQLite, the libpq connection string for PostgreSQL); -1 with err set
 * on a URL it cannot use. */
int store_parse_url(const char *url, enum store_backend *backend, char *target,
		    size_t target_len, char *err, size_t errlen);

/* Sets the database that store_thread() connects to (once, before threads start);
 * -1 with err set when the URL is malformed or its backend is not built in. */
int store_configure(const char *url, char *err, size_t errlen);

/* Opens a new connection to url; NULL with err set on failure. */
struct store *store_connect(const char *url, char *err, size_t errlen);
void store_disconnect(struct store *s);

/* Brings the schema up to the newest migration (each in its own transaction); -1 with
 * err set on failure or when the database is newer than this voxcartd. */
int store_upgrade(struct store *s, char *err, size_t errlen);

/* The calling thread's connection to the configured database (connected on first
 * use); NULL when it cannot connect (logged). */
struct store *store_thread(void);
/* Closes the calling thread's connection (threads call this before they end). */
void store_thread_close(void);

enum store_backend store_backend_of(const struct store *s);
/* The last error on this connection, for logs ("" when none). */
const char *store_errmsg(const struct store *s);

/* ---- transactions (see above) ------------------------------------------------------ */

int store_tx_begin(struct store *s);     /* STORE_OK or STORE_ERROR */
int store_tx_commit(struct store *s);    /* STORE_OK or STORE_ERROR (then rolled back) */
void store_tx_rollback(struct store *s); /* no-op outside a transaction */
int store_savepoint(struct store *s);
int store_savepoint_rollback(struct store *s); /* undo to the savepoint (keeps it) */
int store_savepoint_release(struct store *s);  /* forget the savepoint */

/* ---- idempotency: stored answers for Idempotency-Key (idempotency.h) --------------- */

struct store_idem {
	char *request; /* "METHOD /path" the key was first used for */
	int status;
	char *body;    /* "" for an empty body */
};
void store_idem_free(struct store_idem *a);

/* The answer stored under (user_id, key) at a time after `since`.  Serialising: called
 * inside store_tx_begin(), a concurrent transaction asking for the same (user_id, key)
 * waits until this one ends (so two duplicates cannot both run).  STORE_OK (a filled),
 * STORE_NOT_FOUND or STORE_ERROR. */
int store_idem_get(struct store *s, int64_t user_id, const char *key, int64_t since,
		   struct store_idem *a);
/* Stores (or replaces an expired) answer under (user_id, key). */
int store_idem_put(struct store *s, int64_t user_id, const char *key, const char *request,
		   int status, const char *body, size_t body_len, int64_t now);
/* Deletes answers stored at or before `before`; *purged gets how many (may be NULL). */
int store_idem_purge(struct store *s, int64_t before, int64_t *purged);

/* ---- time ------------------------------------------------------------------------- */

/* Seconds since the epoch, and an RFC 3339 UTC string of such a time. */
int64_t store_now(void);
const char *store_time_str(int64_t t, char buf[32]);

#endif
