/*
 * test_server_basics.c - the server's small building blocks: the FTS5 query builder
 * (server/fts.c, also run against a real FTS5 table), the config parser
 * (shared/config.c), UTF-8 validation (shared/proto/utf8.c, exhaustively up to three
 * bytes), auth helpers (server/auth.c: emails, tokens, Argon2 at cost "min"), the
 * rate limiter (server/ratelimit.c) and the REST helpers (server/api.c).
 */
#include <check.h>
#include <limits.h>
#include <math.h>
#include <cJSON.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "auth.h"
#include "buddy_ws.h"
#include "config.h"
#include "fts.h"
#include "outside.h"
#include "ratelimit.h"
#include "utf8.h"

/* ---------------------------------------------------------------- fts_build_query */

static void fts_eq(const char *text, int any, int want_words, const char *want)
{
	char out[1024];
	int n = fts_build_query(text, any, out, sizeof out);
	ck_assert_msg(n == want_words, "fts_build_query(%s): %d words, want %d", text, n, want_words);
	ck_assert_str_eq(out, want);
}

START_TEST(test_fts_words)
{
	fts_eq("dark roast", 0, 2, "\"dark\"* \"roast\"*");
	fts_eq("Dark ROAST", 0, 2, "\"dark\"* \"roast\"*");
	fts_eq("  dark\t\nroast  ", 0, 2, "\"dark\"* \"roast\"*");
	fts_eq("coffee", 0, 1, "\"coffee\"*");
	fts_eq("2 lb bag", 0, 3, "\"2\"* \"lb\"* \"bag\"*");
	fts_eq("dark roast", 1, 2, "\"dark\"* OR \"roast\"*");
	fts_eq("a b c", 1, 3, "\"a\"* OR \"b\"* OR \"c\"*");
	fts_eq("single", 1, 1, "\"single\"*");
}
END_TEST

START_TEST(test_fts_operators_and_punctuation)
{
	/* Quotes, operators, column filters, grouping, '*', '^' and '-' are not syntax. */
	fts_eq("\"dark roast\" OR (x) AND title:foo * ^ -", 0, 7,
	       "\"dark\"* \"roast\"* \"or\"* \"x\"* \"and\"* \"title\"* \"foo\"*");
	fts_eq("NEAR(a b, 3)", 0, 4, "\"near\"* \"a\"* \"b\"* \"3\"*");
	fts_eq("NOT coffee", 0, 2, "\"not\"* \"coffee\"*");
	fts_eq("coffee-beans", 0, 2, "\"coffee\"* \"beans\"*");
	fts_eq("o'brien's", 0, 3, "\"o\"* \"brien\"* \"s\"*");
	fts_eq("'; DROP TABLE products; --", 0, 3, "\"drop\"* \"table\"* \"products\"*");
	fts_eq("{col1 col2}: x", 0, 3, "\"col1\"* \"col2\"* \"x\"*");
	fts_eq("\"\"\"", 0, 0, "");
	fts_eq("!@#$%^&*()_+-=[]{};':\",./<>?\\|`~", 0, 0, "");
	fts_eq("*", 1, 0, "");
}
END_TEST

START_TEST(test_fts_empty)
{
	char out[16] = "junk";
	ck_assert_int_eq(fts_build_query("", 0, out, sizeof out), 0);
	ck_assert_str_eq(out, "");
	strcpy(out, "junk");
	ck_assert_int_eq(fts_build_query(NULL, 0, out, sizeof out), 0);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(fts_build_query("   ", 1, out, sizeof out), 0);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(fts_build_query("x", 0, out, 0), -1);
}
END_TEST

START_TEST(test_fts_unicode)
{
	/* Non-ASCII bytes count as letters and are kept as they are. */
	fts_eq("Crème brûlée", 0, 2, "\"crème\"* \"brûlée\"*");
	fts_eq("日本茶 tea", 0, 2, "\"日本茶\"* \"tea\"*");
	fts_eq("☕coffee", 0, 1, "\"☕coffee\"*");
	char out[1024];
	int n = fts_build_query("naïve café — très", 1, out, sizeof out);
	ck_assert_int_eq(n, 4); /* the em dash is non-ASCII, hence a "word" */
	ck_assert(utf8_valid(out, strlen(out)));
}
END_TEST

START_TEST(test_fts_long)
{
	char out[1024];
	/* A word longer than 64 bytes is cut to 64. */
	char word[201];
	memset(word, 'a', 200);
	word[200] = '\0';
	ck_assert_int_eq(fts_build_query(word, 0, out, sizeof out), 1);
	ck_assert_uint_eq(strlen(out), 64 + 3);
	/* ... and never in the middle of a UTF-8 character. */
	char u[200] = "a";
	for (int i = 0; i < 40; i++)
		strcat(u, "é");
	ck_assert_int_eq(fts_build_query(u, 0, out, sizeof out), 1);
	ck_assert_msg(utf8_valid(out, strlen(out)), "cut inside a character: %s", out);
	ck_assert_uint_le(strlen(out), 64 + 3);

	/* Too many words for the buffer: -1, never an overflow. */
	size_t big = 100000;
	char *text = malloc(big + 1);
	for (size_t i = 0; i < big; i++)
		text[i] = (i % 4 == 3) ? ' ' : 'x';
	text[big] = '\0';
	ck_assert_int_eq(fts_build_query(text, 0, out, sizeof out), -1);
	ck_assert_int_eq(fts_build_query(text, 1, out, sizeof out), -1);
	free(text);

	/* Exact fit: "ab"* needs 6 bytes with the NUL. */
	char small[6];
	ck_assert_int_eq(fts_build_query("ab", 0, small, sizeof small), 1);
	ck_assert_str_eq(small, "\"ab\"*");
	ck_assert_int_eq(fts_build_query("abc", 0, small, sizeof small), -1);
	char tiny[10];
	ck_assert_int_eq(fts_build_query("ab cd", 0, tiny, sizeof tiny), -1);
}
END_TEST

