/*
 * clean.c - high-pass filter and speexdsp preprocessor before recognition (see
 * clean.h).
 *
 * The high-pass is a second-order Butterworth section (bilinear transform).  The
 * preprocessor works on whole 20 ms frames; the last part-frame of an utterance is
 * zero-padded to a frame, processed, and only its real samples handed out.
 *
 * Measured on the tune half of the condition grid (tests/integration/
 * voice_conditions.py), PocketSphinx behind it:
 *   - speexdsp's AGC moves the gain within the utterance, which the recogniser's
 *     cepstral mean (one per utterance) cannot follow: task success on a -24 dB
 *     microphone 89% -> 72%, reverb 94% -> 67%.  So the gain here is our own: it
 *     rises fast on the first speech (brought to about AGC_TARGET_DB), then moves
 *     slowly, never past full scale, never up on a frame that clips.
 *   - speexdsp's noise suppression helps in white noise (10 dB SNR: 22% -> 33%;
 *     15 dB: 50% -> 61%) but hurts where there is no noise to take away (quiet
 *     or reverberant speech: its "noise" is the speech's own tail).  So its
 *     output is used only while the noise floor, after the gain, is above
 *     NOISY_DB; it runs from 10 dB below that so that its noise estimate is
 *     ready.
 * WebRTC's module (cleaner = webrtc, the default) beat all of that on the held-out
 * half (tests/bench/voice_apm_compare.sh: task success 77.8 % -> 85.2 %, WER 20.9
 * -> 11.3 %): each 20 ms frame goes through it as two 10 ms frames, after our own
 * gain when apm_pregain_db asks for it.
 */
#include "clean.h"

#include "apm.h"
#include "config.h"
#include "log.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <speex/speex_preprocess.h>

#define AGC_TARGET_DB  (-20.0f) /* speech frames' RMS after the gain */
#define NOISY_DB       (-60.0f) /* noise floor after the gain: suppression on */
#define FAST_FRAMES    25       /* speech frames the gain may rise fast over */

struct clean {
	struct clean_config cfg;
	float floor_db;            /* noise floor of the input (before the gain) */
	float level_db;            /* speech level of the input */
	float gain_db;             /* the gain applied now */
	int speech_frames;         /* frames taken for speech so far */
	int started;               /* a frame has been seen */
	SpeexPreprocessState *pre; /* NULL when neither denoise nor agc */
	struct apm *apm;           /* cleaner = webrtc */
	double b0, b1, b2, a1, a2; /* the high-pass section */
	double x1, x2, y1, y2;
	int16_t frame[CLEAN_FRAME];
	size_t nframe;
};

void clean_config_default(struct clean_config *c)
{
	memset(c, 0, sizeof *c);
	c->kind = CLEAN_WEBRTC;
	c->apm_noise = 3;
	c->apm_gain_db = 9;
	c->apm_target_dbfs = 3;
	c->apm_pregain_db = 0;
	c->highpass_hz = 100;
	c->denoise = 1;
	c->suppress_db = -15;
	c->agc = 1;
	c->agc_max_gain_db = 30;
}

static const char *const NOISE_LEVELS[] = { "off", "low", "moderate", "high", "veryhigh" };

