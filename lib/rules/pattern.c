/* pattern.c - Lua 5.4 string patterns for rule code: string.find, match,
 * gmatch and gsub with the semantics of the reference manual (section
 * 6.4.1), but with a matcher that counts its steps and charges them to the
 * rule's budget, and that bounds its recursion. A pathological pattern then
 * fails its rule with an error instead of hanging the engine or overflowing
 * the C stack.
 *
 * The matcher backtracks over the pattern text directly, reading each item
 * only when it is reached, so that a malformed tail is reported exactly when
 * the stock library would report it. All its state lives on the C stack or
 * in Lua values, so an error raised from deep inside leaks nothing. */
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "pattern.h"
#include "cdefs.h"

#define ESC      '%'
#define SPECIALS "^$*+?.([%-"
#define MAXCAP   32   /* captures in one pattern */
#define MAXDEPTH 200  /* nested matcher calls */
#define CAP_OPEN (-1) /* capture started, not yet closed */
#define CAP_POS  (-2) /* position capture "()" */
#define TOO_DEAR                                                                                   \
	"pattern too expensive: string matching exceeded the "                                     \
	"rule's instruction budget"

/* The budget shared by the installed functions of one library table. */
struct meter {
	pattern_charge_fn fn; /* NULL: steps are not charged */
	void *ud;
	uint64_t pend; /* steps not yet charged */
};

struct cap {
	const char *at;
	ptrdiff_t len; /* length, CAP_OPEN or CAP_POS */
};

/* One match attempt: the subject, the pattern and the captures so far. */
struct pm {
	lua_State *L;
	struct meter *mt;
	const char *s0, *se; /* subject start and end */
	const char *pe;      /* pattern end */
	int depth;           /* nested calls still allowed */
	int ncap;
	struct cap cap[MAXCAP];
};

/* Test for the byte 0, the class "%z" that the stock library still
 * accepts for compatibility. */
static int
isnul(int c)
{
	return c == 0;
}

static const struct {
	char k;
	int (*is)(int);
} classes[] = {
	{ 'a', isalpha }, { 'c', iscntrl },  { 'd', isdigit }, { 'g', isgraph },
	{ 'l', islower }, { 'p', ispunct },  { 's', isspace }, { 'u', isupper },
	{ 'w', isalnum }, { 'x', isxdigit }, { 'z', isnul },
};

static const char *run(struct pm *, const char *, const char *);

/* Raise a Lua error at the caller's position; never returns. */
static _Noreturn void PRINTF(2, 3) die(lua_State *L, const char *fmt, ...)
{
	va_list ap;

	luaL_where(L, 1);
	va_start(ap, fmt);
	lua_pushvfstring(L, fmt, ap);
	va_end(ap);
	lua_concat(L, 2);
	lua_error(L);
	abort(); /* lua_error does not return */
}

/* Hand the pending steps to the budget; raise when it is spent. */
static void
pay(lua_State *L, struct meter *mt)
{
	uint64_t n = mt->pend;

	mt->pend = 0;
	if (mt->fn != NULL && n > 0 && mt->fn(L, mt->ud, n) != 0)
		die(L, "%s", TOO_DEAR);
}

/* Count n steps, paying each time a chunk is full. */
static void
tick(lua_State *L, struct meter *mt, uint64_t n)
{
	mt->pend += n;
	if (mt->pend >= PATTERN_STEP_CHUNK)
		pay(L, mt);
}

/* Count one matcher step. */
static void
step(struct pm *m)
{
	tick(m->L, m->mt, 1);
}

/* Prepare a match of pattern p (lp bytes) over subject s (ls bytes). */
static void
pm_init(struct pm *m, lua_State *L, struct meter *mt, const char *s, size_t ls, const char *p,
        size_t lp)
{
	m->L = L;
	m->mt = mt;
	m->s0 = s;
	m->se = s + ls;
	m->pe = p + lp;
	m->depth = MAXDEPTH;
	m->ncap = 0;
}

/* Forget the captures before a new attempt. */
static void
pm_reset(struct pm *m)
{
	m->depth = MAXDEPTH;
	m->ncap = 0;
}

