/*
 * test_buddy_client.c - the buddy WebSocket client (shared/client/buddy_client.c,
 * shared/client/buddy_event.c): event parsing (also hostile messages), action summaries,
 * holding reply text until the speech player reaches it (buddy_sync),
 * the product-title memory, URL mapping, and whole conversations against a small
 * fake buddy server run in this process on libwebsockets (hello/ready, refused
 * token with close 4001, an error instead of ready, no answer, typed and audio
 * turns, speech frames, ping, cancel, a server-side close).
 */
#include <check.h>
#include <libwebsockets.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buddy_client.h"
#include "frame.h"
#include "opuscodec.h"

/* ---- the fake server ---- */

#define LOG_MAX 64

struct fake_msg {
	struct fake_msg *next;
	int binary;
	int close_code; /* > 0: close with this code instead of sending */
	size_t len;
	unsigned char data[];
};

struct fake_conn {
	struct fake_msg *head, *tail;
	unsigned char rx[65536];
	size_t rx_len;
};

static struct {
	pthread_mutex_t lock;
	struct lws_context *ctx;
	pthread_t thread;
	atomic_int stop;
	int port;
	char *log[LOG_MAX]; /* text messages received, in order */
	int nlog;
	int frames, frame_turn, seq_ok, frames_decodable;
	struct opus_dec *dec;
} fake = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void fake_queue(struct lws *wsi, struct fake_conn *c, int binary, const void *data,
		       size_t len, int close_code)
{
	struct fake_msg *m = calloc(1, sizeof *m + LWS_PRE + len);
	m->binary = binary;
	m->len = len;
	m->close_code = close_code;
	memcpy(m->data + LWS_PRE, data, len);
	if (c->tail)
		c->tail->next = m;
	else
		c->head = m;
	c->tail = m;
	lws_callback_on_writable(wsi);
}

static void fake_text(struct lws *wsi, struct fake_conn *c, const char *s)
{
	fake_queue(wsi, c, 0, s, strlen(s), 0);
}

static void fake_reply(struct lws *wsi, struct fake_conn *c, int turn)
{
	char buf[512];
	snprintf(buf, sizeof buf, "{\"type\":\"reply.delta\",\"turn\":%d,\"seq\":0,\"text\":"
		 "\"Added two Bananas. \"}", turn);
	fake_text(wsi, c, buf);
	snprintf(buf, sizeof buf, "{\"type\":\"action\",\"turn\":%d,\"name\":\"cart.add\","
		 "\"args\":{\"product_id\":5,\"quantity\":2},\"result\":{\"cart\":{\"items\":"
		 "[{\"product_id\":5,\"title\":\"Bananas\",\"quantity\":2}],\"item_count\":2,"
		 "\"subtotal_cents\":3198}}}", turn);
	fake_text(wsi, c, buf);
	for (int seq = 0; seq < 3; seq++) {
		uint8_t payload[3] = { 0xF8, 0xFF, 0xFE }, frame[64]; /* an Opus silence frame */
		int n = proto_frame_encode(PROTO_FRAME_SPEECH, seq == 2 ? PROTO_FRAME_LAST : 0,
					   (uint32_t)turn, (uint32_t)seq, payload, sizeof payload,
					   frame, sizeof frame);
		fake_queue(wsi, c, 1, frame, (size_t)n, 0);
	}
	snprintf(buf, sizeof buf, "{\"type\":\"reply.done\",\"turn\":%d,\"text\":\"Added two "
		 "Bananas. \",\"speech_frames\":3,\"cancelled\":false,\"timing\":{\"asr_ms\":5,"
		 "\"think_ms\":6,\"first_speech_ms\":7}}", turn);
	fake_text(wsi, c, buf);
}

static void fake_on_text(struct lws *wsi, struct fake_conn *c, const char *s)
{
	cJSON *j = cJSON_Parse(s);
	const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(j, "type"));
	const char *token = cJSON_GetStringValue(cJSON_GetObjectItem(j, "token"));
	int turn = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "turn"));
	const char *text = cJSON_GetStringValue(cJSON_GetObjectItem(j, "text"));
	pthread_mutex_lock(&fake.lock);
	if (fake.nlog < LOG_MAX)
		fake.log[fake.nlog++] = strdup(s);
	pthread_mutex_unlock(&fake.lock);
	if (!type) {
	} else if (strcmp(type, "hello") == 0 && token && strcmp(token, "bad") == 0) {
		fake_text(wsi, c, "{\"type\":\"error\",\"code\":\"unauthorized\",\"message\":\"no\"}");
		fake_queue(wsi, c, 0, "", 0, 4001);
	} else if (strcmp(type, "hello") == 0 && token && strcmp(token, "busted") == 0) {
		fake_text(wsi, c, "{\"type\":\"error\",\"code\":\"internal\",\"message\":"
			  "\"The buddy is not available yet.\"}");
	} else if (strcmp(type, "hello") == 0 && token && strcmp(token, "slow") == 0) {
		/* no answer */
	} else if (strcmp(type, "hello") == 0) {
		fake_text(wsi, c, "{\"type\":\"ready\",\"session\":\"t1\",\"conversation_id\":7,"
			  "\"user\":{\"id\":1},\"speech\":{\"codec\":\"opus\",\"sample_rate\":16000,"
			  "\"frame_ms\":20,\"voice\":\"v\"},\"future\":[1,2]}");
	} else if (strcmp(type, "say") == 0 && text && strcmp(text, "close me") == 0) {
		fake_queue(wsi, c, 0, "", 0, 4002);
	} else if (strcmp(type, "say") == 0) {
		fake_reply(wsi, c, turn);
	} else if (strcmp(type, "ping") == 0) {
		fake_text(wsi, c, "{\"type\":\"pong\"}");
	} else if (strcmp(type, "audio.stop") == 0) {
		char buf[128];
		snprintf(buf, sizeof buf, "{\"type\":\"transcript\",\"turn\":%d,\"text\":\"heard\","
			 "\"final\":true}", turn);
		fake_text(wsi, c, buf);
		fake_reply(wsi, c, turn);
	}
	cJSON_Delete(j);
}

