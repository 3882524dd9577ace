/*
 * cli.c - shared plumbing of the voxcart commands (see cli.h).
 *
 * Errors: every message is one line starting "voxcart: ".  With --json the same
 * failure is also written to stdout as {"error":{"code","message"}} - the server's own
 * error object when it sent one - so a script reads one JSON line whatever happened.
 * Exit statuses tell the kind of failure apart (cli.h, enum cli_exit).
 */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "money.h"
#include "output.h"

#define MAX_PRICE_CENTS 100000000

void cli_cleanup(struct cli *cli)
{
	rest_free(cli->rest);
	cli->rest = NULL;
	if (cli->session_state != 0)
		session_free(&cli->session);
	cli->session_state = 0;
}

/* ---- reporting ---- */

static void json_error(const char *code, const char *message)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *e = cJSON_AddObjectToObject(o, "error");
	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", message);
	cli_print_json(o);
	cJSON_Delete(o);
}

static int verror(struct cli *cli, int status, const char *code, const char *fmt, va_list ap)
{
	char msg[1024];
	vsnprintf(msg, sizeof msg, fmt, ap);
	out_scrub(msg, 0); /* one line, whatever the server said */
	fflush(stdout);
	fprintf(stderr, "voxcart: %s\n", msg);
	if (cli->json)
		json_error(code, msg);
	return status;
}

int cli_error(struct cli *cli, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = verror(cli, CLI_FAIL, code, fmt, ap);
	va_end(ap);
	return rc;
}

int cli_error_exit(struct cli *cli, int status, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = verror(cli, status, code, fmt, ap);
	va_end(ap);
	return rc;
}

/* Does usage line `line` (length len) belong to subcommand sub? */
static int line_is_sub(const char *line, size_t len, const char *sub)
{
	size_t n = strlen(sub);
	if (len > 0 && line[0] == '[') { /* "[show]" */
		line++;
		len--;
	}
	return len >= n && strncmp(line, sub, n) == 0 &&
	       (len == n || line[n] == ' ' || line[n] == ']');
}

void cli_print_usage(const struct cmd_entry *cmd, const char *sub, FILE *f, const char *lead)
{
	const char *p = cmd->usage;
	int printed = 0;
	for (int pass = 0; pass < 2 && !printed; pass++) {
		p = cmd->usage;
		while (*p) {
			const char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p) : strlen(p);
			if (pass == 1 || !sub || line_is_sub(p, len, sub)) {
				fprintf(f, "%svoxcart %s%s%.*s\n", printed ? "       " : lead,
					cmd->name, len ? " " : "", (int)len, p);
				printed++;
			}
			p += len + (nl ? 1 : 0);
		}
		if (!*cmd->usage && !printed) {
			fprintf(f, "%svoxcart %s\n", lead, cmd->name);
			printed++;
		}
	}
}

int cli_usage_error(struct cli *cli, const char *sub, const char *fmt, ...)
{
	char msg[512] = "";
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, sizeof msg, fmt, ap);
		va_end(ap);
	}
	fflush(stdout);
	if (*msg)
		fprintf(stderr, "voxcart: %s%s%s: %s\n", cli->cmd->name, sub ? " " : "",
			sub ? sub : "", msg);
	cli_print_usage(cli->cmd, sub, stderr, "usage: ");
	if (cli->json)
		json_error("usage", *msg ? msg : "bad command line");
	return CLI_USAGE;
}