/* Test byte c against "%k": a class letter (uppercase for the complement),
 * or any other byte standing for itself. */
static int
inclass(int c, int k)
{
	size_t i;
	int low = tolower(k);

	for (i = 0; i < NELEM(classes); i++)
		if (classes[i].k == low)
			return (classes[i].is(c) != 0) != (isupper(k) != 0);
	return c == k;
}

/* Return the end of the single-character class that starts at p (< pe):
 * a byte, ".", "%x" or a set "[...]". */
static const char *
cls_end(struct pm *m, const char *p)
{
	const char *pe = m->pe;
	char c = *p++;

	if (c == ESC) {
		if (p >= pe)
			die(m->L, "malformed pattern (ends with '%%')");
		return p + 1;
	}
	if (c != '[')
		return p;
	if (p < pe && *p == '^')
		p++;
	/* The first member is taken as it is, so "[]]" is a set of ']'. */
	do {
		if (p >= pe)
			die(m->L, "malformed pattern (missing ']')");
		step(m);
		c = *p++;
		if (c == ESC && p < pe)
			p++;
	} while (p >= pe || *p != ']');
	return p + 1;
}

/* Test byte c against the set whose '[' is at p and ']' at ec. */
static int
set_has(struct pm *m, int c, const char *p, const char *ec)
{
	int want = 1;

	p++;
	if (*p == '^') {
		want = 0;
		p++;
	}
	for (; p < ec; p++) {
		step(m);
		if (*p == ESC) {
			p++;
			if (inclass(c, (unsigned char)*p))
				return want;
		} else if (p + 2 < ec && p[1] == '-') {
			if ((unsigned char)p[0] <= c && c <= (unsigned char)p[2])
				return want;
			p += 2;
		} else if ((unsigned char)*p == c)
			return want;
	}
	return !want;
}

/* Test the subject byte at s against the class from p to ep. */
static int
one(struct pm *m, const char *s, const char *p, const char *ep)
{
	int c;

	if (s >= m->se)
		return 0;
	step(m);
	c = (unsigned char)*s;
	switch (*p) {
	case '.': return 1;
	case ESC: return inclass(c, (unsigned char)p[1]);
	case '[': return set_has(m, c, p, ep - 1);
	default: return (unsigned char)*p == c;
	}
}

/* Take as many repetitions of the class p..ep as there are from s, then
 * give them back one at a time until the rest of the pattern matches. */
static const char *
greedy(struct pm *m, const char *s, const char *p, const char *ep)
{
	const char *e;
	size_t n = 0;

	while (one(m, s + n, p, ep))
		n++;
	for (;;) {
		e = run(m, s + n, ep + 1);
		if (e != NULL || n == 0)
			return e;
		n--;
	}
}

/* Try the rest of the pattern first, taking one more repetition of the
 * class p..ep each time it fails. */
static const char *
lazy(struct pm *m, const char *s, const char *p, const char *ep)
{
	const char *e;

	for (;;) {
		e = run(m, s, ep + 1);
		if (e != NULL)
			return e;
		if (!one(m, s, p, ep))
			return NULL;
		s++;
	}
}

/* Open a capture (or record a position) at s and match the rest. */
static const char *
capture(struct pm *m, const char *s, const char *p, ptrdiff_t what)
{
	const char *e;

	if (m->ncap >= MAXCAP)
		die(m->L, "too many captures");
	m->cap[m->ncap].at = s;
	m->cap[m->ncap].len = what;
	m->ncap++;
	e = run(m, s, p);
	if (e == NULL)
		m->ncap--;
	return e;
}

/* Close the innermost open capture at s and match the rest. */
static const char *
uncapture(struct pm *m, const char *s, const char *p)
{
	const char *e;
	int i = m->ncap - 1;

	while (i >= 0 && m->cap[i].len != CAP_OPEN)
		i--;
	if (i < 0)
		die(m->L, "invalid pattern capture");
	m->cap[i].len = s - m->cap[i].at;
	e = run(m, s, p);
	if (e == NULL)
		m->cap[i].len = CAP_OPEN;
	return e;
}

