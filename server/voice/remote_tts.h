/*
 * remote_tts.h - optional speech synthesis by an outside service: any
 * OpenAI-compatible speech endpoint ({tts_url}/audio/speech).
 *
 * Configured in [voice]: tts = openai (default espeak), tts_url (base URL ending in
 * /v1), tts_model, tts_voice, tts_format (pcm or wav), tts_pcm_rate (the rate of
 * "pcm" answers, 24000 as OpenAI sends), tts_api_key_env (the NAME of the environment
 * variable holding the key), tts_timeout_ms (default 8000).
 *
 * One request per sentence: POST JSON {"model","input","voice","response_format"};
 * the answer is raw 16-bit mono little-endian PCM ("pcm") or a WAV file ("wav", read
 * with libsndfile from memory: any rate, channels mixed down).  A "pcm" request
 * answered with a WAV is understood too.  The caller (buddy_run.c) hands the PCM to
 * tts_speak_pcm(), so it is resampled, framed and Opus-encoded exactly like eSpeak
 * NG's, and speaks the sentence with eSpeak NG when this fails.
 *
 * The API key goes only into the Authorization header and is scrubbed from
 * everything this module reports.  Threads: any number of calls may run at once.
 */
#ifndef VOXCART_REMOTE_TTS_H
#define VOXCART_REMOTE_TTS_H

#include <stddef.h>
#include <stdint.h>

struct config;

#define REMOTE_TTS_DEFAULT_TIMEOUT_MS 8000
#define REMOTE_TTS_DEFAULT_PCM_RATE 24000

struct remote_tts_config {
	char url[2048];    /* the full speech URL */
	char model[256];   /* "" = not sent */
	char voice[128];   /* "" = not sent */
	char format[8];    /* "pcm" or "wav" */
	char key_env[128]; /* "" = no key */
	int pcm_rate;      /* sample rate of "pcm" answers */
	long timeout_ms;   /* connect and total time of one request */
};

/* 1 when [voice] tts = openai, else 0. */
int remote_tts_enabled(const struct config *cfg);

/* Reads the [voice] tts_* keys.  0, or -1 and why (bad URL, unknown format). */
int remote_tts_config_read(const struct config *cfg, struct remote_tts_config *c, char *why,
			   size_t whylen);

/* Reads a WAV file held in memory (len bytes) as 16-bit mono: *pcm malloc'd (caller
 * frees) with *n samples at *rate.  0, or -1 and why. */
int remote_tts_parse_wav(const unsigned char *data, size_t len, int16_t **pcm, size_t *n,
			 int *rate, char *why, size_t whylen);

/* Asks the service to say text.  On success returns 0 with *pcm (malloc'd, caller
 * frees) holding *n > 0 samples at *rate.  cancelled (may be NULL) is polled during
 * the transfer: 1 when it fired.  -1 and why (never holding the key) on failure: no
 * connection, timeout, an HTTP error, no audio in the answer. */
int remote_tts_synth(const struct remote_tts_config *c, const char *text,
		     int (*cancelled)(void *ctx), void *ctx, int16_t **pcm, size_t *n, int *rate,
		     char *why, size_t whylen);

#endif
