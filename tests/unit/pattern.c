/* pattern.c - tests for the budgeted string patterns: every case is run
 * through the stock string library and through ours and the results (or
 * error messages) must be the same; then the budget and depth limits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "pattern.h"
#include "tap.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define NELEM_CASES NELEM(cases)
#define NELEM_P NELEM(ptoks)
#define NELEM_R NELEM(rtoks)

struct budget {
	uint64_t used, limit; /* limit 0: unlimited */
	uint64_t calls, biggest;
};

/* Lua side of the differential test. cmp(kind, ...) calls string[kind] and
 * B[kind] with the same arguments and returns nil when everything they
 * produce is the same, else a description of the difference. */
static const char harness[] =
	"local B = ...\n"
	"local function call(lib, kind, ...)\n"
	"  if kind ~= 'gmatch' then return { table.pack(lib[kind](...)) } end\n"
	"  local out, it = {}, lib.gmatch(...)\n"
	"  for _ = 1, 500 do\n"
	"    local r = table.pack(it())\n"
	"    if r[1] == nil then out[#out + 1] = r break end\n"
	"    out[#out + 1] = r\n"
	"  end\n"
	"  return out\n"
	"end\n"
	"local function show(v)\n"
	"  if type(v) == 'string' or math.type(v) then\n"
	"    return string.format('%q', v)\n"
	"  end\n"
	"  return tostring(v)\n"
	"end\n"
	"local function dump(ok, r)\n"
	"  if not ok then return 'error ' .. show(r) end\n"
	"  local parts = {}\n"
	"  for _, t in ipairs(r) do\n"
	"    local vs = {}\n"
	"    for i = 1, t.n do vs[i] = show(t[i]) end\n"
	"    parts[#parts + 1] = '(' .. table.concat(vs, ', ') .. ')'\n"
	"  end\n"
	"  return table.concat(parts, ' ')\n"
	"end\n"
	"local function same(a, b)\n"
	"  return math.type(a) == math.type(b) and a == b\n"
	"end\n"
	"local function equal(ok1, r1, ok2, r2)\n"
	"  if ok1 ~= ok2 then return false end\n"
	"  if not ok1 then return r1 == r2 end\n"
	"  if #r1 ~= #r2 then return false end\n"
	"  for i = 1, #r1 do\n"
	"    if r1[i].n ~= r2[i].n then return false end\n"
	"    for j = 1, r1[i].n do\n"
	"      if not same(r1[i][j], r2[i][j]) then return false end\n"
	"    end\n"
	"  end\n"
	"  return true\n"
	"end\n"
	"LAST = nil\n"
	"function cmp_with(lib, kind, ...)\n"
	"  local ok1, r1 = pcall(call, string, kind, ...)\n"
	"  local ok2, r2 = pcall(call, lib, kind, ...)\n"
	"  LAST = not ok1 and 'error' or\n"
	"    ((#r1 > 1 or r1[1][1] ~= nil) and 'match' or 'none')\n"
	"  if equal(ok1, r1, ok2, r2) then return nil end\n"
	"  return 'stock ' .. dump(ok1, r1) .. ' | ours ' .. dump(ok2, r2)\n"
	"end\n"
	"function cmp(kind, ...) return cmp_with(B, kind, ...) end\n"
	"function F(...)\n"
	"  local t = table.pack(...)\n"
	"  for i = 1, t.n do t[i] = tostring(t[i]) end\n"
	"  if t[1] == 'b' then return nil end\n"
	"  if t[1] == '1' then return false end\n"
	"  return '<' .. table.concat(t, '|') .. '>'\n"
	"end\n"
	"T = { a = 'A', b = false, ['1'] = 11, x = 'X', [1] = 'one', [3] = 3.5 }\n";

