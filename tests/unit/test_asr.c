/*
 * test_asr.c - the recogniser's pieces: text normalisation and pronunciations
 * (server/voice/pron.c), the catalog language model (lm.c: ARPA well formed,
 * back-off distributions summing to one, dictionary covering the vocabulary) and
 * PocketSphinx recognition (asr.c) of utterances synthesised at test time with
 * Flite (slt, awb, rms), eSpeak NG, and Flite with reverb (sox) or white noise.
 * Word error rates are printed per voice and held under bounds measured on this
 * machine with some headroom.  Speech tests are skipped when flite, espeak-ng or
 * sox is missing.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "voice/asr.h"
#include "voice/pron.h"
#include "voice/lm.h"
#include "wav.h"

#define CMUDICT "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict"

static const char *const catalog[] = {
	"Organic Bananas", "Dark Roast Coffee Beans 1 kg", "Greek Yogurt", "Sony Wireless Headphones",
	"Whole Milk 1 gallon", "Large Brown Eggs 12 pack", "Sourdough Bread", "Fresh Strawberries 1 lb",
	"Honeycrisp Apples", "Baby Spinach", "Cheddar Cheese", "Unsalted Butter", "Orange Juice 2 L",
	"Almond Milk", "Chicken Breast 2 lb", "Ground Beef", "Atlantic Salmon Fillet", "Basmati Rice 5 kg",
	"Spaghetti Pasta", "Tomato Sauce", "Extra Virgin Olive Oil", "Peanut Butter", "Strawberry Jam",
	"Green Tea", "Sparkling Water 12 pack", "Potato Chips", "Dark Chocolate Bar", "Vanilla Ice Cream",
	"Frozen Pizza", "Paper Towels", "Toilet Paper 24 rolls", "Laundry Detergent", "Dish Soap",
	"Toothpaste", "Shampoo", "Bluetooth Speaker", "USB-C Charging Cable", "Wireless Mouse",
	"Mechanical Keyboard", "Apple iPhone 15 Case", "Samsung 55\" 4K TV", "AA Batteries (8 pack)",
	"Avocados", "Blueberries", "Red Seedless Grapes", "Carrots 2 lb", "Broccoli", "Oatmeal",
	"Granola Cereal", "Kombucha",
	"Fruit", "Vegetables", "Dairy", "Bakery", "Meat & Seafood", "Pantry", "Beverages", "Snacks",
	"Frozen Foods", "Household", "Personal Care", "Electronics", "Breakfast",
};
#define NCATALOG (sizeof catalog / sizeof catalog[0])

static const char *const utterances[] = {
	"add two bananas to my cart", "do you have greek yogurt",
	"show me wireless headphones under fifty dollars", "what's in my cart",
	"remove the whole milk", "i need some paper towels", "cancel my order",
};
#define NUTT (sizeof utterances / sizeof utterances[0])

static char dir[64];

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void build_lm(void)
{
	char err[256];
	struct lm_stats st;
	double t0 = now_ms();

	strcpy(dir, "/tmp/voxcart-asr-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_msg(lm_build_stats(catalog, NCATALOG, CMUDICT, dir, &st, err, sizeof err) == 0, "%s", err);
	printf("lm: %zu phrases -> %zu sentences, %zu words (%zu guessed), %zu/%zu/%zu n-grams, %.0f ms\n",
	       st.phrases, st.sentences, st.words, st.guessed, st.ngrams[0], st.ngrams[1], st.ngrams[2],
	       now_ms() - t0);
}

static void remove_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void path_in(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

/* ---- normalisation and pronunciations ---- */