int cli_fail(struct cli *cli, const struct rest_response *resp)
{
	int status = resp->status;
	const char *code = *resp->error_code ? resp->error_code : "error";
	char msg[800];
	snprintf(msg, sizeof msg, "%s", resp->error);
	int exit_status = CLI_FAIL;
	if (status == 0) {
		exit_status = CLI_UNREACHABLE;
		code = "unreachable";
	} else if (status == SESSION_NOT_LOGGED_IN || strcmp(code, "session_expired") == 0 ||
		   strcmp(code, "login_unknown") == 0) {
		struct session *s = &cli->session;
		const char *email = s->email ? s->email : "EMAIL";
		exit_status = CLI_AUTH;
		if (status == SESSION_NOT_LOGGED_IN && cli->session_state == -1)
			snprintf(msg, sizeof msg, "%s", cli->session_err);
		else if (status == SESSION_NOT_LOGGED_IN && s->server)
			snprintf(msg, sizeof msg, "You are not logged in to %s (your login is for "
				 "%s; use --server %s or run: voxcart login EMAIL)",
				 cli->server, s->server, s->server);
		else if (strcmp(code, "session_expired") == 0)
			/* The server says the saved login ran out. */
			snprintf(msg, sizeof msg, "Your session expired — log in again with "
				 "`voxcart login %s`", email);
		else if (strcmp(code, "login_unknown") == 0)
			/* The server does not know the saved refresh token: logged out, spent,
			 * or a database the server no longer has. */
			snprintf(msg, sizeof msg, "You are not logged in: voxcartd at %s does not "
				 "know your saved login (it was logged out, or the server's database "
				 "changed); log in with `voxcart login %s`", cli->server, email);
		else
			snprintf(msg, sizeof msg, "You are not logged in to %s; log in with "
				 "`voxcart login %s`", cli->server, email);
	} else if (status == 401) {
		exit_status = CLI_AUTH;
	} else if (status == 429) {
		if (resp->retry_after >= 0)
			snprintf(msg + strlen(msg), sizeof msg - strlen(msg), "; retry after %d s",
				 resp->retry_after);
	} else if (status == 403 && strstr(msg, "seller") == NULL &&
		   strncmp(cli->cmd->name, "listing", 7) == 0) {
		snprintf(msg + strlen(msg), sizeof msg - strlen(msg), " (listings need a seller "
			 "account: voxcart register --seller EMAIL)");
	} else if (*resp->error_field && !strstr(msg, resp->error_field)) {
		int is_id = strspn(resp->error_field, "0123456789") == strlen(resp->error_field);
		snprintf(msg + strlen(msg), sizeof msg - strlen(msg), " (%s%s)",
			 is_id ? "product #" : "", resp->error_field);
	}
	if (cli->hint && status == cli->hint_status)
		snprintf(msg + strlen(msg), sizeof msg - strlen(msg), " (%s)", cli->hint);
	fflush(stdout);
	out_scrub(msg, 0);
	fprintf(stderr, "voxcart: %s\n", msg);
	if (cli->json) {
		if (status > 0 && cJSON_GetObjectItemCaseSensitive(resp->json, "error"))
			cli_print_json(resp->json);
		else
			json_error(code, msg);
	}
	return exit_status;
}

