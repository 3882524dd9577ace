/*
 * store/store.h - voxcart's storage interface: the one place the rest of the server
 * goes to for persistent data.  Nothing outside server/store/ writes SQL or includes a
 * database library's header; the domain modules (auth, cart, catalog, orders...) keep
 * the rules and call the functions below.
 *
 * BACKENDS.  A database is named by a URL:
 *     sqlite:/path/to/file.db      (or a plain path: SQLite, the embedded default)
 *     postgresql://user@host/db    (also postgres://; the PostgreSQL backend)
 * store_configure() picks the backend once at start-up; each implementation lives in
 * store/<backend>/ and fills a table of operations (store/backend.h).  A backend that
 * is not built into this voxcartd is refused with a clear message.
 *
 * CONNECTIONS.  `struct store` is one open connection and is used by one thread at a
 * time.  Worker threads call store_thread(), which connects on first use and keeps
 * the connection (and its prepared statements) for the life of the thread;
 * store_thread_close() ends it.  store_connect() opens a private one (start-up,
 * tools, tests); store_disconnect() closes it.
 *
 * RESULTS.  Functions return an enum store_rc: STORE_OK, STORE_NOT_FOUND (no such
 * row: not an error, nothing is logged), STORE_CONFLICT (a uniqueness or check rule
 * refused the change: nothing changed), or STORE_ERROR (the database failed;
 * store_errmsg() says why and the caller answers 500).  Functions that return a count
 * or an id return it through an out-parameter.  Structs a function fills belong to the
 * caller; where they hold allocated memory there is a matching *_free() that releases
 * it (and accepts a zeroed struct).  Money is integer cents, times integer seconds
 * since the epoch, everywhere.
 *
 * TRANSACTIONS.  Outside a transaction each function is atomic by itself.  A
 * multi-step operation (checkout: stock check, stock decrement, order, payment row;
 * an idempotent request and its stored answer) runs between store_tx_begin() and
 * store_tx_commit() / store_tx_rollback().  store_tx_begin() starts a write
 * transaction: on SQLite it takes the write lock up front (BEGIN IMMEDIATE), so two
 * such transactions run one after the other; on PostgreSQL it is a READ COMMITTED
 * transaction and the functions documented as "serialising" lock what they read
 * (row locks, advisory locks) so the same guarantee holds across processes.
 * Transactions do not nest; inside one, store_savepoint() marks a point that
 * store_savepoint_rollback() returns to (both then store_savepoint_release()).
 *
 * THREADING.  Everything here may be called from any thread with that thread's own
 * connection; a connection is never shared between threads.
 *
 * AGGREGATES below: accounts and tokens; conversations; catalog (products, the
 * seller's listings, categories, search, the buddy's vocabulary); carts; payments
 * (saved cards); orders and checkout; seller views; idempotency.  The in-memory search
 * index (searchidx.c) and the serialised products (product_cache.c) are filled through
 * store_products_each and kept current by store_on_product_change (changes made
 * through this process, once committed) and, on PostgreSQL, the change feed (other
 * processes' changes); the index's words come from store_tokenize on either backend.
 */
#ifndef VOXCART_STORE_STORE_H
#define VOXCART_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

struct store;

enum store_rc {
	STORE_ERROR = -1,    /* the database failed; see store_errmsg() */
	STORE_OK = 0,
	STORE_NOT_FOUND = 1, /* no such row */
	STORE_CONFLICT = 2,  /* a uniqueness or check rule refused the change */
};

enum store_backend { STORE_SQLITE, STORE_POSTGRES };

/* ---- configuration and connections ------------------------------------------------ */

/* Parses a database URL (see above).  Fills *backend and the backend's target (the
 * file path for SQLite, the libpq connection string for PostgreSQL); -1 with err set
 * on a URL it cannot use. */
int store_parse_url(const char *url, enum store_backend *backend, char *target,
		    size_t target_len, char *err, size_t errlen);

/* Sets the database that store_thread() connects to (once, before threads start);
 * -1 with err set when the URL is malformed or its backend is not built in. */
int store_configure(const char *url, char *err, size_t errlen);

/* Opens a new connection to url; NULL with err set on failure. */
struct store *store_connect(const char *url, char *err, size_t errlen);
void store_disconnect(struct store *s);

