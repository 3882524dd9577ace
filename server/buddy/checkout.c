/*
 * checkout.c - the buddy's two-step checkout.
 *
 * Step one (act_checkout) only reads: the cart total, the default saved card (brand
 * and last four digits) and the shipping city, says them, and asks "Shall I place
 * the order?".  When something is missing (no card, no address, empty cart) it says
 * what instead of failing.  Step two (act_place_order) runs only when the next turn
 * confirms; it re-reads the cart and asks again if the total changed in between.
 */
#include <stdio.h>
#include <string.h>

#include "buddy/dialogue.h"


/* "4242" -> "four two four two": card digits are read one by one. */
static void spell_digits(const char *digits, char *out, size_t len)
{
	static const char *const names[] = { "zero", "one", "two", "three", "four", "five", "six",
		"seven", "eight", "nine" };
	size_t o = 0;
	out[0] = '\0';
	for (const char *p = digits; *p && o + 8 < len; p++)
		if (*p >= '0' && *p <= '9')
			o += (size_t)snprintf(out + o, len - o, "%s%s", o ? " " : "", names[*p - '0']);
}

const cJSON *buddy_default_card(const cJSON *info)
{
	const cJSON *pm, *first = NULL;
	cJSON_ArrayForEach(pm, cJSON_GetObjectItemCaseSensitive(info, "payment_methods")) {
		if (!first)
			first = pm;
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pm, "is_default")))
			return pm;
	}
	return first;
}

static const cJSON *address_of(const cJSON *info)
{
	const cJSON *user = cJSON_GetObjectItemCaseSensitive(info, "user");
	const cJSON *addr = cJSON_GetObjectItemCaseSensitive(user, "shipping_address");
	return cJSON_IsObject(addr) ? addr : NULL;
}

static cJSON *fresh_cart(struct turn *t)
{
	cJSON *cart = NULL;
	ERRBUF;
	int rc = t->tools->cart_view(t->tools->ctx, &cart, code, msg);
	if (rc != 0 || !cart) {
		cJSON_Delete(cart);
		dlg_tool_failed(t, rc ? rc : 500, code, msg);
		return NULL;
	}
	return cart;
}

/* Says the total, card and city and asks; 0 when the question was asked. */
static int ask_to_place(struct turn *t, const cJSON *cart)
{
	struct buddy_state *st = t->st;
	cJSON *info = NULL;
	ERRBUF;
	int rc = t->tools->checkout_info(t->tools->ctx, &info, code, msg);
	if (rc != 0 || !info) {
		cJSON_Delete(info);
		dlg_tool_failed(t, rc ? rc : 500, code, msg);
		return -1;
	}
	const cJSON *card = buddy_default_card(info), *addr = address_of(info);
	if (!card || !addr) {
		/* "what would I pay if I checked out now?": the total is answered either way */
		if (!(t->total_said && !t->changed_cart)) {
			char sum[96], n[64];
			int units = (int)dlg_int(cart, "item_count", 1);
			reply_money(dlg_int(cart, "subtotal_cents", 0), dlg_str(cart, "currency"), sum, sizeof sum);
			reply_count(units, n, sizeof n);
			reply_say(&t->r, "Your total is %s for %s item%s.", sum, n, units == 1 ? "" : "s");
		}
		if (!card && !addr)
			reply_say(&t->r, "I can't place the order yet: you have no saved card and no shipping address.");
		else if (!card)
			reply_say(&t->r, "I can't place the order yet: you have no saved card.");
		else
			reply_say(&t->r, "I can't place the order yet: you have no shipping address saved.");
		reply_say(&t->r, "Please add %s in your account, then ask me to check out again.",
			  !card && !addr ? "them" : !card ? "a card" : "an address");
		cJSON_Delete(info);
		return -1;
	}
	char money[96], count[64], last4[64], brand[64];
	int64_t total = dlg_int(cart, "subtotal_cents", 0);
	int units = (int)dlg_int(cart, "item_count", 1);
	reply_money(total, dlg_str(cart, "currency"), money, sizeof money);
	reply_count(units, count, sizeof count);
	spell_digits(dlg_str(card, "last4"), last4, sizeof last4);
	snprintf(brand, sizeof brand, "%s", *dlg_str(card, "brand") ? dlg_str(card, "brand") : "card");
	if (brand[0] >= 'a' && brand[0] <= 'z')
		brand[0] = (char)(brand[0] - 'a' + 'A');
	const char *city = dlg_str(addr, "city");
	if (t->total_said && !t->changed_cart)	/* "what's my total before i check out?" */
		reply_say(&t->r, "It will be charged to your %s ending in %s and shipped to %s.",
			  brand, last4, *city ? city : "your saved address");
	else
		reply_say(&t->r, "Your total is %s for %s item%s, charged to your %s ending in %s, shipped to %s.",
			  money, count, units == 1 ? "" : "s", brand, last4, *city ? city : "your saved address");
	reply_say(&t->r, "Shall I place the order?");
	st->pending_total = total;
	st->pending_pm = dlg_id(card);
	dlg_ask(t, DLG_PENDING_CHECKOUT);
	cJSON_Delete(info);
	return 0;
}

