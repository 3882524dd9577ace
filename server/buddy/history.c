/*
 * history.c - the shopper's past orders as a source of what to add: "repeat my last
 * order", "my usual", "the pasta i got before", "what i ordered on monday, again",
 * "everything from my last order minus the milk", "the coffee from last week but two
 * of them", "same as last time but double everything"; and "what did i pay for the
 * olive oil last time?".
 *
 * The words say that they point at the past (lex_past_at), which lines they mean
 * (words the products of past orders say; without those: the whole newest order, or
 * for "my usual" what more than one order held), which to leave out ("minus", "skip",
 * "without"), and how many (a count before a named product, or "two of them").
 * With no orders, or nothing like the named product in them, the buddy says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buddy/dialogue.h"
#include "buddy/lexicon.h"
#include "buddy/numbers.h"

#define PAST_ORDERS 8	/* newest orders looked at */
#define PAST_LINES 64

struct past_line {
	cJSON *product;	/* from the catalog (title, tags) */
	int rank;	/* 0 the newest order */
	int qty;	/* as ordered */
	int count;	/* said ("two of them"), 0 none */
	int named, out;
	int tuned;	/* named only to say how many: "but three of the tea" */
};

struct past {
	struct past_line line[PAST_LINES];
	int n;
	int norders;
	const cJSON *newest;
};

/* The lines of the newest orders (not cancelled), products looked up. */
static void read_past(struct turn *t, const cJSON *page, struct past *ps)
{
	const cJSON *o;
	cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(page, "items")) {
		if (!strcmp(dlg_str(o, "status"), "cancelled"))
			continue;
		if (ps->norders >= PAST_ORDERS)
			break;
		if (!ps->newest)
			ps->newest = o;
		const cJSON *line;
		cJSON_ArrayForEach(line, cJSON_GetObjectItemCaseSensitive(o, "items")) {
			if (ps->n >= PAST_LINES)
				break;
			ERRBUF;
			cJSON *p = NULL;
			if (t->tools->product_get(t->tools->ctx, dlg_int(line, "product_id", 0), &p, code, msg) != 0 ||
			    !p) {
				cJSON_Delete(p);
				continue;
			}
			struct past_line *l = &ps->line[ps->n++];
			memset(l, 0, sizeof *l);
			l->product = p;
			l->rank = ps->norders;
			l->qty = (int)dlg_int(line, "quantity", 1);
			if (l->qty < 1)
				l->qty = 1;
		}
		ps->norders++;
	}
}

static void free_past(struct past *ps)
{
	for (int i = 0; i < ps->n; i++)
		cJSON_Delete(ps->line[i].product);
}

/* The lines a word names, from the newest order that has any: 1 when some.  `how`
 * 0 names them, 1 leaves them out, 2 names them only to say how many. */
static int name_lines(struct past *ps, const char *w, int how)
{
	int rank = -1;
	for (int k = 0; k < ps->n; k++) {
		if (rank >= 0 && ps->line[k].rank != rank)
			break;
		if (!match_mentions(ps->line[k].product, w))
			continue;
		rank = ps->line[k].rank;
		if (how == 1)
			ps->line[k].out = 1;
		else if (how == 2)
			ps->line[k].tuned = 1;
		else
			ps->line[k].named = 1;
	}
	return rank >= 0;
}

/* 1 when the product was in an order other than rank's too */
static int ordered_twice(const struct past *ps, int k)
{
	for (int j = 0; j < ps->n; j++)
		if (ps->line[j].rank != ps->line[k].rank && dlg_id(ps->line[j].product) == dlg_id(ps->line[k].product))
			return 1;
	return 0;
}

/* A word that tells no product: what the sentence does, not what it names. */
static int plain_word(const char *w)
{
	return lex_is_stopword(w) || lex_is_common(w) || num_word(w) >= 0 || lex_is_order_word(w) ||
	       lex_is_cart_word(w) || lex_is_unit(w) || lex_is_whole_word(w) || lex_act_word(w, 'a') ||
	       strlen(w) < 3;
}

/* 1 when word w names a line of any past order. */
static int names_past(const struct past *ps, const char *w)
{
	for (int k = 0; k < ps->n; k++)
		if (match_mentions(ps->line[k].product, w))
			return 1;
	return 0;
}

/* "what i always get, plus olive oil", "the rice i always get, and a bottle of olive
 * oil": the index of the "plus"/"and" after which the words name only what the orders
 * never had but the catalog sells (something new to add with them), or -1. */