/* Match "%d": the text of an earlier, closed capture, again at s. */
static const char *
backref(struct pm *m, const char *s, int d)
{
	ptrdiff_t len;
	int i = d - '1';

	if (i < 0 || i >= m->ncap || m->cap[i].len == CAP_OPEN)
		die(m->L, "invalid capture index %%%d", i + 1);
	len = m->cap[i].len;
	if (len < 0 || m->se - s < len)
		return NULL;
	tick(m->L, m->mt, (uint64_t)len + 1);
	return memcmp(m->cap[i].at, s, (size_t)len) == 0 ? s + len : NULL;
}

/* Match "%bxy" (p at x): from an x at s to the y that balances it. */
static const char *
balance(struct pm *m, const char *s, const char *p)
{
	size_t open = 1;

	if (m->pe - p < 2)
		die(m->L, "malformed pattern (missing arguments to '%%b')");
	if (s >= m->se || *s != p[0])
		return NULL;
	while (++s < m->se) {
		step(m);
		if (*s == p[1]) {
			if (--open == 0)
				return s + 1;
		} else if (*s == p[0])
			open++;
	}
	return NULL;
}

/* Match "%f[set]" (p after "%f") at s, where the previous byte is not in
 * the set and the next one is; the subject's edges count as byte 0.
 * Returns the pattern after the set, or NULL. */
static const char *
frontier(struct pm *m, const char *s, const char *p)
{
	const char *ep;
	int prev, next;

	if (p >= m->pe || *p != '[')
		die(m->L, "missing '[' after '%%f' in pattern");
	ep = cls_end(m, p);
	prev = s > m->s0 ? (unsigned char)s[-1] : 0;
	next = s < m->se ? (unsigned char)*s : 0;
	if (!set_has(m, prev, p, ep - 1) && set_has(m, next, p, ep - 1))
		return ep;
	return NULL;
}

/* Match the pattern from p at s without nesting, as far as the next
 * choice point; return the end of the match or NULL. */
static const char *
walk(struct pm *m, const char *s, const char *p)
{
	const char *ep, *e;
	char q;

	while (p < m->pe) {
		switch (*p) {
		case '(':
			if (p + 1 < m->pe && p[1] == ')')
				return capture(m, s, p + 2, CAP_POS);
			return capture(m, s, p + 1, CAP_OPEN);
		case ')': return uncapture(m, s, p + 1);
		case '$':
			if (p + 1 == m->pe)
				return s == m->se ? s : NULL;
			break;
		case ESC:
			if (p + 1 == m->pe)
				break;
			if (p[1] == 'b') {
				if ((s = balance(m, s, p + 2)) == NULL)
					return NULL;
				p += 4;
				continue;
			}
			if (p[1] == 'f') {
				if ((p = frontier(m, s, p + 2)) == NULL)
					return NULL;
				continue;
			}
			if (p[1] >= '0' && p[1] <= '9') {
				if ((s = backref(m, s, p[1])) == NULL)
					return NULL;
				p += 2;
				continue;
			}
			break;
		}
		ep = cls_end(m, p);
		q = ep < m->pe ? *ep : '\0';
		if (!one(m, s, p, ep)) {
			if (q != '*' && q != '?' && q != '-')
				return NULL;
			p = ep + 1;
			continue;
		}
		switch (q) {
		case '?':
			if ((e = run(m, s + 1, ep + 1)) != NULL)
				return e;
			p = ep + 1;
			continue;
		case '+': return greedy(m, s + 1, p, ep);
		case '*': return greedy(m, s, p, ep);
		case '-': return lazy(m, s, p, ep);
		}
		s++;
		p = ep;
	}
	return s;
}

/* Match the pattern from p at s, one level deeper. */
static const char *
run(struct pm *m, const char *s, const char *p)
{
	const char *e;

	if (m->depth == 0)
		die(m->L, "pattern too complex");
	m->depth--;
	step(m);
	e = walk(m, s, p);
	m->depth++;
	return e;
}

