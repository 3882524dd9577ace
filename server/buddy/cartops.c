/*
 * cartops.c - the cart changes every action shares: adding a product (stock checked
 * first, an in-stock alternative offered when it is short), setting a line, and
 * reading the cart.  Below act_cart.c, act_shop.c, act_info.c and dialogue.c: it
 * calls no action.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buddy/dialogue.h"


cJSON *cartops_cart_result(const cJSON *cart)
{
	cJSON *r = cJSON_CreateObject();
	cJSON_AddItemToObject(r, "cart", cJSON_Duplicate(cart, 1));
	return r;
}

static cJSON *args_id_qty(int64_t id, int qty)
{
	cJSON *a = cJSON_CreateObject();
	cJSON_AddNumberToObject(a, "product_id", (double)id);
	if (qty >= 0)
		cJSON_AddNumberToObject(a, "quantity", qty);
	return a;
}

void cartops_refresh(struct turn *t)
{
	cJSON *cart = NULL;
	ERRBUF;
	if (t->tools->cart_view(t->tools->ctx, &cart, code, msg) == 0 && cart)
		dlg_set_cart(t, cart);
	else
		cJSON_Delete(cart);
}

/* Sets a line to qty (0 removes) and reports it.  Returns 0 on success. */
int cartops_set_line(struct turn *t, int64_t id, int qty)
{
	cJSON *cart = NULL;
	ERRBUF;
	int rc = qty > 0 ? t->tools->cart_set(t->tools->ctx, id, qty, &cart, code, msg)
			 : t->tools->cart_remove(t->tools->ctx, id, &cart, code, msg);
	if (rc != 0 || !cart) {
		cJSON_Delete(cart);
		if (rc == 409)
			reply_say(&t->r, "Sorry, we don't have that many in stock.");
		else
			dlg_tool_failed(t, rc ? rc : 500, code, msg);
		return -1;
	}
	dlg_action(t, qty > 0 ? "cart.set" : "cart.remove", args_id_qty(id, qty > 0 ? qty : -1),
		   cartops_cart_result(cart));
	dlg_set_cart(t, cart);
	t->changed_cart = 1;
	return 0;
}

/* "Shall I add it instead?": an in-stock product like p. */
static void offer_alternative(struct turn *t, const cJSON *p, int qty)
{
	struct buddy_search bs = { NULL, dlg_str(p, "category"), -1, -1, "relevance", 10 };
	cJSON *res = NULL;
	ERRBUF;
	if (!*bs.category || t->tools->search(t->tools->ctx, &bs, &res, code, msg) != 0 || !res) {
		cJSON_Delete(res);
		return;
	}
	const cJSON *alt, *best = NULL;
	cJSON_ArrayForEach(alt, cJSON_GetObjectItemCaseSensitive(res, "items")) {
		if (dlg_id(alt) != dlg_id(p) && dlg_int(alt, "stock", 1) >= qty) {
			best = alt;
			break;
		}
	}
	if (best) {
		char title[160], price[96];
		reply_title(best, title, sizeof title);
		reply_price_of(best, price, sizeof price);
		reply_say(&t->r, "We do have %s for %s.", title, price);
		dlg_question(t, "Shall I add that instead?");
		t->st->suggest_id = dlg_id(best);
		t->st->suggest_qty = qty;
		cJSON *shown = cJSON_CreateArray();
		cJSON_AddItemToArray(shown, cJSON_Duplicate(best, 1));
		dlg_show(t, shown, 0);
		cJSON_Delete(shown);
		dlg_focus_one(t, dlg_id(best));
		dlg_ask(t, DLG_PENDING_SUGGEST);
	}
	cJSON_Delete(res);
}

static void say_added(struct turn *t, const cJSON *p, int qty, int line_after, int more)
{
	char title[160], n[64];
	reply_title(p, title, sizeof title);
	reply_count(qty, n, sizeof n);
	if (more && line_after > qty) {
		char total[64];
		reply_count(line_after, total, sizeof total);
		reply_say(&t->r, "Added %s more %s. You now have %s.", n, title, total);
	} else if (qty == 1) {
		reply_say(&t->r, "Added %s to your cart.", title);
	} else {
		reply_say(&t->r, "Added %s %s to your cart.", n, title);
	}
}

void act_add_product(struct turn *t, const cJSON *p_in, int qty, int more)
{
	struct buddy_state *st = t->st;
	int64_t id = dlg_id(p_in);
	cJSON *full = NULL;
	const cJSON *p = p_in;
	ERRBUF;
	if (!cJSON_GetObjectItemCaseSensitive(p, "stock") &&
	    t->tools->product_get(t->tools->ctx, id, &full, code, msg) == 0 && full)
		p = full;
	if (!t->cart)
		cartops_refresh(t);
	int line = dlg_cart_qty(t->cart, id);
	int64_t stock = dlg_int(p, "stock", -1);
	char title[160];
	reply_title(p, title, sizeof title);
	dlg_focus_one(t, id);
	if (qty < 1)
		qty = 1;
	if (qty > 1000) {
		reply_say(&t->r, "That's a lot! I can add at most a thousand at a time.");
		goto out;
	}
	if (stock == 0) {
		reply_say(&t->r, "Sorry, %s is out of stock.", title);
		offer_alternative(t, p, qty);
		goto out;
	}
	if (stock > 0 && line + qty > stock) {
		int avail = (int)stock - line;
		char n[64], s[64];
		reply_count(qty, n, sizeof n);
		reply_count(stock, s, sizeof s);
		if (avail <= 0) {
			reply_say(&t->r, "You already have all %s %s we have in stock.", s, title);
		} else {
			char a[64];
			reply_count(avail, a, sizeof a);
			reply_say(&t->r, "Sorry, we only have %s %s left, not %s.", s, title, n);
			reply_say(&t->r, "Shall I add %s?", avail == (int)stock ? "all of them" : a);
			st->suggest_id = id;
			st->suggest_qty = avail;
			dlg_ask(t, DLG_PENDING_SUGGEST);
		}
		goto out;
	}
	cJSON *cart = NULL;
	int rc = t->tools->cart_add(t->tools->ctx, id, qty, &cart, code, msg);
	if (rc != 0 || !cart) {
		cJSON_Delete(cart);
		if (rc == 409) {
			reply_say(&t->r, "Sorry, we don't have enough %s in stock.", title);
			offer_alternative(t, p, qty);
		} else if (rc == 404) {
			reply_say(&t->r, "Sorry, %s is no longer available.", title);
		} else {
			dlg_tool_failed(t, rc ? rc : 500, code, msg);
		}
		goto out;
	}
	dlg_action(t, "cart.add", args_id_qty(id, qty), cartops_cart_result(cart));
	dlg_set_cart(t, cart);
	t->changed_cart = 1;
	st->last.kind = DLG_LAST_ADD;
	st->last.id = id;
	st->last.qty = qty;
	st->last.line_before = line;
	st->last.turn = st->turn;
	if (st->batch_turn != st->turn)
		st->nbatch = 0;
	st->batch_turn = st->turn;
	if (st->nbatch < DLG_MAX_FOCUS)
		st->batch[st->nbatch++] = (struct dlg_added){ id, qty, line };
	say_added(t, p, qty, dlg_cart_qty(t->cart, id), more || line > 0);
out:
	cJSON_Delete(full);
}

