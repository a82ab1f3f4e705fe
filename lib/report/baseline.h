/* baseline.h - the findings of one evaluation against another's: which
 * are new, which are resolved, which were there already, matched by
 * fingerprint (fingerprint.h) and counted, so that a second finding with
 * the fingerprint of an existing one is new. The gate of `ismsctl check
 * --baseline`, `ismsctl diff` and the git hooks. Both sides are arrays of
 * verdicts as report_result_json makes them (offline, or from the
 * daemon's `evaluate`). Any thread. */
#ifndef ISMS_BASELINE_H
#define ISMS_BASELINE_H

#include <jansson.h>
#include <stdio.h>

/* Severity thresholds of --fail-on, most severe first. */
enum baseline_level { LEVEL_MAJOR, LEVEL_MINOR, LEVEL_OBSERVATION };

/* The level named s (major, minor, observation); 0, or -1 with err_msg(). */
int baseline_level_parse(const char *s, enum baseline_level *out);
/* The level of a severity name; an unknown one counts as observation. */
enum baseline_level baseline_level_of(const char *severity);

/* Compare head with base. Returns {"new", "resolved", "existing":
 * [finding...], "changed": [{"id", "title", "from", "to"}...]}, each
 * finding a copy with its rule's "rule" and "title" added; sets
 * "baseline_state" ("new" or "unchanged") on the open findings of head,
 * those of rules that fail or warn. The caller's (json_decref). */
json_t *baseline_compare(json_t *base, json_t *head);
/* Whether a comparison fails the gate: a new finding at level or above,
 * or a rule that could not be evaluated and could at the base. */
int baseline_fails(json_t *cmp, enum baseline_level level);
/* Whether verdicts fail at level without a baseline: an open finding at
 * level or above, or a rule that could not be evaluated. */
int baseline_fails_plain(json_t *results, enum baseline_level level);
/* The comparison for people: counts, the new findings with file:line,
 * the resolved ones, the verdicts that changed, and the gate's result at
 * level. base names what was compared with ("HEAD", a commit). */
void baseline_write_text(FILE *out, json_t *cmp, const char *base, enum baseline_level level);

#endif
