/*
 * lm.c - catalog language model: corpus generation, n-gram counts, interpolated
 * Witten-Bell trigram estimates written as ARPA, and the matching dictionary.
 *
 * Estimates (c = count, T = number of distinct words seen after a history):
 *   P1(w)       = (c(w) + 1) / (N + V)                         add-one unigrams
 *   P2(w | v)   = (c(v w) + T(v) P1(w)) / (c(v) + T(v))
 *   P3(w | u v) = (c(u v w) + T(u v) P2(w | v)) / (c(u v) + T(u v))
 * and for an ARPA back-off model the weight of a history h is what the unseen words
 * share, which for interpolated Witten-Bell comes out as T(h) / (c(h) + T(h)).
 *
 * Item names: a title's text in parentheses and the packing after its size
 * ("Bananas (each)", "Gala Apples 3 lb bag") are not part of the name shoppers say
 * ("bananas", "gala apples"); the full name with its size is kept but used in a
 * quarter of the templates and never after a quantity.  Every item with a
 * quantity also goes on with the command's carrier ("add two bananas to my cart",
 * "put ... in my cart", "... please"), so that after "two bananas" those words are
 * likely and brand or product words (frequent unigrams) are left to the back-off.
 * On synthesised commands (demo catalog, 192 utterances) WER 17.6% -> 5.3%.
 *
 * Names agree with the words before them as shoppers say them: "an" before a vowel
 * sound ("an oat milk"; the recogniser heard "do you have a oat milk" for "do you
 * have oat milk" while the corpus held "a oat milk"), the singular made up from a
 * catalog plural ("gala apple") only after "a" or "one" (it heard "add two gala
 * apple"), the catalog's plural with "some" where a template says "a".
 *
 * Word ids are small integers (<s> = 0, </s> = 1); an n-gram is one 64-bit key of
 * 21 bits per id, so sorting keys groups n-grams by their history.  All memory is
 * owned by one struct builder and freed by builder_free().
 */
#include "lm.h"
#include "pron.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ID_BITS 21
#define ID_MASK ((1u << ID_BITS) - 1)
#define MAX_VOCAB (1u << ID_BITS)
#define MAX_SENTENCE_WORDS 64
#define ITEM_SENTENCE_BUDGET 400000
#define NAME_LEN 512

/* ---- hash tables ---- */

struct counts { /* u64 key -> count; key 0 is never used (ids start the key) */
	uint64_t *keys;
	uint32_t *vals;
	size_t cap, used;
};

struct vocab {
	char **words;      /* by id, owned */
	int8_t *pron;      /* by id: 1 has a pronunciation, 0 none */
	size_t count, cap;
	uint32_t *table;   /* id + 1, 0 empty */
	size_t tcap;
};

struct builder {
	struct pron_dict *lex;
	struct vocab voc;
	struct counts ng[3];
	char **items;       /* distinct item names (normalised), owned */
	uint8_t *kind;      /* by item: ITEM_SIZED, ITEM_SINGULAR, ITEM_PLURAL flags */
	size_t nitems, items_cap;
	struct vocab seen;  /* set of item names, for de-duplication */
	size_t sentences;
};

static uint64_t mix(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return k;
}

static int counts_grow(struct counts *c)
{
	size_t cap = c->cap ? c->cap * 2 : 4096;
	uint64_t *keys = calloc(cap, sizeof *keys);
	uint32_t *vals = calloc(cap, sizeof *vals);

	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -1;
	}
	for (size_t i = 0; i < c->cap; i++) {
		if (!c->keys[i])
			continue;
		size_t j = mix(c->keys[i]) & (cap - 1);

		while (keys[j])
			j = (j + 1) & (cap - 1);
		keys[j] = c->keys[i];
		vals[j] = c->vals[i];
	}
	free(c->keys);
	free(c->vals);
	c->keys = keys;
	c->vals = vals;
	c->cap = cap;
	return 0;
}

static int counts_add(struct counts *c, uint64_t key, uint32_t n)
{
	size_t j;

	if ((c->used + 1) * 2 > c->cap && counts_grow(c) != 0)
		return -1;
	for (j = mix(key) & (c->cap - 1); c->keys[j] && c->keys[j] != key; j = (j + 1) & (c->cap - 1))
		;
	if (!c->keys[j]) {
		c->keys[j] = key;
		c->used++;
	}
	c->vals[j] += n;
	return 0;
}

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* Returns the id of word, adding it when new; -1 on failure or a full vocabulary. */
static long vocab_id(struct vocab *v, const char *word, int add)
{
	size_t j;

	if ((v->count + 1) * 2 > v->tcap) {
		size_t tcap = v->tcap ? v->tcap * 2 : 1024;
		uint32_t *t = calloc(tcap, sizeof *t);

		if (!t)
			return -1;
		for (size_t i = 0; i < v->count; i++) {
			for (j = hash_str(v->words[i]) & (tcap - 1); t[j]; j = (j + 1) & (tcap - 1))
				;
			t[j] = (uint32_t)i + 1;
		}
		free(v->table);
		v->table = t;
		v->tcap = tcap;
	}
	for (j = hash_str(word) & (v->tcap - 1); v->table[j]; j = (j + 1) & (v->tcap - 1))
		if (strcmp(v->words[v->table[j] - 1], word) == 0)
			return (long)v->table[j] - 1;
	if (!add || v->count >= MAX_VOCAB - 1)
		return -1;
	if (v->count == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 256;
		char **w = realloc(v->words, cap * sizeof *w);
		int8_t *p = w ? realloc(v->pron, cap * sizeof *p) : NULL;

		if (w)
			v->words = w;
		if (!w || !p)
			return -1;
		v->pron = p;
		v->cap = cap;
	}
	if (!(v->words[v->count] = strdup(word)))
		return -1;
	v->pron[v->count] = -1; /* not looked at yet */
	v->table[j] = (uint32_t)v->count + 1;
	return (long)v->count++;
}

