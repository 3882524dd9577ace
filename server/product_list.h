/*
 * product_list.h - GET /api/v1/products without SQL or cJSON on its way (issue 16):
 * the page's ids from the in-memory index (searchidx.h), each product's JSON from the
 * serialised copies that by-id answers use (product_cache.h), joined into the page.
 */
#ifndef VOXCART_PRODUCT_LIST_H
#define VOXCART_PRODUCT_LIST_H

#include "api.h"

/* Answers the product list as h_products_list would, byte for byte: 0 (resp filled),
 * or -1 when it leaves the request to h_products_list (the index is not built yet, a
 * query it leaves to SQLite, a parameter that gets an error answer), resp untouched. */
int product_list_answer(struct api_req *req, struct api_resp *resp);

/* Serialises every active product into product_cache (up to its byte budget), so that
 * neither a product page nor a list reads it from the database on its first request.  The
 * server runs it once, on a thread of its own, at the first product request. */
struct store;
void product_list_warm(struct store *s);

#endif
