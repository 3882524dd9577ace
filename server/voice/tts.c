/*
 * tts.c - eSpeak NG synthesis to Opus packets (see tts.h).
 *
 * libespeak-ng is a process-wide singleton: espeak_Initialize() once, one current
 * voice, one synth callback.  `espeak_lock` guards all of it (`espeak_state`,
 * `espeak_voice`, every espeak_* call); it is the one piece of global state here
 * and exists only because the library has it.  A synthesis holds the lock only
 * while eSpeak produces PCM (a few ms per sentence); resampling, encoding and the
 * packet callback run after it is released.
 *
 * Ownership: struct tts owns its voice string and Opus encoder; the PCM buffer of a
 * synthesis belongs to the call (struct synth_job) until handed to the caller.
 */
#include "tts.h"

#include <ctype.h>
#include <espeak-ng/speak_lib.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "opuscodec.h"
#include "resample.h"

#define ESPEAK_BUF_MS 60

static pthread_mutex_t espeak_lock = PTHREAD_MUTEX_INITIALIZER;
static int espeak_state;       /* 0 not initialised, > 0 its sample rate, -1 failed */
static char espeak_voice[64];  /* voice currently selected in the library */

struct tts {
	char voice[64];
	int rate_wpm, pitch, sample_rate;
	struct opus_enc *enc;
};

/* Speech delivered as it is made (tts_speak): resampled by one stream, cut into
 * 20 ms frames, encoded and handed to the packet callback. */
struct stream_out {
	struct tts *t;
	struct resampler *rs;  /* NULL when eSpeak's rate is the output rate */
	tts_packet_fn packet;
	int16_t frame[OPUS_FRAME_SAMPLES(48000)];
	size_t nframe, fs;
	int count, failed;
	size_t early_left;     /* native samples still to stream from eSpeak's callback */
};

/* PCM collected from eSpeak's callback during one synthesis. */
struct synth_job {
	int16_t *pcm;
	size_t n, cap;
	int oom, cancelled;
	tts_cancel_fn cancel;
	void *ctx;
	struct stream_out *out; /* tts_speak: the start goes out from the callback */
};

/* How much of a sentence is encoded and delivered from inside eSpeak's callback
 * (under espeak_lock), so that its first packet leaves as soon as eSpeak has made
 * its first ESPEAK_BUF_MS instead of after the whole sentence; the rest is
 * encoded after the lock is released, as before. */
#define EARLY_MS 200

static int stream_pcm(struct stream_out *o, const int16_t *pcm, size_t n, tts_cancel_fn cancel,
		      void *ctx);

static void set_err(char *err, size_t errlen, const char *msg, const char *arg)
{
	if (err && errlen)
		snprintf(err, errlen, msg, arg ? arg : "");
}

void tts_config_default(struct tts_config *c)
{
	c->voice = "en-us";
	c->rate_wpm = 175;
	c->pitch = 50;
	c->sample_rate = 24000;
	c->bitrate = 0;
	c->complexity = 5;
}

/* eSpeak's synth callback: appends samples; returning 1 aborts the synthesis. */
static int on_samples(short *wav, int n, espeak_EVENT *events)
{
	struct synth_job *job = events ? events->user_data : NULL;

	if (!job)
		return 0;
	if (job->cancel && job->cancel(job->ctx)) {
		job->cancelled = 1;
		return 1;
	}
	if (!wav || n <= 0)
		return 0;
	if (job->out && job->out->early_left > 0) {
		size_t k = (size_t)n < job->out->early_left ? (size_t)n : job->out->early_left;
		if (stream_pcm(job->out, wav, k, job->cancel, job->ctx) < 0) {
			job->cancelled = !job->out->failed;
			return 1;
		}
		job->out->early_left -= k;
		wav += k;
		n -= (int)k;
		if (n == 0)
			return 0;
	}
	if (job->n + (size_t)n > job->cap) {
		size_t cap = job->cap ? job->cap * 2 : 22050;
		int16_t *p;

		while (cap < job->n + (size_t)n)
			cap *= 2;
		p = realloc(job->pcm, cap * sizeof *p);
		if (!p) {
			job->oom = 1;
			return 1;
		}
		job->pcm = p;
		job->cap = cap;
	}
	memcpy(job->pcm + job->n, wav, (size_t)n * sizeof *wav);
	job->n += (size_t)n;
	return 0;
}

