/*
 * edits.c - what the words say of an edit of a cart line, read once by und_parse()
 * (und_result.edit) for the act_* files: a count stated as what the line should
 * hold ("one bag, not two", "i only need one", "two's plenty", "four mugs? no, just
 * the one"), the same count for each product just
 * added ("two of each"), a count changed by how much or to how many ("cut it down to
 * two", "make it three dozen", "one more of those"), and a swap ("trade the gala for
 * honeycrisp", "go with crunchy instead of creamy", "i'd rather have the oat milk").
 *
 * Only the words are read here: which words name the old product and which the new
 * one, the count and how it changes the line.  Which cart line and which catalog
 * product they name is the act_* files' part (quantity.c, act_cart.c), with the
 * cart and the dialogue as evidence; a reading the cart does not bear out does
 * nothing.
 */
#include <string.h>

#include "buddy/understand.h"
#include "buddy/lexicon.h"
#include "buddy/numbers.h"

/* "a couple of each actually", "two of each please": the count and where it is. */
static void read_each(const struct text_words *tw, struct und_edit *e)
{
	long v = 0;
	for (int i = 0; i < tw->n; i++) {
		if (text_is(tw, i, "a") || text_is(tw, i, "an"))
			continue;
		int n = num_parse(tw, i, tw->n, &v);
		if (n && v > 0 && v <= 999 && (text_is(tw, i + n, "each") || text_match(tw, i + n, tw->n, "of each"))) {
			e->each = (int)v;
			e->each_at = i;
			e->each_len = n;
			return;
		}
	}
}

/* "just the one", "only the one pack, thanks": one, said with the article.  Words
 * used, else 0 ("just the one with pulp" chooses, it counts nothing). */
static int the_one_at(const struct text_words *tw, int i)
{
	if (!text_is(tw, i, "the") || !text_is(tw, i + 1, "one") ||
	    !(text_is(tw, i - 1, "just") || text_is(tw, i - 1, "only")))
		return 0;
	int j = i + 2;
	return j >= tw->n || tw->brk[i + 1] || lex_is_unit(tw->w[j]) || lex_ends_count_at(tw, j, tw->n) ? 2 : 0;
}

/* A count at word i that is not a size ("12 oz"): words used, *v the value. */
static int count_at(const struct text_words *tw, int i, long *v)
{
	if (the_one_at(tw, i)) {
		*v = 1;
		return 2;
	}
	if (text_is(tw, i, "a") || text_is(tw, i, "an"))
		return 0;
	int len = num_parse(tw, i, tw->n, v);
	if (len == 0 || (i + len < tw->n && lex_size_unit(tw->w[i + len]) && !lex_is_unit(tw->w[i + len])))
		return 0;
	return len;
}

/* "one bag, not two", "1 milk not 2", "there should be one bag left", "I only need
 * one": a count stated as what the line should hold. */
