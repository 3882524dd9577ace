/*
 * needs.h - the shopper's constraints and needs, read from what they said, and
 * checked against what products say about themselves.
 *
 * The table (needs.def) holds facets (dairy, caffeine, nuts...: which product
 * words mean a product has one, which say it is free of it) and needs (situations
 * and what follows from them: "trouble sleeping" -> no caffeine, "dry off" -> a
 * towel).  needs_read() finds the phrases in an utterance ("nothing with dairy", "nut
 * free", "I'm lactose intolerant", "for my drip machine"), takes them out of the
 * text the rest of the engine parses, and gives them as a frame; every search and
 * every choice of a product then keeps to the frame (needs_allows) and prefers what
 * fits the need best (needs_prefers).  Any catalog: only product text is compared.
 * A budget is a constraint too: "I've only got 20 dollars" is read into the frame
 * (and kept by the dialogue), "how much will I have left?" is a question about it.
 */
#ifndef VOXCART_BUDDY_NEEDS_H
#define VOXCART_BUDDY_NEEDS_H

#include <cJSON.h>
#include <stddef.h>
#include <stdint.h>

#define NEEDS_MAX_LIST 6
#define NEEDS_PHRASE_LEN 48

struct needs_frame {
	unsigned excl;		/* facet bits the product must be free of */
	unsigned req;		/* facet bits the product must have ("caffeinated") */
	int nprefer;		/* words a product that fits best says ("waterproof") */
	char prefer[NEEDS_MAX_LIST][NEEDS_PHRASE_LEN];
	int nproduct;		/* what to look for when the shopper named nothing */
	char product[NEEDS_MAX_LIST][NEEDS_PHRASE_LEN];
	int64_t budget;		/* "I've got 20 dollars", "will fifty cover it": cents, or 0 */
	int budget_ask;		/* "how much will I have left?", "am I over?" */
	int lack;		/* a thing named ran out, broke or wore out ("the shampoo is
				 * empty", "not a grain of rice left"): the shopper needs it */
};

/* Reads the constraint and need phrases of `text` (any bytes, may be NULL) into f
 * and writes the rest of the utterance, as words with its pauses, into rest.
 * Returns 1 when a phrase was found (rest then differs from the words of text),
 * else 0 (f is empty, rest is text's words).  Thread-safe. */
int needs_read(const char *text, struct needs_frame *f, char *rest, size_t len);

/* needs_read() with the catalog's words: known(ctx, w) is 1 when the catalog names w;
 * a need phrase the catalog knows every word of is then left as said. */
int needs_read_known(const char *text, int (*known)(void *ctx, const char *w), void *ctx,
		  struct needs_frame *f, char *rest, size_t len);

/* 1 when f holds no constraint, preference or product. */
int needs_empty(const struct needs_frame *f);

/* 1 when product p (title, tags, description) keeps to f's excl and req. */
int needs_allows(const struct needs_frame *f, const cJSON *p);

/* 1 when p says it is free of one of f's excluded facets ("No Pulp"), not only
 * silent about it. */
int needs_says_free(const struct needs_frame *f, const cJSON *p);

/* What product p says of `phrase` (a word or two a shopper uses to describe it: "nuts",
 * "seeds", "cow milk", "tubes"): 2 when the words name a facet p has (almond milk has
 * nuts); 1 when its title, tags or description say the words; -1 when it says it is
 * without them ("nut free", "no pulp"); 0 when it is silent.  For telling cart lines
 * apart by description. */
int needs_word_says(const cJSON *p, const char *phrase);

/* How many of f's preferred phrases p says (title, tags, description). */
int needs_prefers(const struct needs_frame *f, const cJSON *p);

/* 1 when word w is one of f's preferred words (a description, "ground", not a
 * product named). */
int needs_describes(const struct needs_frame *f, const char *w);

/* The name of the first facet p breaks f with ("nuts"), *has set to 1 when p has it
 * and must not, 0 when p lacks one it must have; NULL when p keeps to f. */
const char *needs_breaks(const struct needs_frame *f, const cJSON *p, int *has);

/* " without dairy or nuts", " that are caffeinated", or "" for the reply. */
void needs_phrase(const struct needs_frame *f, char *out, size_t len);

/* Filters the JSON array of products in place: drops what f does not allow and,
 * when some say a preferred phrase, those that do not.  Returns how many were
 * dropped.  Keeps the order. */
int needs_filter(const struct needs_frame *f, cJSON *items);

/* An indirect request: the shopper asks for a thing without naming it ("something to
 * drink my coffee out of", "the little plug thing I charge it with cracked", "every
 * pair I own has a hole in the heel").  Its content words, weighted 2 in the function
 * phrase ("something to ...", "the ... thing ...") and in the object of a lack ("my
 * last cup" of "my last cup smashed"), else 1. */
#define NEEDS_CUE_WORDS 24
struct needs_cue {
	int n;
	char w[NEEDS_CUE_WORDS][32];
	int weight[NEEDS_CUE_WORDS];
	unsigned char object[NEEDS_CUE_WORDS];	/* 1: said of the thing that broke or ran out */
	int frame;		/* "something to/for/that...", "the ... thing" */
	int lack;		/* a lack phrase, whatever the catalog knows */
	int ask;		/* put as a question ("is there something...?") */
	int want;		/* "need", "want", "get me", "a new one" */
};

/* Reads the cue of an indirect request in text into c; 1 when there is one (a frame
 * or a lack, and content words), else 0.  Thread-safe. */
int needs_cue_read(const char *text, struct needs_cue *c);

#endif
