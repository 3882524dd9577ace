/*
 * store/store.c - database URLs, per-thread connections and the forwarding of each
 * public function to the connection's backend (see store/store.h, store/backend.h).
 */
#include "store/backend.h"
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char configured_url[4096];

/* An operation the connection's backend does not implement (yet). */
static int store_unsupported(struct store *s, const char *op)
{
	return store_set_err(s, "%s: not supported by this database backend", op);
}
static __thread struct store *thread_store;

int store_parse_url(const char *url, enum store_backend *backend, char *target,
		    size_t target_len, char *err, size_t errlen)
{
	if (!url || !*url) {
		snprintf(err, errlen, "no database given");
		return -1;
	}
	const char *t = url;
	if (!strncmp(url, "postgresql://", 13) || !strncmp(url, "postgres://", 11)) {
		*backend = STORE_POSTGRES;
	} else if (!strncmp(url, "sqlite:", 7)) {
		*backend = STORE_SQLITE;
		t = url + 7;
		/* sqlite:///abs/path and sqlite://localhost/abs/path are the URI forms. */
		if (!strncmp(t, "//localhost/", 12))
			t += 11;
		else if (!strncmp(t, "//", 2))
			t += 2;
		if (!*t) {
			snprintf(err, errlen, "database %s: no file path after sqlite:", url);
			return -1;
		}
	} else if (strstr(url, "://")) {
		snprintf(err, errlen,
			 "database %s: unknown kind (expected sqlite:/path/file.db or"
			 " postgresql://user@host/db)", url);
		return -1;
	} else {
		*backend = STORE_SQLITE; /* a plain path */
	}
	if (strlen(t) >= target_len) {
		snprintf(err, errlen, "database %s: too long", url);
		return -1;
	}
	snprintf(target, target_len, "%s", t);
	return 0;
}

struct store *store_connect(const char *url, char *err, size_t errlen)
{
	enum store_backend backend;
	char target[4096];
	if (store_parse_url(url, &backend, target, sizeof target, err, errlen) != 0)
		return NULL;
	if (backend == STORE_SQLITE)
		return store_sqlite_connect(target, err, errlen);
#ifdef VOXCART_WITH_POSTGRES
	return store_pg_connect(target, err, errlen);
#else
	snprintf(err, errlen,
		 "database %s: PostgreSQL is not supported by this voxcartd yet (use sqlite:PATH)",
		 url);
	return NULL;
#endif
}

int store_configure(const char *url, char *err, size_t errlen)
{
	enum store_backend backend;
	char target[4096];
	if (store_parse_url(url, &backend, target, sizeof target, err, errlen) != 0)
		return -1;
#ifndef VOXCART_WITH_POSTGRES
	if (backend == STORE_POSTGRES) {
		snprintf(err, errlen,
			 "database %s: PostgreSQL is not supported by this voxcartd yet"
			 " (use sqlite:PATH)", url);
		return -1;
	}
#endif
	if (strlen(url) >= sizeof configured_url) {
		snprintf(err, errlen, "database URL too long");
		return -1;
	}
	snprintf(configured_url, sizeof configured_url, "%s", url);
	return 0;
}

void store_disconnect(struct store *s)
{
	if (s)
		s->ops->disconnect(s);
}

int store_upgrade(struct store *s, char *err, size_t errlen)
{
	return s->ops->upgrade(s, err, errlen);
}

struct store *store_thread(void)
{
	if (!thread_store) {
		char err[512];
		thread_store = store_connect(configured_url, err, sizeof err);
		if (!thread_store)
			log_error("store", "%s", err);
	}
	return thread_store;
}

void store_thread_close(void)
{
	store_disconnect(thread_store);
	thread_store = NULL;
}

enum store_backend store_backend_of(const struct store *s)
{
	return s->ops->backend;
}

const char *store_errmsg(const struct store *s)
{
	return s ? s->err : "no database connection";
}

/* ---- products changed through this process (store_on_product_change) ---- */

static store_product_hook product_hook;