static void fake_on_binary(const unsigned char *d, size_t len)
{
	struct proto_frame f;
	int16_t pcm[960];
	pthread_mutex_lock(&fake.lock);
	if (proto_frame_parse(d, len, &f) == 0 && f.kind == PROTO_FRAME_MIC) {
		if ((int)f.seq != fake.frames)
			fake.seq_ok = 0;
		fake.frames++;
		fake.frame_turn = (int)f.turn;
		if (opus_dec_decode(fake.dec, f.payload, f.len, pcm, 960) == 320)
			fake.frames_decodable++;
	} else {
		fake.seq_ok = 0;
	}
	pthread_mutex_unlock(&fake.lock);
}

static int fake_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		   size_t len)
{
	struct fake_conn *c = user;
	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		memset(c, 0, sizeof *c);
		return 0;
	case LWS_CALLBACK_RECEIVE:
		if (c->rx_len + len >= sizeof c->rx)
			return -1;
		memcpy(c->rx + c->rx_len, in, len);
		c->rx_len += len;
		if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi))
			return 0;
		if (lws_frame_is_binary(wsi)) {
			fake_on_binary(c->rx, c->rx_len);
		} else {
			c->rx[c->rx_len] = '\0';
			fake_on_text(wsi, c, (const char *)c->rx);
		}
		c->rx_len = 0;
		return 0;
	case LWS_CALLBACK_SERVER_WRITEABLE: {
		struct fake_msg *m = c->head;
		if (!m)
			return 0;
		c->head = m->next;
		if (!c->head)
			c->tail = NULL;
		if (m->close_code) {
			lws_close_reason(wsi, (enum lws_close_status)m->close_code,
					 (unsigned char *)"test", 4);
			free(m);
			return -1;
		}
		lws_write(wsi, m->data + LWS_PRE, m->len, m->binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT);
		free(m);
		if (c->head)
			lws_callback_on_writable(wsi);
		return 0;
	}
	case LWS_CALLBACK_CLOSED:
		while (c->head) {
			struct fake_msg *m = c->head;
			c->head = m->next;
			free(m);
		}
		return 0;
	default:
		return 0;
	}
}

static struct lws_protocols fake_protocols[] = {
	{ "http-only", lws_callback_http_dummy, 0, 0, 0, NULL, 0 },
	{ "voxcart.v1", fake_cb, sizeof(struct fake_conn), 65536, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static void *fake_main(void *arg)
{
	(void)arg;
	while (!atomic_load(&fake.stop))
		lws_service(fake.ctx, 0);
	return NULL;
}

static void fake_start(void)
{
	lws_set_log_level(0, NULL);
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof info);
	info.port = 0; /* any free port */
	info.iface = "127.0.0.1";
	info.protocols = fake_protocols;
	info.gid = -1;
	info.uid = -1;
	fake.ctx = lws_create_context(&info);
	ck_assert_ptr_nonnull(fake.ctx);
	fake.port = lws_get_vhost_listen_port(lws_get_vhost_by_name(fake.ctx, "default"));
	ck_assert_int_gt(fake.port, 0);
	atomic_store(&fake.stop, 0);
	fake.nlog = 0;
	fake.frames = fake.frames_decodable = 0;
	fake.seq_ok = 1;
	fake.dec = opus_dec_new(16000, NULL, 0);
	pthread_create(&fake.thread, NULL, fake_main, NULL);
}

static void fake_stop(void)
{
	atomic_store(&fake.stop, 1);
	lws_cancel_service(fake.ctx);
	pthread_join(fake.thread, NULL);
	lws_context_destroy(fake.ctx);
	opus_dec_free(fake.dec);
	for (int i = 0; i < fake.nlog; i++)
		free(fake.log[i]);
	fake.nlog = 0;
}

static void fake_url(char *buf, size_t len)
{
	snprintf(buf, len, "http://127.0.0.1:%d", fake.port);
}

/* The n-th logged message of type, parsed (caller frees), or NULL. */
static cJSON *fake_logged(const char *type, int n)
{
	cJSON *found = NULL;
	pthread_mutex_lock(&fake.lock);
	for (int i = 0; i < fake.nlog && !found; i++) {
		cJSON *j = cJSON_Parse(fake.log[i]);
		if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(j, "type")), type) == 0 && n-- == 0)
			found = j;
		else
			cJSON_Delete(j);
	}
	pthread_mutex_unlock(&fake.lock);
	return found;
}

