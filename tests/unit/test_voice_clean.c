/*
 * test_voice_clean.c - the server's cleaning before recognition (server/voice/
 * clean.c) and the catalog-aware choice among readings (server/voice/choose.c).
 *
 * Cleaning, with each cleaner (WebRTC's module and speexdsp's): a 50 Hz hum is
 * taken away and a 1 kHz tone kept; white noise alone is suppressed; a quiet voiced
 * signal is brought up; a clipping signal does not clip more; frames come out whole
 * and the part-frame at the end on flush, so every sample in is a sample out.  Two
 * sessions cleaning at once on two threads get what each gets alone (one module
 * per session); [voice] cleaner picks the cleaner.
 * Choosing: a reading naming a product beats a slightly likelier one that does
 * not, function words do not make a name ("coffee of"), weight 0 keeps the best.
 */
#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "voice/choose.h"
#include "voice/clean.h"
#include "voice/asr.h"
#include "voice_turn.h"

#define RATE 16000

static unsigned rng = 7;

static double noise(void)
{
	rng = rng * 1103515245u + 12345u;
	return ((double)((rng >> 8) & 0xFFFF) / 32768.0) - 1.0;
}

static double rms(const int16_t *p, size_t n)
{
	double e = 0;
	for (size_t i = 0; i < n; i++)
		e += (double)p[i] * p[i];
	return sqrt(e / (double)(n ? n : 1));
}

/* Runs n samples through c in odd-sized pieces; out gets every cleaned sample. */
static size_t run(struct clean *c, const int16_t *in, size_t n, int16_t *out)
{
	size_t got = 0;
	for (size_t off = 0; off < n;) {
		size_t k = n - off < 437 ? n - off : 437;
		got += clean_process(c, in + off, k, out + got);
		off += k;
	}
	got += clean_flush(c, out + got);
	return got;
}

/* the loop tests' index: 0 webrtc, 1 speex */
static struct clean *new_kind(int i)
{
	struct clean_config cfg;
	clean_config_default(&cfg);
	cfg.kind = i ? CLEAN_SPEEX : CLEAN_WEBRTC;
	return clean_new(&cfg);
}

START_TEST(test_highpass_removes_hum)
{
	struct clean_config cfg;
	clean_config_default(&cfg);
	cfg.kind = _i ? CLEAN_SPEEX : CLEAN_WEBRTC;
	cfg.denoise = 0;
	cfg.agc = 0;
	cfg.apm_noise = 0;
	cfg.apm_gain_db = -1;
	struct clean *c = clean_new(&cfg);
	ck_assert_ptr_nonnull(c);
	size_t n = RATE; /* 1 s */
	int16_t *in = malloc(n * sizeof *in), *out = malloc((n + CLEAN_FRAME) * sizeof *out);
	for (size_t i = 0; i < n; i++)
		in[i] = (int16_t)(8000 * sin(2 * M_PI * 50 * i / RATE));
	ck_assert_uint_eq(run(c, in, n, out), n);
	ck_assert(rms(out + n / 2, n / 2) < 0.35 * rms(in + n / 2, n / 2));
	clean_reset(c);
	for (size_t i = 0; i < n; i++)
		in[i] = (int16_t)(8000 * sin(2 * M_PI * 1000 * i / RATE));
	ck_assert_uint_eq(run(c, in, n, out), n);
	double r = rms(out + n / 2, n / 2) / rms(in + n / 2, n / 2);
	ck_assert(r > 0.97 && r < 1.03);
	free(in);
	free(out);
	clean_free(c);
}
END_TEST

