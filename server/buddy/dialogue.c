/*
 * dialogue.c - buddy_turn(): one utterance in, actions and a spoken reply out.
 *
 * A turn parses the text, scores its mood, then runs the commands in order.  A
 * pending question from the previous turn is answered first: a checkout is placed
 * only when the first command of the very next turn is a confirmation; a choice
 * ("the Sony or the Bose?") is settled by a fragment ("the sony one", "the first",
 * "not the bose"); anything else drops the question and is handled on its own.
 * Several choices asked in one reply stay open together, each answered on its own.
 * Before running, a count or description said apart from its product joins it.
 * Fragments with no question pending are corrections ("no, two"), selections from
 * what was read out ("the second one"), or searches ("bananas").
 * Each command is run through one dispatch table (see "Running one command").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buddy/dialogue.h"
#include "buddy/price.h"
#include "buddy/lexicon.h"
#include "buddy/numbers.h"
#include "buddy/sentiment.h"

static void ensure_cart(struct turn *t)
{
	cJSON *cart = NULL;
	char code[BUDDY_ERR_CODE_LEN] = "", msg[BUDDY_ERR_MSG_LEN] = "";
	if (t->cart || !t->tools->cart_view)
		return;
	if (t->tools->cart_view(t->tools->ctx, &cart, code, msg) == 0 && cart)
		t->cart = cart;
	else
		cJSON_Delete(cart);
}

static void say_help(struct turn *t)
{
	reply_say(&t->r, "You can ask me to find products, add or remove them, change quantities, "
		  "read your cart, check out, or tell you where your order is.");
	if (!t->r.frustrated)
		reply_say(&t->r, "For example: add two bananas, or what headphones do you have under a hundred dollars?");
}

/* The answer to "Shall I add it?": add the suggested product. */
static void accept_suggestion(struct turn *t)
{
	struct buddy_state *st = t->st;
	cJSON *p = NULL;
	char code[BUDDY_ERR_CODE_LEN] = "", msg[BUDDY_ERR_MSG_LEN] = "";
	if (t->tools->product_get(t->tools->ctx, st->suggest_id, &p, code, msg) != 0 || !p) {
		cJSON_Delete(p);
		reply_say(&t->r, "Sorry, that product is no longer available.");
		return;
	}
	act_add_product(t, p, st->suggest_qty > 0 ? st->suggest_qty : 1, 0);
	cJSON_Delete(p);
}

static void do_confirm(struct turn *t, enum dlg_pending pending, int alone)
{
	switch (pending) {
	case DLG_PENDING_CHECKOUT:
		act_place_order(t);
		break;
	case DLG_PENDING_SUGGEST:
		accept_suggestion(t);
		break;
	case DLG_PENDING_CANCEL:
		t->main = UND_CANCEL_ORDER;
		act_cancel_confirmed(t, t->st->pending_order);
		break;
	case DLG_PENDING_CHOOSE:
		if (cJSON_GetArraySize(t->st->shown) == 1) {
			act_add_product(t, cJSON_GetArrayItem(t->st->shown, 0),
					t->st->pending_qty > 0 ? t->st->pending_qty : 1, 0);
		} else {
			reply_say(&t->r, "Which one would you like? You can say the first, the second, or its name.");
			t->st->pending = DLG_PENDING_CHOOSE;
			t->asked = 1;
		}
		break;
	case DLG_PENDING_NONE:
		if (t->st->checkout_said_turn > 0 && t->st->checkout_said_turn == t->st->turn - 1) {
			/* "what would it come to if i checked out?" - "fine, do it" */
			t->st->checkout_said_turn = 0;
			t->main = UND_CHECKOUT;
			act_checkout(t);
		} else if (alone && t->main != UND_CHECKOUT) {
			reply_say(&t->r, "Okay. What would you like to do next?");
		}
		break;
	}
}

/* 1 when the utterance speaks of checking out ("if i checked out now", "before i pay"). */
static int mentions_checkout(const char *text)
{
	struct text_words *tw = malloc(sizeof *tw);
	if (!tw)
		return 0;
	und_clean(text, tw);
	int said = 0;
	for (int i = 0; i < tw->n && !said; i++) {
		char w[TEXT_WORD_LEN];
		size_t l = strlen(tw->w[i]);
		snprintf(w, sizeof w, "%s", tw->w[i]);
		if (l > 4 && !strcmp(w + l - 2, "ed"))
			w[l - 2] = '\0';	/* "checked", "paid" */
		else if (l > 5 && !strcmp(w + l - 3, "ing"))
			w[l - 3] = '\0';	/* "checking", "paying" */
		said = (!strcmp(w, "check") && text_is(tw, i + 1, "out")) || !strcmp(w, "checkout") ||
		       !strcmp(w, "pay") || !strcmp(w, "paid");
	}
	free(tw);
	return said;
}

static void do_deny(struct turn *t, enum dlg_pending pending, int alone)
{
	/* "no, hold on", "hold on, no, i'm not ready": the order waits, however it is said */
	if (pending == DLG_PENDING_CHECKOUT && t->checkout_asked && !t->denied) {
		t->denied = 1;
		t->st->pending = DLG_PENDING_NONE;
		reply_say(&t->r, "Okay, I won't place the order yet. Your cart is still there.");
		return;
	}
	if (pending == DLG_PENDING_CANCEL && !t->denied) {
		t->denied = 1;
		t->st->pending = DLG_PENDING_NONE;
		reply_say(&t->r, "Okay, I won't cancel it. Order %lld stays as it is.",
			  (long long)t->st->pending_order);
		return;
	}
	if (!alone || t->denied)
		return;
	if (pending == DLG_PENDING_CHECKOUT)
		reply_say(&t->r, "Okay, I won't place the order. Your cart is still there.");
	else if (pending != DLG_PENDING_NONE)
		reply_say(&t->r, "Okay, no problem.");
	else
		reply_say(&t->r, "Okay.");
}

/* A fragment ("the second one", "bose", "two", "not the decaf"). */
static void do_fragment(struct turn *t, const struct und_cmd *c, enum dlg_pending pending)
{
	const struct und_item *it = c->nitems > 0 ? &c->items[0] : NULL;
	struct buddy_state *st = t->st;
	if (!it && c->qty == 0 && (c->price.max_cents >= 0 || c->price.min_cents >= 0 || c->sort)) {
		act_search(t, c, NULL);
		return;
	}
	if (c->comment && !c->follow && pending != DLG_PENDING_CHOOSE)
		return;
	if (!it)
		return;
	/* "hold on, no, i'm not ready": after the no, words that name nothing */
	if (t->denied && it->nwords == 0 && (it->ref == UND_REF_NONE || it->ref == UND_REF_IT) &&
	    it->qty == 0 && it->pick == UND_PICK_NONE)
		return;
	int emotive = it->nwords > 0 && it->ref == UND_REF_WORDS && it->qty == 0 && it->pick == UND_PICK_NONE;
	for (int i = 0; emotive && i < it->nwords; i++)
		emotive = senti_is_emotive(it->words[i]) != 0;
	if (emotive && c->nitems == 1) {
		if (t->r.sentences == 0 && !t->r.frustrated)
			reply_say(&t->r, "Thanks for telling me. What would you like to do?");
		return;
	}
	/* "Did you mean the medium, the dark or the espresso?" - "3", "just 2": a bare
	 * number answers which of those read out, not how many of nothing */
	struct und_cmd which;
	int read_out = st->shown ? cJSON_GetArraySize(st->shown) : 0;
	if (read_out > DLG_READ_MAX)
		read_out = DLG_READ_MAX;
	if (pending == DLG_PENDING_CHOOSE && c->nitems == 1 && it->ref == UND_REF_NONE && it->nwords == 0 &&
	    !it->nneg && !it->size_num[0] && !it->container && !it->dozen && !it->article && !c->correction &&
	    it->pick == UND_PICK_NONE && it->qty > 0 && it->qty <= read_out && read_out > 1) {
		which = *c;
		which.items[0].ref = UND_REF_ORDINAL;
		which.items[0].ordinal = it->qty - 1;
		which.items[0].qty = 0;
		c = &which;
		it = &which.items[0];
	}
	int has_ref = und_item_has_ref(it) || it->nneg > 0;
	if (pending == DLG_PENDING_CHOOSE && has_ref) {
		struct und_cmd add = *c;
		add.intent = st->pending_intent ? st->pending_intent : UND_ADD;
		add.items[0].qty = it->qty ? it->qty : st->pending_qty;
		if (add.items[0].ref == UND_REF_NONE && it->nneg == 0 && it->pick == UND_PICK_NONE)
			add.items[0].ref = UND_REF_IT;
		t->main = add.intent;
		if (add.intent == UND_ADD)
			act_add(t, &add, &add.items[0]);
		else if (add.intent == UND_REMOVE)
			act_remove(t, &add, &add.items[0]);
		else if (add.intent == UND_SET)
			act_set(t, &add, &add.items[0]);
		else if (add.intent == UND_LESS)
			act_less(t, &add, &add.items[0]);
		else
			act_info(t, &add, &add.items[0]);
		return;
	}
	if (act_refine(t, c)) {
		t->main = UND_SET;
		return;
	}
	if (c->correction || (!has_ref && it->qty > 0) ||
	    (c->correction && (t->needs.excl || t->needs.req))) {
		if (st->last.kind != DLG_LAST_NONE && st->last.turn >= st->turn - 2) {
			act_correct(t, c);
			return;
		}
		/* "actually i'd prefer the honeycrisp": nothing said to amend, so the cart
		 * line of that kind */
		if (c->correction && act_swap_cart_kind(t, it)) {
			t->main = UND_ADD;
			return;
		}
	}
	if (!has_ref) {
		if (it->qty > 0)
			reply_say(&t->r, "%d of which product?", it->qty);
		return;
	}
	if (it->ref == UND_REF_WORDS && it->pick == UND_PICK_NONE && it->qty > 0 && !c->follow &&
	    (c->correction || it->to)) {
		/* A count for a line that is there: said as a correction ("that's way too many
		 * blueberries, just two") or with "to" ("bring the spaghetti down to two"). */
		struct resolution res;
		ensure_cart(t);
		resolve_item(t, it, RES_CART, &res);
		int there = res.status == RES_OK;
		resolve_free(&res);
		if (there) {
			struct und_cmd set = *c;
			set.intent = UND_SET;
			t->main = UND_SET;
			act_set(t, &set, &set.items[0]);
			return;
		}
	}
	if (it->ref == UND_REF_WORDS && it->pick == UND_PICK_NONE && it->qty > 0 && !c->follow) {
		/* "2 bags of espresso beans please": how many says it is an order */
		struct und_cmd add = *c;
		add.intent = UND_ADD;
		t->main = UND_ADD;
		act_add(t, &add, &add.items[0]);
		return;
	}
	/* "two boxes of that", "two of them": how many of what is in mind */
	if ((it->ref == UND_REF_IT || it->ref == UND_REF_THEM) && it->nwords == 0 && it->qty > 0 &&
	    !c->follow && st->nfocus > 0) {
		struct und_cmd add = *c;
		add.intent = UND_ADD;
		t->main = UND_ADD;
		act_add(t, &add, &add.items[0]);
		return;
	}
	/* "and the rest too", "and that one as well": the previous change, again */
	if (c->and_said && (it->ref == UND_REF_IT || it->ref == UND_REF_THEM) && it->nwords == 0 &&
	    !c->follow && (st->last_intent == UND_REMOVE || st->last_intent == UND_ADD) && pending == DLG_PENDING_NONE) {
		struct und_cmd f = *c;
		f.intent = st->last_intent;
		t->main = f.intent;
		if (f.intent == UND_REMOVE)
			act_remove(t, &f, &f.items[0]);
		else
			act_add(t, &f, &f.items[0]);
		return;
	}
	/* "and the sony?", "what about bananas": the previous question, about this */
	enum und_intent again = st->last_intent;
	if (c->follow || (it->ref == UND_REF_WORDS && it->pick == UND_PICK_NONE &&
			  (again == UND_PRICE || again == UND_STOCK || again == UND_INFO ||
			   again == UND_ADD || again == UND_REMOVE))) {
		struct und_cmd f = *c;
		f.intent = again == UND_PRICE || again == UND_STOCK ? again :
			   c->follow ? UND_INFO : again;
		t->main = f.intent;
		if (f.intent == UND_ADD)
			act_add(t, &f, &f.items[0]);
		else if (f.intent == UND_REMOVE)
			act_remove(t, &f, &f.items[0]);
		else
			act_info(t, &f, &f.items[0]);
		return;
	}
	if (it->ref == UND_REF_WORDS && it->pick == UND_PICK_NONE) {
		if ((c->polite || !c->question) && it->qty == 0 && c->price.min_cents < 0 &&
		    c->price.max_cents < 0) {
			/* "almond milk with no added sugar please": asking for the one that fits */
			struct resolution res;
			resolve_item(t, it, RES_CATALOG, &res);
			int one = res.status == RES_OK && cJSON_GetArraySize(res.products) == 1 &&
				  dlg_int(cJSON_GetArrayItem(res.products, 0), "stock", -1) != 0;
			/* a bare name ("kettle", "oj, with pulp") asks for the one it plainly
			 * names; a story ("breakfast stuff") or a guess is shown first */
			/* "a bag of each kind of apple": every one that fits */
			if (c->polite && it->every && res.status == RES_AMBIGUOUS)
				one = 1;
			/* "peanut butter, not crunchy", "a soft loaf, not the crusty sourdough":
			 * the other kind ruled out, the one left is chosen */
			if (one && !c->polite && !(it->nneg > 0 && !c->question))
				one = resolve_said_plainly(t, it, &res.q, cJSON_GetArrayItem(res.products, 0)) &&
				      (!it->size_num[0] || match_has_size(cJSON_GetArrayItem(res.products, 0),
									  it->size_num, it->size_unit));
			/* what the exclusion left is shown, then taken */
			if (one && (it->nneg > 0 || t->needs.excl))
				act_show_left(t, it, res.products);
			resolve_free(&res);
			if (one) {
				st->guess_turn = st->turn;
				struct und_cmd add = *c;
				add.intent = UND_ADD;
				t->main = UND_ADD;
				act_add(t, &add, &add.items[0]);
				return;
			}
		}
		/* "a tenner's worth of ground coffee, under ten dollars": asked for, so
		 * the one product in the price is added */
		t->requested = c->polite && !c->question && (c->price.min_cents >= 0 || c->price.max_cents >= 0);
		act_search(t, c, it);
		t->requested = 0;
		return;
	}
	/* "the second one" right after a list was read out picks it */
	if ((it->ref == UND_REF_ORDINAL || it->pick != UND_PICK_NONE) && !st->shown_is_cart &&
	    st->shown_turn >= st->turn - 3) {
		struct und_cmd add = *c;
		add.intent = UND_ADD;
		t->main = UND_ADD;
		act_add(t, &add, &add.items[0]);
		return;
	}
	t->main = UND_INFO;
	act_info(t, c, it);
}

