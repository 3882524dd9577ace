/*
 * buddy_client.h - the client side of the buddy WebSocket (PROTOCOL.md section 4),
 * shared by voxcart (chat, talk) and voxcart-tui.  Nothing here prints or reads the
 * terminal.
 *
 * Threads.  A connected client runs its own libwebsockets service loop on a
 * background thread (the "client thread").  Every buddy_client_* function may be
 * called from any other thread: it queues the message under a lock and wakes the
 * loop (lws_cancel_service), which writes it.  The exception is the audio uplink
 * (buddy_client_audio_start / _frame / _stop), which encodes Opus on the caller's
 * thread: call those three from one thread at a time.  Never call buddy_client_close()
 * from a callback.
 *
 * Callbacks run on the client thread, one at a time, in the order the server sent
 * the messages.  They must return quickly (hand work to another thread; pushing a
 * frame into a jitter buffer is fine) and must not call buddy_client_close().  The
 * event and everything it points to are valid only during the call.
 *
 * Connecting.  buddy_client_connect() opens the socket, sends hello and, unless
 * opts->async, waits for "ready" (or a failure) before it returns, so the caller gets
 * one clear error: the server cannot be reached (with the reason), the server
 * refused the token (close code 4001), or the server answered hello with an error.
 * The events that arrive meanwhile (ready, or the error) go to the callbacks before
 * connect returns; on_closed is not called for a connect that fails.
 * The access token must be valid: refresh it first (buddy_client_token()).
 *
 * Turn ids: say and audio_start choose the next id of one increasing counter per
 * connection (1, 2, 3, ...); starting a turn while a reply is going cancels that
 * reply on the server.
 */
#ifndef VOXCART_BUDDY_CLIENT_H
#define VOXCART_BUDDY_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "events.h"
#include "frame.h"

struct session;
struct rest;

/* WebSocket close codes the client reports in on_closed / buddy_client_close_code(). */
#define BUDDY_CLOSE_NORMAL       1000
#define BUDDY_CLOSE_ABNORMAL     1006 /* the connection dropped without a close frame */
#define BUDDY_CLOSE_UNAUTHORIZED 4001 /* the server refused the token */
#define BUDDY_CLOSE_CONNECT_FAILED (-1) /* never connected */

/* ---- server events ---- */

/* The events and their fields: proto/events.h (one decoder for every client). */

/* Decodes one text message (buddy_event_decode), taking a speech sample rate Opus
 * cannot do as 24000.  0 and *ev filled (free with buddy_event_free), or -1 when it
 * is not a JSON object with a string "type" (*ev zeroed). */
int buddy_event_parse(const char *text, size_t len, struct buddy_event *ev);

/* Product titles seen on a connection, so "- Bananas" can be said when cart.remove
 * only names product 42.  The newest BUDDY_TITLES_MAX are kept. */
#define BUDDY_TITLES_MAX 128
struct buddy_titles {
	int64_t id[BUDDY_TITLES_MAX];
	char title[BUDDY_TITLES_MAX][128];
	unsigned next;
};
/* Remembers the titles an event shows (search items, cart lines, products, orders). */
void buddy_titles_learn(struct buddy_titles *t, const struct buddy_event *ev);
/* The title remembered for product id, or "". */
const char *buddy_titles_find(const struct buddy_titles *t, int64_t id);

/* A short human summary of an action event, written into buf (always terminated;
 * control characters from the server are replaced by spaces):
 *   cart.add     "+ 2 × Dark Roast Coffee Beans 1 kg   cart $31.98"
 *   cart.remove  "- Bananas"                cart.set  "= 3 × Milk"
 *   cart.clear   "cart cleared"             checkout  "order #12 placed, $31.98"
 *   search       "1. Title   $4.99\n2. ..." (numbered, at most max_items lines)
 *   cart.view    "cart: 3 items, $12.50"    others    "name" plus what can be told
 * Returns the length written. */
size_t buddy_action_summary(const struct buddy_event *ev, int max_items, char *buf, size_t len);

/* ---- text in step with speech ---- */

