/*
 * knowledge.c - WordNet read in place (see knowledge.h).
 *
 * WordNet 3.0's files are made for this: index.<pos> lists each lemma with the byte
 * offsets of its synsets in data.<pos>, sorted so a lemma is found by binary search;
 * a data line holds the synset's words, its pointers to other synsets (hypernyms @,
 * hyponyms ~, similar adjectives &) and its gloss; <pos>.exc lists irregular forms
 * and cntlist.rev how often each sense was seen in a tagged corpus.  All of them are
 * mapped read-only once and never copied: a lookup costs a few binary searches and
 * the parse of a few dozen lines.
 *
 * Only nouns whose lexicographer file names tangible things (animal, artifact,
 * food, object, plant, substance) are followed, so "jumper" the person or "board"
 * the committee lead nowhere.  Weights fall with the sense's rank and with each step
 * away, and stay below 1 so a word the catalog has itself always counts more.
 */
#include "buddy/knowledge.h"
#include "buddy/lexicon.h"
#include "buddy/match.h"
#include "log.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_DIR "/usr/share/wordnet"
#define MAX_SENSES 6
#define MAX_WORDS 16		/* words of one synset kept */
#define MAX_PTRS 160		/* pointers of one synset followed */
#define LEMMA_LEN 64
#define MAX_KINDS 40	/* kinds (two steps down) of a thing specific enough to follow */

enum { F_IDX_N, F_DAT_N, F_IDX_A, F_DAT_A, F_IDX_V, F_IDX_R, F_EXC_N, F_EXC_V, F_EXC_A, F_CNT, F_COUNT };
static const char *const file_names[F_COUNT] = {
	"index.noun", "data.noun", "index.adj", "data.adj", "index.verb", "index.adv",
	"noun.exc", "verb.exc", "adj.exc", "cntlist.rev",
};

struct wn_file {
	const char *p;
	size_t n;
};

static struct wn_file files[F_COUNT];
static int loaded;		/* 1 mapped, -1 missing */
static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char dir_override[512];

static void unmap_all(void)
{
	for (int i = 0; i < F_COUNT; i++) {
		if (files[i].p)
			munmap((void *)files[i].p, files[i].n);
		files[i].p = NULL;
		files[i].n = 0;
	}
}

static int map_file(const char *dir, const char *name, struct wn_file *f)
{
	char path[640];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat st;
	void *p = MAP_FAILED;
	if (fstat(fd, &st) == 0 && st.st_size > 0)
		p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -1;
	f->p = p;
	f->n = (size_t)st.st_size;
	return 0;
}

static void load_nothing(void)
{
}

static void load(void)
{
	const char *dir = *dir_override ? dir_override : getenv("VOXCART_WORDNET");
	if (!dir || !*dir)
		dir = DEFAULT_DIR;
	for (int i = 0; i < F_COUNT; i++) {
		if (map_file(dir, file_names[i], &files[i]) != 0) {
			log_msg(LOG_WARN, "buddy", "WordNet not found in %s (%s missing): the buddy "
				"knows only the catalog's own words (install wordnet-base)", dir, file_names[i]);
			unmap_all();
			loaded = -1;
			return;
		}
	}
	loaded = 1;
}

int know_available(void)
{
	pthread_once(&load_once, load);
	return loaded == 1;
}

static void cache_clear(void);

void know_set_dir(const char *dir)
{
	cache_clear();
	unmap_all();
	snprintf(dir_override, sizeof dir_override, "%s", dir ? dir : "");
	loaded = 0;
	load();
	pthread_once(&load_once, load_nothing);	/* later calls see it done */
}

/* ---- the catalog's words --------------------------------------------------- */

void know_vocab_init(struct know_vocab *kv, const char *const *words, size_t n)
{
	kv->words = words;
	kv->n = n;
	kv->sorted = 1;
	for (size_t i = 1; i < n && kv->sorted; i++)
		kv->sorted = strcmp(words[i - 1], words[i]) <= 0;
}

