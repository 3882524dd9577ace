/*
 * resolve.c - which product(s) does an item of a request mean?
 *
 * Order of lookups: pronouns and ordinals read the dialogue state (focus, the list
 * last read out); words are matched first against the cart (for removals and
 * quantity changes), then against what was just shown ("the sony one" after "the
 * Sony or the Bose?"), then against the catalog through the search tool.  Words
 * are typo-corrected against the catalog vocabulary first; a word the catalog does
 * not know is reported as missing when it is the noun the shopper asked for (the
 * last word), and ignored when it only describes ("the yellow bananas").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buddy/dialogue.h"
#include "buddy/knowledge.h"
#include "buddy/lexicon.h"
#include "buddy/terms.h"

#define RANK_MAX 24

int64_t dlg_id(const cJSON *obj)
{
	int64_t id = dlg_int(obj, "id", 0);
	return id ? id : dlg_int(obj, "product_id", 0);
}

cJSON *dlg_cart_as_products(const cJSON *cart)
{
	cJSON *arr = cJSON_CreateArray();
	const cJSON *line;
	cJSON_ArrayForEach(line, cJSON_GetObjectItemCaseSensitive(cart, "items")) {
		cJSON *p = cJSON_CreateObject();
		cJSON_AddNumberToObject(p, "id", (double)dlg_int(line, "product_id", 0));
		cJSON_AddStringToObject(p, "title", dlg_str(line, "title"));
		cJSON_AddNumberToObject(p, "price_cents", (double)dlg_int(line, "unit_price_cents", 0));
		cJSON_AddStringToObject(p, "currency", *dlg_str(cart, "currency") ? dlg_str(cart, "currency") : "USD");
		cJSON_AddNumberToObject(p, "quantity", (double)dlg_int(line, "quantity", 0));
		cJSON_AddItemToArray(arr, p);
	}
	return arr;
}

int dlg_cart_qty(const cJSON *cart, int64_t product_id)
{
	const cJSON *line;
	cJSON_ArrayForEach(line, cJSON_GetObjectItemCaseSensitive(cart, "items"))
		if (dlg_int(line, "product_id", 0) == product_id)
			return (int)dlg_int(line, "quantity", 0);
	return 0;
}

void resolve_free(struct resolution *res)
{
	cJSON_Delete(res->products);
	res->products = NULL;
}

static void add_query_word(struct match_query *q, const char *w, double weight)
{
	for (int i = 0; i < q->n; i++)
		if (!strcmp(q->w[i], w))
			return;
	if (q->n >= MATCH_MAX_WORDS)
		return;
	snprintf(q->w[q->n], TEXT_WORD_LEN, "%s", w);
	q->weight[q->n++] = weight;
}

static void append(char *buf, size_t len, const char *w)
{
	size_t o = strlen(buf);
	snprintf(buf + o, len - o, "%s%s", o ? " " : "", w);
}

/* 1 when an unknown word has the shape of a verb or an adverb ("thinking", "called",
 * "probably"): it names no product, whatever list it is missing from. */
static int verb_shaped(const char *w)
{
	size_t n = strlen(w);
	if (n < 5)
		return 0;
	return !strcmp(w + n - 3, "ing") || !strcmp(w + n - 2, "ed") || !strcmp(w + n - 2, "ly");
}

/* match_correct() over the whole vocabulary, remembered for the turn: the same
 * words are looked up many times while the interpretations are weighed. */
int resolve_correct(struct turn *t, const char *w, char *out, size_t len, int *cost)
{
	for (int i = 0; i < t->ncorr; i++) {
		if (strcmp(t->corr[i].w, w))
			continue;
		if (t->corr[i].found) {
			snprintf(out, len, "%s", t->corr[i].fixed);
			if (cost)
				*cost = t->corr[i].cost;
		}
		return t->corr[i].found;
	}
	char fixed[TEXT_WORD_LEN] = "";
	int c = 0;
	int found = match_correct(&t->vocab, w, fixed, sizeof fixed, &c);
	if (t->ncorr < DLG_CORR_MAX && strlen(w) < TEXT_WORD_LEN) {
		snprintf(t->corr[t->ncorr].w, TEXT_WORD_LEN, "%s", w);
		snprintf(t->corr[t->ncorr].fixed, TEXT_WORD_LEN, "%s", fixed);
		t->corr[t->ncorr].cost = c;
		t->corr[t->ncorr].found = found;
		t->ncorr++;
	}
	if (found) {
		snprintf(out, len, "%s", fixed);
		if (cost)
			*cost = c;
	}
	return found;
}

/* "toast", "grease": a word of the language naming a thing is meant as said, never a
 * slip for a catalog word a letter or two away ("roast", "green"); what it means is
 * looked up instead (know_hook), or it is not sold. */
static int real_thing(const char *w, const char *fixed)
{
	/* ("sour" of "sourdough" is the start of it, not another word) */
	return strlen(w) > 3 && strncmp(fixed, w, strlen(w)) && know_kind(w) == KNOW_THING;
}

/* 1 when the catalog has the word as said (or its synonym), no typo allowed. */
static int resolve_exact_word(struct turn *t, const char *w)
{
	char fixed[TEXT_WORD_LEN];
	int cost = 9;
	const char *syn = lex_synonym(w);
	if (!t->have_vocab)
		return 1;
	if (resolve_correct(t, w, fixed, sizeof fixed, &cost) && cost == 0)
		return 1;
	return syn && resolve_correct(t, syn, fixed, sizeof fixed, &cost) && cost == 0;
}

