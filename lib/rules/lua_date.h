/* lua_date.h - dates for rules: require "isms.date", or isms.date(...). */
#ifndef ISMS_LUA_DATE_H
#define ISMS_LUA_DATE_H

#include <stdint.h>

#include <lua.h>

/* Push a date value for the civil day `days` (days since 1970-01-01). */
void lua_date_push(lua_State *L, int64_t days);
/* The day of the date value at idx; 0 when idx is not a date. */
int lua_date_get(lua_State *L, int idx, int64_t *days);
/* Accept a date value or an ISO 8601 string at idx; raise otherwise. */
int64_t lua_date_check(lua_State *L, int idx);
/* Push the module table (date, days_between, parse). */
int luaopen_isms_date(lua_State *L);

#endif
