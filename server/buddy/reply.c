/*
 * reply.c - building and streaming the buddy's sentences.
 *
 * The reply buffer keeps the whole text for the caller; each sentence is sent as
 * its own delta.  When the buffer is full further sentences are dropped rather than
 * cut, so speech never stops mid-word.  A cancelled turn stops sending at once.
 */
#include "buddy/reply.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "buddy/numbers.h"

void reply_init(struct reply *r, const struct buddy_output *out, int frustrated)
{
	memset(r, 0, sizeof *r);
	r->out = out;
	r->frustrated = frustrated;
}

void reply_say(struct reply *r, const char *fmt, ...)
{
	char s[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(s, sizeof s - 3, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	size_t len = strlen(s);
	while (len > 0 && s[len - 1] == ' ')
		s[--len] = '\0';
	if (len == 0)
		return;
	s[0] = (char)toupper((unsigned char)s[0]);
	if (!strchr(".?!", s[len - 1]))
		s[len++] = '.';
	s[len++] = ' ';
	s[len] = '\0';
	if (r->len + len >= sizeof r->text)
		return;
	if (r->out && r->out->cancelled && r->out->cancelled(r->out->ctx))
		return;
	/* no sentence twice in one reply ("We have X. We have X.") */
	for (const char *hit = strstr(r->text, s); hit; hit = strstr(hit + 1, s))
		if (hit == r->text || hit[-1] == ' ')
			return;
	memcpy(r->text + r->len, s, len + 1);
	r->len += len;
	r->sentences++;
	if (r->out && r->out->delta)
		r->out->delta(r->out->ctx, s);
}

void reply_apologise(struct reply *r)
{
	if (r->frustrated && !r->apologised) {
		r->apologised = 1;
		reply_say(r, "Sorry about that.");
	}
}

void reply_count(long n, char *out, size_t len)
{
	num_to_words(n, out, len);
}

void reply_money(int64_t cents, const char *currency, char *out, size_t len)
{
	const char *one = "dollar", *many = "dollars", *c1 = "cent", *cn = "cents";
	if (currency && !strcmp(currency, "EUR"))
		one = "euro", many = "euros";
	else if (currency && !strcmp(currency, "GBP"))
		one = "pound", many = "pounds", c1 = "penny", cn = "pence";
	if (cents < 0)
		cents = -cents;
	int64_t whole = cents / 100, part = cents % 100;
	char w[160], p[64];
	num_to_words((long)(whole > 999999999 ? 999999999 : whole), w, sizeof w);
	num_to_words((long)part, p, sizeof p);
	if (whole == 0)
		snprintf(out, len, "%s %s", p, part == 1 ? c1 : cn);
	else if (part == 0)
		snprintf(out, len, "%s %s", w, whole == 1 ? one : many);
	else
		snprintf(out, len, "%s %s %s", w, whole == 1 ? one : many, p);
}

void reply_title(const cJSON *obj, char *out, size_t len)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(obj, "title");
	const char *s = cJSON_IsString(t) ? t->valuestring : "that item";
	size_t o = 0;
	if (len == 0)
		return;
	int depth = 0;
	for (const char *p = s; *p && o + 5 < len; p++) {
		char c = *p;
		/* "(bunch of 6)": asides in brackets are not read out */
		if (c == '(' || c == '[') {
			depth++;
			continue;
		}
		if ((c == ')' || c == ']') && depth > 0) {
			depth--;
			continue;
		}
		if (depth > 0)
			continue;
		if (c == '&') {
			o += (size_t)snprintf(out + o, len - o, "%sand", o && out[o - 1] != ' ' ? " " : "");
			continue;
		}
		if (strchr("()[]{}\"*_#|<>", c) || (unsigned char)c < 0x20)
			c = ' ';
		if (c == ' ' && (o == 0 || out[o - 1] == ' '))
			continue;
		out[o++] = c;
	}
	while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == ',' || out[o - 1] == '-'))
		o--;
	out[o] = '\0';
	if (o == 0)
		snprintf(out, len, "that item");
}

void reply_list(const char *const *parts, int n, const char *conj, char *out, size_t len)
{
	size_t o = 0;
	if (len == 0)
		return;
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		const char *sep = i == 0 ? "" : i == n - 1 ? " " : ", ";
		int w = snprintf(out + o, len - o, "%s%s%s%s", sep, i > 0 && i == n - 1 ? conj : "",
				 i > 0 && i == n - 1 ? " " : "", parts[i]);
		if (w < 0 || (size_t)w >= len - o)
			return;
		o += (size_t)w;
	}
}

void reply_price_of(const cJSON *obj, char *out, size_t len)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(obj, "price_cents");
	if (!cJSON_IsNumber(p))
		p = cJSON_GetObjectItemCaseSensitive(obj, "unit_price_cents");
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(obj, "currency");
	reply_money(cJSON_IsNumber(p) ? (int64_t)p->valuedouble : 0,
		    cJSON_IsString(c) ? c->valuestring : NULL, out, len);
}