/* Every built query must be accepted by a real FTS5 table like the server's. */
START_TEST(test_fts_against_sqlite)
{
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db,
		"CREATE VIRTUAL TABLE t USING fts5(title, description, category, tags_text,"
		" tokenize = 'porter unicode61 remove_diacritics 2');"
		"INSERT INTO t VALUES ('Dark Roast Coffee Beans', 'Whole beans', 'Coffee', 'coffee beans');"
		"INSERT INTO t VALUES ('Crème Brûlée Cookies', 'Butter cookies', 'Bakery', 'sweet');"
		"INSERT INTO t VALUES ('Espresso Roast', 'Ground', 'Coffee', 'espresso');",
		NULL, NULL, NULL), SQLITE_OK);
	sqlite3_stmt *st;
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE t MATCH ?", -1, &st,
					    NULL), SQLITE_OK);
	static const struct { const char *q; int any; int want; } cases[] = {
		{ "dark roast", 0, 1 },     { "roast", 0, 2 },      { "bean", 0, 1 },
		{ "roasting", 0, 2 },       { "espr", 0, 1 },       { "creme brulee", 0, 1 },
		{ "cookie", 0, 1 },         { "COFFEE", 0, 2 },     { "dark espresso", 1, 2 },
		{ "dark espresso", 0, 0 },  { "title:dark", 0, 0 },
		{ "\"dark roast\" OR (x) AND title:foo * ^ -", 0, 0 },
		{ "NEAR(dark roast)", 0, 0 }, { "AND", 0, 0 },       { "OR", 1, 0 },
		{ "NOT", 0, 0 },            { "'; DROP TABLE t; --", 0, 0 },
		{ "日本", 0, 0 },            { "x\xff\xfe", 0, 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char q[1024];
		int words = fts_build_query(cases[i].q, cases[i].any, q, sizeof q);
		ck_assert_int_gt(words, 0);
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, q, -1, SQLITE_TRANSIENT);
		int rc = sqlite3_step(st);
		ck_assert_msg(rc == SQLITE_ROW, "MATCH %s (from %s): %s", q, cases[i].q, sqlite3_errmsg(db));
		ck_assert_msg(sqlite3_column_int(st, 0) == cases[i].want, "MATCH %s: %d rows, want %d", q,
			      sqlite3_column_int(st, 0), cases[i].want);
	}
	/* Random bytes: the builder's output never breaks the MATCH syntax. */
	srand(7);
	for (int i = 0; i < 2000; i++) {
		char in[64], q[1024];
		int len = rand() % 63;
		for (int k = 0; k < len; k++)
			in[k] = (char)(1 + rand() % 255);
		in[len] = '\0';
		if (fts_build_query(in, i & 1, q, sizeof q) <= 0)
			continue;
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, q, -1, SQLITE_TRANSIENT);
		ck_assert_msg(sqlite3_step(st) == SQLITE_ROW, "MATCH %s: %s", q, sqlite3_errmsg(db));
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
}
END_TEST

/* ------------------------------------------------------------------------ config */

START_TEST(test_config_sections)
{
	struct config cfg = { 0 };
	char err[200] = "";
	const char *text =
		"top = 1\n"
		"# a comment\n"
		"; another comment\n"
		"\n"
		"[server]\n"
		"  port   =   8081   \n"
		"Listen = 0.0.0.0\n"
		"[Auth]\r\n"
		"hash_cost = \"min\"\r\n"
		"quoted = 'single'\n"
		"mixed = \"not closed'\n"
		"empty =\n"
		"url = http://x/?a=b\n"
		"spaced = a # not a comment\n"
		"[ server ]\n"
		"port = 9090\n";
	ck_assert_int_eq(config_parse(&cfg, text, err, sizeof err), 0);
	ck_assert_str_eq(config_get(&cfg, "top"), "1");
	ck_assert_str_eq(config_get(&cfg, "server.listen"), "0.0.0.0");
	ck_assert_str_eq(config_get(&cfg, "SERVER.LISTEN"), "0.0.0.0");
	ck_assert_str_eq(config_get(&cfg, "auth.hash_cost"), "min");
	ck_assert_str_eq(config_get(&cfg, "auth.quoted"), "single");
	ck_assert_str_eq(config_get(&cfg, "auth.mixed"), "\"not closed'");
	ck_assert_str_eq(config_get(&cfg, "auth.empty"), "");
	ck_assert_str_eq(config_get(&cfg, "auth.url"), "http://x/?a=b");
	ck_assert_str_eq(config_get(&cfg, "auth.spaced"), "a # not a comment");
	ck_assert_str_eq(config_get(&cfg, "server.port"), "9090"); /* later entries win */
	ck_assert_ptr_null(config_get(&cfg, "port"));
	ck_assert_ptr_null(config_get(&cfg, "server.nothing"));
	ck_assert_str_eq(config_get_str(&cfg, "server.nothing", "dflt"), "dflt");
	/* Line numbers count every line, blank and comment lines too. */
	int found = 0;
	for (size_t i = 0; i < cfg.count; i++) {
		if (strcmp(cfg.entries[i].key, "server.port") == 0 && strcmp(cfg.entries[i].value, "8081") == 0) {
			ck_assert_int_eq(cfg.entries[i].line, 6);
			found++;
		}
		if (strcmp(cfg.entries[i].key, "auth.hash_cost") == 0) {
			ck_assert_int_eq(cfg.entries[i].line, 9);
			found++;
		}
	}
	ck_assert_int_eq(found, 2);
	config_free(&cfg);
	ck_assert_uint_eq(cfg.count, 0);
	ck_assert_ptr_null(config_get(&cfg, "top"));
	ck_assert_ptr_null(config_get(NULL, "top"));

	ck_assert_int_eq(config_parse(&cfg, "", err, sizeof err), 0);
	ck_assert_uint_eq(cfg.count, 0);
	ck_assert_int_eq(config_parse(&cfg, NULL, err, sizeof err), 0);
	ck_assert_uint_eq(cfg.count, 0);
	config_free(&cfg);
}
END_TEST

