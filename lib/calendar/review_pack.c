/* review_pack.c - gather the management review inputs (9.3.2) from the
 * records since the last review, as Markdown with a link to each record.
 *
 * "Since the last review" means records dated on or after the held_on of
 * the latest management review held by today; with none, everything. */
#include "review_pack.h"

#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "date.h"
#include "escape.h"
#include "alloc.h"

#define TEXT_MAX 160

struct pack {
	const struct model *m;
	struct buf *out;
	const char *prefix;
	int64_t today, since;    /* day numbers; since INT64_MIN: no review yet */
	const struct node *last; /* the last review */
	const struct model_doc *last_doc;
	size_t count;        /* items written in the current section */
	int64_t quarters[8]; /* nonconformities raised per quarter, oldest first */
};

/* Write a link to line `line` of md's file. */
static void
cite(struct pack *p, const struct model_doc *md, int line)
{
	const char *path = esc(md->file->path);
	buf_printf(p->out, "[%s:%d](%s%s#L%d)", path, line, p->prefix, path, line);
}

/* A string field escaped (escape.h), or NULL: valid until ESCAPE_RING
 * further calls. */
static const char *
str(const struct node *rec, const char *key)
{
	return esc(calendar_str(rec, key));
}

/* Write free text on one line, cut to TEXT_MAX characters: line breaks
 * become spaces, other control characters are escaped (escape.h), and
 * Markdown table and emphasis characters are escaped. */
static void
text(struct pack *p, const char *raw)
{
	size_t i;
	char *cp = raw ? xstrdup(raw) : NULL;
	for (char *q = cp; q && *q; q++)
		if (*q == '\n' || *q == '\r' || *q == '\t')
			*q = ' ';
	const char *s = esc(cp);

	for (i = 0; s && s[i] && i < TEXT_MAX; i++) {
		if (strchr("|*_`[]<>\\#", s[i]))
			buf_addc(p->out, '\\');
		buf_addc(p->out, s[i]);
	}
	if (s && s[i])
		buf_adds(p->out, "...");
	if (s == NULL)
		buf_adds(p->out, "-");
	free(cp);
}

/* The day number of a date field, or INT64_MIN. */
static int64_t
day_of(const struct node *rec, const char *key)
{
	struct ymd d;
	return calendar_date(rec, key, &d) == 0 ? date_days(d) : INT64_MIN;
}

/* Whether a date field falls in [since, today]. */
static int
recent(const struct pack *p, const struct node *rec, const char *key)
{
	int64_t d = day_of(rec, key);
	return d != INT64_MIN && d >= p->since && d <= p->today;
}

/* The line of a field, or of the record. */
static int
line_of(const struct node *rec, const char *key)
{
	const struct node *n = node_get(rec, key);
	return n ? n->line : rec->line;
}

/* Start a section. */
static void
section(struct pack *p, const char *title)
{
	buf_printf(p->out, "\n## %s\n\n", title);
	p->count = 0;
}

/* Close a section that listed nothing. */
static void
none(struct pack *p, const char *what)
{
	if (p->count == 0)
		buf_printf(p->out, "- %s\n", what);
}

/* Begin a list item: "- ". */
static void
item(struct pack *p)
{
	buf_adds(p->out, "- ");
	p->count++;
}

/* Find the last review held by today. */
static void
find_last(const struct node *rec, const struct model_doc *md, void *arg)
{
	struct pack *p = arg;
	int64_t d = day_of(rec, "held_on");

	if (d == INT64_MIN || d > p->today)
		return;
	if (p->last == NULL || d > day_of(p->last, "held_on")) {
		p->last = rec;
		p->last_doc = md;
	}
}

/* 9.3.2 a: actions of earlier reviews: all of the last one, and those of
 * earlier ones still open. */
