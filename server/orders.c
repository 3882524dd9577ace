/*
 * orders.c - checkout, pay, cancel, expiry and the shopper's order endpoints (orders.h).
 *
 * Checkout is one transaction (BEGIN IMMEDIATE, so checkouts run one at a time and a
 * stock check cannot go stale before the stock is taken): read the cart, check every
 * line's product and stock, take the stock with a guarded UPDATE (stock >= quantity,
 * so stock never goes negative), write the order and its items (a snapshot of title,
 * unit price and seller), empty the cart and, when a card is given, charge it.  A
 * decline rolls all of it back: no order, cart and stock as before.  The charge is
 * the last step, so nothing else can fail after money moved; if the commit itself
 * fails the charge is refunded.
 *
 * Invariants:
 * - For every product: stock + units in orders that are not cancelled == the stock
 *   it had before those orders (cancel and expiry give the units back in the same
 *   transaction that marks the order cancelled).
 * - status moves pending_payment -> paid -> shipped -> delivered, and
 *   pending_payment|paid -> cancelled; a paid order has its payment fields, a
 *   cancelled paid order is refunded (payment.status "refunded").
 * - A pending_payment order holds its stock until expires_at, then the expiry job
 *   cancels it; paying after expires_at is 409 even before the job ran.
 * - Cancel is refused once any item of the order has shipped.
 */
#include "orders.h"
#include "auth.h"
#include "cart.h"
#include "catalog.h"
#include "handlers.h"
#include "idempotency.h"
#include "log.h"
#include "payments.h"
#include "server.h"
#include "store/store.h"
#include "workers.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void db_error(struct cart_error *e)
{
	cart_error_set(e, 500, "internal", NULL, "Something went wrong on the server.");
}

/* ---- payment steps (inside a transaction) ---------------------------------------------- */

/* Charges the card for the order and records the payment.  0, or -1 with e set
 * (402 on a decline).  On success `charge` holds the charge. */
static int charge_order(struct store *store, int64_t order_id, const struct payment_card *card,
			int64_t amount, struct payment_charge *charge, struct cart_error *e)
{
	char msg[160];
	int rc = payments_charge(card, amount, "USD", charge, msg, sizeof msg);
	if (rc) {
		cart_error_set(e, rc, rc == 402 ? "payment_declined" : "internal", NULL, "%s", msg);
		return -1;
	}
	struct store_order_payment p = {
		.brand = card->brand, .last4 = card->last4, .amount_cents = amount,
		.method_id = card->id, .provider = charge->provider, .ref = charge->ref,
	};
	int ok = store_order_mark_paid(store, order_id, &p, store_now()) == STORE_OK;
	if (!ok)
		db_error(e); /* the caller refunds the charge when nothing commits */
	return ok ? 0 : -1;
}

/* Loads the user's card; 0, or -1 with e set (404 when none). */
static int load_card(struct store *store, int64_t user_id, int64_t pm_id, struct payment_card *card,
		     struct cart_error *e)
{
	int rc = payments_method_get(store, user_id, pm_id, card);
	if (rc < 0)
		db_error(e);
	else if (rc > 0)
		cart_error_set(e, 404, "not_found", "payment_method_id",
			       "You have no card %lld.", (long long)pm_id);
	return rc == 0 ? 0 : -1;
}

/* ---- checkout ---------------------------------------------------------------------------- */

struct line {
	int64_t product_id, seller_id, price, qty, stock;
	int active;
	char title[256];
};

/* Reads the cart with its products.  Returns the number of lines (*out malloc'd), or
 * -1 on a database error. */
static int load_cart(struct store *store, int64_t user_id, struct line **out)
{
	struct store_cart c;
	*out = NULL;
	if (store_cart_get(store, user_id, &c) != STORE_OK)
		return -1;
	struct line *lines = c.count ? calloc(c.count, sizeof *lines) : NULL;
	if (c.count && !lines) {
		store_cart_free(&c);
		return -1;
	}
	for (size_t i = 0; i < c.count; i++) {
		struct line *l = &lines[i];
		l->product_id = c.items[i].product_id;
		l->seller_id = c.items[i].seller_id;
		l->price = c.items[i].unit_price_cents;
		l->qty = c.items[i].quantity;
		l->stock = c.items[i].stock;
		l->active = c.items[i].active;
		snprintf(l->title, sizeof l->title, "%s", c.items[i].title);
	}
	int n = (int)c.count;
	store_cart_free(&c);
	*out = lines;
	return n;
}

