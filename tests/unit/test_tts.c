/*
 * test_tts.c - eSpeak NG synthesis to Opus packets (server/voice/tts.c): packet
 * count and audio, cancel within one frame, blank text, bad configuration, speed
 * and pitch taking effect, and concurrent sessions serialised by the module lock.
 * Prints the measured synthesis speed.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "opuscodec.h"
#include "voice/tts.h"
#include "vad.h"

struct sink {
	int packets;
	size_t bytes;
	int cancel_after; /* 0: never */
	struct opus_dec *dec;
	double energy_db_max;
	double first_ms; /* when the first packet came (now_ms clock), 0 before */
};

static double now_ms(void);

static void on_packet(void *ctx, const uint8_t *opus, size_t len)
{
	struct sink *s = ctx;
	int16_t pcm[960];

	ck_assert_uint_gt(len, 0);
	ck_assert_uint_le(len, OPUS_MAX_PACKET);
	if (s->packets++ == 0)
		s->first_ms = now_ms();
	s->bytes += len;
	if (s->dec) {
		int n = opus_dec_decode(s->dec, opus, len, pcm, 960);
		double db;

		ck_assert_int_eq(n, opus_dec_rate(s->dec) / 50);
		db = vad_frame_db(pcm, (size_t)n);
		if (db > s->energy_db_max)
			s->energy_db_max = db;
	}
}

static int on_cancel(void *ctx)
{
	struct sink *s = ctx;

	return s->cancel_after > 0 && s->packets >= s->cancel_after;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

START_TEST(test_speak_packets)
{
	char err[256] = "";
	struct tts *t = tts_new(NULL, err, sizeof err);
	struct sink s = { .energy_db_max = -100 };
	int16_t *pcm = NULL;
	size_t n = 0;
	int k;

	ck_assert_msg(t != NULL, "%s", err);
	ck_assert_int_eq(tts_sample_rate(t), 24000);
	s.dec = opus_dec_new(24000, err, sizeof err);
	k = tts_speak(t, "I added two bananas to your cart.", on_packet, on_cancel, &s, err, sizeof err);
	ck_assert_msg(k > 0, "%s", err);
	ck_assert_int_eq(k, s.packets);
	/* about 1.5-3 s of speech, and it is not silence */
	ck_assert_int_ge(k, 60);
	ck_assert_int_le(k, 160);
	ck_assert_double_gt(s.energy_db_max, -30.0);
	/* the packet count is the PCM length in 20 ms frames, rounded up */
	ck_assert_int_eq(tts_synth_pcm(t, "I added two bananas to your cart.", NULL, NULL, &pcm, &n,
				       err, sizeof err), 0);
	ck_assert_int_eq(k, (int)((n + 479) / 480));
	free(pcm);
	opus_dec_free(s.dec);
	tts_free(t);
}
END_TEST

START_TEST(test_cancel_within_one_frame)
{
	char err[256];
	struct tts *t = tts_new(NULL, err, sizeof err);
	struct sink s = { .cancel_after = 5 };
	int k = tts_speak(t, "Here are three kinds of coffee beans that I found for you.", on_packet,
			  on_cancel, &s, err, sizeof err);

	ck_assert_int_eq(k, 5);
	ck_assert_int_eq(s.packets, 5);
	tts_free(t);
}
END_TEST

static int always(void *ctx)
{
	(void)ctx;
	return 1;
}

START_TEST(test_cancel_before_start)
{
	char err[256];
	struct tts *t = tts_new(NULL, err, sizeof err);
	struct sink s = { 0 };
	int16_t *pcm = NULL;
	size_t n = 0;

	ck_assert_int_eq(tts_speak(t, "Hello there.", on_packet, always, &s, err, sizeof err), 0);
	ck_assert_int_eq(s.packets, 0);
	ck_assert_int_eq(tts_synth_pcm(t, "Hello there.", always, NULL, &pcm, &n, err, sizeof err), 1);
	free(pcm);
	tts_free(t);
}
END_TEST

START_TEST(test_blank_and_odd_text)
{
	char err[256];
	struct tts *t = tts_new(NULL, err, sizeof err);
	struct sink s = { 0 };

	ck_assert_int_eq(tts_speak(t, "", on_packet, NULL, &s, err, sizeof err), 0);
	ck_assert_int_eq(tts_speak(t, "  \n\t ", on_packet, NULL, &s, err, sizeof err), 0);
	ck_assert_int_eq(s.packets, 0);
	/* markup is text, odd characters do not break it */
	ck_assert_int_gt(tts_speak(t, "<speak>Total: $12.50 &amp; 3 items \xC3\xA9t\xC3\xA9 \xF0\x9F\x8D\x8C</speak>",
				   on_packet, NULL, &s, err, sizeof err), 0);
	ck_assert_int_eq(tts_speak(t, NULL, on_packet, NULL, &s, err, sizeof err), -1);
	ck_assert_int_eq(tts_speak(t, "x", NULL, NULL, &s, err, sizeof err), -1);
	tts_free(t);
}
END_TEST

START_TEST(test_bad_config)
{
	struct tts_config c;
	char err[256] = "";

	tts_config_default(&c);
	c.voice = "no-such-voice-xx";
	ck_assert_ptr_null(tts_new(&c, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "unknown voice"));
	tts_config_default(&c);
	c.rate_wpm = 20;
	ck_assert_ptr_null(tts_new(&c, err, sizeof err));
	tts_config_default(&c);
	c.pitch = 101;
	ck_assert_ptr_null(tts_new(&c, err, sizeof err));
	tts_config_default(&c);
	c.sample_rate = 22050;
	ck_assert_ptr_null(tts_new(&c, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "sample rate"));
}
END_TEST

static size_t synth_len(const char *voice, int wpm, int pitch, int rate)
{
	struct tts_config c;
	char err[256];
	struct tts *t;
	int16_t *pcm = NULL;
	size_t n = 0;

	tts_config_default(&c);
	c.voice = voice;
	c.rate_wpm = wpm;
	c.pitch = pitch;
	c.sample_rate = rate;
	t = tts_new(&c, err, sizeof err);
	ck_assert_msg(t != NULL, "%s", err);
	ck_assert_int_eq(tts_synth_pcm(t, "Your order of dark roast coffee beans is on its way.",
				       NULL, NULL, &pcm, &n, err, sizeof err), 0);
	free(pcm);
	tts_free(t);
	return n;
}

START_TEST(test_rate_and_voice)
{
	size_t slow = synth_len("en-us", 120, 50, 16000);
	size_t fast = synth_len("en-us", 300, 50, 16000);
	size_t at48 = synth_len("en-us", 120, 50, 48000);

	ck_assert_uint_gt(slow, fast * 3 / 2);
	/* same speech at 3x the sample rate: 3x the samples (within a frame) */
	ck_assert_uint_lt(at48 > slow * 3 ? at48 - slow * 3 : slow * 3 - at48, 960);
	ck_assert_uint_gt(synth_len("en-gb+f3", 175, 80, 24000), 0);
}
END_TEST

struct worker {
	const char *voice;
	int wpm;
	size_t n[6];
};

static void *work(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < 6; i++)
		w->n[i] = synth_len(w->voice, w->wpm, 50, 24000);
	return NULL;
}

