/*
 * csv.c - RFC 4180 reader (see csv.h for the accepted dialect).
 *
 * One pass over the input per record.  Field text is copied into one growing buffer,
 * each field NUL-terminated, and the field pointers are fixed up only once the record
 * is complete (the buffer may move while it grows).  Both buffers are reused from
 * record to record, so reading a file costs a few allocations in all.
 */
#include "csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct csv_reader {
	const char *data;
	size_t len;
	size_t pos;     /* next byte to read */
	int line;       /* line number of data[pos] */
	char *text;     /* field text of the current record, NUL-separated */
	size_t text_len, text_cap;
	size_t *starts; /* offset of each field in text */
	char **fields;  /* pointers handed to the caller */
	size_t nfields, fields_cap;
};

struct csv_reader *csv_open_mem(const char *data, size_t len)
{
	struct csv_reader *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->data = data ? data : "";
	r->len = data ? len : 0;
	r->line = 1;
	if (r->len >= 3 && memcmp(r->data, "\xEF\xBB\xBF", 3) == 0)
		r->pos = 3;
	return r;
}

void csv_close(struct csv_reader *r)
{
	if (!r)
		return;
	free(r->text);
	free(r->starts);
	free(r->fields);
	free(r);
}

static int put_char(struct csv_reader *r, char c)
{
	if (r->text_len + 1 > r->text_cap) {
		size_t cap = r->text_cap ? r->text_cap * 2 : 256;
		char *t = realloc(r->text, cap);
		if (!t)
			return -1;
		r->text = t;
		r->text_cap = cap;
	}
	r->text[r->text_len++] = c;
	return 0;
}

/* Starts a new field at the current end of the text buffer. */
static int begin_field(struct csv_reader *r)
{
	if (r->nfields + 1 > r->fields_cap) {
		size_t cap = r->fields_cap ? r->fields_cap * 2 : 16;
		size_t *s = realloc(r->starts, cap * sizeof *s);
		if (!s)
			return -1;
		r->starts = s;
		char **f = realloc(r->fields, cap * sizeof *f);
		if (!f)
			return -1;
		r->fields = f;
		r->fields_cap = cap;
	}
	r->starts[r->nfields++] = r->text_len;
	return 0;
}

/* If data[pos] starts a line end (LF, CRLF or CR), returns its length, else 0. */
static size_t line_end_at(const struct csv_reader *r, size_t pos)
{
	if (pos >= r->len)
		return 0;
	if (r->data[pos] == '\n')
		return 1;
	if (r->data[pos] == '\r')
		return (pos + 1 < r->len && r->data[pos + 1] == '\n') ? 2 : 1;
	return 0;
}

/* Moves the reader to the start of the line after the one holding pos. */
static void skip_past_line(struct csv_reader *r, size_t pos, int line)
{
	while (pos < r->len && !line_end_at(r, pos))
		pos++;
	size_t n = line_end_at(r, pos);
	r->pos = pos + n;
	r->line = line + (n ? 1 : 0);
}

enum scan { SCAN_OK, SCAN_UNTERMINATED, SCAN_AFTER_QUOTE, SCAN_NUL, SCAN_NOMEM };

/* Reads one quoted field; r->pos is just after the opening quote.  Updates r->line
 * for line ends inside the quotes. */
static enum scan scan_quoted(struct csv_reader *r)
{
	for (;;) {
		if (r->pos >= r->len)
			return SCAN_UNTERMINATED;
		char c = r->data[r->pos];
		if (c == '"') {
			if (r->pos + 1 < r->len && r->data[r->pos + 1] == '"') {
				if (put_char(r, '"') != 0)
					return SCAN_NOMEM;
				r->pos += 2;
				continue;
			}
			r->pos++;
			if (r->pos < r->len && r->data[r->pos] != ',' && !line_end_at(r, r->pos))
				return SCAN_AFTER_QUOTE;
			return SCAN_OK;
		}
		if (c == '\0')
			return SCAN_NUL;
		size_t eol = line_end_at(r, r->pos);
		if (eol) {
			/* Keep the line end as written (CRLF stays CRLF). */
			for (size_t i = 0; i < eol; i++)
				if (put_char(r, r->data[r->pos + i]) != 0)
					return SCAN_NOMEM;
			r->pos += eol;
			r->line++;
			continue;
		}
		if (put_char(r, c) != 0)
			return SCAN_NOMEM;
		r->pos++;
	}
}

/* Reads fields until the end of the record.  Leaves r->pos after the line end. */
static enum scan scan_record(struct csv_reader *r)
{
	for (;;) {
		if (begin_field(r) != 0)
			return SCAN_NOMEM;
		if (r->pos < r->len && r->data[r->pos] == '"') {
			r->pos++;
			enum scan s = scan_quoted(r);
			if (s != SCAN_OK)
				return s;
		} else {
			while (r->pos < r->len && r->data[r->pos] != ',' && !line_end_at(r, r->pos)) {
				if (r->data[r->pos] == '\0')
					return SCAN_NUL;
				if (put_char(r, r->data[r->pos]) != 0)
					return SCAN_NOMEM;
				r->pos++;
			}
		}
		if (put_char(r, '\0') != 0)
			return SCAN_NOMEM;
		if (r->pos < r->len && r->data[r->pos] == ',') {
			r->pos++;
			continue;
		}
		size_t eol = line_end_at(r, r->pos);
		r->pos += eol;
		if (eol)
			r->line++;
		return SCAN_OK;
	}
}

int csv_next(struct csv_reader *r, char ***fields, size_t *nfields, int *line, char *err,
	     size_t errlen)
{
	size_t eol;
	while ((eol = line_end_at(r, r->pos)) != 0) { /* empty lines */
		r->pos += eol;
		r->line++;
	}
	if (r->pos >= r->len)
		return 0;
	size_t start = r->pos;
	int start_line = r->line;
	*line = start_line;
	r->text_len = 0;
	r->nfields = 0;
	enum scan s = scan_record(r);
	switch (s) {
	case SCAN_OK:
		for (size_t i = 0; i < r->nfields; i++)
			r->fields[i] = r->text + r->starts[i];
		*fields = r->fields;
		*nfields = r->nfields;
		return 1;
	case SCAN_UNTERMINATED:
		snprintf(err, errlen, "unterminated quoted field");
		skip_past_line(r, start, start_line);
		return -1;
	case SCAN_AFTER_QUOTE:
		snprintf(err, errlen, "unexpected text after a closing quote on line %d", r->line);
		skip_past_line(r, r->pos, r->line);
		return -1;
	case SCAN_NUL:
		snprintf(err, errlen, "NUL byte on line %d", r->line);
		skip_past_line(r, r->pos, r->line);
		return -1;
	case SCAN_NOMEM:
		break;
	}
	snprintf(err, errlen, "out of memory");
	r->pos = r->len;
	return -1;
}
