-- Specs of the clause rules that judge every record of the period at its
-- own date (issues 16 and 21): people valid when they acted, every
-- management review of the cycle, dates in order, auditor independence,
-- exclusion justifications, ids across files, scope against reality and
-- required competences. The records are written here, for a small
-- company that is not one of the shipped examples.
local NOW = "2026-10-01"

local ISMS = [[
organisation: Nordlys Analyse AS
time_zone: Europe/Oslo
top_management: [p-new-ceo, p-cfo]
certificate:
  issued: 2025-03-01
]]

local PEOPLE = [[
people:
  - id: p-old-ceo
    name: Åse Berg
    department: Management
    joined: 2015-01-05
    left: 2026-06-30
  - id: p-new-ceo
    name: Nils Dahl
    department: Management
    joined: 2026-06-01
  - id: p-cfo
    name: Ruth Eng
    department: Management
    joined: 2017-02-01
  - id: p-coo
    name: Ola Fjell
    department: Management
    joined: 2016-03-01
    left: 2026-01-31
  - id: p-isms
    name: Kari Holm
    department: Security
    site: Bergen
    joined: 2019-05-01
    competences:
      - ISO/IEC 27001:2022 Lead Implementer (PECB), 2023
  - id: p-ops1
    name: Jon Lie
    department: Operations
    site: Bergen
    joined: 2020-01-01
  - id: p-ops2
    name: Mia Lund
    department: Operations
    site: Bergen
    joined: 2021-01-01
  - id: p-ops3
    name: Per Moe
    department: Operations
    site: Tromsø
    joined: 2022-01-01
  - id: p-sales
    name: Eva Nes
    department: Sales
    site: Stockholm
    joined: 2023-01-01
]]

local ROLES = [[
roles:
  - id: ceo
    title: Chief Executive Officer
    holder: p-new-ceo
    assigned_on: 2026-07-01
    isms_role: top-management
    responsibilities: [Chairs the management review]
    history:
      - holder: p-old-ceo
        from: 2015-01-05
        to: 2026-06-30
  - id: isms-manager
    title: ISMS manager
    holder: p-isms
    reports_to: ceo
    isms_role: isms-manager
    responsibilities: [Runs the ISMS]
]]

local POLICY = [[
---
id: information-security-policy
title: Information security policy
kind: policy
owner: p-isms
approved_by: p-old-ceo
approved_on: 2026-03-02
review_months: 12
version: "2.0"
status: approved
---
# Information security policy
]]

local PROCEDURE = [[
---
id: supplier-procedure
title: Supplier procedure
kind: procedure
owner: p-isms
approved_by: p-coo
approved_on: 2026-01-20
version: "1.1"
status: approved
---
# Supplier procedure
]]

local function files(extra)
  local f = {
    ["isms.yaml"] = ISMS,
    ["people/personnel.yaml"] = PEOPLE,
    ["org/roles.yaml"] = ROLES,
    ["policies/information-security-policy.md"] = POLICY,
    ["procedures/supplier-procedure.md"] = PROCEDURE,
  }
  for k, v in pairs(extra or {}) do f[k] = v end
  return f
end

-- 1. People judged at the time they acted -----------------------------------

spec {
  name = "a policy approved by the CEO of the day stays valid after she left",
  now = NOW, files = files(),
  expect = { ["5.2-policy-approved"] = { status = "pass", count = 0 } },
}

spec {
  name = "a policy approved after the approver left fails at approved_by",
  now = NOW, files = files(),
  edit = { ["policies/information-security-policy.md"] = { { "approved_on: 2026-03-02", "approved_on: 2026-07-15" } } },
  expect = { ["5.2-policy-approved"] = { status = "fail", count = 1, findings = { {
    file = "policies/information-security-policy.md", line = 6,
    message = "the approval on 2026-07-15 is not valid: Åse Berg (p-old-ceo) had left on 2026-06-30" } } } },
}

spec {
  name = "a policy approved by the new CEO before she took up the role fails",
  now = NOW, files = files(),
  edit = { ["policies/information-security-policy.md"] = { { "approved_by: p-old-ceo", "approved_by: p-new-ceo" },
    { "approved_on: 2026-03-02", "approved_on: 2026-06-15" } } },
  expect = { ["5.2-policy-approved"] = { status = "fail", count = 1, findings = { {
    message = "Nils Dahl (p-new-ceo) was not top management yet on 2026-06-15 (role ceo from 2026-07-01)" } } } },
}