/* ---- what the callbacks saw ---- */

struct seen_state {
	pthread_mutex_t lock;
	int events, ready, deltas, actions, dones, errors, pongs, transcripts, speech, closed;
	int close_code, last_seq_ok, last_flag;
	uint32_t done_turn;
	char action[256], why[256];
};
static struct seen_state seen = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void cb_event(void *u, const struct buddy_event *ev)
{
	(void)u;
	pthread_mutex_lock(&seen.lock);
	seen.events++;
	switch (ev->type) {
	case BUDDY_EV_READY: seen.ready++; break;
	case BUDDY_EV_REPLY_DELTA: seen.deltas++; break;
	case BUDDY_EV_ACTION:
		seen.actions++;
		buddy_action_summary(ev, 5, seen.action, sizeof seen.action);
		break;
	case BUDDY_EV_REPLY_DONE: seen.dones++; seen.done_turn = ev->turn; break;
	case BUDDY_EV_ERROR: seen.errors++; break;
	case BUDDY_EV_PONG: seen.pongs++; break;
	case BUDDY_EV_TRANSCRIPT: seen.transcripts++; break;
	default: break;
	}
	pthread_mutex_unlock(&seen.lock);
}

static void cb_speech(void *u, const struct proto_frame *f)
{
	(void)u;
	pthread_mutex_lock(&seen.lock);
	if ((int)f->seq != seen.speech)
		seen.last_seq_ok = 0;
	seen.speech++;
	seen.last_flag = (f->flags & PROTO_FRAME_LAST) != 0;
	pthread_mutex_unlock(&seen.lock);
}

static void cb_closed(void *u, int code, const char *why)
{
	(void)u;
	pthread_mutex_lock(&seen.lock);
	seen.closed++;
	seen.close_code = code;
	snprintf(seen.why, sizeof seen.why, "%s", why);
	pthread_mutex_unlock(&seen.lock);
}

static const struct buddy_client_callbacks callbacks = {
	.on_event = cb_event, .on_speech = cb_speech, .on_closed = cb_closed,
};

static void seen_reset(void)
{
	pthread_mutex_lock(&seen.lock);
	memset(&seen.events, 0, sizeof seen - offsetof(struct seen_state, events));
	seen.last_seq_ok = 1;
	pthread_mutex_unlock(&seen.lock);
}

/* Waits up to 5 s for *counter to reach want. */
static int wait_for(int *counter, int want)
{
	for (int i = 0; i < 500; i++) {
		pthread_mutex_lock(&seen.lock);
		int v = *counter;
		pthread_mutex_unlock(&seen.lock);
		if (v >= want)
			return 1;
		usleep(10000);
	}
	return 0;
}

/* ---- pure parts ---- */

static int parse(const char *s, struct buddy_event *ev)
{
	return buddy_event_parse(s, strlen(s), ev);
}

START_TEST(test_parse_events)
{
	struct buddy_event ev;
	ck_assert_int_eq(parse("{\"type\":\"reply.done\",\"turn\":3,\"text\":\"Hi. \","
			       "\"speech_frames\":12,\"cancelled\":true,\"timing\":{\"asr_ms\":4,"
			       "\"think_ms\":5,\"first_speech_ms\":null}}", &ev), 0);
	ck_assert_int_eq(ev.type, BUDDY_EV_REPLY_DONE);
	ck_assert_uint_eq(ev.turn, 3);
	ck_assert_str_eq(ev.text, "Hi. ");
	ck_assert_uint_eq(ev.speech_frames, 12);
	ck_assert_int_eq(ev.cancelled, 1);
	ck_assert_int_eq(ev.asr_ms, 4);
	ck_assert_int_eq(ev.think_ms, 5);
	ck_assert_int_eq(ev.first_speech_ms, -1);
	buddy_event_free(&ev);

	ck_assert_int_eq(parse("{\"type\":\"transcript\",\"turn\":2,\"text\":\"add milk\","
			       "\"final\":true}", &ev), 0);
	ck_assert_int_eq(ev.type, BUDDY_EV_TRANSCRIPT);
	ck_assert_int_eq(ev.final, 1);
	ck_assert_str_eq(ev.text, "add milk");
	buddy_event_free(&ev);

	ck_assert_int_eq(parse("{\"type\":\"ready\",\"session\":\"s1\",\"conversation_id\":9,"
			       "\"speech\":{\"sample_rate\":48000,\"voice\":\"en\"}}", &ev), 0);
	ck_assert_int_eq(ev.type, BUDDY_EV_READY);
	ck_assert_int_eq(ev.conversation_id, 9);
	ck_assert_int_eq(ev.speech_rate, 48000);
	ck_assert_str_eq(ev.voice, "en");
	ck_assert_str_eq(ev.session, "s1");
	buddy_event_free(&ev);

	/* A rate Opus cannot do falls back to 24 kHz; missing strings are "". */
	ck_assert_int_eq(parse("{\"type\":\"ready\",\"speech\":{\"sample_rate\":44100}}", &ev), 0);
	ck_assert_int_eq(ev.speech_rate, 24000);
	ck_assert_str_eq(ev.voice, "");
	ck_assert_str_eq(ev.text, "");
	buddy_event_free(&ev);

	ck_assert_int_eq(parse("{\"type\":\"error\",\"turn\":4,\"code\":\"bad_request\","
			       "\"message\":\"No.\"}", &ev), 0);
	ck_assert_int_eq(ev.type, BUDDY_EV_ERROR);
	ck_assert_str_eq(ev.code, "bad_request");
	ck_assert_str_eq(ev.message, "No.");
	buddy_event_free(&ev);

	/* Unknown types are events too (a client ignores them). */
	ck_assert_int_eq(parse("{\"type\":\"weather\",\"turn\":1}", &ev), 0);
	ck_assert_int_eq(ev.type, BUDDY_EV_UNKNOWN);
	ck_assert_str_eq(ev.type_name, "weather");
	buddy_event_free(&ev);
}
END_TEST

