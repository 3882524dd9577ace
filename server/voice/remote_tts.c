/*
 * remote_tts.c - speech synthesis by an OpenAI-compatible speech endpoint (see
 * remote_tts.h).
 *
 * One POST per sentence; the answer body is collected (a sentence is a few seconds,
 * at most a few hundred kilobytes) and turned into int16 samples: "pcm" bytes are
 * little-endian whatever the host, a WAV goes through libsndfile's virtual I/O from
 * memory.  Easy handles are kept in a small pool so the sentences of a reply reuse
 * one connection (and TLS session) instead of opening one each.
 *
 * Secrets: as remote_asr.c, the key is read from the environment per request, only
 * put into the Authorization header (wiped after the transfer), and scrubbed from
 * every reason returned.
 */
#include "remote_tts.h"

#include "config.h"
#include "log.h"

#include <cJSON.h>
#include <curl/curl.h>
#include <pthread.h>
#include <sndfile.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LOG_MOD "tts"
#define BODY_MAX_BYTES (16 << 20) /* one sentence's audio: minutes even at 48 kHz */
#define POOL_MAX 8
#define READ_CHUNK 4096

static const char path_suffix[] = "/audio/speech";

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static CURL *pool[POOL_MAX];
static int pool_n;
static atomic_int key_warned;

static void curl_start(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static CURL *handle_take(void)
{
	CURL *c = NULL;
	pthread_mutex_lock(&pool_lock);
	if (pool_n > 0)
		c = pool[--pool_n];
	pthread_mutex_unlock(&pool_lock);
	return c ? c : curl_easy_init();
}

static void handle_give(CURL *c)
{
	pthread_mutex_lock(&pool_lock);
	if (pool_n < POOL_MAX) {
		pool[pool_n++] = c;
		c = NULL;
	}
	pthread_mutex_unlock(&pool_lock);
	if (c)
		curl_easy_cleanup(c);
}

/* Overwrites every occurrence of key in s, and control characters. */
static void scrub(char *s, const char *key)
{
	size_t klen = key ? strlen(key) : 0;
	if (klen >= 4)
		for (char *p = strstr(s, key); p; p = strstr(p + klen, key))
			memset(p, '*', klen);
	for (; *s; s++)
		if ((unsigned char)*s < 0x20)
			*s = ' ';
}

int remote_tts_enabled(const struct config *cfg)
{
	const char *tts = config_get(cfg, "voice.tts");
	return tts && strcasecmp(tts, "openai") == 0;
}

int remote_tts_config_read(const struct config *cfg, struct remote_tts_config *c, char *why,
			   size_t whylen)
{
	const char *url = config_get_str(cfg, "voice.tts_url", "");
	const char *fmt = config_get_str(cfg, "voice.tts_format", "pcm");
	size_t n = strlen(url);
	char err[160];
	long v;

	memset(c, 0, sizeof *c);
	while (n > 0 && url[n - 1] == '/')
		n--;
	if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0) {
		snprintf(why, whylen, "voice.tts_url must start with http:// or https://");
		return -1;
	}
	size_t sl = sizeof path_suffix - 1;
	int has_path = n >= sl && memcmp(url + n - sl, path_suffix, sl) == 0;
	if (n + sizeof path_suffix > sizeof c->url) {
		snprintf(why, whylen, "voice.tts_url is too long");
		return -1;
	}
	if (strcasecmp(fmt, "pcm") != 0 && strcasecmp(fmt, "wav") != 0) {
		snprintf(why, whylen, "voice.tts_format must be pcm or wav");
		return -1;
	}
	snprintf(c->url, sizeof c->url, "%.*s%s", (int)n, url, has_path ? "" : path_suffix);
	snprintf(c->model, sizeof c->model, "%s", config_get_str(cfg, "voice.tts_model", "tts-1"));
	snprintf(c->voice, sizeof c->voice, "%s", config_get_str(cfg, "voice.tts_voice", "alloy"));
	snprintf(c->format, sizeof c->format, "%s", strcasecmp(fmt, "wav") == 0 ? "wav" : "pcm");
	snprintf(c->key_env, sizeof c->key_env, "%s", config_get_str(cfg, "voice.tts_api_key_env", ""));
	if (config_get_int(cfg, "voice.tts_timeout_ms", REMOTE_TTS_DEFAULT_TIMEOUT_MS, 100, 600000,
			   &c->timeout_ms, err, sizeof err) != 0) {
		log_warn(LOG_MOD, "voice.tts_timeout_ms: %s; using %d", err, REMOTE_TTS_DEFAULT_TIMEOUT_MS);
		c->timeout_ms = REMOTE_TTS_DEFAULT_TIMEOUT_MS;
	}
	if (config_get_int(cfg, "voice.tts_pcm_rate", REMOTE_TTS_DEFAULT_PCM_RATE, 8000, 192000, &v,
			   err, sizeof err) != 0) {
		log_warn(LOG_MOD, "voice.tts_pcm_rate: %s; using %d", err, REMOTE_TTS_DEFAULT_PCM_RATE);
		v = REMOTE_TTS_DEFAULT_PCM_RATE;
	}
	c->pcm_rate = (int)v;
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

struct xfer {
	unsigned char *body;
	size_t len;
	int too_big;
	int (*cancelled)(void *ctx);
	void *ctx;
	int was_cancelled;
};

static size_t on_body(char *p, size_t size, size_t nmemb, void *userdata)
{
	struct xfer *x = userdata;
	size_t n = size * nmemb;
	if (x->len + n > BODY_MAX_BYTES) {
		x->too_big = 1;
		return 0;
	}
	unsigned char *b = realloc(x->body, x->len + n + 1);
	if (!b)
		return 0;
	memcpy(b + x->len, p, n);
	x->body = b;
	x->len += n;
	b[x->len] = '\0'; /* so an error body can be read as a string */
	return n;
}

static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct xfer *x = userdata;
	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	if (x->cancelled && x->cancelled(x->ctx))
		x->was_cancelled = 1;
	return x->was_cancelled;
}

