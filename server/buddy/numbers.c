/*
 * numbers.c - cardinal and ordinal numbers in words and digits.
 *
 * Word numbers are read with the usual grammar: a group below a thousand is
 * [units|teens] or [tens [units]], optionally preceded by [group "hundred" ["and"]];
 * groups combine with "thousand" and "million".  Values are clamped to NUM_MAX so
 * no input can overflow.  "and" is only part of a number right after "hundred" or
 * "thousand" and before another number word, so "two and three" stays two numbers.
 */
#include "buddy/numbers.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const units[20] = {
	"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
	"eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
	"eighteen", "nineteen",
};
static const char *const tens[10] = {
	"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
};

static int unit_value(const char *w)
{
	for (int i = 0; i < 20; i++)
		if (!strcmp(w, units[i]))
			return i;
	return -1;
}

static int tens_value(const char *w)
{
	for (int i = 2; i < 10; i++)
		if (!strcmp(w, tens[i]))
			return i * 10;
	if (!strcmp(w, "fourty"))	/* a common misspelling */
		return 40;
	return -1;
}

/* Digits with an optional "x" on either side: "12", "2x", "x2".  -1 otherwise. */
static long digits_value(const char *w)
{
	const char *p = w;
	if (*p == 'x')
		p++;
	if (!isdigit((unsigned char)*p))
		return -1;
	long v = 0;
	while (isdigit((unsigned char)*p)) {
		if (v < NUM_MAX)
			v = v * 10 + (*p - '0');
		p++;
	}
	if (*p == 'x' && p[1] == '\0' && w[0] != 'x')
		p++;
	if (*p)
		return -1;
	return v > NUM_MAX ? NUM_MAX : v;
}

long num_word(const char *w)
{
	long v = digits_value(w);
	if (v >= 0)
		return v;
	int u = unit_value(w);
	if (u >= 0)
		return u;
	return tens_value(w);
}

static int is_number_word(const char *w)
{
	return unit_value(w) >= 0 || tens_value(w) >= 0 || !strcmp(w, "hundred") ||
	       !strcmp(w, "thousand") || !strcmp(w, "million");
}

/* A number below a thousand in words at i ("ninety nine", "seven").  Returns words used. */
static int parse_small(const struct text_words *t, int i, int end, long *out)
{
	if (i >= end)
		return 0;
	int tv = tens_value(t->w[i]);
	if (tv > 0) {
		int u = i + 1 < end ? unit_value(t->w[i + 1]) : -1;
		if (u >= 1 && u <= 9) {
			*out = tv + u;
			return 2;
		}
		*out = tv;
		return 1;
	}
	int u = unit_value(t->w[i]);
	if (u >= 0) {
		*out = u;
		return 1;
	}
	return 0;
}

/* A number in words at i, with hundreds, thousands and millions. */
static int parse_words(const struct text_words *t, int i, int end, long *out)
{
	long total = 0, group = 0;
	int k = i, any = 0;
	while (k < end) {
		long small;
		int used;
		if (!any && (text_is(t, k, "a") || text_is(t, k, "an")) &&
		    (text_is(t, k + 1, "hundred") || text_is(t, k + 1, "thousand"))) {
			group = 1;
			k++;
			any = 1;
			continue;
		}
		if (group == 0 && (used = parse_small(t, k, end, &small)) > 0) {
			group = small;
			k += used;
			any = 1;
			continue;
		}
		if (!any)
			break;
		if (text_is(t, k, "hundred") && group > 0 && group < 100) {
			group *= 100;
			k++;
			if (text_is(t, k, "and") && k + 1 < end && is_number_word(t->w[k + 1]))
				k++;
			if ((used = parse_small(t, k, end, &small)) > 0 && small < 100) {
				group += small;
				k += used;
			}
			continue;
		}
		if ((text_is(t, k, "thousand") || text_is(t, k, "million")) && group > 0) {
			long mult = t->w[k][0] == 't' ? 1000 : 1000000;
			total += group * mult;
			group = 0;
			k++;
			if (text_is(t, k, "and") && k + 1 < end && is_number_word(t->w[k + 1]))
				k++;
			if (total > NUM_MAX)
				total = NUM_MAX;
			continue;
		}
		break;
	}
	if (!any)
		return 0;
	total += group;
	*out = total > NUM_MAX ? NUM_MAX : total;
	return k - i;
}

