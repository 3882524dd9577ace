/*
 * buddy.h - the built-in understanding engine and dialogue manager.
 *
 * The buddy hears one utterance per turn (typed text or a speech transcript: any
 * bytes), understands it against the live catalog, acts only through `struct
 * buddy_tools`, and answers in short, speakable sentences through `struct
 * buddy_output`.  It never touches storage or the network itself, so the server
 * wires the tools to the same code as the REST handlers and the tests to a fake
 * catalog.  Dialogue state (what was shown, what "it" is, a pending question or
 * checkout confirmation) lives in `struct buddy_state`, one per conversation; a
 * state is used by one turn at a time.
 *
 * Ownership: every cJSON a tool returns through an out-parameter belongs to the
 * engine, which frees it.  Objects passed to output callbacks are borrowed for the
 * duration of the call.  Vocabulary arrays belong to the server.
 */
#ifndef VOXCART_BUDDY_H
#define VOXCART_BUDDY_H

#include <cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* Tools: the engine acts ONLY through these; the server implements them with the same
 * code as the REST handlers.  Every function returns 0 on success, or an HTTP-like
 * status (404, 409, 422, 402...) on failure and then fills err_code (e.g.
 * "out_of_stock", "not_found", "validation_failed", "payment_declined"; at most
 * BUDDY_ERR_CODE_LEN bytes with the NUL) and err_msg (at most BUDDY_ERR_MSG_LEN).
 * Results are cJSON objects owned by the CALLER (the engine), shaped exactly like
 * PROTOCOL.md resources. */
#define BUDDY_ERR_CODE_LEN 64
#define BUDDY_ERR_MSG_LEN 256
/* Declares the two buffers a tool call fills on failure: `code` and `msg`. */
#define ERRBUF char code[BUDDY_ERR_CODE_LEN] = "", msg[BUDDY_ERR_MSG_LEN] = ""

struct buddy_search {
	const char *query;	/* free text, may be NULL/empty */
	const char *category;	/* or NULL */
	int64_t min_price_cents, max_price_cents;	/* -1 = none */
	const char *sort;	/* "relevance", "price_asc", "price_desc" or NULL */
	int limit;
};

struct buddy_tools {
	void *ctx;
	/* result: {"items":[Product...],"total":N}.  Query is full-text (SQLite FTS5 over
	 * title, description, category, tags, bm25-ranked; words are ANDed, each word
	 * prefix-matched). */
	int (*search)(void *ctx, const struct buddy_search *s, cJSON **result, char *err_code, char *err_msg);
	/* Every distinct lowercase word of active product titles, categories and tags (for
	 * typo correction), and the category names.  The returned arrays are owned by the
	 * server and stay valid for the whole turn. */
	int (*vocabulary)(void *ctx, const char *const **words, size_t *nwords,
			  const char *const **categories, size_t *ncategories);
	int (*product_get)(void *ctx, int64_t id, cJSON **product, char *err_code, char *err_msg);
	int (*cart_view)(void *ctx, cJSON **cart, char *err_code, char *err_msg);
	/* adds to the line; 409 out_of_stock */
	int (*cart_add)(void *ctx, int64_t product_id, int quantity, cJSON **cart, char *err_code, char *err_msg);
	/* 0 removes */
	int (*cart_set)(void *ctx, int64_t product_id, int quantity, cJSON **cart, char *err_code, char *err_msg);
	int (*cart_remove)(void *ctx, int64_t product_id, cJSON **cart, char *err_code, char *err_msg);
	int (*cart_clear)(void *ctx, cJSON **cart, char *err_code, char *err_msg);
	/* {"user":User (with shipping_address or null), "payment_methods":[PaymentMethod]} */
	int (*checkout_info)(void *ctx, cJSON **info, char *err_code, char *err_msg);
	/* Places the order: {"order":Order}.  payment_method_id>0 charges it. */
	int (*checkout)(void *ctx, int64_t payment_method_id, cJSON **order, char *err_code, char *err_msg);
	/* {"items":[Order],...} newest first */
	int (*orders_list)(void *ctx, int limit, cJSON **page, char *err_code, char *err_msg);
	int (*order_cancel)(void *ctx, int64_t order_id, cJSON **order, char *err_code, char *err_msg);
	/* optional: the match_index of the words vocabulary() gave (valid as long as
	 * they are), or NULL; typo correction is then faster, with the same answers */
	const struct match_index *(*vocab_index)(void *ctx);
};

/* Output: called in order as the reply is produced. */
struct buddy_output {
	void *ctx;
	/* a piece of reply text; pieces concatenated = the reply.  Whole sentences, each
	 * ending ". ", "? " or "! ", so speech can start per sentence. */
	void (*delta)(void *ctx, const char *text);
	/* borrowed; names per PROTOCOL.md: search, product.show, cart.add, cart.remove,
	 * cart.set, cart.clear, cart.view, checkout, order.status, order.cancel */
	void (*action)(void *ctx, const char *name, cJSON *args, cJSON *result);
	/* non-zero: stop as soon as possible */
	int (*cancelled)(void *ctx);
};

/* Per-conversation dialogue state: last results shown, last products referred to,
 * pending confirmation (checkout, ambiguity question), etc. */
struct buddy_state;
struct buddy_state *buddy_state_new(void);
void buddy_state_free(struct buddy_state *);
/* The state as version-tagged JSON text ({"v":1,...}; malloc'd, NULL when out of
 * memory), products by id only (buddy/state_io.c). */
char *buddy_state_save(const struct buddy_state *st);
/* A product by id (an owned product-shaped object), or NULL when there is none. */
typedef cJSON *(*buddy_product_fn)(void *ctx, int64_t id);
/* The state buddy_state_save wrote, its products fetched again through product;
 * NULL when text is not such a state (the caller starts fresh). */
struct buddy_state *buddy_state_load(const char *text, buddy_product_fn product, void *ctx);

/* A checkout read back to the shopper and waiting for their yes: the OpenAI engine
 * keeps its question here, in the conversation's state (the built-in engine keeps
 * its own in its dialogue).  at == 0: none. */
struct buddy_checkout_offer {
	int64_t total_cents;		/* the cart subtotal that was read back */
	int64_t payment_method_id;	/* the card that was named */
	double at;			/* monotonic seconds when it was asked */
};
/* The state's offer (never NULL for a state). */
struct buddy_checkout_offer *buddy_state_offer(struct buddy_state *st);

/* The card a checkout charges, from checkout_info's result: the default one, else
 * the first; NULL when there is none.  Borrowed from info. */
const cJSON *buddy_default_card(const cJSON *checkout_info);

struct buddy_turn_info {
	char intent[32];	/* main intent of the turn, e.g. "add", "search", "checkout" */
	double sentiment;	/* -1..1 */
	int frustrated;
};

/* Runs one turn: understands `text`, calls tools, emits deltas and actions.  Returns 0;
 * fills info.  Never crashes on any input (empty, huge, binary, invalid UTF-8). */
int buddy_turn(struct buddy_state *st, const struct buddy_tools *tools,
	       const struct buddy_output *out, const char *text, struct buddy_turn_info *info);

#endif
