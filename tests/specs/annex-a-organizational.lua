-- Specs of rules/annex-a/organizational.lua, on the example ISMS.
local EXAMPLE = "../../contrib/example-isms/records"
local NOW = "2026-11-22"

-- An edit of soa.yaml that excludes a control, with a justification.
local function exclude(id, title)
  local from = 'control: "' .. id .. '"\n    # ' .. title .. "\n    applicable: true"
  return { ["soa.yaml"] = { { from, (from:gsub("true$", "false")) } } }
end

spec {
  name = "the example's organizational controls operate, but for its deliberate findings",
  now = NOW, fixture = EXAMPLE,
  expect = {
    ["A.5.1-policies-acknowledged"] = "pass",
    ["A.5.9-asset-inventory"] = "pass",
    ["A.5.11-assets-returned"] = "pass",
    ["A.5.12-classification-scheme"] = "pass",
    ["A.5.15-access-review"] = "pass",
    ["A.5.18-access-rights-reviewed"] = "pass",
    ["A.5.19-supplier-register"] = "pass",
    ["A.5.20-supplier-agreements"] = "pass",
    ["A.5.21-ict-supplier-assurance"] = "pass",
    ["A.5.24-incident-procedure"] = "pass",
    ["A.5.25-incident-triage"] = "pass",
    ["A.5.26-incident-response"] = "pass",
    ["A.5.27-lessons-learned"] = "pass",
    ["A.5.29-continuity-plan-tested"] = "pass",
    ["A.5.30-ict-readiness-tested"] = "pass",
    ["A.5.31-legal-register"] = "pass",
    ["A.5.34-breach-notification"] = "pass",
    ["A.5.35-independent-review"] = "pass",
  },
}

-- A.5.1 ---------------------------------------------------------------------

spec {
  name = "the example's cryptography policy is overdue for review",
  now = NOW, fixture = EXAMPLE,
  expect = { ["A.5.1-topic-policies-reviewed"] = { status = "fail", count = 1,
    findings = { { file = "policies/cryptography-policy.md", line = 7,
      message = "'cryptography-policy': last approved or reviewed on 2025-10-20; the 12-month review was due on 2026-10-20 (33 days overdue)" } } } },
}

spec {
  name = "topic-specific policies reviewed within their interval pass",
  now = NOW, fixture = EXAMPLE,
  edit = { ["policies/cryptography-policy.md"] = { { "approved_on: 2025-10-20", "approved_on: 2026-10-20" } } },
  expect = { ["A.5.1-topic-policies-reviewed"] = "pass" },
}

spec {
  name = "a reviewed_on later than the approval counts as the review",
  now = NOW, fixture = EXAMPLE,
  edit = { ["policies/cryptography-policy.md"] = { { "approved_on: 2025-10-20", "approved_on: 2025-10-20\nreviewed_on: 2026-10-19" } } },
  expect = { ["A.5.1-topic-policies-reviewed"] = "pass" },
}

spec {
  name = "a topic-specific policy without management approval fails",
  now = NOW, fixture = EXAMPLE,
  edit = { ["policies/remote-working-policy.md"] = { { "approved_by: p-miriam-hoffmann\n", "" } } },
  expect = { ["A.5.1-topic-policies-reviewed"] = { status = "fail",
    findings = { { file = "policies/remote-working-policy.md", message = "'remote-working-policy' records no approval by management" } } } },
}

spec {
  name = "rules of a control the SoA excludes are not applicable",
  now = NOW, fixture = EXAMPLE,
  edit = exclude("5.1", "Policies for information security"),
  expect = { ["A.5.1-topic-policies-reviewed"] = "not_applicable",
    ["A.5.1-policies-acknowledged"] = "not_applicable" },
}

spec {
  name = "a policy that many have not acknowledged fails once, with the count",
  now = NOW, fixture = EXAMPLE,
  edit = { ["policies/remote-working-policy.md"] = { { "acknowledgement_required: false", "acknowledgement_required: true" } } },
  expect = { ["A.5.1-policies-acknowledged"] = { status = "fail", count = 1,
    findings = { { file = "policies/remote-working-policy.md", line = 2,
      message = "82 of the 82 people of its audience (all staff) have not acknowledged the policy 'remote-working-policy': Daniel Okafor (p-daniel-okafor), " } } } },
}

