/*
 * act_info.c - answers about one product ("how much is it", "tell me about the
 * bose", "is the decaf in stock"), "anything cheaper?", and the shopper's orders.
 *
 * Answers are one or two sentences.  Describing a product that is not in the cart
 * ends with an offer to add it, so a plain "yes" works next.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buddy/dialogue.h"
#include "buddy/lexicon.h"
#include "buddy/numbers.h"
#include "buddy/price.h"
#include "buddy/terms.h"

/* "the A, the B and the C": the titles of the first DLG_READ_MAX products of arr. */
static void titles_list(const cJSON *arr, char *list, size_t size)
{
	char names[DLG_READ_MAX][160];
	const char *ptr[DLG_READ_MAX];
	int k = 0;
	const cJSON *p;
	cJSON_ArrayForEach(p, arr) {
		if (k >= DLG_READ_MAX)
			break;
		reply_title(p, names[k], sizeof names[k]);
		ptr[k] = names[k];
		k++;
	}
	reply_list(ptr, k, "and", list, size);
}

/* The first sentence of a description, at most ~140 characters, cut at a word. */
static void short_description(const char *d, char *out, size_t len)
{
	size_t max = len - 1 < 140 ? len - 1 : 140, o = 0;
	for (; d[o] && o < max; o++) {
		out[o] = d[o];
		if ((d[o] == '.' || d[o] == '!' || d[o] == '?') && (d[o + 1] == ' ' || !d[o + 1])) {
			o++;
			break;
		}
	}
	out[o] = '\0';
	if (d[o] && o == max) {
		char *sp = strrchr(out, ' ');
		if (sp)
			*sp = '\0';
	}
	while (o > 0 && strchr(" .!?,;", out[strlen(out) ? strlen(out) - 1 : 0]) && strlen(out))
		out[strlen(out) - 1] = '\0';
}

static void describe(struct turn *t, const struct und_cmd *c, const cJSON *p, int several, int qty)
{
	char title[160], price[96], stock[64];
	reply_title(p, title, sizeof title);
	reply_price_of(p, price, sizeof price);
	int64_t s = dlg_int(p, "stock", -1);
	reply_count((long)s, stock, sizeof stock);
	if (c->intent == UND_PRICE && qty > 1 && dlg_int(p, "price_cents", -1) >= 0) {
		/* "how much would two bags of honeycrisp cost?": the sum, and each */
		char n[64], sum[96];
		reply_count(qty, n, sizeof n);
		reply_money(dlg_int(p, "price_cents", 0) * qty, dlg_str(p, "currency"), sum, sizeof sum);
		reply_say(&t->r, "%s %s would cost %s, at %s each.", n, title, sum, price);
		return;
	}
	if (c->intent == UND_PRICE) {
		reply_say(&t->r, "%s costs %s.", title, price);
		return;
	}
	if (c->intent == UND_STOCK) {
		if (s == 0)
			reply_say(&t->r, "Sorry, %s is out of stock.", title);
		else if (s > 0)
			reply_say(&t->r, "Yes, we have %s %s in stock.", stock, title);
		else
			reply_say(&t->r, "Yes, %s is available.", title);
		return;
	}
	char desc[160];
	short_description(dlg_str(p, "description"), desc, sizeof desc);
	if (*desc && !several && !t->r.frustrated)
		reply_say(&t->r, "%s, %s. %s.", title, price, desc);
	else
		reply_say(&t->r, "%s, %s.", title, price);
	if (s == 0)
		reply_say(&t->r, "It's out of stock right now.");
}

void act_info(struct turn *t, const struct und_cmd *c, const struct und_item *it)
{
	if (!it) {
		if (t->st->nfocus == 0) {
			reply_say(&t->r, "Which product do you mean?");
			return;
		}
		static const struct und_item focus = { .ref = UND_REF_IT };
		it = &focus;
	}
	struct resolution res;
	if (c->intent == UND_STOCK && c->cart_said && it->ref == UND_REF_WORDS) {
		/* "how many bags of chips do i have?" */
		if (!t->cart)
			cartops_refresh(t);
		resolve_item(t, it, RES_CART, &res);
		if (res.status == RES_OK) {
			const cJSON *p;
			cJSON_ArrayForEach(p, res.products) {
				char title[160], q[64];
				reply_title(p, title, sizeof title);
				reply_count(dlg_cart_qty(t->cart, dlg_id(p)), q, sizeof q);
				reply_say(&t->r, "You have %s %s in your cart.", q, title);
			}
			dlg_focus(t, res.products);
			resolve_free(&res);
			return;
		}
		if (res.status == RES_AMBIGUOUS && cJSON_GetArraySize(res.products) > 1) {
			/* "how many packs of pasta do i have": every line of that kind, counted */
			char parts[DLG_READ_MAX][200], total[64];
			const char *ptr[DLG_READ_MAX];
			int np = 0;
			long units = 0;
			const cJSON *p;
			cJSON_ArrayForEach(p, res.products) {
				int q = dlg_cart_qty(t->cart, dlg_id(p));
				char title[160], qs[32];
				units += q;
				if (np >= DLG_READ_MAX)
					continue;
				reply_title(p, title, sizeof title);
				reply_count(q, qs, sizeof qs);
				snprintf(parts[np], sizeof parts[np], "%s %s", qs, title);
				ptr[np] = parts[np];
				np++;
			}
			char list[700];
			reply_list(ptr, np, "and", list, sizeof list);
			reply_count(units, total, sizeof total);
			reply_say(&t->r, "You have %s in all: %s.", total, list);
			dlg_focus(t, res.products);
			resolve_free(&res);
			return;
		}
		reply_say(&t->r, "You don't have any %s in your cart.", *res.said ? res.said : "of that");
		resolve_free(&res);
		return;
	}
	resolve_item(t, it, RES_CATALOG, &res);
	/* "does the electric kettle turn off by itself?": the product is the words the
	 * catalog knows; the rest is the question */
	if (res.status == RES_NOT_FOUND && *res.missing && res.q.n > 0 && it->ref == UND_REF_WORDS &&
	    c->intent == UND_INFO) {
		struct und_item known = *it;
		known.nwords = 0;
		for (int i = 0; i < it->nwords; i++) {
			char w[TEXT_WORD_LEN];
			snprintf(w, sizeof w, "%s", it->words[i]);
			if (!strstr(res.missing, w))
				snprintf(known.words[known.nwords++], TEXT_WORD_LEN, "%s", w);
		}
		if (known.nwords > 0 && known.nwords < it->nwords) {
			struct resolution r2;
			resolve_item(t, &known, RES_CATALOG, &r2);
			if (r2.status == RES_OK) {
				resolve_free(&res);
				res = r2;
			} else {
				resolve_free(&r2);
			}
		}
	}
	int n = cJSON_GetArraySize(res.products);
	if (res.status == RES_OK) {
		const cJSON *p;
		cJSON_ArrayForEach(p, res.products) {
			cJSON *full = NULL;
			ERRBUF;
			if (t->tools->product_get(t->tools->ctx, dlg_id(p), &full, code, msg) != 0 || !full) {
				cJSON_Delete(full);
				full = cJSON_Duplicate(p, 1);
			}
			describe(t, c, full, n > 1, it->qty);
			cJSON *args = cJSON_CreateObject();
			cJSON_AddNumberToObject(args, "product_id", (double)dlg_id(full));
			cJSON *result = cJSON_CreateObject();
			cJSON_AddItemToObject(result, "product", full);
			dlg_action(t, "product.show", args, result);
		}
		if (t->info_cmd == t->cmd_index + 1) {
			const cJSON *p2;
			cJSON_ArrayForEach(p2, res.products)
				if (t->st->nfocus < DLG_MAX_FOCUS)
					t->st->focus[t->st->nfocus++] = dlg_id(p2);
		} else if (t->st->info_turn == t->st->turn - 1 && t->st->focus_turn == t->st->turn - 1 &&
			   t->st->nfocus > 0 && n == 1) {
			/* "how much are the bose?" then "and the sony?": both are in mind for
			 * "the cheaper of the two"; the newest is "it" */
			int64_t id = dlg_id(cJSON_GetArrayItem(res.products, 0));
			int64_t keep[DLG_MAX_FOCUS];
			int nk = 0;
			for (int i = 0; i < t->st->nfocus && nk < DLG_MAX_FOCUS - 1; i++)
				if (t->st->focus[i] != id)
					keep[nk++] = t->st->focus[i];
			t->st->focus[0] = id;
			memcpy(&t->st->focus[1], keep, (size_t)nk * sizeof keep[0]);
			t->st->nfocus = nk + 1;
			t->st->focus_turn = t->st->turn;
		} else {
			dlg_focus(t, res.products);
		}
		t->st->info_turn = t->st->turn;
		t->info_cmd = t->cmd_index + 1;
		if (n == 1 && c->intent == UND_INFO && dlg_int(cJSON_GetArrayItem(res.products, 0), "stock", 1) != 0) {
			const cJSON *p0 = cJSON_GetArrayItem(res.products, 0);
			if (t->cart == NULL || dlg_cart_qty(t->cart, dlg_id(p0)) == 0) {
				reply_say(&t->r, "Shall I add it?");
				t->st->suggest_id = dlg_id(p0);
				t->st->suggest_qty = it->qty > 0 ? it->qty : 1;
				dlg_ask(t, DLG_PENDING_SUGGEST);
			}
		}
	} else if (res.status == RES_AMBIGUOUS) {
		act_ask_choice(t, &res, c->intent == UND_NONE ? UND_INFO : c->intent, it->qty);
	} else if (res.status == RES_NOT_FOUND) {
		act_not_found(t, &res, it->qty);
	} else if (it->ref == UND_REF_ORDINAL && cJSON_GetArraySize(t->st->shown) > 0) {
		char n2[32];
		reply_count(cJSON_GetArraySize(t->st->shown), n2, sizeof n2);
		reply_say(&t->r, "I only read out %s. Which one do you mean?", n2);
	} else {
		reply_say(&t->r, "Which product do you mean?");
	}
	resolve_free(&res);
}

void act_cheaper(struct turn *t, const struct und_cmd *c)
{
	struct buddy_state *st = t->st;
	int64_t ref_price = -1;
	char query[256], category[64] = "";
	snprintf(query, sizeof query, "%s", st->last_query);
	snprintf(category, sizeof category, "%s", st->last_category);
	const struct und_item *it = c->nitems > 0 && und_item_has_ref(&c->items[0]) ? &c->items[0] : NULL;
	static const struct und_item focus = { .ref = UND_REF_IT };
	/* "too expensive, not that one, the cheaper sony one": the shopper named the
	 * replacement for what was just added */
	/* "too pricey, get the tunebox ones instead" too: what is named replaces it */
	for (int i = 0; i < c->nitems; i++) {
		const struct und_item *named = &c->items[i];
		if ((named->ref != UND_REF_WORDS && named->ref != UND_REF_IT) || named->nwords == 0 ||
		    st->last.kind != DLG_LAST_ADD || st->last.turn < st->turn - 2)
			continue;
		struct match_query q;
		char missing[128];
		resolve_query(t, named, &q, missing, sizeof missing);
		if (q.n == 0 || *missing)
			continue;
		struct und_cmd fix = *c;
		fix.intent = UND_SET;
		fix.nitems = 1;
		fix.items[0] = *named;
		fix.items[0].ref = UND_REF_WORDS;
		act_correct(t, &fix);
		return;
	}
	struct resolution res;
	resolve_item(t, it ? it : &focus, RES_CATALOG, &res);
	if (res.status == RES_OK) {
		const cJSON *p = cJSON_GetArrayItem(res.products, 0);
		ref_price = dlg_int(p, "price_cents", -1);
		if (!*query && !*category)
			snprintf(category, sizeof category, "%s", dlg_str(p, "category"));
		if (it && it->ref == UND_REF_WORDS) {
			query[0] = '\0';
			snprintf(category, sizeof category, "%s", dlg_str(p, "category"));
		}
	}
	resolve_free(&res);
	if (ref_price < 0) {
		const cJSON *p;
		cJSON_ArrayForEach(p, st->shown) {
			int64_t pr = dlg_int(p, "price_cents", -1);
			if (pr >= 0 && (ref_price < 0 || pr < ref_price))
				ref_price = pr;
		}
	}
	if (ref_price <= 0) {
		reply_say(&t->r, "Cheaper than what? Tell me what you're looking for.");
		return;
	}
	struct buddy_search bs = { query, *category ? category : NULL, -1, ref_price - 1, "price_asc", 10 };
	cJSON *found = NULL;
	ERRBUF;
	if (t->tools->search(t->tools->ctx, &bs, &found, code, msg) != 0 || !found) {
		cJSON_Delete(found);
		reply_say(&t->r, "Sorry, I can't search the catalog right now.");
		return;
	}
	cJSON *items = cJSON_DetachItemFromObject(found, "items");
	cJSON_Delete(found);
	if (cJSON_GetArraySize(items) == 0) {
		reply_say(&t->r, "Sorry, that's already the cheapest one we have.");
		cJSON_Delete(items);
		return;
	}
	while (cJSON_GetArraySize(items) > DLG_READ_MAX)
		cJSON_DeleteItemFromArray(items, DLG_READ_MAX);
	cJSON *args = cJSON_CreateObject();
	if (*query)
		cJSON_AddStringToObject(args, "query", query);
	if (*category)
		cJSON_AddStringToObject(args, "category", category);
	cJSON_AddNumberToObject(args, "max_price_cents", (double)(ref_price - 1));
	cJSON_AddStringToObject(args, "sort", "price_asc");
	cJSON *result = cJSON_CreateObject();
	cJSON_AddItemToObject(result, "items", cJSON_Duplicate(items, 1));
	dlg_action(t, "search", args, result);
	char parts[DLG_READ_MAX][280];
	const char *ptr[DLG_READ_MAX];
	int k = 0;
	const cJSON *p;
	cJSON_ArrayForEach(p, items) {
		if (k >= DLG_READ_MAX)
			break;
		char title[160], price[96];
		reply_title(p, title, sizeof title);
		reply_price_of(p, price, sizeof price);
		snprintf(parts[k], sizeof parts[k], "%s for %s", title, price);
		ptr[k] = parts[k];
		k++;
	}
	char list[900];
	reply_list(ptr, k, "and", list, sizeof list);
	reply_say(&t->r, "Cheaper options: %s.", list);
	reply_say(&t->r, k == 1 ? "Shall I add it?" : "Which one would you like?");
	dlg_show(t, items, 0);
	if (k == 1) {
		dlg_focus(t, items);
		st->suggest_id = dlg_id(cJSON_GetArrayItem(items, 0));
		st->suggest_qty = 1;
		dlg_ask(t, DLG_PENDING_SUGGEST);
	} else {
		st->pending_intent = UND_ADD;
		st->pending_qty = 0;
		dlg_ask(t, DLG_PENDING_CHOOSE);
	}
	cJSON_Delete(items);
}

static const char *status_phrase(const char *s)
{
	static const struct { const char *status, *phrase; } map[] = {
		{ "pending_payment", "waiting for payment" }, { "paid", "paid and being prepared" },
		{ "shipped", "on its way" }, { "delivered", "delivered" }, { "cancelled", "cancelled" },
	};
	for (size_t i = 0; i < sizeof map / sizeof *map; i++)
		if (!strcmp(s, map[i].status))
			return map[i].phrase;
	return s;
}

/* The order the shopper means: by number, else the newest (that can be cancelled). */
static const cJSON *pick_order(const cJSON *page, long id, int cancellable)
{
	const cJSON *o;
	cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(page, "items")) {
		const char *s = dlg_str(o, "status");
		if (id > 0 ? dlg_id(o) == id :
		    !cancellable || !strcmp(s, "paid") || !strcmp(s, "pending_payment"))
			return o;
	}
	return NULL;
}

/* How many of the words said ("tea", "kettle") the lines of order o name. */
static int order_names(const cJSON *o, const struct und_cmd *c)
{
	int n = 0;
	for (int w = 0; w < c->norder_words; w++) {
		const char *x = c->order_words[w];
		size_t len = strlen(x);
		if (len > 1 && x[len - 1] == 's')
			len--;	/* "kettles", "mugs" */
		const cJSON *line;
		int hit = 0;
		cJSON_ArrayForEach(line, cJSON_GetObjectItemCaseSensitive(o, "items")) {
			const char *title = dlg_str(line, "title");
			for (const char *p = title; *p && !hit; p++)
				if ((p == title || !isalnum((unsigned char)p[-1])) && !strncasecmp(p, x, len) &&
				    !isalnum((unsigned char)(p[len] == 's' ? p[len + 1] : p[len])))
					hit = 1;
		}
		n += hit;
	}
	return n;
}

