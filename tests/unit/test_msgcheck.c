/*
 * test_msgcheck.c - msgcheck_turn/id/int: numbers from client JSON taken only when
 * they are integers in range (1e308, -1, 2.5, NaN, Infinity, strings refused without
 * a float-to-integer conversion out of range), and the \u0000 scan.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "msgcheck.h"

static cJSON *num(double d)
{
	return cJSON_CreateNumber(d);
}

START_TEST(turns)
{
	double bad[] = { 0, -1, 2.5, 1e308, -1e308, 4294967296.0, NAN, INFINITY, -INFINITY, 1e-300 };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cJSON *v = num(bad[i]);
		ck_assert_msg(msgcheck_turn(v) == 0, "turn %g taken", bad[i]);
		ck_assert_msg(msgcheck_id(v) == 0 || bad[i] == 4294967296.0, "id %g taken", bad[i]);
		ck_assert_msg(msgcheck_int(v, -7) == -7 || bad[i] == 0 || bad[i] == -1 ||
			      bad[i] == 4294967296.0, "int %g taken", bad[i]);
		cJSON_Delete(v);
	}
	cJSON *v = num(4294967295.0);
	ck_assert_uint_eq(msgcheck_turn(v), 4294967295u);
	cJSON_Delete(v);
	v = num(1);
	ck_assert_uint_eq(msgcheck_turn(v), 1);
	ck_assert_int_eq(msgcheck_id(v), 1);
	ck_assert_int_eq(msgcheck_int(v, 9), 1);
	cJSON_Delete(v);
	v = cJSON_CreateString("3");
	ck_assert_uint_eq(msgcheck_turn(v), 0);
	ck_assert_int_eq(msgcheck_id(v), 0);
	ck_assert_int_eq(msgcheck_int(v, 9), 9);
	cJSON_Delete(v);
	ck_assert_uint_eq(msgcheck_turn(NULL), 0);
	v = num(9007199254740992.0);
	ck_assert_int_eq(msgcheck_id(v), 9007199254740992LL);
	cJSON_Delete(v);
	v = num(1e19);
	ck_assert_int_eq(msgcheck_id(v), 0);
	ck_assert_int_eq(msgcheck_int(v, 5), 5);
	cJSON_Delete(v);
	v = num(-2147483648.0);
	ck_assert_int_eq(msgcheck_int(v, 5), -2147483647 - 1);
	cJSON_Delete(v);
	v = num(2147483648.0);
	ck_assert_int_eq(msgcheck_int(v, 5), 5);
	cJSON_Delete(v);
}
END_TEST

static int nul(const char *s)
{
	return msgcheck_nul_escape(s, strlen(s));
}

START_TEST(nul_escape)
{
	ck_assert_int_eq(nul("{\"text\":\"a\\u0000b\"}"), 1);
	ck_assert_int_eq(nul("{\"te\\u0000xt\":1}"), 1);
	ck_assert_int_eq(nul("{\"text\":\"a\\\\u0000b\"}"), 0); /* an escaped backslash */
	ck_assert_int_eq(nul("{\"text\":\"\\u0001\"}"), 0);
	ck_assert_int_eq(nul("{\"text\":\"abc\\u000\"}"), 0);
	ck_assert_int_eq(nul("\\u0000"), 0); /* outside a string: invalid JSON anyway */
	ck_assert_int_eq(nul("\"\\u00"), 0);
	ck_assert_int_eq(nul(""), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("msgcheck");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, turns);
	tcase_add_test(tc, nul_escape);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