static void
visit_actions(const struct node *rec, const struct model_doc *md, void *arg)
{
	struct pack *p = arg;
	const struct node *acts = node_get(rec, "actions");
	const char *rid = str(rec, "id");
	int64_t held = day_of(rec, "held_on");

	if (held == INT64_MIN || held > p->today)
		return;
	for (size_t i = 0; acts && acts->kind == NODE_SEQ && i < acts->n; i++) {
		const struct node *a = acts->items[i];
		const char *st = str(a, "status");
		int open = !(st && (strcmp(st, "done") == 0 || strcmp(st, "cancelled") == 0));
		int64_t due = day_of(a, "due");
		if (a->kind != NODE_MAP || (rec != p->last && !open))
			continue;
		item(p);
		buf_printf(p->out, "**%s/%s** %s: ", rid ? rid : "?",
		           str(a, "id") ? str(a, "id") : "?", st ? st : "no status");
		text(p, calendar_str(a, "action"));
		buf_printf(p->out, " (owner %s, due %s%s) ",
		           str(a, "owner") ? str(a, "owner") : "not named",
		           str(a, "due") ? str(a, "due") : "not set",
		           open && due != INT64_MIN && due < p->today ? ", OVERDUE" : "");
		cite(p, md, a->line);
		buf_addc(p->out, '\n');
	}
}

/* 9.3.2 b, c: context issues and interested parties reviewed since. */
static void
visit_context(const struct node *rec, const struct model_doc *md, void *arg)
{
	struct pack *p = arg;
	const char *what = str(rec, "issue");

	if (!recent(p, rec, "reviewed_on"))
		return;
	item(p);
	buf_printf(p->out, "%s: ", str(rec, "id") ? str(rec, "id") : "?");
	text(p, what ? what : str(rec, "name"));
	buf_printf(p->out, " (reviewed %s) ", str(rec, "reviewed_on"));
	cite(p, md, rec->line);
	buf_addc(p->out, '\n');
}

/* 6.3 changes decided or made since. */
static void
visit_change(const struct node *rec, const struct model_doc *md, void *arg)
{
	struct pack *p = arg;
	const char *key = recent(p, rec, "implemented_on") ? "implemented_on"
	                  : recent(p, rec, "approved_on")  ? "approved_on"
	                  : recent(p, rec, "planned_on")   ? "planned_on"
	                                                   : NULL;
	if (key == NULL)
		return;
	item(p);
	buf_printf(p->out, "Change %s: ", str(rec, "id") ? str(rec, "id") : "?");
	text(p, calendar_str(rec, "title"));
	buf_printf(p->out, " (%s, %s %s) ", str(rec, "status") ? str(rec, "status") : "no status",
	           key, str(rec, key));
	cite(p, md, line_of(rec, key));
	buf_addc(p->out, '\n');
}

/* 9.3.2 d 1: nonconformities raised since or still open; the trend. */
static void
visit_nc(const struct node *rec, const struct model_doc *md, void *arg)
{
	struct pack *p = arg;
	const char *st = str(rec, "status");
	const struct node *ca = node_get(rec, "corrective_action");
	int64_t raised = day_of(rec, "raised_on"), due = day_of(ca, "due");
	int open = !(st && strcmp(st, "closed") == 0);
	struct ymd t = date_from_days(p->today), r;

	if (raised != INT64_MIN) {
		r = date_from_days(raised);
		int64_t q = ((int64_t)t.y * 4 + (t.m - 1) / 3) - ((int64_t)r.y * 4 + (r.m - 1) / 3);
		if (q >= 0 && q < 8)
			p->quarters[7 - q]++;
	}
	if (!open && !recent(p, rec, "raised_on") && !recent(p, rec, "closed_on"))
		return;
	item(p);
	buf_printf(p->out, "**%s** (%s, %s, raised %s): ", str(rec, "id") ? str(rec, "id") : "?",
	           str(rec, "severity") ? str(rec, "severity") : "severity not set",
	           open ? "open" : "closed", str(rec, "raised_on") ? str(rec, "raised_on") : "?");
	text(p, calendar_str(rec, "description"));
	if (open && ca && str(ca, "completed_on") == NULL)
		buf_printf(p->out, "; corrective action due %s%s",
		           str(ca, "due") ? str(ca, "due") : "not set",
		           due != INT64_MIN && due < p->today ? ", OVERDUE" : "");
	buf_addc(p->out, ' ');
	cite(p, md, rec->line);
	buf_addc(p->out, '\n');
}