static void config_bad(const char *text, const char *want_err)
{
	struct config cfg = { 0 };
	char err[200] = "";
	ck_assert_int_eq(config_parse(&cfg, text, err, sizeof err), -1);
	ck_assert_msg(strstr(err, want_err) != NULL, "error '%s' lacks '%s'", err, want_err);
	ck_assert_uint_eq(cfg.count, 0); /* freed on error */
	ck_assert_ptr_null(cfg.entries);
}

START_TEST(test_config_errors)
{
	config_bad("[server\nport = 1\n", "line 1: bad section header");
	config_bad("a = 1\n\n# c\n[]\n", "line 4: bad section header");
	config_bad("[a]x\n", "line 1: bad section header");
	config_bad("a = 1\nb = 2\njust words\n", "line 3: expected key = value");
	config_bad("[s]\r\n\r\nnovalue\r\n", "line 3: expected key = value");
	config_bad("a = 1\n = 2\n", "line 2: empty key");
	char longsec[100] = "[";
	memset(longsec + 1, 's', 64);
	strcpy(longsec + 65, "]\n");
	config_bad(longsec, "line 1: bad section header");
	/* 63 characters fit. */
	struct config cfg = { 0 };
	char err[200];
	memset(longsec + 1, 's', 63);
	strcpy(longsec + 64, "]\nk = v\n");
	ck_assert_int_eq(config_parse(&cfg, longsec, err, sizeof err), 0);
	ck_assert_uint_eq(cfg.count, 1);
	config_free(&cfg);
}
END_TEST

START_TEST(test_config_ints_bools)
{
	struct config cfg = { 0 };
	char err[200] = "";
	ck_assert_int_eq(config_parse(&cfg,
		"[n]\nok = 42\nneg = -5\nalpha = 12abc\nhuge = 99999999999999999999\nhex = 0x10\n"
		"blank =\nfloat = 1.5\n"
		"[b]\nt1 = true\nt2 = YES\nt3 = on\nt4 = 1\nf1 = false\nf2 = No\nf3 = OFF\nf4 = 0\nbad = maybe\n"
		"b2 = 2\n",
		err, sizeof err), 0);
	long v = -1;
	ck_assert_int_eq(config_get_int(&cfg, "n.ok", 0, 0, 100, &v, err, sizeof err), 0);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(config_get_int(&cfg, "n.absent", 7, 0, 100, &v, err, sizeof err), 0);
	ck_assert_int_eq(v, 7);
	ck_assert_int_eq(config_get_int(&cfg, "n.neg", 0, -10, 10, &v, err, sizeof err), 0);
	ck_assert_int_eq(v, -5);
	static const char *bad[] = { "n.alpha", "n.huge", "n.hex", "n.blank", "n.float" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		ck_assert_int_eq(config_get_int(&cfg, bad[i], 0, LONG_MIN, LONG_MAX, &v, err, sizeof err), -1);
		ck_assert_msg(strstr(err, bad[i]) != NULL, "error '%s' does not name %s", err, bad[i]);
	}
	/* Out of range, both ends. */
	ck_assert_int_eq(config_get_int(&cfg, "n.ok", 0, 0, 41, &v, err, sizeof err), -1);
	ck_assert(strstr(err, "0 to 41") != NULL);
	ck_assert_int_eq(config_get_int(&cfg, "n.neg", 0, 0, 10, &v, err, sizeof err), -1);
	ck_assert_int_eq(config_get_int(&cfg, "n.ok", 0, 42, 42, &v, err, sizeof err), 0);

	int b = -1;
	static const char *yes[] = { "b.t1", "b.t2", "b.t3", "b.t4" }, *no[] = { "b.f1", "b.f2", "b.f3", "b.f4" };
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(config_get_bool(&cfg, yes[i], 0, &b), 0);
		ck_assert_int_eq(b, 1);
		ck_assert_int_eq(config_get_bool(&cfg, no[i], 1, &b), 0);
		ck_assert_int_eq(b, 0);
	}
	ck_assert_int_eq(config_get_bool(&cfg, "b.bad", 0, &b), -1);
	ck_assert_int_eq(config_get_bool(&cfg, "b.b2", 0, &b), -1);
	ck_assert_int_eq(config_get_bool(&cfg, "b.absent", 1, &b), 0);
	ck_assert_int_eq(b, 1);
	config_free(&cfg);
}
END_TEST

START_TEST(test_config_load)
{
	struct config cfg = { 0 };
	char err[512] = "";
	ck_assert_int_eq(config_load(&cfg, "/nonexistent/voxcart.conf", err, sizeof err), -1);
	ck_assert(strstr(err, "/nonexistent/voxcart.conf") != NULL);

	char path[] = "/tmp/voxcart-test-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	/* Bigger than config_load's first 4 KiB buffer. */
	FILE *f = fdopen(fd, "w");
	fprintf(f, "[server]\n");
	for (int i = 0; i < 500; i++)
		fprintf(f, "key%d = value number %d\n", i, i);
	fprintf(f, "oops no equals sign\n");
	fclose(f);
	ck_assert_int_eq(config_load(&cfg, path, err, sizeof err), -1);
	ck_assert_msg(strstr(err, path) && strstr(err, "line 502"), "error: %s", err);

	f = fopen(path, "w");
	fprintf(f, "[server]\n");
	for (int i = 0; i < 500; i++)
		fprintf(f, "key%d = value number %d\n", i, i);
	fclose(f);
	ck_assert_int_eq(config_load(&cfg, path, err, sizeof err), 0);
	ck_assert_uint_eq(cfg.count, 500);
	ck_assert_str_eq(config_get(&cfg, "server.key499"), "value number 499");
	config_free(&cfg);
	unlink(path);
}
END_TEST

/* -------------------------------------------------------------------------- utf8 */

