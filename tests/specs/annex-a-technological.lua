-- Specs of rules/annex-a/technological.lua, on the example ISMS.
local EXAMPLE = "../../contrib/example-isms/records"
local NOW = "2026-11-22"

-- One evidence file with one record; fields as YAML lines.
local function ev(id, fields)
  return "evidence:\n  - id: " .. id .. "\n    " .. table.concat(fields, "\n    ") .. "\n"
end

-- A.8.2 ---------------------------------------------------------------------

spec {
  name = "A.8.2: quarterly reviews of the four systems pass until the oldest falls due",
  now = NOW, fixture = EXAMPLE,
  expect = { ["A.8.2-privileged-access-review"] = { status = "pass", valid_until = "2027-01-20" } },
}

spec {
  name = "A.8.2: no review for four months fails once, at the newest review",
  now = "2027-02-01", fixture = EXAMPLE,
  expect = { ["A.8.2-privileged-access-review"] = { status = "fail", count = 1,
    findings = { { file = "evidence/access-reviews.yaml",
      message = "the next was due by 2027-01-23 (9 days overdue)" } } } },
}

spec {
  name = "A.8.2: a system whose last review is overdue fails, naming it",
  now = NOW, fixture = EXAMPLE,
  files = { ["evidence/extra.yaml"] = ev("EV-AR-SM", { "kind: access-review", 'controls: ["8.2"]',
    "date: 2026-06-01", "result: pass", "asset: AS-INFRA-12" }) },
  expect = { ["A.8.2-privileged-access-review"] = { status = "fail", count = 1,
    findings = { { file = "evidence/extra.yaml", line = 5,
      message = "privileged access review of AS-INFRA-12 (EV-AR-SM) was on 2026-06-01" } } } },
}

spec {
  name = "A.8.2: reviews of retired systems and reviews not naming 8.2 do not count",
  now = NOW, fixture = EXAMPLE,
  files = { ["evidence/extra.yaml"] = [[
evidence:
  - id: EV-AR-ELK
    kind: access-review
    controls: ["8.2"]
    date: 2025-05-01
    asset: AS-INFRA-14
  - id: EV-AR-USERS
    kind: access-review
    controls: ["5.18"]
    date: 2025-05-01
    asset: AS-INFRA-12
]] },
  expect = { ["A.8.2-privileged-access-review"] = "pass" },
}

spec {
  name = "A.8.2: no access review at all fails",
  now = NOW, fixture = EXAMPLE,
  remove = { "evidence/access-reviews.yaml" },
  expect = { ["A.8.2-privileged-access-review"] = { status = "fail", count = 1,
    findings = { { message = "no privileged access review is recorded for A.8.2 Privileged access rights" } } } },
}

-- A.8.3, A.8.5 ---------------------------------------------------------------

spec {
  name = "A.8.3 and A.8.5: the access control policy covers both",
  now = NOW, fixture = EXAMPLE,
  expect = { ["A.8.3-access-restriction-policy"] = "pass", ["A.8.5-authentication-policy"] = "pass" },
}

spec {
  name = "A.8.3 and A.8.5: a policy that does not list them fails",
  now = NOW, fixture = EXAMPLE,
  edit = { ["policies/access-control-policy.md"] = { { '"8.3", "8.4", "8.5", ', '"8.4", ' } } },
  expect = {
    ["A.8.3-access-restriction-policy"] = { status = "fail", count = 1,
      findings = { { message = "sets out the rules restricting access to information" } } },
    ["A.8.5-authentication-policy"] = { status = "fail", count = 1,
      findings = { { message = "sets out the requirements for secure authentication" } } },
  },
}

-- A.8.7 ---------------------------------------------------------------------

-- The example waives 8.7 for its ephemeral compute; failing cases lift it.
local NO_MW_WAIVER = { "rule: A.8.7-malware-coverage", "rule: other-rule" }
local LAST_MALWARE = "date: 2026-11-10\n    performed_by: p-nils-petersen\n    result: pass"

spec {
  name = "A.8.7: monthly coverage reports of the laptop fleet pass",
  now = NOW, fixture = EXAMPLE,
  expect = { ["A.8.7-malware-coverage"] = { status = "pass", valid_until = "2026-12-10" } },
}

