/*
 * act_shop.c - what the buddy does to help a shopper find things, and orders.
 *
 * Results are read out at most three at a time (two for a frustrated shopper), with
 * prices in words, and remembered as "shown" so "the second one" and "the cheaper
 * one" work in the next turn.  When a product is missing the buddy says so and offers
 * what the catalog does have; when several fit it asks, naming each by what tells it
 * apart ("the Sony or the Bose headphones?").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buddy/dialogue.h"
#include "buddy/lexicon.h"


static cJSON *items_result(const cJSON *items)
{
	cJSON *r = cJSON_CreateObject();
	cJSON_AddItemToObject(r, "items", cJSON_Duplicate(items, 1));
	return r;
}

/* "A for five dollars, B for ..." into out, reading at most max items. */
static void read_list(struct turn *t, const cJSON *items, int max, int prices, char *out, size_t len)
{
	char parts[DLG_READ_MAX][280];
	const char *ptr[DLG_READ_MAX];
	int k = 0;
	const cJSON *p;
	cJSON_ArrayForEach(p, items) {
		if (k >= max || k >= DLG_READ_MAX)
			break;
		char title[160], price[96];
		reply_title(p, title, sizeof title);
		reply_price_of(p, price, sizeof price);
		if (prices)
			snprintf(parts[k], sizeof parts[k], "%s for %s", title, price);
		else
			snprintf(parts[k], sizeof parts[k], "%s", title);
		ptr[k] = parts[k];
		k++;
	}
	(void)t;
	reply_list(ptr, k, "and", out, len);
}

static void offer_choice(struct turn *t, const cJSON *items, enum und_intent intent, int qty)
{
	dlg_show(t, items, 0);
	t->st->pending_intent = intent;
	t->st->pending_qty = qty;
	dlg_ask(t, DLG_PENDING_CHOOSE);
}

void act_ask_choice(struct turn *t, struct resolution *res, enum und_intent intent, int qty)
{
	int n = cJSON_GetArraySize(res->products);
	if (n > DLG_READ_MAX)
		n = DLG_READ_MAX;
	if (n < 2) {
		reply_say(&t->r, "Which one do you mean?");
		return;
	}
	char names[DLG_READ_MAX][128];
	const char *ptr[DLG_READ_MAX];
	const cJSON *all[DLG_READ_MAX];
	for (int i = 0; i < n; i++)
		all[i] = cJSON_GetArrayItem(res->products, i);
	for (int i = 0; i < n; i++) {
		const cJSON *others[DLG_READ_MAX];
		int no = 0;
		for (int j = 0; j < n; j++)
			if (j != i)
				others[no++] = all[j];
		char name[100];
		match_distinguish(all[i], others, no, &res->q, name, sizeof name);
		snprintf(names[i], sizeof names[i], "the %s", name);
		ptr[i] = names[i];
	}
	/* "the White, the Brown or the White": names that do not tell them apart are
	 * said in full */
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++)
			if (i != j && !strcasecmp(names[i], names[j])) {
				char full[100];
				reply_title(all[i], full, sizeof full);
				snprintf(names[i], sizeof names[i], "the %s", full);
				reply_title(all[j], full, sizeof full);
				snprintf(names[j], sizeof names[j], "the %s", full);
			}
	char list[400];
	reply_list(ptr, n, "or", list, sizeof list);
	/* "the Oat Milk or the Almond Milk" say the kind already */
	int kind_said = 1;
	for (int i = 1; i < n; i++) {
		const char *a = strrchr(names[0], ' '), *b = strrchr(names[i], ' ');
		kind_said &= a && b && !strcasecmp(a, b);
	}
	if (n == 2 && *res->said && !kind_said)
		dlg_question(t, "Did you mean %s %s?", list, res->said);
	else
		dlg_question(t, "Did you mean %s?", list);
	cJSON *shown = cJSON_CreateArray();
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(shown, cJSON_Duplicate(all[i], 1));
	dlg_action(t, "search", NULL, items_result(shown));
	offer_choice(t, shown, intent, qty);
	cJSON_Delete(shown);
}