static int valid_bytes(const char *s, size_t n) { return utf8_valid(s, n); }
#define V(lit) valid_bytes(lit, sizeof(lit) - 1)

START_TEST(test_utf8_valid_examples)
{
	ck_assert(V(""));
	ck_assert(V("plain ASCII ~\x7f"));
	ck_assert(V("\xc3\xa9"));             /* é */
	ck_assert(V("\xe2\x82\xac"));         /* € */
	ck_assert(V("\xf0\x9d\x84\x9e"));     /* 𝄞 */
	ck_assert(V("\xf4\x8f\xbf\xbf"));     /* U+10FFFF */
	ck_assert(V("\xed\x9f\xbf"));         /* U+D7FF, just below the surrogates */
	ck_assert(V("\xee\x80\x80"));         /* U+E000, just above */
	ck_assert(V("\xc2\x80"));             /* U+0080, smallest two-byte */
	ck_assert(V("\xe0\xa0\x80"));         /* U+0800 */
	ck_assert(V("\xf0\x90\x80\x80"));     /* U+10000 */
	ck_assert(V("a\0b"));                 /* NUL is valid UTF-8 (routes.c refuses it apart) */
}
END_TEST

START_TEST(test_utf8_invalid_examples)
{
	/* Overlongs. */
	ck_assert(!V("\xc0\x80"));
	ck_assert(!V("\xc0\xaf"));
	ck_assert(!V("\xc1\xbf"));
	ck_assert(!V("\xe0\x80\x80"));
	ck_assert(!V("\xe0\x9f\xbf"));
	ck_assert(!V("\xf0\x80\x80\x80"));
	ck_assert(!V("\xf0\x8f\xbf\xbf"));
	/* Surrogates. */
	ck_assert(!V("\xed\xa0\x80"));
	ck_assert(!V("\xed\xbf\xbf"));
	ck_assert(!V("\xed\xa0\xbd\xed\xb2\xa9")); /* CESU-8 pair */
	/* Past U+10FFFF and never-used lead bytes. */
	ck_assert(!V("\xf4\x90\x80\x80"));
	ck_assert(!V("\xf5\x80\x80\x80"));
	ck_assert(!V("\xf8\x88\x80\x80\x80"));
	ck_assert(!V("\xfc\x84\x80\x80\x80\x80"));
	ck_assert(!V("\xfe"));
	ck_assert(!V("\xff"));
	/* Lone continuation bytes. */
	ck_assert(!V("\x80"));
	ck_assert(!V("\xbf"));
	ck_assert(!V("a\x80z"));
	/* Truncated sequences, at the end and before other bytes. */
	ck_assert(!V("\xc3"));
	ck_assert(!V("\xe2\x82"));
	ck_assert(!V("\xf0\x9d\x84"));
	ck_assert(!V("abc\xe2"));
	ck_assert(!V("\xe2\x82" "A"));
	ck_assert(!V("\xf0\x9d\x84" "A"));
	ck_assert(!V("\xc3\xc3\xa9"));
	/* The length bounds the check. */
	ck_assert(!utf8_valid("\xc3\xa9", 1));
	ck_assert(utf8_valid("\xc3\xa9\xff", 2));
}
END_TEST

/* Reference: decode one sequence the slow way; returns its length or 0 if ill-formed. */
static int ref_decode(const unsigned char *s, size_t len)
{
	if (len == 0)
		return 0;
	unsigned c = s[0];
	int need;
	unsigned cp, min;
	if (c < 0x80)
		return 1;
	else if ((c & 0xE0) == 0xC0) { need = 1; cp = c & 0x1F; min = 0x80; }
	else if ((c & 0xF0) == 0xE0) { need = 2; cp = c & 0x0F; min = 0x800; }
	else if ((c & 0xF8) == 0xF0) { need = 3; cp = c & 0x07; min = 0x10000; }
	else
		return 0;
	if ((size_t)need >= len)
		return 0;
	for (int k = 1; k <= need; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return need + 1;
}

static int ref_valid(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		int n = ref_decode(s + i, len - i);
		if (!n)
			return 0;
		i += (size_t)n;
	}
	return 1;
}

START_TEST(test_utf8_exhaustive)
{
	unsigned char b[4];
	/* Every 1-, 2- and 3-byte string. */
	for (unsigned x = 0; x < 256; x++) {
		b[0] = (unsigned char)x;
		ck_assert_int_eq(utf8_valid((char *)b, 1), ref_valid(b, 1));
	}
	for (unsigned x = 0; x < 65536; x++) {
		b[0] = (unsigned char)(x >> 8);
		b[1] = (unsigned char)x;
		ck_assert_msg(utf8_valid((char *)b, 2) == ref_valid(b, 2), "%02x %02x", b[0], b[1]);
	}
	for (unsigned x = 0; x < (1u << 24); x++) {
		b[0] = (unsigned char)(x >> 16);
		b[1] = (unsigned char)(x >> 8);
		b[2] = (unsigned char)x;
		if (utf8_valid((char *)b, 3) != ref_valid(b, 3))
			ck_abort_msg("%02x %02x %02x", b[0], b[1], b[2]);
	}
	/* Four bytes: every lead from 0xEF up with every second byte, sampled tails. */
	static const unsigned char tails[] = { 0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0xbf, 0xc0, 0xff };
	for (unsigned l = 0xEF; l < 256; l++)
		for (unsigned s2 = 0; s2 < 256; s2++)
			for (size_t i = 0; i < sizeof tails; i++)
				for (size_t j = 0; j < sizeof tails; j++) {
					b[0] = (unsigned char)l;
					b[1] = (unsigned char)s2;
					b[2] = tails[i];
					b[3] = tails[j];
					if (utf8_valid((char *)b, 4) != ref_valid(b, 4))
						ck_abort_msg("%02x %02x %02x %02x", b[0], b[1], b[2], b[3]);
				}
}
END_TEST

