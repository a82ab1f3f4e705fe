-- Annex A: one Statement of Applicability rule per control (6.1.3 d), in
-- catalogue order, ids "A.<control>-soa". Each asks: is the control
-- decided; is an exclusion justified; does an included control have a
-- justification, an owner, an implementation status and current evidence?
local people = require "people"
local soa = require "soa"

local IMPLEMENTED = { implemented = true, partial = true }

-- An included control that is not yet implemented should be planned in
-- the risk treatment plan (6.1.3 e); open actions naming it.
local function planned(r, control)
  for _, a in ipairs(r:records("risk_treatment")) do
    if a.status ~= "done" and type(a.controls) == "table" then
      for _, c in ipairs(a.controls) do
        if tostring(c) == control then return true end
      end
    end
  end
  return false
end

local function check(r, control)
  local e = soa.decision_once(r, control)
  if not e then return end
  local name = soa.name(control)
  if not people.present(e.justification) then
    r:fail(e, "%s is included without a justification (risk, law, contract or policy)", name)
  end
  if e.owner == nil then
    r:fail(e, "%s has no owner", name)
  else
    people.in_post(r, e.owner, isms.at(e, "owner"), name .. " owner")
  end
  if e.status == nil then
    r:fail(e, "%s has no implementation status (implemented, partial, planned, not-implemented)", name)
  elseif IMPLEMENTED[e.status] then
    soa.check_evidence(r, e, control, r:param("soa_evidence_max_months"))
  elseif not planned(r, control) then
    r:warn(isms.at(e, "status"), "%s is applicable but %s, and no open risk treatment action plans it",
      name, tostring(e.status))
  end
end

for _, c in ipairs(isms.catalogue.annex_a) do
  local id = c.id
  isms.rule {
    id = "A." .. id .. "-soa", control = id, severity = "minor",
    -- It judges the exclusion itself: whether it is justified.
    run_when_excluded = true,
    title = "SoA entry of A." .. id .. " " .. c.title,
    rationale = "6.1.3 d) requires the SoA to state for each control whether it is included and why, and whether it is implemented; evidence shows that it operates.",
    remediation = "In soa.yaml, give control " .. id .. " `applicable` and a `justification`; if applicable, an `owner`, a `status`, and `evidence` paths to current records in this repository.",
    params = { soa_evidence_max_months = { default = 12,
      doc = "months after which the newest evidence an SoA entry names is stale" } },
    check = function(r) check(r, id) end,
  }
end
