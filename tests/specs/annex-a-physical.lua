-- Specs of rules/annex-a/physical.lua, on the example ISMS.
local EXAMPLE = "../../contrib/example-isms/records"
local NOW = "2026-11-22"

-- The example names Berlin and Leipzig as its entry-controlled sites and
-- waives the rule for Leipzig until 2027-01-31; these edits undo that.
local SITES = "    entry_controlled_sites: AS-FAC-01 AS-FAC-02\n"
local NO_WAIVER = { "rule: A.7.2-entry-log-review", "rule: other-rule" }
local NO_SITES = { "  A.7.2-entry-log-review:\n" .. SITES, "" }
local LAST_ENTRY_REVIEW = "date: 2026-10-15\n    performed_by: p-marta-kowalska\n    result: pass"

-- A.7.1 ---------------------------------------------------------------------

spec {
  name = "A.7.1: the physical security policy sets out the perimeters",
  now = NOW, fixture = EXAMPLE,
  expect = { ["A.7.1-perimeters-defined"] = "pass" },
}

spec {
  name = "A.7.1: no document listing 7.1 fails",
  now = NOW, fixture = EXAMPLE,
  edit = { ["policies/physical-security-policy.md"] = { { '["7.1", ', "[" } } },
  expect = { ["A.7.1-perimeters-defined"] = { status = "fail", count = 1,
    findings = { { message = "no approved policy or procedure sets out the physical security perimeters" } } } },
}

spec {
  name = "A.7.1: a draft policy does not count",
  now = NOW, fixture = EXAMPLE,
  edit = { ["policies/physical-security-policy.md"] = { { "status: approved", "status: draft" } } },
  expect = { ["A.7.1-perimeters-defined"] = { status = "fail", count = 1,
    findings = { { file = "policies/physical-security-policy.md", message = "is draft, not in force" } } } },
}

spec {
  name = "A.7.1: a control the SoA excludes is not applicable",
  now = NOW, fixture = EXAMPLE,
  edit = { ["soa.yaml"] = { { "applicable: true\n    justification: Treats risk R-20.\n    status: implemented",
    "applicable: false\n    justification: Fully remote.\n    status: implemented" } } },
  expect = { ["A.7.1-perimeters-defined"] = "not_applicable" },
}

-- A.7.2 ---------------------------------------------------------------------

spec {
  name = "A.7.2: a site without entry log reviews fails, pointing at the asset",
  now = NOW, fixture = EXAMPLE,
  edit = { ["isms.yaml"] = { NO_WAIVER } },
  expect = { ["A.7.2-entry-log-review"] = { status = "fail", count = 1,
    findings = { { file = "assets/endpoints-and-facilities.yaml", line = 66,
      message = "site AS-FAC-02 (Leipzig office" } } } },
}

spec {
  name = "A.7.2: the sites may be given as a YAML list",
  now = NOW, fixture = EXAMPLE,
  edit = { ["isms.yaml"] = { NO_WAIVER, { SITES, "    entry_controlled_sites: [AS-FAC-02, AS-FAC-01]\n" } } },
  expect = { ["A.7.2-entry-log-review"] = { status = "fail", count = 1,
    findings = { { message = "site AS-FAC-02" } } } },
}

spec {
  name = "A.7.2: by default every facility is a site (the paper archive too)",
  now = NOW, fixture = EXAMPLE,
  edit = { ["isms.yaml"] = { NO_WAIVER, NO_SITES } },
  expect = { ["A.7.2-entry-log-review"] = { status = "fail", count = 2,
    findings = { { message = "AS-FAC-02" }, { message = "AS-FAC-03" } } } },
}

spec {
  name = "A.7.2: the example's waiver for Leipzig applies until 2027-01-31",
  now = NOW, fixture = EXAMPLE,
  expect = { ["A.7.2-entry-log-review"] = "waived" },
}

spec {
  name = "A.7.2: every site reviewed within three months passes until the oldest falls due",
  now = NOW, fixture = EXAMPLE,
  edit = { ["isms.yaml"] = { NO_WAIVER } },
  files = { ["evidence/leipzig-entry.yaml"] = [[
evidence:
  - id: EV-EL-LEI-2026-Q4
    kind: entry-log-review
    controls: ["7.2"]
    date: 2026-11-02
    performed_by: p-carla-dietrich
    result: pass
    summary: Key register reconciled with the staff list.
    asset: AS-FAC-02
]] },
  expect = { ["A.7.2-entry-log-review"] = { status = "pass", valid_until = "2027-01-15" } },
}

spec {
  name = "A.7.2: an overdue review fails with the days overdue",
  now = "2027-02-20", fixture = EXAMPLE,
  edit = { ["isms.yaml"] = { NO_WAIVER, { SITES, "    entry_controlled_sites: AS-FAC-01\n" } } },
  expect = { ["A.7.2-entry-log-review"] = { status = "fail", count = 1,
    findings = { { file = "evidence/entry-log-reviews.yaml", line = 69,
      message = "was due by 2027-01-15 (36 days overdue)" } } } },
}

