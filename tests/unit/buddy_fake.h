/*
 * buddy_fake.h - an in-memory shop implementing struct buddy_tools, for the buddy's
 * unit tests (included by test_buddy*.c; not a module of its own).
 *
 * 52 products over fruit, bakery, coffee, tea, dairy, audio, snacks, drinks,
 * household, vegetables and pantry, with close pairs on purpose (Sony/Bose
 * headphones, Dark Roast/Decaf coffee, Whole Milk/Milk Chocolate, Oranges/Orange
 * Juice), one product out of stock and one with three left.  Search behaves like the
 * server's FTS5 query: every word must prefix-match a word of the title,
 * description, category or tags; results are ranked by title hits.
 */
#ifndef VOXCART_TEST_BUDDY_FAKE_H
#define VOXCART_TEST_BUDDY_FAKE_H

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buddy/buddy.h"

struct fake_product {
	int64_t id;
	const char *title, *category;
	int64_t price;
	int stock;
	const char *tags;	/* space separated */
	const char *desc;
};

enum {
	BANANAS = 1, APPLES, ORANGES, STRAWBERRIES, BLUEBERRIES, GRAPES, LEMONS,
	BANANA_BREAD, SOURDOUGH, CROISSANTS, BAGELS,
	DARK_ROAST, DECAF, ESPRESSO, MEDIUM_ROAST, GREEN_TEA, EARL_GREY,
	WHOLE_MILK, OAT_MILK, YOGURT, CHEDDAR, BUTTER, EGGS,
	SONY, BOSE, EARBUDS, SPEAKER,
	CHIPS, DARK_CHOC, MILK_CHOC, NUTS, COOKIES,
	ORANGE_JUICE, SPARKLING, COLA,
	DISH_SOAP, PAPER_TOWELS, DETERGENT,
	CARROTS, SPINACH, TOMATOES, ONIONS, POTATOES,
	SPAGHETTI, RICE, OLIVE_OIL, MAC_CHEESE,
	CREAMY_PB, CRUNCHY_PB, OATS_SMALL, OATS_BIG, CELERY,
	FAKE_NPRODUCTS = CELERY
};