int clean_config_read(const struct config *cfg, struct clean_config *c)
{
	char err[200];
	long v;
	int on = 1;

	clean_config_default(c);
	if (config_get_bool(cfg, "voice.clean", 1, &on) < 0)
		log_warn("voice", "voice.clean: not on or off; cleaning stays on");
	const char *kind = config_get_str(cfg, "voice.cleaner", "webrtc");
	if (!strcmp(kind, "speex"))
		c->kind = CLEAN_SPEEX;
	else if (!strcmp(kind, "off"))
		on = 0;
	else if (strcmp(kind, "webrtc") != 0)
		log_warn("voice", "voice.cleaner: \"%s\" is not webrtc, speex or off; using webrtc", kind);
	if (!on) {
		c->highpass_hz = 0;
		c->denoise = 0;
		c->agc = 0;
		c->apm_noise = 0;
		c->apm_gain_db = -1;
		c->apm_pregain_db = 0;
		return 0;
	}
	if (c->kind == CLEAN_WEBRTC) {
		const char *lv = config_get_str(cfg, "voice.apm_noise", "high");
		size_t i = 0;
		while (i < sizeof NOISE_LEVELS / sizeof *NOISE_LEVELS && strcmp(lv, NOISE_LEVELS[i]))
			i++;
		if (i < sizeof NOISE_LEVELS / sizeof *NOISE_LEVELS)
			c->apm_noise = (int)i;
		else
			log_warn("voice", "voice.apm_noise: \"%s\" is not off, low, moderate, high or "
				 "veryhigh; using high", lv);
		if (config_get_int(cfg, "voice.apm_gain_db", c->apm_gain_db, -1, 90, &v, err,
				   sizeof err) == 0)
			c->apm_gain_db = (int)v;
		else
			log_warn("voice", "voice.apm_gain_db: %s", err);
		if (config_get_int(cfg, "voice.apm_pregain_db", c->apm_pregain_db, 0, 60, &v, err,
				   sizeof err) == 0)
			c->apm_pregain_db = (int)v;
		else
			log_warn("voice", "voice.apm_pregain_db: %s", err);
		return 1;
	}
	if (config_get_int(cfg, "voice.highpass_hz", c->highpass_hz, 0, 400, &v, err, sizeof err) == 0)
		c->highpass_hz = (int)v;
	else
		log_warn("voice", "voice.highpass_hz: %s", err);
	if (config_get_int(cfg, "voice.denoise_db", -c->suppress_db, 0, 60, &v, err, sizeof err) == 0) {
		c->denoise = v > 0;
		c->suppress_db = (int)-v;
	} else {
		log_warn("voice", "voice.denoise_db: %s", err);
	}
	if (config_get_int(cfg, "voice.agc_max_gain_db", c->agc_max_gain_db, 0, 60, &v, err,
			   sizeof err) == 0) {
		c->agc = v > 0;
		c->agc_max_gain_db = (int)v;
	} else {
		log_warn("voice", "voice.agc_max_gain_db: %s", err);
	}
	return c->highpass_hz > 0 || c->denoise || c->agc;
}

struct clean *clean_new(const struct clean_config *cfg)
{
	struct clean_config d;
	if (!cfg) {
		clean_config_default(&d);
		cfg = &d;
	}
	if (cfg->highpass_hz < 0 || cfg->highpass_hz >= CLEAN_RATE / 2 || cfg->suppress_db > 0 ||
	    cfg->apm_pregain_db < 0 ||
	    cfg->agc_max_gain_db < 0)
		return NULL;
	struct clean *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->cfg = *cfg;
	if (cfg->kind == CLEAN_WEBRTC) {
		struct apm_config ac;
		char err[200];
		apm_config_default(&ac);
		ac.ns_level = cfg->apm_noise;
		ac.agc_gain_db = cfg->apm_gain_db;
		ac.agc_target_dbfs = cfg->apm_target_dbfs;
		c->apm = apm_new(&ac, err, sizeof err);
		if (!c->apm) {
			log_warn("voice", "%s", err);
			free(c);
			return NULL;
		}
		/* the module filters; our gain only as apm_pregain_db asks */
		c->cfg.highpass_hz = 0;
		c->cfg.denoise = 0;
		c->cfg.agc = cfg->apm_pregain_db > 0;
		c->cfg.agc_max_gain_db = cfg->apm_pregain_db;
		return c;
	}
	if (cfg->highpass_hz > 0) {
		const double q = 0.70710678118654752;
		double k = tan(M_PI * cfg->highpass_hz / CLEAN_RATE);
		double norm = 1.0 / (1.0 + k / q + k * k);
		c->b0 = norm;
		c->b1 = -2.0 * norm;
		c->b2 = norm;
		c->a1 = 2.0 * (k * k - 1.0) * norm;
		c->a2 = (1.0 - k / q + k * k) * norm;
	}
	if (cfg->denoise) {
		c->pre = speex_preprocess_state_init(CLEAN_FRAME, CLEAN_RATE);
		if (!c->pre) {
			free(c);
			return NULL;
		}
		int on = 1, off = 0, sup = cfg->suppress_db;
		speex_preprocess_ctl(c->pre, SPEEX_PREPROCESS_SET_DENOISE, &on);
		speex_preprocess_ctl(c->pre, SPEEX_PREPROCESS_SET_NOISE_SUPPRESS, &sup);
		speex_preprocess_ctl(c->pre, SPEEX_PREPROCESS_SET_AGC, &off);
		speex_preprocess_ctl(c->pre, SPEEX_PREPROCESS_SET_DEREVERB, &off);
	}
	return c;
}

void clean_free(struct clean *c)
{
	if (!c)
		return;
	if (c->pre)
		speex_preprocess_state_destroy(c->pre);
	apm_free(c->apm);
	free(c);
}