spec {
  name = "A.7.2: a review with unexplained entries fails",
  now = NOW, fixture = EXAMPLE,
  edit = { ["isms.yaml"] = { NO_WAIVER, { SITES, "    entry_controlled_sites: AS-FAC-01\n" } },
    ["evidence/entry-log-reviews.yaml"] = { { LAST_ENTRY_REVIEW,
      "date: 2026-10-15\n    performed_by: p-marta-kowalska\n    result: fail" } } },
  expect = { ["A.7.2-entry-log-review"] = { status = "fail", count = 1,
    findings = { { message = "EV-EL-2026-Q4, 2026-10-15) has result fail" } } } },
}

spec {
  name = "A.7.2: with one site, reviews that name no asset count for it",
  now = NOW, fixture = EXAMPLE,
  edit = { ["isms.yaml"] = { NO_WAIVER, { SITES, "    entry_controlled_sites: AS-FAC-01\n" } } },
  files = { ["evidence/entry-log-reviews.yaml"] = [[
evidence:
  - id: EV-EL-1
    kind: entry-log-review
    date: 2026-10-15
    result: pass
]] },
  expect = { ["A.7.2-entry-log-review"] = { status = "pass", valid_until = "2027-01-15" } },
}

-- A.7.4 ---------------------------------------------------------------------

local MONITORED = { ["soa.yaml"] = { { "applicable: false\n    owner: p-marta-kowalska",
  "applicable: true\n    justification: Alarm system.\n    owner: p-marta-kowalska" } } }

spec {
  name = "A.7.4: excluded in the example's SoA, so not applicable",
  now = NOW, fixture = EXAMPLE,
  expect = { ["A.7.4-monitoring-reviewed"] = "not_applicable" },
}

spec {
  name = "A.7.4: included without any monitoring review fails",
  now = NOW, fixture = EXAMPLE, edit = MONITORED,
  expect = { ["A.7.4-monitoring-reviewed"] = { status = "fail", count = 1,
    findings = { { message = "no review of physical security monitoring is recorded for A.7.4" } } } },
}

spec {
  name = "A.7.4: a recent review of the alarm system passes",
  now = NOW, fixture = EXAMPLE, edit = MONITORED,
  files = { ["evidence/alarm.yaml"] = [[
evidence:
  - id: EV-ALARM-2026-10
    kind: other
    controls: ["7.4"]
    date: 2026-10-01
    result: pass
]] },
  expect = { ["A.7.4-monitoring-reviewed"] = { status = "pass", valid_until = "2027-01-01" } },
}

-- A.7.7 ---------------------------------------------------------------------

spec {
  name = "A.7.7: clear desk rules in the acceptable use and physical security policies",
  now = NOW, fixture = EXAMPLE,
  expect = { ["A.7.7-clear-desk-rules"] = "pass" },
}

spec {
  name = "A.7.7: no document listing 7.7 fails",
  now = NOW, fixture = EXAMPLE,
  edit = { ["policies/physical-security-policy.md"] = { { '"7.7", ', "" } },
    ["policies/acceptable-use-policy.md"] = { { '"7.7", ', "" } } },
  expect = { ["A.7.7-clear-desk-rules"] = { status = "fail", count = 1,
    findings = { { message = "clear desk and clear screen rules" } } } },
}

-- A.7.14 --------------------------------------------------------------------

local RETIRED = [[
assets:
  - id: AS-HW-90
    name: Old laptops (batch 2021)
    kind: hardware
    owner: p-nils-petersen
    classification: confidential
    retired_on: 2026-09-01
]]

spec {
  name = "A.7.14: no retired equipment in the example: not applicable",
  now = NOW, fixture = EXAMPLE,
  expect = { ["A.7.14-disposal-recorded"] = "not_applicable" },
}

spec {
  name = "A.7.14: retired laptops without a disposal record fail",
  now = NOW, fixture = EXAMPLE,
  files = { ["assets/retired.yaml"] = RETIRED },
  expect = { ["A.7.14-disposal-recorded"] = { status = "fail", count = 1,
    findings = { { file = "assets/retired.yaml", line = 7,
      message = "AS-HW-90 (Old laptops (batch 2021)) was retired on 2026-09-01" } } } },
}

spec {
  name = "A.7.14: a disposal not yet due passes until the grace period ends",
  now = "2026-09-15", fixture = EXAMPLE,
  files = { ["assets/retired.yaml"] = RETIRED },
  expect = { ["A.7.14-disposal-recorded"] = { status = "pass", valid_until = "2026-10-01" } },
}

spec {
  name = "A.7.14: retired laptops with a disposal certificate pass",
  now = NOW, fixture = EXAMPLE,
  files = { ["assets/retired.yaml"] = RETIRED, ["evidence/disposal.yaml"] = [[
evidence:
  - id: EV-DISP-2026-01
    kind: media-disposal
    controls: ["7.14"]
    date: 2026-09-20
    result: pass
    asset: AS-HW-90
]] },
  expect = { ["A.7.14-disposal-recorded"] = "pass" },
}

spec {
  name = "A.7.14: a partial wipe fails",
  now = NOW, fixture = EXAMPLE,
  files = { ["assets/retired.yaml"] = RETIRED, ["evidence/disposal.yaml"] = [[
evidence:
  - id: EV-DISP-2026-01
    kind: media-disposal
    date: 2026-09-20
    result: partial
    asset: AS-HW-90
]] },
  expect = { ["A.7.14-disposal-recorded"] = { status = "fail", count = 1,
    findings = { { file = "evidence/disposal.yaml", message = "has result partial" } } } },
}