/* match_join() ("head phones" -> headphones), remembered for the turn too. */
static int resolve_join(struct turn *t, const char *a, const char *b, char *out, size_t len)
{
	char key[TEXT_WORD_LEN * 2 + 2];
	snprintf(key, sizeof key, "%s+%s", a, b);
	if (strlen(key) >= TEXT_WORD_LEN)
		return 0;
	for (int i = 0; i < t->ncorr; i++) {
		if (strcmp(t->corr[i].w, key))
			continue;
		if (t->corr[i].found)
			snprintf(out, len, "%s", t->corr[i].fixed);
		return t->corr[i].found;
	}
	char fixed[TEXT_WORD_LEN] = "";
	int found = match_join(&t->vocab, a, b, fixed, sizeof fixed);
	if (t->ncorr < DLG_CORR_MAX) {
		snprintf(t->corr[t->ncorr].w, TEXT_WORD_LEN, "%s", key);
		snprintf(t->corr[t->ncorr].fixed, TEXT_WORD_LEN, "%s", fixed);
		t->corr[t->ncorr].cost = 0;
		t->corr[t->ncorr].found = found;
		t->ncorr++;
	}
	if (found)
		snprintf(out, len, "%s", fixed);
	return found;
}

/* 1 when the word is one the catalog knows (as said, corrected, or by its synonym). */
int resolve_known_word(struct turn *t, const char *w)
{
	char fixed[TEXT_WORD_LEN];
	int cost;
	const char *syn = lex_synonym(w);
	if (!t->have_vocab)
		return 1;
	if (resolve_correct(t, w, fixed, sizeof fixed, &cost))
		return !lex_is_common(w) || cost == 0;
	return syn && resolve_correct(t, syn, fixed, sizeof fixed, &cost) && cost == 0;
}

/* knowledge.c's hook: the catalog words for word i the catalog lacks (`head`: the
 * noun asked for), added to q (unless NULL) with `weight` for the last of them (the
 * others only help).  Returns 1 when there are some. */
static int know_hook(struct turn *t, const struct und_item *it, int i, int head, double weight,
		     struct match_query *q)
{
	char kw[4][32];
	int n = know_query_words(t->vocab.words, t->vocab.nwords, i > 0 ? it->words[i - 1] : NULL,
				 it->words[i], head, kw, 4);
	for (int k = 0; q && k < n; k++)
		add_query_word(q, kw[k], k == n - 1 ? weight : 0.5);
	return n > 0;
}

/* terms.c's question: does the catalog spell the word this way? */
static int term_known(void *ctx, const char *w)
{
	char fixed[TEXT_WORD_LEN];
	int cost = 9;
	return resolve_correct(ctx, w, fixed, sizeof fixed, &cost) && cost == 0;
}

/* The item with what shoppers call things in the words the catalog uses
 * ("full fat milk" -> "whole milk", terms.def); context flags go with the words. */
static void item_terms(struct turn *t, const struct und_item *it, struct und_item *out)
{
	*out = *it;
	if (!t->have_vocab || it->nwords == 0)
		return;
	char w[UND_ITEM_WORDS][TEXT_WORD_LEN];
	int from[UND_ITEM_WORDS];
	int n = terms_rewrite((const char (*)[TEXT_WORD_LEN])it->words, it->nwords, term_known, t, w, from,
			      UND_ITEM_WORDS);
	int k = 0;
	for (int i = 0; i < n; i++) {
		/* a name meaning "no pulp" ("smooth orange juice"): pulp is what it is without */
		if (!strcmp(w[i], "no") && strcmp(it->words[from[i]], "no") && i + 1 < n) {
			if (out->nneg < UND_ITEM_WORDS)
				memcpy(out->neg[out->nneg++], w[i + 1], TEXT_WORD_LEN);
			continue;
		}
		memcpy(out->words[k], w[i], TEXT_WORD_LEN);
		out->wctx[k++] = it->wctx[from[i]];
	}
	out->nwords = k;
}

