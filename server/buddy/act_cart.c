/*
 * act_cart.c - what the buddy does to the cart, and checkout.
 *
 * Every change goes through a tool and is reported as an action with the cart the
 * tool returned.  Stock is checked before adding so the shopper hears the truth
 * ("we only have three left") and an offer, not an error.  The last change is
 * remembered so "no, two", "make that the decaf" and "undo" can amend it.  Checkout
 * only ever asks; act_place_order() runs in the next turn, after a yes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buddy/dialogue.h"
#include "buddy/lexicon.h"
#include "buddy/needs.h"
#include "buddy/numbers.h"


static void title_of(const cJSON *p, char *out, size_t len)
{
	reply_title(p, out, len);
}

/* N when a title sells N in one unit ("Eggs 12 pack", "Bananas (bunch of 6)"), else 0. */
static int pack_size(const cJSON *p)
{
	struct text_words tw;
	text_split(dlg_str(p, "title"), &tw);
	for (int i = 0; i < tw.n; i++)
		if (text_is(&tw, i, "dozen"))
			return text_is(&tw, i - 1, "half") ? 6 : 12;	/* "Eggs (dozen)" */
	for (int i = 0; i + 1 < tw.n; i++) {
		if (text_is_digits(tw.w[i]) && (text_is(&tw, i + 1, "pack") || text_is(&tw, i + 1, "count") ||
						text_is(&tw, i + 1, "ct") || text_is(&tw, i + 1, "pcs")))
			return atoi(tw.w[i]);
		if (text_is(&tw, i, "of") && text_is_digits(tw.w[i + 1]))
			return atoi(tw.w[i + 1]);
	}
	return 0;
}

/* "a dozen eggs" of a product sold by the dozen is one carton, "2 dozen" two. */
/* "a dozen eggs" of a product sold by the dozen is one carton, "2 dozen" two; "24
 * cans of the seltzer" of a 12 pack is two packs, "18 bagels" of a 6 pack three:
 * a count of what is inside, at least one pack's worth, is a count of packs
 * (rounded up).  Said with a container ("two packs", "3 boxes") it is packs. */
static int units_of(const cJSON *p, const struct und_item *it, int qty)
{
	int pack = pack_size(p);
	if (it->dozen && pack > 1 && qty >= pack && qty % pack == 0)
		return qty / pack;
	/* "three lemons" of a 3 pack may be three packs; "12 eggs", "18 bagels" of a
	 * dozen or a 6 pack, and "24 cans", are what is inside */
	static const char *const inside[] = { "cans", "can", "pairs", "pair", "pieces", "piece",
		"bottles", "rolls", "bars", "bags", "count", "individual", "singles" };
	int said_inside = 0;
	for (int i = 0; i < it->nwords; i++)
		for (size_t k = 0; k < sizeof inside / sizeof *inside; k++)
			said_inside |= !strcmp(it->words[i], inside[k]) && strcmp(inside[k], "bags");
	if (pack <= 1 || qty < pack || (qty == pack && pack < 6 && !said_inside))
		return qty;
	static const char *const containers[] = { "pack", "packs", "box", "boxes", "bag", "bags",
		"carton", "cartons", "case", "cases", "bunch", "bunches", "packet", "packets", "jar",
		"jars", "tub", "tubs", "bottle", "bottles" };
	for (int i = 0; i < it->nwords; i++)
		for (size_t k = 0; k < sizeof containers / sizeof *containers; k++)
			if (!strcmp(it->words[i], containers[k]))
				return qty;
	if (it->size_num[0])
		return qty;	/* "two 12 packs" */
	return (qty + pack - 1) / pack;
}

static void change_line(struct turn *t, const cJSON *p, int qty);

/* 1 when an add of this turn put product `id` in the cart. */
static int added_this_turn(const struct turn *t, int64_t id)
{
	const struct buddy_state *st = t->st;
	for (int i = 0; st->batch_turn == st->turn && i < st->nbatch; i++)
		if (st->batch[i].id == id)
			return 1;
	return 0;
}

void act_add(struct turn *t, const struct und_cmd *c, const struct und_item *it)
{
	if (!it || it->ref == UND_REF_ALL) {
		reply_say(&t->r, "What would you like me to add?");
		return;
	}
	/* "i've got $15 for coffee beans, add the most expensive bag i can afford": the
	 * pick is made among what the budget or price limit allows */
	if (it->ref == UND_REF_WORDS && it->nwords > 0 && it->pick != UND_PICK_NONE && !c->more &&
	    ((t->needs.budget > 0 && !t->needs.budget_ask) || c->price.max_cents >= 0)) {
		act_search(t, c, it);
		return;
	}
	/* "need decaf ground coffee, add it", "we're out of butter, add one please":
	 * the product was added a moment ago in the same breath; saying it again is
	 * the same request (a different count sets how many that add was) */
	struct buddy_state *st = t->st;
	/* so is a count said right after the buddy added what a bare name asked for
	 * ("bagels, not the everything ones" - "two packs actually") */
	int guessed = st->batch_turn >= st->turn - 2 && st->batch_turn < st->turn &&
		      st->guess_turn == st->batch_turn && !c->more;
	if (guessed && !t->cart)
		cartops_refresh(t);
	/* and "great, put it in my cart" right after the buddy added what a need or a
	 * question asked for is the yes to that add, not one more */
	if ((it->ref == UND_REF_IT || it->ref == UND_REF_THEM) && it->nwords == 0 && !c->more &&
	    (st->batch_turn == st->turn || guessed) && st->nbatch > 0 && st->nfocus > 0) {
		for (int i = 0; i < st->nbatch; i++) {
			if (st->batch[i].id != st->focus[0] && !(guessed && st->nbatch == 1))
				continue;
			if (it->qty == 0 && st->batch_turn != st->turn)
				reply_say(&t->r, st->nbatch > 1 ? "Those are in your cart already."
								 : "That's in your cart already.");
			if (it->qty > 0 && it->qty != st->batch[i].qty) {
				cJSON *p = NULL;
				ERRBUF;
				if (t->tools->product_get(t->tools->ctx, st->batch[i].id, &p, code, msg) == 0 && p) {
					change_line(t, p, st->batch[i].line_before + it->qty);
					st->batch[i].qty = it->qty;
				}
				cJSON_Delete(p);
			}
			return;
		}
	}
	struct resolution res;
	/* "one more bunch of bananas" adds to a line that is there */
	int from_cart = 0;
	if (c->more && it->ref == UND_REF_WORDS) {
		if (!t->cart)
			cartops_refresh(t);
		resolve_item(t, it, RES_CART, &res);
		from_cart = res.status == RES_OK;
		if (!from_cart)
			resolve_free(&res);
	}
	if (!from_cart)
		resolve_item(t, it, RES_CATALOG, &res);
	int qty = it->qty > 0 ? it->qty : res.size_qty > 0 ? res.size_qty : 1;
	/* "a speaker between 30 and 80 dollars": what is added keeps to the price said */
	if ((c->price.min_cents >= 0 || c->price.max_cents >= 0) && res.status == RES_OK &&
	    cJSON_GetArraySize(res.products) > 0 && !from_cart) {
		cJSON *fit = cJSON_CreateArray(), *p;
		const cJSON *nearest = NULL;
		int64_t best = -1;
		cJSON_ArrayForEach(p, res.products) {
			int64_t cents = dlg_int(p, "price_cents", -1);
			int64_t off = c->price.min_cents >= 0 && cents < c->price.min_cents ? c->price.min_cents - cents
				    : c->price.max_cents >= 0 && cents > c->price.max_cents ? cents - c->price.max_cents : 0;
			if (off == 0) {
				cJSON_AddItemToArray(fit, cJSON_Duplicate(p, 1));
			} else if (best < 0 || off < best) {
				best = off;
				nearest = p;
			}
		}
		if (cJSON_GetArraySize(fit) == 0) {
			char title[160], price[96];
			title_of(nearest, title, sizeof title);
			reply_price_of(nearest, price, sizeof price);
			reply_say(&t->r, "Nothing like that fits your price: the closest is %s, for %s.", title, price);
			dlg_offer(t, nearest, qty, "Shall I add it anyway?");
			cJSON_Delete(fit);
			resolve_free(&res);
			return;
		}
		cJSON_Delete(res.products);
		res.products = fit;
	}
	int n = cJSON_GetArraySize(res.products);
	if (res.status == RES_AMBIGUOUS && it->dozen) {
		/* every choice is sold by the dozen: ask with the count of cartons */
		int all = n > 0;
		for (int i = 0; i < n && all; i++)
			all = units_of(cJSON_GetArrayItem(res.products, i), it, qty) != qty;
		if (all)
			qty = units_of(cJSON_GetArrayItem(res.products, 0), it, qty);
	}
	/* one item of a list ("bananas and a couple of limes") is added only when its
	 * words name what the product is; else it is missing, and the product offered */
	if (res.status == RES_OK && c->nitems > 1 && it->ref == UND_REF_WORDS && !from_cart && n == 1 &&
	    !resolve_names_kind(it, cJSON_GetArrayItem(res.products, 0), &res.q)) {
		act_not_found(t, &res, qty);
		resolve_free(&res);
		return;
	}
	/* the buddy chose the product for a need or a question said without a count */
	if (res.status == RES_OK && (c->soft || c->question) && it->qty == 0)
		st->guess_turn = st->turn;
	switch (res.status) {
	case RES_OK:
		/* "we're out of rice", "my kettle broke, i'll need a new one": a need said
		 * with one product that fits is added (and said so); only a question
		 * ("could i use ...?") shows it first */
		if (c->soft && c->ask && c->nitems == 1 && it->qty == 0 && n == 1 && it->ref == UND_REF_WORDS &&
		    dlg_int(cJSON_GetArrayItem(res.products, 0), "stock", -1) != 0) {
			const cJSON *p = cJSON_GetArrayItem(res.products, 0);
			char title[160], price[96];
			title_of(p, title, sizeof title);
			reply_price_of(p, price, sizeof price);
			reply_say(&t->r, "We have %s for %s.", title, price);
			dlg_question(t, "Shall I add it?");
			dlg_show(t, res.products, 0);
			dlg_focus(t, res.products);
			cJSON *result = cJSON_CreateObject();
			cJSON_AddItemToObject(result, "items", cJSON_Duplicate(res.products, 1));
			dlg_action(t, "search", NULL, result);
			t->st->suggest_id = dlg_id(p);
			t->st->suggest_qty = 1;
			dlg_ask(t, DLG_PENDING_SUGGEST);
			break;
		}
		for (int i = 0; i < n; i++) {
			const cJSON *p = cJSON_GetArrayItem(res.products, i);
			/* "yes english breakfast, just the one box" right after it was
			 * added for its bare name: that many in all */
			int b = -1;
			for (int k = 0; guessed && it->qty > 0 && k < st->nbatch && b < 0; k++)
				if (st->batch[k].id == dlg_id(p))
					b = k;
			if (b >= 0) {
				if (it->qty != st->batch[b].qty)
					change_line(t, p, st->batch[b].line_before + it->qty);
				else
					reply_say(&t->r, "That's the one you have.");
				st->batch[b].qty = it->qty;
				continue;
			}
			/* one product named twice in one breath ("he loves apples, the mild
			 * sweet kind") is one add */
			if (!c->more && it->qty == 0 && added_this_turn(t, dlg_id(p)))
				continue;
			/* ... and so is a story that named it before the count ("the movers lost
			 * my towels, add 4 bath towels"): the count is how many in all */
			int said = -1;
			for (int k = 0; !c->more && it->qty > 1 && st->batch_turn == st->turn && k < st->nbatch; k++)
				if (st->batch[k].id == dlg_id(p) && st->batch[k].qty == 1)
					said = k;
			if (said >= 0) {
				change_line(t, p, st->batch[said].line_before + units_of(p, it, qty));
				st->batch[said].qty = units_of(p, it, qty);
				continue;
			}
			/* "i need five of the sparkling water" with one there: five in all */
			if (c->soft && it->qty > 0 && !c->more && dlg_cart_qty(t->cart, dlg_id(p)) > 0) {
				change_line(t, p, units_of(p, it, qty));
				continue;
			}
			act_add_product(t, p, units_of(p, it, qty), c->more);
		}
		if (n > 1)
			dlg_focus(t, res.products);
		break;
	case RES_AMBIGUOUS: {
		if (it->every) {
			/* "a couple of each kind of bagel": every one that fits */
			const cJSON *p;
			cJSON_ArrayForEach(p, res.products)
				act_add_product(t, p, units_of(p, it, qty), c->more);
			dlg_focus(t, res.products);
			break;
		}
		/* "add oranges" when only the navels are in stock: the one that can come */
		int in_stock = 0;
		const cJSON *p, *avail = NULL;
		cJSON_ArrayForEach(p, res.products)
			if (dlg_int(p, "stock", 1) != 0)
				in_stock++, avail = p;
		if (in_stock == 1 && n > 1) {
			char title[160], price[96];
			title_of(avail, title, sizeof title);
			reply_price_of(avail, price, sizeof price);
			cJSON_ArrayForEach(p, res.products)
				if (dlg_int(p, "stock", 1) == 0) {
					char out[160];
					title_of(p, out, sizeof out);
					reply_say(&t->r, "%s is out of stock.", out);
				}
			reply_say(&t->r, "We have %s for %s.", title, price);
			dlg_offer(t, avail, qty, "Shall I add it?");
			break;
		}
		/* "i've got 30 dollars, which headphones could i get": the choice is the
		 * search within that price */
		if ((c->soft && c->nitems == 1 && it->qty == 0) || c->price.max_cents >= 0 || c->price.min_cents >= 0) {
			/* "get me earbuds, i'd never pay above 25": a request the price
			 * leaves one product for is that product ("he wants headphones,
			 * something under 30" and "what can i get" still show) */
			t->requested = (c->price.max_cents >= 0 || c->price.min_cents >= 0) && !c->ask &&
				       !c->question && !c->soft;
			act_search(t, c, it);
			t->requested = 0;
		}
		else
			act_ask_choice(t, &res, UND_ADD, qty);
		break;
	}
	case RES_NOT_FOUND:
		act_not_found(t, &res, qty);
		break;
	case RES_NO_REF:
		if (c->buy) {
			t->no_ref = 1;	/* "buy it now" with nothing in mind: the cart */
			break;
		}
		/* "tally please, i'll have a think": after something was answered, an add
		 * of nothing in a clause of its own is the shopper's aside */
		if (res.status == RES_NO_REF && c->and_said && t->cmd_index > 0 && t->r.sentences > 0 &&
		    it->nwords == 0 && it->qty == 0)
			break;
		/* fall through */
	case RES_ERROR:
		reply_say(&t->r, "Which product would you like me to add?");
		break;
	}
	resolve_free(&res);
}

