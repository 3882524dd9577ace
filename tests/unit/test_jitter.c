/*
 * test_jitter.c - downlink jitter buffer (shared/media/jitter.c): ordering, gaps after
 * max_wait, stale and cancelled turns, duplicates, end of turn, growth, stats.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "jitter.h"

static struct jitter *mk(unsigned max_wait, unsigned prebuffer)
{
	struct jitter_config c = { .max_wait = max_wait, .prebuffer = prebuffer, .max_frames = 0 };
	struct jitter *j = jitter_new(&c);

	ck_assert_ptr_nonnull(j);
	return j;
}

/* A one-byte payload that names its seq, so order can be checked. */
static enum jitter_push_result push(struct jitter *j, uint32_t turn, uint32_t seq, int last)
{
	uint8_t p[2] = { (uint8_t)seq, (uint8_t)turn };

	return jitter_push(j, turn, seq, last, p, sizeof p);
}

START_TEST(test_in_order_and_reordered)
{
	struct jitter *j = mk(3, 0);
	struct jitter_packet pk;
	const uint32_t order[] = { 2, 0, 1, 4, 3 };

	ck_assert_int_eq(jitter_pop(j, &pk), JITTER_IDLE);
	for (size_t i = 0; i < 5; i++)
		ck_assert_int_eq(push(j, 7, order[i], order[i] == 4), JITTER_ACCEPTED);
	ck_assert_uint_eq(jitter_buffered(j), 5);
	for (uint32_t s = 0; s < 5; s++) {
		ck_assert_int_eq(jitter_pop(j, &pk), JITTER_FRAME);
		ck_assert_uint_eq(pk.seq, s);
		ck_assert_uint_eq(pk.turn, 7);
		ck_assert_uint_eq(pk.len, 2);
		ck_assert_uint_eq(pk.data[0], s);
		ck_assert_int_eq(pk.last, s == 4);
		ck_assert_int_eq(jitter_turn_done(j), s == 4);
	}
	ck_assert_int_eq(jitter_pop(j, &pk), JITTER_IDLE);
	/* a frame of the finished turn is stale */
	ck_assert_int_eq(push(j, 7, 5, 0), JITTER_STALE);
	jitter_free(j);
}
END_TEST

START_TEST(test_gap_after_max_wait_frames)
{
	struct jitter *j = mk(3, 0);
	struct jitter_packet pk;
	struct jitter_stats st;

	push(j, 1, 0, 0);
	ck_assert_int_eq(jitter_pop(j, &pk), JITTER_FRAME);
	/* seq 1 lost; 2 and 3 arrive: not yet enough to give up (3 - 1 < 3) */
	push(j, 1, 2, 0);
	push(j, 1, 3, 0);
	ck_assert_int_eq(jitter_pop(j, &pk), JITTER_WAIT);
	/* 4 arrives: three frames beyond the gap -> gap reported */
	push(j, 1, 4, 0);
	ck_assert_int_eq(jitter_pop(j, &pk), JITTER_GAP);
	ck_assert_uint_eq(pk.seq, 1);
	ck_assert_uint_eq(pk.len, 0);
	/* the late frame 1 is now stale */
	ck_assert_int_eq(push(j, 1, 1, 0), JITTER_STALE);
	for (uint32_t s = 2; s <= 4; s++) {
		ck_assert_int_eq(jitter_pop(j, &pk), JITTER_FRAME);
		ck_assert_uint_eq(pk.seq, s);
	}
	ck_assert_int_eq(jitter_pop(j, &pk), JITTER_WAIT); /* underrun, not a gap */
	ck_assert_int_eq(jitter_pop(j, &pk), JITTER_WAIT);
	ck_assert_int_eq(jitter_pop(j, &pk), JITTER_WAIT);
	ck_assert_int_eq(jitter_pop(j, &pk), JITTER_WAIT);
	jitter_get_stats(j, &st);
	ck_assert_uint_eq(st.gaps, 1);
	ck_assert_uint_eq(st.received, 4);
	ck_assert_uint_eq(st.played, 4);
	ck_assert_uint_eq(st.dropped_stale, 1);
	jitter_free(j);
}
END_TEST

START_TEST(test_gap_after_max_wait_pops)
{
	struct jitter *j = mk(3, 0);
	struct jitter_packet pk;

	push(j, 1, 1, 0); /* seq 0 missing, one later frame */
	ck_assert_int_eq(jitter_pop(j, &pk), JITTER_WAIT);
	ck_assert_int_eq(jitter_pop(j, &pk), JITTER_WAIT);
	ck_assert_int_eq(jitter_pop(j, &pk), JITTER_GAP);
	ck_assert_uint_eq(pk.seq, 0);
	ck_assert_int_eq(jitter_pop(j, &pk), JITTER_FRAME);
	ck_assert_uint_eq(pk.seq, 1);
	jitter_free(j);
}
END_TEST

