/*
 * test_db.h - a migrated database in a fresh temporary file, for unit tests that need
 * real tables (one copy of what test_catalog_plans, test_searchidx and
 * test_product_cache each wrote out).
 */
#ifndef VOXCART_TEST_DB_H
#define VOXCART_TEST_DB_H

#include "store/sqlite/legacy.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Opens and migrates /tmp/voxcart-<name>-XXXXXX; its path goes to path. */
static inline sqlite3 *test_db_open(char *path, size_t len, const char *name)
{
	snprintf(path, len, "/tmp/voxcart-%s-XXXXXX", name);
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	char err[256];
	sqlite3 *db = store_open(path, err, sizeof err);
	ck_assert_msg(db != NULL, "%s", err);
	ck_assert_msg(store_migrate(db, err, sizeof err) == 0, "%s", err);
	return db;
}

/* The same as a connection of the storage interface (store/store.h); its SQLite
 * handle is store_db_of(); store_disconnect() closes both. */
static inline struct store *test_store_open(char *path, size_t len, const char *name)
{
	snprintf(path, len, "/tmp/voxcart-%s-XXXXXX", name);
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	char err[256];
	struct store *s = store_connect(path, err, sizeof err);
	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_msg(store_upgrade(s, err, sizeof err) == 0, "%s", err);
	return s;
}

/* Removes the database file at path with its WAL and shared-memory files. */
static inline void test_db_remove(const char *path)
{
	char aux[80];
	unlink(path);
	snprintf(aux, sizeof aux, "%s-wal", path);
	unlink(aux);
	snprintf(aux, sizeof aux, "%s-shm", path);
	unlink(aux);
}

#endif