/* "get rid of all the fruit", "take the sony ones out": every cart line of that kind
 * (by title, tags or category), and nothing else.  Returns 1 when any was removed. */
static int kept(struct turn *t, const struct und_cmd *c, const cJSON *p);

static int remove_every(struct turn *t, const struct und_cmd *c, const struct und_item *it)
{
	struct match_query q;
	char missing[128];
	resolve_query(t, it, &q, missing, sizeof missing);
	if (q.n == 0 || *missing)
		return 0;
	cJSON *lines = dlg_cart_as_products(t->cart);
	cJSON *hit = cJSON_CreateArray(), *by_cat = cJSON_CreateArray();
	const cJSON *line;
	cJSON_ArrayForEach(line, lines) {
		cJSON *full = NULL;
		ERRBUF;
		const cJSON *p = line;
		if (t->tools->product_get(t->tools->ctx, dlg_id(line), &full, code, msg) == 0 && full)
			p = full;
		/* the category counts only as a whole ("fruit"), not for a word of its name
		 * ("tea" of "Coffee & Tea" is no coffee) */
		cJSON *nocat = cJSON_Duplicate(p, 1);
		cJSON_DeleteItemFromObject(nocat, "category");
		double cov = 0;
		match_score(&q, nocat, &cov);
		cJSON_Delete(nocat);
		int cat = 0;	/* "fruit" names the category "Fruit & Vegetables" */
		if (t->have_vocab && q.n == 1) {
			int ci = match_category(&t->vocab, q.w[0]);
			cat = ci >= 0 && !strcmp(t->vocab.categories[ci], dlg_str(p, "category"));
		}
		int neg = 0;	/* "the coffees that aren't decaf" */
		for (int k = 0; k < it->nneg && !neg; k++)
			neg = match_mentions(p, it->neg[k]);
		if ((cov >= 0.99 || cat) && !kept(t, c, p) && !neg)
			cJSON_AddItemToArray(cov >= 0.99 ? hit : by_cat, cJSON_Duplicate(line, 1));
		cJSON_Delete(full);
	}
	cJSON_Delete(lines);
	/* "both coffees": words the lines' own titles hold pick those lines; the category
	 * ("Coffee & Tea") counts only for a word no line holds ("the fruit") */
	if (cJSON_GetArraySize(hit) == 0) {
		cJSON_Delete(hit);
		hit = by_cat;
	} else {
		cJSON_Delete(by_cat);
	}
	int n = cJSON_GetArraySize(hit);
	if (n == 0) {
		cJSON_Delete(hit);
		return 0;
	}
	char names[3][160];
	const char *ptr[4];
	int k = 0;
	const cJSON *p;
	cJSON_ArrayForEach(p, hit) {
		if (cartops_set_line(t, dlg_id(p), 0) != 0)
			break;
		if (k < 3) {
			title_of(p, names[k], sizeof names[k]);
			ptr[k] = names[k];
			k++;
		}
	}
	char more[64];
	if (n > 3) {
		char m[32];
		reply_count(n - 3, m, sizeof m);
		snprintf(more, sizeof more, "%s more", m);
		ptr[k++] = more;
	}
	char list[700];
	reply_list(ptr, k, "and", list, sizeof list);
	reply_say(&t->r, "Removed %s from your cart.", list);
	t->st->last.kind = DLG_LAST_NONE;
	cJSON_Delete(hit);
	return 1;
}

/* 1 when cart line p (with category and tags) has word w: in its title or tags, or
 * the whole category ("snacks"), not a word of the category's name. */
static int line_has_word(struct turn *t, const cJSON *p, const char *w)
{
	struct match_query q = { .n = 1 };
	snprintf(q.w[0], TEXT_WORD_LEN, "%.*s", TEXT_WORD_LEN - 1, w);
	q.weight[0] = 1.0;
	cJSON *nocat = cJSON_Duplicate(p, 1);
	cJSON_DeleteItemFromObject(nocat, "category");
	double cov = 0;
	match_score(&q, nocat, &cov);
	cJSON_Delete(nocat);
	if (cov >= 0.85)
		return 1;
	int ci = t->have_vocab ? match_category(&t->vocab, w) : -1;
	return ci >= 0 && !strcmp(t->vocab.categories[ci], dlg_str(p, "category"));
}

/* How well word w (and the next word, `next`, or NULL) describes cart line p (`full`:
 * the product with its description, or NULL): 2 when its title, tags or category have
 * it; 1 when what the line is made of ("the one with nuts": almond milk, "cow's
 * milk") or a word of the same meaning ("fizzy": sparkling) says it, and *sure is set;
 * 1 when only its description says it ("the pasta tubes", "the seedy bagels"); else 0
 * (also when the line says it is without it: "nut free"). */
static int line_word_score(struct turn *t, const cJSON *p, const cJSON *full, const char *w,
			   const char *next, int *sure)
{
	*sure = 1;
	if (line_has_word(t, p, w))
		return 2;
	const char *syn = lex_synonym(w);
	if (syn && line_has_word(t, p, syn))
		return 1;
	int says = 0;
	if (next) {
		char two[2 * TEXT_WORD_LEN + 2];
		snprintf(two, sizeof two, "%.*s %.*s", TEXT_WORD_LEN - 1, w, TEXT_WORD_LEN - 1, next);
		says = needs_word_says(full ? full : p, two);
	}
	if (says <= 0)
		says = needs_word_says(full ? full : p, w);
	*sure = says == 2;
	return says > 0;
}

/* "my girlfriend already picked up shampoo on the way home, so take that out", "take
 * her milk off, she was the whole milk one": when the words as a whole name no line,
 * the line that has the most of them (the rest is the story around it); a kind
 * several lines share ("no snacks") takes them all.  Said with no word the catalog
 * knows ("we're on a diet, take them off"), the line just talked about.  Owned array
 * of cart lines, or NULL. */