static int recent_corrections(const struct buddy_state *st)
{
	int n = 0;
	for (int i = 0; i < 4; i++)
		if (st->correction_turns[i] && st->correction_turns[i] >= st->turn - 3)
			n++;
	return n;
}

static void note_correction(struct buddy_state *st)
{
	memmove(&st->correction_turns[1], &st->correction_turns[0], 3 * sizeof st->correction_turns[0]);
	st->correction_turns[0] = st->turn;
}

static int is_cart_change(enum und_intent in)
{
	return in == UND_ADD || in == UND_REMOVE || in == UND_SET || in == UND_LESS ||
	       in == UND_CLEAR_CART || in == UND_UNDO;
}

/* An item of words that are all everyday words ("for my daughter"): it names nothing. */
static int names_nothing(struct turn *t, const struct und_item *it)
{
	if (it->ref != UND_REF_WORDS || it->nwords == 0 || !t->have_vocab || it->nneg || it->pick ||
	    it->size_num[0])
		return 0;
	struct match_query q;
	char missing[128];
	resolve_query(t, it, &q, missing, sizeof missing);
	return q.n == 0 && !*missing;
}

/* 1 when no word of the item is one the catalog knows. */
static int knows_nothing(struct turn *t, const struct und_item *it)
{
	if (it->ref != UND_REF_WORDS || it->nwords == 0 || !t->have_vocab || it->nneg || it->pick ||
	    it->size_num[0])
		return 0;
	struct match_query q;
	char missing[128];
	resolve_query(t, it, &q, missing, sizeof missing);
	return q.n == 0;
}

/* The phrases of an item (understand.c's wphrase): start[p] is the first word of
 * phrase p, start[np] the item's end.  Returns np. */
static int item_phrases(const struct und_item *it, int *start)
{
	int np = 0;
	for (int w = 0; w < it->nwords; w++)
		if (w == 0 || (it->wphrase[w] & UND_PHRASE_NEW))
			start[np++] = w;
	start[np] = it->nwords;
	return np;
}

/* 1 when phrase [a, b) of the item names something sold, its last word included;
 * -1 when it names a thing not sold ("paint fumes": fumes are not sold); 0 when it
 * names nothing at all ("squeezed"). */
static int phrase_names(struct turn *t, const struct und_item *it, int a, int b)
{
	struct und_item sub = *it;
	sub.nwords = 0;
	for (int w = a; w < b; w++) {
		memcpy(sub.words[sub.nwords], it->words[w], TEXT_WORD_LEN);
		sub.wctx[sub.nwords++] = 0;
	}
	struct match_query q;
	char missing[128];
	resolve_query(t, &sub, &q, missing, sizeof missing);
	return *missing ? -1 : q.n > 0;
}

/* The request's object: an item's words fall into phrases.  The phrases naming
 * something sold are the thing asked for; a phrase beside them naming nothing sold
 * ("toothpaste in case the guests forget theirs", "socks, the six pack, my current
 * ones are covered in emulsion") is context: never searched, never "missing".  A
 * phrase a request cue opened ("need a", "some", "two bags of") stays the object
 * unless a phrase that names something was cued too.  Beside an item a cue asked
 * for that names something sold, an item no cue asked for is the story and is
 * dropped when it names nothing sold ("the paint fumes are giving me a headache, a
 * pack of the lime water") or names something without a count ("the radio in my van
 * is broken so i'll use a bluetooth speaker"), unless the items are a list ("some
 * mango and a bag of gala apples": the mango is missing).  What follows "with"
 * describes the thing. */
static void object_phrases(struct turn *t, struct und_result *r)
{
	if (!t->have_vocab)
		return;
	enum { MAXI = UND_MAX_CMDS * UND_MAX_ITEMS };
	unsigned char known[MAXI][UND_ITEM_WORDS], names[MAXI], cued[MAXI], any[MAXI], drop[MAXI] = { 0 };
	int any_cued = 0, n = 0;
	for (int c = 0; c < r->n; c++)
		for (int i = 0; i < r->cmd[c].nitems; i++, n++) {
			const struct und_item *it = &r->cmd[c].items[i];
			names[n] = cued[n] = any[n] = 0;
			if (it->ref != UND_REF_WORDS || it->nwords == 0)
				continue;
			int start[UND_ITEM_WORDS + 1], np = item_phrases(it, start);
			for (int p = 0; p < np; p++) {
				int obj = 0;
				for (int w = start[p]; w < start[p + 1]; w++)
					obj |= !it->wctx[w];
				int named = phrase_names(t, it, start[p], start[p + 1]);
				known[n][p] = (unsigned char)(named >= 0 ? named : 2);
				any[n] |= named > 0;
				if (known[n][p] == 1 && obj) {
					names[n] = 1;
					cued[n] |= (it->wphrase[start[p]] & UND_PHRASE_CUED) != 0;
				}
			}
			any_cued |= cued[n];
		}
	n = 0;
	for (int c = 0; c < r->n; c++) {
		const struct und_cmd *cmd = &r->cmd[c];
		for (int i = 0; i < cmd->nitems; i++, n++) {
			struct und_item *it = &r->cmd[c].items[i];
			/* "some mango and a bag of gala apples": one of a list, asked for */
			int listed = it->joined || it->listed || (i == 0 && c > 0 && cmd->and_said) ||
				     (i + 1 < cmd->nitems && cmd->items[i + 1].joined) ||
				     (i + 1 == cmd->nitems && c + 1 < r->n && r->cmd[c + 1].and_said);
			if (it->ref != UND_REF_WORDS || it->nwords == 0 || it->pick || it->instead)
				continue;
			/* "the radio in my van is broken so ... a bluetooth speaker": a thing
			 * no cue asked for, beside one asked for, is the story */
			if (!cued[n] && any_cued && !listed && cmd->intent == UND_NONE && !any[n] && !it->nneg) {
				drop[n] = 1;
				continue;
			}
			if (!cued[n] && any_cued && !listed && cmd->intent == UND_NONE && names[n] && !it->qty &&
			    !it->article && (it->wphrase[0] & UND_PHRASE_STORY)) {
				for (int w = 0; w < it->nwords; w++)
					it->wctx[w] = 1;
				continue;
			}
			if (it->nneg || !names[n])
				continue;
			int start[UND_ITEM_WORDS + 1], np = item_phrases(it, start);
			for (int p = 0, after = 0; p < np; after |= known[n][p] == 1, p++) {
				unsigned char f = it->wphrase[start[p]];
				/* (words naming nothing are context only after the thing named:
				 * "socks, the six pack, my current ones are covered in emulsion") */
				if (known[n][p] == 1 || (known[n][p] == 0 && !after) || (f & UND_PHRASE_WITH) ||
				    ((f & UND_PHRASE_CUED) && !cued[n]))
					continue;
				for (int w = start[p]; w < start[p + 1]; w++)
					it->wctx[w] = 1;
			}
		}
	}
	n = 0;
	for (int c = 0; c < r->n; c++) {
		struct und_cmd *cmd = &r->cmd[c];
		int had = cmd->nitems;
		for (int i = 0, j = 0; j < had; j++, n++) {
			if (!drop[n]) {
				i++;
				continue;
			}
			memmove(&cmd->items[i], &cmd->items[i + 1], (size_t)(cmd->nitems - i - 1) * sizeof cmd->items[0]);
			cmd->nitems--;
		}
		if (had > 0 && cmd->nitems == 0 && cmd->intent == UND_NONE && !cmd->qty &&
		    cmd->price.min_cents < 0 && cmd->price.max_cents < 0 && !cmd->sort) {
			memmove(&r->cmd[c], &r->cmd[c + 1], (size_t)(r->n - c - 1) * sizeof r->cmd[0]);
			r->n--;
			c--;
		}
	}
}

/* "a present for my niece, maybe some headphones", "some gear for the gym, socks
 * please": an item the catalog knows nothing of, said next to one it knows (not in a
 * list joined by "and"), describes that one; it is no request of its own. */
static int is_apposition(struct turn *t, const struct und_cmd *c, int i)
{
	const struct und_item *it = &c->items[i];
	if (c->nitems < 2 || it->joined || !knows_nothing(t, it))
		return 0;
	int ctx = 0, listed = 0, known = 0;
	for (int w = 0; w < it->nwords; w++)
		ctx |= it->wctx[w];
	for (int k = 0; k < c->nitems; k++) {
		listed |= c->items[k].joined;
		if (k != i && !knows_nothing(t, &c->items[k]) && und_item_has_ref(&c->items[k]))
			known = 1;
	}
	return known && (ctx || !listed);
}

/* Words no interpretation uses are context: "we're off camping this weekend, toss in
 * some chips", "typing this on the bus lol. need toothpaste", "for brunch on sunday:
 * a six pack of bagels".  When something in the utterance names a product, an item
 * the catalog knows nothing of (and that is not one of a list joined by "and") is
 * dropped, and a fragment left with nothing is dropped too. */
static void drop_context(struct turn *t, struct und_result *r)
{
	if (!t->have_vocab)
		return;
	int named = 0;
	for (int c = 0; c < r->n && !named; c++)
		for (int i = 0; i < r->cmd[c].nitems && !named; i++) {
			const struct und_item *it = &r->cmd[c].items[i];
			named = it->ref == UND_REF_WORDS && it->nwords > 0 && !knows_nothing(t, it);
		}
	if (!named)
		return;
	for (int c = 0; c < r->n; c++) {
		struct und_cmd *cmd = &r->cmd[c];
		int listed = 0, had = cmd->nitems;
		for (int i = 0; i < cmd->nitems; i++)
			listed |= cmd->items[i].joined;
		for (int i = 0; i < cmd->nitems; i++) {
			const struct und_item *it = &cmd->items[i];
			int ctx = 0;
			for (int w = 0; w < it->nwords; w++)
				ctx |= it->wctx[w];
			int units = 1;	/* "two boxes": a count of the thing named nearby */
			for (int w = 0; w < it->nwords; w++)
				units &= lex_is_unit(it->words[w]) || lex_is_stopword(it->words[w]);
			int all_ctx = it->nwords > 0;	/* "for the french press, some coffee" */
			for (int w = 0; w < it->nwords; w++)
				all_ctx &= it->wctx[w];
			/* ("a bag of gala apples and some mango": a thing asked for in a list
			 * that names nothing sold is missing) */
			int asked = cmd->and_said && cmd->nitems == 1 && (it->wphrase[0] & UND_PHRASE_CUED) && !ctx;
			if ((!knows_nothing(t, it) && !(all_ctx && cmd->nitems > 1)) || (listed && !ctx) ||
			    it->instead || units || asked)
				continue;
			memmove(&cmd->items[i], &cmd->items[i + 1], (size_t)(cmd->nitems - i - 1) * sizeof cmd->items[0]);
			cmd->nitems--;
			i--;
		}
		if (had > 0 && cmd->nitems == 0 && cmd->intent == UND_NONE && !cmd->qty &&
		    cmd->price.min_cents < 0 && cmd->price.max_cents < 0 && !cmd->sort) {
			memmove(&r->cmd[c], &r->cmd[c + 1], (size_t)(r->n - c - 1) * sizeof r->cmd[0]);
			r->n--;
			c--;
		}
	}
}

