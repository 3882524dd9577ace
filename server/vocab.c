/*
 * vocab.c - the catalog vocabulary snapshot (see buddy_tools.h).
 *
 * A snapshot holds every distinct lower-case word of active product titles,
 * categories and tags, the category names, and the titles themselves (for the
 * speech recogniser's language model).  It is immutable once built; readers hold a
 * reference, and a rebuild swaps in a new snapshot under the lock.  After a catalog
 * change, buddy_vocab_get() hands out the previous snapshot until the new one is
 * ready (built on a thread of its own): typo correction learns a new product's words
 * a moment later, while search itself always reads the live catalog.
 */
#include "buddy_tools.h"
#include "buddy/match.h"
#include "log.h"
#include "server.h"
#include "store/store.h"

#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

struct vocab {
	atomic_int refs;
	uint64_t version;
	char **words;
	size_t nwords, capwords;
	char **categories;
	size_t ncat;
	char **titles;
	size_t ntitles;
	struct match_index *index;	/* stems and sound keys of words, for typo correction */
};

static pthread_mutex_t vocab_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vocab *current;

static void free_list(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

void buddy_vocab_release(struct vocab *v)
{
	if (!v || atomic_fetch_sub(&v->refs, 1) != 1)
		return;
	free_list(v->words, v->nwords);
	free_list(v->categories, v->ncat);
	free_list(v->titles, v->ntitles);
	match_index_free(v->index);
	free(v);
}

static int push(char ***list, size_t *n, size_t *cap, const char *s, size_t len)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 1024;
		char **l = realloc(*list, c * sizeof *l);
		if (!l)
			return -1;
		*list = l;
		*cap = c;
	}
	char *copy = strndup(s, len);
	if (!copy)
		return -1;
	(*list)[(*n)++] = copy;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void dedupe(char **list, size_t *n)
{
	if (*n == 0)
		return;
	qsort(list, *n, sizeof *list, cmp_str);
	size_t out = 1;
	for (size_t i = 1; i < *n; i++) {
		if (strcmp(list[i], list[out - 1]) == 0)
			free(list[i]);
		else
			list[out++] = list[i];
	}
	*n = out;
}

struct build_state {
	struct vocab *v;
	size_t capcat, captitles;
	/* the words seen so far, as indexes into v->words + 1 (0: empty slot), open
	 * addressing: a catalog's millions of words are a few thousand distinct ones, so
	 * each is copied once (the words list was every word of every row, sorted to
	 * drop repeats every 200,000 words: most of a second on 100,000 products) */
	uint32_t *slots;
	size_t nslots;
};

static uint32_t hash_word(const char *w, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)w[i]) * 16777619u;
	return h;
}

static int grow_slots(struct build_state *b)
{
	size_t n = b->nslots ? b->nslots * 2 : 4096;
	uint32_t *s = calloc(n, sizeof *s);
	if (!s)
		return -1;
	for (size_t i = 0; i < b->nslots; i++) {
		if (!b->slots[i])
			continue;
		const char *w = b->v->words[b->slots[i] - 1];
		size_t j = hash_word(w, strlen(w)) & (n - 1);
		while (s[j])
			j = (j + 1) & (n - 1);
		s[j] = b->slots[i];
	}
	free(b->slots);
	b->slots = s;
	b->nslots = n;
	return 0;
}

/* Adds word[0..n) to the words list unless it is there already. */
static void add_word(struct build_state *b, const char *word, size_t n)
{
	struct vocab *v = b->v;
	if ((v->nwords + 1) * 2 > b->nslots && grow_slots(b) != 0)
		return;
	size_t j = hash_word(word, n) & (b->nslots - 1);
	for (; b->slots[j]; j = (j + 1) & (b->nslots - 1)) {
		const char *w = v->words[b->slots[j] - 1];
		if (strncmp(w, word, n) == 0 && w[n] == '\0')
			return;
	}
	if (v->nwords >= UINT32_MAX - 1 || push(&v->words, &v->nwords, &v->capwords, word, n) != 0)
		return;
	b->slots[j] = (uint32_t)v->nwords;
}

/* Adds the words of text (lower-cased, letters/digits/apostrophes) to the list. */
static void add_words(struct build_state *b, const char *text)
{
	char word[64];
	const unsigned char *p = (const unsigned char *)(text ? text : "");
	while (*p) {
		while (*p && !(isalnum(*p) || *p >= 0x80))
			p++;
		size_t n = 0;
		while (*p && (isalnum(*p) || *p >= 0x80 || *p == '\'')) {
			if (n < sizeof word - 1)
				word[n++] = (char)tolower(*p);
			p++;
		}
		if (n > 0)
			add_word(b, word, n);
	}
}

static int add_product(void *arg, const char *title, const char *category, const char *tags)
{
	struct build_state *b = arg;
	struct vocab *v = b->v;
	add_words(b, title);
	add_words(b, category);
	add_words(b, tags);
	if (title)
		push(&v->titles, &v->ntitles, &b->captitles, title, strlen(title));
	return 0;
}

