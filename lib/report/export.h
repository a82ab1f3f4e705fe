/* export.h - what the exports share (the SoA, the audit report, OSCAL,
 * the check JSON): the versioned JSON envelope, the verdicts of an
 * evaluation as JSON, people by name, how old a file or record is, and
 * the escaping of HTML, CSV and Markdown table cells. Any thread. */
#ifndef ISMS_EXPORT_H
#define ISMS_EXPORT_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "date.h"
#include "engine.h"
#include "model.h"

/* The version of every JSON shape in docs/output-formats.md. A consumer
 * accepts the versions it knows; new keys may come without a new
 * version, a key changed or removed makes one. */
#define EXPORT_FORMAT_VERSION 1

enum export_format { EXPORT_MARKDOWN, EXPORT_CSV, EXPORT_HTML, EXPORT_JSON };

/* The format named s ("markdown" or "md", "csv", "html", "json") if it is
 * one of allowed (a mask of 1 << format); -1 with err_msg(). */
int export_format_parse(const char *s, unsigned allowed, enum export_format *out);

/* The envelope every JSON export starts with: format ("ismsd.<kind>"),
 * format_version, tool {name, version}, commit, rules_digest (the rule
 * packs with the parameters and waivers that judged it; NULL: null),
 * evaluated_at (UTC), time_zone. The caller's. */
json_t *export_envelope(const char *kind, const char *commit, const char *rules_digest,
                        int64_t evaluated_at, const char *tz);
/* export_envelope of an evaluation. */
json_t *export_envelope_ev(const char *kind, const struct evaluation *ev);

/* People: an object from person id to name, from the personnel records
 * of m. The caller's. */
json_t *export_people(const struct model *m);
/* {"id": id, "name": name or null}; null for a NULL id. The caller's. */
json_t *export_person(json_t *people, const char *id);
/* The name of person id, else the id itself. Borrowed. */
const char *export_person_name(json_t *people, const char *id);

/* The months after which a document or evidence is no longer current:
 * the parameter evidence_max_age_months, else review_months, else 12. */
int export_max_age_months(const struct model *m);
/* Whether something dated day is still current at today. */
int export_current(struct ymd day, struct ymd today, int months);
/* today: the date of now in m's time zone. */
struct ymd export_today(const struct model *m, int64_t now);

/* The text of a scalar field of rec, or NULL; borrowed. */
const char *export_str(const struct node *rec, const char *key);

/* Write s escaped for HTML text and attribute values (& < > " '). */
void export_html(FILE *out, const char *s);
/* Write s as one CSV field (RFC 4180): quoted when it holds a comma,
 * quote, CR or LF, quotes doubled. A cell that a spreadsheet would take
 * for a formula (= + - @ at the start) gets a leading apostrophe. */
void export_csv(FILE *out, const char *s);
/* Write s as a Markdown table cell: pipes and backslashes escaped, line
 * breaks as spaces, HTML markup characters as entities. */
void export_md(FILE *out, const char *s);
/* Shared print CSS of the HTML exports: one <style> element. */
void export_html_head(FILE *out, const char *title);

#endif
