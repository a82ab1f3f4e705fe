/* soa_export.h - the Statement of Applicability as the auditor takes it
 * away: all 93 Annex A controls in order with applicability,
 * justification, status, owner by name, evidence with its age, the rule
 * verdicts and open findings, the 2013 control it replaces and the 27002
 * attributes. Built once as JSON (the daemon and ismsctl share it), then
 * written as Markdown, CSV, HTML or JSON. Any thread. */
#ifndef ISMS_SOA_EXPORT_H
#define ISMS_SOA_EXPORT_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "catalogue.h"
#include "export.h"
#include "model.h"

/* The SoA of m as of now, judged by verdicts (an array or an id->verdict
 * object of report_result_json verdicts; NULL: none), with the controls of
 * cat. envelope (stolen; NULL: none) becomes the top of the document.
 * The caller's. */
json_t *soa_build(const struct model *m, json_t *verdicts, const struct catalogue *cat, int64_t now,
                  json_t *envelope);
/* Write a document of soa_build in format f. */
void soa_write(FILE *out, enum export_format f, json_t *soa);
/* The CSV columns, in order; NULL-terminated. */
extern const char *const soa_csv_columns[];

#endif
