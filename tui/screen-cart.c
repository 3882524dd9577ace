/*
 * screen-cart.c - the cart pane: the lines, their quantities and the subtotal.
 *
 * Every change is one request whose answer is the whole new Cart (docs/protocol.md), so
 * the pane always shows what the server holds; the buddy's cart actions carry the
 * Cart too and land here through cart_set(), with the changed line highlighted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

void cart_free(struct app *a)
{
	cJSON_Delete(a->cart_st.cart);
	a->cart_st.cart = NULL;
}

void cart_load(struct app *a)
{
	a->cart_st.seq = app_request(a, TAG_CART, "GET", "/api/v1/cart");
	a->cart_st.loading = 1;
}

static const cJSON *items(const struct app *a)
{
	return cJSON_GetObjectItemCaseSensitive(a->cart_st.cart, "items");
}

int64_t cart_subtotal(const struct app *a)
{
	return json_int(a->cart_st.cart, "subtotal_cents");
}

int cart_item_count(const struct app *a)
{
	return (int)json_int(a->cart_st.cart, "item_count");
}

void cart_set(struct app *a, const cJSON *cart, int64_t flash)
{
	struct cart_state *c = &a->cart_st;
	if (!cJSON_IsObject(cart))
		return;
	cJSON_Delete(c->cart);
	c->cart = cJSON_Duplicate(cart, 1);
	c->loading = 0;
	c->seq = ++a->seq; /* answers to older cart requests are stale now */
	c->flash_id = flash;
	if (flash) { /* select the changed line */
		int i = 0;
		const cJSON *it;
		cJSON_ArrayForEach(it, items(a))
		{
			if (json_int(it, "product_id") == flash)
				c->sel = i;
			i++;
		}
	}
	a->dirty = 1;
}

void cart_add(struct app *a, int64_t id, int qty, const char *title)
{
	struct worker_job *job = app_job(a, TAG_CART_CHANGE, "POST", "/api/v1/cart/items");
	if (!job)
		return;
	job->body = cJSON_CreateObject();
	cJSON_AddNumberToObject(job->body, "product_id", (double)id);
	cJSON_AddNumberToObject(job->body, "quantity", qty);
	job->arg = id;
	snprintf(job->note, sizeof job->note, "Added %d x %s", qty, title ? title : "it");
	app_submit(a, job);
	app_status(a, 0, "Adding %s...", title ? title : "it");
}

static void set_quantity(struct app *a, const cJSON *line, int qty)
{
	int64_t id = json_int(line, "product_id");
	char path[80];
	snprintf(path, sizeof path, "/api/v1/cart/items/%lld", (long long)id);
	struct worker_job *job = app_job(a, TAG_CART_CHANGE, qty > 0 ? "PUT" : "DELETE", path);
	if (!job)
		return;
	if (qty > 0) {
		job->body = cJSON_CreateObject();
		cJSON_AddNumberToObject(job->body, "quantity", qty);
		snprintf(job->note, sizeof job->note, "%d x %s", qty, json_str(line, "title"));
	} else {
		snprintf(job->note, sizeof job->note, "Removed %s", json_str(line, "title"));
	}
	job->arg = id;
	app_submit(a, job);
}

void cart_result(struct app *a, struct worker_job *job)
{
	struct cart_state *c = &a->cart_st;
	if (job->tag == TAG_CART) {
		if (job->seq != c->seq)
			return;
		c->loading = 0;
		if (job->status != 200) {
			app_status_job(a, "Cannot load the cart", job);
			return;
		}
		cJSON_Delete(c->cart);
		c->cart = job->json;
		job->json = NULL;
		return;
	}
	if (job->status != 200) {
		app_status_job(a, "Cart", job);
		return;
	}
	cart_set(a, job->json, job->arg);
	app_status(a, 0, "%s", job->note);
}

void cart_draw(struct app *a, struct rect r, int focused)
{
	struct cart_state *c = &a->cart_st;
	char title[80], money[40];
	if (c->cart)
		snprintf(title, sizeof title, "Cart (%d)", cart_item_count(a));
	else
		snprintf(title, sizeof title, "Cart");
	struct rect in = ui_box(r, title, focused);
	if (in.h < 2)
		return;
	if (!c->cart) {
		ui_text(in.y, in.x, in.w, c->loading ? "Loading..." : "", UI_DIM);
		return;
	}
	int n = cJSON_GetArraySize(items(a));
	if (n == 0) {
		ui_text(in.y, in.x, in.w, "Your cart is empty.", UI_DIM);
		ui_text(in.y + 1, in.x, in.w, "a adds the selected product.", UI_DIM);
		return;
	}
	struct rect list = { in.y, in.x, in.h - 1, in.w };
	app_clamp_list(n, list.h, &c->sel, &c->top);
	int pricew = 10;
	for (int i = 0; i < list.h && c->top + i < n; i++) {
		const cJSON *it = cJSON_GetArrayItem(items(a), c->top + i);
		int sel = c->top + i == c->sel;
		int flash = c->flash_id && json_int(it, "product_id") == c->flash_id;
		enum ui_role role = sel && focused ? UI_SELECTED : sel ? UI_SELECTED_DIM : UI_NORMAL;
		int y = list.y + i;
		ui_fill(y, list.x, list.w, role);
		char qty[24];
		snprintf(qty, sizeof qty, "%lldx", (long long)json_int(it, "quantity"));
		int x = list.x + ui_text(y, list.x, 6, qty, flash && !sel ? UI_OK : role) + 1;
		ui_text(y, x, list.w - (x - list.x) - pricew - 1, json_str(it, "title"),
			json_bool(it, "available") || !cJSON_GetObjectItem(it, "available") ? role
											      : UI_ERROR);
		money_format(json_int(it, "line_total_cents"), money, sizeof money);
		ui_text_right(y, list.x + list.w - pricew, pricew, money, sel ? role : UI_PRICE);
	}
	char sub[80];
	snprintf(sub, sizeof sub, "Subtotal %s", money_format(cart_subtotal(a), money, sizeof money));
	ui_text_right(in.y + in.h - 1, in.x, in.w, sub, UI_PRICE);
	if (in.w > 30)
		ui_text(in.y + in.h - 1, in.x, in.w - ui_width(sub) - 1, "c: checkout", UI_DIM);
}

int cart_key(struct app *a, int is_key, wint_t key)
{
	struct cart_state *c = &a->cart_st;
	int n = cJSON_GetArraySize(items(a));
	if (app_list_key(is_key, key, n, a->cart.h - 3, &c->sel)) {
		c->flash_id = 0;
		return 1;
	}
	const cJSON *line = cJSON_GetArrayItem(items(a), c->sel);
	if (!line)
		return 0;
	int qty = (int)json_int(line, "quantity");
	if (!is_key && (key == '+' || key == '=')) {
		set_quantity(a, line, qty + 1);
		return 1;
	}
	if (!is_key && key == '-') {
		set_quantity(a, line, qty - 1);
		return 1;
	}
	if ((!is_key && (key == 'd' || key == 'x')) || (is_key && key == KEY_DC)) {
		set_quantity(a, line, 0);
		return 1;
	}
	if ((!is_key && (key == '\r' || key == '\n' || key == 'l')) ||
	    (is_key && (key == KEY_ENTER || key == KEY_RIGHT))) {
		product_open(a, json_int(line, "product_id"), NULL);
		return 1;
	}
	return 0;
}
