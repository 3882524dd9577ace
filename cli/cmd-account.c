/*
 * cmd-account.c - register, login, logout, whoami: the user's login on this machine.
 *
 * Passwords are never taken as arguments (they would show in `ps` and shell history):
 * they are read from the terminal with echo off, or from the first line of stdin when
 * stdin is not a terminal or --password-stdin is given.  The tokens the server hands
 * out go to the credentials file (session.h), never to stdout, even with --json.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "output.h"
#include "render.h"

/* Reads the password; asks twice on a terminal when confirm is set.  The server URL is
 * checked first, so nobody types a password only to hear it is wrong. */
static int read_password(struct cli *cli, int from_stdin, int confirm, char *buf, size_t len)
{
	if (!cli_rest(cli))
		return CLI_USAGE;
	int tty = cli->stdin_tty && !from_stdin;
	int saved = cli->stdin_tty;
	cli->stdin_tty = tty;
	int rc = cli_read_line(cli, "Password: ", 1, buf, len);
	if (rc == 0 && tty && confirm) {
		char again[256];
		rc = cli_read_line(cli, "Password again: ", 1, again, sizeof again);
		if (rc == 0 && strcmp(buf, again) != 0)
			rc = -2;
		explicit_bzero(again, sizeof again);
	}
	cli->stdin_tty = saved;
	if (rc == -2)
		return cli_error_exit(cli, CLI_USAGE, "usage", "the passwords do not match");
	if (rc != 0)
		return cli_error_exit(cli, CLI_USAGE, "usage",
				      "no password given (type it, or pipe it on stdin)");
	if (*buf == '\0')
		return cli_error_exit(cli, CLI_USAGE, "usage", "empty password");
	return CLI_OK;
}

/* Saves the tokens of a register/login answer and prints who is logged in. */
static int accept_login(struct cli *cli, struct rest_response *resp, const char *email,
			const char *verb)
{
	char err[512], replaced[600] = "";
	const cJSON *user = cJSON_GetObjectItemCaseSensitive(resp->json, "user");
	struct session *s = cli_session(cli);
	const char *base = rest_base_url(cli->rest), *who = json_str(user, "email");
	/* One login is saved (shared with voxcart-tui): say when this one replaces another. */
	if (s->server && s->email && (!session_logged_in(s, base) || strcasecmp(s->email, who) != 0))
		snprintf(replaced, sizeof replaced, "%s at %s", s->email, s->server);
	if (session_accept_auth(s, base, resp->json, email, err, sizeof err) != 0)
		return cli_error(cli, "internal", "%s, but the login was not saved: %s", verb, err);
	if (*replaced)
		cli_note(cli, "This replaced the saved login of %s.\n", replaced);
	if (cli->json) {
		/* The server's answer without the secrets. */
		cJSON_DeleteItemFromObjectCaseSensitive(resp->json, "access_token");
		cJSON_DeleteItemFromObjectCaseSensitive(resp->json, "refresh_token");
		cli_print_json(resp->json);
		return CLI_OK;
	}
	cli_say(cli, "%s as %s (%s) on %s\n", verb, json_str(user, "email"),
		json_str(user, "role"), rest_base_url(cli->rest));
	return CLI_OK;
}

/* {"email","password"}, the start of a register or login body; wipes password. */
static cJSON *credentials(const char *email, char *password, size_t len)
{
	cJSON *body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "email", email);
	cJSON_AddStringToObject(body, "password", password);
	explicit_bzero(password, len);
	return body;
}

/* Sends a register or login body (wiped and freed here) and saves the login. */
static int send_credentials(struct cli *cli, const char *path, cJSON *body, const char *email,
			    const char *verb)
{
	struct rest_response resp;
	int rc = cli_do(cli, 0, "POST", path, body, NULL, &resp);
	cli_jwipe(body, "password");
	cJSON_Delete(body);
	if (rc != CLI_OK)
		return rc;
	rc = accept_login(cli, &resp, email, verb);
	rest_response_free(&resp);
	return rc;
}

