/*
 * store/postgres/store_pg.c - the PostgreSQL backend of the storage interface
 * (store/store.h, store/backend.h): one libpq connection per `struct store` (each
 * worker thread keeps its own, so the connections a process holds are its worker
 * pools' threads), the migrations of pg_schema.c, READ COMMITTED transactions with
 * savepoints, and every aggregate of the interface: idempotency, accounts and tokens,
 * conversations (with the stored dialogue state), the catalog (products, lists,
 * categories, the vocabulary's streams), the seller's listings and views, carts,
 * saved cards, orders and checkout's stock step.  Operations left NULL answer "not
 * supported" (backend.h);
 * voxcartd refuses a postgresql:// database until none is.  Several statements
 * that must hold together run as one transaction, or under a savepoint inside the
 * caller's (atomic_begin/atomic_end).
 */
#include "store/backend.h"
#include "store/postgres/pg.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pg_store {
	struct store base;   /* first: a struct store * is a struct pg_store * */
	PGconn *conn;
	unsigned prepared;   /* bit i: statements[i] is prepared on conn */
};

enum {
	ST_IDEM_GET, ST_IDEM_PUT, ST_IDEM_PURGE,
	ST_USER_GET, ST_USER_CREATE, ST_USER_UPDATE, ST_LOGIN_FIND, ST_LOGIN_FAILED,
	ST_LOGIN_RESET, ST_LOCKED_UNTIL, ST_TOKEN_CHECK, ST_TOKEN_ISSUE, ST_TOKEN_REFRESH,
	ST_LOGIN_END, ST_LOGIN_ALIVE, ST_STOCK_TAKE,
};

static const struct {
	const char *name, *sql;
	int n;
} statements[] = {
	[ST_IDEM_GET] = { "idem_get", "SELECT request, status, body FROM idempotency"
			  " WHERE user_id = $1 AND key = $2 AND created_at > $3", 3 },
	[ST_IDEM_PUT] = { "idem_put",
			  "INSERT INTO idempotency (user_id, key, request, status, body, created_at)"
			  " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, key) DO UPDATE SET"
			  " request = EXCLUDED.request, status = EXCLUDED.status,"
			  " body = EXCLUDED.body, created_at = EXCLUDED.created_at", 6 },
	[ST_IDEM_PURGE] = { "idem_purge", "DELETE FROM idempotency WHERE created_at <= $1", 1 },
	[ST_USER_GET] = { "user_get", "SELECT id, email, name, role, shipping_address, created_at"
			  " FROM users WHERE id = $1", 1 },
	[ST_USER_CREATE] = { "user_create", "INSERT INTO users (email, password_hash, name, role,"
			     " created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id", 5 },
	[ST_USER_UPDATE] = { "user_update", "UPDATE users SET name = coalesce($1, name),"
			     " shipping_address = CASE WHEN $2::boolean THEN $3"
			     " ELSE shipping_address END WHERE id = $4", 4 },
	[ST_LOGIN_FIND] = { "login_find", "SELECT id, password_hash, failed_logins, locked_until"
			    " FROM users WHERE email = $1", 1 },
	/* One statement: parallel wrong guesses on several processes lose no count. */
	[ST_LOGIN_FAILED] = { "login_failed", "UPDATE users SET failed_logins = failed_logins + 1,"
			      " locked_until = CASE WHEN failed_logins + 1 >= $1 AND locked_until <= $2"
			      " THEN $3 ELSE locked_until END WHERE id = $4 RETURNING failed_logins", 4 },
	[ST_LOGIN_RESET] = { "login_reset", "UPDATE users SET failed_logins = 0, locked_until = 0"
			     " WHERE id = $1 AND ($2 <= 0 OR locked_until <= $2)", 2 },
	[ST_LOCKED_UNTIL] = { "locked_until", "SELECT locked_until FROM users WHERE id = $1", 1 },
	[ST_TOKEN_CHECK] = { "token_check", "SELECT u.id, u.email, u.name, u.role, t.id, t.login_id"
			     " FROM tokens t JOIN users u ON u.id = t.user_id"
			     " WHERE t.access_hash = $1 AND t.revoked = 0 AND t.access_expires > $2", 2 },
	/* A new login's id is its first token's own id: taken from the sequence first. */
	[ST_TOKEN_ISSUE] = { "token_issue", "WITH n AS (SELECT nextval(pg_get_serial_sequence("
			     "'tokens', 'id')) AS id) INSERT INTO tokens (id, user_id, access_hash,"
			     " refresh_hash, access_expires, refresh_expires, created_at, login_id)"
			     " SELECT n.id, $1, $2, $3, $4, $5, $6, CASE WHEN $7 > 0 THEN $7 ELSE n.id"
			     " END FROM n RETURNING id", 7 },
	/* Of two refreshes racing on two processes, the row lock lets one win.  When none
	 * is taken, the row as this statement saw it says why (store_refresh_why): a row
	 * that looked usable was taken by a racing refresh. */
	[ST_TOKEN_REFRESH] = { "token_refresh", "WITH u AS (UPDATE tokens SET revoked = 1"
			       " WHERE refresh_hash = $1 AND revoked = 0 AND refresh_expires > $2"
			       " RETURNING user_id, login_id) SELECT user_id, login_id, 0 FROM u"
			       " UNION ALL SELECT 0, 0, CASE WHEN revoked = 2 THEN 3 WHEN revoked = 0"
			       " AND refresh_expires <= $2 THEN 1 ELSE 2 END FROM tokens"
			       " WHERE refresh_hash = $1 AND NOT EXISTS (SELECT 1 FROM u)", 2 },
	[ST_LOGIN_END] = { "login_end", "UPDATE tokens SET revoked = 2 WHERE login_id = $1 OR id = $2",
			   2 },
	[ST_LOGIN_ALIVE] = { "login_alive", "SELECT coalesce(max((revoked = 2)::int), 1),"
			     " coalesce(max(refresh_expires), 0) FROM tokens WHERE login_id = $1", 1 },
	[ST_STOCK_TAKE] = { "stock_take", "UPDATE products SET stock = stock - $1 WHERE id = $2"
			    " AND stock >= $1 AND status = 'active'", 2 },
};

static struct pg_store *pg_of(struct store *s)
{
	return (struct pg_store *)s;
}

/* Records the connection's error (first line) under `what`; STORE_ERROR. */
static int pg_fail(struct pg_store *p, const char *what)
{
	const char *m = PQerrorMessage(p->conn);
	int n = (int)strcspn(m, "\n");
	return store_set_err(&p->base, "%s: %.*s", what, n, m);
}

/* A command's outcome: STORE_OK, STORE_CONFLICT for a unique or check violation
 * (SQLSTATE class 23), else STORE_ERROR. */
static int pg_result_rc(struct pg_store *p, PGresult *r, const char *what)
{
	ExecStatusType st = PQresultStatus(r);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return STORE_OK;
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	if (state && strncmp(state, "23", 2) == 0) {
		store_set_err(&p->base, "%s: %s", what, PQresultErrorMessage(r));
		return STORE_CONFLICT;
	}
	return pg_fail(p, what);
}

/* Runs statement i with text parameters, preparing it on first use (its tables
 * exist only after store_upgrade).  The caller PQclear()s the result. */
static PGresult *exec_st(struct pg_store *p, int i, const char *const *params)
{
	if (!(p->prepared & (1u << i))) {
		PGresult *r = PQprepare(p->conn, statements[i].name, statements[i].sql,
					statements[i].n, NULL);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			return r; /* the error, for the caller */
		PQclear(r);
		p->prepared |= 1u << i;
	}
	return PQexecPrepared(p->conn, statements[i].name, statements[i].n, params, NULL, NULL, 0);
}

static int run(struct pg_store *p, const char *sql, const char *what)
{
	PGresult *r = PQexec(p->conn, sql);
	int rc = pg_result_rc(p, r, what);
	PQclear(r);
	return rc;
}

static void pg_disconnect(struct store *s)
{
	struct pg_store *p = pg_of(s);
	PQfinish(p->conn);
	free(p);
}

static int pg_upgrade(struct store *s, char *err, size_t errlen)
{
	return pg_migrate(pg_of(s)->conn, err, errlen);
}

static int pg_tx_begin(struct store *s)
{
	return run(pg_of(s), "BEGIN", "begin");
}

static int pg_tx_commit(struct store *s)
{
	struct pg_store *p = pg_of(s);
	/* COMMIT of a failed transaction reports success but rolls back: ask first. */
	if (PQtransactionStatus(p->conn) == PQTRANS_INERROR) {
		run(p, "ROLLBACK", "rollback");
		return store_set_err(s, "commit: the transaction had failed and was rolled back");
	}
	int rc = run(p, "COMMIT", "commit");
	if (rc != STORE_OK && PQtransactionStatus(p->conn) != PQTRANS_IDLE)
		run(p, "ROLLBACK", "rollback");
	return rc == STORE_OK ? STORE_OK : STORE_ERROR;
}

static void pg_tx_rollback(struct store *s)
{
	struct pg_store *p = pg_of(s);
	if (PQtransactionStatus(p->conn) != PQTRANS_IDLE)
		run(p, "ROLLBACK", "rollback");
}

static int pg_savepoint(struct store *s)
{
	return run(pg_of(s), "SAVEPOINT voxcart_sp", "savepoint");
}

static int pg_savepoint_rollback(struct store *s)
{
	return run(pg_of(s), "ROLLBACK TO SAVEPOINT voxcart_sp", "savepoint rollback");
}

static int pg_savepoint_release(struct store *s)
{
	return run(pg_of(s), "RELEASE SAVEPOINT voxcart_sp", "savepoint release");
}

/* ---- idempotency ---- */

