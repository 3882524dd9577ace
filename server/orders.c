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
#include "store.h"
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
static int charge_order(sqlite3 *db, int64_t order_id, const struct payment_card *card,
			int64_t amount, struct payment_charge *charge, struct cart_error *e)
{
	char msg[160];
	int rc = payments_charge(card, amount, "USD", charge, msg, sizeof msg);
	if (rc) {
		cart_error_set(e, rc, rc == 402 ? "payment_declined" : "internal", NULL, "%s", msg);
		return -1;
	}
	int64_t now = store_now();
	sqlite3_stmt *st = store_prepare(db,
		"UPDATE orders SET status = 'paid', payment_status = 'succeeded', payment_brand = ?,"
		" payment_last4 = ?, payment_amount_cents = ?, paid_at = ?, payment_method_id = ?,"
		" payment_provider = ?, payment_ref = ?, expires_at = NULL, updated_at = ?"
		" WHERE id = ?");
	int ok = st != NULL;
	if (ok) {
		sqlite3_bind_text(st, 1, card->brand, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, card->last4, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, amount);
		sqlite3_bind_int64(st, 4, now);
		sqlite3_bind_int64(st, 5, card->id);
		sqlite3_bind_text(st, 6, charge->provider, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, charge->ref, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 8, now);
		sqlite3_bind_int64(st, 9, order_id);
		ok = sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(db) == 1;
	}
	sqlite3_finalize(st);
	if (!ok)
		db_error(e); /* the caller refunds the charge when nothing commits */
	return ok ? 0 : -1;
}

/* Loads the user's card; 0, or -1 with e set (404 when none). */
static int load_card(sqlite3 *db, int64_t user_id, int64_t pm_id, struct payment_card *card,
		     struct cart_error *e)
{
	int rc = payments_method_get(db, user_id, pm_id, card);
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
static int load_cart(sqlite3 *db, int64_t user_id, struct line **out)
{
	sqlite3_stmt *st = store_prepare(db,
		"SELECT c.product_id, p.seller_id, p.price_cents, c.quantity, p.stock,"
		" p.status = 'active', p.title FROM cart_items c JOIN products p ON p.id = c.product_id"
		" WHERE c.user_id = ? ORDER BY c.added_at, c.rowid");
	*out = NULL;
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, user_id);
	struct line *lines = NULL;
	int n = 0, cap = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			struct line *l = realloc(lines, (size_t)cap * sizeof *l);
			if (!l)
				break;
			lines = l;
		}
		struct line *l = &lines[n++];
		l->product_id = sqlite3_column_int64(st, 0);
		l->seller_id = sqlite3_column_int64(st, 1);
		l->price = sqlite3_column_int64(st, 2);
		l->qty = sqlite3_column_int64(st, 3);
		l->stock = sqlite3_column_int64(st, 4);
		l->active = sqlite3_column_int(st, 5);
		snprintf(l->title, sizeof l->title, "%s", sqlite3_column_text(st, 6));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(lines);
		return -1;
	}
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
static char *saved_address(sqlite3 *db, int64_t user_id, int *err)
{
	sqlite3_stmt *st = store_prepare(db, "SELECT shipping_address FROM users WHERE id = ?");
	*err = st == NULL;
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, user_id);
	char *text = NULL;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		text = strdup((const char *)sqlite3_column_text(st, 0));
	else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		*err = 1;
	sqlite3_finalize(st);
	return text;
}

/* Takes the stock of every line; -1 with e set when a product ran short. */
static int take_stock(sqlite3 *db, const struct line *lines, int n, struct cart_error *e)
{
	sqlite3_stmt *st = store_prepare(db,
		"UPDATE products SET stock = stock - ?1 WHERE id = ?2 AND stock >= ?1"
		" AND status = 'active'");
	if (!st) {
		db_error(e);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, lines[i].qty);
		sqlite3_bind_int64(st, 2, lines[i].product_id);
		if (sqlite3_step(st) != SQLITE_DONE) {
			db_error(e);
			break;
		}
		if (sqlite3_changes(db) != 1) {
			char field[32];
			snprintf(field, sizeof field, "%lld", (long long)lines[i].product_id);
			cart_error_set(e, 409, "out_of_stock", field, "\"%s\" ran out of stock.",
				       lines[i].title);
			break;
		}
	}
	sqlite3_finalize(st);
	return e->status ? -1 : 0;
}

