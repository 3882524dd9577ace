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
 *               A shopper who waits before speaking: with 1 s of silence first,
 *               the held audio was silence and a few frames of speech onset, and
 *               the mean of those (enough frames to be used) was far from the
 *               speech's: WER 38% against 7% for 1.5 s (grid of
 *               tests/integration/voice_conditions.py).  So the hold goes on past
 *               WARMUP_MS, checked every RECHECK_MS, until the front end counts
 *               MIN_SPEECH_FRAMES of speech in it, HOLD_MAX_MS at most.
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
 *               So only what the audio's own trailing floor lacks of TAIL_MS is
 *               added: after a pause, nothing (it cost 10-20 ms after audio.stop).
 * Early end:    the final search (fwdflat above all) is 20-50 ms of CPU for a
 *               2-3 s utterance, all of it after audio.stop.  So once the audio
 *               has been at its floor for SPEC_QUIET_MS after speech, the
 *               utterance is ended there and then (speculatively: its readings are
 *               kept, the audio too); when audio.stop follows with nothing but
 *               floor, those readings are the answer at once.  When speech comes
 *               back instead (a pause mid-request), the whole utterance is decoded
 *               again from the kept audio, as if never ended, and the answer is
 *               the same as without the early end.
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
#include <stdint.h>
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
#define MIN_SPEECH_FRAMES 50 /* 10 ms frames of speech wanted in the held audio */
#define HOLD_MAX_MS    3000 /* ... but the hold ends here whatever it holds */
#define HOLD_MAX_SAMPLES (ASR_SAMPLE_RATE / 1000 * HOLD_MAX_MS)
#define RECHECK_SAMPLES (ASR_SAMPLE_RATE / 1000 * 200)
#define SPEC_QUIET_MS  240  /* trailing floor that ends an utterance early */
#define SPEC_MIN_LOUD  15   /* blocks (20 ms) above the floor before that: speech */
#define SPEC_MAX_SAMPLES (ASR_SAMPLE_RATE * 30)
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
	int16_t *held;       /* the start of the utterance (up to HOLD_MAX_SAMPLES), not yet decoded */
	size_t nheld;
	size_t checked;      /* nheld when the held audio's speech was last counted */
	int warm;            /* the mean is set and audio goes straight to the decoder */
	int16_t blk[BLOCK];  /* the 20 ms block being collected */
	size_t nblk;
	int16_t quiet[BLOCK]; /* the quietest 20 ms block so far: the noise floor */
	double quiet_energy; /* its energy; < 0 none yet */
	unsigned trail_quiet; /* blocks at the floor since the last louder one */
	unsigned loud;       /* blocks above the floor so far */
	/* speculative end (see above) */
	int16_t *all;        /* the whole utterance so far, for a replay */
	size_t nall, capall;
	int all_ok;          /* all holds every sample (not past SPEC_MAX_SAMPLES) */
	int spec;            /* ended early: the readings are in spec_hyp */
	unsigned loud_at_spec;
	int replaying;
	int no_early_end;    /* asr_config.no_early_end */
	struct asr_hyp spec_hyp[ASR_SPEC_MAX];
	size_t nspec;
	int32_t post;        /* log posterior of the last final reading (asr_posterior) */
	int32_t spec_post;   /* ... of the speculative one */
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

#define MAX_OPTIONS 32 /* words in asr_config.options */