static int vocab_exact(const struct know_vocab *kv, const char *w)
{
	if (!kv->sorted) {
		for (size_t i = 0; i < kv->n; i++)
			if (!strcmp(kv->words[i], w))
				return 1;
		return 0;
	}
	size_t lo = 0, hi = kv->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(kv->words[mid], w);
		if (r == 0)
			return 1;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

int know_vocab_has(void *ctx, const char *word)
{
	const struct know_vocab *kv = ctx;
	char f[LEMMA_LEN + 4];
	size_t n = strlen(word);
	if (n == 0 || n >= LEMMA_LEN)
		return 0;
	if (vocab_exact(kv, word))
		return 1;
	snprintf(f, sizeof f, "%ss", word);
	if (vocab_exact(kv, f))
		return 1;
	snprintf(f, sizeof f, "%ses", word);
	if (vocab_exact(kv, f))
		return 1;
	if (word[n - 1] == 'y') {
		snprintf(f, sizeof f, "%.*sies", (int)(n - 1), word);
		if (vocab_exact(kv, f))
			return 1;
	}
	match_stem(word, f, sizeof f);
	return strcmp(f, word) && vocab_exact(kv, f);
}

/* ---- sorted-line search ---------------------------------------------------- */

/* Compares the line at p (its first field, ended by sep) with key: <0, 0, >0. */
static int cmp_line(const char *p, const char *end, const char *key, char sep)
{
	for (;; p++, key++) {
		int lc = p < end && *p != '\n' ? (unsigned char)*p : sep;
		if (!*key)
			return lc == (unsigned char)sep ? 0 : 1;
		if (lc == (unsigned char)sep)
			return -1;
		if (lc != (unsigned char)*key)
			return lc - (unsigned char)*key;
	}
}

/* The line whose first field (ended by sep) is key, or NULL; *len its length. */
static const char *find_line(const struct wn_file *f, const char *key, char sep, size_t *len)
{
	size_t lo = 0, hi = f->n;
	const char *p = f->p, *end = f->p + f->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2, s = mid, e;
		while (s > lo && p[s - 1] != '\n')
			s--;
		for (e = s; e < f->n && p[e] != '\n'; e++)
			;
		if (cmp_line(p + s, end, key, sep) < 0)
			lo = e + 1;
		else
			hi = s;
	}
	if (lo >= f->n || cmp_line(p + lo, end, key, sep) != 0)
		return NULL;
	const char *nl = memchr(p + lo, '\n', f->n - lo);
	*len = (size_t)((nl ? nl : end) - (p + lo));
	return p + lo;
}

/* Reads the next space-separated field of [*p, end) into out; 0 at the end. */
static int next_field(const char **p, const char *end, char *out, size_t len)
{
	while (*p < end && **p == ' ')
		(*p)++;
	size_t n = 0;
	while (*p < end && **p != ' ' && **p != '\n') {
		if (n + 1 < len)
			out[n++] = **p;
		(*p)++;
	}
	out[n] = '\0';
	return n > 0;
}

/* ---- index and data lines -------------------------------------------------- */

/* The synset offsets of lemma in an index file (at most max, most frequent first). */
static int index_offsets(int file, const char *lemma, long *off, int max)
{
	size_t len;
	const char *l = find_line(&files[file], lemma, ' ', &len);
	if (!l)
		return 0;
	const char *p = l, *end = l + len;
	char f[LEMMA_LEN];
	next_field(&p, end, f, sizeof f);	/* lemma */
	next_field(&p, end, f, sizeof f);	/* pos */
	next_field(&p, end, f, sizeof f);
	int nsyn = atoi(f);
	next_field(&p, end, f, sizeof f);
	int nptr = atoi(f);
	for (int i = 0; i < nptr; i++)
		next_field(&p, end, f, sizeof f);
	next_field(&p, end, f, sizeof f);	/* sense_cnt */
	next_field(&p, end, f, sizeof f);	/* tagsense_cnt */
	int n = 0;
	for (int i = 0; i < nsyn && n < max && next_field(&p, end, f, sizeof f); i++)
		off[n++] = atol(f);
	return n;
}

struct synset {
	int lexfile;
	char type;		/* n, a, s */
	int nwords;
	char words[MAX_WORDS][LEMMA_LEN];
	int nptrs;
	struct {
		char sym[3];
		long off;
		char pos;
	} ptr[MAX_PTRS];
};