/* Sessions with different voices in parallel get what they would alone.  eSpeak's
 * output length wanders by a few samples from one call to the next even on one
 * thread, so "the same" is within 1%; a voice or speed mixed up between threads
 * changes the length by 20% or more. */
START_TEST(test_concurrent_sessions)
{
	struct worker w[4] = { { "en-us", 175, { 0 } }, { "en-gb", 140, { 0 } },
			       { "en-us+f3", 220, { 0 } }, { "en-gb-x-rp", 300, { 0 } } };
	pthread_t th[4];

	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, work, &w[i]), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 4; i++) {
		size_t alone = synth_len(w[i].voice, w[i].wpm, 50, 24000);

		for (int k = 0; k < 6; k++)
			ck_assert_msg(w[i].n[k] * 100 > alone * 99 && w[i].n[k] * 100 < alone * 101,
				      "%s: %zu samples, %zu alone", w[i].voice, w[i].n[k], alone);
	}
}
END_TEST

START_TEST(test_speed)
{
	char err[256];
	struct tts *t = tts_new(NULL, err, sizeof err);
	struct sink s = { 0 };
	const char *text = "I found three kinds of dark roast coffee beans. The first is one kilogram "
			   "for eighteen dollars, the second is half a kilogram for eleven dollars.";
	double t0, t1;
	int k;

	tts_speak(t, "Warm up.", on_packet, NULL, &s, err, sizeof err);
	s.packets = 0;
	t0 = now_ms();
	k = tts_speak(t, text, on_packet, NULL, &s, err, sizeof err);
	t1 = now_ms();
	ck_assert_int_gt(k, 0);
	printf("tts: %.2f s of speech synthesised, resampled and Opus-encoded in %.1f ms "
	       "(%.0fx real time), first packet after %.1f ms\n", k * 0.02, t1 - t0,
	       k * 20.0 / (t1 - t0), s.first_ms - t0);
	/* generous bound so slow CI and sanitizer builds pass */
	ck_assert_double_lt(t1 - t0, k * 20.0);
	tts_free(t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tts");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_speak_packets);
	tcase_add_test(tc, test_cancel_within_one_frame);
	tcase_add_test(tc, test_cancel_before_start);
	tcase_add_test(tc, test_blank_and_odd_text);
	tcase_add_test(tc, test_bad_config);
	tcase_add_test(tc, test_rate_and_voice);
	tcase_add_test(tc, test_concurrent_sessions);
	tcase_add_test(tc, test_speed);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
