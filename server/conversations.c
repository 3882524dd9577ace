/*
 * conversations.c - conversation storage, the dialogue-state cache, and the REST
 * endpoints that read and delete stored conversations (see conversations.h).  A turn
 * over REST is buddy_rest.c, above the turn it runs.
 */
#include "conversations.h"
#include "buddy/buddy.h"
#include "handlers.h"
#include "log.h"
#include "server.h"
#include "store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define STATE_CACHE 1024

struct cached_state {
	int64_t conv_id;
	struct buddy_state *st;
	uint64_t used;
};

struct conv_cache {
	pthread_mutex_t lock;
	struct cached_state slot[STATE_CACHE];
	uint64_t clock;
};

int64_t conv_create(sqlite3 *db, int64_t user_id)
{
	sqlite3_stmt *st = store_prepare(db,
		"INSERT INTO conversations (user_id, started_at, last_at) VALUES (?, ?, ?)");
	if (!st)
		return -1;
	int64_t now = store_now();
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, now);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? sqlite3_last_insert_rowid(db) : -1;
}

int conv_owned(sqlite3 *db, int64_t conv_id, int64_t user_id)
{
	sqlite3_stmt *st = store_prepare(db, "SELECT 1 FROM conversations WHERE id = ? AND user_id = ?");
	if (!st)
		return 0;
	sqlite3_bind_int64(st, 1, conv_id);
	sqlite3_bind_int64(st, 2, user_id);
	int owned = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return owned;
}

