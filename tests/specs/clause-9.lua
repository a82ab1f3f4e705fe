-- Specs of rules/clauses/9.lua, on the example ISMS.
local EXAMPLE = "../../contrib/example-isms/records"

-- 9.1 -----------------------------------------------------------------------

spec {
  name = "the example's metrics say what, how, how often and who",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["9.1-metrics-defined"] = "pass" },
}

spec {
  name = "a metric without evaluator, and one for an unknown objective, fail",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["metrics.yaml"] = {
    { "    evaluated_by: p-henrik-lindqvist\n    method: Active people", "    method: Active people" },
    { "    objective: OBJ-03\n", "    objective: OBJ-99\n" } } },
  expect = { ["9.1-metrics-defined"] = { status = "fail", count = 2,
    findings = { { file = "metrics.yaml", message = "metric M-01 does not say evaluated_by" },
      { message = "metric M-03 measures objective OBJ-99, which is not in objectives.yaml" } } } },
}

spec {
  name = "no metrics fails",
  now = "2026-11-22", fixture = EXAMPLE,
  remove = { "metrics.yaml" },
  expect = { ["9.1-metrics-defined"] = { status = "fail", findings = { { message = "no monitoring and measurement" } } } },
}

spec {
  name = "every metric of the example is measured at its frequency",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["9.1-metrics-measured"] = { status = "pass", valid_until = "2026-12-15" } },
}

spec {
  name = "a monthly metric not measured for December is overdue in January",
  now = "2027-01-20", fixture = EXAMPLE,
  expect = { ["9.1-metrics-measured"] = { status = "fail",
    findings = { { file = "metrics.yaml", message = "metric M-03 (monthly) was last measured on 2026-10-31; the next measurement was due by 2026-12-15 (36 days overdue)" } } } },
}

spec {
  name = "a metric never measured fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["metrics.yaml"] = { { "metrics:\n", "metrics:\n  - id: M-11\n    name: Phishing reports per month\n    frequency: monthly\n" } } },
  expect = { ["9.1-metrics-measured"] = { status = "fail", count = 1,
    findings = { { message = "metric M-11 has never been measured" } } } },
}

-- 9.2.1 ---------------------------------------------------------------------

spec {
  name = "the example's audits are held as planned",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["9.2.1-audits-held"] = { status = "pass", valid_until = "2027-06-16" } },
}

spec {
  name = "an audit 30 days past its date and not held fails",
  now = "2027-07-01", fixture = EXAMPLE,
  expect = { ["9.2.1-audits-held"] = { status = "fail", count = 1,
    findings = { { file = "audits/programme.yaml", message = "audit IA-2027-01 was planned for 2027-05-17 and has not been held (status planned)" } } } },
}

spec {
  name = "a year without any audit report fails too",
  now = "2027-10-20", fixture = EXAMPLE,
  expect = { ["9.2.1-audits-held"] = { status = "fail", count = 2,
    findings = { { message = "the last internal audit was held on 2026-10-12; the next was due by 2027-10-12 (8 days overdue)" } } } },
}

spec {
  name = "an audit marked done without its report fails",
  now = "2026-11-22", fixture = EXAMPLE,
  remove = { "audits/reports/IA-2026-01.md" },
  expect = { ["9.2.1-audits-held"] = { status = "fail", count = 1,
    findings = { { message = "audit IA-2026-01 is done but there is no report of it" } } } },
}

-- 9.2.2 ---------------------------------------------------------------------

spec {
  name = "the example's audit programme is approved and its cycle runs to 2027-12-31",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["9.2.2-programme-defined"] = { status = "pass", valid_until = "2027-12-31" } },
}

spec {
  name = "a programme whose cycle has ended fails",
  now = "2028-01-05", fixture = EXAMPLE,
  expect = { ["9.2.2-programme-defined"] = { status = "fail", count = 1,
    findings = { { file = "audits/programme.yaml", message = "the audit cycle ended on 2027-12-31" } } } },
}

spec {
  name = "an unapproved programme with an audit without date fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["audits/programme.yaml"] = { { "approved_by: p-henrik-lindqvist\n", "" }, { "    planned_on: 2027-05-17\n", "" } } },
  expect = { ["9.2.2-programme-defined"] = { status = "fail", count = 2,
    findings = { { message = "records no approval" }, { message = "audit IA-2027-01 does not say planned_on" } } } },
}

spec {
  name = "the example's programme audits every clause and applicable control in the cycle",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["9.2.2-programme-coverage"] = "pass" },
}

spec {
  name = "a programme that leaves out internal audit (9.2) itself fails",
  now = "2027-03-01", fixture = EXAMPLE,
  files = { ["audits/programme.yaml"] = [[
owner: p-leonie-brandt
approved_by: p-henrik-lindqvist
approved_on: 2026-12-01
cycle_start: 2027-01-01
cycle_months: 12
auditors:
  - person: p-ute-sommer
    owns: []
audits:
  - id: IA-2027-01
    areas: ["4", "5", "6", "7", "8", "9.1", "9.3", "10", "A.5", "A.6", "A.7", "A.8"]
    planned_on: 2027-06-01
    auditor: p-ute-sommer
    status: planned
]] },
  expect = { ["9.2.2-programme-coverage"] = { status = "fail", count = 1,
    findings = { { file = "audits/programme.yaml", message = "2 clauses are not audited in the cycle 2027-01-01 to 2027-12-31: 9.2.1, 9.2.2" } } } },
}