void cli_note(struct cli *cli, const char *fmt, ...)
{
	if (cli->quiet || cli->json)
		return;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

void cli_say(struct cli *cli, const char *fmt, ...)
{
	if (cli->quiet || cli->json)
		return;
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

/* ---- talking to the server ---- */

struct rest *cli_rest(struct cli *cli)
{
	if (cli->rest)
		return cli->rest;
	char err[256];
	if (rest_check_url(cli->server, err, sizeof err) != 0) {
		cli_error_exit(cli, CLI_USAGE, "usage", "%s", err);
		return NULL;
	}
	cli->rest = rest_new(cli->server);
	if (!cli->rest)
		cli_error(cli, "internal", "cannot start the HTTP client");
	return cli->rest;
}

struct session *cli_session(struct cli *cli)
{
	if (cli->session_state != 0)
		return &cli->session;
	char path[4096], err[512];
	if (session_config_path("credentials", path, sizeof path, err, sizeof err) != 0)
		snprintf(path, sizeof path, "/nonexistent/voxcart-credentials");
	if (session_init(&cli->session, path) != 0) {
		memset(&cli->session, 0, sizeof cli->session);
		cli->session_state = -1;
		snprintf(cli->session_err, sizeof cli->session_err, "out of memory");
		return &cli->session;
	}
	cli->session_state = 1;
	if (session_load(&cli->session, err, sizeof err) < 0) {
		cli->session_state = -1;
		snprintf(cli->session_err, sizeof cli->session_err, "%s", err);
	}
	return &cli->session;
}

int cli_do(struct cli *cli, int auth, const char *method, const char *path, const cJSON *body,
	   const char *idempotency_key, struct rest_response *resp)
{
	memset(resp, 0, sizeof *resp);
	struct rest *r = cli_rest(cli);
	if (!r)
		return CLI_USAGE;
	int status;
	if (auth)
		status = session_request(cli_session(cli), r, method, path, body,
					 idempotency_key, resp);
	else
		status = rest_request(r, method, path, body, NULL, idempotency_key, resp);
	/* With an Idempotency-Key a lost answer is safe to ask for again: the server
	 * replays the first answer instead of charging twice. */
	if (status == 0 && idempotency_key) {
		rest_response_free(resp);
		sleep(1);
		if (auth)
			status = session_request(cli_session(cli), r, method, path, body,
						 idempotency_key, resp);
		else
			status = rest_request(r, method, path, body, NULL, idempotency_key, resp);
	}
	if (status >= 200 && status < 300)
		return CLI_OK;
	int rc = cli_fail(cli, resp);
	rest_response_free(resp);
	return rc;
}

int cli_call(struct cli *cli, int auth, const char *method, const cJSON *body,
	     struct rest_response *resp, const char *path_fmt, ...)
{
	struct rest_response discard;
	if (!resp)
		resp = &discard;
	memset(resp, 0, sizeof *resp);
	va_list ap;
	va_start(ap, path_fmt);
	int n = vsnprintf(NULL, 0, path_fmt, ap);
	va_end(ap);
	char *path = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (!path)
		return cli_error(cli, "internal", "out of memory");
	va_start(ap, path_fmt);
	vsnprintf(path, (size_t)n + 1, path_fmt, ap);
	va_end(ap);
	int rc = cli_do(cli, auth, method, path, body, NULL, resp);
	free(path);
	if (rc == CLI_OK)
		cli_json_out(cli, resp);
	if (resp == &discard)
		rest_response_free(resp);
	return rc;
}

void cli_print_json(const cJSON *json)
{
	char *s = cJSON_PrintUnformatted(json);
	if (s) {
		fputs(s, stdout);
		fputc('\n', stdout);
		free(s);
	}
}

int cli_json_out(struct cli *cli, const struct rest_response *resp)
{
	if (!cli->json)
		return 0;
	if (resp->json) {
		cli_print_json(resp->json);
	} else {
		cJSON *ok = cJSON_CreateObject();
		cJSON_AddTrueToObject(ok, "ok");
		cli_print_json(ok);
		cJSON_Delete(ok);
	}
	return 1;
}

/* ---- prompting ---- */

static int read_stream_line(FILE *f, char *buf, size_t len)
{
	if (!fgets(buf, (int)len, f))
		return -1;
	size_t n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	else if (!feof(f))
		return -1; /* longer than buf: refuse rather than cut a password short */
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return 0;
}

int cli_read_line(struct cli *cli, const char *prompt, int secret, char *buf, size_t len)
{
	if (!cli->stdin_tty)
		return read_stream_line(stdin, buf, len);
	fprintf(stderr, "%s", prompt);
	fflush(stderr);
	struct termios old, quiet;
	int echo_off = secret && tcgetattr(STDIN_FILENO, &old) == 0;
	if (echo_off) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		quiet.c_lflag |= ECHONL;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	int rc = read_stream_line(stdin, buf, len);
	if (echo_off)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	if (rc != 0)
		fputc('\n', stderr);
	return rc;
}

int cli_confirm(struct cli *cli, const char *question)
{
	char answer[16];
	char prompt[512];
	snprintf(prompt, sizeof prompt, "%s [y/N] ", question);
	if (!cli->stdin_tty || cli_read_line(cli, prompt, 0, answer, sizeof answer) != 0)
		return 0;
	char *a = answer;
	while (isspace((unsigned char)*a))
		a++;
	return strcasecmp(a, "y") == 0 || strcasecmp(a, "yes") == 0;
}

/* ---- arguments ---- */

int cli_getopt(struct cli *cli, const char *sub, int argc, char **argv,
	       const struct option *opts)
{
	opterr = 0;
	int c = getopt_long(argc, argv, ":", opts, NULL);
	if (c == '?') {
		const char *bad = argv[optind - 1];
		if (optopt && optopt != '?')
			cli_usage_error(cli, sub, "unknown option -%c", optopt);
		else
			cli_usage_error(cli, sub, "unknown option %s", bad);
		return '?';
	}
	if (c == ':') {
		cli_usage_error(cli, sub, "option %s needs a value", argv[optind - 1]);
		return '?';
	}
	return c;
}

int cli_parse_long(const char *s, long min, long max, long *out)
{
	if (!s || !isdigit((unsigned char)*s))
		return -1;
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int cli_parse_id(const char *s, int64_t *id)
{
	long v;
	if (s && *s == '#')
		s++;
	if (cli_parse_long(s, 1, 0x7fffffffL, &v) != 0)
		return -1;
	*id = v;
	return 0;
}

int cli_want_id(struct cli *cli, const char *sub, const char *what, const char *s,
		int64_t *id)
{
	if (!s)
		return cli_usage_error(cli, sub, "missing %s", what);
	if (cli_parse_id(s, id) != 0)
		return cli_usage_error(cli, sub, "%s must be a positive number, not \"%s\"", what, s);
	return CLI_OK;
}

int cli_want_one_id(struct cli *cli, const char *sub, const char *what, int nargs, char **args,
		    int64_t *id)
{
	if (nargs > 1)
		return cli_usage_error(cli, sub, "one %s only", what);
	return cli_want_id(cli, sub, what, nargs > 0 ? args[0] : NULL, id);
}

int cli_want_money(struct cli *cli, const char *sub, const char *flag, const char *s,
		   int64_t *cents)
{
	if (money_parse(s, cents) != 0)
		return cli_usage_error(cli, sub, "%s: \"%s\" is not an amount (write 12.99)", flag, s);
	if (*cents > MAX_PRICE_CENTS)
		return cli_usage_error(cli, sub, "%s: at most $1,000,000.00", flag);
	return CLI_OK;
}

char *cli_join(int argc, char **argv)
{
	size_t n = 1;
	for (int i = 0; i < argc; i++)
		n += strlen(argv[i]) + 1;
	char *s = malloc(n), *p = s;
	if (!s)
		return NULL;
	*p = '\0';
	for (int i = 0; i < argc; i++)
		p += sprintf(p, "%s%s", i ? " " : "", argv[i]);
	return s;
}

/* ---- subcommands ---- */

const struct cli_sub *cli_find_sub(const struct cli_sub *subs, const char *name)
{
	for (; subs->name; subs++)
		if (strcmp(subs->name, name) == 0)
			return subs;
	return NULL;
}

int cli_run_sub(struct cli *cli, int argc, char **argv, const struct cli_sub *subs)
{
	if (argc < 2)
		return subs[0].exec(cli, 1, argv);
	const struct cli_sub *sub = cli_find_sub(subs, argv[1]);
	if (!sub)
		return cli_usage_error(cli, NULL, "unknown subcommand \"%s\"", argv[1]);
	return sub->exec(cli, argc - 1, argv + 1);
}

/* ---- JSON fields ---- */

void cli_jwipe(cJSON *o, const char *key)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (cJSON_IsString(v))
		explicit_bzero(v->valuestring, strlen(v->valuestring));
}