static int pg_idem_get(struct store *s, int64_t user_id, const char *key, int64_t since,
		       struct store_idem *a)
{
	struct pg_store *p = pg_of(s);
	memset(a, 0, sizeof *a);
	char uid[24], sin[24];
	snprintf(uid, sizeof uid, "%lld", (long long)user_id);
	snprintf(sin, sizeof sin, "%lld", (long long)since);
	const char *params[3] = { uid, key, sin };
	/* Serialising: a transaction-scoped advisory lock on (user, key), so that a
	 * duplicate arriving at another process waits for this transaction to end and
	 * then finds its stored answer (outside a transaction it ends at once). */
	PGresult *r = PQexecParams(p->conn,
		"SELECT pg_advisory_xact_lock(7, hashtext($1 || ':' || $2))",
		2, NULL, params, NULL, NULL, 0);
	int rc = pg_result_rc(p, r, "idempotency lock");
	PQclear(r);
	if (rc != STORE_OK)
		return STORE_ERROR;
	r = exec_st(p, ST_IDEM_GET, params);
	rc = pg_result_rc(p, r, "idempotency lookup");
	if (rc == STORE_OK && PQntuples(r) == 0) {
		rc = STORE_NOT_FOUND;
	} else if (rc == STORE_OK) {
		a->request = strdup(PQgetvalue(r, 0, 0));
		a->status = atoi(PQgetvalue(r, 0, 1));
		a->body = strdup(PQgetvalue(r, 0, 2));
		if (!a->request || !a->body) {
			store_idem_free(a);
			rc = store_set_err(s, "out of memory");
		}
	} else {
		rc = STORE_ERROR;
	}
	PQclear(r);
	return rc;
}

static int pg_idem_put(struct store *s, int64_t user_id, const char *key, const char *request,
		       int status, const char *body, size_t body_len, int64_t now)
{
	struct pg_store *p = pg_of(s);
	char uid[24], st[16], at[24];
	snprintf(uid, sizeof uid, "%lld", (long long)user_id);
	snprintf(st, sizeof st, "%d", status);
	snprintf(at, sizeof at, "%lld", (long long)now);
	char *b = body ? strndup(body, body_len) : strdup("");
	if (!b)
		return store_set_err(s, "out of memory");
	const char *params[6] = { uid, key, request, st, b, at };
	PGresult *r = exec_st(p, ST_IDEM_PUT, params);
	int rc = pg_result_rc(p, r, "idempotency save");
	PQclear(r);
	free(b);
	return rc;
}