/* reply.delta's speech_seq: the frame its text is spoken from; -1 when absent or bad. */
START_TEST(test_parse_speech_seq)
{
	struct buddy_event ev;
	ck_assert_int_eq(parse("{\"type\":\"reply.delta\",\"turn\":2,\"seq\":1,\"text\":\"Hi. \","
			       "\"speech_seq\":57}", &ev), 0);
	ck_assert_int_eq(ev.type, BUDDY_EV_REPLY_DELTA);
	ck_assert_uint_eq(ev.seq, 1);
	ck_assert_int_eq(ev.speech_seq, 57);
	buddy_event_free(&ev);
	static const char *bad[] = {
		"{\"type\":\"reply.delta\",\"turn\":2,\"text\":\"x\"}",
		"{\"type\":\"reply.delta\",\"speech_seq\":-3}",
		"{\"type\":\"reply.delta\",\"speech_seq\":\"7\"}",
		"{\"type\":\"reply.delta\",\"speech_seq\":1e300}",
		"{\"type\":\"reply.delta\",\"speech_seq\":null}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_int_eq(parse(bad[i], &ev), 0);
		ck_assert_int_eq(ev.speech_seq, -1);
		buddy_event_free(&ev);
	}
}
END_TEST

/* A reply.delta / reply.done as the clients see them. */
static struct buddy_event sync_ev(enum buddy_event_type type, uint32_t turn, long speech_seq,
				  uint32_t speech_frames, int cancelled)
{
	struct buddy_event ev;
	memset(&ev, 0, sizeof ev);
	ev.type = type;
	ev.turn = turn;
	ev.speech_seq = speech_seq;
	ev.speech_frames = speech_frames;
	ev.cancelled = cancelled;
	return ev;
}

/* Takes the due items and checks they are exactly want (a NULL-terminated list). */
static void sync_expect(struct buddy_sync *s, const char *const *want)
{
	size_t i = 0;
	const char *got;
	while ((got = buddy_sync_take(s, NULL)) != NULL) {
		ck_assert_msg(want[i] != NULL, "unexpected %s", got);
		ck_assert_str_eq(got, want[i]);
		i++;
	}
	ck_assert_msg(want[i] == NULL, "%s was not due", want[i] ? want[i] : "");
}

#define DUE(...) sync_expect(&s, (const char *const[]){ __VA_ARGS__, NULL })
#define NONE_DUE() sync_expect(&s, (const char *const[]){ NULL })

