/* lua_date.c - date values for rules: civil dates with month arithmetic,
 * comparison and ISO 8601 text. Dates are immutable. */
#include "lua_date.h"

#include <lauxlib.h>

#include "date.h"
#include "sandbox.h"
#include "err.h"

static const char DATE_MT[] = "isms.date";

struct ldate {
	int64_t days;
};

void
lua_date_push(lua_State *L, int64_t days)
{
	struct ldate *d = lua_newuserdatauv(L, sizeof(*d), 0);
	d->days = days;
	luaL_setmetatable(L, DATE_MT);
}

int
lua_date_get(lua_State *L, int idx, int64_t *days)
{
	struct ldate *d = luaL_testudata(L, idx, DATE_MT);
	if (d == NULL)
		return 0;
	*days = d->days;
	return 1;
}

/* Parse text as a date; 0 or -1 with err_msg(). */
static int
parse_text(const char *s, int64_t *days)
{
	struct ymd ymd;
	if (date_parse(s, NULL, &ymd, NULL, NULL) < 0)
		return -1;
	*days = date_days(ymd);
	return 0;
}

/* The functions below hold the date metatable as upvalue 1: comparing a
 * value's metatable with it is much cheaper than luaL_testudata's lookup
 * by name, and a check compares dates by the hundred thousand. */
static struct ldate *
to_date(lua_State *L, int idx)
{
	struct ldate *d = lua_touserdata(L, idx);
	if (d == NULL || !lua_getmetatable(L, idx))
		return NULL;
	int same = lua_rawequal(L, -1, lua_upvalueindex(1));
	lua_pop(L, 1);
	return same ? d : NULL;
}

static void
push_date(lua_State *L, int64_t days)
{
	struct ldate *d = lua_newuserdatauv(L, sizeof(*d), 0);
	d->days = days;
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_setmetatable(L, -2);
}

/* The date that the value at idx, not a date itself, writes as text; raises
 * for text that is not a date and for any other value. */
static int64_t
text_date(lua_State *L, int idx)
{
	int64_t days = 0;
	if (lua_type(L, idx) != LUA_TSTRING)
		luaL_typeerror(L, idx, "date");
	else if (parse_text(lua_tostring(L, idx), &days) < 0)
		luaL_error(L, "%s", err_msg());
	return days;
}

/* A date or ISO 8601 text at idx, as lua_date_check. */
static int64_t
date_arg(lua_State *L, int idx)
{
	struct ldate *d = to_date(L, idx);
	return d ? d->days : text_date(L, idx);
}

int64_t
lua_date_check(lua_State *L, int idx)
{
	int64_t days;
	return lua_date_get(L, idx, &days) ? days : text_date(L, idx);
}

static int64_t
check(lua_State *L, int idx)
{
	struct ldate *d = to_date(L, idx);
	return (d ? d : (struct ldate *)luaL_checkudata(L, idx, DATE_MT))->days;
}

/* isms.date(x): a date from a date or ISO 8601 text; nil and a message
 * when x is nil or not a valid date, so that a rule can report it. */
static int
l_date(lua_State *L)
{
	int64_t days;
	if (to_date(L, 1)) {
		lua_settop(L, 1);
		return 1;
	}
	if (lua_type(L, 1) == LUA_TNIL || lua_type(L, 1) == LUA_TNONE) {
		/* the common case, a field left out: no message to format */
		lua_pushnil(L);
		lua_pushliteral(L, "expected a date, found nil");
		return 2;
	}
	if (lua_type(L, 1) != LUA_TSTRING) {
		lua_pushnil(L);
		lua_pushfstring(L, "expected a date, found %s", luaL_typename(L, 1));
		return 2;
	}
	if (parse_text(lua_tostring(L, 1), &days) < 0) {
		lua_pushnil(L);
		lua_pushstring(L, err_msg());
		return 2;
	}
	push_date(L, days);
	return 1;
}

/* isms.date.ymd(y, m, d): the date with those parts; raises if invalid. */
static int
l_ymd(lua_State *L)
{
	struct ymd d = {
		(int)luaL_checkinteger(L, 1),
		(int)luaL_checkinteger(L, 2),
		(int)luaL_checkinteger(L, 3),
	};
	if (!date_valid(d))
		return luaL_error(L, "%d-%d-%d is not a valid date", d.y, d.m, d.d);
	push_date(L, date_days(d));
	return 1;
}

/* isms.date.days_between(a, b): whole days from a to b (negative if b is
 * earlier). */
static int
l_days_between(lua_State *L)
{
	int64_t a = date_arg(L, 1), b = date_arg(L, 2);
	lua_pushinteger(L, b - a);
	return 1;
}

/* d:add_months(n): n calendar months later, the day clamped to the end
 * of a shorter month. */
