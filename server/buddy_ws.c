/*
 * buddy_ws.c - the buddy WebSocket on the event-loop thread (see buddy_ws.h and
 * buddy_session.h): lws's callbacks, the client's messages, and each session's queue
 * of jobs.  The session itself (its outgoing queue, references, the hub) is
 * buddy_session.c, below both this file and the jobs (buddy_turn.c).
 *
 * The loop parses each client message, keeps the session's queue of jobs (hello,
 * typed turns, audio turns) and runs them one at a time on the worker pool.  Jobs
 * answer through the session's outgoing queue; they put the session on the hub's
 * ready list and wake the loop, which asks lws for a writable callback and writes
 * one message per callback.  A new turn or a cancel marks the running turn
 * cancelled (the job polls the mark) and drops its queued speech frames, so speech
 * stops within a frame.
 */
#include "buddy_ws.h"
#include "buddy_session.h"
#include "clock.h"
#include "events.h"
#include "frame.h"
#include "log.h"
#include "proxy.h"
#include "ratelimit.h"
#include "requests.h"
#include "server.h"
#include "turn/sink.h"
#include "voice_turn.h"
#include "workers.h"
#include "ws_rx.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_MESSAGE (256 * 1024)
#define MAX_AUDIO_PACKETS (60 * 50) /* one minute of 20 ms frames */
#define MAX_QUEUED_JOBS 8           /* turns (and the hello) waiting per session */

struct buddy_conn {
	struct buddy_session *s;
	struct ws_rx rx;		/* a message arriving in pieces */
};

/* ---- jobs ---- */

struct job_arg {
	struct buddy_session *s;
	struct buddy_job *job;
	int feed_only; /* an audio turn still recording: decode what has arrived */
};

static void job_main(void *arg)
{
	struct job_arg *a = arg;
	if (a->feed_only) {
		/* The end the VAD heard goes to the loop, which owns the job's state. */
		struct turn_sink sink;
		buddy_session_sink(a->s, &sink);
		if (!atomic_load(&a->s->closed) && voice_turn_feed(a->s, a->job, &sink)) {
			buddy_session_send_control(a->s, CTL_VAD_END, a->job->turn);
		}
	} else {
		if (!atomic_load(&a->s->closed))
			buddy_job_run(a->s, a->job);
		buddy_job_free(a->job);
	}
	buddy_session_send_control(a->s, CTL_JOB_DONE, 0);
	buddy_session_unref(a->s);
	free(a);
}

/* [loop] Starts the next queued job if none is running. */
static void pump(struct buddy_session *s)
{
	if (s->job_running || !s->queue_head)
		return;
	struct buddy_job *job = s->queue_head;
	int feed_only = 0;
	if (job->kind == JOB_AUDIO && !job->audio_done) {
		/* Still recording: decode what has arrived so far, if anything new. */
		pthread_mutex_lock(&s->lock);
		int fresh = job->npackets > job->fed;
		pthread_mutex_unlock(&s->lock);
		if (!fresh)
			return;
		feed_only = 1;
		job->fed = job->npackets;
	} else {
		s->queue_head = job->next;
		if (!s->queue_head)
			s->queue_tail = NULL;
		job->next = NULL;
		s->queued--;
	}
	struct job_arg *a = malloc(sizeof *a);
	if (!a) {
		if (!feed_only)
			buddy_job_free(job);
		return;
	}
	a->s = s;
	a->job = job;
	a->feed_only = feed_only;
	buddy_session_ref(s);
	s->job_running = 1;
	if (workers_submit(s->srv->turn_pool, job_main, a) != 0) {
		s->job_running = 0;
		buddy_session_unref(s);
		if (!feed_only)
			buddy_job_free(job);
		free(a);
	}
}

/* Takes job; returns 0, or -1 (job freed, error sent) when the session has too many
 * turns waiting already. */