START_TEST(test_noise_suppressed_quiet_brought_up)
{
	struct clean *c = new_kind(_i);
	ck_assert_ptr_nonnull(c);
	size_t n = 3 * RATE;
	int16_t *in = malloc(n * sizeof *in), *out = malloc((n + CLEAN_FRAME) * sizeof *out);
	/* 1 s of steady white noise, then 2 s of a quiet voiced signal over it */
	for (size_t i = 0; i < n; i++) {
		double t = (double)i / RATE, v = 150 * noise();
		if (i >= (size_t)RATE)
			v += 600 * (0.6 + 0.4 * sin(2 * M_PI * 4 * t)) *
			     (sin(2 * M_PI * 150 * t) + 0.5 * sin(2 * M_PI * 300 * t) +
			      0.3 * sin(2 * M_PI * 450 * t));
		in[i] = (int16_t)v;
	}
	ck_assert_uint_eq(run(c, in, n, out), n);
	/* the noise-only second, after the suppressor has learnt it */
	ck_assert(rms(out + RATE / 2, RATE / 2) < 0.6 * rms(in + RATE / 2, RATE / 2));
	/* the last second of "speech": louder than it came in (speex's gain); WebRTC's
	 * suppressor takes this steady synthetic voice partly for noise and its gain
	 * makes up for that: not quieter than it came in */
	ck_assert(rms(out + 2 * RATE, RATE) > (_i ? 1.5 : 0.9) * rms(in + 2 * RATE, RATE));
	free(in);
	free(out);
	clean_free(c);
}
END_TEST

