/*
 * asr.h - speech recognition with PocketSphinx, fed as audio arrives.
 *
 * One struct asr is one PocketSphinx decoder: the acoustic model (en-us), a
 * language model (normally the catalog model from lm_build()) and its dictionary.
 * Creating one costs a few hundred milliseconds (it loads the acoustic model), so
 * the server keeps decoders and reuses them: asr_start() begins an utterance,
 * asr_feed() decodes 16 kHz mono int16 audio incrementally (the transcript is
 * nearly ready when the user stops), asr_partial() peeks at the current best
 * hypothesis, asr_finish() ends the utterance and gives the final one.
 *
 * Threads: a decoder is not thread-safe; use each struct asr from one thread at a
 * time (one per session, or one borrowed from a pool per utterance).  Different
 * decoders may run on different threads at once.  asr_new() itself is serialised
 * by this module (PocketSphinx's logging set-up is process-wide); PocketSphinx's
 * log lines go to voxcart's log (warnings and errors only, unless verbose).
 *
 * Transcripts are in the language model's words: lowercase, numbers spelled out
 * ("add two bananas to my cart").
 */
#ifndef VOXCART_ASR_H
#define VOXCART_ASR_H

#include <stddef.h>
#include <stdint.h>

#define ASR_SAMPLE_RATE 16000
#define ASR_DEFAULT_MODEL "/usr/share/pocketsphinx/model/en-us/en-us"
#define ASR_DEFAULT_DICT  "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict"
#define ASR_DEFAULT_LM    "/usr/share/pocketsphinx/model/en-us/en-us.lm.bin"

struct asr_config {
	const char *model_dir; /* acoustic model directory (default ASR_DEFAULT_MODEL) */
	const char *lm_path;   /* ARPA or binary LM (default ASR_DEFAULT_LM, the stock one) */
	const char *dict_path; /* pronunciations of the LM's words (default ASR_DEFAULT_DICT) */
	float lw;              /* language weight (0: tuned default, see asr.c) */
	double beam;           /* main beam (0: tuned default) */
	double wbeam;          /* word-exit beam (0: tuned default) */
	int fwdflat;           /* flat-lexicon second pass: 1 on, 0 off (default on) */
	int bestpath;          /* lattice best path: 1 on, 0 off (default on) */
	int verbose;           /* 1: PocketSphinx's info lines go to the log as debug */
	const char *options;   /* more PocketSphinx options, "-name value ..." (they win) */
	int no_early_end;      /* 1: the final search waits for asr_finish() (asr.c) */
};

struct asr;

/* Fills cfg with the defaults. */
void asr_config_default(struct asr_config *cfg);

/* Loads a decoder.  cfg NULL means the defaults.  NULL and err on failure (missing
 * files are named). */
struct asr *asr_new(const struct asr_config *cfg, char *err, size_t errlen);
void asr_free(struct asr *a);

/* Begins an utterance (ending any unfinished one).  0, or -1. */
int asr_start(struct asr *a);
/* Decodes n more samples of 16 kHz mono audio.  0, or -1 (not started, or a
 * decoder error). */
int asr_feed(struct asr *a, const int16_t *pcm16k, size_t n);
/* The current best hypothesis, or NULL when there is none yet.  The string belongs
 * to the decoder and is valid until the next call on a. */
const char *asr_partial(struct asr *a);
/* Ends the utterance and writes the final hypothesis to out ("" when nothing was
 * recognised).  0, or -1 when no utterance was started or the decoder failed. */
int asr_finish(struct asr *a, char *out, size_t outlen);

/* Like asr_finish(), and also the recogniser's other readings of the utterance:
 * up to max distinct word strings (hyps[0] is what asr_finish() would give, then
 * the N-best search's in its order), each with its path score (log base 1.0001;
 * higher is likelier, only differences mean anything; hyps[0] gets the best score
 * of the search, as its own is on another scale).  Strings are copied into hyps[i].text.  *n gets the
 * count.  0, or -1 as asr_finish(). */
#define ASR_HYP_LEN 256
#define ASR_SPEC_MAX 10 /* readings kept from an early end (asr.c) */
struct asr_hyp {
	char text[ASR_HYP_LEN];
	int32_t score;
};
int asr_finish_nbest(struct asr *a, struct asr_hyp *hyps, size_t max, size_t *n);

/* Switches to another language model and dictionary (after the catalog changed),
 * between utterances.  The decoder keeps the old ones when this fails. */
int asr_reload(struct asr *a, const char *lm_path, const char *dict_path, char *err,
	       size_t errlen);

/* The log posterior probability (log base 1.0001, <= 0; 0 is certain) of the last
 * final reading asr_finish() or asr_finish_nbest() gave, from the lattice of the
 * second pass (0 when bestpath is off or nothing was heard). */
int32_t asr_posterior(const struct asr *a);

/* Audio fed into the current or last utterance, in milliseconds. */
unsigned long asr_audio_ms(const struct asr *a);

#endif