void store_on_product_change(store_product_hook fn)
{
	product_hook = fn;
}

static void hook_flush(struct store *s)
{
	int n = s->nchanged;
	s->nchanged = 0;
	if (!product_hook)
		return;
	if (n < 0)
		product_hook(0);
	for (int i = 0; i < n; i++)
		product_hook(s->changed[i]);
}

/* Product id (0: any) was changed by a call that succeeded: told now, or when the
 * transaction under way commits. */
static void changed(struct store *s, int64_t id)
{
	if (!product_hook)
		return;
	if (!s->in_tx) {
		product_hook(id);
		return;
	}
	if (s->nchanged < 0)
		return;
	for (int i = 0; i < s->nchanged; i++)
		if (s->changed[i] == id)
			return;
	if (id == 0 || s->nchanged == (int)(sizeof s->changed / sizeof s->changed[0]))
		s->nchanged = -1;
	else
		s->changed[s->nchanged++] = id;
}

int store_tx_begin(struct store *s)
{
	int rc = s->ops->tx_begin(s);
	if (rc == STORE_OK) {
		s->in_tx = 1;
		s->nchanged = 0;
	}
	return rc;
}

int store_tx_commit(struct store *s)
{
	int rc = s->ops->tx_commit(s);
	s->in_tx = 0;
	/* Also after a failed commit: whether it took is not known for sure. */
	hook_flush(s);
	return rc;
}

void store_tx_rollback(struct store *s)
{
	s->ops->tx_rollback(s);
	s->in_tx = 0;
	s->nchanged = 0;
}

int store_savepoint(struct store *s) { return s->ops->savepoint(s); }

int store_savepoint_rollback(struct store *s) { return s->ops->savepoint_rollback(s); }

int store_savepoint_release(struct store *s) { return s->ops->savepoint_release(s); }

int store_user_get(struct store *s, int64_t id, struct store_user *u)
{
	if (!s->ops->user_get)
		return store_unsupported(s, "user_get");
	return s->ops->user_get(s, id, u);
}

int store_user_create(struct store *s, const char *email, const char *password_hash,
		      const char *name, const char *role, int64_t now, int64_t *id)
{
	if (!s->ops->user_create)
		return store_unsupported(s, "user_create");
	return s->ops->user_create(s, email, password_hash, name, role, now, id);
}

int store_user_update(struct store *s, int64_t id, const char *name, int set_address,
		      const char *address_json)
{
	if (!s->ops->user_update)
		return store_unsupported(s, "user_update");
	int rc = s->ops->user_update(s, id, name, set_address, address_json);
	if (rc == STORE_OK && name)
		changed(s, 0); /* a seller's name shows on their products */
	return rc;
}

int store_login_find(struct store *s, const char *email, struct store_login *l)
{
	if (!s->ops->login_find)
		return store_unsupported(s, "login_find");
	return s->ops->login_find(s, email, l);
}

int store_login_failed(struct store *s, int64_t user_id, int max_failures, int64_t now,
		       int64_t lock_until, int *failures)
{
	if (!s->ops->login_failed)
		return store_unsupported(s, "login_failed");
	return s->ops->login_failed(s, user_id, max_failures, now, lock_until, failures);
}

int store_login_reset(struct store *s, int64_t user_id, int64_t ended_by)
{
	if (!s->ops->login_reset)
		return store_unsupported(s, "login_reset");
	return s->ops->login_reset(s, user_id, ended_by);
}

int store_login_locked_until(struct store *s, int64_t user_id, int64_t *locked_until)
{
	if (!s->ops->login_locked_until)
		return store_unsupported(s, "login_locked_until");
	return s->ops->login_locked_until(s, user_id, locked_until);
}

int store_token_check(struct store *s, const char *access_hash, int64_t now,
		      struct store_token_user *u)
{
	if (!s->ops->token_check)
		return store_unsupported(s, "token_check");
	return s->ops->token_check(s, access_hash, now, u);
}

