/*
 * terms.c - what shoppers call things (terms.def), read once and indexed by the
 * stem of each name's first word.
 */
#include "buddy/terms.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buddy/match.h"

#define TERMS_MAX 1024
#define TERMS_WORDS 6
#define TERMS_ALTS 4
#define TERMS_WORD_LEN 24

struct tphrase {
	int n;
	char w[TERMS_WORDS][TERMS_WORD_LEN];
};

struct term {
	struct tphrase name;	/* stems */
	char said[TERMS_WORD_LEN];	/* a one-word name as written (for terms_synonym) */
	int two_way;
	int nalt;
	struct tphrase alt[TERMS_ALTS];	/* catalog words as written */
};

static const char *const table[] = {
#include "buddy/terms.def"
};

static struct term *terms;
static int nterms;
static pthread_once_t loaded = PTHREAD_ONCE_INIT;

/* Words of `text` as text_split() gives them (stemmed when `stem`); 0 when a word is
 * too long for the table. */
static int phrase_of(const char *text, int stem, struct tphrase *p)
{
	struct text_words tw;
	text_split(text, &tw);
	p->n = 0;
	if (tw.n == 0 || tw.n > TERMS_WORDS)
		return 0;
	for (int i = 0; i < tw.n; i++) {
		if (strlen(tw.w[i]) >= TERMS_WORD_LEN)
			return 0;
		if (stem)
			match_stem(tw.w[i], p->w[p->n++], TERMS_WORD_LEN);
		else
			snprintf(p->w[p->n++], TERMS_WORD_LEN, "%s", tw.w[i]);
	}
	return 1;
}

static int same_phrase(const struct tphrase *a, const struct tphrase *b)
{
	if (a->n != b->n)
		return 0;
	for (int i = 0; i < a->n; i++)
		if (strcmp(a->w[i], b->w[i]))
			return 0;
	return 1;
}

/* One line: "NAME > A | B" or "A <> B".  Returns 1 when it gave a term. */
static int parse_line(const char *line, struct term *t)
{
	char buf[512];
	snprintf(buf, sizeof buf, "%s", line);
	memset(t, 0, sizeof *t);
	char *sep = strstr(buf, "<>");
	size_t seplen = 2;
	if (sep) {
		t->two_way = 1;
	} else {
		sep = strchr(buf, '>');
		seplen = 1;
	}
	if (!sep)
		return 0;
	*sep = '\0';
	if (!phrase_of(buf, 1, &t->name))
		return 0;
	if (t->two_way) {
		struct text_words tw;
		text_split(buf, &tw);
		if (tw.n != 1 || strlen(tw.w[0]) >= TERMS_WORD_LEN)
			return 0;
		snprintf(t->said, sizeof t->said, "%s", tw.w[0]);
	}
	for (char *save = NULL, *tok = strtok_r(sep + seplen, "|", &save); tok && t->nalt < TERMS_ALTS;
	     tok = strtok_r(NULL, "|", &save)) {
		if (!phrase_of(tok, 0, &t->alt[t->nalt]))
			continue;
		struct tphrase st;
		phrase_of(tok, 1, &st);
		if (!same_phrase(&st, &t->name))	/* a name for itself says nothing */
			t->nalt++;
	}
	if (t->two_way && (t->nalt != 1 || t->alt[0].n != 1))
		return 0;
	return t->nalt > 0;
}

/* First word's stem, then longer names first. */
static int cmp_term(const void *a, const void *b)
{
	const struct term *x = a, *y = b;
	int c = strcmp(x->name.w[0], y->name.w[0]);
	return c ? c : y->name.n - x->name.n;
}

static void load(void)
{
	size_t n = sizeof table / sizeof *table;
	/* every two-way pair is also a name the other way */
	terms = calloc(n * 2 < TERMS_MAX ? n * 2 : TERMS_MAX, sizeof *terms);
	if (!terms)
		return;
	for (size_t i = 0; i < n && nterms < TERMS_MAX; i++) {
		struct term *t = &terms[nterms];
		if (!parse_line(table[i], t))
			continue;
		nterms++;
		if (t->two_way && nterms < TERMS_MAX) {
			struct term *r = &terms[nterms];
			char line[TERMS_WORD_LEN * 2 + 8];
			snprintf(line, sizeof line, "%s <> %s", t->alt[0].w[0], t->said);
			if (parse_line(line, r))
				nterms++;
		}
	}
	qsort(terms, (size_t)nterms, sizeof *terms, cmp_term);
}

int terms_count(void)
{
	pthread_once(&loaded, load);
	return nterms;
}

/* The first term whose name's first stem is `stem`, or -1. */
static int first_of(const char *stem)
{
	int lo = 0, hi = nterms;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (strcmp(terms[mid].name.w[0], stem) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < nterms && !strcmp(terms[lo].name.w[0], stem) ? lo : -1;
}

static int needs_no_check(const char *w)
{
	for (const char *p = w; *p; p++)
		if (*p >= '0' && *p <= '9')
			return 1;
	return !strcmp(w, "percent") || !strcmp(w, "and");
}

/* The first of t's names the catalog has every word of, or -1. */
static int known_alt(const struct term *t, terms_known_fn known, void *ctx)
{
	for (int a = 0; a < t->nalt; a++) {
		int k = 0;
		while (k < t->alt[a].n && (needs_no_check(t->alt[a].w[k]) || known(ctx, t->alt[a].w[k])))
			k++;
		if (k == t->alt[a].n)
			return a;
	}
	return -1;
}

int terms_rewrite(const char (*in)[TEXT_WORD_LEN], int n, terms_known_fn known, void *ctx,
		  char (*out)[TEXT_WORD_LEN], int *from, int max)
{
	pthread_once(&loaded, load);
	char stems[TEXT_MAX_WORDS][TEXT_WORD_LEN];
	if (n > TEXT_MAX_WORDS)
		n = TEXT_MAX_WORDS;
	for (int i = 0; i < n; i++)
		match_stem(in[i], stems[i], TEXT_WORD_LEN);
	int m = 0;
	for (int i = 0; i < n;) {
		int used = 0, f = nterms > 0 ? first_of(stems[i]) : -1;
		for (int k = f; f >= 0 && k < nterms && !strcmp(terms[k].name.w[0], stems[i]); k++) {
			const struct term *t = &terms[k];
			int len = t->name.n, w = 1;
			if (i + len > n)
				continue;
			while (w < len && !strcmp(t->name.w[w], stems[i + w]))
				w++;
			if (w < len)
				continue;
			/* a name the catalog spells itself is what it sells */
			int k = 0;
			while (k < len && known(ctx, in[i + k]))
				k++;
			if (k == len)
				break;
			int a = known_alt(t, known, ctx);
			if (a < 0)
				continue;
			for (int j = 0; j < t->alt[a].n && m < max; j++) {
				snprintf(out[m], TEXT_WORD_LEN, "%s", t->alt[a].w[j]);
				from[m++] = i;
			}
			used = len;
			break;
		}
		if (!used) {
			if (m < max) {
				snprintf(out[m], TEXT_WORD_LEN, "%s", in[i]);
				from[m++] = i;
			}
			used = 1;
		}
		i += used;
	}
	return m;
}

const char *terms_synonym(const char *w)
{
	pthread_once(&loaded, load);
	char stem[TEXT_WORD_LEN];
	match_stem(w, stem, sizeof stem);
	for (int k = first_of(stem); k >= 0 && k < nterms && !strcmp(terms[k].name.w[0], stem); k++)
		if (terms[k].two_way && !strcmp(terms[k].said, w))
			return terms[k].alt[0].w[0];
	return NULL;
}
