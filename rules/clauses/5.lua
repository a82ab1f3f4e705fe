-- Clause 5 Leadership.
local checks = require "checks"

-- The information security policy: the policy record of kind `policy`
-- (topic-specific policies are kind `topic-policy`).
local function main_policy(r)
  local found
  for _, p in ipairs(r:records("policy")) do
    if p.kind == "policy" then
      if p.id == "information-security-policy" then return p end
      found = found or p
    end
  end
  return found
end

isms.rule {
  id = "5.2-policy-approved", clause = "5.2", severity = "major",
  title = "Information security policy approved by top management and reviewed",
  rationale = "Top management establishes the information security policy (5.2) and keeps it suitable.",
  remediation = "Have a member of top management (isms.yaml top_management) approve the policy; record approved_by and approved_on in its front matter and review it within its interval.",
  params = {
    review_months = { default = 12, doc = "months between reviews when the policy sets no review_months" },
  },
  check = function(r)
    local p = main_policy(r)
    if not p then
      return r:fail("no information security policy: add a Markdown record under policies/ with `kind: policy`")
    end
    if p.status ~= nil and p.status ~= "approved" then
      r:fail(isms.at(p, "status"), "the policy is %s, not approved", p.status)
    end
    if p.approved_by == nil then
      r:fail(p, "the policy records no approver (approved_by)")
    elseif not r:is_top_management(p.approved_by) then
      r:fail(isms.at(p, "approved_by"), "approved by %s, who is not top management in isms.yaml",
        tostring(p.approved_by))
    end
    local months = p.review_months or r:param("review_months")
    checks.review_due(r, p, "approved_on", months, "information security policy")
  end,
}
