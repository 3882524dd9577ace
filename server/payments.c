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
#include "store.h"

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

#define CARD_COLUMNS "id, brand, last4, exp_month, exp_year, is_default, provider, token"

static cJSON *card_json_row(sqlite3_stmt *st)
{
	cJSON *c = cJSON_CreateObject();
	cJSON_AddNumberToObject(c, "id", (double)sqlite3_column_int64(st, 0));
	cJSON_AddStringToObject(c, "brand", (const char *)sqlite3_column_text(st, 1));
	cJSON_AddStringToObject(c, "last4", (const char *)sqlite3_column_text(st, 2));
	cJSON_AddNumberToObject(c, "exp_month", sqlite3_column_int(st, 3));
	cJSON_AddNumberToObject(c, "exp_year", sqlite3_column_int(st, 4));
	cJSON_AddBoolToObject(c, "is_default", sqlite3_column_int(st, 5));
	return c;
}

/* PaymentMethod JSON of the user's live card id, or NULL. */
static cJSON *card_json(sqlite3 *db, int64_t user_id, int64_t id)
{
	sqlite3_stmt *st = store_prepare(db, "SELECT " CARD_COLUMNS " FROM payment_methods"
					     " WHERE id = ? AND user_id = ? AND deleted = 0");
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, user_id);
	cJSON *c = sqlite3_step(st) == SQLITE_ROW ? card_json_row(st) : NULL;
	sqlite3_finalize(st);
	return c;
}

cJSON *payments_list_json(sqlite3 *db, int64_t user_id)
{
	sqlite3_stmt *st = store_prepare(db, "SELECT " CARD_COLUMNS " FROM payment_methods"
					     " WHERE user_id = ? AND deleted = 0"
					     " ORDER BY is_default DESC, id");
	if (!st)
		return NULL;
	sqlite3_bind_int64(st, 1, user_id);
	cJSON *items = cJSON_CreateArray();
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		cJSON_AddItemToArray(items, card_json_row(st));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		cJSON_Delete(items);
		return NULL;
	}
	cJSON *out = cJSON_CreateObject();
	cJSON_AddItemToObject(out, "items", items);
	/* where a new card would go: a client shows the sandbox's test numbers */
	cJSON_AddStringToObject(out, "provider", payments_provider(NULL)->name);
	return out;
}

int payments_method_get(sqlite3 *db, int64_t user_id, int64_t id, struct payment_card *card)
{
	sqlite3_stmt *st = store_prepare(db, "SELECT " CARD_COLUMNS " FROM payment_methods"
					     " WHERE id = ? AND user_id = ? AND deleted = 0");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, user_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(card, 0, sizeof *card);
		card->id = sqlite3_column_int64(st, 0);
		snprintf(card->brand, sizeof card->brand, "%s", sqlite3_column_text(st, 1));
		snprintf(card->last4, sizeof card->last4, "%s", sqlite3_column_text(st, 2));
		card->exp_month = sqlite3_column_int(st, 3);
		card->exp_year = sqlite3_column_int(st, 4);
		snprintf(card->provider, sizeof card->provider, "%s", sqlite3_column_text(st, 6));
		snprintf(card->token, sizeof card->token, "%s", sqlite3_column_text(st, 7));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int64_t payments_default_id(sqlite3 *db, int64_t user_id)
{
	sqlite3_stmt *st = store_prepare(db, "SELECT id FROM payment_methods"
					     " WHERE user_id = ? AND deleted = 0 AND is_default = 1"
					     " ORDER BY id DESC LIMIT 1");
	if (!st)
		return 0;
	sqlite3_bind_int64(st, 1, user_id);
	int64_t id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return id;
}

/* Runs one bound statement; returns the number of rows changed, -1 on error. */
static int run_changes(sqlite3 *db, sqlite3_stmt *st)
{
	if (!st)
		return -1;
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? sqlite3_changes(db) : -1;
}

/* Makes card id the user's only default (inside the caller's transaction). */
static int set_default(sqlite3 *db, int64_t user_id, int64_t id)
{
	sqlite3_stmt *st = store_prepare(db, "UPDATE payment_methods SET is_default = (id = ?)"
					     " WHERE user_id = ? AND deleted = 0");
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, user_id);
	}
	return run_changes(db, st) < 0 ? -1 : 0;
}