/* Parses the synset at byte offset off of data.noun ('n') or data.adj ('a'/'s'). */
static int read_synset(char pos, long off, struct synset *s)
{
	const struct wn_file *f = &files[pos == 'n' ? F_DAT_N : F_DAT_A];
	if (off < 0 || (size_t)off >= f->n)
		return -1;
	const char *p = f->p + off, *end = f->p + f->n;
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	if (nl)
		end = nl;
	char fld[LEMMA_LEN];
	next_field(&p, end, fld, sizeof fld);
	if (atol(fld) != off)
		return -1;
	next_field(&p, end, fld, sizeof fld);
	s->lexfile = atoi(fld);
	next_field(&p, end, fld, sizeof fld);
	s->type = fld[0];
	next_field(&p, end, fld, sizeof fld);
	int nw = (int)strtol(fld, NULL, 16);
	s->nwords = 0;
	for (int i = 0; i < nw; i++) {
		next_field(&p, end, fld, sizeof fld);
		char *paren = strchr(fld, '(');	/* adjective markers: "galore(ip)" */
		if (paren)
			*paren = '\0';
		if (s->nwords < MAX_WORDS) {
			char *w = s->words[s->nwords++];
			size_t k = 0;
			for (; fld[k] && k + 1 < LEMMA_LEN; k++)
				w[k] = (char)(fld[k] >= 'A' && fld[k] <= 'Z' ? fld[k] + 32 : fld[k]);
			w[k] = '\0';
		}
		next_field(&p, end, fld, sizeof fld);	/* lex_id */
	}
	next_field(&p, end, fld, sizeof fld);
	int np = atoi(fld);
	s->nptrs = 0;
	for (int i = 0; i < np; i++) {
		char sym[8], o[16], ps[4], st[8];
		next_field(&p, end, sym, sizeof sym);
		next_field(&p, end, o, sizeof o);
		next_field(&p, end, ps, sizeof ps);
		next_field(&p, end, st, sizeof st);
		if (s->nptrs < MAX_PTRS && strlen(sym) <= 2) {
			snprintf(s->ptr[s->nptrs].sym, sizeof s->ptr[s->nptrs].sym, "%s", sym);
			s->ptr[s->nptrs].off = atol(o);
			s->ptr[s->nptrs].pos = ps[0];
			s->nptrs++;
		}
	}
	return 0;
}

/* Lexicographer files of tangible nouns: animal, artifact, food, object, plant,
 * substance. */
static int thing_lexfile(int lexfile)
{
	return lexfile == 5 || lexfile == 6 || lexfile == 13 || lexfile == 17 || lexfile == 20 ||
	       lexfile == 27;
}

/* ---- morphology (WordNet's "morphy") --------------------------------------- */

static int in_index(int idx, const char *lemma)
{
	size_t len;
	return find_line(&files[idx], lemma, ' ', &len) != NULL;
}

static void push_base(char bases[][LEMMA_LEN], int *n, int max, const char *b)
{
	for (int i = 0; i < *n; i++)
		if (!strcmp(bases[i], b))
			return;
	if (*n < max)
		snprintf(bases[(*n)++], LEMMA_LEN, "%s", b);
}

/* Base forms of word (spaces as '_') found in the index of pos: the word itself,
 * its irregular bases, then the regular detachments.  Returns how many. */
static int morphy(const char *word, char pos, char bases[][LEMMA_LEN], int max)
{
	static const char *const noun_rules[][2] = {
		{ "s", "" }, { "ses", "s" }, { "xes", "x" }, { "zes", "z" }, { "ches", "ch" },
		{ "shes", "sh" }, { "men", "man" }, { "ies", "y" }, { NULL, NULL } };
	static const char *const verb_rules[][2] = {
		{ "s", "" }, { "ies", "y" }, { "es", "e" }, { "es", "" }, { "ed", "e" },
		{ "ed", "" }, { "ing", "e" }, { "ing", "" }, { NULL, NULL } };
	static const char *const adj_rules[][2] = {
		{ "er", "" }, { "est", "" }, { "er", "e" }, { "est", "e" }, { NULL, NULL } };
	int idx = pos == 'n' ? F_IDX_N : pos == 'a' ? F_IDX_A : pos == 'v' ? F_IDX_V : F_IDX_R;
	int exc = pos == 'n' ? F_EXC_N : pos == 'a' ? F_EXC_A : pos == 'v' ? F_EXC_V : -1;
	const char *const (*rules)[2] = pos == 'n' ? noun_rules : pos == 'v' ? verb_rules :
					pos == 'a' ? adj_rules : NULL;
	int n = 0;
	size_t wl = strlen(word);
	if (wl == 0 || wl >= LEMMA_LEN)
		return 0;
	if (in_index(idx, word))
		push_base(bases, &n, max, word);
	size_t len;
	const char *l = exc >= 0 ? find_line(&files[exc], word, ' ', &len) : NULL;
	if (l) {
		const char *p = l, *end = l + len;
		char f[LEMMA_LEN];
		next_field(&p, end, f, sizeof f);
		while (next_field(&p, end, f, sizeof f))
			if (in_index(idx, f))
				push_base(bases, &n, max, f);
	}
	for (int r = 0; rules && rules[r][0]; r++) {
		size_t sl = strlen(rules[r][0]);
		if (wl <= sl + 1 || strcmp(word + wl - sl, rules[r][0]))
			continue;
		char b[LEMMA_LEN];
		snprintf(b, sizeof b, "%.*s%s", (int)(wl - sl), word, rules[r][1]);
		if (in_index(idx, b))
			push_base(bases, &n, max, b);
	}
	return n;
}