spec {
  name = "A.8.7: incomplete coverage fails",
  now = NOW, fixture = EXAMPLE,
  edit = { ["evidence/malware-coverage.yaml"] = { { LAST_MALWARE,
    "date: 2026-11-10\n    performed_by: p-nils-petersen\n    result: partial" } },
    ["isms.yaml"] = { NO_MW_WAIVER } },
  expect = { ["A.8.7-malware-coverage"] = { status = "fail", count = 1,
    findings = { { file = "evidence/malware-coverage.yaml", message = "(EV-MW-2026-11, 2026-11-10) has result partial" } } } },
}

spec {
  name = "A.8.7: no coverage check for over a month fails",
  now = "2027-01-15", fixture = EXAMPLE,
  edit = { ["isms.yaml"] = { NO_MW_WAIVER } },
  expect = { ["A.8.7-malware-coverage"] = { status = "fail", count = 1,
    findings = { { message = "(36 days overdue)" } } } },
}

-- A.8.8 ---------------------------------------------------------------------

local LAST_SCAN = "date: 2026-11-03\n    performed_by: p-yusuf-aydin\n    result: pass"

spec {
  name = "A.8.8: monthly scans pass",
  now = NOW, fixture = EXAMPLE,
  expect = { ["A.8.8-vulnerability-scans"] = { status = "pass", valid_until = "2026-12-03" },
    ["A.8.8-remediation-deadlines"] = "pass" },
}

spec {
  name = "A.8.8: a missed monthly scan fails",
  now = "2027-01-10", fixture = EXAMPLE,
  expect = { ["A.8.8-vulnerability-scans"] = { status = "fail", count = 1,
    findings = { { message = "EV-VS-2026-11) was on 2026-11-03; with a 1-month interval the next was due by 2026-12-03 (38 days overdue)" } } } },
}

spec {
  name = "A.8.8: no scans at all: scans fail, deadlines not applicable",
  now = NOW, fixture = EXAMPLE,
  remove = { "evidence/vulnerability-scans.yaml" },
  expect = { ["A.8.8-vulnerability-scans"] = { status = "fail", findings = { { message = "no vulnerability scan is recorded" } } },
    ["A.8.8-remediation-deadlines"] = "not_applicable" },
}

spec {
  name = "A.8.8: findings past their deadline in the last scan fail",
  now = NOW, fixture = EXAMPLE,
  edit = { ["evidence/vulnerability-scans.yaml"] = { { LAST_SCAN,
    "date: 2026-11-03\n    performed_by: p-yusuf-aydin\n    result: partial" } } },
  expect = { ["A.8.8-remediation-deadlines"] = { status = "fail", count = 1,
    findings = { { file = "evidence/vulnerability-scans.yaml", line = 216,
      message = "vulnerability scan of AS-INFRA-02 (EV-VS-2026-11, 2026-11-03) has result partial" } } },
    ["A.8.8-vulnerability-scans"] = "pass" },
}

spec {
  name = "A.8.8: the last scan of a retired system does not count",
  now = NOW, fixture = EXAMPLE,
  files = { ["evidence/elk-scan.yaml"] = ev("EV-VS-ELK", { "kind: vulnerability-scan",
    'controls: ["8.8"]', "date: 2025-07-01", "result: partial", "asset: AS-INFRA-14" }) },
  expect = { ["A.8.8-remediation-deadlines"] = "pass", ["A.8.8-vulnerability-scans"] = "pass" },
}

-- A.8.9 ---------------------------------------------------------------------

spec {
  name = "A.8.9: configuration rules in the operations policy and change procedure",
  now = NOW, fixture = EXAMPLE,
  expect = { ["A.8.9-configuration-review"] = "pass" },
}

spec {
  name = "A.8.9: no document setting configuration rules fails",
  now = NOW, fixture = EXAMPLE,
  edit = { ["policies/operations-security-policy.md"] = { { '"8.9", ', "" } },
    ["procedures/change-management.md"] = { { '"8.9", ', "" } } },
  expect = { ["A.8.9-configuration-review"] = { status = "fail", count = 1,
    findings = { { message = "configuration baselines" } } } },
}

