/*
 * test_payments.c - the payment helpers and the sandbox provider (server/payments.c):
 * Luhn, brands, card digits, expiry, tokenize (errors name the right field, nothing of
 * the number but last4 is kept), the test cards' charges, refunds; and the shape rules
 * of Idempotency-Key (server/idempotency.c).
 */
#include <check.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "idempotency.h"
#include "payments.h"

/* Seconds since the epoch of the 15th of month/year, noon UTC. */
static int64_t at(int year, int month)
{
	struct tm tm = { .tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = 15, .tm_hour = 12 };
	return (int64_t)timegm(&tm);
}

START_TEST(test_luhn)
{
	ck_assert_int_eq(payments_luhn_ok("4242424242424242"), 1);
	ck_assert_int_eq(payments_luhn_ok("4000000000000002"), 1);
	ck_assert_int_eq(payments_luhn_ok("4000000000009995"), 1);
	ck_assert_int_eq(payments_luhn_ok("5555555555554444"), 1);
	ck_assert_int_eq(payments_luhn_ok("378282246310005"), 1);
	ck_assert_int_eq(payments_luhn_ok("6011111111111117"), 1);
	ck_assert_int_eq(payments_luhn_ok("79927398713"), 1);
	ck_assert_int_eq(payments_luhn_ok("4242424242424241"), 0);
	ck_assert_int_eq(payments_luhn_ok("79927398710"), 0);
	ck_assert_int_eq(payments_luhn_ok(""), 0);
	ck_assert_int_eq(payments_luhn_ok("42424242x4242424"), 0);
}
END_TEST

START_TEST(test_brand)
{
	ck_assert_str_eq(payments_brand("4242424242424242"), "visa");
	ck_assert_str_eq(payments_brand("5105105105105100"), "mastercard");
	ck_assert_str_eq(payments_brand("5555555555554444"), "mastercard");
	ck_assert_str_eq(payments_brand("2221000000000009"), "mastercard");
	ck_assert_str_eq(payments_brand("2720990000000000"), "mastercard");
	ck_assert_str_eq(payments_brand("2220990000000000"), "unknown");
	ck_assert_str_eq(payments_brand("6500000000000002"), "discover");
	ck_assert_str_eq(payments_brand("5655555555554444"), "unknown"); /* 56 is no brand here */
	ck_assert_str_eq(payments_brand("378282246310005"), "amex");
	ck_assert_str_eq(payments_brand("341111111111111"), "amex");
	ck_assert_str_eq(payments_brand("6011111111111117"), "discover");
	ck_assert_str_eq(payments_brand("6445644564456445"), "discover");
	ck_assert_str_eq(payments_brand("3530111333300000"), "jcb");
	ck_assert_str_eq(payments_brand("30569309025904"), "diners");
	ck_assert_str_eq(payments_brand("9999999999999995"), "unknown");
	ck_assert_str_eq(payments_brand("5"), "unknown"); /* too short for any prefix */
}
END_TEST

START_TEST(test_digits)
{
	char d[24];
	ck_assert_int_eq(payments_card_digits("4242 4242-4242 4242", d, sizeof d), 0);
	ck_assert_str_eq(d, "4242424242424242");
	ck_assert_int_eq(payments_card_digits("4242424242", d, sizeof d), -1);           /* 10 */
	ck_assert_int_eq(payments_card_digits("42424242424242424242", d, sizeof d), -1); /* 20 */
	ck_assert_int_eq(payments_card_digits("4242.4242.4242.4242", d, sizeof d), -1);
	ck_assert_int_eq(payments_card_digits("", d, sizeof d), -1);
	ck_assert_int_eq(payments_card_digits(NULL, d, sizeof d), -1);
	ck_assert_int_eq(payments_card_digits("4242424242424242", d, 8), -1); /* no room */
}
END_TEST

