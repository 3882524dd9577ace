/*
 * voice.c - the buddy connection and the audio, off the UI thread (see voice.h).
 *
 * Threads:
 *   - the audio thread (ours) opens the speech sink (speaker or --output WAV),
 *     connects the buddy client (which may wait for the server), creates the
 *     player, and then, while the talk key is on, reads 20 ms frames from the
 *     microphone or the --input file, measures their level and sends them with
 *     buddy_client_audio_frame() (the uplink calls all stay on this thread);
 *   - the buddy client's thread runs our callbacks: text events are copied into
 *     struct voice_event and posted through the pipe; speech frames go straight
 *     into the player;
 *   - the player's thread plays them, and hands what it played to the echo
 *     canceller (aec.h) as its far end; the audio thread runs the microphone
 *     through it, so the buddy does not hear itself.  VOXCART_NO_AEC=1 in the
 *     environment turns it off: then the microphone is muted while speech plays.
 * The UI thread only queues (say, cancel, talk on/off, hands-free on/off) and reads
 * the pipe, so none of it can make the screen wait.  In hands-free mode the audio
 * thread keeps the microphone open and an energy VAD (vad.h) starts and ends the
 * audio turns (run_handsfree).
 *
 * Text in step with speech: while speech plays, the reply's events (deltas, actions,
 * the end) are not posted as they come but queued in v->sync (buddy_client.h): a
 * delta waits until the player reaches the frame its speech starts at (speech_seq),
 * the rest keeps its place behind it.  The player's thread feeds the position
 * (on_played, on_speech_ended) and posts what became due; the client thread posts
 * what needs no wait.  Both post under sync_lock, so the pipe keeps the order.  All signals are blocked on the threads started here.
 */
#include "voice.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aec.h"
#include "audio_io.h"
#include "buddy_client.h"
#include "vad.h"

#ifndef VOXCART_VERSION
#define VOXCART_VERSION "0"
#endif

struct voice {
	struct voice_opts opts;
	char *server, *input_wav, *output_wav;
	char *token;
	int pipe_rd, pipe_wr;
	pthread_t thread;

	pthread_mutex_t lock;
	pthread_cond_t cond;
	int quit;                    /* [lock] */
	int talk_wanted;             /* [lock] the talk key is on */
	int handsfree;               /* [lock] hands-free: the VAD starts and ends turns */
	struct buddy_client *client; /* [lock] set once connected */
	struct audio_player *player; /* [lock] */
	struct aec *aec;             /* [audio thread] NULL: the microphone is gated */

	atomic_int listening;
	atomic_int hearing;          /* hands-free: the VAD hears speech now */
	atomic_int ready;
	atomic_int level;            /* 0..1000 */
	atomic_int audio_ok;
	atomic_uint last_turn;       /* the newest turn the server answered */
	pthread_mutex_t sync_lock;   /* the reply held for its speech; posts under it */
	struct buddy_sync sync;      /* [sync_lock] of struct voice_event */
	char audio_err[512];         /* written before audio_ok is published */
	char email[256];             /* [lock] from the ready event */
};

static void post(struct voice *v, struct voice_event *ev)
{
	if (!ev->text)
		ev->text = strdup("");
	ssize_t n;
	do
		n = write(v->pipe_wr, &ev, sizeof ev);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof ev)
		voice_event_free(ev);
}

static struct voice_event *event_new(enum voice_event_type type, uint32_t turn, const char *text)
{
	struct voice_event *ev = calloc(1, sizeof *ev);
	if (ev) {
		ev->type = type;
		ev->turn = turn;
		ev->text = strdup(text ? text : "");
	}
	return ev;
}

static void post_text(struct voice *v, enum voice_event_type type, uint32_t turn,
		      const char *text)
{
	struct voice_event *ev = event_new(type, turn, text);
	if (ev)
		post(v, ev);
}

/* ---- the reply in step with speech ---- */

