/*
 * match.c - word similarity, typo correction and product scoring.
 *
 * Similarity between what the shopper said and a catalog word, best first: same
 * word or same stem (1.0), the said word is a prefix of the known one (0.85), same
 * rough sound key (0.7), one edit apart (0.7), two edits apart in a long word with
 * the same first letter (0.5).  Short words (under 4 letters) must be exact, so
 * "tea" never becomes "pea".  Scores are documented at match_score().
 */
#include "buddy/match.h"
#include "json.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *dlg_title(const cJSON *p)
{
	const cJSON *jt = cJSON_GetObjectItemCaseSensitive(p, "title");
	return cJSON_IsString(jt) ? jt->valuestring : "";
}

static int is_filler_title_word(const char *w);

void match_stem(const char *w, char *out, size_t len)
{
	/* copy at most len-1 bytes, as snprintf(out, len, "%s", w) would, without its cost:
	 * this runs for every word of every comparison */
	if (len == 0)
		return;
	size_t n = 0;
	while (n + 1 < len && w[n]) {
		out[n] = w[n];
		n++;
	}
	out[n] = '\0';
	if (n <= 3 || !isalpha((unsigned char)out[n - 1]))
		return;
	const char *e = out + n;	/* the end: suffixes are read backwards from it */
#define ENDS2(a, b) (e[-2] == (a) && e[-1] == (b))
#define ENDS3(a, b, c) (e[-3] == (a) && ENDS2(b, c))
	/* n > 3 here, so every suffix of up to 3 letters is shorter than the word */
	if (ENDS3('i', 'e', 's') && n > 4) {
		out[n - 3] = 'y';
		out[n - 2] = '\0';
	} else if (ENDS3('o', 'e', 's') && n >= 7) {
		out[n - 2] = '\0';
	} else if (ENDS3('x', 'e', 's') || (n > 4 && e[-4] == 'c' && ENDS3('h', 'e', 's')) ||
		   (n > 4 && e[-4] == 's' && ENDS3('h', 'e', 's')) ||
		   (n > 4 && e[-4] == 's' && ENDS3('s', 'e', 's')) || ENDS3('z', 'e', 's')) {
		out[n - 2] = '\0';
	} else if (ENDS2('s', 's') || ENDS2('u', 's')) {
		return;	/* "ous" ends in "us" too */
	} else if (e[-1] == 's') {
		out[n - 1] = '\0';
	}
#undef ENDS2
#undef ENDS3
}

int match_edit_distance(const char *a, const char *b, int max)
{
	int la = (int)strlen(a), lb = (int)strlen(b);
	if (la > 63 || lb > 63)
		return max + 1;
	if (la - lb > max || lb - la > max)
		return max + 1;
	int d[64][64];
	for (int i = 0; i <= la; i++)
		d[i][0] = i;
	for (int j = 0; j <= lb; j++)
		d[0][j] = j;
	for (int i = 1; i <= la; i++) {
		int rowmin = max + 1;
		for (int j = 1; j <= lb; j++) {
			int cost = a[i - 1] != b[j - 1];
			int v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
			if (v < rowmin)
				rowmin = v;
		}
		if (rowmin > max)
			return max + 1;
	}
	return d[la][lb] > max ? max + 1 : d[la][lb];
}

/* A rough sound key: spellings that sound alike get the same key ("kofee",
 * "coffee" -> "kofe"; "headfones", "headphones" -> "hedfone"). */
static void sound_key(const char *w, char *out, size_t len)
{
	char tmp[TEXT_WORD_LEN * 2];
	size_t k = 0;
	for (size_t i = 0; w[i] && k + 2 < sizeof tmp; i++) {
		char c = w[i], n = w[i + 1];
		if (c == 'p' && n == 'h') {
			tmp[k++] = 'f';
			i++;
		} else if (c == 'c' && n == 'k') {
			tmp[k++] = 'k';
			i++;
		} else if (c == 'c') {
			tmp[k++] = (n == 'e' || n == 'i' || n == 'y') ? 's' : (n == 'h' ? 'c' : 'k');
		} else if (c == 'q') {
			tmp[k++] = 'k';
		} else if (c == 'x') {
			tmp[k++] = 'k';
			tmp[k++] = 's';
		} else if (c == 'z') {
			tmp[k++] = 's';
		} else if (c == 'y' && k > 0) {
			tmp[k++] = 'i';
		} else if (c == 'h' && k > 0 && strchr("gkrd", tmp[k - 1])) {
			continue;	/* yoghurt = yogurt */
		} else if (c == 'e' && n == 'a') {
			tmp[k++] = 'e';	/* head = hed */
			i++;
		} else {
			tmp[k++] = c;
		}
	}
	tmp[k] = '\0';
	/* collapse doubled letters and drop a final silent e */
	size_t o = 0;
	for (size_t i = 0; tmp[i] && o + 1 < len; i++)
		if (o == 0 || out[o - 1] != tmp[i])
			out[o++] = tmp[i];
	if (o > 3 && out[o - 1] == 'e')
		o--;
	out[o] = '\0';
}

