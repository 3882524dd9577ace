/*
 * dialogue.h - the buddy's internals shared by dialogue.c (the turn), resolve.c
 * (which product is meant), act_cart.c, checkout.c, act_shop.c and act_info.c (what
 * is done) and state.c (the state helpers below them all): the per-conversation
 * state and the per-turn context.
 *
 * State invariants: `shown` is a JSON array (never NULL) of product-shaped objects
 * ({"id","title","price_cents","currency",...}) in the order they were read out;
 * cart lines are stored in that shape too.  focus[0] is what "it" means.  A pending
 * checkout is only honoured in the turn right after it was asked (pending_turn + 1).
 */
#ifndef VOXCART_BUDDY_DIALOGUE_H
#define VOXCART_BUDDY_DIALOGUE_H

#include <cJSON.h>
#include <stdint.h>

#include "buddy/buddy.h"
#include "buddy/needs.h"
#include "buddy/match.h"
#include "buddy/price.h"
#include "buddy/reply.h"
#include "buddy/understand.h"
#include "json.h"

#define DLG_MAX_FOCUS 8
#define DLG_SHOWN_MAX 5
#define DLG_READ_MAX 3
#define DLG_CORR_MAX 64

enum dlg_pending {
	DLG_PENDING_NONE,
	DLG_PENDING_CHECKOUT,	/* "Shall I place the order?" */
	DLG_PENDING_CHOOSE,	/* "Did you mean the Sony or the Bose?": shown holds the choice */
	DLG_PENDING_SUGGEST,	/* "Shall I add it?": suggest_id, suggest_qty */
	DLG_PENDING_CANCEL,	/* "Shall I cancel it?": pending_order */
};

/* One of several choices asked in one reply ("Did you mean the brown or the white
 * eggs? And the sourdough or the whole wheat bread?"), each answered on its own. */
#define DLG_MAX_CHOICES 4
struct dlg_choice {
	enum und_intent intent;
	int qty;		/* how many were asked for (0: not said) */
	int n;
	int64_t ids[DLG_READ_MAX];
	char question[200];
};

enum dlg_last_kind { DLG_LAST_NONE, DLG_LAST_ADD, DLG_LAST_REMOVE, DLG_LAST_SET };

/* The last cart change, for "no, two", "make that the decaf", "undo". */
struct dlg_last {
	enum dlg_last_kind kind;
	int64_t id;
	int qty;		/* units added or removed */
	int line_before;	/* line quantity before the change */
	int turn;
};

/* One product added by the last request that added anything, for "none of that". */
struct dlg_added {
	int64_t id;
	int qty;
	int line_before;
};

struct buddy_state {
	int turn;
	cJSON *shown;		/* what was last listed to the user, for "the second one" */
	int shown_is_cart;	/* shown holds the cart's lines, not search results */
	int shown_turn;		/* the turn that last set shown */
	int focus_turn;		/* the turn that last set focus */
	int info_turn;		/* the turn that last answered about a product */
	int64_t focus[DLG_MAX_FOCUS];
	int nfocus;
	struct dlg_last last;
	struct dlg_added batch[DLG_MAX_FOCUS];	/* every add of the turn batch_turn */
	int nbatch;
	int batch_turn;
	int guess_turn;		/* the turn that added what a bare name asked for ("kettle"):
				 * a count said next ("two actually") is how many in all */
	/* the last search, for "show me more" and "anything cheaper" */
	char last_query[256];
	char last_category[64];
	struct price_range last_price;
	int last_sort;
	int last_offset;
	/* a question waiting for its answer */
	enum dlg_pending pending;
	int pending_turn;
	enum und_intent pending_intent;	/* DLG_PENDING_CHOOSE: what the choice will do */
	int pending_qty;		/* ... and how many */
	int64_t pending_total;	/* DLG_PENDING_CHECKOUT: the subtotal read back */
	int64_t pending_pm;	/* ... and the card that will be charged */
	int64_t suggest_id;
	int64_t pending_order;	/* DLG_PENDING_CANCEL: the order read back */
	int suggest_qty;
	/* DLG_PENDING_CHOOSE with nchoices > 1: shown holds every choice's products */
	struct dlg_choice choices[DLG_MAX_CHOICES];
	int nchoices;
	enum und_intent last_intent;	/* what the previous turn did, for "and the sony?" */
	/* the order placed in this conversation: "can you cancel it" right after */
	int64_t placed_id;
	int placed_turn;
	int64_t budget_cents;	/* what the shopper said they can spend, or 0 */
	int checkout_said_turn;	/* the turn that asked what checking out would come to ("what
				 * would it come to if i checked out?"): a yes right after it
				 * checks out */
	/* the outside engine's checkout question (buddy_state_offer) */
	struct buddy_checkout_offer offer;
	/* frustration: the last four turns that corrected the buddy, newest first */
	int correction_turns[4];
	char last_text[256];	/* the previous utterance, to notice it said again */
	char last_reply[512];	/* the previous answer, for "what was it again?" */
	/* a spoken cart change read back as a question ("Did you say ...?", voice_turn.h):
	 * done on a yes in the next turn, dropped on anything else; "" none */
	char heard[256];
};

