/* lua_record.h - ISMS records as read-only Lua values that remember
 * their file and line. */
#ifndef ISMS_LUA_RECORD_H
#define ISMS_LUA_RECORD_H

#include <lua.h>

#include "doc.h"

/* Push node n of document d: nil, boolean, integer, number or string for
 * scalars; a read-only record proxy for lists and mappings. The proxy
 * borrows n and d: they must outlive the state. */
void lua_record_push(lua_State *L, const struct node *n, const struct doc *d);
/* The same for a node the schema declares (decl: the field, or the
 * record or file, as record_type_decl and record_file_decl give it):
 * then a number in a field declared as text, at any depth, is pushed as
 * the text written (5.30 stays "5.30"). */
struct field_decl;
void lua_record_push_decl(lua_State *L, const struct node *n, const struct doc *d,
                          const struct field_decl *decl);
/* The node and document of the proxy at idx, or NULL. */
const struct node *lua_record_get(lua_State *L, int idx, const struct doc **d);
/* Push a location value (file and line); path is copied. */
void lua_loc_push(lua_State *L, const char *path, int line);
/* The file and line the value at idx points at: a location or a record;
 * 0 when it is neither. *path is valid while the value at idx lives. */
int lua_loc_get(lua_State *L, int idx, const char **path, int *line);
/* Register the metatables (once per state). */
void lua_record_init(lua_State *L);
/* Call fn(arg, key, len) whenever a field of a mapping is read through a
 * proxy of L (by name, or with rec:at), and with "*" when its fields are
 * listed (pairs): what incremental evaluation needs to know of what a
 * rule looked at. */
typedef void (*lua_record_field_fn)(void *arg, const char *key, size_t len);
void lua_record_on_field(lua_State *L, lua_record_field_fn fn, void *arg);

#endif
