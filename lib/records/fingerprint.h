/* fingerprint.h - the identity of a finding across commits: the rule, the
 * record it is about and the kind of problem, never the line. Moving a
 * record within its file, or editing a field the finding is not about,
 * keeps the fingerprint; a finding about another record, or of another
 * kind, gets another one. docs/ci.md says how it is made and what it
 * cannot tell apart. Pure functions of their arguments; any thread. */
#ifndef ISMS_FINGERPRINT_H
#define ISMS_FINGERPRINT_H

#include "model.h"

#define FINGERPRINT_HEX 32 /* hex digits, without the NUL */

/* The identity of the record that line `line` of file `path` is in:
 * "TYPE:ID" for a record of a collection with an id (risk:R-012), the
 * path for a document, a singleton or a record without an id, with
 * "/FIELD[KEY=VALUE]" for each keyed list item (a SoA entry,
 * soa.yaml/controls[control=7.4]) the line is in; "" for no path. Line 0
 * or a line outside any record names the file. The caller's to free. */
char *fingerprint_record(const struct model *m, const char *path, int line);

/* The kind of problem: key when the rule gave one, else the message with
 * every run of digits as '#' and runs of blanks as one space, so that a
 * count of days or a date that moves on is the same kind. The caller's. */
char *fingerprint_kind(const char *key, const char *message);

/* The fingerprint of rule, record and kind as FINGERPRINT_HEX lowercase
 * hex digits into out. */
void fingerprint_make(const char *rule, const char *record, const char *kind,
                      char out[FINGERPRINT_HEX + 1]);

#endif