static struct fake_product fake_catalog[] = {
	{ BANANAS, "Organic Bananas (bunch of 6)", "fruit", 249, 50, "banana organic", "Sweet organic bananas." },
	{ APPLES, "Gala Apples 1 kg", "fruit", 399, 40, "apple", "Crisp red apples." },
	{ ORANGES, "Navel Oranges 4 pack", "fruit", 499, 30, "orange citrus", "Juicy seedless oranges." },
	{ STRAWBERRIES, "Strawberries 400 g", "fruit", 450, 3, "berries", "Fresh strawberries." },
	{ BLUEBERRIES, "Blueberries 125 g", "fruit", 399, 0, "berries", "Wild blueberries." },
	{ GRAPES, "Green Grapes 500 g", "fruit", 350, 20, "grape seedless", "Seedless green grapes." },
	{ LEMONS, "Lemons 3 pack", "fruit", 250, 25, "lemon citrus", "Unwaxed lemons." },
	{ BANANA_BREAD, "Banana Bread Loaf", "bakery", 599, 10, "cake", "Moist banana bread baked daily." },
	{ SOURDOUGH, "Sourdough Bread", "bakery", 450, 12, "loaf", "Slow fermented sourdough." },
	{ CROISSANTS, "Butter Croissants 4 pack", "bakery", 549, 8, "pastry", "Flaky all-butter croissants." },
	{ BAGELS, "Everything Bagels 6 pack", "bakery", 499, 9, "bagel", "Seeded bagels." },
	{ DARK_ROAST, "Dark Roast Coffee Beans 1 kg", "coffee", 1899, 15, "whole bean arabica", "Bold and smoky dark roast." },
	{ DECAF, "Decaf Coffee Beans 500 g", "coffee", 1299, 8, "decaffeinated whole bean", "Swiss water decaf." },
	{ ESPRESSO, "Espresso Ground Coffee 250 g", "coffee", 899, 12, "ground", "Fine ground for espresso machines." },
	{ MEDIUM_ROAST, "Medium Roast Ground Coffee 500 g", "coffee", 1099, 10, "ground", "Smooth medium roast." },
	{ GREEN_TEA, "Green Tea 20 bags", "tea", 399, 30, "tea", "Japanese sencha." },
	{ EARL_GREY, "Earl Grey Tea 50 bags", "tea", 599, 20, "tea black", "Black tea with bergamot." },
	{ WHOLE_MILK, "Whole Milk 1 L", "dairy", 199, 60, "milk", "Fresh whole milk." },
	{ OAT_MILK, "Oat Milk Barista 1 L", "dairy", 299, 30, "vegan plant", "Creamy oat drink." },
	{ YOGURT, "Greek Yogurt 500 g", "dairy", 349, 15, "yoghurt", "Thick strained yogurt." },
	{ CHEDDAR, "Cheddar Cheese 200 g", "dairy", 450, 20, "cheese", "Aged mature cheddar." },
	{ BUTTER, "Salted Butter 250 g", "dairy", 375, 25, "butter", "Creamy salted butter." },
	{ EGGS, "Free Range Eggs 12 pack", "dairy", 529, 18, "eggs", "Large free range eggs." },
	{ SONY, "Sony WH-1000XM5 Wireless Headphones", "audio", 34999, 5, "noise cancelling bluetooth", "Industry leading noise cancelling." },
	{ BOSE, "Bose QuietComfort 45 Headphones", "audio", 27999, 4, "noise cancelling bluetooth", "Quiet, comfortable, 24 hour battery." },
	{ EARBUDS, "JBL Tune Wireless Earbuds", "audio", 4999, 20, "bluetooth", "Pocket sized earbuds." },
	{ SPEAKER, "Anker Bluetooth Speaker", "audio", 3999, 10, "portable", "Loud portable speaker." },
	{ CHIPS, "Sea Salt Potato Chips", "snacks", 299, 40, "crisps", "Kettle cooked chips." },
	{ DARK_CHOC, "Dark Chocolate Bar 70%", "snacks", 249, 30, "chocolate", "Rich dark chocolate." },
	{ MILK_CHOC, "Milk Chocolate Bar", "snacks", 229, 30, "chocolate", "Creamy milk chocolate." },
	{ NUTS, "Salted Mixed Nuts 300 g", "snacks", 699, 15, "nuts", "Roasted mixed nuts." },
	{ COOKIES, "Oatmeal Cookies", "snacks", 349, 20, "biscuits", "Chewy oatmeal cookies." },
	{ ORANGE_JUICE, "Orange Juice 1 L", "drinks", 329, 25, "juice", "Not from concentrate." },
	{ SPARKLING, "Sparkling Water 6 pack", "drinks", 449, 30, "water", "Lightly carbonated." },
	{ COLA, "Cola 6 pack", "drinks", 499, 30, "soda", "Classic cola." },
	{ DISH_SOAP, "Dish Soap 500 ml", "household", 299, 20, "cleaning", "Lemon scented dish soap." },
	{ PAPER_TOWELS, "Paper Towels 6 rolls", "household", 799, 15, "kitchen", "Strong absorbent towels." },
	{ DETERGENT, "Laundry Detergent 2 L", "household", 1299, 10, "cleaning", "Concentrated detergent." },
	{ CARROTS, "Carrots 1 kg", "vegetables", 199, 30, "carrot", "Crunchy carrots." },
	{ SPINACH, "Baby Spinach 200 g", "vegetables", 299, 15, "salad greens", "Washed baby spinach." },
	{ TOMATOES, "Roma Tomatoes 500 g", "vegetables", 279, 25, "tomato", "Ripe roma tomatoes." },
	{ ONIONS, "Yellow Onions 1 kg", "vegetables", 229, 25, "onion", "Cooking onions." },
	{ POTATOES, "Russet Potatoes 2 kg", "vegetables", 399, 20, "potato", "Floury potatoes." },
	{ SPAGHETTI, "Spaghetti Pasta 500 g", "pantry", 179, 40, "pasta", "Bronze cut spaghetti." },
	{ RICE, "Basmati Rice 1 kg", "pantry", 349, 30, "rice", "Long grain basmati." },
	{ OLIVE_OIL, "Extra Virgin Olive Oil 500 ml", "pantry", 899, 20, "oil", "Cold pressed olive oil." },
	{ MAC_CHEESE, "Macaroni and Cheese", "pantry", 199, 30, "pasta", "Creamy mac and cheese." },
	{ CREAMY_PB, "Creamy Peanut Butter 340 g", "pantry", 349, 20, "spreads", "Smooth roasted peanut butter." },
	{ CRUNCHY_PB, "Crunchy Peanut Butter 340 g", "pantry", 349, 20, "spreads", "Peanut butter with crunchy bits." },
	{ OATS_SMALL, "Rolled Oats 500 g", "pantry", 249, 20, "porridge", "Whole grain rolled oats." },
	{ OATS_BIG, "Rolled Oats 1 kg", "pantry", 429, 20, "porridge", "Whole grain rolled oats, family size." },
	{ CELERY, "Celery Sticks 300 g", "vegetables", 199, 20, "celery", "Crisp celery. Great with peanut butter." },
};