/* With espeak_lock held: initialises the library once.  Returns its rate or -1. */
static int espeak_ready(void)
{
	if (espeak_state == 0) {
		int rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, ESPEAK_BUF_MS, NULL,
					     espeakINITIALIZE_DONT_EXIT);

		espeak_state = rate > 0 ? rate : -1;
		if (rate > 0)
			espeak_SetSynthCallback(on_samples);
	}
	return espeak_state;
}

/* With espeak_lock held: finds the voice file for a language code such as "en-gb"
 * (SetVoiceByName only knows file names) and writes "identifier[+variant]" to out.
 * Returns 0 when found. */
static int espeak_resolve(const char *want, char *out, size_t outlen)
{
	const espeak_VOICE **voices = espeak_ListVoices(NULL);
	const char *plus = strchr(want, '+');
	size_t baselen = plus ? (size_t)(plus - want) : strlen(want);
	int best = 256;

	for (size_t i = 0; voices && voices[i]; i++) {
		const char *lang = voices[i]->languages;

		/* languages: (priority byte, NUL-terminated name) pairs, then a 0 byte */
		while (lang && *lang) {
			int prio = (unsigned char)*lang++;

			if (strlen(lang) == baselen && strncasecmp(lang, want, baselen) == 0 &&
			    prio < best && voices[i]->identifier) {
				best = prio;
				snprintf(out, outlen, "%s%s", voices[i]->identifier, plus ? plus : "");
			}
			lang += strlen(lang) + 1;
		}
	}
	return best < 256 ? 0 : -1;
}

/* With espeak_lock held: selects t's voice and parameters. */
static int espeak_select(const struct tts *t)
{
	if (strcmp(espeak_voice, t->voice) != 0) {
		if (espeak_SetVoiceByName(t->voice) != EE_OK) {
			espeak_voice[0] = '\0';
			return -1;
		}
		snprintf(espeak_voice, sizeof espeak_voice, "%s", t->voice);
	}
	if (espeak_SetParameter(espeakRATE, t->rate_wpm, 0) != EE_OK ||
	    espeak_SetParameter(espeakPITCH, t->pitch, 0) != EE_OK)
		return -1;
	return 0;
}

struct tts *tts_new(const struct tts_config *cfg, char *err, size_t errlen)
{
	struct tts_config c;
	struct tts *t;
	int rc;

	tts_config_default(&c);
	if (cfg) {
		c = *cfg;
		if (!c.voice || !*c.voice)
			c.voice = "en-us";
		if (c.rate_wpm == 0)
			c.rate_wpm = 175;
		if (c.sample_rate == 0)
			c.sample_rate = 24000;
	}
	if (strlen(c.voice) >= sizeof t->voice) {
		set_err(err, errlen, "voice name too long", NULL);
		return NULL;
	}
	if (c.rate_wpm < espeakRATE_MINIMUM || c.rate_wpm > espeakRATE_MAXIMUM) {
		set_err(err, errlen, "speech rate must be 80..450 words per minute", NULL);
		return NULL;
	}
	if (c.pitch < 0 || c.pitch > 100) {
		set_err(err, errlen, "pitch must be 0..100", NULL);
		return NULL;
	}
	if (!opus_rate_valid(c.sample_rate)) {
		set_err(err, errlen, "speech sample rate must be 8000, 12000, 16000, 24000 or 48000", NULL);
		return NULL;
	}
	if (c.complexity < 0 || c.complexity > 10) {
		set_err(err, errlen, "Opus complexity must be 0..10", NULL);
		return NULL;
	}
	t = calloc(1, sizeof *t);
	if (!t) {
		set_err(err, errlen, "out of memory", NULL);
		return NULL;
	}
	snprintf(t->voice, sizeof t->voice, "%s", c.voice);
	t->rate_wpm = c.rate_wpm;
	t->pitch = c.pitch;
	t->sample_rate = c.sample_rate;
	pthread_mutex_lock(&espeak_lock);
	rc = espeak_ready() < 0 ? -2 : espeak_select(t);
	if (rc == -1 && espeak_resolve(c.voice, t->voice, sizeof t->voice) == 0)
		rc = espeak_select(t);
	pthread_mutex_unlock(&espeak_lock);
	if (rc != 0) {
		set_err(err, errlen, rc == -2 ? "cannot initialise eSpeak NG (is espeak-ng-data installed?)%s"
			: "unknown voice \"%s\"", rc == -2 ? NULL : c.voice);
		free(t);
		return NULL;
	}
	t->enc = opus_enc_new(c.sample_rate, c.bitrate, err, errlen);
	if (!t->enc || opus_enc_set_complexity(t->enc, c.complexity) != 0) {
		opus_enc_free(t->enc);
		free(t);
		return NULL;
	}
	return t;
}

