/*
 * test_pg.c - the PostgreSQL backend's foundation against a throwaway cluster
 * (scripts/pg-cluster.sh, or the database in VOXCART_PG_URL): migrations applied
 * once when several processes start together, search ranked title > tags >
 * category > description with prefixes, stock never oversold by 50 shoppers on
 * three pools (three processes' worth of connections), the advisory lock of
 * run-once housekeeping, and an Idempotency-Key replayed on another connection
 * (another process) while the first is still at work: it waits, then gets the
 * stored answer; checkout through the storage interface on 20 connections (stock
 * never oversold) and one order expired by two at once (its units back once).
 * run-unit.sh shares its cluster with test_store (VOXCART_PG_URL).
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/postgres/pg.h"
#include "store/store.h"

static char url[512];
static char cluster_dir[256];

static void cluster_up(void)
{
	const char *given = getenv("VOXCART_PG_URL");
	if (given && *given) {
		snprintf(url, sizeof url, "%s", given);
		return;
	}
	snprintf(cluster_dir, sizeof cluster_dir, "/tmp/voxcart-pg-unit-XXXXXX");
	if (!mkdtemp(cluster_dir)) {
		perror("mkdtemp");
		exit(1);
	}
	char cmd[600];
	snprintf(cmd, sizeof cmd, "scripts/pg-cluster.sh start %s", cluster_dir);
	FILE *p = popen(cmd, "r");
	if (!p || !fgets(url, sizeof url, p)) {
		fprintf(stderr, "test_pg: cannot start a PostgreSQL cluster (make deps)\n");
		exit(1);
	}
	pclose(p);
	url[strcspn(url, "\n")] = '\0';
}

static void cluster_down(void)
{
	if (!cluster_dir[0])
		return;
	char cmd[600];
	snprintf(cmd, sizeof cmd, "scripts/pg-cluster.sh destroy %s", cluster_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "test_pg: could not remove %s\n", cluster_dir);
}

static void must(PGconn *c, const char *sql)
{
	char err[512];
	ck_assert_msg(pg_exec(c, sql, err, sizeof err) == 0, "%s: %s", sql, err);
}

static long long scalar(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1, "%s: %s", sql,
		      PQerrorMessage(c));
	long long v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}

/* Three processes starting at once against an empty database. */
static void *open_pool(void *arg)
{
	char err[512];
	struct pg_pool *p = pg_pool_open(url, 2, err, sizeof err);
	if (!p)
		fprintf(stderr, "pg_pool_open: %s\n", err);
	*(struct pg_pool **)arg = p;
	return NULL;
}

START_TEST(migrations)
{
	struct pg_pool *pools[3] = { 0 };
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, open_pool, &pools[i]);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < 3; i++)
		ck_assert_ptr_nonnull(pools[i]);
	PGconn *c = pg_acquire(pools[0]);
	ck_assert_int_eq(scalar(c, "SELECT count(*) FROM schema_migrations"), pg_migration_count);
	ck_assert_int_eq(scalar(c, "SELECT max(version) FROM schema_migrations"), pg_migration_count);
	char err[512];
	ck_assert_int_eq(pg_migrate(c, err, sizeof err), 0); /* again: nothing to do */
	ck_assert_int_eq(scalar(c, "SELECT count(*) FROM schema_migrations"), pg_migration_count);
	/* Money is bigint cents. */
	ck_assert_int_eq(scalar(c, "SELECT count(*) FROM information_schema.columns WHERE "
				   "column_name LIKE '%cents' AND data_type <> 'bigint'"), 0);
	pg_release(pools[0], c);
	for (int i = 0; i < 3; i++)
		pg_pool_close(pools[i]);
}
END_TEST

START_TEST(search_query_text)
{
	char q[256];
	ck_assert_uint_eq(pg_search_query("", q, sizeof q), 0);
	ck_assert_uint_eq(pg_search_query("  !&|  ", q, sizeof q), 0);
	pg_search_query("Red MUG", q, sizeof q);
	ck_assert_str_eq(q, "red:* & mug:*");
	pg_search_query("it's (a) 'mug' & !cup:*", q, sizeof q);
	ck_assert_str_eq(q, "it:* & s:* & a:* & mug:* & cup:*");
	pg_search_query("café crème", q, sizeof q);
	ck_assert_str_eq(q, "café:* & crème:*");
	char small[12];
	pg_search_query("mug kettle", small, sizeof small);
	ck_assert_str_eq(small, "mug:*"); /* only the words that fit */
}
END_TEST

