/*
 * app.h - the state of voxcart-tui and the interface between its modules.
 *
 * One struct app holds everything the UI thread knows; it is touched only by the UI
 * thread.  Server data are kept as the cJSON the server sent (Products, the Cart,
 * Orders) and drawn straight from it.  Each screen module owns its part of the
 * struct and exports draw / key / result functions with its prefix:
 *
 *   screen-login.c     login_*     the login and register form
 *   screen-search.c    search_*    search box, filters, results list
 *   screen-product.c   product_*   one product, quantity, add to cart
 *   screen-cart.c      cart_*      the cart pane (quantity, remove)
 *   screen-checkout.c  checkout_*  card, address, total, confirmation
 *   screen-orders.c    orders_*    orders list, detail, cancel
 *   pane-buddy.c       buddy_pane_* the conversation, transcript, meter
 *   voice.c            voice_*     the buddy connection and the audio (threads)
 *   app.c              app_*       requests, status line, confirmations, layout
 *   main.c                         options, the event loop, signals, --stats
 */
#ifndef VOXCART_TUI_APP_H
#define VOXCART_TUI_APP_H

#include <stdint.h>
#include <wchar.h>

#include <cJSON.h>

#include "form.h"
#include "json.h"
#include "money.h"
#include "ui.h"
#include "worker.h"

enum app_screen {
	SCREEN_LOGIN,
	SCREEN_SEARCH,
	SCREEN_PRODUCT,
	SCREEN_CHECKOUT,
	SCREEN_ORDERS,
	SCREEN_ORDER,
};

enum app_focus { FOCUS_MAIN, FOCUS_CART, FOCUS_BUDDY, FOCUS_COUNT };

/* Worker job tags: which module gets the answer. */
enum app_tag {
	TAG_RESUME = 1,
	TAG_LOGIN,
	TAG_REGISTER,
	TAG_LOGOUT,
	TAG_ME,
	TAG_SEARCH,
	TAG_CATEGORIES,
	TAG_PRODUCT,
	TAG_CART,
	TAG_CART_CHANGE,
	TAG_CARDS,
	TAG_CARD_ADD,
	TAG_ORDER_PLACE,
	TAG_ORDERS,
	TAG_ORDER,
	TAG_ORDER_CANCEL,
	TAG_TOKEN,
};

#define SEARCH_FIELDS 4
#define CHECKOUT_FIELDS 14
#define CARD_CHOICES 12

struct search_state {
	struct form_field query;
	int editing;                 /* typing into the search box */
	struct form filters;         /* category, min price, max price, sort */
	struct form_field filter_fields[SEARCH_FIELDS];
	int filtering;               /* the filter form is open */
	char *categories[FORM_CHOICES_MAX]; /* owned; the category choices */
	int ncategories;
	char q[512];                 /* the search the results belong to */
	char category[80];
	int64_t min_cents, max_cents; /* -1: none */
	int sort;                    /* index into the sort choices */
	cJSON *results;              /* array of Products; owned */
	int total, offset, sel, top;
	uint64_t seq;                /* the newest search sent */
	int loading;
	int from_buddy;              /* the results came from the buddy */
};

struct product_state {
	cJSON *product;              /* owned */
	int64_t id;
	int qty;
	int loading;
	uint64_t seq;
	int scroll;
};

struct cart_state {
	cJSON *cart;                 /* owned; NULL until loaded */
	int sel, top;
	int loading;
	uint64_t seq;
	int64_t flash_id;            /* product the buddy just changed, highlighted */
};

struct checkout_state {
	int open;                    /* the screen was entered and no order placed yet */
	int dirty;                   /* the user chose or typed something */
	struct form form;
	struct form_field fields[CHECKOUT_FIELDS];
	cJSON *cards;                /* array of PaymentMethods; owned */
	char card_labels[CARD_CHOICES][80];
	char address_label[240];
	int busy;                    /* a card or order request is out */
	char idem[40];               /* the order's Idempotency-Key, kept for retries */
	int64_t pending_card_id;     /* a card added in this checkout */
	int error_field;             /* 1 + the field a validation message is about; 0 none */
	int sandbox;                 /* new cards go to the sandbox provider: show its test numbers */
};