START_TEST(test_sync_hold_until_position)
{
	struct buddy_sync s;
	buddy_sync_init(&s);
	char a[] = "A", b[] = "B", act[] = "act", c[] = "C", done[] = "done";

	/* Without speech everything is due at once, in order. */
	struct buddy_event d = sync_ev(BUDDY_EV_REPLY_DELTA, 1, 40, 0, 0);
	ck_assert_int_eq(buddy_sync_delta_frame(&s, &d, 0), BUDDY_SYNC_NOW);
	ck_assert_int_eq(buddy_sync_push(&s, 1, buddy_sync_delta_frame(&s, &d, 0), a), 0);
	DUE("A");
	d = sync_ev(BUDDY_EV_REPLY_DELTA, 1, -1, 0, 0); /* no speech_seq */
	ck_assert_int_eq(buddy_sync_delta_frame(&s, &d, 1), BUDDY_SYNC_NOW);

	/* Turn 2 with speech: A from frame 0, B from frame 50, an action, C from 120. */
	d = sync_ev(BUDDY_EV_REPLY_DELTA, 2, 0, 0, 0);
	ck_assert_int_eq(buddy_sync_delta_frame(&s, &d, 1), 0);
	buddy_sync_push(&s, 2, 0, a);
	NONE_DUE(); /* nothing of turn 2 played yet */
	buddy_sync_push(&s, 2, 50, b);
	buddy_sync_push(&s, 2, BUDDY_SYNC_NOW, act); /* keeps its place behind B */
	buddy_sync_push(&s, 2, 120, c);
	ck_assert_uint_eq(buddy_sync_pending(&s), 4);
	buddy_sync_played(&s, 1, 5000); /* an older turn playing says nothing */
	NONE_DUE();
	buddy_sync_played(&s, 2, 0); /* frame 0 of turn 2 went out */
	DUE("A");
	buddy_sync_played(&s, 2, 980); /* 49 frames: B's first frame not yet */
	NONE_DUE();
	buddy_sync_played(&s, 2, 1000);
	DUE("B", "act");
	struct buddy_event e = sync_ev(BUDDY_EV_REPLY_DONE, 2, -1, 200, 0);
	ck_assert_int_eq(buddy_sync_done_frame(&s, &e, 1), 200);
	buddy_sync_push(&s, 2, 200, done);
	buddy_sync_played(&s, 2, 2399);
	NONE_DUE();
	buddy_sync_played(&s, 2, 2400);
	DUE("C");
	buddy_sync_played(&s, 2, 3960); /* the latency may keep the count short ... */
	NONE_DUE();
	buddy_sync_ended(&s, 2); /* ... the end of the speech ends the wait */
	DUE("done");
	ck_assert_uint_eq(buddy_sync_pending(&s), 0);

	/* Turn 3: cancelled while held (barge-in), later text shows at once. */
	buddy_sync_push(&s, 3, 0, a);
	buddy_sync_push(&s, 3, 30, b);
	buddy_sync_played(&s, 3, 100);
	DUE("A");
	buddy_sync_ended(&s, 3);
	DUE("B");
	d = sync_ev(BUDDY_EV_REPLY_DELTA, 3, 90, 0, 0);
	ck_assert_int_eq(buddy_sync_delta_frame(&s, &d, 1), BUDDY_SYNC_NOW);

	/* Turn 4: reply.done cancelled by the server releases the held text at once. */
	buddy_sync_push(&s, 4, 10, a);
	e = sync_ev(BUDDY_EV_REPLY_DONE, 4, -1, 25, 1);
	ck_assert_int_eq(buddy_sync_done_frame(&s, &e, 1), BUDDY_SYNC_NOW);
	buddy_sync_push(&s, 4, BUDDY_SYNC_NOW, done);
	DUE("A", "done");

	/* Turn 5: a reply without speech frames ends its turn too. */
	buddy_sync_push(&s, 5, 0, a);
	e = sync_ev(BUDDY_EV_REPLY_DONE, 5, -1, 0, 0);
	ck_assert_int_eq(buddy_sync_done_frame(&s, &e, 1), BUDDY_SYNC_NOW);
	DUE("A");

	/* Turn 6 held; playback moving on to turn 7 releases it. */
	buddy_sync_push(&s, 6, 80, a);
	buddy_sync_push(&s, 7, 0, b);
	buddy_sync_played(&s, 6, 20);
	NONE_DUE();
	buddy_sync_played(&s, 7, 0);
	DUE("A", "B");

	/* Flush: all that is queued now is due, later items wait again. */
	buddy_sync_push(&s, 8, 10, a);
	buddy_sync_push(&s, 8, 20, b);
	buddy_sync_flush(&s);
	buddy_sync_push(&s, 8, 30, c);
	DUE("A", "B");
	ck_assert_uint_eq(buddy_sync_pending(&s), 1);
	uint32_t turn = 0;
	buddy_sync_played(&s, 8, 600);
	ck_assert_ptr_eq(buddy_sync_take(&s, &turn), c);
	ck_assert_uint_eq(turn, 8);

	/* A full queue says so (the caller then flushes and shows at once). */
	for (int i = 0; i < BUDDY_SYNC_MAX; i++)
		ck_assert_int_eq(buddy_sync_push(&s, 9, 1000 + i, a), 0);
	ck_assert_int_eq(buddy_sync_push(&s, 9, 5000, b), -1);
	buddy_sync_flush(&s);
	for (int i = 0; i < BUDDY_SYNC_MAX; i++)
		ck_assert_ptr_eq(buddy_sync_take(&s, NULL), a);
	ck_assert_ptr_null(buddy_sync_take(&s, NULL));
}
END_TEST

START_TEST(test_parse_hostile)
{
	static const char *bad[] = {
		"", "not json", "[]", "{}", "{\"type\":3}", "{\"type\":null}", "\"type\"",
		"{\"type\":\"ready\"", "{\"type\":[\"ready\"]}",
	};
	struct buddy_event ev;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_int_eq(parse(bad[i], &ev), -1);
		ck_assert_ptr_null(ev.json);
	}
	ck_assert_int_eq(buddy_event_parse(NULL, 0, &ev), -1);
	/* Wrong field types and out-of-range numbers read as absent. */
	ck_assert_int_eq(parse("{\"type\":\"reply.delta\",\"turn\":-5,\"seq\":1e30,\"text\":7}",
			       &ev), 0);
	ck_assert_uint_eq(ev.turn, 0);
	ck_assert_uint_eq(ev.seq, 0);
	ck_assert_str_eq(ev.text, "");
	buddy_event_free(&ev);
	/* Length is respected: the bytes after it are not read. */
	const char *s = "{\"type\":\"pong\"}GARBAGE";
	ck_assert_int_eq(buddy_event_parse(s, 15, &ev), 0);
	ck_assert_int_eq(ev.type, BUDDY_EV_PONG);
	buddy_event_free(&ev);
}
END_TEST

static void summary(const char *json, const char *title, char *out, size_t len)
{
	struct buddy_event ev;
	ck_assert_int_eq(parse(json, &ev), 0);
	if (title)
		ev.product_title = title;
	buddy_action_summary(&ev, 3, out, len);
	buddy_event_free(&ev);
}