START_TEST(test_utf8_length)
{
	ck_assert_uint_eq(utf8_length(""), 0);
	ck_assert_uint_eq(utf8_length("hello"), 5);
	ck_assert_uint_eq(utf8_length("h\xc3\xa9llo"), 5);
	ck_assert_uint_eq(utf8_length("\xf0\x9d\x84\x9e"), 1);
	ck_assert_uint_eq(utf8_length("\xe6\x97\xa5\xe6\x9c\xac"), 2);
}
END_TEST

/* -------------------------------------------------------------------------- auth */

static void norm_ok(const char *in, const char *want)
{
	char out[256];
	ck_assert_msg(auth_normalize_email(in, out, sizeof out) == 0, "refused %s", in);
	ck_assert_str_eq(out, want);
}

static void norm_bad(const char *in)
{
	char out[256];
	ck_assert_msg(auth_normalize_email(in, out, sizeof out) == -1, "accepted %s", in);
}

START_TEST(test_auth_normalize_email)
{
	norm_ok("Foo.Bar@Example.COM", "foo.bar@example.com");
	norm_ok("a@b", "a@b");
	norm_ok("o'brien+tag@x.io", "o'brien+tag@x.io");
	norm_ok("\xc3\x9c@x.de", "\xc3\x9c@x.de"); /* non-ASCII bytes kept as they are */
	norm_bad("");
	norm_bad("ab");
	norm_bad("no-at-sign");
	norm_bad("a@@b");
	norm_bad("a@b@c");
	norm_bad("@ab");
	norm_bad("ab@");
	norm_bad("a b@c");
	norm_bad(" a@b");
	norm_bad("a@b\n");
	norm_bad("a\t@b");
	norm_bad("a@b\x7f");
	norm_bad("a\x01@b");
	char longer[300];
	memset(longer, 'a', 255);
	longer[0] = 'x';
	longer[100] = '@';
	longer[255] = '\0';
	norm_bad(longer); /* 255 > 254 */
	longer[254] = '\0';
	norm_ok(longer, longer);
	char out[8];
	ck_assert_int_eq(auth_normalize_email("abc@def.gh", out, sizeof out), -1);
	ck_assert_int_eq(auth_normalize_email("ab@c.d", out, sizeof out), 0);
}
END_TEST

