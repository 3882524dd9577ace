/*
 * jitter.c - playout buffer for downlink speech frames (see jitter.h).
 *
 * Frames of the current turn sit in a ring of `cap` slots (a power of two) indexed
 * by seq & (cap - 1).  Invariants:
 *   - every present slot holds a seq in [next_seq, next_seq + cap), so no two
 *     present frames share a slot; the ring doubles when a frame lands further ahead
 *     (up to max_frames);
 *   - `count` is the number of present slots and `max_seq` the highest present seq
 *     whenever count > 0;
 *   - when have_last is set, no present seq is above last_seq;
 *   - `done` is set once the frame at last_seq was handed out (played or gap).
 */
#include "jitter.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_WAIT   3
#define DEFAULT_MAX_FRAMES 3000
#define INITIAL_CAP        64

struct slot {
	uint8_t *data; /* owned; NULL when len is 0 */
	uint32_t seq;
	uint16_t len;
	uint8_t present;
	uint8_t last;
};

struct jitter {
	struct jitter_config cfg;
	struct slot *slots;
	size_t cap;
	size_t count;
	uint32_t max_seq;

	int has_turn, has_cancel;
	uint32_t turn, cancelled; /* turns <= cancelled are dropped */
	uint32_t next_seq;
	int have_last, done, started;
	uint32_t last_seq;
	unsigned stuck; /* pops spent waiting on next_seq */

	struct jitter_stats st;
};

struct jitter *jitter_new(const struct jitter_config *cfg)
{
	struct jitter *j = calloc(1, sizeof *j);

	if (!j)
		return NULL;
	if (cfg)
		j->cfg = *cfg;
	if (j->cfg.max_wait == 0)
		j->cfg.max_wait = DEFAULT_MAX_WAIT;
	if (j->cfg.max_frames == 0)
		j->cfg.max_frames = DEFAULT_MAX_FRAMES;
	j->cap = INITIAL_CAP;
	j->slots = calloc(j->cap, sizeof *j->slots);
	if (!j->slots) {
		free(j);
		return NULL;
	}
	return j;
}

static void slot_clear(struct slot *s)
{
	free(s->data);
	memset(s, 0, sizeof *s);
}

/* Empties the ring; each discarded frame is added to *counter. */
static void discard_all(struct jitter *j, uint64_t *counter)
{
	for (size_t i = 0; i < j->cap && j->count > 0; i++) {
		if (j->slots[i].present) {
			slot_clear(&j->slots[i]);
			j->count--;
			(*counter)++;
		}
	}
	j->count = 0;
}

void jitter_free(struct jitter *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < j->cap; i++)
		free(j->slots[i].data);
	free(j->slots);
	free(j);
}

static void begin_turn(struct jitter *j, uint32_t turn)
{
	discard_all(j, &j->st.dropped_stale);
	j->has_turn = 1;
	j->turn = turn;
	j->next_seq = 0;
	j->have_last = j->done = j->started = 0;
	j->last_seq = 0;
	j->stuck = 0;
}

/* Records that last_seq ends the turn; drops buffered frames beyond it. */
static void set_last(struct jitter *j, uint32_t last_seq)
{
	if (j->have_last && j->last_seq <= last_seq)
		return;
	j->have_last = 1;
	j->last_seq = last_seq;
	j->max_seq = 0;
	for (size_t i = 0; i < j->cap; i++) {
		struct slot *s = &j->slots[i];

		if (!s->present)
			continue;
		if (s->seq > last_seq) {
			slot_clear(s);
			j->count--;
			j->st.dropped_stale++;
		} else if (s->seq > j->max_seq) {
			j->max_seq = s->seq;
		}
	}
	if (j->next_seq > last_seq)
		j->done = 1;
}

/* Doubles the ring until offset fits; -1 on allocation failure. */
static int grow(struct jitter *j, uint32_t offset)
{
	size_t cap = j->cap;
	struct slot *ns;

	while (cap <= offset)
		cap *= 2;
	ns = calloc(cap, sizeof *ns);
	if (!ns)
		return -1;
	for (size_t i = 0; i < j->cap; i++)
		if (j->slots[i].present)
			ns[j->slots[i].seq & (cap - 1)] = j->slots[i];
	free(j->slots);
	j->slots = ns;
	j->cap = cap;
	return 0;
}

/* Checks turn bookkeeping for a pushed frame; JITTER_ACCEPTED means "store it". */
static enum jitter_push_result admit(struct jitter *j, uint32_t turn, uint32_t seq)
{
	if (j->has_cancel && turn <= j->cancelled) {
		j->st.dropped_cancelled++;
		return JITTER_CANCELLED;
	}
	if (j->has_turn && turn < j->turn) {
		j->st.dropped_stale++;
		return JITTER_STALE;
	}
	if (!j->has_turn || turn > j->turn)
		begin_turn(j, turn);
	if (j->done || seq < j->next_seq || (j->have_last && seq > j->last_seq)) {
		j->st.dropped_stale++;
		return JITTER_STALE;
	}
	if (seq - j->next_seq >= j->cfg.max_frames) {
		j->st.overflows++;
		return JITTER_OVERFLOW;
	}
	return JITTER_ACCEPTED;
}