START_TEST(test_new_turn_discards_old)
{
	struct jitter *j = mk(3, 0);
	struct jitter_packet pk;
	struct jitter_stats st;
	uint32_t turn = 0;

	push(j, 4, 0, 0);
	push(j, 4, 1, 0);
	push(j, 4, 2, 0);
	ck_assert_int_eq(jitter_pop(j, &pk), JITTER_FRAME);
	/* turn 5 starts: the two frames left of turn 4 go, late turn-4 frames are stale */
	ck_assert_int_eq(push(j, 5, 0, 0), JITTER_ACCEPTED);
	ck_assert_int_eq(jitter_current_turn(j, &turn), 1);
	ck_assert_uint_eq(turn, 5);
	ck_assert_int_eq(push(j, 4, 3, 1), JITTER_STALE);
	ck_assert_uint_eq(jitter_buffered(j), 1);
	ck_assert_int_eq(jitter_pop(j, &pk), JITTER_FRAME);
	ck_assert_uint_eq(pk.turn, 5);
	ck_assert_uint_eq(pk.seq, 0);
	jitter_get_stats(j, &st);
	ck_assert_uint_eq(st.dropped_stale, 3);
	jitter_free(j);
}
END_TEST

START_TEST(test_cancel_turn)
{
	struct jitter *j = mk(3, 0);
	struct jitter_packet pk;
	struct jitter_stats st;

	for (uint32_t s = 0; s < 10; s++)
		push(j, 9, s, 0);
	ck_assert_int_eq(jitter_pop(j, &pk), JITTER_FRAME);
	jitter_cancel_turn(j, 9);
	ck_assert_uint_eq(jitter_buffered(j), 0);
	ck_assert_int_eq(jitter_pop(j, &pk), JITTER_IDLE);
	ck_assert_int_eq(push(j, 9, 10, 0), JITTER_CANCELLED);
	ck_assert_int_eq(push(j, 8, 0, 0), JITTER_CANCELLED);
	/* cancelling ahead of time: turn 11's frames never play, turn 12's do */
	jitter_cancel_turn(j, 11);
	ck_assert_int_eq(push(j, 10, 0, 0), JITTER_CANCELLED);
	ck_assert_int_eq(push(j, 11, 0, 0), JITTER_CANCELLED);
	ck_assert_int_eq(push(j, 12, 0, 1), JITTER_ACCEPTED);
	ck_assert_int_eq(jitter_pop(j, &pk), JITTER_FRAME);
	ck_assert_uint_eq(pk.turn, 12);
	ck_assert_int_eq(jitter_turn_done(j), 1);
	jitter_get_stats(j, &st);
	ck_assert_uint_eq(st.dropped_cancelled, 9 + 4);
	jitter_free(j);
}
END_TEST

START_TEST(test_duplicates)
{
	struct jitter *j = mk(3, 0);
	struct jitter_packet pk;
	struct jitter_stats st;

	ck_assert_int_eq(push(j, 1, 0, 0), JITTER_ACCEPTED);
	ck_assert_int_eq(push(j, 1, 1, 0), JITTER_ACCEPTED);
	ck_assert_int_eq(push(j, 1, 1, 0), JITTER_DUPLICATE);
	ck_assert_int_eq(jitter_pop(j, &pk), JITTER_FRAME);
	ck_assert_int_eq(push(j, 1, 0, 0), JITTER_STALE); /* played already */
	jitter_get_stats(j, &st);
	ck_assert_uint_eq(st.duplicates, 1);
	ck_assert_uint_eq(st.received, 2);
	jitter_free(j);
}
END_TEST

START_TEST(test_last_frame_empty_and_beyond)
{
	struct jitter *j = mk(3, 0);
	struct jitter_packet pk;

	push(j, 2, 0, 0);
	ck_assert_int_eq(jitter_push(j, 2, 1, 1, NULL, 0), JITTER_ACCEPTED);
	ck_assert_int_eq(push(j, 2, 2, 0), JITTER_STALE); /* after the last frame */
	ck_assert_int_eq(jitter_pop(j, &pk), JITTER_FRAME);
	ck_assert_int_eq(jitter_turn_done(j), 0);
	ck_assert_int_eq(jitter_pop(j, &pk), JITTER_FRAME);
	ck_assert_uint_eq(pk.len, 0);
	ck_assert_int_eq(pk.last, 1);
	ck_assert_int_eq(jitter_turn_done(j), 1);
	jitter_free(j);
}
END_TEST

START_TEST(test_expect_end_finishes_lost_tail)
{
	struct jitter *j = mk(2, 0);
	struct jitter_packet pk;

	push(j, 3, 0, 0);
	push(j, 3, 1, 0);
	jitter_expect_end(j, 3, 4); /* frames 2 and 3 never come */
	ck_assert_int_eq(jitter_pop(j, &pk), JITTER_FRAME);
	ck_assert_int_eq(jitter_pop(j, &pk), JITTER_FRAME);
	ck_assert_int_eq(jitter_pop(j, &pk), JITTER_WAIT);
	ck_assert_int_eq(jitter_pop(j, &pk), JITTER_GAP);
	ck_assert_uint_eq(pk.seq, 2);
	ck_assert_int_eq(jitter_pop(j, &pk), JITTER_WAIT);
	ck_assert_int_eq(jitter_pop(j, &pk), JITTER_GAP);
	ck_assert_uint_eq(pk.seq, 3);
	ck_assert_int_eq(pk.last, 1);
	ck_assert_int_eq(jitter_turn_done(j), 1);
	ck_assert_int_eq(jitter_pop(j, &pk), JITTER_IDLE);
	/* a turn with no speech at all */
	jitter_expect_end(j, 4, 0);
	ck_assert_int_eq(jitter_turn_done(j), 1);
	ck_assert_int_eq(push(j, 4, 0, 0), JITTER_STALE);
	jitter_free(j);
}
END_TEST