static void vocab_free(struct vocab *v)
{
	for (size_t i = 0; i < v->count; i++)
		free(v->words[i]);
	free(v->words);
	free(v->pron);
	free(v->table);
}

static void builder_free(struct builder *b)
{
	pron_dict_free(b->lex);
	vocab_free(&b->voc);
	vocab_free(&b->seen);
	for (int i = 0; i < 3; i++) {
		free(b->ng[i].keys);
		free(b->ng[i].vals);
	}
	for (size_t i = 0; i < b->nitems; i++)
		free(b->items[i]);
	free(b->items);
	free(b->kind);
}

/* ---- counting ---- */

/* 1 when the vocabulary word id can be pronounced (looked up once). */
static int pronounceable(struct builder *b, long id)
{
	if (b->voc.pron[id] < 0) {
		char tmp[256];

		b->voc.pron[id] = (int8_t)(pron_dict_has(b->lex, b->voc.words[id]) ||
					   pron_guess(b->voc.words[id], tmp, sizeof tmp) == 0);
	}
	return b->voc.pron[id];
}

/* Counts the n-grams of one normalised sentence, weight times.  A sentence with an
 * unpronounceable word is skipped (returns 0); -1 on allocation failure. */
static int add_sentence(struct builder *b, const char *sentence, uint32_t weight)
{
	char buf[NAME_LEN * 2], *save = NULL;
	uint64_t ids[MAX_SENTENCE_WORDS + 2];
	size_t n = 0;

	if (strlen(sentence) >= sizeof buf)
		return 0;
	strcpy(buf, sentence);
	ids[n++] = 0; /* <s> */
	for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		long id = vocab_id(&b->voc, w, 1);

		if (id < 0)
			return -1;
		if (!pronounceable(b, id) || n > MAX_SENTENCE_WORDS)
			return 0;
		ids[n++] = (uint64_t)id;
	}
	if (n == 1)
		return 0;
	ids[n++] = 1; /* </s> */
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && counts_add(&b->ng[0], ids[i], weight))
			return -1;
		if (i > 0 && counts_add(&b->ng[1], ids[i - 1] << ID_BITS | ids[i], weight))
			return -1;
		if (i > 1 && counts_add(&b->ng[2], (ids[i - 2] << ID_BITS | ids[i - 1]) << ID_BITS | ids[i], weight))
			return -1;
	}
	b->sentences++;
	return 0;
}

/* ---- corpus ---- */

/* Item templates: {n} a quantity, {i} the item, {p} a price. */
static const char *const item_templates[] = {
	"{i}", "{n} {i}", "the {i}", "add {i}", "add {n} {i}", "add {n} {i} to my cart",
	"add {i} to my cart", "add the {i} to my cart", "add {n} {i} to the cart",
	"put {n} {i} in my cart", "i want {i}", "i want {n} {i}", "i'd like {n} {i}",
	"i would like {n} {i}", "i need {n} {i}", "i need some {i}", "get me {n} {i}",
	"buy {n} {i}", "can i get {n} {i}", "please add {n} {i}", "do you have {i}",
	"do you have any {i}", "do you sell {i}", "show me {i}", "show me the {i}",
	"search for {i}", "find {i}", "find me {i}", "look for {i}", "i'm looking for {i}",
	"i am looking for {i}", "remove the {i}", "remove {i}", "remove {i} from my cart",
	"remove the {i} from my cart", "take out the {i}", "delete the {i}",
	"how much is the {i}", "how much are the {i}", "how much does the {i} cost",
	"tell me about the {i}", "what {i} do you have", "show me {i} under {p} dollars",
	"{i} under {p} dollars", "i want {i} under {p} dollars", "change the {i} to {n}",
	"make it {n} {i}", "i'll take the {i}", "set the {i} to {n}", "just the {i}",
	"add another {i}", "one more {i}", "remove {n} {i}", "could you add {n} {i}",
	"can you add {n} {i} to my cart", "add {n} {i} please", "put the {i} in my cart",
	"put {n} {i} in my cart please", "find me a {i}", "i want a {i}", "i need a {i}",
	"i'm looking for a {i}", "do you have a {i}", "show me a {i}", "get me a {i}",
	"i'd like a {i}", "do you have any {i} under {p} dollars",
	/* how shoppers ask, beyond the textbook "add": */
	"can i get a {i}", "can i get the {i}", "can i have {n} {i}", "can i get {n} {i} please",
	"i'd like the {i}", "i'd like some {i}", "i'd like {n} {i} please", "put a {i} in my cart",
	"put {n} {i} in the cart", "put some {i} in my cart", "add some {i}", "add a {i} please",
	"throw in {n} {i}", "throw in a {i}", "throw in the {i}", "throw in some {i}",
	"take out the {i}", "take the {i} out", "take out {n} {i}", "take the {i} out of my cart",
	"get rid of the {i}", "get rid of {i}", "get rid of the {i} please",
	"what's the price of the {i}", "what is the price of the {i}", "what's the price of {i}",
	"how much is a {i}", "how much are {i}", "how much for the {i}", "what does the {i} cost",
	"please remove the {i}", "i don't want the {i}", "no more {i}",
};

