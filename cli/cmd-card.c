/*
 * cmd-card.c - card add | list | rm ID | default ID: saved payment cards.
 *
 * The card number and CVC go to the server once, in `card add`, and are never
 * written anywhere here.  Prompting is preferred to flags: --number and --cvc on the
 * command line are visible to other users in `ps` and stay in shell history (the man
 * page says so).  The number is checked with the Luhn digit before it is sent, so a
 * typo is caught with a precise message.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "output.h"

/* Digits of a card number with blanks and dashes dropped; -1 when anything else. */
static int clean_number(const char *in, char *out, size_t len)
{
	size_t n = 0;
	for (; *in; in++) {
		if (*in == ' ' || *in == '-')
			continue;
		if (!isdigit((unsigned char)*in) || n + 1 >= len)
			return -1;
		out[n++] = *in;
	}
	out[n] = '\0';
	return n >= 12 && n <= 19 ? 0 : -1;
}

static int luhn_ok(const char *digits)
{
	int sum = 0, dbl = 0;
	for (size_t i = strlen(digits); i-- > 0;) {
		int d = digits[i] - '0';
		if (dbl && (d *= 2) > 9)
			d -= 9;
		sum += d;
		dbl = !dbl;
	}
	return sum % 10 == 0;
}

/* "MM/YY", "MM/YYYY" (also with '-'). */
static int parse_expiry(const char *s, int *month, int *year)
{
	char *end;
	long m = strtol(s, &end, 10);
	if (end == s || (*end != '/' && *end != '-') || m < 1 || m > 12)
		return -1;
	const char *ys = end + 1;
	long y = strtol(ys, &end, 10);
	size_t ylen = (size_t)(end - ys);
	if (*end || !isdigit((unsigned char)*ys) || (ylen != 2 && ylen != 4))
		return -1;
	if (ylen == 2)
		y += 2000;
	*month = (int)m;
	*year = (int)y;
	return 0;
}

/* "visa" -> "Visa"; cleaned of control characters by the caller's printing. */
static void brand_name(const char *brand, char *out, size_t len)
{
	snprintf(out, len, "%s", *brand ? brand : "card");
	if (strcmp(out, "amex") == 0)
		snprintf(out, len, "American Express");
	else
		out[0] = (char)toupper((unsigned char)out[0]);
}

static void describe(const cJSON *card, char *out, size_t len)
{
	char brand[64];
	brand_name(json_str(card, "brand"), brand, sizeof brand);
	snprintf(out, len, "%s ending %.4s", brand, json_str(card, "last4"));
	out_scrub(out, 0);
}

/* Asks for a value that was not given as a flag. */
static int ask(struct cli *cli, const char *prompt, int secret, const char *given, char *buf,
	       size_t len)
{
	if (given) {
		snprintf(buf, len, "%s", given);
		return 0;
	}
	return cli_read_line(cli, prompt, secret, buf, len);
}

static int card_add(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "number", required_argument, NULL, 'n' },
		{ "exp", required_argument, NULL, 'e' },
		{ "cvc", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *number_flag = NULL, *exp_flag = NULL, *cvc_flag = NULL;
	int c;
	optind = 0;
	while ((c = cli_getopt(cli, "add", argc, argv, opts)) != -1) {
		if (c == '?')
			return CLI_USAGE;
		if (c == 'n')
			number_flag = optarg;
		else if (c == 'e')
			exp_flag = optarg;
		else
			cvc_flag = optarg;
	}
	if (optind < argc)
		return cli_usage_error(cli, "add", "unexpected argument \"%s\"", argv[optind]);
	if (!cli_rest(cli))
		return CLI_USAGE;
	char raw[64], number[24], exp[16], cvc[8];
	int month = 0, year = 0, rc = CLI_OK;
	if (ask(cli, "Card number: ", 0, number_flag, raw, sizeof raw) != 0)
		rc = cli_usage_error(cli, "add", "no card number given");
	else if (clean_number(raw, number, sizeof number) != 0)
		rc = cli_usage_error(cli, "add", "a card number has 12 to 19 digits");
	else if (!luhn_ok(number))
		rc = cli_usage_error(cli, "add", "that card number fails its check digit (a typo?)");
	else if (ask(cli, "Expires (MM/YY): ", 0, exp_flag, exp, sizeof exp) != 0 ||
		 parse_expiry(exp, &month, &year) != 0)
		rc = cli_usage_error(cli, "add", "the expiry date must look like 08/27");
	else if (ask(cli, "CVC: ", 1, cvc_flag, cvc, sizeof cvc) != 0 ||
		 strlen(cvc) < 3 || strlen(cvc) > 4 || strspn(cvc, "0123456789") != strlen(cvc))
		rc = cli_usage_error(cli, "add", "the CVC is 3 or 4 digits");
	explicit_bzero(raw, sizeof raw);
	if (rc != CLI_OK) {
		explicit_bzero(number, sizeof number);
		explicit_bzero(cvc, sizeof cvc);
		return rc;
	}
	cJSON *body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "card_number", number);
	cJSON_AddNumberToObject(body, "exp_month", month);
	cJSON_AddNumberToObject(body, "exp_year", year);
	cJSON_AddStringToObject(body, "cvc", cvc);
	explicit_bzero(number, sizeof number);
	explicit_bzero(cvc, sizeof cvc);
	struct rest_response resp;
	rc = cli_call(cli, 1, "POST", body, &resp, "/api/v1/payment-methods");
	cli_jwipe(body, "card_number");
	cli_jwipe(body, "cvc");
	cJSON_Delete(body);
	if (rc == CLI_OK && !cli->json) {
		char d[96];
		describe(resp.json, d, sizeof d);
		cli_say(cli, "Added %s, expires %02lld/%02lld, as card #%lld%s\n", d,
			(long long)json_int(resp.json, "exp_month"),
			(long long)json_int(resp.json, "exp_year") % 100,
			(long long)json_int(resp.json, "id"),
			json_bool(resp.json, "is_default") ? " (your default)" : "");
	}
	rest_response_free(&resp);
	return rc;
}

