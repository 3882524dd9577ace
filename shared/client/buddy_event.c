/*
 * buddy_event.c - the buddy client's pure parts (see buddy_client.h): reading server
 * events (decoded by proto/events.h), one-line summaries of actions for people, the
 * WebSocket URL of a server, and getting a fresh access token.  Nothing here touches
 * the network loop, so it is easy to test on its own.
 */
#include "buddy_client.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "money.h"
#include "opuscodec.h"
#include "rest.h"
#include "session.h"

#define EXPIRY_MARGIN 60
#define BUDDY_PATH "/api/v1/buddy"
/* ---- events ---- */

int buddy_event_parse(const char *text, size_t len, struct buddy_event *ev)
{
	if (buddy_event_decode(text, len, ev) != 0)
		return -1;
	if (!opus_rate_valid(ev->speech_rate))
		ev->speech_rate = 24000;
	return 0;
}

/* ---- text in step with speech ---- */

void buddy_sync_init(struct buddy_sync *s)
{
	memset(s, 0, sizeof *s);
}

int buddy_sync_push(struct buddy_sync *s, uint32_t turn, long frame, void *data)
{
	if (s->count == BUDDY_SYNC_MAX)
		return -1;
	unsigned at = (s->head + s->count) % BUDDY_SYNC_MAX;
	s->item[at].data = data;
	s->item[at].turn = turn;
	s->item[at].frame = frame < 0 ? BUDDY_SYNC_NOW : frame;
	s->count++;
	return 0;
}

void buddy_sync_played(struct buddy_sync *s, uint32_t turn, uint32_t played_ms)
{
	s->have_pos = 1;
	s->pos_turn = turn;
	s->pos_frames = played_ms / OPUS_FRAME_MS;
}

void buddy_sync_ended(struct buddy_sync *s, uint32_t turn)
{
	if (turn > s->ended_upto)
		s->ended_upto = turn;
}

void buddy_sync_flush(struct buddy_sync *s)
{
	s->forced = s->count;
}

static int sync_due(const struct buddy_sync *s, uint32_t turn, long frame)
{
	if (frame < 0 || turn <= s->ended_upto)
		return 1;
	if (!s->have_pos)
		return 0;
	return s->pos_turn > turn || (s->pos_turn == turn && (long)s->pos_frames >= frame);
}

void *buddy_sync_take(struct buddy_sync *s, uint32_t *turn)
{
	if (s->count == 0)
		return NULL;
	unsigned h = s->head;
	if (!s->forced && !sync_due(s, s->item[h].turn, s->item[h].frame))
		return NULL;
	void *data = s->item[h].data;
	if (turn)
		*turn = s->item[h].turn;
	s->head = (h + 1) % BUDDY_SYNC_MAX;
	s->count--;
	if (s->forced)
		s->forced--;
	return data;
}

unsigned buddy_sync_pending(const struct buddy_sync *s)
{
	return s->count;
}

long buddy_sync_delta_frame(const struct buddy_sync *s, const struct buddy_event *ev,
			    int playing)
{
	if (!playing || ev->speech_seq < 0 || ev->turn <= s->ended_upto)
		return BUDDY_SYNC_NOW;
	return ev->speech_seq;
}

long buddy_sync_done_frame(struct buddy_sync *s, const struct buddy_event *ev, int playing)
{
	if (ev->cancelled || ev->speech_frames == 0)
		buddy_sync_ended(s, ev->turn);
	if (!playing || ev->cancelled || ev->speech_frames == 0 || ev->turn <= s->ended_upto)
		return BUDDY_SYNC_NOW;
	return (long)ev->speech_frames;
}

/* ---- product titles ---- */