local NO_ACK_OLE = { ["people/training/onboarding.yaml"] = { { [[
  - person: p-ole-thomsen
    course: Acceptable use policy acknowledgement]], [[
  - person: p-ole-thomsen-elsewhere
    course: Acceptable use policy acknowledgement]] } } }

spec {
  name = "someone settled in who never acknowledged the acceptable use policy fails",
  now = NOW, fixture = EXAMPLE, edit = NO_ACK_OLE,
  expect = { ["A.5.1-policies-acknowledged"] = { status = "fail", count = 1,
    findings = { { file = "people/personnel.yaml", line = 1158,
      message = "(p-ole-thomsen) has not acknowledged the policy 'acceptable-use-policy' (due by 2026-10-01, 30 days after joining)" } } } },
}

spec {
  name = "a new joiner has time to acknowledge the policies",
  now = "2026-09-20", fixture = EXAMPLE, edit = NO_ACK_OLE,
  expect = { ["A.5.1-policies-acknowledged"] = "pass" },
}

-- A.5.9, A.5.11, A.5.12 ------------------------------------------------------

spec {
  name = "an asset without owner or classification fails",
  now = NOW, fixture = EXAMPLE,
  edit = { ["assets/applications.yaml"] = { { "    owner: p-julia-richter\n    classification: confidential\n", "" } } },
  expect = { ["A.5.9-asset-inventory"] = { status = "fail", count = 2, findings = {
    { file = "assets/applications.yaml", line = 3, message = "no asset AS-APP-01 owner is named" },
    { file = "assets/applications.yaml", line = 3, message = "AS-APP-01 (Fernwerk Rota web application) has no classification" } } } },
}

spec {
  name = "a register larger than the rule judges is reported, not judged",
  now = NOW, fixture = EXAMPLE,
  edit = { ["isms.yaml"] = { { "parameters:\n", "parameters:\n  A.5.9-asset-inventory:\n    max_assets: 3\n" } },
           ["assets/applications.yaml"] = { { "    owner: p-julia-richter\n", "" } } },
  expect = { ["A.5.9-asset-inventory"] = { status = "warn", count = 1,
    findings = { { message = "more than this rule can judge (3, parameter max_assets)" } } } },
}

spec {
  name = "an asset owned by a leaver fails",
  now = NOW, fixture = EXAMPLE,
  edit = { ["assets/applications.yaml"] = { { "owner: p-julia-richter", "owner: p-carsten-reuter" } } },
  expect = { ["A.5.9-asset-inventory"] = { status = "fail", count = 1,
    findings = { { file = "assets/applications.yaml", line = 6, message = "left the organisation on 2026-10-30" } } } },
}

spec {
  name = "a retired asset needs no owner",
  now = NOW, fixture = EXAMPLE,
  edit = { ["assets/applications.yaml"] = { { "    owner: p-julia-richter\n", "    retired_on: 2026-01-01\n" } } },
  expect = { ["A.5.9-asset-inventory"] = "pass" },
}

spec {
  name = "assets returned late by a leaver fail",
  now = NOW, fixture = EXAMPLE,
  edit = { ["people/personnel.yaml"] = { { "assets_returned_on: 2026-11-04", "assets_returned_on: 2026-11-20" } } },
  expect = { ["A.5.11-assets-returned"] = { status = "fail", count = 1,
    findings = { { file = "people/personnel.yaml", line = 710, message = "returned the assets on 2026-11-20, 21 days later (allowed: 7)" } } } },
}

spec {
  name = "a leaver with no return recorded fails once the return is due",
  now = NOW, fixture = EXAMPLE,
  edit = { ["people/personnel.yaml"] = { { "    assets_returned_on: 2026-11-04\n", "" } } },
  expect = { ["A.5.11-assets-returned"] = { status = "fail",
    findings = { { line = 704, message = "p-carsten-reuter left on 2026-10-30 and has no assets_returned_on" } } } },
}

spec {
  name = "a recent leaver still has time to return the assets",
  now = "2026-11-02", fixture = EXAMPLE,
  edit = { ["people/personnel.yaml"] = { { "    assets_returned_on: 2026-11-04\n", "" } } },
  expect = { ["A.5.11-assets-returned"] = "pass" },
}

