/*
 * turn/sink.h - where a buddy turn's output goes.  The turn (turn/run.h) knows no
 * transport: it hands each piece to a sink.  Two sinks exist: the WebSocket session
 * (buddy_session_sink in buddy_session.c: each piece becomes an event or a speech
 * frame on the socket at once) and the REST collector (buddy_rest.c: the actions are
 * gathered into one answer; the reply is the turn's whole text).
 */
#ifndef VOXCART_TURN_SINK_H
#define VOXCART_TURN_SINK_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "events.h" /* struct buddy_event_done: the end of a turn, as reply.done says it */

/* Each function gets ctx first; any may be NULL: the sink has no use for that kind. */
struct turn_sink {
	void *ctx;
	/* A piece of reply text, numbered from 0 (seq); speech_seq is the number of the
	 * speech frame its speech starts at, or -1 when the turn is not spoken. */
	void (*delta)(void *ctx, uint32_t turn, int seq, const char *text, int speech_seq);
	/* A tool the engine used: its arguments and result (not taken). */
	void (*action)(void *ctx, uint32_t turn, const char *name, const cJSON *args,
		       const cJSON *result);
	/* What recognition heard so far (final = 0) or in the end (final = 1). */
	void (*transcript)(void *ctx, uint32_t turn, const char *text, int final);
	/* An encoded speech frame (frame.h), in order. */
	void (*speech_frame)(void *ctx, uint32_t turn, const unsigned char *frame, size_t len);
	/* The turn is over. */
	void (*done)(void *ctx, uint32_t turn, const struct buddy_event_done *d);
	/* 1 once the turn should stop (a newer turn or a cancel); NULL: never. */
	int (*cancelled)(void *ctx, uint32_t turn);
};

#endif