struct orders_state {
	cJSON *orders;               /* array of Orders; owned */
	int total, sel, top;
	cJSON *order;                /* the order shown in detail; owned */
	int scroll;
	int loading;
	int just_placed;             /* the detail shows a new order */
};

struct login_state {
	struct form form;
	struct form_field fields[5];
	int registering;
	int busy;
};

#define BUDDY_MSGS_MAX 200

struct buddy_msg {
	int role;                    /* 0 user, 1 buddy, 2 note (actions, errors) */
	char *text;                  /* UTF-8; owned */
	uint32_t turn;
};

struct buddy_state {
	struct buddy_msg msgs[BUDDY_MSGS_MAX];
	int nmsgs;
	struct form_field input;
	int typing;                  /* the input line has the keys */
	int scroll;                  /* lines scrolled up from the bottom */
	char partial[1024];          /* live transcript while talking */
	char pending_say[1024];      /* typed before the connection was ready */
	uint32_t reply_turn;         /* the turn whose reply is streaming */
	int reply_msg;               /* its index in msgs, -1 none */
	int thinking;                /* a turn is out and no reply.done yet */
	char conn[128];              /* "connected", "connecting...", why not */
	int connected;
	/* Reconnecting by itself after the connection was lost (a server restart):
	 * when to try next (ui_now_ms(); 0: not waiting) and how many tries so far. */
	double reconnect_at;
	int reconnect_tries;
	int handsfree;               /* F3: hands-free wanted (kept over a reconnect) */
};

struct app {
	/* settings */
	const char *server;          /* base URL */
	const char *input_wav, *output_wav;
	int no_aec;                  /* --no-aec: gate the microphone instead */
	const char *login_email;     /* --login */
	char cred_path[4096];

	/* threads */
	struct worker *worker;
	struct voice *voice;         /* NULL until logged in */
	uint64_t seq;                /* request numbers */

	/* who */
	int logged_in;
	int resuming;                /* waiting for the saved login to be checked */
	char email[256];
	cJSON *me;                   /* User; owned */

	/* layout */
	enum app_screen screen;
	enum app_screen back;        /* where Esc goes from product/order */
	enum app_focus focus;
	struct rect header, main, cart, buddy, status, hints;
	int too_small;
	int cursor_y, cursor_x;      /* where the hardware cursor goes, -1 hidden */
	int help;                    /* the help overlay is open */
	int help_scroll;

	/* status line */
	char status_text[512];
	int status_error;
	double status_at;

	/* a yes/no question in the status line */
	char confirm_text[256];
	void (*confirm_cb)(struct app *a, int yes);
	int64_t confirm_arg;

	int quit;
	int dirty;                   /* redraw before the next wait */

	struct search_state search;
	struct product_state product;
	struct cart_state cart_st;
	struct checkout_state checkout;
	struct orders_state orders;
	struct login_state login;
	struct buddy_state buddy_st;
};