spec {
  name = "a classification outside the scheme fails",
  now = NOW, fixture = EXAMPLE,
  edit = { ["assets/applications.yaml"] = { { "classification: confidential", "classification: secret" } },
    ["suppliers.yaml"] = { { "data_access: restricted", "data_access: top-secret" } } },
  expect = { ["A.5.12-classification-scheme"] = { status = "fail", count = 2, findings = {
    { file = "assets/applications.yaml", line = 7, message = "asset AS-APP-01: classification 'secret' is not a label of the scheme" },
    { file = "suppliers.yaml", line = 13, message = "supplier SUP-01: data_access 'top-secret'" } } } },
}

spec {
  name = "the classification scheme is a parameter",
  now = NOW, fixture = EXAMPLE,
  edit = { ["assets/applications.yaml"] = { { "classification: confidential", "classification: secret" } },
    ["isms.yaml"] = { { "parameters:\n", "parameters:\n  classification_levels: [public, internal, confidential, restricted, secret]\n" } } },
  expect = { ["A.5.12-classification-scheme"] = "pass" },
}

-- A.5.15, A.5.18 -------------------------------------------------------------

spec {
  name = "access reviews that stopped fail",
  now = "2027-03-01", fixture = EXAMPLE,
  expect = {
    ["A.5.15-access-review"] = { status = "fail", findings = { { file = "evidence/access-reviews.yaml", message = "the last access review (EV-AR-2026-Q4-DB) was on 2026-10-23" } } },
    ["A.5.18-access-rights-reviewed"] = { status = "fail", findings = { { message = "the last access review (EV-AR-2026-Q4-DB) was on 2026-10-23" } } },
  },
}

spec {
  name = "a system left out of the access reviews fails",
  now = NOW, fixture = EXAMPLE,
  edit = { ["evidence/access-reviews.yaml"] = { { "no change needed.\"\n    asset: AS-SAAS-01\n\n  - id: EV-AR-2026-Q4-DB",
    "no change needed.\"\n    asset: AS-INFRA-02\n\n  - id: EV-AR-2026-Q4-DB" } } },
  expect = {
    ["A.5.15-access-review"] = "pass",
    ["A.5.18-access-rights-reviewed"] = { status = "fail", count = 1,
      findings = { { message = "access review of AS-SAAS-01 (EV-AR-2026-Q3-GWS) was on 2026-07-22" } } },
  },
}

spec {
  name = "no access reviews at all fail",
  now = NOW, fixture = EXAMPLE,
  remove = { "evidence/access-reviews.yaml" },
  expect = {
    ["A.5.15-access-review"] = { status = "fail", findings = { { message = "no access review is recorded" } } },
    ["A.5.18-access-rights-reviewed"] = { status = "fail", findings = { { message = "no access review is recorded" } } },
  },
}

-- A.5.19 to A.5.22 -----------------------------------------------------------

spec {
  name = "a supplier without owner, criticality or data access fails",
  now = NOW, fixture = EXAMPLE,
  edit = { ["suppliers.yaml"] = { { "    criticality: critical\n    owner: p-tomasz-nowak\n", "" },
    { "    data_access: restricted\n    last_review_on: 2026-05-18\n", "    last_review_on: 2026-05-18\n" } } },
  expect = { ["A.5.19-supplier-register"] = { status = "fail", count = 3, findings = {
    { file = "suppliers.yaml", line = 4, message = "no supplier SUP-01 (Amazon Web Services EMEA SARL) owner is named" },
    { message = "SUP-01 (Amazon Web Services EMEA SARL) has no criticality" },
    { message = "the information it can access is not recorded" } } } },
}

spec {
  name = "a supplier agreement without security clauses fails",
  now = NOW, fixture = EXAMPLE,
  edit = { ["suppliers.yaml"] = { { "    agreement_signed_on: 2019-07-15\n    security_clauses: true",
    "    agreement_signed_on: 2019-07-15\n    security_clauses: false" } } },
  expect = { ["A.5.20-supplier-agreements"] = { status = "fail", count = 1,
    findings = { { file = "suppliers.yaml", line = 36, message = "SUP-03 (GitHub B.V.) can access confidential information but its agreement has no security clauses" } } } },
}