START_TEST(test_action_summary)
{
	char out[512];
	summary("{\"type\":\"action\",\"name\":\"cart.add\",\"args\":{\"product_id\":88,"
		"\"quantity\":2},\"result\":{\"cart\":{\"items\":[{\"product_id\":88,\"title\":"
		"\"Dark Roast Coffee Beans 1 kg\",\"quantity\":2}],\"subtotal_cents\":3198}}}",
		NULL, out, sizeof out);
	ck_assert_str_eq(out, "+ 2 \xc3\x97 Dark Roast Coffee Beans 1 kg   cart $31.98");
	summary("{\"type\":\"action\",\"name\":\"cart.remove\",\"args\":{\"product_id\":4},"
		"\"result\":{\"cart\":{\"items\":[]}}}", "Bananas", out, sizeof out);
	ck_assert_str_eq(out, "- Bananas");
	summary("{\"type\":\"action\",\"name\":\"cart.set\",\"args\":{\"product_id\":4,"
		"\"quantity\":3},\"result\":{\"cart\":{\"items\":[{\"product_id\":4,\"title\":"
		"\"Milk\",\"quantity\":3}]}}}", NULL, out, sizeof out);
	ck_assert_str_eq(out, "= 3 \xc3\x97 Milk");
	summary("{\"type\":\"action\",\"name\":\"cart.clear\"}", NULL, out, sizeof out);
	ck_assert_str_eq(out, "cart cleared");
	summary("{\"type\":\"action\",\"name\":\"checkout\",\"result\":{\"order\":{\"id\":12,"
		"\"total_cents\":3198}}}", NULL, out, sizeof out);
	ck_assert_str_eq(out, "order #12 placed, $31.98");
	summary("{\"type\":\"action\",\"name\":\"cart.view\",\"result\":{\"cart\":{\"items\":[],"
		"\"item_count\":3,\"subtotal_cents\":1250}}}", NULL, out, sizeof out);
	ck_assert_str_eq(out, "cart: 3 items, $12.50");
	summary("{\"type\":\"action\",\"name\":\"cart.view\",\"result\":{\"cart\":{\"items\":[],"
		"\"item_count\":1,\"subtotal_cents\":349}}}", NULL, out, sizeof out);
	ck_assert_str_eq(out, "cart: 1 item, $3.49");
	summary("{\"type\":\"action\",\"name\":\"search\",\"result\":{\"items\":["
		"{\"title\":\"A\",\"price_cents\":5},{\"title\":\"B\\u001b[2J\",\"price_cents\":100},"
		"{\"title\":\"C\",\"price_cents\":0},{\"title\":\"D\",\"price_cents\":1}]}}",
		NULL, out, sizeof out);
	ck_assert_str_eq(out, "1. A   $0.05\n2. B [2J   $1.00\n3. C   $0.00\n   ... 1 more");
	summary("{\"type\":\"action\",\"name\":\"search\",\"result\":{\"items\":[]}}", NULL, out,
		sizeof out);
	ck_assert_str_eq(out, "no products found");
	summary("{\"type\":\"action\",\"name\":\"wish\\nlist\"}", NULL, out, sizeof out);
	ck_assert_str_eq(out, "wish list");
	/* A small buffer gets a cut, terminated summary. */
	char tiny[8];
	summary("{\"type\":\"action\",\"name\":\"cart.clear\"}", NULL, tiny, sizeof tiny);
	ck_assert_str_eq(tiny, "cart cl");
}
END_TEST

START_TEST(test_titles)
{
	static struct buddy_titles t;
	struct buddy_event ev;
	memset(&t, 0, sizeof t);
	ck_assert_int_eq(parse("{\"type\":\"action\",\"name\":\"search\",\"result\":{\"items\":["
			       "{\"id\":1,\"title\":\"Milk\"},{\"id\":2,\"title\":\"Eggs\"}]}}", &ev), 0);
	buddy_titles_learn(&t, &ev);
	buddy_event_free(&ev);
	ck_assert_str_eq(buddy_titles_find(&t, 1), "Milk");
	ck_assert_str_eq(buddy_titles_find(&t, 2), "Eggs");
	ck_assert_str_eq(buddy_titles_find(&t, 3), "");
	ck_assert_str_eq(buddy_titles_find(&t, 0), "");
	/* A cart line renames product 2; old entries make room for new ones. */
	ck_assert_int_eq(parse("{\"type\":\"action\",\"name\":\"cart.view\",\"result\":{\"cart\":"
			       "{\"items\":[{\"product_id\":2,\"title\":\"Brown Eggs\"}]}}}", &ev), 0);
	buddy_titles_learn(&t, &ev);
	buddy_event_free(&ev);
	ck_assert_str_eq(buddy_titles_find(&t, 2), "Brown Eggs");
	for (int i = 100; i < 100 + BUDDY_TITLES_MAX; i++) {
		char js[160];
		snprintf(js, sizeof js, "{\"type\":\"action\",\"name\":\"product.show\",\"result\":"
			 "{\"product\":{\"id\":%d,\"title\":\"P%d\"}}}", i, i);
		ck_assert_int_eq(parse(js, &ev), 0);
		buddy_titles_learn(&t, &ev);
		buddy_event_free(&ev);
	}
	ck_assert_str_eq(buddy_titles_find(&t, 1), "");
	ck_assert_str_eq(buddy_titles_find(&t, 100 + BUDDY_TITLES_MAX - 1), "P227");
	/* Long titles are cut on a character boundary. */
	char js[600] = "{\"type\":\"action\",\"name\":\"product.show\",\"result\":{\"id\":9,"
		       "\"title\":\"";
	for (int i = 0; i < 100; i++)
		strcat(js, "\xc3\xa9");
	strcat(js, "\"}}");
	ck_assert_int_eq(parse(js, &ev), 0);
	buddy_titles_learn(&t, &ev);
	buddy_event_free(&ev);
	ck_assert_uint_eq(strlen(buddy_titles_find(&t, 9)), 126);
}
END_TEST

