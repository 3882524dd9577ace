/*
 * test_aec.c - echo cancellation (shared/media/aec.c) in a simulated room.
 *
 * The far end is speech (an eSpeak NG paragraph, or a deterministic speech-like
 * signal when eSpeak NG is missing); the room turns it into an echo 40 ms late with
 * a few reflections, about 6 dB down, over faint background noise.  The near-end
 * talker is a second voice (flite's awb, or a synthetic voice at another pitch).
 * A simulated clock moves 20 ms per frame, the player pushing each far frame just
 * before the microphone frame is captured, as the threads do.
 *
 * Checks: the echo return loss enhancement (ERLE) once the filter has converged;
 * near-end speech alone keeps its level; near-end speech over the echo (double talk)
 * gets through; the VAD (vad.h) never reaches VAD_BARGE_IN on the echo alone, from
 * the first frame on, and does on the near-end talker; the far-end FIFO is aligned
 * by the stamps (a delay is honoured, a far end that started long ago is dropped).
 * Measured values are printed on stderr.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aec.h"
#include "vad.h"
#include "wav.h"

#define RATE AEC_RATE
#define FRAME AEC_FRAME
#define SEC(s) ((size_t)((s) * RATE))

/* The bounds, set from measurement with margin (see the stderr lines). */
#define ERLE_MIN_DB 20.0     /* echo only, after convergence (measured 29-31) */
#define NEAR_LOSS_MAX_DB 3.0 /* near-end talker alone (measured 0.3) */
#define DT_LOSS_MAX_DB 6.0   /* near-end talker over the echo (measured 0.4) */

static unsigned rng = 7;

static double noise(void)
{
	rng = rng * 1103515245u + 12345u;
	return ((double)((rng >> 8) & 0xFFFF) / 32768.0) - 1.0;
}

static int16_t clip(double v)
{
	return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : lround(v));
}

/* Speech-like: harmonics of a gliding pitch, syllable-rate envelope, pauses. */
static void synth_voice(int16_t *pcm, size_t n, double f0, double amp)
{
	double ph = 0;
	for (size_t i = 0; i < n; i++) {
		double t = (double)i / RATE;
		double f = f0 * (1.0 + 0.15 * sin(2 * M_PI * 0.7 * t));
		ph += 2 * M_PI * f / RATE;
		double env = fmax(0.0, sin(2 * M_PI * 2.5 * t)) * (fmod(t, 2.0) < 1.6 ? 1.0 : 0.0);
		double v = sin(ph) + 0.6 * sin(2 * ph) + 0.4 * sin(3 * ph) + 0.25 * sin(5 * ph) +
			   0.15 * noise();
		pcm[i] = clip(amp * env * v);
	}
}

/* A voice from a tool when it is there ("" when not), else synthetic; n samples. */
static int16_t *voice(const char *cmd_fmt, size_t n, double f0, double amp)
{
	int16_t *pcm = calloc(n, sizeof *pcm);
	ck_assert_ptr_nonnull(pcm);
	char dir[] = "/tmp/voxcart-aec-XXXXXX", path[128], cmd[1024], err[256];
	int16_t *got = NULL;
	size_t len = 0;
	if (cmd_fmt && mkdtemp(dir)) {
		snprintf(path, sizeof path, "%s/v.wav", dir);
		snprintf(cmd, sizeof cmd, cmd_fmt, path);
		if (system(cmd) == 0 && wav_read_mono16(path, RATE, &got, &len, err, sizeof err) == 0) {
			double peak = 1;
			for (size_t i = 0; i < len; i++)
				peak = fmax(peak, fabs((double)got[i]));
			for (size_t i = 0; i < n; i++) /* looped to length, scaled to amp */
				pcm[i] = clip(got[i % len] * amp / peak);
			fprintf(stderr, "test_aec: voice from: %.60s\n", cmd);
		}
		unlink(path);
		rmdir(dir);
		free(got);
	}
	if (len == 0)
		synth_voice(pcm, n, f0, amp);
	return pcm;
}

