/*
 * remote_asr.c - speech recognition by an OpenAI-compatible transcription endpoint
 * (see remote_asr.h).
 *
 * One request per utterance: POST {asr_url}/audio/transcriptions, multipart/form-data
 * built with curl_mime (the WAV is made in memory, nothing touches the disk).  Easy
 * handles are kept in a small pool so a later utterance reuses the connection (and
 * TLS session) of an earlier one.
 *
 * Secrets: the key is read from the environment at each request, put only into the
 * Authorization header (wiped after the transfer) and scrubbed from every reason
 * returned, since an endpoint's error message may quote it.
 */
#include "remote_asr.h"

#include "config.h"
#include "log.h"
#include "utf8.h"

#include <cJSON.h>
#include <ctype.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LOG_MOD "asr"
#define BODY_MAX_BYTES (1 << 20) /* the answer (JSON with the text, or an error) */
#define POOL_MAX 8

static const char path_suffix[] = "/audio/transcriptions";

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

int remote_asr_enabled(const struct config *cfg)
{
	const char *asr = config_get(cfg, "voice.asr");
	return asr && strcasecmp(asr, "openai") == 0;
}

int remote_asr_config_read(const struct config *cfg, struct remote_asr_config *c, char *why,
			   size_t whylen)
{
	const char *url = config_get_str(cfg, "voice.asr_url", "");
	size_t n = strlen(url);
	char err[160];

	memset(c, 0, sizeof *c);
	while (n > 0 && url[n - 1] == '/')
		n--;
	if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0) {
		snprintf(why, whylen, "voice.asr_url must start with http:// or https://");
		return -1;
	}
	size_t sl = sizeof path_suffix - 1;
	int has_path = n >= sl && memcmp(url + n - sl, path_suffix, sl) == 0;
	if (n + sizeof path_suffix > sizeof c->url) {
		snprintf(why, whylen, "voice.asr_url is too long");
		return -1;
	}
	snprintf(c->url, sizeof c->url, "%.*s%s", (int)n, url, has_path ? "" : path_suffix);
	snprintf(c->model, sizeof c->model, "%s", config_get_str(cfg, "voice.asr_model", ""));
	snprintf(c->key_env, sizeof c->key_env, "%s", config_get_str(cfg, "voice.asr_api_key_env", ""));
	if (config_get_int(cfg, "voice.asr_timeout_ms", REMOTE_ASR_DEFAULT_TIMEOUT_MS, 100, 600000,
			   &c->timeout_ms, err, sizeof err) != 0) {
		log_warn(LOG_MOD, "voice.asr_timeout_ms: %s; using %d", err, REMOTE_ASR_DEFAULT_TIMEOUT_MS);
		c->timeout_ms = REMOTE_ASR_DEFAULT_TIMEOUT_MS;
	}
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

struct xfer {
	char *body;
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
	char *b = realloc(x->body, x->len + n + 1);
	if (!b)
		return 0;
	memcpy(b + x->len, p, n);
	x->body = b;
	x->len += n;
	b[x->len] = '\0';
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
static int parse_answer(const struct xfer *x, char *out, size_t outlen, char *why, size_t whylen)
{
	cJSON *j = x->body ? cJSON_Parse(x->body) : NULL;
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(j, "text");
	int rc = 0;
	if (cJSON_IsString(text)) {
		clean_text(text->valuestring, out, outlen);
	} else {
		snprintf(why, whylen, "the answer has no \"text\": %.120s", x->body ? x->body : "(empty)");
		rc = -1;
	}
	cJSON_Delete(j);
	return rc;
}

/* Why an HTTP error happened: the service's error.message when it sent one. */
static void http_error(const struct xfer *x, long status, char *why, size_t whylen)
{
	cJSON *j = x->body ? cJSON_Parse(x->body) : NULL;
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(j, "error");
	const cJSON *msg = cJSON_IsObject(err) ? cJSON_GetObjectItemCaseSensitive(err, "message") : NULL;
	snprintf(why, whylen, "HTTP %ld: %.160s", status,
		 cJSON_IsString(msg) ? msg->valuestring : x->body ? x->body : "(no body)");
	cJSON_Delete(j);
}

int remote_asr_transcribe(const struct remote_asr_config *c, const int16_t *pcm, size_t n,
			  int rate, int (*cancelled)(void *ctx), void *ctx, char *out,
			  size_t outlen, char *why, size_t whylen)
{
	struct xfer x = { .cancelled = cancelled, .ctx = ctx };
	char curl_err[CURL_ERROR_SIZE] = "";
	const char *key = NULL;
	int rc = -1;

	if (outlen)
		out[0] = '\0';
	snprintf(why, whylen, "failed");
	pthread_once(&curl_once, curl_start);
	if (c->key_env[0]) {
		key = getenv(c->key_env);
		if ((!key || !*key) && !atomic_exchange(&key_warned, 1))
			log_warn(LOG_MOD, "$%s is not set: transcription requests go without an API key",
				 c->key_env);
		if (key && strlen(key) > 1000) {
			snprintf(why, whylen, "the API key in $%s is too long", c->key_env);
			return -1;
		}
	}
	size_t wav_len = 0;
	unsigned char *wav = remote_asr_wav(pcm, n, rate, &wav_len);
	CURL *curl = wav ? handle_take() : NULL;
	if (!curl) {
		snprintf(why, whylen, wav ? "cannot start libcurl" : "out of memory");
		free(wav);
		return -1;
	}
	curl_easy_reset(curl);
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
	struct curl_slist *headers = curl_slist_append(NULL, "Expect:");
	headers = curl_slist_append(headers, "Accept: application/json");
	if (key && *key) {
		char auth[1024];
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
		headers = curl_slist_append(headers, auth);
		explicit_bzero(auth, sizeof auth);
	}
	curl_easy_setopt(curl, CURLOPT_URL, c->url);
	curl_easy_setopt(curl, CURLOPT_MIMEPOST, mime);
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
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
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
		rc = parse_answer(&x, out, outlen, why, whylen);
	}
	/* the header list holds the key: wipe it before freeing */
	for (struct curl_slist *h = headers; h; h = h->next)
		explicit_bzero(h->data, strlen(h->data));
	curl_slist_free_all(headers);
	curl_easy_reset(curl); /* forgets the options (pointers into this frame), keeps the connection */
	curl_mime_free(mime);
	free(x.body);
	scrub(why, key);
	handle_give(curl);
	return rc;
}
