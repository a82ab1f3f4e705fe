/* planner.c - plan the internal audit programme.
 *
 * The unit of planning is an area at a site. Each unit must be audited by
 * a deadline: the interval after its last audit in the cycle, or, never
 * audited in the cycle, the interval after the cycle start (at the latest
 * the cycle's last day); elevated areas have the shorter interval and come
 * back until the cycle ends. Audit dates are slots, one per month: the
 * first Monday on or after the 1st (and not before `from`) whose session
 * days all fall on weekdays outside the blackout periods, moved past a
 * blackout within the month if need be.
 *
 * Units are placed earliest deadline first. A unit goes into the slot of
 * its window with the least work planned so far (the earlier on a tie),
 * joining a session there of an independent auditor with room and
 * capacity, else opening one for the independent auditor with the most
 * days left; a unit already overdue takes the earliest slot instead. A unit that cannot be placed
 * is a failure naming the constraint: independence (every auditor owns it), dates (no slot in its
 * window) or capacity. The first audit of a unit already overdue is
 * planned as early as possible and noted. An auditor's capacity is
 * capacity_days for the whole cycle, so for the rest of the cycle it is
 * the share of the days from `from` to the cycle's end. */
#include "planner.h"
#include "escape.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "cdefs.h"
#include "alloc.h"
#include "buf.h"
#include "problems.h"

#define MAX_SLOTS 1200 /* 100 years of months */

struct slot {
	struct ymd date;
	int64_t day;
	double load;
};

struct unit {
	size_t area, site;
	int64_t earliest, deadline; /* day numbers, inclusive */
	int64_t key;                /* order: the date it falls due */
	int late;
	int64_t due; /* for a late unit: when it was due */
	int done;
};

struct state {
	const struct plan_input *in;
	struct plan *p;
	struct slot *slots;
	size_t nslots;
	int blacked;  /* some month lost its slot to a blackout */
	double *left; /* capacity left per auditor */
	size_t capa;
};

/* Whether audited covers area (see planner.h). */
int
planner_covers(const char *audited, const char *area)
{
	int ca = strncmp(audited, "A.", 2) == 0, cb = strncmp(area, "A.", 2) == 0;
	size_t n;

	if (ca != cb)
		return 0;
	if (ca)
		audited += 2, area += 2;
	n = strlen(audited);
	return strncmp(audited, area, n) == 0 && (area[n] == '\0' || area[n] == '.');
}

/* Whether day number t is in a blackout or on a weekend. */
static int
blocked(const struct plan_input *in, int64_t t)
{
	int64_t w = ((t + 3) % 7 + 7) % 7; /* 0 Monday; 1970-01-01 was a Thursday */

	if (w >= 5)
		return 1;
	for (size_t i = 0; i < in->nblackouts; i++)
		if (t >= date_days(in->blackouts[i].from) && t <= date_days(in->blackouts[i].to))
			return 1;
	return 0;
}

/* Whether a session starting on day t has all its days free. */
static int
session_free(const struct plan_input *in, int64_t t)
{
	int need = (int)ceil(in->session_days > 0 ? in->session_days : 1);

	for (int k = 0; k < need; t++) {
		if (((t + 3) % 7 + 7) % 7 >= 5)
			continue;
		if (blocked(in, t))
			return 0;
		k++;
	}
	return 1;
}

/* Build the monthly slots of [from, end). */
static void
make_slots(struct state *s)
{
	const struct plan_input *in = s->in;
	int64_t from = date_days(in->from), end = date_days(in->end);
	struct ymd m = { in->from.y, in->from.m, 1 };

	s->slots = xcalloc(MAX_SLOTS, sizeof(*s->slots));
	for (; date_days(m) < end && s->nslots < MAX_SLOTS; m = date_add_months(m, 1)) {
		int64_t t = date_days(m), last = t + date_month_days(m.y, m.m);
		if (t < from)
			t = from;
		while (((t + 3) % 7 + 7) % 7 != 0)
			t++;
		while (t < last && t < end && !session_free(in, t))
			t++;
		if (t >= last || t >= end) {
			s->blacked = 1;
			continue;
		}
		s->slots[s->nslots].day = t;
		s->slots[s->nslots].date = date_from_days(t);
		s->nslots++;
	}
}

/* Whether auditor a owns area. */
static int
owns(const struct plan_auditor *a, const char *area)
{
	for (size_t i = 0; i < a->nowns; i++)
		if (planner_covers(a->owns[i], area))
			return 1;
	return 0;
}

