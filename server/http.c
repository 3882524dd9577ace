/*
 * http.c - libwebsockets glue for the REST API (see http.h).
 *
 * Per connection, `struct http_conn` holds the request being read.  When it is
 * complete it becomes a `struct http_job` (owned by the job from then on), which
 * goes to the worker pool; the worker fills job->resp and puts the job on the done
 * list.  Only the loop thread touches conn<->job links, so closing a connection just
 * unhooks its job; the job is freed when it comes back.
 */
#include "http.h"
#include "api.h"
#include "buddy_ws.h"
#include "log.h"
#include "orders.h"
#include "product_cache.h"
#include "proxy.h"
#include "ratelimit.h"
#include "routes.h"
#include "server.h"
#include "store/store.h"
#include "workers.h"

#include <ev.h>
#include <libwebsockets.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Bodies past this are not even buffered: the connection is answered and closed. */
#define DISCARD_LIMIT (8 * 1024 * 1024)

struct http_job;

struct http_conn {
	struct http_job *job;      /* request being read, handled, or written */
	int sending;               /* 1 headers next, 2 body next */
	int completions;           /* LWS_CALLBACK_HTTP_BODY_COMPLETION for this request */
};

struct http_job {
	struct http_job *next;     /* on the done list */
	struct lws *wsi;           /* NULL once the connection has closed */
	struct http_conn *conn;
	struct server *srv;
	struct api_req req;
	struct api_resp resp;
	size_t body_cap;
	size_t body_seen;          /* bytes received, kept or not */
	int too_large;
	int close_after;           /* close the connection once answered */
	int in_worker;
	int rate_checked;          /* the rate limit was asked already (rate_wait: its answer) */
	int rate_wait;
	atomic_int gone;           /* the client hung up: the worker may skip the work */
};

struct http_state {
	pthread_mutex_t lock;
	struct http_job *done_head, *done_tail;
	/* The event loop: libev (epoll) through lws's libev plugin, so that a loop
	 * iteration costs what is active, not every open connection (poll() scanned
	 * them all: 8,000 idle sockets put /health at p50 36 ms).  NULL: lws's own
	 * poll() loop, when the plugin is not installed. */
	struct ev_loop *loop;
	/* The loop thread's alone: */
	struct http_job *spare_jobs; /* freed jobs, for the next requests */
	int nspare_jobs;
	unsigned char *out_buf;      /* an answer's headers and body */
	size_t out_cap;
	/* Keep-alive connections whose answer went out whole in this turn of the loop:
	 * lws waits for the socket to say it is writable before it reads the next request
	 * (lws_http_transaction_completed asks for POLLOUT).  The socket was writable a
	 * moment ago, so the prepare watcher tells lws so before the loop asks the kernel:
	 * the write watcher is started and stopped within one turn, and libev changes
	 * nothing in epoll (two epoll_ctl calls and one wake-up fewer per request). */
	ev_prepare prepare;
	struct lws **writable;
	int nwritable, writable_cap;
	atomic_int jobs;           /* requests being read, handled or answered */
};

/* Jobs are made and freed on the loop thread alone: freed ones are kept on a list for
 * the next requests (a job is 1.3 KB, past malloc's per-thread caches). */
#define SPARE_JOBS 256

static struct http_job *job_new(struct http_state *hs)
{
	struct http_job *job = hs->spare_jobs;
	if (!job)
		return calloc(1, sizeof *job);
	hs->spare_jobs = job->next;
	hs->nspare_jobs--;
	memset(job, 0, sizeof *job);
	return job;
}

/* A transaction of wsi is answered: lws_http_transaction_completed, and when the
 * connection stays open with nothing left to send, its writability told before the
 * next poll (see http_state.writable).  -1: close the connection. */