/* Brings the schema up to the newest migration (each in its own transaction); -1 with
 * err set on failure or when the database is newer than this voxcartd. */
int store_upgrade(struct store *s, char *err, size_t errlen);

/* The calling thread's connection to the configured database (connected on first
 * use); NULL when it cannot connect (logged). */
struct store *store_thread(void);
/* Closes the calling thread's connection (threads call this before they end). */
void store_thread_close(void);

enum store_backend store_backend_of(const struct store *s);
/* The last error on this connection, for logs ("" when none). */
const char *store_errmsg(const struct store *s);

/* ---- transactions (see above) ------------------------------------------------------ */

int store_tx_begin(struct store *s);     /* STORE_OK or STORE_ERROR */
int store_tx_commit(struct store *s);    /* STORE_OK or STORE_ERROR (then rolled back) */
void store_tx_rollback(struct store *s); /* no-op outside a transaction */
int store_savepoint(struct store *s);
int store_savepoint_rollback(struct store *s); /* undo to the savepoint (keeps it) */
int store_savepoint_release(struct store *s);  /* forget the savepoint */

/* ---- accounts and tokens (auth.c) -------------------------------------------------- */

struct store_user {
	int64_t id;
	char email[256];
	char name[256];
	char role[16];            /* shopper, seller, admin */
	char *shipping_address;   /* JSON text, or NULL when none */
	int64_t created_at;
};
void store_user_free(struct store_user *u);

/* The user with this id: STORE_OK, STORE_NOT_FOUND or STORE_ERROR. */
int store_user_get(struct store *s, int64_t id, struct store_user *u);
/* A new user (password_hash already hashed); STORE_CONFLICT when the email is taken. */
int store_user_create(struct store *s, const char *email, const char *password_hash,
		      const char *name, const char *role, int64_t now, int64_t *id);
/* Changes the name (unless NULL) and, when set_address, the shipping address (JSON
 * text; NULL clears it). */
int store_user_update(struct store *s, int64_t id, const char *name, int set_address,
		      const char *address_json);

/* What a login checks, by (normalised) email. */
struct store_login {
	int64_t user_id;
	char password_hash[160];
	int failed_logins;
	int64_t locked_until;
};
int store_login_find(struct store *s, const char *email, struct store_login *l);
/* Counts one failed login atomically (parallel guesses lose no counts); the failure
 * that reaches max_failures sets locked_until = lock_until, unless a lock still runs
 * at `now`.  *failures gets the count after it. */
int store_login_failed(struct store *s, int64_t user_id, int max_failures, int64_t now,
		       int64_t lock_until, int *failures);
/* Clears the failure count and lock; with ended_by > 0 only when the lock ended by
 * then (a lock that has run out starts the count afresh). */
int store_login_reset(struct store *s, int64_t user_id, int64_t ended_by);
int store_login_locked_until(struct store *s, int64_t user_id, int64_t *locked_until);

/* The user an unrevoked, unexpired access token (by its SHA-256 hash) belongs to. */
struct store_token_user {
	int64_t user_id;
	char email[256];
	char name[256];
	char role[16];
	int64_t token_id;
	int64_t login_id; /* the login the token belongs to (kept through refreshes) */
};
int store_token_check(struct store *s, const char *access_hash, int64_t now,
		      struct store_token_user *u);
/* Stores a new token pair (hashes) for user_id.  It belongs to login_id, or with
 * login_id 0 starts a login of its own (login_id = its own id).  *token_id may be NULL. */
int store_token_issue(struct store *s, int64_t user_id, const char *access_hash,
		      const char *refresh_hash, int64_t access_expires, int64_t refresh_expires,
		      int64_t now, int64_t login_id, int64_t *token_id);
/* Why a refresh token was refused (store_token_refresh's STORE_NOT_FOUND).  A token
 * that is both spent and past its time counts as spent (or logged out). */
enum store_refresh_why {
	STORE_REFRESH_UNKNOWN = 0, /* no such token here (another database, or garbage) */
	STORE_REFRESH_EXPIRED,     /* it ran out: refresh_expires <= now */
	STORE_REFRESH_USED,        /* already exchanged for a new pair */
	STORE_REFRESH_LOGGED_OUT,  /* its login was logged out */
};
/* Uses up a refresh token: revokes its pair and gives its user and login, in one step
 * (of two racing refreshes only one wins).  STORE_NOT_FOUND when unknown, expired at
 * `now` or already used; *why (may be NULL) then says which. */
