/* record_int.h - what the pieces of the record module share: record.c
 * (the declarations), record_validate.c, record_export.c (JSON Schema and
 * Markdown), record_ids.c (clause and control ids) and record_suggest.c
 * ("did you mean"). Not for use outside lib/records. record.c itself
 * needs none of it: the pieces read the declarations through record.h. */
#ifndef ISMS_RECORD_INT_H
#define ISMS_RECORD_INT_H

#include <stddef.h>

#include "record.h"
#include "suggest.h"

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

#endif