/* Each case: the arguments of cmp as Lua source. */
static const char *const cases[] = {
	/* plain text, init, plain flag */
	"'find', 'hello world', 'o w'",
	"'find', 'hello world', 'o', 6",
	"'find', 'hello world', 'o', -3",
	"'find', 'hello world', 'o', -100",
	"'find', 'hello world', 'o', 0",
	"'find', 'hello world', 'l', 100",
	"'find', 'hello', '', 6",
	"'find', 'hello', '', 7",
	"'find', 'hello', '', 1",
	"'find', '', ''",
	"'find', '', 'a'",
	"'find', '', '', 2",
	"'find', 'a.b', '.', 1, true",
	"'find', 'a.b', '.', 1, false",
	"'find', 'a+b', '+', 1, true",
	"'find', 'a(b', '(', 1, true",
	"'find', 'a(b', '('",
	"'find', 'a)b', ')'",
	"'find', 'a]b', ']'",
	"'find', 'aaab', 'aab', 1, true",
	"'find', 'abc', 'abcd', 1, true",
	"'find', 'a\\0b\\0c', '\\0c'",
	"'find', 'a\\0b\\0c', '\\0', 3, 1",
	"'find', 'a\\0b', '[\\0]'",
	"'find', 'a\\0b', '%z'",
	"'find', 12345, 34",
	"'find', 'abc', 'b', 2.0",
	/* single-character classes */
	"'match', 'hello World 42!', '%a+'",
	"'match', 'hello World 42!', '%u%l+'",
	"'match', 'hello World 42!', '%d+'",
	"'match', 'hello World 42!', '%D+'",
	"'match', 'hello World 42!', '%p'",
	"'match', 'hello World 42!', '%s+%S+'",
	"'match', 'a\\tb\\1c', '%c'",
	"'match', 'a\\tb\\1c', '%C+'",
	"'match', 'x = 0x1fG', '%x+', 5",
	"'match', 'x = 0x1fG', '%X+'",
	"'match', 'my_var9 + 1', '%w+'",
	"'match', 'my_var9 + 1', '%W+'",
	"'match', '  \\t x', '%g'",
	"'match', 'abc', '%G'",
	"'match', 'ABCdef', '%L+'",
	"'match', 'ABCdef', '%U+'",
	"'match', 'a.b', '%.'",
	"'match', 'a%b', '%%b'",
	"'match', 'a]b', '%]'",
	"'match', 'qbq', '%q'",
	"'match', 'a\\200\\255b', '[\\128-\\255]+'",
	/* sets */
	"'match', 'hello', '[aeiou]+'",
	"'match', 'hello', '[^aeiou]+'",
	"'match', 'x123y', '[0-9]+'",
	"'match', 'x-y', '[a-]+'",
	"'match', 'x-y', '[-a]'",
	"'match', 'a]b', '[]]'",
	"'match', 'a]b', '[^]]+'",
	"'match', 'a^b', '[\\\\^]'",
	"'match', 'a^b', '[b^]+'",
	"'match', 'A1_b', '[%a_]+'",
	"'match', 'A1_b', '[%d%u]+'",
	"'match', 'a-z', '[%a-z]+'",
	"'match', 'a%]', '[%%%]]+'",
	"'match', 'b]c', '[a-%]]+'",
	"'match', 'x', '[z-a]'",
	"'match', 'hello', '[^%l]'",
	"'match', 'hello', '[]'",
	"'match', 'hello', '[^]'",
	"'match', 'hello', '[a'",
	"'match', 'hello', '[a%'",
	"'match', 'hello', '[%a'",
	/* quantifiers */
	"'match', 'aaab', 'a*'",
	"'match', 'aaab', 'a-b'",
	"'match', 'aaab', 'a+b'",
	"'match', 'aaab', 'a?a?b'",
	"'match', 'b', 'a+b'",
	"'match', 'b', 'a*b'",
	"'match', '<a><b>', '<.->'",
	"'match', '<a><b>', '<.*>'",
	"'match', 'abc', 'a-'",
	"'match', 'abc', '.-$'",
	"'match', 'abc', 'x*'",
	"'match', 'abc', 'x-'",
	"'match', 'abc', 'x?'",
	"'match', 'a*b', 'a%*b'",
	"'match', '++', '++'",
	"'match', '*a', '*a'",
	"'match', '-a', '-a'",
	"'match', '?', '?'",
	"'find', 'aaa', 'a-', 2",
	/* anchors */
	"'find', 'abcabc', '^abc'",
	"'find', 'abcabc', '^abc', 2",
	"'find', 'abcabc', '^abc', 4",
	"'find', 'abcabc', 'abc$'",
	"'find', 'a^b', 'a^b'",
	"'find', 'a$b', 'a$b'",
	"'find', 'ab$', 'b$$'",
	"'find', 'ab', '^'",
	"'find', 'ab', '$'",
	"'find', 'ab', '^$'",
	"'find', '', '^$'",
	"'match', '^^x', '^^'",
	"'match', 'x$', '%$$'",
	/* captures */
	"'match', 'key = value', '(%w+)%s*=%s*(%w+)'",
	"'find', 'key = value', '(%w+)%s*=%s*(%w+)'",
	"'match', 'hello', '()ll()'",
	"'find', 'hello', '()ll()'",
	"'match', 'hello', '(h)(e)(l)(l)(o)'",
	"'match', 'hello', '((h)(e))'",
	"'match', 'hello', '(h(e(l)))'",
	"'match', 'hello', '()'",
	"'match', '', '()'",
	"'match', 'abc', '(a)()(b)'",
	"'match', 'abc', '(a'",
	"'find', 'abc', '(a'",
	"'match', 'abc', 'a)'",
	"'match', 'abc', '((a)'",
	"'match', 'abc', '(()'",
	"'match', 'abc', 'x)'",
	"'match', ('a'):rep(40), ('(a)'):rep(32)",
	"'match', ('a'):rep(40), ('(a)'):rep(33)",
	"'match', ('a'):rep(40), ('()'):rep(33)",
	/* back-references */
	"'match', 'say \"hi\" now', '([\"\\'])(.-)%1'",
	"'match', 'abab', '(ab)%1'",
	"'match', 'abac', '(ab)%1'",
	"'match', 'aa', '(a)%1%1'",
	"'match', 'aa', '%1'",
	"'match', 'aa', '%0'",
	"'match', 'aa', '(a)%2'",
	"'match', 'aa', '(a%1)'",
	"'match', 'aa', '()%1'",
	"'match', 'xx', '(x*)%1$'",
	"'match', 'abcabc', '(a(b)c)%2'",
	/* balanced */
	"'match', 'f(a(b)c) d', '%b()'",
	"'match', 'f(a(b c', '%b()'",
	"'match', 'x[[y]]z', '%b[]'",
	"'match', 'xaabbx', '%bab'",
	"'match', '\"a\" \"b\"', '%b\"\"'",
	"'match', 'abc', '%b'",
	"'match', 'abc', '%ba'",
	"'find', 'a(b)', '%b()', 3",
	"'match', '()', '^%b()$'",
	/* frontier */
	"'match', 'THE (quick) fox', '%f[%a]%a+'",
	"'match', 'THE (quick) fox', '%f[%l]%a+'",
	"'find', 'hello world', '%f[%w]%w+', 2",
	"'find', 'the end', '%f[%W]', 4",
	"'find', 'abc', '%f[%z]'",
	"'find', 'abc', '%f[^%z]'",
	"'find', '', '%f[%z]'",
	"'match', 'x', '%f'",
	"'match', 'x', '%fx'",
	"'match', 'x', '%f[x'",
	"'match', 'abc', '%f[b]b'",
	/* malformed, reached or not */
	"'match', 'abc', '%'",
	"'match', 'abc', 'a%'",
	"'match', 'xyz', 'a%'",
	"'find', 'xyz', 'a['",
	"'find', 'axyz', 'a['",
	"'match', 'abc', '%g%'",
	"'match', 'abc', '(()'",
	"'match', ('a'):rep(300), ('a?'):rep(300)",
	"'match', ('a'):rep(300), ('a?'):rep(150)",
	"'match', ('a'):rep(300), ('a?'):rep(198)",
	"'match', ('a'):rep(300), ('a?'):rep(199)",
	"'match', ('a'):rep(300), ('a?'):rep(200)",
	"'match', ('a'):rep(300), ('a-'):rep(198) .. 'a'",
	"'match', ('a'):rep(300), ('a-'):rep(199) .. 'a'",
	"'match', ('a'):rep(300), ('(a)'):rep(30) .. ('a?'):rep(139)",
	"'match', ('a'):rep(300), ('(a)'):rep(30) .. ('a?'):rep(140)",
	"'gsub', ('a'):rep(300), ('a*'):rep(200), '', 1",
	"'gsub', ('a'):rep(300), '(' .. ('a?'):rep(198) .. ')', '%1', 1",
	"'gsub', ('a'):rep(300), '(' .. ('a?'):rep(199) .. ')', '%1', 1",
	"'match', ('a'):rep(300), ('(a)'):rep(2) .. ('a-'):rep(250) .. 'b'",
	/* match init */
	"'match', 'hello', 'l+', 4",
	"'match', 'hello', 'l+', -1",
	"'match', 'hello', '.', 6",
	"'match', 'hello', '()', 6",
	"'match', 'hello', '()', 7",
	"'match', 'hello', '^l', 3",
	/* gmatch */
	"'gmatch', 'one two  three', '%a+'",
	"'gmatch', 'k1=v1, k2=v2', '(%w+)=(%w+)'",
	"'gmatch', 'abc', ''",
	"'gmatch', 'abc', '()'",
	"'gmatch', 'abc', 'x*'",
	"'gmatch', 'aXbXc', 'X*'",
	"'gmatch', 'aaa', 'a-'",
	"'gmatch', 'aaa', '^a'",
	"'gmatch', '^a^ab', '^a'",
	"'gmatch', 'hello world', '%a+', 3",
	"'gmatch', 'hello world', '%a+', -3",
	"'gmatch', 'hello', '.', 6",
	"'gmatch', 'hello', '()', 6",
	"'gmatch', 'hello', '.', 100",
	"'gmatch', 'hello', '.', -100",
	"'gmatch', '', ''",
	"'gmatch', 'abc', '(a'",
	"'gmatch', 'abc', '[a'",
	"'gmatch', 'a.b.c', '[^.]*'",
	"'gmatch', '(a)(b(c))', '%b()'",
	"'gmatch', 'THE (quick) fox', '%f[%a]%a+'",
	/* gsub with every kind of replacement */
	"'gsub', 'hello world', 'o', '0'",
	"'gsub', 'hello world', 'o', '0', 1",
	"'gsub', 'hello world', 'o', '0', 0",
	"'gsub', 'hello world', 'o', '0', -1",
	"'gsub', 'hello world', 'o', '0', 2.0",
	"'gsub', 'hello world', '(o)', '[%1%1]'",
	"'gsub', 'hello world', '%w+', '<%0>'",
	"'gsub', 'hello world', '%w+', '%1'",
	"'gsub', 'hello world', '%w+', '%2'",
	"'gsub', 'hello world', '(%w+)', '%2'",
	"'gsub', 'hello', 'l', '%%'",
	"'gsub', 'hello', 'l', '%'",
	"'gsub', 'hello', 'l', 'x%'",
	"'gsub', 'hello', 'l', '%a'",
	"'gsub', 'hello', 'l', '%\\0'",
	"'gsub', 'hello', '()l', '%1'",
	"'gsub', 'hello', '(l)', 7",
	"'gsub', 'hello', '', '-'",
	"'gsub', '', '', '-'",
	"'gsub', 'abc', 'x*', '-'",
	"'gsub', 'abc', '^', '>'",
	"'gsub', 'abc', '$', '<'",
	"'gsub', 'abc', '^a', 'A'",
	"'gsub', 'aaa', '^a', 'A'",
	"'gsub', 'abc', '^x', 'X'",
	"'gsub', 'abc', '^', 'X', 0",
	"'gsub', 'abc', '^(', 'X', 0",
	"'gsub', 'abc', '^(', 'X'",
	"'gsub', 'a.b', '.', '%0%0', 2",
	"'gsub', 'abc', '%w', '%0', 10",
	"'gsub', 'a b', '%s*', '_'",
	"'gsub', 'abc', '.', T",
	"'gsub', 'abc', '(.)', T",
	"'gsub', 'x1y', '%d', T",
	"'gsub', 'abc', '()', T",
	"'gsub', 'xyz', '(y)(z)', T",
	"'gsub', 'abc', '.', { a = {} }",
	"'gsub', 'abc', '.', { a = true }",
	"'gsub', 'abc', '%w', F",
	"'gsub', 'abc', '(%w)()', F",
	"'gsub', 'a1b', '%w', F",
	"'gsub', 'abc', '.', function() return {} end",
	"'gsub', 'abc', '.', function() return 2^53 end",
	"'gsub', 'abc', '.', function() error('boom') end",
	"'gsub', 'abc', '(.', F",
	"'gsub', 'abc', '.', nil",
	"'gsub', 'abc', '.', true",
	"'gsub', 'abc', '.', 'x', 'many'",
	"'gsub', 'abc', '.', 'x', 1.5",
	"'gsub', 'hello world from Lua', '(%w+)%s*(%w+)', '%2 %1'",
	"'gsub', '$name is $age', '%$(%w+)', { name = 'Ann', age = 41 }",
	"'gsub', 'abc', '%f[%w]', '^'",
	"'gsub', 'f(a) g(b)', '%b()', '()'",
	/* argument errors, same text either way */
	"'find', nil, 'a'",
	"'find', 'a', nil",
	"'find', 'a', 'a', 'x'",
	"'match', {}, 'a'",
	"'gmatch', 'a', {}",
	"'gmatch', 'a', 'a', 'x'",
	"'gsub', 'a'",
	"'gsub', 'a', 'a'",
};

