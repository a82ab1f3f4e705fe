/* escape.c - the one escaping rule for text printed for people: control
 * characters, C1, line separators and bytes that are not UTF-8 become
 * visible escapes; the rest, backslash and non-ASCII text included, is
 * kept; in-place escaping cuts at a whole escape. */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "tap.h"

static void
check(const char *s, const char *want, const char *what)
{
	char *e = escape_dup(s);
	is_str(e, want, "%s", what);
	free(e);
}

int
main(void)
{
	check("plain ✓ Übersicht", "plain ✓ Übersicht", "text is kept");
	check("R1\nok 998 - forged", "R1\\nok 998 - forged", "a newline");
	check("a\rb\tc", "a\\rb\\tc", "CR and tab");
	check("\033[31mred\033[0m", "\\e[31mred\\e[0m", "ANSI escapes");
	check("x\001y\177", "x\\x01y\\x7F", "other C0 and DEL");
	check("n\xc2\x85l", "n\\u0085l", "C1 next line");
	check("a\xe2\x80\xa8" "b\xe2\x80\xa9", "a\\u2028b\\u2029", "line and paragraph separators");
	check("bad\xff\xc3", "bad\\xFF\\xC3", "bytes that are not UTF-8");
	check("C:\\dir", "C:\\dir", "backslash is kept");
	ok(esc(NULL) == NULL, "esc(NULL) is NULL");
	const char *same = "no change";
	ok(esc(same) == same, "text that needs nothing is not copied");
	ok(!escape_needed("fine") && escape_needed("a\nb"), "escape_needed");

	const char *a = esc("1\n"), *b = esc("2\n");
	is_str(a, "1\\n", "ring: the first result survives a second call");
	is_str(b, "2\\n", "ring: the second");

	char small[8] = "ab\ncdef";
	escape_inplace(small, sizeof(small));
	is_str(small, "ab\\ncde", "in place: escaped and cut to fit");
	char tiny[6] = "abc\033";
	escape_inplace(tiny, sizeof(tiny));
	is_str(tiny, "abc\\e", "in place: a whole escape that fits");
	char cut[5] = "ab\001c";
	escape_inplace(cut, sizeof(cut));
	is_str(cut, "ab", "in place: half an escape is left out");
	return done_testing();
}