/* Return capture i of the match s..e: its length with *at its start, or
 * CAP_POS for a position capture. Without captures, capture 0 is the
 * whole match. */
static ptrdiff_t
cap_get(struct pm *m, int i, const char *s, const char *e, const char **at)
{
	if (i >= m->ncap) {
		if (i != 0)
			die(m->L, "invalid capture index %%%d", i + 1);
		*at = s;
		return e - s;
	}
	if (m->cap[i].len == CAP_OPEN)
		die(m->L, "unfinished capture");
	*at = m->cap[i].at;
	return m->cap[i].len;
}

/* Push capture i of the match s..e. */
static void
push_cap(struct pm *m, int i, const char *s, const char *e)
{
	const char *at;
	ptrdiff_t len = cap_get(m, i, s, e, &at);

	if (len == CAP_POS)
		lua_pushinteger(m->L, (at - m->s0) + 1);
	else
		lua_pushlstring(m->L, at, (size_t)len);
}

/* Push every capture of the match s..e, or the whole match when there are
 * none and s is not NULL; return how many were pushed. */
static int
push_caps(struct pm *m, const char *s, const char *e)
{
	int i, n = (m->ncap == 0 && s != NULL) ? 1 : m->ncap;

	luaL_checkstack(m->L, n, "too many captures");
	for (i = 0; i < n; i++)
		push_cap(m, i, s, e);
	return n;
}

/* Turn a 1-based start position, negative counting from the end, into an
 * offset; positions before the start become 0, past the end stay past. */
static size_t
start_off(lua_Integer i, size_t len)
{
	if (i > 0)
		return (size_t)i - 1;
	if (i == 0 || i < -(lua_Integer)len)
		return 0;
	return len - (size_t)(-i);
}

/* Tell whether p (lp bytes) uses any pattern syntax. */
static int
has_specials(const char *p, size_t lp)
{
	size_t i;

	for (i = 0; i < lp; i++)
		if (p[i] != '\0' && strchr(SPECIALS, p[i]) != NULL)
			return 1;
	return 0;
}

/* Find the first n (nl bytes) in h (hl bytes), counting the bytes
 * examined; NULL when there is none. */
static const char *
plain_find(lua_State *L, struct meter *mt, const char *h, size_t hl, const char *n, size_t nl)
{
	const char *end, *q;

	if (nl == 0)
		return h;
	if (nl > hl)
		return NULL;
	end = h + (hl - nl) + 1; /* past the last place n can start */
	while (h < end) {
		q = memchr(h, n[0], (size_t)(end - h));
		if (q == NULL) {
			tick(L, mt, (uint64_t)(end - h));
			return NULL;
		}
		tick(L, mt, (uint64_t)(q - h) + nl);
		if (memcmp(q + 1, n + 1, nl - 1) == 0)
			return q;
		h = q + 1;
	}
	return NULL;
}

/* Match pattern p from offset init onwards (only there when it starts
 * with '^') and push find's or match's results. */
static int
seek_pattern(lua_State *L, struct meter *mt, const char *s, size_t ls, size_t init, const char *p,
             size_t lp, int want_pos)
{
	struct pm m;
	const char *t, *e;
	int anchored = lp > 0 && p[0] == '^';

	if (anchored) {
		p++;
		lp--;
	}
	pm_init(&m, L, mt, s, ls, p, lp);
	for (t = s + init;; t++) {
		pm_reset(&m);
		if ((e = run(&m, t, p)) != NULL) {
			if (!want_pos)
				return push_caps(&m, t, e);
			lua_pushinteger(L, (t - s) + 1);
			lua_pushinteger(L, e - s);
			return 2 + push_caps(&m, NULL, NULL);
		}
		if (anchored || t >= m.se)
			break;
	}
	luaL_pushfail(L);
	return 1;
}