static struct budget bud;

/* Count the steps charged; refuse once over the limit, if there is one. */
static int
charge(lua_State *L, void *ud, uint64_t steps)
{
	struct budget *b = ud;

	b->used += steps;
	b->calls++;
	if (steps > b->biggest)
		b->biggest = steps;
	return b->limit != 0 && b->used > b->limit;
}

/* Make global B: a copy of the string library with our functions. */
static void
make_lib(lua_State *L, const char *name, pattern_charge_fn fn, void *ud)
{
	lua_newtable(L);
	lua_getglobal(L, "string");
	lua_pushnil(L);
	while (lua_next(L, -2) != 0) {
		lua_pushvalue(L, -2);
		lua_insert(L, -2);
		lua_settable(L, -5);
	}
	lua_pop(L, 1);
	pattern_install(L, fn, ud);
	lua_setglobal(L, name);
}

/* Run a chunk; return its first result as a string (NULL for nil) copied
 * into out, or "ERR: msg" when it raises. */
static const char *
eval(lua_State *L, const char *src, char *out, size_t n)
{
	const char *r;

	if (luaL_loadbuffer(L, src, strlen(src), "case") != LUA_OK ||
	    lua_pcall(L, 0, 1, 0) != LUA_OK) {
		snprintf(out, n, "ERR: %s", lua_tostring(L, -1));
		lua_pop(L, 1);
		return out;
	}
	r = lua_tostring(L, -1);
	if (r != NULL)
		snprintf(out, n, "%s", r);
	lua_pop(L, 1);
	return r != NULL ? out : NULL;
}

