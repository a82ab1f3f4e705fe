/* pathglob.c - path patterns for rules and change detection.
 *
 * Syntax: '*' matches any run of characters except '/', '?' one character
 * except '/', '[abc]', '[a-z]' and '[!a-c]' (or '[^a-c]') one character of
 * a class, '**' as a whole segment zero or more segments, and a backslash
 * makes the next character literal. Characters are UTF-8 code points, so
 * '?' matches 'ü' in "Übersicht.md"; a byte that is not valid UTF-8 is a
 * character of its own. An unclosed '[' is a literal '['. The pattern is
 * split into segments at every unescaped '/', also inside brackets.
 *
 * Matching is the greedy wildcard walk used twice: over the characters of
 * one segment for '*', and over the segments of the path for '**'. After a
 * mismatch only the most recent star is stretched by one step, which is
 * enough because every other token matches exactly one character (or one
 * segment). Time is therefore bounded by the product of the pattern and
 * path lengths, whatever the pattern. */
#include "pathglob.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cdefs.h"
#include "alloc.h"

enum tkind { T_LIT, T_ANY, T_CLASS, T_STAR, T_DSTAR, T_SEP };

struct tok {
	enum tkind kind;
	uint32_t cp;           /* T_LIT: the character */
	const char *set, *end; /* T_CLASS: the members, inside the brackets */
	int neg;               /* T_CLASS: '!' or '^' given */
};

/* Characters that are not valid UTF-8 get values above Unicode, so that
 * they only ever equal the same byte. */
#define RAW_BASE 0x110000u