static int enqueue(struct buddy_session *s, struct buddy_job *job)
{
	if (s->queued >= MAX_QUEUED_JOBS) {
		buddy_session_send_error(s, job->turn, "busy",
					 "Too many turns are waiting; wait for the replies.");
		buddy_job_free(job);
		return -1;
	}
	s->queued++;
	if (s->queue_tail)
		s->queue_tail->next = job;
	else
		s->queue_head = job;
	s->queue_tail = job;
	pump(s);
	return 0;
}

/* ---- client messages ---- */

static void cancel_turns(struct buddy_session *s, uint32_t upto)
{
	if (upto > atomic_load(&s->cancel_upto))
		atomic_store(&s->cancel_upto, upto);
	buddy_session_drop_speech(s, upto);
}

/* Checks a new turn id: returns it, or 0 after sending an error. */
static uint32_t take_turn(struct buddy_session *s, uint32_t turn)
{
	if (turn <= s->last_turn) {
		buddy_session_send_error(s, turn, "bad_request",
					 "Turn ids must increase; this one was already used.");
		return 0;
	}
	/* A new turn cancels whatever reply is still going. */
	if (s->last_turn)
		cancel_turns(s, s->last_turn);
	s->last_turn = turn;
	return turn;
}

static uint32_t new_turn(struct buddy_session *s, const struct buddy_req *req)
{
	if (!req->turn) {
		buddy_session_send_error(s, 0, "bad_request", "turn must be a positive integer.");
		return 0;
	}
	return take_turn(s, req->turn);
}

static struct buddy_job *job_new(enum job_kind kind, uint32_t turn, const char *text)
{
	struct buddy_job *j = calloc(1, sizeof *j);
	if (!j)
		return NULL;
	j->kind = kind;
	j->turn = turn;
	j->text = text ? strdup(text) : NULL;
	return j;
}

static void on_hello(struct buddy_session *s, struct buddy_req *req)
{
	if (s->hello_seen) {
		buddy_session_send_error(s, 0, "bad_request", "hello was already sent.");
		return;
	}
	s->hello_seen = 1;
	if (s->wsi)
		lws_set_timeout(s->wsi, NO_PENDING_TIMEOUT, 0);
	s->vad = req->vad;
	struct buddy_job *j = job_new(JOB_HELLO, 0, NULL);
	struct buddy_req *keep = j ? malloc(sizeof *keep) : NULL;
	if (!keep) {
		buddy_job_free(j);
		return;
	}
	*keep = *req; /* the job takes the message */
	memset(req, 0, sizeof *req);
	j->hello = keep;
	enqueue(s, j);
}

static void on_say(struct buddy_session *s, struct buddy_req *req)
{
	if (!req->text) {
		buddy_session_send_error(s, 0, "bad_request", "say needs a text string.");
		return;
	}
	if (strlen(req->text) > 4000) {
		buddy_session_send_error(s, 0, "bad_request", "That utterance is too long.");
		return;
	}
	uint32_t turn = new_turn(s, req);
	struct buddy_job *j = turn ? job_new(JOB_SAY, turn, req->text) : NULL;
	if (j)
		enqueue(s, j);
}

static void finish_audio(struct buddy_session *s)
{
	if (!s->audio)
		return;
	s->audio->audio_done = 1;
	s->audio->t_stop = clock_mono_s();
	s->audio = NULL;
	pump(s);
}

/* Starts recording turn (already checked and taken). */
static void start_audio(struct buddy_session *s, uint32_t turn)
{
	finish_audio(s);
	struct buddy_job *j = job_new(JOB_AUDIO, turn, NULL);
	if (j && enqueue(s, j) == 0)
		s->audio = j;
}

static void on_audio_start(struct buddy_session *s, struct buddy_req *req)
{
	uint32_t turn = new_turn(s, req);
	if (turn)
		start_audio(s, turn);
}

static void on_audio_stop(struct buddy_session *s, struct buddy_req *req)
{
	if (!s->audio && req->turn && req->turn == s->last_turn)
		return; /* already ended by a frame flagged last, or by the VAD */
	if (!s->audio || req->turn != s->audio->turn) {
		buddy_session_send_error(s, req->turn,
					 "bad_request", "audio.stop for a turn that is not recording.");
		return;
	}
	finish_audio(s);
}