static struct pg_pool *fresh_pool(int size)
{
	char err[512];
	struct pg_pool *p = pg_pool_open(url, size, err, sizeof err);
	ck_assert_msg(p != NULL, "%s", err);
	return p;
}

START_TEST(search_ranking)
{
	struct pg_pool *p = fresh_pool(1);
	PGconn *c = pg_acquire(p);
	must(c, "INSERT INTO users (id, email, password_hash, name, role, created_at) VALUES "
		"(1000, 'seller-search@example.com', 'x', 'S', 'seller', 0) ON CONFLICT DO NOTHING");
	must(c, "INSERT INTO products (id, seller_id, title, description, price_cents, stock,"
		" category, tags, created_at, updated_at) VALUES"
		" (101, 1000, 'Tea kettle', 'Whistles. Pour into your zorbmug.', 2500, 5, 'Kitchen', '[]', 0, 0),"
		" (102, 1000, 'Zorbmug, red ceramic', 'Holds 350 ml.', 1200, 5, 'Kitchen', '[]', 0, 0),"
		" (103, 1000, 'Coffee beans', 'Dark roast.', 900, 5, 'Pantry', '[\"zorbmug\",\"gift\"]', 0, 0),"
		" (104, 1000, 'Blue plate', 'Stoneware.', 800, 5, 'Zorbmugs', '[]', 0, 0),"
		" (105, 1000, 'Old zorbmug', 'Archived.', 100, 5, 'Kitchen', '[]', 0, 0)");
	must(c, "UPDATE products SET status = 'archived' WHERE id = 105");
	struct pg_hit hits[10];
	int64_t total;
	char err[512];
	int n = pg_search(c, "zorbmug", 10, 0, hits, &total, err, sizeof err);
	ck_assert_msg(n == 4, "%d hits: %s", n, err);
	ck_assert_int_eq(total, 4);
	/* title (A) first, description (D) last, tags (B) and category (C) between (the
	 * rank is divided by 1 + log of the length, like bm25 favouring short texts, so
	 * the short category hit may pass the longer tags one); archived never. */
	ck_assert_int_eq(hits[0].id, 102);
	ck_assert((hits[1].id == 103 && hits[2].id == 104) || (hits[1].id == 104 && hits[2].id == 103));
	ck_assert_int_eq(hits[3].id, 101);
	ck_assert(hits[0].rank > hits[1].rank && hits[1].rank >= hits[2].rank &&
		  hits[2].rank > hits[3].rank);
	/* A prefix, every word required, paging keeps the total. */
	n = pg_search(c, "zorbm", 2, 0, hits, &total, err, sizeof err);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(total, 4);
	n = pg_search(c, "zorbmug red", 10, 0, hits, &total, err, sizeof err);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(hits[0].id, 102);
	n = pg_search(c, "zorbmug", 10, 10, hits, &total, err, sizeof err);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(total, 4);
	/* Operators typed by a shopper are only separators. */
	n = pg_search(c, "zorbmug & !(red | ')", 10, 0, hits, &total, err, sizeof err);
	ck_assert_msg(n == 1, "%d: %s", n, err);
	/* The index is the GIN one (on a table this small the planner may still scan). */
	ck_assert_int_eq(scalar(c, "SELECT count(*) FROM pg_indexes WHERE indexname = "
				   "'products_search' AND indexdef LIKE '%gin%'"), 1);
	pg_release(p, c);
	pg_pool_close(p);
}
END_TEST

/* 50 shoppers on three pools (three processes' connections) race for 10 units. */
struct shopper {
	struct pg_pool *pool;
	int bought;
	int failed;
};

static void *shop(void *arg)
{
	struct shopper *s = arg;
	PGconn *c = pg_acquire(s->pool);
	char err[512];
	int64_t price = 0;
	if (pg_exec(c, "BEGIN", err, sizeof err) != 0) {
		s->failed = 1;
		pg_release(s->pool, c);
		return NULL;
	}
	int took = pg_take_stock(c, 201, 1, &price);
	if (took == 1) {
		char sql[512];
		snprintf(sql, sizeof sql,
			 "WITH o AS (INSERT INTO orders (user_id, status, subtotal_cents, total_cents,"
			 " shipping_address, created_at, updated_at) VALUES (1000, 'paid', %lld, %lld,"
			 " '{}', 0, 0) RETURNING id)"
			 " INSERT INTO order_items (order_id, product_id, seller_id, title,"
			 " unit_price_cents, quantity) SELECT id, 201, 1000, 'Last lamp', %lld, 1 FROM o",
			 (long long)price, (long long)price, (long long)price);
		if (pg_exec(c, sql, err, sizeof err) != 0 || pg_exec(c, "COMMIT", err, sizeof err) != 0)
			s->failed = 1;
		else
			s->bought = 1;
	} else {
		s->failed = took < 0;
		pg_exec(c, "ROLLBACK", NULL, 0);
	}
	pg_release(s->pool, c);
	return NULL;
}