static int64_t insert_order(sqlite3 *db, int64_t user_id, int64_t subtotal, const char *address,
			    int64_t expires_at)
{
	int64_t now = store_now();
	sqlite3_stmt *st = store_prepare(db,
		"INSERT INTO orders (user_id, status, subtotal_cents, total_cents, currency,"
		" shipping_address, expires_at, created_at, updated_at)"
		" VALUES (?, 'pending_payment', ?, ?, 'USD', ?, ?, ?, ?)");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, subtotal);
	sqlite3_bind_int64(st, 3, subtotal);
	sqlite3_bind_text(st, 4, address, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, expires_at);
	sqlite3_bind_int64(st, 6, now);
	sqlite3_bind_int64(st, 7, now);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? sqlite3_last_insert_rowid(db) : -1;
}

static int insert_items(sqlite3 *db, int64_t order_id, const struct line *lines, int n)
{
	sqlite3_stmt *st = store_prepare(db,
		"INSERT INTO order_items (order_id, product_id, seller_id, title, unit_price_cents,"
		" quantity) VALUES (?,?,?,?,?,?)");
	int ok = st != NULL;
	for (int i = 0; ok && i < n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, order_id);
		sqlite3_bind_int64(st, 2, lines[i].product_id);
		sqlite3_bind_int64(st, 3, lines[i].seller_id);
		sqlite3_bind_text(st, 4, lines[i].title, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, lines[i].price);
		sqlite3_bind_int64(st, 6, lines[i].qty);
		ok = sqlite3_step(st) == SQLITE_DONE;
	}
	sqlite3_finalize(st);
	return ok ? 0 : -1;
}

static int empty_cart(sqlite3 *db, int64_t user_id)
{
	char code[CART_ERR_CODE];
	return cart_clear(db, user_id, code, NULL, 0) == 0 ? 0 : -1;
}

/* The checkout steps, inside the caller's transaction.  address: canonical Address
 * JSON text, or NULL for the saved one.  Returns 0 with *order_id, or -1 with e set;
 * a charge made is in *charge either way (the caller refunds it if nothing commits). */
