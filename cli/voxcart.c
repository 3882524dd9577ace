/*
 * voxcart.c - main program of the voxcart command-line client: global options,
 * settings, the command table and the dispatcher.
 *
 * Settings are resolved once, in this order of precedence: command-line flags, the
 * environment (VOXCART_SERVER), the config file ($XDG_CONFIG_HOME/voxcart/config,
 * key "server" in its [client] section, or before any section), built-in defaults.
 * --json, --quiet and --server may stand anywhere on the line (take_global_flags).
 * The command word may be any unique prefix of a command name, as in tmux ("voxcart
 * cat" is "categories"); aliases must be typed whole.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "config.h"

#ifndef VOXCART_VERSION
#define VOXCART_VERSION "0"
#endif

#define DEFAULT_SERVER "http://127.0.0.1:8080"

extern const struct cmd_entry cmd_register_entry, cmd_login_entry, cmd_logout_entry,
	cmd_whoami_entry;
extern const struct cmd_entry cmd_search_entry, cmd_show_entry, cmd_categories_entry;
extern const struct cmd_entry cmd_listing_entry;
extern const struct cmd_entry cmd_cart_entry, cmd_card_entry, cmd_address_entry,
	cmd_checkout_entry, cmd_orders_entry;
extern const struct cmd_entry cmd_sales_entry, cmd_fulfil_entry;
extern const struct cmd_entry cmd_help_entry, cmd_completion_entry;
extern const struct cmd_entry cmd_chat_entry, cmd_talk_entry;

/* The one command table.  The order here is the order of `voxcart help`. */
const struct cmd_entry *const cmd_table[] = {
	/* accounts (cmd-account.c) */
	&cmd_register_entry,
	&cmd_login_entry,
	&cmd_logout_entry,
	&cmd_whoami_entry,
	/* catalog (cmd-catalog.c) */
	&cmd_search_entry,
	&cmd_show_entry,
	&cmd_categories_entry,
	/* shopping (cmd-cart.c, cmd-card.c, cmd-address.c, cmd-checkout.c, cmd-orders.c) */
	&cmd_cart_entry,
	&cmd_card_entry,
	&cmd_address_entry,
	&cmd_checkout_entry,
	&cmd_orders_entry,
	/* the buddy: `chat` (cmd-chat.c) and `talk` (cmd-talk.c) go here - declare
	 * cmd_chat_entry and cmd_talk_entry above and add them to this list. */
	&cmd_chat_entry,
	&cmd_talk_entry,
	/* selling (cmd-listing.c, cmd-seller.c) */
	&cmd_listing_entry,
	&cmd_sales_entry,
	&cmd_fulfil_entry,
	/* about voxcart itself (cmd-help.c, cmd-completion.c) */
	&cmd_help_entry,
	&cmd_completion_entry,
	NULL,
};

const struct cmd_entry *cmd_find(const char *name, int *ambiguous)
{
	const struct cmd_entry *found = NULL;
	size_t n = strlen(name);
	*ambiguous = 0;
	if (n == 0)
		return NULL;
	for (size_t i = 0; cmd_table[i]; i++) {
		const struct cmd_entry *e = cmd_table[i];
		if (strcmp(e->name, name) == 0 || (e->alias && strcmp(e->alias, name) == 0)) {
			*ambiguous = 0;
			return e;
		}
		if (strncmp(e->name, name, n) == 0) {
			if (found)
				*ambiguous = 1;
			found = e;
		}
	}
	return *ambiguous ? NULL : found;
}

/* Edit distance between a and b, counting a swap of two neighbours as one edit. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	if (n > 31 || m > 31)
		return 99;
	size_t d[32][32];
	for (size_t i = 0; i <= n; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= n; i++) {
		for (size_t j = 1; j <= m; j++) {
			size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[n][m];
}

const char *cmd_suggest(const char *name)
{
	const char *best = NULL;
	size_t best_d = 99, len = strlen(name);
	size_t limit = len <= 4 ? 1 : len <= 7 ? 2 : 3;
	for (size_t i = 0; cmd_table[i]; i++) {
		const struct cmd_entry *e = cmd_table[i];
		const char *names[2] = { e->name, e->alias };
		for (int k = 0; k < 2; k++) {
			if (!names[k])
				continue;
			size_t d = edit_distance(name, names[k]);
			if (d <= limit && d < best_d) {
				best_d = d;
				best = e->name;
			}
		}
	}
	return best;
}

/* Server URL from the environment or the config file when no flag gave one. */
static int resolve_server(struct cli *cli, const char *flag, struct config *cfg)
{
	if (flag) {
		cli->server = flag;
		return 0;
	}
	const char *env = getenv("VOXCART_SERVER");
	if (env && *env) {
		cli->server = env;
		return 0;
	}
	char path[4096], err[512];
	cli->server = DEFAULT_SERVER;
	if (session_config_path("config", path, sizeof path, err, sizeof err) != 0 ||
	    access(path, F_OK) != 0)
		return 0;
	if (config_load(cfg, path, err, sizeof err) != 0) {
		fprintf(stderr, "voxcart: %s\n", err);
		return -1;
	}
	/* The shared file's [client] section (config.example), or a bare key at the top. */
	const char *v = config_get(cfg, "client.server");
	if (!v)
		v = config_get(cfg, "server");
	if (v && *v)
		cli->server = v;
	return 0;
}