/* Why an HTTP error happened: the service's error.message when it sent one. */
static void http_error(const struct xfer *x, long status, char *why, size_t whylen)
{
	const char *body = x->body ? (const char *)x->body : "";
	cJSON *j = cJSON_Parse(body);
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(j, "error");
	const cJSON *msg = cJSON_IsObject(err) ? cJSON_GetObjectItemCaseSensitive(err, "message") : NULL;
	snprintf(why, whylen, "HTTP %ld: %.160s", status,
		 cJSON_IsString(msg) ? msg->valuestring : *body ? body : "(no body)");
	cJSON_Delete(j);
}

/* The samples of a 200 answer; -1 and why when it holds no audio. */
static int decode_answer(const struct remote_tts_config *c, const struct xfer *x,
			 const char *ctype, int16_t **pcm, size_t *n, int *rate, char *why,
			 size_t whylen)
{
	if (ctype && strstr(ctype, "json")) {
		snprintf(why, whylen, "the answer is JSON, not audio: %.120s",
			 x->body ? (const char *)x->body : "");
		return -1;
	}
	if (x->len >= 12 && memcmp(x->body, "RIFF", 4) == 0 && memcmp(x->body + 8, "WAVE", 4) == 0) {
		if (remote_tts_parse_wav(x->body, x->len, pcm, n, rate, why, whylen) != 0)
			return -1;
	} else if (strcmp(c->format, "wav") == 0) {
		snprintf(why, whylen, "the answer is not a WAV file");
		return -1;
	} else {
		size_t k = x->len / 2;
		int16_t *s = malloc((k ? k : 1) * sizeof *s);
		if (!s) {
			snprintf(why, whylen, "out of memory");
			return -1;
		}
		for (size_t i = 0; i < k; i++)
			s[i] = (int16_t)(uint16_t)(x->body[2 * i] | (unsigned)x->body[2 * i + 1] << 8);
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
	struct xfer x = { .cancelled = cancelled, .ctx = ctx };
	char curl_err[CURL_ERROR_SIZE] = "";
	const char *key = NULL;
	int rc = -1;

	*pcm = NULL;
	*n = 0;
	*rate = 0;
	snprintf(why, whylen, "failed");
	pthread_once(&curl_once, curl_start);
	if (c->key_env[0]) {
		key = getenv(c->key_env);
		if ((!key || !*key) && !atomic_exchange(&key_warned, 1))
			log_warn(LOG_MOD, "$%s is not set: speech requests go without an API key", c->key_env);
		if (key && strlen(key) > 1000) {
			snprintf(why, whylen, "the API key in $%s is too long", c->key_env);
			return -1;
		}
	}
	cJSON *req = cJSON_CreateObject();
	if (c->model[0])
		cJSON_AddStringToObject(req, "model", c->model);
	cJSON_AddStringToObject(req, "input", text);
	if (c->voice[0])
		cJSON_AddStringToObject(req, "voice", c->voice);
	cJSON_AddStringToObject(req, "response_format", c->format);
	char *body = cJSON_PrintUnformatted(req);
	cJSON_Delete(req);
	CURL *curl = body ? handle_take() : NULL;
	if (!curl) {
		snprintf(why, whylen, body ? "cannot start libcurl" : "out of memory");
		free(body);
		return -1;
	}
	struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
	headers = curl_slist_append(headers, "Expect:");
	if (key && *key) {
		char auth[1024];
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
		headers = curl_slist_append(headers, auth);
		explicit_bzero(auth, sizeof auth);
	}
	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_URL, c->url);
	curl_easy_setopt(curl, CURLOPT_POST, 1L);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "voxcartd/" VOXCART_VERSION);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &x);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
	CURLcode cc = curl_easy_perform(curl);
	long status = 0;
	char *ctype = NULL;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &ctype);
	if (x.was_cancelled) {
		snprintf(why, whylen, "cancelled");
		rc = 1;
	} else if (cc != CURLE_OK) {
		snprintf(why, whylen, "request failed: %s%s%.120s",
			 x.too_big ? "answer too big" : curl_easy_strerror(cc),
			 curl_err[0] && !x.too_big ? ": " : "", x.too_big ? "" : curl_err);
	} else if (status != 200) {
		http_error(&x, status, why, whylen);
	} else {
		rc = decode_answer(c, &x, ctype, pcm, n, rate, why, whylen);
	}
	/* the header list holds the key: wipe it before freeing */
	for (struct curl_slist *h = headers; h; h = h->next)
		explicit_bzero(h->data, strlen(h->data));
	curl_slist_free_all(headers);
	curl_easy_reset(curl); /* forgets the options (pointers into this frame), keeps the connection */
	handle_give(curl);
	free(body);
	free(x.body);
	scrub(why, key);
	return rc;
}
