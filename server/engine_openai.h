/*
 * engine_openai.h - the buddy's optional engine: any OpenAI-compatible
 * chat-completions endpoint, streamed, with tool calls.
 *
 * It uses the same tools (struct buddy_tools) and the same output (struct
 * buddy_output) as the built-in engine, so what the shopper sees and what changes in
 * the shop is the same whichever engine answered.  The built-in engine takes over a
 * turn when this one is not configured or fails before saying or doing anything.
 *
 * Config, section [buddy]: engine = builtin|openai, openai_url (base URL; requests
 * go to {openai_url}/chat/completions), openai_model, openai_api_key_env (the NAME of
 * the environment variable holding the key: the key is never in the config or the
 * log), openai_timeout_ms (8000, per request), openai_max_rounds (4 tool-call rounds).
 */
#ifndef VOXCART_ENGINE_OPENAI_H
#define VOXCART_ENGINE_OPENAI_H

#include <cJSON.h>
#include <stdint.h>

struct store;

struct server;
struct buddy_state;
struct buddy_tools;
struct buddy_output;
struct buddy_turn_info;

/* 1 when the engine is configured (engine = openai and a URL), else 0. */
int engine_openai_enabled(const struct server *srv);

/* Runs one turn through the endpoint.  history: the conversation so far, oldest
 * first, as an array of {"role":"user"|"assistant","content":"..."} (may be NULL;
 * borrowed); other roles and non-string contents are skipped.
 *
 * Returns 0 when it answered.  Returns -1 when it failed before emitting any reply
 * text or action (the reason is logged at warn level, without secrets); info is then
 * untouched and the caller should run the built-in engine.  A failure after
 * something was emitted ends the reply with a short apology and returns 0.
 *
 * Placing an order: the place_order tool runs only when the previous turn of the
 * same conversation ran checkout_prepare and this turn's text is a confirmation.
 * The question is kept in the conversation's dialogue state st (its checkout
 * offer, buddy/buddy.h); st may be NULL, and then no order is placed. */
int engine_openai_turn(struct server *srv, struct buddy_state *st,
		       const struct buddy_tools *tools, const struct buddy_output *out,
		       const cJSON *history, const char *text, struct buddy_turn_info *info);

/* The last max_messages messages of a stored conversation in the form
 * engine_openai_turn() takes (role "buddy" becomes "assistant").  Returns a new
 * array (the caller frees it; empty when the conversation has none), or NULL on a
 * storage error. */
cJSON *engine_openai_history(struct store *db, int64_t conversation_id, int max_messages);

#endif
