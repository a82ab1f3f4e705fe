/* calendar.c - tests for the ISMS calendar computed from records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "date.h"
#include "plainsnap.h"
#include "model.h"
#include "tap.h"
#include "cdefs.h"
#include "buf.h"

static const char manifest[] =
	"organisation: Test GmbH\n"
	"time_zone: Europe/Berlin\n"
	"top_management: [p-boss]\n"
	"certificate:\n"
	"  issued: 2024-02-29\n"
	"  expires: 2027-02-28\n"
	"  stage1_on: 2024-01-10\n"
	"  stage2_on: 2024-02-01\n"
	"parameters:\n"
	"  recertification_lead_months: 4\n"
	"  supplier_review_months: 6\n"
	"  9.3-review-held:\n"
	"    interval_months: 10\n";

static const char policy[] =
	"---\n"
	"id: backup-policy\n"
	"title: Backup policy\n"
	"owner: p-lukas\n"
	"approved_on: 2025-01-31\n"
	"reviewed_on: 2025-03-31\n"
	"review_months: 11\n"
	"status: approved\n"
	"---\n# Backup\n";

static const char retired[] =
	"---\nid: old-policy\ntitle: Old\napproved_on: 2020-01-01\nstatus: retired\n---\n";

static const char review[] =
	"---\n"
	"id: MR-2025\n"
	"held_on: 2025-05-31\n"
	"chaired_by: p-boss\n"
	"actions:\n"
	"  - id: A1\n"
	"    action: Buy a tape robot\n"
	"    owner: p-lukas\n"
	"    due: 2025-09-30\n"
	"    status: planned\n"
	"  - id: A2\n"
	"    action: Done already\n"
	"    due: 2025-06-30\n"
	"    status: done\n"
	"---\n";

static const char older_review[] = "---\nid: MR-2024\nheld_on: 2024-06-01\n---\n";

static const char ncs[] =
	"nonconformities:\n"
	"  - id: NC-1\n"
	"    description: No restore test\n"
	"    status: open\n"
	"    corrective_action:\n"
	"      action: Test restores monthly\n"
	"      owner: p-lukas\n"
	"      due: 2025-12-01\n"
	"  - id: NC-2\n"
	"    description: closed one\n"
	"    status: closed\n"
	"    corrective_action:\n"
	"      due: 2025-01-01\n";

static const char suppliers[] =
	"suppliers:\n"
	"  - id: S-1\n"
	"    name: Cloud Inc.\n"
	"    last_review_on: 2025-08-31\n"
	"  - id: S-2\n"
	"    name: Gone Ltd.\n"
	"    last_review_on: 2020-01-01\n"
	"    ended_on: 2021-01-01\n";

static const char method[] =
	"owner: p-risk\napproved_on: 2025-02-01\nreview_months: 24\nreassessment_months: 6\n";

static const char risks[] =
	"risks:\n"
	"  - id: R-1\n    title: a\n    assessed_on: 2025-07-01\n"
	"  - id: R-2\n    title: b\n    assessed_on: 2025-03-15\n"
	"  - id: R-3\n    title: c\n    assessed_on: 2020-01-01\n    status: closed\n";

static const char treatment[] =
	"actions:\n"
	"  - id: T-1\n    risk: R-1\n    action: MFA everywhere\n    due: 2026-01-15\n    status: in-progress\n"
	"  - id: T-2\n    risk: R-2\n    action: done\n    due: 2025-01-15\n    status: done\n";

static const char programme[] =
	"owner: p-audit\n"
	"audits:\n"
	"  - id: IA-1\n    areas: [\"4\", \"A.5\"]\n    planned_on: 2025-10-06\n    status: planned\n"
	"  - id: IA-0\n    areas: [\"9\"]\n    planned_on: 2025-03-06\n    status: done\n";

/* The event with id, or NULL. */
static const struct cal_event *
find(const struct calendar *c, const char *id)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].id, id) == 0)
			return &c->v[i];
	return NULL;
}