/* Do string.find (want_pos) or string.match. */
static int
seek(lua_State *L, int want_pos)
{
	size_t ls, lp, init;
	const char *s = luaL_checklstring(L, 1, &ls);
	const char *p = luaL_checklstring(L, 2, &lp);
	const char *q;
	struct meter *mt = lua_touserdata(L, lua_upvalueindex(1));

	init = start_off(luaL_optinteger(L, 3, 1), ls);
	if (init > ls) {
		luaL_pushfail(L);
		return 1;
	}
	tick(L, mt, lp); /* has_specials, or the pattern's first read */
	if (!want_pos || (!lua_toboolean(L, 4) && has_specials(p, lp)))
		return seek_pattern(L, mt, s, ls, init, p, lp, want_pos);
	if ((q = plain_find(L, mt, s + init, ls - init, p, lp)) == NULL) {
		luaL_pushfail(L);
		return 1;
	}
	lua_pushinteger(L, (q - s) + 1);
	lua_pushinteger(L, (lua_Integer)(q - s) + (lua_Integer)lp);
	return 2;
}

/* string.find(s, pattern [, init [, plain]]) */
static int
find(lua_State *L)
{
	return seek(L, 1);
}

/* string.match(s, pattern [, init]) */
static int
match(lua_State *L)
{
	return seek(L, 0);
}

/* Where a gmatch iteration goes on; offsets into the subject. */
struct gm {
	size_t pos;
	size_t last; /* end of the previous match, SIZE_MAX before one */
};

/* Return the captures of the next match of a gmatch loop, or nothing. */
static int
gmatch_next(lua_State *L)
{
	struct pm m;
	size_t ls, lp, i;
	const char *s = lua_tolstring(L, lua_upvalueindex(1), &ls);
	const char *p = lua_tolstring(L, lua_upvalueindex(2), &lp);
	struct gm *g = lua_touserdata(L, lua_upvalueindex(3));
	struct meter *mt = lua_touserdata(L, lua_upvalueindex(4));
	const char *e;

	pm_init(&m, L, mt, s, ls, p, lp);
	for (i = g->pos; i <= ls; i++) {
		pm_reset(&m);
		e = run(&m, s + i, p);
		if (e != NULL && (size_t)(e - s) != g->last) {
			g->pos = g->last = (size_t)(e - s);
			return push_caps(&m, s + i, e);
		}
	}
	g->pos = ls + 1;
	return 0;
}

/* string.gmatch(s, pattern [, init]); a leading '^' is an ordinary byte
 * here, as in the stock library. */
static int
gmatch(lua_State *L)
{
	size_t ls, lp, init;
	struct gm *g;

	luaL_checklstring(L, 1, &ls);
	luaL_checklstring(L, 2, &lp);
	init = start_off(luaL_optinteger(L, 3, 1), ls);
	if (init > ls)
		init = ls + 1;
	lua_settop(L, 2);
	g = lua_newuserdatauv(L, sizeof(*g), 0);
	g->pos = init;
	g->last = SIZE_MAX;
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_pushcclosure(L, gmatch_next, 4);
	return 1;
}

/* Append the replacement string (argument 3) for the match s..e, with
 * "%0".."%9" standing for captures and "%%" for '%'. */
static void
put_template(struct pm *m, luaL_Buffer *b, const char *s, const char *e)
{
	size_t l;
	const char *r = lua_tolstring(m->L, 3, &l), *end = r + l, *q, *at;
	ptrdiff_t len;

	while ((q = memchr(r, ESC, (size_t)(end - r))) != NULL) {
		tick(m->L, m->mt, (uint64_t)(q - r) + 1);
		luaL_addlstring(b, r, (size_t)(q - r));
		if (++q == end || (*q != ESC && (*q < '0' || *q > '9')))
			die(m->L, "invalid use of '%c' in replacement string", ESC);
		if (*q == ESC) {
			luaL_addchar(b, ESC);
		} else if (*q == '0') {
			tick(m->L, m->mt, (uint64_t)(e - s));
			luaL_addlstring(b, s, (size_t)(e - s));
		} else if ((len = cap_get(m, *q - '1', s, e, &at)) == CAP_POS) {
			lua_pushinteger(m->L, (at - m->s0) + 1);
			luaL_addvalue(b);
		} else {
			tick(m->L, m->mt, (uint64_t)len);
			luaL_addlstring(b, at, (size_t)len);
		}
		r = q + 1;
	}
	tick(m->L, m->mt, (uint64_t)(end - r));
	luaL_addlstring(b, r, (size_t)(end - r));
}