/* Run every table case through both libraries. */
static void
test_cases(lua_State *L)
{
	char src[1024], out[4096];
	size_t i;

	for (i = 0; i < NELEM_CASES; i++) {
		snprintf(src, sizeof(src), "return cmp(%s)", cases[i]);
		is_str(eval(L, src, out, sizeof(out)), NULL, "same: %s",
		       cases[i]);
	}
	ok(NELEM_CASES >= 150, "at least 150 cases (%zu)", NELEM_CASES);
}

/* The harness must notice a difference, or the tests above prove nothing. */
static void
test_canary(lua_State *L)
{
	char out[4096];
	const char *r;

	r = eval(L,
	         "local W = setmetatable({ find = function(s, p, i, x)"
	         " local a, b = B.find(s, p, i, x) return a, b and b + 1 end },"
	         " { __index = B })"
	         " return cmp_with(W, 'find', 'abc', 'b')",
	         out, sizeof(out));
	like(r, "stock (2, 2) | ours (2, 3)", "a wrong result is reported");
	r = eval(L,
	         "local W = setmetatable({ match = function() error('x', 0) end },"
	         " { __index = B })"
	         " return cmp_with(W, 'match', 'abc', '(a')",
	         out, sizeof(out));
	like(r, "unfinished capture", "a different error is reported");
	r = eval(L, "return tostring(B.find == string.find or"
	            " B.gsub == string.gsub or B.match == string.match or"
	            " B.gmatch == string.gmatch)",
	         out, sizeof(out));
	is_str(r, "false", "B has its own find, match, gmatch and gsub");
	r = eval(L, "return tostring(B.format == string.format)", out,
	         sizeof(out));
	is_str(r, "true", "other string functions are left as they were");
}