static cJSON *list_orders(struct turn *t)
{
	cJSON *page = NULL;
	ERRBUF;
	int rc = t->tools->orders_list(t->tools->ctx, 20, &page, code, msg);
	if (rc != 0 || !page) {
		cJSON_Delete(page);
		dlg_tool_failed(t, rc ? rc : 500, code, msg);
		return NULL;
	}
	return page;
}

void act_order_status(struct turn *t, const struct und_cmd *c)
{
	cJSON *page = list_orders(t);
	if (!page)
		return;
	const cJSON *o = pick_order(page, c->order_id, 0);
	if (!o) {
		if (c->order_id > 0)
			reply_say(&t->r, "I couldn't find order %ld.", c->order_id);
		else
			reply_say(&t->r, "You haven't placed any orders yet.");
		cJSON_Delete(page);
		return;
	}
	char money[96], count[64];
	reply_money(dlg_int(o, "total_cents", 0), dlg_str(o, "currency"), money, sizeof money);
	const cJSON *lines = cJSON_GetObjectItemCaseSensitive(o, "items");
	int items = cJSON_GetArraySize(lines);
	reply_count(items, count, sizeof count);
	/* what was in it: "what did i order last time?" */
	char parts[3][240], list[800] = "";
	const char *ptr[4];
	int k = 0;
	const cJSON *line;
	cJSON_ArrayForEach(line, lines) {
		if (k >= 3 || !*dlg_str(line, "title"))
			break;
		char title[160], q[64];
		reply_title(line, title, sizeof title);
		reply_count(dlg_int(line, "quantity", 1), q, sizeof q);
		snprintf(parts[k], sizeof parts[k], "%s %s", q, title);
		ptr[k] = parts[k];
		k++;
	}
	char more[64];
	if (k > 0 && items > k) {
		char m[32];
		reply_count(items - k, m, sizeof m);
		snprintf(more, sizeof more, "%s more", m);
		ptr[k++] = more;
	}
	if (k > 0)
		reply_list(ptr, k, "and", list, sizeof list);
	if (*list)
		reply_say(&t->r, "Your %sorder, number %lld, is %s. It had %s and came to %s.",
			  c->order_id > 0 ? "" : "latest ", (long long)dlg_id(o),
			  status_phrase(dlg_str(o, "status")), list, money);
	else
		reply_say(&t->r, "Your %sorder, number %lld, is %s. It has %s item%s and came to %s.",
			  c->order_id > 0 ? "" : "latest ", (long long)dlg_id(o),
			  status_phrase(dlg_str(o, "status")), count, items == 1 ? "" : "s", money);
	cJSON *args = cJSON_CreateObject();
	cJSON_AddNumberToObject(args, "order_id", (double)dlg_id(o));
	cJSON *result = cJSON_CreateObject();
	cJSON_AddItemToObject(result, "order", cJSON_Duplicate(o, 1));
	dlg_action(t, "order.status", args, result);
	cJSON_Delete(page);
}

/* "cancel my order": an irreversible act, so the order (and its refund) is read back
 * and cancelled only on a yes (act_cancel_confirmed), like the checkout. */
void act_cancel_order(struct turn *t, const struct und_cmd *c)
{
	cJSON *page = list_orders(t);
	if (!page)
		return;
	const cJSON *o = pick_order(page, c->order_id, 1);
	if (c->order_id <= 0 && c->norder_words > 0) {
		/* "cancel the tea order": the newest cancellable order that held what was said */
		const cJSON *x;
		int best = 0;
		cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(page, "items")) {
			const char *s = dlg_str(x, "status");
			int k = strcmp(s, "paid") && strcmp(s, "pending_payment") ? 0 : order_names(x, c);
			if (k > best)
				best = k, o = x;
		}
	}
	if (!o) {
		if (c->order_id > 0)
			reply_say(&t->r, "I couldn't find order %ld.", c->order_id);
		else
			reply_say(&t->r, "You have no order that can still be cancelled.");
		cJSON_Delete(page);
		return;
	}
	const char *status = dlg_str(o, "status");
	if (strcmp(status, "paid") && strcmp(status, "pending_payment")) {
		reply_say(&t->r, "Order %lld is %s, so I can't cancel it.", (long long)dlg_id(o),
			  status_phrase(status));
		cJSON_Delete(page);
		return;
	}
	char money[96], count[64];
	reply_money(dlg_int(o, "total_cents", 0), dlg_str(o, "currency"), money, sizeof money);
	int items = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "items"));
	reply_count(items, count, sizeof count);
	if (!strcmp(status, "paid"))
		reply_say(&t->r, "Order %lld has %s item%s and came to %s; cancelling it refunds %s to your card.",
			  (long long)dlg_id(o), count, items == 1 ? "" : "s", money, money);
	else
		reply_say(&t->r, "Order %lld has %s item%s and comes to %s.", (long long)dlg_id(o), count,
			  items == 1 ? "" : "s", money);
	dlg_question(t, "Shall I cancel it?");
	t->st->pending_order = dlg_id(o);
	dlg_ask(t, DLG_PENDING_CANCEL);
	cJSON_Delete(page);
}

void act_cancel_confirmed(struct turn *t, int64_t order_id)
{
	cJSON *page = list_orders(t);
	if (!page)
		return;
	const cJSON *o = pick_order(page, (long)order_id, 1);
	if (!o) {
		reply_say(&t->r, "I couldn't find order %lld.", (long long)order_id);
		cJSON_Delete(page);
		return;
	}
	long long id = (long long)dlg_id(o);
	cJSON *order = NULL;
	ERRBUF;
	int rc = t->tools->order_cancel(t->tools->ctx, dlg_id(o), &order, code, msg);
	if (rc != 0 || !order) {
		cJSON_Delete(order);
		if (rc == 409)
			reply_say(&t->r, "Order %lld has already shipped, so I can't cancel it.", id);
		else if (rc == 404)
			reply_say(&t->r, "I couldn't find order %lld.", id);
		else
			dlg_tool_failed(t, rc ? rc : 500, code, msg);
		cJSON_Delete(page);
		return;
	}
	const cJSON *co = cJSON_GetObjectItemCaseSensitive(order, "order");
	if (!co)
		co = order;
	reply_say(&t->r, "Order %lld is cancelled.", id);
	if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(co, "payment"))) {
		char money[96];
		reply_money(dlg_int(co, "total_cents", 0), dlg_str(co, "currency"), money, sizeof money);
		reply_say(&t->r, "Your refund of %s is on its way.", money);
	}
	cJSON *args = cJSON_CreateObject();
	cJSON_AddNumberToObject(args, "order_id", (double)id);
	cJSON *result;
	if (co == order) {
		result = cJSON_CreateObject();
		cJSON_AddItemToObject(result, "order", order);
	} else {
		result = order;
	}
	dlg_action(t, "order.cancel", args, result);
	cJSON_Delete(page);
}

/* The products a question about "them" is about: two or more asked about since the
 * last list (focus), else the list last read out, if recent.  Owned array or NULL. */
static cJSON *in_mind(struct turn *t)
{
	struct buddy_state *st = t->st;
	cJSON *arr = cJSON_CreateArray();
	if (st->nfocus > 1 && st->focus_turn >= st->shown_turn && st->focus_turn >= st->turn - 2) {
		for (int i = 0; i < st->nfocus; i++) {
			cJSON *p = NULL;
			ERRBUF;
			if (t->tools->product_get(t->tools->ctx, st->focus[i], &p, code, msg) == 0 && p)
				cJSON_AddItemToArray(arr, p);
			else
				cJSON_Delete(p);
		}
	} else if (!st->shown_is_cart && st->shown_turn >= st->turn - 3) {
		const cJSON *p;
		cJSON_ArrayForEach(p, st->shown)
			cJSON_AddItemToArray(arr, cJSON_Duplicate(p, 1));
	}
	if (cJSON_GetArraySize(arr) == 0) {
		cJSON_Delete(arr);
		return NULL;
	}
	return arr;
}

/* Offers one product with "Shall I add it?" and keeps it in mind. */
static void offer_one(struct turn *t, const cJSON *p, int qty)
{
	dlg_focus_one(t, dlg_id(p));
	t->st->suggest_id = dlg_id(p);
	t->st->suggest_qty = qty > 0 ? qty : 1;
	dlg_question(t, "Shall I add it?");
	dlg_ask(t, DLG_PENDING_SUGGEST);
}

/* "which one is cheaper": the cheaper (dearer) of those in mind, named with its price. */
static int which_by_price(struct turn *t, const struct und_item *it)
{
	cJSON *arr = in_mind(t);
	if (!arr || cJSON_GetArraySize(arr) < 2) {
		cJSON_Delete(arr);
		return 0;
	}
	const cJSON *best = NULL, *p;
	cJSON_ArrayForEach(p, arr) {
		int64_t pr = dlg_int(p, "price_cents", -1);
		if (pr < 0)
			continue;
		if (!best || dlg_pick_better(it->pick, p, best))
			best = p;
	}
	if (!best) {
		cJSON_Delete(arr);
		return 0;
	}
	char title[160], price[96];
	reply_title(best, title, sizeof title);
	reply_price_of(best, price, sizeof price);
	int n = cJSON_GetArraySize(arr);
	const char *which = it->pick == UND_PICK_CHEAPEST ? (n > 2 ? "cheapest" : "cheaper") :
			    it->pick == UND_PICK_BIGGEST ? (n > 2 ? "biggest" : "bigger") :
			    it->pick == UND_PICK_SMALLEST ? (n > 2 ? "smallest" : "smaller") :
			    (n > 2 ? "most expensive" : "more expensive");
	reply_say(&t->r, "The %s is the %s one, at %s.", title, which, price);
	dlg_show(t, arr, 0);
	offer_one(t, best, it->qty);
	cJSON_Delete(arr);
	return 1;
}

/* "which ones are dairy free", "is there one without caffeine": those in mind that
 * are without it; the ones that say so first. */
static int which_without(struct turn *t, const struct und_item *it, int ask_plural)
{
	cJSON *arr = in_mind(t);
	if (!arr)
		return 0;
	cJSON *keep = cJSON_CreateArray(), *said = cJSON_CreateArray();
	const cJSON *p;
	cJSON_ArrayForEach(p, arr) {
		int has = 0, says = 1;
		for (int k = 0; k < it->nneg; k++) {
			has |= match_mentions(p, it->neg[k]);
			says &= match_says_free(p, it->neg[k]);
		}
		if (has)
			continue;
		cJSON_AddItemToArray(keep, cJSON_Duplicate(p, 1));
		if (says)
			cJSON_AddItemToArray(said, cJSON_Duplicate(p, 1));
	}
	cJSON_Delete(arr);
	if (cJSON_GetArraySize(said) > 0 && (ask_plural == 0 || cJSON_GetArraySize(keep) == 1)) {
		cJSON_Delete(keep);
		keep = said;
	} else {
		cJSON_Delete(said);
	}
	int n = cJSON_GetArraySize(keep);
	if (n == 0) {
		cJSON_Delete(keep);
		return 0;
	}
	cJSON *result = cJSON_CreateObject();
	cJSON_AddItemToObject(result, "items", cJSON_Duplicate(keep, 1));
	dlg_action(t, "search", NULL, result);
	if (n == 1) {
		const cJSON *one = cJSON_GetArrayItem(keep, 0);
		char title[160], price[96];
		reply_title(one, title, sizeof title);
		reply_price_of(one, price, sizeof price);
		reply_say(&t->r, "Yes, %s, for %s.", title, price);
		dlg_show(t, keep, 0);
		offer_one(t, one, it->qty);
	} else {
		char list[600];
		titles_list(keep, list, sizeof list);
		reply_say(&t->r, "These are: %s.", list);
		dlg_show(t, keep, 0);
		dlg_focus(t, keep);
		t->st->pending_intent = UND_ADD;
		t->st->pending_qty = 0;
		dlg_question(t, "Which one would you like?");
		dlg_ask(t, DLG_PENDING_CHOOSE);
	}
	cJSON_Delete(keep);
	return 1;
}

/* "which is cheaper, the chips or the cookies?": each named, the answer, and both
 * kept in mind so "two of the cheaper one" works next. */
static int compare_named(struct turn *t, const struct und_cmd *c, enum und_pick pick)
{
	cJSON *arr = cJSON_CreateArray();
	for (int i = 0; i < c->nitems; i++) {
		struct und_item one = c->items[i];
		if (one.ref != UND_REF_WORDS)
			continue;
		one.pick = UND_PICK_NONE;
		struct resolution res;
		resolve_item(t, &one, RES_CATALOG, &res);
		const cJSON *best = NULL, *p;
		if (res.status == RES_OK || res.status == RES_AMBIGUOUS) {
			cJSON_ArrayForEach(p, res.products) {
				int64_t pr = dlg_int(p, "price_cents", -1);
				if (!best || (pick == UND_PICK_PRICIEST ? pr > dlg_int(best, "price_cents", 0) :
					      pr < dlg_int(best, "price_cents", 0)))
					best = p;
			}
		}
		if (best)
			cJSON_AddItemToArray(arr, cJSON_Duplicate(best, 1));
		resolve_free(&res);
	}
	if (cJSON_GetArraySize(arr) < 2) {
		cJSON_Delete(arr);
		return 0;
	}
	struct und_item it = { .pick = pick };
	dlg_show(t, arr, 0);
	dlg_focus(t, arr);
	cJSON *result = cJSON_CreateObject();
	cJSON_AddItemToObject(result, "items", cJSON_Duplicate(arr, 1));
	dlg_action(t, "search", NULL, result);
	const cJSON *best = NULL, *p;
	cJSON_ArrayForEach(p, arr) {
		int64_t pr = dlg_int(p, "price_cents", -1);
		if (!best || (pick == UND_PICK_PRICIEST ? pr > dlg_int(best, "price_cents", 0) :
			      pr < dlg_int(best, "price_cents", 0)))
			best = p;
	}
	char title[160], price[96];
	reply_title(best, title, sizeof title);
	reply_price_of(best, price, sizeof price);
	reply_say(&t->r, "The %s is the %s one, at %s.", title,
		  pick == UND_PICK_PRICIEST ? "more expensive" : "cheaper", price);
	cJSON_ArrayForEach(p, arr) {
		if (p == best)
			continue;
		char t2[160], p2[96];
		reply_title(p, t2, sizeof t2);
		reply_price_of(p, p2, sizeof p2);
		reply_say(&t->r, "The %s is %s.", t2, p2);
	}
	t->st->pending_intent = UND_ADD;
	t->st->pending_qty = 0;
	dlg_question(t, "Which one would you like?");
	dlg_ask(t, DLG_PENDING_CHOOSE);
	(void)it;
	cJSON_Delete(arr);
	return 1;
}

/* "which ones are vegan": those in mind that are (words in title, tags, category). */
static int text_is_which(const struct und_cmd *c)
{
	return c->ask == 2 || c->intent == UND_NONE;	/* "which ones are ...", "which is ..." */
}

static int which_with(struct turn *t, const struct und_item *it)
{
	cJSON *arr = in_mind(t);
	if (!arr)
		return 0;
	struct match_query q;
	char missing[128];
	resolve_query(t, it, &q, missing, sizeof missing);
	int total = cJSON_GetArraySize(arr);
	if (q.n == 0 || *missing || total < 2) {
		cJSON_Delete(arr);
		return 0;
	}
	cJSON *keep = cJSON_CreateArray();
	const cJSON *p;
	cJSON_ArrayForEach(p, arr) {
		double cov = 0;
		match_score(&q, p, &cov);
		if (cov >= 0.8)
			cJSON_AddItemToArray(keep, cJSON_Duplicate(p, 1));
	}
	cJSON_Delete(arr);
	int n = cJSON_GetArraySize(keep);
	if (n == 0) {
		reply_say(&t->r, "None of those are.");
		cJSON_Delete(keep);
		return 1;
	}
	cJSON *result = cJSON_CreateObject();
	cJSON_AddItemToObject(result, "items", cJSON_Duplicate(keep, 1));
	dlg_action(t, "search", NULL, result);
	char list[600];
	titles_list(keep, list, sizeof list);
	reply_say(&t->r, n == 1 ? "That's the %s." : "These are: %s.", list);
	dlg_show(t, keep, 0);
	if (n == 1) {
		offer_one(t, cJSON_GetArrayItem(keep, 0), 0);
	} else {
		dlg_focus(t, keep);
		t->st->pending_intent = UND_ADD;
		t->st->pending_qty = 0;
		dlg_question(t, "Which one would you like?");
		dlg_ask(t, DLG_PENDING_CHOOSE);
	}
	cJSON_Delete(keep);
	return 1;
}