START_TEST(test_normalize)
{
	static const char *const cases[][3] = {
		{ "Dark Roast Coffee Beans 1 kg", "dark roast coffee beans one kilogram", "dark roast coffee beans" },
		{ "Whole Milk 1 gallon", "whole milk one gallon", "whole milk" },
		{ "Coca-Cola 12oz (12 pack)", "coca cola twelve ounces twelve pack", "coca cola" },
		{ "Ben & Jerry's", "ben and jerry's", "ben and jerry's" },
		{ "Caf\xC3\xA9 $4.99", "cafe four dollars ninety nine", "cafe" },
		{ "Greek Yogurt 2% 32 oz", "greek yogurt two percent thirty two ounces", "greek yogurt" },
		{ "the 3rd one, 2.5 L", "the third one two point five liters", "the third one" },
		{ "What\xE2\x80\x99s in my cart?!", "what's in my cart", "what's in my cart" },
		{ "1,250 mAh", "one thousand two hundred fifty milliamp", "" },
		{ "  ...  ", "", "" },
	};
	char out[256], core[256];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		pron_normalize(cases[i][0], out, sizeof out, core, sizeof core);
		ck_assert_str_eq(out, cases[i][1]);
		ck_assert_str_eq(core, cases[i][2]);
	}
	ck_assert_int_eq(pron_normalize("add 2 apples", out, sizeof out, NULL, 0), 3);
	/* a tiny buffer truncates at a word boundary */
	pron_normalize("add two bananas", out, 9, NULL, 0);
	ck_assert_str_eq(out, "add two");
	ck_assert_int_eq(pron_number_words(999999999UL, out, sizeof out), 0);
	ck_assert_str_eq(out, "nine hundred ninety nine million nine hundred ninety nine thousand nine hundred ninety nine");
	ck_assert_int_eq(pron_number_words(1000000000UL, out, sizeof out), -1);
}
END_TEST

START_TEST(test_pronunciations)
{
	char err[256], guess[256], *buf = NULL;
	size_t len = 0;
	struct pron_dict *lex = pron_dict_load(CMUDICT, err, sizeof err);
	FILE *f = open_memstream(&buf, &len);
	int guessed = -1;

	ck_assert_msg(lex != NULL, "%s", err);
	ck_assert_int_eq(pron_dict_has(lex, "bananas"), 1);
	ck_assert_int_eq(pron_dict_has(lex, "kombucha"), 0);
	ck_assert_int_eq(pron_dict_write(lex, f, "the", &guessed), 2);
	ck_assert_int_eq(guessed, 0);
	ck_assert_int_eq(pron_dict_write(lex, f, "kombucha", &guessed), 1);
	ck_assert_int_eq(guessed, 1);
	fclose(f);
	ck_assert_str_eq(buf, "the DH AH\nthe(2) DH IY\nkombucha K AA M B AH CH AH\n");
	free(buf);
	ck_assert_int_eq(pron_guess("xbx", guess, sizeof guess), 0);
	ck_assert_str_eq(guess, "EH K S B IY EH K S"); /* no vowel: spelled out */
	ck_assert_int_eq(pron_guess("'", guess, sizeof guess), -1);
	pron_dict_free(lex);
	ck_assert_ptr_null(pron_dict_load("/no/such/dict", err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "/no/such/dict"));
}
END_TEST

/* ---- the language model ---- */

struct arpa_entry {
	char *key; /* "w1 w2 w3" */
	double logp, bow;
};

struct arpa {
	struct arpa_entry *e[3];
	size_t n[3], declared[3];
	char **vocab;
};

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct arpa_entry *)a)->key, ((const struct arpa_entry *)b)->key);
}

static void arpa_load(struct arpa *m, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	int order = 0;

	memset(m, 0, sizeof *m);
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof line, f)) {
		int o;
		size_t cnt;
		char w[3][128];
		double lp, bow = 0;

		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "ngram %d=%zu", &o, &cnt) == 2) {
			ck_assert(o >= 1 && o <= 3);
			m->declared[o - 1] = cnt;
			m->e[o - 1] = calloc(cnt, sizeof *m->e[o - 1]);
		} else if (sscanf(line, "\\%d-grams:", &o) == 1) {
			order = o;
		} else if (order > 0 && line[0] && line[0] != '\\') {
			int got = order == 1 ? sscanf(line, "%lf %127s %lf", &lp, w[0], &bow)
				: order == 2 ? sscanf(line, "%lf %127s %127s %lf", &lp, w[0], w[1], &bow)
				: sscanf(line, "%lf %127s %127s %127s", &lp, w[0], w[1], w[2]);
			char key[400];
			struct arpa_entry *e;

			ck_assert_int_ge(got, order + 1);
			ck_assert_uint_lt(m->n[order - 1], m->declared[order - 1]);
			ck_assert_double_le(lp, 0.0);
			snprintf(key, sizeof key, "%s%s%s%s%s", w[0], order > 1 ? " " : "", order > 1 ? w[1] : "",
				 order > 2 ? " " : "", order > 2 ? w[2] : "");
			e = &m->e[order - 1][m->n[order - 1]++];
			e->key = strdup(key);
			e->logp = lp;
			e->bow = got > order + 1 ? bow : 0.0;
		}
	}
	fclose(f);
	for (int i = 0; i < 3; i++) {
		ck_assert_uint_eq(m->n[i], m->declared[i]);
		qsort(m->e[i], m->n[i], sizeof *m->e[i], by_key);
	}
}

