/*
 * needs.c - constraints and needs: the table of needs.def, read once, and
 * its use on utterances (needs_read) and on products (needs_allows, needs_prefers).
 *
 * Reading an utterance: at each word, the longest need phrase is taken ("keeps me
 * up"); else an exclusion trigger followed by a facet name ("nothing with dairy",
 * "allergic to nuts", "can not have dairy", "no added sugar"), a facet name followed
 * by "free", "allergy" or "intolerant" ("dairy and nut free"), "non" + a facet name,
 * or a word asking for a facet ("caffeinated").  The words taken, with the glue
 * around them ("but", "in it", "either"), are left out of the text handed on, so
 * "show me milk, but nothing with dairy in it" is parsed as "show me milk" with the
 * frame {no dairy}.  Words compare by stem (match_stem), so "nuts" is "nut".
 *
 * Checking a product: it has a facet when its title or tags say one of the facet's
 * .has phrases (or the facet's .has is *), and is free of it when its title, tags or
 * description say a .free phrase; free wins ("Oat Milk", tagged "dairy free").
 */
#include "buddy/needs.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buddy/lexicon.h"
#include "buddy/match.h"
#include "buddy/numbers.h"
#include "buddy/price.h"
#include "buddy/text.h"
#include "json.h"

#define NEEDS_PHRASE_WORDS 5
#define NEEDS_MAX_FACETS 24
#define NEEDS_MAX_NEEDS 64
#define NEEDS_FACET_PHRASES 24
#define NEEDS_NEED_PHRASES 20
#define NEEDS_LACK_PHRASES 128
#define NEEDS_LACK_REACH 4	/* words between a lack phrase and the thing it is about */

struct phrase {
	int n;
	char w[NEEDS_PHRASE_WORDS][TEXT_WORD_LEN];	/* stems */
};

struct facet {
	char name[24];
	int all;		/* .has is *: every product has it unless it says free */
	int nnames, nhas, nfree, nyes;
	struct phrase names[NEEDS_FACET_PHRASES], has[NEEDS_FACET_PHRASES], free[NEEDS_FACET_PHRASES],
		yes[NEEDS_FACET_PHRASES];
};

struct need {
	int nwhen;
	struct phrase when[NEEDS_NEED_PHRASES];
	struct needs_frame effect;
};

static const char *const table[] = {
#include "buddy/needs.def"
};

static struct facet facets[NEEDS_MAX_FACETS];
static int nfacets;
static struct need needs[NEEDS_MAX_NEEDS];
static int nneeds;
static struct phrase lack_after[NEEDS_LACK_PHRASES], lack_before[NEEDS_LACK_PHRASES];
static int nlack_after, nlack_before;
static pthread_once_t loaded = PTHREAD_ONCE_INIT;

/* ------------------------------------------------------------------ the table */

static void trim(char *s)
{
	size_t a = 0, n = strlen(s);
	while (s[a] == ' ')
		a++;
	while (n > a && (s[n - 1] == ' ' || s[n - 1] == '\n'))
		n--;
	memmove(s, s + a, n - a);
	s[n - a] = '\0';
}

static void phrase_of(const char *text, struct phrase *p)
{
	struct text_words tw;
	text_split(text, &tw);
	p->n = 0;
	for (int i = 0; i < tw.n && p->n < NEEDS_PHRASE_WORDS; i++)
		match_stem(tw.w[i], p->w[p->n++], TEXT_WORD_LEN);
}

/* Splits a comma-separated list into phrases; returns how many. */
static int phrases_of(const char *list, struct phrase *out, int max)
{
	char buf[4096];
	int n = 0;
	snprintf(buf, sizeof buf, "%s", list);
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok && n < max; tok = strtok_r(NULL, ",", &save)) {
		trim(tok);
		if (!*tok)
			continue;
		phrase_of(tok, &out[n]);
		if (out[n].n > 0)
			n++;
	}
	return n;
}

static int facet_index(const char *name, int create)
{
	for (int i = 0; i < nfacets; i++)
		if (!strcmp(facets[i].name, name))
			return i;
	if (!create || nfacets >= NEEDS_MAX_FACETS)
		return -1;
	snprintf(facets[nfacets].name, sizeof facets[nfacets].name, "%s", name);
	return nfacets++;
}

static void add_list(char list[][NEEDS_PHRASE_LEN], int *n, const char *w)
{
	for (int i = 0; i < *n; i++)
		if (!strcmp(list[i], w))
			return;
	if (*n < NEEDS_MAX_LIST)
		snprintf(list[(*n)++], NEEDS_PHRASE_LEN, "%s", w);
}

static void load_need(const char *spec)
{
	char buf[1024];
	snprintf(buf, sizeof buf, "%s", spec);
	char *arrow = strstr(buf, "=>");
	if (!arrow || nneeds >= NEEDS_MAX_NEEDS)
		return;
	*arrow = '\0';
	struct need *nd = &needs[nneeds];
	memset(nd, 0, sizeof *nd);
	nd->nwhen = phrases_of(buf, nd->when, NEEDS_NEED_PHRASES);
	for (char *save = NULL, *tok = strtok_r(arrow + 2, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		trim(tok);
		int fi;
		if ((tok[0] == '-' || tok[0] == '+') && (fi = facet_index(tok + 1, 0)) >= 0)
			*(tok[0] == '-' ? &nd->effect.excl : &nd->effect.req) |= 1u << fi;
		else if (tok[0] == '~')
			add_list(nd->effect.prefer, &nd->effect.nprefer, tok + 1);
		else if (*tok)
			add_list(nd->effect.product, &nd->effect.nproduct, tok);
	}
	if (nd->nwhen > 0)
		nneeds++;
}

static void load(void)
{
	for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
		const char *line = table[i];
		if (!strncmp(line, "need:", 5)) {
			load_need(line + 5);
			continue;
		}
		if (!strncmp(line, "lack.after:", 11)) {
			nlack_after = phrases_of(line + 11, lack_after, NEEDS_LACK_PHRASES);
			continue;
		}
		if (!strncmp(line, "lack.before:", 12)) {
			nlack_before = phrases_of(line + 12, lack_before, NEEDS_LACK_PHRASES);
			continue;
		}
		const char *dot = strchr(line, '.'), *colon = strchr(line, ':');
		if (!dot || !colon || colon < dot || dot - line >= 24)
			continue;
		char name[24];
		snprintf(name, sizeof name, "%.*s", (int)(dot - line), line);
		int fi = facet_index(name, 1);
		if (fi < 0)
			continue;
		struct facet *f = &facets[fi];
		const char *field = dot + 1, *list = colon + 1;
		if (!strncmp(field, "names:", 6))
			f->nnames = phrases_of(list, f->names, NEEDS_FACET_PHRASES);
		else if (!strncmp(field, "has:", 4) && strchr(list, '*'))
			f->all = 1;
		else if (!strncmp(field, "has:", 4))
			f->nhas = phrases_of(list, f->has, NEEDS_FACET_PHRASES);
		else if (!strncmp(field, "free:", 5))
			f->nfree = phrases_of(list, f->free, NEEDS_FACET_PHRASES);
		else if (!strncmp(field, "yes:", 4))
			f->nyes = phrases_of(list, f->yes, NEEDS_FACET_PHRASES);
	}
}