/* Posts the held events that are due.  [sync_lock] */
static void post_due(struct voice *v)
{
	struct voice_event *ev;
	while ((ev = buddy_sync_take(&v->sync, NULL)) != NULL)
		post(v, ev);
}

/* Queues ev for turn, due at frame (BUDDY_SYNC_NOW: behind what is held), and posts
 * what is due; NULL ev only posts. */
static void post_held(struct voice *v, struct voice_event *ev, long frame)
{
	pthread_mutex_lock(&v->sync_lock);
	if (ev && buddy_sync_push(&v->sync, ev->turn, frame, ev) != 0) {
		buddy_sync_flush(&v->sync); /* a full queue: no more waiting */
		post_due(v);
		post(v, ev);
	}
	post_due(v);
	pthread_mutex_unlock(&v->sync_lock);
}

/* Posts everything held, then ev (an event that ends the reply or the connection). */
static void post_after_held(struct voice *v, struct voice_event *ev)
{
	pthread_mutex_lock(&v->sync_lock);
	buddy_sync_flush(&v->sync);
	post_due(v);
	if (ev)
		post(v, ev);
	pthread_mutex_unlock(&v->sync_lock);
}

/* 1 while a player takes the speech. */
static int playing(struct voice *v)
{
	pthread_mutex_lock(&v->lock);
	int p = v->player != NULL;
	pthread_mutex_unlock(&v->lock);
	return p;
}

/* The player's position (player thread). */
static void on_played(void *user, uint32_t turn, uint32_t played_ms)
{
	struct voice *v = user;
	pthread_mutex_lock(&v->sync_lock);
	buddy_sync_played(&v->sync, turn, played_ms);
	post_due(v);
	pthread_mutex_unlock(&v->sync_lock);
}

/* The speech of turn is over: played out or cancelled (player thread). */
static void on_speech_ended(void *user, uint32_t turn)
{
	struct voice *v = user;
	pthread_mutex_lock(&v->sync_lock);
	buddy_sync_ended(&v->sync, turn);
	post_due(v);
	pthread_mutex_unlock(&v->sync_lock);
}

/* ---- buddy client callbacks (client thread) ---- */

/* Keeps who the server says we are; VOICE_READY is posted by the audio thread once
 * the client and the player are in place, so the UI can use them at once. */
static void on_ready(void *user, const struct buddy_event *e)
{
	struct voice *v = user;
	const char *email = "";
	if (e->user) {
		const cJSON *em = cJSON_GetObjectItemCaseSensitive(e->user, "email");
		if (cJSON_IsString(em))
			email = em->valuestring;
	}
	pthread_mutex_lock(&v->lock);
	snprintf(v->email, sizeof v->email, "%s", email);
	pthread_mutex_unlock(&v->lock);
}

static void on_transcript(void *user, const struct buddy_event *e)
{
	struct voice *v = user;
	struct voice_event *ev = event_new(VOICE_TRANSCRIPT, e->turn, e->text);
	if (!ev)
		return;
	ev->final = e->final;
	pthread_mutex_lock(&v->sync_lock);
	if (e->turn > 1) /* a new turn: the replies before it are over */
		buddy_sync_ended(&v->sync, e->turn - 1);
	post_due(v);
	post(v, ev);
	pthread_mutex_unlock(&v->sync_lock);
}

static void on_delta(void *user, const struct buddy_event *e)
{
	struct voice *v = user;
	atomic_store(&v->last_turn, e->turn);
	struct voice_event *ev = event_new(VOICE_DELTA, e->turn, e->text);
	if (!ev)
		return;
	int p = playing(v);
	pthread_mutex_lock(&v->sync_lock);
	long frame = buddy_sync_delta_frame(&v->sync, e, p);
	pthread_mutex_unlock(&v->sync_lock);
	post_held(v, ev, frame);
}

