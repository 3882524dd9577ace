/*
 * remote_tts.c - speech synthesis by an OpenAI-compatible speech endpoint (see
 * remote_tts.h).
 *
 * One POST per sentence; the answer body is collected (a sentence is a few seconds,
 * at most a few hundred kilobytes) and turned into int16 samples: "pcm" bytes are
 * little-endian whatever the host, a WAV goes through libsndfile's virtual I/O from
 * memory.  Easy handles are kept in a small pool (outside.c) so the sentences of a
 * reply reuse one connection (and TLS session) instead of opening one each.
 *
 * Secrets, as outside.h says: the key is read from the environment per request, only
 * put into the Authorization header (wiped after the transfer), and scrubbed from
 * every reason returned.
 */
#include "remote_tts.h"

#include "config.h"
#include "outside.h"

#include <cJSON.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LOG_MOD "tts"
#define BODY_MAX_BYTES (16 << 20) /* one sentence's audio: minutes even at 48 kHz */
#define READ_CHUNK 4096

static const char path_suffix[] = "/audio/speech";

static struct outside_pool pool = OUTSIDE_POOL_INIT;
static atomic_int key_warned;

int remote_tts_enabled(const struct config *cfg)
{
	return outside_chosen(cfg, "voice.tts");
}

int remote_tts_config_read(const struct config *cfg, struct remote_tts_config *c, char *why,
			   size_t whylen)
{
	const char *fmt = config_get_str(cfg, "voice.tts_format", "pcm");

	memset(c, 0, sizeof *c);
	if (outside_url(cfg, "voice.tts_url", path_suffix, c->url, sizeof c->url, why, whylen) != 0)
		return -1;
	if (strcasecmp(fmt, "pcm") != 0 && strcasecmp(fmt, "wav") != 0) {
		snprintf(why, whylen, "voice.tts_format must be pcm or wav");
		return -1;
	}
	snprintf(c->model, sizeof c->model, "%s", config_get_str(cfg, "voice.tts_model", "tts-1"));
	snprintf(c->voice, sizeof c->voice, "%s", config_get_str(cfg, "voice.tts_voice", "alloy"));
	snprintf(c->format, sizeof c->format, "%s", strcasecmp(fmt, "wav") == 0 ? "wav" : "pcm");
	snprintf(c->key_env, sizeof c->key_env, "%s", config_get_str(cfg, "voice.tts_api_key_env", ""));
	c->timeout_ms = outside_config_long(cfg, LOG_MOD, "voice.tts_timeout_ms",
					    REMOTE_TTS_DEFAULT_TIMEOUT_MS, 100, 600000);
	c->pcm_rate = (int)outside_config_long(cfg, LOG_MOD, "voice.tts_pcm_rate",
					       REMOTE_TTS_DEFAULT_PCM_RATE, 8000, 192000);
	return 0;
}

/* ---- WAV from memory (libsndfile virtual I/O) ---- */

struct mem_file {
	const unsigned char *data;
	sf_count_t len, pos;
};

static sf_count_t mem_len(void *user)
{
	return ((struct mem_file *)user)->len;
}

static sf_count_t mem_seek(sf_count_t off, int whence, void *user)
{
	struct mem_file *m = user;
	sf_count_t to = whence == SEEK_SET ? off : whence == SEEK_CUR ? m->pos + off : m->len + off;
	if (to < 0 || to > m->len)
		return -1;
	m->pos = to;
	return to;
}

static sf_count_t mem_read(void *ptr, sf_count_t count, void *user)
{
	struct mem_file *m = user;
	sf_count_t k = count < m->len - m->pos ? count : m->len - m->pos;
	if (k <= 0)
		return 0;
	memcpy(ptr, m->data + m->pos, (size_t)k);
	m->pos += k;
	return k;
}

static sf_count_t mem_write(const void *ptr, sf_count_t count, void *user)
{
	(void)ptr, (void)count, (void)user;
	return 0;
}

static sf_count_t mem_tell(void *user)
{
	return ((struct mem_file *)user)->pos;
}

static int16_t to_int16(float f)
{
	float s = f * 32768.0f;
	if (s != s)
		return 0; /* NaN (a float WAV can hold one): converting it is undefined */
	return s >= 32767.0f ? 32767 : s <= -32768.0f ? -32768 : (int16_t)s;
}