static void ensure_loaded(void)
{
	pthread_once(&loaded, load);
}

/* ------------------------------------------------------------- word matching */

struct stems {
	int n;
	char w[TEXT_MAX_WORDS][TEXT_WORD_LEN];
};

static void stems_of(const struct text_words *tw, struct stems *s)
{
	s->n = tw->n;
	for (int i = 0; i < tw->n; i++)
		match_stem(tw->w[i], s->w[i], TEXT_WORD_LEN);
}

/* Words of p at i (or 0); a phrase never runs across a pause when brk is given. */
static int phrase_at(const struct stems *s, const unsigned char *brk, int i, const struct phrase *p)
{
	if (i + p->n > s->n)
		return 0;
	for (int k = 0; k < p->n; k++) {
		if (strcmp(s->w[i + k], p->w[k]))
			return 0;
		if (brk && k + 1 < p->n && brk[i + k])
			return 0;
	}
	return p->n;
}

static int longest_at(const struct stems *s, const unsigned char *brk, int i, const struct phrase *ps, int n)
{
	int best = 0;
	for (int k = 0; k < n; k++) {
		int m = phrase_at(s, brk, i, &ps[k]);
		if (m > best)
			best = m;
	}
	return best;
}

static int says_any(const struct stems *s, const struct phrase *ps, int n)
{
	for (int i = 0; i < s->n; i++)
		if (longest_at(s, NULL, i, ps, n))
			return 1;
	return 0;
}

/* ------------------------------------------------------------ the utterance */

/* Words that say what follows is not wanted. */
static const char *const excluders[] = {
	"nothing with", "nothing that has", "nothing containing", "none with", "anything without",
	"without any", "without", "free of", "free from", "no added", "no", "not", "avoid",
	"avoiding", "allergic to", "allergy to", "allergic", "can not have", "can not do",
	"can not eat", "can not drink", "can not take", "cannot have", "do not want any",
	"do not eat", "do not drink", "staying off", "cutting out", "cut out", "hold the",
	"skip the", "lay off", "nothing", "none of the", "sensitive to", "intolerant to",
	"do not want", "do not like", "does not like", "do not need", "hate", "hates", "no more",
	"stay away from", "stays away from", "keep away from", "steer clear of", "react to",
	"reacts to", "can not handle", "can not tolerate", "does not do", "do not do",
};

static int excluder_at(const struct text_words *t, int i)
{
	int best = 0;
	for (size_t k = 0; k < sizeof excluders / sizeof *excluders; k++) {
		int m = text_match(t, i, t->n, excluders[k]);
		if (m > best)
			best = m;
	}
	return best;
}

/* A facet named at i: its index and length in *len, else -1. */
static int facet_named_at(const struct stems *s, const unsigned char *brk, int i, int *len)
{
	int best = -1;
	*len = 0;
	for (int f = 0; f < nfacets; f++) {
		int m = longest_at(s, brk, i, facets[f].names, facets[f].nnames);
		if (m > *len) {
			*len = m;
			best = f;
		}
	}
	return best;
}

/* Facet names from i on, joined by and/or/nor ("nuts or dairy"): their bits, words
 * taken in *len. */
static unsigned facet_list_at(const struct text_words *t, const struct stems *s, int i, int *len)
{
	unsigned bits = 0;
	int j = i, m;
	for (;;) {
		while (j < t->n && (text_is(t, j, "any") || text_is(t, j, "the") || text_is(t, j, "of") ||
				    text_is(t, j, "all") || text_is(t, j, "added") || text_is(t, j, "real")))
			j++;
		int f = facet_named_at(s, t->brk, j, &m);
		if (f < 0)
			break;
		bits |= 1u << f;
		j += m;
		if (j + 1 < t->n && !t->brk[j - 1] &&
		    (text_is(t, j, "or") || text_is(t, j, "and") || text_is(t, j, "nor"))) {
			int m2;
			if (facet_named_at(s, t->brk, j + 1, &m2) >= 0) {
				j++;
				continue;
			}
		}
		break;
	}
	*len = bits ? j - i : 0;
	return bits;
}

static void merge(struct needs_frame *f, const struct needs_frame *e)
{
	f->excl |= e->excl;
	f->req |= e->req;
	for (int i = 0; i < e->nprefer; i++)
		add_list(f->prefer, &f->nprefer, e->prefer[i]);
	for (int i = 0; i < e->nproduct; i++)
		add_list(f->product, &f->nproduct, e->product[i]);
}

/* The phrase at i: its length, with what it means merged into f; 0 when none. */
struct known {
	int (*fn)(void *ctx, const char *w);
	void *ctx;
};

/* 1 when the catalog knows each of the m words at i. */
static int all_known(const struct known *kw, const struct text_words *t, int i, int m)
{
	if (!kw || !kw->fn)
		return 0;
	for (int k = i; k < i + m; k++)
		if (!kw->fn(kw->ctx, t->w[k]))
			return 0;
	return 1;
}

static int is_negator(const struct text_words *t, int i)
{
	static const char *const words[] = { "no", "not", "never", "without", "nothing", "none",
		"hate", "hates", "avoid", "avoids", "dislike", "dislikes", "allergic", "intolerant",
		"sensitive" };
	for (size_t k = 0; k < sizeof words / sizeof *words; k++)
		if (text_is(t, i, words[k]))
			return 1;
	return 0;
}

/* 1 when the catalog knows a word within NEEDS_LACK_REACH words of [from, to) on the
 * side dir (-1 before, +1 after), not across a pause. */
