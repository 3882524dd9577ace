/*
 * price.c - reads amounts of money and price limits out of words.
 *
 * An amount is a dollar part and an optional cents part.  The dollar part is a
 * number in digits or words, or a decimal ("12.99"); the cents part follows either a
 * unit word ("12 dollars 99", "... and 99 cents") or, in speech, directly
 * ("twelve ninety nine": a second number of 1..99 right after the first).  Limits are
 * a lead phrase ("under", "between") or a trail phrase ("or less") around amounts.
 */
#include "buddy/price.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buddy/numbers.h"

static int is_dollar_word(const char *w)
{
	static const char *const words[] = { "dollars", "dollar", "bucks", "buck", "usd",
		"euros", "euro", "pounds", "pound", "quid" };
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (!strcmp(w, words[i]))
			return 1;
	return 0;
}

static int is_cent_word(const char *w)
{
	return !strcmp(w, "cents") || !strcmp(w, "cent") || !strcmp(w, "pence") || !strcmp(w, "p");
}

/* "12.99" or "12.5" -> cents; -1 if w is not a decimal. */
static int64_t decimal_cents(const char *w)
{
	const char *dot = strchr(w, '.');
	if (!dot || dot == w)
		return -1;
	int64_t whole = 0;
	for (const char *p = w; p < dot; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		if (whole < 100000000)
			whole = whole * 10 + (*p - '0');
	}
	size_t frac = strlen(dot + 1);
	if (frac < 1 || frac > 2 || !isdigit((unsigned char)dot[1]) ||
	    (frac == 2 && !isdigit((unsigned char)dot[2])))
		return -1;
	int cents = (dot[1] - '0') * 10 + (frac == 2 ? dot[2] - '0' : 0);
	return whole * 100 + cents;
}

/* A cents number (1..99) at k, written in words or digits; words used or 0. */
static int cents_part(const struct text_words *t, int k, int end, long *cents)
{
	long v;
	int used = num_parse(t, k, end, &v);
	if (used == 0 || v < 1 || v > 99)
		return 0;
	/* "two dozen" is not a cents part */
	if (used > 2)
		return 0;
	*cents = v;
	return used;
}

int price_parse_amount(const struct text_words *t, int i, int end, int bare_ok, int64_t *cents)
{
	if (end > t->n)
		end = t->n;
	if (i < 0 || i >= end)
		return 0;
	int k = i;
	int64_t dec = decimal_cents(t->w[k]);
	if (dec >= 0) {
		k++;
		if (k < end && is_dollar_word(t->w[k]))
			k++;
		*cents = dec;
		return k - i;
	}
	long whole;
	int used;
	if ((text_is(t, k, "a") || text_is(t, k, "one")) && k + 1 < end &&
	    (text_is(t, k + 1, "dollar") || text_is(t, k + 1, "buck"))) {
		whole = 1;
		used = 1;
	} else if ((used = num_parse(t, k, end, &whole)) == 0) {
		return 0;
	}
	k += used;
	if (k < end && is_cent_word(t->w[k])) {
		*cents = whole;
		return k + 1 - i;
	}
	int unit = k < end && is_dollar_word(t->w[k]);
	if (unit)
		k++;
	long c = 0;
	int cu = 0;
	if (unit) {
		int and_ = text_is(t, k, "and");
		cu = cents_part(t, k + and_, end, &c);
		if (cu > 0) {
			int after = k + and_ + cu;
			if (after < end && is_cent_word(t->w[after]))
				cu++;
			else if (and_)	/* "10 dollars and 2 apples": "and" was not ours */
				cu = 0, c = 0;
			if (cu > 0)
				cu += and_;
		}
	} else if (!text_is_digits(t->w[i]) && whole >= 1 && whole <= 999) {
		/* speech: "twelve ninety nine", "five fifty" */
		cu = cents_part(t, k, end, &c);
		if (cu > 0 && c < 10)
			cu = 0, c = 0;	/* "twelve five" is not a price */
		if (cu > 0)
			unit = 1;
		if (cu > 0 && k + cu < end && is_dollar_word(t->w[k + cu]))
			cu++;
	}
	if (!unit && !bare_ok)
		return 0;
	k += cu;
	*cents = (int64_t)whole * 100 + c;
	return k - i;
}

