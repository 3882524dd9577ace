/*
 * choose.c - catalog-aware choice among N-best readings (see choose.h).
 *
 * Every run of 1..MAX_RUN words inside a name goes into one open-addressing hash
 * set (flag IN_NAME), a whole name also gets WHOLE; a reading is then scanned left
 * to right taking the longest run that is in the set.
 */
#include "voice/choose.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RUN 5
#define MAX_WORDS 48
#define IN_NAME 1
#define WHOLE 2

struct choose_names {
	char **keys;
	uint8_t *flags;
	size_t cap, used;
};

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static long find_slot(const struct choose_names *nm, const char *s, size_t n)
{
	size_t i = (size_t)hash_bytes(s, n) & (nm->cap - 1);
	while (nm->keys[i]) {
		if (strlen(nm->keys[i]) == n && memcmp(nm->keys[i], s, n) == 0)
			return (long)i;
		i = (i + 1) & (nm->cap - 1);
	}
	return -(long)i - 1;
}

static int grow(struct choose_names *nm)
{
	size_t cap = nm->cap ? nm->cap * 2 : 1024;
	struct choose_names bigger = { calloc(cap, sizeof(char *)), calloc(cap, 1), cap, nm->used };
	if (!bigger.keys || !bigger.flags) {
		free(bigger.keys);
		free(bigger.flags);
		return -1;
	}
	for (size_t i = 0; i < nm->cap; i++) {
		if (!nm->keys[i])
			continue;
		long slot = -find_slot(&bigger, nm->keys[i], strlen(nm->keys[i])) - 1;
		bigger.keys[slot] = nm->keys[i];
		bigger.flags[slot] = nm->flags[i];
	}
	free(nm->keys);
	free(nm->flags);
	*nm = bigger;
	return 0;
}

static int put(struct choose_names *nm, const char *s, size_t n, uint8_t flag)
{
	if ((nm->used + 1) * 2 > nm->cap && grow(nm) != 0)
		return -1;
	long slot = find_slot(nm, s, n);
	if (slot >= 0) {
		nm->flags[slot] |= flag;
		return 0;
	}
	slot = -slot - 1;
	if (!(nm->keys[slot] = strndup(s, n)))
		return -1;
	nm->flags[slot] = flag;
	nm->used++;
	return 0;
}

/* Splits s into words (spaces); starts[i] and lens[i]; returns the count. */
static size_t split(const char *s, const char **starts, size_t *lens, size_t max)
{
	size_t n = 0;
	while (*s && n < max) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		starts[n] = s;
		while (*s && *s != ' ')
			s++;
		lens[n] = (size_t)(s - starts[n]);
		n++;
	}
	return n;
}

static int add_name(struct choose_names *nm, const char *name)
{
	const char *w[MAX_WORDS];
	size_t len[MAX_WORDS];
	size_t n = split(name, w, len, MAX_WORDS);
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 1; k <= MAX_RUN && i + k <= n; k++) {
			size_t bytes = (size_t)(w[i + k - 1] + len[i + k - 1] - w[i]);
			if (put(nm, w[i], bytes, (uint8_t)(IN_NAME | (i == 0 && k == n ? WHOLE : 0))) != 0)
				return -1;
		}
	if (n > MAX_RUN) /* a long whole name still counts as one */
		return put(nm, w[0], (size_t)(w[n - 1] + len[n - 1] - w[0]), IN_NAME | WHOLE);
	return 0;
}

