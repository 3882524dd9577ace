/*
 * dbreset.h - every input of a database-backed harness starts from the same data
 * (fuzz_http, fuzz_http_raw, fuzz_ws).
 *
 * The harness's setup (accounts, a product, an address, a card) is paid once per
 * process; db_snapshot() then copies the rows of every table into memory.  After each
 * input, with nothing under way in the server, db_reset() puts them back when the input
 * changed anything (PRAGMA data_version moves when another connection commits), tells
 * the in-memory copies of the catalog (product cache, search index, vocabulary,
 * category counts, the recogniser's language model) when the products or sellers'
 * names differed, and empties the cache of dialogue states, so that
 * no input sees what an earlier one did and a crash found replays alone.  The server's
 * own connections see the rows put back on their next statement.
 */
#ifndef VOXCART_FUZZ_DBRESET_H
#define VOXCART_FUZZ_DBRESET_H

#include "catalog.h"
#include "conversations.h"
#include "product_cache.h"
#include "server.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static sqlite3 *dbreset_live;
static int64_t dbreset_version;
static unsigned long dbreset_count;
/* per table: DELETE FROM main.t, INSERT INTO main.t SELECT * FROM snap.t */
static sqlite3_stmt *dbreset_stmt[128];
static int dbreset_nstmt;
/* 1 when the catalog differs from the snapshot: products, or the sellers' names their
 * JSON shows (NULL: the schema is not the one expected, so always taken as changed) */
static sqlite3_stmt *dbreset_catalog;

static void dbreset_die(const char *what)
{
	fprintf(stderr, "dbreset: %s: %s\n", what,
		dbreset_live ? sqlite3_errmsg(dbreset_live) : "no connection");
	abort();
}

static void dbreset_exec(const char *sql)
{
	if (sqlite3_exec(dbreset_live, sql, NULL, NULL, NULL) != SQLITE_OK)
		dbreset_die(sql);
}

static int64_t dbreset_data_version(void)
{
	sqlite3_stmt *st;
	int64_t v = -1;
	if (sqlite3_prepare_v2(dbreset_live, "PRAGMA data_version", -1, &st, NULL) != SQLITE_OK)
		dbreset_die("data_version");
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void dbreset_prepare(const char *sql)
{
	if (dbreset_nstmt == (int)(sizeof dbreset_stmt / sizeof *dbreset_stmt))
		dbreset_die("too many tables");
	if (sqlite3_prepare_v3(dbreset_live, sql, -1, SQLITE_PREPARE_PERSISTENT,
			       &dbreset_stmt[dbreset_nstmt], NULL) != SQLITE_OK)
		dbreset_die(sql);
	dbreset_nstmt++;
}

/* After the setup: the database at path as it is now is what every input starts from.
 * Its rows (every table's, the full-text index's shadow tables and sqlite_sequence
 * included) are copied into an in-memory database attached to a connection of the
 * harness's own; putting them back is DELETE and INSERT ... SELECT, which leaves the
 * schema alone (a copy of the file would make every connection parse it again). */
static void db_snapshot(const char *path)
{
	if (sqlite3_open_v2(path, &dbreset_live, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK)
		dbreset_die(path);
	sqlite3_busy_timeout(dbreset_live, 10000);
	/* no ON DELETE CASCADE while tables are emptied one after the other */
	dbreset_exec("PRAGMA foreign_keys=OFF");
	dbreset_exec("ATTACH ':memory:' AS snap");
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(dbreset_live,
			       "SELECT name FROM main.sqlite_master WHERE type = 'table' AND "
			       "(name NOT LIKE 'sqlite%' OR name = 'sqlite_sequence') AND "
			       "sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name",
			       -1, &st, NULL) != SQLITE_OK)
		dbreset_die("tables");
	char names[128][128];
	int n = 0;
	while (sqlite3_step(st) == SQLITE_ROW && n < 128)
		snprintf(names[n++], sizeof names[0], "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	dbreset_exec("BEGIN");
	for (int i = 0; i < n; i++) {
		char sql[512];
		snprintf(sql, sizeof sql, "CREATE TABLE snap.\"%s\" AS SELECT * FROM main.\"%s\"",
			 names[i], names[i]);
		dbreset_exec(sql);
	}
	dbreset_exec("COMMIT");
	for (int i = 0; i < n; i++) {
		char sql[512];
		snprintf(sql, sizeof sql, "DELETE FROM main.\"%s\"", names[i]);
		dbreset_prepare(sql);
		snprintf(sql, sizeof sql, "INSERT INTO main.\"%s\" SELECT * FROM snap.\"%s\"",
			 names[i], names[i]);
		dbreset_prepare(sql);
	}
	sqlite3_prepare_v3(dbreset_live,
			   "SELECT EXISTS (SELECT * FROM main.products EXCEPT SELECT * FROM snap.products)"
			   " OR EXISTS (SELECT * FROM snap.products EXCEPT SELECT * FROM main.products)"
			   " OR EXISTS (SELECT id, name FROM main.users EXCEPT"
			   "            SELECT id, name FROM snap.users)"
			   " OR EXISTS (SELECT id, name FROM snap.users EXCEPT"
			   "            SELECT id, name FROM main.users)",
			   -1, SQLITE_PREPARE_PERSISTENT, &dbreset_catalog, NULL);
	dbreset_version = dbreset_data_version();
}

static int dbreset_catalog_changed(void)
{
	if (!dbreset_catalog)
		return 1;
	int changed = sqlite3_step(dbreset_catalog) != SQLITE_ROW ||
		      sqlite3_column_int(dbreset_catalog, 0) != 0;
	sqlite3_reset(dbreset_catalog);
	return changed;
}

/* Nothing may be under way in the server.  1 when the data was put back (never
 * before db_snapshot). */
static int db_reset(struct server *srv)
{
	if (!dbreset_live || dbreset_data_version() == dbreset_version)
		return 0;
	dbreset_exec("BEGIN IMMEDIATE");
	/* told only when it changed: a new catalog version rebuilds the vocabulary and
	 * the recogniser's language model */
	int catalog = dbreset_catalog_changed();
	for (int i = 0; i < dbreset_nstmt; i++) {
		if (sqlite3_step(dbreset_stmt[i]) != SQLITE_DONE)
			dbreset_die(sqlite3_sql(dbreset_stmt[i]));
		sqlite3_reset(dbreset_stmt[i]);
	}
	dbreset_exec("COMMIT");
	/* our own commit leaves our data_version as it is */
	dbreset_version = dbreset_data_version();
	dbreset_count++;
	if (catalog) {
		product_cache_changed(0);
		catalog_changed(srv);
	}
	/* the dialogue states kept by conversation id (ids are given out again) */
	if (srv->conv_cache) {
		conv_state_cache_free(srv);
		if (conv_cache_init(srv) != 0)
			dbreset_die("conv_cache_init");
	}
	return 1;
}

#endif
