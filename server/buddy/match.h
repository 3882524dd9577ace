/*
 * match.h - fuzzy product matching: which products did the shopper mean?
 *
 * Words are compared after plural stemming ("bananas" = "banana", "berries" =
 * "berry") and with typo tolerance (edit distance with transpositions, plus a rough
 * sound key so "kofee" finds "coffee").  A product's score is how much of the query
 * it covers (title words count most, then tags and category, then the description),
 * plus a little for covering its own title and for matching its head noun, so
 * "bananas" prefers "Organic Bananas" to "Banana Bread".  Word order never matters.
 */
#ifndef VOXCART_BUDDY_MATCH_H
#define VOXCART_BUDDY_MATCH_H

#include <cJSON.h>
#include <stddef.h>

#include "buddy/text.h"

#define MATCH_MAX_WORDS 12

/* Words as the buddy will search and score them. */
struct match_query {
	int n;
	char w[MATCH_MAX_WORDS][TEXT_WORD_LEN];
	/* 1.0 for a word that must match; less for words that only help (units, "fresh") */
	double weight[MATCH_MAX_WORDS];
};

/* Each vocabulary word's stem and sound key, worked out once per vocabulary
 * (match_index_build) so typo correction does not redo them for every comparison,
 * plus the answers match_correct() already gave.  Thread-safe; opaque. */
struct match_index;

struct match_vocab {
	const char *const *words;
	size_t nwords;
	const char *const *categories;
	size_t ncategories;
	/* optional: built from exactly these words; NULL compares the slow way (same answers) */
	const struct match_index *index;
};

/* The index of n words (which must outlive it), or NULL when out of memory. */
struct match_index *match_index_build(const char *const *words, size_t n);
void match_index_free(struct match_index *ix);

struct match_cand {
	const cJSON *product;	/* borrowed from the array given to match_rank */
	double score;		/* 0..1.25 */
	double coverage;	/* 0..1: share of the query's weight that matched */
};

/* Singular form of a word ("boxes" -> "box", "berries" -> "berry", "glass" stays). */
void match_stem(const char *w, char *out, size_t len);

/* Edit distance with adjacent transpositions; any value above max is returned as max+1. */
int match_edit_distance(const char *a, const char *b, int max);

/* How alike two words are: 1 equal or same stem, 0.85 prefix, 0.7/0.5 for typos,
 * 0 unrelated. */
double match_word_similarity(const char *user, const char *known);

/* The vocabulary word the shopper most likely meant by `word`: out gets it, *cost is
 * 0 exact/stem, 1 or 2 for a typo.  Returns 1 when found, 0 when the word is unknown.
 * Words split by a recogniser ("head phones") are match_join()'s job. */
int match_correct(const struct match_vocab *v, const char *word, char *out, size_t len, int *cost);

/* 1 when "a"+"b" written together is a vocabulary word ("head phones"); fills out. */
int match_join(const struct match_vocab *v, const char *a, const char *b, char *out, size_t len);

/* Index of the category `word` names (stem and typo tolerant), or -1. */
int match_category(const struct match_vocab *v, const char *word);

/* Scores one product (any object with "title", optional "category", "tags",
 * "description") against q. */
double match_score(const struct match_query *q, const cJSON *product, double *coverage);

/* 1 when the product's title or tags name `word` as present (not "No Pulp",
 * "dairy free"). */
int match_mentions(const cJSON *product, const char *word);
/* 1 when a word of the product's title has w's stem ("apples" for "Gala Apples");
 * with as_is, only when it is also as long as w ("chips" of the potato chips, not of
 * the chocolate chip cookies). */
int match_title_word(const cJSON *product, const char *w, int as_is);

/* How many of the n words said the product's title, description and tags hold, as
 * said, by stem, as the start of a longer word ("sour" of "sourdough") or a part of
 * a model code ("xm" of "WH-1000XM5"): for telling apart products a shopper half
 * remembers ("the bread that tastes a bit sour, with the hard crust"). */
int match_said_fit(const cJSON *product, const char (*said)[TEXT_WORD_LEN], int n);

/* 1 when the product says it is without `word` ("Caffeine-free", "No Pulp", a
 * "dairy free" tag) in its title, tags or description. */
int match_says_free(const cJSON *product, const char *word);

/* 1 when the title holds the size num+unit ("64 oz", "12 pack"); unit normalised as
 * lex_size_unit() gives it. */
int match_has_size(const cJSON *product, const char *num, const char *unit);

/* How surely a product IS what the query names (for "the cheapest coffee"): 2 when
 * its title holds every required word and the last one is its head noun or one of
 * its one-word tags (coffee beans are coffee, a coffee mug is a mug), 1 when the
 * title holds the words, 0 otherwise. */
int match_kind_level(const cJSON *product, const struct match_query *q);

/* Scores every object in the array `items`, drops those that match nothing, sorts
 * the rest best first into out (at most max).  Returns how many. */
int match_rank(const struct match_query *q, const cJSON *items, struct match_cand *out, int max);

/* How many leading candidates are too close to tell apart (1: a clear winner). */
int match_tied(const struct match_cand *c, int n);

/* A short name that tells `product` apart from the others ("Sony", "Dark Roast"),
 * skipping words of q.  Falls back to the title. */
void match_distinguish(const cJSON *product, const cJSON *const *others, int nothers,
		       const struct match_query *q, char *out, size_t len);

#endif
