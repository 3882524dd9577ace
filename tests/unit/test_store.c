/*
 * test_store.c - the storage interface (store/store.h), the same cases for every
 * backend: SQLite in a temporary file always, and the database named by
 * $VOXCART_STORE_TEST_URL too when it is set (a throwaway PostgreSQL, say).  Each case
 * runs once per backend (a loop test; _i picks the URL).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	tcase_add_loop_test(tc, idempotency_round_trip, 0, url_count);
	tcase_add_loop_test(tc, transaction_and_savepoint, 0, url_count);
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