static int pg_idem_purge(struct store *s, int64_t before, int64_t *purged)
{
	struct pg_store *p = pg_of(s);
	char b[24];
	snprintf(b, sizeof b, "%lld", (long long)before);
	const char *params[1] = { b };
	PGresult *r = exec_st(p, ST_IDEM_PURGE, params);
	int rc = pg_result_rc(p, r, "idempotency purge");
	if (rc == STORE_OK && purged)
		*purged = strtoll(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return rc;
}

/* ---- accounts and tokens ---- */

#define I64(buf, v) snprintf(buf, sizeof buf, "%lld", (long long)(v))

static void copy_col(char *dst, size_t len, PGresult *r, int row, int col)
{
	snprintf(dst, len, "%s", PQgetvalue(r, row, col));
}

/* Numbers as the text parameters of a statement: NUMS(k, a, b) answers { "a", "b" }
 * (at most 8), written into k. */
struct nums {
	char text[8][24];
	const char *params[8];
};

static const char *const *num_params(struct nums *k, size_t n, const int64_t *v)
{
	for (size_t i = 0; i < n; i++) {
		I64(k->text[i], v[i]);
		k->params[i] = k->text[i];
	}
	return k->params;
}

#define NUMS(k, ...)                                                                      \
	num_params(&(k), sizeof((int64_t[]){ __VA_ARGS__ }) / sizeof(int64_t),            \
		   (int64_t[]){ __VA_ARGS__ })

/* Runs statement i; on success *out holds the result (PQclear it).  Returns STORE_OK,
 * STORE_CONFLICT or STORE_ERROR (nothing to clear then). */
static int query(struct pg_store *p, int i, const char *const *params, PGresult **out,
		 const char *what)
{
	PGresult *r = exec_st(p, i, params);
	int rc = pg_result_rc(p, r, what);
	if (rc != STORE_OK) {
		PQclear(r);
		return rc;
	}
	*out = r;
	return STORE_OK;
}

/* rc of a query that answers at most one row into *r: STORE_NOT_FOUND (*r cleared)
 * when it answered none. */
static int one_row(int rc, PGresult **r)
{
	if (rc == STORE_OK && PQntuples(*r) == 0) {
		PQclear(*r);
		return STORE_NOT_FOUND;
	}
	return rc;
}

/* query() of a statement that answers one row; STORE_NOT_FOUND when none. */
static int query_row(struct pg_store *p, int i, const char *const *params, PGresult **out,
		     const char *what)
{
	return one_row(query(p, i, params, out, what), out);
}

static int pg_user_get(struct store *s, int64_t id, struct store_user *u)
{
	struct pg_store *p = pg_of(s);
	memset(u, 0, sizeof *u);
	struct nums k;
	const char *const *params = NUMS(k, id);
	PGresult *r;
	int rc = query_row(p, ST_USER_GET, params, &r, "user");
	if (rc != STORE_OK)
		return rc;
	u->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	copy_col(u->email, sizeof u->email, r, 0, 1);
	copy_col(u->name, sizeof u->name, r, 0, 2);
	copy_col(u->role, sizeof u->role, r, 0, 3);
	if (!PQgetisnull(r, 0, 4) && !(u->shipping_address = strdup(PQgetvalue(r, 0, 4))))
		rc = store_set_err(s, "out of memory");
	u->created_at = strtoll(PQgetvalue(r, 0, 5), NULL, 10);
	PQclear(r);
	return rc;
}

static int pg_user_create(struct store *s, const char *email, const char *password_hash,
			  const char *name, const char *role, int64_t now, int64_t *id)
{
	char t[24];
	I64(t, now);
	const char *params[5] = { email, password_hash, name, role, t };
	PGresult *r;
	int rc = query(pg_of(s), ST_USER_CREATE, params, &r, "user create");
	if (rc != STORE_OK)
		return rc;
	if (id)
		*id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return STORE_OK;
}

static int pg_user_update(struct store *s, int64_t id, const char *name, int set_address,
			  const char *address_json)
{
	char a[24];
	I64(a, id);
	const char *params[4] = { name, set_address ? "true" : "false", address_json, a };
	PGresult *r;
	int rc = query(pg_of(s), ST_USER_UPDATE, params, &r, "user update");
	if (rc == STORE_OK)
		PQclear(r);
	return rc;
}

static int pg_login_find(struct store *s, const char *email, struct store_login *l)
{
	memset(l, 0, sizeof *l);
	const char *params[1] = { email };
	PGresult *r;
	int rc = query_row(pg_of(s), ST_LOGIN_FIND, params, &r, "login");
	if (rc != STORE_OK)
		return rc;
	l->user_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	copy_col(l->password_hash, sizeof l->password_hash, r, 0, 1);
	l->failed_logins = atoi(PQgetvalue(r, 0, 2));
	l->locked_until = strtoll(PQgetvalue(r, 0, 3), NULL, 10);
	PQclear(r);
	return rc;
}

static int pg_login_failed(struct store *s, int64_t user_id, int max_failures, int64_t now,
			   int64_t lock_until, int *failures)
{
	char m[16], n[24], lu[24], u[24];
	snprintf(m, sizeof m, "%d", max_failures);
	I64(n, now);
	I64(lu, lock_until);
	I64(u, user_id);
	const char *params[4] = { m, n, lu, u };
	PGresult *r;
	int rc = query_row(pg_of(s), ST_LOGIN_FAILED, params, &r, "failed login");
	if (rc != STORE_OK)
		return rc;
	if (failures)
		*failures = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	return rc;
}

static int pg_login_reset(struct store *s, int64_t user_id, int64_t ended_by)
{
	struct nums k;
	const char *const *params = NUMS(k, user_id, ended_by);
	PGresult *r;
	int rc = query(pg_of(s), ST_LOGIN_RESET, params, &r, "login reset");
	if (rc == STORE_OK)
		PQclear(r);
	return rc;
}

static int pg_login_locked_until(struct store *s, int64_t user_id, int64_t *locked_until)
{
	struct nums k;
	const char *const *params = NUMS(k, user_id);
	PGresult *r;
	int rc = query_row(pg_of(s), ST_LOCKED_UNTIL, params, &r, "lock");
	if (rc != STORE_OK)
		return rc;
	*locked_until = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return rc;
}

static int pg_token_check(struct store *s, const char *access_hash, int64_t now,
			  struct store_token_user *u)
{
	memset(u, 0, sizeof *u);
	char n[24];
	I64(n, now);
	const char *params[2] = { access_hash, n };
	PGresult *r;
	int rc = query_row(pg_of(s), ST_TOKEN_CHECK, params, &r, "token");
	if (rc != STORE_OK)
		return rc;
	u->user_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	copy_col(u->email, sizeof u->email, r, 0, 1);
	copy_col(u->name, sizeof u->name, r, 0, 2);
	copy_col(u->role, sizeof u->role, r, 0, 3);
	u->token_id = strtoll(PQgetvalue(r, 0, 4), NULL, 10);
	u->login_id = strtoll(PQgetvalue(r, 0, 5), NULL, 10);
	PQclear(r);
	return rc;
}

static int pg_token_issue(struct store *s, int64_t user_id, const char *access_hash,
			  const char *refresh_hash, int64_t access_expires, int64_t refresh_expires,
			  int64_t now, int64_t login_id, int64_t *token_id)
{
	char u[24], ae[24], re[24], n[24], l[24];
	I64(u, user_id);
	I64(ae, access_expires);
	I64(re, refresh_expires);
	I64(n, now);
	I64(l, login_id);
	const char *params[7] = { u, access_hash, refresh_hash, ae, re, n, l };
	PGresult *r;
	int rc = query(pg_of(s), ST_TOKEN_ISSUE, params, &r, "token issue");
	if (rc != STORE_OK)
		return rc;
	if (token_id)
		*token_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return STORE_OK;
}

static int pg_token_refresh(struct store *s, const char *refresh_hash, int64_t now,
			    int64_t *user_id, int64_t *login_id, enum store_refresh_why *why)
{
	char n[24];
	I64(n, now);
	const char *params[2] = { refresh_hash, n };
	PGresult *r;
	int rc = query(pg_of(s), ST_TOKEN_REFRESH, params, &r, "refresh");
	if (rc != STORE_OK)
		return rc;
	/* Third column: 0 taken, else a store_refresh_why (1 expired, 2 used, 3 out). */
	int reason = PQntuples(r) ? atoi(PQgetvalue(r, 0, 2)) : 0;
	if (PQntuples(r) == 0 || reason != 0) {
		rc = STORE_NOT_FOUND;
		*why = reason == 1 ? STORE_REFRESH_EXPIRED : reason == 2 ? STORE_REFRESH_USED
		       : reason == 3 ? STORE_REFRESH_LOGGED_OUT : STORE_REFRESH_UNKNOWN;
	} else {
		*user_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		*login_id = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
	}
	PQclear(r);
	return rc;
}

static int pg_login_end(struct store *s, int64_t login_id, int64_t token_id)
{
	struct nums k;
	const char *const *params = NUMS(k, login_id, token_id);
	PGresult *r;
	int rc = query(pg_of(s), ST_LOGIN_END, params, &r, "logout");
	if (rc == STORE_OK)
		PQclear(r);
	return rc;
}

static int pg_login_alive(struct store *s, int64_t login_id, int64_t now, int *alive)
{
	struct nums k;
	const char *const *params = NUMS(k, login_id);
	PGresult *r;
	*alive = 0;
	int rc = query(pg_of(s), ST_LOGIN_ALIVE, params, &r, "login alive");
	if (rc != STORE_OK)
		return rc;
	/* Logout marks the login's rows revoked = 2, a refresh its old row revoked = 1. */
	*alive = atoi(PQgetvalue(r, 0, 0)) == 0 && strtoll(PQgetvalue(r, 0, 1), NULL, 10) > now;
	PQclear(r);
	return STORE_OK;
}

/* ---- checkout's stock step ---- */

static int pg_stock_take(struct store *s, int64_t product_id, int64_t qty)
{
	struct nums k;
	const char *const *params = NUMS(k, qty, product_id);
	PGresult *r;
	int rc = query(pg_of(s), ST_STOCK_TAKE, params, &r, "stock");
	if (rc != STORE_OK)
		return rc;
	/* The row lock makes a second process wait, then re-check stock >= qty. */
	rc = strcmp(PQcmdTuples(r), "1") == 0 ? STORE_OK : STORE_CONFLICT;
	PQclear(r);
	return rc;
}

/* ---- helpers for the aggregates below (unprepared statements) ---- */

/* Runs sql with n text parameters; on success *out holds the result (PQclear it). */
static int qx(struct pg_store *p, const char *sql, int n, const char *const *params,
	      PGresult **out, const char *what)
{
	PGresult *r = PQexecParams(p->conn, sql, n, NULL, params, NULL, NULL, 0);
	int rc = pg_result_rc(p, r, what);
	if (rc != STORE_OK) {
		PQclear(r);
		return rc;
	}
	*out = r;
	return STORE_OK;
}

/* qx() of a query that answers one row; STORE_NOT_FOUND when none. */
static int qx_row(struct pg_store *p, const char *sql, int n, const char *const *params,
		  PGresult **out, const char *what)
{
	return one_row(qx(p, sql, n, params, out, what), out);
}

/* Runs a command; STORE_NOT_FOUND when it changed no row. */
static int qchange(struct pg_store *p, const char *sql, int n, const char *const *params,
		   const char *what)
{
	PGresult *r;
	int rc = qx(p, sql, n, params, &r, what);
	if (rc != STORE_OK)
		return rc;
	if (strcmp(PQcmdTuples(r), "0") == 0)
		rc = STORE_NOT_FOUND;
	PQclear(r);
	return rc;
}

static int64_t col64(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static char *coldup(PGresult *r, int row, int col)
{
	return strdup(PQgetvalue(r, row, col)); /* "" for NULL */
}

/* Runs a query of one number (a count, an id) into *out: 0 when it answers no row
 * or NULL. */
static int qnum(struct pg_store *p, const char *sql, int n, const char *const *params,
		  int64_t *out, const char *what)
{
	PGresult *r;
	int rc = qx(p, sql, n, params, &r, what);
	if (rc != STORE_OK)
		return rc;
	*out = col64(r, 0, 0);
	PQclear(r);
	return STORE_OK;
}

/* The ids in column 0 of r's rows, at most max, into ids[*n]; clears r. */
static int id_rows(PGresult *r, int64_t *ids, size_t max, size_t *n)
{
	for (int i = 0; i < PQntuples(r) && *n < max; i++)
		ids[(*n)++] = col64(r, i, 0);
	PQclear(r);
	return STORE_OK;
}

/* One page of a list owned by id: count_sql ($1 the id, then $2 the status when
 * with_status, NULL for any) counts all of it into *total, then page_sql (the same
 * parameters, then LIMIT and OFFSET) answers the page into *out (PQclear it).  Errors
 * are recorded under `what` ("what count" for the count). */
static int page_query(struct pg_store *p, const char *count_sql, const char *page_sql,
		      int64_t id, int with_status, const char *status, int64_t limit,
		      int64_t offset, PGresult **out, int64_t *total, const char *what)
{
	char a[24], l[24], o[24], wc[64];
	I64(a, id);
	I64(l, limit);
	I64(o, offset);
	snprintf(wc, sizeof wc, "%s count", what);
	const char *params[4] = { a, status, l, o };
	if (!with_status) {
		params[1] = l;
		params[2] = o;
	}
	int keys = with_status ? 2 : 1;
	*total = 0;
	int rc = qnum(p, count_sql, keys, params, total, wc);
	return rc != STORE_OK ? rc : qx(p, page_sql, keys + 2, params, out, what);
}

/* Several statements as one: inside the caller's transaction a savepoint, else a
 * transaction of their own.  atomic_end commits (rc STORE_OK) or undoes them. */
static int atomic_begin(struct pg_store *p, int *own)
{
	*own = PQtransactionStatus(p->conn) == PQTRANS_IDLE;
	return run(p, *own ? "BEGIN" : "SAVEPOINT voxcart_atomic", "begin");
}

static int atomic_end(struct pg_store *p, int own, int rc)
{
	if (own) {
		if (rc != STORE_OK) {
			run(p, "ROLLBACK", "rollback");
			return rc;
		}
		return pg_tx_commit(&p->base);
	}
	if (rc != STORE_OK)
		run(p, "ROLLBACK TO SAVEPOINT voxcart_atomic", "rollback to");
	int r2 = run(p, "RELEASE SAVEPOINT voxcart_atomic", "release");
	return rc != STORE_OK ? rc : r2;
}

/* A function's body: the int expression `steps` (of p) run as one, between
 * atomic_begin and atomic_end, and its outcome returned. */
#define RETURN_ATOMIC(p, steps)                                                           \
	do {                                                                              \
		int own_;                                                                 \
		if (atomic_begin(p, &own_) != STORE_OK)                                   \
			return STORE_ERROR;                                               \
		return atomic_end(p, own_, steps);                                        \
	} while (0)

/* ---- catalog and the seller's listings ---- */

#define PRODUCT_COLUMNS                                                                   \
	"p.id, p.seller_id, u.name, p.title, p.description, p.price_cents, p.currency,"   \
	" p.stock, p.category, p.tags, p.status, p.created_at, p.updated_at, p.sku"
#define PRODUCT_FROM " FROM products p JOIN users u ON u.id = p.seller_id "

/* Row i of a PRODUCT_COLUMNS result into pr; STORE_OK or out of memory (pr freed). */
static int product_row(struct store *s, PGresult *r, int i, struct store_product *pr)
{
	memset(pr, 0, sizeof *pr);
	pr->id = col64(r, i, 0);
	pr->seller_id = col64(r, i, 1);
	pr->seller_name = coldup(r, i, 2);
	pr->title = coldup(r, i, 3);
	pr->description = coldup(r, i, 4);
	pr->price_cents = col64(r, i, 5);
	copy_col(pr->currency, sizeof pr->currency, r, i, 6);
	pr->stock = col64(r, i, 7);
	pr->category = coldup(r, i, 8);
	pr->tags = coldup(r, i, 9);
	copy_col(pr->status, sizeof pr->status, r, i, 10);
	pr->created_at = col64(r, i, 11);
	pr->updated_at = col64(r, i, 12);
	int has_sku = !PQgetisnull(r, i, 13);
	if (has_sku)
		pr->sku = coldup(r, i, 13);
	if (!pr->seller_name || !pr->title || !pr->description || !pr->category || !pr->tags ||
	    (has_sku && !pr->sku)) {
		store_product_free(pr);
		return store_set_err(s, "out of memory");
	}
	return STORE_OK;
}

/* Every row of a PRODUCT_COLUMNS result appended to out (which it frees on failure);
 * clears r. */
static int product_rows(struct store *s, PGresult *r, struct store_products *out)
{
	int n = PQntuples(r), rc = STORE_OK;
	if (n > 0 && !(out->items = calloc((size_t)n, sizeof *out->items)))
		rc = store_set_err(s, "out of memory");
	for (int i = 0; rc == STORE_OK && i < n; i++)
		if ((rc = product_row(s, r, i, &out->items[out->count])) == STORE_OK)
			out->count++;
	PQclear(r);
	if (rc != STORE_OK)
		store_products_free(out);
	return rc;
}

static int pg_product_get(struct store *s, int64_t id, struct store_product *pr)
{
	memset(pr, 0, sizeof *pr);
	struct nums k;
	const char *const *params = NUMS(k, id);
	PGresult *r;
	int rc = qx_row(pg_of(s), "SELECT " PRODUCT_COLUMNS PRODUCT_FROM "WHERE p.id = $1", 1,
			params, &r, "product get");
	if (rc != STORE_OK)
		return rc;
	rc = product_row(s, r, 0, pr);
	PQclear(r);
	return rc;
}

static int pg_product_insert(struct store *s, int64_t seller_id, const char *title,
			     const char *description, int64_t price_cents, int64_t stock,
			     const char *category, const char *tags_json, const char *sku,
			     int64_t now, int64_t *id)
{
	char se[24], pc[24], st[24], n[24];
	I64(se, seller_id);
	I64(pc, price_cents);
	I64(st, stock);
	I64(n, now);
	const char *params[9] = { se, title, description ? description : "", pc, st, category,
				  tags_json ? tags_json : "[]", n, sku };
	int64_t v;
	/* The search column is generated: no index of our own to keep in step. */
	int rc = qnum(pg_of(s), "INSERT INTO products (seller_id, title, description, price_cents,"
		      " stock, category, tags, created_at, updated_at, sku)"
		      " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) RETURNING id",
		      9, params, &v, "product insert");
	if (rc == STORE_OK && id)
		*id = v;
	return rc;
}

/* ---- carts ---- */

static int pg_cart_get(struct store *s, int64_t user_id, struct store_cart *out)
{
	memset(out, 0, sizeof *out);
	struct nums k;
	const char *const *params = NUMS(k, user_id);
	PGresult *r;
	int rc = qx(pg_of(s), "SELECT c.product_id, p.title, p.price_cents, c.quantity, p.stock,"
		    " (p.status = 'active')::int, p.seller_id FROM cart_items c"
		    " JOIN products p ON p.id = c.product_id WHERE c.user_id = $1"
		    " ORDER BY c.added_at, c.seq", 1, params, &r, "cart");
	if (rc != STORE_OK)
		return rc;
	int n = PQntuples(r);
	if (n > 0 && !(out->items = calloc((size_t)n, sizeof *out->items))) {
		PQclear(r);
		return store_set_err(s, "out of memory");
	}
	for (int i = 0; i < n; i++) {
		struct store_cart_line *l = &out->items[i];
		l->product_id = col64(r, i, 0);
		l->unit_price_cents = col64(r, i, 2);
		l->quantity = col64(r, i, 3);
		l->stock = col64(r, i, 4);
		l->active = (int)col64(r, i, 5);
		l->seller_id = col64(r, i, 6);
		out->count++;
		if (!(l->title = coldup(r, i, 1))) {
			rc = store_set_err(s, "out of memory");
			break;
		}
	}
	PQclear(r);
	if (rc != STORE_OK)
		store_cart_free(out);
	return rc;
}

static int pg_cart_line_qty(struct store *s, int64_t user_id, int64_t product_id, int64_t *qty)
{
	struct nums k;
	const char *const *params = NUMS(k, user_id, product_id);
	*qty = 0;
	/* FOR UPDATE: a second process changing the same line waits for this transaction. */
	return qnum(pg_of(s), "SELECT quantity FROM cart_items WHERE user_id = $1"
		    " AND product_id = $2 FOR UPDATE", 2, params, qty, "cart line");
}

static int pg_cart_put(struct store *s, int64_t user_id, int64_t product_id, int64_t qty,
		       int64_t now)
{
	struct nums k;
	const char *const *params = NUMS(k, user_id, product_id, qty, now);
	int rc = qchange(pg_of(s), "INSERT INTO cart_items (user_id, product_id, quantity, added_at)"
			 " VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, product_id)"
			 " DO UPDATE SET quantity = EXCLUDED.quantity", 4, params, "cart put");
	return rc == STORE_NOT_FOUND ? STORE_OK : rc;
}

static int pg_cart_delete(struct store *s, int64_t user_id, int64_t product_id)
{
	struct nums k;
	const char *const *params = NUMS(k, user_id, product_id);
	return qchange(pg_of(s), "DELETE FROM cart_items WHERE user_id = $1 AND product_id = $2",
		       2, params, "cart delete");
}

static int pg_cart_clear(struct store *s, int64_t user_id)
{
	struct nums k;
	const char *const *params = NUMS(k, user_id);
	int rc = qchange(pg_of(s), "DELETE FROM cart_items WHERE user_id = $1", 1, params,
			 "cart clear");
	return rc == STORE_NOT_FOUND ? STORE_OK : rc;
}

/* ---- payments ---- */

#define CARD_COLUMNS "id, brand, last4, exp_month, exp_year, is_default, provider, token"

static void card_row(PGresult *r, int i, struct store_card *c)
{
	c->id = col64(r, i, 0);
	copy_col(c->brand, sizeof c->brand, r, i, 1);
	copy_col(c->last4, sizeof c->last4, r, i, 2);
	c->exp_month = (int)col64(r, i, 3);
	c->exp_year = (int)col64(r, i, 4);
	c->is_default = (int)col64(r, i, 5);
	copy_col(c->provider, sizeof c->provider, r, i, 6);
	copy_col(c->token, sizeof c->token, r, i, 7);
}

static int pg_card_get(struct store *s, int64_t user_id, int64_t id, struct store_card *c)
{
	memset(c, 0, sizeof *c);
	struct nums k;
	const char *const *params = NUMS(k, id, user_id);
	PGresult *r;
	int rc = qx_row(pg_of(s), "SELECT " CARD_COLUMNS " FROM payment_methods WHERE id = $1"
			" AND user_id = $2 AND deleted = 0", 2, params, &r, "card get");
	if (rc != STORE_OK)
		return rc;
	card_row(r, 0, c);
	PQclear(r);
	return rc;
}

static int pg_cards_list(struct store *s, int64_t user_id, struct store_cards *out)
{
	memset(out, 0, sizeof *out);
	struct nums k;
	const char *const *params = NUMS(k, user_id);
	PGresult *r;
	int rc = qx(pg_of(s), "SELECT " CARD_COLUMNS " FROM payment_methods WHERE user_id = $1"
		    " AND deleted = 0 ORDER BY is_default DESC, id", 1, params, &r, "cards");
	if (rc != STORE_OK)
		return rc;
	int n = PQntuples(r);
	if (n > 0 && !(out->items = calloc((size_t)n, sizeof *out->items))) {
		PQclear(r);
		return store_set_err(s, "out of memory");
	}
	for (int i = 0; i < n; i++)
		card_row(r, i, &out->items[out->count++]);
	PQclear(r);
	return STORE_OK;
}

static int pg_card_default(struct store *s, int64_t user_id, int64_t *id)
{
	struct nums k;
	const char *const *params = NUMS(k, user_id);
	*id = 0;
	return qnum(pg_of(s), "SELECT id FROM payment_methods WHERE user_id = $1 AND deleted = 0"
		    " AND is_default = 1 ORDER BY id DESC LIMIT 1", 1, params, id, "default card");
}

static int pg_card_insert(struct store *s, int64_t user_id, const struct store_card *c,
			  int64_t now, int64_t *id)
{
	char u[24], m[16], y[16], n[24];
	I64(u, user_id);
	snprintf(m, sizeof m, "%d", c->exp_month);
	snprintf(y, sizeof y, "%d", c->exp_year);
	I64(n, now);
	const char *params[8] = { u, c->brand, c->last4, m, y, c->provider, c->token, n };
	int64_t v;
	int rc = qnum(pg_of(s), "INSERT INTO payment_methods (user_id, brand, last4, exp_month,"
		      " exp_year, is_default, provider, token, created_at) SELECT $1, $2, $3, $4, $5,"
		      " (NOT EXISTS (SELECT 1 FROM payment_methods WHERE user_id = $1"
		      " AND deleted = 0))::int, $6, $7, $8 RETURNING id", 8, params, &v, "card insert");
	if (rc == STORE_OK && id)
		*id = v;
	return rc;
}

static int pg_card_set_default(struct store *s, int64_t user_id, int64_t id)
{
	struct nums k;
	const char *const *params = NUMS(k, id, user_id);
	int rc = qchange(pg_of(s), "UPDATE payment_methods SET is_default = (id = $1)::int"
			 " WHERE user_id = $2 AND deleted = 0", 2, params, "card default");
	return rc == STORE_NOT_FOUND ? STORE_OK : rc;
}

static int card_delete_steps(struct pg_store *p, int64_t user_id, int64_t id)
{
	struct nums k;
	const char *const *params = NUMS(k, id, user_id);
	int rc = qchange(p, "UPDATE payment_methods SET deleted = 1, is_default = 0"
			 " WHERE id = $1 AND user_id = $2 AND deleted = 0", 2, params, "card delete");
	if (rc != STORE_OK)
		return rc;
	/* The default went away: the newest remaining card takes its place. */
	rc = qchange(p, "UPDATE payment_methods SET is_default = 1 WHERE id = (SELECT id FROM"
		     " payment_methods WHERE user_id = $1 AND deleted = 0 ORDER BY id DESC LIMIT 1)"
		     " AND NOT EXISTS (SELECT 1 FROM payment_methods WHERE user_id = $1"
		     " AND deleted = 0 AND is_default = 1)", 1, params + 1, "card default");
	return rc == STORE_NOT_FOUND ? STORE_OK : rc;
}

static int pg_card_delete(struct store *s, int64_t user_id, int64_t id)
{
	struct pg_store *p = pg_of(s);
	RETURN_ATOMIC(p, card_delete_steps(p, user_id, id));
}

/* ---- orders ---- */

static int order_insert_steps(struct pg_store *p, int64_t user_id, int64_t subtotal_cents,
			      const char *address_json, int64_t expires_at, int64_t now,
			      const struct store_order_line *lines, size_t n, int64_t *id)
{
	char u[24], sub[24], ex[24], t[24];
	I64(u, user_id);
	I64(sub, subtotal_cents);
	I64(ex, expires_at);
	I64(t, now);
	const char *params[5] = { u, sub, address_json, ex, t };
	PGresult *r;
	int rc = qx(p, "INSERT INTO orders (user_id, status, subtotal_cents, total_cents, currency,"
		    " shipping_address, expires_at, created_at, updated_at) VALUES ($1,"
		    " 'pending_payment', $2, $2, 'USD', $3, $4, $5, $5) RETURNING id",
		    5, params, &r, "order insert");
	if (rc != STORE_OK)
		return rc;
	char oid[24];
	int64_t order_id = col64(r, 0, 0);
	PQclear(r);
	I64(oid, order_id);
	for (size_t i = 0; rc == STORE_OK && i < n; i++) {
		char pr[24], se[24], up[24], q[24];
		I64(pr, lines[i].product_id);
		I64(se, lines[i].seller_id);
		I64(up, lines[i].unit_price_cents);
		I64(q, lines[i].quantity);
		const char *lp[6] = { oid, pr, se, lines[i].title, up, q };
		rc = qchange(p, "INSERT INTO order_items (order_id, product_id, seller_id, title,"
			     " unit_price_cents, quantity) VALUES ($1, $2, $3, $4, $5, $6)",
			     6, lp, "order items");
	}
	if (rc == STORE_OK)
		*id = order_id;
	return rc;
}

static int pg_order_insert(struct store *s, int64_t user_id, int64_t subtotal_cents,
			   const char *address_json, int64_t expires_at, int64_t now,
			   const struct store_order_line *lines, size_t n, int64_t *id)
{
	struct pg_store *p = pg_of(s);
	RETURN_ATOMIC(p, order_insert_steps(p, user_id, subtotal_cents, address_json, expires_at,
					    now, lines, n, id));
}

static int pg_order_mark_paid(struct store *s, int64_t order_id,
			      const struct store_order_payment *pay, int64_t now)
{
	char am[24], t[24], m[24], o[24];
	I64(am, pay->amount_cents);
	I64(t, now);
	I64(m, pay->method_id);
	I64(o, order_id);
	const char *params[7] = { pay->brand, pay->last4, am, t, m, pay->provider, pay->ref };
	const char *all[8] = { params[0], params[1], params[2], params[3], params[4], params[5],
			       params[6], o };
	return qchange(pg_of(s), "UPDATE orders SET status = 'paid', payment_status = 'succeeded',"
		       " payment_brand = $1, payment_last4 = $2, payment_amount_cents = $3,"
		       " paid_at = $4, payment_method_id = NULLIF($5::bigint, 0), payment_provider = $6,"
		       " payment_ref = $7, expires_at = NULL, updated_at = $4 WHERE id = $8",
		       8, all, "order paid");
}

static int pg_order_state(struct store *s, int64_t order_id, struct store_order_state *o)
{
	memset(o, 0, sizeof *o);
	struct nums k;
	const char *const *params = NUMS(k, order_id);
	PGresult *r;
	/* FOR UPDATE: what the caller decides from the state holds until it commits. */
	int rc = qx_row(pg_of(s), "SELECT user_id, status, total_cents, coalesce(expires_at, 0),"
			" coalesce(payment_status, ''), coalesce(payment_provider, 'sandbox'),"
			" coalesce(payment_ref, ''), (SELECT count(*) FROM order_items"
			" WHERE order_id = orders.id AND fulfillment = 'shipped')"
			" FROM orders WHERE id = $1 FOR UPDATE", 1, params, &r, "order state");
	if (rc != STORE_OK)
		return rc;
	o->user_id = col64(r, 0, 0);
	copy_col(o->status, sizeof o->status, r, 0, 1);
	o->total_cents = col64(r, 0, 2);
	o->expires_at = col64(r, 0, 3);
	copy_col(o->payment_status, sizeof o->payment_status, r, 0, 4);
	copy_col(o->payment_provider, sizeof o->payment_provider, r, 0, 5);
	copy_col(o->payment_ref, sizeof o->payment_ref, r, 0, 6);
	o->shipped_items = (int)col64(r, 0, 7);
	PQclear(r);
	return STORE_OK;
}

/* Cancels the order and puts its units back in stock; with due > 0 only an order still
 * pending_payment and due by then (a payment may have landed since orders_due, on any
 * process).  The order row is updated first, under its row lock: of two processes
 * releasing it, the second finds it no longer matches (STORE_NOT_FOUND). */
static int release_steps(struct pg_store *p, int64_t order_id, int refunded, int64_t now,
			 int64_t due)
{
	char o[24], t[24], d[24];
	I64(o, order_id);
	I64(t, now);
	I64(d, due);
	const char *params[4] = { o, t, refunded ? "true" : "false", d };
	int rc = qchange(p, "UPDATE orders SET status = 'cancelled', expires_at = NULL,"
			 " updated_at = $2, payment_status = CASE WHEN $3::boolean THEN 'refunded'"
			 " ELSE payment_status END WHERE id = $1 AND ($4::bigint <= 0 OR"
			 " (status = 'pending_payment' AND expires_at <= $4::bigint))",
			 4, params, "order cancel");
	if (rc != STORE_OK)
		return rc;
	rc = qchange(p, "UPDATE products SET stock = stock + i.q FROM (SELECT product_id,"
		     " sum(quantity) AS q FROM order_items WHERE order_id = $1 GROUP BY product_id) i"
		     " WHERE products.id = i.product_id", 1, params, "order release");
	return rc == STORE_NOT_FOUND ? STORE_OK : rc;
}

static int pg_order_release(struct store *s, int64_t order_id, int refunded, int64_t now)
{
	struct pg_store *p = pg_of(s);
	RETURN_ATOMIC(p, release_steps(p, order_id, refunded, now, 0));
}

static int pg_orders_due(struct store *s, int64_t now, int64_t *ids, size_t max, size_t *n)
{
	struct nums k;
	const char *const *params = NUMS(k, now, (int64_t)max);
	PGresult *r;
	*n = 0;
	int rc = qx(pg_of(s), "SELECT id FROM orders WHERE status = 'pending_payment'"
		    " AND expires_at <= $1 ORDER BY expires_at LIMIT $2", 2, params, &r, "orders due");
	return rc != STORE_OK ? rc : id_rows(r, ids, max, n);
}

static int pg_order_expire(struct store *s, int64_t order_id, int64_t now)
{
	struct pg_store *p = pg_of(s);
	RETURN_ATOMIC(p, release_steps(p, order_id, 0, now, now > 0 ? now : 1));
}

static int pg_order_get(struct store *s, int64_t order_id, struct store_order *o)
{
	struct pg_store *p = pg_of(s);
	memset(o, 0, sizeof *o);
	struct nums k;
	const char *const *params = NUMS(k, order_id);
	PGresult *r;
	int rc = qx_row(p, "SELECT id, user_id, status, subtotal_cents, total_cents, currency,"
			" shipping_address, payment_status, payment_brand, payment_last4,"
			" payment_amount_cents, paid_at, coalesce(expires_at, 0), created_at, updated_at"
			" FROM orders WHERE id = $1", 1, params, &r, "order get");
	if (rc != STORE_OK)
		return rc;
	o->id = col64(r, 0, 0);
	o->user_id = col64(r, 0, 1);
	copy_col(o->status, sizeof o->status, r, 0, 2);
	o->subtotal_cents = col64(r, 0, 3);
	o->total_cents = col64(r, 0, 4);
	copy_col(o->currency, sizeof o->currency, r, 0, 5);
	if (!PQgetisnull(r, 0, 6) && !(o->shipping_address = coldup(r, 0, 6)))
		rc = store_set_err(s, "out of memory");
	o->has_payment = !PQgetisnull(r, 0, 7);
	copy_col(o->payment_status, sizeof o->payment_status, r, 0, 7);
	copy_col(o->payment_brand, sizeof o->payment_brand, r, 0, 8);
	copy_col(o->payment_last4, sizeof o->payment_last4, r, 0, 9);
	o->payment_amount_cents = col64(r, 0, 10);
	o->paid_at = col64(r, 0, 11);
	o->expires_at = col64(r, 0, 12);
	o->created_at = col64(r, 0, 13);
	o->updated_at = col64(r, 0, 14);
	PQclear(r);
	if (rc == STORE_OK)
		rc = qx(p, "SELECT product_id, seller_id, title, unit_price_cents, quantity,"
			" fulfillment FROM order_items WHERE order_id = $1 ORDER BY seq",
			1, params, &r, "order items");
	if (rc != STORE_OK) {
		store_order_free(o);
		return rc;
	}
	int n = PQntuples(r);
	if (n > 0 && !(o->items = calloc((size_t)n, sizeof *o->items)))
		rc = store_set_err(s, "out of memory");
	for (int i = 0; rc == STORE_OK && i < n; i++) {
		struct store_order_item *it = &o->items[o->item_count++];
		it->product_id = col64(r, i, 0);
		it->seller_id = col64(r, i, 1);
		it->unit_price_cents = col64(r, i, 3);
		it->quantity = col64(r, i, 4);
		copy_col(it->fulfillment, sizeof it->fulfillment, r, i, 5);
		if (!(it->title = coldup(r, i, 2)))
			rc = store_set_err(s, "out of memory");
	}
	PQclear(r);
	if (rc != STORE_OK)
		store_order_free(o);
	return rc;
}

static int pg_order_ids(struct store *s, int64_t user_id, const char *status, int64_t limit,
			int64_t offset, int64_t *ids, size_t *n, int64_t *total)
{
	PGresult *r;
	*n = 0;
	int rc = page_query(pg_of(s), "SELECT count(*) FROM orders WHERE user_id = $1"
			    " AND ($2::text IS NULL OR status = $2)", "SELECT id FROM orders"
			    " WHERE user_id = $1 AND ($2::text IS NULL OR status = $2)"
			    " ORDER BY id DESC LIMIT $3 OFFSET $4", user_id, 1, status, limit, offset,
			    &r, total, "orders");
	return rc != STORE_OK ? rc : id_rows(r, ids, limit > 0 ? (size_t)limit : 0, n);
}

static int pg_order_has_seller(struct store *s, int64_t order_id, int64_t seller_id, int *yes)
{
	struct nums k;
	const char *const *params = NUMS(k, order_id, seller_id);
	PGresult *r;
	*yes = 0;
	int rc = qx(pg_of(s), "SELECT 1 FROM order_items WHERE order_id = $1 AND seller_id = $2"
		    " LIMIT 1", 2, params, &r, "order seller");
	if (rc != STORE_OK)
		return rc;
	*yes = PQntuples(r) > 0;
	PQclear(r);
	return STORE_OK;
}

static int pg_product_by_sku(struct store *s, int64_t seller_id, const char *sku, int64_t *id)
{
	char se[24];
	I64(se, seller_id);
	const char *params[2] = { se, sku };
	PGresult *r;
	int rc = qx_row(pg_of(s), "SELECT id FROM products WHERE seller_id = $1 AND sku = $2",
			2, params, &r, "product by sku");
	if (rc != STORE_OK)
		return rc;
	*id = col64(r, 0, 0);
	PQclear(r);
	return rc;
}

static int pg_products_count(struct store *s, int64_t *n)
{
	return qnum(pg_of(s), "SELECT count(*) FROM products", 0, NULL, n, "products count");
}

/* ---- conversations ---- */

static int pg_conv_create(struct store *s, int64_t user_id, int64_t now, int64_t *id)
{
	struct nums k;
	const char *const *params = NUMS(k, user_id, now);
	return qnum(pg_of(s), "INSERT INTO conversations (user_id, started_at, last_at)"
		    " VALUES ($1, $2, $2) RETURNING id", 2, params, id, "conversation create");
}

static void conv_row(PGresult *r, int i, struct store_conv *c)
{
	c->id = col64(r, i, 0);
	c->started_at = col64(r, i, 1);
	c->last_at = col64(r, i, 2);
	c->turns = (int)col64(r, i, 3);
	c->flagged = (int)col64(r, i, 4);
}

static int pg_conv_get(struct store *s, int64_t conv_id, int64_t user_id, struct store_conv *c)
{
	memset(c, 0, sizeof *c);
	struct nums k;
	const char *const *params = NUMS(k, conv_id, user_id);
	PGresult *r;
	int rc = qx_row(pg_of(s), "SELECT id, started_at, last_at, turns, flagged FROM conversations"
			" WHERE id = $1 AND user_id = $2", 2, params, &r, "conversation get");
	if (rc != STORE_OK)
		return rc;
	conv_row(r, 0, c);
	PQclear(r);
	return rc;
}

static int pg_conv_list(struct store *s, int64_t user_id, int64_t limit, int64_t offset,
			struct store_convs *out, int64_t *total)
{
	memset(out, 0, sizeof *out);
	PGresult *r;
	int rc = page_query(pg_of(s), "SELECT count(*) FROM conversations WHERE user_id = $1",
			    "SELECT id, started_at, last_at, turns, flagged FROM conversations"
			    " WHERE user_id = $1 ORDER BY last_at DESC, id DESC LIMIT $2 OFFSET $3",
			    user_id, 0, NULL, limit, offset, &r, total, "conversations");
	if (rc != STORE_OK)
		return rc;
	int n = PQntuples(r);
	if (n > 0 && !(out->items = calloc((size_t)n, sizeof *out->items))) {
		PQclear(r);
		return store_set_err(s, "out of memory");
	}
	for (int i = 0; i < n; i++)
		conv_row(r, i, &out->items[out->count++]);
	PQclear(r);
	return STORE_OK;
}

static int conv_turn_steps(struct pg_store *p, int64_t conv_id, const char *user_text,
			   const char *intent, double sentiment, const char *reply, int frustrated,
			   const char *state, int64_t now)
{
	char c[24], n[24], se[40];
	I64(c, conv_id);
	I64(n, now);
	snprintf(se, sizeof se, "%.17g", sentiment);
	const char *um[5] = { c, user_text, intent && *intent ? intent : NULL, se, n };
	int rc = qchange(p, "INSERT INTO messages (conversation_id, role, text, intent, sentiment, at)"
			 " VALUES ($1, 'user', $2, $3, $4, $5)", 5, um, "message add");
	const char *bm[3] = { c, reply, n };
	if (rc == STORE_OK)
		rc = qchange(p, "INSERT INTO messages (conversation_id, role, text, at)"
			     " VALUES ($1, 'buddy', $2, $3)", 3, bm, "message add");
	const char *cm[4] = { c, n, frustrated ? "1" : "0", state };
	if (rc == STORE_OK)
		rc = state ? qchange(p, "UPDATE conversations SET last_at = $2, turns = turns + 1,"
				     " flagged = greatest(flagged, $3::int), state = $4 WHERE id = $1",
				     4, cm, "conversation turn")
			   : qchange(p, "UPDATE conversations SET last_at = $2, turns = turns + 1,"
				     " flagged = greatest(flagged, $3::int) WHERE id = $1", 3, cm,
				     "conversation turn");
	/* A conversation deleted meanwhile: nothing to record (SQLite's UPDATE of no row
	 * succeeds too; its messages then went away with the cascade). */
	return rc == STORE_NOT_FOUND ? STORE_OK : rc;
}

static int pg_conv_add_turn(struct store *s, int64_t conv_id, const char *user_text,
			    const char *intent, double sentiment, const char *reply, int frustrated,
			    const char *state, int64_t now)
{
	struct pg_store *p = pg_of(s);
	RETURN_ATOMIC(p, conv_turn_steps(p, conv_id, user_text, intent, sentiment, reply,
				   frustrated, state, now));
}

static int pg_conv_delete(struct store *s, int64_t conv_id)
{
	struct nums k;
	const char *const *params = NUMS(k, conv_id);
	int rc = qchange(pg_of(s), "DELETE FROM conversations WHERE id = $1", 1, params,
			 "conversation delete");
	return rc == STORE_NOT_FOUND ? STORE_OK : rc;
}

static int pg_conv_messages(struct store *s, int64_t conv_id, int last, struct store_messages *out)
{
	memset(out, 0, sizeof *out);
	struct nums k;
	const char *const *params = NUMS(k, conv_id, last > 0 ? last : 0);
	PGresult *r;
	int rc = last > 0
		? qx(pg_of(s), "SELECT role, text, at, intent, sentiment FROM (SELECT id, role, text,"
		     " at, intent, sentiment FROM messages WHERE conversation_id = $1 ORDER BY id DESC"
		     " LIMIT $2) m ORDER BY id", 2, params, &r, "messages")
		: qx(pg_of(s), "SELECT role, text, at, intent, sentiment FROM messages"
		     " WHERE conversation_id = $1 ORDER BY id", 1, params, &r, "messages");
	if (rc != STORE_OK)
		return rc;
	int n = PQntuples(r);
	if (n > 0 && !(out->items = calloc((size_t)n, sizeof *out->items)))
		rc = store_set_err(s, "out of memory");
	for (int i = 0; rc == STORE_OK && i < n; i++) {
		struct store_message *m = &out->items[out->count++];
		m->role = coldup(r, i, 0);
		m->text = coldup(r, i, 1);
		m->at = col64(r, i, 2);
		int has_intent = !PQgetisnull(r, i, 3);
		if (has_intent)
			m->intent = coldup(r, i, 3);
		m->has_sentiment = !PQgetisnull(r, i, 4);
		m->sentiment = m->has_sentiment ? strtod(PQgetvalue(r, i, 4), NULL) : 0;
		if (!m->role || !m->text || (has_intent && !m->intent))
			rc = store_set_err(s, "out of memory");
	}
	PQclear(r);
	if (rc != STORE_OK)
		store_messages_free(out);
	return rc;
}

static int pg_conv_state_put(struct store *s, int64_t conv_id, const char *state)
{
	char c[24];
	I64(c, conv_id);
	const char *params[2] = { c, state };
	return qchange(pg_of(s), "UPDATE conversations SET state = $2 WHERE id = $1", 2, params,
		       "conversation state");
}

static int pg_conv_state_get(struct store *s, int64_t conv_id, char **state)
{
	struct nums k;
	const char *const *params = NUMS(k, conv_id);
	PGresult *r;
	*state = NULL;
	int rc = qx_row(pg_of(s), "SELECT state FROM conversations WHERE id = $1", 1, params, &r,
			"conversation state");
	if (rc != STORE_OK)
		return rc;
	if (!PQgetisnull(r, 0, 0) && !(*state = coldup(r, 0, 0)))
		rc = store_set_err(s, "out of memory");
	PQclear(r);
	return rc;
}

/* ---- catalog lists ---- */

static int pg_products_by_id(struct store *s, const int64_t *ids, size_t n,
			     struct store_products *out)
{
	memset(out, 0, sizeof *out);
	if (n == 0)
		return STORE_OK;
	/* One round trip: the ids as an array literal, kept in their order. */
	size_t cap = n * 21 + 3;
	char *arr = malloc(cap);
	if (!arr)
		return store_set_err(s, "out of memory");
	size_t len = 0;
	arr[len++] = '{';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(arr + len, cap - len, "%s%lld", i ? "," : "", (long long)ids[i]);
	snprintf(arr + len, cap - len, "}");
	const char *params[1] = { arr };
	PGresult *r;
	int rc = qx(pg_of(s), "SELECT " PRODUCT_COLUMNS " FROM unnest($1::bigint[]) WITH ORDINALITY"
		    " AS k(id, n) JOIN products p ON p.id = k.id JOIN users u ON u.id = p.seller_id"
		    " WHERE p.status = 'active' ORDER BY k.n", 1, params, &r, "products by id");
	free(arr);
	return rc != STORE_OK ? rc : product_rows(s, r, out);
}

static int pg_seller_products(struct store *s, int64_t seller_id, int64_t limit, int64_t offset,
			      struct store_products *out, int64_t *total)
{
	memset(out, 0, sizeof *out);
	PGresult *r;
	int rc = page_query(pg_of(s), "SELECT count(*) FROM products WHERE seller_id = $1",
			    "SELECT " PRODUCT_COLUMNS PRODUCT_FROM "WHERE p.seller_id = $1"
			    " ORDER BY p.id DESC LIMIT $2 OFFSET $3", seller_id, 0, NULL, limit,
			    offset, &r, total, "seller products");
	return rc != STORE_OK ? rc : product_rows(s, r, out);
}

static int pg_seller_low_stock(struct store *s, int64_t seller_id, int64_t max_stock,
			       int64_t limit, struct store_products *out)
{
	memset(out, 0, sizeof *out);
	struct nums k;
	const char *const *params = NUMS(k, seller_id, max_stock, limit);
	PGresult *r;
	int rc = qx(pg_of(s), "SELECT " PRODUCT_COLUMNS PRODUCT_FROM "WHERE p.seller_id = $1"
		    " AND p.status = 'active' AND p.stock <= $2 ORDER BY p.stock, p.id LIMIT $3",
		    3, params, &r, "low stock");
	return rc != STORE_OK ? rc : product_rows(s, r, out);
}

/* Categories grouped and ordered without regard to ASCII case, like SQLite's NOCASE
 * (translate folds A-Z only; "C" orders by bytes whatever the database's locale). */
#define ASCII_LOWER(x) "translate(" x ", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"

static int pg_categories(struct store *s, struct store_categories *out)
{
	memset(out, 0, sizeof *out);
	PGresult *r;
	int rc = qx(pg_of(s), "SELECT min(category COLLATE \"C\"), count(*) FROM products"
		    " WHERE status = 'active' GROUP BY " ASCII_LOWER("category")
		    " ORDER BY " ASCII_LOWER("category") " COLLATE \"C\"", 0, NULL, &r, "categories");
	if (rc != STORE_OK)
		return rc;
	int n = PQntuples(r);
	if (n > 0 && !(out->items = calloc((size_t)n, sizeof *out->items)))
		rc = store_set_err(s, "out of memory");
	for (int i = 0; rc == STORE_OK && i < n; i++) {
		struct store_category *c = &out->items[out->count++];
		c->count = col64(r, i, 1);
		if (!(c->name = coldup(r, i, 0)))
			rc = store_set_err(s, "out of memory");
	}
	PQclear(r);
	if (rc != STORE_OK)
		store_categories_free(out);
	return rc;
}

/* Streams the rows of sql (with text parameters) one at a time (single-row mode:
 * nothing is held for the whole catalog) to row(); once row() returns non-zero the
 * rest is read and dropped. */
static int stream_params(struct pg_store *p, const char *sql, int nparams,
			 const char *const *params, const char *what,
			 int (*row)(void *arg, PGresult *r), void *arg)
{
	if (!PQsendQueryParams(p->conn, sql, nparams, NULL, params, NULL, NULL, 0) ||
	    !PQsetSingleRowMode(p->conn))
		return pg_fail(p, what);
	int rc = STORE_OK, stop = 0;
	PGresult *r;
	while ((r = PQgetResult(p->conn))) {
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_SINGLE_TUPLE) {
			if (!stop)
				stop = row(arg, r);
		} else if (st != PGRES_TUPLES_OK && rc == STORE_OK) {
			rc = pg_result_rc(p, r, what);
		}
		PQclear(r);
	}
	return rc == STORE_OK ? STORE_OK : STORE_ERROR;
}

static int stream(struct pg_store *p, const char *sql, const char *what,
		  int (*row)(void *arg, PGresult *r), void *arg)
{
	return stream_params(p, sql, 0, NULL, what, row, arg);
}

/* ---- catalog: every product, streamed (the in-memory index and caches) ---- */

/* The tags joined by spaces (in their order), as SQLite's fts_sync indexes them. */
#define TAGS_TEXT                                                                         \
	"coalesce((SELECT string_agg(t.v, ' ' ORDER BY t.n) FROM json_array_elements_text("  \
	"CASE WHEN json_typeof(p.tags::json) = 'array' THEN p.tags::json ELSE '[]' END)"  \
	" WITH ORDINALITY AS t(v, n)), '')"

struct each_arg {
	struct store *s;
	store_product_fn fn;
	void *arg;
	int failed;
};

static int each_row(void *arg, PGresult *r)
{
	struct each_arg *e = arg;
	struct store_product pr;
	if (product_row(e->s, r, 0, &pr) != STORE_OK) {
		e->failed = 1;
		return 1;
	}
	int stop = e->fn(e->arg, &pr, PQgetvalue(r, 0, 14));
	store_product_free(&pr);
	return stop;
}

static int pg_products_each(struct store *s, const int64_t *ids, size_t n, store_product_fn fn,
			    void *arg)
{
	struct pg_store *p = pg_of(s);
	struct each_arg e = { s, fn, arg, 0 };
	int rc;
	if (!ids) {
		rc = stream(p, "SELECT " PRODUCT_COLUMNS ", " TAGS_TEXT PRODUCT_FROM
			    "WHERE p.status = 'active' ORDER BY p.id", "products each", each_row, &e);
	} else {
		size_t cap = n * 21 + 3, len = 0;
		char *arr = malloc(cap);
		if (!arr)
			return store_set_err(s, "out of memory");
		arr[len++] = '{';
		for (size_t i = 0; i < n; i++)
			len += (size_t)snprintf(arr + len, cap - len, "%s%lld", i ? "," : "",
						(long long)ids[i]);
		snprintf(arr + len, cap - len, "}");
		const char *params[1] = { arr };
		rc = stream_params(p, "SELECT " PRODUCT_COLUMNS ", " TAGS_TEXT PRODUCT_FROM
				   "WHERE p.id = ANY($1::bigint[]) ORDER BY p.id", 1, params,
				   "products each", each_row, &e);
		free(arr);
	}
	if (rc == STORE_OK && e.failed)
		rc = STORE_ERROR; /* product_row said why */
	return rc;
}

struct text_arg {
	store_text_fn fn;
	store_name_fn name_fn;
	void *arg;
};

static int text_row(void *arg, PGresult *r)
{
	struct text_arg *t = arg;
	return t->fn(t->arg, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2));
}

