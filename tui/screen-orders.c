/*
 * screen-orders.c - the user's orders: the list (newest first), one order's detail
 * (items, address, payment, status) and cancelling an order (asked first; the
 * server refuses once it has shipped).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

void orders_free(struct app *a)
{
	cJSON_Delete(a->orders.orders);
	cJSON_Delete(a->orders.order);
	a->orders.orders = a->orders.order = NULL;
}

static void load_list(struct app *a)
{
	app_request(a, TAG_ORDERS, "GET", "/api/v1/orders?limit=100");
	a->orders.loading = 1;
}

void orders_open(struct app *a)
{
	app_set_screen(a, SCREEN_ORDERS);
	load_list(a);
}

void orders_show(struct app *a, const cJSON *order, int just_placed)
{
	struct orders_state *o = &a->orders;
	cJSON_Delete(o->order);
	o->order = cJSON_Duplicate(order, 1);
	o->scroll = 0;
	o->just_placed = just_placed;
	app_set_screen(a, SCREEN_ORDER);
	if (just_placed)
		a->back = SCREEN_ORDERS;
	load_list(a);
}

static void open_order(struct app *a, int64_t id)
{
	char path[64];
	snprintf(path, sizeof path, "/api/v1/orders/%lld", (long long)id);
	app_request(a, TAG_ORDER, "GET", path);
}

static void cancel_answer(struct app *a, int yes)
{
	if (!yes)
		return;
	char path[80];
	snprintf(path, sizeof path, "/api/v1/orders/%lld/cancel", (long long)a->confirm_arg);
	app_request(a, TAG_ORDER_CANCEL, "POST", path);
	app_status(a, 0, "Cancelling order #%lld...", (long long)a->confirm_arg);
}

static void ask_cancel(struct app *a, const cJSON *order)
{
	if (!order)
		return;
	const char *st = json_str(order, "status");
	if (strcmp(st, "pending_payment") != 0 && strcmp(st, "paid") != 0) {
		app_status(a, 1, "Order #%lld is %s: it cannot be cancelled.",
			   (long long)json_int(order, "id"), st);
		return;
	}
	char q[160], money[40];
	snprintf(q, sizeof q, "Cancel order #%lld (%s)%s?", (long long)json_int(order, "id"),
		 money_format(json_int(order, "total_cents"), money, sizeof money),
		 strcmp(st, "paid") == 0 ? " and refund it" : "");
	app_confirm(a, q, cancel_answer, json_int(order, "id"));
}

void orders_result(struct app *a, struct worker_job *job)
{
	struct orders_state *o = &a->orders;
	if (job->tag == TAG_ORDERS) {
		o->loading = 0;
		if (job->status != 200) {
			app_status_job(a, "Cannot load the orders", job);
			return;
		}
		cJSON_Delete(o->orders);
		o->orders = cJSON_DetachItemFromObjectCaseSensitive(job->json, "items");
		o->total = (int)json_int(job->json, "total");
		return;
	}
	if (job->status != 200) {
		app_status_job(a, job->tag == TAG_ORDER ? "Cannot load the order" : "Not cancelled", job);
		return;
	}
	cJSON_Delete(o->order);
	o->order = job->json;
	job->json = NULL;
	o->just_placed = 0;
	if (job->tag == TAG_ORDER_CANCEL) {
		app_status(a, 0, "Order #%lld is cancelled.", (long long)json_int(o->order, "id"));
		load_list(a);
		if (a->screen != SCREEN_ORDER)
			return;
	}
	if (a->screen != SCREEN_ORDER)
		app_set_screen(a, SCREEN_ORDER);
}

static const char *date_of(const char *ts, char *buf, size_t len)
{
	snprintf(buf, len, "%.10s", ts); /* 2026-11-22T18:04:05Z -> 2026-11-22 */
	return buf;
}

void orders_draw(struct app *a, struct rect r, int focused)
{
	struct orders_state *o = &a->orders;
	struct rect in = ui_box(r, "Orders", focused);
	int n = cJSON_GetArraySize(o->orders);
	if (!o->orders || n == 0) {
		ui_text(in.y, in.x, in.w, o->loading ? "Loading..." : "No orders yet.", UI_DIM);
		return;
	}
	app_clamp_list(n, in.h, &o->sel, &o->top);
	for (int i = 0; i < in.h && o->top + i < n; i++) {
		const cJSON *ord = cJSON_GetArrayItem(o->orders, o->top + i);
		int sel = o->top + i == o->sel;
		enum ui_role role = sel ? (focused ? UI_SELECTED : UI_SELECTED_DIM) : UI_NORMAL;
		int y = in.y + i;
		char line[200], date[16], money[40];
		/* units, as the cart and checkout count them ("2x Bananas" is 2 items) */
		int items = 0;
		const cJSON *it;
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(ord, "items"))
			items += (int)json_int(it, "quantity");
		snprintf(line, sizeof line, "#%-5lld %s  %-15s", (long long)json_int(ord, "id"),
			 date_of(json_str(ord, "created_at"), date, sizeof date), json_str(ord, "status"));
		if (in.w >= 56) /* room for the item count */
			snprintf(line + strlen(line), sizeof line - strlen(line), " %2d item%s", items,
				 items == 1 ? "" : "s");
		ui_fill(y, in.x, in.w, role);
		ui_text(y, in.x, in.w - 12, line, role);
		ui_text_right(y, in.x + in.w - 11, 11,
			      money_format(json_int(ord, "total_cents"), money, sizeof money),
			      sel ? role : UI_PRICE);
	}
}

