/*
 * test_store.c - the storage interface (store/store.h), the same cases for every
 * backend: SQLite in a temporary file always, and the database named by
 * $VOXCART_STORE_TEST_URL too when it is set (a throwaway PostgreSQL, say).  Each case
 * runs once per backend (a loop test; _i picks the URL).
 */
#include <time.h>
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"
#include "store/store.h"

static char urls[2][4200];
static int url_count;
static char sqlite_path[256];

static struct store *connect_migrated(int i)
{
	char err[512];
	struct store *s = store_connect(urls[i], err, sizeof err);
	ck_assert_msg(s != NULL, "%s: %s", urls[i], err);
	ck_assert_msg(store_upgrade(s, err, sizeof err) == 0, "%s", err);
	return s;
}

START_TEST(url_parsing)
{
	enum store_backend b;
	char t[256], err[256];
	ck_assert_int_eq(store_parse_url("/var/lib/v.db", &b, t, sizeof t, err, sizeof err), 0);
	ck_assert_int_eq(b, STORE_SQLITE);
	ck_assert_str_eq(t, "/var/lib/v.db");
	ck_assert_int_eq(store_parse_url("sqlite:rel.db", &b, t, sizeof t, err, sizeof err), 0);
	ck_assert_int_eq(b, STORE_SQLITE);
	ck_assert_str_eq(t, "rel.db");
	ck_assert_int_eq(store_parse_url("sqlite:///abs/x.db", &b, t, sizeof t, err, sizeof err), 0);
	ck_assert_str_eq(t, "/abs/x.db");
	ck_assert_int_eq(store_parse_url("sqlite://localhost/abs/x.db", &b, t, sizeof t, err,
					 sizeof err), 0);
	ck_assert_str_eq(t, "/abs/x.db");
	ck_assert_int_eq(store_parse_url("postgresql://u@h/db", &b, t, sizeof t, err, sizeof err), 0);
	ck_assert_int_eq(b, STORE_POSTGRES);
	ck_assert_str_eq(t, "postgresql://u@h/db");
	ck_assert_int_eq(store_parse_url("postgres://u@h/db", &b, t, sizeof t, err, sizeof err), 0);
	ck_assert_int_eq(b, STORE_POSTGRES);
	ck_assert_int_eq(store_parse_url("sqlite:", &b, t, sizeof t, err, sizeof err), -1);
	ck_assert_int_eq(store_parse_url("", &b, t, sizeof t, err, sizeof err), -1);
	ck_assert_int_eq(store_parse_url("mysql://h/db", &b, t, sizeof t, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "sqlite:"));
	char tiny[4];
	ck_assert_int_eq(store_parse_url("sqlite:/a/b/c", &b, tiny, sizeof tiny, err, sizeof err),
			 -1);
}
END_TEST

START_TEST(idempotency_round_trip)
{
	struct store *s = connect_migrated(_i);
	struct store_idem a;
	int64_t now = store_now();
	ck_assert_int_eq(store_tx_begin(s), STORE_OK);
	ck_assert_int_eq(store_idem_get(s, 1, "k1", now - 100, &a), STORE_NOT_FOUND);
	ck_assert_int_eq(store_idem_put(s, 1, "k1", "POST /orders", 201, "{\"id\":1}", 8, now),
			 STORE_OK);
	ck_assert_int_eq(store_tx_commit(s), STORE_OK);
	ck_assert_int_eq(store_idem_get(s, 1, "k1", now - 100, &a), STORE_OK);
	ck_assert_str_eq(a.request, "POST /orders");
	ck_assert_int_eq(a.status, 201);
	ck_assert_str_eq(a.body, "{\"id\":1}");
	store_idem_free(&a);
	ck_assert_ptr_null(a.body);
	/* Another user's key of the same name is another key; an empty body reads "". */
	ck_assert_int_eq(store_idem_get(s, 2, "k1", now - 100, &a), STORE_NOT_FOUND);
	ck_assert_int_eq(store_idem_put(s, 2, "k1", "POST /orders/3/pay", 402, NULL, 0, now),
			 STORE_OK);
	ck_assert_int_eq(store_idem_get(s, 2, "k1", now - 100, &a), STORE_OK);
	ck_assert_str_eq(a.body, "");
	store_idem_free(&a);
	/* Too old for the window: not found; purge removes it and says how many. */
	ck_assert_int_eq(store_idem_get(s, 1, "k1", now, &a), STORE_NOT_FOUND);
	int64_t n = -1;
	ck_assert_int_eq(store_idem_purge(s, now, &n), STORE_OK);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(store_idem_get(s, 1, "k1", now - 100, &a), STORE_NOT_FOUND);
	store_disconnect(s);
}
END_TEST

START_TEST(transaction_and_savepoint)
{
	struct store *s = connect_migrated(_i);
	struct store_idem a;
	int64_t now = store_now();
	/* Rolled back: nothing stays. */
	ck_assert_int_eq(store_tx_begin(s), STORE_OK);
	ck_assert_int_eq(store_idem_put(s, 9, "tx", "POST /x", 200, "a", 1, now), STORE_OK);
	store_tx_rollback(s);
	ck_assert_int_eq(store_idem_get(s, 9, "tx", now - 10, &a), STORE_NOT_FOUND);
	store_tx_rollback(s); /* outside a transaction: nothing */
	/* Savepoint: the work after it is undone, the work before it is kept. */
	ck_assert_int_eq(store_tx_begin(s), STORE_OK);
	ck_assert_int_eq(store_idem_put(s, 9, "kept", "POST /x", 200, "a", 1, now), STORE_OK);
	ck_assert_int_eq(store_savepoint(s), STORE_OK);
	ck_assert_int_eq(store_idem_put(s, 9, "undone", "POST /x", 200, "b", 1, now), STORE_OK);
	ck_assert_int_eq(store_savepoint_rollback(s), STORE_OK);
	ck_assert_int_eq(store_savepoint_release(s), STORE_OK);
	ck_assert_int_eq(store_tx_commit(s), STORE_OK);
	ck_assert_int_eq(store_idem_get(s, 9, "kept", now - 10, &a), STORE_OK);
	store_idem_free(&a);
	ck_assert_int_eq(store_idem_get(s, 9, "undone", now - 10, &a), STORE_NOT_FOUND);
	ck_assert_int_eq(store_idem_purge(s, now + 1, NULL), STORE_OK);
	store_disconnect(s);
}
END_TEST

/* 1 when the backend answered rc = "not supported" (an aggregate it does not have
 * yet, backend.h): the case is skipped there, and says so. */
