/*
 * act_need.c - a request that names no product, answered from the catalog's own
 * words ("need something to drink my coffee out of, my cup smashed", "the little plug
 * thing I charge it with cracked", "every pair I own has a hole in the heel").
 *
 * needs_cue_read() finds the cue (a "something to ..." / "the ... thing" frame or a
 * lack) and the content words, weighted 2 in the function phrase and the lack's
 * object.  Each word is looked up in the search index (one indexed search a word: its
 * matches are the candidates, their count the word's rarity); a candidate scores the
 * sum over words of weight x rarity x where the product says the word (title 3, tags
 * 2, description 1, prefix of a product word: "charge" of "charger"), and 0.7 where
 * WordNet says it of what the product is (the synonyms and definitions of its first
 * tag and what that is a kind of: a speaker "converts electrical signals into sounds
 * loud enough", socks "a cloth covering for the foot").  The shopper's constraints
 * (needs_allows) hold.
 *
 * One product clearly ahead is added when the shopper wants it, offered when they ask;
 * a few close are offered (remembered as shown); nothing clear, or a best product
 * whose own name the shopper said (then the ordinary reading has it), leaves the turn
 * to the rest of the engine.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buddy/dialogue.h"
#include "buddy/knowledge.h"
#include "buddy/lexicon.h"
#include "buddy/needs.h"
#include "buddy/text.h"

#define NEED_CANDS 64
#define NEED_PER_WORD 20
#define NEED_SEARCHES 10
#define GLOSS_WORDS 80
#define GLOSS_SLOTS 256

struct pwords {
	int n;
	char w[TEXT_MAX_WORDS * 2][TEXT_WORD_LEN];
	unsigned char field[TEXT_MAX_WORDS * 2];	/* 3 title, 2 tag, 1 description */
};

/* ---- what WordNet says a product head is, remembered ---------------------- */

struct gloss {
	char head[48];
	int n;
	char w[GLOSS_WORDS][TEXT_WORD_LEN];
};