void tts_free(struct tts *t)
{
	if (!t)
		return;
	opus_enc_free(t->enc);
	free(t);
}

int tts_sample_rate(const struct tts *t)
{
	return t ? t->sample_rate : 0;
}

static int blank(const char *s)
{
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	return 1;
}

/* Runs eSpeak over text under the lock; job->pcm holds its native-rate output. */
static int run_espeak(struct tts *t, const char *text, struct synth_job *job, int *native_rate)
{
	espeak_ERROR e;
	int rc = 0;

	pthread_mutex_lock(&espeak_lock);
	*native_rate = espeak_ready();
	if (*native_rate < 0 || espeak_select(t) != 0) {
		rc = -1;
	} else {
		e = espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8,
				 NULL, job);
		if (e != EE_OK && !job->cancelled && !job->oom)
			rc = -1;
	}
	pthread_mutex_unlock(&espeak_lock);
	return rc;
}

int tts_synth_pcm(struct tts *t, const char *text, tts_cancel_fn cancelled, void *ctx,
		  int16_t **pcm, size_t *n, char *err, size_t errlen)
{
	struct synth_job job = { .cancel = cancelled, .ctx = ctx };
	int native = 0;
	int16_t *out = NULL;
	size_t nout = 0;

	if (!t || !text || !pcm || !n) {
		set_err(err, errlen, "bad arguments", NULL);
		return -1;
	}
	*pcm = NULL;
	*n = 0;
	if (blank(text))
		return 0;
	if (run_espeak(t, text, &job, &native) != 0 || job.oom) {
		free(job.pcm);
		set_err(err, errlen, job.oom ? "out of memory" : "eSpeak NG synthesis failed", NULL);
		return -1;
	}
	if (job.n > 0 && resample_oneshot(native, t->sample_rate, RESAMPLE_QUALITY_DEFAULT,
					  job.pcm, job.n, &out, &nout) != 0) {
		free(job.pcm);
		set_err(err, errlen, "cannot resample speech", NULL);
		return -1;
	}
	free(job.pcm);
	*pcm = out;
	*n = nout;
	return job.cancelled ? 1 : 0;
}

/* Encodes pcm in 20 ms frames (the last padded with zeros) and delivers them. */
static int deliver(struct tts *t, const int16_t *pcm, size_t n, tts_packet_fn packet,
		   tts_cancel_fn cancelled, void *ctx, char *err, size_t errlen)
{
	size_t fs = (size_t)OPUS_FRAME_SAMPLES(t->sample_rate);
	int16_t frame[OPUS_FRAME_SAMPLES(48000)];
	uint8_t out[OPUS_MAX_PACKET];
	int count = 0;

	for (size_t pos = 0; pos < n; pos += fs) {
		size_t k = n - pos < fs ? n - pos : fs;
		int len;

		if (cancelled && cancelled(ctx))
			break;
		memcpy(frame, pcm + pos, k * sizeof *frame);
		if (k < fs)
			memset(frame + k, 0, (fs - k) * sizeof *frame);
		len = opus_enc_encode(t->enc, frame, out, sizeof out);
		if (len < 0) {
			set_err(err, errlen, "Opus encoding failed", NULL);
			return -1;
		}
		packet(ctx, out, (size_t)len);
		count++;
	}
	return count;
}

/* Output-rate samples into o's frame; every full frame is encoded and delivered.
 * 0, or -1 (encoding failed, or cancelled: o->failed says which). */
static int emit(struct stream_out *o, const int16_t *pcm, size_t n, tts_cancel_fn cancel, void *ctx)
{
	uint8_t out[OPUS_MAX_PACKET];
	while (n > 0) {
		size_t k = o->fs - o->nframe < n ? o->fs - o->nframe : n;
		memcpy(o->frame + o->nframe, pcm, k * sizeof *pcm);
		o->nframe += k;
		pcm += k;
		n -= k;
		if (o->nframe < o->fs)
			break;
		o->nframe = 0;
		if (cancel && cancel(ctx))
			return -1;
		int len = opus_enc_encode(o->t->enc, o->frame, out, sizeof out);
		if (len < 0) {
			o->failed = 1;
			return -1;
		}
		o->packet(ctx, out, (size_t)len);
		o->count++;
	}
	return 0;
}