/* "two bags of gala apples, no make that three, no, two is fine", "a dozen eggs...
 * eh, one's enough", "a watermelon, no wait, two of them": a count repaired in the same
 * breath is one request for the last count said.  (A product repaired, "the jbl
 * speaker, no forget that, the earbuds", stays two commands: the first is added and
 * the repair corrects it against the catalog.)  Run after drop_context, so a "sorry,
 * the cat walked on the keyboard" that names nothing is gone and repairs nothing. */
static void self_repairs(struct und_result *r)
{
	for (int i = 0; i + 1 < r->n; i++) {
		struct und_cmd *a = &r->cmd[i], *b = &r->cmd[i + 1];
		if (a->intent != UND_NONE || b->intent != UND_NONE || !b->correction || a->nitems == 0 ||
		    b->nitems != 1 || a->lead || b->lead || a->ask || b->ask || a->yesno || b->yesno ||
		    a->comment || b->comment || a->follow || b->follow ||
		    !und_item_has_ref(&a->items[a->nitems - 1]))
			continue;
		const struct und_item *fix = &b->items[0];
		if (fix->qty <= 0 || fix->nwords || fix->nneg || fix->pick != UND_PICK_NONE || fix->size_num[0] ||
		    (fix->ref != UND_REF_NONE && fix->ref != UND_REF_IT && fix->ref != UND_REF_THEM))
			continue;
		und_amend_item(&a->items[a->nitems - 1], &b->items[0]);
		for (int k = 1; k < b->nitems && a->nitems < UND_MAX_ITEMS; k++)
			a->items[a->nitems++] = b->items[k];
		a->polite |= b->polite;
		memmove(b, b + 1, (size_t)(r->n - i - 2) * sizeof *b);
		r->n--;
		i--;
	}
}

/* 1 when b only says how many: "two bags of it", "make it three of them since...",
 * words the catalog knows nothing of next to a number. */
static int only_quantity(struct turn *t, const struct und_item *b)
{
	if ((b->qty <= 0 && !b->zero) || b->pick != UND_PICK_NONE || b->nneg || b->instead || b->size_num[0])
		return 0;
	if ((b->ref == UND_REF_IT || b->ref == UND_REF_THEM || b->ref == UND_REF_NONE) && b->nwords == 0)
		return 1;
	if (b->ref != UND_REF_WORDS || !knows_nothing(t, b))
		return 0;
	/* "three of them since it's a party": the words after the count are about the
	 * situation; "a few people" counts something else */
	struct text_words one;
	one.n = 1;
	one.brk[0] = 0;
	snprintf(one.w[0], sizeof one.w[0], "%s", b->words[0]);
	return lex_opens_context(&one, 0, 1);
}

/* 1 when every product of `sub` is one of `of`. */
static int products_within(const cJSON *sub, const cJSON *of)
{
	const cJSON *p, *q;
	int n = 0;
	cJSON_ArrayForEach(p, sub) {
		int in = 0;
		cJSON_ArrayForEach(q, of)
			in |= dlg_id(p) == dlg_id(q);
		if (!in)
			return 0;
		n++;
	}
	return n > 0;
}

/* 1 when b, said right after a without "and", narrows what a names: "orange juice,
 * the kind with pulp", "the sparkling water, the lime one".  Scored against the
 * catalog and what was shown: the words of both find some of what a alone finds. */
static int describes(struct turn *t, const struct und_item *a, const struct und_item *b,
		     enum res_scope scope)
{
	if (a->ref != UND_REF_WORDS || b->ref != UND_REF_WORDS || !a->nwords || !b->nwords ||
	    a->nwords + b->nwords > UND_ITEM_WORDS || b->pick != UND_PICK_NONE || (a->qty && b->qty) ||
	    b->article || a->every != b->every || knows_nothing(t, a) || knows_nothing(t, b))
		return 0;
	struct und_item both = *a;
	for (int w = 0; w < b->nwords; w++) {
		snprintf(both.words[both.nwords], TEXT_WORD_LEN, "%s", b->words[w]);
		both.wctx[both.nwords++] = b->wctx[w];
	}
	struct resolution ra, rb;
	resolve_item(t, a, scope, &ra);
	int ok = 0;
	if (ra.status == RES_OK || ra.status == RES_AMBIGUOUS) {
		/* "whole milk, a dozen brown eggs": b names a product of its own */
		resolve_item(t, b, scope, &rb);
		ok = !(rb.status == RES_OK && !products_within(rb.products, ra.products));
		resolve_free(&rb);
	}
	if (ok) {
		resolve_item(t, &both, scope, &rb);
		ok = (rb.status == RES_OK || (rb.status == RES_AMBIGUOUS && ra.status == RES_AMBIGUOUS)) &&
		     !*rb.missing && products_within(rb.products, ra.products);
		const cJSON *p;
		cJSON_ArrayForEach(p, rb.products) {	/* every word said is the product's */
			double cov = 0;
			match_score(&rb.q, p, &cov);
			ok &= cov >= 0.99;
		}
		resolve_free(&rb);
	}
	resolve_free(&ra);
	return ok;
}

/* A quantity belongs to the mention it modifies, wherever it was said in the clause:
 * "the second one you said, two bags of it", "the lime sparkling water, the twelve
 * pack, make it three of them", "orange juice, the kind with pulp, two of those".  A
 * part that only counts gives its count to the thing named next to it; a part that
 * describes the same thing further joins it. */
static void attach_mentions(struct turn *t, struct und_result *r)
{
	if (!t->have_vocab)
		return;
	for (int c = 0; c < r->n; c++) {
		struct und_cmd *cmd = &r->cmd[c];
		for (int i = 1; i < cmd->nitems; i++) {
			struct und_item *a = &cmd->items[i - 1], *b = &cmd->items[i];
			/* after "and", only "the regular ones, not organic" still describes */
			int joined = b->joined && (b->qty || b->article || (!b->ones && !b->nneg));
			if (joined || a->instead || b->instead || !und_item_has_ref(a) || a->ref == UND_REF_ALL)
				continue;
			if (!a->qty && !a->zero && only_quantity(t, b)) {
				a->qty = b->qty;
				a->zero = b->zero;
				a->dozen = b->dozen;
				a->to = b->to;
				a->article = 0;
			} else if (describes(t, a, b, cmd->intent == UND_REMOVE || cmd->intent == UND_LESS ||
							   cmd->intent == UND_SET ? RES_CART : RES_CATALOG)) {
				for (int w = 0; w < b->nwords; w++) {
					snprintf(a->words[a->nwords], TEXT_WORD_LEN, "%s", b->words[w]);
					a->wctx[a->nwords++] = b->wctx[w];
				}
				for (int w = 0; w < b->nneg && a->nneg < UND_ITEM_WORDS; w++)
					snprintf(a->neg[a->nneg++], TEXT_WORD_LEN, "%s", b->neg[w]);
				if (!a->qty && b->qty) {
					a->qty = b->qty;
					a->dozen = b->dozen;
					a->article = 0;
				}
				a->ones |= b->ones;
			} else {
				continue;
			}
			memmove(&cmd->items[i], &cmd->items[i + 1], (size_t)(cmd->nitems - i - 1) * sizeof cmd->items[0]);
			cmd->nitems--;
			i--;
		}
	}
}

/* A fragment naming several products ("two packs of the sparkling water, a bag of
 * rice"): every one is acted on, none dropped; the ones after the first that was
 * added are added too, as one list. */
static void run_fragment(struct turn *t, const struct und_cmd *c, enum dlg_pending pending)
{
	int listed = c->nitems > 1 && pending != DLG_PENDING_CHOOSE;
	for (int i = 0; listed && i < c->nitems; i++)
		listed = c->items[i].ref == UND_REF_WORDS && c->items[i].nwords > 0 && !names_nothing(t, &c->items[i]);
	if (!listed) {
		do_fragment(t, c, pending);
		return;
	}
	enum und_intent first = UND_NONE;
	for (int i = 0; i < c->nitems; i++) {
		struct und_cmd one = *c;
		one.items[0] = c->items[i];
		one.nitems = 1;
		if (first == UND_ADD && !one.items[0].nneg) {
			one.intent = UND_ADD;
			act_add(t, &one, &one.items[0]);
			continue;
		}
		if (i > 0) {
			/* "drinks, cheapest first - juice, water": one listing was asked
			 * for; "black tea, with milk": how it is had, no request; else the
			 * rest of a list is shown like the first was */
			if (!c->sort && c->price.min_cents < 0 && c->price.max_cents < 0 && one.items[0].joined)
				act_search(t, &one, &one.items[0]);
			continue;
		}
		t->main = UND_NONE;
		do_fragment(t, &one, pending);
		first = t->main;
	}
	t->main = first != UND_NONE ? first : t->main;
}

/* "and the same amount of gala", "the same number of the sourdough": as many as the
 * last change to the cart counted; "two mugs in total": a count of what the cart
 * should hold. */
static void same_amount(struct turn *t, struct und_result *r)
{
	const struct dlg_last *last = &t->st->last;
	int n = last->kind == DLG_LAST_ADD ? last->qty :
		last->kind == DLG_LAST_SET ? last->line_before + last->qty : 0;
	for (int c = 0; c < r->n; c++)
		for (int i = 0; i < r->cmd[c].nitems; i++) {
			struct und_item *it = &r->cmd[c].items[i];
			if (it->same_qty && !it->qty && n > 0) {
				it->qty = n;
				it->article = 0;
				continue;
			}
			if (it->qty <= 0)
				continue;
			for (int w = 0; w < it->nwords; w++)
				if (lex_is_total_word(it->words[w])) {
					memmove(&it->words[w], &it->words[w + 1], (size_t)(it->nwords - w - 1) * sizeof it->words[0]);
					memmove(&it->wctx[w], &it->wctx[w + 1], (size_t)(it->nwords - w - 1));
					it->nwords--;
					it->to = 1;
					w--;
				}
		}
}

/* An item that names no product of its own: "new ones", "another", "a new one". */
static int names_a_new_one(const struct und_item *it)
{
	if (it->ref == UND_REF_IT || it->ref == UND_REF_NONE)
		return 1;
	if (it->ref != UND_REF_WORDS)
		return 0;
	for (int w = 0; w < it->nwords; w++)	/* ("a new pair", "a fresh bottle") */
		if (!lex_is_soft(it->words[w]) && !lex_is_stopword(it->words[w]) && !lex_is_unit(it->words[w]))
			return 0;
	return 1;
}

/* "my earbuds went flying, need new ones, cheap": the thing is needed (a lack) and
 * "cheap" says which of those that fit. */
static void cheap_pick(struct und_result *r)
{
	for (int c = 0; c < r->n; c++) {
		struct und_cmd *cmd = &r->cmd[c];
		if (cmd->intent != UND_ADD || cmd->sort != 1 || cmd->price.max_cents >= 0 || cmd->nitems != 1 ||
		    cmd->items[0].pick != UND_PICK_NONE || cmd->items[0].ref != UND_REF_WORDS)
			continue;
		cmd->items[0].pick = UND_PICK_CHEAPEST;
	}
}

/* "the toothpaste is finished", "my only towel is falling apart, I need two new
 * ones": when the shopper said a thing ran out or broke (needs_read's lack) and asked
 * for nothing else by name, the thing named is asked for; "new ones", "another" are
 * that thing.  A question or any other act is left as it is ("my kettle broke, do
 * you sell those?"). */