static int check_lines(const struct line *lines, int n, struct cart_error *e)
{
	for (int i = 0; i < n; i++) {
		const struct line *l = &lines[i];
		char field[32];
		snprintf(field, sizeof field, "%lld", (long long)l->product_id);
		if (!l->active) {
			cart_error_set(e, 409, "out_of_stock", field,
				       "\"%s\" is no longer sold; remove it from your cart.", l->title);
			return -1;
		}
		if (l->stock < l->qty) {
			if (l->stock == 0)
				cart_error_set(e, 409, "out_of_stock", field, "\"%s\" is sold out.",
					       l->title);
			else
				cart_error_set(e, 409, "out_of_stock", field,
					       "Only %lld of \"%s\" left; your cart has %lld.",
					       (long long)l->stock, l->title, (long long)l->qty);
			return -1;
		}
	}
	return 0;
}

/* The user's saved address as JSON text (malloc'd), or NULL (none, or an error: *err). */
static char *saved_address(struct store *store, int64_t user_id, int *err)
{
	struct store_user u;
	int rc = store_user_get(store, user_id, &u);
	*err = rc == STORE_ERROR;
	if (rc != STORE_OK)
		return NULL;
	char *text = u.shipping_address; /* now ours */
	u.shipping_address = NULL;
	store_user_free(&u);
	return text;
}

/* Takes the stock of every line; -1 with e set when a product ran short.  In order of
 * product id, whatever the cart's order: on PostgreSQL each take locks the product's
 * row until commit, and two checkouts that locked their products in opposite orders
 * would deadlock (one of them then failed with 500 after a second's wait). */
