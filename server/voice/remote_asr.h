/*
 * remote_asr.h - optional speech recognition by an outside service: any
 * OpenAI-compatible transcription endpoint ({asr_url}/audio/transcriptions).
 *
 * Configured in [voice]: asr = openai (default pocketsphinx), asr_url (base URL
 * ending in /v1), asr_model, asr_api_key_env (the NAME of the environment variable
 * holding the key), asr_timeout_ms (default 8000).  Such a service takes a whole
 * recording, so the utterance is collected and sent once it has ended: there are no
 * partial transcripts with this backend.  voice_turn.c keeps PocketSphinx decoding
 * the same audio meanwhile and uses its transcript whenever the service fails.
 *
 * The request is multipart/form-data: `file` = the utterance as a 16-bit mono WAV
 * built in memory, `model` (when set) and `response_format` = json; the answer is
 * {"text": "..."}.  The API key goes only into the Authorization header and is
 * scrubbed from everything this module reports.
 *
 * Threads: any number of calls may run at once (each has its own transfer).
 */
#ifndef VOXCART_REMOTE_ASR_H
#define VOXCART_REMOTE_ASR_H

#include <stddef.h>
#include <stdint.h>

struct config;

#define REMOTE_ASR_DEFAULT_TIMEOUT_MS 8000
/* Longest utterance collected for the service (longer ones are left to PocketSphinx). */
#define REMOTE_ASR_MAX_SECONDS 120

struct remote_asr_config {
	char url[2048];    /* the full transcription URL */
	char model[256];   /* "" = not sent */
	char key_env[128]; /* "" = no key */
	long timeout_ms;   /* connect and total time of the request */
};

/* 1 when [voice] asr = openai, else 0. */
int remote_asr_enabled(const struct config *cfg);

/* Reads the [voice] asr_* keys.  0, or -1 and why (e.g. a URL without http://). */
int remote_asr_config_read(const struct config *cfg, struct remote_asr_config *c, char *why,
			   size_t whylen);

/* The n samples of 16-bit mono pcm at rate as a WAV file in memory (44-byte RIFF
 * header, then the samples little-endian).  malloc'd, *len bytes; NULL when out of
 * memory or too long for a WAV file. */
unsigned char *remote_asr_wav(const int16_t *pcm, size_t n, int rate, size_t *len);

/* Sends the utterance (n samples at rate) and writes the service's transcript to out
 * (trimmed, control characters and malformed UTF-8 replaced, cut at a character
 * boundary to fit).  cancelled (may be NULL) is polled during the transfer.
 * Returns 0; 1 when cancelled; -1 and why (never holding the key) on failure:
 * no connection, timeout, an HTTP error, an answer without "text". */
int remote_asr_transcribe(const struct remote_asr_config *c, const int16_t *pcm, size_t n,
			  int rate, int (*cancelled)(void *ctx), void *ctx, char *out,
			  size_t outlen, char *why, size_t whylen);

#endif
