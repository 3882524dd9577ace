/*
 * aec.c - echo cancellation and noise suppression on speexdsp (see aec.h).
 *
 * The far-end FIFO is a ring of samples; head_t is the time its first sample plays,
 * so the i-th sample queued plays at head_t + i / rate.  Only the FIFO, its stamps,
 * the delay and the clock are shared between the playback and the capture thread
 * (under lock); the speex states and the scratch buffers are the capture thread's.
 */
#include "aec.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>

#define FIFO_SECONDS 30  /* a reply written to a file faster than real time fits */
#define GAP_MAX_S 1.0    /* a longer pause in the far end starts a new run */
#define RESYNC_S 0.040   /* drift tolerated while the far end keeps playing */
#define FAR_ACTIVE_MS2 (32.0 * 32.0) /* mean square of a far frame that counts as sound */
#define WARMUP_S 2.0     /* of far-end sound: the filter has converged by then */
#define CONVERGED_DB 12.0 /* ... or sooner, once it removes this much */

struct aec {
	int rate, frame;
	SpeexEchoState *echo;     /* [capture] */
	SpeexPreprocessState *pre; /* [capture] */
	int16_t *far, *tmp;       /* [capture] one frame each */
	atomic_int far_active;
	atomic_int converged;
	long far_frames;          /* [capture] frames with far-end sound so far */
	double near_pow, out_pow; /* [capture] smoothed over those frames */

	pthread_mutex_t lock;
	int16_t *fifo;            /* [lock] ring */
	size_t cap, head, len;    /* [lock] */
	double head_t;            /* [lock] play time of fifo[head] */
	double end_t;             /* [lock] play time just after the last sample queued */
	int have_end;             /* [lock] end_t is set */
	int streaming;            /* [lock] the last frame took far samples to its end */
	double delay_s;           /* [lock] */
	aec_clock_fn clock;       /* [lock] */
	void *clock_user;         /* [lock] */
};

