/*
 * test_needs.c - the buddy's knowledge of needs and constraints (needs.c):
 * phrases read out of utterances, the rest handed on, and products checked against
 * the frame, with any catalog's products (no product of the test catalog is named
 * in needs.def).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "buddy/needs.h"

static cJSON *products(void)
{
	return cJSON_Parse("["
		"{\"id\":1,\"title\":\"Farm Whole Milk 2 l\",\"tags\":[\"milk\"],\"description\":\"Fresh.\"},"
		"{\"id\":2,\"title\":\"Soy Drink 1 l\",\"tags\":[\"soy milk\",\"vegan\"],\"description\":\"Plant based.\"},"
		"{\"id\":3,\"title\":\"Hazelnut Milk 1 l\",\"tags\":[\"milk\",\"plant based\"],\"description\":\"Nutty.\"},"
		"{\"id\":4,\"title\":\"Peppermint Tea 25 bags\",\"tags\":[\"tea\",\"herbal\"],\"description\":\"Caffeine-free and calming before bed.\"},"
		"{\"id\":5,\"title\":\"Earl Grey Tea 25 bags\",\"tags\":[\"tea\",\"black tea\"],\"description\":\"Bergamot.\"},"
		"{\"id\":6,\"title\":\"Apple Juice Cloudy\",\"tags\":[\"juice\",\"pulp\"],\"description\":\"Pressed.\"},"
		"{\"id\":7,\"title\":\"Organic Kiwis 1 lb\",\"tags\":[\"kiwi\",\"organic\"],\"description\":\"Tart.\"},"
		"{\"id\":8,\"title\":\"Kiwis 1 lb\",\"tags\":[\"kiwi\"],\"description\":\"Tart.\"}]");
}

static int allowed(const struct needs_frame *f, const cJSON *items, int id)
{
	const cJSON *p;
	cJSON_ArrayForEach(p, items)
		if (cJSON_GetObjectItem(p, "id")->valueint == id)
			return needs_allows(f, p);
	return -1;
}

START_TEST(needs_exclusions_test)
{
	cJSON *items = products();
	struct needs_frame f;
	char rest[256];
	ck_assert_int_eq(needs_read("show me milk, but nothing with dairy in it", &f, rest, sizeof rest), 1);
	ck_assert_str_eq(rest, "show me milk,");
	ck_assert_int_eq(allowed(&f, items, 1), 0);
	ck_assert_int_eq(allowed(&f, items, 2), 1);	/* soy milk says vegan */
	ck_assert_int_eq(allowed(&f, items, 3), 1);	/* plant based */
	ck_assert_int_eq(allowed(&f, items, 4), 1);	/* not dairy at all */
	/* two facets in one phrase, and a person's constraint */
	ck_assert_int_eq(needs_read("my son can't have dairy or nuts, which milk", &f, rest, sizeof rest), 1);
	ck_assert_int_eq(allowed(&f, items, 2), 1);
	ck_assert_int_eq(allowed(&f, items, 3), 0);	/* hazelnut */
	ck_assert_ptr_null(strstr(rest, "son"));
	ck_assert_int_eq(needs_read("dairy and nut free milk please", &f, rest, sizeof rest), 1);
	ck_assert_int_eq(allowed(&f, items, 1), 0);
	ck_assert_int_eq(allowed(&f, items, 3), 0);
	/* caffeine: black tea has it, herbal and "caffeine-free" do not */
	ck_assert_int_eq(needs_read("tea without caffeine", &f, rest, sizeof rest), 1);
	ck_assert_str_eq(rest, "tea");
	ck_assert_int_eq(allowed(&f, items, 4), 1);
	ck_assert_int_eq(allowed(&f, items, 5), 0);
	int has = -1;
	ck_assert_str_eq(needs_breaks(&f, cJSON_GetArrayItem(items, 4), &has), "caffeine");
	ck_assert_int_eq(has, 1);
	/* "*" facets: only a free word clears a product */
	ck_assert_int_eq(needs_read("kiwis but I don't want the sprayed ones", &f, rest, sizeof rest), 1);
	ck_assert_int_eq(allowed(&f, items, 7), 1);
	ck_assert_int_eq(allowed(&f, items, 8), 0);
	/* a diet names several */
	ck_assert_int_eq(needs_read("I'm vegan", &f, rest, sizeof rest), 1);
	ck_assert_int_eq(allowed(&f, items, 1), 0);
	ck_assert_int_eq(allowed(&f, items, 2), 1);
	/* what is no constraint stays as said */
	ck_assert_int_eq(needs_read("no, the oat one", &f, rest, sizeof rest), 0);
	ck_assert_str_eq(rest, "no the oat one");
	ck_assert_int_eq(needs_read("not the milk, the juice", &f, rest, sizeof rest), 0);
	ck_assert_int_eq(needs_read(NULL, &f, rest, sizeof rest), 0);
	cJSON_Delete(items);
}
END_TEST

