/* sandbox.c - the Lua state rules run in.
 *
 * The budget is a count hook: every HOOK_EVERY instructions it adds to the
 * running total; once the total passes the budget the hook fires on every
 * instruction and raises each time, so a rule that catches the error with
 * pcall or xpcall is stopped again at its next instruction. New coroutines inherit the hook.
 * C work that runs without instructions (string patterns, sort, rep) is
 * charged explicitly through sandbox_charge. The memory cap lives in the
 * allocator, which returns NULL past the limit: Lua turns that into a
 * memory error for the running call only. */
#include "sandbox.h"

#include <lauxlib.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"
#include "log.h"
#include "alloc.h"
#include "err.h"

#define HOOK_EVERY 1000

struct sandbox {
	lua_State *L;
	size_t mem, mem_limit;
	uint64_t steps, budget;
	int exhausted;
	int env_ref;     /* metatable shared by rule environments */
	int globals_ref; /* the allowed globals (a raw table, never handed out) */
};

static const char RO_MT[] = "isms.readonly";
static const char RO_CACHE[] = "isms.readonly.cache";
static const char KINDS[] = "isms.proxykinds";

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
	if (nsize > osize && sb->mem + (nsize - osize) > sb->mem_limit)
		return NULL;
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

static int
budget_error(lua_State *L)
{
	return luaL_error(L, "instruction budget exhausted: the rule ran too "
	                     "long (an endless loop, or too much work)");
}

static void hook(lua_State *L, lua_Debug *ar);

/* Spend the budget: from now on the hook fires on every instruction of
 * this thread and of the main thread, so that no pcall loop outlives it. */
static void
exhaust(struct sandbox *sb, lua_State *L)
{
	sb->exhausted = 1;
	lua_sethook(L, hook, LUA_MASKCOUNT, 1);
	if (L != sb->L)
		lua_sethook(sb->L, hook, LUA_MASKCOUNT, 1);
}

static void
hook(lua_State *L, lua_Debug *ar)
{
	struct sandbox *sb = sandbox_of(L);
	(void)ar;
	if (!sb->exhausted) {
		if (lua_gethookcount(L) != HOOK_EVERY) {
			/* a coroutine left fast by an earlier, exhausted call */
			lua_sethook(L, hook, LUA_MASKCOUNT, HOOK_EVERY);
			sb->steps++;
			return;
		}
		sb->steps += HOOK_EVERY;
		if (sb->steps <= sb->budget)
			return;
		exhaust(sb, L);
	}
	budget_error(L);
}

void
sandbox_charge(lua_State *L, uint64_t n)
{
	struct sandbox *sb = sandbox_of(L);
	if (sb->budget == UINT64_MAX)
		return;
	sb->steps += n;
	if (sb->steps > sb->budget || sb->exhausted) {
		exhaust(sb, L);
		budget_error(L);
	}
}

static int
pattern_charge(lua_State *L, void *ud, uint64_t steps)
{
	struct sandbox *sb = sandbox_of(L);
	(void)ud;
	if (sb->budget == UINT64_MAX)
		return 0;
	sb->steps += steps;
	if (sb->steps > sb->budget || sb->exhausted) {
		exhaust(sb, L);
		return 1;
	}
	return 0;
}

/* Read-only proxies of tables. */

static void
push_ro(lua_State *L, int idx)
{
	idx = lua_absindex(L, idx);
	lua_getfield(L, LUA_REGISTRYINDEX, RO_CACHE);
	lua_pushvalue(L, idx);
	if (lua_rawget(L, -2) != LUA_TNIL) {
		lua_remove(L, -2);
		return;
	}
	lua_pop(L, 1);
	lua_newuserdatauv(L, 0, 1);
	lua_pushvalue(L, idx);
	lua_setiuservalue(L, -2, 1);
	luaL_setmetatable(L, RO_MT);
	lua_pushvalue(L, idx);
	lua_pushvalue(L, -2);
	lua_rawset(L, -4);
	lua_remove(L, -2);
}

void
sandbox_push_readonly(lua_State *L, int idx)
{
	luaL_checktype(L, idx, LUA_TTABLE);
	push_ro(L, idx);
}

static void
ro_raw(lua_State *L, int idx)
{
	luaL_checkudata(L, idx, RO_MT);
	lua_getiuservalue(L, idx, 1);
}

/* Wrap the value at the top if it is a table. */
static void
wrap_top(lua_State *L)
{
	if (lua_type(L, -1) == LUA_TTABLE) {
		push_ro(L, -1);
		lua_remove(L, -2);
	}
}

static int
ro_index(lua_State *L)
{
	ro_raw(L, 1);
	lua_pushvalue(L, 2);
	lua_rawget(L, -2);
	wrap_top(L);
	return 1;
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
	ro_raw(L, 1);
	lua_pushinteger(L, (lua_Integer)lua_rawlen(L, -1));
	return 1;
}