static int checkout_tx(struct server *srv, sqlite3 *db, int64_t user_id, const char *address,
		       int64_t pm_id, int64_t *order_id, struct payment_charge *charge,
		       struct cart_error *e)
{
	struct line *lines = NULL;
	char *saved = NULL;
	struct payment_card card;
	int n = load_cart(db, user_id, &lines), err = 0;
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
		address = saved = saved_address(db, user_id, &err);
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
	if (pm_id > 0 && load_card(db, user_id, pm_id, &card, e) != 0)
		goto out;
	int64_t subtotal = 0;
	for (int i = 0; i < n; i++)
		subtotal += lines[i].price * lines[i].qty;
	if (take_stock(db, lines, n, e) != 0)
		goto out;
	int64_t id = insert_order(db, user_id, subtotal, address,
				  store_now() + srv->set.pending_payment_ttl);
	if (id <= 0 || insert_items(db, id, lines, n) != 0 || empty_cart(db, user_id) != 0) {
		db_error(e);
		goto out;
	}
	if (pm_id > 0 && charge_order(db, id, &card, subtotal, charge, e) != 0)
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
static int finish(struct server *srv, sqlite3 *db, int step_rc, int64_t order_id, int stock_moved,
		  struct payment_charge *charge, cJSON **order, struct cart_error *e)
{
	if (step_rc == 0 && store_commit(db) != 0)
		db_error(e);
	store_rollback(db);
	if (e->status) {
		payments_refund(charge);
		return e->status;
	}
	/* Stock is not part of the vocabulary: no catalog_changed() here. */
	(void)srv;
	(void)stock_moved;
	*order = orders_json(db, order_id);
	if (!*order)
		db_error(e);
	return e->status;
}

int orders_checkout(struct server *srv, sqlite3 *db, int64_t user_id, const cJSON *address_or_null,
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
	if (!e.status && store_begin(db) != 0)
		db_error(&e);
	if (!e.status) {
		int rc = checkout_tx(srv, db, user_id, addr, payment_method_id, &id, &charge, &e);
		finish(srv, db, rc, id, 1, &charge, order, &e);
	}
	free(addr);
	cart_error_copy(&e, err_code, err_msg, msglen);
	return e.status;
}

/* ---- pay and cancel ------------------------------------------------------------------------ */

struct order_row {
	int64_t user_id, total, expires_at;
	char status[24], payment_status[16], provider[16], ref[64];
	int shipped_items;
};

/* Loads the user's order; -1 with e set (404 when it is not theirs). */
static int load_order(sqlite3 *db, int64_t user_id, int64_t order_id, struct order_row *o,
		      struct cart_error *e)
{
	sqlite3_stmt *st = store_prepare(db,
		"SELECT user_id, status, total_cents, coalesce(expires_at, 0),"
		" coalesce(payment_status, ''), coalesce(payment_provider, 'sandbox'),"
		" coalesce(payment_ref, ''),"
		" (SELECT count(*) FROM order_items WHERE order_id = orders.id"
		"  AND fulfillment = 'shipped') FROM orders WHERE id = ?");
	if (!st) {
		db_error(e);
		return -1;
	}
	sqlite3_bind_int64(st, 1, order_id);
	int rc = sqlite3_step(st);
	memset(o, 0, sizeof *o);
	if (rc == SQLITE_ROW) {
		o->user_id = sqlite3_column_int64(st, 0);
		snprintf(o->status, sizeof o->status, "%s", sqlite3_column_text(st, 1));
		o->total = sqlite3_column_int64(st, 2);
		o->expires_at = sqlite3_column_int64(st, 3);
		snprintf(o->payment_status, sizeof o->payment_status, "%s", sqlite3_column_text(st, 4));
		snprintf(o->provider, sizeof o->provider, "%s", sqlite3_column_text(st, 5));
		snprintf(o->ref, sizeof o->ref, "%s", sqlite3_column_text(st, 6));
		o->shipped_items = sqlite3_column_int(st, 7);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		db_error(e);
	else if (rc == SQLITE_DONE || o->user_id != user_id)
		cart_error_set(e, 404, "not_found", NULL, "You have no order %lld.", (long long)order_id);
	return e->status ? -1 : 0;
}

static int pay_tx(sqlite3 *db, int64_t user_id, int64_t order_id, int64_t pm_id,
		  struct payment_charge *charge, struct cart_error *e)
{
	struct order_row o;
	struct payment_card card;
	if (load_order(db, user_id, order_id, &o, e) != 0)
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
	if (load_card(db, user_id, pm_id, &card, e) != 0)
		return -1;
	return charge_order(db, order_id, &card, o.total, charge, e);
}

int orders_pay(struct server *srv, sqlite3 *db, int64_t user_id, int64_t order_id,
	       int64_t payment_method_id, cJSON **order, char *err_code, char *err_msg,
	       size_t msglen)
{
	struct cart_error e = { 0 };
	struct payment_charge charge = { 0 };
	*order = NULL;
	if (store_begin(db) != 0)
		db_error(&e);
	else
		finish(srv, db, pay_tx(db, user_id, order_id, payment_method_id, &charge, &e), order_id,
		       0, &charge, order, &e);
	cart_error_copy(&e, err_code, err_msg, msglen);
	return e.status;
}

/* Marks the order cancelled and puts its units back on the shelves. */
static int release_order(sqlite3 *db, int64_t order_id, int refunded)
{
	sqlite3_stmt *st = store_prepare(db,
		"UPDATE products SET stock = stock + (SELECT sum(quantity) FROM order_items"
		" WHERE order_id = ?1 AND product_id = products.id)"
		" WHERE id IN (SELECT product_id FROM order_items WHERE order_id = ?1)");
	int ok = st != NULL;
	if (ok) {
		sqlite3_bind_int64(st, 1, order_id);
		ok = sqlite3_step(st) == SQLITE_DONE;
	}
	sqlite3_finalize(st);
	st = ok ? store_prepare(db,
		"UPDATE orders SET status = 'cancelled', expires_at = NULL, updated_at = ?,"
		" payment_status = CASE WHEN ? THEN 'refunded' ELSE payment_status END"
		" WHERE id = ?") : NULL;
	ok = st != NULL;
	if (ok) {
		sqlite3_bind_int64(st, 1, store_now());
		sqlite3_bind_int(st, 2, refunded);
		sqlite3_bind_int64(st, 3, order_id);
		ok = sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(db) == 1;
	}
	sqlite3_finalize(st);
	return ok ? 0 : -1;
}

static int cancel_tx(sqlite3 *db, int64_t user_id, int64_t order_id, struct cart_error *e)
{
	struct order_row o;
	if (load_order(db, user_id, order_id, &o, e) != 0)
		return -1;
	int paid = strcmp(o.status, "paid") == 0;
	if ((!paid && strcmp(o.status, "pending_payment") != 0) || o.shipped_items > 0) {
		cart_error_set(e, 409, "conflict", NULL, "Order %lld is %s and can no longer be"
			       " cancelled.", (long long)order_id,
			       o.shipped_items && paid ? "partly shipped" : o.status);
		return -1;
	}
	int refund = paid && strcmp(o.payment_status, "succeeded") == 0;
	if (release_order(db, order_id, refund) != 0) {
		db_error(e);
		return -1;
	}
	if (refund) {
		/* Last step: if it fails nothing is committed; if the commit fails after it,
		 * the money is back but the order still says paid (logged). */
		struct payment_charge c = { .amount = o.total };
		snprintf(c.provider, sizeof c.provider, "%s", o.provider);
		snprintf(c.ref, sizeof c.ref, "%s", o.ref);
		if (payments_refund(&c) != 0) {
			cart_error_set(e, 500, "internal", NULL, "The refund did not go through.");
			return -1;
		}
	}
	log_info("orders", "order %lld cancelled by its owner%s", (long long)order_id,
		 refund ? " and refunded" : "");
	return 0;
}

int orders_cancel(struct server *srv, sqlite3 *db, int64_t user_id, int64_t order_id,
		  cJSON **order, char *err_code, char *err_msg, size_t msglen)
{
	struct cart_error e = { 0 };
	struct payment_charge none = { 0 };
	*order = NULL;
	if (store_begin(db) != 0)
		db_error(&e);
	else
		finish(srv, db, cancel_tx(db, user_id, order_id, &e), order_id, 1, &none, order, &e);
	if (e.status == 500)
		log_error("orders", "cancel of order %lld failed", (long long)order_id);
	cart_error_copy(&e, err_code, err_msg, msglen);
	return e.status;
}

/* ---- expiry ---------------------------------------------------------------------------------- */

void orders_expire_pending(struct server *srv, sqlite3 *db)
{
	if (!db)
		return;
	int64_t now = store_now(), ids[256];
	int n = 0, done = 0;
	sqlite3_stmt *st = store_prepare(db,
		"SELECT id FROM orders WHERE status = 'pending_payment' AND expires_at <= ?"
		" ORDER BY expires_at LIMIT 256");
	if (!st)
		return;
	sqlite3_bind_int64(st, 1, now);
	while (n < 256 && sqlite3_step(st) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	for (int i = 0; i < n; i++) {
		if (store_begin(db) != 0)
			break;
		/* Still pending and due (a payment may have landed since the SELECT)? */
		sqlite3_stmt *chk = store_prepare(db, "SELECT 1 FROM orders WHERE id = ?"
						      " AND status = 'pending_payment' AND expires_at <= ?");
		int due = 0;
		if (chk) {
			sqlite3_bind_int64(chk, 1, ids[i]);
			sqlite3_bind_int64(chk, 2, now);
			due = sqlite3_step(chk) == SQLITE_ROW;
			sqlite3_finalize(chk);
		}
		if (due && release_order(db, ids[i], 0) == 0 && store_commit(db) == 0) {
			log_info("orders", "order %lld expired unpaid; its stock is back", (long long)ids[i]);
			done++;
		}
		store_rollback(db);
	}
	(void)srv;
	(void)done;
	idempotency_purge(store_thread(), now);
}

/* One expiry run at a time for the process (which serves one struct server): the flag
 * is set when a run is queued and cleared when it ends. */
static atomic_flag expiry_queued = ATOMIC_FLAG_INIT;

static void expire_job(void *arg)
{
	orders_expire_pending(arg, store_thread_db());
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
	cJSON *o = rc == 0 ? orders_json(req->db, id) : NULL;
	if (rc == 0 && !o) {
		api_internal(resp, req->db, "order json");
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
	int rc = checkout_tx(req->srv, req->db, req->user.id, j->address, j->pm_id, &j->order_id,
			     &j->charge, &e);
	return answer(req, resp, rc, 201, j->order_id, &e);
}

static int pay_work(struct api_req *req, struct api_resp *resp, void *arg)
{
	struct checkout_job *j = arg;
	struct cart_error e = { 0 };
	int rc = pay_tx(req->db, req->user.id, j->order_id, j->pm_id, &j->charge, &e);
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
	e.status = orders_cancel(req->srv, req->db, req->user.id, req->params[0], &o, e.code,
				 e.message, sizeof e.message);
	if (e.status)
		cart_error_answer(&e, resp);
	else
		api_json(resp, 200, o);
}
