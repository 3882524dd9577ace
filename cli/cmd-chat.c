/*
 * cmd-chat.c - chat [--conversation ID] [--speech] [--output FILE.wav]: talk to the
 * buddy by typing, over its WebSocket (docs/protocol.md, the buddy WebSocket).
 *
 * On a terminal it is a readline prompt with history ($XDG_STATE_HOME/voxcart/
 * chat_history, default ~/.local/state/...); the reply is printed as it streams and
 * what the buddy did appears as short lines under it ("+ 2 × Bananas   cart $1.98").
 * Without a terminal on stdin it is a filter for scripts: one utterance per input
 * line, one reply per output line, nothing else on stdout (blank lines are skipped).
 * With --json every server event is printed as one JSON line instead.  Text only
 * unless --speech (speaker) or --output (a WAV file) asks for the spoken reply.
 *
 * The conversation plumbing (token, connection, printing events, waiting for the
 * end of a turn) is shared with `voxcart talk` through cmd-chat.h.  Ctrl-C while the
 * buddy answers interrupts it (a cancel: barge-in); at the prompt it quits.
 */
#include "cmd-chat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "cli.h"
#include "output.h"

#ifndef VOXCART_VERSION
#define VOXCART_VERSION "0"
#endif

#define IDLE_TIMEOUT_S 60
#define HISTORY_MAX 1000

volatile sig_atomic_t chat_interrupted;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_sigint(int sig)
{
	(void)sig;
	chat_interrupted = 1;
}

void chat_catch_interrupt(int on)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on ? on_sigint : SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	chat_interrupted = 0;
}

/* ---- events (buddy client thread) ---- */

/* s without blanks at either end (cut in place). */
static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}


static int human(const struct chat *ch)
{
	return !ch->cli->json && !ch->opts.piped; /* --quiet keeps replies, drops chatter */
}

/* ---- word wrap of reply text on a terminal ----
 * Reply text comes in pieces that may end inside a word, so the word being written is
 * held until a space (or the end of the line) shows where it ends; a word that does
 * not fit on the line starts the next one.  Off the terminal the text goes out as it
 * comes, unchanged. */

static void wrap_flush(struct chat *ch)
{
	if (ch->wrap_len == 0)
		return;
	ch->wrap_word[ch->wrap_len] = '\0';
	int w = out_width(ch->wrap_word);
	if (ch->wrap_col > 0 && ch->wrap_col + ch->wrap_space + w > ch->wrap_width) {
		fputc('\n', stdout);
		ch->wrap_col = 0;
	} else if (ch->wrap_space && ch->wrap_col > 0) {
		fputc(' ', stdout);
		ch->wrap_col++;
	}
	out_text(stdout, ch->wrap_word, 0);
	ch->wrap_col += w;
	ch->wrap_space = 0;
	ch->wrap_len = 0;
}

/* Prints a piece of reply text, wrapped when stdout is a terminal.  [lock] */
static void wrap_text(struct chat *ch, const char *text)
{
	if (!ch->line_open) { /* a new reply line: measure the terminal again */
		struct winsize ws;
		ch->wrap_width = isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
				 ws.ws_col >= 20 ? ws.ws_col - 1 : 0;
		ch->wrap_col = ch->wrap_space = 0;
		ch->wrap_len = 0;
	}
	if (ch->wrap_width == 0) {
		out_text(stdout, text, 0);
		return;
	}
	for (const char *p = text; *p; p++) {
		if (*p == ' ' || *p == '\n' || *p == '\t') {
			wrap_flush(ch);
			ch->wrap_space = 1;
		} else {
			if (ch->wrap_len + 1 >= sizeof ch->wrap_word)
				wrap_flush(ch); /* a "word" longer than any line: let it break */
			ch->wrap_word[ch->wrap_len++] = *p;
		}
	}
}

/* Ends a reply line or a partial transcript on the terminal.  [lock] */
static void close_lines(struct chat *ch)
{
	if (ch->wrap_width)
		wrap_flush(ch);
	if (ch->partial_open) {
		fputs("\r\033[K", stdout);
		ch->partial_open = 0;
	}
	if (ch->line_open) {
		fputc('\n', stdout);
		ch->line_open = 0;
	}
}

