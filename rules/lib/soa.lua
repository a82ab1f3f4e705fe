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
-- once and a draft or unapproved one does not count ("draft"); for any
-- other file (a report, an export) its last change. The third value is
-- true for a file of evidence records.
local DOC_KINDS = { policy = true, ["topic-policy"] = true, procedure = true, standard = true }

local function dated(r, path, control, files)
  local f = files[path]
  if f then
    if f.by[control] then return f.by[control], "its newest evidence record for A." .. control, true end
    return f.newest, "its newest evidence record", true
  end
  local doc = r:doc(path)
  if doc then
    if doc.status == "retired" then return false, "the document is retired" end
    if doc.status == "draft" then return "draft", "status draft", doc end
    if DOC_KINDS[doc.kind] and doc.status ~= "approved" and doc.approved_by == nil then
      return "draft", "no approval recorded (approved_by)", doc
    end
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

-- Event-driven controls ------------------------------------------------------
--
-- Controls whose records are made only when something happens: contact
-- with an authority (5.5), an event, incident or forensic case (5.25 to
-- 5.28), a leaver (5.11, 6.5), a disciplinary case (6.4), the disposal
-- of media or equipment (7.10, 7.14), a deletion (8.10). Their evidence
-- is not stale by age: with nothing to record, an old log is current.
-- It is stale when an event happened after its newest record: an
-- incident naming the control reported after it. The SoA entry's
-- `event_driven: true|false` overrides this list.
M.EVENT_DRIVEN = {
  ["5.5"] = true, ["5.11"] = true, ["5.25"] = true, ["5.26"] = true, ["5.27"] = true,
  ["5.28"] = true, ["6.4"] = true, ["6.5"] = true, ["7.10"] = true, ["7.14"] = true,
  ["8.10"] = true,
}

---Whether the evidence of a control is made only when something happens:
---the SoA entry's event_driven, else the list above.
function M.event_driven(e, control)
  if e and e.event_driven ~= nil then return e.event_driven == true end
  return M.EVENT_DRIVEN[control] == true
end

-- Incidents naming the control (controls:), reported after `since`.
local function events_after(r, control, since)
  local out = {}
  for _, i in ipairs(r:records("incident")) do
    local d = isms.date(i.reported_on)
    if d and d > since and d <= r.now and type(i.controls) == "table" then
      for _, c in ipairs(i.controls) do
        if tostring(c) == control then out[#out + 1] = { rec = i, date = d }; break end
      end
    end
  end
  return out
end

-- The external evidence of an entry: {system, ref, date, at} each.
local function external_of(e)
  local out = {}
  for k, x in people.each(e.external_evidence) do
    out[#out + 1] = { system = tostring(x.system or "another system"), ref = x.ref and isms.text(x, "ref"),
      date = isms.date(x.date), at = isms.at(e.external_evidence, k) }
  end
  return out
end

---Check the evidence an included SoA entry names, taken together:
---  - every reference in the repository exists (a retired document is
---    stale at once); a reference with "://" and `external_evidence`
---    name records kept elsewhere, which count, dated when they give a
---    date;
---  - a draft or unapproved document does not count as evidence: an
---    implemented control whose only evidence is a draft fails;
---  - the newest dated item across all of them (records of evidence
---    files for the control, other files by their last change, external
---    evidence by its date) is no older than `months`, unless the control
---    is event-driven (M.event_driven): then it is stale only when an
---    incident naming the control was reported after the newest record
---    of its evidence files;
---  - evidence that is all outside the repository and undated is an
---    observation.
function M.check_evidence(r, e, control, months)
  local refs, ext = refs_of(e), external_of(e)
  if #refs == 0 and #ext == 0 then
    r:fail(isms.at(e, "evidence") or e, "%s is %s but the SoA names no evidence that it operates",
      M.name(control), tostring(e.status))
    return
  end
  local files = r:shared("soa.evidence_files", evidence_files)
  local counted, dated_items, draft = 0, 0, nil
  local newest, what, where, where_at, log_newest, log_path
  local function consider(d, w, label, at)
    dated_items = dated_items + 1
    if not newest or d > newest then newest, what, where, where_at = d, w, label, at end
  end
  for _, ref in ipairs(refs) do
    if ref.text:find("://", 1, true) then
      counted = counted + 1
    else
      local paths = files_named(r, ref.text)
      if #paths == 0 then
        r:fail(ref.at, "%s: evidence '%s' does not exist in the repository; name a file here, "
          .. "or record evidence kept in another system under external_evidence (system, ref, date)",
          M.name(control), ref.text)
      end
      for _, p in ipairs(paths) do
        local d, w, extra = dated(r, p, control, files)
        if d == false then
          r:fail(ref.at, "%s: evidence '%s' is stale: %s", M.name(control), p, w)
        elseif d == "draft" then
          draft = draft or { path = p, why = w, doc = extra, at = ref.at }
        else
          counted = counted + 1
          if d then
            consider(d, w, p, ref.at)
            if extra == true and (not log_newest or d > log_newest) then log_newest, log_path = d, p end
          end
        end
      end
    end
  end
  for _, x in ipairs(ext) do
    counted = counted + 1
    if x.date then consider(x.date, "its date", x.system .. (x.ref and (" " .. x.ref) or ""), x.at) end
  end
  if draft and counted == 0 then
    if e.status == "implemented" then
      local loc = isms.at(draft.doc, "status")
      r:fail(draft.at, "%s is implemented, but its only evidence '%s' is not in force (%s, %s): "
        .. "a draft does not show that the control operates; approve it, or name the records "
        .. "that show the control working", M.name(control), draft.path, draft.why, tostring(loc))
    end
    return
  end
  if M.event_driven(e, control) then
    if log_newest then
      local ev = events_after(r, control, log_newest)
      if #ev > 0 then
        local i = ev[1]
        r:fail(isms.at(i.rec, "controls"), "%s: incident %s (reported %s) names the control, but the "
          .. "newest record in '%s' is from %s: record what was done for it (A.%s is event-driven, "
          .. "so its log is judged by the events, not by its age)", M.name(control), tostring(i.rec.id),
          i.date, log_path, log_newest, control)
      end
    end
    return
  end
  if newest then
    local due = newest:add_months(months)
    if r.now > due then
      r:fail(where_at or isms.at(e, "evidence") or e,
        "%s: evidence '%s' is stale: %s on %s, more than %d month%s ago (stale since %s), and "
        .. "none of the %d item%s the SoA names is newer", M.name(control), where, what, newest,
        months, months == 1 and "" or "s", due, dated_items, dated_items == 1 and "" or "s")
    else
      r:valid_until(due)
    end
  else
    for _, ref in ipairs(refs) do
      if not ref.text:find("://", 1, true) then return end
    end
    if #ext == 0 then
      r:warn(isms.at(e, "evidence"), "%s: all evidence is outside the repository and cannot be checked",
        M.name(control))
    else
      r:warn(isms.at(e, "external_evidence"), "%s: all evidence is kept in other systems and none "
        .. "gives a date; record the date of its newest record (external_evidence: date)", M.name(control))
    end
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

---The SoA decision on a control, for its SoA rule, judging each root
---cause once: no SoA, a control missing from it or without a true/false decision
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