/* The interval of an area in months. */
static int
interval(const struct plan_input *in, const struct plan_area *a)
{
	return a->elevated ? in->elevated_months : in->interval_months;
}

/* Add a note; fmt's result is stored. */
static void PRINTF(2, 3) note(struct plan *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	p->notes = xreallocarray(p->notes, p->nnotes + 1, sizeof(char *));
	p->notes[p->nnotes++] = xvasprintf(fmt, ap);
	va_end(ap);
}

/* Record a failure for unit u. */
static void
fail(struct state *s, const struct unit *u, enum plan_constraint c, char *msg)
{
	struct plan *p = s->p;
	struct plan_failure *f;

	p->failures = xreallocarray(p->failures, p->nfailures + 1, sizeof(*p->failures));
	f = &p->failures[p->nfailures++];
	f->area = xstrdup(s->in->areas[u->area].id);
	f->site = s->in->nsites ? xstrdup(s->in->sites[u->site]) : NULL;
	f->constraint = c;
	f->msg = msg;
}

/* The session of auditor k in slot date d at site, or NULL. */
static struct plan_audit *
session(struct state *s, size_t k, int64_t d, size_t site)
{
	const char *sn = s->in->nsites ? s->in->sites[site] : NULL;

	for (size_t i = 0; i < s->p->naudits; i++) {
		struct plan_audit *a = &s->p->audits[i];
		if (date_days(a->date) == d && strcmp(a->auditor, s->in->auditors[k].person) == 0 &&
		    (sn == NULL || strcmp(a->site, sn) == 0))
			return a;
	}
	return NULL;
}

/* Whether auditor k has any session in slot day d. */
static int
busy(struct state *s, size_t k, int64_t d)
{
	for (size_t i = 0; i < s->p->naudits; i++)
		if (date_days(s->p->audits[i].date) == d &&
		    strcmp(s->p->audits[i].auditor, s->in->auditors[k].person) == 0)
			return 1;
	return 0;
}

/* Put unit u into slot j with auditor k (session a, or a new one). */
static void
place(struct state *s, const struct unit *u, size_t j, size_t k, struct plan_audit *a)
{
	const struct plan_input *in = s->in;

	if (a == NULL) {
		s->p->audits = xreallocarray(s->p->audits, s->p->naudits + 1, sizeof(*a));
		a = &s->p->audits[s->p->naudits++];
		memset(a, 0, sizeof(*a));
		a->date = s->slots[j].date;
		a->auditor = xstrdup(in->auditors[k].person);
		a->site = in->nsites ? xstrdup(in->sites[u->site]) : NULL;
	}
	a->areas = xreallocarray(a->areas, a->nareas + 1, sizeof(char *));
	a->areas[a->nareas++] = xstrdup(in->areas[u->area].id);
	a->days += in->days_per_area;
	s->slots[j].load += in->days_per_area;
	s->left[k] -= in->days_per_area;
	s->p->used[k] += in->days_per_area;
}

/* Try slot j for unit u: join a session with room, else open one. */
static int
try_slot(struct state *s, const struct unit *u, size_t j)
{
	const struct plan_input *in = s->in;
	const char *area = in->areas[u->area].id;
	double e = in->days_per_area;
	size_t best = (size_t)-1;

	for (size_t k = 0; k < in->nauditors; k++) {
		struct plan_audit *a = session(s, k, s->slots[j].day, u->site);
		if (a && !owns(&in->auditors[k], area) && s->left[k] + 1e-9 >= e &&
		    a->days + e <= in->session_days + 1e-9) {
			place(s, u, j, k, a);
			return 1;
		}
	}
	for (size_t k = 0; k < in->nauditors; k++) {
		if (owns(&in->auditors[k], area) || s->left[k] + 1e-9 < e ||
		    busy(s, k, s->slots[j].day))
			continue;
		if (best == (size_t)-1 || s->left[k] > s->left[best] + 1e-9)
			best = k;
	}
	if (best == (size_t)-1)
		return 0;
	place(s, u, j, best, NULL);
	return 1;
}

/* Explain why no independent auditor could take unit u. */
static char *
capacity_msg(struct state *s, const struct unit *u, const char *where)
{
	const struct plan_input *in = s->in;
	struct buf b = { 0 };
	int any = 0;

	buf_printf(&b, "capacity: no independent auditor has %.2f audit days left for %s%s (",
	           in->days_per_area, in->areas[u->area].id, where);
	for (size_t k = 0; k < in->nauditors; k++) {
		if (owns(&in->auditors[k], in->areas[u->area].id))
			continue;
		buf_printf(&b, "%s%s %.2f of %.2f left", any ? ", " : "", in->auditors[k].person,
		           s->left[k] < 0 ? 0 : s->left[k], s->p->available[k]);
		any = 1;
	}
	buf_adds(&b, "); add auditors, raise capacity_days, or lower audit_days_per_area");
	return buf_steal(&b);
}