static const char *const ptoks[] = {
	"a", "b", "a", "b", ".", "%a", "%d", "%s", "%w", "%W", "%l", "%p",
	"[ab]", "[^a]", "[a-c]", "[%d_]", "[]]", "[^%s]", "*", "+", "-", "?",
	"*", "+", "-", "?", "(", ")", "(", ")", "()", "%1", "%2", "%0",
	"%b()", "%bab", "%f[%w]", "%f[%W]", "%f[a]", "^", "$", "%", "[", "]",
	"x", "%.", "%(", "1", " ", "_", "%f", "%b", "[a", "%z", "%A",
	"%Z", "[%z]", "%f[%z]", "%b((", ".-", "a*", "[^%a%d]",
};
static const char subj_chars[] = "abab1 _()x.A\0";
static const char *const rtoks[] = {
	"x", "%0", "%1", "%2", "<", ">", "%%", "%", "%x", "", "%3",
};

static uint64_t rng_state = 0x2545F4914F6CDD1DULL;

/* A deterministic pseudo-random number below n. */
static unsigned
rnd(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % n);
}

/* Fill out with up to max random tokens from toks. */
static void
rand_join(char *out, size_t outsz, const char *const *toks, size_t ntoks,
          unsigned max)
{
	unsigned i, n = rnd(max + 1);

	out[0] = '\0';
	for (i = 0; i < n; i++)
		strncat(out, toks[rnd((unsigned)ntoks)],
		        outsz - strlen(out) - 1);
}

