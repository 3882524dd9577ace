/*
 * price.h - amounts of money and price limits as shoppers say them.
 *
 * Amounts: "$12.99" (split by text.c into "12.99 dollars"), "12 dollars 99",
 * "twelve ninety nine", "twelve dollars and ninety nine cents", "fifty cents",
 * "5 bucks", "a dollar".  Limits: "under 50 dollars", "less than $20", "cheaper than
 * 5 bucks", "at most 30", "over 100", "at least 10", "between 10 and 30", "from 10 to
 * 30 dollars", "20 dollars or less", "around 15 dollars".  All money is integer
 * cents; nothing here uses floating point.
 */
#ifndef VOXCART_BUDDY_PRICE_H
#define VOXCART_BUDDY_PRICE_H

#include <stdint.h>

#include "buddy/text.h"

struct price_range {
	int64_t min_cents;	/* -1: no lower limit */
	int64_t max_cents;	/* -1: no upper limit */
};

/* An amount at word i.  A bare number ("20") counts only when bare_ok; with a unit
 * word ("dollars", "bucks", "cents") it always does.  Returns words used, 0 if none. */
int price_parse_amount(const struct text_words *t, int i, int end, int bare_ok, int64_t *cents);

/* A price limit starting at word i.  Fills only the limits it read (the other field
 * of r is left alone, so "over 10" and "under 30" in one sentence combine).  Limits
 * with "under"/"less than" are strict ("under 50 dollars" is at most 49.99). */
int price_parse_range(const struct text_words *t, int i, int end, struct price_range *r);

#endif
