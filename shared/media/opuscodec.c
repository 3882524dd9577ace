/*
 * opuscodec.c - libopus encoder/decoder wrappers (see opuscodec.h).
 * Each wrapper owns exactly one OpusEncoder/OpusDecoder allocated by libopus.
 */
#include "opuscodec.h"

#include <opus.h>
#include <stdio.h>
#include <stdlib.h>

struct opus_enc {
	OpusEncoder *enc;
	int rate;
};

struct opus_dec {
	OpusDecoder *dec;
	int rate;
};

int opus_rate_valid(int r)
{
	return r == 8000 || r == 12000 || r == 16000 || r == 24000 || r == 48000;
}

static void set_err(char *err, size_t errlen, const char *what, int code)
{
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", what, code ? opus_strerror(code) : "unsupported sample rate");
}

struct opus_enc *opus_enc_new(int sample_rate, int bitrate, char *err, size_t errlen)
{
	struct opus_enc *e;
	int rc = 0;

	if (!opus_rate_valid(sample_rate)) {
		set_err(err, errlen, "opus encoder", 0);
		return NULL;
	}
	e = calloc(1, sizeof *e);
	if (!e) {
		set_err(err, errlen, "opus encoder", OPUS_ALLOC_FAIL);
		return NULL;
	}
	e->rate = sample_rate;
	e->enc = opus_encoder_create(sample_rate, 1, OPUS_APPLICATION_VOIP, &rc);
	if (!e->enc || rc != OPUS_OK) {
		set_err(err, errlen, "opus encoder", rc ? rc : OPUS_ALLOC_FAIL);
		free(e);
		return NULL;
	}
	if (bitrate > 0)
		opus_encoder_ctl(e->enc, OPUS_SET_BITRATE(bitrate));
	return e;
}

int opus_enc_encode(struct opus_enc *e, const int16_t *pcm, uint8_t *out, size_t outcap)
{
	opus_int32 n;

	if (!e || !pcm || !out || outcap == 0)
		return -1;
	if (outcap > OPUS_MAX_PACKET)
		outcap = OPUS_MAX_PACKET;
	n = opus_encode(e->enc, pcm, OPUS_FRAME_SAMPLES(e->rate), out, (opus_int32)outcap);
	return n > 0 ? (int)n : -1;
}

int opus_enc_rate(const struct opus_enc *e)
{
	return e ? e->rate : 0;
}

int opus_enc_set_complexity(struct opus_enc *e, int complexity)
{
	if (!e || complexity < 0 || complexity > 10)
		return -1;
	return opus_encoder_ctl(e->enc, OPUS_SET_COMPLEXITY(complexity)) == OPUS_OK ? 0 : -1;
}

void opus_enc_free(struct opus_enc *e)
{
	if (!e)
		return;
	opus_encoder_destroy(e->enc);
	free(e);
}

struct opus_dec *opus_dec_new(int sample_rate, char *err, size_t errlen)
{
	struct opus_dec *d;
	int rc = 0;

	if (!opus_rate_valid(sample_rate)) {
		set_err(err, errlen, "opus decoder", 0);
		return NULL;
	}
	d = calloc(1, sizeof *d);
	if (!d) {
		set_err(err, errlen, "opus decoder", OPUS_ALLOC_FAIL);
		return NULL;
	}
	d->rate = sample_rate;
	d->dec = opus_decoder_create(sample_rate, 1, &rc);
	if (!d->dec || rc != OPUS_OK) {
		set_err(err, errlen, "opus decoder", rc ? rc : OPUS_ALLOC_FAIL);
		free(d);
		return NULL;
	}
	return d;
}

int opus_dec_decode(struct opus_dec *d, const uint8_t *packet, size_t len,
		    int16_t *pcm, size_t outcap)
{
	int frame, n;

	if (!d || !pcm)
		return -1;
	frame = OPUS_FRAME_SAMPLES(d->rate);
	if (packet && len > 0) {
		if (len > OPUS_MAX_PACKET || outcap > 0x7fffffff)
			return -1;
		n = opus_decode(d->dec, packet, (opus_int32)len, pcm, (int)outcap, 0);
	} else {
		/* Lost packet: ask for exactly one frame of concealment. */
		if (outcap < (size_t)frame)
			return -1;
		n = opus_decode(d->dec, NULL, 0, pcm, frame, 0);
	}
	return n >= 0 ? n : -1;
}

int opus_dec_rate(const struct opus_dec *d)
{
	return d ? d->rate : 0;
}

void opus_dec_free(struct opus_dec *d)
{
	if (!d)
		return;
	opus_decoder_destroy(d->dec);
	free(d);
}