static int pg_products_each_text(struct store *s, store_text_fn fn, void *arg)
{
	struct text_arg t = { fn, NULL, arg };
	return stream(pg_of(s), "SELECT title, category, coalesce((SELECT string_agg(value, ' ')"
		      " FROM json_array_elements_text(CASE WHEN json_typeof(tags::json) = 'array'"
		      " THEN tags::json ELSE '[]' END)), '') FROM products WHERE status = 'active'",
		      "product texts", text_row, &t);
}

static int name_row(void *arg, PGresult *r)
{
	struct text_arg *t = arg;
	return t->name_fn(t->arg, PQgetvalue(r, 0, 0));
}

static int pg_categories_each(struct store *s, store_name_fn fn, void *arg)
{
	struct text_arg t = { NULL, fn, arg };
	return stream(pg_of(s), "SELECT DISTINCT category FROM products WHERE status = 'active'",
		      "categories", name_row, &t);
}

/* ---- catalog: search ---- */

/* The tsquery of a match as fts_build_query() writes it ("dark"* "roast"*, or with
 * OR): each quoted word a prefix, all required (&) or any (|).  Words hold letters,
 * digits and non-ASCII bytes only, so quoting them as lexemes is safe.  0 when there
 * is no word or it does not fit. */
static size_t tsquery_of(const char *match, char *out, size_t outlen)
{
	size_t n = 0;
	int any = strstr(match, " OR ") != NULL, words = 0;
	out[0] = '\0';
	for (const char *p = match; (p = strchr(p, '"'));) {
		const char *end = strchr(p + 1, '"');
		if (!end)
			break;
		size_t len = (size_t)(end - p - 1);
		if (len > 0) {
			if (n + len + 8 >= outlen)
				return 0;
			n += (size_t)snprintf(out + n, outlen - n, "%s'%.*s':*",
					      words++ ? (any ? " | " : " & ") : "", (int)len, p + 1);
		}
		p = end + 1;
	}
	return words ? n : 0;
}