static cmd_ln_t *make_config(const struct asr_config *c)
{
	char lw[32], beam[32], wbeam[32], extra[512];
	char *argv[24 + MAX_OPTIONS];
	int argc = 0;

	snprintf(lw, sizeof lw, "%g", c->lw > 0 ? c->lw : atof(DEFAULT_LW));
	snprintf(beam, sizeof beam, "%g", c->beam > 0 ? c->beam : atof(DEFAULT_BEAM));
	snprintf(wbeam, sizeof wbeam, "%g", c->wbeam > 0 ? c->wbeam : atof(DEFAULT_WBEAM));
	const char *fixed[] = { "-hmm", c->model_dir, "-lm", c->lm_path, "-dict", c->dict_path,
				"-lw", lw, "-beam", beam, "-wbeam", wbeam,
				"-fwdflat", c->fwdflat ? "yes" : "no",
				"-bestpath", c->bestpath ? "yes" : "no", "-samprate", "16000" };
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		argv[argc++] = (char *)fixed[i];
	snprintf(extra, sizeof extra, "%s", c->options ? c->options : "");
	/* name value pairs: a name given above gets the new value, others are added */
	char *save = NULL, *name, *value;
	for (name = strtok_r(extra, " \t", &save); name; name = strtok_r(NULL, " \t", &save)) {
		value = strtok_r(NULL, " \t", &save);
		if (!value || name[0] != '-') {
			log_warn("asr", "voice.asr_options: \"%s\" is not \"-name value\"; rest ignored", name);
			break;
		}
		int i;
		for (i = 0; i < argc; i += 2)
			if (strcmp(argv[i], name) == 0)
				break;
		if (i < argc) {
			argv[i + 1] = value;
		} else if (argc + 2 <= 24 + MAX_OPTIONS) {
			argv[argc++] = name;
			argv[argc++] = value;
		}
	}
	return cmd_ln_parse_r(NULL, ps_args(), argc, argv, TRUE);
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
	a->held = malloc(HOLD_MAX_SAMPLES * sizeof *a->held);
	a->no_early_end = c.no_early_end;
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
	free(a->all);
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
			/* within 6 dB of the floor (or all but silent): not speech */
			if (e <= a->quiet_energy * 4.0 + BLOCK * 16.0) {
				a->trail_quiet++;
			} else {
				a->trail_quiet = 0;
				a->loud++;
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

/* How many frames of the held audio the front end takes for speech. */
static int32 held_speech_frames(struct asr *a)
{
	int ncep = fe_get_output_size(a->fe);
	int32 nfr = (int32)(a->nheld / (ASR_SAMPLE_RATE / 100) + 2), got = -1;
	mfcc_t **cep = (mfcc_t **)ckd_calloc_2d(nfr + 1, ncep, sizeof(mfcc_t));

	if (cep) {
		got = held_cepstra(a, cep, nfr);
		ckd_free_2d(cep);
	}
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
	got = cep && ncep <= 64 ? held_cepstra(a, cep, nfr) : -1;
	log_debug("asr", "cepstral mean over %zu ms held (%d frames of speech)",
		  a->nheld / (ASR_SAMPLE_RATE / 1000), (int)got);
	if (got >= MIN_MEAN_FRAMES) {
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
	if (a->in_utt && !a->spec)
		ps_end_utt(a->ps);
	a->in_utt = 0;
	a->spec = 0;
	a->nall = 0;
	a->all_ok = 1;
	a->loud = 0;
	a->replaying = 0;
	a->samples = 0;
	a->nheld = 0;
	a->checked = 0;
	a->warm = 0;
	a->nblk = 0;
	a->quiet_energy = -1;
	a->trail_quiet = 0;
	a->post = 0;
	/* The front end's noise tracker is per stream, not per utterance: without this
	 * an utterance starts from the noise estimate the previous one left behind. */
	if (ps_start_stream(a->ps) < 0 || ps_start_utt(a->ps) < 0)
		return -1;
	a->in_utt = 1;
	return 0;
}

/* Keeps the utterance's audio for a replay; past SPEC_MAX_SAMPLES it stops (and
 * with it the speculation). */
static void keep_all(struct asr *a, const int16_t *pcm, size_t n)
{
	if (!a->all_ok || n == 0)
		return;
	if (a->nall + n > SPEC_MAX_SAMPLES) {
		a->all_ok = 0;
		return;
	}
	if (a->nall + n > a->capall) {
		size_t cap = a->capall ? a->capall : ASR_SAMPLE_RATE * 4;
		while (cap < a->nall + n)
			cap *= 2;
		int16_t *p = realloc(a->all, cap * sizeof *p);
		if (!p) {
			a->all_ok = 0;
			return;
		}
		a->all = p;
		a->capall = cap;
	}
	memcpy(a->all + a->nall, pcm, n * sizeof *pcm);
	a->nall += n;
}

static int end_utt(struct asr *a);
static int collect_nbest(struct asr *a, struct asr_hyp *hyps, size_t max, size_t *n);

/* The shopper has gone quiet: end the utterance now (the final search and the
 * readings), keeping it open for more audio. */
static int speculate(struct asr *a)
{
	int rc = end_utt(a);
	a->in_utt = 1;
	if (rc != 0)
		return -1;
	a->spec = 1;
	a->loud_at_spec = a->loud;
	rc = collect_nbest(a, a->spec_hyp, ASR_SPEC_MAX, &a->nspec);
	a->spec_post = a->post;
	return rc;
}

static int decode(struct asr *a, const int16_t *pcm16k, size_t n);

/* Speech after a speculative end: decode the whole utterance again, as one. */
static int resume(struct asr *a)
{
	a->spec = 0;
	if (ps_start_stream(a->ps) < 0 || ps_start_utt(a->ps) < 0) {
		a->in_utt = 0;
		return -1;
	}
	a->warm = 0;
	a->nheld = 0;
	a->checked = 0;
	a->samples = 0;
	a->replaying = 1;
	int rc = decode(a, a->all, a->nall);
	a->replaying = 0;
	log_debug("asr", "speech after a speculative end: %zu ms decoded again",
		  a->nall / (ASR_SAMPLE_RATE / 1000));
	return rc;
}

int asr_feed(struct asr *a, const int16_t *pcm16k, size_t n)
{
	if (!a || !a->in_utt || (n && !pcm16k))
		return -1;
	track_floor(a, pcm16k, n);
	keep_all(a, pcm16k, n);
	if (a->spec) {
		/* more quiet changes nothing; speech means the utterance goes on */
		if (a->loud == a->loud_at_spec || !a->all_ok)
			return 0;
		return resume(a);
	}
	if (decode(a, pcm16k, n) != 0)
		return -1;
	if (!a->no_early_end && a->all_ok && a->loud >= SPEC_MIN_LOUD &&
	    a->trail_quiet >= SPEC_QUIET_MS / 20)
		return speculate(a);
	return 0;
}

static int decode(struct asr *a, const int16_t *pcm16k, size_t n)
{
	while (!a->warm && n > 0) {
		size_t room = HOLD_MAX_SAMPLES - a->nheld;
		size_t k = room < n ? room : n;

		if (a->nheld < WARMUP_SAMPLES && WARMUP_SAMPLES - a->nheld < k)
			k = WARMUP_SAMPLES - a->nheld; /* stop at the first check */
		else if (a->nheld >= WARMUP_SAMPLES && RECHECK_SAMPLES < k)
			k = RECHECK_SAMPLES;
		memcpy(a->held + a->nheld, pcm16k, k * sizeof *pcm16k);
		a->nheld += k;
		a->samples += k;
		pcm16k += k;
		n -= k;
		if (a->nheld < WARMUP_SAMPLES)
			return 0;
		if (a->nheld < HOLD_MAX_SAMPLES &&
		    (a->nheld - a->checked < RECHECK_SAMPLES && a->checked > 0))
			continue;
		if (a->nheld < HOLD_MAX_SAMPLES && held_speech_frames(a) < MIN_SPEECH_FRAMES) {
			a->checked = a->nheld;
			continue;
		}
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
	if (a->spec)
		return a->nspec > 0 && a->spec_hyp[0].text[0] ? a->spec_hyp[0].text : NULL;
	h = ps_get_hyp(a->ps, &score);
	return h && *h ? h : NULL;
}

/* Ends the utterance: the tail of noise floor, then ps_end_utt().  0, or -1. */
static int end_utt(struct asr *a)
{
	if (!a->warm && warm_up(a) != 0) {
		a->in_utt = 0;
		ps_end_utt(a->ps);
		return -1;
	}
	/* A little of the utterance's noise floor after it, so that a last word cut
	 * short (push-to-talk let go, end-pointing) can still end and be hypothesised;
	 * as much as the audio's own trailing floor lacks (decoding it is the largest
	 * part of the work left after audio.stop). */
	unsigned have = a->trail_quiet, want = TAIL_MS / 20;
	for (unsigned k = have < want ? have : want; k < want; k++) {
		int16_t blk[BLOCK];

		floor_block(a, k, blk);
		if (ps_process_raw(a->ps, blk, BLOCK, FALSE, FALSE) < 0) {
			a->in_utt = 0;
			ps_end_utt(a->ps);
			return -1;
		}
	}
	a->in_utt = 0;
	return ps_end_utt(a->ps) < 0 ? -1 : 0;
}

int asr_finish(struct asr *a, char *out, size_t outlen)
{
	const char *h;
	int32 score;

	if (!a || !out || outlen == 0 || !a->in_utt)
		return -1;
	out[0] = '\0';
	if (a->spec) {
		a->in_utt = 0;
		a->spec = 0;
		snprintf(out, outlen, "%s", a->nspec > 0 ? a->spec_hyp[0].text : "");
		a->post = a->spec_post;
		return 0;
	}
	if (end_utt(a) != 0)
		return -1;
	h = ps_get_hyp(a->ps, &score);
	snprintf(out, outlen, "%s", h ? h : "");
	a->post = h && *h ? ps_get_prob(a->ps) : 0;
	return 0;
}

/* The A* search walks paths that differ only in timing or fillers many times over:
 * it is stopped after this many, whatever it found. */
#define NBEST_PATHS 60

int asr_finish_nbest(struct asr *a, struct asr_hyp *hyps, size_t max, size_t *n)
{
	*n = 0;
	if (!a || !hyps || max == 0 || !a->in_utt)
		return -1;
	if (a->spec) {
		a->in_utt = 0;
		a->spec = 0;
		for (size_t i = 0; i < a->nspec && i < max; i++)
			hyps[(*n)++] = a->spec_hyp[i];
		a->post = a->spec_post;
		return 0;
	}
	if (end_utt(a) != 0)
		return -1;
	return collect_nbest(a, hyps, max, n);
}

/* After end_utt(): the best reading and the N-best search's others. */
static int collect_nbest(struct asr *a, struct asr_hyp *hyps, size_t max, size_t *n)
{
	const char *h;
	int32 score;

	*n = 0;
	h = ps_get_hyp(a->ps, &score);
	snprintf(hyps[0].text, sizeof hyps[0].text, "%s", h ? h : "");
	hyps[0].score = 0;
	*n = 1;
	a->post = *hyps[0].text ? ps_get_prob(a->ps) : 0;
	if (max == 1 || !*hyps[0].text)
		return 0;
	/* The best path's own score is on another scale than the A* paths' (and the
	 * A* search may rank other words first, or not find these at all): it is
	 * taken to be as likely as the best A* path, so another reading wins only on
	 * what it adds (choose.h), never on the A* order alone. */
	int32 top = INT32_MIN;
	ps_nbest_t *nb = ps_nbest(a->ps);
	for (int paths = 0; nb && paths < NBEST_PATHS && *n < max; paths++) {
		nb = ps_nbest_next(nb);
		if (!nb)
			break;
		h = ps_nbest_hyp(nb, &score);
		if (!h)
			continue;
		if (score > top)
			top = score;
		size_t k;
		for (k = 0; k < *n; k++)
			if (strcmp(hyps[k].text, h) == 0)
				break;
		if (k < *n) {
			if (score > hyps[k].score)
				hyps[k].score = score;
			continue;
		}
		snprintf(hyps[*n].text, sizeof hyps[*n].text, "%s", h);
		hyps[*n].score = score;
		(*n)++;
	}
	if (nb)
		ps_nbest_free(nb);
	hyps[0].score = top == INT32_MIN ? 0 : top;
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

int32_t asr_posterior(const struct asr *a)
{
	return a ? a->post : 0;
}

unsigned long asr_audio_ms(const struct asr *a)
{
	return a ? a->samples / (ASR_SAMPLE_RATE / 1000) : 0;
}
