-- Specs of rules/clauses/5.lua, on the example ISMS.
local EXAMPLE = "../../contrib/example-isms/records"

spec {
  name = "the example's policy is approved by the CEO and current",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["5.2-policy-approved"] = "pass" },
}

spec {
  name = "a policy approved by someone outside top management fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["policies/information-security-policy.md"] = { { "approved_by: p-", "approved_by: p-nobody-" } } },
  expect = { ["5.2-policy-approved"] = { status = "fail", count = 1,
    findings = { { file = "policies/information-security-policy.md", line = 6, message = "p-nobody-katharina-vogt is not in the personnel records; top management must approve the policy" } } } },
}

spec {
  name = "an overdue policy review fails, with the due date",
  now = "2028-01-10", fixture = EXAMPLE,
  expect = { ["5.2-policy-approved"] = { status = "fail", findings = { { message = "overdue" } } } },
}

spec {
  name = "no information security policy fails",
  now = "2026-11-22", fixture = EXAMPLE,
  remove = { "policies/information-security-policy.md" },
  expect = { ["5.2-policy-approved"] = { status = "fail", findings = { { message = "no information security policy" } } } },
}

spec {
  name = "a policy reviewed without change is current from its review date",
  now = "2027-12-01", fixture = EXAMPLE,
  edit = { ["policies/information-security-policy.md"] = { { "review_months: 12", "reviewed_on: 2027-11-02\nreview_months: 12" } } },
  expect = { ["5.2-policy-approved"] = { status = "pass", valid_until = "2028-11-02" } },
}

-- 5.1 top management -------------------------------------------------------

spec {
  name = "the example names three members of top management, all in post",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["5.1-top-management"] = "pass" },
}

spec {
  name = "a member of top management who is not in the personnel register fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["isms.yaml"] = { { "  - p-miriam-hoffmann\n", "  - p-miriam-hoffmann\n  - p-otto-ghost\n" } } },
  expect = { ["5.1-top-management"] = { status = "fail", count = 1,
    findings = { { file = "isms.yaml", line = 10, message = "'p-otto-ghost' is not in the personnel records" } } } },
}

spec {
  name = "a member of top management who has left fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["isms.yaml"] = { { "  - p-miriam-hoffmann\n", "  - p-miriam-hoffmann\n  - p-carsten-reuter\n" } } },
  expect = { ["5.1-top-management"] = { status = "fail", count = 1,
    findings = { { message = "left the organisation on 2026-10-30" } } } },
}

spec {
  name = "no top management in isms.yaml fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["isms.yaml"] = { { "top_management:\n  - p-katharina-vogt\n  - p-daniel-okafor\n  - p-miriam-hoffmann\n", "" } } },
  expect = { ["5.1-top-management"] = { status = "fail", findings = { { message = "names no top management" } } } },
}

-- 5.1 waivers ----------------------------------------------------------------

-- The reason of the example's waiver of A.7.2-entry-log-review.
local REASON = "    reason: >-\n      The Leipzig office opens with mechanical keys (issued and logged by the\n"
  .. "      site coordinator) until the badge system is installed with the office\n"
  .. "      refit in January 2027 (change CH-2026-05).\n"

spec {
  name = "the example's waivers have reason, top management approval and expiry; the first expires on 2027-01-31",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["5.1-waivers-approved"] = { status = "pass", valid_until = "2027-01-31" } },
}

spec {
  name = "a waiver without expiry is a finding",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["isms.yaml"] = { { "    expires: 2027-03-02\n", "" } } },
  expect = { ["5.1-waivers-approved"] = { status = "fail", count = 1,
    findings = { { file = "isms.yaml", line = 43, message = "waiver of A.8.7-malware-coverage has no expiry date" } } } },
}

spec {
  name = "a waiver approved by the CISO, who is not top management, fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["isms.yaml"] = { { "approved_by: p-miriam-hoffmann", "approved_by: p-henrik-lindqvist" } } },
  expect = { ["5.1-waivers-approved"] = { status = "fail", count = 1,
    findings = { { file = "isms.yaml", message = "waiver of A.7.2-entry-log-review: its approval on 2026-06-15 is not valid: Henrik Lindqvist (p-henrik-lindqvist) was not top management on 2026-06-15" } } } },
}

