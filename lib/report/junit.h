/* junit.h - a check as JUnit XML, the report format CI systems show as
 * tests: one test case per rule, grouped by clause and Annex A theme; a
 * failing rule is a failure listing its findings with file:line, a rule
 * that could not be evaluated an error, a rule that does not apply or is
 * waived skipped. Read back with python3-junitparser in tests/cli/sarif.t. */
#ifndef ISMS_JUNIT_H
#define ISMS_JUNIT_H

#include <jansson.h>
#include <stdio.h>

/* Write doc, a check document as report_json makes it (its findings
 * marked new or unchanged when it was compared with a baseline), as JUnit
 * XML to out. */
void junit_write(FILE *out, json_t *doc);

#endif
