/*
 * orders.h - checkout, payment, cancellation and expiry of orders (PROTOCOL.md Order),
 * shared by the REST handlers and the buddy's tools.
 *
 * The functions taking err_code/err_msg return 0 on success or an HTTP status with
 * err_code (CART_ERR_CODE bytes, see cart.h) and err_msg (msglen bytes) filled; both
 * may be NULL.  On success *order is the Order JSON, owned by the caller.  Each runs
 * its own transaction (BEGIN IMMEDIATE): call them outside one.
 */
#ifndef VOXCART_ORDERS_H
#define VOXCART_ORDERS_H

#include "api.h"

struct store;

struct server;

/* Order JSON for the id (no access check), or NULL when there is none. */
cJSON *orders_json(struct store *db, int64_t order_id);
/* The order as a seller sees it: only the seller's own items, subtotal_cents and
 * total_cents summing those, the shipping address, "seller_view":true; no payment, no
 * user_id, no expires_at.  No access check; NULL when there is no such order. */
cJSON *orders_seller_json(struct store *db, int64_t order_id, int64_t seller_id);
/* The user's own order, or NULL when there is none or it is someone else's. */
cJSON *orders_get_own(struct store *db, int64_t user_id, int64_t order_id);
/* Page {"items":[Order],"total","limit","offset":0} of the user's orders, newest
 * first; limit 1..100.  NULL on a database error. */
cJSON *orders_list_json(struct store *db, int64_t user_id, int limit);

/*
 * Checkout: the cart becomes an order in one transaction.  address_or_null is an
 * Address object (validated) or NULL for the user's saved address; payment_method_id
 * is one of the user's cards, or 0 to leave the order pending_payment (it then holds
 * its stock until settings pending_payment_ttl runs out).
 * Errors: 422 validation_failed (cart empty: field "cart"; no or bad address: field
 * "shipping_address..."), 409 out_of_stock (field: the product id), 404 not_found (no
 * such card), 402 payment_declined (nothing changed).
 */
int orders_checkout(struct server *srv, struct store *db, int64_t user_id, const cJSON *address_or_null,
		    int64_t payment_method_id, cJSON **order, char *err_code, char *err_msg,
		    size_t msglen);

/* Pays a pending_payment order with one of the user's cards.  404 (not the user's
 * order or card), 409 conflict (not pending_payment, or expired), 402 (declined). */
int orders_pay(struct server *srv, struct store *db, int64_t user_id, int64_t order_id,
	       int64_t payment_method_id, cJSON **order, char *err_code, char *err_msg,
	       size_t msglen);

/* Cancels the user's pending_payment or paid order: stock goes back, a paid order is
 * refunded.  404 not the user's order; 409 conflict once an item has shipped, or when
 * it is already cancelled or delivered. */
int orders_cancel(struct server *srv, struct store *db, int64_t user_id, int64_t order_id,
		  cJSON **order, char *err_code, char *err_msg, size_t msglen);

/* Cancels every pending_payment order past its expires_at and puts its stock back
 * (one transaction per order); also purges old idempotency keys.  Any thread. */
void orders_expire_pending(struct server *srv, struct store *db);

/* Queues orders_expire_pending on the worker pool (with the worker's connection)
 * unless a run is already queued or running.  Called by the event loop every few
 * seconds.  Returns 1 queued, 0 one was already queued, -1 the pool refused. */
int orders_expire_schedule(struct server *srv);

/* Seconds between two expiry runs. */
#define ORDERS_EXPIRY_PERIOD 5

/* A thread body (pthread_create(..., orders_expiry_ticker, srv)) that calls
 * orders_expire_schedule() at once and then every ORDERS_EXPIRY_PERIOD seconds until
 * srv->stopping is set; it notices within a quarter of a second.  The event loop
 * cannot be the clock: lws_service() sleeps up to 30 s when nothing happens. */
void *orders_expiry_ticker(void *srv);

#endif
