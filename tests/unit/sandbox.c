/* sandbox.c - the budget charges library calls by their work; a deadline
 * and the abort switch stop a rule; pcall catches none of them. */
#include <lauxlib.h>
#include <lualib.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "doc.h"
#include "lua_record.h"
#include "sandbox.h"
#include "tap.h"
#include "cdefs.h"
#include "alloc.h"
#include "err.h"
#include "buf.h"

#define ABUSE_BUDGET 20000000ull /* a tenth of the default */
#define HUGE_BUDGET  (1ull << 50)
/* The deadline outside the deadline tests: far enough that the budget,
 * not the clock, ends every abuse even under valgrind. */
#define SLOW_DEADLINE_MS 120000u

static struct sandbox *sb;
static int env_ref; /* the environment every chunk here shares */

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run src in the shared environment under budget and mem; return its
 * result as text (the caller's to free), or NULL with *err the caller's. */
static char *
run_mem(const char *src, uint64_t budget, size_t mem, char **err)
{
	lua_State *L = sandbox_lua(sb);
	struct sandbox_limits lim = { budget, mem };
	char *out = NULL;

	*err = NULL;
	lua_rawgeti(L, LUA_REGISTRYINDEX, env_ref);
	if (sandbox_load(sb, "t.lua", src, strlen(src)) < 0) {
		*err = xstrdup(err_msg());
		return NULL;
	}
	if (sandbox_call(sb, 0, 1, &lim) < 0) {
		*err = xstrdup(err_msg());
		return NULL;
	}
	out = xstrdup(lua_tostring(L, -1) ? lua_tostring(L, -1) : "(not text)");
	lua_pop(L, 1);
	return out;
}

static char *
run(const char *src, uint64_t budget, char **err)
{
	return run_mem(src, budget, SANDBOX_DEFAULT_MEM_CAP, err);
}

/* Large values the abuses work on, built outside their budgets. */
static void
setup(void)
{
	static const char src[] = "big = ('x'):rep(16 << 20)\n"
	                          "mid = ('y\\n'):rep(1 << 19)\n"
	                          "spaces = (' '):rep(16 << 20)\n"
	                          "conts = ('\\x80'):rep(16 << 20)\n"
	                          "list, work, codes = {}, {}, {}\n"
	                          "for i = 1, 1000000 do list[i] = 'x' work[i] = i end\n"
	                          "for i = 1, 200000 do codes[i] = 65 end\n"
	                          "named = setmetatable({}, {__name = big})\n"
	                          "return 'ready'\n";
	char *err, *out;

	sb = sandbox_new();
	sandbox_push_env(sb);
	env_ref = luaL_ref(sandbox_lua(sb), LUA_REGISTRYINDEX);
	out = run_mem(src, HUGE_BUDGET, 1u << 30, &err);
	is_str(out, "ready", "the large inputs are built: %s", err ? err : "");
	free(out);
	free(err);
}

/* Each abuse of a charged function ends with the budget error, however
 * often it loops and whether or not it catches errors. */
static void
test_abuse(void)
{
	static const struct {
		const char *what, *body;
	} cases[] = {
		{ "s:upper()", "local u = big:upper()" },
		{ "s:lower()", "local u = big:lower()" },
		{ "s:reverse()", "local u = big:reverse()" },
		{ "s:rep() in a loop", "local u = mid:rep(16)" },
		{ "s:rep(1e9) at once", "local u = ('x'):rep(1e9)" },
		{ "s:rep(n, sep) near overflow", "local u = big:rep(math.maxinteger, big)" },
		{ "s:byte(i, j)", "local n = select('#', big:byte(1, 200000))" },
		{ "string.char", "local s = string.char(table.unpack(codes))" },
		{ "string.format %s", "local s = string.format('%s', big)" },
		{ "string.format %q", "local s = string.format('%q', mid)" },
		{ "a long format string", "local s = string.format(big)" },
		{ "tonumber", "local n = tonumber(spaces)" },
		{ "tonumber with a base", "local n = tonumber(big, 36)" },
		{ "utf8.len", "local n = utf8.len(big)" },
		{ "utf8.codepoint", "local n = select('#', utf8.codepoint(big, 1, 200000))" },
		{ "utf8.offset", "local n = utf8.offset(conts, 0, #conts)" },
		{ "utf8.char", "local s = utf8.char(table.unpack(codes))" },
		{ "table.concat", "local s = table.concat(list)" },
		{ "table.concat with a separator", "local s = table.concat(list, mid, 1, 3)" },
		{ "table.insert at the front", "table.insert(work, 1, 0) table.remove(work)" },
		{ "table.remove at the front", "table.remove(work, 1) table.insert(work, 0)" },
		{ "table.move", "local t = table.move(list, 1, #list, 1, {})" },
		{ "table.unpack", "local n = select('#', table.unpack(list, 1, 500000))" },
		{ "unpack", "local n = select('#', unpack(list, 1, 500000))" },
		{ "table.sort", "table.sort(work)" },
		{ "a long pattern", "local i = ('x'):find(big)" },
		{ "a plain find", "local i = big:find('z', 1, true)" },
		{ "the .. operator", "local s = big .. 'x'" },
		{ "s:sub()", "local s = big:sub(2)" },
		{ "tostring of a long __name", "local s = tostring(named)" },
	};
	char src[512], *err, *out;

	for (size_t i = 0; i < NELEM(cases); i++) {
		snprintf(src, sizeof(src), "while true do %s end", cases[i].body);
		out = run(src, ABUSE_BUDGET, &err);
		ok(out == NULL && err && strstr(err, "instruction budget exhausted"),
		   "%s in a loop ends with the budget error (%s)", cases[i].what, err ? err : out);
		free(out);
		free(err);
		snprintf(src, sizeof(src),
		         "while true do pcall(function() while true do %s end end) end "
		         "return 'caught'",
		         cases[i].body);
		out = run(src, ABUSE_BUDGET, &err);
		ok(out == NULL && err && strstr(err, "instruction budget exhausted"),
		   "%s: pcall does not catch the budget error (%s)", cases[i].what,
		   err ? err : out);
		free(out);
		free(err);
	}
	out = run("return #work", HUGE_BUDGET, &err);
	is_str(out, "1000000", "the shifts stopped between whole calls");
	free(out);
	free(err);
}

/* A loop over records pays for every field it reads. */
static void
test_records(void)
{
	struct buf y = { 0 };
	char *err, *out;
	lua_State *L = sandbox_lua(sb);

	buf_adds(&y, "people:\n");
	for (int i = 0; i < 20000; i++)
		buf_printf(&y, "  - id: p%d\n    name: Person %d\n    role: staff\n", i, i);
	struct doc *d = doc_parse("people/personnel.yaml", y.data, y.len);
	ok(d && d->root, "a register of 20,000 people parses");
	lua_record_init(L);
	lua_rawgeti(L, LUA_REGISTRYINDEX, env_ref);
	lua_record_push(L, node_get(d->root, "people"), d);
	lua_setfield(L, -2, "people");
	lua_pop(L, 1);
	out = run(
	        "local n = 0 for _, p in ipairs(people) do if p.role == 'staff' then n = n + 1 end "
	        "end return n .. ' ' .. people[20000].name",
	        ABUSE_BUDGET, &err);
	is_str(out, "20000 Person 19999", "reading every record once is within budget: %s",
	       err ? err : "");
	free(out);
	free(err);
	out = run("local seen = {} for _, p in ipairs(people) do seen[p] = true end "
	          "local n = 0 for i = #people, 1, -1 do if seen[people[i]] then n = n + 1 end end "
	          "return n",
	          ABUSE_BUDGET, &err);
	is_str(out, "20000", "each of 20,000 records keeps its identity as a table key: %s",
	       err ? err : "");
	free(out);
	free(err);
	lua_gc(L, LUA_GCCOLLECT, 0);
	out = run("local a = people[3] return tostring(a == people[3]) .. ' ' .. a.name", ABUSE_BUDGET,
	          &err);
	is_str(out, "true Person 2", "a record made again after a collection is the same record: %s",
	       err ? err : "");
	free(out);
	free(err);
	out = run("while true do for _, p in ipairs(people) do local _ = p.name end end",
	          ABUSE_BUDGET, &err);
	ok(out == NULL && err && strstr(err, "instruction budget exhausted"),
	   "reading them again and again ends with the budget error (%s)", err ? err : out);
	free(out);
	free(err);
	out = run("while true do for k, v in pairs(people[1]) do end end", ABUSE_BUDGET, &err);
	ok(out == NULL && err && strstr(err, "instruction budget exhausted"),
	   "so does iterating over fields (%s)", err ? err : out);
	free(out);
	free(err);
	lua_gc(L, LUA_GCCOLLECT, 0); /* the proxies borrow d */
	lua_rawgeti(L, LUA_REGISTRYINDEX, env_ref);
	lua_pushnil(L);
	lua_setfield(L, -2, "people");
	lua_pop(L, 1);
	lua_gc(L, LUA_GCCOLLECT, 0);
	doc_free(d);
	buf_free(&y);
}

/* Normal use of every charged function gives what the stock library
 * gives, errors included. */
static const char normal[] =
        "local out = {}\n"
        "local function put(...)\n"
        "  local t = table.pack(...)\n"
        "  for i = 1, t.n do out[#out + 1] = tostring(t[i]) end\n"
        "end\n"
        "local function try(f, ...) put(pcall(f, ...)) end\n"
        "put(('abc'):upper(), ('ÀBC'):lower(), ('abc'):reverse(), (''):upper())\n"
        "put(('ab'):rep(3), ('ab'):rep(3, ', '), ('ab'):rep(0), ('ab'):rep(-1, 'x'))\n"
        "put(('abc'):byte(), ('abc'):byte(2), ('abc'):byte(1, -1), ('abc'):byte(-2, 10))\n"
        "put(('abc'):byte(4), ('abc'):byte(0), ('abc'):byte(3, 1))\n"
        "put(string.char(), string.char(72, 105))\n"
        "try(string.char, 256)\n"
        "put(string.format('%5.1f|%s|%q|%d|%x', 1.25, 'x', 'a\\n\\0', 42, 255))\n"
        "put(string.format('%s %s', 1, true), string.format('%-5s|', 'ab'))\n"
        "try(string.format, '%d', 'x')\n"
        "try(string.format, '%s')\n"
        "put(tonumber('0x10'), tonumber(' 12 '), tonumber('z', 36), tonumber('1e2'))\n"
        "put(tonumber('nope'), tonumber(12), tonumber(nil))\n"
        "try(tonumber, 'z', 99)\n"
        "put(utf8.len('héllo'), utf8.len('héllo', 3), utf8.len('héllo', -2), utf8.len('\\xff'))\n"
        "try(utf8.len, 'abc', 5)\n"
        "put(utf8.codepoint('héllo'), utf8.codepoint('héllo', 1, -1))\n"
        "try(utf8.codepoint, '\\xff')\n"
        "put(utf8.offset('héllo', 3), utf8.offset('héllo', -1), utf8.offset('héllo', 0, 3))\n"
        "put(utf8.offset('héllo', 10), utf8.offset('abc', 1, 4))\n"
        "try(utf8.offset, 'héllo', 1, 3)\n"
        "put(utf8.char(), utf8.char(72, 233, 0x10FFFF))\n"
        "local t = {'a', 'b', 'c', 1, 2.5}\n"
        "put(table.concat(t), table.concat(t, ', '), table.concat(t, '-', 2, 3))\n"
        "put(table.concat(t, '-', 4, 3), table.concat({}), table.concat(t, '', 5))\n"
        "try(table.concat, {1, {}, 3})\n"
        "try(table.concat, 'x')\n"
        "try(table.concat, t, '', 1, 6)\n"
        "local u = {1, 2, 3}\n"
        "table.insert(u, 4) table.insert(u, 1, 0) table.insert(u, 6, 9)\n"
        "put(table.concat(u, ','))\n"
        "try(table.insert, u, 8, 1)\n"
        "try(table.insert, u, 0, 1)\n"
        "try(table.insert, u, 1, 2, 3)\n"
        "try(table.insert, u)\n"
        "put(table.remove(u), table.remove(u, 1), table.remove(u, #u + 1), table.concat(u, ','))\n"
        "put(table.remove({}), table.remove({}, 0))\n"
        "try(table.remove, u, 7)\n"
        "put(table.concat(table.move({1, 2, 3}, 1, 3, 2), ','))\n"
        "put(table.concat(table.move({1, 2, 3}, 2, 3, 1, {}), ','), #table.move({}, 1, 0, 1))\n"
        "put(table.unpack({1, 2, 3})) put(table.unpack({1, 2, 3}, 2)) put(table.unpack({1, 2, 3}, "
        "2, 4))\n"
        "put(select('#', table.unpack({}, 1, 0)), select('#', table.unpack({1}, 3, 1)))\n"
        "try(table.unpack, {}, 1, 1e8)\n"
        "local s = {5, 3, 9, 1}\n"
        "table.sort(s) put(table.concat(s, ','))\n"
        "table.sort(s, function(a, b) return a > b end) put(table.concat(s, ','))\n"
        "try(table.sort, {3, 'x', 1})\n"
        "local lenny = setmetatable({}, {__index = function(_, i) return 'i' .. i end,\n"
        "                                __len = function() return 3 end})\n"
        "put(table.concat(lenny, ','), table.unpack(lenny))\n"
        "put(('abc'):sub(2), ('abc'):sub(-2, -1), ('x'):rep(50):sub(3, 45):len())\n"
        "put(('a.b'):find('.', 1, true), ('abc'):find('b'), ('abc'):find(''))\n"
        "return table.concat(out, ' | ')\n";

static void
test_normal(void)
{
	lua_State *S = luaL_newstate();
	char *err, *out;
	const char *want;

	luaL_openlibs(S);
	if (luaL_loadbufferx(S, normal, strlen(normal), "@t.lua", "t") != LUA_OK ||
	    lua_pcall(S, 0, 1, 0) != LUA_OK)
		want = NULL;
	else
		want = lua_tostring(S, -1);
	ok(want != NULL, "the stock library runs the cases: %s",
	   want ? "yes" : lua_tostring(S, -1));
	out = run(normal, ABUSE_BUDGET, &err);
	is_str(out, want, "the charged functions give the stock results: %s", err ? err : "");
	free(out);
	free(err);
	lua_close(S);

	out = run("local t = setmetatable({3, 1, 2}, {__len = function() return 3 end}) "
	          "return tostring(pcall(table.sort, t))",
	          ABUSE_BUDGET, &err);
	is_str(out, "false", "table.sort refuses a length from a Lua __len: %s", err ? err : "");
	free(out);
	free(err);
	out = run("local t = setmetatable({3, 1, 2}, {__index = function() end}) table.sort(t) "
	          "return table.concat(t, ',')",
	          ABUSE_BUDGET, &err);
	is_str(out, "1,2,3", "but sorts a table with other metamethods: %s", err ? err : "");
	free(out);
	free(err);
}

/* The deadline stops what the budget would allow, pcall or not. */
static void
test_deadline(void)
{
	static const char *const loops[] = {
		"while true do end",
		"while true do pcall(function() while true do end end) end",
		"while true do local u = big:upper() end",
		"local co = coroutine.wrap(function() while true do end end) co()",
	};
	char *err, *out;

	sandbox_set_deadline(200);
	for (size_t i = 0; i < NELEM(loops); i++) {
		double t0 = now_s();
		out = run(loops[i], HUGE_BUDGET, &err);
		double dt = now_s() - t0;
		ok(out == NULL && err && strstr(err, "time limit exceeded") &&
		           strstr(err, "200 ms"),
		   "'%s' ends at the deadline (%s)", loops[i], err ? err : out);
		ok(dt < 5.0, "and soon after it (%.2f s)", dt);
		free(out);
		free(err);
	}
	out = run("return 'quick'", HUGE_BUDGET, &err);
	is_str(out, "quick", "a call after it has its own deadline: %s", err ? err : "");
	free(out);
	free(err);
	sandbox_set_deadline(SLOW_DEADLINE_MS);
}

/* The evaluation's end (sandbox_set_cutoff) stops a call before the
 * rule's own deadline, and says that it was the evaluation's. */
static void
test_cutoff(void)
{
	char *err, *out;
	double t0 = now_s();
	sandbox_set_cutoff(sb, t0 * 1000 + 200, 200);
	out = run("while true do end", HUGE_BUDGET, &err);
	double dt = now_s() - t0;
	ok(out == NULL && err && strstr(err, "the evaluation ran past its deadline of 200 ms"),
	   "a loop ends at the evaluation's end (%s)", err ? err : out);
	ok(dt < 5.0, "and soon after it (%.2f s)", dt);
	free(out);
	free(err);
	out = run("return 'late'", HUGE_BUDGET, &err);
	ok(out == NULL && err && strstr(err, "(eval_timeout)"),
	   "a call after the evaluation's end fails at once (%s)", err ? err : out);
	free(out);
	free(err);
	sandbox_set_cutoff(sb, 0, 0);
	out = run("return 'quick'", HUGE_BUDGET, &err);
	is_str(out, "quick", "without a cutoff calls run: %s", err ? err : "");
	free(out);
	free(err);
}

static void *
run_forever(void *arg)
{
	char *err = NULL;
	char *out = run(arg, HUGE_BUDGET, &err);
	free(out);
	return err;
}

/* sandbox_abort_all stops a running rule from another thread, and every
 * later one, until cleared. */
static void
test_abort(void)
{
	static const char *const loops[] = {
		"while true do end",
		"while true do pcall(function() while true do end end) end",
		("while true do pcall(function() while true do local t = table.concat(list) end "
		 "end) end"),
	};
	char *err, *out;

	for (size_t i = 0; i < NELEM(loops); i++) {
		pthread_t t;
		void *res = NULL;
		pthread_create(&t, NULL, run_forever, (void *)loops[i]);
		usleep(100000);
		double t0 = now_s();
		sandbox_abort_all();
		pthread_join(t, &res);
		double dt = now_s() - t0;
		err = res;
		ok(err && strstr(err, "shutting down"), "'%s' stops on abort (%s)", loops[i],
		   err ? err : "(finished)");
		ok(dt < 5.0, "and soon after it (%.2f s)", dt);
		free(err);
		out = run("return 'later'", HUGE_BUDGET, &err);
		ok(out == NULL && err && strstr(err, "shutting down"),
		   "a later call fails at once (%s)", err ? err : out);
		free(out);
		free(err);
		sandbox_abort_clear();
	}
	out = run("return 'again'", HUGE_BUDGET, &err);
	is_str(out, "again", "cleared, calls run again: %s", err ? err : "");
	free(out);
	free(err);
}

/* Read-only views (the libraries, r:shared results): lookups, length,
 * pairs, next and nesting answer as the table would; every write fails. */
static void
test_views(void)
{
	lua_State *L = sandbox_lua(sb);
	char *err, *out;

	if (luaL_dostring(L, "return { list = { 10, 20, 30 }, name = 'x', deep = { { k = 'v' } } }") != LUA_OK)
		lua_pushnil(L); /* the cases below then fail and say so */
	lua_rawgeti(L, LUA_REGISTRYINDEX, env_ref);
	sandbox_push_readonly(L, -2);
	lua_setfield(L, -2, "ro");
	lua_pop(L, 2);
	static const struct {
		const char *src, *want, *what;
	} cases[] = {
		{ "return ro.name .. #ro.list .. ro.list[2] .. ro.deep[1].k", "x320v", "fields, length, items, nesting" },
		{ "local s = 0 for _, v in ipairs(ro.list) do s = s + v end return tostring(s)", "60", "ipairs" },
		{ "local n = 0 for k in pairs(ro) do n = n + 1 end return tostring(n)", "3", "pairs" },
		{ "return tostring(next(ro) ~= nil) .. tostring(next({}) == nil)", "truetrue", "next" },
		{ "return tostring(rawlen(ro.list))", "3", "rawlen" },
		{ "return type(ro) .. type(ro.list) .. type(string)", "tabletabletable", "type" },
		{ "return tostring(ro.list == ro.list) .. tostring(ro.deep[1] == ro.deep[1])", "truetrue", "identity" },
		{ "return tostring(getmetatable(ro))", "read-only", "the metatable is hidden" },
		{ "return tostring(pcall(function() ro.name = 'y' end))", "false", "a field cannot change" },
		{ "return tostring(pcall(function() ro.list[4] = 1 end))", "false", "a nested list cannot grow" },
		{ "return tostring(pcall(function() ro.deep[1].k = 1 end)) .. ro.deep[1].k", "falsev", "nor a nested field change" },
		{ "return tostring(pcall(setmetatable, ro, {}))", "false", "the metatable cannot be replaced" },
		{ "return tostring(pcall(function() string.format = nil end)) .. string.format('%d', 7)", "false7", "the libraries are views too" },
		{ "return tostring(pcall(table.insert, ro.list, 1))", "false", "table.insert cannot write through" },
		{ "return table.concat(ro.list, ',')", "10,20,30", "table.concat reads a view" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		out = run(cases[i].src, ABUSE_BUDGET, &err);
		is_str(out, cases[i].want, "view: %s%s%s", cases[i].what, err ? ": " : "", err ? err : "");
		free(out);
		free(err);
	}
}

int
main(void)
{
	is_int(sandbox_deadline(), SANDBOX_DEFAULT_DEADLINE_MS, "the default deadline is set");
	sandbox_set_deadline(SLOW_DEADLINE_MS);
	setup();
	test_normal();
	test_abuse();
	test_records();
	test_views();
	test_deadline();
	test_cutoff();
	test_abort();
	luaL_unref(sandbox_lua(sb), LUA_REGISTRYINDEX, env_ref);
	sandbox_free(sb);
	return done_testing();
}