static void on_action(void *user, const struct buddy_event *e)
{
	char summary[1024];
	buddy_action_summary(e, 5, summary, sizeof summary);
	struct voice_event *ev = event_new(VOICE_ACTION, e->turn, summary);
	if (!ev)
		return;
	snprintf(ev->name, sizeof ev->name, "%s", e->name);
	ev->result = e->result ? cJSON_Duplicate(e->result, 1) : NULL;
	ev->args = e->args ? cJSON_Duplicate(e->args, 1) : NULL;
	/* Actions are not held: the results list and the cart change the moment the
	 * buddy acts (only the reply text waits for its speech). */
	struct voice *v = user;
	pthread_mutex_lock(&v->sync_lock);
	post(v, ev);
	pthread_mutex_unlock(&v->sync_lock);
}

static void on_done(void *user, const struct buddy_event *e)
{
	struct voice *v = user;
	pthread_mutex_lock(&v->lock);
	if (v->player && e->speech_frames > 0)
		audio_player_expect_end(v->player, e->turn, e->speech_frames);
	pthread_mutex_unlock(&v->lock);
	int p = playing(v);
	pthread_mutex_lock(&v->sync_lock);
	long frame = buddy_sync_done_frame(&v->sync, e, p);
	pthread_mutex_unlock(&v->sync_lock);
	struct voice_event *ev = event_new(VOICE_DONE, e->turn, e->text);
	if (ev)
		ev->cancelled = e->cancelled;
	post_held(v, ev, frame);
}

static void on_error(void *user, const struct buddy_event *e)
{
	struct voice_event *ev = event_new(VOICE_ERROR, e->turn, e->message[0] ? e->message : e->code);
	if (ev) {
		snprintf(ev->err_code, sizeof ev->err_code, "%s", e->code);
		post_after_held(user, ev);
	}
}

static void on_speech(void *user, const struct proto_frame *f)
{
	struct voice *v = user;
	pthread_mutex_lock(&v->lock);
	if (v->player)
		audio_player_push(v->player, f);
	pthread_mutex_unlock(&v->lock);
}

static void on_closed(void *user, int code, const char *why)
{
	struct voice *v = user;
	atomic_store(&v->ready, 0);
	struct voice_event *ev = event_new(VOICE_CLOSED, 0, why);
	if (ev) {
		ev->code = code;
		post_after_held(v, ev);
	}
}

/* ---- the audio thread ---- */

static void set_level(struct voice *v, const int16_t *pcm, size_t n)
{
	int peak = 0;
	for (size_t i = 0; i < n; i++) {
		int s = pcm[i] < 0 ? -pcm[i] : pcm[i];
		if (s > peak)
			peak = s;
	}
	/* a log scale reads better: -60 dBFS .. 0 dBFS over the meter */
	double db = peak > 0 ? 20.0 * log10((double)peak / 32768.0) : -60.0;
	int lvl = (int)((db + 60.0) / 60.0 * 1000.0);
	atomic_store(&v->level, lvl < 0 ? 0 : lvl > 1000 ? 1000 : lvl);
}

static int talk_wanted(struct voice *v)
{
	pthread_mutex_lock(&v->lock);
	int w = v->talk_wanted && !v->quit;
	pthread_mutex_unlock(&v->lock);
	return w;
}

/* The microphone, or the --input file read in real time, through the echo canceller
 * when there is one; NULL with err filled when it cannot be opened. */
static struct audio_source *open_source(struct voice *v, char *err, size_t errlen)
{
	struct audio_source *src = v->input_wav
		? audio_source_file(v->input_wav, AUDIO_MIC_RATE, 1, err, errlen)
		: audio_source_mic(AUDIO_MIC_RATE, err, errlen);
	if (src && v->aec)
		audio_source_set_aec(src, v->aec);
	return src;
}

