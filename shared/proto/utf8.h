/*
 * utf8.h - UTF-8 validation and length helpers (no allocation).
 */
#ifndef VOXCART_UTF8_H
#define VOXCART_UTF8_H

#include <stddef.h>

/* 1 when s[0..len) is well-formed UTF-8 (no overlongs, surrogates or values past
 * U+10FFFF), else 0. */
int utf8_valid(const char *s, size_t len);
/* Number of code points in a valid UTF-8 string. */
size_t utf8_length(const char *s);

#endif