static void titles_put(struct buddy_titles *t, double id, const char *title)
{
	if (!(id > 0 && id < 9e15) || !title || !*title)
		return;
	unsigned slot = t->next;
	for (unsigned i = 0; i < BUDDY_TITLES_MAX; i++)
		if (t->id[i] == (int64_t)id)
			slot = i;
	if (slot == t->next)
		t->next = (t->next + 1) % BUDDY_TITLES_MAX;
	t->id[slot] = (int64_t)id;
	size_t n = strlen(title);
	if (n >= sizeof t->title[0]) { /* cut on a UTF-8 character boundary */
		n = sizeof t->title[0] - 1;
		while (n > 0 && ((unsigned char)title[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(t->title[slot], title, n);
	t->title[slot][n] = '\0';
}

/* Learns from an array of Products (id) or of cart/order lines (product_id). */
static void titles_from(struct buddy_titles *t, const cJSON *items)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, items) {
		const cJSON *pid = cJSON_GetObjectItemCaseSensitive(it, "product_id");
		titles_put(t, json_num(it, pid ? "product_id" : "id", 0), json_str(it, "title"));
	}
}

void buddy_titles_learn(struct buddy_titles *t, const struct buddy_event *ev)
{
	const cJSON *r = ev->result;
	if (ev->type != BUDDY_EV_ACTION || !r)
		return;
	titles_from(t, cJSON_GetObjectItemCaseSensitive(r, "items"));
	titles_from(t, cJSON_GetObjectItemCaseSensitive(json_obj(r, "cart"), "items"));
	titles_from(t, cJSON_GetObjectItemCaseSensitive(json_obj(r, "order"), "items"));
	const cJSON *p = json_obj(r, "product") ? json_obj(r, "product") : r;
	titles_put(t, json_num(p, "id", 0), json_str(p, "title"));
}

const char *buddy_titles_find(const struct buddy_titles *t, int64_t id)
{
	for (unsigned i = 0; id > 0 && i < BUDDY_TITLES_MAX; i++)
		if (t->id[i] == id)
			return t->title[i];
	return "";
}

/* ---- action summaries ---- */

struct sbuf {
	char *p;
	size_t len, used;
};

/* Appends formatted text, replacing control characters (server text may come from
 * another user) except the newlines the format itself writes. */
static void sb_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(struct sbuf *b, const char *fmt, ...)
{
	if (b->used + 1 >= b->len)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b->p + b->used, b->len - b->used, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	size_t end = b->used + (size_t)n < b->len ? b->used + (size_t)n : b->len - 1;
	b->used = end;
}

static void sb_text(struct sbuf *b, const char *s)
{
	size_t start = b->used;
	sb_add(b, "%s", s);
	for (size_t i = start; i < b->used; i++)
		if ((unsigned char)b->p[i] < ' ' || b->p[i] == 0x7f)
			b->p[i] = ' ';
}

/* The Cart an action's result carries: result.cart, or the result itself. */
static const cJSON *result_cart(const cJSON *result)
{
	const cJSON *cart = json_obj(result, "cart");
	if (cart)
		return cart;
	return cJSON_GetObjectItemCaseSensitive(result, "subtotal_cents") ? result : NULL;
}

static const cJSON *cart_line(const cJSON *cart, double product_id)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(cart, "items"))
		if (product_id > 0 && json_num(it, "product_id", -1) == product_id)
			return it;
	return NULL;
}

/* The product's title and the quantity an action names, from wherever it is. */
static void action_item(const struct buddy_event *ev, const cJSON *cart, const char **title,
			double *qty)
{
	const cJSON *a = ev->args, *r = ev->result;
	const cJSON *product = json_obj(a, "product") ? json_obj(a, "product") : json_obj(r, "product");
	const cJSON *item = json_obj(r, "item");
	double id = json_num(a, "product_id", json_num(product, "id", json_num(item, "product_id", 0)));
	const cJSON *line = cart_line(cart, id);
	*title = *json_str(a, "title") ? json_str(a, "title")
		 : *json_str(product, "title") ? json_str(product, "title")
		 : *json_str(item, "title") ? json_str(item, "title")
		 : *json_str(line, "title") ? json_str(line, "title")
		 : ev->product_title ? ev->product_title : "";
	*qty = json_num(a, "quantity", json_num(item, "quantity", json_num(line, "quantity", 0)));
}

static void summary_search(struct sbuf *b, const struct buddy_event *ev, int max_items)
{
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(ev->result, "items");
	int n = cJSON_GetArraySize(items), i = 0;
	if (n == 0) {
		sb_add(b, "no products found");
		return;
	}
	const cJSON *p;
	cJSON_ArrayForEach(p, items) {
		if (i == max_items) {
			sb_add(b, "\n   ... %d more", n - i);
			break;
		}
		char price[32];
		money_format(json_int(p, "price_cents"), price, sizeof price);
		sb_add(b, "%s%d. ", i ? "\n" : "", i + 1);
		sb_text(b, json_str(p, "title"));
		sb_add(b, "   %s", price);
		i++;
	}
}

static void summary_cart_line(struct sbuf *b, const struct buddy_event *ev, char mark)
{
	const cJSON *cart = result_cart(ev->result);
	const char *title;
	double qty;
	action_item(ev, cart, &title, &qty);
	sb_add(b, "%c ", mark);
	if (mark != '-' && qty > 0)
		sb_add(b, "%.0f \xc3\x97 ", qty);
	sb_text(b, *title ? title : "item");
	if (cart && mark == '+') {
		char sub[32];
		money_format(json_int(cart, "subtotal_cents"), sub, sizeof sub);
		sb_add(b, "   cart %s", sub);
	}
}