/* ---- related words --------------------------------------------------------- */

struct collect {
	unsigned rels;
	know_known_fn known;
	void *ctx;
	char asked[LEMMA_LEN];	/* the base asked about, '_' joined */
	struct know_hit *out;
	int max, n;
};

static void add_hit(struct collect *c, const char *words, double w, enum know_rel rel)
{
	for (int i = 0; i < c->n; i++) {
		if (strcmp(c->out[i].words, words))
			continue;
		if (w > c->out[i].weight) {
			c->out[i].weight = w;
			c->out[i].rel = rel;
		}
		return;
	}
	if (c->n < c->max) {
		snprintf(c->out[c->n].words, KNOW_PHRASE_LEN, "%s", words);
		c->out[c->n].weight = w;
		c->out[c->n].rel = rel;
		c->n++;
	} else {
		int low = 0;
		for (int i = 1; i < c->n; i++)
			if (c->out[i].weight < c->out[low].weight)
				low = i;
		if (w > c->out[low].weight) {
			snprintf(c->out[low].words, KNOW_PHRASE_LEN, "%s", words);
			c->out[low].weight = w;
			c->out[low].rel = rel;
		}
	}
}

/* A WordNet lemma ("potato_chip", "whole-wheat") as catalog words: all of its words
 * when the catalog knows each; for a broader kind, else its head (last) word, a
 * little less surely. */
static void add_lemma(struct collect *c, const char *lemma, double w, enum know_rel rel)
{
	if (!strcmp(lemma, c->asked))
		return;
	char parts[4][LEMMA_LEN];
	int np = 0;
	const char *p = lemma;
	while (*p && np < 4) {
		size_t k = strcspn(p, "_-");
		if (k > 0 && k < LEMMA_LEN) {
			memcpy(parts[np], p, k);
			parts[np++][k] = '\0';
		}
		p += k;
		if (*p)
			p++;
	}
	if (np == 0 || *p)
		return;
	int all = 1;
	for (int i = 0; i < np && all; i++)
		all = c->known(c->ctx, parts[i]);
	char phrase[KNOW_PHRASE_LEN] = "";
	if (all) {
		for (int i = 0; i < np; i++) {
			size_t o = strlen(phrase);
			snprintf(phrase + o, sizeof phrase - o, "%s%s", i ? " " : "", parts[i]);
		}
		add_hit(c, phrase, w, rel);
	} else if (rel == KNOW_BROADER && np > 1 && c->known(c->ctx, parts[np - 1]) &&
		   strcmp(parts[np - 1], c->asked)) {
		/* "edible fruit": the head names the broader kind too; not so for the same
		 * thing or a kind of it ("mad apple" is an aubergine, no apple) */
		add_hit(c, parts[np - 1], w * 0.9, rel);
	}
}

static void add_synset_words(struct collect *c, const struct synset *s, double w, enum know_rel rel)
{
	for (int i = 0; i < s->nwords; i++)
		add_lemma(c, s->words[i], w, rel);
}

static int is_hyponym(const char *sym)
{
	return !strcmp(sym, "~") || !strcmp(sym, "~i");
}

static int is_hypernym(const char *sym)
{
	return !strcmp(sym, "@") || !strcmp(sym, "@i");
}

/* 1 when s has more than MAX_KINDS kinds within two steps ("machine", "food",
 * "beverage"): too general to stand for any one product, or for the catalog's own
 * word for it (its categories are cut their own way). */
static int too_general(const struct synset *s)
{
	struct synset *h = malloc(sizeof *h);
	int kinds = 0;
	for (int i = 0; h && i < s->nptrs && kinds <= MAX_KINDS; i++) {
		if (!is_hyponym(s->ptr[i].sym))
			continue;
		kinds++;
		if (read_synset('n', s->ptr[i].off, h) == 0)
			for (int k = 0; k < h->nptrs; k++)
				kinds += is_hyponym(h->ptr[k].sym);
	}
	free(h);
	return kinds > MAX_KINDS;
}