static void lack_request(struct turn *t, struct und_result *r)
{
	if (!t->needs.lack || !t->have_vocab)
		return;
	/* "the bath towels, I'll need three new ones": one request of three towels */
	for (int c = 0; c < r->n; c++) {
		struct und_cmd *cmd = &r->cmd[c];
		for (int i = 1; cmd->intent == UND_ADD && i < cmd->nitems; i++) {
			struct und_item *a = &cmd->items[i - 1], *b = &cmd->items[i];
			/* ("my headphones snapped, get me a cheap new pair": one of them) */
			if (!names_a_new_one(b) || names_a_new_one(a) || (a->qty && b->qty > 0))
				continue;
			if (b->qty > 0) {
				a->qty = b->qty;
				a->article = 0;
			}
			memmove(b, b + 1, (size_t)(cmd->nitems - i - 1) * sizeof *b);
			cmd->nitems--;
			i--;
		}
	}
	cheap_pick(r);
	for (int c = 0; c < r->n; c++) {
		const struct und_cmd *cmd = &r->cmd[c];
		/* ("can i get a whole new one" asks for it: a request put as a question) */
		if ((cmd->intent != UND_NONE && cmd->intent != UND_ADD) || cmd->ask ||
		    (cmd->question && cmd->intent != UND_ADD) || cmd->negated || cmd->yesno || cmd->comment)
			return;
		for (int i = 0; i < cmd->nitems; i++)
			if (cmd->intent == UND_ADD && !names_a_new_one(&cmd->items[i]))
				return;	/* "the cable is frayed, so get me a usb c cable" */
	}
	struct und_item *named = NULL;
	for (int c = 0; c < r->n; c++) {
		struct und_cmd *cmd = &r->cmd[c];
		if (cmd->intent == UND_NONE && cmd->nitems > 0 && cmd->items[0].ref == UND_REF_WORDS &&
		    !knows_nothing(t, &cmd->items[0])) {
			cmd->intent = UND_ADD;
			cmd->soft = 1;
			named = &cmd->items[cmd->nitems - 1];
		} else if (cmd->intent == UND_ADD && named && cmd->nitems <= 1) {
			/* "... I need two new ones": the count is the thing's */
			const struct und_item *it = cmd->nitems ? &cmd->items[0] : NULL;
			int qty = it && it->qty > 0 ? it->qty : cmd->qty;
			if (qty > 0 && !named->qty) {
				named->qty = qty;
				named->article = 0;
			}
			if ((cmd->sort == 1 || (it && it->pick == UND_PICK_CHEAPEST)) && named->pick == UND_PICK_NONE)
				named->pick = UND_PICK_CHEAPEST;	/* "... a cheap new one" */
			memmove(cmd, cmd + 1, (size_t)(r->n - c - 1) * sizeof *cmd);
			r->n--;
			c--;
		}
	}
	cheap_pick(r);
}

/* "a pint of blueberries and a gallon of whole milk please": the parts of one list
 * of fragments are asked for alike, however the last one was put. */
static void share_request(struct und_result *r)
{
	for (int pass = 0; pass < 2; pass++)
		for (int i = 1; i < r->n; i++) {
			struct und_cmd *a = &r->cmd[i - 1], *b = &r->cmd[i];
			if (!b->and_said || a->intent != UND_NONE || b->intent != UND_NONE || a->ask || b->ask ||
			    a->comment || b->comment || a->correction || b->correction)
				continue;
			a->polite = b->polite = a->polite || b->polite;
		}
}

static void run_items(struct turn *t, const struct und_cmd *c,
		      void (*fn)(struct turn *, const struct und_cmd *, const struct und_item *))
{
	if (c->nitems == 0) {
		fn(t, c, NULL);
		return;
	}
	for (int i = 0; i < c->nitems; i++) {
		if (t->r.out && t->r.out->cancelled && t->r.out->cancelled(t->r.out->ctx))
			return;
		if (c->nitems > 1 && (names_nothing(t, &c->items[i]) || is_apposition(t, c, i)))
			continue;	/* "make it two, one for my daughter" */
		fn(t, c, &c->items[i]);
	}
}

static int has_instead(const struct und_cmd *c)
{
	for (int i = 0; i < c->nitems; i++)
		if (c->items[i].instead)
			return 1;
	return 0;
}

/* Joins items that were one product with "and" in its name ("salt and vinegar chips"). */
static void merge_and_items(struct turn *t, struct und_cmd *c)
{
	for (int i = 0; i + 1 < c->nitems; i++) {
		if (!resolve_try_merge(t, &c->items[i], &c->items[i + 1]))
			continue;
		memmove(&c->items[i + 1], &c->items[i + 2], (size_t)(c->nitems - i - 2) * sizeof c->items[0]);
		c->nitems--;
		i--;
	}
}

/* "i said oat milk, not whole milk", "not green, english breakfast": when what is
 * negated is in the cart, it is swapped for what is named.  Returns 1 if done. */
static int swap_negated(struct turn *t, const struct und_cmd *c)
{
	if (c->nitems != 1 || c->items[0].nneg == 0 || c->items[0].nwords == 0 ||
	    c->items[0].ref != UND_REF_WORDS ||
	    (c->intent != UND_NONE && c->intent != UND_SET && c->intent != UND_ADD))
		return 0;
	ensure_cart(t);
	struct und_item old = { 0 };
	old.ref = UND_REF_WORDS;
	old.instead = 1;
	for (int i = 0; i < c->items[0].nneg; i++)
		snprintf(old.words[old.nwords++], TEXT_WORD_LEN, "%s", c->items[0].neg[i]);
	struct resolution res;
	resolve_item(t, &old, RES_CART, &res);
	int found = res.status == RES_OK;
	resolve_free(&res);
	if (!found)
		return 0;
	struct und_cmd sw = *c;
	sw.intent = UND_SET;
	sw.nitems = 2;
	sw.items[0] = old;
	sw.items[1] = c->items[0];
	sw.items[1].nneg = 0;
	for (int i = 0; i < c->items[0].nneg; i++)	/* keep excluding it */
		snprintf(sw.items[1].neg[sw.items[1].nneg++], TEXT_WORD_LEN, "%s", c->items[0].neg[i]);
	t->main = UND_SET;
	act_swap(t, &sw);
	return 1;
}

/* "how much is it again?" while "Shall I place the order?" waits: the total, and
 * the question stays. */
static int checkout_question(struct turn *t, const struct und_cmd *c)
{
	if (!t->checkout_asked || t->changed_cart)
		return 0;
	if (c->intent == UND_PRICE || c->intent == UND_INFO) {
		const struct und_item *it = c->nitems > 0 ? &c->items[0] : NULL;
		if (it && (it->nwords > 0 || (it->ref != UND_REF_IT && it->ref != UND_REF_NONE)))
			return 0;
	} else if (c->intent != UND_CART_TOTAL) {
		return 0;
	}
	act_view_cart(t, 1);
	reply_say(&t->r, "Shall I place the order?");
	dlg_ask(t, DLG_PENDING_CHECKOUT);
	return 1;
}

/* "can you cancel it" right after an order was placed: "it" is that order, not a
 * cart line.  Returns 1 when handled. */
static int cancels_placed_order(struct turn *t, const struct und_cmd *c)
{
	struct buddy_state *st = t->st;
	if (st->placed_id <= 0 || st->placed_turn < st->turn - 2 || c->nitems < 1)
		return 0;
	for (int i = 0; i < c->nitems; i++) {
		const struct und_item *it = &c->items[i];
		if (it->ref != UND_REF_IT && it->ref != UND_REF_NONE && it->ref != UND_REF_WORDS)
			return 0;
		for (int w = 0; w < it->nwords; w++)	/* "i don't need that, cancel it" */
			if (strcmp(it->words[w], "cancel") && !lex_is_common(it->words[w]))
				return 0;
	}
	ensure_cart(t);
	if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(t->cart, "items")) > 0)
		return 0;
	if (!t->order_cancelled) {
		struct und_cmd cancel = *c;
		cancel.intent = UND_CANCEL_ORDER;
		cancel.order_id = (long)st->placed_id;
		cancel.nitems = 0;
		t->main = UND_CANCEL_ORDER;
		act_cancel_order(t, &cancel);
		t->order_cancelled = 1;
		st->placed_id = 0;
	}
	return 1;
}

/*
 * Running one command: pre-dispatch, then one table.
 *
 * What a command means is decided here, once, and in this order:
 *   1. normalise: items that are one product with "and" in its name are joined;
 *   2. readings that take the command whole when they fit (the list `readings`, tried
 *      in order; the first that fits acts and the command is done);
 *   3. the route: the command's intent, or one of the few readings of an intent that
 *      its slots decide (route_of);
 *   4. the handler of that route, from the table `handlers`.  Handlers act on what
 *      they are given and do not re-decide what was meant.
 * After the handler, a "buy me ..." goes on to the checkout (then_buy).
 */

/* The routes past the intents: an intent read another way by its slots. */
enum dlg_route {
	ROUTE_SWAP = UND_INTENT_COUNT + 1,	/* add or set with an item said "instead": a swap */
	ROUTE_CORRECT,			/* a set that corrects the last change ("no, oat milk") */
	ROUTE_PLACE_ORDER,		/* "checkout" right after "Shall I place the order?" */
	ROUTE_UNDO_BATCH,		/* "undo all of that" */
	ROUTE_COUNT
};

typedef void (*dlg_handler)(struct turn *t, const struct und_cmd *c, enum dlg_pending pending, int alone);
typedef int (*dlg_reading)(struct turn *t, const struct und_cmd *c, enum dlg_pending pending);

/* Readings (step 2): each returns 1 when the command was that and was acted on. */
static int read_negated_swap(struct turn *t, const struct und_cmd *c, enum dlg_pending pending)
{
	return pending != DLG_PENDING_CHOOSE && swap_negated(t, c);
}

static int read_checkout_question(struct turn *t, const struct und_cmd *c, enum dlg_pending pending)
{
	(void)pending;
	return checkout_question(t, c);
}

static int read_yesno(struct turn *t, const struct und_cmd *c, enum dlg_pending pending)
{
	(void)pending;
	return act_yesno(t, c);
}

static int read_which(struct turn *t, const struct und_cmd *c, enum dlg_pending pending)
{
	(void)pending;
	if (!act_which(t, c))
		return 0;
	t->main = UND_INFO;
	return 1;
}

/* "can you cancel it" right after an order: the order, not a cart line */
static int read_cancel_placed(struct turn *t, const struct und_cmd *c, enum dlg_pending pending)
{
	(void)pending;
	return c->intent == UND_REMOVE && cancels_placed_order(t, c);
}

/* "take out everything over ten dollars": lines by price */
static int read_remove_priced(struct turn *t, const struct und_cmd *c, enum dlg_pending pending)
{
	(void)pending;
	return c->intent == UND_REMOVE && act_remove_priced(t, c);
}

static const dlg_reading readings[] = {
	read_negated_swap, read_checkout_question, read_yesno, read_which,
	read_cancel_placed, read_remove_priced,
};

/* Step 3: the route of a command no reading took. */
static int route_of(const struct turn *t, const struct und_cmd *c, enum dlg_pending pending)
{
	switch (c->intent) {
	case UND_ADD:
		if (has_instead(c))
			return ROUTE_SWAP;
		if (c->negated)
			return UND_REMOVE;	/* "add ... without the milk" drops it */
		/* "i said that wrong, i want the one with no pulp": the kind said by the
		 * constraint alone, in place of the last product */
		if (c->correction && c->nitems == 1 && c->items[0].nwords == 0 && !c->items[0].qty &&
		    (c->items[0].ref == UND_REF_NONE || c->items[0].ref == UND_REF_IT) &&
		    (t->needs.excl || t->needs.req) && t->st->last.kind != DLG_LAST_NONE)
			return ROUTE_CORRECT;
		return UND_ADD;
	case UND_SET:
		if (has_instead(c))
			return ROUTE_SWAP;
		if ((c->correction || c->fix) && c->nitems > 0 && c->items[0].ref == UND_REF_WORDS &&
		    !c->items[0].to && t->st->last.kind != DLG_LAST_NONE)
			return ROUTE_CORRECT;
		return UND_SET;
	case UND_CHECKOUT:
		return pending == DLG_PENDING_CHECKOUT && t->cmd_index == 0 ? ROUTE_PLACE_ORDER : UND_CHECKOUT;
	case UND_UNDO:
		if (c->undo_all)
			return ROUTE_UNDO_BATCH;
		if (c->nitems > 0 && c->items[0].ref == UND_REF_WORDS && c->items[0].nwords > 0)
			return UND_REMOVE;	/* "never mind the oranges" */
		return UND_UNDO;
	default:
		return c->intent;
	}
}

/* Step 4: the handlers. */
static void h_fragment(struct turn *t, const struct und_cmd *c, enum dlg_pending pending, int alone)
{
	(void)alone;
	run_fragment(t, c, pending);
}

static void h_search(struct turn *t, const struct und_cmd *c, enum dlg_pending pending, int alone)
{
	(void)pending; (void)alone;
	run_items(t, c, act_search);
}