static cJSON *described_lines(struct turn *t, const struct und_item *it)
{
	/* "no bananas at all, take them out": none of that kind is wanted */
	int every = it->every || (it->ref == UND_REF_NONE && it->nneg > 0);
	if (t->needs.excl || t->needs.req) {
		/* "no dairy this week, take it out", "I went vegan, remove anything with
		 * dairy": every line the turn's constraint rules out */
		cJSON *plain = dlg_cart_as_products(t->cart), *hit = cJSON_CreateArray();
		const cJSON *line;
		cJSON_ArrayForEach(line, plain) {
			cJSON *full = NULL;
			ERRBUF;
			if (t->tools->product_get(t->tools->ctx, dlg_id(line), &full, code, msg) == 0 && full &&
			    !needs_allows(&t->needs, full))
				cJSON_AddItemToArray(hit, cJSON_Duplicate(line, 1));
			cJSON_Delete(full);
		}
		cJSON_Delete(plain);
		if (cJSON_GetArraySize(hit) > 0)
			return hit;
		cJSON_Delete(hit);
	}
	char words[2 * UND_ITEM_WORDS][TEXT_WORD_LEN];
	int nw = 0, known = 0;
	for (int i = 0; i < it->nwords + it->nneg; i++) {
		const char *w = i < it->nwords ? it->words[i] : it->neg[i - it->nwords];
		if (lex_is_stopword(w) || text_is_digits(w) || lex_is_negator(w))
			continue;
		known |= resolve_known_word(t, w);
		snprintf(words[nw++], TEXT_WORD_LEN, "%s", w);
	}
	cJSON *lines = resolve_cart_full(t);
	int n = cJSON_GetArraySize(lines);
	if (n == 0 || n > 64) {
		cJSON_Delete(lines);
		return NULL;
	}
	int score[64] = { 0 }, in_title[64] = { 0 }, best = 0, i = 0;
	const cJSON *p;
	int has[2 * UND_ITEM_WORDS] = { 0 };
	cJSON_ArrayForEach(p, lines) {
		/* the description too, for what only it says ("topped with sesame") */
		cJSON *full = NULL;
		ERRBUF;
		if (t->tools->product_get(t->tools->ctx, dlg_id(p), &full, code, msg) != 0) {
			cJSON_Delete(full);
			full = NULL;
		}
		for (int k = 0; k < nw; k++) {
			int sure = 0;
			int sc = line_word_score(t, p, full, words[k], k + 1 < nw ? words[k + 1] : NULL, &sure);
			if (!sc)
				continue;
			has[k] |= sure;
			score[i] += sc;
			in_title[i] |= match_title_word(p, words[k], 0);
		}
		cJSON_Delete(full);
		if (score[i] > best)
			best = score[i];
		i++;
	}
	/* a word of something sold that no line has, said next to one a line has
	 * ("remove the whole milk" with only oat milk there): the words name something
	 * else, not one of these lines */
	for (int k = 0; k < nw && best > 0; k++) {
		if (has[k] || !resolve_known_word(t, words[k]) || !((k > 0 && has[k - 1]) || (k + 1 < nw && has[k + 1])))
			continue;
		{
			cJSON_Delete(lines);
			return NULL;
		}
	}
	cJSON *hit = cJSON_CreateArray();
	int title_word = 0;
	i = 0;
	cJSON_ArrayForEach(p, lines) {
		if (best > 0 && score[i] == best) {
			cJSON_AddItemToArray(hit, cJSON_Duplicate(p, 1));
			title_word |= in_title[i];
		} else if (best == 0 && !known && t->st->nfocus > 0 && t->st->focus_turn >= t->st->turn - 1 &&
			   dlg_id(p) == t->st->focus[0]) {
			cJSON_AddItemToArray(hit, cJSON_Duplicate(p, 1));
		}
		i++;
	}
	cJSON_Delete(lines);
	/* several lines named by words of their titles ("the milk"): which one is a
	 * question, not a guess */
	if (cJSON_GetArraySize(hit) == 0 || (cJSON_GetArraySize(hit) > 1 && title_word && !every)) {
		cJSON_Delete(hit);
		return NULL;
	}
	return hit;
}

/* "remove anything that costs over 10 dollars": every cart line whose price is
 * within the limit said.  Returns 1 when the limit was acted on. */
static int title_names(const cJSON *p, const struct match_query *q);

int act_remove_priced(struct turn *t, const struct und_cmd *c)
{
	if (c->price.min_cents < 0 && c->price.max_cents < 0)
		return 0;
	if (!t->cart)
		cartops_refresh(t);
	cJSON *lines = dlg_cart_as_products(t->cart);
	/* "take out the coffee over 10 dollars": words that name cart lines narrow it */
	struct match_query q = { 0 };
	for (int i = 0; i < c->nitems; i++)
		for (int w = 0; w < c->items[i].nwords && q.n < MATCH_MAX_WORDS; w++) {
			snprintf(q.w[q.n], TEXT_WORD_LEN, "%s", c->items[i].words[w]);
			q.weight[q.n++] = 1.0;
		}
	int named = 0, n = 0;
	const cJSON *p;
	cJSON_ArrayForEach(p, lines)
		named |= q.n > 0 && title_names(p, &q) > 0;
	cJSON_ArrayForEach(p, lines) {
		if (named && title_names(p, &q) == 0)
			continue;
		int64_t cents = dlg_int(p, "price_cents", -1);
		if (cents < 0 || (c->price.min_cents >= 0 && cents <= c->price.min_cents) ||
		    (c->price.max_cents >= 0 && cents > c->price.max_cents))
			continue;
		char title[160];
		title_of(p, title, sizeof title);
		if (cartops_set_line(t, dlg_id(p), 0) == 0) {
			reply_say(&t->r, "Removed %s from your cart.", title);
			n++;
		}
	}
	if (n == 0)
		reply_say(&t->r, "Nothing in your cart is in that price range.");
	cJSON_Delete(lines);
	return 1;
}

/* 1 when the head word of the item (its last word naming a product) was said in the
 * plural: "the apples", "both coffees". */
static int said_plural(const struct und_item *it)
{
	for (int w = it->nwords - 1; w >= 0; w--) {
		if (it->wctx[w] || lex_is_stopword(it->words[w]))
			continue;
		char stem[TEXT_WORD_LEN];
		match_stem(it->words[w], stem, sizeof stem);
		return strcmp(stem, it->words[w]) != 0;
	}
	return 0;
}

/* 1 when every product of arr is a line of the cart. */
static int products_all_lines(struct turn *t, const cJSON *arr)
{
	const cJSON *p;
	int n = 0;
	cJSON_ArrayForEach(p, arr) {
		if (dlg_cart_qty(t->cart, dlg_id(p)) <= 0)
			return 0;
		n++;
	}
	return n > 1;
}

/* 1 when every product of a is one of b (by id). */
static int subset_of(const cJSON *a, const cJSON *b)
{
	const cJSON *p, *q;
	cJSON_ArrayForEach(p, a) {
		int in = 0;
		cJSON_ArrayForEach(q, b)
			in |= dlg_id(p) == dlg_id(q);
		if (!in)
			return 0;
	}
	return 1;
}

void act_remove(struct turn *t, const struct und_cmd *c, const struct und_item *it)
{
	if (!it || it->ref == UND_REF_ALL) {
		act_clear(t, c);
		return;
	}
	if (!t->cart)
		cartops_refresh(t);
	if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(t->cart, "items")) == 0) {
		if (t->changed_cart)
			return;	/* emptied by this very request: nothing more to say */
		reply_say(&t->r, c->negated ? "Okay, I won't add it." : "Your cart is already empty.");
		return;
	}
	if ((it->every || it->nneg > 0) && it->ref == UND_REF_WORDS && !c->negated && remove_every(t, c, it))
		return;
	struct resolution res;
	resolve_item(t, it, RES_CART, &res);
	/* "no snacks this week, take them out": said with "no" and nothing else, the
	 * kind is what goes, not what is kept */
	int said_no = it->ref == UND_REF_NONE && it->nneg > 0 && it->nwords == 0;
	if ((res.status == RES_NOT_FOUND || res.status == RES_NO_REF || said_no) && !c->negated &&
	    (it->ref == UND_REF_WORDS || said_no)) {
		cJSON *found = described_lines(t, it);
		if (found) {
			resolve_free(&res);
			res.status = RES_OK;
			res.products = found;
		}
	}
	if (res.status == RES_AMBIGUOUS && it->ref == UND_REF_WORDS && !c->negated) {
		/* "the bagels with the seeds on top", "the nut milk", "the sweet snack": words
		 * beyond those the lines share, said of some of them only (by what they are
		 * made of, their description), tell them apart */
		cJSON *found = described_lines(t, it);
		if (found && cJSON_GetArraySize(found) < cJSON_GetArraySize(res.products) &&
		    subset_of(found, res.products)) {
			cJSON_Delete(res.products);
			res.products = found;
			res.status = RES_OK;
		} else {
			cJSON_Delete(found);
		}
	}
	if (res.status == RES_AMBIGUOUS && it->ref == UND_REF_WORDS && !c->negated && !it->qty &&
	    !it->article && said_plural(it) && products_all_lines(t, res.products)) {
		/* "lose the apples", "take the teas out": a plural said of several lines
		 * means every one of them */
		res.status = RES_OK;
	}
	if (res.status == RES_AMBIGUOUS && it->ref == UND_REF_WORDS && !c->negated && !it->qty) {
		/* "remove the clothing items": words that no title of the lines holds name
		 * a kind (a category, a tag), and every line of that kind goes */
		int in_title = 0;
		const cJSON *p;
		cJSON_ArrayForEach(p, res.products)
			for (int q = 0; q < res.q.n; q++)
				in_title |= match_title_word(p, res.q.w[q], 0);
		if (!in_title && remove_every(t, c, it)) {
			resolve_free(&res);
			return;
		}
	}
	if (res.status == RES_OK) {
		const cJSON *p;
		cJSON_ArrayForEach(p, res.products) {
			int64_t id = dlg_id(p);
			int line = dlg_cart_qty(t->cart, id);
			char title[160];
			title_of(p, title, sizeof title);
			if (line == 0) {
				reply_say(&t->r, "%s isn't in your cart.", title);
				continue;
			}
			int n = it->qty > 0 ? it->qty : it->article ? 1 : line;
			if (c->negated)
				n = line;
			if (cartops_set_line(t, id, n < line ? line - n : 0) != 0)
				break;
			t->st->last = (struct dlg_last){ DLG_LAST_REMOVE, id, n < line ? n : line, line, t->st->turn };
			dlg_focus_one(t, id);
			if (n < line) {
				char a[64], b[64];
				reply_count(n, a, sizeof a);
				reply_count(line - n, b, sizeof b);
				reply_say(&t->r, "Removed %s %s. You have %s left.", a, title, b);
			} else {
				reply_say(&t->r, "Removed %s from your cart.", title);
			}
		}
	} else if (res.status == RES_AMBIGUOUS) {
		act_ask_choice(t, &res, UND_REMOVE, it->qty);
	} else if (c->negated) {
		reply_say(&t->r, "Okay, no %s.", *res.said ? res.said : "problem");
	} else if (*res.said) {
		reply_say(&t->r, "There's no %s in your cart.", res.said);
	} else {
		reply_say(&t->r, "Which item should I remove?");
	}
	resolve_free(&res);
}

/* The product an item names for a quantity change: in the cart first. */
static void resolve_for_change(struct turn *t, const struct und_item *it, struct resolution *res)
{
	if (!t->cart)
		cartops_refresh(t);
	/* "make it three", "one less" with one line in the cart and nothing else in
	 * mind: that line */
	const cJSON *lines = cJSON_GetObjectItemCaseSensitive(t->cart, "items");
	if (it->ref == UND_REF_IT && it->nwords == 0 && cJSON_GetArraySize(lines) == 1 &&
	    (t->st->nfocus == 0 || dlg_cart_qty(t->cart, t->st->focus[0]) == 0)) {
		memset(res, 0, sizeof *res);
		res->status = RES_OK;
		res->products = dlg_cart_as_products(t->cart);
		return;
	}
	/* "make the second item in my cart three": an ordinal counts cart lines */
	resolve_item(t, it, it->ref == UND_REF_WORDS || (it->ref == UND_REF_ORDINAL && t->cart_said) ?
			    RES_CART : RES_CATALOG, res);
	if (res->status == RES_NOT_FOUND && it->ref == UND_REF_WORDS) {
		resolve_free(res);
		resolve_item(t, it, RES_CATALOG, res);
	}
}