void act_not_found(struct turn *t, struct resolution *res, int qty)
{
	int n = cJSON_GetArraySize(res->products);
	/* words that name nothing the catalog knows and no noun asked for ("what's it
	 * called", "for my niece"): nothing was asked for, so nothing is missing */
	if (!*res->missing && res->q.n == 0 && n == 0)
		return;
	const char *what = *res->missing ? res->missing : res->said;
	if (*what)
		reply_say(&t->r, "Sorry, we don't have %s.", what);
	else
		reply_say(&t->r, "Sorry, I couldn't find that.");
	if (n == 0) {
		if (!t->r.frustrated)
			reply_say(&t->r, "You can ask me what we have, for example: what fruit do you have?");
		return;
	}
	char list[900];
	read_list(t, res->products, t->r.frustrated ? 2 : DLG_READ_MAX, 1, list, sizeof list);
	reply_say(&t->r, "We do have %s.", list);
	dlg_question(t, "%s", n == 1 ? "Would you like that instead?" : "Would you like one of those?");
	dlg_action(t, "search", NULL, items_result(res->products));
	if (n == 1) {
		dlg_show(t, res->products, 0);
		dlg_focus(t, res->products);
		t->st->suggest_id = dlg_id(cJSON_GetArrayItem(res->products, 0));
		t->st->suggest_qty = qty > 0 ? qty : 1;
		dlg_ask(t, DLG_PENDING_SUGGEST);
	} else {
		offer_choice(t, res->products, UND_ADD, qty);
	}
}

static const char *sort_name(int sort)
{
	return sort == 1 ? "price_asc" : sort == 2 ? "price_desc" : "relevance";
}

static cJSON *run_search(struct turn *t, const char *query, const char *category,
			 struct price_range pr, int sort, int limit)
{
	struct buddy_search bs = { query, category, pr.min_cents, pr.max_cents, sort_name(sort), limit };
	cJSON *res = NULL;
	ERRBUF;
	int rc = t->tools->search(t->tools->ctx, &bs, &res, code, msg);
	if (rc != 0 || !res) {
		cJSON_Delete(res);
		return NULL;
	}
	return res;
}

static cJSON *search_args(const char *query, const char *category, struct price_range pr, int sort)
{
	cJSON *a = cJSON_CreateObject();
	if (query && *query)
		cJSON_AddStringToObject(a, "query", query);
	if (category && *category)
		cJSON_AddStringToObject(a, "category", category);
	if (pr.min_cents >= 0)
		cJSON_AddNumberToObject(a, "min_price_cents", (double)pr.min_cents);
	if (pr.max_cents >= 0)
		cJSON_AddNumberToObject(a, "max_price_cents", (double)pr.max_cents);
	cJSON_AddStringToObject(a, "sort", sort_name(sort));
	return a;
}

static void price_phrase(struct price_range pr, char *out, size_t len)
{
	char a[96], b[96];
	reply_money(pr.min_cents, NULL, a, sizeof a);
	reply_money(pr.max_cents >= 0 ? pr.max_cents + 1 : 0, NULL, b, sizeof b);
	if (pr.min_cents >= 0 && pr.max_cents >= 0)
		snprintf(out, len, " between %s and %s", a, b);
	else if (pr.max_cents >= 0)
		snprintf(out, len, " under %s", b);
	else if (pr.min_cents >= 0)
		snprintf(out, len, " over %s", a);
	else
		out[0] = '\0';
}

