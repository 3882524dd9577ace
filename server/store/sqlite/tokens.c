/*
 * store/sqlite/tokens.c - store_tokenize (store/store.h): a text's words as SQLite's
 * FTS5 index of products makes them, whatever the database.
 *
 * The tokenizer is FTS5's own ('porter unicode61 remove_diacritics 2', products_fts's),
 * taken from a private in-memory SQLite connection, one per thread (FTS5 tokenizers
 * keep state); both are freed when the thread ends.
 */
#include "store/store.h"

#include <pthread.h>
#include <sqlite3.h>

static __thread struct {
	sqlite3 *mem;
	fts5_tokenizer api;
	Fts5Tokenizer *tok;
} tz;

static pthread_key_t tz_key;
static pthread_once_t tz_once = PTHREAD_ONCE_INIT;

static void tz_free(void *p)
{
	(void)p;
	if (tz.tok)
		tz.api.xDelete(tz.tok);
	tz.tok = NULL;
	sqlite3_close_v2(tz.mem);
	tz.mem = NULL;
}

static void tz_init(void)
{
	pthread_key_create(&tz_key, tz_free);
}

static int tokenizer_ready(void)
{
	if (tz.tok)
		return 0;
	pthread_once(&tz_once, tz_init);
	pthread_setspecific(tz_key, &tz); /* tz_free at the thread's end */
	if (!tz.mem && sqlite3_open_v2(":memory:", &tz.mem, SQLITE_OPEN_READWRITE |
				       SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		sqlite3_close_v2(tz.mem);
		tz.mem = NULL;
		return -1;
	}
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(tz.mem, "SELECT fts5(?1)", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
		sqlite3_step(st);
	}
	sqlite3_finalize(st);
	void *ud = NULL;
	if (!api || api->iVersion < 2 || api->xFindTokenizer(api, "porter", &ud, &tz.api) != SQLITE_OK)
		return -1;
	/* products_fts: tokenize = 'porter unicode61 remove_diacritics 2' */
	const char *args[] = { "unicode61", "remove_diacritics", "2" };
	if (tz.api.xCreate(ud, args, 3, &tz.tok) != SQLITE_OK) {
		tz.tok = NULL;
		return -1;
	}
	return 0;
}

struct relay {
	store_token_fn fn;
	void *arg;
};

static int relay_token(void *ctx, int flags, const char *p, int n, int start, int end)
{
	(void)flags;
	(void)start;
	(void)end;
	const struct relay *r = ctx;
	if (n <= 0)
		return SQLITE_OK;
	return r->fn(r->arg, p, (size_t)n) == 0 ? SQLITE_OK : SQLITE_ABORT;
}

int store_tokenize(enum store_tokens how, const char *text, size_t len, store_token_fn fn,
		   void *arg)
{
	if (tokenizer_ready() != 0)
		return STORE_ERROR;
	if (!text || len == 0)
		return STORE_OK;
	if (len > (size_t)0x7fffffff)
		return STORE_ERROR;
	int flags = how == STORE_TOKENS_PREFIX_QUERY ? FTS5_TOKENIZE_QUERY | FTS5_TOKENIZE_PREFIX
						     : FTS5_TOKENIZE_DOCUMENT;
	struct relay r = { fn, arg };
	return tz.api.xTokenize(tz.tok, &r, flags, text, (int)len, relay_token) == SQLITE_OK
		       ? STORE_OK
		       : STORE_ERROR;
}
