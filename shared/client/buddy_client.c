/*
 * buddy_client.c - the buddy WebSocket client (see buddy_client.h for the contract).
 *
 * How it works: each client has its own lws context with one connection and one
 * service thread.  Callers never touch lws: they append messages to the outgoing
 * queue under c->lock and call lws_cancel_service(); the loop then gets
 * LWS_CALLBACK_EVENT_WAIT_CANCELLED, asks for a writable callback and writes one
 * queued message per CLIENT_WRITEABLE, as lws requires.  Incoming messages may come
 * in fragments: they are collected in c->rx (ws_rx.h) and handled whole.  The connection's
 * life is one state machine under c->lock (CONNECTING -> OPEN -> READY -> CLOSED);
 * buddy_client_connect() waits on c->cond for READY or CLOSED.  The service thread
 * ends by itself once the connection is closed; buddy_client_close() joins it and
 * destroys the context.
 *
 * The hello message holds the access token: it is built just before it is queued
 * and wiped from memory once written.
 */
#include "buddy_client.h"

#include <libwebsockets.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "opuscodec.h"
#include "requests.h"
#include "ws_rx.h"

#define DEFAULT_RATE 16000
#define DEFAULT_TIMEOUT_MS 10000
#define MAX_RX (1024 * 1024)
#define MAX_UNSENT (8 * 1024 * 1024)
#define BUDDY_PATH "/api/v1/buddy"

enum conn_state { ST_CONNECTING, ST_OPEN, ST_READY, ST_CLOSED };

struct out_msg {
	struct out_msg *next;
	int binary;
	int secret; /* wipe after writing (hello carries the token) */
	size_t len;
	unsigned char data[]; /* LWS_PRE bytes of head room, then the payload */
};

struct buddy_client {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct lws_context *ctx;
	struct lws_protocols protocols[2];
	pthread_t thread;
	int thread_started;

	/* [lock] */
	struct out_msg *out_head, *out_tail;
	size_t out_bytes;
	enum conn_state state;
	int close_code;
	char close_why[512];
	int closing;          /* buddy_client_close() wants the connection shut */
	int quiet;            /* no more user callbacks */
	int connect_returned; /* on_closed is reported only after connect returned */
	int hello_error;      /* an error event came before ready */
	int ready_seen;       /* the ready event went through the callbacks */
	uint32_t next_turn;
	int64_t conversation_id;
	int speech_rate;

	/* [client thread] */
	struct lws *wsi;
	struct ws_rx rx; /* a message arriving in pieces */
	int peer_code;
	char peer_reason[124];
	struct buddy_titles titles;

	/* [audio caller] */
	struct opus_enc *enc;
	uint32_t audio_turn, audio_seq;
	int audio_on;

	/* settings, fixed after connect */
	struct buddy_client_opts opts;
	struct buddy_client_callbacks cb;
	char *token;
	char url[1024];
	char host[256], host_header[300], path[700];
	int port, tls;
};

/* ---- outgoing queue ---- */

static struct out_msg *out_new(int binary, const void *data, size_t len)
{
	struct out_msg *m = malloc(sizeof *m + LWS_PRE + len);
	if (!m)
		return NULL;
	memset(m, 0, sizeof *m);
	m->binary = binary;
	m->len = len;
	if (len)
		memcpy(m->data + LWS_PRE, data, len);
	return m;
}

/* Queues m and wakes the loop.  0, or -1 (m freed) when closed or too much is
 * waiting. */
static int queue_msg(struct buddy_client *c, struct out_msg *m)
{
	if (!m)
		return -1;
	pthread_mutex_lock(&c->lock);
	int ok = c->state != ST_CLOSED && !c->closing && c->out_bytes + m->len <= MAX_UNSENT;
	if (ok) {
		if (c->out_tail)
			c->out_tail->next = m;
		else
			c->out_head = m;
		c->out_tail = m;
		c->out_bytes += m->len;
	}
	pthread_mutex_unlock(&c->lock);
	if (!ok) {
		free(m);
		return -1;
	}
	lws_cancel_service(c->ctx);
	return 0;
}

static int queue_json(struct buddy_client *c, cJSON *msg)
{
	char *text = msg ? cJSON_PrintUnformatted(msg) : NULL;
	cJSON_Delete(msg);
	if (!text)
		return -1;
	int rc = queue_msg(c, out_new(0, text, strlen(text)));
	free(text);
	return rc;
}

