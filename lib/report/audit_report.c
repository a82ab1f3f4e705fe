/* audit_report.c - the audit readiness report. */
#include "audit_report.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "buf.h"
#include "calendar.h"
#include "date.h"
#include "report.h"
#include "snapshot.h"
#include "verdict.h"

struct ctx {
	const struct model *m;
	json_t *people;
	struct ymd today;
	int months;
	json_t *soa_owner;    /* control -> person id */
	json_t *refs;         /* path -> [controls] from the SoA's evidence */
	const char *isms_own; /* the SoA's owner: who answers for the rest */
	json_t *evidence;     /* evidence records */
};

static json_t *
jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static const char *
s(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
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

static void
soa_index(struct ctx *c)
{
	const struct model_doc *sd = find_type(c->m, "soa");
	const struct node *list = sd ? node_get(sd->doc->root, "controls") : NULL;
	c->isms_own = sd ? calendar_str(sd->doc->root, "owner") : NULL;
	for (size_t i = 0; list && list->kind == NODE_SEQ && i < list->n; i++) {
		const struct node *rec = list->items[i], *ev = node_get(rec, "evidence");
		const char *ctl = calendar_str(rec, "control"), *own = calendar_str(rec, "owner");
		if (ctl == NULL)
			continue;
		if (own)
			json_object_set_new(c->soa_owner, ctl, json_string(own));
		for (size_t k = 0; ev && ev->kind == NODE_SEQ && k < ev->n; k++) {
			const char *p = ev->items[k]->str;
			if (p == NULL || ev->items[k]->kind != NODE_STRING)
				continue;
			json_t *a = json_object_get(c->refs, p);
			if (a == NULL) {
				a = json_array();
				json_object_set_new(c->refs, p, a);
			}
			json_array_append_new(a, json_string(ctl));
		}
	}
}

/* Who owns the record at file:line: the owner of the list item that holds
 * the line, or of its corrective action, else the document's owner. */
static const char *
record_owner(const struct model *m, const char *file, int line)
{
	static const char *const keys[] = { "owner", "performed_by", "holder", "raised_by" };
	const struct model_doc *md = file ? model_find(m, file) : NULL;
	const struct node *root = md ? md->doc->root : NULL;
	if (root == NULL)
		return NULL;
	const struct node *list = root->kind == NODE_SEQ ? root
	                          : md->type && md->type->list_key
	                                  ? node_get(root, md->type->list_key)
	                                  : NULL;
	const struct node *item = NULL;
	for (size_t i = 0; list && list->kind == NODE_SEQ && i < list->n; i++)
		if (list->items[i]->line <= line)
			item = list->items[i];
	if (item && item->kind == NODE_MAP) {
		const char *o = calendar_str(node_get(item, "corrective_action"), "owner");
		if (o)
			return o;
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if ((o = calendar_str(item, keys[k])) != NULL)
				return o;
	}
	return root->kind == NODE_MAP ? calendar_str(root, "owner") : NULL;
}

static const char *
finding_owner(struct ctx *c, const char *file, int line, const char *control)
{
	const char *o = record_owner(c->m, file, line);
	if (o == NULL && control)
		o = s(c->soa_owner, control);
	return o ? o : c->isms_own;
}

static json_t *
findings(struct ctx *c, json_t *vs)
{
	json_t *out = json_array(), *v;
	size_t i;
	json_array_foreach (vs, i, v) {
		const char *st = s(v, "status");
		if (st == NULL || (strcmp(st, "fail") != 0 && strcmp(st, "warn") != 0 &&
		                   strcmp(st, "error") != 0))
			continue;
		const char *kind = strcmp(st, "fail") == 0   ? "nonconformity"
		                   : strcmp(st, "warn") == 0 ? "observation"
		                                             : "not evaluated";
		json_t *fs = json_object_get(v, "findings"), *f;
		size_t k, nf = json_array_size(fs);
		for (k = 0; k < (nf ? nf : 1); k++) {
			f = json_array_get(fs, k);
			const char *file = s(f, "file");
			int line = (int)json_integer_value(json_object_get(f, "line"));
			const char *sev = s(f, "severity") ? s(f, "severity") : s(v, "severity");
			json_t *o = json_pack(
			        "{s:s, s:O, s:O, s:O, s:O, s:s?, s:s?, s:s?, s:o, s:O}", "kind",
			        kind, "rule", json_object_get(v, "id"), "title",
			        json_object_get(v, "title"), "clause", json_object_get(v, "clause"),
			        "control", json_object_get(v, "control"), "severity",
			        strcmp(st, "warn") == 0 ? "observation" : sev, "message",
			        f              ? s(f, "message")
			        : s(v, "note") ? s(v, "note")
			                       : s(v, "title"),
			        "file", file, "line", line ? json_integer(line) : json_null(),
			        "remediation", json_object_get(v, "remediation"));
			json_object_set_new(
			        o, "owner",
			        export_person(c->people,
			                      finding_owner(c, file, line, s(v, "control"))));
			json_array_append_new(out, o);
		}
	}
	return out;
}

/* The findings grouped by owner: [{owner, findings: [index, ...]}]. */
static json_t *
by_owner(json_t *fs)
{
	json_t *groups = json_object(), *order = json_array(), *f;
	size_t i;
	json_array_foreach (fs, i, f) {
		json_t *own = json_object_get(f, "owner");
		const char *id = s(own, "id") ? s(own, "id") : "";
		json_t *g = json_object_get(groups, id);
		if (g == NULL) {
			g = json_pack("{s:O, s:[]}", "owner", own, "findings");
			json_object_set_new(groups, id, g);
			json_array_append(order, g);
		}
		json_array_append_new(json_object_get(g, "findings"), json_integer((json_int_t)i));
	}
	json_decref(groups);
	return order;
}

static void
add_evidence(const struct node *rec, const struct model_doc *md, void *arg)
{
	struct ctx *c = arg;
	struct ymd d;
	int dated = calendar_date(rec, "date", &d) == 0;
	json_t *ctl = json_array();
	const struct node *cs = node_get(rec, "controls");
	for (size_t i = 0; cs && cs->kind == NODE_SEQ && i < cs->n; i++)
		if (cs->items[i]->str)
			json_array_append_new(ctl, json_string(cs->items[i]->str));
	json_array_append_new(
	        c->evidence,
	        json_pack("{s:s, s:s?, s:s?, s:s?, s:s, s:i, s:o, s:o, s:s?, s:o, s:b}", "kind",
	                  "evidence record", "id", calendar_str(rec, "id"), "what",
	                  calendar_str(rec, "kind"), "date", calendar_str(rec, "date"), "file",
	                  md->doc->path, "line", rec->line, "controls", ctl, "clauses",
	                  json_array(), "result", calendar_str(rec, "result"), "age_days",
	                  dated ? json_integer(date_days(c->today) - date_days(d)) : json_null(),
	                  "current", dated && export_current(d, c->today, c->months)));
}

/* Every record file: what it is, what it supports, its age. */
static void
add_documents(struct ctx *c)
{
	for (size_t i = 0; i < c->m->ndocs; i++) {
		const struct model_doc *md = &c->m->docs[i];
		if (md->type == NULL || strcmp(md->type->name, "manifest") == 0)
			continue;
		const struct node *root = md->doc->root;
		json_t *ctl = json_array(), *cl = json_array();
		const struct node *cs = node_get(root, "controls");
		for (size_t k = 0;
		     md->type->shape != SHAPE_COLLECTION && cs && cs->kind == NODE_SEQ && k < cs->n;
		     k++)
			if (cs->items[k]->str && cs->items[k]->kind != NODE_MAP)
				json_array_append_new(ctl, json_string(cs->items[k]->str));
		json_t *refs = json_object_get(c->refs, md->doc->path), *v;
		size_t k;
		json_array_foreach (refs, k, v)
			json_array_append(ctl, v);
		cs = node_get(root, "clauses");
		for (k = 0; cs && cs->kind == NODE_SEQ && k < cs->n; k++)
			if (cs->items[k]->str)
				json_array_append_new(cl, json_string(cs->items[k]->str));
		if (json_array_size(cl) == 0)
			json_array_append_new(cl, json_string(md->type->clause));
		/* Current: changed, reviewed or approved within the review
		 * interval. */
		struct ymd d = { 0, 0, 0 }, r;
		int dated = 0;
		if (md->file && md->file->time > 0) {
			if (date_local_ymd(md->file->time, c->m->tz, &d) < 0)
				d = date_from_days(md->file->time / 86400);
			dated = 1;
		}
		char day[11] = "";
		if (dated)
			date_format(d, day);
		struct ymd best = d;
		const char *fields[] = { "reviewed_on", "approved_on" };
		for (size_t f = 0; root && root->kind == NODE_MAP && f < 2; f++)
			if (calendar_date(root, fields[f], &r) == 0 &&
			    (!dated || date_days(r) > date_days(best))) {
				best = r;
				dated = 1;
			}
		const char *title =
		        root && root->kind == NODE_MAP ? calendar_str(root, "title") : NULL;
		json_array_append_new(
		        c->evidence,
		        json_pack("{s:s, s:s?, s:s, s:s?, s:s, s:n, s:o, s:o, s:s?, s:o, s:b}",
		                  "kind", "document", "id",
		                  root && root->kind == NODE_MAP ? calendar_str(root, "id") : NULL,
		                  "what", md->type->title, "date", day[0] ? day : NULL, "file",
		                  md->doc->path, "line", "controls", ctl, "clauses", cl, "title",
		                  title, "age_days",
		                  day[0] ? json_integer(date_days(c->today) - date_days(d))
		                         : json_null(),
		                  "current", dated && export_current(best, c->today, c->months)));
	}
}

static json_t *
calendar_json(struct ctx *c, int64_t now, int cycle)
{
	struct calendar *cal = NULL;
	json_t *a = json_array();
	calendar_build(c->m, now, &cal);
	int64_t today = date_days(cal->today);
	for (size_t i = 0; i < cal->n; i++) {
		const struct cal_event *e = &cal->v[i];
		int cert = e->kind == CAL_STAGE1 || e->kind == CAL_STAGE2 ||
		           e->kind == CAL_SURVEILLANCE || e->kind == CAL_RECERTIFICATION ||
		           e->kind == CAL_CERT_EXPIRY;
		int64_t day = date_days(e->date);
		if (cycle ? !cert : !(e->overdue || (day >= today && day <= today + 366)))
			continue;
		char d[11];
		date_format(e->date, d);
		json_array_append_new(
		        a, json_pack("{s:s, s:s, s:s, s:s, s:o, s:s?, s:o, s:b}", "date", d, "kind",
		                     calendar_kind_name(e->kind), "id", e->id, "title", e->title,
		                     "owner", export_person(c->people, e->owner), "file", e->file,
		                     "line", e->line ? json_integer(e->line) : json_null(),
		                     "overdue", e->overdue));
	}
	calendar_free(cal);
	return a;
}

json_t *
audit_report_build(const struct model *m, json_t *verdicts, const struct catalogue *cat,
                   int64_t now, json_t *trend, json_t *envelope)
{
	struct ctx c = { m,
		         export_people(m),
		         export_today(m, now),
		         export_max_age_months(m),
		         json_object(),
		         json_object(),
		         NULL,
		         json_array() };
	json_t *doc = envelope ? envelope : json_object();
	json_t *vs = verdict_list(verdicts);
	soa_index(&c);
	const struct node *man = m->manifest ? m->manifest->doc->root : NULL;
	const struct node *cert = node_get(man, "certificate");
	json_object_set_new(doc, "organisation", jstr(calendar_str(man, "organisation")));
	json_t *tm = json_array();
	const struct node *top = node_get(man, "top_management");
	for (size_t i = 0; top && top->kind == NODE_SEQ && i < top->n; i++)
		json_array_append_new(tm, export_person(c.people, top->items[i]->str));
	json_object_set_new(doc, "top_management", tm);
	const struct model_doc *sc = find_type(m, "scope");
	json_t *scope = json_object();
	if (sc) {
		json_object_set_new(scope, "file", json_string(sc->doc->path));
		json_object_set_new(scope, "approved_on",
		                    jstr(calendar_str(sc->doc->root, "approved_on")));
		json_object_set_new(
		        scope, "approved_by",
		        export_person(c.people, calendar_str(sc->doc->root, "approved_by")));
		if (sc->doc->body) {
			size_t n = sc->doc->body_len > 4000 ? 4000 : sc->doc->body_len;
			json_object_set_new(scope, "text", json_stringn(sc->doc->body, n));
		}
	}
	json_object_set_new(doc, "scope", scope);
	json_t *cj = json_object();
	static const char *const cf[] = { "number",         "certification_body", "issued",
		                          "expires",        "stage1_on",          "stage2_on",
		                          "scope_statement" };
	for (size_t i = 0; i < sizeof(cf) / sizeof(cf[0]); i++)
		json_object_set_new(cj, cf[i], jstr(calendar_str(cert, cf[i])));
	json_object_set_new(doc, "certificate", cj);
	json_object_set_new(doc, "audit_cycle", calendar_json(&c, now, 1));
	/* Conformance per clause and theme. */
	json_t *groups = json_array();
	for (size_t g = 0; g < report_ngroups(); g++) {
		const char *key, *label;
		struct verdict_counts vc;
		report_group_at(g, &key, &label);
		verdict_count_where(vs, VERDICT_BY_GROUP, key, &vc);
		double conf = verdict_conformance(&vc);
		json_array_append_new(groups, json_pack("{s:s, s:s, s:b, s:o, s:o}", "group", key,
		                                        "label", label, "conformant",
		                                        verdict_conformant(&vc), "conformance",
		                                        conf < 0 ? json_null() : json_real(conf),
		                                        "counts", verdict_counts_json(&vc)));
	}
	struct verdict_counts all;
	verdict_count(vs, &all);
	json_object_set_new(doc, "conformant", json_boolean(verdict_conformant(&all)));
	json_object_set_new(doc, "counts", verdict_counts_json(&all));
	json_object_set_new(doc, "groups", groups);
	json_t *fs = findings(&c, vs);
	json_object_set_new(doc, "by_owner", by_owner(fs));
	json_object_set_new(doc, "findings", fs);
	calendar_each(m, "evidence", add_evidence, &c);
	add_documents(&c);
	json_object_set_new(doc, "evidence_index", c.evidence);
	json_object_set_new(doc, "calendar", calendar_json(&c, now, 0));
	json_object_set_new(doc, "trend", trend ? trend : json_array());
	(void)cat;
	json_decref(vs);
	json_decref(c.people);
	json_decref(c.soa_owner);
	json_decref(c.refs);
	return doc;
}

/* Writing: one walk over the document, HTML or Markdown. */

struct w {
	FILE *out;
	int html;
};

static void
text(struct w *w, const char *t)
{
	if (w->html)
		export_html(w->out, t ? t : "");
	else
		export_md(w->out, t ? t : "");
}

static void
heading(struct w *w, const char *id, const char *t)
{
	if (w->html) {
		fprintf(w->out, "<h2 id=\"%s\">", id);
		text(w, t);
		fputs("</h2>\n", w->out);
	} else {
		fputs("\n## ", w->out);
		text(w, t);
		fputs("\n\n", w->out);
	}
}

static void
para(struct w *w, const char *label, const char *value)
{
	if (w->html) {
		fputs("<tr><th>", w->out);
		text(w, label);
		fputs("</th><td>", w->out);
		text(w, value ? value : "-");
		fputs("</td></tr>\n", w->out);
	} else {
		fprintf(w->out, "- %s: ", label);
		text(w, value ? value : "-");
		fputc('\n', w->out);
	}
}

/* A table: header cells, then rows through row(). */
static void
table_start(struct w *w, const char *id, const char *const *cols)
{
	if (w->html) {
		fprintf(w->out, "<table id=\"%s\"><thead><tr>", id);
		for (size_t i = 0; cols[i]; i++) {
			fputs("<th>", w->out);
			text(w, cols[i]);
			fputs("</th>", w->out);
		}
		fputs("</tr></thead>\n<tbody>\n", w->out);
	} else {
		size_t i;
		for (i = 0; cols[i]; i++) {
			fputs("| ", w->out);
			text(w, cols[i]);
			fputc(' ', w->out);
		}
		fputs("|\n", w->out);
		while (i--)
			fputs("|---", w->out);
		fputs("|\n", w->out);
	}
}

static void
table_end(struct w *w)
{
	fputs(w->html ? "</tbody></table>\n" : "", w->out);
}

static void
row_start(struct w *w, const char *cls)
{
	if (w->html)
		fprintf(w->out, "<tr class=\"%s\">", cls);
}

static void
cell(struct w *w, const char *t)
{
	fputs(w->html ? "<td>" : "| ", w->out);
	text(w, t);
	fputs(w->html ? "</td>" : " ", w->out);
}

static void
cellf(struct w *w, const char *fmt, long long v)
{
	char b[64];
	snprintf(b, sizeof(b), fmt, v);
	cell(w, b);
}

static void
row_end(struct w *w)
{
	fputs(w->html ? "</tr>\n" : "|\n", w->out);
}

static const char *
pname(json_t *p)
{
	return s(p, "name") ? s(p, "name") : s(p, "id") ? s(p, "id") : "(no owner)";
}

static void
where(struct w *w, json_t *f)
{
	char b[4200];
	json_int_t line = json_integer_value(json_object_get(f, "line"));
	if (s(f, "file") && line)
		snprintf(b, sizeof(b), "%s:%lld", s(f, "file"), (long long)line);
	else
		snprintf(b, sizeof(b), "%s", s(f, "file") ? s(f, "file") : "(repository)");
	cell(w, b);
}

static char *
joined(json_t *a)
{
	struct buf b = { 0 };
	size_t i;
	json_t *v;
	json_array_foreach (a, i, v)
		buf_printf(&b, "%s%s", i ? ", " : "",
		           json_string_value(v) ? json_string_value(v) : "");
	return b.data ? b.data : xstrdup("");
}

static void
write_doc(struct w *w, json_t *r)
{
	const char *org = s(r, "organisation");
	json_t *cert = json_object_get(r, "certificate"), *v, *scope = json_object_get(r, "scope");
	size_t i;
	if (w->html) {
		export_html_head(w->out, "Audit readiness report");
		fputs("<h1>Audit readiness report", w->out);
		if (org) {
			fputs(" &ndash; ", w->out);
			text(w, org);
		}
		fputs("</h1>\n<table class=\"meta\"><tbody>\n", w->out);
	} else {
		fputs("# Audit readiness report", w->out);
		if (org) {
			fputs(" - ", w->out);
			text(w, org);
		}
		fputs("\n\n", w->out);
	}
	para(w, "Commit", s(r, "commit"));
	para(w, "Evaluated", s(r, "evaluated_at"));
	para(w, "Result",
	     json_is_true(json_object_get(r, "conformant")) ? "conformant" : "NOT conformant");
	struct buf tmb = { 0 };
	json_array_foreach (json_object_get(r, "top_management"), i, v)
		buf_printf(&tmb, "%s%s", i ? ", " : "", pname(v));
	para(w, "Top management", tmb.data);
	buf_free(&tmb);
	para(w, "Certification body", s(cert, "certification_body"));
	para(w, "Certificate", s(cert, "number"));
	para(w, "Issued", s(cert, "issued"));
	para(w, "Expires", s(cert, "expires"));
	para(w, "Scope on the certificate", s(cert, "scope_statement"));
	para(w, "Scope document", s(scope, "file"));
	if (w->html)
		fputs("</tbody></table>\n", w->out);

	static const char *const cyc[] = { "Date", "Audit", "Status", NULL };
	heading(w, "cycle", "Audit cycle");
	table_start(w, "cycle-table", cyc);
	json_array_foreach (json_object_get(r, "audit_cycle"), i, v) {
		row_start(w, json_is_true(json_object_get(v, "overdue")) ? "fail" : "event");
		cell(w, s(v, "date"));
		cell(w, s(v, "title"));
		cell(w, json_is_true(json_object_get(v, "overdue")) ? "OVERDUE" : "");
		row_end(w);
	}
	table_end(w);

	static const char *const gc[] = { "Clause or theme", "Result", "Pass", "Fail", "Warn",
		                          "Not applicable",  NULL };
	heading(w, "conformance", "Conformance per clause and Annex A theme");
	table_start(w, "conformance-table", gc);
	json_array_foreach (json_object_get(r, "groups"), i, v) {
		json_t *cn = json_object_get(v, "counts");
		int ok = json_is_true(json_object_get(v, "conformant"));
		row_start(w, ok ? "group pass" : "group fail");
		cell(w, s(v, "label"));
		cell(w, ok ? "conformant" : "NOT conformant");
		cellf(w, "%lld", json_integer_value(json_object_get(cn, "pass")));
		cellf(w, "%lld", json_integer_value(json_object_get(cn, "fail")));
		cellf(w, "%lld", json_integer_value(json_object_get(cn, "warn")));
		cellf(w, "%lld", json_integer_value(json_object_get(cn, "not_applicable")));
		row_end(w);
	}
	table_end(w);

	static const char *const fc[] = { "#",     "Kind", "Severity",   "Where", "Finding",
		                          "Owner", "Rule", "What to do", NULL };
	json_t *fs = json_object_get(r, "findings");
	heading(w, "findings", "Nonconformities and observations");
	table_start(w, "findings-table", fc);
	json_array_foreach (fs, i, v) {
		row_start(w, s(v, "severity") ? s(v, "severity") : "finding");
		cellf(w, "%lld", (long long)i + 1);
		cell(w, s(v, "kind"));
		cell(w, s(v, "severity"));
		where(w, v);
		cell(w, s(v, "message"));
		cell(w, pname(json_object_get(v, "owner")));
		char b[512];
		snprintf(b, sizeof(b), "%s (%s %s)", s(v, "rule") ? s(v, "rule") : "",
		         s(v, "control") ? "Annex A" : "clause",
		         s(v, "control")  ? s(v, "control")
		         : s(v, "clause") ? s(v, "clause")
		                          : "");
		cell(w, b);
		cell(w, s(v, "remediation"));
		row_end(w);
	}
	table_end(w);

	heading(w, "owners", "Findings by owner");
	json_array_foreach (json_object_get(r, "by_owner"), i, v) {
		json_t *own = json_object_get(v, "owner"), *x;
		size_t k;
		if (w->html) {
			fputs("<h3>", w->out);
			text(w, pname(own));
			fprintf(w->out, " (%zu)</h3>\n<ul>\n",
			        json_array_size(json_object_get(v, "findings")));
		} else {
			fputs("### ", w->out);
			text(w, pname(own));
			if (s(own, "id"))
				fprintf(w->out, " (`%s`)", s(own, "id"));
			fputs("\n\n", w->out);
		}
		json_array_foreach (json_object_get(v, "findings"), k, x) {
			json_t *f = json_array_get(fs, (size_t)json_integer_value(x));
			fputs(w->html ? "<li>" : "- ", w->out);
			fprintf(w->out, "#%lld ", (long long)json_integer_value(x) + 1);
			text(w, s(f, "file") ? s(f, "file") : "(repository)");
			if (json_integer_value(json_object_get(f, "line")))
				fprintf(w->out, ":%lld",
				        (long long)json_integer_value(json_object_get(f, "line")));
			fputs(": ", w->out);
			text(w, s(f, "message"));
			fputs(w->html ? "</li>\n" : "\n", w->out);
		}
		fputs(w->html ? "</ul>\n" : "\n", w->out);
	}

	static const char *const ec[] = { "Evidence or document", "Kind",    "Supports", "Date",
		                          "Age (days)",           "Current", NULL };
	heading(w, "evidence", "Evidence index");
	table_start(w, "evidence-table", ec);
	json_array_foreach (json_object_get(r, "evidence_index"), i, v) {
		int cur = json_is_true(json_object_get(v, "current"));
		row_start(w, cur ? "evidence" : "stale");
		char b[4200];
		json_int_t line = json_integer_value(json_object_get(v, "line"));
		if (line)
			snprintf(b, sizeof(b), "%s (%s:%lld)", s(v, "id") ? s(v, "id") : "",
			         s(v, "file"), (long long)line);
		else
			snprintf(b, sizeof(b), "%s", s(v, "file"));
		cell(w, b);
		cell(w, s(v, "what"));
		char *ctl = joined(json_object_get(v, "controls"));
		char *cl = joined(json_object_get(v, "clauses"));
		struct buf sup = { 0 };
		if (*cl)
			buf_printf(&sup, "clause %s", cl);
		if (*ctl)
			buf_printf(&sup, "%sAnnex A %s", *cl ? "; " : "", ctl);
		cell(w, sup.data);
		buf_free(&sup);
		free(ctl);
		free(cl);
		cell(w, s(v, "date"));
		json_t *age = json_object_get(v, "age_days");
		if (json_is_integer(age))
			cellf(w, "%lld", json_integer_value(age));
		else
			cell(w, "");
		cell(w, cur ? "current" : "NOT current");
		row_end(w);
	}
	table_end(w);

	static const char *const cc[] = { "Date", "What", "Owner", "Record", "Status", NULL };
	heading(w, "calendar", "Coming up (and overdue)");
	table_start(w, "calendar-table", cc);
	json_array_foreach (json_object_get(r, "calendar"), i, v) {
		int late = json_is_true(json_object_get(v, "overdue"));
		row_start(w, late ? "fail" : "event");
		cell(w, s(v, "date"));
		cell(w, s(v, "title"));
		cell(w, s(json_object_get(v, "owner"), "id") ? pname(json_object_get(v, "owner"))
		                                             : "");
		where(w, v);
		cell(w, late ? "OVERDUE" : "");
		row_end(w);
	}
	table_end(w);

	static const char *const tc[] = { "Date", "Commit", "Result", "Conformance",
		                          "Pass", "Fail",   "Warn",   NULL };
	heading(w, "trend", "Trend over the last 12 months");
	table_start(w, "trend-table", tc);
	json_array_foreach (json_object_get(r, "trend"), i, v) {
		json_t *cn = json_object_get(v, "counts");
		int ok = json_is_true(json_object_get(v, "conformant"));
		char d[11], cm[13], pc[16];
		snprintf(d, sizeof(d), "%s", s(v, "date") ? s(v, "date") : "");
		snprintf(cm, sizeof(cm), "%s", s(v, "commit") ? s(v, "commit") : "");
		snprintf(pc, sizeof(pc), "%.1f%%",
		         100 * json_number_value(json_object_get(v, "conformance")));
		row_start(w, ok ? "trend pass" : "trend fail");
		cell(w, d);
		cell(w, cm);
		cell(w, ok ? "conformant" : "NOT conformant");
		cell(w, pc);
		cellf(w, "%lld", json_integer_value(json_object_get(cn, "pass")));
		cellf(w, "%lld", json_integer_value(json_object_get(cn, "fail")));
		cellf(w, "%lld", json_integer_value(json_object_get(cn, "warn")));
		row_end(w);
	}
	table_end(w);
	if (w->html)
		fputs("</body>\n</html>\n", w->out);
}

void
audit_report_write(FILE *out, enum export_format f, json_t *report)
{
	if (f == EXPORT_JSON || f == EXPORT_CSV) {
		json_dumpf(report, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', out);
		return;
	}
	struct w w = { out, f == EXPORT_HTML };
	write_doc(&w, report);
}