static void change_line(struct turn *t, const cJSON *p, int qty)
{
	int64_t id = dlg_id(p);
	int line = dlg_cart_qty(t->cart, id);
	char title[160], n[64];
	title_of(p, title, sizeof title);
	reply_count(qty, n, sizeof n);
	dlg_focus_one(t, id);
	if (line == 0) {
		if (qty > 0)
			act_add_product(t, p, qty, 0);
		else
			reply_say(&t->r, "%s isn't in your cart.", title);
		return;
	}
	if (qty == line) {
		reply_say(&t->r, "You already have %s %s.", n, title);
		return;
	}
	int64_t stock = dlg_int(p, "stock", -1);
	if (stock >= 0 && qty > stock) {
		char s[64];
		reply_count(stock, s, sizeof s);
		reply_say(&t->r, "Sorry, we only have %s %s in stock.", s, title);
		return;
	}
	if (cartops_set_line(t, id, qty) != 0)
		return;
	t->st->last = (struct dlg_last){ DLG_LAST_SET, id, qty - line, line, t->st->turn };
	if (qty == 0)
		reply_say(&t->r, "Removed %s from your cart.", title);
	else
		reply_say(&t->r, "Okay, %s %s.", n, title);
}

void act_set_line(struct turn *t, const cJSON *p, int qty)
{
	change_line(t, p, qty);
}

void act_set(struct turn *t, const struct und_cmd *c, const struct und_item *it)
{
	if (!it)
		return;
	struct resolution res;
	resolve_for_change(t, it, &res);
	if (res.status == RES_OK) {
		const cJSON *p;
		cJSON_ArrayForEach(p, res.products) {
			int line = dlg_cart_qty(t->cart, dlg_id(p));
			int qty = it->qty;
			/* "double it", "triple the apples", "cut it in half" */
			if (c->times > 0) {
				qty = (line > 0 ? line : 1) * c->times / 2;
				qty = qty < 1 ? 1 : qty > 999 ? 999 : qty;
			}
			if (qty == 0 && !it->article && !it->zero) {
				reply_say(&t->r, "How many would you like?");
				break;
			}
			if (line == 0 && qty > 0 && it->ref != UND_REF_WORDS) {
				/* "make it two" about the product just offered: two of it */
				act_add_product(t, p, qty, 0);
				continue;
			}
			change_line(t, p, it->zero ? 0 : qty ? qty : 1);
		}
	} else if (res.status == RES_AMBIGUOUS) {
		act_ask_choice(t, &res, UND_SET, it->qty);
	} else if (res.status == RES_NOT_FOUND) {
		act_not_found(t, &res, it->qty);
	} else {
		reply_say(&t->r, "Which item should I change?");
	}
	resolve_free(&res);
}

void act_less(struct turn *t, const struct und_cmd *c, const struct und_item *it)
{
	(void)c;
	if (!it)
		return;
	struct resolution res;
	resolve_for_change(t, it, &res);
	if (res.status == RES_OK) {
		const cJSON *p = cJSON_GetArrayItem(res.products, 0);
		int line = dlg_cart_qty(t->cart, dlg_id(p));
		int n = it->qty > 0 ? it->qty : 1;
		change_line(t, p, line > n ? line - n : 0);
	} else if (res.status == RES_AMBIGUOUS) {
		act_ask_choice(t, &res, UND_LESS, it->qty);
	} else {
		reply_say(&t->r, "Which item should I reduce?");
	}
	resolve_free(&res);
}

static void say_cart(struct turn *t, const cJSON *cart, int total_only)
{
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(cart, "items");
	int n = cJSON_GetArraySize(items);
	char money[96], count[64];
	reply_money(dlg_int(cart, "subtotal_cents", 0), dlg_str(cart, "currency"), money, sizeof money);
	if (n == 0) {
		reply_say(&t->r, "Your cart is empty.");
		return;
	}
	int units = (int)dlg_int(cart, "item_count", n);
	reply_count(units, count, sizeof count);
	if (total_only) {
		reply_say(&t->r, "Your total is %s for %s item%s.", money, count, units == 1 ? "" : "s");
		t->total_said = 1;
		return;
	}
	char parts[4][240];
	const char *ptr[5];
	int read = n > 4 ? 3 : n, k = 0;
	const cJSON *line;
	cJSON_ArrayForEach(line, items) {
		if (k >= read)
			break;
		char title[160], q[64];
		title_of(line, title, sizeof title);
		reply_count(dlg_int(line, "quantity", 1), q, sizeof q);
		snprintf(parts[k], sizeof parts[k], "%s %s", q, title);
		ptr[k] = parts[k];
		k++;
	}
	char more[64];
	if (n > read) {
		char m[32];
		reply_count(n - read, m, sizeof m);
		snprintf(more, sizeof more, "%s more item%s", m, n - read == 1 ? "" : "s");
		ptr[k++] = more;
	}
	char list[900];
	reply_list(ptr, k, "and", list, sizeof list);
	reply_say(&t->r, "You have %s.", list);
	reply_say(&t->r, "That comes to %s.", money);
}

void act_view_cart(struct turn *t, int total_only)
{
	cJSON *cart = NULL;
	ERRBUF;
	int rc = t->tools->cart_view(t->tools->ctx, &cart, code, msg);
	if (rc != 0 || !cart) {
		cJSON_Delete(cart);
		dlg_tool_failed(t, rc ? rc : 500, code, msg);
		return;
	}
	dlg_action(t, "cart.view", NULL, cartops_cart_result(cart));
	say_cart(t, cart, total_only);
	if (!total_only && !t->asked) {
		cJSON *lines = dlg_cart_as_products(cart);
		dlg_show(t, lines, 1);
		cJSON_Delete(lines);
	}
	dlg_set_cart(t, cart);
}

/* 1 when a cart line is one of those the shopper wants to keep. */
static int kept(struct turn *t, const struct und_cmd *c, const cJSON *p)
{
	for (int e = 0; e < c->nexcept; e++) {
		struct match_query q;
		char missing[128];
		resolve_query(t, &c->except[e], &q, missing, sizeof missing);
		if (q.n == 0)
			continue;
		double cov = 0;
		match_score(&q, p, &cov);
		if (cov >= 0.6)
			return 1;
		if (c->except[e].ref == UND_REF_IT && t->st->nfocus && dlg_id(p) == t->st->focus[0])
			return 1;
	}
	return 0;
}

void act_clear(struct turn *t, const struct und_cmd *c)
{
	cartops_refresh(t);
	cJSON *lines = dlg_cart_as_products(t->cart);
	if (cJSON_GetArraySize(lines) == 0) {
		reply_say(&t->r, "Your cart is already empty.");
		cJSON_Delete(lines);
		return;
	}
	if (c && c->nexcept > 0) {
		char keptnames[3][160];
		const char *ptr[3];
		int nk = 0;
		const cJSON *p;
		cJSON_ArrayForEach(p, lines) {
			if (kept(t, c, p)) {
				if (nk < 3) {
					title_of(p, keptnames[nk], sizeof keptnames[nk]);
					ptr[nk] = keptnames[nk];
					nk++;
				}
				continue;
			}
		}
		if (nk == 0) {
			reply_say(&t->r, "I couldn't find that in your cart, so I left everything as it is.");
			cJSON_Delete(lines);
			return;
		}
		cJSON_ArrayForEach(p, lines)
			if (!kept(t, c, p) && cartops_set_line(t, dlg_id(p), 0) != 0)
				break;
		char list[600];
		reply_list(ptr, nk, "and", list, sizeof list);
		reply_say(&t->r, "Done. I kept only the %s.", list);
	} else {
		cJSON *cart = NULL;
		ERRBUF;
		int rc = t->tools->cart_clear(t->tools->ctx, &cart, code, msg);
		if (rc != 0 || !cart) {
			cJSON_Delete(cart);
			dlg_tool_failed(t, rc ? rc : 500, code, msg);
		} else {
			dlg_action(t, "cart.clear", NULL, cartops_cart_result(cart));
			dlg_set_cart(t, cart);
			t->changed_cart = 1;
			reply_say(&t->r, "Done, your cart is now empty.");
		}
	}
	t->st->last.kind = DLG_LAST_NONE;
	cJSON_Delete(lines);
}

void act_undo(struct turn *t)
{
	struct buddy_state *st = t->st;
	if (st->last.kind == DLG_LAST_NONE) {
		reply_say(&t->r, "There's nothing for me to undo.");
		return;
	}
	cJSON *p = NULL;
	ERRBUF;
	if (t->tools->product_get(t->tools->ctx, st->last.id, &p, code, msg) != 0 || !p) {
		cJSON_Delete(p);
		reply_say(&t->r, "Sorry, I can't undo that.");
		return;
	}
	char title[160];
	title_of(p, title, sizeof title);
	if (cartops_set_line(t, st->last.id, st->last.line_before) == 0) {
		if (st->last.line_before == 0)
			reply_say(&t->r, "Okay, I took %s back out of your cart.", title);
		else
			reply_say(&t->r, "Okay, %s is back to how it was.", title);
		st->last.kind = DLG_LAST_NONE;
	}
	cJSON_Delete(p);
}

void act_undo_batch(struct turn *t)
{
	struct buddy_state *st = t->st;
	if (st->nbatch == 0 || st->batch_turn < st->turn - 2) {
		act_undo(t);
		return;
	}
	if (!t->cart)
		cartops_refresh(t);
	char names[DLG_MAX_FOCUS][160];
	const char *ptr[DLG_MAX_FOCUS];
	int k = 0;
	/* last first, so a product added twice ends at its first line_before */
	for (int i = st->nbatch - 1; i >= 0; i--) {
		const struct dlg_added *a = &st->batch[i];
		int line = dlg_cart_qty(t->cart, a->id);
		int target = line - a->qty;
		if (line == 0 || cartops_set_line(t, a->id, target > a->line_before ? target : a->line_before) != 0)
			continue;
		cJSON *p = NULL;
		ERRBUF;
		if (t->tools->product_get(t->tools->ctx, a->id, &p, code, msg) == 0 && p) {
			int dup = 0;
			title_of(p, names[k], sizeof names[k]);
			for (int j = 0; j < k; j++)
				dup |= !strcmp(names[j], names[k]);
			if (!dup) {
				ptr[k] = names[k];
				k++;
			}
		}
		cJSON_Delete(p);
	}
	st->nbatch = 0;
	st->last.kind = DLG_LAST_NONE;
	if (k == 0) {
		reply_say(&t->r, "There's nothing for me to take back.");
		return;
	}
	/* first added, first named */
	for (int i = 0; i < k / 2; i++) {
		const char *x = ptr[i];
		ptr[i] = ptr[k - 1 - i];
		ptr[k - 1 - i] = x;
	}
	char list[700];
	reply_list(ptr, k, "and", list, sizeof list);
	reply_say(&t->r, "Okay, I took %s back out of your cart.", list);
}

/* "make that the decaf" after the 12 oz dark roast: of the decafs, the one most like
 * what it replaces (same roast, same size).  Settles res when one is closest. */
