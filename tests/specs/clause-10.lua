-- Specs of rules/clauses/10.lua, on the example ISMS.
local EXAMPLE = "../../contrib/example-isms/records"

-- 10.1 ----------------------------------------------------------------------

spec {
  name = "the example's review actions are on time and improvements are recent",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["10.1-improvement-actions"] = { status = "pass", valid_until = "2026-12-31" } },
}

spec {
  name = "a management review action past its due date fails",
  now = "2027-01-05", fixture = EXAMPLE,
  expect = { ["10.1-improvement-actions"] = { status = "fail", count = 1,
    findings = { { file = "reviews/MR-2025-12.md", message = "action A6 of management review MR-2025-12 was due on 2026-12-31 and is in-progress (5 days overdue)" } } } },
}

spec {
  name = "a year without any completed improvement fails",
  now = "2027-12-01", fixture = EXAMPLE,
  expect = { ["10.1-improvement-actions"] = { status = "fail",
    findings = { { message = "nothing has been improved for 12 months" } } } },
}

-- 10.2 ----------------------------------------------------------------------

-- NC-2026-04's corrective action, completed on time.
local DONE = { "      due: 2026-11-13\n    status: open", "      due: 2026-11-13\n      completed_on: 2026-11-12\n    status: open" }

spec {
  name = "the example's NC-2026-04 corrective action is overdue",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["10.2-corrective-action"] = { status = "fail", count = 1,
    findings = { { file = "nonconformities.yaml", line = 193, message = "the corrective action of NC-2026-04 was due on 2026-11-13 and is not completed (9 days overdue)" } } } },
}

spec {
  name = "with NC-2026-04 done, the next due date is NC-2026-05's",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["nonconformities.yaml"] = { DONE } },
  expect = { ["10.2-corrective-action"] = { status = "pass", valid_until = "2026-12-15" } },
}

spec {
  name = "a nonconformity without root cause a month after it was raised fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["nonconformities.yaml"] = { DONE, { "    root_cause: The metric was computed by hand by the compliance manager, who was on leave in early October.\n", "" } } },
  expect = { ["10.2-corrective-action"] = { status = "fail", count = 1,
    findings = { { message = "nonconformity NC-2026-05 records no root_cause (10.2 b)" } } } },
}

spec {
  name = "a new nonconformity has 30 days for its analysis",
  now = "2026-11-10", fixture = EXAMPLE,
  edit = { ["nonconformities.yaml"] = { { "    root_cause: The metric was computed by hand by the compliance manager, who was on leave in early October.\n", "" } } },
  expect = { ["10.2-corrective-action"] = { status = "pass", valid_until = "2026-11-13" } },
}

spec {
  name = "a nonconformity without corrective action fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["nonconformities.yaml"] = { DONE, { "    corrective_action:\n      action: Metric computed from evidence/access-reviews.yaml by ismsd instead of by hand; deputy named for metric reporting.\n      owner: p-leonie-brandt\n      due: 2026-12-15\n", "" } } },
  expect = { ["10.2-corrective-action"] = { status = "fail", count = 1,
    findings = { { message = "nonconformity NC-2026-05 has no corrective action" } } } },
}

spec {
  name = "every closed nonconformity of the example had its effectiveness reviewed",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["10.2-effectiveness-reviewed"] = "pass" },
}

spec {
  name = "a closed nonconformity without effectiveness review fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["nonconformities.yaml"] = { { "    effectiveness:\n      reviewed_on: 2025-04-15\n      reviewed_by: p-henrik-lindqvist\n      effective: true\n", "" } } },
  expect = { ["10.2-effectiveness-reviewed"] = { status = "fail", count = 1,
    findings = { { file = "nonconformities.yaml", message = "nonconformity NC-2025-01 is closed without a review of the corrective action's effectiveness" } } } },
}

spec {
  name = "a nonconformity closed although its action was not effective fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["nonconformities.yaml"] = { { "      reviewed_on: 2025-04-15\n      reviewed_by: p-henrik-lindqvist\n      effective: true\n", "      reviewed_on: 2025-04-15\n      reviewed_by: p-henrik-lindqvist\n      effective: false\n" } } },
  expect = { ["10.2-effectiveness-reviewed"] = { status = "fail", count = 1,
    findings = { { message = "nonconformity NC-2025-01 is closed although its corrective action was not found effective" } } } },
}

spec {
  name = "a completed corrective action is reviewed for effectiveness within 6 months",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["nonconformities.yaml"] = { DONE } },
  expect = { ["10.2-effectiveness-reviewed"] = { status = "pass", valid_until = "2027-05-12" } },
}

spec {
  name = "an effectiveness review more than 6 months after completion is overdue",
  now = "2027-06-01", fixture = EXAMPLE,
  edit = { ["nonconformities.yaml"] = { DONE } },
  expect = { ["10.2-effectiveness-reviewed"] = { status = "fail", count = 1,
    findings = { { message = "the corrective action of NC-2026-04 was completed on 2026-11-12; its effectiveness review was due by 2027-05-12 (20 days overdue)" } } } },
}

spec {
  name = "every audit nonconformity of the example is in the log",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["10.2-audit-nonconformities-recorded"] = "pass" },
}

spec {
  name = "audit nonconformities not linked, or linked to no record, fail",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["audits/reports/IA-2026-02.md"] = { { "    nonconformity: NC-2026-05\n", "" } },
    ["audits/reports/IA-2025-02.md"] = { { "nonconformity: NC-2025-04", "nonconformity: NC-2025-44" } } },
  expect = { ["10.2-audit-nonconformities-recorded"] = { status = "fail", count = 2,
    findings = { { file = "audits/reports/IA-2026-02.md", message = "audit IA-2026-02: nonconformity F2 is not linked" },
      { file = "audits/reports/IA-2025-02.md", message = "finding F1 refers to nonconformity NC-2025-44, which is not in nonconformities.yaml" } } } },
}

spec {
  name = "every nonconformity the certification body raised in the example is logged and closed",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["10.2-certification-findings-closed"] = "pass" },
}

spec {
  name = "a certification body's nonconformity not linked, or linked to no record, fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["audits/certification.yaml"] = { { "        nonconformity: NC-2025-02\n", "" },
    { "nonconformity: NC-2026-01", "nonconformity: NC-2026-99" } } },
  expect = { ["10.2-certification-findings-closed"] = { status = "fail", count = 2,
    findings = { { file = "audits/certification.yaml", message = "certification audit CA-2025-S2: minor nonconformity S2-N1 is not linked" },
      { file = "audits/certification.yaml", message = "finding SA1-N1 refers to nonconformity NC-2026-99, which is not in nonconformities.yaml" } } } },
}

spec {
  name = "an open minor nonconformity of the certification body passes until its time is up",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["nonconformities.yaml"] = { { "    status: closed\n    closed_on: 2026-06-15\n", "    status: open\n" } } },
  expect = { ["10.2-certification-findings-closed"] = { status = "pass", valid_until = "2027-02-18" } },
}

spec {
  name = "after the time set, the open nonconformity of surveillance audit 1 is overdue",
  now = "2027-03-01", fixture = EXAMPLE,
  edit = { ["nonconformities.yaml"] = { { "    status: closed\n    closed_on: 2026-06-15\n", "    status: open\n" } } },
  expect = { ["10.2-certification-findings-closed"] = { status = "fail", count = 1,
    findings = { { file = "nonconformities.yaml", message = "nonconformity NC-2026-01 (minor, certification audit CA-2026-SA1) was to be closed by 2027-02-18 and is open (11 days overdue)" } } } },
}
