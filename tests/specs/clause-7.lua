-- Specs of rules/clauses/7.lua, on the example ISMS.
local EXAMPLE = "../../contrib/example-isms/records"

-- 7.1 -----------------------------------------------------------------------

spec {
  name = "every ISMS role of the example is held by someone in post",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["7.1-isms-roles-staffed"] = "pass" },
}

spec {
  name = "a role held by a leaver and a role without holder fail",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["org/roles.yaml"] = {
    { "    holder: p-carla-dietrich\n", "    holder: p-carsten-reuter\n" },
    { "    holder: p-yusuf-aydin\n    assigned_on: 2024-09-02\n", "    assigned_on: 2024-09-02\n" } } },
  expect = { ["7.1-isms-roles-staffed"] = { status = "fail", count = 2,
    findings = { { file = "org/roles.yaml", message = "holder of role r-site-leipzig 'p-carsten-reuter' left the organisation on 2026-10-30" },
      { message = "no holder of role r-security-engineer is named" } } } },
}

-- 7.2 -----------------------------------------------------------------------

-- The core ISMS roles only (the example's control owners aside).
local CORE = { "parameters:\n", "parameters:\n  7.2-competence-evidence:\n    roles: isms-manager internal-auditor top-management document-controller incident-response\n" }

spec {
  name = "the holders of the core ISMS roles and the auditors have evidence of competence",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["isms.yaml"] = { CORE } },
  expect = { ["7.2-competence-evidence"] = { status = "pass", valid_until = "none" } },
}

spec {
  name = "an incident manager with no competences and no role training fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["isms.yaml"] = { CORE },
    ["org/roles.yaml"] = { { "    holder: p-yusuf-aydin\n    deputy: p-henrik-lindqvist\n    assigned_on: 2025-01-06\n",
      "    holder: p-ole-thomsen\n    deputy: p-henrik-lindqvist\n    assigned_on: 2025-01-06\n" } } },
  expect = { ["7.2-competence-evidence"] = { status = "fail", count = 1,
    findings = { { file = "people/personnel.yaml", message = "p-ole-thomsen holds role r-incident-manager but has no evidence of competence" } } } },
}

spec {
  name = "evidence that is only an expiring role training holds until it expires",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["isms.yaml"] = { CORE },
    ["org/roles.yaml"] = { { "    holder: p-yusuf-aydin\n    deputy: p-henrik-lindqvist\n    assigned_on: 2025-01-06\n",
      "    holder: p-emma-franke\n    deputy: p-henrik-lindqvist\n    assigned_on: 2025-01-06\n" } } },
  expect = { ["7.2-competence-evidence"] = { status = "pass", valid_until = "2027-03-09" } },
}

spec {
  name = "an internal auditor without evidence of competence fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["isms.yaml"] = { CORE },
    ["audits/programme.yaml"] = { { "  - person: p-marek-wojcik\n", "  - person: p-ole-thomsen\n    owns: []\n  - person: p-marek-wojcik\n" } } },
  expect = { ["7.2-competence-evidence"] = { status = "fail", count = 1,
    findings = { { message = "p-ole-thomsen is an internal auditor but has no evidence of competence" } } } },
}

-- 7.3 -----------------------------------------------------------------------

-- A joiner of `joined` with no training.
local function joiner(joined)
  return { "  - id: p-ole-thomsen\n", "  - id: p-new-joiner\n    name: Nele Neu\n    joined: " .. joined .. "\n\n  - id: p-ole-thomsen\n" }
end

spec {
  name = "everyone at the example has had awareness training in the last 12 months",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["7.3-awareness-current"] = { status = "pass", valid_until = "2027-09-07" } },
}

spec {
  name = "a joiner has 30 days for the awareness training",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["people/personnel.yaml"] = { joiner("2026-11-10") } },
  expect = { ["7.3-awareness-current"] = { status = "pass", valid_until = "2026-12-10" } },
}

spec {
  name = "a joiner without awareness training after 30 days fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["people/personnel.yaml"] = { joiner("2026-10-01") } },
  expect = { ["7.3-awareness-current"] = { status = "fail", count = 1,
    findings = { { file = "people/personnel.yaml", message = "p-new-joiner joined on 2026-10-01 and has no awareness training; it was due by 2026-10-31 (22 days overdue)" } } } },
}

spec {
  name = "awareness training older than awareness_months is overdue; leavers are not counted",
  now = "2027-10-01", fixture = EXAMPLE,
  expect = { ["7.3-awareness-current"] = { status = "fail",
    findings = { { message = "it was due again by" } } } },
}

spec {
  name = "a shorter awareness_months in isms.yaml applies",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["isms.yaml"] = { { "awareness_months: 12", "awareness_months: 1" } } },
  expect = { ["7.3-awareness-current"] = { status = "fail", findings = { { message = "overdue" } } } },
}

-- 7.4 -----------------------------------------------------------------------

spec {
  name = "the example's information security policy sets out the communications",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["7.4-communication-defined"] = "pass" },
}

spec {
  name = "no document addressing 7.4 fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["policies/information-security-policy.md"] = { { ", \"7.4\"]", "]" } } },
  expect = { ["7.4-communication-defined"] = { status = "fail", count = 1, findings = { { message = "communications" } } } },
}

