/* pathglob.c - tests for path patterns: a table of cases, a comparison with
 * a slow recursive matcher on random small inputs, and hostile patterns on
 * long paths that must finish. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pathglob.h"
#include "tap.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct tcase {
	const char *pat, *path;
	int want;
};

static const struct tcase cases[] = {
	/* literals and '*' within a segment */
	{ "isms.yaml", "isms.yaml", 1 },
	{ "isms.yaml", "isms.yml", 0 },
	{ "isms.yaml", "sub/isms.yaml", 0 },
	{ "*.yaml", "risk.yaml", 1 },
	{ "*.yaml", "risk/register.yaml", 0 },
	{ "*", "", 1 },
	{ "*", "a/b", 0 },
	{ "risk/*", "risk/register.yaml", 1 },
	{ "risk/*", "risk/x/register.yaml", 0 },
	{ "risk/*.yaml", "risk/.yaml", 1 },
	{ "a*b*c", "abc", 1 },
	{ "a*b*c", "axxbyyc", 1 },
	{ "a*b*c", "axxbyy", 0 },
	{ "a*", "a", 1 },
	{ "*a", "ba/a", 0 },
	/* '?' */
	{ "?.md", "a.md", 1 },
	{ "?.md", ".md", 0 },
	{ "?.md", "ab.md", 0 },
	{ "a?b", "a/b", 0 },
	{ "policies/?bersicht.md",
	  "policies/\xc3\x9c"
	  "bersicht.md",
	  1 },
	{ "??.md", "\xc3\x9c.md", 0 },
	/* classes */
	{ "[abc].md", "b.md", 1 },
	{ "[abc].md", "d.md", 0 },
	{ "v[0-9].yaml", "v7.yaml", 1 },
	{ "v[0-9].yaml", "vx.yaml", 0 },
	{ "[!a-c]x", "dx", 1 },
	{ "[!a-c]x", "bx", 0 },
	{ "[^a-c]x", "bx", 0 },
	{ "[]]", "]", 1 },
	{ "[!]]", "]", 0 },
	{ "[!]]", "a", 1 },
	{ "[a-]", "-", 1 },
	{ "[-a]", "-", 1 },
	{ "[z-a]", "m", 0 },
	{ "[\\]]", "]", 1 },
	{ "[\xc3\xa4\xc3\xb6]", "\xc3\xb6", 1 },
	{ "[a", "[a", 1 },
	{ "[a", "a", 0 },
	{ "[a/b]", "[a/b]", 1 },
	{ "[!a]", "/", 0 },
	/* escapes */
	{ "\\*.md", "*.md", 1 },
	{ "\\*.md", "a.md", 0 },
	{ "a\\?", "a?", 1 },
	{ "a\\?", "ab", 0 },
	{ "a\\[b]", "a[b]", 1 },
	{ "a\\", "a\\", 1 },
	{ "a\\/b", "a/b", 0 },
	/* '**' */
	{ "risk/**/*.yaml", "risk/a.yaml", 1 },
	{ "risk/**/*.yaml", "risk/x/y/a.yaml", 1 },
	{ "risk/**/*.yaml", "risk/x/y/a.yml", 0 },
	{ "risk/**/*.yaml", "other/risk/a.yaml", 0 },
	{ "**/README.md", "README.md", 1 },
	{ "**/README.md", "a/b/c/README.md", 1 },
	{ "**/README.md", "a/b/c/README.mdx", 0 },
	{ "**", "", 1 },
	{ "**", "a/b/c", 1 },
	{ "a/**", "a", 1 },
	{ "a/**", "a/b/c", 1 },
	{ "a/**", "b/c", 0 },
	{ "a/**/b/**/c", "a/b/c", 1 },
	{ "a/**/b/**/c", "a/x/b/y/z/c", 1 },
	{ "a/**/b/**/c", "a/x/c/y/b", 0 },
	{ "**/**/x", "x", 1 },
	{ "a**b", "axyb", 1 },
	{ "a**b", "ax/yb", 0 },
	{ "\\**", "*x", 1 },
	{ "\\*\\*/a", "b/a", 0 },
	{ "\\*\\*/a", "**/a", 1 },
	/* empty and odd shapes */
	{ "", "", 1 },
	{ "", "a", 0 },
	{ "a/", "a/", 1 },
	{ "a/", "a", 0 },
	{ "a//b", "a//b", 1 },
	{ "/etc/passwd", "/etc/passwd", 1 },
	{ "*/x", "/x", 1 },
};

/* Reference: match one segment character by character with plain recursion
 * (ASCII only; classes limited to the forms the generator produces). */
static int
refseg(const char *p, const char *pe, const char *s, const char *se)
{
	if (p == pe)
		return s == se;
	if (*p == '*')
		return refseg(p + 1, pe, s, se) || (s < se && refseg(p, pe, s + 1, se));
	if (s == se)
		return 0;
	if (*p == '?')
		return refseg(p + 1, pe, s + 1, se);
	if (*p == '[') { /* "[ab]" or "[!a]" */
		int hit = p[1] == '!' ? *s != 'a' : (*s == 'a' || *s == 'b');
		return hit && refseg(p + 4, pe, s + 1, se);
	}
	return *p == *s && refseg(p + 1, pe, s + 1, se);
}

