/* sandbox.c - the Lua state rules run in.
 *
 * The budget is a count hook: every HOOK_EVERY instructions it adds to the
 * running total. C work that runs without instructions is charged too:
 * library functions whose cost grows with their arguments charge it before
 * they work (see "Charged library functions" below), string patterns per
 * matcher step, bindings through sandbox_charge, and the allocator per
 * byte it hands out, so that whatever builds large values pays for it.
 *
 * The total is compared with check_at, the nearer of the budget and the
 * next look at the clock, so the hot paths are one add and one compare;
 * past check_at the slow path checks the budget, the deadline and the
 * abort switch. Once a call is spent (out of budget, out of time or
 * aborted) the hook fires on every instruction and raises each time, so a
 * rule that catches the error with pcall or xpcall is stopped again at its
 * next instruction. New coroutines inherit the hook. The memory cap lives
 * in the allocator, which returns NULL past the limit: Lua turns that into
 * a memory error for the running call only. */
#include "sandbox.h"

#include <lauxlib.h>
#include <lualib.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pattern.h"
#include "log.h"
#include "alloc.h"
#include "err.h"

#define HOOK_EVERY  1000
#define CLOCK_EVERY (1u << 16) /* units between looks at the clock */
#define ALLOC_SHIFT 3          /* bytes allocated per unit */
#define BIG_ALLOC   (64u << 10)

/* Why a call must stop. */
enum { LIVE, SPENT_BUDGET, SPENT_TIME, SPENT_EVAL, SPENT_ABORT };

struct sandbox {
	lua_State *L;
	size_t mem, mem_limit;
	uint64_t steps, budget;
	uint64_t check_at;     /* steps at which the slow path runs */
	uint64_t deadline;     /* CLOCK_MONOTONIC ns; 0: none */
	uint32_t limit_ms;     /* the deadline, for the message */
	uint64_t cutoff;       /* the evaluation's end, CLOCK_MONOTONIC ns; 0: none */
	uint32_t eval_ms;      /* the evaluation's deadline, for the message */
	int cut;               /* the call's deadline is the evaluation's */
	uint64_t limit_budget; /* the budget of the last call, for the message */
	int running;           /* inside sandbox_call */
	int spent;             /* LIVE, or why the running call must stop */
	int env_ref;           /* metatable shared by rule environments */
	int globals_ref;       /* the allowed globals (a raw table, never handed out) */
	void *records;         /* the record bindings' own state (lua_record.c) */
};

static const char KINDS = 0; /* registry key: its address */

static atomic_int aborting;
static atomic_uint default_deadline = SANDBOX_DEFAULT_DEADLINE_MS;

static void hook(lua_State *L, lua_Debug *ar);

static uint64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Decide whether the running call may go on at sb->steps; when it may,
 * set the next check_at. Returns LIVE or why it must stop. */
static int
checkpoint(struct sandbox *sb)
{
	if (!sb->running) {
		sb->check_at = UINT64_MAX;
		return LIVE;
	}
	if (atomic_load_explicit(&aborting, memory_order_relaxed))
		return SPENT_ABORT;
	if (sb->steps > sb->budget)
		return SPENT_BUDGET;
	if (sb->deadline != 0 && now_ns() >= sb->deadline)
		return sb->cut ? SPENT_EVAL : SPENT_TIME;
	sb->check_at = sb->budget - sb->steps > CLOCK_EVERY ? sb->steps + CLOCK_EVERY : sb->budget;
	return LIVE;
}

/* The slow path of spend: add n (saturating) and check. */
static int
settle(struct sandbox *sb, uint64_t n)
{
	if (sb->spent)
		return sb->spent;
	sb->steps = n > UINT64_MAX - sb->steps ? UINT64_MAX : sb->steps + n;
	return checkpoint(sb);
}

/* Add n units to the running total. Returns LIVE, or why the call must
 * stop (the caller then calls stop). Keeps steps <= check_at while live. */
static inline int
spend(struct sandbox *sb, uint64_t n)
{
	if (n <= sb->check_at - sb->steps) {
		sb->steps += n;
		return LIVE;
	}
	return settle(sb, n);
}

/* Mark the running call spent for reason why (the first reason stays):
 * from now on the hook fires on every instruction of L (when not NULL)
 * and of the main thread, so that no pcall loop outlives it. */
static void
stop(struct sandbox *sb, lua_State *L, int why)
{
	if (!sb->spent) {
		sb->spent = why;
		sb->check_at = sb->steps;
	}
	if (L != NULL)
		lua_sethook(L, hook, LUA_MASKCOUNT, 1);
	if (L != sb->L)
		lua_sethook(sb->L, hook, LUA_MASKCOUNT, 1);
}

