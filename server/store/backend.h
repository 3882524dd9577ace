/*
 * store/backend.h - what a storage backend implements (for store/<backend>/ only;
 * the rest of the server uses store/store.h).
 *
 * A backend's connection type starts with a `struct store` whose `ops` points at the
 * backend's table below; store/store.c forwards each public function to it.  Every
 * operation has the signature of the public function of the same name (store_X ->
 * ops->X).  An operation fills s->err (store_set_err) when it returns STORE_ERROR.
 * disconnect, upgrade, the transactions and savepoints are required; an aggregate's
 * operation left NULL answers STORE_ERROR "not supported by this database backend",
 * so a backend can be built up one aggregate at a time.
 */
#ifndef VOXCART_STORE_BACKEND_H
#define VOXCART_STORE_BACKEND_H

#include "store/store.h"

struct store_idem;
struct store_search;
struct store_top_products;
struct store_top_product;
struct store_seller_totals;
struct store_product_change;
struct store_order_state;
struct store_order_payment;
struct store_order_line;
struct store_order_item;
struct store_order;
struct store_cards;
struct store_card;
struct store_cart_line;
struct store_cart;
struct store_products;
struct store_product;
struct store_category;
struct store_categories;
struct store_messages;
struct store_message;
struct store_convs;
struct store_conv;
struct store_user;
struct store_login;
struct store_token_user;

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

	/* accounts and tokens */
	int (*user_get)(struct store *s, int64_t id, struct store_user *u);
	int (*user_create)(struct store *s, const char *email, const char *password_hash,
			   const char *name, const char *role, int64_t now, int64_t *id);
	int (*user_update)(struct store *s, int64_t id, const char *name, int set_address,
			   const char *address_json);
	int (*login_find)(struct store *s, const char *email, struct store_login *l);
	int (*login_failed)(struct store *s, int64_t user_id, int max_failures, int64_t now,
			    int64_t lock_until, int *failures);
	int (*login_reset)(struct store *s, int64_t user_id, int64_t ended_by);
	int (*login_locked_until)(struct store *s, int64_t user_id, int64_t *locked_until);
	int (*token_check)(struct store *s, const char *access_hash, int64_t now,
			   struct store_token_user *u);
	int (*token_issue)(struct store *s, int64_t user_id, const char *access_hash,
			   const char *refresh_hash, int64_t access_expires,
			   int64_t refresh_expires, int64_t now, int64_t login_id,
			   int64_t *token_id);
	int (*token_refresh)(struct store *s, const char *refresh_hash, int64_t now,
			     int64_t *user_id, int64_t *login_id, enum store_refresh_why *why);
	int (*login_end)(struct store *s, int64_t login_id, int64_t token_id);
	int (*login_alive)(struct store *s, int64_t login_id, int64_t now, int *alive);

	/* conversations */
	int (*conv_create)(struct store *s, int64_t user_id, int64_t now, int64_t *id);
	int (*conv_get)(struct store *s, int64_t conv_id, int64_t user_id, struct store_conv *c);
	int (*conv_list)(struct store *s, int64_t user_id, int64_t limit, int64_t offset,
			 struct store_convs *out, int64_t *total);
	int (*conv_add_turn)(struct store *s, int64_t conv_id, const char *user_text,
			     const char *intent, double sentiment, const char *reply,
			     int frustrated, const char *state, int64_t now);
	int (*conv_delete)(struct store *s, int64_t conv_id);
	int (*conv_messages)(struct store *s, int64_t conv_id, int last,
			     struct store_messages *out);
	int (*conv_state_put)(struct store *s, int64_t conv_id, const char *state);
	int (*conv_state_get)(struct store *s, int64_t conv_id, char **state);

	/* catalog */
	int (*product_get)(struct store *s, int64_t id, struct store_product *p);
	int (*products_each)(struct store *s, const int64_t *ids, size_t n, store_product_fn fn,
			     void *arg);
	int (*products_by_id)(struct store *s, const int64_t *ids, size_t n,
			      struct store_products *out);
	int (*seller_products)(struct store *s, int64_t seller_id, int64_t limit, int64_t offset,
			       struct store_products *out, int64_t *total);
	int (*seller_low_stock)(struct store *s, int64_t seller_id, int64_t max_stock,
				int64_t limit, struct store_products *out);
	int (*categories)(struct store *s, struct store_categories *out);

	/* carts */
	int (*cart_get)(struct store *s, int64_t user_id, struct store_cart *out);
	int (*cart_line_qty)(struct store *s, int64_t user_id, int64_t product_id, int64_t *qty);
	int (*cart_put)(struct store *s, int64_t user_id, int64_t product_id, int64_t qty,
			int64_t now);
	int (*cart_delete)(struct store *s, int64_t user_id, int64_t product_id);
	int (*cart_clear)(struct store *s, int64_t user_id);

	/* payments */
	int (*card_get)(struct store *s, int64_t user_id, int64_t id, struct store_card *c);
	int (*cards_list)(struct store *s, int64_t user_id, struct store_cards *out);
	int (*card_default)(struct store *s, int64_t user_id, int64_t *id);
	int (*card_insert)(struct store *s, int64_t user_id, const struct store_card *c,
			   int64_t now, int64_t *id);
	int (*card_set_default)(struct store *s, int64_t user_id, int64_t id);
	int (*card_delete)(struct store *s, int64_t user_id, int64_t id);

	/* orders and checkout */
	int (*stock_take)(struct store *s, int64_t product_id, int64_t qty);
	int (*order_insert)(struct store *s, int64_t user_id, int64_t subtotal_cents,
			    const char *address_json, int64_t expires_at, int64_t now,
			    const struct store_order_line *lines, size_t n, int64_t *id);
	int (*order_mark_paid)(struct store *s, int64_t order_id,
			       const struct store_order_payment *p, int64_t now);
	int (*order_state)(struct store *s, int64_t order_id, struct store_order_state *o);
	int (*order_release)(struct store *s, int64_t order_id, int refunded, int64_t now);
	int (*orders_due)(struct store *s, int64_t now, int64_t *ids, size_t max, size_t *n);
	int (*order_expire)(struct store *s, int64_t order_id, int64_t now);
	int (*order_get)(struct store *s, int64_t order_id, struct store_order *o);
	int (*order_ids)(struct store *s, int64_t user_id, const char *status, int64_t limit,
			 int64_t offset, int64_t *ids, size_t *n, int64_t *total);

	/* orders: seller access */
	int (*order_has_seller)(struct store *s, int64_t order_id, int64_t seller_id, int *yes);

	/* the seller's listings */
	int (*product_insert)(struct store *s, int64_t seller_id, const char *title,
			      const char *description, int64_t price_cents, int64_t stock,
			      const char *category, const char *tags_json, const char *sku,
			      int64_t now, int64_t *id);
	int (*product_update)(struct store *s, int64_t id, const struct store_product_change *c,
			      int64_t now);
	int (*product_by_sku)(struct store *s, int64_t seller_id, const char *sku, int64_t *id);

	/* seller views */
	int (*seller_order_ids)(struct store *s, int64_t seller_id, const char *status,
				int64_t limit, int64_t offset, int64_t *ids, size_t *n,
				int64_t *total);
	int (*seller_order_lines)(struct store *s, int64_t order_id, int64_t seller_id,
				  char status[24], int *lines);
	int (*seller_ship)(struct store *s, int64_t order_id, int64_t seller_id, int64_t now);
	int (*seller_totals)(struct store *s, int64_t seller_id, int64_t low_stock_max,
			     struct store_seller_totals *t);
	int (*seller_top_products)(struct store *s, int64_t seller_id, int64_t limit,
				   struct store_top_products *out);

	/* catalog: search */
	int (*products_search)(struct store *s, const struct store_search *q, int64_t *ids,
			       size_t *n, int64_t *total);

	/* catalog: size */
	int (*products_count)(struct store *s, int64_t *n);

	/* catalog: the buddy's vocabulary */
	int (*products_each_text)(struct store *s, store_text_fn fn, void *arg);
	int (*categories_each)(struct store *s, store_name_fn fn, void *arg);

	/* the catalog's change feed */
	int (*changes_listen)(struct store *s);
	int (*changes_wait)(struct store *s, int timeout_ms, store_change_fn fn, void *arg,
			    int *changed);

	/* housekeeping locks */
	int (*lock_try)(struct store *s, enum store_lock lock, int *got);
	int (*lock_release)(struct store *s, enum store_lock lock);

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
	/* store.c's: in a transaction (store_tx_begin), the products it changed, told to
	 * store_on_product_change's hook once it commits (nchanged -1: any product). */
	int in_tx, nchanged;
	int64_t changed[32];
};

/* Records an error message on s (printf-style); returns STORE_ERROR. */
int store_set_err(struct store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Makes room for one more element in a growing array (*items of *cap elements of
 * elem bytes, count used); -1 with s->err set when out of memory. */
int store_grow(struct store *s, void **items, size_t *cap, size_t count, size_t elem);

/* The PostgreSQL backend (store/postgres/, libpq) is built in.  Defined here rather
 * than on the command line so that every file that asks is rebuilt with it. */
#define VOXCART_WITH_POSTGRES 1

/* Backend constructors: a new connection to target (a path, a libpq string). */
struct store *store_sqlite_connect(const char *path, char *err, size_t errlen);
#ifdef VOXCART_WITH_POSTGRES
struct store *store_pg_connect(const char *conninfo, char *err, size_t errlen);
#endif

#endif
