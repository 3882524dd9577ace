/*
 * pg.h - the PostgreSQL backend's foundation: a pool of libpq connections with
 * their prepared statements, numbered migrations applied once however many
 * processes start together (under an advisory lock), product search on the stored
 * tsvector, and the stock step of checkout that never oversells across processes.
 *
 * Selected by `[server] database = postgresql://user@host/db` once the store
 * interface (server/store/store.h) routes the domain modules to it; see
 * voxcartd(8) for what works today.
 */
#ifndef VOXCART_PG_H
#define VOXCART_PG_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

struct pg_pool;

extern const char *const *const pg_migrations[]; /* each NULL-terminated */
extern const int pg_migration_count;

/* One connection to url (a libpq URI or keyword string), NOTICEs silenced; NULL
 * with err ("cannot connect to PostgreSQL: ...") on failure. */
PGconn *pg_connect(const char *url, char *err, size_t errlen);

/* Opens `size` connections to url (a libpq URI or keyword string), migrates the
 * database (the first of several processes does it, the others wait on the
 * advisory lock and find it done) and prepares every statement on each
 * connection.  NULL with err on failure. */
struct pg_pool *pg_pool_open(const char *url, int size, char *err, size_t errlen);
void pg_pool_close(struct pg_pool *pool);
int pg_pool_size(const struct pg_pool *pool);

/* A connection of the pool for the caller alone (waits while all are out); give
 * it back with pg_release.  A connection found broken is reconnected on release. */
PGconn *pg_acquire(struct pg_pool *pool);
void pg_release(struct pg_pool *pool, PGconn *conn);

/* Applies the migrations the database lacks (schema_migrations records them).
 * 0, or -1 with err. */
int pg_migrate(PGconn *conn, char *err, size_t errlen);

/* Builds the tsquery text for a shopper's words: each word (letters and digits)
 * a prefix, all of them required ("red:* & mug:*").  0 when there is no word. */
size_t pg_search_query(const char *words, char *out, size_t outlen);

struct pg_hit {
	int64_t id;
	double rank;   /* higher is better */
};

/* Active products matching words, best first (rank, then id), limit from offset;
 * *total is the number of matches.  Returns the number of hits written, or -1
 * with err. */
int pg_search(PGconn *conn, const char *words, int limit, int offset, struct pg_hit *hits,
	      int64_t *total, char *err, size_t errlen);

/* Within the caller's transaction: takes qty units of an active product if that
 * many are in stock (one conditional UPDATE, so two processes can never both take
 * the last unit).  1 taken, 0 not enough stock, -1 error. */
int pg_take_stock(PGconn *conn, int64_t product_id, int qty, int64_t *price_cents);

/* Runs one command without parameters; 0 or -1 with err (for BEGIN/COMMIT/ROLLBACK). */
int pg_exec(PGconn *conn, const char *sql, char *err, size_t errlen);

/* Housekeeping that must run once across processes: 1 when this connection took
 * the advisory lock named by key (released by pg_unlock), 0 when another holds it. */
int pg_try_lock(PGconn *conn, int64_t key);
void pg_unlock(PGconn *conn, int64_t key);

#endif