static void read_state(const struct text_words *tw, struct und_edit *e)
{
	long target = -1, v;
	int contrast = 0, stated = 0;
	/* the first ones say what the line should hold either way; the others ("I only
	 * want one") only ever lower it */
	static const char *const states[] = { "should be", "should only be", "there should be",
		"meant", "supposed to be", "only need", "only want", "just need", "just want", "i want",
		"i only want", "i only need", "i just want", "i just need" };
	for (int i = 0; i < tw->n && target < 0; i++) {
		/* "remove one, not all of them", "add one not two": how many to change, not how
		 * many there should be */
		static const char *const verbs[] = { "add", "put", "grab", "throw", "remove", "take", "drop",
			"delete", "minus", "swap", "switch", "change", "replace", "instead" };
		int verb = 0;
		for (size_t k = 0; k < sizeof verbs / sizeof *verbs; k++)
			verb |= !strcmp(tw->w[i], verbs[k]);
		if (verb)
			break;
		int len = count_at(tw, i, &v);
		if (len == 0)
			continue;
		/* "one bag, not two", "1 milk not 2", "one, not all of them" */
		for (int k = i + len; k < tw->n && k <= i + len + 3; k++) {
			long m;
			if (!text_is(tw, k, "not"))
				continue;
			if ((count_at(tw, k + 1, &m) && m != v) || text_is(tw, k + 1, "all") || text_is(tw, k + 1, "both"))
				target = v, contrast = 1;
			break;
		}
		/* "four mugs? no, just the one", "six... nah, three": the count after the no */
		for (int k = i + len; k < tw->n && k <= i + len + 4 && target < 0; k++) {
			long m;
			int pl = 0;
			if (lex_polarity_at(tw, k, tw->n, &pl) >= 0 || text_is(tw, k, "not") || text_is(tw, k + 1, "not"))
				continue;
			int j = k + pl;
			while (j < tw->n && j <= k + 3 && (text_is(tw, j, "just") || text_is(tw, j, "only") ||
							   text_is(tw, j, "wait") || text_is(tw, j, "actually")))
				j++;
			if (count_at(tw, j, &m) && m != v)
				target = m, contrast = 1;
			break;
		}
		/* "two is plenty", "two's plenty", "three bags will do": what should be there,
		 * said as enough */
		for (int k = i + len; k < tw->n && k <= i + len + 4 && target < 0; k++) {
			if (lex_settle_at(tw, k, tw->n)) {
				target = v, stated = 2;
				break;
			}
			if (tw->brk[k - 1])
				break;
		}
		/* "not two bunches, two single bananas": the count said after the "not" */
		for (int k = 0; k + 1 < i && target < 0; k++) {
			long m;
			if (text_is(tw, k, "not") && count_at(tw, k + 1, &m) && k + 1 != i)
				target = v, contrast = 1;
		}
		/* "just the one", "only the one jar": the line holds more than it should */
		if (target < 0 && text_is(tw, i, "the"))
			target = v, stated = 1;
		/* "there should be one bag left", "I only need one" */
		for (size_t s = 0; s < sizeof states / sizeof *states && target < 0; s++) {
			int pl = 0;
			for (int k = i - 1; k >= 0 && k >= i - 4 && !pl; k--)
				if ((pl = text_match(tw, k, i, states[s])) != 0 && k + pl != i)
					pl = 0;
			if (pl)
				target = v, stated = s < 5 ? 2 : 1;
		}
	}
	e->target = (int)target;
	e->contrast = contrast;
	e->stated = stated;
}

/* The count after a phrase at i: words used, *v the value, *dozen set when said in
 * dozens ("three dozen"); a count of time ("two weeks") or money is none. */
static int count_after(const struct text_words *tw, int i, long *v, int *dozen)
{
	if (text_is(tw, i, "just") || text_is(tw, i, "only"))
		i++;
	if (the_one_at(tw, i)) {
		*v = 1;
		*dozen = 0;
		return 2;
	}
	int n = num_parse(tw, i, tw->n, v);
	if (!n || *v <= 0 || *v > 999)
		return 0;
	const char *next = i + n < tw->n ? tw->w[i + n] : "";
	if (lex_is_time_unit(next) || lex_is_money_word(next) || (lex_size_unit(next) && !lex_is_unit(next)))
		return 0;
	*dozen = 0;
	for (int k = i; k < i + n; k++)
		*dozen |= text_is(tw, k, "dozen");
	return n;
}

/* "cut it down to two", "make that three jars", "one more of those", "another two of
 * them": the operation (LEX_COUNT_*), the count, the words that said them (used[]),
 * and whether a word points back at a line ("those", "it"). */
