/* planner.c - tests for the internal audit programme planner. The plans
 * are checked against the constraints, not against a fixed plan: every
 * area at every site audited within its interval, elevated areas more
 * often, nobody auditing what they own, nobody over capacity, no audit on
 * a weekend, in a blackout or outside the cycle; and infeasible inputs
 * name the failing constraint and area. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "planner.h"
#include "tap.h"
#include "cdefs.h"
#include "alloc.h"

static const char *const clause_ids[] = {
	"4.1",   "4.2",   "4.3", "4.4", "5.1", "5.2", "5.3", "6.1.1", "6.1.2", "6.1.3",
	"6.2",   "6.3",   "7.1", "7.2", "7.3", "7.4", "7.5.1", "7.5.2", "7.5.3", "8.1",
	"8.2",   "8.3",   "9.1", "9.2.1", "9.2.2", "9.3.1", "9.3.2", "9.3.3", "10.1", "10.2",
};

/* A plan input over n areas named by ids (or generated), with auditors. */
static struct plan_input *
input(size_t nareas, size_t nauditors, double capacity, size_t nsites)
{
	struct plan_input *in = xcalloc(1, sizeof(*in));
	static const int theme[4][2] = { { 5, 37 }, { 6, 8 }, { 7, 14 }, { 8, 34 } };

	in->start = (struct ymd){ 2026, 1, 1 };
	in->end = (struct ymd){ 2029, 1, 1 };
	in->from = in->start;
	in->interval_months = 36;
	in->elevated_months = 12;
	in->days_per_area = 0.25;
	in->session_days = 3;
	for (size_t i = 0; i < NELEM(clause_ids) && in->nareas < nareas; i++) {
		in->areas = xreallocarray(in->areas, in->nareas + 1, sizeof(*in->areas));
		memset(&in->areas[in->nareas], 0, sizeof(*in->areas));
		in->areas[in->nareas++].id = xstrdup(clause_ids[i]);
	}
	for (int t = 0; t < 4; t++)
		for (int c = 1; c <= theme[t][1] && in->nareas < nareas; c++) {
			in->areas = xreallocarray(in->areas, in->nareas + 1, sizeof(*in->areas));
			memset(&in->areas[in->nareas], 0, sizeof(*in->areas));
			in->areas[in->nareas++].id = xasprintf("A.%d.%d", theme[t][0], c);
		}
	in->auditors = xcalloc(nauditors + 1, sizeof(*in->auditors));
	in->nauditors = nauditors;
	for (size_t k = 0; k < nauditors; k++) {
		in->auditors[k].person = xasprintf("p-auditor-%02zu", k);
		in->auditors[k].capacity = capacity;
	}
	for (size_t s = 0; s < nsites; s++) {
		in->sites = xreallocarray(in->sites, in->nsites + 1, sizeof(char *));
		in->sites[in->nsites++] = xasprintf("site-%zu", s);
	}
	return in;
}

/* Let auditor k own area id. */
static void
give(struct plan_input *in, size_t k, const char *id)
{
	struct plan_auditor *a = &in->auditors[k];
	a->owns = xreallocarray(a->owns, a->nowns + 1, sizeof(char *));
	a->owns[a->nowns++] = xstrdup(id);
}

/* The index of auditor person in in, or -1. */
static int
auditor_index(const struct plan_input *in, const char *person)
{
	for (size_t k = 0; k < in->nauditors; k++)
		if (strcmp(in->auditors[k].person, person) == 0)
			return (int)k;
	return -1;
}

/* Check every constraint on a plan; return the number of violations,
 * printing each as a TAP comment. */
