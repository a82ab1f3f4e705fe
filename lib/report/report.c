/* report.c - evaluation reports: text, JSON, TAP. */
#include "report.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "cdefs.h"
#include "alloc.h"
#include "err.h"
#include "export.h"
#include "verdict.h"
#include "junit.h"
#include "sarif.h"
#include "escape.h"
#include "buf.h"

struct group {
	const char *key; /* "4".."10", or a theme */
	const char *label;
};

static const struct group groups[] = {
	{ "4", "Clause 4  Context of the organization" },
	{ "5", "Clause 5  Leadership" },
	{ "6", "Clause 6  Planning" },
	{ "7", "Clause 7  Support" },
	{ "8", "Clause 8  Operation" },
	{ "9", "Clause 9  Performance evaluation" },
	{ "10", "Clause 10 Improvement" },
	{ "organizational", "A.5  Organizational controls" },
	{ "people", "A.6  People controls" },
	{ "physical", "A.7  Physical controls" },
	{ "technological", "A.8  Technological controls" },
};

size_t
report_ngroups(void)
{
	return NELEM(groups);
}

void
report_group_at(size_t i, const char **key, const char **label)
{
	*key = groups[i].key;
	*label = groups[i].label;
}

int
report_format_parse(const char *s, enum report_format *out)
{
	if (strcmp(s, "text") == 0)
		*out = REPORT_TEXT;
	else if (strcmp(s, "json") == 0)
		*out = REPORT_JSON;
	else if (strcmp(s, "tap") == 0)
		*out = REPORT_TAP;
	else if (strcmp(s, "sarif") == 0)
		*out = REPORT_SARIF;
	else if (strcmp(s, "junit") == 0)
		*out = REPORT_JUNIT;
	else
		return err_set("unknown format '%s' (use text, json, tap, sarif or junit)", s);
	return 0;
}

const char *
report_group(const struct rule_info *r)
{
	static _Thread_local char top[8];
	if (r->theme)
		return r->theme;
	return verdict_clause_top(r->clause, top, sizeof(top));
}

int
report_exit_status(const struct evaluation *ev)
{
	struct verdict_counts c;
	verdict_counts_from(&c, ev->counts);
	return verdict_conformant(&c) ? 0 : 1;
}

static int
sev_rank(const char *s)
{
	if (s && strcmp(s, "major") == 0)
		return 0;
	if (s && strcmp(s, "minor") == 0)
		return 1;
	return 2;
}

/* Failures first by severity, then in rule order. */
static int
cmp_result(const void *a, const void *b)
{
	const struct rule_result *x = *(const struct rule_result *const *)a;
	const struct rule_result *y = *(const struct rule_result *const *)b;
	int d = sev_rank(x->rule->severity) - sev_rank(y->rule->severity);
	if (d)
		return d;
	return x < y ? -1 : x > y;
}

static const char *
paint(const struct report_meta *m, const char *code)
{
	return m->color ? code : "";
}

static void
count_line(FILE *out, const struct verdict_counts *vc)
{
	const size_t *c = vc->n;
	static const char *const label[ST_COUNT] = {
		"pass", "fail", "warn", "not applicable", "waived", "error",
	};
	int first = 1;
	for (int s = 0; s < ST_COUNT; s++) {
		if (c[s] == 0)
			continue;
		fprintf(out, "%s%zu %s", first ? "" : ", ", c[s], label[s]);
		first = 0;
	}
	if (first)
		fprintf(out, "no rules");
}

static void
text_header(FILE *out, const struct evaluation *ev, const struct report_meta *m)
{
	char now[21], day[11];
	struct ymd d;
	date_format_utc(ev->now, now);
	if (date_local_ymd(ev->now, ev->tz, &d) < 0)
		d = date_from_days(ev->now / 86400);
	date_format(d, day);
	fprintf(out, "%sISMS conformance check%s", paint(m, "\033[1m"), paint(m, "\033[0m"));
	if (m->organisation)
		fprintf(out, " - %s", esc(m->organisation));
	fprintf(out, "\nRepository: %s at %s (commit %.12s)%s\n", esc(m->repo),
	        m->ref ? esc(m->ref) : "HEAD", ev->commit[0] ? ev->commit : "none",
	        m->worktree ? ", with uncommitted changes" : "");
	fprintf(out, "Evaluated:  %s (%s; %s)\n", day, ev->tz, now);
	fprintf(out, "Rules:      %zu: ", ev->n);
	struct verdict_counts c;
	verdict_counts_from(&c, ev->counts);
	count_line(out, &c);
	fprintf(out, "\n\n");
}

