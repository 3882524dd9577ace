/*
 * test_vad.c - energy VAD (shared/media/vad.c) on synthetic audio: background noise, a
 * voiced signal (amplitude-modulated harmonics), short pauses, a cough-length
 * burst, a rising noise floor, and one real utterance synthesised by flite.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vad.h"
#include "wav.h"

#define RATE 16000
#define FRAME 320 /* 20 ms */

static unsigned rng = 1;

static double noise(void)
{
	rng = rng * 1103515245u + 12345u;
	return ((double)((rng >> 8) & 0xFFFF) / 32768.0) - 1.0;
}

/* kind: 0 noise only, 1 "voice" over noise */
static void gen(int16_t *pcm, size_t n, int kind, double noise_amp, size_t t0)
{
	for (size_t i = 0; i < n; i++) {
		double t = (double)(t0 + i) / RATE, v = noise() * noise_amp;

		if (kind == 1)
			v += 6000.0 * (0.6 + 0.4 * sin(2 * M_PI * 4 * t)) *
			     (sin(2 * M_PI * 150 * t) + 0.5 * sin(2 * M_PI * 300 * t) +
			      0.3 * sin(2 * M_PI * 450 * t));
		pcm[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
	}
}

struct run {
	int starts, barge, ends;
	int start_ms, barge_ms, end_ms; /* time of the first of each event */
};

/* Feeds ms of audio of one kind; records events at their time. */
static void feed(struct vad *v, struct run *r, int *clock_ms, int ms, int kind, double noise_amp)
{
	int16_t pcm[FRAME];

	for (int t = 0; t < ms; t += 20) {
		gen(pcm, FRAME, kind, noise_amp, (size_t)*clock_ms * 16);
		*clock_ms += 20;
		switch (vad_process(v, pcm, FRAME)) {
		case VAD_START:
			if (!r->starts++)
				r->start_ms = *clock_ms;
			break;
		case VAD_BARGE_IN:
			if (!r->barge++)
				r->barge_ms = *clock_ms;
			break;
		case VAD_END:
			if (!r->ends++)
				r->end_ms = *clock_ms;
			break;
		case VAD_NONE:
			break;
		}
	}
}

START_TEST(test_noise_only)
{
	struct vad *v = vad_new(NULL);
	struct run r = { 0 };
	int clock = 0;

	feed(v, &r, &clock, 5000, 0, 300.0);
	ck_assert_int_eq(r.starts, 0);
	ck_assert_int_eq(vad_in_speech(v), 0);
	ck_assert_float_lt(vad_floor_db(v), -35.0f);
	vad_free(v);
}
END_TEST

START_TEST(test_utterance_end_after_500ms)
{
	struct vad *v = vad_new(NULL);
	struct run r = { 0 };
	int clock = 0;

	feed(v, &r, &clock, 1000, 0, 100.0);
	feed(v, &r, &clock, 1500, 1, 100.0);
	ck_assert_int_eq(r.starts, 1);
	ck_assert_int_le(r.start_ms, 1000 + 100);
	ck_assert_int_eq(r.barge, 1);
	ck_assert_int_ge(r.barge_ms, 1000 + 300);
	ck_assert_int_le(r.barge_ms, 1000 + 320);
	ck_assert_int_eq(vad_in_speech(v), 1);
	feed(v, &r, &clock, 1000, 0, 100.0);
	ck_assert_int_eq(r.ends, 1);
	ck_assert_int_ge(r.end_ms, 2500 + 500);
	ck_assert_int_le(r.end_ms, 2500 + 540);
	ck_assert_uint_ge(vad_speech_ms(v), 1400);
	vad_free(v);
}
END_TEST

START_TEST(test_pauses_do_not_end)
{
	struct vad *v = vad_new(NULL);
	struct run r = { 0 };
	int clock = 0;

	feed(v, &r, &clock, 600, 0, 100.0);
	for (int i = 0; i < 4; i++) {
		feed(v, &r, &clock, 400, 1, 100.0);
		feed(v, &r, &clock, 300, 0, 100.0); /* a pause between words */
	}
	ck_assert_int_eq(r.starts, 1);
	ck_assert_int_eq(r.ends, 0);
	feed(v, &r, &clock, 600, 0, 100.0);
	ck_assert_int_eq(r.ends, 1);
	vad_free(v);
}
END_TEST

START_TEST(test_cough_is_no_barge_in)
{
	struct vad *v = vad_new(NULL);
	struct run r = { 0 };
	int clock = 0;

	feed(v, &r, &clock, 600, 0, 100.0);
	feed(v, &r, &clock, 120, 1, 100.0);
	feed(v, &r, &clock, 800, 0, 100.0);
	ck_assert_int_eq(r.barge, 0);
	ck_assert_uint_lt(vad_speech_ms(v), 300);
	vad_free(v);
}
END_TEST

START_TEST(test_configurable_end)
{
	struct vad_config c;
	struct vad *v;
	struct run r = { 0 };
	int clock = 0;

	vad_config_default(&c);
	c.end_silence_ms = 1200;
	v = vad_new(&c);
	feed(v, &r, &clock, 500, 0, 100.0);
	feed(v, &r, &clock, 800, 1, 100.0);
	feed(v, &r, &clock, 1000, 0, 100.0);
	ck_assert_int_eq(r.ends, 0);
	feed(v, &r, &clock, 400, 0, 100.0);
	ck_assert_int_eq(r.ends, 1);
	ck_assert_int_ge(r.end_ms, 1300 + 1200);
	vad_free(v);
}
END_TEST

/* A fan switched on: loud steady noise is learnt as the floor and the
 * "utterance" it opened ends within a few seconds. */
START_TEST(test_noise_step_is_learnt)
{
	struct vad *v = vad_new(NULL);
	struct run r = { 0 };
	int clock = 0;

	feed(v, &r, &clock, 1000, 0, 50.0);
	feed(v, &r, &clock, 8000, 0, 3000.0);
	ck_assert_int_eq(r.ends, r.starts);
	ck_assert_int_eq(vad_in_speech(v), 0);
	/* and speech over the new noise is still heard */
	memset(&r, 0, sizeof r);
	feed(v, &r, &clock, 1000, 1, 3000.0);
	ck_assert_int_eq(r.starts, 1);
	vad_free(v);
}
END_TEST

START_TEST(test_frame_db)
{
	int16_t pcm[FRAME];

	memset(pcm, 0, sizeof pcm);
	ck_assert_float_le(vad_frame_db(pcm, FRAME), -90.0f);
	for (int i = 0; i < FRAME; i++)
		pcm[i] = (int16_t)(i % 2 ? 16384 : -16384);
	ck_assert_float_eq_tol(vad_frame_db(pcm, FRAME), -6.02f, 0.05f);
	ck_assert_float_le(vad_frame_db(NULL, 0), -90.0f);
	ck_assert_int_eq(vad_process(NULL, pcm, FRAME), VAD_NONE);
}
END_TEST

/* Real speech: one utterance with natural word gaps gives one start and one end. */
START_TEST(test_flite_utterance)
{
	char dir[] = "/tmp/voxcart-vad-XXXXXX", cmd[512], path[128], err[256];
	int16_t *pcm = NULL, pad[FRAME];
	size_t n = 0;
	struct vad *v = vad_new(NULL);
	int starts = 0, ends = 0;

	if (system("command -v flite >/dev/null 2>&1") != 0)
		return; /* tool missing: nothing to test against */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/u.wav", dir);
	snprintf(cmd, sizeof cmd, "flite -voice slt -t 'add two bananas and a bag of coffee to my cart' -o %s", path);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_msg(wav_read_mono16(path, RATE, &pcm, &n, err, sizeof err) == 0, "%s", err);
	memset(pad, 0, sizeof pad);
	for (int i = 0; i < 25; i++) { /* quiet room first: 500 ms */
		gen(pad, FRAME, 0, 30.0, 0);
		vad_process(v, pad, FRAME);
	}
	for (size_t i = 0; i + FRAME <= n; i += FRAME) {
		enum vad_event e = vad_process(v, pcm + i, FRAME);

		starts += e == VAD_START;
		ends += e == VAD_END;
	}
	for (int i = 0; i < 40; i++) {
		gen(pad, FRAME, 0, 30.0, 0);
		enum vad_event e = vad_process(v, pad, FRAME);

		starts += e == VAD_START;
		ends += e == VAD_END;
	}
	ck_assert_int_eq(starts, 1);
	ck_assert_int_eq(ends, 1);
	free(pcm);
	vad_free(v);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vad");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_noise_only);
	tcase_add_test(tc, test_utterance_end_after_500ms);
	tcase_add_test(tc, test_pauses_do_not_end);
	tcase_add_test(tc, test_cough_is_no_barge_in);
	tcase_add_test(tc, test_configurable_end);
	tcase_add_test(tc, test_noise_step_is_learnt);
	tcase_add_test(tc, test_frame_db);
	tcase_add_test(tc, test_flite_utterance);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
