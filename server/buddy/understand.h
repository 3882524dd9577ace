/*
 * understand.h - from an utterance to a list of commands, without the catalog.
 *
 * und_parse() cleans the words (fillers, stutters, repeated words), cuts them into
 * clauses at "and", "then", "also" and at self-corrections ("no wait", "i mean",
 * "actually"), finds each clause's intent from a phrase lexicon, reads its slots
 * (product references, quantities, price limits, ordinals, negation, "except"), and
 * merges clauses that belong together: "add apples and two bags of coffee" is one
 * add of two items, "add three apples no wait two" is one add of two apples.
 * Product words are kept as said; matching them to the catalog is the dialogue's job.
 */
#ifndef VOXCART_BUDDY_UNDERSTAND_H
#define VOXCART_BUDDY_UNDERSTAND_H

#include "buddy/price.h"
#include "buddy/text.h"

#define UND_MAX_CMDS 8
#define UND_MAX_ITEMS 6
#define UND_MAX_EXCEPT 4
#define UND_ITEM_WORDS 8
#define UND_PHRASE_NEW 1
#define UND_PHRASE_CUED 2
#define UND_PHRASE_WITH 4
#define UND_PHRASE_STORY 8

enum und_intent {
	UND_NONE,		/* a fragment: a product reference and/or a number */
	UND_SEARCH, UND_MORE_RESULTS, UND_CHEAPER, UND_INFO, UND_PRICE, UND_STOCK,
	UND_ADD, UND_REMOVE, UND_SET, UND_LESS,
	UND_VIEW_CART, UND_CART_TOTAL, UND_CLEAR_CART, UND_CHECKOUT,
	UND_CONFIRM, UND_DENY, UND_ORDER_STATUS, UND_CANCEL_ORDER, UND_UNDO,
	UND_HELP, UND_GREET, UND_THANKS, UND_BYE,
	UND_INTENT_COUNT
};

/* How an item names its product. */
enum und_ref {
	UND_REF_NONE,		/* nothing said (maybe only a quantity) */
	UND_REF_WORDS,		/* descriptive words: "the dark roast" */
	UND_REF_IT,		/* "it", "that", "this one", "the same" */
	UND_REF_THEM,		/* "them", "those", "both", "all of them" */
	UND_REF_ORDINAL,	/* "the second one", "the last one" */
	UND_REF_OTHER,		/* "the other one" */
	UND_REF_ALL,		/* "everything", "it all" */
};

/* Which of several matching products: "the cheaper one", "the most expensive", "the
 * bigger one". */
enum und_pick { UND_PICK_NONE, UND_PICK_CHEAPEST, UND_PICK_PRICIEST,
	UND_PICK_BIGGEST,	/* "the bigger one", "the largest bag": by the size in the title */
	UND_PICK_SMALLEST };

struct und_item {
	enum und_ref ref;
	enum und_pick pick;
	int ordinal;		/* UND_REF_ORDINAL: 0-based, negative from the end */
	int qty;		/* 0: not said */
	int article;		/* "a"/"an" said instead of a number */
	int dozen;		/* the number was a count noun ("a dozen"): maybe one pack */
	int instead;		/* "instead of the milk", "swap the milk for ...": the one replaced */
	int zero;		/* the number said was zero ("make it zero") */
	int to;			/* the number followed "to" ("reduce the socks to one"): a target */
	int same_qty;		/* "the same amount of gala": as many as the last change counted */
	int ones;		/* "the organic ones": a description of a thing named nearby */
	int every;		/* "all the fruit", "the sony ones": every product that fits */
	char size_num[TEXT_WORD_LEN];	/* "64 oz", "12 pack": a size, maybe the title's */
	char size_unit[8];		/* normalised: oz, lb, kg, g, ml, l, gallon, pint, pack, ct */
	int nwords;		/* product words as said, in order */
	char words[UND_ITEM_WORDS][TEXT_WORD_LEN];
	/* wctx[i]: words[i] was said in a phrase about the situation ("bananas for my
	 * niece", "the tea she likes", "socks because we're off camping"): context that
	 * names the product only when nothing else does, and is never "missing" */
	unsigned char wctx[UND_ITEM_WORDS];
	/* wphrase[i]: how words[i] stands in the utterance.  UND_PHRASE_NEW: it begins a
	 * phrase of its own (a pause, or a word besides an article, a number, a unit or
	 * "of" stands between it and words[i-1]: "toothpaste in case the guests forget
	 * theirs" is three phrases); UND_PHRASE_CUED: that phrase follows a request cue
	 * (the clause start or its verb, "a", "some", a number, "a bag of");
	 * UND_PHRASE_WITH: it follows "with" (what the thing has); UND_PHRASE_STORY:
	 * its clause says how things are ("the radio in my van is broken").  The
	 * dialogue keeps as the request's object the phrases that name something sold;
	 * the others are context (wctx). */
	unsigned char wphrase[UND_ITEM_WORDS];
	unsigned char wpos[UND_ITEM_WORDS];	/* where words[i] was said (cleaned words) */
	int joined;		/* started after "and"/"or": one of a list, not a description */
	int container;		/* a container was said with it ("a pack of", "a punnet of") */
	int listed;		/* one of a list after a colon: asked for, never a pronoun */
	int with;		/* words after "with" describe it ("the bagels with the seeds") */
	int first;		/* word index (of the cleaned utterance) where it was begun */
	int nneg;		/* "not the decaf": words the product must not match */
	char neg[UND_ITEM_WORDS][TEXT_WORD_LEN];
};

