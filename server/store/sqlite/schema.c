/*
 * store/sqlite/schema.c - the SQLite backend's numbered migrations (see schema.h).
 *
 * Times are integer seconds since the epoch (formatted as RFC 3339 on the way out);
 * money is integer cents; JSON-shaped values (addresses, tags) are stored as JSON
 * text.  Tokens are stored only as SHA-256 hashes.  Cards keep brand, last4 and
 * expiry only: the number and CVC never reach this database.
 */
#include "store/sqlite/schema.h"

#include <stddef.h>

static const char *const m1_base[] = {
	"CREATE TABLE users ("
	"  id INTEGER PRIMARY KEY,"
	"  email TEXT NOT NULL UNIQUE,"
	"  password_hash TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  role TEXT NOT NULL CHECK (role IN ('shopper','seller','admin')),"
	"  shipping_address TEXT,"
	"  failed_logins INTEGER NOT NULL DEFAULT 0,"
	"  locked_until INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL"
	");",
	"CREATE TABLE tokens ("
	"  id INTEGER PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  access_hash TEXT NOT NULL UNIQUE,"
	"  refresh_hash TEXT NOT NULL UNIQUE,"
	"  access_expires INTEGER NOT NULL,"
	"  refresh_expires INTEGER NOT NULL,"
	"  revoked INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL"
	");",
	"CREATE INDEX tokens_user ON tokens(user_id);",
	"CREATE TABLE products ("
	"  id INTEGER PRIMARY KEY,"
	"  seller_id INTEGER NOT NULL REFERENCES users(id),"
	"  title TEXT NOT NULL,"
	"  description TEXT NOT NULL DEFAULT '',"
	"  price_cents INTEGER NOT NULL CHECK (price_cents >= 0),"
	"  currency TEXT NOT NULL DEFAULT 'USD',"
	"  stock INTEGER NOT NULL CHECK (stock >= 0),"
	"  category TEXT NOT NULL,"
	"  tags TEXT NOT NULL DEFAULT '[]',"
	"  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','archived')),"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL"
	");",
	"CREATE INDEX products_seller ON products(seller_id);",
	"CREATE INDEX products_category ON products(category COLLATE NOCASE, status);",
	"CREATE INDEX products_price ON products(status, price_cents);",
	"CREATE INDEX products_newest ON products(status, created_at DESC, id DESC);",
	/* Full-text index over the searchable text; tags_text is the tags joined by spaces. */
	"CREATE VIRTUAL TABLE products_fts USING fts5("
	"  title, description, category, tags_text,"
	"  tokenize = 'porter unicode61 remove_diacritics 2'"
	");",
	"CREATE TABLE cart_items ("
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  product_id INTEGER NOT NULL REFERENCES products(id),"
	"  quantity INTEGER NOT NULL CHECK (quantity > 0),"
	"  added_at INTEGER NOT NULL,"
	"  PRIMARY KEY (user_id, product_id)"
	");",
	"CREATE TABLE payment_methods ("
	"  id INTEGER PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  brand TEXT NOT NULL,"
	"  last4 TEXT NOT NULL,"
	"  exp_month INTEGER NOT NULL,"
	"  exp_year INTEGER NOT NULL,"
	"  is_default INTEGER NOT NULL DEFAULT 0,"
	"  deleted INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL"
	");",
	"CREATE INDEX payment_methods_user ON payment_methods(user_id);",
	"CREATE TABLE orders ("
	"  id INTEGER PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  status TEXT NOT NULL CHECK (status IN "
	"    ('pending_payment','paid','shipped','delivered','cancelled')),"
	"  subtotal_cents INTEGER NOT NULL,"
	"  total_cents INTEGER NOT NULL,"
	"  currency TEXT NOT NULL DEFAULT 'USD',"
	"  shipping_address TEXT NOT NULL,"
	"  payment_status TEXT,"           /* NULL, 'succeeded', 'refunded' */
	"  payment_brand TEXT,"
	"  payment_last4 TEXT,"
	"  payment_amount_cents INTEGER,"
	"  paid_at INTEGER,"
	"  expires_at INTEGER,"            /* pending_payment orders are cancelled after this */
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL"
	");",
	"CREATE INDEX orders_user ON orders(user_id, id DESC);",
	"CREATE INDEX orders_pending ON orders(status, expires_at);",
	"CREATE TABLE order_items ("
	"  order_id INTEGER NOT NULL REFERENCES orders(id),"
	"  product_id INTEGER NOT NULL REFERENCES products(id),"
	"  seller_id INTEGER NOT NULL REFERENCES users(id),"
	"  title TEXT NOT NULL,"
	"  unit_price_cents INTEGER NOT NULL,"
	"  quantity INTEGER NOT NULL CHECK (quantity > 0),"
	"  fulfillment TEXT NOT NULL DEFAULT 'pending' CHECK (fulfillment IN ('pending','shipped')),"
	"  PRIMARY KEY (order_id, product_id)"
	");",
	"CREATE INDEX order_items_seller ON order_items(seller_id, order_id);",
	"CREATE INDEX order_items_product ON order_items(product_id);",
	"CREATE TABLE idempotency ("
	"  user_id INTEGER NOT NULL,"
	"  key TEXT NOT NULL,"
	"  request TEXT NOT NULL,"         /* method and path the key was first used with */
	"  status INTEGER NOT NULL,"
	"  body TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  PRIMARY KEY (user_id, key)"
	");",
	"CREATE TABLE conversations ("
	"  id INTEGER PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  started_at INTEGER NOT NULL,"
	"  last_at INTEGER NOT NULL,"
	"  turns INTEGER NOT NULL DEFAULT 0,"
	"  flagged INTEGER NOT NULL DEFAULT 0"  /* set when the shopper sounded frustrated */
	");",
	"CREATE INDEX conversations_user ON conversations(user_id, last_at DESC);",
	"CREATE TABLE messages ("
	"  id INTEGER PRIMARY KEY,"
	"  conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,"
	"  role TEXT NOT NULL CHECK (role IN ('user','buddy')),"
	"  text TEXT NOT NULL,"
	"  intent TEXT,"
	"  sentiment REAL,"
	"  at INTEGER NOT NULL"
	");",
	"CREATE INDEX messages_conversation ON messages(conversation_id, id);",
	NULL,
};

