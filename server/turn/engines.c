/*
 * turn/engines.c - the list of engines (turn/engine.h) and their adapters.
 */
#include "turn/engine.h"
#include "buddy/buddy.h"
#include "catalog.h"
#include "engine_openai.h"

static int openai_turn(const struct buddy_engine_turn *t, struct buddy_turn_info *info)
{
	cJSON *history = engine_openai_history(t->db, t->conversation_id, 12);
	int rc = engine_openai_turn(t->srv, t->state, t->tools, t->out, history, t->text, info);
	cJSON_Delete(history);
	return rc == 0 ? 0 : -1;
}

static int builtin_enabled(const struct server *srv)
{
	(void)srv;
	return 1;
}

static int builtin_turn(const struct buddy_engine_turn *t, struct buddy_turn_info *info)
{
	buddy_turn(t->state, t->tools, t->out, t->text, info);
	return 0;
}

static const struct buddy_engine openai = { "openai", engine_openai_enabled, openai_turn };
static const struct buddy_engine builtin = { "builtin", builtin_enabled, builtin_turn };

const struct buddy_engine *const buddy_engines[] = { &openai, &builtin, NULL };

/* The built-in engine's state holds the other engines' parts (buddy_state_offer). */
struct buddy_state *engine_state_new(void)
{
	return buddy_state_new();
}

void engine_state_free(struct buddy_state *st)
{
	buddy_state_free(st);
}

char *engine_state_save(const struct buddy_state *st)
{
	return buddy_state_save(st);
}

static cJSON *catalog_product(void *ctx, int64_t id)
{
	return catalog_product_get(ctx, id);
}

struct buddy_state *engine_state_load(struct store *db, const char *text)
{
	return db ? buddy_state_load(text, catalog_product, db) : NULL;
}
