/*
 * state_io.c - the built-in engine's dialogue state as text and back, so that a
 * conversation resumed on another voxcartd process (or after a restart) continues
 * with its context (issues 12, 13).  The text is JSON tagged {"v":1,...}; products
 * are kept by id only and fetched again through the catalog when the state is
 * loaded (a product gone since is dropped).  The OpenAI engine's checkout offer is
 * not kept: its time is this process's monotonic clock.
 *
 * The loader reads only what the server itself stored (store_conv_state_put of
 * buddy_state_save's text), never bytes from outside, so it has no fuzz harness; it
 * is still tolerant: text that is not a version-1 state gives NULL (the caller
 * starts fresh), fields missing or out of range take their fresh values.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buddy/dialogue.h"

#define STATE_VERSION 1

static void add_int(cJSON *o, const char *k, int64_t v)
{
	if (v)
		cJSON_AddNumberToObject(o, k, (double)v);
}

static void add_str(cJSON *o, const char *k, const char *v)
{
	if (v[0])
		cJSON_AddStringToObject(o, k, v);
}

static cJSON *id_array(const int64_t *ids, int n)
{
	cJSON *a = cJSON_CreateArray();
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateNumber((double)ids[i]));
	return a;
}

char *buddy_state_save(const struct buddy_state *st)
{
	if (!st)
		return NULL;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "v", STATE_VERSION);
	add_int(o, "turn", st->turn);
	cJSON *shown = cJSON_AddArrayToObject(o, "shown");
	const cJSON *p;
	cJSON_ArrayForEach(p, st->shown) {
		cJSON *s = cJSON_CreateObject();
		cJSON_AddNumberToObject(s, "id", (double)dlg_id(p));
		if (cJSON_GetObjectItemCaseSensitive(p, "quantity"))
			cJSON_AddNumberToObject(s, "quantity", (double)dlg_int(p, "quantity", 0));
		cJSON_AddItemToArray(shown, s);
	}
	add_int(o, "shown_is_cart", st->shown_is_cart);
	add_int(o, "shown_turn", st->shown_turn);
	add_int(o, "focus_turn", st->focus_turn);
	add_int(o, "info_turn", st->info_turn);
	cJSON_AddItemToObject(o, "focus", id_array(st->focus, st->nfocus));
	cJSON *last = cJSON_AddObjectToObject(o, "last");
	add_int(last, "kind", st->last.kind);
	add_int(last, "id", st->last.id);
	add_int(last, "qty", st->last.qty);
	add_int(last, "line_before", st->last.line_before);
	add_int(last, "turn", st->last.turn);
	cJSON *batch = cJSON_AddArrayToObject(o, "batch");
	for (int i = 0; i < st->nbatch; i++) {
		cJSON *b = cJSON_CreateObject();
		add_int(b, "id", st->batch[i].id);
		add_int(b, "qty", st->batch[i].qty);
		add_int(b, "line_before", st->batch[i].line_before);
		cJSON_AddItemToArray(batch, b);
	}
	add_int(o, "batch_turn", st->batch_turn);
	add_int(o, "guess_turn", st->guess_turn);
	add_str(o, "last_query", st->last_query);
	add_str(o, "last_category", st->last_category);
	cJSON_AddNumberToObject(o, "price_min", (double)st->last_price.min_cents);
	cJSON_AddNumberToObject(o, "price_max", (double)st->last_price.max_cents);
	add_int(o, "last_sort", st->last_sort);
	add_int(o, "last_offset", st->last_offset);
	add_int(o, "pending", st->pending);
	add_int(o, "pending_turn", st->pending_turn);
	add_int(o, "pending_intent", st->pending_intent);
	add_int(o, "pending_qty", st->pending_qty);
	add_int(o, "pending_total", st->pending_total);
	add_int(o, "pending_pm", st->pending_pm);
	add_int(o, "suggest_id", st->suggest_id);
	add_int(o, "pending_order", st->pending_order);
	add_int(o, "suggest_qty", st->suggest_qty);
	cJSON *choices = cJSON_AddArrayToObject(o, "choices");
	for (int i = 0; i < st->nchoices; i++) {
		cJSON *c = cJSON_CreateObject();
		add_int(c, "intent", st->choices[i].intent);
		add_int(c, "qty", st->choices[i].qty);
		cJSON_AddItemToObject(c, "ids", id_array(st->choices[i].ids, st->choices[i].n));
		add_str(c, "question", st->choices[i].question);
		cJSON_AddItemToArray(choices, c);
	}
	add_int(o, "last_intent", st->last_intent);
	add_int(o, "placed_id", st->placed_id);
	add_int(o, "placed_turn", st->placed_turn);
	add_int(o, "checkout_said_turn", st->checkout_said_turn);
	add_int(o, "budget_cents", st->budget_cents);
	cJSON *corr = cJSON_AddArrayToObject(o, "correction_turns");
	for (int i = 0; i < 4; i++)
		cJSON_AddItemToArray(corr, cJSON_CreateNumber(st->correction_turns[i]));
	add_str(o, "last_text", st->last_text);
	add_str(o, "last_reply", st->last_reply);
	add_str(o, "heard", st->heard);
	char *text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return text;
}

/* A number field as an integer in [lo, hi]; def when missing or out of range. */
static int64_t get_int(const cJSON *o, const char *k, int64_t lo, int64_t hi, int64_t def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= (double)lo) || !(v->valuedouble <= (double)hi))
		return def;
	return (int64_t)v->valuedouble;
}