spec {
  name = "without the role's history, a former CEO's approval cannot be shown",
  now = NOW, files = files(),
  edit = { ["org/roles.yaml"] = { { "    history:\n      - holder: p-old-ceo\n        from: 2015-01-05\n        to: 2026-06-30\n", "" } } },
  expect = { ["5.2-policy-approved"] = { status = "fail", findings = { {
    message = "Åse Berg (p-old-ceo) was not top management on 2026-03-02" } } } },
}

spec {
  name = "isms.yaml top_management_history serves as well as a role's history",
  now = NOW, files = files(),
  edit = { ["org/roles.yaml"] = { { "    history:\n      - holder: p-old-ceo\n        from: 2015-01-05\n        to: 2026-06-30\n", "" } },
    ["isms.yaml"] = { { "certificate:", "top_management_history:\n  - person: p-old-ceo\n    from: 2015-01-05\n    to: 2026-06-30\ncertificate:" } } },
  expect = { ["5.2-policy-approved"] = "pass" },
}

spec {
  name = "a procedure approved after its approver left fails 7.5.2 at approved_by",
  now = NOW, files = files(),
  edit = { ["procedures/supplier-procedure.md"] = { { "approved_on: 2026-01-20", "approved_on: 2026-02-16" } } },
  expect = { ["7.5.2-documents-approved"] = { status = "fail", count = 1, findings = { {
    file = "procedures/supplier-procedure.md", line = 6,
    message = "document supplier-procedure: the approval of version 1.1 on 2026-02-16 is not valid: Ola Fjell (p-coo) had left on 2026-01-31" } } } },
}

spec {
  name = "a procedure approved before its approver left passes 7.5.2",
  now = NOW, files = files(),
  expect = { ["7.5.2-documents-approved"] = "pass" },
}

-- 2b. A version cannot be approved before it was written ----------------------

local REVISED = [[
---
id: supplier-procedure
title: Supplier procedure
kind: procedure
owner: p-isms
approved_by: p-coo
approved_on: 2026-01-20
version: "1.1"
status: approved
revisions:
  - version: "1.0"
    date: 2025-06-02
    by: p-isms
    summary: First issue
  - version: "1.1"
    date: 2026-01-12
    by: p-isms
    summary: Onboarding checks for cloud providers
---
# Supplier procedure
]]

spec {
  name = "a version written before its approval passes 7.5.2",
  now = NOW, files = files({ ["procedures/supplier-procedure.md"] = REVISED }),
  expect = { ["7.5.2-documents-approved"] = "pass" },
}

spec {
  name = "a version approved before it was written fails 7.5.2 at the revision's date",
  now = NOW, files = files({ ["procedures/supplier-procedure.md"] = REVISED }),
  edit = { ["procedures/supplier-procedure.md"] = { { "date: 2026-01-12", "date: 2026-01-27" } } },
  expect = { ["7.5.2-documents-approved"] = { status = "fail", count = 1, findings = { {
    file = "procedures/supplier-procedure.md", line = 16,
    message = "document supplier-procedure: version 1.1 was written on 2026-01-27, after its approval on 2026-01-20" } } } },
}

spec {
  name = "an older version written after the current approval is not this text's concern",
  now = NOW, files = files({ ["procedures/supplier-procedure.md"] = REVISED }),
  edit = { ["procedures/supplier-procedure.md"] = { { "date: 2025-06-02", "date: 2026-03-01" } } },
  expect = { ["7.5.2-documents-approved"] = "pass" },
}

local RISKS = [[
risks:
  - id: R-1
    title: Ransomware on the analysis cluster
    owner: p-cfo
    likelihood: 4
    impact: 4
    assessed_on: 2026-02-01
    treatment: mitigate
    controls: ["8.7"]
    residual_likelihood: 3
    residual_impact: 3
    residual_accepted_by: p-old-ceo
    residual_accepted_on: 2026-02-10
]]
local METHOD = [[
owner: p-isms
approved_by: p-cfo
approved_on: 2026-01-10
likelihood: [{value: 1}, {value: 2}, {value: 3}, {value: 4}]
impact: [{value: 1}, {value: 2}, {value: 3}, {value: 4}]
acceptance_threshold: 6
]]

spec {
  name = "a residual risk above the threshold accepted by the CEO of the day passes after she left",
  now = NOW, files = files({ ["risk/register.yaml"] = RISKS, ["risk/method.yaml"] = METHOD }),
  expect = { ["6.1.3-residual-risk-accepted"] = "pass" },
}