static int unsupported(struct store *s, int rc, int i, const char *what)
{
	if (rc != STORE_ERROR || !strstr(store_errmsg(s), "not supported"))
		return 0;
	printf("test_store: %s skipped on %.30s: %s\n", what, urls[i], store_errmsg(s));
	store_disconnect(s);
	return 1;
}

/* A seller with one product of `stock` units; returns the product id (0 when the
 * backend does not support accounts or listings yet: skip). */
static int64_t seed_product(struct store *s, int i, const char *email, int64_t stock,
			    int64_t *seller)
{
	int rc = store_user_create(s, email, "hash", "Seller", "seller", 100, seller);
	if (unsupported(s, rc, i, email))
		return 0;
	ck_assert_int_eq(rc, STORE_OK);
	int64_t id = 0;
	rc = store_product_insert(s, *seller, "Dark Roast Coffee", "beans", 1299, stock, "Coffee",
				  "[\"dark\"]", NULL, 100, &id);
	if (unsupported(s, rc, i, email))
		return 0;
	ck_assert_int_eq(rc, STORE_OK);
	return id;
}

START_TEST(accounts_and_tokens)
{
	struct store *s = connect_migrated(_i);
	int64_t id = 0, again = 0, now = store_now();
	int rc = store_user_create(s, "acc@x.test", "h1", "Ann", "shopper", now, &id);
	if (unsupported(s, rc, _i, "accounts"))
		return;
	ck_assert_int_eq(rc, STORE_OK);
	ck_assert_int_eq(store_user_create(s, "acc@x.test", "h2", "Bob", "shopper", now, &again),
			 STORE_CONFLICT);
	struct store_user u;
	ck_assert_int_eq(store_user_get(s, id, &u), STORE_OK);
	ck_assert_str_eq(u.email, "acc@x.test");
	ck_assert_ptr_null(u.shipping_address);
	store_user_free(&u);
	ck_assert_int_eq(store_user_update(s, id, NULL, 1, "{\"city\":\"Oslo\"}"), STORE_OK);
	ck_assert_int_eq(store_user_get(s, id, &u), STORE_OK);
	ck_assert_str_eq(u.name, "Ann");
	ck_assert_str_eq(u.shipping_address, "{\"city\":\"Oslo\"}");
	store_user_free(&u);
	ck_assert_int_eq(store_user_get(s, id + 1000, &u), STORE_NOT_FOUND);
	/* Failed logins count up and lock at the limit; a reset clears them. */
	int failures = 0;
	for (int i = 1; i <= 3; i++) {
		ck_assert_int_eq(store_login_failed(s, id, 3, now, now + 60, &failures), STORE_OK);
		ck_assert_int_eq(failures, i);
	}
	struct store_login l;
	ck_assert_int_eq(store_login_find(s, "acc@x.test", &l), STORE_OK);
	ck_assert_int_eq(l.locked_until, now + 60);
	ck_assert_str_eq(l.password_hash, "h1");
	ck_assert_int_eq(store_login_reset(s, id, now), STORE_OK); /* lock not over yet: kept */
	ck_assert_int_eq(store_login_find(s, "acc@x.test", &l), STORE_OK);
	ck_assert_int_eq(l.failed_logins, 3);
	ck_assert_int_eq(store_login_reset(s, id, 0), STORE_OK);
	ck_assert_int_eq(store_login_find(s, "acc@x.test", &l), STORE_OK);
	ck_assert_int_eq(l.failed_logins, 0);
	ck_assert_int_eq(l.locked_until, 0);
	/* A login: issue, check, refresh (once only), logout ends every pair of it. */
	int64_t tok = 0;
	ck_assert_int_eq(store_token_issue(s, id, "a1", "r1", now + 60, now + 600, now, 0, &tok),
			 STORE_OK);
	struct store_token_user tu;
	ck_assert_int_eq(store_token_check(s, "a1", now, &tu), STORE_OK);
	ck_assert_int_eq(tu.user_id, id);
	ck_assert_int_eq(tu.login_id, tok);
	ck_assert_int_eq(store_token_check(s, "a1", now + 61, &tu), STORE_NOT_FOUND);
	int64_t uid = 0, login = 0;
	enum store_refresh_why why = STORE_REFRESH_LOGGED_OUT;
	ck_assert_int_eq(store_token_refresh(s, "r1", now, &uid, &login, &why), STORE_OK);
	ck_assert_int_eq(uid, id);
	ck_assert_int_eq(login, tok);
	ck_assert_int_eq(store_token_refresh(s, "r1", now, &uid, &login, &why), STORE_NOT_FOUND);
	ck_assert_int_eq(why, STORE_REFRESH_USED);
	ck_assert_int_eq(store_token_check(s, "a1", now, &tu), STORE_NOT_FOUND);
	ck_assert_int_eq(store_token_issue(s, id, "a2", "r2", now + 60, now + 600, now, login, NULL),
			 STORE_OK);
	int alive = 0;
	ck_assert_int_eq(store_login_alive(s, login, now, &alive), STORE_OK);
	ck_assert_int_eq(alive, 1);
	ck_assert_int_eq(store_login_end(s, login, 0), STORE_OK);
	ck_assert_int_eq(store_login_alive(s, login, now, &alive), STORE_OK);
	ck_assert_int_eq(alive, 0);
	ck_assert_int_eq(store_token_check(s, "a2", now, &tu), STORE_NOT_FOUND);
	/* Why a refresh is refused: logged out, unknown, expired (and NULL is allowed). */
	ck_assert_int_eq(store_token_refresh(s, "r2", now, &uid, &login, &why), STORE_NOT_FOUND);
	ck_assert_int_eq(why, STORE_REFRESH_LOGGED_OUT);
	why = STORE_REFRESH_EXPIRED;
	ck_assert_int_eq(store_token_refresh(s, "no-such", now, &uid, &login, &why),
			 STORE_NOT_FOUND);
	ck_assert_int_eq(why, STORE_REFRESH_UNKNOWN);
	ck_assert_int_eq(store_token_issue(s, id, "a3", "r3", now + 60, now + 600, now, 0, NULL),
			 STORE_OK);
	ck_assert_int_eq(store_token_refresh(s, "r3", now + 600, &uid, &login, &why),
			 STORE_NOT_FOUND);
	ck_assert_int_eq(why, STORE_REFRESH_EXPIRED);
	ck_assert_int_eq(store_token_refresh(s, "r3", now + 600, &uid, &login, NULL),
			 STORE_NOT_FOUND);
	ck_assert_int_eq(store_token_refresh(s, "r3", now + 599, &uid, &login, &why), STORE_OK);
	ck_assert_int_eq(store_token_refresh(s, "r3", now + 900, &uid, &login, &why),
			 STORE_NOT_FOUND);
	ck_assert_int_eq(why, STORE_REFRESH_USED); /* spent and past its time: spent */
	store_disconnect(s);
}
END_TEST

