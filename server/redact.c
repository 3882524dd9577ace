/*
 * redact.c - secrets taken out of buddy messages (see redact.h).
 */
#include "redact.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MASK "[removed]"
#define MAX_GROUPS 32

struct buf {
	char *s;
	size_t len, cap;
	int oom;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->s, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	if (n)
		memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_alnum(char c)
{
	return isalnum((unsigned char)c) != 0;
}

/* Luhn over the digits of text[from, to). */
static int luhn_ok(const char *text, size_t from, size_t to)
{
	int sum = 0, dbl = 0;
	for (size_t i = to; i > from; i--) {
		char c = text[i - 1];
		if (!is_digit(c))
			continue;
		int d = c - '0';
		if (dbl) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
		dbl = !dbl;
	}
	return sum % 10 == 0;
}

/* Card numbers: runs of digit groups joined by one space or dash; within a run, the
 * longest stretch of whole groups holding 13-19 digits that passes Luhn. */
static char *redact_cards(const char *text, int *found)
{
	struct buf out = { 0 };
	size_t n = strlen(text), i = 0, copied = 0;
	while (i < n) {
		if (!is_digit(text[i]) || (i > 0 && is_alnum(text[i - 1]))) {
			i++;
			continue;
		}
		size_t gs[MAX_GROUPS], ge[MAX_GROUPS];
		int groups = 0;
		size_t j = i;
		for (;;) {
			size_t s = j;
			while (j < n && is_digit(text[j]))
				j++;
			gs[groups] = s;
			ge[groups] = j;
			groups++;
			if (groups == MAX_GROUPS || j + 1 >= n || (text[j] != ' ' && text[j] != '-') ||
			    !is_digit(text[j + 1]))
				break;
			j++;
		}
		size_t run_end = ge[groups - 1];
		if (run_end < n && is_alnum(text[run_end])) { /* "4242...x": a code, not a card */
			i = run_end;
			continue;
		}
		int a = 0;
		while (a < groups) {
			int best = -1;
			size_t digits = 0;
			for (int b = a; b < groups; b++) {
				digits += ge[b] - gs[b];
				if (digits > 19)
					break;
				if (digits >= 13 && luhn_ok(text, gs[a], ge[b]))
					best = b;
			}
			if (best < 0) {
				a++;
				continue;
			}
			put(&out, text + copied, gs[a] - copied);
			put(&out, MASK, strlen(MASK));
			copied = ge[best];
			*found |= REDACT_CARD;
			a = best + 1;
		}
		i = run_end;
	}
	put(&out, text + copied, n - copied);
	if (out.oom) {
		free(out.s);
		return NULL;
	}
	return out.s;
}

/* Does text at i start the word w (case-insensitive, whole word)? */
static size_t word_at(const char *text, size_t i, const char *w)
{
	size_t k = strlen(w);
	if (i > 0 && is_alnum(text[i - 1]))
		return 0;
	if (strncasecmp(text + i, w, k) != 0 || is_alnum(text[i + k]))
		return 0;
	return k;
}

static int stop_word(const char *w, size_t len)
{
	static const char *const words[] = {
		"please", "and", "or", "for", "to", "the", "a", "an", "my", "your", "reset",
		"change", "changed", "help", "forgot", "again", "so", "but", "because", "with",
		"on", "in", "of", "too", "here", "there", "now", "field", "box", "screen", "thanks",
	};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strlen(words[i]) == len && strncasecmp(w, words[i], len) == 0)
			return 1;
	return 0;
}

/* The word after a keyword: "password is hunter2", "CVC: 123", "cvv=123". */
static char *redact_after_keywords(const char *text, int *found)
{
	static const struct {
		const char *word;
		int needs_digit; /* codes are digits: "cvc please" is no secret */
	} keys[] = {
		{ "password", 0 }, { "passwords", 0 }, { "passcode", 0 }, { "passwd", 0 },
		{ "cvc", 1 },      { "cvv", 1 },       { "cvc2", 1 },     { "cvv2", 1 },
		{ "security code", 1 },
	};
	struct buf out = { 0 };
	size_t n = strlen(text), i = 0, copied = 0;
	while (i < n) {
		size_t k = 0;
		int needs_digit = 0;
		for (size_t q = 0; q < sizeof keys / sizeof keys[0] && !k; q++)
			if ((k = word_at(text, i, keys[q].word)) != 0)
				needs_digit = keys[q].needs_digit;
		if (!k) {
			i++;
			continue;
		}
		size_t j = i + k;
		/* separators and a linking word */
		for (;;) {
			while (j < n && (text[j] == ' ' || text[j] == ':' || text[j] == '=' ||
					 text[j] == '-' || text[j] == '\t' || text[j] == '"' ||
					 text[j] == '\''))
				j++;
			size_t w;
			if ((w = word_at(text, j, "is")) || (w = word_at(text, j, "was")) ||
			    (w = word_at(text, j, "number")) || (w = word_at(text, j, "code")))
				j += w;
			else
				break;
		}
		size_t s = j;
		while (j < n && !isspace((unsigned char)text[j]))
			j++;
		size_t e = j;
		while (needs_digit && e > s && strchr(".,!?;)\"'", text[e - 1]))
			e--; /* after a code, trailing punctuation stays; a password may end in it */
		int digit = 0, alpha_only = 1;
		for (size_t q = s; q < e; q++) {
			digit |= is_digit(text[q]);
			alpha_only &= isalpha((unsigned char)text[q]) != 0;
		}
		int secret = e > s && strncmp(text + s, MASK, strlen(MASK)) != 0 &&
			     (needs_digit ? digit : !(alpha_only && stop_word(text + s, e - s)));
		if (secret) {
			put(&out, text + copied, s - copied);
			put(&out, MASK, strlen(MASK));
			copied = e;
			*found |= REDACT_SECRET;
		}
		i = e > i + k ? e : i + k;
	}
	put(&out, text + copied, n - copied);
	if (out.oom) {
		free(out.s);
		return NULL;
	}
	return out.s;
}

char *redact_secrets(const char *text, int *found)
{
	*found = 0;
	char *cards = redact_cards(text ? text : "", found);
	if (!cards)
		return NULL;
	char *out = redact_after_keywords(cards, found);
	free(cards);
	return out;
}

const char *redact_warning(int found)
{
	if (found & REDACT_CARD)
		return "Please don't type card numbers or security codes here: I removed it and "
		       "did not keep it. Add cards under payment methods. ";
	if (found & REDACT_SECRET)
		return "Please don't type passwords or security codes here: I removed it and did "
		       "not keep it. ";
	return "";
}