struct fake_line { int64_t id; int qty; };

struct fake_shop {
	int stock[FAKE_NPRODUCTS + 1];
	struct fake_line cart[64];
	int nlines;
	int has_address, has_card, decline;
	cJSON *orders;		/* newest first */
	int64_t next_order;
	int calls_checkout, calls_search;
	char *vocab[1024];
	size_t nvocab;
	const char *cats[32];
	size_t ncats;
};

static const struct fake_product *fake_find(int64_t id)
{
	if (id < 1 || id > FAKE_NPRODUCTS)
		return NULL;
	return &fake_catalog[id - 1];
}

/* lowercase alphanumeric words of s, into w (at most max) */
static int fake_words(const char *s, char w[][32], int max)
{
	int n = 0;
	while (*s && n < max) {
		while (*s && !isalnum((unsigned char)*s))
			s++;
		int k = 0;
		while (*s && isalnum((unsigned char)*s)) {
			if (k < 31)
				w[n][k++] = (char)tolower((unsigned char)*s);
			s++;
		}
		if (k) {
			w[n][k] = '\0';
			n++;
		}
	}
	return n;
}

static void fake_add_vocab(struct fake_shop *f, const char *s)
{
	char w[32][32];
	int n = fake_words(s, w, 32);
	for (int i = 0; i < n; i++) {
		int dup = 0;
		for (size_t k = 0; k < f->nvocab; k++)
			dup |= !strcmp(f->vocab[k], w[i]);
		if (!dup && f->nvocab < 1024)
			f->vocab[f->nvocab++] = strdup(w[i]);
	}
}

static void fake_init(struct fake_shop *f)
{
	memset(f, 0, sizeof *f);
	for (int i = 1; i <= FAKE_NPRODUCTS; i++) {
		const struct fake_product *p = fake_find(i);
		f->stock[i] = p->stock;
		fake_add_vocab(f, p->title);
		fake_add_vocab(f, p->category);
		fake_add_vocab(f, p->tags);
		int dup = 0;
		for (size_t k = 0; k < f->ncats; k++)
			dup |= !strcmp(f->cats[k], p->category);
		if (!dup)
			f->cats[f->ncats++] = p->category;
	}
	f->orders = cJSON_CreateArray();
	f->next_order = 100;
	f->has_address = f->has_card = 1;
}

static void fake_free(struct fake_shop *f)
{
	for (size_t k = 0; k < f->nvocab; k++)
		free(f->vocab[k]);
	cJSON_Delete(f->orders);
}

static cJSON *fake_product_json(struct fake_shop *f, const struct fake_product *p)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)p->id);
	cJSON_AddNumberToObject(o, "seller_id", 1);
	cJSON_AddStringToObject(o, "seller_name", "Test Grocer");
	cJSON_AddStringToObject(o, "title", p->title);
	cJSON_AddStringToObject(o, "description", p->desc);
	cJSON_AddNumberToObject(o, "price_cents", (double)p->price);
	cJSON_AddStringToObject(o, "currency", "USD");
	cJSON_AddNumberToObject(o, "stock", f->stock[p->id]);
	cJSON_AddStringToObject(o, "category", p->category);
	cJSON *tags = cJSON_AddArrayToObject(o, "tags");
	char w[16][32];
	int n = fake_words(p->tags, w, 16);
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(tags, cJSON_CreateString(w[i]));
	cJSON_AddStringToObject(o, "status", "active");
	return o;
}

