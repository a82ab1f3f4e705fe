/* sarif.h - a check as SARIF 2.1.0 (OASIS), for code-review tools and CI
 * systems that annotate merge requests: one run, the rules with their
 * clause or control, help text and severity, the results with file, line,
 * fingerprint and, after a comparison with a baseline, their baseline
 * state. Validated against the OASIS schema in tests/cli/sarif.t. */
#ifndef ISMS_SARIF_H
#define ISMS_SARIF_H

#include <jansson.h>
#include <stdio.h>

/* Write doc, a check document as report_json makes it ("results" the
 * verdicts; "baseline" a comparison from baseline_compare, when there is
 * one), as SARIF to out. rules, when not NULL, is the rule declarations
 * (report_rule_json) for their rationale; otherwise the rules come from
 * the verdicts. */
void sarif_write(FILE *out, json_t *doc, json_t *rules);

#endif