START_TEST(test_auth_tokens)
{
	char seen[200][44];
	for (int i = 0; i < 200; i++) {
		auth_token_new(seen[i]);
		ck_assert_uint_eq(strlen(seen[i]), 43); /* 256 bits, base64url, no padding */
		ck_assert_uint_eq(strspn(seen[i], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					 "0123456789-_"), 43);
		for (int j = 0; j < i; j++)
			ck_assert_str_ne(seen[i], seen[j]);
	}
	char h[65], h2[65];
	auth_token_hash("abc", h);
	ck_assert_str_eq(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	auth_token_hash("", h);
	ck_assert_str_eq(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	auth_token_hash(seen[0], h);
	auth_token_hash(seen[0], h2);
	ck_assert_str_eq(h, h2);
	ck_assert_uint_eq(strlen(h), 64);
	ck_assert_uint_eq(strspn(h, "0123456789abcdef"), 64);
	auth_token_hash(seen[1], h2);
	ck_assert_str_ne(h, h2);
}
END_TEST

START_TEST(test_auth_password)
{
	char h1[128], h2[128];
	ck_assert_int_eq(auth_password_hash("correct horse", "min", h1), 0);
	ck_assert_msg(strncmp(h1, "$argon2id$v=19$m=8,t=1,", 23) == 0, "hash %s", h1);
	ck_assert_int_eq(auth_password_hash("correct horse", "min", h2), 0);
	ck_assert_str_ne(h1, h2); /* salted */
	ck_assert_int_eq(auth_password_verify(h1, "correct horse"), 0);
	ck_assert_int_eq(auth_password_verify(h2, "correct horse"), 0);
	ck_assert_int_eq(auth_password_verify(h1, "correct horsE"), -1);
	ck_assert_int_eq(auth_password_verify(h1, "correct horse "), -1);
	ck_assert_int_eq(auth_password_verify(h1, ""), -1);
	ck_assert_int_eq(auth_password_verify("not a hash", "correct horse"), -1);
	ck_assert_int_eq(auth_password_verify("", ""), -1);
	ck_assert_int_eq(auth_password_hash("", "min", h1), 0);
	ck_assert_int_eq(auth_password_verify(h1, ""), 0);
	ck_assert_int_eq(auth_password_hash("пароль ünïcødé 🔑", "min", h1), 0);
	ck_assert_int_eq(auth_password_verify(h1, "пароль ünïcødé 🔑"), 0);
	char longpw[1025];
	memset(longpw, 'p', 1024);
	longpw[1024] = '\0';
	ck_assert_int_eq(auth_password_hash(longpw, "min", h1), 0);
	ck_assert_int_eq(auth_password_verify(h1, longpw), 0);
	longpw[1023] = 'q';
	ck_assert_int_eq(auth_password_verify(h1, longpw), -1);
}
END_TEST

/* ----------------------------------------------------------------------- outside */

/* An outside service's error may quote the API key; the reason is cut to fit (HTTP %d:
 * %.160s) and may then stop inside the key (found by fuzz_asr_answer). */
START_TEST(test_outside_scrub)
{
	static const char key[] = "sk-secret-0123456789";
	char s[200];
	snprintf(s, sizeof s, "HTTP 401: bad key %s, and %s\n", key, key);
	outside_scrub(s, key);
	ck_assert_str_eq(s, "HTTP 401: bad key ********************, and ******************** ");
	snprintf(s, sizeof s, "HTTP 401: bad key %.14s", key); /* cut inside the key */
	outside_scrub(s, key);
	ck_assert_str_eq(s, "HTTP 401: bad key **************");
	snprintf(s, sizeof s, "bad key %.4s", key);
	outside_scrub(s, key);
	ck_assert_str_eq(s, "bad key ****");
	snprintf(s, sizeof s, "bad key %.3s", key); /* too short to say anything */
	outside_scrub(s, key);
	ck_assert_str_eq(s, "bad key sk-");
	snprintf(s, sizeof s, "sk-s is not sk-secret-0 at the end");
	outside_scrub(s, key);
	ck_assert_str_eq(s, "sk-s is not sk-secret-0 at the end");
	snprintf(s, sizeof s, "no key");
	outside_scrub(s, NULL);
	ck_assert_str_eq(s, "no key");
	snprintf(s, sizeof s, "sk-");
	outside_scrub(s, "sk-");
	ck_assert_str_eq(s, "sk-");
}
END_TEST

/* --------------------------------------------------------------------- ratelimit */

START_TEST(test_ratelimit_burst_refill)
{
	struct ratelimit *rl = ratelimit_new(5, 5);
	ck_assert_ptr_nonnull(rl);
	double t = 1000.0;
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(ratelimit_take(rl, "10.0.0.1", t), 0);
	int wait = ratelimit_take(rl, "10.0.0.1", t);
	ck_assert_int_ge(wait, 1);
	ck_assert_int_eq(ratelimit_take(rl, "10.0.0.1", t + 0.1), 1); /* half a token */
	/* 0.2 s at 5/s is one token back. */
	ck_assert_int_eq(ratelimit_take(rl, "10.0.0.1", t + 0.21), 0);
	ck_assert_int_ge(ratelimit_take(rl, "10.0.0.1", t + 0.21), 1);
	/* A long idle refills to the burst, not beyond. */
	t += 1000.0;
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(ratelimit_take(rl, "10.0.0.1", t), 0);
	ck_assert_int_ge(ratelimit_take(rl, "10.0.0.1", t), 1);
	/* Another client has its own bucket. */
	ck_assert_int_eq(ratelimit_take(rl, "10.0.0.2", t), 0);
	ratelimit_free(rl);
}
END_TEST

/* http.c asks for the client's address (getpeername) only when limiting is on. */
START_TEST(test_ratelimit_on)
{
	ck_assert_int_eq(ratelimit_on(NULL), 0);
	struct ratelimit *off = ratelimit_new(0, 5), *on = ratelimit_new(5, 5);
	ck_assert_ptr_nonnull(off);
	ck_assert_ptr_nonnull(on);
	ck_assert_int_eq(ratelimit_on(off), 0);
	ck_assert_int_eq(ratelimit_on(on), 1);
	ratelimit_free(off);
	ratelimit_free(on);
}
END_TEST

/* lws allocates the protocol's rx buffer for every buddy WebSocket when it opens: at
 * 16 KiB it was most of an idle session's memory (issue 16).  Sends must not be cut
 * to that size (lws does when tx_packet_size is 0). */
START_TEST(test_buddy_ws_buffers)
{
	struct lws_protocols p = buddy_ws_protocol();
	ck_assert_uint_le(p.rx_buffer_size, 1024);
	ck_assert_uint_ge(p.tx_packet_size, 16384);
}
END_TEST

START_TEST(test_ratelimit_wait_seconds)
{
	struct ratelimit *rl = ratelimit_new(1, 1);
	ck_assert_int_eq(ratelimit_take(rl, "c", 0.0), 0);
	ck_assert_int_eq(ratelimit_take(rl, "c", 0.0), 1);
	ck_assert_int_eq(ratelimit_take(rl, "c", 0.5), 1);
	ck_assert_int_eq(ratelimit_take(rl, "c", 1.6), 0);
	ratelimit_free(rl);
	/* A slow rate asks for a longer wait. */
	rl = ratelimit_new(1, 3);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(ratelimit_take(rl, "c", 10.0), 0);
	ck_assert_int_eq(ratelimit_take(rl, "c", 10.0), 1);
	ratelimit_free(rl);
}
END_TEST

START_TEST(test_ratelimit_disabled_and_defaults)
{
	struct ratelimit *rl = ratelimit_new(0, 5);
	for (int i = 0; i < 10000; i++)
		ck_assert_int_eq(ratelimit_take(rl, "c", 1.0), 0);
	ratelimit_free(rl);
	ck_assert_int_eq(ratelimit_take(NULL, "c", 1.0), 0);
	/* burst 0 means "one second's worth". */
	rl = ratelimit_new(3, 0);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(ratelimit_take(rl, "c", 1.0), 0);
	ck_assert_int_ge(ratelimit_take(rl, "c", 1.0), 1);
	ratelimit_free(rl);
}
END_TEST

START_TEST(test_ratelimit_many_clients)
{
	/* More clients than slots: no crash, and every client still gets its burst. */
	struct ratelimit *rl = ratelimit_new(1, 2);
	char name[64];
	for (int i = 0; i < 20000; i++) {
		snprintf(name, sizeof name, "192.168.%d.%d", i / 256, i % 256);
		ck_assert_int_eq(ratelimit_take(rl, name, 5.0 + i * 1e-6), 0);
	}
	/* A busy client in a full table is still limited. */
	double t = 100.0;
	ck_assert_int_eq(ratelimit_take(rl, "busy", t), 0);
	ck_assert_int_eq(ratelimit_take(rl, "busy", t), 0);
	ck_assert_int_ge(ratelimit_take(rl, "busy", t), 1);
	ratelimit_free(rl);
}
END_TEST

START_TEST(test_ratelimit_long_client_key)
{
	/* A key longer than the bucket's name field must still find its own bucket,
	 * else it gets a fresh full bucket on every request and is never limited. */
	struct ratelimit *rl = ratelimit_new(1, 2);
	char key[101];
	memset(key, 'k', 100);
	key[100] = '\0';
	ck_assert_int_eq(ratelimit_take(rl, key, 1.0), 0);
	ck_assert_int_eq(ratelimit_take(rl, key, 1.0), 0);
	ck_assert_int_ge(ratelimit_take(rl, key, 1.0), 1);
	ratelimit_free(rl);
}
END_TEST

/* --------------------------------------------------------------------------- api */

static cJSON *resp_json(const struct api_resp *r)
{
	ck_assert_ptr_nonnull(r->body);
	ck_assert_uint_eq(r->body_len, strlen(r->body));
	cJSON *j = cJSON_Parse(r->body);
	ck_assert_ptr_nonnull(j);
	return j;
}

static void check_error(struct api_resp *r, int status, const char *code, const char *field)
{
	ck_assert_int_eq(r->status, status);
	cJSON *j = resp_json(r);
	cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
	ck_assert(cJSON_IsObject(e));
	ck_assert_str_eq(cJSON_GetObjectItem(e, "code")->valuestring, code);
	ck_assert(cJSON_IsString(cJSON_GetObjectItem(e, "message")));
	cJSON *f = cJSON_GetObjectItem(e, "field");
	if (field)
		ck_assert_str_eq(f->valuestring, field);
	else
		ck_assert_ptr_null(f);
	cJSON_Delete(j);
	free(r->body);
	memset(r, 0, sizeof *r);
}

START_TEST(test_api_responses)
{
	struct api_resp r = { 0 };
	api_error(&r, 422, "validation_failed", "title", "%s must be %d to %d", "title", 1, 200);
	ck_assert_int_eq(r.status, 422);
	ck_assert(strstr(r.body, "title must be 1 to 200") != NULL);
	check_error(&r, 422, "validation_failed", "title");
	api_error(&r, 404, "not_found", NULL, "nothing \"quoted\" \\ here");
	check_error(&r, 404, "not_found", NULL);

	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "n", 1);
	api_json(&r, 201, o);
	ck_assert_int_eq(r.status, 201);
	ck_assert_str_eq(r.body, "{\"n\":1}");
	api_empty(&r, 204); /* frees the earlier body */
	ck_assert_int_eq(r.status, 204);
	ck_assert_ptr_null(r.body);
	ck_assert_uint_eq(r.body_len, 0);

	cJSON *page = api_page_json(cJSON_CreateArray(), 42, 20, 40);
	char *s = cJSON_PrintUnformatted(page);
	ck_assert_str_eq(s, "{\"items\":[],\"total\":42,\"limit\":20,\"offset\":40}");
	free(s);
	cJSON_Delete(page);

	cJSON *v = api_parse_stored(NULL);
	ck_assert(cJSON_IsNull(v));
	cJSON_Delete(v);
	v = api_parse_stored("{not json");
	ck_assert(cJSON_IsNull(v));
	cJSON_Delete(v);
	v = api_parse_stored("[\"a\",\"b\"]");
	ck_assert(cJSON_IsArray(v) && cJSON_GetArraySize(v) == 2);
	cJSON_Delete(v);
}
END_TEST

static void set_query(struct api_req *q, const char *const *kv, int n)
{
	memset(q, 0, sizeof *q);
	for (int i = 0; i < n; i++) {
		q->query_names[i] = (char *)kv[2 * i];
		q->query_values[i] = (char *)kv[2 * i + 1];
	}
	q->query_count = n;
}

START_TEST(test_api_query)
{
	struct api_req q;
	struct api_resp r = { 0 };
	int64_t v, lim, off;
	const char *kv[] = { "limit", "5", "offset", "10", "q", "dark roast", "bad", "abc",
			     "empty", "", "tail", "5x", "huge", "99999999999999999999", "neg", "-3" };
	set_query(&q, kv, 8);
	ck_assert_str_eq(api_query(&q, "q"), "dark roast");
	ck_assert_str_eq(api_query(&q, "empty"), "");
	ck_assert_ptr_null(api_query(&q, "missing"));
	ck_assert_ptr_null(api_query(&q, "Q"));

	ck_assert_int_eq(api_query_int(&q, &r, "missing", 7, 0, 10, &v), 0);
	ck_assert_int_eq(v, 7);
	ck_assert_int_eq(api_query_int(&q, &r, "neg", 0, -5, 5, &v), 0);
	ck_assert_int_eq(v, -3);
	static const char *bad[] = { "bad", "empty", "tail", "huge" };
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(api_query_int(&q, &r, bad[i], 0, INT64_MIN, INT64_MAX, &v), -1);
		check_error(&r, 400, "bad_request", bad[i]);
	}
	ck_assert_int_eq(api_query_int(&q, &r, "neg", 0, 0, 5, &v), -1);
	check_error(&r, 400, "bad_request", "neg");
	ck_assert_int_eq(api_query_int(&q, &r, "limit", 0, 6, 10, &v), -1);
	check_error(&r, 400, "bad_request", "limit");

	ck_assert_int_eq(api_page(&q, &r, &lim, &off), 0);
	ck_assert_int_eq(lim, 5);
	ck_assert_int_eq(off, 10);
	set_query(&q, kv, 0);
	ck_assert_int_eq(api_page(&q, &r, &lim, &off), 0);
	ck_assert_int_eq(lim, 20);
	ck_assert_int_eq(off, 0);
	static const char *badpages[][2] = { { "limit", "0" }, { "limit", "101" }, { "limit", "abc" },
					     { "offset", "-1" }, { "limit", "-1" }, { "offset", "x" } };
	for (size_t i = 0; i < sizeof badpages / sizeof badpages[0]; i++) {
		set_query(&q, badpages[i], 1);
		ck_assert_int_eq(api_page(&q, &r, &lim, &off), -1);
		check_error(&r, 400, "bad_request", badpages[i][0]);
	}
	const char *edge[] = { "limit", "100", "offset", "0" };
	set_query(&q, edge, 2);
	ck_assert_int_eq(api_page(&q, &r, &lim, &off), 0);
	ck_assert_int_eq(lim, 100);
}
END_TEST