START_TEST(test_ws_url)
{
	char buf[256], err[256];
	ck_assert_int_eq(buddy_client_ws_url("http://127.0.0.1:8080", buf, sizeof buf, err,
					     sizeof err), 0);
	ck_assert_str_eq(buf, "ws://127.0.0.1:8080/api/v1/buddy");
	ck_assert_int_eq(buddy_client_ws_url("https://shop.example/voxcart/", buf, sizeof buf,
					     err, sizeof err), 0);
	ck_assert_str_eq(buf, "wss://shop.example/voxcart/api/v1/buddy");
	ck_assert_int_eq(buddy_client_ws_url("ws://h:1/custom/path", buf, sizeof buf, err,
					     sizeof err), 0);
	ck_assert_str_eq(buf, "ws://h:1/custom/path");
	ck_assert_int_eq(buddy_client_ws_url("wss://h", buf, sizeof buf, err, sizeof err), 0);
	ck_assert_str_eq(buf, "wss://h/api/v1/buddy");
	ck_assert_int_eq(buddy_client_ws_url("ftp://h", buf, sizeof buf, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "not an http://"));
	ck_assert_int_eq(buddy_client_ws_url("http://", buf, sizeof buf, err, sizeof err), -1);
	ck_assert_int_eq(buddy_client_ws_url(NULL, buf, sizeof buf, err, sizeof err), -1);
	ck_assert_int_eq(buddy_client_ws_url("http://h", buf, 10, err, sizeof err), -1);
}
END_TEST

/* ---- against the fake server ---- */

static struct buddy_client *connect_with(const char *token, const struct buddy_client_opts *o,
					 int *code, char *err, size_t errlen)
{
	char url[64];
	fake_url(url, sizeof url);
	seen_reset();
	return buddy_client_connect(url, token, o, &callbacks, code, err, errlen);
}

START_TEST(test_unreachable)
{
	char err[512];
	int code = 0;
	/* a port that was free a moment ago */
	fake_start();
	int port = fake.port;
	fake_stop();
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
	struct buddy_client *c = buddy_client_connect(url, "good", NULL, &callbacks, &code, err,
						      sizeof err);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(code, BUDDY_CLOSE_CONNECT_FAILED);
	ck_assert_ptr_nonnull(strstr(err, "cannot reach voxcartd at ws://127.0.0.1:"));
	c = buddy_client_connect("gopher://x", "good", NULL, &callbacks, &code, err, sizeof err);
	ck_assert_ptr_null(c);
}
END_TEST

START_TEST(test_refused_token)
{
	char err[512];
	int code = 0;
	fake_start();
	struct buddy_client *c = connect_with("bad", NULL, &code, err, sizeof err);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(code, BUDDY_CLOSE_UNAUTHORIZED);
	ck_assert_str_eq(err, "the server refused the token; run voxcart login");
	c = connect_with("busted", NULL, &code, err, sizeof err);
	ck_assert_ptr_null(c);
	ck_assert_str_eq(err, "the buddy answered: The buddy is not available yet.");
	struct buddy_client_opts o = { .timeout_ms = 300 };
	c = connect_with("slow", &o, &code, err, sizeof err);
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(strstr(err, "no answer from the buddy"));
	fake_stop();
}
END_TEST