/* The room: the far end 40 ms late with reflections, ~6 dB down. */
static double room(const int16_t *far, size_t i)
{
	static const struct { double ms, g; } taps[] = {
		{ 40, 0.45 }, { 47, 0.2 }, { 61, -0.12 }, { 90, 0.06 }, { 130, -0.03 },
	};
	double v = 0;
	for (size_t k = 0; k < sizeof taps / sizeof taps[0]; k++) {
		size_t d = (size_t)(taps[k].ms * RATE / 1000);
		if (i >= d)
			v += taps[k].g * far[i - d];
	}
	return v;
}

static double sim_now;

static double sim_clock(void *user)
{
	(void)user;
	return sim_now;
}

static double energy(const int16_t *p, size_t n)
{
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += (double)p[i] * p[i];
	return s;
}

/*
 * Timeline (seconds): 0-1 quiet room; 1-11 the buddy talks (echo only); 11-15 it
 * keeps talking while the user talks too (12-14.5); 15-16 quiet; 16-18.5 the user
 * alone.
 */
#define T_END 18.5
struct result {
	double erle_db, near_loss_db, dt_loss_db;
	int barge_echo, barge_dt_ms, barge_near;
	int converged_ms; /* of far-end sound */
};

static void simulate(struct result *r)
{
	size_t n = SEC(T_END);
	int16_t *far = calloc(n, sizeof *far), *near = calloc(n, sizeof *near);
	int16_t *talker = calloc(n, sizeof *talker), *echo = calloc(n, sizeof *echo);
	int16_t *out = calloc(n, sizeof *out);
	ck_assert(far && near && talker && echo && out);
	int16_t *buddy = voice("espeak-ng -v en-us -s 160 -w %s 'Sure. I have added two "
			       "bananas to your cart. Your total is now twelve dollars and forty "
			       "cents. Would you like me to find some coffee to go with that, or "
			       "is there anything else you need today?' 2>/dev/null",
			       SEC(14), 140, 12000);
	int16_t *user = voice("flite -voice awb -t 'no thanks, stop, I want to check out now' "
			      "-o %s 2>/dev/null", SEC(2.5), 210, 9000);
	memcpy(far + SEC(1), buddy, SEC(14) * sizeof *far);
	memcpy(talker + SEC(12), user, SEC(2.5) * sizeof *talker);
	memcpy(talker + SEC(16), user, SEC(2.5) * sizeof *talker);
	for (size_t i = 0; i < n; i++) {
		echo[i] = clip(room(far, i));
		near[i] = clip(echo[i] + talker[i] + 30.0 * noise());
	}

	struct aec *a = aec_new(RATE, FRAME, AEC_TAIL_MS);
	ck_assert_ptr_nonnull(a);
	aec_set_clock(a, sim_clock, NULL);
	struct vad *v = vad_new(NULL);
	ck_assert_ptr_nonnull(v);
	memset(r, 0, sizeof *r);
	r->barge_dt_ms = -1;
	for (size_t at = 0; at + FRAME <= n; at += FRAME) {
		sim_now = (double)at / RATE;
		if (at >= SEC(1) && at < SEC(15)) /* the player hands the speaker a frame */
			aec_playback(a, far + at, FRAME);
		aec_capture(a, near + at, out + at);
		/* as the clients do: no barge-in by voice before the filter converged */
		if (aec_far_active(a) && !aec_converged(a)) {
			vad_reset(v, 1);
			continue;
		}
		if (aec_converged(a) && !r->converged_ms)
			r->converged_ms = (int)((at - SEC(1)) * 1000 / RATE);
		enum vad_event ev = vad_process(v, out + at, FRAME);
		if (ev == VAD_BARGE_IN) {
			if (at < SEC(12))
				r->barge_echo++;
			else if (at < SEC(15) && r->barge_dt_ms < 0)
				r->barge_dt_ms = (int)((at - SEC(12)) * 1000 / RATE);
			else if (at >= SEC(16))
				r->barge_near++;
		}
		if (ev == VAD_END)
			vad_reset(v, 1);
	}
	/* ERLE over 4-11 s: the echo in, what is left of it out */
	r->erle_db = 10 * log10(energy(echo + SEC(4), SEC(7)) /
				fmax(1, energy(out + SEC(4), SEC(7))));
	r->near_loss_db = 10 * log10(energy(talker + SEC(16), SEC(2.5)) /
				     fmax(1, energy(out + SEC(16), SEC(2.5))));
	r->dt_loss_db = 10 * log10(energy(talker + SEC(12), SEC(2.5)) /
				   fmax(1, energy(out + SEC(12), SEC(2.5))));
	double echo_db = 10 * log10(energy(echo + SEC(1), SEC(10)) / SEC(10) / (32768.0 * 32768));
	fprintf(stderr, "test_aec: echo %.1f dBFS; ERLE %.1f dB (bound %.0f); near-end alone "
		"-%.1f dB (bound %.0f); double talk -%.1f dB (bound %.0f); barge-ins on echo "
		"%d, on double talk after %d ms, on the user alone %d; converged after %d ms\n",
		echo_db, r->erle_db, ERLE_MIN_DB, r->near_loss_db, NEAR_LOSS_MAX_DB,
		r->dt_loss_db, DT_LOSS_MAX_DB, r->barge_echo, r->barge_dt_ms, r->barge_near, r->converged_ms);
	vad_free(v);
	aec_free(a);
	free(buddy);
	free(user);
	free(far);
	free(near);
	free(talker);
	free(echo);
	free(out);
}