static int transaction_done(struct http_state *hs, struct lws *wsi)
{
	if (lws_http_transaction_completed(wsi))
		return -1;
	if (!hs->loop || !ev_is_active(&hs->prepare) || lws_get_network_wsi(wsi) != wsi ||
	    lws_partial_buffered(wsi))
		return 0;
	if (hs->nwritable == hs->writable_cap) {
		int cap = hs->writable_cap ? 2 * hs->writable_cap : 64;
		struct lws **w = realloc(hs->writable, (size_t)cap * sizeof *w);
		if (!w)
			return 0; /* lws asks the kernel, as it would anyway */
		hs->writable = w;
		hs->writable_cap = cap;
	}
	hs->writable[hs->nwritable++] = wsi;
	return 0;
}

static void tell_writable(struct ev_loop *loop, ev_prepare *w, int revents)
{
	(void)loop;
	(void)revents;
	struct server *srv = w->data;
	struct http_state *hs = srv->http;
	/* Servicing one may close it, or answer and add another (the count is read again);
	 * a closed one is NULL (LWS_CALLBACK_WSI_DESTROY). */
	for (int i = 0; i < hs->nwritable; i++) {
		struct lws *wsi = hs->writable[i];
		if (!wsi)
			continue;
		hs->writable[i] = NULL;
		struct lws_pollfd pfd = { .fd = lws_get_socket_fd(wsi), .events = LWS_POLLOUT,
					  .revents = LWS_POLLOUT };
		if (pfd.fd >= 0)
			lws_service_fd(srv->lws, &pfd);
	}
	hs->nwritable = 0;
}

static void writable_forget(struct http_state *hs, struct lws *wsi)
{
	for (int i = 0; i < hs->nwritable; i++)
		if (hs->writable[i] == wsi)
			hs->writable[i] = NULL;
}

static void job_free(struct http_job *job)
{
	if (!job)
		return;
	free(job->req.body);
	free(job->req.bearer);
	free(job->req.idempotency_key);
	for (int i = 0; i < job->req.query_count; i++) {
		free(job->req.query_names[i]);
		free(job->req.query_values[i]);
	}
	cJSON_Delete(job->req.json);
	free(job->resp.body);
	atomic_fetch_sub(&job->srv->http->jobs, 1);
	struct http_state *hs = job->srv->http;
	if (hs->nspare_jobs < SPARE_JOBS) {
		job->next = hs->spare_jobs;
		hs->spare_jobs = job;
		hs->nspare_jobs++;
	} else {
		free(job);
	}
}

