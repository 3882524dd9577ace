/*
 * buddy_session.c - a buddy session's life and its outgoing queue (buddy_session.h),
 * and the hub that gathers the sessions with something to send for the loop.  Below
 * both the WebSocket glue (buddy_ws.c) and the jobs (buddy_turn.c, voice_turn.c,
 * buddy_run.c), which only queue messages here.
 */
#include "buddy_session.h"
#include "requests.h"
#include "events.h"
#include "server.h"
#include "turn/sink.h"

#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>

/* What may wait to be written to one client (speech of a long reply is ~200 KB): a
 * client that stops reading is closed rather than buffered for. */
#define USER_BUCKETS 1024

/* Open authenticated sessions per account. */
struct user_count {
	struct user_count *next;
	int64_t user_id;
	int n;
};

struct buddy_hub {
	pthread_mutex_t lock;
	struct buddy_session *ready;
	atomic_int sessions;
	atomic_uint_fast64_t next_id;
	struct user_count *users[USER_BUCKETS]; /* [lock] */
};


struct buddy_session *buddy_session_new(struct server *srv, struct lws *wsi,
				       void (*release)(struct buddy_session *))
{
	struct buddy_session *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	atomic_init(&s->refs, 1);
	s->srv = srv;
	s->wsi = wsi;
	s->release = release;
	pthread_mutex_init(&s->lock, NULL);
	snprintf(s->id, sizeof s->id, "s%llu",
		 (unsigned long long)atomic_fetch_add(&srv->buddy->next_id, 1) + 1);
	atomic_fetch_add(&srv->buddy->sessions, 1);
	return s;
}

void buddy_session_ref(struct buddy_session *s)
{
	atomic_fetch_add(&s->refs, 1);
}

static struct user_count **user_slot(struct buddy_hub *hub, int64_t user_id)
{
	struct user_count **pp = &hub->users[(uint64_t)user_id % USER_BUCKETS];
	while (*pp && (*pp)->user_id != user_id)
		pp = &(*pp)->next;
	return pp;
}

int buddy_session_count_user(struct buddy_session *s)
{
	struct buddy_hub *hub = s->srv->buddy;
	int rc = -1;
	pthread_mutex_lock(&hub->lock);
	struct user_count **pp = user_slot(hub, s->user.id);
	if (!*pp && (*pp = calloc(1, sizeof **pp)) != NULL)
		(*pp)->user_id = s->user.id;
	if (*pp && (*pp)->n < s->srv->set.max_sessions_per_user) {
		(*pp)->n++;
		s->counted = 1;
		rc = 0;
	}
	pthread_mutex_unlock(&hub->lock);
	return rc;
}

static void uncount_user(struct buddy_session *s)
{
	struct buddy_hub *hub = s->srv->buddy;
	pthread_mutex_lock(&hub->lock);
	struct user_count **pp = user_slot(hub, s->user.id);
	if (*pp && --(*pp)->n <= 0) {
		struct user_count *dead = *pp;
		*pp = dead->next;
		free(dead);
	}
	pthread_mutex_unlock(&hub->lock);
}

