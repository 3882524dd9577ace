/*
 * money.h - parsing and printing amounts of money for people.
 *
 * Money is always an integer number of cents (int64_t); nothing here uses floating
 * point.  money_parse() reads what a person types ("12.99", "$1,299", "0.5") and
 * money_format() writes what a person reads ("$1,299.00", "-$1.05").  The protocol's
 * price limit (100000000 cents) is the caller's check: money_parse() accepts any amount
 * that fits in an int64_t.
 */
#ifndef VOXCART_MONEY_H
#define VOXCART_MONEY_H

#include <stddef.h>
#include <stdint.h>

/* Big enough for every int64_t amount: "-$92,233,720,368,547,758.08" plus NUL. */
#define MONEY_BUFSZ 32

/* Parses a non-negative amount into cents.  Accepted: optional surrounding blanks, an
 * optional leading "$", digits with optional thousands commas in groups of three
 * ("1,299"), and an optional "." followed by one or two digits ("0.5" is 50 cents,
 * ".5" too).  Rejected (-1, *cents untouched): empty text, signs, a third decimal,
 * misplaced commas, anything else, and amounts that overflow int64_t.  Returns 0. */
int money_parse(const char *s, int64_t *cents);

/* Writes cents as "$12.99", "-$1.05", "$1,299.00" into buf (len bytes; MONEY_BUFSZ is
 * always enough; a shorter buffer gets a truncated, still terminated, string).
 * Returns buf. */
char *money_format(int64_t cents, char *buf, size_t len);

#endif
