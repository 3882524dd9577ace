/*
 * store/sqlite/accounts.c - users, logins and tokens on SQLite (store.h "accounts
 * and tokens").
 */
#include "store/sqlite/sqlite.h"

#include <stdio.h>
#include <string.h>

static void copy_col(char *dst, size_t len, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	snprintf(dst, len, "%s", t ? (const char *)t : "");
}

int sq_user_get(struct store *s, int64_t id, struct store_user *u)
{
	struct sq_store *q = sq_of(s);
	memset(u, 0, sizeof *u);
	sqlite3_stmt *st = sq_stmt(q, "SELECT id, email, name, role, shipping_address, created_at"
				      " FROM users WHERE id = ?");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st), out = STORE_NOT_FOUND;
	if (rc == SQLITE_ROW) {
		u->id = sqlite3_column_int64(st, 0);
		copy_col(u->email, sizeof u->email, st, 1);
		copy_col(u->name, sizeof u->name, st, 2);
		copy_col(u->role, sizeof u->role, st, 3);
		out = STORE_OK;
		if (sqlite3_column_type(st, 4) != SQLITE_NULL && !(u->shipping_address = sq_text_dup(st, 4)))
			out = store_set_err(s, "out of memory");
		u->created_at = sqlite3_column_int64(st, 5);
	} else if (rc != SQLITE_DONE) {
		out = sq_fail(q, "user get");
	}
	sq_done(st);
	return out;
}

int sq_user_create(struct store *s, const char *email, const char *password_hash,
		   const char *name, const char *role, int64_t now, int64_t *id)
{
	struct sq_store *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, "INSERT INTO users (email, password_hash, name, role, created_at)"
				      " VALUES (?,?,?,?,?)");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, password_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, role, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now);
	int rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : sq_fail(q, "user create");
	if (rc == STORE_OK && id)
		*id = sqlite3_last_insert_rowid(q->db);
	sq_done(st);
	return rc;
}

int sq_user_update(struct store *s, int64_t id, const char *name, int set_address,
		   const char *address_json)
{
	struct sq_store *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, "UPDATE users SET name = coalesce(?, name),"
				      " shipping_address = CASE WHEN ? THEN ? ELSE shipping_address END"
				      " WHERE id = ?");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, set_address != 0);
	sqlite3_bind_text(st, 3, address_json, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, id);
	int rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : sq_fail(q, "user update");
	sq_done(st);
	return rc;
}

int sq_login_find(struct store *s, const char *email, struct store_login *l)
{
	struct sq_store *q = sq_of(s);
	memset(l, 0, sizeof *l);
	sqlite3_stmt *st = sq_stmt(q, "SELECT id, password_hash, failed_logins, locked_until"
				      " FROM users WHERE email = ?");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st), out = STORE_NOT_FOUND;
	if (rc == SQLITE_ROW) {
		l->user_id = sqlite3_column_int64(st, 0);
		copy_col(l->password_hash, sizeof l->password_hash, st, 1);
		l->failed_logins = sqlite3_column_int(st, 2);
		l->locked_until = sqlite3_column_int64(st, 3);
		out = STORE_OK;
	} else if (rc != SQLITE_DONE) {
		out = sq_fail(q, "login find");
	}
	sq_done(st);
	return out;
}

int sq_login_failed(struct store *s, int64_t user_id, int max_failures, int64_t now,
		    int64_t lock_until, int *failures)
{
	struct sq_store *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q,
		"UPDATE users SET failed_logins = failed_logins + 1,"
		" locked_until = CASE WHEN failed_logins + 1 >= ?1 AND locked_until <= ?2"
		"   THEN ?3 ELSE locked_until END"
		" WHERE id = ?4 RETURNING failed_logins");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int(st, 1, max_failures);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, lock_until);
	sqlite3_bind_int64(st, 4, user_id);
	int rc = sqlite3_step(st), out = STORE_OK;
	*failures = 0;
	if (rc == SQLITE_ROW)
		*failures = sqlite3_column_int(st, 0);
	else if (rc == SQLITE_DONE)
		out = STORE_NOT_FOUND;
	else
		out = sq_fail(q, "login failed");
	sq_done(st);
	return out;
}