/* Title hits for ranking, or -1 when a query word matches nowhere. */
static int fake_rank(const struct fake_product *p, char q[][32], int nq)
{
	char all[128][32], title[32][32];
	char text[1024];
	snprintf(text, sizeof text, "%s %s %s %s", p->title, p->category, p->tags, p->desc);
	int na = fake_words(text, all, 128), nt = fake_words(p->title, title, 32), hits = 0;
	for (int i = 0; i < nq; i++) {
		int found = 0;
		for (int k = 0; k < na && !found; k++)
			found = !strncmp(all[k], q[i], strlen(q[i]));
		if (!found)
			return -1;
		for (int k = 0; k < nt; k++)
			hits += !strncmp(title[k], q[i], strlen(q[i]));
	}
	return hits;
}

static const struct fake_product *fake_sort_base;
static int fake_sort_mode;
static int fake_cmp(const void *a, const void *b)
{
	const int *x = a, *y = b;	/* pairs: id, rank */
	if (fake_sort_mode == 1 && fake_catalog[x[0] - 1].price != fake_catalog[y[0] - 1].price)
		return fake_catalog[x[0] - 1].price < fake_catalog[y[0] - 1].price ? -1 : 1;
	if (fake_sort_mode == 2 && fake_catalog[x[0] - 1].price != fake_catalog[y[0] - 1].price)
		return fake_catalog[x[0] - 1].price > fake_catalog[y[0] - 1].price ? -1 : 1;
	if (x[1] != y[1])
		return y[1] - x[1];
	return x[0] - y[0];
}

static int fake_search(void *ctx, const struct buddy_search *s, cJSON **result, char *code, char *msg)
{
	struct fake_shop *f = ctx;
	(void)code;
	(void)msg;
	f->calls_search++;
	char q[16][32];
	int nq = s->query ? fake_words(s->query, q, 16) : 0;
	int found[FAKE_NPRODUCTS][2], n = 0;
	for (int i = 1; i <= FAKE_NPRODUCTS; i++) {
		const struct fake_product *p = fake_find(i);
		if (s->category && *s->category && strcasecmp(s->category, p->category))
			continue;
		if (s->min_price_cents >= 0 && p->price < s->min_price_cents)
			continue;
		if (s->max_price_cents >= 0 && p->price > s->max_price_cents)
			continue;
		int r = fake_rank(p, q, nq);
		if (r < 0)
			continue;
		found[n][0] = i;
		found[n][1] = r;
		n++;
	}
	fake_sort_base = fake_catalog;
	fake_sort_mode = s->sort && !strcmp(s->sort, "price_asc") ? 1 : s->sort && !strcmp(s->sort, "price_desc") ? 2 : 0;
	qsort(found, (size_t)n, sizeof found[0], fake_cmp);
	cJSON *res = cJSON_CreateObject();
	cJSON *items = cJSON_AddArrayToObject(res, "items");
	int limit = s->limit > 0 ? s->limit : 20;
	for (int i = 0; i < n && i < limit; i++)
		cJSON_AddItemToArray(items, fake_product_json(f, fake_find(found[i][0])));
	cJSON_AddNumberToObject(res, "total", n);
	*result = res;
	return 0;
}

static int fake_vocabulary(void *ctx, const char *const **words, size_t *nwords,
			   const char *const **cats, size_t *ncats)
{
	struct fake_shop *f = ctx;
	*words = (const char *const *)f->vocab;
	*nwords = f->nvocab;
	*cats = f->cats;
	*ncats = f->ncats;
	return 0;
}

static int fake_product_get(void *ctx, int64_t id, cJSON **out, char *code, char *msg)
{
	const struct fake_product *p = fake_find(id);
	if (!p) {
		strcpy(code, "not_found");
		strcpy(msg, "no such product");
		return 404;
	}
	*out = fake_product_json(ctx, p);
	return 0;
}