/* Say why a call was stopped, in buf. */
static const char *
spent_text(const struct sandbox *sb, char *buf, size_t size)
{
	if (sb->spent == SPENT_ABORT)
		return "evaluation stopped: the daemon is shutting down (the rule "
		       "did not finish)";
	if (sb->spent == SPENT_EVAL) {
		snprintf(buf, size,
		         "time limit exceeded: the evaluation ran past its deadline of %u ms "
		         "(eval_timeout) while this rule ran; the rule did not finish",
		         (unsigned)sb->eval_ms);
		return buf;
	}
	if (sb->spent != SPENT_TIME) {
		snprintf(buf, size,
		         "instruction budget exhausted: the rule ran too long (an endless "
		         "loop, or too much work) and used its %llu instructions",
		         (unsigned long long)sb->limit_budget);
		return buf;
	}
	snprintf(buf, size,
	         "time limit exceeded: the rule ran past its %u ms deadline "
	         "before spending its instruction budget (an endless loop, or "
	         "too much work)",
	         (unsigned)sb->limit_ms);
	return buf;
}

static int
raise_spent(lua_State *L, const struct sandbox *sb)
{
	char buf[200];
	return luaL_error(L, "%s", spent_text(sb, buf, sizeof(buf)));
}

/* Charge growth to the budget: allocation is how a library call or an
 * operator (.., string.sub, tostring) that builds a large value pays for
 * it. A spent call may not grow by large blocks any more, which ends a
 * pcall loop of copies at its next allocation. */
static void *
alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct sandbox *sb = ud;
	if (ptr == NULL)
		osize = 0;
	if (nsize == 0) {
		free(ptr);
		sb->mem -= osize;
		return NULL;
	}
	if (nsize > osize) {
		size_t grow = nsize - osize;
		if (sb->mem + grow > sb->mem_limit)
			return NULL;
		int why = spend(sb, grow >> ALLOC_SHIFT);
		if (why != LIVE) {
			stop(sb, NULL, why);
			if (grow >= BIG_ALLOC)
				return NULL;
		}
	}
	void *p = realloc(ptr, nsize);
	if (p == NULL)
		return NULL;
	sb->mem = sb->mem - osize + nsize;
	return p;
}

struct sandbox *
sandbox_of(lua_State *L)
{
	return *(struct sandbox **)lua_getextraspace(L);
}

static void
hook(lua_State *L, lua_Debug *ar)
{
	struct sandbox *sb = sandbox_of(L);
	uint64_t n = HOOK_EVERY;
	(void)ar;
	if (!sb->spent) {
		if (lua_gethookcount(L) != HOOK_EVERY) {
			/* a coroutine left fast by an earlier, spent call */
			lua_sethook(L, hook, LUA_MASKCOUNT, HOOK_EVERY);
			n = 1;
		}
		int why = spend(sb, n);
		if (why == LIVE && !atomic_load_explicit(&aborting, memory_order_relaxed))
			return;
		stop(sb, L, why == LIVE ? SPENT_ABORT : why);
	}
	raise_spent(L, sb);
}

void
sandbox_charge(lua_State *L, uint64_t n)
{
	struct sandbox *sb = sandbox_of(L);
	int why = spend(sb, n);
	if (why != LIVE) {
		stop(sb, L, why);
		raise_spent(L, sb);
	}
}

static int
pattern_charge(lua_State *L, void *ud, uint64_t steps)
{
	struct sandbox *sb = sandbox_of(L);
	(void)ud;
	int why = spend(sb, steps);
	if (why == LIVE)
		return 0;
	stop(sb, L, why);
	return 1;
}

void
sandbox_set_deadline(uint32_t ms)
{
	atomic_store(&default_deadline, ms);
}

uint32_t
sandbox_deadline(void)
{
	return atomic_load(&default_deadline);
}

void
sandbox_set_cutoff(struct sandbox *sb, double at, uint32_t limit_ms)
{
	sb->cutoff = at > 0 ? (uint64_t)(at * 1e6) : 0;
	if (at > 0 && sb->cutoff == 0)
		sb->cutoff = 1;
	sb->eval_ms = limit_ms;
}

void
sandbox_abort_all(void)
{
	atomic_store(&aborting, 1);
}

void
sandbox_abort_clear(void)
{
	atomic_store(&aborting, 0);
}

/* Read-only views of tables (the libraries, r:shared results). A view is
 * an empty table whose metatable's __index is the original table, so
 * that lookups stay inside the Lua VM (a table __index costs no C call),
 * which matters in the loops of rules over shared indexes; writes hit
 * __newindex and fail. Making a view hands the original over: nobody
 * else holds it (the libraries' real tables are kept away from rules, a
 * shared result is the builder's return value), and its nested tables
 * are replaced in place by their views, so nothing is copied. Views are
 * cached by the original, which keeps identity and cycles. */

static const char RO_MARK = 0; /* key in a view's metatable: its address */
static const char RO_CACHE = 0;

/* The original of the view at idx, pushed; 0 (nothing pushed) when idx
 * is not a view. */
static int
ro_shadow(lua_State *L, int idx)
{
	if (lua_type(L, idx) != LUA_TTABLE || !lua_getmetatable(L, idx))
		return 0;
	if (lua_rawgetp(L, -1, &RO_MARK) == LUA_TNIL) {
		lua_pop(L, 2);
		return 0;
	}
	lua_pop(L, 1);
	lua_getfield(L, -1, "__index");
	lua_remove(L, -2);
	return 1;
}