static void h_more(struct turn *t, const struct und_cmd *c, enum dlg_pending pending, int alone)
{
	(void)c; (void)pending; (void)alone;
	act_more_results(t);
}

static void h_cheaper(struct turn *t, const struct und_cmd *c, enum dlg_pending pending, int alone)
{
	(void)pending; (void)alone;
	act_cheaper(t, c);
}

static void h_info(struct turn *t, const struct und_cmd *c, enum dlg_pending pending, int alone)
{
	(void)pending; (void)alone;
	run_items(t, c, act_info);
}

static void h_add(struct turn *t, const struct und_cmd *c, enum dlg_pending pending, int alone)
{
	(void)pending; (void)alone;
	run_items(t, c, act_add);
}

static void h_remove(struct turn *t, const struct und_cmd *c, enum dlg_pending pending, int alone)
{
	(void)pending; (void)alone;
	run_items(t, c, act_remove);
}

static void h_set(struct turn *t, const struct und_cmd *c, enum dlg_pending pending, int alone)
{
	(void)pending; (void)alone;
	run_items(t, c, act_set);
}

static void h_less(struct turn *t, const struct und_cmd *c, enum dlg_pending pending, int alone)
{
	(void)pending; (void)alone;
	run_items(t, c, act_less);
}

static void h_swap(struct turn *t, const struct und_cmd *c, enum dlg_pending pending, int alone)
{
	(void)pending; (void)alone;
	act_swap(t, c);
}

static void h_correct(struct turn *t, const struct und_cmd *c, enum dlg_pending pending, int alone)
{
	(void)pending; (void)alone;
	act_correct(t, c);
}

static void h_view_cart(struct turn *t, const struct und_cmd *c, enum dlg_pending pending, int alone)
{
	(void)c; (void)pending; (void)alone;
	act_view_cart(t, 0);
}

static void h_cart_total(struct turn *t, const struct und_cmd *c, enum dlg_pending pending, int alone)
{
	(void)c; (void)pending; (void)alone;
	/* "how much did that come to?" once the order is placed and the cart empty:
	 * what the order came to */
	if (t->st->placed_id > 0) {
		ensure_cart(t);
		if (t->cart && cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(t->cart, "items")) == 0) {
			struct und_cmd o = { .intent = UND_ORDER_STATUS, .order_id = (long)t->st->placed_id };
			act_order_status(t, &o);
			return;
		}
	}
	act_view_cart(t, 1);
}

static void h_clear(struct turn *t, const struct und_cmd *c, enum dlg_pending pending, int alone)
{
	(void)pending; (void)alone;
	act_clear(t, c);
}

static void h_checkout(struct turn *t, const struct und_cmd *c, enum dlg_pending pending, int alone)
{
	(void)c; (void)pending; (void)alone;
	act_checkout(t);
}

static void h_place_order(struct turn *t, const struct und_cmd *c, enum dlg_pending pending, int alone)
{
	(void)c; (void)pending; (void)alone;
	act_place_order(t);
}

/* a yes answers the open question only as the first command of the turn */
static void h_confirm(struct turn *t, const struct und_cmd *c, enum dlg_pending pending, int alone)
{
	(void)c;
	do_confirm(t, t->cmd_index == 0 ? pending : DLG_PENDING_NONE, alone);
}

static void h_deny(struct turn *t, const struct und_cmd *c, enum dlg_pending pending, int alone)
{
	(void)c;
	do_deny(t, pending, alone);
}

static void h_order_status(struct turn *t, const struct und_cmd *c, enum dlg_pending pending, int alone)
{
	(void)pending; (void)alone;
	act_order_status(t, c);
}

static void h_cancel_order(struct turn *t, const struct und_cmd *c, enum dlg_pending pending, int alone)
{
	(void)pending; (void)alone;
	act_cancel_order(t, c);
}

static void h_undo(struct turn *t, const struct und_cmd *c, enum dlg_pending pending, int alone)
{
	(void)c; (void)pending; (void)alone;
	act_undo(t);
}

static void h_undo_batch(struct turn *t, const struct und_cmd *c, enum dlg_pending pending, int alone)
{
	(void)c; (void)pending; (void)alone;
	act_undo_batch(t);
}

static void h_help(struct turn *t, const struct und_cmd *c, enum dlg_pending pending, int alone)
{
	(void)c; (void)pending; (void)alone;
	say_help(t);
}

static void h_greet(struct turn *t, const struct und_cmd *c, enum dlg_pending pending, int alone)
{
	(void)c; (void)pending;
	if (alone)
		reply_say(&t->r, "Hi! What can I get you today?");
}

static void h_thanks(struct turn *t, const struct und_cmd *c, enum dlg_pending pending, int alone)
{
	(void)c; (void)pending;
	if (alone)
		reply_say(&t->r, "You're welcome! Anything else?");
}

static void h_bye(struct turn *t, const struct und_cmd *c, enum dlg_pending pending, int alone)
{
	(void)c; (void)pending; (void)alone;
	reply_say(&t->r, "Goodbye, happy shopping!");
}

/* The one dispatch table: route -> handler (none for UND_INTENT_COUNT). */
static const dlg_handler handlers[ROUTE_COUNT] = {
	[UND_NONE] = h_fragment,
	[UND_SEARCH] = h_search,
	[UND_MORE_RESULTS] = h_more,
	[UND_CHEAPER] = h_cheaper,
	[UND_INFO] = h_info,
	[UND_PRICE] = h_info,
	[UND_STOCK] = h_info,
	[UND_ADD] = h_add,
	[UND_REMOVE] = h_remove,
	[UND_SET] = h_set,
	[UND_LESS] = h_less,
	[UND_VIEW_CART] = h_view_cart,
	[UND_CART_TOTAL] = h_cart_total,
	[UND_CLEAR_CART] = h_clear,
	[UND_CHECKOUT] = h_checkout,
	[UND_CONFIRM] = h_confirm,
	[UND_DENY] = h_deny,
	[UND_ORDER_STATUS] = h_order_status,
	[UND_CANCEL_ORDER] = h_cancel_order,
	[UND_UNDO] = h_undo,
	[UND_HELP] = h_help,
	[UND_GREET] = h_greet,
	[UND_THANKS] = h_thanks,
	[UND_BYE] = h_bye,
	[ROUTE_SWAP] = h_swap,
	[ROUTE_CORRECT] = h_correct,
	[ROUTE_PLACE_ORDER] = h_place_order,
	[ROUTE_UNDO_BATCH] = h_undo_batch,
};

/* After the handler: "buy me the speaker" goes straight to the checkout; "buy it now"
 * with nothing in mind checks the cart out. */
static void then_buy(struct turn *t, const struct und_cmd *c)
{
	if (c->intent != UND_ADD || !c->buy)
		return;
	if (t->changed_cart || t->no_ref)
		act_checkout(t);
}

static void run_command(struct turn *t, const struct und_cmd *c_in, enum dlg_pending pending, int alone)
{
	struct und_cmd merged, *c = &merged;
	merged = *c_in;
	t->cart_said = c->cart_said;
	if (c->nitems > 1 && (c->intent == UND_ADD || c->intent == UND_REMOVE || c->intent == UND_SEARCH))
		merge_and_items(t, c);
	for (size_t i = 0; i < sizeof readings / sizeof readings[0]; i++)
		if (readings[i](t, c, pending))
			return;
	int route = route_of(t, c, pending);
	if (handlers[route])
		handlers[route](t, c, pending, alone);
	then_buy(t, c);
}

/* The products of st->shown that are one choice's. */
static cJSON *choice_products(const struct buddy_state *st, const struct dlg_choice *ch)
{
	cJSON *arr = cJSON_CreateArray();
	for (int k = 0; k < ch->n; k++) {
		const cJSON *p;
		cJSON_ArrayForEach(p, st->shown)
			if (dlg_id(p) == ch->ids[k]) {
				cJSON_AddItemToArray(arr, cJSON_Duplicate(p, 1));
				break;
			}
	}
	return arr;
}

/* "Did you mean ...? And did you mean ...?": the questions of several choices, one
 * after the other, the later ones opened with "And". */
static void ask_choices(struct turn *t, const struct dlg_choice *chs, int n)
{
	char q[sizeof t->question] = "";
	size_t len = 0;
	for (int i = 0; i < n && len < sizeof q; i++) {
		const char *s = chs[i].question;
		if (i == 0)
			len += (size_t)snprintf(q + len, sizeof q - len, "%s", s);
		else
			len += (size_t)snprintf(q + len, sizeof q - len, " And %c%s",
						s[0] >= 'A' && s[0] <= 'Z' ? s[0] - 'A' + 'a' : s[0], s[0] ? s + 1 : "");
	}
	snprintf(t->question, sizeof t->question, "%s", q);
}

/* At the end of a turn that asked several choices (only choices, only of adds):
 * all of them stay open, and the reply asks every one. */
static void keep_choices(struct turn *t)
{
	struct buddy_state *st = t->st;
	int n = t->nchoices;
	if (n < 2 || st->pending != DLG_PENDING_CHOOSE || !t->choice_shown)
		return;
	for (int i = 0; i < n; i++)
		if (t->choices[i].intent != UND_ADD && t->choices[i].intent != UND_NONE)
			return;
	memcpy(st->choices, t->choices, (size_t)n * sizeof st->choices[0]);
	st->nchoices = n;
	cJSON_Delete(st->shown);
	st->shown = t->choice_shown;
	t->choice_shown = NULL;
	st->shown_is_cart = 0;
	st->shown_turn = st->turn;
	st->pending_intent = UND_ADD;
	st->pending_qty = 0;
	ask_choices(t, st->choices, n);
}

/* The choice a product answers: the one holding it, else the one whose products
 * are most like it ("the espresso beans" for a choice of coffees).  -1: none. */
static int choice_of(struct turn *t, const cJSON *p, const unsigned char *done)
{
	struct buddy_state *st = t->st;
	for (int g = 0; g < st->nchoices; g++)
		for (int k = 0; k < st->choices[g].n && !done[g]; k++)
			if (st->choices[g].ids[k] == dlg_id(p))
				return g;
	struct text_words tw;
	text_split(dlg_str(p, "title"), &tw);
	struct match_query q = { 0 };
	for (int i = 0; i < tw.n && q.n < MATCH_MAX_WORDS; i++) {
		if (lex_is_stopword(tw.w[i]) || text_is_digits(tw.w[i]))
			continue;
		snprintf(q.w[q.n], TEXT_WORD_LEN, "%s", tw.w[i]);
		q.weight[q.n++] = 1.0;
	}
	int best = -1;
	double best_cov = 0.3;
	for (int g = 0; g < st->nchoices; g++) {
		if (done[g])
			continue;
		cJSON *arr = choice_products(st, &st->choices[g]);
		const cJSON *c;
		cJSON_ArrayForEach(c, arr) {
			double cov = 0;
			match_score(&q, c, &cov);
			if (cov > best_cov) {
				best_cov = cov;
				best = g;
			}
		}
		cJSON_Delete(arr);
	}
	return best;
}

/* The answer to several choices asked at once ("gala, and the espresso beans", "the
 * brown ones and the sourdough", "the first one"): each part settles the choice it
 * answers, with that choice's count; the choices left open are asked again.
 * Returns 1 when the utterance answered at least one of them. */
