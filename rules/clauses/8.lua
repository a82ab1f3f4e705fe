-- Clause 8 Operation: the plans of clause 6 carried out.
local mgmt = require "mgmt"
local people = require "people"

local NOT_DONE = { partial = true, planned = true, ["not-implemented"] = true }
local CLOSED_CHANGE = { implemented = true, rejected = true, cancelled = true }

-- Open treatment actions by control, and the ids of open actions and
-- changes, that can carry the implementation of a control.
local function plans(r)
  local by_control, ids = {}, {}
  for _, a in ipairs(r:records("risk_treatment")) do
    if a.status ~= "done" then
      ids[tostring(a.id)] = true
      for _, c in ipairs(people.items(a.controls)) do by_control[c] = true end
    end
  end
  for _, c in ipairs(r:records("change")) do
    if not CLOSED_CHANGE[c.status] then ids[tostring(c.id)] = true end
  end
  return by_control, ids
end

-- Whether an SoA entry's notes or justification cite an open plan.
local function cites(e, ids)
  for _, field in ipairs({ "notes", "justification" }) do
    for w in pairs(people.words(e[field])) do
      if ids[w] then return true end
    end
  end
  return false
end

isms.rule {
  id = "8.1-planned-controls-on-track", clause = "8.1", severity = "minor",
  title = "Every applicable control not yet implemented has a plan that implements it",
  rationale = "8.1 requires implementing the actions planned in clause 6; an applicable control that is only partly in place needs a plan with an owner and a date.",
  remediation = "Add a risk treatment action listing the control (owner, due), or cite the treatment action or change that implements it in the SoA entry's notes.",
  check = function(r)
    local soa = r:records("soa")[1]
    if not soa or type(soa.controls) ~= "table" then return r:not_applicable("no SoA (reported by 6.1.3-soa-complete)") end
    local by_control, ids = plans(r)
    for _, e in people.each(soa.controls) do
      local c = isms.text(e, "control")
      if e.applicable == true and NOT_DONE[e.status] and c and not by_control[c] and not cites(e, ids) then
        r:fail(isms.at(e, "status"), "control %s is %s in the SoA, but no open treatment action lists it and its notes cite no open plan or change",
          c, tostring(e.status))
      end
    end
  end,
}

isms.rule {
  id = "8.1-changes-implemented", clause = "8.1", severity = "minor",
  title = "Approved changes are carried out as planned and recorded",
  rationale = "8.1 requires controlling planned changes and keeping records that processes were carried out as planned.",
  remediation = "Record the change as implemented (status, implemented_on), or re-plan it (planned_on) or cancel it.",
  params = {
    grace_days = { default = 30, doc = "days after planned_on before an approved change counts as late" },
  },
  check = function(r)
    local grace = r:param("grace_days")
    for _, c in ipairs(r:records("change")) do
      local id, planned = tostring(c.id), isms.date(c.planned_on)
      if c.status == "approved" and planned then
        local late = planned:add_days(grace)
        r:valid_until(late)
        if r.now > late then
          r:fail(isms.at(c, "planned_on"), "change %s was planned for %s and is still only approved (%d days later): record it as implemented, re-plan or cancel it",
            id, planned, planned:days_until(r.now))
        end
      elseif c.status == "implemented" and c.implemented_on == nil then
        r:fail(c, "change %s is implemented but records no implemented_on date", id)
      end
    end
  end,
}

isms.rule {
  id = "8.2-changes-risk-assessed", clause = "8.2", severity = "minor",
  title = "Proposed changes to systems are risk-assessed before approval",
  rationale = "8.2 requires information security risk assessments when significant changes are proposed.",
  remediation = "Record the change's effect on information security and the risks concerned in its impact_assessment before it is made.",
  check = function(r)
    for _, c in ipairs(r:records("change")) do
      if c.kind ~= "isms" and c.status == "approved" and not people.present(c.impact_assessment) then
        r:fail(c, "change %s is approved without an assessment of its risks (impact_assessment)", tostring(c.id))
      end
    end
  end,
}

local TREATED = { mitigate = true, transfer = true, avoid = true }

-- One action of the treatment plan.
local function check_action(r, a, risks)
  local id = tostring(a.id)
  if not risks[tostring(a.risk)] then
    r:fail(isms.at(a, "risk"), "treatment action %s treats risk %s, which is not in the register", id, tostring(a.risk))
  end
  if a.status == "done" then
    if a.completed_on == nil then r:fail(a, "treatment action %s is done but records no completed_on date", id) end
    return
  end
  people.in_post(r, a.owner, a.owner and isms.at(a, "owner") or a, "treatment action " .. id .. " owner")
  local due = isms.date(a.due)
  if not due then
    return r:fail(a, "treatment action %s has no due date", id)
  end
  r:valid_until(due)
  if r.now > due then
    r:fail(isms.at(a, "due"), "treatment action %s was due on %s and is %s (%d days overdue)",
      id, due, tostring(a.status or "not done"), due:days_until(r.now))
  end
end

isms.rule {
  id = "8.3-treatment-plan-implemented", clause = "8.3", severity = "minor",
  title = "The risk treatment plan is carried out: each action owned, dated and done on time",
  rationale = "8.3 requires implementing the risk treatment plan and retaining the results of risk treatment.",
  remediation = "Plan at least one action (risk/treatment-plan.yaml) for every risk treated above the threshold, with owner and due date; record completion or re-plan late actions.",
  check = function(r)
    local m = r:records("risk_method")[1]
    local limit = m and type(m.acceptance_threshold) == "number" and m.acceptance_threshold
    local score = mgmt.scorer(m)
    local actions = r:records("risk_treatment")
    local by_risk = people.group(actions, "risk")
    local risks = {}
    for _, k in ipairs(r:records("risk")) do
      local id = tostring(k.id)
      risks[id] = true
      local s = score(k.likelihood, k.impact)
      if limit and s and s > limit and k.status ~= "closed" and TREATED[k.treatment] and not by_risk[id] then
        r:fail(k, "risk %s scores %s, above the threshold %s, and is to be treated (%s), but the treatment plan has no action for it",
          id, tostring(s), tostring(limit), k.treatment)
      end
    end
    for _, a in ipairs(actions) do check_action(r, a, risks) end
  end,
}
