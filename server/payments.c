/*
 * payments.c - the sandbox payment provider and the saved-card endpoints (payments.h).
 *
 * Invariants:
 * - The card number and CVC live only in the request body and in tokenize()'s stack;
 *   the database keeps provider, token, brand, last4 and expiry.  Nothing here logs a
 *   card field.
 * - A user with at least one card has exactly one default card: the first card
 *   becomes the default, deleting the default promotes the newest remaining card, and
 *   PATCH {"is_default":true} moves the mark (all inside one transaction).
 * - DELETE is a soft delete (deleted = 1): old orders keep pointing at the row.
 */
#include "payments.h"
#include "api.h"
#include "handlers.h"
#include "log.h"
#include "store/store.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* ---- card helpers -------------------------------------------------------------- */

int payments_card_digits(const char *in, char *out, size_t outlen)
{
	size_t n = 0;
	if (!in)
		return -1;
	for (const char *p = in; *p; p++) {
		if (*p == ' ' || *p == '-')
			continue;
		if (*p < '0' || *p > '9' || n + 1 >= outlen)
			return -1;
		out[n++] = *p;
	}
	out[n] = '\0';
	return n >= 12 && n <= 19 ? 0 : -1;
}

int payments_luhn_ok(const char *digits)
{
	size_t n = strlen(digits);
	int sum = 0;
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int d = digits[n - 1 - i] - '0';
		if (d < 0 || d > 9)
			return 0;
		if (i % 2 == 1) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return sum % 10 == 0;
}

/* The number's first `len` digits as an integer (0 when it is shorter). */
static long prefix(const char *digits, size_t len)
{
	long v = 0;
	if (strlen(digits) < len)
		return 0;
	for (size_t i = 0; i < len; i++)
		v = v * 10 + (digits[i] - '0');
	return v;
}

const char *payments_brand(const char *d)
{
	long p2 = prefix(d, 2), p3 = prefix(d, 3), p4 = prefix(d, 4), p6 = prefix(d, 6);
	if (d[0] == '4')
		return "visa";
	if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720))
		return "mastercard";
	if (p2 == 34 || p2 == 37)
		return "amex";
	if (p4 == 6011 || p2 == 65 || (p3 >= 644 && p3 <= 649) || (p6 >= 622126 && p6 <= 622925))
		return "discover";
	if (p4 >= 3528 && p4 <= 3589)
		return "jcb";
	if ((p3 >= 300 && p3 <= 305) || p2 == 36 || p2 == 38 || p2 == 39)
		return "diners";
	return "unknown";
}

int64_t payments_full_year(int64_t year)
{
	return year >= 0 && year < 100 ? 2000 + year : year;
}

static void utc_month(int64_t now, int *year, int *month)
{
	time_t t = (time_t)now;
	struct tm tm;
	gmtime_r(&t, &tm);
	*year = tm.tm_year + 1900;
	*month = tm.tm_mon + 1;
}

int payments_expired(int64_t exp_month, int64_t exp_year, int64_t now)
{
	int year, month;
	utc_month(now, &year, &month);
	exp_year = payments_full_year(exp_year);
	return exp_year < year || (exp_year == year && exp_month < month);
}

/* ---- the sandbox provider -------------------------------------------------------- */

static void random_hex(char *out, size_t bytes)
{
	unsigned char raw[16];
	if (bytes > sizeof raw)
		bytes = sizeof raw;
	randombytes_buf(raw, bytes);
	sodium_bin2hex(out, bytes * 2 + 1, raw, bytes);
}

