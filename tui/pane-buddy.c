/*
 * pane-buddy.c - the buddy pane: the conversation with the reply streaming in, the
 * live transcript while the user talks, the microphone meter, the "speaking"
 * indicator, and the input line for typed messages.
 *
 * It also applies what the buddy did: a search action replaces the results list,
 * cart actions replace the cart pane (their result carries the whole Cart), a
 * checkout shows the new order - all as the event arrives, not after the reply.
 * Events come from voice.c through its pipe; while speech plays, voice.c posts the
 * reply's pieces (and the actions between them) as the speaker reaches them, so the
 * text appears as it is heard.  This file runs on the UI thread only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "voice.h"

void buddy_pane_init(struct app *a)
{
	struct buddy_state *b = &a->buddy_st;
	b->input = (struct form_field){ .kind = FORM_TEXT, .label = ">", .maxlen = 500 };
	b->reply_msg = -1;
	snprintf(b->conn, sizeof b->conn, "not connected");
}

void buddy_pane_free(struct app *a)
{
	struct buddy_state *b = &a->buddy_st;
	for (int i = 0; i < b->nmsgs; i++)
		free(b->msgs[i].text);
	b->nmsgs = 0;
}

int buddy_pane_text_active(const struct app *a)
{
	return a->buddy_st.typing;
}

void buddy_pane_add(struct app *a, int role, uint32_t turn, const char *text)
{
	struct buddy_state *b = &a->buddy_st;
	if (b->nmsgs == BUDDY_MSGS_MAX) {
		free(b->msgs[0].text);
		memmove(b->msgs, b->msgs + 1, sizeof b->msgs[0] * (BUDDY_MSGS_MAX - 1));
		b->nmsgs--;
		if (b->reply_msg >= 0)
			b->reply_msg--;
	}
	b->msgs[b->nmsgs++] = (struct buddy_msg){ role, strdup(text ? text : ""), turn };
	b->scroll = 0;
	a->dirty = 1;
}

static void append_reply(struct app *a, uint32_t turn, const char *text)
{
	struct buddy_state *b = &a->buddy_st;
	if (b->reply_msg < 0 || b->reply_turn != turn) {
		buddy_pane_add(a, 1, turn, "");
		b->reply_msg = b->nmsgs - 1;
		b->reply_turn = turn;
	}
	struct buddy_msg *m = &b->msgs[b->reply_msg];
	size_t old = m->text ? strlen(m->text) : 0, add = strlen(text);
	char *t = realloc(m->text, old + add + 1);
	if (!t)
		return;
	memcpy(t + old, text, add + 1);
	m->text = t;
}

void buddy_pane_start_typing(struct app *a)
{
	a->focus = FOCUS_BUDDY;
	a->buddy_st.typing = 1;
	a->dirty = 1;
}

static void connect_again(struct app *a)
{
	if (a->voice || !a->logged_in)
		return;
	app_submit(a, worker_job_new(WORKER_TOKEN, TAG_TOKEN, NULL, NULL));
	snprintf(a->buddy_st.conn, sizeof a->buddy_st.conn, "connecting...");
}

/* Plans the next try to reconnect: after 1, 2, 4, 8, then every 10 seconds. */
static void plan_reconnect(struct app *a)
{
	struct buddy_state *b = &a->buddy_st;
	double delay = 1000.0 * (1 << (b->reconnect_tries < 4 ? b->reconnect_tries : 4));
	if (delay > 10000)
		delay = 10000;
	b->reconnect_tries++;
	b->reconnect_at = ui_now_ms() + delay;
	snprintf(b->conn, sizeof b->conn, "reconnecting in %.0f s", delay / 1000);
	a->dirty = 1;
}

void buddy_pane_tick(struct app *a, double now_ms)
{
	struct buddy_state *b = &a->buddy_st;
	if (!b->reconnect_at || now_ms < b->reconnect_at)
		return;
	b->reconnect_at = 0;
	if (!a->logged_in || a->voice)
		return;
	connect_again(a);
	snprintf(b->conn, sizeof b->conn, "reconnecting...");
	a->dirty = 1;
}

static void send_text(struct app *a, const char *text)
{
	struct buddy_state *b = &a->buddy_st;
	if (!a->voice || !voice_ready(a->voice)) {
		snprintf(b->pending_say, sizeof b->pending_say, "%s", text);
		buddy_pane_add(a, 0, 0, text);
		buddy_pane_add(a, 2, 0, "(sent once the buddy is connected)");
		connect_again(a);
		return;
	}
	uint32_t turn = voice_say(a->voice, text);
	if (!turn) {
		app_status(a, 1, "The buddy is not connected.");
		return;
	}
	buddy_pane_add(a, 0, turn, text);
	b->thinking = 1;
	b->reply_msg = -1;
}

