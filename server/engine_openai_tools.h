/*
 * engine_openai_tools.h - inside the OpenAI-compatible engine: the function tools
 * the model may call, run through struct buddy_tools, and the checkout
 * confirmation they guard.  Used only by engine_openai.c.
 */
#ifndef VOXCART_ENGINE_OPENAI_TOOLS_H
#define VOXCART_ENGINE_OPENAI_TOOLS_H

#include <cJSON.h>
#include <stdint.h>

#include "buddy/buddy.h"

struct buddy_tools;
struct buddy_output;

/* What the tools of one turn share. */
struct engine_openai_tool_turn {
	/* in */
	const struct buddy_tools *tools;
	const struct buddy_output *out;
	const char *text;      /* this turn's user text */
	/* out */
	int actions;           /* action events emitted */
	char intent[32];       /* of the last tool run; "" when none ran */
	/* checkout_prepare asked for a confirmation this turn */
	int asked;
	int64_t asked_total, asked_method;
	/* the conversation's offer (in its state; may be NULL), and what the turn
	 * before asked, taken out of it as this turn began */
	struct buddy_checkout_offer *offer;
	struct buddy_checkout_offer asked_before;
};

/* The "tools" array of the request (a new cJSON array; the caller frees it). */
cJSON *engine_openai_tools_schema(void);

/* Runs one tool call by name with its JSON arguments text (may be NULL or not JSON)
 * and emits its action event when it did something.  Returns the content of the
 * "tool" message for the model: malloc'd JSON text the caller frees (never NULL
 * unless out of memory). */
char *engine_openai_tools_run(struct engine_openai_tool_turn *tt, const char *name,
			      const char *arguments);

/* At the start of a turn: takes the turn before's question out of the
 * conversation's offer (so it is good for this turn only). */
void engine_openai_tools_turn_start(struct engine_openai_tool_turn *tt,
				    struct buddy_checkout_offer *offer);

/* At the end of a turn: when checkout_prepare asked this turn (and a reply was
 * given), keeps the question in the offer for the next turn. */
void engine_openai_tools_turn_end(struct engine_openai_tool_turn *tt, const char *reply);

#endif
