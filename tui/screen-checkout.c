/*
 * screen-checkout.c - checkout: the card (a saved one or a new one), the address
 * (the saved one or a new one, optionally saved), the total, and a yes/no
 * confirmation before anything is charged.
 *
 * Placing an order is up to three requests in a row: a new card is added first
 * (POST /payment-methods), a new address saved when asked (PATCH /me), then
 * POST /orders with an Idempotency-Key that is made once per confirmed checkout and
 * kept until the order is placed, so retrying after a lost answer can never charge
 * twice.  The card number and CVC are wiped from the form once sent.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "rest.h"

enum { FC_CARD, FC_NUMBER, FC_EXP, FC_CVC, FC_ADDR, FC_NAME, FC_LINE1, FC_LINE2, FC_CITY,
       FC_POSTAL, FC_COUNTRY, FC_SAVE, FC_PLACE, FC_COUNT };

static const char *const yes_no[] = { "yes", "no" };

static void init_form(struct checkout_state *c)
{
	static const struct { int kind; const char *label; int maxlen; } spec[FC_COUNT] = {
		[FC_CARD] = { FORM_CHOICE, "Pay with", 0 },
		[FC_NUMBER] = { FORM_TEXT, "Card no.", 23 },
		[FC_EXP] = { FORM_TEXT, "Expiry MM/YY", 7 },
		[FC_CVC] = { FORM_SECRET, "CVC", 4 },
		[FC_ADDR] = { FORM_CHOICE, "Ship to", 0 },
		[FC_NAME] = { FORM_TEXT, "Name", 100 },
		[FC_LINE1] = { FORM_TEXT, "Address", 200 },
		[FC_LINE2] = { FORM_TEXT, "Line 2", 200 },
		[FC_CITY] = { FORM_TEXT, "City", 100 },
		[FC_POSTAL] = { FORM_TEXT, "Postal code", 20 },
		[FC_COUNTRY] = { FORM_TEXT, "Country", 60 },
		[FC_SAVE] = { FORM_CHOICE, "Save address", 0 },
		[FC_PLACE] = { FORM_BUTTON, "Place order", 0 },
	};
	for (int i = 0; i < FC_COUNT; i++)
		c->fields[i] = (struct form_field){ .kind = (enum form_kind)spec[i].kind,
						    .label = spec[i].label, .maxlen = spec[i].maxlen };
	c->fields[FC_SAVE].choices[0] = yes_no[0];
	c->fields[FC_SAVE].choices[1] = yes_no[1];
	c->fields[FC_SAVE].nchoices = 2;
	c->form = (struct form){ c->fields, FC_COUNT, 0 };
}

void checkout_free(struct app *a)
{
	cJSON_Delete(a->checkout.cards);
	a->checkout.cards = NULL;
}

void checkout_reset(struct app *a)
{
	struct checkout_state *c = &a->checkout;
	checkout_free(a);
	memset(c, 0, sizeof *c);
	init_form(c);
}

int checkout_half_done(const struct app *a)
{
	const struct checkout_state *c = &a->checkout;
	return c->open && (c->dirty || c->busy || a->screen == SCREEN_CHECKOUT);
}

static const cJSON *saved_address(const struct app *a)
{
	const cJSON *addr = cJSON_GetObjectItemCaseSensitive(a->me, "shipping_address");
	return cJSON_IsObject(addr) && json_str(addr, "line1")[0] ? addr : NULL;
}

/* Rebuilds the card and address choices from the cards and the user. */
static void refresh_choices(struct app *a)
{
	struct checkout_state *c = &a->checkout;
	struct form_field *card = &c->fields[FC_CARD], *addr = &c->fields[FC_ADDR];
	int old = card->choice, had = card->nchoices;
	int def = -1, n = 0;
	const cJSON *pm;
	cJSON_ArrayForEach(pm, c->cards)
	{
		if (n >= CARD_CHOICES - 1)
			break;
		snprintf(c->card_labels[n], sizeof c->card_labels[n], "%s ending %s, %02lld/%lld%s",
			 json_str(pm, "brand"), json_str(pm, "last4"),
			 (long long)json_int(pm, "exp_month"), (long long)json_int(pm, "exp_year") % 100,
			 json_bool(pm, "is_default") ? " (default)" : "");
		card->choices[n] = c->card_labels[n];
		if (json_bool(pm, "is_default") || (c->pending_card_id && json_int(pm, "id") == c->pending_card_id))
			def = n;
		n++;
	}
	card->choices[n++] = "New card";
	card->nchoices = n;
	card->choice = had == n && old < n ? old : (def >= 0 ? def : 0);

	const cJSON *saved = saved_address(a);
	int ahad = addr->nchoices, aold = addr->choice;
	addr->nchoices = 0;
	if (saved) {
		snprintf(c->address_label, sizeof c->address_label, "%s, %s, %s %s", json_str(saved, "name"),
			 json_str(saved, "line1"), json_str(saved, "postal_code"), json_str(saved, "city"));
		addr->choices[addr->nchoices++] = c->address_label;
	}
	addr->choices[addr->nchoices++] = "New address";
	addr->choice = ahad == addr->nchoices ? aold : 0;
}

