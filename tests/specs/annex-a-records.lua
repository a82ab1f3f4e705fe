-- Specs of how the four Annex A theme packs judge every record (issues 16
-- and 21): event-driven evidence, evidence that is not evidence, every
-- failed test and every system in scope, a decision not to notify, the
-- audience of a policy, vulnerabilities at their own deadlines, supplier
-- contracts and awareness pointers. Fixtures written here, not taken from
-- the shipped examples.

local NOW = "2026-10-01"

local BASE = {
  ["isms.yaml"] = [[
organisation: Fjordkode AS
time_zone: Europe/Oslo
top_management: [ceo]
]],
  ["people/personnel.yaml"] = [[
people:
  - id: ceo
    name: Ingrid Berg
    department: Management
    site: Oslo
    joined: 2019-01-01
  - id: dpo
    name: Ola Nordmann
    department: Legal
    site: Bergen
    joined: 2020-03-01
  - id: dev
    name: Kari Lie
    department: Engineering
    site: Bergen
    joined: 2021-05-01
  - id: gone
    name: Per Hansen
    department: Engineering
    site: Oslo
    joined: 2020-01-01
    left: 2026-01-31
]],
}

-- A copy of BASE with files added or replaced.
local function with(extra)
  local t = {}
  for k, v in pairs(BASE) do t[k] = v end
  for k, v in pairs(extra) do t[k] = v end
  return t
end

-- Event-driven evidence -------------------------------------------------------

local SOA_EVENT = [[
controls:
  - control: "6.4"
    applicable: true
    justification: Staff handle customer data; breaches need consequences.
    status: implemented
    owner: ceo
    evidence: evidence/disciplinary.yaml
  - control: "5.15"
    applicable: true
    justification: Access to customer data.
    status: implemented
    owner: ceo
    evidence: evidence/disciplinary.yaml
]]
local DISCIPLINARY = [[
evidence:
  - id: DISC-1
    kind: other
    controls: [6.4, 5.15]
    date: 2024-11-04
    performed_by: ceo
    summary: One case, closed with a written warning.
]]

spec {
  name = "an event-driven log with nothing to record since is not stale",
  now = NOW, files = with { ["soa.yaml"] = SOA_EVENT, ["evidence/disciplinary.yaml"] = DISCIPLINARY },
  expect = { ["A.6.4-soa"] = "pass" },
}

spec {
  name = "the same log as evidence of a periodic control is stale by age",
  now = NOW, files = with { ["soa.yaml"] = SOA_EVENT, ["evidence/disciplinary.yaml"] = DISCIPLINARY },
  expect = { ["A.5.15-soa"] = { status = "fail", findings = { { file = "soa.yaml", line = 13,
    message = "is stale: its newest evidence record for A.5.15 on 2024-11-04" } } } },
}

spec {
  name = "an incident naming an event-driven control after its newest record makes the log stale",
  now = NOW, files = with { ["soa.yaml"] = SOA_EVENT, ["evidence/disciplinary.yaml"] = DISCIPLINARY,
    ["incidents/2026.yaml"] = [[
incidents:
  - id: INC-7
    title: Customer export mailed to a private address
    reported_on: 2026-05-02
    reported_by: dev
    status: closed
    closed_on: 2026-05-20
    controls: [6.4, 8.12]
]] },
  expect = { ["A.6.4-soa"] = { status = "fail", count = 1, findings = { { file = "incidents/2026.yaml", line = 8,
    message = "incident INC-7 (reported 2026-05-02) names the control, but the newest record in 'evidence/disciplinary.yaml' is from 2024-11-04" } } } },
}

spec {
  name = "event_driven: false in the SoA makes the log stale by age again",
  now = NOW, files = with { ["soa.yaml"] = SOA_EVENT:gsub("evidence: evidence/disciplinary.yaml\n  %- control: \"5.15\"",
    "evidence: evidence/disciplinary.yaml\n    event_driven: false\n  - control: \"5.15\"", 1),
    ["evidence/disciplinary.yaml"] = DISCIPLINARY },
  expect = { ["A.6.4-soa"] = { status = "fail", findings = { { message = "more than 12 months ago" } } } },
}

-- Evidence taken together, drafts, evidence elsewhere ------------------------

local SOA_EV = [[
controls:
  - control: "8.11"
    applicable: true
    justification: Test data must not hold customer data.
    status: implemented
    owner: dev
    evidence:
      - procedures/masking.md
  - control: "8.15"
    applicable: true
    justification: Logs show misuse.
    status: implemented
    owner: dev
    evidence:
      - evidence/old-logs.yaml
      - evidence/new-logs.yaml
  - control: "6.1"
    applicable: true
    justification: Access to customer data.
    status: implemented
    owner: ceo
    external_evidence:
      - system: Sympa HR
        ref: HR-2231
        date: 2026-08-14
]]
local MASKING = [[
---
id: masking
title: Test data masking
kind: procedure
owner: dev
status: draft
controls: [8.11]
---
# Test data masking
]]
local LOGS = {
  ["evidence/old-logs.yaml"] = "evidence:\n  - id: LR-1\n    kind: log-review\n    controls: [8.15]\n    date: 2024-06-01\n    result: pass\n",
  ["evidence/new-logs.yaml"] = "evidence:\n  - id: LR-9\n    kind: log-review\n    controls: [8.15]\n    date: 2026-09-01\n    result: pass\n",
}