/* Hyponyms of s down to depth, each step less sure. */
static void narrower(struct collect *c, const struct synset *s, double w, int depth)
{
	struct synset *h = malloc(sizeof *h);
	for (int i = 0; h && i < s->nptrs; i++) {
		if (!is_hyponym(s->ptr[i].sym) || read_synset('n', s->ptr[i].off, h) != 0)
			continue;
		add_synset_words(c, h, w, KNOW_NARROWER);
		if (depth > 1)
			narrower(c, h, w * 0.8, depth - 1);
	}
	free(h);
}

/* Hypernyms of s (their head words too: "edible fruit" is fruit), one step further
 * up, and less surely their other one-word hyponyms (sister kinds). */
static void broader(struct collect *c, const struct synset *s, double w)
{
	struct synset *h = malloc(sizeof *h), *g = malloc(sizeof *g);
	for (int i = 0; h && g && i < s->nptrs; i++) {
		if (!is_hypernym(s->ptr[i].sym) || read_synset('n', s->ptr[i].off, h) != 0)
			continue;
		add_synset_words(c, h, w, KNOW_BROADER);
		for (int k = 0; k < h->nptrs; k++)
			if (is_hypernym(h->ptr[k].sym) && read_synset('n', h->ptr[k].off, g) == 0 &&
			    thing_lexfile(g->lexfile))
				add_synset_words(c, g, w * 0.75, KNOW_BROADER);
		for (int k = 0; k < h->nptrs; k++) {
			if (!is_hyponym(h->ptr[k].sym) || read_synset('n', h->ptr[k].off, g) != 0)
				continue;
			for (int j = 0; j < g->nwords; j++)
				if (!strpbrk(g->words[j], "_-"))
					add_lemma(c, g->words[j], w * 0.6, KNOW_BROADER);
		}
	}
	free(h);
	free(g);
}

static void related_noun(struct collect *c, const char *base)
{
	long off[MAX_SENSES];
	int n = index_offsets(F_IDX_N, base, off, MAX_SENSES);
	struct synset *s = malloc(sizeof *s);
	/* the broader kind of the first sense that is a food or an object ("mango" the
	 * fruit, not the tree), else of the first that is a thing */
	int wide = -1;
	for (int pass = 0; pass < 2 && wide < 0 && s && (c->rels & KNOW_BROADER); pass++)
		for (int k = 0; k < n && wide < 0; k++)
			if (read_synset('n', off[k], s) == 0 &&
			    (pass ? thing_lexfile(s->lexfile) : s->lexfile == 6 || s->lexfile == 13))
				wide = k;
	int rank = 0;	/* among the senses that are things: "jumper" the sweater is the first */
	for (int k = 0; s && k < n; k++) {
		if (read_synset('n', off[k], s) != 0 || !thing_lexfile(s->lexfile))
			continue;
		double sw = 1.0 / (1.0 + 0.25 * rank++);	/* the most frequent sense first */
		int general = (c->rels & (KNOW_SAME | KNOW_NARROWER)) && too_general(s);
		if ((c->rels & KNOW_SAME) && !general)
			add_synset_words(c, s, 0.9 * sw, KNOW_SAME);
		/* kinds of a food or an object, not of a substance: gluten is a protein,
		 * but nobody asking for protein means it */
		if ((c->rels & KNOW_NARROWER) && !general && (s->lexfile == 6 || s->lexfile == 13))
			narrower(c, s, 0.75 * sw, 2);
		if ((c->rels & KNOW_BROADER) && k == wide)
			broader(c, s, 0.6);
	}
	free(s);
}

static void related_adj(struct collect *c, const char *base)
{
	long off[MAX_SENSES];
	int n = index_offsets(F_IDX_A, base, off, MAX_SENSES);
	if (n > 2)
		return;	/* "new" is fresh, unused, virgin...: too many meanings to pick one */
	struct synset *s = malloc(sizeof *s), *t = malloc(sizeof *t);
	for (int k = 0; s && t && k < n && (c->rels & KNOW_SAME); k++) {
		double sw = 1.0 / (1.0 + 0.25 * k);
		if (read_synset('a', off[k], s) != 0)
			continue;
		add_synset_words(c, s, 0.85 * sw, KNOW_SAME);
		for (int i = 0; i < s->nptrs; i++)	/* "fizzy" is similar to "sparkling" */
			if (!strcmp(s->ptr[i].sym, "&") && read_synset('a', s->ptr[i].off, t) == 0)
				add_synset_words(c, t, 0.6 * sw, KNOW_SAME);
	}
	free(s);
	free(t);
}