int sq_login_reset(struct store *s, int64_t user_id, int64_t ended_by)
{
	struct sq_store *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, "UPDATE users SET failed_logins = 0, locked_until = 0"
				      " WHERE id = ?1 AND (?2 <= 0 OR locked_until <= ?2)");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, ended_by);
	int rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : sq_fail(q, "login reset");
	sq_done(st);
	return rc;
}

int sq_login_locked_until(struct store *s, int64_t user_id, int64_t *locked_until)
{
	struct sq_store *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, "SELECT locked_until FROM users WHERE id = ?");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	int rc = sqlite3_step(st), out = STORE_OK;
	*locked_until = 0;
	if (rc == SQLITE_ROW)
		*locked_until = sqlite3_column_int64(st, 0);
	else
		out = rc == SQLITE_DONE ? STORE_NOT_FOUND : sq_fail(q, "login locked");
	sq_done(st);
	return out;
}

int sq_token_check(struct store *s, const char *access_hash, int64_t now,
		   struct store_token_user *u)
{
	struct sq_store *q = sq_of(s);
	memset(u, 0, sizeof *u);
	sqlite3_stmt *st = sq_stmt(q,
		"SELECT u.id, u.email, u.name, u.role, t.id, t.login_id FROM tokens t"
		" JOIN users u ON u.id = t.user_id"
		" WHERE t.access_hash = ? AND t.revoked = 0 AND t.access_expires > ?");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_text(st, 1, access_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	int rc = sqlite3_step(st), out = STORE_NOT_FOUND;
	if (rc == SQLITE_ROW) {
		u->user_id = sqlite3_column_int64(st, 0);
		copy_col(u->email, sizeof u->email, st, 1);
		copy_col(u->name, sizeof u->name, st, 2);
		copy_col(u->role, sizeof u->role, st, 3);
		u->token_id = sqlite3_column_int64(st, 4);
		u->login_id = sqlite3_column_int64(st, 5);
		out = STORE_OK;
	} else if (rc != SQLITE_DONE) {
		out = sq_fail(q, "token check");
	}
	sq_done(st);
	return out;
}

static int sq_token_issue_steps(struct store *s, int64_t user_id, const char *access_hash,
		   const char *refresh_hash, int64_t access_expires, int64_t refresh_expires,
		   int64_t now, int64_t login_id, int64_t *token_id)
{
	struct sq_store *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q,
		"INSERT INTO tokens (user_id, access_hash, refresh_hash, access_expires,"
		" refresh_expires, created_at, login_id) VALUES (?,?,?,?,?,?,?)");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_text(st, 2, access_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, refresh_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, access_expires);
	sqlite3_bind_int64(st, 5, refresh_expires);
	sqlite3_bind_int64(st, 6, now);
	if (login_id > 0)
		sqlite3_bind_int64(st, 7, login_id);
	int out = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : sq_fail(q, "token issue");
	int64_t id = sqlite3_last_insert_rowid(q->db);
	sq_done(st);
	if (out == STORE_OK && login_id <= 0) {
		/* A new login: its id is the first token's. */
		st = sq_stmt(q, "UPDATE tokens SET login_id = id WHERE id = ?");
		if (!st)
			return STORE_ERROR;
		sqlite3_bind_int64(st, 1, id);
		out = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : sq_fail(q, "token login");
		sq_done(st);
	}
	if (out == STORE_OK && token_id)
		*token_id = id;
	return out;
}