spec {
  name = "one accepted after the acceptor had left fails at residual_accepted_by",
  now = NOW, files = files({ ["risk/register.yaml"] = RISKS, ["risk/method.yaml"] = METHOD }),
  edit = { ["risk/register.yaml"] = { { "residual_accepted_on: 2026-02-10", "residual_accepted_on: 2026-08-10" } } },
  expect = { ["6.1.3-residual-risk-accepted"] = { status = "fail", count = 1, findings = { {
    file = "risk/register.yaml", line = 12, message = "its acceptance on 2026-08-10 is not valid: Åse Berg (p-old-ceo) had left on 2026-06-30" } } } },
}

-- 4. Every management review of the certification cycle ----------------------

local function review(id, held, chair, attendees, decisions)
  return string.format([[
---
id: %s
held_on: %s
chaired_by: %s
attendees: [%s]
inputs:
  previous_actions: done
  context_changes: none
  interested_parties: none
  nonconformities: none
  monitoring: on target
  audit_results: one minor
  objectives: on track
  feedback: none
  risk_assessment: current
  improvement: none
%s---
# Minutes
]], id, held, chair, attendees, decisions or "")
end

local DECIDED = "decisions:\n  - Keep the ISMS as it is\nactions:\n  - id: A1\n    action: Renew the backup contract\n    owner: p-isms\n    due: 2026-12-01\n"

spec {
  name = "every review of the cycle with decisions and actions passes, the older chaired by the CEO of its day",
  now = NOW, files = files({
    ["reviews/MR-2025-10.md"] = review("MR-2025-10", "2025-10-07", "p-old-ceo", "p-old-ceo, p-isms", DECIDED),
    ["reviews/MR-2026-09.md"] = review("MR-2026-09", "2026-09-08", "p-new-ceo", "p-new-ceo, p-cfo, p-isms", DECIDED) }),
  expect = { ["9.3-review-outputs"] = "pass", ["9.3-review-held"] = "pass", ["9.3-review-inputs"] = "pass" },
}

spec {
  name = "an older review of the cycle without outputs fails, though the newest is complete",
  now = NOW, files = files({
    ["reviews/MR-2025-10.md"] = review("MR-2025-10", "2025-10-07", "p-old-ceo", "p-old-ceo, p-isms", nil),
    ["reviews/MR-2026-09.md"] = review("MR-2026-09", "2026-09-08", "p-new-ceo", "p-new-ceo, p-cfo, p-isms", DECIDED) }),
  expect = { ["9.3-review-outputs"] = { status = "fail", count = 1, findings = { {
    file = "reviews/MR-2025-10.md", line = 2, message = "management review MR-2025-10 of 2025-10-07 records no decisions (9.3.3) and no actions" } } } },
}

spec {
  name = "a review held before the certificate was issued is outside the cycle",
  now = NOW, files = files({
    ["reviews/MR-2025-01.md"] = review("MR-2025-01", "2025-01-20", "p-old-ceo", "p-old-ceo", nil),
    ["reviews/MR-2026-09.md"] = review("MR-2026-09", "2026-09-08", "p-new-ceo", "p-new-ceo, p-isms", DECIDED) }),
  expect = { ["9.3-review-outputs"] = "pass" },
}

spec {
  name = "a review chaired by someone who had already left, with no top management present, fails",
  now = NOW, files = files({
    ["reviews/MR-2026-09.md"] = review("MR-2026-09", "2026-09-08", "p-old-ceo", "p-isms", DECIDED) }),
  expect = { ["9.3-review-held"] = { status = "fail", count = 1, findings = { {
    file = "reviews/MR-2026-09.md", line = 4, message = "chair: Åse Berg (p-old-ceo), who had left on 2026-06-30" } } } },
}

spec {
  name = "outputs missing from every review of the cycle are systemic: major",
  now = NOW, files = files({
    ["reviews/MR-2025-10.md"] = review("MR-2025-10", "2025-10-07", "p-old-ceo", "p-old-ceo", nil),
    ["reviews/MR-2026-09.md"] = review("MR-2026-09", "2026-09-08", "p-new-ceo", "p-new-ceo", nil) }),
  expect = { ["9.3-review-outputs"] = { status = "fail", count = 2 } },
}

-- 5. Dates in order ---------------------------------------------------------------

