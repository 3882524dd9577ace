/*
 * audio_player.c - the speech player of audio_io.h: jitter buffer, Opus decoder and a
 * sink, with its own playback thread.
 *
 * The thread pops the jitter buffer once per 20 ms frame: a frame is decoded, a gap
 * is concealed by the Opus decoder (PLC), a wait sleeps 20 ms (so the jitter buffer's
 * "waited max_wait frames" means real time even for a file sink written as fast as
 * possible), and idle sleeps until the next push.  A speaker sink paces the thread by
 * blocking in its write.  Between frames the thread tells on_ended about a turn whose
 * speech is over (played out, or cancelled).  Everything shared with the pushing thread is under p->lock;
 * decoding and writing happen outside it, so a push never waits on the device.
 * With an echo canceller attached, what was written is resampled to its rate and
 * handed over as the far end, under p->lock so audio_player_set_aec(p, NULL) is a
 * clean detach.
 */
#include "audio_io.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "opuscodec.h"
#include "resample.h"

static struct timespec deadline_in(long ms)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

static void sleep_ms(long ms)
{
	struct timespec t = deadline_in(ms);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) != 0)
		;
}

struct audio_player {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	struct jitter *jit;      /* [lock] */
	struct opus_dec *dec;    /* [thread] */
	struct audio_sink *sink; /* [thread] */
	int rate;
	audio_played_fn on_played;
	void *user;
	/* [lock] */
	audio_ended_fn on_ended;
	uint32_t end_told;       /* turns up to this one were told to on_ended */
	uint32_t cancelled;      /* the newest turn cancelled */
	int stop;
	int have_pos;
	uint32_t pos_turn, pos_frames;
	unsigned latency_ms;
	int sink_failed;
	char sink_err[256];
	struct aec *aec;         /* [lock] the far end goes there */
	struct resampler *aec_rs; /* [lock] speech rate -> AEC_RATE; NULL if equal */
	int16_t *aec_buf;        /* [lock] */
	size_t aec_cap;
};

/* Hands n samples just written to the sink to the echo canceller.  [lock] */
static void feed_aec(struct audio_player *p, const int16_t *pcm, size_t n)
{
	if (!p->aec_rs) {
		aec_playback(p->aec, pcm, n);
		return;
	}
	size_t need = resample_out_max(p->aec_rs, n);
	if (need > p->aec_cap) {
		int16_t *b = realloc(p->aec_buf, need * sizeof *b);
		if (!b)
			return;
		p->aec_buf = b;
		p->aec_cap = need;
	}
	long got = resample_process(p->aec_rs, pcm, n, p->aec_buf, p->aec_cap);
	if (got > 0)
		aec_playback(p->aec, p->aec_buf, (size_t)got);
}

static int player_busy_locked(struct audio_player *p)
{
	return jitter_current_turn(p->jit, NULL) && !jitter_turn_done(p->jit);
}

/* Decodes and plays one popped frame or gap (lock not held). */
static void play(struct audio_player *p, const struct jitter_packet *pkt, int gap)
{
	int16_t pcm[OPUS_FRAME_SAMPLES(48000)];
	int n = 0;
	if (gap || pkt->len > 0)
		n = opus_dec_decode(p->dec, gap ? NULL : pkt->data, gap ? 0 : pkt->len, pcm,
				    sizeof pcm / sizeof pcm[0]);
	if (n < 0) /* a corrupt packet: conceal it instead */
		n = opus_dec_decode(p->dec, NULL, 0, pcm, sizeof pcm / sizeof pcm[0]);
	char err[256] = "";
	int failed = n > 0 && audio_sink_write(p->sink, pcm, (size_t)n, err, sizeof err) != 0;
	unsigned latency = audio_sink_latency_ms(p->sink);
	pthread_mutex_lock(&p->lock);
	if (failed && !p->sink_failed) {
		p->sink_failed = 1;
		snprintf(p->sink_err, sizeof p->sink_err, "%s", err);
	}
	if (!p->have_pos || p->pos_turn != pkt->turn) {
		p->have_pos = 1;
		p->pos_turn = pkt->turn;
		p->pos_frames = 0;
	}
	if (n > 0)
		p->pos_frames++;
	p->latency_ms = latency;
	if (p->aec && n > 0 && !failed)
		feed_aec(p, pcm, (size_t)n);
	uint32_t ms = p->pos_frames * OPUS_FRAME_MS;
	ms = ms > latency ? ms - latency : 0;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	if (p->on_played && n > 0)
		p->on_played(p->user, pkt->turn, ms);
}

/* Tells on_ended about a turn whose speech is over, if there is one.  [lock] held
 * (released during the call). */
static void tell_ended(struct audio_player *p)
{
	uint32_t turn = 0, cur = 0;
	if (jitter_current_turn(p->jit, &cur) && jitter_turn_done(p->jit))
		turn = cur;
	if (p->cancelled > turn)
		turn = p->cancelled;
	if (turn <= p->end_told)
		return;
	p->end_told = turn;
	audio_ended_fn fn = p->on_ended;
	if (!fn)
		return;
	pthread_mutex_unlock(&p->lock);
	fn(p->user, turn);
	pthread_mutex_lock(&p->lock);
}

