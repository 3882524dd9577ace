/*
 * test_searchidx.c - the in-memory search index (server/searchidx.c) answers exactly
 * what SQLite's FTS5 answers: the same products in the same order and the same total,
 * for every word of a generated catalog, prefixes, pairs, any-word queries, with
 * filters, sorts and pages; also after products are added, edited and archived.
 * Built from PostgreSQL (the same catalog copied into a fresh database of the cluster
 * named by $VOXCART_STORE_TEST_URL), it answers the same: search answers do not depend
 * on the backend.
 */
#include <check.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "fts.h"
#include "searchidx.h"
#include "store/sqlite/legacy.h"
#include "test_db.h"

static sqlite3 *db;
static struct store *store;
static char path[64];

static const char *const words[] = {
	"coffee", "coffees", "roast", "roasted", "roasting", "dark", "light", "beans", "bean",
	"organic", "espresso", "tea", "green", "earl", "grey", "milk", "oat", "almond",
	"crème", "brûlée", "naïve", "café", "apples", "apple", "honeycrisp", "fresh", "usb",
	"cable", "charger", "wireless", "earbuds", "s", "2", "10", "lb", "bag", "pack",
	"running", "runner", "runs", "shoes", "socks", "x",
};
static const char *const cats[] = { "Coffee & Tea", "Fruit", "Electronics", "Clothing", "Café" };
#define NW (int)(sizeof words / sizeof words[0])

static void sentence(char *out, size_t n, int len)
{
	size_t k = 0;
	out[0] = '\0';
	for (int i = 0; i < len; i++)
		k += (size_t)snprintf(out + k, n - k, "%s%s", i ? " " : "", words[rand() % NW]);
}

static int64_t add_product(void)
{
	char title[256], desc[1024], tags[256];
	sentence(title, sizeof title, 1 + rand() % 5);
	sentence(desc, sizeof desc, rand() % 14);
	snprintf(tags, sizeof tags, "[\"%s\", \"%s\"]", words[rand() % NW], words[rand() % NW]);
	return catalog_insert(store, 1 + rand() % 3, title, desc, 100 + rand() % 900, 5,
			      cats[rand() % 5], rand() % 4 ? tags : "[]");
}