static void ev_any(void *user, const struct buddy_event *ev)
{
	struct chat *ch = user;
	pthread_mutex_lock(&ch->lock);
	ch->last_event = now_s();
	if (ch->cli->json && ch->connected) {
		cli_print_json(ev->json);
		fflush(stdout);
	} else if (ch->cli->json) { /* shown once the connection is known to be good */
		char **more = realloc(ch->early, (ch->nearly + 1) * sizeof *more);
		if (more) {
			ch->early = more;
			ch->early[ch->nearly] = cJSON_PrintUnformatted(ev->json);
			if (ch->early[ch->nearly])
				ch->nearly++;
		}
	}
	pthread_mutex_unlock(&ch->lock);
}

/* Prints (show) or forgets the events held back while connecting. */
static void early_events(struct chat *ch, int show)
{
	pthread_mutex_lock(&ch->lock);
	for (size_t i = 0; i < ch->nearly; i++) {
		if (show)
			printf("%s\n", ch->early[i]);
		free(ch->early[i]);
	}
	free(ch->early);
	ch->early = NULL;
	ch->nearly = 0;
	ch->connected = show;
	fflush(stdout);
	pthread_mutex_unlock(&ch->lock);
}

static void ev_transcript(void *user, const struct buddy_event *ev)
{
	struct chat *ch = user;
	pthread_mutex_lock(&ch->lock);
	if (ev->final) {
		free(ch->transcript);
		ch->transcript = strdup(ev->text);
	}
	if (human(ch) && ch->opts.show_transcripts) {
		close_lines(ch);
		if (ev->final) {
			fputs("you: ", stdout);
			out_text(stdout, *ev->text ? ev->text : "(nothing heard)", 0);
			fputc('\n', stdout);
		} else if (isatty(STDOUT_FILENO)) {
			fputs("you: ", stdout);
			out_text(stdout, ev->text, 0);
			fputs("...", stdout);
			ch->partial_open = 1;
		}
		fflush(stdout);
	}
	pthread_mutex_unlock(&ch->lock);
}

/* ---- what the human output shows of a reply, in step with its speech ----
 *
 * With speech playing (speaker or --output), reply text, action lines and the end of
 * the reply go through ch->sync: each delta waits until playback reaches the frame
 * its speech starts at (speech_seq), the rest keeps its place behind it.  They are
 * shown by whichever thread makes them due: the client thread (an event that needs
 * no wait), the player thread (on_played / on_ended), or the command's thread
 * (barge-in, the end of the speech, chat_begin, chat_close).  Without speech every
 * item is due at once, so this prints as the events come. */

enum { HELD_DELTA, HELD_ACTION, HELD_DONE };

struct held {
	int kind;
	int cancelled; /* HELD_DONE */
	uint32_t turn;
	const char *text; /* delta text, action summary, or the whole reply (owned) */
};

/* Shows one item.  [lock] */
static void show(struct chat *ch, const struct held *h)
{
	switch (h->kind) {
	case HELD_DELTA:
		if (ch->partial_open)
			close_lines(ch);
		ch->text_turn = h->turn;
		wrap_text(ch, h->text);
		ch->line_open = 1;
		break;
	case HELD_ACTION: {
		char text[2048];
		snprintf(text, sizeof text, "%s", h->text);
		close_lines(ch);
		for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
			printf("  %s\n", line);
		break;
	}
	case HELD_DONE:
		if (ch->text_turn != h->turn && *h->text && !h->cancelled) {
			close_lines(ch); /* no deltas came: show the whole reply */
			wrap_text(ch, h->text);
			ch->line_open = 1;
		}
		if (h->cancelled) {
			if (ch->wrap_width)
				wrap_flush(ch);
			fputs(ch->line_open ? " [interrupted]" : "[interrupted]", stdout);
			ch->line_open = 1;
		}
		close_lines(ch);
		break;
	}
}

/* Shows the items that are due.  [lock] */
static void show_due(struct chat *ch)
{
	struct held *h;
	int any = 0;
	while ((h = buddy_sync_take(&ch->sync, NULL)) != NULL) {
		show(ch, h);
		free((char *)h->text);
		free(h);
		any = 1;
	}
	if (any)
		fflush(stdout);
}

/* Shows everything held, due or not.  [lock] */
static void show_all(struct chat *ch)
{
	buddy_sync_flush(&ch->sync);
	show_due(ch);
}

/* Queues an item for turn, due at frame (BUDDY_SYNC_NOW: behind what is held), and
 * shows what is due.  [lock] */
