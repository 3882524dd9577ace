/*
 * idempotency.c - stored answers for Idempotency-Key (see idempotency.h).
 *
 * One transaction does it all: BEGIN IMMEDIATE (the write lock, so a concurrent
 * duplicate waits here), look the key up, run the work under a savepoint, undo the
 * savepoint if the work failed, store the answer, COMMIT.  A failed request's answer
 * (402, 409...) is therefore stored atomically with "nothing changed", and the effects
 * of a successful one are never committed without the answer that replays them.
 */
#include "idempotency.h"
#include "log.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int idempotency_key_ok(const char *key)
{
	size_t n = key ? strlen(key) : 0;
	if (n < 1 || n > 128)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)key[i];
		if (c < 0x20 || c > 0x7e)
			return 0;
	}
	return key[0] != ' ' && key[n - 1] != ' ';
}

/* Looks the key up.  Returns 1 and fills resp on a stored answer for this request,
 * 2 (resp filled with 409) when the key was used for another request, 0 when there is
 * none, -1 on a database error. */
static int lookup(sqlite3 *db, int64_t user_id, const char *key, const char *request,
		  int64_t now, struct api_resp *resp)
{
	sqlite3_stmt *st = store_prepare(db,
		"SELECT request, status, body FROM idempotency"
		" WHERE user_id = ? AND key = ? AND created_at > ?");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now - IDEMPOTENCY_TTL);
	int rc = sqlite3_step(st), out = rc == SQLITE_DONE ? 0 : -1;
	if (rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), request) != 0) {
		api_error(resp, 409, "conflict", "Idempotency-Key",
			  "This Idempotency-Key was already used for %s.",
			  (const char *)sqlite3_column_text(st, 0));
		out = 2;
	} else if (rc == SQLITE_ROW) {
		const char *body = (const char *)sqlite3_column_text(st, 2);
		free(resp->body);
		resp->status = sqlite3_column_int(st, 1);
		resp->body = body && *body ? strdup(body) : NULL;
		resp->body_len = resp->body ? strlen(resp->body) : 0;
		out = 1;
	}
	sqlite3_finalize(st);
	return out;
}

static int save(sqlite3 *db, int64_t user_id, const char *key, const char *request, int64_t now,
		const struct api_resp *resp)
{
	/* REPLACE: a row with this key older than the TTL may still be there. */
	sqlite3_stmt *st = store_prepare(db,
		"INSERT OR REPLACE INTO idempotency (user_id, key, request, status, body, created_at)"
		" VALUES (?,?,?,?,?,?)");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, request, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, resp->status);
	sqlite3_bind_text(st, 5, resp->body ? resp->body : "", (int)resp->body_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, now);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static const char *method_name(enum api_method m)
{
	switch (m) {
	case M_GET: return "GET";
	case M_POST: return "POST";
	case M_PUT: return "PUT";
	case M_PATCH: return "PATCH";
	case M_DELETE: return "DELETE";
	default: return "OTHER";
	}
}

int idempotency_run(struct api_req *req, struct api_resp *resp, idempotency_work work, void *arg)
{
	const char *key = req->idempotency_key;
	sqlite3 *db = req->db;
	if (key && !idempotency_key_ok(key)) {
		api_error(resp, 400, "bad_request", "Idempotency-Key",
			  "Idempotency-Key must be 1 to 128 printable ASCII characters.");
		return -1;
	}
	char request[600];
	snprintf(request, sizeof request, "%s %s", method_name(req->method), req->path);
	int64_t now = store_now();
	if (store_begin(db) != 0) {
		api_internal(resp, db, "idempotency begin");
		return -1;
	}
	if (key) {
		int found = lookup(db, req->user.id, key, request, now, resp);
		if (found != 0) {
			store_rollback(db);
			if (found < 0)
				api_internal(resp, db, "idempotency lookup");
			return found == 1 ? 1 : -1;
		}
	}
	if (store_exec(db, "SAVEPOINT work") != SQLITE_OK) {
		store_rollback(db);
		api_internal(resp, db, "idempotency savepoint");
		return -1;
	}
	int rc = work(req, resp, arg);
	int ok = 1;
	if (rc != 0)
		ok = store_exec(db, "ROLLBACK TO work") == SQLITE_OK;
	ok = ok && store_exec(db, "RELEASE work") == SQLITE_OK;
	if (ok && key && resp->status > 0 && resp->status < 500)
		ok = save(db, req->user.id, key, request, now, resp) == 0;
	ok = ok && store_commit(db) == 0;
	if (!ok) {
		store_rollback(db);
		api_internal(resp, db, "idempotency commit");
		return -1;
	}
	return rc == 0 ? 0 : -1;
}

int idempotency_purge(sqlite3 *db, int64_t now)
{
	sqlite3_stmt *st = store_prepare(db, "DELETE FROM idempotency WHERE created_at <= ?");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, now - IDEMPOTENCY_TTL);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? sqlite3_changes(db) : -1;
}