local function ev(extra)
  local t = with { ["soa.yaml"] = SOA_EV, ["procedures/masking.md"] = MASKING }
  for k, v in pairs(LOGS) do t[k] = v end
  for k, v in pairs(extra or {}) do t[k] = v end
  return t
end

spec {
  name = "an implemented control whose only evidence is a draft fails at the evidence",
  now = NOW, files = ev(),
  expect = { ["A.8.11-soa"] = { status = "fail", count = 1, findings = { { file = "soa.yaml", line = 8,
    message = "its only evidence 'procedures/masking.md' is not in force (status draft, procedures/masking.md:6)" } } } },
}

spec {
  name = "the approved procedure is evidence",
  now = NOW, files = ev { ["procedures/masking.md"] = MASKING:gsub("status: draft", "status: approved\napproved_by: ceo\napproved_on: 2026-03-01") },
  expect = { ["A.8.11-soa"] = "pass" },
}

spec {
  name = "the newest item an entry names counts across all of them",
  now = NOW, files = ev(),
  expect = { ["A.8.15-soa"] = { status = "pass", valid_until = "2027-09-01" } },
}

spec {
  name = "evidence kept in another system counts by its date",
  now = NOW, files = ev(),
  expect = { ["A.6.1-soa"] = { status = "pass", valid_until = "2027-08-14" } },
}

spec {
  name = "evidence kept in another system is stale by its date",
  now = "2027-09-01", files = ev(),
  expect = { ["A.6.1-soa"] = { status = "fail", findings = { { file = "soa.yaml", line = 23,
    message = "evidence 'Sympa HR HR-2231' is stale: its date on 2026-08-14" } } } },
}

spec {
  name = "a reference in words that is no file says where external evidence goes",
  now = NOW, files = ev { ["soa.yaml"] = SOA_EV .. "    evidence: \"Sympa HR case files\"\n" },
  expect = { ["A.6.1-soa"] = { status = "fail", findings = { { message = "record evidence kept in another system under external_evidence" } } } },
}

-- Every restore test, every system ------------------------------------------

local ASSETS = [[
assets:
  - id: DB-1
    name: Customer database
    kind: database
    owner: dev
    classification: confidential
    production: true
    backup_required: true
  - id: BUS-1
    name: Event bus
    kind: infrastructure
    owner: dev
    classification: confidential
    production: true
  - id: WEB-1
    name: Web shop
    kind: application
    owner: dev
    classification: confidential
    production: true
]]
local RESTORES = [[
evidence:
  - id: RT-1
    kind: backup-restore-test
    controls: [8.13]
    date: 2026-06-10
    asset: DB-1
    result: fail
  - id: RT-2
    kind: backup-restore-test
    controls: [8.13]
    date: 2026-09-10
    asset: FILES-1
    result: pass
]]

spec {
  name = "a failed restore test is not hidden by a later pass on another system",
  now = NOW, files = with { ["assets/systems.yaml"] = ASSETS, ["evidence/restores.yaml"] = RESTORES },
  expect = { ["A.8.13-backup-restore-tested"] = { status = "fail", count = 1, findings = { { file = "evidence/restores.yaml", line = 7,
    message = "backup restore test RT-1 of DB-1 on 2026-06-10 has result fail and no follow-up" } } } },
}

spec {
  name = "a later pass of the same system follows a failed restore test up",
  now = NOW, files = with { ["assets/systems.yaml"] = ASSETS,
    ["evidence/restores.yaml"] = RESTORES:gsub("asset: FILES%-1", "asset: DB-1") },
  expect = { ["A.8.13-backup-restore-tested"] = "pass" },
}

spec {
  name = "a nonconformity named in follow_up follows a failed restore test up",
  now = NOW, files = with { ["assets/systems.yaml"] = ASSETS,
    ["evidence/restores.yaml"] = RESTORES:gsub("result: fail", "result: fail\n    follow_up: NC-3"),
    ["nonconformities.yaml"] = "nonconformities:\n  - id: NC-3\n    raised_on: 2026-06-11\n    description: Restore of DB-1 failed on the KMS key policy.\n" },
  expect = { ["A.8.13-backup-restore-tested"] = "pass" },
}

