-- Specs of rules/annex-a/soa.lua (one SoA rule per Annex A control) and
-- rules/lib/soa.lua, on the example ISMS.
local EXAMPLE = "../../contrib/example-isms/records"

-- The SoA entry of 5.15 as the example writes it.
local SOA_5_15 = [[
  - control: "5.15"
    # Access control
    applicable: true
    justification: Treats risk R-01.
    status: implemented
    owner: p-henrik-lindqvist
    evidence:
      - policies/access-control-policy.md
      - evidence/access-reviews.yaml
]]

local function entry_5_15(from, to)
  return { ["soa.yaml"] = { { SOA_5_15, (SOA_5_15:gsub(from, to)) } } }
end

spec {
  name = "included controls with owner, status and current evidence pass",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = {
    ["A.5.1-soa"] = "pass", ["A.5.15-soa"] = "pass", ["A.5.22-soa"] = "pass",
    ["A.6.3-soa"] = "pass", ["A.7.2-soa"] = "pass", ["A.8.13-soa"] = "pass",
    ["A.8.12-soa"] = "pass",
  },
}

spec {
  name = "an exclusion with a justification is not applicable",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["A.7.6-soa"] = "not_applicable", ["A.7.12-soa"] = "not_applicable",
    ["A.8.30-soa"] = "not_applicable" },
}

spec {
  name = "the example's 7.4 is excluded without a justification: reported once, by 6.1.3",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = {
    ["A.7.4-soa"] = { status = "not_applicable", count = 0,
      note = "reported under 6.1.3-soa-exclusions-justified: A.7.4 Physical security monitoring is excluded and gives no justification (soa.yaml:510)" },
    ["6.1.3-soa-exclusions-justified"] = { status = "fail", count = 1,
      findings = { { file = "soa.yaml", line = 510, message = "control 7.4 is excluded without a justification" } } },
  },
}

spec {
  name = "a control missing from the SoA fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["soa.yaml"] = { { [[control: "5.3"]], [[control: "5.30"]] } } },
  expect = { ["7.5-records-valid"] = "fail",
    ["A.5.3-soa"] = { status = "not_applicable", count = 0,
      note = "reported under 6.1.3-soa-complete: A.5.3 Segregation of duties is not in the Statement of Applicability" },
    ["6.1.3-soa-complete"] = { status = "fail", findings = { { file = "soa.yaml", message = "5.3" } } } },
}

spec {
  name = "without an SoA every control is undecided",
  now = "2026-11-22", fixture = EXAMPLE,
  remove = { "soa.yaml" },
  expect = {
    ["A.5.1-soa"] = { status = "not_applicable", note = "reported under 6.1.3-soa-complete: no Statement of Applicability" },
    ["A.8.34-soa"] = { status = "not_applicable", note = "reported under 6.1.3-soa-complete: no Statement of Applicability" },
    ["6.1.3-soa-complete"] = { status = "fail", count = 1, findings = { { message = "no Statement of Applicability" } } },
  },
}

spec {
  name = "an included control without an owner fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = entry_5_15("    owner: p%-henrik%-lindqvist\n", ""),
  expect = { ["A.5.15-soa"] = { status = "fail", count = 1,
    findings = { { file = "soa.yaml", message = "A.5.15 Access control has no owner" } } } },
}

spec {
  name = "an owner who has left the organisation fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = entry_5_15("p%-henrik%-lindqvist", "p-carsten-reuter"),
  expect = { ["A.5.15-soa"] = { status = "fail", count = 1,
    findings = { { file = "soa.yaml", message = "left the organisation on 2026-10-30" } } } },
}

spec {
  name = "an owner who is not in the personnel records fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = entry_5_15("p%-henrik%-lindqvist", "p-nobody"),
  expect = { ["A.5.15-soa"] = { status = "fail",
    findings = { { message = "'p-nobody' is not in the personnel records" } } } },
}

spec {
  name = "an included control without a justification fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = entry_5_15("    justification: Treats risk R%-01.\n", ""),
  expect = { ["A.5.15-soa"] = { status = "fail", count = 1,
    findings = { { message = "included without a justification" } } } },
}

