/*
 * lexicon.h - the buddy's phrase book: intent triggers and classes of words.
 *
 * Kept apart from the parser so the vocabulary of shoppers can grow without
 * touching the grammar.  Phrases are lowercase words separated by single spaces, in
 * the form text.c produces (contractions expanded: "don't" is "do not").
 */
#ifndef VOXCART_BUDDY_LEXICON_H
#define VOXCART_BUDDY_LEXICON_H

#include "buddy/text.h"
#include "buddy/understand.h"

/* Trigger flags. */
#define LEX_SOFT   0x01	/* search-like want: "i need", "do you have" */
#define LEX_NEG    0x02	/* negated: "do not add" */
#define LEX_MORE   0x04	/* adds to what is there: "another", "one more" */
#define LEX_KEEP   0x08	/* "keep only": what follows is kept */
#define LEX_START  0x10	/* only at the start of a clause ("get", "order") */
#define LEX_ALONE  0x20	/* only when it is the whole clause ("more", "next") */
#define LEX_FIXQTY 0x40	/* "make it", "make that": corrects the previous request */
#define LEX_SUBJ   0x80	/* a verb after someone named: "sam wants oat milk", "the kids need
			 * juice"; the words before it in the clause are who, not what */
#define LEX_LAST   0x100	/* said after what it is about, at the clause's end: "the
			 * decaf can go", "the chips have to go" */

struct lex_trigger {
	const char *phrase;
	enum und_intent intent;
	int level;		/* strength when a clause holds several triggers */
	int flags;
};

/* The longest trigger phrase at word i (before end) into *out; returns its length in
 * words, 0 if none.  `clause_start` and `clause_end` let LEX_START and LEX_ALONE be
 * checked. */
int lex_trigger_at(const struct text_words *t, int i, int clause_start, int clause_end,
		   struct lex_trigger *out);

/* Words with no meaning of their own for the buddy ("um", "uh", "you know"); returns
 * how many words the filler at i takes, 0 if none. */
int lex_filler_at(const struct text_words *t, int i);

/* Self-correction markers ("no wait", "i mean", "actually") at i: words used. */
int lex_correction_at(const struct text_words *t, int i, int end);

/* Clause connectors ("and", "then", "also", "and then") at i: words used. */
/* Length of a phrase at i that settles for what was just named ("will do", "is fine",
 * "'s enough", "would work"), else 0. */
int lex_settle_at(const struct text_words *t, int i, int end);

int lex_connector_at(const struct text_words *t, int i, int end);

/* Words that carry no product meaning in a request ("the", "please", "my"). */
int lex_is_stopword(const char *w);

/* Everyday words that name nothing sold ("yet", "saturday", "kids", "better"):
 * dropped from product words unless the catalog itself has them. */
int lex_is_common(const char *w);

/* 1 for a word naming a person or people ("guests", "mum", "nephew"): whom a
 * constraint or a story is about, never a product. */
int lex_is_person(const char *w);

/* Container words that may or may not be in a title ("bag", "bottle", "pack"). */
int lex_is_unit(const char *w);

/* A size unit after a number ("64 oz", "12 pack", "1 kilo"), normalised as titles
 * write it ("oz", "lb", "kg", "pack"...), or NULL.  Plurals of containers ("packs")
 * count things and are not sizes. */
const char *lex_size_unit(const char *w);

/* 1 when "no" at i names a kind of product ("no pulp", "no decaf") rather than
 * answering or correcting ("no, two", "no the bose"): a word that is not a function
 * word or a number follows it without a pause. */
int lex_no_modifier(const struct text_words *t, int i, int end);

/* Adjectives a shopper adds that a catalog rarely has ("fresh", "nice"). */
int lex_is_soft(const char *w);

/* "whichever", "whatever": the shopper leaves the choice to the buddy ("whichever
 * apples are cheapest", "whatever's least expensive"), so the one it picks is taken. */
int lex_is_delegation(const char *w);
/* 1 for a verb that takes "to" and a verb after it ("need to sleep", "want to bake",
 * "have to leave", "going to"): that "to" is no slip for "two". */
int lex_takes_infinitive(const char *w);

/* How an answer to a yes/no question leans at word i: +1 ("yes", "sure", "go on",
 * "sounds good", "fine"), -1 ("no", "not yet", "hold on", "never mind"), 0 none;
 * *len gets the words used. */
int lex_polarity_at(const struct text_words *t, int i, int end, int *len);

/* Words that carry out the act a question offers: "place", "order", "put it
 * through", "charge" for a checkout; "cancel", "refund" for a cancellation; "add",
 * "take", "have" for an offered product.  Which: 'c' checkout, 'x' cancel, 'a' add. */
int lex_act_word(const char *w, char which);

/* "what's left", "all of them", "the lot", "whatever you have": every one offered.
 * Words used at i, 0 if none. */
int lex_all_offered_at(const struct text_words *t, int i, int end);

/* 1 when word i, said after a product was named, starts words about the situation
 * rather than the product: a preposition of purpose or source ("for my niece",
 * "from the bakery"), a conjunction ("because", "since", "so"), a person ("my
 * brother likes", "she drinks"). */
int lex_opens_context(const struct text_words *t, int i, int end);

/* A verb that, after "to", says what a thing is for or how the shopper feels ("to
 * leave at work", "to eat breakfast", "to keep in my desk"): no product's name. */
int lex_is_purpose_verb(const char *w);

/* Words that negate what follows: "not", "no", "without", "except", "nothing",
 * "none", "neither", "nor", "zero", "non", "minus". */
int lex_is_negator(const char *w);

