/*
 * voice_turn.c - decoding, recognition and the catalog language model (see
 * voice_turn.h).
 *
 * The state shared by every turn (the model builds, the decoder pool, the item names
 * for choosing among readings) is struct hear, srv->hear, made by voice_turn_init.
 * Model builds: lm_maybe_rebuild() compares the catalog version the current model
 * was built from with srv->catalog_version and, when they differ and no build runs,
 * starts a detached thread that reads the vocabulary and writes a new model under
 * <db>.asr/ (on PostgreSQL: a folder of the process's own under TMPDIR, removed at
 * shutdown).  Decoders notice the new version at the start of an utterance.
 *
 * Optional outside recogniser ([voice] asr = openai, voice/remote_asr.h): the
 * utterance's 16 kHz PCM is also collected, PocketSphinx keeps decoding it as usual,
 * and at the end the service's transcript wins; when the service fails, PocketSphinx's
 * is used (logged at warn).  No partial transcripts are sent in that mode.
 */
#include "voice_turn.h"
#include "buddy_session.h"
#include "buddy_tools.h"
#include "clock.h"
#include "buddy/dialogue.h"
#include "config.h"
#include "conversations.h"
#include "log.h"
#include "opuscodec.h"
#include "resample.h"
#include "server.h"
#include "store/store.h"
#include "turn/sink.h"
#include "vad.h"
#include "voice/asr.h"
#include "voice/choose.h"
#include "voice/clean.h"
#include "voice/lm.h"
#include "voice/remote_asr.h"
#include "voice/remote_tts.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define POOL_MAX 32

struct pooled {
	struct asr *asr;
	uint64_t lm_version;
};

/* The item names of the model on disk, for choosing among readings; shared by
 * every turn, freed when the last user of a replaced set lets go. */
struct names_ref {
	struct choose_names *nm;
	int refs;
};

/* The server's hearing (srv->hear): the catalog language model, its build thread's
 * state, the decoder pool and the settings read once at start-up. */
struct hear {
	pthread_mutex_t lock;
	pthread_cond_t built;
	int building;              /* [lock] a build thread runs */
	uint64_t lm_version;       /* [lock] catalog version of the model on disk; 0 none yet */
	int lm_ready;              /* [lock] */
	char lm_dir[4200];
	int lm_dir_temp;           /* lm_dir is this process's own temporary folder */
	struct pooled pool[POOL_MAX]; /* [lock] */
	int pool_n;                /* [lock] */
	struct names_ref *names;   /* [lock] the names of the model on disk */
	char asr_options[512];     /* [voice] asr_options */
	int no_early_end;          /* [voice] early_end = off */
};

static struct names_ref *names_take(struct hear *h)
{
	pthread_mutex_lock(&h->lock);
	struct names_ref *r = h->names;
	if (r)
		r->refs++;
	pthread_mutex_unlock(&h->lock);
	return r;
}

static void names_put(struct hear *h, struct names_ref *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&h->lock);
	int last = --r->refs == 0;
	pthread_mutex_unlock(&h->lock);
	if (last) {
		choose_names_free(r->nm);
		free(r);
	}
}

/* After a build: the new model's names replace the old (the lock's reference). */
static void names_install(struct hear *h)
{
	char path[4300], err[300];
	snprintf(path, sizeof path, "%s/" LM_NAMES, h->lm_dir);
	struct names_ref *r = malloc(sizeof *r);
	if (r && (r->nm = choose_names_load(path, err, sizeof err)) != NULL) {
		r->refs = 1;
	} else {
		if (r)
			log_warn("voice", "item names for choosing among readings: %s", err);
		free(r);
		r = NULL;
	}
	pthread_mutex_lock(&h->lock);
	struct names_ref *old = h->names;
	h->names = r;
	pthread_mutex_unlock(&h->lock);
	names_put(h, old);
}

/* Per-session recognition state, hung off the session while an audio turn runs. */
struct voice_state {
	struct asr *asr;
	uint64_t lm_version;
	struct opus_dec *dec;
	struct resampler *rs;
	size_t consumed;
	struct vad *vad;       /* end-pointing when the session asked for vad */
	struct clean *clean;   /* high-pass, noise suppression, gain; NULL when off */
	int ended;             /* the VAD heard the end of the utterance */
	char last_partial[512];
	int started;
	int16_t pcm[5760];
	int16_t cleaned[5760 + CLEAN_FRAME];
	/* [voice] asr = openai: the utterance's 16 kHz audio, collected for the service */
	int remote;
	struct remote_asr_config remote_cfg;
	int16_t *utt;
	size_t utt_n, utt_cap;
};