/* 1 when a and b hold the same letters in another order ("mlik", "milk"). */
static int same_letters(const char *a, const char *b)
{
	int count[256] = { 0 };
	if (strlen(a) != strlen(b))
		return 0;
	for (; *a; a++, b++) {
		count[(unsigned char)*a]++;
		count[(unsigned char)*b]--;
	}
	for (int i = 0; i < 256; i++)
		if (count[i])
			return 0;
	return 1;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* 1 when `w` mixes letters and digits: a model code ("1000xm5", "ch520", "20w"). */
static int is_model_code(const char *w)
{
	int d = 0, a = 0;
	for (; *w; w++)
		d |= is_digit(*w), a |= !is_digit(*w);
	return d && a;
}

/* 1 when `part` is a run of the model code `code` that starts and ends where its
 * letters and digits change ("xm" or "xm5" of "1000xm5", "520" of "ch520"): the
 * shopper half remembers a model.  Parts of letters only must sit between digits or
 * at the start before one ("xm", "ch"); digits only need three of them. */
static int model_part(const char *part, const char *code)
{
	size_t lp = strlen(part), lc = strlen(code);
	if (lp < 2 || lp >= lc || !is_model_code(code))
		return 0;
	int digits = 1, letters = 1;
	for (const char *p = part; *p; p++)
		digits &= is_digit(*p), letters &= !is_digit(*p);
	if (digits && lp < 3)
		return 0;
	for (const char *at = strstr(code, part); at; at = strstr(at + 1, part)) {
		size_t i = (size_t)(at - code), e = i + lp;
		int starts = i == 0 || is_digit(code[i - 1]) != is_digit(code[i]);
		int ends = e == lc || is_digit(code[e - 1]) != is_digit(code[e]);
		if (!starts || !ends)
			continue;
		if (letters && (e == lc || (i > 0 && !is_digit(code[i - 1]))))
			continue;
		return 1;
	}
	return 0;
}

/* match_word_similarity() from the stems (su, sk) and their sound keys (ku, kk),
 * lu = strlen(su): the same answer, for callers that worked those out already. */
static double similarity_of(const char *user, const char *known, const char *su, size_t lu,
			    const char *sk, const char *ku, const char *kk)
{
	if (!strcmp(user, known) || !strcmp(su, sk))
		return 1.0;
	if (model_part(su, known) || model_part(user, known))
		return 0.85;
	if (lu < 4 || text_is_digits(su))
		return 0;
	if (!strncmp(known, su, lu))
		return 0.85;
	if (!strcmp(ku, kk))
		return 0.7;
	int d = match_edit_distance(su, sk, 2);
	if (d == 1 && (lu >= 5 || same_letters(su, sk)))
		return 0.7;
	if (d == 2 && lu >= 7 && su[0] == sk[0])
		return 0.5;
	if (lu >= 6 && match_edit_distance(ku, kk, 1) == 1 && su[0] == sk[0])
		return 0.5;
	return 0;
}

double match_word_similarity(const char *user, const char *known)
{
	if (!strcmp(user, known))
		return 1.0;
	char su[TEXT_WORD_LEN], sk[TEXT_WORD_LEN];
	match_stem(user, su, sizeof su);
	match_stem(known, sk, sizeof sk);
	if (!strcmp(su, sk))
		return 1.0;
	size_t lu = strlen(su);
	if (model_part(su, known) || model_part(user, known))
		return 0.85;
	if (lu < 4 || text_is_digits(su))
		return 0;
	if (!strncmp(known, su, lu))
		return 0.85;
	char ku[TEXT_WORD_LEN], kk[TEXT_WORD_LEN];
	sound_key(su, ku, sizeof ku);
	sound_key(sk, kk, sizeof kk);
	return similarity_of(user, known, su, lu, sk, ku, kk);
}

/* ---- the vocabulary index ---- */

/* One word's precomputed parts.  The masks hold a bit per letter present (any
 * character maps to some bit): one edit changes at most two bits, so words whose
 * masks differ in more than 2*max bits are more than max edits apart. */
struct ix_word {
	char stem[TEXT_WORD_LEN];
	char key[TEXT_WORD_LEN];
	unsigned char len, slen, klen;
	unsigned char model;	/* is_model_code() */
	uint32_t smask, kmask;
};

#define IX_CACHE 4096	/* remembered match_correct answers (a power of two) */

struct ix_answer {
	char word[TEXT_WORD_LEN];	/* "" = empty slot */
	int pick;			/* index of the word picked, -1 for unknown */
	int cost;
};

struct match_index {
	size_t n;
	struct ix_word *w;
	pthread_mutex_t lock;	/* guards cache */
	struct ix_answer *cache;
};

static uint32_t letter_mask(const char *s)
{
	uint32_t m = 0;
	for (; *s; s++)
		m |= 1u << ((unsigned char)*s % 32);
	return m;
}

static int bits(uint32_t x)
{
	int n = 0;
	for (; x; x &= x - 1)
		n++;
	return n;
}

static void ix_fill(struct ix_word *e, const char *word)
{
	match_stem(word, e->stem, sizeof e->stem);
	sound_key(e->stem, e->key, sizeof e->key);
	size_t len = strlen(word);
	e->len = (unsigned char)(len > 255 ? 255 : len);
	e->slen = (unsigned char)strlen(e->stem);
	e->klen = (unsigned char)strlen(e->key);
	e->smask = letter_mask(e->stem);
	e->kmask = letter_mask(e->key);
	e->model = (unsigned char)is_model_code(word);
}

struct match_index *match_index_build(const char *const *words, size_t n)
{
	struct match_index *ix = calloc(1, sizeof *ix);
	if (!ix)
		return NULL;
	ix->n = n;
	ix->w = calloc(n ? n : 1, sizeof *ix->w);
	ix->cache = calloc(IX_CACHE, sizeof *ix->cache);
	if (!ix->w || !ix->cache || pthread_mutex_init(&ix->lock, NULL) != 0) {
		free(ix->w);
		free(ix->cache);
		free(ix);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (words[i])
			ix_fill(&ix->w[i], words[i]);
	return ix;
}

void match_index_free(struct match_index *ix)
{
	if (!ix)
		return;
	pthread_mutex_destroy(&ix->lock);
	free(ix->w);
	free(ix->cache);
	free(ix);
}

static size_t ix_slot(const char *word)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	for (; *word; word++)
		h = (h ^ (unsigned char)*word) * 16777619u;
	return h & (IX_CACHE - 1);
}

/* 0 when known (entry e) is surely unlike the said word u (entry q): the cheap tests
 * below are necessary conditions of every way similarity_of() can be above 0. */
static int may_be_alike(const struct ix_word *q, const char *known, const struct ix_word *e)
{
	if (e->model && q->len >= 2 && q->len < e->len)	/* "xm5" of "1000xm5" */
		return 1;
	if (q->slen < 4 || text_is_digits(q->stem))	/* only the same stem counts */
		return e->slen == q->slen && !strcmp(e->stem, q->stem);
	int ds = (int)e->slen - (int)q->slen, dk = (int)e->klen - (int)q->klen;
	/* the same stem, or two edits: lengths within 2 and masks within 4 bits */
	if (ds >= -2 && ds <= 2 && bits(e->smask ^ q->smask) <= 4)
		return 1;
	/* the said word is a prefix of the known one */
	if (e->len >= q->slen && known[0] == q->stem[0] && !strncmp(known, q->stem, q->slen))
		return 1;
	/* same sound key, or (6+ letters, same first letter) keys one edit apart */
	if (dk == 0 && e->kmask == q->kmask && !strcmp(e->key, q->key))
		return 1;
	return q->slen >= 6 && e->stem[0] == q->stem[0] && dk >= -1 && dk <= 1 &&
	       bits(e->kmask ^ q->kmask) <= 2;
}

int match_correct(const struct match_vocab *v, const char *word, char *out, size_t len, int *cost)
{
	double best = 0;
	const char *pick = NULL;
	size_t ipick = 0;
	size_t wlen = strlen(word);
	const struct match_index *ix = v->index && v->index->n == v->nwords ? v->index : NULL;
	struct match_index *mix = (struct match_index *)ix;	/* only its cache changes */
	struct ix_word q;
	size_t slot = 0;
	int cacheable = ix && wlen > 0 && wlen < TEXT_WORD_LEN;
	if (cacheable) {
		slot = ix_slot(word);
		pthread_mutex_lock(&mix->lock);
		struct ix_answer a = mix->cache[slot];
		pthread_mutex_unlock(&mix->lock);
		if (!strcmp(a.word, word)) {
			if (a.pick < 0)
				return 0;
			snprintf(out, len, "%s", v->words[a.pick]);
			if (cost)
				*cost = a.cost;
			return 1;
		}
	}
	if (ix)
		ix_fill(&q, word);
	for (size_t i = 0; i < v->nwords; i++) {
		const char *k = v->words[i];
		if (!k)
			continue;
		double s;
		if (ix) {
			const struct ix_word *e = &ix->w[i];
			if (!may_be_alike(&q, k, e))
				continue;
			s = similarity_of(word, k, q.stem, q.slen, e->stem, q.key, e->key);
		} else {
			s = match_word_similarity(word, k);
		}
		if (s <= 0)
			continue;
		/* among equals prefer the same first letter, then the closest length */
		if (pick && s == best) {
			int same_new = k[0] == word[0], same_old = pick[0] == word[0];
			size_t dn = strlen(k) > wlen ? strlen(k) - wlen : wlen - strlen(k);
			size_t dold = strlen(pick) > wlen ? strlen(pick) - wlen : wlen - strlen(pick);
			if (same_new < same_old || (same_new == same_old && dn >= dold))
				continue;
		} else if (s < best) {
			continue;
		}
		best = s;
		pick = k;
		ipick = i;
		if (s >= 1.0 && !strcmp(k, word))
			break;
	}
	int c = best >= 1.0 ? 0 : best >= 0.85 ? 1 : best >= 0.7 ? 1 : 2;
	if (cacheable) {
		struct ix_answer a;
		memcpy(a.word, word, wlen + 1);
		a.pick = pick ? (int)ipick : -1;
		a.cost = c;
		pthread_mutex_lock(&mix->lock);
		mix->cache[slot] = a;
		pthread_mutex_unlock(&mix->lock);
	}
	if (!pick)
		return 0;
	snprintf(out, len, "%s", pick);
	if (cost)
		*cost = c;
	return 1;
}

int match_join(const struct match_vocab *v, const char *a, const char *b, char *out, size_t len)
{
	char joined[TEXT_WORD_LEN * 2];
	snprintf(joined, sizeof joined, "%s%s", a, b);
	if (strlen(joined) >= TEXT_WORD_LEN)
		return 0;
	const struct match_index *ix = v->index && v->index->n == v->nwords ? v->index : NULL;
	char sj[TEXT_WORD_LEN];
	match_stem(joined, sj, sizeof sj);
	size_t lj = strlen(sj);
	for (size_t i = 0; i < v->nwords; i++) {
		if (!v->words[i])
			continue;
		/* similarity 1.0 is the same word or the same stem */
		int same = ix ? ix->w[i].slen == lj && !strcmp(ix->w[i].stem, sj)
			      : match_word_similarity(joined, v->words[i]) >= 1.0;
		if (same) {
			snprintf(out, len, "%s", joined);
			return 1;
		}
	}
	return 0;
}

int match_category(const struct match_vocab *v, const char *word)
{
	for (size_t i = 0; i < v->ncategories; i++) {
		struct text_words cw;
		text_split(v->categories[i], &cw);
		for (int k = 0; k < cw.n; k++)
			if (strcmp(cw.w[k], "and") && match_word_similarity(word, cw.w[k]) >= 0.7)
				return (int)i;
	}
	return -1;
}

/* Words that name a size or a count, not a thing. */
static int is_filler_title_word(const char *w)
{
	static const char *const words[] = { "kg", "g", "l", "ml", "lb", "lbs", "oz", "pack", "pk",
		"x", "of", "the", "and", "with", "for", "in", "a", "pcs", "ct", "count", "cl", "fl",
		"percent" };
	if (strlen(w) < 2 || strpbrk(w, "0123456789"))
		return 1;
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (!strcmp(w, words[i]))
			return 1;
	return 0;
}

/* The head noun of a title: its last content word before any "(" or ",". */
static void title_head(const char *title, char *out, size_t len)
{
	char cut[256];
	snprintf(cut, sizeof cut, "%s", title);
	char *p = strpbrk(cut, "(,");
	if (p)
		*p = '\0';
	p = strstr(cut, " - ");
	if (p)
		*p = '\0';
	struct text_words tw;
	text_split(cut, &tw);
	out[0] = '\0';
	for (int i = tw.n - 1; i >= 0; i--) {
		if (!is_filler_title_word(tw.w[i])) {
			snprintf(out, len, "%s", tw.w[i]);
			return;
		}
	}
}

/* 1 when word i of a title or tag list is mentioned as absent: "No Pulp", "dairy
 * free", "without sugar", "non dairy". */
static int negated_at(const struct text_words *tw, int i)
{
	if (i > 0 && (text_is(tw, i - 1, "no") || text_is(tw, i - 1, "non") || text_is(tw, i - 1, "without")))
		return 1;
	return text_is(tw, i + 1, "free");
}

static double best_in(const char *qw, const struct text_words *tw)
{
	double best = 0;
	for (int i = 0; i < tw->n; i++) {
		if (negated_at(tw, i))
			continue;
		double s = match_word_similarity(qw, tw->w[i]);
		if (s > best)
			best = s;
	}
	return best;
}

/* A word made ready for many comparisons: its stem and the stem's sound key. */
struct prepared {
	char stem[TEXT_WORD_LEN];
	char key[TEXT_WORD_LEN];
	size_t slen;
};

static void prepare(struct prepared *p, const char *w)
{
	match_stem(w, p->stem, sizeof p->stem);
	sound_key(p->stem, p->key, sizeof p->key);
	p->slen = strlen(p->stem);
}

/* match_word_similarity(u, k) of prepared words. */
static double prepared_similarity(const char *u, const struct prepared *pu, const char *k,
				  const struct prepared *pk)
{
	return similarity_of(u, k, pu->stem, pu->slen, pk->stem, pu->key, pk->key);
}

/* The words of tw prepared, and which of them are negated_at(). */
static void prepare_all(const struct text_words *tw, struct prepared *p, unsigned char *neg)
{
	for (int i = 0; i < tw->n; i++) {
		prepare(&p[i], tw->w[i]);
		neg[i] = (unsigned char)negated_at(tw, i);
	}
}

/* best_in() of prepared words. */
static double best_prepared(const char *qw, const struct prepared *pq, const struct text_words *tw,
			    const struct prepared *p, const unsigned char *neg)
{
	double best = 0;
	for (int i = 0; i < tw->n; i++) {
		if (neg[i])
			continue;
		double s = prepared_similarity(qw, pq, tw->w[i], &p[i]);
		if (s > best)
			best = s;
	}
	return best;
}

/*
 * Score = 0.75 * coverage + 0.15 * title coverage + 0.1 * head, where coverage is
 * the weighted share of query words found (title full value, tags and category 0.85,
 * description 0.4), title coverage is the share of the title's content words that
 * the query names, and head is 1 when a query word names the title's head noun or
 * the category (so "bananas" picks "Organic Bananas" over "Banana Bread").
 *
 * Every product of a search is scored, so each word is stemmed and sound-keyed once
 * here (not once per comparison), and each text split once.
 */
double match_score(const struct match_query *q, const cJSON *product, double *coverage)
{
	const cJSON *jt = cJSON_GetObjectItemCaseSensitive(product, "title");
	const char *title = cJSON_IsString(jt) ? jt->valuestring : "";
	const cJSON *jc = cJSON_GetObjectItemCaseSensitive(product, "category");
	const cJSON *jd = cJSON_GetObjectItemCaseSensitive(product, "description");
	const cJSON *tags = cJSON_GetObjectItemCaseSensitive(product, "tags");
	struct text_words tw, cw, dw, gw;
	text_split(title, &tw);
	text_split(cJSON_IsString(jc) ? jc->valuestring : "", &cw);
	text_split(cJSON_IsString(jd) ? jd->valuestring : "", &dw);
	gw.n = 0;
	const cJSON *tag;
	cJSON_ArrayForEach(tag, tags) {
		struct text_words one;
		if (!cJSON_IsString(tag))
			continue;
		text_split(tag->valuestring, &one);
		for (int i = 0; i < one.n && gw.n < TEXT_MAX_WORDS; i++)
			memcpy(gw.w[gw.n++], one.w[i], TEXT_WORD_LEN);
	}
	char head[TEXT_WORD_LEN];
	if (strlen(title) < 256 && !strpbrk(title, "(,") && !strstr(title, " - ")) {
		/* title_head() would split the same text again */
		head[0] = '\0';
		for (int i = tw.n - 1; i >= 0; i--) {
			if (!is_filler_title_word(tw.w[i])) {
				memcpy(head, tw.w[i], TEXT_WORD_LEN);
				break;
			}
		}
	} else {
		title_head(title, head, sizeof head);
	}
	struct prepared pt[TEXT_MAX_WORDS], pc[TEXT_MAX_WORDS], pg[TEXT_MAX_WORDS];
	unsigned char nt[TEXT_MAX_WORDS], nc[TEXT_MAX_WORDS], ng[TEXT_MAX_WORDS], nd[TEXT_MAX_WORDS];
	char ds[TEXT_MAX_WORDS][TEXT_WORD_LEN];	/* description: only its stems count */
	struct prepared ph;
	prepare_all(&tw, pt, nt);
	prepare_all(&cw, pc, nc);
	prepare_all(&gw, pg, ng);
	for (int i = 0; i < dw.n; i++) {
		match_stem(dw.w[i], ds[i], sizeof ds[i]);
		nd[i] = (unsigned char)negated_at(&dw, i);
	}
	if (*head)
		prepare(&ph, head);

	double got = 0, total = 0, headhit = 0;
	unsigned char title_hit[TEXT_MAX_WORDS] = { 0 };
	for (int k = 0; k < q->n; k++) {
		double w = q->weight[k] > 0 ? q->weight[k] : 1.0;
		const char *qw = q->w[k];
		struct prepared pq;
		prepare(&pq, qw);
		double s = 0;
		for (int i = 0; i < tw.n; i++) {
			if (nt[i])
				continue;
			double si = prepared_similarity(qw, &pq, tw.w[i], &pt[i]);
			if (si > s)
				s = si;
			if (si >= 0.7)
				title_hit[i] = 1;
		}
		double bc = best_prepared(qw, &pq, &cw, pc, nc), bg = best_prepared(qw, &pq, &gw, pg, ng);
		double c = 0.85 * (bc > bg ? bc : bg);
		/* similarity 1.0 is the same word or the same stem */
		double d = 0;
		for (int i = 0; i < dw.n && d == 0; i++)
			if (!nd[i] && (!strcmp(qw, dw.w[i]) || !strcmp(pq.stem, ds[i])))
				d = 0.4;
		if (c > s)
			s = c;
		if (d > s)
			s = d;
		if (s < 0.5 && w < 0.9)
			continue;	/* an optional word that is absent costs nothing */
		total += w;
		got += w * s;
		if ((*head && prepared_similarity(qw, &pq, head, &ph) >= 0.7) || bc >= 0.7)
			headhit = 1;
	}
	int content = 0, hit = 0;
	for (int i = 0; i < tw.n; i++) {
		if (is_filler_title_word(tw.w[i]))
			continue;
		content++;
		hit += title_hit[i];
	}
	double cov = total > 0 ? got / total : 0;
	if (coverage)
		*coverage = cov;
	if (cov <= 0)
		return 0;
	double tcov = content ? (double)hit / content : 0;
	/* a product tagged with exactly what was said is that thing: "butter" is the
	 * butter, not the peanut butter */
	double tagged = 0;
	char said[128] = "";
	for (int k = 0; k < q->n; k++) {
		if (q->weight[k] < 0.9)
			continue;
		char st[TEXT_WORD_LEN];
		match_stem(q->w[k], st, sizeof st);
		snprintf(said + strlen(said), sizeof said - strlen(said), "%s%s", *said ? " " : "", st);
	}
	cJSON_ArrayForEach(tag, tags) {
		struct text_words one;
		char joined[128] = "";
		if (!cJSON_IsString(tag) || !*said)
			continue;
		text_split(tag->valuestring, &one);
		for (int i = 0; i < one.n; i++) {
			char st[TEXT_WORD_LEN];
			match_stem(one.w[i], st, sizeof st);
			snprintf(joined + strlen(joined), sizeof joined - strlen(joined), "%s%s", *joined ? " " : "", st);
		}
		if (!strcmp(joined, said))
			tagged = 1;
	}
	return 0.75 * cov + 0.15 * tcov + 0.1 * headhit + 0.1 * tagged;
}

/* 1 when `w` is a word of tw that is not said absent, or close to one: the same stem,
 * the start of a longer word ("sour" of "sourdough", "honey" of "honeycrisp"), a part
 * of a model code ("xm" of "1000xm5"). */
static int fits_words(const char *w, const struct text_words *tw)
{
	for (int i = 0; i < tw->n; i++)
		if (!negated_at(tw, i) && match_word_similarity(w, tw->w[i]) >= 0.85)
			return 1;
	return 0;
}

int match_said_fit(const cJSON *product, const char (*said)[TEXT_WORD_LEN], int n)
{
	const char *keys[] = { "title", "description" };
	struct text_words tw[3];
	for (int k = 0; k < 2; k++) {
		const cJSON *j = cJSON_GetObjectItemCaseSensitive(product, keys[k]);
		text_split(cJSON_IsString(j) ? j->valuestring : "", &tw[k]);
	}
	tw[2].n = 0;
	const cJSON *tag;
	cJSON_ArrayForEach(tag, cJSON_GetObjectItemCaseSensitive(product, "tags")) {
		struct text_words one;
		if (!cJSON_IsString(tag))
			continue;
		text_split(tag->valuestring, &one);
		for (int i = 0; i < one.n && tw[2].n < TEXT_MAX_WORDS; i++)
			memcpy(tw[2].w[tw[2].n++], one.w[i], TEXT_WORD_LEN);
	}
	int fit = 0;
	for (int i = 0; i < n; i++)
		fit += fits_words(said[i], &tw[0]) || fits_words(said[i], &tw[1]) || fits_words(said[i], &tw[2]);
	return fit;
}

int match_mentions(const cJSON *product, const char *word)
{
	struct text_words tw;
	text_split(dlg_title(product), &tw);
	for (int i = 0; i < tw.n; i++)
		if (!negated_at(&tw, i) && match_word_similarity(word, tw.w[i]) >= 0.7)
			return 1;
	const cJSON *tag;
	cJSON_ArrayForEach(tag, cJSON_GetObjectItemCaseSensitive(product, "tags")) {
		if (!cJSON_IsString(tag))
			continue;
		text_split(tag->valuestring, &tw);
		for (int i = 0; i < tw.n; i++)
			if (!negated_at(&tw, i) && match_word_similarity(word, tw.w[i]) >= 0.85)
				return 1;
	}
	return 0;
}

int match_says_free(const cJSON *product, const char *word)
{
	struct text_words tw;
	const char *keys[] = { "title", "description" };
	for (size_t k = 0; k < 2; k++) {
		text_split(json_str(product, keys[k]), &tw);
		for (int i = 0; i < tw.n; i++)
			if (negated_at(&tw, i) && match_word_similarity(word, tw.w[i]) >= 0.85)
				return 1;
	}
	const cJSON *tag;
	cJSON_ArrayForEach(tag, cJSON_GetObjectItemCaseSensitive(product, "tags")) {
		if (!cJSON_IsString(tag))
			continue;
		text_split(tag->valuestring, &tw);
		for (int i = 0; i < tw.n; i++)
			if (negated_at(&tw, i) && match_word_similarity(word, tw.w[i]) >= 0.85)
				return 1;
	}
	return 0;
}

int match_has_size(const cJSON *product, const char *num, const char *unit)
{
	struct text_words tw;
	const char *title = dlg_title(product);
	if (!strcmp(unit, "%")) {
		/* "two percent" is "2%" in a title */
		size_t ln = strlen(num);
		for (const char *h = strstr(title, num); h; h = strstr(h + 1, num))
			if (h[ln] == '%' && (h == title || ((h[-1] < '0' || h[-1] > '9') && h[-1] != '.')))
				return 1;
		return 0;
	}
	text_split(title, &tw);
	char joined[TEXT_WORD_LEN * 2];
	snprintf(joined, sizeof joined, "%s%s", num, unit);
	for (int i = 0; i < tw.n; i++)
		if (!strcmp(tw.w[i], joined))	/* "20W", "64oz" written together */
			return 1;
	for (int i = 0; i + 1 < tw.n; i++) {
		if (strcmp(tw.w[i], num))
			continue;
		const char *u = tw.w[i + 1];
		if (!strcmp(u, unit) || (!strcmp(unit, "lb") && !strcmp(u, "lbs")) ||
		    (!strcmp(unit, "ct") && !strcmp(u, "count")) || (!strcmp(unit, "pack") && !strcmp(u, "pk")))
			return 1;
	}
	return 0;
}

int match_kind_level(const cJSON *product, const struct match_query *q)
{
	struct text_words tw;
	text_split(dlg_title(product), &tw);
	const char *noun = NULL;
	for (int k = 0; k < q->n; k++) {
		if (q->weight[k] < 0.9)
			continue;
		int found = 0;
		for (int i = 0; i < tw.n && !found; i++)
			found = !negated_at(&tw, i) && match_word_similarity(q->w[k], tw.w[i]) >= 0.85;
		if (!found)
			return 0;
		noun = q->w[k];
	}
	if (!noun)
		return 0;
	char head[TEXT_WORD_LEN];
	title_head(dlg_title(product), head, sizeof head);
	if (match_word_similarity(noun, head) >= 1.0)
		return 2;
	const cJSON *tag;
	cJSON_ArrayForEach(tag, cJSON_GetObjectItemCaseSensitive(product, "tags"))
		if (cJSON_IsString(tag) && !strchr(tag->valuestring, ' ') &&
		    match_word_similarity(noun, tag->valuestring) >= 1.0)
			return 2;
	return 1;
}

/* The content words of a title before any "(": what kind of thing it is. */
static int title_kind(const cJSON *product, struct text_words *out)
{
	char cut[256];
	snprintf(cut, sizeof cut, "%s", dlg_title(product));
	char *p = strpbrk(cut, "(,");
	if (p)
		*p = '\0';
	struct text_words tw;
	text_split(cut, &tw);
	out->n = 0;
	for (int i = 0; i < tw.n; i++) {
		if (is_filler_title_word(tw.w[i]) || text_is(&tw, i, "no") || text_is(&tw, i, "non") ||
		    text_is(&tw, i, "without"))
			continue;
		if (negated_at(&tw, i))	/* "No Pulp" is another kind than "With Pulp" */
			snprintf(out->w[out->n++], TEXT_WORD_LEN, "no-%.*s", TEXT_WORD_LEN - 4, tw.w[i]);
		else
			memcpy(out->w[out->n++], tw.w[i], TEXT_WORD_LEN);
	}
	return out->n;
}

/* 1 when every kind word of a is in b and b has more: "Dark Roast Coffee Beans" is
 * the plain one of "Decaf Dark Roast Coffee Beans". */
static int plainer(const cJSON *a, const cJSON *b)
{
	struct text_words ka, kb;
	if (!title_kind(a, &ka) || title_kind(b, &kb) <= ka.n)
		return 0;
	for (int i = 0; i < ka.n; i++) {
		int found = 0;
		for (int j = 0; j < kb.n && !found; j++)
			found = !strcmp(ka.w[i], kb.w[j]);
		if (!found)
			return 0;
	}
	return 1;
}

static int cand_cmp(const void *a, const void *b)
{
	const struct match_cand *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return 0;
}

int match_rank(const struct match_query *q, const cJSON *items, struct match_cand *out, int max)
{
	int n = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, items) {
		double cov;
		double s = match_score(q, it, &cov);
		if (s <= 0)
			continue;
		struct match_cand c = { it, s, cov };
		if (n < max) {
			out[n++] = c;
		} else {
			/* replace the weakest kept candidate if this one is better */
			int worst = 0;
			for (int i = 1; i < n; i++)
				if (out[i].score < out[worst].score)
					worst = i;
			if (n > 0 && out[worst].score < s)
				out[worst] = c;
		}
	}
	/* a stable order for equal scores: keep the order the catalog gave */
	for (int i = 1; i < n; i++) {
		struct match_cand c = out[i];
		int j = i - 1;
		while (j >= 0 && cand_cmp(&out[j], &c) > 0) {
			out[j + 1] = out[j];
			j--;
		}
		out[j + 1] = c;
	}
	return n;
}

