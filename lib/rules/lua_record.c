/* lua_record.c - record proxies: full userdata over the parsed node tree,
 * so that rules read records without copying them and cannot change what
 * another rule reads (rawset does not apply to userdata). Fields resolve
 * on access; keys iterate in file order. A field that the data does not
 * have falls back to the methods (`rec:at("field")`).
 *
 * A proxy may carry the declaration of what it holds (record.h): then a
 * number in a field the schema types as text (an id, a control id such
 * as 5.30, a clause number, a version) reaches the rule as the text
 * written, as the loader read it, not as the number YAML makes of it
 * (5.3). Numeric fields stay numbers. */
#include "lua_record.h"

#include <lauxlib.h>
#include <stdint.h>
#include <string.h>

#include "record.h"
#include "sandbox.h"

static const char REC_MT[] = "isms.record";
static const char LOC_MT[] = "isms.location";

/* Budget units (about one VM instruction each) for record access, which
 * is C work the count hook does not see: a proxy looked up or made, a
 * field or item read, and each key compared on the way. A loop over
 * records then spends its budget in proportion to what it touches. */
#define PUSH_COST  8
#define FIELD_COST 24

struct lrec {
	const struct node *n;
	const struct doc *d;
	const struct field_decl *decl; /* what n is: the value of this field, */
	int item;                      /* or (1) an item of this list; or NULL */
};

/* The proxies a state has made, found by node, so that a record keeps its
 * identity (rules use records as table keys). Lua's own tables hash a
 * light userdata by division and chain collisions, which cost more than
 * all the rest of making a proxy; here an open-addressing table in C
 * gives a node its slot in a weak Lua list of proxies, so that a proxy no
 * rule holds may still be collected, and is made again when asked for.
 * Everything lives in the Lua state (userdata held by the registry), so
 * it counts against the memory cap and goes with the state. */
struct proxy_entry {
	const struct node *n; /* NULL: free */
	lua_Integer slot;     /* in the list at list_ref */
};

struct proxies {
	struct proxy_entry *v; /* the userdata at store_ref */
	size_t mask, used;     /* mask + 1 entries, a power of two */
	lua_Integer slots;     /* slots handed out */
	int store_ref, list_ref, meta_ref;
	lua_record_field_fn on_field; /* lua_record_on_field, or NULL */
	void *on_field_arg;
};

static struct proxies *
proxies_of(lua_State *L)
{
	return *sandbox_records_slot(L);
}

/* Tell the state's field hook that field key (len bytes; "*": all) of
 * a mapping was read. */
static void
note_field(lua_State *L, const char *key, size_t len)
{
	struct proxies *px = proxies_of(L);
	if (px->on_field)
		px->on_field(px->on_field_arg, key, len);
}

void
lua_record_on_field(lua_State *L, lua_record_field_fn fn, void *arg)
{
	struct proxies *px = proxies_of(L);
	px->on_field = fn;
	px->on_field_arg = arg;
}

static size_t
node_hash(const struct node *n)
{
	/* Nodes are aligned: mix the address so neighbours spread out. */
	uint64_t x = (uint64_t)(uintptr_t)n * UINT64_C(0x9E3779B97F4A7C15);
	return (size_t)(x >> 29);
}

/* A new store of cap entries (a power of two) holding px's entries. */
static void
proxies_grow(lua_State *L, struct proxies *px, size_t cap)
{
	struct proxy_entry *v = lua_newuserdatauv(L, cap * sizeof(*v), 0);
	memset(v, 0, cap * sizeof(*v));
	for (size_t i = 0; px->v != NULL && i <= px->mask; i++) {
		if (px->v[i].n == NULL)
			continue;
		size_t h = node_hash(px->v[i].n) & (cap - 1);
		while (v[h].n != NULL)
			h = (h + 1) & (cap - 1);
		v[h] = px->v[i];
	}
	lua_rawseti(L, LUA_REGISTRYINDEX, px->store_ref);
	px->v = v;
	px->mask = cap - 1;
}

/* Node n's slot in the list of proxies, given one when it has none. */
static lua_Integer
proxy_slot(lua_State *L, struct proxies *px, const struct node *n)
{
	size_t h = node_hash(n) & px->mask;
	for (; px->v[h].n != NULL; h = (h + 1) & px->mask)
		if (px->v[h].n == n)
			return px->v[h].slot;
	if (2 * (px->used + 1) > px->mask + 1) {
		proxies_grow(L, px, 2 * (px->mask + 1));
		h = node_hash(n) & px->mask;
		while (px->v[h].n != NULL)
			h = (h + 1) & px->mask;
	}
	px->used++;
	px->v[h].n = n;
	px->v[h].slot = ++px->slots;
	return px->slots;
}