static const char *const commands[] = {
	"what's in my cart", "what is in my cart", "show my cart", "show me my cart",
	"show the cart", "view my cart", "read my cart", "what do i have in my cart",
	"check out", "i want to check out", "i'd like to check out",
	"let's check out", "place my order", "place the order", "buy it", "yes", "no",
	"yes please", "no thanks", "no thank you", "yeah", "yep", "nope", "sure", "okay", "ok",
	"confirm", "i confirm", "correct", "that's right", "cancel", "cancel my order",
	"cancel the order", "cancel that", "make it {n}", "one more", "add one more",
	"another one", "the first one", "the second one", "the third one", "the fourth one",
	"the fifth one", "the last one", "that one", "this one", "add it", "add that",
	"add that to my cart", "add it to my cart", "add {n} of those", "add {n} of them",
	"remove it", "remove that", "remove one", "remove everything", "clear my cart",
	"empty my cart", "empty the cart", "where is my order", "order status",
	"what's the status of my order", "track my order", "when will my order arrive",
	"help", "what can you do", "thank you", "thanks", "hello", "hi", "hi there",
	"goodbye", "bye", "stop", "never mind", "repeat that", "say that again",
	"under {p} dollars", "less than {p} dollars", "cheaper", "something cheaper",
	"show me more", "more", "next", "how much is it", "how much is that", "how much",
	"what's the total", "what is the total", "just {n}", "only {n}", "{n}",
	"set the quantity to {n}", "change it to {n}", "i changed my mind",
	"what do you have", "what's on sale", "show me everything", "i'm done", "that's all",
	"that's it", "go back", "start over",
	"checkout", "i'm ready to check out", "can i check out", "check out please",
	"place my order please", "place the order please", "yes place the order", "yes please place my order",
	"go ahead", "yes go ahead", "yes do it", "yes that's right", "no not now", "not yet",
	"no don't", "no thanks not now", "no that's all", "what's the price", "what's my total",
	"put it in my cart", "throw it in", "throw that in", "get rid of it", "get rid of that",
	"take it out", "take that out", "make that {n}", "i'll take {n}", "give me {n}",
};

/* Quantities as shoppers say them, each with how often: most ask for one to three
 * ("a", "two", "a couple of"), so "add two bananas" must not lose to "add ten
 * bananas" when the audio is unclear.  Weights are relative corpus frequencies. */
struct qty {
	const char *words;
	unsigned weight;
};

static const struct qty quantities[] = {
	{ "a", 12 }, { "one", 6 }, { "two", 10 }, { "three", 7 }, { "four", 3 }, { "five", 3 },
	{ "six", 2 }, { "seven", 1 }, { "eight", 1 }, { "nine", 1 }, { "ten", 1 }, { "eleven", 1 },
	{ "twelve", 2 }, { "thirteen", 1 }, { "fourteen", 1 }, { "fifteen", 1 }, { "sixteen", 1 },
	{ "seventeen", 1 }, { "eighteen", 1 }, { "nineteen", 1 }, { "twenty", 1 },
	{ "a couple of", 3 }, { "a few", 2 }, { "some", 3 }, { "a dozen", 1 }, { "an", 2 },
	{ "the", 3 }, { "a pack of", 2 }, { "a bag of", 2 }, { "a box of", 2 }, { "two bags of", 1 },
	{ "two packs of", 1 }, { "two boxes of", 1 }, { "three bottles of", 1 }, { "a bottle of", 1 },
	{ "a jar of", 1 }, { "a can of", 1 }, { "a carton of", 1 }, { "a loaf of", 1 },
	{ "a gallon of", 1 }, { "a pound of", 1 }, { "two pounds of", 1 }, { "four cans of", 1 },
	{ "thirty", 1 }, { "forty", 1 }, { "fifty", 1 }, { "a hundred", 1 },
};