/* A queue that holds what a client shows of a reply (reply.delta text, and whatever
 * must stay in order with it: actions, the end of the reply) until the speech player
 * reaches it, so the text is read as it is heard.  Pure bookkeeping: the caller feeds
 * it the playback position (audio_player's on_played / on_ended), pushes items with
 * the frame they wait for, and takes the items that are due, in order.  Not
 * thread-safe: hold one lock around every call.  The data pointers are the caller's.
 *
 * An item of turn T waiting for frame K is due once everything queued before it is
 * due and one of: K is BUDDY_SYNC_NOW; playback of T has played K frames (frame K,
 * where the text's speech starts, is playing: K = reply.delta's speech_seq; K =
 * reply.done's speech_frames waits for the whole speech); playback moved on to a
 * later turn; T's speech ended (played out, cancelled or given up:
 * buddy_sync_ended); or buddy_sync_flush(). */
#define BUDDY_SYNC_NOW (-1L)
#define BUDDY_SYNC_MAX 256

struct buddy_sync {
	struct {
		void *data;
		uint32_t turn;
		long frame;
	} item[BUDDY_SYNC_MAX];
	unsigned head, count;
	unsigned forced;      /* the first `forced` items are due whatever the position */
	int have_pos;
	uint32_t pos_turn, pos_frames;
	uint32_t ended_upto;  /* turns up to this one have no speech to wait for */
};

void buddy_sync_init(struct buddy_sync *s);
/* Queues data for turn, due at frame (BUDDY_SYNC_NOW: as soon as what is before it).
 * 0 ok; -1 when the queue is full (flush it, take all, then show data at once). */
int buddy_sync_push(struct buddy_sync *s, uint32_t turn, long frame, void *data);
/* Playback of turn has reached played_ms (audio_played_fn). */
void buddy_sync_played(struct buddy_sync *s, uint32_t turn, uint32_t played_ms);
/* The speech of turn and of every older turn is over: played to its end, cancelled
 * (barge-in, reply.done cancelled) or not coming. */
void buddy_sync_ended(struct buddy_sync *s, uint32_t turn);
/* Everything queued now is due (the speech is over, the client is closing). */
void buddy_sync_flush(struct buddy_sync *s);
/* The next due item (its turn in *turn when not NULL), or NULL: call until NULL. */
void *buddy_sync_take(struct buddy_sync *s, uint32_t *turn);
/* Items queued (due or not). */
unsigned buddy_sync_pending(const struct buddy_sync *s);
/* The frame a reply.delta's text waits for: its speech_seq when speech plays
 * (playing) and the turn's speech is not over, else BUDDY_SYNC_NOW. */
long buddy_sync_delta_frame(const struct buddy_sync *s, const struct buddy_event *ev,
			    int playing);
/* The frame reply.done waits for: its speech_frames when speech plays, the reply was
 * not cancelled and it had speech, else BUDDY_SYNC_NOW.  A cancelled reply, or one
 * without speech, also ends its turn (buddy_sync_ended): its held text is due now. */
long buddy_sync_done_frame(struct buddy_sync *s, const struct buddy_event *ev, int playing);

/* ---- the connection ---- */

struct buddy_client;

struct buddy_client_callbacks {
	void *user; /* passed to every callback */
	/* Every text message (also unknown types), before its typed callback below. */
	void (*on_event)(void *user, const struct buddy_event *ev);
	void (*on_ready)(void *user, const struct buddy_event *ev);
	void (*on_transcript)(void *user, const struct buddy_event *ev);
	void (*on_reply_delta)(void *user, const struct buddy_event *ev);
	void (*on_action)(void *user, const struct buddy_event *ev);
	void (*on_reply_done)(void *user, const struct buddy_event *ev);
	void (*on_error)(void *user, const struct buddy_event *ev);
	void (*on_pong)(void *user, const struct buddy_event *ev);
	/* A 0x02 speech frame, already parsed; f->payload is valid during the call. */
	void (*on_speech)(void *user, const struct proto_frame *f);
	/* The connection ended by itself after connect returned (not after
	 * buddy_client_close): code is the server's close code (4001 refused token),
	 * BUDDY_CLOSE_ABNORMAL when it dropped; why is a sentence for people. */
	void (*on_closed)(void *user, int code, const char *why);
};