/* The declaration a value is read by: the value of field decl, or an
 * item of list decl. */
struct view {
	const struct field_decl *decl;
	int item;
};

/* The type the view gives node n: a list declared "one or more" holding
 * a single value is read as its one item. */
static enum field_type
view_type(struct view *v, const struct node *n)
{
	if (v->decl == NULL)
		return FT_ANY;
	if (!v->item && v->decl->type == FT_LIST && n->kind != NODE_SEQ)
		v->item = 1;
	return v->item ? v->decl->item_type : v->decl->type;
}

/* The view of a child of the container proxy r: the field named key of a
 * mapping, or an item of a list. */
static struct view
child_view(const struct lrec *r, const char *key, size_t len)
{
	struct view v = { NULL, 0 };
	if (r->decl == NULL)
		return v;
	if (r->n->kind == NODE_SEQ) {
		if (r->decl->type == FT_LIST && !r->item)
			v.decl = r->decl, v.item = 1;
		return v;
	}
	const struct field_decl *f = r->decl;
	if (f->flags & FIELD_MAP)
		v.decl = f->fields; /* one declaration for every value, or NULL */
	else if (key != NULL)
		v.decl = record_field_find(f->fields, key, len);
	return v;
}

static void push_view(lua_State *L, const struct node *n, const struct doc *d, struct view v);

struct lloc {
	int line; /* the path is the userdata's user value */
};

/* The record at idx, or NULL: its metatable compared with the one kept
 * by reference (cheaper than luaL_testudata's lookup by name). */
static struct lrec *
test_rec(lua_State *L, int idx)
{
	void *p = lua_touserdata(L, idx);
	if (p == NULL || !lua_getmetatable(L, idx))
		return NULL;
	lua_rawgeti(L, LUA_REGISTRYINDEX, proxies_of(L)->meta_ref);
	int same = lua_rawequal(L, -1, -2);
	lua_pop(L, 2);
	return same ? p : NULL;
}

static struct lrec *
check_rec(lua_State *L, int idx)
{
	struct lrec *r = test_rec(L, idx);
	if (r == NULL)
		luaL_typeerror(L, idx, "record");
	return r;
}

/* Push the proxy of container n, made when the state holds none. */
static void
push_proxy(lua_State *L, const struct node *n, const struct doc *d, struct view v)
{
	struct proxies *px = proxies_of(L);
	lua_Integer slot = proxy_slot(L, px, n);
	lua_rawgeti(L, LUA_REGISTRYINDEX, px->list_ref);
	if (lua_rawgeti(L, -1, slot) != LUA_TNIL) {
		struct lrec *c = lua_touserdata(L, -1);
		if (c->decl == NULL && v.decl != NULL) {
			(void)view_type(&v, n);
			c->decl = v.decl;
			c->item = v.item;
		}
		lua_remove(L, -2);
		return;
	}
	lua_pop(L, 1);
	(void)view_type(&v, n);
	struct lrec *r = lua_newuserdatauv(L, sizeof(*r), 0);
	r->n = n;
	r->d = d;
	r->decl = v.decl;
	r->item = v.item;
	lua_rawgeti(L, LUA_REGISTRYINDEX, px->meta_ref);
	lua_setmetatable(L, -2);
	lua_pushvalue(L, -1);
	lua_rawseti(L, -3, slot);
	lua_remove(L, -2);
}

static void
push_view(lua_State *L, const struct node *n, const struct doc *d, struct view v)
{
	switch (n->kind) {
	case NODE_NULL: lua_pushnil(L); return;
	case NODE_BOOL: lua_pushboolean(L, (int)n->i); return;
	case NODE_INT:
	case NODE_FLOAT: {
		enum field_type t = view_type(&v, n);
		if ((t == FT_STRING || t == FT_TEXT) && n->str != NULL) {
			lua_pushlstring(L, n->str, n->len);
		} else if (n->kind == NODE_INT) {
			lua_pushinteger(L, (lua_Integer)n->i);
		} else {
			lua_pushnumber(L, n->f);
		}
		return;
	}
	case NODE_STRING:
		sandbox_charge(L, n->len >> 3);
		lua_pushlstring(L, n->str, n->len);
		return;
	case NODE_SEQ:
	case NODE_MAP: break;
	}
	sandbox_charge(L, PUSH_COST);
	push_proxy(L, n, d, v);
}

void
lua_record_push(lua_State *L, const struct node *n, const struct doc *d)
{
	push_view(L, n, d, (struct view){ NULL, 0 });
}

