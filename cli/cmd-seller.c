/*
 * cmd-seller.c - sales [stats] | sales orders, and fulfil ORDER: the seller's side of
 * orders.
 *
 * `fulfil` marks only the caller's own items of an order shipped; the order as a
 * whole becomes "shipped" once every seller in it has shipped.  Deliberately no
 * confirmation: shipping is what a seller does all day, and it is not a payment.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "output.h"
#include "render.h"

/* Low-stock products shown by `sales` unless --all. */
#define LOW_STOCK_SHOWN 10

static void print_stats(const cJSON *s, int all)
{
	printf("Revenue     %s\n", render_money(json_int(s, "revenue_cents")));
	printf("Orders      %lld\n", (long long)json_int(s, "orders"));
	printf("Units sold  %lld\n", (long long)json_int(s, "units_sold"));
	const cJSON *top = cJSON_GetObjectItemCaseSensitive(s, "top_products"), *it;
	if (cJSON_GetArraySize(top) > 0) {
		printf("\nTop products:\n");
		const char *heads[] = { ">ID", "TITLE", ">UNITS", ">REVENUE" };
		struct out_table *t = out_table_new(4, heads);
		out_table_limit(t, 1, 48, 1);
		cJSON_ArrayForEach(it, top) {
			char id[24], units[24];
			snprintf(id, sizeof id, "%lld", (long long)json_int(it, "product_id"));
			snprintf(units, sizeof units, "%lld", (long long)json_int(it, "units"));
			const char *cells[] = { id, json_str(it, "title"), units,
						render_money(json_int(it, "revenue_cents")) };
			out_table_add(t, cells);
		}
		out_table_print(t, stdout);
	}
	const cJSON *low = cJSON_GetObjectItemCaseSensitive(s, "low_stock");
	int n = cJSON_GetArraySize(low);
	int64_t total = cJSON_GetObjectItemCaseSensitive(s, "low_stock_total") ?
			json_int(s, "low_stock_total") : n;
	if (n > 0) {
		printf("\nLow on stock (5 or fewer left):\n");
		cJSON *page = cJSON_CreateObject();
		cJSON *items = cJSON_AddArrayToObject(page, "items");
		const cJSON *it;
		int shown = 0;
		cJSON_ArrayForEach(it, low) {
			if (!all && shown == LOW_STOCK_SHOWN)
				break;
			cJSON_AddItemToArray(items, cJSON_Duplicate(it, 1));
			shown++;
		}
		render_products(page, 1, "");
		cJSON_Delete(page);
		if (total > shown)
			printf("... and %lld more%s\n", (long long)(total - shown),
			       all ? " (the server lists the lowest 100)" :
			       " (voxcart sales --all shows them)");
	}
}

static int sales_orders(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "limit", required_argument, NULL, 'l' },
		{ "offset", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	long limit = 20, offset = 0;
	int c;
	optind = 0;
	while ((c = cli_getopt(cli, "orders", argc, argv, opts)) != -1) {
		if (c == '?')
			return CLI_USAGE;
		long *dst = c == 'l' ? &limit : &offset;
		if (cli_parse_long(optarg, c == 'l' ? 1 : 0, c == 'l' ? 100 : 1000000000L, dst) != 0)
			return cli_usage_error(cli, "orders", "bad %s value",
					       c == 'l' ? "--limit (1..100)" : "--offset");
	}
	if (optind < argc)
		return cli_usage_error(cli, "orders", "unexpected argument \"%s\"", argv[optind]);
	struct rest_response resp;
	int rc = cli_call(cli, 1, "GET", NULL, &resp, "/api/v1/seller/orders?limit=%ld&offset=%ld",
			  limit, offset);
	if (rc == CLI_OK && !cli->json)
		render_orders(resp.json, "No orders for your products yet.");
	rest_response_free(&resp);
	return rc;
}

static int exec_sales(struct cli *cli, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "orders") == 0)
		return sales_orders(cli, argc - 1, argv + 1);
	int all = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--all") == 0)
			all = 1;
		else if (i != 1 || strcmp(argv[i], "stats") != 0)
			return cli_usage_error(cli, NULL, argv[i][0] == '-' ? "unknown option %s" :
					       "unknown subcommand \"%s\"", argv[i]);
	}
	struct rest_response resp;
	int rc = cli_call(cli, 1, "GET", NULL, &resp, "/api/v1/seller/stats");
	if (rc == CLI_OK && !cli->json)
		print_stats(resp.json, all);
	rest_response_free(&resp);
	return rc;
}

static int exec_fulfil(struct cli *cli, int argc, char **argv)
{
	int64_t id;
	if (cli_want_one_id(cli, NULL, "ORDER", argc - 1, argv + 1, &id) != CLI_OK)
		return CLI_USAGE;
	struct rest_response resp;
	int rc = cli_call(cli, 1, "POST", NULL, &resp, "/api/v1/seller/orders/%lld/ship",
			  (long long)id);
	if (rc == CLI_OK)
		cli_say(cli, "Your items in order #%lld are marked shipped; the order is now %s.\n",
			(long long)id, json_str(resp.json, "status"));
	rest_response_free(&resp);
	return rc;
}

const struct cmd_entry cmd_sales_entry = {
	"sales", "stats",
	"[stats] [--all]\n"
	"orders [--limit N] [--offset N]",
	"your sales figures, or the orders holding your products (sellers)",
	exec_sales,
};

const struct cmd_entry cmd_fulfil_entry = {
	"fulfil", "fulfill", "ORDER", "mark your items in an order shipped (sellers)", exec_fulfil,
};