START_TEST(test_conversation)
{
	char err[512];
	int code = -5;
	fake_start();
	struct buddy_client_opts o = { .speech = 1, .conversation_id = 42, .client_name = "unit/1" };
	struct buddy_client *c = connect_with("good", &o, &code, err, sizeof err);
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_int_eq(code, 0);
	ck_assert_int_eq(seen.ready, 1); /* ready came before connect returned */
	ck_assert_int_eq(buddy_client_conversation_id(c), 7);
	ck_assert_int_eq(buddy_client_speech_rate(c), 16000);
	ck_assert(buddy_client_is_open(c));
	cJSON *hello = fake_logged("hello", 0);
	ck_assert_ptr_nonnull(hello);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(hello, "token")), "good");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(hello, "client")), "unit/1");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(hello, "speech")));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(hello, "vad")));
	ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItem(hello, "conversation_id")), 42);
	cJSON *audio = cJSON_GetObjectItem(hello, "audio");
	ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItem(audio, "sample_rate")), 16000);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(audio, "codec")), "opus");
	cJSON_Delete(hello);

	/* Typed turns: increasing ids, streamed events, speech frames in order. */
	ck_assert_uint_eq(buddy_client_say(c, "add two bananas"), 1);
	ck_assert(wait_for(&seen.dones, 1));
	ck_assert_uint_eq(seen.done_turn, 1);
	ck_assert_int_eq(seen.deltas, 1);
	ck_assert_str_eq(seen.action, "+ 2 \xc3\x97 Bananas   cart $31.98");
	ck_assert(wait_for(&seen.speech, 3));
	ck_assert(seen.last_seq_ok);
	ck_assert(seen.last_flag);
	ck_assert_uint_eq(buddy_client_say(c, "again"), 2);
	ck_assert(wait_for(&seen.dones, 2));
	ck_assert_uint_eq(seen.done_turn, 2);

	/* An audio turn: numbered Opus frames between audio.start and audio.stop. */
	int16_t pcm[320];
	for (int i = 0; i < 320; i++)
		pcm[i] = (int16_t)((i % 40) * 200 - 4000);
	ck_assert_int_eq(buddy_client_audio_frame(c, pcm, 320), -1); /* no turn yet */
	ck_assert_uint_eq(buddy_client_audio_start(c), 3);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(buddy_client_audio_frame(c, pcm, 320), 0);
	ck_assert_int_eq(buddy_client_audio_frame(c, pcm, 160), -1); /* not 20 ms */
	ck_assert_uint_eq(buddy_client_audio_frames(c), 5);
	ck_assert_int_eq(buddy_client_audio_stop(c), 0);
	ck_assert_int_eq(buddy_client_audio_stop(c), -1);
	ck_assert(wait_for(&seen.dones, 3));
	ck_assert_int_eq(seen.transcripts, 1);
	pthread_mutex_lock(&fake.lock);
	ck_assert_int_eq(fake.frames, 5);
	ck_assert_int_eq(fake.frame_turn, 3);
	ck_assert(fake.seq_ok);
	ck_assert_int_eq(fake.frames_decodable, 5);
	pthread_mutex_unlock(&fake.lock);
	cJSON *start = fake_logged("audio.start", 0);
	ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItem(start, "turn")), 3);
	cJSON_Delete(start);

	/* ping, cancel */
	ck_assert_int_eq(buddy_client_ping(c), 0);
	ck_assert(wait_for(&seen.pongs, 1));
	ck_assert_int_eq(buddy_client_cancel(c, 3), 0);
	ck_assert_int_eq(buddy_client_cancel(c, 0), -1);
	ck_assert_int_eq(buddy_client_ping(c), 0);
	ck_assert(wait_for(&seen.pongs, 2)); /* so the cancel has arrived */
	cJSON *cancel = fake_logged("cancel", 0);
	ck_assert_ptr_nonnull(cancel);
	ck_assert_int_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItem(cancel, "turn")), 3);
	cJSON_Delete(cancel);

	buddy_client_close(c);
	ck_assert_int_eq(seen.closed, 0); /* no on_closed for our own close */
	fake_stop();
}
END_TEST

START_TEST(test_server_closes)
{
	char err[512];
	int code;
	fake_start();
	struct buddy_client *c = connect_with("good", NULL, &code, err, sizeof err);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(buddy_client_say(c, "close me"), 1);
	ck_assert(wait_for(&seen.closed, 1));
	ck_assert_int_eq(seen.close_code, 4002);
	ck_assert_ptr_nonnull(strstr(seen.why, "4002"));
	ck_assert_int_eq(buddy_client_is_open(c), 0);
	ck_assert_int_eq(buddy_client_close_code(c), 4002);
	ck_assert_uint_eq(buddy_client_say(c, "anyone?"), 0);
	ck_assert_int_eq(buddy_client_ping(c), -1);
	buddy_client_close(c);
	buddy_client_close(NULL);
	fake_stop();
}
END_TEST

START_TEST(test_async_connect)
{
	char err[512];
	int code;
	fake_start();
	struct buddy_client_opts o = { .async = 1 };
	struct buddy_client *c = connect_with("good", &o, &code, err, sizeof err);
	ck_assert_ptr_nonnull(c);
	ck_assert(wait_for(&seen.ready, 1));
	buddy_client_close(c);
	c = connect_with("bad", &o, &code, err, sizeof err);
	ck_assert_ptr_nonnull(c);
	ck_assert(wait_for(&seen.closed, 1));
	ck_assert_int_eq(seen.close_code, BUDDY_CLOSE_UNAUTHORIZED);
	ck_assert_int_eq(seen.errors, 1);
	buddy_client_close(c);
	fake_stop();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("buddy_client");
	TCase *pure = tcase_create("pure"), *net = tcase_create("net");
	tcase_add_test(pure, test_parse_events);
	tcase_add_test(pure, test_parse_hostile);
	tcase_add_test(pure, test_parse_speech_seq);
	tcase_add_test(pure, test_sync_hold_until_position);
	tcase_add_test(pure, test_action_summary);
	tcase_add_test(pure, test_titles);
	tcase_add_test(pure, test_ws_url);
	tcase_add_test(net, test_unreachable);
	tcase_add_test(net, test_refused_token);
	tcase_add_test(net, test_conversation);
	tcase_add_test(net, test_server_closes);
	tcase_add_test(net, test_async_connect);
	tcase_set_timeout(net, 30);
	suite_add_tcase(s, pure);
	suite_add_tcase(s, net);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