/* 9.3.2 d 2: metrics measured since. */
static void
visit_metric(const struct node *rec, const struct model_doc *md, void *arg)
{
	struct pack *p = arg;
	const struct node *ms = node_get(rec, "measurements"), *last = NULL;
	size_t n = 0;

	for (size_t i = 0; ms && ms->kind == NODE_SEQ && i < ms->n; i++)
		if (ms->items[i]->kind == NODE_MAP && recent(p, ms->items[i], "date")) {
			n++;
			if (last == NULL || day_of(ms->items[i], "date") >= day_of(last, "date"))
				last = ms->items[i];
		}
	if (last == NULL)
		return;
	item(p);
	buf_printf(p->out, "%s: ", str(rec, "id") ? str(rec, "id") : "?");
	text(p, calendar_str(rec, "name"));
	buf_printf(p->out, ": %zu measurement%s, latest %s on %s (target %s%s) ", n,
	           n == 1 ? "" : "s", str(last, "value"), str(last, "date"),
	           str(rec, "target") ? str(rec, "target") : "not set",
	           str(rec, "unit") ? str(rec, "unit") : "");
	cite(p, md, last->line);
	buf_addc(p->out, '\n');
}

/* 9.3.2 d 3: internal audits held since, with their findings. */
static void
visit_report(const struct node *rec, const struct model_doc *md, void *arg)
{
	struct pack *p = arg;
	const struct node *fs = node_get(rec, "findings");
	size_t nc = 0, obs = 0, opp = 0;

	if (!recent(p, rec, "held_on"))
		return;
	for (size_t i = 0; fs && fs->kind == NODE_SEQ && i < fs->n; i++) {
		const char *k = calendar_str(fs->items[i], "kind");
		nc += k && strcmp(k, "nonconformity") == 0;
		obs += k && strcmp(k, "observation") == 0;
		opp += k && strcmp(k, "opportunity") == 0;
	}
	item(p);
	buf_printf(p->out,
	           "**%s** held %s by %s: %zu nonconformit%s, %zu observation%s, %zu "
	           "opportunit%s ",
	           str(rec, "id") ? str(rec, "id") : "?", str(rec, "held_on"),
	           str(rec, "auditor") ? str(rec, "auditor") : "?", nc, nc == 1 ? "y" : "ies", obs,
	           obs == 1 ? "" : "s", opp, opp == 1 ? "y" : "ies");
	cite(p, md, line_of(rec, "held_on"));
	buf_addc(p->out, '\n');
}

/* 9.3.2 g: opportunities and observations from audits since. */
static void
visit_opportunity(const struct node *rec, const struct model_doc *md, void *arg)
{
	struct pack *p = arg;
	const struct node *fs = node_get(rec, "findings");

	if (!recent(p, rec, "held_on"))
		return;
	for (size_t i = 0; fs && fs->kind == NODE_SEQ && i < fs->n; i++) {
		const char *k = calendar_str(fs->items[i], "kind");
		if (k == NULL || strcmp(k, "nonconformity") == 0)
			continue;
		item(p);
		buf_printf(p->out, "%s %s/%s: ", esc(k), str(rec, "id"),
		           str(fs->items[i], "id") ? str(fs->items[i], "id") : "?");
		text(p, calendar_str(fs->items[i], "description"));
		buf_addc(p->out, ' ');
		cite(p, md, fs->items[i]->line);
		buf_addc(p->out, '\n');
	}
}