/* Reads a page of results and sets up the choice. */
static void present(struct turn *t, cJSON *items, int total, const char *what, int qty, int pick, int take)
{
	int n = cJSON_GetArraySize(items);
	char list[900];
	if (pick || n == 1) {
		const cJSON *p = cJSON_GetArrayItem(items, 0);
		char title[160], price[96];
		if (dlg_int(p, "stock", -1) == 0) {
			/* "do you have blood oranges?": the truth, and something like it */
			act_add_product(t, p, qty > 0 ? qty : 1, 0);
			return;
		}
		if ((t->requested && total == 1 && !pick) || take) {
			act_add_product(t, p, qty > 0 ? qty : 1, 0);
			return;
		}
		reply_title(p, title, sizeof title);
		reply_price_of(p, price, sizeof price);
		if (pick)
			reply_say(&t->r, "The %s %s is %s, for %s.", pick == 1 ? "cheapest" : "most expensive",
				  *what ? what : "option", title, price);
		else
			reply_say(&t->r, "We have %s for %s.", title, price);
		dlg_offer(t, p, qty, "Shall I add it?");
		return;
	}
	int read = t->r.frustrated ? 2 : DLG_READ_MAX;
	read_list(t, items, read, 1, list, sizeof list);
	char count[64];
	reply_count(total, count, sizeof count);
	if (*what)
		reply_say(&t->r, "I found %s match%s for %s: %s.", total > 1 ? count : "one",
			  total > 1 ? "es" : "", what, list);
	else
		reply_say(&t->r, "I found %s match%s%s: %s.", count, total > 1 ? "es" : "", t->range, list);
	if (total > read && !t->r.frustrated)
		dlg_question(t, "Which one would you like? Or say more to hear others.");
	else
		dlg_question(t, "Which one would you like?");
	offer_choice(t, items, UND_ADD, qty);
}

void act_offer_found(struct turn *t, cJSON *items, const char *query, int take)
{
	struct price_range none = { -1, -1 };
	dlg_action(t, "search", search_args(query, NULL, none, 0), items_result(items));
	present(t, items, cJSON_GetArraySize(items), "", 0, 0, take);
}

static int is_category_word(struct turn *t, const char *w, char *cat, size_t len)
{
	if (!t->have_vocab)
		return 0;
	for (size_t i = 0; i < t->vocab.ncategories; i++) {
		struct text_words cw;
		text_split(t->vocab.categories[i], &cw);
		if (cw.n == 1 && match_word_similarity(w, cw.w[0]) >= 1.0) {
			snprintf(cat, len, "%s", t->vocab.categories[i]);
			return 1;
		}
	}
	return 0;
}

