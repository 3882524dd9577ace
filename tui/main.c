/*
 * main.c - voxcart-tui: options, start-up, the event loop, signals and --stats.
 *
 * The UI thread never waits on anything but poll(): REST calls run on the worker
 * thread (worker.c) and the buddy on its own threads (voice.c); both post results
 * through pipes that are polled together with stdin and a signal self-pipe.  Each
 * loop pass handles whatever is ready, then redraws once.  The time from poll()
 * returning to the next poll() is the UI thread's blocking stretch: --stats FILE
 * writes the longest one (overall and while speech played) and the time to the
 * first screen when the program ends.
 *
 * Terminal manners: stderr is pointed at --log FILE (or /dev/null) while curses owns
 * the screen, so no library message can land on it; SIGINT, SIGTERM and SIGHUP end
 * the program cleanly; SIGSEGV, SIGABRT, SIGBUS, SIGFPE and SIGILL restore the
 * terminal (endwin) before the default action runs; SIGWINCH resizes.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "app.h"
#include "config.h"
#include "rest.h"
#include "session.h"
#include "voice.h"

#ifndef VOXCART_VERSION
#define VOXCART_VERSION "0"
#endif

#define DEFAULT_SERVER "http://127.0.0.1:8080"

static int signal_pipe[2] = { -1, -1 };
static int saved_stderr = -1;

struct stats {
	double t0;
	double first_draw_ms;
	double logged_in_ms;
	double max_block_ms;
	double max_block_speaking_ms;
	double speaking_ms;
	long passes, speaking_passes;
	long slow_passes;        /* passes over 16 ms */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: voxcart-tui [options]\n"
		"\n"
		"The voxcart shop in the terminal: search, product, cart, checkout, orders,\n"
		"and the buddy (type to it, or talk with F2).  Press ? inside for every key.\n"
		"\n"
		"  -s, --server URL     voxcartd base URL (env VOXCART_SERVER, config \"server\",\n"
		"                       default " DEFAULT_SERVER ")\n"
		"  -i, --input FILE     microphone audio from a WAV file instead of a device\n"
		"  -o, --output FILE    write the buddy's speech to a WAV file instead of a device\n"
		"  -l, --login EMAIL    log in as EMAIL with the password in $VOXCART_PASSWORD\n"
		"      --stats FILE     write start-up and UI-thread blocking times (JSON) at exit\n"
		"      --log FILE       write library messages there (default: dropped)\n"
		"      --no-color       no colours (also NO_COLOR=1)\n"
		"      --no-mouse       leave the mouse to the terminal (text selection)\n"
		"      --no-aec         no echo cancellation: mute the microphone while the buddy\n"
		"                       speaks (interrupt with the talk key)\n"
		"  -h, --help           this help\n"
		"  -V, --version        the version\n");
}

/* ---- signals ---- */

static void on_quit_signal(int sig)
{
	int e = errno;
	char c = sig == SIGWINCH ? 'w' : 'q';
	if (signal_pipe[1] >= 0) {
		ssize_t n = write(signal_pipe[1], &c, 1);
		(void)n;
	}
	errno = e;
}

static void on_crash_signal(int sig)
{
	ui_end();
	if (saved_stderr >= 0) {
		static const char msg[] = "voxcart-tui: crashed; the terminal was restored\n";
		ssize_t n = write(saved_stderr, msg, sizeof msg - 1);
		(void)n;
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_quit_signal;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGWINCH, &sa, NULL);
	sa.sa_handler = on_crash_signal;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void resize(struct app *a)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resize_term(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
	a->dirty = 1;
}

/* ---- settings ---- */

static const char *resolve_server(const char *flag, struct config *cfg)
{
	if (flag)
		return flag;
	const char *env = getenv("VOXCART_SERVER");
	if (env && *env)
		return env;
	char path[4096], err[512];
	if (session_config_path("config", path, sizeof path, err, sizeof err) == 0 &&
	    access(path, F_OK) == 0 && config_load(cfg, path, err, sizeof err) == 0) {
		/* the [client] section (config.example), or a bare key before any section */
		const char *v = config_get(cfg, "client.server");
		if (!v)
			v = config_get(cfg, "server");
		if (v && *v)
			return v;
	}
	return DEFAULT_SERVER;
}

static int redirect_stderr(const char *log_path)
{
	saved_stderr = dup(STDERR_FILENO);
	int fd = open(log_path ? log_path : "/dev/null", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		      0600);
	if (fd < 0) {
		fprintf(stderr, "voxcart-tui: %s: %s\n", log_path, strerror(errno));
		return -1;
	}
	dup2(fd, STDERR_FILENO);
	close(fd);
	return 0;
}

static void restore_stderr(void)
{
	if (saved_stderr >= 0) {
		dup2(saved_stderr, STDERR_FILENO);
		close(saved_stderr);
		saved_stderr = -1;
	}
}

static void write_stats(const char *path, const struct stats *st)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "voxcart-tui: --stats %s: %s\n", path, strerror(errno));
		return;
	}
	fprintf(f,
		"{\"startup_ms\":%.3f,\"logged_in_ms\":%.3f,\"max_block_ms\":%.3f,"
		"\"max_block_speaking_ms\":%.3f,\"speaking_ms\":%.1f,\"passes\":%ld,"
		"\"speaking_passes\":%ld,\"slow_passes\":%ld}\n",
		st->first_draw_ms, st->logged_in_ms, st->max_block_ms, st->max_block_speaking_ms,
		st->speaking_ms, st->passes, st->speaking_passes, st->slow_passes);
	fclose(f);
}