static int
violations(const struct plan_input *in, const struct plan *p)
{
	size_t nsites = in->nsites ? in->nsites : 1;
	double *days = xcalloc(in->nauditors + 1, sizeof(double));
	int bad = 0;

	for (size_t i = 0; i < p->naudits; i++) {
		const struct plan_audit *a = &p->audits[i];
		int64_t d = date_days(a->date), w = ((d + 3) % 7 + 7) % 7;
		int k = auditor_index(in, a->auditor);
		if (k < 0) {
			printf("# unknown auditor %s\n", a->auditor);
			bad++;
			continue;
		}
		if (w >= 5 || d < date_days(in->from) || d >= date_days(in->end)) {
			printf("# audit on %d-%d-%d is on a weekend or outside the cycle\n", a->date.y,
			       a->date.m, a->date.d);
			bad++;
		}
		for (size_t b = 0; b < in->nblackouts; b++)
			if (d >= date_days(in->blackouts[b].from) && d <= date_days(in->blackouts[b].to)) {
				printf("# audit in a blackout\n");
				bad++;
			}
		if (a->days > in->session_days + 1e-9) {
			printf("# audit of %.2f days is longer than a session\n", a->days);
			bad++;
		}
		for (size_t j = 0; j < a->nareas; j++)
			for (size_t o = 0; o < in->auditors[k].nowns; o++)
				if (planner_covers(in->auditors[k].owns[o], a->areas[j])) {
					printf("# %s audits %s, which they own\n", a->auditor, a->areas[j]);
					bad++;
				}
		days[k] += a->days;
	}
	for (size_t k = 0; k < in->nauditors; k++)
		if (days[k] > p->available[k] + 1e-9) {
			printf("# %s is over capacity: %.2f > %.2f\n", in->auditors[k].person, days[k],
			       p->available[k]);
			bad++;
		}
	/* Coverage: every area at every site, each interval. */
	for (size_t i = 0; i < in->nareas; i++)
		for (size_t s = 0; s < nsites; s++) {
			int64_t prev = date_days(in->start), need;
			int months = in->areas[i].elevated ? in->elevated_months : in->interval_months;
			if (in->areas[i].has_last && date_days(in->areas[i].last) >= prev)
				prev = date_days(in->areas[i].last); /* audited earlier in the cycle */
			while (prev == date_days(in->start) ||
			       date_days(date_add_months(date_from_days(prev), months)) <
			               date_days(in->end)) {
				int64_t found = -1;
				need = date_days(date_add_months(date_from_days(prev), months));
				if (need > date_days(in->end) - 1)
					need = date_days(in->end) - 1;
				for (size_t a = 0; a < p->naudits; a++) {
					int64_t d = date_days(p->audits[a].date);
					if (d <= prev || d > need ||
					    (in->nsites && strcmp(p->audits[a].site, in->sites[s]) != 0))
						continue;
					for (size_t j = 0; j < p->audits[a].nareas; j++)
						if (strcmp(p->audits[a].areas[j], in->areas[i].id) == 0 &&
						    (found < 0 || d > found))
							found = d;
				}
				if (found < 0) {
					printf("# %s at site %zu not audited by day %lld\n", in->areas[i].id, s,
					       (long long)need);
					bad++;
					break;
				}
				prev = found;
				if (date_days(date_add_months(date_from_days(prev), months)) >=
				    date_days(in->end))
					break;
			}
		}
	free(days);
	return bad;
}

/* Whether the plan has a failure of constraint c for area. */
static const char *
failure(const struct plan *p, enum plan_constraint c, const char *area)
{
	for (size_t i = 0; i < p->nfailures; i++)
		if (p->failures[i].constraint == c && strcmp(p->failures[i].area, area) == 0)
			return p->failures[i].msg;
	return NULL;
}

static void
test_covers(void)
{
	ok(planner_covers("A.5", "A.5.15"), "A.5 covers A.5.15");
	ok(planner_covers("9", "9.2.1") && planner_covers("9.2", "9.2.2"), "clause prefixes");
	ok(!planner_covers("9.2", "9.3.1") && !planner_covers("9.2", "9.21"), "not 9.3.1 or 9.21");
	ok(!planner_covers("5.1", "A.5.1") && !planner_covers("A.5.1", "5.1"),
	   "clauses and controls never mix");
	ok(!planner_covers("A.5.1", "A.5.15"), "A.5.1 is not A.5.15");
}

