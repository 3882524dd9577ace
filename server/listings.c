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
#include "store.h"
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

/* Re-indexes one product: active products are in products_fts, others are not. */
static void fts_sync(sqlite3 *db, int64_t id)
{
	sqlite3_stmt *del = store_prepare(db, "DELETE FROM products_fts WHERE rowid = ?");
	if (del) {
		sqlite3_bind_int64(del, 1, id);
		sqlite3_step(del);
		sqlite3_finalize(del);
	}
	sqlite3_stmt *ins = store_prepare(db,
		"INSERT INTO products_fts (rowid, title, description, category, tags_text)"
		" SELECT id, title, description, category,"
		" (SELECT group_concat(value, ' ') FROM json_each(products.tags))"
		" FROM products WHERE id = ? AND status = 'active'");
	if (ins) {
		sqlite3_bind_int64(ins, 1, id);
		sqlite3_step(ins);
		sqlite3_finalize(ins);
	}
}

int64_t catalog_insert(sqlite3 *db, int64_t seller_id, const char *title, const char *desc,
		       int64_t price_cents, int64_t stock, const char *category,
		       const char *tags_json)
{
	int64_t now = store_now();
	sqlite3_stmt *st = store_prepare(db,
		"INSERT INTO products (seller_id, title, description, price_cents, stock, category,"
		" tags, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, seller_id);
	sqlite3_bind_text(st, 2, title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, desc ? desc : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, price_cents);
	sqlite3_bind_int64(st, 5, stock);
	sqlite3_bind_text(st, 6, category, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, tags_json ? tags_json : "[]", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, now);
	sqlite3_bind_int64(st, 9, now);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -1;
	int64_t id = sqlite3_last_insert_rowid(db);
	fts_sync(db, id);
	return id;
}

/* The seller's listing with this sku: its id, 0 when none, -1 on a database error. */
static int64_t listing_by_sku(sqlite3 *db, int64_t seller_id, const char *sku)
{
	sqlite3_stmt *st = store_prepare(db, "SELECT id FROM products WHERE seller_id = ? AND sku = ?");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, seller_id);
	sqlite3_bind_text(st, 2, sku, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : rc == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return id;
}

/* Product JSON for its seller: the public Product plus "sku" when it has one. */
static cJSON *own_product_json(sqlite3 *db, int64_t id)
{
	cJSON *p = catalog_product_get(db, id);
	sqlite3_stmt *st = p ? store_prepare(db, "SELECT sku FROM products WHERE id = ?") : NULL;
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
			cJSON_AddStringToObject(p, "sku", (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
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
	int64_t id = l.sku ? listing_by_sku(req->db, req->user.id, l.sku) : 0;
	if (id > 0) { /* the seller's listing with this sku: update it */
		update_listing(req, resp, id, &l);
		free(l.tags_json);
		return;
	}
	if (id == 0 && store_begin(req->db) == 0) {
		id = catalog_insert(req->db, req->user.id, l.title, l.description, l.price_cents,
				    l.stock, l.category, l.tags_json);
		if (id > 0 && l.sku) {
			sqlite3_stmt *st = store_prepare(req->db, "UPDATE products SET sku = ? WHERE id = ?");
			int ok = st != NULL;
			if (ok) {
				sqlite3_bind_text(st, 1, l.sku, -1, SQLITE_STATIC);
				sqlite3_bind_int64(st, 2, id);
				ok = sqlite3_step(st) == SQLITE_DONE;
			}
			sqlite3_finalize(st);
			if (!ok)
				id = -1;
		}
		if (id > 0 && store_commit(req->db) == 0)
			catalog_product_changed(req->srv, req->db, id);
		else
			id = -1;
	} else {
		id = -1;
	}
	store_rollback(req->db);
	free(l.tags_json);
	cJSON *p = id > 0 ? own_product_json(req->db, id) : NULL;
	if (!p) {
		api_internal(resp, req->db, "product create");
		return;
	}
	api_json(resp, 201, p);
}

/* 0 when the caller's own product; otherwise sets 404/403 and returns -1. */
static int own_product(struct api_req *req, struct api_resp *resp, int64_t id)
{
	sqlite3_stmt *st = store_prepare(req->db, "SELECT seller_id FROM products WHERE id = ?");
	if (!st) {
		api_internal(resp, req->db, "product owner");
		return -1;
	}
	sqlite3_bind_int64(st, 1, id);
	int64_t seller = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
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
		int64_t other = listing_by_sku(req->db, req->user.id, l.sku);
		if (other < 0) {
			api_internal(resp, req->db, "product sku");
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
		api_json(resp, 200, own_product_json(req->db, id));
		return;
	}
	sqlite3_stmt *st = store_prepare(req->db,
		"UPDATE products SET title = coalesce(?1, title),"
		" description = coalesce(?2, description), category = coalesce(?3, category),"
		" status = coalesce(?4, status),"
		" price_cents = CASE WHEN ?5 THEN ?6 ELSE price_cents END,"
		" stock = CASE WHEN ?7 THEN ?8 ELSE stock END, tags = coalesce(?9, tags),"
		" updated_at = ?10, sku = coalesce(?12, sku) WHERE id = ?11");
	int ok = st && store_begin(req->db) == 0;
	if (ok) {
		sqlite3_bind_text(st, 1, l.title, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, l.description, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, l.category, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, l.status, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 5, l.has_price);
		sqlite3_bind_int64(st, 6, l.price_cents);
		sqlite3_bind_int(st, 7, l.has_stock);
		sqlite3_bind_int64(st, 8, l.stock);
		sqlite3_bind_text(st, 9, l.tags_json, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 10, store_now());
		sqlite3_bind_int64(st, 11, id);
		sqlite3_bind_text(st, 12, l.sku, -1, SQLITE_STATIC);
		ok = sqlite3_step(st) == SQLITE_DONE;
		if (ok)
			fts_sync(req->db, id);
		ok = ok && store_commit(req->db) == 0;
	}
	store_rollback(req->db);
	sqlite3_finalize(st);
	if (!ok) {
		api_internal(resp, req->db, "product patch");
		return;
	}
	catalog_product_changed(req->srv, req->db, id);
	api_json(resp, 200, own_product_json(req->db, id));
}

HANDLER(h_product_delete)
{
	int64_t id = req->params[0];
	if (own_product(req, resp, id) != 0)
		return;
	sqlite3_stmt *st = store_prepare(req->db,
		"UPDATE products SET status = 'archived', updated_at = ? WHERE id = ?");
	int ok = st != NULL && store_begin(req->db) == 0;
	if (ok) {
		sqlite3_bind_int64(st, 1, store_now());
		sqlite3_bind_int64(st, 2, id);
		ok = sqlite3_step(st) == SQLITE_DONE;
		if (ok)
			fts_sync(req->db, id);
		ok = ok && store_commit(req->db) == 0;
	}
	store_rollback(req->db);
	sqlite3_finalize(st);
	if (!ok) {
		api_internal(resp, req->db, "product delete");
		return;
	}
	catalog_product_changed(req->srv, req->db, id);
	api_empty(resp, 204);
}