#define SEARCH_WHERE                                                                      \
	" FROM products p WHERE p.status = 'active'"                                      \
	" AND ($1::text = '' OR p.search @@ to_tsquery('voxcart', $1))"                   \
	" AND ($2::text IS NULL OR lower(p.category) = lower($2))"                        \
	" AND ($3::bigint < 0 OR p.price_cents >= $3) AND ($4::bigint < 0 OR p.price_cents <= $4)" \
	" AND ($5::bigint <= 0 OR p.seller_id = $5)"

static int pg_products_search(struct store *s, const struct store_search *q, int64_t *ids,
			      size_t *n, int64_t *total)
{
	struct pg_store *p = pg_of(s);
	static const char *const order[] = {
		[STORE_SORT_NEWEST] = "p.created_at DESC, p.id DESC",
		[STORE_SORT_PRICE_ASC] = "p.price_cents, p.id",
		[STORE_SORT_PRICE_DESC] = "p.price_cents DESC, p.id",
		/* Normalisation 1 (divided by 1 + log of the length): shorter texts first,
		 * as bm25 ranks them; of 80 one-word queries on the demo shop, 58 get
		 * SQLite's first five in its order (43 without), 74 its first (60). */
		[STORE_SORT_RANK] = ("ts_rank_cd('{0.1, 0.4, 0.5, 1.0}', p.search,"
				     " to_tsquery('voxcart', $1), 1) DESC, p.id"),
	};
	*n = 0;
	*total = 0;
	if ((unsigned)q->sort > STORE_SORT_RANK)
		return store_set_err(s, "search: unknown sort");
	char tsq[1200];
	if (q->words > 0 && tsquery_of(q->match ? q->match : "", tsq, sizeof tsq) == 0)
		return STORE_OK; /* words that cannot be searched match nothing */
	if (q->words <= 0)
		tsq[0] = '\0';
	enum store_sort sort = q->sort == STORE_SORT_RANK && !tsq[0] ? STORE_SORT_NEWEST : q->sort;
	char mn[24], mx[24], se[24], l[24], o[24];
	I64(mn, q->min_price);
	I64(mx, q->max_price);
	I64(se, q->seller_id);
	I64(l, q->limit);
	I64(o, q->offset);
	const char *params[7] = { tsq, q->category, mn, mx, se, l, o };
	char sql[1024];
	snprintf(sql, sizeof sql, "SELECT p.id" SEARCH_WHERE " ORDER BY %s LIMIT $6 OFFSET $7",
		 order[sort]);
	PGresult *r;
	/* Unnamed statements are planned with their values: the clauses of absent
	 * filters fold away and the indexes (GIN, lower(category), price) are used. */
	int rc = qx(p, sql, 7, params, &r, "search");
	if (rc != STORE_OK)
		return rc;
	id_rows(r, ids, q->limit > 0 ? (size_t)q->limit : 0, n);
	if (q->total >= 0) {
		*total = q->total;
		return STORE_OK;
	}
	return qnum(p, "SELECT count(*)" SEARCH_WHERE, 5, params, total, "search count");
}