struct turn {
	struct buddy_state *st;
	const struct buddy_tools *tools;
	struct reply r;
	struct match_vocab vocab;
	int have_vocab;
	cJSON *cart;		/* the latest cart seen this turn (owned), or NULL */
	enum und_intent main;	/* intent reported for the turn */
	int changed_cart;	/* a cart change was made this turn */
	int no_ref;		/* an add named nothing and had nothing in mind ("buy it") */
	int requested;		/* the search being run answers a request ("he wants headphones,
				 * not over 30"): one product found is added, not offered */
	int asked;		/* a question was asked (pending set) this turn */
	int ncmds, cmd_index;
	int checkout_asked;	/* "Shall I place the order?" was pending when the turn began */
	int info_cmd;		/* 1 + the command whose items act_info focused ("the gala and the
				 * honeycrisp": both are "the cheaper one" next) */
	int denied;		/* "no, hold on" was answered this turn */
	int answered;		/* the utterance was the answer to the open question */
	int cart_said;		/* the command being run said "cart" ("the second item in my cart") */
	struct {		/* typo corrections looked up this turn (resolve_correct) */
		char w[TEXT_WORD_LEN];
		char fixed[TEXT_WORD_LEN];
		int cost, found;
	} corr[DLG_CORR_MAX];
	int ncorr;
	int total_said;		/* the cart total was read out this turn */
	int order_cancelled;	/* "it" was the order just placed, and it was cancelled */
	char question[512];
	struct dlg_choice choices[DLG_MAX_CHOICES];	/* the choices asked this turn */
	int nchoices;
	cJSON *choice_shown;	/* their products, in order (owned) */
	char range[240];	/* " under twenty dollars": the price limit being answered */	/* a question held back until the turn's last sentence */
	struct needs_frame needs;	/* the shopper's constraints and needs said this turn ("no dairy") */
	const char *said;	/* the utterance as said (before needs_read took phrases out) */
};

enum res_status { RES_OK, RES_AMBIGUOUS, RES_NOT_FOUND, RES_NO_REF, RES_ERROR };
enum res_scope { RES_CATALOG, RES_CART };

struct resolution {
	enum res_status status;
	cJSON *products;	/* owned array: the product(s), the choice, or alternatives */
	char missing[128];	/* the words the catalog lacks, as said */
	char said[128];		/* the product words as said, for questions */
	struct match_query q;	/* the corrected words */
	int size_qty;		/* the size said matched no title: it was a quantity */
};

/* resolve.c */
void resolve_item(struct turn *t, const struct und_item *it, enum res_scope scope, struct resolution *res);
void resolve_free(struct resolution *res);
int resolve_try_merge(struct turn *t, struct und_item *a, const struct und_item *b);
void resolve_query(struct turn *t, const struct und_item *it, struct match_query *q,
		   char *missing, size_t mlen);
/* match_correct() against the turn's vocabulary, cached for the turn. */
int resolve_correct(struct turn *t, const char *w, char *out, size_t len, int *cost);
/* 1 when the catalog knows the word (as said, typo-corrected, or by its synonym). */
int resolve_known_word(struct turn *t, const char *w);
/* 1 when the item names the product plainly: every word as the catalog spells it (or
 * its synonym), and the product is of the kind named ("kettle", "oj with pulp"; not
 * "breakfast" for a breakfast tea, nor "weather" for water). */
int resolve_said_plainly(struct turn *t, const struct und_item *it, const struct match_query *q,
			 const cJSON *product);
/* 1 when the item's noun names what the product IS (its head noun, category, main
 * tag), or a brand or variety of it; 0 for a thing of its own, asked for in the
 * plural, that the title names before its kind ("limes" of Lime Sparkling Water). */
int resolve_names_kind(const struct und_item *it, const cJSON *product, const struct match_query *q);
int64_t dlg_id(const cJSON *obj);
/* The dialogue's names for libvoxcart's JSON accessors (json.h). */
#define dlg_int json_int_or
#define dlg_str json_str
cJSON *dlg_cart_as_products(const cJSON *cart);
int dlg_cart_qty(const cJSON *cart, int64_t product_id);
/* The turn's cart lines as products with their category and tags and "quantity"
 * (owned array; empty when t->cart is NULL). */
