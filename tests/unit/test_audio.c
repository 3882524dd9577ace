/*
 * test_audio.c - Opus wrappers, resampler and audio file I/O (shared/media/opuscodec.c,
 * resample.c, wav.c).  Odd input files (stereo, 8-bit, 24-bit, 44.1 kHz float,
 * garbage, empty, header-only) are written with libsndfile into a temp dir.
 */
#include <check.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opuscodec.h"
#include "resample.h"
#include "wav.h"

static char tmpdir[64];

static void setup(void)
{
	strcpy(tmpdir, "/tmp/voxcart-audio-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static void tmp_path(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", tmpdir, name);
}

static void sine(int16_t *pcm, size_t n, int rate, double hz, double amp, size_t phase0)
{
	for (size_t i = 0; i < n; i++)
		pcm[i] = (int16_t)lrint(amp * sin(2.0 * M_PI * hz * (double)(i + phase0) / rate));
}

/* Fraction of the signal's power at hz (Goertzel over the whole buffer). */
static double tone_share(const int16_t *x, size_t n, int rate, double hz)
{
	double w = 2.0 * M_PI * hz / rate, c = 2.0 * cos(w), s1 = 0, s2 = 0, total = 0;

	for (size_t i = 0; i < n; i++) {
		double s0 = x[i] + c * s1 - s2;

		s2 = s1;
		s1 = s0;
		total += (double)x[i] * x[i];
	}
	if (total <= 0)
		return 0;
	return 2.0 * (s1 * s1 + s2 * s2 - c * s1 * s2) / ((double)n * total);
}

START_TEST(test_opus_roundtrip)
{
	static const int rates[] = { 8000, 12000, 16000, 24000, 48000 };

	for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++) {
		int rate = rates[r], fs = OPUS_FRAME_SAMPLES(rate);
		char err[128];
		struct opus_enc *e = opus_enc_new(rate, 0, err, sizeof err);
		struct opus_dec *d = opus_dec_new(rate, err, sizeof err);
		int16_t in[960], out[960 * 3], all[960 * 50];
		uint8_t pkt[OPUS_MAX_PACKET];
		size_t got = 0;

		ck_assert_ptr_nonnull(e);
		ck_assert_ptr_nonnull(d);
		ck_assert_int_eq(opus_enc_rate(e), rate);
		for (int f = 0; f < 50; f++) {
			int n, m;

			sine(in, (size_t)fs, rate, 440.0, 8000.0, (size_t)(f * fs));
			n = opus_enc_encode(e, in, pkt, sizeof pkt);
			ck_assert_int_gt(n, 0);
			ck_assert_int_le(n, OPUS_MAX_PACKET);
			m = opus_dec_decode(d, pkt, (size_t)n, out, sizeof out / sizeof out[0]);
			ck_assert_int_eq(m, fs);
			memcpy(all + got, out, (size_t)m * sizeof *out);
			got += (size_t)m;
		}
		/* After the codec settles, the decoded audio is still a 440 Hz tone. */
		ck_assert_double_gt(tone_share(all + got / 2, got / 2, rate, 440.0), 0.8);
		/* a lost packet is concealed with one frame of audio */
		ck_assert_int_eq(opus_dec_decode(d, NULL, 0, out, sizeof out / sizeof out[0]), fs);
		/* a corrupt packet is an error, not a crash */
		memset(pkt, 0xFF, 8);
		ck_assert_int_eq(opus_dec_decode(d, pkt, 8, out, sizeof out / sizeof out[0]), -1);
		opus_enc_free(e);
		opus_dec_free(d);
	}
}
END_TEST

START_TEST(test_opus_bad_args)
{
	char err[128] = "";
	int16_t pcm[320] = { 0 };

	ck_assert_ptr_null(opus_enc_new(44100, 0, err, sizeof err));
	ck_assert_str_ne(err, "");
	ck_assert_ptr_null(opus_dec_new(22050, err, sizeof err));
	ck_assert_int_eq(opus_enc_encode(NULL, pcm, (uint8_t *)pcm, 100), -1);
	ck_assert_int_eq(opus_dec_decode(NULL, NULL, 0, pcm, 320), -1);
	opus_enc_free(NULL);
	opus_dec_free(NULL);
}
END_TEST

