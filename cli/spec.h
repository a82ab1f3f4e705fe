/* spec.h - rule specs: fixture records, an evaluation date, and the
 * verdicts and findings expected; run by `ismsctl test`, printed as TAP. */
#ifndef ISMS_SPEC_H
#define ISMS_SPEC_H

#include <stdio.h>

/* Run every spec file (*.lua) under path (a file or a directory) against
 * the rule packs in rules_dir and then those of extra_dirs (a
 * NULL-terminated list, or NULL), writing TAP to out. Returns the number
 * of failed expectations, or -1 with err_msg() when the specs or packs
 * cannot be loaded (their errors are written to stderr), or SPEC_BROKEN
 * when a spec file did not load or run (a syntax error: its "not ok" line
 * names the file and line). */
#define SPEC_BROKEN (-2)
int spec_run(const char *path, const char *rules_dir, const char *const *extra_dirs, FILE *out);

#endif