static void hold(struct chat *ch, int kind, uint32_t turn, long frame, const char *text,
		 int cancelled)
{
	struct held *h = malloc(sizeof *h);
	char *copy = h ? strdup(text) : NULL;
	if (!copy || buddy_sync_push(&ch->sync, turn, frame, h) != 0) {
		free(copy);
		free(h);
		show_all(ch); /* out of memory, or a full queue: no more waiting */
		struct held now = { kind, cancelled, turn, text };
		show(ch, &now);
		fflush(stdout);
		return;
	}
	*h = (struct held){ kind, cancelled, turn, copy };
	show_due(ch);
}

/* The player's position (player thread). */
static void on_played(void *user, uint32_t turn, uint32_t played_ms)
{
	struct chat *ch = user;
	pthread_mutex_lock(&ch->lock);
	buddy_sync_played(&ch->sync, turn, played_ms);
	show_due(ch);
	pthread_mutex_unlock(&ch->lock);
}

/* The speech of turn is over (player thread). */
static void on_ended(void *user, uint32_t turn)
{
	struct chat *ch = user;
	pthread_mutex_lock(&ch->lock);
	buddy_sync_ended(&ch->sync, turn);
	show_due(ch);
	pthread_mutex_unlock(&ch->lock);
}

static void ev_delta(void *user, const struct buddy_event *ev)
{
	struct chat *ch = user;
	pthread_mutex_lock(&ch->lock);
	if (human(ch) && ev->turn > ch->cancelled_upto)
		hold(ch, HELD_DELTA, ev->turn,
		     buddy_sync_delta_frame(&ch->sync, ev, ch->player != NULL), ev->text, 0);
	pthread_mutex_unlock(&ch->lock);
}

/* The title of product id from the catalog (a removal's event names only the id when
 * the product was not seen on this connection); "" when it cannot be had. */
static void lookup_title(struct chat *ch, int64_t id, char *title, size_t len)
{
	*title = '\0';
	struct rest *r = id > 0 ? rest_new(ch->cli->server) : NULL;
	if (!r)
		return;
	char path[64];
	snprintf(path, sizeof path, "/api/v1/products/%lld", (long long)id);
	struct rest_response resp;
	if (rest_request(r, "GET", path, NULL, NULL, NULL, &resp) == 200)
		snprintf(title, len, "%s", json_str(resp.json, "title"));
	rest_response_free(&resp);
	rest_free(r);
}

static void ev_action(void *user, const struct buddy_event *ev)
{
	struct chat *ch = user;
	pthread_mutex_lock(&ch->lock);
	if (human(ch) && ev->turn > ch->cancelled_upto) {
		char text[2048];
		buddy_action_summary(ev, 5, text, sizeof text);
		if (ev->name && strcmp(ev->name, "cart.remove") == 0 && strcmp(text, "- item") == 0) {
			/* name the product, not "item" */
			char title[256];
			struct buddy_event named = *ev;
			lookup_title(ch, json_int(ev->args, "product_id"), title, sizeof title);
			if (*title) {
				named.product_title = title;
				buddy_action_summary(&named, 5, text, sizeof text);
			}
		}
		hold(ch, HELD_ACTION, ev->turn, BUDDY_SYNC_NOW, text, 0);
	}
	pthread_mutex_unlock(&ch->lock);
}

static void ev_done(void *user, const struct buddy_event *ev)
{
	struct chat *ch = user;
	if (ch->player)
		audio_player_expect_end(ch->player, ev->turn, ev->speech_frames);
	pthread_mutex_lock(&ch->lock);
	if (ch->opts.piped && !ch->cli->json && ev->turn > ch->done_turn) {
		char *text = strdup(ev->text);
		if (text) /* newlines become spaces: one line per reply */
			out_text(stdout, trim(text), 0);
		free(text);
		fputc('\n', stdout);
	} else if (human(ch)) {
		hold(ch, HELD_DONE, ev->turn,
		     buddy_sync_done_frame(&ch->sync, ev, ch->player != NULL), ev->text,
		     ev->cancelled);
	}
	fflush(stdout);
	if (ev->turn > ch->done_turn) {
		ch->done_turn = ev->turn;
		ch->turn_failed = 0;
	}
	ch->announced_frames = ev->speech_frames;
	pthread_cond_broadcast(&ch->cond);
	pthread_mutex_unlock(&ch->lock);
}