START_TEST(test_api_fields)
{
	cJSON *o = cJSON_Parse("{\"s\":\"hello\",\"u\":\"\\u00e9\\u00e9\\u00e9\",\"n\":12,\"f\":12.5,"
			       "\"whole\":12.0,\"str\":\"12\",\"t\":true,\"nul\":null,\"big\":1e308,"
			       "\"neg\":-1,\"arr\":[1],\"obj\":{}}");
	ck_assert_ptr_nonnull(o);
	struct api_resp r = { 0 };
	const char *s;
	int64_t v;
	int present = -1;

	ck_assert_int_eq(api_field_string(o, &r, "s", 1, 1, 5, &s), 0);
	ck_assert_str_eq(s, "hello");
	ck_assert_int_eq(api_field_string(o, &r, "s", 1, 1, 4, &s), -1);
	check_error(&r, 422, "validation_failed", "s");
	ck_assert_int_eq(api_field_string(o, &r, "s", 1, 6, 10, &s), -1);
	check_error(&r, 422, "validation_failed", "s");
	/* Lengths count characters, not bytes. */
	ck_assert_int_eq(api_field_string(o, &r, "u", 1, 3, 3, &s), 0);
	ck_assert_int_eq(api_field_string(o, &r, "missing", 1, 0, 5, &s), -1);
	check_error(&r, 422, "validation_failed", "missing");
	ck_assert_int_eq(api_field_string(o, &r, "missing", 0, 1, 5, &s), 0);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(api_field_string(o, &r, "nul", 0, 1, 5, &s), 0);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(api_field_string(o, &r, "nul", 1, 1, 5, &s), -1);
	check_error(&r, 422, "validation_failed", "nul");
	static const char *notstr[] = { "n", "t", "arr", "obj" };
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(api_field_string(o, &r, notstr[i], 1, 0, 100, &s), -1);
		check_error(&r, 422, "validation_failed", notstr[i]);
	}

	ck_assert_int_eq(api_field_int(o, &r, "n", 1, 0, 100, &v, &present), 0);
	ck_assert_int_eq(v, 12);
	ck_assert_int_eq(present, 1);
	ck_assert_int_eq(api_field_int(o, &r, "whole", 1, 0, 100, &v, NULL), 0);
	ck_assert_int_eq(v, 12);
	ck_assert_int_eq(api_field_int(o, &r, "n", 1, 13, 100, &v, NULL), -1);
	check_error(&r, 422, "validation_failed", "n");
	ck_assert_int_eq(api_field_int(o, &r, "n", 1, 0, 11, &v, NULL), -1);
	check_error(&r, 422, "validation_failed", "n");
	static const char *notint[] = { "f", "str", "t", "big", "neg", "arr", "obj", "s" };
	for (int i = 0; i < 8; i++) {
		ck_assert_int_eq(api_field_int(o, &r, notint[i], 1, 0, 100000000, &v, &present), -1);
		check_error(&r, 422, "validation_failed", notint[i]);
	}
	present = -1;
	ck_assert_int_eq(api_field_int(o, &r, "missing", 0, 0, 5, &v, &present), 0);
	ck_assert_int_eq(present, 0);
	ck_assert_int_eq(api_field_int(o, &r, "nul", 0, 0, 5, &v, &present), 0);
	ck_assert_int_eq(present, 0);
	ck_assert_int_eq(api_field_int(o, &r, "missing", 1, 0, 5, &v, &present), -1);
	check_error(&r, 422, "validation_failed", "missing");
	/* Non-finite numbers (not from JSON text, but from code) are refused too. */
	cJSON_AddNumberToObject(o, "inf", INFINITY);
	ck_assert_int_eq(api_field_int(o, &r, "inf", 1, INT64_MIN, INT64_MAX, &v, NULL), -1);
	check_error(&r, 422, "validation_failed", "inf");
	cJSON_Delete(o);
}
END_TEST