static int sentence_about(const char *text, char attrs[][TEXT_WORD_LEN], int nattrs, char *out,
			  size_t len, int *neg);

/* +1 for a word asking for the most ("longest", "biggest"), -1 for the least, else 0. */
static int superlative(const char *w)
{
	static const char *const most[] = { "longest", "most", "biggest", "largest", "highest",
		"greatest", "strongest", "heaviest" };
	static const char *const least[] = { "shortest", "least", "smallest", "lowest", "fewest",
		"lightest", "weakest" };
	for (size_t i = 0; i < sizeof most / sizeof *most; i++)
		if (!strcmp(w, most[i]))
			return 1;
	for (size_t i = 0; i < sizeof least / sizeof *least; i++)
		if (!strcmp(w, least[i]))
			return -1;
	return 0;
}

/* The number said nearest to an attribute word in a description ("up to 50 hours of
 * battery life" for "battery"), in the sentence that names it; -1 when none. */
static double number_near(const char *text, const char *attr, char *sent_out, size_t len)
{
	char attrs[1][TEXT_WORD_LEN];
	int neg;
	snprintf(attrs[0], sizeof attrs[0], "%s", attr);
	char sent[512];
	if (!sentence_about(text, attrs, 1, sent, sizeof sent, &neg))
		return -1;
	struct text_words tw;
	text_split(sent, &tw);
	int at = -1;
	for (int i = 0; i < tw.n && at < 0; i++)
		if (match_word_similarity(attr, tw.w[i]) >= 0.85)
			at = i;
	double best = -1;
	int dist = 1000;
	for (int i = 0; i < tw.n; i++) {
		if (!(tw.w[i][0] >= '0' && tw.w[i][0] <= '9'))
			continue;
		int d = i > at ? i - at : at - i;
		if (d < dist) {
			dist = d;
			best = atof(tw.w[i]);
		}
	}
	if (best >= 0)
		snprintf(sent_out, len, "%s", sent);
	return best;
}

/* "which headphones have the longest battery?": of the products of that kind, the one
 * whose description gives the biggest (smallest) number for it.  Returns 1 when
 * answered. */
static int which_most(struct turn *t, const struct und_cmd *c)
{
	const struct und_item *it = &c->items[0];
	int at = -1, dir = 0;
	for (int i = 0; i < it->nwords && at < 0; i++)
		if ((dir = superlative(it->words[i])) != 0)
			at = i;
	if (at < 1 || at + 1 >= it->nwords)
		return 0;
	struct und_item kind = { .ref = UND_REF_WORDS };
	for (int i = 0; i < at; i++)
		memcpy(kind.words[kind.nwords++], it->words[i], TEXT_WORD_LEN);
	struct match_query q;
	char missing[128];
	resolve_query(t, &kind, &q, missing, sizeof missing);
	if (q.n == 0 || *missing)
		return 0;
	char query[256] = "";
	for (int i = 0; i < q.n; i++)
		snprintf(query + strlen(query), sizeof query - strlen(query), "%s%s", i ? " " : "", q.w[i]);
	struct buddy_search bs = { query, NULL, -1, -1, "relevance", 20 };
	cJSON *found = NULL;
	ERRBUF;
	if (t->tools->search(t->tools->ctx, &bs, &found, code, msg) != 0 || !found) {
		cJSON_Delete(found);
		return 0;
	}
	const cJSON *p, *best = NULL;
	double best_v = -1;
	char best_sent[512] = "", attr[TEXT_WORD_LEN] = "";
	for (int i = at + 1; i < it->nwords && !*attr; i++)
		if (!lex_is_stopword(it->words[i]))
			snprintf(attr, sizeof attr, "%s", it->words[i]);
	cJSON *kinds = cJSON_CreateArray();
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(found, "items")) {
		if (match_kind_level(p, &q) < 1)
			continue;
		cJSON_AddItemToArray(kinds, cJSON_Duplicate(p, 1));
		char sent[512];
		double v = *attr ? number_near(dlg_str(p, "description"), attr, sent, sizeof sent) : -1;
		if (v >= 0 && (!best || (dir > 0 ? v > best_v : v < best_v))) {
			best = p;
			best_v = v;
			snprintf(best_sent, sizeof best_sent, "%s", sent);
		}
	}
	if (!best) {
		cJSON_Delete(kinds);
		cJSON_Delete(found);
		return 0;
	}
	char title[160];
	reply_title(best, title, sizeof title);
	reply_say(&t->r, "That would be the %s. Its description says: %s.", title, best_sent);
	cJSON *result = cJSON_CreateObject();
	cJSON_AddItemToObject(result, "items", cJSON_Duplicate(kinds, 1));
	dlg_action(t, "search", NULL, result);
	dlg_show(t, kinds, 0);
	offer_one(t, best, 0);
	cJSON_Delete(kinds);
	cJSON_Delete(found);
	return 1;
}

int act_which(struct turn *t, const struct und_cmd *c)
{
	if (c->nitems == 0 || c->intent == UND_ADD || c->intent == UND_REMOVE || c->intent == UND_SET ||
	    c->intent == UND_LESS)
		return 0;
	const struct und_item *it = &c->items[0];
	if (!c->ask && !(c->intent == UND_SEARCH && it->nwords == 0 && it->nneg > 0))
		return 0;
	if (c->nitems == 1 && it->ref == UND_REF_WORDS && it->pick == UND_PICK_NONE && which_most(t, c))
		return 1;
	/* words other than "free" name a product: not a question about those in mind */
	int named = 0;
	for (int i = 0; i < it->nwords; i++)
		named |= strcmp(it->words[i], "free") != 0;
	if ((it->pick == UND_PICK_CHEAPEST || it->pick == UND_PICK_PRICIEST) && c->nitems >= 2 && named)
		return compare_named(t, c, it->pick);
	if (named && c->ask && c->nitems == 1 && it->pick == UND_PICK_NONE && it->ref == UND_REF_WORDS &&
	    !it->qty && text_is_which(c))
		return which_with(t, it);
	if (named || c->nitems > 1 || it->ref == UND_REF_ORDINAL)
		return 0;
	if (it->pick != UND_PICK_NONE && it->nneg == 0)
		return which_by_price(t, it);
	if (it->nneg > 0 && it->pick == UND_PICK_NONE)
		return which_without(t, it, c->ask == 2);
	return 0;
}

/* The sentence of `text` (a description) that best covers the attribute words, into
 * out; *neg is set when the word found is said to be absent ("no pulp", "caffeine
 * free").  Returns how many attribute words it holds (0: none, out is empty). */
static int sentence_about(const char *text, char attrs[][TEXT_WORD_LEN], int nattrs, char *out,
			  size_t len, int *neg)
{
	int best = 0;
	out[0] = '\0';
	*neg = 0;
	const char *s = text;
	while (*s) {
		while (*s == ' ')
			s++;
		const char *e = s;
		while (*e && !((*e == '.' || *e == '!' || *e == '?') && (e[1] == ' ' || !e[1])))
			e++;
		char sent[512];
		snprintf(sent, sizeof sent, "%.*s", (int)(e - s), s);
		struct text_words tw;
		text_split(sent, &tw);
		int hits = 0, negated = 0;
		for (int a = 0; a < nattrs; a++) {
			for (int i = 0; i < tw.n; i++) {
				if (match_word_similarity(attrs[a], tw.w[i]) < 0.85)
					continue;
				hits++;
				if ((i > 0 && (text_is(&tw, i - 1, "no") || text_is(&tw, i - 1, "not") ||
					       text_is(&tw, i - 1, "without") || text_is(&tw, i - 1, "non"))) ||
				    text_is(&tw, i + 1, "free"))
					negated = 1;
				break;
			}
		}
		if (hits > best && *sent) {
			best = hits;
			*neg = negated;
			snprintf(out, len, "%s", sent);
		}
		s = *e ? e + 1 : e;
	}
	return best;
}

/* 1 when w is a word of the product's title or tags. */
static int names_word(const cJSON *p, const char *w)
{
	return match_mentions(p, w);
}

/* "is the whole wheat bread sliced?", "do the sony earbuds come with a case?", "is it
 * waterproof?": the product is the longest start of the words that names one; the
 * rest is what is asked, answered from its title, tags and description.  Returns 1
 * when answered. */
int act_yesno(struct turn *t, const struct und_cmd *c)
{
	if (!c->yesno || (c->intent != UND_INFO && c->intent != UND_NONE) || c->nitems == 0 ||
	    c->nexcept > 0)
		return 0;
	char words[UND_MAX_ITEMS * UND_ITEM_WORDS][TEXT_WORD_LEN];
	int nw = 0, pronoun = 0;
	for (int i = 0; i < c->nitems; i++) {
		const struct und_item *it = &c->items[i];
		if (it->pick != UND_PICK_NONE || it->nneg > 0 || it->ref == UND_REF_ORDINAL ||
		    it->ref == UND_REF_ALL || it->ref == UND_REF_OTHER)
			return 0;
		if (it->ref == UND_REF_IT || it->ref == UND_REF_THEM)
			pronoun = i == 0;
		for (int w = 0; w < it->nwords; w++)
			snprintf(words[nw++], TEXT_WORD_LEN, "%s", it->words[w]);
	}
	if (nw == 0)
		return 0;
	cJSON *product = NULL;
	int from = 0;
	if (pronoun && t->st->nfocus > 0) {
		ERRBUF;
		if (t->tools->product_get(t->tools->ctx, t->st->focus[0], &product, code, msg) != 0) {
			cJSON_Delete(product);
			product = NULL;
		}
	}
	for (int k = nw; !product && k >= 1; k--) {
		struct und_item one = { .ref = UND_REF_WORDS };
		int unknown = 0;	/* "sliced" is asked about, not part of the name */
		for (int w = 0; w < k && w < UND_ITEM_WORDS; w++) {
			memcpy(one.words[one.nwords++], words[w], TEXT_WORD_LEN);
			unknown |= !lex_is_stopword(words[w]) && !lex_is_common(words[w]) &&
				   !resolve_known_word(t, words[w]);
		}
		if (unknown && k > 1)
			continue;
		struct resolution res;
		resolve_item(t, &one, RES_CATALOG, &res);
		if (*res.missing || res.q.n == 0 || (res.status != RES_OK && res.status != RES_AMBIGUOUS)) {
			resolve_free(&res);
			continue;
		}
		const cJSON *p0 = cJSON_GetArrayItem(res.products, 0);
		int named = 1;	/* every word of the product part is in its name */
		for (int q = 0; q < res.q.n && named; q++)
			named = res.q.weight[q] < 0.9 || names_word(p0, res.q.w[q]);
		if (!named) {
			resolve_free(&res);
			continue;
		}
		if (res.status == RES_AMBIGUOUS) {
			if (k == nw) {	/* no question words left: the usual answer */
				resolve_free(&res);
				return 0;
			}
			act_ask_choice(t, &res, UND_INFO, 0);
			resolve_free(&res);
			return 1;
		}
		product = cJSON_Duplicate(p0, 1);
		from = k;
		resolve_free(&res);
	}
	if (!product)
		return 0;
	/* the words asked about: not the product's own name, not everyday words */
	char attrs[UND_MAX_ITEMS * UND_ITEM_WORDS][TEXT_WORD_LEN];
	int na = 0;
	for (int w = from; w < nw; w++) {
		const char *x = words[w];
		if (lex_is_stopword(x) || lex_is_common(x) || names_word(product, x))
			continue;
		snprintf(attrs[na++], TEXT_WORD_LEN, "%s", x);
	}
	if (na == 0) {
		cJSON_Delete(product);
		return 0;
	}
	cJSON *full = NULL;
	ERRBUF;
	if (t->tools->product_get(t->tools->ctx, dlg_id(product), &full, code, msg) == 0 && full) {
		cJSON_Delete(product);
		product = full;
	} else {
		cJSON_Delete(full);
	}
	char title[160], sent[512], said[256] = "";
	reply_title(product, title, sizeof title);
	for (int a = 0; a < na; a++)
		snprintf(said + strlen(said), sizeof said - strlen(said), "%s%s", a ? " " : "", attrs[a]);
	int neg = 0;
	int found = sentence_about(dlg_str(product, "description"), attrs, na, sent, sizeof sent, &neg);
	int in_name = 0;
	for (int a = 0; a < na; a++)
		in_name |= names_word(product, attrs[a]);
	if (found > 0)
		reply_say(&t->r, "%s, the %s: %s.", neg ? "No" : "Yes", title, sent);
	else if (in_name)
		reply_say(&t->r, "Yes, the %s is %s.", title, said);
	else {
		char desc[160];
		short_description(dlg_str(product, "description"), desc, sizeof desc);
		reply_say(&t->r, "I can't say for sure: the description of the %s doesn't mention %s.",
			  title, said);
		if (*desc)
			reply_say(&t->r, "It says: %s.", desc);
	}
	dlg_focus_one(t, dlg_id(product));
	cJSON *args = cJSON_CreateObject();
	cJSON_AddNumberToObject(args, "product_id", (double)dlg_id(product));
	cJSON *result = cJSON_CreateObject();
	cJSON_AddItemToObject(result, "product", product);
	dlg_action(t, "product.show", args, result);
	t->main = UND_INFO;
	return 1;
}

/* ------------------------------------------------------------------ choosing
 * "the one with the cherry notes", "the one that's baked fresh every morning", "the
 * smooth one", "the big bag", "whichever is cheaper", "two bags of the crunchiest
 * ones", "which one is the most tart?": the list just read out is scored against
 * every word said, in titles, tags and descriptions; a clear winner is the answer. */

/* "crunchiest" -> "crunchy", "tartest" -> "tart", "longer" -> "long". */
static void plain_degree(const char *w, char *out, size_t len)
{
	size_t n = strlen(w);
	snprintf(out, len, "%s", w);
	if (n > 6 && !strcmp(w + n - 4, "iest"))
		snprintf(out, len, "%.*sy", (int)(n - 4), w);
	else if (n > 5 && !strcmp(w + n - 3, "est"))
		snprintf(out, len, "%.*s", (int)(n - 3), w);
	else if (n > 5 && !strcmp(w + n - 3, "ier"))
		snprintf(out, len, "%.*sy", (int)(n - 3), w);
}

static int same_word(const char *a, const char *b)
{
	char sa[TEXT_WORD_LEN], sb[TEXT_WORD_LEN], da[TEXT_WORD_LEN];
	match_stem(a, sa, sizeof sa);
	match_stem(b, sb, sizeof sb);
	if (!strcmp(sa, sb))
		return 1;
	plain_degree(a, da, sizeof da);
	match_stem(da, sa, sizeof sa);
	if (!strcmp(sa, sb))
		return 1;
	size_t la = strlen(sa), lb = strlen(sb);
	return la >= 5 && lb >= 5 && (!strncmp(sa, sb, la < lb ? la : lb));
}

/* The words of a product: title, tags, description. */
static void product_words(const cJSON *p, struct text_words *tw)
{
	char all[2048];
	/* each field its own sentence: "no pulp" of the description says nothing of a
	 * tag after it */
	snprintf(all, sizeof all, "%s. %s. %s", dlg_str(p, "title"), dlg_str(p, "description"),
		 dlg_str(p, "category"));
	size_t o = strlen(all);
	const cJSON *tag;
	cJSON_ArrayForEach(tag, cJSON_GetObjectItemCaseSensitive(p, "tags"))
		if (cJSON_IsString(tag) && o + 2 < sizeof all)
			o += (size_t)snprintf(all + o, sizeof all - o, ". %s", tag->valuestring);
	text_split(all, tw);
}