static void read_change(const struct text_words *tw, struct und_edit *e)
{
	int op = 0, dozen = 0;
	long v = 0;
	for (int i = 0; i < tw->n && !op; i++) {
		int kind = 0, n = lex_count_change_at(tw, i, tw->n, &kind);
		if (!n)
			continue;
		int m = 0;
		if (kind == LEX_COUNT_MORE || kind == LEX_COUNT_FEWER) {
			/* "one more of those", "two fewer of them": the count is before */
			int j = i - 3 > 0 ? i - 3 : 0;
			for (; j < i; j++)
				if (!text_is(tw, j, "a") && !text_is(tw, j, "an") && num_parse(tw, j, i, &v) == i - j)
					break;
			if (j >= i || v <= 0 || v > 999)
				continue;
			for (int k = j; k < i; k++)
				e->used[k] = 1;
		} else {
			/* "down to two", "make that three jars", "another two of them" */
			m = count_after(tw, i + n, &v, &dozen);
			if (!m && kind == LEX_COUNT_ANOTHER)
				v = 1;	/* "another one of those" said as "another of those" */
			else if (!m)
				continue;
			int j = i + n + m;
			if (text_is(tw, i + n, "just") || text_is(tw, i + n, "only"))
				j++;
			for (int k = i + n; k < j; k++)
				e->used[k] = 1;
			/* "make it three jars", "another two of the 1 kg bags" */
			while (j < tw->n && (lex_is_unit(tw->w[j]) || text_is(tw, j, "of")))
				e->used[j++] = 1;
		}
		for (int k = i; k < i + n; k++)
			e->used[k] = 1;
		op = kind;
	}
	if (!op)
		memset(e->used, 0, sizeof e->used);
	e->op = op;
	e->by = (int)v;
	e->dozen = dozen;
	for (int i = 0; i < tw->n; i++)
		e->points |= text_is(tw, i, "those") || text_is(tw, i, "them") || text_is(tw, i, "it") ||
			     text_is(tw, i, "that") || text_is(tw, i, "these") || text_is(tw, i, "this") ||
			     text_is(tw, i, "same");
}

/* The swap cue and where it splits the words: [old_a, old_b) names the old product,
 * the rest the new one.  Pool cues ("instead", "in their place", "rather have")
 * split nothing: old_a == old_b == -1. */
static void read_swap(const struct text_words *tw, struct und_edit *e)
{
	static const char *const verbs[] = { "swap", "trade", "exchange", "switch", "change",
		"replace", "substitute", "sub", "swop" };
	static const char *const pool[] = { "in their place", "in its place", "in place of them",
		"rather have", "rather get", "rather take", "would prefer", "i prefer", "prefer",
		"rather go with", "instead" };
	e->old_a = e->old_b = -1;
	for (int i = 0; i < tw->n; i++) {
		int n = text_match(tw, i, tw->n, "instead of");
		if (!n)
			n = text_match(tw, i, tw->n, "rather than");
		if (n) {
			int j = i + n;
			while (j < tw->n && !tw->brk[j - 1] && !text_is(tw, j, "just") && !text_is(tw, j, "give") &&
			       !text_is(tw, j, "get") && !text_is(tw, j, "add") && !text_is(tw, j, "i") &&
			       !text_is(tw, j, "can") && !text_is(tw, j, "could") && !text_is(tw, j, "please"))
				j++;
			e->old_a = i + n;
			e->old_b = j;
			e->swap = UND_SWAP_INSTEAD_OF;
			return;
		}
	}
	for (int i = 0; i < tw->n; i++) {
		for (size_t k = 0; k < sizeof verbs / sizeof *verbs; k++) {
			if (!text_is(tw, i, verbs[k]))
				continue;
			/* "change of plan", "a switch of heart": a noun, no swap verb; what
			 * follows it ("drop the milk and add oat milk") are its own operations */
			if (text_is(tw, i + 1, "of"))
				continue;
			/* "change my address", "change of plans": only cart things are swapped */
			int j = i + 1;
			while (j < tw->n && !text_is(tw, j, "for") && !text_is(tw, j, "with") &&
			       !text_is(tw, j, "to") && !text_is(tw, j, "into") && !text_is(tw, j, "by"))
				j++;
			e->old_a = i + 1;
			e->old_b = j;
			e->swap = UND_SWAP_VERB;
			return;
		}
	}
	for (int i = 0; i < tw->n; i++)
		for (size_t k = 0; k < sizeof pool / sizeof *pool; k++)
			if (text_match(tw, i, tw->n, pool[k])) {
				e->swap = UND_SWAP_POOL;
				return;
			}
}

void und_read_edit(const struct text_words *tw, struct und_edit *e)
{
	memset(e, 0, sizeof *e);
	read_each(tw, e);
	read_state(tw, e);
	read_change(tw, e);
	read_swap(tw, e);
}
