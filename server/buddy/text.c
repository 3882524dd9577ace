/*
 * text.c - the word splitter under everything the buddy understands.
 *
 * One pass over the bytes: letters and digits build a word, everything else ends it.
 * Bytes that are not ASCII are folded when they are a common accented Latin letter
 * (UTF-8 C3 xx) or a typographic apostrophe, and are otherwise separators, so
 * invalid UTF-8 can never reach the rest of the engine.  Words are then expanded
 * (contractions, spoken and written short forms) as they are pushed.
 */
#include "buddy/text.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Folded letter for the second byte of a UTF-8 sequence starting with 0xC3, or 0. */
static char fold_c3(unsigned char b)
{
	static const struct { unsigned char lo, hi; char letter; } ranges[] = {
		{ 0x80, 0x86, 'a' }, { 0x87, 0x87, 'c' }, { 0x88, 0x8B, 'e' }, { 0x8C, 0x8F, 'i' },
		{ 0x91, 0x91, 'n' }, { 0x92, 0x96, 'o' }, { 0x98, 0x98, 'o' }, { 0x99, 0x9C, 'u' },
		{ 0x9D, 0x9D, 'y' }, { 0x9F, 0x9F, 's' }, { 0xA0, 0xA6, 'a' }, { 0xA7, 0xA7, 'c' },
		{ 0xA8, 0xAB, 'e' }, { 0xAC, 0xAF, 'i' }, { 0xB1, 0xB1, 'n' }, { 0xB2, 0xB6, 'o' },
		{ 0xB8, 0xB8, 'o' }, { 0xB9, 0xBC, 'u' }, { 0xBD, 0xBD, 'y' }, { 0xBF, 0xBF, 'y' },
	};
	for (size_t i = 0; i < sizeof ranges / sizeof *ranges; i++)
		if (b >= ranges[i].lo && b <= ranges[i].hi)
			return ranges[i].letter;
	return 0;
}

/* Bytes taken by an apostrophe (' or a typographic quote) at p[i], else 0. */
static size_t apostrophe_len(const unsigned char *p, size_t i, size_t n)
{
	if (p[i] == '\'' || p[i] == '`')
		return 1;
	if (p[i] == 0xE2 && i + 2 < n && p[i + 1] == 0x80 && (p[i + 2] == 0x99 || p[i + 2] == 0x98))
		return 3;
	return 0;
}

struct splitter {
	struct text_words *out;
	char cur[TEXT_WORD_LEN];
	size_t len;
	int apostrophe;		/* index of the apostrophe in cur, or -1 */
	const char *currency;	/* word to push after the next number ("dollars") */
};

static void push(struct text_words *t, const char *w)
{
	if (!*w || t->n >= TEXT_MAX_WORDS)
		return;
	size_t n = 0;	/* cut to TEXT_WORD_LEN - 1 bytes: every product text is split per turn */
	for (; n + 1 < TEXT_WORD_LEN && w[n]; n++)
		t->w[t->n][n] = w[n];
	t->w[t->n][n] = '\0';
	t->brk[t->n] = 0;
	t->n++;
}

static void push2(struct text_words *t, const char *a, const char *b)
{
	push(t, a);
	push(t, b);
}

/* Short forms written without an apostrophe, as speech recognisers and hurried
 * typists write them. */
static const char *const bare_forms[][3] = {
	{ "whats", "what", "is" }, { "thats", "that", "is" }, { "theres", "there", "is" },
	{ "heres", "here", "is" }, { "wheres", "where", "is" }, { "hows", "how", "is" },
	{ "whos", "who", "is" }, { "dont", "do", "not" }, { "doesnt", "does", "not" },
	{ "didnt", "did", "not" }, { "cant", "can", "not" }, { "cannot", "can", "not" },
	{ "wont", "will", "not" }, { "isnt", "is", "not" }, { "arent", "are", "not" },
	{ "wasnt", "was", "not" }, { "havent", "have", "not" }, { "hasnt", "has", "not" },
	{ "wouldnt", "would", "not" }, { "couldnt", "could", "not" }, { "shouldnt", "should", "not" },
	{ "im", "i", "am" }, { "ive", "i", "have" }, { "youre", "you", "are" },
	{ "lets", "let", "us" }, { "ill", "i", "will" }, { "gonna", "going", "to" },
	{ "wanna", "want", "to" }, { "gotta", "got", "to" }, { "gimme", "give", "me" },
	{ "lemme", "let", "me" }, { "kinda", "kind", "of" }, { "sorta", "sort", "of" },
	{ "dunno", "do", "not" }, { "its", "it", "" }, { "nevermind", "never", "mind" },
	{ "alright", "all", "right" }, { "checkout", "check", "out" },
};