/* "of" after a quantity noun ("a couple of") belongs to the number. */
static int take_of(const struct text_words *t, int k, int end)
{
	return k < end && text_is(t, k, "of") ? 1 : 0;
}

int num_parse(const struct text_words *t, int i, int end, long *value)
{
	if (end > t->n)
		end = t->n;
	if (i < 0 || i >= end)
		return 0;
	int k = i;
	/* half a dozen, a half dozen, half dozen */
	if (text_match(t, k, end, "half a dozen") || text_match(t, k, end, "a half dozen")) {
		*value = 6;
		return 3 + take_of(t, k + 3, end);
	}
	if (text_match(t, k, end, "half dozen")) {
		*value = 6;
		return 2 + take_of(t, k + 2, end);
	}
	int article = text_is(t, k, "a") || text_is(t, k, "an");
	int a = article ? 1 : 0;
	static const struct { const char *word; long value; } nouns[] = {
		{ "dozen", 12 }, { "couple", 2 }, { "few", 3 }, { "pair", 2 }, { "single", 1 },
		{ "several", 3 }, { "handful", 3 },
	};
	for (size_t n = 0; n < sizeof nouns / sizeof *nouns; n++) {
		if (text_is(t, k + a, nouns[n].word) && k + a < end) {
			/* "several", "handful" need no article; "pair", "single" need one: "the
			 * single bananas", "the cheapest pair of headphones" are no numbers */
			if (!article && (nouns[n].value == 2 || nouns[n].value == 1) &&
			    strcmp(nouns[n].word, "couple"))
				return 0;
			*value = nouns[n].value;
			int used = a + 1;
			/* "a couple dozen", "a few dozen", "a dozen and a half" */
			if (nouns[n].value != 12 && text_is(t, k + used, "dozen") && k + used < end) {
				*value *= 12;
				used++;
			} else if (nouns[n].value == 12 && text_match(t, k + used, end, "and a half")) {
				*value = 18;
				used += 3;
			}
			return used + take_of(t, k + used, end);
		}
	}
	long v = digits_value(t->w[k]);
	int used = 0;
	if (v >= 0 && !article) {
		used = 1;
	} else {
		used = parse_words(t, k, end, &v);
		if (used == 0)
			return 0;
	}
	k += used;
	/* "two dozen", "3 dozen eggs", "two and a half dozen" */
	if (k < end && text_is(t, k, "dozen")) {
		v = v > NUM_MAX / 12 ? NUM_MAX : v * 12;
		k++;
		if (text_match(t, k, end, "and a half")) {
			v += 6;
			k += 3;
		}
		k += take_of(t, k, end);
	}
	*value = v;
	return k - i;
}

static const char *const ordinal_words[] = {
	"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
	"tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
	"sixteenth", "seventeenth", "eighteenth", "nineteenth", "twentieth",
};

/* One ordinal word ("third", "3rd"), 0-based; -1 when it is none. */
static int ordinal_word(const char *w)
{
	for (int i = 0; i < 20; i++)
		if (!strcmp(w, ordinal_words[i]))
			return i;
	char *endp;
	long v = strtol(w, &endp, 10);
	if (endp != w && v >= 1 && v <= 100 &&
	    (!strcmp(endp, "st") || !strcmp(endp, "nd") || !strcmp(endp, "rd") || !strcmp(endp, "th")))
		return (int)v - 1;
	return -1;
}