int store_token_refresh(struct store *s, const char *refresh_hash, int64_t now,
			int64_t *user_id, int64_t *login_id, enum store_refresh_why *why);
/* Logout: ends the login and every token refreshed out of it (and token_id). */
int store_login_end(struct store *s, int64_t login_id, int64_t token_id);
/* *alive = 1 while the login was not logged out and a refresh token of it is still
 * valid at `now`. */
int store_login_alive(struct store *s, int64_t login_id, int64_t now, int *alive);

/* ---- conversations (conversations.c, the OpenAI engine's history) ----------------- */

struct store_conv {
	int64_t id;
	int64_t started_at, last_at;
	int turns;
	int flagged;
};
struct store_convs {
	struct store_conv *items;
	size_t count;
};
void store_convs_free(struct store_convs *l);

struct store_message {
	char *role;       /* "user" or "buddy" */
	char *text;
	int64_t at;
	char *intent;     /* NULL when none */
	int has_sentiment;
	double sentiment; /* when has_sentiment (user messages) */
};
struct store_messages {
	struct store_message *items;
	size_t count;
};
void store_messages_free(struct store_messages *l);

int store_conv_create(struct store *s, int64_t user_id, int64_t now, int64_t *id);
/* The conversation if it is user_id's (else STORE_NOT_FOUND). */
int store_conv_get(struct store *s, int64_t conv_id, int64_t user_id, struct store_conv *c);
/* user_id's conversations, most recent first, and how many there are in all. */
int store_conv_list(struct store *s, int64_t user_id, int64_t limit, int64_t offset,
		    struct store_convs *out, int64_t *total);
/* One turn, atomically (its own transaction: do not call inside one): the user's
 * message (with intent, may be NULL, and sentiment), the buddy's reply, the
 * conversation's last_at, turn count and flag (frustrated sets it for good), and its
 * dialogue state as store_conv_state_put would store it (NULL leaves the stored one):
 * one write per buddy turn. */
int store_conv_add_turn(struct store *s, int64_t conv_id, const char *user_text,
			const char *intent, double sentiment, const char *reply, int frustrated,
			const char *state, int64_t now);
/* Deletes the conversation and its messages. */
int store_conv_delete(struct store *s, int64_t conv_id);
/* The conversation's messages in order; with last > 0 only the last `last` of them
 * (still oldest first). */
int store_conv_messages(struct store *s, int64_t conv_id, int last, struct store_messages *out);
/* The buddy's dialogue state, stored at the end of each turn (opaque text: the engine
 * writes and reads it) so that a conversation resumed on another process continues
 * with its context; NULL clears it.  STORE_NOT_FOUND when there is no such
 * conversation. */
int store_conv_state_put(struct store *s, int64_t conv_id, const char *state);
/* *state = the stored state (malloc'd, the caller frees it) or NULL when none. */
int store_conv_state_get(struct store *s, int64_t conv_id, char **state);

/* ---- catalog: products (catalog.c, listings.c, seller.c) --------------------------- */

/* One product as stored, with its seller's name.  Strings are owned by the struct
 * (store_product_free); sku is NULL when the seller set none. */
struct store_product {
	int64_t id;
	int64_t seller_id;
	char *seller_name;
	char *title;
	char *description;
	int64_t price_cents;
	char currency[8];
	int64_t stock;
	char *category;
	char *tags;       /* JSON array text */
	char status[16];  /* active, archived */
	int64_t created_at, updated_at;
	char *sku;
};
struct store_products {
	struct store_product *items;
	size_t count;
};
void store_product_free(struct store_product *p);
void store_products_free(struct store_products *l);

/* The product with this id, whatever its status. */
int store_product_get(struct store *s, int64_t id, struct store_product *p);
/* Streams products to fn with their tags joined by spaces (the text the full-text
 * index holds), one at a time (nothing is held for the whole catalog): with ids NULL
 * every active product in id order, in one statement (one snapshot of the catalog);
 * else the products of ids[0..n), whatever their status, in id order (an id with no
 * product is skipped).  p and tags_text are the callee's: copy what you keep.  fn
 * returns non-zero to stop (the rest is dropped; STORE_OK).  The in-memory search
 * index and the cache of serialised products are filled from it. */
