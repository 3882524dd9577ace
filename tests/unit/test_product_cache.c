/*
 * test_product_cache.c - the serialised products the event loop answers by id
 * (server/product_cache.c) are never served once their row or their seller's name
 * changed through the store, on whichever connection: stock taken by an order, an
 * edit, a rename (told by the store once committed: store_on_product_change, as
 * voxcartd sets it up); a rolled-back change, a change of another product or of
 * another table (failed logins, conversations) leaves them.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "product_cache.h"
#include "store/sqlite/legacy.h"
#include "test_db.h"

static struct store *db, *other;
static char path[64];

static void setup(void)
{
	db = test_store_open(path, sizeof path, "pcache");
	char err[256];
	other = store_connect(path, err, sizeof err);
	ck_assert_msg(other != NULL, "%s", err);
	ck_assert_int_eq(store_exec(store_db_of(db),
		"INSERT INTO users (id, email, password_hash, name, role, created_at)"
		" VALUES (1, 's@x', 'x', 'S', 'seller', 0);"
		"INSERT INTO products (id, seller_id, title, price_cents, stock, category, created_at,"
		" updated_at) VALUES (7, 1, 'Tea', 100, 5, 'Tea', 0, 0), (8, 1, 'Cup', 100, 5, 'Tea', 0, 0);"),
			 SQLITE_OK);
	/* what voxcartd does at start on SQLite (main.c, catalog_feed_start) */
	store_on_product_change(product_cache_changed);
	product_cache_follow(1);
}

static void teardown(void)
{
	store_on_product_change(NULL);
	store_disconnect(other);
	store_disconnect(db);
	test_db_remove(path);
}

/* Sets product id's stock through the store on connection s. */
static void set_stock(struct store *s, int64_t id, int64_t stock)
{
	struct store_product_change c = { .has_stock = 1, .stock = stock };
	ck_assert_int_eq(store_product_update(s, id, &c, 1), STORE_OK);
}

static int cached(int64_t id)
{
	char p[64], *body = NULL;
	size_t len = 0;
	snprintf(p, sizeof p, "/api/v1/products/%lld", (long long)id);
	int rc = product_cache_answer(p, &body, &len);
	if (rc == 0)
		ck_assert_uint_eq(len, strlen(body));
	free(body);
	return rc == 0;
}

static void put(int64_t id)
{
	struct product_cache_stamp s = product_cache_stamp(id);
	product_cache_put(id, &s, "{\"id\":1}", 8);
	ck_assert(cached(id));
}

START_TEST(test_changes_make_entries_stale)
{
	put(7);
	put(8);
	/* Stock taken as orders.c does, on another connection. */
	ck_assert_int_eq(store_stock_take(other, 7, 1), STORE_OK);
	ck_assert(!cached(7));
	ck_assert(cached(8)); /* another product: still served */
	put(7);
	/* A transaction: the copy is the committed row until the commit, stale after it;
	 * a copy read meanwhile (the old row) must not outlive the commit. */
	ck_assert_int_eq(store_tx_begin(db), STORE_OK);
	struct store_product_change title = { .title = "Green Tea" };
	ck_assert_int_eq(store_product_update(db, 7, &title, 1), STORE_OK);
	ck_assert(cached(7));
	struct product_cache_stamp s = product_cache_stamp(7);
	ck_assert_int_eq(store_tx_commit(db), STORE_OK);
	ck_assert(!cached(7));
	product_cache_put(7, &s, "{\"old\":1}", 9);
	ck_assert(!cached(7));
	put(7);
	/* A seller's new name is in every product's JSON. */
	ck_assert_int_eq(store_user_update(other, 1, "T", 0, NULL), STORE_OK);
	ck_assert(!cached(7));
	ck_assert(!cached(8));
	put(8);
	/* A rolled-back change: nothing changed, the copy stays. */
	ck_assert_int_eq(store_tx_begin(db), STORE_OK);
	set_stock(db, 8, 0);
	store_tx_rollback(db);
	ck_assert(cached(8));
	/* Other tables and columns do not matter: a conversation, a failed login, an
	 * address. */
	int64_t conv = 0;
	int failures = 0;
	ck_assert_int_eq(store_conv_create(db, 1, 0, &conv), STORE_OK);
	ck_assert_int_eq(store_login_failed(other, 1, 5, 0, 60, &failures), STORE_OK);
	ck_assert_int_eq(store_user_update(db, 1, NULL, 1, "{\"city\":\"X\"}"), STORE_OK);
	ck_assert(cached(8));
}
END_TEST

