-- Specs of rules/clauses/4.lua, on the example ISMS.
local EXAMPLE = "../../contrib/example-isms/records"

-- 4.1 -------------------------------------------------------------------

spec {
  name = "the example's context issues are current and consider climate change",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["4.1-context-issues"] = { status = "pass", valid_until = "2027-10-26" } },
}

spec {
  name = "context issues not reviewed for a year are overdue, each with its date",
  now = "2027-11-01", fixture = EXAMPLE,
  expect = { ["4.1-context-issues"] = { status = "fail", count = 13,
    findings = { { file = "context/issues.yaml", message = "issue CI-05: last reviewed on 2026-10-26; the 12-month review was due on 2027-10-26 (6 days overdue)" } } } },
}

spec {
  name = "issues that never say whether climate change is relevant fail (Amd 1:2024)",
  now = "2026-11-22", fixture = EXAMPLE,
  files = { ["context/issues.yaml"] = [[
issues:
  - id: CI-1
    issue: Customers expect certification
    kind: external
    effect: Certification is kept.
    reviewed_on: 2026-10-01
  - id: CI-2
    issue: A small security team
    kind: internal
    effect: Evidence is automated.
    reviewed_on: 2026-10-01
]] },
  expect = { ["4.1-context-issues"] = { status = "fail", count = 1,
    findings = { { file = "context/issues.yaml", message = "climate_relevant" } } } },
}

spec {
  name = "only external issues: the internal ones are missing",
  now = "2026-11-22", fixture = EXAMPLE,
  files = { ["context/issues.yaml"] = [[
issues:
  - id: CI-1
    issue: Customers expect certification
    kind: external
    climate_relevant: false
    effect: Certification is kept.
    reviewed_on: 2026-10-01
]] },
  expect = { ["4.1-context-issues"] = { status = "fail", count = 1,
    findings = { { message = "no internal issue is recorded" } } } },
}

spec {
  name = "no context issues at all fails",
  now = "2026-11-22", fixture = EXAMPLE,
  remove = { "context/issues.yaml" },
  expect = { ["4.1-context-issues"] = { status = "fail", findings = { { message = "no external or internal issues" } } } },
}

-- 4.2 -------------------------------------------------------------------

spec {
  name = "the example's interested parties are complete and current",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["4.2-interested-parties"] = { status = "pass", valid_until = "2027-10-26" } },
}

spec {
  name = "a party whose requirements are not addressed fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["context/interested-parties.yaml"] = {
    { "    addressed_by: policies/access-control-policy.md, policies/data-protection-policy.md\n", "" } } },
  expect = { ["4.2-interested-parties"] = { status = "fail", count = 1,
    findings = { { file = "context/interested-parties.yaml", message = "party IP-02: the record does not say how its requirements are addressed" } } } },
}

spec {
  name = "a party without requirements fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["context/interested-parties.yaml"] = {
    { "    requirements:\n      - Compliance with their acceptable-use terms and shared-responsibility models\n", "" } } },
  expect = { ["4.2-interested-parties"] = { status = "fail", count = 1,
    findings = { { message = "party IP-06: no requirements" } } } },
}

spec {
  name = "interested parties not reviewed for a year are overdue",
  now = "2027-11-01", fixture = EXAMPLE,
  expect = { ["4.2-interested-parties"] = { status = "fail", count = 10, findings = { { message = "overdue" } } } },
}

-- 4.3 -------------------------------------------------------------------

spec {
  name = "the example's scope states boundaries, interfaces and a statement",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["4.3-scope-documented"] = "pass" },
}

spec {
  name = "a scope without interfaces and statement fails twice",
  now = "2026-11-22", fixture = EXAMPLE,
  files = { ["isms/scope.md"] = [[
---
owner: p-henrik-lindqvist
approved_by: p-katharina-vogt
approved_on: 2026-03-02
boundaries:
  - All departments
---
]] },
  expect = { ["4.3-scope-documented"] = { status = "fail", count = 2,
    findings = { { file = "isms/scope.md", message = "interfaces" }, { message = "no scope statement" } } } },
}

spec {
  name = "no scope fails",
  now = "2026-11-22", fixture = EXAMPLE,
  remove = { "isms/scope.md" },
  expect = { ["4.3-scope-documented"] = { status = "fail", findings = { { message = "no ISMS scope" } } },
    ["4.3-scope-approved"] = "not_applicable" },
}

spec {
  name = "the example's scope is approved by the CEO and due for review in March 2027",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["4.3-scope-approved"] = { status = "pass", valid_until = "2027-03-02" } },
}

spec {
  name = "a scope approved by the CISO, who is not top management, fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["isms/scope.md"] = { { "approved_by: p-katharina-vogt", "approved_by: p-henrik-lindqvist" } } },
  expect = { ["4.3-scope-approved"] = { status = "fail", count = 1,
    findings = { { file = "isms/scope.md", line = 3, message = "not top management" } } } },
}

spec {
  name = "a scope not reviewed within 12 months is overdue",
  now = "2027-03-10", fixture = EXAMPLE,
  expect = { ["4.3-scope-approved"] = { status = "fail", count = 1,
    findings = { { file = "isms/scope.md", message = "was due on 2027-03-02 (8 days overdue)" } } } },
}

spec {
  name = "a scope reviewed since its approval counts from the review",
  now = "2027-03-10", fixture = EXAMPLE,
  edit = { ["isms/scope.md"] = { { "review_months: 12", "reviewed_on: 2027-02-20\nreview_months: 12" } } },
  expect = { ["4.3-scope-approved"] = { status = "pass", valid_until = "2028-02-20" } },
}

-- 4.4 -------------------------------------------------------------------

spec {
  name = "the example describes each core process in an approved document",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["4.4-processes-documented"] = "pass" },
}

spec {
  name = "without the internal audit procedure the audit process is undescribed",
  now = "2026-11-22", fixture = EXAMPLE,
  remove = { "procedures/internal-audit.md" },
  expect = { ["4.4-processes-documented"] = { status = "fail", count = 1,
    findings = { { message = "clause 9.2" } } } },
}

spec {
  name = "the processes to describe are a parameter",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["isms.yaml"] = { { "parameters:\n", "parameters:\n  4.4-processes-documented:\n    processes: [\"9.3\", \"7.5\"]\n" } } },
  expect = { ["4.4-processes-documented"] = { status = "fail", count = 1,
    findings = { { message = "clause 9.3 (list" } } } },
}