static struct result res;
static int simulated;

static const struct result *get(void)
{
	if (!simulated) {
		simulate(&res);
		simulated = 1;
	}
	return &res;
}

START_TEST(test_erle)
{
	ck_assert_msg(get()->erle_db >= ERLE_MIN_DB, "ERLE %.1f dB", get()->erle_db);
}
END_TEST

START_TEST(test_near_end_kept)
{
	ck_assert_msg(get()->near_loss_db <= NEAR_LOSS_MAX_DB, "near end -%.1f dB",
		      get()->near_loss_db);
	ck_assert_msg(get()->dt_loss_db <= DT_LOSS_MAX_DB, "double talk -%.1f dB",
		      get()->dt_loss_db);
}
END_TEST

START_TEST(test_vad_barge_in)
{
	ck_assert_msg(get()->barge_echo == 0, "the echo alone barged in %d times",
		      get()->barge_echo);
	ck_assert_msg(get()->barge_dt_ms >= 300 && get()->barge_dt_ms <= 1500,
		      "barge-in over the echo after %d ms", get()->barge_dt_ms);
	ck_assert_int_ge(get()->barge_near, 1);
}
END_TEST

/* The stamps: a far run is paired with the near frame captured while it played. */
START_TEST(test_alignment)
{
	struct aec *a = aec_new(RATE, FRAME, AEC_TAIL_MS);
	ck_assert_ptr_nonnull(a);
	aec_set_clock(a, sim_clock, NULL);
	int16_t loud[FRAME], quiet[FRAME] = { 0 }, out[FRAME];
	for (int i = 0; i < FRAME; i++)
		loud[i] = (int16_t)(i % 2 ? 8000 : -8000);
	/* delay 100 ms: a frame pushed at t is paired with the capture at t + 120 ms */
	aec_set_delay_ms(a, 100);
	sim_now = 10.0;
	aec_playback(a, loud, FRAME);
	int first = -1;
	for (int k = 0; k < 10; k++) {
		sim_now = 10.0 + k * 0.02;
		aec_capture(a, quiet, out);
		if (aec_far_active(a) && first < 0)
			first = k;
	}
	ck_assert_int_eq(first, 6);
	/* a far end handed over long before any capture is not paired late */
	aec_reset(a);
	aec_set_delay_ms(a, 0);
	sim_now = 20.0;
	for (int k = 0; k < 50; k++)
		aec_playback(a, loud, FRAME); /* 1 s queued at once: plays 20.0-21.0 */
	sim_now = 23.0;
	aec_capture(a, quiet, out);
	ck_assert_int_eq(aec_far_active(a), 0);
	aec_free(a);
}
END_TEST

START_TEST(test_bad_args)
{
	ck_assert_ptr_null(aec_new(0, FRAME, 200));
	ck_assert_ptr_null(aec_new(RATE, 0, 200));
	ck_assert_ptr_null(aec_new(RATE, FRAME, 0));
	aec_free(NULL);
	aec_playback(NULL, NULL, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("aec");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_erle);
	tcase_add_test(tc, test_near_end_kept);
	tcase_add_test(tc, test_vad_barge_in);
	tcase_add_test(tc, test_alignment);
	tcase_add_test(tc, test_bad_args);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
