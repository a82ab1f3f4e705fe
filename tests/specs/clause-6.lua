-- Specs of rules/clauses/6.lua, on the example ISMS.
local EXAMPLE = "../../contrib/example-isms/records"

-- 6.1.1 ---------------------------------------------------------------------

spec {
  name = "every context issue of the example says how it is addressed",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["6.1.1-context-addressed"] = "pass" },
}

spec {
  name = "an issue without its effect, and one citing an unknown risk, fail",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["context/issues.yaml"] = {
    { "    effect: Certification is a sales prerequisite; losing it would stop most enterprise deals.\n", "" },
    { "    category: threat landscape\n", "    category: threat landscape\n    risks: [R-01, R-99]\n" } } },
  expect = { ["6.1.1-context-addressed"] = { status = "fail", count = 2,
    findings = { { file = "context/issues.yaml", message = "issue CI-01: the record does not say how it affects the ISMS" },
      { message = "issue CI-03 refers to risk R-99, which is not in the risk register" } } } },
}

-- 6.1.2 ---------------------------------------------------------------------

spec {
  name = "the example's risk method has scales, threshold and a current approval",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["6.1.2-risk-method"] = { status = "pass", valid_until = "2027-10-05" } },
}

spec {
  name = "a method without acceptance threshold fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["risk/method.yaml"] = { { "acceptance_threshold: 8\n", "" } } },
  expect = { ["6.1.2-risk-method"] = { status = "fail", count = 1,
    findings = { { file = "risk/method.yaml", message = "no numeric acceptance_threshold" } } } },
}

spec {
  name = "a method scored by an incomplete matrix fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["risk/method.yaml"] = { { "scoring: multiply\n", "scoring: matrix\nmatrix:\n  - { likelihood: 1, impact: 1, score: 1 }\n" } } },
  expect = { ["6.1.2-risk-method"] = { status = "fail", count = 1,
    findings = { { message = "does not give a score for all 25 pairs" } } } },
}

spec {
  name = "a method not reviewed for a year is overdue",
  now = "2027-10-10", fixture = EXAMPLE,
  expect = { ["6.1.2-risk-method"] = { status = "fail", count = 1,
    findings = { { message = "risk assessment method: last approved or reviewed on 2026-10-05" } } } },
}

spec {
  name = "no risk method fails",
  now = "2026-11-22", fixture = EXAMPLE,
  remove = { "risk/method.yaml" },
  expect = { ["6.1.2-risk-method"] = { status = "fail", findings = { { message = "no risk assessment method" } } } },
}

spec {
  name = "every risk of the example has an owner in post",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["6.1.2-risk-owner"] = "pass" },
}

spec {
  name = "a risk without owner and one owned by a leaver fail",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["risk/register.yaml"] = {
    { "    owner: p-daniel-okafor\n    likelihood: 4\n    impact: 5\n", "    likelihood: 4\n    impact: 5\n" },
    { "    owner: p-miriam-hoffmann\n    likelihood: 2\n", "    owner: p-carsten-reuter\n    likelihood: 2\n" } } },
  expect = { ["6.1.2-risk-owner"] = { status = "fail", count = 2,
    findings = { { message = "no risk R-01 owner is named" },
      { message = "risk R-20 owner 'p-carsten-reuter' left the organisation on 2026-10-30" } } } },
}

spec {
  name = "the example's risks are scored on the method's scales",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["6.1.2-risk-scored"] = "pass" },
}

spec {
  name = "a wrong score and a likelihood off the scale fail",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["risk/register.yaml"] = {
    { "    score: 20\n", "    score: 21\n" },
    { "    likelihood: 2\n    impact: 3\n    score: 6\n", "    likelihood: 6\n    impact: 3\n    score: 18\n" } } },
  expect = { ["6.1.2-risk-scored"] = { status = "fail", count = 2,
    findings = { { message = "risk R-01: score 21 does not match likelihood 4 and impact 5 (20)" },
      { message = "risk R-20: likelihood 6 is not on the method's scale" } } } },
}

spec {
  name = "the example's risks were re-assessed in October 2026",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["6.1.2-risk-assessed"] = { status = "pass", valid_until = "2027-10-14" } },
}

spec {
  name = "the re-assessment interval is the method's reassessment_months, not its review_months",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["risk/method.yaml"] = { { "review_months: 12\nreassessment_months: 12", "review_months: 1\nreassessment_months: 1" } } },
  expect = { ["6.1.2-risk-assessed"] = { status = "fail", count = 24,
    findings = { { file = "risk/register.yaml", message = "risk R-01: last assessed on 2026-10-14; the 1-month re-assessment was due on 2026-11-14 (8 days overdue)" } } } },
}

spec {
  name = "a short review_months of the method does not shorten the re-assessment interval",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["risk/method.yaml"] = { { "review_months: 12\nreassessment_months: 12", "review_months: 1\nreassessment_months: 12" } } },
  expect = { ["6.1.2-risk-assessed"] = "pass" },
}