/* 1 when the negation at i is about the situation, not about a product: a verb
 * negated after a modal that is no verb of having ("the kids won't touch that",
 * "can't use my grinder", "i can't carry it"), or "no way ..." / "no one's ..."
 * opening a remark.  The words up to the next pause are context. */
int lex_situation_negation_at(const struct text_words *t, int i, int end);

/* "amount", "number", "quantity": with "the same", how many was said before. */
int lex_is_amount_word(const char *w);

/* "total", "altogether", "overall": after a count ("two mugs in total"), the count
 * is what the cart should hold, not how many to add. */
int lex_is_total_word(const char *w);

/* "did you", "have you", "has it been": a question whether something was done
 * ("did you add it??"), not a request to do it again.  Words used at i, 0 if none. */
int lex_asks_done_at(const struct text_words *t, int i, int end);

/* "removed", "taken", "out": in a question whether it was done ("have you taken the
 * penne out?"), the change asked about was a removal. */
int lex_is_removed_word(const char *w);

/* "cart", "basket", "trolley". */
int lex_is_cart_word(const char *w);

/* "order", "orders", "purchase", "delivery", "package". */
int lex_is_order_word(const char *w);

/* Words that make a number money ("dollars", "bucks", "$5"). */
int lex_is_money_word(const char *w);

/* A number said just before word i is a measure of the situation, not a count of a
 * product: a temperature, an age, a time ("38 degrees", "5 years old", "3 in the
 * morning", "at 9 tomorrow", "at 3, wide awake"), a battery's charge ("on 2 percent").
 * `before` is the word before the number (NULL at the start).  Returns how many words
 * from i belong to the measure (0: the number alone), -1 when it is no such measure. */
int lex_story_measure_at(const struct text_words *t, int i, int end, const char *before);

/* The other name of the same thing ("crisps" <-> "chips", "biscuit" <-> "cookie"),
 * or NULL. */
const char *lex_synonym(const char *w);

/* Generic words a specific product word belongs to, for alternatives when the
 * catalog lacks it: "mango" -> "fruit".  NULL-terminated list, or NULL. */
const char *const *lex_broader(const char *w);

/* A share of a sum said at word i: "half" 2, "a third" 3, "quarter" 4, "three ways" 3,
 * "between the 4 of us" 4; 0 when none. */
int lex_share_of(const struct text_words *t, int i, int end);

/* "what was it again", "say that again", "pardon": the last answer asked for again.
 * Words used at i, 0 if none. */
int lex_repeat_at(const struct text_words *t, int i, int end);

/* "all", "everything", "together", "altogether": a sum over everything meant. */
int lex_is_whole_word(const char *w);

/* Words of having bought: "ordered", "bought", "got", "had", "purchased". */
int lex_is_bought_word(const char *w);

/* A phrase at i that points at the shopper's past orders; *kind tells how:
 * LEX_PAST_ORDER ("last time", "previous order", "as before", "reorder") and
 * LEX_PAST_USUAL ("my usual", "the usual") say it alone; LEX_PAST_WHEN ("before",
 * "last week", "on monday") only with a word of buying or after "from"; LEX_PAST_HABIT
 * ("always", "usually") only next to a word of buying or getting.  Words used, 0 if none. */
enum { LEX_PAST_ORDER = 1, LEX_PAST_USUAL, LEX_PAST_WHEN, LEX_PAST_HABIT };
int lex_past_at(const struct text_words *t, int i, int end, int *kind);

/* Words that leave out what follows from a list: the negators and "skip", "minus",
 * "leave" (out), "hold" (the milk), "apart" (from). */
int lex_is_except_word(const char *w);

/* "bigger", "larger" 1; "smaller" -1; else 0: a size asked for next to another. */
int lex_size_direction(const char *w);

/* "hours", "days", "weeks", "times": after a number, a span of time, not a count of things. */
int lex_is_time_unit(const char *w);

/* A change of a count at i: LEX_COUNT_SET ("down to", "up to", "back to") and
 * LEX_COUNT_MAKE ("make it", "make that") take the count after; LEX_COUNT_DOWN_BY /
 * LEX_COUNT_UP_BY ("down by", "up by") and LEX_COUNT_ANOTHER ("another") the change
 * after; LEX_COUNT_MORE / LEX_COUNT_FEWER ("more", "extra", "less", "fewer") the
 * change before ("one more of those").  Words used, 0 if none. */
enum { LEX_COUNT_SET = 1, LEX_COUNT_MAKE, LEX_COUNT_DOWN_BY, LEX_COUNT_UP_BY, LEX_COUNT_MORE,
       LEX_COUNT_FEWER, LEX_COUNT_ANOTHER };
int lex_count_change_at(const struct text_words *t, int i, int end, int *kind);

/* A multiple of a count at i: "double the", "triple it", "twice as many", "in half",
 * "halve": *num / *den what is there.  Words used, 0 if none ("a double pack",
 * "buy a double bed": the verbs need what they multiply after them, unless they open
 * the clause at start). */
int lex_count_factor_at(const struct text_words *t, int i, int start, int end, int *num, int *den);

/* "keep", "stick with", "survive with", "give me": after a removal, words opening what
 * the shopper keeps or takes instead ("drop the penne, keep the spaghetti").  Words
 * used, 0 if none. */
int lex_keep_cue_at(const struct text_words *t, int i, int end);

/* 1 when the word at i may end a count's phrase ("just the one please", "just the one
 * for now"), not describe a product ("just the one with pulp"). */
int lex_ends_count_at(const struct text_words *t, int i, int end);

#endif