static void
text_summary(FILE *out, const struct evaluation *ev)
{
	fprintf(out, "Summary by clause and Annex A theme\n");
	for (size_t g = 0; g < NELEM(groups); g++) {
		struct verdict_counts c = { 0 };
		for (size_t i = 0; i < ev->n; i++) {
			const struct rule_result *r = &ev->results[i];
			if (r->status < ST_COUNT &&
			    strcmp(report_group(r->rule), groups[g].key) == 0)
				verdict_counts_add(&c, (int)r->status);
		}
		fprintf(out, "  %-38s ", groups[g].label);
		if (verdict_counts_total(&c))
			count_line(out, &c);
		else
			fprintf(out, "no rules");
		fprintf(out, "%s\n", verdict_conformant(&c) ? "" : "   <--");
	}
	fprintf(out, "\n");
}

static void
text_rule(FILE *out, const struct rule_result *r, const struct report_meta *m, int show_remedy)
{
	const struct rule_info *ri = r->rule;
	char sev[16];
	snprintf(sev, sizeof(sev), "%s",
	         r->status == ST_FAIL ? ri->severity : rule_status_name(r->status));
	for (char *p = sev; *p; p++)
		*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
	fprintf(out, "  %s%-6s%s %s  %s (%s %s)\n",
	        paint(m, r->status == ST_FAIL ? "\033[31m" : "\033[33m"), sev, paint(m, "\033[0m"),
	        esc(ri->id), esc(ri->title), ri->control ? "Annex A" : "clause",
	        esc(ri->control ? ri->control : ri->clause));
	for (size_t k = 0; k < r->nfindings; k++) {
		const struct finding *f = &r->findings[k];
		if (f->file && f->line)
			fprintf(out, "      %s:%d: %s", esc(f->file), f->line, esc(f->message));
		else if (f->file)
			fprintf(out, "      %s: %s", esc(f->file), esc(f->message));
		else
			fprintf(out, "      %s", esc(f->message));
		if (f->severity && strcmp(f->severity, ri->severity) != 0)
			fprintf(out, " [%s]", esc(f->severity));
		fprintf(out, "\n");
	}
	if (r->note)
		fprintf(out, "      %s\n", esc(r->note));
	if (show_remedy)
		fprintf(out, "      What to do: %s\n", esc(ri->remediation));
}

static void
text_section(FILE *out, const struct evaluation *ev, enum rule_status st, const char *title,
             const struct report_meta *m, int remedy)
{
	const struct rule_result **v = xcalloc(ev->n + 1, sizeof(const struct rule_result *));
	size_t n = 0;
	for (size_t i = 0; i < ev->n; i++)
		if (ev->results[i].status == st)
			v[n++] = &ev->results[i];
	if (n) {
		qsort(v, n, sizeof(const struct rule_result *), cmp_result);
		fprintf(out, "%s (%zu)\n", title, n);
		for (size_t i = 0; i < n; i++)
			text_rule(out, v[i], m, remedy);
		fprintf(out, "\n");
	}
	free(v);
}

static void
text_verdict(FILE *out, const struct evaluation *ev)
{
	size_t major = 0, minor = 0;
	for (size_t i = 0; i < ev->n; i++)
		if (ev->results[i].status == ST_FAIL) {
			if (sev_rank(ev->results[i].rule->severity) == 0)
				major++;
			else
				minor++;
		}
	if (report_exit_status(ev) == 0) {
		fprintf(out, "Result: CONFORMANT - no nonconformities");
		if (ev->counts[ST_WARN])
			fprintf(out, "; %zu rule%s with observations", ev->counts[ST_WARN],
			        ev->counts[ST_WARN] == 1 ? "" : "s");
		fprintf(out, ".\n");
		return;
	}
	fprintf(out,
	        "Result: NOT CONFORMANT - %zu rule%s failed (%zu major, %zu "
	        "minor or observation)",
	        ev->counts[ST_FAIL], ev->counts[ST_FAIL] == 1 ? "" : "s", major, minor);
	if (ev->counts[ST_ERROR])
		fprintf(out, ", %zu rule%s could not be evaluated", ev->counts[ST_ERROR],
		        ev->counts[ST_ERROR] == 1 ? "" : "s");
	fprintf(out, ".\n");
}