-- 6.1.3 ---------------------------------------------------------------------

spec {
  name = "the example's SoA decides all 93 controls",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["6.1.3-soa-complete"] = "pass" },
}

spec {
  name = "a control listed twice and one missing fail",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["soa.yaml"] = { { "  - control: \"5.3\"", "  - control: \"5.2\"" } } },
  expect = { ["6.1.3-soa-complete"] = { status = "fail", count = 2,
    findings = { { message = "control 5.2 is listed twice" }, { message = "1 of 93 Annex A controls are not decided: 5.3" } } },
    ["7.5-records-valid"] = { status = "fail", findings = { { file = "soa.yaml", message = "duplicate control '5.2'" } } } },
}

spec {
  name = "the example excludes 7.4 without a justification",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["6.1.3-soa-exclusions-justified"] = { status = "fail", count = 1,
    findings = { { file = "soa.yaml", line = 510, message = "control 7.4 is excluded without a justification" } } } },
}

spec {
  name = "with a justification for 7.4 every exclusion is justified",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["soa.yaml"] = { { "    # Physical security monitoring\n    applicable: false\n",
    "    # Physical security monitoring\n    applicable: false\n    justification: The offices hold no systems in scope; entry is logged by the badge system (7.2).\n" } } },
  expect = { ["6.1.3-soa-exclusions-justified"] = "pass" },
}

spec {
  name = "the example's SoA is owned, approved and current",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["6.1.3-soa-approved"] = { status = "pass", valid_until = "2027-10-23" } },
}

spec {
  name = "an SoA without approver fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["soa.yaml"] = { { "approved_by: p-katharina-vogt\n", "" } } },
  expect = { ["6.1.3-soa-approved"] = { status = "fail", count = 1, findings = { { file = "soa.yaml", message = "no approver" } } } },
}

spec {
  name = "an SoA not reviewed within 12 months is overdue",
  now = "2027-11-01", fixture = EXAMPLE,
  expect = { ["6.1.3-soa-approved"] = { status = "fail", count = 1, findings = { { message = "was due on 2027-10-23" } } } },
}

spec {
  name = "every control chosen for the example's risks is applicable",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["6.1.3-risk-controls-applicable"] = "pass" },
}

spec {
  name = "a risk and a treatment action relying on the excluded control 7.4 fail",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["risk/register.yaml"] = { { "controls: [\"7.1\", \"7.2\", \"7.3\", \"7.7\"]", "controls: [\"7.1\", \"7.2\", \"7.3\", \"7.4\", \"7.7\"]" } },
    ["risk/treatment-plan.yaml"] = { { "controls: [\"8.5\", \"5.17\"]", "controls: [\"8.5\", \"5.17\", \"7.4\"]" } } },
  expect = { ["6.1.3-risk-controls-applicable"] = { status = "fail", count = 2,
    findings = { { file = "risk/register.yaml", line = 375, message = "risk R-20 is treated with control 7.4, which the SoA excludes" },
      { file = "risk/treatment-plan.yaml", message = "treatment action RT-01 is treated with control 7.4" } } } },
}

-- R-16's residual risk (3 x 3 = 9, above the threshold 8) as recorded.
local R16 = "    residual_impact: 3\n    status: in-treatment\n\n  - id: R-17"

spec {
  name = "the example's R-16 has no accepted residual risk (its other risks pass)",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["6.1.3-residual-risk-accepted"] = { status = "fail", count = 1,
    findings = { { file = "risk/register.yaml", line = 289, message = "risk R-16: the residual risk (score 9) has not been accepted" } } } },
}

spec {
  name = "R-16's residual risk above the threshold accepted by top management passes",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["risk/register.yaml"] = { { R16, "    residual_impact: 3\n    residual_accepted_by: p-katharina-vogt\n    residual_accepted_on: 2026-11-20\n    status: in-treatment\n\n  - id: R-17" } } },
  expect = { ["6.1.3-residual-risk-accepted"] = "pass" },
}

spec {
  name = "a residual risk above the threshold accepted by its owner outside top management fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["risk/register.yaml"] = { { R16, "    residual_impact: 3\n    residual_accepted_by: p-henrik-lindqvist\n    residual_accepted_on: 2026-11-20\n    status: in-treatment\n\n  - id: R-17" } } },
  expect = { ["6.1.3-residual-risk-accepted"] = { status = "fail", count = 1,
    findings = { { message = "above the threshold and its acceptance on 2026-11-20 is not valid: Henrik Lindqvist (p-henrik-lindqvist) was not top management on 2026-11-20" } } } },
}