static int addition_at(struct turn *t, const struct text_words *tw, const unsigned char *used,
		       const struct past *ps)
{
	int past_seen = 0;
	for (int i = 0; i < tw->n; i++) {
		if (used[i] || (!plain_word(tw->w[i]) && names_past(ps, tw->w[i])))
			past_seen = 1;
		if (!past_seen || !(text_is(tw, i, "plus") || text_is(tw, i, "and") || text_is(tw, i, "also")) ||
		    (i + 1 < tw->n && lex_is_except_word(tw->w[i + 1])))
			continue;
		int known = 0, past = 0;
		for (int j = i + 1; j < tw->n; j++) {
			if (used[j] || plain_word(tw->w[j]) || lex_is_except_word(tw->w[j]))
				continue;
			past |= names_past(ps, tw->w[j]);
			known |= resolve_known_word(t, tw->w[j]);
		}
		if (known && !past)
			return i;
	}
	return -1;
}

/* Adds what words [a, n) of tw ask for, as a request of their own. */
static void add_said(struct turn *t, const struct text_words *tw, int a)
{
	char text[512];
	size_t o = 0;
	text[0] = '\0';
	for (int i = a; i < tw->n && o < sizeof text; i++)
		o += (size_t)snprintf(text + o, sizeof text - o, "%s%s", o ? " " : "", tw->w[i]);
	struct und_result *r = malloc(sizeof *r);
	if (!r)
		return;
	und_parse(text, r);
	for (int c = 0; c < r->n; c++) {
		struct und_cmd *cmd = &r->cmd[c];
		cmd->intent = UND_ADD;
		cmd->soft = 0;
		for (int i = 0; i < cmd->nitems; i++)
			if (cmd->items[i].ref == UND_REF_WORDS)
				act_add(t, cmd, &cmd->items[i]);
	}
	free(r);
}

/* The title's words without its size ("Dark Roast Coffee Beans 1 kg" -> "dark roast
 * coffee beans"). */
static void base_title(const cJSON *p, char *out, size_t len)
{
	struct text_words tw;
	text_split(dlg_str(p, "title"), &tw);
	size_t o = 0;
	out[0] = '\0';
	for (int i = 0; i < tw.n; i++) {
		if (text_is_digits(tw.w[i]) || (tw.w[i][0] >= '0' && tw.w[i][0] <= '9') || lex_size_unit(tw.w[i]))
			continue;
		o += (size_t)snprintf(out + o, o < len ? len - o : 0, "%s%s", o ? " " : "", tw.w[i]);
		if (o >= len)
			break;
	}
}

/* "the coffee i had before but in the smaller bag": the same product in the next
 * size down (dir -1) or up (1), or NULL. */
static cJSON *other_size(struct turn *t, const cJSON *p, int dir)
{
	double size = dlg_size_of(p);
	char base[160];
	base_title(p, base, sizeof base);
	if (size <= 0 || !*base || !t->tools->search)
		return NULL;
	struct buddy_search q = { .query = base, .min_price_cents = -1, .max_price_cents = -1, .limit = 20 };
	cJSON *res = NULL, *best = NULL;
	ERRBUF;
	if (t->tools->search(t->tools->ctx, &q, &res, code, msg) != 0 || !res) {
		cJSON_Delete(res);
		return NULL;
	}
	double best_size = 0;
	const cJSON *x;
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(res, "items")) {
		char b[160];
		base_title(x, b, sizeof b);
		double s = dlg_size_of(x);
		if (strcmp(b, base) || s <= 0 || (dir < 0 ? s >= size : s <= size))
			continue;
		if (!best || (dir < 0 ? s > best_size : s < best_size)) {
			best = (cJSON *)x;
			best_size = s;
		}
	}
	best = best ? cJSON_Duplicate(best, 1) : NULL;
	cJSON_Delete(res);
	return best;
}

/* "the peanut butter i got before but the creamy version this time": the product of
 * the same kind (its title's last word, "butter") whose title says `word`, or NULL. */
static cJSON *other_kind(struct turn *t, const cJSON *p, const char *word)
{
	char base[160], query[200];
	base_title(p, base, sizeof base);
	const char *head = strrchr(base, ' ');
	head = head ? head + 1 : base;
	if (!*head || !t->tools->search)
		return NULL;
	snprintf(query, sizeof query, "%s %s", word, head);
	struct buddy_search q = { .query = query, .min_price_cents = -1, .max_price_cents = -1, .limit = 20 };
	cJSON *res = NULL, *best = NULL;
	ERRBUF;
	if (t->tools->search(t->tools->ctx, &q, &res, code, msg) != 0 || !res) {
		cJSON_Delete(res);
		return NULL;
	}
	const cJSON *x;
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(res, "items")) {
		char b[160];
		base_title(x, b, sizeof b);
		const char *h = strrchr(b, ' ');
		h = h ? h + 1 : b;
		if (dlg_id(x) != dlg_id(p) && !strcasecmp(h, head) && match_mentions(x, word)) {
			best = cJSON_Duplicate(x, 1);
			break;
		}
	}
	cJSON_Delete(res);
	return best;
}

