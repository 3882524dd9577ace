/*
 * app.c - what the screens share: requests to the worker, the status line, yes/no
 * questions, the layout of the panes, the frame around them, and the routing of keys
 * and answers to the screen modules.
 *
 * Layout: a header row, then the main pane (search, product, checkout, orders) on the
 * left and, on the right, the cart pane above the buddy pane; then a status row and a
 * key-hint row.  It is recomputed from LINES/COLS on every draw, so a resize only
 * needs a redraw.  Everything is redrawn from the state each time; curses sends only
 * what changed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "money.h"
#include "voice.h"

#define CTRL(c) ((c) & 0x1f)

/* ---- requests ---- */

struct worker_job *app_job(struct app *a, int tag, const char *method, const char *path)
{
	struct worker_job *job = worker_job_new(WORKER_REQUEST, tag, method, path);
	if (job)
		job->seq = ++a->seq;
	return job;
}

uint64_t app_submit(struct app *a, struct worker_job *job)
{
	if (!job) {
		app_status(a, 1, "out of memory");
		return 0;
	}
	if (!job->seq)
		job->seq = ++a->seq;
	uint64_t seq = job->seq;
	worker_submit(a->worker, job);
	return seq;
}

uint64_t app_request(struct app *a, int tag, const char *method, const char *path)
{
	return app_submit(a, app_job(a, tag, method, path));
}

void app_status(struct app *a, int error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->status_text, sizeof a->status_text, fmt, ap);
	va_end(ap);
	for (char *p = a->status_text; *p; p++) /* one line, whatever the server said */
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	a->status_error = error;
	a->status_at = ui_now_ms();
	a->dirty = 1;
}

const char *app_login_over(const struct worker_job *job)
{
	if (strcmp(job->error_code, "session_expired") == 0)
		return "Your session expired — please log in again.";
	if (strcmp(job->error_code, "login_unknown") == 0)
		return "You are not logged in: the server does not know your saved login "
		       "(it was logged out, or the server's database changed).";
	if (job->status == -1)
		return "You are not logged in.";
	return NULL;
}

void app_status_job(struct app *a, const char *what, const struct worker_job *job)
{
	const char *over = app_login_over(job);
	if (over) {
		app_logged_out(a, over);
		return;
	}
	app_status(a, 1, "%s: %s", what, job->error[0] ? job->error : "failed");
}

void app_confirm(struct app *a, const char *question, void (*cb)(struct app *, int),
		 int64_t arg)
{
	snprintf(a->confirm_text, sizeof a->confirm_text, "%s (y/n)", question);
	a->confirm_cb = cb;
	a->confirm_arg = arg;
	a->dirty = 1;
}

void app_set_screen(struct app *a, enum app_screen s)
{
	if (s == SCREEN_PRODUCT || s == SCREEN_ORDER) {
		if (a->screen != SCREEN_PRODUCT && a->screen != SCREEN_ORDER)
			a->back = a->screen;
	}
	a->screen = s;
	a->focus = FOCUS_MAIN;
	a->dirty = 1;
}

/* ---- lists ---- */

void app_clamp_list(int n, int rows, int *sel, int *top)
{
	if (*sel >= n)
		*sel = n - 1;
	if (*sel < 0)
		*sel = 0;
	if (rows < 1)
		rows = 1;
	if (*top > *sel)
		*top = *sel;
	if (*sel >= *top + rows)
		*top = *sel - rows + 1;
	if (*top > n - rows)
		*top = n - rows;
	if (*top < 0)
		*top = 0;
}

int app_list_key(int is_key, wint_t key, int n, int page, int *sel)
{
	if (page < 1)
		page = 1;
	if ((is_key && key == KEY_DOWN) || (!is_key && key == 'j'))
		(*sel)++;
	else if ((is_key && key == KEY_UP) || (!is_key && key == 'k'))
		(*sel)--;
	else if (is_key && key == KEY_NPAGE)
		*sel += page;
	else if (is_key && key == KEY_PPAGE)
		*sel -= page;
	else if ((is_key && key == KEY_HOME) || (!is_key && key == 'g'))
		*sel = 0;
	else if ((is_key && key == KEY_END) || (!is_key && key == 'G'))
		*sel = n - 1;
	else
		return 0;
	if (*sel >= n)
		*sel = n - 1;
	if (*sel < 0)
		*sel = 0;
	return 1;
}