static int known_near(const struct known *kw, const struct text_words *t, int from, int to, int dir)
{
	for (int k = 1; k <= NEEDS_LACK_REACH; k++) {
		int j = dir < 0 ? from - k : to + k - 1;
		if (j < 0 || j >= t->n || (dir < 0 ? t->brk[j] : t->brk[j - 1]))
			return 0;
		if (all_known(kw, t, j, 1))
			return 1;
	}
	return 0;
}

/* A lack at i ("is empty" after the thing, "there is no" before it): its length,
 * f->lack set; 0 when none. */
static int lack_read(const struct text_words *t, const struct stems *s, int i, struct needs_frame *f,
		     const struct known *kw)
{
	int m = longest_at(s, t->brk, i, lack_after, nlack_after);
	/* "knocked the french press off the counter and it smashed": the pronoun is the
	 * thing named earlier in the sentence */
	int p = i;
	if (m && p > 0 && (text_is(t, p - 1, "it") || text_is(t, p - 1, "they") || text_is(t, p - 1, "both")) &&
	    !t->brk[p - 1]) {
		for (p--; p > 0 && i - p < 12 && t->brk[p - 1] < 2 && !known_near(kw, t, p, p, -1); p--)
			;
		if (!known_near(kw, t, p, p, -1))
			p = i;
	}
	if (m && known_near(kw, t, p, p + (i - p) + m, -1)) {
		f->lack = 1;
		return m;
	}
	m = longest_at(s, t->brk, i, lack_before, nlack_before);
	if (m && !t->brk[i + m - 1] && known_near(kw, t, i, i + m, +1)) {
		f->lack = 1;
		return m;
	}
	return 0;
}

static int phrase_read(const struct text_words *t, const struct stems *s, int i, struct needs_frame *f,
		       const struct known *kw, int *situation)
{
	*situation = 0;
	int best = 0, which = -1;
	for (int n = 0; n < nneeds; n++) {
		int m = longest_at(s, t->brk, i, needs[n].when, needs[n].nwhen);
		if (m > best && (needs[n].effect.nproduct || needs[n].effect.nprefer) && all_known(kw, t, i, m))
			continue;
		if (m > best) {
			best = m;
			which = n;
		}
	}
	int m, len;
	unsigned bits;
	/* "nothing with dairy", "allergic to nuts", "no added sugar" */
	if ((m = excluder_at(t, i)) && !t->brk[i + m - 1] && (bits = facet_list_at(t, s, i + m, &len)) &&
	    m + len > best) {
		/* "no nuts, no dairy" is two; "not sugar free" asks for sugar */
		if (text_is(t, i + m + len, "free"))
			f->req |= bits, len++;
		else
			f->excl |= bits;
		return m + len;
	}
	/* "my kid can not stand pulp", "I do not want the sprayed ones": a negator a few
	 * words before the facet, the words between unknown to the catalog */
	if (is_negator(t, i)) {
		for (int j = i + 1; j <= i + 4 && j < t->n && !t->brk[j - 1]; j++) {
			if ((bits = facet_list_at(t, s, j, &len))) {
				if (j + len - i <= best)
					break;
				f->excl |= bits;
				return j + len - i;
			}
			if (all_known(kw, t, j, 1) || text_is(t, j, "but") || text_is(t, j, "and") ||
			    text_is(t, j, "or"))
				break;
		}
	}
	/* "dairy free", "dairy and nut free", "nut allergy", "lactose intolerant" */
	if ((bits = facet_list_at(t, s, i, &len)) && i + len < t->n && !t->brk[i + len - 1] &&
	    (text_is(t, i + len, "free") || text_is(t, i + len, "allergy") || text_is(t, i + len, "allergies") ||
	     text_is(t, i + len, "intolerant") || text_is(t, i + len, "intolerance") ||
	     text_is(t, i + len, "sensitivity") || text_is(t, i + len, "less")) && len + 1 > best) {
		f->excl |= bits;
		return len + 1;
	}
	/* "non dairy" */
	if (text_is(t, i, "non") && (bits = facet_list_at(t, s, i + 1, &len)) && len + 1 > best) {
		f->excl |= bits;
		return len + 1;
	}
	/* "caffeinated" */
	for (int fi = 0; fi < nfacets; fi++) {
		if ((m = longest_at(s, t->brk, i, facets[fi].yes, facets[fi].nyes)) && m > best) {
			f->req |= 1u << fi;
			return m;
		}
	}
	/* "my earbuds went flying": a lack longer than the need inside it ("flying") */
	if (which >= 0 && (longest_at(s, t->brk, i, lack_after, nlack_after) > best ||
			   longest_at(s, t->brk, i, lack_before, nlack_before) > best) &&
	    (m = lack_read(t, s, i, f, kw)))
		return m;
	if (which >= 0) {
		merge(f, &needs[which].effect);
		*situation = 1;
		return best;
	}
	return lack_read(t, s, i, f, kw);
}

static int is_glue_before(const struct text_words *t, int i)
{
	return text_is(t, i, "but") || text_is(t, i, "and") || text_is(t, i, "both") ||
	       text_is(t, i, "something") || text_is(t, i, "anything") || text_is(t, i, "just") ||
	       text_is(t, i, "only") || text_is(t, i, "with") || text_is(t, i, "though") ||
	       text_is(t, i, "also") || text_is(t, i, "plus") || text_is(t, i, "that") ||
	       text_is(t, i, "is") || text_is(t, i, "are") || text_is(t, i, "and") || text_is(t, i, "totally") ||
	       text_is(t, i, "completely") || text_is(t, i, "100") || text_is(t, i, "has") ||
	       text_is(t, i, "have") || text_is(t, i, "got") || text_is(t, i, "ones") || text_is(t, i, "one") ||
	       text_is(t, i, "i") || text_is(t, i, "we") || text_is(t, i, "he") || text_is(t, i, "she") ||
	       text_is(t, i, "they") || text_is(t, i, "am") || text_is(t, i, "s") || text_is(t, i, "kids") ||
	       text_is(t, i, "really") || text_is(t, i, "please") || text_is(t, i, "for") ||
	       text_is(t, i, "my") || text_is(t, i, "our") || text_is(t, i, "his") || text_is(t, i, "her") ||
	       text_is(t, i, "their") || text_is(t, i, "the") || text_is(t, i, "a") || text_is(t, i, "an") ||
	       text_is(t, i, "in") || text_is(t, i, "at") || text_is(t, i, "on") || text_is(t, i, "to") ||
	       text_is(t, i, "definitely") || lex_is_person(t->w[i]);
}

static int in_words(const struct text_words *t, int i, const char *const *words, size_t n);