local NC = [[
nonconformities:
  - id: NC-1
    raised_on: 2026-03-04
    description: Leavers kept a SaaS seat.
    correction: Seats removed.
    root_cause: The SaaS is outside single sign-on.
    corrective_action:
      action: Connect it to single sign-on.
      owner: p-isms
      due: 2026-06-30
      completed_on: 2026-05-29
    effectiveness:
      reviewed_on: 2026-07-01
      reviewed_by: p-isms
      effective: true
    status: closed
    closed_on: 2026-07-01
]]

spec {
  name = "raised, completed, reviewed and closed in order pass",
  now = NOW, files = files({ ["nonconformities.yaml"] = NC }),
  expect = { ["10.2-effectiveness-reviewed"] = "pass", ["10.2-corrective-action"] = "pass" },
}

spec {
  name = "an effectiveness review and a closure before the action was completed fail at the later date's line",
  now = NOW, files = files({ ["nonconformities.yaml"] = NC }),
  edit = { ["nonconformities.yaml"] = { { "reviewed_on: 2026-07-01", "reviewed_on: 2026-05-12" },
    { "closed_on: 2026-07-01", "closed_on: 2026-05-12" } } },
  expect = { ["10.2-effectiveness-reviewed"] = { status = "fail", count = 2, findings = {
    { file = "nonconformities.yaml", line = 13, message = "reviewed on 2026-05-12, before the action was completed on 2026-05-29" },
    { file = "nonconformities.yaml", line = 17, message = "NC-1 was closed on 2026-05-12, before its corrective action was completed on 2026-05-29" } } } },
}

spec {
  name = "a corrective action completed before the nonconformity was raised fails",
  now = NOW, files = files({ ["nonconformities.yaml"] = NC }),
  edit = { ["nonconformities.yaml"] = { { "completed_on: 2026-05-29", "completed_on: 2026-02-27" } } },
  expect = { ["10.2-effectiveness-reviewed"] = { status = "fail", count = 1, findings = {
    { file = "nonconformities.yaml", line = 11, message = "completed on 2026-02-27, before the nonconformity was raised on 2026-03-04" } } } },
}

-- 2. Auditor independence ---------------------------------------------------

local SOA_OWNED = [[
controls:
  - control: "8.15"
    applicable: true
    justification: R-1
    owner: p-ops1
    status: implemented
]]

local function programme(auditor, areas)
  return string.format([[
owner: p-isms
approved_by: p-cfo
approved_on: 2025-01-10
cycle_start: 2025-01-01
cycle_months: 36
auditors:
  - person: p-isms
    owns: ["4", "5", "6"]
  - person: p-ops1
    owns: []
  - person: p-sales
    owns: []
audits:
  - id: IA-1
    areas: [%s]
    planned_on: 2026-05-19
    auditor: %s
    status: done
]], areas, auditor)
end

local function report(auditor, auditees)
  return string.format([[
---
id: IA-1
audit: IA-1
held_on: 2026-05-19
auditor: %s
auditees: [%s]
areas: [A.8.15, A.8.16]
criteria: Logging standard
conclusion: No nonconformities
status: final
---
# Report
]], auditor, auditees)
end

spec {
  name = "an auditor from another department who owns none of the audited controls passes",
  now = NOW, files = files({ ["soa.yaml"] = SOA_OWNED,
    ["audits/programme.yaml"] = programme("p-sales", "A.8.15, A.8.16"),
    ["audits/reports/IA-1.md"] = report("p-sales", "p-ops1, p-ops2, p-ops3") }),
  expect = { ["9.2.2-auditor-independence"] = "pass" },
}

spec {
  name = "an auditor who owns an audited control in the SoA and audits their own department fails, at the report",
  now = NOW, files = files({ ["soa.yaml"] = SOA_OWNED,
    ["audits/programme.yaml"] = programme("p-ops1", "A.8.15, A.8.16"),
    ["audits/reports/IA-1.md"] = report("p-ops1", "p-ops2, p-ops3") }),
  expect = { ["9.2.2-auditor-independence"] = { status = "fail", count = 1, findings = { {
    file = "audits/reports/IA-1.md", line = 5,
    message = "audit report IA-1: Jon Lie (p-ops1) is not independent of what they audit: they own A.8.15 in the SoA; the auditees Mia Lund (p-ops2), Per Moe (p-ops3) are in their own department (Operations)" } } } },
}

