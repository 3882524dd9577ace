/*
 * asr.c - PocketSphinx decoder wrapper (see asr.h).
 *
 * Each struct asr owns one ps_decoder_t and its cmd_ln_t configuration.  The
 * decoder settings were tuned on synthesised shopping commands (Flite and eSpeak
 * voices, clean, noisy and reverberant; see tests/unit/test_asr.c):
 *   -lw 8       the catalog model is narrow and right most of the time, so it may
 *               outweigh the acoustics more than the stock 6.5;
 *   CMN         the model's feat.params asks for batch cepstral mean normalisation
 *               (each utterance's own mean); fed block by block, sphinxbase uses a
 *               running mean over earlier utterances instead, so an utterance was
 *               decoded with the mean of whoever used the pooled decoder before (or,
 *               on a new decoder, the model's generic -cmninit).  So the first
 *               WARMUP_MS of each utterance are held back, their own cepstral mean
 *               is computed with a second front end and set as the decoder's, and
 *               only then is the audio decoded (the rest live as it arrives); an
 *               utterance shorter than that gets the mean of all of it at the end.
 *               Measured on 144 synthesised shopping utterances: WER 20.4% with
 *               the running mean (24.9% on new decoders) -> 13.4% (the whole
 *               utterance's mean: 14.2%); Flite's 8 kHz kal voice 73% -> 29%.
 *               It costs no decoding twice; partial hypotheses start after
 *               WARMUP_MS.
 * Decoder state: the front ends' noise trackers (spectral subtraction and the
 *               voice activity decision, which also picks the frames the mean is
 *               taken over) are per stream in sphinxbase, not per utterance, so a
 *               pooled decoder started each utterance from whatever the previous
 *               one left (the same audio decoded twice could differ; a new
 *               decoder did worse: WER 11.6% vs 8.8% on 252 utterances).  Now
 *               asr_start() restarts the stream; the second front end runs over
 *               the held audio once to settle before the pass that measures the
 *               mean, and the decoder's is primed with PRIME_MS of the utterance's
 *               noise floor (its quietest 20 ms, which the VAD drops).  An
 *               utterance's transcript depends only on its audio: WER 8.7%
 *               (same model), pooled or new.
 * The tail:     TAIL_MS more of that noise floor is decoded before the final
 *               hypothesis, so a last word the audio stops in (push-to-talk let go,
 *               end-pointing) can still end: audio cut right after the speech went
 *               from WER 15.9% to 5.5% (no change when silence follows anyway).
 * Second pass:  fwdflat and bestpath each change a few correct partials into wrong
 *               finals, but fix more: 252 utterances, WER 10.2% without either,
 *               9.3% with one, 8.7% with both (5 right->wrong, 14 wrong->right).
 * PocketSphinx logs through one process-wide callback: set once here, it forwards
 * warnings and errors to voxcart's log and drops the chatter.
 */
#include "asr.h"

#include <pocketsphinx.h>
#include <sphinxbase/cmn.h>
#include <sphinxbase/err.h>
#include <sphinxbase/fe.h>
#include <sphinxbase/feat.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"

#define DEFAULT_LW     "8.0"
#define DEFAULT_BEAM   "1e-48"
#define DEFAULT_WBEAM  "7e-29"

#define WARMUP_MS      1200 /* audio held back to measure the utterance's cepstral mean */
#define WARMUP_SAMPLES (ASR_SAMPLE_RATE / 1000 * WARMUP_MS)
#define MIN_MEAN_FRAMES 20  /* fewer frames than this: keep the running mean */
#define BLOCK          320  /* 20 ms: the unit of the noise floor */
#define PRIME_MS       200  /* noise floor fed to the front ends before the utterance */
#define TAIL_MS        200  /* noise floor fed after it, before the final hypothesis */

struct asr {
	ps_decoder_t *ps;
	cmd_ln_t *config;
	fe_t *fe;            /* a second front end: cepstra for the utterance's mean */
	int in_utt;
	unsigned long samples;
	unsigned search_gen; /* names LMs loaded by asr_reload() */
	unsigned active_gen; /* the one in use: lmN, or 0 for the first ("_default") */
	int16_t *held;       /* the first WARMUP_SAMPLES of the utterance, not yet decoded */
	size_t nheld;
	int warm;            /* the mean is set and audio goes straight to the decoder */
	int16_t blk[BLOCK];  /* the 20 ms block being collected */
	size_t nblk;
	int16_t quiet[BLOCK]; /* the quietest 20 ms block so far: the noise floor */
	double quiet_energy; /* its energy; < 0 none yet */
};

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int log_verbose; /* written under init_lock, read by every decoding thread */