static int sandbox_tokenize(const char *number, int64_t exp_month, int64_t exp_year,
			    const char *cvc, int64_t now, struct payment_card *card, char *field,
			    size_t fieldlen, char *msg, size_t msglen)
{
	char digits[24];
	int year, month;
	utc_month(now, &year, &month);
	exp_year = payments_full_year(exp_year);
#define FAIL(f, ...)                                   \
	do {                                           \
		snprintf(field, fieldlen, "%s", f);    \
		snprintf(msg, msglen, __VA_ARGS__);    \
		sodium_memzero(digits, sizeof digits); \
		return -1;                             \
	} while (0)
	if (payments_card_digits(number, digits, sizeof digits) != 0)
		FAIL("card_number", "The card number must be 12 to 19 digits (spaces and dashes are fine).");
	if (!payments_luhn_ok(digits))
		FAIL("card_number", "That card number is not valid; please check the digits.");
	if (exp_month < 1 || exp_month > 12)
		FAIL("exp_month", "exp_month must be from 1 to 12.");
	if (exp_year < year || exp_year > year + 20)
		FAIL("exp_year", exp_year < year ? "The card has expired." :
			"exp_year must be within 20 years from now.");
	if (payments_expired(exp_month, exp_year, now))
		FAIL("exp_month", "The card has expired.");
	size_t cl = cvc ? strlen(cvc) : 0;
	if (cl < 3 || cl > 4 || strspn(cvc, "0123456789") != cl)
		FAIL("cvc", "cvc must be 3 or 4 digits.");
#undef FAIL
	const char *outcome = "ok";
	if (strcmp(digits, "4000000000000002") == 0)
		outcome = "declined";
	else if (strcmp(digits, "4000000000009995") == 0)
		outcome = "nofunds";
	memset(card, 0, sizeof *card);
	snprintf(card->provider, sizeof card->provider, "sandbox");
	snprintf(card->brand, sizeof card->brand, "%s", payments_brand(digits));
	snprintf(card->last4, sizeof card->last4, "%s", digits + strlen(digits) - 4);
	card->exp_month = (int)exp_month;
	card->exp_year = (int)exp_year;
	char rnd[33];
	random_hex(rnd, 8);
	snprintf(card->token, sizeof card->token, "sb_%s_%s", outcome, rnd);
	sodium_memzero(digits, sizeof digits);
	return 0;
}

static int sandbox_charge(const struct payment_card *card, int64_t amount_cents,
			  const char *currency, int64_t now, struct payment_result *res)
{
	(void)currency;
	memset(res, 0, sizeof *res);
	if (amount_cents < 0 || strncmp(card->token, "sb_", 3) != 0) {
		snprintf(res->message, sizeof res->message, "The sandbox does not know this card.");
		return -1;
	}
	if (payments_expired(card->exp_month, card->exp_year, now)) {
		snprintf(res->code, sizeof res->code, "expired_card");
		snprintf(res->message, sizeof res->message, "Your card has expired.");
		return 1;
	}
	if (strncmp(card->token, "sb_declined_", 12) == 0) {
		snprintf(res->code, sizeof res->code, "card_declined");
		snprintf(res->message, sizeof res->message, "Your card was declined (card_declined).");
		return 1;
	}
	if (strncmp(card->token, "sb_nofunds_", 11) == 0) {
		snprintf(res->code, sizeof res->code, "insufficient_funds");
		snprintf(res->message, sizeof res->message,
			 "Your card has insufficient funds (insufficient_funds).");
		return 1;
	}
	char rnd[33];
	random_hex(rnd, 12);
	snprintf(res->ref, sizeof res->ref, "ch_sb_%s", rnd);
	return 0;
}

static int sandbox_refund(const char *charge_ref, int64_t amount_cents, struct payment_result *res)
{
	memset(res, 0, sizeof *res);
	if (!charge_ref || strncmp(charge_ref, "ch_sb_", 6) != 0 || amount_cents < 0) {
		snprintf(res->message, sizeof res->message, "The sandbox knows no such charge.");
		return -1;
	}
	char rnd[33];
	random_hex(rnd, 12);
	snprintf(res->ref, sizeof res->ref, "re_sb_%s", rnd);
	return 0;
}

static const struct payment_provider sandbox = {
	.name = "sandbox",
	.tokenize = sandbox_tokenize,
	.charge = sandbox_charge,
	.refund = sandbox_refund,
};

const struct payment_provider *payments_provider(const char *name)
{
	if (!name || strcmp(name, sandbox.name) == 0)
		return &sandbox;
	return NULL;
}