/* Check one event's date, overdue flag, owner and source. */
static void
event_is(const struct calendar *c, const char *id, const char *date, int overdue,
         const char *owner, const char *src)
{
	const struct cal_event *e = find(c, id);
	char d[11], s[160];

	ok(e != NULL, "event %s", id);
	if (e == NULL)
		return;
	date_format(e->date, d);
	is_str(d, date, "  %s: date", id);
	is_int(e->overdue, overdue, "  %s: overdue flag", id);
	is_str(e->owner, owner, "  %s: owner", id);
	snprintf(s, sizeof(s), "%s:%d", e->file, e->line);
	is_str(s, src, "  %s: source", id);
}

static void
test_example(void)
{
	const char *paths[] = { "isms.yaml", "policies/backup-policy.md", "policies/old.md",
		                "reviews/MR-2025.md", "reviews/MR-2024.md", "nonconformities.yaml",
		                "suppliers.yaml", "risk/method.yaml", "risk/register.yaml",
		                "risk/treatment-plan.yaml", "audits/programme.yaml" };
	const char *data[] = { manifest, policy, retired, review, older_review, ncs,
		               suppliers, method, risks, treatment, programme };
	struct snapshot *snap = plainsnap_memory(paths, data, NELEM(paths), 0, "t");
	struct model *m;
	struct calendar *c;
	struct buf b = { 0 };
	/* 2025-11-01 11:30 UTC is 12:30 CET */
	int64_t now = date_days((struct ymd){ 2025, 11, 1 }) * 86400 + 41400;

	if (model_build(snap, &m) < 0)
		return;
	calendar_build(m, now, &c);
	is_str(c->tz, "Europe/Berlin", "the organisation's zone");
	event_is(c, "management-review:MR-2025", "2026-03-31", 0, "p-boss", "reviews/MR-2025.md:3");
	event_is(c, "review-action:MR-2025/A1", "2025-09-30", 1, "p-lukas", "reviews/MR-2025.md:9");
	ok(find(c, "review-action:MR-2025/A2") == NULL, "a done action is not in the calendar");
	event_is(c, "stage1-audit:certificate", "2024-01-10", 0, "p-audit", "isms.yaml:7");
	event_is(c, "stage2-audit:certificate", "2024-02-01", 0, "p-audit", "isms.yaml:8");
	/* No certification_audit record: surveillance audit 1, due
	 * 2025-02-28, was not held, so it is overdue. */
	event_is(c, "surveillance-audit:2024-02-29/1", "2025-02-28", 1, "p-audit", "isms.yaml:5");
	event_is(c, "surveillance-audit:2024-02-29/2", "2026-02-28", 0, "p-audit", "isms.yaml:5");
	event_is(c, "recertification-audit:2027-02-28", "2026-10-28", 0, "p-audit", "isms.yaml:6");
	event_is(c, "certificate-expiry:2027-02-28", "2027-02-28", 0, "p-audit", "isms.yaml:6");
	event_is(c, "document-review:backup-policy", "2026-02-28", 0, "p-lukas",
	         "policies/backup-policy.md:6");
	ok(find(c, "document-review:old-policy") == NULL, "a retired policy has no review");
	event_is(c, "corrective-action:NC-1", "2025-12-01", 0, "p-lukas", "nonconformities.yaml:8");
	ok(find(c, "corrective-action:NC-2") == NULL, "a closed nonconformity is not in it");
	event_is(c, "supplier-review:S-1", "2026-02-28", 0, NULL, "suppliers.yaml:4");
	ok(find(c, "supplier-review:S-2") == NULL, "an ended supplier is not reviewed");
	event_is(c, "risk-assessment:register", "2025-09-15", 1, "p-risk", "risk/register.yaml:7");
	event_is(c, "risk-method-review:method", "2027-02-01", 0, "p-risk", "risk/method.yaml:2");
	event_is(c, "risk-treatment:T-1", "2026-01-15", 0, NULL, "risk/treatment-plan.yaml:5");
	ok(find(c, "risk-treatment:T-2") == NULL, "a done treatment action is not in it");
	event_is(c, "internal-audit:IA-1", "2025-10-06", 1, NULL, "audits/programme.yaml:5");
	ok(find(c, "internal-audit:IA-0") == NULL, "a done audit is not in it");
	int sorted = 1;
	for (size_t i = 1; i < c->n; i++)
		sorted &= date_days(c->v[i - 1].date) <= date_days(c->v[i].date);
	ok(sorted, "events are in date order");
	calendar_text(c, &b);
	like(b.data, "2025-09-30  OVERDUE  review-action", "text output marks overdue items");
	buf_free(&b);
	calendar_free(c);
	model_free(m);
	snapshot_free(snap);
}

