/*
 * lm.h - builds the recogniser's language model from the server's own catalog.
 *
 * The stock en-us model knows nothing of shopping ("add two bananas to my cart"
 * comes out as "on two on the dot"), so the server writes its own: a trigram ARPA
 * model with interpolated Witten-Bell smoothing, trained on
 *   - the phrases given (product titles, categories, brands), normalised by
 *     pron_normalize() (lowercase, digits spelled out, punctuation removed), plus
 *     short forms of each (without sizes: "whole milk"; its head noun "milk"; the
 *     singular or plural of the last word when the dictionary knows it);
 *   - generated command phrasing around those names ("add two ... to my cart",
 *     "do you have ...", "remove the ...", "show me ... under twenty dollars") and on
 *     its own ("what's in my cart", "check out", "yes", "make it three", ...).
 * Next to it goes a pronunciation dictionary holding exactly the model's words:
 * CMU dictionary pronunciations, or for words it lacks a guessed one (see
 * pron.h), so brand names are kept rather than dropped.
 *
 * lm_build() only reads its inputs and writes two files (each written to a unique
 * temporary name and renamed, so a decoder loading them never sees half a file); it keeps no
 * state and may run on any thread.
 */
#ifndef VOXCART_LM_H
#define VOXCART_LM_H

#include <stddef.h>

#define LM_FILE   "voxcart.lm"   /* ARPA language model, in out_dir */
#define LM_DICT   "voxcart.dic"  /* pronunciation dictionary, in out_dir */
#define LM_NAMES  "voxcart.names" /* the item names the model was built with, one a line */

struct lm_stats {
	size_t phrases;     /* phrases given that produced at least one word */
	size_t sentences;   /* training sentences generated */
	size_t words;       /* vocabulary size (without <s> and </s>) */
	size_t guessed;     /* words whose pronunciation was made up */
	size_t ngrams[3];   /* unigrams, bigrams, trigrams written */
};

/* Builds out_dir/LM_NAMES, out_dir/LM_FILE and out_dir/LM_DICT (out_dir must exist) from n phrases,
 * using the CMU dictionary at dict_path.  Returns 0, or -1 and err. */
int lm_build(const char *const *phrases, size_t n, const char *dict_path, const char *out_dir,
	     char *err, size_t errlen);

/* The same, also reporting what was built (stats may be NULL). */
int lm_build_stats(const char *const *phrases, size_t n, const char *dict_path,
		   const char *out_dir, struct lm_stats *stats, char *err, size_t errlen);

#endif