int store_token_issue(struct store *s, int64_t user_id, const char *access_hash,
		      const char *refresh_hash, int64_t access_expires, int64_t refresh_expires,
		      int64_t now, int64_t login_id, int64_t *token_id)
{
	if (!s->ops->token_issue)
		return store_unsupported(s, "token_issue");
	return s->ops->token_issue(s, user_id, access_hash, refresh_hash, access_expires,
				   refresh_expires, now, login_id, token_id);
}

int store_token_refresh(struct store *s, const char *refresh_hash, int64_t now, int64_t *user_id,
			int64_t *login_id, enum store_refresh_why *why)
{
	enum store_refresh_why ignored;
	if (!why)
		why = &ignored;
	*why = STORE_REFRESH_UNKNOWN;
	if (!s->ops->token_refresh)
		return store_unsupported(s, "token_refresh");
	return s->ops->token_refresh(s, refresh_hash, now, user_id, login_id, why);
}

int store_login_end(struct store *s, int64_t login_id, int64_t token_id)
{
	if (!s->ops->login_end)
		return store_unsupported(s, "login_end");
	return s->ops->login_end(s, login_id, token_id);
}

int store_login_alive(struct store *s, int64_t login_id, int64_t now, int *alive)
{
	if (!s->ops->login_alive)
		return store_unsupported(s, "login_alive");
	return s->ops->login_alive(s, login_id, now, alive);
}

int store_conv_create(struct store *s, int64_t user_id, int64_t now, int64_t *id)
{
	if (!s->ops->conv_create)
		return store_unsupported(s, "conv_create");
	return s->ops->conv_create(s, user_id, now, id);
}

int store_conv_get(struct store *s, int64_t conv_id, int64_t user_id, struct store_conv *c)
{
	if (!s->ops->conv_get)
		return store_unsupported(s, "conv_get");
	return s->ops->conv_get(s, conv_id, user_id, c);
}

int store_conv_list(struct store *s, int64_t user_id, int64_t limit, int64_t offset,
		    struct store_convs *out, int64_t *total)
{
	if (!s->ops->conv_list)
		return store_unsupported(s, "conv_list");
	return s->ops->conv_list(s, user_id, limit, offset, out, total);
}

int store_conv_add_turn(struct store *s, int64_t conv_id, const char *user_text, const char *intent,
			double sentiment, const char *reply, int frustrated, const char *state,
			int64_t now)
{
	if (!s->ops->conv_add_turn)
		return store_unsupported(s, "conv_add_turn");
	return s->ops->conv_add_turn(s, conv_id, user_text, intent, sentiment, reply, frustrated,
				     state, now);
}

int store_conv_delete(struct store *s, int64_t conv_id)
{
	if (!s->ops->conv_delete)
		return store_unsupported(s, "conv_delete");
	return s->ops->conv_delete(s, conv_id);
}

int store_conv_messages(struct store *s, int64_t conv_id, int last, struct store_messages *out)
{
	if (!s->ops->conv_messages)
		return store_unsupported(s, "conv_messages");
	return s->ops->conv_messages(s, conv_id, last, out);
}

int store_products_search(struct store *s, const struct store_search *q, int64_t *ids,
			  size_t *n, int64_t *total)
{
	*n = 0;
	*total = 0;
	if (!s->ops->products_search)
		return store_unsupported(s, "products_search");
	return s->ops->products_search(s, q, ids, n, total);
}

int store_changes_listen(struct store *s)
{
	if (!s->ops->changes_listen)
		return store_unsupported(s, "changes_listen");
	return s->ops->changes_listen(s);
}

int store_changes_wait(struct store *s, int timeout_ms, store_change_fn fn, void *arg,
		       int *heard)
{
	*heard = 0;
	if (!s->ops->changes_wait)
		return store_unsupported(s, "changes_wait");
	return s->ops->changes_wait(s, timeout_ms, fn, arg, heard);
}

int store_lock_try(struct store *s, enum store_lock lock, int *got)
{
	*got = 0;
	if (!s->ops->lock_try)
		return store_unsupported(s, "lock_try");
	return s->ops->lock_try(s, lock, got);
}