static cJSON *fake_cart_json(struct fake_shop *f)
{
	cJSON *c = cJSON_CreateObject();
	cJSON *items = cJSON_AddArrayToObject(c, "items");
	int64_t sub = 0;
	int count = 0;
	for (int i = 0; i < f->nlines; i++) {
		const struct fake_product *p = fake_find(f->cart[i].id);
		cJSON *l = cJSON_CreateObject();
		cJSON_AddNumberToObject(l, "product_id", (double)p->id);
		cJSON_AddStringToObject(l, "title", p->title);
		cJSON_AddNumberToObject(l, "unit_price_cents", (double)p->price);
		cJSON_AddNumberToObject(l, "quantity", f->cart[i].qty);
		cJSON_AddNumberToObject(l, "line_total_cents", (double)(p->price * f->cart[i].qty));
		cJSON_AddBoolToObject(l, "available", 1);
		cJSON_AddItemToArray(items, l);
		sub += p->price * f->cart[i].qty;
		count += f->cart[i].qty;
	}
	cJSON_AddNumberToObject(c, "item_count", count);
	cJSON_AddNumberToObject(c, "subtotal_cents", (double)sub);
	cJSON_AddStringToObject(c, "currency", "USD");
	return c;
}

static int fake_line(struct fake_shop *f, int64_t id)
{
	for (int i = 0; i < f->nlines; i++)
		if (f->cart[i].id == id)
			return i;
	return -1;
}

static int fake_qty(struct fake_shop *f, int64_t id)
{
	int l = fake_line(f, id);
	return l < 0 ? 0 : f->cart[l].qty;
}

static int fake_cart_view(void *ctx, cJSON **cart, char *code, char *msg)
{
	(void)code;
	(void)msg;
	*cart = fake_cart_json(ctx);
	return 0;
}

static int fake_cart_set(void *ctx, int64_t id, int qty, cJSON **cart, char *code, char *msg)
{
	struct fake_shop *f = ctx;
	if (!fake_find(id)) {
		strcpy(code, "not_found");
		strcpy(msg, "no such product");
		return 404;
	}
	if (qty < 0 || qty > 1000) {
		strcpy(code, "validation_failed");
		strcpy(msg, "quantity must be 0..1000");
		return 422;
	}
	if (qty > f->stock[id]) {
		strcpy(code, "out_of_stock");
		strcpy(msg, "not enough stock");
		return 409;
	}
	int l = fake_line(f, id);
	if (qty == 0) {
		if (l >= 0) {
			memmove(&f->cart[l], &f->cart[l + 1], (size_t)(f->nlines - l - 1) * sizeof f->cart[0]);
			f->nlines--;
		}
	} else if (l >= 0) {
		f->cart[l].qty = qty;
	} else {
		f->cart[f->nlines++] = (struct fake_line){ id, qty };
	}
	*cart = fake_cart_json(f);
	return 0;
}

static int fake_cart_add(void *ctx, int64_t id, int qty, cJSON **cart, char *code, char *msg)
{
	if (qty < 1) {
		strcpy(code, "validation_failed");
		strcpy(msg, "quantity must be 1..1000");
		return 422;
	}
	return fake_cart_set(ctx, id, fake_qty(ctx, id) + qty, cart, code, msg);
}

static int fake_cart_remove(void *ctx, int64_t id, cJSON **cart, char *code, char *msg)
{
	return fake_cart_set(ctx, id, 0, cart, code, msg);
}

static int fake_cart_clear(void *ctx, cJSON **cart, char *code, char *msg)
{
	struct fake_shop *f = ctx;
	(void)code;
	(void)msg;
	f->nlines = 0;
	*cart = fake_cart_json(f);
	return 0;
}

static cJSON *fake_address(void)
{
	return cJSON_Parse("{\"name\":\"Ada\",\"line1\":\"1 Main St\",\"city\":\"Springfield\","
			   "\"postal_code\":\"12345\",\"country\":\"US\"}");
}

static int fake_checkout_info(void *ctx, cJSON **info, char *code, char *msg)
{
	struct fake_shop *f = ctx;
	(void)code;
	(void)msg;
	cJSON *i = cJSON_CreateObject();
	cJSON *u = cJSON_AddObjectToObject(i, "user");
	cJSON_AddNumberToObject(u, "id", 1);
	cJSON_AddStringToObject(u, "name", "Ada");
	if (f->has_address)
		cJSON_AddItemToObject(u, "shipping_address", fake_address());
	else
		cJSON_AddNullToObject(u, "shipping_address");
	cJSON *pms = cJSON_AddArrayToObject(i, "payment_methods");
	if (f->has_card)
		cJSON_AddItemToArray(pms, cJSON_Parse("{\"id\":7,\"brand\":\"visa\",\"last4\":\"4242\","
						      "\"exp_month\":12,\"exp_year\":2030,\"is_default\":true}"));
	*info = i;
	return 0;
}

