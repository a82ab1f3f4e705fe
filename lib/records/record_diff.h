/* record_diff.h - what changed between two versions of a record file,
 * as incremental evaluation needs to know it: whether the file holds the
 * same records at the same lines with the same fields, and if so which
 * fields changed their value in some record. A rule that read none of
 * those fields of any record (rule_result.fields) judges the new file as
 * it judged the old one. */
#ifndef ISMS_RECORD_DIFF_H
#define ISMS_RECORD_DIFF_H

#include "model.h"
#include "strset.h"

struct record_change {
	/* 1: more changed than the values of fields: records added, removed
	 * or moved, a field added or removed, the type, the Markdown body,
	 * anything outside the records, a file that does not parse. */
	int whole;
	struct strset fields; /* else: the fields whose value changed */
};

/* Compare a and b, the same file in two models (either may be NULL:
 * absent). out is the caller's, freed with record_change_free. */
void record_diff(const struct model_doc *a, const struct model_doc *b, struct record_change *out);
void record_change_free(struct record_change *c);

#endif
