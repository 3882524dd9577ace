/*
 * store/postgres/store_pg.c - the PostgreSQL backend of the storage interface
 * (store/store.h, store/backend.h): one libpq connection per `struct store` (each
 * worker thread keeps its own, so the connections a process holds are its worker
 * pools' threads), the migrations of pg_schema.c, READ COMMITTED transactions with
 * savepoints, and the aggregates moved behind the interface so far.
 */
#include "store/backend.h"
#include "store/postgres/pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pg_store {
	struct store base;   /* first: a struct store * is a struct pg_store * */
	PGconn *conn;
	unsigned prepared;   /* bit i: statements[i] is prepared on conn */
};

enum { ST_IDEM_GET, ST_IDEM_PUT, ST_IDEM_PURGE };

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