/* 1 and c filled when [voice] asr = openai and its keys are usable. */
static int remote_asr_on(struct server *srv, struct remote_asr_config *c)
{
	char why[200];
	if (!remote_asr_enabled(&srv->cfg))
		return 0;
	if (remote_asr_config_read(&srv->cfg, c, why, sizeof why) != 0) {
		log_debug("voice", "%s; PocketSphinx recognises alone", why);
		return 0;
	}
	return 1;
}

const char *voice_turn_engine(struct server *srv)
{
	struct remote_asr_config c;
	return remote_asr_on(srv, &c) ? "openai" : "pocketsphinx";
}

static void lm_paths(const struct hear *h, char *lm, char *dic, size_t len)
{
	snprintf(lm, len, "%s/" LM_FILE, h->lm_dir);
	snprintf(dic, len, "%s/" LM_DICT, h->lm_dir);
}

struct build_arg {
	struct server *srv;
	uint64_t version;
};

static void *build_thread(void *arg)
{
	struct build_arg *b = arg;
	struct hear *h = b->srv->hear;
	struct store *db = store_thread();
	struct vocab *v = db ? buddy_vocab_get_current(b->srv, db) : NULL;
	int ok = 0;
	if (v) {
		const char *const *words, *const *cats, *const *titles;
		size_t nw, nc, nt;
		buddy_vocab_words(v, &words, &nw, &cats, &nc, &titles, &nt);
		/* Titles and categories are the phrases; a huge catalog is sampled. */
		size_t max = 20000, n = 0;
		const char **phrases = malloc((max + nc) * sizeof *phrases);
		size_t step = nt > max ? nt / max + 1 : 1;
		for (size_t i = 0; phrases && i < nt && n < max; i += step)
			phrases[n++] = titles[i];
		for (size_t i = 0; phrases && i < nc; i++)
			phrases[n++] = cats[i];
		char err[256];
		struct lm_stats st = { 0 };
		double t0 = clock_mono_s();
		if (phrases && lm_build_stats(phrases, n, ASR_DEFAULT_DICT, h->lm_dir, &st, err, sizeof err) == 0) {
			ok = 1;
			log_info("voice", "language model built from %zu phrases: %zu words, %zu trigrams in %.0f ms",
				 n, st.words, st.ngrams[2], (clock_mono_s() - t0) * 1000);
		} else {
			log_error("voice", "language model build failed: %s", phrases ? err : "out of memory");
		}
		free(phrases);
		buddy_vocab_release(v);
	}
	if (ok)
		names_install(h);
	store_thread_close();
	pthread_mutex_lock(&h->lock);
	if (ok) {
		h->lm_version = b->version;
		h->lm_ready = 1;
	}
	h->building = 0;
	pthread_cond_broadcast(&h->built);
	pthread_mutex_unlock(&h->lock);
	free(b);
	return NULL;
}

static void lm_maybe_rebuild(struct server *srv)
{
	struct hear *h = srv->hear;
	uint64_t want = atomic_load(&srv->catalog_version);
	pthread_mutex_lock(&h->lock);
	int start = !h->building && !atomic_load(&srv->stopping) &&
		    (!h->lm_ready || h->lm_version != want) && h->lm_dir[0];
	if (start)
		h->building = 1;
	pthread_mutex_unlock(&h->lock);
	if (!start)
		return;
	struct build_arg *b = malloc(sizeof *b);
	pthread_t t;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (b) {
		b->srv = srv;
		b->version = want;
	}
	if (!b || pthread_create(&t, &attr, build_thread, b) != 0) {
		free(b);
		pthread_mutex_lock(&h->lock);
		h->building = 0;
		pthread_cond_broadcast(&h->built);
		pthread_mutex_unlock(&h->lock);
	}
	pthread_attr_destroy(&attr);
}