START_TEST(test_prebuffer)
{
	struct jitter *j = mk(3, 3);
	struct jitter_packet pk;

	push(j, 1, 0, 0);
	push(j, 1, 1, 0);
	ck_assert_int_eq(jitter_pop(j, &pk), JITTER_WAIT);
	push(j, 1, 2, 0);
	ck_assert_int_eq(jitter_pop(j, &pk), JITTER_FRAME);
	ck_assert_uint_eq(pk.seq, 0);
	jitter_free(j);
	/* a short turn whose last frame is in plays without the full prebuffer */
	j = mk(3, 10);
	push(j, 1, 0, 1);
	ck_assert_int_eq(jitter_pop(j, &pk), JITTER_FRAME);
	jitter_free(j);
}
END_TEST

/* A whole reply burst far ahead of playback grows the ring and stays in order. */
START_TEST(test_burst_growth_and_overflow)
{
	struct jitter_config c = { .max_wait = 3, .prebuffer = 0, .max_frames = 1000 };
	struct jitter *j = jitter_new(&c);
	struct jitter_packet pk;
	uint8_t p[PROTO_FRAME_MAX_PAYLOAD];

	memset(p, 0xAB, sizeof p);
	for (uint32_t s = 999; s > 0; s--)
		ck_assert_int_eq(jitter_push(j, 1, s, s == 999, p, s % 2 ? sizeof p : 1), JITTER_ACCEPTED);
	ck_assert_int_eq(jitter_push(j, 1, 1000, 0, p, 3), JITTER_STALE); /* after last */
	ck_assert_int_eq(jitter_push(j, 1, 0, 0, p, 3), JITTER_ACCEPTED);
	for (uint32_t s = 0; s < 1000; s++) {
		ck_assert_int_eq(jitter_pop(j, &pk), JITTER_FRAME);
		ck_assert_uint_eq(pk.seq, s);
	}
	ck_assert_int_eq(jitter_turn_done(j), 1);
	ck_assert_int_eq(jitter_push(j, 2, 1000, 0, p, 3), JITTER_OVERFLOW);
	ck_assert_int_eq(jitter_push(j, 2, 0, 0, p, sizeof p + 1), JITTER_INVALID);
	ck_assert_int_eq(jitter_push(j, 2, 0, 0, NULL, 3), JITTER_INVALID);
	jitter_free(j);
}
END_TEST

/* Random arrival order, losses and duplicates: every seq comes out exactly once
 * (as a frame or a gap), in order. */
START_TEST(test_random_stream)
{
	struct jitter *j = mk(4, 0);
	struct jitter_packet pk;
	uint32_t seqs[400], next = 0;
	int done = 0;

	srand(99);
	for (uint32_t i = 0; i < 400; i++)
		seqs[i] = i;
	for (int i = 0; i < 400; i++) { /* local shuffle: displacement up to 3 */
		int k = i + rand() % 4;

		if (k < 400) {
			uint32_t t = seqs[i];
			seqs[i] = seqs[k];
			seqs[k] = t;
		}
	}
	for (int i = 0; i < 400 || !done; i++) {
		if (i < 400 && rand() % 10 != 0) {
			push(j, 1, seqs[i], seqs[i] == 399);
			if (rand() % 20 == 0)
				push(j, 1, seqs[i], seqs[i] == 399);
		}
		if (i == 400)
			jitter_expect_end(j, 1, 400);
		switch (jitter_pop(j, &pk)) {
		case JITTER_FRAME:
		case JITTER_GAP:
			ck_assert_uint_eq(pk.seq, next);
			next++;
			break;
		case JITTER_IDLE:
			done = 1;
			break;
		case JITTER_WAIT:
			break;
		}
		ck_assert_int_lt(i, 2000);
	}
	ck_assert_uint_eq(next, 400);
	jitter_free(j);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("jitter");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_in_order_and_reordered);
	tcase_add_test(tc, test_gap_after_max_wait_frames);
	tcase_add_test(tc, test_gap_after_max_wait_pops);
	tcase_add_test(tc, test_new_turn_discards_old);
	tcase_add_test(tc, test_cancel_turn);
	tcase_add_test(tc, test_duplicates);
	tcase_add_test(tc, test_last_frame_empty_and_beyond);
	tcase_add_test(tc, test_expect_end_finishes_lost_tail);
	tcase_add_test(tc, test_prebuffer);
	tcase_add_test(tc, test_burst_growth_and_overflow);
	tcase_add_test(tc, test_random_stream);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
