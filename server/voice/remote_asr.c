/*
 * remote_asr.c - speech recognition by an OpenAI-compatible transcription endpoint
 * (see remote_asr.h).
 *
 * One request per utterance: POST {asr_url}/audio/transcriptions, multipart/form-data
 * built with curl_mime (the WAV is made in memory, nothing touches the disk).  Easy
 * handles are kept in a small pool (outside.c) so a later utterance reuses the
 * connection (and TLS session) of an earlier one.
 *
 * Secrets, as outside.h says: the key is read from the environment at each request,
 * put only into the Authorization header (wiped after the transfer) and scrubbed
 * from every reason returned, since an endpoint's error message may quote it.
 */
#include "remote_asr.h"

#include "config.h"
#include "outside.h"
#include "utf8.h"

#include <cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LOG_MOD "asr"
#define BODY_MAX_BYTES (1 << 20) /* the answer (JSON with the text, or an error) */

static const char path_suffix[] = "/audio/transcriptions";

static struct outside_pool pool = OUTSIDE_POOL_INIT;
static atomic_int key_warned;

int remote_asr_enabled(const struct config *cfg)
{
	return outside_chosen(cfg, "voice.asr");
}

int remote_asr_config_read(const struct config *cfg, struct remote_asr_config *c, char *why,
			   size_t whylen)
{
	memset(c, 0, sizeof *c);
	if (outside_url(cfg, "voice.asr_url", path_suffix, c->url, sizeof c->url, why, whylen) != 0)
		return -1;
	snprintf(c->model, sizeof c->model, "%s", config_get_str(cfg, "voice.asr_model", ""));
	snprintf(c->key_env, sizeof c->key_env, "%s", config_get_str(cfg, "voice.asr_api_key_env", ""));
	c->timeout_ms = outside_config_long(cfg, LOG_MOD, "voice.asr_timeout_ms",
					    REMOTE_ASR_DEFAULT_TIMEOUT_MS, 100, 600000);
	return 0;
}

static void put_le(unsigned char *p, uint32_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

unsigned char *remote_asr_wav(const int16_t *pcm, size_t n, int rate, size_t *len)
{
	if (rate <= 0 || n > (UINT32_MAX - 44) / 2 || (n && !pcm))
		return NULL;
	size_t data = n * 2;
	unsigned char *w = malloc(44 + data);
	if (!w)
		return NULL;
	memcpy(w, "RIFF", 4);
	put_le(w + 4, (uint32_t)(36 + data), 4);
	memcpy(w + 8, "WAVEfmt ", 8);
	put_le(w + 16, 16, 4);                     /* fmt chunk size */
	put_le(w + 20, 1, 2);                      /* PCM */
	put_le(w + 22, 1, 2);                      /* mono */
	put_le(w + 24, (uint32_t)rate, 4);
	put_le(w + 28, (uint32_t)rate * 2, 4);     /* bytes per second */
	put_le(w + 32, 2, 2);                      /* block align */
	put_le(w + 34, 16, 2);                     /* bits per sample */
	memcpy(w + 36, "data", 4);
	put_le(w + 40, (uint32_t)data, 4);
	for (size_t i = 0; i < n; i++)
		put_le(w + 44 + 2 * i, (uint16_t)pcm[i], 2);
	*len = 44 + data;
	return w;
}

/* The transcript, cleaned up: whitespace runs (and control characters) become one
 * space, malformed UTF-8 becomes '?', cut at a character boundary to fit. */
static void clean_text(const char *s, char *out, size_t outlen)
{
	size_t o = 0, n = strlen(s);
	int space = 1; /* drops leading whitespace */
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t len = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
			   : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
		const char *piece = s + i;
		if (len == 0 || i + len > n || !utf8_valid(s + i, len)) {
			piece = "?";
			len = 1;
			i++;
		} else {
			i += len;
		}
		if (len == 1 && (isspace((unsigned char)*piece) || (unsigned char)*piece < 0x20 ||
				 *piece == 0x7f)) {
			if (space)
				continue;
			piece = " ";
			space = 1;
		} else {
			space = 0;
		}
		if (o + len + 1 > outlen)
			break;
		memcpy(out + o, piece, len);
		o += len;
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}

/* The "text" of a 200 answer; -1 and why when there is none. */
static int parse_answer(const struct outside_answer *a, char *out, size_t outlen, char *why,
			size_t whylen)
{
	cJSON *j = a->body ? cJSON_Parse(a->body) : NULL;
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(j, "text");
	int rc = 0;
	if (cJSON_IsString(text)) {
		clean_text(text->valuestring, out, outlen);
	} else {
		snprintf(why, whylen, "the answer has no \"text\": %.120s", a->body ? a->body : "(empty)");
		rc = -1;
	}
	cJSON_Delete(j);
	return rc;
}

int remote_asr_transcribe(const struct remote_asr_config *c, const int16_t *pcm, size_t n,
			  int rate, int (*cancelled)(void *ctx), void *ctx, char *out,
			  size_t outlen, char *why, size_t whylen)
{
	struct outside_request req = { .url = c->url, .timeout_ms = c->timeout_ms,
				       .cancelled = cancelled, .ctx = ctx,
				       .body_max = BODY_MAX_BYTES };
	struct outside_answer a = { NULL, 0 };
	const char *key = NULL;
	int rc;

	if (outlen)
		out[0] = '\0';
	snprintf(why, whylen, "failed");
	outside_start();
	if (outside_key(c->key_env, LOG_MOD, "transcription requests go without an API key",
			&key_warned, &key, why, whylen) != 0)
		return -1;
	size_t wav_len = 0;
	unsigned char *wav = remote_asr_wav(pcm, n, rate, &wav_len);
	CURL *curl = wav ? outside_handle_take(&pool) : NULL;
	if (!curl) {
		snprintf(why, whylen, wav ? "cannot start libcurl" : "out of memory");
		free(wav);
		return -1;
	}
	curl_mime *mime = curl_mime_init(curl);
	curl_mimepart *part = curl_mime_addpart(mime);
	curl_mime_name(part, "file");
	curl_mime_filename(part, "utterance.wav");
	curl_mime_type(part, "audio/wav");
	curl_mime_data(part, (const char *)wav, wav_len);
	if (c->model[0]) {
		part = curl_mime_addpart(mime);
		curl_mime_name(part, "model");
		curl_mime_data(part, c->model, CURL_ZERO_TERMINATED);
	}
	part = curl_mime_addpart(mime);
	curl_mime_name(part, "response_format");
	curl_mime_data(part, "json", CURL_ZERO_TERMINATED);
	free(wav); /* curl_mime_data copied it */

	/* "Expect:" off: some servers never answer 100-continue and curl would wait 1 s */
	req.headers = curl_slist_append(NULL, "Expect:");
	req.headers = curl_slist_append(req.headers, "Accept: application/json");
	req.headers = outside_headers_auth(req.headers, key);
	curl_easy_setopt(curl, CURLOPT_MIMEPOST, mime);
	rc = outside_perform(curl, &req, &a, why, whylen);
	if (rc == 0)
		rc = parse_answer(&a, out, outlen, why, whylen);
	outside_headers_free(req.headers); /* it holds the key: wiped before freed */
	outside_handle_give(&pool, curl); /* forgets the options, keeps the connection */
	curl_mime_free(mime);
	free(a.body);
	outside_scrub(why, key);
	return rc;
}