/* "{n} {i}" sentences and how they go on, each with its share of the quantity's
 * weight in quarters ("{n} {i}" alone keeps the whole of it). */
static const struct {
	const char *tmpl;
	unsigned share;
} qty_frames[] = {
	{ "{n} {i}", 4 }, { "add {n} {i} to my cart", 4 }, { "put {n} {i} in my cart", 2 },
	{ "add {n} {i} please", 2 }, { "add {n} {i} to the cart", 1 },
	{ "remove {n} {i} from my cart", 1 },
};

/* The numbers "one" .. "twenty" are quantities[1..20], for commands like "make it {n}". */
#define NUMBER_FIRST 1
#define NUMBER_COUNT 20

static const char *const prices[] = { "five", "ten", "fifteen", "twenty", "twenty five",
	"thirty", "forty", "fifty", "a hundred", "one hundred", "two hundred", "five hundred",
	"three", "eight", "twelve", "sixty", "seventy five", "eighty", "ninety", "a thousand" };

#define COUNT(a) (sizeof (a) / sizeof (a)[0])

/* Item kinds (flags): a full name with its size ("... two pounds"); a name whose
 * head is the other number of the catalog's ("gala apple" for "Gala Apples",
 * "oat milks" for "Oat Milk"), said only where that number agrees. */
#define ITEM_SIZED    1
#define ITEM_SINGULAR 2
#define ITEM_PLURAL   4

static int word_in(const char *w, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (strlen(*list) == n && memcmp(*list, w, n) == 0)
			return 1;
	return 0;
}

/* Words before a name that want it singular ("a", "another") or plural ("two",
 * "a few", "a bag of"). */
static const char *const singular_before[] = { "a", "an", "one", "another", "single", NULL };
static const char *const plural_before[] = { "two", "three", "four", "five", "six", "seven",
	"eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
	"seventeen", "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty", "hundred",
	"few", "couple", "of", "dozen", "some", "those", "these", "all", NULL };

/* Expands {i} {n} {p} in tmpl into out, the item of kind kind (lex: its first
 * sound), as shoppers say it: "a" before the item becomes "an" before a vowel
 * sound and back ("an oat milk", "a banana"); a plural name takes "some" (or
 * "more") where the template says "a", "one" or "another".  Returns 0; 1 when the
 * words before a singular made up from the catalog's plural want a plural ("two
 * gala apple": never said, so never counted); -1 when it does not fit. */
static int expand(const struct pron_dict *lex, const char *tmpl, const char *item, unsigned kind,
		  const char *num, const char *price, char *out, size_t outlen)
{
	size_t pos = 0;

	for (const char *s = tmpl; *s; s++) {
		const char *put = NULL;

		if (s[0] == '{' && s[1] && s[2] == '}') {
			put = s[1] == 'i' ? item : s[1] == 'n' ? num : price;
			if (s[1] == 'i' && *item && pos >= 2 && out[pos - 1] == ' ') {
				size_t w = pos - 1; /* the word before the item: out[w0 .. w) */
				size_t w0 = w;
				char first[64];

				while (w0 > 0 && out[w0 - 1] != ' ')
					w0--;
				if ((kind & ITEM_SINGULAR) && word_in(out + w0, w - w0, plural_before))
					return 1;
				if ((kind & ITEM_PLURAL) && word_in(out + w0, w - w0, singular_before)) {
					/* "i want a {i}" with "gala apples": "i want some gala
					 * apples"; "another": "more" */
					const char *by = w - w0 == 7 ? "more " : "some ";

					if (w0 + 6 >= outlen)
						return -1;
					memcpy(out + w0, by, strlen(by) + 1);
					pos = w0 + strlen(by);
				}
				snprintf(first, sizeof first, "%.*s", (int)strcspn(item, " "), item);
				if (w - w0 == 1 && out[w0] == 'a' && pron_starts_with_vowel(lex, first)) {
					if (pos + 2 >= outlen)
						return -1;
					out[w] = 'n';
					out[pos++] = ' ';
				} else if (w - w0 == 2 && !memcmp(out + w0, "an", 2) &&
					   !pron_starts_with_vowel(lex, first)) {
					out[w - 1] = ' ';
					pos--;
				}
			}
			s += 2;
		}
		if (put) {
			size_t l = strlen(put);

			if (pos + l + 1 >= outlen)
				return -1;
			memcpy(out + pos, put, l);
			pos += l;
		} else {
			if (pos + 2 >= outlen)
				return -1;
			out[pos++] = *s;
		}
	}
	out[pos] = '\0';
	return 0;
}

/* Remembers item name s (normalised) once, of kind kind (ITEM_*): sized when it is
 * a full name that carries a size, singular or plural when made from the catalog's
 * other number (a name also seen plain is plain); -1 on allocation failure. */
