/* utf8.c - what is valid UTF-8, and outside text made fit for JSON. */
#include "utf8.h"

#include <string.h>

#include "alloc.h"

size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t k;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		k = 1;
	else if (c >= 0xE0 && c <= 0xEF)
		k = 2;
	else if (c >= 0xF0 && c <= 0xF4)
		k = 3;
	else
		return 0;
	if (n <= k)
		return 0;
	for (size_t j = 1; j <= k; j++)
		if ((s[j] & 0xC0) != 0x80)
			return 0;
	/* overlong three- and four-byte forms, surrogates, past U+10FFFF */
	if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0) ||
	    (c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90))
		return 0;
	return k + 1;
}

size_t
utf8_valid(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k;
	while (i < n && (k = utf8_seq(u + i, n - i)) > 0)
		i += k;
	return i;
}

char *
utf8_clean(const char *s)
{
	size_t n = strlen(s), i = 0;
	char *out = xstrdup(s);
	while (i < n) {
		size_t k = utf8_seq((const unsigned char *)out + i, n - i);
		if (k == 0) {
			out[i] = '?';
			k = 1;
		}
		i += k;
	}
	return out;
}
