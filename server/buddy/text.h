/*
 * text.h - turns what a shopper said or typed into a fixed array of lowercase words.
 *
 * Everything the buddy understands starts here.  The splitter never fails and never
 * allocates: input of any length or encoding gives at most TEXT_MAX_WORDS words of at
 * most TEXT_WORD_LEN-1 ASCII bytes each (longer words are cut).  Invariants of the
 * result: every word is non-empty, holds only [a-z0-9.] and is NUL-terminated.
 */
#ifndef VOXCART_BUDDY_TEXT_H
#define VOXCART_BUDDY_TEXT_H

#include <stddef.h>

#define TEXT_MAX_WORDS 96
#define TEXT_WORD_LEN 32
/* Only this many bytes of an utterance are read; nobody says more in one turn. */
#define TEXT_MAX_INPUT 4096

struct text_words {
	int n;
	char w[TEXT_MAX_WORDS][TEXT_WORD_LEN];
	/* brk[i]: punctuation after word i: 1 for , ; (a pause), 2 for . ! ? (a sentence end),
	 * 3 for : (a pause before a list or a detail). */
	unsigned char brk[TEXT_MAX_WORDS];
};

/* Splits `in` (may be NULL, any bytes) into words: lowercases, folds common accented
 * letters to ASCII, expands contractions ("what's" -> "what is", "dont" -> "do not"),
 * turns "$5" into "5 dollars", "&" into "and", "2%" into "2 percent", "1,000" into "1000",
 * keeps "12.99". */
void text_split(const char *in, struct text_words *out);

/* 1 when word i exists and equals `word`. */
int text_is(const struct text_words *t, int i, const char *word);

/* Number of words matched when the space-separated `phrase` starts at word i and ends
 * before `end`, else 0. */
int text_match(const struct text_words *t, int i, int end, const char *phrase);

/* Removes `count` words at i (brk flags move with their words). */
void text_delete(struct text_words *t, int i, int count);

/* Joins words [from, to) with single spaces into out (always terminated). */
void text_join(const struct text_words *t, int from, int to, char *out, size_t len);

/* 1 when every byte of w is a digit (and w is non-empty). */
int text_is_digits(const char *w);

#endif