void buddy_pane_connect(struct app *a, struct worker_job *job)
{
	struct buddy_state *b = &a->buddy_st;
	if (job->status == 0 && b->reconnect_tries > 0) {
		plan_reconnect(a); /* the server is not back yet: try again later, quietly */
		return;
	}
	if (job->status != 200 || !job->token) {
		snprintf(b->conn, sizeof b->conn, "offline");
		if (job->status == -1 || job->status == 401)
			app_status_job(a, "Buddy", job);
		else
			buddy_pane_add(a, 2, 0, job->error[0] ? job->error : "cannot connect");
		return;
	}
	if (a->voice)
		return;
	struct voice_opts o = { .server = a->server, .input_wav = a->input_wav,
				.output_wav = a->output_wav, .speech = 1, .no_aec = a->no_aec };
	char err[256];
	a->voice = voice_start(&o, job->token, err, sizeof err);
	if (!a->voice) {
		snprintf(b->conn, sizeof b->conn, "offline");
		buddy_pane_add(a, 2, 0, err);
	}
}

void buddy_pane_talk(struct app *a)
{
	if (!a->voice) {
		connect_again(a);
		app_status(a, 1, "The buddy is not connected yet; try again in a moment.");
		return;
	}
	char err[256];
	int rc = voice_talk(a->voice, err, sizeof err);
	if (rc < 0) {
		app_status(a, 1, "Cannot talk: %s", err);
	} else if (rc == 1) {
		a->buddy_st.partial[0] = 0;
		app_status(a, 0, "Listening... (F2 or Ctrl-T again to stop)");
	} else {
		a->buddy_st.thinking = 1;
		app_status(a, 0, "Sent; the buddy is thinking.");
	}
}

void buddy_pane_handsfree(struct app *a)
{
	struct buddy_state *b = &a->buddy_st;
	if (!a->voice || !voice_ready(a->voice)) {
		connect_again(a);
		app_status(a, 1, "The buddy is not connected yet; try again in a moment.");
		return;
	}
	int on = !voice_is_handsfree(a->voice);
	char err[256];
	if (voice_handsfree(a->voice, on, err, sizeof err) != 0) {
		app_status(a, 1, "Cannot go hands-free: %s", err);
		return;
	}
	b->handsfree = on;
	b->partial[0] = 0;
	app_status(a, 0, on ? "Hands-free: just speak; a pause sends it (F3 again to stop)."
			    : "Hands-free off (F2 talks).");
	a->dirty = 1;
}

/* An action's effect on the rest of the screen. */
static void apply_action(struct app *a, struct voice_event *ev)
{
	const cJSON *res = ev->result;
	if (strcmp(ev->name, "search") == 0) {
		const cJSON *items = cJSON_GetObjectItemCaseSensitive(res, "items");
		if (cJSON_IsArray(items))
			search_show_items(a, items, json_str(ev->args, "query"));
	} else if (strncmp(ev->name, "cart.", 5) == 0) {
		const cJSON *cart = cJSON_GetObjectItemCaseSensitive(res, "cart");
		if (cJSON_IsObject(cart))
			cart_set(a, cart, json_int(ev->args, "product_id"));
	} else if (strcmp(ev->name, "checkout") == 0 || strcmp(ev->name, "order.cancel") == 0 ||
		   strcmp(ev->name, "order.status") == 0) {
		const cJSON *order = cJSON_GetObjectItemCaseSensitive(res, "order");
		if (cJSON_IsObject(order) && !checkout_half_done(a))
			orders_show(a, order, strcmp(ev->name, "checkout") == 0);
		if (strcmp(ev->name, "checkout") == 0)
			cart_load(a);
	} else if (strcmp(ev->name, "product.show") == 0) {
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(res, "product");
		if (!cJSON_IsObject(p))
			p = res;
		if (json_int(p, "id") > 0 && !checkout_half_done(a))
			product_open(a, json_int(p, "id"), p);
	}
}

