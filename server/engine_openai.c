/*
 * engine_openai.c - a buddy turn through an OpenAI-compatible chat-completions
 * endpoint (see engine_openai.h).
 *
 * A turn is a few requests.  Each POSTs {model, stream:true, messages, tools} to
 * {openai_url}/chat/completions and reads the answer as server-sent events while it
 * arrives (libcurl's write callback): "data: {chat.completion.chunk}" events ending
 * with "data: [DONE]".  Text pieces (choices[0].delta.content) are buffered, and
 * each sentence goes to out->delta as soon as its end is seen, so speech starts
 * while the model is still writing.  Tool-call pieces (delta.tool_calls[]: index,
 * id, function name and arguments in fragments) are put together by index.  When a
 * request ends with tool calls, they run through engine_openai_tools.c, the
 * assistant's tool_calls message and one "tool" message per call are appended, and
 * the next request goes out: at most openai_max_rounds such rounds, then one more
 * with tool_choice "none" so the model has to answer in words.  An endpoint that
 * ignores "stream" and answers with one chat.completion JSON is understood too.
 *
 * Failure (no connection, timeout, non-200, a malformed or cut-off stream, an empty
 * answer): while nothing has been said or done in the turn, it returns -1 and the
 * built-in engine answers instead; after that the reply ends with a short apology.
 * A cancel (barge-in) stops the transfer from curl's progress callback.
 *
 * Secrets, as outside.h says: the API key comes from the environment variable the
 * config names, goes only into the Authorization header (wiped after the transfer),
 * and is scrubbed from anything logged (an endpoint's error message may quote it).
 */
#include "engine_openai.h"
#include "buddy/buddy.h"
#include "buddy/sentiment.h"
#include "engine_openai_tools.h"
#include "log.h"
#include "outside.h"
#include "server.h"
#include "store/store.h"
#include "utf8.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define LOG_MOD "openai"
#define MAX_CALLS 16                /* tool calls in one answer */
#define LINE_MAX_BYTES (1 << 20)    /* one stream line */
#define RAW_MAX_BYTES (1 << 20)     /* a non-stream answer or an error body */
#define ARGS_MAX_BYTES (64 << 10)   /* one tool call's arguments */
#define TEXT_MAX_BYTES (16 << 10)   /* reply text of one answer */
#define DEFAULT_TIMEOUT_MS 8000
#define DEFAULT_MAX_ROUNDS 4

static const char system_prompt[] =
	"You are the shopping buddy of voxcart, a shop people use by voice from their terminal. "
	"Everything you write is read aloud by a speech synthesiser, so answer in one to three short, "
	"plain sentences: no lists, no markdown, no emoji, no links. Say prices in words (\"four dollars "
	"forty nine\"), never with symbols or digits, and say quantities in words. "
	"Use the tools for everything about products, the cart and orders: search before you name or add "
	"a product, use the product ids the tools return, and never invent products, prices, stock or "
	"orders. To check out, call checkout_prepare, tell the shopper the total, the card and the city, "
	"and ask whether to place the order; call place_order only when their next message says yes. "
	"When a tool reports an error, say briefly what went wrong and what the shopper can do. "
	"The shopper's words may come from speech recognition and be misheard: when unsure, ask.";

/* A growing NUL-terminated byte string. */
struct buf {
	char *p;
	size_t len, cap;
};

struct oa_config {
	char url[2048];      /* the full chat-completions URL */
	char model[256];     /* "" = not sent */
	char key_env[128];   /* "" = no key */
	long timeout_ms;
	long max_rounds;
};

struct oa_call {
	struct buf id, name, args;
};

struct oa_turn {
	struct server *srv;
	const struct buddy_output *out;
	struct oa_config cfg;
	const char *key;        /* the API key or NULL; never logged */
	cJSON *messages;        /* the conversation sent with every request */
	cJSON *tools_schema;
	struct buf pending;     /* reply text not yet a whole sentence */
	struct buf reply;       /* everything sent through out->delta */
	struct engine_openai_tool_turn tt;
	int cancelled;
	int requests;
};

