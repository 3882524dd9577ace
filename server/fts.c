/*
 * fts.c - FTS5 query building from user text (see fts.h).
 */
#include "fts.h"

#include <ctype.h>
#include <string.h>

static int is_word_byte(unsigned char c)
{
	return c >= 0x80 || isalnum(c);
}

int fts_build_query(const char *text, int any, char *out, size_t outlen)
{
	size_t n = 0;
	int words = 0;
	if (outlen == 0)
		return -1;
	out[0] = '\0';
	const unsigned char *p = (const unsigned char *)(text ? text : "");
	while (*p) {
		while (*p && !is_word_byte(*p))
			p++;
		const unsigned char *start = p;
		while (*p && is_word_byte(*p))
			p++;
		size_t len = (size_t)(p - start);
		if (len == 0)
			continue;
		if (len > 64)
			len = 64;
		while (len > 61 && (start[len] & 0xC0) == 0x80) /* not inside a UTF-8 character */
			len--;
		/* separator + quote + word + quote + star + NUL */
		size_t need = (words ? (any ? 4 : 1) : 0) + len + 4;
		if (n + need > outlen)
			return -1;
		if (words) {
			memcpy(out + n, any ? " OR " : " ", any ? 4 : 1);
			n += any ? 4 : 1;
		}
		out[n++] = '"';
		for (size_t i = 0; i < len; i++)
			out[n++] = (char)tolower(start[i]);
		out[n++] = '"';
		out[n++] = '*';
		out[n] = '\0';
		words++;
	}
	return words;
}