void resolve_query(struct turn *t, const struct und_item *said, struct match_query *q,
		   char *missing, size_t mlen)
{
	struct und_item named;
	item_terms(t, said, &named);
	const struct und_item *it = &named;
	memset(q, 0, sizeof *q);
	missing[0] = '\0';
	/* words of context ("bananas for my niece") that the catalog does not know are
	 * no product words, and never the noun that is missing */
	int last = it->nwords - 1;	/* the noun asked for: the last word of the head */
	while (last > 0 && it->wctx[last])
		last--;
	/* "could i trouble you for some chamomile tea": when only the words after the
	 * preposition name something sold, the words before it were no product */
	int head_known = 0, ctx_known = 0;
	for (int i = 0; i < it->nwords; i++) {
		if (lex_is_stopword(it->words[i]) || text_is_digits(it->words[i]) || lex_is_unit(it->words[i]) ||
		    !(it->wctx[i] ? resolve_exact_word(t, it->words[i]) :
		      resolve_known_word(t, it->words[i]) || know_hook(t, it, i, 1, 0, NULL)))
			continue;	/* (a "jumper for winter" is known by what it means) */
		if (it->wctx[i])
			ctx_known = 1;
		else
			head_known = 1;
	}
	if (!head_known && ctx_known)
		last = -1;
	for (int i = 0; i < it->nwords; i++) {
		const char *w = it->words[i];
		char fixed[TEXT_WORD_LEN];
		int cost;
		double weight = lex_is_unit(w) ? 0.3 : lex_is_soft(w) ? 0.5 : 1.0;
		if (lex_is_stopword(w) || text_is_digits(w))
			continue;
		if (it->wctx[i] && !resolve_exact_word(t, w))
			continue;	/* "for my niece", "the block party": about the situation
					 * (a context word counts only as the catalog spells it:
					 * "block" is no typo of "black") */
		/* "did my speaker ship yet", "the kids want cereal": an everyday word the
		 * catalog does not have names nothing; it is not "missing" either */
		if (lex_is_common(w) && t->have_vocab &&
		    !(resolve_correct(t, w, fixed, sizeof fixed, &cost) && cost == 0))
			continue;
		/* "whole", "plain", "large": soft words that some titles carry tell products
		 * apart ("whole milk" is not oat milk), without being required by the search */
		if (weight == 0.5 && t->have_vocab && resolve_correct(t, w, fixed, sizeof fixed, &cost) &&
		    cost == 0)
			weight = 0.95;
		if (t->have_vocab && i + 1 < it->nwords &&
		    resolve_join(t, w, it->words[i + 1], fixed, sizeof fixed)) {
			add_query_word(q, fixed, 1.0);
			i++;
			continue;
		}
		const char *syn = lex_synonym(w);
		if (!t->have_vocab) {
			add_query_word(q, w, weight);
		} else if (resolve_correct(t, w, fixed, sizeof fixed, &cost) &&
			   !(cost > 0 && syn && resolve_correct(t, syn, fixed, sizeof fixed, &cost) && cost == 0) &&
			   !(cost > 0 && real_thing(w, fixed))) {
			add_query_word(q, fixed, weight);
		} else if (syn && resolve_correct(t, syn, fixed, sizeof fixed, &cost) && cost == 0) {
			add_query_word(q, fixed, weight);	/* "crisps": the catalog says chips */
		} else if (know_hook(t, it, i, i == last, i == last ? weight : 0.5, q)) {
			/* "courgette", "jumper": known by what it means (knowledge.c) */
		} else if (weight >= 1.0 && i == last && !it->wctx[i] && !verb_shaped(w) &&
			   know_kind(w) != KNOW_OTHER) {
			append(missing, mlen, w);	/* the noun asked for is not sold */
		}
	}
}

/* The cart lines with their category and tags, so "the
 * clothing", "the green apples", "the dairy" find them; quantity kept. */
cJSON *resolve_cart_full(struct turn *t)
{
	cJSON *lines = dlg_cart_as_products(t->cart);
	cJSON *line;
	cJSON_ArrayForEach(line, lines) {
		cJSON *p = NULL;
		char code[BUDDY_ERR_CODE_LEN] = "", msg[BUDDY_ERR_MSG_LEN] = "";
		if (!t->tools->product_get || t->tools->product_get(t->tools->ctx, dlg_id(line), &p, code, msg) != 0 ||
		    !p) {
			cJSON_Delete(p);
			continue;
		}
		/* not the description: "whole grain oats" is no "whole milk" */
		static const char *const keys[] = { "category", "tags" };
		for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
			cJSON *v = cJSON_DetachItemFromObject(p, keys[k]);
			if (v && !cJSON_GetObjectItemCaseSensitive(line, keys[k]))
				cJSON_AddItemToObject(line, keys[k], v);
			else
				cJSON_Delete(v);
		}
		cJSON_Delete(p);
	}
	return lines;
}

static cJSON *dup_array(const struct match_cand *c, int n)
{
	cJSON *arr = cJSON_CreateArray();
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, cJSON_Duplicate(c[i].product, 1));
	return arr;
}

static int matches_neg(const struct und_item *it, const cJSON *p)
{
	for (int k = 0; k < it->nneg; k++)
		if (match_mentions(p, it->neg[k]))
			return 1;
	return 0;
}

/* "the 64 oz oat milk": keeps the candidates of that size; when none has it, the
 * number was how many (res->size_qty).  Returns the new count. */
static int keep_size(const struct und_item *it, struct match_cand *c, int n, struct resolution *res)
{
	if (!it->size_num[0] || n == 0)
		return n;
	int k = 0;
	for (int i = 0; i < n; i++)
		if (match_has_size(c[i].product, it->size_num, it->size_unit))
			c[k++] = c[i];
	if (k > 0)
		return k;
	res->size_qty = atoi(it->size_num) > 0 ? atoi(it->size_num) : 0;
	return n;
}

/* Drops candidates the shopper excluded ("not the decaf"); returns the new count. */
static int drop_negated(const struct und_item *it, struct match_cand *c, int n)
{
	int k = 0;
	for (int i = 0; i < n; i++)
		if (!matches_neg(it, c[i].product))
			c[k++] = c[i];
	return k;
}

double dlg_size_of(const cJSON *p)
{
	static const struct { const char *unit; double base; } units[] = {
		{ "kg", 1000 }, { "g", 1 }, { "lb", 453.6 }, { "oz", 28.35 }, { "l", 1000 },
		{ "ml", 1 }, { "gallon", 3785 }, { "pint", 473 }, { "quart", 946 }, { "pack", 1 },
		{ "ct", 1 },
	};
	struct text_words tw;
	text_split(dlg_str(p, "title"), &tw);
	for (int i = 0; i + 1 < tw.n; i++) {
		if (!(tw.w[i][0] >= '0' && tw.w[i][0] <= '9'))
			continue;
		const char *u = lex_size_unit(tw.w[i + 1]);
		for (size_t k = 0; u && k < sizeof units / sizeof *units; k++)
			if (!strcmp(u, units[k].unit))
				return atof(tw.w[i]) * units[k].base;
	}
	for (int i = 0; i < tw.n; i++)	/* "Whole Milk 1 gallon" has it; "(dozen)" counts */
		if (text_is(&tw, i, "dozen"))
			return 12;
	return -1;
}