/* One audio turn: from the talk key until it is pressed again or the file ends. */
static void run_talk(struct voice *v, struct buddy_client *c)
{
	char err[256];
	struct audio_source *src = open_source(v, err, sizeof err);
	if (!src) {
		post_text(v, VOICE_AUDIO_ERROR, 0, err);
		pthread_mutex_lock(&v->lock);
		v->talk_wanted = 0;
		pthread_mutex_unlock(&v->lock);
		return;
	}
	pthread_mutex_lock(&v->lock);
	struct audio_player *player = v->player; /* ours: freed by this thread */
	pthread_mutex_unlock(&v->lock);
	uint32_t turn = buddy_client_audio_start(c);
	atomic_store(&v->listening, 1);
	int16_t pcm[AUDIO_MIC_RATE / 50];
	int ended = 0;
	while (talk_wanted(v)) {
		int rc = audio_source_read(src, pcm, 100, err, sizeof err);
		if (rc == -2)
			continue;
		if (rc <= 0) {
			if (rc < 0)
				post_text(v, VOICE_AUDIO_ERROR, turn, err);
			ended = 1;
			break;
		}
		if (!v->aec && player && audio_player_busy(player))
			memset(pcm, 0, sizeof pcm); /* no canceller: the buddy must not hear itself */
		set_level(v, pcm, sizeof pcm / sizeof pcm[0]);
		if (buddy_client_audio_frame(c, pcm, sizeof pcm / sizeof pcm[0]) != 0 &&
		    !buddy_client_is_open(c))
			break;
	}
	buddy_client_audio_stop(c);
	audio_source_close(src);
	atomic_store(&v->listening, 0);
	atomic_store(&v->level, 0);
	pthread_mutex_lock(&v->lock);
	v->talk_wanted = 0;
	pthread_mutex_unlock(&v->lock);
	if (ended)
		post_text(v, VOICE_MIC_DONE, turn, "");
}

static int handsfree_wanted(struct voice *v)
{
	pthread_mutex_lock(&v->lock);
	int w = v->handsfree && !v->quit && !v->talk_wanted;
	pthread_mutex_unlock(&v->lock);
	return w;
}

#define PREROLL 15 /* 300 ms kept before the VAD's onset, so no word loses its start */

/* Hands-free: the microphone (or --input, in real time) stays open; an energy VAD
 * starts an audio turn when speech begins (with the 300 ms before it) and ends it
 * after a pause.  While the buddy speaks, only speech long enough to be a barge-in
 * interrupts it, and only with the echo canceller on (else it could hear itself). */
static void run_handsfree(struct voice *v, struct buddy_client *c)
{
	char err[256];
	struct audio_source *src = open_source(v, err, sizeof err);
	struct vad *vad = src ? vad_new(NULL) : NULL;
	if (!src || !vad) {
		post_text(v, VOICE_AUDIO_ERROR, 0, src ? "out of memory" : err);
		audio_source_close(src);
		pthread_mutex_lock(&v->lock);
		v->handsfree = 0;
		pthread_mutex_unlock(&v->lock);
		return;
	}
	pthread_mutex_lock(&v->lock);
	struct audio_player *player = v->player;
	pthread_mutex_unlock(&v->lock);
	static int16_t pre[PREROLL][AUDIO_MIC_RATE / 50];
	int npre = 0, pnext = 0, ended = 0;
	uint32_t turn = 0;
	int16_t pcm[AUDIO_MIC_RATE / 50];
	const size_t n = sizeof pcm / sizeof pcm[0];
	while (handsfree_wanted(v)) {
		int rc = audio_source_read(src, pcm, 100, err, sizeof err);
		if (rc == -2)
			continue;
		if (rc <= 0) {
			if (rc < 0)
				post_text(v, VOICE_AUDIO_ERROR, turn, err);
			ended = 1;
			break;
		}
		int busy = player && audio_player_busy(player);
		if (!v->aec && busy)
			memset(pcm, 0, sizeof pcm); /* no canceller: the buddy must not hear itself */
		set_level(v, pcm, n);
		enum vad_event ev = vad_process(vad, pcm, n);
		atomic_store(&v->hearing, vad_in_speech(vad));
		if (turn) {
			if (buddy_client_audio_frame(c, pcm, n) != 0 && !buddy_client_is_open(c))
				break;
			if (ev == VAD_END) {
				buddy_client_audio_stop(c);
				turn = 0;
				atomic_store(&v->listening, 0);
				vad_reset(vad, 1);
			}
			continue;
		}
		memcpy(pre[pnext], pcm, sizeof pcm);
		pnext = (pnext + 1) % PREROLL;
		if (npre < PREROLL)
			npre++;
		if ((ev == VAD_START && !busy) || (ev == VAD_BARGE_IN && busy && v->aec)) {
			if (busy)
				voice_interrupt(v);
			turn = buddy_client_audio_start(c);
			if (!turn)
				continue;
			atomic_store(&v->listening, 1);
			for (int i = 0; i < npre; i++)
				buddy_client_audio_frame(c, pre[(pnext - npre + i + PREROLL) % PREROLL], n);
			npre = 0;
		}
	}
	if (turn)
		buddy_client_audio_stop(c);
	audio_source_close(src);
	vad_free(vad);
	atomic_store(&v->listening, 0);
	atomic_store(&v->hearing, 0);
	atomic_store(&v->level, 0);
	if (ended) {
		pthread_mutex_lock(&v->lock);
		v->handsfree = 0;
		pthread_mutex_unlock(&v->lock);
		post_text(v, VOICE_MIC_DONE, turn, "");
	}
}

