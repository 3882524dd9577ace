/*
 * test_redact.c - redact_secrets(): card numbers (Luhn), passwords and security
 * codes typed to the buddy are removed before storing or forwarding; ordinary
 * shopping talk (quantities, prices, order numbers) is left alone.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"

static void expect(const char *in, const char *want, int want_found)
{
	int found = -1;
	char *out = redact_secrets(in, &found);
	ck_assert_msg(out != NULL, "NULL for \"%s\"", in);
	ck_assert_msg(strcmp(out, want) == 0, "\"%s\" -> \"%s\", want \"%s\"", in, out, want);
	ck_assert_msg(found == want_found, "\"%s\": found %d, want %d", in, found, want_found);
	free(out);
}

START_TEST(cards)
{
	expect("my card is 4242 4242 4242 4242", "my card is [removed]", REDACT_CARD);
	expect("4242424242424242", "[removed]", REDACT_CARD);
	expect("use 4000-0000-0000-0002 please", "use [removed] please", REDACT_CARD);
	expect("amex 378282246310005.", "amex [removed].", REDACT_CARD);           /* 15 */
	expect("diners 30569309025904 ok", "diners [removed] ok", REDACT_CARD);     /* 14 */
	expect("4222222222222", "[removed]", REDACT_CARD);                          /* 13 */
	expect("card 4242 4242 4242 4242 exp 12/29", "card [removed] exp 12/29", REDACT_CARD);
	expect("5555555555554444 and 4242424242424242", "[removed] and [removed]", REDACT_CARD);
	/* the CVC typed right after the number, in the same run of groups */
	expect("4242 4242 4242 4242 123", "[removed] 123", REDACT_CARD);
}
END_TEST

START_TEST(not_cards)
{
	expect("add 2 apples and 3 pears", "add 2 apples and 3 pears", 0);
	expect("4242 4242 4242 4241", "4242 4242 4242 4241", 0);           /* Luhn fails */
	expect("order 123456789012", "order 123456789012", 0);             /* 12 digits */
	expect("12345678901234567890123", "12345678901234567890123", 0);   /* 23 digits */
	expect("code ABC4242424242424242", "code ABC4242424242424242", 0); /* part of a word */
	expect("under $12.99 please", "under $12.99 please", 0);
	expect("", "", 0);
}
END_TEST

START_TEST(keywords)
{
	expect("my password is hunter2", "my password is [removed]", REDACT_SECRET);
	expect("Password: s3cret!", "Password: [removed]", REDACT_SECRET);
	expect("passcode=9911 thanks", "passcode=[removed] thanks", REDACT_SECRET);
	expect("the CVC is 123.", "the CVC is [removed].", REDACT_SECRET);
	expect("cvv 4567", "cvv [removed]", REDACT_SECRET);
	expect("security code: 321", "security code: [removed]", REDACT_SECRET);
	expect("my card 4242424242424242 cvc 123", "my card [removed] cvc [removed]",
	       REDACT_CARD | REDACT_SECRET);
	/* no secret after the word */
	expect("I forgot my password", "I forgot my password", 0);
	expect("change my password please", "change my password please", 0);
	expect("password please", "password please", 0);
	expect("where do I put the cvc?", "where do I put the cvc?", 0);
	expect("what is a security code", "what is a security code", 0);
	expect("passwords", "passwords", 0);
	expect("compassword hunter2", "compassword hunter2", 0);
}
END_TEST

START_TEST(warning)
{
	ck_assert_str_eq(redact_warning(0), "");
	ck_assert_ptr_nonnull(strstr(redact_warning(REDACT_CARD), "card numbers"));
	ck_assert_ptr_nonnull(strstr(redact_warning(REDACT_SECRET), "passwords"));
}
END_TEST

START_TEST(hostile)
{
	/* long runs and many groups: no overflow, linear time */
	size_t n = 200000;
	char *s = malloc(n + 1);
	for (size_t i = 0; i < n; i++)
		s[i] = (i % 2) ? ' ' : '4';
	s[n] = '\0';
	int found;
	char *out = redact_secrets(s, &found);
	ck_assert_ptr_nonnull(out);
	free(out);
	memset(s, '9', n);
	out = redact_secrets(s, &found);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(found, 0);
	free(out);
	for (size_t i = 0; i + 9 < n; i += 9)
		memcpy(s + i, "password ", 9);
	out = redact_secrets(s, &found);
	ck_assert_ptr_nonnull(out);
	free(out);
	free(s);
	out = redact_secrets(NULL, &found);
	ck_assert_str_eq(out, "");
	free(out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("redact");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, cards);
	tcase_add_test(tc, not_cards);
	tcase_add_test(tc, keywords);
	tcase_add_test(tc, warning);
	tcase_add_test(tc, hostile);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
