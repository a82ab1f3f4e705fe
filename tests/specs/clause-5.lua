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
    findings = { { file = "policies/information-security-policy.md", message = "not top management" } } } },
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
