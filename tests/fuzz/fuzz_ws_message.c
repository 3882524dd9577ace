/*
 * fuzz_ws_message.c - libFuzzer harness: the checks a buddy WebSocket text message
 * goes through before a session acts on it: the decoder the server runs on every client
 * message (shared/proto/requests.c, buddy_req_decode), and under it the \u0000 scan,
 * the JSON parse with its length, the type, and the turn, conversation and integer
 * fields (shared/proto/msgcheck.c), compared with what cJSON read.
 */
#include "msgcheck.h"
#include "requests.h"

#include <cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *raw = (const char *)data;
	struct buddy_req req;
	const char *code = NULL, *message = NULL;
	if (buddy_req_decode(raw, size, &req, &code, &message) == 0) {
		if (!req.type_name || (req.type == BUDDY_REQ_SAY && req.text && strlen(req.text) > size))
			abort();
		if (req.type == BUDDY_REQ_HELLO && req.token && strlen(req.token) > size)
			abort();
		buddy_req_free(&req);
	} else if (!code || !message) {
		abort();
	}
	int nul = msgcheck_nul_escape(raw, size);
	cJSON *msg = cJSON_ParseWithLength(raw, size);
	if (!msg)
		return 0;
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(msg, "type");
	if (cJSON_IsString(type) && !nul && strlen(type->valuestring) > size)
		abort();
	static const char *const fields[] = { "turn", "conversation_id", "sample_rate", "seq" };
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(msg, fields[i]);
		uint32_t turn = msgcheck_turn(v);
		if (turn && (!cJSON_IsNumber(v) || v->valuedouble != (double)turn))
			abort();
		int64_t id = msgcheck_id(v);
		if (id && (!cJSON_IsNumber(v) || v->valuedouble != (double)id || id < 1))
			abort();
		int n = msgcheck_int(v, -7);
		if (n != -7 && (!cJSON_IsNumber(v) || v->valuedouble != (double)n))
			abort();
	}
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(msg, "text");
	if (cJSON_IsString(text) && !nul && memchr(raw, '\0', size) == NULL &&
	    strlen(text->valuestring) > size)
		abort();
	cJSON_Delete(msg);
	return 0;
}