/* Lead phrases: the limit they set and whether it is strict. */
enum limit { LIM_MAX, LIM_MIN, LIM_AROUND };
static const struct {
	const char *phrase;
	enum limit kind;
	int strict;
} leads[] = {
	/* "nothing over sixty", "nothing above 20 dollars", "not above": a ceiling */
	{ "nothing over", LIM_MAX, 0 }, { "nothing above", LIM_MAX, 0 },
	{ "nothing more than", LIM_MAX, 0 }, { "nothing pricier than", LIM_MAX, 0 },
	{ "not above", LIM_MAX, 0 }, { "nothing that costs more than", LIM_MAX, 0 },
	{ "for less than", LIM_MAX, 1 }, { "for under", LIM_MAX, 1 }, { "less than", LIM_MAX, 1 },
	{ "cheaper than", LIM_MAX, 1 }, { "lower than", LIM_MAX, 1 }, { "under", LIM_MAX, 1 },
	{ "below", LIM_MAX, 1 }, { "beneath", LIM_MAX, 1 }, { "not more than", LIM_MAX, 0 },
	{ "no more than", LIM_MAX, 0 }, { "not over", LIM_MAX, 0 }, { "at most", LIM_MAX, 0 },
	{ "up to", LIM_MAX, 0 }, { "maximum of", LIM_MAX, 0 }, { "maximum", LIM_MAX, 0 },
	{ "max", LIM_MAX, 0 }, { "within", LIM_MAX, 0 }, { "budget of", LIM_MAX, 0 },
	{ "more than", LIM_MIN, 1 }, { "over", LIM_MIN, 1 }, { "above", LIM_MIN, 1 },
	{ "higher than", LIM_MIN, 1 }, { "pricier than", LIM_MIN, 1 },
	{ "more expensive than", LIM_MIN, 1 }, { "at least", LIM_MIN, 0 },
	{ "minimum of", LIM_MIN, 0 }, { "minimum", LIM_MIN, 0 }, { "no less than", LIM_MIN, 0 },
	{ "around", LIM_AROUND, 0 }, { "about", LIM_AROUND, 0 }, { "roughly", LIM_AROUND, 0 },
	{ "approximately", LIM_AROUND, 0 }, { "close to", LIM_AROUND, 0 },
};

static void set_limit(struct price_range *r, enum limit kind, int strict, int64_t cents)
{
	if (kind == LIM_MAX) {
		r->max_cents = strict ? (cents > 0 ? cents - 1 : 0) : cents;
	} else if (kind == LIM_MIN) {
		r->min_cents = strict ? cents + 1 : cents;
	} else {
		r->min_cents = cents - cents / 5;
		r->max_cents = cents + cents / 5;
	}
}

/* "between X and Y", "from X to Y" */
static int parse_between(const struct text_words *t, int i, int end, struct price_range *r)
{
	int lead = text_is(t, i, "between") ? 1 : text_is(t, i, "from") ? 1 : 0;
	if (!lead)
		return 0;
	int64_t a, b;
	int k = i + 1;
	int ua = price_parse_amount(t, k, end, 1, &a);
	if (ua == 0)
		return 0;
	k += ua;
	if (!text_is(t, k, "and") && !text_is(t, k, "to"))
		return 0;
	k++;
	int ub = price_parse_amount(t, k, end, 1, &b);
	if (ub == 0)
		return 0;
	k += ub;
	/* "from 10 to 30" with no unit anywhere could be quantities; insist on one */
	if (text_is(t, i, "from")) {
		int any_unit = 0;
		for (int j = i + 1; j < k; j++)
			if (is_dollar_word(t->w[j]) || is_cent_word(t->w[j]) || strchr(t->w[j], '.'))
				any_unit = 1;
		if (!any_unit)
			return 0;
	}
	if (a > b) {
		int64_t tmp = a;
		a = b;
		b = tmp;
	}
	r->min_cents = a;
	r->max_cents = b;
	return k - i;
}

int price_parse_range(const struct text_words *t, int i, int end, struct price_range *r)
{
	if (end > t->n)
		end = t->n;
	if (i < 0 || i >= end)
		return 0;
	int used = parse_between(t, i, end, r);
	if (used)
		return used;
	for (size_t l = 0; l < sizeof leads / sizeof *leads; l++) {
		int n = text_match(t, i, end, leads[l].phrase);
		if (!n)
			continue;
		int64_t cents;
		int bare = leads[l].kind != LIM_AROUND;
		int a = price_parse_amount(t, i + n, end, bare, &cents);
		if (!a)
			continue;
		/* "i'm not spending more than 70", "won't pay over 20": a ceiling */
		int denied = 0;
		for (int k = i - 1; leads[l].kind == LIM_MIN && k >= 0 && k >= i - 4 && !t->brk[k]; k--)
			denied |= text_is(t, k, "not") || text_is(t, k, "never");
		if (denied)
			set_limit(r, LIM_MAX, 0, cents);
		else
			set_limit(r, leads[l].kind, leads[l].strict, cents);
		return n + a;
	}
	/* trail phrases: "20 dollars or less", "10 bucks and up", "X to Y dollars" */
	int64_t cents;
	int a = price_parse_amount(t, i, end, 1, &cents);
	if (!a)
		return 0;
	int k = i + a, n;
	if ((n = text_match(t, k, end, "or less")) || (n = text_match(t, k, end, "or under")) ||
	    (n = text_match(t, k, end, "or cheaper")) || (n = text_match(t, k, end, "or below")) ||
	    (n = text_match(t, k, end, "max")) || (n = text_match(t, k, end, "tops")) ||
	    (n = text_match(t, k, end, "at most"))) {
		set_limit(r, LIM_MAX, 0, cents);
		return a + n;
	}
	if ((n = text_match(t, k, end, "or more")) || (n = text_match(t, k, end, "and up")) ||
	    (n = text_match(t, k, end, "and above")) || (n = text_match(t, k, end, "or above")) ||
	    (n = text_match(t, k, end, "plus")) || (n = text_match(t, k, end, "at least"))) {
		set_limit(r, LIM_MIN, 0, cents);
		return a + n;
	}
	if (text_is(t, k, "to")) {
		int64_t b;
		int ub = price_parse_amount(t, k + 1, end, 0, &b);
		if (ub && a > 0) {
			r->min_cents = cents < b ? cents : b;
			r->max_cents = cents < b ? b : cents;
			return a + 1 + ub;
		}
	}
	return 0;
}
