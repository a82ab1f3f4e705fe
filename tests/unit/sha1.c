/* sha1.c - SHA-1 against the FIPS 180-4 examples, fed whole and in pieces. */
#include <string.h>

#include "sha1.h"
#include "tap.h"

static void
digest(const char *s, size_t step, const char *want, const char *what)
{
	struct sha1 h;
	char hex[41];
	size_t n = strlen(s);
	sha1_init(&h);
	for (size_t i = 0; i < n; i += step)
		sha1_update(&h, s + i, n - i < step ? n - i : step);
	sha1_final_hex(&h, hex);
	is_str(hex, want, "%s", what);
}

int
main(void)
{
	digest("", 1, "da39a3ee5e6b4b0d3255bfef95601890afd80709", "empty input");
	digest("abc", 3, "a9993e364706816aba3e25717850c26c9cd0d89d", "abc");
	digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
	       "84983e441c3bd26ebaae4aa1f95129e5e54670f1", "two blocks, whole");
	digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 7,
	       "84983e441c3bd26ebaae4aa1f95129e5e54670f1", "two blocks, in pieces of 7");
	char big[1001];
	memset(big, 'a', 1000);
	big[1000] = '\0';
	digest(big, 64, "291e9a6c66994949b57ba5e650361e98fc36b1ba", "1000 times a");
	struct sha1 a, b;
	char x[41], y[41];
	sha1_init(&a);
	sha1_str(&a, "ab");
	sha1_str(&a, "c");
	sha1_final_hex(&a, x);
	sha1_init(&b);
	sha1_str(&b, "a");
	sha1_str(&b, "bc");
	sha1_final_hex(&b, y);
	ok(strcmp(x, y) != 0, "sha1_str keeps the boundary between strings");
	return done_testing();
}
