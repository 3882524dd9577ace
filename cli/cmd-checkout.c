/*
 * cmd-checkout.c - checkout [--card ID] [--yes]: turn the cart into a paid order.
 *
 * It shows what will be bought, where it goes and what will be charged, and asks
 * before it charges.  Without a terminal to ask on it refuses unless --yes is given:
 * a script must say so explicitly.  The order is sent with an Idempotency-Key, so if
 * the answer is lost the request is repeated safely and the card is charged once.
 * What was charged is what the server's order says, not the cart shown before.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "output.h"
#include "render.h"

/* Shows the cart, the address and the card; CLI_OK when checkout can go on. */
static int preview(struct cli *cli, const char *card_desc)
{
	struct rest_response cart, me;
	int rc = cli_do(cli, 1, "GET", "/api/v1/cart", NULL, NULL, &cart);
	if (rc != CLI_OK)
		return rc;
	if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(cart.json, "items")) == 0) {
		rest_response_free(&cart);
		return cli_error(cli, "validation_failed", "your cart is empty");
	}
	rc = cli_do(cli, 1, "GET", "/api/v1/me", NULL, NULL, &me);
	if (rc != CLI_OK) {
		rest_response_free(&cart);
		return rc;
	}
	const cJSON *addr = cJSON_GetObjectItemCaseSensitive(me.json, "shipping_address");
	if (!cJSON_IsObject(addr)) {
		rc = cli_error(cli, "validation_failed", "no shipping address: set one first with "
			       "voxcart address set --name ... --line1 ... --city ... "
			       "--postal-code ... --country ...");
	} else if (!cli->json && !cli->quiet) {
		render_cart(cart.json);
		printf("\nShip to:\n");
		render_address(addr, "  ");
		printf("Pay with: %s\n", card_desc);
		printf("Total: %s\n\n", render_money(json_int(cart.json, "subtotal_cents")));
	}
	rest_response_free(&cart);
	rest_response_free(&me);
	return rc;
}

static int exec_checkout(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "card", required_argument, NULL, 'c' },
		{ "yes", no_argument, NULL, 'y' },
		{ NULL, 0, NULL, 0 },
	};
	int64_t wanted = 0, card = 0;
	int yes = 0, c;
	while ((c = cli_getopt(cli, NULL, argc, argv, opts)) != -1) {
		if (c == '?')
			return CLI_USAGE;
		if (c == 'y')
			yes = 1;
		else if (cli_want_id(cli, NULL, "--card", optarg, &wanted) != CLI_OK)
			return CLI_USAGE;
	}
	if (optind < argc)
		return cli_usage_error(cli, NULL, "unexpected argument \"%s\"", argv[optind]);
	if (!yes && !cli->stdin_tty)
		return cli_usage_error(cli, NULL, "stdin is not a terminal, so there is no one to ask: "
				       "add --yes to place the order and charge the card");
	char card_desc[96];
	int rc = cli_pick_card(cli, wanted, &card, card_desc, sizeof card_desc);
	if (rc == CLI_OK)
		rc = preview(cli, card_desc);
	if (rc != CLI_OK)
		return rc;
	if (!yes) {
		char q[160];
		snprintf(q, sizeof q, "Place the order and charge %s?", card_desc);
		if (!cli_confirm(cli, q))
			return cli_error(cli, "cancelled", "checkout cancelled; nothing was ordered or "
					 "charged");
	}
	cJSON *body = cJSON_CreateObject();
	cJSON_AddNumberToObject(body, "payment_method_id", (double)card);
	char key[REST_IDEMPOTENCY_KEY_SIZE];
	rest_new_idempotency_key(key);
	cli->hint_status = 402;
	cli->hint = "nothing was charged and your cart is unchanged";
	struct rest_response resp;
	rc = cli_do(cli, 1, "POST", "/api/v1/orders", body, key, &resp);
	cJSON_Delete(body);
	if (rc != CLI_OK)
		return rc;
	if (!cli_json_out(cli, &resp) && !cli->quiet) {
		const cJSON *o = resp.json;
		if (strcmp(json_str(o, "status"), "paid") == 0)
			printf("Order #%lld placed: %s charged to %s.\n", (long long)json_int(o, "id"),
			       render_money(json_int(o, "total_cents")), card_desc);
		else
			printf("Order #%lld placed (%s).\n", (long long)json_int(o, "id"),
			       json_str(o, "status"));
		printf("\n");
		render_order(o);
	}
	rest_response_free(&resp);
	return CLI_OK;
}

const struct cmd_entry cmd_checkout_entry = {
	"checkout", NULL, "[--card ID] [--yes]",
	"order what is in the cart and pay (asks first; --yes to skip the question)",
	exec_checkout,
};
