/*
 * clean.h - what the server does to a shopper's audio before it is recognised.
 * Clients may clean their own audio or not (a script, --no-aec): the server does it
 * for everyone, and the VAD decides on the cleaned signal.  Two cleaners:
 *   - webrtc (the default): WebRTC's audio processing module (apm.h): high-pass,
 *     noise suppression, adaptive digital gain with a limiter; optionally our own
 *     slow gain (below) in front of it for a quiet microphone;
 *   - speex: a high-pass filter (rumble, hum and DC below ~100 Hz, where there is
 *     no speech the recogniser uses), an automatic gain that brings a quiet
 *     microphone up and then holds nearly still, and speexdsp's noise suppression
 *     where there is noise.
 *
 * 16 kHz mono int16 in, the same out, in 20 ms frames: clean_process() keeps the
 * samples that do not fill a frame for the next call, clean_flush() hands them out
 * at the end of the utterance (zero-padded to a frame for the preprocessor).  Gain never pushes a sample
 * past full scale (an input that clips is not made to clip more).
 *
 * One state per utterance stream, one thread at a time.
 */
#ifndef VOXCART_CLEAN_H
#define VOXCART_CLEAN_H

#include <stddef.h>
#include <stdint.h>

#define CLEAN_RATE  16000
#define CLEAN_FRAME 320 /* 20 ms */

enum clean_kind {
	CLEAN_WEBRTC, /* WebRTC's audio processing module */
	CLEAN_SPEEX,  /* our high-pass and gain, speexdsp's noise suppression */
};

struct clean_config {
	enum clean_kind kind; /* default CLEAN_WEBRTC */
	/* webrtc */
	int apm_noise;        /* noise suppression 0 off, 1 low .. 4 very high (default 3) */
	int apm_gain_db;      /* the module's adaptive gain, most dB (default 9; -1 off) */
	int apm_target_dbfs;  /* the level that gain aims at, dB below full scale (default 3) */
	int apm_pregain_db;   /* our own slow gain in front of the module, most dB (default 0: off) */
	/* speex (with webrtc the module's own high-pass is used, and our gain is
	 * apm_pregain_db's) */
	int highpass_hz;     /* cut-off of the high-pass filter; 0 off (default 100) */
	int denoise;         /* 1: speexdsp noise suppression (default 1) */
	int suppress_db;     /* most noise taken away, dB, negative (default -15) */
	int agc;             /* 1: automatic gain (default 1) */
	int agc_max_gain_db; /* the most a quiet microphone is brought up (default 30) */
};

struct clean;

/* Fills c with the defaults above. */
void clean_config_default(struct clean_config *c);
/* Reads [voice] cleaner (webrtc, speex or off; the older clean = off is off too),
 * and each cleaner's settings (apm_noise, apm_gain_db, apm_pregain_db; highpass_hz,
 * denoise_db, agc_max_gain_db) from the server's settings into c (defaults where
 * unset or bad, with a warning).  Returns 1 when anything is on. */
struct config;
int clean_config_read(const struct config *cfg, struct clean_config *c);

/* NULL on bad settings or out of memory. */
struct clean *clean_new(const struct clean_config *c);
void clean_free(struct clean *c);
/* A new utterance: filter memory cleared, the noise estimate and gain kept. */
void clean_reset(struct clean *c);

/* Cleans n samples; writes whole frames to out (at most n + CLEAN_FRAME samples:
 * out must hold that many) and returns how many (0 while a frame fills). */
size_t clean_process(struct clean *c, const int16_t *in, size_t n, int16_t *out);
/* The samples still held (fewer than one frame), cleaned; returns how many (out
 * holds CLEAN_FRAME). */
size_t clean_flush(struct clean *c, int16_t *out);

/* The gain applied now, in dB (0 when off). */
float clean_gain_db(const struct clean *c);

#endif