static void ev_error(void *user, const struct buddy_event *ev)
{
	struct chat *ch = user;
	pthread_mutex_lock(&ch->lock);
	show_all(ch);
	close_lines(ch);
	fflush(stdout);
	if (!ch->cli->json && ch->connected) { /* while connecting, connect reports it */
		char msg[600];
		snprintf(msg, sizeof msg, "%s", *ev->message ? ev->message : ev->code);
		out_scrub(msg, 0);
		fprintf(stderr, "voxcart: the buddy: %s\n", msg);
	}
	if (ev->turn == 0) {
		ch->untagged_errors++;
	} else if (ev->turn > ch->done_turn) {
		ch->done_turn = ev->turn;
		ch->turn_failed = 1;
	}
	pthread_cond_broadcast(&ch->cond);
	pthread_mutex_unlock(&ch->lock);
}

static void ev_speech(void *user, const struct proto_frame *f)
{
	struct chat *ch = user;
	pthread_mutex_lock(&ch->lock);
	ch->last_event = now_s();
	if (f->turn != ch->frame_turn) {
		ch->frame_turn = f->turn;
		ch->frames = 0;
		ch->next_seq = 0;
		ch->contiguous = 1;
	}
	if (f->seq != ch->next_seq)
		ch->contiguous = 0;
	ch->next_seq = f->seq + 1;
	ch->frames++;
	pthread_mutex_unlock(&ch->lock);
	if (ch->player)
		audio_player_push(ch->player, f);
}

static void ev_closed(void *user, int code, const char *why)
{
	struct chat *ch = user;
	pthread_mutex_lock(&ch->lock);
	show_all(ch);
	close_lines(ch);
	fflush(stdout);
	ch->closed = 1;
	ch->close_code = code;
	snprintf(ch->close_why, sizeof ch->close_why, "%s", why);
	pthread_cond_broadcast(&ch->cond);
	pthread_mutex_unlock(&ch->lock);
}

/* ---- connecting ---- */

/* An access token the server should take: the saved one while it is fresh, else
 * one refreshed through the REST API (force: ask the server even when fresh). */
static int get_token(struct cli *cli, int force, const char **token)
{
	struct rest *r = cli_rest(cli);
	if (!r)
		return CLI_USAGE;
	struct session *s = cli_session(cli);
	if (!force && s->access_token && session_logged_in(s, rest_base_url(r)) &&
	    (s->expires_at == 0 || (int64_t)time(NULL) < s->expires_at - 60)) {
		*token = s->access_token;
		return CLI_OK;
	}
	struct rest_response resp;
	int rc = cli_do(cli, 1, "GET", "/api/v1/me", NULL, NULL, &resp);
	if (rc != CLI_OK)
		return rc;
	rest_response_free(&resp);
	*token = s->access_token;
	return CLI_OK;
}

static int connect_failed(struct cli *cli, int code, const char *err)
{
	if (code == BUDDY_CLOSE_UNAUTHORIZED)
		return cli_error_exit(cli, CLI_AUTH, "unauthorized", "%s", err);
	if (code == BUDDY_CLOSE_CONNECT_FAILED)
		return cli_error_exit(cli, CLI_UNREACHABLE, "unreachable", "%s", err);
	return cli_error(cli, "buddy", "%s", err);
}

static int open_player(struct chat *ch)
{
	char err[512];
	int rate = buddy_client_speech_rate(ch->bc);
	struct audio_sink *sink = ch->opts.output
		? audio_sink_file(ch->opts.output, rate, ch->opts.realtime_output, err, sizeof err)
		: audio_sink_speaker(rate, err, sizeof err);
	if (sink)
		ch->player = audio_player_new(sink, rate, NULL, on_played, ch, err, sizeof err);
	if (ch->player)
		audio_player_on_ended(ch->player, on_ended);
	if (!ch->player && ch->opts.speech_optional && !ch->opts.output) {
		cli_note(ch->cli, "voxcart: the reply will not be played: %s\n", err);
		return CLI_OK;
	}
	if (!ch->player && strncmp(err, "no sound device", 15) == 0)
		return cli_error(ch->cli, "audio", "no sound device found; use --output FILE.wav");
	if (!ch->player)
		return cli_error(ch->cli, "audio", "%s", err);
	return CLI_OK;
}