/* Push the optional arguments of a random call of kind k; return how many. */
static int
push_extra(lua_State *L, int k)
{
	char r[64];
	int u = (int)rnd(10);

	if (k == 3) {
		if (u < 6) {
			rand_join(r, sizeof(r), rtoks, NELEM_R, 3);
			lua_pushstring(L, r);
		} else
			lua_getglobal(L, u < 8 ? "F" : "T");
		if (rnd(3) == 0) {
			lua_pushinteger(L, (lua_Integer)rnd(5) - 1);
			return 2;
		}
		return 1;
	}
	if (u < 4)
		return 0;
	lua_pushinteger(L, (lua_Integer)rnd(30) - 15);
	if (k == 0 && rnd(4) == 0) {
		lua_pushboolean(L, 1);
		return 2;
	}
	return 1;
}

/* Compare both libraries on thousands of random patterns and subjects. */
static void
test_random(lua_State *L)
{
	static const char *const kinds[] = { "find", "match", "gmatch", "gsub" };
	char pat[256], subj[32], first[4096] = "";
	unsigned i, j, n, bad = 0, errs = 0, hits = 0, runs = 20000;
	int k, nx;

	for (i = 0; i < runs; i++) {
		k = (int)rnd(4);
		rand_join(pat, sizeof(pat), ptoks, NELEM_P, 7);
		n = rnd(13);
		for (j = 0; j < n; j++)
			subj[j] = subj_chars[rnd(sizeof(subj_chars))];
		lua_getglobal(L, "cmp");
		lua_pushstring(L, kinds[k]);
		lua_pushlstring(L, subj, n);
		lua_pushstring(L, pat);
		nx = push_extra(L, k);
		if (lua_pcall(L, 3 + nx, 1, 0) != LUA_OK || !lua_isnil(L, -1)) {
			if (bad++ == 0)
				snprintf(first, sizeof(first), "%s('%.*s', '%s'): %s",
				         kinds[k], (int)n, subj, pat,
				         lua_tostring(L, -1));
		}
		lua_pop(L, 1);
		lua_getglobal(L, "LAST");
		errs += strcmp(lua_tostring(L, -1), "error") == 0;
		hits += strcmp(lua_tostring(L, -1), "match") == 0;
		lua_pop(L, 1);
	}
	if (!ok(bad == 0, "random differential: %u of %u differ", bad, runs))
		printf("#   first: %s\n", first);
	ok(errs > runs / 20 && hits > runs / 5,
	   "random cases cover errors (%u) and matches (%u)", errs, hits);
}

