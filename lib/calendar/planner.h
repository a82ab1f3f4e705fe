/* planner.h - the internal audit programme planner (9.2.2): a dated plan
 * in which every area is audited within the cycle, high-risk areas and
 * areas with open nonconformities more often, no auditor audits an area
 * they own, and no auditor is over capacity; or, when no such plan
 * exists, which constraint fails for which area. */
#ifndef ISMS_PLANNER_H
#define ISMS_PLANNER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "model.h"
#include "buf.h"
#include "problems.h"

/* An area: a requirement clause ("9.2.2") or a control ("A.8.8"). */
struct plan_area {
	char *id;
	int elevated;    /* high risk or open nonconformity: audited more often */
	char *why;       /* what raised it ("risk R-4 scores 20"), or NULL */
	int has_last;    /* audited before (an audit report) */
	struct ymd last; /* date of the latest audit report covering it */
};

struct plan_auditor {
	char *person;
	char **owns; /* areas the auditor must not audit (A.5 covers A.5.x) */
	size_t nowns;
	double capacity; /* audit days per cycle */
};

struct plan_blackout {
	struct ymd from, to; /* inclusive */
};

struct plan_input {
	struct ymd start, end; /* the cycle: start inclusive, end exclusive */
	struct ymd from;       /* plan no audit before this date (today) */
	int interval_months;   /* normal areas: at least once per this (default: the cycle) */
	int elevated_months;   /* elevated areas (default 12) */
	double days_per_area;  /* effort of auditing one area at one site (0.25) */
	double session_days;   /* at most this many days per audit (3) */
	struct plan_area *areas;
	size_t nareas;
	struct plan_auditor *auditors;
	size_t nauditors;
	struct plan_blackout *blackouts;
	size_t nblackouts;
	char **sites; /* every area is audited at every site; none: one site */
	size_t nsites;
};

enum plan_constraint {
	PLAN_INDEPENDENCE, /* every auditor owns the area (9.2.2 c) */
	PLAN_CAPACITY,     /* the independent auditors have no capacity left */
	PLAN_DATES,        /* no audit date in the window (cycle end, blackouts) */
};

struct plan_audit {
	struct ymd date;
	char *auditor;
	char *site; /* NULL without sites */
	char **areas;
	size_t nareas;
	double days;
};

struct plan_failure {
	char *area;
	char *site; /* NULL without sites */
	enum plan_constraint constraint;
	char *msg; /* for people: the constraint, the area and why */
};

struct plan {
	struct ymd start, end, from;
	struct plan_audit *audits; /* by date, then site, then auditor */
	size_t naudits;
	struct plan_failure *failures;
	size_t nfailures;
	char **notes; /* areas planned later than due, and why */
	size_t nnotes;
	double *used;      /* days planned per auditor (input order) */
	double *available; /* days available per auditor in the rest of the cycle */
};

/* Whether an audit of area `audited` ("A.5", "9", "9.2", "A.5.15") covers
 * area `area` ("A.5.15", "9.2.1"). Clauses and controls never mix: "5.1"
 * is clause 5.1. */
int planner_covers(const char *audited, const char *area);

/* Gather the planner's input from m as of instant now: the areas (every
 * clause of `clauses` and every control of `controls` the SoA marks
 * applicable, or every control without an SoA), past audits from audit
 * reports, risks and open nonconformities, the programme's cycle and
 * auditors, and the parameters in isms.yaml (docs/scheduler.md). Malformed
 * parameters are added to probs with file and line. *out is the caller's
 * (planner_input_free). */
void planner_input(const struct model *m, const char *const *clauses, size_t nclauses,
                   const char *const *controls, size_t ncontrols, int64_t now,
                   struct plan_input **out, struct problems *probs);
void planner_input_free(struct plan_input *in);

/* Plan. *out is the caller's (plan_free); it holds failures when no plan
 * satisfies the constraints, with the audits that could be planned. */
void planner_run(const struct plan_input *in, struct plan **out);
void plan_free(struct plan *p);

/* The plan as text for people, and as JSON (a new reference). */
void planner_text(const struct plan_input *in, const struct plan *p, struct buf *out);
json_t *planner_json(const struct plan_input *in, const struct plan *p);

#endif