void voice_turn_init(struct server *srv)
{
	struct hear *h = calloc(1, sizeof *h);
	if (!h) {
		log_error("voice", "out of memory: speech recognition is off");
		return;
	}
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->built, NULL);
	if (srv->set.db_path[0]) {
		snprintf(h->lm_dir, sizeof h->lm_dir, "%s.asr", srv->set.db_path);
		mkdir(h->lm_dir, 0700);
	} else {
		/* No database file beside which to keep it (PostgreSQL): a folder of this process's
		 * own, removed at shutdown, never the working directory. */
		const char *tmp = getenv("TMPDIR");
		snprintf(h->lm_dir, sizeof h->lm_dir, "%s/voxcartd-asr-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (mkdtemp(h->lm_dir)) {
			h->lm_dir_temp = 1;
		} else {
			h->lm_dir[0] = '\0';
			log_warn("voice", "cannot make a folder for the speech model in %s: %s",
				 tmp && *tmp ? tmp : "/tmp", strerror(errno));
		}
	}
	snprintf(h->asr_options, sizeof h->asr_options, "%s",
		 config_get_str(&srv->cfg, "voice.asr_options", ""));
	int early = 1;
	if (config_get_bool(&srv->cfg, "voice.early_end", 1, &early) < 0)
		log_warn("voice", "voice.early_end: not on or off; on");
	h->no_early_end = !early;
	srv->hear = h;
	lm_maybe_rebuild(srv);
	/* say once at start-up which recogniser hears, and why not the configured one */
	struct remote_asr_config rc;
	char why[200];
	const char *asr = config_get_str(&srv->cfg, "voice.asr", "pocketsphinx");
	if (remote_asr_enabled(&srv->cfg)) {
		if (remote_asr_config_read(&srv->cfg, &rc, why, sizeof why) == 0)
			log_info("voice", "speech recognition: %s (PocketSphinx when it fails)", rc.url);
		else
			log_warn("voice", "%s; PocketSphinx recognises instead", why);
	} else if (strcasecmp(asr, "pocketsphinx") != 0) {
		log_warn("voice", "voice.asr: unknown recogniser \"%s\"; using pocketsphinx", asr);
	}
	/* the same for the voice (buddy_run.c speaks; checked here once) */
	struct remote_tts_config tc;
	const char *tts = config_get_str(&srv->cfg, "voice.tts", "espeak");
	if (remote_tts_enabled(&srv->cfg)) {
		if (remote_tts_config_read(&srv->cfg, &tc, why, sizeof why) == 0)
			log_info("voice", "speech synthesis: %s (eSpeak NG when it fails)", tc.url);
		else
			log_warn("voice", "%s; eSpeak NG speaks instead", why);
	} else if (strcasecmp(tts, "espeak") != 0) {
		log_warn("voice", "voice.tts: unknown synthesiser \"%s\"; using espeak", tts);
	}
}

/* Removes a folder this process made and the files in it. */
static void remove_folder(const char *dir)
{
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *e;
		char path[4500];
		while ((e = readdir(d)) != NULL) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
}

/* After the turn workers have stopped: waits for a model build still running (it
 * uses the hearing state), then frees the pool, the names and the state. */
void voice_turn_shutdown(struct server *srv)
{
	struct hear *h = srv->hear;
	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	while (h->building)
		pthread_cond_wait(&h->built, &h->lock);
	for (int i = 0; i < h->pool_n; i++)
		asr_free(h->pool[i].asr);
	h->pool_n = 0;
	struct names_ref *r = h->names;
	h->names = NULL;
	pthread_mutex_unlock(&h->lock);
	names_put(h, r);
	if (h->lm_dir_temp)
		remove_folder(h->lm_dir);
	pthread_cond_destroy(&h->built);
	pthread_mutex_destroy(&h->lock);
	free(h);
	srv->hear = NULL;
}