START_TEST(no_oversell)
{
	struct pg_pool *pools[3] = { fresh_pool(4), fresh_pool(4), fresh_pool(4) };
	PGconn *c = pg_acquire(pools[0]);
	must(c, "INSERT INTO users (id, email, password_hash, name, role, created_at) VALUES "
		"(1000, 'seller-search@example.com', 'x', 'S', 'seller', 0) ON CONFLICT DO NOTHING");
	must(c, "INSERT INTO products (id, seller_id, title, price_cents, stock, category,"
		" created_at, updated_at) VALUES (201, 1000, 'Last lamp', 4999, 10, 'Home', 0, 0)");
	pg_release(pools[0], c);
	struct shopper s[50];
	pthread_t t[50];
	for (int i = 0; i < 50; i++) {
		s[i] = (struct shopper){ .pool = pools[i % 3] };
		pthread_create(&t[i], NULL, shop, &s[i]);
	}
	int bought = 0, failed = 0;
	for (int i = 0; i < 50; i++) {
		pthread_join(t[i], NULL);
		bought += s[i].bought;
		failed += s[i].failed;
	}
	ck_assert_int_eq(failed, 0);
	ck_assert_int_eq(bought, 10);
	c = pg_acquire(pools[1]);
	ck_assert_int_eq(scalar(c, "SELECT stock FROM products WHERE id = 201"), 0);
	ck_assert_int_eq(scalar(c, "SELECT sum(quantity) FROM order_items WHERE product_id = 201"), 10);
	ck_assert_int_eq(scalar(c, "SELECT sum(total_cents) FROM orders o JOIN order_items i ON"
				   " i.order_id = o.id WHERE i.product_id = 201"), 10 * 4999);
	/* Asking for more than there is takes nothing. */
	must(c, "UPDATE products SET stock = 3 WHERE id = 201");
	must(c, "BEGIN");
	ck_assert_int_eq(pg_take_stock(c, 201, 4, NULL), 0);
	ck_assert_int_eq(pg_take_stock(c, 201, 3, NULL), 1);
	must(c, "ROLLBACK");
	ck_assert_int_eq(scalar(c, "SELECT stock FROM products WHERE id = 201"), 3);
	pg_release(pools[1], c);
	for (int i = 0; i < 3; i++)
		pg_pool_close(pools[i]);
}
END_TEST

START_TEST(run_once_lock)
{
	struct pg_pool *a = fresh_pool(1), *b = fresh_pool(1);
	PGconn *ca = pg_acquire(a), *cb = pg_acquire(b);
	ck_assert_int_eq(pg_try_lock(ca, 42), 1);
	ck_assert_int_eq(pg_try_lock(cb, 42), 0); /* another process: skips this round */
	pg_unlock(ca, 42);
	ck_assert_int_eq(pg_try_lock(cb, 42), 1);
	pg_unlock(cb, 42);
	pg_release(a, ca);
	pg_release(b, cb);
	pg_pool_close(a);
	pg_pool_close(b);
}
END_TEST

START_TEST(release_cleans_up)
{
	struct pg_pool *p = fresh_pool(1);
	PGconn *c = pg_acquire(p);
	must(c, "BEGIN");
	must(c, "UPDATE products SET stock = 777 WHERE id = 201");
	pg_release(p, c); /* left inside a transaction: rolled back */
	c = pg_acquire(p);
	ck_assert_int_eq(PQtransactionStatus(c), PQTRANS_IDLE);
	ck_assert(scalar(c, "SELECT stock FROM products WHERE id = 201") != 777);
	pg_release(p, c);
	pg_pool_close(p);
	char err[512];
	ck_assert_ptr_null(pg_pool_open("postgresql://nobody@127.0.0.1:1/none", 1, err, sizeof err));
	ck_assert_msg(strstr(err, "cannot connect to PostgreSQL") != NULL, "%s", err);
}
END_TEST

/* An Idempotency-Key replayed to another process while the first is still working:
 * the second waits on the first's transaction and then finds its stored answer (so
 * the work is never done twice). */
