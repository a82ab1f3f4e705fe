-- mgmt.lua - helpers of the management system packs (clauses 4 to 10):
-- approval and review dates, intervals, audit areas, risk scores,
-- measurement periods, the policies in force. People and lists are in
-- people.lua. `local mgmt = require "mgmt"`.

local people = require "people"

local M = {}

---A whole number above zero from a record (an interval it sets, such as
---review_months), else dflt.
function M.int(v, dflt)
  local n = math.tointeger(v)
  if n and n > 0 then return n end
  return dflt
end

---The date a record was last approved or reviewed, whichever is later,
---and the field it came from; nil when it has neither.
function M.last_review(rec)
  local a, b = isms.date(rec.approved_on), isms.date(rec.reviewed_on)
  if b and (not a or b > a) then return b, "reviewed_on" end
  if a then return a, "approved_on" end
  return nil
end

---Check that rec was approved or reviewed within `months`: report when
---there is no date or the review is overdue, and tell the engine when it
---falls due. Returns the due date or nil.
function M.review(r, rec, months, what)
  local d, key = M.last_review(rec)
  if not d then
    r:fail(rec, "%s: no approval date is recorded (approved_on)", what)
    return nil
  end
  local due = d:add_months(months)
  r:valid_until(due)
  if r.now > due then
    r:fail(isms.at(rec, key), "%s: last approved or reviewed on %s; the %d-month review "
      .. "was due on %s (%d days overdue)", what, d, months, due, due:days_until(r.now))
  end
  return due
end

---Check that the date in field `key` of rec is no more than `months` old:
---report when it is missing or overdue (`what` names the record), and
---tell the engine when it falls due. `done` and `act` word the activity
---(default "reviewed", "review"). Returns the due date or nil.
function M.due(r, rec, key, months, what, done, act)
  done, act = done or "reviewed", act or "review"
  local d = isms.date(rec[key])
  if not d then
    r:fail(rec[key] == nil and rec or isms.at(rec, key), "%s: no valid %s is recorded", what, key)
    return nil
  end
  local due = d:add_months(months)
  r:valid_until(due)
  if r.now > due then
    r:fail(isms.at(rec, key), "%s: last %s on %s; the %d-month %s was due on %s (%d days overdue)",
      what, done, d, months, act, due, due:days_until(r.now))
  end
  return due
end

