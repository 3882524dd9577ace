/*
 * render.h - the protocol's resources (docs/protocol.md) printed for people.
 *
 * Shared by the commands so a product, a cart or an order looks the same wherever it
 * appears.  All take the server's JSON as it came; missing fields print as blanks.
 */
#ifndef VOXCART_RENDER_H
#define VOXCART_RENDER_H

#include <cJSON.h>

/* A page {"items":[Product],"total","limit","offset"} as a table; with_status adds the
 * listing status column (for sellers).  empty is printed when there are no items. */
void render_products(const cJSON *page, int with_status, const char *empty);
/* One Product in full. */
void render_product(const cJSON *product);
/* A Cart as a table with its subtotal. */
void render_cart(const cJSON *cart);
/* "Cart: 3 items, subtotal $5.97" */
void render_cart_line(const cJSON *cart);
/* A page of Orders as a table. */
void render_orders(const cJSON *page, const char *empty);
/* One Order in full. */
void render_order(const cJSON *order);
/* An Address on indented lines ("(none)" for NULL). */
void render_address(const cJSON *address, const char *indent);
/* "showing 21-40 of 57; next: --offset 40" under a page, when there is more than
 * one page. */
void render_page_footer(const cJSON *page);

/* Amount in cents as "$12.99" in a static buffer (valid until the 8th next call). */
const char *render_money(long long cents);

#endif