static int cmp_hit(const void *a, const void *b)
{
	double wa = ((const struct know_hit *)a)->weight, wb = ((const struct know_hit *)b)->weight;
	return wa < wb ? 1 : wa > wb ? -1 : strcmp(((const struct know_hit *)a)->words,
						    ((const struct know_hit *)b)->words);
}

/* "coffee cup" -> "coffee_cup"; 0 when it is no plain lowercase word or two. */
static int to_lemma(const char *phrase, char *out, size_t len)
{
	size_t n = strlen(phrase);
	if (n == 0 || n >= len)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = phrase[i];
		if (ch == ' ')
			ch = '_';
		else if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '\''))
			return 0;
		out[i] = ch;
	}
	out[n] = '\0';
	return 1;
}

int know_related(const char *phrase, unsigned rels, know_known_fn known, void *ctx,
		 struct know_hit *out, int max)
{
	char lemma[LEMMA_LEN];
	if (!phrase || !known || max <= 0 || !know_available() || !to_lemma(phrase, lemma, sizeof lemma))
		return 0;
	struct collect c = { rels, known, ctx, "", out, max, 0 };
	char bases[4][LEMMA_LEN];
	int nb = morphy(lemma, 'n', bases, 4);
	for (int i = 0; i < nb; i++) {
		memcpy(c.asked, bases[i], sizeof c.asked);
		related_noun(&c, bases[i]);
	}
	nb = (rels & KNOW_ADJ) ? morphy(lemma, 'a', bases, 4) : 0;
	for (int i = 0; i < nb; i++) {
		memcpy(c.asked, bases[i], sizeof c.asked);
		related_adj(&c, bases[i]);
	}
	qsort(out, (size_t)c.n, sizeof *out, cmp_hit);
	return c.n;
}

/* ---- kinds of words -------------------------------------------------------- */

/* Adds the corpus counts of lemma's senses: nouns to *noun, the rest to *other. */
static void sense_counts(const char *lemma, int *noun, int *other)
{
	char key[LEMMA_LEN + 2];
	snprintf(key, sizeof key, "%s%%", lemma);
	const struct wn_file *f = &files[F_CNT];
	/* lower bound of "lemma%", then every line that starts with it */
	size_t lo = 0, hi = f->n, klen = strlen(key);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2, s = mid, e;
		while (s > lo && f->p[s - 1] != '\n')
			s--;
		for (e = s; e < f->n && f->p[e] != '\n'; e++)
			;
		size_t m = e - s < klen ? e - s : klen;
		int r = memcmp(f->p + s, key, m);
		if (r < 0 || (r == 0 && e - s < klen))
			lo = e + 1;
		else
			hi = s;
	}
	while (lo < f->n && f->n - lo > klen && !memcmp(f->p + lo, key, klen)) {
		const char *p = f->p + lo + klen, *end = f->p + f->n;
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (nl)
			end = nl;
		int type = p < end ? *p - '0' : 0;
		char f1[LEMMA_LEN * 2], f2[16], f3[16];
		const char *q = f->p + lo;
		next_field(&q, end, f1, sizeof f1);
		next_field(&q, end, f2, sizeof f2);
		next_field(&q, end, f3, sizeof f3);
		int cnt = atoi(f3);
		if (type == 1)
			*noun += cnt;
		else
			*other += cnt;
		lo = (size_t)(end - f->p) + 1;
	}
}

enum know_kind know_kind(const char *word)
{
	char lemma[LEMMA_LEN];
	if (!word || !know_available() || !to_lemma(word, lemma, sizeof lemma))
		return KNOW_UNKNOWN;
	char nb[4][LEMMA_LEN], ob[12][LEMMA_LEN];
	int nn = morphy(lemma, 'n', nb, 4), no = 0;
	no += morphy(lemma, 'v', ob + no, 4);
	no += morphy(lemma, 'a', ob + no, 4);
	no += morphy(lemma, 'r', ob + no, 4);
	if (nn == 0 && no == 0)
		return KNOW_UNKNOWN;
	/* a tangible thing among the first senses of the noun */
	int thing_sense = 0;
	struct synset *s = malloc(sizeof *s);
	for (int b = 0; s && b < nn && !thing_sense; b++) {
		long off[4];
		int n = index_offsets(F_IDX_N, nb[b], off, 4);
		for (int k = 0; k < n && !thing_sense; k++)	/* "food" is a Top */
			thing_sense = read_synset('n', off[k], s) == 0 &&
				      (thing_lexfile(s->lexfile) || s->lexfile == 3);
	}
	free(s);
	if (!thing_sense)
		return KNOW_OTHER;
	/* "flat", "keeps", "cover": the noun exists but the word is mostly a verb or an
	 * adjective */
	int noun = 0, other = 0;
	char seen[16][LEMMA_LEN];
	int nseen = 0;
	for (int i = 0; i < nn + no; i++) {
		const char *b = i < nn ? nb[i] : ob[i - nn];
		int dup = 0;
		for (int k = 0; k < nseen; k++)
			dup |= !strcmp(seen[k], b);
		if (dup || nseen >= 16)
			continue;
		snprintf(seen[nseen++], LEMMA_LEN, "%s", b);
		sense_counts(b, &noun, &other);
	}
	return other >= 5 && noun * 4 < other ? KNOW_OTHER : KNOW_THING;
}

