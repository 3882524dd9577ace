/*
 * searchidx.c - in-memory mirror of products_fts for top-k search (see searchidx.h).
 *
 * Terms live in an array (never removed; a term may have no postings left), found by
 * a hash table and, for prefix queries, by an array of term numbers sorted by bytes.
 * Each term's postings are sorted by product id and hold the weighted frequency
 * (sum over its occurrences of the column's weight: what bm25's aFreq adds up).  Each
 * product keeps its length in tokens (bm25's D), its filters and sort keys, and its
 * term numbers (to take it out again).
 *
 * Locking: a read-write lock over the whole index (searches read; a product change
 * writes for the few microseconds of its update, after reading the product without
 * it).  Changes are read and applied one batch at a time (change_lock), so that a
 * later read is never overtaken by an earlier one.  A build reads the database into a
 * fresh index without the lock and swaps it in; changes that arrive meanwhile are
 * queued and re-read after the swap.
 *
 * The rows come through the storage interface (store_products_each), so the index is
 * the same on either backend; so are the words (store_tokenize: FTS5's own tokenizer,
 * whatever the database).
 */
#include "searchidx.h"
#include "log.h"
#include "store/store.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NCOLS 4
static const double col_weight[NCOLS] = { 10.0, 1.0, 4.0, 5.0 }; /* migration 3's rank */
#define MAX_DOC_ID 100000000 /* ids past this: the index steps aside (SQLite answers) */
#define MAX_PHRASES 32

struct posting {
	uint32_t doc;
	float wf;     /* sums of small integer weights: exact in a float */
	uint32_t len; /* the product's length in tokens (bm25's D), kept here for locality */
};

struct term {
	char *s;
	uint32_t len;
	uint32_t n, cap;
	struct posting *p;
};

struct doc {
	uint32_t len;     /* tokens over all columns (bm25's D) */
	uint32_t nterms;
	uint32_t *terms;  /* term numbers */
	uint32_t cat;     /* interned category */
	uint8_t active;
	int64_t price, seller, created;
};

struct idx {
	struct term *terms;
	uint32_t nterms, capterms;
	uint32_t *sorted;  /* term numbers in byte order of their text */
	uint32_t *hash;    /* term number + 1, open addressing; 0 empty */
	uint32_t hashcap;
	struct doc *docs;  /* by product id */
	uint32_t ndocs;
	char **cats;       /* interned categories, ASCII letters folded */
	uint32_t ncats;
	int64_t nrow, ntok;
	/* Lists without words: the active products in each order, built on first use and
	 * rebuilt after a product's filter or sort keys change (keys_gen). */
	uint64_t keys_gen;
	struct views *views;
	/* Merged posting lists of prefixes that match several terms (a prefix index made
	 * on demand, PCACHE_SLOTS of them): added by searches under pc_lock, kept in step
	 * by each product change (pcache_follow, under the write lock, so no search is
	 * reading one). */
	struct pentry *pc;
	size_t pc_bytes;
};

#define PCACHE_SLOTS 4096u
/* Bytes of merged lists kept: 64 MiB, or room for 16 lists of every product when the
 * catalog is larger (1,000,000 products: 192 MB).  A prefix of a letter or two ("s",
 * "m c" of "M&C", "women s") merges most of the catalog: 10-20 ms each time it is
 * not kept. */
static size_t pcache_budget(const struct idx *x)
{
	size_t all = (size_t)x->ndocs * sizeof(struct posting) * 16;
	return all > ((size_t)64 << 20) ? all : (size_t)64 << 20;
}
struct pentry {
	char *tok; /* NULL: empty */
	uint32_t len, n, cap;
	struct posting *p;
};
static pthread_mutex_t pc_lock = PTHREAD_MUTEX_INITIALIZER;

/* The active products sorted three ways (ORDER_*): ord[o][0..n) over the whole
 * catalog, ord[o][n..2n) the same order grouped by category, category c at
 * [n + cat_off[c], n + cat_off[c + 1]), and ord[o][2n..3n) grouped by seller, the
 * seller sellers[g] at [2n + seller_off[g], 2n + seller_off[g + 1]). */
enum { ORDER_NEWEST, ORDER_PRICE_ASC, ORDER_PRICE_DESC, NORDERS };
struct views {
	uint64_t gen; /* the keys_gen it was built at */
	uint32_t n, ncats, nsellers;
	uint32_t *cat_off;
	int64_t *sellers; /* ascending */
	uint32_t *seller_off;
	uint32_t *ord[NORDERS];
};