static void push_expanded(struct text_words *t, char *w, int apostrophe)
{
	if (apostrophe > 0) {
		char *suffix = w + apostrophe + 1;
		w[apostrophe] = '\0';
		size_t blen = strlen(w);
		if (!strcmp(suffix, "t") && blen > 1 && w[blen - 1] == 'n') {
			w[blen - 1] = '\0';
			const char *base = w;
			if (!strcmp(w, "ca"))
				base = "can";
			else if (!strcmp(w, "wo"))
				base = "will";
			else if (!strcmp(w, "ai"))
				base = "is";
			push2(t, base, "not");
		} else if (!strcmp(suffix, "s")) {
			static const char *const is_words[] = { "what", "it", "that", "there", "here",
				"where", "who", "how", "he", "she", "everything", "nothing", "something" };
			push(t, w);
			if (!strcmp(w, "let"))
				push(t, "us");
			for (size_t i = 0; i < sizeof is_words / sizeof *is_words; i++)
				if (!strcmp(w, is_words[i]))
					push(t, "is");
		} else if (!strcmp(suffix, "re")) {
			push2(t, w, "are");
		} else if (!strcmp(suffix, "ll")) {
			push2(t, w, "will");
		} else if (!strcmp(suffix, "d")) {
			push2(t, w, "would");
		} else if (!strcmp(suffix, "ve")) {
			push2(t, w, "have");
		} else if (!strcmp(suffix, "m")) {
			push2(t, w, "am");
		} else {
			push(t, w);	/* "rock'n" and friends: keep the head */
		}
		return;
	}
	for (size_t i = 0; i < sizeof bare_forms / sizeof *bare_forms; i++) {
		if (w[0] == bare_forms[i][0][0] && !strcmp(w, bare_forms[i][0])) {
			push(t, bare_forms[i][1]);
			push(t, bare_forms[i][2]);
			return;
		}
	}
	push(t, w);
}

static void end_word(struct splitter *s)
{
	if (s->len == 0)
		return;
	s->cur[s->len] = '\0';
	/* a trailing apostrophe ("bananas'") or trailing dot carries nothing */
	while (s->len > 0 && (s->cur[s->len - 1] == '\'' || s->cur[s->len - 1] == '.'))
		s->cur[--s->len] = '\0';
	if (s->apostrophe >= (int)s->len)
		s->apostrophe = -1;
	if (s->len > 0) {
		int numeric = isdigit((unsigned char)s->cur[0]);
		size_t d = 0;
		while (d < s->len && isdigit((unsigned char)s->cur[d]))
			d++;
		if (s->len > 1 && s->cur[0] == 'x' && s->apostrophe < 0) {
			/* "toothpaste x2": a multiplier */
			size_t k = 1;
			while (k < s->len && isdigit((unsigned char)s->cur[k]))
				k++;
			if (k == s->len) {
				push2(s->out, "x", s->cur + 1);
				s->len = 0;
				s->apostrophe = -1;
				return;
			}
		} else if (d > 0 && d < s->len && (!strcmp(s->cur + d, "oz") || !strcmp(s->cur + d, "lb") ||
						   !strcmp(s->cur + d, "lbs") || !strcmp(s->cur + d, "kg") ||
						   !strcmp(s->cur + d, "ml") || !strcmp(s->cur + d, "g"))) {
			char unit[8];	/* "a 12oz bag": the number and its unit */
			snprintf(unit, sizeof unit, "%s", s->cur + d);
			s->cur[d] = '\0';
			push2(s->out, s->cur, unit);
			s->len = 0;
			s->apostrophe = -1;
			return;
		} else if (d > 0 && d + 1 == s->len && s->cur[d] == 'x') {
			s->cur[d] = '\0';	/* "2x shampoo" */
			push2(s->out, s->cur, "x");
			s->len = 0;
			s->apostrophe = -1;
			return;
		}
		push_expanded(s->out, s->cur, s->apostrophe);
		if (numeric && s->currency) {
			push(s->out, s->currency);
			s->currency = NULL;
		}
	}
	s->len = 0;
	s->apostrophe = -1;
}

static void add_char(struct splitter *s, char c)
{
	if (s->len + 1 < TEXT_WORD_LEN)
		s->cur[s->len++] = c;
}

static void mark_break(struct text_words *t, unsigned char strength)
{
	if (t->n > 0 && t->brk[t->n - 1] < strength)
		t->brk[t->n - 1] = strength;
}

