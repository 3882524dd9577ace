/*
 * resample.c - speexdsp resampler wrapper (see resample.h).
 *
 * Invariant: `delivered` counts output samples handed out and `consumed` input
 * samples taken, so flush() can emit exactly the output the input deserves
 * (round(consumed * out / in)) and no more of the zero padding it feeds through.
 */
#include "resample.h"

#include <speex/speex_resampler.h>
#include <stdlib.h>
#include <string.h>

struct resampler {
	SpeexResamplerState *st; /* NULL when in_rate == out_rate (copy) */
	int in_rate, out_rate, quality;
	uint64_t consumed, delivered;
};

struct resampler *resample_new(int in_rate, int out_rate, int quality)
{
	struct resampler *r;
	int rc = 0;

	if (in_rate <= 0 || out_rate <= 0 || in_rate > 768000 || out_rate > 768000)
		return NULL;
	if (quality < SPEEX_RESAMPLER_QUALITY_MIN || quality > SPEEX_RESAMPLER_QUALITY_MAX)
		return NULL;
	r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->in_rate = in_rate;
	r->out_rate = out_rate;
	r->quality = quality;
	if (in_rate != out_rate) {
		r->st = speex_resampler_init(1, (spx_uint32_t)in_rate, (spx_uint32_t)out_rate,
					     quality, &rc);
		if (!r->st || rc != RESAMPLER_ERR_SUCCESS) {
			free(r);
			return NULL;
		}
		speex_resampler_skip_zeros(r->st);
	}
	return r;
}

void resample_free(struct resampler *r)
{
	if (!r)
		return;
	if (r->st)
		speex_resampler_destroy(r->st);
	free(r);
}

void resample_reset(struct resampler *r)
{
	if (!r)
		return;
	r->consumed = r->delivered = 0;
	if (r->st) {
		speex_resampler_reset_mem(r->st);
		speex_resampler_skip_zeros(r->st);
	}
}

size_t resample_out_max(const struct resampler *r, size_t n_in)
{
	size_t lat = 0;

	if (!r)
		return 0;
	if (r->st)
		lat = (size_t)speex_resampler_get_input_latency(r->st) + 1;
	return (size_t)(((uint64_t)(n_in + lat) * (uint64_t)r->out_rate) / (uint64_t)r->in_rate) + 16;
}

/* Runs the speex resampler until all input is taken; returns output count or -1. */
static long run(struct resampler *r, const int16_t *in, size_t n_in,
		int16_t *out, size_t out_cap)
{
	size_t done_in = 0, done_out = 0;

	while (done_in < n_in) {
		spx_uint32_t ilen = (spx_uint32_t)(n_in - done_in > 0x10000 ? 0x10000 : n_in - done_in);
		spx_uint32_t olen = (spx_uint32_t)(out_cap - done_out > 0x40000 ? 0x40000 : out_cap - done_out);

		if (olen == 0)
			return -1;
		if (speex_resampler_process_int(r->st, 0, in + done_in, &ilen, out + done_out, &olen) != 0)
			return -1;
		if (ilen == 0 && olen == 0)
			return -1;
		done_in += ilen;
		done_out += olen;
	}
	return (long)done_out;
}

long resample_process(struct resampler *r, const int16_t *in, size_t n_in,
		      int16_t *out, size_t out_cap)
{
	long n;

	if (!r || (n_in && (!in || !out)))
		return -1;
	if (n_in == 0)
		return 0;
	if (!r->st) {
		if (out_cap < n_in)
			return -1;
		memcpy(out, in, n_in * sizeof *in);
		n = (long)n_in;
	} else {
		n = run(r, in, n_in, out, out_cap);
		if (n < 0)
			return -1;
	}
	r->consumed += n_in;
	r->delivered += (uint64_t)n;
	return n;
}

long resample_flush(struct resampler *r, int16_t *out, size_t out_cap)
{
	uint64_t want;
	size_t lat, need, i;
	int16_t zeros[256];
	long got = 0;

	if (!r || !out)
		return -1;
	if (!r->st)
		return 0;
	want = (r->consumed * (uint64_t)r->out_rate + (uint64_t)r->in_rate / 2) / (uint64_t)r->in_rate;
	if (want <= r->delivered)
		return 0;
	need = (size_t)(want - r->delivered);
	if (need > out_cap)
		need = out_cap;
	memset(zeros, 0, sizeof zeros);
	lat = (size_t)speex_resampler_get_input_latency(r->st) + 2;
	/* Feed zeros one small chunk at a time until the owed output is out. */
	for (i = 0; i < lat + sizeof zeros / sizeof zeros[0] && (size_t)got < need; ) {
		spx_uint32_t ilen = sizeof zeros / sizeof zeros[0];
		spx_uint32_t olen = (spx_uint32_t)(need - (size_t)got);

		if (speex_resampler_process_int(r->st, 0, zeros, &ilen, out + got, &olen) != 0)
			return -1;
		got += (long)olen;
		i += ilen;
		if (ilen == 0 && olen == 0)
			break;
	}
	r->delivered += (uint64_t)got;
	return got;
}

int resample_oneshot(int in_rate, int out_rate, int quality, const int16_t *in,
		     size_t n, int16_t **out, size_t *n_out)
{
	struct resampler *r;
	size_t cap;
	int16_t *buf;
	long a, b;

	if (!out || !n_out || (n && !in))
		return -1;
	r = resample_new(in_rate, out_rate, quality);
	if (!r)
		return -1;
	cap = resample_out_max(r, n) + 1;
	buf = malloc(cap * sizeof *buf);
	if (!buf) {
		resample_free(r);
		return -1;
	}
	a = resample_process(r, in, n, buf, cap);
	b = a < 0 ? -1 : resample_flush(r, buf + a, cap - (size_t)a);
	resample_free(r);
	if (a < 0 || b < 0) {
		free(buf);
		return -1;
	}
	*out = buf;
	*n_out = (size_t)(a + b);
	return 0;
}