static void on_cancel(struct buddy_session *s, struct buddy_req *req)
{
	if (!req->turn) {
		buddy_session_send_error(s, 0, "bad_request", "cancel needs the turn to cancel.");
		return;
	}
	uint32_t turn = req->turn;
	if (s->audio && s->audio->turn == turn)
		finish_audio(s); /* its job sees the cancel and ends the turn */
	cancel_turns(s, turn);
}

static void on_ping(struct buddy_session *s, struct buddy_req *req)
{
	(void)req;
	buddy_session_send_json(s, buddy_event_pong());
}

/* One handler per client message (requests.h); hello and ping are taken before hello,
 * the others only after it. */
static const struct {
	void (*run)(struct buddy_session *s, struct buddy_req *req);
	int before_hello;
} handlers[BUDDY_REQ_COUNT] = {
	[BUDDY_REQ_HELLO] = { on_hello, 1 },
	[BUDDY_REQ_PING] = { on_ping, 1 },
	[BUDDY_REQ_SAY] = { on_say, 0 },
	[BUDDY_REQ_AUDIO_START] = { on_audio_start, 0 },
	[BUDDY_REQ_AUDIO_STOP] = { on_audio_stop, 0 },
	[BUDDY_REQ_CANCEL] = { on_cancel, 0 },
};

static void on_text(struct buddy_session *s, const char *raw, size_t len)
{
	struct buddy_req req;
	const char *code, *message;
	if (buddy_req_decode(raw, len, &req, &code, &message) != 0) {
		buddy_session_send_error(s, 0, code, message);
		return;
	}
	int known = req.type != BUDDY_REQ_UNKNOWN;
	if (!s->hello_seen && !(known && handlers[req.type].before_hello)) {
		buddy_session_send_error(s, 0, "bad_request", "Send hello first.");
	} else if (known) {
		handlers[req.type].run(s, &req);
	} else {
		char m[160];
		snprintf(m, sizeof m, "Unknown message type \"%.64s\".", req.type_name);
		buddy_session_send_error(s, 0, "bad_request", m);
	}
	buddy_req_free(&req);
}

static void on_binary(struct buddy_session *s, const unsigned char *data, size_t len)
{
	struct proto_frame f;
	if (proto_frame_parse(data, len, &f) != 0 || f.kind != PROTO_FRAME_MIC) {
		buddy_session_send_error(s, 0, "bad_request", "Malformed audio frame.");
		return;
	}
	if (s->vad && !s->audio && f.turn > s->last_turn) {
		/* Hands-free: audio of a new turn starts it without audio.start. */
		if (take_turn(s, f.turn))
			start_audio(s, f.turn);
	}
	struct buddy_job *j = s->audio;
	if (!j || f.turn != j->turn) {
		buddy_session_send_error(s, f.turn, "bad_request",
					 "Audio for a turn that is not recording (send audio.start first).");
		return;
	}
	if (f.seq != j->npackets) { /* frames of a turn are numbered 0, 1, 2... */
		buddy_session_send_error(s, f.turn, "bad_request", "Audio frame out of sequence.");
		return;
	}
	if (j->npackets >= MAX_AUDIO_PACKETS) {
		finish_audio(s);
		return;
	}
	if (j->npackets == j->cap) {
		size_t cap = j->cap ? j->cap * 2 : 64;
		pthread_mutex_lock(&s->lock);
		unsigned char **p = realloc(j->packets, cap * sizeof *p);
		size_t *l = p ? realloc(j->packet_lens, cap * sizeof *l) : NULL;
		if (p)
			j->packets = p;
		if (l) {
			j->packet_lens = l;
			j->cap = cap;
		}
		pthread_mutex_unlock(&s->lock);
		if (!p || !l)
			return;
	}
	unsigned char *copy = malloc(f.len ? f.len : 1);
	if (!copy)
		return;
	if (f.len)
		memcpy(copy, f.payload, f.len);
	pthread_mutex_lock(&s->lock);
	j->packets[j->npackets] = copy;
	j->packet_lens[j->npackets++] = f.len;
	pthread_mutex_unlock(&s->lock);
	if (f.flags & PROTO_FRAME_LAST)
		finish_audio(s);
	else
		pump(s);
}