void buddy_pane_event(struct app *a, struct voice_event *ev)
{
	struct buddy_state *b = &a->buddy_st;
	a->dirty = 1;
	switch (ev->type) {
	case VOICE_READY:
		b->connected = 1;
		snprintf(b->conn, sizeof b->conn, "connected");
		if (b->reconnect_tries > 0)
			buddy_pane_add(a, 2, 0, "(reconnected by itself)");
		b->reconnect_tries = 0;
		b->reconnect_at = 0;
		if (b->handsfree) { /* it was on before the connection was lost */
			char err[256];
			if (voice_handsfree(a->voice, 1, err, sizeof err) != 0)
				b->handsfree = 0;
		}
		if (b->pending_say[0]) {
			uint32_t turn = voice_say(a->voice, b->pending_say);
			b->pending_say[0] = 0;
			if (turn) {
				b->thinking = 1;
				b->reply_msg = -1;
			}
		} else {
			int talked = 0;
			for (int i = 0; i < b->nmsgs; i++)
				talked |= b->msgs[i].role != 2;
			if (!talked)
				buddy_pane_add(a, 2, 0, "Hi! Type to me (i) or talk (F2).");
		}
		break;
	case VOICE_TRANSCRIPT:
		if (ev->final) {
			b->partial[0] = 0;
			buddy_pane_add(a, 0, ev->turn, ev->text[0] ? ev->text : "(nothing heard)");
			b->thinking = 1;
			b->reply_msg = -1;
		} else {
			snprintf(b->partial, sizeof b->partial, "%s", ev->text);
		}
		break;
	case VOICE_DELTA:
		b->thinking = 0; /* it answers (with speech: it has started to speak) */
		append_reply(a, ev->turn, ev->text);
		break;
	case VOICE_ACTION:
		if (strcmp(ev->name, "cart.remove") == 0 && strcmp(ev->text, "- item") == 0) {
			/* the connection never saw the product: the cart pane (not yet updated)
			 * still has its line, so the removal can name it */
			const cJSON *it;
			int64_t id = json_int(ev->args, "product_id");
			cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(a->cart_st.cart, "items"))
			{
				if (id > 0 && json_int(it, "product_id") == id && json_str(it, "title")[0]) {
					char line[300];
					snprintf(line, sizeof line, "- %s", json_str(it, "title"));
					char *t = strdup(line);
					if (t) {
						free(ev->text);
						ev->text = t;
					}
					break;
				}
			}
		}
		apply_action(a, ev);
		if (ev->text[0])
			buddy_pane_add(a, 2, ev->turn, ev->text);
		b->reply_msg = -1; /* the reply goes on below the action */
		break;
	case VOICE_DONE:
		b->thinking = 0;
		if (b->reply_turn != ev->turn && ev->text[0])
			append_reply(a, ev->turn, ev->text);
		if (ev->cancelled)
			buddy_pane_add(a, 2, ev->turn, "(interrupted)");
		b->reply_msg = -1;
		b->reply_turn = ev->turn;
		break;
	case VOICE_ERROR:
		b->thinking = 0;
		buddy_pane_add(a, 2, ev->turn, ev->text);
		break;
	case VOICE_CLOSED: {
		int was = b->connected, first = b->reconnect_tries == 0;
		b->connected = 0;
		b->thinking = 0;
		snprintf(b->conn, sizeof b->conn, "offline");
		voice_stop_async(a->voice);
		a->voice = NULL;
		/* Lost (a server restart, the network): come back by itself.  Refused
		 * (4001: the login ended) or never connected at all: say so and wait. */
		if (a->logged_in && ev->code != 4001 && (was || !first)) {
			if (first)
				buddy_pane_add(a, 2, 0, "The buddy connection was lost; reconnecting by itself...");
			plan_reconnect(a);
		} else {
			buddy_pane_add(a, 2, 0, ev->text[0] ? ev->text : "the buddy connection closed");
		}
		break;
	}
	case VOICE_MIC_DONE:
		b->thinking = 1;
		b->handsfree = 0;
		app_status(a, 0, "End of the input file; the buddy is thinking.");
		break;
	case VOICE_AUDIO_ERROR:
		buddy_pane_add(a, 2, ev->turn, ev->text);
		break;
	}
}

/* Draws the conversation bottom-up into r, skipping b->scroll lines. */
static void draw_conversation(struct app *a, struct rect r)
{
	struct buddy_state *b = &a->buddy_st;
	wchar_t w[4096];
	int starts[256], lens[256];
	int y = r.y + r.h - 1, skip = b->scroll;
	for (int i = b->nmsgs - 1; i >= 0 && y >= r.y; i--) {
		const struct buddy_msg *m = &b->msgs[i];
		const char *who = m->role == 0 ? "you: " : m->role == 1 ? "buddy: " : "  ";
		int pw = (int)strlen(who);
		int n = ui_widen(m->text, w, 4096);
		int lines = ui_wrap(w, n, r.w - pw, starts, lens, 256);
		if (lines > 256)
			lines = 256;
		if (lines == 0)
			lines = 1, starts[0] = 0, lens[0] = 0;
		for (int l = lines - 1; l >= 0 && y >= r.y; l--) {
			if (skip > 0) {
				skip--;
				continue;
			}
			if (l == 0 && m->role != 2)
				ui_text(y, r.x, pw, who, m->role == 0 ? UI_USER : UI_BUDDY);
			ui_wtext(y, r.x + pw, r.w - pw, w + starts[l], lens[l],
				 m->role == 2 ? UI_DIM : UI_NORMAL);
			y--;
		}
	}
	if (skip > 0 && b->scroll > 0)
		b->scroll -= skip; /* scrolled past the top */
}

