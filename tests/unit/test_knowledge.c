/*
 * test_knowledge.c - the buddy's WordNet knowledge (server/buddy/knowledge.c) on the
 * WordNet files that `make deps` installs (wordnet-base), and without them: missing
 * or garbage files give "unknown" answers, never a crash.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buddy/knowledge.h"

static int has(const struct know_hit *h, int n, const char *words, enum know_rel rel)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(h[i].words, words) && (!rel || h[i].rel == rel))
			return 1;
	return 0;
}

static int related(const char *const *vocab, size_t nv, const char *phrase, unsigned rels,
		   struct know_hit *h, int max)
{
	struct know_vocab kv;
	know_vocab_init(&kv, vocab, nv);
	return know_related(phrase, rels, know_vocab_has, &kv, h, max);
}

START_TEST(same_thing_by_another_name)
{
	static const char *const vocab[] = { "chips", "cookies", "potato", "salt", "zucchini" };
	struct know_hit h[16];
	ck_assert(know_available());
	int n = related(vocab, 5, "crisps", KNOW_SAME, h, 16);
	ck_assert(has(h, n, "chip", KNOW_SAME));
	ck_assert(has(h, n, "potato chip", KNOW_SAME));
	for (int i = 0; i < n; i++)
		ck_assert(h[i].weight > 0 && h[i].weight < 1);	/* below a direct match */
	n = related(vocab, 5, "courgette", KNOW_SAME, h, 16);
	ck_assert(has(h, n, "zucchini", KNOW_SAME));
	n = related(vocab, 5, "biscuits", KNOW_SAME, h, 16);
	ck_assert(has(h, n, "cookie", KNOW_SAME));
	/* nothing the catalog lacks comes back */
	n = related(vocab, 5, "courgette", KNOW_SAME | KNOW_NARROWER | KNOW_BROADER, h, 16);
	for (int i = 0; i < n; i++)
		ck_assert(strstr("chips cookies potato salt zucchini", h[i].words) != NULL);
}
END_TEST

START_TEST(kinds_and_broader_kinds)
{
	static const char *const vocab[] = { "apples", "fruit", "hoodie", "pullover", "sweatshirt" };
	struct know_hit h[16];
	/* "jumper" the sweater (not the person): a pullover is a kind of it */
	int n = related(vocab, 5, "jumper", KNOW_SAME | KNOW_NARROWER, h, 16);
	ck_assert(n > 0);
	ck_assert_str_eq(h[0].words, "pullover");
	ck_assert_int_eq(h[0].rel, KNOW_NARROWER);
	n = related(vocab, 5, "mango", KNOW_SAME | KNOW_NARROWER, h, 16);
	ck_assert_int_eq(n, 0);	/* a mango is no apple */
	n = related(vocab, 5, "mangoes", KNOW_BROADER, h, 16);
	ck_assert(n > 0);
	ck_assert_str_eq(h[0].words, "fruit");
	ck_assert_int_eq(h[0].rel, KNOW_BROADER);
}
END_TEST

START_TEST(adjectives_only_when_asked)
{
	static const char *const vocab[] = { "bread", "wheat", "whole" };
	struct know_hit h[8];
	int n = related(vocab, 3, "wholemeal", KNOW_SAME, h, 8);
	ck_assert_int_eq(n, 0);
	n = related(vocab, 3, "wholemeal", KNOW_SAME | KNOW_ADJ, h, 8);
	ck_assert(has(h, n, "whole wheat", KNOW_SAME));
}
END_TEST

START_TEST(word_kinds)
{
	ck_assert_int_eq(know_kind("beef"), KNOW_THING);
	ck_assert_int_eq(know_kind("skewers"), KNOW_THING);
	ck_assert_int_eq(know_kind("towels"), KNOW_THING);
	ck_assert_int_eq(know_kind("everywhere"), KNOW_OTHER);	/* an adverb */
	ck_assert_int_eq(know_kind("keeps"), KNOW_OTHER);	/* mostly a verb */
	ck_assert_int_eq(know_kind("flat"), KNOW_OTHER);	/* mostly an adjective */
	ck_assert_int_eq(know_kind("allergy"), KNOW_OTHER);	/* an abstract noun */
	ck_assert_int_eq(know_kind("xqzvb"), KNOW_UNKNOWN);
	ck_assert_int_eq(know_kind(""), KNOW_UNKNOWN);
	ck_assert_int_eq(know_kind("caf\xc3\xa9"), KNOW_UNKNOWN);	/* no plain word */
	ck_assert_int_eq(know_kind(NULL), KNOW_UNKNOWN);
}
END_TEST