/* Place unit u, or record why it cannot be placed. Returns 1 if placed,
 * with the slot's day in *day. */
static int
schedule(struct state *s, struct unit *u, int64_t *day)
{
	const struct plan_input *in = s->in;
	const char *area = in->areas[u->area].id;
	char where[160] = "", e[11], d[11];
	size_t order[MAX_SLOTS], n = 0, indep = 0;

	if (in->nsites)
		snprintf(where, sizeof(where), " at %s", in->sites[u->site]);
	for (size_t k = 0; k < in->nauditors; k++)
		indep += !owns(&in->auditors[k], area);
	if (indep == 0) {
		fail(s, u, PLAN_INDEPENDENCE,
		     xasprintf("independence: every auditor owns %s, so none can audit it "
		               "objectively and impartially (9.2.2 c); add an auditor who "
		               "does not own it",
		               area));
		return 0;
	}
	for (size_t j = 0; j < s->nslots; j++)
		if (s->slots[j].day >= u->earliest && s->slots[j].day <= u->deadline)
			order[n++] = j;
	if (n == 0) {
		date_format(date_from_days(u->earliest), e);
		date_format(date_from_days(u->deadline), d);
		fail(s, u, PLAN_DATES,
		     xasprintf("dates: no audit date for %s%s between %s and %s%s", area, where, e,
		               d,
		               s->blacked ? " outside the blackout periods" : " within the cycle"));
		return 0;
	}
	/* Least loaded first, earlier on a tie (insertion sort: n is small);
	 * a late unit takes the earliest slot it can. */
	for (size_t i = 1; i < n && !u->late; i++)
		for (size_t k = i;
		     k > 0 && s->slots[order[k]].load < s->slots[order[k - 1]].load - 1e-9; k--) {
			size_t t = order[k];
			order[k] = order[k - 1];
			order[k - 1] = t;
		}
	for (size_t i = 0; i < n; i++)
		if (try_slot(s, u, order[i])) {
			*day = s->slots[order[i]].day;
			return 1;
		}
	fail(s, u, PLAN_CAPACITY, capacity_msg(s, u, where));
	return 0;
}

/* The first requirement of each unit. */
static struct unit *
first_units(struct state *s, size_t *nu)
{
	const struct plan_input *in = s->in;
	size_t nsites = in->nsites ? in->nsites : 1, n = 0;
	struct unit *v = xcalloc(in->nareas * nsites + 1, sizeof(*v));
	int64_t start = date_days(in->start), end = date_days(in->end) - 1;
	int64_t from = date_days(in->from);

	for (size_t i = 0; i < in->nareas; i++) {
		const struct plan_area *a = &in->areas[i];
		int iv = interval(in, a);
		int in_cycle = a->has_last && date_days(a->last) >= start;
		int64_t dl = date_days(date_add_months(in_cycle ? a->last : in->start, iv));
		int64_t early = in_cycle ? date_days(date_add_months(a->last, iv / 2)) : from;
		if (dl > end) {
			if (in_cycle)
				continue; /* covered for the rest of the cycle */
			dl = end;
		}
		for (size_t k = 0; k < nsites; k++) {
			struct unit *u = &v[n++];
			u->area = i;
			u->site = k;
			u->earliest = early < from ? from : early;
			u->deadline = dl;
			u->key = dl;
			if (dl < from) {
				u->late = 1;
				u->due = dl;
				u->deadline = end;
			}
		}
	}
	*nu = n;
	return v;
}

/* Order audits by date, site, auditor. */
static int
by_date(const void *x, const void *y)
{
	const struct plan_audit *a = x, *b = y;
	int64_t da = date_days(a->date), db = date_days(b->date);
	int c;

	if (da != db)
		return da < db ? -1 : 1;
	c = strcmp(a->site ? a->site : "", b->site ? b->site : "");
	return c ? c : strcmp(a->auditor, b->auditor);
}

