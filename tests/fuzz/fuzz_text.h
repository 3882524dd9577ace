/*
 * fuzz_text.h - for harnesses whose parser reads a C string: the input as a new
 * NUL-terminated copy (NULL when out of memory; the caller frees it).
 */
#ifndef VOXCART_FUZZ_TEXT_H
#define VOXCART_FUZZ_TEXT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (text) {
		memcpy(text, data, size);
		text[size] = '\0';
	}
	return text;
}

#endif
