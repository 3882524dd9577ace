/*
 * audio_io.c - microphone, speaker and audio files (see audio_io.h).
 *
 * PortAudio is started on first use and stopped after the last stream closes (it
 * counts its own initialisations; pa_users guards ours).  The microphone runs a
 * PortAudio callback that mixes to mono and appends to a ring under a mutex; readers
 * wait on a condition variable, so a read can time out (push-to-talk polls the
 * keyboard between frames).  The speaker uses PortAudio's blocking write, which
 * paces the playback thread by the device's own clock.  When a device does not take
 * the rate or the mono channel asked for, it is opened at another rate (48000, 44100,
 * its default) and/or in stereo, and the audio is resampled and mixed on our side.
 * The player is in audio_player.c.
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


/* A condition variable timed on CLOCK_MONOTONIC, and a deadline ms from now on it. */
static void cond_init_monotonic(pthread_cond_t *c)
{
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(c, &ca);
	pthread_condattr_destroy(&ca);
}

static struct timespec deadline_in(long ms)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	deadline_add_ms(&t, ms);
	return t;
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
	struct aec *aec;  /* NULL: frames as read */
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
	cond_init_monotonic(&s->cond);
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

/* Reads a frame; *age_ms is how long ago its last sample was picked up. */
static int mic_read(struct audio_source *s, int16_t *pcm, int timeout_ms, unsigned *age_ms,
		    char *err, size_t errlen)
{
	struct timespec until = deadline_in(timeout_ms < 0 ? 0 : timeout_ms);
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
		const PaStreamInfo *info = Pa_GetStreamInfo(s->dev.stream);
		double age = (info ? info->inputLatency : 0) +
			     (double)s->pending_len / s->rate + (double)s->ring_len / s->dev.rate;
		*age_ms = (unsigned)(age * 1000.0);
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

static int file_read(struct audio_source *s, int16_t *pcm)
{
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

int audio_source_read(struct audio_source *s, int16_t *pcm, int timeout_ms, char *err,
		      size_t errlen)
{
	unsigned age_ms = 0; /* a file's frame is "picked up" as it is read */
	int rc = s->is_file ? file_read(s, pcm)
			    : mic_read(s, pcm, timeout_ms, &age_ms, err, errlen);
	if (rc == 1 && s->aec) {
		aec_set_delay_ms(s->aec, age_ms);
		aec_capture(s->aec, pcm, pcm);
	}
	return rc;
}

int audio_source_set_aec(struct audio_source *s, struct aec *a)
{
	if (a && (s->rate != AEC_RATE || s->frame != AEC_FRAME))
		return -1;
	s->aec = a;
	return 0;
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
