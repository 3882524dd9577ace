/*
 * audio_io.c - microphone, speaker, audio files and the speech player (see
 * audio_io.h).
 *
 * PortAudio is started on first use and stopped after the last stream closes (it
 * counts its own initialisations; pa_users guards ours).  The microphone runs a
 * PortAudio callback that mixes to mono and appends to a ring under a mutex; readers
 * wait on a condition variable, so a read can time out (push-to-talk polls the
 * keyboard between frames).  The speaker uses PortAudio's blocking write, which
 * paces the playback thread by the device's own clock.  When a device does not take
 * the rate or the mono channel asked for, it is opened at another rate (48000, 44100,
 * its default) and/or in stereo, and the audio is resampled and mixed on our side.
 *
 * The player's thread pops the jitter buffer once per 20 ms frame: a frame is
 * decoded, a gap is concealed by the Opus decoder (PLC), a wait sleeps 20 ms (so
 * the jitter buffer's "waited max_wait frames" means real time even for a file sink
 * written as fast as possible), and idle sleeps until the next push.
 */
#include "audio_io.h"

#include <fcntl.h>
#include <portaudio.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "opuscodec.h"
#include "resample.h"
#include "wav.h"

#define NO_DEVICE "no sound device found; use --input FILE.wav / --output FILE.wav"
#define RING_SECONDS 4
#define MAX_DEVICE_RATE 192000

/* ---- time ---- */

static void deadline_add_ms(struct timespec *t, long ms)
{
	t->tv_sec += ms / 1000;
	t->tv_nsec += (ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

static void sleep_until(const struct timespec *t)
{
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, t, NULL) != 0)
		;
}

static void sleep_ms(long ms)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	deadline_add_ms(&t, ms);
	sleep_until(&t);
}

/* Paces a stream of 20 ms frames to real time: the first call starts the clock. */
struct pacer {
	int started;
	struct timespec next;
};

static void pace(struct pacer *p)
{
	if (!p->started) {
		clock_gettime(CLOCK_MONOTONIC, &p->next);
		p->started = 1;
	} else {
		sleep_until(&p->next);
	}
	deadline_add_ms(&p->next, OPUS_FRAME_MS);
}

/* ---- PortAudio ---- */

static pthread_mutex_t pa_lock = PTHREAD_MUTEX_INITIALIZER;
static int pa_users;

/* Points fd 2 at /dev/null (returns the saved fd, or -1) unless debugging. */
static int stderr_mute(void)
{
	if (log_get_level() >= LOG_DEBUG)
		return -1;
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (saved >= 0 && null >= 0)
		dup2(null, STDERR_FILENO);
	if (null >= 0)
		close(null);
	return saved;
}

static void stderr_restore(int saved)
{
	if (saved < 0)
		return;
	dup2(saved, STDERR_FILENO);
	close(saved);
}

static int pa_use(char *err, size_t errlen)
{
	pthread_mutex_lock(&pa_lock);
	PaError e = paNoError;
	if (pa_users == 0) {
		int saved = stderr_mute();
		e = Pa_Initialize();
		stderr_restore(saved);
	}
	if (e == paNoError)
		pa_users++;
	pthread_mutex_unlock(&pa_lock);
	if (e != paNoError)
		snprintf(err, errlen, "cannot start the sound system: %s", Pa_GetErrorText(e));
	return e == paNoError ? 0 : -1;
}

static void pa_release(void)
{
	pthread_mutex_lock(&pa_lock);
	if (pa_users > 0 && --pa_users == 0)
		Pa_Terminate();
	pthread_mutex_unlock(&pa_lock);
}

struct device {
	PaStream *stream;
	int rate;     /* the device's rate */
	int channels; /* 1, or 2 when the device wants stereo */
	struct resampler *rs; /* between the caller's rate and the device's; NULL if equal */
};

static void device_error(PaError e, int input, char *err, size_t errlen)
{
	if (e == paDeviceUnavailable)
		snprintf(err, errlen, "the sound device is busy (another program is using it)");
	else
		snprintf(err, errlen, "cannot open the %s: %s", input ? "microphone" : "speaker",
			 Pa_GetErrorText(e));
}

/* Opens the default input (cb set) or output device for mono 16-bit audio at rate,
 * or the nearest it offers.  0, or -1 and err. */