static double mono_now(void *user)
{
	(void)user;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct aec *aec_new(int sample_rate, int frame, unsigned tail_ms)
{
	if (sample_rate < 8000 || sample_rate > 48000 || frame <= 0 || frame > sample_rate ||
	    tail_ms == 0 || tail_ms > 2000)
		return NULL;
	struct aec *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	a->rate = sample_rate;
	a->frame = frame;
	a->cap = (size_t)sample_rate * FIFO_SECONDS;
	a->fifo = malloc(a->cap * sizeof *a->fifo);
	a->far = calloc((size_t)frame, sizeof *a->far);
	a->tmp = calloc((size_t)frame, sizeof *a->tmp);
	int tail = (int)((long)sample_rate * (long)tail_ms / 1000);
	if (a->fifo && a->far && a->tmp)
		a->echo = speex_echo_state_init(frame, tail);
	if (a->echo)
		a->pre = speex_preprocess_state_init(frame, sample_rate);
	if (!a->pre) {
		if (a->echo)
			speex_echo_state_destroy(a->echo);
		free(a->fifo);
		free(a->far);
		free(a->tmp);
		free(a);
		return NULL;
	}
	int rate = sample_rate, on = 1;
	speex_echo_ctl(a->echo, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
	speex_preprocess_ctl(a->pre, SPEEX_PREPROCESS_SET_DENOISE, &on);
	speex_preprocess_ctl(a->pre, SPEEX_PREPROCESS_SET_ECHO_STATE, a->echo);
	pthread_mutex_init(&a->lock, NULL);
	a->clock = mono_now;
	return a;
}

void aec_free(struct aec *a)
{
	if (!a)
		return;
	speex_preprocess_state_destroy(a->pre);
	speex_echo_state_destroy(a->echo);
	pthread_mutex_destroy(&a->lock);
	free(a->fifo);
	free(a->far);
	free(a->tmp);
	free(a);
}

void aec_reset(struct aec *a)
{
	speex_echo_state_reset(a->echo);
	a->far_frames = 0;
	a->near_pow = a->out_pow = 0;
	atomic_store(&a->converged, 0);
	pthread_mutex_lock(&a->lock);
	a->head = a->len = 0;
	a->have_end = 0;
	a->streaming = 0;
	pthread_mutex_unlock(&a->lock);
	atomic_store(&a->far_active, 0);
}

void aec_set_delay_ms(struct aec *a, unsigned ms)
{
	pthread_mutex_lock(&a->lock);
	a->delay_s = ms / 1000.0;
	pthread_mutex_unlock(&a->lock);
}

void aec_set_clock(struct aec *a, aec_clock_fn fn, void *user)
{
	pthread_mutex_lock(&a->lock);
	a->clock = fn ? fn : mono_now;
	a->clock_user = fn ? user : NULL;
	pthread_mutex_unlock(&a->lock);
}

/* Drops the k oldest samples.  [lock] */
static void fifo_drop(struct aec *a, size_t k)
{
	if (k > a->len)
		k = a->len;
	a->head = (a->head + k) % a->cap;
	a->len -= k;
	a->head_t += (double)k / a->rate;
}

/* Appends n samples (zeros when pcm is NULL), dropping the oldest when full.  [lock] */
static void fifo_put(struct aec *a, const int16_t *pcm, size_t n)
{
	if (n > a->cap) { /* only the newest fit */
		if (pcm)
			pcm += n - a->cap;
		a->head_t += (double)(n - a->cap) / a->rate;
		n = a->cap;
	}
	if (a->len + n > a->cap)
		fifo_drop(a, a->len + n - a->cap);
	size_t at = (a->head + a->len) % a->cap;
	for (size_t done = 0; done < n;) {
		size_t run = a->cap - at < n - done ? a->cap - at : n - done;
		if (pcm)
			memcpy(a->fifo + at, pcm + done, run * sizeof *pcm);
		else
			memset(a->fifo + at, 0, run * sizeof *a->fifo);
		done += run;
		at = (at + run) % a->cap;
	}
	a->len += n;
}

void aec_playback(struct aec *a, const int16_t *far, size_t n)
{
	if (!a || n == 0)
		return;
	pthread_mutex_lock(&a->lock);
	double now = a->clock(a->clock_user);
	/* it plays now, or after what is still queued on the device */
	double start = a->have_end && a->end_t > now ? a->end_t : now;
	if (a->len > 0 && start > a->end_t) {
		double gap = start - a->end_t; /* the device ran dry in between */
		if (gap > GAP_MAX_S)
			a->len = 0;
		else
			fifo_put(a, NULL, (size_t)lround(gap * a->rate));
	}
	if (a->len == 0) {
		a->head = 0;
		a->head_t = start;
	}
	fifo_put(a, far, n);
	a->end_t = a->head_t + (double)a->len / a->rate;
	a->have_end = 1;
	pthread_mutex_unlock(&a->lock);
}

/* Fills a->far with the far samples that played while the near frame ending delay
 * ago was captured.  [lock] */
static void take_far(struct aec *a, double now)
{
	size_t frame = (size_t)a->frame;
	memset(a->far, 0, frame * sizeof *a->far);
	double target = now - a->delay_s - (double)a->frame / a->rate;
	if (a->len == 0) {
		a->streaming = 0;
		return;
	}
	long off = lround((a->head_t - target) * a->rate);
	if (a->streaming && labs(off) <= lround(RESYNC_S * a->rate))
		off = 0; /* keep counting samples: jitter in our wake-ups is not a delay */
	if (off < 0) {
		fifo_drop(a, (size_t)-off); /* played before this frame: too late to use */
		off = 0;
	}
	if ((size_t)off >= frame || a->len == 0) {
		a->streaming = 0;
		return;
	}
	size_t take = frame - (size_t)off;
	if (take > a->len)
		take = a->len;
	for (size_t i = 0; i < take; i++)
		a->far[(size_t)off + i] = a->fifo[(a->head + i) % a->cap];
	fifo_drop(a, take);
	a->streaming = (size_t)off + take == frame;
}

static double energy(const int16_t *p, int n)
{
	double s = 0;
	for (int i = 0; i < n; i++)
		s += (double)p[i] * p[i];
	return s;
}

void aec_capture(struct aec *a, const int16_t *near, int16_t *out)
{
	pthread_mutex_lock(&a->lock);
	take_far(a, a->clock(a->clock_user));
	pthread_mutex_unlock(&a->lock);
	double sq = 0;
	for (int i = 0; i < a->frame; i++)
		sq += (double)a->far[i] * a->far[i];
	int active = sq / a->frame > FAR_ACTIVE_MS2;
	atomic_store(&a->far_active, active);
	speex_echo_cancellation(a->echo, near, a->far, a->tmp);
	speex_preprocess_run(a->pre, a->tmp);
	if (active && !atomic_load(&a->converged)) {
		/* how much of the microphone goes, over the last 200 ms or so of far-end
		 * sound (near-end speech over it only makes this smaller) */
		a->near_pow = 0.9 * a->near_pow + 0.1 * energy(near, a->frame);
		a->out_pow = 0.9 * a->out_pow + 0.1 * energy(a->tmp, a->frame);
		a->far_frames++;
		if (a->far_frames * a->frame >= (long)(WARMUP_S * a->rate) ||
		    (a->far_frames >= 10 &&
		     a->near_pow > a->out_pow * pow(10.0, CONVERGED_DB / 10)))
			atomic_store(&a->converged, 1);
	}
	memcpy(out, a->tmp, (size_t)a->frame * sizeof *out);
}

int aec_far_active(const struct aec *a)
{
	return atomic_load(&((struct aec *)a)->far_active);
}

int aec_converged(const struct aec *a)
{
	return atomic_load(&((struct aec *)a)->converged);
}
