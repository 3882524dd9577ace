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
#include "store/store.h"

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
static int lookup(struct store *db, int64_t user_id, const char *key, const char *request,
		  int64_t now, struct api_resp *resp)
{
	struct store_idem a;
	int rc = store_idem_get(db, user_id, key, now - IDEMPOTENCY_TTL, &a);
	if (rc != STORE_OK)
		return rc == STORE_NOT_FOUND ? 0 : -1;
	int out = 1;
	if (strcmp(a.request, request) != 0) {
		api_error(resp, 409, "conflict", "Idempotency-Key",
			  "This Idempotency-Key was already used for %s.", a.request);
		out = 2;
	} else {
		free(resp->body);
		resp->status = a.status;
		resp->body = *a.body ? a.body : NULL;
		resp->body_len = resp->body ? strlen(resp->body) : 0;
		if (resp->body)
			a.body = NULL; /* now resp's */
	}
	store_idem_free(&a);
	return out;
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
	struct store *db = req->store;
	if (key && !idempotency_key_ok(key)) {
		api_error(resp, 400, "bad_request", "Idempotency-Key",
			  "Idempotency-Key must be 1 to 128 printable ASCII characters.");
		return -1;
	}
	char request[600];
	snprintf(request, sizeof request, "%s %s", method_name(req->method), req->path);
	int64_t now = store_now();
	if (store_tx_begin(db) != STORE_OK) {
		api_store_failed(resp, db, "idempotency begin");
		return -1;
	}
	if (key) {
		int found = lookup(db, req->user.id, key, request, now, resp);
		if (found != 0) {
			if (found < 0)
				api_store_failed(resp, db, "idempotency lookup");
			store_tx_rollback(db);
			return found == 1 ? 1 : -1;
		}
	}
	if (store_savepoint(db) != STORE_OK) {
		api_store_failed(resp, db, "idempotency savepoint");
		store_tx_rollback(db);
		return -1;
	}
	int rc = work(req, resp, arg);
	int ok = 1;
	if (rc != 0)
		ok = store_savepoint_rollback(db) == STORE_OK;
	ok = ok && store_savepoint_release(db) == STORE_OK;
	if (ok && key && resp->status > 0 && resp->status < 500)
		ok = store_idem_put(db, req->user.id, key, request, resp->status, resp->body,
				    resp->body_len, now) == STORE_OK;
	ok = ok && store_tx_commit(db) == STORE_OK;
	if (!ok) {
		api_store_failed(resp, db, "idempotency commit");
		store_tx_rollback(db);
		return -1;
	}
	return rc == 0 ? 0 : -1;
}

int idempotency_purge(struct store *db, int64_t now)
{
	int64_t n = 0;
	return store_idem_purge(db, now - IDEMPOTENCY_TTL, &n) == STORE_OK ? (int)n : -1;
}