int dlg_pick_better(enum und_pick pick, const cJSON *a, const cJSON *b)
{
	if (pick == UND_PICK_BIGGEST || pick == UND_PICK_SMALLEST) {
		double sa = dlg_size_of(a), sb = dlg_size_of(b);
		if (sa < 0)
			return 0;
		if (sb < 0)
			return 1;
		return pick == UND_PICK_BIGGEST ? sa > sb : sa < sb;
	}
	int64_t pa = dlg_int(a, "price_cents", 0), pb = dlg_int(b, "price_cents", 0);
	return pick == UND_PICK_CHEAPEST ? pa < pb : pa > pb;
}

/* Among the candidates as good as the best, the cheapest, dearest, biggest or smallest
 * one first. */
static void apply_pick(const struct und_item *it, struct match_cand *c, int n)
{
	if (it->pick == UND_PICK_NONE || n == 0)
		return;
	int best = 0;
	for (int i = 1; i < n; i++) {
		if (c[i].coverage < c[0].coverage - 0.01)
			continue;
		if (dlg_pick_better(it->pick, c[i].product, c[best].product))
			best = i;
	}
	struct match_cand tmp = c[0];
	c[0] = c[best];
	c[best] = tmp;
	c[0].score += 1.0;	/* now a clear winner */
}

/* Among the first `tied` candidates, too close to tell apart by the words searched
 * for, the one whose title, description and tags hold more of everything said about
 * it ("the sony ones, the expensive noise cancelling, xm something"; "the bread that
 * tastes a bit sour, with the hard crust") goes first.  Returns how many are still
 * tied: 1 when one holds more than each of the others. */
static int prefer_described(const struct und_item *it, struct match_cand *c, int tied)
{
	char said[UND_ITEM_WORDS][TEXT_WORD_LEN];
	int n = 0;
	for (int i = 0; i < it->nwords; i++) {
		const char *w = it->words[i];
		if (strlen(w) < 2 || lex_is_stopword(w) || lex_is_unit(w) || lex_is_common(w) ||
		    (text_is_digits(w) && strlen(w) < 3))
			continue;	/* (a number of three digits may be part of a model: "520") */
		memcpy(said[n++], w, TEXT_WORD_LEN);
	}
	if (n == 0)
		return tied;
	int best = -1, top = -1, second = -1;
	for (int i = 0; i < tied; i++) {
		int f = match_said_fit(c[i].product, (const char (*)[TEXT_WORD_LEN])said, n);
		if (f > top) {
			second = top;
			top = f;
			best = i;
		} else if (f > second) {
			second = f;
		}
	}
	if (best < 0 || top <= second)
		return tied;
	struct match_cand tmp = c[0];
	c[0] = c[best];
	c[best] = tmp;
	return 1;
}

/* Decides from ranked candidates: a winner, a choice, or nothing good enough. */
static void decide(const struct und_item *it, struct match_cand *c, int n, double need,
		   struct resolution *res)
{
	n = drop_negated(it, c, n);
	n = keep_size(it, c, n, res);
	if (n == 0 || c[0].coverage < need) {
		res->status = RES_NOT_FOUND;
		res->products = dup_array(c, n > DLG_READ_MAX ? DLG_READ_MAX : n);
		return;
	}
	apply_pick(it, c, n);
	int tied = match_tied(c, n);
	if (tied > 1)
		tied = prefer_described(it, c, tied);
	if (tied > 1) {
		res->status = RES_AMBIGUOUS;
		res->products = dup_array(c, tied > 4 ? 4 : tied);
	} else {
		res->status = RES_OK;
		res->products = dup_array(c, 1);
	}
}

static int shown_count(const struct turn *t)
{
	return cJSON_GetArraySize(t->st->shown);
}

static cJSON *find_shown(const struct turn *t, int64_t id)
{
	const cJSON *p;
	cJSON_ArrayForEach(p, t->st->shown)
		if (dlg_id(p) == id)
			return (cJSON *)p;
	return NULL;
}

/* The product with this id: from what was shown, else from the catalog. */
static cJSON *product_by_id(struct turn *t, int64_t id)
{
	cJSON *p = NULL;
	char code[BUDDY_ERR_CODE_LEN] = "", msg[BUDDY_ERR_MSG_LEN] = "";
	if (t->tools->product_get && t->tools->product_get(t->tools->ctx, id, &p, code, msg) == 0 && p)
		return p;
	cJSON_Delete(p);
	const cJSON *s = find_shown(t, id);
	return s ? cJSON_Duplicate(s, 1) : NULL;
}

static void resolve_pronoun(struct turn *t, const struct und_item *it, struct resolution *res)
{
	struct buddy_state *st = t->st;
	res->products = cJSON_CreateArray();
	int want_all = it->ref == UND_REF_THEM;
	if (want_all && st->nbatch > 1 && st->batch_turn >= st->focus_turn && st->batch_turn >= st->shown_turn &&
	    st->batch_turn >= st->turn - 3) {
		/* "double both of those" after "add whole milk and a sourdough loaf":
		 * every product the last request added, nothing named or shown since */
		for (int i = 0; i < st->nbatch; i++) {
			cJSON *p = product_by_id(t, st->batch[i].id);
			if (p)
				cJSON_AddItemToArray(res->products, p);
		}
		if (cJSON_GetArraySize(res->products) > 0) {
			res->status = RES_OK;
			return;
		}
	}
	if (st->nfocus > 0 && (!want_all || st->nfocus > 1)) {
		for (int i = 0; i < (want_all ? st->nfocus : 1); i++) {
			cJSON *p = product_by_id(t, st->focus[i]);
			if (p)
				cJSON_AddItemToArray(res->products, p);
		}
	} else if (shown_count(t) == 1 || (want_all && shown_count(t) > 0)) {
		const cJSON *p;
		cJSON_ArrayForEach(p, st->shown)
			cJSON_AddItemToArray(res->products, cJSON_Duplicate(p, 1));
	} else if (st->nfocus > 0) {
		cJSON *p = product_by_id(t, st->focus[0]);
		if (p)
			cJSON_AddItemToArray(res->products, p);
	} else if (it->qty > 0 && t->cart) {
		/* "another", "two more of it" with nothing said or shown yet: the one thing
		 * in the cart, when there is one */
		cJSON *lines = dlg_cart_as_products(t->cart);
		if (cJSON_GetArraySize(lines) == 1)
			cJSON_AddItemToArray(res->products, cJSON_DetachItemFromArray(lines, 0));
		cJSON_Delete(lines);
	}
	res->status = cJSON_GetArraySize(res->products) > 0 ? RES_OK : RES_NO_REF;
}