static int answer_choices(struct turn *t, const struct und_result *r)
{
	struct buddy_state *st = t->st;
	if (st->nchoices < 2)
		return 0;
	for (int i = 0; i < r->n; i++) {
		enum und_intent in = r->cmd[i].intent;
		if ((in != UND_NONE && in != UND_ADD && in != UND_CONFIRM) || r->cmd[i].ask || r->cmd[i].yesno)
			return 0;
	}
	unsigned char done[DLG_MAX_CHOICES] = { 0 };
	const cJSON *pick[DLG_MAX_CHOICES * 2];
	int qty[DLG_MAX_CHOICES * 2], group[DLG_MAX_CHOICES * 2], npick = 0;
	cJSON *keep = cJSON_CreateArray();	/* owns what was resolved */
	for (int i = 0; i < r->n; i++) {
		const struct und_cmd *c = &r->cmd[i];
		for (int k = 0; k < c->nitems && npick < DLG_MAX_CHOICES * 2; k++) {
			const struct und_item *it = &c->items[k];
			const cJSON *p = NULL;
			int g = -1;
			if (it->ref == UND_REF_ORDINAL && it->nwords == 0) {
				for (g = 0; g < st->nchoices && done[g]; g++)
					;
				if (g >= st->nchoices)
					continue;
				int idx = it->ordinal < 0 ? st->choices[g].n + it->ordinal : it->ordinal;
				if (idx < 0 || idx >= st->choices[g].n)
					continue;
				cJSON *arr = choice_products(st, &st->choices[g]);
				cJSON *one = cJSON_DetachItemFromArray(arr, idx);
				cJSON_Delete(arr);
				if (!one)
					continue;
				cJSON_AddItemToArray(keep, one);
				p = one;
			} else if (it->ref == UND_REF_WORDS && it->nwords > 0 && !names_nothing(t, it)) {
				struct resolution res;
				resolve_item(t, it, RES_CATALOG, &res);
				if (res.status == RES_OK && cJSON_GetArraySize(res.products) == 1) {
					cJSON *one = cJSON_DetachItemFromArray(res.products, 0);
					cJSON_AddItemToArray(keep, one);
					p = one;
				}
				resolve_free(&res);
				if (!p)
					continue;
				g = choice_of(t, p, done);
				if (g < 0)
					continue;
			} else {
				continue;
			}
			done[g] = 1;
			pick[npick] = p;
			group[npick] = g;
			qty[npick++] = it->qty > 0 ? it->qty : st->choices[g].qty > 0 ? st->choices[g].qty : 1;
		}
	}
	if (npick == 0) {
		cJSON_Delete(keep);
		return 0;
	}
	st->pending = DLG_PENDING_NONE;
	t->main = UND_ADD;
	struct dlg_choice left[DLG_MAX_CHOICES];
	int nleft = 0;
	for (int g = 0; g < st->nchoices; g++)
		if (!done[g])
			left[nleft++] = st->choices[g];
	cJSON *shown_left = cJSON_CreateArray();
	for (int g = 0; g < nleft; g++) {
		cJSON *arr = choice_products(st, &left[g]);
		cJSON *p;
		while ((p = cJSON_DetachItemFromArray(arr, 0)))
			cJSON_AddItemToArray(shown_left, p);
		cJSON_Delete(arr);
	}
	st->nchoices = 0;
	for (int i = 0; i < npick; i++) {
		(void)group[i];
		act_add_product(t, pick[i], qty[i], 0);
	}
	if (nleft > 0) {
		/* the choices not answered yet are asked again */
		cJSON_Delete(st->shown);
		st->shown = shown_left;
		shown_left = NULL;
		st->shown_is_cart = 0;
		st->shown_turn = st->turn;
		st->pending_intent = UND_ADD;
		st->pending_qty = nleft == 1 ? left[0].qty : 0;
		if (nleft > 1) {
			memcpy(st->choices, left, (size_t)nleft * sizeof left[0]);
			st->nchoices = nleft;
		}
		ask_choices(t, left, nleft);
		st->pending = DLG_PENDING_CHOOSE;
		st->pending_turn = st->turn;
		t->asked = 1;
	}
	cJSON_Delete(shown_left);
	cJSON_Delete(keep);
	return 1;
}

/* "yes, the whole wheat", "yes the mint one" after "Shall I add it?": the words name
 * the product offered. */
static int names_offer(struct turn *t, const struct und_item *it)
{
	struct resolution res;
	resolve_item(t, it, RES_CATALOG, &res);
	int offered = 0;
	const cJSON *p;
	if (res.status == RES_OK || res.status == RES_AMBIGUOUS)
		cJSON_ArrayForEach(p, res.products)
			offered |= dlg_id(p) == t->st->suggest_id;
	offered &= res.status == RES_OK || cJSON_GetArraySize(res.products) > 0;
	int first = res.status == RES_OK ||
		    (res.status == RES_AMBIGUOUS && dlg_id(cJSON_GetArrayItem(res.products, 0)) == t->st->suggest_id);
	resolve_free(&res);
	return offered && first;
}

/* 1 when a command of the utterance asks for something else than the open question
 * offers: names a product of the catalog, or asks about the cart, orders, prices... */
static int asks_something_else(struct turn *t, const struct und_result *r, enum dlg_pending pending)
{
	for (int i = 0; i < r->n; i++) {
		const struct und_cmd *c = &r->cmd[i];
		switch (c->intent) {
		case UND_VIEW_CART: case UND_CART_TOTAL: case UND_CLEAR_CART: case UND_MORE_RESULTS:
		case UND_CHEAPER: case UND_HELP: case UND_SEARCH: case UND_INFO: case UND_PRICE:
		case UND_STOCK: case UND_UNDO: case UND_LESS: case UND_SET:
			return 1;
		case UND_ORDER_STATUS:
			if (pending != DLG_PENDING_CANCEL)
				return 1;
			break;
		case UND_REMOVE:
			if (pending != DLG_PENDING_CANCEL)
				return 1;
			break;
		default:
			break;
		}
		if (c->yesno || (c->ask && c->intent != UND_CONFIRM))
			return 1;
		for (int k = 0; k < c->nitems; k++) {
			const struct und_item *it = &c->items[k];
			if (it->ref == UND_REF_ORDINAL || it->ref == UND_REF_OTHER || it->pick != UND_PICK_NONE ||
			    it->nneg > 0)
				return 1;
			if (it->ref != UND_REF_WORDS || !it->nwords)
				continue;
			/* "both, two of each": how they are shared, not a product */
			if (it->nwords == 1 && (!strcmp(it->words[0], "each") || !strcmp(it->words[0], "every")))
				continue;
			struct match_query q;
			char missing[128];
			resolve_query(t, it, &q, missing, sizeof missing);
			if (q.n > 0 && !(pending == DLG_PENDING_SUGGEST && names_offer(t, it)))
				return 1;
		}
	}
	return 0;
}

static int catalog_knows(void *ctx, const char *w);

/* 1 when product p's title or tags have word w (not its description). */
static int choice_has_word(const cJSON *p, const char *w)
{
	char all[1024];
	snprintf(all, sizeof all, "%s", dlg_str(p, "title"));
	const cJSON *tag;
	cJSON_ArrayForEach(tag, cJSON_GetObjectItemCaseSensitive(p, "tags"))
		if (cJSON_IsString(tag))
			snprintf(all + strlen(all), sizeof all - strlen(all), " %s", tag->valuestring);
	struct text_words *tw = malloc(sizeof *tw);
	if (!tw)
		return 0;
	text_split(all, tw);
	int has = 0;
	for (int i = 0; i < tw->n && !has; i++)
		has = match_word_similarity(w, tw->w[i]) >= 0.85;
	free(tw);
	return has;
}

/* "whole milk, the normal cow's one", "the four pack. one's fine": the answer to "Did
 * you mean the X or the Y?" read from the words each choice has (a size in its title
 * counts too); words no choice has are the shopper's own, a count is how many.  A
 * word of something sold that no choice has is a new request, not an answer. */
/* "no, just the green and the chamomile", "the plain ones and the everything ones" to
 * "Which one would you like?": each product named is one of the list read out when
 * its words are those of exactly one of them; then each is taken (a question before
 * the correction, "all three?", is what the correction answers).  Else 0: each is
 * read on its own. */
static int answer_several(struct turn *t, const struct und_result *r)
{
	struct buddy_state *st = t->st;
	int n = cJSON_GetArraySize(st->shown);
	if (st->pending != DLG_PENDING_CHOOSE || n < 2 || st->shown_is_cart ||
	    (st->pending_intent != UND_ADD && st->pending_intent != UND_NONE && st->pending_intent != UND_SEARCH))
		return 0;
	if (n > DLG_READ_MAX)
		n = DLG_READ_MAX;
	int pick[UND_MAX_CMDS * UND_MAX_ITEMS], qtys[UND_MAX_CMDS * UND_MAX_ITEMS], np = 0;
	for (int i = 0; i < r->n; i++) {
		const struct und_cmd *c = &r->cmd[i];
		if (c->intent != UND_NONE && c->intent != UND_ADD && c->intent != UND_CONFIRM && c->intent != UND_DENY)
			return 0;
		for (int k = 0; k < c->nitems; k++) {
			const struct und_item *it = &c->items[k];
			if (it->ref != UND_REF_WORDS || it->nwords == 0)
				continue;
			if (it->nneg || it->pick != UND_PICK_NONE)
				return 0;
			int found = -1, hits = 0;
			for (int j = 0; j < n; j++) {
				const cJSON *p = cJSON_GetArrayItem(st->shown, j);
				int all = 1, content = 0;
				for (int w = 0; w < it->nwords && all; w++) {
					if (it->wctx[w] || lex_is_stopword(it->words[w]) || lex_is_common(it->words[w]))
						continue;
					content = 1;
					all = choice_has_word(p, it->words[w]);
				}
				if (all && content) {
					found = j;
					hits++;
				}
			}
			if (hits != 1)
				return 0;
			pick[np] = found;
			qtys[np++] = it->qty;
		}
	}
	if (np < 2)
		return 0;
	cJSON *shown = cJSON_Duplicate(st->shown, 1);
	int each = st->pending_qty > 0 ? st->pending_qty : 1;
	st->pending = DLG_PENDING_NONE;
	st->nchoices = 0;
	t->main = UND_ADD;
	for (int i = 0; i < np; i++)
		act_add_product(t, cJSON_GetArrayItem(shown, pick[i]), qtys[i] > 0 ? qtys[i] : each, 0);
	cJSON_Delete(shown);
	return 1;
}

static int answer_by_words(struct turn *t, const struct und_result *r, const char *text)
{
	struct buddy_state *st = t->st;
	for (int i = 0; i < r->n; i++) {
		enum und_intent in = r->cmd[i].intent;
		if (r->cmd[i].ask || r->cmd[i].yesno || r->cmd[i].comment || in == UND_INFO || in == UND_PRICE ||
		    in == UND_STOCK || in == UND_CHEAPER || in == UND_REMOVE || in == UND_SET || in == UND_LESS ||
		    in == UND_MORE_RESULTS || in == UND_VIEW_CART || in == UND_CART_TOTAL || in == UND_CHECKOUT)
			return 0;	/* a question or another request, not the answer */
	}
	int n = cJSON_GetArraySize(st->shown), named = 0;
	for (int i = 0; i < r->n; i++)
		for (int k = 0; k < r->cmd[i].nitems; k++)
			named += r->cmd[i].items[k].ref == UND_REF_WORDS && r->cmd[i].items[k].nwords > 0;
	if (named > 1)	/* "the plain ones and the everything ones" */
		return answer_several(t, r);
	if (st->pending != DLG_PENDING_CHOOSE || n < 2 || n > 16 || st->shown_is_cart ||
	    (st->pending_intent != UND_ADD && st->pending_intent != UND_NONE && st->pending_intent != UND_SEARCH &&
	     st->pending_intent != UND_INFO))
		return 0;
	struct text_words *tw = malloc(sizeof *tw);
	if (!tw)
		return 0;
	und_clean(text, tw);
	int score[16] = { 0 }, qty = 0, stray = 0, said = 0;
	for (int i = 0; i < tw->n; i++) {
		const char *w = tw->w[i];
		long v;
		int len = num_parse(tw, i, tw->n, &v);
		if (len) {
			const char *unit = i + len < tw->n ? lex_size_unit(tw->w[i + len]) : NULL;
			if (unit && !text_is(tw, i + len, "packs")) {
				/* "the four pack", "the 12 oz one": a size a title states */
				char sz[64];
				snprintf(sz, sizeof sz, "%ld %s", v, unit);
				for (int k = 0; k < n; k++)
					if (strcasestr(dlg_str(cJSON_GetArrayItem(st->shown, k), "title"), sz))
						score[k] += 2;
				said = 1;
				i += len;
				continue;
			}
			/* "the crunchy one, two jars": that "one" is the product, not a count */
			int pronoun = len == 1 && text_is(tw, i, "one") && i > 0 &&
				      (text_is(tw, i - 1, "the") || text_is(tw, i - 1, "that") || text_is(tw, i - 1, "this") ||
				       !lex_is_stopword(tw->w[i - 1]));
			if (!qty && v > 0 && v < 1000 && !pronoun && !num_counts_choices(tw, i))
				qty = (int)v;
			i += len - 1;
			continue;
		}
		if (lex_is_stopword(w) || lex_is_negator(w))
			continue;
		int neg = (i > 0 && lex_is_negator(tw->w[i - 1])) ||
			  (i > 1 && lex_is_negator(tw->w[i - 2]) && text_is(tw, i - 1, "the"));
		int any = 0;
		for (int k = 0; k < n; k++) {
			if (choice_has_word(cJSON_GetArrayItem(st->shown, k), w)) {
				score[k] += neg ? -2 : 1;
				any = 1;
			}
		}
		said |= any;
		if (!any && !lex_is_common(w) && !lex_is_unit(w) && !lex_is_soft(w) && catalog_knows(t, w))
			stray = 1;
	}
	free(tw);
	int best = -1, tie = 0;
	for (int k = 0; k < n; k++) {
		if (best < 0 || score[k] > score[best])
			best = k, tie = 0;
		else if (score[k] == score[best])
			tie = 1;
	}
	if (!said || stray || best < 0 || tie || score[best] <= 0)
		return 0;
	cJSON *p = cJSON_Duplicate(cJSON_GetArrayItem(st->shown, best), 1);
	st->pending = DLG_PENDING_NONE;
	st->nchoices = 0;
	t->main = UND_ADD;
	act_add_product(t, p, qty > 0 ? qty : st->pending_qty > 0 && st->pending_intent != UND_INFO ? st->pending_qty : 1, 0);
	cJSON_Delete(p);
	return 1;
}

