/* soa_export.c - the Statement of Applicability export. */
#include "soa_export.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "buf.h"
#include "calendar.h"
#include "date.h"
#include "snapshot.h"
#include "verdict.h"

/* The verdict statuses, worst first, as the SoA ranks them. */
static int
rank(const char *st)
{
	static const char *const order[] = { "error", "fail",   "warn",
		                             "pass",  "waived", "not_applicable" };
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (st && strcmp(st, order[i]) == 0)
			return (int)i;
	return 6;
}

static const struct model_doc *
find_type(const struct model *m, const char *type)
{
	for (size_t i = 0; i < m->ndocs; i++)
		if (m->docs[i].type && strcmp(m->docs[i].type->name, type) == 0 &&
		    m->docs[i].doc->root)
			return &m->docs[i];
	return NULL;
}

static json_t *
jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* A file's last change as a date in tz, "" when unknown. */
static void
file_day(const struct snapshot_file *f, const char *tz, struct ymd *d, char out[11])
{
	out[0] = '\0';
	if (f == NULL || f->time <= 0)
		return;
	if (date_local_ymd(f->time, tz, d) < 0)
		*d = date_from_days(f->time / 86400);
	date_format(*d, out);
}

struct ctx {
	const struct model *m;
	json_t *people;
	struct ymd today;
	int months;
	json_t *by_control; /* control -> [evidence records] */
};

static void
add_evidence_record(const struct node *rec, const struct model_doc *md, void *arg)
{
	struct ctx *c = arg;
	const struct node *ctl = node_get(rec, "controls");
	struct ymd d;
	int dated = calendar_date(rec, "date", &d) == 0;
	for (size_t i = 0; ctl && ctl->kind == NODE_SEQ && i < ctl->n; i++) {
		const char *id = ctl->items[i]->str;
		if (id == NULL)
			continue;
		json_t *a = json_object_get(c->by_control, id);
		if (a == NULL) {
			a = json_array();
			json_object_set_new(c->by_control, id, a);
		}
		json_array_append_new(
		        a,
		        json_pack("{s:s?, s:s?, s:s?, s:s, s:i, s:s?, s:o, s:b}", "id",
		                  calendar_str(rec, "id"), "kind", calendar_str(rec, "kind"),
		                  "date", calendar_str(rec, "date"), "file", md->doc->path, "line",
		                  rec->line, "result", calendar_str(rec, "result"), "performed_by",
		                  export_person(c->people, calendar_str(rec, "performed_by")),
		                  "current", dated && export_current(d, c->today, c->months)));
	}
}

/* One evidence item of the SoA: a path in the repository with its last
 * change, or a reference outside it. */
static json_t *
evidence_item(struct ctx *c, const char *ref)
{
	const struct snapshot_file *f = c->m->snap ? snapshot_find(c->m->snap, ref) : NULL;
	if (f == NULL)
		return json_pack("{s:s, s:b, s:n, s:n, s:n}", "ref", ref, "in_repository", 0,
		                 "last_changed", "age_days", "current");
	struct ymd d;
	char day[11];
	file_day(f, c->m->tz, &d, day);
	if (day[0] == '\0')
		return json_pack("{s:s, s:b, s:n, s:n, s:b}", "ref", ref, "in_repository", 1,
		                 "last_changed", "age_days", "current", 1);
	return json_pack(
	        "{s:s, s:b, s:s, s:I, s:b, s:s?}", "ref", ref, "in_repository", 1, "last_changed",
	        day, "age_days", (json_int_t)(date_days(c->today) - date_days(d)), "current",
	        export_current(d, c->today, c->months), "commit", f->commit[0] ? f->commit : NULL);
}

