/*
 * pron.h - words for the recogniser: text normalisation and pronunciations.
 *
 * Normalisation turns catalog text and command phrasing into what a recogniser
 * can say back: lowercase ASCII words separated by single spaces, digits spelled
 * out ("1 kg" -> "one kilogram", "12oz" -> "twelve ounces", "2.5" -> "two point
 * five", "$5" -> "five dollars", "3rd" -> "third"), "&" -> "and", "%" -> "percent",
 * Latin accents dropped ("café" -> "cafe"), other punctuation removed (apostrophes
 * inside words stay: "what's").  Transcripts therefore come out in this form too.
 *
 * Pronunciations come from the CMU dictionary (all of a word's variants).  A word
 * it lacks gets one made up: acronyms (no vowel letter, or two letters or fewer)
 * are spelled letter by letter ("usb"-like), anything else goes through a small
 * set of English spelling-to-sound rules.  That guess is rough, but keeps brand
 * names in the language model instead of dropping them.
 *
 * A struct pron_dict is read-only after pron_dict_load(), so threads may share it.
 */
#ifndef VOXCART_PRON_H
#define VOXCART_PRON_H

#include <stddef.h>
#include <stdio.h>

/* Normalises in into out (always NUL-terminated; words that do not fit are left
 * off).  When core is not NULL it receives the same words without quantities and
 * their units ("dark roast coffee beans one kilogram" -> "dark roast coffee
 * beans").  Returns the number of words written to out. */
int pron_normalize(const char *in, char *out, size_t outlen, char *core, size_t corelen);

/* Writes the words for n (0 .. 999999999) into out: 21 -> "twenty one".  Returns
 * 0, or -1 when n is out of range or out too small. */
int pron_number_words(unsigned long n, char *out, size_t outlen);

struct pron_dict;

/* Loads a CMU-format dictionary ("word PH PH ...", variants as "word(2) ...").
 * NULL and err on failure.  The caller owns it. */
struct pron_dict *pron_dict_load(const char *dict_path, char *err, size_t errlen);
void pron_dict_free(struct pron_dict *dict);

/* 1 when the dictionary knows word. */
int pron_dict_has(const struct pron_dict *dict, const char *word);

/* Writes word's dictionary lines to f ("word PHONES", "word(2) PHONES", ...), from
 * the dictionary or else guessed.  Returns the number of lines written (>= 1), 0
 * when no pronunciation can be made (the word then must not be used), or -1 on a
 * write error.  *guessed (may be NULL) is set to 1 when the pronunciation was made
 * up. */
int pron_dict_write(const struct pron_dict *dict, FILE *f, const char *word, int *guessed);

/* 1 when word's (first) pronunciation starts with a vowel sound, so it takes "an"
 * ("an oat milk", "an hour", but "a usb cable", "a unicorn"); 0 otherwise. */
int pron_starts_with_vowel(const struct pron_dict *dict, const char *word);
/* The made-up pronunciation of a lowercase word (space-separated phones, CMU set
 * without stress).  Returns 0, or -1 when word has no letters or out is too small. */
int pron_guess(const char *word, char *out, size_t outlen);

#endif
