/*
 * cart.h - the shopper's cart (PROTOCOL.md Cart), shared by the REST handlers and the
 * buddy's tools: both call these functions, so they behave the same.
 *
 * Also home of `struct cart_error`, the error the commerce modules (cart, orders,
 * seller) fill: an HTTP status with PROTOCOL.md's code, the field it names and a
 * sentence a person can read (the buddy speaks it).
 */
#ifndef VOXCART_CART_H
#define VOXCART_CART_H

#include "api.h"

struct store;

/* Size of the err_code buffers the functions below fill. */
#define CART_ERR_CODE 32

struct cart_error {
	int status;                 /* 0 when nothing went wrong */
	char code[CART_ERR_CODE];   /* not_found, out_of_stock, validation_failed... */
	char field[32];             /* "" when none; a product id for out_of_stock */
	char message[256];
};

void cart_error_set(struct cart_error *e, int status, const char *code, const char *field,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Answers the error as PROTOCOL.md's error body (500 when e->status is 0). */
void cart_error_answer(const struct cart_error *e, struct api_resp *resp);
/* Copies code (CART_ERR_CODE bytes) and message (msglen bytes); either may be NULL. */
void cart_error_copy(const struct cart_error *e, char *err_code, char *err_msg, size_t msglen);

/* Cart JSON {"items":[CartItem],"item_count","subtotal_cents","currency"}, or NULL on
 * a database error.  A line is "available":false when its product is archived or has
 * less stock than the line's quantity; such lines count in item_count but not in
 * subtotal_cents.  Prices are today's (checkout takes its own snapshot). */
cJSON *cart_json(struct store *db, int64_t user_id);

/*
 * The changes.  Each returns 0, or an HTTP status with err_code (CART_ERR_CODE bytes)
 * and err_msg filled; err_code/err_msg may be NULL.  cart_add and cart_set run their
 * own transaction: call them outside one.
 *   cart_add:    adds qty (1..1000) to the product's line.  404 not_found (unknown or
 *                archived product), 422 validation_failed (quantity, or a line over
 *                1000), 409 out_of_stock (the line would exceed the stock).
 *   cart_set:    sets the line to qty (0..1000); 0 removes it (and is fine when the
 *                line is not there).  Same errors as cart_add.
 *   cart_remove: drops the line; 404 when the product is not in the cart.
 *   cart_clear:  empties the cart.
 */
int cart_add(struct store *db, int64_t user_id, int64_t product_id, int64_t qty, char *err_code,
	     char *err_msg, size_t msglen);
int cart_set(struct store *db, int64_t user_id, int64_t product_id, int64_t qty, char *err_code,
	     char *err_msg, size_t msglen);
int cart_remove(struct store *db, int64_t user_id, int64_t product_id, char *err_code,
		char *err_msg, size_t msglen);
int cart_clear(struct store *db, int64_t user_id, char *err_code, char *err_msg, size_t msglen);

#endif
