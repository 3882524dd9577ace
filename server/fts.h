/*
 * fts.h - turns what a user typed into a safe SQLite FTS5 query.
 *
 * User text can hold quotes, operators (AND, OR, NOT, NEAR), column filters
 * ("title:"), parentheses, '*' and '^'; passed through raw, any of them breaks the
 * query or changes its meaning.  The builder keeps only words (runs of letters and
 * digits, any non-ASCII byte counting as a letter), quotes each one, and makes it a
 * prefix match: `dark roast` -> `"dark"* "roast"*` (all words must match).
 */
#ifndef VOXCART_FTS_H
#define VOXCART_FTS_H

#include <stddef.h>

/* Writes the query into out.  Returns the number of words (0: nothing searchable,
 * out is ""), or -1 when out is too small.  `any` joins the words with OR. */
int fts_build_query(const char *text, int any, char *out, size_t outlen);

#endif