int store_lock_release(struct store *s, enum store_lock lock)
{
	if (!s->ops->lock_release)
		return store_unsupported(s, "lock_release");
	return s->ops->lock_release(s, lock);
}

int store_conv_state_put(struct store *s, int64_t conv_id, const char *state)
{
	if (!s->ops->conv_state_put)
		return store_unsupported(s, "conv_state_put");
	return s->ops->conv_state_put(s, conv_id, state);
}

int store_conv_state_get(struct store *s, int64_t conv_id, char **state)
{
	*state = NULL;
	if (!s->ops->conv_state_get)
		return store_unsupported(s, "conv_state_get");
	return s->ops->conv_state_get(s, conv_id, state);
}

int store_product_get(struct store *s, int64_t id, struct store_product *p)
{
	if (!s->ops->product_get)
		return store_unsupported(s, "product_get");
	return s->ops->product_get(s, id, p);
}

int store_products_by_id(struct store *s, const int64_t *ids, size_t n, struct store_products *out)
{
	if (!s->ops->products_by_id)
		return store_unsupported(s, "products_by_id");
	return s->ops->products_by_id(s, ids, n, out);
}

int store_seller_products(struct store *s, int64_t seller_id, int64_t limit, int64_t offset,
			  struct store_products *out, int64_t *total)
{
	if (!s->ops->seller_products)
		return store_unsupported(s, "seller_products");
	return s->ops->seller_products(s, seller_id, limit, offset, out, total);
}

int store_seller_low_stock(struct store *s, int64_t seller_id, int64_t max_stock, int64_t limit,
			   struct store_products *out)
{
	if (!s->ops->seller_low_stock)
		return store_unsupported(s, "seller_low_stock");
	return s->ops->seller_low_stock(s, seller_id, max_stock, limit, out);
}

int store_categories(struct store *s, struct store_categories *out)
{
	if (!s->ops->categories)
		return store_unsupported(s, "categories");
	return s->ops->categories(s, out);
}

int store_cart_get(struct store *s, int64_t user_id, struct store_cart *out)
{
	if (!s->ops->cart_get)
		return store_unsupported(s, "cart_get");
	return s->ops->cart_get(s, user_id, out);
}

int store_cart_line_qty(struct store *s, int64_t user_id, int64_t product_id, int64_t *qty)
{
	if (!s->ops->cart_line_qty)
		return store_unsupported(s, "cart_line_qty");
	return s->ops->cart_line_qty(s, user_id, product_id, qty);
}

int store_cart_put(struct store *s, int64_t user_id, int64_t product_id, int64_t qty, int64_t now)
{
	if (!s->ops->cart_put)
		return store_unsupported(s, "cart_put");
	return s->ops->cart_put(s, user_id, product_id, qty, now);
}

int store_cart_delete(struct store *s, int64_t user_id, int64_t product_id)
{
	if (!s->ops->cart_delete)
		return store_unsupported(s, "cart_delete");
	return s->ops->cart_delete(s, user_id, product_id);
}

int store_cart_clear(struct store *s, int64_t user_id)
{
	if (!s->ops->cart_clear)
		return store_unsupported(s, "cart_clear");
	return s->ops->cart_clear(s, user_id);
}

int store_card_get(struct store *s, int64_t user_id, int64_t id, struct store_card *c)
{
	if (!s->ops->card_get)
		return store_unsupported(s, "card_get");
	return s->ops->card_get(s, user_id, id, c);
}

int store_cards_list(struct store *s, int64_t user_id, struct store_cards *out)
{
	if (!s->ops->cards_list)
		return store_unsupported(s, "cards_list");
	return s->ops->cards_list(s, user_id, out);
}

int store_card_default(struct store *s, int64_t user_id, int64_t *id)
{
	if (!s->ops->card_default)
		return store_unsupported(s, "card_default");
	return s->ops->card_default(s, user_id, id);
}