static int take_stock(struct store *store, const struct line *lines, int n, struct cart_error *e)
{
	int *order = malloc((size_t)(n > 0 ? n : 1) * sizeof *order);
	if (!order) {
		db_error(e);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		int j = i;
		for (; j > 0 && lines[order[j - 1]].product_id > lines[i].product_id; j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	for (int k = 0; k < n; k++) {
		int i = order[k];
		int rc = store_stock_take(store, lines[i].product_id, lines[i].qty);
		if (rc == STORE_CONFLICT) {
			char field[32];
			snprintf(field, sizeof field, "%lld", (long long)lines[i].product_id);
			cart_error_set(e, 409, "out_of_stock", field, "\"%s\" ran out of stock.",
				       lines[i].title);
		} else if (rc != STORE_OK) {
			db_error(e);
		}
		if (e->status)
			break;
	}
	free(order);
	return e->status ? -1 : 0;
}

/* The order and its lines; its id, or -1. */
static int64_t insert_order(struct store *store, int64_t user_id, int64_t subtotal,
			    const char *address, int64_t expires_at, const struct line *lines, int n)
{
	struct store_order_line *ol = calloc((size_t)n, sizeof *ol);
	if (!ol)
		return -1;
	for (int i = 0; i < n; i++)
		ol[i] = (struct store_order_line){ lines[i].product_id, lines[i].seller_id,
						   lines[i].title, lines[i].price, lines[i].qty };
	int64_t id = -1;
	if (store_order_insert(store, user_id, subtotal, address, expires_at, store_now(), ol,
			       (size_t)n, &id) != STORE_OK)
		id = -1;
	free(ol);
	return id;
}

static int empty_cart(struct store *store, int64_t user_id)
{
	char code[CART_ERR_CODE];
	return cart_clear(store, user_id, code, NULL, 0) == 0 ? 0 : -1;
}

/* The checkout steps, inside the caller's transaction.  address: canonical Address
 * JSON text, or NULL for the saved one.  Returns 0 with *order_id, or -1 with e set;
 * a charge made is in *charge either way (the caller refunds it if nothing commits). */
static int checkout_tx(struct server *srv, struct store *store, int64_t user_id, const char *address,
		       int64_t pm_id, int64_t *order_id, struct payment_charge *charge,
		       struct cart_error *e)
{
	struct line *lines = NULL;
	char *saved = NULL;
	struct payment_card card;
	int n = load_cart(store, user_id, &lines), err = 0;
	memset(&card, 0, sizeof card);
	if (n < 0) {
		db_error(e);
		goto out;
	}
	if (n == 0) {
		cart_error_set(e, 422, "validation_failed", "cart", "Your cart is empty.");
		goto out;
	}
	if (check_lines(lines, n, e) != 0)
		goto out;
	if (!address) {
		address = saved = saved_address(store, user_id, &err);
		if (err) {
			db_error(e);
			goto out;
		}
		if (!address) {
			cart_error_set(e, 422, "validation_failed", "shipping_address",
				       "Give a shipping_address, or save one on your account first.");
			goto out;
		}
	}
	if (pm_id > 0 && load_card(store, user_id, pm_id, &card, e) != 0)
		goto out;
	int64_t subtotal = 0;
	for (int i = 0; i < n; i++)
		subtotal += lines[i].price * lines[i].qty;
	if (take_stock(store, lines, n, e) != 0)
		goto out;
	int64_t id = insert_order(store, user_id, subtotal, address,
				  store_now() + srv->set.pending_payment_ttl, lines, n);
	if (id <= 0 || empty_cart(store, user_id) != 0) {
		db_error(e);
		goto out;
	}
	if (pm_id > 0 && charge_order(store, id, &card, subtotal, charge, e) != 0)
		goto out;
	*order_id = id;
out:
	free(lines);
	free(saved);
	return e->status ? -1 : 0;
}

/* Checks an Address object for the buddy's path; canonical text (malloc'd) or NULL
 * with e set from the validation answer. */
static char *address_text(const cJSON *addr, struct cart_error *e)
{
	struct api_resp r = { 0 };
	char *text = auth_address_text(addr, &r);
	if (!text) {
		cJSON *body = cJSON_Parse(r.body ? r.body : "");
		cJSON *err = cJSON_GetObjectItemCaseSensitive(body, "error");
		cJSON *f = cJSON_GetObjectItemCaseSensitive(err, "field");
		cJSON *m = cJSON_GetObjectItemCaseSensitive(err, "message");
		cart_error_set(e, 422, "validation_failed",
			       cJSON_IsString(f) ? f->valuestring : "shipping_address", "%s",
			       cJSON_IsString(m) ? m->valuestring : "The shipping address is not valid.");
		cJSON_Delete(body);
	}
	free(r.body);
	return text;
}

/* Commits or rolls back after a step, refunds an orphaned charge, and turns the order
 * into JSON.  Returns 0 or e->status. */
static int finish(struct server *srv, struct store *store, int step_rc, int64_t order_id, int stock_moved,
		  struct payment_charge *charge, cJSON **order, struct cart_error *e)
{
	if (step_rc == 0 && store_tx_commit(store) != STORE_OK)
		db_error(e);
	store_tx_rollback(store);
	if (e->status) {
		payments_refund(charge);
		return e->status;
	}
	/* Stock is not part of the vocabulary: no catalog_changed() here. */
	(void)srv;
	(void)stock_moved;
	*order = orders_json(store, order_id);
	if (!*order)
		db_error(e);
	return e->status;
}

int orders_checkout(struct server *srv, struct store *store, int64_t user_id, const cJSON *address_or_null,
		    int64_t payment_method_id, cJSON **order, char *err_code, char *err_msg,
		    size_t msglen)
{
	struct cart_error e = { 0 };
	struct payment_charge charge = { 0 };
	int64_t id = 0;
	char *addr = NULL;
	*order = NULL;
	if (address_or_null && !cJSON_IsNull(address_or_null))
		addr = address_text(address_or_null, &e);
	if (!e.status && store_tx_begin(store) != STORE_OK)
		db_error(&e);
	if (!e.status) {
		int rc = checkout_tx(srv, store, user_id, addr, payment_method_id, &id, &charge, &e);
		finish(srv, store, rc, id, 1, &charge, order, &e);
	}
	free(addr);
	cart_error_copy(&e, err_code, err_msg, msglen);
	return e.status;
}

/* ---- pay and cancel ------------------------------------------------------------------------ */

/* Loads the user's order; -1 with e set (404 when it is not theirs). */
static int load_order(struct store *store, int64_t user_id, int64_t order_id,
		      struct store_order_state *o, struct cart_error *e)
{
	int rc = store_order_state(store, order_id, o);
	if (rc == STORE_ERROR)
		db_error(e);
	else if (rc == STORE_NOT_FOUND || o->user_id != user_id)
		cart_error_set(e, 404, "not_found", NULL, "You have no order %lld.", (long long)order_id);
	return e->status ? -1 : 0;
}

static int pay_tx(struct store *store, int64_t user_id, int64_t order_id, int64_t pm_id,
		  struct payment_charge *charge, struct cart_error *e)
{
	struct store_order_state o;
	struct payment_card card;
	if (load_order(store, user_id, order_id, &o, e) != 0)
		return -1;
	if (strcmp(o.status, "pending_payment") != 0) {
		cart_error_set(e, 409, "conflict", NULL, "Order %lld is %s; only an order pending"
			       " payment can be paid.", (long long)order_id, o.status);
		return -1;
	}
	if (o.expires_at && o.expires_at <= store_now()) {
		cart_error_set(e, 409, "conflict", NULL, "Order %lld was not paid in time and has"
			       " expired; its items went back on sale.", (long long)order_id);
		return -1;
	}
	if (load_card(store, user_id, pm_id, &card, e) != 0)
		return -1;
	return charge_order(store, order_id, &card, o.total_cents, charge, e);
}

int orders_pay(struct server *srv, struct store *store, int64_t user_id, int64_t order_id,
	       int64_t payment_method_id, cJSON **order, char *err_code, char *err_msg,
	       size_t msglen)
{
	struct cart_error e = { 0 };
	struct payment_charge charge = { 0 };
	*order = NULL;
	if (store_tx_begin(store) != STORE_OK)
		db_error(&e);
	else
		finish(srv, store, pay_tx(store, user_id, order_id, payment_method_id, &charge, &e),
		       order_id, 0, &charge, order, &e);
	cart_error_copy(&e, err_code, err_msg, msglen);
	return e.status;
}

static int cancel_tx(struct store *store, int64_t user_id, int64_t order_id, struct cart_error *e)
{
	struct store_order_state o;
	if (load_order(store, user_id, order_id, &o, e) != 0)
		return -1;
	int paid = strcmp(o.status, "paid") == 0;
	if ((!paid && strcmp(o.status, "pending_payment") != 0) || o.shipped_items > 0) {
		cart_error_set(e, 409, "conflict", NULL, "Order %lld is %s and can no longer be"
			       " cancelled.", (long long)order_id,
			       o.shipped_items && paid ? "partly shipped" : o.status);
		return -1;
	}
	int refund = paid && strcmp(o.payment_status, "succeeded") == 0;
	if (store_order_release(store, order_id, refund, store_now()) != STORE_OK) {
		db_error(e);
		return -1;
	}
	if (refund) {
		/* Last step: if it fails nothing is committed; if the commit fails after it,
		 * the money is back but the order still says paid (logged). */
		struct payment_charge c = { .amount = o.total_cents };
		snprintf(c.provider, sizeof c.provider, "%s", o.payment_provider);
		snprintf(c.ref, sizeof c.ref, "%s", o.payment_ref);
		if (payments_refund(&c) != 0) {
			cart_error_set(e, 500, "internal", NULL, "The refund did not go through.");
			return -1;
		}
	}
	log_info("orders", "order %lld cancelled by its owner%s", (long long)order_id,
		 refund ? " and refunded" : "");
	return 0;
}

int orders_cancel(struct server *srv, struct store *store, int64_t user_id, int64_t order_id,
		  cJSON **order, char *err_code, char *err_msg, size_t msglen)
{
	struct cart_error e = { 0 };
	struct payment_charge none = { 0 };
	*order = NULL;
	if (store_tx_begin(store) != STORE_OK)
		db_error(&e);
	else
		finish(srv, store, cancel_tx(store, user_id, order_id, &e), order_id, 1, &none, order, &e);
	if (e.status == 500)
		log_error("orders", "cancel of order %lld failed", (long long)order_id);
	cart_error_copy(&e, err_code, err_msg, msglen);
	return e.status;
}

/* ---- expiry ---------------------------------------------------------------------------------- */

void orders_expire_pending(struct server *srv, struct store *store)
{
	if (!store)
		return;
	/* Once across processes: the one holding the lock does it, the others skip this
	 * round (each order would be released once anyway: store_order_expire). */
	int got = 0;
	if (store_lock_try(store, STORE_LOCK_EXPIRY, &got) != STORE_OK || !got)
		return;
	int64_t now = store_now(), ids[256];
	size_t n = 0;
	if (store_orders_due(store, now, ids, 256, &n) != STORE_OK) {
		store_lock_release(store, STORE_LOCK_EXPIRY);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (store_tx_begin(store) != STORE_OK)
			break;
		if (store_order_expire(store, ids[i], now) == STORE_OK &&
		    store_tx_commit(store) == STORE_OK)
			log_info("orders", "order %lld expired unpaid; its stock is back", (long long)ids[i]);
		store_tx_rollback(store);
	}
	(void)srv;
	idempotency_purge(store, now);
	store_lock_release(store, STORE_LOCK_EXPIRY);
}

/* One expiry run at a time for the process (which serves one struct server): the flag
 * is set when a run is queued and cleared when it ends. */
static atomic_flag expiry_queued = ATOMIC_FLAG_INIT;

static void expire_job(void *arg)
{
	orders_expire_pending(arg, store_thread());
	atomic_flag_clear(&expiry_queued);
}

int orders_expire_schedule(struct server *srv)
{
	if (atomic_flag_test_and_set(&expiry_queued))
		return 0;
	if (workers_submit(srv->pool, expire_job, srv) != 0) {
		atomic_flag_clear(&expiry_queued);
		return -1;
	}
	return 1;
}

void *orders_expiry_ticker(void *arg)
{
	struct server *srv = arg;
	const struct timespec quarter = { 0, 250 * 1000 * 1000 };
	int ticks = 0;
	while (!srv->stopping) {
		if (ticks-- == 0) {
			orders_expire_schedule(srv);
			ticks = ORDERS_EXPIRY_PERIOD * 4 - 1;
		}
		nanosleep(&quarter, NULL);
	}
	return NULL;
}

/* ---- REST ---------------------------------------------------------------------------------- */

struct checkout_job {
	const char *address;   /* canonical text or NULL */
	int64_t pm_id, order_id;
	struct payment_charge charge;
};

/* Fills resp from the result of a step run under idempotency_run. */
static int answer(struct api_req *req, struct api_resp *resp, int rc, int status, int64_t id,
		  const struct cart_error *e)
{
	cJSON *o = rc == 0 ? orders_json(req->store, id) : NULL;
	if (rc == 0 && !o) {
		api_store_failed(resp, req->store, "order json");
		return -1;
	}
	if (rc != 0)
		cart_error_answer(e, resp);
	else
		api_json(resp, status, o);
	return rc;
}

static int checkout_work(struct api_req *req, struct api_resp *resp, void *arg)
{
	struct checkout_job *j = arg;
	struct cart_error e = { 0 };
	int rc = checkout_tx(req->srv, req->store, req->user.id, j->address, j->pm_id, &j->order_id,
			     &j->charge, &e);
	return answer(req, resp, rc, 201, j->order_id, &e);
}

static int pay_work(struct api_req *req, struct api_resp *resp, void *arg)
{
	struct checkout_job *j = arg;
	struct cart_error e = { 0 };
	int rc = pay_tx(req->store, req->user.id, j->order_id, j->pm_id, &j->charge, &e);
	return answer(req, resp, rc, 200, j->order_id, &e);
}

HANDLER(h_orders_create)
{
	struct checkout_job job = { 0 };
	char *addr = NULL;
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(req->json, "shipping_address");
	if (api_field_int(req->json, resp, "payment_method_id", 0, 1, INT64_MAX / 2, &job.pm_id, NULL))
		return;
	if (a && !cJSON_IsNull(a) && !(addr = auth_address_text(a, resp)))
		return;
	job.address = addr;
	int rc = idempotency_run(req, resp, checkout_work, &job);
	if (rc < 0)
		payments_refund(&job.charge);
	if (rc == 0) {
		log_info("orders", "user %lld placed order %lld", (long long)req->user.id,
			 (long long)job.order_id);
	}
	free(addr);
}

HANDLER(h_order_pay)
{
	struct checkout_job job = { .order_id = req->params[0] };
	if (api_field_int(req->json, resp, "payment_method_id", 1, 1, INT64_MAX / 2, &job.pm_id, NULL))
		return;
	if (idempotency_run(req, resp, pay_work, &job) < 0)
		payments_refund(&job.charge);
}

HANDLER(h_order_cancel)
{
	cJSON *o = NULL;
	struct cart_error e = { 0 };
	e.status = orders_cancel(req->srv, req->store, req->user.id, req->params[0], &o, e.code,
				 e.message, sizeof e.message);
	if (e.status)
		cart_error_answer(&e, resp);
	else
		api_json(resp, 200, o);
}