START_TEST(query_words_for_the_engine)
{
	/* sorted, as vocab.c builds it; the same answers unsorted */
	static const char *const sorted[] = { "chips", "crew", "neck", "oil", "olive", "potato",
					      "pullover", "virgin" };
	static const char *const unsorted[] = { "virgin", "pullover", "potato", "olive", "oil",
						"neck", "crew", "chips" };
	const char *const *lists[] = { sorted, unsorted };
	for (int l = 0; l < 2; l++) {
		char out[4][32];
		int n = know_query_words(lists[l], 8, NULL, "crisps", 1, out, 4);
		ck_assert_int_ge(n, 1);
		ck_assert_str_eq(out[n - 1], "chip");	/* the head word last */
		n = know_query_words(lists[l], 8, "a", "jumper", 1, out, 4);
		ck_assert_int_eq(n, 1);
		ck_assert_str_eq(out[0], "pullover");
		/* "the new ones" name no extra virgin olive oil; "she drinks" no drink */
		ck_assert_int_eq(know_query_words(lists[l], 8, "the", "new", 1, out, 4), 0);
		ck_assert_int_eq(know_query_words(lists[l], 8, "she", "drinks", 1, out, 4), 0);
		ck_assert_int_eq(know_query_words(lists[l], 8, NULL, "everywhere", 1, out, 4), 0);
		ck_assert_int_eq(know_query_words(lists[l], 8, NULL, "", 1, out, 4), 0);
	}
}
END_TEST

START_TEST(broader_words_for_alternatives)
{
	static const char *const vocab[] = { "apples", "fruit", "vegetables" };
	char out[4][32];
	int n = know_broader_words(vocab, 3, "papaya", out, 4);
	ck_assert_int_ge(n, 1);
	ck_assert_str_eq(out[0], "fruit");
	n = know_broader_words(vocab, 3, "aubergine", out, 4);
	ck_assert_int_ge(n, 1);
	ck_assert_str_eq(out[0], "vegetable");	/* WordNet's form: the engine stems */
}
END_TEST

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(missing_or_broken_wordnet)
{
	static const char *const vocab[] = { "chips" };
	struct know_hit h[4];
	char out[4][32];
	know_set_dir("/nonexistent/wordnet");
	ck_assert(!know_available());
	ck_assert_int_eq(related(vocab, 1, "crisps", KNOW_SAME, h, 4), 0);
	ck_assert_int_eq(know_kind("beef"), KNOW_UNKNOWN);
	ck_assert_int_eq(know_query_words(vocab, 1, NULL, "crisps", 1, out, 4), 0);

	/* every file there, holding garbage: answers, no crash */
	char dir[] = "/tmp/voxcart-wn-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	static const char *const names[] = { "index.noun", "data.noun", "index.adj", "data.adj",
					     "index.verb", "index.adv", "noun.exc", "verb.exc",
					     "adj.exc", "cntlist.rev" };
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		write_file(dir, names[i], i == 0 ? "crisp n 9 0 0 0 12 99999999 -5 abc\nzz\n" :
				 i == 1 ? "00000000 06 n zz\n12 06" : "\n\n  x\ncrisp%1 2\n");
	know_set_dir(dir);
	ck_assert(know_available());
	related(vocab, 1, "crisps", KNOW_SAME | KNOW_NARROWER | KNOW_BROADER | KNOW_ADJ, h, 4);
	know_kind("crisp");
	know_kind("zz");
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char path[512];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);

	know_set_dir(NULL);	/* back to the installed files */
	ck_assert(know_available());
	ck_assert_int_eq(related(vocab, 1, "crisps", KNOW_SAME, h, 4), 1);
}
END_TEST

static Suite *knowledge_suite(void)
{
	Suite *s = suite_create("knowledge");
	TCase *tc = tcase_create("wordnet");
	tcase_add_test(tc, same_thing_by_another_name);
	tcase_add_test(tc, kinds_and_broader_kinds);
	tcase_add_test(tc, adjectives_only_when_asked);
	tcase_add_test(tc, word_kinds);
	tcase_add_test(tc, query_words_for_the_engine);
	tcase_add_test(tc, broader_words_for_alternatives);
	tcase_add_test(tc, missing_or_broken_wordnet);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(knowledge_suite());
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