/* Append the replacement for the match s..e as argument 3 (of Lua type
 * tr) says; false or nil from a table or function keeps the match. */
static void
put_repl(struct pm *m, luaL_Buffer *b, const char *s, const char *e, int tr)
{
	lua_State *L = m->L;
	size_t len;

	tick(L, m->mt, 1);
	if (tr == LUA_TSTRING || tr == LUA_TNUMBER) {
		put_template(m, b, s, e);
		return;
	}
	if (tr == LUA_TFUNCTION) {
		lua_pushvalue(L, 3);
		lua_call(L, push_caps(m, s, e), 1);
	} else {
		push_cap(m, 0, s, e);
		lua_gettable(L, 3);
	}
	if (!lua_toboolean(L, -1)) {
		lua_pop(L, 1);
		tick(L, m->mt, (uint64_t)(e - s));
		luaL_addlstring(b, s, (size_t)(e - s));
		return;
	}
	if (!lua_isstring(L, -1))
		die(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
	lua_tolstring(L, -1, &len);
	tick(L, m->mt, len);
	luaL_addvalue(b);
}

/* Replace up to max matches of pattern p (already without its '^' when
 * anchored) into b; return how many were replaced. */
static lua_Integer
gsub_loop(struct pm *m, luaL_Buffer *b, const char *p, int tr, lua_Integer max, int anchored)
{
	const char *t = m->s0, *e, *last = NULL;
	lua_Integer n = 0;

	while (n < max) {
		pm_reset(m);
		e = run(m, t, p);
		if (e != NULL && e != last) {
			n++;
			put_repl(m, b, t, e, tr);
			t = last = e;
		} else if (t < m->se) {
			step(m);
			luaL_addlstring(b, t++, 1);
		} else
			break;
		if (anchored)
			break;
	}
	tick(m->L, m->mt, (uint64_t)(m->se - t));
	luaL_addlstring(b, t, (size_t)(m->se - t));
	return n;
}

/* string.gsub(s, pattern, repl [, n]) */
static int
gsub(lua_State *L)
{
	size_t ls, lp;
	const char *s = luaL_checklstring(L, 1, &ls);
	const char *p = luaL_checklstring(L, 2, &lp);
	int tr = lua_type(L, 3);
	lua_Integer max = luaL_optinteger(L, 4, (lua_Integer)ls + 1);
	int anchored = lp > 0 && p[0] == '^';
	struct meter *mt = lua_touserdata(L, lua_upvalueindex(1));
	struct pm m;
	luaL_Buffer b;
	lua_Integer n;

	luaL_argexpected(L,
	                 tr == LUA_TNUMBER || tr == LUA_TSTRING || tr == LUA_TFUNCTION ||
	                         tr == LUA_TTABLE,
	                 3, "string/function/table");
	if (anchored) {
		p++;
		lp--;
	}
	pm_init(&m, L, mt, s, ls, p, lp);
	luaL_buffinit(L, &b);
	n = gsub_loop(&m, &b, p, tr, max, anchored);
	luaL_pushresult(&b);
	lua_pushinteger(L, n);
	return 2;
}

/* Set the four matching functions of the table at the top of the stack to
 * budgeted ones sharing one meter; ud is borrowed for the life of L. */
void
pattern_install(lua_State *L, pattern_charge_fn charge, void *ud)
{
	static const luaL_Reg fns[] = {
		{ "find", find }, { "match", match }, { "gmatch", gmatch },
		{ "gsub", gsub }, { NULL, NULL },
	};
	struct meter *mt = lua_newuserdatauv(L, sizeof(*mt), 0);

	mt->fn = charge;
	mt->ud = ud;
	mt->pend = 0;
	luaL_setfuncs(L, fns, 1);
}
