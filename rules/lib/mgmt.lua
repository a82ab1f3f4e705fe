-- mgmt.lua - helpers of the management system packs (clauses 4 to 10):
-- approval and review dates, people in post, record indexes, audit areas,
-- risk scores, measurement periods. `local mgmt = require "mgmt"`.

local M = {}

---A whole number of months or days from a record or parameter, else dflt.
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

---Whether person record p works for the organisation on day d: joined
---on or before it (or no date) and not yet left.
function M.active(p, d)
  local joined, left = isms.date(p.joined), isms.date(p.left)
  if joined and joined > d then return false end
  if left and left <= d then return false end
  return true
end

---Iterate over the entries of a list field that are mappings: n, entry.
---Anything else (a wrong type, reported by 7.5-records-valid) is skipped.
function M.each(v)
  local list = type(v) == "table" and v or {}
  local n = 0
  return function()
    while true do
      n = n + 1
      local e = list[n]
      if e == nil then return nil end
      if type(e) == "table" then return n, e end
    end
  end
end

---Records by the text of field `key` (the first wins).
function M.index(list, key)
  local idx = {}
  for _, rec in ipairs(list) do
    local v = isms.text(rec, key)
    if v ~= nil and idx[v] == nil then idx[v] = rec end
  end
  return idx
end

---Records grouped by the text of field `key`: key -> list.
function M.group(list, key)
  local g = {}
  for _, rec in ipairs(list) do
    local v = isms.text(rec, key)
    if v ~= nil then
      local l = g[v]
      if not l then l = {}; g[v] = l end
      l[#l + 1] = rec
    end
  end
  return g
end

---The items of a list field, a single value, or a text of items separated
---by spaces or commas, as a list of text.
function M.items(v)
  local out = {}
  if type(v) == "table" then
    for _, x in ipairs(v) do out[#out + 1] = tostring(x) end
  elseif v ~= nil then
    for w in tostring(v):gmatch("[^%s,]+") do out[#out + 1] = w end
  end
  return out
end

---"a, b, c and 7 more": at most `max` items of a list.
function M.list(t, max)
  max = max or 12
  if #t <= max then return table.concat(t, ", ") end
  return string.format("%s and %d more", table.concat(t, ", ", 1, max), #t - max)
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
    for _, c in M.each(method.matrix) do
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

---The set of words in a text that look like record ids (CH-2026-05, RT-18).
function M.words(text)
  local set = {}
  if type(text) == "string" then
    for w in text:gmatch("[%w][%w._-]*") do set[(w:gsub("[._-]+$", ""))] = true end
  end
  return set
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

return M