spec {
  name = "a waiver without approver or reason fails for each",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["isms.yaml"] = { { "    approved_by: p-miriam-hoffmann\n", "" }, { REASON, "" } } },
  expect = { ["5.1-waivers-approved"] = { status = "fail", count = 2,
    findings = { { message = "waiver of A.7.2-entry-log-review names no approver" },
      { message = "waiver of A.7.2-entry-log-review gives no reason" } } } },
}

spec {
  name = "a waiver running longer than 24 months fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["isms.yaml"] = { { "    expires: 2027-03-02\n", "    expires: 2028-03-02\n" } } },
  expect = { ["5.1-waivers-approved"] = { status = "fail", count = 1,
    findings = { { message = "runs from 2025-03-03 to 2028-03-02, longer than 24 months" } } } },
}

spec {
  name = "the longest duration is a parameter",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["isms.yaml"] = { { "parameters:\n", "parameters:\n  5.1-waivers-approved:\n    max_months: 12\n" } } },
  expect = { ["5.1-waivers-approved"] = { status = "fail", count = 1,
    findings = { { message = "waiver of A.8.7-malware-coverage runs from 2025-03-03 to 2027-03-02, longer than 12 months" } } } },
}

spec {
  name = "an expired waiver is no longer checked",
  now = "2027-02-15", fixture = EXAMPLE,
  edit = { ["isms.yaml"] = { { "    approved_by: p-miriam-hoffmann\n", "" } } },
  expect = { ["5.1-waivers-approved"] = { status = "pass", valid_until = "2027-03-02" } },
}

spec {
  name = "no waivers: not applicable",
  now = "2026-11-22", fixture = EXAMPLE,
  files = { ["isms.yaml"] = "organisation: Fernwerk Systems GmbH\ntop_management: [p-katharina-vogt]\n" },
  expect = { ["5.1-waivers-approved"] = "not_applicable" },
}

-- 5.3 ------------------------------------------------------------------------

spec {
  name = "the example's CISO is the ISMS manager and reports to the CEO",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["5.3-roles-defined"] = "pass" },
}

spec {
  name = "an ISMS manager reporting to the compliance manager does not report to top management",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["org/roles.yaml"] = { { "    assigned_on: 2023-06-01\n    reports_to: r-ceo\n", "    assigned_on: 2023-06-01\n    reports_to: r-compliance-manager\n" } } },
  expect = { ["5.3-roles-defined"] = { status = "fail", count = 1,
    findings = { { file = "org/roles.yaml", message = "role r-ciso reports to r-compliance-manager, which is not a top-management role" } } } },
}

spec {
  name = "no role answers for the ISMS fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["org/roles.yaml"] = { { "isms_role: isms-manager", "isms_role: control-owner" } } },
  expect = { ["5.3-roles-defined"] = { status = "fail", count = 1,
    findings = { { message = "no role is responsible for the ISMS" } } } },
}

spec {
  name = "an ISMS role without responsibilities and a reports_to that names no role fail",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["org/roles.yaml"] = { { "    responsibilities:\n      - Vulnerability management, threat intelligence and security monitoring\n      - Deputy incident manager\n", "" },
    { "reports_to: r-head-people", "reports_to: r-facility" } } },
  expect = { ["5.3-roles-defined"] = { status = "fail", count = 2,
    findings = { { message = "role r-security-engineer (control-owner) lists no responsibilities" },
      { message = "reports to 'r-facility', which is not a role" } } } },
}

spec {
  name = "a waiver written as text instead of rule, reason, approver and expiry fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["isms.yaml"] = { { "waivers:\n", "waivers:\n  - waive the backup rule\n" } } },
  expect = { ["5.1-waivers-approved"] = { status = "fail", count = 1,
      findings = { { file = "isms.yaml", message = "entry 1 of waivers is not a waiver" } } },
    ["7.5-records-valid"] = "fail" },
}