int chat_open(struct chat *ch, struct cli *cli, const struct chat_opts *opts)
{
	memset(ch, 0, sizeof *ch);
	ch->cli = cli;
	ch->opts = *opts;
	ch->contiguous = 1;
	buddy_sync_init(&ch->sync);
	pthread_mutex_init(&ch->lock, NULL);
	pthread_cond_init(&ch->cond, NULL);
	struct buddy_client_opts bo = {
		.speech = opts->speech,
		.vad = opts->vad,
		.sample_rate = AUDIO_MIC_RATE,
		.conversation_id = opts->conversation_id,
		.client_name = "voxcart/" VOXCART_VERSION,
	};
	struct buddy_client_callbacks cb = {
		.user = ch, .on_event = ev_any, .on_transcript = ev_transcript,
		.on_reply_delta = ev_delta, .on_action = ev_action, .on_reply_done = ev_done,
		.on_error = ev_error, .on_speech = ev_speech, .on_closed = ev_closed,
	};
	int rc = CLI_OK;
	for (int attempt = 0; attempt < 2 && !ch->bc; attempt++) {
		const char *token = NULL;
		rc = get_token(cli, attempt > 0, &token);
		if (rc != CLI_OK)
			break;
		char *used = strdup(token);
		char err[800];
		int code = 0;
		ch->bc = buddy_client_connect(cli->server, token, &bo, &cb, &code, err, sizeof err);
		early_events(ch, ch->bc != NULL);
		/* A refused token gets one retry if the server hands out a new one; when it
		 * will not, get_token() has said why ("your login ... has expired"). */
		if (!ch->bc && code == BUDDY_CLOSE_UNAUTHORIZED && attempt == 0 && used) {
			rc = get_token(cli, 1, &token);
			int same = rc == CLI_OK && strcmp(token, used) == 0;
			free(used);
			if (rc != CLI_OK)
				break;
			if (!same)
				continue;
		} else {
			free(used);
		}
		if (!ch->bc) {
			rc = connect_failed(cli, code, err);
			break;
		}
	}
	if (rc == CLI_OK && opts->speech)
		rc = open_player(ch);
	if (rc != CLI_OK) {
		buddy_client_close(ch->bc);
		ch->bc = NULL;
		pthread_cond_destroy(&ch->cond);
		pthread_mutex_destroy(&ch->lock);
	}
	return rc;
}

/* ---- turns ---- */

unsigned chat_begin(struct chat *ch)
{
	pthread_mutex_lock(&ch->lock);
	show_all(ch); /* what is left of an older turn */
	unsigned n = ch->untagged_errors;
	ch->last_event = now_s();
	pthread_mutex_unlock(&ch->lock);
	return n;
}

void chat_touch(struct chat *ch)
{
	pthread_mutex_lock(&ch->lock);
	ch->last_event = now_s();
	pthread_mutex_unlock(&ch->lock);
}

/* Reports a lost connection.  [lock] held (released while printing). */
static int lost(struct chat *ch)
{
	char why[sizeof ch->close_why];
	memcpy(why, ch->close_why, sizeof why);
	int code = ch->close_code;
	pthread_mutex_unlock(&ch->lock);
	int rc = code == BUDDY_CLOSE_UNAUTHORIZED
		? cli_error_exit(ch->cli, CLI_AUTH, "unauthorized", "%s", why)
		: cli_error_exit(ch->cli, CLI_UNREACHABLE, "unreachable", "%s", why);
	pthread_mutex_lock(&ch->lock);
	return rc;
}

/* Where turn stands: -1 still going, else its exit status (failures reported).
 * [lock] held. */
static int turn_status(struct chat *ch, uint32_t turn, unsigned errors_before)
{
	if (ch->done_turn >= turn)
		return ch->done_turn == turn && ch->turn_failed ? CLI_FAIL : CLI_OK;
	if (ch->untagged_errors != errors_before)
		return CLI_FAIL;
	if (ch->closed)
		return lost(ch);
	if (now_s() - ch->last_event > IDLE_TIMEOUT_S) {
		if (turn <= ch->cancelled_upto)
			return CLI_OK; /* interrupted, and the server never said it ended */
		pthread_mutex_unlock(&ch->lock);
		int rc = cli_error(ch->cli, "timeout", "no answer from the buddy for %d s",
				   IDLE_TIMEOUT_S);
		pthread_mutex_lock(&ch->lock);
		return rc;
	}
	return -1;
}