static int add_message(sqlite3 *db, int64_t conv_id, const char *role, const char *text,
		       const char *intent, double sentiment, int64_t now)
{
	sqlite3_stmt *st = store_prepare(db,
		"INSERT INTO messages (conversation_id, role, text, intent, sentiment, at)"
		" VALUES (?,?,?,?,?,?)");
	if (!st)
		return -1;
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
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int conv_add_turn(sqlite3 *db, int64_t conv_id, const char *user_text, const char *intent,
		  double sentiment, const char *reply, int frustrated)
{
	if (conv_id <= 0 || store_begin(db) != 0)
		return -1;
	int64_t now = store_now();
	int ok = add_message(db, conv_id, "user", user_text, intent, sentiment, now) == 0 &&
		 add_message(db, conv_id, "buddy", reply, NULL, 0, now) == 0;
	sqlite3_stmt *st = ok ? store_prepare(db,
		"UPDATE conversations SET last_at = ?, turns = turns + 1, flagged = flagged OR ?"
		" WHERE id = ?") : NULL;
	if (st) {
		sqlite3_bind_int64(st, 1, now);
		sqlite3_bind_int(st, 2, frustrated != 0);
		sqlite3_bind_int64(st, 3, conv_id);
		ok = sqlite3_step(st) == SQLITE_DONE;
		sqlite3_finalize(st);
	}
	if (ok && store_commit(db) == 0)
		return 0;
	store_rollback(db);
	return -1;
}

int conv_cache_init(struct server *srv)
{
	srv->conv_cache = calloc(1, sizeof *srv->conv_cache);
	if (!srv->conv_cache)
		return -1;
	pthread_mutex_init(&srv->conv_cache->lock, NULL);
	return 0;
}

struct buddy_state *conv_state_take(struct server *srv, int64_t conv_id)
{
	struct conv_cache *c = srv->conv_cache;
	struct buddy_state *st = NULL;
	if (c) {
		pthread_mutex_lock(&c->lock);
		for (int i = 0; i < STATE_CACHE; i++) {
			if (c->slot[i].st && c->slot[i].conv_id == conv_id) {
				st = c->slot[i].st;
				c->slot[i].st = NULL;
				break;
			}
		}
		pthread_mutex_unlock(&c->lock);
	}
	return st ? st : buddy_state_new();
}

void conv_state_put(struct server *srv, int64_t conv_id, struct buddy_state *st)
{
	struct conv_cache *c = srv->conv_cache;
	if (!c) {
		buddy_state_free(st);
		return;
	}
	struct buddy_state *evicted = NULL;
	pthread_mutex_lock(&c->lock);
	int slot = -1;
	for (int i = 0; i < STATE_CACHE; i++) {
		if (!c->slot[i].st || c->slot[i].conv_id == conv_id) {
			slot = i;
			break;
		}
		if (slot < 0 || c->slot[i].used < c->slot[slot].used)
			slot = i;
	}
	evicted = c->slot[slot].st;
	c->slot[slot] = (struct cached_state){ conv_id, st, ++c->clock };
	pthread_mutex_unlock(&c->lock);
	buddy_state_free(evicted);
}

void conv_state_cache_free(struct server *srv)
{
	struct conv_cache *c = srv->conv_cache;
	if (!c)
		return;
	for (int i = 0; i < STATE_CACHE; i++)
		buddy_state_free(c->slot[i].st);
	pthread_mutex_destroy(&c->lock);
	free(c);
	srv->conv_cache = NULL;
}

HANDLER(h_conversations_list)
{
	int64_t limit, offset;
	if (api_page(req, resp, &limit, &offset))
		return;
	sqlite3_stmt *st = store_prepare(req->db,
		"SELECT id, started_at, last_at, turns, flagged FROM conversations WHERE user_id = ?"
		" ORDER BY last_at DESC, id DESC LIMIT ? OFFSET ?");
	sqlite3_stmt *ct = store_prepare(req->db, "SELECT count(*) FROM conversations WHERE user_id = ?");
	if (!st || !ct) {
		sqlite3_finalize(st);
		sqlite3_finalize(ct);
		api_internal(resp, req->db, "conversations");
		return;
	}
	sqlite3_bind_int64(st, 1, req->user.id);
	sqlite3_bind_int64(st, 2, limit);
	sqlite3_bind_int64(st, 3, offset);
	sqlite3_bind_int64(ct, 1, req->user.id);
	cJSON *items = cJSON_CreateArray();
	while (sqlite3_step(st) == SQLITE_ROW) {
		cJSON *c = cJSON_CreateObject();
		cJSON_AddNumberToObject(c, "id", (double)sqlite3_column_int64(st, 0));
		api_add_time(c, "started_at", sqlite3_column_int64(st, 1));
		api_add_time(c, "last_at", sqlite3_column_int64(st, 2));
		cJSON_AddNumberToObject(c, "turns", sqlite3_column_int(st, 3));
		cJSON_AddBoolToObject(c, "flagged", sqlite3_column_int(st, 4));
		cJSON_AddItemToArray(items, c);
	}
	int64_t total = sqlite3_step(ct) == SQLITE_ROW ? sqlite3_column_int64(ct, 0) : 0;
	sqlite3_finalize(st);
	sqlite3_finalize(ct);
	api_json(resp, 200, api_page_json(items, total, limit, offset));
}

HANDLER(h_conversation_get)
{
	int64_t id = req->params[0];
	sqlite3_stmt *st = store_prepare(req->db,
		"SELECT id, started_at, last_at, turns, flagged FROM conversations WHERE id = ? AND user_id = ?");
	if (!st) {
		api_internal(resp, req->db, "conversation");
		return;
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, req->user.id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		api_error(resp, 404, "not_found", NULL, "There is no conversation %lld.", (long long)id);
		return;
	}
	cJSON *c = cJSON_CreateObject();
	cJSON_AddNumberToObject(c, "id", (double)id);
	api_add_time(c, "started_at", sqlite3_column_int64(st, 1));
	api_add_time(c, "last_at", sqlite3_column_int64(st, 2));
	cJSON_AddNumberToObject(c, "turns", sqlite3_column_int(st, 3));
	cJSON_AddBoolToObject(c, "flagged", sqlite3_column_int(st, 4));
	sqlite3_finalize(st);
	cJSON *msgs = cJSON_AddArrayToObject(c, "messages");
	st = store_prepare(req->db, "SELECT role, text, at, intent, sentiment FROM messages"
				    " WHERE conversation_id = ? ORDER BY id");
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		while (sqlite3_step(st) == SQLITE_ROW) {
			cJSON *m = cJSON_CreateObject();
			cJSON_AddStringToObject(m, "role", (const char *)sqlite3_column_text(st, 0));
			cJSON_AddStringToObject(m, "text", (const char *)sqlite3_column_text(st, 1));
			api_add_time(m, "at", sqlite3_column_int64(st, 2));
			if (sqlite3_column_type(st, 3) != SQLITE_NULL)
				cJSON_AddStringToObject(m, "intent", (const char *)sqlite3_column_text(st, 3));
			if (sqlite3_column_type(st, 4) != SQLITE_NULL)
				cJSON_AddNumberToObject(m, "sentiment", sqlite3_column_double(st, 4));
			cJSON_AddItemToArray(msgs, m);
		}
		sqlite3_finalize(st);
	}
	api_json(resp, 200, c);
}

HANDLER(h_conversation_delete)
{
	int64_t id = req->params[0];
	if (!conv_owned(req->db, id, req->user.id)) {
		api_error(resp, 404, "not_found", NULL, "There is no conversation %lld.", (long long)id);
		return;
	}
	sqlite3_stmt *st = store_prepare(req->db, "DELETE FROM conversations WHERE id = ?");
	int ok = st != NULL;
	if (ok) {
		sqlite3_bind_int64(st, 1, id);
		ok = sqlite3_step(st) == SQLITE_DONE;
		sqlite3_finalize(st);
	}
	if (!ok) {
		api_internal(resp, req->db, "conversation delete");
		return;
	}
	buddy_state_free(conv_state_take(req->srv, id));
	api_empty(resp, 204);
}