static void
write_text(FILE *out, const struct evaluation *ev, const struct report_meta *m)
{
	text_header(out, ev, m);
	text_summary(out, ev);
	text_section(out, ev, ST_FAIL, "Nonconformities", m, 1);
	text_section(out, ev, ST_ERROR,
	             "Rules that could not be evaluated (fix the rule or the records it reads)", m,
	             0);
	text_section(out, ev, ST_WARN, "Observations", m, 1);
	text_section(out, ev, ST_WAIVED, "Waived", m, 0);
	if (m->verbose) {
		text_section(out, ev, ST_NOT_APPLICABLE, "Not applicable", m, 0);
		text_section(out, ev, ST_PASS, "Passed", m, 0);
	}
	text_verdict(out, ev);
}

static json_t *
jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* Whether the JSON text field key of o says s (NULL: null). */
static int
same_text(const json_t *o, const char *key, const char *s)
{
	const json_t *v = json_object_get(o, key);
	if (s == NULL)
		return json_is_null(v);
	const char *t = json_string_value(v);
	return t != NULL && strcmp(t, s) == 0;
}

/* Whether jf, a finding as finding_json makes it, is the JSON of f. */
static int
finding_is(const json_t *jf, const struct finding *f)
{
	const json_t *line = json_object_get(jf, "line");
	return json_is_object(jf) && same_text(jf, "message", f->message) &&
	       same_text(jf, "severity", f->severity) && same_text(jf, "file", f->file) &&
	       same_text(jf, "record", f->record) &&
	       same_text(jf, "fingerprint", f->fingerprint[0] ? f->fingerprint : NULL) &&
	       (f->line ? json_integer_value(line) == f->line : json_is_null(line));
}

static json_t *
finding_json(const struct finding *f)
{
	json_t *jf = json_object();
	json_object_set_new(jf, "message", json_string(f->message));
	json_object_set_new(jf, "severity", jstr(f->severity));
	json_object_set_new(jf, "file", jstr(f->file));
	json_object_set_new(jf, "line", f->line ? json_integer(f->line) : json_null());
	json_object_set_new(jf, "record", jstr(f->record));
	json_object_set_new(jf, "fingerprint",
	                    f->fingerprint[0] ? json_string(f->fingerprint) : json_null());
	return jf;
}

/* Finding k of r as JSON: the object of was (a previous verdict's
 * findings, or NULL) that says the same, shared, or a new one. A rule
 * run again after a one-record edit mostly finds what it found in the
 * same order, the findings after an edited record a few places off:
 * *off is how far off the last one was found, and the search starts
 * there. */
static json_t *
finding_from(const struct finding *f, size_t k, const json_t *was, long *off)
{
	static const long tries[] = { 0, 1, -1, 2, -2, 3, -3 };
	long n = (long)json_array_size(was);
	for (size_t t = 0; t < sizeof(tries) / sizeof(tries[0]); t++) {
		long at = (long)k + *off + tries[t];
		json_t *jf = at >= 0 && at < n ? json_array_get(was, (size_t)at) : NULL;
		if (jf && finding_is(jf, f)) {
			*off = at - (long)k;
			return json_incref(jf);
		}
	}
	return finding_json(f);
}

json_t *
report_result_json_from(const struct rule_result *r, const json_t *prev)
{
	const struct rule_info *ri = r->rule;
	const json_t *was = prev ? json_object_get(prev, "findings") : NULL;
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(ri->id));
	json_object_set_new(o, "clause", jstr(ri->clause));
	json_object_set_new(o, "control", jstr(ri->control));
	json_object_set_new(o, "theme", jstr(ri->theme));
	json_object_set_new(o, "group", json_string(report_group(ri)));
	json_object_set_new(o, "title", json_string(ri->title));
	json_object_set_new(o, "severity", json_string(ri->severity));
	json_object_set_new(o, "status", json_string(rule_status_name(r->status)));
	json_object_set_new(o, "remediation", json_string(ri->remediation));
	json_object_set_new(o, "note", jstr(r->note));
	json_t *fs = json_array();
	long off = 0;
	for (size_t k = 0; k < r->nfindings; k++)
		json_array_append_new(fs, finding_from(&r->findings[k], k, was, &off));
	json_object_set_new(o, "findings", fs);
	if (r->valid_until) {
		char t[21];
		date_format_utc(r->valid_until, t);
		json_object_set_new(o, "valid_until", json_string(t));
	} else {
		json_object_set_new(o, "valid_until", json_null());
	}
	return o;
}