/* Plan; see planner.h. */
void
planner_run(const struct plan_input *in, struct plan **out)
{
	struct plan *p = xcalloc(1, sizeof(*p));
	struct state s;
	struct unit *u;
	size_t nu, cap;
	int64_t span = date_days(in->end) - date_days(in->start);
	int64_t rest = date_days(in->end) - date_days(in->from);

	memset(&s, 0, sizeof(s));
	s.in = in;
	s.p = p;
	p->start = in->start;
	p->end = in->end;
	p->from = in->from;
	p->used = xcalloc(in->nauditors + 1, sizeof(double));
	p->available = xcalloc(in->nauditors + 1, sizeof(double));
	s.left = xcalloc(in->nauditors + 1, sizeof(double));
	for (size_t k = 0; k < in->nauditors; k++) {
		double share =
		        span > 0 && rest < span ? (double)(rest > 0 ? rest : 0) / (double)span : 1;
		p->available[k] = in->auditors[k].capacity * share;
		s.left[k] = p->available[k];
	}
	make_slots(&s);
	u = first_units(&s, &nu);
	cap = nu + 1;
	for (;;) {
		size_t best = (size_t)-1;
		int64_t day;
		for (size_t i = 0; i < nu; i++)
			if (!u[i].done && (best == (size_t)-1 || u[i].key < u[best].key))
				best = i;
		if (best == (size_t)-1)
			break;
		u[best].done = 1;
		struct unit cur = u[best];
		if (!schedule(&s, &cur, &day))
			continue;
		const struct plan_area *a = &in->areas[cur.area];
		if (cur.late) {
			char due[11], on[11];
			date_format(date_from_days(cur.due), due);
			date_format(date_from_days(day), on);
			note(p, "%s%s%s: due by %s, planned for %s, the first date possible", a->id,
			     in->nsites ? " at " : "", in->nsites ? in->sites[cur.site] : "", due,
			     on);
		}
		int iv = interval(in, a);
		struct ymd pd = date_from_days(day);
		int64_t next = date_days(date_add_months(pd, iv));
		if (next >= date_days(in->end))
			continue;
		if (nu == cap) {
			cap *= 2;
			u = xreallocarray(u, cap, sizeof(*u));
		}
		u[nu] = (struct unit){ cur.area, cur.site, date_days(date_add_months(pd, iv / 2)),
			               next,     next,     0,
			               0,        0 };
		if (u[nu].earliest <= day)
			u[nu].earliest = day + 1;
		nu++;
	}
	if (p->naudits)
		qsort(p->audits, p->naudits, sizeof(*p->audits), by_date);
	free(u);
	free(s.slots);
	free(s.left);
	*out = p;
}

/* Free a plan. */
void
plan_free(struct plan *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->naudits; i++) {
		for (size_t k = 0; k < p->audits[i].nareas; k++)
			free(p->audits[i].areas[k]);
		free(p->audits[i].areas);
		free(p->audits[i].auditor);
		free(p->audits[i].site);
	}
	for (size_t i = 0; i < p->nfailures; i++) {
		free(p->failures[i].area);
		free(p->failures[i].site);
		free(p->failures[i].msg);
	}
	for (size_t i = 0; i < p->nnotes; i++)
		free(p->notes[i]);
	free(p->audits);
	free(p->failures);
	free(p->notes);
	free(p->used);
	free(p->available);
	free(p);
}

/* Gathering the input from the records. */

struct gather {
	const struct model *m;
	struct plan_input *in;
	struct problems *probs;
	int64_t today;
	double threshold; /* risk score from which an area is high risk */
	int max_l, max_i; /* top of the method's scales */
	int add;          /* scoring: add instead of multiply */
	int have_soa;
	char **applicable; /* controls the SoA marks applicable ("5.15") */
	size_t napplicable;
	int prog_seen;
};

/* The area index of id, or -1. */
static int
area_index(const struct plan_input *in, const char *id)
{
	for (size_t i = 0; i < in->nareas; i++)
		if (strcmp(in->areas[i].id, id) == 0)
			return (int)i;
	return -1;
}

/* Raise every area covered by `audited`, saying why. */
static void
elevate(struct plan_input *in, const char *audited, const char *why)
{
	for (size_t i = 0; i < in->nareas; i++) {
		if (!planner_covers(audited, in->areas[i].id) || in->areas[i].elevated)
			continue;
		in->areas[i].elevated = 1;
		in->areas[i].why = xstrdup(why);
	}
}

/* Collect applicable controls from the SoA. */
static void
visit_soa(const struct node *rec, const struct model_doc *md, void *arg)
{
	struct gather *g = arg;
	const struct node *cs = node_get(rec, "controls");

	(void)md;
	g->have_soa = 1;
	for (size_t i = 0; cs && cs->kind == NODE_SEQ && i < cs->n; i++) {
		const struct node *ap = node_get(cs->items[i], "applicable");
		const char *id = calendar_str(cs->items[i], "control");
		if (id == NULL || ap == NULL || ap->kind != NODE_BOOL || !ap->i)
			continue;
		g->applicable = xreallocarray(g->applicable, g->napplicable + 1, sizeof(char *));
		g->applicable[g->napplicable++] = xstrdup(id);
	}
}

