/*
 * output.h - text for people: aligned tables and safe printing of server text.
 *
 * Everything the server sends (titles, names, descriptions) may come from another
 * user, so it is printed through these functions, which replace control characters:
 * a listing titled "\033[2J" must not clear the buyer's screen.
 */
#ifndef VOXCART_OUTPUT_H
#define VOXCART_OUTPUT_H

#include <stdio.h>

struct out_table;

/* A table with ncols columns.  Each header may start with '>' for a right-aligned
 * column (numbers, prices); the '>' is not printed.  NULL when out of memory. */
struct out_table *out_table_new(int ncols, const char *const *headers);
/* Cells of column col are cut to width display columns (with "..."); when stdout is a
 * terminal narrower than the table, the column marked flexible shrinks first. */
void out_table_limit(struct out_table *t, int col, int width, int flexible);
/* Adds a row of ncols cells (copied and cleaned; NULL prints as ""). */
void out_table_add(struct out_table *t, const char *const *cells);
/* Prints the header and the rows to f, then frees t. */
void out_table_print(struct out_table *t, FILE *f);

/* Replaces, in place, the control characters of s (C0, DEL, and C1: U+0080..U+009F)
 * with a space each, keeping '\n' when keep_newlines: for server text that is printed
 * other than by these functions (messages on stderr). */
void out_scrub(char *s, int keep_newlines);
/* Prints s with control characters replaced (newlines kept when keep_newlines). */
void out_text(FILE *f, const char *s, int keep_newlines);
/* Prints s cleaned and word-wrapped to width columns, each line starting with indent. */
void out_wrapped(FILE *f, const char *s, int width, const char *indent);
/* Display columns s takes (UTF-8 aware when the locale is). */
int out_width(const char *s);

#endif