/* ---- the catalog's change feed ---- */

static int pg_changes_listen(struct store *s)
{
	return run(pg_of(s), "LISTEN voxcart_products", "listen");
}

/* Hands the notifications that arrived to fn ("p<id>", "s<id>", "*": pg_schema.c's
 * m6); how many. */
static int heard(PGconn *c, store_change_fn fn, void *arg)
{
	int any = 0;
	PGnotify *n;
	while ((n = PQnotifies(c))) {
		const char *e = n->extra ? n->extra : "";
		long long id = e[0] ? strtoll(e + 1, NULL, 10) : 0;
		if (e[0] == 'p' && id > 0)
			fn(arg, STORE_CHANGE_PRODUCT, id);
		else if (e[0] == 's' && id > 0)
			fn(arg, STORE_CHANGE_STOCK, id);
		else
			fn(arg, STORE_CHANGE_ALL, 0);
		any++;
		PQfreemem(n);
	}
	return any;
}

static int pg_changes_wait(struct store *s, int timeout_ms, store_change_fn fn, void *arg,
			   int *changed)
{
	struct pg_store *p = pg_of(s);
	if (!PQconsumeInput(p->conn))
		return pg_fail(p, "change feed");
	if (!(*changed = heard(p->conn, fn, arg))) {
		struct pollfd fd = { .fd = PQsocket(p->conn), .events = POLLIN };
		if (fd.fd < 0)
			return store_set_err(s, "change feed: the connection is closed");
		if (poll(&fd, 1, timeout_ms) > 0) {
			if (!PQconsumeInput(p->conn))
				return pg_fail(p, "change feed");
			*changed = heard(p->conn, fn, arg);
		}
	}
	return STORE_OK;
}