/* One request and its answer. */
struct oa_round {
	struct oa_turn *t;
	CURL *curl;
	long status;
	struct buf line, data, raw, content;
	int sse, done, bad;
	char why[256];
	char finish[32];
	struct oa_call calls[MAX_CALLS];
	int ncalls;
	struct outside_transfer xfer;
};

enum round_end { ROUND_OK, ROUND_FAILED, ROUND_CANCELLED };

/* ---- small helpers ---- */

static int buf_add(struct buf *b, const char *s, size_t n, size_t max)
{
	if (b->len + n > max)
		return -1;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static void buf_clear(struct buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

static void buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

static const char *buf_str(const struct buf *b)
{
	return b->p ? b->p : "";
}

/* A copy of s with every byte that is not part of well-formed UTF-8 replaced by '?'
 * (the endpoint wants valid JSON strings).  The caller frees it. */
static char *clean_utf8(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(n + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t len = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
			   : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
		if (len && i + len <= n && utf8_valid(s + i, len)) {
			memcpy(out + o, s + i, len);
			o += len;
			i += len;
		} else {
			out[o++] = '?';
			i++;
		}
	}
	out[o] = '\0';
	return out;
}

static int turn_cancelled(struct oa_turn *t)
{
	if (!t->cancelled && t->out->cancelled && t->out->cancelled(t->out->ctx))
		t->cancelled = 1;
	return t->cancelled;
}

static int turn_poll_cancel(void *t)
{
	return turn_cancelled(t);
}

static int turn_emitted(const struct oa_turn *t)
{
	return t->reply.len > 0 || t->tt.actions > 0;
}

/* ---- config ---- */

static int config_read(const struct server *srv, struct oa_config *c, char *why, size_t whylen)
{
	if (outside_url(&srv->cfg, "buddy.openai_url", "/chat/completions", c->url, sizeof c->url, why,
			whylen) != 0)
		return -1;
	snprintf(c->model, sizeof c->model, "%s", config_get_str(&srv->cfg, "buddy.openai_model", ""));
	snprintf(c->key_env, sizeof c->key_env, "%s", config_get_str(&srv->cfg, "buddy.openai_api_key_env", ""));
	c->timeout_ms = outside_config_long(&srv->cfg, LOG_MOD, "buddy.openai_timeout_ms",
					    DEFAULT_TIMEOUT_MS, 100, 600000);
	c->max_rounds = outside_config_long(&srv->cfg, LOG_MOD, "buddy.openai_max_rounds",
					    DEFAULT_MAX_ROUNDS, 0, 16);
	return 0;
}

int engine_openai_enabled(const struct server *srv)
{
	const char *url = config_get(&srv->cfg, "buddy.openai_url");
	return outside_chosen(&srv->cfg, "buddy.engine") && url && *url;
}

/* ---- speaking: whole sentences as soon as they end ---- */

static int has_letter(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (isalpha((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80)
			return 1;
	return 0;
}

/* Sends one sentence (trimmed; given an end mark when it has none). */
static void say_sentence(struct oa_turn *t, const char *s, size_t n)
{
	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (!has_letter(s, n) && strspn(s, ".?!\"')] ") >= n)
		return; /* the tail of a sentence already said ("..." or a quote) */
	char *sentence = malloc(n + 3);
	if (!sentence)
		return;
	memcpy(sentence, s, n);
	size_t k = n;
	while (k > 0 && strchr("\"')]", sentence[k - 1]))
		k--;
	if (k == 0 || !strchr(".?!", sentence[k - 1]))
		sentence[n++] = '.';
	sentence[n++] = ' ';
	sentence[n] = '\0';
	if (t->out->delta)
		t->out->delta(t->out->ctx, sentence);
	buf_add(&t->reply, sentence, n, (size_t)-1 / 2);
	free(sentence);
}

/* Sends every complete sentence of the pending text; all=1 sends the rest too. */
static void say_ready(struct oa_turn *t, int all)
{
	char *p = t->pending.p;
	size_t len = t->pending.len, start = 0;
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\n') {
			say_sentence(t, p + start, i - start);
			start = i + 1;
			continue;
		}
		if (!strchr(".?!", p[i]) || p[i] == '\0')
			continue;
		size_t j = i + 1;
		while (j < len && strchr(".?!\"')]", p[j]) && p[j] != '\0')
			j++;
		/* at the end of what has arrived, "word." is taken as an end too, so a
		 * pause in the stream does not hold a finished sentence back; "4." is not
		 * ("4.49" may follow) */
		int at_end = j == len && (p[i] != '.' || (i > start && isalpha((unsigned char)p[i - 1])));
		if ((at_end || (j < len && (p[j] == ' ' || p[j] == '\n'))) && has_letter(p + start, j - start)) {
			say_sentence(t, p + start, j - start);
			start = j;
			i = j - 1;
		}
	}
	if (all && start < len) {
		say_sentence(t, p + start, len - start);
		start = len;
	}
	if (start > 0) {
		memmove(p, p + start, len - start);
		t->pending.len = len - start;
		p[t->pending.len] = '\0';
	}
}

/* A piece of the model's text: markup a voice would read out is dropped. */
static void say_piece(struct oa_turn *t, const char *piece)
{
	for (const char *s = piece; *s; s++) {
		char c = *s;
		if (c == '*' || c == '`' || c == '#' || c == '_')
			continue;
		if (c == '\r' || c == '\t')
			c = ' ';
		if (buf_add(&t->pending, &c, 1, TEXT_MAX_BYTES) != 0) {
			say_ready(t, 1);
			buf_add(&t->pending, &c, 1, TEXT_MAX_BYTES);
		}
	}
	say_ready(t, 0);
}

/* ---- reading the answer ---- */

static void round_fail(struct oa_round *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void round_fail(struct oa_round *r, const char *fmt, ...)
{
	if (r->bad)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof r->why, fmt, ap);
	va_end(ap);
	r->bad = 1;
}

/* Applies a message or a delta: text to the reply, tool-call pieces to the calls. */
static void apply_delta(struct oa_round *r, const cJSON *delta)
{
	const char *content = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(delta, "content"));
	if (content && *content) {
		say_piece(r->t, content);
		buf_add(&r->content, content, strlen(content), TEXT_MAX_BYTES);
	}
	const cJSON *tc;
	int pos = 0;
	cJSON_ArrayForEach(tc, cJSON_GetObjectItemCaseSensitive(delta, "tool_calls")) {
		const cJSON *ix = cJSON_GetObjectItemCaseSensitive(tc, "index");
		int i = cJSON_IsNumber(ix) ? ix->valueint : pos;
		pos++;
		if (i < 0 || i >= MAX_CALLS) {
			round_fail(r, "more than %d tool calls in one answer", MAX_CALLS);
			return;
		}
		struct oa_call *c = &r->calls[i];
		if (i >= r->ncalls)
			r->ncalls = i + 1;
		const cJSON *fn = cJSON_GetObjectItemCaseSensitive(tc, "function");
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tc, "id"));
		const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(fn, "name"));
		const char *args = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(fn, "arguments"));
		if (id && *id) {
			buf_clear(&c->id);
			buf_add(&c->id, id, strlen(id), 256);
		}
		if (name && c->name.len && strcmp(name, c->name.p) == 0)
			name = NULL; /* some servers repeat the whole name in every piece */
		if ((name && buf_add(&c->name, name, strlen(name), 128) != 0) ||
		    (args && buf_add(&c->args, args, strlen(args), ARGS_MAX_BYTES) != 0))
			round_fail(r, "a tool call is too long");
	}
}