static void setup(void)
{
	store = test_store_open(path, sizeof path, "sidx");
	db = store_db_of(store);
	store_set_path(path); /* for the index's builder thread */
	ck_assert_int_eq(sqlite3_exec(db,
		"INSERT INTO users (id, email, password_hash, name, role, created_at) VALUES"
		" (1, 'a@x', 'x', 'A', 'seller', 0), (2, 'b@x', 'x', 'B', 'seller', 0),"
		" (3, 'c@x', 'x', 'C', 'seller', 0);",
		NULL, NULL, NULL), SQLITE_OK);
	srand(16);
	ck_assert_int_eq(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	for (int i = 0; i < 1500; i++)
		ck_assert_int_gt(add_product(), 0);
	/* Some share created_at (ties for newest), some are archived. */
	ck_assert_int_eq(sqlite3_exec(db,
		"UPDATE products SET created_at = created_at + id % 7;"
		"UPDATE products SET status = 'archived' WHERE id % 11 = 0;"
		"DELETE FROM products_fts WHERE rowid % 11 = 0;"
		"COMMIT;", NULL, NULL, NULL), SQLITE_OK);
	searchidx_invalidate();
	searchidx_build(store);
}

static void teardown(void)
{
	searchidx_invalidate();
	store_disconnect(store);
	test_db_remove(path);
}

/* Compares the index and SQLite for one query; returns the number of items. */
static int compare(const char *text, int any, const char *cat, int64_t lo, int64_t hi,
		   int64_t seller, const char *sort, int64_t limit, int64_t offset)
{
	char match[1024];
	int nw = fts_build_query(text, any, match, sizeof match);
	ck_assert_int_ge(nw, 0); /* 0: a list without words */
	struct searchidx_query sq = { .match = nw ? match : "", .any_word = any, .category = cat,
				      .min_price = lo, .max_price = hi, .seller_id = seller,
				      .limit = limit, .offset = offset };
	sq.sort = !sort || !strcmp(sort, "relevance") ? SEARCHIDX_RANK
		  : !strcmp(sort, "newest") ? SEARCHIDX_NEWEST
		  : !strcmp(sort, "price_asc") ? SEARCHIDX_PRICE_ASC : SEARCHIDX_PRICE_DESC;
	int64_t ids[200], total = -1;
	int n = -1;
	ck_assert_msg(searchidx_search(&sq, ids, &n, &total) == 0, "index refused %s", match);

	/* The same search through the storage interface (FTS5 and the indexes). */
	struct store_search ss = { .match = match, .words = nw, .category = cat, .min_price = lo,
				   .max_price = hi, .seller_id = seller, .limit = limit,
				   .offset = offset, .total = -1 };
	ss.sort = !sort || !strcmp(sort, "relevance") ? STORE_SORT_RANK
		  : !strcmp(sort, "newest") ? STORE_SORT_NEWEST
		  : !strcmp(sort, "price_asc") ? STORE_SORT_PRICE_ASC : STORE_SORT_PRICE_DESC;
	int64_t sids[200], stotal = -1;
	size_t sn = 0;
	ck_assert_int_le(limit, 200);
	ck_assert_int_eq(store_products_search(store, &ss, sids, &sn, &stotal), STORE_OK);
	ck_assert_msg((int)sn == n, "%s %s cat=%s sort=%s off=%lld: %d items, SQLite %zu", match,
		      any ? "any" : "all", cat ? cat : "-", sort ? sort : "-", (long long)offset, n, sn);
	for (int k = 0; k < n; k++)
		ck_assert_msg(sids[k] == ids[k],
			      "%s %s cat=%s sort=%s off=%lld: item %d is %lld, SQLite says %lld",
			      match, any ? "any" : "all", cat ? cat : "-", sort ? sort : "-",
			      (long long)offset, k, (long long)ids[k], (long long)sids[k]);
	ck_assert_msg(stotal == total, "%s %s: total %lld, SQLite %lld", match,
		      any ? "any" : "all", (long long)total, (long long)stotal);
	return n;
}

/* Lists without words (issue 16: category browsing answered from the index): every
 * filter, sort and some pages, against the storage interface's search (SQLite's plans). */
static void compare_wordless(void)
{
	static const char *const sorts[] = { NULL, "relevance", "newest", "price_asc", "price_desc" };
	static const char *const lcats[] = { NULL, "Coffee & Tea", "café", "FRUIT", "Clothing",
					     "no such category" };
	static const int64_t prices[][2] = { { -1, -1 }, { -1, 500 }, { 300, -1 }, { 250, 260 },
					     { 500, 500 }, { 700, 200 }, { 0, 99 }, { 999, -1 } };
	for (size_t s = 0; s < sizeof sorts / sizeof *sorts; s++)
		for (size_t c = 0; c < sizeof lcats / sizeof *lcats; c++)
			for (size_t p = 0; p < sizeof prices / sizeof *prices; p++) {
				compare("", 0, lcats[c], prices[p][0], prices[p][1], 0, sorts[s], 20, 0);
				compare("", 0, lcats[c], prices[p][0], prices[p][1], 0, sorts[s], 7,
					(int64_t)(p * 13));
				if (p % 3 == 0)
					compare("", 0, lcats[c], prices[p][0], prices[p][1], 1 + (int64_t)c % 3,
						sorts[s], 20, (int64_t)s);
			}
	compare(" ,. ", 0, NULL, -1, -1, 0, NULL, 100, 1300); /* no words, the last page */
}

static void compare_all(void)
{
	compare_wordless();
	static const char *const sorts[] = { NULL, "newest", "price_asc", "price_desc" };
	int nonempty = 0;
	for (int i = 0; i < NW; i++) {
		nonempty += compare(words[i], 0, NULL, -1, -1, 0, NULL, 20, 0) > 0;
		compare(words[i], 0, NULL, -1, -1, 0, NULL, 50, 20);
		compare(words[i], 0, "coffee & TEA", -1, 600, 0, sorts[i % 4], 20, 0);
		compare(words[i], 0, NULL, 300, -1, 2, sorts[(i + 1) % 4], 10, 5);
		char pre[8];
		snprintf(pre, sizeof pre, "%.2s", words[i]);
		compare(pre, 0, NULL, -1, -1, 0, NULL, 20, 0);
		for (int j = 0; j < NW; j += 3) {
			char two[64];
			snprintf(two, sizeof two, "%s %s", words[i], words[j]);
			compare(two, 0, NULL, -1, -1, 0, NULL, 20, 0);
			compare(two, 1, NULL, -1, -1, 0, NULL, 20, 0);
			compare(two, 1, "Café", 200, 800, 0, sorts[j % 4], 20, 0);
		}
	}
	ck_assert_int_gt(nonempty, NW / 2);
	compare("nosuchword", 0, NULL, -1, -1, 0, NULL, 20, 0);
	compare("coffee", 0, "no such category", -1, -1, 0, NULL, 20, 0);
	compare("dark roast coffee beans organic", 0, NULL, -1, -1, 0, NULL, 20, 0);
	compare("CAFE creme", 1, NULL, -1, -1, 0, NULL, 100, 0);
}

/* One- and two-letter prefixes of every word (merged lists, kept by the index), with
 * a filter and a sort too. */
static void compare_prefixes(void)
{
	for (int i = 0; i < NW; i++) {
		char pre[8];
		snprintf(pre, sizeof pre, "%.2s", words[i]);
		compare(pre, 0, NULL, -1, -1, 0, NULL, 20, 0);
		snprintf(pre, sizeof pre, "%.1s", words[i]);
		compare(pre, 0, NULL, -1, -1, 0, NULL, 20, 0);
		compare(pre, 0, cats[i % 5], -1, 700, 0, i % 2 ? "newest" : NULL, 20, 3);
	}
}

START_TEST(test_same_answers_as_fts5)
{
	compare_all();
}
END_TEST

START_TEST(test_in_step_with_changes)
{
	/* New products, edits of text, category and price, archiving and re-activating. */
	compare_wordless(); /* the lists without words are built, then must follow */
	compare_prefixes(); /* merged prefix lists are kept, then must follow */
	long differ = -1, kept = searchidx_prefix_lists(&differ);
	ck_assert_int_gt(kept, 0);
	ck_assert_int_eq(differ, 0);
	for (int i = 0; i < 40; i++)
		searchidx_product_changed(store, add_product());
	/* Kept through the changes (issue 16: they were all emptied), and in step. */
	ck_assert_int_ge(searchidx_prefix_lists(&differ), kept);
	ck_assert_int_eq(differ, 0);
	compare_prefixes();
	compare_wordless();
	char sql[512];
	for (int id = 5; id < 1500; id += 37) {
		char t[256];
		sentence(t, sizeof t, 1 + id % 4);
		sqlite3_stmt *st;
		ck_assert_int_eq(sqlite3_prepare_v2(db,
			"UPDATE products SET title = ?1, price_cents = ?2, category = ?3,"
			" status = CASE WHEN ?4 THEN 'archived' ELSE 'active' END WHERE id = ?5",
			-1, &st, NULL), SQLITE_OK);
		sqlite3_bind_text(st, 1, t, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, 100 + id % 800);
		sqlite3_bind_text(st, 3, cats[id % 5], -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 4, id % 3 == 0);
		sqlite3_bind_int(st, 5, id);
		ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
		sqlite3_finalize(st);
		/* what listings.c's fts_sync does */
		snprintf(sql, sizeof sql,
			 "DELETE FROM products_fts WHERE rowid = %d;"
			 "INSERT INTO products_fts (rowid, title, description, category, tags_text)"
			 " SELECT id, title, description, category,"
			 " (SELECT group_concat(value, ' ') FROM json_each(products.tags))"
			 " FROM products WHERE id = %d AND status = 'active';", id, id);
		ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
		searchidx_product_changed(store, id);
		if (id % 5 == 0)
			compare("", 0, cats[id % 5], -1, 500, 0, id % 2 ? "price_desc" : NULL, 20, 0);
		if (id % 7 == 0)
			compare_prefixes();
	}
	ck_assert_int_ge(searchidx_prefix_lists(&differ), kept);
	ck_assert_int_eq(differ, 0);
	compare_all();
	/* A product archived and removed, then the same answers as a fresh index. */
	ck_assert_int_eq(sqlite3_exec(db, "UPDATE products SET status = 'archived' WHERE id = 12;"
				      "DELETE FROM products_fts WHERE rowid = 12;", NULL, NULL, NULL),
			 SQLITE_OK);
	searchidx_product_changed(store, 12);
	ck_assert_int_eq(sqlite3_exec(db, "DELETE FROM products WHERE id = 13;"
				      "DELETE FROM products_fts WHERE rowid = 13;", NULL, NULL, NULL),
			 SQLITE_OK);
	searchidx_product_changed(store, 13);
	ck_assert_int_ge(searchidx_prefix_lists(&differ), kept);
	ck_assert_int_eq(differ, 0);
	compare_prefixes();
}
END_TEST

START_TEST(test_not_ready_or_phrases_go_to_sqlite)
{
	struct searchidx_query sq = { .match = "\"coffee\"*", .min_price = -1, .max_price = -1,
				      .limit = 20 };
	int64_t ids[20], total;
	int n;
	ck_assert_int_eq(searchidx_search(&sq, ids, &n, &total), 0);
	searchidx_invalidate();
	/* Not built: SQLite answers (-1) until the builder thread is done. */
	int r = searchidx_search(&sq, ids, &n, &total);
	for (int i = 0; r != 0 && i < 500; i++) {
		ck_assert_int_eq(r, -1);
		usleep(10000);
		r = searchidx_search(&sq, ids, &n, &total);
	}
	ck_assert_int_eq(r, 0);
	/* A word the tokenizer splits is a phrase to FTS5. */
	sq.match = "\"caf\xc3\xa9\xe2\x80\x94x\"*";
	ck_assert_int_eq(searchidx_search(&sq, ids, &n, &total), -1);
}
END_TEST

/* An empty catalog (no terms at all) and a product with no words (found by fuzz_ws
 * under UBSan: qsort of a NULL array). */
START_TEST(test_empty_catalog_and_wordless_product)
{
	ck_assert_int_eq(sqlite3_exec(db, "UPDATE products SET status = 'archived';"
				      " DELETE FROM products_fts;", NULL, NULL, NULL), SQLITE_OK);
	searchidx_invalidate();
	searchidx_build(store);
	struct searchidx_query sq = { .match = "\"coffee\"*", .min_price = -1, .max_price = -1,
				      .limit = 20 };
	int64_t ids[20], total = -1;
	int n = -1;
	ck_assert_int_eq(searchidx_search(&sq, ids, &n, &total), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(total, 0);
	int64_t id = catalog_insert(store, 1, "!!! ...", "", 100, 1, "Tea", "[]");
	ck_assert_int_gt(id, 0);
	searchidx_product_changed(store, id);
	sq.match = "\"tea\"*";
	ck_assert_int_eq(searchidx_search(&sq, ids, &n, &total), 0);
	ck_assert_int_eq(total, 1); /* its category */
	ck_assert_int_eq(ids[0], id);
	compare("tea", 0, NULL, -1, -1, 0, NULL, 20, 0);
}
END_TEST

/* A fresh database on the test cluster (dropped first when left over); its URL in
 * url, or 0 when there is no cluster. */
static int pg_fresh(const char *name, char *url, size_t len)
{
	const char *base = getenv("VOXCART_STORE_TEST_URL");
	if (!base || strncmp(base, "postgres", 8) != 0)
		return 0;
	PGconn *c = PQconnectdb(base);
	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
	char sql[160];
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", name);
	PQclear(PQexec(c, sql));
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
	PGresult *r = PQexec(c, sql);
	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s", PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	/* postgresql://user@host:port/db[?params]: the same with another db */
	const char *q = strchr(base, '?');
	const char *slash = strrchr(base, '/');
	ck_assert_ptr_nonnull(slash);
	snprintf(url, len, "%.*s/%s%s", (int)(slash - base), base, name, q ? q : "");
	return 1;
}

static void pg_drop(const char *name)
{
	PGconn *c = PQconnectdb(getenv("VOXCART_STORE_TEST_URL"));
	char sql[160];
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", name);
	PQclear(PQexec(c, sql));
	PQfinish(c);
}

START_TEST(test_same_answers_built_from_postgres)
{
	char name[64], url[512], err[256];
	snprintf(name, sizeof name, "voxcart_sidx_%d", (int)getpid());
	if (!pg_fresh(name, url, sizeof url)) {
		fprintf(stderr, "test_searchidx: no VOXCART_STORE_TEST_URL: the PostgreSQL case is"
			" skipped (scripts/run-unit.sh starts a cluster)\n");
		return;
	}
	struct store *pg = store_connect(url, err, sizeof err);
	ck_assert_msg(pg != NULL, "%s", err);
	ck_assert_msg(store_upgrade(pg, err, sizeof err) == 0, "%s", err);
	/* The same catalog, the same ids: sellers 1-3, then every product in id order. */
	for (int i = 1; i <= 3; i++) {
		char email[32];
		int64_t uid = 0;
		snprintf(email, sizeof email, "%c@x", 'a' + i - 1);
		ck_assert_int_eq(store_user_create(pg, email, "x", "S", "seller", 0, &uid), STORE_OK);
		ck_assert_int_eq(uid, i);
	}
	ck_assert_int_eq(store_tx_begin(pg), STORE_OK);
	int64_t n = 0;
	ck_assert_int_eq(store_products_count(store, &n), STORE_OK);
	ck_assert_int_gt(n, 1000);
	for (int64_t id = 1; id <= n; id++) {
		struct store_product p;
		ck_assert_int_eq(store_product_get(store, id, &p), STORE_OK);
		int64_t got = 0;
		ck_assert_int_eq(store_product_insert(pg, p.seller_id, p.title, p.description,
						      p.price_cents, p.stock, p.category, p.tags,
						      NULL, p.created_at, &got), STORE_OK);
		ck_assert_int_eq(got, id);
		if (strcmp(p.status, "active") != 0) {
			struct store_product_change c = { .status = p.status };
			ck_assert_int_eq(store_product_update(pg, id, &c, p.created_at), STORE_OK);
		}
		store_product_free(&p);
	}
	ck_assert_int_eq(store_tx_commit(pg), STORE_OK);
	searchidx_invalidate();
	searchidx_build(pg);
	compare_all(); /* the index built from PostgreSQL against FTS5 on SQLite */
	/* and kept in step through PostgreSQL */
	int64_t id = catalog_insert(store, 2, "Organic honeycrisp espresso", "", 450, 3, "Fruit", "[]");
	int64_t pid = 0;
	ck_assert_int_eq(store_product_insert(pg, 2, "Organic honeycrisp espresso", "", 450, 3,
					      "Fruit", "[]", NULL, store_now(), &pid), STORE_OK);
	ck_assert_int_eq(pid, id);
	searchidx_product_changed(pg, pid);
	compare("honeycrisp espresso", 0, NULL, -1, -1, 0, NULL, 20, 0);
	compare("", 0, "fruit", -1, 500, 0, "price_desc", 20, 0);
	store_disconnect(pg);
	searchidx_invalidate();
	pg_drop(name);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("searchidx");
	TCase *tc = tcase_create("searchidx");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_same_answers_as_fts5);
	tcase_add_test(tc, test_in_step_with_changes);
	tcase_add_test(tc, test_not_ready_or_phrases_go_to_sqlite);
	tcase_add_test(tc, test_empty_catalog_and_wordless_product);
	tcase_add_test(tc, test_same_answers_built_from_postgres);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