/* The global options --json, --quiet and --server (long forms) count wherever they are
 * on the line, as in git and gh: "voxcart search coffee --json".  They are taken out
 * of argv (up to a "--") before the command sees it.  Returns 0, or -1 after a usage
 * message when --server has no value. */
static int take_global_flags(int *argc, char **argv, struct cli *cli, const char **server)
{
	int out = 1, i = 1;
	for (; i < *argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0)
			break;
		if (strcmp(a, "--json") == 0) {
			cli->json = 1;
		} else if (strcmp(a, "--quiet") == 0) {
			cli->quiet = 1;
		} else if (strncmp(a, "--server=", 9) == 0) {
			*server = a + 9;
		} else if (strcmp(a, "--server") == 0) {
			if (i + 1 >= *argc) {
				fprintf(stderr, "voxcart: option --server needs a value\n");
				return -1;
			}
			*server = argv[++i];
		} else {
			argv[out++] = argv[i];
		}
	}
	for (; i < *argc; i++)
		argv[out++] = argv[i];
	argv[out] = NULL;
	*argc = out;
	return 0;
}

/* `voxcart CMD ... --help` shows the command's help instead of running it. */
static int wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	}
	return 0;
}

static void print_version(void)
{
	printf("voxcart %s (protocol v1)\n", VOXCART_VERSION);
}

int main(int argc, char **argv)
{
	setlocale(LC_CTYPE, "");
	struct cli cli = { 0 };
	cli.stdin_tty = isatty(STDIN_FILENO);
	cli.stderr_tty = isatty(STDERR_FILENO);
	cli.cmd = &cmd_help_entry;

	static const struct option opts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *server_flag = NULL;
	int c, help = 0;
	if (take_global_flags(&argc, argv, &cli, &server_flag) != 0)
		return CLI_USAGE;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:s:jqhV", opts, NULL)) != -1) {
		switch (c) {
		case 's': server_flag = optarg; break;
		case 'j': cli.json = 1; break;
		case 'q': cli.quiet = 1; break;
		case 'h': help = 1; break;
		case 'V': print_version(); return CLI_OK;
		case ':':
			fprintf(stderr, "voxcart: option %s needs a value\n", argv[optind - 1]);
			return CLI_USAGE;
		default:
			fprintf(stderr, "voxcart: unknown option %s (see: voxcart help)\n",
				argv[optind - 1]);
			return CLI_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (help || argc == 0) {
		char *none[] = { "help", NULL };
		int rc = cmd_help_entry.exec(&cli, 1, none);
		return help ? rc : CLI_USAGE;
	}

	int ambiguous;
	const struct cmd_entry *cmd = cmd_find(argv[0], &ambiguous);
	if (!cmd) {
		if (ambiguous) {
			char names[512] = "";
			for (size_t i = 0; cmd_table[i]; i++)
				if (strncmp(cmd_table[i]->name, argv[0], strlen(argv[0])) == 0)
					snprintf(names + strlen(names), sizeof names - strlen(names),
						 "%s%s", *names ? ", " : "", cmd_table[i]->name);
			return cli_error_exit(&cli, CLI_USAGE, "usage",
					      "ambiguous command \"%s\": %s", argv[0], names);
		}
		const char *near = cmd_suggest(argv[0]);
		if (near)
			return cli_error_exit(&cli, CLI_USAGE, "usage",
					      "unknown command \"%s\"; did you mean `%s`? (see: voxcart help)",
					      argv[0], near);
		return cli_error_exit(&cli, CLI_USAGE, "usage",
				      "unknown command \"%s\" (see: voxcart help)", argv[0]);
	}
	cli.cmd = cmd;
	if (wants_help(argc, argv)) {
		char *args[] = { "help", (char *)cmd->name, NULL };
		return cmd_help_entry.exec(&cli, 2, args);
	}

	struct config cfg = { 0 };
	if (resolve_server(&cli, server_flag, &cfg) != 0)
		return CLI_USAGE;
	optind = 0; /* commands run getopt_long again over their own arguments */
	int rc = cmd->exec(&cli, argc, argv);
	cli_cleanup(&cli);
	config_free(&cfg);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "voxcart: cannot write the output\n");
		if (rc == CLI_OK)
			rc = CLI_FAIL;
	}
	return rc;
}