static void free_queue(struct buddy_client *c)
{
	for (struct out_msg *m = c->out_head, *next; m; m = next) {
		next = m->next;
		if (m->secret)
			explicit_bzero(m->data + LWS_PRE, m->len);
		free(m);
	}
	c->out_head = c->out_tail = NULL;
	c->out_bytes = 0;
}

/* The hello message (holds the token).  NULL when out of memory. */
static struct out_msg *hello_msg(struct buddy_client *c)
{
	struct buddy_req_hello hr = {
		.token = c->token, .client = c->opts.client_name, .sample_rate = c->opts.sample_rate,
		.frame_ms = OPUS_FRAME_MS, .speech = c->opts.speech, .vad = c->opts.vad,
		.conversation_id = c->opts.conversation_id,
	};
	cJSON *h = buddy_req_hello(&hr);
	if (!h)
		return NULL;
	char *text = cJSON_PrintUnformatted(h);
	const cJSON *tok = cJSON_GetObjectItemCaseSensitive(h, "token");
	explicit_bzero(tok->valuestring, strlen(tok->valuestring));
	cJSON_Delete(h);
	if (!text)
		return NULL;
	struct out_msg *m = out_new(0, text, strlen(text));
	explicit_bzero(text, strlen(text));
	free(text);
	if (m)
		m->secret = 1;
	return m;
}

/* ---- the loop (client thread) ---- */

static void set_closed(struct buddy_client *c, int code, const char *why)
{
	pthread_mutex_lock(&c->lock);
	if (c->state != ST_CLOSED) {
		c->state = ST_CLOSED;
		if (!c->close_code)
			c->close_code = code;
		if (!*c->close_why)
			snprintf(c->close_why, sizeof c->close_why, "%s", why);
	}
	int report = c->connect_returned && !c->closing && !c->quiet;
	c->quiet = 1;
	code = c->close_code;
	char msg[sizeof c->close_why];
	memcpy(msg, c->close_why, sizeof msg);
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	if (report && c->cb.on_closed)
		c->cb.on_closed(c->cb.user, code, msg);
}

static int callbacks_on(struct buddy_client *c)
{
	pthread_mutex_lock(&c->lock);
	int on = !c->quiet;
	pthread_mutex_unlock(&c->lock);
	return on;
}