static void closest_to(struct turn *t, struct resolution *res, int64_t old_id)
{
	cJSON *old = NULL;
	ERRBUF;
	if (t->tools->product_get(t->tools->ctx, old_id, &old, code, msg) != 0 || !old) {
		cJSON_Delete(old);
		return;
	}
	struct text_words ow;
	text_split(dlg_str(old, "title"), &ow);
	int best = -1, best_n = -1, tie = 0, i = 0;
	const cJSON *p;
	cJSON_ArrayForEach(p, res->products) {
		struct text_words pw;
		text_split(dlg_str(p, "title"), &pw);
		int shared = 0;
		for (int a = 0; a < pw.n; a++)
			for (int b = 0; b < ow.n; b++)
				if (!strcmp(pw.w[a], ow.w[b])) {
					shared++;
					break;
				}
		if (dlg_id(p) != dlg_id(old) && shared > best_n) {
			best_n = shared;
			best = i;
			tie = 0;
		} else if (dlg_id(p) != dlg_id(old) && shared == best_n) {
			tie = 1;
		}
		i++;
	}
	cJSON_Delete(old);
	if (best < 0 || tie || best_n <= 0)
		return;
	cJSON *one = cJSON_CreateArray();
	cJSON_AddItemToArray(one, cJSON_Duplicate(cJSON_GetArrayItem(res->products, best), 1));
	cJSON_Delete(res->products);
	res->products = one;
	res->status = RES_OK;
}

static int kind_words(const cJSON *p, struct text_words *out);
static int has_word(const struct text_words *tw, const char *w);

/* "actually i'd prefer the honeycrisp" with gala apples in the cart, "the everything
 * ones instead" with plain bagels: with no change of this dialogue to amend, the
 * product named takes the place of the one cart line of its kind (the head noun of
 * its title), as many.  Returns 1 when done. */
int act_swap_cart_kind(struct turn *t, const struct und_item *it)
{
	if (!it || it->nwords == 0 || it->ref != UND_REF_WORDS)
		return 0;
	if (!t->cart)
		cartops_refresh(t);
	struct resolution res;
	resolve_item(t, it, RES_CATALOG, &res);
	if ((res.status != RES_OK && res.status != RES_AMBIGUOUS) || !res.products) {
		resolve_free(&res);
		return 0;
	}
	cJSON *old_best = NULL;
	const cJSON *new_best = NULL;
	int best = 0, tie = 0, qty = 0;
	const cJSON *line;
	cJSON_ArrayForEach(line, cJSON_GetObjectItemCaseSensitive(t->cart, "items")) {
		int64_t id = dlg_int(line, "product_id", 0);
		int q = (int)dlg_int(line, "quantity", 0);
		cJSON *lp = NULL;
		ERRBUF;
		if (q <= 0 || t->tools->product_get(t->tools->ctx, id, &lp, code, msg) != 0 || !lp) {
			cJSON_Delete(lp);
			continue;
		}
		struct text_words lk;
		int keep = 0;
		if (kind_words(lp, &lk) > 0) {
			const cJSON *p;
			cJSON_ArrayForEach(p, res.products) {
				struct text_words pk;
				if (dlg_id(p) == id || dlg_cart_qty(t->cart, dlg_id(p)) > 0 || !kind_words(p, &pk) ||
				    !has_word(&pk, lk.w[lk.n - 1]))
					continue;
				int shared = 0;
				for (int i = 0; i < pk.n; i++)
					shared += has_word(&lk, pk.w[i]);
				if (shared > best) {
					best = shared;
					tie = 0;
					if (old_best != lp)
						cJSON_Delete(old_best);
					old_best = lp;
					keep = 1;
					new_best = p;
					qty = q;
				} else if (shared == best) {
					tie = 1;	/* two lines, or two products, fit as well */
				}
			}
		}
		if (!keep)
			cJSON_Delete(lp);
	}
	int done = 0;
	if (old_best && new_best && !tie && cartops_set_line(t, dlg_id(old_best), 0) == 0) {
		char title[160];
		title_of(old_best, title, sizeof title);
		reply_say(&t->r, "Okay, I took out the %s.", title);
		act_add_product(t, new_best, it->qty > 0 ? units_of(new_best, it, it->qty) : qty, 0);
		done = 1;
	}
	cJSON_Delete(old_best);
	resolve_free(&res);
	return done;
}

/* "no, two" / "make that the decaf" / "i meant the bose": amends the last change. */
void act_correct(struct turn *t, const struct und_cmd *c)
{
	struct buddy_state *st = t->st;
	const struct und_item *it = c->nitems > 0 ? &c->items[0] : NULL;
	if (!t->cart)
		cartops_refresh(t);
	if (it && st->last.kind == DLG_LAST_NONE && act_swap_cart_kind(t, it))
		return;
	if (!it || st->last.kind == DLG_LAST_NONE) {
		reply_say(&t->r, "Sorry, what should I change?");
		return;
	}
	int line = dlg_cart_qty(t->cart, st->last.id);
	/* "the no pulp one", "not decaf": what the last product was, without that */
	int framed = (t->needs.excl || t->needs.req) && it->qty == 0;
	if (it->nwords == 0 && (it->nneg > 0 || framed) && (it->ref == UND_REF_NONE || it->ref == UND_REF_IT) &&
	    st->last.id > 0) {
		cJSON *op = NULL;
		ERRBUF;
		struct und_cmd kind = *c;
		struct und_item *k = &kind.items[0];
		if (t->tools->product_get(t->tools->ctx, st->last.id, &op, code, msg) == 0 && op &&
		    (it->nneg > 0 || !needs_allows(&t->needs, op))) {
			int has = 0;
			const char *facet = it->nneg > 0 ? NULL : needs_breaks(&t->needs, op, &has);
			struct text_words tw;
			text_split(dlg_str(op, "title"), &tw);
			for (int w = 0; w < tw.n && k->nwords < UND_ITEM_WORDS; w++) {
				int ruled_out = 0;
				for (int n = 0; n < it->nneg; n++)
					ruled_out |= match_word_similarity(it->neg[n], tw.w[w]) >= 0.85;
				if (facet && has)	/* "pulp" in "With Pulp": the kind is juice */
					ruled_out |= match_word_similarity(facet, tw.w[w]) >= 0.85;
				if (ruled_out || lex_is_stopword(tw.w[w]) || lex_is_negator(tw.w[w]) ||
				    lex_is_unit(tw.w[w]) || lex_size_unit(tw.w[w]) || num_word(tw.w[w]) >= 0 ||
				    (tw.w[w][0] >= '0' && tw.w[w][0] <= '9'))
					continue;
				snprintf(k->words[k->nwords], TEXT_WORD_LEN, "%s", tw.w[w]);
				k->wctx[k->nwords++] = 0;
			}
		}
		cJSON_Delete(op);
		if (k->nwords > 0) {
			k->ref = UND_REF_WORDS;
			act_correct(t, &kind);
			return;
		}
	}
	if (!und_item_has_ref(it) || (it->ref == UND_REF_IT && it->nwords == 0)) {
		if (it->qty <= 0)
			return;
		int target = st->last.kind == DLG_LAST_ADD ? line - st->last.qty + it->qty :
			     st->last.kind == DLG_LAST_REMOVE ? st->last.line_before - it->qty : it->qty;
		cJSON *p = NULL;
		ERRBUF;
		if (t->tools->product_get(t->tools->ctx, st->last.id, &p, code, msg) == 0 && p) {
			int kind = st->last.kind, before = st->last.line_before;
			change_line(t, p, target < 0 ? 0 : target);
			st->last.kind = kind;
			st->last.line_before = before;
			st->last.qty = kind == DLG_LAST_REMOVE ? it->qty : kind == DLG_LAST_ADD ? it->qty : target - before;
		}
		cJSON_Delete(p);
		return;
	}
	/* a different product: undo the last change, then do it with the new one */
	struct resolution res;
	resolve_item(t, it, RES_CATALOG, &res);
	if (res.status == RES_AMBIGUOUS)
		closest_to(t, &res, st->last.id);
	if (res.status != RES_OK) {
		if (res.status == RES_AMBIGUOUS)
			act_ask_choice(t, &res, UND_ADD, it->qty ? it->qty : st->last.qty);
		else if (res.status == RES_NOT_FOUND)
			act_not_found(t, &res, it->qty ? it->qty : st->last.qty);
		else
			reply_say(&t->r, "Which product did you mean?");
		resolve_free(&res);
		return;
	}
	const cJSON *np = cJSON_GetArrayItem(res.products, 0);
	if (dlg_id(np) == st->last.id) {
		if (it->qty > 0) {
			struct und_cmd q = *c;
			memset(&q.items[0], 0, sizeof q.items[0]);
			q.items[0].qty = it->qty;
			act_correct(t, &q);
		} else {
			reply_say(&t->r, "That's the one you have.");
		}
		resolve_free(&res);
		return;
	}
	if (it->qty > 0 && dlg_cart_qty(t->cart, dlg_id(np)) > 0) {
		/* "better make it three bags of chips": a line already there, not a swap */
		change_line(t, np, units_of(np, it, it->qty));
		resolve_free(&res);
		return;
	}
	int qty = it->qty > 0 ? units_of(np, it, it->qty) : st->last.qty > 0 ? st->last.qty : 1;
	enum dlg_last_kind kind = st->last.kind;
	int64_t old = st->last.id;
	int restore = kind == DLG_LAST_ADD ? line - st->last.qty : st->last.line_before;
	if (cartops_set_line(t, old, restore < 0 ? 0 : restore) == 0) {
		cJSON *op = NULL;
		ERRBUF;
		if (kind != DLG_LAST_REMOVE &&
		    t->tools->product_get(t->tools->ctx, old, &op, code, msg) == 0 && op) {
			char title[160];
			title_of(op, title, sizeof title);
			reply_say(&t->r, "Okay, I took out the %s.", title);
		}
		cJSON_Delete(op);
		if (kind == DLG_LAST_REMOVE) {
			struct und_cmd rm = *c;
			rm.intent = UND_REMOVE;
			act_remove(t, &rm, it);
		} else {
			act_add_product(t, np, qty, 0);
		}
	}
	resolve_free(&res);
}