static int
ro_next(lua_State *L)
{
	ro_raw(L, 1);
	lua_pushvalue(L, 2);
	if (lua_next(L, -2) == 0)
		return 0;
	wrap_top(L);
	return 2;
}

static int
ro_pairs(lua_State *L)
{
	luaL_checkudata(L, 1, RO_MT);
	lua_pushcfunction(L, ro_next);
	lua_pushvalue(L, 1);
	lua_pushnil(L);
	return 3;
}

static int
ro_tostring(lua_State *L)
{
	lua_pushfstring(L, "read-only table: %p", lua_topointer(L, 1));
	return 1;
}

void
sandbox_add_proxy_kind(lua_State *L, const char *tname)
{
	lua_getfield(L, LUA_REGISTRYINDEX, KINDS);
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
	lua_getfield(L, LUA_REGISTRYINDEX, KINDS);
	lua_insert(L, -2);
	int yes = lua_rawget(L, -2) != LUA_TNIL;
	lua_pop(L, 2);
	return yes;
}

static void
make_ro_mt(lua_State *L)
{
	static const luaL_Reg mt[] = {
		{ "__index", ro_index }, { "__newindex", ro_newindex }, { "__len", ro_len },
		{ "__pairs", ro_pairs }, { "__tostring", ro_tostring }, { NULL, NULL },
	};
	luaL_newmetatable(L, RO_MT);
	luaL_setfuncs(L, mt, 0);
	lua_pushliteral(L, "read-only");
	lua_setfield(L, -2, "__metatable");
	lua_pop(L, 1);
	lua_newtable(L);
	lua_newtable(L);
	lua_pushliteral(L, "k");
	lua_setfield(L, -2, "__mode");
	lua_setmetatable(L, -2);
	lua_setfield(L, LUA_REGISTRYINDEX, RO_CACHE);
	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, KINDS);
	sandbox_add_proxy_kind(L, RO_MT);
}

/* Globals that differ from the stock ones. */

static int
sb_type(lua_State *L)
{
	luaL_checkany(L, 1);
	if (sandbox_is_proxy(L, 1))
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

/* table.sort and string.rep do their work in C: charge it first. */
static int
sb_sort(lua_State *L)
{
	lua_Integer n = luaL_len(L, 1);
	uint64_t cost = (uint64_t)(n > 0 ? n : 0);
	for (lua_Integer m = n; m > 1; m >>= 1)
		cost += (uint64_t)n;
	sandbox_charge(L, cost);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 0);
	return 0;
}

static int
sb_rep(lua_State *L)
{
	size_t l;
	luaL_checklstring(L, 1, &l);
	lua_Integer n = luaL_checkinteger(L, 2);
	size_t sl = 0;
	if (!lua_isnoneornil(L, 3))
		luaL_checklstring(L, 3, &sl);
	if (n > 0)
		sandbox_charge(L, (uint64_t)n * (l + sl) / 16 + 1);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	return 1;
}

static void
wrap_lib_fn(lua_State *L, const char *lib, const char *fn, lua_CFunction w)
{
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
	wrap_lib_fn(L, "string", "rep", sb_rep);
	wrap_lib_fn(L, "table", "sort", sb_sort);
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
 * off, so a rule's handler must not run for the budget error: it could
 * loop for ever. */
static int
guard_handler(lua_State *L)
{
	if (sandbox_of(L)->exhausted)
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
		"assert", "error",    "ipairs",   "next",     "pairs",  "pcall",
		"select", "tonumber", "tostring", "rawequal", "rawlen", NULL,
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
	lua_State *L = sb->L;
	char name[512];
	snprintf(name, sizeof(name), "@%s", chunkname);
	if (luaL_loadbufferx(L, src, len, name, "t") != LUA_OK) {
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
	lua_pushcfunction(L, message);
	lua_insert(L, base);
	sb->steps = 0;
	sb->exhausted = 0;
	sb->budget = lim->budget;
	sb->mem_limit = sb->mem + lim->mem_cap;
	lua_sethook(L, hook, LUA_MASKCOUNT, HOOK_EVERY);
	int rc = lua_pcall(L, nargs, nresults, base);
	lua_sethook(L, NULL, 0, 0);
	sb->budget = UINT64_MAX;
	sb->mem_limit = SIZE_MAX;
	if (rc == LUA_OK) {
		lua_remove(L, base);
		return 0;
	}
	if (rc == LUA_ERRMEM)
		err_set("memory cap exceeded: the rule used more than "
		        "%zu MiB",
		        lim->mem_cap >> 20);
	else if (sb->exhausted)
		err_set("instruction budget exhausted: the rule ran too "
		        "long (an endless loop, or too much work)");
	else
		err_set("%s",
		        lua_tostring(L, -1) ? lua_tostring(L, -1) : "error object is not a string");
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
