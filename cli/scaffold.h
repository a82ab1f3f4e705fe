/* scaffold.h - `ismsctl new-pack`: a new rule pack with one example rule,
 * its specs and a README, ready to run with `ismsctl test`. */
#ifndef ISMS_SCAFFOLD_H
#define ISMS_SCAFFOLD_H

/* Whether name can name a pack: a lower-case letter, then lower-case
 * letters, digits and single hyphens, at most 48 characters. 0 or -1
 * with err_msg() saying what is wrong. */
int scaffold_check_name(const char *name);

/* Create dir/name/ with name.lua, specs/name.lua and README.md (dir is
 * created when missing). Refuses when dir/name exists; on failure removes
 * what it created. Returns 0, or -1 with err_msg(). */
int scaffold_pack(const char *dir, const char *name);

/* The text of one scaffold file ("pack", "spec" or "readme") for a pack
 * name in dir; the caller frees it. NULL for an unknown file. */
char *scaffold_text(const char *which, const char *dir, const char *name);

#endif