typedef int (*store_product_fn)(void *arg, const struct store_product *p, const char *tags_text);
int store_products_each(struct store *s, const int64_t *ids, size_t n, store_product_fn fn,
			void *arg);
/* Called after a change made through this process to a product's row is committed,
 * with the product's id, or 0 when it may be any product (stock given back by an
 * order, a seller's name); set once before threads start (NULL: none).  Changes made
 * by other processes arrive through the change feed (store_changes_wait). */
typedef void (*store_product_hook)(int64_t product_id);
void store_on_product_change(store_product_hook fn);
/* The active products among ids, in the order of ids (ids not found or not active are
 * left out).  Hot path of search: backends keep this statement prepared. */
int store_products_by_id(struct store *s, const int64_t *ids, size_t n,
			 struct store_products *out);
/* A seller's products (any status), newest id first, and how many in all. */
int store_seller_products(struct store *s, int64_t seller_id, int64_t limit, int64_t offset,
			  struct store_products *out, int64_t *total);
/* A seller's active products with stock <= max_stock, lowest stock first (at most
 * limit). */
int store_seller_low_stock(struct store *s, int64_t seller_id, int64_t max_stock,
			   int64_t limit, struct store_products *out);

/* The categories of active products with their counts, grouped and ordered without
 * regard to ASCII case (the name shown is one of the group's spellings). */
struct store_category {
	char *name;
	int64_t count;
};
struct store_categories {
	struct store_category *items;
	size_t count;
};
void store_categories_free(struct store_categories *l);
int store_categories(struct store *s, struct store_categories *out);

/* ---- carts (cart.c) ---------------------------------------------------------------- */

struct store_cart_line {
	int64_t product_id;
	int64_t seller_id;
	char *title;
	int64_t unit_price_cents;
	int64_t quantity;
	int64_t stock;  /* the product's stock now */
	int active;     /* the product is for sale */
};
struct store_cart {
	struct store_cart_line *items; /* in the order they were added */
	size_t count;
};
void store_cart_free(struct store_cart *c);

int store_cart_get(struct store *s, int64_t user_id, struct store_cart *out);
/* The quantity of the user's line of product_id (0 when there is none).  Serialising
 * per user: inside store_tx_begin(), a concurrent transaction changing the same
 * user's cart waits until this one ends (a read-then-write loses no update). */
int store_cart_line_qty(struct store *s, int64_t user_id, int64_t product_id, int64_t *qty);
/* Sets the line's quantity (> 0), adding the line (added at `now`) when missing. */
int store_cart_put(struct store *s, int64_t user_id, int64_t product_id, int64_t qty,
		   int64_t now);
/* Deletes the line: STORE_NOT_FOUND when there was none. */
int store_cart_delete(struct store *s, int64_t user_id, int64_t product_id);
int store_cart_clear(struct store *s, int64_t user_id);

/* ---- payments: saved cards (payments.c) ------------------------------------------- */

/* A saved card: brand, last4, expiry and the provider's token only (the number and
 * CVC are never stored).  Callers wipe `token` when done with it. */
struct store_card {
	int64_t id;
	char provider[16];
	char brand[16];
	char last4[5];
	int exp_month;
	int exp_year;
	int is_default;
	char token[64];
};
struct store_cards {
	struct store_card *items;
	size_t count;
};
void store_cards_free(struct store_cards *l); /* wipes the tokens too */

/* The user's live (not deleted) card id. */
int store_card_get(struct store *s, int64_t user_id, int64_t id, struct store_card *c);
/* The user's live cards, the default first, then by id. */
int store_cards_list(struct store *s, int64_t user_id, struct store_cards *out);
/* The user's default card (*id = 0 when none: still STORE_OK). */
int store_card_default(struct store *s, int64_t user_id, int64_t *id);
/* Saves a card (c->id and c->is_default ignored); it becomes the default when the user
 * has no other live card. */
int store_card_insert(struct store *s, int64_t user_id, const struct store_card *c,
		      int64_t now, int64_t *id);
/* Makes the live card id the user's only default. */
int store_card_set_default(struct store *s, int64_t user_id, int64_t id);
/* Deletes the user's live card id (STORE_NOT_FOUND when there is none); when it was
 * the default, the newest remaining card becomes the default.  Call inside a
 * transaction. */
