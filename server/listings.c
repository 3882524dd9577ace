/*
 * listings.c - sellers' product writes: create, edit, archive (catalog.h).
 *
 * Field rules are PROTOCOL.md's: title 1..200 chars, description <= 5000,
 * price_cents 0..100000000, stock 0..1000000, category 1..64, at most 20 tags of
 * 1..32 chars.  A PATCH checks every field it is given before it changes anything.
 * Only the product's own seller may edit or archive it (403 for other sellers).
 * DELETE archives: the row stays, because past orders point at it.
 *
 * A listing may carry the seller's own "sku" (1..64 chars, unique per seller).  A POST
 * with a sku the seller already uses updates that listing (200) instead of creating
 * another (201): importing the same catalog twice changes listings, it does not
 * double them.  Giving a PATCH another listing's sku is 409.  The sku is shown only
 * to its seller (in the answers of these writes).
 */
#include "catalog.h"
#include "handlers.h"
#include "server.h"
#include "store/store.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

struct listing {
	const char *title, *description, *category, *status, *currency, *sku;
	int64_t price_cents, stock;
	int has_price, has_stock;
	char *tags_json; /* malloc'd canonical JSON array, NULL when absent */
};

static int check_tags(const cJSON *tags, struct api_resp *resp, char **out)
{
	if (!cJSON_IsArray(tags) || cJSON_GetArraySize(tags) > 20) {
		api_error(resp, 422, "validation_failed", "tags",
			  "tags must be an array of at most 20 strings.");
		return -1;
	}
	cJSON *canon = cJSON_CreateArray();
	const cJSON *t;
	cJSON_ArrayForEach(t, tags)
	{
		size_t n = cJSON_IsString(t) ? utf8_length(t->valuestring) : 0;
		if (n < 1 || n > 32) {
			cJSON_Delete(canon);
			api_error(resp, 422, "validation_failed", "tags",
				  "each tag must be a string of 1 to 32 characters.");
			return -1;
		}
		cJSON_AddItemToArray(canon, cJSON_CreateString(t->valuestring));
	}
	*out = cJSON_PrintUnformatted(canon);
	cJSON_Delete(canon);
	return 0;
}

/* Reads and checks the fields; with partial=0 the required ones must be there. */
static int read_listing(const cJSON *body, struct api_resp *resp, int partial, struct listing *l)
{
	int req = !partial;
	memset(l, 0, sizeof *l);
	if (api_field_string(body, resp, "title", req, 1, 200, &l->title) ||
	    api_field_string(body, resp, "description", 0, 0, 5000, &l->description) ||
	    api_field_string(body, resp, "category", req, 1, 64, &l->category) ||
	    api_field_string(body, resp, "currency", 0, 3, 3, &l->currency) ||
	    api_field_string(body, resp, "status", 0, 1, 16, &l->status) ||
	    api_field_string(body, resp, "sku", 0, 1, 64, &l->sku) ||
	    api_field_int(body, resp, "price_cents", req, 0, 100000000, &l->price_cents, &l->has_price) ||
	    api_field_int(body, resp, "stock", req, 0, 1000000, &l->stock, &l->has_stock))
		return -1;
	if (l->currency && strcmp(l->currency, "USD") != 0) {
		api_error(resp, 422, "validation_failed", "currency", "Only USD is supported.");
		return -1;
	}
	if (l->status && strcmp(l->status, "active") != 0 && strcmp(l->status, "archived") != 0) {
		api_error(resp, 422, "validation_failed", "status", "status must be active or archived.");
		return -1;
	}
	const cJSON *tags = cJSON_GetObjectItemCaseSensitive(body, "tags");
	if (tags && !cJSON_IsNull(tags) && check_tags(tags, resp, &l->tags_json) != 0)
		return -1;
	return 0;
}

int64_t catalog_insert(struct store *store, int64_t seller_id, const char *title, const char *desc,
		       int64_t price_cents, int64_t stock, const char *category,
		       const char *tags_json)
{
	int64_t id = -1;
	if (store_product_insert(store, seller_id, title, desc, price_cents, stock, category,
				 tags_json, NULL, store_now(), &id) != STORE_OK)
		return -1;
	return id;
}

/* The seller's listing with this sku: its id, 0 when none, -1 on a database error. */
static int64_t listing_by_sku(struct store *store, int64_t seller_id, const char *sku)
{
	int64_t id = 0;
	int rc = store_product_by_sku(store, seller_id, sku, &id);
	return rc == STORE_OK ? id : rc == STORE_NOT_FOUND ? 0 : -1;
}

/* Product JSON for its seller: the public Product plus "sku" when it has one. */
static cJSON *own_product_json(struct store *store, int64_t id)
{
	struct store_product sp;
	if (store_product_get(store, id, &sp) != STORE_OK)
		return NULL;
	cJSON *p = catalog_product_json(&sp);
	if (sp.sku)
		cJSON_AddStringToObject(p, "sku", sp.sku);
	store_product_free(&sp);
	return p;
}

