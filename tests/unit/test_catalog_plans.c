/*
 * test_catalog_plans.c - the query plans of GET /api/v1/products (server/store/sqlite/search.c).
 *
 * A guard against a fixed pathology (issue 16: a category + price cap took 60-250 ms at
 * 100,000 products because SQLite ranged over the price index and sorted thousands of
 * rows): for every combination of filters (category, min_price, max_price, seller_id),
 * sort and words, and for both plans a price range can get (few matches: range and
 * sort; many: walk the newest-first index), EXPLAIN QUERY PLAN of the page and of the
 * count must start from an index (or the full-text index) and never scan the products
 * table; the page may sort only what a price range or the full-text index gave (at
 * most SQ_SORT_MAX rows, or the word matches), never the whole table.  No timing.
 */
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "store/sqlite/sqlite.h"
#include "fts.h"
#include "store/sqlite/legacy.h"
#include "test_db.h"

static sqlite3 *db;
static struct store *store;
static char path[64];

static void setup(void)
{
	store = test_store_open(path, sizeof path, "plans");
	db = store_db_of(store);
	/* A few products, so that the plans are those of a real catalog. */
	ck_assert_int_eq(sqlite3_exec(db,
		"INSERT INTO users (id, email, password_hash, name, role, created_at)"
		" VALUES (1, 's@x', 'x', 'S', 'seller', 0);",
		NULL, NULL, NULL), SQLITE_OK);
	for (int i = 0; i < 200; i++)
		ck_assert_int_gt(catalog_insert(store, 1, i % 2 ? "Dark Roast Coffee" : "Green Tea",
						"beans", 100 + i, 5, i % 3 ? "Coffee" : "Tea",
						"[\"x\"]"), 0);
}

static void teardown(void)
{
	store_disconnect(store);
	test_db_remove(path);
}

/* The plan's lines, one string ("detail | detail ..."). */
static void plan_of(const char *sql, char *out, size_t outlen)
{
	char eqp[4096];
	snprintf(eqp, sizeof eqp, "EXPLAIN QUERY PLAN %s", sql);
	sqlite3_stmt *st;
	ck_assert_msg(sqlite3_prepare_v2(db, eqp, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
		      sqlite3_errmsg(db));
	out[0] = '\0';
	size_t n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(st, 3);
		n += (size_t)snprintf(out + n, outlen - n, "%s | ", d);
		ck_assert(n < outlen);
	}
	sqlite3_finalize(st);
}

/* Each table of the plan is reached through an index (or the full-text index). */
static void check_lines(const char *what, const char *plan)
{
	char copy[4096];
	snprintf(copy, sizeof copy, "%s", plan);
	for (char *save, *line = strtok_r(copy, "|", &save); line; line = strtok_r(NULL, "|", &save)) {
		while (*line == ' ')
			line++;
		if (!*line || strncmp(line, "USE TEMP B-TREE", 15) == 0 || strncmp(line, "SUBQUERY", 8) == 0 ||
		    strncmp(line, "CO-ROUTINE", 10) == 0)
			continue;
		int ok = strstr(line, " USING INDEX ") || strstr(line, " USING COVERING INDEX ") ||
			 strstr(line, " USING INTEGER PRIMARY KEY ") ||
			 strstr(line, "VIRTUAL TABLE INDEX") || strncmp(line, "SCAN f", 6) == 0;
		ck_assert_msg(ok, "%s: plan line '%s' is not an index search (plan: %s)", what, line,
			      plan);
	}
}

static enum store_sort sort_of(const char *sort)
{
	return !sort || !strcmp(sort, "relevance") ? STORE_SORT_RANK
	       : !strcmp(sort, "newest") ? STORE_SORT_NEWEST
	       : !strcmp(sort, "price_asc") ? STORE_SORT_PRICE_ASC : STORE_SORT_PRICE_DESC;
}