static int add_item(struct builder *b, const char *s, unsigned kind)
{
	size_t before = b->seen.count;
	long id;

	if (!*s)
		return 0;
	if ((id = vocab_id(&b->seen, s, 1)) < 0)
		return -1;
	if (b->seen.count == before) {
		b->kind[id] &= (uint8_t)kind;
		return 0;
	}
	if (b->nitems == b->items_cap) {
		size_t cap = b->items_cap ? b->items_cap * 2 : 256;
		char **p = realloc(b->items, cap * sizeof *p);
		uint8_t *z = p ? realloc(b->kind, cap * sizeof *z) : NULL;

		if (p)
			b->items = p;
		if (!p || !z)
			return -1;
		b->kind = z;
		b->items_cap = cap;
	}
	if (!(b->items[b->nitems] = strdup(s)))
		return -1;
	b->kind[b->nitems] = (uint8_t)kind;
	b->nitems++;
	return 0;
}

static int is_function_word(const char *w)
{
	static const char *const fw[] = { "of", "and", "with", "for", "the", "a", "an", "in",
		"to", "by", "on", "or", "from", "plus" };

	for (size_t i = 0; i < COUNT(fw); i++)
		if (strcmp(w, fw[i]) == 0)
			return 1;
	return 0;
}

/* The other number of a word the dictionary knows: bananas <-> banana. */
static int other_number(const struct pron_dict *lex, const char *w, char *out, size_t outlen)
{
	size_t l = strlen(w);

	if (l < 3 || l + 3 >= outlen)
		return -1;
	if (l > 3 && strcmp(w + l - 3, "ies") == 0) {
		snprintf(out, outlen, "%.*sy", (int)(l - 3), w);
	} else if ((l > 5 && !strcmp(w + l - 3, "oes")) ||
		   (l > 4 && (!strcmp(w + l - 4, "ches") || !strcmp(w + l - 4, "shes") ||
			      !strcmp(w + l - 3, "xes") || !strcmp(w + l - 4, "sses")))) {
		/* tomatoes -> tomato (the dictionary also has "tomatoe"), peaches -> peach */
		snprintf(out, outlen, "%.*s", (int)(l - 2), w);
		if (!pron_dict_has(lex, out))
			snprintf(out, outlen, "%.*s", (int)(l - 1), w);
	} else if (w[l - 1] == 's' && w[l - 2] != 's') {
		snprintf(out, outlen, "%.*s", (int)(l - 1), w);
	} else if (w[l - 1] == 'y' && !strchr("aeiou", w[l - 2])) {
		snprintf(out, outlen, "%.*sies", (int)(l - 1), w);
	} else {
		snprintf(out, outlen, "%s%s", w, (w[l - 1] == 's' || w[l - 1] == 'h') ? "es" : "s");
	}
	return pron_dict_has(lex, out) ? 0 : -1;
}

/* Copies phrase into out without text in parentheses ("Bananas (each)", "Eggs
 * (dozen)", "Batteries (8 pack)"): how the product is sold, not what shoppers call
 * it.  A phrase that is all parentheses is kept whole. */
static void drop_parenthesised(const char *phrase, char *out, size_t outlen)
{
	size_t n = 0;
	int depth = 0, kept = 0;

	for (const char *s = phrase; *s && n + 1 < outlen; s++) {
		if (*s == '(' || *s == '[')
			depth++;
		else if ((*s == ')' || *s == ']') && depth > 0)
			depth--;
		else if (depth == 0) {
			out[n++] = *s;
			kept |= (unsigned char)*s > ' ';
		}
	}
	out[n] = '\0';
	if (!kept)
		snprintf(out, outlen, "%s", phrase);
}

/* The kind of a name made from word by other_number(): shorter is singular
 * ("apples" -> "apple"), longer plural ("milk" -> "milks"). */
static unsigned derived_kind(const char *word, const char *other)
{
	return strlen(other) < strlen(word) ? ITEM_SINGULAR : ITEM_PLURAL;
}

/* Adds a phrase's names: full, core, head noun(s), other number of the head. */
static int add_phrase_items(struct builder *b, const char *phrase, size_t *used)
{
	char full[NAME_LEN], core[NAME_LEN], tmp[NAME_LEN + 80], other[64], *last, *prev;
	const char *head;
	unsigned kcat = 0, kother = 0;
	int words, has_other;

	drop_parenthesised(phrase, tmp, sizeof tmp);
	words = pron_normalize(tmp, full, sizeof full, core, sizeof core);

	if (words == 0)
		return 0;
	(*used)++;
	last = strrchr(core, ' ');
	head = last ? last + 1 : core;
	has_other = *core && other_number(b->lex, head, other, sizeof other) == 0;
	if (has_other) {
		/* the other number made up is said only where it agrees; a plural in the
		 * catalog ("Gala Apples") is not said after "a" either, but a singular
		 * ("Oat Milk") may be a mass noun and is said with any number */
		kother = derived_kind(head, other);
		kcat = kother == ITEM_SINGULAR ? ITEM_PLURAL : 0;
	}
	if (add_item(b, full, strcmp(full, core) != 0 ? ITEM_SIZED : kcat) || add_item(b, core, kcat))
		return -1;
	if (!*core)
		return 0;
	if (!last)
		return has_other ? add_item(b, other, kother) : 0;
	if (!is_function_word(head) && add_item(b, head, kcat))
		return -1;
	*last = '\0';
	prev = strrchr(core, ' '); /* the word before the head, when core has 3+ words */
	if (prev && !is_function_word(prev + 1)) {
		snprintf(tmp, sizeof tmp, "%s %s", prev + 1, last + 1);
		if (add_item(b, tmp, kcat)) {
			*last = ' ';
			return -1;
		}
	}
	*last = ' ';
	if (has_other) {
		snprintf(tmp, sizeof tmp, "%.*s%s", (int)(last + 1 - core), core, other);
		if (add_item(b, tmp, kother) || add_item(b, other, kother))
			return -1;
	}
	return 0;
}

