/*
 * cmd-address.c - address [show] | set ...: the saved shipping address.
 *
 * It lives in the user's profile (PATCH /api/v1/me) and is where checkout ships unless
 * told otherwise; the buddy uses the same address.  `address set` replaces the whole
 * address, so a missing --line2 clears the old second line.
 */
#include <stdio.h>

#include "cli.h"
#include "render.h"

static int address_show(struct cli *cli, int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return cli_usage_error(cli, "show", "no arguments expected");
	struct rest_response resp;
	int rc = cli_do(cli, 1, "GET", "/api/v1/me", NULL, NULL, &resp);
	if (rc != CLI_OK)
		return rc;
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(resp.json, "shipping_address");
	if (cli->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "shipping_address",
				      cJSON_IsObject(a) ? cJSON_Duplicate(a, 1) : cJSON_CreateNull());
		cli_print_json(o);
		cJSON_Delete(o);
	} else if (cJSON_IsObject(a)) {
		render_address(a, "");
	} else {
		printf("No saved address (set one: voxcart address set --name ... --line1 ... "
		       "--city ... --postal-code ... --country ...).\n");
	}
	rest_response_free(&resp);
	return CLI_OK;
}

static int address_set(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 0 },
		{ "line1", required_argument, NULL, 1 },
		{ "line2", required_argument, NULL, 2 },
		{ "city", required_argument, NULL, 3 },
		{ "postal-code", required_argument, NULL, 4 },
		{ "country", required_argument, NULL, 5 },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const keys[6] = { "name", "line1", "line2", "city", "postal_code",
					     "country" };
	const char *v[6] = { 0 };
	int c;
	optind = 0;
	while ((c = cli_getopt(cli, "set", argc, argv, opts)) != -1) {
		if (c == '?')
			return CLI_USAGE;
		v[c] = optarg;
	}
	if (optind < argc)
		return cli_usage_error(cli, "set", "unexpected argument \"%s\" (quote values with "
				       "spaces)", argv[optind]);
	for (int i = 0; i < 6; i++)
		if (i != 2 && (!v[i] || !*v[i]))
			return cli_usage_error(cli, "set", "--%s is required", opts[i].name);
	cJSON *body = cJSON_CreateObject();
	cJSON *a = cJSON_AddObjectToObject(body, "shipping_address");
	for (int i = 0; i < 6; i++)
		if (v[i])
			cJSON_AddStringToObject(a, keys[i], v[i]);
	struct rest_response resp;
	int rc = cli_call(cli, 1, "PATCH", body, &resp, "/api/v1/me");
	cJSON_Delete(body);
	if (rc == CLI_OK && !cli->json && !cli->quiet) {
		printf("Shipping address saved:\n");
		render_address(cJSON_GetObjectItemCaseSensitive(resp.json, "shipping_address"), "  ");
	}
	rest_response_free(&resp);
	return rc;
}

static int exec_address(struct cli *cli, int argc, char **argv)
{
	static const struct cli_sub subs[] = { /* the first is the default */
		{ "show", address_show }, { "set", address_set }, { NULL, NULL },
	};
	return cli_run_sub(cli, argc, argv, subs);
}

const struct cmd_entry cmd_address_entry = {
	"address", NULL,
	"[show]\n"
	"set --name NAME --line1 STREET [--line2 MORE] --city CITY --postal-code CODE "
	"--country COUNTRY",
	"show or set the shipping address checkout uses",
	exec_address,
};
