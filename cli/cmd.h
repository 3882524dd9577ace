/*
 * cmd.h - the command table of voxcart.
 *
 * Every subcommand is one const struct cmd_entry, defined in the cmd-*.c file that
 * implements it and listed once in cmd_table[] (cli/voxcart.c, with its extern
 * declaration).  The dispatcher, `voxcart help`, usage errors and `voxcart completion
 * bash|zsh` are all generated from the table.  Besides its cmd-*.c file and that line,
 * a new command wants its flag lines and examples in cmd-help.c's details[], its
 * section in man/voxcart.1 and its cases in tests/integration/test_cli.py.
 *
 * usage holds what follows "voxcart NAME" - one line per form, '\n' between lines:
 *     "add --title T --price PRICE ...\nrm ID"      (a group: the first word of each
 *                                                    line is a subcommand)
 *     "QUERY [--limit N] [--sort a|b|c]"             (a plain command)
 * Conventions the completion generator relies on: placeholders are UPPER case, flags
 * are "--long", a flag followed by a word takes an argument, "a|b|c" lists the values
 * of an argument, and a placeholder starting with FILE completes file names.
 */
#ifndef VOXCART_CMD_H
#define VOXCART_CMD_H

struct cli;

struct cmd_entry {
	const char *name;
	const char *alias;   /* another name, or NULL */
	const char *usage;   /* see above */
	const char *summary; /* one line for `voxcart help` */
	/* argv[0] is the command word as typed; returns the exit status (enum cli_exit). */
	int (*exec)(struct cli *cli, int argc, char **argv);
};

/* NULL-terminated, in the order `voxcart help` lists them. */
extern const struct cmd_entry *const cmd_table[];

/* The entry named (or aliased) name, or whose name name uniquely starts; NULL when
 * none.  *ambiguous is set when several commands start with name. */
const struct cmd_entry *cmd_find(const char *name, int *ambiguous);
/* The command name nearest to a mistyped name (a typo or two away, by edit distance),
 * or NULL when none is that close: "did you mean `orders`?". */
const char *cmd_suggest(const char *name);

#endif
