/*
 * tts.h - speech synthesis for the buddy's replies: eSpeak NG turns one sentence
 * into PCM (22050 Hz), which is resampled to the downlink rate (default 24000),
 * cut into 20 ms frames (the last one padded with silence) and Opus-encoded; each
 * packet goes to a callback, ready to be framed as a 0x02 speech frame.
 *
 * Threads: libespeak-ng keeps global state (one voice, one set of parameters, one
 * synth callback per process).  This module initialises it once and holds one
 * process-wide mutex around every synthesis, so any number of struct tts (one per
 * session) may be used from any threads; syntheses simply take turns.  Encoding and
 * the packet callback run outside that lock.  One struct tts must not be used by
 * two threads at once (it holds the session's Opus encoder).
 */
#ifndef VOXCART_TTS_H
#define VOXCART_TTS_H

#include <stddef.h>
#include <stdint.h>

struct tts_config {
	const char *voice; /* eSpeak NG voice name, e.g. "en-us", "en-us+f3" (default "en-us") */
	int rate_wpm;      /* 80..450 words per minute (default 175) */
	int pitch;         /* 0..100 (default 50) */
	int sample_rate;   /* Opus rate of the output: 8/12/16/24/48 kHz (default 24000) */
	int bitrate;       /* Opus bits per second, 0 for libopus's default */
	int complexity;    /* Opus encoder effort 0..10 (default 5: ~2x cheaper than 10,
			    * plenty for eSpeak's formant voice) */
};

/* Receives one Opus packet (20 ms); opus is valid during the call only. */
typedef void (*tts_packet_fn)(void *ctx, const uint8_t *opus, size_t len);
/* Returns non-zero when the turn was cancelled; polled between 20 ms frames. */
typedef int (*tts_cancel_fn)(void *ctx);

struct tts;

/* Fills cfg with the defaults; start from these and change what you need. */
void tts_config_default(struct tts_config *cfg);

/* Checks the configuration (voice exists, ranges) and creates the session's
 * encoder.  cfg NULL means the defaults; the voice string is copied.  NULL and err
 * on failure (e.g. "unknown voice \"xx\""). */
struct tts *tts_new(const struct tts_config *cfg, char *err, size_t errlen);
void tts_free(struct tts *t);

/* Synthesises text (UTF-8, plain text; markup is read out, not obeyed) into
 * int16 PCM at the configured output rate.  On success returns 0 and *pcm (malloc'd,
 * caller frees) holds *n samples; an empty or blank text gives n = 0.  cancelled may
 * be NULL; when it fires, synthesis stops early and the function returns 1 with
 * what was made so far.  -1 and err on failure. */
int tts_synth_pcm(struct tts *t, const char *text, tts_cancel_fn cancelled, void *ctx,
		  int16_t **pcm, size_t *n, char *err, size_t errlen);

/* Synthesises text and delivers it as 20 ms Opus packets to packet(ctx, ...).
 * cancelled (may be NULL) is asked before every packet, so a cancel stops within
 * one frame.  Returns the number of packets delivered (0 for blank text), or -1 and
 * err on failure. */
int tts_speak(struct tts *t, const char *text, tts_packet_fn packet, tts_cancel_fn cancelled,
	      void *ctx, char *err, size_t errlen);

/* Delivers PCM made elsewhere (e.g. an outside speech service, remote_tts.h) exactly
 * as tts_speak() delivers eSpeak's: n int16 mono samples at rate (> 0) are resampled
 * to the output rate when it differs, cut into 20 ms frames (the last padded with
 * silence), Opus-encoded with t's encoder and handed to packet(ctx, ...), with
 * cancelled (may be NULL) asked before every packet.  Returns the number of packets
 * delivered (0 for n = 0), or -1 and err on failure. */
int tts_speak_pcm(struct tts *t, const int16_t *pcm, size_t n, int rate, tts_packet_fn packet,
		  tts_cancel_fn cancelled, void *ctx, char *err, size_t errlen);

/* Output sample rate and samples per 20 ms packet. */
int tts_sample_rate(const struct tts *t);

/* Releases libespeak-ng at process exit (after every struct tts is freed). */
void tts_global_cleanup(void);

#endif