spec {
  name = "A.8.9: a recorded configuration review that is overdue fails",
  now = NOW, fixture = EXAMPLE,
  files = { ["evidence/configuration.yaml"] = ev("EV-CFG-1", { "kind: configuration-review",
    'controls: ["8.9"]', "date: 2025-06-01", "result: pass", "asset: AS-INFRA-05" }) },
  expect = { ["A.8.9-configuration-review"] = { status = "fail", count = 1,
    findings = { { file = "evidence/configuration.yaml", message = "configuration review (EV-CFG-1) was on 2025-06-01" } } } },
}

-- A.8.12 --------------------------------------------------------------------

spec {
  name = "A.8.12: DLP rules in the classification policy, no reviews recorded",
  now = NOW, fixture = EXAMPLE,
  expect = { ["A.8.12-dlp-review"] = { status = "pass", valid_until = "none" } },
}

spec {
  name = "A.8.12: a recorded DLP review that is overdue fails",
  now = NOW, fixture = EXAMPLE,
  files = { ["evidence/dlp.yaml"] = ev("EV-DLP-1", { "kind: other", 'controls: ["8.12"]',
    "date: 2025-01-10", "result: pass" }) },
  expect = { ["A.8.12-dlp-review"] = { status = "fail", count = 1,
    findings = { { message = "data leakage prevention review (EV-DLP-1) was on 2025-01-10" } } } },
}

spec {
  name = "A.8.12: a recent DLP review passes",
  now = NOW, fixture = EXAMPLE,
  files = { ["evidence/dlp.yaml"] = ev("EV-DLP-1", { "kind: other", 'controls: ["8.12"]',
    "date: 2026-10-10", "result: pass" }) },
  expect = { ["A.8.12-dlp-review"] = { status = "pass", valid_until = "2027-10-10" } },
}

-- A.8.13 --------------------------------------------------------------------

local LAST_RESTORE = "date: 2026-11-10\n    performed_by: p-priya-raman\n    result: pass"

spec {
  name = "A.8.13: the quarterly database restore test is current",
  now = NOW, fixture = EXAMPLE,
  expect = { ["A.8.13-backup-restore-tested"] = { status = "pass", valid_until = "2027-02-10" } },
}

spec {
  name = "A.8.13: no restore test for over three months fails",
  now = "2027-03-01", fixture = EXAMPLE,
  expect = { ["A.8.13-backup-restore-tested"] = { status = "fail", count = 1,
    findings = { { message = "the next was due by 2027-02-10 (19 days overdue)" } } } },
}

spec {
  name = "A.8.13: a failed restore test has 30 days for its follow-up",
  now = NOW, fixture = EXAMPLE,
  edit = { ["evidence/backup-restore-tests.yaml"] = { { LAST_RESTORE,
    "date: 2026-11-10\n    performed_by: p-priya-raman\n    result: fail" } } },
  expect = { ["A.8.13-backup-restore-tested"] = { status = "pass", valid_until = "2026-12-10" } },
}

spec {
  name = "A.8.13: a failed restore test without a follow-up fails once its 30 days are over",
  now = "2026-12-15", fixture = EXAMPLE,
  edit = { ["evidence/backup-restore-tests.yaml"] = { { LAST_RESTORE,
    "date: 2026-11-10\n    performed_by: p-priya-raman\n    result: fail" } } },
  expect = { ["A.8.13-backup-restore-tested"] = { status = "fail", count = 1,
    findings = { { message = "EV-BR-2026-11-DB of AS-INFRA-06 on 2026-11-10 has result fail and no follow-up" } } } },
}

spec {
  name = "A.8.13: production assets never restored are an observation",
  now = NOW, fixture = EXAMPLE,
  expect = { ["A.8.13-backup-assets-tested"] = { status = "warn", count = 4,
    findings = { { file = "assets/infrastructure.yaml", message = "AS-INFRA-09 (DNS zones (Route 53)) must be backed up but no restore test names it" },
      { message = "AS-APP-07" }, { message = "AS-INFRA-10" }, { message = "AS-INFRA-11" } } } },
}