spec {
  name = "a supplier without a signed agreement fails, unless its relationship ended",
  now = NOW, fixture = EXAMPLE,
  edit = { ["suppliers.yaml"] = { { "    agreement_signed_on: 2019-07-15\n", "" } } },
  expect = { ["A.5.20-supplier-agreements"] = { status = "fail", count = 1,
    findings = { { line = 30, message = "SUP-03 (GitHub B.V.) has no signed agreement" } } } },
}

spec {
  name = "an ended supplier relationship is not checked",
  now = NOW, fixture = EXAMPLE,
  edit = { ["suppliers.yaml"] = { { "    agreement_signed_on: 2019-07-15\n", "    ended_on: 2026-01-31\n" } } },
  expect = { ["A.5.20-supplier-agreements"] = "pass" },
}

spec {
  name = "a critical cloud supplier without certification fails",
  now = NOW, fixture = EXAMPLE,
  edit = { ["suppliers.yaml"] = { { '    certifications: ["SOC 2 Type II"]\n', "" } } },
  expect = { ["A.5.21-ict-supplier-assurance"] = { status = "fail", count = 1,
    findings = { { line = 159, message = "SUP-13 (Kandji Inc.) is a high cloud service but records no certification" } } } },
}

spec {
  name = "the example's Zendesk review is overdue",
  now = NOW, fixture = EXAMPLE,
  expect = { ["A.5.22-supplier-review"] = { status = "fail", count = 1,
    findings = { { file = "suppliers.yaml", message = "SUP-09 (Zendesk Inc.): last reviewed on 2025-08-19; the 12-month review was due on 2026-08-19 (95 days overdue)" } } } },
}

spec {
  name = "suppliers reviewed within their interval pass",
  now = NOW, fixture = EXAMPLE,
  edit = { ["suppliers.yaml"] = { { "last_review_on: 2025-08-19", "last_review_on: 2026-08-19" } } },
  expect = { ["A.5.22-supplier-review"] = "pass" },
}

spec {
  name = "a supplier never reviewed is due one interval after its agreement",
  now = NOW, fixture = EXAMPLE,
  edit = { ["suppliers.yaml"] = { { "last_review_on: 2025-08-19", "ended_on: 2027-01-01" } } },
  expect = { ["A.5.22-supplier-review"] = { status = "fail",
    findings = { { message = "SUP-09 (Zendesk Inc.): never reviewed since the agreement on 2020-04-15" } } } },
}

spec {
  name = "an excluded supplier review control is not applicable",
  now = NOW, fixture = EXAMPLE,
  edit = exclude("5.22", "Monitoring, review and change management of supplier services"),
  expect = { ["A.5.22-supplier-review"] = "not_applicable" },
}

-- A.5.24 to A.5.27, A.5.34 ---------------------------------------------------

spec {
  name = "without an incident procedure incident management is not planned",
  now = NOW, fixture = EXAMPLE,
  remove = { "procedures/incident-management.md" },
  expect = { ["A.5.24-incident-procedure"] = { status = "fail", count = 1,
    findings = { { message = "no approved policy or procedure sets out the incident management process" } } } },
}

spec {
  name = "a draft incident procedure is not in force",
  now = NOW, fixture = EXAMPLE,
  edit = { ["procedures/incident-management.md"] = { { "status: approved", "status: draft" } } },
  expect = { ["A.5.24-incident-procedure"] = { status = "fail", findings = { { message = "but is draft, not in force" } } } },
}

spec {
  name = "an incident triaged late fails",
  now = NOW, fixture = EXAMPLE,
  edit = { ["incidents/2026.yaml"] = { { "triaged_on: 2026-10-28", "triaged_on: 2026-11-02" } } },
  expect = { ["A.5.25-incident-triage"] = { status = "fail", count = 1,
    findings = { { file = "incidents/2026.yaml", line = 53, message = "INC-2026-03 was reported on 2026-10-28 and triaged on 2026-11-02, 5 days later (allowed: 2)" } } } },
}

spec {
  name = "an incident not triaged in time fails",
  now = NOW, fixture = EXAMPLE,
  edit = { ["incidents/2026.yaml"] = { { "    triaged_on: 2026-11-18\n", "" } } },
  expect = { ["A.5.25-incident-triage"] = { status = "fail", count = 1,
    findings = { { line = 67, message = "INC-2026-04 was reported on 2026-11-18 and has not been triaged (due by 2026-11-20)" } } } },
}