static void update_hidden(struct checkout_state *c)
{
	int new_card = c->fields[FC_CARD].choice == c->fields[FC_CARD].nchoices - 1;
	int new_addr = c->fields[FC_ADDR].choice == c->fields[FC_ADDR].nchoices - 1;
	for (int i = FC_NUMBER; i <= FC_CVC; i++)
		c->fields[i].hidden = !new_card;
	for (int i = FC_NAME; i <= FC_SAVE; i++)
		c->fields[i].hidden = !new_addr;
}

void checkout_refresh(struct app *a)
{
	if (!a->checkout.open)
		return;
	refresh_choices(a);
	update_hidden(&a->checkout);
}

void checkout_open(struct app *a)
{
	struct checkout_state *c = &a->checkout;
	if (!c->open) {
		checkout_reset(a);
		c->open = 1;
		if (a->me)
			form_field_set(&c->fields[FC_NAME], json_str(a->me, "name"));
	}
	refresh_choices(a);
	update_hidden(c);
	app_set_screen(a, SCREEN_CHECKOUT);
	app_request(a, TAG_CARDS, "GET", "/api/v1/payment-methods");
	app_request(a, TAG_ME, "GET", "/api/v1/me");
	cart_load(a);
	if (cart_item_count(a) == 0 && a->cart_st.cart)
		app_status(a, 1, "Your cart is empty: add something first.");
}

static int card_index(const struct checkout_state *c)
{
	return c->fields[FC_CARD].choice;
}

static int new_card(const struct checkout_state *c)
{
	return c->fields[FC_CARD].choice == c->fields[FC_CARD].nchoices - 1;
}

static int new_address(const struct checkout_state *c)
{
	return c->fields[FC_ADDR].choice == c->fields[FC_ADDR].nchoices - 1;
}

static void text_of(const struct checkout_state *c, int i, char *buf, size_t len)
{
	form_field_utf8(&c->fields[i], buf, len);
}

static cJSON *address_json(const struct checkout_state *c)
{
	static const struct { int field; const char *key; } map[] = {
		{ FC_NAME, "name" }, { FC_LINE1, "line1" }, { FC_LINE2, "line2" },
		{ FC_CITY, "city" }, { FC_POSTAL, "postal_code" }, { FC_COUNTRY, "country" },
	};
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
		char buf[256];
		text_of(c, map[i].field, buf, sizeof buf);
		if (buf[0] || map[i].field != FC_LINE2)
			cJSON_AddStringToObject(o, map[i].key, buf);
	}
	return o;
}

/* Says what is wrong with field i and focuses it; the message goes once it is edited. */
static int field_error(struct app *a, int i)
{
	a->checkout.error_field = i + 1;
	form_focus(&a->checkout.form, i);
	return -1;
}