/* A decoder with the newest model, from the pool or new. */
static struct asr *take_decoder(struct hear *h, uint64_t *version, char *err, size_t errlen)
{
	char lm[4300], dic[4300];
	lm_paths(h, lm, dic, sizeof lm);
	pthread_mutex_lock(&h->lock);
	/* The stock model cannot hear shopping; wait (a little) for the first catalog one. */
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	while (!h->lm_ready && h->building)
		if (pthread_cond_timedwait(&h->built, &h->lock, &until) != 0)
			break;
	int ready = h->lm_ready;
	uint64_t want = h->lm_version;
	struct pooled p = { 0 };
	if (h->pool_n > 0)
		p = h->pool[--h->pool_n];
	pthread_mutex_unlock(&h->lock);
	if (p.asr && ready && p.lm_version != want) {
		if (asr_reload(p.asr, lm, dic, err, errlen) == 0)
			p.lm_version = want;
	}
	if (!p.asr) {
		struct asr_config cfg;
		asr_config_default(&cfg);
		cfg.options = h->asr_options;
		cfg.no_early_end = h->no_early_end;
		if (ready) {
			cfg.lm_path = lm;
			cfg.dict_path = dic;
		}
		p.asr = asr_new(&cfg, err, errlen);
		p.lm_version = ready ? want : 0;
	}
	*version = p.lm_version;
	return p.asr;
}

void voice_turn_release(struct buddy_session *s)
{
	struct voice_state *v = s->voice;
	if (!v)
		return;
	struct hear *h = s->srv->hear;
	if (v->asr && h) {
		pthread_mutex_lock(&h->lock);
		if (h->pool_n < POOL_MAX) {
			h->pool[h->pool_n++] = (struct pooled){ v->asr, v->lm_version };
			v->asr = NULL;
		}
		pthread_mutex_unlock(&h->lock);
	}
	asr_free(v->asr);
	opus_dec_free(v->dec);
	resample_free(v->rs);
	vad_free(v->vad);
	clean_free(v->clean);
	free(v->utt);
	free(v);
	s->voice = NULL;
}

static struct voice_state *state_for(struct buddy_session *s, struct buddy_job *job)
{
	struct voice_state *v = s->voice;
	if (v && v->started)
		return v;
	if (!v) {
		v = calloc(1, sizeof *v);
		if (!v)
			return NULL;
		s->voice = v;
	}
	char err[256] = "speech recognition is off (out of memory at start-up)";
	struct hear *h = s->srv->hear;
	if (h)
		lm_maybe_rebuild(s->srv);
	if (!v->asr && (!h || !(v->asr = take_decoder(h, &v->lm_version, err, sizeof err)))) {
		buddy_session_send_error(s, job->turn, "internal", "Speech recognition is not available.");
		log_error("voice", "%s", err);
		return NULL;
	}
	if (!v->dec && !(v->dec = opus_dec_new(s->uplink_rate, err, sizeof err))) {
		buddy_session_send_error(s, job->turn, "internal", err);
		return NULL;
	}
	if (s->uplink_rate != 16000 && !v->rs)
		v->rs = resample_new(s->uplink_rate, 16000, 5);
	if (s->vad && !v->vad) {
		struct vad_config vc;
		vad_config_default(&vc);
		long ms = atol(config_get_str(&s->srv->cfg, "voice.vad_silence_ms", "500"));
		vc.end_silence_ms = ms >= 100 && ms <= 10000 ? (unsigned)ms : 500;
		v->vad = vad_new(&vc);
	}
	if (v->vad)
		vad_reset(v->vad, 1);
	struct clean_config cc;
	clean_free(v->clean);
	v->clean = clean_config_read(&s->srv->cfg, &cc) ? clean_new(&cc) : NULL;
	v->ended = 0;
	v->consumed = 0;
	v->last_partial[0] = '\0';
	v->remote = remote_asr_on(s->srv, &v->remote_cfg);
	v->utt_n = 0;
	if (asr_start(v->asr) != 0)
		return NULL;
	v->started = 1;
	return v;
}

/* Appends 16 kHz audio to the utterance kept for the outside recogniser; past
 * REMOTE_ASR_MAX_SECONDS (or out of memory) the utterance is left to PocketSphinx. */
static void collect(struct voice_state *v, const int16_t *pcm, size_t n)
{
	if (v->utt_n + n > (size_t)REMOTE_ASR_MAX_SECONDS * ASR_SAMPLE_RATE) {
		log_warn("voice", "utterance longer than %d s: PocketSphinx recognises it",
			 REMOTE_ASR_MAX_SECONDS);
		v->remote = 0;
		return;
	}
	if (v->utt_n + n > v->utt_cap) {
		size_t cap = v->utt_cap ? v->utt_cap * 2 : ASR_SAMPLE_RATE * 4;
		while (cap < v->utt_n + n)
			cap *= 2;
		int16_t *p = realloc(v->utt, cap * sizeof *p);
		if (!p) {
			v->remote = 0;
			return;
		}
		v->utt = p;
		v->utt_cap = cap;
	}
	memcpy(v->utt + v->utt_n, pcm, n * sizeof *pcm);
	v->utt_n += n;
}