int chat_poll(struct chat *ch, uint32_t turn, unsigned errors_before)
{
	pthread_mutex_lock(&ch->lock);
	int rc = turn_status(ch, turn, errors_before);
	if (rc >= 0 && buddy_sync_pending(&ch->sync) == 0) { /* else the reply still shows */
		close_lines(ch);
		fflush(stdout);
	}
	pthread_mutex_unlock(&ch->lock);
	return rc;
}

void chat_barge_in(struct chat *ch, uint32_t turn)
{
	if (turn == 0)
		return;
	pthread_mutex_lock(&ch->lock);
	if (turn > ch->cancelled_upto)
		ch->cancelled_upto = turn;
	buddy_sync_ended(&ch->sync, turn); /* what was held of it shows now */
	show_due(ch);
	/* the server has 3 s to confirm with reply.done before the wait gives up */
	ch->last_event = now_s() - IDLE_TIMEOUT_S + 3;
	pthread_mutex_unlock(&ch->lock);
	if (ch->player)
		audio_player_cancel(ch->player, turn);
	buddy_client_cancel(ch->bc, turn);
}

int chat_wait(struct chat *ch, uint32_t turn, unsigned errors_before)
{
	int rc;
	while ((rc = chat_poll(ch, turn, errors_before)) < 0) {
		if (chat_interrupted) {
			chat_interrupted = 0;
			chat_barge_in(ch, turn);
		}
		pthread_mutex_lock(&ch->lock);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 100 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		if (ch->done_turn < turn && !ch->closed && ch->untagged_errors == errors_before)
			pthread_cond_timedwait(&ch->cond, &ch->lock, &until);
		pthread_mutex_unlock(&ch->lock);
	}
	chat_interrupted = 0;
	return rc;
}

void chat_wait_speech(struct chat *ch)
{
	if (!ch->player)
		return;
	while (!audio_player_wait_done(ch->player, 100)) {
		if (chat_interrupted) {
			uint32_t turn = 0;
			audio_player_position(ch->player, &turn, NULL);
			audio_player_cancel(ch->player, turn);
			break;
		}
	}
	chat_interrupted = 0;
	pthread_mutex_lock(&ch->lock);
	show_all(ch);
	pthread_mutex_unlock(&ch->lock);
}

int chat_close(struct chat *ch)
{
	buddy_client_close(ch->bc);
	ch->bc = NULL;
	int rc = CLI_OK;
	char err[512];
	if (ch->player && audio_player_close(ch->player, err, sizeof err) != 0)
		rc = cli_error(ch->cli, "audio", "%s: %s", ch->opts.output ? ch->opts.output : "speaker",
			       err);
	ch->player = NULL;
	pthread_mutex_lock(&ch->lock); /* no callback runs any more */
	show_all(ch);
	close_lines(ch);
	fflush(stdout);
	pthread_mutex_unlock(&ch->lock);
	free(ch->transcript);
	ch->transcript = NULL;
	pthread_cond_destroy(&ch->cond);
	pthread_mutex_destroy(&ch->lock);
	return rc;
}

/* ---- the chat command ---- */

/* "$XDG_STATE_HOME/voxcart/chat_history" (or ~/.local/state/...), directory made
 * 0700.  0 ok, -1 when there is no home to keep it in. */