int sq_token_issue(struct store *s, int64_t user_id, const char *access_hash,
		   const char *refresh_hash, int64_t access_expires, int64_t refresh_expires,
		   int64_t now, int64_t login_id, int64_t *token_id)
{
	struct sq_store *q = sq_of(s);
	if (sq_atomic_begin(q) != STORE_OK)
		return STORE_ERROR;
	int rc = sq_token_issue_steps(s, user_id, access_hash, refresh_hash, access_expires, refresh_expires, now, login_id, token_id);
	return sq_atomic_end(q, rc);
}

/* Why refresh_hash was refused at `now` (after the UPDATE below took no row). */
static int refresh_refused_why(struct sq_store *q, const char *refresh_hash, int64_t now,
			       enum store_refresh_why *why)
{
	sqlite3_stmt *st = sq_stmt(q, "SELECT revoked, refresh_expires FROM tokens"
				      " WHERE refresh_hash = ?");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_text(st, 1, refresh_hash, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st), out = STORE_NOT_FOUND;
	*why = STORE_REFRESH_UNKNOWN;
	if (rc == SQLITE_ROW) {
		int revoked = sqlite3_column_int(st, 0);
		*why = revoked == 2 ? STORE_REFRESH_LOGGED_OUT
		       : revoked ? STORE_REFRESH_USED
		       : sqlite3_column_int64(st, 1) <= now ? STORE_REFRESH_EXPIRED
		       : STORE_REFRESH_USED; /* taken by a refresh racing this one */
	} else if (rc != SQLITE_DONE)
		out = sq_fail(q, "token refresh");
	sq_done(st);
	return out;
}

int sq_token_refresh(struct store *s, const char *refresh_hash, int64_t now, int64_t *user_id,
		     int64_t *login_id, enum store_refresh_why *why)
{
	struct sq_store *q = sq_of(s);
	/* Revoke-and-read in one statement: of two racing refreshes only one wins. */
	sqlite3_stmt *st = sq_stmt(q,
		"UPDATE tokens SET revoked = 1 WHERE refresh_hash = ? AND revoked = 0"
		" AND refresh_expires > ? RETURNING user_id, login_id");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_text(st, 1, refresh_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	int rc = sqlite3_step(st), out = STORE_NOT_FOUND;
	if (rc == SQLITE_ROW) {
		*user_id = sqlite3_column_int64(st, 0);
		*login_id = sqlite3_column_int64(st, 1);
		out = STORE_OK;
		rc = sqlite3_step(st); /* runs the statement to its end */
	}
	if (rc != SQLITE_DONE)
		out = sq_fail(q, "token refresh");
	sq_done(st);
	if (out == STORE_NOT_FOUND)
		out = refresh_refused_why(q, refresh_hash, now, why);
	return out;
}

int sq_login_end(struct store *s, int64_t login_id, int64_t token_id)
{
	struct sq_store *q = sq_of(s);
	/* revoked = 2: logged out (a refresh marks the old pair 1). */
	sqlite3_stmt *st = sq_stmt(q, "UPDATE tokens SET revoked = 2 WHERE login_id = ? OR id = ?");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, login_id);
	sqlite3_bind_int64(st, 2, token_id);
	int rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : sq_fail(q, "logout");
	sq_done(st);
	return rc;
}

int sq_login_alive(struct store *s, int64_t login_id, int64_t now, int *alive)
{
	struct sq_store *q = sq_of(s);
	/* Logout marks the login's rows revoked = 2, a refresh its old row revoked = 1:
	 * a login mid-refresh (old row revoked, new one not yet written) stays alive. */
	sqlite3_stmt *st = sq_stmt(q,
		"SELECT MAX(revoked = 2), MAX(refresh_expires) FROM tokens WHERE login_id = ?");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, login_id);
	int rc = sqlite3_step(st), out = STORE_OK;
	*alive = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL &&
		 sqlite3_column_int64(st, 0) == 0 && sqlite3_column_int64(st, 1) > now;
	if (rc != SQLITE_ROW)
		out = sq_fail(q, "login alive");
	sq_done(st);
	return out;
}