/* The top value of a method scale. */
static int
scale_max(const struct node *scale)
{
	int max = 0;
	for (size_t i = 0; scale && scale->kind == NODE_SEQ && i < scale->n; i++) {
		int64_t v = calendar_int(scale->items[i], "value", 0);
		if (v > max && v < 1000)
			max = (int)v;
	}
	return max;
}

/* Read the scales and scoring of the risk method. */
static void
visit_method(const struct node *rec, const struct model_doc *md, void *arg)
{
	struct gather *g = arg;
	const char *sc = calendar_str(rec, "scoring");

	(void)md;
	g->max_l = scale_max(node_get(rec, "likelihood"));
	g->max_i = scale_max(node_get(rec, "impact"));
	g->add = sc && strcmp(sc, "add") == 0;
}

/* Raise the controls of a high open risk. */
static void
visit_risk(const struct node *rec, const struct model_doc *md, void *arg)
{
	struct gather *g = arg;
	const struct node *cs = node_get(rec, "controls");
	const char *st = calendar_str(rec, "status"), *id = calendar_str(rec, "id");
	int64_t l = calendar_int(rec, "likelihood", 0), i = calendar_int(rec, "impact", 0);
	double score = calendar_num(rec, "score", (double)(g->add ? l + i : l * i));

	(void)md;
	if ((st && strcmp(st, "closed") == 0) || score < g->threshold)
		return;
	for (size_t k = 0; cs && cs->kind == NODE_SEQ && k < cs->n; k++) {
		const char *c = cs->items[k]->str;
		if (c == NULL)
			continue;
		char *area = xasprintf("A.%s", c),
		     *why = xasprintf("risk %s scores %g", id ? id : "?", score);
		elevate(g->in, area, why);
		free(area);
		free(why);
	}
}

/* Raise the clause and control of an open nonconformity. */
static void
visit_nc(const struct node *rec, const struct model_doc *md, void *arg)
{
	struct gather *g = arg;
	const char *st = calendar_str(rec, "status"), *id = calendar_str(rec, "id");
	const char *cl = calendar_str(rec, "clause"), *ct = calendar_str(rec, "control");
	char *why;

	(void)md;
	if (st && strcmp(st, "closed") == 0)
		return;
	why = xasprintf("open nonconformity %s", id ? id : "?");
	if (cl)
		elevate(g->in, cl, why);
	if (ct) {
		char *area = xasprintf("A.%s", ct);
		elevate(g->in, area, why);
		free(area);
	}
	free(why);
}

/* Note the latest audit of each area from an audit report. */
static void
visit_report(const struct node *rec, const struct model_doc *md, void *arg)
{
	struct gather *g = arg;
	const struct node *areas = node_get(rec, "areas");
	struct ymd held;

	(void)md;
	if (calendar_date(rec, "held_on", &held) < 0 || date_days(held) > g->today)
		return;
	for (size_t k = 0; areas && areas->kind == NODE_SEQ && k < areas->n; k++) {
		const char *a = areas->items[k]->str;
		for (size_t i = 0; a && i < g->in->nareas; i++) {
			struct plan_area *pa = &g->in->areas[i];
			if (planner_covers(a, pa->id) &&
			    (!pa->has_last || date_days(held) > date_days(pa->last))) {
				pa->has_last = 1;
				pa->last = held;
			}
		}
	}
}

/* Read the cycle and the auditors from the programme. */
static void
visit_programme(const struct node *rec, const struct model_doc *md, void *arg)
{
	struct gather *g = arg;
	struct plan_input *in = g->in;
	const struct node *au = node_get(rec, "auditors");
	struct ymd start;

	(void)md;
	if (g->prog_seen++)
		return;
	if (calendar_date(rec, "cycle_start", &start) == 0) {
		in->start = start;
		in->interval_months = (int)calendar_int(rec, "cycle_months", in->interval_months);
	}
	for (size_t i = 0; au && au->kind == NODE_SEQ && i < au->n; i++) {
		const struct node *a = au->items[i], *ow = node_get(a, "owns");
		const char *person = calendar_str(a, "person");
		struct plan_auditor *pa;
		if (person == NULL)
			continue;
		in->auditors = xreallocarray(in->auditors, in->nauditors + 1, sizeof(*pa));
		pa = &in->auditors[in->nauditors++];
		memset(pa, 0, sizeof(*pa));
		pa->person = xstrdup(person);
		pa->capacity = calendar_num(a, "capacity_days", 0);
		for (size_t k = 0; ow && ow->kind == NODE_SEQ && k < ow->n; k++) {
			if (ow->items[k]->str == NULL)
				continue;
			pa->owns = xreallocarray(pa->owns, pa->nowns + 1, sizeof(char *));
			pa->owns[pa->nowns++] = xstrdup(ow->items[k]->str);
		}
	}
}