static int says_word(const struct text_words *pw, const char *w)
{
	for (int i = 0; i < pw->n; i++)
		if (same_word(w, pw->w[i]))
			return 1;
	return 0;
}

/* 1 when the product says it is without w: "No added sugar", "caffeine free",
 * "without dairy" (a negator up to three words before, or "free" right after). */
static int says_without(const struct text_words *pw, const char *w)
{
	for (int j = 0; j < pw->n; j++) {
		if (!same_word(w, pw->w[j]))
			continue;
		if (j + 1 < pw->n && !strcmp(pw->w[j + 1], "free"))
			return 1;
		for (int k = j - 1; k >= 0 && k >= j - 3 && pw->brk[k] < 2; k--)
			if (lex_is_negator(pw->w[k]))
				return 1;
	}
	return 0;
}

static int chooser_skip(const char *w);

/* terms.c's question: does the catalog spell the word this way? */
static int known_word(void *ctx, const char *w)
{
	char fixed[TEXT_WORD_LEN];
	int cost = 9;
	return resolve_correct(ctx, w, fixed, sizeof fixed, &cost) && cost == 0;
}

/* What shoppers call things (terms.def), read in the utterance followed by the words
 * every title of cand has: "chunky" of peanut butters is "crunchy peanut butter",
 * "with bits" of orange juices "with pulp", "semi skimmed" of milks "2 percent
 * reduced fat".  Each name put for words said is one description: the products that
 * say all its words that tell them apart ("no pulp": that they are without it) get
 * 24.  covered[i] is set for the words of tw a name stood for; *unfit counts names no
 * product fits.  Returns how many names told the products apart. */
static int score_terms(struct turn *t, const struct text_words *tw, const cJSON *cand, int n,
		       const struct text_words *pw, int *score, unsigned char *covered, int *unfit)
{
	char in[40][TEXT_WORD_LEN], out[48][TEXT_WORD_LEN];
	int src[40], from[48], nin = 0, nsaid, read = 0;
	for (int i = 0; i < tw->n && nin < 30; i++)
		if (tw->w[i][0] && (!chooser_skip(tw->w[i]) || lex_is_negator(tw->w[i]) || text_is(tw, i, "with") ||
				    text_is(tw, i, "without"))) {
			src[nin] = i;
			snprintf(in[nin++], TEXT_WORD_LEN, "%s", tw->w[i]);
		}
	nsaid = nin;
	struct text_words tt;
	text_split(dlg_str(cJSON_GetArrayItem(cand, 0), "title"), &tt);
	for (int j = 0; j < tt.n && nin < 40; j++) {
		int all = !text_is_digits(tt.w[j]) && !lex_is_stopword(tt.w[j]);
		for (int k = 1; k < n && all; k++) {
			struct text_words to;
			text_split(dlg_str(cJSON_GetArrayItem(cand, k), "title"), &to);
			all = 0;
			for (int m = 0; m < to.n && !all; m++)
				all = !strcmp(to.w[m], tt.w[j]);
		}
		if (all)
			snprintf(in[nin++], TEXT_WORD_LEN, "%s", tt.w[j]);
	}
	int no = terms_rewrite((const char (*)[TEXT_WORD_LEN])in, nin, known_word, t, out, from, 48);
	for (int j = 0; j < no;) {
		int e = j + 1;
		while (e < no && from[e] == from[j])
			e++;
		int changed = e - j != 1 || strcmp(out[j], in[from[j]]);
		if (!changed || from[j] >= nsaid) {
			j = e;
			continue;
		}
		/* the name's words that tell the products apart, each with its "no" */
		int fits[DLG_SHOWN_MAX * 2], words = 0;
		for (int k = 0; k < n && k < DLG_SHOWN_MAX * 2; k++)
			fits[k] = 1;
		for (int g = j; g < e; g++) {
			if (lex_is_stopword(out[g]) || lex_is_negator(out[g]) || !strcmp(out[g], "without"))
				continue;
			int neg = g > j && (lex_is_negator(out[g - 1]) || !strcmp(out[g - 1], "without"));
			int says[DLG_SHOWN_MAX * 2], nsays = 0;
			for (int k = 0; k < n && k < DLG_SHOWN_MAX * 2; k++) {
				const cJSON *p = cJSON_GetArrayItem(cand, k);
				says[k] = neg ? match_says_free(p, out[g]) || says_without(&pw[k], out[g]) :
					  says_word(&pw[k], out[g]) && !says_without(&pw[k], out[g]);
				nsays += says[k];
			}
			if (nsays == n)
				continue;	/* "milk" of milks */
			words++;
			for (int k = 0; k < n && k < DLG_SHOWN_MAX * 2; k++)
				fits[k] &= says[k];
		}
		int nfit = 0;
		for (int k = 0; k < n && k < DLG_SHOWN_MAX * 2; k++)
			nfit += fits[k];
		if (words > 0) {
			for (int i = from[j]; i < nsaid && i <= from[e - 1]; i++)
				covered[src[i]] = 1;
			/* the words the name stood for: up to where the next name begins */
			for (int i = from[j] + 1; i < nsaid && (e >= no || i < from[e]); i++)
				covered[src[i]] = 1;
			if (nfit == 0)
				(*unfit)++;
			else if (nfit < n) {
				read++;
				for (int k = 0; k < n && k < DLG_SHOWN_MAX * 2; k++)
					score[k] += fits[k] ? 24 : 0;
			}
		}
		j = e;
	}
	return read;
}

/* The number a product's words give right before w, or up to three words before
 * it ("up to 50 hours of battery": 50 for "battery" and "hours"); -1 when none. */
static long number_before(const struct text_words *pw, const char *w)
{
	for (int j = 0; j < pw->n; j++) {
		if (!same_word(w, pw->w[j]))
			continue;
		for (int k = j - 1; k >= 0 && k >= j - 3; k--)
			if (text_is_digits(pw->w[k]))
				return strtol(pw->w[k], NULL, 10);
	}
	return -1;
}

/* 1 when w is a word of the product's title or tags. */
static int choice_title_says(const cJSON *p, const char *w)
{
	struct text_words tt;
	text_split(dlg_str(p, "title"), &tt);
	for (int i = 0; i < tt.n; i++)
		if (same_word(w, tt.w[i]))
			return 1;
	const cJSON *tag;
	cJSON_ArrayForEach(tag, cJSON_GetObjectItemCaseSensitive(p, "tags"))
		if (cJSON_IsString(tag) && same_word(w, tag->valuestring))
			return 1;
	return 0;
}

/* 1 when every word of a's title is one of b's ("Dark Roast Coffee Beans 12 oz" of
 * "Decaf Dark Roast Coffee Beans 12 oz"): a is the plain kind, b a variant of it. */
static int title_within(const cJSON *a, const cJSON *b)
{
	struct text_words ta, tb;
	text_split(dlg_str(a, "title"), &ta);
	text_split(dlg_str(b, "title"), &tb);
	if (ta.n >= tb.n)
		return 0;
	for (int i = 0; i < ta.n; i++) {
		int in = 0;
		for (int j = 0; j < tb.n && !in; j++)
			in = !strcmp(ta.w[i], tb.w[j]);
		if (!in)
			return 0;
	}
	return 1;
}

static int chooser_skip(const char *w)
{
	static const char *const skip[] = { "one", "ones", "which", "whichever", "whatever", "sounds",
		"looks", "seems", "has", "had", "got", "have", "is", "are", "i", "will", "take", "that",
		"with", "the", "of", "those", "these", "them", "please", "yes", "ok", "okay", "sure",
		"then", "most", "more", "least", "less", "bag", "bags", "pack", "packs", "thing" };
	for (size_t k = 0; k < sizeof skip / sizeof *skip; k++)
		if (!strcmp(w, skip[k]))
			return 1;
	/* digits stay: "the one with 24 hours of battery" */
	return lex_is_stopword(w) || (num_word(w) >= 0 && !text_is_digits(w));
}

/* How many a product's title says it holds: "(each)" 1, "6 pack" 6, "(dozen)" 12, and
 * 1 when it says none. */
static long units_in_title(const cJSON *p)
{
	struct text_words tw;
	text_split(dlg_str(p, "title"), &tw);
	for (int i = 0; i < tw.n; i++) {
		if (text_is(&tw, i, "dozen"))
			return 12;
		if (i + 1 < tw.n && text_is_digits(tw.w[i]) && (text_is(&tw, i + 1, "pack") || text_is(&tw, i + 1, "ct")))
			return strtol(tw.w[i], NULL, 10);
	}
	return 1;
}

/* An amount of money at word i that picks by price among what was shown ("the 59.99
 * ones", "the $4 one", "the one for 12 dollars 49"): a number with cents or a money
 * word.  Words used, 0 if none. */
static int chooser_price_at(const struct text_words *tw, int i, int64_t *cents)
{
	int bare = strchr(tw->w[i], '.') != NULL && text_is_digits(tw->w[i]) == 0;
	return price_parse_amount(tw, i, tw->n, bare, cents);
}

/* 1 when the product's own words say number v right before word w ("only about 30
 * calories per cup", "24 hours of battery"): a number said so describes it, it is
 * not how many. */
static int says_number_word(const cJSON *p, long v, const char *w)
{
	struct text_words *pw = malloc(sizeof *pw);
	if (!pw)
		return 0;
	product_words(p, pw);
	char num[24];
	snprintf(num, sizeof num, "%ld", v);
	int says = 0;
	for (int j = 0; j + 1 < pw->n && !says; j++)
		says = !strcmp(pw->w[j], num) && same_word(w, pw->w[j + 1]);
	free(pw);
	return says;
}

/* The matches of the last search not read out, after those read out (cand), when
 * cand is that search's first results.  Returns 1 when cand grew. */
static int widen_choice(struct turn *t, cJSON *cand)
{
	cJSON *more = act_search_again(t, DLG_SHOWN_MAX * 2);
	int n0 = cJSON_GetArraySize(cand), in = 0;
	const cJSON *p, *q;
	cJSON_ArrayForEach(p, cand)
		cJSON_ArrayForEach(q, more)
			if (dlg_id(p) == dlg_id(q)) {
				in++;
				break;
			}
	if (in == n0)
		cJSON_ArrayForEach(q, more) {
			int seen = 0;
			cJSON_ArrayForEach(p, cand)
				seen |= dlg_id(p) == dlg_id(q);
			if (!seen && cJSON_GetArraySize(cand) < DLG_SHOWN_MAX * 2)
				cJSON_AddItemToArray(cand, cJSON_Duplicate(q, 1));
		}
	cJSON_Delete(more);
	return cJSON_GetArraySize(cand) > n0;
}

/* Of the shown products scoring `top`, the one whose title is within every other's,
 * or NULL. */
static const cJSON *plain_of_tied(const cJSON *shown, const int *score, int top)
{
	int n = cJSON_GetArraySize(shown);
	for (int a = 0; a < n && a < DLG_SHOWN_MAX * 2; a++) {
		if (score[a] != top)
			continue;
		int within = 1;
		for (int b = 0; b < n && b < DLG_SHOWN_MAX * 2 && within; b++)
			if (b != a && score[b] == top)
				within = title_within(cJSON_GetArrayItem(shown, a), cJSON_GetArrayItem(shown, b));
		if (within)
			return cJSON_GetArrayItem(shown, a);
	}
	return NULL;
}

/* The one product of cand whose title calls it the plain kind ("Plain Bagels"), or
 * NULL. */
static const cJSON *plain_by_name(const cJSON *cand, int n)
{
	const cJSON *one = NULL;
	for (int k = 0; k < n; k++) {
		const cJSON *p = cJSON_GetArrayItem(cand, k);
		struct text_words tt;
		text_split(dlg_str(p, "title"), &tt);
		int is = 0;
		for (int i = 0; i < tt.n && !is; i++)
			is = text_is(&tt, i, "plain") || text_is(&tt, i, "original") || text_is(&tt, i, "classic") ||
			     text_is(&tt, i, "regular");
		if (is && one)
			return NULL;
		if (is)
			one = p;
	}
	return one;
}

/* "Those are A and B. Which one would you like?": what the words left of the list,
 * asked again (a search action lists them). */
static void show_narrowed(struct turn *t, const cJSON *arr, int qty)
{
	struct buddy_state *st = t->st;
	cJSON *result = cJSON_CreateObject();
	cJSON_AddItemToObject(result, "items", cJSON_Duplicate(arr, 1));
	dlg_action(t, "search", NULL, result);
	char list[600];
	titles_list(arr, list, sizeof list);
	reply_say(&t->r, "Those are %s.", list);
	enum und_intent what = st->pending_intent;
	dlg_show(t, arr, 0);
	dlg_focus(t, arr);
	st->pending_intent = what == UND_REMOVE ? UND_REMOVE : UND_ADD;
	st->pending_qty = qty > 0 ? qty : st->pending_qty;
	t->main = UND_SEARCH;
	dlg_question(t, "Which one would you like?");
	dlg_ask(t, DLG_PENDING_CHOOSE);
}