-- 7.5 -----------------------------------------------------------------------

spec {
  name = "the example holds all documented information the standard requires",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["7.5.1-required-documents"] = "pass" },
}

spec {
  name = "missing metrics and audit programme are reported, each with its clause",
  now = "2026-11-22", fixture = EXAMPLE,
  remove = { "metrics.yaml", "audits/programme.yaml" },
  expect = { ["7.5.1-required-documents"] = { status = "fail", count = 2,
    findings = { { message = "no documented information for 9.1: monitoring and measurement results (metrics.yaml)" },
      { message = "for 9.2.2: the internal audit programme" } } } },
}

spec {
  name = "the example's records are all readable and valid",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["7.5-records-valid"] = "pass" },
}

spec {
  name = "an unreadable record is a finding with file and line",
  now = "2026-11-22", fixture = EXAMPLE,
  files = { ["risk/register.yaml"] = "risks:\n  - id: R-1\n    title: \"unterminated\n" },
  expect = { ["7.5-records-valid"] = { status = "fail", findings = { { file = "risk/register.yaml" } } } },
}

spec {
  name = "a misspelt field is a finding",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["objectives.yaml"] = { { "    resources: Compliance manager", "    resource: Compliance manager" } } },
  expect = { ["7.5-records-valid"] = { status = "fail", findings = { { file = "objectives.yaml", message = "resource" } } } },
}

spec {
  name = "every policy and procedure of the example has owner, version and approval",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["7.5.2-documents-approved"] = "pass" },
}

spec {
  name = "a procedure without version and approver fails; a draft is not checked",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["procedures/internal-audit.md"] = { { "version: \"1.1\"\n", "" }, { "approved_by: p-henrik-lindqvist\n", "" } },
    ["procedures/change-management.md"] = { { "approved_by: p-daniel-okafor\n", "" }, { "status: approved", "status: draft" } } },
  expect = { ["7.5.2-documents-approved"] = { status = "fail", count = 2,
    findings = { { file = "procedures/internal-audit.md", message = "document internal-audit has no version" },
      { message = "document internal-audit is in force without a recorded approval" } } } },
}

spec {
  name = "a document owned by a leaver fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["procedures/internal-audit.md"] = { { "owner: p-leonie-brandt", "owner: p-carsten-reuter" } } },
  expect = { ["7.5.2-documents-approved"] = { status = "fail", count = 1,
    findings = { { message = "document internal-audit owner 'p-carsten-reuter' left" } } } },
}

spec {
  name = "the example's procedures are reviewed; document control falls due on 2026-11-24",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["7.5.2-documents-reviewed"] = { status = "pass", valid_until = "2026-11-24" } },
}

spec {
  name = "the document control procedure not reviewed by 2026-11-24 is overdue (topic policies are for A.5.1)",
  now = "2026-11-30", fixture = EXAMPLE,
  expect = { ["7.5.2-documents-reviewed"] = { status = "fail", count = 1,
    findings = { { file = "procedures/document-control.md", message = "document document-control: last approved or reviewed on 2025-11-24; the 12-month review was due on 2026-11-24 (6 days overdue)" } } } },
}

spec {
  name = "the kinds reviewed here are a parameter",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["isms.yaml"] = { { "parameters:\n", "parameters:\n  7.5.2-documents-reviewed:\n    kinds: [procedure, topic-policy]\n" } } },
  expect = { ["7.5.2-documents-reviewed"] = { status = "fail", count = 1,
    findings = { { file = "policies/cryptography-policy.md", message = "overdue" } } } },
}

-- 7.5.3: in specs every file was last changed the day before `now`.
local MANIFEST = "organisation: Example GmbH\ntop_management: [p-ceo]\n"
local function policy(approved)
  return "---\nid: backup-policy\ntitle: Backup policy\nkind: topic-policy\nowner: p-ceo\n"
    .. "approved_by: p-ceo\napproved_on: " .. approved .. "\nversion: \"1.0\"\nstatus: approved\n---\n# Backup policy\n"
end

spec {
  name = "a document committed on the day after its approval is the approved text",
  now = "2026-11-22",
  files = { ["isms.yaml"] = MANIFEST, ["policies/backup-policy.md"] = policy("2026-11-20") },
  expect = { ["7.5.3-document-changes-approved"] = "pass" },
}

spec {
  name = "a document changed two months after its approval fails",
  now = "2026-11-22",
  files = { ["isms.yaml"] = MANIFEST, ["policies/backup-policy.md"] = policy("2026-09-01") },
  expect = { ["7.5.3-document-changes-approved"] = { status = "fail", count = 1,
    findings = { { file = "policies/backup-policy.md", message = "document backup-policy was changed on 2026-11-21" },
      { message = "81 days after its approval or review on 2026-09-01" } } } },
}

spec {
  name = "a draft may change without approval",
  now = "2026-11-22",
  files = { ["isms.yaml"] = MANIFEST, ["policies/backup-policy.md"] = policy("2026-09-01"):gsub("status: approved", "status: draft") },
  expect = { ["7.5.3-document-changes-approved"] = "pass" },
}