static struct audio_sink *open_sink(struct voice *v, char *err, size_t errlen)
{
	if (v->output_wav)
		return audio_sink_file(v->output_wav, AUDIO_SPEECH_RATE, 1, err, errlen);
	return audio_sink_speaker(AUDIO_SPEECH_RATE, err, errlen);
}

static void *voice_main(void *arg)
{
	struct voice *v = arg;
	char err[512] = "";
	struct audio_sink *sink = v->opts.speech ? open_sink(v, err, sizeof err) : NULL;
	if (v->opts.speech && !sink) {
		snprintf(v->audio_err, sizeof v->audio_err, "%s", err);
		post_text(v, VOICE_AUDIO_ERROR, 0, err);
	}
	atomic_store(&v->audio_ok, sink != NULL || v->input_wav != NULL);

	struct buddy_client_callbacks cb = {
		.user = v, .on_ready = on_ready, .on_transcript = on_transcript,
		.on_reply_delta = on_delta, .on_action = on_action, .on_reply_done = on_done,
		.on_error = on_error, .on_speech = on_speech, .on_closed = on_closed,
	};
	struct buddy_client_opts o = {
		.speech = sink != NULL, .vad = 0, .sample_rate = AUDIO_MIC_RATE,
		.client_name = "voxcart-tui/" VOXCART_VERSION, .timeout_ms = 8000,
	};
	int code = 0;
	struct buddy_client *c = buddy_client_connect(v->server, v->token, &o, &cb, &code, err,
						      sizeof err);
	explicit_bzero(v->token, strlen(v->token));
	if (!c) {
		struct voice_event *ev = event_new(VOICE_CLOSED, 0, err);
		if (ev) {
			ev->code = code;
			post(v, ev);
		}
		audio_sink_close(sink, err, sizeof err);
		return NULL;
	}
	struct audio_player *player = NULL;
	if (sink) {
		player = audio_player_new(sink, buddy_client_speech_rate(c), NULL, on_played, v,
					  err, sizeof err);
		if (player)
			audio_player_on_ended(player, on_speech_ended);
		const char *no_aec = getenv("VOXCART_NO_AEC");
		if (player && !v->opts.no_aec && !(no_aec && *no_aec && strcmp(no_aec, "0") != 0) &&
		    (!(v->aec = aec_new(AUDIO_MIC_RATE, AUDIO_MIC_RATE / 50, AEC_TAIL_MS)) ||
		     audio_player_set_aec(player, v->aec) != 0)) {
			aec_free(v->aec);
			v->aec = NULL;
		}
		if (!player)
			post_text(v, VOICE_AUDIO_ERROR, 0, err);
	}
	pthread_mutex_lock(&v->lock);
	v->client = c;
	v->player = player;
	char email[256];
	snprintf(email, sizeof email, "%s", v->email);
	pthread_mutex_unlock(&v->lock);
	atomic_store(&v->ready, buddy_client_is_open(c));
	post_text(v, VOICE_READY, 0, email);
	pthread_mutex_lock(&v->lock);
	for (;;) {
		while (!v->quit && !v->talk_wanted && !v->handsfree)
			pthread_cond_wait(&v->cond, &v->lock);
		if (v->quit)
			break;
		int talk = v->talk_wanted;
		pthread_mutex_unlock(&v->lock);
		if (talk)
			run_talk(v, c);
		else
			run_handsfree(v, c);
		pthread_mutex_lock(&v->lock);
	}
	v->client = NULL;
	pthread_mutex_unlock(&v->lock);
	buddy_client_close(c); /* no callback runs after this */
	pthread_mutex_lock(&v->lock);
	v->player = NULL;
	pthread_mutex_unlock(&v->lock);
	audio_player_close(player, err, sizeof err);
	aec_free(v->aec); /* after the player that fed it */
	v->aec = NULL;
	return NULL;
}