static void
push_ro(lua_State *L, int idx)
{
	idx = lua_absindex(L, idx);
	luaL_checkstack(L, 8, "read-only views nest too deep");
	lua_rawgetp(L, LUA_REGISTRYINDEX, &RO_CACHE);
	lua_pushvalue(L, idx);
	if (lua_rawget(L, -2) != LUA_TNIL) {
		lua_remove(L, -2);
		return;
	}
	lua_pop(L, 1);
	int cache = lua_gettop(L);
	lua_newtable(L); /* the view */
	int view = lua_gettop(L);
	lua_pushvalue(L, idx);
	lua_pushvalue(L, view);
	lua_rawset(L, cache);
	luaL_getmetatable(L, "isms.readonly");
	lua_createtable(L, 0, 8); /* the view's own metatable: the shared one's fields */
	lua_pushnil(L);
	while (lua_next(L, -3) != 0) {
		lua_pushvalue(L, -2);
		lua_insert(L, -2);
		lua_rawset(L, -4);
	}
	lua_pushvalue(L, idx);
	lua_setfield(L, -2, "__index");
	lua_pushboolean(L, 1);
	lua_rawsetp(L, -2, &RO_MARK);
	lua_setmetatable(L, view);
	lua_pop(L, 1); /* the shared metatable */
	/* Nested tables become views (replacing the value of a key that is
	 * there is allowed while lua_next walks the table). */
	size_t n = 0;
	lua_pushnil(L);
	while (lua_next(L, idx) != 0) {
		n++;
		if (lua_type(L, -1) == LUA_TTABLE) {
			if (ro_shadow(L, -1)) {
				lua_pop(L, 1); /* a view already */
			} else {
				push_ro(L, -1);
				lua_pushvalue(L, -3);
				lua_insert(L, -2);
				lua_rawset(L, idx);
			}
		}
		lua_pop(L, 1);
	}
	lua_settop(L, view);
	lua_remove(L, cache);
	/* The walk is C work the count hook does not see. */
	sandbox_charge(L, n);
}

void
sandbox_push_readonly(lua_State *L, int idx)
{
	luaL_checktype(L, idx, LUA_TTABLE);
	if (ro_shadow(L, idx)) {
		lua_pop(L, 1);
		lua_pushvalue(L, idx);
		return;
	}
	push_ro(L, idx);
}

static int
ro_newindex(lua_State *L)
{
	return luaL_error(L, "attempt to change a read-only table (the "
	                     "standard libraries, the SDK and the ISMS records "
	                     "are shared by every rule)");
}

static int
ro_len(lua_State *L)
{
	if (!ro_shadow(L, 1))
		return luaL_typeerror(L, 1, "read-only table");
	lua_pushinteger(L, (lua_Integer)lua_rawlen(L, -1));
	return 1;
}

static int
ro_pairs(lua_State *L)
{
	if (!ro_shadow(L, 1))
		return luaL_typeerror(L, 1, "read-only table");
	lua_getglobal(L, "next");
	lua_insert(L, -2);
	lua_pushnil(L);
	return 3;
}

static int
ro_tostring(lua_State *L)
{
	lua_pushfstring(L, "read-only table: %p", lua_topointer(L, 1));
	return 1;
}

/* next and rawlen as rules have them: a view answers for its shadow. */
static int
sb_next(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 2);
	if (ro_shadow(L, 1))
		lua_replace(L, 1);
	if (lua_next(L, 1))
		return 2;
	lua_pushnil(L);
	return 1;
}

static int
sb_rawlen(lua_State *L)
{
	int t = lua_type(L, 1);
	luaL_argexpected(L, t == LUA_TTABLE || t == LUA_TSTRING, 1, "table or string");
	if (ro_shadow(L, 1))
		lua_replace(L, 1);
	lua_pushinteger(L, (lua_Integer)lua_rawlen(L, 1));
	return 1;
}

void
sandbox_add_proxy_kind(lua_State *L, const char *tname)
{
	lua_rawgetp(L, LUA_REGISTRYINDEX, &KINDS);
	luaL_getmetatable(L, tname);
	lua_pushboolean(L, 1);
	lua_rawset(L, -3);
	lua_pop(L, 1);
}

int
sandbox_is_proxy(lua_State *L, int idx)
{
	if (lua_type(L, idx) != LUA_TUSERDATA || !lua_getmetatable(L, idx))
		return 0;
	lua_rawgetp(L, LUA_REGISTRYINDEX, &KINDS);
	lua_insert(L, -2);
	int yes = lua_rawget(L, -2) != LUA_TNIL;
	lua_pop(L, 2);
	return yes;
}