/* Decode one character at s (before end) into *cp; return its length. */
static size_t
utf8(const char *s, const char *end, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n, avail = (size_t)(end - s);
	uint32_t c, min;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if ((u[0] & 0xe0) == 0xc0)
		n = 2, c = u[0] & 0x1f, min = 0x80;
	else if ((u[0] & 0xf0) == 0xe0)
		n = 3, c = u[0] & 0x0f, min = 0x800;
	else if ((u[0] & 0xf8) == 0xf0)
		n = 4, c = u[0] & 0x07, min = 0x10000;
	else
		goto raw;
	if (n > avail)
		goto raw;
	for (size_t i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			goto raw;
		c = c << 6 | (u[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		goto raw;
	*cp = c;
	return n;
raw:
	*cp = RAW_BASE + u[0];
	return 1;
}

/* Find the ']' closing a class whose '[' is at p; NULL if it is unclosed
 * within the segment. Sets *set to the first member and *neg. */
static const char *
classend(const char *p, const char *end, const char **set, int *neg)
{
	const char *q = p + 1;

	*neg = q < end && (*q == '!' || *q == '^');
	if (*neg)
		q++;
	*set = q;
	if (q < end && *q == ']')
		q++;
	while (q < end && *q != ']' && *q != '/') {
		if (*q == '\\' && q + 1 < end)
			q += 2;
		else
			q++;
	}
	return q < end && *q == ']' ? q : NULL;
}

/* End a segment that began at token seg: a segment that is exactly "**"
 * becomes one T_DSTAR. Returns the new token count. */
static size_t
endseg(struct tok *t, size_t seg, size_t n, const char *segp, const char *p)
{
	if (p - segp == 2 && segp[0] == '*' && segp[1] == '*') {
		n = seg;
		t[n++].kind = T_DSTAR;
	}
	return n;
}

/* Turn pattern (len bytes) into tokens in t, which has room for len + 1;
 * segments are separated by T_SEP. Returns the token count. */
static size_t
compile(const char *pat, size_t len, struct tok *t)
{
	const char *p = pat, *end = pat + len, *segp = pat, *close;
	size_t n = 0, seg = 0;

	for (;;) {
		if (p == end || *p == '/') {
			n = endseg(t, seg, n, segp, p);
			if (p == end)
				return n;
			t[n++].kind = T_SEP;
			segp = ++p;
			seg = n;
			continue;
		}
		struct tok *k = &t[n];
		if (*p == '*') {
			p++;
			if (n > seg && t[n - 1].kind == T_STAR)
				continue;
			k->kind = T_STAR;
		} else if (*p == '?') {
			p++;
			k->kind = T_ANY;
		} else if (*p == '[' && (close = classend(p, end, &k->set, &k->neg)) != NULL) {
			k->kind = T_CLASS;
			k->end = close;
			p = close + 1;
		} else {
			if (*p == '\\' && p + 1 < end)
				p++;
			k->kind = T_LIT;
			p += utf8(p, end, &k->cp);
		}
		n++;
	}
}

/* Read one class member (a character, or an escaped one) at q. */
static size_t
member(const char *q, const char *end, uint32_t *cp)
{
	if (*q == '\\' && q + 1 < end)
		return 1 + utf8(q + 1, end, cp);
	return utf8(q, end, cp);
}

/* Whether character c belongs to the class of token t. */
static int
inclass(const struct tok *t, uint32_t c)
{
	const char *q = t->set;
	uint32_t lo, hi;

	while (q < t->end) {
		q += member(q, t->end, &lo);
		hi = lo;
		if (q + 1 < t->end && *q == '-')
			q += 1 + member(q + 1, t->end, &hi);
		if (lo <= c && c <= hi)
			return !t->neg;
	}
	return t->neg;
}

/* Whether a single-character token matches character c. */
static int
one(const struct tok *t, uint32_t c)
{
	switch (t->kind) {
	case T_LIT: return t->cp == c;
	case T_ANY: return 1;
	case T_CLASS: return inclass(t, c);
	default: return 0;
	}
}

/* Match the tokens of one pattern segment [p, pe) against the characters
 * of one path segment [s, se). */
static int
segmatch(const struct tok *p, const struct tok *pe, const char *s, const char *se)
{
	const struct tok *star = NULL; /* token after the last '*' */
	const char *from = NULL;       /* where that '*' stops matching */
	uint32_t c;
	size_t n;

	while (s < se) {
		n = utf8(s, se, &c);
		if (p < pe && p->kind == T_STAR) {
			star = ++p;
			from = s;
		} else if (p < pe && one(p, c)) {
			p++;
			s += n;
		} else if (star != NULL) {
			p = star;
			from += utf8(from, se, &c);
			s = from;
		} else {
			return 0;
		}
	}
	while (p < pe && p->kind == T_STAR)
		p++;
	return p == pe;
}

/* The token ending the pattern segment that starts at p. */
static const struct tok *
tend(const struct tok *p, const struct tok *te)
{
	while (p < te && p->kind != T_SEP)
		p++;
	return p;
}

/* The next pattern segment after the one at p, or NULL after the last. */
static const struct tok *
tnext(const struct tok *p, const struct tok *te)
{
	p = tend(p, te);
	return p < te ? p + 1 : NULL;
}

/* The end of the path segment starting at s. */
static const char *
pathend(const char *s)
{
	return s + strcspn(s, "/");
}

/* The next path segment after the one at s, or NULL after the last. */
static const char *
pathnext(const char *s)
{
	s = pathend(s);
	return *s ? s + 1 : NULL;
}

/* Whether the pattern segment at p is '**'. */
static int
isdstar(const struct tok *p, const struct tok *te)
{
	return p != NULL && p < te && p->kind == T_DSTAR;
}

/* Match the segments of the compiled pattern [p, te) against path. */
static int
walk(const struct tok *p, const struct tok *te, const char *s)
{
	const struct tok *after = NULL; /* pattern segment after the last '**' */
	const char *from = NULL;        /* first path segment '**' left over */
	int star = 0;

	while (s != NULL) {
		if (isdstar(p, te)) {
			star = 1;
			after = p = tnext(p, te);
			from = s;
		} else if (p != NULL && segmatch(p, tend(p, te), s, pathend(s))) {
			p = tnext(p, te);
			s = pathnext(s);
		} else if (star) {
			from = pathnext(from);
			s = from;
			p = after;
		} else {
			return 0;
		}
	}
	while (isdstar(p, te))
		p = tnext(p, te);
	return p == NULL;
}

/* 1 when path matches pattern, else 0. NULL never matches. */
int
pathglob_match(const char *pattern, const char *path)
{
	struct tok small[64], *t = small;
	size_t len, n;
	int r;

	if (pattern == NULL || path == NULL)
		return 0;
	len = strlen(pattern);
	if (len + 1 > NELEM(small))
		t = xreallocarray(NULL, len + 1, sizeof(*t));
	n = compile(pattern, len, t);
	r = walk(t, t + n, path);
	if (t != small)
		free(t);
	return r;
}
