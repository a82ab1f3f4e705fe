-- Clause 9 Performance evaluation: monitoring and measurement (9.1),
-- internal audit (9.2), management review (9.3).
local mgmt = require "mgmt"
local people = require "people"

isms.rule {
  id = "9.1-metrics-defined", clause = "9.1", severity = "minor",
  title = "What is measured, how, how often and by whom is determined",
  rationale = "9.1 requires determining what is monitored and measured, the methods, when, who measures and who analyses and evaluates the results.",
  remediation = "Give each metric in metrics.yaml a method, frequency, target, owner (who measures) and evaluated_by (who analyses the results).",
  check = function(r)
    local metrics = r:records("metric")
    if #metrics == 0 then return r:finding("major", "no monitoring and measurement is defined (metrics.yaml)") end
    local objectives = people.index(r:records("objective"), "id")
    for _, m in ipairs(metrics) do
      local id, missing = tostring(m.id), {}
      for _, k in ipairs({ "method", "frequency", "target", "evaluated_by" }) do
        if not people.present(m[k]) then missing[#missing + 1] = k end
      end
      if #missing > 0 then r:fail(m, "metric %s does not say %s (9.1)", id, table.concat(missing, ", ")) end
      people.in_post(r, m.owner, m.owner and isms.at(m, "owner") or m, "metric " .. id .. " owner")
      if m.objective ~= nil and not objectives[tostring(m.objective)] then
        r:fail(isms.at(m, "objective"), "metric %s measures objective %s, which is not in objectives.yaml", id, tostring(m.objective))
      end
    end
  end,
}

isms.rule {
  id = "9.1-metrics-measured", clause = "9.1", severity = "minor",
  title = "Every metric is measured at its frequency",
  rationale = "9.1 requires monitoring and measurement to be performed when determined, with evidence of the results retained.",
  remediation = "Record the missing measurements (date, value) in metrics.yaml.",
  params = {
    grace_days = { default = 15, doc = "days allowed after a period ends to record its measurement" },
  },
  check = function(r)
    local grace = r:param("grace_days")
    for _, m in ipairs(r:records("metric")) do
      local id, last = tostring(m.id), nil
      if type(m.measurements) == "table" then
        for _, x in people.each(m.measurements) do
          local d = isms.date(x.date)
          if d and d <= r.now and (last == nil or d > last) then last = d end
        end
      end
      local next = last and mgmt.after_period(last, m.frequency)
      if not last then
        r:fail(m, "metric %s has never been measured", id)
      elseif next then
        local due = next:add_days(grace)
        r:valid_until(due)
        if r.now > due then
          r:fail(isms.at(m, "measurements"), "metric %s (%s) was last measured on %s; the next measurement was due by %s (%d days overdue)",
            id, tostring(m.frequency), last, due, due:days_until(r.now))
        end
      end
    end
  end,
}

-- The audit programme, or nil.
local function programme(r) return r:records("audit_programme")[1] end

-- The first and the day after the last day of the programme's cycle.
local function cycle(p)
  local start = isms.date(p.cycle_start)
  local months = mgmt.int(p.cycle_months, nil)
  if start and months then return start, start:add_months(months) end
end

-- Audit reports by their own id and by the audit they record.
local function reports_index(r)
  local idx = {}
  for _, rep in ipairs(r:records("audit_report")) do
    idx[tostring(rep.id)] = rep
    if rep.audit ~= nil then idx[tostring(rep.audit)] = idx[tostring(rep.audit)] or rep end
  end
  return idx
end

isms.rule {
  id = "9.2.1-audits-held", clause = "9.2.1", severity = "major",
  title = "Internal audits are held as planned and at least once per interval",
  rationale = "9.2.1 requires internal audits at planned intervals.",
  remediation = "Hold the audit and record its report under audits/reports/ (status done in the programme), or re-plan it in audits/programme.yaml.",
  params = {
    interval_months = { default = 12, doc = "longest time allowed between two internal audits" },
    grace_days = { default = 30, doc = "days after the planned date before an audit not held counts as late" },
  },
  check = function(r)
    local p = programme(r)
    local reports = reports_index(r)
    local grace = r:param("grace_days")
    if p and type(p.audits) == "table" then
      for _, a in people.each(p.audits) do
        local id, planned = tostring(a.id), isms.date(a.planned_on)
        if a.status == "done" then
          if not reports[tostring(a.report or a.id)] then
            r:fail(isms.at(a, "status"), "audit %s is done but there is no report of it under audits/reports/", id)
          end
        elseif a.status ~= "cancelled" and planned then
          local late = planned:add_days(grace)
          r:valid_until(late)
          if r.now > late then
            -- one late audit is an isolated lapse; no audit in the interval is major
            r:finding("minor", isms.at(a, "planned_on"), "audit %s was planned for %s and has not been held (status %s)",
              id, planned, tostring(a.status or "planned"))
          end
        end
      end
    end
    local last
    for _, rep in ipairs(r:records("audit_report")) do
      local d = isms.date(rep.held_on)
      if d and d <= r.now and (last == nil or d > last) then last = d end
    end
    if not last then return r:fail("no internal audit has been held (audits/reports/)") end
    local due = last:add_months(r:param("interval_months"))
    r:valid_until(due)
    if r.now > due then
      r:fail("the last internal audit was held on %s; the next was due by %s (%d days overdue)", last, due, due:days_until(r.now))
    end
  end,
}

isms.rule {
  id = "9.2.2-programme-defined", clause = "9.2.2", severity = "minor",
  title = "The audit programme is approved and plans the current cycle",
  rationale = "9.2.2 requires planning, establishing and implementing an audit programme, with frequency, methods, responsibilities and reporting.",
  remediation = "Keep audits/programme.yaml approved (approved_by, approved_on) with an owner, the cycle (cycle_start, cycle_months), the auditors and each audit's areas, date and auditor; plan the next cycle before this one ends.",
  check = function(r)
    local p = programme(r)
    if not p then return r:finding("major", "no internal audit programme (audits/programme.yaml)") end
    people.in_post(r, p.owner, p.owner and isms.at(p, "owner") or p, "audit programme owner")
    if p.approved_by == nil or p.approved_on == nil then
      r:fail(p, "the audit programme records no approval (approved_by, approved_on)")
    end
    local start, stop = cycle(p)
    if not start then
      r:fail(p, "the audit programme does not define its cycle (cycle_start, cycle_months)")
    elseif r.now < start then
      r:valid_until(start:add_days(-1))
      r:fail(isms.at(p, "cycle_start"), "the audit cycle starts on %s: no cycle is under way today", start)
    else
      r:valid_until(stop:add_days(-1))
      if r.now >= stop then
        r:fail(isms.at(p, "cycle_start"), "the audit cycle ended on %s: plan the next cycle", stop:add_days(-1))
      end
    end
    if type(p.auditors) ~= "table" or #p.auditors == 0 then
      r:fail(p, "the audit programme names no auditors")
    end
    if type(p.audits) ~= "table" or #p.audits == 0 then
      return r:fail(p, "the audit programme plans no audits")
    end
    for _, a in people.each(p.audits) do
      local missing = {}
      for _, k in ipairs({ "areas", "planned_on", "auditor" }) do
        if not people.present(a[k]) then missing[#missing + 1] = k end
      end
      if #missing > 0 then
        r:fail(a, "audit %s does not say %s", tostring(a.id), table.concat(missing, ", "))
      end
    end
  end,
}

-- The areas covered by audits of the cycle [start, stop) that are not
-- cancelled, and by reports of audits held in it: area -> true.
local function covered_areas(r, p, start, stop)
  local set = {}
  local function add(list)
    for _, x in ipairs(people.items(list)) do set[x] = true end
  end
  for _, a in people.each(p.audits) do
    local d = isms.date(a.planned_on)
    if a.status ~= "cancelled" and d and d >= start and d < stop then add(a.areas) end
  end
  for _, rep in ipairs(r:records("audit_report")) do
    local d = isms.date(rep.held_on)
    if d and d >= start and d < stop then add(rep.areas) end
  end
  return set
end

isms.rule {
  id = "9.2.2-programme-coverage", clause = "9.2.2", severity = "major",
  title = "The audit programme covers every clause and every applicable control within the cycle",
  rationale = "9.2.2 requires the programme to cover the ISMS's requirements, that is clauses 4 to 10 and the controls applicable in the SoA, within the audit cycle.",
  remediation = "Add the missing clauses and controls to the areas of an audit in the cycle (audits/programme.yaml), e.g. areas: [\"9.1\", \"A.5.15\"] or a whole theme \"A.8\".",
  check = function(r)
    local p = programme(r)
    if not p then return r:not_applicable("no audit programme (reported by 9.2.2-programme-defined)") end
    local start, stop = cycle(p)
    if not start then return r:not_applicable("the programme defines no cycle (reported by 9.2.2-programme-defined)") end
    local areas = covered_areas(r, p, start, stop)
    local clauses, controls = {}, {}
    for _, c in ipairs(isms.catalogue.clauses) do
      if c.kind == "requirement" and not mgmt.covered(areas, c.id) then clauses[#clauses + 1] = c.id end
    end
    local has_soa = r:records("soa")[1] ~= nil
    for _, c in ipairs(isms.catalogue.annex_a) do
      local e = has_soa and r:soa(c.id)
      local applicable = not has_soa or (e and e.applicable == true)
      if applicable and not mgmt.covered(areas, "A." .. c.id) then controls[#controls + 1] = "A." .. c.id end
    end
    local at = isms.at(p, "audits")
    local span = string.format("%s to %s", start, stop:add_days(-1))
    if #clauses > 0 then
      r:fail(at, "%d clauses are not audited in the cycle %s: %s", #clauses, span, people.list(clauses, 20))
    end
    if #controls > 0 then
      r:fail(at, "%d applicable Annex A controls are not audited in the cycle %s: %s", #controls, span, people.list(controls, 20))
    end
  end,
}

isms.rule {
  id = "9.2.2-auditor-independence", clause = "9.2.2", severity = "minor",
  title = "Auditors do not audit their own work, department or controls",
  rationale = "9.2.2 c) requires selecting auditors and conducting audits so that the audit process is objective and impartial: an auditor does not audit the areas or SoA controls they own, their own department, or a process in which they are an auditee.",
  remediation = "Give the audit to an auditor from outside the department and process audited who owns none of the controls in its areas (an external auditor, or a colleague from another department), or take the owned areas out of this audit; list in the programme's auditors what each owns (owns).",
  check = function(r)
    local p = programme(r)
    if not p then return r:not_applicable("no audit programme (reported by 9.2.2-programme-defined)") end
    local owns = {}
    for _, a in people.each(p.auditors) do
      if a.person ~= nil then owns[tostring(a.person)] = people.items(a.owns) end
    end
    local controls = mgmt.soa_owned(r)
    local lapses = {}
    -- One audit: its programme entry and its report, judged together.
    local audits, order = {}, {}
    local function entry(key)
      local x = audits[key]
      if not x then x = {}; audits[key] = x; order[#order + 1] = key end
      return x
    end
    for _, a in people.each(p.audits) do
      if a.status ~= "cancelled" then entry(tostring(a.id)).plan = a end
    end
    for _, rep in ipairs(r:records("audit_report")) do
      entry(tostring(rep.audit or rep.id)).rep = rep
    end
    local function union(field, x)
      local out, seen = {}, {}
      local function add(y)
        y = tostring(y)
        if not seen[y] then seen[y] = true; out[#out + 1] = y end
      end
      local recs = {}
      if x.plan then recs[#recs + 1] = x.plan end
      if x.rep then recs[#recs + 1] = x.rep end
      for _, rec in ipairs(recs) do
        local v = rec[field]
        if type(v) == "table" then
          for _, y in ipairs(v) do add(y) end
        elseif v ~= nil then
          add(v)
        end
      end
      return out
    end
    local function check(who, rec, what, x)
      local name = people.name(r, who)
      if not owns[who] then
        return r:fail(isms.at(rec, "auditor"), "%s is led by %s, who is not among the programme's auditors, so independence cannot be shown", what, name)
      end
      local why = mgmt.auditor_conflicts(r, who, owns[who], union("areas", x), union("auditees", x),
        union("departments", x), controls)
      if #why > 0 then
        lapses[#lapses + 1] = { at = isms.at(rec, "auditor"),
          text = string.format("%s: %s is not independent of what they audit: %s", what, name, table.concat(why, "; ")) }
      end
    end
    for _, key in ipairs(order) do
      local x = audits[key]
      -- The audit as held (its report) where there is one, else as planned;
      -- a report led by someone else than planned is judged for both.
      local done, recs = {}, {}
      if x.rep then recs[#recs + 1] = x.rep end
      if x.plan then recs[#recs + 1] = x.plan end
      for _, rec in ipairs(recs) do
        local who = rec.auditor ~= nil and tostring(rec.auditor)
        if who and not done[who] then
          done[who] = true
          check(who, rec, (rec == x.rep and "audit report " or "audit ") .. tostring(rec.id), x)
        end
      end
    end
    -- One audit without independence is an isolated lapse; most audits
    -- of the programme (two or more) is a systemic failure.
    local systemic = #lapses >= 2 and #lapses * 2 > #order
    for _, l in ipairs(lapses) do
      if systemic then
        r:finding("major", l.at, "%s (systemic: %d of %d audits)", l.text, #lapses, #order)
      else
        r:fail(l.at, "%s", l.text)
      end
    end
  end,
}

isms.rule {
  id = "9.2.2-audit-reports-complete", clause = "9.2.2", severity = "minor",
  title = "Audit reports record criteria, areas, auditor and a conclusion reported to management",
  rationale = "9.2.2 requires defining the criteria and scope of each audit, reporting the results to relevant management, and retaining the results.",
  remediation = "Complete the report's front matter (auditor, areas, criteria, conclusion) and mark it final once reported.",
  params = {
    report_days = { default = 30, doc = "days after the audit by which its report must be final" },
  },
  check = function(r)
    local reports = r:records("audit_report")
    if #reports == 0 then return r:not_applicable("no audit reports (reported by 9.2.1-audits-held)") end
    local days = r:param("report_days")
    for _, rep in ipairs(reports) do
      local id, missing = tostring(rep.id), {}
      for _, k in ipairs({ "auditor", "areas", "criteria", "conclusion" }) do
        if not people.present(rep[k]) then missing[#missing + 1] = k end
      end
      if #missing > 0 then r:fail(rep, "audit report %s does not record %s", id, table.concat(missing, ", ")) end
      local held = isms.date(rep.held_on)
      if rep.status ~= "final" and held then
        local due = held:add_days(days)
        r:valid_until(due)
        if r.now > due then
          r:fail(isms.at(rep, "status"), "audit report %s of %s is still %s; it was due final by %s", id, held,
            tostring(rep.status or "not final"), due)
        end
      end
    end
  end,
}

-- The inputs 9.3.2 requires, by field of the management review's inputs.
local INPUTS = {
  { "previous_actions", "status of actions from previous management reviews (a)" },
  { "context_changes", "changes in external and internal issues (b)" },
  { "interested_parties", "changes in needs and expectations of interested parties (c)" },
  { "nonconformities", "nonconformities and corrective actions (d 1)" },
  { "monitoring", "monitoring and measurement results (d 2)" },
  { "audit_results", "audit results (d 3)" },
  { "objectives", "fulfilment of information security objectives (d 4)" },
  { "feedback", "feedback from interested parties (e)" },
  { "risk_assessment", "results of risk assessment and status of the risk treatment plan (f)" },
  { "improvement", "opportunities for continual improvement (g)" },
}

local function latest_review(r)
  local best, best_date
  for _, m in ipairs(r:records("management_review")) do
    local d = isms.date(m.held_on)
    if d and d <= r.now and (best_date == nil or d > best_date) then best, best_date = m, d end
  end
  return best, best_date
end

-- The first day of the period whose management reviews are sampled: the
-- certificate's issue when it is less than three years old (the
-- certification cycle), else three years back from today.
local function review_period(r)
  local back = r.now:add_months(-36)
  local m = r:manifest()
  local issued = m and type(m.certificate) == "table" and isms.date(m.certificate.issued)
  if issued and issued <= r.now and issued > back then return issued end
  return back
end

-- Every management review held in the period up to today, oldest first.
local function reviews_in_period(r)
  local from, out = review_period(r), {}
  for _, m in ipairs(r:records("management_review")) do
    local d = isms.date(m.held_on)
    if d and d >= from and d <= r.now then out[#out + 1] = { m = m, d = d } end
  end
  table.sort(out, function(x, y) return x.d < y.d end)
  return out, from
end

isms.rule {
  id = "9.3-review-held", clause = "9.3.1", severity = "major",
  title = "Top management reviews the ISMS at planned intervals",
  rationale = "9.3.1 requires top management to review the ISMS at planned intervals; each review is judged by the top management of its day.",
  remediation = "Hold a management review with top management and record it under reviews/ with held_on, chaired_by, attendees, inputs, decisions and actions.",
  params = { interval_months = { default = 12, doc = "months allowed between management reviews" } },
  check = function(r)
    local m, held = latest_review(r)
    if not m then return r:fail("no management review has been recorded (reviews/*.md)") end
    local due = held:add_months(r:param("interval_months"))
    r:valid_until(due)
    if r.now > due then
      r:fail(isms.at(m, "held_on"), "the last management review was on %s; the next was due by %s (%d days overdue)",
        held, due, due:days_until(r.now))
    end
    -- Every review of the period: top management took part on the day,
    -- as its chair or among its attendees.
    for _, x in ipairs(reviews_in_period(r)) do
      local rv, day = x.m, x.d
      local ok = rv.chaired_by ~= nil and people.top_management_on(r, rv.chaired_by, day)
      if not ok then
        for _, a in ipairs(people.items(rv.attendees)) do
          if people.top_management_on(r, a, day) then ok = true; break end
        end
      end
      if not ok then
        local _, why = people.top_management_on(r, rv.chaired_by, day)
        r:fail(rv.chaired_by ~= nil and isms.at(rv, "chaired_by") or rv,
          "management review %s of %s: no member of top management of that day chaired or attended it (chair: %s%s)",
          tostring(rv.id), day, people.name(r, rv.chaired_by), rv.chaired_by ~= nil and (", who " .. tostring(why)) or "")
      end
    end
  end,
}

isms.rule {
  id = "9.3-review-inputs", clause = "9.3.2", severity = "minor",
  title = "Every management review considers every required input",
  rationale = "9.3.2 lists the inputs a management review shall include; every review of the certification cycle is sampled, not only the newest.",
  remediation = "Record each missing input under `inputs:` in the review's front matter (what was presented and concluded); at the next review, cover what an earlier one left out.",
  check = function(r)
    local list, from = reviews_in_period(r)
    if #list == 0 then return r:not_applicable("no management review recorded since " .. tostring(from)) end
    for _, x in ipairs(list) do
      local m = x.m
      local inputs = m.inputs
      if type(inputs) ~= "table" then
        r:fail(m, "management review %s of %s records no inputs", tostring(m.id), x.d)
      else
        for _, k in ipairs(INPUTS) do
          if not people.present(inputs[k[1]]) then
            r:fail(isms.at(m, "inputs"), "management review %s: input missing: %s (inputs.%s)", tostring(m.id), k[2], k[1])
          end
        end
      end
    end
  end,
}

isms.rule {
  id = "9.3-review-outputs", clause = "9.3.3", severity = "minor",
  title = "Every management review records decisions and actions",
  rationale = "9.3.3 requires the results of each management review to include decisions on improvement and changes, retained as documented information; every review of the certification cycle is sampled, not only the newest.",
  remediation = "Record the review's decisions and the resulting actions with owner and due date; for a review already held, add what was decided from its minutes, or take the decisions at the next review.",
  check = function(r)
    local list, from = reviews_in_period(r)
    if #list == 0 then return r:not_applicable("no management review recorded since " .. tostring(from)) end
    local empty = 0
    for _, x in ipairs(list) do
      if not people.present(x.m.decisions) and not people.present(x.m.actions) then empty = empty + 1 end
    end
    -- Systemic when no review of the period recorded any output.
    local sev = (empty == #list and #list > 1) and "major" or "minor"
    for _, x in ipairs(list) do
      local m = x.m
      if not people.present(m.decisions) then
        r:finding(sev, m, "management review %s of %s records no decisions (9.3.3)%s", tostring(m.id), x.d,
          people.present(m.actions) and "" or " and no actions")
      end
      if type(m.actions) == "table" then
        for n, a in people.each(m.actions) do
          if a.owner == nil or a.due == nil then
            r:fail(isms.at(m.actions, n), "management review %s: action %s has no owner or due date", tostring(m.id), tostring(a.id or n))
          end
        end
      end
    end
  end,
}