/* ---- the UI side ---- */

struct voice *voice_start(const struct voice_opts *opts, const char *token, char *err,
			  size_t errlen)
{
	struct voice *v = calloc(1, sizeof *v);
	int fds[2];
	if (!v || pipe2(fds, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "cannot start the buddy: %s", strerror(errno));
		free(v);
		return NULL;
	}
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	v->pipe_rd = fds[0];
	v->pipe_wr = fds[1];
	v->opts = *opts;
	v->server = strdup(opts->server);
	v->input_wav = opts->input_wav ? strdup(opts->input_wav) : NULL;
	v->output_wav = opts->output_wav ? strdup(opts->output_wav) : NULL;
	v->token = strdup(token);
	pthread_mutex_init(&v->lock, NULL);
	pthread_cond_init(&v->cond, NULL);
	pthread_mutex_init(&v->sync_lock, NULL);
	buddy_sync_init(&v->sync);
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&v->thread, NULL, voice_main, v);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the buddy thread: %s", strerror(rc));
		v->thread = 0;
		voice_stop(v);
		return NULL;
	}
	return v;
}

void voice_stop(struct voice *v)
{
	if (!v)
		return;
	pthread_mutex_lock(&v->lock);
	v->quit = 1;
	v->talk_wanted = 0;
	pthread_cond_signal(&v->cond);
	pthread_mutex_unlock(&v->lock);
	if (v->thread)
		pthread_join(v->thread, NULL);
	struct voice_event *ev;
	while ((ev = voice_take(v)) != NULL)
		voice_event_free(ev);
	buddy_sync_flush(&v->sync); /* no thread is left to post them */
	while ((ev = buddy_sync_take(&v->sync, NULL)) != NULL)
		voice_event_free(ev);
	pthread_mutex_destroy(&v->sync_lock);
	close(v->pipe_rd);
	close(v->pipe_wr);
	pthread_mutex_destroy(&v->lock);
	pthread_cond_destroy(&v->cond);
	if (v->token) {
		explicit_bzero(v->token, strlen(v->token));
		free(v->token);
	}
	free(v->server);
	free(v->input_wav);
	free(v->output_wav);
	free(v);
}

static void *stop_main(void *arg)
{
	voice_stop(arg);
	return NULL;
}

void voice_stop_async(struct voice *v)
{
	if (!v)
		return;
	pthread_t t;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&t, &attr, stop_main, v);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc != 0)
		voice_stop(v);
}

int voice_fd(const struct voice *v) { return v->pipe_rd; }

struct voice_event *voice_take(struct voice *v)
{
	struct voice_event *ev = NULL;
	ssize_t n;
	do
		n = read(v->pipe_rd, &ev, sizeof ev);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof ev ? ev : NULL;
}

void voice_event_free(struct voice_event *ev)
{
	if (!ev)
		return;
	free(ev->text);
	cJSON_Delete(ev->result);
	cJSON_Delete(ev->args);
	free(ev);
}

