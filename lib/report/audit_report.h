/* audit_report.h - the audit readiness report: organisation, scope,
 * certificate and audit cycle; conformance per clause and Annex A theme;
 * every nonconformity and observation with file:line, owner by name and
 * what to do, and the same grouped by owner; the evidence index; the
 * coming calendar; the trend. Built as JSON, written as HTML, Markdown or
 * JSON. Any thread. */
#ifndef ISMS_AUDIT_REPORT_H
#define ISMS_AUDIT_REPORT_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "catalogue.h"
#include "export.h"
#include "model.h"

/* The report of m as of now judged by verdicts (array or id->verdict
 * object), with cat's titles. trend (stolen; NULL: none) is an array of
 * {date, commit, conformant, conformance, counts}; envelope (stolen)
 * starts the document. The caller's. */
json_t *audit_report_build(const struct model *m, json_t *verdicts, const struct catalogue *cat,
                           int64_t now, json_t *trend, json_t *envelope);
/* Write a document of audit_report_build as HTML, Markdown or JSON. */
void audit_report_write(FILE *out, enum export_format f, json_t *report);

#endif