START_TEST(test_paths)
{
	put(7);
	char *body = NULL;
	size_t len;
	ck_assert_int_eq(product_cache_answer("/api/v1/products/007", &body, &len), 0);
	free(body);
	static const char *const not_it[] = {
		"/api/v1/products/7/", "/api/v1/products/7x", "/api/v1/products/", "/api/v1/products/0",
		"/api/v1/products/-7", "/api/v1/product/7", "/api/v1/products/1234567890123456789",
		"/api/v1/products/8",
	};
	for (size_t i = 0; i < sizeof not_it / sizeof not_it[0]; i++)
		ck_assert_msg(product_cache_answer(not_it[i], &body, &len) == -1, "%s", not_it[i]);
}
END_TEST

static int see_json(const char *json, size_t len, void *arg)
{
	if (!json) /* never: said for gcc's -fsanitize build, which warns otherwise */
		return -1;
	ck_assert_uint_eq(len, strlen(json));
	snprintf(arg, 32, "%s", json);
	return strcmp(json, "{\"id\":7}") == 0 ? 0 : 1;
}

/* What the event loop answers with (http.c): the id of a product path, and the cached
 * text handed over under its lock while it is current, never once it went stale. */
START_TEST(test_with)
{
	ck_assert_int_eq(product_cache_id_of("/api/v1/products/007"), 7);
	ck_assert_int_eq(product_cache_id_of("/api/v1/products/7/"), -1);
	ck_assert_int_eq(product_cache_id_of("/api/v1/products/0"), -1);
	ck_assert_int_eq(product_cache_id_of("/api/v1/products"), -1);
	struct product_cache_stamp s = product_cache_stamp(7);
	ck_assert_int_eq(product_cache_put(7, &s, "{\"id\":7}", 8), 0);
	char seen[32] = "";
	ck_assert_int_eq(product_cache_with(7, see_json, seen), 0);
	ck_assert_str_eq(seen, "{\"id\":7}");
	s = product_cache_stamp(8);
	ck_assert_int_eq(product_cache_put(8, &s, "{\"id\":8}", 8), 0);
	ck_assert_int_eq(product_cache_with(8, see_json, seen), -2); /* the callback's failure */
	set_stock(other, 7, 2);
	seen[0] = '\0';
	ck_assert_int_eq(product_cache_with(7, see_json, seen), -1);
	ck_assert_str_eq(seen, "");
	ck_assert_int_eq(product_cache_with(-1, see_json, seen), -1);
}
END_TEST

/* Stamps taken all at once before a long read (the warm-up's snapshot): a product
 * changed after the snapshot is not kept from that read; the others are, and a copy
 * appended to a page is the cached text. */
START_TEST(test_snapshot_stamps)
{
	struct product_cache_snapshot *snap = product_cache_snapshot();
	ck_assert_ptr_nonnull(snap);
	set_stock(other, 7, 1);
	struct product_cache_stamp s7 = product_cache_snapshot_stamp(snap, 7);
	struct product_cache_stamp s8 = product_cache_snapshot_stamp(snap, 8);
	ck_assert_int_eq(product_cache_put(7, &s7, "{\"id\":7}", 8), -1);
	ck_assert_int_eq(product_cache_put(8, &s8, "{\"id\":8}", 8), 0);
	free(snap);
	ck_assert(!cached(7));
	ck_assert(cached(8));
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ck_assert_int_eq(product_cache_append(7, &buf, &len, &cap), -1);
	ck_assert_int_eq(product_cache_append(8, &buf, &len, &cap), 0);
	ck_assert_int_eq(product_cache_append(8, &buf, &len, &cap), 0);
	ck_assert_uint_eq(len, 16);
	ck_assert_int_eq(memcmp(buf, "{\"id\":8}{\"id\":8}", 16), 0);
	free(buf);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("product_cache");
	TCase *tc = tcase_create("product_cache");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_changes_make_entries_stale);
	tcase_add_test(tc, test_paths);
	tcase_add_test(tc, test_with);
	tcase_add_test(tc, test_snapshot_stamps);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