/* 9.3.2 d 4: every objective with its status and latest result. */
static void
visit_objective(const struct node *rec, const struct model_doc *md, void *arg)
{
	struct pack *p = arg;
	const struct node *rs = node_get(rec, "results"), *last = NULL;

	for (size_t i = 0; rs && rs->kind == NODE_SEQ && i < rs->n; i++)
		if (last == NULL || day_of(rs->items[i], "date") >= day_of(last, "date"))
			last = rs->items[i];
	item(p);
	buf_printf(p->out, "%s (%s, due %s): ", str(rec, "id") ? str(rec, "id") : "?",
	           str(rec, "status") ? str(rec, "status") : "no status",
	           str(rec, "due") ? str(rec, "due") : "not set");
	text(p, calendar_str(rec, "objective"));
	if (last)
		buf_printf(p->out, "; latest result %s on %s",
		           str(last, "value") ? str(last, "value") : "?",
		           str(last, "date") ? str(last, "date") : "?");
	buf_printf(p->out, "; target %s ", str(rec, "target") ? str(rec, "target") : "not set");
	cite(p, md, rec->line);
	buf_addc(p->out, '\n');
}

/* 9.3.2 e: incidents reported since (feedback from operations and
 * interested parties). */
static void
visit_incident(const struct node *rec, const struct model_doc *md, void *arg)
{
	struct pack *p = arg;

	if (!recent(p, rec, "reported_on"))
		return;
	item(p);
	buf_printf(p->out, "%s (%s, %s): ", str(rec, "id") ? str(rec, "id") : "?",
	           str(rec, "severity") ? str(rec, "severity") : "severity not set",
	           str(rec, "status") ? str(rec, "status") : "no status");
	text(p, calendar_str(rec, "title"));
	buf_addc(p->out, ' ');
	cite(p, md, line_of(rec, "reported_on"));
	buf_addc(p->out, '\n');
}

/* 9.3.2 f: risks assessed since. */
static void
visit_risk(const struct node *rec, const struct model_doc *md, void *arg)
{
	struct pack *p = arg;

	if (!recent(p, rec, "assessed_on"))
		return;
	item(p);
	buf_printf(p->out, "%s: ", str(rec, "id") ? str(rec, "id") : "?");
	text(p, calendar_str(rec, "title"));
	buf_printf(p->out, " (assessed %s, likelihood %s, impact %s, %s, %s) ",
	           str(rec, "assessed_on"), str(rec, "likelihood") ? str(rec, "likelihood") : "?",
	           str(rec, "impact") ? str(rec, "impact") : "?",
	           str(rec, "treatment") ? str(rec, "treatment") : "no treatment",
	           str(rec, "status") ? str(rec, "status") : "no status");
	cite(p, md, line_of(rec, "assessed_on"));
	buf_addc(p->out, '\n');
}

/* 9.3.2 f: treatment actions open, or completed since. */
static void
visit_treatment(const struct node *rec, const struct model_doc *md, void *arg)
{
	struct pack *p = arg;
	const char *st = str(rec, "status");
	int done = st && strcmp(st, "done") == 0;
	int64_t due = day_of(rec, "due");

	if (done && !recent(p, rec, "completed_on"))
		return;
	item(p);
	buf_printf(p->out, "%s for %s (%s, due %s%s): ", str(rec, "id") ? str(rec, "id") : "?",
	           str(rec, "risk") ? str(rec, "risk") : "?", st ? st : "no status",
	           str(rec, "due") ? str(rec, "due") : "not set",
	           !done && due != INT64_MIN && due < p->today ? ", OVERDUE" : "");
	text(p, calendar_str(rec, "action"));
	buf_addc(p->out, ' ');
	cite(p, md, rec->line);
	buf_addc(p->out, '\n');
}

/* The nonconformity trend by quarter. */
static void
trend(struct pack *p)
{
	struct ymd t = date_from_days(p->today);
	int64_t q0 = (int64_t)t.y * 4 + (t.m - 1) / 3 - 7;

	buf_adds(p->out, "\nNonconformities raised per quarter:\n\n| quarter |");
	for (int i = 0; i < 8; i++)
		buf_printf(p->out, " %lld Q%lld |", (long long)((q0 + i) / 4),
		           (long long)((q0 + i) % 4 + 1));
	buf_adds(p->out, "\n|---|");
	for (int i = 0; i < 8; i++)
		buf_adds(p->out, "---|");
	buf_adds(p->out, "\n| raised |");
	for (int i = 0; i < 8; i++)
		buf_printf(p->out, " %lld |", (long long)p->quarters[i]);
	buf_addc(p->out, '\n');
}