static struct arpa_entry *arpa_find(struct arpa *m, int order, const char *key)
{
	struct arpa_entry k = { (char *)key, 0, 0 };

	return bsearch(&k, m->e[order - 1], m->n[order - 1], sizeof k, by_key);
}

/* P(w | h) by the ARPA back-off rule; h is "" or "v" or "u v". */
static double arpa_prob(struct arpa *m, const char *h, const char *w)
{
	char key[400];
	const char *space = strchr(h, ' ');
	int order = !*h ? 1 : space ? 3 : 2;
	struct arpa_entry *e, *hist;

	snprintf(key, sizeof key, "%s%s%s", h, *h ? " " : "", w);
	if ((e = arpa_find(m, order, key)))
		return pow(10.0, e->logp);
	ck_assert_int_gt(order, 1);
	hist = arpa_find(m, order - 1, h);
	return (hist ? pow(10.0, hist->bow) : 1.0) * arpa_prob(m, space ? space + 1 : "", w);
}

static double total_prob(struct arpa *m, const char *h)
{
	double sum = 0;

	for (size_t i = 0; i < m->n[0]; i++)
		if (strcmp(m->e[0][i].key, "<s>") != 0)
			sum += arpa_prob(m, h, m->e[0][i].key);
	return sum;
}

static void arpa_free(struct arpa *m)
{
	for (int i = 0; i < 3; i++) {
		for (size_t k = 0; k < m->n[i]; k++)
			free(m->e[i][k].key);
		free(m->e[i]);
	}
}

START_TEST(test_lm_backoff_sums_to_one)
{
	static const char *const histories[] = { "", "add", "my", "<s>", "bananas", "add two",
		"<s> add", "to my", "organic", "dark roast", "under fifty", "kombucha", "zzz-unseen" };
	char path[128];
	struct arpa m;

	build_lm();
	path_in(path, sizeof path, LM_FILE);
	arpa_load(&m, path);
	ck_assert_uint_gt(m.n[2], 1000);
	for (size_t i = 0; i < sizeof histories / sizeof histories[0]; i++) {
		const char *h = histories[i];

		if (!strcmp(h, "zzz-unseen"))
			continue;
		ck_assert_msg(fabs(total_prob(&m, h) - 1.0) < 1e-3, "history \"%s\": sum %f", h, total_prob(&m, h));
	}
	/* the catalog's phrasing is likely, nonsense is not */
	ck_assert_double_gt(arpa_prob(&m, "add two", "bananas"), 2 * arpa_prob(&m, "", "bananas"));
	ck_assert_double_gt(arpa_prob(&m, "add two", "bananas"), 10 * arpa_prob(&m, "to my", "bananas"));
	ck_assert_double_gt(arpa_prob(&m, "to my", "cart"), 0.5);
	arpa_free(&m);
	remove_dir();
}
END_TEST

START_TEST(test_lm_dictionary_covers_vocabulary)
{
	char path[128], line[512], word[128];
	struct arpa m;
	FILE *f;
	size_t found = 0, words = 0;

	build_lm();
	path_in(path, sizeof path, LM_FILE);
	arpa_load(&m, path);
	path_in(path, sizeof path, LM_DICT);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof line, f)) {
		ck_assert_int_eq(sscanf(line, "%127s", word), 1);
		ck_assert_msg(strchr(line, ' ') && line[strlen(line) - 2] != ' ', "bad line %s", line);
		if (!strchr(word, '(')) {
			words++;
			found += arpa_find(&m, 1, word) != NULL;
		}
	}
	fclose(f);
	ck_assert_uint_eq(words, m.n[0] - 2); /* every word but <s> and </s>, once */
	ck_assert_uint_eq(found, words);
	ck_assert_ptr_nonnull(arpa_find(&m, 1, "kombucha"));
	ck_assert_ptr_nonnull(arpa_find(&m, 1, "kilogram"));
	ck_assert_ptr_null(arpa_find(&m, 1, "1"));
	arpa_free(&m);
	remove_dir();
}
END_TEST

/* Names as shoppers say them: no "(each)" or "3 lb bag" tails, plurals made right,
 * and after an item with a quantity the command goes on ("to my cart") far more
 * likely than with a brand or product word. */