START_TEST(stock_is_never_oversold)
{
	struct store *s = connect_migrated(_i);
	int64_t seller = 0, shopper = 0, now = store_now();
	int64_t pid = seed_product(s, _i, "stock@x.test", 3, &seller);
	if (!pid)
		return;
	ck_assert_int_eq(store_user_create(s, "buyer@x.test", "h", "B", "shopper", now, &shopper),
			 STORE_OK);
	ck_assert_int_eq(store_stock_take(s, pid, 2), STORE_OK);
	ck_assert_int_eq(store_stock_take(s, pid, 2), STORE_CONFLICT); /* 1 left */
	ck_assert_int_eq(store_stock_take(s, pid, 1), STORE_OK);
	ck_assert_int_eq(store_stock_take(s, pid, 1), STORE_CONFLICT);
	struct store_product p;
	ck_assert_int_eq(store_product_get(s, pid, &p), STORE_OK);
	ck_assert_int_eq(p.stock, 0);
	ck_assert_int_eq(p.price_cents, 1299);
	store_product_free(&p);
	/* An order of 3 units, released: the units are back, the order cancelled. */
	struct store_order_line line = { pid, seller, "Dark Roast Coffee", 1299, 3 };
	int64_t oid = 0;
	ck_assert_int_eq(store_tx_begin(s), STORE_OK);
	ck_assert_int_eq(store_order_insert(s, shopper, 3897, "{}", now + 900, now, &line, 1, &oid),
			 STORE_OK);
	ck_assert_int_eq(store_tx_commit(s), STORE_OK);
	struct store_order o;
	ck_assert_int_eq(store_order_get(s, oid, &o), STORE_OK);
	ck_assert_str_eq(o.status, "pending_payment");
	ck_assert_int_eq(o.total_cents, 3897);
	ck_assert_uint_eq(o.item_count, 1);
	ck_assert_int_eq(o.items[0].quantity, 3);
	ck_assert_int_eq(o.has_payment, 0);
	store_order_free(&o);
	/* The PostgreSQL database is shared by the unit run (test_pg's orders may be due too):
	 * this order must be among those due. */
	size_t n = 0, found = 0;
	int64_t due[256];
	ck_assert_int_eq(store_orders_due(s, now + 901, due, 256, &n), STORE_OK);
	for (size_t k = 0; k < n; k++)
		found += due[k] == oid;
	ck_assert_uint_eq(found, 1);
	ck_assert_int_eq(store_order_expire(s, oid, now + 901), STORE_OK);
	ck_assert_int_eq(store_order_expire(s, oid, now + 901), STORE_NOT_FOUND);
	ck_assert_int_eq(store_product_get(s, pid, &p), STORE_OK);
	ck_assert_int_eq(p.stock, 3);
	store_product_free(&p);
	struct store_order_state st;
	ck_assert_int_eq(store_order_state(s, oid, &st), STORE_OK);
	ck_assert_str_eq(st.status, "cancelled");
	store_disconnect(s);
}
END_TEST

START_TEST(cart_and_cards)
{
	struct store *s = connect_migrated(_i);
	int64_t seller = 0, shopper = 0, now = store_now();
	int64_t pid = seed_product(s, _i, "cart@x.test", 5, &seller);
	if (!pid)
		return;
	ck_assert_int_eq(store_user_create(s, "cartbuyer@x.test", "h", "C", "shopper", now, &shopper),
			 STORE_OK);
	int64_t qty = -1;
	ck_assert_int_eq(store_cart_line_qty(s, shopper, pid, &qty), STORE_OK);
	ck_assert_int_eq(qty, 0);
	ck_assert_int_eq(store_cart_put(s, shopper, pid, 2, now), STORE_OK);
	ck_assert_int_eq(store_cart_put(s, shopper, pid, 4, now), STORE_OK); /* replaces */
	struct store_cart c;
	ck_assert_int_eq(store_cart_get(s, shopper, &c), STORE_OK);
	ck_assert_uint_eq(c.count, 1);
	ck_assert_int_eq(c.items[0].quantity, 4);
	ck_assert_int_eq(c.items[0].seller_id, seller);
	ck_assert_int_eq(c.items[0].active, 1);
	store_cart_free(&c);
	ck_assert_int_eq(store_cart_delete(s, shopper, pid), STORE_OK);
	ck_assert_int_eq(store_cart_delete(s, shopper, pid), STORE_NOT_FOUND);
	/* The first card is the default; deleting it passes that on to the newest. */
	struct store_card card = { .provider = "sandbox", .brand = "visa", .last4 = "4242",
				   .exp_month = 12, .exp_year = 2035, .token = "tok" };
	int64_t c1 = 0, c2 = 0, c3 = 0, def = 0;
	ck_assert_int_eq(store_card_insert(s, shopper, &card, now, &c1), STORE_OK);
	ck_assert_int_eq(store_card_insert(s, shopper, &card, now, &c2), STORE_OK);
	ck_assert_int_eq(store_card_insert(s, shopper, &card, now, &c3), STORE_OK);
	ck_assert_int_eq(store_card_default(s, shopper, &def), STORE_OK);
	ck_assert_int_eq(def, c1);
	ck_assert_int_eq(store_card_delete(s, shopper, c1), STORE_OK);
	ck_assert_int_eq(store_card_default(s, shopper, &def), STORE_OK);
	ck_assert_int_eq(def, c3);
	ck_assert_int_eq(store_card_delete(s, shopper, c1), STORE_NOT_FOUND);
	struct store_cards l;
	ck_assert_int_eq(store_cards_list(s, shopper, &l), STORE_OK);
	ck_assert_uint_eq(l.count, 2);
	ck_assert_int_eq(l.items[0].id, c3); /* the default first */
	store_cards_free(&l);
	store_disconnect(s);
}
END_TEST