spec {
  name = "an included control without a status fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = entry_5_15("    status: implemented\n", ""),
  expect = { ["A.5.15-soa"] = { status = "fail", count = 1,
    findings = { { message = "no implementation status" } } } },
}

spec {
  name = "an evidence path that does not exist fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = entry_5_15("evidence/access%-reviews.yaml", "evidence/access-reviews-2026.yaml"),
  expect = { ["A.5.15-soa"] = { status = "fail", count = 1,
    findings = { { file = "soa.yaml", line = 160, message = "evidence 'evidence/access-reviews-2026.yaml' does not exist" } } } },
}

spec {
  name = "an implemented control that names no evidence fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = entry_5_15("    evidence:\n      %- policies/access%-control%-policy.md\n      %- evidence/access%-reviews.yaml\n", ""),
  expect = { ["A.5.15-soa"] = { status = "fail", count = 1,
    findings = { { message = "names no evidence" } } } },
}

spec {
  name = "evidence records older than the maximum age are stale",
  now = "2027-11-01", fixture = EXAMPLE,
  expect = { ["A.5.15-soa"] = { status = "fail",
    findings = { { file = "soa.yaml", line = 160,
      message = "evidence 'evidence/access-reviews.yaml' is stale: its newest evidence record for A.5.15 on 2026-10-23" } } } },
}

spec {
  name = "the maximum age of evidence is a parameter",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["isms.yaml"] = { { "parameters:\n", "parameters:\n  soa_evidence_max_months: 1\n" } } },
  expect = {
    ["A.5.29-soa"] = { status = "fail", findings = { { message = "on 2026-09-24, more than 1 month ago" } } },
    ["A.8.13-soa"] = "pass",
  },
}

spec {
  name = "a retired policy is stale evidence",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["policies/access-control-policy.md"] = { { "status: approved", "status: retired" } } },
  expect = { ["A.5.15-soa"] = { status = "fail", count = 1,
    findings = { { line = 159, message = "the document is retired" } } } },
}

spec {
  name = "a report file, a directory and a pattern are evidence that exists",
  now = "2026-11-22", fixture = EXAMPLE,
  files = { ["evidence/reports/access-review-2026-q4.pdf"] = "%PDF-1.7 report" },
  edit = entry_5_15("      %- evidence/access%-reviews.yaml\n",
    "      - evidence/access-reviews.yaml\n      - evidence/reports/access-review-2026-q4.pdf\n"
    .. "      - evidence/reports/\n      - evidence/*.yaml\n"),
  expect = { ["A.5.15-soa"] = "pass" },
}

spec {
  name = "evidence only outside the repository is an observation",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = entry_5_15("    evidence:\n      %- policies/access%-control%-policy.md\n      %- evidence/access%-reviews.yaml\n",
    "    evidence: https://grc.fernwerk.example/controls/5.15\n"),
  expect = { ["A.5.15-soa"] = { status = "warn", findings = { { message = "outside the repository" } } } },
}

spec {
  name = "a planned control with an open treatment action needs no evidence yet",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["soa.yaml"] = { { "status: partial\n    owner: p-henrik-lindqvist", "status: planned\n    owner: p-henrik-lindqvist" } } },
  expect = { ["A.8.12-soa"] = "pass" },
}

spec {
  name = "a planned control that no treatment action plans is an observation",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = entry_5_15("status: implemented", "status: planned"),
  expect = { ["A.5.15-soa"] = { status = "warn", findings = { { message = "no open risk treatment action plans it" } } } },
}

spec {
  name = "an SoA decision that is not true or false fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = entry_5_15("applicable: true", "applicable: maybe"),
  expect = { ["7.5-records-valid"] = "fail",
    ["A.5.15-soa"] = { status = "not_applicable", note = "reported under 6.1.3-soa-complete: A.5.15 Access control: applicable must be true or false" } },
}

spec {
  name = "evidence records dated after today do not make evidence current",
  now = "2027-11-01", fixture = EXAMPLE,
  edit = { ["evidence/access-reviews.yaml"] = { { "date: 2026-10-23", "date: 2028-01-01" } } },
  expect = { ["A.5.15-soa"] = { status = "fail",
    findings = { { line = 160, message = "its newest evidence record for A.5.15 on 2026-10-22" } } } },
}