local REVIEWS = [[
evidence:
  - id: AR-1
    kind: access-review
    controls: [8.2, 5.18]
    date: 2026-09-01
    asset: DB-1
    result: pass
]]
local SCOPE = "parameters:\n  access_review_scope_kinds: [infrastructure, database]\n"

spec {
  name = "a system in the declared scope that never had an access review fails at its inventory entry",
  now = NOW, files = with { ["isms.yaml"] = BASE["isms.yaml"] .. SCOPE, ["assets/systems.yaml"] = ASSETS,
    ["evidence/access.yaml"] = REVIEWS },
  expect = {
    ["A.8.2-privileged-access-review"] = { status = "fail", count = 1, findings = { { file = "assets/systems.yaml", line = 9,
      message = "BUS-1 (Event bus) is a production infrastructure classified confidential, but no privileged access review of it is recorded at all" } } },
    ["A.5.18-access-rights-reviewed"] = { status = "fail", count = 1, findings = { { file = "assets/systems.yaml", line = 9 } } },
  },
}

spec {
  name = "without a declared scope only the systems the records name are judged",
  now = NOW, files = with { ["assets/systems.yaml"] = ASSETS, ["evidence/access.yaml"] = REVIEWS },
  expect = { ["A.8.2-privileged-access-review"] = "pass", ["A.5.18-access-rights-reviewed"] = "pass" },
}

-- A.5.34: the decision not to notify -----------------------------------------

local BREACH = [[
incidents:
  - id: INC-9
    title: Ticket shown to the wrong agent group
    reported_on: 2026-03-18
    reported_by: dev
    status: closed
    closed_on: 2026-03-27
    personal_data: true
    notifiable: false
    notification_decided_by: dpo
    notification_decided_on: 2026-03-19
    notification_reason: Stayed with own staff for two hours, unopened.
]]

spec {
  name = "a breach judged not notifiable in time by the DPO passes",
  now = NOW, files = with { ["incidents/2026.yaml"] = BREACH },
  expect = { ["A.5.34-breach-notification"] = "pass" },
}

spec {
  name = "a decision not to notify taken after the deadline fails at its date",
  now = NOW, files = with { ["incidents/2026.yaml"] = BREACH:gsub("decided_on: 2026%-03%-19", "decided_on: 2026-03-25") },
  expect = { ["A.5.34-breach-notification"] = { status = "fail", findings = { { line = 11,
    message = "judged not notifiable on 2026-03-25, 7 days after it was reported" } } } },
}

spec {
  name = "a decision not to notify by someone who had left is not valid",
  now = NOW, files = with { ["incidents/2026.yaml"] = BREACH:gsub("decided_by: dpo", "decided_by: gone") },
  expect = { ["A.5.34-breach-notification"] = { status = "fail", findings = { { line = 10,
    message = "Per Hansen (gone) was not on the staff on 2026-03-19" } } } },
}

spec {
  name = "notifiable: false without who and when is an observation",
  now = NOW, files = with { ["incidents/2026.yaml"] = BREACH:gsub("    notification_decided_by: dpo\n", "") },
  expect = { ["A.5.34-breach-notification"] = { status = "warn", findings = { { line = 9, message = "does not say who took it and when" } } } },
}

-- A.5.1: the audience of a policy ------------------------------------------

local OFFICE = [[
---
id: bergen-office
title: Bergen office rules
kind: topic-policy
owner: ceo
approved_by: ceo
approved_on: 2026-02-01
status: approved
acknowledgement_required: true
audience: {sites: [Bergen]}
---
# Bergen office rules
]]
local ACKS = [[
training:
  - person: dpo
    course: Bergen office rules
    kind: policy-acknowledgement
    policy: bergen-office
    completed_on: 2026-02-10
]]

spec {
  name = "a policy for one site counts only the people of that site",
  now = NOW, files = with { ["policies/bergen-office.md"] = OFFICE,
    ["people/training.yaml"] = ACKS .. ACKS:gsub("training:\n", ""):gsub("person: dpo", "person: dev") },
  expect = { ["A.5.1-policies-acknowledged"] = "pass" },
}

spec {
  name = "someone of the audience who has not acknowledged is named with file and line",
  now = NOW, files = with { ["policies/bergen-office.md"] = OFFICE, ["people/training.yaml"] = ACKS },
  expect = { ["A.5.1-policies-acknowledged"] = { status = "fail", count = 1, findings = { { file = "people/personnel.yaml", line = 12,
    message = "Kari Lie (dev) has not acknowledged the policy 'bergen-office'" } } } },
}

spec {
  name = "an audience that names nobody on the staff is an observation",
  now = NOW, files = with { ["policies/bergen-office.md"] = OFFICE:gsub("Bergen%]", "Tromsø]"), ["people/training.yaml"] = ACKS },
  expect = { ["A.5.1-policies-acknowledged"] = { status = "warn", findings = { { message = "names nobody on the staff" } } } },
}