int store_card_delete(struct store *s, int64_t user_id, int64_t id);

/* ---- orders and checkout (orders.c, order_view.c) ---------------------------------- */

/* Takes qty units of an active product in one guarded step: STORE_CONFLICT (nothing
 * changed) when it is not active or has fewer than qty.  Stock never goes negative,
 * whatever runs beside it (several processes included). */
int store_stock_take(struct store *s, int64_t product_id, int64_t qty);

/* A new order's line: a snapshot of the product as sold. */
struct store_order_line {
	int64_t product_id;
	int64_t seller_id;
	const char *title;
	int64_t unit_price_cents;
	int64_t quantity;
};
/* A pending_payment order of the lines (total = subtotal, USD), expiring unpaid at
 * expires_at. */
int store_order_insert(struct store *s, int64_t user_id, int64_t subtotal_cents,
		       const char *address_json, int64_t expires_at, int64_t now,
		       const struct store_order_line *lines, size_t n, int64_t *id);

/* A successful charge, recorded on the order (which becomes paid). */
struct store_order_payment {
	const char *brand, *last4;
	int64_t amount_cents;
	int64_t method_id;
	const char *provider, *ref;
};
int store_order_mark_paid(struct store *s, int64_t order_id,
			  const struct store_order_payment *p, int64_t now);

/* What pay and cancel check.  Serialising: inside store_tx_begin(), a concurrent
 * transaction asking for the same order waits until this one ends. */
struct store_order_state {
	int64_t user_id;
	char status[24];
	int64_t total_cents;
	int64_t expires_at;       /* 0 when none */
	char payment_status[16];  /* "" when none */
	char payment_provider[16];
	char payment_ref[64];
	int shipped_items;        /* lines already shipped */
};
int store_order_state(struct store *s, int64_t order_id, struct store_order_state *o);
/* Cancels the order and gives its units back to stock; refunded marks its payment
 * refunded. */
int store_order_release(struct store *s, int64_t order_id, int refunded, int64_t now);
/* Ids of pending_payment orders due at `now` (expires_at <= now), earliest first, at
 * most max. */
int store_orders_due(struct store *s, int64_t now, int64_t *ids, size_t max, size_t *n);
/* Releases the order if it is still pending_payment and due at `now`; STORE_NOT_FOUND
 * when it no longer is (paid or cancelled meanwhile).  Call inside a transaction. */
int store_order_expire(struct store *s, int64_t order_id, int64_t now);

/* An order as shown (Order JSON), with its lines. */
struct store_order_item {
	int64_t product_id, seller_id;
	char *title;
	int64_t unit_price_cents, quantity;
	char fulfillment[16];
};
struct store_order {
	int64_t id, user_id;
	char status[24];
	int64_t subtotal_cents, total_cents;
	char currency[8];
	char *shipping_address;    /* JSON text, may be NULL */
	int has_payment;
	char payment_status[16], payment_brand[16], payment_last4[5];
	int64_t payment_amount_cents, paid_at;
	int64_t expires_at;        /* 0 when none */
	int64_t created_at, updated_at;
	struct store_order_item *items;
	size_t item_count;
};
void store_order_free(struct store_order *o);
int store_order_get(struct store *s, int64_t order_id, struct store_order *o);
/* The user's order ids, newest first, with status (NULL: any), and how many in all. */
int store_order_ids(struct store *s, int64_t user_id, const char *status, int64_t limit,
		    int64_t offset, int64_t *ids, size_t *n, int64_t *total);

/* ---- orders: seller access (order_view.c) ------------------------------------------ */

/* *yes = 1 when the order holds a line of seller_id's. */
int store_order_has_seller(struct store *s, int64_t order_id, int64_t seller_id, int *yes);

/* ---- catalog: the seller's listings (listings.c, demo.c) --------------------------- */

/* A new active product (tags: a JSON array text, NULL for none; sku may be NULL),
 * with its full-text entry.  STORE_CONFLICT when the seller already uses the sku. */
int store_product_insert(struct store *s, int64_t seller_id, const char *title,
			 const char *description, int64_t price_cents, int64_t stock,
			 const char *category, const char *tags_json, const char *sku,
			 int64_t now, int64_t *id);
