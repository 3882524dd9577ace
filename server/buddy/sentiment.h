/*
 * sentiment.h - how the shopper feels, from the words of one utterance.
 *
 * senti_score() is lexicon based: each known word has a valence (-3..3); "not",
 * "never", "no" flip the next few words; intensifiers ("really", "so") raise and
 * softeners ("a bit") lower the next word; the sum is squashed into -1..1.
 * senti_cues() counts signs of frustration in the text itself ("this is useless",
 * "i said", "are you listening", "NO!"); the dialogue adds what only it can see
 * (repeated corrections, the same request twice).
 */
#ifndef VOXCART_BUDDY_SENTIMENT_H
#define VOXCART_BUDDY_SENTIMENT_H

/* Sentiment of raw text (any bytes, may be NULL) in -1..1; 0 is neutral. */
double senti_score(const char *text);

/* 1 when w carries feeling ("useless", "great"), 2 for words that only frame it
 * ("this", "is", "so"), 0 otherwise: a clause of such words is a comment, not a request. */
int senti_is_emotive(const char *w);

/* Number of frustration cues in raw text (any bytes, may be NULL). */
int senti_cues(const char *text);

/* 1 when an utterance with this score and these cues, after `recent_corrections`
 * corrections in the last turns, should be answered as frustrated. */
int senti_frustrated(double score, int cues, int recent_corrections);

#endif
