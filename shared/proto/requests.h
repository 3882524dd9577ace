/*
 * requests.h - the buddy WebSocket's text messages, client to server (docs/protocol.md,
 * "The buddy WebSocket"), in one place: the clients build every message they send with
 * the encoders below, and voxcartd reads every message with buddy_req_decode().  The
 * counterpart of events.h (server to client); a field added to a message is added here,
 * on both sides at once.
 *
 * Encoders return a new cJSON object (NULL only when out of memory) that the caller
 * sends and frees; fields come out in the order docs/protocol.md lists them.
 */
#ifndef VOXCART_REQUESTS_H
#define VOXCART_REQUESTS_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

enum buddy_req_type {
	BUDDY_REQ_UNKNOWN = 0, /* a "type" the server does not know */
	BUDDY_REQ_HELLO,
	BUDDY_REQ_PING,
	BUDDY_REQ_SAY,
	BUDDY_REQ_AUDIO_START,
	BUDDY_REQ_AUDIO_STOP,
	BUDDY_REQ_CANCEL,
	BUDDY_REQ_COUNT
};

/* ---- encoding (the clients) ---- */

/* What a client says in its hello.  conversation_id <= 0 leaves it out (a new one). */
struct buddy_req_hello {
	const char *token;      /* the access token (a secret: the caller wipes the text) */
	const char *client;     /* the client's name, e.g. "voxcart/0.1.0" */
	int sample_rate;        /* of the client's Opus audio */
	int frame_ms;
	int speech;             /* 1: the server speaks its replies */
	int vad;                /* 1: hands-free, the server ends turns on silence */
	int64_t conversation_id;
};
cJSON *buddy_req_hello(const struct buddy_req_hello *h);
/* say: one typed utterance as turn `turn`. */
cJSON *buddy_req_say(uint32_t turn, const char *text);
/* The messages that carry only a turn: audio.start, audio.stop, cancel; ping carries
 * none (turn is ignored).  NULL for hello, say or an unknown type. */
cJSON *buddy_req_turn(enum buddy_req_type type, uint32_t turn);

/* ---- decoding (the server) ---- */

/* One text message from a client, decoded and checked as far as the message alone
 * allows; what needs the session (turn order, the token) is the server's.  Strings
 * point into msg and are NULL when absent or not strings. */
struct buddy_req {
	enum buddy_req_type type;
	const char *type_name;  /* the "type" as sent */
	uint32_t turn;          /* msgcheck_turn(): 0 when absent or not 1..4294967295 */
	const char *text;       /* say */
	/* hello */
	const char *token;
	int speech;             /* default 1 */
	int vad;                /* default 0 */
	int sample_rate;        /* audio.sample_rate; 16000 when absent or not an integer */
	int has_conversation;   /* conversation_id is a number (conversation_id 0: no such) */
	int64_t conversation_id;
	const char *voice_name; /* "voice": "name" or {"name": ...} */
	int has_rate, rate;     /* "voice": {"rate": words a minute} given as an integer */
	int has_pitch, pitch;   /* "voice": {"pitch": 0..99} given as an integer */
	cJSON *msg;             /* the whole message (owned: buddy_req_free) */
};

/* Decodes one text message.  0 and *r filled (free with buddy_req_free), or -1 with
 * *code and *message (static strings) for the error to answer: "invalid_json" (not
 * JSON, or a \u0000 escape), "bad_request" (no object, no string "type"). */
int buddy_req_decode(const char *raw, size_t len, struct buddy_req *r, const char **code,
		     const char **message);
void buddy_req_free(struct buddy_req *r);

#endif