static int add_category(void *arg, const char *c)
{
	struct build_state *b = arg;
	if (c)
		push(&b->v->categories, &b->v->ncat, &b->capcat, c, strlen(c));
	return 0;
}

static struct vocab *build(struct store *store, uint64_t version)
{
	struct vocab *v = calloc(1, sizeof *v);
	if (!v)
		return NULL;
	atomic_init(&v->refs, 1);
	v->version = version;
	struct build_state b = { v, 0, 0, NULL, 0 };
	store_products_each_text(store, add_product, &b);
	store_categories_each(store, add_category, &b);
	free(b.slots);
	dedupe(v->words, &v->nwords); /* sorts them (no repeats left) */
	dedupe(v->titles, &v->ntitles);
	/* NULL when out of memory: typo correction then works the slow way */
	v->index = match_index_build((const char *const *)v->words, v->nwords);
	log_debug("buddy", "vocabulary rebuilt: %zu words, %zu categories", v->nwords, v->ncat);
	return v;
}

struct rebuild_arg {
	struct server *srv;
	uint64_t version;
};

static int rebuilding;

/* A stale snapshot is rebuilt on a thread of its own while readers keep using the
 * old one: a catalog edit must not stall the next buddy turn (a 100k-product
 * catalog takes most of a second to read). */
static void *rebuild_thread(void *arg)
{
	struct rebuild_arg *r = arg;
	/* Low priority: turns go on with the previous snapshot meanwhile, and must not
	 * wait behind this build (on 100,000 products, 0.5 s of CPU after each product
	 * a seller adds or edits). */
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
	struct store *db = store_thread();
	struct vocab *fresh = db ? build(db, r->version) : NULL;
	store_thread_close();
	pthread_mutex_lock(&vocab_lock);
	if (fresh && (!current || current->version != atomic_load(&r->srv->catalog_version) ||
		      fresh->version == atomic_load(&r->srv->catalog_version))) {
		buddy_vocab_release(current);
		current = fresh;
		fresh = NULL;
	}
	rebuilding = 0;
	pthread_mutex_unlock(&vocab_lock);
	buddy_vocab_release(fresh);
	free(r);
	return NULL;
}

static void start_rebuild(struct server *srv, uint64_t version)
{
	struct rebuild_arg *r = malloc(sizeof *r);
	pthread_t t;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (r) {
		r->srv = srv;
		r->version = version;
	}
	if (!r || pthread_create(&t, &attr, rebuild_thread, r) != 0) {
		free(r);
		rebuilding = 0;
	}
	pthread_attr_destroy(&attr);
}

struct vocab *buddy_vocab_get(struct server *srv, struct store *store)
{
	uint64_t version = atomic_load(&srv->catalog_version);
	pthread_mutex_lock(&vocab_lock);
	if (!current) {
		/* The very first one: nothing to fall back on, so build it here. */
		current = build(store, version);
	} else if (current->version != version && !rebuilding) {
		rebuilding = 1;
		start_rebuild(srv, version);
	}
	struct vocab *v = current;
	if (v)
		atomic_fetch_add(&v->refs, 1);
	pthread_mutex_unlock(&vocab_lock);
	return v;
}

struct vocab *buddy_vocab_get_current(struct server *srv, struct store *store)
{
	uint64_t version = atomic_load(&srv->catalog_version);
	/* A snapshot of this version is the one a build would make: no second build
	 * (the language model's build at start-up asked for one the warm-up had built). */
	pthread_mutex_lock(&vocab_lock);
	struct vocab *have = current && current->version == version ? current : NULL;
	if (have)
		atomic_fetch_add(&have->refs, 1);
	pthread_mutex_unlock(&vocab_lock);
	if (have)
		return have;
	struct vocab *fresh = build(store, version);
	pthread_mutex_lock(&vocab_lock);
	if (fresh && (!current || current->version != version)) {
		buddy_vocab_release(current);
		current = fresh;
		fresh = NULL;
	}
	struct vocab *v = current;
	if (v)
		atomic_fetch_add(&v->refs, 1);
	pthread_mutex_unlock(&vocab_lock);
	buddy_vocab_release(fresh);
	return v;
}

void buddy_vocab_words(const struct vocab *v, const char *const **words, size_t *n,
		       const char *const **categories, size_t *ncat,
		       const char *const **titles, size_t *ntitles)
{
	*words = (const char *const *)v->words;
	*n = v->nwords;
	*categories = (const char *const *)v->categories;
	*ncat = v->ncat;
	if (titles) {
		*titles = (const char *const *)v->titles;
		*ntitles = v->ntitles;
	}
}

const struct match_index *buddy_vocab_index(const struct vocab *v)
{
	return v ? v->index : NULL;
}