/* The open question owns the next utterance: "sure, put it through", "okay, one's
 * fine", "i'll take what's left", "all of them then", "yes, go on and order it" are
 * read as answers to it first, before anything else they could mean.  Returns 1
 * when the utterance was the answer (and it was acted on). */
static int answer_open_question(struct turn *t, const struct und_result *r, enum dlg_pending pending,
				const char *text)
{
	struct buddy_state *st = t->st;
	if (pending == DLG_PENDING_NONE)
		return 0;
	struct text_words *tw = malloc(sizeof *tw);
	if (!tw)
		return 0;
	und_clean(text, tw);
	char which = pending == DLG_PENDING_CHECKOUT ? 'c' : pending == DLG_PENDING_CANCEL ? 'x' : 'a';
	int yes = 0, no = 0, act = 0, all = 0, qty = 0, nwords = tw->n;
	for (int i = 0; i < tw->n;) {
		int len = 0, pol = lex_polarity_at(tw, i, tw->n, &len);
		long v;
		if (pol) {
			*(pol > 0 ? &yes : &no) = 1;
			i += len;
			continue;
		}
		if ((len = lex_all_offered_at(tw, i, tw->n))) {
			all = 1;
			i += len;
			continue;
		}
		if (lex_act_word(tw->w[i], which))
			act = 1;
		/* "that one", "the one": which, not how many */
		int which_one = text_is(tw, i, "one") && i > 0 &&
				(text_is(tw, i - 1, "that") || text_is(tw, i - 1, "this") || text_is(tw, i - 1, "the"));
		if (!which_one && !qty && !num_counts_choices(tw, i) && (len = num_parse(tw, i, tw->n, &v)) &&
		    v > 0 && v <= 1000) {
			qty = (int)v;
			i += len;
			continue;
		}
		i++;
	}
	free(tw);
	if (no || nwords == 0 || asks_something_else(t, r, pending))
		return 0;
	switch (pending) {
	case DLG_PENDING_CHECKOUT:
		if (!yes && !act)
			return 0;
		t->main = UND_CHECKOUT;
		act_place_order(t);
		return 1;
	case DLG_PENDING_CANCEL:
		if (!yes && !act)
			return 0;
		t->main = UND_CANCEL_ORDER;
		act_cancel_confirmed(t, st->pending_order);
		st->pending = DLG_PENDING_NONE;
		return 1;
	case DLG_PENDING_SUGGEST:
		if (!yes && !act && !all && !qty)
			return 0;
		st->suggest_qty = qty > 0 ? qty : st->suggest_qty > 0 ? st->suggest_qty : 1;
		st->pending = DLG_PENDING_NONE;
		t->main = UND_ADD;
		accept_suggestion(t);
		return 1;
	case DLG_PENDING_CHOOSE: {
		if (!all)
			return 0;
		int n = cJSON_GetArraySize(st->shown);
		if (n == 0)
			return 0;
		if (n > DLG_READ_MAX)
			n = DLG_READ_MAX;
		cJSON *pick = cJSON_Duplicate(st->shown, 1);
		int each = qty > 0 ? qty : st->pending_qty > 0 ? st->pending_qty : 1;
		enum und_intent what = st->pending_intent == UND_REMOVE ? UND_REMOVE : UND_ADD;
		st->pending = DLG_PENDING_NONE;
		t->main = what;
		for (int i = 0; i < n; i++) {
			const cJSON *p = cJSON_GetArrayItem(pick, i);
			if (what == UND_REMOVE) {
				/* "remove the eggs" - "both of them" */
				struct und_cmd rm;
				memset(&rm, 0, sizeof rm);
				rm.intent = UND_REMOVE;
				rm.nitems = 1;
				rm.items[0].ref = UND_REF_IT;
				rm.items[0].qty = qty;
				dlg_focus_one(t, dlg_id(p));
				act_remove(t, &rm, &rm.items[0]);
			} else {
				act_add_product(t, p, each, 0);
			}
		}
		cJSON_Delete(pick);
		return 1;
	}
	case DLG_PENDING_NONE:
		break;
	}
	return 0;
}

/* "did you add it??", "have you taken the penne out?": a question whether the
 * change was made, answered from the cart, never done again.  Returns 1 when
 * answered. */
static int asked_done(struct turn *t, const struct und_result *r, const char *text)
{
	if (r->n != 1 || r->cmd[0].nitems > 1 ||
	    (r->cmd[0].intent != UND_ADD && r->cmd[0].intent != UND_REMOVE && r->cmd[0].intent != UND_NONE))
		return 0;
	struct text_words *tw = malloc(sizeof *tw);
	if (!tw)
		return 0;
	und_clean(text, tw);
	int k = 0;
	while (k < tw->n && (text_is(tw, k, "so") || text_is(tw, k, "wait") || text_is(tw, k, "um") ||
			     text_is(tw, k, "uh") || text_is(tw, k, "sorry") || text_is(tw, k, "oh") ||
			     text_is(tw, k, "hey") || text_is(tw, k, "and")))
		k++;
	int asks = lex_asks_done_at(tw, k, tw->n) > 0;
	free(tw);
	if (!asks)
		return 0;
	struct und_cmd cmd = r->cmd[0], *c = &cmd;
	if (c->intent == UND_NONE) {
		/* "have you taken the penne out?": the change asked about, from its words */
		if (c->nitems == 0)
			return 0;
		struct und_item *it = &c->items[0];
		c->intent = UND_ADD;
		for (int w = 0; w < it->nwords; w++)
			if (lex_is_removed_word(it->words[w])) {
				c->intent = UND_REMOVE;
				memmove(&it->words[w], &it->words[w + 1], (size_t)(it->nwords - w - 1) * sizeof it->words[0]);
				memmove(&it->wctx[w], &it->wctx[w + 1], (size_t)(it->nwords - w - 1));
				it->nwords--;
				w--;
			}
		if (it->nwords == 0 && it->ref == UND_REF_WORDS)
			it->ref = UND_REF_IT;
	}
	struct buddy_state *st = t->st;
	ensure_cart(t);
	cJSON *p = NULL;
	if (c->nitems == 0 || c->items[0].ref == UND_REF_IT || c->items[0].ref == UND_REF_NONE) {
		int64_t id = st->last.kind != DLG_LAST_NONE && st->last.turn >= st->focus_turn ? st->last.id :
			     st->nfocus > 0 ? st->focus[0] : 0;
		char code[BUDDY_ERR_CODE_LEN] = "", msg[BUDDY_ERR_MSG_LEN] = "";
		if (id <= 0 || t->tools->product_get(t->tools->ctx, id, &p, code, msg) != 0) {
			cJSON_Delete(p);
			return 0;
		}
	} else {
		struct resolution res;
		resolve_item(t, &c->items[0], RES_CART, &res);
		if (res.status != RES_OK)
			resolve_item(t, &c->items[0], RES_CATALOG, (resolve_free(&res), &res));
		if (res.status == RES_OK)
			p = cJSON_DetachItemFromArray(res.products, 0);
		resolve_free(&res);
		if (!p)
			return 0;
	}
	char title[160], n[64];
	reply_title(p, title, sizeof title);
	int line = dlg_cart_qty(t->cart, dlg_id(p));
	reply_count(line, n, sizeof n);
	if (c->intent == UND_ADD && line > 0)
		reply_say(&t->r, "Yes, you have %s %s in your cart.", n, title);
	else if (c->intent == UND_ADD) {
		reply_say(&t->r, "No, %s isn't in your cart.", title);
		dlg_question(t, "Shall I add it?");
		st->suggest_id = dlg_id(p);
		st->suggest_qty = 1;
		dlg_focus_one(t, dlg_id(p));
		dlg_ask(t, DLG_PENDING_SUGGEST);
	} else if (line == 0)
		reply_say(&t->r, "Yes, %s is out of your cart.", title);
	else
		reply_say(&t->r, "No, you still have %s %s in your cart.", n, title);
	t->main = UND_VIEW_CART;
	cJSON_Delete(p);
	return 1;
}

/* The intent reported for the turn: the first one that does something. */
static enum und_intent main_intent(const struct und_result *r, enum dlg_pending pending)
{
	for (int i = 0; i < r->n; i++) {
		enum und_intent in = r->cmd[i].intent;
		if (in == UND_CONFIRM && pending == DLG_PENDING_CHECKOUT && i == 0)
			return UND_CHECKOUT;
		if (r->cmd[i].lead || ((in == UND_GREET || in == UND_THANKS || in == UND_CONFIRM) && i + 1 < r->n))
			continue;
		return in;
	}
	return r->n > 0 ? r->cmd[0].intent : UND_NONE;
}

