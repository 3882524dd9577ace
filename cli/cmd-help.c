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
	fprintf(f, "\nGlobal options (anywhere on the line):\n"
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

/* What `voxcart help COMMAND` adds to the usage: each flag with one line, then
 * examples, as voxcart(1) has them.  A flag line is "--flag ARG\twhat it does". */
static const struct {
	const char *cmd, *text;
} details[] = {
	{ "register",
	  "--seller\ta seller's account (needed for listing, sales and fulfil)\n"
	  "--name NAME\tthe name shown to others (default: EMAIL before the @)\n"
	  "--password-stdin\tread the password from the first line of stdin\n"
	  "example: voxcart register --seller --name \"Green Farm\" farm@example.com" },
	{ "login",
	  "--password-stdin\tread the password from the first line of stdin\n"
	  "example: voxcart login shopper@demo.voxcart" },
	{ "logout", "example: voxcart logout" },
	{ "whoami", "example: voxcart whoami" },
	{ "search",
	  "QUERY...\twords to look for (none: every product, newest first)\n"
	  "--category CATEGORY\tonly this category (see: voxcart categories)\n"
	  "--min-price 12.99\tno cheaper than this\n"
	  "--max-price 50\tno dearer than this\n"
	  "--sort relevance|price_asc|price_desc|newest\tthe order of the results\n"
	  "--limit N\tthis many results (1-100, default 20)\n"
	  "--offset N\tskip this many (the footer says what is next)\n"
	  "example: voxcart search \"dark roast\" --max-price 20" },
	{ "show", "ID\tthe product's id, from search\nexample: voxcart show 88" },
	{ "categories", "example: voxcart categories" },
	{ "cart",
	  "add ID|QUERY [QTY]\tadd QTY (1-1000, default 1) of a product by id, or the best match for words\n"
	  "set ID QTY\tset a line's quantity (0 removes it)\n"
	  "rm ID\tremove a line\n"
	  "clear\tempty the cart\n"
	  "example: voxcart cart add 88 2\n"
	  "example: voxcart cart add organic bananas" },
	{ "card",
	  "--number NUMBER\tthe card number (prompted for when missing)\n"
	  "--exp MM/YY\tthe expiry (prompted for when missing)\n"
	  "--cvc CVC\tthe 3 or 4 digits on the back (prompted for when missing)\n"
	  "rm ID\tforget a card\n"
	  "default ID\tpay with this card unless told otherwise\n"
	  "example: voxcart card add --number 4242424242424242 --exp 12/30 --cvc 123" },
	{ "address",
	  "--name NAME\twho receives the parcel\n"
	  "--line1 STREET\tthe street and number\n"
	  "--line2 MORE\tflat, floor, company (optional)\n"
	  "--city CITY\tthe city\n"
	  "--postal-code CODE\tthe postal code\n"
	  "--country COUNTRY\tthe country\n"
	  "example: voxcart address set --name \"Ada Lovelace\" --line1 \"12 Analytical Way\" "
	  "--city London --postal-code N1 --country GB" },
	{ "checkout",
	  "--card ID\tpay with this card (default: the default card, or the only one)\n"
	  "--yes\tdo not ask before charging (needed without a terminal)\n"
	  "example: voxcart checkout" },
	{ "orders",
	  "--limit N\tthis many orders (1-100, default 20)\n"
	  "--offset N\tskip this many\n"
	  "--card ID\t(pay) the card to pay a pending order with\n"
	  "example: voxcart orders show 12" },
	{ "chat",
	  "--conversation ID\tgo on with an earlier conversation\n"
	  "--speech\talso receive the buddy's speech (with --output)\n"
	  "--output FILE.wav\twrite the speech to this file\n"
	  "--json\tprint every server event as one JSON line\n"
	  "example: printf 'add two apples\\nshow my cart\\n' | voxcart chat" },
	{ "talk",
	  "--vad\thands-free: a pause ends your turn (no Enter)\n"
	  "--input FILE.wav\tspeak this file instead of the microphone\n"
	  "--output FILE.wav\twrite the answer here instead of playing it\n"
	  "--fast\tsend the file as fast as possible, not in real time\n"
	  "--no-aec\tno echo cancellation (headphones)\n"
	  "--conversation ID\tgo on with an earlier conversation\n"
	  "--json\tprint every server event as one JSON line\n"
	  "example: voxcart talk --input ask.wav --output answer.wav" },
	{ "listing",
	  "--title TITLE\tthe product's name (1-200 characters)\n"
	  "--price 12.99\tthe price in dollars\n"
	  "--stock N\thow many you have (0-1000000)\n"
	  "--category CATEGORY\twhere shoppers find it\n"
	  "--description TEXT\tup to 5000 characters\n"
	  "--tags a,b\tup to 20 words to be found by\n"
	  "--status active|archived\t(edit) withdraw or bring back a listing\n"
	  "--sku SKU\tyour own code for the listing; add with a sku you use updates that listing\n"
	  "--limit N\t(list) this many (1-100)\n"
	  "--offset N\t(list) skip this many\n"
	  "--dry-run\t(import) check every row, change nothing\n"
	  "FILE.csv\t(import) columns title,description,price,stock,category,tags,sku; a row\n"
	  "\tupdates your listing with its sku, or without one, with its exact title\n"
	  "example: voxcart listing add --title \"Cold Brew 1 L\" --price 11.50 --stock 40 "
	  "--category \"Coffee & Tea\"\n"
	  "example: voxcart listing import products.csv" },
	{ "sales",
	  "--all\tevery product low on stock (default: the lowest 10, then \"and N more\")\n"
	  "--limit N\t(orders) this many (1-100, default 20)\n"
	  "--offset N\t(orders) skip this many\n"
	  "example: voxcart sales orders" },
	{ "fulfil", "ORDER\tthe order whose items you shipped\nexample: voxcart fulfil 12" },
	{ "help", "example: voxcart help cart" },
	{ "completion",
	  "bash\ta bash completion script\n"
	  "zsh\ta zsh completion script (a #compdef file, or source it)\n"
	  "example: source <(voxcart completion bash)\n"
	  "example: voxcart completion zsh > ~/.zfunc/_voxcart" },
};

/* Prints a command's flag lines aligned, then its examples. */
static void print_details(const struct cmd_entry *cmd, FILE *f)
{
	const char *text = NULL;
	for (size_t i = 0; i < sizeof details / sizeof details[0]; i++)
		if (strcmp(details[i].cmd, cmd->name) == 0)
			text = details[i].text;
	if (!text)
		return;
	int w = 0, flags = 0;
	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\n"), key = strcspn(p, "\t");
		if (key < len) {
			flags = 1;
			if ((int)key > w)
				w = (int)key;
		}
		p += len + (p[len] ? 1 : 0);
	}
	if (w > 30)
		w = 30;
	int examples = 0;
	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\n"), key = strcspn(p, "\t");
		if (key < len) {
			if (flags == 1) {
				fprintf(f, "\n");
				flags = 2;
			}
			if ((int)key > w) /* too long to align: the text goes on the next line */
				fprintf(f, "  %.*s\n  %-*s  %.*s\n", (int)key, p, w, "",
					(int)(len - key - 1), p + key + 1);
			else
				fprintf(f, "  %-*.*s  %.*s\n", w, (int)key, p, (int)(len - key - 1),
					p + key + 1);
		} else if (strncmp(p, "example: ", 9) == 0) {
			fprintf(f, "%s  %.*s\n", examples++ ? "" : "\nExample:\n", (int)len - 9, p + 9);
		}
		p += len + (p[len] ? 1 : 0);
	}
}