spec {
  name = "A.8.13: every production system restored within a year passes",
  now = NOW, fixture = EXAMPLE,
  files = { ["evidence/more-restores.yaml"] = [[
evidence:
  - { id: R1, kind: backup-restore-test, date: 2026-03-01, result: pass, asset: AS-APP-07 }
  - { id: R2, kind: backup-restore-test, date: 2026-04-01, result: pass, asset: AS-INFRA-09 }
  - { id: R3, kind: backup-restore-test, date: 2026-05-01, result: pass, asset: AS-INFRA-10 }
  - { id: R4, kind: backup-restore-test, date: 2026-06-01, result: pass, asset: AS-INFRA-11 }
]] },
  expect = { ["A.8.13-backup-assets-tested"] = { status = "pass", valid_until = "2027-03-01" } },
}

-- A.8.14 --------------------------------------------------------------------

spec {
  name = "A.8.14: the yearly recovery exercise is current",
  now = NOW, fixture = EXAMPLE,
  expect = { ["A.8.14-redundancy-tested"] = { status = "pass", valid_until = "2027-09-24" } },
}

spec {
  name = "A.8.14: no exercise for over a year fails",
  now = "2027-10-01", fixture = EXAMPLE,
  expect = { ["A.8.14-redundancy-tested"] = { status = "fail", count = 1,
    findings = { { file = "evidence/bcp-tests.yaml", message = "failover or continuity exercise (EV-BCP-2026)" } } } },
}

-- A.8.15, A.8.16 ------------------------------------------------------------

local LAST_LOG = "date: 2026-11-06\n    performed_by: p-yusuf-aydin\n    result: pass"

spec {
  name = "A.8.15 and A.8.16: monthly log reviews pass",
  now = NOW, fixture = EXAMPLE,
  expect = { ["A.8.15-log-review"] = { status = "pass", valid_until = "2026-12-06" },
    ["A.8.16-monitoring-review"] = { status = "pass", valid_until = "2026-12-06" } },
}

spec {
  name = "A.8.15: a missed monthly log review fails",
  now = "2027-01-10", fixture = EXAMPLE,
  expect = { ["A.8.15-log-review"] = { status = "fail", count = 1,
    findings = { { line = 204, message = "(35 days overdue)" } } } },
}

spec {
  name = "A.8.16: a review that found unexplained events fails until followed up",
  now = NOW, fixture = EXAMPLE,
  edit = { ["evidence/log-reviews.yaml"] = { { LAST_LOG,
    "date: 2026-11-06\n    performed_by: p-yusuf-aydin\n    result: fail" } } },
  expect = { ["A.8.16-monitoring-review"] = { status = "fail", count = 1,
    findings = { { line = 206, message = "monitoring review (EV-LR-2026-11, 2026-11-06) has result fail" } } } },
}

-- A.8.20 to A.8.22 ----------------------------------------------------------

spec {
  name = "A.8.20-8.22: the operations and network security policy covers them",
  now = NOW, fixture = EXAMPLE,
  expect = { ["A.8.20-network-security"] = "pass", ["A.8.21-network-services"] = "pass",
    ["A.8.22-network-segregation"] = "pass" },
}

spec {
  name = "A.8.20-8.22: a draft network policy fails all three",
  now = NOW, fixture = EXAMPLE,
  edit = { ["policies/operations-security-policy.md"] = { { "status: approved", "status: draft" } } },
  expect = {
    ["A.8.20-network-security"] = { status = "fail", count = 1, findings = { { line = 10, message = "is draft, not in force" } } },
    ["A.8.21-network-services"] = { status = "fail", count = 1 },
    ["A.8.22-network-segregation"] = { status = "fail", count = 1 },
  },
}

spec {
  name = "A.8.21: an overdue firewall review fails, a recent one passes",
  now = NOW, fixture = EXAMPLE,
  files = { ["evidence/firewall.yaml"] = [[
evidence:
  - { id: FW-1, kind: firewall-review, controls: ["8.21"], date: 2025-03-01, result: pass, asset: AS-INFRA-08 }
  - { id: FW-2, kind: firewall-review, controls: ["8.20", "8.22"], date: 2026-09-01, result: pass, asset: AS-INFRA-02 }
]] },
  expect = {
    ["A.8.21-network-services"] = { status = "fail", count = 1,
      findings = { { message = "firewall and network review (FW-1) was on 2025-03-01" } } },
    ["A.8.20-network-security"] = { status = "pass", valid_until = "2027-09-01" },
  },
}

