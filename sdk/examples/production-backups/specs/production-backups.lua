-- Specs of production-backups.lua: a small ISMS written inline, then
-- one change per case. Run with
--   ismsctl test --pack sdk/examples/production-backups sdk/examples/production-backups/specs

local RULE = "org-production-backups"

-- The records the rule reads: the manifest, people, assets and evidence.
local FILES = {
  ["isms.yaml"] = [[
organisation: Example Ltd
time_zone: Europe/London
top_management: [p-ada]
]],
  ["people/personnel.yaml"] = [[
people:
  - id: p-ada
    name: Ada Lovelace
  - id: p-alan
    name: Alan Turing
    left: 2026-03-31
]],
  ["assets/infrastructure.yaml"] = [[
assets:
  - id: DB-1
    name: Customer database
    owner: p-ada
    production: true
  - id: TEST-1
    name: Test environment
    production: false
]],
  ["evidence/backups.yaml"] = [[
evidence:
  - id: EV-1
    kind: backup-restore-test
    date: 2026-03-02
    asset: DB-1
    result: pass
  - id: EV-2
    kind: backup-restore-test
    date: 2026-03-09
    asset: DB-1
    result: pass
]],
}

spec {
  name = "an owned production system backed up three days ago passes until the backup is a week old",
  now = "2026-03-12",
  files = FILES,
  expect = { [RULE] = { status = "pass", valid_until = "2026-03-16" } },
}

spec {
  name = "the verdict expires the day before the owner leaves",
  now = "2026-03-12",
  files = FILES,
  edit = { ["assets/infrastructure.yaml"] = { { "owner: p-ada", "owner: p-alan" } },
           ["isms.yaml"] = { { "top_management: [p-ada]",
             "top_management: [p-ada]\nparameters:\n  max_backup_age_days: 60" } } },
  expect = { [RULE] = { status = "pass", valid_until = "2026-03-30" } },
}

spec {
  name = "a backup older than seven days fails at the newest backup's date",
  now = "2026-03-17",
  files = FILES,
  expect = { [RULE] = { status = "fail", count = 1,
    findings = { { file = "evidence/backups.yaml", line = 9,
                   message = "the last backup of DB-1 was on 2026-03-09, 8 days ago" } } } },
}

spec {
  name = "isms.yaml may allow older backups for this rule",
  now = "2026-03-17",
  files = FILES,
  edit = { ["isms.yaml"] = { { "top_management: [p-ada]",
    "top_management: [p-ada]\nparameters:\n  org-production-backups:\n    max_backup_age_days: 14" } } },
  expect = { [RULE] = "pass" },
}

spec {
  name = "a production system without owner or backup fails twice at the asset",
  now = "2026-03-12",
  files = FILES,
  edit = { ["assets/infrastructure.yaml"] = { { "production: false", "production: true" } } },
  expect = { [RULE] = { status = "fail", count = 2,
    findings = { { file = "assets/infrastructure.yaml", line = 6, message = "TEST-1 (Test environment) has no owner" },
                 { file = "assets/infrastructure.yaml", line = 6, message = "no backup of production system TEST-1" } } } },
}

spec {
  name = "an owner who has left fails at the owner field",
  now = "2026-04-02",
  files = FILES,
  edit = { ["assets/infrastructure.yaml"] = { { "owner: p-ada", "owner: p-alan" } },
           ["evidence/backups.yaml"] = { { "2026-03-09", "2026-03-30" } } },
  expect = { [RULE] = { status = "fail", count = 1,
    findings = { { file = "assets/infrastructure.yaml", line = 4, message = "left on 2026-03-31" } } } },
}

spec {
  name = "an owner missing from the personnel register fails",
  now = "2026-03-12",
  files = FILES,
  edit = { ["assets/infrastructure.yaml"] = { { "owner: p-ada", "owner: p-nobody" } } },
  expect = { [RULE] = { status = "fail",
    findings = { { file = "assets/infrastructure.yaml", line = 4, message = "the owner of DB-1, 'p-nobody', is not in the personnel records" } } } },
}

spec {
  name = "no production system makes the rule not applicable",
  now = "2026-03-12",
  files = FILES,
  edit = { ["assets/infrastructure.yaml"] = { { "production: true", "production: false" } } },
  expect = { [RULE] = "not_applicable" },
}

-- The rule declares control = "8.13": an SoA that excludes the control
-- makes it not applicable, whatever the assets.
local EXCLUDED = {}
for path, text in pairs(FILES) do EXCLUDED[path] = text end
EXCLUDED["soa.yaml"] = [[
controls:
  - control: "8.13"
    applicable: false
    justification: No systems of our own; the SaaS provider backs them up.
]]

spec {
  name = "an SoA that excludes A.8.13 makes the rule not applicable",
  now = "2026-03-31",
  files = EXCLUDED,
  expect = { [RULE] = { status = "not_applicable", count = 0 } },
}

spec {
  name = "the evidence kinds that count as a backup are a parameter",
  now = "2026-03-12",
  files = FILES,
  edit = { ["evidence/backups.yaml"] = { { "id: EV-2\n    kind: backup-restore-test", "id: EV-2\n    kind: other" } },
           ["isms.yaml"] = { { "top_management: [p-ada]",
             "top_management: [p-ada]\nparameters:\n  org-production-backups:\n    backup_kinds: backup-restore-test other" } } },
  expect = { [RULE] = { status = "pass", valid_until = "2026-03-16" } },
}

spec {
  name = "a parameter that is not a whole number is refused at its line",
  now = "2026-03-12",
  files = FILES,
  edit = { ["isms.yaml"] = { { "top_management: [p-ada]",
    "top_management: [p-ada]\nparameters:\n  max_backup_age_days: a week" } } },
  expect = { [RULE] = { status = "fail", count = 1,
    findings = { { file = "isms.yaml", line = 5,
      message = "parameter max_backup_age_days must be a whole number above zero, not 'a week'" } } } },
}
