/*
 * store/sqlite/conversations.c - buddy conversations and their messages on SQLite.
 */
#include "store/sqlite/sqlite.h"

#include <stdlib.h>
#include <string.h>

int sq_conv_create(struct store *s, int64_t user_id, int64_t now, int64_t *id)
{
	struct sq_store *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, "INSERT INTO conversations (user_id, started_at, last_at)"
				      " VALUES (?, ?, ?)");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, now);
	int rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : sq_fail(q, "conversation create");
	if (rc == STORE_OK)
		*id = sqlite3_last_insert_rowid(q->db);
	sq_done(st);
	return rc;
}

static int conv_row(struct store *s, sqlite3_stmt *st, void *item)
{
	struct store_conv *c = item;
	(void)s;
	c->id = sqlite3_column_int64(st, 0);
	c->started_at = sqlite3_column_int64(st, 1);
	c->last_at = sqlite3_column_int64(st, 2);
	c->turns = sqlite3_column_int(st, 3);
	c->flagged = sqlite3_column_int(st, 4);
	return STORE_OK;
}

int sq_conv_get(struct store *s, int64_t conv_id, int64_t user_id, struct store_conv *c)
{
	struct sq_store *q = sq_of(s);
	memset(c, 0, sizeof *c);
	sqlite3_stmt *st = sq_stmt(q, "SELECT id, started_at, last_at, turns, flagged"
				      " FROM conversations WHERE id = ? AND user_id = ?");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, conv_id);
	sqlite3_bind_int64(st, 2, user_id);
	int rc = sq_row(q, st, "conversation get");
	if (rc == STORE_OK)
		conv_row(s, st, c);
	sq_done(st);
	return rc;
}

int sq_conv_list(struct store *s, int64_t user_id, int64_t limit, int64_t offset,
		 struct store_convs *out, int64_t *total)
{
	struct sq_store *q = sq_of(s);
	memset(out, 0, sizeof *out);
	sqlite3_stmt *ct = sq_stmt(q, "SELECT count(*) FROM conversations WHERE user_id = ?");
	if (!ct)
		return STORE_ERROR;
	sqlite3_bind_int64(ct, 1, user_id);
	int rc = sq_count(q, ct, total, "conversations count");
	sqlite3_stmt *st = rc != STORE_OK ? NULL : sq_stmt(q,
		"SELECT id, started_at, last_at, turns, flagged FROM conversations"
		" WHERE user_id = ? ORDER BY last_at DESC, id DESC LIMIT ? OFFSET ?");
	if (!st)
		return rc != STORE_OK ? rc : STORE_ERROR;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, limit);
	sqlite3_bind_int64(st, 3, offset);
	rc = sq_collect(s, st, (void **)&out->items, &out->count, sizeof *out->items, conv_row,
			"conversations");
	if (rc != STORE_OK)
		store_convs_free(out);
	return rc;
}

static int add_message(struct sq_store *q, int64_t conv_id, const char *role, const char *text,
		       const char *intent, double sentiment, int64_t now)
{
	sqlite3_stmt *st = sq_stmt(q, "INSERT INTO messages (conversation_id, role, text, intent,"
				      " sentiment, at) VALUES (?,?,?,?,?,?)");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, conv_id);
	sqlite3_bind_text(st, 2, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
	if (intent && *intent)
		sqlite3_bind_text(st, 4, intent, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 4);
	if (strcmp(role, "user") == 0)
		sqlite3_bind_double(st, 5, sentiment);
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_int64(st, 6, now);
	int rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : sq_fail(q, "message add");
	sq_done(st);
	return rc;
}

