/* plugin_lua.c - rule functions of plugins in every sandbox: Lua values
 * to JSON arguments and the JSON result back to Lua. */
#include <jansson.h>
#include <lauxlib.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "plugin.h"
#include "plugin_int.h"
#include "alloc.h"
#include "err.h"
#include "buf.h"
#include "utf8.h"

/* Rule functions: plugins.<instance>.<name>(...) in every sandbox.
 *
 * The arguments go to the plugin as a JSON array and its result comes
 * back as JSON. Everything allocated with malloc on the way lives in a
 * box (a userdata with __gc), so a Lua error at any point (the budget, the
 * memory cap) frees it. */

#define CALL_MT    "isms.plugin_call"
#define MAX_ARGS   (1u << 20)
#define MAX_RESULT (4u << 20)
#define MAX_DEPTH  32
#define CALL_COST  200

struct box {
	struct buf args;
	char *result;
	size_t rlen;
	char *error;
	json_t *json;
};

static void
box_clear(struct box *b)
{
	buf_free(&b->args);
	free(b->result);
	free(b->error);
	json_decref(b->json);
	memset(b, 0, sizeof(*b));
}

static int
box_gc(lua_State *L)
{
	box_clear(luaL_checkudata(L, 1, CALL_MT));
	return 0;
}

static void
call_result(struct ismsd_call *c, const char *json, size_t len)
{
	struct box *b = c->host_data;
	free(b->result);
	b->result = NULL;
	if (json == NULL)
		return;
	if (len > MAX_RESULT) {
		free(b->error);
		b->error = xasprintf("its result is larger than %u bytes", MAX_RESULT);
		return;
	}
	b->result = xstrndup(json, len);
	b->rlen = len;
}

static void
call_error(struct ismsd_call *c, const char *msg)
{
	struct box *b = c->host_data;
	free(b->error);
	b->error = xstrdup(msg && *msg ? msg : "failed");
}

static int
put_string(struct buf *o, const char *s, size_t n)
{
	if (utf8_valid(s, n) != n)
		return err_set("a string that is not valid UTF-8");
	buf_addc(o, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			buf_addc(o, '\\');
			buf_addc(o, (char)c);
		} else if (c < 0x20)
			buf_printf(o, "\\u%04x", c);
		else
			buf_addc(o, (char)c);
	}
	buf_addc(o, '"');
	return 0;
}

static int put_value(lua_State *L, int idx, struct buf *o, int depth);

/* The table at idx: a list when its keys are exactly 1..n, else an
 * object with string keys. */
static int
put_table(lua_State *L, int idx, struct buf *o, int depth)
{
	size_t n = lua_rawlen(L, idx), keys = 0;
	int strkeys = 0, other = 0;
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		keys++;
		if (lua_type(L, -2) == LUA_TSTRING)
			strkeys++;
		else if (!lua_isinteger(L, -2))
			other++;
		lua_pop(L, 1);
	}
	if (keys == n) {
		buf_addc(o, '[');
		for (size_t i = 1; i <= n; i++) {
			if (i > 1)
				buf_addc(o, ',');
			lua_rawgeti(L, idx, (lua_Integer)i);
			int rc = put_value(L, lua_gettop(L), o, depth + 1);
			lua_pop(L, 1);
			if (rc < 0)
				return -1;
		}
		buf_addc(o, ']');
		return 0;
	}
	if ((size_t)strkeys != keys || other)
		return err_set("a table that mixes list items and named fields");
	buf_addc(o, '{');
	int first = 1;
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		size_t kl;
		const char *k = lua_tolstring(L, -2, &kl);
		if (!first)
			buf_addc(o, ',');
		first = 0;
		int rc = put_string(o, k, kl);
		if (rc == 0) {
			buf_addc(o, ':');
			rc = put_value(L, lua_gettop(L), o, depth + 1);
		}
		if (rc < 0) {
			lua_pop(L, 2);
			return -1;
		}
		lua_pop(L, 1);
	}
	buf_addc(o, '}');
	return 0;
}

/* Append the Lua value at idx (absolute) as JSON; -1 with err_msg() for
 * what JSON cannot carry. Raises no Lua error. */
static int
put_value(lua_State *L, int idx, struct buf *o, int depth)
{
	if (depth > MAX_DEPTH)
		return err_set("tables nested deeper than %d levels", MAX_DEPTH);
	if (o->len > MAX_ARGS)
		return err_set("arguments larger than %u bytes", MAX_ARGS);
	switch (lua_type(L, idx)) {
	case LUA_TNIL: buf_adds(o, "null"); return 0;
	case LUA_TBOOLEAN: buf_adds(o, lua_toboolean(L, idx) ? "true" : "false"); return 0;
	case LUA_TNUMBER:
		if (lua_isinteger(L, idx)) {
			buf_printf(o, "%lld", (long long)lua_tointeger(L, idx));
			return 0;
		} else {
			double d = lua_tonumber(L, idx);
			if (d != d || d > 1.7976931348623157e308 || d < -1.7976931348623157e308)
				return err_set("a number that JSON cannot hold (inf or nan)");
			buf_printf(o, "%.17g", d);
			return 0;
		}
	case LUA_TSTRING: {
		size_t n;
		const char *s = lua_tolstring(L, idx, &n);
		return put_string(o, s, n);
	}
	case LUA_TTABLE:
		if (!lua_checkstack(L, 4))
			return err_set("tables nested too deeply");
		return put_table(L, idx, o, depth);
	default:
		if (sandbox_is_proxy(L, idx))
			return err_set("an ISMS record or read-only table: pass the "
			               "fields the plugin needs instead");
		return err_set("a %s", luaL_typename(L, idx));
	}
}

