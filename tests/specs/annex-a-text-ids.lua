-- Control ids written without quotes (5.30, 8.20, 5.10) reach the rules
-- as written: the loader accepts them as controls 5.30 and 8.20, and the
-- Annex A rules must count them for those controls, not for 5.3 and 8.2.

local FILES = {
  ["isms.yaml"] = [[
organisation: Nordlys Test AS
time_zone: Europe/Oslo
top_management: [ceo]
]],
  ["people/personnel.yaml"] = [[
people:
  - id: ceo
    name: Kari Nordmann
    joined: 2020-01-01
]],
  ["evidence/continuity.yaml"] = [[
evidence:
  - id: EX-1
    kind: bcp-test
    controls: [5.29, 5.30, 8.14]
    date: 2026-05-10
    performed_by: ceo
    result: pass
]],
  ["policies/network-standard.md"] = [[
---
id: network-standard
title: Network security standard
kind: standard
owner: ceo
approved_by: ceo
approved_on: 2026-01-15
status: approved
controls: [8.20, 8.22]
---
# Network security standard

Segments, firewalls and their reviews.
]],
}

spec {
  name = "an unquoted 5.30 in an evidence record counts as a test of A.5.30",
  now = "2026-10-01", files = FILES,
  expect = { ["A.5.30-ict-readiness-tested"] = { status = "pass", valid_until = "2027-05-10" } },
}

spec {
  name = "an unquoted 8.20 in a standard documents A.8.20",
  now = "2026-10-01", files = FILES,
  expect = { ["A.8.20-network-security"] = "pass", ["A.8.22-network-segregation"] = "pass" },
}

spec {
  name = "each unquoted id counts for itself only: without 8.22 listed, A.8.22 is not documented",
  now = "2026-10-01", files = FILES,
  edit = { ["policies/network-standard.md"] = { { "controls: [8.20, 8.22]", "controls: [8.20]" } } },
  expect = { ["A.8.22-network-segregation"] = { status = "fail",
    findings = { { message = "no document under policies/ or procedures/ lists \"8.22\"" } } } },
}

spec {
  name = "without the record naming 5.30, A.5.30 has no test",
  now = "2026-10-01", files = FILES,
  edit = { ["evidence/continuity.yaml"] = { { "[5.29, 5.30, 8.14]", "[5.29, 5.3, 8.14]" } } },
  expect = { ["A.5.30-ict-readiness-tested"] = { status = "fail",
    findings = { { message = "no ICT continuity test is recorded" } } } },
}
