/*
 * cli.h - what every voxcart command shares: the run's settings, talking to the
 * server, reporting errors the same way everywhere, prompting, parsing arguments.
 *
 * Error reporting rule: a command that fails calls one of the cli_*error/cli_fail
 * functions exactly once and returns what it returned.  That prints a one-line
 * "voxcart: ..." on stderr and, with --json, {"error":{...}} on stdout.
 */
#ifndef VOXCART_CLI_H
#define VOXCART_CLI_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cJSON.h>

#include "cmd.h"
#include "json.h"
#include "rest.h"
#include "session.h"

enum cli_exit {
	CLI_OK = 0,
	CLI_FAIL = 1,        /* the server refused, or the job failed */
	CLI_USAGE = 2,       /* bad command line */
	CLI_UNREACHABLE = 3, /* no answer from the server */
	CLI_AUTH = 4,        /* not logged in, login expired, bad credentials */
};

struct cli {
	const char *server;        /* base URL of voxcartd */
	int json;                  /* --json: the server's JSON on stdout, one per line */
	int quiet;                 /* --quiet: no chatter, only results and errors */
	int stdin_tty, stderr_tty; /* isatty() of fd 0 and fd 2 */
	const struct cmd_entry *cmd; /* the running command */
	struct rest *rest;         /* made on first use */
	struct session session;    /* loaded on first use */
	int session_state;         /* 0 not loaded, 1 loaded, -1 unreadable */
	char session_err[512];
	/* Appended to the message of a failure with status hint_status (e.g. 402:
	 * "nothing was charged"); set by a command before the request. */
	int hint_status;
	const char *hint;
};

/* Releases what the run acquired. */
void cli_cleanup(struct cli *cli);

/* ---- reporting ---- */

/* Prints "voxcart: <message>" (and the --json error object with code); returns
 * CLI_FAIL. */
int cli_error(struct cli *cli, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same with a chosen exit status. */
int cli_error_exit(struct cli *cli, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A usage error: the message (fmt may be NULL) and the usage of subcommand sub (NULL:
 * every form of the command).  Returns CLI_USAGE. */
int cli_usage_error(struct cli *cli, const char *sub, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Reports a failed request (status 0, SESSION_NOT_LOGGED_IN or non-2xx) and returns
 * the matching exit status.  Does not free resp. */
int cli_fail(struct cli *cli, const struct rest_response *resp);
/* Prints usage lines of cli->cmd (only sub's when sub is not NULL) to f. */
void cli_print_usage(const struct cmd_entry *cmd, const char *sub, FILE *f, const char *lead);

/* Informational text for people on stderr; silent with --quiet or --json. */
void cli_note(struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A result sentence for people on stdout ("Added 2 x Bananas"); silent with --quiet
 * or --json. */
void cli_say(struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- talking to the server ---- */

/* The client, or NULL after reporting a bad --server URL (exit with CLI_USAGE). */
struct rest *cli_rest(struct cli *cli);
/* The credentials, loaded on first use. */
struct session *cli_session(struct cli *cli);

/* Sends a request (auth: with the saved login).  On a 2xx answer returns CLI_OK and
 * leaves the answer in *resp for the caller to free; otherwise reports the failure,
 * frees *resp and returns the exit status. */
int cli_do(struct cli *cli, int auth, const char *method, const char *path, const cJSON *body,
	   const char *idempotency_key, struct rest_response *resp);

/* cli_do() as most commands use it: sends the request (auth: with the saved login) to
 * the path made from path_fmt as printf makes it.  On a 2xx answer prints it with
 * --json (cli_json_out()) and returns CLI_OK, leaving the answer in *resp for the
 * caller to show (when !cli->json) and free; resp may be NULL when the answer is not
 * needed.  Otherwise reports the failure and returns the exit status, *resp left empty
 * (freeing it is harmless). */
int cli_call(struct cli *cli, int auth, const char *method, const cJSON *body,
	     struct rest_response *resp, const char *path_fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* With --json prints resp's JSON (or {"ok":true} for an empty answer) as one line and
 * returns 1; otherwise returns 0 and prints nothing. */
int cli_json_out(struct cli *cli, const struct rest_response *resp);
/* Prints one JSON value on one line on stdout. */
void cli_print_json(const cJSON *json);

/* ---- prompting ---- */

/* Reads a line into buf (newline removed).  On a terminal the prompt goes to stderr
 * and, for secrets, echo is off; otherwise the line comes from stdin silently.
 * 0 ok, -1 at end of input or when it is longer than buf. */
int cli_read_line(struct cli *cli, const char *prompt, int secret, char *buf, size_t len);
/* Asks a yes/no question on the terminal; 1 only for "y" or "yes". */
int cli_confirm(struct cli *cli, const char *question);

/* ---- arguments ---- */

/* getopt_long over argv[0..argc) where argv[0] is the (sub)command word.  Returns the
 * option's val, -1 at the end (positional arguments then start at optind), or '?'
 * after reporting the problem (then return CLI_USAGE). */
int cli_getopt(struct cli *cli, const char *sub, int argc, char **argv,
	       const struct option *opts);
/* A positive id ("12" or "#12"); 0 ok, -1 not one. */
int cli_parse_id(const char *s, int64_t *id);
/* A decimal integer in [min,max]; 0 ok, -1 not one. */
int cli_parse_long(const char *s, long min, long max, long *out);
/* The words joined with single spaces (malloc'd; NULL when out of memory). */
char *cli_join(int argc, char **argv);
/* cli_parse_id() or a usage error naming what: returns CLI_OK or CLI_USAGE. */
int cli_want_id(struct cli *cli, const char *sub, const char *what, const char *s,
		int64_t *id);
/* The one positional argument of sub, an id: args[0..nargs) are what follows the
 * subcommand word.  Returns CLI_OK, or CLI_USAGE after "one WHAT only" or the message
 * of cli_want_id(). */
int cli_want_one_id(struct cli *cli, const char *sub, const char *what, int nargs, char **args,
		    int64_t *id);
/* money_parse() for a flag, also checking the protocol range 0..100000000 cents;
 * returns CLI_OK or CLI_USAGE after a message. */
int cli_want_money(struct cli *cli, const char *sub, const char *flag, const char *s,
		   int64_t *cents);

/* ---- subcommands ---- */

/* One subcommand of a group ("cart add"): exec gets argv[0] = the subcommand word. */
struct cli_sub {
	const char *name;
	int (*exec)(struct cli *cli, int argc, char **argv);
};

/* The entry of subs (ended by a NULL name) called name, or NULL. */
const struct cli_sub *cli_find_sub(const struct cli_sub *subs, const char *name);
/* Runs the subcommand argv[1] of the group argv[0]; without one, the first of subs (the
 * default) with argc 1.  An unknown subcommand is a usage error. */
int cli_run_sub(struct cli *cli, int argc, char **argv, const struct cli_sub *subs);

/* ---- shared by commands ---- */

/* Chooses the card to pay with: wanted (> 0) must be one of the user's cards; 0 picks
 * the default card, or the only one.  Sets *id and a description ("Visa ending 4242")
 * and returns CLI_OK, or reports why not and returns the exit status.
 * (cmd-card.c) */
int cli_pick_card(struct cli *cli, int64_t wanted, int64_t *id, char *desc, size_t desclen);

/* ---- JSON fields ---- */

/* Reading fields: json_str, json_int, json_bool of libvoxcart (json.h). */
/* Overwrites the string member key of o with zeros (a password, a card number), so the
 * secret does not linger in freed memory once o is deleted. */
void cli_jwipe(cJSON *o, const char *key);

#endif
