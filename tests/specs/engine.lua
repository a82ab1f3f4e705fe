-- What the engine decides for every rule before its check runs: a rule
-- declaring `control =` is not applicable when the SoA excludes the
-- control (the control's SoA rule still judges the exclusion), and the
-- value isms.yaml gives a parameter must be of the type of the declared
-- default. The records are written here so that each case shows all it
-- depends on.
local NOW = "2026-06-01"

local FILES = {
  ["isms.yaml"] = [[
organisation: Example Ltd
time_zone: Europe/Berlin
top_management: [p-ada]
parameters:
  backup_test_months: 3
]],
  ["people/personnel.yaml"] = [[
people:
  - id: p-ada
    name: Ada Lovelace
    joined: 2020-01-01
]],
  ["soa.yaml"] = [[
owner: p-ada
approved_by: p-ada
approved_on: 2026-01-10
controls:
  - control: "8.13"
    applicable: true
    justification: Customer data must survive the loss of a system (R-01).
    status: implemented
    owner: p-ada
    evidence: [evidence/backups.yaml]
  - control: "8.15"
    applicable: true
    justification: Attacks show first in the logs (R-02).
    status: implemented
    owner: p-ada
    evidence: [evidence/logs.yaml]
]],
  ["evidence/backups.yaml"] = [[
evidence:
  - id: EV-B-1
    kind: backup-restore-test
    controls: ["8.13"]
    date: 2026-05-02
    result: pass
]],
  ["evidence/logs.yaml"] = [[
evidence:
  - id: EV-L-1
    kind: log-review
    controls: ["8.15"]
    date: 2026-05-20
    result: pass
]],
}

-- The SoA entry of 8.13, excluded with (or without) a justification.
local INCLUDED = "applicable: true\n    justification: Customer data must survive the loss of a system (R-01).\n"
  .. "    status: implemented\n    owner: p-ada\n    evidence: [evidence/backups.yaml]"
local EXCLUDE = { INCLUDED, "applicable: false\n    justification: No data of our own; the SaaS provider backs up (SUP-01)." }
local EXCLUDE_BARE = { INCLUDED, "applicable: false" }

-- Excluded controls -------------------------------------------------------

spec {
  name = "with the control included, its rules run",
  now = NOW, files = FILES,
  expect = { ["A.8.13-backup-restore-tested"] = { status = "pass", valid_until = "2026-08-02" },
    ["A.8.13-soa"] = "pass" },
}

spec {
  name = "a rule of an excluded control is not applicable, though its check would fail",
  now = NOW, files = FILES,
  edit = { ["soa.yaml"] = { EXCLUDE } },
  remove = { "evidence/backups.yaml" },
  expect = {
    ["A.8.13-backup-restore-tested"] = { status = "not_applicable", count = 0, valid_until = "none" },
    ["A.8.13-backup-assets-tested"] = { status = "not_applicable", count = 0 },
    -- another control's rule is not affected
    ["A.8.15-log-review"] = "pass",
  },
}

spec {
  name = "the SoA rule of an excluded control still judges the exclusion: justified",
  now = NOW, files = FILES,
  edit = { ["soa.yaml"] = { EXCLUDE } },
  expect = { ["A.8.13-soa"] = { status = "not_applicable", count = 0 } },
}

spec {
  name = "the SoA rule of an excluded control still judges the exclusion: not justified",
  now = NOW, files = FILES,
  edit = { ["soa.yaml"] = { EXCLUDE_BARE } },
  expect = {
    ["A.8.13-soa"] = { status = "not_applicable", count = 0,
      note = "reported under 6.1.3-soa-exclusions-justified: A.8.13 Information backup is excluded and gives no justification (soa.yaml:5)" },
    ["6.1.3-soa-exclusions-justified"] = { status = "fail", count = 1,
      findings = { { file = "soa.yaml", line = 5, message = "control 8.13 is excluded without a justification" } } },
    ["A.8.13-backup-restore-tested"] = "not_applicable",
  },
}

spec {
  name = "an exclusion comes before a parameter of the wrong type",
  now = NOW, files = FILES,
  edit = { ["soa.yaml"] = { EXCLUDE },
    ["isms.yaml"] = { { "backup_test_months: 3", "backup_test_months: quarterly" } } },
  expect = { ["A.8.13-backup-restore-tested"] = { status = "not_applicable", count = 0 } },
}

-- Typed parameters --------------------------------------------------------

spec {
  name = "a parameter that is not of its declared type is refused at its line, naming the rule",
  now = NOW, files = FILES,
  edit = { ["isms.yaml"] = { { "backup_test_months: 3", "backup_test_months: quarterly" } } },
  expect = { ["A.8.13-backup-restore-tested"] = { status = "fail", count = 1, valid_until = "none",
    findings = { { file = "isms.yaml", line = 5,
      message = "parameter backup_test_months must be a whole number above zero, not 'quarterly': correct it in isms.yaml (rule A.8.13-backup-restore-tested, declared at annex-a/technological.lua:" } } } },
}

spec {
  name = "a whole-number parameter with a default above zero must be above zero",
  now = NOW, files = FILES,
  edit = { ["isms.yaml"] = { { "backup_test_months: 3", "backup_test_months: 0" } } },
  expect = { ["A.8.13-backup-restore-tested"] = { status = "fail", count = 1,
    findings = { { file = "isms.yaml", line = 5, message = "must be a whole number above zero, not '0'" } } } },
}

spec {
  name = "a parameter of one rule is checked at its own line",
  now = NOW, files = FILES,
  edit = { ["isms.yaml"] = { { "backup_test_months: 3",
    "backup_test_months: 3\n  A.8.15-log-review:\n    log_review_months: [1, 2]" } } },
  expect = {
    ["A.8.15-log-review"] = { status = "fail", count = 1,
      findings = { { file = "isms.yaml", line = 7, message = "parameter log_review_months must be a whole number above zero, not '1 2'" } } },
    ["A.8.16-monitoring-review"] = "fail",
    ["A.8.13-backup-restore-tested"] = "pass",
  },
}

spec {
  name = "a boolean parameter takes true or false, not text",
  now = NOW, files = FILES,
  edit = { ["isms.yaml"] = { { "backup_test_months: 3", "top_management_above_threshold: \"no\"" } } },
  expect = { ["6.1.3-residual-risk-accepted"] = { status = "fail", count = 1,
    findings = { { file = "isms.yaml", line = 5, message = "parameter top_management_above_threshold must be true or false, not 'no'" } } } },
}

spec {
  name = "a list parameter is refused when an item is a mapping",
  now = NOW, files = FILES,
  edit = { ["isms.yaml"] = { { "backup_test_months: 3", "backup_test_exempt_kinds: [information, {kind: saas}]" } } },
  expect = { ["A.8.13-backup-assets-tested"] = { status = "fail", count = 1,
    findings = { { file = "isms.yaml", line = 5, message = "parameter backup_test_exempt_kinds must be a list" } } } },
}

-- A list parameter may be a YAML list or text separated by spaces or
-- commas; either way the rule gets the same list. A production appliance
-- that no restore test names is an observation unless its kind is exempt.
local WITH_APPLIANCE = {}
for path, text in pairs(FILES) do WITH_APPLIANCE[path] = text end
WITH_APPLIANCE["assets/hardware.yaml"] = [[
assets:
  - id: HW-1
    name: Backup appliance
    kind: hardware
    owner: p-ada
    classification: internal
    production: true
    backup_required: true
]]

spec {
  name = "a list parameter's default applies when isms.yaml gives none",
  now = NOW, files = WITH_APPLIANCE,
  expect = { ["A.8.13-backup-assets-tested"] = { status = "warn", count = 1,
    findings = { { file = "assets/hardware.yaml", line = 8, message = "HW-1 (Backup appliance) must be backed up" } } } },
}

for _, value in ipairs({ "[information, hardware]", "information, hardware", "information hardware" }) do
  spec {
    name = "a list parameter given as " .. value,
    now = NOW, files = WITH_APPLIANCE,
    edit = { ["isms.yaml"] = { { "backup_test_months: 3", "backup_test_exempt_kinds: " .. value } } },
    expect = { ["A.8.13-backup-assets-tested"] = "pass" },
  }
end