int match_tied(const struct match_cand *c, int n)
{
	if (n <= 0)
		return 0;
	int k = 1;
	while (k < n && c[0].score - c[k].score < 0.08 && c[0].coverage - c[k].coverage < 0.01)
		k++;
	/* the plain kind wins over the same with one more attribute nobody asked for */
	int plain = k > 1;
	for (int i = 1; i < k && plain; i++)
		plain = plainer(c[0].product, c[i].product);
	return plain ? 1 : k;
}

static int word_in_title(const char *w, const cJSON *product)
{
	const cJSON *jt = cJSON_GetObjectItemCaseSensitive(product, "title");
	struct text_words tw;
	text_split(cJSON_IsString(jt) ? jt->valuestring : "", &tw);
	return best_in(w, &tw) >= 1.0;
}

static int in_query(const char *w, const struct match_query *q)
{
	for (int k = 0; q && k < q->n; k++)
		if (match_word_similarity(q->w[k], w) >= 0.85 || match_word_similarity(w, q->w[k]) >= 0.85)
			return 1;
	return 0;
}

/* 1 when `unit` ("12 oz", "WH-CH520") is in title t, case aside, as whole words. */
static int unit_in_title(const char *unit, const char *t)
{
	size_t n = strlen(unit);
	for (const char *p = t; *p; p++) {
		if (strncasecmp(p, unit, n) != 0)
			continue;
		int before = p == t || !isalnum((unsigned char)p[-1]);
		int after = !isalnum((unsigned char)p[n]);
		if (before && after)
			return 1;
	}
	return 0;
}

