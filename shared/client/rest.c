/*
 * rest.c - libcurl REST client (interface and ownership in rest.h).
 *
 * Each request gets a new easy handle (curl 7.88 keeps a pointer to the previous
 * transfer's last header in a handle, and a first header line that continues it, as a
 * hostile server may send, made it read freed memory: found by fuzz_rest); the open
 * connections live in a share object of the struct rest, so requests still reuse one
 * keep-alive connection.  Each request sets method, headers and body, and collects
 * the answer into a bounded buffer: a server that sends more than REST_MAX_BODY bytes
 * gets the request failed, not our memory eaten.  Transport failures are turned into
 * one sentence naming the server, with the operating system's reason ("Connection
 * refused") where curl has one.
 */
#include "rest.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>
#include <time.h>

#include <curl/curl.h>

#define REST_MAX_BODY (32u * 1024 * 1024)

#ifndef VOXCART_VERSION
#define VOXCART_VERSION "0"
#endif

struct rest {
	CURLSH *share; /* the connection cache (and DNS) the requests' handles share */
	char *base;
	long connect_ms, total_ms;
};

struct body_buf {
	char *data;
	size_t len, cap;
	int too_big;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static int global_ok;

static void global_init(void)
{
	global_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

int rest_check_url(const char *url, char *err, size_t errlen)
{
	const char *host = NULL;
	if (url && strncasecmp(url, "http://", 7) == 0)
		host = url + 7;
	else if (url && strncasecmp(url, "https://", 8) == 0)
		host = url + 8;
	if (!host || *host == '\0' || *host == '/') {
		snprintf(err, errlen, "bad server URL \"%s\" (expected http://HOST:PORT)",
			 url ? url : "");
		return -1;
	}
	for (const char *p = url; *p; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f) {
			snprintf(err, errlen, "bad server URL: it contains blanks or control characters");
			return -1;
		}
	}
	return 0;
}

struct rest *rest_new(const char *base_url)
{
	char err[16];
	if (rest_check_url(base_url, err, sizeof err) != 0)
		return NULL;
	pthread_once(&global_once, global_init);
	if (!global_ok)
		return NULL;
	struct rest *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->base = strdup(base_url);
	r->share = curl_share_init();
	if (!r->base || !r->share ||
	    curl_share_setopt(r->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT) != CURLSHE_OK ||
	    curl_share_setopt(r->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) != CURLSHE_OK) {
		rest_free(r);
		return NULL;
	}
	size_t n = strlen(r->base);
	while (n > 0 && r->base[n - 1] == '/')
		r->base[--n] = '\0';
	r->connect_ms = 5000;
	r->total_ms = 30000;
	return r;
}

void rest_free(struct rest *r)
{
	if (!r)
		return;
	if (r->share)
		curl_share_cleanup(r->share);
	free(r->base);
	free(r);
}

const char *rest_base_url(const struct rest *r) { return r->base; }

void rest_set_timeouts(struct rest *r, long connect_ms, long total_ms)
{
	r->connect_ms = connect_ms;
	r->total_ms = total_ms;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct body_buf *b = userdata;
	size_t n = size * nmemb;
	if (b->len + n + 1 > REST_MAX_BODY) {
		b->too_big = 1;
		return 0;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *d = realloc(b->data, cap);
		if (!d)
			return 0;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, ptr, n);
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

/* Retry-After is either delay-seconds or an HTTP date. */
static size_t on_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct rest_response *resp = userdata;
	size_t n = size * nmemb;
	static const char name[] = "retry-after:";
	if (n > sizeof name - 1 && strncasecmp(ptr, name, sizeof name - 1) == 0) {
		char value[128];
		size_t vlen = n - (sizeof name - 1);
		if (vlen >= sizeof value)
			vlen = sizeof value - 1;
		memcpy(value, ptr + sizeof name - 1, vlen);
		value[vlen] = '\0';
		char *v = value;
		while (isspace((unsigned char)*v))
			v++;
		char *end = v + strlen(v);
		while (end > v && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (*v && strspn(v, "0123456789") == strlen(v) && strlen(v) < 9) {
			resp->retry_after = atoi(v);
		} else if (*v) {
			time_t when = curl_getdate(v, NULL);
			if (when != -1) {
				time_t now = time(NULL), wait = when > now ? when - now : 0;
				/* a date centuries away must not wrap to a negative wait */
				resp->retry_after = wait > INT_MAX ? INT_MAX : (int)wait;
			}
		}
	}
	return n;
}

static void describe_failure(struct rest *r, CURL *c, CURLcode rc, const char *errbuf,
			     struct rest_response *resp)
{
	long os_errno = 0;
	curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno);
	const char *why = *errbuf ? errbuf : curl_easy_strerror(rc);
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		if (os_errno)
			why = strerror((int)os_errno);
		snprintf(resp->error, sizeof resp->error, "cannot reach voxcartd at %s: %s",
			 r->base, why);
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		snprintf(resp->error, sizeof resp->error,
			 "cannot reach voxcartd at %s: unknown host", r->base);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		resp->timed_out = 1;
		snprintf(resp->error, sizeof resp->error,
			 "voxcartd at %s did not answer in time (%s)", r->base, why);
		break;
	case CURLE_WRITE_ERROR:
		snprintf(resp->error, sizeof resp->error,
			 "the answer from %s was too large or memory ran out", r->base);
		break;
	default:
		snprintf(resp->error, sizeof resp->error, "cannot talk to voxcartd at %s: %s",
			 r->base, why);
		break;
	}
}