/* Parse parameters.audit_blackouts: "YYYY-MM-DD/YYYY-MM-DD" or a date. */
static void
read_blackouts(struct gather *g)
{
	const struct node *v = calendar_param(g->m, NULL, "audit_blackouts");
	struct plan_input *in = g->in;

	if (v == NULL)
		return;
	if (v->kind != NODE_SEQ) {
		problems_add(g->probs, MANIFEST_PATH, v->line,
		             "parameters: audit_blackouts must be a list of periods such as "
		             "\"2026-12-21/2027-01-06\"");
		return;
	}
	for (size_t i = 0; i < v->n; i++) {
		const struct node *it = v->items[i];
		char a[64] = "", *b;
		struct plan_blackout bo;
		if (it->kind != NODE_STRING || it->len >= sizeof(a))
			goto bad;
		memcpy(a, it->str, it->len + 1);
		b = strchr(a, '/');
		if (b)
			*b++ = '\0';
		if (date_parse(a, "UTC", &bo.from, NULL, NULL) < 0 ||
		    date_parse(b ? b : a, "UTC", &bo.to, NULL, NULL) < 0)
			goto bad;
		if (date_days(bo.to) < date_days(bo.from)) {
			problems_add(g->probs, MANIFEST_PATH, it->line,
			             "parameters: audit_blackouts: the period '%s' ends before it "
			             "starts",
			             it->str);
			continue;
		}
		in->blackouts = xreallocarray(in->blackouts, in->nblackouts + 1, sizeof(bo));
		in->blackouts[in->nblackouts++] = bo;
		continue;
	bad:
		problems_add(g->probs, MANIFEST_PATH, it->line,
		             "parameters: audit_blackouts: '%s' is not a period such as "
		             "\"2026-12-21/2027-01-06\" or a date",
		             it->str ? it->str : "?");
	}
}

/* Read parameters.audit_sites: a list of site names. */
static void
read_sites(struct gather *g)
{
	const struct node *v = calendar_param(g->m, NULL, "audit_sites");

	if (v == NULL)
		return;
	if (v->kind != NODE_SEQ) {
		problems_add(g->probs, MANIFEST_PATH, v->line,
		             "parameters: audit_sites must be a list of site names");
		return;
	}
	for (size_t i = 0; i < v->n; i++) {
		if (v->items[i]->kind != NODE_STRING) {
			problems_add(g->probs, MANIFEST_PATH, v->items[i]->line,
			             "parameters: audit_sites: each site is a name");
			continue;
		}
		g->in->sites = xreallocarray(g->in->sites, g->in->nsites + 1, sizeof(char *));
		g->in->sites[g->in->nsites++] = xstrdup(v->items[i]->str);
	}
}

/* Add an area. */
static void
add_area(struct plan_input *in, const char *id)
{
	if (area_index(in, id) >= 0)
		return;
	in->areas = xreallocarray(in->areas, in->nareas + 1, sizeof(*in->areas));
	memset(&in->areas[in->nareas], 0, sizeof(*in->areas));
	in->areas[in->nareas++].id = xstrdup(id);
}

/* Decide the cycle: the programme's, else the certificate's, rolled
 * forward to the one holding today. */
static void
read_cycle(struct gather *g, struct ymd today)
{
	struct plan_input *in = g->in;
	const struct node *root = g->m->manifest ? g->m->manifest->doc->root : NULL;
	const struct node *cert = root ? node_get(root, "certificate") : NULL;
	int months = in->interval_months;

	if (in->start.y == 0 && calendar_date(cert, "issued", &in->start) < 0)
		in->start = today;
	if (months < 1 || months > 120)
		months = in->interval_months = 36;
	in->end = date_add_months(in->start, months);
	while (date_days(in->end) <= date_days(today)) {
		in->start = in->end;
		in->end = date_add_months(in->start, months);
	}
	in->from = date_days(today) > date_days(in->start) ? today : in->start;
}

