/*
 * resample.h - sample-rate conversion of 16-bit mono PCM, on speexdsp's resampler.
 *
 * A resampler is a stream: feed input in pieces of any size with resample_process()
 * and call resample_flush() once at the end to get the tail still inside the filter.
 * The output is aligned with the input (the filter's start-up delay is skipped), so
 * N input samples give about N * out_rate / in_rate output samples in all.
 * Equal rates are a plain copy.  One resampler per stream, one thread at a time;
 * the caller owns it and frees it with resample_free().
 */
#ifndef VOXCART_RESAMPLE_H
#define VOXCART_RESAMPLE_H

#include <stddef.h>
#include <stdint.h>

/* speexdsp quality 0 (fast) .. 10 (best); 5 is speex's VoIP default. */
#define RESAMPLE_QUALITY_DEFAULT 5

struct resampler;

/* NULL on a rate <= 0 or outside 1..10 MHz-ish sanity bounds, or on failure. */
struct resampler *resample_new(int in_rate, int out_rate, int quality);
void resample_free(struct resampler *r);

/* A safe output capacity for n_in input samples (also enough for a flush). */
size_t resample_out_max(const struct resampler *r, size_t n_in);

/* Consumes all n_in samples and writes the output produced so far.  Returns the
 * number of output samples, or -1 when out_cap is too small to take all of it (use
 * resample_out_max()). */
long resample_process(struct resampler *r, const int16_t *in, size_t n_in,
		      int16_t *out, size_t out_cap);

/* Pushes the filter's remaining samples out at the end of a stream.  Returns the
 * number written (at most out_cap), or -1.  The stream may not be fed afterwards
 * without resample_reset(). */
long resample_flush(struct resampler *r, int16_t *out, size_t out_cap);

/* Forgets the stream so far (start of a new stream with the same rates). */
void resample_reset(struct resampler *r);

/* Resamples a whole buffer at once.  On success returns 0 and *out (malloc'd,
 * owned by the caller) holds *n_out samples; -1 on failure.  n may be 0. */
int resample_oneshot(int in_rate, int out_rate, int quality, const int16_t *in,
		     size_t n, int16_t **out, size_t *n_out);

#endif