void buddy_session_unref(struct buddy_session *s)
{
	if (atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	if (s->counted)
		uncount_user(s);
	for (struct out_msg *m = s->out_head, *next; m; m = next) {
		next = m->next;
		free(m);
	}
	for (struct out_msg *m = s->ctl_head, *next; m; m = next) {
		next = m->next;
		free(m);
	}
	/* The turn being recorded (s->audio) is one of the queued jobs: freed here once. */
	struct buddy_job *j = s->queue_head;
	while (j) {
		struct buddy_job *next = j->next;
		buddy_job_free(j);
		j = next;
	}
	s->queue_head = s->queue_tail = s->audio = NULL;
	if (s->release)
		s->release(s);
	atomic_fetch_sub(&s->srv->buddy->sessions, 1);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static void mark_ready(struct buddy_session *s)
{
	struct buddy_hub *hub = s->srv->buddy;
	pthread_mutex_lock(&hub->lock);
	if (!s->on_ready_list) {
		s->on_ready_list = 1;
		buddy_session_ref(s);
		s->ready_next = hub->ready;
		hub->ready = s;
	}
	pthread_mutex_unlock(&hub->lock);
	lws_cancel_service(s->srv->lws);
}

static size_t out_size(const struct out_msg *m)
{
	return sizeof *m + LWS_PRE + m->len;
}

static void push_out(struct buddy_session *s, struct out_msg *m)
{
	pthread_mutex_lock(&s->lock);
	if (m->kind == CTL_JOB_DONE || m->kind == CTL_VAD_END) {
		if (s->ctl_tail)
			s->ctl_tail->next = m;
		else
			s->ctl_head = m;
		s->ctl_tail = m;
		pthread_mutex_unlock(&s->lock);
		mark_ready(s);
		return;
	}
	if (m->kind == OUT_TEXT || m->kind == OUT_BINARY) {
		if (s->out_bytes + out_size(m) > BUDDY_MAX_OUT_BYTES) {
			/* The client is not reading what it is sent. */
			pthread_mutex_unlock(&s->lock);
			free(m);
			atomic_store(&s->overflow, 1);
			mark_ready(s);
			return;
		}
		s->out_bytes += out_size(m);
	}
	if (s->out_tail)
		s->out_tail->next = m;
	else
		s->out_head = m;
	s->out_tail = m;
	pthread_mutex_unlock(&s->lock);
	mark_ready(s);
}

static struct out_msg *out_new(enum out_kind kind, const void *data, size_t len)
{
	struct out_msg *m = malloc(sizeof *m + LWS_PRE + len);
	if (!m)
		return NULL;
	memset(m, 0, sizeof *m);
	m->kind = kind;
	m->len = len;
	if (len)
		memcpy(m->data + LWS_PRE, data, len);
	return m;
}

void buddy_session_send_json(struct buddy_session *s, cJSON *msg)
{
	char *text = cJSON_PrintUnformatted(msg);
	cJSON_Delete(msg);
	if (!text)
		return;
	struct out_msg *m = out_new(OUT_TEXT, text, strlen(text));
	free(text);
	if (m)
		push_out(s, m);
}

void buddy_session_send_binary(struct buddy_session *s, uint32_t turn, const void *data, size_t len)
{
	struct out_msg *m = out_new(OUT_BINARY, data, len);
	if (m) {
		m->turn = turn;
		push_out(s, m);
	}
}

void buddy_session_send_marker(struct buddy_session *s, enum out_kind kind, int close_code)
{
	struct out_msg *m = out_new(kind, NULL, 0);
	if (m) {
		m->close_code = close_code;
		push_out(s, m);
	}
}

void buddy_session_send_control(struct buddy_session *s, enum out_kind kind, uint32_t turn)
{
	struct out_msg *m = out_new(kind, NULL, 0);
	if (m) {
		m->turn = turn;
		push_out(s, m);
	}
}

void buddy_session_send_error(struct buddy_session *s, uint32_t turn, const char *code,
			      const char *message)
{
	buddy_session_send_json(s, buddy_event_error(turn, code, message));
}

void buddy_session_drop_speech(struct buddy_session *s, uint32_t turn)
{
	pthread_mutex_lock(&s->lock);
	struct out_msg **pp = &s->out_head, *last = NULL;
	while (*pp) {
		struct out_msg *m = *pp;
		if (m->kind == OUT_BINARY && m->turn <= turn) {
			*pp = m->next;
			s->out_bytes -= out_size(m);
			free(m);
			continue;
		}
		last = m;
		pp = &m->next;
	}
	s->out_tail = last;
	pthread_mutex_unlock(&s->lock);
}

/* [lock held] Unlinks the first message of a list. */
static struct out_msg *unlink_first(struct out_msg **head, struct out_msg **tail)
{
	struct out_msg *m = *head;
	if (m) {
		*head = m->next;
		if (!*head)
			*tail = NULL;
		m->next = NULL;
	}
	return m;
}

struct out_msg *buddy_session_pop(struct buddy_session *s)
{
	pthread_mutex_lock(&s->lock);
	struct out_msg *m = unlink_first(&s->out_head, &s->out_tail);
	if (m && (m->kind == OUT_TEXT || m->kind == OUT_BINARY))
		s->out_bytes -= out_size(m);
	pthread_mutex_unlock(&s->lock);
	return m;
}

struct out_msg *buddy_session_pop_control(struct buddy_session *s)
{
	pthread_mutex_lock(&s->lock);
	struct out_msg *m = unlink_first(&s->ctl_head, &s->ctl_tail);
	pthread_mutex_unlock(&s->lock);
	return m;
}

void buddy_job_free(struct buddy_job *job)
{
	if (!job)
		return;
	for (size_t i = 0; i < job->npackets; i++)
		free(job->packets[i]);
	free(job->packets);
	free(job->packet_lens);
	free(job->text);
	if (job->hello) {
		buddy_req_free(job->hello);
		free(job->hello);
	}
	free(job);
}

int buddy_hub_init(struct server *srv)
{
	struct buddy_hub *hub = calloc(1, sizeof *hub);
	if (!hub)
		return -1;
	pthread_mutex_init(&hub->lock, NULL);
	srv->buddy = hub;
	return 0;
}

struct buddy_session *buddy_hub_take_ready(struct server *srv)
{
	struct buddy_hub *hub = srv->buddy;
	if (!hub)
		return NULL;
	pthread_mutex_lock(&hub->lock);
	struct buddy_session *list = hub->ready;
	hub->ready = NULL;
	pthread_mutex_unlock(&hub->lock);
	return list;
}

struct buddy_session *buddy_hub_next_ready(struct buddy_session *s)
{
	struct buddy_hub *hub = s->srv->buddy;
	pthread_mutex_lock(&hub->lock);
	struct buddy_session *next = s->ready_next;
	s->ready_next = NULL;
	s->on_ready_list = 0; /* from here a job may put it on the hub's list again */
	pthread_mutex_unlock(&hub->lock);
	return next;
}

void buddy_hub_free(struct server *srv)
{
	struct buddy_hub *hub = srv->buddy;
	if (!hub)
		return;
	for (int i = 0; i < USER_BUCKETS; i++)
		while (hub->users[i]) {
			struct user_count *next = hub->users[i]->next;
			free(hub->users[i]);
			hub->users[i] = next;
		}
	pthread_mutex_destroy(&hub->lock);
	free(hub);
	srv->buddy = NULL;
}

int buddy_ws_session_count(struct server *srv)
{
	return srv->buddy ? atomic_load(&srv->buddy->sessions) : 0;
}

/* ---- a turn's sink (turn/sink.h): each piece becomes an event or a frame at once ---- */

static void sink_delta(void *ctx, uint32_t turn, int seq, const char *text, int speech_seq)
{
	buddy_session_send_json(ctx, buddy_event_delta(turn, seq, text, speech_seq));
}

static void sink_action(void *ctx, uint32_t turn, const char *name, const cJSON *args,
			const cJSON *result)
{
	buddy_session_send_json(ctx, buddy_event_action(turn, name, args, result));
}

static void sink_transcript(void *ctx, uint32_t turn, const char *text, int final)
{
	buddy_session_send_json(ctx, buddy_event_transcript(turn, text, final));
}

static void sink_speech_frame(void *ctx, uint32_t turn, const unsigned char *frame, size_t len)
{
	buddy_session_send_binary(ctx, turn, frame, len);
}

static void sink_done(void *ctx, uint32_t turn, const struct buddy_event_done *d)
{
	buddy_session_send_json(ctx, buddy_event_done(turn, d));
}

static int sink_cancelled(void *ctx, uint32_t turn)
{
	struct buddy_session *s = ctx;
	return turn <= atomic_load(&s->cancel_upto);
}

void buddy_session_sink(struct buddy_session *s, struct turn_sink *sink)
{
	*sink = (struct turn_sink){
		.ctx = s,
		.delta = sink_delta,
		.action = sink_action,
		.transcript = sink_transcript,
		.speech_frame = sink_speech_frame,
		.done = sink_done,
		.cancelled = sink_cancelled,
	};
}