static int take_one(const struct text_words *t, int k, int end)
{
	if (k < end && (text_is(t, k, "one") || text_is(t, k, "ones") || text_is(t, k, "option") ||
			text_is(t, k, "item") || text_is(t, k, "result") || text_is(t, k, "choice")))
		return 1;
	return 0;
}

int num_counts_choices(const struct text_words *t, int i)
{
	if (i <= 0 || i >= t->n)
		return 0;
	if (text_is(t, i - 1, "of"))
		return 1;
	return i > 1 && text_is(t, i - 2, "of") &&
	       (text_is(t, i - 1, "the") || text_is(t, i - 1, "those") || text_is(t, i - 1, "these") ||
		text_is(t, i - 1, "them"));
}

int num_parse_ordinal(const struct text_words *t, int i, int end, int *index)
{
	if (end > t->n)
		end = t->n;
	if (i < 0 || i >= end)
		return 0;
	int k = i;
	if (text_is(t, k, "the") || text_is(t, k, "that") || text_is(t, k, "this"))
		k++;
	int used, idx;
	if ((used = text_match(t, k, end, "second to last")) ||
	    (used = text_match(t, k, end, "second from last")) ||
	    (used = text_match(t, k, end, "next to last")) ||
	    (used = text_match(t, k, end, "one before last")) ||
	    (used = text_match(t, k, end, "second last")) ||
	    (used = text_match(t, k, end, "penultimate"))) {
		idx = -2;
	} else if ((used = text_match(t, k, end, "last")) || (used = text_match(t, k, end, "bottom")) ||
		   (used = text_match(t, k, end, "final"))) {
		idx = -1;
	} else if ((used = text_match(t, k, end, "top"))) {
		idx = 0;
	} else if ((idx = ordinal_word(k < end ? t->w[k] : "")) >= 0) {
		used = 1;
	} else if (k < end && (text_is(t, k, "number") || text_is(t, k, "option") ||
			       text_is(t, k, "no") || text_is(t, k, "item") || text_is(t, k, "choice"))) {
		long v;
		int n = num_parse(t, k + 1, end, &v);
		if (n == 0 || v < 1 || v > 100)
			return 0;
		/* "no two" is a number only when written "no." - keep "no" out unless digits */
		if (text_is(t, k, "no") && !text_is_digits(t->w[k + 1]))
			return 0;
		idx = (int)v - 1;
		used = 1 + n;
	} else {
		return 0;
	}
	k += used;
	k += take_one(t, k, end);
	*index = idx;
	return k - i;
}

void num_to_words(long n, char *out, size_t len)
{
	if (len == 0)
		return;
	out[0] = '\0';
	if (n < 0 || n > 999999999) {
		snprintf(out, len, "%ld", n);
		return;
	}
	if (n == 0) {
		snprintf(out, len, "zero");
		return;
	}
	size_t used = 0;
	static const struct { long size; const char *name; } scales[] = {
		{ 1000000, "million" }, { 1000, "thousand" }, { 1, "" },
	};
	for (size_t s = 0; s < 3; s++) {
		long group = n / scales[s].size % 1000;
		if (group == 0)
			continue;
		char part[64] = "";
		size_t p = 0;
		if (group >= 100)
			p += (size_t)snprintf(part + p, sizeof part - p, "%s hundred", units[group / 100]);
		long rest = group % 100;
		if (rest >= 20)
			p += (size_t)snprintf(part + p, sizeof part - p, "%s%s%s%s", p ? " " : "",
					      tens[rest / 10], rest % 10 ? " " : "", rest % 10 ? units[rest % 10] : "");
		else if (rest > 0)
			p += (size_t)snprintf(part + p, sizeof part - p, "%s%s", p ? " " : "", units[rest]);
		int w = snprintf(out + used, len - used, "%s%s%s%s", used ? " " : "", part,
				 *scales[s].name ? " " : "", scales[s].name);
		if (w < 0 || (size_t)w >= len - used)
			return;
		used += (size_t)w;
	}
}