static struct gloss gloss_cache[GLOSS_SLOTS];
static int gloss_used;
static pthread_mutex_t gloss_lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned hash_str(const char *s)
{
	unsigned h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The stems of what WordNet says `head` is, into g (copied out under the lock). */
static void gloss_of(const char *head, struct gloss *g)
{
	unsigned slot = hash_str(head) % GLOSS_SLOTS;
	pthread_mutex_lock(&gloss_lock);
	if (!strcmp(gloss_cache[slot].head, head)) {
		*g = gloss_cache[slot];
		pthread_mutex_unlock(&gloss_lock);
		return;
	}
	pthread_mutex_unlock(&gloss_lock);
	char text[1024];
	memset(g, 0, sizeof *g);
	snprintf(g->head, sizeof g->head, "%s", head);
	if (!know_describe(head, text, sizeof text)) {
		/* "french press": what a press is */
		const char *sp = strrchr(head, ' ');
		if (sp)
			know_describe(sp + 1, text, sizeof text);
	}
	struct text_words *tw = malloc(sizeof *tw);
	if (tw) {
		text_split(text, tw);
		for (int i = 0; i < tw->n && g->n < GLOSS_WORDS; i++)
			if (strlen(tw->w[i]) > 2 && !lex_is_stopword(tw->w[i]))
				match_stem(tw->w[i], g->w[g->n++], TEXT_WORD_LEN);
		free(tw);
	}
	pthread_mutex_lock(&gloss_lock);
	gloss_cache[slot] = *g;
	gloss_used++;
	pthread_mutex_unlock(&gloss_lock);
}

/* ---- the product's words ------------------------------------------------- */

static void add_words(struct pwords *pw, const char *text, int field)
{
	struct text_words tw;
	text_split(text, &tw);
	for (int i = 0; i < tw.n && pw->n < (int)(sizeof pw->field); i++) {
		match_stem(tw.w[i], pw->w[pw->n], TEXT_WORD_LEN);
		pw->field[pw->n++] = (unsigned char)field;
	}
}

static void product_words(const cJSON *p, struct pwords *pw)
{
	pw->n = 0;
	add_words(pw, json_str(p, "title"), 3);
	const cJSON *tag;
	cJSON_ArrayForEach(tag, cJSON_GetObjectItemCaseSensitive(p, "tags"))
		if (cJSON_IsString(tag))
			add_words(pw, tag->valuestring, 2);
	add_words(pw, json_str(p, "description"), 1);
}

/* The word (a stem) said of a product word: the same, or its start ("charge" of
 * "charger", "crunch" of "crunchy") when long enough to mean it. */
static int word_fits(const char *w, const char *pw)
{
	size_t n = strlen(w);
	return !strcmp(w, pw) || (n >= 4 && !strncmp(w, pw, n) && strlen(pw) <= n + 3);
}

/* The head of a product: its first tag ("mug", "french press"), else the last word of
 * its title. */
static void product_head(const cJSON *p, char *out, size_t len)
{
	const cJSON *tags = cJSON_GetObjectItemCaseSensitive(p, "tags");
	const cJSON *t0 = cJSON_GetArrayItem(tags, 0);
	out[0] = '\0';
	if (cJSON_IsString(t0))
		snprintf(out, len, "%s", t0->valuestring);
	for (char *q = out; *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q + 32);
}

struct cand {
	cJSON *p;
	double score;
};

static int cmp_cand(const void *a, const void *b)
{
	double x = ((const struct cand *)a)->score, y = ((const struct cand *)b)->score;
	return x < y ? 1 : x > y ? -1 : 0;
}

static int said_word(const struct text_words *tw, const char *stem)
{
	for (int i = 0; i < tw->n; i++) {
		char s[TEXT_WORD_LEN];
		match_stem(tw->w[i], s, sizeof s);
		if (!strcmp(s, stem))
			return 1;
	}
	return 0;
}

/* 1 when an item the parse read names the word (a stem) as what is asked for. */
static int item_says(const struct und_result *r, const char *stem)
{
	for (int c = 0; c < r->n; c++)
		for (int i = 0; i < r->cmd[c].nitems; i++) {
			const struct und_item *it = &r->cmd[c].items[i];
			for (int w = 0; w < it->nwords; w++) {
				char s[TEXT_WORD_LEN];
				match_stem(it->words[w], s, sizeof s);
				if (!it->wctx[w] && !strcmp(s, stem))
					return 1;
			}
		}
	return 0;
}

int act_need_retrieve(struct turn *t, const struct und_result *r)
{
	if (!t->have_vocab || !t->said || t->needs.nproduct > 0 || t->needs.budget_ask)
		return 0;
	/* only requests and stories: a removal, a checkout or a cart question is read as said */
	for (int c = 0; c < r->n; c++) {
		enum und_intent in = r->cmd[c].intent;
		if (in != UND_NONE && in != UND_ADD && in != UND_SEARCH && in != UND_SET && in != UND_INFO &&
		    in != UND_STOCK)
			return 0;
		/* "something for the kitchen under 20 dollars": a limit is the search's */
		if (r->cmd[c].price.min_cents >= 0 || r->cmd[c].price.max_cents >= 0)
			return 0;
		for (int i = 0; i < r->cmd[c].nitems; i++) {
			enum und_ref ref = r->cmd[c].items[i].ref;
			if (ref == UND_REF_THEM || ref == UND_REF_ORDINAL || ref == UND_REF_OTHER || ref == UND_REF_ALL)
				return 0;	/* "the second one", "both of them" */
		}
	}
	struct needs_cue cue;
	if (!needs_cue_read(t->said, &cue))
		return 0;
	struct cand *cands = calloc(NEED_CANDS, sizeof *cands);
	struct pwords *pw = malloc(sizeof *pw);
	struct text_words *tw = malloc(sizeof *tw);
	double rare[NEEDS_CUE_WORDS];
	int dfs[NEEDS_CUE_WORDS];
	char stem[NEEDS_CUE_WORDS][TEXT_WORD_LEN];
	int nc = 0, answered = 0;
	if (!cands || !pw || !tw)
		goto out;
	/* a rambling turn: the request's own words first (needs_cue_read's order), at
	 * most NEED_SEARCHES of them looked up */
	if (cue.n > NEED_SEARCHES)
		cue.n = NEED_SEARCHES;
	for (int k = 0; k < cue.n; k++) {
		match_stem(cue.w[k], stem[k], TEXT_WORD_LEN);
		struct buddy_search bs = { cue.w[k], NULL, -1, -1, "relevance", NEED_PER_WORD };
		cJSON *res = NULL;
		ERRBUF;
		int df = 0;
		if (t->tools->search(t->tools->ctx, &bs, &res, code, msg) == 0 && res) {
			df = (int)dlg_int(res, "total", 0);
			const cJSON *p;
			cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(res, "items")) {
				int dup = 0;
				for (int i = 0; i < nc && !dup; i++)
					dup = dlg_id(cands[i].p) == dlg_id(p);
				if (!dup && nc < NEED_CANDS && needs_allows(&t->needs, p))
					cands[nc++].p = cJSON_Duplicate(p, 1);
			}
		}
		cJSON_Delete(res);
		rare[k] = 1.0 / sqrt(df > 1 ? (double)df : 1.0);
		dfs[k] = df;
	}
	if (nc == 0)
		goto out;
	/* "some fruit for their lunchboxes, something they can crunch on": a kind the
	 * request names (a word the parse read as the thing asked for, that several
	 * products are called) holds; the rest of the words choose among its products */
	for (int k = 0; k < cue.n; k++) {
		if (dfs[k] < 3 || cue.weight[k] != 1 || !item_says(r, stem[k]))
			continue;
		unsigned char named[NEED_CANDS];
		int keep = 0;
		for (int i = 0; i < nc; i++) {
			product_words(cands[i].p, pw);
			named[i] = 0;
			for (int j = 0; j < pw->n && !named[i]; j++)
				named[i] = pw->field[j] >= 2 && word_fits(stem[k], pw->w[j]);
			keep += named[i] && cands[i].score >= 0;
		}
		for (int i = 0; keep && i < nc; i++)	/* (none called so: the words decide) */
			if (!named[i])
				cands[i].score = -1e9;
	}
	for (int i = 0; i < nc; i++) {
		if (cands[i].score < 0)
			continue;
		product_words(cands[i].p, pw);
		char head[48];
		struct gloss g;
		product_head(cands[i].p, head, sizeof head);
		gloss_of(head, &g);
		for (int k = 0; k < cue.n; k++) {
			double f = 0;
			for (int j = 0; j < pw->n; j++)
				if (pw->field[j] > f && word_fits(stem[k], pw->w[j]))
					f = pw->field[j];
			for (int j = 0; !f && j < g.n; j++)
				if (word_fits(stem[k], g.w[j]))
					f = 0.7;
			cands[i].score += cue.weight[k] * rare[k] * f;
		}
	}
	qsort(cands, (size_t)nc, sizeof *cands, cmp_cand);
	double s1 = cands[0].score, s2 = nc > 1 ? cands[1].score : 0;
	if (s1 < 1.5)
		goto out;
	/* the best one named by the shopper: the ordinary reading has it */
	char head[48];
	product_head(cands[0].p, head, sizeof head);
	und_clean(t->said, tw);
	struct text_words hw;
	text_split(head, &hw);
	int named = 0;
	for (int i = 0; i < hw.n; i++) {
		char s[TEXT_WORD_LEN];
		match_stem(hw.w[i], s, sizeof s);
		named |= said_word(tw, s);
	}
	/* "too tired to cook, just add a pack of spaghetti": an item the parse read whose
	 * words are the best product's own names it */
	product_words(cands[0].p, pw);
	for (int c = 0; c < r->n && !named; c++)
		for (int i = 0; i < r->cmd[c].nitems && !named; i++) {
			const struct und_item *it = &r->cmd[c].items[i];
			int title = 0, other = 0;
			for (int w = 0; w < it->nwords; w++) {
				if (it->wctx[w] || lex_is_stopword(it->words[w]) || lex_is_common(it->words[w]))
					continue;
				char st[TEXT_WORD_LEN];
				int f = 0;
				match_stem(it->words[w], st, sizeof st);
				for (int j = 0; j < pw->n; j++)
					if (pw->field[j] >= 2 && word_fits(st, pw->w[j]) && pw->field[j] > f)
						f = pw->field[j];
				title += f == 3;
				other += f == 0;
			}
			named = title > 0 && other == 0;
		}
	if (named)
		goto out;
	/* added only when sure: two of the words fit it, or one rare word that names it
	 * (title, tags, what WordNet says it is) or the thing that broke ("every pair I
	 * own has a hole"); one word of its description for what it should do ("to keep
	 * my drinks cold": "cold-pressed" olive oil) is only offered */
	int fit = 0, sure1 = 0, named1 = 0;
	for (int k = 0; k < cue.n; k++) {
		int f = 0, named_f = 0;
		for (int j = 0; j < pw->n && !f; j++)
			if ((f = word_fits(stem[k], pw->w[j])))
				named_f = pw->field[j] >= 2;
		if (!f) {
			struct gloss g;
			char h2[48];
			product_head(cands[0].p, h2, sizeof h2);
			gloss_of(h2, &g);
			for (int j = 0; j < g.n && !f; j++)
				named_f = f = word_fits(stem[k], g.w[j]);
		}
		if (f && cue.weight[k] > 0) {
			fit++;
			sure1 |= cue.weight[k] >= 2 && dfs[k] <= 2 && (named_f || cue.object[k]);
			named1 |= named_f || cue.object[k];
		}
	}
	/* nothing but one word of a description: not enough to answer with, unless what
	 * the need prefers says it too ("before bed": "nice before bed") */
	if (fit < 2 && !named1 && needs_prefers(&t->needs, cands[0].p) == 0)
		goto out;
	cJSON *items = cJSON_CreateArray();
	int n = 0;
	for (int i = 0; i < nc && n < DLG_READ_MAX; i++)
		if (i == 0 || cands[i].score >= s1 * 0.67)
			cJSON_AddItemToArray(items, cJSON_Duplicate(cands[i].p, 1)), n++;
	char query[256] = "";
	for (int k = 0; k < cue.n; k++)
		if (cue.weight[k] > 1)
			snprintf(query + strlen(query), sizeof query - strlen(query), "%s%s", *query ? " " : "",
				 cue.w[k]);
	int take = n == 1 && (cue.want || cue.lack) && !cue.ask && s1 >= s2 * 1.5 && (fit >= 2 || sure1);
	act_offer_found(t, items, query, take);
	cJSON_Delete(items);
	answered = 1;
out:
	for (int i = 0; cands && i < nc; i++)
		cJSON_Delete(cands[i].p);
	free(cands);
	free(pw);
	free(tw);
	return answered;
}
