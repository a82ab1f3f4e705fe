-- Specs of rules/clauses/8.lua, on the example ISMS.
local EXAMPLE = "../../contrib/example-isms/records"

-- 8.1 -----------------------------------------------------------------------

spec {
  name = "the example's partial controls have plans (RT-18 for 8.12, CH-2026-05 for 7.2)",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["8.1-planned-controls-on-track"] = "pass" },
}

spec {
  name = "a partial control whose notes cite only a finished change has no plan",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["soa.yaml"] = { { "(CH-2026-05, waiver until 2027-01-31)", "(CH-2025-01)" } } },
  expect = { ["8.1-planned-controls-on-track"] = { status = "fail", count = 1,
    findings = { { file = "soa.yaml", line = 494, message = "control 7.2 is partial in the SoA, but no open treatment action lists it" } } } },
}

spec {
  name = "a partial control whose only treatment action is done has no plan",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["risk/treatment-plan.yaml"] = { { "    due: 2027-03-31\n    status: planned\n", "    due: 2027-03-31\n    status: done\n    completed_on: 2026-11-01\n" } } },
  expect = { ["8.1-planned-controls-on-track"] = { status = "fail", count = 1,
    findings = { { message = "control 8.12 is partial" } } } },
}

spec {
  name = "the example's approved changes are on schedule",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["8.1-changes-implemented"] = { status = "pass", valid_until = "2027-01-04" } },
}

spec {
  name = "an approved change a month past its date and not recorded as made fails",
  now = "2027-01-10", fixture = EXAMPLE,
  expect = { ["8.1-changes-implemented"] = { status = "fail", count = 1,
    findings = { { file = "changes.yaml", message = "change CH-2026-04 was planned for 2026-12-05 and is still only approved (36 days later)" } } } },
}

spec {
  name = "an implemented change without its date fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["changes.yaml"] = { { "    implemented_on: 2025-03-28\n", "" } } },
  expect = { ["8.1-changes-implemented"] = { status = "fail", count = 1,
    findings = { { message = "change CH-2025-01 is implemented but records no implemented_on date" } } } },
}

-- 8.2 -----------------------------------------------------------------------

spec {
  name = "the example's approved changes are risk-assessed",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["8.2-changes-risk-assessed"] = "pass" },
}

spec {
  name = "an approved change to systems without impact assessment fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["changes.yaml"] = { { "    impact_assessment: >-\n      Rehearsed twice on a restored copy; rollback by switching back to the\n      blue cluster within the window; restore test evidence of 2026-11-10\n      confirms the recovery point. Customers informed 14 days ahead.\n", "" } } },
  expect = { ["8.2-changes-risk-assessed"] = { status = "fail", count = 1,
    findings = { { file = "changes.yaml", message = "change CH-2026-04 is approved without an assessment of its risks" } } } },
}

-- 8.3 -----------------------------------------------------------------------

spec {
  name = "the example's treatment plan is on schedule",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["8.3-treatment-plan-implemented"] = { status = "pass", valid_until = "2026-12-18" } },
}

spec {
  name = "a treatment action past its due date fails",
  now = "2026-12-20", fixture = EXAMPLE,
  expect = { ["8.3-treatment-plan-implemented"] = { status = "fail", count = 1,
    findings = { { file = "risk/treatment-plan.yaml", line = 63, message = "treatment action RT-07 was due on 2026-12-18 and is in-progress (2 days overdue)" } } } },
}

spec {
  name = "an action for an unknown risk, and a treated risk left without action, fail",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["risk/treatment-plan.yaml"] = { { "    risk: R-14\n", "    risk: R-99\n" } } },
  expect = { ["8.3-treatment-plan-implemented"] = { status = "fail", count = 2,
    findings = { { message = "treatment action RT-25 treats risk R-99, which is not in the register" },
      { file = "risk/register.yaml", message = "risk R-14 scores 9, above the threshold 8, and is to be treated (mitigate), but the treatment plan has no action for it" } } } },
}

spec {
  name = "an open action without owner or due date fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["risk/treatment-plan.yaml"] = { { "    owner: p-yusuf-aydin\n    due: 2026-12-18\n", "" } } },
  expect = { ["8.3-treatment-plan-implemented"] = { status = "fail", count = 2,
    findings = { { message = "no treatment action RT-07 owner is named" }, { message = "treatment action RT-07 has no due date" } } } },
}
