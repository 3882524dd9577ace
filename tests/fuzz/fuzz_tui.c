/*
 * fuzz_tui.c - libFuzzer harness: the TUI's screens with what a server sends them.
 *
 * voxcart-tui's screens (tui/ but main.c, voice.c and worker.c: the Makefile links
 * their objects in) run on a real ncurses screen whose output goes to /dev/null.  The REST
 * worker's thread is not started: worker_submit (tui/worker.c, compiled in here under
 * another name) is replaced by a queue, and the input answers the requests the screens
 * made, in order, with any status and body, as the worker would hand them back
 * (app_job_done).  The buddy connection is a stand-in for tui/voice.c (no thread, no
 * audio) whose events - ready, transcripts, reply pieces, actions with their results,
 * errors, the close - the input also writes.  Between them come keys, mouse presses
 * and resizes, and the screen is drawn after each step, as the TUI's loop does.
 *
 *     input = 1 byte (bit 0: start logged in, else at the login form resuming a
 *             saved login) + steps; step = 1 byte op % 5 and its operands:
 *       0 answer the oldest request: 1 byte status (a table), 2 bytes length, body
 *       1 a key: 1 byte (a table of special keys, else that character) or, past the
 *         table, 2 more bytes: a character up to U+FFFF
 *       2 a buddy event: 1 byte type, 1 byte turn, 1 byte flags (bit 0 final, 1
 *         cancelled, bits 2-4 an action name from a table), 2 bytes length, text,
 *         2 bytes length, JSON (the action's result)
 *       3 a resize: 1 byte rows, 1 byte columns
 *       4 a mouse press: 1 byte row, 1 byte column, 1 byte button
 *
 * What must hold: nothing crashes or trips a sanitizer, every request is answered or
 * dropped without a leak, and each input starts from a new struct app (nothing of an
 * earlier input stays).
 */
#define worker_submit worker_submit_thread
#include "../../tui/worker.c"
#undef worker_submit

#include "../../tui/app.h"
#include "../../tui/voice.h"

#include <fcntl.h>
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the worker: requests queue up for the input to answer ---- */

static struct worker_job *queue_head, *queue_tail;

void worker_submit(struct worker *w, struct worker_job *job)
{
	(void)w;
	job->next = NULL;
	if (queue_tail)
		queue_tail->next = job;
	else
		queue_head = job;
	queue_tail = job;
}

static struct worker_job *queue_take(void)
{
	struct worker_job *job = queue_head;
	if (job) {
		queue_head = job->next;
		if (!queue_head)
			queue_tail = NULL;
		job->next = NULL;
	}
	return job;
}

/* ---- the buddy connection: a stand-in for voice.c ---- */

struct voice {
	int ready, handsfree, listening;
	uint32_t turn;
};
static struct voice the_voice;
static int voice_open;

struct voice *voice_start(const struct voice_opts *opts, const char *token, char *err,
			  size_t errlen)
{
	(void)opts;
	(void)err;
	(void)errlen;
	if (!token)
		return NULL;
	memset(&the_voice, 0, sizeof the_voice);
	voice_open = 1;
	return &the_voice;
}

void voice_stop(struct voice *v)
{
	(void)v;
	voice_open = 0;
}

void voice_stop_async(struct voice *v)
{
	voice_stop(v);
}

int voice_fd(const struct voice *v)
{
	(void)v;
	return -1;
}

struct voice_event *voice_take(struct voice *v)
{
	(void)v;
	return NULL;
}

void voice_event_free(struct voice_event *ev)
{
	if (!ev)
		return;
	free(ev->text);
	cJSON_Delete(ev->result);
	cJSON_Delete(ev->args);
	free(ev);
}

uint32_t voice_say(struct voice *v, const char *text)
{
	(void)text;
	return v->ready ? ++v->turn : 0;
}

int voice_talk(struct voice *v, char *err, size_t errlen)
{
	if (!v->ready) {
		snprintf(err, errlen, "not connected");
		return -1;
	}
	v->listening = !v->listening;
	if (v->listening)
		v->turn++;
	return v->listening;
}

void voice_interrupt(struct voice *v)
{
	(void)v;
}

