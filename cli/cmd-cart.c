/*
 * cmd-cart.c - cart [show] | add ID|QUERY [QTY] | set ID QTY | rm ID | clear.
 *
 * `cart add` takes a product id or words to search for: with words it adds the top
 * search hit and says which product that was, so "voxcart cart add oat milk 2" works
 * without looking the id up first.  A lone number is always an id; a trailing number
 * after words is the quantity.  After an ID only a QTY may follow, and a number-like
 * last word must be a valid QTY (1..1000): "add 88 -1" and "add 88 abc" are usage
 * errors, never searches.  Every change prints the cart's new total.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "output.h"
#include "render.h"

/* The end of every change: the cart's new total line (or, with --json, the cart the
 * server answered with, which cli_call() printed).  Frees resp. */
static int show_cart_line(struct cli *cli, struct rest_response *resp, int rc)
{
	if (rc == CLI_OK && !cli->json && !cli->quiet)
		render_cart_line(resp->json);
	rest_response_free(resp);
	return rc;
}

static int cart_show(struct cli *cli, int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return cli_usage_error(cli, "show", "no arguments expected");
	struct rest_response resp;
	int rc = cli_call(cli, 1, "GET", NULL, &resp, "/api/v1/cart");
	if (rc == CLI_OK && !cli->json)
		render_cart(resp.json);
	rest_response_free(&resp);
	return rc;
}

/* Finds the best match for query; CLI_OK with *id and the product (caller frees). */
static int find_product(struct cli *cli, const char *query, int64_t *id, cJSON **product)
{
	char *url = strdup("/api/v1/products");
	if (!url || rest_query_add(&url, "q", query) || rest_query_add(&url, "limit", "1")) {
		free(url);
		return cli_error(cli, "internal", "out of memory");
	}
	struct rest_response resp;
	int rc = cli_do(cli, 0, "GET", url, NULL, NULL, &resp);
	free(url);
	if (rc != CLI_OK)
		return rc;
	cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(resp.json, "items"), 0);
	if (!first) {
		rest_response_free(&resp);
		return cli_error(cli, "not_found", "nothing in the catalog matches \"%s\"", query);
	}
	*id = json_int(first, "id");
	*product = cJSON_Duplicate(first, 1);
	rest_response_free(&resp);
	return CLI_OK;
}

static int cart_add(struct cli *cli, int argc, char **argv)
{
	int nargs = argc - 1;
	char **args = argv + 1;
	long qty = 1;
	if (nargs < 1)
		return cli_usage_error(cli, "add", "missing ID or QUERY");
	int64_t id;
	if (nargs >= 2) {
		const char *last = args[nargs - 1];
		/* A number-like last word is meant as QTY, and after an ID only QTY may come:
		 * "88 -1", "88 abc" or "milk 2.5" are mistakes, not words to search for. */
		int numeric = last[strspn(last, "+-0123456789.,eE")] == '\0' &&
			      strpbrk(last, "0123456789") != NULL;
		int after_id = nargs == 2 && cli_parse_id(args[0], &id) == 0;
		if (numeric || after_id) {
			if (cli_parse_long(last, 1, 1000, &qty) != 0)
				return cli_usage_error(cli, "add",
						       "QTY must be a whole number from 1 to 1000, not \"%s\"",
						       last);
			nargs--;
		}
	}
	cJSON *product = NULL;
	int rc = CLI_OK;
	if (nargs == 1 && cli_parse_id(args[0], &id) == 0) {
		/* an id */
	} else {
		char *query = cli_join(nargs, args);
		if (!query)
			return cli_error(cli, "internal", "out of memory");
		rc = find_product(cli, query, &id, &product);
		free(query);
		if (rc != CLI_OK)
			return rc;
	}
	cJSON *body = cJSON_CreateObject();
	cJSON_AddNumberToObject(body, "product_id", (double)id);
	cJSON_AddNumberToObject(body, "quantity", (double)qty);
	struct rest_response resp;
	rc = cli_call(cli, 1, "POST", body, &resp, "/api/v1/cart/items");
	cJSON_Delete(body);
	if (rc == CLI_OK && !cli->json && !cli->quiet) {
		/* Name the product from the cart line, which the server just wrote. */
		const cJSON *it, *line = NULL;
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(resp.json, "items"))
			if (json_int(it, "product_id") == id)
				line = it;
		printf("Added %ld x ", qty);
		out_text(stdout, line ? json_str(line, "title") : json_str(product, "title"), 0);
		printf(" (#%lld, %s each)%s\n", (long long)id,
		       render_money(line ? json_int(line, "unit_price_cents") :
				    json_int(product, "price_cents")),
		       product ? ", the best match" : "");
	}
	cJSON_Delete(product);
	return show_cart_line(cli, &resp, rc);
}

static int cart_set(struct cli *cli, int argc, char **argv)
{
	int64_t id;
	long qty;
	if (argc != 3)
		return cli_usage_error(cli, "set", argc < 3 ? "missing ID or QTY" : "too many arguments");
	if (cli_want_id(cli, "set", "ID", argv[1], &id) != CLI_OK)
		return CLI_USAGE;
	if (cli_parse_long(argv[2], 0, 1000, &qty) != 0)
		return cli_usage_error(cli, "set", "QTY must be 0 (remove) to 1000");
	cJSON *body = cJSON_CreateObject();
	cJSON_AddNumberToObject(body, "quantity", (double)qty);
	struct rest_response resp;
	int rc = cli_call(cli, 1, "PUT", body, &resp, "/api/v1/cart/items/%lld", (long long)id);
	cJSON_Delete(body);
	if (rc == CLI_OK && qty == 0)
		cli_say(cli, "Removed #%lld from your cart.\n", (long long)id);
	else if (rc == CLI_OK)
		cli_say(cli, "Quantity of #%lld set to %ld.\n", (long long)id, qty);
	return show_cart_line(cli, &resp, rc);
}

static int cart_rm(struct cli *cli, int argc, char **argv)
{
	int64_t id;
	if (cli_want_one_id(cli, "rm", "ID", argc - 1, argv + 1, &id) != CLI_OK)
		return CLI_USAGE;
	struct rest_response resp;
	int rc = cli_call(cli, 1, "DELETE", NULL, &resp, "/api/v1/cart/items/%lld", (long long)id);
	if (rc == CLI_OK)
		cli_say(cli, "Removed #%lld from your cart.\n", (long long)id);
	return show_cart_line(cli, &resp, rc);
}

static int cart_clear(struct cli *cli, int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return cli_usage_error(cli, "clear", "no arguments expected");
	int rc = cli_call(cli, 1, "DELETE", NULL, NULL, "/api/v1/cart");
	if (rc == CLI_OK)
		cli_say(cli, "Emptied your cart.\n");
	return rc;
}

static int exec_cart(struct cli *cli, int argc, char **argv)
{
	static const struct cli_sub subs[] = { /* the first is the default */
		{ "show", cart_show }, { "add", cart_add }, { "set", cart_set },
		{ "rm", cart_rm }, { "clear", cart_clear }, { NULL, NULL },
	};
	return cli_run_sub(cli, argc, argv, subs);
}

const struct cmd_entry cmd_cart_entry = {
	"cart", NULL,
	"[show]\n"
	"add ID|QUERY [QTY]\n"
	"set ID QTY\n"
	"rm ID\n"
	"clear",
	"show your cart, add to it (by id or by search), change or remove lines",
	exec_cart,
};