spec {
  name = "with top_management_above_threshold off, the owner may accept it",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["risk/register.yaml"] = { { R16, "    residual_impact: 3\n    residual_accepted_by: p-henrik-lindqvist\n    residual_accepted_on: 2026-11-20\n    status: in-treatment\n\n  - id: R-17" } },
    ["isms.yaml"] = { { "parameters:\n", "parameters:\n  top_management_above_threshold: false\n" } } },
  expect = { ["6.1.3-residual-risk-accepted"] = "pass" },
}

spec {
  name = "a high risk that is merely accepted, and a residual accepted by someone else than the owner, fail",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["risk/register.yaml"] = { { "    treatment: mitigate\n    controls: [\"5.15\", \"5.17\"", "    treatment: accept\n    controls: [\"5.15\", \"5.17\"" },
    { "    residual_accepted_by: p-miriam-hoffmann\n    residual_accepted_on: 2026-10-23\n    status: accepted", "    residual_accepted_by: p-sabine-krueger\n    residual_accepted_on: 2026-10-23\n    status: accepted" } } },
  expect = { ["6.1.3-residual-risk-accepted"] = { status = "fail", count = 3,
    findings = { { message = "risk R-01 scores 20, above the threshold 8, but is not treated" },
      { message = "risk R-20: residual risk accepted by Sabine Krüger (p-sabine-krueger), not by the risk owner Miriam Hoffmann (p-miriam-hoffmann)" } } } },
}

-- 6.2 -----------------------------------------------------------------------

spec {
  name = "the example's objectives are planned; the first falls due at the end of 2026",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["6.2-objectives-planned"] = { status = "pass", valid_until = "2026-12-31" } },
}

spec {
  name = "an objective without resources, and one measured by an unknown metric, fail",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["objectives.yaml"] = {
    { "    resources: Compliance manager, external internal auditor (12 days a year), audit fees in the ISMS budget\n", "" },
    { "    metric: M-03\n", "    metric: M-33\n" } } },
  expect = { ["6.2-objectives-planned"] = { status = "fail", count = 2,
    findings = { { message = "objective OBJ-01 does not say resources" },
      { message = "objective OBJ-03 is measured by metric M-33, which is not in metrics.yaml" } } } },
}

spec {
  name = "objectives past their due date and still in progress fail",
  now = "2027-01-05", fixture = EXAMPLE,
  expect = { ["6.2-objectives-planned"] = { status = "fail", count = 5,
    findings = { { message = "objective OBJ-02 was due on 2026-12-31 and is still in-progress" } } } },
}

spec {
  name = "no objectives fails",
  now = "2026-11-22", fixture = EXAMPLE,
  remove = { "objectives.yaml" },
  expect = { ["6.2-objectives-planned"] = { status = "fail", findings = { { message = "no information security objectives" } } } },
}

spec {
  name = "every objective of the example has a result within 12 months",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["6.2-objectives-monitored"] = { status = "pass", valid_until = "2027-02-18" } },
}

spec {
  name = "an objective without a result for 12 months fails",
  now = "2027-03-01", fixture = EXAMPLE,
  expect = { ["6.2-objectives-monitored"] = { status = "fail", count = 1,
    findings = { { file = "objectives.yaml", message = "objective OBJ-01: the last result is of 2026-02-18" } } } },
}

-- 6.3 -----------------------------------------------------------------------

spec {
  name = "the example's ISMS changes were assessed and approved",
  now = "2026-11-22", fixture = EXAMPLE,
  expect = { ["6.3-changes-planned"] = "pass" },
}

spec {
  name = "an ISMS change made without impact assessment fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["changes.yaml"] = { { "    impact_assessment: One document less to maintain; no change in controls except passkeys being accepted as phishing-resistant factor.\n", "" } } },
  expect = { ["6.3-changes-planned"] = { status = "fail", count = 1,
    findings = { { file = "changes.yaml", message = "ISMS change CH-2025-04 records no assessment" } } } },
}

spec {
  name = "an ISMS change approved after it was made fails",
  now = "2026-11-22", fixture = EXAMPLE,
  edit = { ["changes.yaml"] = { { "    approved_on: 2025-10-20\n", "    approved_on: 2025-12-01\n" } } },
  expect = { ["6.3-changes-planned"] = { status = "fail", count = 1,
    findings = { { message = "ISMS change CH-2025-06 was approved on 2025-12-01, after it was made on 2025-11-14" } } } },
}

spec {
  name = "a requested ISMS change whose date has come without approval fails",
  now = "2027-02-01", fixture = EXAMPLE,
  edit = { ["changes.yaml"] = { { "    title: Multi-factor authentication on by default for customer administrators\n    kind: technical\n",
    "    title: Multi-factor authentication on by default for customer administrators\n    kind: isms\n" } } },
  expect = { ["6.3-changes-planned"] = { status = "fail", count = 1,
    findings = { { message = "ISMS change CH-2026-06 was planned for 2027-01-25 but has not been approved" } } } },
}