static void draw_meter(struct app *a, int y, int x, int w)
{
	int handsfree = a->voice && voice_is_handsfree(a->voice);
	int listening = a->voice && (voice_listening(a->voice) || handsfree);
	int speaking = a->voice && voice_speaking(a->voice);
	int cx = x;
	if (listening) {
		if (handsfree) /* HEARD while the VAD hears speech, else it waits for some */
			cx += ui_text(y, cx, w, voice_hearing(a->voice) ? "HEARD " : "HANDS-FREE ",
				      voice_hearing(a->voice) ? UI_SPEAKING : UI_KEY);
		cx += ui_text(y, cx, w, "MIC ", UI_KEY);
		int cells = w - (cx - x) - (speaking ? 11 : 1);
		if (cells > 20)
			cells = 20;
		int lit = (int)(voice_level(a->voice) * cells + 0.5);
		char bar[32];
		for (int i = 0; i < cells && i < 30; i++)
			bar[i] = i < lit ? '|' : '.';
		bar[cells > 0 ? (cells < 30 ? cells : 30) : 0] = 0;
		cx += ui_text(y, cx, w - (cx - x), bar, UI_METER) + 1;
	} else {
		/* the long hint only when SPEAKING needs no room beside it */
		cx += ui_text(y, cx, w, a->buddy_st.thinking ? "thinking... "
				       : speaking ? "F2 talk  i type "
						  : "F2 talk  F3 hands-free  i type ", UI_DIM);
	}
	if (speaking)
		ui_text(y, cx, w - (cx - x), " SPEAKING ", UI_SPEAKING);
}

void buddy_pane_draw(struct app *a, struct rect r, int focused)
{
	struct buddy_state *b = &a->buddy_st;
	char title[160];
	snprintf(title, sizeof title, "Buddy - %s", b->conn);
	struct rect in = ui_box(r, title, focused);
	if (in.h < 3)
		return;
	draw_meter(a, in.y, in.x, in.w);
	int bottom = in.y + in.h - 1; /* the input line */
	struct rect conv = { in.y + 1, in.x, bottom - in.y - 1, in.w };
	if (b->partial[0] && a->voice && (voice_listening(a->voice) || voice_is_handsfree(a->voice))) {
		char line[1100];
		snprintf(line, sizeof line, "hearing: %s", b->partial);
		ui_text(bottom - 1, in.x, in.w, line, UI_DIM);
		conv.h--;
	}
	draw_conversation(a, conv);
	ui_text(bottom, in.x, 2, ">", b->typing ? UI_KEY : UI_DIM);
	if (b->typing) {
		int cx;
		form_field_draw(&b->input, bottom, in.x + 2, in.w - 2, 1, &cx);
		a->cursor_y = bottom;
		a->cursor_x = cx;
	} else if (b->input.len) {
		form_field_draw(&b->input, bottom, in.x + 2, in.w - 2, 0, NULL);
	} else {
		ui_text(bottom, in.x + 2, in.w - 2, "i: type to the buddy", UI_DIM);
	}
}

int buddy_pane_key(struct app *a, int is_key, wint_t key)
{
	struct buddy_state *b = &a->buddy_st;
	if (b->typing) {
		if ((!is_key && key == '\t') || (is_key && key == KEY_BTAB)) {
			b->typing = 0;
			return 0;
		}
		if (is_key && (key == KEY_PPAGE || key == KEY_NPAGE))
			goto scroll;
		switch (form_field_key(&b->input, is_key, key)) {
		case FORM_SUBMIT: {
			char text[1024];
			form_field_utf8(&b->input, text, sizeof text);
			if (text[0]) {
				form_field_clear(&b->input);
				send_text(a, text);
			}
			return 1;
		}
		case FORM_CANCEL:
			b->typing = 0;
			return 1;
		default:
			return 1;
		}
	}
	if ((!is_key && (key == '\r' || key == '\n' || key == 'i')) || (is_key && key == KEY_ENTER)) {
		b->typing = 1;
		return 1;
	}
	if ((!is_key && key == 'k') || (is_key && key == KEY_UP)) {
		b->scroll++;
		return 1;
	}
	if ((!is_key && key == 'j') || (is_key && key == KEY_DOWN)) {
		if (b->scroll > 0)
			b->scroll--;
		return 1;
	}
	if (!is_key && key == 27 && a->voice) {
		voice_interrupt(a->voice);
		return 1;
	}
scroll:
	if (is_key && key == KEY_PPAGE) {
		b->scroll += a->buddy.h / 2;
		return 1;
	}
	if (is_key && key == KEY_NPAGE) {
		b->scroll -= a->buddy.h / 2;
		if (b->scroll < 0)
			b->scroll = 0;
		return 1;
	}
	return 0;
}