static void
test_sparse_and_hostile(void)
{
	const char *paths[] = { "isms.yaml", "policies/a.md", "policies/b.md", "suppliers.yaml" };
	const char *data[] = {
		"organisation: X\ntime_zone: Not/AZone\nparameters: 7\ncertificate: nonsense\n",
		"---\nid: dup\ntitle: A\napproved_on: 2025-13-01\n---\n",
		"---\nid: dup\ntitle: B\napproved_on: 2025-01-01\n---\n",
		"suppliers: {a: 1}\n",
	};
	struct snapshot *snap = plainsnap_memory(paths, data, NELEM(paths), 0, "t");
	struct model *m;
	struct calendar *c;
	int64_t now = date_days((struct ymd){ 2026, 1, 1 }) * 86400;

	if (model_build(snap, &m) < 0)
		return;
	calendar_build(m, now, &c);
	const struct cal_event *e = find(c, "management-review:first");
	ok(e && e->overdue, "no management review recorded: one is due now, overdue");
	ok(find(c, "document-review:dup") && !find(c, "document-review:dup~2"),
	   "an invalid date is left out (the rules report it)");
	is_int(c->n, 2, "nothing else is made up from malformed records");
	calendar_free(c);
	model_free(m);
	snapshot_free(snap);
}

/* The hash of what a calendar is made from, over snapshots whose files
 * have blob ids: blob[i] for file i. */
static uint64_t
inputs_of(const char *const *paths, const char *const *data, size_t n, const char *const *blob)
{
	struct snapshot *snap = plainsnap_memory(paths, data, n, 0, "t");
	struct model *m;
	uint64_t h = 0;
	for (size_t i = 0; i < snap->nfiles; i++)
		for (size_t k = 0; k < n; k++)
			if (strcmp(snap->files[i].path, paths[k]) == 0)
				snprintf(snap->files[i].blob, sizeof(snap->files[i].blob), "%s", blob[k]);
	if (model_build(snap, &m) == 0) {
		h = calendar_inputs(m);
		model_free(m);
	}
	snapshot_free(snap);
	return h;
}

static void
test_inputs(void)
{
	const char *paths[] = { "isms.yaml", "risk/register.yaml", "assets/a.yaml",
		                "policies/backup-policy.md" };
	const char *data[] = { manifest, risks, "assets:\n  - id: A-1\n", policy };
	const char *b0[] = { "m1", "r1", "a1", "p1" }, *asset[] = { "m1", "r1", "a2", "p1" },
	           *risk[] = { "m1", "r2", "a1", "p1" }, *man[] = { "m2", "r1", "a1", "p1" },
	           *pol[] = { "m1", "r1", "a1", "p2" }, *tree[] = { "m1", "", "a1", "p1" };
	uint64_t h = inputs_of(paths, data, NELEM(paths), b0);
	ok(h != 0, "a committed model has a calendar inputs hash");
	ok(inputs_of(paths, data, NELEM(paths), asset) == h,
	   "an asset changed: the calendar's inputs are the same");
	ok(inputs_of(paths, data, NELEM(paths), risk) != h, "the risk register changed: not the same");
	ok(inputs_of(paths, data, NELEM(paths), pol) != h, "a policy changed: not the same");
	ok(inputs_of(paths, data, NELEM(paths), man) != h, "isms.yaml changed: not the same");
	is_int((int)inputs_of(paths, data, NELEM(paths), tree), 0,
	       "a work-tree file it reads: no hash, the calendar is always worked out");
}

int
main(void)
{
	test_example();
	test_inputs();
	test_sparse_and_hostile();
	is_int(calendar_kind_find("supplier-review"), CAL_SUPPLIER_REVIEW, "kind names round-trip");
	is_int(calendar_kind_find("nope"), -1, "unknown kind");
	date_shutdown();
	return done_testing();
}