static void resolve_ordinal(struct turn *t, const struct und_item *it, enum res_scope scope,
			    struct resolution *res)
{
	/* "remove the first thing i added", "make the second item in my cart three":
	 * in the cart, by the order things went in, unless the cart was just read out */
	const cJSON *list = t->st->shown;
	cJSON *lines = NULL;
	if (scope == RES_CART && t->cart && !(t->st->shown_is_cart && t->st->shown_turn >= t->st->turn - 2)) {
		lines = dlg_cart_as_products(t->cart);
		list = lines;
	}
	int n = cJSON_GetArraySize(list);
	int idx = it->ordinal < 0 ? n + it->ordinal : it->ordinal;
	res->products = cJSON_CreateArray();
	if (n == 0 || idx < 0 || idx >= n) {
		res->status = RES_NO_REF;
		cJSON_Delete(lines);
		return;
	}
	cJSON_AddItemToArray(res->products, cJSON_Duplicate(cJSON_GetArrayItem(list, idx), 1));
	res->status = RES_OK;
	cJSON_Delete(lines);
}

/* "the other one", "the cheaper one", "not the decaf": chosen from what was shown. */
static void resolve_from_shown(struct turn *t, const struct und_item *it, struct resolution *res)
{
	struct match_cand c[DLG_SHOWN_MAX * 2];
	int n = 0;
	const cJSON *p;
	cJSON_ArrayForEach(p, t->st->shown) {
		if (n >= (int)(sizeof c / sizeof *c))
			break;
		if (it->ref == UND_REF_OTHER && t->st->nfocus > 0 && dlg_id(p) == t->st->focus[0])
			continue;
		c[n++] = (struct match_cand){ p, 1.0, 1.0 };
	}
	n = drop_negated(it, c, n);
	if (n == 0) {
		res->status = RES_NO_REF;
		return;
	}
	apply_pick(it, c, n);
	if (it->pick != UND_PICK_NONE || n == 1) {
		res->status = RES_OK;
		res->products = dup_array(c, 1);
	} else {
		res->status = RES_AMBIGUOUS;
		res->products = dup_array(c, n > 4 ? 4 : n);
	}
}

static cJSON *search_words(struct turn *t, const struct match_query *q, int any, int limit)
{
	char query[256] = "";
	cJSON *all = cJSON_CreateArray();
	for (int i = 0; i < q->n; i++) {
		if (any || q->weight[i] >= 1.0)
			append(query, sizeof query, q->w[i]);
	}
	if (!*query)
		for (int i = 0; i < q->n; i++)
			append(query, sizeof query, q->w[i]);
	int nsearch = any ? q->n : 1;
	for (int s = 0; s < nsearch; s++) {
		struct buddy_search bs = { any ? q->w[s] : query, NULL, -1, -1, "relevance", limit };
		cJSON *res = NULL;
		char code[BUDDY_ERR_CODE_LEN] = "", msg[BUDDY_ERR_MSG_LEN] = "";
		if (!t->tools->search || t->tools->search(t->tools->ctx, &bs, &res, code, msg) != 0 || !res) {
			cJSON_Delete(res);
			continue;
		}
		cJSON *p;
		cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(res, "items")) {
			int dup = 0;
			const cJSON *e;
			cJSON_ArrayForEach(e, all)
				dup |= dlg_id(e) == dlg_id(p);
			if (!dup && cJSON_GetArraySize(all) < RANK_MAX * 2)
				cJSON_AddItemToArray(all, cJSON_Duplicate(p, 1));
		}
		cJSON_Delete(res);
	}
	return all;
}

/* Alternatives for a word the catalog lacks: its broader kind ("mango" -> fruit). */
static cJSON *broader_alternatives(struct turn *t, const char *missing)
{
	char stem[TEXT_WORD_LEN];
	const char *last = strrchr(missing, ' ');
	match_stem(last ? last + 1 : missing, stem, sizeof stem);
	const char *const *b = lex_broader(stem);
	char kb[4][32];	/* else what knowledge.c knows it is a kind of */
	const char *kp[5] = { NULL };
	if (!b && t->have_vocab) {
		int nk = know_broader_words(t->vocab.words, t->vocab.nwords, last ? last + 1 : missing, kb, 4);
		for (int k = 0; k < nk; k++)
			kp[k] = kb[k];
		b = kp;
	}
	for (; b && *b; b++) {
		struct match_query q = { 0 };
		char fixed[TEXT_WORD_LEN];
		int cost;
		if (t->have_vocab && !resolve_correct(t, *b, fixed, sizeof fixed, &cost))
			continue;
		add_query_word(&q, t->have_vocab ? fixed : *b, 1.0);
		cJSON *found = search_words(t, &q, 0, DLG_READ_MAX);
		if (cJSON_GetArraySize(found) > 0)
			return found;
		cJSON_Delete(found);
	}
	return cJSON_CreateArray();
}