-- A.8.8: vulnerabilities at their own deadlines ------------------------------

local VULNS = [[
vulnerabilities:
  - id: V-1
    asset: WEB-1
    severity: critical
    found_on: 2026-09-01
    fixed_on: 2026-09-05
  - id: V-2
    asset: WEB-1
    severity: high
    found_on: 2026-09-20
]]

spec {
  name = "vulnerabilities fixed or open within their deadlines pass",
  now = NOW, files = with { ["vulnerabilities.yaml"] = VULNS },
  expect = { ["A.8.8-remediation-deadlines"] = { status = "pass", valid_until = "2026-10-20" } },
}

spec {
  name = "a critical vulnerability fixed after its 7 days fails at fixed_on",
  now = NOW, files = with { ["vulnerabilities.yaml"] = VULNS:gsub("fixed_on: 2026%-09%-05", "fixed_on: 2026-09-15") },
  expect = { ["A.8.8-remediation-deadlines"] = { status = "fail", count = 1, findings = { { line = 6,
    message = "vulnerability V-1 on WEB-1 (critical, found 2026-09-01) was fixed on 2026-09-15, 7 days after its deadline of 2026-09-08" } } } },
}

spec {
  name = "an open vulnerability past its deadline fails",
  now = "2026-11-01", files = with { ["vulnerabilities.yaml"] = VULNS },
  expect = { ["A.8.8-remediation-deadlines"] = { status = "fail", findings = { { line = 7,
    message = "vulnerability V-2 on WEB-1 (high, found 2026-09-20) is still open 12 days after its deadline of 2026-10-20" } } } },
}

-- Suppliers: contract end, personal data, severity ---------------------------

local SUPPLIERS = [[
suppliers:
  - id: SUP-1
    name: SMS gateway
    criticality: high
    owner: ceo
    agreement_signed_on: 2023-01-10
    security_clauses: true
    data_access: confidential
    contract_ends_on: 2026-06-30
    personal_data: true
    risks: [R-1]
    last_review_on: 2026-02-01
]]
local RISK = "risks:\n  - id: R-1\n    title: SMS gateway leaks phone numbers\n    owner: ceo\n"

spec {
  name = "a supplier used after its contract ended fails, major when it is critical",
  now = NOW, files = with { ["suppliers.yaml"] = SUPPLIERS, ["risk/register.yaml"] = RISK },
  expect = { ["A.5.20-supplier-agreements"] = { status = "fail", count = 1, findings = { { line = 9,
    message = "is still in use (no ended_on) but its agreement ended on 2026-06-30" } } },
    ["A.5.19-supplier-register"] = "pass" },
}

spec {
  name = "a renewed contract passes until its end",
  now = NOW, files = with { ["suppliers.yaml"] = SUPPLIERS:gsub("2026%-06%-30", "2027-06-30"), ["risk/register.yaml"] = RISK },
  expect = { ["A.5.20-supplier-agreements"] = { status = "pass", valid_until = "2027-06-29" } },
}

spec {
  name = "a supplier processing personal data needs its risk assessment",
  now = NOW, files = with { ["suppliers.yaml"] = SUPPLIERS:gsub("    risks: %[R%-1%]\n", ""), ["risk/register.yaml"] = RISK },
  expect = { ["A.5.19-supplier-register"] = { status = "fail", findings = { { line = 10, message = "processes personal data but names no risk assessment" } } } },
}

-- A.6.3: awareness after leaving, pointers ----------------------------------

spec {
  name = "awareness training dated after the person left does not count and is pointed at",
  now = NOW, files = with { ["people/training.yaml"] = [[
training:
  - person: gone
    course: Awareness 2026
    kind: awareness
    completed_on: 2026-03-01
  - person: ceo
    course: Awareness 2026
    kind: awareness
    completed_on: 2026-03-01
  - person: dpo
    course: Awareness 2026
    kind: awareness
    completed_on: 2026-03-01
  - person: dev
    course: Awareness 2026
    kind: awareness
    completed_on: 2026-03-01
]] },
  expect = { ["A.6.3-awareness-programme"] = { status = "fail", count = 1, findings = { { file = "people/training.yaml", line = 5,
    message = "awareness training 'Awareness 2026' of Per Hansen (gone) is dated 2026-03-01, on or after they left on 2026-01-31" } } } },
}

spec {
  name = "someone never trained is pointed at in the personnel records, by name",
  now = NOW, files = with { ["people/training.yaml"] = [[
training:
  - person: ceo
    course: Awareness 2026
    kind: awareness
    completed_on: 2026-03-01
]] },
  expect = { ["A.6.3-awareness-programme"] = { status = "fail", findings = { { file = "people/personnel.yaml", line = 7,
    message = "Ola Nordmann (dpo) has no awareness training on record" } } } },
}
