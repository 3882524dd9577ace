/*
 * store/sqlite/idempotency.c - stored answers for Idempotency-Key on SQLite.  The
 * caller's BEGIN IMMEDIATE already serialises every writer, so idem_get needs no lock
 * of its own.
 */
#include "store/sqlite/sqlite.h"

#include <string.h>

int sq_idem_get(struct store *s, int64_t user_id, const char *key, int64_t since,
		struct store_idem *a)
{
	struct sq_store *q = sq_of(s);
	memset(a, 0, sizeof *a);
	sqlite3_stmt *st = sq_stmt(q, "SELECT request, status, body FROM idempotency"
				      " WHERE user_id = ? AND key = ? AND created_at > ?");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, since);
	int rc = sqlite3_step(st), out = STORE_NOT_FOUND;
	if (rc == SQLITE_ROW) {
		a->request = sq_text_dup(st, 0);
		a->status = sqlite3_column_int(st, 1);
		a->body = sq_text_dup(st, 2);
		out = a->request && a->body ? STORE_OK : store_set_err(s, "out of memory");
		if (out != STORE_OK)
			store_idem_free(a);
	} else if (rc != SQLITE_DONE) {
		out = sq_fail(q, "idempotency lookup");
	}
	sq_done(st);
	return out;
}

int sq_idem_put(struct store *s, int64_t user_id, const char *key, const char *request,
		int status, const char *body, size_t body_len, int64_t now)
{
	struct sq_store *q = sq_of(s);
	/* REPLACE: a row with this key older than the TTL may still be there. */
	sqlite3_stmt *st = sq_stmt(q,
		"INSERT OR REPLACE INTO idempotency (user_id, key, request, status, body, created_at)"
		" VALUES (?,?,?,?,?,?)");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, request, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, status);
	sqlite3_bind_text(st, 5, body ? body : "", body ? (int)body_len : 0, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, now);
	int rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : sq_fail(q, "idempotency save");
	sq_done(st);
	return rc;
}

int sq_idem_purge(struct store *s, int64_t before, int64_t *purged)
{
	struct sq_store *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, "DELETE FROM idempotency WHERE created_at <= ?");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, before);
	int rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : sq_fail(q, "idempotency purge");
	if (rc == STORE_OK && purged)
		*purged = sqlite3_changes64(q->db);
	sq_done(st);
	return rc;
}