static void print_cards(const cJSON *items)
{
	if (cJSON_GetArraySize(items) == 0) {
		printf("No saved cards (add one: voxcart card add).\n");
		return;
	}
	const char *heads[] = { ">ID", "CARD", "EXPIRES", "DEFAULT" };
	struct out_table *t = out_table_new(4, heads);
	const cJSON *it;
	cJSON_ArrayForEach(it, items) {
		char id[24], d[96], exp[16];
		snprintf(id, sizeof id, "%lld", (long long)json_int(it, "id"));
		describe(it, d, sizeof d);
		snprintf(exp, sizeof exp, "%02lld/%02lld", (long long)json_int(it, "exp_month"),
			 (long long)json_int(it, "exp_year") % 100);
		const char *cells[] = { id, d, exp, json_bool(it, "is_default") ? "*" : "" };
		out_table_add(t, cells);
	}
	out_table_print(t, stdout);
}

static int card_list(struct cli *cli, int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return cli_usage_error(cli, "list", "no arguments expected");
	struct rest_response resp;
	int rc = cli_call(cli, 1, "GET", NULL, &resp, "/api/v1/payment-methods");
	if (rc == CLI_OK && !cli->json)
		print_cards(cJSON_GetObjectItemCaseSensitive(resp.json, "items"));
	rest_response_free(&resp);
	return rc;
}

static int card_rm(struct cli *cli, int argc, char **argv)
{
	int64_t id;
	if (cli_want_one_id(cli, "rm", "ID", argc - 1, argv + 1, &id) != CLI_OK)
		return CLI_USAGE;
	int rc = cli_call(cli, 1, "DELETE", NULL, NULL, "/api/v1/payment-methods/%lld", (long long)id);
	if (rc == CLI_OK)
		cli_say(cli, "Removed card #%lld.\n", (long long)id);
	return rc;
}

/* Needs PATCH /api/v1/payment-methods/{id} {"is_default":true}, an addition to
 * protocol v1; a server without it answers 405 (or 404), and we say so. */
static int card_default(struct cli *cli, int argc, char **argv)
{
	int64_t id;
	if (cli_want_one_id(cli, "default", "ID", argc - 1, argv + 1, &id) != CLI_OK)
		return CLI_USAGE;
	cJSON *body = cJSON_CreateObject();
	cJSON_AddTrueToObject(body, "is_default");
	cli->hint_status = 405;
	cli->hint = "this server cannot change the default card";
	struct rest_response resp;
	int rc = cli_call(cli, 1, "PATCH", body, &resp, "/api/v1/payment-methods/%lld", (long long)id);
	cJSON_Delete(body);
	if (rc == CLI_OK && !cli->json) {
		char d[96];
		describe(resp.json, d, sizeof d);
		cli_say(cli, "Card #%lld (%s) is now your default.\n", (long long)id, d);
	}
	rest_response_free(&resp);
	return rc;
}

int cli_pick_card(struct cli *cli, int64_t wanted, int64_t *id, char *desc, size_t desclen)
{
	struct rest_response resp;
	int rc = cli_do(cli, 1, "GET", "/api/v1/payment-methods", NULL, NULL, &resp);
	if (rc != CLI_OK)
		return rc;
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(resp.json, "items"), *it;
	const cJSON *pick = NULL;
	int count = cJSON_GetArraySize(items);
	cJSON_ArrayForEach(it, items) {
		if (wanted > 0 ? json_int(it, "id") == wanted : json_bool(it, "is_default"))
			pick = it;
	}
	if (!pick && wanted == 0 && count == 1)
		pick = cJSON_GetArrayItem(items, 0);
	if (pick) {
		*id = json_int(pick, "id");
		describe(pick, desc, desclen);
	} else if (wanted > 0) {
		rc = cli_error(cli, "not_found", "you have no card #%lld (see: voxcart card list)",
			       (long long)wanted);
	} else if (count == 0) {
		rc = cli_error(cli, "no_card", "no saved card to pay with (add one: voxcart card add)");
	} else {
		rc = cli_error(cli, "no_card", "you have %d cards and no default: choose one with "
			       "--card ID (see: voxcart card list)", count);
	}
	rest_response_free(&resp);
	return rc;
}

static int exec_card(struct cli *cli, int argc, char **argv)
{
	static const struct cli_sub subs[] = { /* the first is the default */
		{ "list", card_list }, { "add", card_add }, { "rm", card_rm },
		{ "default", card_default }, { NULL, NULL },
	};
	return cli_run_sub(cli, argc, argv, subs);
}

const struct cmd_entry cmd_card_entry = {
	"card", "cards",
	"add [--number NUMBER] [--exp MM/YY] [--cvc CVC]\n"
	"[list]\n"
	"rm ID\n"
	"default ID",
	"save payment cards (number, expiry and CVC are prompted for), list, remove them",
	exec_card,
};