/* The quantity at position pos of a cycle in which each quantity appears weight
 * times, spread out: so template after template, item after item, the quantities
 * come out in proportion to their weights. */
static const char *qty_at(size_t pos)
{
	static size_t total;
	size_t i;

	if (!total)
		for (i = 0; i < COUNT(quantities); i++)
			total += quantities[i].weight;
	pos = (pos * 7919) % total; /* a prime stride scatters the runs */
	for (i = 0; pos >= quantities[i].weight; i++)
		pos -= quantities[i].weight;
	return quantities[i].words;
}

static int generate(struct builder *b, const char *const *phrases, size_t n, size_t *used)
{
	char s[NAME_LEN * 2];
	size_t total, stride, k, t, item_sentences = 0;
	uint32_t weight;

	for (size_t i = 0; i < n; i++)
		if (phrases[i] && add_phrase_items(b, phrases[i], used))
			return -1;
	total = b->nitems * COUNT(item_templates);
	stride = total / ITEM_SENTENCE_BUDGET + 1;
	for (k = 0; k < b->nitems; k++) {
		for (t = 0; t < COUNT(item_templates); t++) {
			if ((k + t * 7) % stride != 0)
				continue;
			/* A full name with its size is said now and then, not as often as the
			 * name: in a quarter of the templates. */
			if ((b->kind[k] & ITEM_SIZED) && (k + t) % 4 != 0)
				continue;
			if (expand(b->lex, item_templates[t], b->items[k], b->kind[k],
				   qty_at(k * COUNT(item_templates) + t),
				   prices[(k * 3 + t) % COUNT(prices)], s, sizeof s) == 0) {
				if (add_sentence(b, s, 1))
					return -1;
				item_sentences++;
			}
		}
	}
	/* Every item after the numbers one to twelve and "a", weighted as shoppers say
	 * them, so "add two X" is likely for all X and more likely than "add ten X";
	 * and as often as it ends there, the sentence goes on with a carrier ("to my
	 * cart", "in my cart", "please"), so that after "two bananas" those words
	 * are likely rather than left to the back-off (where brand and product words
	 * are frequent).  Full names with a size ("gala apples three pounds bag") are
	 * left out: nobody asks for two of those.  A name said with only some of the
	 * numbers ("a gala apple", "two gala apples") gets the others' weight spread
	 * over the ones it agrees with, so each name keeps its share of the corpus. */
	for (k = 0; k < b->nitems && b->nitems * 13 <= ITEM_SENTENCE_BUDGET; k++) {
		unsigned all = 0, agree = 0;

		if (b->kind[k] & ITEM_SIZED)
			continue;
		for (t = 0; t < 13; t++) {
			all += (quantities[t].weight + 1) / 2;
			if (expand(b->lex, "{n} {i}", b->items[k], b->kind[k], quantities[t].words, "", s,
				   sizeof s) == 0)
				agree += (quantities[t].weight + 1) / 2;
		}
		if (!agree)
			continue;
		for (t = 0; t < 13; t++) {
			unsigned base = ((quantities[t].weight + 1) / 2 * all + agree / 2) / agree;

			for (size_t f = 0; f < COUNT(qty_frames); f++) {
				uint32_t w = (base * qty_frames[f].share + 3) / 4;

				if (expand(b->lex, qty_frames[f].tmpl, b->items[k], b->kind[k],
					   quantities[t].words, "", s, sizeof s) != 0)
					continue;
				if (add_sentence(b, s, w))
					return -1;
				item_sentences += f == 0;
			}
		}
	}
	/* Commands on their own make up about a third of the corpus. */
	weight = (uint32_t)(item_sentences / (2 * COUNT(commands) * 4) + 1);
	for (t = 0; t < COUNT(commands); t++) {
		int has_n = strstr(commands[t], "{n}") != NULL, has_p = strstr(commands[t], "{p}") != NULL;
		size_t variants = has_n ? NUMBER_COUNT : has_p ? COUNT(prices) : 1;

		for (k = 0; k < variants; k++) {
			const struct qty *q = &quantities[NUMBER_FIRST + k];
			uint32_t w = has_n ? (weight / 16 + 1) * q->weight : has_p ? weight / 4 + 1 : weight;

			if (expand(b->lex, commands[t], "", 0, q->words, prices[k], s, sizeof s) == 0 &&
			    add_sentence(b, s, w))
				return -1;
		}
	}
	return 0;
}