int64_t payments_insert_card(sqlite3 *db, int64_t user_id, const struct payment_card *c)
{
	sqlite3_stmt *st = store_prepare(db,
		"INSERT INTO payment_methods (user_id, brand, last4, exp_month, exp_year,"
		" is_default, provider, token, created_at)"
		" SELECT ?1, ?2, ?3, ?4, ?5, NOT EXISTS (SELECT 1 FROM payment_methods"
		"   WHERE user_id = ?1 AND deleted = 0), ?6, ?7, ?8");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_text(st, 2, c->brand, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->last4, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, c->exp_month);
	sqlite3_bind_int(st, 5, c->exp_year);
	sqlite3_bind_text(st, 6, c->provider, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, c->token, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, store_now());
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? sqlite3_last_insert_rowid(db) : -1;
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
	if (store_begin(req->db) == 0) {
		id = payments_insert_card(req->db, req->user.id, &card);
		if (id <= 0 || store_commit(req->db) != 0)
			id = -1;
	}
	store_rollback(req->db);
	sodium_memzero(card.token, sizeof card.token);
	cJSON *out = id > 0 ? card_json(req->db, req->user.id, id) : NULL;
	if (!out) {
		api_internal(resp, req->db, "card create");
		return;
	}
	log_info("payments", "user %lld added a %s card", (long long)req->user.id, card.brand);
	api_json(resp, 201, out);
}

HANDLER(h_cards_list)
{
	cJSON *out = payments_list_json(req->db, req->user.id);
	if (!out) {
		api_internal(resp, req->db, "cards list");
		return;
	}
	api_json(resp, 200, out);
}

HANDLER(h_cards_delete)
{
	int64_t id = req->params[0], user = req->user.id;
	if (store_begin(req->db) != 0) {
		api_internal(resp, req->db, "card delete");
		return;
	}
	sqlite3_stmt *st = store_prepare(req->db,
		"UPDATE payment_methods SET deleted = 1, is_default = 0"
		" WHERE id = ? AND user_id = ? AND deleted = 0");
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, user);
	}
	int n = run_changes(req->db, st);
	int ok = n >= 0;
	if (n == 1 && payments_default_id(req->db, user) == 0) {
		/* The default went away: the newest remaining card takes its place. */
		sqlite3_stmt *p = store_prepare(req->db,
			"UPDATE payment_methods SET is_default = 1 WHERE id = (SELECT id FROM"
			" payment_methods WHERE user_id = ? AND deleted = 0 ORDER BY id DESC LIMIT 1)");
		if (p)
			sqlite3_bind_int64(p, 1, user);
		ok = run_changes(req->db, p) >= 0;
	}
	ok = ok && store_commit(req->db) == 0;
	store_rollback(req->db);
	if (!ok)
		api_internal(resp, req->db, "card delete");
	else if (n == 0)
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
	int found = 0, ok = store_begin(req->db) == 0;
	if (ok) {
		struct payment_card card;
		int rc = payments_method_get(req->db, user, id, &card);
		ok = rc >= 0;
		found = rc == 0;
		if (found && cJSON_IsTrue(def))
			ok = set_default(req->db, user, id) == 0;
		sodium_memzero(&card, sizeof card);
		ok = ok && store_commit(req->db) == 0;
	}
	store_rollback(req->db);
	cJSON *out = ok && found ? card_json(req->db, user, id) : NULL;
	if (!ok || (found && !out))
		api_internal(resp, req->db, "card patch");
	else if (!found)
		api_error(resp, 404, "not_found", NULL, "You have no card %lld.", (long long)id);
	else
		api_json(resp, 200, out);
}