int sq_conv_add_turn(struct store *s, int64_t conv_id, const char *user_text, const char *intent,
		     double sentiment, const char *reply, int frustrated, const char *state,
		     int64_t now)
{
	struct sq_store *q = sq_of(s);
	if (sq_tx_begin(s) != STORE_OK)
		return STORE_ERROR;
	int rc = add_message(q, conv_id, "user", user_text, intent, sentiment, now);
	if (rc == STORE_OK)
		rc = add_message(q, conv_id, "buddy", reply, NULL, 0, now);
	sqlite3_stmt *st = NULL;
	/* coalesce: NULL keeps the stored state */
	if (rc == STORE_OK && !(st = sq_stmt(q, "UPDATE conversations SET last_at = ?,"
						 " turns = turns + 1, flagged = flagged OR ?,"
						 " state = coalesce(?, state) WHERE id = ?")))
		rc = STORE_ERROR;
	if (st) {
		sqlite3_bind_int64(st, 1, now);
		sqlite3_bind_int(st, 2, frustrated != 0);
		if (state)
			sqlite3_bind_text(st, 3, state, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 3);
		sqlite3_bind_int64(st, 4, conv_id);
		rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : sq_fail(q, "conversation turn");
		sq_done(st);
	}
	if (rc == STORE_OK)
		return sq_tx_commit(s);
	sq_tx_rollback(s);
	return rc;
}

int sq_conv_delete(struct store *s, int64_t conv_id)
{
	struct sq_store *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, "DELETE FROM conversations WHERE id = ?");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, conv_id);
	int rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : sq_fail(q, "conversation delete");
	sq_done(st);
	return rc;
}

static int message_row(struct store *s, sqlite3_stmt *st, void *item)
{
	struct store_message *m = item;
	m->role = sq_text_dup(st, 0);
	m->text = sq_text_dup(st, 1);
	m->at = sqlite3_column_int64(st, 2);
	int has_intent = sqlite3_column_type(st, 3) != SQLITE_NULL;
	if (has_intent)
		m->intent = sq_text_dup(st, 3);
	m->has_sentiment = sqlite3_column_type(st, 4) != SQLITE_NULL;
	m->sentiment = m->has_sentiment ? sqlite3_column_double(st, 4) : 0;
	if (m->role && m->text && (m->intent || !has_intent))
		return STORE_OK;
	free(m->role);
	free(m->text);
	free(m->intent);
	return store_set_err(s, "out of memory");
}

int sq_conv_messages(struct store *s, int64_t conv_id, int last, struct store_messages *out)
{
	struct sq_store *q = sq_of(s);
	memset(out, 0, sizeof *out);
	sqlite3_stmt *st;
	if (last > 0) {
		st = sq_stmt(q, "SELECT role, text, at, intent, sentiment FROM"
				" (SELECT id, role, text, at, intent, sentiment FROM messages"
				"  WHERE conversation_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id");
		if (st)
			sqlite3_bind_int(st, 2, last);
	} else {
		st = sq_stmt(q, "SELECT role, text, at, intent, sentiment FROM messages"
				" WHERE conversation_id = ? ORDER BY id");
	}
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, conv_id);
	int rc = sq_collect(s, st, (void **)&out->items, &out->count, sizeof *out->items,
			    message_row, "messages");
	if (rc != STORE_OK)
		store_messages_free(out);
	return rc;
}

int sq_conv_state_put(struct store *s, int64_t conv_id, const char *state)
{
	struct sq_store *q = sq_of(s);
	sqlite3_stmt *st = sq_stmt(q, "UPDATE conversations SET state = ? WHERE id = ?");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, conv_id);
	int rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : sq_fail(q, "conversation state");
	if (rc == STORE_OK && sqlite3_changes(q->db) == 0)
		rc = STORE_NOT_FOUND;
	sq_done(st);
	return rc;
}

int sq_conv_state_get(struct store *s, int64_t conv_id, char **state)
{
	struct sq_store *q = sq_of(s);
	*state = NULL;
	sqlite3_stmt *st = sq_stmt(q, "SELECT state FROM conversations WHERE id = ?");
	if (!st)
		return STORE_ERROR;
	sqlite3_bind_int64(st, 1, conv_id);
	int rc = sq_row(q, st, "conversation state");
	if (rc == STORE_OK && sqlite3_column_type(st, 0) != SQLITE_NULL &&
	    !(*state = sq_text_dup(st, 0)))
		rc = store_set_err(s, "out of memory");
	sq_done(st);
	return rc;
}
