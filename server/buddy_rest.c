/*
 * buddy_rest.c - POST /api/v1/buddy/messages: one buddy turn over REST.  The turn
 * (buddy_run.h) runs with no event sink: its reply and actions are collected into
 * one answer.  The conversation and its dialogue state come from conversations.h.
 */
#include "buddy_run.h"
#include "conversations.h"
#include "handlers.h"

#include <stdint.h>

HANDLER(h_buddy_message)
{
	const char *text;
	int64_t conv_id = 0;
	if (api_field_string(req->json, resp, "text", 1, 1, 4000, &text) ||
	    api_field_int(req->json, resp, "conversation_id", 0, 1, INT64_MAX, &conv_id, NULL))
		return;
	if (conv_id && !conv_owned(req->db, conv_id, req->user.id)) {
		api_error(resp, 404, "not_found", NULL, "There is no conversation %lld.", (long long)conv_id);
		return;
	}
	if (!conv_id && (conv_id = conv_create(req->db, req->user.id)) <= 0) {
		api_internal(resp, req->db, "buddy message");
		return;
	}
	struct buddy_run run = { 0 };
	run.srv = req->srv;
	run.db = req->db;
	run.user_id = req->user.id;
	run.conversation_id = conv_id;
	run.state = conv_state_take(req->srv, conv_id);
	run.t_start = buddy_now();
	buddy_run_turn(&run, text);
	conv_state_put(req->srv, conv_id, run.state);
	cJSON *out = cJSON_CreateObject();
	cJSON_AddNumberToObject(out, "conversation_id", (double)conv_id);
	cJSON_AddStringToObject(out, "reply", run.reply ? run.reply : "");
	cJSON_AddItemToObject(out, "actions", run.actions);
	run.actions = NULL;
	buddy_run_cleanup(&run);
	api_json(resp, 200, out);
}