static void
make_ro_mt(lua_State *L)
{
	static const luaL_Reg mt[] = {
		{ "__newindex", ro_newindex }, { "__len", ro_len }, { "__pairs", ro_pairs },
		{ "__tostring", ro_tostring }, { NULL, NULL },
	};
	/* The fields every view's metatable starts from. */
	luaL_newmetatable(L, "isms.readonly");
	luaL_setfuncs(L, mt, 0);
	lua_pushliteral(L, "read-only");
	lua_setfield(L, -2, "__metatable");
	lua_pop(L, 1);
	lua_newtable(L);
	lua_newtable(L);
	lua_pushliteral(L, "k");
	lua_setfield(L, -2, "__mode");
	lua_setmetatable(L, -2);
	lua_rawsetp(L, LUA_REGISTRYINDEX, &RO_CACHE);
	lua_newtable(L);
	lua_rawsetp(L, LUA_REGISTRYINDEX, &KINDS);
}

/* Globals that differ from the stock ones. */

static int
sb_type(lua_State *L)
{
	luaL_checkany(L, 1);
	if (lua_type(L, 1) == LUA_TUSERDATA && sandbox_is_proxy(L, 1))
		lua_pushliteral(L, "table");
	else
		lua_pushstring(L, luaL_typename(L, 1));
	return 1;
}

static int
sb_collectgarbage(lua_State *L)
{
	const char *opt = luaL_optstring(L, 1, "count");
	if (strcmp(opt, "count") != 0)
		return luaL_error(L, "collectgarbage('%s') is not available to rules", opt);
	lua_pushnumber(L,
	               (lua_Number)lua_gc(L, LUA_GCCOUNT, 0) + lua_gc(L, LUA_GCCOUNTB, 0) / 1024.0);
	return 1;
}

static int
sb_print(lua_State *L)
{
	(void)L; /* rules report through findings; print is a no-op */
	return 0;
}

/* Charged library functions.
 *
 * Each wrapper charges the work of a stock function before it runs, so a
 * call the budget cannot pay is refused before it starts (one s:rep(1e9)
 * neither allocates nor loops). The stock function is upvalue 1; the
 * stock functions use no upvalues, so a wrapper calls it directly with
 * its own arguments. A unit is about one VM instruction:
 *   - bytes examined one by one (case, reversal, decoding, number
 *     parsing, format strings): one unit a byte (BYTE_COST for decoding);
 *   - bytes copied: a unit per 8 (COPY_SHIFT), which is also what the
 *     allocator charges, so functions that only build a new value
 *     (string.sub, string.pack, tostring, table.pack, ..) pay through it;
 *   - table elements moved, joined, shifted or returned: ELEM_COST each.
 * The table functions that take their length from # (concat, insert,
 * remove) are rewritten here with the stock semantics, so that # runs
 * once and the charge covers the loop that really runs. */
#define COPY_SHIFT 3
#define BYTE_COST  2
#define ELEM_COST  8
#ifdef LUAI_MAXSTACK
#define MAX_RESULTS LUAI_MAXSTACK
#else
#define MAX_RESULTS 1000000
#endif

static int
stock(lua_State *L)
{
	return lua_tocfunction(L, lua_upvalueindex(1))(L);
}