json_t *
report_result_json(const struct rule_result *r)
{
	return report_result_json_from(r, NULL);
}

json_t *
report_rule_json(const struct rule_info *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(r->id));
	json_object_set_new(o, "clause", jstr(r->clause));
	json_object_set_new(o, "control", jstr(r->control));
	json_object_set_new(o, "theme", jstr(r->theme));
	json_object_set_new(o, "title", json_string(r->title));
	json_object_set_new(o, "severity", json_string(r->severity));
	json_object_set_new(o, "rationale", json_string(r->rationale));
	json_object_set_new(o, "remediation", json_string(r->remediation));
	json_object_set_new(o, "pack", jstr(r->pack));
	json_object_set_new(o, "line", json_integer(r->line));
	json_t *p = json_object();
	for (size_t k = 0; k < r->nparams; k++)
		json_object_set_new(p, r->params[k].name, json_string(r->params[k].def));
	json_object_set_new(o, "params", p);
	return o;
}

json_t *
report_json(const struct evaluation *ev, const struct report_meta *m)
{
	json_t *o = export_envelope_ev("check", ev); /* docs/output-formats.md */
	char now[21];
	date_format_utc(ev->now, now);
	json_object_set_new(o, "repository", jstr(m->repo));
	json_object_set_new(o, "ref", jstr(m->ref ? m->ref : "HEAD"));
	json_object_set_new(o, "commit", json_string(ev->commit));
	json_object_set_new(o, "worktree", json_boolean(m->worktree));
	json_object_set_new(o, "organisation", jstr(m->organisation));
	json_object_set_new(o, "evaluated_at", json_string(now));
	json_object_set_new(o, "time_zone", json_string(ev->tz));
	json_object_set_new(o, "conformant", json_boolean(report_exit_status(ev) == 0));
	struct verdict_counts c;
	verdict_counts_from(&c, ev->counts);
	json_object_set_new(o, "counts", verdict_counts_json(&c));
	json_t *rs = json_array();
	for (size_t i = 0; i < ev->n; i++)
		if (ev->results[i].status < ST_COUNT)
			json_array_append_new(rs, report_result_json(&ev->results[i]));
	json_object_set_new(o, "results", rs);
	return o;
}

/* The rule declarations of e as JSON, or NULL without an engine. */
static json_t *
rules_json(const struct engine *e)
{
	const struct rule_info *r;
	if (e == NULL)
		return NULL;
	size_t n = engine_rules(e, &r);
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, report_rule_json(&r[i]));
	return a;
}

/* Tokens gathered in a buffer and written a block at a time: json_dumpf
 * makes an fwrite call per token, a fifth of the time of a report with
 * thousands of findings, and dumping the whole text into memory first
 * would hold megabytes more at the end of a check. */
struct dump_out {
	FILE *f;
	size_t n;
	char buf[1 << 16];
};

static int
dump_block(const char *p, size_t len, void *arg)
{
	struct dump_out *o = arg;
	if (o->n + len > sizeof(o->buf)) {
		if (o->n > 0 && fwrite(o->buf, 1, o->n, o->f) != o->n)
			return -1;
		o->n = 0;
		if (len > sizeof(o->buf))
			return fwrite(p, 1, len, o->f) == len ? 0 : -1;
	}
	memcpy(o->buf + o->n, p, len);
	o->n += len;
	return 0;
}

