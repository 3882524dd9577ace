/*
 * clean.h - what the server does to a shopper's audio before it is recognised:
 * a high-pass filter (rumble, hum and DC below ~100 Hz, where there is no speech
 * the recogniser uses), an automatic gain that brings a quiet microphone up and
 * then holds nearly still, and speexdsp's noise suppression where there is noise.  Clients may clean their own audio or not (a script, --no-aec):
 * the server does it for everyone, and the VAD decides on the cleaned signal.
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

struct clean_config {
	int highpass_hz;     /* cut-off of the high-pass filter; 0 off (default 100) */
	int denoise;         /* 1: speexdsp noise suppression (default 1) */
	int suppress_db;     /* most noise taken away, dB, negative (default -15) */
	int agc;             /* 1: automatic gain (default 1) */
	int agc_max_gain_db; /* the most a quiet microphone is brought up (default 30) */
};

struct clean;

/* Fills c with the defaults above. */
void clean_config_default(struct clean_config *c);
/* Reads [voice] clean, highpass_hz, denoise_db and agc from the server's settings
 * into c (defaults where unset); "clean = off" turns all of it off.  Returns 1 when
 * anything is on. */
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