struct und_cmd {
	enum und_intent intent;
	int soft;		/* "i need", "do you have": show the choice before adding */
	int correction;		/* "no wait", "actually", "i mean" opened it */
	int negated;		/* "don't add ..." */
	int more;		/* "one more", "another": adds to what is there */
	int keep;		/* "keep only the milk": except[] are the ones to keep */
	int fix;		/* "make it three", "make that the decaf": amends the last request */
	int lead;		/* a "no"/"yes" opening a longer utterance ("no, the bose") */
	int comment;		/* "that's a bit much": a remark about something, not a request */
	int follow;		/* "what about the sony": asks the previous question again */
	int cart_said;		/* "cart", "basket" was said, or "do i have" asked */
	int buy;		/* "buy me ...": add, then go to the checkout */
	int ask;		/* a question ("which one is cheaper?", "is there one without
				 * caffeine?"): answered, never acted on by itself */
	int and_said;		/* the clause opened with "and", "also", "plus": one more thing */
	int undo_all;		/* "none of that": every change of the last request, undone */
	int yesno;		/* a yes/no question about a product ("is the bread sliced?",
				 * "do the earbuds come with a case?"): answered from what the
				 * product says, never acted on */
	int polite;		/* a plain request: "please", "cheers", a container said with an
				 * article ("a pack of the lime water"), "X will do", an item of a
				 * list after a colon: a fragment naming one product asks for it */
	int question;		/* a question ("kettle?", "which apples for a pie", "do you do
				 * oat milk") or the end of an earlier request ("for the
				 * vanilla one"): a bare name in it is no request */
	int kept;		/* UND_ADD said beside a removal ("the bagels will do", "keep
				 * the towel", "give me the green tea"): what the cart holds
				 * stays as it is, what it does not is added */
	int done;		/* "that's everything", "i'm done": a checkout said by finishing,
				 * not asked for (with a question beside it, the question is meant) */
	int nitems;
	struct und_item items[UND_MAX_ITEMS];
	int nexcept;		/* "everything except the milk" */
	struct und_item except[UND_MAX_EXCEPT];
	struct price_range price;
	int sort;		/* 0 relevance, 1 cheapest first, 2 dearest first */
	int qty;		/* a number said apart from any product ("make it three") */
	int times;		/* "double the bananas", "triple it", "cut that in half": the
				 * line becomes what is there times this, in halves (4 twice,
				 * 6 three times, 1 half); 0: no multiple said */
	long order_id;		/* "order 12" */
	int norder_words;	/* "cancel the tea order": what the order held */
	char order_words[UND_ITEM_WORDS][TEXT_WORD_LEN];
};

/* What the words say of the shopper's past orders, read once for history.c. */
struct und_past {
	int kind;		/* LEX_PAST_ORDER or LEX_PAST_USUAL when reorder is set */
	int reorder;		/* they ask for past orders again, or what was paid for them */
	int price;		/* "what did i pay for the olive oil last time?" */
	int checkout;		/* "... and check out": placed after the adding */
	int times;		/* "double everything": 2; "triple": 3; else 1 */
	int again;		/* not reorder: where "again" was said in a request ("ok add
				 * all of that again": the order just read out, if one was),
				 * else -1 */
	unsigned char used[TEXT_MAX_WORDS];	/* und_clean's words that did the pointing */
};

/* What the words say of an edit of a cart line, read once (edits.c) for the act_*
 * files, which find the line and the products in the cart and the catalog.  Word
 * indexes are und_clean's. */
enum und_swap { UND_SWAP_NONE, UND_SWAP_VERB, UND_SWAP_INSTEAD_OF, UND_SWAP_POOL };
struct und_edit {
	int target;		/* a count stated as what the line should hold ("one bag, not
				 * two", "i only need one"), else -1 */
	int contrast;		/* ... contrasted with another count ("not two") */
	int stated;		/* ... said as what should be (2) or what is wanted (1) */
	int each;		/* "two of each": the count, else 0 */
	int each_at, each_len;	/* ... its words */
	int op;			/* a count changed: LEX_COUNT_* ("down to", "make it", "more") */
	int by;			/* ... the count said with it */
	int dozen;		/* ... said in dozens ("make it three dozen") */
	int points;		/* a word points back at a line ("those", "it", "same") */
	unsigned char used[TEXT_MAX_WORDS];	/* the words that said the change */
	enum und_swap swap;	/* a swap: how it was said */
	int old_a, old_b;	/* ... [old_a, old_b) name the old product (not for POOL) */
};

struct und_result {
	int n;
	struct und_cmd cmd[UND_MAX_CMDS];
	struct und_past past;
	struct und_edit edit;
	int nwords;		/* words left after cleaning (0: nothing was said) */
};

/* Parses `text` (any bytes, may be NULL) into r.  Never fails: unknown text gives a
 * fragment command or none at all. */
void und_parse(const char *text, struct und_result *r);

/* edits.c: the edit of a cart line the cleaned words say (und_parse fills r->edit). */
void und_read_edit(const struct text_words *tw, struct und_edit *e);

/* The words after cleaning (fillers, stutters removed), for the caller's own checks. */
void und_clean(const char *text, struct text_words *t);

/* Lowercase name of an intent ("add", "search"), for logs and buddy_turn_info. */
const char *und_intent_name(enum und_intent intent);

/* A repair said of dst ("no, three", "no wait, the brown ones", "i mean two percent"):
 * the parts src says (how many, which product, what not) replace those of dst. */
void und_amend_item(struct und_item *dst, const struct und_item *src);

/* 1 when an item says something about a product (words, pronoun, ordinal...). */
int und_item_has_ref(const struct und_item *it);

#endif
