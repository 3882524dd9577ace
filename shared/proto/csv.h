/*
 * csv.h - an RFC 4180 CSV reader over a buffer in memory.
 *
 * Fields may be quoted; inside quotes "" is one quote and commas, CR and LF are data.
 * Records end at LF, CRLF or a lone CR.  A UTF-8 byte order mark at the very start is
 * skipped.  Empty lines (no bytes at all between two line ends) are skipped rather
 * than read as a record with one empty field.  Unquoted fields are taken as they are
 * (blanks kept; a stray quote in the middle of one is data).
 *
 * A malformed record is reported and skipped, so one bad row does not hide the good
 * ones after it:
 *   - an unterminated quote: reading resumes on the line after the record's first line;
 *   - text after a closing quote, or a NUL byte: reading resumes after that line.
 */
#ifndef VOXCART_CSV_H
#define VOXCART_CSV_H

#include <stddef.h>

struct csv_reader;

/* Starts reading data[0..len).  data must outlive the reader.  NULL when out of memory. */
struct csv_reader *csv_open_mem(const char *data, size_t len);

/* Next record: returns 1 and sets *fields (NUL-terminated strings) and *nfields, valid
 * until the next call or csv_close(); 0 at the end; -1 on a malformed record (err
 * filled with the reason; the reader has moved on, so call again).  *line is the
 * 1-based line number where the record starts (set for 1 and -1).  Out of memory is
 * reported as -1 with err "out of memory", after which the reader is at its end. */
int csv_next(struct csv_reader *r, char ***fields, size_t *nfields, int *line, char *err,
	     size_t errlen);

void csv_close(struct csv_reader *r);

#endif
