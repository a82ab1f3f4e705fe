-- checks.lua - helpers shared by the rule packs: people and presence of
-- values; review intervals are mgmt.review and mgmt.due.
-- `local checks = require "checks"`.

local M = {}

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