/* The rules, worst verdict and open findings of one control. */
static void
control_verdicts(json_t *o, json_t *vs, const char *id)
{
	json_t *rules = json_array(), *findings = json_array(), *v;
	const char *worst = NULL;
	size_t i;
	json_array_foreach (vs, i, v) {
		const char *ctl = json_string_value(json_object_get(v, "control"));
		if (ctl == NULL || strcmp(ctl, id) != 0)
			continue;
		const char *st = json_string_value(json_object_get(v, "status"));
		const char *rid = json_string_value(json_object_get(v, "id"));
		json_array_append_new(rules, json_pack("{s:s?, s:s?}", "id", rid, "status", st));
		if (worst == NULL || rank(st) < rank(worst))
			worst = st;
		if (rank(st) > 2)
			continue;
		size_t k;
		json_t *f;
		json_array_foreach (json_object_get(v, "findings"), k, f) {
			json_t *sev = json_object_get(f, "severity");
			json_array_append_new(
			        findings,
			        json_pack(
			                "{s:s?, s:O, s:O, s:O, s:O, s:O}", "rule", rid, "severity",
			                json_is_string(sev) ? sev : json_object_get(v, "severity"),
			                "message", json_object_get(f, "message"), "file",
			                json_object_get(f, "file"), "line",
			                json_object_get(f, "line"), "remediation",
			                json_object_get(v, "remediation")));
		}
	}
	json_object_set_new(o, "verdict", jstr(worst));
	json_object_set_new(o, "rules", rules);
	json_object_set_new(o, "open_findings", findings);
}

json_t *
soa_build(const struct model *m, json_t *verdicts, const struct catalogue *cat, int64_t now,
          json_t *envelope)
{
	struct ctx c = { m, export_people(m), export_today(m, now), export_max_age_months(m),
		         json_object() };
	json_t *doc = envelope ? envelope : json_object();
	json_t *vs = verdict_list(verdicts);
	calendar_each(m, "evidence", add_evidence_record, &c);
	const struct model_doc *sd = find_type(m, "soa");
	const struct node *root = sd ? sd->doc->root : NULL;
	const struct node *list = node_get(root, "controls");
	const char *org = m->manifest && m->manifest->doc->root
	                          ? calendar_str(m->manifest->doc->root, "organisation")
	                          : NULL;
	json_object_set_new(doc, "organisation", jstr(org));
	char day[11] = "";
	struct ymd d;
	if (sd)
		file_day(sd->file, m->tz, &d, day);
	json_object_set_new(
	        doc, "document",
	        json_pack("{s:s?, s:s?, s:o, s:o, s:s?, s:s?, s:s?}", "file",
	                  sd ? sd->doc->path : NULL, "version", calendar_str(root, "version"),
	                  "owner", export_person(c.people, calendar_str(root, "owner")),
	                  "approved_by", export_person(c.people, calendar_str(root, "approved_by")),
	                  "approved_on", calendar_str(root, "approved_on"), "reviewed_on",
	                  calendar_str(root, "reviewed_on"), "last_changed", day[0] ? day : NULL));
	const char **ids;
	size_t n = catalogue_controls(cat, &ids);
	size_t applicable = 0, excluded = 0, missing = 0, implemented = 0, with_findings = 0;
	json_t *controls = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *entry = catalogue_control_entry(cat, ids[i]);
		const struct node *rec = NULL;
		for (size_t k = 0; list && list->kind == NODE_SEQ && k < list->n; k++) {
			const char *id = calendar_str(list->items[k], "control");
			if (id && strcmp(id, ids[i]) == 0) {
				rec = list->items[k];
				break;
			}
		}
		const struct node *app = node_get(rec, "applicable");
		json_t *o = json_pack("{s:s, s:O, s:O}", "control", ids[i], "title",
		                      json_object_get(entry, "title"), "theme",
		                      json_object_get(entry, "theme"));
		if (app && app->kind == NODE_BOOL) {
			json_object_set_new(o, "applicable", json_boolean(app->i));
			if (app->i)
				applicable++;
			else
				excluded++;
		} else {
			json_object_set_new(o, "applicable", json_null());
			missing++;
		}
		const char *status = calendar_str(rec, "status");
		implemented += status && strcmp(status, "implemented") == 0;
		json_object_set_new(o, "justification", jstr(calendar_str(rec, "justification")));
		json_object_set_new(o, "status", jstr(status));
		json_object_set_new(o, "owner",
		                    export_person(c.people, calendar_str(rec, "owner")));
		json_t *ev = json_array();
		const struct node *e = node_get(rec, "evidence");
		if (e && e->kind == NODE_SEQ) {
			for (size_t k = 0; k < e->n; k++)
				if (e->items[k]->str && e->items[k]->kind == NODE_STRING)
					json_array_append_new(ev,
					                      evidence_item(&c, e->items[k]->str));
		} else if (e && e->str) {
			json_array_append_new(ev, evidence_item(&c, e->str));
		}
		json_object_set_new(o, "evidence", ev);
		json_t *recs = json_object_get(c.by_control, ids[i]);
		json_object_set_new(o, "evidence_records", recs ? json_incref(recs) : json_array());
		control_verdicts(o, vs, ids[i]);
		with_findings += json_array_size(json_object_get(o, "open_findings")) > 0;
		json_t *map = json_object_get(entry, "mapping_2013");
		json_object_set_new(o, "replaces_2013", map ? json_copy(map) : json_array());
		json_object_set(o, "new_in_2022", json_object_get(entry, "new_in_2022"));
		json_t *attr = json_object_get(entry, "attributes");
		json_object_set_new(o, "attributes", attr ? json_deep_copy(attr) : json_object());
		json_object_set_new(o, "notes", jstr(calendar_str(rec, "notes")));
		json_object_set_new(
		        o, "source",
		        rec ? json_pack("{s:s, s:i}", "file", sd->doc->path, "line", rec->line)
		            : json_null());
		json_array_append_new(controls, o);
	}
	json_object_set_new(doc, "counts",
	                    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "controls", (json_int_t)n,
	                              "applicable", (json_int_t)applicable, "excluded",
	                              (json_int_t)excluded, "missing", (json_int_t)missing,
	                              "implemented", (json_int_t)implemented, "with_open_findings",
	                              (json_int_t)with_findings));
	json_object_set_new(doc, "controls", controls);
	json_decref(vs);
	json_decref(c.people);
	json_decref(c.by_control);
	return doc;
}

