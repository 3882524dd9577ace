/*
 * requests.c - the buddy WebSocket's client messages: encoders and the decoder (see
 * requests.h).
 */
#include "requests.h"

#include <string.h>

#include "json.h"
#include "msgcheck.h"

static const char *const req_names[BUDDY_REQ_COUNT] = {
	[BUDDY_REQ_HELLO] = "hello",
	[BUDDY_REQ_PING] = "ping",
	[BUDDY_REQ_SAY] = "say",
	[BUDDY_REQ_AUDIO_START] = "audio.start",
	[BUDDY_REQ_AUDIO_STOP] = "audio.stop",
	[BUDDY_REQ_CANCEL] = "cancel",
};

/* {"type": ..., "turn": turn} (no turn when 0). */
static cJSON *req_new(enum buddy_req_type type, uint32_t turn)
{
	cJSON *m = cJSON_CreateObject();
	if (m && (!cJSON_AddStringToObject(m, "type", req_names[type]) ||
		  (turn && !cJSON_AddNumberToObject(m, "turn", turn)))) {
		cJSON_Delete(m);
		return NULL;
	}
	return m;
}

cJSON *buddy_req_hello(const struct buddy_req_hello *h)
{
	cJSON *m = req_new(BUDDY_REQ_HELLO, 0);
	cJSON *audio = m ? cJSON_AddObjectToObject(m, "audio") : NULL;
	if (!audio || !cJSON_AddStringToObject(m, "token", h->token ? h->token : "") ||
	    !cJSON_AddStringToObject(m, "client", h->client ? h->client : "") ||
	    !cJSON_AddStringToObject(audio, "codec", "opus") ||
	    !cJSON_AddNumberToObject(audio, "sample_rate", h->sample_rate) ||
	    !cJSON_AddNumberToObject(audio, "frame_ms", h->frame_ms) ||
	    !cJSON_AddBoolToObject(m, "speech", h->speech) ||
	    !cJSON_AddBoolToObject(m, "vad", h->vad) ||
	    (h->conversation_id > 0 &&
	     !cJSON_AddNumberToObject(m, "conversation_id", (double)h->conversation_id))) {
		cJSON_Delete(m);
		return NULL;
	}
	return m;
}

cJSON *buddy_req_say(uint32_t turn, const char *text)
{
	cJSON *m = req_new(BUDDY_REQ_SAY, turn);
	if (m && !cJSON_AddStringToObject(m, "text", text ? text : "")) {
		cJSON_Delete(m);
		return NULL;
	}
	return m;
}

cJSON *buddy_req_turn(enum buddy_req_type type, uint32_t turn)
{
	switch (type) {
	case BUDDY_REQ_PING: return req_new(type, 0);
	case BUDDY_REQ_AUDIO_START:
	case BUDDY_REQ_AUDIO_STOP:
	case BUDDY_REQ_CANCEL: return req_new(type, turn);
	default: return NULL;
	}
}

/* An integer field of o: 1 and *out when given as one, else 0. */
static int given_int(const cJSON *o, const char *key, int *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	int a = msgcheck_int(v, 0), b = msgcheck_int(v, 1);
	if (a != b)
		return 0;
	*out = a;
	return 1;
}

static void decode_hello(struct buddy_req *r)
{
	const cJSON *m = r->msg;
	r->token = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(m, "token"))
		? cJSON_GetObjectItemCaseSensitive(m, "token")->valuestring : NULL;
	r->speech = json_bool_or(m, "speech", 1);
	r->vad = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "vad"));
	const cJSON *audio = json_obj(m, "audio");
	r->sample_rate = audio ? msgcheck_int(cJSON_GetObjectItemCaseSensitive(audio, "sample_rate"),
					      16000) : 16000;
	const cJSON *conv = cJSON_GetObjectItemCaseSensitive(m, "conversation_id");
	r->has_conversation = cJSON_IsNumber(conv);
	r->conversation_id = r->has_conversation ? msgcheck_id(conv) : 0;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, "voice");
	const cJSON *name = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, "name") : v;
	r->voice_name = cJSON_IsString(name) ? name->valuestring : NULL;
	if (cJSON_IsObject(v)) {
		r->has_rate = given_int(v, "rate", &r->rate);
		r->has_pitch = given_int(v, "pitch", &r->pitch);
	}
}

int buddy_req_decode(const char *raw, size_t len, struct buddy_req *r, const char **code,
		     const char **message)
{
	memset(r, 0, sizeof *r);
	cJSON *msg = msgcheck_nul_escape(raw, len) ? NULL : cJSON_ParseWithLength(raw, len);
	const cJSON *type = msg ? cJSON_GetObjectItemCaseSensitive(msg, "type") : NULL;
	if (!msg || !cJSON_IsObject(msg) || !cJSON_IsString(type)) {
		*code = msg ? "bad_request" : "invalid_json";
		*message = msg ? "A message needs a \"type\"." : "That is not valid JSON.";
		cJSON_Delete(msg);
		return -1;
	}
	r->msg = msg;
	r->type_name = type->valuestring;
	for (int t = 1; t < BUDDY_REQ_COUNT; t++)
		if (strcmp(r->type_name, req_names[t]) == 0)
			r->type = (enum buddy_req_type)t;
	r->turn = msgcheck_turn(cJSON_GetObjectItemCaseSensitive(msg, "turn"));
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(msg, "text");
	r->text = cJSON_IsString(text) ? text->valuestring : NULL;
	if (r->type == BUDDY_REQ_HELLO)
		decode_hello(r);
	return 0;
}

void buddy_req_free(struct buddy_req *r)
{
	if (r->token)
		explicit_bzero((char *)r->token, strlen(r->token)); /* a secret: no copy lingers */
	cJSON_Delete(r->msg);
	memset(r, 0, sizeof *r);
}