int act_choose_described(struct turn *t, const struct und_result *r, int pending_choose, const char *text)
{
	struct buddy_state *st = t->st;
	int n = cJSON_GetArraySize(st->shown);
	if (n < 2 || st->shown_is_cart || st->shown_turn < st->turn - 2)
		return 0;
	int question = 0;
	for (int i = 1; i < r->n; i++) {
		/* "the oat one. actually make it three": more than a choice is said, and each
		 * command is read in turn; "... i'll take that" only says to take it */
		const struct und_cmd *c = &r->cmd[i];
		int social = c->intent == UND_CONFIRM || c->intent == UND_THANKS || c->intent == UND_GREET;
		int take = (c->intent == UND_ADD || c->intent == UND_NONE) && !c->fix && !c->correction &&
			   (c->nitems == 0 || (c->nitems == 1 && c->items[0].nwords == 0 && c->items[0].qty == 0));
		/* "yeah the cheapest headphones" to "Did you mean the Tunebox, the Bose or the
		 * Sony?": the yes, then which of them */
		int described = pending_choose && i == 1 && r->n == 2 && r->cmd[0].intent == UND_CONFIRM &&
				st->pending_intent != UND_INFO &&
				(c->intent == UND_SEARCH || c->intent == UND_NONE || c->intent == UND_ADD) &&
				c->nitems == 1 && !c->ask && !c->yesno && !c->correction;
		/* "the black one, with caffeine": more words of the same choice */
		int more = pending_choose == 2 && c->intent == UND_NONE && !c->fix && !c->correction && !c->ask &&
			   !c->and_said &&
			   !c->yesno && c->nitems == 1 && c->items[0].ref == UND_REF_WORDS && c->items[0].qty == 0;
		/* "smooth. two jars": how many of the choice */
		int count = pending_choose == 2 && (c->intent == UND_NONE || c->intent == UND_ADD) && !c->fix &&
			    !c->correction && c->nitems == 1 && c->items[0].nwords == 0 && c->items[0].qty > 0 &&
			    (c->items[0].ref == UND_REF_NONE || c->items[0].ref == UND_REF_IT);
		if (!social && !take && !described && !more && !count)
			return 0;
		/* "the gala and the granny smith": a list, each taken (answer_several) */
		for (int k = 0; pending_choose == 2 && k < c->nitems; k++)
			if (c->items[k].joined)
				return 0;
	}
	for (int i = 0; i < r->n; i++) {
		for (int k = 1; pending_choose == 2 && k < r->cmd[i].nitems; k++)
			if (r->cmd[i].items[k].joined)
				return 0;	/* "the gala and the granny smith please" */
		question |= r->cmd[i].ask != 0 || r->cmd[i].yesno;
		if (r->cmd[i].ask == 2)
			return 0;	/* "which ones are dairy free": act_which lists them */
		enum und_intent in = r->cmd[i].intent;
		if (in != UND_NONE && in != UND_ADD && in != UND_INFO && in != UND_CONFIRM && in != UND_SEARCH &&
		    in != UND_CHEAPER && !(in == UND_REMOVE && st->pending_intent == UND_REMOVE))
			return 0;
	}
	struct text_words *tw = malloc(sizeof *tw);
	struct text_words *pw = malloc((size_t)n * sizeof *pw);
	if (!tw || !pw) {
		free(tw);
		free(pw);
		return 0;
	}
	und_clean(text, tw);
	/* "2", "number 2", "option three" said to "Which one would you like?": its place
	 * in the list read out, not how many */
	if (pending_choose && r->n == 1) {
		int named = 0, digits = 0, rest = 0;
		long v = 0;
		for (int i = 0; i < tw->n; i++) {
			long x;
			int m;
			if (text_is(tw, i, "number") || text_is(tw, i, "option") || text_is(tw, i, "no") ||
			    text_is(tw, i, "num"))
				named = 1;
			else if (text_is(tw, i, "please") || text_is(tw, i, "just") || text_is(tw, i, "the"))
				;
			else if (!v && (m = num_parse(tw, i, tw->n, &x)) == 1) {
				v = x;
				digits = text_is_digits(tw->w[i]);
			} else
				rest = 1;
		}
		int lim = n < DLG_READ_MAX ? n : DLG_READ_MAX;
		enum und_intent pi = st->pending_intent;
		/* "just the one", "the six" to "Hass Avocados (each) or the 4 pack?": the one
		 * that holds that many */
		int holds = -1;
		for (int k = 0; !rest && !digits && !named && v >= 1 && k < lim; k++) {
			if (units_in_title(cJSON_GetArrayItem(st->shown, k)) != v)
				continue;
			holds = holds == -1 ? k : -2;
		}
		if (holds >= 0)
			v = holds + 1;
		if (!rest && (digits || named || holds >= 0) && v >= 1 && v <= lim &&
		    (pi == UND_NONE || pi == UND_ADD || pi == UND_SEARCH || pi == UND_REMOVE)) {
			cJSON *p = cJSON_Duplicate(cJSON_GetArrayItem(st->shown, (int)v - 1), 1);
			enum und_intent what = st->pending_intent ? st->pending_intent : UND_ADD;
			st->pending = DLG_PENDING_NONE;
			if (what == UND_REMOVE) {
				struct und_cmd rm = { 0 };
				rm.intent = UND_REMOVE;
				rm.nitems = 1;
				rm.items[0].ref = UND_REF_IT;
				dlg_focus_one(t, dlg_id(p));
				t->main = UND_REMOVE;
				act_remove(t, &rm, &rm.items[0]);
			} else {
				t->main = UND_ADD;
				act_add_product(t, p, st->pending_qty > 0 ? st->pending_qty : 1, 0);
			}
			cJSON_Delete(p);
			free(tw);
			free(pw);
			return 1;
		}
	}
	int cue = pending_choose, ask = 0, take = 0, qty = 0, qclause = 0;
	enum und_pick pick = UND_PICK_NONE;
	for (int i = 0; i < tw->n; i++) {
		const char *w = tw->w[i];
		cue |= !strcmp(w, "which") || !strcmp(w, "whichever") || !strcmp(w, "ones") ||
		       (!strcmp(w, "one") && i > 0 && (text_is(tw, i - 1, "the") || text_is(tw, i - 1, "that")));
		ask |= !strcmp(w, "which") || question;
		take |= lex_act_word(w, 'a') || !strcmp(w, "sounds") || !strcmp(w, "whichever");
		/* "the sony ones, are they noise cancelling?": a question about them */
		if (pending_choose == 2 && strchr(text ? text : "", '?') && i + 1 < tw->n && (i == 0 || tw->brk[i - 1]) &&
		    (!strcmp(w, "are") || !strcmp(w, "is") || !strcmp(w, "do") || !strcmp(w, "does") ||
		     !strcmp(w, "can") || !strcmp(w, "will") || !strcmp(w, "how") || !strcmp(w, "what")))
			qclause = 1;
		long v;
		int m;
		int64_t cents;
		if ((m = chooser_price_at(tw, i, &cents))) {
			i += m - 1;	/* "the 59.99 ones": which, by price, not how many */
			continue;
		}
		/* "the one with only thirty calories a cup": what one of them says */
		int described = 0;
		if ((m = num_parse(tw, i, tw->n, &v)) && i + m < tw->n && !lex_is_unit(tw->w[i + m]))
			for (int k = 0; k < n && !described; k++)
				described = says_number_word(cJSON_GetArrayItem(st->shown, k), v, tw->w[i + m]);
		if (described) {
			i += m - 1;
			continue;
		}
		/* "the chamomile one": which, not how many */
		int one_pronoun = text_is(tw, i, "one") && i > 0 && !text_is(tw, i - 1, "just") &&
				  !text_is(tw, i - 1, "only") &&
				  (!(i + 1 < tw->n && (lex_is_unit(tw->w[i + 1]) || !lex_is_stopword(tw->w[i + 1]))) ||
				   tw->brk[i]);	/* "the crunchy one, two jars" */
		if (!qty && !one_pronoun && !num_counts_choices(tw, i) &&
		    (m = num_parse(tw, i, tw->n, &v)) && v > 0 && v < 1000 &&
		    !(i + m < tw->n && (text_is(tw, i + m, "dollars") || text_is(tw, i + m, "bucks"))) &&
		    !(i + m < tw->n && (text_is(tw, i + m, "hours") || text_is(tw, i + m, "hour") ||
					lex_size_unit(tw->w[i + m]))) &&
		    !(text_is(tw, i, "one") && i > 0 && (text_is(tw, i - 1, "the") || text_is(tw, i - 1, "that"))))
			qty = (int)v;
		char d[TEXT_WORD_LEN];
		plain_degree(w, d, sizeof d);
		if (!strcmp(d, "big") || !strcmp(d, "bigg") || !strcmp(d, "larg") || !strcmp(w, "large") ||
		    !strcmp(w, "larger") || !strcmp(w, "bigger"))
			pick = UND_PICK_BIGGEST;
		else if (!strcmp(w, "small") || !strcmp(w, "smaller") || !strcmp(w, "smallest") ||
			 !strcmp(w, "little"))
			pick = UND_PICK_SMALLEST;
		else if (!strcmp(w, "cheap") || !strcmp(w, "cheaper") || !strcmp(w, "cheapest"))
			pick = UND_PICK_CHEAPEST;
		else if (!strcmp(w, "pricier") || !strcmp(w, "priciest") || !strcmp(w, "dearest") ||
			 (!strcmp(w, "expensive") && !text_is(tw, i - 1, "less")))
			pick = UND_PICK_PRICIEST;
	}
	int done = 0, plain = 0;
	cJSON *cand = NULL;
	for (int i = 0; pending_choose && i < tw->n; i++) {
		/* "none of those, anything cheaper?", "neither": no choice made */
		if (text_is(tw, i, "none") || text_is(tw, i, "neither") || text_is(tw, i, "nothing"))
			goto out;
		/* "the normal ones": the plain kind, not a variant */
		plain |= text_is(tw, i, "normal") || text_is(tw, i, "regular") || text_is(tw, i, "standard") ||
			 text_is(tw, i, "ordinary") || text_is(tw, i, "basic") || text_is(tw, i, "classic");
	}
	/* read first as the answer to the open choice: a question about them ("which
	 * ones are dairy free?") is answered by the question's readers */
	if (!cue || (pending_choose == 2 && ask && !take))
		goto out;
	/* what is chosen from: the list read out, and when the words fit none of it,
	 * the matches of the same search that were not read out */
	cand = cJSON_Duplicate(st->shown, 1);
	int widened = 0;
rescore:
	n = cJSON_GetArraySize(cand);
	if (n > DLG_SHOWN_MAX * 2)
		n = DLG_SHOWN_MAX * 2;
	free(pw);
	pw = malloc((size_t)n * sizeof *pw);
	if (!pw)
		goto out;
	for (int k = 0; k < n; k++)
		product_words(cJSON_GetArrayItem(cand, k), &pw[k]);
	int score[DLG_SHOWN_MAX * 2] = { 0 }, said = 0, neg = 0, without = 0;
	for (int i = 0; i + 1 < tw->n; i++) {
		/* "the four pack", "the 12 oz one": a size one of them has */
		long v;
		int m = num_parse(tw, i, tw->n, &v);
		const char *unit = m && i + m < tw->n ? lex_size_unit(tw->w[i + m]) : NULL;
		if (!unit || v <= 0)
			continue;
		char num[24];
		snprintf(num, sizeof num, "%ld", v);
		int hits = 0;
		for (int k = 0; k < n && k < DLG_SHOWN_MAX * 2; k++)
			hits += match_has_size(cJSON_GetArrayItem(cand, k), num, unit);
		if (hits == 0 || hits == n)
			continue;
		said++;
		for (int k = 0; k < n && k < DLG_SHOWN_MAX * 2; k++)
			score[k] += 24 * match_has_size(cJSON_GetArrayItem(cand, k), num, unit);
	}
	for (int i = 0; i < tw->n; i++) {
		/* "the 59.99 ones", "the $4 one": the one shown at that price */
		int64_t cents;
		int m = chooser_price_at(tw, i, &cents);
		if (!m)
			continue;
		int hits = 0, near = 0;
		for (int k = 0; k < n && k < DLG_SHOWN_MAX * 2; k++)
			hits += dlg_int(cJSON_GetArrayItem(cand, k), "price_cents", -1) == cents;
		/* "the twenty dollar ones" for 19.99: the price said round */
		if (hits == 0 && pending_choose == 2 && cents % 100 == 0) {
			near = 1;
			for (int k = 0; k < n && k < DLG_SHOWN_MAX * 2; k++) {
				int64_t pc = dlg_int(cJSON_GetArrayItem(cand, k), "price_cents", -1);
				hits += pc > cents - 100 && pc <= cents;
			}
		}
		if (hits > 0 && hits < n) {
			said++;
			for (int k = 0; k < n && k < DLG_SHOWN_MAX * 2; k++) {
				int64_t pc = dlg_int(cJSON_GetArrayItem(cand, k), "price_cents", -1);
				score[k] += 24 * (near ? pc > cents - 100 && pc <= cents : pc == cents);
			}
		}
		for (int j = i; j < i + m; j++)
			tw->w[j][0] = '\0';	/* read: not words of a title */
		i += m - 1;
	}
	int excluded = 0, ctx = 0, unplaced = 0;
	/* "the chunky one" of peanut butters, "the one with bits" of orange juices: what
	 * shoppers call it, said of the kind shown, in the catalog's words (terms.def) */
	unsigned char covered[TEXT_MAX_WORDS] = { 0 };
	if (pending_choose == 2)
		said += score_terms(t, tw, cand, n, pw, score, covered, &unplaced);
	for (int i = 0; i < tw->n; i++) {
		const char *w = tw->w[i];
		if (i > 0 && tw->brk[i - 1])
			ctx = 0;
		/* "the tart ones for baking": the purpose is context, never another request */
		if (i > 0 && lex_opens_context(tw, i, tw->n))
			ctx = 1;
		if (!*w || covered[i])
			continue;
		/* "a single one", "the loose ones": sold by the piece, "(each)" */
		if (!strcmp(w, "single") || !strcmp(w, "loose") || !strcmp(w, "individual"))
			w = "each";
		/* "not the decaf", "except the plant based": what is excluded; "no added
		 * sugar", "caffeine free", "without caffeine": what it must say it lacks */
		if (!strcmp(w, "not") || !strcmp(w, "except") || !strcmp(w, "but") || !strcmp(w, "other")) {
			neg = 1;
			continue;
		}
		if (!strcmp(w, "no") || !strcmp(w, "without") || !strcmp(w, "zero")) {
			without = 1;
			continue;
		}
		if (tw->brk[i > 0 ? i - 1 : 0] && i > 0)
			neg = without = 0;
		/* "the kilo bag", "the one in ounces": the unit one title states */
		if (lex_size_unit(w) && strlen(w) > 2 && !(i > 0 && text_is_digits(tw->w[i - 1]))) {
			const char *unit = lex_size_unit(w);
			int hits = 0, has[DLG_SHOWN_MAX * 2] = { 0 };
			for (int k = 0; k < n && k < DLG_SHOWN_MAX * 2; k++) {
				struct text_words tt;
				text_split(dlg_str(cJSON_GetArrayItem(cand, k), "title"), &tt);
				for (int j = 1; j < tt.n && !has[k]; j++)
					has[k] = text_is_digits(tt.w[j - 1]) && lex_size_unit(tt.w[j]) &&
						 !strcmp(lex_size_unit(tt.w[j]), unit);
				hits += has[k];
			}
			if (hits > 0 && hits < n) {
				said += !neg;
				excluded += neg || without ? hits : 0;
				for (int k = 0; k < n && k < DLG_SHOWN_MAX * 2; k++)
					score[k] += (neg || without ? -24 : 24) * has[k];
			}
			continue;
		}
		if (chooser_skip(w) || lex_size_unit(w))
			continue;
		if (text_is(tw, i + 1, "free") && !without) {
			without = 2;	/* just for this word */
		}
		if (neg || without) {
			for (int k = 0; k < n && k < DLG_SHOWN_MAX * 2; k++) {
				const cJSON *p = cJSON_GetArrayItem(cand, k);
				int free_of = match_says_free(p, w) || says_without(&pw[k], w);
				if (neg && says_word(&pw[k], w) && !free_of)
					score[k] -= 24, excluded++;
				else if (without && free_of)
					score[k] += 12;
				else if (without && says_word(&pw[k], w))
					score[k] -= 24, excluded++;
			}
			if (neg)
				continue;	/* only excludes: the rest is read as before */
			said++;
			if (without == 2)
				without = 0;
			continue;
		}
		if (!strcmp(w, "free"))
			continue;
		if (pick != UND_PICK_NONE && (!strncmp(w, "big", 3) || !strncmp(w, "larg", 4) ||
					      !strncmp(w, "small", 5) || !strncmp(w, "cheap", 5) ||
					      !strcmp(w, "expensive") || !strncmp(w, "pric", 4)))
			continue;
		/* "the one with caffeine": not the one that says it is caffeine free */
		int hits = 0, has[DLG_SHOWN_MAX * 2] = { 0 }, lacks = 0;
		for (int k = 0; k < n && k < DLG_SHOWN_MAX * 2; k++) {
			const cJSON *p = cJSON_GetArrayItem(cand, k);
			if (says_word(&pw[k], w) && (match_says_free(p, w) || says_without(&pw[k], w))) {
				has[k] = -1;	/* "caffeine free" is not "with caffeine" */
				lacks++;
				continue;
			}
			if (!says_word(&pw[k], w))
				continue;
			/* a word of the title or tags says more than one of the description */
			has[k] = 1 + choice_title_says(p, w);
			hits++;
		}
		if (hits == n)
			continue;	/* "apples" of the apples: says nothing apart */
		/* "the one with caffeine", "with actual caffeine": said to have it */
		int with = 0;
		for (int j = i - 1; j >= 0 && j >= i - 2; j--)
			with |= text_is(tw, j, "with") || text_is(tw, j, "has") || text_is(tw, j, "actual") ||
				text_is(tw, j, "proper") || text_is(tw, j, "real");
		if (hits == 0 && lacks > 0 && !with)
			continue;	/* "she's off dairy": not read here */
		if (hits == 0 && lacks > 0 && lacks < n) {
			for (int k = 0; k < n && k < DLG_SHOWN_MAX * 2; k++)
				score[k] -= has[k] < 0 ? 24 : 0;
			excluded += lacks;
			said++;
			continue;
		}
		if (hits == 0) {
			/* a word the catalog knows but none of these has: something else */
			if (!ctx && !lex_is_common(w) && !lex_is_soft(w) && resolve_known_word(t, w) &&
			    strlen(w) > 2)
			{
				if (pending_choose == 2 && !widened && widen_choice(t, cand)) {
					widened = 1;
					goto rescore;
				}
				goto out;
			}
			unplaced += !ctx && !lex_is_common(w) && !lex_is_soft(w) && strlen(w) > 3;
			continue;
		}
		said++;
		/* a word only one of them has tells more than one several have */
		for (int k = 0; k < n && k < DLG_SHOWN_MAX * 2; k++)
			score[k] += has[k] < 0 ? (with ? -24 : 0) : has[k] * 6 / hits;
	}
	/* "the one with fifty hours of battery", "the longest battery", "the most
	 * protein": a number the products' own words give for what is named */
	for (int i = 0; pending_choose == 2 && i < tw->n; i++) {
		int most = text_is(tw, i, "longest") || text_is(tw, i, "most") || text_is(tw, i, "highest") ||
			   text_is(tw, i, "best") || text_is(tw, i, "greatest");
		int least = text_is(tw, i, "shortest") || text_is(tw, i, "least") || text_is(tw, i, "fewest") ||
			    text_is(tw, i, "lowest");
		long v = 0;
		int m = 0;
		if (!most && !least && !((m = num_parse(tw, i, tw->n, &v)) && v > 0))
			continue;
		long val[DLG_SHOWN_MAX * 2];
		int known = 0, best_k = -1;
		for (int k = 0; k < n && k < DLG_SHOWN_MAX * 2; k++) {
			val[k] = -1;
			/* the noun named: the next words after the superlative or number */
			for (int j = i + (m ? m : 1); j < tw->n && j <= i + (m ? m : 1) + 2 && val[k] < 0; j++)
				if (!chooser_skip(tw->w[j]) && strcmp(tw->w[j], "of"))
					val[k] = number_before(&pw[k], tw->w[j]);
			if (val[k] < 0)
				continue;
			known++;
			if (m ? val[k] == v : best_k < 0 || (most ? val[k] > val[best_k] : val[k] < val[best_k]))
				best_k = k;
		}
		if (known < 1 || best_k < 0 || (!m && known < 2))
			continue;
		said++;
		for (int k = 0; k < n && k < DLG_SHOWN_MAX * 2; k++)
			score[k] += (m ? val[k] == v : k == best_k) ? 24 : 0;
		if (m)
			i += m - 1;
	}
	/* "the oat one, she's off dairy": what the turn's constraint rules out */
	if (pending_choose == 2 && (t->needs.excl || t->needs.req)) {
		int out_of = 0;
		for (int k = 0; k < n && k < DLG_SHOWN_MAX * 2; k++)
			out_of += !needs_allows(&t->needs, cJSON_GetArrayItem(cand, k));
		if (out_of > 0 && out_of < n) {
			for (int k = 0; k < n && k < DLG_SHOWN_MAX * 2; k++)
				score[k] += !needs_allows(&t->needs, cJSON_GetArrayItem(cand, k)) ? -24 :
					    needs_says_free(&t->needs, cJSON_GetArrayItem(cand, k)) ? 12 : 0;
			excluded += out_of;
			said++;
		}
	}
	/* "the seedless ones": a word none of those read out has, maybe one of the rest */
	if (said == 0 && unplaced && pending_choose == 2 && !widened && widen_choice(t, cand)) {
		widened = 1;
		goto rescore;
	}
	int best = -1, second = 0;
	for (int k = 0; k < n && k < DLG_SHOWN_MAX * 2; k++) {
		if (best < 0 || score[k] > score[best]) {
			if (best >= 0)
				second = score[best];
			best = k;
		} else if (score[k] > second) {
			second = score[k];
		}
	}
	const cJSON *chosen = NULL;
	int nread = cJSON_GetArraySize(st->shown);
	int lim = nread < DLG_READ_MAX ? nread : DLG_READ_MAX, place = -1, top = 0, delegated = 0;
	if (pending_choose == 2) {
		/* "the second one sounds good", "either's fine, the first one", "the middle
		 * one": a place in the list read out */
		for (int c = 0; c < r->n; c++)
			for (int k = 0; k < r->cmd[c].nitems; k++) {
				const struct und_item *it = &r->cmd[c].items[k];
				if (it->ref == UND_REF_ORDINAL && it->nwords == 0)
					place = it->ordinal < 0 ? lim + it->ordinal : it->ordinal;
			}
		for (int i = 0; i < tw->n; i++) {
			if (lim == 3 && text_is(tw, i, "middle"))
				place = 1;
			/* "whichever", "either is fine", "i don't mind": the buddy's pick */
			delegated |= lex_is_delegation(tw->w[i]) || text_is(tw, i, "either") ||
				     text_match(tw, i, tw->n, "do not mind") || text_match(tw, i, tw->n, "does not matter") ||
				     text_match(tw, i, tw->n, "up to you") || text_match(tw, i, tw->n, "you choose") ||
				     text_match(tw, i, tw->n, "you pick") || text_match(tw, i, tw->n, "any of them");
		}
		if (place >= lim)
			place = -1;
		for (int k = 0; k < n && k < DLG_SHOWN_MAX * 2; k++)
			top += best >= 0 && score[k] == score[best];
	}
	if (place >= 0 && (said == 0 || score[place] == score[best])) {
		chosen = cJSON_GetArrayItem(cand, place);
	} else if (said > 0 && best >= 0 && score[best] > second && (score[best] > 0 || excluded)) {
		chosen = cJSON_GetArrayItem(cand, best);
	} else if (said > 0 && pending_choose == 2 && pick != UND_PICK_NONE && top > 1 &&
		   (score[best] > 0 || excluded)) {
		/* "the cheaper of the decaf ones": the pick among those the words fit */
		for (int k = 0; k < n && k < DLG_SHOWN_MAX * 2; k++) {
			const cJSON *p = cJSON_GetArrayItem(cand, k);
			if (score[k] == score[best] && (!chosen || dlg_pick_better(pick, p, chosen)))
				chosen = p;
		}
	} else if (said > 0 && pending_choose == 2 && top > 1 && (score[best] > 0 || excluded) &&
		   (chosen = plain_of_tied(cand, score, score[best]))) {
		/* "the 12 oz beans" of dark roasts: the plain one, not the decaf variant */
	} else if (said > 0 && pending_choose == 2 && top > 1 && top < n && (score[best] > 0 || excluded)) {
		/* "the caffeine free ones", "not the decaf": the list narrowed to those */
		cJSON *arr = cJSON_CreateArray();
		for (int k = 0; k < n && k < DLG_SHOWN_MAX * 2; k++)
			if (score[k] == score[best])
				cJSON_AddItemToArray(arr, cJSON_Duplicate(cJSON_GetArrayItem(cand, k), 1));
		show_narrowed(t, arr, qty);
		cJSON_Delete(arr);
		done = 1;
		goto out;
	} else if (said == 0 && pick == UND_PICK_NONE && plain && pending_choose == 2 &&
		   ((chosen = plain_of_tied(cand, score, 0)) || (chosen = plain_by_name(cand, n)))) {
		/* "the normal ones": the one whose title the others add to, or the one
		 * called plain */
	} else if (said == 0 && pick == UND_PICK_NONE && delegated && pending_choose == 2) {
		chosen = cJSON_GetArrayItem(cand, 0);
	} else if (said == 0 && pick != UND_PICK_NONE) {
		const cJSON *b = cJSON_GetArrayItem(cand, 0);
		for (int k = 1; k < lim; k++) {
			const cJSON *p = cJSON_GetArrayItem(cand, k);
			if (dlg_pick_better(pick, p, b))
				b = p;
		}
		chosen = b;
	}
	if (!chosen)
		goto out;
	cJSON *p = cJSON_Duplicate(chosen, 1);
	/* "the white ones, a dozen": twelve of a dozen box is one box */
	for (int i = 0; qty >= 12 && qty % 12 == 0 && i < tw->n; i++)
		if (text_is(tw, i, "dozen") && units_in_title(p) == 12) {
			qty /= 12;
			break;
		}
	enum und_intent what = pending_choose && st->pending_intent ? st->pending_intent : UND_ADD;
	st->pending = DLG_PENDING_NONE;
	if (ask && !take && !pending_choose)
		what = UND_INFO;
	int polite = 0;
	for (int i = 0; i < r->n; i++)
		polite |= r->cmd[i].polite;
	if (what == UND_INFO && (qty > 0 || take || polite) && !ask)
		what = UND_ADD;	/* "the oat one, make it three", "i'll take the sony": take it */
	if (qclause && !take)
		what = UND_INFO;	/* which one, and what it says: the question answered */
	if (what == UND_INFO || (ask && !take)) {
		char title[160], price[96];
		reply_title(p, title, sizeof title);
		reply_price_of(p, price, sizeof price);
		const char *desc = dlg_str(p, "description");
		reply_say(&t->r, "That's the %s, %s.", title, price);
		if (*desc)
			reply_say(&t->r, "%s", desc);
		offer_one(t, p, qty);
		t->main = UND_INFO;
	} else if (what == UND_REMOVE) {
		struct und_cmd rm = { 0 };
		rm.intent = UND_REMOVE;
		rm.nitems = 1;
		rm.items[0].ref = UND_REF_IT;
		rm.items[0].qty = qty;
		dlg_focus_one(t, dlg_id(p));
		t->main = UND_REMOVE;
		act_remove(t, &rm, &rm.items[0]);
	} else {
		t->main = UND_ADD;
		act_add_product(t, p, qty > 0 ? qty : st->pending_qty > 0 && pending_choose &&
				st->pending_intent != UND_INFO ? st->pending_qty : 1, 0);
	}
	cJSON_Delete(p);
	done = 1;
out:
	cJSON_Delete(cand);
	free(tw);
	free(pw);
	return done;
}

