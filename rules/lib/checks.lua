-- checks.lua - helpers shared by the rule packs: approvals, review
-- intervals, people. `local checks = require "checks"`.

local M = {}

---The date in field `key` of rec, or nil after reporting it with `report`
---(r.fail or r.warn) as missing or invalid.
function M.date_field(r, rec, key, what)
  local v = rec[key]
  if v == nil then
    r:fail(rec, "%s: no %s recorded (%s)", what, key, key)
    return nil
  end
  local d, err = isms.date(v)
  if not d then
    r:fail(isms.at(rec, key), "%s: %s is not a date: %s", what, key, err)
  end
  return d
end

---Check that rec was reviewed within `months` of field `key`: report
---when overdue, and tell the engine when it falls due. Returns the due
---date or nil.
function M.review_due(r, rec, key, months, what)
  local d = M.date_field(r, rec, key, what)
  if not d then return nil end
  local due = d:add_months(months)
  r:valid_until(due)
  if r.now > due then
    r:fail(isms.at(rec, key), "%s: last reviewed on %s; the %d-month review "
      .. "was due on %s (%d days overdue)", what, d, months, due, due:days_until(r.now))
  end
  return due
end

---Check that `id` names a person in people/personnel.yaml who had not
---left by `on` (a date, default today). Reports at `at`.
function M.person(r, id, at, role)
  if id == nil then
    r:fail(at, "no %s is named", role)
    return nil
  end
  local p = r:person(id)
  if not p then
    r:fail(at, "%s '%s' is not in the personnel records", role, tostring(id))
    return nil
  end
  local left = p.left and isms.date(p.left)
  if left and left <= r.now then
    r:fail(at, "%s '%s' left the organisation on %s", role, tostring(id), left)
  end
  return p
end

---Nonempty text or list.
function M.present(v)
  if v == nil then return false end
  if type(v) == "string" then return v:match("%S") ~= nil end
  if type(v) == "table" then return #v > 0 or next({}) == nil and (function()
    for _ in pairs(v) do return true end
    return false
  end)() end
  return true
end

return M