/* ---- lws glue ---- */

static int uri_is_buddy(struct lws *wsi)
{
	char uri[128];
	if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) <= 0)
		return 0;
	return strcmp(uri, "/api/v1/buddy") == 0 || strcmp(uri, "/api/v1/buddy/") == 0;
}

static int write_one(struct lws *wsi, struct buddy_session *s)
{
	struct out_msg *m;
	if ((m = buddy_session_pop(s)) != NULL) {
		if (m->kind == OUT_CLOSE) {
			const char *why = m->close_code == 4001 ? "unauthorized" : "policy";
			lws_close_reason(wsi, (enum lws_close_status)m->close_code,
					 (unsigned char *)why, strlen(why));
			free(m);
			return -1;
		}
		int n = lws_write(wsi, m->data + LWS_PRE, m->len,
				  m->kind == OUT_TEXT ? LWS_WRITE_TEXT : LWS_WRITE_BINARY);
		free(m);
		if (n < 0)
			return -1;
		/* A client that stops reading fills the socket: lws keeps the rest of the
		 * write and reads nothing more from it.  It gets write_timeout seconds to
		 * take it (the deadline is free once hello was seen). */
		if (s->hello_seen) {
			if (lws_partial_buffered(wsi))
				lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, s->srv->set.write_timeout);
			else
				lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0);
		}
	}
	pthread_mutex_lock(&s->lock);
	int more = s->out_head != NULL;
	pthread_mutex_unlock(&s->lock);
	if (more)
		lws_callback_on_writable(wsi);
	return 0;
}

/* [loop] A token bucket per socket: ws_msg_rate messages a second, bursts of
 * ws_msg_burst.  0 when the client is over the limit. */
/* An audio frame costs a twentieth of a message: a client may send a recording faster
 * than real time (voxcart talk with a WAV file sends a few hundred frames at once),
 * while a flood of frames still meets the limit. */
#define AUDIO_FRAME_COST 0.05

static int take_message_token(struct buddy_session *s, double cost)
{
	const struct server_settings *set = &s->srv->set;
	if (set->ws_msg_rate <= 0)
		return 1;
	double now = clock_mono_s();
	if (s->bucket_t == 0)
		s->bucket = set->ws_msg_burst;
	else
		s->bucket += (now - s->bucket_t) * set->ws_msg_rate;
	if (s->bucket > set->ws_msg_burst)
		s->bucket = set->ws_msg_burst;
	s->bucket_t = now;
	if (s->bucket < cost)
		return 0;
	s->bucket -= cost;
	return 1;
}

static int too_many_messages(struct buddy_conn *c, struct lws *wsi)
{
	log_warn("buddy", "session %s: more than %d messages a second; closing it", c->s->id,
		 c->s->srv->set.ws_msg_rate);
	lws_close_reason(wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION,
			 (unsigned char *)"too many messages", 17);
	return -1;
}

static int receive(struct buddy_conn *c, struct lws *wsi, const void *in, size_t len)
{
	if (atomic_load(&c->s->overflow))
		return -1; /* it does not read what it is sent: no more of what it sends */
	struct ws_rx_msg m;
	int got = ws_rx_take(&c->rx, wsi, in, len, &m);
	if (got == WS_RX_TOO_LARGE) {
		lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, NULL, 0);
		return -1;
	}
	if (got != WS_RX_MESSAGE)
		return got == WS_RX_MORE ? 0 : -1;
	if (!take_message_token(c->s, m.binary ? AUDIO_FRAME_COST : 1)) {
		ws_rx_done(&c->rx);
		return too_many_messages(c, wsi);
	}
	if (m.binary)
		on_binary(c->s, m.data, m.len);
	else
		on_text(c->s, (const char *)m.data, m.len);
	ws_rx_done(&c->rx);
	return 0;
}