static int device_open(struct device *d, int input, int rate, PaStreamCallback *cb, void *user,
		       char *err, size_t errlen)
{
	memset(d, 0, sizeof *d);
	PaDeviceIndex dev = input ? Pa_GetDefaultInputDevice() : Pa_GetDefaultOutputDevice();
	const PaDeviceInfo *info = dev == paNoDevice ? NULL : Pa_GetDeviceInfo(dev);
	if (!info || (input ? info->maxInputChannels : info->maxOutputChannels) < 1) {
		snprintf(err, errlen, NO_DEVICE);
		return -1;
	}
	int rates[] = { rate, 48000, 44100, (int)info->defaultSampleRate };
	PaStreamParameters p = { .device = dev, .sampleFormat = paInt16 };
	p.suggestedLatency = input ? info->defaultLowInputLatency : info->defaultHighOutputLatency;
	PaError last = paInvalidSampleRate;
	int saved = stderr_mute();
	for (int ch = 1; ch <= 2 && !d->stream; ch++) {
		p.channelCount = ch;
		for (size_t i = 0; i < sizeof rates / sizeof rates[0] && !d->stream; i++) {
			int r = rates[i];
			if (r < 8000 || r > MAX_DEVICE_RATE)
				continue;
			const PaStreamParameters *in = input ? &p : NULL, *out = input ? NULL : &p;
			if (Pa_IsFormatSupported(in, out, r) != paFormatIsSupported)
				continue;
			last = Pa_OpenStream(&d->stream, in, out, r, (unsigned long)(r / 50),
					     paClipOff, cb, user);
			if (last == paNoError) {
				d->rate = r;
				d->channels = ch;
			} else {
				d->stream = NULL;
				if (last == paDeviceUnavailable)
					break;
			}
		}
	}
	if (d->stream && (last = Pa_StartStream(d->stream)) != paNoError) {
		Pa_CloseStream(d->stream);
		d->stream = NULL;
	}
	stderr_restore(saved);
	if (!d->stream) {
		device_error(last, input, err, errlen);
		return -1;
	}
	if (d->rate != rate) {
		d->rs = input ? resample_new(d->rate, rate, RESAMPLE_QUALITY_DEFAULT)
			      : resample_new(rate, d->rate, RESAMPLE_QUALITY_DEFAULT);
		if (!d->rs) {
			Pa_CloseStream(d->stream);
			d->stream = NULL;
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	log_debug("audio", "%s at %d Hz, %d channel(s)", input ? "microphone" : "speaker", d->rate,
		  d->channels);
	return 0;
}

static void device_close(struct device *d, int drain)
{
	if (d->stream) {
		if (drain)
			Pa_StopStream(d->stream);
		else
			Pa_AbortStream(d->stream);
		Pa_CloseStream(d->stream);
	}
	resample_free(d->rs);
	memset(d, 0, sizeof *d);
}

/* ---- sources ---- */

struct audio_source {
	int rate;
	size_t frame; /* samples per 20 ms */
	/* file */
	int is_file, realtime;
	int16_t *pcm;
	size_t n, pos;
	struct pacer pacer;
	/* microphone */
	struct device dev;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int16_t *ring; /* at the device rate, mono */
	size_t ring_cap, ring_head, ring_len;
	int16_t *pending; /* at the caller's rate, waiting to make a whole frame */
	size_t pending_len, pending_cap;
};

struct audio_source *audio_source_file(const char *path, int rate, int realtime, char *err,
				       size_t errlen)
{
	if (!opus_rate_valid(rate)) {
		snprintf(err, errlen, "%d Hz is not a usable rate", rate);
		return NULL;
	}
	struct audio_source *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (wav_read_mono16(path, rate, &s->pcm, &s->n, err, errlen) != 0) {
		free(s);
		return NULL;
	}
	s->is_file = 1;
	s->realtime = realtime;
	s->rate = rate;
	s->frame = (size_t)OPUS_FRAME_SAMPLES(rate);
	return s;
}

static int mic_callback(const void *input, void *output, unsigned long frames,
			const PaStreamCallbackTimeInfo *time, PaStreamCallbackFlags flags, void *user)
{
	(void)output;
	(void)time;
	(void)flags;
	struct audio_source *s = user;
	const int16_t *in = input;
	if (!in)
		return paContinue;
	pthread_mutex_lock(&s->lock);
	for (unsigned long i = 0; i < frames; i++) {
		int v = in[i * (unsigned long)s->dev.channels];
		if (s->dev.channels == 2)
			v = (v + in[i * 2 + 1]) / 2;
		size_t at = (s->ring_head + s->ring_len) % s->ring_cap;
		s->ring[at] = (int16_t)v;
		if (s->ring_len < s->ring_cap)
			s->ring_len++;
		else /* full: the oldest sample goes */
			s->ring_head = (s->ring_head + 1) % s->ring_cap;
	}
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return paContinue;
}

struct audio_source *audio_source_mic(int rate, char *err, size_t errlen)
{
	if (!opus_rate_valid(rate)) {
		snprintf(err, errlen, "%d Hz is not a usable rate", rate);
		return NULL;
	}
	struct audio_source *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->rate = rate;
	s->frame = (size_t)OPUS_FRAME_SAMPLES(rate);
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);
	s->ring_cap = (size_t)MAX_DEVICE_RATE * RING_SECONDS;
	s->ring = malloc(s->ring_cap * sizeof *s->ring);
	if (!s->ring) {
		snprintf(err, errlen, "out of memory");
		audio_source_close(s);
		return NULL;
	}
	if (pa_use(err, errlen) != 0) {
		audio_source_close(s);
		return NULL;
	}
	if (device_open(&s->dev, 1, rate, mic_callback, s, err, errlen) != 0) {
		pa_release();
		audio_source_close(s);
		return NULL;
	}
	return s;
}

/* Moves what the ring holds into s->pending at the caller's rate.  Called with
 * s->lock held. */
static int mic_drain(struct audio_source *s)
{
	int16_t chunk[4096];
	while (s->ring_len > 0) {
		size_t n = s->ring_len < 4096 ? s->ring_len : 4096;
		for (size_t i = 0; i < n; i++)
			chunk[i] = s->ring[(s->ring_head + i) % s->ring_cap];
		s->ring_head = (s->ring_head + n) % s->ring_cap;
		s->ring_len -= n;
		size_t need = s->dev.rs ? resample_out_max(s->dev.rs, n) : n;
		if (s->pending_len + need > s->pending_cap) {
			size_t cap = (s->pending_len + need) * 2;
			int16_t *p = realloc(s->pending, cap * sizeof *p);
			if (!p)
				return -1;
			s->pending = p;
			s->pending_cap = cap;
		}
		long got = (long)n;
		if (s->dev.rs)
			got = resample_process(s->dev.rs, chunk, n, s->pending + s->pending_len,
					       s->pending_cap - s->pending_len);
		else
			memcpy(s->pending + s->pending_len, chunk, n * sizeof *chunk);
		if (got < 0)
			return -1;
		s->pending_len += (size_t)got;
	}
	return 0;
}

static int mic_read(struct audio_source *s, int16_t *pcm, int timeout_ms, char *err,
		    size_t errlen)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	deadline_add_ms(&until, timeout_ms < 0 ? 0 : timeout_ms);
	int rc = 1;
	pthread_mutex_lock(&s->lock);
	for (;;) {
		if (mic_drain(s) != 0) {
			snprintf(err, errlen, "out of memory");
			rc = -1;
			break;
		}
		if (s->pending_len >= s->frame)
			break;
		if (Pa_IsStreamActive(s->dev.stream) != 1) {
			snprintf(err, errlen, "the microphone stopped");
			rc = -1;
			break;
		}
		int w = timeout_ms < 0 ? pthread_cond_wait(&s->cond, &s->lock)
				       : pthread_cond_timedwait(&s->cond, &s->lock, &until);
		if (w != 0 && s->ring_len == 0) {
			rc = -2;
			break;
		}
	}
	if (rc == 1) {
		memcpy(pcm, s->pending, s->frame * sizeof *pcm);
		s->pending_len -= s->frame;
		memmove(s->pending, s->pending + s->frame, s->pending_len * sizeof *pcm);
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int audio_source_read(struct audio_source *s, int16_t *pcm, int timeout_ms, char *err,
		      size_t errlen)
{
	if (!s->is_file)
		return mic_read(s, pcm, timeout_ms, err, errlen);
	if (s->pos >= s->n)
		return 0;
	if (s->realtime)
		pace(&s->pacer);
	size_t n = s->n - s->pos < s->frame ? s->n - s->pos : s->frame;
	memcpy(pcm, s->pcm + s->pos, n * sizeof *pcm);
	if (n < s->frame)
		memset(pcm + n, 0, (s->frame - n) * sizeof *pcm);
	s->pos += n;
	return 1;
}

void audio_source_flush(struct audio_source *s)
{
	if (s->is_file)
		return;
	pthread_mutex_lock(&s->lock);
	s->ring_len = 0;
	s->pending_len = 0;
	pthread_mutex_unlock(&s->lock);
}

int audio_source_rate(const struct audio_source *s)
{
	return s->rate;
}

int audio_source_is_file(const struct audio_source *s)
{
	return s->is_file;
}

uint64_t audio_source_duration_ms(const struct audio_source *s)
{
	return s->is_file ? (uint64_t)s->n * 1000 / (uint64_t)s->rate : 0;
}

void audio_source_close(struct audio_source *s)
{
	if (!s)
		return;
	if (!s->is_file) {
		if (s->dev.stream) {
			device_close(&s->dev, 0);
			pa_release();
		}
		pthread_cond_destroy(&s->cond);
		pthread_mutex_destroy(&s->lock);
	}
	free(s->ring);
	free(s->pending);
	free(s->pcm);
	free(s);
}

/* ---- sinks ---- */

struct audio_sink {
	int rate;
	struct wav_writer *wav; /* file sink */
	int realtime;
	struct pacer pacer;
	struct device dev;      /* speaker */
	int16_t *buf;           /* resampled / stereo conversion */
	size_t buf_cap;
};

struct audio_sink *audio_sink_file(const char *path, int rate, int realtime, char *err,
				   size_t errlen)
{
	struct audio_sink *k = calloc(1, sizeof *k);
	if (!k) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	k->wav = wav_writer_open(path, rate, err, errlen);
	if (!k->wav) {
		free(k);
		return NULL;
	}
	k->rate = rate;
	k->realtime = realtime;
	return k;
}

struct audio_sink *audio_sink_speaker(int rate, char *err, size_t errlen)
{
	struct audio_sink *k = calloc(1, sizeof *k);
	if (!k) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	k->rate = rate;
	if (pa_use(err, errlen) != 0) {
		free(k);
		return NULL;
	}
	if (device_open(&k->dev, 0, rate, NULL, NULL, err, errlen) != 0) {
		pa_release();
		free(k);
		return NULL;
	}
	return k;
}

static int speaker_write(struct audio_sink *k, const int16_t *pcm, size_t n, char *err,
			 size_t errlen)
{
	size_t frames = k->dev.rs ? resample_out_max(k->dev.rs, n) : n;
	size_t need = frames * (size_t)k->dev.channels;
	if (need > k->buf_cap) {
		int16_t *b = realloc(k->buf, need * sizeof *b);
		if (!b) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		k->buf = b;
		k->buf_cap = need;
	}
	const int16_t *mono = pcm;
	if (k->dev.rs) {
		long got = resample_process(k->dev.rs, pcm, n, k->buf, frames);
		if (got < 0) {
			snprintf(err, errlen, "resampling failed");
			return -1;
		}
		frames = (size_t)got;
		mono = k->buf;
	} else {
		frames = n;
	}
	if (k->dev.channels == 2) { /* widen in place from the end */
		for (size_t i = frames; i-- > 0;) {
			int16_t v = mono[i];
			k->buf[2 * i] = v;
			k->buf[2 * i + 1] = v;
		}
		mono = k->buf;
	}
	if (frames == 0)
		return 0;
	PaError e = Pa_WriteStream(k->dev.stream, mono, (unsigned long)frames);
	if (e != paNoError && e != paOutputUnderflowed) {
		snprintf(err, errlen, "cannot play: %s", Pa_GetErrorText(e));
		return -1;
	}
	return 0;
}

int audio_sink_write(struct audio_sink *k, const int16_t *pcm, size_t n, char *err,
		     size_t errlen)
{
	if (!k->wav)
		return speaker_write(k, pcm, n, err, errlen);
	if (k->realtime)
		pace(&k->pacer);
	if (wav_writer_write(k->wav, pcm, n) != 0) {
		snprintf(err, errlen, "cannot write the WAV file (disk full?)");
		return -1;
	}
	return 0;
}

unsigned audio_sink_latency_ms(const struct audio_sink *k)
{
	if (k->wav || !k->dev.stream)
		return 0;
	const PaStreamInfo *info = Pa_GetStreamInfo(k->dev.stream);
	return info ? (unsigned)(info->outputLatency * 1000.0) : 0;
}

int audio_sink_rate(const struct audio_sink *k)
{
	return k->rate;
}

int audio_sink_close(struct audio_sink *k, char *err, size_t errlen)
{
	if (!k)
		return 0;
	int rc = 0;
	if (k->wav) {
		if (wav_writer_close(k->wav) != 0) {
			snprintf(err, errlen, "cannot finish the WAV file");
			rc = -1;
		}
	} else if (k->dev.stream) {
		device_close(&k->dev, 1);
		pa_release();
	}
	free(k->buf);
	free(k);
	return rc;
}

/* ---- the player ---- */

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
	int stop;
	int have_pos;
	uint32_t pos_turn, pos_frames;
	unsigned latency_ms;
	int sink_failed;
	char sink_err[256];
};

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
	uint32_t ms = p->pos_frames * OPUS_FRAME_MS;
	ms = ms > latency ? ms - latency : 0;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	if (p->on_played && n > 0)
		p->on_played(p->user, pkt->turn, ms);
}

static void *player_main(void *arg)
{
	struct audio_player *p = arg;
	struct jitter_packet *pkt = malloc(sizeof *pkt);
	pthread_mutex_lock(&p->lock);
	while (pkt && !p->stop) {
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
			struct timespec until;
			clock_gettime(CLOCK_MONOTONIC, &until);
			deadline_add_ms(&until, 100);
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
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	deadline_add_ms(&until, timeout_ms < 0 ? 0 : timeout_ms);
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
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p);
	return rc;
}
