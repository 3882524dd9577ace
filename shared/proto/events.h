/*
 * events.h - the buddy WebSocket's text events, server to client (docs/protocol.md,
 * "The buddy WebSocket"), in one place: voxcartd builds every event it sends with the
 * encoders below, and the clients read every event with buddy_event_decode().  A
 * field added to an event is added here, on both sides at once.
 *
 * Encoders return a new cJSON object (NULL only when out of memory) that the caller
 * sends and frees; the fields come out in the order docs/protocol.md lists them.
 */
#ifndef VOXCART_EVENTS_H
#define VOXCART_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

enum buddy_event_type {
	BUDDY_EV_UNKNOWN = 0, /* a type this client does not know (ignore it) */
	BUDDY_EV_READY,
	BUDDY_EV_TRANSCRIPT,
	BUDDY_EV_REPLY_DELTA,
	BUDDY_EV_ACTION,
	BUDDY_EV_REPLY_DONE,
	BUDDY_EV_ERROR,
	BUDDY_EV_PONG,
};

/* ---- encoding (the server) ---- */

/* ready: the answer to hello.  user is taken (NULL sends null); speech describes the
 * downlink (Opus, 24 kHz, 20 ms frames), asr the uplink's recogniser and rate. */
cJSON *buddy_event_ready(const char *session, int64_t conversation_id, cJSON *user,
			 const char *voice, int speech_enabled, const char *asr_engine,
			 int asr_sample_rate);
/* transcript: what recognition heard so far (final 0) or in the end (final 1). */
cJSON *buddy_event_transcript(uint32_t turn, const char *text, int final);
/* reply.delta: a piece of the reply, numbered from 0; speech_seq (sent when >= 0) is
 * the speech frame its speech starts at. */
cJSON *buddy_event_delta(uint32_t turn, int seq, const char *text, int speech_seq);
/* action: a tool the buddy used; args and result are copied (NULL sends {}). */
cJSON *buddy_event_action(uint32_t turn, const char *name, const cJSON *args,
			  const cJSON *result);

/* The end of a turn: its whole reply and how long each stage took (milliseconds). */
struct buddy_event_done {
	const char *text;
	int speech_frames;
	int cancelled;
	double asr_ms, think_ms;
	double first_text_ms;        /* the first reply text (understanding done) */
	double first_packet_ms;      /* the first speech packet synthesised and encoded */
	double first_speech_ms;      /* the first speech frame handed to the socket */
	int cpu_known;               /* the CPU figures below are measured */
	double asr_cpu_ms, first_speech_cpu_ms;
};
/* reply.done, with its timing object. */
cJSON *buddy_event_done(uint32_t turn, const struct buddy_event_done *d);
/* error: turn 0 leaves "turn" out (an error of no turn). */
cJSON *buddy_event_error(uint32_t turn, const char *code, const char *message);
/* pong: the answer to ping. */
cJSON *buddy_event_pong(void);

/* ---- decoding (the clients) ---- */

/* One text message from the server, decoded.  Strings are never NULL ("" when the
 * field is absent); they point into json.  Fields not listed for a type are 0/"". */
struct buddy_event {
	enum buddy_event_type type;
	const char *type_name;  /* the "type" as sent */
	cJSON *json;            /* the whole message; owned by the event */
	uint32_t turn;          /* 0 when absent */
	/* transcript: text, final; reply.delta: seq, text; reply.done: text (the whole
	 * reply), speech_frames, cancelled, *_ms (-1 when absent) */
	const char *text;
	int final;
	uint32_t seq;
	long speech_seq;        /* reply.delta: the speech frame its text starts at (the
				 * server sends it when speech is on); -1 when absent */
	uint32_t speech_frames;
	int cancelled;
	long asr_ms, think_ms, first_speech_ms;
	/* action */
	const char *name;
	const cJSON *args, *result; /* NULL when absent */
	/* action naming args.product_id: that product's title when this connection has
	 * seen it (search results, carts, products); "" otherwise.  Set by the client,
	 * not by the decoder. */
	const char *product_title;
	/* error */
	const char *code, *message;
	/* ready */
	const char *session;
	int64_t conversation_id;
	int speech_rate;        /* downlink sample rate as sent (24000 when absent) */
	const char *voice;
	const cJSON *user;      /* User, or NULL */
};

/* Decodes one text message.  0 and *ev filled (free with buddy_event_free), or -1 when
 * it is not a JSON object with a string "type" (*ev zeroed). */
int buddy_event_decode(const char *text, size_t len, struct buddy_event *ev);
void buddy_event_free(struct buddy_event *ev);

#endif
