-- staff.lua - the people of the ISMS as the Annex A rules see them: who is
-- on the staff, who has left, and what each has completed or
-- acknowledged. `local staff = require "staff"`.

local M = {}

---The date in field `key` of a record, or nil when absent or invalid
---(invalid dates are reported by the record checks of 7.5).
function M.date(rec, key)
  local v = rec[key]
  if v == nil then return nil end
  return (isms.date(v))
end

---Whether person p had joined and not yet left on `day` (default today).
function M.active(r, p, day)
  day = day or r.now
  local joined, left = M.date(p, "joined"), M.date(p, "left")
  if joined and joined > day then return false end
  return left == nil or left > day
end

---Everyone on the staff today (joined and not left), in file order.
function M.people(r)
  local out = {}
  for _, p in ipairs(r:records("person")) do
    if M.active(r, p) then out[#out + 1] = p end
  end
  return out
end

---Everyone who has left by today, with the leaving date: {p, left} each.
function M.leavers(r)
  local out = {}
  for _, p in ipairs(r:records("person")) do
    local left = M.date(p, "left")
    if left and left <= r.now then out[#out + 1] = { p = p, left = left } end
  end
  return out
end

---The day by which a person must have done what is expected of new
---staff (`days` after joining), and whether it has passed. Someone with
---no joining date is expected to have done it already.
function M.settled(r, p, days)
  local joined = M.date(p, "joined")
  if not joined then return true, nil end
  local by = joined:add_days(days)
  return r.now > by, by
end

local function acknowledgements(r)
  local idx = {}
  for _, t in ipairs(r:records("training")) do
    if t.kind == "policy-acknowledgement" and t.policy ~= nil then
      local d = M.date(t, "completed_on")
      local who, pol = tostring(t.person), tostring(t.policy)
      if d and d <= r.now then
        local mine = idx[who]
        if not mine then mine = {}; idx[who] = mine end
        if not mine[pol] or d > mine[pol] then mine[pol] = d end
      end
    end
  end
  return idx
end

---Policy acknowledgements, in one pass over the training records shared
---by the rules that ask (read-only):
---index[person id][policy id] = date of the newest acknowledgement.
function M.acknowledgements(r)
  return r:shared("staff.acknowledgements", acknowledgements)
end

---Whether person p has acknowledged policy id, per an index from
---M.acknowledgements.
function M.has_acknowledged(idx, p, id)
  local mine = idx[tostring(p.id)]
  return mine ~= nil and mine[tostring(id)] ~= nil
end

---The ids of a list of records, at most `limit` of them, then a count:
---"a, b, c and 12 more".
function M.names(list, limit)
  local shown = {}
  for i = 1, math.min(#list, limit) do shown[i] = tostring(list[i].id) end
  local s = table.concat(shown, ", ")
  if #list > limit then s = s .. string.format(" and %d more", #list - limit) end
  return s
end

---Report the people of `list` (items {p = person, ...}) who lack
---something: one finding per person through `each(item)` while there
---are at most `limit` (default 20); beyond that one finding at `at`
---naming the first of them: "<n> <what>: a, b, c and 90 more".
function M.report(r, list, at, each, what, limit)
  limit = limit or 20
  if #list == 0 then return end
  if #list <= limit then
    for _, item in ipairs(list) do each(item) end
    return
  end
  local people = {}
  for i, item in ipairs(list) do people[i] = item.p end
  r:fail(at, "%d %s: %s", #list, what, M.names(people, limit))
end

---Check one step every leaver must complete within `days` of leaving
---(return assets, lose access), recorded as date field `field`: a late
---date fails at the field (format `late`: id, left, done, days taken,
---allowed), a missing one fails once due (format `missing`: id, left,
---due date), and a pending one sets valid_until.
function M.leaver_step(r, field, days, late, missing)
  for _, l in ipairs(M.leavers(r)) do
    local p, by = l.p, l.left:add_days(days)
    local done = M.date(p, field)
    if done then
      if done > by then
        r:fail(isms.at(p, field), late, tostring(p.id), l.left, done,
          isms.days_between(l.left, done), days)
      end
    elseif r.now > by then
      r:fail(isms.at(p, "left"), missing, tostring(p.id), l.left, by)
    else
      r:valid_until(by)
    end
  end
end

return M