void
lua_record_push_decl(lua_State *L, const struct node *n, const struct doc *d,
                     const struct field_decl *decl)
{
	push_view(L, n, d, (struct view){ decl, 0 });
}

const struct node *
lua_record_get(lua_State *L, int idx, const struct doc **d)
{
	struct lrec *r = test_rec(L, idx);
	if (r == NULL)
		return NULL;
	if (d)
		*d = r->d;
	return r->n;
}

void
lua_loc_push(lua_State *L, const char *path, int line)
{
	struct lloc *l = lua_newuserdatauv(L, sizeof(*l), 1);
	l->line = line;
	lua_pushstring(L, path);
	lua_setiuservalue(L, -2, 1);
	luaL_setmetatable(L, LOC_MT);
}

/* The path of the location at idx (valid while it lives). */
static const char *
loc_path(lua_State *L, int idx)
{
	lua_getiuservalue(L, idx, 1);
	const char *p = lua_tostring(L, -1);
	lua_pop(L, 1); /* the user value keeps the string alive */
	return p;
}

int
lua_loc_get(lua_State *L, int idx, const char **path, int *line)
{
	struct lloc *l = luaL_testudata(L, idx, LOC_MT);
	if (l) {
		*path = loc_path(L, idx);
		*line = l->line;
		return 1;
	}
	const struct doc *d;
	const struct node *n = lua_record_get(L, idx, &d);
	if (n == NULL)
		return 0;
	*path = d->path;
	*line = n->line;
	return 1;
}

/* Index of key in a map, or -1. */
static long
map_find(const struct node *n, const char *key, size_t len)
{
	/* Records have few fields: a first-byte test skips most of them. */
	for (size_t i = 0; i < n->n; i++)
		if (n->keys[i][0] == key[0] && strncmp(n->keys[i], key, len) == 0 &&
		    n->keys[i][len] == '\0')
			return (long)i;
	return -1;
}

/* rec:at(key): the location of a field (or list item); the record's own
 * location without a key or when the field is absent. */
static int
m_at(lua_State *L)
{
	struct lrec *r = check_rec(L, 1);
	int line = r->n->line;
	sandbox_charge(L, FIELD_COST + (r->n->kind == NODE_MAP ? r->n->n : 0));
	if (r->n->kind == NODE_MAP && lua_type(L, 2) == LUA_TSTRING) {
		size_t len;
		const char *k = lua_tolstring(L, 2, &len);
		note_field(L, k, len);
		long i = map_find(r->n, k, len);
		if (i >= 0)
			line = r->n->items[i]->kind == NODE_MAP || r->n->items[i]->kind == NODE_SEQ
			               ? r->n->key_lines[i]
			               : r->n->items[i]->line;
	} else if (r->n->kind == NODE_SEQ && lua_isinteger(L, 2)) {
		lua_Integer k = lua_tointeger(L, 2);
		if (k >= 1 && (size_t)k <= r->n->n)
			line = r->n->items[k - 1]->line;
	}
	lua_loc_push(L, r->d->path, line);
	return 1;
}

/* The hottest path of every rule. It needs no check of its first
 * argument: it is reached only as the __index of a record's metatable,
 * which rules cannot get (getmetatable answers "read-only", and they
 * have no debug library), so the argument is always a record. */
static int
mt_index(lua_State *L)
{
	struct lrec *r = lua_touserdata(L, 1);
	const struct node *n = r->n;
	sandbox_charge(L, FIELD_COST + (n->kind == NODE_MAP ? n->n : 0));
	if (n->kind == NODE_MAP && lua_type(L, 2) == LUA_TSTRING) {
		size_t len;
		const char *k = lua_tolstring(L, 2, &len);
		note_field(L, k, len);
		long i = map_find(n, k, len);
		if (i >= 0) {
			/* Text, booleans and nulls read the same in any view:
			 * only numbers and containers need the declaration. */
			const struct node *c = n->items[i];
			if (c->kind == NODE_STRING || c->kind == NODE_BOOL || c->kind == NODE_NULL)
				push_view(L, c, r->d, (struct view){ NULL, 0 });
			else
				push_view(L, c, r->d, child_view(r, k, len));
			return 1;
		}
		if (strcmp(k, "at") == 0) {
			lua_pushcfunction(L, m_at);
			return 1;
		}
	} else if (n->kind == NODE_SEQ && lua_isinteger(L, 2)) {
		lua_Integer k = lua_tointeger(L, 2);
		if (k >= 1 && (size_t)k <= n->n) {
			push_view(L, n->items[k - 1], r->d, child_view(r, NULL, 0));
			return 1;
		}
	} else if (lua_type(L, 2) == LUA_TSTRING && strcmp(lua_tostring(L, 2), "at") == 0) {
		lua_pushcfunction(L, m_at);
		return 1;
	}
	lua_pushnil(L);
	return 1;
}

