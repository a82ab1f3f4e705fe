-- api-tour.lua - four small rules that between them use every function
-- of the rule API; docs/writing-rules.md quotes them. Run:
--   ismsctl test --pack sdk/examples/api-tour sdk/examples/api-tour/specs

local D = require "isms.date"

-- Top management named in isms.yaml are people on the register who have
-- not left; the rule parameters are positive numbers.
isms.rule {
  id = "tour-top-management", clause = "5.1", severity = "major",
  title = "Top management is named and still with the organisation",
  rationale = "Top management demonstrates leadership (5.1): the manifest must name who they are.",
  remediation = "List the person ids of top management under top_management in isms.yaml.",
  check = function(r)
    local m = r:manifest()
    if not m then return r:fail("there is no isms.yaml") end
    local tm = m.top_management
    if tm == nil or #tm == 0 then
      return r:fail(m, "isms.yaml names no top management (top_management)")
    end
    for i, id in ipairs(tm) do
      local p = r:record("person", id)
      if not p then
        r:fail(isms.at(tm, i), "top management '%s' is not in the personnel records", id)
      elseif p.left and isms.date(p.left) <= r.now then
        r:finding("minor", isms.at(tm, i), "%s left on %s but is still listed as top management",
          p.name, p.left)
      end
    end
    for _, w in ipairs(m.waivers or {}) do
      if not r:is_top_management(w.approved_by) then
        r:warn(w:at("approved_by"), "the waiver of %s is not approved by top management", w.rule)
      end
    end
    for name, value in pairs(m.parameters or {}) do
      if math.type(value) == "integer" and value <= 0 then
        r:warn(m.parameters:at(name), "parameter %s is %d; give a positive number", name, value)
      end
    end
    if m.time_zone == nil then
      r:warn(isms.at(m), "isms.yaml sets no time_zone: dates fall in UTC (%s)", r.tz)
    end
  end,
}

-- The certificate: current, and its surveillance audits in view.
isms.rule {
  id = "tour-certificate", clause = "9.2", severity = "major",
  title = "The certificate is current",
  rationale = "A lapsed certificate must be renewed by a recertification audit.",
  remediation = "Plan the recertification audit before the certificate expires; record issued and expires in isms.yaml.",
  check = function(r)
    local m = r:manifest()
    local cert = m and m.certificate
    if cert == nil then return r:not_applicable("isms.yaml records no certificate") end
    local issued, err = isms.date(cert.issued)
    if not issued then return r:fail(cert:at("issued"), "issued: %s", err) end
    local expires = D.parse(cert.expires) or issued:add_years(3)
    if isms.days_between(issued, expires) > 3 * 366 then
      r:warn(cert:at("expires"), "a certificate runs for three years, this one for %d days",
        expires - issued)
    end
    if r.now >= expires then
      return r:fail(cert:at("expires"), "the certificate expired on %s", expires:iso())
    end
    r:valid_until(expires - 1)
    -- Surveillance audits fall 12 and 24 months after issue.
    for _, months in ipairs({ 12, 24 }) do
      local due = issued:add_months(months)
      if due > r.now and due:days_until(r.now) > -60 then
        r:warn(cert, "the surveillance audit is due on %d %s %d (%s)", due:day(),
          ({ "January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December" })[due:month()], due:year(),
          isms.clause("9.2").title)
      end
    end
    if expires > isms.ymd(r.now:year(), 12, 31) + 3 * 366 then
      r:warn(cert:at("expires"), "the expiry date is suspiciously far away")
    end
  end,
}

-- Policies are Markdown with a body; the files evidence records attach
-- exist; nothing in the repository failed to load.
isms.rule {
  id = "tour-policy-files", control = "5.1", severity = "minor",
  title = "Policies have text, evidence attachments exist, and every record loads",
  rationale = "Documented information is available and suitable for use (7.5.3, A.5.1).",
  remediation = "Write the policy below its front matter; commit the files it attaches; fix the records reported.",
  check = function(r)
    for _, path in ipairs(r:glob("policies/*.md")) do
      local doc = r:doc(path)
      local text, line = r:body(doc)
      if text == nil or not text:find("%S") then
        r:fail(isms.location(path, line or 1), "%s has no text below its front matter (%s)",
          path, r:control("5.1").title)
      end
      local changed = r:changed(doc)
      if changed and changed.date:days_until(r.now) > 3 * 365 then
        r:warn(doc, "%s has not changed since %s (commit %s)", path, changed.date, changed.commit)
      end
    end
    for _, ev in ipairs(r:records("evidence")) do
      local list = ev.attachments
      if type(list) == "string" then list = { list } end
      for _, attached in ipairs(list or {}) do
        if not r:file(attached) then
          r:fail(isms.at(ev, "attachments"), "attachment %s of %s is not in the repository",
            attached, ev.id)
        end
      end
    end
    for _, p in ipairs(r:problems()) do
      if not p.note then
        r:fail(isms.location(p.file or "isms.yaml", p.line), "%s", p.message)
      end
    end
    if #isms.catalogue.annex_a ~= 93 or isms.control("5.1") == nil then
      r:fail("the catalogue is not ISO/IEC 27001:2022 (SDK %s)", isms.VERSION)
    end
  end,
}

-- Everyone on the register has confirmed the information security policy.
-- The index of acknowledgements is built once per evaluation and shared.
local function acks_by_person(r)
  local idx = {}
  for _, t in ipairs(r:records("training")) do
    if t.kind == "policy-acknowledgement" then
      idx[tostring(t.person)] = true
    end
  end
  return idx
end

isms.rule {
  id = "tour-policy-acknowledged", control = "5.1", severity = "minor",
  title = "Everyone has acknowledged a policy",
  rationale = "Policies are communicated to and acknowledged by relevant personnel (A.5.1).",
  remediation = "Have each person confirm the policy and record it in people/training.yaml as kind policy-acknowledgement.",
  check = function(r)
    -- in a rule:
    local acks = r:shared("tour.acks_by_person", acks_by_person)
    for _, p in ipairs(r:records("person")) do
      if not acks[tostring(p.id)] then
        r:fail(p, "%s has acknowledged no policy", p.name)
      end
    end
  end,
}