/* Words before a situation that belong to it: "has not been sleeping", "can never
 * sleep", "hardly slept". */
static int situation_glue(const struct text_words *t, int i)
{
	static const char *const words[] = { "not", "never", "been", "was", "were", "can", "could",
		"hardly", "barely", "properly", "well", "badly", "does", "did", "do", "will", "would" };
	/* "i really need to wind down": the wish is the situation's, not a request */
	static const char *const wish[] = { "need", "needs", "want", "wants", "trying", "try", "tries",
		"got", "have", "has", "hoping", "hope" };
	return in_words(t, i, words, sizeof words / sizeof *words) ||
	       (text_is(t, i + 1, "to") && in_words(t, i, wish, sizeof wish / sizeof *wish));
}

static int glue_after(const struct text_words *t, int i)
{
	static const char *const after[] = { "in it", "in them", "either", "though", "please",
		"ones", "one", "stuff", "products", "kind", "kinds", "at all", "whatsoever", "too",
		"as well", "ok", "okay" };
	for (size_t k = 0; k < sizeof after / sizeof *after; k++) {
		int m = text_match(t, i, t->n, after[k]);
		if (m && strcmp(after[k], "please"))
			return m;
	}
	return 0;
}

int needs_empty(const struct needs_frame *f)
{
	return !f->excl && !f->req && !f->nprefer && !f->nproduct && !f->budget && !f->budget_ask;
}

/* ------------------------------------------------------------------ budgets */

static int in_words(const struct text_words *t, int i, const char *const *words, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (text_is(t, i, words[k]))
			return 1;
	return 0;
}

/* An amount said as money at i ("20 dollars", "$15", "a twenty"); bare numbers only
 * when bare_ok ("my budget is 30").  Returns the words taken. */
static int money_at(const struct text_words *t, int i, int bare_ok, int64_t *cents)
{
	static const char *const notes[] = { "five", "ten", "tenner", "twenty", "fifty", "hundred" };
	static const int64_t value[] = { 500, 1000, 1000, 2000, 5000, 10000 };
	int m = price_parse_amount(t, i, t->n, bare_ok, cents);
	if (m)
		return m;
	if (text_is(t, i, "a") || text_is(t, i, "one"))
		for (size_t k = 0; k < sizeof notes / sizeof *notes; k++)
			if (text_is(t, i + 1, notes[k]) && !text_is(t, i + 2, "dollars") && !text_is(t, i + 2, "bucks")) {
				*cents = value[k];
				return 2;
			}
	return 0;
}

/* "I've got 20 dollars", "my budget is thirty total", "I can only spend $20": the
 * amount at i is a budget when the word before it (past "only", "exactly"...) says
 * so.  Returns the words of the statement from `from`, 0 when it is none. */
static int budget_at(const struct text_words *t, int i, int64_t *cents, int *from)
{
	static const char *const fillers[] = { "only", "just", "exactly", "about", "around", "roughly",
		"like", "maybe", "total", "of", "is", "s", "my", "the", "to", "a", "max", "up", "was" };
	static const char *const leads[] = { "have", "got", "budget", "limit", "spend", "afford",
		"cap", "spending", "brought", "bring", "carrying", "carry" };
	static const char *const after[] = { "total", "in total", "on me", "today", "to spend",
		"this week", "this time", "max", "tops", "maximum", "altogether", "for this",
		"for everything", "all in", "in my wallet", "in my pocket", "left" };
	int j = i - 1;
	while (j >= 0 && !t->brk[j] && in_words(t, j, fillers, sizeof fillers / sizeof *fillers))
		j--;
	if (j < 0 || t->brk[j] || !in_words(t, j, leads, sizeof leads / sizeof *leads))
		return 0;
	int bare = text_is(t, j, "budget") || text_is(t, j, "limit") || text_is(t, j, "spend") ||
		   text_is(t, j, "cap") || text_is(t, j, "spending");
	int m = money_at(t, i, bare, cents);
	/* "I've only got twenty.": a bare amount said alone after "only" */
	if (!m && (text_is(t, j + 1, "only") || (j > 0 && text_is(t, j - 1, "only"))) &&
	    (m = money_at(t, i, 1, cents)) &&
	    !(i + m >= t->n || t->brk[i + m - 1]))
		m = 0;
	if (!m || *cents <= 0)
		return 0;
	int end = i + m;
	for (int more = 1; more && end < t->n && !t->brk[end - 1];) {
		more = 0;
		for (size_t k = 0; k < sizeof after / sizeof *after; k++) {
			int g = text_match(t, end, t->n, after[k]);
			if (g) {
				end += g;
				more = 1;
				break;
			}
		}
	}
	/* the statement from its subject: "i have", "my budget is" */
	int a = j;
	while (a > 0 && !t->brk[a - 1] && (text_is(t, a - 1, "i") || text_is(t, a - 1, "we") ||
					   text_is(t, a - 1, "my") || text_is(t, a - 1, "our") ||
					   text_is(t, a - 1, "only") || text_is(t, a - 1, "can") ||
					   text_is(t, a - 1, "the") || text_is(t, a - 1, "have") ||
					   text_is(t, a - 1, "right") || text_is(t, a - 1, "ve")))
		a--;
	*from = a;
	return end - a;
}

/* A question about the budget in the clause [a, b): "how much will I have left", "am
 * I over", "will fifty dollars cover it", "is the speaker within that".  Returns 1
 * and the words to take out, [*from, *to), else 0. */