static void apply_error(struct oa_round *r, const cJSON *err)
{
	const char *m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(err, "message"));
	round_fail(r, "the endpoint reported an error: %.160s", m ? m : cJSON_IsString(err) ? err->valuestring : "?");
}

/* One event's data: a chat.completion.chunk, or [DONE]. */
static void on_event(struct oa_round *r)
{
	const char *data = buf_str(&r->data);
	if (strcmp(data, "[DONE]") == 0) {
		r->done = 1;
		return;
	}
	cJSON *ev = cJSON_Parse(data);
	if (!cJSON_IsObject(ev)) {
		cJSON_Delete(ev);
		round_fail(r, "malformed stream event (%zu bytes, not a JSON object)", r->data.len);
		return;
	}
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(ev, "error");
	if (err && !cJSON_IsNull(err)) {
		apply_error(r, err);
	} else {
		const cJSON *choice = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(ev, "choices"), 0);
		apply_delta(r, cJSON_GetObjectItemCaseSensitive(choice, "delta"));
		const char *fr = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(choice, "finish_reason"));
		if (fr)
			snprintf(r->finish, sizeof r->finish, "%s", fr);
	}
	cJSON_Delete(ev);
}

/* One line of the answer (without its newline).  SSE: "data:" lines gather into
 * the current event, an empty line ends it, ":" lines are comments. */
