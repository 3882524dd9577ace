/*
 * test_engine_state.c - a conversation's engine state through turn/engine.h
 * (engine_state_new/_free) and the state cache of conversations.c that keeps it
 * between sessions: what an engine remembers (here the OpenAI engine's checkout
 * offer) comes back with the conversation, a new conversation starts fresh, and a
 * server without a cache frees what it is given.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "buddy/buddy.h"
#include "conversations.h"
#include "server.h"
#include "turn/engine.h"

START_TEST(new_and_free)
{
	struct buddy_state *st = engine_state_new();
	ck_assert_ptr_nonnull(st);
	ck_assert_ptr_nonnull(buddy_state_offer(st));
	ck_assert(buddy_state_offer(st)->at == 0); /* nothing asked yet */
	engine_state_free(st);
	engine_state_free(NULL);
}
END_TEST

START_TEST(cache_keeps_state_per_conversation)
{
	struct server *srv = calloc(1, sizeof *srv);
	ck_assert_ptr_nonnull(srv);
	ck_assert_int_eq(conv_cache_init(srv), 0);
	struct buddy_state *st = conv_state_take(srv, 7);
	ck_assert_ptr_nonnull(st);
	buddy_state_offer(st)->total_cents = 1234;
	buddy_state_offer(st)->at = 1;
	conv_state_put(srv, 7, st);
	struct buddy_state *other = conv_state_take(srv, 8);
	ck_assert_ptr_ne(other, st);
	ck_assert_int_eq(buddy_state_offer(other)->total_cents, 0);
	engine_state_free(other);
	struct buddy_state *back = conv_state_take(srv, 7);
	ck_assert_ptr_eq(back, st);
	ck_assert_int_eq(buddy_state_offer(back)->total_cents, 1234);
	conv_state_put(srv, 7, back);
	conv_state_cache_free(srv); /* frees the cached state */
	/* without a cache: a state given back is freed (ASan would see a leak) */
	conv_state_put(srv, 9, engine_state_new());
	free(srv);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("engine_state");
	TCase *tc = tcase_create("engine_state");
	tcase_add_test(tc, new_and_free);
	tcase_add_test(tc, cache_keeps_state_per_conversation);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
