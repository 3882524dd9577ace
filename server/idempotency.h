/*
 * idempotency.h - Idempotency-Key for POST /orders and POST /orders/{id}/pay.
 *
 * A key is 1..128 printable ASCII characters (0x21..0x7e, and inner spaces), chosen by
 * the client.  The first request with a key runs; its answer (status and body) is
 * stored under (user, key) in the same transaction as its effects.  A repeat by the
 * same user within 24 hours gets that stored answer back and changes nothing.
 *
 * Decisions where PROTOCOL.md is silent:
 * - Answers are stored once the request got past the checks of its own shape (body
 *   fields, the key): business outcomes such as 201, 402 payment_declined,
 *   409 out_of_stock or 422 empty cart are replayed; a 400/422 about the request's
 *   shape is not stored (fixing the body and retrying with the same key works), nor is
 *   a 5xx (a retry runs again).
 * - The same key on a different method or path is 409 conflict (field
 *   "Idempotency-Key"); the body of a repeat is not compared.
 * - Keys older than 24 hours are ignored and purged (idempotency_purge, run by the
 *   periodic expiry job).
 */
#ifndef VOXCART_IDEMPOTENCY_H
#define VOXCART_IDEMPOTENCY_H

#include "api.h"

struct store;

#define IDEMPOTENCY_TTL (24 * 3600)

/* 1 when key is a well-formed Idempotency-Key, else 0. */
int idempotency_key_ok(const char *key);

/* The work of a request, run inside the transaction: fills resp and returns 0 to keep
 * its database changes, non-zero to have them undone (resp is answered either way). */
typedef int (*idempotency_work)(struct api_req *req, struct api_resp *resp, void *arg);

/*
 * Runs work(req, resp, arg) inside one BEGIN IMMEDIATE transaction, guarded by
 * req->idempotency_key when there is one (a malformed key is 400 bad_request).
 * A stored answer for the key is looked up inside the transaction, so two concurrent
 * duplicates cannot both run.  Returns 0 when work ran and its changes committed,
 * 1 when a stored answer was replayed, -1 otherwise (work failed and was undone, or
 * never ran, or the commit failed: then resp is a 500).
 */
int idempotency_run(struct api_req *req, struct api_resp *resp, idempotency_work work, void *arg);

/* Deletes keys older than IDEMPOTENCY_TTL; returns how many, -1 on error. */
int idempotency_purge(struct store *db, int64_t now);

#endif