/* Copies error.code, error.message and error.field of a non-2xx answer. */
static void take_server_error(struct rest_response *resp)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(resp->json, "error");
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(e, "code");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(e, "message");
	const cJSON *field = cJSON_GetObjectItemCaseSensitive(e, "field");
	if (cJSON_IsString(code))
		snprintf(resp->error_code, sizeof resp->error_code, "%s", code->valuestring);
	if (cJSON_IsString(field))
		snprintf(resp->error_field, sizeof resp->error_field, "%s", field->valuestring);
	if (cJSON_IsString(msg) && *msg->valuestring)
		snprintf(resp->error, sizeof resp->error, "%s", msg->valuestring);
	else if (*resp->error_code)
		snprintf(resp->error, sizeof resp->error, "%s (HTTP %d)", resp->error_code,
			 resp->status);
	else
		snprintf(resp->error, sizeof resp->error, "the server answered HTTP %d",
			 resp->status);
}

/* A header value must not smuggle a line end (a token from a tampered credentials
 * file, say) into the request. */
static int header_safe(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v < ' ' || *v == 0x7f)
			return 0;
	return 1;
}

static struct curl_slist *build_headers(const char *bearer, const char *idem, int has_body)
{
	struct curl_slist *h = NULL, *t;
	char line[1024];
	h = curl_slist_append(h, "Accept: application/json");
	if (h && has_body && (t = curl_slist_append(h, "Content-Type: application/json")))
		h = t;
	if (h && bearer && header_safe(bearer)) {
		snprintf(line, sizeof line, "Authorization: Bearer %s", bearer);
		if ((t = curl_slist_append(h, line)))
			h = t;
	}
	if (h && idem && header_safe(idem)) {
		snprintf(line, sizeof line, "Idempotency-Key: %s", idem);
		if ((t = curl_slist_append(h, line)))
			h = t;
	}
	/* No "Expect: 100-continue" round trip for large bodies. */
	if (h && (t = curl_slist_append(h, "Expect:")))
		h = t;
	return h;
}

