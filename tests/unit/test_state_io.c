/*
 * test_state_io.c - the built-in engine's dialogue state as text (buddy/state_io.c):
 * saved, loaded and saved again it gives the same text; products come back through
 * the catalog by id (one gone since is dropped); text that is not a version-1 state
 * (corrupt, truncated, another version, wrong types) loads as NULL or as fresh
 * fields, never a crash.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buddy/dialogue.h"

/* A catalog of products 1..9 (id 5 gone). */
static cJSON *fake_product(void *ctx, int64_t id)
{
	int *calls = ctx;
	(*calls)++;
	if (id < 1 || id > 9 || id == 5)
		return NULL;
	cJSON *p = cJSON_CreateObject();
	char title[32];
	snprintf(title, sizeof title, "Product %lld", (long long)id);
	cJSON_AddNumberToObject(p, "id", (double)id);
	cJSON_AddStringToObject(p, "title", title);
	cJSON_AddNumberToObject(p, "price_cents", (double)(id * 100 + 99));
	cJSON_AddStringToObject(p, "currency", "USD");
	return p;
}

static struct buddy_state *sample(void)
{
	struct buddy_state *st = buddy_state_new();
	ck_assert_ptr_nonnull(st);
	int calls = 0;
	cJSON_AddItemToArray(st->shown, fake_product(&calls, 3));
	cJSON *line = fake_product(&calls, 7);
	cJSON_AddNumberToObject(line, "quantity", 2);
	cJSON_AddItemToArray(st->shown, line);
	st->turn = 4;
	st->shown_is_cart = 1;
	st->shown_turn = 3;
	st->focus[0] = 7;
	st->focus[1] = 3;
	st->nfocus = 2;
	st->focus_turn = 4;
	st->last = (struct dlg_last){ DLG_LAST_ADD, 7, 2, 0, 4 };
	st->batch[0] = (struct dlg_added){ 7, 2, 0 };
	st->nbatch = 1;
	st->batch_turn = 4;
	snprintf(st->last_query, sizeof st->last_query, "kettle \"electric\"");
	snprintf(st->last_category, sizeof st->last_category, "kitchen");
	st->last_price.max_cents = 3000;
	st->pending = DLG_PENDING_SUGGEST;
	st->pending_turn = 4;
	st->suggest_id = 3;
	st->suggest_qty = 1;
	st->choices[0].intent = UND_ADD;
	st->choices[0].n = 2;
	st->choices[0].ids[0] = 3;
	st->choices[0].ids[1] = 7;
	snprintf(st->choices[0].question, sizeof st->choices[0].question, "The 3 or the 7?");
	st->nchoices = 1;
	st->last_intent = UND_ADD;
	st->budget_cents = 15000;
	st->correction_turns[0] = 2;
	snprintf(st->last_text, sizeof st->last_text, "add the kettle");
	snprintf(st->last_reply, sizeof st->last_reply, "Added. Shall I add it?");
	snprintf(st->heard, sizeof st->heard, "two mugs");
	return st;
}

START_TEST(round_trip)
{
	struct buddy_state *st = sample();
	char *a = buddy_state_save(st);
	ck_assert_ptr_nonnull(a);
	ck_assert(strncmp(a, "{\"v\":1,", 7) == 0);
	int calls = 0;
	struct buddy_state *back = buddy_state_load(a, fake_product, &calls);
	ck_assert_ptr_nonnull(back);
	ck_assert_int_eq(calls, 2); /* shown fetched by id */
	char *b = buddy_state_save(back);
	ck_assert_str_eq(a, b);
	/* the products are the catalog's again, a cart line keeps its quantity */
	ck_assert_int_eq(cJSON_GetArraySize(back->shown), 2);
	const cJSON *p = cJSON_GetArrayItem(back->shown, 1);
	ck_assert_str_eq(dlg_str(p, "title"), "Product 7");
	ck_assert_int_eq(dlg_int(p, "quantity", 0), 2);
	ck_assert_int_eq(back->pending, DLG_PENDING_SUGGEST);
	ck_assert_int_eq(back->suggest_id, 3);
	ck_assert_int_eq(back->last_price.min_cents, -1);
	ck_assert_int_eq(back->last_price.max_cents, 3000);
	ck_assert_str_eq(back->heard, "two mugs");
	free(a);
	free(b);
	buddy_state_free(back);
	/* a fresh state round-trips too */
	struct buddy_state *fresh = buddy_state_new();
	a = buddy_state_save(fresh);
	back = buddy_state_load(a, fake_product, &calls);
	b = buddy_state_save(back);
	ck_assert_str_eq(a, b);
	ck_assert_int_eq(back->last_price.min_cents, -1);
	free(a);
	free(b);
	buddy_state_free(back);
	buddy_state_free(fresh);
	buddy_state_free(st);
}
END_TEST

