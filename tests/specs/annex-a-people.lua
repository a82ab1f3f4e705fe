-- Specs of rules/annex-a/people.lua, on the example ISMS.
local EXAMPLE = "../../contrib/example-isms/records"
local NOW = "2026-11-22"

-- Daniela Kraft's dates on joining, as the example records them.
local KRAFT = "    joined: 2022-02-14\n    screening_completed_on: 2022-02-07\n"
  .. "    terms_signed_on: 2021-12-31\n    nda_signed_on: 2021-12-31\n"

local function kraft(from, to)
  return { ["people/personnel.yaml"] = { { KRAFT, (KRAFT:gsub(from, to)) } } }
end

spec {
  name = "the example's people controls operate, but for its deliberate leaver",
  now = NOW, fixture = EXAMPLE,
  expect = {
    ["A.6.1-screening"] = "pass", ["A.6.2-terms-signed"] = "pass",
    ["A.6.3-awareness-programme"] = "pass", ["A.6.4-disciplinary-process"] = "pass",
    ["A.6.6-nda-signed"] = "pass", ["A.6.7-remote-working"] = "pass",
    ["A.6.8-event-reporting"] = "pass",
  },
}

-- A.6.1, A.6.2, A.6.6 --------------------------------------------------------

spec {
  name = "screening completed after the start date fails",
  now = NOW, fixture = EXAMPLE,
  edit = kraft("screening_completed_on: 2022%-02%-07", "screening_completed_on: 2022-03-01"),
  expect = { ["A.6.1-screening"] = { status = "fail", count = 1,
    findings = { { file = "people/personnel.yaml", line = 464,
      message = "p-daniela-kraft: screening completed on 2022-03-01, 15 days after joining on 2022-02-14" } } } },
}

spec {
  name = "no screening recorded fails",
  now = NOW, fixture = EXAMPLE,
  edit = kraft("    screening_completed_on: 2022%-02%-07\n", ""),
  expect = { ["A.6.1-screening"] = { status = "fail", count = 1,
    findings = { { line = 456, message = "p-daniela-kraft (Daniela Kraft): no screening completed is recorded" } } } },
}

spec {
  name = "a leaver's missing screening is no longer checked",
  now = NOW, fixture = EXAMPLE,
  edit = kraft("    screening_completed_on: 2022%-02%-07\n", "    left: 2026-01-31\n"),
  expect = { ["A.6.1-screening"] = "pass" },
}

spec {
  name = "terms signed after joining fail",
  now = NOW, fixture = EXAMPLE,
  edit = kraft("terms_signed_on: 2021%-12%-31", "terms_signed_on: 2022-02-20"),
  expect = { ["A.6.2-terms-signed"] = { status = "fail", count = 1,
    findings = { { line = 465, message = "p-daniela-kraft: terms signed on 2022-02-20, 6 days after joining" } } } },
}

spec {
  name = "no NDA recorded fails",
  now = NOW, fixture = EXAMPLE,
  edit = kraft("    nda_signed_on: 2021%-12%-31\n", ""),
  expect = { ["A.6.6-nda-signed"] = { status = "fail", count = 1,
    findings = { { line = 456, message = "no confidentiality agreement signed is recorded (nda_signed_on)" } } } },
}

spec {
  name = "an NDA signed on the first day passes",
  now = NOW, fixture = EXAMPLE,
  edit = kraft("nda_signed_on: 2021%-12%-31", "nda_signed_on: 2022-02-14"),
  expect = { ["A.6.6-nda-signed"] = "pass" },
}

-- A.6.3 ----------------------------------------------------------------------

spec {
  name = "a lapsed awareness programme fails with the completion rate",
  now = "2028-01-10", fixture = EXAMPLE,
  expect = { ["A.6.3-awareness-programme"] = { status = "fail", count = 1,
    findings = { { message = "82 of 82 staff have no awareness training from the last 12 months (0.0%, below the 95% target" } } } },
}

spec {
  name = "the completion target is a parameter",
  now = NOW, fixture = EXAMPLE,
  edit = { ["people/training/awareness-2026.yaml"] = { { [[
  - person: p-daniela-kraft
    course: Information security awareness 2026]], [[
  - person: p-daniela-kraft-elsewhere
    course: Information security awareness 2026]] } },
    ["people/training/awareness-2025.yaml"] = { { [[
  - person: p-daniela-kraft
    course: Information security awareness 2025]], [[
  - person: p-daniela-kraft-elsewhere
    course: Information security awareness 2025]] } },
    ["isms.yaml"] = { { "parameters:\n", "parameters:\n  awareness_completion_percent: 100\n" } } },
  expect = { ["A.6.3-awareness-programme"] = { status = "fail", count = 1,
    findings = { { file = "people/training/awareness-2024.yaml", line = 839,
      message = "Daniela Kraft (p-daniela-kraft): awareness training last completed on 2024-12-20, lapsed on 2025-12-20 (98.8% of the staff current, target 100%)" } } } },
}