int rest_request(struct rest *r, const char *method, const char *path, const cJSON *body,
		 const char *bearer, const char *idempotency_key, struct rest_response *resp)
{
	memset(resp, 0, sizeof *resp);
	resp->retry_after = -1;
	int sends_body = strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
			 strcmp(method, "PATCH") == 0 || body != NULL;
	char *payload = body ? cJSON_PrintUnformatted(body) : NULL;
	size_t urllen = strlen(r->base) + strlen(path) + 1;
	char *url = malloc(urllen);
	struct curl_slist *headers = build_headers(bearer, idempotency_key, sends_body);
	CURL *c = curl_easy_init();
	if ((body && !payload) || !url || !headers || !c) {
		snprintf(resp->error, sizeof resp->error, "out of memory");
		free(payload);
		free(url);
		curl_slist_free_all(headers);
		if (c)
			curl_easy_cleanup(c);
		resp->body = strdup("");
		return 0;
	}
	snprintf(url, urllen, "%s%s", r->base, path);

	struct body_buf buf = { 0 };
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(c, CURLOPT_SHARE, r->share);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, r->connect_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, r->total_ms);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "voxcart/" VOXCART_VERSION);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &buf);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, resp);
	if (sends_body) {
		const char *data = payload ? payload : "{}";
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(data));
		curl_easy_setopt(c, CURLOPT_COPYPOSTFIELDS, data);
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	else if (strcmp(method, "GET") == 0)
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);

	CURLcode rc = curl_easy_perform(c);
	long status = 0;
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	else if (buf.too_big)
		rc = CURLE_WRITE_ERROR;
	resp->status = (int)status;
	resp->body = buf.data ? buf.data : strdup("");
	resp->body_len = buf.len;
	if (rc != CURLE_OK) {
		resp->status = 0;
		describe_failure(r, c, rc, errbuf, resp);
	} else if (status < 100 || status > 999) {
		/* curl took it, but there was no status line to read a code from */
		resp->status = 0;
		snprintf(resp->error, sizeof resp->error,
			 "voxcartd at %s sent an answer that is not HTTP", r->base);
	} else if (buf.len > 0) {
		resp->json = cJSON_ParseWithLength(buf.data, buf.len);
	}
	if (resp->status >= 300 || (resp->status > 0 && resp->status < 200))
		take_server_error(resp);
	curl_easy_cleanup(c); /* its connection stays in r->share */
	curl_slist_free_all(headers);
	free(payload);
	free(url);
	return resp->status;
}

void rest_response_free(struct rest_response *resp)
{
	if (!resp)
		return;
	cJSON_Delete(resp->json);
	free(resp->body);
	resp->json = NULL;
	resp->body = NULL;
}

char *rest_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *out = malloc(n * 3 + 1), *o = out;
	if (!out)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		int plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' ||
			    *p == '~';
		if (plain) {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

int rest_query_add(char **url, const char *key, const char *value)
{
	char *ev = rest_escape(value);
	if (!ev)
		return -1;
	const char *old = *url ? *url : "";
	char sep = strchr(old, '?') ? '&' : '?';
	size_t n = strlen(old) + strlen(key) + strlen(ev) + 3;
	char *s = malloc(n);
	if (!s) {
		free(ev);
		return -1;
	}
	snprintf(s, n, "%s%c%s=%s", old, sep, key, ev);
	free(ev);
	free(*url);
	*url = s;
	return 0;
}

void rest_new_idempotency_key(char *key)
{
	unsigned char raw[16];
	if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
		/* very unlikely; still unique enough per user */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		unsigned long long seed = (unsigned long long)ts.tv_nsec ^
					  ((unsigned long long)ts.tv_sec << 20) ^ (unsigned)getpid();
		for (size_t i = 0; i < sizeof raw; i++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			raw[i] = (unsigned char)(seed >> 56);
		}
	}
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < sizeof raw; i++) {
		key[2 * i] = hex[raw[i] >> 4];
		key[2 * i + 1] = hex[raw[i] & 15];
	}
	key[2 * sizeof raw] = '\0';
}