spec {
  name = "an auditor among the auditees fails; one colleague among other auditees does not",
  now = NOW, files = files({ ["soa.yaml"] = SOA_OWNED,
    ["audits/programme.yaml"] = programme("p-isms", "A.8.16"),
    ["audits/reports/IA-1.md"] = report("p-isms", "p-isms, p-ops1, p-ops2"):gsub("A.8.15, A.8.16", "A.8.16") }),
  expect = { ["9.2.2-auditor-independence"] = { status = "fail", count = 1, findings = { {
    message = "Kari Holm (p-isms) is not independent of what they audit: they are one of its auditees" } } } },
}

spec {
  name = "a planned audit of the auditor's own department (departments:) fails at the programme",
  now = NOW, files = files({ ["soa.yaml"] = SOA_OWNED,
    ["audits/programme.yaml"] = programme("p-ops1", "A.8.16"):gsub("    status: done\n", "    status: planned\n    departments: [Operations]\n") }),
  expect = { ["9.2.2-auditor-independence"] = { status = "fail", count = 1, findings = { {
    file = "audits/programme.yaml", message = "it audits their own department (Operations)" } } } },
}

-- 3. Exclusion justifications ----------------------------------------------------

local function soa_excluding(j1, j2)
  return string.format([[
version: "3"
controls:
  - control: "7.12"
    applicable: false
    justification: %s
  - control: "8.30"
    applicable: false
    justification: %s
]], j1, j2)
end

spec {
  name = "exclusions with real reasons, in the author's words, pass",
  now = NOW, files = files({ ["soa.yaml"] = soa_excluding(
    "\"Cabling: none of our own; the offices are rented and production runs at the cloud provider.\"",
    "\"No development is outsourced (risk assessment 2026: no such activity).\"") }),
  expect = { ["6.1.3-soa-exclusions-justified"] = "pass",
    ["A.7.12-soa"] = { status = "not_applicable", note = "excluded in the SoA: Cabling: none of our own" } },
}

spec {
  name = "'N/A' and the control's title are not reasons: one finding each, and the SoA rules link to it",
  now = NOW, files = files({ ["soa.yaml"] = soa_excluding("N/A", "\"Outsourced development.\"") }),
  expect = {
    ["6.1.3-soa-exclusions-justified"] = { status = "fail", count = 2, findings = {
      { file = "soa.yaml", line = 5, message = "control 7.12 is excluded and is justified only by 'N/A'" },
      { file = "soa.yaml", line = 8, message = "control 8.30 is excluded and is justified only by 'Outsourced development.', the control's title" } } },
    ["A.7.12-soa"] = { status = "not_applicable", count = 0, note = "reported under 6.1.3-soa-exclusions-justified" },
    ["A.8.30-soa"] = { status = "not_applicable", count = 0, note = "reported under 6.1.3-soa-exclusions-justified" },
  },
}

spec {
  name = "'-', 'not applicable' and 'none' are placeholders too",
  now = NOW, files = files({ ["soa.yaml"] = soa_excluding("\"-\"", "Not applicable.") }),
  expect = { ["6.1.3-soa-exclusions-justified"] = { status = "fail", count = 2 } },
}

spec {
  name = "most of three or more exclusions without a reason is systemic: major",
  now = NOW, files = files({ ["soa.yaml"] = soa_excluding("N/A", "N/A") .. [[
  - control: "7.4"
    applicable: false
    justification: not relevant
]] }),
  expect = { ["6.1.3-soa-exclusions-justified"] = { status = "fail", count = 3, findings = {
    { message = "(systemic: 3 of 3 exclusions give no reason)" } } } },
}

spec {
  name = "a missing control is reported at controls:, not at version",
  now = NOW, files = files({ ["soa.yaml"] = soa_excluding("N/A", "N/A") }),
  expect = { ["6.1.3-soa-complete"] = { status = "fail", count = 1, findings = {
    { file = "soa.yaml", line = 2, message = "91 of 93 Annex A controls are not decided" } } } },
}

-- 6. Identity across files ----------------------------------------------------------

spec {
  name = "the same risk id in two register files is a problem naming both places",
  now = NOW, files = files({
    ["risk/register/ops.yaml"] = "risks:\n  - id: R-7\n    title: Disk failure\n",
    ["risk/register/sales.yaml"] = "risks:\n  - id: R-8\n    title: Lost laptop\n  - id: R-7\n    title: CRM export\n" }),
  expect = { ["7.5-records-valid"] = { status = "fail", count = 1, findings = { {
    file = "risk/register/sales.yaml", line = 4,
    message = "risk 'R-7': id 'R-7' is also used at risk/register/ops.yaml:2" } } } },
}