static int fake_checkout(void *ctx, int64_t pm, cJSON **order, char *code, char *msg)
{
	struct fake_shop *f = ctx;
	f->calls_checkout++;
	if (f->nlines == 0) {
		strcpy(code, "validation_failed");
		strcpy(msg, "your cart is empty");
		return 422;
	}
	if (f->decline) {
		strcpy(code, "payment_declined");
		strcpy(msg, "card declined");
		return 402;
	}
	cJSON *cart = fake_cart_json(f);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)f->next_order++);
	cJSON_AddNumberToObject(o, "user_id", 1);
	cJSON_AddStringToObject(o, "status", pm > 0 ? "paid" : "pending_payment");
	cJSON_AddItemToObject(o, "items", cJSON_DetachItemFromObject(cart, "items"));
	cJSON_AddNumberToObject(o, "subtotal_cents", cJSON_GetObjectItem(cart, "subtotal_cents")->valuedouble);
	cJSON_AddNumberToObject(o, "total_cents", cJSON_GetObjectItem(cart, "subtotal_cents")->valuedouble);
	cJSON_AddStringToObject(o, "currency", "USD");
	cJSON_AddItemToObject(o, "shipping_address", fake_address());
	if (pm > 0)
		cJSON_AddItemToObject(o, "payment", cJSON_Parse("{\"status\":\"succeeded\",\"brand\":\"visa\",\"last4\":\"4242\"}"));
	else
		cJSON_AddNullToObject(o, "payment");
	cJSON_Delete(cart);
	for (int i = 0; i < f->nlines; i++)
		f->stock[f->cart[i].id] -= f->cart[i].qty;
	f->nlines = 0;
	cJSON_InsertItemInArray(f->orders, 0, cJSON_Duplicate(o, 1));
	cJSON *wrap = cJSON_CreateObject();
	cJSON_AddItemToObject(wrap, "order", o);
	*order = wrap;
	return 0;
}

static int fake_orders_list(void *ctx, int limit, cJSON **page, char *code, char *msg)
{
	struct fake_shop *f = ctx;
	(void)code;
	(void)msg;
	(void)limit;
	cJSON *p = cJSON_CreateObject();
	cJSON_AddItemToObject(p, "items", cJSON_Duplicate(f->orders, 1));
	cJSON_AddNumberToObject(p, "total", cJSON_GetArraySize(f->orders));
	*page = p;
	return 0;
}

static int fake_order_cancel(void *ctx, int64_t id, cJSON **order, char *code, char *msg)
{
	struct fake_shop *f = ctx;
	cJSON *o;
	cJSON_ArrayForEach(o, f->orders) {
		if ((int64_t)cJSON_GetObjectItem(o, "id")->valuedouble != id)
			continue;
		const char *s = cJSON_GetObjectItem(o, "status")->valuestring;
		if (strcmp(s, "paid") && strcmp(s, "pending_payment")) {
			strcpy(code, "conflict");
			strcpy(msg, "order already shipped");
			return 409;
		}
		cJSON_ReplaceItemInObject(o, "status", cJSON_CreateString("cancelled"));
		cJSON *wrap = cJSON_CreateObject();
		cJSON_AddItemToObject(wrap, "order", cJSON_Duplicate(o, 1));
		*order = wrap;
		return 0;
	}
	strcpy(code, "not_found");
	strcpy(msg, "no such order");
	return 404;
}

static struct buddy_tools fake_tools(struct fake_shop *f)
{
	return (struct buddy_tools){
		f, fake_search, fake_vocabulary, fake_product_get, fake_cart_view, fake_cart_add,
		fake_cart_set, fake_cart_remove, fake_cart_clear, fake_checkout_info, fake_checkout,
		fake_orders_list, fake_order_cancel, NULL,
	};
}

#endif