static int budget_question(const struct text_words *t, int a, int b, int *from, int *to)
{
	static const char *const left[] = { "left", "leave", "leaves", "change", "remaining", "room", "spare" };
	static const char *const subj[] = { "am i", "are we", "is that", "is it", "will that", "will it",
		"does that", "does it", "would that", "would it", "am i still", "is this", "are they" };
	static const char *const pred[] = { "over", "under", "within", "enough", "cover", "fit", "fits" };
	for (int i = a; i < b; i++) {
		int m;
		/* ("i'll take what's left" is no question) */
		int taken = i > 0 && (text_is(t, i - 1, "take") || text_is(t, i - 1, "get") || text_is(t, i - 1, "add") ||
				      text_is(t, i - 1, "want") || text_is(t, i - 1, "buy") || text_is(t, i - 1, "grab") ||
				      text_is(t, i - 1, "have") || text_is(t, i - 1, "all") || text_is(t, i - 1, "of"));
		if (!taken && ((m = text_match(t, i, b, "how much")) || text_is(t, i, "what") || text_is(t, i, "whats"))) {
			for (int j = i + 1; j < b && j < i + 9; j++)
				if (in_words(t, j, left, sizeof left / sizeof *left)) {
					*from = i > a && text_match(t, i - 2, b, "tell me") ? i - 2 : i;
					*to = b;
					return 1;
				}
		}
		for (size_t k = 0; k < sizeof subj / sizeof *subj; k++) {
			if ((m = text_match(t, i, b, subj[k])) && i + m < b &&
			    (in_words(t, i + m, pred, sizeof pred / sizeof *pred) ||
			     (text_is(t, i + m, "still") && in_words(t, i + m + 1, pred, sizeof pred / sizeof *pred)))) {
				*from = i;
				*to = b;
				return 1;
			}
		}
		/* "will fifty dollars cover it", "can i afford it" */
		if ((text_is(t, i, "will") || text_is(t, i, "would")) && i + 1 < b) {
			int64_t cents;
			int n = money_at(t, i + 1, 1, &cents);
			if (n && text_is(t, i + 1 + n, "cover")) {
				*from = i;
				*to = b;
				return 1;
			}
		}
		/* "could i also afford", "can we still afford" */
		m = 0;
		if ((text_is(t, i, "can") || text_is(t, i, "could")) && (text_is(t, i + 1, "i") || text_is(t, i + 1, "we"))) {
			int j = i + 2;
			if (text_is(t, j, "also") || text_is(t, j, "still") || text_is(t, j, "even") ||
			    text_is(t, j, "really") || text_is(t, j, "actually"))
				j++;
			if (j < b && text_is(t, j, "afford"))
				m = j + 1 - i;
		}
		if (m) {
			*from = i;
			*to = i + m;
			/* "can i afford it", "can i afford the sony earbuds?": a question (about
			 * what follows); "what headphones can i afford": a search */
			if (text_is(t, i + m, "it") || text_is(t, i + m, "that") || text_is(t, i + m, "this") ||
			    text_is(t, i + m, "them") || text_is(t, i + m, "all")) {
				*to = b;
				return 1;
			}
			if (i == a || text_is(t, i - 1, "so") || text_is(t, i - 1, "and") || text_is(t, i - 1, "but") ||
			    text_is(t, i - 1, "then") || text_is(t, i - 1, "ok") || text_is(t, i - 1, "okay"))
				return 1;
			return 2;
		}
		/* "would the kettle fit in that", "fits my budget" */
		if ((text_is(t, i, "fit") || text_is(t, i, "fits")) &&
		    ((m = text_match(t, i + 1, b, "in that")) || (m = text_match(t, i + 1, b, "in it")) ||
		     (m = text_match(t, i + 1, b, "into that")) || (m = text_match(t, i + 1, b, "my budget")) ||
		     (m = text_match(t, i + 1, b, "the budget")) || (m = text_match(t, i + 1, b, "in my budget")) ||
		     (m = text_match(t, i + 1, b, "in the budget")))) {
			*from = i;
			*to = i + 1 + m;
			return 1;
		}
		/* "is the speaker within that", "still in budget?" */
		if (text_is(t, i, "within") || ((text_is(t, i, "over") || text_is(t, i, "under") || text_is(t, i, "in")) &&
						(text_is(t, i + 1, "budget") || text_is(t, i + 2, "budget")))) {
			int j = i + 1;
			if (text_is(t, j, "my") || text_is(t, j, "the") || text_is(t, j, "our"))
				j++;
			if (j < t->n && (text_is(t, j, "budget") || (text_is(t, i, "within") &&
								     (text_is(t, j, "that") || text_is(t, j, "it"))))) {
				*from = i;
				*to = j + 1;
				return 1;
			}
		}
	}
	return 0;
}

/* Budget statements and questions of t into f; the words to leave out are marked in
 * drop.  "I've got 20 dollars" stays in the text (the parser reads money said in a
 * request as a price limit); "my budget is 30 total" and "a twenty" go. */
static int budget_read(const struct text_words *t, struct needs_frame *f, unsigned char *drop)
{
	int found = 0;
	for (int i = 0; i < t->n; i++) {
		int64_t cents;
		int from, m = budget_at(t, i, &cents, &from);
		if (m) {
			f->budget = cents;
			/* "i have got 20 dollars, which headphones": the parser's price limit;
			 * said as a sentence of its own, only a budget */
			int keep = 0, end = from + m;
			for (int k = from; k < end; k++)
				keep |= text_is(t, k, "have") || text_is(t, k, "got");
			keep &= end < t->n && t->brk[end - 1] < 2;
			int64_t c2;
			keep &= price_parse_amount(t, i, t->n, 0, &c2) > 0;
			for (int k = from; k < from + m && !keep; k++)
				drop[k] = 1;
			found = 1;
			i = from + m - 1;
		}
	}
	/* questions, clause by clause */
	for (int a = 0; a < t->n;) {
		int b = a, from, to;
		while (b < t->n && !(b > a && t->brk[b - 1]))
			b++;
		int q = budget_question(t, a, b, &from, &to);
		if (q == 2) {
			for (int i = from; i < to; i++)
				drop[i] = 1;
			found = 1;
		} else if (q) {
			int64_t cents;
			for (int i = from; i < to && !f->budget; i++)
				if (money_at(t, i, text_is(t, from, "will") || text_is(t, from, "would"), &cents) && cents > 0)
					f->budget = cents;	/* "will fifty dollars cover it" */
			f->budget_ask = 1;
			for (int i = from; i < to; i++)
				drop[i] = 1;
			found = 1;
		}
		a = b;
	}
	return found;
}

int needs_read(const char *text, struct needs_frame *f, char *rest, size_t len)
{
	return needs_read_known(text, NULL, NULL, f, rest, len);
}

