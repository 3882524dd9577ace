/*
 * state.c - the dialogue state and the per-turn helpers every action uses: what was
 * shown and what "it" is (dlg_show, dlg_focus), the cart seen this turn, the open
 * question (dlg_ask, dlg_question), actions reported to the output (dlg_action) and
 * tool failures said.  It is the bottom of the buddy's actions: dialogue.c (the
 * turn) calls the actions (act_*.c, checkout.c), which call these; nothing here
 * calls up (ARCHITECTURE.md: dependencies point downwards).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buddy/dialogue.h"

struct buddy_state *buddy_state_new(void)
{
	struct buddy_state *st = calloc(1, sizeof *st);
	if (!st)
		return NULL;
	st->shown = cJSON_CreateArray();
	if (!st->shown) {
		free(st);
		return NULL;
	}
	st->last_price.min_cents = st->last_price.max_cents = -1;
	return st;
}

struct buddy_checkout_offer *buddy_state_offer(struct buddy_state *st)
{
	return &st->offer;
}

void buddy_state_free(struct buddy_state *st)
{
	if (!st)
		return;
	cJSON_Delete(st->shown);
	free(st);
}

void dlg_show(struct turn *t, const cJSON *products, int is_cart)
{
	cJSON *copy = cJSON_CreateArray();
	const cJSON *p;
	int n = 0;
	cJSON_ArrayForEach(p, products) {
		if (n++ >= DLG_SHOWN_MAX && !is_cart)
			break;
		cJSON_AddItemToArray(copy, cJSON_Duplicate(p, 1));
	}
	if (!copy)
		return;
	cJSON_Delete(t->st->shown);
	t->st->shown = copy;
	t->st->shown_is_cart = is_cart;
	t->st->shown_turn = t->st->turn;
}

void dlg_focus(struct turn *t, const cJSON *products)
{
	const cJSON *p;
	int n = 0;
	cJSON_ArrayForEach(p, products)
		if (n < DLG_MAX_FOCUS && dlg_id(p) > 0)
			t->st->focus[n++] = dlg_id(p);
	if (n > 0) {
		t->st->nfocus = n;
		t->st->focus_turn = t->st->turn;
	}
}

void dlg_focus_one(struct turn *t, int64_t id)
{
	t->st->focus[0] = id;
	t->st->nfocus = 1;
	t->st->focus_turn = t->st->turn;
}

void dlg_set_cart(struct turn *t, cJSON *cart)
{
	if (!cart)
		return;
	cJSON_Delete(t->cart);
	t->cart = cart;
}

void dlg_offer(struct turn *t, const cJSON *p, int qty, const char *question)
{
	dlg_question(t, "%s", question);
	cJSON *one = cJSON_CreateArray();
	cJSON_AddItemToArray(one, cJSON_Duplicate(p, 1));
	dlg_show(t, one, 0);
	cJSON_Delete(one);
	dlg_focus_one(t, dlg_id(p));
	t->st->suggest_id = dlg_id(p);
	t->st->suggest_qty = qty > 0 ? qty : 1;
	dlg_ask(t, DLG_PENDING_SUGGEST);
}

void dlg_ask(struct turn *t, enum dlg_pending p)
{
	struct buddy_state *st = t->st;
	int again = 0;	/* the same choice asked twice ("wireless earbuds" searched twice) */
	for (int i = 0; i < t->nchoices && p == DLG_PENDING_CHOOSE; i++) {
		int same = t->choices[i].n == cJSON_GetArraySize(st->shown);
		const cJSON *prod;
		cJSON_ArrayForEach(prod, st->shown) {
			int in = 0;
			for (int k = 0; k < t->choices[i].n; k++)
				in |= t->choices[i].ids[k] == dlg_id(prod);
			same &= in;
		}
		again |= same;
	}
	if (p == DLG_PENDING_CHOOSE && !again && t->nchoices < DLG_MAX_CHOICES && cJSON_GetArraySize(st->shown) > 1) {
		/* every choice of the turn is kept: a later one does not drop an earlier */
		struct dlg_choice *ch = &t->choices[t->nchoices++];
		memset(ch, 0, sizeof *ch);
		ch->intent = st->pending_intent;
		ch->qty = st->pending_qty;
		snprintf(ch->question, sizeof ch->question, "%.199s", t->question);
		if (!t->choice_shown)
			t->choice_shown = cJSON_CreateArray();
		const cJSON *prod;
		cJSON_ArrayForEach(prod, st->shown) {
			if (ch->n >= DLG_READ_MAX)
				break;
			ch->ids[ch->n++] = dlg_id(prod);
			cJSON_AddItemToArray(t->choice_shown, cJSON_Duplicate(prod, 1));
		}
	}
	t->st->pending = p;
	t->st->pending_turn = t->st->turn;
	t->asked = 1;
}

void dlg_action(struct turn *t, const char *name, cJSON *args, cJSON *result)
{
	const struct buddy_output *out = t->r.out;
	if (out && out->action && !(out->cancelled && out->cancelled(out->ctx)))
		out->action(out->ctx, name, args, result);
	cJSON_Delete(args);
	cJSON_Delete(result);
}

void dlg_question(struct turn *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->question, sizeof t->question, fmt, ap);
	va_end(ap);
}

int dlg_tool_failed(struct turn *t, int rc, const char *code, const char *msg)
{
	if (rc == 0)
		return 0;
	(void)code;
	if (msg && *msg)
		reply_say(&t->r, "Sorry, that did not work: %s", msg);
	else
		reply_say(&t->r, "Sorry, something went wrong on my side. Please try again.");
	return 1;
}
