/*
 * terms.h - what shoppers call things, as data: everyday, regional and shop-floor
 * names (server/buddy/terms.def) and the catalog words they stand for.
 *
 * A shopper says "full fat milk" for whole milk, "semi-skimmed" for reduced fat,
 * "builder's tea" for a strong black breakfast tea, "tin foil" for aluminum foil,
 * "OJ" for orange juice.  WordNet (knowledge.c) knows many single words ("crisps",
 * "courgette"); the table fills what it lacks: phrases, shop words and brand-like
 * names.  Nothing in it names a product of one catalog: a rewrite is used only when
 * the catalog has every word of the name it gives, and a name the catalog speaks
 * itself (every word of it is a catalog word: "chips" where chips are sold) is left
 * as said.
 * The table is read once (thread-safe) and indexed by its first word.
 */
#ifndef VOXCART_BUDDY_TERMS_H
#define VOXCART_BUDDY_TERMS_H

#include "buddy/text.h"

/* 1 when the catalog spells `word` this way (exact or plural/singular). */
typedef int (*terms_known_fn)(void *ctx, const char *word);

/* Rewrites the n words of `in` (as text_split() gives them) by the table, longest
 * name first: each name found whose catalog words are all known() is replaced by
 * them.  out gets at most max words, from[j] the index in `in` of the word out[j]
 * stands for.  Returns how many words out holds (n and the same words when nothing
 * applies; words beyond max are dropped). */
int terms_rewrite(const char (*in)[TEXT_WORD_LEN], int n, terms_known_fn known, void *ctx,
		  char (*out)[TEXT_WORD_LEN], int *from, int max);

/* The other word of a two-way pair of one-word names ("crisps" <-> "chips",
 * "cookie" <-> "biscuit"), or NULL. */
const char *terms_synonym(const char *w);

/* How many names the table holds (for tests). */
int terms_count(void);

#endif