/* Checks the new card and address; -1 after focusing the bad field. */
static int validate(struct app *a)
{
	struct checkout_state *c = &a->checkout;
	char buf[64];
	if (new_card(c)) {
		text_of(c, FC_NUMBER, buf, sizeof buf);
		int digits = 0;
		for (char *p = buf; *p; p++)
			digits += isdigit((unsigned char)*p) ? 1 : 0;
		if (digits < 12 || digits > 19) {
			app_status(a, 1, "Card number: 12 to 19 digits, please.");
			return field_error(a, FC_NUMBER);
		}
		int mm = 0, yy = 0;
		text_of(c, FC_EXP, buf, sizeof buf);
		if (sscanf(buf, "%d/%d", &mm, &yy) != 2 || mm < 1 || mm > 12 || yy < 0) {
			app_status(a, 1, "Expiry: month/year, like 12/29.");
			return field_error(a, FC_EXP);
		}
		text_of(c, FC_CVC, buf, sizeof buf);
		if (strlen(buf) < 3) {
			app_status(a, 1, "CVC: the 3 or 4 digits on the back of the card.");
			return field_error(a, FC_CVC);
		}
	}
	if (new_address(c)) {
		static const int need[] = { FC_NAME, FC_LINE1, FC_CITY, FC_POSTAL, FC_COUNTRY };
		for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
			if (c->fields[need[i]].len == 0) {
				app_status(a, 1, "%s is needed for the delivery.", c->fields[need[i]].label);
				return field_error(a, need[i]);
			}
		}
	}
	return 0;
}

static void place_order(struct app *a, int64_t card_id)
{
	struct checkout_state *c = &a->checkout;
	struct worker_job *job = app_job(a, TAG_ORDER_PLACE, "POST", "/api/v1/orders");
	if (!job)
		return;
	job->body = cJSON_CreateObject();
	if (card_id > 0)
		cJSON_AddNumberToObject(job->body, "payment_method_id", (double)card_id);
	if (new_address(c))
		cJSON_AddItemToObject(job->body, "shipping_address", address_json(c));
	memcpy(job->idempotency_key, c->idem, sizeof job->idempotency_key);
	c->busy = 1;
	app_submit(a, job);
	app_status(a, 0, "Placing the order...");
}

static void add_card(struct app *a)
{
	struct checkout_state *c = &a->checkout;
	char num[64], exp[16], cvc[8], digits[32];
	int mm = 0, yy = 0, k = 0;
	text_of(c, FC_NUMBER, num, sizeof num);
	text_of(c, FC_EXP, exp, sizeof exp);
	text_of(c, FC_CVC, cvc, sizeof cvc);
	for (char *p = num; *p && k < 31; p++)
		if (isdigit((unsigned char)*p))
			digits[k++] = *p;
	digits[k] = 0;
	sscanf(exp, "%d/%d", &mm, &yy);
	if (yy < 100)
		yy += 2000;
	struct worker_job *job = app_job(a, TAG_CARD_ADD, "POST", "/api/v1/payment-methods");
	if (job) {
		job->body = cJSON_CreateObject();
		cJSON_AddStringToObject(job->body, "card_number", digits);
		cJSON_AddNumberToObject(job->body, "exp_month", mm);
		cJSON_AddNumberToObject(job->body, "exp_year", yy);
		cJSON_AddStringToObject(job->body, "cvc", cvc);
		c->busy = 1;
		app_submit(a, job);
		app_status(a, 0, "Adding the card...");
	}
	explicit_bzero(num, sizeof num);
	explicit_bzero(digits, sizeof digits);
	explicit_bzero(cvc, sizeof cvc);
}

