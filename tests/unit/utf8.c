/* utf8.c - the UTF-8 helpers: what is valid (no overlong forms, no
 * surrogates, nothing past U+10FFFF, no cut sequence) and the cleaning
 * that makes outside text fit for JSON. */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "utf8.h"

static void
valid(const char *s, size_t want, const char *what)
{
	is_int(utf8_valid(s, strlen(s)), want, "%s", what);
}

static void
clean(const char *s, const char *want, const char *what)
{
	char *c = utf8_clean(s);
	is_str(c, want, "%s", what);
	free(c);
}

int
main(void)
{
	valid("", 0, "empty text is valid");
	valid("plain ASCII", 11, "ASCII");
	valid("Übersicht – 5.2 ✓ 𝄞", strlen("Übersicht – 5.2 ✓ 𝄞"), "two, three and four bytes");
	valid("ab\xff", 2, "a byte that starts nothing");
	valid("ab\xc3", 2, "a cut two-byte sequence");
	valid("a\xe2\x82", 1, "a cut three-byte sequence");
	valid("\xc0\xaf", 0, "an overlong '/'");
	valid("\xe0\x80\xaf", 0, "an overlong three-byte form");
	valid("\xed\xa0\x80", 0, "a surrogate");
	valid("\xf4\x90\x80\x80", 0, "past U+10FFFF");
	valid("\xf4\x8f\xbf\xbf", 4, "U+10FFFF itself");
	valid("x\xc3\xa9\x80", 3, "a stray continuation byte");

	clean("fine ✓", "fine ✓", "clean text is copied as it is");
	clean("near '\"\\\xee\x96\xb3\xcfud7ff'", "near '\"\\\xee\x96\xb3?ud7ff'",
	      "each bad byte becomes '?', good sequences stay");
	clean("\xff\xfe", "??", "every bad byte");
	clean("\xe2\x82", "??", "a cut sequence at the end");
	return done_testing();
}
