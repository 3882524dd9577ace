/*
 * quantity.c - a cart line's count changed by how much or to how many, whatever
 * else the sentence says: "cut it down to two", "bring the mugs up to four", "knock
 * the milk down by one", "make that three jars", "make it three dozen", "one more of
 * those", "another two of them", "two fewer of those".
 *
 * The operation is read from the words (lex_count_change_at); the line is the one
 * the catalog words of the sentence name in the cart, else the one just talked
 * about, else the cart's only line.  Words no cart line and no catalog product
 * uses ("that's way too much", "he's making omelettes all week") are context.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buddy/dialogue.h"
#include "buddy/lexicon.h"
#include "buddy/numbers.h"

/* The cart line the words name: the one most of the catalog words said are in; 0
 * when they name none, -1 when two equally or a catalog word names no cart line. */
static int64_t named_line(struct turn *t, const struct text_words *tw, const unsigned char *used,
			  const cJSON *lines)
{
	int score[64] = { 0 }, n = cJSON_GetArraySize(lines), said = 0;
	if (n > 64)
		return 0;
	/* the clause the change is said in names the line ("bump the honeycrisp up to
	 * four, leave the granny smith"); the whole sentence only when it names none */
	int a = 0, b = tw->n, at = -1;
	for (int i = 0; i < tw->n && at < 0; i++)
		if (used[i])
			at = i;
	if (at >= 0) {
		for (a = at; a > 0 && !tw->brk[a - 1]; a--)
			;
		for (b = at; b < tw->n && !tw->brk[b]; b++)
			;
		if (b < tw->n)
			b++;
		int any = 0;
		for (int i = a; i < b && !any; i++)
			any = !used[i] && !lex_is_stopword(tw->w[i]) && !lex_is_common(tw->w[i]) &&
			      !lex_is_unit(tw->w[i]) && num_word(tw->w[i]) < 0 && !lex_is_cart_word(tw->w[i]) &&
			      resolve_known_word(t, tw->w[i]);
		if (!any)
			a = 0, b = tw->n;
	}
	for (int i = a; i < b; i++) {
		const char *w = tw->w[i];
		if (used[i] || lex_is_stopword(w) || lex_is_common(w) || lex_is_unit(w) || num_word(w) >= 0 ||
		    lex_is_cart_word(w) || !resolve_known_word(t, w))
			continue;
		int hit = 0;
		for (int k = 0; k < n; k++)
			if (match_mentions(cJSON_GetArrayItem(lines, k), w))
				score[k] += 1 + match_title_word(cJSON_GetArrayItem(lines, k), w, 1), hit = 1;
		said |= hit;
		/* "two more penne" with no penne in the cart: an add; a word only like a
		 * catalog word ("brunch") is context */
		char fixed[TEXT_WORD_LEN];
		int cost = 9;
		if (!hit && resolve_correct(t, w, fixed, sizeof fixed, &cost) && cost == 0)
			return -1;
	}
	if (!said)
		return 0;
	int best = -1, tie = 0;
	for (int k = 0; k < n; k++) {
		if (best < 0 || score[k] > score[best])
			best = k, tie = 0;
		else if (score[k] == score[best])
			tie = 1;
	}
	return tie ? -1 : dlg_id(cJSON_GetArrayItem(lines, best));
}

/* "a couple of each actually", "two of each please" right after a request that
 * added several products: every one of them set to that count.  1 when done. */
static int each_of_batch(struct turn *t, const struct und_edit *e, const struct text_words *tw)
{
	struct buddy_state *st = t->st;
	long v = e->each;
	int at = e->each ? e->each_at : -1, n = e->each_len;
	if (at < 0 || st->nbatch < 2 || st->batch_turn < st->turn - 2 || st->batch_turn >= st->turn)
		return 0;
	/* "two of each kind of bagel" names its own products */
	for (int i = 0; i < tw->n; i++) {
		if (i >= at && i < at + n)
			continue;
		const char *w = tw->w[i];
		if (!text_is(tw, i, "each") && !lex_is_stopword(w) && !lex_is_common(w) && !lex_is_unit(w) &&
		    resolve_known_word(t, w))
			return 0;
	}
	if (!t->cart)
		cartops_refresh(t);
	cJSON *lines = dlg_cart_as_products(t->cart);
	int done = 0;
	for (int b = 0; b < st->nbatch; b++) {
		const cJSON *x;
		int64_t id = st->batch[b].id;
		cJSON_ArrayForEach(x, lines)
			if (dlg_id(x) == id) {
				act_set_line(t, x, (int)v);
				done++;
				break;
			}
	}
	cJSON_Delete(lines);
	if (done)
		t->main = UND_SET;
	return done > 0;
}

int act_count_change_frame(struct turn *t, const struct und_result *r, const char *text)
{
	/* und_parse read the change (r->edit): what it is, by or to how many */
	const struct und_edit *e = &r->edit;
	if (!e->each && !e->op)
		return 0;
	struct text_words *tw = malloc(sizeof *tw);
	if (!tw)
		return 0;
	und_clean(text, tw);
	if (each_of_batch(t, e, tw)) {
		free(tw);
		return 1;
	}
	const unsigned char *used = e->used;
	int op = e->op, dozen = e->dozen, fix = op == LEX_COUNT_MAKE, points = e->points;
	long v = e->by;
	if (!op || (fix && t->st->pending != DLG_PENDING_NONE)) {
		free(tw);
		return 0;
	}
	if (!t->cart)
		cartops_refresh(t);
	cJSON *lines = dlg_cart_as_products(t->cart);
	int64_t id = named_line(t, tw, used, lines);
	free(tw);
	/* "another two" / "two more" with nothing pointing back are plain adds, done by
	 * the request ("two more penne"): only with a word that points at a line */
	if (id < 0 || (id == 0 && !points && (op == LEX_COUNT_MORE || op == LEX_COUNT_ANOTHER ||
					      op == LEX_COUNT_FEWER))) {
		cJSON_Delete(lines);
		return 0;
	}
	if (id == 0) {
		struct buddy_state *st = t->st;
		id = st->last.kind != DLG_LAST_NONE && st->last.turn >= st->turn - 2 ? st->last.id :
		     st->nfocus > 0 && st->focus_turn >= st->turn - 1 ? st->focus[0] :
		     cJSON_GetArraySize(lines) == 1 ? dlg_id(cJSON_GetArrayItem(lines, 0)) : 0;
	}
	const cJSON *p = NULL, *x;
	cJSON_ArrayForEach(x, lines)
		if (dlg_id(x) == id)
			p = x;
	if (!p) {
		cJSON_Delete(lines);
		return 0;
	}
	int line = dlg_cart_qty(t->cart, id);
	/* "make it three dozen" of eggs sold by the dozen: three cartons */
	if (dozen && v % 12 == 0 && strstr(dlg_str(p, "title"), "dozen"))
		v /= 12;
	long q = op == LEX_COUNT_MORE || op == LEX_COUNT_ANOTHER || op == LEX_COUNT_UP_BY ? line + v :
		 op == LEX_COUNT_FEWER || op == LEX_COUNT_DOWN_BY ? line - v : v;
	act_set_line(t, p, q < 0 ? 0 : (int)q);
	t->main = UND_SET;
	cJSON_Delete(lines);
	return 1;
}