int remote_tts_parse_wav(const unsigned char *data, size_t len, int16_t **pcm, size_t *n,
			 int *rate, char *why, size_t whylen)
{
	SF_VIRTUAL_IO vio = { mem_len, mem_seek, mem_read, mem_write, mem_tell };
	struct mem_file m = { data, (sf_count_t)len, 0 };
	SF_INFO info;
	memset(&info, 0, sizeof info);
	*pcm = NULL;
	*n = 0;
	SNDFILE *sf = sf_open_virtual(&vio, SFM_READ, &info, &m);
	if (!sf) {
		snprintf(why, whylen, "the answer is not a WAV file (%s)", sf_strerror(NULL));
		return -1;
	}
	if (info.channels < 1 || info.channels > 16 || info.samplerate < 8000 || info.samplerate > 192000) {
		snprintf(why, whylen, "unsupported WAV: %d channels at %d Hz", info.channels, info.samplerate);
		sf_close(sf);
		return -1;
	}
	size_t ch = (size_t)info.channels, total = 0, cap = 0;
	float *buf = malloc(READ_CHUNK * ch * sizeof *buf);
	int16_t *out = NULL;
	sf_count_t got;
	int oom = !buf;
	/* read to the end, not info.frames: streamed WAVs carry a placeholder length */
	while (!oom && (got = sf_readf_float(sf, buf, READ_CHUNK)) > 0) {
		if (total + (size_t)got > cap) {
			size_t ncap = cap ? cap * 2 : 24000;
			while (ncap < total + (size_t)got)
				ncap *= 2;
			int16_t *p = realloc(out, ncap * sizeof *p);
			if (!p) {
				oom = 1;
				break;
			}
			out = p;
			cap = ncap;
		}
		for (sf_count_t i = 0; i < got; i++) {
			float sum = 0.0f;
			for (size_t c = 0; c < ch; c++)
				sum += buf[(size_t)i * ch + c];
			out[total++] = to_int16(sum / (float)ch);
		}
	}
	free(buf);
	sf_close(sf);
	if (oom) {
		free(out);
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	*pcm = out;
	*n = total;
	*rate = info.samplerate;
	return 0;
}

/* ---- the request ---- */

/* The samples of a 200 answer; -1 and why when it holds no audio. */
static int decode_answer(const struct remote_tts_config *c, const struct outside_answer *a,
			 const char *ctype, int16_t **pcm, size_t *n, int *rate, char *why,
			 size_t whylen)
{
	if (ctype && strstr(ctype, "json")) {
		snprintf(why, whylen, "the answer is JSON, not audio: %.120s",
			 a->body ? a->body : "");
		return -1;
	}
	const unsigned char *b = (const unsigned char *)a->body;
	if (a->len >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WAVE", 4) == 0) {
		if (remote_tts_parse_wav(b, a->len, pcm, n, rate, why, whylen) != 0)
			return -1;
	} else if (strcmp(c->format, "wav") == 0) {
		snprintf(why, whylen, "the answer is not a WAV file");
		return -1;
	} else {
		size_t k = a->len / 2;
		int16_t *s = malloc((k ? k : 1) * sizeof *s);
		if (!s) {
			snprintf(why, whylen, "out of memory");
			return -1;
		}
		for (size_t i = 0; i < k; i++)
			s[i] = (int16_t)(uint16_t)(b[2 * i] | (unsigned)b[2 * i + 1] << 8);
		*pcm = s;
		*n = k;
		*rate = c->pcm_rate;
	}
	if (*n == 0) {
		free(*pcm);
		*pcm = NULL;
		snprintf(why, whylen, "the answer holds no audio");
		return -1;
	}
	return 0;
}

int remote_tts_synth(const struct remote_tts_config *c, const char *text,
		     int (*cancelled)(void *ctx), void *ctx, int16_t **pcm, size_t *n, int *rate,
		     char *why, size_t whylen)
{
	struct outside_request req = { .url = c->url, .timeout_ms = c->timeout_ms,
				       .cancelled = cancelled, .ctx = ctx,
				       .body_max = BODY_MAX_BYTES };
	struct outside_answer a = { NULL, 0 };
	const char *key = NULL;

	*pcm = NULL;
	*n = 0;
	*rate = 0;
	snprintf(why, whylen, "failed");
	outside_start();
	if (outside_key(c->key_env, LOG_MOD, "speech requests go without an API key", &key_warned,
			&key, why, whylen) != 0)
		return -1;
	cJSON *json = cJSON_CreateObject();
	if (c->model[0])
		cJSON_AddStringToObject(json, "model", c->model);
	cJSON_AddStringToObject(json, "input", text);
	if (c->voice[0])
		cJSON_AddStringToObject(json, "voice", c->voice);
	cJSON_AddStringToObject(json, "response_format", c->format);
	char *body = cJSON_PrintUnformatted(json);
	cJSON_Delete(json);
	CURL *curl = body ? outside_handle_take(&pool) : NULL;
	if (!curl) {
		snprintf(why, whylen, body ? "cannot start libcurl" : "out of memory");
		free(body);
		return -1;
	}
	req.headers = curl_slist_append(NULL, "Content-Type: application/json");
	req.headers = curl_slist_append(req.headers, "Expect:");
	req.headers = outside_headers_auth(req.headers, key);
	curl_easy_setopt(curl, CURLOPT_POST, 1L);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	int rc = outside_perform(curl, &req, &a, why, whylen);
	if (rc == 0) {
		char *ctype = NULL;
		curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &ctype);
		rc = decode_answer(c, &a, ctype, pcm, n, rate, why, whylen);
	}
	outside_headers_free(req.headers); /* it holds the key: wiped before freed */
	outside_handle_give(&pool, curl); /* forgets the options, keeps the connection */
	free(body);
	free(a.body);
	outside_scrub(why, key);
	return rc;
}