/* Push the JSON value v as Lua; null is nil. */
static void
push_json(lua_State *L, json_t *v, int depth)
{
	if (depth > MAX_DEPTH * 2)
		luaL_error(L, "the result is nested too deeply");
	luaL_checkstack(L, 3, "result nested too deeply");
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *k;
		json_t *x;
		lua_createtable(L, 0, (int)json_object_size(v));
		json_object_foreach (v, k, x) {
			push_json(L, x, depth + 1);
			lua_setfield(L, -2, k);
		}
		break;
	}
	case JSON_ARRAY: {
		size_t i;
		json_t *x;
		lua_createtable(L, (int)json_array_size(v), 0);
		json_array_foreach (v, i, x) {
			push_json(L, x, depth + 1);
			lua_rawseti(L, -2, (lua_Integer)i + 1);
		}
		break;
	}
	case JSON_STRING: lua_pushlstring(L, json_string_value(v), json_string_length(v)); break;
	case JSON_INTEGER: lua_pushinteger(L, (lua_Integer)json_integer_value(v)); break;
	case JSON_REAL: lua_pushnumber(L, json_real_value(v)); break;
	case JSON_TRUE:
	case JSON_FALSE: lua_pushboolean(L, json_is_true(v)); break;
	default: lua_pushnil(L); break;
	}
}

static pthread_mutex_t calls = PTHREAD_MUTEX_INITIALIZER;

/* A rule's call of a plugin function (upvalue: its struct lfn). */
static int
call_fn(lua_State *L)
{
	const struct lfn *f = lua_touserdata(L, lua_upvalueindex(1));
	int nargs = lua_gettop(L);
	struct box *b = lua_newuserdatauv(L, sizeof(*b), 0);
	memset(b, 0, sizeof(*b));
	luaL_setmetatable(L, CALL_MT);
	buf_addc(&b->args, '[');
	for (int i = 1; i <= nargs; i++) {
		if (i > 1)
			buf_addc(&b->args, ',');
		if (put_value(L, i, &b->args, 0) < 0)
			return luaL_error(L, "plugins.%s.%s: argument %d holds %s", f->pl->name,
			                  f->name, i, err_msg());
	}
	buf_addc(&b->args, ']');
	sandbox_charge(L, CALL_COST + b->args.len / 4);
	struct ismsd_call c = { ISMSD_CALL_VERSION, b->args.data, b->args.len,
		                call_result,        call_error,   b };
	/* Several evaluation threads may run rules (eval_threads); a plugin
	 * is promised one call of its functions at a time. */
	pthread_mutex_lock(&calls);
	f->fn(f->data, &c);
	pthread_mutex_unlock(&calls);
	if (b->error)
		return luaL_error(L, "plugins.%s.%s: %s", f->pl->name, f->name, b->error);
	if (b->result == NULL)
		return 0;
	sandbox_charge(L, b->rlen / 4);
	json_error_t je;
	b->json = json_loadb(b->result, b->rlen, JSON_DECODE_ANY, &je);
	if (b->json == NULL)
		return luaL_error(L,
		                  "plugins.%s.%s returned text that is not "
		                  "JSON: %s",
		                  f->pl->name, f->name, je.text);
	push_json(L, b->json, 0);
	return 1;
}

/* Install the global `plugins` into sb. */
void
plugin_host_extend(struct sandbox *sb, void *arg)
{
	struct plugin_host *h = arg;
	lua_State *L = sandbox_lua(sb);
	if (luaL_newmetatable(L, CALL_MT)) {
		lua_pushcfunction(L, box_gc);
		lua_setfield(L, -2, "__gc");
		lua_pushboolean(L, 0);
		lua_setfield(L, -2, "__metatable");
	}
	lua_pop(L, 1);
	lua_newtable(L);
	for (size_t i = 0; h && i < h->n; i++) {
		struct plug *pl = h->v[i];
		if (pl->st != P_RUNNING || pl->nfns == 0)
			continue;
		lua_createtable(L, 0, (int)pl->nfns);
		for (size_t k = 0; k < pl->nfns; k++) {
			lua_pushlightuserdata(L, &pl->fns[k]);
			lua_pushcclosure(L, call_fn, 1);
			lua_setfield(L, -2, pl->fns[k].name);
		}
		lua_setfield(L, -2, pl->name);
	}
	sandbox_push_readonly(L, -1);
	lua_remove(L, -2);
	sandbox_set_global(sb, "plugins");
}
