-- people.lua - the people of the ISMS as the rules see them, and the
-- lists the records keep. People: whether someone named in a record is
-- in post, who is on the staff, who has left, what each has acknowledged.
-- Lists: presence of a value, the items of a list field, sets, indexes
-- and "a, b and 3 more". `local people = require "people"`.

local M = {}

-- People ----------------------------------------------------------------------

---Check that `id` names a person in people/personnel.yaml who has not
---left by today; `role` says who they are meant to be ("asset AS-1
---owner"). Reports at `at`. Returns the person record, or nil.
function M.in_post(r, id, at, role)
  if id == nil then
    r:fail(at, "no %s is named", role)
    return nil
  end
  local p = r:person(id)
  if not p then
    r:fail(at, "%s '%s' is not in the personnel records", role, tostring(id))
    return nil
  end
  local left = isms.date(p.left)
  if left and left <= r.now then
    r:fail(at, "%s '%s' left the organisation on %s", role, tostring(id), left)
  end
  return p
end

---Whether person p had joined (or gives no date) and not yet left on
---`day` (default today).
function M.active(r, p, day)
  day = day or r.now
  local joined, left = isms.date(p.joined), isms.date(p.left)
  if joined and joined > day then return false end
  return left == nil or left > day
end

local function staff(r)
  local out, people = {}, r:records("person")
  -- Counted loops over the big lists: ipairs costs a call per record.
  for i = 1, #people do
    local p = people[i]
    if M.active(r, p) then out[#out + 1] = p end
  end
  return out
end

---Everyone on the staff today (joined and not left), in file order:
---worked out once per evaluation for every rule that asks (read-only).
function M.staff(r)
  return r:shared("people.staff", staff)
end

---Everyone who has left by today, with the leaving date: {p, left} each.
function M.leavers(r)
  local out, people = {}, r:records("person")
  for i = 1, #people do
    local p = people[i]
    local left = isms.date(p.left)
    if left and left <= r.now then out[#out + 1] = { p = p, left = left } end
  end
  return out
end

---The day by which a person must have done what is expected of new
---staff (`days` after joining), and whether it has passed. Someone with
---no joining date is expected to have done it already.
function M.settled(r, p, days)
  local joined = isms.date(p.joined)
  if not joined then return true, nil end
  local by = joined:add_days(days)
  return r.now > by, by
end

local function trainings_by_kind(r)
  local by, all = {}, r:records("training")
  for i = 1, #all do
    local t = all[i]
    local k = t.kind
    if type(k) == "string" then
      local l = by[k]
      if not l then l = {}; by[k] = l end
      l[#l + 1] = t
    end
  end
  return by
end

local NONE = {}

---The training records of one kind ("awareness", "role",
---"policy-acknowledgement", ...), in file order, from an index made once
---per evaluation (read-only): a rule about one kind then skips the
---thousands of records of the others.
function M.trainings(r, kind)
  return r:shared("people.trainings_by_kind", trainings_by_kind)[kind] or NONE
end

local function acknowledgements(r)
  local idx, acks = {}, M.trainings(r, "policy-acknowledgement")
  for i = 1, #acks do
    local t = acks[i]
    if t.policy ~= nil then
      local d = isms.date(t.completed_on)
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
  return r:shared("people.acknowledgements", acknowledgements)
end

---Whether person p has acknowledged policy id, per an index from
---M.acknowledgements.
function M.has_acknowledged(idx, p, id)
  local mine = idx[tostring(p.id)]
  return mine ~= nil and mine[tostring(id)] ~= nil
end

---Report the people of `list` (items {p = person, ...}) who lack
---something: one finding per person through `each(item)` while there
---are at most `limit` (default 20); beyond that one finding at `at`
---naming the first of them: "<n> <what>: a, b, c and 90 more" (each
---as `label(person)` gives it, else its id).
function M.report(r, list, at, each, what, limit, label)
  limit = limit or 20
  if #list == 0 then return end
  if #list <= limit then
    for _, item in ipairs(list) do each(item) end
    return
  end
  -- Only the first `limit` are named, so only they are labelled.
  local shown = {}
  for i = 1, limit do
    local p = list[i].p
    shown[i] = label and label(p) or tostring(p.id)
  end
  r:fail(at, "%d %s: %s and %d more", #list, what, table.concat(shown, ", "), #list - limit)
end

---Check one step every leaver must complete within `days` of leaving
---(return assets, lose access), recorded as date field `field`: a late
---date fails at the field (format `late`: id, left, done, days taken,
---allowed), a missing one fails once due (format `missing`: id, left,
---due date), and a pending one sets valid_until.
function M.leaver_step(r, field, days, late, missing)
  for _, l in ipairs(M.leavers(r)) do
    local p, by = l.p, l.left:add_days(days)
    local done = isms.date(p[field])
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

-- People at a date ------------------------------------------------------------
--
-- Acts (an approval, an acceptance, chairing a review, leading an audit)
-- are judged by the people records as they stood on the act's date: the
-- person's joined and left dates, the holders of a role over time (the
-- role's holder since assigned_on, and its `history`), and top management
-- over time (isms.yaml top_management with top_management_history, and
-- the holders of top-management roles). An act of someone who has since
-- left stays valid.

---"Zoë Ødegård (zoe.odegard)": a person's name and id for messages, or
---the id alone when there is no such person.
function M.name(r, id)
  if id == nil then return "nobody" end
  local p = r:person(id)
  if p and M.present(p.name) then return string.format("%s (%s)", tostring(p.name), tostring(id)) end
  return tostring(id)
end

---Whether person `id` worked for the organisation on `day`: the person
---record and nil, or the record (or nil) and why not ("had left on
---2026-01-31", "had not joined yet (joined 2026-08-17)", "is not in the
---personnel records").
function M.employed_on(r, id, day)
  local p = id ~= nil and r:person(id) or nil
  if not p then return nil, "is not in the personnel records" end
  local joined, left = isms.date(p.joined), isms.date(p.left)
  if joined and day < joined then
    return p, string.format("had not joined yet on %s (joined %s)", day, joined)
  end
  if left and day > left then
    return p, string.format("had left on %s", left)
  end
  return p, nil
end

-- Whether day is in [from, to] (either end may be open).
local function within(day, from, to)
  from, to = isms.date(from), isms.date(to)
  return (from == nil or from <= day) and (to == nil or day <= to)
end

---Whether person `id` held role `role` (a role record, or a role id) on
---`day`: its holder since assigned_on (or always, without the date), or a
---holder in its `history` for the dates given there.
function M.held_role_on(r, id, role, day)
  if id == nil then return false end
  if type(role) ~= "table" then role = r:record("role", role) end
  if not role then return false end
  id = tostring(id)
  if role.holder ~= nil and tostring(role.holder) == id and within(day, role.assigned_on, nil) then
    return true
  end
  for _, h in M.each(role.history) do
    if h.holder ~= nil and tostring(h.holder) == id and within(day, h.from, h.to) then return true end
  end
  return false
end

---Whether person `id` was top management on `day`, and on what the
---answer rests. Top management on a day: a top_management_history entry
---of isms.yaml covering the day; else a holder on that day of a role with
---isms_role top-management; else a member of today's top_management who
---had joined by then and whose history does not say otherwise. The
---person must also have been employed on the day.
function M.top_management_on(r, id, day)
  if id == nil then return false, "nobody is named" end
  id = tostring(id)
  local _, why = M.employed_on(r, id, day)
  if why then return false, why end
  local m = r:manifest()
  local has_history = false
  if m and type(m.top_management_history) == "table" then
    for _, h in M.each(m.top_management_history) do
      if h.person ~= nil and tostring(h.person) == id then
        has_history = true
        if within(day, h.from, h.to) then return true, "top_management_history" end
      end
    end
  end
  for _, role in ipairs(r:records("role")) do
    if role.isms_role == "top-management" and M.held_role_on(r, id, role, day) then
      return true, "role " .. tostring(role.id)
    end
  end
  if not has_history and r:is_top_management(id) then
    -- a current member since they took up a top-management role, if any
    for _, role in ipairs(r:records("role")) do
      if role.isms_role == "top-management" and role.holder ~= nil and tostring(role.holder) == id then
        local since = isms.date(role.assigned_on)
        if since and day < since then
          return false, string.format("was not top management yet on %s (role %s from %s)", day, tostring(role.id), since)
        end
      end
    end
    return true, "top_management"
  end
  return false, string.format("was not top management on %s", day)
end

---Check that the act of person `id` on `day` was made by someone in post
---then (and, with `top` true, in top management then): nil when valid,
---else the reason as text ("Ingrid Halvorsen (ingrid.halvorsen) had left
---on 2026-01-31"). Without a valid day only the person is checked
---against today.
function M.authority_on(r, id, day, top)
  if id == nil then return "nobody is named" end
  day = isms.date(day) or r.now
  local _, why = M.employed_on(r, id, day)
  if why then return string.format("%s %s", M.name(r, id), why) end
  if top then
    local ok, basis = M.top_management_on(r, id, day)
    if not ok then
      return string.format("%s %s", M.name(r, id), basis:match("^was ") and basis
        or ("was not top management on " .. tostring(day)))
    end
  end
  return nil
end

-- Lists -----------------------------------------------------------------------

---Whether a value is there: nonempty text, a nonempty list or mapping,
---or any other value.
function M.present(v)
  if v == nil then return false end
  if type(v) == "string" then return v:match("%S") ~= nil end
  if type(v) == "table" then
    if #v > 0 then return true end
    for _ in pairs(v) do return true end
    return false
  end
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

---The items of `v` (as M.items) as a set: item -> true.
function M.set(v)
  local s = {}
  for _, w in ipairs(M.items(v)) do s[w] = true end
  return s
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

---Records by the text of field `key` (the first wins).
function M.index(list, key)
  local idx = {}
  for v, l in pairs(M.group(list, key)) do idx[v] = l[1] end
  return idx
end

---The ids of a list of records, as text.
function M.ids(records)
  local out = {}
  for i, rec in ipairs(records) do out[i] = tostring(rec.id) end
  return out
end

---"a, b, c and 7 more": at most `max` (default 12) items of a list.
function M.list(t, max)
  max = max or 12
  if #t <= max then return table.concat(t, ", ") end
  return string.format("%s and %d more", table.concat(t, ", ", 1, max), #t - max)
end

---The set of words in a text that look like record ids (CH-2026-05, RT-18).
function M.words(text)
  local set = {}
  if type(text) == "string" then
    for w in text:gmatch("[%w][%w._-]*") do set[(w:gsub("[._-]+$", ""))] = true end
  end
  return set
end

-- Audiences (engineer B: A.5.1, A.6.7) ------------------------------------------

-- Lower-cased text, for comparing what people records and audiences say.
local function norm(v)
  if v == nil then return nil end
  return (tostring(v):lower():gsub("^%s+", ""):gsub("%s+$", ""))
end

-- The entries of an audience list: a list, or one text (spaces kept).
local function entries(v)
  if type(v) == "table" then
    local out = {}
    for i, x in ipairs(v) do out[i] = tostring(x) end
    return out
  end
  return v ~= nil and { tostring(v) } or {}
end

---Whether a record (a policy) declares an audience narrower than all
---staff: an `audience` mapping that is not `all: true`.
function M.has_audience(rec)
  local a = rec.audience
  return type(a) == "table" and a.all ~= true
end

-- What an audience compares of a person: department, site and role
-- folded as norm() folds them, and whether they work remotely.
local function profile(p)
  return { p = p, id = tostring(p.id), department = norm(p.department), site = norm(p.site),
    role = norm(isms.text(p, "role")), remote = p.remote_worker == true }
end

local function staff_profiles(r)
  local out = {}
  for i, p in ipairs(M.staff(r)) do out[i] = profile(p) end
  return out
end

---Today's staff as audiences see them, once per evaluation (read-only):
---a list of {p = person, id = id as text, department, site, role (each
---lower-cased and trimmed, or nil), remote = true/false}.
function M.staff_profiles(r)
  return r:shared("people.staff_profiles", staff_profiles)
end

---The audience test of rec (a policy): nil when rec reaches everyone
---(no `audience:`, or all: true), else a function of a profile (see
---M.staff_profiles) that says whether that person belongs to it: named
---by one of departments, sites or roles, or a remote worker when
---remote_workers is true. Names compare without regard to case.
function M.audience_matcher(rec)
  if not M.has_audience(rec) then return nil end
  local a = rec.audience
  local function set(list)
    local s = {}
    for _, x in ipairs(entries(list)) do s[norm(x)] = true end
    return s
  end
  local dep, site, role = set(a.departments), set(a.sites), set(a.roles)
  local remote = a.remote_workers == true
  return function(f)
    return (f.department ~= nil and dep[f.department]) or (f.site ~= nil and site[f.site])
      or (f.role ~= nil and role[f.role]) or (remote and f.remote) or false
  end
end

---How an audience reads in a message: "the staff of site Gdańsk".
function M.audience_text(rec)
  if not M.has_audience(rec) then return "all staff" end
  local a, parts = rec.audience, {}
  for _, k in ipairs({ "departments", "sites", "roles" }) do
    local items = entries(a[k])
    if #items > 0 then parts[#parts + 1] = k:sub(1, -2) .. (#items > 1 and "s " or " ") .. table.concat(items, ", ") end
  end
  if a.remote_workers == true then parts[#parts + 1] = "remote workers" end
  if #parts == 0 then return "an empty audience" end
  return table.concat(parts, "; ")
end

---"Kari Nordmann (kari.n)": a person's name and id, for messages.
function M.who(p)
  if p == nil then return "?" end
  if p.name ~= nil then return string.format("%s (%s)", tostring(p.name), tostring(p.id)) end
  return tostring(p.id)
end

return M