/* "swap the whole milk for oat milk", "add oat milk instead of the whole milk". */
void act_swap(struct turn *t, const struct und_cmd *c)
{
	const struct und_item *old = NULL, *repl = NULL;
	for (int i = 0; i < c->nitems; i++) {
		if (c->items[i].instead && !old)
			old = &c->items[i];
		else if (!c->items[i].instead && und_item_has_ref(&c->items[i]) && !repl)
			repl = &c->items[i];
	}
	if (!old) {
		act_correct(t, c);
		return;
	}
	if (!t->cart)
		cartops_refresh(t);
	/* "make the oat milk three instead of one": only a number is replaced */
	if ((old->ref == UND_REF_NONE || old->ref == UND_REF_IT) && old->nwords == 0 && old->qty > 0 &&
	    repl && repl->qty > 0) {
		struct und_cmd set = *c;
		set.intent = UND_SET;
		set.nitems = 1;
		set.items[0] = *repl;
		act_set(t, &set, &set.items[0]);
		return;
	}
	int qty = 0;
	cJSON *gone = cJSON_CreateArray();	/* what was taken out */
	struct resolution res;
	resolve_item(t, old, RES_CART, &res);
	if (res.status == RES_OK || (res.status == RES_AMBIGUOUS && old->ref == UND_REF_THEM)) {
		const cJSON *p;
		cJSON_ArrayForEach(p, res.products) {
			char title[160];
			title_of(p, title, sizeof title);
			int line = dlg_cart_qty(t->cart, dlg_id(p));
			if (line > 0 && cartops_set_line(t, dlg_id(p), 0) == 0) {
				reply_say(&t->r, "Okay, I took out the %s.", title);
				if (line > qty)
					qty = line;
				cJSON_AddItemToArray(gone, cJSON_Duplicate(p, 1));
			}
			if (old->ref == UND_REF_WORDS)
				break;
		}
	}
	resolve_free(&res);
	if (!repl) {
		cJSON_Delete(gone);
		return;
	}
	struct und_item add = *repl;
	if (add.qty == 0)
		add.qty = qty;
	/* "change the bagels to plain": a variant of the same thing, so the words of
	 * what it replaces help find it (plain bagels, not plain yogurt) */
	if (add.ref == UND_REF_WORDS && old->ref == UND_REF_WORDS && add.pick == UND_PICK_NONE) {
		struct und_item both = add;
		for (int i = 0; i < old->nwords; i++) {
			int has = 0;
			for (int k = 0; k < both.nwords; k++)
				has |= !strcmp(both.words[k], old->words[i]);
			if (!has && both.nwords < UND_ITEM_WORDS)
				snprintf(both.words[both.nwords++], TEXT_WORD_LEN, "%s", old->words[i]);
		}
		struct resolution r2;
		resolve_item(t, &both, RES_CATALOG, &r2);
		int same = 0;
		const cJSON *g;
		if (r2.status == RES_OK)
			cJSON_ArrayForEach(g, gone)
				same |= dlg_id(g) == dlg_id(cJSON_GetArrayItem(r2.products, 0));
		if (r2.status == RES_OK && !same) {
			act_add_product(t, cJSON_GetArrayItem(r2.products, 0), add.qty > 0 ? add.qty : 1, 0);
			resolve_free(&r2);
			cJSON_Delete(gone);
			return;
		}
		resolve_free(&r2);
	}
	if (add.ref == UND_REF_WORDS && cJSON_GetArraySize(gone) == 1) {
		/* "not the 2%, whole": of the wholes, the one most like what it replaces */
		struct resolution r3;
		resolve_item(t, &add, RES_CATALOG, &r3);
		if (r3.status == RES_AMBIGUOUS)
			closest_to(t, &r3, dlg_id(cJSON_GetArrayItem(gone, 0)));
		if (r3.status == RES_OK) {
			act_add_product(t, cJSON_GetArrayItem(r3.products, 0), add.qty > 0 ? add.qty : 1, 0);
			resolve_free(&r3);
			cJSON_Delete(gone);
			return;
		}
		resolve_free(&r3);
	}
	cJSON_Delete(gone);
	struct und_cmd cmd = *c;
	cmd.intent = UND_ADD;
	cmd.soft = cmd.more = 0;
	cmd.nitems = 1;
	cmd.items[0] = add;
	act_add(t, &cmd, &cmd.items[0]);
}

/* The words of a title that say what kind of thing it is: before any "(", without
 * sizes and units ("Gala Apples 3 lb bag" -> gala apples).  Returns how many. */
static int kind_words(const cJSON *p, struct text_words *out)
{
	char cut[256];
	snprintf(cut, sizeof cut, "%s", dlg_str(p, "title"));
	char *paren = strpbrk(cut, "(,");
	if (paren)
		*paren = '\0';
	struct text_words tw;
	text_split(cut, &tw);
	out->n = 0;
	for (int i = 0; i < tw.n; i++) {
		const char *w = tw.w[i];
		if ((w[0] >= '0' && w[0] <= '9') || lex_is_unit(w) ||
		    (i > 0 && tw.w[i - 1][0] >= '0' && tw.w[i - 1][0] <= '9' && lex_size_unit(w)) ||
		    !strcmp(w, "of") || !strcmp(w, "the") || !strcmp(w, "and") || !strcmp(w, "with"))
			continue;
		match_stem(w, out->w[out->n], TEXT_WORD_LEN);
		out->brk[out->n++] = 0;
	}
	return out->n;
}

static int has_word(const struct text_words *tw, const char *w)
{
	for (int i = 0; i < tw->n; i++)
		if (!strcmp(tw->w[i], w))
			return 1;
	return 0;
}

/* Products of the same kind as old (sharing its head noun), old itself excluded. */
static cJSON *siblings(struct turn *t, const cJSON *old, const struct text_words *ok)
{
	cJSON *all = cJSON_CreateArray();
	if (ok->n == 0)
		return all;
	const char *head = ok->w[ok->n - 1];
	struct buddy_search bs = { head, NULL, -1, -1, "relevance", 20 };
	cJSON *res = NULL;
	ERRBUF;
	if (t->tools->search(t->tools->ctx, &bs, &res, code, msg) != 0 || !res) {
		cJSON_Delete(res);
		return all;
	}
	const cJSON *p;
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(res, "items")) {
		struct text_words pk;
		if (dlg_id(p) == dlg_id(old) || !kind_words(p, &pk) || !has_word(&pk, head))
			continue;
		cJSON_AddItemToArray(all, cJSON_Duplicate(p, 1));
	}
	cJSON_Delete(res);
	return all;
}

/* Takes the last add out again and adds np in its place, as many. */
static void replace_last(struct turn *t, const cJSON *np)
{
	struct buddy_state *st = t->st;
	int line = dlg_cart_qty(t->cart, st->last.id);
	int qty = st->last.qty > 0 ? st->last.qty : 1;
	int restore = line - st->last.qty;
	if (cartops_set_line(t, st->last.id, restore < st->last.line_before ? st->last.line_before :
					       restore < 0 ? 0 : restore) != 0)
		return;
	cJSON *op = NULL;
	ERRBUF;
	if (t->tools->product_get(t->tools->ctx, st->last.id, &op, code, msg) == 0 && op) {
		char title[160];
		title_of(op, title, sizeof title);
		reply_say(&t->r, "Okay, I took out the %s.", title);
	}
	cJSON_Delete(op);
	act_add_product(t, np, qty, 0);
}

int act_refine(struct turn *t, const struct und_cmd *c)
{
	struct buddy_state *st = t->st;
	if (c->nitems != 1 || st->last.kind != DLG_LAST_ADD || st->last.turn != st->turn - 1 ||
	    c->follow || c->ask || c->comment || c->and_said)
		return 0;
	const struct und_item *it = &c->items[0];
	int size = it->pick == UND_PICK_BIGGEST || it->pick == UND_PICK_SMALLEST;
	int other = it->ref == UND_REF_OTHER && it->nwords == 0 && it->pick == UND_PICK_NONE;
	int descr = it->ref == UND_REF_WORDS && it->nwords > 0 && it->pick == UND_PICK_NONE;
	if (it->qty || it->nneg || it->size_num[0] || it->every > 1 || (!size && !other && !descr))
		return 0;
	if (!t->cart)
		cartops_refresh(t);
	if (dlg_cart_qty(t->cart, st->last.id) == 0)
		return 0;
	cJSON *old = NULL;
	ERRBUF;
	if (t->tools->product_get(t->tools->ctx, st->last.id, &old, code, msg) != 0 || !old) {
		cJSON_Delete(old);
		return 0;
	}
	struct text_words ok;
	kind_words(old, &ok);
	struct match_query q;
	char missing[128];
	if (descr) {
		/* only words that tell a variant apart: "organic", "crunchy", "the
		 * everything ones"; a word of the old name ("oat milk") names a product */
		resolve_query(t, it, &q, missing, sizeof missing);
		int fresh = q.n > 0 && !*missing;
		for (int i = 0; i < q.n && fresh; i++)
			fresh = !match_mentions(old, q.w[i]);
		for (int i = 0; i < it->nwords && fresh; i++) {
			char stem[TEXT_WORD_LEN];
			match_stem(it->words[i], stem, sizeof stem);
			fresh = !has_word(&ok, stem);
		}
		if (!fresh) {
			cJSON_Delete(old);
			return 0;
		}
	}
	cJSON *sibs = siblings(t, old, &ok);
	const cJSON *best = NULL, *p;
	int best_shared = -1, best_extra = 0, tie = 0;
	cJSON_ArrayForEach(p, sibs) {
		struct text_words pk;
		kind_words(p, &pk);
		int shared = 0, extra = 0;
		for (int i = 0; i < pk.n; i++) {
			if (has_word(&ok, pk.w[i]))
				shared++;
			else
				extra++;
		}
		if (size) {
			if (shared != ok.n || extra != 0)
				continue;	/* the same thing in another size */
			if (!best || dlg_pick_better(it->pick, p, best))
				best = p;
			continue;
		}
		if (descr) {
			int all = 1;
			for (int i = 0; i < q.n && all; i++)
				all = q.weight[i] < 0.9 || match_mentions(p, q.w[i]);
			if (!all)
				continue;
		}
		if (shared > best_shared || (shared == best_shared && extra < best_extra)) {
			best = p;
			best_shared = shared;
			best_extra = extra;
			tie = 0;
		} else if (shared == best_shared && extra == best_extra) {
			tie = 1;
		}
	}
	int done = 0;
	if (size && best && !dlg_pick_better(it->pick, best, old)) {
		char title[160];
		title_of(old, title, sizeof title);
		reply_say(&t->r, "The %s is already the %s one we have.", title,
			  it->pick == UND_PICK_BIGGEST ? "biggest" : "smallest");
		done = 1;
	} else if (best && !tie) {
		replace_last(t, best);
		done = 1;
	}
	cJSON_Delete(sibs);
	cJSON_Delete(old);
	return done;
}

/* ------------------------------------------------------------------ swaps
 * "trade the gala apples for honeycrisp", "replace two of the spaghetti with penne",
 * "go with crunchy instead of creamy", "make those strawberries organic instead",
 * "switch the juice", "give me the tunebox earbuds in their place", "i'd rather
 * have the oat milk": one frame, read from the words and the catalog.  The old
 * product is the cart line the words name (or "it": the one in focus, the last one
 * added, the only line); the new one is the product the other words name, found
 * with the old one's kind words so "honeycrisp" is the honeycrisp APPLES; with no
 * new words, the one other product of the same kind. */

/* Content words of [a, b) that the catalog knows, into q (units and sizes apart). */
static void swap_words(struct turn *t, const struct text_words *tw, int a, int b, struct match_query *q)
{
	memset(q, 0, sizeof *q);
	struct und_item it;
	memset(&it, 0, sizeof it);
	it.ref = UND_REF_WORDS;
	for (int i = a; i < b && it.nwords < UND_ITEM_WORDS; i++) {
		const char *w = tw->w[i];
		/* "the everything ones": a word between "the" and "ones" describes */
		int describes = text_is(tw, i - 1, "the") && (text_is(tw, i + 1, "ones") || text_is(tw, i + 1, "one")) &&
				num_word(w) < 0 && !text_is_digits(w);
		if (!describes && (lex_is_stopword(w) || num_word(w) >= 0 || lex_is_unit(w) ||
				   lex_size_unit(w) || text_is_digits(w) || lex_is_cart_word(w)))
			continue;
		/* "no, oat milk instead", "no crunchy, only smooth": the no answers or
		 * rejects; it names nothing ("no pulp" does) */
		if (lex_is_negator(w) && !lex_no_modifier(tw, i, b))
			continue;
		if (!strcmp(w, "single") || !strcmp(w, "loose") || !strcmp(w, "individual"))
			w = "each";
		snprintf(it.words[it.nwords++], TEXT_WORD_LEN, "%s", w);
	}
	char missing[128];
	resolve_query(t, &it, q, missing, sizeof missing);
}