/* ---- the loop ---- */

static void read_keys(struct app *a)
{
	wint_t wch;
	int rc;
	while (!a->quit && (rc = get_wch(&wch)) != ERR) {
		if (rc == KEY_CODE_YES && wch == KEY_RESIZE) {
			a->dirty = 1;
			continue;
		}
		if (rc == KEY_CODE_YES && wch == KEY_MOUSE) {
			MEVENT me;
			if (getmouse(&me) == OK)
				app_mouse(a, me.y, me.x, me.bstate);
			continue;
		}
		app_key(a, rc == KEY_CODE_YES, wch);
	}
}

static void drain(struct app *a)
{
	struct worker_job *job;
	while ((job = worker_take(a->worker)) != NULL) {
		app_job_done(a, job);
		worker_job_free(job);
	}
	struct voice_event *ev;
	while (a->voice && (ev = voice_take(a->voice)) != NULL) {
		buddy_pane_event(a, ev); /* may stop a->voice: ev is ours either way */
		voice_event_free(ev);
	}
}

static void expire_status(struct app *a, double now)
{
	if (a->status_text[0] && now - a->status_at > (a->status_error ? 20000 : 8000)) {
		a->status_text[0] = 0;
		a->dirty = 1;
	}
}

static void run(struct app *a, struct stats *st)
{
	app_draw(a);
	st->first_draw_ms = ui_now_ms() - st->t0;
	a->dirty = 0;
	while (!a->quit) {
		int speaking = a->voice && voice_speaking(a->voice);
		int busy = a->voice && (voice_listening(a->voice) || a->buddy_st.thinking);
		struct pollfd fds[4] = {
			{ STDIN_FILENO, POLLIN, 0 },
			{ signal_pipe[0], POLLIN, 0 },
			{ worker_fd(a->worker), POLLIN, 0 },
			{ a->voice ? voice_fd(a->voice) : -1, POLLIN, 0 },
		};
		int rc = poll(fds, 4, speaking || busy ? 40 : 1000);
		double t = ui_now_ms();
		if (rc < 0 && errno != EINTR)
			break;
		if (fds[0].revents & (POLLHUP | POLLERR))
			break; /* the terminal went away */
		if (fds[1].revents & POLLIN) {
			char buf[32];
			ssize_t n = read(signal_pipe[0], buf, sizeof buf);
			for (ssize_t i = 0; i < n; i++) {
				if (buf[i] == 'q')
					a->quit = 1;
				else if (buf[i] == 'w')
					resize(a);
			}
		}
		drain(a);
		buddy_pane_tick(a, t);
		double t_drain = ui_now_ms();
		read_keys(a);
		double t_keys = ui_now_ms();
		expire_status(a, t);
		if (a->logged_in && st->logged_in_ms == 0 && !a->quit) {
			app_draw(a);
			st->logged_in_ms = ui_now_ms() - st->t0;
			a->dirty = 0;
		}
		if (a->dirty || speaking || busy) {
			app_draw(a);
			a->dirty = 0;
		}
		double block = ui_now_ms() - t;
		if (block > 16.0) {
			st->slow_passes++;
			fprintf(stderr, "voxcart-tui: slow pass %.1f ms (answers %.1f, keys %.1f, "
				"draw %.1f)\n", block, t_drain - t, t_keys - t_drain,
				ui_now_ms() - t_keys);
		}
		int speaking_now = speaking || (a->voice && voice_speaking(a->voice));
		st->passes++;
		if (block > st->max_block_ms)
			st->max_block_ms = block;
		if (speaking_now) {
			st->speaking_passes++;
			if (block > st->max_block_speaking_ms)
				st->max_block_speaking_ms = block;
		}
		if (speaking) {
			static double last;
			st->speaking_ms += last > 0 && t - last < 500 ? t - last : 0;
			last = t;
		}
	}
}