cJSON *resolve_cart_full(struct turn *t);
/* The size a title states, in grams, millilitres or units (kg > oz: "1 kg" is 1000,
 * "12 oz" 340); -1 when it states none. */
double dlg_size_of(const cJSON *p);
/* 1 when a is a better answer than b to "the cheaper/dearer/bigger/smaller one". */
int dlg_pick_better(enum und_pick pick, const cJSON *a, const cJSON *b);

/* state.c: state helpers used by the actions (below them: they call no action) */
void dlg_show(struct turn *t, const cJSON *products, int is_cart);
void dlg_focus(struct turn *t, const cJSON *products);
void dlg_focus_one(struct turn *t, int64_t id);
void dlg_set_cart(struct turn *t, cJSON *cart);
void dlg_ask(struct turn *t, enum dlg_pending p);
/* Offers one product: shown and in focus, `question` asked ("Shall I add it?"); a yes
 * adds qty of it (1 when qty <= 0). */
void dlg_offer(struct turn *t, const cJSON *p, int qty, const char *question);
void dlg_action(struct turn *t, const char *name, cJSON *args, cJSON *result);
/* Asks a question as the last sentence of the turn (a later question replaces it). */
void dlg_question(struct turn *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int dlg_tool_failed(struct turn *t, int rc, const char *code, const char *msg);

/* cartops.c: the cart changes every action shares (below the actions: calls none) */
/* Adds qty of p (stock checked first; "more" says "N more ... You now have M"). */
void act_add_product(struct turn *t, const cJSON *p, int qty, int more);
/* Reads the cart into t->cart. */
void cartops_refresh(struct turn *t);
/* Sets a line to qty (0 removes) and reports it.  Returns 0 on success. */
int cartops_set_line(struct turn *t, int64_t id, int qty);
/* {"cart": a copy of cart}, an action's result. */
cJSON *cartops_cart_result(const cJSON *cart);

/* act_cart.c */
void act_add(struct turn *t, const struct und_cmd *c, const struct und_item *it);
void act_remove(struct turn *t, const struct und_cmd *c, const struct und_item *it);
int act_remove_priced(struct turn *t, const struct und_cmd *c);
void act_set(struct turn *t, const struct und_cmd *c, const struct und_item *it);
void act_less(struct turn *t, const struct und_cmd *c, const struct und_item *it);
void act_view_cart(struct turn *t, int total_only);
void act_clear(struct turn *t, const struct und_cmd *c);
void act_undo(struct turn *t);
/* "actually none of that": every add of the last turn that added, taken back. */
void act_undo_batch(struct turn *t);
/* "actually i'd prefer the honeycrisp" (gala apples in the cart): the named product
 * in place of the one cart line of its kind.  1 when done. */
int act_swap_cart_kind(struct turn *t, const struct und_item *it);
void act_correct(struct turn *t, const struct und_cmd *c);
void act_swap(struct turn *t, const struct und_cmd *c);
/* "trade the gala apples for honeycrisp", "make those strawberries organic instead":
 * a cart line replaced by another product, read from the words of the utterance and
 * the catalog.  Returns 1 when the utterance was a swap (done or asked about). */
int act_swap_frame(struct turn *t, const struct und_result *r, const char *text);
/* "take out the loaf, the bagels will do": the products a kept part names, when the
 * cart holds each, stay as they are (said so).  Returns 1 then; 0: add them. */
int act_kept(struct turn *t, const struct und_cmd *c);
/* Right after an add, "the organic ones", "the other kind", "the bigger one": the
 * variant of the same product replaces it.  Returns 1 when done. */
int act_refine(struct turn *t, const struct und_cmd *c);
/* "one bag, not two", "1 milk not 2", "there should be one bag left", "WHY 3 BOXES OF
 * COOKIES, I WANT ONE": a count stated as what the cart should hold, for the line
 * named or the one just changed.  Returns 1 when the line was set. */
int act_count_frame(struct turn *t, const struct und_result *r, const char *text);

/* quantity.c: "cut it down to two", "bring the mugs up to four", "knock the milk down
 * by one", "make that three jars", "one more of those": a cart line's count changed,
 * whatever else the sentence says.  Returns 1 when done. */
int act_count_change_frame(struct turn *t, const struct und_result *r, const char *text);

/* Sets the cart line of p to qty (0 removes it, a product not in the cart is added)
 * and says so. */
void act_set_line(struct turn *t, const cJSON *p, int qty);

/* checkout.c: act_checkout() only asks; act_place_order() runs after a yes */
void act_checkout(struct turn *t);
void act_place_order(struct turn *t);

/* act_shop.c */
void act_search(struct turn *t, const struct und_cmd *c, const struct und_item *it);
/* Products found for the shopper (not by a search said): read out and offered, or
 * the one added when take is set (act_shop.c). */
void act_offer_found(struct turn *t, cJSON *items, const char *query, int take);
/* "something to drink my coffee out of", "the plug thing I charge it with cracked":
 * a request that names no product, answered by the catalog products its words fit
 * best (act_need.c).  1 when it answered. */
int act_need_retrieve(struct turn *t, const struct und_result *r);
void act_more_results(struct turn *t);
/* "peanut butter, not the crunchy": what an exclusion left, shown as a search's
 * result (the words said, the products left) before it is taken. */
void act_show_left(struct turn *t, const struct und_item *it, const cJSON *products);
void act_not_found(struct turn *t, struct resolution *res, int qty);
void act_ask_choice(struct turn *t, struct resolution *res, enum und_intent intent, int qty);

/* act_info.c */
/* Right after a list, "no pulp", "is there one without caffeine", "the one that's
 * good before bed": the turn's constraints and needs (t->needs) pick from what was
 * read out; added when one fits and the shopper asked for it, else offered.
 * Returns 1 when answered. */
int act_choose_by_need(struct turn *t, const struct und_result *r, const char *text);
/* "my son is allergic to nuts, is the almond milk ok?": whether the one product
 * asked about keeps to the turn's constraints, and one that does when it does not.
 * Returns 1 when answered. */
int act_suits(struct turn *t, const struct und_result *r, const char *text);
/* "I have 150 dollars, is the jbl speaker within that?": the product asked about
 * against what is left of the budget.  Returns 1 when answered. */
int act_budget_product(struct turn *t, const struct und_result *r);
/* After the turn's commands: "how much will I have left?", "am I over?" answered from
 * the cart and the budget; a cart change that went over a budget said is told. */
void act_budget_total(struct turn *t);
/* "how much more are the sony earbuds than the tunebox ones?", "is the crunchy the
 * same price as the creamy?", "is the 1 kg bag a better deal than the 12 oz?": two
 * products named and their prices compared.  Returns 1 when answered. */
int act_compare(struct turn *t, const char *text);
/* "how many bananas come in a bunch?", "how long does the battery last on the jbl?":
 * the sentence of the product's description with the number asked for.  Returns 1
 * when answered. */
int act_measure(struct turn *t, const char *text);
void act_cheaper(struct turn *t, const struct und_cmd *c);
void act_info(struct turn *t, const struct und_cmd *c, const struct und_item *it);
void act_order_status(struct turn *t, const struct und_cmd *c);
/* Reads the order back and asks; act_cancel_confirmed() cancels it after a yes. */
void act_cancel_order(struct turn *t, const struct und_cmd *c);
void act_cancel_confirmed(struct turn *t, int64_t order_id);
/* "which one is cheaper?", "which ones are dairy free?", "which is cheaper, the chips
 * or the cookies?": answered about the products in mind.  Returns 1 when answered. */
int act_which(struct turn *t, const struct und_cmd *c);
/* "is the bread sliced?", "is it waterproof?": yes, no or "it doesn't say", from the
 * product's own words.  Returns 1 when answered. */
int act_yesno(struct turn *t, const struct und_cmd *c);
/* "the one with the cherry notes", "the big bag", "whichever is cheaper", "which one
 * is the most tart?": one of the list just read out, chosen by the words said (in
 * titles, tags, descriptions) or by price or size.  Returns 1 when chosen. */
/* "repeat my last order", "the same coffee as last time", "what did i pay for the
 * olive oil last time?": the newest order's lines added again (narrowed, excepted,
 * doubled) or the price paid told.  Returns 1 when the utterance was that. */
int act_reorder_frame(struct turn *t, const struct und_result *r, const char *text);
int act_choose_described(struct turn *t, const struct und_result *r, int pending_choose, const char *text);
/* The first `limit` results of the last search, run again (owned array), or NULL. */
cJSON *act_search_again(struct turn *t, int limit);
/* Questions answered from the cart: "how much is my half", "how much more to reach 25
 * dollars", "which thing in my cart costs the most", "how much is all the fruit
 * together", "what would 12 mugs come to", "what's that cost me" after an add, "what
 * was it again".  Returns 1 when answered. */
int act_cart_question(struct turn *t, const struct und_result *r, const char *text);

#endif