/* Gather the input; see planner.h. */
void
planner_input(const struct model *m, const char *const *clauses, size_t nclauses,
              const char *const *controls, size_t ncontrols, int64_t now, struct plan_input **out,
              struct problems *probs)
{
	struct plan_input *in = xcalloc(1, sizeof(*in));
	struct gather g;
	struct ymd today;
	const struct node *v;

	memset(&g, 0, sizeof(g));
	g.m = m;
	g.in = in;
	g.probs = probs;
	if (date_local_ymd(now, m->tz, &today) < 0)
		date_local_ymd(now, "UTC", &today);
	g.today = date_days(today);
	in->interval_months = (int)calendar_param_int(m, NULL, "audit_cycle_months", 36);
	calendar_each(m, "audit_programme", visit_programme, &g);
	read_cycle(&g, today);
	in->interval_months =
	        (int)calendar_param_int(m, NULL, "audit_interval_months", in->interval_months);
	in->elevated_months = (int)calendar_param_int(m, NULL, "audit_elevated_months", 12);
	if (in->interval_months < 1)
		in->interval_months = 36;
	if (in->elevated_months < 1)
		in->elevated_months = 12;
	v = calendar_param(m, NULL, "audit_days_per_area");
	in->days_per_area = v && (v->kind == NODE_INT || v->kind == NODE_FLOAT) &&
	                                    (v->kind == NODE_INT ? (double)v->i : v->f) > 0
	                            ? (v->kind == NODE_INT ? (double)v->i : v->f)
	                            : 0.25;
	in->session_days = (double)calendar_param_int(m, NULL, "audit_session_days", 3);
	if (in->session_days < in->days_per_area)
		in->session_days = in->days_per_area;
	read_blackouts(&g);
	read_sites(&g);
	for (size_t i = 0; i < nclauses; i++)
		add_area(in, clauses[i]);
	calendar_each(m, "soa", visit_soa, &g);
	for (size_t i = 0; i < ncontrols; i++) {
		int keep = !g.have_soa;
		for (size_t k = 0; !keep && k < g.napplicable; k++)
			keep = strcmp(g.applicable[k], controls[i]) == 0;
		if (keep) {
			char *id = xasprintf("A.%s", controls[i]);
			add_area(in, id);
			free(id);
		}
	}
	for (size_t k = 0; k < g.napplicable; k++)
		free(g.applicable[k]);
	free(g.applicable);
	g.max_l = g.max_i = 5;
	calendar_each(m, "risk_method", visit_method, &g);
	g.threshold = (double)calendar_param_int(
	        m, NULL, "audit_high_risk_score",
	        (int64_t)ceil(0.6 * (g.add ? g.max_l + g.max_i : g.max_l * g.max_i)));
	calendar_each(m, "risk", visit_risk, &g);
	calendar_each(m, "nonconformity", visit_nc, &g);
	calendar_each(m, "audit_report", visit_report, &g);
	*out = in;
}

/* Free the input. */
void
planner_input_free(struct plan_input *in)
{
	if (in == NULL)
		return;
	for (size_t i = 0; i < in->nareas; i++) {
		free(in->areas[i].id);
		free(in->areas[i].why);
	}
	for (size_t i = 0; i < in->nauditors; i++) {
		for (size_t k = 0; k < in->auditors[i].nowns; k++)
			free(in->auditors[i].owns[k]);
		free(in->auditors[i].owns);
		free(in->auditors[i].person);
	}
	for (size_t i = 0; i < in->nsites; i++)
		free(in->sites[i]);
	free(in->sites);
	free(in->areas);
	free(in->auditors);
	free(in->blackouts);
	free(in);
}

/* Output. */

static const char *const constraint_names[] = { "independence", "capacity", "dates" };

