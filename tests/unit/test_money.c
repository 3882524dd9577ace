/*
 * test_money.c - money_parse() and money_format(): the amounts people type and read.
 * Hostile inputs (signs, exponents, overflow, bad grouping) must be refused, never
 * wrapped or rounded into a different price.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"

static int64_t parsed(const char *s)
{
	int64_t c = -12345;
	ck_assert_msg(money_parse(s, &c) == 0, "\"%s\" should parse", s);
	return c;
}

static void refused(const char *s)
{
	int64_t c = -777;
	ck_assert_msg(money_parse(s, &c) == -1, "\"%s\" should be refused", s);
	ck_assert_msg(c == -777, "\"%s\": result must be left alone on failure", s);
}

START_TEST(parse_plain)
{
	ck_assert_int_eq(parsed("12.99"), 1299);
	ck_assert_int_eq(parsed("12"), 1200);
	ck_assert_int_eq(parsed("$12.99"), 1299);
	ck_assert_int_eq(parsed("0.5"), 50);
	ck_assert_int_eq(parsed(".5"), 50);
	ck_assert_int_eq(parsed("0.05"), 5);
	ck_assert_int_eq(parsed("0"), 0);
	ck_assert_int_eq(parsed("0.00"), 0);
	ck_assert_int_eq(parsed("1,299.00"), 129900);
	ck_assert_int_eq(parsed("$1,234,567.89"), 123456789);
	ck_assert_int_eq(parsed("  7.10 "), 710);
	ck_assert_int_eq(parsed("1000000"), 100000000);
	ck_assert_int_eq(parsed("007"), 700);
}
END_TEST

START_TEST(parse_refuses_garbage)
{
	const char *bad[] = {
		"", " ", "$", ".", "12.", "-1", "-0", "+5", "-$1.00", "$-1", "1.999", "0.001",
		"1e5", "12.9x", "x12", "12 99", "1.2.3", "$$1", "1,29.00", "12,34", "1234,567",
		",100", "1,,000", "1,000,", "1,0000", "NaN", "inf", "0x10", "١٢", "12\n", "1\t2",
		"12.99 USD", "USD 12.99", "$ 12",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		refused(bad[i]);
	int64_t c;
	ck_assert_int_eq(money_parse(NULL, &c), -1);
	ck_assert_int_eq(money_parse("1", NULL), -1);
}
END_TEST

START_TEST(parse_overflow)
{
	ck_assert_int_eq(parsed("92233720368547758.07"), INT64_MAX);
	refused("92233720368547758.08");
	refused("92233720368547759");
	refused("99999999999999999999999999999");
	refused("9,223,372,036,854,775,808.00");
	/* the protocol's price limit is the caller's check, not the parser's */
	ck_assert_int_eq(parsed("1000000.01"), 100000001);
}
END_TEST

START_TEST(parse_long_input)
{
	char big[5000];
	memset(big, '9', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	refused(big);
	memset(big, '0', sizeof big - 1);
	big[sizeof big - 2] = '1';
	ck_assert_int_eq(parsed(big), 100); /* leading zeros do not overflow */
}
END_TEST

START_TEST(format_amounts)
{
	char buf[MONEY_BUFSZ];
	ck_assert_str_eq(money_format(1299, buf, sizeof buf), "$12.99");
	ck_assert_str_eq(money_format(-105, buf, sizeof buf), "-$1.05");
	ck_assert_str_eq(money_format(129900, buf, sizeof buf), "$1,299.00");
	ck_assert_str_eq(money_format(0, buf, sizeof buf), "$0.00");
	ck_assert_str_eq(money_format(5, buf, sizeof buf), "$0.05");
	ck_assert_str_eq(money_format(100000, buf, sizeof buf), "$1,000.00");
	ck_assert_str_eq(money_format(99999, buf, sizeof buf), "$999.99");
	ck_assert_str_eq(money_format(100000000, buf, sizeof buf), "$1,000,000.00");
	ck_assert_str_eq(money_format(INT64_MAX, buf, sizeof buf), "$92,233,720,368,547,758.07");
	ck_assert_str_eq(money_format(INT64_MIN, buf, sizeof buf), "-$92,233,720,368,547,758.08");
}
END_TEST

START_TEST(format_small_buffer)
{
	char buf[6];
	memset(buf, 'x', sizeof buf);
	money_format(129900, buf, sizeof buf);
	ck_assert_int_eq(buf[5], '\0');
	ck_assert_str_eq(buf, "$1,29");
	ck_assert_ptr_null(money_format(1, NULL, 0));
}
END_TEST

START_TEST(round_trip)
{
	char buf[MONEY_BUFSZ];
	int64_t samples[] = { 0, 1, 9, 10, 99, 100, 101, 1299, 99999, 100000, 123456789,
			      100000000, INT64_MAX };
	for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		int64_t back = -1;
		money_format(samples[i], buf, sizeof buf);
		ck_assert_msg(money_parse(buf, &back) == 0, "cannot parse own output %s", buf);
		ck_assert_msg(back == samples[i], "%s came back as %lld", buf, (long long)back);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("money");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, parse_plain);
	tcase_add_test(tc, parse_refuses_garbage);
	tcase_add_test(tc, parse_overflow);
	tcase_add_test(tc, parse_long_input);
	tcase_add_test(tc, format_amounts);
	tcase_add_test(tc, format_small_buffer);
	tcase_add_test(tc, round_trip);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
