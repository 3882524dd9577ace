/*
 * outside.c - calling an outside service over HTTP (see outside.h).
 *
 * The API key is never copied anywhere but the Authorization header: the stack
 * buffer the header is built in is wiped at once, the header list is wiped before it
 * is freed, and the callers scrub it from every reason they log or return, since a
 * service's error message may quote it.  Nothing here logs the key or a header.
 */
#include "outside.h"

#include "config.h"
#include "log.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- config ---- */

int outside_chosen(const struct config *cfg, const char *key)
{
	const char *v = config_get(cfg, key);
	return v && strcasecmp(v, "openai") == 0;
}

long outside_config_long(const struct config *cfg, const char *log_mod, const char *key, long def,
			 long min, long max)
{
	long v = def;
	char err[160];
	if (config_get_int(cfg, key, def, min, max, &v, err, sizeof err) != 0) {
		log_warn(log_mod, "%s: %s; using %ld", key, err, def);
		v = def;
	}
	return v;
}

int outside_url(const struct config *cfg, const char *url_key, const char *path, char *url,
		size_t urllen, char *why, size_t whylen)
{
	const char *base = config_get_str(cfg, url_key, "");
	size_t n = strlen(base), pl = strlen(path);
	while (n > 0 && base[n - 1] == '/')
		n--;
	if (strncasecmp(base, "http://", 7) != 0 && strncasecmp(base, "https://", 8) != 0) {
		snprintf(why, whylen, "%s must start with http:// or https://", url_key);
		return -1;
	}
	int has_path = n >= pl && memcmp(base + n - pl, path, pl) == 0;
	if (n + pl + 1 > urllen) {
		snprintf(why, whylen, "%s is too long", url_key);
		return -1;
	}
	snprintf(url, urllen, "%.*s%s", (int)n, base, has_path ? "" : path);
	return 0;
}

/* ---- the key ---- */

int outside_key(const char *key_env, const char *log_mod, const char *missing,
		atomic_int *warned_once, const char **key, char *why, size_t whylen)
{
	const char *k = key_env[0] ? getenv(key_env) : NULL;
	*key = NULL;
	if (key_env[0] && (!k || !*k)) {
		if (!warned_once || !atomic_exchange(warned_once, 1))
			log_warn(log_mod, "$%s is not set: %s", key_env, missing);
		return 0;
	}
	if (k && strlen(k) > OUTSIDE_KEY_MAX) {
		snprintf(why, whylen, "the API key in $%s is too long", key_env);
		return -1;
	}
	*key = k;
	return 0;
}

struct curl_slist *outside_headers_auth(struct curl_slist *list, const char *key)
{
	if (!key || !*key)
		return list;
	char auth[OUTSIDE_KEY_MAX + 32];
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
	list = curl_slist_append(list, auth);
	explicit_bzero(auth, sizeof auth);
	return list;
}

void outside_headers_free(struct curl_slist *list)
{
	for (struct curl_slist *h = list; h; h = h->next)
		explicit_bzero(h->data, strlen(h->data));
	curl_slist_free_all(list);
}

void outside_scrub(char *s, const char *key)
{
	size_t klen = key ? strlen(key) : 0;
	if (klen >= 4) {
		for (char *p = strstr(s, key); p; p = strstr(p + klen, key))
			memset(p, '*', klen);
		/* A reason cut to fit (or at a NUL) may end inside the key: its first
		 * characters, 4 or more, left at the end go too. */
		size_t n = strlen(s);
		for (size_t k = klen - 1 < n ? klen - 1 : n; k >= 4; k--)
			if (memcmp(s + n - k, key, k) == 0) {
				memset(s + n - k, '*', k);
				break;
			}
	}
	for (; *s; s++)
		if ((unsigned char)*s < 0x20)
			*s = ' ';
}

/* ---- libcurl ---- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_start(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void outside_start(void)
{
	pthread_once(&curl_once, curl_start);
}

CURL *outside_handle_take(struct outside_pool *pool)
{
	CURL *c = NULL;
	pthread_mutex_lock(&pool->lock);
	if (pool->n > 0)
		c = pool->idle[--pool->n];
	pthread_mutex_unlock(&pool->lock);
	return c ? c : curl_easy_init();
}

void outside_handle_give(struct outside_pool *pool, CURL *c)
{
	if (!c)
		return;
	curl_easy_reset(c);
	pthread_mutex_lock(&pool->lock);
	if (pool->n < OUTSIDE_POOL_MAX) {
		pool->idle[pool->n++] = c;
		c = NULL;
	}
	pthread_mutex_unlock(&pool->lock);
	if (c)
		curl_easy_cleanup(c);
}

static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct outside_transfer *x = userdata;
	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	if (!x->cancelled && x->req->cancelled && x->req->cancelled(x->req->ctx))
		x->cancelled = 1;
	return x->cancelled;
}

void outside_setopt(CURL *curl, const struct outside_request *req, struct outside_transfer *x)
{
	x->req = req;
	x->cancelled = 0;
	x->errbuf[0] = '\0';
	curl_easy_setopt(curl, CURLOPT_URL, req->url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, req->headers);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "voxcartd/" VOXCART_VERSION);
	curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(curl, CURLOPT_XFERINFODATA, x);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, req->timeout_ms);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, req->timeout_ms);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, x->errbuf);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
}

void outside_failure(CURLcode cc, const char *errbuf, int too_big, char *why, size_t whylen)
{
	if (too_big)
		snprintf(why, whylen, "request failed: answer too big");
	else
		snprintf(why, whylen, "request failed: %s%s%.120s", curl_easy_strerror(cc),
			 errbuf[0] ? ": " : "", errbuf);
}

/* ---- answers read whole ---- */

struct whole {
	struct outside_transfer x;
	struct outside_answer *a;
	size_t max;
	int too_big;
};

static size_t on_body(char *p, size_t size, size_t nmemb, void *userdata)
{
	struct whole *w = userdata;
	struct outside_answer *a = w->a;
	size_t n = size * nmemb;
	if (a->len + n > w->max) {
		w->too_big = 1;
		return 0;
	}
	char *b = realloc(a->body, a->len + n + 1);
	if (!b)
		return 0;
	memcpy(b + a->len, p, n);
	a->body = b;
	a->len += n;
	b[a->len] = '\0'; /* so an error body can be read as a string */
	return n;
}

/* Why an HTTP error happened: the service's error.message when it sent one. */
static void http_error(const struct outside_answer *a, long status, char *why, size_t whylen)
{
	const char *body = a->body ? a->body : "";
	cJSON *j = cJSON_Parse(body);
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(j, "error");
	const cJSON *msg = cJSON_IsObject(err) ? cJSON_GetObjectItemCaseSensitive(err, "message") : NULL;
	snprintf(why, whylen, "HTTP %ld: %.160s", status,
		 cJSON_IsString(msg) ? msg->valuestring : *body ? body : "(no body)");
	cJSON_Delete(j);
}

int outside_perform(CURL *curl, const struct outside_request *req, struct outside_answer *a,
		    char *why, size_t whylen)
{
	struct whole w = { .a = a, .max = req->body_max };
	outside_setopt(curl, req, &w.x);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &w);
	CURLcode cc = curl_easy_perform(curl);
	long status = 0;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	if (w.x.cancelled) {
		snprintf(why, whylen, "cancelled");
		return 1;
	}
	if (cc != CURLE_OK) {
		outside_failure(cc, w.x.errbuf, w.too_big, why, whylen);
		return -1;
	}
	if (status != 200) {
		http_error(a, status, why, whylen);
		return -1;
	}
	return 0;
}