/* Write the plan for people. */
void
planner_text(const struct plan_input *in, const struct plan *p, struct buf *out)
{
	char a[11], b[11], c[11];
	size_t elevated = 0;

	for (size_t i = 0; i < in->nareas; i++)
		elevated += in->areas[i].elevated;
	date_format(p->start, a);
	date_format(p->end, b);
	date_format(p->from, c);
	buf_printf(out,
	           "Internal audit programme, cycle %s to %s, planned from %s\n"
	           "%zu areas (%zu audited more often: every %d months, the others every %d), "
	           "%zu site%s, %zu auditors, %.2f days per area\n\n",
	           a, b, c, in->nareas, elevated, in->elevated_months, in->interval_months,
	           in->nsites ? in->nsites : 1, in->nsites > 1 ? "s" : "", in->nauditors,
	           in->days_per_area);
	for (size_t i = 0; i < p->naudits; i++) {
		const struct plan_audit *x = &p->audits[i];
		date_format(x->date, a);
		buf_printf(out, "%s  %s%s%s  %.2f days  ", a, esc(x->auditor),
		           x->site ? " at " : "", x->site ? esc(x->site) : "", x->days);
		for (size_t k = 0; k < x->nareas; k++)
			buf_printf(out, "%s%s", k ? ", " : "", esc(x->areas[k]));
		buf_addc(out, '\n');
	}
	buf_printf(out,
	           "\n%zu audits planned.\nAuditor days (planned / available in the rest "
	           "of the cycle):\n",
	           p->naudits);
	for (size_t k = 0; k < in->nauditors; k++)
		buf_printf(out, "  %-24s %6.2f / %6.2f\n", esc(in->auditors[k].person), p->used[k],
		           p->available[k]);
	for (size_t i = 0; i < in->nareas; i++)
		if (in->areas[i].why)
			buf_printf(out, "%s audited every %d months: %s\n", esc(in->areas[i].id),
			           in->elevated_months, esc(in->areas[i].why));
	for (size_t i = 0; i < p->nnotes; i++)
		buf_printf(out, "late: %s\n", esc(p->notes[i]));
	if (p->nfailures)
		buf_printf(out,
		           "\nNo plan satisfies every constraint; %zu area%s cannot be planned:\n",
		           p->nfailures, p->nfailures == 1 ? "" : "s");
	for (size_t i = 0; i < p->nfailures; i++)
		buf_printf(out, "  %s%s%s: %s\n", esc(p->failures[i].area),
		           p->failures[i].site ? " at " : "",
		           p->failures[i].site ? esc(p->failures[i].site) : "",
		           esc(p->failures[i].msg));
}

/* A date as a JSON string. */
static json_t *
jdate(struct ymd d)
{
	char s[11];
	date_format(d, s);
	return json_string(s);
}

/* Write the plan as JSON. */
json_t *
planner_json(const struct plan_input *in, const struct plan *p)
{
	json_t *o = json_object(), *au = json_array(), *fa = json_array(), *no = json_array();
	json_t *cap = json_array(), *el = json_array();

	json_object_set_new(o, "cycle_start", jdate(p->start));
	json_object_set_new(o, "cycle_end", jdate(p->end));
	json_object_set_new(o, "planned_from", jdate(p->from));
	json_object_set_new(o, "feasible", json_boolean(p->nfailures == 0));
	for (size_t i = 0; i < p->naudits; i++) {
		json_t *a = json_object(), *ar = json_array();
		json_object_set_new(a, "date", jdate(p->audits[i].date));
		json_object_set_new(a, "auditor", json_string(p->audits[i].auditor));
		json_object_set_new(a, "site",
		                    p->audits[i].site ? json_string(p->audits[i].site)
		                                      : json_null());
		json_object_set_new(a, "days", json_real(p->audits[i].days));
		for (size_t k = 0; k < p->audits[i].nareas; k++)
			json_array_append_new(ar, json_string(p->audits[i].areas[k]));
		json_object_set_new(a, "areas", ar);
		json_array_append_new(au, a);
	}
	for (size_t i = 0; i < p->nfailures; i++) {
		json_t *f = json_object();
		json_object_set_new(f, "area", json_string(p->failures[i].area));
		json_object_set_new(f, "site",
		                    p->failures[i].site ? json_string(p->failures[i].site)
		                                        : json_null());
		json_object_set_new(f, "constraint",
		                    json_string(constraint_names[p->failures[i].constraint]));
		json_object_set_new(f, "message", json_string(p->failures[i].msg));
		json_array_append_new(fa, f);
	}
	for (size_t i = 0; i < p->nnotes; i++)
		json_array_append_new(no, json_string(p->notes[i]));
	for (size_t k = 0; k < in->nauditors; k++) {
		json_t *c = json_object();
		json_object_set_new(c, "auditor", json_string(in->auditors[k].person));
		json_object_set_new(c, "planned_days", json_real(p->used[k]));
		json_object_set_new(c, "available_days", json_real(p->available[k]));
		json_array_append_new(cap, c);
	}
	for (size_t i = 0; i < in->nareas; i++)
		if (in->areas[i].why) {
			json_t *e = json_object();
			json_object_set_new(e, "area", json_string(in->areas[i].id));
			json_object_set_new(e, "why", json_string(in->areas[i].why));
			json_array_append_new(el, e);
		}
	json_object_set_new(o, "audits", au);
	json_object_set_new(o, "failures", fa);
	json_object_set_new(o, "late", no);
	json_object_set_new(o, "auditors", cap);
	json_object_set_new(o, "elevated", el);
	return o;
}