/* eSpeak-rate samples through o's resampler into emit(). */
static int stream_pcm(struct stream_out *o, const int16_t *pcm, size_t n, tts_cancel_fn cancel,
		      void *ctx)
{
	if (!o->rs)
		return emit(o, pcm, n, cancel, ctx);
	int16_t buf[4096];
	while (n > 0) {
		size_t k = n > 1024 ? 1024 : n;
		long m = resample_process(o->rs, pcm, k, buf, sizeof buf / sizeof buf[0]);
		if (m < 0) {
			o->failed = 1;
			return -1;
		}
		if (emit(o, buf, (size_t)m, cancel, ctx) < 0)
			return -1;
		pcm += k;
		n -= k;
	}
	return 0;
}

int tts_speak(struct tts *t, const char *text, tts_packet_fn packet, tts_cancel_fn cancelled,
	      void *ctx, char *err, size_t errlen)
{
	struct stream_out o;
	struct synth_job job = { .cancel = cancelled, .ctx = ctx, .out = &o };
	int native = 0, rc;

	if (!t || !text || !packet) {
		set_err(err, errlen, "bad arguments", NULL);
		return -1;
	}
	if (blank(text))
		return 0;
	memset(&o, 0, sizeof o);
	o.t = t;
	o.packet = packet;
	o.fs = (size_t)OPUS_FRAME_SAMPLES(t->sample_rate);
	/* the resampler is made before eSpeak runs, at eSpeak's rate (known once it
	 * is initialised: it never changes afterwards) */
	pthread_mutex_lock(&espeak_lock);
	native = espeak_ready();
	pthread_mutex_unlock(&espeak_lock);
	if (native <= 0) {
		set_err(err, errlen, "eSpeak NG synthesis failed", NULL);
		return -1;
	}
	if (native != t->sample_rate &&
	    !(o.rs = resample_new(native, t->sample_rate, RESAMPLE_QUALITY_DEFAULT))) {
		set_err(err, errlen, "cannot resample speech", NULL);
		return -1;
	}
	o.early_left = (size_t)native * EARLY_MS / 1000;
	rc = run_espeak(t, text, &job, &native);
	if (rc == 0 && !job.oom && !job.cancelled && !o.failed && stream_pcm(&o, job.pcm, job.n, cancelled, ctx) == 0) {
		int16_t tail[1024];
		long m = o.rs ? resample_flush(o.rs, tail, sizeof tail / sizeof tail[0]) : 0;
		if (m < 0 || emit(&o, tail, (size_t)m, cancelled, ctx) < 0) {
			o.failed = m < 0 || o.failed;
		} else if (o.nframe > 0 && !(cancelled && cancelled(ctx))) {
			/* the last frame, padded with silence */
			int16_t pad[OPUS_FRAME_SAMPLES(48000)] = { 0 };
			emit(&o, pad, o.fs - o.nframe, cancelled, ctx);
		}
	}
	free(job.pcm);
	resample_free(o.rs);
	if (rc != 0 || job.oom || o.failed) {
		set_err(err, errlen, job.oom ? "out of memory" : o.failed ? "Opus encoding failed"
			: "eSpeak NG synthesis failed", NULL);
		return -1;
	}
	return o.count;
}

int tts_speak_pcm(struct tts *t, const int16_t *pcm, size_t n, int rate, tts_packet_fn packet,
		  tts_cancel_fn cancelled, void *ctx, char *err, size_t errlen)
{
	int16_t *conv = NULL;
	size_t nconv = 0;
	int rc;

	if (!t || (!pcm && n) || !packet || rate <= 0) {
		set_err(err, errlen, "bad arguments", NULL);
		return -1;
	}
	if (n == 0)
		return 0;
	if (rate == t->sample_rate)
		return deliver(t, pcm, n, packet, cancelled, ctx, err, errlen);
	if (resample_oneshot(rate, t->sample_rate, RESAMPLE_QUALITY_DEFAULT, pcm, n, &conv,
			     &nconv) != 0) {
		set_err(err, errlen, "cannot resample speech", NULL);
		return -1;
	}
	rc = deliver(t, conv, nconv, packet, cancelled, ctx, err, errlen);
	free(conv);
	return rc;
}

void tts_global_cleanup(void)
{
	pthread_mutex_lock(&espeak_lock);
	if (espeak_state > 0)
		espeak_Terminate();
	espeak_state = 0;
	espeak_voice[0] = '\0';
	pthread_mutex_unlock(&espeak_lock);
}