int main(void)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "sodium_init failed\n");
		return EXIT_FAILURE;
	}
	Suite *s = suite_create("server_basics");
	TCase *fts = tcase_create("fts");
	tcase_add_test(fts, test_fts_words);
	tcase_add_test(fts, test_fts_operators_and_punctuation);
	tcase_add_test(fts, test_fts_empty);
	tcase_add_test(fts, test_fts_unicode);
	tcase_add_test(fts, test_fts_long);
	tcase_add_test(fts, test_fts_against_sqlite);
	suite_add_tcase(s, fts);

	TCase *cfg = tcase_create("config");
	tcase_add_test(cfg, test_config_sections);
	tcase_add_test(cfg, test_config_errors);
	tcase_add_test(cfg, test_config_ints_bools);
	tcase_add_test(cfg, test_config_load);
	suite_add_tcase(s, cfg);

	TCase *utf = tcase_create("utf8");
	tcase_add_test(utf, test_utf8_valid_examples);
	tcase_add_test(utf, test_utf8_invalid_examples);
	tcase_add_test(utf, test_utf8_exhaustive);
	tcase_add_test(utf, test_utf8_length);
	tcase_set_timeout(utf, 60);
	suite_add_tcase(s, utf);

	TCase *auth = tcase_create("auth");
	tcase_add_test(auth, test_auth_normalize_email);
	tcase_add_test(auth, test_auth_tokens);
	tcase_add_test(auth, test_auth_password);
	suite_add_tcase(s, auth);

	TCase *out = tcase_create("outside");
	tcase_add_test(out, test_outside_scrub);
	suite_add_tcase(s, out);

	TCase *rl = tcase_create("ratelimit");
	tcase_add_test(rl, test_ratelimit_burst_refill);
	tcase_add_test(rl, test_ratelimit_wait_seconds);
	tcase_add_test(rl, test_ratelimit_on);
	tcase_add_test(rl, test_ratelimit_disabled_and_defaults);
	tcase_add_test(rl, test_ratelimit_many_clients);
	tcase_add_test(rl, test_ratelimit_long_client_key);
	suite_add_tcase(s, rl);

	TCase *api = tcase_create("api");
	tcase_add_test(api, test_api_responses);
	tcase_add_test(api, test_buddy_ws_buffers);
	tcase_add_test(api, test_api_query);
	tcase_add_test(api, test_api_fields);
	suite_add_tcase(s, api);

	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