/* 1 when the words of r name something other than what is in mind (`arr`): a known
 * catalog word none of them says. */
static int names_other(struct turn *t, const struct und_result *r, const cJSON *arr)
{
	for (int c = 0; c < r->n; c++) {
		for (int i = 0; i < r->cmd[c].nitems; i++) {
			const struct und_item *it = &r->cmd[c].items[i];
			for (int k = 0; k < it->nwords; k++) {
				const char *w = it->words[k];
				if (it->wctx[k] || lex_is_stopword(w) || lex_is_common(w) || !resolve_known_word(t, w))
					continue;
				int said = 0;
				const cJSON *p;
				cJSON_ArrayForEach(p, arr)
					said |= match_mentions(p, w);
				if (!said)
					return 1;
			}
		}
	}
	return 0;
}

int act_choose_by_need(struct turn *t, const struct und_result *r, const char *text)
{
	struct buddy_state *st = t->st;
	if ((!t->needs.excl && !t->needs.req && !t->needs.nprefer) ||
	    (st->shown_turn < st->turn - 1 && st->focus_turn < st->turn - 1))
		return 0;
	cJSON *arr = in_mind(t);
	int n = cJSON_GetArraySize(arr);
	if (n < 2 || names_other(t, r, arr)) {
		cJSON_Delete(arr);
		return 0;
	}
	needs_filter(&t->needs, arr);
	/* "the no pulp one": those that say they are without it, before those silent about it */
	int says = 0;
	const cJSON *x;
	cJSON_ArrayForEach(x, arr)
		says += needs_says_free(&t->needs, x);
	for (int i = cJSON_GetArraySize(arr) - 1; says > 0 && i >= 0; i--)
		if (!needs_says_free(&t->needs, cJSON_GetArrayItem(arr, i)))
			cJSON_DeleteItemFromArray(arr, i);
	int kept = cJSON_GetArraySize(arr);
	if (kept == 0 || kept == n) {
		cJSON_Delete(arr);
		return 0;
	}
	/* asked ("is there one without caffeine?") or asked for ("no pulp, grab two") */
	int qty = 0, act = 0, question = text && strchr(text, '?') != NULL;
	for (int c = 0; c < r->n; c++) {
		question |= r->cmd[c].ask || r->cmd[c].yesno;
		act |= r->cmd[c].intent == UND_ADD || r->cmd[c].intent == UND_CONFIRM;
		for (int i = 0; i < r->cmd[c].nitems && !qty; i++)
			qty = r->cmd[c].items[i].qty;
	}
	struct text_words *tw = malloc(sizeof *tw);
	if (tw) {
		und_clean(text, tw);
		static const char *const asks[] = { "is", "are", "which", "what", "do", "does", "any",
			"anything", "can", "have", "got", "whats" };
		for (size_t k = 0; tw->n > 0 && k < sizeof asks / sizeof *asks; k++)
			question |= text_is(tw, 0, asks[k]);
		for (int i = 0; i < tw->n; i++)
			act |= lex_act_word(tw->w[i], 'a');
		free(tw);
	}
	t->main = UND_ADD;
	const cJSON *one = cJSON_GetArrayItem(arr, 0);
	if (kept == 1 && (act || qty > 0 || !question)) {
		act_add_product(t, one, qty > 0 ? qty : 1, 0);
		cJSON_Delete(arr);
		return 1;
	}
	cJSON *result = cJSON_CreateObject();
	cJSON_AddItemToObject(result, "items", cJSON_Duplicate(arr, 1));
	dlg_action(t, "search", NULL, result);
	char why[96];
	needs_phrase(&t->needs, why, sizeof why);
	if (kept == 1) {
		char title[160], price[96];
		reply_title(one, title, sizeof title);
		reply_price_of(one, price, sizeof price);
		if (*why)
			reply_say(&t->r, "The %s is the one%s, for %s.", title, why, price);
		else
			reply_say(&t->r, "The %s fits best, for %s.", title, price);
		dlg_show(t, arr, 0);
		offer_one(t, one, qty);
	} else {
		char list[600];
		titles_list(arr, list, sizeof list);
		reply_say(&t->r, "Those%s are %s.", *why ? why : " that fit", list);
		dlg_show(t, arr, 0);
		dlg_focus(t, arr);
		st->pending_intent = UND_ADD;
		st->pending_qty = qty;
		dlg_question(t, "Which one would you like?");
		dlg_ask(t, DLG_PENDING_CHOOSE);
	}
	cJSON_Delete(arr);
	return 1;
}

/* 1 when the utterance asks a question ("is it ok?", "can he have the oat milk"). */
static int asks_question(const struct und_result *r, const char *text)
{
	int q = text && strchr(text, '?') != NULL;
	for (int c = 0; c < r->n; c++)
		q |= r->cmd[c].ask || r->cmd[c].yesno;
	return q;
}

int act_suits(struct turn *t, const struct und_result *r, const char *text)
{
	if ((!t->needs.excl && !t->needs.req) || !asks_question(r, text))
		return 0;
	const struct und_item *named = NULL;
	for (int c = 0; c < r->n; c++) {
		for (int i = 0; i < r->cmd[c].nitems; i++) {
			const struct und_item *it = &r->cmd[c].items[i];
			if (it->ref != UND_REF_WORDS || it->nwords == 0 || it->every || it->pick)
				continue;
			if (named)
				return 0;	/* two things asked about: a choice, not a yes or no */
			named = it;
		}
	}
	if (!named)
		return 0;
	/* which product was named, before the constraint narrows anything */
	struct needs_frame kn = t->needs;
	memset(&t->needs, 0, sizeof t->needs);
	struct resolution res;
	resolve_item(t, named, RES_CATALOG, &res);
	t->needs = kn;
	int ok = res.status == RES_OK && cJSON_GetArraySize(res.products) == 1 && !*res.missing;
	if (!ok) {
		resolve_free(&res);
		return 0;
	}
	const cJSON *p = cJSON_GetArrayItem(res.products, 0);
	char title[160], price[96], why[96];
	reply_title(p, title, sizeof title);
	reply_price_of(p, price, sizeof price);
	int has = 0;
	const char *broken = needs_breaks(&t->needs, p, &has);
	t->main = UND_INFO;
	dlg_action(t, "product.show", NULL, cJSON_Duplicate(p, 1));
	if (!broken) {
		needs_phrase(&t->needs, why, sizeof why);
		reply_say(&t->r, "Yes, the %s should be fine: it's%s, for %s.", title, *why ? why : " a good fit", price);
		offer_one(t, p, named->qty);
		resolve_free(&res);
		return 1;
	}
	if (has)
		reply_say(&t->r, "No, the %s has %s in it.", title, broken);
	else
		reply_say(&t->r, "No, the %s isn't %s.", title, broken);
	/* the same kind of thing, kept to the constraint */
	struct und_item kind = { .ref = UND_REF_WORDS, .nwords = 1 };
	memcpy(kind.words[0], named->words[named->nwords - 1], TEXT_WORD_LEN);
	struct resolution alt;
	resolve_item(t, &kind, RES_CATALOG, &alt);
	const cJSON *a = NULL, *x;
	cJSON_ArrayForEach(x, alt.products) {
		if (!a && dlg_id(x) != dlg_id(p) && needs_allows(&t->needs, x))
			a = x;
	}
	if (a) {
		reply_title(a, title, sizeof title);
		reply_price_of(a, price, sizeof price);
		reply_say(&t->r, "The %s would be, for %s.", title, price);
		cJSON *one = cJSON_CreateArray();
		cJSON_AddItemToArray(one, cJSON_Duplicate(a, 1));
		dlg_show(t, one, 0);
		cJSON_Delete(one);
		offer_one(t, a, named->qty);
	}
	resolve_free(&alt);
	resolve_free(&res);
	return 1;
}