/* Cleaned 16 kHz audio to the recogniser and the end-pointer. */
static void hear_pcm(struct voice_state *v, const int16_t *pcm, size_t n)
{
	if (n == 0)
		return;
	asr_feed(v->asr, pcm, n);
	if (v->vad && vad_process(v->vad, pcm, n) == VAD_END)
		v->ended = 1;
}

static void feed_packet(struct voice_state *v, const unsigned char *pkt, size_t len)
{
	int n = opus_dec_decode(v->dec, len ? pkt : NULL, len, v->pcm,
				sizeof v->pcm / sizeof v->pcm[0]);
	if (n <= 0)
		return;
	int16_t out[5760];
	const int16_t *pcm = v->pcm;
	long m = n;
	if (v->rs) {
		m = resample_process(v->rs, v->pcm, (size_t)n, out, sizeof out / sizeof out[0]);
		pcm = out;
	}
	if (m <= 0)
		return;
	/* the outside recogniser gets the audio as it came: it does its own cleaning */
	if (v->remote)
		collect(v, pcm, (size_t)m);
	if (v->clean) {
		m = (long)clean_process(v->clean, pcm, (size_t)m, v->cleaned);
		pcm = v->cleaned;
	}
	hear_pcm(v, pcm, (size_t)m);
}

int voice_turn_feed(struct buddy_session *s, struct buddy_job *job, const struct turn_sink *sink)
{
	struct voice_state *v = state_for(s, job);
	if (!v)
		return 0;
	for (;;) {
		pthread_mutex_lock(&s->lock);
		size_t have = job->npackets;
		unsigned char *pkt = v->consumed < have ? job->packets[v->consumed] : NULL;
		size_t len = pkt ? job->packet_lens[v->consumed] : 0;
		pthread_mutex_unlock(&s->lock);
		if (!pkt)
			break;
		feed_packet(v, pkt, len);
		v->consumed++;
	}
	/* no partials when the outside recogniser has the last word: they would disagree */
	const char *partial = v->remote ? NULL : asr_partial(v->asr);
	if (partial && *partial && strcmp(partial, v->last_partial) != 0) {
		snprintf(v->last_partial, sizeof v->last_partial, "%s", partial);
		if (sink->transcript)
			sink->transcript(sink->ctx, job->turn, partial, 0);
	}
	return v->ended;
}

#define NBEST_MAX 10

/* [voice] readback_margin's default: how much less likely (log base 1.0001) a reading
 * asking for another cart change may be and still make the best one unsure. */
#define READBACK_MARGIN 6000
/* [voice] readback_posterior's default: a cart change whose reading's posterior
 * (asr_posterior(), log base 1.0001) is below minus this is unsure too.  Measured on
 * 140 utterances of the condition grid's tune half (offline, the same decoder):
 * below -55000 (p < 0.004) were 45 % of the wrong readings and 9 % of the right
 * ones; the readings' disagreement alone separated them no better than chance. */
#define READBACK_POSTERIOR 55000

enum readback { READBACK_OFF, READBACK_UNSURE, READBACK_ALWAYS };

static enum readback readback_mode(const struct config *cfg)
{
	const char *m = config_get_str(cfg, "voice.readback", "off");
	if (!strcmp(m, "off"))
		return READBACK_OFF;
	if (!strcmp(m, "always"))
		return READBACK_ALWAYS;
	if (!strcmp(m, "unsure"))
		return READBACK_UNSURE;
	log_warn("voice", "voice.readback: \"%s\" is not unsure, always or off; using off", m);
	return READBACK_OFF;
}

/* What a reading asks for, as far as read-back cares: its first cart change or
 * checkout, and the number said with it (0: none). */