static int exec_help(struct cli *cli, int argc, char **argv)
{
	if (argc < 2) {
		general_help(stdout);
		return CLI_OK;
	}
	int ambiguous;
	const struct cmd_entry *cmd = cmd_find(argv[1], &ambiguous);
	const char *near = cmd || ambiguous ? NULL : cmd_suggest(argv[1]);
	if (!cmd && near)
		return cli_error_exit(cli, CLI_USAGE, "usage",
				      "no such command \"%s\"; did you mean `%s`? (see: voxcart help)",
				      argv[1], near);
	if (!cmd)
		return cli_error_exit(cli, CLI_USAGE, "usage", "%s command \"%s\" (see: voxcart help)",
				      ambiguous ? "ambiguous" : "no such", argv[1]);
	cli_print_usage(cmd, argc > 2 ? argv[2] : NULL, stdout, "usage: ");
	if (cmd->alias)
		printf("alias: %s\n", cmd->alias);
	printf("\n%s\n", cmd->summary);
	print_details(cmd, stdout);
	printf("\nGlobal options (--server URL, --json, --quiet) go anywhere; more: man voxcart\n");
	return CLI_OK;
}

const struct cmd_entry cmd_help_entry = {
	"help", NULL, "[COMMAND [SUBCOMMAND]]", "show the commands, or how to use one", exec_help,
};