int voice_handsfree(struct voice *v, int on, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	v->handsfree = on;
	return 0;
}

int voice_is_handsfree(const struct voice *v)
{
	return v->handsfree;
}

int voice_hearing(const struct voice *v)
{
	return v->handsfree && v->listening;
}

int voice_listening(const struct voice *v)
{
	return v->listening;
}

int voice_speaking(const struct voice *v)
{
	(void)v;
	return 0;
}

double voice_level(const struct voice *v)
{
	return v->listening ? 0.5 : 0.0;
}

int voice_ready(const struct voice *v)
{
	return v->ready;
}

/* ---- the harness ---- */

static struct app app;

struct reader {
	const uint8_t *p;
	size_t n;
};

static int next(struct reader *r)
{
	if (r->n == 0)
		return -1;
	r->n--;
	return *r->p++;
}

/* n bytes (2-byte length first) as a NUL-terminated copy; "" when the input ran out. */
static char *next_text(struct reader *r, size_t *len)
{
	int hi = next(r), lo = next(r);
	size_t n = hi < 0 || lo < 0 ? 0 : ((size_t)hi << 8 | (size_t)lo);
	if (n > r->n)
		n = r->n;
	char *s = malloc(n + 1);
	if (!s)
		abort();
	memcpy(s, r->p, n);
	s[n] = '\0';
	r->p += n;
	r->n -= n;
	if (len)
		*len = n;
	return s;
}

static void answer(struct reader *r)
{
	static const int statuses[] = { 200, 201, 204, 400, 401, 403, 404, 409,
					422, 429, 500, 503, 0,   -1,  200, 200 };
	int b = next(r);
	struct worker_job *job = queue_take();
	size_t n;
	char *body = next_text(r, &n);
	if (!job) {
		free(body);
		return;
	}
	job->status = statuses[(b < 0 ? 0 : b) % (int)(sizeof statuses / sizeof *statuses)];
	job->json = n ? cJSON_ParseWithLength(body, n) : NULL;
	if (job->status < 200 || job->status > 299) {
		/* what rest.c takes from a failure's body */
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(job->json, "error");
		snprintf(job->error, sizeof job->error, "%s",
			 json_str(e, "message") ? json_str(e, "message") : "the server failed");
		snprintf(job->error_code, sizeof job->error_code, "%s",
			 json_str(e, "code") ? json_str(e, "code") : "");
		snprintf(job->error_field, sizeof job->error_field, "%s",
			 json_str(e, "field") ? json_str(e, "field") : "");
	} else if (job->kind == WORKER_TOKEN) {
		job->token = strdup("fuzz-token");
	} else if (job->kind != WORKER_REQUEST && job->kind != WORKER_LOGOUT) {
		job->email = strdup(job->json && json_str(job->json, "email") ?
					    json_str(job->json, "email") : "shopper@fuzz.io");
	}
	free(body);
	app_job_done(&app, job);
	worker_job_free(job);
}

static void key(struct reader *r)
{
	static const int keys[] = { KEY_UP,    KEY_DOWN, KEY_LEFT,  KEY_RIGHT, KEY_NPAGE,
				    KEY_PPAGE, KEY_HOME, KEY_END,   KEY_BACKSPACE, KEY_DC,
				    KEY_ENTER, KEY_BTAB, KEY_F(1),  KEY_F(2),  KEY_F(3),
				    KEY_F(4),  KEY_F(5), KEY_RESIZE };
	const int nkeys = (int)(sizeof keys / sizeof *keys);
	int b = next(r);
	if (b < 0)
		return;
	if (b < nkeys) {
		app_key(&app, 1, (wint_t)keys[b]);
	} else if (b == 0xff) {
		int hi = next(r), lo = next(r);
		if (hi >= 0 && lo >= 0)
			app_key(&app, 0, (wint_t)(hi << 8 | lo));
	} else {
		app_key(&app, 0, (wint_t)b);
	}
}