START_TEST(test_lm_item_names)
{
	static const char *const phrases[] = { "Bananas (each)", "Organic Bananas (bunch)",
		"Gala Apples 3 lb bag", "Roma Tomatoes 1 lb", "Whole Milk half gallon",
		"Green Tea 20 bags", "Tunebox Wireless Headphones", "Tunebox Wired Earbuds" };
	char err[256], path[128];
	struct arpa m;

	build_lm();
	ck_assert_msg(lm_build(phrases, 8, CMUDICT, dir, err, sizeof err) == 0, "%s", err);
	path_in(path, sizeof path, LM_FILE);
	arpa_load(&m, path);
	ck_assert_ptr_null(arpa_find(&m, 1, "each"));
	ck_assert_ptr_null(arpa_find(&m, 1, "tomatoe"));
	ck_assert_ptr_nonnull(arpa_find(&m, 1, "tomato"));
	ck_assert_ptr_null(arpa_find(&m, 2, "bananas bunch"));
	ck_assert_ptr_null(arpa_find(&m, 2, "apples bag"));
	ck_assert_ptr_nonnull(arpa_find(&m, 2, "milk </s>"));
	ck_assert_ptr_nonnull(arpa_find(&m, 2, "bananas </s>"));
	ck_assert_ptr_nonnull(arpa_find(&m, 2, "tea </s>"));
	ck_assert_double_gt(arpa_prob(&m, "two bananas", "to"), 0.2);
	ck_assert_double_gt(arpa_prob(&m, "two bananas", "to"), 1000 * arpa_prob(&m, "two bananas", "tunebox"));
	ck_assert_double_gt(arpa_prob(&m, "three tomatoes", "in"), 0.05);
	ck_assert_double_gt(arpa_prob(&m, "two gala apples", "to"), 2 * arpa_prob(&m, "two gala apples", "three"));
	ck_assert_double_gt(arpa_prob(&m, "bananas to", "my"), 0.5);
	arpa_free(&m);
	remove_dir();
}
END_TEST

/* Articles and number agree with the name as shoppers say it: "an oat milk", never
 * "a oat milk" (the recogniser heard "do you have a oat milk" for "do you have oat
 * milk"); the singular made up from "Gala Apples" only after "a" or "one" (it heard
 * "add two gala apple"), the catalog's plural never after "a"; a singular in the
 * catalog ("Oat Milk") may be a mass noun and is said with any number. */
START_TEST(test_lm_agreement)
{
	static const char *const phrases[] = { "Gala Apples 3 lb bag", "Oat Milk", "Bananas (each)",
		"Watermelon", "Everything Bagels", "Hour Glass Timer", "USB Cable" };
	char err[256], path[128];
	struct arpa m;

	ck_assert_int_eq(pron_starts_with_vowel(NULL, "oat"), 1);
	build_lm();
	ck_assert_msg(lm_build(phrases, 7, CMUDICT, dir, err, sizeof err) == 0, "%s", err);
	path_in(path, sizeof path, LM_FILE);
	arpa_load(&m, path);
	ck_assert_ptr_null(arpa_find(&m, 2, "a oat"));
	ck_assert_ptr_nonnull(arpa_find(&m, 2, "an oat"));
	ck_assert_ptr_null(arpa_find(&m, 3, "have a oat"));
	ck_assert_ptr_nonnull(arpa_find(&m, 3, "have an oat"));
	ck_assert_ptr_null(arpa_find(&m, 2, "an watermelon"));
	ck_assert_ptr_nonnull(arpa_find(&m, 2, "a watermelon"));
	ck_assert_ptr_null(arpa_find(&m, 2, "a everything"));
	ck_assert_ptr_nonnull(arpa_find(&m, 3, "an everything bagel"));
	ck_assert_ptr_null(arpa_find(&m, 3, "an everything bagels"));
	ck_assert_ptr_nonnull(arpa_find(&m, 2, "an hour"));
	ck_assert_ptr_nonnull(arpa_find(&m, 2, "a usb"));
	ck_assert_ptr_null(arpa_find(&m, 2, "an usb"));
	ck_assert_ptr_null(arpa_find(&m, 3, "two gala apple"));
	ck_assert_ptr_nonnull(arpa_find(&m, 3, "two gala apples"));
	ck_assert_ptr_nonnull(arpa_find(&m, 3, "a gala apple"));
	ck_assert_ptr_null(arpa_find(&m, 2, "a bananas"));
	ck_assert_ptr_null(arpa_find(&m, 2, "an bananas"));
	ck_assert_ptr_nonnull(arpa_find(&m, 2, "two bananas"));
	ck_assert_ptr_nonnull(arpa_find(&m, 2, "a banana"));
	ck_assert_ptr_null(arpa_find(&m, 2, "two banana"));
	ck_assert_ptr_nonnull(arpa_find(&m, 3, "two oat milk"));
	ck_assert_ptr_null(arpa_find(&m, 3, "an oat milks"));
	ck_assert_ptr_nonnull(arpa_find(&m, 3, "two oat milks"));
	arpa_free(&m);
	remove_dir();
}
END_TEST

