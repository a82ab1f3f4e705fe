-- Clause 6 Planning: risk assessment (6.1.2) and risk treatment (6.1.3).
local checks = require "checks"

local function method(r) return r:records("risk_method")[1] end

local function scale_values(list)
  local set, n = {}, 0
  if type(list) == "table" then
    for _, s in ipairs(list) do
      if s.value ~= nil then set[s.value] = true; n = n + 1 end
    end
  end
  return set, n
end

local function score(m, l, i)
  if m and m.scoring == "add" then return l + i end
  return l * i
end

isms.rule {
  id = "6.1.2-risk-method", clause = "6.1.2", severity = "major",
  title = "Risk assessment method defines scales and acceptance criteria",
  rationale = "6.1.2 a) and b) require risk acceptance criteria and criteria for assessments that give consistent, comparable results.",
  remediation = "Record the method in risk/method.yaml: likelihood and impact scales, scoring, acceptance_threshold, owner and approval.",
  check = function(r)
    local m = method(r)
    if not m then return r:fail("no risk assessment method (risk/method.yaml)") end
    local _, nl = scale_values(m.likelihood)
    local _, ni = scale_values(m.impact)
    if nl < 2 then r:fail(isms.at(m, "likelihood"), "the likelihood scale needs at least two levels") end
    if ni < 2 then r:fail(isms.at(m, "impact"), "the impact scale needs at least two levels") end
    if type(m.acceptance_threshold) ~= "number" then
      r:fail(m, "no numeric acceptance_threshold: the criteria for accepting risk are not defined")
    end
    if m.approved_by == nil then r:fail(m, "the method records no approver (approved_by)") end
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
    for _, k in ipairs(risks) do
      if k.status ~= "closed" then
        checks.person(r, k.owner, k.owner and isms.at(k, "owner") or k,
          "risk " .. tostring(k.id) .. " owner")
      end
    end
  end,
}

isms.rule {
  id = "6.1.2-risk-scored", clause = "6.1.2", severity = "minor",
  title = "Every risk is scored on the method's scales",
  rationale = "6.1.2 d) requires analysing likelihood and consequences, and b) consistent results.",
  remediation = "Give each risk a likelihood and impact from the scales in risk/method.yaml; keep score equal to the method's calculation.",
  check = function(r)
    local m = method(r)
    local ls = scale_values(m and m.likelihood)
    local is = scale_values(m and m.impact)
    for _, k in ipairs(r:records("risk")) do
      local l, i = k.likelihood, k.impact
      if type(l) ~= "number" or type(i) ~= "number" then
        r:fail(k, "risk %s has no likelihood and impact score", tostring(k.id))
      else
        if m and not ls[l] then r:fail(isms.at(k, "likelihood"), "risk %s: likelihood %s is not on the method's scale", tostring(k.id), tostring(l)) end
        if m and not is[i] then r:fail(isms.at(k, "impact"), "risk %s: impact %s is not on the method's scale", tostring(k.id), tostring(i)) end
        if k.score ~= nil and k.score ~= score(m, l, i) then
          r:fail(isms.at(k, "score"), "risk %s: score %s does not match likelihood %d and impact %d (%d)",
            tostring(k.id), tostring(k.score), l, i, score(m, l, i))
        end
      end
    end
  end,
}

isms.rule {
  id = "6.1.2-risk-assessed", clause = "6.1.2", severity = "minor",
  title = "Risks are re-assessed within the planned interval",
  rationale = "8.2 and 6.1.2 require assessing risks at planned intervals.",
  remediation = "Re-assess the risk, update likelihood and impact, and record assessed_on.",
  params = { review_months = { default = 12, doc = "months between risk assessments when the method sets no review_months" } },
  check = function(r)
    local m = method(r)
    local months = (m and m.review_months) or r:param("review_months")
    for _, k in ipairs(r:records("risk")) do
      if k.status ~= "closed" then
        checks.review_due(r, k, "assessed_on", months, "risk " .. tostring(k.id))
      end
    end
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
      for n, e in ipairs(soa.controls) do
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
      r:fail(soa, "%d of 93 Annex A controls are not decided: %s", #missing, table.concat(missing, ", "))
    end
  end,
}

isms.rule {
  id = "6.1.3-soa-exclusions-justified", clause = "6.1.3", severity = "major",
  title = "Every excluded control is justified in the SoA",
  rationale = "6.1.3 d) requires the justification for excluding any Annex A control.",
  remediation = "Write why the control is not needed (scope, risk assessment result) in `justification`.",
  check = function(r)
    local soa = r:records("soa")[1]
    if not soa or type(soa.controls) ~= "table" then return r:not_applicable("no SoA") end
    for _, e in ipairs(soa.controls) do
      if e.applicable == false and not checks.present(e.justification) then
        r:fail(e, "control %s is excluded without a justification", isms.text(e, "control") or "?")
      end
    end
  end,
}

isms.rule {
  id = "6.1.3-residual-risk-accepted", clause = "6.1.3", severity = "major",
  title = "Risks above the acceptance threshold are treated and the residual risk accepted by the owner",
  rationale = "6.1.3 requires selecting treatment options and controls, and the risk owners' approval of the plan and acceptance of residual risk.",
  remediation = "For each risk scoring above the threshold, record treatment, the Annex A controls, the residual likelihood and impact, and the owner's acceptance (residual_accepted_by, residual_accepted_on).",
  check = function(r)
    local m = method(r)
    local threshold = m and m.acceptance_threshold
    if type(threshold) ~= "number" then return r:not_applicable("the method sets no acceptance threshold") end
    for _, k in ipairs(r:records("risk")) do
      local l, i = k.likelihood, k.impact
      if k.status ~= "closed" and type(l) == "number" and type(i) == "number" and score(m, l, i) > threshold then
        local id = tostring(k.id)
        if k.treatment == nil or k.treatment == "accept" then
          r:fail(k, "risk %s scores %d, above the threshold %s, but is not treated", id, score(m, l, i), tostring(threshold))
        elseif k.treatment == "mitigate" and not checks.present(k.controls) then
          r:fail(k, "risk %s is mitigated but names no Annex A controls", id)
        end
        if k.residual_accepted_by == nil then
          r:fail(k, "risk %s: the residual risk has not been accepted by its owner", id)
        elseif k.owner ~= nil and tostring(k.residual_accepted_by) ~= tostring(k.owner) then
          r:fail(isms.at(k, "residual_accepted_by"), "risk %s: residual risk accepted by %s, not by the risk owner %s",
            id, tostring(k.residual_accepted_by), tostring(k.owner))
        end
      end
    end
  end,
}