struct choose_names *choose_names_new(const char *const *names, size_t n)
{
	struct choose_names *nm = calloc(1, sizeof *nm);
	if (!nm || grow(nm) != 0) {
		free(nm);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (names[i] && add_name(nm, names[i]) != 0) {
			choose_names_free(nm);
			return NULL;
		}
	return nm;
}

struct choose_names *choose_names_load(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	struct choose_names *nm = choose_names_new(NULL, 0);
	char line[1024];
	while (nm && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (add_name(nm, line) != 0) {
			choose_names_free(nm);
			nm = NULL;
		}
	}
	fclose(f);
	if (!nm)
		snprintf(err, errlen, "%s: out of memory", path);
	return nm;
}

void choose_names_free(struct choose_names *nm)
{
	if (!nm)
		return;
	for (size_t i = 0; i < nm->cap; i++)
		free(nm->keys[i]);
	free(nm->keys);
	free(nm->flags);
	free(nm);
}

/* Words that do not tell one product from another: function words, numbers and
 * units (names carry sizes, "two pounds", which a request for "two" of anything
 * would otherwise match). */
static int is_function_word(const char *w, size_t n)
{
	static const char *const fw[] = { "of", "and", "with", "for", "the", "a", "an", "in",
		"to", "by", "on", "or", "from", "plus", "my", "some", "me", "it", "no",
		"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
		"ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
		"seventeen", "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty",
		"sixty", "seventy", "eighty", "ninety", "hundred", "thousand", "point", "half",
		"dozen", "pound", "pounds", "ounce", "ounces", "gallon", "gallons", "liter",
		"liters", "litre", "litres", "milliliter", "milliliters", "millilitre",
		"millilitres", "kilogram", "kilograms", "gram", "grams", "pint", "pints",
		"pack", "packs", "bag", "bags", "each", "count", "meter", "meters", "metre",
		"metres", "inch", "inches", "watt", "watts", "percent" };
	for (size_t i = 0; i < sizeof fw / sizeof fw[0]; i++)
		if (strlen(fw[i]) == n && memcmp(fw[i], w, n) == 0)
			return 1;
	return 0;
}

int choose_cover(const struct choose_names *nm, const char *text)
{
	const char *w[MAX_WORDS];
	size_t len[MAX_WORDS];
	if (!nm || !text)
		return 0;
	size_t n = split(text, w, len, MAX_WORDS);
	int cover = 0;
	for (size_t i = 0; i < n;) {
		size_t best = 0;
		int content = 0;
		for (size_t k = 1; k <= MAX_RUN && i + k <= n; k++) {
			size_t bytes = (size_t)(w[i + k - 1] + len[i + k - 1] - w[i]);
			long slot = find_slot(nm, w[i], bytes);
			if (slot < 0)
				break;
			int c = 0;
			for (size_t j = i; j < i + k; j++)
				c += !is_function_word(w[j], len[j]);
			if (c >= 2 || (c >= 1 && (nm->flags[slot] & WHOLE))) {
				best = k;
				content = c;
			}
		}
		if (best) {
			if (content > cover)
				cover = content;
			i += best;
		} else {
			i++;
		}
	}
	return cover;
}

size_t choose_hypothesis(const struct asr_hyp *hyps, size_t n, const struct choose_names *nm,
			 int32_t weight)
{
	size_t best = 0;
	int64_t best_score = 0;
	int cover0 = 0;
	if (!hyps || n == 0 || !nm || weight <= 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int cover = choose_cover(nm, hyps[i].text);
		int64_t s = (int64_t)hyps[i].score + (int64_t)weight * cover;
		if (i == 0)
			cover0 = cover;
		/* another reading wins only by naming more of a product the first already
		 * names some of: a command without a name ("check out", "yes please")
		 * is not turned into a request for one */
		if (i == 0 || (cover0 > 0 && cover > cover0 && s > best_score)) {
			best = i;
			best_score = s;
		}
	}
	return best;
}

/* The words an answer of each kind starts with (after an optional "um", "oh").  Not
 * "go" ("go ahead"): in noise it is what "no" is misheard as ("no thanks" -> "go
 * that"), and taking it would turn a no into a yes. */
static const char *const yesno_words[] = { "yes", "yeah", "yep", "yup", "sure", "okay", "ok",
	"no", "nope", "nah", "confirm", "correct", "cancel", "not", "don't", NULL };
static const char *const pick_words[] = { "first", "second", "third", "fourth", "fifth",
	"last", "one", "two", "three", "four", "five", "that", "this", NULL };
static const char *const filler_words[] = { "um", "uh", "oh", "well", "the", NULL };

static int in_list(const char *const *list, const char *w, size_t n)
{
	for (; *list; list++)
		if (strlen(*list) == n && memcmp(*list, w, n) == 0)
			return 1;
	return 0;
}

int choose_is_answer(enum choose_expect e, const char *text)
{
	const char *w[MAX_WORDS];
	size_t len[MAX_WORDS];
	size_t n = text ? split(text, w, len, MAX_WORDS) : 0, i = 0;
	if (e == CHOOSE_EXPECT_ANY || n == 0)
		return 0;
	while (i + 1 < n && in_list(filler_words, w[i], len[i]))
		i++;
	if (e == CHOOSE_EXPECT_YESNO)
		return in_list(yesno_words, w[i], len[i]);
	/* a pick is short: "the second one", "the first", "that one" */
	return n - i <= 3 && in_list(pick_words, w[i], len[i]);
}

size_t choose_hypothesis_expect(const struct asr_hyp *hyps, size_t n,
				const struct choose_names *nm, int32_t weight,
				enum choose_expect e, int32_t margin)
{
	if (hyps && n > 1 && e != CHOOSE_EXPECT_ANY && !choose_is_answer(e, hyps[0].text))
		for (size_t i = 1; i < n; i++)
			if ((int64_t)hyps[0].score - hyps[i].score <= margin &&
			    choose_is_answer(e, hyps[i].text))
				return i;
	return choose_hypothesis(hyps, n, nm, weight);
}