/* The client and the player, read under the lock.  Only the UI thread calls this,
 * and only the UI thread (voice_stop) ends them, so they stay valid after unlock. */
static void parts(struct voice *v, struct buddy_client **c, struct audio_player **p)
{
	pthread_mutex_lock(&v->lock);
	*c = atomic_load(&v->ready) ? v->client : NULL;
	*p = v->player;
	pthread_mutex_unlock(&v->lock);
}

uint32_t voice_say(struct voice *v, const char *text)
{
	struct buddy_client *c;
	struct audio_player *p;
	parts(v, &c, &p);
	if (!c)
		return 0;
	voice_interrupt(v);
	return buddy_client_say(c, text);
}

void voice_interrupt(struct voice *v)
{
	struct buddy_client *c;
	struct audio_player *p;
	parts(v, &c, &p);
	uint32_t turn = 0, ms = 0;
	if (p && audio_player_busy(p)) {
		if (!audio_player_position(p, &turn, &ms) || !turn)
			turn = atomic_load(&v->last_turn);
		/* the player thread then tells on_speech_ended: what was held of the turn
		 * is posted, and the rest of it as it comes (the UI thread never waits on
		 * sync_lock) */
		audio_player_cancel(p, turn);
		if (c)
			buddy_client_cancel(c, turn);
	}
}

int voice_talk(struct voice *v, char *err, size_t errlen)
{
	pthread_mutex_lock(&v->lock);
	int ok = v->client && atomic_load(&v->ready);
	int on = 0;
	if (!ok) {
		snprintf(err, errlen, "the buddy is not connected");
	} else if (v->talk_wanted) {
		v->talk_wanted = 0; /* the audio thread sends audio.stop */
	} else if (!v->input_wav && !atomic_load(&v->audio_ok) && v->audio_err[0]) {
		snprintf(err, errlen, "%s", v->audio_err);
		ok = 0;
	} else {
		v->talk_wanted = 1;
		on = 1;
		pthread_cond_signal(&v->cond);
	}
	pthread_mutex_unlock(&v->lock);
	if (on)
		voice_interrupt(v);
	return ok ? on : -1;
}

int voice_handsfree(struct voice *v, int on, char *err, size_t errlen)
{
	pthread_mutex_lock(&v->lock);
	int ok = v->client && atomic_load(&v->ready);
	if (!ok) {
		snprintf(err, errlen, "the buddy is not connected");
	} else if (on && !v->input_wav && !atomic_load(&v->audio_ok) && v->audio_err[0]) {
		snprintf(err, errlen, "%s", v->audio_err);
		ok = 0;
	} else {
		v->handsfree = on;
		if (on)
			v->talk_wanted = 0;
		pthread_cond_signal(&v->cond);
	}
	pthread_mutex_unlock(&v->lock);
	return ok ? 0 : -1;
}

int voice_is_handsfree(const struct voice *v)
{
	struct voice *m = (struct voice *)v;
	pthread_mutex_lock(&m->lock);
	int on = m->handsfree;
	pthread_mutex_unlock(&m->lock);
	return on;
}

int voice_hearing(const struct voice *v) { return atomic_load(&v->hearing); }

int voice_listening(const struct voice *v) { return atomic_load(&v->listening); }

int voice_speaking(const struct voice *v)
{
	struct voice *m = (struct voice *)v;
	pthread_mutex_lock(&m->lock);
	int busy = m->player ? audio_player_busy(m->player) : 0;
	pthread_mutex_unlock(&m->lock);
	return busy;
}

double voice_level(const struct voice *v) { return atomic_load(&v->level) / 1000.0; }

int voice_ready(const struct voice *v) { return atomic_load(&v->ready); }

int voice_audio_ok(const struct voice *v, char *err, size_t errlen)
{
	int ok = atomic_load(&v->audio_ok);
	if (!ok)
		snprintf(err, errlen, "%s", v->audio_err);
	return ok;
}
