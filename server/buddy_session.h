/*
 * buddy_session.h - one buddy WebSocket session, shared by the loop thread (which
 * owns the socket) and the worker running the session's current job.
 *
 * Ownership: a session is reference-counted.  The open connection holds one
 * reference, each queued or running job one, and the hub's ready list one while the
 * session is on it.  The last buddy_session_unref() frees it.
 *
 * Threads: fields marked [loop] are touched only by the event-loop thread; [job] only
 * by the worker running the session's one job at a time (jobs of a session never
 * overlap: the loop submits the next only after the previous one said it was done);
 * [lock] under s->lock.  The outgoing queue is the only way a job talks to the
 * socket: it appends messages, and the loop writes them.
 */
#ifndef VOXCART_BUDDY_SESSION_H
#define VOXCART_BUDDY_SESSION_H

#include "api.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

struct server;
struct buddy_state;
struct tts;
struct asr;
struct opus_dec;
struct voice_state;

/* OUT_TEXT, OUT_BINARY and OUT_CLOSE go to the client, in order, on the outgoing
 * queue; the control events (a job finished, the VAD heard the end of speech) go to
 * the loop on a queue of their own, handled as soon as the loop wakes, whether or not
 * the socket can be written. */
enum out_kind { OUT_TEXT, OUT_BINARY, OUT_CLOSE, CTL_JOB_DONE, CTL_VAD_END };

struct out_msg {
	struct out_msg *next;
	enum out_kind kind;
	uint32_t turn;       /* speech frames: their turn (dropped on cancel) */
	int close_code;      /* OUT_CLOSE */
	size_t len;
	unsigned char data[]; /* LWS_PRE bytes of head room, then the payload */
};

enum job_kind { JOB_HELLO, JOB_SAY, JOB_AUDIO };

struct buddy_job {
	struct buddy_job *next;
	enum job_kind kind;
	uint32_t turn;
	char *text;           /* JOB_SAY: the utterance */
	struct buddy_req *hello; /* JOB_HELLO: the decoded hello (requests.h) */
	/* JOB_AUDIO: Opus packets of the utterance, in order */
	unsigned char **packets;
	size_t *packet_lens;
	size_t npackets, cap;
	int audio_done;       /* audio.stop (or VAD end) seen */
	size_t fed;           /* [loop] packets handed to feed runs so far */
	double t_stop;        /* when audio.stop arrived (monotonic s) */
};

struct buddy_session {
	atomic_int refs;
	struct server *srv;
	void (*release)(struct buddy_session *s); /* frees the [job] parts */
	pthread_mutex_t lock;
	struct out_msg *out_head, *out_tail; /* [lock] */
	struct out_msg *ctl_head, *ctl_tail; /* [lock] control events for the loop */
	size_t out_bytes;                    /* [lock] what the queue holds */
	atomic_int overflow;                 /* the client stopped reading: close it */
	int counted;                         /* [job] counted in the hub's per-user table */
	int on_ready_list;                   /* [lock of the hub] */
	struct buddy_session *ready_next;    /* [lock of the hub] */
	atomic_int closed;                   /* the socket is gone */
	atomic_uint cancel_upto;             /* turns <= this are cancelled */

	/* [loop] */
	struct lws *wsi;
	int hello_seen, authed, job_running;
	int vad;                             /* hello asked for end-pointing */
	uint32_t last_turn;
	double bucket, bucket_t;             /* message rate limit: tokens, last refill */
	struct buddy_job *queue_head, *queue_tail; /* owns the jobs not yet running */
	int queued;                          /* jobs on the queue */
	struct buddy_job *audio;             /* audio turn being received: a job on the
					      * queue (not owned separately) */
	char id[24];

	/* [job] (after hello) */
	struct api_user user;
	int64_t conversation_id;
	struct buddy_state *state;
	int speech;
	int uplink_rate;
	char voice_name[64];
	int rate_wpm, pitch;
	struct tts *tts;
	struct voice_state *voice;          /* recognition of the current audio turn */
};

/* What may wait to be written to one client (speech of a long reply is ~200 KB): a
 * client that stops reading is closed rather than buffered for. */
#define BUDDY_MAX_OUT_BYTES (2 * 1024 * 1024)

/* release(s) frees the session's [job] parts when the last reference goes. */
struct buddy_session *buddy_session_new(struct server *srv, struct lws *wsi,
				       void (*release)(struct buddy_session *));
void buddy_session_ref(struct buddy_session *s);
void buddy_session_unref(struct buddy_session *s);

/* [job] Queue an outgoing message and get the loop to send it. */
void buddy_session_send_json(struct buddy_session *s, cJSON *msg); /* takes msg */
void buddy_session_send_binary(struct buddy_session *s, uint32_t turn, const void *data,
			       size_t len);
void buddy_session_send_marker(struct buddy_session *s, enum out_kind kind, int close_code);
/* [job] A control event (CTL_*) for the loop, about turn. */
void buddy_session_send_control(struct buddy_session *s, enum out_kind kind, uint32_t turn);
/* Error event; turn 0 means none. */
void buddy_session_send_error(struct buddy_session *s, uint32_t turn, const char *code,
			      const char *message);
/* The session as a turn's sink (turn/sink.h): reply.delta, action, transcript and
 * reply.done events and speech frames on the socket; cancelled by cancel_upto. */
struct turn_sink;
void buddy_session_sink(struct buddy_session *s, struct turn_sink *sink);

/* [loop] Removes queued speech frames of turns <= turn (a barge-in). */
void buddy_session_drop_speech(struct buddy_session *s, uint32_t turn);
/* [loop] Takes the next queued message, or NULL. */
struct out_msg *buddy_session_pop(struct buddy_session *s);
/* [loop] Takes the next control event, or NULL. */
struct out_msg *buddy_session_pop_control(struct buddy_session *s);

/* [job] Counts an authenticated session against its account's limit; -1 when the
 * account already has the most open sessions it may have (not counted then). */
int buddy_session_count_user(struct buddy_session *s);

void buddy_job_free(struct buddy_job *job);

/* The hub (srv->buddy): 0, or -1 out of memory. */
int buddy_hub_init(struct server *srv);
/* [loop] The sessions that have queued something since the last call (each holds a
 * reference the caller drops).  Walk the list with buddy_hub_next_ready(), which
 * takes s off it before anything of s is handled: a job that queues more meanwhile
 * puts s on the hub's next list instead of rewriting this one. */
struct buddy_session *buddy_hub_take_ready(struct server *srv);
struct buddy_session *buddy_hub_next_ready(struct buddy_session *s);
void buddy_hub_free(struct server *srv);

/* [job] Runs a job (hello, typed turn, audio turn). Defined in buddy_turn.c. */
void buddy_job_run(struct buddy_session *s, struct buddy_job *job);
/* Frees the [job] parts of a session (state, tts, decoder). buddy_turn.c. */
void buddy_session_release_job_parts(struct buddy_session *s);

#endif