-- A.8.24 --------------------------------------------------------------------

spec {
  name = "A.8.24: the cryptography policy is in force (its overdue review is for A.5.1)",
  now = NOW, fixture = EXAMPLE,
  expect = { ["A.8.24-cryptography-policy"] = { status = "pass", valid_until = "none" } },
}

spec {
  name = "A.8.24: no cryptography policy fails",
  now = NOW, fixture = EXAMPLE,
  remove = { "policies/cryptography-policy.md" },
  expect = { ["A.8.24-cryptography-policy"] = { status = "fail", count = 1,
    findings = { { message = "no approved policy or procedure sets out the rules for the use of cryptography" } } } },
}

spec {
  name = "A.8.24: a policy silent on keys is an observation",
  now = NOW, fixture = EXAMPLE,
  files = { ["policies/cryptography-policy.md"] = [[
---
id: cryptography-policy
title: Encryption policy
kind: topic-policy
owner: p-henrik-lindqvist
approved_by: p-daniel-okafor
approved_on: 2026-10-20
status: approved
controls: ["8.24"]
---
# Encryption policy

All connections use TLS 1.2 or later; data at rest is encrypted with AES-256.
]] },
  expect = { ["A.8.24-cryptography-policy"] = { status = "warn", count = 1,
    findings = { { file = "policies/cryptography-policy.md", message = "says nothing about cryptographic keys" } } } },
}

-- A.8.25, A.8.28 ------------------------------------------------------------

spec {
  name = "A.8.25 and A.8.28: the secure development policy covers them",
  now = NOW, fixture = EXAMPLE,
  expect = { ["A.8.25-secure-development-policy"] = "pass", ["A.8.28-secure-code-review"] = "pass" },
}

spec {
  name = "A.8.25 and A.8.28: no secure development policy fails both",
  now = NOW, fixture = EXAMPLE,
  remove = { "policies/secure-development-policy.md" },
  expect = {
    ["A.8.25-secure-development-policy"] = { status = "fail", count = 1, findings = { { message = "the rules for secure development" } } },
    ["A.8.28-secure-code-review"] = { status = "fail", count = 1, findings = { { message = "the secure coding principles" } } },
  },
}

spec {
  name = "A.8.28: a code review that found weaknesses fails until followed up",
  now = NOW, fixture = EXAMPLE,
  files = { ["evidence/code-reviews.yaml"] = ev("EV-SCR-1", { "kind: secure-code-review",
    'controls: ["8.28"]', "date: 2026-10-01", "result: fail", "asset: AS-APP-03" }) },
  expect = { ["A.8.28-secure-code-review"] = { status = "fail", count = 1,
    findings = { { file = "evidence/code-reviews.yaml", line = 6, message = "secure code review of AS-APP-03 (EV-SCR-1, 2026-10-01) has result fail" } } } },
}

-- A.8.29 --------------------------------------------------------------------

local RETEST = "date: 2026-08-14\n    performed_by: p-henrik-lindqvist\n    result: pass"

spec {
  name = "A.8.29: the yearly penetration test and its retest pass",
  now = NOW, fixture = EXAMPLE,
  expect = { ["A.8.29-security-testing"] = { status = "pass", valid_until = "2027-08-14" } },
}

spec {
  name = "A.8.29: no penetration test for over a year fails",
  now = "2027-09-01", fixture = EXAMPLE,
  expect = { ["A.8.29-security-testing"] = { status = "fail", count = 1,
    findings = { { message = "penetration test (EV-PT-2026-RETEST) was on 2026-08-14" } } } },
}

spec {
  name = "A.8.29: findings not retested within 90 days fail",
  now = NOW, fixture = EXAMPLE,
  edit = { ["evidence/pen-tests.yaml"] = { { RETEST,
    "date: 2026-08-14\n    performed_by: p-henrik-lindqvist\n    result: partial" } } },
  expect = { ["A.8.29-security-testing"] = { status = "fail", count = 1,
    findings = { { line = 35, message = "the retest was due by 2026-11-12 (10 days overdue)" } } } },
}