/* ---- estimation and output ---- */

struct ngram {
	uint64_t key;
	uint32_t count;
	double p, bow; /* probability; back-off weight (1 when none) */
};

static int by_key(const void *a, const void *b)
{
	uint64_t x = ((const struct ngram *)a)->key, y = ((const struct ngram *)b)->key;

	return x < y ? -1 : x > y;
}

static struct ngram *sorted(const struct counts *c)
{
	struct ngram *a = malloc((c->used ? c->used : 1) * sizeof *a);
	size_t n = 0;

	if (!a)
		return NULL;
	for (size_t i = 0; i < c->cap; i++)
		if (c->keys[i])
			a[n++] = (struct ngram){ c->keys[i], c->vals[i], 0.0, 1.0 };
	qsort(a, n, sizeof *a, by_key);
	return a;
}

static struct ngram *find(struct ngram *a, size_t n, uint64_t key)
{
	struct ngram k = { .key = key };

	return bsearch(&k, a, n, sizeof *a, by_key);
}

/* Interpolated Witten-Bell over groups of n-grams sharing a history (sorted a):
 * lower(i) is the lower-order probability of a[i]'s last word given the rest. */
static void witten_bell(struct ngram *a, size_t n, double (*lower)(void *, uint64_t), void *ctx,
			double *hist_bow, struct ngram *hist, size_t nhist)
{
	for (size_t i = 0; i < n;) {
		uint64_t h = a[i].key >> ID_BITS;
		size_t j = i;
		double c = 0, t;

		while (j < n && a[j].key >> ID_BITS == h)
			c += a[j++].count;
		t = (double)(j - i);
		for (size_t k = i; k < j; k++)
			a[k].p = (a[k].count + t * lower(ctx, a[k].key)) / (c + t);
		if (hist_bow) {
			hist_bow[h] = t / (c + t);
		} else {
			struct ngram *g = find(hist, nhist, h);

			if (g)
				g->bow = t / (c + t);
		}
		i = j;
	}
}

struct model {
	double *p1, *bow1;
	struct ngram *bi, *tri;
	size_t nbi, ntri, nvoc;
};

static double lower_uni(void *ctx, uint64_t key)
{
	return ((struct model *)ctx)->p1[key & ID_MASK];
}

static double lower_bi(void *ctx, uint64_t key)
{
	struct model *m = ctx;
	struct ngram *g = find(m->bi, m->nbi, key & (((uint64_t)1 << (2 * ID_BITS)) - 1));

	return g ? g->p : m->p1[key & ID_MASK]; /* always found: every trigram has its bigram */
}

static int estimate(struct builder *b, struct model *m)
{
	double total = 0;

	m->nvoc = b->voc.count;
	m->p1 = calloc(m->nvoc, sizeof *m->p1);
	m->bow1 = calloc(m->nvoc, sizeof *m->bow1);
	m->bi = sorted(&b->ng[1]);
	m->tri = sorted(&b->ng[2]);
	if (!m->p1 || !m->bow1 || !m->bi || !m->tri)
		return -1;
	m->nbi = b->ng[1].used;
	m->ntri = b->ng[2].used;
	for (size_t i = 0; i < b->ng[0].cap; i++) {
		if (b->ng[0].keys[i]) {
			m->p1[b->ng[0].keys[i]] = b->ng[0].vals[i];
			total += b->ng[0].vals[i];
		}
	}
	for (size_t id = 1; id < m->nvoc; id++)
		m->p1[id] = (m->p1[id] + 1.0) / (total + (double)(m->nvoc - 1));
	for (size_t id = 0; id < m->nvoc; id++)
		m->bow1[id] = 1.0;
	witten_bell(m->bi, m->nbi, lower_uni, m, m->bow1, NULL, 0);
	witten_bell(m->tri, m->ntri, lower_bi, m, NULL, m->bi, m->nbi);
	return 0;
}

static void model_free(struct model *m)
{
	free(m->p1);
	free(m->bow1);
	free(m->bi);
	free(m->tri);
}

static const char *word_of(const struct builder *b, uint64_t id)
{
	return id == 0 ? "<s>" : id == 1 ? "</s>" : b->voc.words[id];
}