/* 1 when a word not pointing at the past is a catalog word */
static int names_catalog(struct turn *t, const struct text_words *tw, const unsigned char *used)
{
	for (int i = 0; i < tw->n; i++)
		if (!used[i] && !plain_word(tw->w[i]) && !lex_is_except_word(tw->w[i]) &&
		    resolve_known_word(t, tw->w[i]))
			return 1;
	return 0;
}

/* "what did i pay for the olive oil last time?" */
static void say_paid(struct turn *t, const struct past *ps)
{
	int said = 0;
	const cJSON *line;
	cJSON_ArrayForEach(line, cJSON_GetObjectItemCaseSensitive(ps->newest, "items")) {
		int named = 0;
		for (int k = 0; k < ps->n; k++)
			named |= ps->line[k].named && ps->line[k].rank == 0 &&
				 dlg_id(ps->line[k].product) == dlg_int(line, "product_id", 0);
		if (!named)
			continue;
		char title[160], money[96];
		reply_title(line, title, sizeof title);
		reply_money(dlg_int(line, "unit_price_cents", dlg_int(line, "price_cents", 0)),
			    dlg_str(ps->newest, "currency"), money, sizeof money);
		reply_say(&t->r, "In order %lld you paid %s for %s.", (long long)dlg_id(ps->newest), money, title);
		if (++said >= 3)
			break;
	}
	if (!said)
		reply_say(&t->r, "That wasn't in your last order, number %lld.", (long long)dlg_id(ps->newest));
	t->main = UND_ORDER_STATUS;
}