spec {
  name = "A.8.29: a test with findings passes while the retest is not yet due",
  now = "2026-09-01", fixture = EXAMPLE,
  edit = { ["evidence/pen-tests.yaml"] = { { RETEST,
    "date: 2026-08-14\n    performed_by: p-henrik-lindqvist\n    result: partial" } } },
  expect = { ["A.8.29-security-testing"] = { status = "pass", valid_until = "2026-11-12" } },
}

-- A.8.32 --------------------------------------------------------------------

spec {
  name = "A.8.32: every technical change was approved before it was made",
  now = NOW, fixture = EXAMPLE,
  expect = { ["A.8.32-change-approved"] = "pass" },
}

spec {
  name = "A.8.32: a change approved after it was implemented fails",
  now = NOW, fixture = EXAMPLE,
  edit = { ["changes.yaml"] = { { "approved_on: 2025-06-02", "approved_on: 2025-08-02" } } },
  expect = { ["A.8.32-change-approved"] = { status = "fail", count = 1,
    findings = { { file = "changes.yaml", line = 42,
      message = "change CH-2025-03 was approved on 2025-08-02, 2 days after it was implemented on 2025-07-31" } } } },
}

spec {
  name = "A.8.32: an implemented change without approval fails",
  now = NOW, fixture = EXAMPLE,
  edit = { ["changes.yaml"] = { { "\n    approved_by: p-daniel-okafor\n    approved_on: 2026-04-07", "" } } },
  expect = { ["A.8.32-change-approved"] = { status = "fail", count = 1,
    findings = { { message = "change CH-2026-03 was implemented on 2026-04-28 without a recorded approval" } } } },
}

spec {
  name = "A.8.32: an implemented change without an impact assessment fails",
  now = NOW, fixture = EXAMPLE,
  edit = { ["changes.yaml"] = { { "\n    impact_assessment: New supplier with device-level control (SUP-13, reviewed before signing). Treats R-08; privacy of employees checked with the DPO (no location tracking).", "" } } },
  expect = { ["A.8.32-change-approved"] = { status = "fail", count = 1,
    findings = { { file = "changes.yaml", line = 19, message = "change CH-2025-02 was implemented without an impact assessment" } } } },
}

spec {
  name = "A.8.32: a change approved by its requester is an observation",
  now = NOW, fixture = EXAMPLE,
  edit = { ["changes.yaml"] = { { "approved_by: p-henrik-lindqvist\n    approved_on: 2025-02-24",
    "approved_by: p-nils-petersen\n    approved_on: 2025-02-24" } } },
  expect = { ["A.8.32-change-approved"] = { status = "warn", count = 1,
    findings = { { message = "change CH-2025-02 was approved by p-nils-petersen, who requested it" } } } },
}

spec {
  name = "A.8.32: changes to the ISMS itself are left to clause 6.3",
  now = NOW, fixture = EXAMPLE,
  edit = { ["changes.yaml"] = { { "\n    approved_by: p-daniel-okafor\n    approved_on: 2025-06-16", "" } } },
  expect = { ["A.8.32-change-approved"] = "pass", ["7.5-records-valid"] = "pass" },
}

-- Parameters ------------------------------------------------------------------

spec {
  name = "an interval that is not a whole number is a finding, not a rule error",
  now = NOW, fixture = EXAMPLE,
  edit = { ["isms.yaml"] = { { "log_review_months: 1", "log_review_months: monthly" } } },
  expect = { ["A.8.15-log-review"] = { status = "fail", count = 1,
    findings = { { message = "parameter log_review_months must be a whole number above zero, not 'monthly'" } } } },
}

spec {
  name = "a parameter of one rule overrides the shared one",
  now = "2026-12-20", fixture = EXAMPLE,
  edit = { ["isms.yaml"] = { { "parameters:\n", "parameters:\n  A.8.16-monitoring-review:\n    log_review_months: 2\n" } } },
  expect = { ["A.8.16-monitoring-review"] = { status = "pass", valid_until = "2027-01-06" },
    ["A.8.15-log-review"] = "fail" },
}