START_TEST(test_lm_errors)
{
	char err[256] = "";

	ck_assert_int_eq(lm_build(catalog, NCATALOG, "/no/dict", "/tmp", err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "/no/dict"));
	ck_assert_int_eq(lm_build(catalog, NCATALOG, CMUDICT, "/no/such/dir", err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "/no/such/dir"));
	/* no phrases still gives a usable command model */
	build_lm();
	ck_assert_int_eq(lm_build(NULL, 0, CMUDICT, dir, err, sizeof err), 0);
	remove_dir();
}
END_TEST

/* ---- recognition ---- */

static int have_tools(void)
{
	return system("command -v flite >/dev/null && command -v espeak-ng >/dev/null && "
		      "command -v sox >/dev/null") == 0;
}

static int words_of(char *s, char **w, int max)
{
	int n = 0;

	for (char *t = strtok(s, " "); t && n < max; t = strtok(NULL, " "))
		w[n++] = t;
	return n;
}

/* Word-level edit distance; *nref gets the reference length. */
static int word_errors(const char *ref, const char *hyp, int *nref)
{
	char a[256], b[256], *r[32], *h[32];
	int d[33][33], n, m;

	snprintf(a, sizeof a, "%s", ref);
	snprintf(b, sizeof b, "%s", hyp);
	n = words_of(a, r, 32);
	m = words_of(b, h, 32);
	for (int i = 0; i <= n; i++)
		d[i][0] = i;
	for (int j = 0; j <= m; j++)
		d[0][j] = j;
	for (int i = 1; i <= n; i++)
		for (int j = 1; j <= m; j++) {
			int c = d[i - 1][j - 1] + (strcmp(r[i - 1], h[j - 1]) != 0);

			c = d[i - 1][j] + 1 < c ? d[i - 1][j] + 1 : c;
			d[i][j] = d[i][j - 1] + 1 < c ? d[i][j - 1] + 1 : c;
		}
	*nref = n;
	return d[n][m];
}

/* Synthesises text with one voice ("slt", "awb", "rms", "espeak", "slt+reverb",
 * "awb+noise") into 16 kHz mono. */