static int exec_register(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seller", no_argument, NULL, 'S' },
		{ "name", required_argument, NULL, 'n' },
		{ "password-stdin", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	int seller = 0, from_stdin = 0, c;
	const char *name = NULL;
	while ((c = cli_getopt(cli, NULL, argc, argv, opts)) != -1) {
		if (c == '?')
			return CLI_USAGE;
		if (c == 'S')
			seller = 1;
		else if (c == 'n')
			name = optarg;
		else if (c == 'p')
			from_stdin = 1;
	}
	if (argc - optind != 1)
		return cli_usage_error(cli, NULL, argc - optind ? "one EMAIL only" : "missing EMAIL");
	const char *email = argv[optind];
	if (!strchr(email, '@'))
		return cli_usage_error(cli, NULL, "\"%s\" is not an email address", email);
	char local[101];
	if (!name) { /* default display name: the part before the @ */
		snprintf(local, sizeof local, "%.*s", (int)(strchr(email, '@') - email), email);
		name = local;
	}
	char password[256];
	int rc = read_password(cli, from_stdin, 1, password, sizeof password);
	if (rc != CLI_OK)
		return rc;
	size_t plen = strlen(password);
	if (plen < 8 || plen > 128) {
		explicit_bzero(password, sizeof password);
		return cli_error_exit(cli, CLI_USAGE, "validation_failed",
				      "the password must be 8 to 128 characters long");
	}
	cJSON *body = credentials(email, password, sizeof password);
	cJSON_AddStringToObject(body, "name", *name ? name : email);
	cJSON_AddStringToObject(body, "role", seller ? "seller" : "shopper");
	return send_credentials(cli, "/api/v1/auth/register", body, email,
				"Registered and logged in");
}

static int exec_login(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "password-stdin", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	int from_stdin = 0, c;
	while ((c = cli_getopt(cli, NULL, argc, argv, opts)) != -1) {
		if (c == '?')
			return CLI_USAGE;
		from_stdin = 1;
	}
	if (argc - optind != 1)
		return cli_usage_error(cli, NULL, argc - optind ? "one EMAIL only" : "missing EMAIL");
	const char *email = argv[optind];
	char password[256];
	int rc = read_password(cli, from_stdin, 0, password, sizeof password);
	if (rc != CLI_OK)
		return rc;
	cJSON *body = credentials(email, password, sizeof password);
	return send_credentials(cli, "/api/v1/auth/login", body, email, "Logged in");
}

/* Revokes the tokens on the server and forgets them here.  The local login is removed
 * even when the server cannot be reached, but then the exit status says the tokens
 * may still be valid there. */
static int exec_logout(struct cli *cli, int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return cli_usage_error(cli, NULL, "no arguments expected");
	struct rest *r = cli_rest(cli);
	if (!r)
		return CLI_USAGE;
	struct session *s = cli_session(cli);
	char err[512];
	if (cli->session_state < 0 && s->path && session_forget(s, err, sizeof err) == 0) {
		cli_say(cli, "Removed the damaged credentials file.\n");
		if (cli->json)
			printf("{\"ok\":true}\n");
		return CLI_OK;
	}
	if (!session_logged_in(s, rest_base_url(r))) {
		cli_say(cli, "Not logged in to %s.\n", rest_base_url(r));
		if (cli->json)
			printf("{\"ok\":true}\n");
		return CLI_OK;
	}
	struct rest_response resp;
	int status = session_request(s, r, "POST", "/api/v1/auth/logout", NULL, NULL, &resp);
	int forgot = session_forget(s, err, sizeof err);
	int rc = CLI_OK;
	if (status == 0)
		rc = cli_error_exit(cli, CLI_UNREACHABLE, "unreachable",
				    "logged out here, but the token could not be revoked: %s",
				    resp.error);
	else if (forgot != 0)
		rc = cli_error(cli, "internal", "%s", err);
	else if ((status < 200 || status >= 300) && status != 401)
		rc = cli_fail(cli, &resp);
	if (rc == CLI_OK) {
		cli_say(cli, "Logged out of %s.\n", rest_base_url(r));
		if (cli->json)
			printf("{\"ok\":true}\n");
	}
	rest_response_free(&resp);
	return rc;
}

static int exec_whoami(struct cli *cli, int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return cli_usage_error(cli, NULL, "no arguments expected");
	struct rest_response resp;
	int rc = cli_call(cli, 1, "GET", NULL, &resp, "/api/v1/me");
	if (rc == CLI_OK && !cli->json) {
		const cJSON *u = resp.json;
		out_text(stdout, json_str(u, "email"), 0);
		printf(" (");
		out_text(stdout, json_str(u, "name"), 0);
		printf("), %s\n", strcmp(json_str(u, "role"), "seller") == 0 ? "seller" :
		       strcmp(json_str(u, "role"), "admin") == 0 ? "admin" : "shopper");
		printf("server: %s\n", rest_base_url(cli->rest));
		printf("ship to:\n");
		render_address(cJSON_GetObjectItemCaseSensitive(u, "shipping_address"), "  ");
	}
	rest_response_free(&resp);
	return rc;
}

const struct cmd_entry cmd_register_entry = {
	"register", NULL, "[--seller] [--name NAME] [--password-stdin] EMAIL",
	"create an account (a shopper's, or a seller's with --seller) and log in",
	exec_register,
};

const struct cmd_entry cmd_login_entry = {
	"login", NULL, "[--password-stdin] EMAIL", "log in and remember the login on this machine",
	exec_login,
};

const struct cmd_entry cmd_logout_entry = {
	"logout", NULL, "", "log out: revoke the tokens and forget them here", exec_logout,
};

const struct cmd_entry cmd_whoami_entry = {
	"whoami", NULL, "", "show who is logged in, on which server", exec_whoami,
};