/* The number said in [a, b) as a count ("two of the spaghetti"), or 0; *size gets
 * 1 when a size was said instead ("the 4 pack"), *article when "a"/"an" was. */
static int swap_count(const struct text_words *tw, int a, int b, int *size, int *article)
{
	*size = *article = 0;
	for (int i = a; i < b; i++) {
		long v;
		int n = num_parse(tw, i, b, &v);
		if (n && i + n < b && lex_size_unit(tw->w[i + n]) && !text_is(tw, i + n, "packs")) {
			*size = 1;
			i += n;
			continue;
		}
		/* "that one", "the plain one, i'm off sugar": "one" stands for a product */
		if (text_is(tw, i, "one") && i > a &&
		    (text_is(tw, i - 1, "that") || text_is(tw, i - 1, "this") || text_is(tw, i - 1, "the") ||
		     ((i + 1 >= tw->n || tw->brk[i] || lex_is_stopword(tw->w[i + 1])) &&
		      !lex_is_stopword(tw->w[i - 1]) && num_word(tw->w[i - 1]) < 0)))
			continue;
		if (n && v > 0)
			return (int)(v > 1000 ? 1000 : v);
		if (text_is(tw, i, "a") || text_is(tw, i, "an"))
			*article = 1;
	}
	return 0;
}

/* How many words of q a product's title names. */
static int title_names(const cJSON *p, const struct match_query *q)
{
	int n = 0;
	for (int i = 0; i < q->n; i++) {
		struct match_query one = { 0 };
		one.n = 1;
		snprintf(one.w[0], TEXT_WORD_LEN, "%s", q->w[i]);
		one.weight[0] = 1.0;
		cJSON *only = cJSON_CreateObject();
		cJSON_AddStringToObject(only, "title", dlg_str(p, "title"));
		double cov = 0;
		match_score(&one, only, &cov);
		cJSON_Delete(only);
		n += cov >= 0.99;
	}
	return n;
}

/* What was said of the new product besides its new words: the size ("the big 1 kg
 * bag"), the old product's words said again ("to decaf, still the ground kind"),
 * and the new words as said, before any typo was mended ("the smooth"). */
struct swap_said {
	char size_num[TEXT_WORD_LEN], size_unit[8];
	struct match_query again, raw;
};

/* The product replacing `old`: named by q (its new words) among products of old's
 * kind; with no new words, the one other product of that kind.  Owned, or NULL
 * (then *choice may hold the candidates to ask about). */
static cJSON *swap_new(struct turn *t, const cJSON *old, const struct match_query *q, const struct swap_said *ss,
		       cJSON **choice)
{
	struct text_words kind;
	kind_words(old, &kind);
	struct match_query both = *q, kq = { 0 };
	for (int i = 0; i < kind.n && kq.n < MATCH_MAX_WORDS; i++) {
		snprintf(kq.w[kq.n], TEXT_WORD_LEN, "%s", kind.w[i]);
		kq.weight[kq.n++] = 1.0;
	}
	/* the head of the old kind ("apples" of "gala apples") goes with the new words,
	 * mended and as said; failing both, the new words alone, or the kind alone.  The
	 * old kind's others come too ("smooth" of the peanut butter is no granny smith) */
	enum { NSQ = 3 };
	struct match_query *sqs = calloc(NSQ, sizeof *sqs);
	if (!sqs)
		return NULL;
	cJSON *pool = cJSON_CreateArray();
	int nsq = 0, merged;
	const struct match_query *parts[2] = { q, ss && q->n > 0 ? &ss->raw : NULL };
	for (int k = 0; k < 2 && kind.n > 0; k++) {
		if (!parts[k] || parts[k]->n == 0)
			continue;
		sqs[nsq] = *parts[k];
		if (sqs[nsq].n < MATCH_MAX_WORDS) {
			snprintf(sqs[nsq].w[sqs[nsq].n], TEXT_WORD_LEN, "%s", kind.w[kind.n - 1]);
			sqs[nsq].weight[sqs[nsq].n++] = 1.0;
		}
		nsq++;
	}
	merged = nsq;
	if (q->n > 0)
		sqs[nsq++] = *q;
	else
		sqs[nsq++] = kq;
	for (int k = 0; k < nsq; k++) {
		if (k >= merged && cJSON_GetArraySize(pool) > 0)
			break;
		const struct match_query *sq = &sqs[k];
		char query[256] = "";
		for (int i = 0; i < sq->n; i++) {
			size_t o = strlen(query);
			snprintf(query + o, sizeof query - o, "%s%s", o ? " " : "", sq->w[i]);
		}
		struct buddy_search bs = { query, NULL, -1, -1, "relevance", 20 };
		cJSON *res = NULL;
		ERRBUF;
		if (t->tools->search(t->tools->ctx, &bs, &res, code, msg) == 0 && res) {
			const cJSON *p, *x;
			cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(res, "items")) {
				int dup = dlg_id(p) == dlg_id(old);
				cJSON_ArrayForEach(x, pool)
					dup |= dlg_id(x) == dlg_id(p);
				if (!dup)
					cJSON_AddItemToArray(pool, cJSON_Duplicate(p, 1));
			}
		}
		cJSON_Delete(res);
	}
	free(sqs);
	if (q->n > 0) {
		/* the old kind's others, for words their titles do not hold */
		cJSON *sib = siblings(t, old, &kind);
		const cJSON *p, *x;
		cJSON_ArrayForEach(p, sib) {
			int dup = 0;
			cJSON_ArrayForEach(x, pool)
				dup |= dlg_id(x) == dlg_id(p);
			if (!dup)
				cJSON_AddItemToArray(pool, cJSON_Duplicate(p, 1));
		}
		cJSON_Delete(sib);
	}
	/* best: names every new word in its title, then shares most of the old kind */
	for (int i = 0; i < kq.n && both.n < MATCH_MAX_WORDS; i++) {
		snprintf(both.w[both.n], TEXT_WORD_LEN, "%s", kq.w[i]);
		both.weight[both.n++] = 0.4;
	}
	/* then the same size as the old one, then the fewest words said by neither
	 * ("dark roast" for the 12 oz medium roast: the 12 oz dark roast, not the decaf) */
	double osize = dlg_size_of(old);
	const cJSON *best = NULL;
	int best_score = -1000, best_kind = -1, tie = 0, n = 0;
	const cJSON *p;
	cJSON_ArrayForEach(p, pool) {
		int nn = title_names(p, q), nk = title_names(p, &kq), said = 0;
		if (q->n > 0 && nn == 0) {
			/* "only smooth" for the creamy one: said by its tags or description,
			 * the words as said or as mended */
			double cov = 0, rcov = 0;
			match_score(q, p, &cov);
			if (ss && ss->raw.n > 0)
				match_score(&ss->raw, p, &rcov);
			/* (of the old kind, a word of its description is enough) */
			int kin = rcov >= 0.6 || (rcov >= 0.4 && nk > 0);
			if (cov < 0.6 && !kin)
				continue;
			said = 1 + (kin && nk > 0);
		}
		/* a word mended into another kind of thing ("smooth" to granny SMITH) names
		 * less than the said word of the old kind */
		if (nn > 0 && nk == 0 && kq.n > 0 && ss && ss->raw.n > 0) {
			double rcov = 0;
			match_score(&ss->raw, p, &rcov);
			if (rcov < 0.6)
				nn = 0, said = 1;
		}
		n++;
		struct text_words pw;
		kind_words(p, &pw);
		int extra = pw.n - nn - nk;
		/* the size said, else the old one's */
		int same = ss && ss->size_num[0] ? 12 * match_has_size(p, ss->size_num, ss->size_unit) :
			   osize > 0 && dlg_size_of(p) == osize;
		int again = ss ? title_names(p, &ss->again) : 0;
		int score = nn * 100 + said * 50 + nk * 10 + again * 20 + same * 5 -
			    (extra > 4 ? 4 : extra < 0 ? 0 : extra);
		if (score > best_score) {
			best = p;
			best_score = score;
			best_kind = nk;
			tie = 0;
		} else if (score == best_score) {
			tie = 1;
		}
	}
	cJSON *out = NULL;
	if (best && (!tie || n == 1) && (q->n > 0 || best_kind > 0))
		out = cJSON_Duplicate(best, 1);
	else if (n > 1 && choice)
		*choice = cJSON_Duplicate(pool, 1);
	cJSON_Delete(pool);
	return out;
}