int needs_read_known(const char *text, int (*known)(void *ctx, const char *w), void *ctx,
		  struct needs_frame *f, char *rest, size_t len)
{
	struct known kw = { known, ctx };
	ensure_loaded();
	memset(f, 0, sizeof *f);
	if (len)
		rest[0] = '\0';
	struct text_words *t = malloc(sizeof *t);
	struct stems *s = malloc(sizeof *s);
	unsigned char *drop = calloc(TEXT_MAX_WORDS, 1);
	if (!t || !s || !drop) {
		free(t);
		free(s);
		free(drop);
		return 0;
	}
	text_split(text, t);
	stems_of(t, s);
	int found = budget_read(t, f, drop);
	for (int i = 0; i < t->n;) {
		if (drop[i]) {
			i++;
			continue;
		}
		int lacked = f->lack, situation;
		int m = phrase_read(t, s, i, f, &kw, &situation);
		if (!m) {
			i++;
			continue;
		}
		found = 1;
		int a = i, b = i + m;
		/* the glue of the phrase goes with it: "but nothing with dairy in it"; a
		 * lack keeps the words before it ("eggs, and there's no milk") */
		while (a > 0 && f->lack == lacked && !t->brk[a - 1] && !drop[a - 1] &&
		       (is_glue_before(t, a - 1) || (situation && situation_glue(t, a - 1))) &&
		       !(a - 1 > 0 && text_is(t, a - 2, "which")))
			a--;
		if (!t->brk[b - 1]) {
			int g;
			while (b < t->n && (g = glue_after(t, b)) && !t->brk[b - 1])
				b += g;
		}
		for (int k = a; k < b; k++)
			drop[k] = 1;
		i = b;
	}
	if (found) {
		/* "which earbuds would help": the help is with the need, not a request for help */
		for (int i = 0; i + 1 < t->n; i++) {
			if ((text_is(t, i, "would") || text_is(t, i, "might") || text_is(t, i, "could") ||
			     text_is(t, i, "will") || text_is(t, i, "that")) &&
			    (text_is(t, i + 1, "help") || text_is(t, i + 1, "helps"))) {
				drop[i] = drop[i + 1] = 1;
				if (text_is(t, i + 2, "me") || text_is(t, i + 2, "us"))
					drop[i + 2] = 1;
			}
		}
		/* the words left, with their pauses: a dropped phrase's pause stays */
		size_t o = 0;
		unsigned char pause = 0;
		for (int i = 0; i < t->n; i++) {
			if (drop[i]) {
				if (t->brk[i] > pause)
					pause = t->brk[i];
				continue;
			}
			if (o && pause && o + 2 < len) {
				rest[o++] = pause == 2 ? '.' : pause == 3 ? ':' : ',';
			}
			pause = 0;
			int w = snprintf(rest + o, len > o ? len - o : 0, "%s%s", o ? " " : "", t->w[i]);
			if (w < 0 || (size_t)w >= len - o)
				break;
			o += (size_t)w;
			if (t->brk[i])
				pause = t->brk[i];
		}
		if (o && pause && o + 1 < len)
			rest[o++] = pause == 2 ? '.' : pause == 3 ? ':' : ',';
		if (len)
			rest[o < len ? o : len - 1] = '\0';
		/* a question stays one: "i'm vegan, can i have the oat milk?" */
		if (text && strchr(text, '?') && !f->budget_ask && o > 0 && o < len) {
			if (rest[o - 1] == '.' || rest[o - 1] == ',')
				rest[o - 1] = '?';
			else if (o + 1 < len)
				rest[o] = '?', rest[o + 1] = '\0';
		}
	} else {
		memset(f, 0, sizeof *f);
		text_join(t, 0, t->n, rest, len);
	}
	free(t);
	free(s);
	free(drop);
	return found && (!needs_empty(f) || f->lack);
}

/* ---------------------------------------------------------------- products */

struct ptext {
	struct stems title_tags;	/* title, then each tag */
	struct stems all;		/* the same and the description */
};

static void append_stems(struct stems *s, const char *text)
{
	struct text_words tw;
	text_split(text, &tw);
	for (int i = 0; i < tw.n && s->n < TEXT_MAX_WORDS; i++)
		match_stem(tw.w[i], s->w[s->n++], TEXT_WORD_LEN);
}

/* The product's words (stems of title and tags; of those and the description), in a
 * new struct ptext the caller frees; NULL when out of memory. */
static struct ptext *ptext_new(const cJSON *p)
{
	struct ptext *pt = malloc(sizeof *pt);
	if (!pt)
		return NULL;
	pt->title_tags.n = 0;
	append_stems(&pt->title_tags, json_str(p, "title"));
	const cJSON *tag;
	cJSON_ArrayForEach(tag, cJSON_GetObjectItemCaseSensitive(p, "tags"))
		if (cJSON_IsString(tag))
			append_stems(&pt->title_tags, tag->valuestring);
	pt->all = pt->title_tags;
	append_stems(&pt->all, json_str(p, "description"));
	return pt;
}

static int has_facet(const struct ptext *pt, const struct facet *fc)
{
	if (says_any(&pt->all, fc->free, fc->nfree))
		return 0;
	return fc->all || says_any(&pt->title_tags, fc->has, fc->nhas);
}

static int allows(const struct needs_frame *f, const struct ptext *pt)
{
	for (int i = 0; i < nfacets; i++) {
		if ((f->excl >> i & 1) && has_facet(pt, &facets[i]))
			return 0;
		if ((f->req >> i & 1) && !has_facet(pt, &facets[i]))
			return 0;
	}
	return 1;
}

static int prefers(const struct needs_frame *f, const struct ptext *pt)
{
	int n = 0;
	for (int i = 0; i < f->nprefer; i++) {
		struct phrase p;
		phrase_of(f->prefer[i], &p);
		n += p.n > 0 && says_any(&pt->all, &p, 1);
	}
	return n;
}

const char *needs_breaks(const struct needs_frame *f, const cJSON *p, int *has)
{
	if (!f || (!f->excl && !f->req))
		return NULL;
	ensure_loaded();
	struct ptext *pt = ptext_new(p);
	if (!pt)
		return NULL;
	const char *name = NULL;
	for (int i = 0; i < nfacets && !name; i++) {
		int h = ((f->excl | f->req) >> i & 1) ? has_facet(pt, &facets[i]) : 0;
		if ((f->excl >> i & 1) && h)
			name = facets[i].name, *has = 1;
		else if ((f->req >> i & 1) && !h)
			name = facets[i].name, *has = 0;
	}
	free(pt);
	return name && !strcmp(name, "sprayed") ? "pesticides" : name;
}

int needs_allows(const struct needs_frame *f, const cJSON *p)
{
	if (!f || (!f->excl && !f->req))
		return 1;
	ensure_loaded();
	struct ptext *pt = ptext_new(p);
	if (!pt)
		return 1;
	int ok = allows(f, pt);
	free(pt);
	return ok;
}

/* Words before a word of the description that say the product is without it ("no
 * pulp", "without caffeine", "non dairy"); after it, "free" ("nut free"). */
