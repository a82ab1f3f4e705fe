/* catalogue.c - the clause and control catalogue, loaded with jansson. */
#include "catalogue.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "err.h"

struct catalogue {
	json_t *root;
	const char **clauses; /* requirement clauses, borrowed from root */
	size_t nclauses;
	const char **controls;
	size_t ncontrols;
};

static const char **
collect_ids(json_t *arr, const char *only_kind, size_t *n)
{
	const char **ids = xcalloc(json_array_size(arr) + 1, sizeof(char *));
	size_t i, k = 0;
	json_t *v;
	json_array_foreach (arr, i, v) {
		const char *id = json_string_value(json_object_get(v, "id"));
		const char *kind = json_string_value(json_object_get(v, "kind"));
		if (id && (!only_kind || (kind && strcmp(kind, only_kind) == 0)))
			ids[k++] = id;
	}
	*n = k;
	return ids;
}

int
catalogue_load(const char *path, struct catalogue **out)
{
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je);
	if (root == NULL && je.line > 0)
		return err_set("%s:%d: cannot read the ISO/IEC 27001 catalogue: %s", path, je.line,
		               je.text);
	if (root == NULL)
		return err_set("cannot read the ISO/IEC 27001 catalogue: %s", je.text);
	json_t *cl = json_object_get(root, "clauses");
	json_t *an = json_object_get(root, "annex_a");
	if (!json_is_array(cl) || !json_is_array(an)) {
		json_decref(root);
		return err_set("%s: not the ISO/IEC 27001 catalogue (no clauses "
		               "and annex_a lists)",
		               path);
	}
	struct catalogue *c = xcalloc(1, sizeof(*c));
	c->root = root;
	c->clauses = collect_ids(cl, "requirement", &c->nclauses);
	c->controls = collect_ids(an, NULL, &c->ncontrols);
	*out = c;
	return 0;
}

void
catalogue_free(struct catalogue *c)
{
	if (c == NULL)
		return;
	json_decref(c->root);
	free(c->clauses);
	free(c->controls);
	free(c);
}

static json_t *
find(const struct catalogue *c, const char *list, const char *id)
{
	size_t i;
	json_t *v;
	json_array_foreach (json_object_get(c->root, list), i, v) {
		const char *vid = json_string_value(json_object_get(v, "id"));
		if (vid && strcmp(vid, id) == 0)
			return v;
	}
	return NULL;
}

const char *
catalogue_theme(const struct catalogue *c, const char *control)
{
	json_t *v = find(c, "annex_a", control);
	return v ? json_string_value(json_object_get(v, "theme")) : NULL;
}

const char *
catalogue_control_title(const struct catalogue *c, const char *control)
{
	json_t *v = find(c, "annex_a", control);
	return v ? json_string_value(json_object_get(v, "title")) : NULL;
}

const char *
catalogue_title(const struct catalogue *c, const char *id)
{
	json_t *v = find(c, "clauses", id);
	if (v == NULL)
		v = find(c, "annex_a", id);
	return v ? json_string_value(json_object_get(v, "title")) : NULL;
}

json_t *
catalogue_control_entry(const struct catalogue *c, const char *control)
{
	return find(c, "annex_a", control);
}

json_t *
catalogue_clause_entry(const struct catalogue *c, const char *clause)
{
	return find(c, "clauses", clause);
}

size_t
catalogue_clauses(const struct catalogue *c, const char ***ids)
{
	*ids = c->clauses;
	return c->nclauses;
}

size_t
catalogue_controls(const struct catalogue *c, const char ***ids)
{
	*ids = c->controls;
	return c->ncontrols;
}

static void
push_json(lua_State *L, json_t *v)
{
	size_t i;
	const char *k;
	json_t *e;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		lua_createtable(L, 0, (int)json_object_size(v));
		json_object_foreach (v, k, e) {
			push_json(L, e);
			lua_setfield(L, -2, k);
		}
		break;
	case JSON_ARRAY:
		lua_createtable(L, (int)json_array_size(v), 0);
		json_array_foreach (v, i, e) {
			push_json(L, e);
			lua_rawseti(L, -2, (lua_Integer)i + 1);
		}
		break;
	case JSON_STRING: lua_pushlstring(L, json_string_value(v), json_string_length(v)); break;
	case JSON_INTEGER: lua_pushinteger(L, (lua_Integer)json_integer_value(v)); break;
	case JSON_REAL: lua_pushnumber(L, json_real_value(v)); break;
	case JSON_TRUE:
	case JSON_FALSE: lua_pushboolean(L, json_is_true(v)); break;
	case JSON_NULL: lua_pushnil(L); break;
	}
}

void
catalogue_push(lua_State *L, const struct catalogue *c)
{
	push_json(L, c->root);
}