/* Writing. */

const char *const soa_csv_columns[] = {
	"control",
	"title",
	"theme",
	"applicable",
	"justification",
	"status",
	"owner",
	"owner_id",
	"evidence",
	"evidence_last_changed",
	"evidence_current",
	"evidence_records",
	"verdict",
	"rules",
	"open_findings",
	"replaces_2013",
	"new_in_2022",
	"control_type",
	"information_security_properties",
	"cybersecurity_concepts",
	"operational_capabilities",
	"security_domains",
	"soa_version",
	"soa_approved_by",
	"soa_approved_on",
	NULL,
};

static const char *
s(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static const char *
applicable_word(json_t *c)
{
	json_t *a = json_object_get(c, "applicable");
	return json_is_true(a) ? "applicable" : json_is_false(a) ? "excluded" : "missing";
}

static const char *
person_name(json_t *p)
{
	const char *n = s(p, "name");
	return n ? n : s(p, "id");
}

/* Join the strings of array a (or of key in each object of a) with sep. */
static char *
join(json_t *a, const char *key, const char *sep)
{
	struct buf b = { 0 };
	size_t i;
	json_t *v;
	json_array_foreach (a, i, v) {
		json_t *x = key ? json_object_get(v, key) : v;
		const char *t = json_is_string(x)  ? json_string_value(x)
		                : json_is_true(x)  ? "yes"
		                : json_is_false(x) ? "no"
		                                   : "";
		buf_printf(&b, "%s%s", i ? sep : "", t);
	}
	return b.data ? b.data : xstrdup("");
}

static char *
rules_text(json_t *c)
{
	struct buf b = { 0 };
	size_t i;
	json_t *v;
	json_array_foreach (json_object_get(c, "rules"), i, v)
		buf_printf(&b, "%s%s: %s", i ? "; " : "", s(v, "id"), s(v, "status"));
	return b.data ? b.data : xstrdup("");
}

static char *
findings_text(json_t *c)
{
	struct buf b = { 0 };
	size_t i;
	json_t *v;
	json_array_foreach (json_object_get(c, "open_findings"), i, v) {
		json_int_t line = json_integer_value(json_object_get(v, "line"));
		buf_printf(&b, "%s", i ? "; " : "");
		if (s(v, "file"))
			buf_printf(&b, line ? "%s:%lld: " : "%s: ", s(v, "file"), (long long)line);
		buf_printf(&b, "%s", s(v, "message") ? s(v, "message") : "");
	}
	return b.data ? b.data : xstrdup("");
}

static char *
records_text(json_t *c)
{
	struct buf b = { 0 };
	size_t i;
	json_t *v;
	json_array_foreach (json_object_get(c, "evidence_records"), i, v)
		buf_printf(&b, "%s%s (%s, %s)", i ? "; " : "", s(v, "id") ? s(v, "id") : "?",
		           s(v, "date") ? s(v, "date") : "undated",
		           json_is_true(json_object_get(v, "current")) ? "current" : "not current");
	return b.data ? b.data : xstrdup("");
}

static void
csv_cell(FILE *out, const char *v, int last)
{
	export_csv(out, v ? v : "");
	fputs(last ? "\r\n" : ",", out);
}

static void
csv_owned(FILE *out, char *v)
{
	csv_cell(out, v, 0);
	free(v);
}

static void
write_csv(FILE *out, json_t *soa)
{
	for (size_t i = 0; soa_csv_columns[i]; i++)
		csv_cell(out, soa_csv_columns[i], soa_csv_columns[i + 1] == NULL);
	json_t *doc = json_object_get(soa, "document"), *c;
	size_t i;
	json_array_foreach (json_object_get(soa, "controls"), i, c) {
		json_t *ev = json_object_get(c, "evidence"),
		       *attr = json_object_get(c, "attributes");
		csv_cell(out, s(c, "control"), 0);
		csv_cell(out, s(c, "title"), 0);
		csv_cell(out, s(c, "theme"), 0);
		csv_cell(out, applicable_word(c), 0);
		csv_cell(out, s(c, "justification"), 0);
		csv_cell(out, s(c, "status"), 0);
		csv_cell(out, person_name(json_object_get(c, "owner")), 0);
		csv_cell(out, s(json_object_get(c, "owner"), "id"), 0);
		csv_owned(out, join(ev, "ref", "; "));
		csv_owned(out, join(ev, "last_changed", "; "));
		csv_owned(out, join(ev, "current", "; "));
		csv_owned(out, records_text(c));
		csv_cell(out, s(c, "verdict"), 0);
		csv_owned(out, rules_text(c));
		csv_owned(out, findings_text(c));
		csv_owned(out, join(json_object_get(c, "replaces_2013"), NULL, "; "));
		csv_cell(out, json_is_true(json_object_get(c, "new_in_2022")) ? "yes" : "no", 0);
		csv_owned(out, join(json_object_get(attr, "control_type"), NULL, "; "));
		csv_owned(out, join(json_object_get(attr, "information_security_properties"), NULL,
		                    "; "));
		csv_owned(out, join(json_object_get(attr, "cybersecurity_concepts"), NULL, "; "));
		csv_owned(out, join(json_object_get(attr, "operational_capabilities"), NULL, "; "));
		csv_owned(out, join(json_object_get(attr, "security_domains"), NULL, "; "));
		csv_cell(out, s(doc, "version"), 0);
		csv_cell(out, person_name(json_object_get(doc, "approved_by")), 0);
		csv_cell(out, s(doc, "approved_on"), 1);
	}
}

static void
md_evidence(FILE *out, json_t *c)
{
	size_t i;
	json_t *v;
	json_array_foreach (json_object_get(c, "evidence"), i, v) {
		fputs(i ? "<br>" : "", out);
		export_md(out, s(v, "ref"));
		if (s(v, "last_changed"))
			fprintf(out, " (%s%s)", s(v, "last_changed"),
			        json_is_true(json_object_get(v, "current")) ? "" : ", not current");
		else if (!json_is_true(json_object_get(v, "in_repository")))
			fputs(" (outside the repository)", out);
	}
	json_array_foreach (json_object_get(c, "evidence_records"), i, v) {
		fputs("<br>", out);
		export_md(out, s(v, "id"));
		fputs(" ", out);
		export_md(out, s(v, "date"));
		if (!json_is_true(json_object_get(v, "current")))
			fputs(", not current", out);
	}
}

static void
write_markdown(FILE *out, json_t *soa)
{
	json_t *doc = json_object_get(soa, "document"), *cnt = json_object_get(soa, "counts"), *c;
	fputs("# Statement of Applicability", out);
	if (s(soa, "organisation")) {
		fputs(" - ", out);
		export_md(out, s(soa, "organisation"));
	}
	fputs("\n\n", out);
	fprintf(out, "- Version: %s", s(doc, "version") ? s(doc, "version") : "(none)");
	fputs("\n- Approved by: ", out);
	export_md(out, person_name(json_object_get(doc, "approved_by")));
	fprintf(out,
	        " on %s\n- Owner: ", s(doc, "approved_on") ? s(doc, "approved_on") : "(no date)");
	export_md(out, person_name(json_object_get(doc, "owner")));
	fprintf(out, "\n- File: %s, last changed %s\n", s(doc, "file") ? s(doc, "file") : "(none)",
	        s(doc, "last_changed") ? s(doc, "last_changed") : "(unknown)");
	fprintf(out, "- Commit: %s, evaluated %s\n", s(soa, "commit") ? s(soa, "commit") : "(none)",
	        s(soa, "evaluated_at") ? s(soa, "evaluated_at") : "");
	fprintf(out,
	        "- Controls: %lld, %lld applicable, %lld excluded, %lld missing from the SoA, %lld "
	        "implemented, %lld with open findings\n\n",
	        json_integer_value(json_object_get(cnt, "controls")),
	        json_integer_value(json_object_get(cnt, "applicable")),
	        json_integer_value(json_object_get(cnt, "excluded")),
	        json_integer_value(json_object_get(cnt, "missing")),
	        json_integer_value(json_object_get(cnt, "implemented")),
	        json_integer_value(json_object_get(cnt, "with_open_findings")));
	fputs("| Control | Title | Applicable | Justification | Status | Owner | Evidence (last "
	      "changed) | Verdict | Open findings | ISO/IEC 27001:2013 | Attributes |\n"
	      "|---|---|---|---|---|---|---|---|---|---|---|\n",
	      out);
	size_t i;
	json_array_foreach (json_object_get(soa, "controls"), i, c) {
		json_t *attr = json_object_get(c, "attributes");
		fprintf(out, "| %s | ", s(c, "control"));
		export_md(out, s(c, "title"));
		fprintf(out, " | %s | ", applicable_word(c));
		export_md(out, s(c, "justification"));
		fprintf(out, " | %s | ", s(c, "status") ? s(c, "status") : "");
		export_md(out, person_name(json_object_get(c, "owner")));
		fputs(" | ", out);
		md_evidence(out, c);
		fprintf(out, " | %s | ", s(c, "verdict") ? s(c, "verdict") : "no rule");
		char *f = findings_text(c);
		export_md(out, f);
		free(f);
		char *m13 = join(json_object_get(c, "replaces_2013"), NULL, ", ");
		fprintf(out, " | %s | ", *m13 ? m13 : "new in 2022");
		free(m13);
		char *t = join(json_object_get(attr, "control_type"), NULL, ", ");
		char *p =
		        join(json_object_get(attr, "information_security_properties"), NULL, ", ");
		char *k = join(json_object_get(attr, "cybersecurity_concepts"), NULL, ", ");
		fprintf(out, "%s; %s; %s |\n", t, p, k);
		free(t);
		free(p);
		free(k);
	}
}

static void
html_list(FILE *out, json_t *a)
{
	size_t i;
	json_t *v;
	json_array_foreach (a, i, v) {
		fputs(i ? ", " : "", out);
		export_html(out, json_string_value(v));
	}
}

static void
write_html(FILE *out, json_t *soa)
{
	json_t *doc = json_object_get(soa, "document"), *cnt = json_object_get(soa, "counts"), *c;
	const char *org = s(soa, "organisation");
	export_html_head(out, "Statement of Applicability");
	fputs("<h1>Statement of Applicability", out);
	if (org) {
		fputs(" &ndash; ", out);
		export_html(out, org);
	}
	fputs("</h1>\n<table class=\"meta\"><tbody>\n<tr><th>Version</th><td>", out);
	export_html(out, s(doc, "version") ? s(doc, "version") : "(none)");
	fputs("</td></tr>\n<tr><th>Approved</th><td>", out);
	export_html(out, person_name(json_object_get(doc, "approved_by")));
	fputs(" on ", out);
	export_html(out, s(doc, "approved_on") ? s(doc, "approved_on") : "(no date)");
	fputs("</td></tr>\n<tr><th>Owner</th><td>", out);
	export_html(out, person_name(json_object_get(doc, "owner")));
	fputs("</td></tr>\n<tr><th>Source</th><td>", out);
	export_html(out, s(doc, "file"));
	fputs(", last changed ", out);
	export_html(out, s(doc, "last_changed") ? s(doc, "last_changed") : "(unknown)");
	fputs("; commit ", out);
	export_html(out, s(soa, "commit") ? s(soa, "commit") : "(none)");
	fputs(", evaluated ", out);
	export_html(out, s(soa, "evaluated_at"));
	fprintf(out,
	        "</td></tr>\n<tr><th>Controls</th><td>%lld: %lld applicable, %lld excluded, %lld "
	        "missing, %lld implemented, %lld with open findings</td></tr>\n</tbody></table>\n",
	        json_integer_value(json_object_get(cnt, "controls")),
	        json_integer_value(json_object_get(cnt, "applicable")),
	        json_integer_value(json_object_get(cnt, "excluded")),
	        json_integer_value(json_object_get(cnt, "missing")),
	        json_integer_value(json_object_get(cnt, "implemented")),
	        json_integer_value(json_object_get(cnt, "with_open_findings")));
	fputs("<table id=\"soa\">\n<thead><tr><th>Control</th><th>Title</th><th>Applicable</th>"
	      "<th>Justification</th><th>Status</th><th>Owner</th><th>Evidence (last changed)</th>"
	      "<th>Verdict</th><th>Open "
	      "findings</th><th>2013</th><th>Attributes</th></tr></thead>\n"
	      "<tbody>\n",
	      out);
	size_t i;
	json_array_foreach (json_object_get(soa, "controls"), i, c) {
		json_t *attr = json_object_get(c, "attributes"), *v;
		const char *app = applicable_word(c);
		fputs("<tr class=\"control\" id=\"A.", out);
		export_html(out, s(c, "control"));
		fputs("\"><td class=\"n\">", out);
		export_html(out, s(c, "control"));
		fputs("</td><td>", out);
		export_html(out, s(c, "title"));
		fprintf(out, "</td><td class=\"%s\">%s</td><td>", app, app);
		export_html(out, s(c, "justification"));
		fputs("</td><td class=\"", out);
		export_html(out, s(c, "status"));
		fputs("\">", out);
		export_html(out, s(c, "status"));
		fputs("</td><td>", out);
		export_html(out, person_name(json_object_get(c, "owner")));
		fputs("</td><td><ul>", out);
		size_t k;
		json_array_foreach (json_object_get(c, "evidence"), k, v) {
			int cur = json_is_true(json_object_get(v, "current"));
			fprintf(out, "<li%s>", cur ? "" : " class=\"stale\"");
			export_html(out, s(v, "ref"));
			if (s(v, "last_changed")) {
				fputs(" <small>", out);
				export_html(out, s(v, "last_changed"));
				fputs(cur ? "" : ", not current", out);
				fputs("</small>", out);
			}
			fputs("</li>", out);
		}
		json_array_foreach (json_object_get(c, "evidence_records"), k, v) {
			int cur = json_is_true(json_object_get(v, "current"));
			fprintf(out, "<li%s>", cur ? "" : " class=\"stale\"");
			export_html(out, s(v, "id"));
			fputs(" <small>", out);
			export_html(out, s(v, "date"));
			fputs(cur ? "" : ", not current", out);
			fputs("</small></li>", out);
		}
		fputs("</ul></td><td class=\"", out);
		export_html(out, s(c, "verdict"));
		fputs("\">", out);
		export_html(out, s(c, "verdict") ? s(c, "verdict") : "no rule");
		fputs("</td><td><ul>", out);
		json_array_foreach (json_object_get(c, "open_findings"), k, v) {
			fputs("<li>", out);
			if (s(v, "file")) {
				fputs("<code>", out);
				export_html(out, s(v, "file"));
				json_int_t line = json_integer_value(json_object_get(v, "line"));
				if (line)
					fprintf(out, ":%lld", (long long)line);
				fputs("</code> ", out);
			}
			export_html(out, s(v, "message"));
			fputs("</li>", out);
		}
		fputs("</ul></td><td>", out);
		html_list(out, json_object_get(c, "replaces_2013"));
		fputs("</td><td><small>", out);
		html_list(out, json_object_get(attr, "control_type"));
		fputs("; ", out);
		html_list(out, json_object_get(attr, "information_security_properties"));
		fputs("; ", out);
		html_list(out, json_object_get(attr, "cybersecurity_concepts"));
		fputs("</small></td></tr>\n", out);
	}
	fputs("</tbody>\n</table>\n</body>\n</html>\n", out);
}

void
soa_write(FILE *out, enum export_format f, json_t *soa)
{
	switch (f) {
	case EXPORT_MARKDOWN: write_markdown(out, soa); break;
	case EXPORT_CSV: write_csv(out, soa); break;
	case EXPORT_HTML: write_html(out, soa); break;
	case EXPORT_JSON:
		json_dumpf(soa, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', out);
		break;
	}
}
