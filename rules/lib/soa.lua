-- soa.lua - the Statement of Applicability as the Annex A rules see it:
-- the decision on a control and the evidence an SoA entry refers to. (A
-- rule declaring `control =` is not applicable when the SoA excludes the
-- control: the engine sees to that.) `local soa = require "soa"`.

local people = require "people"

local M = {}

local fmt = string.format

---"A.5.15 Access control": a control's id and title, for messages.
function M.name(control)
  local c = isms.control(control)
  if c then return fmt("A.%s %s", c.id, c.title) end
  return "A." .. tostring(control)
end

---The Statement of Applicability (soa.yaml), or nil.
function M.record(r) return r:records("soa")[1] end

---The SoA decision on a control, for its SoA rule. Returns the entry when
---the control is included. Otherwise returns nil after reporting: fails
---when there is no SoA, no entry, no true/false decision, or an exclusion
---without justification; marks the rule not applicable, with the
---justification as the note, when the exclusion is justified.
function M.decision(r, control)
  local doc = M.record(r)
  if not doc then
    r:finding("major", "no Statement of Applicability (soa.yaml): %s is not decided", M.name(control))
    return nil
  end
  local e = r:soa(control)
  if not e then
    r:finding("major", isms.at(doc, "controls") or doc,
      "%s is not in the Statement of Applicability: record whether it is applicable", M.name(control))
    return nil
  end
  if e.applicable == false then
    if people.present(e.justification) then
      r:not_applicable("excluded in the SoA: " .. tostring(e.justification))
    else
      r:finding("major", e, "%s is excluded (applicable: false) without a justification",
        M.name(control))
    end
    return nil
  end
  if e.applicable ~= true then
    r:finding("major", isms.at(e, "applicable") or e,
      "%s: applicable must be true or false", M.name(control))
    return nil
  end
  return e
end

-- Evidence named by an SoA entry ------------------------------------------