/* Run src with a fresh budget of limit steps; return its error or NULL. */
static const char *
budgeted(lua_State *L, uint64_t limit, const char *src, char *out, size_t n)
{
	memset(&bud, 0, sizeof(bud));
	bud.limit = limit;
	return eval(L, src, out, n);
}

/* A runaway pattern stops at its budget, whatever function runs it. */
static void
test_budget(lua_State *L)
{
	static const char *const srcs[] = {
		"B.find(('a'):rep(100000), '.-.-.-.-x')",
		"B.match(('a'):rep(100000), '(.-)(.-)%1x')",
		"for _ in B.gmatch(('a'):rep(100000), '.-.-.-x') do end",
		"B.gsub(('a'):rep(100000), '.-.-.-x', '')",
		"B.find(('a'):rep(200000), ('a'):rep(100000) .. 'b', 1, true)",
		"B.find(('a'):rep(200000), ('a'):rep(100000) .. '.b')",
		"B.gsub(('a'):rep(2000000), 'b', 'c')",
		"B.gsub(('a'):rep(100000), '', ('x'):rep(100))",
		"B.find(('a'):rep(3000), '[' .. ('b'):rep(100000) .. ']x')",
	};
	char src[512], out[4096];
	const char *r;
	clock_t t0;
	size_t i;

	for (i = 0; i < NELEM(srcs); i++) {
		snprintf(src, sizeof(src),
		         "local ok, e = pcall(function() %s end)"
		         " return ok and 'finished' or e",
		         srcs[i]);
		t0 = clock();
		r = budgeted(L, 1000000, src, out, sizeof(out));
		like(r, "pattern too expensive: string matching exceeded the "
		        "rule's instruction budget",
		     "stopped: %s", srcs[i]);
		ok(bud.used > 1000000 && bud.used < 1000000 + 2 * 100000 + 4096,
		   "charged about the limit (%llu)",
		   (unsigned long long)bud.used);
		ok(clock() - t0 < 5 * CLOCKS_PER_SEC, "stopped quickly");
	}
}