static int write_arpa(FILE *f, const struct builder *b, const struct model *m)
{
	fprintf(f, "# voxcart catalog language model: interpolated Witten-Bell trigrams\n"
		   "\\data\\\nngram 1=%zu\nngram 2=%zu\nngram 3=%zu\n\n\\1-grams:\n",
		m->nvoc, m->nbi, m->ntri);
	for (size_t id = 0; id < m->nvoc; id++)
		fprintf(f, "%.6f %s %.6f\n", id == 0 ? -99.0 : log10(m->p1[id]), word_of(b, id),
			log10(m->bow1[id]));
	fprintf(f, "\n\\2-grams:\n");
	for (size_t i = 0; i < m->nbi; i++) {
		uint64_t k = m->bi[i].key;

		fprintf(f, "%.6f %s %s", log10(m->bi[i].p), word_of(b, k >> ID_BITS), word_of(b, k & ID_MASK));
		if (m->bi[i].bow != 1.0)
			fprintf(f, " %.6f", log10(m->bi[i].bow));
		fputc('\n', f);
	}
	fprintf(f, "\n\\3-grams:\n");
	for (size_t i = 0; i < m->ntri; i++) {
		uint64_t k = m->tri[i].key;

		fprintf(f, "%.6f %s %s %s\n", log10(m->tri[i].p), word_of(b, k >> (2 * ID_BITS)),
			word_of(b, (k >> ID_BITS) & ID_MASK), word_of(b, k & ID_MASK));
	}
	fprintf(f, "\n\\end\\\n");
	return ferror(f) ? -1 : 0;
}

static int write_dict(FILE *f, const struct builder *b, size_t *guessed)
{
	for (size_t id = 2; id < b->voc.count; id++) {
		int g = 0;

		if (pron_dict_write(b->lex, f, b->voc.words[id], &g) < 1)
			return -1;
		*guessed += (size_t)g;
	}
	return ferror(f) ? -1 : 0;
}

/* Writes dir/name through a temporary file in dir and a rename. */
static int write_file(const char *dir, const char *name, int (*fn)(FILE *, const void *, void *),
		      const void *a, void *c, char *err, size_t errlen)
{
	char path[4096], tmp[4200];
	FILE *f;
	int rc;

	int fd;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	snprintf(tmp, sizeof tmp, "%s.XXXXXX", path);
	fd = mkstemp(tmp); /* a unique name: concurrent builds into one dir cannot clash */
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			remove(tmp);
		}
		return -1;
	}
	fchmod(fd, 0644);
	rc = fn(f, a, c);
	if (fclose(f) != 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -1;
	if (rc != 0) {
		snprintf(err, errlen, "%s: cannot write (%s)", path, strerror(errno));
		remove(tmp);
	}
	return rc;
}

struct out_ctx {
	const struct builder *b;
	const struct model *m;
};

static int arpa_fn(FILE *f, const void *a, void *c)
{
	const struct out_ctx *o = a;

	(void)c;
	return write_arpa(f, o->b, o->m);
}

static int names_fn(FILE *f, const void *a, void *c)
{
	const struct builder *b = ((const struct out_ctx *)a)->b;

	(void)c;
	for (size_t i = 0; i < b->nitems; i++)
		if (fprintf(f, "%s\n", b->items[i]) < 0)
			return -1;
	return ferror(f) ? -1 : 0;
}

static int dict_fn(FILE *f, const void *a, void *c)
{
	return write_dict(f, ((const struct out_ctx *)a)->b, c);
}

int lm_build_stats(const char *const *phrases, size_t n, const char *dict_path,
		   const char *out_dir, struct lm_stats *stats, char *err, size_t errlen)
{
	struct builder b;
	struct model m;
	struct lm_stats st;
	struct out_ctx o = { &b, &m };
	int rc = -1;

	memset(&b, 0, sizeof b);
	memset(&m, 0, sizeof m);
	memset(&st, 0, sizeof st);
	if (!out_dir || !dict_path || (n && !phrases)) {
		snprintf(err, errlen, "bad arguments");
		return -1;
	}
	if (!(b.lex = pron_dict_load(dict_path, err, errlen)))
		return -1;
	if (vocab_id(&b.voc, "<s>", 1) != 0 || vocab_id(&b.voc, "</s>", 1) != 1 ||
	    generate(&b, phrases, n, &st.phrases) != 0 || estimate(&b, &m) != 0) {
		snprintf(err, errlen, "out of memory building the language model");
		goto out;
	}
	/* the names first: a decoder that sees the new model finds its names */
	if (write_file(out_dir, LM_NAMES, names_fn, &o, NULL, err, errlen) != 0 ||
	    write_file(out_dir, LM_FILE, arpa_fn, &o, NULL, err, errlen) != 0 ||
	    write_file(out_dir, LM_DICT, dict_fn, &o, &st.guessed, err, errlen) != 0)
		goto out;
	st.sentences = b.sentences;
	st.words = b.voc.count - 2;
	st.ngrams[0] = m.nvoc;
	st.ngrams[1] = m.nbi;
	st.ngrams[2] = m.ntri;
	rc = 0;
out:
	if (stats)
		*stats = st;
	model_free(&m);
	builder_free(&b);
	return rc;
}

int lm_build(const char *const *phrases, size_t n, const char *dict_path, const char *out_dir,
	     char *err, size_t errlen)
{
	return lm_build_stats(phrases, n, dict_path, out_dir, NULL, err, errlen);
}