/* ---- login state ---- */

void app_logged_in(struct app *a, const cJSON *user, const char *email)
{
	a->logged_in = 1;
	a->resuming = 0;
	cJSON_Delete(a->me);
	a->me = user ? cJSON_Duplicate(user, 1) : NULL;
	snprintf(a->email, sizeof a->email, "%s",
		 email && *email ? email : json_str(user, "email"));
	app_set_screen(a, SCREEN_SEARCH);
	search_run(a);
	app_request(a, TAG_CATEGORIES, "GET", "/api/v1/categories");
	cart_load(a);
	struct worker_job *job = worker_job_new(WORKER_TOKEN, TAG_TOKEN, NULL, NULL);
	app_submit(a, job);
	snprintf(a->buddy_st.conn, sizeof a->buddy_st.conn, "connecting...");
}

void app_logged_out(struct app *a, const char *why)
{
	a->logged_in = 0;
	a->resuming = 0;
	cJSON_Delete(a->me);
	a->me = NULL;
	a->email[0] = 0;
	if (a->voice) {
		voice_stop_async(a->voice);
		a->voice = NULL;
	}
	/* nothing of this user stays on screen for the next one */
	buddy_pane_free(a);
	memset(&a->buddy_st, 0, sizeof a->buddy_st);
	buddy_pane_init(a);
	cart_free(a);
	orders_free(a);
	product_free(a);
	checkout_reset(a);
	app_set_screen(a, SCREEN_LOGIN);
	a->login.registering = 0;
	login_init(a);
	if (why)
		app_status(a, 1, "%s", why);
}

/* ---- layout and drawing ---- */

void app_layout(struct app *a)
{
	int H = LINES, W = COLS;
	a->too_small = W < 60 || H < 16;
	a->header = (struct rect){ 0, 0, 1, W };
	a->status = (struct rect){ H - 2, 0, 1, W };
	a->hints = (struct rect){ H - 1, 0, 1, W };
	int body = H - 3;
	if (a->screen == SCREEN_LOGIN) {
		a->main = (struct rect){ 1, 0, body, W };
		a->cart = a->buddy = (struct rect){ 0, 0, 0, 0 };
		return;
	}
	int rw = W * 2 / 5;
	if (rw < 32)
		rw = 32;
	if (rw > 72)
		rw = 72;
	int ch = body * 2 / 5;
	if (ch < 7)
		ch = 7;
	a->main = (struct rect){ 1, 0, body, W - rw };
	a->cart = (struct rect){ 1, W - rw, ch, rw };
	a->buddy = (struct rect){ 1 + ch, W - rw, body - ch, rw };
}

static const char *screen_name(enum app_screen s)
{
	switch (s) {
	case SCREEN_LOGIN: return "Log in";
	case SCREEN_SEARCH: return "Search";
	case SCREEN_PRODUCT: return "Product";
	case SCREEN_CHECKOUT: return "Checkout";
	case SCREEN_ORDERS: return "Orders";
	case SCREEN_ORDER: return "Order";
	}
	return "";
}

static void draw_header(struct app *a)
{
	struct rect r = a->header;
	ui_fill(r.y, 0, r.w, UI_HEADER);
	int x = ui_text(r.y, 1, r.w - 2, "voxcart", UI_TAB) + 2;
	static const enum app_screen tabs[] = { SCREEN_SEARCH, SCREEN_CHECKOUT, SCREEN_ORDERS };
	static const char *const keys[] = { "/", "c", "o" };
	if (a->logged_in) {
		for (int i = 0; i < 3; i++) {
			int cur = a->screen == tabs[i] ||
				  (tabs[i] == SCREEN_SEARCH && a->screen == SCREEN_PRODUCT) ||
				  (tabs[i] == SCREEN_ORDERS && a->screen == SCREEN_ORDER);
			char t[64];
			snprintf(t, sizeof t, " %s %s ", keys[i], screen_name(tabs[i]));
			x += ui_text(r.y, x, r.w - x, t, cur ? UI_TAB : UI_HEADER) + 1;
		}
	}
	char right[300];
	if (a->logged_in)
		snprintf(right, sizeof right, "%s  ? help ", a->email);
	else
		snprintf(right, sizeof right, "%s  ? help ", a->server);
	int rw = ui_width(right);
	if (x + rw < r.w)
		ui_text(r.y, r.w - rw, rw, right, UI_HEADER);
}