int store_card_insert(struct store *s, int64_t user_id, const struct store_card *c, int64_t now,
		      int64_t *id)
{
	if (!s->ops->card_insert)
		return store_unsupported(s, "card_insert");
	return s->ops->card_insert(s, user_id, c, now, id);
}

int store_card_set_default(struct store *s, int64_t user_id, int64_t id)
{
	if (!s->ops->card_set_default)
		return store_unsupported(s, "card_set_default");
	return s->ops->card_set_default(s, user_id, id);
}

int store_card_delete(struct store *s, int64_t user_id, int64_t id)
{
	if (!s->ops->card_delete)
		return store_unsupported(s, "card_delete");
	return s->ops->card_delete(s, user_id, id);
}

int store_stock_take(struct store *s, int64_t product_id, int64_t qty)
{
	if (!s->ops->stock_take)
		return store_unsupported(s, "stock_take");
	int rc = s->ops->stock_take(s, product_id, qty);
	if (rc == STORE_OK)
		changed(s, product_id);
	return rc;
}

int store_order_insert(struct store *s, int64_t user_id, int64_t subtotal_cents,
		       const char *address_json, int64_t expires_at, int64_t now,
		       const struct store_order_line *lines, size_t n, int64_t *id)
{
	if (!s->ops->order_insert)
		return store_unsupported(s, "order_insert");
	return s->ops->order_insert(s, user_id, subtotal_cents, address_json, expires_at, now,
				    lines, n, id);
}

int store_order_mark_paid(struct store *s, int64_t order_id, const struct store_order_payment *p,
			  int64_t now)
{
	if (!s->ops->order_mark_paid)
		return store_unsupported(s, "order_mark_paid");
	return s->ops->order_mark_paid(s, order_id, p, now);
}

int store_order_state(struct store *s, int64_t order_id, struct store_order_state *o)
{
	if (!s->ops->order_state)
		return store_unsupported(s, "order_state");
	return s->ops->order_state(s, order_id, o);
}

int store_order_release(struct store *s, int64_t order_id, int refunded, int64_t now)
{
	if (!s->ops->order_release)
		return store_unsupported(s, "order_release");
	int rc = s->ops->order_release(s, order_id, refunded, now);
	if (rc == STORE_OK)
		changed(s, 0); /* the order's products got their stock back */
	return rc;
}

int store_orders_due(struct store *s, int64_t now, int64_t *ids, size_t max, size_t *n)
{
	if (!s->ops->orders_due)
		return store_unsupported(s, "orders_due");
	return s->ops->orders_due(s, now, ids, max, n);
}

int store_order_expire(struct store *s, int64_t order_id, int64_t now)
{
	if (!s->ops->order_expire)
		return store_unsupported(s, "order_expire");
	int rc = s->ops->order_expire(s, order_id, now);
	if (rc == STORE_OK)
		changed(s, 0);
	return rc;
}

int store_order_get(struct store *s, int64_t order_id, struct store_order *o)
{
	if (!s->ops->order_get)
		return store_unsupported(s, "order_get");
	return s->ops->order_get(s, order_id, o);
}

int store_order_ids(struct store *s, int64_t user_id, const char *status, int64_t limit,
		    int64_t offset, int64_t *ids, size_t *n, int64_t *total)
{
	if (!s->ops->order_ids)
		return store_unsupported(s, "order_ids");
	return s->ops->order_ids(s, user_id, status, limit, offset, ids, n, total);
}

int store_order_has_seller(struct store *s, int64_t order_id, int64_t seller_id, int *yes)
{
	if (!s->ops->order_has_seller)
		return store_unsupported(s, "order_has_seller");
	return s->ops->order_has_seller(s, order_id, seller_id, yes);
}

int store_product_insert(struct store *s, int64_t seller_id, const char *title,
			 const char *description, int64_t price_cents, int64_t stock,
			 const char *category, const char *tags_json, const char *sku, int64_t now,
			 int64_t *id)
{
	if (!s->ops->product_insert)
		return store_unsupported(s, "product_insert");
	int64_t made = 0;
	int rc = s->ops->product_insert(s, seller_id, title, description, price_cents, stock,
					category, tags_json, sku, now, &made);
	if (rc == STORE_OK) {
		changed(s, made);
		if (id)
			*id = made;
	}
	return rc;
}