static void
test_small(void)
{
	struct plan_input *in = input(8, 2, 10, 0);
	struct plan *p;

	give(in, 0, "4");
	give(in, 1, "5.1");
	in->areas[2].elevated = 1; /* 4.3 */
	in->areas[5].elevated = 1; /* 5.2 */
	in->blackouts = xcalloc(1, sizeof(*in->blackouts));
	in->nblackouts = 1;
	in->blackouts[0] = (struct plan_blackout){ { 2026, 1, 1 }, { 2026, 3, 31 } };
	planner_run(in, &p);
	is_int(p->nfailures, 0, "small programme: feasible");
	is_int(violations(in, p), 0, "small programme: every constraint holds");
	ok(p->naudits > 0, "small programme: audits planned");
	size_t n43 = 0;
	for (size_t i = 0; i < p->naudits; i++)
		for (size_t j = 0; j < p->audits[i].nareas; j++)
			n43 += strcmp(p->audits[i].areas[j], "4.3") == 0;
	ok(n43 >= 3, "an elevated area is audited every 12 months of the 36 (%zu times)", n43);
	plan_free(p);
	planner_input_free(in);
}

static void
test_infeasible(void)
{
	struct plan_input *in = input(6, 2, 10, 0);
	struct plan *p;
	const char *msg;

	give(in, 0, "5.1");
	give(in, 1, "5");
	planner_run(in, &p);
	msg = failure(p, PLAN_INDEPENDENCE, "5.1");
	ok(msg != NULL, "independence fails for 5.1, owned by every auditor");
	like(msg, "every auditor owns 5.1", "  ... saying so");
	ok(failure(p, PLAN_INDEPENDENCE, "4.1") == NULL, "  ... and for no other area");
	is_int(violations(in, p) > 0, 1, "  ... the plan does not cover 5.1");
	plan_free(p);
	planner_input_free(in);

	in = input(40, 2, 1, 0);
	planner_run(in, &p);
	ok(p->nfailures > 0 && p->failures[0].constraint == PLAN_CAPACITY,
	   "capacity fails with 2 auditors of 1 day for 40 areas");
	like(p->nfailures ? p->failures[0].msg : "", "no independent auditor has 0.25 audit days left",
	     "  ... naming the shortfall");
	is_int(p->nfailures, 40 - 8, "  ... for the 32 areas that did not fit");
	plan_free(p);
	planner_input_free(in);

	in = input(3, 1, 10, 0);
	in->blackouts = xcalloc(1, sizeof(*in->blackouts));
	in->nblackouts = 1;
	in->blackouts[0] = (struct plan_blackout){ { 2025, 12, 1 }, { 2029, 2, 1 } };
	planner_run(in, &p);
	msg = failure(p, PLAN_DATES, "4.1");
	ok(msg != NULL, "dates fail when the whole cycle is blacked out");
	like(msg, "outside the blackout periods", "  ... naming the blackouts");
	plan_free(p);
	planner_input_free(in);

	in = input(2, 0, 10, 0);
	planner_run(in, &p);
	ok(failure(p, PLAN_INDEPENDENCE, "4.1") != NULL, "no auditors at all: independence fails");
	plan_free(p);
	planner_input_free(in);
}

static void
test_large(void)
{
	struct plan_input *in = input(123, 20, 30, 5);
	struct plan *p;

	for (size_t k = 0; k < 20; k++)
		for (size_t j = 0; j < 6; j++)
			give(in, k, in->areas[(k * 6 + j) % in->nareas].id);
	for (size_t i = 0; i < in->nareas; i += 7)
		in->areas[i].elevated = 1;
	in->areas[3].has_last = 1;
	in->areas[3].last = (struct ymd){ 2026, 5, 4 };
	planner_run(in, &p);
	is_int(p->nfailures, 0, "large programme (123 areas, 20 auditors, 5 sites): feasible");
	is_int(violations(in, p), 0, "large programme: every constraint holds");
	plan_free(p);
	planner_input_free(in);
}

int
main(void)
{
	test_covers();
	test_small();
	test_infeasible();
	test_large();
	return done_testing();
}