---Whether audit area `outer` contains `inner`: equal, or a clause or
---theme above it ("9" contains "9.2.2", "A.8" contains "A.8.13").
function M.area_contains(outer, inner)
  return inner == outer or inner:sub(1, #outer + 1) == outer .. "."
end

---Whether two audit areas overlap (one contains the other).
function M.areas_overlap(a, b)
  return M.area_contains(a, b) or M.area_contains(b, a)
end

---Whether an area in the set `areas` (area -> true) contains `item`:
---the item itself or one of the clauses or themes above it.
function M.covered(areas, item)
  local s = item
  while true do
    if areas[s] then return true end
    local up = s:match("^(.+)%.[^.]+$")
    if not up or up == "A" then return false end
    s = up
  end
end

---The score function of a risk method: (likelihood, impact) -> score, or
---nil when either is not a number or the matrix has no such cell.
function M.scorer(method)
  local how = method and method.scoring
  if how == "add" then
    return function(l, i)
      if type(l) == "number" and type(i) == "number" then return l + i end
    end
  end
  if how == "matrix" then
    local cells = {}
    for _, c in people.each(method.matrix) do
      cells[tostring(c.likelihood) .. "x" .. tostring(c.impact)] = c.score
    end
    return function(l, i)
      if type(l) == "number" and type(i) == "number" then
        return cells[tostring(l) .. "x" .. tostring(i)]
      end
    end
  end
  return function(l, i)
    if type(l) == "number" and type(i) == "number" then return l * i end
  end
end

local PERIOD = {
  daily = { days = 1 }, weekly = { days = 7 }, monthly = { months = 1 },
  quarterly = { months = 3 }, ["half-yearly"] = { months = 6 },
  yearly = { months = 12 },
}

---The date one period of `frequency` (daily ... yearly) after d, or nil.
function M.after_period(d, frequency)
  local p = PERIOD[frequency]
  if not p then return nil end
  if p.days then return d:add_days(p.days) end
  return d:add_months(p.months)
end

---The policy record that is the information security policy: kind
---`policy`, preferring the id information-security-policy.
function M.main_policy(r)
  local found
  for _, p in ipairs(r:records("policy")) do
    if p.kind == "policy" then
      if p.id == "information-security-policy" then return p end
      found = found or p
    end
  end
  return found
end

---Whether a policy or procedure is in force (approved, or no status).
function M.in_force(doc)
  return doc.status == nil or doc.status == "approved"
end

-- Reviews at a given severity (severity policy) -----------------------------------
--
-- A rule whose default severity is major for a missing decision reports
-- one overdue review as the isolated lapse it is: M.review_as and
-- M.due_as are M.review and M.due with the severity of their findings.

---M.review, reporting at `severity` (major, minor or observation).
function M.review_as(r, severity, rec, months, what)
  local d, key = M.last_review(rec)
  if not d then
    r:finding(severity, rec, "%s: no approval date is recorded (approved_on)", what)
    return nil
  end
  local due = d:add_months(months)
  r:valid_until(due)
  if r.now > due then
    r:finding(severity, isms.at(rec, key), "%s: last approved or reviewed on %s; the %d-month review "
      .. "was due on %s (%d days overdue)", what, d, months, due, due:days_until(r.now))
  end
  return due
end

-- Auditor independence (9.2.2 c, A.5.35) -------------------------------------

-- The applicable SoA controls each person owns: { [person id] = { "5.15", ... } }.
function M.soa_owned(r)
  local by = {}
  local soa = r:records("soa")[1]
  if soa then
    for _, e in people.each(soa.controls) do
      local c = isms.text(e, "control")
      if e.applicable == true and e.owner ~= nil and c then
        local k = tostring(e.owner)
        by[k] = by[k] or {}
        by[k][#by[k] + 1] = c
      end
    end
  end
  return by
end

-- Folded department name, for comparing.
local function dept(v)
  if v == nil then return nil end
  local f = tostring(v):lower():gsub("%s+", " "):gsub("^ ", ""):gsub(" $", "")
  if f == "" then return nil end
  return f
end

-- Why auditor `who` is not independent of an audit (an empty list when
-- they are): the areas they own (`owns`, their programme entry's list),
-- the controls they own in the SoA within the audit's areas (`controls`,
-- from M.soa_owned), being an auditee, or auditing their own department
-- (most auditees in it, or named among the audit's `departments`).
function M.auditor_conflicts(r, who, owns, areas, auditees, departments, controls)
  local why = {}
  local own = {}
  for _, a in ipairs(areas) do
    for _, o in ipairs(owns or {}) do
      if M.areas_overlap(a, o) then own[#own + 1] = a; break end
    end
  end
  if #own > 0 then why[#why + 1] = "they are responsible for " .. people.list(own) .. " (owns)" end
  local mine = {}
  for _, c in ipairs(controls[who] or {}) do
    for _, area in ipairs(areas) do
      if M.area_contains(area, "A." .. c) then mine[#mine + 1] = "A." .. c; break end
    end
  end
  if #mine > 0 then why[#why + 1] = "they own " .. people.list(mine) .. " in the SoA" end
  local me = r:person(who)
  local my = me and dept(me.department)
  local same, self, named, others = {}, false, {}, 0
  for _, id in ipairs(auditees) do
    if not named[id] then
      named[id] = true
      if id == who then self = true
      else
        local q = r:person(id)
        if my and q and dept(q.department) == my then same[#same + 1] = people.name(r, id)
        else others = others + 1 end
      end
    end
  end
  if self then why[#why + 1] = "they are one of its auditees" end
  if #same > others then
    why[#why + 1] = string.format("the auditees %s are in their own department (%s)", people.list(same, 6), tostring(me.department))
  elseif my then
    for _, d in ipairs(departments) do
      if dept(d) == my then why[#why + 1] = "it audits their own department (" .. tostring(me.department) .. ")"; break end
    end
  end
  return why
end

return M