/* 1 when a short word is a slip for the long one: a prefix ("pres" of "press"), or
 * one edit away with the same first letter ("oli" for "oil", "towl" for "towel"). */
static int slip_of(const char *said, const char *w)
{
	size_t ls = strlen(said), lw = strlen(w);
	if (ls < 3 || said[0] != w[0] || text_is_digits(said))
		return 0;
	if (ls < lw && !strncmp(said, w, ls))
		return 1;
	return match_edit_distance(said, w, 1) == 1;
}

/* 1 when every word the catalog lacks ("the tea with the gentle flowers", "honey oat
 * rings") is in the description of one of the best candidates the other words found:
 * the shopper describes a product, nothing is missing. */
static int described_missing(const char *missing, const struct match_cand *c, int n)
{
	struct text_words mw;
	text_split(missing, &mw);
	if (mw.n == 0 || mw.n > UND_ITEM_WORDS)
		return 0;
	for (int j = 0; j < n && j < DLG_READ_MAX + 1; j++) {
		if (c[j].coverage < c[0].coverage - 0.01)
			break;
		if (match_said_fit(c[j].product, (const char (*)[TEXT_WORD_LEN])mw.w, mw.n) == mw.n)
			return 1;
	}
	return 0;
}

/* Every missing word is a slip for a word of the best candidate's title, and no
 * other candidate as good has that word.  Returns 1 when so. */
static int typos_of_title(const char *missing, const struct match_cand *c, int n)
{
	struct text_words mw, tw;
	text_split(missing, &mw);
	text_split(dlg_str(c[0].product, "title"), &tw);
	if (mw.n == 0)
		return 0;
	for (int i = 0; i < mw.n; i++) {
		int ok = 0;
		for (int k = 0; k < tw.n && !ok; k++)
			ok = slip_of(mw.w[i], tw.w[k]);
		if (!ok)
			return 0;
	}
	for (int j = 1; j < n; j++) {
		if (c[j].coverage < c[0].coverage - 0.01)
			continue;
		struct text_words ow;
		text_split(dlg_str(c[j].product, "title"), &ow);
		for (int k = 0; k < ow.n; k++)
			for (int i = 0; i < mw.n; i++)
				if (slip_of(mw.w[i], ow.w[k]))
					return 0;	/* two products fit the slip: ask */
	}
	return 1;
}

/* Keeps the candidates that keep to the shopper's constraints ("nothing sweetened")
 * and, when some fit the need said best, those; all of them when none keeps to it.
 * Returns the new count. */
static int keep_known(struct turn *t, struct match_cand *c, int n)
{
	if (needs_empty(&t->needs) || n == 0)
		return n;
	int k = 0, best = 0;
	for (int i = 0; i < n; i++)
		if (needs_allows(&t->needs, c[i].product))
			c[k++] = c[i];
	if (k == 0)
		return n;
	/* a preference chooses among good matches, never a poor one over them */
	double top = 0;
	for (int i = 0; i < k; i++)
		if (c[i].score > top)
			top = c[i].score;
	int pref[RANK_MAX];
	for (int i = 0; i < k; i++)
		if ((pref[i] = c[i].score >= 0.8 * top ? needs_prefers(&t->needs, c[i].product) : 0) > best)
			best = pref[i];
	n = k;
	k = 0;
	for (int i = 0; i < n; i++)
		if (pref[i] >= best)
			c[k++] = c[i];
	return k;
}

static void resolve_words(struct turn *t, const struct und_item *said, enum res_scope scope,
			  struct resolution *res)
{
	struct und_item named;
	item_terms(t, said, &named);
	const struct und_item *it = &named;
	resolve_query(t, it, &res->q, res->missing, sizeof res->missing);
	for (int i = 0; i < it->nwords; i++)
		append(res->said, sizeof res->said, it->words[i]);
	struct match_cand c[RANK_MAX];
	int n;
	if (scope == RES_CART) {
		cJSON *lines = resolve_cart_full(t);
		n = match_rank(&res->q, lines, c, RANK_MAX);
		decide(it, c, n, 0.6, res);
		cJSON_Delete(lines);
		return;
	}
	/* what was just read out comes first: "the green ones" after apples is the
	 * Granny Smith, not green tea; "the one that's good before bed" is read from the
	 * descriptions of the choice */
	if (shown_count(t) > 0 && t->st->shown_turn >= t->st->turn - 2 && !t->st->shown_is_cart) {
		struct match_query raw = res->q;
		if (*res->missing) {
			memset(&raw, 0, sizeof raw);
			for (int i = 0; i < it->nwords; i++)
				if (!lex_is_stopword(it->words[i]) && !lex_is_soft(it->words[i]))
					add_query_word(&raw, it->words[i], 1.0);
		}
		n = raw.n ? match_rank(&raw, t->st->shown, c, RANK_MAX) : 0;
		n = keep_known(t, c, drop_negated(it, c, n));
		if (n > 0 && c[0].coverage >= 0.8) {
			decide(it, c, n, 0.8, res);
			if (res->status != RES_NOT_FOUND)
				return;
			resolve_free(res);
			res->size_qty = 0;
		} else if (n == 1 && *res->missing && t->st->pending == DLG_PENDING_CHOOSE) {
			/* words the catalog does not know ("good before bed") may still
			 * describe exactly one of the choice */
			res->status = RES_OK;
			res->products = dup_array(c, 1);
			return;
		}
	}
	if (res->q.n == 0) {
		res->status = RES_NOT_FOUND;
		/* "..., and a bottle of balsamic": one of a list is asked for, so what names
		 * nothing sold is missing */
		if (it->listed && !*res->missing)
			for (int i = 0; i < it->nwords; i++)
				if (!lex_is_stopword(it->words[i]) && !lex_is_unit(it->words[i]) && !it->wctx[i])
					append(res->missing, sizeof res->missing, it->words[i]);
		res->products = *res->missing ? broader_alternatives(t, res->missing) : cJSON_CreateArray();
		return;
	}
	cJSON *found = search_words(t, &res->q, 0, 20);
	if (cJSON_GetArraySize(found) == 0) {
		cJSON_Delete(found);
		found = search_words(t, &res->q, 1, 10);
	}
	n = keep_known(t, c, match_rank(&res->q, found, c, RANK_MAX));
	if (*res->missing && n > 0 && typos_of_title(res->missing, c, n)) {
		/* "olive oli", "bath towl", "french pres": the unknown word is a slip for a
		 * word of the one product the other words found */
		res->missing[0] = '\0';
	}
	if (*res->missing && n > 0 && described_missing(res->missing, c, n))
		res->missing[0] = '\0';
	if (*res->missing) {
		res->status = RES_NOT_FOUND;
		n = drop_negated(it, c, n);
		res->products = dup_array(c, n > DLG_READ_MAX ? DLG_READ_MAX : n);
		if (n == 0) {
			cJSON_Delete(res->products);
			res->products = broader_alternatives(t, res->missing);
		}
	} else {
		decide(it, c, n, 0.6, res);
		if (res->status == RES_NOT_FOUND)
			snprintf(res->missing, sizeof res->missing, "%s", res->said);
	}
	cJSON_Delete(found);
}