static enum api_method method_of(struct lws *wsi)
{
	static const struct {
		enum lws_token_indexes tok;
		enum api_method m;
	} map[] = {
		{ WSI_TOKEN_GET_URI, M_GET },     { WSI_TOKEN_POST_URI, M_POST },
		{ WSI_TOKEN_PUT_URI, M_PUT },     { WSI_TOKEN_PATCH_URI, M_PATCH },
		{ WSI_TOKEN_DELETE_URI, M_DELETE },
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (lws_hdr_total_length(wsi, map[i].tok) > 0)
			return map[i].m;
	return M_OTHER;
}

static char *header_dup(struct lws *wsi, enum lws_token_indexes tok)
{
	int n = lws_hdr_total_length(wsi, tok);
	if (n <= 0)
		return NULL;
	char *s = malloc((size_t)n + 1);
	if (s && lws_hdr_copy(wsi, s, n + 1, tok) < 0) {
		free(s);
		return NULL;
	}
	return s;
}

static void read_query(struct lws *wsi, struct api_req *req)
{
	char frag[2048];
	for (int i = 0; req->query_count < API_MAX_QUERY; i++) {
		int n = lws_hdr_copy_fragment(wsi, frag, sizeof frag, WSI_TOKEN_HTTP_URI_ARGS, i);
		if (n < 0)
			break;
		char *eq = strchr(frag, '=');
		if (eq)
			*eq = '\0';
		req->query_names[req->query_count] = strdup(frag);
		req->query_values[req->query_count] = strdup(eq ? eq + 1 : "");
		req->query_count++;
	}
}

static void read_auth(struct lws *wsi, struct api_req *req)
{
	char *auth = header_dup(wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
	if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
		const char *t = auth + 7;
		while (*t == ' ')
			t++;
		req->bearer = strdup(t);
	}
	free(auth);
	/* Any length is kept (the header table bounds it): a key too long to be valid
	 * must be refused by idempotency_run, never dropped, or a retry charges twice.
	 * A key that cannot be copied becomes "" so that it is refused as well. */
	int n = lws_hdr_custom_length(wsi, "idempotency-key:", 16);
	if (n >= 0) {
		req->idempotency_key = malloc((size_t)n + 1);
		if (req->idempotency_key &&
		    lws_hdr_custom_copy(wsi, req->idempotency_key, n + 1, "idempotency-key:", 16) < 0)
			req->idempotency_key[0] = '\0';
	}
}

/*
 * Request framing (RFC 9112 section 6.3).  lws reads a body by the first
 * Content-Length it saw and knows nothing of chunked request bodies, so anything
 * but one plain decimal Content-Length (or none) could make the bytes after the
 * body run as a second request.  Returns NULL when the framing is sound, else why
 * not (answered 400, and the connection is closed).
 */
static const char *framing_error(struct lws *wsi, long long *length)
{
	*length = -1;
	if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0)
		return "Transfer-Encoding is not supported on requests; send Content-Length.";
	int n = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH);
	if (n <= 0)
		return NULL;
	if (lws_hdr_fragment_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, 1) > 0)
		return "Content-Length appears more than once.";
	char cl[32];
	if (n >= (int)sizeof cl || lws_hdr_copy(wsi, cl, sizeof cl, WSI_TOKEN_HTTP_CONTENT_LENGTH) <= 0)
		return "Content-Length is not a number.";
	size_t len = strlen(cl);
	while (len > 0 && (cl[len - 1] == ' ' || cl[len - 1] == '\t'))
		cl[--len] = '\0'; /* optional whitespace after the value */
	long long v = 0;
	if (len == 0)
		return "Content-Length is empty.";
	for (const char *c = cl; *c; c++) {
		if (*c < '0' || *c > '9' || v > (LLONG_MAX - 9) / 10)
			return "Content-Length must be a plain decimal number.";
		v = v * 10 + (*c - '0');
	}
	*length = v;
	return NULL;
}

/* Runs on a worker thread. */
static void job_run(void *arg)
{
	struct http_job *job = arg;
	/* Once the job is on the done list the loop may answer and free it at any moment:
	 * nothing of it is read after that. */
	struct server *srv = job->srv;
	struct http_state *hs = srv->http;
	job->req.store = store_thread();
	if (atomic_load(&job->gone))
		; /* nobody is waiting for the answer: under overload, do not work for them */
	else if (!job->req.store)
		api_error(&job->resp, 500, "internal", NULL, "The database is not available.");
	else
		routes_dispatch(&job->req, &job->resp);
	pthread_mutex_lock(&hs->lock);
	if (hs->done_tail)
		hs->done_tail->next = job;
	else
		hs->done_head = job;
	hs->done_tail = job;
	pthread_mutex_unlock(&hs->lock);
	lws_cancel_service(srv->lws);
}

/* The rate limiter's answer for client now (0: go ahead, else seconds to wait). */
static int rate_take(struct server *srv, const char *client)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ratelimit_take(srv->limiter, client, (double)ts.tv_sec + ts.tv_nsec / 1e9);
}

static void respond_now(struct http_job *job, int status, const char *code, const char *msg)
{
	api_error(&job->resp, status, code, NULL, "%s", msg);
	job->conn->sending = 1;
	lws_callback_on_writable(job->wsi);
}