START_TEST(test_resample_oneshot)
{
	size_t n = 22050, nout = 0;
	int16_t *in = malloc(n * sizeof *in), *out = NULL;

	sine(in, n, 22050, 1000.0, 10000.0, 0);
	ck_assert_int_eq(resample_oneshot(22050, 24000, RESAMPLE_QUALITY_DEFAULT, in, n, &out, &nout), 0);
	ck_assert_uint_eq(nout, 24000);
	ck_assert_double_gt(tone_share(out + 1000, 22000, 24000, 1000.0), 0.95);
	free(out);
	ck_assert_int_eq(resample_oneshot(22050, 16000, 3, in, n, &out, &nout), 0);
	ck_assert_uint_eq(nout, 16000);
	ck_assert_double_gt(tone_share(out + 1000, 14000, 16000, 1000.0), 0.95);
	free(out);
	/* same rate is an exact copy; empty input gives empty output */
	ck_assert_int_eq(resample_oneshot(16000, 16000, 3, in, n, &out, &nout), 0);
	ck_assert_uint_eq(nout, n);
	ck_assert_mem_eq(out, in, n * sizeof *in);
	free(out);
	ck_assert_int_eq(resample_oneshot(48000, 16000, 3, in, 0, &out, &nout), 0);
	ck_assert_uint_eq(nout, 0);
	free(out);
	ck_assert_int_eq(resample_oneshot(0, 16000, 3, in, n, &out, &nout), -1);
	ck_assert_int_eq(resample_oneshot(16000, 8000, 11, in, n, &out, &nout), -1);
	free(in);
}
END_TEST

/* Feeding odd-sized pieces gives the same samples as one piece. */
START_TEST(test_resample_streaming)
{
	size_t n = 44100, nref = 0, got = 0;
	int16_t *in = malloc(n * sizeof *in), *ref = NULL, *out;
	struct resampler *r = resample_new(44100, 16000, RESAMPLE_QUALITY_DEFAULT);
	size_t pos = 0, piece = 1;
	long m;

	ck_assert_ptr_nonnull(r);
	sine(in, n, 44100, 300.0, 9000.0, 0);
	ck_assert_int_eq(resample_oneshot(44100, 16000, RESAMPLE_QUALITY_DEFAULT, in, n, &ref, &nref), 0);
	out = malloc((nref + 64) * sizeof *out);
	while (pos < n) {
		size_t k = piece < n - pos ? piece : n - pos;

		m = resample_process(r, in + pos, k, out + got, nref + 64 - got);
		ck_assert_int_ge(m, 0);
		got += (size_t)m;
		pos += k;
		piece = piece * 3 % 1019 + 1;
	}
	m = resample_flush(r, out + got, nref + 64 - got);
	ck_assert_int_ge(m, 0);
	got += (size_t)m;
	ck_assert_uint_eq(got, nref);
	ck_assert_mem_eq(out, ref, nref * sizeof *out);
	/* too small an output buffer is refused */
	resample_reset(r);
	ck_assert_int_eq(resample_process(r, in, 4410, out, 10), -1);
	resample_free(r);
	free(in);
	free(ref);
	free(out);
}
END_TEST

/* Writes frames of a 440 Hz tone with libsndfile in the given format. */
static void write_file(const char *path, int format, int rate, int channels, double seconds)
{
	SF_INFO info = { .samplerate = rate, .channels = channels, .format = format };
	SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
	size_t frames = (size_t)(seconds * rate);
	float *buf = malloc((frames ? frames : 1) * (size_t)channels * sizeof *buf);

	ck_assert_msg(sf != NULL, "%s: %s", path, sf_strerror(NULL));
	for (size_t i = 0; i < frames; i++)
		for (int c = 0; c < channels; c++) /* right channel silent: mono mix halves */
			buf[i * (size_t)channels + (size_t)c] =
				c == 0 ? (float)(0.5 * sin(2.0 * M_PI * 440.0 * (double)i / rate)) : 0.0f;
	ck_assert_int_eq(sf_writef_float(sf, buf, (sf_count_t)frames), (sf_count_t)frames);
	sf_close(sf);
	free(buf);
}