static void on_line(struct oa_round *r)
{
	char *line = r->line.p ? r->line.p : "";
	size_t len = r->line.len;
	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	if (len == 0) {
		if (r->data.len > 0)
			on_event(r);
		buf_clear(&r->data);
	} else if (strncmp(line, "data:", 5) == 0) {
		const char *v = line + 5 + (line[5] == ' ');
		r->sse = 1;
		if ((r->data.len && buf_add(&r->data, "\n", 1, LINE_MAX_BYTES) != 0) ||
		    buf_add(&r->data, v, strlen(v), LINE_MAX_BYTES) != 0)
			round_fail(r, "a stream event is too long");
	} else if (line[0] == ':' || strncmp(line, "event:", 6) == 0 || strncmp(line, "id:", 3) == 0 ||
		   strncmp(line, "retry:", 6) == 0) {
		/* nothing to do */
	} else if (!r->sse) {
		/* not a stream: a whole JSON answer, parsed at the end */
		if (buf_add(&r->raw, line, len, RAW_MAX_BYTES) != 0 || buf_add(&r->raw, "\n", 1, RAW_MAX_BYTES) != 0)
			round_fail(r, "the answer is too long");
	} else {
		round_fail(r, "malformed stream line");
	}
	buf_clear(&r->line);
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct oa_round *r = userdata;
	size_t n = size * nmemb;
	if (turn_cancelled(r->t))
		return 0;
	if (!r->status)
		curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &r->status);
	if (r->status != 200) {
		size_t room = RAW_MAX_BYTES > r->raw.len ? RAW_MAX_BYTES - r->raw.len : 0;
		buf_add(&r->raw, ptr, n < room ? n : room, RAW_MAX_BYTES);
		return n;
	}
	for (size_t i = 0; i < n && !r->bad;) {
		char *nl = memchr(ptr + i, '\n', n - i);
		size_t span = nl ? (size_t)(nl - (ptr + i)) : n - i;
		if (buf_add(&r->line, ptr + i, span, LINE_MAX_BYTES) != 0) {
			round_fail(r, "a stream line is too long");
			break;
		}
		i += span;
		if (nl) {
			on_line(r);
			i++;
		}
		if (turn_cancelled(r->t))
			return 0;
	}
	return r->bad ? 0 : n;
}