static int history_path(char *buf, size_t len)
{
	const char *state = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	char dir[4096];
	if (state && state[0] == '/')
		snprintf(dir, sizeof dir, "%s/voxcart", state);
	else if (home && *home)
		snprintf(dir, sizeof dir, "%s/.local/state/voxcart", home);
	else
		return -1;
	for (char *p = dir + 1; *p; p++) { /* mkdir -p */
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(dir, 0700);
		*p = '/';
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -1;
	int n = snprintf(buf, len, "%s/chat_history", dir);
	return n > 0 && (size_t)n < len ? 0 : -1;
}

/* Sends one utterance and waits for its reply (and speech).  Returns the status. */
static int one_turn(struct chat *ch, const char *text)
{
	unsigned errs = chat_begin(ch);
	chat_interrupted = 0;
	uint32_t turn = buddy_client_say(ch->bc, text);
	int rc;
	if (turn == 0) {
		pthread_mutex_lock(&ch->lock);
		ch->closed = 1;
		if (!*ch->close_why)
			snprintf(ch->close_why, sizeof ch->close_why,
				 "the connection to voxcartd was lost");
		rc = lost(ch);
		pthread_mutex_unlock(&ch->lock);
	} else {
		rc = chat_wait(ch, turn, errs);
		if (rc == CLI_OK || rc == CLI_FAIL)
			chat_wait_speech(ch);
	}
	return rc;
}

/* readline's input: as its own, but Ctrl-C (our handler, not readline's) ends the
 * prompt so that interactive() can leave cleanly and save the history. */
static int chat_getc(FILE *f)
{
	for (;;) {
		unsigned char c;
		if (chat_interrupted)
			return EOF;
		ssize_t n = read(fileno(f), &c, 1);
		if (n == 1)
			return c;
		if (n == 0 || errno != EINTR)
			return EOF;
	}
}

static int interactive(struct chat *ch)
{
	char hist[4096];
	int have_hist = history_path(hist, sizeof hist) == 0;
	rl_outstream = stderr; /* stdout carries only the conversation */
	rl_catch_signals = 0;
	rl_getc_function = chat_getc;
	using_history();
	stifle_history(HISTORY_MAX);
	if (have_hist)
		read_history(hist);
	if (!ch->cli->quiet && !ch->cli->json)
		fprintf(stderr, "Talking to the buddy (conversation #%lld). Ctrl-D to leave, "
			"Ctrl-C to interrupt a reply.\n",
			(long long)buddy_client_conversation_id(ch->bc));
	int rc = CLI_OK;
	char *line;
	while ((line = readline("> ")) != NULL && !chat_interrupted) {
		char *text = trim(line);
		if (*text) {
			add_history(text);
			rc = one_turn(ch, text);
		}
		free(line);
		line = NULL;
		if (rc != CLI_OK && rc != CLI_FAIL)
			break; /* the connection is gone */
		rc = CLI_OK;
	}
	if (rc == CLI_OK)
		fputc('\n', stderr); /* after "> " and Ctrl-D or Ctrl-C */
	free(line);
	if (have_hist) {
		mode_t old = umask(077); /* the history is private */
		write_history(hist);
		umask(old);
	}
	return rc;
}

static int piped(struct chat *ch)
{
	char *line = NULL;
	size_t cap = 0;
	int rc = CLI_OK, failed = 0;
	while (getline(&line, &cap, stdin) >= 0) {
		char *text = trim(line);
		if (!*text)
			continue;
		rc = one_turn(ch, text);
		if (rc == CLI_FAIL) { /* reported on stderr; keep one line per input line */
			if (!ch->cli->json)
				fputc('\n', stdout);
			failed = 1;
			rc = CLI_OK;
		}
		if (rc != CLI_OK)
			break;
	}
	free(line);
	return rc == CLI_OK && failed ? CLI_FAIL : rc;
}

static int exec_chat(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "conversation", required_argument, NULL, 'c' },
		{ "speech", no_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	struct chat_opts co = { 0 };
	int c;
	while ((c = cli_getopt(cli, NULL, argc, argv, opts)) != -1) {
		switch (c) {
		case 'c':
			if (cli_want_id(cli, NULL, "--conversation", optarg,
					&co.conversation_id) != CLI_OK)
				return CLI_USAGE;
			break;
		case 's': co.speech = 1; break;
		case 'o': co.output = optarg; co.speech = 1; break;
		case 'j': cli->json = 1; break;
		case 'q': cli->quiet = 1; break;
		default: return CLI_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage_error(cli, NULL, "unexpected argument \"%s\" (type your words "
				       "after starting chat, or pipe them in)", argv[optind]);
	co.piped = !cli->stdin_tty;
	struct chat ch;
	int rc = chat_open(&ch, cli, &co);
	if (rc != CLI_OK)
		return rc;
	chat_catch_interrupt(1);
	rc = co.piped ? piped(&ch) : interactive(&ch);
	chat_catch_interrupt(0);
	int crc = chat_close(&ch);
	return rc != CLI_OK ? rc : crc;
}

const struct cmd_entry cmd_chat_entry = {
	"chat", NULL, "[--conversation ID] [--speech] [--output FILE.wav] [--json]",
	"talk to the shopping buddy by typing (or pipe lines in: one reply per line)",
	exec_chat,
};