START_TEST(conversations)
{
	struct store *s = connect_migrated(_i);
	int64_t user = 0, other = 0, now = store_now();
	ck_assert_int_eq(store_user_create(s, "conv@x.test", "h", "V", "shopper", now, &user),
			 STORE_OK);
	ck_assert_int_eq(store_user_create(s, "conv2@x.test", "h", "W", "shopper", now, &other),
			 STORE_OK);
	int64_t c1 = 0, c2 = 0;
	ck_assert_int_eq(store_conv_create(s, user, now, &c1), STORE_OK);
	ck_assert_int_eq(store_conv_create(s, user, now + 1, &c2), STORE_OK);
	ck_assert_int_eq(store_conv_add_turn(s, c1, "find coffee", "search", -0.25, "Here it is.",
					     0, NULL, now + 5), STORE_OK);
	ck_assert_int_eq(store_conv_add_turn(s, c1, "ugh, no", NULL, -0.75, "Sorry.", 1, NULL,
					     now + 6), STORE_OK);
	ck_assert_int_eq(store_conv_add_turn(s, c1, "ok thanks", NULL, 0.5, "Welcome.", 0, NULL,
					     now + 7), STORE_OK);
	struct store_conv c;
	ck_assert_int_eq(store_conv_get(s, c1, user, &c), STORE_OK);
	ck_assert_int_eq(c.turns, 3);
	ck_assert_int_eq(c.flagged, 1); /* frustrated once: flagged for good */
	ck_assert_int_eq(c.last_at, now + 7);
	ck_assert_int_eq(store_conv_get(s, c1, other, &c), STORE_NOT_FOUND);
	struct store_convs l;
	int64_t total = 0;
	ck_assert_int_eq(store_conv_list(s, user, 1, 0, &l, &total), STORE_OK);
	ck_assert_int_eq(total, 2);
	ck_assert_uint_eq(l.count, 1);
	ck_assert_int_eq(l.items[0].id, c1); /* the most recent first */
	store_convs_free(&l);
	struct store_messages m;
	ck_assert_int_eq(store_conv_messages(s, c1, 0, &m), STORE_OK);
	ck_assert_uint_eq(m.count, 6);
	ck_assert_str_eq(m.items[0].role, "user");
	ck_assert_str_eq(m.items[0].text, "find coffee");
	ck_assert_str_eq(m.items[0].intent, "search");
	ck_assert_int_eq(m.items[0].has_sentiment, 1);
	ck_assert(m.items[0].sentiment == -0.25);
	ck_assert_str_eq(m.items[1].role, "buddy");
	ck_assert_ptr_null(m.items[1].intent);
	ck_assert_int_eq(m.items[1].has_sentiment, 0);
	store_messages_free(&m);
	ck_assert_int_eq(store_conv_messages(s, c1, 2, &m), STORE_OK); /* the last two, in order */
	ck_assert_uint_eq(m.count, 2);
	ck_assert_str_eq(m.items[0].text, "ok thanks");
	ck_assert_str_eq(m.items[1].text, "Welcome.");
	store_messages_free(&m);
	/* The dialogue state: none at first, stored, replaced, cleared. */
	char *state = (char *)"x";
	ck_assert_int_eq(store_conv_state_get(s, c1, &state), STORE_OK);
	ck_assert_ptr_null(state);
	ck_assert_int_eq(store_conv_state_put(s, c1, "{\"focus\":12}"), STORE_OK);
	ck_assert_int_eq(store_conv_state_put(s, c1, "{\"focus\":13}"), STORE_OK);
	ck_assert_int_eq(store_conv_state_get(s, c1, &state), STORE_OK);
	ck_assert_str_eq(state, "{\"focus\":13}");
	free(state);
	/* A turn stores the state in the same write; without one the stored state stays. */
	ck_assert_int_eq(store_conv_add_turn(s, c1, "more", NULL, 0, "Sure.", 0, "{\"focus\":14}",
					     now + 8), STORE_OK);
	ck_assert_int_eq(store_conv_state_get(s, c1, &state), STORE_OK);
	ck_assert_str_eq(state, "{\"focus\":14}");
	free(state);
	ck_assert_int_eq(store_conv_add_turn(s, c1, "ok", NULL, 0, "Good.", 0, NULL, now + 9),
			 STORE_OK);
	ck_assert_int_eq(store_conv_state_get(s, c1, &state), STORE_OK);
	ck_assert_str_eq(state, "{\"focus\":14}");
	free(state);
	ck_assert_int_eq(store_conv_get(s, c1, user, &c), STORE_OK);
	ck_assert_int_eq(c.turns, 5);
	ck_assert_int_eq(store_conv_state_get(s, c2, &state), STORE_OK);
	ck_assert_ptr_null(state);
	ck_assert_int_eq(store_conv_state_put(s, c1 + 100000, "{}"), STORE_NOT_FOUND);
	ck_assert_int_eq(store_conv_state_get(s, c1 + 100000, &state), STORE_NOT_FOUND);
	ck_assert_int_eq(store_conv_delete(s, c1), STORE_OK);
	ck_assert_int_eq(store_conv_get(s, c1, user, &c), STORE_NOT_FOUND);
	ck_assert_int_eq(store_conv_messages(s, c1, 0, &m), STORE_OK);
	ck_assert_uint_eq(m.count, 0);
	store_messages_free(&m);
	store_disconnect(s);
}
END_TEST

static int count_text(void *arg, const char *title, const char *category, const char *tags)
{
	int *n = arg;
	if (strcmp(title, "Catalog Mug") == 0) {
		ck_assert_str_eq(category, "Kitchen");
		ck_assert_str_eq(tags, "blue ceramic");
	}
	(*n)++;
	return 0;
}

static int find_name(void *arg, const char *name)
{
	int *n = arg;
	*n += strcmp(name, "kitchen") == 0 || strcmp(name, "Kitchen") == 0;
	return 0;
}