/* ---- housekeeping locks ---- */

/* Advisory locks in voxcart's space (the first key: "vox"); the migrations' lock is
 * the one-key form and cannot collide. */
#define LOCK_SPACE "7761784"

static int pg_lock_try(struct store *s, enum store_lock lock, int *got)
{
	char k[16];
	snprintf(k, sizeof k, "%d", (int)lock);
	const char *params[1] = { k };
	PGresult *r;
	int rc = qx(pg_of(s), "SELECT pg_try_advisory_lock(" LOCK_SPACE ", $1::int)", 1, params,
		    &r, "lock");
	if (rc != STORE_OK)
		return rc;
	*got = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	return STORE_OK;
}

static int pg_lock_release(struct store *s, enum store_lock lock)
{
	char k[16];
	snprintf(k, sizeof k, "%d", (int)lock);
	const char *params[1] = { k };
	PGresult *r;
	int rc = qx(pg_of(s), "SELECT pg_advisory_unlock(" LOCK_SPACE ", $1::int)", 1, params, &r,
		    "unlock");
	if (rc == STORE_OK)
		PQclear(r);
	return rc;
}

/* ---- the seller's listings: changes ---- */

static int pg_product_update(struct store *s, int64_t id, const struct store_product_change *c,
			     int64_t now)
{
	char pr[24], st[24], n[24], a[24];
	I64(pr, c->price_cents);
	I64(st, c->stock);
	I64(n, now);
	I64(a, id);
	const char *params[12] = { c->title, c->description, c->category, c->status,
				   c->has_price ? "true" : "false", pr,
				   c->has_stock ? "true" : "false", st, c->tags_json, n, a, c->sku };
	/* One statement: the search column is generated from the new values. */
	return qchange(pg_of(s), "UPDATE products SET title = coalesce($1, title),"
		       " description = coalesce($2, description), category = coalesce($3, category),"
		       " status = coalesce($4, status),"
		       " price_cents = CASE WHEN $5::boolean THEN $6::bigint ELSE price_cents END,"
		       " stock = CASE WHEN $7::boolean THEN $8::bigint ELSE stock END,"
		       " tags = coalesce($9, tags), updated_at = $10, sku = coalesce($12, sku)"
		       " WHERE id = $11", 12, params, "product update");
}