void orders_detail_draw(struct app *a, struct rect r, int focused)
{
	struct orders_state *o = &a->orders;
	const cJSON *ord = o->order;
	char title[80], money[40], line[600];
	snprintf(title, sizeof title, "Order #%lld%s (Esc back)", (long long)json_int(ord, "id"),
		 o->just_placed ? " placed" : "");
	struct rect in = ui_box(r, title, focused);
	if (!ord || in.h < 3)
		return;
	int y = in.y - o->scroll, bottom = in.y + in.h;
#define ROW(...) do { if (y >= in.y && y < bottom) ui_textf(y, in.x, in.w, __VA_ARGS__); y++; } while (0)
	ROW(UI_BUDDY, "Status: %s", json_str(ord, "status"));
	ROW(UI_DIM, "Placed %s", json_str(ord, "created_at"));
	y++;
	const cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(ord, "items"))
	{
		if (y >= in.y && y < bottom) {
			char qty[24];
			snprintf(qty, sizeof qty, "%lldx", (long long)json_int(it, "quantity"));
			ui_text(y, in.x, 6, qty, UI_NORMAL);
			ui_text(y, in.x + 6, in.w - 18, json_str(it, "title"), UI_NORMAL);
			ui_text_right(y, in.x + in.w - 11, 11,
				      money_format(json_int(it, "line_total_cents"), money, sizeof money),
				      UI_PRICE);
		}
		y++;
	}
	ROW(UI_PRICE, "Total %s", money_format(json_int(ord, "total_cents"), money, sizeof money));
	y++;
	const cJSON *pay = cJSON_GetObjectItemCaseSensitive(ord, "payment");
	if (cJSON_IsObject(pay))
		ROW(UI_NORMAL, "Payment: %s %s ending %s", json_str(pay, "status"),
		    json_str(pay, "brand"), json_str(pay, "last4"));
	else
		ROW(UI_NORMAL, "Payment: not paid yet");
	const cJSON *addr = cJSON_GetObjectItemCaseSensitive(ord, "shipping_address");
	if (cJSON_IsObject(addr)) {
		snprintf(line, sizeof line, "Ship to: %s, %s%s%s, %s %s, %s", json_str(addr, "name"),
			 json_str(addr, "line1"), json_str(addr, "line2")[0] ? ", " : "",
			 json_str(addr, "line2"), json_str(addr, "postal_code"), json_str(addr, "city"),
			 json_str(addr, "country"));
		ROW(UI_NORMAL, "%s", line);
	}
	y++;
	const char *st = json_str(ord, "status");
	if (strcmp(st, "pending_payment") == 0 || strcmp(st, "paid") == 0)
		ROW(UI_KEY, "x: cancel this order");
#undef ROW
}

int orders_key(struct app *a, int is_key, wint_t key)
{
	struct orders_state *o = &a->orders;
	int n = cJSON_GetArraySize(o->orders);
	if (app_list_key(is_key, key, n, a->main.h - 2, &o->sel))
		return 1;
	const cJSON *ord = cJSON_GetArrayItem(o->orders, o->sel);
	if ((!is_key && (key == '\r' || key == '\n' || key == 'l')) ||
	    (is_key && (key == KEY_ENTER || key == KEY_RIGHT))) {
		if (ord) {
			cJSON_Delete(o->order);
			o->order = cJSON_Duplicate(ord, 1);
			o->scroll = 0;
			o->just_placed = 0;
			app_set_screen(a, SCREEN_ORDER);
			a->back = SCREEN_ORDERS;
			open_order(a, json_int(ord, "id"));
		}
		return 1;
	}
	if ((!is_key && (key == 27 || key == 'h')) || (is_key && key == KEY_LEFT)) {
		app_set_screen(a, SCREEN_SEARCH);
		return 1;
	}
	if (!is_key && key == 'x') {
		ask_cancel(a, ord);
		return 1;
	}
	if (!is_key && key == 'r') {
		load_list(a);
		return 1;
	}
	return 0;
}

int orders_detail_key(struct app *a, int is_key, wint_t key)
{
	struct orders_state *o = &a->orders;
	if ((!is_key && (key == 27 || key == 'h')) || (is_key && (key == KEY_LEFT || key == KEY_BACKSPACE))) {
		app_set_screen(a, SCREEN_ORDERS);
		load_list(a);
		return 1;
	}
	if ((is_key && key == KEY_DOWN) || (!is_key && key == 'j')) {
		o->scroll++;
		return 1;
	}
	if ((is_key && key == KEY_UP) || (!is_key && key == 'k')) {
		if (o->scroll > 0)
			o->scroll--;
		return 1;
	}
	if (!is_key && key == 'x') {
		ask_cancel(a, o->order);
		return 1;
	}
	if (!is_key && key == 'r') {
		open_order(a, json_int(o->order, "id"));
		return 1;
	}
	return 0;
}