/* The cart's subtotal in cents (the turn's copy when it has one), or -1. */
static int64_t cart_total(struct turn *t)
{
	if (!t->cart) {
		cJSON *cart = NULL;
		ERRBUF;
		if (t->tools->cart_view(t->tools->ctx, &cart, code, msg) != 0 || !cart) {
			cJSON_Delete(cart);
			return -1;
		}
		dlg_set_cart(t, cart);
	}
	return dlg_int(t->cart, "subtotal_cents", 0);
}

int act_budget_product(struct turn *t, const struct und_result *r)
{
	int64_t budget = t->needs.budget ? t->needs.budget : t->st->budget_cents;
	if (!t->needs.budget_ask || budget <= 0)
		return 0;
	const struct und_item *named = NULL;
	for (int c = 0; c < r->n; c++) {
		for (int i = 0; i < r->cmd[c].nitems; i++) {
			const struct und_item *it = &r->cmd[c].items[i];
			if (it->ref != UND_REF_WORDS || it->nwords == 0)
				continue;
			if (named || r->cmd[c].intent == UND_ADD || r->cmd[c].intent == UND_REMOVE ||
			    r->cmd[c].intent == UND_SET)
				return 0;	/* a change to the cart: the total is answered after it */
			named = it;
		}
	}
	if (!named)
		return 0;
	struct resolution res;
	resolve_item(t, named, RES_CATALOG, &res);
	if (res.status != RES_OK || cJSON_GetArraySize(res.products) != 1 || *res.missing) {
		resolve_free(&res);
		return 0;
	}
	const cJSON *p = cJSON_GetArrayItem(res.products, 0);
	int64_t total = cart_total(t), price = dlg_int(p, "price_cents", 0);
	int64_t left = budget - (total > 0 ? total : 0);
	char title[160], cost[96], b[96], d[96];
	reply_title(p, title, sizeof title);
	reply_money(price, dlg_str(p, "currency"), cost, sizeof cost);
	reply_money(budget, dlg_str(p, "currency"), b, sizeof b);
	t->main = UND_INFO;
	if (price <= left) {
		reply_money(left - price, dlg_str(p, "currency"), d, sizeof d);
		reply_say(&t->r, "Yes, the %s is %s, within your %s, with %s to spare.", title, cost, b, d);
		cJSON *one = cJSON_CreateArray();
		cJSON_AddItemToArray(one, cJSON_Duplicate(p, 1));
		dlg_show(t, one, 0);
		cJSON_Delete(one);
		offer_one(t, p, named->qty);
	} else {
		reply_money(price - left, dlg_str(p, "currency"), d, sizeof d);
		reply_say(&t->r, "No, the %s is %s, %s more than %s.", title, cost, d,
			  total > 0 ? "you have left" : "your budget");
		dlg_focus_one(t, dlg_id(p));
	}
	t->total_said = 1;
	resolve_free(&res);
	return 1;
}

void act_budget_total(struct turn *t)
{
	int64_t budget = t->needs.budget ? t->needs.budget : t->st->budget_cents;
	int ask = t->needs.budget_ask && !t->answered;
	/* "I've got 400 dollars total": said alone, it is taken note of */
	int noted = t->needs.budget && !t->changed_cart && t->r.sentences == 0 && !t->answered;
	if (!ask && !noted && !(t->needs.budget && t->changed_cart))
		return;
	if (noted && !ask && t->needs.budget > 0) {
		int64_t total = cart_total(t);
		char b[96], d[96];
		reply_money(t->needs.budget, NULL, b, sizeof b);
		if (total <= 0) {
			reply_say(&t->r, "Got it, %s to spend. I'll keep track.", b);
			return;
		}
		reply_money(total <= t->needs.budget ? t->needs.budget - total : total - t->needs.budget, NULL, d, sizeof d);
		reply_say(&t->r, total <= t->needs.budget ? "Got it, %s to spend: your cart is within it, with %s left." :
			  "Got it, %s to spend: your cart is %s over it.", b, d);
		t->total_said = 1;
		return;
	}
	if (budget <= 0 && ask && t->r.sentences == 0) {
		/* "what's left then?" after a removal, no budget ever said: what is left in
		 * the cart */
		if (!t->cart)
			cartops_refresh(t);
		if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(t->cart, "items")) > 0 &&
		    t->st->last.kind != DLG_LAST_NONE) {
			act_view_cart(t, 0);
			return;
		}
		reply_say(&t->r, "How much would you like to spend? Tell me and I'll keep track.");
		return;
	}
	if (budget <= 0)
		return;
	int64_t total = cart_total(t);
	if (total < 0)
		return;
	const char *cur = dlg_str(t->cart, "currency");
	char sum[96], b[96], d[96];
	reply_money(total, cur, sum, sizeof sum);
	reply_money(budget, cur, b, sizeof b);
	reply_money(total <= budget ? budget - total : total - budget, cur, d, sizeof d);
	if (total <= budget)
		reply_say(&t->r, "Your cart comes to %s, so you have %s left of your %s.", sum, d, b);
	else
		reply_say(&t->r, "Your cart comes to %s, which is %s over your %s.", sum, d, b);
	t->total_said = 1;
	if (t->main == UND_NONE)
		t->main = UND_CART_TOTAL;
}

/* The product the words [a, b) of tw name, not `not_id` (0: any): resolved in the
 * catalog, the first fit when several do, and one whose title says every word that
 * was said.  "the regular ones" after "the organic strawberries" borrows the words
 * `more` of the other product ("strawberries"), tried first.  Owned copy or NULL. */
static cJSON *compared_product(struct turn *t, const struct text_words *tw, int a, int b,
			       char more[][TEXT_WORD_LEN], int nmore, int64_t not_id)
{
	static const char *const skip[] = { "how", "much", "more", "less", "cheaper", "pricier", "dearer",
		"extra", "is", "are", "does", "do", "cost", "costs", "the", "a", "an", "one", "ones", "your",
		"price", "priced", "same", "as", "than", "it", "its", "bag", "regular", "normal", "usual",
		"other", "compared", "to", "with", "vs", "versus", "what", "whats", "between", "and",
		"that", "this", "those", "these", "in", "of", "better", "deal", "value", "cheap", "expensive" };
	struct und_item said = { .ref = UND_REF_WORDS };
	for (int i = a; i < b && said.nwords < UND_ITEM_WORDS; i++) {
		int skipped = 0;
		for (size_t k = 0; k < sizeof skip / sizeof *skip && !skipped; k++)
			skipped = text_is(tw, i, skip[k]);
		if (!skipped && !lex_is_stopword(tw->w[i]) && resolve_known_word(t, tw->w[i]))
			memcpy(said.words[said.nwords++], tw->w[i], TEXT_WORD_LEN);
	}
	for (int pass = nmore ? 0 : 1; pass < 2; pass++) {
		struct und_item it = said;
		for (int k = 0; pass == 0 && k < nmore && it.nwords < UND_ITEM_WORDS; k++) {
			int dup = 0;
			for (int j = 0; j < it.nwords; j++)
				dup |= !strcmp(it.words[j], more[k]);
			if (!dup)
				memcpy(it.words[it.nwords++], more[k], TEXT_WORD_LEN);
		}
		if (it.nwords == 0)
			continue;
		struct resolution res;
		resolve_item(t, &it, RES_CATALOG, &res);
		cJSON *found = NULL;
		const cJSON *p;
		if ((res.status == RES_OK || res.status == RES_AMBIGUOUS) && !*res.missing) {
			cJSON_ArrayForEach(p, res.products) {
				int says = 1;
				for (int k = 0; k < said.nwords && says; k++)
					says = match_mentions(p, said.words[k]) || text_is_digits(said.words[k]) ||
					       lex_size_unit(said.words[k]);
				if (!found && says && dlg_id(p) != not_id)
					found = cJSON_Duplicate(p, 1);
			}
		}
		resolve_free(&res);
		if (found)
			return found;
	}
	return NULL;
}

int act_compare(struct turn *t, const char *text)
{
	struct text_words *tw = malloc(sizeof *tw);
	if (!tw)
		return 0;
	und_clean(text, tw);
	/* the cue and where the second product starts */
	int kind = 0, split = -1, end2 = tw->n, start = 0, m;
	for (int i = 0; i < tw->n && !kind; i++) {
		if ((m = text_match(tw, i, tw->n, "the same price as")) || (m = text_match(tw, i, tw->n, "same price as")) ||
		    (m = text_match(tw, i, tw->n, "as much as")) || (m = text_match(tw, i, tw->n, "as expensive as"))) {
			kind = 2, split = i, end2 = i + m;
		} else if ((m = text_match(tw, i, tw->n, "a better deal than")) || (m = text_match(tw, i, tw->n, "better value than")) ||
			   (m = text_match(tw, i, tw->n, "a better buy than")) || (m = text_match(tw, i, tw->n, "better deal than"))) {
			kind = 3, split = i, end2 = i + m;
		} else if ((m = text_match(tw, i, tw->n, "compared to")) || (m = text_match(tw, i, tw->n, "compared with")) ||
			   (m = text_match(tw, i, tw->n, "versus")) || (m = text_match(tw, i, tw->n, "vs"))) {
			kind = 1, split = i, end2 = i + m;
		}
	}
	if (!kind) {
		int how = -1;
		for (int i = 0; i + 2 < tw->n; i++)
			if (text_match(tw, i, tw->n, "how much") &&
			    (text_is(tw, i + 2, "more") || text_is(tw, i + 2, "less") || text_is(tw, i + 2, "cheaper") ||
			     text_is(tw, i + 2, "pricier") || text_is(tw, i + 2, "dearer") || text_is(tw, i + 2, "extra")))
				how = i;
		for (int i = how + 3; how >= 0 && i < tw->n && !kind; i++)
			if (text_is(tw, i, "than"))
				kind = 1, split = i, end2 = i + 1, start = how + 3;
		for (int i = 0; i + 2 < tw->n && !kind; i++)
			if ((text_match(tw, i, tw->n, "price difference between") || text_match(tw, i, tw->n, "difference in price between"))) {
				start = i + (text_is(tw, i, "price") ? 3 : 4);
				for (int j = start + 1; j < tw->n && !kind; j++)
					if (text_is(tw, j, "and"))
						kind = 1, split = j, end2 = j + 1;
			}
	}
	if (!kind) {
		free(tw);
		return 0;
	}
	cJSON *x = compared_product(t, tw, start, split, NULL, 0, 0);
	/* what the second borrows from the first: its head noun ("the tunebox ones"), or
	 * for a deal by size every word but the size ("the 12 oz one") */
	char more[UND_ITEM_WORDS][TEXT_WORD_LEN];
	int nmore = 0;
	for (int i = split - 1; x && i >= start && nmore < UND_ITEM_WORDS && (kind == 3 || !nmore); i--) {
		if (lex_is_stopword(tw->w[i]) || !resolve_known_word(t, tw->w[i]) || text_is(tw, i, "one") ||
		    text_is(tw, i, "ones") || text_is(tw, i, "bag") || text_is_digits(tw->w[i]) ||
		    lex_size_unit(tw->w[i]) || text_is(tw, i, "the") || text_is(tw, i, "is") || text_is(tw, i, "are"))
			continue;
		if (match_mentions(x, tw->w[i]))
			snprintf(more[nmore++], TEXT_WORD_LEN, "%s", tw->w[i]);
	}
	cJSON *y = x ? compared_product(t, tw, end2, tw->n, more, nmore, dlg_id(x)) : NULL;
	free(tw);
	if (!x || !y) {
		cJSON_Delete(x);
		cJSON_Delete(y);
		return 0;
	}
	char tx[160], ty[160], px[96], py[96], d[96];
	int64_t cx = dlg_int(x, "price_cents", 0), cy = dlg_int(y, "price_cents", 0);
	reply_title(x, tx, sizeof tx);
	reply_title(y, ty, sizeof ty);
	reply_money(cx, dlg_str(x, "currency"), px, sizeof px);
	reply_money(cy, dlg_str(y, "currency"), py, sizeof py);
	reply_money(cx > cy ? cx - cy : cy - cx, dlg_str(x, "currency"), d, sizeof d);
	double sx = dlg_size_of(x), sy = dlg_size_of(y);
	if (kind == 3 && sx > 0 && sy > 0) {
		/* what a unit costs in each: the bigger pack is not always the better deal */
		double ux = cx / sx, uy = cy / sy;
		reply_say(&t->r, "The %s is %s and the %s is %s. For the amount, the %s is the better deal.", tx, px, ty,
			  py, ux <= uy ? tx : ty);
	} else if (cx == cy) {
		reply_say(&t->r, "%s: the %s and the %s are both %s.", kind == 2 ? "Yes" : "The same price", tx, ty, px);
	} else {
		reply_say(&t->r, "%sThe %s is %s and the %s is %s, so the %s costs %s more.", kind == 2 ? "No. " : "",
			  tx, px, ty, py, cx > cy ? tx : ty, d);
	}
	cJSON *both = cJSON_CreateArray();
	cJSON_AddItemToArray(both, x);
	cJSON_AddItemToArray(both, y);
	dlg_show(t, both, 0);
	dlg_focus(t, both);
	cJSON_Delete(both);
	t->main = UND_PRICE;
	return 1;
}

/* 1 when stems of a and b are equal. */
static int same_stem(const char *a, const char *b)
{
	char sa[TEXT_WORD_LEN], sb[TEXT_WORD_LEN];
	match_stem(a, sa, sizeof sa);
	match_stem(b, sb, sizeof sb);
	return !strcmp(sa, sb);
}