/* ---- seller views ---- */

#define SOLD_STATUSES "('paid','shipped','delivered')"

/* The orders with a line of seller $1, of status $2 (NULL: any). */
#define SELLER_ORDERS                                                                     \
	" FROM orders o WHERE EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = o.id"   \
	" AND i.seller_id = $1) AND ($2::text IS NULL OR o.status = $2)"

static int pg_seller_order_ids(struct store *s, int64_t seller_id, const char *status,
			       int64_t limit, int64_t offset, int64_t *ids, size_t *n,
			       int64_t *total)
{
	PGresult *r;
	*n = 0;
	int rc = page_query(pg_of(s), "SELECT count(*)" SELLER_ORDERS, "SELECT o.id" SELLER_ORDERS
			    " ORDER BY o.id DESC LIMIT $3 OFFSET $4", seller_id, 1, status, limit,
			    offset, &r, total, "seller orders");
	return rc != STORE_OK ? rc : id_rows(r, ids, limit > 0 ? (size_t)limit : 0, n);
}

static int pg_seller_order_lines(struct store *s, int64_t order_id, int64_t seller_id,
				 char status[24], int *lines)
{
	struct nums k;
	const char *const *params = NUMS(k, order_id, seller_id);
	PGresult *r;
	status[0] = '\0';
	*lines = 0;
	/* FOR UPDATE: serialising like store_order_state. */
	int rc = qx_row(pg_of(s), "SELECT o.status, (SELECT count(*) FROM order_items i"
			" WHERE i.order_id = o.id AND i.seller_id = $2) FROM orders o WHERE o.id = $1"
			" FOR UPDATE", 2, params, &r, "seller order");
	if (rc != STORE_OK)
		return rc;
	snprintf(status, 24, "%s", PQgetvalue(r, 0, 0));
	*lines = (int)col64(r, 0, 1);
	PQclear(r);
	return rc;
}

static int seller_ship_steps(struct pg_store *p, int64_t order_id, int64_t seller_id, int64_t now)
{
	struct nums k;
	const char *const *params = NUMS(k, order_id, seller_id, now);
	int rc = qchange(p, "UPDATE order_items SET fulfillment = 'shipped' WHERE order_id = $1"
			 " AND seller_id = $2", 2, params, "ship lines");
	if (rc != STORE_OK && rc != STORE_NOT_FOUND)
		return rc;
	const char *op[2] = { params[0], params[2] };
	rc = qchange(p, "UPDATE orders SET updated_at = $2, status = CASE WHEN NOT EXISTS"
		     " (SELECT 1 FROM order_items WHERE order_id = $1 AND fulfillment = 'pending')"
		     " THEN 'shipped' ELSE status END WHERE id = $1", 2, op, "ship order");
	return rc == STORE_NOT_FOUND ? STORE_OK : rc;
}

static int pg_seller_ship(struct store *s, int64_t order_id, int64_t seller_id, int64_t now)
{
	struct pg_store *p = pg_of(s);
	RETURN_ATOMIC(p, seller_ship_steps(p, order_id, seller_id, now));
}

static int pg_seller_totals(struct store *s, int64_t seller_id, int64_t low_stock_max,
			    struct store_seller_totals *t)
{
	memset(t, 0, sizeof *t);
	struct nums k;
	const char *const *params = NUMS(k, seller_id, low_stock_max);
	PGresult *r;
	int rc = qx(pg_of(s), "SELECT coalesce(sum(i.quantity * i.unit_price_cents), 0),"
		    " count(DISTINCT i.order_id), coalesce(sum(i.quantity), 0),"
		    " (SELECT count(*) FROM products WHERE seller_id = $1 AND status = 'active'"
		    " AND stock <= $2) FROM order_items i JOIN orders o ON o.id = i.order_id"
		    " WHERE i.seller_id = $1 AND o.status IN " SOLD_STATUSES, 2, params, &r,
		    "seller totals");
	if (rc != STORE_OK)
		return rc;
	t->revenue_cents = col64(r, 0, 0);
	t->orders = col64(r, 0, 1);
	t->units_sold = col64(r, 0, 2);
	t->low_stock_total = col64(r, 0, 3);
	PQclear(r);
	return STORE_OK;
}

static int pg_seller_top_products(struct store *s, int64_t seller_id, int64_t limit,
				  struct store_top_products *out)
{
	memset(out, 0, sizeof *out);
	struct nums k;
	const char *const *params = NUMS(k, seller_id, limit);
	PGresult *r;
	int rc = qx(pg_of(s), "SELECT i.product_id, coalesce(max(p.title), max(i.title)),"
		    " sum(i.quantity), sum(i.quantity * i.unit_price_cents)"
		    " FROM order_items i JOIN orders o ON o.id = i.order_id"
		    " LEFT JOIN products p ON p.id = i.product_id"
		    " WHERE i.seller_id = $1 AND o.status IN " SOLD_STATUSES
		    " GROUP BY i.product_id ORDER BY 3 DESC, 4 DESC, i.product_id LIMIT $2",
		    2, params, &r, "top products");
	if (rc != STORE_OK)
		return rc;
	int n = PQntuples(r);
	if (n > 0 && !(out->items = calloc((size_t)n, sizeof *out->items)))
		rc = store_set_err(s, "out of memory");
	for (int i = 0; rc == STORE_OK && i < n; i++) {
		struct store_top_product *t = &out->items[out->count++];
		t->product_id = col64(r, i, 0);
		t->units = col64(r, i, 2);
		t->revenue_cents = col64(r, i, 3);
		if (!(t->title = coldup(r, i, 1)))
			rc = store_set_err(s, "out of memory");
	}
	PQclear(r);
	if (rc != STORE_OK)
		store_top_products_free(out);
	return rc;
}

static const struct store_ops pg_ops = {
	.backend = STORE_POSTGRES,
	.disconnect = pg_disconnect,
	.upgrade = pg_upgrade,
	.tx_begin = pg_tx_begin,
	.tx_commit = pg_tx_commit,
	.tx_rollback = pg_tx_rollback,
	.savepoint = pg_savepoint,
	.savepoint_rollback = pg_savepoint_rollback,
	.savepoint_release = pg_savepoint_release,
	.idem_get = pg_idem_get,
	.idem_put = pg_idem_put,
	.idem_purge = pg_idem_purge,
	.user_get = pg_user_get,
	.user_create = pg_user_create,
	.user_update = pg_user_update,
	.login_find = pg_login_find,
	.login_failed = pg_login_failed,
	.login_reset = pg_login_reset,
	.login_locked_until = pg_login_locked_until,
	.token_check = pg_token_check,
	.token_issue = pg_token_issue,
	.token_refresh = pg_token_refresh,
	.login_end = pg_login_end,
	.login_alive = pg_login_alive,
	.stock_take = pg_stock_take,
	.product_get = pg_product_get,
	.product_insert = pg_product_insert,
	.cart_get = pg_cart_get,
	.cart_line_qty = pg_cart_line_qty,
	.cart_put = pg_cart_put,
	.cart_delete = pg_cart_delete,
	.cart_clear = pg_cart_clear,
	.card_get = pg_card_get,
	.cards_list = pg_cards_list,
	.card_default = pg_card_default,
	.card_insert = pg_card_insert,
	.card_set_default = pg_card_set_default,
	.card_delete = pg_card_delete,
	.order_insert = pg_order_insert,
	.order_mark_paid = pg_order_mark_paid,
	.order_state = pg_order_state,
	.order_release = pg_order_release,
	.orders_due = pg_orders_due,
	.order_expire = pg_order_expire,
	.order_get = pg_order_get,
	.order_ids = pg_order_ids,
	.order_has_seller = pg_order_has_seller,
	.product_by_sku = pg_product_by_sku,
	.products_count = pg_products_count,
	.products_search = pg_products_search,
	.changes_listen = pg_changes_listen,
	.changes_wait = pg_changes_wait,
	.products_each = pg_products_each,
	.lock_try = pg_lock_try,
	.lock_release = pg_lock_release,
	.conv_create = pg_conv_create,
	.conv_get = pg_conv_get,
	.conv_list = pg_conv_list,
	.conv_add_turn = pg_conv_add_turn,
	.conv_delete = pg_conv_delete,
	.conv_messages = pg_conv_messages,
	.conv_state_put = pg_conv_state_put,
	.conv_state_get = pg_conv_state_get,
	.products_by_id = pg_products_by_id,
	.seller_products = pg_seller_products,
	.seller_low_stock = pg_seller_low_stock,
	.categories = pg_categories,
	.products_each_text = pg_products_each_text,
	.categories_each = pg_categories_each,
	.product_update = pg_product_update,
	.seller_order_ids = pg_seller_order_ids,
	.seller_order_lines = pg_seller_order_lines,
	.seller_ship = pg_seller_ship,
	.seller_totals = pg_seller_totals,
	.seller_top_products = pg_seller_top_products,
};

struct store *store_pg_connect(const char *conninfo, char *err, size_t errlen)
{
	struct pg_store *p = calloc(1, sizeof *p);
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->base.ops = &pg_ops;
	p->conn = pg_connect(conninfo, err, errlen);
	if (!p->conn) {
		free(p);
		return NULL;
	}
	return &p->base;
}