int payments_charge(const struct payment_card *card, int64_t amount_cents, const char *currency,
		    struct payment_charge *charge, char *msg, size_t msglen)
{
	const struct payment_provider *prov = payments_provider(card->provider);
	struct payment_result res;
	memset(charge, 0, sizeof *charge);
	if (!prov) {
		log_error("payments", "card %lld: unknown provider %s", (long long)card->id,
			  card->provider);
		snprintf(msg, msglen, "This card's payment provider is not available.");
		return 500;
	}
	int rc = prov->charge(card, amount_cents, currency, store_now(), &res);
	if (rc == 1) {
		log_info("payments", "card %lld (%s): %lld cents declined, %s", (long long)card->id,
			 card->brand, (long long)amount_cents, res.code);
		snprintf(msg, msglen, "%s", res.message);
		return 402;
	}
	if (rc != 0) {
		log_error("payments", "%s charge failed: %s", prov->name, res.message);
		snprintf(msg, msglen, "The payment provider did not answer.");
		return 500;
	}
	snprintf(charge->provider, sizeof charge->provider, "%s", prov->name);
	snprintf(charge->ref, sizeof charge->ref, "%s", res.ref);
	charge->amount = amount_cents;
	return 0;
}

int payments_refund(struct payment_charge *charge)
{
	if (!charge->ref[0])
		return 0;
	const struct payment_provider *prov = payments_provider(charge->provider);
	struct payment_result res;
	if (!prov || prov->refund(charge->ref, charge->amount, &res) != 0) {
		log_error("payments", "refund of charge %s failed: %s", charge->ref,
			  prov ? res.message : "unknown provider");
		return -1;
	}
	log_info("payments", "refunded charge %s (%lld cents)", charge->ref, (long long)charge->amount);
	charge->ref[0] = '\0';
	return 0;
}

/* ---- saved cards ------------------------------------------------------------------ */

static cJSON *card_json_of(const struct store_card *sc)
{
	cJSON *c = cJSON_CreateObject();
	cJSON_AddNumberToObject(c, "id", (double)sc->id);
	cJSON_AddStringToObject(c, "brand", sc->brand);
	cJSON_AddStringToObject(c, "last4", sc->last4);
	cJSON_AddNumberToObject(c, "exp_month", sc->exp_month);
	cJSON_AddNumberToObject(c, "exp_year", sc->exp_year);
	cJSON_AddBoolToObject(c, "is_default", sc->is_default);
	return c;
}

/* PaymentMethod JSON of the user's live card id, or NULL. */
static cJSON *card_json(struct store *store, int64_t user_id, int64_t id)
{
	struct store_card sc;
	if (store_card_get(store, user_id, id, &sc) != STORE_OK)
		return NULL;
	cJSON *c = card_json_of(&sc);
	sodium_memzero(&sc, sizeof sc);
	return c;
}

cJSON *payments_list_json(struct store *store, int64_t user_id)
{
	struct store_cards l;
	if (store_cards_list(store, user_id, &l) != STORE_OK)
		return NULL;
	cJSON *items = cJSON_CreateArray();
	for (size_t i = 0; i < l.count; i++)
		cJSON_AddItemToArray(items, card_json_of(&l.items[i]));
	store_cards_free(&l);
	cJSON *out = cJSON_CreateObject();
	cJSON_AddItemToObject(out, "items", items);
	/* where a new card would go: a client shows the sandbox's test numbers */
	cJSON_AddStringToObject(out, "provider", payments_provider(NULL)->name);
	return out;
}

int payments_method_get(struct store *store, int64_t user_id, int64_t id, struct payment_card *card)
{
	struct store_card sc;
	int rc = store_card_get(store, user_id, id, &sc);
	if (rc == STORE_OK) {
		memset(card, 0, sizeof *card);
		card->id = sc.id;
		snprintf(card->brand, sizeof card->brand, "%s", sc.brand);
		snprintf(card->last4, sizeof card->last4, "%s", sc.last4);
		card->exp_month = sc.exp_month;
		card->exp_year = sc.exp_year;
		snprintf(card->provider, sizeof card->provider, "%s", sc.provider);
		snprintf(card->token, sizeof card->token, "%s", sc.token);
		sodium_memzero(&sc, sizeof sc);
	}
	return rc == STORE_OK ? 0 : rc == STORE_NOT_FOUND ? 1 : -1;
}

int64_t payments_default_id(struct store *store, int64_t user_id)
{
	int64_t id = 0;
	return store_card_default(store, user_id, &id) == STORE_OK ? id : 0;
}

