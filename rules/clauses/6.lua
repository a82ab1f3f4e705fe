-- Clause 6 Planning: actions to address risks and opportunities (6.1),
-- objectives (6.2), planning of changes (6.3).
local mgmt = require "mgmt"
local people = require "people"
local soalib = require "soa"

local function method(r) return r:records("risk_method")[1] end

local function scale_values(list)
  local set, n = {}, 0
  if type(list) == "table" then
    for _, s in people.each(list) do
      if s.value ~= nil then set[s.value] = true; n = n + 1 end
    end
  end
  return set, n
end

-- The acceptance threshold of the method, or nil.
local function threshold(m)
  local t = m and m.acceptance_threshold
  if type(t) == "number" then return t end
end

-- What the risk rules take from the method, once per evaluation, so that
-- their r:each iterations read it through r (r:shared): the method, its
-- likelihood and impact scales as sets, its scorer and its threshold.
local function scoring(r)
  local m = method(r)
  return { m = m, ls = scale_values(m and m.likelihood), is = scale_values(m and m.impact),
    score = mgmt.scorer(m), limit = threshold(m) }
end

isms.rule {
  id = "6.1.1-context-addressed", clause = "6.1.1", severity = "minor",
  title = "The risks and opportunities from the context are determined and addressed",
  rationale = "6.1.1 requires considering the issues of 4.1 and the requirements of 4.2 to determine the risks and opportunities that need to be addressed.",
  remediation = "For each issue in context/issues.yaml say how it affects the ISMS and what is done about it (effect), and list under `risks` only ids that are in the risk register.",
  check = function(r)
    local issues = r:records("context_issue")
    if #issues == 0 then return r:not_applicable("no context issues (reported by 4.1-context-issues)") end
    local risks = people.index(r:records("risk"), "id")
    for _, c in ipairs(issues) do
      local id = tostring(c.id)
      if not people.present(c.effect) then
        r:fail(c, "issue %s: the record does not say how it affects the ISMS or what is done about it (effect)", id)
      end
      for n, k in ipairs(people.items(c.risks)) do
        if not risks[k] then
          r:fail(isms.at(c.risks, n), "issue %s refers to risk %s, which is not in the risk register", id, k)
        end
      end
    end
  end,
}

