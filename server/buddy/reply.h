/*
 * reply.h - short, speakable answers, streamed a sentence at a time.
 *
 * Every sentence goes out through the output's delta callback as soon as it is
 * written, ending in ". ", "? " or "! ", so speech can start at once.  Prices are
 * words a voice can say ("twelve dollars ninety nine"), counts are words ("two"),
 * and titles lose the brackets and symbols a speech synthesiser stumbles on.
 */
#ifndef VOXCART_BUDDY_REPLY_H
#define VOXCART_BUDDY_REPLY_H

#include <cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "buddy/buddy.h"

#define REPLY_MAX 4096

struct reply {
	const struct buddy_output *out;
	char text[REPLY_MAX];	/* the whole reply so far */
	size_t len;
	int sentences;
	int frustrated;		/* answer shorter and gentler */
	int apologised;
};

void reply_init(struct reply *r, const struct buddy_output *out, int frustrated);

/* Writes one sentence (printf format), capitalised, with ". " added when it has no
 * end mark, and sends it as a delta. */
void reply_say(struct reply *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "Sorry about that." once per turn, when the shopper is frustrated. */
void reply_apologise(struct reply *r);

/* 1299 -> "twelve dollars ninety nine"; 5 -> "five cents"; 100 -> "one dollar".
 * currency "USD" (or NULL), "EUR", "GBP"; others are read as dollars. */
void reply_money(int64_t cents, const char *currency, char *out, size_t len);

/* A product's or cart line's "title", speakable ("Bananas (bunch)" -> "Bananas bunch"). */
void reply_title(const cJSON *obj, char *out, size_t len);

/* A count in words: 2 -> "two"; above 999999999 in digits. */
void reply_count(long n, char *out, size_t len);

/* Joins parts as speech lists them: "A", "A and B", "A, B and C" (or "or"). */
void reply_list(const char *const *parts, int n, const char *conj, char *out, size_t len);

/* A product's price in words, from "price_cents"/"unit_price_cents" and "currency". */
void reply_price_of(const cJSON *obj, char *out, size_t len);

#endif