/* After the transfer: the non-stream answer, or why the answer is no good. */
static void round_finish(struct oa_round *r, CURLcode rc)
{
	if (r->line.len > 0)
		on_line(r);
	if (r->data.len > 0)
		on_event(r);
	if (r->bad)
		return;
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		round_fail(r, "no complete answer within %ld ms", r->t->cfg.timeout_ms);
		return;
	}
	if (rc != CURLE_OK) {
		char why[sizeof r->why];
		outside_failure(rc, r->xfer.errbuf, 0, why, sizeof why);
		round_fail(r, "%s", why);
		return;
	}
	if (!r->status)
		curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &r->status);
	cJSON *body = r->raw.len ? cJSON_Parse(r->raw.p) : NULL;
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(body, "error");
	if (r->status != 200) {
		const char *m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(err, "message"));
		round_fail(r, "HTTP status %ld%s%.160s", r->status, m ? ": " : "", m ? m : "");
	} else if (!r->sse) {
		const cJSON *choice = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(body, "choices"), 0);
		if (err && !cJSON_IsNull(err)) {
			apply_error(r, err);
		} else if (!cJSON_IsObject(choice)) {
			round_fail(r, "the answer is neither an event stream nor a chat completion");
		} else {
			apply_delta(r, cJSON_GetObjectItemCaseSensitive(choice, "message"));
			const char *fr = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(choice, "finish_reason"));
			snprintf(r->finish, sizeof r->finish, "%s", fr ? fr : "stop");
		}
	} else if (!r->done && !r->finish[0]) {
		round_fail(r, "the stream ended before the answer did");
	}
	cJSON_Delete(body);
}

/* ---- one request ---- */

static char *request_body(struct oa_turn *t, int last)
{
	cJSON *body = cJSON_CreateObject();
	if (t->cfg.model[0])
		cJSON_AddStringToObject(body, "model", t->cfg.model);
	cJSON_AddBoolToObject(body, "stream", 1);
	cJSON_AddItemReferenceToObject(body, "messages", t->messages);
	if (t->tools_schema) {
		cJSON_AddItemReferenceToObject(body, "tools", t->tools_schema);
		cJSON_AddStringToObject(body, "tool_choice", last ? "none" : "auto");
	}
	char *text = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	return text;
}

static enum round_end round_run(struct oa_turn *t, struct oa_round *r, CURL *curl, int last)
{
	r->t = t;
	r->curl = curl;
	char *body = request_body(t, last);
	if (!body) {
		round_fail(r, "out of memory");
		return ROUND_FAILED;
	}
	struct outside_request req = { .url = t->cfg.url, .timeout_ms = t->cfg.timeout_ms,
				       .cancelled = turn_poll_cancel, .ctx = t };
	req.headers = curl_slist_append(NULL, "Content-Type: application/json");
	req.headers = curl_slist_append(req.headers, "Accept: text/event-stream");
	req.headers = outside_headers_auth(req.headers, t->key);
	curl_easy_reset(curl);
	outside_setopt(curl, &req, &r->xfer);
	curl_easy_setopt(curl, CURLOPT_POST, 1L);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
	t->requests++;
	CURLcode rc = curl_easy_perform(curl);
	outside_headers_free(req.headers); /* it holds the key: wiped before freed */
	free(body);
	if (turn_cancelled(t))
		return ROUND_CANCELLED;
	round_finish(r, rc);
	return r->bad ? ROUND_FAILED : ROUND_OK;
}

static void round_free(struct oa_round *r)
{
	buf_free(&r->line);
	buf_free(&r->data);
	buf_free(&r->raw);
	buf_free(&r->content);
	for (int i = 0; i < MAX_CALLS; i++) {
		buf_free(&r->calls[i].id);
		buf_free(&r->calls[i].name);
		buf_free(&r->calls[i].args);
	}
}

static int named_calls(const struct oa_round *r)
{
	int n = 0;
	for (int i = 0; i < r->ncalls; i++)
		n += r->calls[i].name.len > 0;
	return n;
}

/* Runs the answer's tool calls and appends the assistant's tool_calls message and
 * one "tool" message per call to the conversation. */