spec {
  name = "a new incident still has time for triage",
  now = "2026-11-19", fixture = EXAMPLE,
  edit = { ["incidents/2026.yaml"] = { { "    triaged_on: 2026-11-18\n", "" } } },
  expect = { ["A.5.25-incident-triage"] = "pass" },
}

spec {
  name = "a closed incident without a closing date fails",
  now = NOW, fixture = EXAMPLE,
  edit = { ["incidents/2026.yaml"] = { { "    closed_on: 2026-11-12\n", "" } } },
  expect = { ["A.5.26-incident-response"] = { status = "fail", count = 1,
    findings = { { line = 54, message = "INC-2026-03 is closed but has no closed_on date" } } } },
}

spec {
  name = "an incident open too long fails",
  now = "2027-03-01", fixture = EXAMPLE,
  expect = { ["A.5.26-incident-response"] = { status = "fail", count = 1,
    findings = { { line = 67, message = "INC-2026-04 has been open since 2026-11-18, more than 90 days (status open)" } } } },
}

spec {
  name = "a closed incident without lessons learned fails",
  now = NOW, fixture = EXAMPLE,
  -- the text moves to the description, so the field is gone, not renamed
  edit = { ["incidents/2026.yaml"] = { { "    lessons_learned: >-", "    description: >-" } } },
  expect = { ["A.5.27-lessons-learned"] = { status = "fail",
    findings = { { file = "incidents/2026.yaml", message = "closed without lessons learned" } } } },
}

spec {
  name = "a closed incident without a root cause fails",
  now = NOW, fixture = EXAMPLE,
  edit = { ["incidents/2026.yaml"] = { { "    root_cause: >-", "    description: >-" } } },
  expect = { ["A.5.27-lessons-learned"] = { status = "fail",
    findings = { { message = "closed without a root cause" } } } },
}

spec {
  name = "a personal data breach notified late fails",
  now = NOW, fixture = EXAMPLE,
  edit = { ["incidents/2026.yaml"] = { { "authority_notified_on: 2026-10-29", "authority_notified_on: 2026-11-05" } } },
  expect = { ["A.5.34-breach-notification"] = { status = "fail", count = 1,
    findings = { { line = 52, message = "INC-2026-03 affected personal data; reported on 2026-10-28, notified on 2026-11-05, 8 days later (allowed: 3)" } } } },
}

spec {
  name = "a personal data breach without a recorded notification is an observation",
  now = NOW, fixture = EXAMPLE,
  edit = { ["incidents/2026.yaml"] = { { "    authority_notified_on: 2026-10-29\n", "" } } },
  expect = { ["A.5.34-breach-notification"] = { status = "warn",
    findings = { { line = 51, message = "INC-2026-03 affected personal data and records no notification" } } } },
}

-- A.5.29, A.5.30 -------------------------------------------------------------

spec {
  name = "continuity tests older than the interval fail",
  now = "2027-10-01", fixture = EXAMPLE,
  expect = {
    ["A.5.29-continuity-plan-tested"] = { status = "fail", count = 1,
      findings = { { file = "evidence/bcp-tests.yaml", message = "the last continuity test (EV-BCP-2026) was on 2026-09-24" } } },
    ["A.5.30-ict-readiness-tested"] = { status = "fail", count = 1,
      findings = { { message = "the last ICT continuity test (EV-BCP-2026) was on 2026-09-24" } } },
  },
}

spec {
  name = "a failed recovery test fails ICT readiness",
  now = NOW, fixture = EXAMPLE,
  edit = { ["evidence/bcp-tests.yaml"] = { { "    date: 2026-09-24\n    performed_by: p-henrik-lindqvist\n    result: pass",
    "    date: 2026-09-24\n    performed_by: p-henrik-lindqvist\n    result: fail" } } },
  expect = { ["A.5.30-ict-readiness-tested"] = { status = "fail",
    findings = { { message = "has result fail: record the corrective actions" } } } },
}