spec {
  name = "different ids across register files pass",
  now = NOW, files = files({
    ["risk/register/ops.yaml"] = "risks:\n  - id: R-7\n    title: Disk failure\n",
    ["risk/register/sales.yaml"] = "risks:\n  - id: R-8\n    title: Lost laptop\n" }),
  expect = { ["7.5-records-valid"] = "pass" },
}

-- 7. Scope against reality -------------------------------------------------------------

local SCOPE = [[
---
owner: p-isms
approved_by: p-cfo
approved_on: 2026-02-01
boundaries: [Bergen and Tromsø offices, the analysis platform]
interfaces: [The cloud provider]
excluded_sites: [Stockholm]
excluded_departments: [Sales]
---
The ISMS of Nordlys Analyse AS.
]]

local ASSETS = [[
assets:
  - id: AS-1
    name: Analysis cluster
    owner: p-ops1
    production: true
    classification: confidential
    location: Bergen data room
  - id: AS-2
    name: Sales brochures
    owner: p-sales
    classification: public
    location: Stockholm office
]]

spec {
  name = "people and assets in scope located inside the scope pass",
  now = NOW, files = files({ ["isms/scope.md"] = SCOPE, ["assets/inventory.yaml"] = ASSETS }),
  expect = { ["4.3-scope-reality"] = "pass" },
}

spec {
  name = "a production asset at an excluded site and its owner in an excluded department fail",
  now = NOW, files = files({ ["isms/scope.md"] = SCOPE, ["assets/inventory.yaml"] = ASSETS }),
  edit = { ["assets/inventory.yaml"] = { { "    classification: public\n    location: Stockholm office", "    classification: confidential\n    location: Stockholm office" } } },
  expect = { ["4.3-scope-reality"] = { status = "fail", count = 2, findings = {
    { file = "people/personnel.yaml", message = "Eva Nes (p-sales) owns asset AS-2 but works at the site Stockholm, which the scope excludes" },
    { file = "assets/inventory.yaml", line = 12, message = "asset AS-2 (Sales brochures) is classified confidential but located at Stockholm, which the scope excludes" } } } },
}

spec {
  name = "a scope that excludes no site or department is not judged",
  now = NOW, files = files({ ["isms/scope.md"] = SCOPE:gsub("excluded_sites: %[Stockholm%]\nexcluded_departments: %[Sales%]\n", "") }),
  expect = { ["4.3-scope-reality"] = "not_applicable" },
}

-- 9. Required competences of a role ------------------------------------------------------

spec {
  name = "a holder whose competences show what the role requires passes",
  now = NOW, files = files(),
  edit = { ["org/roles.yaml"] = { { "    responsibilities: [Runs the ISMS]\n",
    "    responsibilities: [Runs the ISMS]\n    competences_required: [ISO/IEC 27001 lead implementer]\n" } } },
  expect = { ["7.2-role-competences"] = "pass" },
}

spec {
  name = "a required competence without evidence fails, naming the holder",
  now = NOW, files = files(),
  edit = { ["org/roles.yaml"] = { { "    responsibilities: [Runs the ISMS]\n",
    "    responsibilities: [Runs the ISMS]\n    competences_required: [ISO/IEC 27001 lead implementer, Risk assessment ISO/IEC 27005]\n" } } },
  expect = { ["7.2-role-competences"] = { status = "fail", count = 1, findings = {
    { file = "org/roles.yaml", message = "role isms-manager requires 'Risk assessment ISO/IEC 27005'; Kari Holm (p-isms), its holder, has no competence or current role training that shows it" } } } },
}

spec {
  name = "current role training counts as evidence",
  now = NOW, files = files({ ["people/training/2026.yaml"] = [[
training:
  - person: p-isms
    course: Risk assessment with ISO/IEC 27005
    kind: role
    completed_on: 2026-04-10
]] }),
  edit = { ["org/roles.yaml"] = { { "    responsibilities: [Runs the ISMS]\n",
    "    responsibilities: [Runs the ISMS]\n    competences_required: [Risk assessment ISO/IEC 27005]\n" } } },
  expect = { ["7.2-role-competences"] = "pass" },
}
