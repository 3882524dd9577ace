/*
 * numbers.h - quantities and ordinals as shoppers say them.
 *
 * Cardinals: digits ("12", "2x", "x3"), words ("two", "twenty one", "a hundred and
 * five"), and shop talk ("a dozen", "half a dozen", "a couple of", "a few", "a pair
 * of").  Ordinals: "first".."twentieth", "1st", "the last one", "second to last",
 * "number three", "option two".  Parsers read words [i, end) of a text_words and
 * return how many words they used (0: nothing there); they never read past end.
 */
#ifndef VOXCART_BUDDY_NUMBERS_H
#define VOXCART_BUDDY_NUMBERS_H

#include "buddy/text.h"

/* Largest value num_parse() returns; bigger numbers are clamped to it. */
#define NUM_MAX 1000000000L

/* A cardinal at word i.  "a"/"an" alone are not numbers here (the caller decides
 * what an article means); "a dozen", "a couple of" are.  A trailing "of" after
 * "couple", "few", "pair", "dozen" is taken too. */
int num_parse(const struct text_words *t, int i, int end, long *value);

/* 1 when a number at word i counts the choices rather than what to buy: "the cheaper
 * of the two", "one of those three", "either of them two". */
int num_counts_choices(const struct text_words *t, int i);

/* A cardinal written as one word ("7", "seven", "2x"), or -1. */
long num_word(const char *w);

/* An ordinal at word i: *index is 0-based from the start, or negative from the end
 * (-1 the last, -2 the one before).  Takes a leading "the" and a trailing "one". */
int num_parse_ordinal(const struct text_words *t, int i, int end, int *index);

/* Writes n (0..999999999) in words: 21 -> "twenty one". */
void num_to_words(long n, char *out, size_t len);

#endif
