/*
 * cmd-orders.c - orders [list] | show ID | pay ID [--card ID] | cancel ID.
 *
 * `orders pay` pays an order left pending (checkout without a card, or a declined
 * charge tried again); like checkout it sends an Idempotency-Key so a retried request
 * never charges twice.  `orders cancel` restores stock and refunds a paid order; the
 * server refuses once anything has shipped.
 */
#include <stdio.h>

#include "cli.h"
#include "render.h"

static int parse_paging(struct cli *cli, const char *sub, int argc, char **argv, long *limit,
			long *offset)
{
	static const struct option opts[] = {
		{ "limit", required_argument, NULL, 'l' },
		{ "offset", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	optind = 0;
	while ((c = cli_getopt(cli, sub, argc, argv, opts)) != -1) {
		if (c == '?')
			return CLI_USAGE;
		if (c == 'l' && cli_parse_long(optarg, 1, 100, limit) != 0)
			return cli_usage_error(cli, sub, "--limit must be 1 to 100");
		if (c == 'o' && cli_parse_long(optarg, 0, 1000000000L, offset) != 0)
			return cli_usage_error(cli, sub, "--offset must be 0 or more");
	}
	if (optind < argc)
		return cli_usage_error(cli, sub, "unexpected argument \"%s\"", argv[optind]);
	return CLI_OK;
}

static int orders_list(struct cli *cli, int argc, char **argv)
{
	long limit = 20, offset = 0;
	if (parse_paging(cli, "list", argc, argv, &limit, &offset) != CLI_OK)
		return CLI_USAGE;
	struct rest_response resp;
	int rc = cli_call(cli, 1, "GET", NULL, &resp, "/api/v1/orders?limit=%ld&offset=%ld", limit,
			  offset);
	if (rc == CLI_OK && !cli->json)
		render_orders(resp.json, "No orders yet.");
	rest_response_free(&resp);
	return rc;
}

/* show / cancel: one order id, one request, the order printed. */
static int order_action(struct cli *cli, int argc, char **argv, const char *method,
			const char *suffix)
{
	int64_t id;
	if (cli_want_one_id(cli, argv[0], "ID", argc - 1, argv + 1, &id) != CLI_OK)
		return CLI_USAGE;
	struct rest_response resp;
	int rc = cli_call(cli, 1, method, NULL, &resp, "/api/v1/orders/%lld%s", (long long)id, suffix);
	if (rc == CLI_OK && !cli->json) {
		if (*suffix)
			cli_say(cli, "Order #%lld cancelled%s.\n\n", (long long)id,
				cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(resp.json, "payment")) ?
				"; the payment is refunded" : "");
		if (!cli->quiet || !*suffix)
			render_order(resp.json);
	}
	rest_response_free(&resp);
	return rc;
}

static int orders_show(struct cli *cli, int argc, char **argv)
{
	return order_action(cli, argc, argv, "GET", "");
}

static int orders_cancel(struct cli *cli, int argc, char **argv)
{
	return order_action(cli, argc, argv, "POST", "/cancel");
}

static int orders_pay(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "card", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	int64_t id, wanted = 0, card;
	int c;
	optind = 0;
	while ((c = cli_getopt(cli, "pay", argc, argv, opts)) != -1) {
		if (c == '?')
			return CLI_USAGE;
		if (cli_want_id(cli, "pay", "--card", optarg, &wanted) != CLI_OK)
			return CLI_USAGE;
	}
	if (cli_want_one_id(cli, "pay", "ID", argc - optind, argv + optind, &id) != CLI_OK)
		return CLI_USAGE;
	char desc[96];
	int rc = cli_pick_card(cli, wanted, &card, desc, sizeof desc);
	if (rc != CLI_OK)
		return rc;
	char path[96], key[REST_IDEMPOTENCY_KEY_SIZE];
	snprintf(path, sizeof path, "/api/v1/orders/%lld/pay", (long long)id);
	cJSON *body = cJSON_CreateObject();
	cJSON_AddNumberToObject(body, "payment_method_id", (double)card);
	rest_new_idempotency_key(key);
	cli->hint_status = 402;
	cli->hint = "nothing was charged; the order still waits for payment";
	struct rest_response resp;
	rc = cli_do(cli, 1, "POST", path, body, key, &resp);
	cJSON_Delete(body);
	if (rc != CLI_OK)
		return rc;
	if (!cli_json_out(cli, &resp))
		cli_say(cli, "Order #%lld paid: %s charged to %s.\n", (long long)id,
			render_money(json_int(resp.json, "total_cents")), desc);
	rest_response_free(&resp);
	return CLI_OK;
}

static int exec_orders(struct cli *cli, int argc, char **argv)
{
	static const struct cli_sub subs[] = {
		{ "list", orders_list }, { "show", orders_show }, { "pay", orders_pay },
		{ "cancel", orders_cancel }, { NULL, NULL },
	};
	if (argc < 2 || argv[1][0] == '-')
		return orders_list(cli, argc, argv);
	const struct cli_sub *sub = cli_find_sub(subs, argv[1]);
	if (sub)
		return sub->exec(cli, argc - 1, argv + 1);
	int64_t id; /* "voxcart orders 12" reads as "orders show 12" */
	if (argc == 2 && cli_parse_id(argv[1], &id) == 0) {
		char *args[] = { "show", argv[1], NULL };
		return orders_show(cli, 2, args);
	}
	return cli_usage_error(cli, NULL, "unknown subcommand \"%s\"", argv[1]);
}

const struct cmd_entry cmd_orders_entry = {
	"orders", "order",
	"[list] [--limit N] [--offset N]\n"
	"show ID\n"
	"pay ID [--card ID]\n"
	"cancel ID",
	"your orders: list, show, pay a pending one, cancel",
	exec_orders,
};