/* [loop] WebSocket upgrades take a token of the client address's REST bucket. */
static int upgrade_allowed(struct server *srv, struct lws *wsi)
{
	char ip[64] = "";
	if (atomic_load(&srv->stopping))
		return 0; /* draining before exit: no new sockets */
	proxy_client_of(srv, wsi, ip, sizeof ip);
	int wait = ratelimit_take(srv->limiter, ip, clock_mono_s());
	if (wait > 0)
		log_warn("buddy", "refused a WebSocket upgrade from %s: over the rate limit", ip);
	return wait == 0;
}

static int callback_buddy(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			  void *in, size_t len)
{
	struct buddy_conn *c = user;
	struct server *srv = lws_context_user(lws_get_context(wsi));
	switch (reason) {
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		if (!uri_is_buddy(wsi))
			return 1;
		return upgrade_allowed(srv, wsi) ? 0 : 1;
	case LWS_CALLBACK_ESTABLISHED:
		c->s = buddy_session_new(srv, wsi, buddy_session_release_job_parts);
		if (!c->s)
			return -1;
		c->rx.max = MAX_MESSAGE;
		/* A socket that never says hello is closed after hello_timeout seconds. */
		lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, srv->set.hello_timeout);
		return 0;
	case LWS_CALLBACK_RECEIVE:
		return c->s ? receive(c, wsi, in, len) : -1;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return c->s ? write_one(wsi, c->s) : 0;
	case LWS_CALLBACK_CLOSED:
		if (c->s) {
			atomic_store(&c->s->closed, 1);
			atomic_store(&c->s->cancel_upto, UINT32_MAX);
			c->s->wsi = NULL;
			buddy_session_unref(c->s);
			c->s = NULL;
		}
		ws_rx_done(&c->rx);
		return 0;
	default:
		return 0;
	}
}

int buddy_ws_init(struct server *srv, char *err, size_t errlen)
{
	if (buddy_hub_init(srv) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

struct lws_protocols buddy_ws_protocol(void)
{
	/* lws gives every connection an rx buffer of rx_buffer_size bytes when it becomes a
	 * WebSocket: most of an idle session's memory at 16 KiB (issue 16).  Messages are
	 * small (a hello, a line typed, a 20 ms Opus packet); a larger one arrives in
	 * pieces that ws_rx puts together for as long as it lasts.  Sends are not cut to
	 * the rx buffer's size (tx_packet_size). */
	return (struct lws_protocols){ .name = "voxcart.v1",
				       .callback = callback_buddy,
				       .per_session_data_size = sizeof(struct buddy_conn),
				       .rx_buffer_size = 1024,
				       .tx_packet_size = 16384 };
}

void buddy_ws_wake(struct server *srv)
{
	struct buddy_session *list = buddy_hub_take_ready(srv);
	while (list) {
		struct buddy_session *s = list;
		list = buddy_hub_next_ready(s);
		/* Control events first: the next job starts, or the recording ends, now. */
		for (struct out_msg *m; (m = buddy_session_pop_control(s)) != NULL; free(m)) {
			if (!s->wsi)
				continue; /* closed: no more jobs start */
			if (m->kind == CTL_JOB_DONE) {
				s->job_running = 0;
				pump(s);
			} else if (m->kind == CTL_VAD_END && s->audio && s->audio->turn == m->turn) {
				finish_audio(s);
			}
		}
		if (s->wsi && atomic_load(&s->overflow)) {
			log_warn("buddy", "session %s: the client stopped reading (%d KiB waiting); "
				 "closing it", s->id, BUDDY_MAX_OUT_BYTES / 1024);
			lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_OK, 1);
			s->wsi = NULL; /* gone as far as the jobs are concerned */
			atomic_store(&s->closed, 1);
			atomic_store(&s->cancel_upto, UINT32_MAX);
		} else if (s->wsi)
			lws_callback_on_writable(s->wsi);
		if (!s->wsi) /* closed: nobody will send these */
			for (struct out_msg *m; (m = buddy_session_pop(s)) != NULL;)
				free(m);
		buddy_session_unref(s);
	}
}

void buddy_ws_shutdown(struct server *srv)
{
	buddy_ws_wake(srv);
	buddy_hub_free(srv);
}