#define HEARD_WORDS 12
struct heard_action {
	enum und_intent intent; /* UND_NONE: nothing that changes the cart */
	int qty;
	int named;              /* it says which product (words, "it", "the second one") */
	int thin;               /* ... only by a size ("add one gallon"), or without a verb
				 * ("twelve green tea"): the dialogue would add on little */
	int nwords;             /* the words naming its products ("gala", "apple") */
	char words[HEARD_WORDS][TEXT_WORD_LEN];
};

/* "apples" and "apple" name the same thing */
static void stem(char *w)
{
	size_t n = strlen(w);
	if (n > 3 && w[n - 1] == 's' && w[n - 2] != 's')
		w[n - 1] = '\0';
}

/* 1 when both name products and no word is shared: "oil" and "towel" */
static int names_apart(const struct heard_action *a, const struct heard_action *b)
{
	if (a->nwords == 0 || b->nwords == 0)
		return 0;
	for (int i = 0; i < a->nwords; i++)
		for (int k = 0; k < b->nwords; k++)
			if (!strcmp(a->words[i], b->words[k]))
				return 0;
	return 1;
}

static int is_cart_change(enum und_intent in)
{
	return in == UND_ADD || in == UND_REMOVE || in == UND_SET || in == UND_LESS ||
	       in == UND_CLEAR_CART;
}

static struct heard_action heard_action(const char *text, int answering)
{
	struct heard_action a;
	memset(&a, 0, sizeof a);
	a.intent = UND_NONE;
	struct und_result *r = malloc(sizeof *r);
	if (!r)
		return a;
	und_parse(text, r);
	for (int i = 0; i < r->n; i++) {
		const struct und_cmd *c = &r->cmd[i];
		/* "don't add", a question about it, a remark: asks for nothing */
		if (c->negated || c->ask || c->comment || c->yesno)
			continue;
		/* a fragment naming a product ("twelve green tea", "just the towels") adds */
		int fragment = !answering && c->intent == UND_NONE && c->nitems > 0 &&
			       c->items[0].nwords > 0;
		if (is_cart_change(c->intent) || c->intent == UND_CHECKOUT || fragment) {
			a.intent = fragment ? UND_ADD : c->intent;
			a.thin = fragment;
			a.qty = c->qty;
			for (int k = 0; k < c->nitems && !a.qty; k++)
				a.qty = c->items[k].qty;
			for (int k = 0; k < c->nitems; k++) {
				const struct und_item *it = &c->items[k];
				a.named |= und_item_has_ref(it);
				if (it->ref == UND_REF_NONE && it->nwords == 0 && it->size_unit[0])
					a.thin = 1;
			}
			for (int k = 0; k < c->nitems; k++)
				for (int w = 0; w < c->items[k].nwords && a.nwords < HEARD_WORDS; w++) {
					if (c->items[k].wctx[w])
						continue;
					snprintf(a.words[a.nwords], TEXT_WORD_LEN, "%s", c->items[k].words[w]);
					stem(a.words[a.nwords++]);
				}
			break;
		}
	}
	free(r);
	return a;
}

int voice_turn_changes_cart(const char *text)
{
	return is_cart_change(heard_action(text, 0).intent);
}

/* answering: a question is open ("which one?"), so a fragment is its answer */
static int unsure_when(const struct asr_hyp *h, size_t n, size_t chosen, int32_t margin,
		       int answering)
{
	if (!h || chosen >= n)
		return 0;
	struct heard_action mine = heard_action(h[chosen].text, answering);
	/* "get me a": the dialogue asks which product anyway */
	if (!is_cart_change(mine.intent) ||
	    (!mine.named && !mine.thin && mine.intent != UND_CLEAR_CART))
		return 0;
	if (mine.thin)
		return 1;
	int64_t best = h[0].score;
	for (size_t i = 0; i < n; i++) {
		if (i == chosen || !h[i].text[0] || (int64_t)h[i].score < best - margin)
			continue;
		struct heard_action other = heard_action(h[i].text, answering);
		if (other.intent == UND_NONE)
			continue;
		if (other.intent != mine.intent)
			return 1;
		if (other.qty && mine.qty && other.qty != mine.qty)
			return 1;
		if (names_apart(&mine, &other))
			return 1;
	}
	return 0;
}

int voice_turn_unsure(const struct asr_hyp *h, size_t n, size_t chosen, int32_t margin)
{
	return unsure_when(h, n, chosen, margin, 0);
}

