/*
 * store/backend.h - what a storage backend implements (for store/<backend>/ only;
 * the rest of the server uses store/store.h).
 *
 * A backend's connection type starts with a `struct store` whose `ops` points at the
 * backend's table below; store/store.c forwards each public function to it.  Every
 * operation has the signature of the public function of the same name (store_X ->
 * ops->X).  An operation fills s->err (store_set_err) when it returns STORE_ERROR.
 */
#ifndef VOXCART_STORE_BACKEND_H
#define VOXCART_STORE_BACKEND_H

#include "store/store.h"

struct store_idem;

struct store_ops {
	enum store_backend backend;
	void (*disconnect)(struct store *s);
	int (*upgrade)(struct store *s, char *err, size_t errlen);

	int (*tx_begin)(struct store *s);
	int (*tx_commit)(struct store *s);
	void (*tx_rollback)(struct store *s);
	int (*savepoint)(struct store *s);
	int (*savepoint_rollback)(struct store *s);
	int (*savepoint_release)(struct store *s);

	/* idempotency */
	int (*idem_get)(struct store *s, int64_t user_id, const char *key, int64_t since,
			struct store_idem *a);
	int (*idem_put)(struct store *s, int64_t user_id, const char *key, const char *request,
			int status, const char *body, size_t body_len, int64_t now);
	int (*idem_purge)(struct store *s, int64_t before, int64_t *purged);
};

struct store {
	const struct store_ops *ops;
	char err[256];
};

/* Records an error message on s (printf-style); returns STORE_ERROR. */
int store_set_err(struct store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The PostgreSQL backend (store/postgres/, libpq) is built in.  Defined here rather
 * than on the command line so that every file that asks is rebuilt with it. */
#define VOXCART_WITH_POSTGRES 1

/* Backend constructors: a new connection to target (a path, a libpq string). */
struct store *store_sqlite_connect(const char *path, char *err, size_t errlen);
#ifdef VOXCART_WITH_POSTGRES
struct store *store_pg_connect(const char *conninfo, char *err, size_t errlen);
#endif

#endif
