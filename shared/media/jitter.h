/*
 * jitter.h - the client's playout buffer for downlink speech frames (0x02).
 *
 * The server sends each reply turn as Opus frames numbered 0, 1, 2, ... (often
 * faster than real time, a whole sentence at once).  The buffer:
 *   - orders frames by sequence number and hands them out one per jitter_pop();
 *   - follows one turn at a time: the first frame of a newer turn discards what is
 *     left of the older one, and frames of older turns are dropped as stale;
 *   - drops every frame of a cancelled turn (barge-in) and of all turns before it;
 *   - drops duplicates and frames that come after their slot was played or skipped;
 *   - when the next frame is missing, waits: it reports a gap (the caller plays
 *     Opus packet-loss concealment) once max_wait later frames are buffered, or
 *     once max_wait pops have waited on it while later audio (or a known end,
 *     jitter_expect_end()) shows that it really is missing;
 *   - knows when the frame flagged last (or the last one announced by
 *     jitter_expect_end()) has been played.
 *
 * Not thread-safe: a network thread pushing and an audio thread popping must hold
 * one lock around every call.  The buffer owns copies of all payloads; the caller
 * owns the buffer (jitter_new / jitter_free).
 */
#ifndef VOXCART_JITTER_H
#define VOXCART_JITTER_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"

struct jitter_config {
	unsigned max_wait;   /* frames to wait on a missing one (default 3) */
	unsigned prebuffer;  /* frames to collect before a turn starts playing (default 0) */
	unsigned max_frames; /* most frames held ahead of playback (default 3000 = 60 s) */
};

enum jitter_push_result {
	JITTER_ACCEPTED = 0,
	JITTER_STALE,     /* older turn, or already played / skipped / after the last */
	JITTER_CANCELLED, /* the turn was cancelled */
	JITTER_DUPLICATE,
	JITTER_OVERFLOW,  /* too far ahead of playback (max_frames) */
	JITTER_INVALID    /* bad arguments or payload too long */
};

enum jitter_pop_result {
	JITTER_FRAME, /* out holds the next frame (len may be 0 on a last frame) */
	JITTER_GAP,   /* out->seq is missing for good: play concealment for 20 ms */
	JITTER_WAIT,  /* a turn is in progress but its next frame is not here yet */
	JITTER_IDLE   /* no turn in progress, or its last frame was played */
};

struct jitter_packet {
	uint32_t turn;
	uint32_t seq;
	int last;
	size_t len;
	uint8_t data[PROTO_FRAME_MAX_PAYLOAD];
};

struct jitter_stats {
	uint64_t received;          /* frames accepted into the buffer */
	uint64_t played;            /* frames handed out by jitter_pop() */
	uint64_t dropped_stale;     /* older turn / late / beyond the last frame */
	uint64_t dropped_cancelled; /* frames of cancelled turns, incl. discarded ones */
	uint64_t duplicates;
	uint64_t overflows;
	uint64_t gaps;              /* JITTER_GAP results */
};

struct jitter;

/* cfg NULL (or zero fields) means the defaults.  NULL on allocation failure. */
struct jitter *jitter_new(const struct jitter_config *cfg);
void jitter_free(struct jitter *j);

/* Offers one frame; the payload is copied.  Returns what happened to it. */
enum jitter_push_result jitter_push(struct jitter *j, uint32_t turn, uint32_t seq, int last,
				    const uint8_t *payload, size_t len);

/* Gives the next thing to play; call once per 20 ms of playback. */
enum jitter_pop_result jitter_pop(struct jitter *j, struct jitter_packet *out);

/* Drops turn and every older turn, now and when their frames arrive later. */
void jitter_cancel_turn(struct jitter *j, uint32_t turn);

/* The turn has total_frames frames in all (from reply.done's speech_frames): lets the
 * buffer declare trailing frames missing and finish the turn without a last flag. */
void jitter_expect_end(struct jitter *j, uint32_t turn, uint32_t total_frames);

/* 1 once the current turn's final frame has been played (or skipped as a gap). */
int jitter_turn_done(const struct jitter *j);
/* 1 and *turn set when a turn has been seen. */
int jitter_current_turn(const struct jitter *j, uint32_t *turn);
/* Frames held, waiting to be played. */
size_t jitter_buffered(const struct jitter *j);
void jitter_get_stats(const struct jitter *j, struct jitter_stats *s);

#endif