/* Queues the first job: the saved login, or --login. */
static void start_session(struct app *a)
{
	if (a->login_email) {
		const char *pw = getenv("VOXCART_PASSWORD");
		form_field_set(&a->login.fields[0], a->login_email);
		if (!pw || !*pw) {
			app_status(a, 1, "--login: VOXCART_PASSWORD is not set; type the password.");
			login_init(a);
			return;
		}
		struct worker_job *job = worker_job_new(WORKER_LOGIN, TAG_LOGIN, "POST", NULL);
		if (job) {
			job->body = cJSON_CreateObject();
			cJSON_AddStringToObject(job->body, "email", a->login_email);
			cJSON_AddStringToObject(job->body, "password", pw);
		}
		snprintf(a->email, sizeof a->email, "%s", a->login_email);
		a->login.busy = 1;
		app_submit(a, job);
		return;
	}
	a->resuming = 1;
	app_submit(a, worker_job_new(WORKER_RESUME, TAG_RESUME, NULL, NULL));
}

static void app_free(struct app *a)
{
	if (a->voice)
		voice_stop(a->voice);
	a->voice = NULL;
	worker_stop(a->worker);
	search_free(a);
	product_free(a);
	cart_free(a);
	checkout_free(a);
	orders_free(a);
	buddy_pane_free(a);
	cJSON_Delete(a->me);
}

int main(int argc, char **argv)
{
	struct stats st = { .t0 = ui_now_ms() };
	setlocale(LC_ALL, "");
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 's' }, { "input", required_argument, NULL, 'i' },
		{ "output", required_argument, NULL, 'o' }, { "login", required_argument, NULL, 'l' },
		{ "stats", required_argument, NULL, 'S' },  { "log", required_argument, NULL, 'L' },
		{ "no-color", no_argument, NULL, 'C' },     { "no-mouse", no_argument, NULL, 'M' },
		{ "no-aec", no_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },      { NULL, 0, NULL, 0 },
	};
	static struct app app; /* large: keep it off the stack */
	struct app *a = &app;
	const char *server_flag = NULL, *stats_path = NULL, *log_path = NULL;
	int colour = 1, mouse = 1, c;
	while ((c = getopt_long(argc, argv, "s:i:o:l:hV", opts, NULL)) != -1) {
		switch (c) {
		case 's': server_flag = optarg; break;
		case 'i': a->input_wav = optarg; break;
		case 'o': a->output_wav = optarg; break;
		case 'l': a->login_email = optarg; break;
		case 'S': stats_path = optarg; break;
		case 'L': log_path = optarg; break;
		case 'C': colour = 0; break;
		case 'M': mouse = 0; break;
		case 'A': a->no_aec = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("voxcart-tui %s (protocol v1)\n", VOXCART_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "voxcart-tui: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	const char *nc = getenv("NO_COLOR");
	if (nc && *nc)
		colour = 0;
	struct config cfg = { 0 };
	a->server = resolve_server(server_flag, &cfg);
	char err[512];
	if (rest_check_url(a->server, err, sizeof err) != 0) {
		fprintf(stderr, "voxcart-tui: %s\n", err);
		config_free(&cfg);
		return 2;
	}
	if (a->input_wav && access(a->input_wav, R_OK) != 0) {
		fprintf(stderr, "voxcart-tui: --input %s: %s\n", a->input_wav, strerror(errno));
		config_free(&cfg);
		return 2;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "voxcart-tui: needs a terminal (for scripts use voxcart)\n");
		config_free(&cfg);
		return 2;
	}
	if (session_config_path("credentials", a->cred_path, sizeof a->cred_path, err,
				sizeof err) != 0)
		a->cred_path[0] = 0;
	a->worker = worker_start(a->server, a->cred_path[0] ? a->cred_path : NULL, err, sizeof err);
	if (!a->worker || pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		fprintf(stderr, "voxcart-tui: %s\n", a->worker ? strerror(errno) : err);
		config_free(&cfg);
		return 1;
	}
	install_signals();
	if (redirect_stderr(log_path) != 0 || ui_init(colour) != 0) {
		restore_stderr();
		fprintf(stderr, "voxcart-tui: cannot use this terminal\n");
		worker_stop(a->worker);
		config_free(&cfg);
		return 1;
	}
	if (mouse) {
		/* presses only, no click composition: ncurses would wait for the release */
		mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
		mouseinterval(0);
	}
	search_init(a);
	checkout_reset(a);
	buddy_pane_init(a);
	login_init(a);
	a->screen = SCREEN_LOGIN;
	start_session(a);
	run(a, &st);
	ui_end();
	restore_stderr();
	app_free(a);
	if (stats_path)
		write_stats(stats_path, &st);
	config_free(&cfg);
	return 0;
}