/* ---- what the engine asks ------------------------------------------------- */

#define SURE_SAME 0.6		/* a thing this sure is what the shopper meant */
#define SURE_BROADER 0.45	/* a broader kind this sure is worth offering */
#define CACHE_SLOTS 32

/* Recent answers of this thread: the same words are weighed many times a turn. */
struct cached {
	const char *const *words;
	size_t n;
	char kind;		/* 'q' query words, 'b' broader */
	char key[KNOW_PHRASE_LEN];
	int nout;
	char out[4][32];
};
static _Thread_local struct cached cache[CACHE_SLOTS];
static _Thread_local unsigned cache_next;

static void cache_clear(void)
{
	memset(cache, 0, sizeof cache);
}

static struct cached *cache_find(const char *const *words, size_t n, char kind, const char *key)
{
	for (int i = 0; i < CACHE_SLOTS; i++)
		if (cache[i].words == words && cache[i].n == n && cache[i].kind == kind &&
		    !strcmp(cache[i].key, key))
			return &cache[i];
	return NULL;
}

static struct cached *cache_put(const char *const *words, size_t n, char kind, const char *key)
{
	struct cached *e = &cache[cache_next++ % CACHE_SLOTS];
	e->words = words;
	e->n = n;
	e->kind = kind;
	snprintf(e->key, sizeof e->key, "%s", key);
	e->nout = 0;
	return e;
}

/* A hit's words into e (head last).  For the noun asked for, only when none is a
 * word that names nothing ("with", "plain"); for a word that describes, its words
 * that name something ("whole wheat" helps as "wheat"). */
static int take_hit(struct cached *e, const struct know_hit *h, int head, int max)
{
	struct text_words tw;
	text_split(h->words, &tw);
	if (tw.n == 0 || tw.n > 4)
		return 0;
	int n = 0;
	for (int i = 0; i < tw.n; i++) {
		int empty = lex_is_stopword(tw.w[i]) || lex_is_common(tw.w[i]) || strlen(tw.w[i]) < 3;
		if (head && (empty || lex_is_soft(tw.w[i])))
			return 0;
		if (!empty && n < max)
			snprintf(e->out[n++], sizeof e->out[0], "%s", tw.w[i]);
	}
	e->nout = n;
	return n > 0;
}

static int copy_out(const struct cached *e, char out[][32], int max)
{
	int n = e->nout < max ? e->nout : max;
	for (int i = 0; i < n; i++)
		memcpy(out[i], e->out[i], 32);
	return n;
}

static int is_adjective(const char *word)
{
	char lemma[LEMMA_LEN], b[4][LEMMA_LEN];
	return to_lemma(word, lemma, sizeof lemma) && morphy(lemma, 'a', b, 4) > 0;
}

