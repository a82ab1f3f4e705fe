-- Clause 10 Improvement: continual improvement (10.1), nonconformity and
-- corrective action (10.2).
local people = require "people"

local OPEN_ACTION = { planned = true, ["in-progress"] = true }

-- The newest completion date in the records of improvement: actions of
-- management reviews, corrective actions, risk treatment actions and
-- implemented ISMS changes.
local function last_improvement(r)
  local best
  local function take(v)
    local d = isms.date(v)
    if d and d <= r.now and (best == nil or d > best) then best = d end
  end
  for _, m in ipairs(r:records("management_review")) do
    if type(m.actions) == "table" then
      for _, a in people.each(m.actions) do take(a.completed_on) end
    end
  end
  for _, nc in ipairs(r:records("nonconformity")) do
    if type(nc.corrective_action) == "table" then take(nc.corrective_action.completed_on) end
  end
  for _, a in ipairs(r:records("risk_treatment")) do take(a.completed_on) end
  for _, c in ipairs(r:records("change")) do
    if c.kind == "isms" then take(c.implemented_on) end
  end
  return best
end

isms.rule {
  id = "10.1-improvement-actions", clause = "10.1", severity = "minor",
  title = "Improvement actions are followed up and the ISMS is improved continually",
  rationale = "10.1 requires continually improving the suitability, adequacy and effectiveness of the ISMS; actions decided by management are carried out.",
  remediation = "Complete the overdue actions of the management review (status done, completed_on) or re-plan them with a new due date; record the improvements made.",
  params = {
    months = { default = 12, doc = "longest time allowed without a completed improvement" },
  },
  check = function(r)
    for _, m in ipairs(r:records("management_review")) do
      if type(m.actions) == "table" then
        for n, a in people.each(m.actions) do
          local due = isms.date(a.due)
          if due and (a.status == nil or OPEN_ACTION[a.status]) then
            r:valid_until(due)
            if r.now > due then
              r:fail(isms.at(m.actions, n), "action %s of management review %s was due on %s and is %s (%d days overdue)",
                tostring(a.id or n), tostring(m.id), due, tostring(a.status or "not done"), due:days_until(r.now))
            end
          end
        end
      end
    end
    local last = last_improvement(r)
    local months = r:param("months")
    if not last then
      return r:finding("major", "no improvement is recorded: no completed review action, corrective action, treatment action or ISMS change")
    end
    local due = last:add_months(months)
    r:valid_until(due)
    if r.now > due then
      r:fail("the last improvement was completed on %s; nothing has been improved for %d months", last, months)
    end
  end,
}

-- The severity of a finding about nonconformity nc: its own, else the rule's.
local function sev(nc) return nc.severity == "major" and "major" or "minor" end

