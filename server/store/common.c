/*
 * store/common.c - what every backend and caller shares: errors, growing arrays, the
 * free functions of the result structs, and time.
 */
#include "store/backend.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int store_set_err(struct store *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof s->err, fmt, ap);
	va_end(ap);
	return STORE_ERROR;
}

int store_grow(struct store *s, void **items, size_t *cap, size_t count, size_t elem)
{
	if (count < *cap)
		return 0;
	size_t n = *cap ? *cap * 2 : 16;
	void *grown = realloc(*items, n * elem);
	if (!grown) {
		store_set_err(s, "out of memory");
		return -1;
	}
	*items = grown;
	*cap = n;
	return 0;
}

void store_user_free(struct store_user *u)
{
	free(u->shipping_address);
	memset(u, 0, sizeof *u);
}

void store_convs_free(struct store_convs *l)
{
	free(l->items);
	memset(l, 0, sizeof *l);
}

void store_messages_free(struct store_messages *l)
{
	for (size_t i = 0; i < l->count; i++) {
		free(l->items[i].role);
		free(l->items[i].text);
		free(l->items[i].intent);
	}
	free(l->items);
	memset(l, 0, sizeof *l);
}

void store_product_free(struct store_product *p)
{
	free(p->seller_name);
	free(p->title);
	free(p->description);
	free(p->category);
	free(p->tags);
	free(p->sku);
	memset(p, 0, sizeof *p);
}

void store_products_free(struct store_products *l)
{
	for (size_t i = 0; i < l->count; i++)
		store_product_free(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof *l);
}

void store_categories_free(struct store_categories *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->items[i].name);
	free(l->items);
	memset(l, 0, sizeof *l);
}

void store_cart_free(struct store_cart *c)
{
	for (size_t i = 0; i < c->count; i++)
		free(c->items[i].title);
	free(c->items);
	memset(c, 0, sizeof *c);
}

void store_cards_free(struct store_cards *l)
{
	if (l->items)
		explicit_bzero(l->items, l->count * sizeof *l->items);
	free(l->items);
	memset(l, 0, sizeof *l);
}

void store_order_free(struct store_order *o)
{
	for (size_t i = 0; i < o->item_count; i++)
		free(o->items[i].title);
	free(o->items);
	free(o->shipping_address);
	memset(o, 0, sizeof *o);
}

void store_top_products_free(struct store_top_products *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->items[i].title);
	free(l->items);
	memset(l, 0, sizeof *l);
}

void store_idem_free(struct store_idem *a)
{
	free(a->request);
	free(a->body);
	memset(a, 0, sizeof *a);
}

int64_t store_now(void)
{
	return (int64_t)time(NULL);
}

const char *store_time_str(int64_t t, char buf[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}
