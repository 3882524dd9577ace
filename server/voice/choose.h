/*
 * choose.h - picks among the recogniser's readings of an utterance the one that
 * best fits the shop: a reading that names a real product ("add the crunchy peanut
 * butter") beats one, nearly as likely acoustically, that does not ("add the
 * crunchy peanut other").
 *
 * The shop's names are the item names the language model was built from (lm.h's
 * LM_NAMES file: normalised, numbers spelled out, with their short forms).  A
 * reading's catalog cover is the number of content words (not "the", "of", numbers
 * or units: "two pounds" names nothing) in
 * its longest run of words found together in some name, counting runs of two or
 * more content words, or a whole name ("watermelon"): "coffee of" covers nothing.
 * Only the longest run counts, so a reading does not gain by repeating a name
 * ("green tea tea").
 *
 * choose_hypothesis() returns the index of the reading with the highest
 *   score + weight x cover
 * (score in the recogniser's log units) among the first and those that cover more
 * than the first (a reading never wins on score alone: the recogniser's own best
 * is first for a reason), the first on ties: with weight 0 it is always the
 * recogniser's own best.  When the first names no product at all ("check out",
 * "yes please"), it stays: measured on the tune half, such commands were turned
 * into product requests ("check out" -> "two pounds") far more often than a
 * missed name was found.
 *
 * A struct choose_names is read-only once loaded and may be shared by threads.
 */
#ifndef VOXCART_CHOOSE_H
#define VOXCART_CHOOSE_H

#include <stddef.h>
#include <stdint.h>

#include "voice/asr.h"

/* Default weight: one covered word is worth this much acoustic+LM score.  Tuned on
 * the tune half of tests/integration/test_voice_e2e.py's condition grid. */
#define CHOOSE_WEIGHT 3000

struct choose_names;

/* From n names (normalised word strings). NULL when out of memory. */
struct choose_names *choose_names_new(const char *const *names, size_t n);
/* From a file of one name a line (LM_NAMES).  NULL and err when unreadable. */
struct choose_names *choose_names_load(const char *path, char *err, size_t errlen);
void choose_names_free(struct choose_names *nm);

/* Words of text covered by the shop's names (see above). */
int choose_cover(const struct choose_names *nm, const char *text);

/* Index of the reading to use among hyps[0..n) (n >= 1); nm NULL gives 0. */
size_t choose_hypothesis(const struct asr_hyp *hyps, size_t n, const struct choose_names *nm,
			 int32_t weight);

/* What the dialogue's open question makes likely as the next utterance: after
 * "Shall I place the order?" (or cancel it, or add it) a yes or a no; after "Did
 * you mean the Sony or the Bose?" a pick ("the second one", "the first").  When the
 * recogniser's first reading is no such answer and a later one is, whose score is
 * at most margin below the first's, that one is taken (the first such, in the
 * recogniser's order); otherwise choose_hypothesis() decides.  Nothing else
 * changes: a reading that answers is never replaced by one that does not. */
enum choose_expect { CHOOSE_EXPECT_ANY, CHOOSE_EXPECT_YESNO, CHOOSE_EXPECT_PICK };
#define CHOOSE_EXPECT_MARGIN 6000

/* 1 when text (normalised words) begins as an answer of that kind. */
int choose_is_answer(enum choose_expect e, const char *text);
size_t choose_hypothesis_expect(const struct asr_hyp *hyps, size_t n,
				const struct choose_names *nm, int32_t weight,
				enum choose_expect e, int32_t margin);

#endif
