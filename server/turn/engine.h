/*
 * turn/engine.h - the engines that can answer a buddy turn, behind one interface.
 *
 * A turn (turn/run.c) tries the engines of buddy_engines[] in order and the first
 * that answers owns the turn: the optional OpenAI-compatible engine
 * (engine_openai.c), then the built-in one (buddy/).  Both act only through the
 * shop's tools (struct buddy_tools) and speak through the same output (struct
 * buddy_output), and both keep what they remember of a conversation in its
 * dialogue state (struct buddy_state, buddy/buddy.h): the built-in engine its
 * dialogue, the OpenAI engine the checkout it asked to confirm.
 */
#ifndef VOXCART_TURN_ENGINE_H
#define VOXCART_TURN_ENGINE_H

#include <stdint.h>

struct server;
struct store;
struct buddy_state;
struct buddy_tools;
struct buddy_output;
struct buddy_turn_info;

/* What an engine gets for one turn (all borrowed). */
struct buddy_engine_turn {
	struct server *srv;
	struct store *db;              /* the thread's connection (store/store.h) */
	int64_t conversation_id;
	struct buddy_state *state;     /* the conversation's dialogue state */
	const struct buddy_tools *tools;
	const struct buddy_output *out;
	const char *text;              /* the utterance, secrets already removed */
};

struct buddy_engine {
	const char *name;
	/* 1 when the engine may answer on this server. */
	int (*enabled)(const struct server *srv);
	/* 0: answered (info filled).  -1: nothing was said or done; the next engine
	 * answers. */
	int (*turn)(const struct buddy_engine_turn *t, struct buddy_turn_info *info);
};

/* In the order they are tried, NULL-terminated; the last one always answers. */
extern const struct buddy_engine *const buddy_engines[];

/* A conversation's engine state: what the engines remember of it between turns (the
 * built-in engine's dialogue, the OpenAI engine's checkout offer), one opaque struct
 * buddy_state for all of them.  The rest of the server (the state cache of
 * conversations.c, a WebSocket session) makes and frees it only through these, never
 * through an engine's own header.  engine_state_new: NULL when out of memory. */
struct buddy_state *engine_state_new(void);
void engine_state_free(struct buddy_state *st); /* NULL is fine */
/* The state as text for store_conv_state_put (malloc'd; NULL when out of memory),
 * saved at the end of each turn; engine_state_load reads it back when the
 * conversation's state is not in this process's cache (another process, a restart),
 * its products fetched again from db's catalog.  NULL when text is not a state
 * this version wrote: the conversation starts fresh. */
char *engine_state_save(const struct buddy_state *st);
struct buddy_state *engine_state_load(struct store *db, const char *text);

#endif