START_TEST(test_every_filter_and_sort_uses_an_index)
{
	static const char *const sorts[] = { NULL, "relevance", "newest", "price_asc", "price_desc" };
	int checked = 0;
	for (int words = 0; words < 2; words++)
	for (int mask = 0; mask < 16; mask++)
	for (size_t s = 0; s < sizeof sorts / sizeof sorts[0]; s++)
	for (int big = 0; big < 2; big++) {
		struct store_search q = { 0 };
		const char *text = words ? "dark roast" : NULL;
		q.category = mask & 1 ? "coffee" : NULL;
		q.min_price = mask & 2 ? 150 : -1;
		q.max_price = mask & 4 ? 250 : -1;
		q.seller_id = mask & 8 ? 1 : 0;
		q.sort = sort_of(sorts[s]);
		q.limit = 20;
		char match[256], sql[2048], count_sql[1024];
		q.words = fts_build_query(text, 0, match, sizeof match);
		q.match = match;
		int64_t total = big ? SQ_SORT_MAX + 1 : SQ_SORT_MAX;
		q.total = total;
		ck_assert_int_eq(sq_search_sql(&q, sql, sizeof sql, count_sql, sizeof count_sql), 0);
		char what[160], plan[4096];
		snprintf(what, sizeof what, "words=%d category=%d min=%d max=%d seller=%d sort=%s total=%lld",
			 words, mask & 1, !!(mask & 2), !!(mask & 4), !!(mask & 8),
			 sorts[s] ? sorts[s] : "(default)", (long long)total);

		plan_of(count_sql, plan, sizeof plan);
		check_lines(what, plan);
		ck_assert_msg(!strstr(plan, "TEMP B-TREE"), "%s: the count sorts: %s", what, plan);

		plan_of(sql, plan, sizeof plan);
		check_lines(what, plan);
		/* A sort of the page's rows is allowed only over a bounded set: the word
		 * matches, or a price range of at most SQ_SORT_MAX products.  A sort
		 * of the right part of ORDER BY orders ties of price only. */
		const char *sort = strstr(plan, "USE TEMP B-TREE FOR ORDER BY");
		if (sort) {
			int bounded = words || ((mask & 6) && !big);
			ck_assert_msg(bounded, "%s: the page sorts the products: %s", what, plan);
		}
		if (!words && !(mask & 6) && sorts[s] && strcmp(sorts[s], "price_asc") == 0)
			ck_assert_msg(!strstr(plan, "TEMP B-TREE"), "%s: sorts: %s", what, plan);
		checked++;
	}
	ck_assert_int_eq(checked, 2 * 16 * 5 * 2);
}
END_TEST

/* The plans give the same answers: each combination's page and count against a
 * straightforward query over the same rows. */
START_TEST(test_plans_answer_like_a_plain_query)
{
	static const char *const sorts[] = { "newest", "price_asc", "price_desc" };
	static const char *const plain_order[] = { "created_at DESC, id DESC", "price_cents, id",
						   "price_cents DESC, id" };
	for (int mask = 0; mask < 16; mask++)
	for (int s = 0; s < 3; s++)
	for (int big = 0; big < 2; big++) {
		struct store_search q = { 0 };
		q.category = mask & 1 ? "COFFEE" : NULL;
		q.min_price = mask & 2 ? 150 : -1;
		q.max_price = mask & 4 ? 250 : -1;
		q.seller_id = mask & 8 ? 1 : 0;
		q.sort = sort_of(sorts[s]);
		q.limit = 7;
		q.offset = 3;
		q.total = big ? 100000 : 1;
		char sql[2048], count_sql[1024], plain[1024];
		ck_assert_int_eq(sq_search_sql(&q, sql, sizeof sql, count_sql, sizeof count_sql), 0);
		snprintf(plain, sizeof plain,
			 "SELECT id FROM products NOT INDEXED WHERE status = 'active'"
			 " AND (?2 IS NULL OR category = ?2 COLLATE NOCASE)"
			 " AND (?3 IS NULL OR price_cents >= ?3) AND (?4 IS NULL OR price_cents <= ?4)"
			 " AND (?5 IS NULL OR seller_id = ?5) ORDER BY %s LIMIT 7 OFFSET 3",
			 plain_order[s]);
		sqlite3_stmt *a, *b;
		ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &a, NULL), SQLITE_OK);
		ck_assert_int_eq(sqlite3_prepare_v2(db, plain, -1, &b, NULL), SQLITE_OK);
		sqlite3_stmt *both[2] = { a, b };
		for (int i = 0; i < 2; i++) {
			if (q.category)
				sqlite3_bind_text(both[i], 2, q.category, -1, SQLITE_STATIC);
			if (q.min_price >= 0)
				sqlite3_bind_int64(both[i], 3, q.min_price);
			if (q.max_price >= 0)
				sqlite3_bind_int64(both[i], 4, q.max_price);
			if (q.seller_id > 0)
				sqlite3_bind_int64(both[i], 5, q.seller_id);
		}
		sqlite3_bind_int64(a, 6, q.limit);
		sqlite3_bind_int64(a, 7, q.offset);
		int rows = 0;
		for (;;) {
			int ra = sqlite3_step(a), rb = sqlite3_step(b);
			ck_assert_int_eq(ra, rb);
			if (ra != SQLITE_ROW)
				break;
			ck_assert_msg(sqlite3_column_int64(a, 0) == sqlite3_column_int64(b, 0),
				      "mask %d sort %s: row %d differs", mask, sorts[s], rows);
			rows++;
		}
		ck_assert_int_gt(rows, 0);
		sqlite3_finalize(a);
		sqlite3_finalize(b);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("catalog_plans");
	TCase *tc = tcase_create("plans");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_every_filter_and_sort_uses_an_index);
	tcase_add_test(tc, test_plans_answer_like_a_plain_query);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