START_TEST(catalog_lists_and_update)
{
	struct store *s = connect_migrated(_i);
	int64_t seller = 0, now = store_now();
	ck_assert_int_eq(store_user_create(s, "lists@x.test", "h", "Lister", "seller", now, &seller),
			 STORE_OK);
	int64_t a = 0, b = 0, c = 0;
	ck_assert_int_eq(store_product_insert(s, seller, "Catalog Mug", "a mug", 900, 2, "Kitchen",
					      "[\"blue\",\"ceramic\"]", "MUG-1", now, &a), STORE_OK);
	ck_assert_int_eq(store_product_insert(s, seller, "Catalog Pan", "a pan", 2500, 9, "kitchen",
					      NULL, NULL, now, &b), STORE_OK);
	ck_assert_int_eq(store_product_insert(s, seller, "Catalog Lamp", "a lamp", 4000, 1,
					      "Zz Lighting", NULL, NULL, now, &c), STORE_OK);
	/* By id: in the order asked, unknown ids left out. */
	int64_t ids[4] = { c, a + 100000, a, b };
	struct store_products l;
	ck_assert_int_eq(store_products_by_id(s, ids, 4, &l), STORE_OK);
	ck_assert_uint_eq(l.count, 3);
	ck_assert_int_eq(l.items[0].id, c);
	ck_assert_int_eq(l.items[1].id, a);
	ck_assert_str_eq(l.items[1].seller_name, "Lister");
	ck_assert_str_eq(l.items[1].sku, "MUG-1");
	ck_assert_ptr_null(l.items[2].sku);
	store_products_free(&l);
	/* Changes: some fields only; a sku taken is a conflict; archived leaves the lists. */
	struct store_product_change ch = { .title = "Catalog Pan XL", .has_price = 1,
					   .price_cents = 2700 };
	ck_assert_int_eq(store_product_update(s, b, &ch, now + 3), STORE_OK);
	struct store_product p;
	ck_assert_int_eq(store_product_get(s, b, &p), STORE_OK);
	ck_assert_str_eq(p.title, "Catalog Pan XL");
	ck_assert_int_eq(p.price_cents, 2700);
	ck_assert_int_eq(p.stock, 9);
	ck_assert_str_eq(p.description, "a pan");
	ck_assert_int_eq(p.updated_at, now + 3);
	store_product_free(&p);
	struct store_product_change dup = { .sku = "MUG-1" };
	ck_assert_int_eq(store_product_update(s, b, &dup, now + 4), STORE_CONFLICT);
	struct store_product_change bad = { .has_price = 1, .price_cents = -1 };
	ck_assert_int_eq(store_product_update(s, b, &bad, now + 4), STORE_CONFLICT);
	ck_assert_int_eq(store_product_update(s, a + 100000, &ch, now + 4), STORE_NOT_FOUND);
	struct store_product_change arch = { .status = "archived" };
	ck_assert_int_eq(store_product_update(s, c, &arch, now + 5), STORE_OK);
	ck_assert_int_eq(store_products_by_id(s, &c, 1, &l), STORE_OK);
	ck_assert_uint_eq(l.count, 0);
	store_products_free(&l);
	/* The seller's lists. */
	int64_t total = 0;
	ck_assert_int_eq(store_seller_products(s, seller, 2, 0, &l, &total), STORE_OK);
	ck_assert_int_eq(total, 3);
	ck_assert_uint_eq(l.count, 2);
	ck_assert_int_eq(l.items[0].id, c); /* newest id first, any status */
	ck_assert_str_eq(l.items[0].status, "archived");
	store_products_free(&l);
	ck_assert_int_eq(store_seller_low_stock(s, seller, 5, 10, &l), STORE_OK);
	ck_assert_uint_eq(l.count, 1); /* the lamp is archived */
	ck_assert_int_eq(l.items[0].id, a);
	store_products_free(&l);
	/* Categories: Kitchen and kitchen are one, whatever else the database holds. */
	struct store_categories cats;
	ck_assert_int_eq(store_categories(s, &cats), STORE_OK);
	int kitchens = 0;
	for (size_t k = 0; k < cats.count; k++) {
		ck_assert(strcmp(cats.items[k].name, "Zz Lighting") != 0);
		if (strcasecmp(cats.items[k].name, "kitchen") == 0) {
			kitchens++;
			ck_assert_int_ge(cats.items[k].count, 2);
		}
		if (k > 0)
			ck_assert_int_le(strcasecmp(cats.items[k - 1].name, cats.items[k].name), 0);
	}
	ck_assert_int_eq(kitchens, 1);
	store_categories_free(&cats);
	int texts = 0, names = 0;
	ck_assert_int_eq(store_products_each_text(s, count_text, &texts), STORE_OK);
	ck_assert_int_ge(texts, 2);
	ck_assert_int_eq(store_categories_each(s, find_name, &names), STORE_OK);
	ck_assert_int_eq(names, 2); /* exact spellings */
	int64_t count = 0;
	ck_assert_int_eq(store_products_count(s, &count), STORE_OK);
	ck_assert_int_ge(count, 3);
	store_disconnect(s);
}
END_TEST

START_TEST(seller_views)
{
	struct store *s = connect_migrated(_i);
	int64_t s1 = 0, s2 = 0, buyer = 0, now = store_now();
	ck_assert_int_eq(store_user_create(s, "sv1@x.test", "h", "S1", "seller", now, &s1), STORE_OK);
	ck_assert_int_eq(store_user_create(s, "sv2@x.test", "h", "S2", "seller", now, &s2), STORE_OK);
	ck_assert_int_eq(store_user_create(s, "svb@x.test", "h", "B", "shopper", now, &buyer),
			 STORE_OK);
	int64_t p1 = 0, p2 = 0;
	ck_assert_int_eq(store_product_insert(s, s1, "Seller One Tea", "", 500, 10, "Tea", NULL,
					      NULL, now, &p1), STORE_OK);
	ck_assert_int_eq(store_product_insert(s, s2, "Seller Two Cup", "", 300, 1, "Tea", NULL,
					      NULL, now, &p2), STORE_OK);
	/* Order A: 2 tea (s1) + 1 cup (s2), paid; order B: 1 tea, left pending. */
	struct store_order_line la[2] = { { p1, s1, "Seller One Tea", 500, 2 },
					  { p2, s2, "Seller Two Cup", 300, 1 } };
	int64_t oa = 0, ob = 0;
	ck_assert_int_eq(store_order_insert(s, buyer, 1300, "{}", now + 900, now, la, 2, &oa),
			 STORE_OK);
	ck_assert_int_eq(store_order_insert(s, buyer, 500, "{}", now + 900, now, la, 1, &ob),
			 STORE_OK);
	struct store_order_payment pay = { "visa", "4242", 1300, 0, "sandbox", "ref-1" };
	ck_assert_int_eq(store_order_mark_paid(s, oa, &pay, now + 1), STORE_OK);
	int64_t ids[10], total = 0;
	size_t n = 0;
	ck_assert_int_eq(store_seller_order_ids(s, s1, NULL, 10, 0, ids, &n, &total), STORE_OK);
	ck_assert_int_eq(total, 2);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(ids[0], ob); /* newest first */
	ck_assert_int_eq(store_seller_order_ids(s, s1, "paid", 10, 0, ids, &n, &total), STORE_OK);
	ck_assert_int_eq(total, 1);
	ck_assert_int_eq(ids[0], oa);
	ck_assert_int_eq(store_seller_order_ids(s, s2, "pending_payment", 10, 0, ids, &n, &total),
			 STORE_OK);
	ck_assert_int_eq(total, 0);
	ck_assert_uint_eq(n, 0);
	struct store_seller_totals t;
	ck_assert_int_eq(store_seller_totals(s, s1, 100, &t), STORE_OK);
	ck_assert_int_eq(t.revenue_cents, 1000); /* only the paid order's s1 lines */
	ck_assert_int_eq(t.orders, 1);
	ck_assert_int_eq(t.units_sold, 2);
	ck_assert_int_eq(t.low_stock_total, 1);
	struct store_top_products top;
	ck_assert_int_eq(store_seller_top_products(s, s2, 5, &top), STORE_OK);
	ck_assert_uint_eq(top.count, 1);
	ck_assert_int_eq(top.items[0].product_id, p2);
	ck_assert_str_eq(top.items[0].title, "Seller Two Cup");
	ck_assert_int_eq(top.items[0].units, 1);
	ck_assert_int_eq(top.items[0].revenue_cents, 300);
	store_top_products_free(&top);
	/* Shipping: the order is shipped once every seller shipped their lines. */
	char status[24];
	int lines = 0;
	ck_assert_int_eq(store_tx_begin(s), STORE_OK);
	ck_assert_int_eq(store_seller_order_lines(s, oa, s1, status, &lines), STORE_OK);
	ck_assert_str_eq(status, "paid");
	ck_assert_int_eq(lines, 1);
	ck_assert_int_eq(store_seller_ship(s, oa, s1, now + 2), STORE_OK);
	ck_assert_int_eq(store_tx_commit(s), STORE_OK);
	ck_assert_int_eq(store_seller_order_lines(s, oa, s1, status, &lines), STORE_OK);
	ck_assert_str_eq(status, "paid");
	ck_assert_int_eq(store_seller_ship(s, oa, s2, now + 3), STORE_OK);
	ck_assert_int_eq(store_seller_order_lines(s, oa, s2, status, &lines), STORE_OK);
	ck_assert_str_eq(status, "shipped");
	ck_assert_int_eq(store_seller_order_lines(s, oa + 100000, s2, status, &lines),
			 STORE_NOT_FOUND);
	struct store_order o;
	ck_assert_int_eq(store_order_get(s, oa, &o), STORE_OK);
	ck_assert_str_eq(o.items[0].fulfillment, "shipped");
	ck_assert_int_eq(o.updated_at, now + 3);
	store_order_free(&o);
	store_disconnect(s);
}
END_TEST