/* What the conversation's open question makes likely (see choose.h): the built-in
 * engine's dialogue state, taken here when the turn has not taken it yet (the turn
 * then uses it as it would have taken it).  A question is open for the one turn
 * after it was asked (dialogue.c). */
static enum choose_expect expected_answer(struct buddy_session *s)
{
	if (!s->state)
		s->state = conv_state_take(s->srv, s->conversation_id);
	const struct buddy_state *st = s->state;
	if (st && st->heard[0]) /* "Did you say ...?" */
		return CHOOSE_EXPECT_YESNO;
	if (!st || st->pending_turn != st->turn)
		return CHOOSE_EXPECT_ANY;
	switch (st->pending) {
	case DLG_PENDING_CHECKOUT:
	case DLG_PENDING_CANCEL:
	case DLG_PENDING_SUGGEST:
		return CHOOSE_EXPECT_YESNO;
	case DLG_PENDING_CHOOSE:
		return CHOOSE_EXPECT_PICK;
	default:
		return CHOOSE_EXPECT_ANY;
	}
}

/* 1 when the last reading's posterior is below -floor (floor 0: never). */
static int posterior_low(const struct asr *a, long floor)
{
	return floor > 0 && (long)asr_posterior(a) < -floor;
}

/* The final transcript: the recogniser's readings, the one that best fits the shop
 * ([voice] nbest readings, choose_weight; see voice/choose.h). */
static int finish(struct buddy_session *s, struct voice_state *v, uint32_t turn, char *out,
		  size_t outlen, int *unsure)
{
	long nbest = 0, weight = 0, margin = 0;
	char err[200];
	if (config_get_int(&s->srv->cfg, "voice.nbest", NBEST_MAX, 1, NBEST_MAX, &nbest, err,
			   sizeof err) != 0)
		nbest = NBEST_MAX;
	if (config_get_int(&s->srv->cfg, "voice.choose_weight", CHOOSE_WEIGHT, 0, 1000000, &weight,
			   err, sizeof err) != 0)
		weight = CHOOSE_WEIGHT;
	if (config_get_int(&s->srv->cfg, "voice.readback_margin", READBACK_MARGIN, 0, 1000000,
			   &margin, err, sizeof err) != 0)
		margin = READBACK_MARGIN;
	long post_floor = 0;
	if (config_get_int(&s->srv->cfg, "voice.readback_posterior", READBACK_POSTERIOR, 0, 10000000,
			   &post_floor, err, sizeof err) != 0)
		post_floor = READBACK_POSTERIOR;
	enum readback rb = readback_mode(&s->srv->cfg);
	*unsure = 0;
	struct hear *h = s->srv->hear;
	enum choose_expect expect = nbest > 1 ? expected_answer(s) : CHOOSE_EXPECT_ANY;
	struct names_ref *names = h && nbest > 1 && weight > 0 ? names_take(h) : NULL;
	if (!names && expect == CHOOSE_EXPECT_ANY && (rb != READBACK_UNSURE || nbest < 2)) {
		int rc = asr_finish(v->asr, out, outlen);
		*unsure = rc == 0 && (rb == READBACK_ALWAYS ||
				      (rb == READBACK_UNSURE && posterior_low(v->asr, post_floor))) &&
			  voice_turn_changes_cart(out);
		return rc;
	}
	struct asr_hyp hyps[NBEST_MAX];
	size_t n = 0;
	int rc = asr_finish_nbest(v->asr, hyps, (size_t)nbest, &n);
	if (rc == 0 && n > 0) {
		const struct choose_names *nm = names ? names->nm : NULL;
		size_t k = choose_hypothesis_expect(hyps, n, nm, (int32_t)weight, expect,
						    CHOOSE_EXPECT_MARGIN);
		if (k != 0)
			log_debug("voice", "turn %u: reading %zu of %zu \"%s\" (score %d, cover %d) over "
				  "\"%s\" (score %d, cover %d)%s", turn, k + 1, n, hyps[k].text,
				  hyps[k].score, nm ? choose_cover(nm, hyps[k].text) : 0, hyps[0].text,
				  hyps[0].score, nm ? choose_cover(nm, hyps[0].text) : 0,
				  expect != CHOOSE_EXPECT_ANY ? " (an answer was expected)" : "");
		snprintf(out, outlen, "%s", hyps[k].text);
		for (size_t i = 0; i < n; i++)
			log_debug("voice", "turn %u: reading %zu%s \"%s\" score %d", turn, i + 1,
				  i == k ? " (taken)" : "", hyps[i].text, hyps[i].score);
		int doubt = rb == READBACK_UNSURE && k == 0 && posterior_low(v->asr, post_floor) &&
			    voice_turn_changes_cart(out);
		*unsure = rb == READBACK_ALWAYS ? voice_turn_changes_cart(out)
			  : rb == READBACK_UNSURE &&
				    (doubt || unsure_when(hyps, n, k, (int32_t)margin,
							  expect != CHOOSE_EXPECT_ANY));
		if (*unsure)
			log_debug("voice", "turn %u: \"%s\" is read back (%s; posterior %d)", turn, out,
				  rb == READBACK_ALWAYS ? "readback = always"
				  : doubt ? "the recogniser is unsure" : "the readings disagree",
				  (int)asr_posterior(v->asr));
	}
	names_put(h, names);
	return rc;
}