static void event(struct reader *r)
{
	static const char *const names[] = { "search",   "cart.add",     "cart.remove", "cart.set",
					     "checkout", "order.cancel", "order.status", "product.show" };
	int type = next(r), turn = next(r), flags = next(r);
	if (type < 0 || turn < 0 || flags < 0)
		return;
	struct voice_event *ev = calloc(1, sizeof *ev);
	if (!ev)
		abort();
	ev->type = (enum voice_event_type)(type % (VOICE_AUDIO_ERROR + 1));
	ev->turn = (uint32_t)turn;
	ev->final = flags & 1;
	ev->cancelled = (flags >> 1) & 1;
	ev->code = 1000 + turn;
	snprintf(ev->name, sizeof ev->name, "%s", names[(flags >> 2) & 7]);
	snprintf(ev->err_code, sizeof ev->err_code, "fuzz");
	ev->text = next_text(r, NULL);
	size_t n;
	char *json = next_text(r, &n);
	ev->result = n ? cJSON_ParseWithLength(json, n) : NULL;
	free(json);
	/* as voice.c: ready once READY came, gone once CLOSED came */
	if (!app.voice || (ev->type != VOICE_READY && !the_voice.ready)) {
		voice_event_free(ev);
		return;
	}
	if (ev->type == VOICE_READY)
		the_voice.ready = 1;
	buddy_pane_event(&app, ev);
	voice_event_free(ev);
}

static void resize(struct reader *r)
{
	int rows = next(r), cols = next(r);
	if (rows < 0 || cols < 0)
		return;
	resizeterm(2 + rows % 80, 10 + cols % 250);
	app_layout(&app);
}

static void mouse(struct reader *r)
{
	static const mmask_t buttons[] = { BUTTON1_PRESSED, BUTTON4_PRESSED, BUTTON5_PRESSED };
	int y = next(r), x = next(r), b = next(r);
	if (y < 0 || x < 0 || b < 0)
		return;
	app_mouse(&app, y % (LINES + 1), x % (COLS + 1), buttons[b % 3]);
}

static void app_clear(void)
{
	while (queue_head)
		worker_job_free(queue_take());
	if (app.voice)
		voice_stop(app.voice);
	app.voice = NULL;
	search_free(&app);
	product_free(&app);
	cart_free(&app);
	checkout_free(&app);
	orders_free(&app);
	buddy_pane_free(&app);
	cJSON_Delete(app.me);
	memset(&app, 0, sizeof app);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setlocale(LC_ALL, "C.UTF-8");
	setenv("TERM", "xterm-256color", 1);
	setenv("LINES", "40", 1);
	setenv("COLUMNS", "120", 1);
	int null = open("/dev/null", O_RDWR);
	if (null < 0 || dup2(null, STDOUT_FILENO) < 0 || dup2(null, STDIN_FILENO) < 0)
		abort();
	close(null);
	if (ui_init(1) != 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct reader r = { data + 1, size - 1 };
	resizeterm(40, 120);
	app.server = "http://127.0.0.1:1";
	app.worker = (struct worker *)&queue_head; /* never used: worker_submit is ours */
	search_init(&app);
	checkout_reset(&app);
	buddy_pane_init(&app);
	login_init(&app);
	app.screen = SCREEN_LOGIN;
	app_layout(&app);
	if (data[0] & 1) {
		cJSON *user = cJSON_Parse("{\"id\":1,\"email\":\"shopper@fuzz.io\",\"name\":\"Ann\","
					  "\"role\":\"shopper\",\"shipping_address\":{\"name\":\"Ann\","
					  "\"line1\":\"1 Main St\",\"city\":\"X\",\"postal_code\":\"1\","
					  "\"country\":\"US\"}}");
		app_logged_in(&app, user, "shopper@fuzz.io");
		cJSON_Delete(user);
	} else {
		app_submit(&app, worker_job_new(WORKER_RESUME, TAG_RESUME, NULL, NULL));
		app.resuming = 1;
	}
	app_draw(&app);
	for (int steps = 0; r.n > 0 && steps < 200 && !app.quit; steps++) {
		switch (next(&r) % 5) {
		case 0: answer(&r); break;
		case 1: key(&r); break;
		case 2: event(&r); break;
		case 3: resize(&r); break;
		case 4: mouse(&r); break;
		}
		app_draw(&app);
	}
	app_clear();
	return 0;
}