enum jitter_push_result jitter_push(struct jitter *j, uint32_t turn, uint32_t seq, int last,
				    const uint8_t *payload, size_t len)
{
	enum jitter_push_result r;
	uint32_t offset;
	struct slot *s;

	if (!j || len > PROTO_FRAME_MAX_PAYLOAD || (len > 0 && !payload))
		return JITTER_INVALID;
	r = admit(j, turn, seq);
	if (r != JITTER_ACCEPTED)
		return r;
	offset = seq - j->next_seq;
	if (offset >= j->cap && grow(j, offset) != 0) {
		j->st.overflows++;
		return JITTER_OVERFLOW;
	}
	s = &j->slots[seq & (j->cap - 1)];
	if (s->present) {
		j->st.duplicates++;
		return JITTER_DUPLICATE;
	}
	if (len > 0) {
		s->data = malloc(len);
		if (!s->data) {
			j->st.overflows++;
			return JITTER_OVERFLOW;
		}
		memcpy(s->data, payload, len);
	}
	s->seq = seq;
	s->len = (uint16_t)len;
	s->present = 1;
	s->last = last ? 1 : 0;
	if (j->count == 0 || seq > j->max_seq)
		j->max_seq = seq;
	j->count++;
	j->st.received++;
	if (last)
		set_last(j, seq);
	return JITTER_ACCEPTED;
}

/* Hands out the present frame at next_seq. */
static enum jitter_pop_result take(struct jitter *j, struct slot *s, struct jitter_packet *out)
{
	out->turn = j->turn;
	out->seq = s->seq;
	out->len = s->len;
	if (s->len)
		memcpy(out->data, s->data, s->len);
	out->last = s->last || (j->have_last && s->seq == j->last_seq);
	slot_clear(s);
	j->count--;
	j->next_seq++;
	j->stuck = 0;
	j->st.played++;
	if (out->last)
		j->done = 1;
	return JITTER_FRAME;
}

/* next_seq is missing: report a gap once waiting longer is pointless. */
static enum jitter_pop_result missing(struct jitter *j, struct jitter_packet *out)
{
	int later = j->count > 0 || (j->have_last && j->next_seq <= j->last_seq);
	uint32_t ahead = j->count > 0 ? j->max_seq - j->next_seq : 0;

	if (!later)
		return JITTER_WAIT; /* plain underrun: the server is just not there yet */
	j->stuck++;
	if (j->stuck < j->cfg.max_wait && ahead < j->cfg.max_wait)
		return JITTER_WAIT;
	out->turn = j->turn;
	out->seq = j->next_seq;
	out->len = 0;
	out->last = j->have_last && j->next_seq == j->last_seq;
	j->next_seq++;
	j->stuck = 0;
	j->st.gaps++;
	if (out->last)
		j->done = 1;
	return JITTER_GAP;
}

enum jitter_pop_result jitter_pop(struct jitter *j, struct jitter_packet *out)
{
	struct slot *s;

	if (!j || !out || !j->has_turn || j->done)
		return JITTER_IDLE;
	if (!j->started) {
		if (j->count < j->cfg.prebuffer && !j->have_last)
			return JITTER_WAIT;
		j->started = 1;
	}
	s = &j->slots[j->next_seq & (j->cap - 1)];
	if (s->present && s->seq == j->next_seq)
		return take(j, s, out);
	return missing(j, out);
}

void jitter_cancel_turn(struct jitter *j, uint32_t turn)
{
	if (!j)
		return;
	if (!j->has_cancel || turn > j->cancelled) {
		j->has_cancel = 1;
		j->cancelled = turn;
	}
	if (j->has_turn && j->turn <= j->cancelled) {
		discard_all(j, &j->st.dropped_cancelled);
		j->done = 1;
	}
}

void jitter_expect_end(struct jitter *j, uint32_t turn, uint32_t total_frames)
{
	if (!j || (j->has_cancel && turn <= j->cancelled))
		return;
	if (j->has_turn && turn < j->turn)
		return;
	if (!j->has_turn || turn > j->turn)
		begin_turn(j, turn);
	if (total_frames == 0) {
		discard_all(j, &j->st.dropped_stale);
		j->done = 1;
		return;
	}
	set_last(j, total_frames - 1);
}

int jitter_turn_done(const struct jitter *j)
{
	return j && j->has_turn && j->done;
}

int jitter_current_turn(const struct jitter *j, uint32_t *turn)
{
	if (!j || !j->has_turn)
		return 0;
	if (turn)
		*turn = j->turn;
	return 1;
}

size_t jitter_buffered(const struct jitter *j)
{
	return j ? j->count : 0;
}

void jitter_get_stats(const struct jitter *j, struct jitter_stats *s)
{
	if (j && s)
		*s = j->st;
}
