/* record_int.h - what the pieces of the record module share: record.c
 * (the declarations), record_validate.c, record_export.c (JSON Schema and
 * Markdown), record_ids.c (clause and control ids) and record_suggest.c
 * ("did you mean"). Not for use outside lib/records. record.c itself
 * needs none of it: the pieces read the declarations through record.h. */
#ifndef ISMS_RECORD_INT_H
#define ISMS_RECORD_INT_H

#include <stddef.h>

#include "record.h"

/* Fields whose numbers are read as their source text (ids). */
#define ID_FLAGS (FIELD_ID_TEXT | FIELD_CONTROL | FIELD_CLAUSE | FIELD_AREA)

/* record_validate.c */

/* The declaration of one item of list f. */
struct field_decl record_item_decl(const struct field_decl *f);

/* record_ids.c */

/* Whether s (len bytes) is an Annex A control id such as 5.15. */
int record_control_ok(const char *s, size_t len);
/* Whether s is a clause number of ISO/IEC 27001 such as 9.2.2. */
int record_clause_ok(const char *s, size_t len);
/* Whether s is an audit area: a clause, a control as A.5.15, or a theme
 * as A.5. */
int record_area_ok(const char *s, size_t len);

/* record_suggest.c */

/* The closest candidate seen so far for a misspelt word (word and best
 * are borrowed). Start with { .word = w, .wlen = strlen(w) }. */
struct suggest {
	const char *word;
	size_t wlen;
	const char *best;
	int score;
};
/* Weigh cand as a suggestion: the whole name, or else one of its leading
 * words ("approved" of approved_by), which ranks after whole names. */
void record_suggest_consider(struct suggest *s, const char *cand);
/* " (did you mean 'x'?)" in out when s found a candidate, else "". */
const char *record_suggest_hint(const struct suggest *s, char *out, size_t size);

#endif