int know_query_words(const char *const *words, size_t n, const char *prev, const char *word,
		     int head, char out[][32], int max)
{
	char key[KNOW_PHRASE_LEN];
	if (!word || !*word || max <= 0 || !know_available())
		return 0;
	snprintf(key, sizeof key, "%s %s%s", prev ? prev : "", word, head ? "" : "+");
	/* "she drinks": after a pronoun it is a verb */
	static const char *const pronouns[] = { "i", "you", "he", "she", "it", "we", "they", "who" };
	for (size_t k = 0; prev && k < sizeof pronouns / sizeof *pronouns; k++)
		if (!strcmp(prev, pronouns[k]))
			return 0;

	struct cached *e = cache_find(words, n, 'q', key);
	if (e)
		return copy_out(e, out, max);
	e = cache_put(words, n, 'q', key);
	struct know_vocab kv;
	know_vocab_init(&kv, words, n);
	struct know_hit hits[16];
	for (int pass = prev && *prev ? 0 : 1; pass < 2 && e->nout == 0; pass++) {
		char phrase[KNOW_PHRASE_LEN];
		snprintf(phrase, sizeof phrase, pass ? "%s" : "%s %s", pass ? word : prev, word);
		if (pass == 1 && know_kind(word) == KNOW_OTHER && (head || !is_adjective(word)))
			break;	/* "keeps", "allergy": names no thing */
		/* an adjective describes ("wholemeal bread"); alone it names nothing: the
		 * "new ones" are no extra virgin olive oil */
		unsigned rels = KNOW_SAME | KNOW_NARROWER | (head ? 0 : KNOW_ADJ);
		int nh = know_related(phrase, rels, know_vocab_has, &kv, hits, 16);
		for (int i = 0; i < nh && e->nout == 0 && hits[i].weight >= SURE_SAME; i++)
			take_hit(e, &hits[i], head, max);
	}
	return copy_out(e, out, max);
}

int know_broader_words(const char *const *words, size_t n, const char *word, char out[][32], int max)
{
	if (!word || !*word || max <= 0 || !know_available())
		return 0;
	struct cached *e = cache_find(words, n, 'b', word);
	if (e)
		return copy_out(e, out, max);
	e = cache_put(words, n, 'b', word);
	struct know_vocab kv;
	know_vocab_init(&kv, words, n);
	struct know_hit hits[16];
	int nh = know_related(word, KNOW_BROADER, know_vocab_has, &kv, hits, 16);
	for (int i = 0; i < nh && e->nout < 4 && hits[i].weight >= SURE_BROADER; i++) {
		struct text_words tw;
		text_split(hits[i].words, &tw);
		if (tw.n != 1 || lex_is_stopword(tw.w[0]) || lex_is_common(tw.w[0]))
			continue;
		snprintf(e->out[e->nout++], 32, "%s", tw.w[0]);
	}
	return copy_out(e, out, max);
}

/* ---- what a thing is, in words --------------------------------------------- */

/* The gloss of the synset at off of data.noun, appended to out as words. */
static void append_gloss(long off, char *out, size_t len)
{
	const struct wn_file *f = &files[F_DAT_N];
	if (off < 0 || (size_t)off >= f->n)
		return;
	const char *p = f->p + off, *end = f->p + f->n;
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	if (nl)
		end = nl;
	const char *bar = memchr(p, '|', (size_t)(end - p));
	if (!bar)
		return;
	size_t o = strlen(out);
	/* the definition only, not the quoted examples after ';' */
	for (const char *q = bar + 1; q < end && *q != ';' && o + 2 < len; q++)
		out[o++] = *q == '"' ? ' ' : *q;
	out[o] = '\0';
}

static void append_words(const struct synset *s, char *out, size_t len)
{
	for (int i = 0; i < s->nwords; i++) {
		size_t o = strlen(out);
		snprintf(out + o, len - o, " %s", s->words[i]);
		for (char *q = out + o; *q; q++)
			if (*q == '_' || *q == '-')
				*q = ' ';
	}
}

int know_describe(const char *word, char *out, size_t len)
{
	if (!len)
		return 0;
	out[0] = '\0';
	char lemma[LEMMA_LEN];
	if (!word || !know_available() || !to_lemma(word, lemma, sizeof lemma))
		return 0;
	char nb[4][LEMMA_LEN];
	int nn = morphy(lemma, 'n', nb, 4);
	struct synset *s = malloc(sizeof *s), *h = malloc(sizeof *h);
	int senses = 0;
	for (int b = 0; s && h && b < nn && !senses; b++) {
		long off[MAX_SENSES];
		int n = index_offsets(F_IDX_N, nb[b], off, MAX_SENSES);
		/* the senses that are things ("mug" the vessel, not the face), at most two */
		for (int k = 0; k < n && senses < 2; k++) {
			if (read_synset('n', off[k], s) != 0 || !thing_lexfile(s->lexfile))
				continue;
			senses++;
			append_words(s, out, len);
			append_gloss(off[k], out, len);
			for (int i = 0; i < s->nptrs; i++) {
				if (!is_hypernym(s->ptr[i].sym) || read_synset('n', s->ptr[i].off, h) != 0)
					continue;
				append_words(h, out, len);
				append_gloss(s->ptr[i].off, out, len);
			}
		}
	}
	free(s);
	free(h);
	return senses;
}