/* A search through the interface: ids of the page and the total. */
static size_t search(struct store *s, const char *match, int words, const char *category,
		     int64_t lo, int64_t hi, int64_t seller, enum store_sort sort, int64_t limit,
		     int64_t offset, int64_t *ids, int64_t *total)
{
	struct store_search q = { .match = match, .words = words, .category = category,
				  .min_price = lo, .max_price = hi, .seller_id = seller,
				  .sort = sort, .limit = limit, .offset = offset, .total = -1 };
	size_t n = 0;
	ck_assert_int_eq(store_products_search(s, &q, ids, &n, total), STORE_OK);
	return n;
}

START_TEST(product_search)
{
	struct store *s = connect_migrated(_i);
	int64_t seller = 0, now = store_now();
	ck_assert_int_eq(store_user_create(s, "search@x.test", "h", "Finder", "seller", now, &seller),
			 STORE_OK);
	/* Words no other case uses (the PostgreSQL database is shared by the run). */
	int64_t a = 0, b = 0, c = 0, d = 0;
	ck_assert_int_eq(store_product_insert(s, seller, "Zorblax Kettle", "steelbrix", 3000, 4,
					      "Qitchen", NULL, NULL, now, &a), STORE_OK);
	ck_assert_int_eq(store_product_insert(s, seller, "Plain Pot", "works like a zorblax", 1000,
					      4, "Qitchen", NULL, NULL, now + 1, &b), STORE_OK);
	ck_assert_int_eq(store_product_insert(s, seller, "Zorblaxes Mug", "mug", 2000, 4, "Qups",
					      "[\"quuxware\"]", NULL, now + 2, &c), STORE_OK);
	ck_assert_int_eq(store_product_insert(s, seller, "Zorblax Lid", "lid", 500, 4, "Qitchen",
					      NULL, NULL, now + 3, &d), STORE_OK);
	int64_t ids[10], total = 0;
	/* Relevance: a title match before a description match; a prefix matches. */
	size_t n = search(s, "\"zorblax\"*", 1, NULL, -1, -1, 0, STORE_SORT_RANK, 10, 0, ids, &total);
	ck_assert_int_eq(total, 4);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(ids[3], b);
	/* Every word required, or any word. */
	n = search(s, "\"zorblax\"* \"quuxware\"*", 2, NULL, -1, -1, 0, STORE_SORT_RANK, 10, 0, ids,
		   &total);
	ck_assert_int_eq(total, 1);
	ck_assert_int_eq(ids[0], c);
	n = search(s, "\"steelbrix\"* OR \"quuxware\"*", 2, NULL, -1, -1, 0, STORE_SORT_RANK, 10, 0,
		   ids, &total);
	ck_assert_int_eq(total, 2);
	/* Filters and sorts: category without regard to case, price range, seller, page. */
	n = search(s, "\"zorblax\"*", 1, "qITCHEN", 600, 3000, 0, STORE_SORT_PRICE_ASC, 10, 0, ids,
		   &total);
	ck_assert_int_eq(total, 2);
	ck_assert_int_eq(ids[0], b);
	ck_assert_int_eq(ids[1], a);
	n = search(s, "", 0, "Qitchen", -1, -1, seller, STORE_SORT_NEWEST, 2, 1, ids, &total);
	ck_assert_int_eq(total, 3);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(ids[0], b);
	ck_assert_int_eq(ids[1], a);
	n = search(s, "", 0, NULL, -1, -1, seller, STORE_SORT_PRICE_DESC, 1, 0, ids, &total);
	ck_assert_int_eq(total, 4);
	ck_assert_int_eq(ids[0], a);
	/* Archived products are not found; a change of title is. */
	struct store_product_change arch = { .status = "archived" };
	ck_assert_int_eq(store_product_update(s, d, &arch, now + 9), STORE_OK);
	struct store_product_change ren = { .title = "Glimmerfrost Pot" };
	ck_assert_int_eq(store_product_update(s, b, &ren, now + 9), STORE_OK);
	n = search(s, "\"zorblax\"*", 1, NULL, -1, -1, 0, STORE_SORT_RANK, 10, 0, ids, &total);
	ck_assert_int_eq(total, 3); /* b still says zorblax in its description */
	n = search(s, "\"glimmerfr\"*", 1, NULL, -1, -1, 0, STORE_SORT_RANK, 10, 0, ids, &total);
	ck_assert_int_eq(total, 1);
	ck_assert_int_eq(ids[0], b);
	n = search(s, "\"nosuchwordanywhere\"*", 1, NULL, -1, -1, 0, STORE_SORT_RANK, 10, 0, ids,
		   &total);
	ck_assert_int_eq(total, 0);
	ck_assert_uint_eq(n, 0);
	store_disconnect(s);
}
END_TEST

