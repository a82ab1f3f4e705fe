/* utf8.h - what is valid UTF-8, and outside text made fit for JSON. */
#ifndef ISMS_UTF8_H
#define ISMS_UTF8_H

#include <stddef.h>

/* The length of the UTF-8 sequence at s (n > 0 bytes left), or 0 when it
 * is not a valid one. */
size_t utf8_seq(const unsigned char *s, size_t n);
/* The length of the longest prefix of s[0..n) that is valid UTF-8 (no
 * overlong forms, no surrogates, nothing past U+10FFFF): n when all is. */
size_t utf8_valid(const char *s, size_t n);
/* A copy of s with every byte that is not part of valid UTF-8 replaced by
 * '?': text from outside (a parser's error context, a file name) made
 * fit for JSON, whose encoder refuses invalid UTF-8. The caller's to free. */
char *utf8_clean(const char *s);

#endif