int act_swap_frame(struct turn *t, const struct und_result *r, const char *text)
{
	struct buddy_state *st = t->st;
	/* und_parse read the swap's cue and which words name the old product (r->edit) */
	enum und_swap cue = r->edit.swap;
	int oa = r->edit.old_a, ob = r->edit.old_b, done = 0;
	if (cue == UND_SWAP_NONE)
		return 0;
	struct text_words *tw = malloc(sizeof *tw);
	if (!tw)
		return 0;
	und_clean(text, tw);
	if (!t->cart)
		cartops_refresh(t);
	cJSON *lines = dlg_cart_as_products(t->cart);
	int nlines = cJSON_GetArraySize(lines);
	struct match_query oq, nq;
	if (cue == UND_SWAP_POOL) {
		swap_words(t, tw, 0, tw->n, &oq);
		nq = oq;
	} else {
		swap_words(t, tw, oa, ob, &oq);
		struct match_query before, after;
		swap_words(t, tw, 0, oa, &before);
		swap_words(t, tw, ob, tw->n, &after);
		nq = cue == UND_SWAP_INSTEAD_OF ? before : after;
		/* "my kid only eats creamy, switch both of them": nothing named after the
		 * verb, so what was named before it is the new one */
		if (cue == UND_SWAP_VERB && after.n == 0)
			nq = before;
		for (int i = 0; cue == UND_SWAP_INSTEAD_OF && i < after.n && nq.n < MATCH_MAX_WORDS; i++) {
			snprintf(nq.w[nq.n], TEXT_WORD_LEN, "%s", after.w[i]);
			nq.weight[nq.n++] = 1.0;
		}
	}
	/* the old product: the cart line the old words name most */
	const cJSON *old = NULL, *p;
	int best = 0, tie = 0;
	cJSON_ArrayForEach(p, lines) {
		int k = title_names(p, &oq);
		if (k > best)
			best = k, old = p, tie = 0;
		else if (k == best && k > 0)
			tie = 1;
	}
	if (tie)
		old = NULL;
	if (!old && best == 0) {
		/* "switch it", "make those organic instead": the one in mind, the last one
		 * added, or the only line */
		cJSON_ArrayForEach(p, lines)
			if ((st->nfocus > 0 && dlg_id(p) == st->focus[0]) ||
			    (st->last.kind == DLG_LAST_ADD && dlg_id(p) == st->last.id))
				old = p;
		if (!old && nlines == 1)
			old = cJSON_GetArrayItem(lines, 0);
	}
	if (!old || (cue == UND_SWAP_POOL && best == 0 && nq.n == 0)) {
		cJSON_Delete(lines);
		free(tw);
		return 0;
	}
	/* the new words: those the old title does not hold */
	struct match_query fresh = { 0 };
	struct swap_said ss;
	memset(&ss, 0, sizeof ss);
	for (int i = 0; i < nq.n; i++) {
		struct match_query one = { 0 };
		one.n = 1;
		snprintf(one.w[0], TEXT_WORD_LEN, "%s", nq.w[i]);
		one.weight[0] = 1.0;
		/* "the green tea for the chamomile TEA", "strawberries organic": words
		 * the old title holds say the kind, not what is new (but what the new
		 * one keeps: "to decaf, still the ground kind") */
		if (title_names(old, &one) > 0) {
			if (cue != UND_SWAP_POOL && ss.again.n < MATCH_MAX_WORDS) {
				snprintf(ss.again.w[ss.again.n], TEXT_WORD_LEN, "%s", nq.w[i]);
				ss.again.weight[ss.again.n++] = 1.0;
			}
			continue;
		}
		snprintf(fresh.w[fresh.n], TEXT_WORD_LEN, "%s", nq.w[i]);
		fresh.weight[fresh.n++] = 1.0;
	}
	if (cue == UND_SWAP_POOL && fresh.n == 0) {
		cJSON_Delete(lines);
		free(tw);
		return 0;	/* "i'd rather have the oat milk" with oat milk there: nothing to swap */
	}
	if (fresh.n == 0 && cue != UND_SWAP_POOL) {
		/* "change the penne to two", "make the oat milk three instead of one": only
		 * a count changes, which is no swap */
		int a = cue == UND_SWAP_INSTEAD_OF ? 0 : ob, b = tw->n;
		for (int i = a; i < b; i++) {
			long v;
			int m = num_parse(tw, i, b, &v);
			if (m && i + m < b && lex_size_unit(tw->w[i + m]) && !text_is(tw, i + m, "packs")) {
				i += m;	/* "the 4 pack": a size names the new one */
				continue;
			}
			if ((cue != UND_SWAP_INSTEAD_OF || i < oa || i >= ob) && m > 0) {
				cJSON_Delete(lines);
				free(tw);
				return 0;
			}
		}
	}
	/* the new part's words: its size and its words as said */
	int span[2][2] = { { cue == UND_SWAP_VERB ? ob : 0, cue == UND_SWAP_INSTEAD_OF ? oa : tw->n },
			   { cue == UND_SWAP_INSTEAD_OF ? ob : 0, cue == UND_SWAP_INSTEAD_OF ? tw->n : 0 } };
	for (int part = 0; part < 2; part++) {
		int a = span[part][0], b = span[part][1];
		for (int i = a; i < b; i++) {
			long v;
			int m = num_parse(tw, i, b, &v);
			const char *unit = m && i + m < b ? lex_size_unit(tw->w[i + m]) : NULL;
			if (unit && !text_is(tw, i + m, "packs") && v > 0 && !ss.size_num[0]) {
				snprintf(ss.size_num, sizeof ss.size_num, "%ld", v);
				snprintf(ss.size_unit, sizeof ss.size_unit, "%s", unit);
				i += m;
				continue;
			}
			const char *w = tw->w[i];
			if (lex_is_stopword(w) || num_word(w) >= 0 || lex_is_unit(w) || lex_size_unit(w) ||
			    text_is_digits(w) || lex_is_cart_word(w) || lex_is_negator(w) || ss.raw.n >= MATCH_MAX_WORDS)
				continue;
			struct match_query one = { 0 };
			one.n = 1;
			snprintf(one.w[0], TEXT_WORD_LEN, "%s", w);
			one.weight[0] = 1.0;
			if (title_names(old, &one) > 0)
				continue;
			snprintf(ss.raw.w[ss.raw.n], TEXT_WORD_LEN, "%s", w);
			ss.raw.weight[ss.raw.n++] = 1.0;
		}
	}
	cJSON *choice = NULL, *repl = NULL;
	if (fresh.n == 0 && st->pending == DLG_PENDING_SUGGEST && st->suggest_id > 0 &&
	    st->suggest_id != dlg_id(old)) {
		ERRBUF;
		if (t->tools->product_get(t->tools->ctx, st->suggest_id, &repl, code, msg) != 0) {
			cJSON_Delete(repl);
			repl = NULL;
		}
	}
	if (!repl)
		repl = swap_new(t, old, &fresh, &ss, &choice);
	int line = dlg_cart_qty(t->cart, dlg_id(old));
	int osize, oart, nsize, nart;
	int take = cue == UND_SWAP_POOL ? 0 : swap_count(tw, oa, ob, &osize, &oart);
	int nqty = 0;
	if (cue == UND_SWAP_INSTEAD_OF) {
		nqty = swap_count(tw, 0, oa, &nsize, &nart);
		if (!nqty)
			nqty = swap_count(tw, ob, tw->n, &nsize, &nart);
	} else if (cue == UND_SWAP_VERB) {
		nqty = swap_count(tw, ob, tw->n, &nsize, &nart);
	} else {
		nsize = nart = 0;
	}
	if (take >= line || cue == UND_SWAP_INSTEAD_OF)
		take = take >= line || take == 0 ? line : take;
	if (take == 0)
		take = line;
	if (!nqty)
		nqty = nsize || nart ? 1 : take;
	char otitle[160];
	title_of(old, otitle, sizeof otitle);
	if (!repl) {
		if (choice) {
			struct resolution res = { 0 };
			res.status = RES_AMBIGUOUS;
			res.products = choice;
			reply_say(&t->r, "What would you like instead of the %s?", otitle);
			act_ask_choice(t, &res, UND_ADD, nqty);
			resolve_free(&res);
		} else {
			reply_say(&t->r, "Sorry, I couldn't find what to put in place of the %s.", otitle);
		}
		cJSON_Delete(lines);
		free(tw);
		t->main = UND_SET;
		return 1;
	}
	int64_t oid = dlg_id(old);
	cJSON *full = NULL;
	{
		ERRBUF;
		if (t->tools->product_get(t->tools->ctx, dlg_id(repl), &full, code, msg) != 0) {
			cJSON_Delete(full);
			full = NULL;
		}
	}
	int64_t stock = dlg_int(full ? full : repl, "stock", -1);
	cJSON_Delete(full);
	if (stock >= 0 && stock < nqty + dlg_cart_qty(t->cart, dlg_id(repl))) {
		/* nothing is taken out for a product that cannot come in */
		char ntitle[160];
		title_of(repl, ntitle, sizeof ntitle);
		if (stock == 0)
			reply_say(&t->r, "Sorry, %s is out of stock, so I kept the %s in your cart.", ntitle, otitle);
		else
			reply_say(&t->r, "Sorry, we don't have enough %s in stock, so I kept the %s in your cart.",
				  ntitle, otitle);
	} else if (cartops_set_line(t, oid, line - take) == 0) {
		char n[64];
		reply_count(take, n, sizeof n);
		if (take < line)
			reply_say(&t->r, "Okay, I took %s %s out.", n, otitle);
		else
			reply_say(&t->r, "Okay, I took out the %s.", otitle);
		act_add_product(t, repl, nqty, 0);
		done = 1;
	}
	t->main = UND_SET;
	cJSON_Delete(repl);
	cJSON_Delete(choice);
	cJSON_Delete(lines);
	free(tw);
	(void)done;
	return 1;
}

int act_kept(struct turn *t, const struct und_cmd *c)
{
	if (!t->cart)
		cartops_refresh(t);
	char said[480] = "";
	for (int i = 0; i < c->nitems; i++) {
		struct resolution res;
		resolve_item(t, &c->items[i], RES_CART, &res);
		const cJSON *p = res.status == RES_OK && cJSON_GetArraySize(res.products) == 1 ?
				 cJSON_GetArrayItem(res.products, 0) : NULL;
		if (!p || dlg_cart_qty(t->cart, dlg_id(p)) == 0) {
			resolve_free(&res);
			return 0;
		}
		char title[160];
		title_of(p, title, sizeof title);
		size_t o = strlen(said);
		snprintf(said + o, sizeof said - o, "%s%s", o ? " and the " : "", title);
		resolve_free(&res);
	}
	if (!said[0])
		return 0;
	reply_say(&t->r, "I kept the %s.", said);
	return 1;
}

int act_count_frame(struct turn *t, const struct und_result *r, const char *text)
{
	/* und_parse read the count stated (r->edit.target) */
	long target = r->edit.target;
	int contrast = r->edit.contrast, stated = r->edit.stated;
	if (target < 0)
		return 0;
	struct text_words *tw = malloc(sizeof *tw);
	if (!tw)
		return 0;
	und_clean(text, tw);
	/* the line: named by the words said, else the line just changed */
	struct und_item it = { .ref = UND_REF_WORDS };
	int known = 0;
	for (int i = 0; i < tw->n && it.nwords < UND_ITEM_WORDS; i++) {
		long m;
		const char *w = tw->w[i];
		if (lex_is_stopword(w) || lex_is_unit(w) || lex_is_negator(w) || num_parse(tw, i, tw->n, &m) ||
		    lex_is_common(w) || !resolve_known_word(t, w))
			continue;
		known = 1;
		snprintf(it.words[it.nwords++], TEXT_WORD_LEN, "%s", w);
	}
	free(tw);
	if (!t->cart)
		cartops_refresh(t);
	cJSON *lines = NULL;
	if (known) {
		lines = described_lines(t, &it);
	} else {
		struct buddy_state *st = t->st;
		int64_t id = st->last.kind != DLG_LAST_NONE && st->last.turn >= st->turn - 2 ? st->last.id :
			     st->nfocus > 0 && st->focus_turn >= st->turn - 1 ? st->focus[0] : 0;
		cJSON *all = dlg_cart_as_products(t->cart);
		const cJSON *p;
		cJSON_ArrayForEach(p, all)
			if (dlg_id(p) == id || (id == 0 && cJSON_GetArraySize(all) == 1 && contrast)) {
				lines = cJSON_CreateArray();
				cJSON_AddItemToArray(lines, cJSON_Duplicate(p, 1));
				break;
			}
		cJSON_Delete(all);
	}
	if (!lines || cJSON_GetArraySize(lines) != 1) {
		cJSON_Delete(lines);
		return 0;
	}
	const cJSON *p = cJSON_GetArrayItem(lines, 0);
	int line = dlg_cart_qty(t->cart, dlg_id(p));
	/* "I want two" is a correction only when there are not fewer than that */
	if (stated == 1 && !contrast && line < target) {
		cJSON_Delete(lines);
		return 0;
	}
	change_line(t, p, (int)target);
	t->main = UND_SET;
	cJSON_Delete(lines);
	return 1;
}