static void check_read(const char *name, int format, int rate, int channels, double expect_amp)
{
	char path[128], err[256] = "";
	int16_t *pcm = NULL;
	size_t n = 0;
	int peak = 0;

	tmp_path(path, sizeof path, name);
	write_file(path, format, rate, channels, 1.0);
	ck_assert_msg(wav_read_mono16(path, 16000, &pcm, &n, err, sizeof err) == 0, "%s: %s", name, err);
	ck_assert_msg(n >= 15990 && n <= 16010, "%s: %zu samples", name, n);
	for (size_t i = 1000; i < n - 1000; i++)
		if (abs(pcm[i]) > peak)
			peak = abs(pcm[i]);
	ck_assert_msg(fabs(peak / 32768.0 - expect_amp) < 0.03, "%s: peak %d", name, peak);
	ck_assert_double_gt(tone_share(pcm + 1000, n - 2000, 16000, 440.0), 0.9);
	free(pcm);
}

START_TEST(test_wav_odd_formats)
{
	check_read("mono16.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, 0.5);
	check_read("stereo.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 48000, 2, 0.25);
	check_read("u8.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_U8, 8000, 1, 0.5);
	check_read("s24.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24, 22050, 1, 0.5);
	check_read("float44k.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 44100, 1, 0.5);
	check_read("stereo-float.aiff", SF_FORMAT_AIFF | SF_FORMAT_FLOAT, 44100, 2, 0.25);
	check_read("mono.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 32000, 1, 0.5);
}
END_TEST

static void expect_error(const char *path, const char *needle)
{
	char err[256] = "";
	int16_t *pcm = NULL;
	size_t n = 0;

	ck_assert_int_eq(wav_read_mono16(path, 16000, &pcm, &n, err, sizeof err), -1);
	ck_assert_msg(strstr(err, needle) != NULL, "error for %s was \"%s\"", path, err);
	ck_assert_ptr_null(pcm);
}

START_TEST(test_wav_bad_files)
{
	char path[128];
	FILE *f;

	tmp_path(path, sizeof path, "missing.wav");
	expect_error(path, "no such file");
	tmp_path(path, sizeof path, "empty.wav");
	f = fopen(path, "wb");
	fclose(f);
	expect_error(path, "empty");
	tmp_path(path, sizeof path, "garbage.wav");
	f = fopen(path, "wb");
	for (int i = 0; i < 5000; i++)
		fputc((i * 7919) & 0xFF, f);
	fclose(f);
	expect_error(path, "not a WAV/audio file");
	tmp_path(path, sizeof path, "text.wav");
	f = fopen(path, "wb");
	fputs("add two bananas to my cart\n", f);
	fclose(f);
	expect_error(path, "not a WAV/audio file");
	/* a valid header with no samples */
	tmp_path(path, sizeof path, "header-only.wav");
	write_file(path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, 0.0);
	expect_error(path, "empty");
	/* a directory */
	expect_error(tmpdir, "directory");
}
END_TEST

START_TEST(test_wav_writer_roundtrip)
{
	char path[128], err[256];
	int16_t pcm[24000], *back = NULL;
	size_t n = 0;
	struct wav_writer *w;

	tmp_path(path, sizeof path, "out.wav");
	sine(pcm, 24000, 24000, 500.0, 12000.0, 0);
	w = wav_writer_open(path, 24000, err, sizeof err);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(wav_writer_write(w, pcm, 10000), 0);
	ck_assert_int_eq(wav_writer_write(w, pcm + 10000, 14000), 0);
	ck_assert_int_eq(wav_writer_write(w, pcm, 0), 0);
	ck_assert_uint_eq(wav_writer_samples(w), 24000);
	ck_assert_int_eq(wav_writer_close(w), 0);
	ck_assert_int_eq(wav_read_mono16(path, 24000, &back, &n, err, sizeof err), 0);
	ck_assert_uint_eq(n, 24000);
	ck_assert_mem_eq(back, pcm, sizeof pcm);
	free(back);
	ck_assert_ptr_null(wav_writer_open("/nonexistent-dir/x.wav", 16000, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent-dir/x.wav"));
	ck_assert_int_eq(wav_writer_close(NULL), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("audio");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_opus_roundtrip);
	tcase_add_test(tc, test_opus_bad_args);
	tcase_add_test(tc, test_resample_oneshot);
	tcase_add_test(tc, test_resample_streaming);
	tcase_add_test(tc, test_wav_odd_formats);
	tcase_add_test(tc, test_wav_bad_files);
	tcase_add_test(tc, test_wav_writer_roundtrip);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