static void dispatch(struct http_job *job)
{
	struct server *srv = job->srv;
	if (job->too_large) {
		api_error(&job->resp, 413, "payload_too_large", NULL,
			  "The body is larger than %ld bytes.", srv->set.max_body);
		job->conn->sending = 1;
		lws_callback_on_writable(job->wsi);
		return;
	}
	int wait = job->rate_checked ? job->rate_wait : rate_take(srv, job->req.client_ip);
	if (wait > 0) {
		job->resp.retry_after = wait;
		respond_now(job, 429, "rate_limited", "Too many requests; slow down.");
		return;
	}
	/* An active product by id that is cached: answered here, without the worker hop
	 * (the same answer for anyone; see product_cache.h). */
	if (job->req.method == M_GET &&
	    product_cache_answer(job->req.path, &job->resp.body, &job->resp.body_len) == 0) {
		job->resp.status = 200;
		job->conn->sending = 1;
		lws_callback_on_writable(job->wsi);
		return;
	}
	job->in_worker = 1;
	struct workers *pool = srv->pool;
	switch (routes_lane(job->req.method, job->req.path)) {
	case ROUTE_LANE_TURN:
		pool = srv->turn_pool;
		break;
	case ROUTE_LANE_HASH:
		pool = srv->hash_pool;
		break;
	case ROUTE_LANE_FAST:
		break;
	}
	if (workers_submit(pool, job_run, job) != 0) {
		job->in_worker = 0;
		respond_now(job, 500, "internal", "The server is shutting down.");
	}
}

/* rate_wait: the rate limiter's answer when it was asked already, else -1. */
static int begin_request(struct lws *wsi, struct http_conn *conn, struct server *srv,
			 const char *uri, int rate_wait)
{
	struct http_job *job = job_new(srv->http);
	if (!job)
		return -1;
	job->wsi = wsi;
	job->conn = conn;
	job->srv = srv;
	atomic_fetch_add(&srv->http->jobs, 1);
	conn->job = job;
	conn->sending = 0;
	job->req.srv = srv;
	job->req.method = method_of(wsi);
	snprintf(job->req.path, sizeof job->req.path, "%s", uri ? uri : "/");
	job->rate_checked = rate_wait >= 0;
	job->rate_wait = rate_wait > 0 ? rate_wait : 0;
	/* The client's address is for the rate limiter alone (a getpeername call). */
	if (!job->rate_checked && ratelimit_on(srv->limiter))
		proxy_client_of(srv, wsi, job->req.client_ip, sizeof job->req.client_ip);
	read_query(wsi, &job->req);
	read_auth(wsi, &job->req);

	/* Draining before exit (SIGTERM): new requests, /health included, are turned
	 * away so that a balancer sends them elsewhere. */
	if (atomic_load(&srv->stopping)) {
		job->close_after = 1;
		job->resp.retry_after = 1;
		respond_now(job, 503, "unavailable", "The server is shutting down; try again.");
		return 0;
	}
	long long length;
	const char *bad = framing_error(wsi, &length);
	if (bad) {
		job->close_after = 1;
		respond_now(job, 400, "bad_request", bad);
		return 0;
	}
	/* A POST without Content-Length has an empty body (RFC 9112 6.3), but it is also
	 * what a folded header line leaves when lws swallows the Content-Length after
	 * it: answer it, then close, so that a body sent anyway never runs as a request. */
	if (length < 0 && job->req.method != M_GET && job->req.method != M_DELETE)
		job->close_after = 1;
	if (length > srv->set.max_body)
		job->too_large = 1;
	int has_body = length > 0;
	if (length > DISCARD_LIMIT) {
		respond_now(job, 413, "payload_too_large", "The body is far too large.");
		return 0;
	}
	if (!has_body || job->req.method == M_GET || job->req.method == M_OTHER)
		dispatch(job);
	return 0; /* the body arrives in LWS_CALLBACK_HTTP_BODY */
}

static void body_chunk(struct http_job *job, const void *in, size_t len)
{
	if (len == 0)
		return; /* nothing to copy, and `in` may be NULL */
	job->body_seen += len;
	if (job->too_large || job->body_seen > (size_t)job->srv->set.max_body) {
		job->too_large = 1;
		return;
	}
	if (job->req.body_len + len + 1 > job->body_cap) {
		size_t cap = job->body_cap ? job->body_cap : 1024;
		while (cap < job->req.body_len + len + 1)
			cap *= 2;
		char *b = realloc(job->req.body, cap);
		if (!b) {
			job->too_large = 1;
			return;
		}
		job->req.body = b;
		job->body_cap = cap;
	}
	memcpy(job->req.body + job->req.body_len, in, len);
	job->req.body_len += len;
	job->req.body[job->req.body_len] = '\0';
}

