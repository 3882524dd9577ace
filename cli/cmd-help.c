/*
 * cmd-help.c - help [COMMAND [SUBCOMMAND]]: generated from the command table, so it
 * cannot disagree with what the dispatcher accepts.  The full manual is voxcart(1).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void general_help(FILE *f)
{
	fprintf(f, "usage: voxcart [--server URL] [--json] [--quiet] COMMAND [ARGS...]\n\n");
	fprintf(f, "Commands:\n");
	size_t w = 0;
	for (size_t i = 0; cmd_table[i]; i++)
		if (strlen(cmd_table[i]->name) > w)
			w = strlen(cmd_table[i]->name);
	for (size_t i = 0; cmd_table[i]; i++)
		fprintf(f, "  %-*s  %s\n", (int)w, cmd_table[i]->name, cmd_table[i]->summary);
	fprintf(f, "\nGlobal options (before the command):\n"
		"  -s, --server URL  the voxcartd to use (default: $VOXCART_SERVER, else \"server\"\n"
		"                    in [client] of ~/.config/voxcart/config, else\n"
		"                    http://127.0.0.1:8080)\n"
		"  -j, --json        print the server's JSON, one object per line, for scripts\n"
		"  -q, --quiet       print only results and errors\n"
		"  -h, --help        show help (voxcart help COMMAND for one command)\n"
		"  -V, --version     show the version\n\n"
		"A command may be shortened to any unique prefix (voxcart cat = categories).\n"
		"Exit status: 0 ok, 1 refused or failed, 2 bad command line, 3 server unreachable,\n"
		"4 not logged in.  The manual: man voxcart\n");
}

static int exec_help(struct cli *cli, int argc, char **argv)
{
	if (argc < 2) {
		general_help(stdout);
		return CLI_OK;
	}
	int ambiguous;
	const struct cmd_entry *cmd = cmd_find(argv[1], &ambiguous);
	if (!cmd)
		return cli_error_exit(cli, CLI_USAGE, "usage", "%s command \"%s\" (see: voxcart help)",
				      ambiguous ? "ambiguous" : "no such", argv[1]);
	cli_print_usage(cmd, argc > 2 ? argv[2] : NULL, stdout, "usage: ");
	if (cmd->alias)
		printf("alias: %s\n", cmd->alias);
	printf("\n%s\n", cmd->summary);
	return CLI_OK;
}

const struct cmd_entry cmd_help_entry = {
	"help", NULL, "[COMMAND [SUBCOMMAND]]", "show the commands, or how to use one", exec_help,
};