static void run_tool_calls(struct oa_turn *t, struct oa_round *r, int round)
{
	cJSON *msg = cJSON_CreateObject();
	cJSON_AddStringToObject(msg, "role", "assistant");
	if (r->content.len)
		cJSON_AddStringToObject(msg, "content", r->content.p);
	else
		cJSON_AddNullToObject(msg, "content");
	cJSON *calls = cJSON_AddArrayToObject(msg, "tool_calls");
	cJSON_AddItemToArray(t->messages, msg);
	for (int i = 0; i < r->ncalls && !turn_cancelled(t); i++) {
		struct oa_call *c = &r->calls[i];
		if (c->name.len == 0)
			continue;
		if (c->id.len == 0) {
			char id[32];
			int n = snprintf(id, sizeof id, "call_%d_%d", round, i);
			buf_add(&c->id, id, (size_t)n, 256);
		}
		cJSON *args = cJSON_Parse(buf_str(&c->args));
		const char *args_text = cJSON_IsObject(args) ? buf_str(&c->args) : "{}";
		cJSON *call = cJSON_CreateObject();
		cJSON_AddStringToObject(call, "id", buf_str(&c->id));
		cJSON_AddStringToObject(call, "type", "function");
		cJSON *fn = cJSON_AddObjectToObject(call, "function");
		cJSON_AddStringToObject(fn, "name", buf_str(&c->name));
		cJSON_AddStringToObject(fn, "arguments", args_text);
		cJSON_AddItemToArray(calls, call);
		cJSON_Delete(args);

		char *result = engine_openai_tools_run(&t->tt, buf_str(&c->name), buf_str(&c->args));
		log_debug(LOG_MOD, "tool %s: %.200s", buf_str(&c->name), result ? result : "(no memory)");
		cJSON *tool = cJSON_CreateObject();
		cJSON_AddStringToObject(tool, "role", "tool");
		cJSON_AddStringToObject(tool, "tool_call_id", buf_str(&c->id));
		cJSON_AddStringToObject(tool, "content", result ? result : "{\"error\":{\"code\":\"internal\"}}");
		cJSON_AddItemToArray(t->messages, tool);
		free(result);
	}
}

/* ---- the turn ---- */

static void add_message(cJSON *messages, const char *role, const char *content)
{
	char *clean = clean_utf8(content);
	if (!clean)
		return;
	cJSON *m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "role", role);
	cJSON_AddStringToObject(m, "content", clean);
	cJSON_AddItemToArray(messages, m);
	free(clean);
}

static cJSON *build_messages(const cJSON *history, const char *text)
{
	cJSON *messages = cJSON_CreateArray(), *h;
	add_message(messages, "system", system_prompt);
	cJSON_ArrayForEach(h, history) {
		const char *role = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "role"));
		const char *content = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "content"));
		if (role && content && *content && (!strcmp(role, "user") || !strcmp(role, "assistant")))
			add_message(messages, role, content);
	}
	add_message(messages, "user", text ? text : "");
	return messages;
}

static void turn_free(struct oa_turn *t)
{
	cJSON_Delete(t->messages);
	cJSON_Delete(t->tools_schema);
	buf_free(&t->pending);
	buf_free(&t->reply);
}

/* Runs the rounds; 0 when the model answered, -1 with why filled when a request
 * failed. */
static int run_rounds(struct oa_turn *t, char *why, size_t whylen)
{
	CURL *curl = curl_easy_init();
	if (!curl) {
		snprintf(why, whylen, "cannot start libcurl");
		return -1;
	}
	int rc = 0;
	for (long round = 0; round <= t->cfg.max_rounds; round++) {
		struct oa_round r;
		memset(&r, 0, sizeof r);
		int last = round == t->cfg.max_rounds;
		enum round_end end = round_run(t, &r, curl, last);
		if (end == ROUND_OK)
			say_ready(t, 1);
		else
			buf_clear(&t->pending); /* half a sentence is not worth saying */
		if (end == ROUND_FAILED) {
			snprintf(why, whylen, "%s", r.why);
			rc = -1;
		} else if (end == ROUND_OK && named_calls(&r) > 0 && !last) {
			run_tool_calls(t, &r, (int)round);
			round_free(&r);
			if (!turn_cancelled(t))
				continue;
		}
		round_free(&r);
		break;
	}
	curl_easy_cleanup(curl);
	return rc;
}

