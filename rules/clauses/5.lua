-- Clause 5 Leadership.
local mgmt = require "mgmt"
local people = require "people"

isms.rule {
  id = "5.1-top-management", clause = "5.1", severity = "minor",
  title = "Top management is named and in post",
  rationale = "5.1 makes top management demonstrate leadership of the ISMS; the repository must say who they are.",
  remediation = "List the person ids of top management under top_management in isms.yaml; replace anyone who has left.",
  check = function(r)
    local m = r:manifest()
    local tm = m and m.top_management
    if type(tm) ~= "table" or #tm == 0 then
      return r:finding("major", m or isms.location("isms.yaml", 0), "isms.yaml names no top management (top_management)")
    end
    for n, id in ipairs(tm) do
      people.in_post(r, id, isms.at(tm, n), "top management member")
    end
  end,
}

-- One waiver of isms.yaml (the n-th of list ws) still in force.
local function check_waiver(r, ws, n, max)
  local w = ws[n]
  local what = "waiver of " .. tostring(w.rule)
  local exp, approved = isms.date(w.expires), isms.date(w.approved_on)
  if not people.present(w.reason) then
    r:fail(isms.at(ws, n), "%s gives no reason", what)
  end
  if w.approved_by == nil then
    r:fail(isms.at(ws, n), "%s names no approver (approved_by); it has no effect until top management accepts it", what)
  else
    -- judged on the day of the approval (today when it has no date)
    local why = people.authority_on(r, w.approved_by, approved, true)
    if why then
      r:fail(isms.at(w, "approved_by"), "%s: its approval%s is not valid: %s", what,
        approved and (" on " .. tostring(approved)) or "", why)
    end
  end
  if not approved then
    r:fail(isms.at(ws, n), "%s records no approval date (approved_on)", what)
  end
  if not exp then
    r:fail(isms.at(ws, n), "%s has no expiry date (expires): a waiver must end, and without one the rule is not waived", what)
  elseif approved and exp > approved:add_months(max) then
    r:fail(isms.at(w, "expires"), "%s runs from %s to %s, longer than %d months: review it and renew it for a shorter time",
      what, approved, exp, max)
  end
end

isms.rule {
  id = "5.1-waivers-approved", clause = "5.1", severity = "minor",
  title = "Every waiver is justified, accepted by top management and limited in time",
  rationale = "Accepting that a requirement is not met is a leadership decision (5.1); a waiver needs a reason, top management's approval and an end.",
  remediation = "Give each waiver in isms.yaml a reason, approved_by (a member of top_management), approved_on and expires; renew it explicitly instead of leaving it open.",
  params = {
    max_months = { default = 24, doc = "longest a waiver may run from its approval" },
  },
  check = function(r)
    local m = r:manifest()
    local ws = m and m.waivers
    if type(ws) ~= "table" or #ws == 0 then return r:not_applicable("isms.yaml grants no waivers") end
    local max = r:param("max_months")
    for n, w in ipairs(ws) do
      if type(w) ~= "table" then
        r:fail(isms.at(ws, n), "entry %d of waivers is not a waiver: give rule, reason, approved_by, approved_on and expires", n)
      else
        local exp = isms.date(w.expires)
        if exp then r:valid_until(exp) end
        if not exp or exp >= r.now then check_waiver(r, ws, n, max) end
      end
    end
  end,
}

isms.rule {
  id = "5.2-policy-approved", clause = "5.2", severity = "major",
  title = "Information security policy approved by top management and reviewed",
  rationale = "Top management establishes the information security policy (5.2) and keeps it suitable.",
  remediation = "Have a member of top management (isms.yaml top_management) approve the policy; record approved_by and approved_on in its front matter and review it within its interval.",
  params = {
    review_months = { default = 12, doc = "months between reviews when the policy sets no review_months" },
  },
  check = function(r)
    local p = mgmt.main_policy(r)
    if not p then
      return r:finding("major", "no information security policy: add a Markdown record under policies/ with `kind: policy`")
    end
    if p.status ~= nil and p.status ~= "approved" then
      r:fail(isms.at(p, "status"), "the policy is %s, not approved", p.status)
    end
    if p.approved_by == nil then
      r:fail(p, "the policy records no approver (approved_by)")
    else
      -- The approver is judged on the day of the approval: top management
      -- then, even if they have left since (the approval stays valid
      -- until the next review).
      local day = isms.date(p.approved_on)
      local why = people.authority_on(r, p.approved_by, day, true)
      if why then
        r:fail(isms.at(p, "approved_by"), "the approval%s is not valid: %s; top management must approve the policy",
          day and (" on " .. tostring(day)) or "", why)
      end
    end
    local months = mgmt.int(p.review_months, r:param("review_months"))
    -- an overdue review is an isolated lapse; no valid approval is major
    mgmt.review_as(r, "minor", p, months, "information security policy")
  end,
}

isms.rule {
  id = "5.3-roles-defined", clause = "5.3", severity = "minor",
  title = "ISMS roles have responsibilities, and one role answers for the ISMS to top management",
  rationale = "5.3 requires responsibilities and authorities for information security roles, including for the ISMS's conformity and for reporting its performance to top management.",
  remediation = "In org/roles.yaml give every role with an isms_role its responsibilities, and a role with `isms_role: isms-manager` that reports_to a top-management role.",
  params = {
    manager_role = { default = "isms-manager", doc = "isms_role of the role responsible for the ISMS (5.3 a, b)" },
  },
  check = function(r)
    local roles = r:records("role")
    if #roles == 0 then return r:finding("major", "no roles and responsibilities are recorded (org/roles.yaml)") end
    local by_id = people.index(roles, "id")
    local want = r:param("manager_role")
    local manager
    for _, role in ipairs(roles) do
      local id = tostring(role.id)
      if role.reports_to ~= nil and not by_id[tostring(role.reports_to)] then
        r:fail(isms.at(role, "reports_to"), "role %s reports to '%s', which is not a role in org/roles.yaml",
          id, tostring(role.reports_to))
      end
      if role.isms_role ~= nil and not people.present(role.responsibilities) then
        r:fail(role, "role %s (%s) lists no responsibilities", id, tostring(role.isms_role))
      end
      if role.isms_role == want then manager = manager or role end
    end
    if not manager then
      return r:fail(roles[1], "no role is responsible for the ISMS and its reporting to top management (isms_role: %s)", want)
    end
    local up = manager.reports_to and by_id[tostring(manager.reports_to)]
    if not up then
      r:fail(manager, "role %s does not report to top management (reports_to)", tostring(manager.id))
    elseif up.isms_role ~= "top-management" and not r:is_top_management(up.holder) then
      r:fail(isms.at(manager, "reports_to"), "role %s reports to %s, which is not a top-management role",
        tostring(manager.id), tostring(up.id))
    end
  end,
}