/* An item named only by its size: among what was just shown, else in the catalog.
 * Returns 1 when res is settled. */
static int resolve_size(struct turn *t, const struct und_item *it, struct resolution *res)
{
	cJSON *pool = NULL;
	if (shown_count(t) > 0 && !t->st->shown_is_cart && t->st->shown_turn >= t->st->turn - 3)
		pool = cJSON_Duplicate(t->st->shown, 1);
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			struct match_query q = { 0 };
			add_query_word(&q, it->size_num, 1.0);
			cJSON_Delete(pool);
			pool = search_words(t, &q, 0, 20);
		}
		if (!pool)
			continue;
		cJSON *fit = cJSON_CreateArray();
		const cJSON *p;
		cJSON_ArrayForEach(p, pool)
			if (match_has_size(p, it->size_num, it->size_unit) && !matches_neg(it, p))
				cJSON_AddItemToArray(fit, cJSON_Duplicate(p, 1));
		int n = cJSON_GetArraySize(fit);
		if (n > 0) {
			res->status = n == 1 ? RES_OK : RES_AMBIGUOUS;
			res->products = fit;
			cJSON_Delete(pool);
			return 1;
		}
		cJSON_Delete(fit);
	}
	cJSON_Delete(pool);
	return 0;
}

void resolve_item(struct turn *t, const struct und_item *it, enum res_scope scope, struct resolution *res)
{
	memset(res, 0, sizeof *res);
	switch (it->ref) {
	case UND_REF_IT:
	case UND_REF_THEM:
		resolve_pronoun(t, it, res);
		if (it->nwords == 0 || res->status == RES_OK)
			return;
		resolve_free(res);
		break;
	case UND_REF_ORDINAL:
		resolve_ordinal(t, it, scope, res);
		return;
	case UND_REF_OTHER:
		resolve_from_shown(t, it, res);
		return;
	case UND_REF_ALL:
		res->status = RES_NO_REF;
		return;
	case UND_REF_NONE:
		if (it->pick != UND_PICK_NONE && t->st->nfocus > 1 && t->st->focus_turn > t->st->shown_turn) {
			/* "the cheaper one" after asking about two products */
			cJSON *arr = cJSON_CreateArray();
			for (int i = 0; i < t->st->nfocus; i++) {
				cJSON *p = product_by_id(t, t->st->focus[i]);
				if (p)
					cJSON_AddItemToArray(arr, p);
			}
			cJSON_Delete(t->st->shown);
			t->st->shown = arr;
			t->st->shown_is_cart = 0;
			t->st->shown_turn = t->st->focus_turn;
			resolve_from_shown(t, it, res);
			return;
		}
		if (it->size_num[0] && resolve_size(t, it, res))
			return;	/* "get the four pack", "a gallon of two percent" */
		if (it->pick != UND_PICK_NONE || it->nneg > 0) {
			if (shown_count(t) == 0 && t->cart) {
				cJSON_Delete(t->st->shown);
				t->st->shown = dlg_cart_as_products(t->cart);
			}
			resolve_from_shown(t, it, res);
		} else {
			res->status = RES_NO_REF;
		}
		return;
	case UND_REF_WORDS:
		if (t->have_vocab && it->nwords > 0) {
			/* "how much were they again": only everyday words are left, so the
			 * product is the one in mind */
			struct match_query q;
			char missing[128];
			resolve_query(t, it, &q, missing, sizeof missing);
			if (q.n == 0 && !*missing && (t->st->nfocus > 0 || it->pick != UND_PICK_NONE) &&
			    !it->listed) {
				struct und_item pron = *it;
				pron.ref = UND_REF_IT;
				pron.nwords = 0;
				if (it->pick != UND_PICK_NONE) {
					pron.ref = UND_REF_NONE;
					resolve_item(t, &pron, scope, res);
					return;
				}
				resolve_pronoun(t, &pron, res);
				return;
			}
		}
		break;
	}
	resolve_words(t, it, scope, res);
}