size_t buddy_action_summary(const struct buddy_event *ev, int max_items, char *buf, size_t len)
{
	struct sbuf b = { buf, len, 0 };
	if (!buf || len == 0)
		return 0;
	buf[0] = '\0';
	const char *name = ev->name ? ev->name : "";
	const cJSON *order = json_obj(ev->result, "order");
	char amount[32];
	if (strcmp(name, "search") == 0) {
		summary_search(&b, ev, max_items > 0 ? max_items : 5);
	} else if (strcmp(name, "cart.add") == 0) {
		summary_cart_line(&b, ev, '+');
	} else if (strcmp(name, "cart.remove") == 0) {
		summary_cart_line(&b, ev, '-');
	} else if (strcmp(name, "cart.set") == 0) {
		summary_cart_line(&b, ev, '=');
	} else if (strcmp(name, "cart.clear") == 0) {
		sb_add(&b, "cart cleared");
	} else if (strcmp(name, "cart.view") == 0) {
		const cJSON *cart = result_cart(ev->result);
		money_format(json_int(cart, "subtotal_cents"), amount, sizeof amount);
		double n = json_num(cart, "item_count", 0);
		sb_add(&b, "cart: %.0f item%s, %s", n, n == 1 ? "" : "s", amount);
	} else if (strcmp(name, "checkout") == 0 && order) {
		money_format(json_int(order, "total_cents"), amount, sizeof amount);
		sb_add(&b, "order #%.0f placed, %s", json_num(order, "id", 0), amount);
	} else if ((strcmp(name, "order.cancel") == 0 || strcmp(name, "order.status") == 0) &&
		   order) {
		sb_add(&b, "order #%.0f: ", json_num(order, "id", 0));
		sb_text(&b, json_str(order, "status"));
	} else if (strcmp(name, "product.show") == 0) {
		const cJSON *p = json_obj(ev->result, "product") ? json_obj(ev->result, "product")
							      : ev->result;
		money_format(json_int(p, "price_cents"), amount, sizeof amount);
		sb_text(&b, json_str(p, "title"));
		sb_add(&b, "   %s", amount);
	} else {
		sb_text(&b, name);
	}
	return b.used;
}

/* ---- URLs and tokens ---- */

int buddy_client_ws_url(const char *url, char *buf, size_t len, char *err, size_t errlen)
{
	static const struct { const char *from, *to; } schemes[] = {
		{ "http://", "ws://" }, { "https://", "wss://" },
		{ "ws://", "ws://" },   { "wss://", "wss://" },
	};
	for (size_t i = 0; url && i < sizeof schemes / sizeof schemes[0]; i++) {
		size_t n = strlen(schemes[i].from);
		if (strncmp(url, schemes[i].from, n) != 0)
			continue;
		const char *rest = url + n;
		size_t hostlen = strcspn(rest, "/?#");
		if (hostlen == 0)
			break;
		const char *path = rest + hostlen;
		size_t plen = strcspn(path, "?#");
		while (plen > 0 && path[plen - 1] == '/')
			plen--;
		int is_ws = schemes[i].from[0] == 'w';
		int w;
		if (is_ws && plen > 0)
			w = snprintf(buf, len, "%s%.*s%.*s", schemes[i].to, (int)hostlen, rest,
				     (int)plen, path);
		else
			w = snprintf(buf, len, "%s%.*s%.*s%s", schemes[i].to, (int)hostlen, rest,
				     (int)plen, path, BUDDY_PATH);
		if (w < 0 || (size_t)w >= len) {
			snprintf(err, errlen, "server URL too long");
			return -1;
		}
		return 0;
	}
	snprintf(err, errlen, "\"%s\" is not an http://, https://, ws:// or wss:// URL",
		 url ? url : "");
	return -1;
}

const char *buddy_client_token(struct session *s, struct rest *r, int force, int *status,
			       char *err, size_t errlen)
{
	*status = 200;
	if (!force && session_logged_in(s, rest_base_url(r)) &&
	    (s->expires_at == 0 || (int64_t)time(NULL) < s->expires_at - EXPIRY_MARGIN))
		return s->access_token;
	/* session_request() refreshes an expired token first and a refused one on 401. */
	struct rest_response resp;
	*status = session_request(s, r, "GET", "/api/v1/me", NULL, NULL, &resp);
	if (*status == 200) {
		rest_response_free(&resp);
		return s->access_token;
	}
	snprintf(err, errlen, "%s", resp.error);
	rest_response_free(&resp);
	return NULL;
}