static void *player_main(void *arg)
{
	struct audio_player *p = arg;
	struct jitter_packet *pkt = malloc(sizeof *pkt);
	pthread_mutex_lock(&p->lock);
	while (pkt && !p->stop) {
		tell_ended(p);
		if (p->stop)
			break;
		enum jitter_pop_result r = jitter_pop(p->jit, pkt);
		if (r == JITTER_FRAME || r == JITTER_GAP) {
			pthread_mutex_unlock(&p->lock);
			play(p, pkt, r == JITTER_GAP);
			pthread_mutex_lock(&p->lock);
		} else if (r == JITTER_WAIT) {
			pthread_mutex_unlock(&p->lock);
			sleep_ms(OPUS_FRAME_MS);
			pthread_mutex_lock(&p->lock);
		} else {
			pthread_cond_broadcast(&p->cond); /* wakes audio_player_wait_done */
			struct timespec until = deadline_in(100);
			pthread_cond_timedwait(&p->cond, &p->lock, &until);
		}
	}
	pthread_mutex_unlock(&p->lock);
	free(pkt);
	return NULL;
}

struct audio_player *audio_player_new(struct audio_sink *sink, int rate,
				      const struct jitter_config *jcfg,
				      audio_played_fn on_played, void *user,
				      char *err, size_t errlen)
{
	struct audio_player *p = calloc(1, sizeof *p);
	if (!p || !(p->jit = jitter_new(jcfg)) ||
	    !(p->dec = opus_dec_new(rate, err, errlen))) {
		if (p && p->jit)
			jitter_free(p->jit);
		else
			snprintf(err, errlen, "out of memory");
		free(p);
		audio_sink_close(sink, NULL, 0);
		return NULL;
	}
	if (rate != audio_sink_rate(sink))
		log_warn("audio", "speech at %d Hz into a %d Hz sink", rate, audio_sink_rate(sink));
	p->sink = sink;
	p->rate = rate;
	p->on_played = on_played;
	p->user = user;
	pthread_mutex_init(&p->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&p->thread, NULL, player_main, p) != 0) {
		snprintf(err, errlen, "cannot start the playback thread");
		p->thread = pthread_self();
		p->stop = 1;
		audio_player_close(p, NULL, 0);
		return NULL;
	}
	return p;
}

enum jitter_push_result audio_player_push(struct audio_player *p, const struct proto_frame *f)
{
	pthread_mutex_lock(&p->lock);
	enum jitter_push_result r = jitter_push(p->jit, f->turn, f->seq,
						(f->flags & PROTO_FRAME_LAST) != 0, f->payload, f->len);
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	return r;
}

void audio_player_on_ended(struct audio_player *p, audio_ended_fn on_ended)
{
	pthread_mutex_lock(&p->lock);
	p->on_ended = on_ended;
	pthread_mutex_unlock(&p->lock);
}

void audio_player_expect_end(struct audio_player *p, uint32_t turn, uint32_t total)
{
	pthread_mutex_lock(&p->lock);
	jitter_expect_end(p->jit, turn, total);
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

void audio_player_cancel(struct audio_player *p, uint32_t turn)
{
	pthread_mutex_lock(&p->lock);
	jitter_cancel_turn(p->jit, turn);
	if (turn > p->cancelled)
		p->cancelled = turn;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

int audio_player_busy(struct audio_player *p)
{
	pthread_mutex_lock(&p->lock);
	int busy = player_busy_locked(p);
	pthread_mutex_unlock(&p->lock);
	return busy;
}

int audio_player_wait_done(struct audio_player *p, int timeout_ms)
{
	struct timespec until = deadline_in(timeout_ms < 0 ? 0 : timeout_ms);
	int rc = 0;
	pthread_mutex_lock(&p->lock);
	while (player_busy_locked(p) && !p->stop && rc == 0)
		rc = timeout_ms < 0 ? pthread_cond_wait(&p->cond, &p->lock)
				    : pthread_cond_timedwait(&p->cond, &p->lock, &until);
	int done = !player_busy_locked(p);
	pthread_mutex_unlock(&p->lock);
	return done;
}

int audio_player_position(struct audio_player *p, uint32_t *turn, uint32_t *played_ms)
{
	pthread_mutex_lock(&p->lock);
	int have = p->have_pos;
	if (turn)
		*turn = p->pos_turn;
	uint32_t ms = p->pos_frames * OPUS_FRAME_MS;
	if (played_ms)
		*played_ms = ms > p->latency_ms ? ms - p->latency_ms : 0;
	pthread_mutex_unlock(&p->lock);
	return have;
}

void audio_player_stats(struct audio_player *p, struct jitter_stats *st)
{
	pthread_mutex_lock(&p->lock);
	jitter_get_stats(p->jit, st);
	pthread_mutex_unlock(&p->lock);
}

int audio_player_set_aec(struct audio_player *p, struct aec *a)
{
	struct resampler *rs = NULL;
	if (a && p->rate != AEC_RATE && !(rs = resample_new(p->rate, AEC_RATE,
							    RESAMPLE_QUALITY_DEFAULT)))
		return -1;
	pthread_mutex_lock(&p->lock);
	resample_free(p->aec_rs);
	p->aec_rs = rs;
	p->aec = a;
	pthread_mutex_unlock(&p->lock);
	return 0;
}

int audio_player_close(struct audio_player *p, char *err, size_t errlen)
{
	if (!p)
		return 0;
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	if (!pthread_equal(p->thread, pthread_self()))
		pthread_join(p->thread, NULL);
	int rc = 0;
	if (p->sink_failed) {
		if (err)
			snprintf(err, errlen, "%s", p->sink_err);
		rc = -1;
	}
	char cerr[256];
	if (audio_sink_close(p->sink, cerr, sizeof cerr) != 0 && rc == 0) {
		if (err)
			snprintf(err, errlen, "%s", cerr);
		rc = -1;
	}
	opus_dec_free(p->dec);
	jitter_free(p->jit);
	resample_free(p->aec_rs);
	free(p->aec_buf);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p);
	return rc;
}