spec {
  name = "a failed awareness assessment not repeated fails",
  now = NOW, fixture = EXAMPLE,
  edit = { ["people/training/awareness-2026.yaml"] = { { [[
  - person: p-daniela-kraft
    course: Information security awareness 2026
    kind: awareness
    passed: true]], [[
  - person: p-daniela-kraft
    course: Information security awareness 2026
    kind: awareness
    passed: false]] } } },
  expect = { ["A.6.3-awareness-programme"] = { status = "fail", count = 1,
    findings = { { file = "people/training/awareness-2026.yaml", line = 1072,
      message = "Daniela Kraft (p-daniela-kraft) failed the awareness assessment on 2026-11-13" } } } },
}

-- A.6.4, A.6.8 ---------------------------------------------------------------

spec {
  name = "no document sets out the disciplinary process",
  now = NOW, fixture = EXAMPLE,
  edit = { ["policies/hr-security-policy.md"] = { { '"6.3", "6.4", "6.5"', '"6.3", "6.5"' } } },
  expect = { ["A.6.4-disciplinary-process"] = { status = "fail", count = 1,
    findings = { { message = "no approved policy or procedure sets out the disciplinary process" } } } },
}

spec {
  name = "an incident without its reporter fails",
  now = NOW, fixture = EXAMPLE,
  edit = { ["incidents/2026.yaml"] = { { "    reported_by: p-isabel-martin\n", "" } } },
  expect = { ["A.6.8-event-reporting"] = { status = "fail", count = 1,
    findings = { { file = "incidents/2026.yaml", line = 67, message = "incident INC-2026-04 does not record who reported it" } } } },
}

spec {
  name = "an incident reported by someone unknown fails",
  now = NOW, fixture = EXAMPLE,
  edit = { ["incidents/2026.yaml"] = { { "reported_by: p-isabel-martin", "reported_by: p-somebody" } } },
  expect = { ["A.6.8-event-reporting"] = { status = "fail", count = 1,
    findings = { { line = 70, message = "reporter 'p-somebody' is not in the personnel records" } } } },
}

-- A.6.5 ----------------------------------------------------------------------

spec {
  name = "the example's leaver kept access for 12 days",
  now = NOW, fixture = EXAMPLE,
  expect = { ["A.6.5-leaver-access-removed"] = { status = "fail", count = 1,
    findings = { { file = "people/personnel.yaml", line = 709,
      message = "p-carsten-reuter left on 2026-10-30; access was removed on 2026-11-11, 12 days later (allowed: 2)" } } } },
}

spec {
  name = "access removed within the allowed days passes",
  now = NOW, fixture = EXAMPLE,
  edit = { ["people/personnel.yaml"] = { { "access_removed_on: 2026-11-11", "access_removed_on: 2026-11-01" } } },
  expect = { ["A.6.5-leaver-access-removed"] = "pass" },
}

spec {
  name = "a leaver without access removal fails once it is due",
  now = NOW, fixture = EXAMPLE,
  edit = { ["people/personnel.yaml"] = { { "    access_removed_on: 2026-11-11\n", "" } } },
  expect = { ["A.6.5-leaver-access-removed"] = { status = "fail", count = 1,
    findings = { { line = 704, message = "no access removal is recorded (access_removed_on); it was due by 2026-11-01" } } } },
}

spec {
  name = "an excluded control is not applicable",
  now = NOW, fixture = EXAMPLE,
  edit = { ["soa.yaml"] = { { 'control: "6.5"\n    # Responsibilities after termination or change of employment\n    applicable: true',
    'control: "6.5"\n    # Responsibilities after termination or change of employment\n    applicable: false' } } },
  expect = { ["A.6.5-leaver-access-removed"] = "not_applicable" },
}

-- A.6.7 ----------------------------------------------------------------------

spec {
  name = "remote workers who have not acknowledged a policy that requires it fail",
  now = NOW, fixture = EXAMPLE,
  edit = { ["policies/remote-working-policy.md"] = { { "acknowledgement_required: false", "acknowledgement_required: true" } } },
  expect = { ["A.6.7-remote-working"] = { status = "fail", count = 12,
    findings = { { file = "people/personnel.yaml", line = 467, message = "p-daniela-kraft works remotely and has not acknowledged 'remote-working-policy'" } } } },
}

spec {
  name = "a remote worker who acknowledged the policy is no longer reported",
  now = NOW, fixture = EXAMPLE,
  edit = { ["policies/remote-working-policy.md"] = { { "acknowledgement_required: false", "acknowledgement_required: true" } } },
  files = { ["people/training/remote-working.yaml"] = [[
training:
  - person: p-daniela-kraft
    course: Remote working policy acknowledgement
    kind: policy-acknowledgement
    policy: remote-working-policy
    completed_on: 2026-11-01
]] },
  expect = { ["A.6.7-remote-working"] = { status = "fail", count = 11 } },
}

spec {
  name = "without a remote working policy the rules are not set out",
  now = NOW, fixture = EXAMPLE,
  remove = { "policies/remote-working-policy.md" },
  expect = { ["A.6.7-remote-working"] = { status = "fail", count = 1,
    findings = { { message = "no approved policy or procedure sets out the rules for remote working" } } } },
}