/* Write the heading: organisation, date, the last review. */
static void
heading(struct pack *p)
{
	const struct node *root = p->m->manifest ? p->m->manifest->doc->root : NULL;
	const char *org = root ? str(root, "organisation") : NULL;
	char today[11];

	date_format(date_from_days(p->today), today);
	buf_printf(p->out,
	           "# Management review pack: %s\n\nPrepared on %s from the ISMS records "
	           "(ISO/IEC 27001:2022, 9.3.2).\n\n",
	           org ? org : "the organisation", today);
	if (p->last) {
		buf_printf(p->out, "Since the last management review, %s held on %s ",
		           calendar_str(p->last, "id") ? calendar_str(p->last, "id") : "?",
		           calendar_str(p->last, "held_on"));
		cite(p, p->last_doc, line_of(p->last, "held_on"));
		buf_adds(p->out, ".\n");
	} else {
		buf_adds(p->out, "No earlier management review is recorded: everything on record "
		                 "is included.\n");
	}
}

/* Write the pack; see review_pack.h. */
void
review_pack_write(const struct model *m, int64_t now, const char *link_prefix, struct buf *out)
{
	struct pack p;
	struct ymd t;

	memset(&p, 0, sizeof(p));
	p.m = m;
	p.out = out;
	p.prefix = link_prefix ? link_prefix : "../";
	if (date_local_ymd(now, m->tz, &t) < 0)
		date_local_ymd(now, "UTC", &t);
	p.today = date_days(t);
	calendar_each(m, "management_review", find_last, &p);
	p.since = p.last ? day_of(p.last, "held_on") : INT64_MIN;
	heading(&p);
	section(&p, "a) Status of actions from previous management reviews");
	calendar_each(m, "management_review", visit_actions, &p);
	none(&p, "No actions recorded.");
	section(&p, "b) Changes in external and internal issues");
	calendar_each(m, "context_issue", visit_context, &p);
	calendar_each(m, "change", visit_change, &p);
	none(&p, "No context issue reviewed and no change since the last review.");
	section(&p, "c) Changes in the needs and expectations of interested parties");
	calendar_each(m, "interested_party", visit_context, &p);
	none(&p, "No interested party reviewed since the last review.");
	section(&p, "d) 1. Nonconformities and corrective actions");
	calendar_each(m, "nonconformity", visit_nc, &p);
	none(&p, "No nonconformity raised, closed or open since the last review.");
	trend(&p);
	section(&p, "d) 2. Monitoring and measurement results");
	calendar_each(m, "metric", visit_metric, &p);
	none(&p, "No measurement since the last review.");
	section(&p, "d) 3. Audit results");
	calendar_each(m, "audit_report", visit_report, &p);
	none(&p, "No internal audit held since the last review.");
	section(&p, "d) 4. Fulfilment of the information security objectives");
	calendar_each(m, "objective", visit_objective, &p);
	none(&p, "No objectives recorded.");
	section(&p, "e) Feedback from interested parties: incidents reported");
	calendar_each(m, "incident", visit_incident, &p);
	none(&p, "No incident reported since the last review.");
	section(&p, "f) Results of risk assessment and status of the risk treatment plan");
	calendar_each(m, "risk", visit_risk, &p);
	calendar_each(m, "risk_treatment", visit_treatment, &p);
	none(&p, "No risk assessed and no treatment action open or completed since the last "
	         "review.");
	section(&p, "g) Opportunities for continual improvement");
	calendar_each(m, "audit_report", visit_opportunity, &p);
	none(&p, "No opportunity or observation from audits since the last review.");
}