static const char *hints_for(const struct app *a)
{
	if (a->confirm_cb)
		return "y yes   n no";
	if (a->help)
		return "j/k scroll   Esc/q/? close help";
	if (a->screen == SCREEN_LOGIN)
		return a->login.registering
			       ? "Tab/Up/Down field   Enter register   F3 log in instead   Esc quit"
			       : "Tab/Up/Down field   Enter log in   F3 create an account   Esc quit";
	if (a->buddy_st.typing)
		return "Enter send   Esc stop typing   F2 talk   Tab pane";
	if (a->search.editing)
		return "Enter search   Esc cancel   Tab pane";
	if (a->search.filtering)
		return "Up/Down field   Left/Right choose   Enter apply   Esc cancel";
	if (a->focus == FOCUS_CART)
		return "j/k move  +/- quantity  d remove  c checkout  Tab pane  F2 talk  ? help  q quit";
	if (a->focus == FOCUS_BUDDY)
		return "i/Enter type  F2 talk  PgUp/PgDn scroll  Tab pane  ? help  q quit";
	switch (a->screen) {
	case SCREEN_SEARCH:
		return "/ search  f filters  j/k move  Enter open  a add  n/p page  Tab pane  F2 talk  ? help";
	case SCREEN_PRODUCT:
		return "a/Enter add  +/- quantity  Esc back  Tab pane  F2 talk  ? help  q quit";
	case SCREEN_CHECKOUT:
		return "Up/Down field  Left/Right choose  Enter next/place order  Esc back  ? help";
	case SCREEN_ORDERS:
		return "j/k move  Enter details  x cancel order  r reload  Esc back  ? help";
	case SCREEN_ORDER: {
		const char *st = json_str(a->orders.order, "status");
		if (strcmp(st, "paid") == 0 || strcmp(st, "pending_payment") == 0)
			return "x cancel order  j/k scroll  r reload  Esc back  Tab pane  ? help  q quit";
		return "j/k scroll  r reload  Esc back  Tab pane  ? help  q quit";
	}
	default:
		return "? help";
	}
}

static void draw_status(struct app *a)
{
	ui_fill(a->status.y, 0, a->status.w, UI_NORMAL);
	if (a->confirm_cb) {
		ui_text(a->status.y, 1, a->status.w - 2, a->confirm_text, UI_KEY);
		return;
	}
	if (a->status_text[0])
		ui_text(a->status.y, 1, a->status.w - 2, a->status_text,
			a->status_error ? UI_ERROR : UI_OK);
	ui_text_pad(a->hints.y, 0, a->hints.w, hints_for(a), UI_DIM);
}

void app_draw(struct app *a)
{
	app_layout(a);
	erase();
	a->cursor_y = a->cursor_x = -1;
	if (a->too_small) {
		ui_text(0, 0, COLS, "voxcart-tui needs at least 60x16;", UI_ERROR);
		ui_text(1, 0, COLS, "make the terminal larger (q quits).", UI_NORMAL);
		refresh();
		return;
	}
	draw_header(a);
	switch (a->screen) {
	case SCREEN_LOGIN:
		login_draw(a, a->main);
		break;
	case SCREEN_SEARCH:
		search_draw(a, a->main, a->focus == FOCUS_MAIN);
		break;
	case SCREEN_PRODUCT:
		product_draw(a, a->main, a->focus == FOCUS_MAIN);
		break;
	case SCREEN_CHECKOUT:
		checkout_draw(a, a->main, a->focus == FOCUS_MAIN);
		break;
	case SCREEN_ORDERS:
		orders_draw(a, a->main, a->focus == FOCUS_MAIN);
		break;
	case SCREEN_ORDER:
		orders_detail_draw(a, a->main, a->focus == FOCUS_MAIN);
		break;
	}
	if (a->screen != SCREEN_LOGIN) {
		cart_draw(a, a->cart, a->focus == FOCUS_CART);
		buddy_pane_draw(a, a->buddy, a->focus == FOCUS_BUDDY);
	}
	draw_status(a);
	if (a->help)
		help_draw(a);
	if (a->cursor_y >= 0 && !a->help && !a->confirm_cb) {
		curs_set(1);
		move(a->cursor_y, a->cursor_x);
	} else {
		curs_set(0);
	}
	refresh();
}

