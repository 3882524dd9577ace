/*
 * knowledge.h - what words mean, from WordNet: the buddy's knowledge beyond the catalog.
 *
 * The catalog only knows its own words.  A shopper says "crisps" for chips,
 * "courgette" for zucchini, "jumper" for a pullover, "wholemeal" for whole wheat,
 * or words that name no product at all ("allergy", "everywhere", "flat").  This
 * module reads the WordNet 3.0 database (Debian's wordnet-base, /usr/share/wordnet,
 * or the folder in VOXCART_WORDNET) to answer two questions about such a word:
 *
 *   know_related(): which catalog words mean the same thing or a kind of it
 *     (synonyms, narrower kinds a step or two down), or a broader kind of it (for
 *     alternatives when the catalog lacks it), with weights below 1: a direct
 *     catalog word always wins over these;
 *   know_kind(): whether the word names a thing one could buy (a food, an object,
 *     a plant, a substance, an animal) or something else (a verb, an adverb, an
 *     abstract noun like "allergy").
 *
 * The files are memory-mapped read-only on first use and searched in place (the
 * index files are sorted, the data files are addressed by byte offset), so there is
 * no load time and the pages are shared with the page cache.  Without the files
 * every function answers "unknown" and the engine works as before (logged once).
 * Thread-safe: the mapping is made once and never written.
 */
#ifndef VOXCART_BUDDY_KNOWLEDGE_H
#define VOXCART_BUDDY_KNOWLEDGE_H

#include <stddef.h>

#define KNOW_PHRASE_LEN 64

/* How a related word stands to the one asked about. */
enum know_rel {
	KNOW_SAME = 1,		/* the same thing: "crisp" -> "chip" */
	KNOW_NARROWER = 2,	/* a kind of it: "sweater" -> "pullover" */
	KNOW_BROADER = 4,	/* what it is a kind of, and its sister kinds: "mango" -> "fruit" */
	KNOW_ADJ = 8,		/* with KNOW_SAME: adjectives too ("wholemeal" -> "whole wheat") */
};

struct know_hit {
	char words[KNOW_PHRASE_LEN];	/* catalog words, space-separated ("potato chip") */
	double weight;			/* 0..0.9: how surely the word means this */
	enum know_rel rel;
};

/* 1 when `word` is a word of the catalog (its caller's idea: exact or same stem). */
typedef int (*know_known_fn)(void *ctx, const char *word);

/* The catalog's words for know_vocab_has() (a know_known_fn): found by binary search
 * when sorted, else one by one; a word is known as said or in its plural or singular
 * form.  The words must outlive it. */
struct know_vocab {
	const char *const *words;
	size_t n;
	int sorted;
};
void know_vocab_init(struct know_vocab *kv, const char *const *words, size_t n);
int know_vocab_has(void *kv, const char *word);

/* 1 when the WordNet files could be mapped (maps them on the first call). */
int know_available(void);

/* Catalog words related to `phrase` (one word or two, lowercase, space-separated) by
 * the relations in `rels` (KNOW_* bits), best first, at most max.  Only words for
 * which known() says yes are returned (each word of a several-word name).  Returns
 * how many; 0 when WordNet is missing or knows nothing useful. */
int know_related(const char *phrase, unsigned rels, know_known_fn known, void *ctx,
		 struct know_hit *out, int max);

enum know_kind {
	KNOW_UNKNOWN,		/* WordNet does not have the word (a brand, a typo, a name) */
	KNOW_THING,		/* mostly a noun for something tangible: "beef", "cup", "skewer" */
	KNOW_OTHER,		/* mostly a verb, an adjective, an adverb or an abstract noun */
};

/* What kind of word `word` is (lowercase, any inflection: "keeps", "alternatives"). */
enum know_kind know_kind(const char *word);

/* The catalog words to search for a word the catalog lacks (`prev`, the word said
 * before it, or NULL, tried with it first: "coffee cup"): those of the surest thing
 * that is the same as it or a kind of it, when sure enough; words that name nothing
 * ("with", "plain") are left out.  `head`: the word is the noun asked for (then an
 * adjective's synonyms are not taken: they describe, they name nothing).  `words` are the vocabulary (n of them).  Fills
 * out[0..] with the head word last; returns how many (0: nothing).  Answers are
 * remembered per thread for the same vocabulary. */
int know_query_words(const char *const *words, size_t n, const char *prev, const char *word,
		     int head, char out[][32], int max);

/* Broader kinds of `word` the catalog has, surest first ("mango" -> "fruit"), for
 * alternatives; like know_query_words() otherwise. */
int know_broader_words(const char *const *words, size_t n, const char *word, char out[][32], int max);

/* What the thing `word` names is, in words: the synonyms and definition of its first
 * senses that are things, and of what each is a kind of ("mug" -> "... drinking vessel
 * a vessel intended for drinking"), lowercase, into out.  Returns the senses described
 * (0: none, out empty).  For reading a product by what it is for. */
int know_describe(const char *word, char *out, size_t len);

/* For tests: use the WordNet files in `dir` instead (NULL: the default), dropping
 * any mapping made before.  Not thread-safe; call before any other function. */
void know_set_dir(const char *dir);

#endif
