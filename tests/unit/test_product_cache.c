/*
 * test_product_cache.c - the serialised products the event loop answers by id
 * (server/product_cache.c) are never served once their row or their seller's name
 * changed, by whatever statement on whichever connection: stock taken by an order,
 * an edit, a rename; a rolled-back change or a change of another product leaves them.
 */
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "product_cache.h"
#include "store.h"
#include "test_db.h"

static sqlite3 *db, *other;
static char path[64];

static void setup(void)
{
	db = test_db_open(path, sizeof path, "pcache");
	char err[256];
	other = store_open(path, err, sizeof err);
	ck_assert_msg(other != NULL, "%s", err);
	ck_assert_int_eq(sqlite3_exec(db,
		"INSERT INTO users (id, email, password_hash, name, role, created_at)"
		" VALUES (1, 's@x', 'x', 'S', 'seller', 0);"
		"INSERT INTO products (id, seller_id, title, price_cents, stock, category, created_at,"
		" updated_at) VALUES (7, 1, 'Tea', 100, 5, 'Tea', 0, 0), (8, 1, 'Cup', 100, 5, 'Tea', 0, 0);",
		NULL, NULL, NULL), SQLITE_OK);
}

static void teardown(void)
{
	sqlite3_close(other);
	sqlite3_close(db);
	char aux[80];
	unlink(path);
	snprintf(aux, sizeof aux, "%s-wal", path);
	unlink(aux);
	snprintf(aux, sizeof aux, "%s-shm", path);
	unlink(aux);
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
	/* Stock taken the way orders.c does, on another connection. */
	ck_assert_int_eq(sqlite3_exec(other, "UPDATE products SET stock = stock - 1 WHERE id = 7",
				      NULL, NULL, NULL), SQLITE_OK);
	ck_assert(!cached(7));
	ck_assert(cached(8)); /* another product: still served */
	put(7);
	/* A transaction: stale from the change on, and after the commit. */
	ck_assert_int_eq(sqlite3_exec(db, "BEGIN IMMEDIATE; UPDATE products SET title = 'Green Tea'"
				      " WHERE id = 7", NULL, NULL, NULL), SQLITE_OK);
	ck_assert(!cached(7));
	/* A copy read meanwhile (the old row) must not outlive the commit. */
	struct product_cache_stamp s = product_cache_stamp(7);
	ck_assert_int_eq(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	product_cache_put(7, &s, "{\"old\":1}", 9);
	ck_assert(!cached(7));
	put(7);
	/* A seller's new name is in every product's JSON. */
	ck_assert_int_eq(sqlite3_exec(other, "UPDATE users SET name = 'T' WHERE id = 1", NULL, NULL,
				      NULL), SQLITE_OK);
	ck_assert(!cached(7));
	ck_assert(!cached(8));
	put(8);
	/* A rolled-back change: the entry went stale; a new one is kept again. */
	ck_assert_int_eq(sqlite3_exec(db, "BEGIN; UPDATE products SET stock = 0 WHERE id = 8;"
				      " ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	put(8);
	/* Other tables do not matter. */
	ck_assert_int_eq(sqlite3_exec(db, "INSERT INTO conversations (user_id, started_at, last_at)"
				      " VALUES (1, 0, 0)", NULL, NULL, NULL), SQLITE_OK);
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
	ck_assert_int_eq(sqlite3_exec(other, "UPDATE products SET stock = 2 WHERE id = 7", NULL, NULL,
				      NULL), SQLITE_OK);
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
	ck_assert_int_eq(sqlite3_exec(other, "UPDATE products SET stock = 1 WHERE id = 7", NULL, NULL,
				      NULL), SQLITE_OK);
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

static long wal_bytes(void)
{
	char aux[80];
	FILE *f;
	snprintf(aux, sizeof aux, "%s-wal", path);
	if (!(f = fopen(aux, "rb")))
		return 0;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fclose(f);
	return n;
}

static void commits(int n)
{
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(sqlite3_exec(db, "UPDATE products SET stock = stock + 1 WHERE id = 8",
					      NULL, NULL, NULL), SQLITE_OK);
}

/* The automatic checkpoint (at 1000 WAL frames) still happens now that it runs on a
 * thread of its own: after one, the WAL starts again from its beginning, so 3,700
 * one-page commits over 5 s leave a WAL file well under 3,700 frames (the file keeps
 * its largest size).  It failed while the checkpoint's new connection had not yet
 * read the file: it saw no WAL to copy. */
START_TEST(test_checkpoint_in_background)
{
	commits(1200);
	for (int i = 0; i < 50; i++) {
		usleep(100 * 1000);
		commits(50);
	}
	long frame = 4096 + 24;
	ck_assert_msg(wal_bytes() < 3000 * frame, "WAL of %ld frames", wal_bytes() / frame);
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
	tcase_add_test(tc, test_checkpoint_in_background);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