static int negated_at(const struct stems *s, int i)
{
	static const char *const before[] = { "no", "non", "without", "zero", "not" };
	for (size_t k = 0; k < sizeof before / sizeof *before; k++)
		if ((i > 0 && !strcmp(s->w[i - 1], before[k])) ||
		    (i > 1 && !strcmp(s->w[i - 2], before[k]) && !strcmp(s->w[i - 1], "add")))
			return 1;
	return i + 1 < s->n && (!strcmp(s->w[i + 1], "free") || !strcmp(s->w[i + 1], "less"));
}

int needs_word_says(const cJSON *p, const char *phrase)
{
	if (!p || !phrase || !*phrase)
		return 0;
	ensure_loaded();
	struct phrase ph;
	phrase_of(phrase, &ph);
	if (ph.n == 0)
		return 0;
	struct ptext *pt = ptext_new(p);
	if (!pt)
		return 0;
	int says = 0;
	/* a facet named ("nuts", "dairy", "cow milk"): whether the product has it */
	for (int f = 0; f < nfacets && !says; f++) {
		for (int k = 0; k < facets[f].nnames && !says; k++) {
			const struct phrase *nm = &facets[f].names[k];
			int same = nm->n == ph.n;
			for (int w = 0; same && w < ph.n; w++)
				same = !strcmp(nm->w[w], ph.w[w]);
			if (same && !facets[f].all)
				says = has_facet(pt, &facets[f]) ? 2 : says_any(&pt->all, facets[f].free, facets[f].nfree) ? -1 : 0;
		}
	}
	/* else the words in the title, tags or description, unless said without */
	for (int i = 0; i + ph.n <= pt->all.n && !says; i++) {
		if (!phrase_at(&pt->all, NULL, i, &ph))
			continue;
		says = negated_at(&pt->all, i) || negated_at(&pt->all, i + ph.n - 1) ? -1 : 1;
	}
	free(pt);
	return says;
}

int needs_says_free(const struct needs_frame *f, const cJSON *p)
{
	if (!f || !f->excl)
		return 0;
	ensure_loaded();
	struct ptext *pt = ptext_new(p);
	if (!pt)
		return 0;
	int says = 0;
	for (int i = 0; i < nfacets && !says; i++)
		says = (f->excl >> i & 1) && says_any(&pt->all, facets[i].free, facets[i].nfree);
	free(pt);
	return says;
}

int needs_prefers(const struct needs_frame *f, const cJSON *p)
{
	if (!f || !f->nprefer)
		return 0;
	ensure_loaded();
	struct ptext *pt = ptext_new(p);
	if (!pt)
		return 0;
	int n = prefers(f, pt);
	free(pt);
	return n;
}

int needs_filter(const struct needs_frame *f, cJSON *items)
{
	if (!f || needs_empty(f) || !cJSON_IsArray(items))
		return 0;
	int n = cJSON_GetArraySize(items), dropped = 0, best = 0;
	if (n <= 0)
		return 0;
	int *score = calloc((size_t)n, sizeof *score);
	if (!score)
		return 0;
	for (int i = n - 1; i >= 0; i--) {
		const cJSON *p = cJSON_GetArrayItem(items, i);
		if (!needs_allows(f, p)) {
			cJSON_DeleteItemFromArray(items, i);
			score[i] = -1;
			dropped++;
			continue;
		}
		score[i] = needs_prefers(f, p);
		if (score[i] > best)
			best = score[i];
	}
	/* the scores of the items left, in their order */
	int k = 0;
	for (int i = 0; i < n; i++)
		if (score[i] >= 0)
			score[k++] = score[i];
	for (int i = k - 1; best > 0 && i >= 0; i--) {
		if (score[i] < best) {
			cJSON_DeleteItemFromArray(items, i);
			dropped++;
		}
	}
	free(score);
	return dropped;
}

int needs_describes(const struct needs_frame *f, const char *w)
{
	char a[TEXT_WORD_LEN];
	match_stem(w, a, sizeof a);
	for (int i = 0; i < f->nprefer; i++) {
		struct phrase p;
		phrase_of(f->prefer[i], &p);
		for (int k = 0; k < p.n; k++)
			if (!strcmp(p.w[k], a))
				return 1;
	}
	return 0;
}

void needs_phrase(const struct needs_frame *f, char *out, size_t len)
{
	ensure_loaded();
	size_t o = 0;
	int k = 0, nbits = 0;
	if (len)
		out[0] = '\0';
	for (int i = 0; i < nfacets; i++)
		nbits += f->excl >> i & 1;
	for (int i = 0; i < nfacets && len; i++) {
		if (!(f->excl >> i & 1))
			continue;
		const char *name = facets[i].name;
		if (!strcmp(name, "sprayed"))
			name = "pesticides";
		int w = snprintf(out + o, len - o, "%s%s", k == 0 ? " without " : k + 1 == nbits ? " or " : ", ", name);
		if (w < 0 || (size_t)w >= len - o)
			break;
		o += (size_t)w;
		k++;
	}
}

/* ---------------------------------------------------- indirect requests */

static int is_frame_noun(const struct text_words *t, int i)
{
	static const char *const words[] = { "thing", "things", "thingy", "stuff", "gadget", "gizmo",
		"doohickey", "whatsit", "contraption", "device" };
	return in_words(t, i, words, sizeof words / sizeof *words);
}

static int is_cue_word(const char *w)
{
	static const char *const words[] = { "something", "anything", "somethin", "thing", "things",
		"thingy", "stuff", "gadget", "gizmo", "doohickey", "whatsit", "contraption", "device",
		"need", "needs", "want", "wants", "new", "one", "ones", "get", "grab", "order",
		"replace", "replacement", "sort", "there", "have", "got", "little", "old", "proper",
		"actually", "just", "could", "would", "can", "will", "own", "last", "every", "half",
		"percent", "lately", "literally", "realised", "realized", "kind", "sort", "type" };
	for (size_t k = 0; k < sizeof words / sizeof *words; k++)
		if (!strcmp(w, words[k]))
			return 1;
	return 0;
}

