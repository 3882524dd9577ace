/*
 * voice_decode.c - the server's hearing without the server: each WAV named on
 * standard input goes through what voxcartd does to a shopper's audio (Opus at the
 * client's default bitrate and back, 20 ms at a time; the [voice] cleaner; the
 * PocketSphinx decoder with the catalog model; the catalog-aware choice among its
 * readings) and one line comes out per file:
 *   path TAB chosen reading TAB recogniser's best TAB CPU seconds TAB posterior
 *        TAB score|reading ... (the N-best, best first)
 * Built and driven by tests/bench/voice_offline.py, which scores the lines against the
 * condition grid's sentences; a decoder setting is measured this way in a fraction of
 * the time test_voice_e2e.py takes (no server, no synthesis of replies).
 *
 *   voice_decode LM_DIR ["-name value ..." PocketSphinx options] < paths
 * Environment: VOICE_CLEANER (webrtc, speex, off), VOICE_APM_NOISE (0..4),
 * VOICE_APM_PREGAIN_DB, VOICE_CHOOSE_WEIGHT, VOICE_NO_OPUS=1, VOICE_DUMP=1 (also
 * writes what the recogniser was fed, 16 kHz 16-bit mono raw, to PATH.fed.raw: the
 * audio scripts/voice-adapt.py adapts the acoustic model on).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "media/opuscodec.h"
#include "media/wav.h"
#include "voice/asr.h"
#include "voice/choose.h"
#include "voice/clean.h"
#include "voice/lm.h"

#define FRAME 320 /* 20 ms at 16 kHz, as the client sends it */
#define NBEST 10

static double cpu_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int env_int(const char *name, int def)
{
	const char *v = getenv(name);
	return v && *v ? atoi(v) : def;
}

/* asr_feed, and the same samples appended to dump when there is one. */
static void feed(struct asr *a, FILE *dump, const int16_t *p, size_t n)
{
	asr_feed(a, p, n);
	if (dump)
		fwrite(p, sizeof *p, n, dump);
}

/* One file through the chain; prints its line.  0, or -1 when it cannot be read. */
static int hear_file(struct asr *a, const struct choose_names *nm, const struct clean_config *cc,
		     int opus, int weight, const char *path)
{
	char err[300];
	int16_t *pcm = NULL;
	size_t n = 0;
	if (wav_read_mono16(path, ASR_SAMPLE_RATE, &pcm, &n, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	double c0 = cpu_s();
	struct clean *c = cc ? clean_new(cc) : NULL;
	struct opus_enc *enc = opus ? opus_enc_new(ASR_SAMPLE_RATE, 0, err, sizeof err) : NULL;
	struct opus_dec *dec = opus ? opus_dec_new(ASR_SAMPLE_RATE, err, sizeof err) : NULL;
	static int16_t frame[FRAME], decoded[5760], cleaned[FRAME + 2 * FRAME];
	uint8_t pkt[4000];
	FILE *dump = NULL;
	if (env_int("VOICE_DUMP", 0)) {
		char dp[1100];
		snprintf(dp, sizeof dp, "%s.fed.raw", path);
		dump = fopen(dp, "wb");
		if (!dump)
			fprintf(stderr, "%s: cannot write\n", dp);
	}
	if (asr_start(a) != 0 || (opus && (!enc || !dec))) {
		fprintf(stderr, "%s: cannot start\n", path);
		if (dump)
			fclose(dump);
		free(pcm);
		return -1;
	}
	for (size_t off = 0; off < n; off += FRAME) {
		size_t k = n - off < FRAME ? n - off : FRAME;
		memset(frame, 0, sizeof frame);
		memcpy(frame, pcm + off, k * sizeof *pcm);
		const int16_t *p = frame;
		long m = FRAME;
		if (opus) {
			int len = opus_enc_encode(enc, frame, pkt, sizeof pkt);
			m = len > 0 ? opus_dec_decode(dec, pkt, (size_t)len, decoded, 5760) : 0;
			p = decoded;
		}
		if (c && m > 0) {
			m = (long)clean_process(c, p, (size_t)m, cleaned);
			p = cleaned;
		}
		if (m > 0)
			feed(a, dump, p, (size_t)m);
	}
	if (c) {
		size_t m = clean_flush(c, cleaned);
		if (m)
			feed(a, dump, cleaned, m);
	}
	if (dump)
		fclose(dump);
	struct asr_hyp h[NBEST];
	size_t nh = 0;
	asr_finish_nbest(a, h, NBEST, &nh);
	size_t k = nh ? choose_hypothesis(h, nh, nm, weight) : 0;
	double c1 = cpu_s();
	printf("%s\t%s\t%s\t%.4f\t%d", path, nh ? h[k].text : "", nh ? h[0].text : "", c1 - c0,
	       (int)asr_posterior(a));
	for (size_t i = 0; i < nh; i++)
		printf("\t%d|%s", (int)h[i].score, h[i].text);
	printf("\n");
	fflush(stdout);
	clean_free(c);
	opus_enc_free(enc);
	opus_dec_free(dec);
	free(pcm);
	return 0;
}

int main(int argc, char **argv)
{
	char lm[512], dic[512], names[512], err[300], path[1024];
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: voice_decode LM_DIR [\"-name value ...\"] < paths\n");
		return 2;
	}
	snprintf(lm, sizeof lm, "%s/%s", argv[1], LM_FILE);
	snprintf(dic, sizeof dic, "%s/%s", argv[1], LM_DICT);
	snprintf(names, sizeof names, "%s/%s", argv[1], LM_NAMES);
	struct asr_config ac;
	asr_config_default(&ac);
	ac.lm_path = lm;
	ac.dict_path = dic;
	ac.options = argc > 2 ? argv[2] : "";
	struct asr *a = asr_new(&ac, err, sizeof err);
	if (!a) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	struct choose_names *nm = choose_names_load(names, err, sizeof err);
	if (!nm)
		fprintf(stderr, "%s (readings not chosen by the catalog)\n", err);
	struct clean_config cc;
	clean_config_default(&cc);
	const char *kind = getenv("VOICE_CLEANER");
	int clean_on = !kind || strcmp(kind, "off") != 0;
	if (kind && !strcmp(kind, "speex"))
		cc.kind = CLEAN_SPEEX;
	cc.apm_noise = env_int("VOICE_APM_NOISE", cc.apm_noise);
	cc.apm_pregain_db = env_int("VOICE_APM_PREGAIN_DB", cc.apm_pregain_db);
	int weight = env_int("VOICE_CHOOSE_WEIGHT", CHOOSE_WEIGHT);
	int opus = !env_int("VOICE_NO_OPUS", 0);
	int bad = 0;
	while (fgets(path, sizeof path, stdin)) {
		path[strcspn(path, "\r\n")] = '\0';
		if (path[0] && hear_file(a, nm, clean_on ? &cc : NULL, opus, weight, path) != 0)
			bad++;
	}
	choose_names_free(nm);
	asr_free(a);
	return bad ? 1 : 0;
}
