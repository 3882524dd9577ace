/*
 * events.c - the buddy WebSocket's server events: encoders and the decoder (see
 * events.h).
 */
#include "events.h"

#include <string.h>

#include "json.h"

/* ---- encoding ---- */

/* A new object {"type": type}, with "turn" unless turn is 0 and with_turn is 0. */
static cJSON *event_new(const char *type, uint32_t turn, int with_turn)
{
	cJSON *ev = cJSON_CreateObject();
	if (!ev)
		return NULL;
	cJSON_AddStringToObject(ev, "type", type);
	if (with_turn || turn)
		cJSON_AddNumberToObject(ev, "turn", turn);
	return ev;
}

cJSON *buddy_event_ready(const char *session, int64_t conversation_id, cJSON *user,
			 const char *voice, int speech_enabled, const char *asr_engine,
			 int asr_sample_rate)
{
	cJSON *ev = event_new("ready", 0, 0);
	if (!ev) {
		cJSON_Delete(user);
		return NULL;
	}
	cJSON_AddStringToObject(ev, "session", session);
	cJSON_AddNumberToObject(ev, "conversation_id", (double)conversation_id);
	cJSON_AddItemToObject(ev, "user", user ? user : cJSON_CreateNull());
	cJSON *speech = cJSON_AddObjectToObject(ev, "speech");
	cJSON_AddStringToObject(speech, "codec", "opus");
	cJSON_AddNumberToObject(speech, "sample_rate", 24000);
	cJSON_AddNumberToObject(speech, "frame_ms", 20);
	cJSON_AddStringToObject(speech, "voice", voice);
	cJSON_AddBoolToObject(speech, "enabled", speech_enabled);
	cJSON *asr = cJSON_AddObjectToObject(ev, "asr");
	cJSON_AddStringToObject(asr, "engine", asr_engine);
	cJSON_AddNumberToObject(asr, "sample_rate", asr_sample_rate);
	return ev;
}

cJSON *buddy_event_transcript(uint32_t turn, const char *text, int final)
{
	cJSON *ev = event_new("transcript", turn, 1);
	if (!ev)
		return NULL;
	cJSON_AddStringToObject(ev, "text", text);
	cJSON_AddBoolToObject(ev, "final", final);
	return ev;
}

cJSON *buddy_event_delta(uint32_t turn, int seq, const char *text, int speech_seq)
{
	cJSON *ev = event_new("reply.delta", turn, 1);
	if (!ev)
		return NULL;
	cJSON_AddNumberToObject(ev, "seq", seq);
	cJSON_AddStringToObject(ev, "text", text);
	/* Extension: the sequence number the speech of this text starts at, so a client
	 * can show each sentence as it is heard. */
	if (speech_seq >= 0)
		cJSON_AddNumberToObject(ev, "speech_seq", speech_seq);
	return ev;
}

cJSON *buddy_event_action(uint32_t turn, const char *name, const cJSON *args,
			  const cJSON *result)
{
	cJSON *ev = event_new("action", turn, 1);
	if (!ev)
		return NULL;
	cJSON_AddStringToObject(ev, "name", name);
	cJSON_AddItemToObject(ev, "args", args ? cJSON_Duplicate(args, 1) : cJSON_CreateObject());
	cJSON_AddItemToObject(ev, "result",
			      result ? cJSON_Duplicate(result, 1) : cJSON_CreateObject());
	return ev;
}

/* Whole milliseconds; CPU milliseconds to one decimal. */
static double ms(double v)
{
	return (int)(v + 0.5);
}

static double cpu_ms(double v)
{
	return (int)(v * 10 + 0.5) / 10.0;
}

cJSON *buddy_event_done(uint32_t turn, const struct buddy_event_done *d)
{
	cJSON *ev = event_new("reply.done", turn, 1);
	if (!ev)
		return NULL;
	cJSON_AddStringToObject(ev, "text", d->text);
	cJSON_AddNumberToObject(ev, "speech_frames", d->speech_frames);
	cJSON_AddBoolToObject(ev, "cancelled", d->cancelled);
	cJSON *timing = cJSON_AddObjectToObject(ev, "timing");
	cJSON_AddNumberToObject(timing, "asr_ms", ms(d->asr_ms));
	cJSON_AddNumberToObject(timing, "think_ms", ms(d->think_ms));
	/* the stages after audio.stop (or the typed turn's arrival) */
	cJSON_AddNumberToObject(timing, "first_text_ms", ms(d->first_text_ms));
	if (d->speech_frames)
		cJSON_AddNumberToObject(timing, "first_packet_ms", ms(d->first_packet_ms));
	if (d->cpu_known) { /* CPU of the turn's thread */
		cJSON_AddNumberToObject(timing, "asr_cpu_ms", cpu_ms(d->asr_cpu_ms));
		if (d->speech_frames)
			cJSON_AddNumberToObject(timing, "first_speech_cpu_ms",
						cpu_ms(d->first_speech_cpu_ms));
	}
	if (d->speech_frames)
		cJSON_AddNumberToObject(timing, "first_speech_ms", ms(d->first_speech_ms));
	else
		cJSON_AddNullToObject(timing, "first_speech_ms");
	return ev;
}