/* Reference: match segment lists, '**' by trying every split. */
static int
refwalk(const char *p, const char *s)
{
	const char *pe = p ? p + strcspn(p, "/") : NULL;
	const char *se = s ? s + strcspn(s, "/") : NULL;
	const char *pn = pe && *pe ? pe + 1 : NULL;
	const char *sn = se && *se ? se + 1 : NULL;

	if (p == NULL)
		return s == NULL;
	if (pe - p == 2 && p[0] == '*' && p[1] == '*')
		return refwalk(pn, s) || (s != NULL && refwalk(p, sn));
	if (s == NULL)
		return 0;
	return refseg(p, pe, s, se) && refwalk(pn, sn);
}

/* Build a random pattern from small pieces (empty segments included). */
static void
randpat(char *out, size_t cap, unsigned *seed)
{
	static const char *pieces[] = { "a", "b", "*", "?", "[ab]", "[!a]", "/", "/**/", "**" };
	size_t n = 0, k = 1 + (size_t)(rand_r(seed) % 6);
	out[0] = '\0';
	for (size_t i = 0; i < k; i++) {
		const char *pc = pieces[rand_r(seed) % NELEM(pieces)];
		if (n + strlen(pc) + 1 >= cap)
			break;
		strcpy(out + n, pc);
		n += strlen(pc);
	}
}

/* Build a random path of 'a', 'b' and '/'. */
static void
randpath(char *out, size_t cap, unsigned *seed)
{
	static const char alpha[] = "aab/";
	size_t k = (size_t)(rand_r(seed) % 9);
	if (k >= cap)
		k = cap - 1;
	for (size_t i = 0; i < k; i++)
		out[i] = alpha[rand_r(seed) % 4];
	out[k] = '\0';
}

/* Compare with the reference on random small patterns and paths. */
static void
compare_random(void)
{
	unsigned seed = 20240501;
	char pat[64], path[16];
	int bad = 0, hits = 0;

	for (int i = 0; i < 200000 && bad < 5; i++) {
		randpat(pat, sizeof(pat), &seed);
		randpath(path, sizeof(path), &seed);
		int got = pathglob_match(pat, path);
		int want = refwalk(pat, path);
		hits += want;
		if (got != want) {
			bad++;
			printf("# '%s' on '%s': got %d, want %d\n", pat, path, got, want);
		}
	}
	ok(bad == 0, "200000 random cases agree with the recursive matcher");
	ok(hits > 10000 && hits < 190000, "random cases both match (%d) and not", hits);
}

/* A string of n copies of c. */
static char *
repeat(char c, size_t n)
{
	char *s = malloc(n + 1);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* Hostile patterns: each must finish (and give the right answer). */
static void
hostile(void)
{
	char *path = repeat('a', 4096);
	char *deep = malloc(4097);
	char *brackets = repeat('[', 4000);
	char *manystar = malloc(8193);
	char *manydstar = malloc(3 * 600 + 16);

	ok(!pathglob_match("*a*a*a*a*a*a*a*b", path),
	   "'*a*a*a*a*a*a*a*b' against 4 KB of 'a' ends, no match");
	path[4095] = 'b';
	ok(pathglob_match("*a*a*a*a*a*a*a*b", path), "the same with a final 'b' matches");

	for (size_t i = 0; i < 4096; i += 2)
		deep[i] = 'a', deep[i + 1] = '/';
	deep[4094] = 'b';
	deep[4095] = '\0';
	size_t n = 0;
	for (int i = 0; i < 600; i++) {
		memcpy(manydstar + n, "**/", 3);
		n += 3;
	}
	strcpy(manydstar + n, "c");
	ok(!pathglob_match(manydstar, deep),
	   "600 '**' segments against 2048 segments end, no match");
	strcpy(manydstar + n, "b");
	ok(pathglob_match(manydstar, deep), "the same ending in 'b' matches");
	ok(!pathglob_match("**/a/**/a/**/a/**/a/**/a/**/c", deep),
	   "alternating '**' and literals against a deep path ends");

	for (size_t i = 0; i < 8192; i += 2)
		manystar[i] = '*', manystar[i + 1] = 'a';
	manystar[8191] = 'b';
	manystar[8192] = '\0';
	path[4095] = 'a';
	ok(!pathglob_match(manystar, path), "8 KB of '*a' ending in 'b' against 4 KB of 'a' ends");

	char *lb = repeat('[', 4000);
	ok(pathglob_match(brackets, lb), "4000 unclosed '[' are literals");
	char *starbr = malloc(4003);
	starbr[0] = '*';
	memcpy(starbr + 1, brackets, 4000);
	starbr[4001] = 'x';
	starbr[4002] = '\0';
	ok(!pathglob_match(starbr, lb),
	   "'*' then 4000 unclosed '[' then 'x' against 4000 '[' ends");

	free(path);
	free(deep);
	free(brackets);
	free(manystar);
	free(manydstar);
	free(lb);
	free(starbr);
}

int
main(void)
{
	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct tcase *c = &cases[i];
		is_int(pathglob_match(c->pat, c->path), c->want, "'%s' %s '%s'", c->pat,
		       c->want ? "matches" : "does not match", c->path);
	}
	ok(!pathglob_match(NULL, "a"), "a NULL pattern matches nothing");
	ok(!pathglob_match("*", NULL), "a NULL path is matched by nothing");
	ok(!pathglob_match("\xff*", "\xc3\xbf"),
	   "an invalid UTF-8 byte does not equal a character");
	ok(pathglob_match("\xff?", "\xff\xc3\xbf"), "an invalid byte is one character of its own");
	ok(pathglob_match("?", "\xff"), "'?' matches one invalid byte");
	ok(!pathglob_match("?", "\xe2\x82"), "a truncated sequence is two bytes");
	compare_random();
	hostile();
	return done_testing();
}