/* The fields of a listing to change: NULL (or has_* 0) leaves one as it is. */
struct store_product_change {
	const char *title, *description, *category, *status, *tags_json, *sku;
	int has_price, has_stock;
	int64_t price_cents, stock;
};
/* Changes them, sets updated_at and keeps the full-text index in step (only active
 * products are in it).  STORE_NOT_FOUND, STORE_CONFLICT (sku taken). */
int store_product_update(struct store *s, int64_t id, const struct store_product_change *c,
			 int64_t now);
/* The seller's listing with this sku (STORE_NOT_FOUND when none). */
int store_product_by_sku(struct store *s, int64_t seller_id, const char *sku, int64_t *id);

/* ---- seller views (seller.c) -------------------------------------------------------- */

/* Ids of the orders holding a line of seller_id's, newest first, with status (NULL:
 * any), and how many in all; ids holds at least limit entries. */
int store_seller_order_ids(struct store *s, int64_t seller_id, const char *status,
			   int64_t limit, int64_t offset, int64_t *ids, size_t *n, int64_t *total);
/* The order's status and how many of its lines are seller_id's (STORE_NOT_FOUND when
 * there is no such order).  Serialising like store_order_state. */
int store_seller_order_lines(struct store *s, int64_t order_id, int64_t seller_id,
			     char status[24], int *lines);
/* Marks seller_id's lines of the order shipped; the order becomes shipped when none of
 * its lines is pending any more. */
int store_seller_ship(struct store *s, int64_t order_id, int64_t seller_id, int64_t now);

/* Sales of paid (paid, shipped, delivered) orders. */
struct store_seller_totals {
	int64_t revenue_cents, orders, units_sold;
	int64_t low_stock_total; /* active listings with stock <= the max_stock asked */
};
int store_seller_totals(struct store *s, int64_t seller_id, int64_t low_stock_max,
			struct store_seller_totals *t);
/* The seller's best sellers by units (then revenue, then id), at most limit. */
struct store_top_product {
	int64_t product_id;
	char *title;
	int64_t units, revenue_cents;
};
struct store_top_products {
	struct store_top_product *items;
	size_t count;
};
void store_top_products_free(struct store_top_products *l);
int store_seller_top_products(struct store *s, int64_t seller_id, int64_t limit,
			      struct store_top_products *out);

/* ---- catalog: search ---------------------------------------------------------------- */

enum store_sort { STORE_SORT_NEWEST, STORE_SORT_PRICE_ASC, STORE_SORT_PRICE_DESC, STORE_SORT_RANK };

/* A search over active products.  match is the shopper's words as fts_build_query()
 * writes them ("dark"* "roast"*, or joined by OR when any_word; "" for none): SQLite
 * runs it against its FTS5 index (bm25 with the title weighted 10, tags 5, category
 * 4, description 1), PostgreSQL against the stored tsvector (ts_rank_cd in the same
 * proportions), each word a prefix.  category matches without regard to ASCII case.
 * STORE_SORT_RANK needs words (without them it is STORE_SORT_NEWEST); ties go to the
 * lower id. */
struct store_search {
	const char *match;
	int words;                    /* how many words match holds (0: none) */
	const char *category;         /* NULL: any */
	int64_t min_price, max_price; /* cents, -1: none */
	int64_t seller_id;            /* 0: any */
	enum store_sort sort;
	int64_t limit, offset;
	int64_t total;                /* the number of matches when the caller knows it
				       * (word-less lists, cached), else -1 */
};
/* The ids of the page, best first (ids holds at least limit), and *total the number
 * of matches (q->total when given). */
int store_products_search(struct store *s, const struct store_search *q, int64_t *ids,
			  size_t *n, int64_t *total);

/* The words of a text as the full-text index of products makes them (SQLite's FTS5,
 * 'porter unicode61 remove_diacritics 2': lower case, diacritics removed, English
 * stems), whatever the database: the in-memory search index (searchidx.c) is made of
 * them on either backend, so searches answer the same on both.  Needs no connection
 * (store/sqlite/tokens.c keeps a tokenizer per thread, freed when the thread ends).
 * fn(arg, token, len) for each token in order (not NUL-terminated; the callee's);
 * non-zero from fn stops: STORE_ERROR, as when no tokenizer can be made. */
