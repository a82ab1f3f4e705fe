-- Specs of api-tour.lua, on a small ISMS written inline.

local FILES = {
  ["isms.yaml"] = [[
organisation: Example Ltd
time_zone: Europe/Berlin
top_management: [p-ada, p-alan]
certificate:
  issued: 2025-03-14
  expires: 2028-03-13
parameters:
  review_months: 12
waivers:
  - rule: tour-policy-files
    reason: Policies are being rewritten.
    approved_by: p-ada
    expires: 2026-01-31
]],
  ["people/personnel.yaml"] = [[
people:
  - id: p-ada
    name: Ada Lovelace
  - id: p-alan
    name: Alan Turing
]],
  ["policies/information-security-policy.md"] = [[
---
id: information-security-policy
title: Information security policy
kind: policy
owner: p-ada
approved_by: p-ada
approved_on: 2025-06-01
---
# Information security policy

We protect the information entrusted to us.
]],
  ["people/training.yaml"] = [[
training:
  - person: p-ada
    course: Information security policy
    kind: policy-acknowledgement
    policy: information-security-policy
    completed_on: 2025-06-02
  - person: p-alan
    course: Information security policy
    kind: policy-acknowledgement
    policy: information-security-policy
    completed_on: 2025-06-03
]],
  ["evidence/scans.yaml"] = [[
evidence:
  - id: EV-1
    kind: vulnerability-scan
    date: 2025-11-01
    attachments: [evidence/reports/scan-2025-11.pdf]
]],
  ["evidence/reports/scan-2025-11.pdf"] = "%PDF-1.4\n",
}

spec {
  name = "the tour passes on a tidy ISMS",
  now = "2026-06-01",
  files = FILES,
  expect = {
    ["tour-top-management"] = "pass",
    ["tour-certificate"] = { status = "pass", valid_until = "2028-03-12" },
    ["tour-policy-files"] = "pass",
    ["tour-policy-acknowledged"] = "pass",
  },
}

spec {
  name = "a person with no policy acknowledgement is reported",
  now = "2026-06-01",
  files = FILES,
  edit = { ["people/training.yaml"] = { { "person: p-alan", "person: p-ada" } } },
  expect = { ["tour-policy-acknowledged"] = { status = "fail", count = 1, findings = {
    { file = "people/personnel.yaml", line = 4, message = "Alan Turing has acknowledged no policy" } } } },
}

spec {
  name = "top management who left, or who is unknown, are reported",
  now = "2026-06-01",
  files = FILES,
  edit = {
    ["people/personnel.yaml"] = { { "name: Alan Turing", "name: Alan Turing\n    left: 2026-05-01" } },
    ["isms.yaml"] = { { "[p-ada, p-alan]", "[p-ada, p-alan, p-eve]" }, { "review_months: 12", "review_months: 0" } },
  },
  expect = { ["tour-top-management"] = { status = "fail", count = 3, findings = {
    { file = "isms.yaml", line = 3, message = "Alan Turing left on 2026-05-01" },
    { file = "isms.yaml", line = 3, message = "'p-eve' is not in the personnel records" },
    { file = "isms.yaml", line = 8, message = "parameter review_months is 0" },
  } } },
}

spec {
  name = "a waiver approved outside top management and no time zone are observations",
  now = "2026-06-01",
  files = FILES,
  edit = { ["isms.yaml"] = { { "approved_by: p-ada", "approved_by: p-bob" }, { "time_zone: Europe/Berlin\n", "" } } },
  expect = { ["tour-top-management"] = { status = "warn", count = 2, findings = {
    { file = "isms.yaml", line = 11, message = "not approved by top management" },
    { file = "isms.yaml", line = 1, message = "dates fall in UTC (UTC)" },
  } } },
}

spec {
  name = "an expired certificate fails; the surveillance audit is announced",
  now = "2028-03-13",
  files = FILES,
  expect = { ["tour-certificate"] = { status = "fail", count = 1,
    findings = { { file = "isms.yaml", line = 6, message = "expired on 2028-03-13" } } } },
}

spec {
  name = "two months before the first surveillance audit it is announced",
  now = "2026-02-01",
  files = FILES,
  expect = { ["tour-certificate"] = { status = "warn", findings = {
    { file = "isms.yaml", line = 5, message = "the surveillance audit is due on 14 March 2026 (Internal audit)" } } } },
}

spec {
  name = "a certificate without an issue date fails at the field",
  broken_records = true,  -- the record is wrong on purpose
  now = "2026-06-01",
  files = FILES,
  edit = { ["isms.yaml"] = { { "issued: 2025-03-14", "issued: someday" } } },
  expect = { ["tour-certificate"] = { status = "fail", findings = { { file = "isms.yaml", line = 5, message = "issued:" } } } },
}

spec {
  name = "no certificate: not applicable",
  now = "2026-06-01",
  files = FILES,
  edit = { ["isms.yaml"] = { { "certificate:\n  issued: 2025-03-14\n  expires: 2028-03-13\n", "" } } },
  expect = { ["tour-certificate"] = "not_applicable" },
}

spec {
  name = "an empty policy, a missing attachment and a broken record fail",
  now = "2026-06-01",
  files = FILES,
  edit = { ["policies/information-security-policy.md"] = { { "# Information security policy\n\nWe protect the information entrusted to us.\n", "" } } },
  remove = { "evidence/reports/scan-2025-11.pdf" },
  expect = { ["tour-policy-files"] = { status = "fail", findings = {
    { file = "policies/information-security-policy.md", message = "has no text below its front matter (Policies for information security)" },
    { file = "evidence/scans.yaml", line = 5, message = "attachment evidence/reports/scan-2025-11.pdf of EV-1 is not in the repository" },
  } } },
}

spec {
  name = "a record that does not load is reported where it is",
  broken_records = true,  -- the record is wrong on purpose
  now = "2026-06-01",
  files = FILES,
  edit = { ["evidence/scans.yaml"] = { { "date: 2025-11-01", "date: [not, a, date" } } },
  expect = { ["tour-policy-files"] = { status = "fail", findings = { { file = "evidence/scans.yaml" } } } },
}

spec {
  name = "a waiver in isms.yaml turns a failure into waived until it expires",
  now = "2026-01-15",
  files = FILES,
  remove = { "evidence/reports/scan-2025-11.pdf" },
  expect = { ["tour-policy-files"] = { status = "waived", valid_until = "2026-01-31" } },
}
