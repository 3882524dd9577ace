/*
 * test_sqlite_checkpoint.c - the SQLite backend's WAL checkpoint (store/sqlite/conn.c:
 * its WAL hook starts it on a thread and a connection of its own at 1000 frames, as
 * SQLite's automatic checkpoint did in the committing thread).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "store/sqlite/legacy.h"
#include "test_db.h"

static sqlite3 *db;
static char path[64];

static void setup(void)
{
	db = test_db_open(path, sizeof path, "ckpt");
	ck_assert_int_eq(store_exec(db,
		"INSERT INTO users (id, email, password_hash, name, role, created_at)"
		" VALUES (1, 's@x', 'x', 'S', 'seller', 0);"
		"INSERT INTO products (id, seller_id, title, price_cents, stock, category, created_at,"
		" updated_at) VALUES (8, 1, 'Cup', 100, 5, 'Tea', 0, 0);"), SQLITE_OK);
}

static void teardown(void)
{
	sqlite3_close(db);
	test_db_remove(path);
}

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
	Suite *s = suite_create("sqlite_checkpoint");
	TCase *tc = tcase_create("sqlite_checkpoint");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_checkpoint_in_background);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