/* PocketSphinx calls this in pieces ("ERROR: file.c(12): " then the message), so
 * a line is collected per thread until its newline. */
static _Thread_local char log_line[512];
static _Thread_local size_t log_len;
static _Thread_local int log_level;

static void on_ps_log(void *user, err_lvl_t lvl, const char *fmt, ...)
{
	va_list ap;
	int n;

	(void)user;
	if (lvl != ERR_INFOCONT && log_len == 0)
		log_level = lvl;
	va_start(ap, fmt);
	n = vsnprintf(log_line + log_len, sizeof log_line - log_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		log_len += (size_t)n < sizeof log_line - log_len ? (size_t)n : sizeof log_line - log_len - 1;
	if (log_len == 0 || (log_line[log_len - 1] != '\n' && log_len < sizeof log_line - 1))
		return;
	while (log_len > 0 && log_line[log_len - 1] == '\n')
		log_line[--log_len] = '\0';
	if (log_level >= ERR_WARN)
		log_msg(log_level >= ERR_ERROR ? LOG_WARN : LOG_DEBUG, "asr", "pocketsphinx: %s", log_line);
	else if (log_verbose)
		log_msg(LOG_DEBUG, "asr", "pocketsphinx: %s", log_line);
	log_len = 0;
}

void asr_config_default(struct asr_config *c)
{
	memset(c, 0, sizeof *c);
	c->model_dir = ASR_DEFAULT_MODEL;
	c->lm_path = ASR_DEFAULT_LM;
	c->dict_path = ASR_DEFAULT_DICT;
	c->fwdflat = 1;
	c->bestpath = 1;
}

static int check_path(const char *what, const char *path, int dir, char *err, size_t errlen)
{
	struct stat st;

	if (!path || stat(path, &st) != 0) {
		snprintf(err, errlen, "%s %s: no such %s", what, path ? path : "(none)", dir ? "directory" : "file");
		return -1;
	}
	if (dir != !!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s %s: not a %s", what, path, dir ? "directory" : "file");
		return -1;
	}
	return 0;
}

static cmd_ln_t *make_config(const struct asr_config *c)
{
	char lw[32], beam[32], wbeam[32];

	snprintf(lw, sizeof lw, "%g", c->lw > 0 ? c->lw : atof(DEFAULT_LW));
	snprintf(beam, sizeof beam, "%g", c->beam > 0 ? c->beam : atof(DEFAULT_BEAM));
	snprintf(wbeam, sizeof wbeam, "%g", c->wbeam > 0 ? c->wbeam : atof(DEFAULT_WBEAM));
	return cmd_ln_init(NULL, ps_args(), TRUE,
			   "-hmm", c->model_dir, "-lm", c->lm_path, "-dict", c->dict_path,
			   "-lw", lw, "-beam", beam, "-wbeam", wbeam,
			   "-fwdflat", c->fwdflat ? "yes" : "no",
			   "-bestpath", c->bestpath ? "yes" : "no",
			   "-samprate", "16000", NULL);
}

struct asr *asr_new(const struct asr_config *cfg, char *err, size_t errlen)
{
	struct asr_config c;
	struct asr *a;

	asr_config_default(&c);
	if (cfg) {
		c = *cfg;
		if (!c.model_dir)
			c.model_dir = ASR_DEFAULT_MODEL;
		if (!c.lm_path)
			c.lm_path = ASR_DEFAULT_LM;
		if (!c.dict_path)
			c.dict_path = ASR_DEFAULT_DICT;
	}
	if (check_path("acoustic model", c.model_dir, 1, err, errlen) ||
	    check_path("language model", c.lm_path, 0, err, errlen) ||
	    check_path("dictionary", c.dict_path, 0, err, errlen))
		return NULL;
	a = calloc(1, sizeof *a);
	if (!a) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_lock(&init_lock);
	log_verbose = c.verbose;
	err_set_logfp(NULL); /* cmd_ln prints its settings straight to the log file */
	err_set_callback(on_ps_log, NULL);
	a->config = make_config(&c);
	a->ps = a->config ? ps_init(a->config) : NULL;
	a->fe = a->ps ? fe_init_auto_r(ps_get_config(a->ps)) : NULL;
	pthread_mutex_unlock(&init_lock);
	a->held = malloc(WARMUP_SAMPLES * sizeof *a->held);
	if (a->ps && (!a->fe || !a->held)) {
		snprintf(err, errlen, "out of memory");
		asr_free(a);
		return NULL;
	}
	if (!a->ps) {
		snprintf(err, errlen, "cannot load the recogniser (model %s, language model %s, "
			 "dictionary %s): see the log", c.model_dir, c.lm_path, c.dict_path);
		asr_free(a);
		return NULL;
	}
	return a;
}

void asr_free(struct asr *a)
{
	if (!a)
		return;
	if (a->fe)
		fe_free(a->fe);
	if (a->ps)
		ps_free(a->ps);
	if (a->config)
		cmd_ln_free_r(a->config);
	free(a->held);
	free(a);
}

/* Keeps the quietest 20 ms block of the utterance so far (aligned to the start). */
static void track_floor(struct asr *a, const int16_t *pcm, size_t n)
{
	while (n > 0) {
		size_t k = BLOCK - a->nblk < n ? BLOCK - a->nblk : n;

		memcpy(a->blk + a->nblk, pcm, k * sizeof *pcm);
		a->nblk += k;
		pcm += k;
		n -= k;
		if (a->nblk == BLOCK) {
			double e = 0;

			for (int i = 0; i < BLOCK; i++)
				e += (double)a->blk[i] * a->blk[i];
			if (a->quiet_energy < 0 || e < a->quiet_energy) {
				a->quiet_energy = e;
				memcpy(a->quiet, a->blk, sizeof a->quiet);
			}
			a->nblk = 0;
		}
	}
}

/* Writes block k (20 ms) of the utterance's noise floor: its quietest block,
 * played forwards and backwards in turn (so that the joins do not click), with a
 * one-bit dither so that digital silence still looks like a (very quiet) floor to
 * the front end's noise tracker. */
static void floor_block(const struct asr *a, unsigned k, int16_t *out)
{
	uint32_t seed = 12345u + k * 7919u;

	for (int j = 0; j < BLOCK; j++) {
		int v = a->quiet_energy >= 0 ? a->quiet[k & 1 ? BLOCK - 1 - j : j] : 0;

		seed = seed * 1103515245u + 12345u;
		v += (int)((seed >> 16) % 3) - 1;
		out[j] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
	}
}

/* Cepstra of the held audio from the second front end into cep (nfr + 1 rows);
 * returns how many, or -1.  The front end's noise tracker (which also decides
 * which frames are speech) is first run over the same audio, so that it starts
 * from this utterance's noise and not from whichever utterance came before. */
static int32 held_cepstra(struct asr *a, mfcc_t **cep, int32 nfr)
{
	const int16 *p = a->held;
	size_t left = a->nheld;
	int32 got = nfr, last = 0;

	fe_start_stream(a->fe);
	if (fe_start_utt(a->fe) < 0 || fe_process_frames(a->fe, &p, &left, cep, &got, NULL) < 0)
		return -1;
	fe_end_utt(a->fe, cep[0], &last);
	p = a->held;
	left = a->nheld;
	got = nfr;
	if (fe_start_utt(a->fe) < 0 || fe_process_frames(a->fe, &p, &left, cep, &got, NULL) < 0)
		return -1;
	fe_end_utt(a->fe, cep[got], &last); /* resets the front end; the rest is padding */
	return got;
}

/* Sets the decoder's cepstral mean to that of the held audio (when it has enough
 * frames), primes the decoder's noise tracker with the utterance's noise floor,
 * then decodes the held audio: from here on the utterance is live. */
static int warm_up(struct asr *a)
{
	int ncep = fe_get_output_size(a->fe);
	int32 nfr = (int32)(a->nheld / (ASR_SAMPLE_RATE / 100) + 2), got;
	mfcc_t **cep = (mfcc_t **)ckd_calloc_2d(nfr + 1, ncep, sizeof(mfcc_t));
	int16_t blk[BLOCK];
	int rc = 0;

	a->warm = 1;
	if (cep && ncep <= 64 && (got = held_cepstra(a, cep, nfr)) >= MIN_MEAN_FRAMES) {
		double sum[64] = { 0 };
		mfcc_t mean[64];

		for (int32 i = 0; i < got; i++)
			for (int j = 0; j < ncep; j++)
				sum[j] += MFCC2FLOAT(cep[i][j]);
		for (int j = 0; j < ncep; j++)
			mean[j] = FLOAT2MFCC(sum[j] / got);
		cmn_live_set(ps_get_feat(a->ps)->cmn_struct, mean);
	}
	if (cep)
		ckd_free_2d(cep);
	/* Noise floor only: the decoder's front end classes it as silence and drops it. */
	for (unsigned k = 0; k < PRIME_MS / 20 && rc == 0; k++) {
		floor_block(a, k, blk);
		if (ps_process_raw(a->ps, blk, BLOCK, FALSE, FALSE) < 0)
			rc = -1;
	}
	for (size_t off = 0; off < a->nheld && rc == 0; off += 16000) {
		size_t k = a->nheld - off > 16000 ? 16000 : a->nheld - off;

		if (ps_process_raw(a->ps, a->held + off, k, FALSE, FALSE) < 0)
			rc = -1;
	}
	a->nheld = 0;
	return rc;
}

int asr_start(struct asr *a)
{
	if (!a)
		return -1;
	if (a->in_utt)
		ps_end_utt(a->ps);
	a->in_utt = 0;
	a->samples = 0;
	a->nheld = 0;
	a->warm = 0;
	a->nblk = 0;
	a->quiet_energy = -1;
	/* The front end's noise tracker is per stream, not per utterance: without this
	 * an utterance starts from the noise estimate the previous one left behind. */
	if (ps_start_stream(a->ps) < 0 || ps_start_utt(a->ps) < 0)
		return -1;
	a->in_utt = 1;
	return 0;
}

int asr_feed(struct asr *a, const int16_t *pcm16k, size_t n)
{
	if (!a || !a->in_utt || (n && !pcm16k))
		return -1;
	track_floor(a, pcm16k, n);
	if (!a->warm) {
		size_t k = WARMUP_SAMPLES - a->nheld < n ? WARMUP_SAMPLES - a->nheld : n;

		memcpy(a->held + a->nheld, pcm16k, k * sizeof *pcm16k);
		a->nheld += k;
		a->samples += k;
		pcm16k += k;
		n -= k;
		if (a->nheld < WARMUP_SAMPLES)
			return 0;
		if (warm_up(a) != 0)
			return -1;
	}
	while (n > 0) {
		size_t k = n > 16000 ? 16000 : n;

		if (ps_process_raw(a->ps, pcm16k, k, FALSE, FALSE) < 0)
			return -1;
		a->samples += k;
		pcm16k += k;
		n -= k;
	}
	return 0;
}

const char *asr_partial(struct asr *a)
{
	const char *h;
	int32 score;

	if (!a || !a->in_utt || !a->warm)
		return NULL;
	h = ps_get_hyp(a->ps, &score);
	return h && *h ? h : NULL;
}

int asr_finish(struct asr *a, char *out, size_t outlen)
{
	const char *h;
	int32 score;

	if (!a || !out || outlen == 0 || !a->in_utt)
		return -1;
	out[0] = '\0';
	if (!a->warm && warm_up(a) != 0) {
		a->in_utt = 0;
		ps_end_utt(a->ps);
		return -1;
	}
	/* A little of the utterance's noise floor after it, so that a last word cut
	 * short (push-to-talk let go, end-pointing) can still end and be hypothesised. */
	for (unsigned k = 0; k < TAIL_MS / 20; k++) {
		int16_t blk[BLOCK];

		floor_block(a, k, blk);
		if (ps_process_raw(a->ps, blk, BLOCK, FALSE, FALSE) < 0) {
			a->in_utt = 0;
			ps_end_utt(a->ps);
			return -1;
		}
	}
	a->in_utt = 0;
	if (ps_end_utt(a->ps) < 0)
		return -1;
	h = ps_get_hyp(a->ps, &score);
	snprintf(out, outlen, "%s", h ? h : "");
	return 0;
}

int asr_reload(struct asr *a, const char *lm_path, const char *dict_path, char *err,
	       size_t errlen)
{
	char name[32];

	if (!a || a->in_utt) {
		snprintf(err, errlen, "cannot change the language model during an utterance");
		return -1;
	}
	if (check_path("language model", lm_path, 0, err, errlen) ||
	    check_path("dictionary", dict_path, 0, err, errlen))
		return -1;
	if (ps_load_dict(a->ps, dict_path, NULL, NULL) < 0) {
		snprintf(err, errlen, "dictionary %s: cannot load", dict_path);
		return -1;
	}
	snprintf(name, sizeof name, "lm%u", ++a->search_gen);
	if (ps_set_lm_file(a->ps, name, lm_path) < 0 || ps_set_search(a->ps, name) < 0) {
		snprintf(err, errlen, "language model %s: cannot load", lm_path);
		return -1;
	}
	/* Drop the model replaced: kept, every catalog change left one more language
	 * model in each pooled decoder (~2 MB a time; found by make soak).  Its name is
	 * remembered here: ps_get_search() leaks an iterator each call. */
	char prev[32];
	if (a->active_gen)
		snprintf(prev, sizeof prev, "lm%u", a->active_gen);
	else
		snprintf(prev, sizeof prev, "_default"); /* PocketSphinx's name for the first */
	a->active_gen = a->search_gen;
	ps_unset_search(a->ps, prev);
	return 0;
}

unsigned long asr_audio_ms(const struct asr *a)
{
	return a ? a->samples / (ASR_SAMPLE_RATE / 1000) : 0;
}
