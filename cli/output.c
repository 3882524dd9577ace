/*
 * output.c - tables and cleaned text for people (see output.h).
 *
 * Widths are display columns, not bytes: with a UTF-8 locale a title in Japanese
 * lines up like one in English.  Cells are cleaned when they are added, so width
 * measurement and printing both see the same safe text.
 */
#include "output.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

struct out_table {
	int ncols;
	char **headers;
	int *right, *limit, flex;
	char **cells; /* nrows * ncols */
	size_t nrows, cap;
};

void out_scrub(char *s, int keep_newlines)
{
	char *o = s;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\n' && keep_newlines)
			*o++ = '\n';
		else if (*p < ' ' || *p == 0x7f)
			*o++ = ' ';
		else if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) { /* U+0080..U+009F */
			*o++ = ' ';
			p++;
		} else
			*o++ = (char)*p;
	}
	*o = '\0';
}

/* A cleaned copy of s (NULL: ""). */
static char *clean(const char *s, int keep_newlines)
{
	char *out = strdup(s ? s : "");
	if (out)
		out_scrub(out, keep_newlines);
	return out;
}

/* Display width of the first len bytes of s. */
static int width_n(const char *s, size_t len)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	int w = 0;
	size_t i = 0;
	while (i < len) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s + i, len - i, &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&st, 0, sizeof st);
			w++;
			i++;
			continue;
		}
		int cw = wcwidth(wc);
		w += cw < 0 ? 1 : cw;
		i += n;
	}
	return w;
}

int out_width(const char *s) { return width_n(s, strlen(s)); }

/* Bytes of s that fit in width columns. */
static size_t fit_bytes(const char *s, int width)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	size_t i = 0, len = strlen(s);
	int w = 0;
	while (i < len) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s + i, len - i, &st);
		int cw = 1;
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&st, 0, sizeof st);
			n = 1;
		} else {
			cw = wcwidth(wc);
			if (cw < 0)
				cw = 1;
		}
		if (w + cw > width)
			break;
		w += cw;
		i += n;
	}
	return i;
}

struct out_table *out_table_new(int ncols, const char *const *headers)
{
	struct out_table *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->ncols = ncols;
	t->flex = -1;
	t->headers = calloc((size_t)ncols, sizeof *t->headers);
	t->right = calloc((size_t)ncols, sizeof *t->right);
	t->limit = calloc((size_t)ncols, sizeof *t->limit);
	if (!t->headers || !t->right || !t->limit) {
		free(t->headers);
		free(t->right);
		free(t->limit);
		free(t);
		return NULL;
	}
	for (int i = 0; i < ncols; i++) {
		const char *h = headers[i];
		if (*h == '>') {
			t->right[i] = 1;
			h++;
		}
		t->headers[i] = clean(h, 0);
	}
	return t;
}

void out_table_limit(struct out_table *t, int col, int width, int flexible)
{
	if (!t || col < 0 || col >= t->ncols)
		return;
	t->limit[col] = width;
	if (flexible)
		t->flex = col;
}

void out_table_add(struct out_table *t, const char *const *cells)
{
	if (!t)
		return;
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **c = realloc(t->cells, cap * (size_t)t->ncols * sizeof *c);
		if (!c)
			return;
		t->cells = c;
		t->cap = cap;
	}
	char **row = t->cells + t->nrows * (size_t)t->ncols;
	for (int i = 0; i < t->ncols; i++)
		row[i] = clean(cells[i], 0);
	t->nrows++;
}

static void print_cell(FILE *f, const char *s, int width, int right, int last)
{
	int w = out_width(s);
	const char *dots = "...";
	if (w > width) {
		size_t keep = fit_bytes(s, width > 3 ? width - 3 : 0);
		fprintf(f, "%.*s%s", (int)keep, s, width > 3 ? dots : "");
		w = width_n(s, keep) + (width > 3 ? 3 : 0);
		for (; w < width && !last; w++)
			fputc(' ', f);
		return;
	}
	if (right)
		for (int i = w; i < width; i++)
			fputc(' ', f);
	fputs(s, f);
	if (!right && !last)
		for (int i = w; i < width; i++)
			fputc(' ', f);
}

static int terminal_columns(FILE *f)
{
	struct winsize ws;
	if (isatty(fileno(f)) && ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 0;
}

void out_table_print(struct out_table *t, FILE *f)
{
	if (!t)
		return;
	int *w = calloc((size_t)t->ncols, sizeof *w);
	if (w) {
		int total = 0;
		for (int c = 0; c < t->ncols; c++) {
			w[c] = out_width(t->headers[c] ? t->headers[c] : "");
			for (size_t r = 0; r < t->nrows; r++) {
				const char *s = t->cells[r * (size_t)t->ncols + c];
				int cw = s ? out_width(s) : 0;
				if (cw > w[c])
					w[c] = cw;
			}
			if (t->limit[c] > 0 && w[c] > t->limit[c])
				w[c] = t->limit[c];
			total += w[c] + (c ? 2 : 0);
		}
		int cols = terminal_columns(f);
		if (cols > 0 && total > cols && t->flex >= 0) {
			int shrink = total - cols;
			w[t->flex] = w[t->flex] - shrink < 10 ? 10 : w[t->flex] - shrink;
		}
		for (int c = 0; c < t->ncols; c++) {
			if (c)
				fputs("  ", f);
			print_cell(f, t->headers[c] ? t->headers[c] : "", w[c], t->right[c],
				   c == t->ncols - 1);
		}
		fputc('\n', f);
		for (size_t r = 0; r < t->nrows; r++) {
			char **row = t->cells + r * (size_t)t->ncols;
			int last = t->ncols - 1; /* no trailing blanks for empty last cells */
			while (last > 0 && (!row[last] || !*row[last]) && !t->right[last])
				last--;
			for (int c = 0; c <= last; c++) {
				if (c)
					fputs("  ", f);
				print_cell(f, row[c] ? row[c] : "", w[c], t->right[c], c == last);
			}
			fputc('\n', f);
		}
	}
	free(w);
	for (size_t i = 0; i < t->nrows * (size_t)t->ncols; i++)
		free(t->cells[i]);
	for (int c = 0; c < t->ncols; c++)
		free(t->headers[c]);
	free(t->cells);
	free(t->headers);
	free(t->right);
	free(t->limit);
	free(t);
}

void out_text(FILE *f, const char *s, int keep_newlines)
{
	char *c = clean(s, keep_newlines);
	if (c)
		fputs(c, f);
	free(c);
}

void out_wrapped(FILE *f, const char *s, int width, const char *indent)
{
	char *c = clean(s, 1);
	if (!c)
		return;
	char *line = c;
	while (line) {
		char *next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		int col = 0;
		fputs(indent, f);
		for (char *word = strtok(line, " "); word; word = strtok(NULL, " ")) {
			int ww = out_width(word);
			if (col > 0 && col + 1 + ww > width) {
				fputc('\n', f);
				fputs(indent, f);
				col = 0;
			}
			if (col > 0) {
				fputc(' ', f);
				col++;
			}
			fputs(word, f);
			col += ww;
		}
		fputc('\n', f);
		line = next;
	}
	free(c);
}