int act_measure(struct turn *t, const char *text)
{
	static const char *const lasting[] = { "hours", "hour", "minutes", "days", "battery", "life",
		"playback", "play", "playtime", "charge" };
	static const char *const sizing[] = { "oz", "ounce", "ounces", "lb", "lbs", "pound", "pounds", "ml",
		"liter", "litre", "cup", "cups", "inch", "inches", "size", "meter", "gallon", "kg", "g" };
	struct text_words *tw = malloc(sizeof *tw);
	if (!tw)
		return 0;
	und_clean(text, tw);
	int i0 = -1, kind = 0;	/* 1 how many, 2 how long, 3 how big */
	for (int i = 0; i + 1 < tw->n && i0 < 0; i++) {
		if (!text_is(tw, i, "how"))
			continue;
		kind = text_is(tw, i + 1, "many") ? 1 : text_is(tw, i + 1, "long") ? 2 :
		       (text_is(tw, i + 1, "big") || text_is(tw, i + 1, "large") || text_is(tw, i + 1, "heavy")) ? 3 : 0;
		if (kind)
			i0 = i;
	}
	/* "how many are left", "how many do I have in my cart": stock and the cart */
	for (int i = 0; i < tw->n && i0 >= 0; i++)
		if (text_is(tw, i, "left") || text_is(tw, i, "stock") || text_is(tw, i, "available") ||
		    lex_is_cart_word(tw->w[i]) || text_match(tw, i, tw->n, "do i have") ||
		    text_match(tw, i, tw->n, "have i got") || text_match(tw, i, tw->n, "did i") ||
		    text_match(tw, i, tw->n, "do you have") || text_is(tw, i, "order") || text_is(tw, i, "ordered"))
			i0 = -1;
	if (i0 < 0) {
		free(tw);
		return 0;
	}
	/* the words asked about ("bananas", "battery") and those naming the product */
	char attrs[8][TEXT_WORD_LEN];
	int nattrs = 0;
	struct und_item it = { .ref = UND_REF_WORDS };
	if (kind == 1 && i0 + 2 < tw->n)
		snprintf(attrs[nattrs++], TEXT_WORD_LEN, "%s", tw->w[i0 + 2]);
	for (int i = 0; i < tw->n; i++) {
		if (i >= i0 && i <= i0 + 1)
			continue;
		const char *w = tw->w[i];
		if (lex_is_stopword(w) || lex_is_common(w) || text_is(tw, i, "come") || text_is(tw, i, "last") ||
		    text_is(tw, i, "lasts") || text_is(tw, i, "your"))
			continue;
		if (resolve_known_word(t, w) && it.nwords < UND_ITEM_WORDS)
			memcpy(it.words[it.nwords++], w, TEXT_WORD_LEN);
		else if (nattrs < 8)
			snprintf(attrs[nattrs++], TEXT_WORD_LEN, "%s", w);
	}
	free(tw);
	if (it.nwords == 0)
		return 0;
	struct resolution res;
	resolve_item(t, &it, RES_CATALOG, &res);
	if ((res.status != RES_OK && res.status != RES_AMBIGUOUS) || *res.missing ||
	    cJSON_GetArraySize(res.products) == 0) {
		resolve_free(&res);
		return 0;
	}
	const cJSON *p = cJSON_GetArrayItem(res.products, 0);
	/* the sentence of its title or description with a number about it */
	char best[512] = "";
	int best_score = 0;
	const char *texts[2] = { dlg_str(p, "title"), dlg_str(p, "description") };
	for (int k = 0; k < 2; k++) {
		const char *s = texts[k] ? texts[k] : "";
		while (*s) {
			const char *e = strstr(s, ". ");
			size_t n = e ? (size_t)(e - s + 1) : strlen(s);
			char sent[512];
			snprintf(sent, sizeof sent, "%.*s", (int)(n < sizeof sent ? n : sizeof sent - 1), s);
			struct text_words sw;
			text_split(sent, &sw);
			int num = 0, about = 0;
			for (int i = 0; i < sw.n; i++) {
				num |= text_is_digits(sw.w[i]) || strchr(sw.w[i], '.') || num_word(sw.w[i]) > 1;
				for (int a = 0; a < nattrs; a++)
					about |= same_stem(sw.w[i], attrs[a]);
				for (size_t a = 0; kind == 2 && a < sizeof lasting / sizeof *lasting; a++)
					about |= text_is(&sw, i, lasting[a]);
				for (size_t a = 0; kind == 3 && a < sizeof sizing / sizeof *sizing; a++)
					about |= text_is(&sw, i, sizing[a]);
			}
			int score = num * 2 + about * 3;
			if (num && score > best_score && k == 1) {
				best_score = score;
				snprintf(best, sizeof best, "%s", sent);
			}
			s += n;
			while (*s == ' ')
				s++;
		}
	}
	char title[160];
	reply_title(p, title, sizeof title);
	t->main = UND_INFO;
	if (best_score >= 5) {
		size_t l = strlen(best);
		reply_say(&t->r, "The %s: %s%s", title, best, l && best[l - 1] == '.' ? "" : ".");
	} else {
		resolve_free(&res);
		return 0;	/* nothing measured: the usual answer about the product */
	}
	dlg_action(t, "product.show", NULL, cJSON_Duplicate(p, 1));
	dlg_focus_one(t, dlg_id(p));
	cJSON *one = cJSON_CreateArray();
	cJSON_AddItemToArray(one, cJSON_Duplicate(p, 1));
	dlg_show(t, one, 0);
	cJSON_Delete(one);
	resolve_free(&res);
	return 1;
}

/* The sum of price x quantity over cart lines (product-shaped, with "quantity"). */
static int64_t lines_sum(const cJSON *lines)
{
	int64_t sum = 0;
	const cJSON *p;
	cJSON_ArrayForEach(p, lines)
		sum += dlg_int(p, "price_cents", 0) * dlg_int(p, "quantity", 1);
	return sum;
}

/* Words of a cart question that may name what in the cart it is about: no function
 * word, no word of the question itself ("how much", "together", "half"). */
static int question_word(const char *w)
{
	static const char *const words[] = { "come", "comes", "coming", "came", "total", "totals", "owe",
		"pay", "paying", "spend", "spending", "spent", "run", "set", "back", "worth", "together",
		"altogether", "whole", "overall", "combined", "everything", "cost", "costs", "costing",
		"price", "priced", "expensive", "cheap", "cheapest", "priciest", "dearest", "most", "least",
		"share", "split", "splitting", "half", "halves", "third", "quarter", "ways", "roommate",
		"flatmate", "housemate", "partner", "friend", "mate", "would", "if", "were", "added",
		"adding", "bought", "buying", "get", "gets", "getting", "reach", "hit", "more", "far",
		"short", "away", "need", "needs", "sum", "were", "be", "been", "being", "put", "exactly" };
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (!strcmp(w, words[i]))
			return 1;
	return lex_is_stopword(w) || lex_is_whole_word(w) || lex_is_cart_word(w);
}

static void say_money(struct turn *t, int64_t cents, char *out, size_t len)
{
	reply_money(cents, t->cart ? dlg_str(t->cart, "currency") : NULL, out, len);
}

int act_cart_question(struct turn *t, const struct und_result *r, const char *text)
{
	for (int c = 0; c < r->n; c++) {
		enum und_intent in = r->cmd[c].intent;
		if ((in == UND_ADD && !r->cmd[c].soft) || in == UND_REMOVE || in == UND_SET || in == UND_LESS ||
		    in == UND_CLEAR_CART || in == UND_CHECKOUT || in == UND_CANCEL_ORDER || in == UND_ORDER_STATUS)
			return 0;
	}
	struct text_words *tw = malloc(sizeof *tw);
	if (!tw)
		return 0;
	und_clean(text, tw);
	int n = tw->n;
	int how_much = 0, what = 0, money_verb = 0, would = 0, share = 0, more = 0, cartref = 0;
	int whole = 0, repeat = 0, dir = 0, which = 0, content = 0;
	int64_t target = -1;
	for (int i = 0; i < n; i++) {
		const char *w = tw->w[i];
		how_much |= text_match(tw, i, n, "how much") > 0;
		what |= !strcmp(w, "what") || !strcmp(w, "whats");
		which |= !strcmp(w, "which") || !strcmp(w, "what") || !strcmp(w, "whats");
		money_verb |= !strcmp(w, "cost") || !strcmp(w, "costs") || !strcmp(w, "come") || !strcmp(w, "comes") ||
			      !strcmp(w, "coming") || !strcmp(w, "total") || !strcmp(w, "owe") || !strcmp(w, "pay");
		would |= !strcmp(w, "would") || !strcmp(w, "if");
		more |= !strcmp(w, "more") || !strcmp(w, "far") || !strcmp(w, "short");
		cartref |= lex_is_cart_word(w) || text_match(tw, i, n, "in there") || text_match(tw, i, n, "i have") ||
			   text_match(tw, i, n, "i got") || text_match(tw, i, n, "have i got") ||
			   text_match(tw, i, n, "i have got") || text_match(tw, i, n, "i picked");
		whole |= lex_is_whole_word(w);
		if (lex_repeat_at(tw, i, n))
			repeat = 1;
		if (!share && (share = lex_share_of(tw, i, n)) != 0 && i + 1 < n &&
		    (text_is(tw, i + 1, "a") || text_is(tw, i + 1, "an") || text_is(tw, i + 1, "dozen") ||
		     text_is(tw, i + 1, "price") || text_is(tw, i + 1, "off") || lex_size_unit(tw->w[i + 1])))
			share = 0;	/* "half a dozen", "half price", "a quarter pound" */
		if (!strcmp(w, "most") || !strcmp(w, "priciest") || !strcmp(w, "dearest"))
			dir = 1;
		else if (!strcmp(w, "cheapest") || !strcmp(w, "least"))
			dir = -1;
		if (target < 0 && (!strcmp(w, "to") || !strcmp(w, "reach") || !strcmp(w, "hit") || !strcmp(w, "of"))) {
			int64_t cents;
			if (price_parse_amount(tw, i + 1, n, 1, &cents) && cents > 0)
				target = cents;
		}
	}
	int asks = how_much || (what && money_verb);
	struct buddy_state *st = t->st;
	/* the words no "say that again" covers */
	for (int i = 0; repeat && i < n;) {
		int len = lex_repeat_at(tw, i, n);
		if (len) {
			i += len;
			continue;
		}
		content += !lex_is_stopword(tw->w[i]);
		i++;
	}

	/* "sorry, what was it again?": the last answer, again */
	if (repeat && content == 0 && *st->last_reply) {
		free(tw);
		reply_say(&t->r, "%s", st->last_reply);
		if (st->pending != DLG_PENDING_NONE) {
			st->pending_turn = st->turn;
			t->asked = 1;
		}
		t->main = st->last_intent;
		return 1;
	}
	int kind = 0;
	if (share > 0 && (asks || what))
		kind = 's';
	else if (more && target > 0 && (asks || what))
		kind = 'r';
	else if (dir && cartref && (which || asks))
		kind = 'x';
	else if (would && asks)
		kind = 'w';
	else if (asks && whole)
		kind = 'd';
	else if (asks && st->last.kind == DLG_LAST_ADD && st->last.turn == st->turn - 1 &&
		 !(st->batch_turn == st->turn - 1 && st->nbatch > 1) && !strstr(text, "so far"))
		kind = 'l';	/* (after several were added, "how much is that" is the total) */
	free(tw);
	if (!kind)
		return 0;
	if (cart_total(t) < 0)
		return 0;
	int64_t total = dlg_int(t->cart, "subtotal_cents", 0);
	cJSON *lines = kind == 'd' || kind == 'x' ? resolve_cart_full(t) : dlg_cart_as_products(t->cart);
	int nlines = cJSON_GetArraySize(lines);
	char a[96], b[96], c3[96], title[160], cnt[64];
	int done = 0;
	/* the product words said, as one item (the first one that names something) */
	const struct und_item *named = NULL;
	for (int c = 0; c < r->n && !named; c++)
		for (int i = 0; i < r->cmd[c].nitems && !named; i++)
			if (r->cmd[c].items[i].ref == UND_REF_WORDS && r->cmd[c].items[i].nwords > 0)
				named = &r->cmd[c].items[i];
	switch (kind) {
	case 's':	/* "how much is my half" */
		if (nlines == 0)
			break;
		say_money(t, total, a, sizeof a);
		say_money(t, (total * 2 + share) / (2 * share), b, sizeof b);
		if (share == 2)
			reply_say(&t->r, "Your total is %s, so half is %s.", a, b);
		else if (share == 3 || share == 4)
			reply_say(&t->r, "Your total is %s, so a %s is %s.", a, share == 3 ? "third" : "quarter", b);
		else {
			reply_count(share, cnt, sizeof cnt);
			reply_say(&t->r, "Your total is %s, so split %s ways it is %s each.", a, cnt, b);
		}
		done = 1;
		break;
	case 'r':	/* "how much more to get to 25 dollars" */
		say_money(t, total, a, sizeof a);
		say_money(t, target, b, sizeof b);
		if (total < target) {
			say_money(t, target - total, c3, sizeof c3);
			reply_say(&t->r, "Your cart comes to %s, so you need %s more to reach %s.", a, c3, b);
		} else {
			reply_say(&t->r, "Your cart already comes to %s, so you're past %s.", a, b);
		}
		done = 1;
		break;
	case 'x': {	/* "which thing in my cart costs the most" */
		const cJSON *best = NULL, *p;
		cJSON_ArrayForEach(p, lines)
			if (!best || (dir > 0 ? dlg_int(p, "price_cents", 0) > dlg_int(best, "price_cents", 0) :
				      dlg_int(p, "price_cents", 0) < dlg_int(best, "price_cents", 0)))
				best = p;
		if (!best) {
			reply_say(&t->r, "Your cart is empty.");
			done = 1;
			break;
		}
		reply_title(best, title, sizeof title);
		reply_price_of(best, a, sizeof a);
		reply_say(&t->r, "The %s thing in your cart is the %s, at %s.", dir > 0 ? "most expensive" : "cheapest",
			  title, a);
		dlg_focus_one(t, dlg_id(best));
		done = 1;
		break;
	}
	case 'w': {	/* "what would 12 mugs come to", "if I added the kettle, what's my total" */
		if (!named)
			break;
		struct resolution res;
		resolve_item(t, named, RES_CATALOG, &res);
		if (res.status == RES_OK && cJSON_GetArraySize(res.products) == 1) {
			const cJSON *p = cJSON_GetArrayItem(res.products, 0);
			int qty = named->qty > 0 ? named->qty : 1;
			int64_t cost = dlg_int(p, "price_cents", 0) * qty;
			reply_title(p, title, sizeof title);
			say_money(t, cost, a, sizeof a);
			int with_cart = nlines > 0 && (cartref || strstr(text, "total") || strstr(text, "Total"));
			if (with_cart) {
				say_money(t, total + cost, b, sizeof b);
				reply_say(&t->r, "With %s your total would come to %s.", title, b);
			} else if (qty > 1) {
				reply_count(qty, cnt, sizeof cnt);
				reply_price_of(p, b, sizeof b);
				reply_say(&t->r, "%s %s would come to %s, at %s each.", cnt, title, a, b);
			} else {
				reply_say(&t->r, "The %s would be %s.", title, a);
			}
			dlg_focus_one(t, dlg_id(p));
			t->st->info_turn = t->st->turn;
			done = 1;
		}
		resolve_free(&res);
		break;
	}
	case 'd': {	/* "how much is all the fruit together", "how much is all this" */
		struct und_item it = { .ref = UND_REF_WORDS };
		if (named) {
			for (int i = 0; i < named->nwords && it.nwords < UND_ITEM_WORDS; i++)
				if (!question_word(named->words[i]))
					snprintf(it.words[it.nwords++], TEXT_WORD_LEN, "%s", named->words[i]);
		}
		int known = 0;
		for (int i = 0; i < it.nwords; i++)
			known |= resolve_known_word(t, it.words[i]);
		if (!known || nlines == 0) {
			/* nothing the catalog sells was named: the whole cart ("all the gift stuff") */
			say_money(t, total, a, sizeof a);
			int units = (int)dlg_int(t->cart, "item_count", nlines);
			reply_count(units, cnt, sizeof cnt);
			if (nlines == 0)
				reply_say(&t->r, "Your cart is empty.");
			else
				reply_say(&t->r, "Your total is %s for %s item%s.", a, cnt, units == 1 ? "" : "s");
			t->total_said = 1;
			t->main = UND_CART_TOTAL;
			done = 1;
			break;
		}
		struct match_query q;
		char missing[128];
		resolve_query(t, &it, &q, missing, sizeof missing);
		cJSON *sub = cJSON_CreateArray();
		const cJSON *p;
		cJSON_ArrayForEach(p, lines) {
			double cov = 0;
			if (q.n > 0 && (match_score(&q, p, &cov), cov >= 0.6))
				cJSON_AddItemToArray(sub, cJSON_Duplicate(p, 1));
		}
		if (cJSON_GetArraySize(sub) > 0) {
			char said[160] = "";
			for (int i = 0; i < it.nwords; i++)
				snprintf(said + strlen(said), sizeof said - strlen(said), "%s%s", i ? " " : "", it.words[i]);
			say_money(t, lines_sum(sub), a, sizeof a);
			reply_say(&t->r, "The %s in your cart come%s to %s.", said,
				  cJSON_GetArraySize(sub) == 1 && dlg_int(cJSON_GetArrayItem(sub, 0), "quantity", 1) == 1 ?
				  "s" : "", a);
			dlg_focus(t, sub);
			t->total_said = 1;
			t->main = UND_CART_TOTAL;
			done = 1;
		}
		cJSON_Delete(sub);
		break;
	}
	case 'l': {	/* "what's that cost me" right after adding two */
		if (named)
			break;
		int qty = dlg_cart_qty(t->cart, st->last.id);
		const cJSON *p;
		cJSON_ArrayForEach(p, lines) {
			if (dlg_id(p) != st->last.id || qty < 2)
				continue;
			reply_title(p, title, sizeof title);
			reply_count(qty, cnt, sizeof cnt);
			say_money(t, dlg_int(p, "price_cents", 0) * qty, a, sizeof a);
			reply_price_of(p, b, sizeof b);
			reply_say(&t->r, "Your %s %s come to %s, at %s each.", cnt, title, a, b);
			dlg_focus_one(t, dlg_id(p));
			done = 1;
			break;
		}
		break;
	}
	}
	cJSON_Delete(lines);
	if (done && t->main == UND_NONE)
		t->main = UND_CART_TOTAL;
	/* a question asked while the checkout waits for its yes: it is asked again */
	if (done && t->checkout_asked && !t->changed_cart) {
		reply_say(&t->r, "Shall I place the order?");
		dlg_ask(t, DLG_PENDING_CHECKOUT);
	}
	return done;
}