struct replay {
	int rc;
	int status;
	double done_at; /* when its lookup answered */
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *second_process(void *arg)
{
	struct replay *r = arg;
	char err[512];
	struct store *s = store_connect(url, err, sizeof err);
	if (!s) {
		r->rc = -99;
		return NULL;
	}
	struct store_idem a;
	store_tx_begin(s);
	r->rc = store_idem_get(s, 77, "order-1", store_now() - 3600, &a);
	r->done_at = now_s();
	if (r->rc == STORE_OK) {
		r->status = a.status;
		store_idem_free(&a);
	}
	store_tx_rollback(s);
	store_disconnect(s);
	return NULL;
}

START_TEST(idempotency_across_processes)
{
	char err[512];
	struct store *first = store_connect(url, err, sizeof err);
	ck_assert_msg(first != NULL, "%s", err);
	ck_assert_int_eq(store_upgrade(first, err, sizeof err), 0);
	struct store_idem a;
	ck_assert_int_eq(store_tx_begin(first), STORE_OK);
	ck_assert_int_eq(store_idem_get(first, 77, "order-1", store_now() - 3600, &a),
			 STORE_NOT_FOUND);
	struct replay r = { 0 };
	pthread_t t;
	pthread_create(&t, NULL, second_process, &r);
	usleep(300 * 1000); /* the "checkout" takes a while; the replay has arrived */
	ck_assert_int_eq(store_idem_put(first, 77, "order-1", "POST /api/v1/orders", 201,
					"{\"id\":5}", 8, store_now()), STORE_OK);
	double committing = now_s();
	ck_assert_int_eq(store_tx_commit(first), STORE_OK);
	pthread_join(t, NULL);
	ck_assert_int_eq(r.rc, STORE_OK);   /* not NOT_FOUND: it waited, then saw it */
	ck_assert_int_eq(r.status, 201);
	/* It answered only once the first had committed (how long it waited depends on
	 * how long its connection took, on a loaded machine). */
	ck_assert_msg(r.done_at >= committing, "answered %.3f s before the commit",
		      committing - r.done_at);
	/* A key that is not in use is not held up by another's lock. */
	ck_assert_int_eq(store_tx_begin(first), STORE_OK);
	ck_assert_int_eq(store_idem_get(first, 77, "order-2", 0, &a), STORE_NOT_FOUND);
	struct store *other = store_connect(url, err, sizeof err);
	ck_assert_int_eq(store_idem_get(other, 77, "order-3", 0, &a), STORE_NOT_FOUND);
	store_tx_rollback(first);
	/* test_store shares this database (run-unit.sh) and counts what it purges. */
	ck_assert_int_eq(store_idem_purge(first, store_now() + 3600, NULL), STORE_OK);
	store_disconnect(other);
	store_disconnect(first);
}
END_TEST

/* Checkout through the storage interface, 20 shoppers each on a connection of its own
 * (20 processes' worth) for 5 units: store_stock_take then store_order_insert in one
 * transaction.  Then two connections expire the same order at once: one releases it,
 * the other finds it no longer pending (the units go back once). */
struct store_shopper {
	int64_t product, seller, user;
	int bought, failed;
	int64_t order;
};

static void *store_shop(void *arg)
{
	struct store_shopper *sh = arg;
	char err[512];
	struct store *s = store_connect(url, err, sizeof err);
	if (!s) {
		sh->failed = 1;
		return NULL;
	}
	struct store_order_line line = { sh->product, sh->seller, "Last kettle", 2599, 1 };
	if (store_tx_begin(s) != STORE_OK) {
		sh->failed = 1;
	} else {
		int rc = store_stock_take(s, sh->product, 1);
		if (rc == STORE_OK && store_order_insert(s, sh->user, 2599, "{}", 100, 50, &line, 1,
							 &sh->order) == STORE_OK &&
		    store_tx_commit(s) == STORE_OK)
			sh->bought = 1;
		else if (rc != STORE_CONFLICT)
			sh->failed = 1;
		store_tx_rollback(s);
	}
	store_disconnect(s);
	return NULL;
}

struct expirer {
	int64_t order;
	int rc;
};

static void *expire_one(void *arg)
{
	struct expirer *e = arg;
	char err[512];
	struct store *s = store_connect(url, err, sizeof err);
	if (!s) {
		e->rc = -99;
		return NULL;
	}
	store_tx_begin(s);
	e->rc = store_order_expire(s, e->order, 1000);
	usleep(200 * 1000); /* hold the row while the other process tries */
	if (store_tx_commit(s) != STORE_OK)
		e->rc = -98;
	store_disconnect(s);
	return NULL;
}

START_TEST(store_checkout_across_processes)
{
	char err[512];
	struct store *s = store_connect(url, err, sizeof err);
	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_int_eq(store_upgrade(s, err, sizeof err), 0);
	int64_t seller = 0, user = 0, pid = 0;
	ck_assert_int_eq(store_user_create(s, "kettle-seller@x.test", "h", "S", "seller", 1, &seller),
			 STORE_OK);
	ck_assert_int_eq(store_user_create(s, "kettle-buyer@x.test", "h", "B", "shopper", 1, &user),
			 STORE_OK);
	ck_assert_int_eq(store_product_insert(s, seller, "Last kettle", "", 2599, 5, "Home", NULL,
					      NULL, 1, &pid), STORE_OK);
	struct store_shopper sh[20];
	pthread_t t[20];
	for (int i = 0; i < 20; i++) {
		sh[i] = (struct store_shopper){ .product = pid, .seller = seller, .user = user };
		pthread_create(&t[i], NULL, store_shop, &sh[i]);
	}
	int bought = 0, failed = 0;
	int64_t an_order = 0;
	for (int i = 0; i < 20; i++) {
		pthread_join(t[i], NULL);
		bought += sh[i].bought;
		failed += sh[i].failed;
		if (sh[i].bought)
			an_order = sh[i].order;
	}
	ck_assert_int_eq(failed, 0);
	ck_assert_int_eq(bought, 5);
	struct store_product p;
	ck_assert_int_eq(store_product_get(s, pid, &p), STORE_OK);
	ck_assert_int_eq(p.stock, 0);
	store_product_free(&p);
	/* Two processes' reapers on the same due order. */
	struct expirer e[2] = { { an_order, 0 }, { an_order, 0 } };
	pthread_t x[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&x[i], NULL, expire_one, &e[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(x[i], NULL);
	ck_assert_msg((e[0].rc == STORE_OK && e[1].rc == STORE_NOT_FOUND) ||
		      (e[1].rc == STORE_OK && e[0].rc == STORE_NOT_FOUND), "expire: %d %d",
		      e[0].rc, e[1].rc);
	ck_assert_int_eq(store_product_get(s, pid, &p), STORE_OK);
	ck_assert_int_eq(p.stock, 1); /* once, not twice */
	store_product_free(&p);
	/* The buyer's orders, newest first; the seller's line is in them. */
	int64_t ids[3], total = 0;
	size_t n = 0;
	ck_assert_int_eq(store_order_ids(s, user, NULL, 3, 0, ids, &n, &total), STORE_OK);
	ck_assert_int_eq(total, 5);
	ck_assert_uint_eq(n, 3);
	ck_assert(ids[0] > ids[1] && ids[1] > ids[2]);
	ck_assert_int_eq(store_order_ids(s, user, "cancelled", 3, 0, ids, &n, &total), STORE_OK);
	ck_assert_int_eq(total, 1);
	ck_assert_int_eq(ids[0], an_order);
	int yes = 0;
	ck_assert_int_eq(store_order_has_seller(s, an_order, seller, &yes), STORE_OK);
	ck_assert_int_eq(yes, 1);
	ck_assert_int_eq(store_order_has_seller(s, an_order, user, &yes), STORE_OK);
	ck_assert_int_eq(yes, 0);
	/* A listing found by its sku; products counted whatever their status. */
	int64_t with_sku = 0, found = 0, before = 0, after = 0;
	ck_assert_int_eq(store_products_count(s, &before), STORE_OK);
	ck_assert_int_eq(store_product_insert(s, seller, "Kettle lid", "", 499, 2, "Home", NULL,
					      "KL-1", 1, &with_sku), STORE_OK);
	ck_assert_int_eq(store_product_by_sku(s, seller, "KL-1", &found), STORE_OK);
	ck_assert_int_eq(found, with_sku);
	ck_assert_int_eq(store_product_by_sku(s, user, "KL-1", &found), STORE_NOT_FOUND);
	ck_assert_int_eq(store_product_insert(s, seller, "Another lid", "", 499, 2, "Home", NULL,
					      "KL-1", 1, &found), STORE_CONFLICT);
	ck_assert_int_eq(store_products_count(s, &after), STORE_OK);
	ck_assert_int_eq(after, before + 1);
	store_disconnect(s);
}
END_TEST

int main(void)
{
	cluster_up();
	Suite *s = suite_create("pg");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, migrations);
	tcase_add_test(tc, search_query_text);
	tcase_add_test(tc, search_ranking);
	tcase_add_test(tc, no_oversell);
	tcase_add_test(tc, run_once_lock);
	tcase_add_test(tc, release_cleans_up);
	tcase_add_test(tc, idempotency_across_processes);
	tcase_add_test(tc, store_checkout_across_processes);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK); /* the tests build on each other's rows */
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	cluster_down();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