static void announce_ready(struct buddy_client *c)
{
	pthread_mutex_lock(&c->lock);
	c->ready_seen = 1;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

static void handle_event(struct buddy_client *c, struct buddy_event *ev)
{
	pthread_mutex_lock(&c->lock);
	if (ev->type == BUDDY_EV_READY && c->state == ST_OPEN) {
		c->state = ST_READY;
		c->conversation_id = ev->conversation_id;
		c->speech_rate = ev->speech_rate;
		/* connect() is woken only after on_ready has run (end of this function),
		 * so its caller can rely on what the callback did. */
	} else if (ev->type == BUDDY_EV_ERROR && c->state == ST_OPEN && !c->hello_error) {
		c->hello_error = 1;
		if (strcmp(ev->code, "unauthorized") == 0) {
			c->close_code = BUDDY_CLOSE_UNAUTHORIZED;
			snprintf(c->close_why, sizeof c->close_why,
				 "the server refused the token; run voxcart login");
		} else {
			snprintf(c->close_why, sizeof c->close_why, "the buddy answered: %s",
				 *ev->message ? ev->message : ev->code);
		}
		pthread_cond_broadcast(&c->cond);
	}
	pthread_mutex_unlock(&c->lock);
	if (ev->type == BUDDY_EV_ACTION) {
		buddy_titles_learn(&c->titles, ev);
		const cJSON *pid = cJSON_GetObjectItemCaseSensitive(ev->args, "product_id");
		if (cJSON_IsNumber(pid))
			ev->product_title = buddy_titles_find(&c->titles, (int64_t)pid->valuedouble);
	}
	if (!callbacks_on(c)) {
		if (ev->type == BUDDY_EV_READY)
			announce_ready(c);
		return;
	}
	const struct buddy_client_callbacks *cb = &c->cb;
	if (cb->on_event)
		cb->on_event(cb->user, ev);
	void (*fn)(void *, const struct buddy_event *) = NULL;
	switch (ev->type) {
	case BUDDY_EV_READY: fn = cb->on_ready; break;
	case BUDDY_EV_TRANSCRIPT: fn = cb->on_transcript; break;
	case BUDDY_EV_REPLY_DELTA: fn = cb->on_reply_delta; break;
	case BUDDY_EV_ACTION: fn = cb->on_action; break;
	case BUDDY_EV_REPLY_DONE: fn = cb->on_reply_done; break;
	case BUDDY_EV_ERROR: fn = cb->on_error; break;
	case BUDDY_EV_PONG: fn = cb->on_pong; break;
	default: break;
	}
	if (fn)
		fn(cb->user, ev);
	if (ev->type == BUDDY_EV_READY)
		announce_ready(c);
}

static void handle_message(struct buddy_client *c, const struct ws_rx_msg *m)
{
	if (m->binary) {
		struct proto_frame f;
		if (proto_frame_parse(m->data, m->len, &f) != 0 || f.kind != PROTO_FRAME_SPEECH) {
			log_debug("buddy", "ignoring a malformed audio frame (%zu bytes)", m->len);
			return;
		}
		if (c->cb.on_speech && callbacks_on(c))
			c->cb.on_speech(c->cb.user, &f);
		return;
	}
	struct buddy_event ev;
	if (buddy_event_parse((const char *)m->data, m->len, &ev) != 0) {
		log_debug("buddy", "ignoring a message that is not a JSON event");
		return;
	}
	handle_event(c, &ev);
	buddy_event_free(&ev);
}

static int receive(struct buddy_client *c, struct lws *wsi, const void *in, size_t len)
{
	struct ws_rx_msg m;
	int got = ws_rx_take(&c->rx, wsi, in, len, &m);
	if (got != WS_RX_MESSAGE)
		return got == WS_RX_MORE ? 0 : -1;
	handle_message(c, &m);
	ws_rx_done(&c->rx);
	return 0;
}

static int write_one(struct buddy_client *c, struct lws *wsi)
{
	pthread_mutex_lock(&c->lock);
	struct out_msg *m = c->out_head;
	if (m) {
		c->out_head = m->next;
		if (!c->out_head)
			c->out_tail = NULL;
		c->out_bytes -= m->len;
	}
	int more = c->out_head != NULL, closing = c->closing;
	pthread_mutex_unlock(&c->lock);
	if (!m) {
		if (closing) {
			lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, (unsigned char *)"bye", 3);
			return -1;
		}
		return 0;
	}
	int n = lws_write(wsi, m->data + LWS_PRE, m->len,
			  m->binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT);
	if (m->secret)
		explicit_bzero(m->data + LWS_PRE, m->len);
	free(m);
	if (n < 0)
		return -1;
	if (more || closing)
		lws_callback_on_writable(wsi);
	return 0;
}

static void peer_close(struct buddy_client *c, const unsigned char *in, size_t len)
{
	if (len >= 2) {
		c->peer_code = (in[0] << 8) | in[1];
		size_t n = len - 2 < sizeof c->peer_reason - 1 ? len - 2 : sizeof c->peer_reason - 1;
		memcpy(c->peer_reason, in + 2, n);
		c->peer_reason[n] = '\0';
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)c->peer_reason[i] < ' ')
				c->peer_reason[i] = ' ';
	}
}

static void closed(struct buddy_client *c)
{
	char why[400];
	int code = c->peer_code ? c->peer_code : BUDDY_CLOSE_ABNORMAL;
	if (code == BUDDY_CLOSE_UNAUTHORIZED)
		snprintf(why, sizeof why, "the server refused the token; run voxcart login");
	else if (code == BUDDY_CLOSE_ABNORMAL)
		snprintf(why, sizeof why, "the connection to voxcartd was lost");
	else
		snprintf(why, sizeof why, "voxcartd closed the connection (%d%s%s)", code,
			 *c->peer_reason ? ": " : "", c->peer_reason);
	c->wsi = NULL;
	set_closed(c, code, why);
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		    size_t len)
{
	(void)user;
	struct buddy_client *c = lws_context_user(lws_get_context(wsi));
	if (!c)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR: {
		char why[600];
		snprintf(why, sizeof why, "cannot reach voxcartd at %.300s: %.200s", c->url,
			 in ? (const char *)in : "connection failed");
		c->wsi = NULL;
		set_closed(c, BUDDY_CLOSE_CONNECT_FAILED, why);
		return 0;
	}
	case LWS_CALLBACK_CLIENT_ESTABLISHED: {
		struct out_msg *hello = hello_msg(c);
		pthread_mutex_lock(&c->lock);
		c->state = ST_OPEN;
		if (hello) { /* hello goes first */
			hello->next = c->out_head;
			c->out_head = hello;
			if (!c->out_tail)
				c->out_tail = hello;
			c->out_bytes += hello->len;
		}
		pthread_mutex_unlock(&c->lock);
		lws_callback_on_writable(wsi);
		return hello ? 0 : -1;
	}
	case LWS_CALLBACK_CLIENT_RECEIVE:
		return receive(c, wsi, in, len);
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return write_one(c, wsi);
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		peer_close(c, in, len);
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
		closed(c);
		return 0;
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		if (c->wsi)
			lws_callback_on_writable(c->wsi);
		return 0;
	default:
		return 0;
	}
}

