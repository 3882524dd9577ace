/*
 * opuscodec.h - thin wrappers over libopus for voxcart's one audio shape: mono,
 * 16-bit PCM, 20 ms frames, at 8, 12, 16, 24 or 48 kHz, VOIP application.
 *
 * An encoder or decoder holds per-stream state: use one per audio stream and one
 * thread at a time.  The caller owns what *_new returns and frees it with *_free.
 */
#ifndef VOXCART_OPUSCODEC_H
#define VOXCART_OPUSCODEC_H

#include <stddef.h>
#include <stdint.h>

#define OPUS_FRAME_MS 20
/* Samples in one 20 ms frame at rate (e.g. 320 at 16 kHz). */
#define OPUS_FRAME_SAMPLES(rate) ((rate) / 50)
/* The largest Opus packet; a buffer this large always holds one encoded frame. */
#define OPUS_MAX_PACKET 1275

struct opus_enc;
struct opus_dec;

/* 1 when rate is one Opus supports (8000, 12000, 16000, 24000, 48000). */
int opus_rate_valid(int sample_rate);

/* bitrate 0 leaves libopus's default.  Returns NULL (with a reason in err) on a bad
 * rate or failure. */
struct opus_enc *opus_enc_new(int sample_rate, int bitrate, char *err, size_t errlen);
/* Encodes exactly OPUS_FRAME_SAMPLES(rate) samples.  Returns the packet length in
 * bytes (>0), or -1. */
int opus_enc_encode(struct opus_enc *e, const int16_t *pcm, uint8_t *out, size_t outcap);
int opus_enc_rate(const struct opus_enc *e);
/* Encoder CPU effort 0..10 (libopus default 10).  Returns 0, or -1 when refused. */
int opus_enc_set_complexity(struct opus_enc *e, int complexity);
void opus_enc_free(struct opus_enc *e);

struct opus_dec *opus_dec_new(int sample_rate, char *err, size_t errlen);
/* Decodes one packet into pcm (room for outcap samples; at least one frame).  A NULL
 * packet (or len 0) means the packet was lost: libopus conceals it (PLC) and one
 * frame's worth of samples is produced.  Returns the number of samples, or -1 on a
 * corrupt packet. */
int opus_dec_decode(struct opus_dec *d, const uint8_t *packet, size_t len,
		    int16_t *pcm, size_t outcap);
int opus_dec_rate(const struct opus_dec *d);
void opus_dec_free(struct opus_dec *d);

#endif