spec {
  name = "applicable controls outside every audit of the cycle fail; excluded ones need no audit",
  now = "2027-07-01", fixture = EXAMPLE,
  edit = { ["audits/programme.yaml"] = { { "cycle_start: 2025-01-01", "cycle_start: 2027-06-01" } } },
  expect = { ["9.2.2-programme-coverage"] = { status = "fail", count = 1,
    findings = { { message = "44 applicable Annex A controls are not audited in the cycle 2027-06-01 to 2030-05-31: A.7.1, A.7.2, A.7.3, A.7.5," } } } },
}

spec {
  name = "the example's auditors never audit what they own",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["9.2.2-auditor-independence"] = "pass" },
}

spec {
  name = "the compliance manager auditing her own control A.5.35 fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["audits/programme.yaml"] = { { "areas: [\"A.8\", \"A.5.7\",", "areas: [\"A.8\", \"A.5.7\", \"A.5.35\"," } } },
  expect = { ["9.2.2-auditor-independence"] = { status = "fail", count = 1,
    findings = { { file = "audits/programme.yaml", message = "audit IA-2027-01: Leonie Brandt (p-leonie-brandt) is not independent of what they audit: they are responsible for A.5.35 (owns)" } } } },
}

spec {
  name = "an auditor owning backups auditing the whole technological theme fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["audits/programme.yaml"] = { { "    auditor: p-leonie-brandt\n    criteria: Technological controls, with", "    auditor: p-marek-wojcik\n    criteria: Technological controls, with" } } },
  expect = { ["9.2.2-auditor-independence"] = { status = "fail", count = 1,
    findings = { { message = "audit IA-2025-02: Marek Wojcik (p-marek-wojcik) is not independent of what they audit: they are responsible for A.8 (owns)" } } } },
}

spec {
  name = "an audit led by someone who is not one of the programme's auditors fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["audits/reports/IA-2026-01.md"] = { { "auditor: p-marek-wojcik", "auditor: p-ole-thomsen" } } },
  expect = { ["9.2.2-auditor-independence"] = { status = "fail", count = 1,
    findings = { { file = "audits/reports/IA-2026-01.md", message = "audit report IA-2026-01 is led by Ole Thomsen (p-ole-thomsen), who is not among the programme's auditors" } } } },
}

spec {
  name = "the example's audit reports are final and complete",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["9.2.2-audit-reports-complete"] = "pass" },
}

spec {
  name = "a report without conclusion, and one still draft a month after the audit, fail",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["audits/reports/IA-2025-02.md"] = { { "conclusion: >-\n  Technological controls are implemented and operating, with one minor\n  nonconformity on backup testing. The region-restore exercise of September\n  was convincing.\n", "" } },
    ["audits/reports/IA-2026-02.md"] = { { "status: final", "status: draft" } } },
  expect = { ["9.2.2-audit-reports-complete"] = { status = "fail", count = 2,
    findings = { { file = "audits/reports/IA-2025-02.md", message = "audit report IA-2025-02 does not record conclusion" },
      { file = "audits/reports/IA-2026-02.md", message = "audit report IA-2026-02 of 2026-10-12 is still draft; it was due final by 2026-11-11" } } } },
}

-- 9.3 -----------------------------------------------------------------------

spec {
  name = "the example's last management review is current and chaired by the CEO",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["9.3-review-held"] = { status = "pass", valid_until = "2026-12-09" } },
}

spec {
  name = "no management review within 12 months fails",
  now = "2026-12-20", fixture = EXAMPLE,
  expect = { ["9.3-review-held"] = { status = "fail", count = 1,
    findings = { { file = "reviews/MR-2025-12.md", message = "the next was due by 2026-12-09 (11 days overdue)" } } } },
}

spec {
  name = "a review chaired by the CISO with top management attending passes",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["reviews/MR-2025-12.md"] = { { "chaired_by: p-katharina-vogt", "chaired_by: p-henrik-lindqvist" } } },
  expect = { ["9.3-review-held"] = "pass" },
}

spec {
  name = "a review that no member of top management chaired or attended fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["reviews/MR-2025-12.md"] = { { "chaired_by: p-katharina-vogt", "chaired_by: p-henrik-lindqvist" },
    { "attendees: [p-katharina-vogt, p-daniel-okafor, p-miriam-hoffmann, ", "attendees: [" } } },
  expect = { ["9.3-review-held"] = { status = "fail", count = 1, findings = { { file = "reviews/MR-2025-12.md",
    message = "management review MR-2025-12 of 2025-12-09: no member of top management of that day chaired or attended it (chair: Henrik Lindqvist (p-henrik-lindqvist)" } } } },
}

spec {
  name = "the example's last review considers every input of 9.3.2",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["9.3-review-inputs"] = "pass" },
}

spec {
  name = "a review that leaves out feedback from interested parties fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["reviews/MR-2025-12.md"] = { { "  feedback: >-\n    No security complaints from customers; 58 security questionnaires\n    answered, half of them now closed with the certificate and SoA alone. One\n    researcher report (INC-2025-03) handled and thanked publicly.\n", "" } } },
  expect = { ["9.3-review-inputs"] = { status = "fail", count = 1,
    findings = { { file = "reviews/MR-2025-12.md", message = "input missing: feedback from interested parties (e) (inputs.feedback)" } } } },
}

spec {
  name = "the example's last review records decisions and owned, dated actions",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["9.3-review-outputs"] = "pass" },
}

spec {
  name = "an action without owner fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["reviews/MR-2025-12.md"] = { { "    owner: p-clara-neumann\n", "" } } },
  expect = { ["9.3-review-outputs"] = { status = "fail", count = 1, findings = { { message = "action A6 has no owner or due date" } } } },
}