static void *service_main(void *arg)
{
	struct buddy_client *c = arg;
	for (;;) {
		pthread_mutex_lock(&c->lock);
		int done = c->state == ST_CLOSED;
		pthread_mutex_unlock(&c->lock);
		if (done || lws_service(c->ctx, 0) < 0)
			break;
	}
	return NULL;
}

/* ---- URLs ---- */

/* Splits a ws(s):// URL into c's host, port and path. */
static int split_url(struct buddy_client *c, char *err, size_t errlen)
{
	c->tls = strncmp(c->url, "wss://", 6) == 0;
	const char *p = c->url + (c->tls ? 6 : 5);
	size_t hostport = strcspn(p, "/");
	const char *path = p + hostport;
	const char *colon = NULL;
	if (*p == '[') { /* [::1]:8080 */
		const char *close = memchr(p, ']', hostport);
		if (!close)
			goto bad;
		snprintf(c->host, sizeof c->host, "%.*s", (int)(close - p - 1), p + 1);
		colon = close[1] == ':' ? close + 1 : NULL;
	} else {
		colon = memchr(p, ':', hostport);
		size_t hl = colon ? (size_t)(colon - p) : hostport;
		if (hl == 0 || hl >= sizeof c->host)
			goto bad;
		snprintf(c->host, sizeof c->host, "%.*s", (int)hl, p);
	}
	c->port = c->tls ? 443 : 80;
	if (colon) {
		char *end;
		long port = strtol(colon + 1, &end, 10);
		if (end != p + hostport || port < 1 || port > 65535)
			goto bad;
		c->port = (int)port;
	}
	snprintf(c->host_header, sizeof c->host_header, "%.*s", (int)hostport, p);
	snprintf(c->path, sizeof c->path, "%s", *path ? path : BUDDY_PATH);
	return 0;
bad:
	snprintf(err, errlen, "bad server address in %s", c->url);
	return -1;
}

/* ---- public API ---- */