START_TEST(housekeeping_lock)
{
	struct store *a = connect_migrated(_i), *b = connect_migrated(_i);
	int got = 0;
	ck_assert_int_eq(store_lock_try(a, STORE_LOCK_EXPIRY, &got), STORE_OK);
	ck_assert_int_eq(got, 1);
	/* PostgreSQL: one holder in all processes; SQLite: one process, always taken. */
	ck_assert_int_eq(store_lock_try(b, STORE_LOCK_EXPIRY, &got), STORE_OK);
	ck_assert_int_eq(got, store_backend_of(b) == STORE_SQLITE);
	if (got)
		ck_assert_int_eq(store_lock_release(b, STORE_LOCK_EXPIRY), STORE_OK);
	ck_assert_int_eq(store_lock_release(a, STORE_LOCK_EXPIRY), STORE_OK);
	ck_assert_int_eq(store_lock_try(b, STORE_LOCK_EXPIRY, &got), STORE_OK);
	ck_assert_int_eq(got, 1);
	store_disconnect(b); /* a connection that ends gives its lock back */
	/* ... when its server process has ended, which PostgreSQL does after the
	 * client has gone (PQfinish does not wait): a while, on a loaded machine. */
	for (int i = 0; i < 500; i++) {
		ck_assert_int_eq(store_lock_try(a, STORE_LOCK_EXPIRY, &got), STORE_OK);
		if (got)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
	ck_assert_int_eq(got, 1);
	ck_assert_int_eq(store_lock_release(a, STORE_LOCK_EXPIRY), STORE_OK);
	store_disconnect(a);
}
END_TEST

START_TEST(thread_connection)
{
	char err[512];
	ck_assert_int_eq(store_configure(urls[_i], err, sizeof err), 0);
	struct store *s = store_thread();
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_eq(store_thread(), s); /* kept for the thread */
	store_thread_close();
	ck_assert_int_eq(store_configure("ftp://x/y", err, sizeof err), -1);
}
END_TEST

/* store_products_each and store_on_product_change; on PostgreSQL the change feed. */
static int64_t hooked[16];
static int nhooked;
static void hook(int64_t id)
{
	if (nhooked < 16)
		hooked[nhooked++] = id;
}

struct seen {
	int64_t ids[8];
	char tags[8][64];
	char status[8][16];
	int n;
	int64_t want[3];
};

static int seen_row(void *arg, const struct store_product *p, const char *tags_text)
{
	struct seen *v = arg;
	if (p->id != v->want[0] && p->id != v->want[1] && p->id != v->want[2])
		return 0; /* another case's product */
	ck_assert_int_lt(v->n, 8);
	v->ids[v->n] = p->id;
	snprintf(v->tags[v->n], sizeof v->tags[0], "%s", tags_text);
	snprintf(v->status[v->n], sizeof v->status[0], "%s", p->status);
	v->n++;
	return 0;
}

struct heard {
	int64_t product[16], stock[16];
	int np, ns, all;
};

static void on_heard(void *arg, enum store_change_kind kind, int64_t id)
{
	struct heard *h = arg;
	if (kind == STORE_CHANGE_PRODUCT && h->np < 16)
		h->product[h->np++] = id;
	else if (kind == STORE_CHANGE_STOCK && h->ns < 16)
		h->stock[h->ns++] = id;
	else if (kind == STORE_CHANGE_ALL)
		h->all++;
}

/* Waits (up to 5 s) until the feed has said at least `want` things. */
static void hear(struct store *l, struct heard *h, int want)
{
	for (int i = 0; i < 50 && h->np + h->ns + h->all < want; i++) {
		int n = 0;
		ck_assert_int_eq(store_changes_wait(l, 100, on_heard, h, &n), STORE_OK);
	}
}

START_TEST(products_each_and_changes)
{
	struct store *s = connect_migrated(_i);
	int64_t seller = 0, now = store_now();
	ck_assert_int_eq(store_user_create(s, "each@x.test", "h", "Eacher", "seller", now, &seller),
			 STORE_OK);
	struct store *l = NULL;
	if (store_backend_of(s) == STORE_POSTGRES) {
		char err[256];
		l = store_connect(urls[_i], err, sizeof err);
		ck_assert_msg(l != NULL, "%s", err);
		ck_assert_int_eq(store_changes_listen(l), STORE_OK);
	}
	store_on_product_change(hook);
	nhooked = 0;
	struct seen v = { .n = 0 };
	ck_assert_int_eq(store_tx_begin(s), STORE_OK);
	ck_assert_int_eq(store_product_insert(s, seller, "Each Mug", "a mug", 900, 5, "Kitchen",
					      "[\"blue\",\"ceramic\"]", NULL, now, &v.want[0]), STORE_OK);
	ck_assert_int_eq(store_product_insert(s, seller, "Each Pan", "a pan", 2500, 9, "Kitchen",
					      NULL, NULL, now, &v.want[1]), STORE_OK);
	ck_assert_int_eq(nhooked, 0); /* told at commit */
	ck_assert_int_eq(store_tx_commit(s), STORE_OK);
	ck_assert_int_eq(nhooked, 2);
	ck_assert_int_eq(hooked[0], v.want[0]);
	ck_assert_int_eq(hooked[1], v.want[1]);
	ck_assert_int_eq(store_tx_begin(s), STORE_OK);
	ck_assert_int_eq(store_product_insert(s, seller, "Each Gone", "", 100, 1, "Kitchen", NULL,
					      NULL, now, &v.want[2]), STORE_OK);
	store_tx_rollback(s);
	ck_assert_int_eq(nhooked, 2); /* rolled back: nothing to tell */
	ck_assert_int_eq(store_product_insert(s, seller, "Each Lamp", "a lamp", 4000, 1, "Lighting",
					      "[\"warm\"]", NULL, now, &v.want[2]), STORE_OK);
	ck_assert_int_eq(nhooked, 3); /* outside a transaction: at once */
	struct store_product_change arch = { .status = "archived" };
	ck_assert_int_eq(store_product_update(s, v.want[1], &arch, now + 1), STORE_OK);
	ck_assert_int_eq(store_stock_take(s, v.want[0], 2), STORE_OK);
	ck_assert_int_eq(store_user_update(s, seller, "Eacher Two", 0, NULL), STORE_OK);
	ck_assert_int_eq(nhooked, 6);
	ck_assert_int_eq(hooked[3], v.want[1]);
	ck_assert_int_eq(hooked[4], v.want[0]);
	ck_assert_int_eq(hooked[5], 0); /* a seller's name: any of their products */
	store_on_product_change(NULL);
	/* Every active product in id order, tags joined by spaces. */
	ck_assert_int_eq(store_products_each(s, NULL, 0, seen_row, &v), STORE_OK);
	ck_assert_int_eq(v.n, 2);
	ck_assert_int_eq(v.ids[0], v.want[0]);
	ck_assert_str_eq(v.tags[0], "blue ceramic");
	ck_assert_int_eq(v.ids[1], v.want[2]);
	ck_assert_str_eq(v.tags[1], "warm");
	/* By id: whatever the status, in id order, unknown ids skipped. */
	v.n = 0;
	int64_t ids[4] = { v.want[2], v.want[1] + 1000000, v.want[1], v.want[0] };
	ck_assert_int_eq(store_products_each(s, ids, 4, seen_row, &v), STORE_OK);
	ck_assert_int_eq(v.n, 3);
	ck_assert_int_eq(v.ids[0], v.want[0]);
	ck_assert_int_eq(v.ids[1], v.want[1]);
	ck_assert_str_eq(v.status[1], "archived");
	ck_assert_str_eq(v.tags[1], "");
	ck_assert_int_eq(v.ids[2], v.want[2]);
	if (l) {
		/* The feed says each product: what it is found by changed (p), or only its
		 * stock (s); a seller's name: any (the rolled-back insert says nothing). */
		struct heard h = { .np = 0 };
		hear(l, &h, 7);
		ck_assert_int_eq(h.np, 4);
		ck_assert_int_eq(h.product[0], v.want[0]);
		ck_assert_int_eq(h.product[1], v.want[1]);
		ck_assert_int_eq(h.product[2], v.want[2]);
		ck_assert_int_eq(h.product[3], v.want[1]);
		ck_assert_int_eq(h.ns, 1);
		ck_assert_int_eq(h.stock[0], v.want[0]);
		ck_assert_int_eq(h.all, 1);
		store_disconnect(l);
	} else {
		int n = 1;
		ck_assert_int_eq(store_changes_listen(s), STORE_ERROR); /* SQLite: no feed */
		ck_assert_int_eq(store_changes_wait(s, 0, on_heard, NULL, &n), STORE_ERROR);
		ck_assert_int_eq(n, 0);
	}
	store_disconnect(s);
}
END_TEST

/* store_tokenize: the words as products_fts makes them, whatever the database (the
 * in-memory search index's words on both backends): folded, without diacritics,
 * stemmed; a callback's non-zero stops it. */
struct toks {
	char t[8][32];
	int n;
	int stop_at;
};

static int take_token(void *arg, const char *p, size_t len)
{
	struct toks *k = arg;
	if (k->n == k->stop_at || k->n == 8 || len >= sizeof k->t[0])
		return -1;
	memcpy(k->t[k->n], p, len);
	k->t[k->n++][len] = '\0';
	return 0;
}

START_TEST(tokenize_like_fts5)
{
	struct toks k = { .n = 0, .stop_at = -1 };
	const char *text = "Café ROASTING, dark-roasted beans!";
	ck_assert_int_eq(store_tokenize(STORE_TOKENS_DOCUMENT, text, strlen(text), take_token, &k),
			 STORE_OK);
	ck_assert_int_eq(k.n, 5);
	ck_assert_str_eq(k.t[0], "cafe");
	ck_assert_str_eq(k.t[1], "roast");
	ck_assert_str_eq(k.t[2], "dark");
	ck_assert_str_eq(k.t[3], "roast");
	ck_assert_str_eq(k.t[4], "bean");
	k.n = 0;
	ck_assert_int_eq(store_tokenize(STORE_TOKENS_PREFIX_QUERY, "Éspresso", strlen("Éspresso"),
					take_token, &k), STORE_OK);
	ck_assert_int_eq(k.n, 1);
	ck_assert_str_eq(k.t[0], "espresso");
	k.n = 0;
	ck_assert_int_eq(store_tokenize(STORE_TOKENS_DOCUMENT, "", 0, take_token, &k), STORE_OK);
	ck_assert_int_eq(k.n, 0);
	k.stop_at = 1;
	ck_assert_int_eq(store_tokenize(STORE_TOKENS_DOCUMENT, text, strlen(text), take_token, &k),
			 STORE_ERROR);
	ck_assert_int_eq(k.n, 1);
}
END_TEST

int main(void)
{
	log_set_level(LOG_WARN);
	snprintf(sqlite_path, sizeof sqlite_path, "/tmp/voxcart-store-XXXXXX");
	int fd = mkstemp(sqlite_path);
	if (fd < 0)
		return 1;
	close(fd);
	snprintf(urls[url_count++], sizeof urls[0], "sqlite:%s", sqlite_path);
	const char *extra = getenv("VOXCART_STORE_TEST_URL");
	if (extra && *extra)
		snprintf(urls[url_count++], sizeof urls[0], "%s", extra);

	Suite *su = suite_create("store");
	TCase *tc = tcase_create("store");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, url_parsing);
	tcase_add_test(tc, tokenize_like_fts5);
	tcase_add_loop_test(tc, idempotency_round_trip, 0, url_count);
	tcase_add_loop_test(tc, transaction_and_savepoint, 0, url_count);
	tcase_add_loop_test(tc, accounts_and_tokens, 0, url_count);
	tcase_add_loop_test(tc, stock_is_never_oversold, 0, url_count);
	tcase_add_loop_test(tc, cart_and_cards, 0, url_count);
	tcase_add_loop_test(tc, conversations, 0, url_count);
	tcase_add_loop_test(tc, catalog_lists_and_update, 0, url_count);
	tcase_add_loop_test(tc, seller_views, 0, url_count);
	tcase_add_loop_test(tc, product_search, 0, url_count);
	tcase_add_loop_test(tc, products_each_and_changes, 0, url_count);
	tcase_add_loop_test(tc, housekeeping_lock, 0, url_count);
	tcase_add_loop_test(tc, thread_connection, 0, url_count);
	suite_add_tcase(su, tc);
	SRunner *sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	unlink(sqlite_path);
	char side[300];
	snprintf(side, sizeof side, "%s-wal", sqlite_path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", sqlite_path);
	unlink(side);
	return failed ? 1 : 0;
}