int store_product_update(struct store *s, int64_t id, const struct store_product_change *c,
			 int64_t now)
{
	if (!s->ops->product_update)
		return store_unsupported(s, "product_update");
	int rc = s->ops->product_update(s, id, c, now);
	if (rc == STORE_OK)
		changed(s, id);
	return rc;
}

int store_products_each(struct store *s, const int64_t *ids, size_t n, store_product_fn fn,
			void *arg)
{
	if (!s->ops->products_each)
		return store_unsupported(s, "products_each");
	return s->ops->products_each(s, ids, n, fn, arg);
}

int store_product_by_sku(struct store *s, int64_t seller_id, const char *sku, int64_t *id)
{
	if (!s->ops->product_by_sku)
		return store_unsupported(s, "product_by_sku");
	return s->ops->product_by_sku(s, seller_id, sku, id);
}

int store_seller_order_ids(struct store *s, int64_t seller_id, const char *status, int64_t limit,
			   int64_t offset, int64_t *ids, size_t *n, int64_t *total)
{
	if (!s->ops->seller_order_ids)
		return store_unsupported(s, "seller_order_ids");
	return s->ops->seller_order_ids(s, seller_id, status, limit, offset, ids, n, total);
}

int store_seller_order_lines(struct store *s, int64_t order_id, int64_t seller_id, char status[24],
			     int *lines)
{
	if (!s->ops->seller_order_lines)
		return store_unsupported(s, "seller_order_lines");
	return s->ops->seller_order_lines(s, order_id, seller_id, status, lines);
}

int store_seller_ship(struct store *s, int64_t order_id, int64_t seller_id, int64_t now)
{
	if (!s->ops->seller_ship)
		return store_unsupported(s, "seller_ship");
	return s->ops->seller_ship(s, order_id, seller_id, now);
}

int store_seller_totals(struct store *s, int64_t seller_id, int64_t low_stock_max,
			struct store_seller_totals *t)
{
	if (!s->ops->seller_totals)
		return store_unsupported(s, "seller_totals");
	return s->ops->seller_totals(s, seller_id, low_stock_max, t);
}

int store_seller_top_products(struct store *s, int64_t seller_id, int64_t limit,
			      struct store_top_products *out)
{
	if (!s->ops->seller_top_products)
		return store_unsupported(s, "seller_top_products");
	return s->ops->seller_top_products(s, seller_id, limit, out);
}

int store_products_count(struct store *s, int64_t *n)
{
	if (!s->ops->products_count)
		return store_unsupported(s, "products_count");
	return s->ops->products_count(s, n);
}

int store_products_each_text(struct store *s, store_text_fn fn, void *arg)
{
	if (!s->ops->products_each_text)
		return store_unsupported(s, "products_each_text");
	return s->ops->products_each_text(s, fn, arg);
}

int store_categories_each(struct store *s, store_name_fn fn, void *arg)
{
	if (!s->ops->categories_each)
		return store_unsupported(s, "categories_each");
	return s->ops->categories_each(s, fn, arg);
}

int store_idem_get(struct store *s, int64_t user_id, const char *key, int64_t since,
		   struct store_idem *a)
{
	if (!s->ops->idem_get)
		return store_unsupported(s, "idem_get");
	return s->ops->idem_get(s, user_id, key, since, a);
}

int store_idem_put(struct store *s, int64_t user_id, const char *key, const char *request,
		   int status, const char *body, size_t body_len, int64_t now)
{
	if (!s->ops->idem_put)
		return store_unsupported(s, "idem_put");
	return s->ops->idem_put(s, user_id, key, request, status, body, body_len, now);
}

int store_idem_purge(struct store *s, int64_t before, int64_t *purged)
{
	if (!s->ops->idem_purge)
		return store_unsupported(s, "idem_purge");
	return s->ops->idem_purge(s, before, purged);
}