static void destroy(struct buddy_client *c)
{
	if (c->thread_started)
		pthread_join(c->thread, NULL);
	if (c->ctx)
		lws_context_destroy(c->ctx);
	free_queue(c);
	ws_rx_done(&c->rx);
	opus_enc_free(c->enc);
	if (c->token) {
		explicit_bzero(c->token, strlen(c->token));
		free(c->token);
	}
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static struct buddy_client *client_new(const char *token, const struct buddy_client_opts *opts,
				       const struct buddy_client_callbacks *cb)
{
	struct buddy_client *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->rx.max = MAX_RX;
	pthread_mutex_init(&c->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (opts)
		c->opts = *opts;
	if (cb)
		c->cb = *cb;
	if (!c->opts.sample_rate)
		c->opts.sample_rate = DEFAULT_RATE;
	if (!c->opts.client_name)
		c->opts.client_name = "voxcart";
	if (c->opts.timeout_ms <= 0)
		c->opts.timeout_ms = DEFAULT_TIMEOUT_MS;
	c->speech_rate = 24000;
	c->next_turn = 1;
	c->token = strdup(token ? token : "");
	if (!c->token) {
		destroy(c);
		return NULL;
	}
	return c;
}

static int start(struct buddy_client *c, char *err, size_t errlen)
{
	lws_set_log_level(log_get_level() >= LOG_DEBUG ? LLL_ERR | LLL_WARN : 0, NULL);
	c->protocols[0] = (struct lws_protocols){ .name = "voxcart.v1", .callback = callback,
						  .rx_buffer_size = 16384 };
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = c->protocols;
	info.gid = -1;
	info.uid = -1;
	info.user = c;
	if (c->tls)
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	c->ctx = lws_create_context(&info);
	if (!c->ctx) {
		snprintf(err, errlen, "cannot start the WebSocket client");
		return -1;
	}
	struct lws_client_connect_info ci;
	memset(&ci, 0, sizeof ci);
	ci.context = c->ctx;
	ci.address = c->host;
	ci.port = c->port;
	ci.path = c->path;
	ci.host = c->host_header;
	ci.origin = c->host_header;
	ci.protocol = "voxcart.v1";
	ci.pwsi = &c->wsi;
	if (c->tls)
		ci.ssl_connection = LCCSCF_USE_SSL |
			(c->opts.tls_insecure ? LCCSCF_ALLOW_SELFSIGNED | LCCSCF_ALLOW_EXPIRED |
						LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK : 0);
	if (!lws_client_connect_via_info(&ci)) {
		pthread_mutex_lock(&c->lock);
		if (c->state != ST_CLOSED)
			snprintf(c->close_why, sizeof c->close_why, "cannot reach voxcartd at %.300s",
				 c->url);
		snprintf(err, errlen, "%s", c->close_why);
		pthread_mutex_unlock(&c->lock);
		return -1;
	}
	if (pthread_create(&c->thread, NULL, service_main, c) != 0) {
		snprintf(err, errlen, "cannot start the WebSocket thread");
		return -1;
	}
	c->thread_started = 1;
	return 0;
}

/* Waits for ready, a close, or an error before ready.  0 ready, -1 err filled. */
static int wait_ready(struct buddy_client *c, int *close_code, char *err, size_t errlen)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += c->opts.timeout_ms / 1000;
	until.tv_nsec += (long)(c->opts.timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	int rc = 0;
	pthread_mutex_lock(&c->lock);
	while (!(c->state == ST_READY && c->ready_seen) && c->state != ST_CLOSED && !c->hello_error &&
	       rc == 0)
		rc = pthread_cond_timedwait(&c->cond, &c->lock, &until);
	int ok = c->state == ST_READY && c->ready_seen;
	if (!ok) {
		if (c->state != ST_CLOSED && !c->hello_error)
			snprintf(c->close_why, sizeof c->close_why,
				 "no answer from the buddy at %.300s within %d s", c->url,
				 (c->opts.timeout_ms + 999) / 1000);
		snprintf(err, errlen, "%s", c->close_why);
		if (close_code)
			*close_code = c->close_code ? c->close_code : BUDDY_CLOSE_CONNECT_FAILED;
	}
	c->connect_returned = ok;
	pthread_mutex_unlock(&c->lock);
	return ok ? 0 : -1;
}

struct buddy_client *buddy_client_connect(const char *url, const char *token,
					  const struct buddy_client_opts *opts,
					  const struct buddy_client_callbacks *cb,
					  int *close_code, char *err, size_t errlen)
{
	if (close_code)
		*close_code = 0;
	struct buddy_client *c = client_new(token, opts, cb);
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (!opus_rate_valid(c->opts.sample_rate)) {
		snprintf(err, errlen, "%d Hz is not an Opus sample rate", c->opts.sample_rate);
		destroy(c);
		return NULL;
	}
	if (buddy_client_ws_url(url, c->url, sizeof c->url, err, errlen) != 0 ||
	    split_url(c, err, errlen) != 0) {
		destroy(c);
		return NULL;
	}
	if (start(c, err, errlen) != 0) {
		if (close_code)
			*close_code = BUDDY_CLOSE_CONNECT_FAILED;
		buddy_client_close(c);
		return NULL;
	}
	if (c->opts.async) {
		pthread_mutex_lock(&c->lock);
		c->connect_returned = 1;
		pthread_mutex_unlock(&c->lock);
		return c;
	}
	if (wait_ready(c, close_code, err, errlen) != 0) {
		pthread_mutex_lock(&c->lock);
		c->quiet = 1;
		pthread_mutex_unlock(&c->lock);
		buddy_client_close(c);
		return NULL;
	}
	return c;
}

static uint32_t take_turn(struct buddy_client *c)
{
	pthread_mutex_lock(&c->lock);
	uint32_t t = c->next_turn++;
	pthread_mutex_unlock(&c->lock);
	return t;
}

uint32_t buddy_client_say(struct buddy_client *c, const char *text)
{
	uint32_t turn = take_turn(c);
	cJSON *m = buddy_req_say(turn, text);
	return m && queue_json(c, m) == 0 ? turn : 0;
}

uint32_t buddy_client_audio_start(struct buddy_client *c)
{
	if (c->audio_on)
		buddy_client_audio_stop(c);
	opus_enc_free(c->enc);
	char err[128];
	c->enc = opus_enc_new(c->opts.sample_rate, 0, err, sizeof err);
	if (!c->enc) {
		log_error("buddy", "%s", err);
		return 0;
	}
	uint32_t turn = take_turn(c);
	if (queue_json(c, buddy_req_turn(BUDDY_REQ_AUDIO_START, turn)) != 0)
		return 0;
	c->audio_turn = turn;
	c->audio_seq = 0;
	c->audio_on = 1;
	return turn;
}

int buddy_client_audio_frame(struct buddy_client *c, const int16_t *pcm, size_t n)
{
	if (!c->audio_on || !c->enc || n != (size_t)OPUS_FRAME_SAMPLES(c->opts.sample_rate))
		return -1;
	uint8_t packet[OPUS_MAX_PACKET], frame[PROTO_FRAME_MAX];
	int plen = opus_enc_encode(c->enc, pcm, packet, sizeof packet);
	if (plen <= 0)
		return -1;
	int flen = proto_frame_encode(PROTO_FRAME_MIC, 0, c->audio_turn, c->audio_seq, packet,
				      (size_t)plen, frame, sizeof frame);
	if (flen < 0 || queue_msg(c, out_new(1, frame, (size_t)flen)) != 0)
		return -1;
	c->audio_seq++;
	return 0;
}

int buddy_client_audio_stop(struct buddy_client *c)
{
	if (!c->audio_on)
		return -1;
	c->audio_on = 0;
	return queue_json(c, buddy_req_turn(BUDDY_REQ_AUDIO_STOP, c->audio_turn));
}

uint32_t buddy_client_audio_frames(struct buddy_client *c)
{
	return c->audio_seq;
}

int buddy_client_cancel(struct buddy_client *c, uint32_t turn)
{
	return turn ? queue_json(c, buddy_req_turn(BUDDY_REQ_CANCEL, turn)) : -1;
}

int buddy_client_ping(struct buddy_client *c)
{
	return queue_json(c, buddy_req_turn(BUDDY_REQ_PING, 0));
}

int buddy_client_is_open(struct buddy_client *c)
{
	pthread_mutex_lock(&c->lock);
	int open = c->state != ST_CLOSED;
	pthread_mutex_unlock(&c->lock);
	return open;
}

int buddy_client_close_code(struct buddy_client *c)
{
	pthread_mutex_lock(&c->lock);
	int code = c->state == ST_CLOSED ? c->close_code : 0;
	pthread_mutex_unlock(&c->lock);
	return code;
}

int64_t buddy_client_conversation_id(struct buddy_client *c)
{
	pthread_mutex_lock(&c->lock);
	int64_t id = c->conversation_id;
	pthread_mutex_unlock(&c->lock);
	return id;
}

int buddy_client_speech_rate(struct buddy_client *c)
{
	pthread_mutex_lock(&c->lock);
	int rate = c->speech_rate;
	pthread_mutex_unlock(&c->lock);
	return rate;
}

void buddy_client_close(struct buddy_client *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	c->closing = 1;
	c->quiet = 1;
	int open = c->state != ST_CLOSED && c->thread_started;
	pthread_mutex_unlock(&c->lock);
	if (open) {
		/* Ask the loop to send the close frame, and give the server a second. */
		lws_cancel_service(c->ctx);
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += 1;
		pthread_mutex_lock(&c->lock);
		int rc = 0;
		while (c->state != ST_CLOSED && rc == 0)
			rc = pthread_cond_timedwait(&c->cond, &c->lock, &until);
		if (c->state != ST_CLOSED) /* the loop stops at its next wake-up */
			c->state = ST_CLOSED;
		pthread_mutex_unlock(&c->lock);
		lws_cancel_service(c->ctx);
	}
	destroy(c);
}