/* ---- app.c ---- */
/* A request job for the worker (auth on); NULL when out of memory. */
struct worker_job *app_job(struct app *a, int tag, const char *method, const char *path);
/* Submits job; returns its seq. */
uint64_t app_submit(struct app *a, struct worker_job *job);
/* Shortcut: a job without body, submitted.  Returns its seq. */
uint64_t app_request(struct app *a, int tag, const char *method, const char *path);
void app_status(struct app *a, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The status line message for a failed job ("cannot reach voxcartd ..."). */
void app_status_job(struct app *a, const char *what, const struct worker_job *job);
/* When job failed because the login is over, what to tell the user ("Your session
 * expired ..." or "You are not logged in ..."); NULL otherwise. */
const char *app_login_over(const struct worker_job *job);
void app_confirm(struct app *a, const char *question, void (*cb)(struct app *, int),
		 int64_t arg);
void app_set_screen(struct app *a, enum app_screen s);
void app_layout(struct app *a);
void app_draw(struct app *a);
/* Handles a finished worker job (routes it by tag). */
void app_job_done(struct app *a, struct worker_job *job);
/* Keys: 1 when used. */
int app_key(struct app *a, int is_key, wint_t key);
/* A mouse event at (y,x): a press focuses a pane and selects a row, a second one
 * opens it, the wheel scrolls. */
void app_mouse(struct app *a, int y, int x, mmask_t buttons);
/* Logged in as the given user: loads the shop. */
void app_logged_in(struct app *a, const cJSON *user, const char *email);
void app_logged_out(struct app *a, const char *why);

/* JSON fields are read with libvoxcart's json_str, json_int, json_bool (json.h). */
/* Keeps *sel in [0,n) and *top such that sel shows in rows rows. */
void app_clamp_list(int n, int rows, int *sel, int *top);
/* 1 when key is one of the list-movement keys; moves *sel. */
int app_list_key(int is_key, wint_t key, int n, int page, int *sel);

/* ---- screen modules ---- */
void login_init(struct app *a);
void login_draw(struct app *a, struct rect r);
int login_key(struct app *a, int is_key, wint_t key);
void login_result(struct app *a, struct worker_job *job);

void search_init(struct app *a);
void search_free(struct app *a);
void search_draw(struct app *a, struct rect r, int focused);
int search_key(struct app *a, int is_key, wint_t key);
void search_result(struct app *a, struct worker_job *job);
void search_start_editing(struct app *a);
void search_run(struct app *a);
/* Shows products the buddy found (items: array of Products; copied). */
void search_show_items(struct app *a, const cJSON *items, const char *query);
int search_text_active(const struct app *a);

void product_open(struct app *a, int64_t id, const cJSON *have);
void product_draw(struct app *a, struct rect r, int focused);
int product_key(struct app *a, int is_key, wint_t key);
void product_result(struct app *a, struct worker_job *job);
void product_free(struct app *a);

void cart_load(struct app *a);
void cart_draw(struct app *a, struct rect r, int focused);
int cart_key(struct app *a, int is_key, wint_t key);
void cart_result(struct app *a, struct worker_job *job);
/* Takes a Cart the server sent (copied); flash: product id to highlight or 0. */
void cart_set(struct app *a, const cJSON *cart, int64_t flash);
/* Adds qty of product id (POST /cart/items). */
void cart_add(struct app *a, int64_t id, int qty, const char *title);
void cart_free(struct app *a);
int64_t cart_subtotal(const struct app *a);
int cart_item_count(const struct app *a);

void checkout_open(struct app *a);
void checkout_draw(struct app *a, struct rect r, int focused);
int checkout_key(struct app *a, int is_key, wint_t key);
void checkout_result(struct app *a, struct worker_job *job);
/* 1 while a checkout is started and not finished. */
int checkout_half_done(const struct app *a);
void checkout_reset(struct app *a);
/* Rebuilds the card and address choices (after the user or the cards changed). */
void checkout_refresh(struct app *a);
void checkout_free(struct app *a);

void orders_open(struct app *a);
void orders_show(struct app *a, const cJSON *order, int just_placed);
void orders_draw(struct app *a, struct rect r, int focused);
void orders_detail_draw(struct app *a, struct rect r, int focused);
int orders_key(struct app *a, int is_key, wint_t key);
int orders_detail_key(struct app *a, int is_key, wint_t key);
void orders_result(struct app *a, struct worker_job *job);
void orders_free(struct app *a);

void buddy_pane_init(struct app *a);
void buddy_pane_free(struct app *a);
void buddy_pane_draw(struct app *a, struct rect r, int focused);
int buddy_pane_key(struct app *a, int is_key, wint_t key);
/* Adds a line to the conversation (role 0 user, 1 buddy, 2 note). */
void buddy_pane_add(struct app *a, int role, uint32_t turn, const char *text);
int buddy_pane_text_active(const struct app *a);
void buddy_pane_start_typing(struct app *a);
/* The talk key (F2, Ctrl-T): start or stop listening; interrupts speech. */
void buddy_pane_talk(struct app *a);
/* F3: hands-free on or off. */
void buddy_pane_handsfree(struct app *a);
/* Handles an event from the buddy connection (voice.h); frees nothing. */
struct voice_event;
void buddy_pane_event(struct app *a, struct voice_event *ev);
/* The answer to a WORKER_TOKEN job: connects the buddy with the token. */
void buddy_pane_connect(struct app *a, struct worker_job *job);
/* Called on every pass of the main loop: reconnects the buddy when it is time. */
void buddy_pane_tick(struct app *a, double now_ms);

/* ---- help (help.c) ---- */
void help_draw(struct app *a);
int help_key(struct app *a, int is_key, wint_t key);

#endif