/* "macaroni and cheese" was cut at "and" into two items; when one product's title
 * holds both parts joined by "and"/"&", the two items were one.  Returns 1 after
 * merging b into a. */
int resolve_try_merge(struct turn *t, struct und_item *a, const struct und_item *b)
{
	if (a->ref != UND_REF_WORDS || b->ref != UND_REF_WORDS || b->qty || b->article ||
	    a->nwords + b->nwords > UND_ITEM_WORDS)
		return 0;
	struct und_item both = *a;
	for (int i = 0; i < b->nwords; i++)
		snprintf(both.words[both.nwords++], TEXT_WORD_LEN, "%s", b->words[i]);
	struct match_query q;
	char missing[128];
	resolve_query(t, &both, &q, missing, sizeof missing);
	if (*missing || q.n < 2)
		return 0;
	cJSON *found = search_words(t, &q, 0, 5);
	const cJSON *p;
	int merged = 0;
	cJSON_ArrayForEach(p, found) {
		double cov = 0;
		match_score(&q, p, &cov);
		const char *title = dlg_str(p, "title");
		if (cov >= 0.99 && (strstr(title, " and ") || strstr(title, " And ") || strchr(title, '&'))) {
			merged = 1;
			break;
		}
	}
	cJSON_Delete(found);
	if (merged)
		*a = both;
	return merged;
}

int resolve_said_plainly(struct turn *t, const struct und_item *said_item, const struct match_query *q,
			 const cJSON *product)
{
	/* what shoppers call the thing (terms.def: "wholemeal loaf", "semi skimmed")
	 * names it as plainly as the catalog's words do */
	struct und_item named;
	item_terms(t, said_item, &named);
	const struct und_item *it = &named;
	int said = 0;
	for (int i = 0; i < it->nwords; i++) {
		const char *w = it->words[i];
		if (it->wctx[i] || lex_is_stopword(w) || lex_is_unit(w) || text_is_digits(w))
			continue;
		int as_said = 0;	/* (a word terms.def gave is the thing's name) */
		for (int k = 0; k < said_item->nwords && !as_said; k++)
			as_said = !strcmp(said_item->words[k], w);
		if (as_said && !resolve_exact_word(t, w) && !(lex_is_common(w) || lex_is_soft(w)))
			return 0;	/* a slip, or a word known only by what it means */
		said++;
	}
	return said > 0 && match_kind_level(product, q) == 2;
}

/* 1 when word w is (the last word of) text: "water" of "sparkling water". */
static int last_word_is(const char *text, const char *w)
{
	struct text_words tw;
	text_split(text, &tw);
	return tw.n > 0 && match_word_similarity(w, tw.w[tw.n - 1]) >= 1.0;
}

int resolve_names_kind(const struct und_item *it, const cJSON *product, const struct match_query *q)
{
	const char *noun = NULL;
	for (int k = 0; k < q->n; k++)
		if (q->weight[k] >= 0.9)
			noun = q->w[k];
	int lv = match_kind_level(product, q);
	if (!noun || lv == 0)
		return 1;	/* found by its tags, category or a synonym ("seltzer") */
	struct text_words tw;
	text_split(dlg_str(product, "category"), &tw);
	for (int i = 0; i < tw.n; i++)
		if (match_word_similarity(noun, tw.w[i]) >= 1.0)
			return 1;
	int tagged = 0, k = 0;
	const cJSON *tag;
	cJSON_ArrayForEach(tag, cJSON_GetObjectItemCaseSensitive(product, "tags")) {
		if (!cJSON_IsString(tag))
			continue;
		/* the first tag says what it is; a tag of words names a kind by its last */
		if ((k++ == 0 || strchr(tag->valuestring, ' ')) && last_word_is(tag->valuestring, noun))
			return 1;
		if (!strchr(tag->valuestring, ' ') && match_word_similarity(noun, tag->valuestring) >= 1.0)
			tagged = 1;
	}
	if (lv == 2 && !tagged)
		return 1;	/* the title's head noun */
	/* the last word of the title before any "(", sizes and units left out */
	char cut[256];
	snprintf(cut, sizeof cut, "%s", dlg_str(product, "title"));
	char *paren = strpbrk(cut, "(,");
	if (paren)
		*paren = '\0';
	text_split(cut, &tw);
	int last = tw.n - 1;
	while (last > 0 && (text_is_digits(tw.w[last]) || lex_is_unit(tw.w[last]) || strpbrk(tw.w[last], "0123456789")))
		last--;
	if (last >= 0 && match_word_similarity(noun, tw.w[last]) >= 1.0)
		return 1;
	/* a word of the title before what it is ("Lime Sparkling Water", "Orange
	 * Juice") says what it is made of or tastes of, in the singular: asked for in
	 * the plural ("limes", "oranges") it is the thing itself, which is not sold */
	if (know_kind(noun) != KNOW_THING)
		return 1;
	const char *said = NULL;
	for (int i = 0; i < it->nwords; i++)
		if (!it->wctx[i] && match_word_similarity(it->words[i], noun) >= 1.0)
			said = it->words[i];
	size_t sl = said ? strlen(said) : 0;
	if (sl < 3 || said[sl - 1] != 's' || said[sl - 2] == 's')
		return 1;
	text_split(dlg_str(product, "title"), &tw);
	for (int i = 0; i < last; i++)
		if (match_word_similarity(said, tw.w[i]) >= 1.0 && !text_is(&tw, i, said))
			return 0;
	return 1;
}