/* Deep nesting is refused before the C stack is at risk. */
static void
test_depth(lua_State *L)
{
	static const char *const srcs[] = {
		"return select(2, pcall(B.match, ('a'):rep(300), ('a?'):rep(100000)))",
		"return select(2, pcall(B.find, ('a'):rep(300), ('a-'):rep(1000) .. 'b'))",
		"return select(2, pcall(B.match, 'a', ('()'):rep(30) .. ('.-'):rep(300)))",
		"return select(2, pcall(B.gsub, ('a'):rep(300), ('a?'):rep(300), ''))",
		"for _ in B.gmatch(('a'):rep(300), ('a?'):rep(300)) do end",
	};
	char out[4096];
	size_t i;

	for (i = 0; i < NELEM(srcs); i++)
		like(budgeted(L, 0, srcs[i], out, sizeof(out)),
		     "pattern too complex", "too complex: %s", srcs[i]);
}

/* Ordinary work under a generous budget runs to completion, gives what the
 * stock library gives, and pays in chunks. */
static void
test_generous(lua_State *L)
{
	static const char work[] =
		"local S = %s"
		" local doc = ('title: Policy\\nowner: ciso\\nreview: 12\\n')"
		":rep(2000)"
		" local n = 0"
		" for k, v in S.gmatch(doc, '(%%w+):%%s*([^\\n]*)') do"
		"  n = n + #k + #v end"
		" local s, c = S.gsub(doc, '%%f[%%w]ciso%%f[%%W]', 'CISO')"
		" local a, b, d = S.find(doc, 'review: (%%d+)', 5000)"
		" return n .. ' ' .. c .. ' ' .. a .. ' ' .. b .. ' ' .. d .."
		" ' ' .. S.match(s, 'owner: (%%u+)')"
		" .. select('#', S.find(('ab'):rep(50000), 'b$'))";
	char src[1024], want[256], out[256];
	const char *r;

	snprintf(src, sizeof(src), work, "string");
	eval(L, src, want, sizeof(want));
	snprintf(src, sizeof(src), work, "B");
	r = budgeted(L, 100000000, src, out, sizeof(out));
	is_str(r, want, "generous budget: same work done");
	like(r, "56000 2000 ", "generous budget: the work is real");
	ok(bud.calls > 0 && bud.used > 100000, "steps were charged (%llu)",
	   (unsigned long long)bud.used);
	ok(bud.biggest >= PATTERN_STEP_CHUNK &&
	           bud.used / bud.calls >= PATTERN_STEP_CHUNK,
	   "charged in chunks of %d or more", PATTERN_STEP_CHUNK);
}

/* Without a charge function nothing is counted, but depth still holds. */
static void
test_unmetered(lua_State *L)
{
	char out[4096];

	make_lib(L, "U", NULL, NULL);
	is_str(eval(L, "return U.gsub('a-b-c', '-', '+')", out, sizeof(out)),
	       "a+b+c", "no charge function: works");
	like(eval(L, "return select(2, pcall(U.find, 'aaa', ('a-'):rep(500)))",
	          out, sizeof(out)),
	     "pattern too complex", "no charge function: depth bound holds");
}

int
main(void)
{
	lua_State *L = luaL_newstate();

	luaL_openlibs(L);
	make_lib(L, "B", charge, &bud);
	lua_getglobal(L, "B");
	if (luaL_loadbuffer(L, harness, sizeof(harness) - 1, "harness") !=
	            LUA_OK ||
	    (lua_insert(L, -2), lua_pcall(L, 1, 0, 0)) != LUA_OK) {
		printf("Bail out! %s\n", lua_tostring(L, -1));
		return 1;
	}
	test_cases(L);
	test_canary(L);
	test_random(L);
	test_budget(L);
	test_depth(L);
	test_generous(L);
	test_unmetered(L);
	lua_close(L);
	return done_testing();
}