void act_search(struct turn *t, const struct und_cmd *c, const struct und_item *it)
{
	struct buddy_state *st = t->st;
	struct match_query q = { 0 };
	/* "I've got 30 dollars, what headphones": a budget said is a limit on the search */
	struct price_range price = c->price;
	if (price.max_cents < 0 && price.min_cents < 0 && t->needs.budget > 0 && !t->needs.budget_ask)
		price.max_cents = t->needs.budget;
	char missing[128] = "", query[256] = "", category[64] = "", said[128] = "";
	if (it) {
		resolve_query(t, it, &q, missing, sizeof missing);
		/* "whichever apples", "apples for the horse": what was asked for is "apples" */
		int plain = 0;
		for (int i = 0; i < it->nwords; i++)
			plain += !it->wctx[i] && !lex_is_delegation(it->words[i]);
		for (int i = 0; i < it->nwords; i++)
			if (!lex_is_delegation(it->words[i]) && (!it->wctx[i] || !plain))
				snprintf(said + strlen(said), sizeof said - strlen(said), "%s%s", *said ? " " : "",
					 it->words[i]);
	}
	if (*missing) {
		struct resolution res;
		resolve_item(t, it, RES_CATALOG, &res);
		act_not_found(t, &res, it->qty);
		resolve_free(&res);
		return;
	}
	if (it && it->nwords > 0 && q.n == 0 && it->nneg == 0 && price.min_cents < 0 &&
	    price.max_cents < 0 && !it->pick && t->have_vocab) {
		/* "i'm having friends over on saturday": a story, nothing to look up yet;
		 * after something was answered ("total please, then i'll decide") it is
		 * only the shopper's aside */
		if (t->r.sentences == 0)
			reply_say(&t->r, "Sounds good. What can I get you for it?");
		return;
	}
	if (q.n == 1 && is_category_word(t, q.w[0], category, sizeof category))
		q.n = 0;
	for (int i = 0; i < q.n; i++)
		if (q.weight[i] >= 1.0 || q.n == 1)
			snprintf(query + strlen(query), sizeof query - strlen(query), "%s%s", *query ? " " : "", q.w[i]);
	/* "wholemeal loaf": when no word is a strong one, the weaker ones are what was
	 * asked for (an empty query would list the whole catalog) */
	for (int i = 0; !*query && i < q.n; i++)
		snprintf(query + strlen(query), sizeof query - strlen(query), "%s%s", i ? " " : "", q.w[i]);
	int pick = it && it->pick != UND_PICK_NONE ? (it->pick == UND_PICK_CHEAPEST ? 1 : 2) : 0;
	int sort = pick ? pick : c->sort;
	cJSON *res = run_search(t, query, category, price, sort, 20);
	if (!res) {
		reply_say(&t->r, "Sorry, I can't search the catalog right now.");
		return;
	}
	cJSON *items = cJSON_DetachItemFromObject(res, "items");
	int total = (int)dlg_int(res, "total", cJSON_GetArraySize(items));
	cJSON_Delete(res);
	if (!items)
		items = cJSON_CreateArray();
	/* "the cheapest coffee": among the things that ARE coffee (coffee beans, ground
	 * coffee), not everything that mentions it (a coffee mug, chamomile tea) */
	if ((sort || !needs_empty(&t->needs)) && q.n > 0 && !*category) {
		int best = 0, n0 = cJSON_GetArraySize(items);
		for (int i = 0; i < n0; i++) {
			int lv = match_kind_level(cJSON_GetArrayItem(items, i), &q);
			if (lv > best)
				best = lv;
		}
		for (int i = n0 - 1; best > 0 && i >= 0; i--) {
			if (match_kind_level(cJSON_GetArrayItem(items, i), &q) < best) {
				cJSON_DeleteItemFromArray(items, i);
				total--;
			}
		}
	}
	/* "peanut butter": products named so come first, and one that only mentions it in
	 * its description (apples "great sliced with peanut butter") is not one of them */
	if (q.n > 0) {
		int n0 = cJSON_GetArraySize(items);
		double best = 0;
		for (int i = 0; i < n0; i++) {
			double cov = 0;
			match_score(&q, cJSON_GetArrayItem(items, i), &cov);
			if (cov > best)
				best = cov;
		}
		for (int i = n0 - 1; best >= 0.85 && i >= 0; i--) {
			double cov = 0;
			match_score(&q, cJSON_GetArrayItem(items, i), &cov);
			if (cov < 0.45) {
				cJSON_DeleteItemFromArray(items, i);
				total--;
			}
		}
	}
	int before_excl = cJSON_GetArraySize(items);
	/* drop what the shopper excluded: "coffee but not the decaf"; a word every one
	 * found has ("roast" of "not dark roast") tells nothing apart */
	int telling[UND_ITEM_WORDS] = { 0 };
	for (int k = 0; it && k < it->nneg; k++) {
		int has = 0, n0 = cJSON_GetArraySize(items);
		for (int i = 0; i < n0; i++)
			has += match_mentions(cJSON_GetArrayItem(items, i), it->neg[k]);
		telling[k] = has < n0 || it->nneg == 1;
	}
	for (int i = cJSON_GetArraySize(items) - 1; it && it->nneg && i >= 0; i--) {
		const cJSON *p = cJSON_GetArrayItem(items, i);
		for (int k = 0; k < it->nneg; k++) {
			if (telling[k] && match_mentions(p, it->neg[k])) {
				cJSON_DeleteItemFromArray(items, i);
				total--;
				break;
			}
		}
	}
	/* "apples, anything except granny smith": every word of an exception names it */
	for (int i = cJSON_GetArraySize(items) - 1; c->nexcept > 0 && i >= 0; i--) {
		const cJSON *p = cJSON_GetArrayItem(items, i);
		for (int e = 0; e < c->nexcept; e++) {
			const struct und_item *x = &c->except[e];
			int all = x->nwords > 0;
			for (int k = 0; k < x->nwords && all; k++)
				all = lex_is_stopword(x->words[k]) || lex_is_common(x->words[k]) ||
				      match_mentions(p, x->words[k]);
			if (all) {
				cJSON_DeleteItemFromArray(items, i);
				total--;
				break;
			}
		}
	}
	/* "something to drink": every kind the need names, as one list */
	for (int k = 1; k < t->needs.nproduct && !strcmp(query, t->needs.product[0]); k++) {
		cJSON *more = run_search(t, t->needs.product[k], NULL, price, sort, 20);
		const cJSON *p, *q2;
		cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(more, "items")) {
			int dup = 0;
			cJSON_ArrayForEach(q2, items)
				dup |= dlg_id(q2) == dlg_id(p);
			if (!dup)
				cJSON_AddItemToArray(items, cJSON_Duplicate(p, 1));
		}
		cJSON_Delete(more);
		total = cJSON_GetArraySize(items);
	}
	/* "milk, but nothing with dairy", "a speaker for the beach": what the shopper
	 * can't have goes, what fits the need best comes first */
	if (!needs_empty(&t->needs) && needs_filter(&t->needs, items) > 0) {
		total = cJSON_GetArraySize(items);
		if (total == 0) {
			char why[96];
			needs_phrase(&t->needs, why, sizeof why);
			reply_say(&t->r, "Sorry, I couldn't find any %s%s.", *said ? said : "products",
				  *why ? why : " like that");
			cJSON_Delete(items);
			return;
		}
	}
	if (*said) {
		size_t l = strlen(said);
		needs_phrase(&t->needs, said + l, sizeof said - l);
	}
	snprintf(st->last_query, sizeof st->last_query, "%s", query);
	snprintf(st->last_category, sizeof st->last_category, "%s", category);
	st->last_price = price;
	st->last_sort = sort;
	st->last_offset = 0;
	int n = cJSON_GetArraySize(items);
	const char *what = *said ? said : category;
	price_phrase(price, t->range, sizeof t->range);
	if (n == 0) {
		char range[240];
		price_phrase(price, range, sizeof range);
		if (*range) {
			reply_say(&t->r, "I couldn't find any %s%s.", *what ? what : "products", range);
			struct price_range none = { -1, -1 };
			cJSON *alt = run_search(t, query, category, none, price.max_cents >= 0 ? 1 : 2, 1);
			cJSON *ai = cJSON_GetObjectItemCaseSensitive(alt, "items");
			if (cJSON_GetArraySize(ai) > 0) {
				const cJSON *p = cJSON_GetArrayItem(ai, 0);
				char title[160], price[96];
				reply_title(p, title, sizeof title);
				reply_price_of(p, price, sizeof price);
				reply_say(&t->r, "The closest is %s, for %s.", title, price);
				dlg_action(t, "search", search_args(query, category, none, 1), items_result(ai));
				present(t, ai, 1, what, it ? it->qty : 0, 0, 0);
			}
			cJSON_Delete(alt);
		} else if (it) {
			struct resolution r2;
			resolve_item(t, it, RES_CATALOG, &r2);
			if (r2.status == RES_NOT_FOUND || cJSON_GetArraySize(r2.products) == 0)
				act_not_found(t, &r2, it->qty);
			else
				act_ask_choice(t, &r2, UND_ADD, it->qty);
			resolve_free(&r2);
		} else {
			reply_say(&t->r, "I couldn't find anything like that.");
		}
		cJSON_Delete(items);
		return;
	}
	/* ask or act: a request that leaves the choice to the buddy ("whichever apples
	 * are cheapest", "the cheapest kind, three bags") or rules out all but one ("peanut
	 * butter, not the crunchy") is done; a question ("what's the cheapest tea?", "is
	 * there one without sugar?") is answered and offered */
	int take = 0;
	if (it && !c->question && !c->ask && !c->yesno && !c->comment && !c->follow && !c->negated) {
		int delegated = 0;
		for (int i = 0; i < it->nwords; i++)
			delegated |= lex_is_delegation(it->words[i]);
		if (pick)
			take = it->qty > 0 || c->polite || delegated || c->intent == UND_ADD;
		else	/* not "show me earbuds that aren't sony", nor "something to drink
			 * that won't keep me up": those ask to see what there is */
			take = n == 1 && total == 1 && (before_excl > 1 || it->nneg > 0) && t->needs.nproduct == 0 &&
			       (c->intent == UND_NONE || c->intent == UND_ADD) &&
			       (it->nneg > 0 || c->nexcept > 0 || !needs_empty(&t->needs));
	}
	/* what is read out is what "the last one" and "the second one" refer to */
	int readable = pick ? 1 : t->r.frustrated ? 2 : DLG_READ_MAX;
	while (cJSON_GetArraySize(items) > readable)
		cJSON_DeleteItemFromArray(items, readable);
	dlg_action(t, "search", search_args(query, category, price, sort), items_result(items));
	present(t, items, total > n ? total : n, what, it ? it->qty : 0, pick, take);
	cJSON_Delete(items);
}