struct buddy_client_opts {
	int speech;              /* hello "speech": send speech audio back */
	int vad;                 /* hello "vad": the server ends audio turns by itself */
	int sample_rate;         /* uplink Opus rate; 0 = 16000 */
	int64_t conversation_id; /* continue this conversation; 0 = a new one */
	const char *client_name; /* hello "client", e.g. "voxcart/0.1.0"; NULL = "voxcart" */
	int timeout_ms;          /* connect + ready; 0 = 10000 */
	int async;               /* 1: return once the connection is started; the result
				  * comes as on_ready or on_closed */
	int tls_insecure;        /* wss:// accepting self-signed / mismatched certificates */
};

/* Connects to the buddy of the server at url (http://, https://, ws:// or wss://; the
 * path /api/v1/buddy is added to a base URL).  token is copied.  Returns the client,
 * or NULL with err filled:
 *   "cannot reach voxcartd at ws://...: connection refused"
 *   "the server refused the token; run voxcart login"          (code 4001)
 *   "the buddy answered: <message>"                             (error before ready)
 * When close_code is not NULL it receives the close code of a failure (4001,
 * BUDDY_CLOSE_CONNECT_FAILED, ...) or 0. */
struct buddy_client *buddy_client_connect(const char *url, const char *token,
					  const struct buddy_client_opts *opts,
					  const struct buddy_client_callbacks *cb,
					  int *close_code, char *err, size_t errlen);

/* Sends a typed utterance.  Returns its turn id (> 0), or 0 when the connection is
 * closed or out of memory. */
uint32_t buddy_client_say(struct buddy_client *c, const char *text);

/* Starts an audio turn (audio.start).  Returns its turn id, or 0. */
uint32_t buddy_client_audio_start(struct buddy_client *c);
/* Encodes one 20 ms frame (n must be sample_rate / 50 samples) and sends it as a 0x01
 * frame with the next sequence number.  0 ok, -1 no audio turn, encoder failure,
 * closed, or too much unsent data (the network is not keeping up). */
int buddy_client_audio_frame(struct buddy_client *c, const int16_t *pcm, size_t n);
/* Ends the audio turn (audio.stop).  0 ok, -1 when none was going. */
int buddy_client_audio_stop(struct buddy_client *c);
/* Frames sent in the current (or last) audio turn. */
uint32_t buddy_client_audio_frames(struct buddy_client *c);

/* Barge-in: asks the server to stop turn's reply.  0 queued, -1 closed. */
int buddy_client_cancel(struct buddy_client *c, uint32_t turn);
/* {"type":"ping"}; the answer comes as on_pong.  0 queued, -1 closed. */
int buddy_client_ping(struct buddy_client *c);

/* 1 while the connection is open. */
int buddy_client_is_open(struct buddy_client *c);
/* The close code once closed (see on_closed), 0 while open. */
int buddy_client_close_code(struct buddy_client *c);
/* The ready event's conversation id and downlink speech rate. */
int64_t buddy_client_conversation_id(struct buddy_client *c);
int buddy_client_speech_rate(struct buddy_client *c);

/* Closes the connection (normal close, waiting up to a second for the server to
 * answer it), stops the client thread and frees c.  No callback runs once it
 * returns.  NULL is a no-op. */
void buddy_client_close(struct buddy_client *c);

/* ---- helpers ---- */

/* The ws:// or wss:// URL of the buddy for a server base URL (http -> ws, https ->
 * wss; a ws(s):// URL without a path gets /api/v1/buddy).  0 ok, -1 and err filled
 * when url is not one of those schemes or buf is too small. */
int buddy_client_ws_url(const char *url, char *buf, size_t len, char *err, size_t errlen);

/* Makes sure s holds an access token the server takes for r's server: refreshes an
 * expired one (or, with force, asks the server and refreshes on 401).  Returns
 * s->access_token (owned by s), or NULL with err filled and *status set to the
 * session_request() status (0 unreachable, SESSION_NOT_LOGGED_IN, 401...). */
const char *buddy_client_token(struct session *s, struct rest *r, int force, int *status,
			       char *err, size_t errlen);

#endif