static void cue_add(struct needs_cue *c, const struct text_words *t, const struct stems *s, int i, int weight)
{
	static const char *const pronouns[] = { "their", "them", "they", "its", "your", "our", "his",
		"her", "mine", "yours", "this", "that", "these", "those", "what", "which", "who", "some",
		"any", "with", "out", "off", "into", "onto", "from", "about", "thru", "through" };
	const char *w = t->w[i];
	/* everyday words ("make", "play") count in the request's own words, where what
	 * they match in the catalog is weighed; elsewhere they are talk */
	if (strlen(w) < 3 || lex_is_stopword(w) || (weight < 2 && lex_is_common(w)) || lex_is_person(w) ||
	    is_cue_word(w) || (w[0] >= '0' && w[0] <= '9') || in_words(t, i, pronouns, sizeof pronouns / sizeof *pronouns))
		return;
	for (int k = 0; k < c->n; k++) {
		char st[TEXT_WORD_LEN];
		match_stem(c->w[k], st, sizeof st);
		if (!strcmp(st, s->w[i])) {
			if (weight < 0 || (weight > c->weight[k] && c->weight[k] > 0))
				c->weight[k] = weight;
			return;
		}
	}
	if (c->n < NEEDS_CUE_WORDS) {
		snprintf(c->w[c->n], sizeof c->w[c->n], "%s", w);
		c->weight[c->n++] = weight;
	}
}

int needs_cue_read(const char *text, struct needs_cue *c)
{
	ensure_loaded();
	memset(c, 0, sizeof *c);
	struct text_words *t = malloc(sizeof *t);
	struct stems *s = malloc(sizeof *s);
	unsigned char *wt = calloc(TEXT_MAX_WORDS, 1);	/* 0 skip, 1 context, 2 the request's words,
							 * 3 what the shopper has, 4 the thing lacked */
	if (!t || !s || !wt) {
		free(t);
		free(s);
		free(wt);
		return 0;
	}
	text_split(text, t);
	stems_of(t, s);
	memset(wt, 1, (size_t)t->n);
	c->ask = text && strchr(text, '?') != NULL;
	for (int i = 0; i < t->n; i++) {
		/* "something to drink my coffee out of", "anything they can crunch on" */
		if (text_is(t, i, "something") || text_is(t, i, "anything") || text_is(t, i, "somethin")) {
			c->frame = 1;
			for (int j = i + 1; j < t->n && !t->brk[j - 1]; j++)
				wt[j] = 2;
		}
		/* "the little plug thing i charge it with", "the old thing we boil water in" */
		if (is_frame_noun(t, i)) {
			int d = -1;
			for (int j = i - 1; j >= 0 && j >= i - 3 && !t->brk[j]; j--)
				if (text_is(t, j, "the") || text_is(t, j, "a") || text_is(t, j, "that") ||
				    text_is(t, j, "this") || text_is(t, j, "my") || text_is(t, j, "our") ||
				    text_is(t, j, "some"))
					d = j;
			if (d >= 0) {
				c->frame = 1;
				for (int j = d; j < i; j++)
					wt[j] = 2;
				for (int j = i + 1; j < t->n && !t->brk[j - 1]; j++)
					wt[j] = 2;
			}
		}
		int m = longest_at(s, t->brk, i, lack_after, nlack_after);
		if (m) {
			/* the thing before the lack, back to the clause's start */
			c->lack = 1;
			for (int j = i - 1; j >= 0 && j >= i - 8 && !t->brk[j]; j--)
				wt[j] = 4;
			for (int j = i; j < i + m; j++)
				wt[j] = 0;
			i += m - 1;
			continue;
		}
		m = longest_at(s, t->brk, i, lack_before, nlack_before);
		if (m) {
			c->lack = 1;
			for (int j = i; j < i + m; j++)
				wt[j] = 0;
			for (int j = i + m; j < t->n && !t->brk[j - 1] && j < i + m + 6; j++)
				wt[j] = 4;
			i += m - 1;
			continue;
		}
		if (text_is(t, i, "need") || text_is(t, i, "want") || text_is(t, i, "grab") ||
		    text_match(t, i, t->n, "get me") || text_match(t, i, t->n, "new one") ||
		    text_is(t, i, "replacement") || text_is(t, i, "replace"))
			c->want = 1;
		if (text_match(t, i, t->n, "is there") || text_match(t, i, t->n, "do you have") ||
		    text_match(t, i, t->n, "have you got") || text_match(t, i, t->n, "do you sell") ||
		    text_match(t, i, t->n, "what have you") || text_match(t, i, t->n, "what do you have") ||
		    text_is(t, i, "recommend") || text_is(t, i, "suggest"))
			c->ask = 1;
	}
	/* "no sugar", "won't keep me up", "sick of tap water": not what is wanted; "i've
	 * already got beans": what the shopper has (3: counts against a product) */
	for (int i = 0; i < t->n; i++) {
		int m = 0, mark = 0;
		if (text_is(t, i, "no") || text_is(t, i, "not") || text_is(t, i, "without") || text_is(t, i, "non") ||
		    text_is(t, i, "never") || text_is(t, i, "zero"))
			m = 1, mark = 0;
		else if ((m = text_match(t, i, t->n, "sick of")) || (m = text_match(t, i, t->n, "tired of")) ||
			 (m = text_match(t, i, t->n, "fed up with")) || (m = text_match(t, i, t->n, "instead of")) ||
			 (m = text_match(t, i, t->n, "rather than")))
			mark = 0;
		else if ((m = text_match(t, i, t->n, "already got")) || (m = text_match(t, i, t->n, "already have")) ||
			 (m = text_match(t, i, t->n, "have plenty of")) || (m = text_match(t, i, t->n, "got plenty of")))
			mark = 3;
		if (!m || t->brk[i + m - 1])
			continue;
		int reach = mark == 3 ? 6 : 3;
		for (int j = i + m; j < t->n && j < i + m + reach; j++) {
			if (text_is(t, j, "so") || text_is(t, j, "but") || text_is(t, j, "and") || text_is(t, j, "just"))
				break;
			wt[j] = (unsigned char)mark;
			if (t->brk[j])
				break;
		}
	}
	for (int i = 0; i < t->n; i++)
		if (wt[i] == 3)
			cue_add(c, t, s, i, -2);
	for (int i = 0; i < t->n; i++)
		if (wt[i] == 4)
			cue_add(c, t, s, i, 2);
	for (int k = 0; k < c->n; k++)
		c->object[k] = c->weight[k] == 2;
	for (int pass = 2; pass >= 1; pass--)
		for (int i = 0; i < t->n; i++)
			if (wt[i] == pass)
				cue_add(c, t, s, i, pass);
	free(t);
	free(s);
	free(wt);
	int pos = 0;
	for (int k = 0; k < c->n; k++)
		pos += c->weight[k] > 0;
	return (c->frame || c->lack) && pos > 0;
}