static uint64_t
add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t
mul_sat(uint64_t a, uint64_t b)
{
	return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

/* How many integers from i to j, both included; 0 when j < i. */
static uint64_t
count(lua_Integer i, lua_Integer j)
{
	if (j < i)
		return 0;
	uint64_t n = (uint64_t)j - (uint64_t)i;
	return n == UINT64_MAX ? n : n + 1;
}

/* The bytes from position i to j of a string of len bytes, with the
 * string library's rules for negative and out-of-range positions. */
static uint64_t
span(size_t len, lua_Integer i, lua_Integer j)
{
	lua_Integer n = (lua_Integer)len;
	if (i < 0)
		i = i < -n ? 1 : n + i + 1;
	else if (i == 0)
		i = 1;
	if (j < 0)
		j = j < -n ? 0 : n + j + 1;
	else if (j > n)
		j = n;
	return count(i, j);
}

/* Charge values results pushed on the stack; past the stack's limit the
 * stock function refuses before it works, with its own message. */
static void
charge_results(lua_State *L, uint64_t values)
{
	sandbox_charge(L, (values < MAX_RESULTS ? values : MAX_RESULTS) * ELEM_COST);
}

/* s:upper(), s:lower(), s:reverse(): every byte. */
static int
sb_bytewise(lua_State *L)
{
	size_t l;
	luaL_checklstring(L, 1, &l);
	sandbox_charge(L, l);
	return stock(L);
}

/* s:rep(n, sep): each copy, and the bytes made. */
static int
sb_rep(lua_State *L)
{
	size_t l, sl;
	luaL_checklstring(L, 1, &l);
	lua_Integer n = luaL_checkinteger(L, 2);
	luaL_optlstring(L, 3, "", &sl);
	if (n > 0)
		sandbox_charge(L, add_sat((uint64_t)n,
		                          mul_sat((uint64_t)n, add_sat(l, sl)) >> COPY_SHIFT));
	return stock(L);
}

/* s:byte(i, j): the values returned. */
static int
sb_byte(lua_State *L)
{
	size_t l;
	luaL_checklstring(L, 1, &l);
	lua_Integer i = luaL_optinteger(L, 2, 1);
	charge_results(L, span(l, i, luaL_optinteger(L, 3, i)));
	return stock(L);
}

/* string.char(...), utf8.char(...): the arguments. */
static int
sb_chars(lua_State *L)
{
	sandbox_charge(L, (uint64_t)lua_gettop(L) * BYTE_COST);
	return stock(L);
}

/* string.format(fmt, ...): the format and every string argument, which
 * %q escapes byte by byte (%s of other values pays by allocation). */
static int
sb_format(lua_State *L)
{
	size_t l;
	int top = lua_gettop(L);
	luaL_checklstring(L, 1, &l);
	uint64_t cost = l;
	for (int i = 2; i <= top; i++)
		if (lua_type(L, i) == LUA_TSTRING)
			cost += lua_rawlen(L, i);
	sandbox_charge(L, cost);
	return stock(L);
}

/* tonumber(s [, base]): the text parsed. */
static int
sb_tonumber(lua_State *L)
{
	if (lua_type(L, 1) == LUA_TSTRING)
		sandbox_charge(L, lua_rawlen(L, 1));
	return stock(L);
}

/* utf8.len(s, i, j): the bytes decoded. */
static int
sb_utf8_len(lua_State *L)
{
	size_t l;
	luaL_checklstring(L, 1, &l);
	uint64_t n = span(l, luaL_optinteger(L, 2, 1), luaL_optinteger(L, 3, -1));
	sandbox_charge(L, mul_sat(n, BYTE_COST));
	return stock(L);
}

/* utf8.codepoint(s, i, j): the bytes decoded, one value at most each. */
static int
sb_codepoint(lua_State *L)
{
	size_t l;
	luaL_checklstring(L, 1, &l);
	lua_Integer i = luaL_optinteger(L, 2, 1);
	charge_results(L, span(l, i, luaL_optinteger(L, 3, i)));
	return stock(L);
}

/* utf8.offset(s, n, i): the bytes it may walk, from i on towards the end
 * (n > 0) or the start. */
static int
sb_offset(lua_State *L)
{
	size_t l;
	luaL_checklstring(L, 1, &l);
	lua_Integer n = luaL_checkinteger(L, 2);
	lua_Integer i = luaL_optinteger(L, 3, n >= 0 ? 1 : (lua_Integer)l + 1);
	sandbox_charge(L, n > 0 ? span(l, i, -1) : span(l, 1, i));
	return stock(L);
}

/* table.move(a1, f, e, t [, a2]): the elements moved. */
static int
sb_move(lua_State *L)
{
	lua_Integer f = luaL_checkinteger(L, 2);
	lua_Integer e = luaL_checkinteger(L, 3);
	sandbox_charge(L, mul_sat(count(f, e), ELEM_COST));
	return stock(L);
}

/* table.unpack(t, i, j): the values returned; # is taken once, here. */
static int
sb_unpack(lua_State *L)
{
	lua_Integer i = luaL_optinteger(L, 2, 1);
	lua_Integer e = luaL_opt(L, luaL_checkinteger, 3, luaL_len(L, 1));
	charge_results(L, count(i, e));
	lua_settop(L, 1);
	lua_pushinteger(L, i);
	lua_pushinteger(L, e);
	return stock(L);
}

/* table.sort(t, lt): n log n comparisons. A length from a Lua __len could
 * differ between the charge and the sort, so it is refused. */
static int
sb_sort(lua_State *L)
{
	if (luaL_getmetafield(L, 1, "__len") != LUA_TNIL) {
		int ours = lua_iscfunction(L, -1);
		lua_pop(L, 1);
		if (!ours)
			return luaL_error(L, "table.sort cannot sort a table with a "
			                     "__len metamethod");
	}
	lua_Integer n = luaL_len(L, 1);
	uint64_t cost = (uint64_t)(n > 0 ? n : 0);
	for (lua_Integer m = n; m > 1; m >>= 1)
		cost = add_sat(cost, (uint64_t)n);
	sandbox_charge(L, cost);
	return stock(L);
}

#define TAB_R 1 /* read */
#define TAB_W 2 /* write */

static int
has_field(lua_State *L, const char *key, int n)
{
	lua_pushstring(L, key);
	return lua_rawget(L, -n) != LUA_TNIL;
}

/* Check that argument 1 is a table, or has the metamethods that stand
 * for what it must allow and for #; return # of it, taken once. */
static lua_Integer
tab_len(lua_State *L, int what)
{
	if (lua_type(L, 1) != LUA_TTABLE) {
		int n = 1;
		if (lua_getmetatable(L, 1) && (!(what & TAB_R) || has_field(L, "__index", ++n)) &&
		    (!(what & TAB_W) || has_field(L, "__newindex", ++n)) &&
		    has_field(L, "__len", ++n))
			lua_pop(L, n);
		else
			luaL_checktype(L, 1, LUA_TTABLE);
	}
	return luaL_len(L, 1);
}

static void
add_field(lua_State *L, luaL_Buffer *b, lua_Integer i)
{
	lua_geti(L, 1, i);
	if (!lua_isstring(L, -1))
		luaL_error(L, "invalid value (%s) at index %I in table for 'concat'",
		           luaL_typename(L, -1), (LUAI_UACINT)i);
	luaL_addvalue(b);
}

/* table.concat(t, sep, i, j): the elements and separators joined (their
 * bytes pay by allocation). */
static int
sb_concat(lua_State *L)
{
	luaL_Buffer b;
	size_t lsep;
	lua_Integer last = tab_len(L, TAB_R);
	const char *sep = luaL_optlstring(L, 2, "", &lsep);
	lua_Integer i = luaL_optinteger(L, 3, 1);
	last = luaL_optinteger(L, 4, last);
	sandbox_charge(L, mul_sat(count(i, last), ELEM_COST + (lsep >> COPY_SHIFT)));
	luaL_buffinit(L, &b);
	for (; i < last; i++) {
		add_field(L, &b, i);
		luaL_addlstring(&b, sep, lsep);
	}
	if (i == last)
		add_field(L, &b, i);
	luaL_pushresult(&b);
	return 1;
}

/* table.insert(t, [pos,] v): the elements shifted up. */
static int
sb_insert(lua_State *L)
{
	lua_Integer pos, e = tab_len(L, TAB_R | TAB_W);
	e = (lua_Integer)((lua_Unsigned)e + 1u); /* the first empty slot */
	switch (lua_gettop(L)) {
	case 2: pos = e; break;
	case 3:
		pos = luaL_checkinteger(L, 2);
		luaL_argcheck(L, (lua_Unsigned)pos - 1u < (lua_Unsigned)e, 2,
		              "position out of bounds");
		sandbox_charge(L, mul_sat((lua_Unsigned)e - (lua_Unsigned)pos, ELEM_COST));
		for (lua_Integer i = e; i > pos; i--) {
			lua_geti(L, 1, i - 1);
			lua_seti(L, 1, i);
		}
		break;
	default: return luaL_error(L, "wrong number of arguments to 'insert'");
	}
	lua_seti(L, 1, pos);
	return 0;
}

/* table.remove(t, pos): the elements shifted down. */
static int
sb_remove(lua_State *L)
{
	lua_Integer size = tab_len(L, TAB_R | TAB_W);
	lua_Integer pos = luaL_optinteger(L, 2, size);
	if (pos != size) /* argument 1 in the message, as Lua 5.4.4 has it */
		luaL_argcheck(L, (lua_Unsigned)pos - 1u <= (lua_Unsigned)size, 1,
		              "position out of bounds");
	if (pos < size)
		sandbox_charge(L, mul_sat((lua_Unsigned)size - (lua_Unsigned)pos, ELEM_COST));
	lua_geti(L, 1, pos);
	for (; pos < size; pos++) {
		lua_geti(L, 1, pos + 1);
		lua_seti(L, 1, pos);
	}
	lua_pushnil(L);
	lua_seti(L, 1, pos);
	return 1;
}

/* Every library function whose work grows with its arguments, and its
 * charging wrapper; lib NULL: a base function. */
static const struct {
	const char *lib, *fn;
	lua_CFunction w;
} charged[] = {
	{ "string", "upper", sb_bytewise },   { "string", "lower", sb_bytewise },
	{ "string", "reverse", sb_bytewise }, { "string", "rep", sb_rep },
	{ "string", "byte", sb_byte },        { "string", "char", sb_chars },
	{ "string", "format", sb_format },    { "utf8", "char", sb_chars },
	{ "utf8", "len", sb_utf8_len },       { "utf8", "codepoint", sb_codepoint },
	{ "utf8", "offset", sb_offset },      { "table", "move", sb_move },
	{ "table", "unpack", sb_unpack },     { "table", "sort", sb_sort },
	{ "table", "concat", sb_concat },     { "table", "insert", sb_insert },
	{ "table", "remove", sb_remove },     { NULL, "tonumber", sb_tonumber },
};

/* tostring(s) of text is s itself: the string metatable has no
 * __tostring and rules cannot give it one, so the stock function's
 * metatable lookups (a quarter of what `tostring(rec.id)` costs, and rules
 * do it for every id they report) are skipped. Otherwise as the stock
 * one. */
static int
sb_tostring(lua_State *L)
{
	if (lua_type(L, 1) == LUA_TSTRING) {
		lua_settop(L, 1);
		return 1;
	}
	luaL_checkany(L, 1);
	luaL_tolstring(L, 1, NULL);
	return 1;
}

/* Replace lib.fn (a global when lib is NULL) by w, with the stock
 * function as its upvalue. */
static void
wrap_lib_fn(lua_State *L, const char *lib, const char *fn, lua_CFunction w)
{
	if (lib == NULL)
		lua_pushglobaltable(L);
	else
		lua_getglobal(L, lib);
	lua_getfield(L, -1, fn);
	lua_pushcclosure(L, w, 1);
	lua_setfield(L, -2, fn);
	lua_pop(L, 1);
}

/* Patch the stock libraries in place: the string metatable's __index is
 * the string table, so method calls (s:find) must see the budgeted ones. */
static void
patch_libs(lua_State *L)
{
	lua_getglobal(L, "string");
	pattern_install(L, pattern_charge, NULL);
	lua_pushnil(L);
	lua_setfield(L, -2, "dump");
	lua_pop(L, 1);
	for (size_t i = 0; i < NELEM(charged); i++)
		wrap_lib_fn(L, charged[i].lib, charged[i].fn, charged[i].w);
	lua_pushcfunction(L, sb_tostring);
	lua_setglobal(L, "tostring");
	lua_getglobal(L, "math");
	lua_pushnil(L);
	lua_setfield(L, -2, "randomseed");
	lua_pop(L, 1);
	/* getmetatable("") must not reach the string table. */
	lua_pushliteral(L, "");
	lua_getmetatable(L, -1);
	lua_pushliteral(L, "read-only");
	lua_setfield(L, -2, "__metatable");
	lua_pop(L, 2);
}

/* Lua runs a message handler for an error raised by a hook with hooks
 * off, so a rule's handler must not run once the call is spent: it could
 * loop for ever. */
static int
guard_handler(lua_State *L)
{
	if (sandbox_of(L)->spent)
		return 1; /* the error value, unchanged */
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
	return lua_gettop(L);
}

static int
sb_xpcall(lua_State *L)
{
	luaL_checktype(L, 2, LUA_TFUNCTION);
	lua_pushvalue(L, 2);
	lua_pushcclosure(L, guard_handler, 1);
	lua_replace(L, 2);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
	return lua_gettop(L);
}

/* Finalizers run with hooks off, so rules may not set __gc. */
static int
sb_setmetatable(lua_State *L)
{
	if (lua_type(L, 2) == LUA_TTABLE) {
		lua_pushliteral(L, "__gc");
		if (lua_rawget(L, 2) != LUA_TNIL)
			return luaL_error(L, "rules may not set __gc (finalizers)");
		lua_pop(L, 1);
	}
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	return 1;
}

static int
sb_getmetatable(lua_State *L)
{
	luaL_checkany(L, 1);
	if (sandbox_is_proxy(L, 1)) {
		lua_pushliteral(L, "read-only");
		return 1;
	}
	if (!lua_getmetatable(L, 1))
		return 0;
	luaL_getmetafield(L, 1, "__metatable");
	return 1;
}

/* The allowed globals: copies of safe base functions and read-only
 * proxies of the safe libraries. */
static void
build_globals(struct sandbox *sb)
{
	static const char *const base[] = {
		"assert", "error",    "ipairs",   "pairs",    "pcall",
		"select", "tonumber", "tostring", "rawequal", NULL,
	};
	static const char *const libs[] = {
		"string", "table", "math", "utf8", "coroutine", NULL,
	};
	lua_State *L = sb->L;
	lua_newtable(L);
	for (const char *const *p = base; *p; p++) {
		lua_getglobal(L, *p);
		lua_setfield(L, -2, *p);
	}
	for (const char *const *p = libs; *p; p++) {
		lua_getglobal(L, *p);
		push_ro(L, -1);
		lua_setfield(L, -3, *p);
		lua_pop(L, 1);
	}
	lua_getglobal(L, "table");
	lua_getfield(L, -1, "unpack");
	lua_setfield(L, -3, "unpack");
	lua_pop(L, 1);
	lua_pushcfunction(L, sb_type);
	lua_setfield(L, -2, "type");
	lua_pushcfunction(L, sb_next);
	lua_setfield(L, -2, "next");
	lua_pushcfunction(L, sb_rawlen);
	lua_setfield(L, -2, "rawlen");
	lua_getglobal(L, "xpcall");
	lua_pushcclosure(L, sb_xpcall, 1);
	lua_setfield(L, -2, "xpcall");
	lua_getglobal(L, "setmetatable");
	lua_pushcclosure(L, sb_setmetatable, 1);
	lua_setfield(L, -2, "setmetatable");
	lua_pushcfunction(L, sb_getmetatable);
	lua_setfield(L, -2, "getmetatable");
	lua_pushcfunction(L, sb_collectgarbage);
	lua_setfield(L, -2, "collectgarbage");
	lua_pushcfunction(L, sb_print);
	lua_setfield(L, -2, "print");
	lua_pushliteral(L, LUA_VERSION);
	lua_setfield(L, -2, "_VERSION");
	sb->globals_ref = luaL_ref(L, LUA_REGISTRYINDEX);

	/* Environments read globals through this metatable. */
	lua_newtable(L);
	lua_rawgeti(L, LUA_REGISTRYINDEX, sb->globals_ref);
	lua_setfield(L, -2, "__index");
	lua_pushliteral(L, "environment");
	lua_setfield(L, -2, "__metatable");
	sb->env_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

struct sandbox *
sandbox_new(void)
{
	struct sandbox *sb = xcalloc(1, sizeof(*sb));
	sb->mem_limit = SIZE_MAX;
	sb->budget = UINT64_MAX;
	sb->check_at = UINT64_MAX;
	sb->L = lua_newstate(alloc, sb);
	if (sb->L == NULL)
		fatalx("cannot create a Lua state: out of memory");
	*(struct sandbox **)lua_getextraspace(sb->L) = sb;
	luaL_openlibs(sb->L);
	make_ro_mt(sb->L);
	patch_libs(sb->L);
	build_globals(sb);
	return sb;
}

void
sandbox_free(struct sandbox *sb)
{
	if (sb == NULL)
		return;
	lua_close(sb->L);
	free(sb);
}

void **
sandbox_records_slot(lua_State *L)
{
	return &sandbox_of(L)->records;
}

lua_State *
sandbox_lua(struct sandbox *sb)
{
	return sb->L;
}

void
sandbox_set_global(struct sandbox *sb, const char *name)
{
	lua_State *L = sb->L;
	lua_rawgeti(L, LUA_REGISTRYINDEX, sb->globals_ref);
	lua_insert(L, -2);
	lua_setfield(L, -2, name);
	lua_pop(L, 1);
}

void
sandbox_push_env(struct sandbox *sb)
{
	lua_newtable(sb->L);
	lua_rawgeti(sb->L, LUA_REGISTRYINDEX, sb->env_ref);
	lua_setmetatable(sb->L, -2);
}

int
sandbox_load(struct sandbox *sb, const char *chunkname, const char *src, size_t len)
{
	return sandbox_load_compiled(sb, chunkname, src, len, NULL, 0);
}

int
sandbox_load_compiled(struct sandbox *sb, const char *chunkname, const char *src, size_t len,
                      const char *bin, size_t binlen)
{
	lua_State *L = sb->L;
	char name[512];
	snprintf(name, sizeof(name), "@%s", chunkname);
	int rc = bin ? luaL_loadbufferx(L, bin, binlen, name, "b")
	             : luaL_loadbufferx(L, src, len, name, "t");
	if (rc != LUA_OK) {
		err_set("%s", lua_tostring(L, -1));
		lua_pop(L, 2);
		return -1;
	}
	lua_insert(L, -2);
	if (lua_setupvalue(L, -2, 1) == NULL)
		lua_pop(L, 1);
	return 0;
}

static int
message(lua_State *L)
{
	const char *msg = lua_tostring(L, 1);
	if (msg == NULL) {
		if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
			return 1;
		msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
	}
	lua_pushstring(L, msg);
	return 1;
}

int
sandbox_call(struct sandbox *sb, int nargs, int nresults, const struct sandbox_limits *lim)
{
	lua_State *L = sb->L;
	int base = lua_gettop(L) - nargs;
	int rc;
	lua_pushcfunction(L, message);
	lua_insert(L, base);
	sb->steps = 0;
	sb->spent = LIVE;
	sb->budget = sb->limit_budget = lim->budget;
	sb->limit_ms = sandbox_deadline();
	sb->deadline = sb->limit_ms ? now_ns() + (uint64_t)sb->limit_ms * 1000000u : 0;
	/* The evaluation's end, when it comes first, is the call's. */
	sb->cut = sb->cutoff != 0 && (sb->deadline == 0 || sb->cutoff < sb->deadline);
	if (sb->cut)
		sb->deadline = sb->cutoff;
	sb->running = 1;
	sb->spent = checkpoint(sb);
	if (sb->spent != LIVE) {
		rc = LUA_ERRRUN; /* aborted before it began */
	} else {
		sb->mem_limit = sb->mem + lim->mem_cap;
		lua_sethook(L, hook, LUA_MASKCOUNT, HOOK_EVERY);
		rc = lua_pcall(L, nargs, nresults, base);
		lua_sethook(L, NULL, 0, 0);
	}
	sb->running = 0;
	sb->budget = UINT64_MAX;
	sb->check_at = UINT64_MAX;
	sb->deadline = 0;
	sb->mem_limit = SIZE_MAX;
	if (rc == LUA_OK) {
		lua_remove(L, base);
		return 0;
	}
	if (sb->spent != LIVE) {
		char buf[200];
		err_set("%s", spent_text(sb, buf, sizeof(buf)));
	} else if (rc == LUA_ERRMEM)
		err_set("memory cap exceeded: the rule used more than "
		        "%zu MiB",
		        lim->mem_cap >> 20);
	else
		err_set("%s",
		        lua_tostring(L, -1) ? lua_tostring(L, -1) : "error object is not a string");
	sb->spent = LIVE;
	lua_settop(L, base - 1);
	return -1;
}

uint64_t
sandbox_steps(const struct sandbox *sb)
{
	return sb->steps;
}

size_t
sandbox_mem(const struct sandbox *sb)
{
	return sb->mem;
}