isms.rule {
  id = "6.1.2-risk-method", clause = "6.1.2", severity = "major",
  title = "Risk assessment method defines scales and acceptance criteria",
  rationale = "6.1.2 a) and b) require risk acceptance criteria and criteria for assessments that give consistent, comparable results.",
  remediation = "Record the method in risk/method.yaml: likelihood and impact scales, scoring, acceptance_threshold, owner and approval; review it within its interval.",
  params = {
    review_months = { default = 12, doc = "months between reviews when the method sets no review_months" },
  },
  check = function(r)
    local m = method(r)
    if not m then return r:fail("no risk assessment method (risk/method.yaml)") end
    local _, nl = scale_values(m.likelihood)
    local _, ni = scale_values(m.impact)
    if nl < 2 then r:fail(isms.at(m, "likelihood"), "the likelihood scale needs at least two levels") end
    if ni < 2 then r:fail(isms.at(m, "impact"), "the impact scale needs at least two levels") end
    if m.scoring == "matrix" and (type(m.matrix) ~= "table" or #m.matrix < nl * ni) then
      r:fail(isms.at(m, "scoring"), "scoring is by matrix, but the matrix does not give a score for all %d pairs of likelihood and impact", nl * ni)
    end
    if not threshold(m) then
      r:fail(m, "no numeric acceptance_threshold: the criteria for accepting risk are not defined")
    end
    if m.approved_by == nil then
      r:fail(m, "the method records no approver (approved_by)")
    else
      local why = people.authority_on(r, m.approved_by, m.approved_on)
      if why then
        r:fail(isms.at(m, "approved_by"), "the method's approval on %s is not valid: %s",
          tostring(isms.date(m.approved_on) or "an unknown date"), why)
      end
      local months = mgmt.int(m.review_months, r:param("review_months"))
      mgmt.review_as(r, "minor", m, months, "risk assessment method")
    end
  end,
}

isms.rule {
  id = "6.1.2-risk-owner", clause = "6.1.2", severity = "major",
  title = "Every risk has an owner",
  rationale = "6.1.2 c) 2) requires identifying the risk owners.",
  remediation = "Name the accountable person's id in `owner` for each risk in the register.",
  check = function(r)
    local risks = r:records("risk")
    if #risks == 0 then return r:fail("the risk register is empty or missing (risk/register.yaml)") end
    r:each("risk", function(k)
      if k.status ~= "closed" then
        people.in_post(r, k.owner, k.owner and isms.at(k, "owner") or k,
          "risk " .. tostring(k.id) .. " owner")
      end
    end)
  end,
}

isms.rule {
  id = "6.1.2-risk-scored", clause = "6.1.2", severity = "minor",
  title = "Every risk is scored on the method's scales",
  rationale = "6.1.2 d) requires analysing likelihood and consequences, and b) consistent results.",
  remediation = "Give each risk a likelihood and impact from the scales in risk/method.yaml; keep score equal to the method's calculation.",
  check = function(r)
    r:each("risk", function(k)
      local sc = r:shared("6.scoring", scoring)
      local m, ls, is, score = sc.m, sc.ls, sc.is, sc.score
      local id = tostring(k.id)
      local l, i = k.likelihood, k.impact
      if type(l) ~= "number" or type(i) ~= "number" then
        r:fail(k, "risk %s has no likelihood and impact score", id)
      else
        if m and not ls[l] then r:fail(isms.at(k, "likelihood"), "risk %s: likelihood %s is not on the method's scale", id, tostring(l)) end
        if m and not is[i] then r:fail(isms.at(k, "impact"), "risk %s: impact %s is not on the method's scale", id, tostring(i)) end
        local s = score(l, i)
        if k.score ~= nil and s ~= nil and k.score ~= s then
          r:fail(isms.at(k, "score"), "risk %s: score %s does not match likelihood %d and impact %d (%s)",
            id, tostring(k.score), l, i, tostring(s))
        end
      end
      local rl, ri = k.residual_likelihood, k.residual_impact
      if m and type(rl) == "number" and not ls[rl] then
        r:fail(isms.at(k, "residual_likelihood"), "risk %s: residual likelihood %s is not on the method's scale", id, tostring(rl))
      end
      if m and type(ri) == "number" and not is[ri] then
        r:fail(isms.at(k, "residual_impact"), "risk %s: residual impact %s is not on the method's scale", id, tostring(ri))
      end
    end)
  end,
}

isms.rule {
  id = "6.1.2-risk-assessed", clause = "6.1.2", severity = "minor",
  title = "Risks are re-assessed within the planned interval",
  rationale = "8.2 and 6.1.2 require assessing risks at planned intervals.",
  remediation = "Re-assess the risk, update likelihood and impact, and record assessed_on.",
  params = {
    reassessment_months = { default = 12, doc = "months between assessments of a risk when the method sets no reassessment_months" },
  },
  check = function(r)
    local default = r:param("reassessment_months")
    r:each("risk", function(k)
      if k.status ~= "closed" then
        local m = r:shared("6.scoring", scoring).m
        local months = mgmt.int(m and m.reassessment_months, default)
        mgmt.due(r, k, "assessed_on", months, "risk " .. tostring(k.id), "assessed", "re-assessment")
      end
    end)
  end,
}

isms.rule {
  id = "6.1.3-soa-complete", clause = "6.1.3", severity = "major",
  title = "The Statement of Applicability decides every Annex A control",
  rationale = "6.1.3 d) requires a Statement of Applicability with every necessary control and whether it is implemented, with justification for exclusions.",
  remediation = "List every Annex A control in soa.yaml with `applicable: true` or `false`; remove unknown or duplicate entries.",
  check = function(r)
    local soa = r:records("soa")[1]
    if not soa then return r:fail("no Statement of Applicability (soa.yaml)") end
    local seen = {}
    if type(soa.controls) == "table" then
      for n, e in people.each(soa.controls) do
        local id = isms.text(e, "control")
        if id == nil then
          r:fail(isms.at(soa.controls, n), "an SoA entry names no control")
        elseif not isms.control(id) then
          r:fail(isms.at(e, "control"), "'%s' is not an ISO/IEC 27001:2022 Annex A control", id)
        elseif seen[id] then
          r:fail(isms.at(e, "control"), "control %s is listed twice (first at line %d)", id, seen[id].line)
        else
          seen[id] = isms.at(e, "control")
          if type(e.applicable) ~= "boolean" then
            r:fail(isms.at(e, "applicable"), "control %s: applicable must be true or false", id)
          end
        end
      end
    end
    local missing = {}
    for _, c in ipairs(isms.catalogue.annex_a) do
      if not seen[c.id] then missing[#missing + 1] = c.id end
    end
    if #missing > 0 then
      r:fail(isms.at(soa, "controls") or soa, "%d of 93 Annex A controls are not decided: %s",
        #missing, table.concat(missing, ", "))
    end
  end,
}

isms.rule {
  id = "6.1.3-soa-exclusions-justified", clause = "6.1.3", severity = "minor",
  title = "Every excluded control is justified in the SoA with a reason",
  rationale = "6.1.3 d) requires the justification for excluding any Annex A control: a reason (scope, risk assessment result, no such asset or activity, law or contract), not a placeholder.",
  remediation = "Write why the control is not needed in `justification`: what in the scope, the risk assessment or the absence of the asset or activity makes it unnecessary. \"N/A\", \"-\" or the control's title are not reasons.",
  check = function(r)
    local soa = r:records("soa")[1]
    if not soa or type(soa.controls) ~= "table" then return r:not_applicable("no SoA") end
    local bad, excluded = {}, 0
    for _, e in people.each(soa.controls) do
      if e.applicable == false then
        excluded = excluded + 1
        local id = isms.text(e, "control") or "?"
        local why = soalib.justification_problem(e.justification, id)
        if why then bad[#bad + 1] = { e = e, id = id, why = why } end
      end
    end
    -- Systemic when at least three exclusions, and most of them, have no
    -- reason: the SoA was not thought through.
    local systemic = #bad >= 3 and #bad * 2 > excluded
    for _, b in ipairs(bad) do
      local at = people.present(b.e.justification) and isms.at(b.e, "justification") or b.e
      local msg = b.why == "gives no justification" and "control %s is excluded without a justification"
        or ("control %s is excluded and " .. b.why:gsub("%%", "%%%%"))
      if systemic then
        r:finding("major", at, msg .. " (systemic: %d of %d exclusions give no reason)", b.id, #bad, excluded)
      else
        r:fail(at, msg, b.id)
      end
    end
  end,
}

isms.rule {
  id = "6.1.3-soa-approved", clause = "6.1.3", severity = "minor",
  title = "The Statement of Applicability is owned, approved and reviewed",
  rationale = "6.1.3 d) requires producing the Statement of Applicability; as documented information it is approved and kept current (7.5.2).",
  remediation = "Record the SoA's owner, approved_by and approved_on in soa.yaml, and review it within its interval and after each risk re-assessment.",
  params = {
    review_months = { default = 12, doc = "months between reviews of the SoA" },
  },
  check = function(r)
    local soa = r:records("soa")[1]
    if not soa then return r:not_applicable("no SoA (reported by 6.1.3-soa-complete)") end
    people.in_post(r, soa.owner, soa.owner and isms.at(soa, "owner") or soa, "SoA owner")
    if soa.approved_by == nil then
      r:fail(soa, "the SoA records no approver (approved_by)")
    else
      local why = people.authority_on(r, soa.approved_by, soa.approved_on)
      if why then
        r:fail(isms.at(soa, "approved_by"), "the SoA's approval on %s is not valid: %s",
          tostring(isms.date(soa.approved_on) or "an unknown date"), why)
      end
    end
    mgmt.review(r, soa, r:param("review_months"), "Statement of Applicability")
  end,
}

isms.rule {
  id = "6.1.3-risk-controls-applicable", clause = "6.1.3", severity = "minor",
  title = "Controls chosen to treat risks are applicable in the SoA",
  rationale = "6.1.3 b) to d) require the SoA to contain every control determined necessary by the risk treatment.",
  remediation = "Mark the control applicable in soa.yaml with its justification, or remove it from the risk or treatment action.",
  check = function(r)
    if not r:records("soa")[1] then return r:not_applicable("no SoA (reported by 6.1.3-soa-complete)") end
    local function check_list(rec, what)
      if type(rec.controls) ~= "table" then return end
      for n, c in ipairs(rec.controls) do
        local e = r:soa(c)
        if e and e.applicable == false then
          r:fail(isms.at(rec.controls, n), "%s is treated with control %s, which the SoA excludes", what, tostring(c))
        end
      end
    end
    r:each("risk", function(k)
      if k.status ~= "closed" then check_list(k, "risk " .. tostring(k.id)) end
    end)
    for _, a in ipairs(r:records("risk_treatment")) do
      check_list(a, "treatment action " .. tostring(a.id))
    end
  end,
}

-- The residual score of a risk, or nil.
local function residual(score, k) return score(k.residual_likelihood, k.residual_impact) end

-- Who must accept the residual risk of k, as a finding message when the
-- acceptor is wrong; nil when right. The acceptor is judged on the day of
-- the acceptance: in post then, and top management then when the
-- residual risk is above the threshold.
local function wrong_acceptor(r, k, above)
  local by = tostring(k.residual_accepted_by)
  local day = isms.date(k.residual_accepted_on)
  if above and r:param("top_management_above_threshold") then
    local why = people.authority_on(r, by, day, true)
    if why then
      return string.format("the residual risk is above the threshold and its acceptance on %s is not valid: %s",
        tostring(day or "an unknown date"), why)
    end
  else
    local why = people.authority_on(r, by, day)
    if why then
      return string.format("the acceptance of the residual risk on %s is not valid: %s", tostring(day or "an unknown date"), why)
    end
    if k.owner ~= nil and by ~= tostring(k.owner) then
      return string.format("residual risk accepted by %s, not by the risk owner %s",
        people.name(r, by), people.name(r, k.owner))
    end
  end
end

isms.rule {
  id = "6.1.3-residual-risk-accepted", clause = "6.1.3", severity = "major",
  title = "Risks above the acceptance threshold are treated and the residual risk accepted by the owner",
  rationale = "6.1.3 requires selecting treatment options and controls, and the risk owners' approval of the plan and acceptance of residual risk.",
  remediation = "For each risk scoring above the threshold, record treatment, the Annex A controls, the residual likelihood and impact, and the owner's acceptance (residual_accepted_by, residual_accepted_on).",
  params = {
    top_management_above_threshold = { default = true,
      doc = "a residual risk still above the threshold must be accepted by top management" },
  },
  check = function(r)
    if not r:shared("6.scoring", scoring).limit then
      return r:not_applicable("the method sets no acceptance threshold")
    end
    r:each("risk", function(k)
      local sc = r:shared("6.scoring", scoring)
      local limit, score = sc.limit, sc.score
      local s = score(k.likelihood, k.impact)
      if s == nil and type(k.score) == "number" then s = k.score end
      local accept = k.treatment == "accept"
      if k.status ~= "closed" and s and (s > limit or accept) then
        local id = tostring(k.id)
        if k.treatment == nil or (accept and s > limit) then
          r:fail(k, "risk %s scores %s, above the threshold %s, but is not treated", id, tostring(s), tostring(limit))
        elseif k.treatment == "mitigate" and not people.present(k.controls) then
          r:fail(k, "risk %s is mitigated but names no Annex A controls", id)
        end
        local rs = residual(score, k)
        if k.residual_accepted_by == nil or k.residual_accepted_on == nil then
          r:fail(k, "risk %s: the residual risk%s has not been accepted by its owner (residual_accepted_by, residual_accepted_on)",
            id, rs and (" (score " .. tostring(rs) .. ")") or "")
        else
          local wrong = wrong_acceptor(r, k, rs ~= nil and rs > limit)
          if wrong then r:fail(isms.at(k, "residual_accepted_by"), "risk %s: %s", id, wrong) end
        end
      end
    end)
  end,
}

-- Objectives still to be reached.
local function active_objective(o)
  return o.status == nil or o.status == "planned" or o.status == "in-progress"
end

isms.rule {
  id = "6.2-objectives-planned", clause = "6.2", severity = "minor",
  title = "Information security objectives are measurable and planned: what, who, by when, with what",
  rationale = "6.2 requires measurable objectives and planning what will be done, with what resources, by whom, by when and how results are evaluated.",
  remediation = "Give each objective in objectives.yaml a measure (or metric) and target, an owner, a due date, resources and how it is evaluated; record the outcome when it falls due.",
  check = function(r)
    local objectives = r:records("objective")
    if #objectives == 0 then return r:finding("major", "no information security objectives are recorded (objectives.yaml)") end
    local metrics = people.index(r:records("metric"), "id")
    for _, o in ipairs(objectives) do
      if active_objective(o) then
        local id, missing = tostring(o.id), {}
        if not people.present(o.measure) and o.metric == nil then missing[#missing + 1] = "measure" end
        for _, k in ipairs({ "target", "due", "resources", "evaluation" }) do
          if not people.present(o[k]) then missing[#missing + 1] = k end
        end
        if #missing > 0 then
          r:fail(o, "objective %s does not say %s (6.2)", id, table.concat(missing, ", "))
        end
        people.in_post(r, o.owner, o.owner and isms.at(o, "owner") or o, "objective " .. id .. " owner")
        if o.metric ~= nil and not metrics[tostring(o.metric)] then
          r:fail(isms.at(o, "metric"), "objective %s is measured by metric %s, which is not in metrics.yaml", id, tostring(o.metric))
        end
        local due = isms.date(o.due)
        if due then
          r:valid_until(due)
          if r.now > due then
            r:fail(isms.at(o, "due"), "objective %s was due on %s and is still %s: record whether it was achieved",
              id, due, tostring(o.status or "open"))
          end
        end
      end
    end
  end,
}

-- The newest result of an objective, its own or its metric's.
local function newest_result(o, metrics)
  local best
  local function take(list)
    if type(list) ~= "table" then return end
    for _, x in people.each(list) do
      local d = isms.date(x.date)
      if d and (best == nil or d > best) then best = d end
    end
  end
  take(o.results)
  local m = o.metric ~= nil and metrics[tostring(o.metric)]
  if m then take(m.measurements) end
  return best
end

isms.rule {
  id = "6.2-objectives-monitored", clause = "6.2", severity = "minor",
  title = "Progress on each objective is monitored",
  rationale = "6.2 d) requires objectives to be monitored, and 6.2 j) their results to be evaluated.",
  remediation = "Record results of each objective (results: date, value) or measure it through its metric at least once per interval.",
  params = {
    results_months = { default = 12, doc = "months allowed without a recorded result" },
  },
  check = function(r)
    local metrics = people.index(r:records("metric"), "id")
    local months = r:param("results_months")
    for _, o in ipairs(r:records("objective")) do
      if active_objective(o) then
        local id, last = tostring(o.id), newest_result(o, metrics)
        if not last then
          r:fail(o, "objective %s has no recorded result", id)
        else
          local due = last:add_months(months)
          r:valid_until(due)
          if r.now > due then
            r:fail(isms.at(o, "results"), "objective %s: the last result is of %s; one was due by %s (%d days overdue)",
              id, last, due, due:days_until(r.now))
          end
        end
      end
    end
  end,
}

isms.rule {
  id = "6.3-changes-planned", clause = "6.3", severity = "minor",
  title = "Changes to the ISMS are assessed and approved before they are made",
  rationale = "6.3 requires changes to the ISMS to be carried out in a planned manner.",
  remediation = "For each change of kind isms in changes.yaml record its impact_assessment (purpose and consequences), approved_by and approved_on before implementing it.",
  check = function(r)
    for _, c in ipairs(r:records("change")) do
      if c.kind ~= "technical" and c.status ~= "rejected" and c.status ~= "cancelled" then
        local id = tostring(c.id)
        local planned, approved = isms.date(c.planned_on), isms.date(c.approved_on)
        local impl = isms.date(c.implemented_on)
        if c.status == "requested" or c.status == nil then
          if planned then
            r:valid_until(planned:add_days(-1))
            if planned <= r.now then
              r:fail(isms.at(c, "planned_on"), "ISMS change %s was planned for %s but has not been approved", id, planned)
            end
          end
        else
          if not people.present(c.impact_assessment) then
            r:fail(c, "ISMS change %s records no assessment of its purpose and consequences (impact_assessment)", id)
          end
          if c.approved_by == nil or not approved then
            r:fail(c, "ISMS change %s is %s without a recorded approval (approved_by, approved_on)", id, tostring(c.status))
          elseif impl and approved > impl then
            r:fail(isms.at(c, "approved_on"), "ISMS change %s was approved on %s, after it was made on %s", id, approved, impl)
          end
        end
      end
    end
  end,
}