int engine_openai_turn(struct server *srv, struct buddy_state *st,
		       const struct buddy_tools *tools, const struct buddy_output *out,
		       const cJSON *history, const char *text, struct buddy_turn_info *info)
{
	struct oa_turn t;
	memset(&t, 0, sizeof t);
	/* first, whatever happens next: the turn before's checkout question is good
	 * for this turn only */
	engine_openai_tools_turn_start(&t.tt, st ? buddy_state_offer(st) : NULL);
	char why[256] = "";
	struct timespec ts0, ts1;
	clock_gettime(CLOCK_MONOTONIC, &ts0);
	if (config_read(srv, &t.cfg, why, sizeof why) != 0) {
		log_warn(LOG_MOD, "%s; the built-in engine answers", why);
		return -1;
	}
	outside_start();
	t.srv = srv;
	t.out = out;
	if (outside_key(t.cfg.key_env, LOG_MOD, "the request goes without an API key", NULL, &t.key,
			why, sizeof why) != 0) {
		log_warn(LOG_MOD, "%s (%s); the built-in engine answers this turn", why, t.cfg.url);
		return -1;
	}
	t.messages = build_messages(history, text);
	t.tools_schema = engine_openai_tools_schema();
	t.tt.tools = tools;
	t.tt.out = out;
	t.tt.text = text ? text : "";

	int failed = run_rounds(&t, why, sizeof why) != 0;
	outside_scrub(why, t.key);
	if (!turn_cancelled(&t)) {
		if (failed && !turn_emitted(&t)) {
			log_warn(LOG_MOD, "%s (%s); the built-in engine answers this turn", why, t.cfg.url);
			turn_free(&t);
			return -1;
		}
		if (failed) {
			log_warn(LOG_MOD, "%s (%s), in the middle of a reply", why, t.cfg.url);
			static const char sorry[] = "Sorry, I lost my connection for a moment and couldn't finish that.";
			say_sentence(&t, sorry, strlen(sorry));
		} else if (t.reply.len == 0 && t.tt.actions > 0) {
			say_sentence(&t, "Done.", strlen("Done."));
		} else if (t.reply.len == 0) {
			log_warn(LOG_MOD, "the model gave an empty answer; the built-in engine answers this turn");
			turn_free(&t);
			return -1;
		}
	}
	engine_openai_tools_turn_end(&t.tt, buf_str(&t.reply));
	memset(info, 0, sizeof *info);
	snprintf(info->intent, sizeof info->intent, "%s", t.tt.intent[0] ? t.tt.intent : "llm");
	info->sentiment = senti_score(text);
	info->frustrated = senti_frustrated(info->sentiment, senti_cues(text), 0);
	clock_gettime(CLOCK_MONOTONIC, &ts1);
	log_debug(LOG_MOD, "turn: %d request(s), %d action(s), %.0f ms%s", t.requests, t.tt.actions,
		  (double)(ts1.tv_sec - ts0.tv_sec) * 1000.0 + (double)(ts1.tv_nsec - ts0.tv_nsec) / 1e6,
		  t.cancelled ? ", cancelled" : "");
	turn_free(&t);
	return 0;
}

/* ---- history from storage ---- */

cJSON *engine_openai_history(struct store *store, int64_t conversation_id, int max_messages)
{
	cJSON *history = cJSON_CreateArray();
	if (max_messages <= 0)
		return history;
	struct store_messages l;
	if (store_conv_messages(store, conversation_id, max_messages, &l) != STORE_OK) {
		cJSON_Delete(history);
		return NULL;
	}
	for (size_t i = 0; i < l.count; i++) {
		cJSON *m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "role", !strcmp(l.items[i].role, "buddy") ? "assistant" : "user");
		cJSON_AddStringToObject(m, "content", l.items[i].text);
		cJSON_AddItemToArray(history, m);
	}
	store_messages_free(&l);
	return history;
}