cJSON *buddy_event_error(uint32_t turn, const char *code, const char *message)
{
	cJSON *ev = event_new("error", turn, 0);
	if (!ev)
		return NULL;
	cJSON_AddStringToObject(ev, "code", code);
	cJSON_AddStringToObject(ev, "message", message);
	return ev;
}

cJSON *buddy_event_pong(void)
{
	return event_new("pong", 0, 0);
}

/* ---- decoding ---- */

static uint32_t ju32(const cJSON *o, const char *key)
{
	double d = json_num(o, key, 0);
	return d >= 0 && d <= 4294967295.0 ? (uint32_t)d : 0;
}

/* A number that fits an int, else def (as when absent): a server's 4e40 must not
 * reach a conversion to an integer, which is undefined. */
static int jint(const cJSON *o, const char *key, int def)
{
	double d = json_num(o, key, def);
	return d >= -2147483648.0 && d <= 2147483647.0 ? (int)d : def;
}

static const struct { const char *name; enum buddy_event_type type; } event_names[] = {
	{ "ready", BUDDY_EV_READY },           { "transcript", BUDDY_EV_TRANSCRIPT },
	{ "reply.delta", BUDDY_EV_REPLY_DELTA }, { "action", BUDDY_EV_ACTION },
	{ "reply.done", BUDDY_EV_REPLY_DONE }, { "error", BUDDY_EV_ERROR },
	{ "pong", BUDDY_EV_PONG },
};

int buddy_event_decode(const char *text, size_t len, struct buddy_event *ev)
{
	memset(ev, 0, sizeof *ev);
	cJSON *j = text ? cJSON_ParseWithLength(text, len) : NULL;
	const cJSON *type = j ? cJSON_GetObjectItemCaseSensitive(j, "type") : NULL;
	if (!cJSON_IsObject(j) || !cJSON_IsString(type)) {
		cJSON_Delete(j);
		return -1;
	}
	ev->json = j;
	ev->type_name = type->valuestring;
	for (size_t i = 0; i < sizeof event_names / sizeof event_names[0]; i++)
		if (strcmp(ev->type_name, event_names[i].name) == 0)
			ev->type = event_names[i].type;
	ev->turn = ju32(j, "turn");
	ev->text = json_str(j, "text");
	ev->final = json_bool(j, "final");
	ev->seq = ju32(j, "seq");
	double sseq = json_num(j, "speech_seq", -1);
	ev->speech_seq = sseq >= 0 && sseq <= 4294967295.0 ? (long)sseq : -1;
	ev->speech_frames = ju32(j, "speech_frames");
	ev->cancelled = json_bool(j, "cancelled");
	const cJSON *timing = json_obj(j, "timing");
	ev->asr_ms = jint(timing, "asr_ms", -1);
	ev->think_ms = jint(timing, "think_ms", -1);
	ev->first_speech_ms = jint(timing, "first_speech_ms", -1);
	ev->name = json_str(j, "name");
	ev->args = json_obj(j, "args");
	ev->result = json_obj(j, "result");
	ev->code = json_str(j, "code");
	ev->message = json_str(j, "message");
	ev->session = json_str(j, "session");
	double conv = json_num(j, "conversation_id", 0);
	ev->conversation_id = conv > 0 && conv < 9e15 ? (int64_t)conv : 0;
	const cJSON *speech = json_obj(j, "speech");
	ev->speech_rate = jint(speech, "sample_rate", 24000);
	ev->voice = json_str(speech, "voice");
	ev->user = json_obj(j, "user");
	ev->product_title = "";
	return 0;
}

void buddy_event_free(struct buddy_event *ev)
{
	cJSON_Delete(ev->json);
	memset(ev, 0, sizeof *ev);
}