START_TEST(product_gone_is_dropped)
{
	int calls = 0;
	struct buddy_state *st = buddy_state_load("{\"v\":1,\"shown\":[{\"id\":5},{\"id\":2},{\"id\":\"x\"},7]}",
						  fake_product, &calls);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(cJSON_GetArraySize(st->shown), 1);
	ck_assert_int_eq(dlg_id(cJSON_GetArrayItem(st->shown, 0)), 2);
	buddy_state_free(st);
}
END_TEST

START_TEST(corrupt_text)
{
	static const char *const bad[] = {
		"", "{", "null", "[]", "42", "\"v\"", "{\"v\":2}", "{\"v\":\"1\"}", "{}",
		"{\"v\":1,\"turn\":", "\xff\xfe{\"v\":1}", "{\"v\":1e999}",
	};
	int calls = 0;
	ck_assert_ptr_null(buddy_state_load(NULL, fake_product, &calls));
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		ck_assert_msg(buddy_state_load(bad[i], fake_product, &calls) == NULL, "loaded: %s", bad[i]);
	/* a state with wrong types and values out of range loads with fresh fields */
	struct buddy_state *st = buddy_state_load(
		"{\"v\":1,\"turn\":-5,\"shown\":{\"id\":3},\"focus\":[1,2,3,4,5,6,7,8,9,10,-1],"
		"\"pending\":99,\"pending_intent\":1e300,\"last\":[1],\"batch\":\"x\","
		"\"choices\":[{\"ids\":[1,2,3,4,5]},{},{},{},{},{}],\"last_query\":7,"
		"\"price_min\":-9,\"heard\":\"" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
		fake_product, &calls);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(st->turn, 0);
	ck_assert_int_eq(cJSON_GetArraySize(st->shown), 0);
	ck_assert_int_eq(st->nfocus, DLG_MAX_FOCUS);
	ck_assert_int_eq(st->pending, DLG_PENDING_NONE);
	ck_assert_int_eq(st->pending_intent, UND_NONE);
	ck_assert_int_eq(st->nbatch, 0);
	ck_assert_int_eq(st->nchoices, DLG_MAX_CHOICES);
	ck_assert_int_eq(st->choices[0].n, DLG_READ_MAX);
	ck_assert_str_eq(st->last_query, "");
	ck_assert_int_eq(st->last_price.min_cents, -1);
	ck_assert_uint_eq(strlen(st->heard), sizeof st->heard - 1);
	buddy_state_free(st);
	/* every prefix of a good state: NULL or a state, never a crash (ASan run) */
	struct buddy_state *good = sample();
	char *text = buddy_state_save(good);
	size_t n = strlen(text);
	for (size_t len = 0; len < n; len++) {
		char *cut = strndup(text, len);
		buddy_state_free(buddy_state_load(cut, fake_product, &calls));
		free(cut);
	}
	free(text);
	buddy_state_free(good);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("state_io");
	TCase *tc = tcase_create("state_io");
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, product_gone_is_dropped);
	tcase_add_test(tc, corrupt_text);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
