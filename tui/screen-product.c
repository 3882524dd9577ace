/*
 * screen-product.c - one product: title, price, stock, seller, tags, description,
 * and a quantity to add to the cart.
 *
 * The screen opens at once with what the results list already knows and fills in
 * the rest (the description) when GET /products/{id} answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

void product_free(struct app *a)
{
	cJSON_Delete(a->product.product);
	a->product.product = NULL;
}

void product_open(struct app *a, int64_t id, const cJSON *have)
{
	struct product_state *p = &a->product;
	if (id <= 0)
		return;
	if (p->id != id || !p->product) {
		product_free(a);
		p->product = have ? cJSON_Duplicate(have, 1) : NULL;
		p->qty = 1;
		p->scroll = 0;
	}
	p->id = id;
	char path[64];
	snprintf(path, sizeof path, "/api/v1/products/%lld", (long long)id);
	p->seq = app_request(a, TAG_PRODUCT, "GET", path);
	p->loading = 1;
	app_set_screen(a, SCREEN_PRODUCT);
}

void product_result(struct app *a, struct worker_job *job)
{
	struct product_state *p = &a->product;
	if (job->seq != p->seq)
		return;
	p->loading = 0;
	if (job->status != 200) {
		app_status_job(a, "Cannot load the product", job);
		return;
	}
	product_free(a);
	p->product = job->json;
	job->json = NULL;
}

/* Draws UTF-8 text wrapped into r from row *y; returns nothing, advances *y. */
static void draw_wrapped(struct rect r, int *y, const char *text, enum ui_role role, int skip)
{
	wchar_t w[8192];
	int starts[512], lens[512];
	int n = ui_widen(text, w, 8192);
	int lines = ui_wrap(w, n, r.w, starts, lens, 512);
	if (lines > 512)
		lines = 512;
	for (int i = skip; i < lines && *y < r.y + r.h; i++)
		ui_wtext((*y)++, r.x, r.w, w + starts[i], lens[i], role);
}

void product_draw(struct app *a, struct rect r, int focused)
{
	struct product_state *p = &a->product;
	struct rect in = ui_box(r, "Product (Esc back)", focused);
	const cJSON *pr = p->product;
	if (!pr) {
		ui_text(in.y, in.x, in.w, p->loading ? "Loading..." : "No product.", UI_DIM);
		return;
	}
	int y = in.y;
	draw_wrapped(in, &y, json_str(pr, "title"), UI_BUDDY, 0);
	char price[40], line[400];
	money_format(json_int(pr, "price_cents"), price, sizeof price);
	int64_t stock = json_int(pr, "stock");
	if (stock > 0)
		snprintf(line, sizeof line, "%s   %lld in stock", price, (long long)stock);
	else
		snprintf(line, sizeof line, "%s   sold out", price);
	ui_text(y++, in.x, in.w, line, UI_PRICE);
	snprintf(line, sizeof line, "%s  -  sold by %s", json_str(pr, "category"),
		 json_str(pr, "seller_name")[0] ? json_str(pr, "seller_name") : "?");
	ui_text(y++, in.x, in.w, line, UI_DIM);
	const cJSON *tags = cJSON_GetObjectItemCaseSensitive(pr, "tags");
	if (cJSON_GetArraySize(tags) > 0) {
		size_t o = (size_t)snprintf(line, sizeof line, "tags:");
		const cJSON *t;
		cJSON_ArrayForEach(t, tags)
		{
			if (cJSON_IsString(t) && o < sizeof line)
				o += (size_t)snprintf(line + o, sizeof line - o, " %s", t->valuestring);
		}
		ui_text(y++, in.x, in.w, line, UI_DIM);
	}
	/* quantity and the add key, kept above the description */
	y++;
	char total[40];
	money_format(json_int(pr, "price_cents") * p->qty, total, sizeof total);
	snprintf(line, sizeof line, "Quantity: < %d >  (%s)", p->qty, total);
	ui_text(y, in.x, in.w, line, UI_NORMAL);
	ui_text(y + 1, in.x, in.w, "a/Enter: add to cart   +/-: quantity", UI_KEY);
	y += 3;
	struct rect desc = { y, in.x, in.y + in.h - y, in.w };
	if (desc.h > 0) {
		const char *d = json_str(pr, "description");
		if (!d[0] && p->loading)
			d = "...";
		draw_wrapped(desc, &y, d, UI_NORMAL, p->scroll);
	}
}

int product_key(struct app *a, int is_key, wint_t key)
{
	struct product_state *p = &a->product;
	const cJSON *pr = p->product;
	int back = (!is_key && (key == 27 || key == 'h')) ||
		   (is_key && (key == KEY_LEFT || key == KEY_BACKSPACE));
	if (back) {
		app_set_screen(a, a->back == SCREEN_PRODUCT ? SCREEN_SEARCH : a->back);
		return 1;
	}
	int add = (!is_key && (key == 'a' || key == '\r' || key == '\n')) || (is_key && key == KEY_ENTER);
	if (add && pr) {
		cart_add(a, p->id, p->qty, json_str(pr, "title"));
		return 1;
	}
	if (!is_key && (key == '+' || key == '=')) {
		if (p->qty < 1000)
			p->qty++;
		return 1;
	}
	if (!is_key && key == '-') {
		if (p->qty > 1)
			p->qty--;
		return 1;
	}
	if ((is_key && key == KEY_DOWN) || (!is_key && key == 'j')) {
		p->scroll++;
		return 1;
	}
	if ((is_key && key == KEY_UP) || (!is_key && key == 'k')) {
		if (p->scroll > 0)
			p->scroll--;
		return 1;
	}
	return 0;
}