START_TEST(test_clipping_not_made_worse)
{
	struct clean *c = new_kind(_i);
	size_t n = 2 * RATE, clipped_in = 0, clipped_out = 0;
	int16_t *in = malloc(n * sizeof *in), *out = malloc((n + CLEAN_FRAME) * sizeof *out);
	for (size_t i = 0; i < n; i++) {
		double v = 60000 * sin(2 * M_PI * 300 * i / RATE);
		in[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
		clipped_in += in[i] >= 32767 || in[i] <= -32768;
	}
	ck_assert_uint_eq(run(c, in, n, out), n);
	for (size_t i = 0; i < n; i++)
		clipped_out += out[i] >= 32767 || out[i] <= -32768;
	ck_assert_uint_le(clipped_out, clipped_in);
	free(in);
	free(out);
	clean_free(c);
}
END_TEST

START_TEST(test_bad_settings)
{
	struct clean_config cfg;
	clean_config_default(&cfg);
	cfg.highpass_hz = RATE;
	ck_assert_ptr_null(clean_new(&cfg));
	clean_config_default(&cfg);
	cfg.suppress_db = 5;
	ck_assert_ptr_null(clean_new(&cfg));
	clean_config_default(&cfg);
	cfg.apm_noise = 5;
	ck_assert_ptr_null(clean_new(&cfg));
	clean_config_default(&cfg);
	cfg.apm_gain_db = 91;
	ck_assert_ptr_null(clean_new(&cfg));
	clean_config_default(&cfg);
	cfg.apm_pregain_db = -1;
	ck_assert_ptr_null(clean_new(&cfg));
}
END_TEST

static int read_kind(const char *text, struct clean_config *c)
{
	struct config cfg;
	char err[200];
	memset(&cfg, 0, sizeof cfg);
	ck_assert_int_eq(config_parse(&cfg, text, err, sizeof err), 0);
	int on = clean_config_read(&cfg, c);
	config_free(&cfg);
	return on;
}

START_TEST(test_cleaner_setting)
{
	struct clean_config c;
	ck_assert_int_eq(read_kind("", &c), 1);
	ck_assert_int_eq(c.kind, CLEAN_WEBRTC);
	ck_assert_int_eq(c.apm_noise, 3);
	ck_assert_int_eq(read_kind("[voice]\ncleaner = speex\n", &c), 1);
	ck_assert_int_eq(c.kind, CLEAN_SPEEX);
	ck_assert_int_eq(read_kind("[voice]\ncleaner = off\n", &c), 0);
	ck_assert_int_eq(read_kind("[voice]\nclean = off\n", &c), 0);
	ck_assert_int_eq(read_kind("[voice]\ncleaner = webrtc\napm_noise = veryhigh\n"
				   "apm_gain_db = 12\napm_pregain_db = 20\n", &c), 1);
	ck_assert_int_eq(c.kind, CLEAN_WEBRTC);
	ck_assert_int_eq(c.apm_noise, 4);
	ck_assert_int_eq(c.apm_gain_db, 12);
	ck_assert_int_eq(c.apm_pregain_db, 20);
	/* a bad value: the default, with a warning */
	ck_assert_int_eq(read_kind("[voice]\ncleaner = loud\napm_noise = max\napm_gain_db = 200\n", &c),
			 1);
	ck_assert_int_eq(c.kind, CLEAN_WEBRTC);
	ck_assert_int_eq(c.apm_noise, 3);
	ck_assert_int_eq(c.apm_gain_db, 9);
}
END_TEST

/* Two sessions clean at once, each with its own module: each gets what it gets
 * alone. */
struct lane {
	int16_t *in, *out;
	size_t n, got;
};

static void *clean_lane(void *arg)
{
	struct lane *l = arg;
	struct clean *c = new_kind(0);
	l->got = c ? run(c, l->in, l->n, l->out) : 0;
	clean_free(c);
	return NULL;
}

START_TEST(test_sessions_apart)
{
	size_t n = 2 * RATE;
	struct lane a[2], alone[2];
	for (int k = 0; k < 2; k++) {
		a[k].n = alone[k].n = n;
		a[k].in = alone[k].in = malloc(n * sizeof(int16_t));
		a[k].out = malloc((n + CLEAN_FRAME) * sizeof(int16_t));
		alone[k].out = malloc((n + CLEAN_FRAME) * sizeof(int16_t));
		for (size_t i = 0; i < n; i++)
			a[k].in[i] = (int16_t)((k ? 300 : 40) * noise() +
					       (k ? 2000 : 500) * sin(2 * M_PI * (200 + 150 * k) * i / RATE));
		clean_lane(&alone[k]);
	}
	pthread_t t[2];
	for (int k = 0; k < 2; k++)
		ck_assert_int_eq(pthread_create(&t[k], NULL, clean_lane, &a[k]), 0);
	for (int k = 0; k < 2; k++) {
		pthread_join(t[k], NULL);
		ck_assert_uint_eq(a[k].got, n);
		ck_assert_uint_eq(alone[k].got, n);
		ck_assert(memcmp(a[k].out, alone[k].out, n * sizeof(int16_t)) == 0);
		free(a[k].in);
		free(a[k].out);
		free(alone[k].out);
	}
}
END_TEST

START_TEST(test_cover)
{
	const char *names[] = { "dark roast coffee beans", "dark roast coffee", "crunchy peanut butter",
				"watermelon", "copy paper" };
	struct choose_names *nm = choose_names_new(names, 5);
	ck_assert_ptr_nonnull(nm);
	ck_assert_int_eq(choose_cover(nm, "add the crunchy peanut butter"), 3);
	ck_assert_int_eq(choose_cover(nm, "add the crunchy peanut other"), 2);
	ck_assert_int_eq(choose_cover(nm, "i'd like a watermelon"), 1);
	ck_assert_int_eq(choose_cover(nm, "a coffee of that"), 0);
	ck_assert_int_eq(choose_cover(nm, "i'm looking for dark roast coffee"), 3);
	ck_assert_int_eq(choose_cover(nm, ""), 0);
	/* sizes name nothing */
	ck_assert_int_eq(choose_cover(nm, "two pounds"), 0);
	/* a repeated name gains nothing */
	ck_assert_int_eq(choose_cover(nm, "add crunchy peanut butter and watermelon"), 3);
	choose_names_free(nm);
}
END_TEST

START_TEST(test_choose)
{
	const char *names[] = { "crunchy peanut butter", "gala apples" };
	struct choose_names *nm = choose_names_new(names, 2);
	struct asr_hyp h[3] = { { "add the crunchy peanut other", -1000 },
				{ "add the crunchy peanut butter", -2500 },
				{ "add the lunchy peanut butter", -1100 } };
	ck_assert_uint_eq(choose_hypothesis(h, 3, nm, CHOOSE_WEIGHT), 1);
	ck_assert_uint_eq(choose_hypothesis(h, 3, nm, 0), 0);
	ck_assert_uint_eq(choose_hypothesis(h, 3, NULL, CHOOSE_WEIGHT), 0);
	/* a likelier reading naming no more than the first does not win */
	h[2].score = -10;
	ck_assert_uint_eq(choose_hypothesis(h, 3, nm, CHOOSE_WEIGHT), 1);
	h[1].score = -20000;
	ck_assert_uint_eq(choose_hypothesis(h, 3, nm, CHOOSE_WEIGHT), 0);
	h[1].score = -2500;
	/* a first reading naming nothing stays */
	struct asr_hyp cmd[2] = { { "check out", -100 }, { "gala apples out", -200 } };
	ck_assert_uint_eq(choose_hypothesis(cmd, 2, nm, CHOOSE_WEIGHT), 0);
	/* far less likely readings do not win on names alone */
	h[1].score = -1000 - 10 * CHOOSE_WEIGHT;
	ck_assert_uint_eq(choose_hypothesis(h, 3, nm, CHOOSE_WEIGHT), 0);
	choose_names_free(nm);
}
END_TEST

/* After "Shall I place the order?" a yes or a no among the readings is taken over a
 * likelier reading that answers nothing; after "which one?" a pick. */
START_TEST(test_choose_expected_answer)
{
	const char *names[] = { "crunchy peanut butter", "gala apples" };
	struct choose_names *nm = choose_names_new(names, 2);
	ck_assert_int_eq(choose_is_answer(CHOOSE_EXPECT_YESNO, "yes please"), 1);
	ck_assert_int_eq(choose_is_answer(CHOOSE_EXPECT_YESNO, "um no thanks"), 1);
	ck_assert_int_eq(choose_is_answer(CHOOSE_EXPECT_YESNO, "less please"), 0);
	/* "go that" is how "no thanks" comes out in pink noise: not taken for a yes */
	ck_assert_int_eq(choose_is_answer(CHOOSE_EXPECT_YESNO, "go that"), 0);
	ck_assert_int_eq(choose_is_answer(CHOOSE_EXPECT_YESNO, ""), 0);
	ck_assert_int_eq(choose_is_answer(CHOOSE_EXPECT_ANY, "yes"), 0);
	ck_assert_int_eq(choose_is_answer(CHOOSE_EXPECT_PICK, "the second one"), 1);
	ck_assert_int_eq(choose_is_answer(CHOOSE_EXPECT_PICK, "the second one of the gala apples"), 0);
	struct asr_hyp h[3] = { { "less please", -1000 }, { "gala apples please", -1500 },
				{ "yes please", -3000 } };
	ck_assert_uint_eq(choose_hypothesis_expect(h, 3, nm, CHOOSE_WEIGHT, CHOOSE_EXPECT_YESNO,
						   CHOOSE_EXPECT_MARGIN), 2);
	/* no question open: the recogniser's own best */
	ck_assert_uint_eq(choose_hypothesis_expect(h, 3, nm, CHOOSE_WEIGHT, CHOOSE_EXPECT_ANY,
						   CHOOSE_EXPECT_MARGIN), 0);
	/* far less likely: not taken */
	h[2].score = -1000 - CHOOSE_EXPECT_MARGIN - 1;
	ck_assert_uint_eq(choose_hypothesis_expect(h, 3, nm, CHOOSE_WEIGHT, CHOOSE_EXPECT_YESNO,
						   CHOOSE_EXPECT_MARGIN), 0);
	/* a first reading that answers stays */
	struct asr_hyp a[2] = { { "no thanks", -1000 }, { "yes thanks", -900 } };
	ck_assert_uint_eq(choose_hypothesis_expect(a, 2, nm, CHOOSE_WEIGHT, CHOOSE_EXPECT_YESNO,
						   CHOOSE_EXPECT_MARGIN), 0);
	struct asr_hyp p[2] = { { "the second gala", -1000 }, { "the second one", -1800 } };
	ck_assert_uint_eq(choose_hypothesis_expect(p, 2, NULL, 0, CHOOSE_EXPECT_PICK,
						   CHOOSE_EXPECT_MARGIN), 0); /* "the second gala" is a pick too */
	struct asr_hyp q[2] = { { "and a second one more", -1000 }, { "the second one", -1800 } };
	ck_assert_uint_eq(choose_hypothesis_expect(q, 2, NULL, 0, CHOOSE_EXPECT_PICK,
						   CHOOSE_EXPECT_MARGIN), 1);
	choose_names_free(nm);
}
END_TEST

/* Read-back: a cart change is unsure when a close reading asks for another change or
 * the checkout, or says another number; readings asking for nothing do not count. */
START_TEST(test_unsure)
{
	struct asr_hyp h[3] = { { "add cheddar cheese", -1000 }, { "check me out", -3000 },
				{ "and cheddar cheese", -1500 } };
	/* "check me out" heard as an add, the checkout close behind: unsure */
	ck_assert_int_eq(voice_turn_unsure(h, 3, 0, 6000), 1);
	/* ... but far behind: sure */
	ck_assert_int_eq(voice_turn_unsure(h, 3, 0, 1000), 0);
	/* the chosen reading is the checkout: nothing changes the cart, nothing to ask */
	ck_assert_int_eq(voice_turn_unsure(h, 3, 1, 6000), 0);
	/* another number said */
	struct asr_hyp q[2] = { { "add two gala apples", -1000 }, { "add ten gala apples", -2000 } };
	ck_assert_int_eq(voice_turn_unsure(q, 2, 0, 6000), 1);
	/* the same change, a number said in one only, or a reading that asks nothing */
	struct asr_hyp s[3] = { { "add two gala apples", -1000 }, { "add to gala apples", -1200 },
				{ "at two gala apples", -1300 } };
	ck_assert_int_eq(voice_turn_unsure(s, 3, 0, 6000), 0);
	/* remove against add */
	struct asr_hyp r[2] = { { "remove the gala apples", -1000 }, { "add the gala apples", -1100 } };
	ck_assert_int_eq(voice_turn_unsure(r, 2, 0, 6000), 1);
	/* another product: "oil" and "towel" */
	struct asr_hyp o[3] = { { "get me a oil", -1000 }, { "get me a", -1000 },
				{ "give me a towel", -1400 } };
	ck_assert_int_eq(voice_turn_unsure(o, 3, 0, 6000), 1);
	/* named only by a size, or without a verb: how "check me out" comes out in noise */
	struct asr_hyp g[2] = { { "add one gallon", -1000 }, { "put one gallon", -1000 } };
	ck_assert_int_eq(voice_turn_unsure(g, 2, 0, 6000), 1);
	struct asr_hyp f[1] = { { "twelve green tea out", -1000 } };
	ck_assert_int_eq(voice_turn_unsure(f, 1, 0, 6000), 1);
	struct asr_hyp t[1] = { { "just the towels", -1000 } };
	ck_assert_int_eq(voice_turn_unsure(t, 1, 0, 6000), 1);
	/* the chosen one names nothing: the dialogue asks which product itself */
	ck_assert_int_eq(voice_turn_unsure(o, 3, 1, 6000), 0);
	ck_assert_int_eq(voice_turn_changes_cart("add two gala apples to my cart"), 1);
	ck_assert_int_eq(voice_turn_changes_cart("check me out"), 0);
	ck_assert_int_eq(voice_turn_changes_cart("what is in my cart"), 0);
	ck_assert_int_eq(voice_turn_changes_cart("don't add the apples"), 0);
	ck_assert_int_eq(voice_turn_unsure(NULL, 0, 0, 6000), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("voice_clean");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_highpass_removes_hum, 0, 2);
	tcase_add_loop_test(tc, test_noise_suppressed_quiet_brought_up, 0, 2);
	tcase_add_loop_test(tc, test_clipping_not_made_worse, 0, 2);
	tcase_add_test(tc, test_bad_settings);
	tcase_add_test(tc, test_cleaner_setting);
	tcase_add_test(tc, test_sessions_apart);
	tcase_add_test(tc, test_cover);
	tcase_add_test(tc, test_choose);
	tcase_add_test(tc, test_choose_expected_answer);
	tcase_add_test(tc, test_unsure);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
