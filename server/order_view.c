/*
 * order_view.c - the read side of orders (orders.h): the Order JSON every module
 * shows, the shopper's list, and who may see an order.
 *
 * An order is visible to its owner and to a seller with an item in it; to anyone
 * else it does not exist (404).  A seller sees the seller view (orders_seller_json):
 * their own lines and the shipping address, never the payment.  Lists are newest first (by id, which follows
 * created_at) and take the usual limit/offset, plus an optional status filter.
 */
#include "handlers.h"
#include "orders.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

#define ORDER_STATUSES "pending_payment paid shipped delivered cancelled"

/* ---- Order JSON ---------------------------------------------------------------------- */

cJSON *orders_json(struct store *store, int64_t order_id)
{
	struct store_order so;
	if (store_order_get(store, order_id, &so) != STORE_OK)
		return NULL;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)so.id);
	cJSON_AddNumberToObject(o, "user_id", (double)so.user_id);
	cJSON_AddStringToObject(o, "status", so.status);
	cJSON *items = cJSON_AddArrayToObject(o, "items");
	for (size_t i = 0; i < so.item_count; i++) {
		const struct store_order_item *l = &so.items[i];
		cJSON *it = cJSON_CreateObject();
		cJSON_AddNumberToObject(it, "product_id", (double)l->product_id);
		cJSON_AddNumberToObject(it, "seller_id", (double)l->seller_id);
		cJSON_AddStringToObject(it, "title", l->title);
		cJSON_AddNumberToObject(it, "unit_price_cents", (double)l->unit_price_cents);
		cJSON_AddNumberToObject(it, "quantity", (double)l->quantity);
		cJSON_AddNumberToObject(it, "line_total_cents", (double)(l->unit_price_cents * l->quantity));
		cJSON_AddStringToObject(it, "fulfillment", l->fulfillment);
		cJSON_AddItemToArray(items, it);
	}
	cJSON_AddNumberToObject(o, "subtotal_cents", (double)so.subtotal_cents);
	cJSON_AddNumberToObject(o, "total_cents", (double)so.total_cents);
	cJSON_AddStringToObject(o, "currency", so.currency);
	cJSON_AddItemToObject(o, "shipping_address", api_parse_stored(so.shipping_address));
	if (!so.has_payment) {
		cJSON_AddNullToObject(o, "payment");
	} else {
		cJSON *p = cJSON_AddObjectToObject(o, "payment");
		cJSON_AddStringToObject(p, "status", so.payment_status);
		cJSON_AddStringToObject(p, "brand", so.payment_brand);
		cJSON_AddStringToObject(p, "last4", so.payment_last4);
		cJSON_AddNumberToObject(p, "amount_cents", (double)so.payment_amount_cents);
		api_add_time(p, "paid_at", so.paid_at);
	}
	if (strcmp(so.status, "pending_payment") == 0 && so.expires_at)
		api_add_time(o, "expires_at", so.expires_at);
	api_add_time(o, "created_at", so.created_at);
	api_add_time(o, "updated_at", so.updated_at);
	store_order_free(&so);
	return o;
}

cJSON *orders_seller_json(struct store *store, int64_t order_id, int64_t seller_id)
{
	cJSON *o = orders_json(store, order_id);
	if (!o)
		return NULL;
	/* Only the seller's own lines, their sum as the totals, no payment, no buyer id:
	 * what a seller needs to ship, and nothing about the buyer's other purchases. */
	cJSON *items = cJSON_GetObjectItemCaseSensitive(o, "items");
	int64_t sum = 0;
	for (cJSON *it = items ? items->child : NULL, *next; it; it = next) {
		next = it->next;
		const cJSON *sid = cJSON_GetObjectItemCaseSensitive(it, "seller_id");
		if (!cJSON_IsNumber(sid) || (int64_t)sid->valuedouble != seller_id) {
			cJSON_Delete(cJSON_DetachItemViaPointer(items, it));
			continue;
		}
		const cJSON *lt = cJSON_GetObjectItemCaseSensitive(it, "line_total_cents");
		sum += cJSON_IsNumber(lt) ? (int64_t)lt->valuedouble : 0;
	}
	cJSON_ReplaceItemInObjectCaseSensitive(o, "subtotal_cents", cJSON_CreateNumber((double)sum));
	cJSON_ReplaceItemInObjectCaseSensitive(o, "total_cents", cJSON_CreateNumber((double)sum));
	cJSON_DeleteItemFromObjectCaseSensitive(o, "payment");
	cJSON_DeleteItemFromObjectCaseSensitive(o, "user_id");
	cJSON_DeleteItemFromObjectCaseSensitive(o, "expires_at");
	cJSON_AddTrueToObject(o, "seller_view");
	return o;
}

/* The order's owner, 0 when there is no such order, -1 on a database error. */
static int64_t order_owner(struct store *store, int64_t order_id)
{
	struct store_order_state o;
	int rc = store_order_state(store, order_id, &o);
	return rc == STORE_OK ? o.user_id : rc == STORE_NOT_FOUND ? 0 : -1;
}

cJSON *orders_get_own(struct store *store, int64_t user_id, int64_t order_id)
{
	return order_owner(store, order_id) == user_id ? orders_json(store, order_id) : NULL;
}

/* Page of the user's orders; status filters when not NULL. */
static cJSON *list_page(struct store *store, int64_t user_id, const char *status, int64_t limit,
			int64_t offset)
{
	int64_t ids[100], total = 0;
	size_t n = 0;
	if (limit > 100)
		limit = 100;
	if (store_order_ids(store, user_id, status, limit, offset, ids, &n, &total) != STORE_OK)
		return NULL;
	cJSON *items = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		cJSON *o = orders_json(store, ids[i]);
		if (!o) {
			cJSON_Delete(items);
			return NULL;
		}
		cJSON_AddItemToArray(items, o);
	}
	return api_page_json(items, total, limit, offset);
}

cJSON *orders_list_json(struct store *store, int64_t user_id, int limit)
{
	if (limit < 1)
		limit = 1;
	if (limit > 100)
		limit = 100;
	return list_page(store, user_id, NULL, limit, 0);
}

HANDLER(h_orders_list)
{
	int64_t limit, offset;
	if (api_page(req, resp, &limit, &offset) != 0)
		return;
	const char *status = api_query(req, "status");
	if (status && (!*status || strchr(status, ' ') || !strstr(ORDER_STATUSES, status))) {
		api_error(resp, 400, "bad_request", "status", "status must be one of: %s.",
			  ORDER_STATUSES);
		return;
	}
	cJSON *page = list_page(req->store, req->user.id, status, limit, offset);
	if (!page) {
		api_store_failed(resp, req->store, "orders list");
		return;
	}
	api_json(resp, 200, page);
}

HANDLER(h_order_get)
{
	int64_t id = req->params[0];
	int64_t owner = order_owner(req->store, id);
	int visible = owner == req->user.id;
	if (owner > 0 && !visible) {
		/* A seller sees the orders that hold their items. */
		if (store_order_has_seller(req->store, id, req->user.id, &visible) != STORE_OK)
			visible = 0;
	}
	cJSON *o = !visible ? NULL
		   : owner == req->user.id ? orders_json(req->store, id)
					   : orders_seller_json(req->store, id, req->user.id);
	if (owner < 0 || (visible && !o))
		api_store_failed(resp, req->store, "order get");
	else if (!visible)
		api_error(resp, 404, "not_found", NULL, "You have no order %lld.", (long long)id);
	else
		api_json(resp, 200, o);
}