/* Commerce: the provider's token for a saved card (the card number is never kept),
 * the card and charge behind an order's payment (for refunds), and an index to purge
 * old idempotency keys. */
static const char *const m2_commerce[] = {
	"ALTER TABLE payment_methods ADD COLUMN provider TEXT NOT NULL DEFAULT 'sandbox';",
	"ALTER TABLE payment_methods ADD COLUMN token TEXT NOT NULL DEFAULT '';",
	"ALTER TABLE orders ADD COLUMN payment_method_id INTEGER REFERENCES payment_methods(id);",
	"ALTER TABLE orders ADD COLUMN payment_provider TEXT;",
	"ALTER TABLE orders ADD COLUMN payment_ref TEXT;",   /* the provider's charge id */
	"CREATE INDEX idempotency_created ON idempotency(created_at);",
	NULL,
};

/* Search: only active products stay in the full-text index (so a plain word search
 * is answered by the index alone), ranked by bm25 with the title weighted most. */
static const char *const m3_search[] = {
	"DELETE FROM products_fts WHERE rowid IN (SELECT id FROM products WHERE status <> 'active')",
	"INSERT INTO products_fts (products_fts, rank) VALUES ('rank', 'bm25(10.0, 1.0, 4.0, 5.0)')",
	NULL,
};

/* Logins: the tokens one login has been refreshed into share its login_id (the first
 * row's id), so that logout ends the whole login and an open buddy session can ask
 * whether its login is still alive after its own access token was rotated. */
static const char *const m4_logins[] = {
	"ALTER TABLE tokens ADD COLUMN login_id INTEGER;",
	"UPDATE tokens SET login_id = id;",
	"CREATE INDEX tokens_login ON tokens(login_id);",
	NULL,
};

/* Browsing: one index per filter prefix (status, then category, seller or both) and sort
 * (newest, price), so that every filter and sort of GET /api/v1/products walks an
 * index in the order it answers, or ranges over the few rows it sorts (catalog.c
 * picks which).  The newest-first ones carry price_cents, so a price cap is checked
 * without reading the row. */
static const char *const m5_browse[] = {
	"CREATE INDEX products_newest_price ON products(status, created_at DESC, id DESC, price_cents);",
	"CREATE INDEX products_cat_newest ON products(status, category COLLATE NOCASE,"
	" created_at DESC, id DESC, price_cents);",
	"CREATE INDEX products_cat_price ON products(status, category COLLATE NOCASE, price_cents);",
	"CREATE INDEX products_seller_newest ON products(status, seller_id, created_at DESC, id DESC,"
	" price_cents);",
	"CREATE INDEX products_seller_price ON products(status, seller_id, price_cents);",
	"CREATE INDEX products_seller_cat_newest ON products(status, seller_id, category COLLATE NOCASE,"
	" created_at DESC, id DESC, price_cents);",
	"CREATE INDEX products_seller_cat_price ON products(status, seller_id, category COLLATE NOCASE,"
	" price_cents);",
	"DROP INDEX products_newest;", /* products_newest_price does its work */
	NULL,
};

/* Seller SKUs: a seller's own code for a listing (optional), unique per seller, so
 * that importing the same catalog twice updates the listings instead of doubling them. */
static const char *const m6_sku[] = {
	"ALTER TABLE products ADD COLUMN sku TEXT;",
	"CREATE UNIQUE INDEX products_seller_sku ON products(seller_id, sku) WHERE sku IS NOT NULL;",
	NULL,
};

/* Dialogue state stored at the end of each turn (store_conv_state_put), so that a
 * conversation resumed on another process continues with its context. */
static const char *const m7_dialogue_state[] = {
	"ALTER TABLE conversations ADD COLUMN state TEXT;",
	NULL,
};

const char *const *const schema_migrations[] = {
	m1_base,
	m2_commerce,
	m3_search,
	m4_logins,
	m5_browse,
	m6_sku,
	m7_dialogue_state,
};

const int schema_count = (int)(sizeof schema_migrations / sizeof schema_migrations[0]);
