/*
 * store/sqlite/util.c - what the SQLite backend's aggregates share: the per-connection
 * statement cache, row loops, errors, atomic steps and transactions, and the wait for
 * the write lock (sqlite.h).
 */
#include "store/sqlite/sqlite.h"
#include "log.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BUSY_TIMEOUT_MS 10000
#define BUSY_SLICE_NS 1000000L  /* 1 ms */

static pthread_mutex_t writer_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t writer_done = PTHREAD_COND_INITIALIZER;
/* when this thread's current wait for a lock began (CLOCK_MONOTONIC, ns) */
static _Thread_local int64_t busy_since;

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void sq_writer_done(void)
{
	pthread_mutex_lock(&writer_lock);
	pthread_cond_broadcast(&writer_done);
	pthread_mutex_unlock(&writer_lock);
}

/* sqlite3_busy_handler: 1 to try again, 0 to give up (SQLITE_BUSY).  Waits for the
 * next commit or rollback (sq_writer_done), at most 1 ms at a time, 10 s in all. */
int sq_busy_wait(void *arg, int count)
{
	(void)arg;
	int64_t now = mono_ns();
	if (count == 0)
		busy_since = now;
	if (now - busy_since >= (int64_t)BUSY_TIMEOUT_MS * 1000000)
		return 0;
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += BUSY_SLICE_NS;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&writer_lock);
	pthread_cond_timedwait(&writer_done, &writer_lock, &until);
	pthread_mutex_unlock(&writer_lock);
	return 1;
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

int sq_row(struct sq_store *q, sqlite3_stmt *st, const char *where)
{
	int step = sqlite3_step(st);
	return step == SQLITE_ROW ? STORE_OK : step == SQLITE_DONE ? STORE_NOT_FOUND
								    : sq_fail(q, where);
}

int sq_collect(struct store *s, sqlite3_stmt *st, void **items, size_t *count, size_t elem,
	       sq_row_fn row, const char *where)
{
	size_t cap = 0;
	int rc = STORE_OK, step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (store_grow(s, items, &cap, *count, elem) != 0) {
			rc = STORE_ERROR;
			break;
		}
		void *item = (char *)*items + *count * elem;
		memset(item, 0, elem);
		if ((rc = row(s, st, item)) != STORE_OK)
			break;
		(*count)++;
	}
	if (rc == STORE_OK && step != SQLITE_DONE)
		rc = sq_fail(sq_of(s), where);
	sq_done(st);
	return rc;
}

int sq_count(struct sq_store *q, sqlite3_stmt *st, int64_t *n, const char *where)
{
	int rc = sq_row(q, st, where);
	*n = rc == STORE_OK ? sqlite3_column_int64(st, 0) : 0;
	sq_done(st);
	return rc == STORE_NOT_FOUND ? sq_fail(q, where) : rc;
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

int sq_exec_kept(struct sq_store *q, const char *sql)
{
	sqlite3_stmt *st = sq_stmt(q, sql);
	if (!st)
		return STORE_ERROR;
	int rc = sqlite3_step(st);
	sq_done(st);
	if (rc != SQLITE_DONE) {
		store_set_err(&q->base, "%.40s: %s", sql, sqlite3_errmsg(q->db));
		log_error("store", "%s", q->base.err);
		return STORE_ERROR;
	}
	return STORE_OK;
}

int sq_atomic_begin(struct sq_store *q)
{
	return sq_exec_kept(q, "SAVEPOINT sq_atomic");
}

int sq_atomic_end(struct sq_store *q, int rc)
{
	if (rc != STORE_OK)
		sqlite3_exec(q->db, "ROLLBACK TO sq_atomic", NULL, NULL, NULL);
	sqlite3_stmt *st = sq_stmt(q, "RELEASE sq_atomic");
	int step = st ? sqlite3_step(st) : SQLITE_ERROR;
	if (step != SQLITE_DONE) {
		rc = sq_fail(q, "release");
		sq_done(st);
		return rc;
	}
	sq_done(st);
	return rc;
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

/* ---- transactions ---- */

int sq_tx_begin(struct store *s)
{
	return sq_exec_kept(sq_of(s), "BEGIN IMMEDIATE");
}

int sq_tx_commit(struct store *s)
{
	struct sq_store *q = sq_of(s);
	if (sq_exec_kept(q, "COMMIT") == STORE_OK)
		return STORE_OK;
	if (!sqlite3_get_autocommit(q->db)) {
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
		sq_writer_done();
	}
	return STORE_ERROR;
}

void sq_tx_rollback(struct store *s)
{
	struct sq_store *q = sq_of(s);
	if (!sqlite3_get_autocommit(q->db)) {
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
		sq_writer_done();
	}
}

int sq_savepoint(struct store *s)
{
	return sq_exec_kept(sq_of(s), "SAVEPOINT work");
}

int sq_savepoint_rollback(struct store *s)
{
	return sq_exec(sq_of(s), "ROLLBACK TO work");
}

int sq_savepoint_release(struct store *s)
{
	return sq_exec_kept(sq_of(s), "RELEASE work");
}

/* One process per file: the housekeeping a lock guards runs once within it already. */
int sq_lock_try(struct store *s, enum store_lock lock, int *got)
{
	(void)s;
	(void)lock;
	*got = 1;
	return STORE_OK;
}

int sq_lock_release(struct store *s, enum store_lock lock)
{
	(void)s;
	(void)lock;
	return STORE_OK;
}