/* ---- answers ---- */

void app_job_done(struct app *a, struct worker_job *job)
{
	a->dirty = 1;
	switch (job->tag) {
	case TAG_RESUME:
	case TAG_LOGIN:
	case TAG_REGISTER:
	case TAG_LOGOUT:
		login_result(a, job);
		break;
	case TAG_ME:
		if (job->status == 200) {
			cJSON_Delete(a->me);
			a->me = job->json;
			job->json = NULL;
			checkout_refresh(a);
		} else if (strcmp(job->method, "PATCH") == 0) {
			app_status_job(a, "The address was not saved", job);
		}
		break;
	case TAG_SEARCH:
	case TAG_CATEGORIES:
		search_result(a, job);
		break;
	case TAG_PRODUCT:
		product_result(a, job);
		break;
	case TAG_CART:
	case TAG_CART_CHANGE:
		cart_result(a, job);
		break;
	case TAG_CARDS:
	case TAG_CARD_ADD:
	case TAG_ORDER_PLACE:
		checkout_result(a, job);
		break;
	case TAG_ORDERS:
	case TAG_ORDER:
	case TAG_ORDER_CANCEL:
		orders_result(a, job);
		break;
	case TAG_TOKEN:
		login_result(a, job);
		break;
	}
}

/* ---- keys ---- */

static void quit_answer(struct app *a, int yes)
{
	if (yes)
		a->quit = 1;
}

static void logout_answer(struct app *a, int yes)
{
	if (!yes)
		return;
	app_submit(a, worker_job_new(WORKER_LOGOUT, TAG_LOGOUT, NULL, NULL));
}

static int text_active(const struct app *a)
{
	return a->screen == SCREEN_LOGIN || (a->focus == FOCUS_MAIN && search_text_active(a)) ||
	       (a->focus == FOCUS_BUDDY && buddy_pane_text_active(a));
}

static int global_key(struct app *a, int is_key, wint_t key)
{
	if (is_key && key == KEY_F(1)) {
		a->help = 1;
		a->help_scroll = 0;
		return 1;
	}
	if (!is_key && key == CTRL('L')) {
		clearok(curscr, TRUE);
		return 1;
	}
	if (text_active(a))
		return 0;
	if ((!is_key && key == '\t') || (is_key && key == KEY_BTAB)) {
		int step = is_key ? FOCUS_COUNT - 1 : 1;
		a->focus = (enum app_focus)((a->focus + step) % FOCUS_COUNT);
		return 1;
	}
	if (is_key)
		return 0;
	switch (key) {
	case '?':
		a->help = 1;
		a->help_scroll = 0;
		return 1;
	case 'q':
		if (checkout_half_done(a))
			app_confirm(a, "A checkout is not finished. Quit anyway?", quit_answer, 0);
		else
			a->quit = 1;
		return 1;
	case '/':
		search_start_editing(a);
		return 1;
	case 'o':
		orders_open(a);
		return 1;
	case 'c':
		checkout_open(a);
		return 1;
	case 's':
		app_set_screen(a, SCREEN_SEARCH);
		return 1;
	case 'b':
	case 'i':
		buddy_pane_start_typing(a);
		return 1;
	case 'X':
		app_confirm(a, "Log out?", logout_answer, 0);
		return 1;
	}
	return 0;
}

