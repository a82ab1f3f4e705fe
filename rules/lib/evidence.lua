-- evidence.lua - what the Annex A rules ask of the repository for a
-- control: evidence records showing that it operated (recent, with a
-- result that holds up, for every system it covers), and the approved
-- document that sets out its rules. `local evidence = require "evidence"`.

local soa = require "soa"
local mgmt = require "mgmt"
local people = require "people"

local M = {}

-- The evidence records dated today or earlier, once per evaluation for
-- every rule (r:shared): by[control] lists those naming the control, and
-- none those naming no control, each item {ev, date, asset, kind, n}
-- with n its position among all evidence records.
local function evidence_index(r)
  local by, none = {}, {}
  for n, ev in ipairs(r:records("evidence")) do
    local d = isms.date(ev.date)
    if d and d <= r.now then
      local it = { ev = ev, date = d, asset = isms.text(ev, "asset"), kind = ev.kind, n = n }
      local list = ev.controls
      if type(list) ~= "table" or #list == 0 then
        none[#none + 1] = it
      else
        local seen = {}
        for _, c in ipairs(list) do
          local id = tostring(c)
          if not seen[id] then
            seen[id] = true
            by[id] = by[id] or {}
            by[id][#by[id] + 1] = it
          end
        end
      end
    end
  end
  return { by = by, none = none }
end

---The evidence records of `control` (of one of `kinds`, a list; any kind
---when nil, but then the record must name the control), dated today or
---earlier, in file order, as a list of {ev = record, date = date, asset =
---id or nil}.
function M.find(r, control, kinds)
  local idx = r:shared("evidence.index", evidence_index)
  local ks = kinds and people.set(kinds)
  local named, unnamed = idx.by[control] or {}, ks and idx.none or {}
  local out, i, j = {}, 1, 1
  -- merge the two lists, both in file order
  while named[i] or unnamed[j] do
    local a, b = named[i], unnamed[j]
    local it
    if b == nil or (a ~= nil and a.n < b.n) then it, i = a, i + 1 else it, j = b, j + 1 end
    if ks == nil or ks[it.kind] then
      out[#out + 1] = { ev = it.ev, date = it.date, asset = it.asset }
    end
  end
  return out
end

---The newest item of a list from M.find, or nil.
function M.newest(items)
  local best
  for _, it in ipairs(items) do
    if best == nil or it.date > best.date then best = it end
  end
  return best
end

---The newest item per asset named, and the asset ids in sorted order.
function M.by_asset(items)
  local newest, ids = {}, {}
  for _, it in ipairs(items) do
    local a = it.asset
    if a then
      if newest[a] == nil then ids[#ids + 1] = a end
      if newest[a] == nil or it.date > newest[a].date then newest[a] = it end
    end
  end
  table.sort(ids)
  return newest, ids
end

---Whether an asset record has been retired (retired_on) by today.
function M.retired(r, a)
  local d = a.retired_on and isms.date(a.retired_on)
  return d ~= nil and d <= r.now
end

---Whether the asset with this id is in the inventory and retired.
function M.retired_id(r, id)
  local a = r:record("asset", id)
  return a ~= nil and M.retired(r, a)
end

-- Report a finding about a control that has no record to point at: at
-- the control's SoA entry when there is one.
-- A control with no record of its activity at all is a process that does
-- not run: a major nonconformity whatever the rule's default (severity
-- policy, docs/rules.md), said in the message.
local function missing(r, control, fmt, ...)
  local e = r:soa(control)
  local msg = string.format(fmt, ...) .. " (major: the activity has no record at all)"
  if e then r:finding("major", isms.at(e, "evidence") or e, "%s", msg) else r:finding("major", "%s", msg) end
end

---Check that an item from M.find is no older than `months`: report it
---as overdue (with `label`, e.g. "log review of AS-INFRA-11") and tell
---the engine when it falls due. Returns true when it is current.
function M.current(r, it, months, label)
  local due = it.date:add_months(months)
  r:valid_until(due)
  if r.now > due then
    r:fail(isms.at(it.ev, "date"), "the last %s (%s) was on %s; with a %d-month interval "
      .. "the next was due by %s (%d days overdue)", label, tostring(it.ev.id), it.date,
      months, due, due:days_until(r.now))
    return false
  end
  return true
end

---Report the result of an item when it is one of `bad` (a set of
---results, e.g. {fail = true}): the control did not work as intended,
---and `advice` says what the record should show.
function M.result(r, it, bad, label, advice)
  local res = it.ev.result
  if res ~= nil and bad[res] then
    r:fail(isms.at(it.ev, "result"), "the last %s (%s, %s) has result %s: %s", label,
      tostring(it.ev.id), it.date, tostring(res), advice)
    return false
  end
  return true
end

---The common check of periodic evidence. Options:
---  control, kinds (list, nil: any kind naming the control),
---  months (a whole number) or param (the rule's whole-number parameter
---    that gives it),
---  what (the activity, e.g. "log review"),
---  per_asset (also check the newest record of every asset named, except
---    retired ones),
---  optional (no finding when there is no record at all),
---  bad (set of results to report on the newest records; default fail),
---  advice (what to do about a bad result).
---Returns the newest item, or nil.
function M.recent(r, o)
  local months = o.months or r:param(o.param)
  local items = M.find(r, o.control, o.kinds)
  local last = M.newest(items)
  if not last then
    if not o.optional then
      local kinds = o.kinds and table.concat(o.kinds, " or ") or "any kind"
      missing(r, o.control, "no %s is recorded for %s (evidence of %s naming control %s, "
        .. "under evidence/)", o.what, soa.name(o.control), kinds, o.control)
    end
    return nil
  end
  local bad = o.bad or { fail = true }
  local advice = o.advice or "record how it was followed up, or a new " .. o.what .. " that passes"
  if not M.current(r, last, months, o.what) then return last end
  if not o.per_asset or last.asset == nil then
    M.result(r, last, bad, o.what, advice)
  end
  if o.per_asset then
    local newest, ids = M.by_asset(items)
    for _, a in ipairs(ids) do
      if not M.retired_id(r, a) then
        local label = o.what .. " of " .. a
        if M.current(r, newest[a], months, label) then
          M.result(r, newest[a], bad, label, advice)
        end
      end
    end
  end
  return last
end

-- Documents that set out a control's rules ---------------------------------

local function lists(p, control)
  if type(p.controls) ~= "table" then return false end
  for _, c in ipairs(p.controls) do
    if tostring(c) == control then return true end
  end
  return false
end

---The policies and procedures that list `control` under `controls:`:
---those in force (approved, or without a status), and the others
---(drafts, retired).
function M.documents(r, control)
  local live, other = {}, {}
  for _, p in ipairs(r:records("policy")) do
    if lists(p, control) then
      if mgmt.in_force(p) then live[#live + 1] = p else other[#other + 1] = p end
    end
  end
  return live, other
end

---Check that an approved policy or procedure in force sets out the rules
---of `control` (`what` says which rules, e.g. "the rules for the use of
---cryptography"). Its approval and review are for the rules of 5.1 and
---7.5. Returns the first document in force, or nil.
function M.documented(r, control, what)
  local live, other = M.documents(r, control)
  if #live > 0 then return live[1] end
  if #other > 0 then
    local p = other[1]
    r:fail(isms.at(p, "status"), "%s: %s '%s' addresses %s but is %s, not in force",
      soa.name(control), tostring(p.kind or "document"), tostring(p.id), what, tostring(p.status))
  else
    missing(r, control, "%s: no approved policy or procedure sets out %s (no document under "
      .. "policies/ or procedures/ lists \"%s\" under controls:)", soa.name(control), what, control)
  end
  return nil
end

-- Every record and every system (engineer B: 21 item 1) ----------------------

-- Lower-cased text of a value.
local function lower(v) return v ~= nil and tostring(v):lower() or nil end

---The production assets of the inventory, not retired, whose kind is in
---the set `kinds` and, when `levels` (a set) is not empty, whose
---classification is one of them: the systems a periodic activity must
---reach. In file order.
local function production_assets(r)
  local out = {}
  for _, a in ipairs(r:records("asset")) do
    if a.production == true and not M.retired(r, a) then
      out[#out + 1] = { a = a, kind = tostring(a.kind), level = lower(a.classification) }
    end
  end
  return out
end

function M.scope_assets(r, kinds, levels)
  -- The production assets in service, folded once per evaluation for the
  -- several rules that each pick their scope from them.
  local out = {}
  local any = next(levels) ~= nil
  for _, x in ipairs(r:shared("evidence.production_assets", production_assets)) do
    if kinds[x.kind] and (not any or (x.level ~= nil and levels[x.level])) then
      out[#out + 1] = x.a
    end
  end
  return out
end

---Report every system of the scope (M.scope_assets) that has never had
---the activity: no item of `items` (from M.find) names it. Only when the
---records name systems at all (an organisation that records one review
---for everything is judged by M.recent alone). `what` names the
---activity, `kind` the evidence kind to record.
function M.never_had(r, items, kinds, levels, control, what, kind)
  if next(kinds) == nil then return end
  local named, any = {}, false
  for _, it in ipairs(items) do
    if it.asset then named[it.asset] = true; any = true end
  end
  if not any then return end
  for _, a in ipairs(M.scope_assets(r, kinds, levels)) do
    local id = isms.text(a, "id") or "?"
    if not named[id] then
      r:fail(a, "%s (%s) is a production %s classified %s, but no %s of it is recorded at all: "
        .. "record one under evidence/ as kind %s naming control %s and asset %s", id,
        tostring(a.name), tostring(a.kind), tostring(a.classification), what, kind, control, id)
    end
  end
end

---Whether a nonconformity or change record refers to evidence record ev:
---its id appears in the nonconformity's source or description, or the
---evidence names it under follow_up.
local function followed_up(r, ev)
  local id = tostring(ev.id)
  for _, ref in ipairs(people.items(ev.follow_up)) do
    if r:record("nonconformity", ref) or r:record("change", ref) or r:record("evidence", ref) then
      return ref
    end
  end
  for _, nc in ipairs(r:records("nonconformity")) do
    if people.words(nc.source)[id] or people.words(nc.description)[id] then return tostring(nc.id) end
  end
  return nil
end

---Every record of `items` (from M.find) dated within the last `months`
---whose result is in `bad` needs a follow-up within `days`: a later
---record of the same asset (or, with none, of the control) with result
---pass, a `follow_up` naming a nonconformity, change or evidence record,
---or a nonconformity whose source or description names it. A pass on
---one system does not follow up a failure on another. `what` names the
---activity.
function M.follow_ups(r, items, bad, months, days, what)
  local from = r.now:add_months(-months)
  for _, it in ipairs(items) do
    local res = it.ev.result
    if res ~= nil and bad[res] and it.date >= from then
      local fixed
      for _, later in ipairs(items) do
        if later.date > it.date and later.ev.result == "pass" and later.asset == it.asset then
          fixed = later
          break
        end
      end
      local nc = not fixed and followed_up(r, it.ev)
      if not fixed and not nc then
        local due = it.date:add_days(days)
        local of = it.asset and (" of " .. it.asset) or ""
        if r.now > due then
          r:fail(isms.at(it.ev, "result"), "%s %s%s on %s has result %s and no follow-up: no later "
            .. "%s%s that passes and no nonconformity naming it (due by %s, %d days overdue); "
            .. "repeat it after the correction, or raise a nonconformity and name it in follow_up",
            what, tostring(it.ev.id), of, it.date, tostring(res), what, of, due, due:days_until(r.now))
        else
          r:valid_until(due)
        end
      end
    end
  end
end

return M
