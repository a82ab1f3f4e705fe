/* catalogue.h - the ISO/IEC 27001:2022 clauses and Annex A controls
 * (rules/iso27001-2022.json), for rules and for summaries. */
#ifndef ISMS_CATALOGUE_H
#define ISMS_CATALOGUE_H

#include <stddef.h>

#include <jansson.h>
#include <lua.h>

struct catalogue;

/* Load the catalogue file; *out is the caller's (catalogue_free). */
int catalogue_load(const char *path, struct catalogue **out);
void catalogue_free(struct catalogue *c);
/* Annex A theme of a control id ("organizational", ...), or NULL. */
const char *catalogue_theme(const struct catalogue *c, const char *control);
/* Title of a clause or control id, or NULL. Borrowed. */
const char *catalogue_title(const struct catalogue *c, const char *id);
/* Title of an Annex A control (5.1 is a clause too), or NULL. */
const char *catalogue_control_title(const struct catalogue *c, const char *control);
/* Every clause id (kind requirement) and control id, in catalogue order. */
size_t catalogue_clauses(const struct catalogue *c, const char ***ids);
size_t catalogue_controls(const struct catalogue *c, const char ***ids);
/* The catalogue entry of an Annex A control (id, title, theme,
 * mapping_2013, attributes, ...) or of a clause; NULL when unknown.
 * Borrowed, valid while c is. */
json_t *catalogue_control_entry(const struct catalogue *c, const char *control);
json_t *catalogue_clause_entry(const struct catalogue *c, const char *clause);
/* Push the whole catalogue as a Lua table (the JSON document). */
void catalogue_push(lua_State *L, const struct catalogue *c);

#endif
