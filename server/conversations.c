/*
 * conversations.c - conversation storage, the dialogue-state cache, and the REST
 * endpoints that read and delete stored conversations (see conversations.h).  A turn
 * over REST is buddy_rest.c, above the turn it runs.
 */
#include "conversations.h"
#include "handlers.h"
#include "log.h"
#include "server.h"
#include "store/store.h"
#include "turn/engine.h"

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

int64_t conv_create(struct store *store, int64_t user_id)
{
	int64_t id = -1;
	return store_conv_create(store, user_id, store_now(), &id) == STORE_OK ? id : -1;
}

int conv_owned(struct store *store, int64_t conv_id, int64_t user_id)
{
	struct store_conv c;
	return store_conv_get(store, conv_id, user_id, &c) == STORE_OK;
}

int conv_add_turn(struct store *store, int64_t conv_id, const char *user_text, const char *intent,
		  double sentiment, const char *reply, int frustrated, const char *state)
{
	if (conv_id <= 0)
		return -1;
	return store_conv_add_turn(store, conv_id, user_text, intent, sentiment, reply, frustrated,
				   state, store_now()) == STORE_OK ? 0 : -1;
}

int conv_cache_init(struct server *srv)
{
	srv->conv_cache = calloc(1, sizeof *srv->conv_cache);
	if (!srv->conv_cache)
		return -1;
	pthread_mutex_init(&srv->conv_cache->lock, NULL);
	return 0;
}

/* The state the conversation's last turn stored (by this process before a restart,
 * or by another), when it is not in the cache; NULL for none or one that does not
 * load (the conversation then starts fresh). */
static struct buddy_state *state_stored(int64_t conv_id)
{
	struct store *db = store_thread();
	char *text = NULL;
	if (!db || store_conv_state_get(db, conv_id, &text) != STORE_OK || !text)
		return NULL;
	struct buddy_state *st = engine_state_load(db, text);
	if (!st)
		log_warn("buddy", "conversation %lld: stored dialogue state dropped (unreadable)",
			 (long long)conv_id);
	free(text);
	return st;
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
	if (!st && conv_id > 0)
		st = state_stored(conv_id);
	return st ? st : engine_state_new();
}

void conv_state_put(struct server *srv, int64_t conv_id, struct buddy_state *st)
{
	struct conv_cache *c = srv->conv_cache;
	if (!c) {
		engine_state_free(st);
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
	engine_state_free(evicted);
}

void conv_state_cache_free(struct server *srv)
{
	struct conv_cache *c = srv->conv_cache;
	if (!c)
		return;
	for (int i = 0; i < STATE_CACHE; i++)
		engine_state_free(c->slot[i].st);
	pthread_mutex_destroy(&c->lock);
	free(c);
	srv->conv_cache = NULL;
}

static cJSON *conv_json(const struct store_conv *c)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)c->id);
	api_add_time(o, "started_at", c->started_at);
	api_add_time(o, "last_at", c->last_at);
	cJSON_AddNumberToObject(o, "turns", c->turns);
	cJSON_AddBoolToObject(o, "flagged", c->flagged);
	return o;
}

HANDLER(h_conversations_list)
{
	int64_t limit, offset;
	if (api_page(req, resp, &limit, &offset))
		return;
	struct store_convs l;
	int64_t total = 0;
	if (store_conv_list(req->store, req->user.id, limit, offset, &l, &total) != STORE_OK) {
		api_store_failed(resp, req->store, "conversations");
		return;
	}
	cJSON *items = cJSON_CreateArray();
	for (size_t i = 0; i < l.count; i++)
		cJSON_AddItemToArray(items, conv_json(&l.items[i]));
	store_convs_free(&l);
	api_json(resp, 200, api_page_json(items, total, limit, offset));
}

HANDLER(h_conversation_get)
{
	int64_t id = req->params[0];
	struct store_conv conv;
	int rc = store_conv_get(req->store, id, req->user.id, &conv);
	if (rc == STORE_NOT_FOUND) {
		api_error(resp, 404, "not_found", NULL, "There is no conversation %lld.", (long long)id);
		return;
	}
	struct store_messages l = { 0 };
	if (rc != STORE_OK || store_conv_messages(req->store, id, 0, &l) != STORE_OK) {
		api_store_failed(resp, req->store, "conversation");
		return;
	}
	cJSON *c = conv_json(&conv);
	cJSON *msgs = cJSON_AddArrayToObject(c, "messages");
	for (size_t i = 0; i < l.count; i++) {
		const struct store_message *sm = &l.items[i];
		cJSON *m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "role", sm->role);
		cJSON_AddStringToObject(m, "text", sm->text);
		api_add_time(m, "at", sm->at);
		if (sm->intent)
			cJSON_AddStringToObject(m, "intent", sm->intent);
		if (sm->has_sentiment)
			cJSON_AddNumberToObject(m, "sentiment", sm->sentiment);
		cJSON_AddItemToArray(msgs, m);
	}
	store_messages_free(&l);
	api_json(resp, 200, c);
}

HANDLER(h_conversation_delete)
{
	int64_t id = req->params[0];
	if (!conv_owned(req->store, id, req->user.id)) {
		api_error(resp, 404, "not_found", NULL, "There is no conversation %lld.", (long long)id);
		return;
	}
	if (store_conv_delete(req->store, id) != STORE_OK) {
		api_store_failed(resp, req->store, "conversation delete");
		return;
	}
	engine_state_free(conv_state_take(req->srv, id));
	api_empty(resp, 204);
}