START_TEST(test_expiry)
{
	int64_t now = at(2026, 11);
	ck_assert_int_eq(payments_full_year(27), 2027);
	ck_assert_int_eq(payments_full_year(0), 2000);
	ck_assert_int_eq(payments_full_year(2031), 2031);
	ck_assert_int_eq(payments_expired(11, 2026, now), 0); /* valid through November */
	ck_assert_int_eq(payments_expired(10, 2026, now), 1);
	ck_assert_int_eq(payments_expired(1, 2027, now), 0);
	ck_assert_int_eq(payments_expired(12, 2025, now), 1);
	ck_assert_int_eq(payments_expired(11, 26, now), 0);
	ck_assert_int_eq(payments_expired(10, 26, now), 1);
}
END_TEST

/* tokenize through the provider; returns its result and the field it blamed. */
static int tok(const char *num, int64_t m, int64_t y, const char *cvc, struct payment_card *c,
	       char field[32])
{
	const struct payment_provider *p = payments_provider("sandbox");
	char msg[160];
	field[0] = '\0';
	int rc = p->tokenize(num, m, y, cvc, at(2026, 11), c, field, 32, msg, sizeof msg);
	if (rc != 0)
		ck_assert_msg(msg[0] != '\0', "an error needs a message");
	return rc;
}

START_TEST(test_tokenize)
{
	struct payment_card c;
	char field[32];
	ck_assert_ptr_nonnull(payments_provider("sandbox"));
	ck_assert_ptr_nonnull(payments_provider(NULL));
	ck_assert_ptr_null(payments_provider("stripe"));

	ck_assert_int_eq(tok("4242-4242-4242-4242", 12, 30, "123", &c, field), 0);
	ck_assert_str_eq(c.brand, "visa");
	ck_assert_str_eq(c.last4, "4242");
	ck_assert_int_eq(c.exp_month, 12);
	ck_assert_int_eq(c.exp_year, 2030);
	ck_assert_str_eq(c.provider, "sandbox");
	ck_assert_ptr_null(strstr(c.token, "4242424242424242"));
	/* The token is the outcome and 64 random bits, nothing of the card or the CVC
	 * (a search for "123" in it failed one run in ~300: random hex holds it). */
	ck_assert_int_eq(strncmp(c.token, "sb_ok_", 6), 0);
	ck_assert_uint_eq(strlen(c.token), 6 + 16);
	ck_assert_uint_eq(strspn(c.token + 6, "0123456789abcdef"), 16);
	ck_assert_int_eq(tok("378282246310005", 11, 2026, "1234", &c, field), 0);
	ck_assert_str_eq(c.brand, "amex");
	ck_assert_str_eq(c.last4, "0005");

	ck_assert_int_eq(tok("4242424242424241", 12, 2030, "123", &c, field), -1);
	ck_assert_str_eq(field, "card_number");
	ck_assert_int_eq(tok("4242 abc", 12, 2030, "123", &c, field), -1);
	ck_assert_str_eq(field, "card_number");
	ck_assert_int_eq(tok("4242424242424242", 12, 2025, "123", &c, field), -1);
	ck_assert_str_eq(field, "exp_year");
	ck_assert_int_eq(tok("4242424242424242", 10, 2026, "123", &c, field), -1);
	ck_assert_str_eq(field, "exp_month");
	ck_assert_int_eq(tok("4242424242424242", 13, 2030, "123", &c, field), -1);
	ck_assert_str_eq(field, "exp_month");
	ck_assert_int_eq(tok("4242424242424242", 1, 2080, "123", &c, field), -1);
	ck_assert_str_eq(field, "exp_year");
	ck_assert_int_eq(tok("4242424242424242", 12, 2030, "12", &c, field), -1);
	ck_assert_str_eq(field, "cvc");
	ck_assert_int_eq(tok("4242424242424242", 12, 2030, "12345", &c, field), -1);
	ck_assert_str_eq(field, "cvc");
	ck_assert_int_eq(tok("4242424242424242", 12, 2030, "12a", &c, field), -1);
	ck_assert_str_eq(field, "cvc");
}
END_TEST

