/*
 * seller.c - the seller's side of orders: the orders holding their items, shipping
 * them, and sales figures.
 *
 * Invariants:
 * - A seller sees an order when at least one item in it is theirs, and then only the
 *   seller view (orders_seller_json): their own lines, the totals of those, the
 *   shipping address; never the payment or other sellers' lines.  Others get 404,
 *   never 403, so order ids reveal nothing.
 * - Shipping marks only the caller's own items, and only in a paid order (a
 *   pending_payment or cancelled order is 409).  When the last pending item of the
 *   order ships, the order becomes "shipped".  Shipping again is a harmless no-op.
 * - Stats count orders that were paid (paid, shipped, delivered): a pending or
 *   cancelled order is no sale.  low_stock lists at most 100 active listings with
 *   stock <= 5, lowest first; low_stock_total counts them all.
 */
#include "catalog.h"
#include "handlers.h"
#include "orders.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

#define LOW_STOCK 5

HANDLER(h_seller_orders)
{
	int64_t limit, offset, me = req->user.id;
	if (api_page(req, resp, &limit, &offset) != 0)
		return;
	const char *status = api_query(req, "status");
	static const char *const known[] = { "pending_payment", "paid", "shipped", "delivered",
					     "cancelled" };
	int ok = status == NULL;
	for (size_t i = 0; !ok && i < sizeof known / sizeof known[0]; i++)
		ok = strcmp(status, known[i]) == 0;
	if (!ok) {
		api_error(resp, 400, "bad_request", "status",
			  "status must be pending_payment, paid, shipped, delivered or cancelled.");
		return;
	}
	int64_t ids[100], total = 0;
	size_t n = 0;
	if (limit > 100)
		limit = 100;
	if (store_seller_order_ids(req->store, me, status, limit, offset, ids, &n, &total) !=
	    STORE_OK) {
		api_store_failed(resp, req->store, "seller orders");
		return;
	}
	cJSON *items = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		cJSON *o = orders_seller_json(req->store, ids[i], me);
		if (!o) {
			cJSON_Delete(items);
			api_store_failed(resp, req->store, "seller orders");
			return;
		}
		cJSON_AddItemToArray(items, o);
	}
	api_json(resp, 200, api_page_json(items, total, limit, offset));
}

/* The ship steps inside a transaction: 0 done, 404/409 refused (resp set), -1 error. */
static int ship_tx(struct api_req *req, struct api_resp *resp, int64_t order_id)
{
	int64_t me = req->user.id, now = store_now();
	char status[24];
	int mine = 0;
	int rc = store_seller_order_lines(req->store, order_id, me, status, &mine);
	if (rc == STORE_ERROR)
		return -1;
	if (!mine) {
		api_error(resp, 404, "not_found", NULL, "You have no items in order %lld.",
			  (long long)order_id);
		return 404;
	}
	if (strcmp(status, "pending_payment") == 0 || strcmp(status, "cancelled") == 0) {
		api_error(resp, 409, "conflict", NULL, "Order %lld is %s; only paid orders ship.",
			  (long long)order_id, status);
		return 409;
	}
	if (strcmp(status, "paid") != 0)
		return 0; /* shipped or delivered: the items are already out */
	return store_seller_ship(req->store, order_id, me, now) == STORE_OK ? 0 : -1;
}

HANDLER(h_seller_ship)
{
	int64_t id = req->params[0];
	if (store_tx_begin(req->store) != STORE_OK) {
		api_store_failed(resp, req->store, "ship");
		return;
	}
	int rc = ship_tx(req, resp, id);
	if (rc == 0 && store_tx_commit(req->store) != STORE_OK)
		rc = -1;
	store_tx_rollback(req->store);
	if (rc > 0)
		return;
	cJSON *o = rc == 0 ? orders_seller_json(req->store, id, req->user.id) : NULL;
	if (!o) {
		api_store_failed(resp, req->store, "ship");
		return;
	}
	api_json(resp, 200, o);
}

static cJSON *top_products(struct store *store, int64_t me)
{
	struct store_top_products l;
	if (store_seller_top_products(store, me, 5, &l) != STORE_OK)
		return NULL;
	cJSON *top = cJSON_CreateArray();
	for (size_t i = 0; i < l.count; i++) {
		cJSON *t = cJSON_CreateObject();
		cJSON_AddNumberToObject(t, "product_id", (double)l.items[i].product_id);
		cJSON_AddStringToObject(t, "title", l.items[i].title);
		cJSON_AddNumberToObject(t, "units", (double)l.items[i].units);
		cJSON_AddNumberToObject(t, "revenue_cents", (double)l.items[i].revenue_cents);
		cJSON_AddItemToArray(top, t);
	}
	store_top_products_free(&l);
	return top;
}

static cJSON *low_stock(struct store *store, int64_t me)
{
	struct store_products l;
	if (store_seller_low_stock(store, me, LOW_STOCK, 100, &l) != STORE_OK)
		return NULL;
	cJSON *low = catalog_products_json(&l);
	store_products_free(&l);
	return low;
}

HANDLER(h_seller_stats)
{
	int64_t me = req->user.id;
	struct store_seller_totals t;
	cJSON *out = NULL, *top = NULL, *low = NULL;
	int64_t low_total = -1;
	if (store_seller_totals(req->store, me, LOW_STOCK, &t) == STORE_OK) {
		out = cJSON_CreateObject();
		cJSON_AddNumberToObject(out, "revenue_cents", (double)t.revenue_cents);
		cJSON_AddNumberToObject(out, "orders", (double)t.orders);
		cJSON_AddNumberToObject(out, "units_sold", (double)t.units_sold);
		cJSON_AddStringToObject(out, "currency", "USD");
		low_total = t.low_stock_total;
	}
	if (out && low_total >= 0 && (top = top_products(req->store, me)) &&
	    (low = low_stock(req->store, me))) {
		cJSON_AddItemToObject(out, "top_products", top);
		cJSON_AddItemToObject(out, "low_stock", low);
		/* low_stock holds the first 100 (lowest stock first); this counts them all */
		cJSON_AddNumberToObject(out, "low_stock_total", (double)low_total);
		api_json(resp, 200, out);
		return;
	}
	cJSON_Delete(out);
	cJSON_Delete(top);
	cJSON_Delete(low);
	api_store_failed(resp, req->store, "seller stats");
}