static void run_turn(struct turn *t, const struct und_result *r, enum dlg_pending pending,
		     const char *text, const char *said)
{
	struct buddy_state *st = t->st;
	int placed = 0;
	enum und_intent ran = UND_NONE;	/* what the previous command did */
	t->ncmds = r->n;
	t->answered = pending == DLG_PENDING_CHOOSE && answer_choices(t, r);
	/* the open choice owns the utterance: read first as which of what was shown,
	 * from every word said (a constraint too: "the ones without garlic") */
	if (!t->answered && pending == DLG_PENDING_CHOOSE && st->nchoices < 2)
		t->answered = act_choose_described(t, r, 2, said);
	if (!t->answered && pending == DLG_PENDING_CHOOSE)
		t->answered = answer_by_words(t, r, text);
	if (!t->answered)
		t->answered = answer_open_question(t, r, pending, text);
	if (!t->answered && asked_done(t, r, text))
		t->answered = 1;
	if (!t->answered && pending != DLG_PENDING_CHOOSE && act_need_retrieve(t, r))
		t->answered = 1;
	if (!t->answered && act_cart_question(t, r, text))
		t->answered = 1;
	if (!t->answered && (act_count_frame(t, r, text) || act_count_change_frame(t, r, text)))
		t->answered = 1;
	if (!t->answered && (act_budget_product(t, r) || act_choose_by_need(t, r, text) ||
			     act_suits(t, r, text) || act_compare(t, text) || act_measure(t, text)))
		t->answered = 1;
	if (!t->answered && act_reorder_frame(t, r, text))
		t->answered = 1;
	if (!t->answered && act_swap_frame(t, r, text))
		t->answered = 1;
	if (!t->answered && act_choose_described(t, r, pending == DLG_PENDING_CHOOSE, text))
		t->answered = 1;
	for (int i = 0; i < r->n && !t->answered; i++) {
		if (t->r.out && t->r.out->cancelled && t->r.out->cancelled(t->r.out->ctx))
			break;
		const struct und_cmd *c = &r->cmd[i];
		/* "yes, charge my card", "yes place it, thanks": the yes said it all */
		if (placed && (c->intent == UND_NONE || c->intent == UND_CHECKOUT || c->intent == UND_CONFIRM ||
			       c->intent == UND_THANKS))
			continue;
		if (i == 0 && c->intent == UND_CONFIRM && pending == DLG_PENDING_CHECKOUT && r->n > 1 &&
		    (r->cmd[1].intent == UND_NONE || r->cmd[1].intent == UND_THANKS ||
		     r->cmd[1].intent == UND_CHECKOUT)) {
			t->cmd_index = 0;
			run_command(t, c, pending, 0);
			placed = 1;
			continue;
		}
		/* a question is answered only by the command right after it */
		enum dlg_pending p = i == 0 || (i == 1 && r->cmd[0].lead) ? pending : DLG_PENDING_NONE;
		if (c->lead && pending == DLG_PENDING_CHECKOUT)
			p = DLG_PENDING_NONE;
		t->cmd_index = i - (r->cmd[0].lead && i > 0 ? 1 : 0);
		if (is_cart_change(c->intent) || c->intent == UND_SEARCH)
			ensure_cart(t);
		if (c->intent != UND_CONFIRM && c->intent != UND_DENY && c->intent != UND_NONE &&
		    st->pending == pending && !c->lead)
			st->pending = DLG_PENDING_NONE;
		/* ("no, the kids won't touch that, the no pulp one": the correction is the
		 * constraint said with it, for the last product) */
		if (c->intent == UND_NONE && c->nitems > 0 && !und_item_has_ref(&c->items[0]) &&
		    c->items[0].nneg == 0 && c->items[0].qty == 0 &&
		    !(c->correction && (t->needs.excl || t->needs.req) && st->last.kind != DLG_LAST_NONE &&
		      st->last.turn >= st->turn - 2))
			continue;
		/* "two cans of... no, two packs of the sparkling water": what the
		 * correction right after restates is not asked about */
		if (c->intent == UND_NONE && c->nitems == 1 && !und_item_has_ref(&c->items[0]) &&
		    !c->items[0].nneg && i + 1 < r->n && r->cmd[i + 1].correction && r->cmd[i + 1].nitems > 0 &&
		    und_item_has_ref(&r->cmd[i + 1].items[0]))
			continue;
		/* "yes, two of them" */
		if (c->intent == UND_CONFIRM && i + 1 < r->n && r->cmd[i + 1].intent == UND_NONE &&
		    r->cmd[i + 1].nitems > 0 && r->cmd[i + 1].items[0].qty > 0 &&
		    (p == DLG_PENDING_SUGGEST || p == DLG_PENDING_CHOOSE) &&
		    (!und_item_has_ref(&r->cmd[i + 1].items[0]) || r->cmd[i + 1].items[0].ref == UND_REF_THEM ||
		     r->cmd[i + 1].items[0].ref == UND_REF_IT)) {
			st->suggest_qty = st->pending_qty = r->cmd[i + 1].items[0].qty;
			run_command(t, c, p, 0);
			i++;
			continue;
		}
		/* "ok, i'll take the bose": the command says what to do, not the yes */
		if (c->intent == UND_CONFIRM && i + 1 < r->n && r->cmd[i + 1].intent != UND_CONFIRM &&
		    !(r->cmd[i + 1].intent == UND_NONE && r->cmd[i + 1].nitems > 0 &&
		      !und_item_has_ref(&r->cmd[i + 1].items[0])) &&
		    !(pending == DLG_PENDING_CHECKOUT && r->cmd[i + 1].intent == UND_CHECKOUT)) {
			if (pending == DLG_PENDING_CHECKOUT)
				st->pending = DLG_PENDING_NONE;
			continue;
		}
		if (c->kept && act_kept(t, c))
			continue;
		int alone = r->n == 1 || (r->n == 2 && r->cmd[0].lead == 0 && i == r->n - 1 &&
					  (r->cmd[0].intent == UND_GREET || r->cmd[0].intent == UND_CONFIRM));
		if (c->lead)
			alone = 0;
		/* "three packs of spaghetti and a jar of peanut butter": one of a list
		 * is done as the part before it was */
		struct und_cmd cont;
		if (c->intent == UND_NONE && c->and_said && (ran == UND_ADD || ran == UND_REMOVE) &&
		    p == DLG_PENDING_NONE && c->nitems > 0 && c->items[0].ref == UND_REF_WORDS && !c->items[0].nneg &&
		    !c->follow && !c->comment && !c->ask && !c->yesno && !c->correction) {
			cont = *c;
			cont.intent = ran;
			c = &cont;
		}
		run_command(t, c, p, alone);
		ran = c->intent != UND_NONE ? c->intent : t->main;
	}
	/* "need decaf coffee, add it": what was offered is in the cart now, so the offer
	 * is not asked any more */
	if (t->question[0] && st->pending == DLG_PENDING_SUGGEST && st->batch_turn == st->turn) {
		for (int i = 0; i < st->nbatch; i++) {
			if (st->batch[i].id == st->suggest_id) {
				t->question[0] = '\0';
				st->pending = DLG_PENDING_NONE;
				t->asked = 0;
				break;
			}
		}
	}
	keep_choices(t);
	act_budget_total(t);
	if (t->question[0]) {
		reply_say(&t->r, "%s", t->question);
		t->question[0] = '\0';
	}
	/* every turn says something, even when every command was a remark */
	if (t->r.sentences == 0) {
		if (r->nwords == 0)
			reply_say(&t->r, "Sorry, I didn't catch that. What would you like?");
		else
			reply_say(&t->r, "Sorry, I'm not sure what you mean. You can say things like add two bananas, or show my cart.");
	}
}

/* The utterance left once needs_read() took its constraints out: when nothing is left
 * ("nothing with dairy though", "no pulp please"), the constraint narrows the last
 * search; when it named a need and no product ("something to dry off with"), what
 * fits the need is asked for. */
static int catalog_knows(void *ctx, const char *w)
{
	struct turn *t = ctx;
	char fixed[TEXT_WORD_LEN];
	int cost = 9;
	const char *syn = lex_synonym(w);
	if (!t->have_vocab || lex_is_stopword(w))
		return 0;
	if (resolve_correct(t, w, fixed, sizeof fixed, &cost) && cost == 0)
		return 1;
	return syn && resolve_correct(t, syn, fixed, sizeof fixed, &cost) && cost == 0;
}

static const char *needs_rest(struct turn *t, char *rest, size_t len)
{
	const struct needs_frame *f = &t->needs;
	struct text_words *tw = malloc(sizeof *tw);
	int known = 0;
	if (tw) {
		und_clean(rest, tw);
		/* words after "for my", "because" are the situation, not the product, up to
		 * the next pause */
		for (int i = 0, ctx = 0; i < tw->n; i++) {
			if (i > 0 && tw->brk[i - 1])
				ctx = 0;
			if (i > 0 && lex_opens_context(tw, i, tw->n))
				ctx = 1;
			/* "for under 20 dollars", "i've only got 20 bucks": a price, not a
			 * product ("20" is in "20W USB-C Phone Charger") */
			struct price_range pr = { -1, -1 };
			int64_t cents;
			int pm = price_parse_range(tw, i, tw->n, &pr);
			if (pm <= 0)
				pm = price_parse_amount(tw, i, tw->n, 0, &cents);
			if (pm > 0) {
				i += pm - 1;
				continue;
			}
			known += !ctx && !lex_is_common(tw->w[i]) && catalog_knows(t, tw->w[i]) &&
				 !lex_is_negator(tw->w[i]) && !(f->nproduct && needs_describes(f, tw->w[i]));
		}
		free(tw);
	}
	if (known)
		return rest;
	if (!f->excl && !f->req && !f->nprefer && !f->nproduct) {
		/* a budget alone ("ok so how much is left?") is answered after the turn */
		if (f->budget_ask && len)
			rest[0] = '\0';
		return rest;
	}
	/* "something to listen to music on for under 30 bucks": the limit said stays */
	char limit[96] = "";
	if (f->nproduct > 0 && (tw = malloc(sizeof *tw))) {
		und_clean(rest, tw);
		for (int i = 0; i < tw->n && !*limit; i++) {
			struct price_range pr = { -1, -1 };
			if (price_parse_range(tw, i, tw->n, &pr) <= 0)
				continue;
			/* one phrase for both ends: "... and at most ..." would be cut at its "and"
			 * into a second request */
			if (pr.min_cents >= 0 && pr.max_cents >= 0)
				snprintf(limit, sizeof limit, " between %lld.%02lld and %lld.%02lld dollars",
					 (long long)(pr.min_cents / 100), (long long)(pr.min_cents % 100),
					 (long long)(pr.max_cents / 100), (long long)(pr.max_cents % 100));
			else if (pr.min_cents >= 0)
				snprintf(limit, sizeof limit, " at least %lld.%02lld dollars", (long long)(pr.min_cents / 100),
					 (long long)(pr.min_cents % 100));
			else if (pr.max_cents >= 0)
				snprintf(limit, sizeof limit, " at most %lld.%02lld dollars",
					 (long long)(pr.max_cents / 100), (long long)(pr.max_cents % 100));
		}
		free(tw);
	}
	if (f->nproduct > 1)
		snprintf(rest, len, "show me %s%s", f->product[0], limit);	/* act_search adds the others */
	else if (f->nproduct > 0)
		snprintf(rest, len, "i need %s%s", f->product[0], limit);
	else if (f->nprefer > 0 && !(t->st->shown_turn >= t->st->turn - 1 && cJSON_GetArraySize(t->st->shown) > 1))
		snprintf(rest, len, "show me %s", f->prefer[0]);
	else if (*t->st->last_query && t->st->shown_turn < t->st->turn - 1)
		snprintf(rest, len, "show me %s", t->st->last_query);
	return rest;
}

int buddy_turn(struct buddy_state *st, const struct buddy_tools *tools,
	       const struct buddy_output *out, const char *text, struct buddy_turn_info *info)
{
	struct buddy_turn_info dummy;
	if (!info)
		info = &dummy;
	memset(info, 0, sizeof *info);
	snprintf(info->intent, sizeof info->intent, "none");
	if (!st || !tools)
		return 0;
	const char *said = text;	/* as said, before the constraints were taken out */
	struct und_result *r = calloc(1, sizeof *r);
	struct turn *t = calloc(1, sizeof *t);
	char *rest = malloc(TEXT_MAX_INPUT);
	if (!r || !t || !rest) {
		free(r);
		free(t);
		free(rest);
		return 0;
	}
	st->turn++;
	t->st = st;
	t->tools = tools;
	const char *const *words = NULL, *const *cats = NULL;
	size_t nw = 0, nc = 0;
	if (tools->vocabulary && tools->vocabulary(tools->ctx, &words, &nw, &cats, &nc) == 0 && nw > 0) {
		t->vocab = (struct match_vocab){ words, nw, cats, nc,
						 tools->vocab_index ? tools->vocab_index(tools->ctx) : NULL };
		t->have_vocab = 1;
	}
	t->said = text;
	/* "milk, but nothing with dairy": the constraint is the turn's, the rest is parsed */
	if (needs_read_known(text, catalog_knows, t, &t->needs, rest, TEXT_MAX_INPUT))
		text = needs_rest(t, rest, TEXT_MAX_INPUT);
	if (t->needs.budget > 0)
		st->budget_cents = t->needs.budget;
	und_parse(text, r);
	object_phrases(t, r);
	lack_request(t, r);
	attach_mentions(t, r);
	same_amount(t, r);
	share_request(r);
	drop_context(t, r);
	int corrected = 0;
	for (int i = 0; i < r->n; i++)
		corrected |= r->cmd[i].correction || r->cmd[i].lead || r->cmd[i].fix;
	self_repairs(r);
	char clean[256];
	struct text_words *tw = malloc(sizeof *tw);
	clean[0] = '\0';
	if (tw) {
		und_clean(text, tw);
		text_join(tw, 0, tw->n, clean, sizeof clean);
		free(tw);
	}
	int repeated = *clean && !strcmp(clean, st->last_text);
	if (corrected || repeated)
		note_correction(st);
	snprintf(st->last_text, sizeof st->last_text, "%s", clean);
	info->sentiment = senti_score(text);
	info->frustrated = senti_frustrated(info->sentiment, senti_cues(text) + repeated,
					    recent_corrections(st));
	reply_init(&t->r, out, info->frustrated);
	if (info->frustrated)
		reply_apologise(&t->r);

	enum dlg_pending pending = st->pending;
	if ((pending == DLG_PENDING_CHECKOUT || pending == DLG_PENDING_CANCEL) &&
	    st->pending_turn != st->turn - 1)
		pending = DLG_PENDING_NONE;
	t->checkout_asked = pending == DLG_PENDING_CHECKOUT;
	if (pending != DLG_PENDING_CHOOSE)
		st->nchoices = 0;
	st->pending = pending;
	snprintf(info->intent, sizeof info->intent, "%s", und_intent_name(main_intent(r, pending)));
	run_turn(t, r, pending, text, said);
	st->last_intent = main_intent(r, pending);
	if ((st->last_intent == UND_NONE || t->answered) && t->main != UND_NONE) {
		st->last_intent = t->main;
		snprintf(info->intent, sizeof info->intent, "%s", und_intent_name(t->main));
	}
	if ((st->last_intent == UND_CART_TOTAL || st->last_intent == UND_VIEW_CART) && t->total_said &&
	    mentions_checkout(text))
		st->checkout_said_turn = st->turn;
	/* an unanswered question does not outlive the turn after it */
	if (!t->asked && st->pending == pending && pending != DLG_PENDING_NONE &&
	    st->pending_turn < st->turn)
		st->pending = DLG_PENDING_NONE;
	/* kept for "what was that again?" (sent already: only the end is cut) */
	snprintf(st->last_reply, sizeof st->last_reply, "%.*s", (int)(t->r.len < sizeof st->last_reply ? t->r.len : sizeof st->last_reply - 1), t->r.text);
	cJSON_Delete(t->cart);
	cJSON_Delete(t->choice_shown);
	free(t);
	free(r);
	free(rest);
	return 0;
}
