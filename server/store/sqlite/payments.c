/*
 * store/sqlite/payments.c - saved cards on SQLite (store.h "payments").
 */
#include "store/sqlite/sqlite.h"

#include <stdio.h>
#include <string.h>

#define CARD_COLUMNS "id, brand, last4, exp_month, exp_year, is_default, provider, token"

static int card_row(struct store *s, sqlite3_stmt *st, void *item)
{
	struct store_card *c = item;
	(void)s;
	c->id = sqlite3_column_int64(st, 0);
	snprintf(c->brand, sizeof c->brand, "%s", (const char *)sqlite3_column_text(st, 1));
	snprintf(c->last4, sizeof c->last4, "%s", (const char *)sqlite3_column_text(st, 2));
	c->exp_month = sqlite3_column_int(st, 3);
	c->exp_year = sqlite3_column_int(st, 4);
	c->is_default = sqlite3_column_int(st, 5);
	const unsigned char *p = sqlite3_column_text(st, 6), *t = sqlite3_column_text(st, 7);
	snprintf(c->provider, sizeof c->provider, "%s", p ? (const char *)p : "");
	snprintf(c->token, sizeof c->token, "%s", t ? (const char *)t : "");
	return STORE_OK;
}

int sq_card_get(struct store *s, int64_t user_id, int64_t id, struct store_card *c)
{
	struct sq_store *q = sq_of(s);
	memset(c, 0, sizeof *c);
	sqlite3_stmt *st = sq_stmt(q, "SELECT " CARD_COLUMNS " FROM payment_methods"
				      " WHERE id = ? AND user_id = ? AND deleted = 0");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, user_id);
	int rc = sq_row(q, st, "card get");
	if (rc == STORE_OK)
		card_row(s, st, c);
	sq_done(st);
	return rc;
}

int sq_cards_list(struct store *s, int64_t user_id, struct store_cards *out)
{
	struct sq_store *q = sq_of(s);
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st = sq_stmt(q, "SELECT " CARD_COLUMNS " FROM payment_methods"
				      " WHERE user_id = ? AND deleted = 0 ORDER BY is_default DESC, id");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	int rc = sq_collect(s, st, (void **)&out->items, &out->count, sizeof *out->items, card_row,
			    "cards");
	if (rc != STORE_OK)
		store_cards_free(out);
	return rc;
}

int sq_card_default(struct store *s, int64_t user_id, int64_t *id)
{
	struct sq_store *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, "SELECT id FROM payment_methods"
				      " WHERE user_id = ? AND deleted = 0 AND is_default = 1"
				      " ORDER BY id DESC LIMIT 1");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	int step = sqlite3_step(st), rc = STORE_OK;
	*id = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = sq_fail(q, "default card");
	sq_done(st);
	return rc;
}

int sq_card_insert(struct store *s, int64_t user_id, const struct store_card *c, int64_t now,
		   int64_t *id)
{
	struct sq_store *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q,
		"INSERT INTO payment_methods (user_id, brand, last4, exp_month, exp_year,"
		" is_default, provider, token, created_at)"
		" SELECT ?1, ?2, ?3, ?4, ?5, NOT EXISTS (SELECT 1 FROM payment_methods"
		"   WHERE user_id = ?1 AND deleted = 0), ?6, ?7, ?8");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_text(st, 2, c->brand, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->last4, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, c->exp_month);
	sqlite3_bind_int(st, 5, c->exp_year);
	sqlite3_bind_text(st, 6, c->provider, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, c->token, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, now);
	int rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : sq_fail(q, "card insert");
	if (rc == STORE_OK && id)
		*id = sqlite3_last_insert_rowid(q->db);
	sq_done(st);
	return rc;
}

int sq_card_set_default(struct store *s, int64_t user_id, int64_t id)
{
	struct sq_store *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, "UPDATE payment_methods SET is_default = (id = ?)"
				      " WHERE user_id = ? AND deleted = 0");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, user_id);
	int rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : sq_fail(q, "card default");
	sq_done(st);
	return rc;
}

static int sq_card_delete_steps(struct store *s, int64_t user_id, int64_t id)
{
	struct sq_store *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, "UPDATE payment_methods SET deleted = 1, is_default = 0"
				      " WHERE id = ? AND user_id = ? AND deleted = 0");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, user_id);
	int rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : sq_fail(q, "card delete");
	if (rc == STORE_OK && sqlite3_changes(q->db) == 0)
		rc = STORE_NOT_FOUND;
	sq_done(st);
	int64_t def = 0;
	if (rc != STORE_OK || (rc = sq_card_default(s, user_id, &def)) != STORE_OK || def)
		return rc;
	/* The default went away: the newest remaining card takes its place. */
	st = sq_stmt(q, "UPDATE payment_methods SET is_default = 1 WHERE id = (SELECT id FROM"
			" payment_methods WHERE user_id = ? AND deleted = 0 ORDER BY id DESC LIMIT 1)");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : sq_fail(q, "card default");
	sq_done(st);
	return rc;
}

int sq_card_delete(struct store *s, int64_t user_id, int64_t id)
{
	struct sq_store *q = sq_of(s);
	if (sq_atomic_begin(q) != STORE_OK)
		return STORE_ERROR;
	return sq_atomic_end(q, sq_card_delete_steps(s, user_id, id));
}