static void confirmed(struct app *a, int yes)
{
	struct checkout_state *c = &a->checkout;
	if (!yes) {
		app_status(a, 0, "Not ordered.");
		return;
	}
	if (!c->idem[0])
		rest_new_idempotency_key(c->idem);
	if (new_address(c) && c->fields[FC_SAVE].choice == 0) {
		struct worker_job *job = app_job(a, TAG_ME, "PATCH", "/api/v1/me");
		if (job) {
			job->body = cJSON_CreateObject();
			cJSON_AddItemToObject(job->body, "shipping_address", address_json(c));
			app_submit(a, job);
		}
	}
	if (new_card(c)) {
		add_card(a);
		return;
	}
	const cJSON *pm = cJSON_GetArrayItem(c->cards, card_index(c));
	place_order(a, json_int(pm, "id"));
}

static void ask(struct app *a)
{
	struct checkout_state *c = &a->checkout;
	if (c->busy)
		return;
	if (cart_item_count(a) == 0) {
		app_status(a, 1, "Your cart is empty.");
		return;
	}
	if (validate(a) != 0)
		return;
	char total[40], q[256], digits[8] = "";
	money_format(cart_subtotal(a), total, sizeof total);
	if (new_card(c)) {
		const struct form_field *f = &c->fields[FC_NUMBER];
		int k = 0;
		for (int i = f->len - 1; i >= 0 && k < 4; i--)
			if (f->text[i] >= L'0' && f->text[i] <= L'9')
				digits[3 - k++] = (char)f->text[i];
		snprintf(q, sizeof q, "Place the order for %s with the card ending %s?", total,
			 digits + (4 - k));
	} else {
		snprintf(q, sizeof q, "Place the order for %s with %s?", total,
			 c->fields[FC_CARD].choices[card_index(c)]);
	}
	app_confirm(a, q, confirmed, 0);
}

void checkout_result(struct app *a, struct worker_job *job)
{
	struct checkout_state *c = &a->checkout;
	switch (job->tag) {
	case TAG_CARDS:
		if (job->status == 200) {
			cJSON_Delete(c->cards);
			c->cards = cJSON_DetachItemFromObjectCaseSensitive(job->json, "items");
			c->sandbox = strcmp(json_str(job->json, "provider"), "sandbox") == 0;
			refresh_choices(a);
			update_hidden(c);
		}
		break;
	case TAG_CARD_ADD:
		if (job->status != 201 && job->status != 200) {
			c->busy = 0;
			app_status_job(a, "The card was not added", job);
			form_focus(&c->form, FC_NUMBER);
			return;
		}
		/* the card is saved now: choose it, forget the typed number */
		form_field_clear(&c->fields[FC_NUMBER]);
		form_field_clear(&c->fields[FC_CVC]);
		c->pending_card_id = json_int(job->json, "id");
		cJSON_AddItemToArray(c->cards ? c->cards : (c->cards = cJSON_CreateArray()),
				     cJSON_Duplicate(job->json, 1));
		c->fields[FC_CARD].nchoices = 0;
		refresh_choices(a);
		update_hidden(c);
		place_order(a, c->pending_card_id);
		break;
	case TAG_ORDER_PLACE:
		c->busy = 0;
		if (job->status == 201 || job->status == 200) {
			char total[40];
			app_status(a, 0, "Order #%lld placed: %s, %s", (long long)json_int(job->json, "id"),
				   money_format(json_int(job->json, "total_cents"), total, sizeof total),
				   json_str(job->json, "status"));
			checkout_reset(a);
			cart_load(a);
			orders_show(a, job->json, 1);
			return;
		}
		if (job->status != 0)
			c->idem[0] = 0; /* a definite no: the next try is a new order */
		app_status_job(a, job->status == 402 ? "Payment declined" : "The order was not placed",
			       job);
		if (strcmp(job->error_field, "shipping_address") == 0)
			form_focus(&c->form, FC_ADDR);
		if (strcmp(job->error_code, "out_of_stock") == 0)
			cart_load(a);
		break;
	}
}