static int knows_coffee_maker(void *ctx, const char *w)
{
	(void)ctx;
	return !strcmp(w, "coffee") || !strcmp(w, "maker");
}

START_TEST(needs_situations_test)
{
	cJSON *items = products();
	struct needs_frame f;
	char rest[256];
	/* a situation: no caffeine, and what says "bed" fits best */
	ck_assert_int_eq(needs_read("I've been having trouble sleeping, any tea that might help?", &f, rest, sizeof rest), 1);
	ck_assert_int_eq(f.nprefer, 1);
	ck_assert_int_gt(needs_prefers(&f, cJSON_GetArrayItem(items, 3)), 0);
	cJSON *teas = cJSON_CreateArray();
	cJSON_AddItemToArray(teas, cJSON_Duplicate(cJSON_GetArrayItem(items, 4), 1));
	cJSON_AddItemToArray(teas, cJSON_Duplicate(cJSON_GetArrayItem(items, 3), 1));
	ck_assert_int_eq(needs_filter(&f, teas), 1);
	ck_assert_int_eq(cJSON_GetArraySize(teas), 1);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(teas, 0), "title")->valuestring, "Peppermint Tea 25 bags");
	ck_assert_ptr_null(strstr(rest, "help"));	/* "might help" is about the need */
	cJSON_Delete(teas);
	/* a need that names the thing to look for */
	ck_assert_int_eq(needs_read("nothing to dry off with after a shower", &f, rest, sizeof rest), 1);
	ck_assert_int_eq(f.nproduct, 1);
	ck_assert_str_eq(f.product[0], "towel");
	/* a phrase the catalog names is a product, not a situation */
	ck_assert_int_eq(needs_read_known("a coffee maker please", knows_coffee_maker, NULL, &f, rest, sizeof rest), 0);
	ck_assert_int_eq(needs_read("a coffee maker please", &f, rest, sizeof rest), 1);
	/* a thing that ran out or broke, next to a word the catalog knows: a lack */
	ck_assert_int_eq(needs_read_known("the coffee is all gone", knows_coffee_maker, NULL, &f, rest, sizeof rest), 1);
	ck_assert_int_eq(f.lack, 1);
	ck_assert_str_eq(rest, "the coffee");
	ck_assert_int_eq(needs_read_known("there's no coffee left", knows_coffee_maker, NULL, &f, rest, sizeof rest), 1);
	ck_assert_int_eq(f.lack, 1);
	ck_assert_str_eq(rest, "coffee left");
	/* ... and not next to one ("my cart is empty"), nor without the catalog */
	ck_assert_int_eq(needs_read_known("my cart is empty", knows_coffee_maker, NULL, &f, rest, sizeof rest), 0);
	ck_assert_int_eq(f.lack, 0);
	ck_assert_int_eq(needs_read("the coffee is all gone", &f, rest, sizeof rest), 0);
	/* questions stay questions */
	ck_assert_int_eq(needs_read("I'm lactose intolerant, is the milk ok?", &f, rest, sizeof rest), 1);
	ck_assert_int_eq(rest[strlen(rest) - 1], '?');
	char why[96];
	needs_phrase(&f, why, sizeof why);
	ck_assert_str_eq(why, " without dairy");
	/* hostile input */
	char big[5000];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	needs_read(big, &f, rest, sizeof rest);
	needs_read("\xff\xfe no dairy \xc3", &f, rest, 4);
	ck_assert_int_lt((int)strlen(rest), 4);
	cJSON_Delete(items);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("buddy needs");
	TCase *tc = tcase_create("needs");
	tcase_add_test(tc, needs_exclusions_test);
	tcase_add_test(tc, needs_situations_test);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