-- One nonconformity's correction, root cause and corrective action.
local function check_nc(r, nc, days)
  local id, ca = tostring(nc.id), nc.corrective_action
  local raised = isms.date(nc.raised_on)
  local settled = true
  if raised and nc.status ~= "closed" then
    local by = raised:add_days(days)
    r:valid_until(by)
    settled = r.now > by
  end
  if settled then
    local missing = {}
    if not people.present(nc.correction) then missing[#missing + 1] = "correction (10.2 a)" end
    if not people.present(nc.root_cause) then missing[#missing + 1] = "root_cause (10.2 b)" end
    if #missing > 0 then
      r:finding(sev(nc), nc, "nonconformity %s records no %s", id, table.concat(missing, " and "))
    end
  end
  if type(ca) ~= "table" or not people.present(ca.action) then
    if settled then r:finding(sev(nc), nc, "nonconformity %s has no corrective action (corrective_action.action, 10.2 c)", id) end
    return
  end
  if ca.completed_on ~= nil or nc.status == "closed" then return end
  people.in_post(r, ca.owner, ca.owner and isms.at(ca, "owner") or isms.at(nc, "corrective_action"),
    "owner of the corrective action of " .. id)
  local due = isms.date(ca.due)
  if not due then
    return r:finding(sev(nc), isms.at(nc, "corrective_action"), "the corrective action of %s has no due date", id)
  end
  r:valid_until(due)
  if r.now > due then
    r:finding(sev(nc), isms.at(ca, "due"), "the corrective action of %s was due on %s and is not completed (%d days overdue)",
      id, due, due:days_until(r.now))
  end
end

isms.rule {
  id = "10.2-corrective-action", clause = "10.2", severity = "minor",
  title = "Every nonconformity is corrected, its cause found, and its corrective action owned and done on time",
  rationale = "10.2 a) to c) require reacting to each nonconformity, finding its cause and taking action on the cause; documented information is retained of both.",
  remediation = "Record the correction, the root cause and the corrective action (action, owner, due) in nonconformities.yaml; complete it by its due date (completed_on) or agree a new date.",
  params = {
    analysis_days = { default = 30, doc = "days after raising a nonconformity to record its correction, root cause and corrective action" },
  },
  check = function(r)
    local days = r:param("analysis_days")
    for _, nc in ipairs(r:records("nonconformity")) do check_nc(r, nc, days) end
  end,
}

-- Dates of a nonconformity out of order: raised, corrective action
-- completed, effectiveness reviewed, closed must follow each other. Each
-- finding is at the date that comes too early although it should be the
-- later one.
local function check_order(r, nc, done, reviewed)
  local id, ca, eff = tostring(nc.id), nc.corrective_action, nc.effectiveness
  local raised, closed = isms.date(nc.raised_on), isms.date(nc.closed_on)
  if done and raised and done < raised then
    r:fail(isms.at(ca, "completed_on"), "nonconformity %s: its corrective action was completed on %s, before the nonconformity was raised on %s",
      id, done, raised)
  end
  if reviewed and done and reviewed < done then
    r:fail(isms.at(eff, "reviewed_on"), "nonconformity %s: the effectiveness of its corrective action was reviewed on %s, before the action was completed on %s; review it again now that it is done",
      id, reviewed, done)
  end
  if closed then
    if done and closed < done then
      r:fail(isms.at(nc, "closed_on"), "nonconformity %s was closed on %s, before its corrective action was completed on %s",
        id, closed, done)
    elseif reviewed and closed < reviewed then
      r:fail(isms.at(nc, "closed_on"), "nonconformity %s was closed on %s, before the effectiveness of its corrective action was reviewed on %s",
        id, closed, reviewed)
    elseif raised and closed < raised then
      r:fail(isms.at(nc, "closed_on"), "nonconformity %s was closed on %s, before it was raised on %s", id, closed, raised)
    end
  end
end

-- One nonconformity's effectiveness review and closure.
local function check_effectiveness(r, nc, months)
  local id, ca, eff = tostring(nc.id), nc.corrective_action, nc.effectiveness
  local done = type(ca) == "table" and isms.date(ca.completed_on)
  local reviewed = type(eff) == "table" and isms.date(eff.reviewed_on)
  check_order(r, nc, done or nil, reviewed or nil)
  if nc.status == "closed" then
    if type(ca) == "table" and people.present(ca.action) and not done then
      r:fail(isms.at(nc, "status"), "nonconformity %s is closed but its corrective action is not completed (completed_on)", id)
    end
    if not reviewed or eff.reviewed_by == nil then
      r:fail(isms.at(nc, "status"), "nonconformity %s is closed without a review of the corrective action's effectiveness (effectiveness.reviewed_on, reviewed_by)", id)
    elseif eff.effective ~= true then
      r:fail(isms.at(eff, "effective"), "nonconformity %s is closed although its corrective action was not found effective", id)
    end
  elseif done and not reviewed then
    local due = done:add_months(months)
    r:valid_until(due)
    if r.now > due then
      r:fail(isms.at(ca, "completed_on"), "the corrective action of %s was completed on %s; its effectiveness review was due by %s (%d days overdue)",
        id, done, due, due:days_until(r.now))
    end
  end
end

isms.rule {
  id = "10.2-effectiveness-reviewed", clause = "10.2", severity = "minor",
  title = "The effectiveness of every corrective action is reviewed, after the action and before the nonconformity is closed",
  rationale = "10.2 d) requires reviewing the effectiveness of any corrective action taken, and f) retaining its results; a review before the action was completed, or a closure before either, shows nothing.",
  remediation = "Review whether the corrective action worked and record effectiveness (reviewed_on, reviewed_by, effective); close the nonconformity only when it was effective.",
  params = {
    effectiveness_months = { default = 6, doc = "months after completing a corrective action to review its effectiveness" },
  },
  check = function(r)
    local months = r:param("effectiveness_months")
    for _, nc in ipairs(r:records("nonconformity")) do check_effectiveness(r, nc, months) end
  end,
}

isms.rule {
  id = "10.2-audit-nonconformities-recorded", clause = "10.2", severity = "minor",
  title = "Every nonconformity found in an internal audit is in the nonconformity log",
  rationale = "10.2 requires acting on every nonconformity; one found in an audit (9.2.2 f) and not logged is not acted on.",
  remediation = "Raise the nonconformity in nonconformities.yaml and write its id in the audit finding (findings[].nonconformity).",
  check = function(r)
    local ncs = people.index(r:records("nonconformity"), "id")
    for _, rep in ipairs(r:records("audit_report")) do
      if type(rep.findings) == "table" then
        for n, f in people.each(rep.findings) do
          if f.kind == "nonconformity" then
            local ref = f.nonconformity
            if ref == nil then
              r:fail(isms.at(rep.findings, n), "audit %s: nonconformity %s is not linked to a record in the nonconformity log (nonconformity)",
                tostring(rep.id), tostring(f.id or n))
            elseif not ncs[tostring(ref)] then
              r:fail(isms.at(f, "nonconformity"), "audit %s: finding %s refers to nonconformity %s, which is not in nonconformities.yaml",
                tostring(rep.id), tostring(f.id or n), tostring(ref))
            end
          end
        end
      end
    end
  end,
}

isms.rule {
  id = "10.2-certification-findings-closed", clause = "10.2", severity = "major",
  title = "Every nonconformity the certification body raised is in the log and closed in time",
  rationale = "10.2 applies to nonconformities found by the certification body as to any other; the body checks at its next audit that majors were corrected and minors acted on.",
  remediation = "Log each major or minor nonconformity of the certification audit in nonconformities.yaml, write its id in the audit's finding (nonconformity), and complete and close it within the time the body set.",
  params = {
    major_days = { default = 90, doc = "days after the audit's last day to close a major nonconformity" },
    minor_days = { default = 365, doc = "days after the audit's last day to close a minor nonconformity" },
  },
  check = function(r)
    local ncs = people.index(r:records("nonconformity"), "id")
    for _, a in ipairs(r:records("certification_audit")) do
      local ended = isms.date(a.end_on) or isms.date(a.start_on)
      if type(a.findings) == "table" and ended then
        for n, f in people.each(a.findings) do
          if f.grade == "major" or f.grade == "minor" then
            local nc = f.nonconformity and ncs[tostring(f.nonconformity)]
            local by = ended:add_days(r:param(f.grade .. "_days"))
            if f.nonconformity == nil then
              r:fail(isms.at(a.findings, n), "certification audit %s: %s nonconformity %s is not linked to the nonconformity log (nonconformity)",
                tostring(a.id), f.grade, tostring(f.id or n))
            elseif not nc then
              r:fail(isms.at(f, "nonconformity"), "certification audit %s: finding %s refers to nonconformity %s, which is not in nonconformities.yaml",
                tostring(a.id), tostring(f.id or n), tostring(f.nonconformity))
            elseif nc.status ~= "closed" then
              if by < r.now then
                r:fail(isms.at(nc, "id"), "nonconformity %s (%s, certification audit %s) was to be closed by %s and is open (%d days overdue)",
                  tostring(nc.id), f.grade, tostring(a.id), by, by:days_until(r.now))
              else
                r:valid_until(by)
              end
            end
          end
        end
      end
    end
  end,
}
