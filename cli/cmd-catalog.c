/*
 * cmd-catalog.c - search, show, categories: browsing the catalog.  These need no login.
 *
 * Prices on the command line are money ("12.99", "$12"); the query string sends cents,
 * as the protocol wants.  A query of several words needs no quotes:
 * `voxcart search green tea --max-price 10`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "output.h"
#include "render.h"

static const char *const sort_orders[] = { "relevance", "price_asc", "price_desc", "newest" };

static int add_param(char **url, const char *key, const char *value)
{
	return rest_query_add(url, key, value);
}

static int exec_search(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "category", required_argument, NULL, 'c' },
		{ "min-price", required_argument, NULL, 'm' },
		{ "max-price", required_argument, NULL, 'M' },
		{ "sort", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'l' },
		{ "offset", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *category = NULL, *sort = NULL;
	int64_t min = -1, max = -1;
	long limit = 20, offset = 0;
	int c;
	while ((c = cli_getopt(cli, NULL, argc, argv, opts)) != -1) {
		switch (c) {
		case '?':
			return CLI_USAGE;
		case 'c':
			category = optarg;
			break;
		case 'm':
			if (cli_want_money(cli, NULL, "--min-price", optarg, &min) != CLI_OK)
				return CLI_USAGE;
			break;
		case 'M':
			if (cli_want_money(cli, NULL, "--max-price", optarg, &max) != CLI_OK)
				return CLI_USAGE;
			break;
		case 's':
			sort = optarg;
			break;
		case 'l':
			if (cli_parse_long(optarg, 1, 100, &limit) != 0)
				return cli_usage_error(cli, NULL, "--limit must be 1 to 100");
			break;
		case 'o':
			if (cli_parse_long(optarg, 0, 1000000000L, &offset) != 0)
				return cli_usage_error(cli, NULL, "--offset must be 0 or more");
			break;
		}
	}
	if (sort) {
		size_t i = 0;
		while (i < 4 && strcmp(sort, sort_orders[i]) != 0)
			i++;
		if (i == 4)
			return cli_usage_error(cli, NULL, "--sort must be relevance, price_asc, "
					       "price_desc or newest");
	}
	if (min >= 0 && max >= 0 && min > max)
		return cli_usage_error(cli, NULL, "--min-price is above --max-price");
	char *query = cli_join(argc - optind, argv + optind);
	char *url = strdup("/api/v1/products");
	char minb[32], maxb[32], limb[32], offb[32];
	snprintf(minb, sizeof minb, "%lld", (long long)min);
	snprintf(maxb, sizeof maxb, "%lld", (long long)max);
	snprintf(limb, sizeof limb, "%ld", limit);
	snprintf(offb, sizeof offb, "%ld", offset);
	int bad = !query || !url;
	bad = bad || (*query && add_param(&url, "q", query));
	bad = bad || (category && add_param(&url, "category", category));
	bad = bad || (min >= 0 && add_param(&url, "min_price", minb));
	bad = bad || (max >= 0 && add_param(&url, "max_price", maxb));
	bad = bad || (sort && add_param(&url, "sort", sort));
	bad = bad || add_param(&url, "limit", limb);
	bad = bad || (offset > 0 && add_param(&url, "offset", offb));
	struct rest_response resp = { 0 };
	int rc = bad ? cli_error(cli, "internal", "out of memory") :
		       cli_call(cli, 0, "GET", NULL, &resp, "%s", url);
	if (rc == CLI_OK && !cli->json) {
		char empty[300];
		snprintf(empty, sizeof empty, "No products match%s%.200s%s.", *query ? " \"" : "",
			 query, *query ? "\"" : "");
		render_products(resp.json, 0, empty);
	}
	rest_response_free(&resp);
	free(query);
	free(url);
	return rc;
}

static int exec_show(struct cli *cli, int argc, char **argv)
{
	int64_t id;
	if (cli_want_one_id(cli, NULL, "ID", argc - 1, argv + 1, &id) != CLI_OK)
		return CLI_USAGE;
	/* Logged in, a seller also sees their archived listings; anonymous otherwise. */
	struct rest *r = cli_rest(cli);
	if (!r)
		return CLI_USAGE;
	int auth = session_logged_in(cli_session(cli), rest_base_url(r));
	struct rest_response resp;
	int rc = cli_call(cli, auth, "GET", NULL, &resp, "/api/v1/products/%lld", (long long)id);
	if (rc == CLI_OK && !cli->json)
		render_product(resp.json);
	rest_response_free(&resp);
	return rc;
}

static void print_categories(const cJSON *items)
{
	if (cJSON_GetArraySize(items) == 0) {
		printf("No categories yet.\n");
		return;
	}
	const char *heads[] = { "CATEGORY", ">PRODUCTS" };
	struct out_table *t = out_table_new(2, heads);
	const cJSON *it;
	cJSON_ArrayForEach(it, items) {
		char n[24];
		snprintf(n, sizeof n, "%lld", (long long)json_int(it, "count"));
		const char *cells[] = { json_str(it, "name"), n };
		out_table_add(t, cells);
	}
	out_table_print(t, stdout);
}

static int exec_categories(struct cli *cli, int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return cli_usage_error(cli, NULL, "no arguments expected");
	struct rest_response resp;
	int rc = cli_call(cli, 0, "GET", NULL, &resp, "/api/v1/categories");
	if (rc == CLI_OK && !cli->json)
		print_categories(cJSON_GetObjectItemCaseSensitive(resp.json, "items"));
	rest_response_free(&resp);
	return rc;
}

const struct cmd_entry cmd_search_entry = {
	"search", "find",
	"[QUERY...] [--category CATEGORY] [--min-price 12.99] [--max-price 50] "
	"[--sort relevance|price_asc|price_desc|newest] [--limit N] [--offset N]",
	"search the catalog (all products, newest first, without a QUERY)",
	exec_search,
};

const struct cmd_entry cmd_show_entry = {
	"show", NULL, "ID", "show one product in full", exec_show,
};

const struct cmd_entry cmd_categories_entry = {
	"categories", NULL, "", "list the categories and how many products each has",
	exec_categories,
};