static void drain_done(struct server *srv)
{
	struct http_state *hs = srv->http;
	pthread_mutex_lock(&hs->lock);
	struct http_job *list = hs->done_head;
	hs->done_head = hs->done_tail = NULL;
	pthread_mutex_unlock(&hs->lock);
	while (list) {
		struct http_job *job = list;
		list = job->next;
		job->next = NULL;
		job->in_worker = 0;
		if (!job->wsi) {
			job_free(job);
			continue;
		}
		job->conn->sending = 1;
		lws_callback_on_writable(job->wsi);
	}
}

/* Room for the headers of an answer. */
#define HEADER_ROOM 1024

/* The loop's output buffer grown to hold headers and body_len bytes of body after
 * LWS_PRE: where the headers start, or NULL when out of memory. */
static unsigned char *out_reserve(struct http_state *hs, size_t body_len)
{
	size_t need = LWS_PRE + HEADER_ROOM + body_len;
	if (hs->out_cap < need) {
		unsigned char *b = realloc(hs->out_buf, need);
		if (!b)
			return NULL;
		hs->out_buf = b;
		hs->out_cap = need;
	}
	return hs->out_buf + LWS_PRE;
}

static int write_response(struct lws *wsi, struct http_conn *conn)
{
	struct http_job *job = conn->job;
	if (!job)
		return 0;
	struct api_resp *resp = &job->resp;
	if (conn->sending == 1) {
		/* HTTP/1 (the connection is the stream): headers and body in one write.
		 * An HTTP/2 stream sends them as frames of their own. */
		struct http_state *hs = job->srv->http;
		int one_write = lws_get_network_wsi(wsi) == wsi;
		unsigned char *start = out_reserve(hs, one_write ? resp->body_len : 0), *p = start;
		if (!start)
			return -1;
		unsigned char *end = start + HEADER_ROOM - 1;
		if (lws_add_http_common_headers(wsi, (unsigned int)resp->status, "application/json",
						resp->body_len, &p, end))
			return -1;
		if (resp->retry_after > 0) {
			char v[16];
			int n = snprintf(v, sizeof v, "%d", resp->retry_after);
			if (lws_add_http_header_by_name(wsi, (const unsigned char *)"retry-after:",
							(const unsigned char *)v, n, &p, end))
				return -1;
		}
		if (lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
						(const unsigned char *)"no-store", 8, &p, end))
			return -1;
		if (one_write) {
			if (lws_finalize_http_header(wsi, &p, end))
				return -1;
			if (resp->body_len > 0) {
				memcpy(p, resp->body, resp->body_len);
				p += resp->body_len;
			}
			if (lws_write(wsi, start, (size_t)(p - start), LWS_WRITE_HTTP_HEADERS) < 0)
				return -1;
		} else {
			if (lws_finalize_write_http_header(wsi, start, &p, end))
				return -1;
			if (resp->body_len > 0) {
				conn->sending = 2;
				lws_callback_on_writable(wsi);
				return 0;
			}
		}
	} else if (conn->sending == 2) {
		unsigned char *buf = malloc(LWS_PRE + resp->body_len);
		if (!buf)
			return -1;
		memcpy(buf + LWS_PRE, resp->body, resp->body_len);
		int n = lws_write(wsi, buf + LWS_PRE, resp->body_len, LWS_WRITE_HTTP_FINAL);
		free(buf);
		if (n < 0)
			return -1;
	} else {
		return 0;
	}
	/* The whole answer is out. */
	int close = job->too_large && job->body_seen > (size_t)DISCARD_LIMIT;
	close = close || job->resp.status == 413 || job->close_after;
	struct http_state *hs = job->srv->http;
	conn->job = NULL;
	conn->sending = 0;
	job_free(job);
	if (close)
		return -1;
	return transaction_done(hs, wsi);
}