static int is_size_word(const char *w)
{
	static const char *const units[] = { "kg", "g", "l", "ml", "lb", "lbs", "oz", "pack", "pk", "ct",
		"count", "gallon", "gallons", "pint", "pints", "m", "cm", "in", "ft", "bags", "w" };
	for (size_t i = 0; i < sizeof units / sizeof *units; i++)
		if (!strcasecmp(w, units[i]))
			return 1;
	return 0;
}

void match_distinguish(const cJSON *product, const cJSON *const *others, int nothers,
		       const struct match_query *q, char *out, size_t len)
{
	const cJSON *jt = cJSON_GetObjectItemCaseSensitive(product, "title");
	const char *title = cJSON_IsString(jt) ? jt->valuestring : "";
	char copy[256];
	snprintf(copy, sizeof copy, "%s", title);
	char *words[32];
	int n = 0;
	char *save = NULL; /* strtok_r: turns run on several worker threads at once */
	for (char *tok = strtok_r(copy, " ,()/", &save); tok && n < 32; tok = strtok_r(NULL, " ,()/", &save))
		words[n++] = tok;
	out[0] = '\0';
	/* "With Pulp" / "No Pulp": the marker and its word, when no other title has both */
	for (int i = 0; i + 1 < n && !out[0]; i++) {
		struct text_words mk;
		text_split(words[i], &mk);
		if (mk.n != 1 || !(text_is(&mk, 0, "no") || text_is(&mk, 0, "with") ||
				   text_is(&mk, 0, "without") || text_is(&mk, 0, "non")))
			continue;
		char pair[80];
		snprintf(pair, sizeof pair, "%s %s", words[i], words[i + 1]);
		int shared = 0;
		for (int o = 0; o < nothers; o++)
			shared += unit_in_title(pair, dlg_title(others[o]));
		if (!shared)
			snprintf(out, len, "%s", pair);
	}
	/* the units a title is read in: words, sizes ("12 oz", "1 kg"), model names */
	char units[32][80];
	int nu = 0, alpha[32] = { 0 }, at[32] = { 0 };
	for (int i = 0; i < n && nu < 32; i++) {
		int digits = strpbrk(words[i], "0123456789") != NULL;
		if (digits && i + 1 < n && is_size_word(words[i + 1]) && !strpbrk(words[i], "-")) {
			snprintf(units[nu], sizeof units[nu], "%s %s", words[i], words[i + 1]);
			at[nu++] = i;
			i++;
			continue;
		}
		struct text_words tw;
		text_split(words[i], &tw);
		if (tw.n == 0)
			continue;
		int model = digits && strpbrk(words[i], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") &&
			    !is_size_word(words[i]);
		if (tw.n == 1 && !digits && (is_filler_title_word(tw.w[0]) || in_query(tw.w[0], q) ||
					     !strcmp(tw.w[0], "to")))
			continue;
		if (!model && (tw.n != 1 || digits))
			continue;
		alpha[nu] = !digits;
		snprintf(units[nu], sizeof units[nu], "%s", alpha[nu] ? tw.w[0] : words[i]);
		at[nu++] = i;
	}
	/* the unit the fewest other titles have (none, at best), a word before a size */
	int best = -1, best_shared = nothers;
	for (int u = 0; u < nu && !out[0]; u++) {
		int shared = 0;
		for (int o = 0; o < nothers; o++)
			shared += alpha[u] ? word_in_title(units[u], others[o]) || unit_in_title(units[u], dlg_title(others[o]))
					   : unit_in_title(units[u], dlg_title(others[o]));
		if (shared < best_shared || (shared == best_shared && best >= 0 && alpha[u] && !alpha[best])) {
			best = u;
			best_shared = shared;
		}
	}
	if (!out[0] && best >= 0) {
		snprintf(out, len, "%s", alpha[best] ? words[at[best]] : units[best]);
		/* a second word, next to it in the title, that is just as distinctive: "Dark
		 * Roast", "Granny Smith" */
		if (alpha[best] && best + 1 < nu && alpha[best + 1] && at[best + 1] == at[best] + 1) {
			int shared2 = 0;
			for (int o = 0; o < nothers; o++)
				shared2 += word_in_title(units[best + 1], others[o]);
			if (shared2 <= best_shared && shared2 < nothers)
				snprintf(out + strlen(out), len - strlen(out), " %s", words[at[best + 1]]);
		}
	}
	if (!out[0]) {
		snprintf(out, len, "%s", title);
		return;
	}
	/* the kind every one of them is, said after it so the names are alike: "the 1 kg
	 * Beans, the 12 oz Beans or the Decaf Beans" */
	static const char *const containers[] = { "bag", "bags", "box", "boxes", "jar", "bottle", "loaf",
		"bunch", "each", "dozen", "tub", "can", "cans", "carton", "pack", "packs", "whole" };
	char head[TEXT_WORD_LEN] = "";
	int hat = -1;
	for (int i = n - 1; i >= 0 && !head[0]; i--) {
		struct text_words tw;
		text_split(words[i], &tw);
		int skip = tw.n != 1 || strpbrk(words[i], "0123456789") || is_filler_title_word(tw.w[0]) ||
			   is_size_word(words[i]);
		for (size_t k = 0; k < sizeof containers / sizeof *containers && !skip; k++)
			skip = !strcmp(tw.w[0], containers[k]);
		if (skip)
			continue;
		int all = nothers > 0;
		for (int o = 0; o < nothers && all; o++)
			all = word_in_title(tw.w[0], others[o]);
		if (!all)
			break;	/* the name's last word is no kind they all share */
		snprintf(head, sizeof head, "%s", words[i]);
		hat = i;
	}
	/* a compound kind: "Peanut Butter", "Greek Yogurt" */
	if (head[0] && hat > 0 && !unit_in_title(words[hat - 1], out)) {
		struct text_words pw;
		text_split(words[hat - 1], &pw);
		int all = pw.n == 1 && !is_filler_title_word(pw.w[0]);
		for (int o = 0; o < nothers && all; o++)
			all = word_in_title(pw.w[0], others[o]);
		if (all) {
			char two[TEXT_WORD_LEN * 2 + 2];
			snprintf(two, sizeof two, "%s %s", words[hat - 1], head);
			snprintf(head, sizeof head, "%.*s", (int)sizeof head - 1, two);
		}
	}
	/* a word said after the kind ("Bananas (each)") stays after it */
	if (head[0] && best >= 0 && alpha[best] && at[best] > hat && !unit_in_title(head, out)) {
		char name[160];
		snprintf(name, sizeof name, "%s %s", head, out);
		snprintf(out, len, "%s", name);
		return;
	}
	if (head[0] && !unit_in_title(head, out))
		snprintf(out + strlen(out), len - strlen(out), " %s", head);
}

int match_title_word(const cJSON *product, const char *w, int as_is)
{
	struct text_words tw;
	char a[TEXT_WORD_LEN], b[TEXT_WORD_LEN];
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(product, "title");
	text_split(cJSON_IsString(t) ? t->valuestring : "", &tw);
	match_stem(w, a, sizeof a);
	for (int i = 0; i < tw.n; i++) {
		match_stem(tw.w[i], b, sizeof b);
		if (!strcmp(a, b) && (!as_is || strlen(w) == strlen(tw.w[i])))
			return 1;
	}
	return 0;
}
