/*
 * render.c - products, carts and orders for people (see render.h).
 *
 * Prices are integer cents from the server, printed with money_format(); server text
 * goes through output.c, which removes control characters.
 */
#include "render.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "money.h"
#include "output.h"

const char *render_money(long long cents)
{
	static char bufs[8][MONEY_BUFSZ];
	static int next;
	char *b = bufs[next];
	next = (next + 1) % 8;
	return money_format(cents, b, MONEY_BUFSZ);
}

static const char *num(char *buf, size_t len, long long v)
{
	snprintf(buf, len, "%lld", v);
	return buf;
}

void render_page_footer(const cJSON *page)
{
	long long total = json_int(page, "total"), offset = json_int(page, "offset");
	int n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(page, "items"));
	if (n == 0 || (offset == 0 && n >= total))
		return;
	printf("showing %lld-%lld of %lld", offset + 1, offset + n, total);
	if (offset + n < total)
		printf("; next: --offset %lld", offset + n);
	printf("\n");
}

void render_products(const cJSON *page, int with_status, const char *empty)
{
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(page, "items"), *p;
	if (cJSON_GetArraySize(items) == 0) {
		printf("%s\n", empty);
		return;
	}
	/* A seller's own listings get a SKU column when any of them has one. */
	int skus = 0;
	if (with_status)
		cJSON_ArrayForEach(p, items)
			skus |= *json_str(p, "sku") != '\0';
	const char *heads[7];
	int n = 0;
	heads[n++] = ">ID";
	if (skus)
		heads[n++] = "SKU";
	int title = n;
	heads[n++] = "TITLE";
	heads[n++] = ">PRICE";
	heads[n++] = ">STOCK";
	heads[n++] = "CATEGORY";
	heads[n++] = with_status ? "STATUS" : "SELLER";
	struct out_table *t = out_table_new(n, heads);
	if (skus)
		out_table_limit(t, 1, 20, 0);
	out_table_limit(t, title, 48, 1);
	out_table_limit(t, title + 3, 20, 0);
	out_table_limit(t, title + 4, 24, 0);
	cJSON_ArrayForEach(p, items) {
		char id[24], stock[24];
		const char *cells[7];
		int c = 0;
		cells[c++] = num(id, sizeof id, json_int(p, "id"));
		if (skus)
			cells[c++] = json_str(p, "sku");
		cells[c++] = json_str(p, "title");
		cells[c++] = render_money(json_int(p, "price_cents"));
		cells[c++] = num(stock, sizeof stock, json_int(p, "stock"));
		cells[c++] = json_str(p, "category");
		cells[c++] = with_status ? json_str(p, "status") : json_str(p, "seller_name");
		out_table_add(t, cells);
	}
	out_table_print(t, stdout);
	render_page_footer(page);
}

static void field(const char *name, const char *value)
{
	printf("  %-10s ", name);
	out_text(stdout, value, 0);
	printf("\n");
}

void render_product(const cJSON *p)
{
	printf("#%lld ", (long long)json_int(p, "id"));
	out_text(stdout, json_str(p, "title"), 0);
	printf("\n");
	char buf[128];
	snprintf(buf, sizeof buf, "%s %s", render_money(json_int(p, "price_cents")),
		 *json_str(p, "currency") ? json_str(p, "currency") : "USD");
	field("price", buf);
	snprintf(buf, sizeof buf, "%lld", (long long)json_int(p, "stock"));
	field("stock", json_int(p, "stock") > 0 ? buf : "0 (sold out)");
	field("category", json_str(p, "category"));
	const cJSON *tags = cJSON_GetObjectItemCaseSensitive(p, "tags"), *tag;
	if (cJSON_GetArraySize(tags) > 0) {
		printf("  %-10s ", "tags");
		int first = 1;
		cJSON_ArrayForEach(tag, tags) {
			if (!cJSON_IsString(tag))
				continue;
			printf("%s", first ? "" : ", ");
			out_text(stdout, tag->valuestring, 0);
			first = 0;
		}
		printf("\n");
	}
	snprintf(buf, sizeof buf, " (#%lld)", (long long)json_int(p, "seller_id"));
	printf("  %-10s ", "seller");
	out_text(stdout, json_str(p, "seller_name"), 0);
	printf("%s\n", buf);
	if (strcmp(json_str(p, "status"), "active") != 0 && *json_str(p, "status"))
		field("status", json_str(p, "status"));
	if (*json_str(p, "description")) {
		printf("\n");
		out_wrapped(stdout, json_str(p, "description"), 72, "  ");
	}
}

void render_cart_line(const cJSON *cart)
{
	long long n = json_int(cart, "item_count");
	printf("Cart: %lld item%s, subtotal %s\n", n, n == 1 ? "" : "s",
	       render_money(json_int(cart, "subtotal_cents")));
}