/* Headers (as write_response writes them for a 200) and body in the loop's buffer,
 * written at once: called under the cache entry's lock. */
struct cached_out {
	struct lws *wsi;
	struct http_state *hs;
};

static int write_cached(const char *json, size_t len, void *arg)
{
	struct cached_out *o = arg;
	struct http_state *hs = o->hs;
	unsigned char *start = out_reserve(hs, len), *p = start;
	if (!start)
		return -1;
	unsigned char *end = start + HEADER_ROOM - 1;
	if (lws_add_http_common_headers(o->wsi, 200, "application/json", len, &p, end) ||
	    lws_add_http_header_by_name(o->wsi, (const unsigned char *)"cache-control:",
					(const unsigned char *)"no-store", 8, &p, end) ||
	    lws_finalize_http_header(o->wsi, &p, end))
		return -1;
	memcpy(p, json, len);
	p += len;
	/* What the socket does not take now, lws keeps and sends when it can. */
	return lws_write(o->wsi, start, (size_t)(p - start), LWS_WRITE_HTTP_HEADERS) < 0 ? -1 : 0;
}

/*
 * GET /api/v1/products/{id} of a cached active product (the same answer for anyone:
 * product_cache.h), answered in the request's own callback: no job, no copy of the
 * JSON but into the output buffer, no worker hop, no wait for the socket to be
 * writable (issue 16).  Anything else, or anything unusual about the request
 * (draining, a body, HTTP/2), goes the usual way; so does an answer from the rate
 * limiter, which is asked once (*rate_wait).  Returns 1 (not answered here), 0
 * (answered; the connection stays open) or -1 (close it).
 */
static int answer_cached(struct lws *wsi, struct server *srv, const char *uri, int *rate_wait)
{
	*rate_wait = -1;
	if (!uri || lws_get_network_wsi(wsi) != wsi)
		return 1;
	int64_t id = product_cache_id_of(uri);
	if (id <= 0 || lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) <= 0 ||
	    atomic_load(&srv->stopping) ||
	    lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0 ||
	    lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0)
		return 1;
	if (ratelimit_on(srv->limiter)) {
		char client[sizeof ((struct api_req *)0)->client_ip];
		proxy_client_of(srv, wsi, client, sizeof client);
		*rate_wait = rate_take(srv, client);
		if (*rate_wait > 0)
			return 1;
	}
	struct cached_out o = { wsi, srv->http };
	int rc = product_cache_with(id, write_cached, &o);
	if (rc == -1)
		return 1; /* not cached: the worker reads it */
	if (rc != 0)
		return -1; /* a failed write: the connection is broken */
	return transaction_done(srv->http, wsi);
}