spec {
  name = "a continuity plan that is not in force fails",
  now = NOW, fixture = EXAMPLE,
  remove = { "procedures/business-continuity-plan.md", "policies/business-continuity-policy.md" },
  expect = { ["A.5.29-continuity-plan-tested"] = { status = "fail",
    findings = { { message = "no approved policy or procedure sets out how information security is maintained during disruption" } } } },
}

-- A.5.31 ---------------------------------------------------------------------

spec {
  name = "a legal requirement not reviewed within the interval fails",
  now = "2027-10-01", fixture = EXAMPLE,
  expect = { ["A.5.31-legal-register"] = { status = "fail", count = 12,
    findings = { { file = "legal/register.yaml", line = 11, message = "requirement LR-01: last reviewed on 2026-09-14" } } } },
}

spec {
  name = "a requirement that is not complied with fails; one not assessed is an observation",
  now = NOW, fixture = EXAMPLE,
  edit = { ["legal/register.yaml"] = { { "    compliance: compliant\n    reviewed_on: 2026-09-14\n",
    "    compliance: non-compliant\n    reviewed_on: 2026-09-14\n" },
    { "    compliance: compliant\n    reviewed_on: 2026-09-14\n", "    compliance: not-assessed\n    reviewed_on: 2026-09-14\n" } } },
  expect = { ["A.5.31-legal-register"] = { status = "fail", count = 2, findings = {
    { line = 10, message = "requirement LR-01 (EU GDPR Art. 28, 32, 33(2)) is not complied with" },
    { message = "LR-02: compliance has not been assessed" } } } },
}

spec {
  name = "an empty legal register fails",
  now = NOW, fixture = EXAMPLE,
  remove = { "legal/register.yaml" },
  expect = { ["A.5.31-legal-register"] = { status = "fail", findings = { { message = "no legal, regulatory or contractual requirements" } } } },
}

-- A.5.35 ---------------------------------------------------------------------

spec {
  name = "no independent review within the interval fails",
  now = "2027-11-01", fixture = EXAMPLE,
  expect = { ["A.5.35-independent-review"] = { status = "fail", count = 1,
    findings = { { file = "audits/reports/IA-2026-02.md", message = "the last independent review (IA-2026-02) was on 2026-10-12; the next was due by 2027-10-12" } } } },
}

spec {
  name = "an audit by someone who owns the audited area is not independent",
  now = "2027-06-01", fixture = EXAMPLE,
  edit = { ["audits/programme.yaml"] = { { "    owns: []\n    capacity_days: 24\n    external: true",
    "    owns: [\"9.2\"]\n    capacity_days: 24\n    external: false" } } },
  expect = { ["A.5.35-independent-review"] = { status = "fail",
    findings = { { message = "the last independent review (IA-2026-01) was on 2026-05-18" } } } },
}

spec {
  name = "an internal auditor among the auditees of the review is not independent (as 9.2.2 judges)",
  now = "2027-06-01", fixture = EXAMPLE,
  edit = {
    ["audits/programme.yaml"] = { { "    owns: []\n    capacity_days: 24\n    external: true",
      "    owns: []\n    capacity_days: 24\n    external: false" } },
    ["audits/reports/IA-2026-02.md"] = { { "auditees: [p-henrik-lindqvist,", "auditees: [p-ute-sommer, p-henrik-lindqvist," } },
  },
  expect = { ["A.5.35-independent-review"] = { status = "fail",
    findings = { { message = "the last independent review (IA-2026-01) was on 2026-05-18" } } } },
}

spec {
  name = "an internal auditor with no conflict in what she reviewed is independent",
  now = "2027-06-01", fixture = EXAMPLE,
  edit = { ["audits/programme.yaml"] = { { "    owns: []\n    capacity_days: 24\n    external: true",
    "    owns: []\n    capacity_days: 24\n    external: false" } } },
  expect = { ["A.5.35-independent-review"] = "pass" },
}

spec {
  name = "an external review recorded as evidence counts",
  now = "2027-11-01", fixture = EXAMPLE,
  files = { ["evidence/external-reviews.yaml"] = [[
evidence:
  - id: EV-SURV-2027
    kind: other
    controls: ["5.35"]
    date: 2027-02-16
    summary: Surveillance audit 2 by the certification body; no nonconformities.
]] },
  expect = { ["A.5.35-independent-review"] = "pass" },
}