static void draw_items(struct app *a, struct rect in, int *y, int max)
{
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(a->cart_st.cart, "items");
	int n = cJSON_GetArraySize(items), shown = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, items)
	{
		if (shown == max && n > max + 1) {
			ui_textf((*y)++, in.x + 1, in.w - 1, UI_DIM, "... and %d more", n - shown);
			break;
		}
		char money[40], qty[24];
		snprintf(qty, sizeof qty, "%lldx", (long long)json_int(it, "quantity"));
		ui_text(*y, in.x + 1, 6, qty, UI_NORMAL);
		ui_text(*y, in.x + 7, in.w - 19, json_str(it, "title"), UI_NORMAL);
		ui_text_right(*y, in.x + in.w - 11, 11,
			      money_format(json_int(it, "line_total_cents"), money, sizeof money), UI_PRICE);
		(*y)++;
		shown++;
	}
}

void checkout_draw(struct app *a, struct rect r, int focused)
{
	struct checkout_state *c = &a->checkout;
	struct rect in = ui_box(r, "Checkout", focused);
	if (in.h < 6)
		return;
	char money[40];
	int visible = 0;
	for (int i = 0; i < FC_COUNT; i++)
		visible += !c->fields[i].hidden;
	int room = in.h - visible - 5 - (c->sandbox && new_card(c) ? 2 : 0);
	int y = in.y;
	ui_textf(y++, in.x, in.w, UI_BUDDY, "%d item%s", cart_item_count(a),
		 cart_item_count(a) == 1 ? "" : "s");
	draw_items(a, in, &y, room > 1 ? room - 1 : 1);
	y++;
	int cy, cx;
	int rows = form_draw(&c->form, y, in.x, in.w, 14, focused && !c->busy, &cy, &cx);
	if (cy >= 0) {
		a->cursor_y = cy;
		a->cursor_x = cx;
	}
	y += rows;
	if (c->sandbox && new_card(c) && y + 2 < in.y + in.h) {
		/* the sandbox takes no real cards: say which numbers it knows */
		ui_text(y++, in.x, in.w, "Sandbox test cards: 4242 4242 4242 4242 pays,", UI_DIM);
		ui_text(y++, in.x, in.w, "4000 0000 0000 0002 is declined; any later expiry.",
			UI_DIM);
	}
	if (y < in.y + in.h) {
		char line[80];
		snprintf(line, sizeof line, "Total %s", money_format(cart_subtotal(a), money, sizeof money));
		ui_text(y, in.x, in.w, line, UI_PRICE);
		if (c->busy)
			ui_text(y, in.x + ui_width(line) + 3, in.w - ui_width(line) - 3, "working...",
				UI_DIM);
	}
}

int checkout_key(struct app *a, int is_key, wint_t key)
{
	struct checkout_state *c = &a->checkout;
	if ((!is_key && key == '\t') || (is_key && key == KEY_BTAB))
		return 0;
	if (c->busy)
		return 0;
	struct form_field *f = form_focused(&c->form);
	int texty = f && (f->kind == FORM_TEXT || f->kind == FORM_SECRET);
	if (!texty && !is_key && (key == 'j' || key == 'k'))
		return form_key(&c->form, 1, key == 'j' ? KEY_DOWN : KEY_UP) != FORM_IGNORED;
	if (!is_key && key == 27) {
		app_set_screen(a, SCREEN_SEARCH);
		return 1;
	}
	switch (form_key(&c->form, is_key, key)) {
	case FORM_SUBMIT:
		c->dirty = 1;
		ask(a);
		return 1;
	case FORM_HANDLED:
		c->dirty = 1;
		update_hidden(c);
		if (c->error_field && f == &c->fields[c->error_field - 1] && f->len > 0 &&
		    a->status_error) {
			/* the field the message was about has been fixed: the message goes */
			a->status_text[0] = 0;
			a->status_error = 0;
			c->error_field = 0;
		}
		return 1;
	case FORM_CANCEL:
		app_set_screen(a, SCREEN_SEARCH);
		return 1;
	default:
		return 0;
	}
}