struct remote_cancel {
	struct buddy_session *s;
	uint32_t turn;
};

static int remote_cancelled(void *ctx)
{
	struct remote_cancel *c = ctx;
	return c->turn <= atomic_load(&c->s->cancel_upto);
}

/* [voice] asr = openai: the service's transcript replaces PocketSphinx's (already in
 * out, its status ps_rc), which stays when the service fails.  Returns the status. */
static int recognise_remote(struct buddy_session *s, struct buddy_job *job,
			    struct voice_state *v, char *out, size_t outlen, int ps_rc)
{
	struct remote_cancel cc = { s, job->turn };
	char text[1024], why[300];
	double t0 = clock_mono_s();
	int rc = remote_asr_transcribe(&v->remote_cfg, v->utt, v->utt_n, ASR_SAMPLE_RATE,
				       remote_cancelled, &cc, text, sizeof text, why, sizeof why);
	if (rc == 0) {
		log_debug("voice", "turn %u: outside recogniser %.0f ms (PocketSphinx heard \"%s\")",
			  job->turn, (clock_mono_s() - t0) * 1000.0, out);
		snprintf(out, outlen, "%s", text);
		return 0;
	}
	if (rc < 0)
		log_warn("voice", "outside speech recognition failed after %.0f ms (%s, %s); using PocketSphinx",
			 (clock_mono_s() - t0) * 1000.0, why, v->remote_cfg.url);
	return ps_rc;
}

int voice_turn_recognise(struct buddy_session *s, struct buddy_job *job,
			 const struct turn_sink *sink, char *out, size_t outlen, double *asr_ms,
			 int *unsure)
{
	*unsure = 0;
	double t0 = job->t_stop > 0 ? job->t_stop : clock_mono_s();
	double c0 = clock_thread_cpu_s();
	size_t before = s->voice ? s->voice->consumed : 0;
	out[0] = '\0';
	voice_turn_feed(s, job, sink);
	struct voice_state *v = s->voice;
	int rc = -1;
	if (v && v->started) {
		if (v->clean)
			hear_pcm(v, v->cleaned, clean_flush(v->clean, v->cleaned));
		double c1 = clock_thread_cpu_s();
		rc = finish(s, v, job->turn, out, outlen, unsure);
		log_debug("voice", "turn %u after audio.stop: %zu packets decoded in %.1f ms CPU, "
			  "final search %.1f ms CPU", job->turn, v->consumed - before,
			  (c1 - c0) * 1000.0, (clock_thread_cpu_s() - c1) * 1000.0);
		v->started = 0;
		if (v->rs)
			resample_reset(v->rs);
		if (v->remote && v->utt_n > 0) {
			rc = recognise_remote(s, job, v, out, outlen, rc);
			/* the outside recogniser's one reading: sure unless always asked */
			*unsure = readback_mode(&s->srv->cfg) == READBACK_ALWAYS &&
				  voice_turn_changes_cart(out);
		}
	}
	*asr_ms = (clock_mono_s() - t0) * 1000.0;
	if (sink->transcript)
		sink->transcript(sink->ctx, job->turn, out, 1);
	voice_turn_release(s);
	return rc;
}