/* The group of seller id in v, or -1 when no active product is theirs. */
static int64_t seller_group(const struct views *v, int64_t id)
{
	uint32_t lo = 0, hi = v->nsellers;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (v->sellers[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < v->nsellers && v->sellers[lo] == id ? (int64_t)lo : -1;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static struct idx *cur; /* under lock */
static atomic_int stale = 1;
static pthread_mutex_t build_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t pend_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t change_lock = PTHREAD_MUTEX_INITIALIZER;
static int building;    /* under pend_lock */
static int64_t *pending;
static size_t npending, cappending;

/* ------------------------------------------------------------------ tokenizing */

/* Per-thread buffers (scratch, mbuf below) are freed when the thread ends. */
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_free(void);

static void scratch_end(void *p)
{
	(void)p;
	scratch_free();
}

static void scratch_init(void)
{
	pthread_key_create(&scratch_key, scratch_end);
}

struct tokbuf {
	struct tok {
		uint32_t off, len;
		uint8_t col;
	} *t;
	size_t n, cap;
	char *text;
	size_t tlen, tcap;
	uint8_t col;
	int failed;
};

static int tok_cb(void *ctx, const char *p, size_t n)
{
	struct tokbuf *b = ctx;
	if (n > UINT32_MAX - b->tlen)
		return -1;
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct tok *t = realloc(b->t, cap * sizeof *t);
		if (!t)
			return -1;
		b->t = t;
		b->cap = cap;
	}
	if (b->tlen + n > b->tcap) {
		size_t cap = b->tcap ? b->tcap : 512;
		while (cap < b->tlen + n)
			cap *= 2;
		char *s = realloc(b->text, cap);
		if (!s)
			return -1;
		b->text = s;
		b->tcap = cap;
	}
	memcpy(b->text + b->tlen, p, n);
	b->t[b->n].off = (uint32_t)b->tlen;
	b->t[b->n].len = (uint32_t)n;
	b->t[b->n].col = b->col;
	b->n++;
	b->tlen += n;
	return 0;
}

/* Appends text's tokens, as FTS5 makes them (store_tokenize), to b. */
static int tokenize(struct tokbuf *b, enum store_tokens how, const char *text, size_t len)
{
	return store_tokenize(how, text, len, tok_cb, b) == STORE_OK ? 0 : -1;
}

static void tokbuf_free(struct tokbuf *b)
{
	free(b->t);
	free(b->text);
}

/* A product as read from the database, tokenized. */
struct docin {
	int64_t id;
	int active;
	int64_t price, seller, created;
	char category[256];
	struct tokbuf b;
};

static __thread const char *tls_text; /* for qsort of tokens: no qsort_r in C11 */

static int tok_cmp(const void *a, const void *b)
{
	const struct tok *x = a, *y = b;
	uint32_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(tls_text + x->off, tls_text + y->off, n);
	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* Reads a product as the store gives it and tokenizes its columns (those of
 * products_fts: title, description, category, tags joined by spaces). */
static int docin_read(const struct store_product *p, const char *tags_text, struct docin *d)
{
	memset(&d->b, 0, sizeof d->b);
	d->id = p->id;
	d->active = strcmp(p->status, "active") == 0;
	d->price = p->price_cents;
	d->seller = p->seller_id;
	d->created = p->created_at;
	const char *cat = p->category;
	size_t i = 0;
	for (; cat && cat[i] && i + 1 < sizeof d->category; i++)
		d->category[i] = (char)(cat[i] >= 'A' && cat[i] <= 'Z' ? cat[i] + 32 : cat[i]);
	d->category[i] = '\0';
	if (cat && cat[i])
		return -1; /* longer than any category: let the database answer */
	if (!d->active)
		return 0;
	const char *text[NCOLS] = { p->title, p->description, p->category, tags_text };
	for (int c = 0; c < NCOLS; c++) {
		d->b.col = (uint8_t)c;
		if (text[c] && tokenize(&d->b, STORE_TOKENS_DOCUMENT, text[c], strlen(text[c])) != 0)
			return -1;
	}
	tls_text = d->b.text;
	if (d->b.n) /* a title of punctuation alone has no tokens */
		qsort(d->b.t, d->b.n, sizeof *d->b.t, tok_cmp);
	return 0;
}

/* ------------------------------------------------------------------ the index */

static uint32_t hash_bytes(const char *s, uint32_t n)
{
	uint32_t h = 2166136261u;
	for (uint32_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static int term_cmp_bytes(const char *a, uint32_t an, const char *b, uint32_t bn)
{
	uint32_t n = an < bn ? an : bn;
	int c = memcmp(a, b, n);
	if (c)
		return c;
	return an < bn ? -1 : an > bn;
}

static void views_free(struct views *v)
{
	if (!v)
		return;
	for (int o = 0; o < NORDERS; o++)
		free(v->ord[o]);
	free(v->cat_off);
	free(v->sellers);
	free(v->seller_off);
	free(v);
}

static void pcache_clear(struct idx *x)
{
	if (!x->pc)
		return;
	for (uint32_t i = 0; i < PCACHE_SLOTS; i++) {
		free(x->pc[i].tok);
		free(x->pc[i].p);
	}
	free(x->pc);
	x->pc = NULL;
	x->pc_bytes = 0;
}

/* The first of postings p[0..n) whose product is not below doc. */
static uint32_t posting_at(const struct posting *p, uint32_t n, uint32_t doc)
{
	uint32_t lo = 0, hi = n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (p[mid].doc < doc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Product id has just been applied to x (added, edited, archived or gone): each kept
 * merged list of a prefix is made what a merge of the prefix's terms would give now
 * (issue 16: emptying them all made the next one-letter search on 1,000,000 products
 * take 10-25 ms).  The product's entry holds the sum of the weighted frequencies of
 * its terms that start with the prefix (integer sums: exact in any order) and its
 * length; no matching term, no entry.  -1 when out of memory (then the caller empties
 * the cache).  Called under the write lock: no search reads x->pc meanwhile.
 */
static int pcache_follow(struct idx *x, uint32_t id)
{
	if (!x->pc)
		return 0;
	const struct doc *d = id < x->ndocs && x->docs[id].active ? &x->docs[id] : NULL;
	uint32_t nt = d ? d->nterms : 0;
	float *wf = NULL;
	if (nt) {
		if (!(wf = malloc(nt * sizeof *wf)))
			return -1;
		for (uint32_t k = 0; k < nt; k++) {
			const struct term *t = &x->terms[d->terms[k]];
			uint32_t at = posting_at(t->p, t->n, id);
			wf[k] = at < t->n && t->p[at].doc == id ? t->p[at].wf : 0.0f;
		}
	}
	int rc = 0;
	for (uint32_t i = 0; i < PCACHE_SLOTS && rc == 0; i++) {
		struct pentry *e = &x->pc[i];
		if (!e->tok)
			continue;
		float sum = 0.0f;
		int match = 0;
		for (uint32_t k = 0; k < nt; k++) {
			const struct term *t = &x->terms[d->terms[k]];
			if (t->len >= e->len && memcmp(t->s, e->tok, e->len) == 0) {
				sum += wf[k];
				match = 1;
			}
		}
		uint32_t at = posting_at(e->p, e->n, id);
		int present = at < e->n && e->p[at].doc == id;
		if (match && present) {
			e->p[at].wf = sum;
			e->p[at].len = d->len;
		} else if (match) {
			if (e->n == e->cap) {
				uint32_t cap = e->cap + e->cap / 2 + 16;
				struct posting *p = realloc(e->p, (size_t)cap * sizeof *p);
				if (!p) {
					rc = -1;
					break;
				}
				x->pc_bytes += (size_t)(cap - e->cap) * sizeof *p;
				e->p = p;
				e->cap = cap;
			}
			memmove(e->p + at + 1, e->p + at, (size_t)(e->n - at) * sizeof *e->p);
			e->p[at] = (struct posting){ .doc = id, .wf = sum, .len = d->len };
			e->n++;
		} else if (present) {
			memmove(e->p + at, e->p + at + 1, (size_t)(e->n - at - 1) * sizeof *e->p);
			e->n--;
		}
	}
	free(wf);
	return rc;
}

static void idx_free(struct idx *x)
{
	if (!x)
		return;
	views_free(x->views);
	pcache_clear(x);
	for (uint32_t i = 0; i < x->nterms; i++) {
		free(x->terms[i].s);
		free(x->terms[i].p);
	}
	free(x->terms);
	free(x->sorted);
	free(x->hash);
	for (uint32_t i = 0; i < x->ndocs; i++)
		free(x->docs[i].terms);
	free(x->docs);
	for (uint32_t i = 0; i < x->ncats; i++)
		free(x->cats[i]);
	free(x->cats);
	free(x);
}

static int64_t find_term(const struct idx *x, const char *s, uint32_t n)
{
	if (!x->hashcap)
		return -1;
	for (uint32_t h = hash_bytes(s, n) & (x->hashcap - 1);; h = (h + 1) & (x->hashcap - 1)) {
		uint32_t v = x->hash[h];
		if (!v)
			return -1;
		const struct term *t = &x->terms[v - 1];
		if (t->len == n && memcmp(t->s, s, n) == 0)
			return v - 1;
	}
}

static int hash_put(uint32_t *hash, uint32_t cap, const struct term *terms, uint32_t num)
{
	const struct term *t = &terms[num];
	uint32_t h = hash_bytes(t->s, t->len) & (cap - 1);
	while (hash[h])
		h = (h + 1) & (cap - 1);
	hash[h] = num + 1;
	return 0;
}

/* The term's number, added when new (sorted in place unless `bulk`). */
static int64_t add_term(struct idx *x, const char *s, uint32_t n, int bulk)
{
	int64_t have = find_term(x, s, n);
	if (have >= 0)
		return have;
	if ((x->nterms + 1) * 2 > x->hashcap) {
		uint32_t cap = x->hashcap ? x->hashcap * 2 : 4096;
		uint32_t *h = calloc(cap, sizeof *h);
		if (!h)
			return -1;
		for (uint32_t i = 0; i < x->nterms; i++)
			hash_put(h, cap, x->terms, i);
		free(x->hash);
		x->hash = h;
		x->hashcap = cap;
	}
	if (x->nterms == x->capterms) {
		uint32_t cap = x->capterms ? x->capterms * 2 : 4096;
		struct term *t = realloc(x->terms, cap * sizeof *t);
		uint32_t *so = realloc(x->sorted, cap * sizeof *so);
		if (t)
			x->terms = t;
		if (so)
			x->sorted = so;
		if (!t || !so)
			return -1;
		x->capterms = cap;
	}
	struct term *t = &x->terms[x->nterms];
	memset(t, 0, sizeof *t);
	t->s = malloc(n ? n : 1);
	if (!t->s)
		return -1;
	memcpy(t->s, s, n);
	t->len = n;
	uint32_t num = x->nterms++;
	hash_put(x->hash, x->hashcap, x->terms, num);
	if (bulk) {
		x->sorted[num] = num;
	} else {
		uint32_t lo = 0, hi = num;
		while (lo < hi) {
			uint32_t mid = (lo + hi) / 2;
			const struct term *m = &x->terms[x->sorted[mid]];
			if (term_cmp_bytes(m->s, m->len, s, n) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		memmove(x->sorted + lo + 1, x->sorted + lo, (num - lo) * sizeof *x->sorted);
		x->sorted[lo] = num;
	}
	return num;
}

static const struct idx *sort_idx;
static int sorted_cmp(const void *a, const void *b)
{
	const struct term *x = &sort_idx->terms[*(const uint32_t *)a];
	const struct term *y = &sort_idx->terms[*(const uint32_t *)b];
	return term_cmp_bytes(x->s, x->len, y->s, y->len);
}

static int64_t intern_cat(struct idx *x, const char *c, int add)
{
	for (uint32_t i = 0; i < x->ncats; i++)
		if (strcmp(x->cats[i], c) == 0)
			return i;
	if (!add)
		return -1;
	char **cats = realloc(x->cats, (x->ncats + 1) * sizeof *cats);
	if (!cats)
		return -1;
	x->cats = cats;
	if (!(cats[x->ncats] = strdup(c)))
		return -1;
	return x->ncats++;
}

static void remove_doc(struct idx *x, uint32_t id)
{
	if (id >= x->ndocs || !x->docs[id].active)
		return;
	struct doc *d = &x->docs[id];
	for (uint32_t i = 0; i < d->nterms; i++) {
		struct term *t = &x->terms[d->terms[i]];
		uint32_t lo = posting_at(t->p, t->n, id);
		if (lo < t->n && t->p[lo].doc == id) {
			memmove(t->p + lo, t->p + lo + 1, (t->n - lo - 1) * sizeof *t->p);
			t->n--;
		}
	}
	free(d->terms);
	x->nrow--;
	x->ntok -= d->len;
	memset(d, 0, sizeof *d);
}

/* Whether token i differs from token i - 1. */
static int tok_cmp_text(const struct docin *in, size_t i)
{
	const struct tok *a = &in->b.t[i - 1], *b = &in->b.t[i];
	return a->len != b->len || memcmp(in->b.text + a->off, in->b.text + b->off, a->len) != 0;
}

/* Adds an active product (its tokens sorted).  -1 when out of memory. */
static int add_doc(struct idx *x, const struct docin *in, int bulk)
{
	uint32_t id = (uint32_t)in->id;
	if (id >= x->ndocs) {
		uint32_t n = x->ndocs ? x->ndocs : 1024;
		while (n <= id)
			n *= 2;
		struct doc *d = realloc(x->docs, n * sizeof *d);
		if (!d)
			return -1;
		memset(d + x->ndocs, 0, (n - x->ndocs) * sizeof *d);
		x->docs = d;
		x->ndocs = n;
	}
	struct doc *d = &x->docs[id];
	int64_t cat = intern_cat(x, in->category, 1);
	if (cat < 0)
		return -1;
	uint32_t distinct = 0;
	for (size_t i = 0; i < in->b.n; i++)
		if (i == 0 || tok_cmp_text(in, i))
			distinct++;
	d->terms = malloc((distinct ? distinct : 1) * sizeof *d->terms);
	if (!d->terms)
		return -1;
	d->nterms = 0;
	for (size_t i = 0; i < in->b.n;) {
		const struct tok *t0 = &in->b.t[i];
		float wf = 0;
		size_t j = i;
		for (; j < in->b.n && in->b.t[j].len == t0->len &&
		       memcmp(in->b.text + in->b.t[j].off, in->b.text + t0->off, t0->len) == 0; j++)
			wf += (float)col_weight[in->b.t[j].col];
		int64_t num = add_term(x, in->b.text + t0->off, t0->len, bulk);
		if (num < 0)
			return -1;
		struct term *t = &x->terms[num];
		if (t->n == t->cap) {
			uint32_t cap = t->cap ? t->cap * 2 : 4;
			struct posting *p = realloc(t->p, cap * sizeof *p);
			if (!p)
				return -1;
			t->p = p;
			t->cap = cap;
		}
		uint32_t at = t->n;
		if (at > 0 && t->p[at - 1].doc > id) { /* an older product edited: insert */
			at = posting_at(t->p, t->n, id);
			memmove(t->p + at + 1, t->p + at, (t->n - at) * sizeof *t->p);
		}
		t->p[at].doc = id;
		t->p[at].wf = wf;
		t->p[at].len = (uint32_t)in->b.n;
		t->n++;
		d->terms[d->nterms++] = (uint32_t)num;
		i = j;
	}
	d->len = (uint32_t)in->b.n;
	d->cat = (uint32_t)cat;
	d->price = in->price;
	d->seller = in->seller;
	d->created = in->created;
	d->active = 1;
	x->nrow++;
	x->ntok += d->len;
	return 0;
}

/* ------------------------------------------------------------------ build, changes */

/* Whether a product lists the same without words before and after a change (b NULL:
 * not in the index). */
static int same_keys(const struct doc *a, const struct doc *b)
{
	if (!b || !b->active)
		return !a->active;
	return a->active && a->cat == b->cat && a->price == b->price && a->seller == b->seller &&
	       a->created == b->created;
}

/* Applies product d (read now) to x. -1 when out of memory. */
static int apply_doc(struct idx *x, const struct docin *d, int bulk)
{
	struct doc was = { 0 };
	if ((uint64_t)d->id < x->ndocs)
		was = x->docs[d->id];
	remove_doc(x, (uint32_t)d->id);
	int rc = d->active ? add_doc(x, d, bulk) : 0;
	if (!bulk && !same_keys(&was, (uint64_t)d->id < x->ndocs ? &x->docs[d->id] : NULL))
		x->keys_gen++;
	return rc;
}

/* Takes product id (no longer in the database) out of x. */
static void apply_gone(struct idx *x, int64_t id)
{
	if ((uint64_t)id < x->ndocs && x->docs[id].active)
		x->keys_gen++;
	remove_doc(x, (uint32_t)id);
}

/* The whole catalog streamed into a fresh index. */
struct fill {
	struct idx *x;
	int failed;
};

static int fill_row(void *arg, const struct store_product *p, const char *tags_text)
{
	struct fill *f = arg;
	struct docin d;
	memset(&d, 0, sizeof d);
	if (p->id <= 0 || p->id > MAX_DOC_ID || docin_read(p, tags_text, &d) != 0 ||
	    (d.active && add_doc(f->x, &d, 1) != 0))
		f->failed = 1;
	tokbuf_free(&d.b);
	return f->failed;
}

/* Products read for a change, applied later under the write lock. */
struct batch {
	struct docin *d;
	size_t n, cap;
	int failed;
};

static int batch_row(void *arg, const struct store_product *p, const char *tags_text)
{
	struct batch *b = arg;
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 8;
		struct docin *d = realloc(b->d, cap * sizeof *d);
		if (!d) {
			b->failed = 1;
			return 1;
		}
		b->d = d;
		b->cap = cap;
	}
	struct docin *d = &b->d[b->n];
	memset(d, 0, sizeof *d);
	b->n++;
	if (p->id <= 0 || p->id > MAX_DOC_ID || docin_read(p, tags_text, d) != 0)
		b->failed = 1;
	return b->failed;
}

static void batch_free(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		tokbuf_free(&b->d[i].b);
	free(b->d);
}

/* Drops the index after a change it cannot follow; rebuilt on next use. */
static void drop_cur(void)
{
	idx_free(cur);
	cur = NULL;
	atomic_store(&stale, 1);
}

/* Reads products ids[0..n) and applies them to the current index (in one batch: see
 * change_lock). */
static void apply_changes(struct store *s, const int64_t *ids, size_t n)
{
	pthread_mutex_lock(&change_lock);
	pthread_rwlock_rdlock(&lock);
	int have = cur != NULL;
	pthread_rwlock_unlock(&lock);
	if (!have) { /* nothing to keep current: the next build reads everything */
		pthread_mutex_unlock(&change_lock);
		return;
	}
	struct batch b = { 0 };
	int bad = 0;
	for (size_t i = 0; i < n; i++)
		bad |= ids[i] <= 0 || ids[i] > MAX_DOC_ID;
	if (!bad && (store_products_each(s, ids, n, batch_row, &b) != STORE_OK || b.failed))
		bad = 1;
	pthread_rwlock_wrlock(&lock);
	if (cur && bad) {
		drop_cur();
	} else if (cur) {
		for (size_t i = 0; i < n && cur; i++) {
			const struct docin *d = NULL;
			for (size_t k = 0; k < b.n && !d; k++)
				if (b.d[k].id == ids[i])
					d = &b.d[k];
			if (!d)
				apply_gone(cur, ids[i]);
			else if (apply_doc(cur, d, 0) != 0)
				drop_cur();
			/* the merged prefix lists follow the postings */
			if (cur && pcache_follow(cur, (uint32_t)ids[i]) != 0)
				pcache_clear(cur);
		}
	}
	pthread_rwlock_unlock(&lock);
	batch_free(&b);
	pthread_mutex_unlock(&change_lock);
}

static void prewarm(void);

/* Builds a fresh index and swaps it in (one thread at a time; others fall back). */
static void build(struct store *s)
{
	if (pthread_mutex_trylock(&build_lock) != 0)
		return;
	if (!atomic_exchange(&stale, 0)) {
		pthread_mutex_unlock(&build_lock);
		return;
	}
	pthread_mutex_lock(&pend_lock);
	building = 1;
	npending = 0;
	pthread_mutex_unlock(&pend_lock);
	struct idx *x = calloc(1, sizeof *x);
	struct fill f = { x, x == NULL };
	/* One statement: the index is the database at one moment. */
	int ok = !f.failed && store_products_each(s, NULL, 0, fill_row, &f) == STORE_OK && !f.failed;
	if (ok) {
		sort_idx = x;
		if (x->nterms > 0) /* an empty catalog: no array at all (qsort(NULL) is UB) */
			qsort(x->sorted, x->nterms, sizeof *x->sorted, sorted_cmp);
	}
	struct idx *old = NULL;
	pthread_rwlock_wrlock(&lock);
	if (ok) {
		old = cur;
		cur = x;
	}
	pthread_rwlock_unlock(&lock);
	idx_free(old);
	if (!ok) {
		idx_free(x);
		atomic_store(&stale, 1); /* try again later; the database answers meanwhile */
		log_warn("search", "in-memory search index not built; full-text searches go to the"
			 " database");
	} else {
		log_info("search", "in-memory search index: %lld products, %u terms",
			 (long long)x->nrow, x->nterms);
	}
	/* Changes committed while reading: read them again, into what is current. */
	for (;;) {
		pthread_mutex_lock(&pend_lock);
		size_t n = npending;
		int64_t *ids = n ? malloc(n * sizeof *ids) : NULL;
		if (ids)
			memcpy(ids, pending, n * sizeof *ids);
		npending = 0;
		if (!n || !ids)
			building = 0;
		pthread_mutex_unlock(&pend_lock);
		if (!n || !ids) {
			if (n) { /* out of memory: cannot follow */
				pthread_rwlock_wrlock(&lock);
				drop_cur();
				pthread_rwlock_unlock(&lock);
			}
			break;
		}
		apply_changes(s, ids, n);
		free(ids);
	}
	if (ok)
		prewarm();
	pthread_mutex_unlock(&build_lock);
}

void searchidx_invalidate(void)
{
	atomic_store(&stale, 1);
	pthread_rwlock_wrlock(&lock);
	idx_free(cur); /* out of date: nothing is answered from it any more */
	cur = NULL;
	pthread_rwlock_unlock(&lock);
}

void searchidx_build(struct store *s)
{
	build(s);
}

long searchidx_prefix_lists(long *differ)
{
	*differ = 0;
	pthread_rwlock_rdlock(&lock);
	pthread_mutex_lock(&pc_lock);
	const struct idx *x = cur;
	long lists = x ? 0 : -1;
	float *acc = x && x->ndocs ? calloc(x->ndocs, sizeof *acc) : NULL;
	uint32_t *lens = x && x->ndocs ? calloc(x->ndocs, sizeof *lens) : NULL;
	if (x && x->ndocs && (!acc || !lens))
		lists = -1;
	for (uint32_t i = 0; lists >= 0 && x->pc && i < PCACHE_SLOTS; i++) {
		const struct pentry *e = &x->pc[i];
		if (!e->tok)
			continue;
		lists++;
		uint32_t expect = 0;
		for (uint32_t k = 0; k < x->nterms; k++) {
			const struct term *t = &x->terms[k];
			if (t->len < e->len || memcmp(t->s, e->tok, e->len) != 0)
				continue;
			for (uint32_t j = 0; j < t->n; j++) {
				expect += acc[t->p[j].doc] == 0.0f;
				acc[t->p[j].doc] += t->p[j].wf;
				lens[t->p[j].doc] = t->p[j].len;
			}
		}
		int bad = e->n != expect;
		for (uint32_t j = 0; j < e->n; j++) {
			const struct posting *p = &e->p[j];
			bad |= (j && e->p[j - 1].doc >= p->doc) || p->doc >= x->ndocs ||
			       acc[p->doc] != p->wf || lens[p->doc] != p->len;
		}
		*differ += bad;
		memset(acc, 0, x->ndocs * sizeof *acc);
	}
	pthread_mutex_unlock(&pc_lock);
	pthread_rwlock_unlock(&lock);
	free(acc);
	free(lens);
	return lists;
}

/* Builds on a thread of its own with its own connection, so that no request waits;
 * searches go to SQLite meanwhile.  After a failure, waits 10 s before trying again. */
static atomic_int builder_running;
static atomic_llong builder_failed_at;

static void *builder(void *arg)
{
	(void)arg;
	struct store *db = store_thread();
	if (db)
		build(db);
	if (!db || atomic_load(&stale))
		atomic_store(&builder_failed_at, (long long)time(NULL));
	store_thread_close();
	scratch_free();
	atomic_store(&builder_running, 0);
	return NULL;
}

static void build_soon(void)
{
	if ((long long)time(NULL) - atomic_load(&builder_failed_at) < 10 ||
	    atomic_exchange(&builder_running, 1))
		return;
	pthread_t t;
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &a, builder, NULL) != 0)
		atomic_store(&builder_running, 0);
	pthread_attr_destroy(&a);
}

void searchidx_products_changed(struct store *s, const int64_t *ids, size_t n)
{
	if (!n)
		return;
	pthread_mutex_lock(&pend_lock);
	if (building) {
		if (npending + n > cappending) {
			size_t cap = cappending ? cappending : 64;
			while (cap < npending + n)
				cap *= 2;
			int64_t *p = realloc(pending, cap * sizeof *p);
			if (p) {
				pending = p;
				cappending = cap;
			}
		}
		if (npending + n <= cappending) {
			memcpy(pending + npending, ids, n * sizeof *ids);
			npending += n;
		} else {
			atomic_store(&stale, 1);
		}
	}
	pthread_mutex_unlock(&pend_lock);
	apply_changes(s, ids, n);
}

void searchidx_product_changed(struct store *s, int64_t id)
{
	searchidx_products_changed(s, &id, 1);
}

/* ------------------------------------------------------------------ search */

struct plist {
	const struct posting *p;
	uint32_t n;
	double idf;
	struct posting *own; /* a merged list the prefix cache did not take: free() it */
};

static int posting_cmp(const void *a, const void *b)
{
	const struct posting *x = a, *y = b;
	return x->doc < y->doc ? -1 : x->doc > y->doc;
}

/* Per thread: an array by product id to add frequencies up in, and a bit per product
 * touched (both all zero between uses). */
static __thread struct {
	float *acc;
	uint32_t *lens; /* each product's length as its postings say (not zeroed) */
	uint64_t *bits;
	uint32_t n;
} scratch;

/* Per thread and phrase: the buffer a merged posting list is written to. */
static __thread struct {
	struct posting *p;
	size_t cap;
} mbuf[MAX_PHRASES];

static void scratch_free(void)
{
	free(scratch.acc);
	free(scratch.lens);
	free(scratch.bits);
	scratch.acc = NULL;
	scratch.lens = NULL;
	scratch.bits = NULL;
	scratch.n = 0;
	for (int i = 0; i < MAX_PHRASES; i++) {
		free(mbuf[i].p);
		mbuf[i].p = NULL;
		mbuf[i].cap = 0;
	}
}

static struct posting *mbuf_for(int i, size_t n)
{
	if (mbuf[i].cap < n) {
		pthread_once(&scratch_once, scratch_init);
		pthread_setspecific(scratch_key, &scratch);
		struct posting *p = realloc(mbuf[i].p, n * sizeof *p);
		if (!p)
			return NULL;
		mbuf[i].p = p;
		mbuf[i].cap = n;
	}
	return mbuf[i].p;
}

static int scratch_for(uint32_t ndocs)
{
	if (scratch.n >= ndocs)
		return 0;
	pthread_once(&scratch_once, scratch_init);
	pthread_setspecific(scratch_key, &scratch);
	float *a = realloc(scratch.acc, ndocs * sizeof *a);
	if (!a)
		return -1;
	memset(a + scratch.n, 0, (ndocs - scratch.n) * sizeof *a);
	scratch.acc = a;
	uint32_t *l = realloc(scratch.lens, ndocs * sizeof *l);
	if (!l)
		return -1;
	scratch.lens = l;
	size_t had = (scratch.n + 63) / 64, words = ((size_t)ndocs + 63) / 64;
	uint64_t *b = realloc(scratch.bits, words * sizeof *b);
	if (!b)
		return -1;
	memset(b + had, 0, (words - had) * sizeof *b);
	scratch.bits = b;
	scratch.n = ndocs;
	return 0;
}

static int pcache_get(const struct idx *x, const char *tok, uint32_t n, struct plist *out)
{
	int hit = 0;
	pthread_mutex_lock(&pc_lock);
	if (x->pc) {
		uint32_t h = hash_bytes(tok, n);
		for (uint32_t k = 0; k < 8; k++) {
			const struct pentry *e = &x->pc[(h + k) & (PCACHE_SLOTS - 1)];
			if (!e->tok)
				break;
			if (e->len == n && memcmp(e->tok, tok, n) == 0) {
				out->p = e->p;
				out->n = e->n;
				hit = 1;
				break;
			}
		}
	}
	pthread_mutex_unlock(&pc_lock);
	return hit;
}

/* Keeps a merged list (x is read-locked: only this lock guards x->pc).  p is the
 * caller's malloc'd list: 1 when the cache took it (it frees it), 0 when not. */
static int pcache_put(const struct idx *cx, const char *tok, uint32_t n, struct posting *p,
		      uint32_t np)
{
	struct idx *x = (struct idx *)cx;
	size_t bytes = (size_t)np * sizeof *p + n;
	int took = 0;
	pthread_mutex_lock(&pc_lock);
	if (!x->pc)
		x->pc = calloc(PCACHE_SLOTS, sizeof *x->pc);
	if (x->pc && x->pc_bytes + bytes <= pcache_budget(x)) {
		uint32_t h = hash_bytes(tok, n);
		for (uint32_t k = 0; k < 8; k++) {
			struct pentry *e = &x->pc[(h + k) & (PCACHE_SLOTS - 1)];
			if (e->tok && e->len == n && memcmp(e->tok, tok, n) == 0)
				break; /* another search put it meanwhile */
			if (e->tok)
				continue;
			char *t = malloc(n ? n : 1);
			if (t) {
				memcpy(t, tok, n);
				e->len = n;
				e->n = np;
				e->cap = np;
				e->p = p;
				e->tok = t;
				x->pc_bytes += bytes;
				took = 1;
			}
			break;
		}
	}
	pthread_mutex_unlock(&pc_lock);
	return took;
}

/* The posting list of every term that starts with the token (a prefix query). */
static int phrase_list(const struct idx *x, const char *tok, uint32_t n, int slot, struct plist *out)
{
	memset(out, 0, sizeof *out);
	uint32_t lo = 0, hi = x->nterms;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		const struct term *m = &x->terms[x->sorted[mid]];
		if (term_cmp_bytes(m->s, m->len, tok, n) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	uint32_t first = lo, nonempty = 0, last = lo;
	size_t total = 0;
	for (; last < x->nterms; last++) {
		const struct term *t = &x->terms[x->sorted[last]];
		if (t->len < n || memcmp(t->s, tok, n) != 0)
			break;
		if (t->n) {
			nonempty++;
			total += t->n;
		}
	}
	if (nonempty <= 1) {
		for (uint32_t i = first; i < last; i++) {
			const struct term *t = &x->terms[x->sorted[i]];
			if (t->n) {
				out->p = t->p;
				out->n = t->n;
			}
		}
		return 0;
	}
	if (pcache_get(x, tok, n, out))
		return 0;
	struct posting *m = NULL;
	size_t w = 0;
	if (total < 64 + x->ndocs / 256 || scratch_for(x->ndocs) != 0) {
		m = mbuf_for(slot, total);
		if (!m)
			return -1;
		size_t k = 0;
		for (uint32_t i = first; i < last; i++) {
			const struct term *t = &x->terms[x->sorted[i]];
			memcpy(m + k, t->p, t->n * sizeof *m);
			k += t->n;
		}
		qsort(m, k, sizeof *m, posting_cmp);
		/* One entry per product: the frequencies of its matching terms added
		 * (integer sums: exact in any order). */
		for (size_t i = 0; i < k; i++) {
			if (w && m[w - 1].doc == m[i].doc)
				m[w - 1].wf += m[i].wf;
			else
				m[w++] = m[i];
		}
	} else {
		/* Many: add up in an array by product id, marking each product in a bitmap,
		 * then read the bitmap in order (64 products a word). */
		uint32_t lo_doc = UINT32_MAX, hi_doc = 0;
		float *acc = scratch.acc;
		uint32_t *lens = scratch.lens;
		uint64_t *bits = scratch.bits;
		for (uint32_t i = first; i < last; i++) {
			const struct term *t = &x->terms[x->sorted[i]];
			for (uint32_t j = 0; j < t->n; j++) {
				uint32_t doc = t->p[j].doc;
				acc[doc] += t->p[j].wf;
				lens[doc] = t->p[j].len;
				bits[doc >> 6] |= (uint64_t)1 << (doc & 63);
			}
			if (t->n && t->p[0].doc < lo_doc)
				lo_doc = t->p[0].doc;
			if (t->n && t->p[t->n - 1].doc > hi_doc)
				hi_doc = t->p[t->n - 1].doc;
		}
		/* Counted first: the list is made to size, and kept by the prefix cache as
		 * it is (no copy, no per-thread buffer as large as the catalog). */
		size_t count = 0;
		for (uint32_t wd = lo_doc >> 6; wd <= hi_doc >> 6; wd++)
			count += (size_t)__builtin_popcountll(bits[wd]);
		m = malloc((count ? count : 1) * sizeof *m);
		if (!m) {
			for (uint32_t wd = lo_doc >> 6; wd <= hi_doc >> 6; wd++)
				bits[wd] = 0;
			for (uint32_t i = first; i < last; i++) {
				const struct term *t = &x->terms[x->sorted[i]];
				for (uint32_t j = 0; j < t->n; j++)
					acc[t->p[j].doc] = 0.0f;
			}
			return -1;
		}
		out->own = m;
		for (uint32_t wd = lo_doc >> 6; wd <= hi_doc >> 6; wd++) {
			uint64_t set = bits[wd];
			bits[wd] = 0;
			while (set) {
				uint32_t doc = wd * 64 + (uint32_t)__builtin_ctzll(set);
				set &= set - 1;
				m[w].doc = doc;
				/* From the postings, not x->docs (a 48-byte stride
				 * through memory: 70 % of a merge's time on 1,000,000). */
				m[w].len = lens[doc];
				m[w++].wf = acc[doc];
				acc[doc] = 0.0f;
			}
		}
	}
	out->p = m;
	out->n = (uint32_t)w;
	/* Worth keeping: the next search of this prefix reads it as it is. */
	if (out->own) {
		if (pcache_put(x, tok, n, out->own, (uint32_t)w))
			out->own = NULL;
	} else if (w >= 64) {
		struct posting *c = malloc(w * sizeof *c);
		if (c) {
			memcpy(c, m, w * sizeof *c);
			if (!pcache_put(x, tok, n, c, (uint32_t)w))
				free(c);
		}
	}
	return 0;
}

/* The merged lists of one-character prefixes made at once ("s" of "women's", "m c" of
 * "M&C"): on 1,000,000 products each merges most of the catalog, 10-25 ms of the
 * first search that asks (the prefix cache keeps them, following each product change). */
static void prewarm(void)
{
	pthread_rwlock_rdlock(&lock);
	const struct idx *x = cur;
	unsigned char seen[256] = { 0 };
	for (uint32_t i = 0; x && i < x->nterms; i++) {
		const struct term *t = &x->terms[x->sorted[i]];
		unsigned char c = t->len ? (unsigned char)t->s[0] : 0x80;
		if (c >= 0x80 || seen[c]) /* a UTF-8 lead byte is not a token */
			continue;
		seen[c] = 1;
		struct plist pl;
		if (phrase_list(x, t->s, 1, 0, &pl) == 0)
			free(pl.own);
	}
	pthread_rwlock_unlock(&lock);
}

struct hit {
	uint32_t doc;
	double rank;   /* -bm25, as FTS5's rank */
	int64_t key;   /* price or created_at */
};

static __thread enum searchidx_sort hit_sort;

/* 1 when a comes before b in the answer. */
static int before(const struct hit *a, const struct hit *b)
{
	switch (hit_sort) {
	case SEARCHIDX_RANK:
		if (a->rank != b->rank)
			return a->rank < b->rank;
		return a->doc < b->doc;
	case SEARCHIDX_PRICE_ASC:
		if (a->key != b->key)
			return a->key < b->key;
		return a->doc < b->doc;
	case SEARCHIDX_PRICE_DESC:
		if (a->key != b->key)
			return a->key > b->key;
		return a->doc < b->doc;
	case SEARCHIDX_NEWEST:
	default:
		if (a->key != b->key)
			return a->key > b->key;
		return a->doc > b->doc;
	}
}

static int hit_cmp(const void *a, const void *b)
{
	return before(a, b) ? -1 : before(b, a) ? 1 : 0;
}

/* A max-heap (by answer order: its top is the last of the best k kept). */
static void heap_push(struct hit *h, size_t *n, size_t k, const struct hit *x)
{
	if (*n == k) {
		if (!before(x, &h[0]))
			return;
		size_t i = 0; /* replace the top, sift down */
		for (;;) {
			size_t l = 2 * i + 1, r = l + 1, m = i;
			const struct hit *cm = x;
			if (l < k && before(cm, &h[l]))
				m = l, cm = &h[l];
			if (r < k && before(cm, &h[r]))
				m = r;
			if (m == i)
				break;
			h[i] = h[m];
			i = m;
		}
		h[i] = *x;
		return;
	}
	size_t i = (*n)++;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!before(&h[parent], x))
			break;
		h[i] = h[parent];
		i = parent;
	}
	h[i] = *x;
}

static inline int passes(const struct idx *x, const struct doc *d, const struct searchidx_query *q,
		  int64_t cat)
{
	(void)x;
	return d->active && (cat < 0 || d->cat == (uint32_t)cat) &&
	       (q->min_price < 0 || d->price >= q->min_price) &&
	       (q->max_price < 0 || d->price <= q->max_price) &&
	       (q->seller_id <= 0 || d->seller == q->seller_id);
}

/* The category's interned number; -2 when no product has it; -1 for no filter. */
static int64_t query_cat(const struct idx *x, const char *c)
{
	if (!c)
		return -1;
	char low[256];
	size_t i = 0;
	for (; c[i] && i + 1 < sizeof low; i++)
		low[i] = (char)(c[i] >= 'A' && c[i] <= 'Z' ? c[i] + 32 : c[i]);
	low[i] = '\0';
	if (c[i])
		return -2;
	int64_t n = intern_cat((struct idx *)x, low, 0);
	return n < 0 ? -2 : n;
}

static int ready(void)
{
	if (atomic_load(&stale))
		build_soon();
	pthread_rwlock_rdlock(&lock);
	if (!cur) {
		pthread_rwlock_unlock(&lock);
		return -1;
	}
	return 0;
}

int searchidx_count(const struct searchidx_query *q, int64_t *total)
{
	if (ready() != 0)
		return -1;
	const struct idx *x = cur;
	int64_t cat = query_cat(x, q->category), n = 0;
	if (cat != -2)
		for (uint32_t i = 0; i < x->ndocs; i++)
			n += passes(x, &x->docs[i], q, cat);
	pthread_rwlock_unlock(&lock);
	*total = n;
	return 0;
}

/* ------------------------------------------------------------------ lists without words */

static __thread const struct idx *order_idx;
static __thread int order_kind;

/* The answer's order for products a and b (as `before` orders hits). */
static int order_cmp(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	const struct doc *da = &order_idx->docs[a], *db = &order_idx->docs[b];
	switch (order_kind) {
	case ORDER_PRICE_ASC:
		if (da->price != db->price)
			return da->price < db->price ? -1 : 1;
		return a < b ? -1 : a > b;
	case ORDER_PRICE_DESC:
		if (da->price != db->price)
			return da->price > db->price ? -1 : 1;
		return a < b ? -1 : a > b;
	default:
		if (da->created != db->created)
			return da->created > db->created ? -1 : 1;
		return a > b ? -1 : a < b;
	}
}

static struct views *views_build(const struct idx *x)
{
	struct views *v = calloc(1, sizeof *v);
	if (!v)
		return NULL;
	v->gen = x->keys_gen;
	v->ncats = x->ncats;
	v->cat_off = calloc((size_t)x->ncats + 1, sizeof *v->cat_off);
	uint32_t n = 0;
	for (uint32_t i = 0; i < x->ndocs; i++)
		n += x->docs[i].active;
	v->n = n;
	v->sellers = malloc(((size_t)n + 1) * sizeof *v->sellers);
	int ok = v->cat_off && v->sellers;
	for (int o = 0; ok && o < NORDERS; o++)
		ok = (v->ord[o] = malloc(((size_t)n * 3 + 1) * sizeof **v->ord)) != NULL;
	/* The sellers of active products, each once, ascending. */
	for (uint32_t i = 0, k = 0; ok && i < x->ndocs; i++)
		if (x->docs[i].active)
			v->sellers[k++] = x->docs[i].seller;
	if (ok && n)
		qsort(v->sellers, n, sizeof *v->sellers, cmp_i64);
	for (uint32_t k = 0; ok && k < n; k++)
		if (k == 0 || v->sellers[k] != v->sellers[v->nsellers - 1])
			v->sellers[v->nsellers++] = v->sellers[k];
	v->seller_off = ok ? calloc((size_t)v->nsellers + 1, sizeof *v->seller_off) : NULL;
	uint32_t *group = v->seller_off ? malloc(((size_t)x->ndocs + 1) * sizeof *group) : NULL;
	size_t nfill = ((size_t)x->ncats > v->nsellers ? x->ncats : v->nsellers) + 1;
	uint32_t *fill = group ? calloc(nfill, sizeof *fill) : NULL;
	if (!fill) {
		free(group);
		views_free(v);
		return NULL;
	}
	for (uint32_t i = 0; i < x->ndocs; i++)
		if (x->docs[i].active) {
			group[i] = (uint32_t)seller_group(v, x->docs[i].seller);
			v->seller_off[group[i] + 1]++;
		}
	for (uint32_t g = 0; g < v->nsellers; g++)
		v->seller_off[g + 1] += v->seller_off[g];
	/* Products by category: counted, then placed in each order (a stable split). */
	for (uint32_t i = 0, k = 0; i < x->ndocs; i++) {
		if (!x->docs[i].active)
			continue;
		v->ord[0][k++] = i;
		v->cat_off[x->docs[i].cat + 1]++;
	}
	for (uint32_t c = 0; c < x->ncats; c++)
		v->cat_off[c + 1] += v->cat_off[c];
	order_idx = x;
	for (int o = 0; o < NORDERS; o++) {
		uint32_t *a = v->ord[o];
		if (o > 0)
			memcpy(a, v->ord[0], (size_t)n * sizeof *a);
		order_kind = o;
		if (n)
			qsort(a, n, sizeof *a, order_cmp);
		memset(fill, 0, nfill * sizeof *fill);
		for (uint32_t k = 0; k < n; k++) {
			uint32_t c = x->docs[a[k]].cat;
			a[n + v->cat_off[c] + fill[c]++] = a[k];
		}
		memset(fill, 0, nfill * sizeof *fill);
		for (uint32_t k = 0; k < n; k++) {
			uint32_t g = group[a[k]];
			a[2 * (size_t)n + v->seller_off[g] + fill[g]++] = a[k];
		}
	}
	free(fill);
	free(group);
	return v;
}

/* x's views, up to date; NULL when they are being built by another thread (the
 * caller asks SQLite).  Called and returns under the read lock, with x == cur or
 * NULL when the index went away meanwhile (*x updated). */
static pthread_mutex_t views_lock = PTHREAD_MUTEX_INITIALIZER;

static const struct views *views_of(const struct idx **x)
{
	const struct idx *c = *x;
	if (c->views && c->views->gen == c->keys_gen)
		return c->views;
	if (pthread_mutex_trylock(&views_lock) != 0)
		return NULL;
	uint64_t gen = c->keys_gen;
	struct views *v = views_build(c); /* under the read lock: no change meanwhile */
	pthread_rwlock_unlock(&lock);
	pthread_rwlock_wrlock(&lock);
	if (v && cur == c && c->keys_gen == gen) {
		views_free(cur->views);
		cur->views = v;
		v = NULL;
	}
	pthread_rwlock_unlock(&lock);
	views_free(v);
	pthread_mutex_unlock(&views_lock);
	pthread_rwlock_rdlock(&lock);
	*x = cur;
	if (!cur || !cur->views || cur->views->gen != cur->keys_gen)
		return NULL;
	return cur->views;
}

/* First k in a[lo..hi) whose price is not below p (ascending prices) or not above p
 * (descending). */
static uint32_t price_bound(const struct idx *x, const uint32_t *a, uint32_t lo, uint32_t hi,
			    int64_t p, int desc, int strict)
{
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int64_t m = x->docs[a[mid]].price;
		int left = desc ? (strict ? m >= p : m > p) : (strict ? m <= p : m < p);
		if (left)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A list without words, from the views: under the read lock. */
static void wordless(const struct idx *x, const struct views *v, const struct searchidx_query *q,
		     int64_t cat, int64_t *ids, int *nids, int64_t *total)
{
	int o = q->sort == SEARCHIDX_PRICE_ASC ? ORDER_PRICE_ASC
		: q->sort == SEARCHIDX_PRICE_DESC ? ORDER_PRICE_DESC : ORDER_NEWEST;
	*nids = 0;
	*total = 0;
	if (cat == -2 || (cat >= 0 && (uint64_t)cat >= v->ncats)) {
		/* a category no product had when the views were built */
		if (cat >= 0)
			for (uint32_t i = 0; i < x->ndocs; i++)
				*total += x->docs[i].active && x->docs[i].cat == (uint32_t)cat;
		return;
	}
	uint32_t base = cat >= 0 ? v->n + v->cat_off[cat] : 0;
	uint32_t len = cat >= 0 ? v->cat_off[cat + 1] - v->cat_off[cat] : v->n;
	uint64_t want = (uint64_t)q->offset + (uint64_t)q->limit;
	if (q->seller_id > 0) {
		/* A seller's list: their products walked in order (category and price
		 * checked on the way). */
		int64_t g = seller_group(v, q->seller_id);
		if (g < 0)
			return;
		const uint32_t *a = v->ord[o] + 2 * (size_t)v->n + v->seller_off[g];
		len = v->seller_off[g + 1] - v->seller_off[g];
		int64_t m = 0;
		for (uint32_t k = 0; k < len; k++) {
			const struct doc *d = &x->docs[a[k]];
			if ((cat >= 0 && d->cat != (uint32_t)cat) ||
			    (q->min_price >= 0 && d->price < q->min_price) ||
			    (q->max_price >= 0 && d->price > q->max_price))
				continue;
			if ((uint64_t)m >= (uint64_t)q->offset && (uint64_t)m < want)
				ids[(*nids)++] = a[k];
			m++;
		}
		*total = m;
		return;
	}
	/* The total: the products in the price range, two binary searches. */
	const uint32_t *asc = v->ord[ORDER_PRICE_ASC] + base;
	uint32_t lo = q->min_price >= 0 ? price_bound(x, asc, 0, len, q->min_price, 0, 0) : 0;
	uint32_t hi = q->max_price >= 0 ? price_bound(x, asc, 0, len, q->max_price, 0, 1) : len;
	*total = hi > lo ? hi - lo : 0;
	if (hi <= lo)
		return;
	const uint32_t *a = v->ord[o] + base;
	uint32_t from = 0, to = len;
	if (o == ORDER_PRICE_ASC) {
		from = lo;
		to = hi;
	} else if (o == ORDER_PRICE_DESC) {
		from = q->max_price >= 0 ? price_bound(x, a, 0, len, q->max_price, 1, 0) : 0;
		to = q->min_price >= 0 ? price_bound(x, a, from, len, q->min_price, 1, 1) : len;
	} else if (q->min_price < 0 && q->max_price < 0) {
		from = 0;
		to = len;
	} else {
		/* Newest within a price range: walked in order until the page is full. */
		uint64_t m = 0;
		for (uint32_t k = 0; k < len && m < want; k++) {
			const struct doc *d = &x->docs[a[k]];
			if ((q->min_price >= 0 && d->price < q->min_price) ||
			    (q->max_price >= 0 && d->price > q->max_price))
				continue;
			if (m++ >= (uint64_t)q->offset)
				ids[(*nids)++] = a[k];
		}
		return;
	}
	for (uint64_t k = (uint64_t)from + (uint64_t)q->offset; k < to && k < (uint64_t)from + want; k++)
		ids[(*nids)++] = a[k];
}

/* The quoted words of a match string ("a"* "b"* or "a"* OR "b"*). */
static int match_words(const char *m, const char **w, uint32_t *wl, int max)
{
	int n = 0;
	while ((m = strchr(m, '"'))) {
		const char *end = strchr(m + 1, '"');
		if (!end || n == max)
			return -1;
		w[n] = m + 1;
		wl[n++] = (uint32_t)(end - m - 1);
		m = end + 1;
	}
	return n;
}

int searchidx_search(const struct searchidx_query *q, int64_t *ids, int *nids, int64_t *total)
{
	const char *w[MAX_PHRASES];
	uint32_t wl[MAX_PHRASES];
	int nw = match_words(q->match, w, wl, MAX_PHRASES);
	if (nw < 0 || q->limit < 0 || q->offset < 0 || q->limit + q->offset > 100000)
		return -1;
	if (nw == 0) {
		if (ready() != 0)
			return -1;
		const struct idx *x = cur;
		const struct views *v = views_of(&x);
		if (v)
			wordless(x, v, q, query_cat(x, q->category), ids, nids, total);
		pthread_rwlock_unlock(&lock);
		return v ? 0 : -1;
	}
	/* Each word must be one token, as FTS5 makes of it (else a phrase: the database). */
	struct tokbuf qb = { 0 };
	for (int i = 0; i < nw; i++) {
		size_t before_n = qb.n;
		if (tokenize(&qb, STORE_TOKENS_PREFIX_QUERY, w[i], wl[i]) != 0 ||
		    qb.n != before_n + 1) {
			tokbuf_free(&qb);
			return -1;
		}
	}
	if (ready() != 0) {
		tokbuf_free(&qb);
		return -1;
	}
	const struct idx *x = cur;
	struct plist pl[MAX_PHRASES];
	int rc = 0;
	for (int i = 0; i < nw; i++) {
		if (phrase_list(x, qb.text + qb.t[i].off, qb.t[i].len, i, &pl[i]) != 0) {
			pthread_rwlock_unlock(&lock);
			tokbuf_free(&qb);
			for (int j = 0; j < i; j++)
				free(pl[j].own);
			return -1;
		}
	}
	tokbuf_free(&qb);
	/* bm25 as fts5_aux.c computes it, in the same order of operations. */
	double nrow = (double)x->nrow;
	double avgdl = x->nrow ? (double)x->ntok / (double)x->nrow : 1.0;
	for (int i = 0; i < nw; i++) {
		double nhit = (double)pl[i].n;
		double idf = log((nrow - nhit + 0.5) / (nhit + 0.5));
		if (idf <= 0.0)
			idf = 1e-6;
		pl[i].idf = idf;
	}
	const double k1 = 1.2, b = 0.75;
	int64_t cat = query_cat(x, q->category);
	int filtered = q->category || q->min_price >= 0 || q->max_price >= 0 || q->seller_id > 0;
	size_t k = (size_t)(q->offset + q->limit), nh = 0;
	struct hit *heap = k ? malloc(k * sizeof *heap) : NULL;
	int64_t matched = 0;
	uint32_t cursor[MAX_PHRASES] = { 0 };
	hit_sort = q->sort;
	if ((k && !heap) || cat == -2)
		goto done;
	if (nw == 1) {
		/* One word (the usual search): a straight walk of its list. */
		const struct plist *l = &pl[0];
		for (uint32_t j = 0; j < l->n; j++) {
			const struct posting *p = &l->p[j];
			const struct doc *d = filtered || q->sort != SEARCHIDX_RANK ? &x->docs[p->doc] : NULL;
			if (filtered && !passes(x, d, q, cat))
				continue;
			matched++;
			if (!k)
				continue;
			struct hit h = { .doc = p->doc };
			if (q->sort == SEARCHIDX_RANK) {
				double afreq = (double)p->wf, D = (double)p->len, score = 0.0;
				score += l->idf * ((afreq * (k1 + 1.0)) / (afreq + k1 * (1 - b + b * D / avgdl)));
				h.rank = -1.0 * score;
			} else {
				h.key = q->sort == SEARCHIDX_NEWEST ? d->created : d->price;
			}
			if (nh == k && !before(&h, &heap[0]))
				continue;
			heap_push(heap, &nh, k, &h);
		}
		goto done;
	}
	for (;;) {
		/* The next product in every list (AND) or in any list (OR). */
		uint32_t doc = UINT32_MAX;
		if (q->any_word) {
			for (int i = 0; i < nw; i++)
				if (cursor[i] < pl[i].n && pl[i].p[cursor[i]].doc < doc)
					doc = pl[i].p[cursor[i]].doc;
			if (doc == UINT32_MAX)
				break;
		} else {
			uint32_t want = 0;
			int agree = 0, end = 0;
			while (!end && agree < nw) {
				agree = 0;
				for (int i = 0; i < nw && !end; i++) {
					const struct plist *l = &pl[i];
					uint32_t c = cursor[i];
					if (c < l->n && l->p[c].doc < want) {
						/* gallop, then binary search */
						uint32_t step = 1, lo = c, hi = c;
						while (hi < l->n && l->p[hi].doc < want) {
							lo = hi;
							hi = c + step;
							step *= 2;
						}
						if (hi > l->n)
							hi = l->n;
						while (lo < hi) {
							uint32_t mid = lo + (hi - lo) / 2;
							if (l->p[mid].doc < want)
								lo = mid + 1;
							else
								hi = mid;
						}
						c = cursor[i] = lo;
					}
					if (c >= l->n)
						end = 1;
					else if (l->p[c].doc == want)
						agree++;
					else
						want = l->p[c].doc, agree = 0;
				}
			}
			if (end)
				break;
			doc = want;
		}
		double afreq[MAX_PHRASES];
		uint32_t len = 0;
		for (int i = 0; i < nw; i++) {
			afreq[i] = 0.0;
			if (cursor[i] < pl[i].n && pl[i].p[cursor[i]].doc == doc) {
				len = pl[i].p[cursor[i]].len;
				afreq[i] = (double)pl[i].p[cursor[i]++].wf;
			}
		}
		/* Postings hold active products only: the product itself is read only
		 * for filters and sort keys. */
		const struct doc *d = filtered || q->sort != SEARCHIDX_RANK ? &x->docs[doc] : NULL;
		if (filtered && !passes(x, d, q, cat))
			continue;
		matched++;
		if (!k)
			continue;
		struct hit h = { .doc = doc };
		if (q->sort == SEARCHIDX_RANK) {
			double D = (double)len, score = 0.0;
			for (int i = 0; i < nw; i++)
				score += pl[i].idf * ((afreq[i] * (k1 + 1.0)) /
						      (afreq[i] + k1 * (1 - b + b * D / avgdl)));
			h.rank = -1.0 * score;
		} else {
			h.key = q->sort == SEARCHIDX_NEWEST ? d->created : d->price;
		}
		heap_push(heap, &nh, k, &h);
	}
done:
	pthread_rwlock_unlock(&lock);
	for (int i = 0; i < nw; i++)
		free(pl[i].own);
	if (heap)
		qsort(heap, nh, sizeof *heap, hit_cmp);
	int n = 0;
	for (size_t i = (size_t)q->offset; i < nh; i++)
		ids[n++] = heap[i].doc;
	free(heap);
	*nids = n;
	*total = matched;
	(void)rc;
	return 0;
}