void
report_dump_json(FILE *out, const json_t *doc)
{
	struct dump_out *o = xmalloc(sizeof(*o));
	o->f = out;
	o->n = 0;
	json_dump_callback(doc, dump_block, o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fwrite(o->buf, 1, o->n, out);
	free(o);
	fputc('\n', out);
}

void
report_write_doc(FILE *out, enum report_format f, json_t *doc, const struct engine *e)
{
	json_t *rules;
	switch (f) {
	case REPORT_SARIF:
		rules = rules_json(e);
		sarif_write(out, doc, rules);
		json_decref(rules);
		break;
	case REPORT_JUNIT: junit_write(out, doc); break;
	default: report_dump_json(out, doc);
	}
}

/* Text for a TAP line: escaped, and '#' escaped too, so that no
 * directive (SKIP, TODO) can be forged in a description. Valid until the
 * next call. */
static const char *
tap_text(const char *s)
{
	static _Thread_local struct buf b;
	b.len = 0;
	buf_adds(&b, "");
	for (const char *p = esc(s); p && *p; p++) {
		if (*p == '#')
			buf_addc(&b, '\\');
		buf_addc(&b, *p);
	}
	return b.data;
}

/* TAP: pass and waived or not applicable (SKIP) are ok; fail and error
 * are not ok; warn is "not ok # TODO": visibly not a pass, and not a
 * failure of the run, as an observation is not a nonconformity. Findings
 * and notes follow as diagnostics. */
static void
write_tap(FILE *out, const struct evaluation *ev)
{
	size_t n = 0;
	for (size_t i = 0; i < ev->n; i++)
		n += ev->results[i].status < ST_COUNT;
	fprintf(out, "1..%zu\n", n);
	size_t k = 0;
	for (size_t i = 0; i < ev->n; i++) {
		const struct rule_result *r = &ev->results[i];
		if (r->status >= ST_COUNT)
			continue;
		int bad = r->status == ST_FAIL || r->status == ST_ERROR || r->status == ST_WARN;
		fprintf(out, "%s %zu - %s", bad ? "not ok" : "ok", ++k, tap_text(r->rule->id));
		fprintf(out, " %s", tap_text(r->rule->title));
		if (r->status == ST_NOT_APPLICABLE || r->status == ST_WAIVED)
			fprintf(out, " # SKIP %s",
			        tap_text(r->note ? r->note : rule_status_name(r->status)));
		else if (r->status == ST_WARN)
			fprintf(out, " # TODO warn: an observation, not a nonconformity");
		fprintf(out, "\n");
		for (size_t f = 0; f < r->nfindings; f++)
			fprintf(out, "#   %s:%d: %s\n",
			        r->findings[f].file ? esc(r->findings[f].file) : "(repository)",
			        r->findings[f].line, esc(r->findings[f].message));
		if (r->status == ST_ERROR && r->note)
			fprintf(out, "#   error: %s\n", esc(r->note));
	}
}

void
report_write(FILE *out, enum report_format f, const struct evaluation *ev, const struct engine *e,
             const struct report_meta *meta)
{
	json_t *doc;
	switch (f) {
	case REPORT_TEXT: write_text(out, ev, meta); break;
	case REPORT_TAP: write_tap(out, ev); break;
	case REPORT_JSON:
	case REPORT_SARIF:
	case REPORT_JUNIT:
		doc = report_json(ev, meta);
		report_write_doc(out, f, doc, e);
		json_decref(doc);
		break;
	}
}

static int
cmp_ms(const void *a, const void *b)
{
	double x = (*(const struct rule_result *const *)a)->ms;
	double y = (*(const struct rule_result *const *)b)->ms;
	return x < y ? 1 : x > y ? -1 : 0;
}

void
report_profile(FILE *out, const struct evaluation *ev, size_t n)
{
	const struct rule_result **v = xcalloc(ev->n + 1, sizeof(const struct rule_result *));
	double total = 0;
	for (size_t i = 0; i < ev->n; i++) {
		v[i] = &ev->results[i];
		total += v[i]->ms;
	}
	qsort(v, ev->n, sizeof(const struct rule_result *), cmp_ms);
	fprintf(out, "rules: %zu, %.1f ms in all; the slowest:\n", ev->n, total);
	for (size_t i = 0; i < n && i < ev->n; i++)
		fprintf(out, "  %8.2f ms %12llu instructions  %s\n", v[i]->ms,
		        (unsigned long long)v[i]->steps, v[i]->rule->id);
	free(v);
}