int64_t payments_insert_card(struct store *store, int64_t user_id, const struct payment_card *c)
{
	struct store_card sc = { 0 };
	snprintf(sc.provider, sizeof sc.provider, "%s", c->provider);
	snprintf(sc.brand, sizeof sc.brand, "%s", c->brand);
	snprintf(sc.last4, sizeof sc.last4, "%s", c->last4);
	sc.exp_month = c->exp_month;
	sc.exp_year = c->exp_year;
	snprintf(sc.token, sizeof sc.token, "%s", c->token);
	int64_t id = -1;
	int rc = store_card_insert(store, user_id, &sc, store_now(), &id);
	sodium_memzero(&sc, sizeof sc);
	return rc == STORE_OK ? id : -1;
}

HANDLER(h_cards_create)
{
	const char *number, *cvc;
	int64_t month, year;
	if (api_field_string(req->json, resp, "card_number", 1, 1, 64, &number) ||
	    api_field_int(req->json, resp, "exp_month", 1, 1, 12, &month, NULL) ||
	    api_field_int(req->json, resp, "exp_year", 1, 0, 9999, &year, NULL) ||
	    api_field_string(req->json, resp, "cvc", 1, 1, 8, &cvc))
		return;
	const struct payment_provider *prov = payments_provider(NULL);
	struct payment_card card;
	char field[32], msg[160];
	if (prov->tokenize(number, month, year, cvc, store_now(), &card, field, sizeof field, msg,
			   sizeof msg) != 0) {
		api_error(resp, 422, "validation_failed", field, "%s", msg);
		return;
	}
	int64_t id = -1;
	if (store_tx_begin(req->store) == STORE_OK) {
		id = payments_insert_card(req->store, req->user.id, &card);
		if (id <= 0 || store_tx_commit(req->store) != STORE_OK)
			id = -1;
	}
	store_tx_rollback(req->store);
	sodium_memzero(card.token, sizeof card.token);
	cJSON *out = id > 0 ? card_json(req->store, req->user.id, id) : NULL;
	if (!out) {
		api_store_failed(resp, req->store, "card create");
		return;
	}
	log_info("payments", "user %lld added a %s card", (long long)req->user.id, card.brand);
	api_json(resp, 201, out);
}

HANDLER(h_cards_list)
{
	cJSON *out = payments_list_json(req->store, req->user.id);
	if (!out) {
		api_store_failed(resp, req->store, "cards list");
		return;
	}
	api_json(resp, 200, out);
}

HANDLER(h_cards_delete)
{
	int64_t id = req->params[0], user = req->user.id;
	if (store_tx_begin(req->store) != STORE_OK) {
		api_store_failed(resp, req->store, "card delete");
		return;
	}
	int rc = store_card_delete(req->store, user, id);
	if (rc == STORE_ERROR || store_tx_commit(req->store) != STORE_OK) {
		api_store_failed(resp, req->store, "card delete");
		store_tx_rollback(req->store);
	} else if (rc == STORE_NOT_FOUND)
		api_error(resp, 404, "not_found", NULL, "You have no card %lld.", (long long)id);
	else
		api_empty(resp, 204);
}

HANDLER(h_cards_patch)
{
	int64_t id = req->params[0], user = req->user.id;
	const cJSON *def = cJSON_GetObjectItemCaseSensitive(req->json, "is_default");
	if (def && !cJSON_IsNull(def) && !cJSON_IsTrue(def)) {
		api_error(resp, 422, "validation_failed", "is_default",
			  cJSON_IsFalse(def) ? "A card stops being the default when another one becomes it."
					     : "is_default must be true.");
		return;
	}
	int found = 0, ok = store_tx_begin(req->store) == STORE_OK;
	if (ok) {
		struct payment_card card;
		int rc = payments_method_get(req->store, user, id, &card);
		ok = rc >= 0;
		found = rc == 0;
		if (found && cJSON_IsTrue(def))
			ok = store_card_set_default(req->store, user, id) == STORE_OK;
		sodium_memzero(&card, sizeof card);
		ok = ok && store_tx_commit(req->store) == STORE_OK;
	}
	store_tx_rollback(req->store);
	cJSON *out = ok && found ? card_json(req->store, user, id) : NULL;
	if (!ok || (found && !out))
		api_store_failed(resp, req->store, "card patch");
	else if (!found)
		api_error(resp, 404, "not_found", NULL, "You have no card %lld.", (long long)id);
	else
		api_json(resp, 200, out);
}