static int get_turn(const cJSON *o, const char *k)
{
	return (int)get_int(o, k, 0, 1000000000, 0);
}

#define ID_MAX ((int64_t)1 << 53)

static void get_str(const cJSON *o, const char *k, char *out, size_t len)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	snprintf(out, len, "%s", cJSON_IsString(v) && v->valuestring ? v->valuestring : "");
}

/* Up to max ids of a JSON array of positive numbers; returns how many. */
static int get_ids(const cJSON *a, int64_t *ids, int max)
{
	int n = 0;
	const cJSON *v;
	cJSON_ArrayForEach(v, a) {
		if (n >= max)
			break;
		if (cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble <= (double)ID_MAX)
			ids[n++] = (int64_t)v->valuedouble;
	}
	return n;
}

struct buddy_state *buddy_state_load(const char *text, buddy_product_fn product, void *ctx)
{
	if (!text)
		return NULL;
	cJSON *o = cJSON_Parse(text);
	if (!cJSON_IsObject(o) || get_int(o, "v", 0, 1000, 0) != STATE_VERSION) {
		cJSON_Delete(o);
		return NULL;
	}
	struct buddy_state *st = buddy_state_new();
	if (!st) {
		cJSON_Delete(o);
		return NULL;
	}
	st->turn = get_turn(o, "turn");
	const cJSON *s;
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(o, "shown")) {
		int64_t id = get_int(s, "id", 1, ID_MAX, 0);
		cJSON *p = id > 0 && product ? product(ctx, id) : NULL;
		if (!p)
			continue;	/* gone from the catalog since */
		if (cJSON_GetObjectItemCaseSensitive(s, "quantity")) {
			cJSON_DeleteItemFromObjectCaseSensitive(p, "quantity");
			cJSON_AddNumberToObject(p, "quantity", (double)get_int(s, "quantity", 0, 1000000, 0));
		}
		cJSON_AddItemToArray(st->shown, p);
	}
	st->shown_is_cart = get_int(o, "shown_is_cart", 0, 1, 0);
	st->shown_turn = get_turn(o, "shown_turn");
	st->focus_turn = get_turn(o, "focus_turn");
	st->info_turn = get_turn(o, "info_turn");
	st->nfocus = get_ids(cJSON_GetObjectItemCaseSensitive(o, "focus"), st->focus, DLG_MAX_FOCUS);
	const cJSON *last = cJSON_GetObjectItemCaseSensitive(o, "last");
	st->last.kind = (enum dlg_last_kind)get_int(last, "kind", DLG_LAST_NONE, DLG_LAST_SET, DLG_LAST_NONE);
	st->last.id = get_int(last, "id", 0, ID_MAX, 0);
	st->last.qty = (int)get_int(last, "qty", -1000000, 1000000, 0);
	st->last.line_before = (int)get_int(last, "line_before", 0, 1000000, 0);
	st->last.turn = get_turn(last, "turn");
	const cJSON *b;
	cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(o, "batch")) {
		if (st->nbatch >= DLG_MAX_FOCUS)
			break;
		struct dlg_added *a = &st->batch[st->nbatch];
		a->id = get_int(b, "id", 1, ID_MAX, 0);
		a->qty = (int)get_int(b, "qty", -1000000, 1000000, 0);
		a->line_before = (int)get_int(b, "line_before", 0, 1000000, 0);
		if (a->id > 0)
			st->nbatch++;
	}
	st->batch_turn = get_turn(o, "batch_turn");
	st->guess_turn = get_turn(o, "guess_turn");
	get_str(o, "last_query", st->last_query, sizeof st->last_query);
	get_str(o, "last_category", st->last_category, sizeof st->last_category);
	st->last_price.min_cents = get_int(o, "price_min", -1, INT64_C(1) << 50, -1);
	st->last_price.max_cents = get_int(o, "price_max", -1, INT64_C(1) << 50, -1);
	st->last_sort = (int)get_int(o, "last_sort", -1000, 1000, 0);
	st->last_offset = (int)get_int(o, "last_offset", 0, 1000000, 0);
	st->pending = (enum dlg_pending)get_int(o, "pending", DLG_PENDING_NONE, DLG_PENDING_CANCEL,
						DLG_PENDING_NONE);
	st->pending_turn = get_turn(o, "pending_turn");
	st->pending_intent = (enum und_intent)get_int(o, "pending_intent", 0, UND_INTENT_COUNT - 1, 0);
	st->pending_qty = (int)get_int(o, "pending_qty", 0, 1000000, 0);
	st->pending_total = get_int(o, "pending_total", 0, INT64_C(1) << 50, 0);
	st->pending_pm = get_int(o, "pending_pm", 0, ID_MAX, 0);
	st->suggest_id = get_int(o, "suggest_id", 0, ID_MAX, 0);
	st->pending_order = get_int(o, "pending_order", 0, ID_MAX, 0);
	st->suggest_qty = (int)get_int(o, "suggest_qty", 0, 1000000, 0);
	const cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(o, "choices")) {
		if (st->nchoices >= DLG_MAX_CHOICES)
			break;
		struct dlg_choice *ch = &st->choices[st->nchoices++];
		ch->intent = (enum und_intent)get_int(c, "intent", 0, UND_INTENT_COUNT - 1, 0);
		ch->qty = (int)get_int(c, "qty", 0, 1000000, 0);
		ch->n = get_ids(cJSON_GetObjectItemCaseSensitive(c, "ids"), ch->ids, DLG_READ_MAX);
		get_str(c, "question", ch->question, sizeof ch->question);
	}
	st->last_intent = (enum und_intent)get_int(o, "last_intent", 0, UND_INTENT_COUNT - 1, 0);
	st->placed_id = get_int(o, "placed_id", 0, ID_MAX, 0);
	st->placed_turn = get_turn(o, "placed_turn");
	st->checkout_said_turn = get_turn(o, "checkout_said_turn");
	st->budget_cents = get_int(o, "budget_cents", 0, INT64_C(1) << 50, 0);
	int k = 0;
	const cJSON *v;
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(o, "correction_turns"))
		if (k < 4)
			st->correction_turns[k++] = cJSON_IsNumber(v) && v->valuedouble >= 0 &&
				v->valuedouble <= 1e9 ? (int)v->valuedouble : 0;
	get_str(o, "last_text", st->last_text, sizeof st->last_text);
	get_str(o, "last_reply", st->last_reply, sizeof st->last_reply);
	get_str(o, "heard", st->heard, sizeof st->heard);
	cJSON_Delete(o);
	return st;
}