int app_key(struct app *a, int is_key, wint_t key)
{
	a->dirty = 1;
	if (a->confirm_cb) {
		void (*cb)(struct app *, int) = a->confirm_cb;
		if (!is_key && (key == 'y' || key == 'Y')) {
			a->confirm_cb = NULL;
			cb(a, 1);
		} else if (!is_key && (key == 'n' || key == 'N' || key == 27)) {
			a->confirm_cb = NULL;
			cb(a, 0);
		}
		return 1;
	}
	if (a->help)
		return help_key(a, is_key, key);
	if (a->screen != SCREEN_LOGIN &&
	    ((is_key && key == KEY_F(2)) || (!is_key && key == CTRL('T')))) {
		buddy_pane_talk(a);
		return 1;
	}
	if (a->screen != SCREEN_LOGIN && is_key && key == KEY_F(3)) {
		buddy_pane_handsfree(a);
		return 1;
	}
	if (a->too_small) {
		if (!is_key && key == 'q')
			a->quit = 1;
		return 1;
	}
	if (a->screen == SCREEN_LOGIN)
		return login_key(a, is_key, key);
	/* text fields first: they take printable keys */
	if (a->focus == FOCUS_BUDDY && buddy_pane_text_active(a))
		if (buddy_pane_key(a, is_key, key))
			return 1;
	if (a->focus == FOCUS_MAIN && search_text_active(a))
		if (search_key(a, is_key, key))
			return 1;
	if (a->focus == FOCUS_MAIN && a->screen == SCREEN_CHECKOUT)
		if (checkout_key(a, is_key, key))
			return 1;
	if (global_key(a, is_key, key))
		return 1;
	switch (a->focus) {
	case FOCUS_CART:
		return cart_key(a, is_key, key);
	case FOCUS_BUDDY:
		return buddy_pane_key(a, is_key, key);
	default:
		break;
	}
	switch (a->screen) {
	case SCREEN_SEARCH:
		return search_key(a, is_key, key);
	case SCREEN_PRODUCT:
		return product_key(a, is_key, key);
	case SCREEN_ORDERS:
		return orders_key(a, is_key, key);
	case SCREEN_ORDER:
		return orders_detail_key(a, is_key, key);
	default:
		return 0;
	}
}

/* ---- mouse ---- */

static int inside(struct rect r, int y, int x)
{
	return y >= r.y && y < r.y + r.h && x >= r.x && x < r.x + r.w;
}

/* Selects the row under the pointer in a list drawn from row first. */
static int pick_row(int y, int first, int top, int n, int *sel)
{
	int i = y - first + top;
	if (y < first || i < 0 || i >= n)
		return 0;
	*sel = i;
	return 1;
}

void app_mouse(struct app *a, int y, int x, mmask_t b)
{
	if (a->help || a->confirm_cb || a->too_small || a->screen == SCREEN_LOGIN)
		return;
	a->dirty = 1;
	enum app_focus f = inside(a->cart, y, x) ? FOCUS_CART
			   : inside(a->buddy, y, x) ? FOCUS_BUDDY
			   : inside(a->main, y, x) ? FOCUS_MAIN : a->focus;
	if (f != FOCUS_MAIN && a->search.editing)
		a->search.editing = 0;
	if (f != FOCUS_BUDDY)
		a->buddy_st.typing = 0;
	a->focus = f;
	if (b & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		int key = (b & BUTTON4_PRESSED) ? KEY_UP : KEY_DOWN;
		app_key(a, 1, (wint_t)key);
		return;
	}
	if (!(b & BUTTON1_PRESSED))
		return;
	/* a second press on the same row within 400 ms opens it */
	static double last_at;
	static int last_y = -1;
	double now = ui_now_ms();
	int open = y == last_y && now - last_at < 400;
	last_y = open ? -1 : y;
	last_at = now;
	int hit = 0;
	if (f == FOCUS_CART) {
		hit = pick_row(y, a->cart.y + 1, a->cart_st.top,
			       cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(a->cart_st.cart, "items")),
			       &a->cart_st.sel);
	} else if (f == FOCUS_BUDDY) {
		if (y == a->buddy.y + a->buddy.h - 2)
			a->buddy_st.typing = 1;
	} else if (a->screen == SCREEN_SEARCH && !a->search.filtering) {
		hit = pick_row(y, a->main.y + 4, a->search.top, cJSON_GetArraySize(a->search.results),
			       &a->search.sel);
	} else if (a->screen == SCREEN_ORDERS) {
		hit = pick_row(y, a->main.y + 1, a->orders.top, cJSON_GetArraySize(a->orders.orders),
			       &a->orders.sel);
	}
	if (hit && open)
		app_key(a, 1, KEY_ENTER);
}