-- The entry's evidence references: {text, at} each, in order.
local function refs_of(e)
  local v, out = e.evidence, {}
  if type(v) == "string" then
    if v:match("%S") then out[1] = { text = v, at = isms.at(e, "evidence") } end
  elseif type(v) == "table" then
    for k, s in ipairs(v) do
      if type(s) == "string" and s:match("%S") then
        out[#out + 1] = { text = s, at = isms.at(v, k) }
      end
    end
  end
  return out
end

-- Per evidence record file: the newest date of all its records, and of
-- the records naming each control; records dated after today do not
-- count. Computed once per evaluation for all SoA rules (r:shared).
local function evidence_files(r)
  local files = {}
  for _, ev in ipairs(r:records("evidence")) do
    local d = isms.date(ev.date)
    if d and d <= r.now then
      local path = isms.at(ev).file
      local f = files[path]
      if not f then f = { by = {} }; files[path] = f end
      if not f.newest or d > f.newest then f.newest = d end
      if type(ev.controls) == "table" then
        for _, c in ipairs(ev.controls) do
          local id = tostring(c)
          if not f.by[id] or d > f.by[id] then f.by[id] = d end
        end
      end
    end
  end
  return files
end

-- The date that shows how current the file at path is, and what it is:
-- for a file of evidence records, its newest record of the control (or
-- of any control when none names it); for other records nil, as their
-- currency is checked by their own rules (a policy's review, a
-- register's review date), except that a retired document is stale at
-- once; for any other file (a report, an export) its last change.
local function dated(r, path, control, files)
  local f = files[path]
  if f then
    if f.by[control] then return f.by[control], "its newest evidence record for A." .. control end
    return f.newest, "its newest evidence record"
  end
  local doc = r:doc(path)
  if doc then
    if doc.status == "retired" then return false, "the document is retired" end
    return nil
  end
  local info = r:file(path)
  return info and info.date, "the file last changed"
end

-- The files a reference names: the path itself, or the files matching
-- it as a pattern or under it as a directory; an empty list when none.
local function files_named(r, ref)
  local path = ref:gsub("^%./", "")
  if path:find("[*?%[]") then return r:glob(path) end
  if r:file(path) then return { path } end
  local dir = path:gsub("/+$", "")
  if dir == "" then return {} end
  return r:glob(dir .. "/**")
end

-- Check one reference: it exists and, where it has a date, is recent.
local function check_ref(r, ref, control, months, files)
  local paths = files_named(r, ref.text)
  if #paths == 0 then
    r:fail(ref.at, "%s: evidence '%s' does not exist in the repository", M.name(control), ref.text)
    return
  end
  local newest, what
  for _, p in ipairs(paths) do
    local d, w = dated(r, p, control, files)
    if d == false then
      r:fail(ref.at, "%s: evidence '%s' is stale: %s", M.name(control), p, w)
      return
    end
    if d and (not newest or d > newest) then newest, what = d, w end
  end
  if not newest then return end
  local due = newest:add_months(months)
  if r.now > due then
    r:fail(ref.at, "%s: evidence '%s' is stale: %s on %s, more than %d month%s ago (stale since %s)",
      M.name(control), ref.text, what, newest, months, months == 1 and "" or "s", due)
  else
    r:valid_until(due)
  end
end

---Check the evidence an included SoA entry names: at least one reference;
---every reference in the repository exists and is no older than `months`
---(see `dated` for how old a file is); references outside the repository
---(with "://") cannot be checked and are an observation when they are
---all there is.
function M.check_evidence(r, e, control, months)
  local refs = refs_of(e)
  if #refs == 0 then
    r:fail(isms.at(e, "evidence") or e, "%s is %s but the SoA names no evidence that it operates",
      M.name(control), tostring(e.status))
    return
  end
  local files, local_refs = nil, 0
  for _, ref in ipairs(refs) do
    if not ref.text:find("://", 1, true) then
      local_refs = local_refs + 1
      files = files or r:shared("soa.evidence_files", evidence_files)
      check_ref(r, ref, control, months, files)
    end
  end
  if local_refs == 0 then
    r:warn(isms.at(e, "evidence"), "%s: all evidence is outside the repository and cannot be checked",
      M.name(control))
  end
end

-- Exclusion justifications, and decisions judged once ------------------------
--
-- An exclusion needs a reason: the scope, a risk assessment result, no such
-- asset or activity, a law or contract. "N/A", "-", "not applicable" or
-- the control's own title are not reasons. The clause rule
-- 6.1.3-soa-exclusions-justified reports them; the SoA rule of the control
-- links to that finding (r:see) instead of counting it again, and so for a
-- missing SoA, a control missing from it or an undecided entry, which
-- 6.1.3-soa-complete reports.

-- Text folded for comparison: lower case, letters and digits only, single
-- spaces ("Outsourced development." -> "outsourced development").
local function fold(text)
  local t = tostring(text):lower()
  t = t:gsub("[%c%p]", " "):gsub("%s+", " "):gsub("^ ", ""):gsub(" $", "")
  return t
end

-- Wording that says an exclusion holds without saying why.
local NON_REASONS = {
  ["n a"] = true, ["na"] = true, [""] = true, ["none"] = true, ["no"] = true,
  ["not applicable"] = true, ["not relevant"] = true, ["irrelevant"] = true,
  ["not needed"] = true, ["not required"] = true, ["not necessary"] = true,
  ["excluded"] = true, ["exclude"] = true, ["out of scope"] = true, ["tbd"] = true,
  ["todo"] = true, ["to be decided"] = true, ["see above"] = true, ["see below"] = true,
  ["nicht anwendbar"] = true, ["ikke relevant"] = true, ["ikke aktuelt"] = true,
  ["no justification"] = true, ["does not apply"] = true, ["not applicable to us"] = true,
  ["na for us"] = true, ["n a for us"] = true,
}

---Why the justification `text` of excluding `control` gives no reason, or
---nil when it gives one. Not reasons: nothing, a placeholder ("N/A", "-",
---"not applicable", "none", "out of scope"), the control's title (in any
---case or punctuation, alone or with a placeholder). Any other wording is
---taken as a reason: a scope decision, a risk result, the absence of the
---asset or activity, a law or contract, each in the author's own words.
function M.justification_problem(text, control)
  if not people.present(text) then return "gives no justification" end
  local f = fold(text)
  local shown = tostring(text):gsub("%s+", " ")
  if #shown > 60 then shown = shown:sub(1, 57) .. "..." end
  if NON_REASONS[f] then
    return fmt("is justified only by '%s', which says that the control is excluded, not why", shown)
  end
  local c = isms.control(control)
  if c then
    local title = fold(c.title)
    local rest = f
    local a, b = rest:find(title, 1, true)
    if a then rest = (rest:sub(1, a - 1) .. " " .. rest:sub(b + 1)):gsub("%s+", " "):gsub("^ ", ""):gsub(" $", "") end
    if a and (rest == "" or NON_REASONS[rest]) then
      return fmt("is justified only by '%s', the control's title, which gives no reason", shown)
    end
  end
  return nil
end

---The SoA decision on a control, as M.decision but judging each root cause
---once: no SoA, a control missing from it or without a true/false decision
---link to 6.1.3-soa-complete, an exclusion without a reason links to
---6.1.3-soa-exclusions-justified; a justified exclusion makes the rule not
---applicable. Returns the entry when the control is included.
function M.decision_once(r, control)
  local doc = M.record(r)
  if not doc then
    r:see("6.1.3-soa-complete", "no Statement of Applicability (soa.yaml): %s is not decided", M.name(control))
    return nil
  end
  local e = r:soa(control)
  if not e then
    r:see("6.1.3-soa-complete", isms.at(doc, "controls") or doc,
      "%s is not in the Statement of Applicability", M.name(control))
    return nil
  end
  if e.applicable == false then
    local why = M.justification_problem(e.justification, control)
    if why then
      r:see("6.1.3-soa-exclusions-justified", people.present(e.justification) and isms.at(e, "justification") or e,
        "%s is excluded and %s", M.name(control), why)
    else
      r:not_applicable("excluded in the SoA: " .. tostring(e.justification))
    end
    return nil
  end
  if e.applicable ~= true then
    r:see("6.1.3-soa-complete", isms.at(e, "applicable") or e,
      "%s: applicable must be true or false", M.name(control))
    return nil
  end
  return e
end

return M
