/*
 * money.c - amounts of money in integer cents, parsed from and printed for people.
 *
 * The parser walks the text once and accumulates cents with explicit overflow checks,
 * so hostile input ("99999999999999999999", "1e9", "-0") is rejected instead of
 * wrapping.  Thousands separators are accepted only where they belong (every three
 * digits counted from the decimal point), so "1,29.00" is a typo, not 129 dollars.
 */
#include "money.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Appends one digit to *acc (an amount in whole units or cents); -1 on overflow. */
static int push_digit(int64_t *acc, int digit)
{
	if (*acc > (INT64_MAX - digit) / 10)
		return -1;
	*acc = *acc * 10 + digit;
	return 0;
}

/* Reads the integer part "1,299" or "1299" starting at *p; leaves *p after it.
 * Returns the number of digits read, or -1 on bad grouping or overflow. */
static int parse_whole(const char **p, int64_t *whole)
{
	const char *s = *p;
	int digits = 0, group = 0, grouped = 0;
	for (;; s++) {
		if (isdigit((unsigned char)*s)) {
			if (push_digit(whole, *s - '0') != 0)
				return -1;
			digits++;
			group++;
		} else if (*s == ',') {
			/* The first group has 1..3 digits, later ones exactly 3. */
			if (group == 0 || group > 3 || (grouped && group != 3))
				return -1;
			if (!isdigit((unsigned char)s[1]))
				return -1;
			grouped = 1;
			group = 0;
		} else {
			break;
		}
	}
	if (grouped && group != 3)
		return -1;
	*p = s;
	return digits;
}

int money_parse(const char *s, int64_t *cents)
{
	if (!s || !cents)
		return -1;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '$')
		s++;
	int64_t whole = 0;
	int whole_digits = parse_whole(&s, &whole);
	if (whole_digits < 0)
		return -1;
	int frac = 0, frac_digits = 0;
	if (*s == '.') {
		s++;
		while (isdigit((unsigned char)*s)) {
			if (++frac_digits > 2)
				return -1;
			frac = frac * 10 + (*s - '0');
			s++;
		}
		if (frac_digits == 0)
			return -1;
		if (frac_digits == 1)
			frac *= 10;
	}
	if (whole_digits == 0 && frac_digits == 0)
		return -1;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s != '\0')
		return -1;
	if (whole > (INT64_MAX - frac) / 100)
		return -1;
	*cents = whole * 100 + frac;
	return 0;
}

char *money_format(int64_t cents, char *buf, size_t len)
{
	if (!buf || len == 0)
		return buf;
	/* Work on the magnitude as unsigned so that INT64_MIN does not overflow. */
	uint64_t mag = cents < 0 ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
	uint64_t whole = mag / 100;
	unsigned frac = (unsigned)(mag % 100);
	char digits[24];
	int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)whole);
	char grouped[40];
	size_t g = 0;
	for (int i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			grouped[g++] = ',';
		grouped[g++] = digits[i];
	}
	grouped[g] = '\0';
	snprintf(buf, len, "%s$%s.%02u", cents < 0 ? "-" : "", grouped, frac);
	return buf;
}