void act_checkout(struct turn *t)
{
	cJSON *cart = fresh_cart(t);
	if (!cart)
		return;
	dlg_set_cart(t, cart);
	if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(cart, "items")) == 0) {
		reply_say(&t->r, "Your cart is empty, so there's nothing to check out yet.");
		return;
	}
	ask_to_place(t, cart);
}

static const char *status_words(const char *status)
{
	if (!strcmp(status, "paid"))
		return "paid";
	if (!strcmp(status, "pending_payment"))
		return "waiting for payment";
	return status;
}

void act_place_order(struct turn *t)
{
	struct buddy_state *st = t->st;
	cJSON *cart = fresh_cart(t);
	if (!cart)
		return;
	dlg_set_cart(t, cart);
	if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(cart, "items")) == 0) {
		reply_say(&t->r, "Your cart is empty now, so there's nothing to order.");
		return;
	}
	if (dlg_int(cart, "subtotal_cents", 0) != st->pending_total) {
		reply_say(&t->r, "Your cart changed since I asked.");
		ask_to_place(t, cart);
		return;
	}
	cJSON *order = NULL;
	ERRBUF;
	int rc = t->tools->checkout(t->tools->ctx, st->pending_pm, &order, code, msg);
	st->pending = DLG_PENDING_NONE;
	if (rc != 0 || !order) {
		cJSON_Delete(order);
		if (rc == 402)
			reply_say(&t->r, "Your card was declined%s%s. Nothing was charged and your cart is as it was.",
				  *msg ? ": " : "", msg);
		else if (rc == 409)
			reply_say(&t->r, "Sorry, something in your cart just ran out of stock%s%s.", *msg ? ": " : "", msg);
		else if (rc == 422)
			reply_say(&t->r, "I couldn't place the order%s%s.", *msg ? ": " : "", msg);
		else
			dlg_tool_failed(t, rc ? rc : 500, code, msg);
		return;
	}
	cJSON *args = cJSON_CreateObject();
	cJSON_AddNumberToObject(args, "payment_method_id", (double)st->pending_pm);
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(order, "order");
	if (!o)
		o = order;
	char money[96];
	reply_money(dlg_int(o, "total_cents", st->pending_total), dlg_str(o, "currency"), money, sizeof money);
	const cJSON *addr = cJSON_GetObjectItemCaseSensitive(o, "shipping_address");
	const char *city = dlg_str(addr, "city");
	reply_say(&t->r, "Done! Order %lld is placed and %s: %s.", (long long)dlg_id(o),
		  status_words(dlg_str(o, "status")), money);
	if (*city && !t->r.frustrated)
		reply_say(&t->r, "It will ship to %s.", city);
	st->last.kind = DLG_LAST_NONE;
	st->nfocus = 0;
	st->placed_id = dlg_id(o);
	st->placed_turn = st->turn;
	cJSON *result = cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(order, "order")) ? order : NULL;
	if (!result) {
		result = cJSON_CreateObject();
		cJSON_AddItemToObject(result, "order", order);
	}
	dlg_action(t, "checkout", args, result);
	t->changed_cart = 1;
	dlg_set_cart(t, cJSON_Parse("{\"items\":[],\"item_count\":0,\"subtotal_cents\":0}"));
}
