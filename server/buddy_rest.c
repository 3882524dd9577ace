/*
 * buddy_rest.c - POST /api/v1/buddy/messages: one buddy turn over REST.  The turn
 * (turn/run.h) writes to a collector sink: the actions are gathered, and the reply
 * is the turn's whole text, into one answer.  The conversation and its dialogue
 * state come from conversations.h.
 */
#include "conversations.h"
#include "handlers.h"
#include "turn/run.h"

#include <stdint.h>

/* The collector's one kind of output: each action as {name, args, result}. */
static void collect_action(void *ctx, uint32_t turn, const char *name, const cJSON *args,
			   const cJSON *result)
{
	(void)turn;
	cJSON *a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "name", name);
	cJSON_AddItemToObject(a, "args", args ? cJSON_Duplicate(args, 1) : cJSON_CreateObject());
	cJSON_AddItemToObject(a, "result", result ? cJSON_Duplicate(result, 1) : cJSON_CreateObject());
	cJSON_AddItemToArray(ctx, a);
}

HANDLER(h_buddy_message)
{
	const char *text;
	int64_t conv_id = 0;
	if (api_field_string(req->json, resp, "text", 1, 1, 4000, &text) ||
	    api_field_int(req->json, resp, "conversation_id", 0, 1, INT64_MAX, &conv_id, NULL))
		return;
	if (conv_id && !conv_owned(req->store, conv_id, req->user.id)) {
		api_error(resp, 404, "not_found", NULL, "There is no conversation %lld.", (long long)conv_id);
		return;
	}
	if (!conv_id && (conv_id = conv_create(req->store, req->user.id)) <= 0) {
		api_store_failed(resp, req->store, "buddy message");
		return;
	}
	cJSON *actions = cJSON_CreateArray();
	struct turn_sink sink = { .ctx = actions, .action = collect_action };
	struct buddy_run run = { 0 };
	run.sink = &sink;
	run.srv = req->srv;
	run.db = req->store;
	run.user_id = req->user.id;
	run.conversation_id = conv_id;
	run.state = conv_state_take(req->srv, conv_id);
	run.t_start = buddy_now();
	buddy_run_turn(&run, text);
	conv_state_put(req->srv, conv_id, run.state);
	cJSON *out = cJSON_CreateObject();
	cJSON_AddNumberToObject(out, "conversation_id", (double)conv_id);
	cJSON_AddStringToObject(out, "reply", run.reply ? run.reply : "");
	cJSON_AddItemToObject(out, "actions", actions);
	buddy_run_cleanup(&run);
	api_json(resp, 200, out);
}