static void synth(const char *voice, const char *text, int16_t **pcm, size_t *n)
{
	char cmd[512], raw[128], wav[128], err[256];
	int noise = strstr(voice, "+noise") != NULL;

	path_in(raw, sizeof raw, "raw.wav");
	path_in(wav, sizeof wav, "utt.wav");
	if (!strcmp(voice, "espeak"))
		snprintf(cmd, sizeof cmd, "espeak-ng -w '%s' \"%s\"", wav, text);
	else if (strstr(voice, "+reverb"))
		snprintf(cmd, sizeof cmd, "flite -voice %.3s -t \"%s\" -o '%s' && sox '%s' '%s' reverb 30",
			 voice, text, raw, raw, wav);
	else
		snprintf(cmd, sizeof cmd, "flite -voice %.3s -t \"%s\" -o '%s'", voice, text, wav);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_msg(wav_read_mono16(wav, ASR_SAMPLE_RATE, pcm, n, err, sizeof err) == 0, "%s", err);
	if (noise) { /* white noise at about -39 dBFS, seeded so runs agree */
		unsigned s = 7;

		for (size_t i = 0; i < *n; i++) {
			int v;

			s = s * 1103515245u + 12345u;
			v = (*pcm)[i] + (int)((s >> 16) % 1311) - 655;
			(*pcm)[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
		}
	}
}

/* Decodes pcm in 20 ms pieces (as the server gets it) with 200 ms of silence
 * around it; returns the decode time in ms. */
static double decode(struct asr *a, const int16_t *pcm, size_t n, char *out, size_t outlen)
{
	int16_t quiet[3200];
	double t0 = now_ms();

	memset(quiet, 0, sizeof quiet);
	ck_assert_int_eq(asr_start(a), 0);
	ck_assert_int_eq(asr_feed(a, quiet, 3200), 0);
	for (size_t k = 0; k < n; k += 320)
		ck_assert_int_eq(asr_feed(a, pcm + k, n - k < 320 ? n - k : 320), 0);
	ck_assert_int_eq(asr_feed(a, quiet, 3200), 0);
	ck_assert_int_eq(asr_finish(a, out, outlen), 0);
	return now_ms() - t0;
}

static struct asr *catalog_decoder(double *init_ms)
{
	struct asr_config c;
	char lm[128], dic[128], err[256];
	struct asr *a;
	double t0;

	path_in(lm, sizeof lm, LM_FILE);
	path_in(dic, sizeof dic, LM_DICT);
	asr_config_default(&c);
	c.lm_path = lm;
	c.dict_path = dic;
	t0 = now_ms();
	a = asr_new(&c, err, sizeof err);
	if (init_ms)
		*init_ms = now_ms() - t0;
	ck_assert_msg(a != NULL, "%s", err);
	return a;
}

START_TEST(test_recognition_wer)
{
	static const struct {
		const char *voice;
		double max_wer; /* measured here: see the printed figures */
	} voices[] = { { "slt", 0.12 }, { "awb", 0.12 }, { "rms", 0.12 }, { "slt+reverb", 0.25 },
		       { "awb+noise", 0.45 }, { "espeak", 0.60 } };
	double init_ms, audio_ms = 0, decode_ms = 0;
	struct asr *a;

	if (!have_tools()) {
		printf("asr: flite, espeak-ng or sox missing: recognition not tested\n");
		return;
	}
	build_lm();
	a = catalog_decoder(&init_ms);
	for (size_t v = 0; v < sizeof voices / sizeof voices[0]; v++) {
		int errors = 0, words = 0, exact = 0;

		for (size_t u = 0; u < NUTT; u++) {
			int16_t *pcm = NULL;
			size_t n = 0;
			char out[256];
			int nref, e;

			synth(voices[v].voice, utterances[u], &pcm, &n);
			decode_ms += decode(a, pcm, n, out, sizeof out);
			audio_ms += (double)(n + 6400) / 16.0;
			e = word_errors(utterances[u], out, &nref);
			if (e)
				printf("  %-10s \"%s\" -> \"%s\"\n", voices[v].voice, utterances[u], out);
			errors += e;
			words += nref;
			exact += e == 0;
			free(pcm);
		}
		printf("asr: %-10s WER %5.1f%% (%d/%d words), %d/%zu exact\n", voices[v].voice,
		       100.0 * errors / words, errors, words, exact, NUTT);
		ck_assert_msg((double)errors / words <= voices[v].max_wer, "%s: WER %.1f%% over %.0f%%",
			      voices[v].voice, 100.0 * errors / words, 100 * voices[v].max_wer);
	}
	printf("asr: decoder init %.0f ms; %.1f s of audio decoded in %.0f ms (real-time factor %.3f)\n",
	       init_ms, audio_ms / 1000, decode_ms, decode_ms / audio_ms);
	asr_free(a);
	remove_dir();
}
END_TEST

/* A pooled decoder gives an utterance the same transcript whatever it decoded
 * before, and the same as a new decoder; audio that stops right at the end of
 * the last word still gets it. */
START_TEST(test_decoder_state_and_tail)
{
	static const char *const texts[] = { "add two bananas to my cart", "i need some paper towels",
		"remove the whole milk" };
	char first[3][256], out[256];
	int16_t *pcm[3];
	size_t n[3];
	struct asr *a, *b;

	if (!have_tools())
		return;
	build_lm();
	for (int i = 0; i < 3; i++)
		synth(i == 1 ? "awb+noise" : "slt", texts[i], &pcm[i], &n[i]);
	a = catalog_decoder(NULL);
	for (int i = 0; i < 3; i++)
		decode(a, pcm[i], n[i], first[i], sizeof first[i]);
	for (int i = 2; i >= 0; i--) { /* again, in another order */
		decode(a, pcm[i], n[i], out, sizeof out);
		ck_assert_str_eq(out, first[i]);
	}
	for (int i = 0; i < 3; i++) {
		b = catalog_decoder(NULL);
		decode(b, pcm[i], n[i], out, sizeof out);
		ck_assert_str_eq(out, first[i]);
		asr_free(b);
	}
	/* cut just after the last sample above 3% of the peak: no silence after "cart" */
	{
		int peak = 0;
		size_t end = 0;

		for (size_t k = 0; k < n[0]; k++)
			peak = abs(pcm[0][k]) > peak ? abs(pcm[0][k]) : peak;
		for (size_t k = 0; k < n[0]; k++)
			if (abs(pcm[0][k]) * 100 > peak * 3)
				end = k + 1;
		ck_assert_int_eq(asr_start(a), 0);
		for (size_t k = 0; k < end; k += 320)
			ck_assert_int_eq(asr_feed(a, pcm[0] + k, end - k < 320 ? end - k : 320), 0);
		ck_assert_int_eq(asr_finish(a, out, sizeof out), 0);
		printf("asr: cut after the last word: \"%s\"\n", out);
		ck_assert_str_eq(out, "add two bananas to my cart");
	}
	for (int i = 0; i < 3; i++)
		free(pcm[i]);
	asr_free(a);
	remove_dir();
}
END_TEST

/* The posterior of the final reading: 0 before anything is heard, never above 0,
 * given by the N-best path too, and lower for the
 * same words played backwards (speech the recogniser cannot make sense of) than for
 * the words as said. */
START_TEST(test_posterior)
{
	char out[256];
	int16_t *pcm, *rev;
	size_t n;
	struct asr *a;
	struct asr_hyp h[ASR_SPEC_MAX];
	size_t nh = 0;

	ck_assert_int_eq(asr_posterior(NULL), 0);
	if (!have_tools())
		return;
	build_lm();
	synth("slt", "add two bananas to my cart", &pcm, &n);
	a = catalog_decoder(NULL);
	ck_assert_int_eq(asr_posterior(a), 0);
	decode(a, pcm, n, out, sizeof out);
	int32_t clean = asr_posterior(a);
	ck_assert_int_le(clean, 0);
	/* the same audio through the N-best path */
	ck_assert_int_eq(asr_start(a), 0);
	for (size_t k = 0; k < n; k += 320)
		ck_assert_int_eq(asr_feed(a, pcm + k, n - k < 320 ? n - k : 320), 0);
	ck_assert_int_eq(asr_finish_nbest(a, h, ASR_SPEC_MAX, &nh), 0);
	ck_assert_uint_ge(nh, 1);
	ck_assert_str_eq(h[0].text, out);
	int32_t again = asr_posterior(a);
	rev = malloc(n * sizeof *rev);
	ck_assert_ptr_nonnull(rev);
	for (size_t k = 0; k < n; k++)
		rev[k] = pcm[n - 1 - k];
	decode(a, rev, n, out, sizeof out);
	int32_t backwards = asr_posterior(a);
	printf("asr: posterior %d (again %d), backwards %d (\"%s\")\n", (int)clean, (int)again,
	       (int)backwards, out);
	ck_assert_int_le(again, 0);
	if (out[0])
		ck_assert_int_lt(backwards, clean);
	free(rev);
	free(pcm);
	asr_free(a);
	remove_dir();
}
END_TEST

/* A shopper who waits a second before speaking: the cepstral mean must come from
 * the speech, not from the silence and the first syllable (WER 38% in the
 * condition grid before).  And one who pauses mid-request: the utterance ended
 * early at the pause goes on when speech comes back, and the transcript is the
 * whole request; after the last word the answer is ready before audio.stop. */
START_TEST(test_leading_silence_and_pause)
{
	int16_t *pcm = NULL, *a1 = NULL, *a2 = NULL;
	size_t n = 0, n1 = 0, n2 = 0;
	static int16_t quiet[16000];
	char out[256];
	int errors = 0, words = 0;
	struct asr *a;

	if (!have_tools())
		return;
	build_lm();
	a = catalog_decoder(NULL);
	for (size_t u = 0; u < NUTT; u++) {
		int nref;

		synth("slt", utterances[u], &pcm, &n);
		ck_assert_int_eq(asr_start(a), 0);
		ck_assert_int_eq(asr_feed(a, quiet, 16000), 0); /* 1 s */
		ck_assert_int_eq(asr_feed(a, quiet, 4800), 0);  /* + 0.3 s */
		for (size_t k = 0; k < n; k += 320)
			ck_assert_int_eq(asr_feed(a, pcm + k, n - k < 320 ? n - k : 320), 0);
		ck_assert_int_eq(asr_feed(a, quiet, 4800), 0);
		ck_assert_int_eq(asr_finish(a, out, sizeof out), 0);
		errors += word_errors(utterances[u], out, &nref);
		words += nref;
		free(pcm);
	}
	printf("asr: 1.3 s of silence first: WER %.1f%% (%d/%d)\n", 100.0 * errors / words, errors, words);
	ck_assert_msg(errors * 100 <= words * 12, "WER %d/%d", errors, words);

	synth("slt", "add two", &a1, &n1);
	synth("slt", "bananas to my cart", &a2, &n2);
	ck_assert_int_eq(asr_start(a), 0);
	ck_assert_int_eq(asr_feed(a, quiet, 3200), 0);
	for (size_t k = 0; k < n1; k += 320)
		ck_assert_int_eq(asr_feed(a, a1 + k, n1 - k < 320 ? n1 - k : 320), 0);
	ck_assert_int_eq(asr_feed(a, quiet, 9600), 0); /* a 0.6 s pause: ended early */
	ck_assert_ptr_nonnull(asr_partial(a));
	for (size_t k = 0; k < n2; k += 320)
		ck_assert_int_eq(asr_feed(a, a2 + k, n2 - k < 320 ? n2 - k : 320), 0);
	ck_assert_int_eq(asr_feed(a, quiet, 4800), 0);
	/* the early end after the last word has the whole request already */
	ck_assert_str_eq(asr_partial(a), "add two bananas to my cart");
	ck_assert_int_eq(asr_finish(a, out, sizeof out), 0);
	ck_assert_str_eq(out, "add two bananas to my cart");
	free(a1);
	free(a2);
	asr_free(a);
	remove_dir();
}
END_TEST

START_TEST(test_partial_and_reload)
{
	static const char *const other[] = { "Kombucha", "Sriracha Sauce", "Basmati Rice" };
	char err[256], out[256], lm[128], dic[128];
	int16_t *pcm = NULL;
	size_t n = 0;
	const char *partial = NULL;
	struct asr *a;

	if (!have_tools())
		return;
	build_lm();
	a = catalog_decoder(NULL);
	synth("slt", "show me wireless headphones under fifty dollars", &pcm, &n);
	ck_assert_ptr_null(asr_partial(a));
	ck_assert_int_eq(asr_finish(a, out, sizeof out), -1); /* not started */
	ck_assert_int_eq(asr_start(a), 0);
	for (size_t k = 0; k + 320 <= n * 3 / 4; k += 320)
		asr_feed(a, pcm + k, 320);
	partial = asr_partial(a); /* heard something before the end */
	ck_assert_ptr_nonnull(partial);
	ck_assert_ptr_nonnull(strstr(partial, "show"));
	ck_assert_uint_ge(asr_audio_ms(a), 1000);
	ck_assert_int_eq(asr_reload(a, "x", "y", err, sizeof err), -1); /* mid-utterance */
	ck_assert_int_eq(asr_finish(a, out, sizeof out), 0);
	free(pcm);
	/* a rebuilt model with a word the first one lacked */
	ck_assert_int_eq(lm_build(other, 3, CMUDICT, dir, err, sizeof err), 0);
	path_in(lm, sizeof lm, LM_FILE);
	path_in(dic, sizeof dic, LM_DICT);
	ck_assert_msg(asr_reload(a, lm, dic, err, sizeof err) == 0, "%s", err);
	synth("slt", "do you have sriracha sauce", &pcm, &n);
	decode(a, pcm, n, out, sizeof out);
	ck_assert_ptr_nonnull(strstr(out, "sauce"));
	free(pcm);
	asr_free(a);
	remove_dir();
}
END_TEST

START_TEST(test_asr_errors)
{
	struct asr_config c;
	char err[256] = "";

	asr_config_default(&c);
	c.lm_path = "/no/such.lm";
	ck_assert_ptr_null(asr_new(&c, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "/no/such.lm"));
	asr_config_default(&c);
	c.model_dir = "/no/model";
	ck_assert_ptr_null(asr_new(&c, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "/no/model"));
	ck_assert_int_eq(asr_feed(NULL, NULL, 0), -1);
	ck_assert_int_eq(asr_start(NULL), -1);
	asr_free(NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("asr");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_normalize);
	tcase_add_test(tc, test_pronunciations);
	tcase_add_test(tc, test_lm_backoff_sums_to_one);
	tcase_add_test(tc, test_lm_dictionary_covers_vocabulary);
	tcase_add_test(tc, test_lm_item_names);
	tcase_add_test(tc, test_lm_agreement);
	tcase_add_test(tc, test_lm_errors);
	tcase_add_test(tc, test_recognition_wer);
	tcase_add_test(tc, test_decoder_state_and_tail);
	tcase_add_test(tc, test_leading_silence_and_pause);
	tcase_add_test(tc, test_partial_and_reload);
	tcase_add_test(tc, test_posterior);
	tcase_add_test(tc, test_asr_errors);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