static int callback_http(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			 void *in, size_t len)
{
	struct http_conn *conn = user;
	struct server *srv = lws_context_user(lws_get_context(wsi));

	switch (reason) {
	case LWS_CALLBACK_HTTP: {
		if (conn->job) /* pipelined request while one is still going */
			return -1;
		conn->completions = 0;
		int rate_wait;
		int rc = answer_cached(wsi, srv, in, &rate_wait);
		if (rc != 1)
			return rc;
		return begin_request(wsi, conn, srv, in, rate_wait) ? -1 : 0;
	}
	case LWS_CALLBACK_HTTP_BODY:
		if (conn->job && !conn->job->in_worker)
			body_chunk(conn->job, in, len);
		return 0;
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		/* Once per request.  A request pipelined behind another whose client then
		 * hung up before its body came was told complete again and again, without
		 * end (the loop spun and the whole server stopped answering: found by
		 * fuzz_http_raw): close that connection. */
		if (++conn->completions > 1) {
			lws_set_timeout(wsi, PENDING_TIMEOUT_HTTP_CONTENT, LWS_TO_KILL_ASYNC);
			return -1;
		}
		if (conn->job && !conn->job->in_worker && conn->sending == 0)
			dispatch(conn->job);
		return 0;
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return write_response(wsi, conn);
	case LWS_CALLBACK_CLOSED_HTTP:
		if (conn && conn->job) {
			if (conn->job->in_worker) {
				conn->job->wsi = NULL; /* freed when the worker hands it back */
				atomic_store(&conn->job->gone, 1);
			}
			else
				job_free(conn->job);
			conn->job = NULL;
		}
		return 0;
	case LWS_CALLBACK_WSI_DESTROY: /* any connection's, its user data unknown here */
		if (srv && srv->http)
			writable_forget(srv->http, wsi);
		return 0;
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		drain_done(srv);
		buddy_ws_wake(srv);
		if (atomic_load(&srv->stopping) && srv->http && srv->http->loop)
			ev_break(srv->http->loop, EVBREAK_ALL);
		return 0;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static struct lws_protocols protocols[3];

int http_start(struct server *srv, char *err, size_t errlen)
{
	struct http_state *hs = calloc(1, sizeof *hs);
	if (!hs) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pthread_mutex_init(&hs->lock, NULL);
	srv->http = hs;

	protocols[0] = (struct lws_protocols){ .name = "http",
					       .callback = callback_http,
					       .per_session_data_size = sizeof(struct http_conn) };
	protocols[1] = buddy_ws_protocol();
	protocols[2] = (struct lws_protocols){ 0 };

	struct lws_context_creation_info info;
	memset(&info, 0, sizeof info);
	info.port = srv->set.port;
	info.iface = srv->set.listen[0] ? srv->set.listen : NULL;
	info.protocols = protocols;
	info.user = srv;
	info.options = LWS_SERVER_OPTION_VALIDATE_UTF8 | LWS_SERVER_OPTION_DISABLE_IPV6;
	if (strchr(srv->set.listen, ':'))
		info.options &= ~(uint64_t)LWS_SERVER_OPTION_DISABLE_IPV6;
	info.keepalive_timeout = 30;
	info.timeout_secs = 30;
	/* Headers that never complete (a folded line makes lws 4.1 read the rest as one
	 * unknown header name) are dropped after this, not after the default 10 s. */
	info.timeout_secs_ah_idle = 5;
	info.max_http_header_data = 8192;
	info.pt_serv_buf_size = 64 * 1024;
	info.vhost_name = "voxcartd";
	info.server_string = "voxcartd/" VOXCART_VERSION;
	if (srv->set.tls_cert[0]) {
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
		info.ssl_cert_filepath = srv->set.tls_cert;
		info.ssl_private_key_filepath = srv->set.tls_key;
	}
	void *loops[1] = { NULL };
	if (!getenv("VOXCART_POLL_LOOP"))
		hs->loop = ev_loop_new(EVFLAG_AUTO | EVFLAG_NOSIGMASK);
	if (hs->loop) {
		/* lws's libev plugin logs every watcher change at NOTICE: keep lws to
		 * errors and warnings. */
		lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
		loops[0] = hs->loop;
		info.options |= LWS_SERVER_OPTION_LIBEV;
		info.foreign_loops = loops;
		srv->lws = lws_create_context(&info);
		if (!srv->lws) {
			log_warn("http", "the libev event loop is not available (is "
				 "libwebsockets-evlib-ev installed?); using poll()");
			ev_loop_destroy(hs->loop);
			hs->loop = NULL;
			info.options &= ~(uint64_t)LWS_SERVER_OPTION_LIBEV;
			info.foreign_loops = NULL;
		}
	}
	if (!hs->loop)
		srv->lws = lws_create_context(&info);
	if (!srv->lws) {
		snprintf(err, errlen, "cannot listen on %s port %d (in use, or not an address here?)",
			 srv->set.listen, srv->set.port);
		return -1;
	}
	return 0;
}

int http_port(struct server *srv)
{
	struct lws_vhost *vh = srv->lws ? lws_get_vhost_by_name(srv->lws, "voxcartd") : NULL;
	return vh ? lws_get_vhost_listen_port(vh) : srv->set.port;
}

/* lws 4.1's libev plugin re-arms its timer for lws's own timeouts (idle headers,
 * hello deadlines, keep-alive) only when a socket was active; a wake of the loop is
 * activity, so a tick every quarter second keeps those timeouts on time. */
static void tick(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	struct server *srv = w->data;
	lws_cancel_service(srv->lws);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int http_busy(struct server *srv)
{
	return (srv->http ? atomic_load(&srv->http->jobs) : 0) + workers_busy(srv->turn_pool) +
	       workers_busy(srv->hash_pool) + workers_busy(srv->pool);
}

/* SIGTERM: the loop keeps turning until the requests being read, handled or answered
 * and the buddy turns under way are done (their answers written), or drain_seconds
 * have passed; meanwhile new requests get 503.  Idle keep-alive connections do not
 * hold it up. */
static void drain(struct server *srv)
{
	struct http_state *hs = srv->http;
	double deadline = now_s() + srv->set.drain_seconds;
	int quiet = 0;
	int busy = 0;
	while (now_s() < deadline) {
		busy = http_busy(srv);
		/* A few quiet turns of the loop: the last answers and turn events are written. */
		if (busy == 0 && ++quiet > 4)
			break;
		if (busy)
			quiet = 0;
		if (hs->loop)
			ev_run(hs->loop, EVRUN_ONCE);
		else if (lws_service(srv->lws, 0) < 0)
			break;
	}
	if (busy)
		log_warn("http", "shutting down with %d requests or turns unfinished after %d s",
			 busy, srv->set.drain_seconds);
}

void http_run(struct server *srv)
{
	/* Unpaid orders expire: a ticker thread queues the expiry job on the worker pool
	 * every few seconds (orders.h); it ends when srv->stopping is set. */
	pthread_t ticker;
	int ticking = pthread_create(&ticker, NULL, orders_expiry_ticker, srv) == 0;
	if (!ticking)
		log_error("http", "cannot start the order expiry thread");
	if (srv->http->loop) {
		ev_timer ticker_w;
		ev_timer_init(&ticker_w, tick, 0.25, 0.25);
		ticker_w.data = srv;
		ev_timer_start(srv->http->loop, &ticker_w);
		ev_prepare_init(&srv->http->prepare, tell_writable);
		srv->http->prepare.data = srv;
		ev_prepare_start(srv->http->loop, &srv->http->prepare);
		while (!atomic_load(&srv->stopping))
			ev_run(srv->http->loop, 0); /* until ev_break on stopping */
		drain(srv); /* the ticker keeps waking it to look at the clock */
		ev_timer_stop(srv->http->loop, &ticker_w);
		ev_prepare_stop(srv->http->loop, &srv->http->prepare);
		srv->http->nwritable = 0;
	} else {
		while (!srv->stopping)
			if (lws_service(srv->lws, 0) < 0)
				break;
	}
	srv->stopping = 1;
	if (!srv->http->loop)
		drain(srv);
	if (ticking)
		pthread_join(ticker, NULL);
}

void http_wake(struct server *srv)
{
	if (srv->lws)
		lws_cancel_service(srv->lws);
}

void http_stop(struct server *srv)
{
	if (srv->lws)
		lws_context_destroy(srv->lws);
	srv->lws = NULL;
	if (srv->http && srv->http->loop) {
		ev_loop_destroy(srv->http->loop);
		srv->http->loop = NULL;
	}
	if (srv->http) {
		/* Jobs still on the done list belong to connections that are gone now. */
		struct http_job *j = srv->http->done_head;
		while (j) {
			struct http_job *next = j->next;
			job_free(j);
			j = next;
		}
		while (srv->http->spare_jobs) {
			struct http_job *next = srv->http->spare_jobs->next;
			free(srv->http->spare_jobs);
			srv->http->spare_jobs = next;
		}
		free(srv->http->out_buf);
		free(srv->http->writable);
		pthread_mutex_destroy(&srv->http->lock);
		free(srv->http);
		srv->http = NULL;
	}
}