enum store_tokens {
	STORE_TOKENS_DOCUMENT,     /* a product's text, as indexed */
	STORE_TOKENS_PREFIX_QUERY, /* a word searched for as a prefix ("word"*) */
};
typedef int (*store_token_fn)(void *arg, const char *token, size_t len);
int store_tokenize(enum store_tokens how, const char *text, size_t len, store_token_fn fn,
		   void *arg);

/* ---- catalog: size ------------------------------------------------------------------ */

/* How many products there are, whatever their status. */
int store_products_count(struct store *s, int64_t *n);

/* ---- catalog: the buddy's vocabulary (vocab.c) -------------------------------------- */

/* Calls fn for every active product with its title, category and tags joined by
 * spaces ("" when none), streaming (nothing is held for the whole catalog); fn returns
 * 0 to go on, non-zero to stop (still STORE_OK). */
typedef int (*store_text_fn)(void *arg, const char *title, const char *category,
			     const char *tags_text);
int store_products_each_text(struct store *s, store_text_fn fn, void *arg);
/* Calls fn(arg, category) for each distinct category (exact spelling) of active
 * products. */
typedef int (*store_name_fn)(void *arg, const char *name);
int store_categories_each(struct store *s, store_name_fn fn, void *arg);

/* ---- idempotency: stored answers for Idempotency-Key (idempotency.h) --------------- */

struct store_idem {
	char *request; /* "METHOD /path" the key was first used for */
	int status;
	char *body;    /* "" for an empty body */
};
void store_idem_free(struct store_idem *a);

/* The answer stored under (user_id, key) at a time after `since`.  Serialising: called
 * inside store_tx_begin(), a concurrent transaction asking for the same (user_id, key)
 * waits until this one ends (so two duplicates cannot both run).  STORE_OK (a filled),
 * STORE_NOT_FOUND or STORE_ERROR. */
int store_idem_get(struct store *s, int64_t user_id, const char *key, int64_t since,
		   struct store_idem *a);
/* Stores (or replaces an expired) answer under (user_id, key). */
int store_idem_put(struct store *s, int64_t user_id, const char *key, const char *request,
		   int status, const char *body, size_t body_len, int64_t now);
/* Deletes answers stored at or before `before`; *purged gets how many (may be NULL). */
int store_idem_purge(struct store *s, int64_t before, int64_t *purged);

/* ---- the catalog's change feed (several processes on one database) ---------------- */

/* Subscribes this connection (keep it for this alone) to the catalog's changes: every
 * committed change to a product's row (insert, update, delete) or to a user's name,
 * made through any process (this one too), is then heard by store_changes_wait.
 * SQLite has no such feed (one process per file: every change is made here and seen
 * directly): "not supported". */
int store_changes_listen(struct store *s);
enum store_change_kind {
	STORE_CHANGE_PRODUCT, /* what is searched or listed by: text, price, category,
			       * status, seller, creation (or the row came or went) */
	STORE_CHANGE_STOCK,   /* only the rest of the row (stock, updated_at...) */
	STORE_CHANGE_ALL,     /* any product may show differently (a user's name) */
};
/* One change: its kind and product id (0 with STORE_CHANGE_ALL). */
typedef void (*store_change_fn)(void *arg, enum store_change_kind kind, int64_t product_id);
/* Waits at most timeout_ms for changes and calls fn for each heard (in commit order;
 * a transaction's changes arrive together); *changed = how many. */
int store_changes_wait(struct store *s, int timeout_ms, store_change_fn fn, void *arg,
		       int *changed);

/* ---- housekeeping that must run once ------------------------------------------------ */

enum store_lock { STORE_LOCK_EXPIRY = 1 /* expiring unpaid orders, purging old answers */ };
/* Takes the lock for this connection without waiting: *got = 1 when taken (give it
 * back with store_lock_release), 0 when another connection holds it, in any process
 * (PostgreSQL: a session advisory lock, released too if the connection dies).  On
 * SQLite always taken: one process per file, and callers serialise within it. */
int store_lock_try(struct store *s, enum store_lock lock, int *got);
int store_lock_release(struct store *s, enum store_lock lock);

/* ---- time ------------------------------------------------------------------------- */

/* Seconds since the epoch, and an RFC 3339 UTC string of such a time. */
int64_t store_now(void);
const char *store_time_str(int64_t t, char buf[32]);

#endif