int act_reorder_frame(struct turn *t, const struct und_result *r, const char *text)
{
	/* und_parse read whether the words ask for past orders again (r->past) */
	const struct und_past *pa = &r->past;
	if (!pa->reorder && !(pa->again >= 0 && t->st->last_intent == UND_ORDER_STATUS))
		return 0;
	struct text_words *tw = malloc(sizeof *tw);
	if (!tw)
		return 0;
	und_clean(text, tw);
	unsigned char used[TEXT_MAX_WORDS];
	memcpy(used, pa->used, sizeof used);
	int kind = pa->kind, price = pa->price, checkout = pa->checkout, times = pa->times;
	/* "ok add all of that again", "the same again" right after an order was read
	 * out: that order */
	if (!pa->reorder && pa->again >= 0 && t->st->last_intent == UND_ORDER_STATUS) {
		kind = LEX_PAST_ORDER;
		used[pa->again] = 1;
	}
	cJSON *page = NULL;
	ERRBUF;
	if (!t->tools->orders_list || t->tools->orders_list(t->tools->ctx, 20, &page, code, msg) != 0 || !page) {
		cJSON_Delete(page);
		free(tw);
		return 0;
	}
	struct past *ps = calloc(1, sizeof *ps);
	if (!ps) {
		cJSON_Delete(page);
		free(tw);
		return 0;
	}
	read_past(t, page, ps);
	/* what the words name, in the catalog; looked at once the orders are known */
	if (!ps->newest) {
		if (names_catalog(t, tw, used)) {
			/* "my usual: a gallon of whole milk and a dozen eggs": said now */
			free_past(ps);
			free(ps);
			cJSON_Delete(page);
			free(tw);
			return 0;
		}
		if (kind == LEX_PAST_USUAL)
			reply_say(&t->r, "You haven't placed any orders yet, so I don't know your usual. "
					 "Tell me what you'd like and I'll add it.");
		else
			reply_say(&t->r, "You haven't placed any orders yet, so there's nothing to repeat. "
					 "Tell me what you'd like and I'll add it.");
		t->main = UND_ADD;
		goto done;
	}
	/* which lines the words name, which they leave out, and the words that name
	 * something no order had */
	int any_named = 0, neg = 0, tune = 0;
	char missing[TEXT_WORD_LEN] = "";
	int extra = addition_at(t, tw, used, ps);
	for (int i = 0; i < (extra >= 0 ? extra : tw->n); i++) {
		const char *w = tw->w[i];
		if (lex_is_except_word(w) && !(!strcmp(w, "no") && i + 1 < tw->n && num_word(tw->w[i + 1]) >= 0)) {
			neg = 1;
			continue;
		}
		/* "but not the eggs", "but skip the milk"; "but three of the tea" adds */
		if (!strcmp(w, "but") && i + 1 < tw->n && lex_is_except_word(tw->w[i + 1])) {
			neg = 1;
			continue;
		}
		/* "same as last time but three of the tea": how many of one of them */
		if (!strcmp(w, "but") && i + 1 < tw->n && num_parse(tw, i + 1, tw->n, &(long){ 0 })) {
			tune = 1;
			continue;
		}
		if (used[i] || plain_word(w))
			continue;
		if (name_lines(ps, w, neg ? 1 : tune ? 2 : 0)) {
			any_named |= !neg && !tune;
			continue;
		}
		if (!neg && !*missing && resolve_known_word(t, w))
			snprintf(missing, sizeof missing, "%s", w);
	}
	/* how many: a count before a named line ("three of the tea"), or after them all
	 * ("the coffee from last week but two of them") */
	for (int i = 0; i < (extra >= 0 ? extra : tw->n); i++) {
		long v = 0;
		int n = num_parse(tw, i, tw->n, &v);
		if (!n || v <= 0 || v > 999 || text_is(tw, i - 1, "the") || text_is(tw, i - 1, "that") ||
		    text_is(tw, i - 1, "this") || lex_is_money_word(i + n < tw->n ? tw->w[i + n] : "") ||
		    lex_is_time_unit(i + n < tw->n ? tw->w[i + n] : ""))
			continue;
		/* "two of each", "double of everything" */
		int hit = text_match(tw, i + n, tw->n, "of each") || text_match(tw, i + n, tw->n, "of everything") ||
			  text_match(tw, i + n, tw->n, "of all") || text_is(tw, i + n, "each");
		for (int k = 0; k < ps->n && hit; k++)
			ps->line[k].count = (int)v;
		for (int j = i + n; j < tw->n && j < i + n + 5 && !hit; j++) {
			if (used[j] || plain_word(tw->w[j]))
				continue;
			for (int k = 0; k < ps->n; k++)
				if ((ps->line[k].named || ps->line[k].tuned) &&
				    match_mentions(ps->line[k].product, tw->w[j])) {
					ps->line[k].count = (int)v;
					hit = 1;
				}
		}
		if (!hit && any_named)
			for (int k = 0; k < ps->n; k++)
				if (ps->line[k].named && !ps->line[k].count)
					ps->line[k].count = (int)v;
		i += n - 1;
	}
	if (price) {
		if (!any_named) {
			/* "how much did i pay for my last order": the order itself, told by status */
			free_past(ps);
			free(ps);
			cJSON_Delete(page);
			free(tw);
			return 0;
		}
		say_paid(t, ps);
		goto done;
	}
	if (!any_named && *missing) {
		/* "the headphones i bought before": not in the orders, so looked for in the
		 * catalog after saying so; "we usually get the brown ones": a liking */
		if (kind != LEX_PAST_USUAL)
			reply_say(&t->r, "I can't find any %s in your past orders.", missing);
		free_past(ps);
		free(ps);
		cJSON_Delete(page);
		free(tw);
		return 0;
	}
	/* "my usual": what was ordered more than once; else the newest order */
	int usual = 0;
	for (int k = 0; k < ps->n && kind == LEX_PAST_USUAL && !any_named; k++)
		usual |= ps->line[k].rank == 0 && ordered_twice(ps, k);
	/* "... but the bigger bag this time" */
	int resize = 0;
	for (int i = 0; i < tw->n && !resize; i++)
		resize = lex_size_direction(tw->w[i]);
	int added = 0;
	for (int k = 0; k < ps->n; k++) {
		struct past_line *l = &ps->line[k];
		if (!(l->tuned && l->count > 0) &&
		    (l->out || (any_named && !l->named) || (!any_named && l->rank != 0) ||
		     (usual && !ordered_twice(ps, k))))
			continue;
		int q = l->count > 0 ? l->count : l->qty * times;
		cJSON *sized = resize ? other_size(t, l->product, resize) : NULL;
		/* a word the orders lack said of a named line: that kind of it this time */
		if (!sized && *missing && l->named && (sized = other_kind(t, l->product, missing)) != NULL)
			missing[0] = '\0';
		act_add_product(t, sized ? sized : l->product, q, 0);
		cJSON_Delete(sized);
		added++;
	}
	if (!added)
		reply_say(&t->r, "There was nothing like that in your last order, number %lld.",
			  (long long)dlg_id(ps->newest));
	else if (*missing)
		reply_say(&t->r, "I couldn't find any %s in your past orders.", missing);
	if (extra >= 0)
		add_said(t, tw, extra + 1);
	t->main = UND_ADD;
	if (added && checkout) {
		act_checkout(t);
		t->main = UND_CHECKOUT;
	}
done:
	free_past(ps);
	free(ps);
	cJSON_Delete(page);
	free(tw);
	return 1;
}