static int
m_add_months(lua_State *L)
{
	int64_t days = check(L, 1);
	lua_Integer n = luaL_checkinteger(L, 2);
	luaL_argcheck(L, n > -120000 && n < 120000, 2, "months out of range");
	push_date(L, date_days(date_add_months(date_from_days(days), (int)n)));
	return 1;
}

/* d:add_years(n): n years later (29 February becomes 28 February). */
static int
m_add_years(lua_State *L)
{
	int64_t days = check(L, 1);
	lua_Integer n = luaL_checkinteger(L, 2);
	luaL_argcheck(L, n > -10000 && n < 10000, 2, "years out of range");
	push_date(L, date_days(date_add_months(date_from_days(days), (int)n * 12)));
	return 1;
}

/* d:add_days(n): n days later (earlier if negative). */
static int
m_add_days(lua_State *L)
{
	int64_t days = check(L, 1);
	lua_Integer n = luaL_checkinteger(L, 2);
	luaL_argcheck(L, n > -4000000 && n < 4000000, 2, "days out of range");
	push_date(L, days + n);
	return 1;
}

/* d:days_until(other): whole days from d to other. */
static int
m_days_until(lua_State *L)
{
	int64_t a = check(L, 1), b = date_arg(L, 2);
	lua_pushinteger(L, b - a);
	return 1;
}

static int
m_year(lua_State *L)
{
	lua_pushinteger(L, date_from_days(check(L, 1)).y);
	return 1;
}

static int
m_month(lua_State *L)
{
	lua_pushinteger(L, date_from_days(check(L, 1)).m);
	return 1;
}

static int
m_day(lua_State *L)
{
	lua_pushinteger(L, date_from_days(check(L, 1)).d);
	return 1;
}

/* d:iso(): "YYYY-MM-DD". */
static int
m_iso(lua_State *L)
{
	char s[11];
	date_format(date_from_days(check(L, 1)), s);
	lua_pushstring(L, s);
	return 1;
}

/* Comparisons accept a date or ISO text on either side. */
static int
mt_eq(lua_State *L)
{
	lua_pushboolean(L, check(L, 1) == check(L, 2));
	return 1;
}

static int
mt_lt(lua_State *L)
{
	lua_pushboolean(L, date_arg(L, 1) < date_arg(L, 2));
	return 1;
}

static int
mt_le(lua_State *L)
{
	lua_pushboolean(L, date_arg(L, 1) <= date_arg(L, 2));
	return 1;
}

/* a - b: days between two dates; d - n: n days earlier. */
static int
mt_sub(lua_State *L)
{
	int64_t a = date_arg(L, 1);
	if (lua_isinteger(L, 2)) {
		push_date(L, a - lua_tointeger(L, 2));
		return 1;
	}
	lua_pushinteger(L, a - date_arg(L, 2));
	return 1;
}

/* d + n: n days later. */
static int
mt_add(lua_State *L)
{
	int d = lua_isinteger(L, 1) ? 2 : 1;
	int64_t days = check(L, d);
	lua_Integer n = luaL_checkinteger(L, d == 1 ? 2 : 1);
	push_date(L, days + n);
	return 1;
}

static int
mt_concat(lua_State *L)
{
	luaL_tolstring(L, 1, NULL);
	luaL_tolstring(L, 2, NULL);
	lua_concat(L, 2);
	return 1;
}

int
luaopen_isms_date(lua_State *L)
{
	static const luaL_Reg methods[] = {
		{ "add_months", m_add_months },
		{ "add_years", m_add_years },
		{ "add_days", m_add_days },
		{ "days_until", m_days_until },
		{ "year", m_year },
		{ "month", m_month },
		{ "day", m_day },
		{ "iso", m_iso },
		{ NULL, NULL },
	};
	static const luaL_Reg meta[] = {
		{ "__eq", mt_eq },         { "__lt", mt_lt },   { "__le", mt_le },
		{ "__sub", mt_sub },       { "__add", mt_add }, { "__tostring", m_iso },
		{ "__concat", mt_concat }, { NULL, NULL },
	};
	static const luaL_Reg funcs[] = {
		{ "parse", l_date },
		{ "ymd", l_ymd },
		{ "days_between", l_days_between },
		{ NULL, NULL },
	};
	if (luaL_newmetatable(L, DATE_MT)) {
		lua_pushvalue(L, -1);
		luaL_setfuncs(L, meta, 1);
		luaL_newlibtable(L, methods);
		lua_pushvalue(L, -2);
		luaL_setfuncs(L, methods, 1);
		lua_setfield(L, -2, "__index");
		lua_pushliteral(L, "date");
		lua_setfield(L, -2, "__metatable");
	}
	luaL_newlibtable(L, funcs);
	lua_insert(L, -2);
	luaL_setfuncs(L, funcs, 1);
	return 1;
}
