/* report.h - an evaluation as text for people, JSON for programs, TAP,
 * SARIF (sarif.h) or JUnit XML (junit.h) for CI. */
#ifndef ISMS_REPORT_H
#define ISMS_REPORT_H

#include <jansson.h>
#include <stdio.h>

#include "engine.h"

enum report_format { REPORT_TEXT, REPORT_JSON, REPORT_TAP, REPORT_SARIF, REPORT_JUNIT };

struct report_meta {
	const char *repo;         /* as the user named it */
	const char *ref;          /* the ref asked for */
	const char *organisation; /* from isms.yaml, or NULL */
	int worktree;             /* uncommitted files were included */
	int color;                /* ANSI colours in text output */
	int verbose;              /* list passing rules too */
};

int report_format_parse(const char *s, enum report_format *out);
/* Write ev to out in format f. */
void report_write(FILE *out, enum report_format f, const struct evaluation *ev,
                  const struct engine *e, const struct report_meta *meta);
/* The check document of ev (what --format json prints): repository, ref,
 * commit, counts, results (the verdicts), ... The caller's. */
json_t *report_json(const struct evaluation *ev, const struct report_meta *meta);
/* doc as indented JSON in insertion order and a newline, written at
 * once rather than token by token. */
void report_dump_json(FILE *out, const json_t *doc);
/* Write a check document in a format made from it: json, sarif (rule
 * declarations from e, which may be NULL) or junit. */
void report_write_doc(FILE *out, enum report_format f, json_t *doc, const struct engine *e);
/* The summary group of a rule: "4".."10" for clauses, the Annex A theme
 * for controls. Borrowed. */
const char *report_group(const struct rule_info *r);
/* The summary groups in order: key ("4".."10" or a theme) and label. */
size_t report_ngroups(void);
void report_group_at(size_t i, const char **key, const char **label);
/* One rule's verdict as JSON: id, clause, control, theme, group, title,
 * severity, status, remediation, note, findings, valid_until. The caller's
 * (json_decref). */
json_t *report_result_json(const struct rule_result *r);
/* The same, sharing the finding objects of prev (an earlier verdict of
 * the same rule from this function, or NULL) that say the same as a
 * finding of r: the daemon keeps a rule's thousands of unchanged
 * findings as they were, and comparing them with the last verdict finds
 * them equal at once. prev's findings must not be changed after. */
json_t *report_result_json_from(const struct rule_result *r, const json_t *prev);
/* A rule's declaration as JSON (id, clause, control, theme, title,
 * severity, rationale, remediation, pack, line, params). The caller's. */
json_t *report_rule_json(const struct rule_info *r);
/* The n slowest rules with their time and instructions. */
void report_profile(FILE *out, const struct evaluation *ev, size_t n);
/* The exit status of ismsctl check for ev: 0 conformant, 1 not. */
int report_exit_status(const struct evaluation *ev);

#endif