/* Tokenizes num and charges 1234 cents at now; returns the charge's result. */
static int charge(const char *num, int64_t now, struct payment_result *res)
{
	const struct payment_provider *p = payments_provider("sandbox");
	struct payment_card c;
	char field[32];
	ck_assert_int_eq(tok(num, 12, 2027, "123", &c, field), 0);
	return p->charge(&c, 1234, "USD", now, res);
}

START_TEST(test_test_cards)
{
	struct payment_result r;
	int64_t now = at(2026, 11);
	ck_assert_int_eq(charge("4242424242424242", now, &r), 0);
	ck_assert_int_eq(strncmp(r.ref, "ch_", 3), 0);
	ck_assert_int_eq(charge("5555 5555 5555 4444", now, &r), 0); /* any other valid card */
	ck_assert_int_eq(charge("4000000000000002", now, &r), 1);
	ck_assert_str_eq(r.code, "card_declined");
	ck_assert_msg(r.message[0], "a decline says why");
	ck_assert_int_eq(charge("4000000000009995", now, &r), 1);
	ck_assert_str_eq(r.code, "insufficient_funds");
	/* A card that has expired since it was saved is declined. */
	ck_assert_int_eq(charge("4242424242424242", at(2028, 1), &r), 1);
	ck_assert_str_eq(r.code, "expired_card");
	/* A token the sandbox did not make. */
	struct payment_card bogus = { .exp_month = 12, .exp_year = 2030 };
	strcpy(bogus.token, "tok_elsewhere");
	ck_assert_int_eq(payments_provider("sandbox")->charge(&bogus, 100, "USD", now, &r), -1);
}
END_TEST

START_TEST(test_refund)
{
	const struct payment_provider *p = payments_provider("sandbox");
	struct payment_result r, rf;
	ck_assert_int_eq(charge("4242424242424242", at(2026, 11), &r), 0);
	ck_assert_int_eq(p->refund(r.ref, 1234, &rf), 0);
	ck_assert_int_eq(strncmp(rf.ref, "re_", 3), 0);
	ck_assert_int_eq(p->refund("not-a-charge", 1234, &rf), -1);
	ck_assert_int_eq(p->refund(NULL, 1234, &rf), -1);
}
END_TEST

START_TEST(test_tokens_differ)
{
	struct payment_card a, b;
	char field[32];
	ck_assert_int_eq(tok("4242424242424242", 12, 2030, "123", &a, field), 0);
	ck_assert_int_eq(tok("4242424242424242", 12, 2030, "123", &b, field), 0);
	ck_assert_str_ne(a.token, b.token);
}
END_TEST

START_TEST(test_idempotency_key)
{
	char long_key[200];
	memset(long_key, 'k', sizeof long_key);
	long_key[128] = '\0';
	ck_assert_int_eq(idempotency_key_ok("order-2026-11-23-0001"), 1);
	ck_assert_int_eq(idempotency_key_ok("a"), 1);
	ck_assert_int_eq(idempotency_key_ok(long_key), 1);
	long_key[128] = 'k';
	long_key[129] = '\0';
	ck_assert_int_eq(idempotency_key_ok(long_key), 0);
	ck_assert_int_eq(idempotency_key_ok(""), 0);
	ck_assert_int_eq(idempotency_key_ok(NULL), 0);
	ck_assert_int_eq(idempotency_key_ok("tab\there"), 0);
	ck_assert_int_eq(idempotency_key_ok("caf\xc3\xa9"), 0);
	ck_assert_int_eq(idempotency_key_ok(" padded "), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("payments");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	if (sodium_init() < 0)
		return EXIT_FAILURE;
	tcase_add_test(tc, test_luhn);
	tcase_add_test(tc, test_brand);
	tcase_add_test(tc, test_digits);
	tcase_add_test(tc, test_expiry);
	tcase_add_test(tc, test_tokenize);
	tcase_add_test(tc, test_test_cards);
	tcase_add_test(tc, test_refund);
	tcase_add_test(tc, test_tokens_differ);
	tcase_add_test(tc, test_idempotency_key);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
