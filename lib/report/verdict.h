/* verdict.h - verdict arithmetic, in one place: counts by status,
 * "conformant", counts per clause and per Annex A theme, and what changed
 * between two verdict sets. The daemon, its socket methods, the plugin
 * host, the checkpoints and the reports all count through here.
 *
 * A verdict is the JSON object of report_result_json (id, clause,
 * control, theme, group, status, findings, ...). A verdict set is an
 * object from rule id to verdict; functions that count also take an array
 * of verdicts. Input may be hostile (a journal line, a plugin's data):
 * anything that is not a verdict counts as one of unknown status, and
 * anything that is not a set counts nothing. Any thread. */
#ifndef ISMS_VERDICT_H
#define ISMS_VERDICT_H

#include <jansson.h>
#include <stddef.h>

#include "engine.h"

/* How many verdicts have each status. */
struct verdict_counts {
	size_t n[ST_COUNT];
	size_t unknown; /* no status, or one that is not a rule status */
};

/* The status named s; -1 when s is NULL or names none. */
int verdict_status_parse(const char *s);
/* The status of verdict v; -1 when v has none or an unknown one. */
int verdict_status(json_t *v);
/* Count one verdict of status st (-1 or out of range: unknown). */
void verdict_counts_add(struct verdict_counts *c, int st);
/* Counts from an array indexed by status (struct evaluation's counts). */
void verdict_counts_from(struct verdict_counts *c, const size_t n[ST_COUNT]);
/* How many verdicts were counted in all, unknown ones too. */
size_t verdict_counts_total(const struct verdict_counts *c);
/* The verdicts of set (an object id -> verdict, or an array) as an array
 * in their order; an empty one for NULL. The caller's reference. */
json_t *verdict_list(json_t *set);
/* Count the verdicts of set (an object id -> verdict, or an array) into
 * *out (set to zero first). */
void verdict_count(json_t *set, struct verdict_counts *out);
/* Conformant: no rule failed and none could not be evaluated. */
int verdict_conformant(const struct verdict_counts *c);
/* Whether a repository is conformant as a whole: it has verdicts, and
 * they are conformant. One with none (not evaluated yet, not an ISMS,
 * unreadable) is not. */
int verdict_repo_conformant(const struct verdict_counts *c);
/* The share of pass among pass, fail, warn and error; -1 when there are
 * none of those. */
double verdict_conformance(const struct verdict_counts *c);
/* The counts as {"pass": n, "fail": n, ...} in status order, unknown
 * left out. The caller's. */
json_t *verdict_counts_json(const struct verdict_counts *c);
/* The counts of a set as verdict_counts_json makes them. The caller's. */
json_t *verdict_count_json(json_t *set);

/* Groups. A clause groups under its top-level number ("6.1.3" -> "6"). */
enum verdict_by {
	VERDICT_BY_GROUP,  /* the summary group: "group" ("4".."10" or a theme) */
	VERDICT_BY_CLAUSE, /* the top-level clause of "clause" */
	VERDICT_BY_THEME,  /* the Annex A theme, "theme" */
};

/* The top-level clause of clause into buf ("" for NULL); buf. */
const char *verdict_clause_top(const char *clause, char *buf, size_t size);
/* The summary group of a rule: its Annex A theme, or else its top-level
 * clause, into buf. */
const char *verdict_group_key(const char *clause, const char *theme, char *buf, size_t size);
/* Count the verdicts of set whose key by `by` is key into *out (set to
 * zero first). */
void verdict_count_where(json_t *set, enum verdict_by by, const char *key,
                         struct verdict_counts *out);
/* Counts per key by `by`, keys in the order first met, each as
 * verdict_counts_json plus "conformance" (verdict_conformance, null for
 * -1). Verdicts with no key or an unknown status are left out. The
 * caller's. */
json_t *verdict_groups(json_t *set, enum verdict_by by);

/* What changed. */

/* Equal verdicts: every key but what the rule read (reads, patterns). */
int verdict_equal(json_t *a, json_t *b);
/* The difference from set prev to next (an array of verdicts in rule
 * order): *changed the verdicts of next that are new or not equal, *olds
 * the previous verdict of each in the same order (null when new; the very
 * objects of prev, verdicts are never changed once made), *removed the ids
 * of prev that next lacks. All three the caller's. Returns how many
 * changed and were removed. */
size_t verdict_diff(json_t *prev, json_t *next, json_t **changed, json_t **olds, json_t **removed);
/* Findings of verdict now that old lacked (*added) and findings of old
 * that now lacks (*resolved); either verdict may be NULL. Both the
 * caller's. Returns whether any was added or resolved. */
int verdict_findings_diff(json_t *old, json_t *now, json_t **added, json_t **resolved);
/* Apply a difference as journaled ({"full", "changed", "removed"}) to
 * set: "full" clears it first; verdicts without a string id and removed
 * entries that are not strings are ignored. */
void verdict_apply(json_t *set, json_t *diff);

#endif