static void update_listing(struct api_req *req, struct api_resp *resp, int64_t id,
			   struct listing *l);

HANDLER(h_product_create)
{
	struct listing l;
	if (read_listing(req->json, resp, 0, &l) != 0) {
		free(l.tags_json);
		return;
	}
	int64_t id = l.sku ? listing_by_sku(req->store, req->user.id, l.sku) : 0;
	if (id > 0) { /* the seller's listing with this sku: update it */
		update_listing(req, resp, id, &l);
		free(l.tags_json);
		return;
	}
	if (id == 0 && store_product_insert(req->store, req->user.id, l.title, l.description,
					    l.price_cents, l.stock, l.category, l.tags_json, l.sku,
					    store_now(), &id) == STORE_OK)
		catalog_product_changed(req->srv, req->store, id);
	else
		id = -1;
	free(l.tags_json);
	cJSON *p = id > 0 ? own_product_json(req->store, id) : NULL;
	if (!p) {
		api_store_failed(resp, req->store, "product create");
		return;
	}
	api_json(resp, 201, p);
}

/* 0 when the caller's own product; otherwise sets 404/403 and returns -1. */
static int own_product(struct api_req *req, struct api_resp *resp, int64_t id)
{
	struct store_product p;
	int rc = store_product_get(req->store, id, &p);
	if (rc == STORE_ERROR) {
		api_store_failed(resp, req->store, "product owner");
		return -1;
	}
	int64_t seller = rc == STORE_OK ? p.seller_id : 0;
	if (rc == STORE_OK)
		store_product_free(&p);
	if (!seller) {
		api_error(resp, 404, "not_found", NULL, "There is no product %lld.", (long long)id);
		return -1;
	}
	if (seller != req->user.id) {
		api_error(resp, 403, "forbidden", NULL, "Product %lld belongs to another seller.",
			  (long long)id);
		return -1;
	}
	return 0;
}

HANDLER(h_product_patch)
{
	int64_t id = req->params[0];
	struct listing l;
	if (own_product(req, resp, id) != 0)
		return;
	if (read_listing(req->json, resp, 1, &l) != 0) {
		free(l.tags_json);
		return;
	}
	if (l.sku) {
		int64_t other = listing_by_sku(req->store, req->user.id, l.sku);
		if (other < 0) {
			api_store_failed(resp, req->store, "product sku");
			free(l.tags_json);
			return;
		}
		if (other > 0 && other != id) {
			api_error(resp, 409, "conflict", "sku", "Your listing %lld already has sku %s.",
				  (long long)other, l.sku);
			free(l.tags_json);
			return;
		}
	}
	update_listing(req, resp, id, &l);
	free(l.tags_json);
}

/* Applies the fields given in l to the caller's listing id and answers it (200). */
static void update_listing(struct api_req *req, struct api_resp *resp, int64_t id,
			   struct listing *l_)
{
	struct listing l = *l_;
	if (!l.title && !l.description && !l.category && !l.status && !l.has_price &&
	    !l.has_stock && !l.tags_json && !l.sku) {
		/* Nothing to change: answer the product as it is, updated_at untouched. */
		api_json(resp, 200, own_product_json(req->store, id));
		return;
	}
	struct store_product_change c = {
		.title = l.title, .description = l.description, .category = l.category,
		.status = l.status, .tags_json = l.tags_json, .sku = l.sku,
		.has_price = l.has_price, .price_cents = l.price_cents,
		.has_stock = l.has_stock, .stock = l.stock,
	};
	int ok = store_tx_begin(req->store) == STORE_OK &&
		 store_product_update(req->store, id, &c, store_now()) == STORE_OK &&
		 store_tx_commit(req->store) == STORE_OK;
	if (!ok) {
		api_store_failed(resp, req->store, "product patch");
		store_tx_rollback(req->store);
		return;
	}
	catalog_product_changed(req->srv, req->store, id);
	api_json(resp, 200, own_product_json(req->store, id));
}

HANDLER(h_product_delete)
{
	int64_t id = req->params[0];
	if (own_product(req, resp, id) != 0)
		return;
	/* DELETE archives: the row stays for the orders that point at it. */
	struct store_product_change c = { .status = "archived" };
	int ok = store_tx_begin(req->store) == STORE_OK &&
		 store_product_update(req->store, id, &c, store_now()) == STORE_OK &&
		 store_tx_commit(req->store) == STORE_OK;
	if (!ok) {
		api_store_failed(resp, req->store, "product delete");
		store_tx_rollback(req->store);
		return;
	}
	catalog_product_changed(req->srv, req->store, id);
	api_empty(resp, 204);
}