void act_show_left(struct turn *t, const struct und_item *it, const cJSON *products)
{
	char query[TEXT_MAX_INPUT > 256 ? 256 : TEXT_MAX_INPUT] = "";
	size_t len = 0;
	for (int i = 0; it && i < it->nwords && len + 1 < sizeof query; i++) {
		if (it->wctx[i])
			continue;
		int n = snprintf(query + len, sizeof query - len, "%s%s", len ? " " : "", it->words[i]);
		if (n < 0 || (size_t)n >= sizeof query - len)
			break;
		len += (size_t)n;
	}
	struct price_range none = { -1, -1 };
	dlg_action(t, "search", search_args(query, NULL, none, 0), items_result(products));
}

cJSON *act_search_again(struct turn *t, int limit)
{
	struct buddy_state *st = t->st;
	if (!*st->last_query && !*st->last_category)
		return NULL;
	cJSON *res = run_search(t, st->last_query, *st->last_category ? st->last_category : NULL,
				st->last_price, st->last_sort, limit);
	cJSON *items = res ? cJSON_DetachItemFromObject(res, "items") : NULL;
	cJSON_Delete(res);
	return items;
}

void act_more_results(struct turn *t)
{
	struct buddy_state *st = t->st;
	if (!*st->last_query && !*st->last_category && st->last_price.max_cents < 0 &&
	    st->last_price.min_cents < 0) {
		reply_say(&t->r, "More of what? Tell me what you're looking for.");
		return;
	}
	st->last_offset += DLG_READ_MAX;
	cJSON *res = run_search(t, st->last_query, *st->last_category ? st->last_category : NULL,
				st->last_price, st->last_sort, st->last_offset + DLG_READ_MAX);
	cJSON *items = cJSON_CreateArray();
	int total = (int)dlg_int(res, "total", 0);
	const cJSON *p;
	int k = 0;
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(res, "items"))
		if (k++ >= st->last_offset)
			cJSON_AddItemToArray(items, cJSON_Duplicate(p, 1));
	cJSON_Delete(res);
	if (cJSON_GetArraySize(items) == 0) {
		reply_say(&t->r, "That's everything we have for that.");
		st->last_offset = 0;
		cJSON_Delete(items);
		return;
	}
	char list[900];
	read_list(t, items, DLG_READ_MAX, 1, list, sizeof list);
	dlg_action(t, "search", search_args(st->last_query, st->last_category, st->last_price, st->last_sort),
		   items_result(items));
	reply_say(&t->r, "We also have %s.", list);
	reply_say(&t->r, total > st->last_offset + DLG_READ_MAX ? "Want to hear more, or pick one?" : "Which one would you like?");
	offer_choice(t, items, UND_ADD, 0);
	cJSON_Delete(items);
}