static int
mt_newindex(lua_State *L)
{
	const struct doc *d = NULL;
	lua_record_get(L, 1, &d);
	return luaL_error(L,
	                  "attempt to change a record of %s: records are "
	                  "read-only (copy the values you need)",
	                  d ? d->path : "?");
}

static int
mt_len(lua_State *L)
{
	struct lrec *r = check_rec(L, 1);
	lua_pushinteger(L, r->n->kind == NODE_SEQ ? (lua_Integer)r->n->n : 0);
	return 1;
}

/* Iterator: upvalue 1 is the next position. */
static int
iter(lua_State *L)
{
	struct lrec *r = check_rec(L, 1);
	lua_Integer i = lua_tointeger(L, lua_upvalueindex(1));
	if (i < 0 || (size_t)i >= r->n->n)
		return 0;
	sandbox_charge(L, FIELD_COST);
	lua_pushinteger(L, i + 1);
	lua_replace(L, lua_upvalueindex(1));
	if (r->n->kind == NODE_MAP) {
		const char *k = r->n->keys[i];
		lua_pushstring(L, k);
		push_view(L, r->n->items[i], r->d, child_view(r, k, strlen(k)));
	} else {
		lua_pushinteger(L, i + 1);
		push_view(L, r->n->items[i], r->d, child_view(r, NULL, 0));
	}
	return 2;
}

static int
mt_pairs(lua_State *L)
{
	if (check_rec(L, 1)->n->kind == NODE_MAP)
		note_field(L, "*", 1);
	lua_pushinteger(L, 0);
	lua_pushcclosure(L, iter, 1);
	lua_pushvalue(L, 1);
	lua_pushnil(L);
	return 3;
}

static int
mt_tostring(lua_State *L)
{
	struct lrec *r = check_rec(L, 1);
	lua_pushfstring(L, "record %s:%d", r->d->path, r->n->line);
	return 1;
}

static int
loc_index(lua_State *L)
{
	struct lloc *l = luaL_checkudata(L, 1, LOC_MT);
	const char *k = luaL_checkstring(L, 2);
	if (strcmp(k, "file") == 0)
		lua_pushstring(L, loc_path(L, 1));
	else if (strcmp(k, "line") == 0)
		lua_pushinteger(L, l->line);
	else
		lua_pushnil(L);
	return 1;
}

static int
loc_tostring(lua_State *L)
{
	struct lloc *l = luaL_checkudata(L, 1, LOC_MT);
	lua_pushfstring(L, "%s:%d", loc_path(L, 1), l->line);
	return 1;
}

void
lua_record_init(lua_State *L)
{
	static const luaL_Reg rec[] = {
		{ "__newindex", mt_newindex }, { "__len", mt_len }, { "__pairs", mt_pairs },
		{ "__tostring", mt_tostring }, { NULL, NULL },
	};
	static const luaL_Reg loc[] = {
		{ "__index", loc_index },
		{ "__newindex", mt_newindex },
		{ "__tostring", loc_tostring },
		{ NULL, NULL },
	};
	luaL_newmetatable(L, REC_MT);
	luaL_setfuncs(L, rec, 0);
	lua_pushcfunction(L, mt_index);
	lua_setfield(L, -2, "__index");
	lua_pushliteral(L, "read-only");
	lua_setfield(L, -2, "__metatable");
	/* The proxy map, held by the registry under its own address. */
	struct proxies *px = lua_newuserdatauv(L, sizeof(*px), 0);
	memset(px, 0, sizeof(*px));
	lua_rawsetp(L, LUA_REGISTRYINDEX, px);
	px->meta_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_pushboolean(L, 0); /* a place for the store, which proxies_grow fills */
	px->store_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	luaL_newmetatable(L, LOC_MT);
	luaL_setfuncs(L, loc, 0);
	lua_pushliteral(L, "location");
	lua_setfield(L, -2, "__metatable");
	lua_pop(L, 1);
	sandbox_add_proxy_kind(L, REC_MT);
	/* Weak values: a proxy no rule holds may be collected. */
	lua_newtable(L);
	lua_newtable(L);
	lua_pushliteral(L, "v");
	lua_setfield(L, -2, "__mode");
	lua_setmetatable(L, -2);
	px->list_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	*sandbox_records_slot(L) = px;
	proxies_grow(L, px, 1024);
}