void clean_reset(struct clean *c)
{
	if (!c)
		return;
	c->x1 = c->x2 = c->y1 = c->y2 = 0;
	c->nframe = 0;
}

static int16_t sat(double v)
{
	return (int16_t)(v > 32767.0 ? 32767 : v < -32768.0 ? -32768 : lrint(v));
}

/* High-pass (when on) and the preprocessor over one frame, in place. */
static void run_frame(struct clean *c, int16_t *f)
{
	if (c->cfg.highpass_hz > 0) {
		for (int i = 0; i < CLEAN_FRAME; i++) {
			double x = f[i];
			double y = c->b0 * x + c->b1 * c->x1 + c->b2 * c->x2 - c->a1 * c->y1 - c->a2 * c->y2;
			c->x2 = c->x1;
			c->x1 = x;
			c->y2 = c->y1;
			c->y1 = y;
			f[i] = sat(y);
		}
	}
	int peak = 0;
	double e = 0;
	for (int i = 0; i < CLEAN_FRAME; i++) {
		int a = f[i] < 0 ? -f[i] : f[i];
		if (a > peak)
			peak = a;
		e += (double)f[i] * f[i];
	}
	float db = e > 0 ? (float)(10.0 * log10(e / CLEAN_FRAME / (32768.0 * 32768.0))) : -96.0f;
	/* the floor: down at once, up slowly (a steady new noise is learnt in seconds) */
	if (!c->started || db < c->floor_db)
		c->floor_db = db;
	else
		c->floor_db += 0.05f;
	c->started = 1;
	if (c->cfg.agc) {
		if (db > c->floor_db + 12.0f && db > -70.0f) {
			/* speech: its level is an envelope of the loud frames */
			c->level_db = c->speech_frames == 0 || db > c->level_db ? db : c->level_db - 0.02f;
			c->speech_frames++;
		}
		if (c->speech_frames > 0) {
			float want = AGC_TARGET_DB - c->level_db;
			want = want < 0 ? 0 : want > c->cfg.agc_max_gain_db ? (float)c->cfg.agc_max_gain_db : want;
			float step = c->speech_frames <= FAST_FRAMES ? 1.5f : 0.1f;
			c->gain_db += want > c->gain_db + step ? step : want < c->gain_db - step ? -step
								      : want - c->gain_db;
		}
		double g = pow(10.0, c->gain_db / 20.0);
		if (peak >= 32000) /* clipping already: no louder */
			g = 1.0;
		else if (peak * g > 32000.0)
			g = 32000.0 / peak;
		if (g != 1.0)
			for (int i = 0; i < CLEAN_FRAME; i++)
				f[i] = sat(f[i] * g);
	}
	/* the suppressor runs (learning the noise) from 10 dB below where it is used:
	 * on a quiet floor it costs nothing */
	if (c->pre && c->floor_db + c->gain_db > NOISY_DB - 10.0f) {
		int16_t keep[CLEAN_FRAME];
		memcpy(keep, f, sizeof keep);
		speex_preprocess_run(c->pre, f);
		if (c->floor_db + c->gain_db <= NOISY_DB)
			memcpy(f, keep, sizeof keep);
	}
	if (c->apm) {
		/* a frame the module refuses goes on as it came (it does not: 16 kHz mono) */
		for (int i = 0; i < CLEAN_FRAME; i += APM_FRAME)
			if (apm_process(c->apm, f + i) != 0)
				break;
	}
}

size_t clean_process(struct clean *c, const int16_t *in, size_t n, int16_t *out)
{
	size_t done = 0;
	if (!c)
		return 0;
	while (n > 0) {
		size_t k = CLEAN_FRAME - c->nframe < n ? CLEAN_FRAME - c->nframe : n;
		memcpy(c->frame + c->nframe, in, k * sizeof *in);
		c->nframe += k;
		in += k;
		n -= k;
		if (c->nframe == CLEAN_FRAME) {
			run_frame(c, c->frame);
			memcpy(out + done, c->frame, sizeof c->frame);
			done += CLEAN_FRAME;
			c->nframe = 0;
		}
	}
	return done;
}

size_t clean_flush(struct clean *c, int16_t *out)
{
	if (!c || c->nframe == 0)
		return 0;
	size_t k = c->nframe;
	memset(c->frame + k, 0, (CLEAN_FRAME - k) * sizeof c->frame[0]);
	run_frame(c, c->frame);
	memcpy(out, c->frame, k * sizeof *out);
	c->nframe = 0;
	return k;
}

float clean_gain_db(const struct clean *c)
{
	return c && c->cfg.agc ? c->gain_db : 0;
}