void render_cart(const cJSON *cart)
{
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(cart, "items"), *it;
	if (cJSON_GetArraySize(items) == 0) {
		printf("Your cart is empty.\n");
		return;
	}
	int unavailable = 0;
	cJSON_ArrayForEach(it, items)
		unavailable += cJSON_GetObjectItemCaseSensitive(it, "available") &&
			       !json_bool(it, "available");
	const char *heads[] = { ">ID", "TITLE", ">QTY", ">EACH", ">TOTAL", "NOTE" };
	struct out_table *t = out_table_new(unavailable ? 6 : 5, heads); /* NOTE only when needed */
	out_table_limit(t, 1, 48, 1);
	cJSON_ArrayForEach(it, items) {
		char id[24], qty[24];
		int ok = !cJSON_GetObjectItemCaseSensitive(it, "available") || json_bool(it, "available");
		const char *cells[] = {
			num(id, sizeof id, json_int(it, "product_id")), json_str(it, "title"),
			num(qty, sizeof qty, json_int(it, "quantity")),
			render_money(json_int(it, "unit_price_cents")),
			render_money(json_int(it, "line_total_cents")), ok ? "" : "unavailable",
		};
		out_table_add(t, cells);
	}
	out_table_print(t, stdout);
	render_cart_line(cart);
	if (unavailable)
		printf("%d line%s cannot be bought now (sold out or withdrawn); checkout will refuse "
		       "until you remove or reduce %s.\n", unavailable, unavailable == 1 ? "" : "s",
		       unavailable == 1 ? "it" : "them");
}

static const char *date_of(const char *rfc3339, char *buf, size_t len)
{
	/* "2026-11-22T18:04:05Z" -> "2026-11-22 18:04" */
	if (strlen(rfc3339) >= 16 && rfc3339[10] == 'T')
		snprintf(buf, len, "%.10s %.5s", rfc3339, rfc3339 + 11);
	else
		snprintf(buf, len, "%s", rfc3339);
	out_scrub(buf, 0); /* server text: no control characters */
	return buf;
}

void render_orders(const cJSON *page, const char *empty)
{
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(page, "items"), *o;
	if (cJSON_GetArraySize(items) == 0) {
		printf("%s\n", empty);
		return;
	}
	const char *heads[] = { ">ID", "DATE", "STATUS", ">ITEMS", ">TOTAL" };
	struct out_table *t = out_table_new(5, heads);
	cJSON_ArrayForEach(o, items) {
		char id[24], date[40], count[24];
		long long units = 0;
		const cJSON *it;
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, "items")) {
			long long q = json_int(it, "quantity");
			if (q > 0 && units > LLONG_MAX - q) /* a server's nonsense: no overflow */
				units = LLONG_MAX;
			else if (q < 0 && units < LLONG_MIN - q)
				units = LLONG_MIN;
			else
				units += q;
		}
		const char *cells[] = {
			num(id, sizeof id, json_int(o, "id")),
			date_of(json_str(o, "created_at"), date, sizeof date), json_str(o, "status"),
			num(count, sizeof count, units), render_money(json_int(o, "total_cents")),
		};
		out_table_add(t, cells);
	}
	out_table_print(t, stdout);
	render_page_footer(page);
}

/* Prints lead, then the string member key of o cleaned of control characters. */
static void text(const char *lead, const cJSON *o, const char *key)
{
	fputs(lead, stdout);
	out_text(stdout, json_str(o, key), 0);
}

void render_address(const cJSON *a, const char *indent)
{
	if (!cJSON_IsObject(a)) {
		printf("%s(none)\n", indent);
		return;
	}
	const char *keys[] = { "name", "line1", "line2" };
	for (int i = 0; i < 3; i++) {
		if (!*json_str(a, keys[i]))
			continue;
		text(indent, a, keys[i]);
		printf("\n");
	}
	text(indent, a, "postal_code");
	text(" ", a, "city");
	text(", ", a, "country");
	printf("\n");
}

void render_order(const cJSON *o)
{
	char date[40];
	printf("Order #%lld  ", (long long)json_int(o, "id"));
	out_text(stdout, json_str(o, "status"), 0);
	printf("  placed %s\n", date_of(json_str(o, "created_at"), date, sizeof date));
	const char *heads[] = { ">ID", "TITLE", ">QTY", ">EACH", ">TOTAL", "FULFILMENT" };
	struct out_table *t = out_table_new(6, heads);
	out_table_limit(t, 1, 48, 1);
	const cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, "items")) {
		char id[24], qty[24];
		const char *cells[] = {
			num(id, sizeof id, json_int(it, "product_id")), json_str(it, "title"),
			num(qty, sizeof qty, json_int(it, "quantity")),
			render_money(json_int(it, "unit_price_cents")),
			render_money(json_int(it, "line_total_cents")), json_str(it, "fulfillment"),
		};
		out_table_add(t, cells);
	}
	out_table_print(t, stdout);
	printf("Subtotal %s, total %s\n", render_money(json_int(o, "subtotal_cents")),
	       render_money(json_int(o, "total_cents")));
	const cJSON *pay = cJSON_GetObjectItemCaseSensitive(o, "payment");
	if (cJSON_IsObject(pay)) {
		printf("Payment: %s", render_money(json_int(pay, "amount_cents")));
		text(" ", pay, "status");
		text(" ", pay, "brand");
		text(" ending ", pay, "last4");
		printf("\n");
	} else if (strcmp(json_str(o, "status"), "pending_payment") == 0) {
		printf("Payment: not paid yet (voxcart orders pay %lld)\n", (long long)json_int(o, "id"));
	}
	printf("Ship to:\n");
	render_address(cJSON_GetObjectItemCaseSensitive(o, "shipping_address"), "  ");
}