void text_split(const char *in, struct text_words *out)
{
	struct splitter s = { .out = out, .apostrophe = -1 };
	out->n = 0;
	if (!in)
		return;
	size_t n = strnlen(in, TEXT_MAX_INPUT);
	const unsigned char *p = (const unsigned char *)in;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		char next = i + 1 < n ? (char)p[i + 1] : 0;
		if (isalnum(c)) {
			add_char(&s, (char)tolower(c));
		} else if (c == '.' && s.len > 0 && isdigit((unsigned char)s.cur[s.len - 1]) &&
			   isdigit((unsigned char)next)) {
			add_char(&s, '.');
		} else if (c == ',' && s.len > 0 && isdigit((unsigned char)s.cur[s.len - 1]) &&
			   i + 3 < n && isdigit(p[i + 1]) && isdigit(p[i + 2]) && isdigit(p[i + 3]) &&
			   (i + 4 >= n || !isdigit(p[i + 4]))) {
			continue;	/* thousands separator: "1,000" */
		} else if (apostrophe_len(p, i, n) && s.len > 0 &&
			   i + apostrophe_len(p, i, n) < n && isalpha(p[i + apostrophe_len(p, i, n)])) {
			i += apostrophe_len(p, i, n) - 1;
			if (s.apostrophe < 0)
				s.apostrophe = (int)s.len;
			add_char(&s, '\'');
		} else if (c == 0xC3 && i + 1 < n && p[i + 1] == 0x97) {
			end_word(&s);	/* the multiplication sign: "shampoo ×2" */
			push(out, "x");
			i++;
		} else if (c == 0xC3 && i + 1 < n && fold_c3(p[i + 1])) {
			add_char(&s, fold_c3(p[i + 1]));
			i++;
		} else {
			end_word(&s);
			if (c == '$')
				s.currency = "dollars";
			else if (c == 0xE2 && i + 2 < n && p[i + 1] == 0x82 && p[i + 2] == 0xAC)
				s.currency = "euros", i += 2;
			else if (c == 0xC2 && i + 1 < n && p[i + 1] == 0xA3)
				s.currency = "pounds", i++;
			else if (c == '&')
				push(out, "and");
			else if (c == '%' && out->n > 0 && !out->brk[out->n - 1] &&
				 isdigit((unsigned char)out->w[out->n - 1][0]))
				push(out, "percent");	/* "2% milk": a kind of milk, not two */
			else if (c == ':' && out->n > 0 && out->brk[out->n - 1] < 2)
				out->brk[out->n - 1] = 3;	/* a list or a detail follows */
			else if (c == ',' || c == ';' || c == ':')
				mark_break(out, 1);
			else if (c == '.' || c == '!' || c == '?')
				mark_break(out, 2);
		}
	}
	end_word(&s);
}

int text_is(const struct text_words *t, int i, const char *word)
{
	return i >= 0 && i < t->n && !strcmp(t->w[i], word);
}

int text_match(const struct text_words *t, int i, int end, const char *phrase)
{
	if (end > t->n)
		end = t->n;
	int k = 0;
	const char *p = phrase;
	/* one pass per word, no strlen: the word lists call this for every word of a
	 * request, and most phrases differ at their first letter */
	while (*p) {
		if (i + k >= end)
			return 0;
		const char *w = t->w[i + k];
		while (*w && *w == *p && *p != ' ') {
			w++;
			p++;
		}
		if (*w || (*p && *p != ' '))
			return 0;
		k++;
		while (*p == ' ')
			p++;
	}
	return k;
}

void text_delete(struct text_words *t, int i, int count)
{
	if (i < 0 || count <= 0 || i >= t->n)
		return;
	if (i + count > t->n)
		count = t->n - i;
	/* a break after a deleted word stays with the word before the gap (a colon as
	 * itself, any other as a pause) */
	if (i > 0 && t->brk[i + count - 1])
		t->brk[i - 1] = t->brk[i + count - 1] == 3 ? 3 : 1;
	memmove(t->w[i], t->w[i + count], (size_t)(t->n - i - count) * sizeof t->w[0]);
	memmove(&t->brk[i], &t->brk[i + count], (size_t)(t->n - i - count));
	t->n -= count;
}

void text_join(const struct text_words *t, int from, int to, char *out, size_t len)
{
	size_t used = 0;
	if (len == 0)
		return;
	out[0] = '\0';
	if (from < 0)
		from = 0;
	if (to > t->n)
		to = t->n;
	for (int i = from; i < to; i++) {
		int w = snprintf(out + used, len - used, "%s%s", used ? " " : "", t->w[i]);
		if (w < 0 || (size_t)w >= len - used) {
			out[len - 1] = '\0';
			return;
		}
		used += (size_t)w;
	}
}

int text_is_digits(const char *w)
{
	if (!*w)
		return 0;
	for (; *w; w++)
		if (!isdigit((unsigned char)*w))
			return 0;
	return 1;
}
