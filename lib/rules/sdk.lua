-- sdk.lua - the `isms` module that rule packs use, and the rule runner.
--
-- Trusted code: the engine runs it once per evaluation state with the full
-- standard library and a table I of internal functions (engine.c). Rules
-- never see I, the real globals, or the tables kept here; they get the
-- read-only `isms` proxy, `require`, and a fresh context `r` per run.

local I = ...
local fmt, concat, getinfo = string.format, table.concat, debug.getinfo
local rawtype = type

-- Records and read-only tables are userdata proxies; treat them as tables.
local function type(v)
  local t = rawtype(v)
  if t == "userdata" and I.is_proxy(v) then return "table" end
  return t
end
local S = {}          -- what engine.c calls
local isms = {}       -- the public module

local rules = {}      -- registered rules, in load order
local by_id = {}
local errors = {}     -- "file:line: message" collected while loading
local pack            -- the pack file being loaded

local SEVERITY = { major = true, minor = true, observation = true }
local RULE_FIELDS = {
  id = true, clause = true, control = true, title = true, severity = true,
  rationale = true, remediation = true, check = true, params = true,
  tags = true, run_when_excluded = true,
}

---The SDK version (semantic: a major change may break rule packs).
isms.VERSION = "1.0.0"

---@class isms.date
---A calendar date: compare with < <= ==, subtract for days between,
---`d:add_months(n)`, `d:add_days(n)`, `d:add_years(n)`, `d:days_until(other)`,
---`d:year()`, `d:month()`, `d:day()`, `d:iso()`; tostring gives YYYY-MM-DD.

local D = I.date_module

-- Dates are immutable, and rules parse the same texts over and over (a
-- joining date per rule, a completion date per training record): each
-- text is parsed once per evaluation, up to MEMO_MAX distinct texts.
local date_memo, memo_size, MEMO_MAX = {}, 0, 100000

---Parse an ISO 8601 date (or date-time: its date part); nil and a message
---when `s` is nil or not a valid date.
---@param s string|isms.date|nil
---@return isms.date|nil, string|nil
function isms.date(s)
  if rawtype(s) ~= "string" then return D.parse(s) end
  local d = date_memo[s]
  if d then return d end
  local msg
  d, msg = D.parse(s)
  if d and memo_size < MEMO_MAX then
    date_memo[s] = d
    memo_size = memo_size + 1
  end
  return d, msg
end

---The date with the given year, month and day.
---@return isms.date
function isms.ymd(y, m, d) return D.ymd(y, m, d) end

---Whole days from a to b (negative when b is earlier).
---@return integer
function isms.days_between(a, b) return D.days_between(a, b) end

---The location of a record or of one of its fields, for findings.
---@param rec table a record
---@param key string|integer|nil a field name or list index
function isms.at(rec, key) return I.at(rec, key) end

---A location to point a finding at: a file and a line (0: the whole file).
function isms.location(file, line) return I.location(file, line) end

---The text of a field as written in the file (so that 5.10 stays "5.10").
---@return string|nil
function isms.text(rec, key) return I.text(rec, key) end

---The ISO/IEC 27001:2022 catalogue: `clauses` and `annex_a` lists.
isms.catalogue = I.readonly(I.catalogue_raw)

local control_index, clause_index = {}, {}
for _, c in ipairs(I.catalogue_raw.annex_a) do control_index[c.id] = c end
for _, c in ipairs(I.catalogue_raw.clauses) do clause_index[c.id] = c end

---One Annex A control: {id, title, theme, ...}, or nil.
function isms.control(id)
  local c = control_index[tostring(id)]
  if c then return I.readonly(c) end
end

---One clause: {id, title, documented_information, ...}, or nil.
function isms.clause(id)
  local c = clause_index[tostring(id)]
  if c then return I.readonly(c) end
end

-- "file:line" of the caller `level` up: the whole chunk name (short_src
-- cuts a long path of an extra pack directory).
local function where(level)
  local info = getinfo(level + 1, "Sl")
  if info then
    local src = info.source:sub(1, 1) == "@" and info.source:sub(2) or info.short_src
    return fmt("%s:%d", src, info.currentline)
  end
  return pack or "?"
end

local function check_def(def, bad)
  for k in pairs(def) do
    if not RULE_FIELDS[k] then bad(fmt("unknown field '%s'", tostring(k))) end
  end
  if type(def.id) ~= "string" or not def.id:match("^[%w][%w._-]*$") then
    bad("id must be text of letters, digits, '.', '_' or '-'")
  elseif by_id[def.id] then
    bad(fmt("id is already used by the rule at %s", by_id[def.id].where))
  end
  if def.clause == nil and def.control == nil then
    bad("give the clause (\"5.2\") or the Annex A control (\"5.15\") it checks")
  end
  if def.clause ~= nil and not clause_index[tostring(def.clause)] then
    bad(fmt("clause '%s' is not an ISO/IEC 27001:2022 clause", tostring(def.clause)))
  end
  if def.control ~= nil and not control_index[tostring(def.control)] then
    bad(fmt("control '%s' is not an Annex A control", tostring(def.control)))
  end
  for _, k in ipairs({ "title", "rationale", "remediation" }) do
    if type(def[k]) ~= "string" or def[k] == "" then bad(k .. " is required text") end
  end
  if not SEVERITY[def.severity] then
    bad("severity must be major, minor or observation")
  end
  if type(def.check) ~= "function" then bad("check must be a function(r)") end
  if def.run_when_excluded ~= nil and rawtype(def.run_when_excluded) ~= "boolean" then
    bad("run_when_excluded must be true or false")
  elseif def.run_when_excluded and def.control == nil then
    bad("run_when_excluded needs the control whose exclusion the rule judges")
  end
  if def.params ~= nil and type(def.params) ~= "table" then
    bad("params must be a table of name = default")
  end
end

-- Typed parameters -----------------------------------------------------------
--
-- A parameter's type is the type of its declared default: a whole number
-- (above zero when the default is: a count of days or months), a number,
-- text, true or false, or a list of text. isms.yaml's value is checked
-- against it before the check runs, and r:param returns it typed.

local function list_type(v)
  if rawtype(v) ~= "table" or getmetatable(v) ~= nil then return false end
  local n = #v
  for k, x in pairs(v) do
    if math.type(k) ~= "integer" or k < 1 or k > n then return false end
    local t = rawtype(x)
    if t ~= "string" and t ~= "number" then return false end
  end
  return true
end

local function type_of(v)
  local t = rawtype(v)
  if t == "number" then return math.type(v) end
  if t == "string" or t == "boolean" then return t end
  if list_type(v) then return "list" end
end

local WANTED = {
  integer = "a whole number", number = "a number", string = "text",
  boolean = "true or false",
  list = "a list, or text of items separated by spaces or commas",
}

-- Whether a table or record has any key (pairs works on both).
local function has_keys(v)
  for _ in pairs(v) do return true end
  return false
end

-- What isms.yaml or a declaration gives, as a message shows it.
local function shown(v)
  if type(v) ~= "table" then return tostring(v) end
  local out = {}
  for i = 1, #v do
    if type(v[i]) == "table" then return "a list of lists or mappings" end
    out[i] = tostring(v[i])
  end
  if #out == 0 and has_keys(v) then return "a mapping" end
  return concat(out, " ")
end

-- The items of a list parameter's value: a list of text, or text split at
-- spaces, commas and semicolons; nil when it is neither.
local function items(v, written)
  local out = {}
  local t = type(v)
  if t == "table" then
    for i = 1, #v do
      local x = v[i]
      if type(x) == "table" or type(x) == "boolean" then return nil end
      out[i] = tostring(x)
    end
    if #out == 0 and has_keys(v) then return nil end
  elseif t == "string" or t == "number" then
    for w in (written or tostring(v)):gmatch("[^%s,;]+") do out[#out + 1] = w end
  else
    return nil
  end
  return out
end

-- isms.yaml's value v of parameter p (its declaration), as p's type, or
-- nil. written: the value as the file has it, for text.
local function coerce(p, v, written)
  local t = p.type
  if t == "integer" then
    local n = math.tointeger(rawtype(v) == "string" and tonumber(v) or v)
    if n and (not p.positive or n > 0) then return n end
  elseif t == "number" then
    local n = rawtype(v) == "string" and tonumber(v) or v
    if rawtype(n) == "number" then return n end
  elseif t == "string" then
    if rawtype(v) == "string" then return v end
    if rawtype(v) == "number" then return written or tostring(v) end
  elseif t == "boolean" then
    if rawtype(v) == "boolean" then return v end
  else
    return items(v, written)
  end
end

-- The declaration of parameter `name` (`v`: its default, or {default =
-- ..., doc = ...}), or nil after bad(msg).
local function param_decl(name, v, bad)
  local what = fmt("parameter '%s'", tostring(name))
  if rawtype(name) ~= "string" or not name:match("^[%a_][%w_]*$") then
    return bad(what .. ": a name is letters, digits and '_'")
  end
  local default, doc = v, nil
  if rawtype(v) == "table" and (v.default ~= nil or v.doc ~= nil or next(v) ~= nil and not list_type(v)) then
    for k in pairs(v) do
      if k ~= "default" and k ~= "doc" then
        return bad(fmt("%s: unknown field '%s' (give default and doc)", what, tostring(k)))
      end
    end
    default, doc = v.default, v.doc
    if doc ~= nil and rawtype(doc) ~= "string" then return bad(what .. ": doc must be text") end
  end
  local t = type_of(default)
  if default == nil then
    return bad(what .. ": give a default; its type is the parameter's type")
  elseif not t then
    return bad(fmt("%s: the default must be a whole number, a number, text, true or false, "
      .. "or a list of text, not %s", what, rawtype(default)))
  end
  local p = { type = t, doc = doc, shown = shown(default) }
  if t == "list" then
    p.default = items(default)
  else
    p.default = default
  end
  p.positive = t == "integer" and default > 0
  return p
end

---Declare a rule. Fields: id, clause or control, title, severity (major,
---minor, observation), rationale, remediation, params (name = default, or
---name = {default = v, doc = "..."}), check = function(r) ... end.
---@param def table
function isms.rule(def)
  local at = where(2)
  if type(def) ~= "table" then
    errors[#errors + 1] = at .. ": isms.rule expects a table: isms.rule { id = ..., check = function(r) ... end }"
    return
  end
  local problems = {}
  local function bad(m) problems[#problems + 1] = m end
  check_def(def, bad)
  local params, names = {}, {}
  if type(def.params) == "table" then
    for name, v in pairs(def.params) do
      local p = param_decl(name, v, bad)
      if p then params[name] = p; names[#names + 1] = name end
    end
  end
  if #problems > 0 then
    errors[#errors + 1] = fmt("%s: rule '%s': %s", at, tostring(def.id), concat(problems, "; "))
    return
  end
  table.sort(names)
  local r = {
    id = def.id, clause = def.clause and tostring(def.clause),
    control = def.control and tostring(def.control), title = def.title,
    severity = def.severity, rationale = def.rationale,
    remediation = def.remediation, check = def.check, params = params,
    param_names = names, run_when_excluded = def.run_when_excluded == true,
    pack = pack, where = at, line = tonumber(at:match(":(%d+)$")) or 0,
  }
  rules[#rules + 1] = r
  by_id[r.id] = r
end

-- The rule context ---------------------------------------------------------

local state = setmetatable({}, { __mode = "k" })
local Ctx = {}
Ctx.__index = Ctx
Ctx.__metatable = "rule context"

local rec_cache = {}

local function records_of(t)
  I.track_type(t)
  local l = rec_cache[t]
  if not l then l = I.records(t); rec_cache[t] = l end
  return l
end

---Every record of a type ("risk", "policy", ...), as a new list.
---@return table[]
function Ctx:records(t)
  local l = records_of(t)
  return table.move(l, 1, #l, 1, {})
end

---How many records of a type there are: #r:records(t) without the list.
---@return integer
function Ctx:count(t)
  I.track_type(t)
  local l = rec_cache[t]
  return l and #l or I.count(t)
end

---The record of type t whose id field is id, or nil.
function Ctx:record(t, id)
  I.track_type(t)
  if id == nil then return nil end
  return I.record_by_id(t, tostring(id))
end

-- Results of r:shared by builder and key, and how many of its computations
-- are under way (they may read, not judge).
local shared, computing = {}, 0

-- What tells one builder of r:shared from another: where its code is
-- defined and what it closes over. A helper of rules/lib gives every pack
-- that calls it the same builder, so its result is computed once; a pack
-- that uses another pack's key with a builder of its own (its code lives
-- in its own file, and closes over its own environment) gets its own
-- result, so that no pack can hand another a value, whatever order the
-- rules run in.
-- Builder ids by function (a rule that calls r:shared in every iteration
-- of a loop works its builder's id out once).
local builder_ids = setmetatable({}, { __mode = "k" })

local function builder_id(fn)
  local d = getinfo(fn, "Su")
  local id = { d.source, ":", d.linedefined, ":", d.lastlinedefined }
  for i = 1, d.nups do
    id[#id + 1] = "|"
    id[#id + 1] = tostring(debug.upvalueid(fn, i))
  end
  return concat(id)
end

---Compute `fn(r)` once per evaluation and give every rule that asks with
---the same `key` and the same `fn` the same result, read-only: for helpers
---that index many records and serve many rules (the evidence dates per
---file, the policy acknowledgements per person). `fn` counts as the same
---when it is defined at the same place and closes over the same variables:
---define it once in a module (rules/lib) or at the top of a pack, not
---inside a check, or it is computed anew for every rule. Results are kept
---apart by `fn`, so packs that happen to use one key do not share a
---result. What `fn` reads counts as read by every rule given the result,
---so incremental evaluation stays exact. The result must depend only on
---the records and `key` (put a parameter in the key); `fn` cannot report
---findings. An error in `fn` is the calling rule's error, and the next
---rule to ask computes again.
function Ctx:shared(key, fn)
  if type(key) ~= "string" then error("r:shared(key, fn): key must be a string", 2) end
  if type(fn) ~= "function" then error("r:shared(key, fn): fn must be a function", 2) end
  local by_fn = shared[key]
  if not by_fn then by_fn = {}; shared[key] = by_fn end
  local fid = builder_ids[fn]
  if not fid then fid = builder_id(fn); builder_ids[fn] = fid end
  local c = by_fn[fid]
  if c then
    I.track_add(c.reads, c.patterns, c.fields)
    return c.value
  end
  I.track_push()
  computing = computing + 1
  local ok, v = pcall(fn, self)
  computing = computing - 1
  local reads, patterns, fields = I.track_pop()
  if not ok then error(v, 0) end
  if type(v) == "table" then v = I.readonly(v) end
  by_fn[fid] = { value = v, reads = reads, patterns = patterns, fields = fields }
  return v
end

---The whole record file at path (its root mapping), or nil.
function Ctx:doc(path) return I.doc(path) end

---Paths of all files matching a pattern ('*', '?', '**'), sorted.
function Ctx:glob(pattern) return I.glob(pattern) end

---A file of the repository (any type): {path, commit, date, author}, or
---nil when it does not exist. Use it to check that evidence exists.
function Ctx:file(path) return I.file(path) end

---When a record's file last changed: {path, commit, date, author}.
function Ctx:changed(rec) return I.changed(rec) end

---The Markdown text after a record's front matter, and its first line.
function Ctx:body(rec) return I.body(rec) end

---The manifest isms.yaml (its root mapping), or nil.
function Ctx:manifest() return I.manifest() end

---Problems found loading the repository: unparseable or invalid records,
---files of no known type, files not loaded: {file, line, message, note}.
function Ctx:problems() return I.problems() end

-- isms.yaml's parameters, and those of rule `id` (parameters["<id>"]).
local function configured(id)
  local m = I.manifest()
  local p = m and m.parameters
  if type(p) ~= "table" then return nil end
  local own = p[id]
  return p, type(own) == "table" and own or nil
end

---A rule parameter: isms.yaml parameters["<rule id>"][name], then
---parameters[name], then the rule's declared default, then default. A
---declared parameter comes as the type of its default (a list as a list
---of text), checked before the rule's check ran.
function Ctx:param(name, default)
  local v = state[self].params[name]
  if v ~= nil then return v end
  local p, own = configured(self.rule.id)
  if own and own[name] ~= nil then return own[name] end
  if p and p[name] ~= nil then return p[name] end
  return default
end

---The person with this id (people/personnel.yaml), or nil.
function Ctx:person(id) return self:record("person", id) end

---Whether a person id is one of isms.yaml's top_management.
function Ctx:is_top_management(id)
  if id == nil then return false end
  local m = I.manifest()
  local tm = m and m.top_management
  if type(tm) ~= "table" then return false end
  for _, p in ipairs(tm) do
    if tostring(p) == tostring(id) then return true end
  end
  return false
end

-- The SoA's entries by control id (the first entry of each), shared
-- through r:shared so that every rule that asks reads what it was made
-- from, the SoA's controls.
local function soa_entries(r)
  local idx, soa = {}, records_of("soa")[1]
  local list = soa and soa.controls
  if type(list) == "table" then
    for _, e in ipairs(list) do
      local id = I.text(e, "control")
      if id and idx[id] == nil then idx[id] = e end
    end
  end
  return idx
end

---The SoA entry of an Annex A control, or nil when the SoA has none.
function Ctx:soa(control)
  if not records_of("soa")[1] then return nil end
  return self:shared("isms.soa_entries", soa_entries)[tostring(control)]
end

---The catalogue entry of an Annex A control.
function Ctx:control(id) return isms.control(id) end

local function message(n, ...)
  if n == 0 then error("a finding needs a message", 3) end
  if n == 1 then return tostring((...)) end
  return fmt(...)
end

local function verdict_of(self, what)
  if computing > 0 then
    error(what .. " cannot be used inside r:shared: a shared result is the same for every "
      .. "rule, so report from the rule itself", 3)
  end
  return state[self]
end

local function add(self, severity, ...)
  local st = verdict_of(self, "a finding")
  local n = select("#", ...)
  local file, line = I.loc((...))
  local msg
  if file then msg = message(n - 1, select(2, ...))
  else msg = message(n, ...) end
  local f = { message = msg, severity = severity, file = file, line = line }
  st.findings[#st.findings + 1] = f
  return setmetatable({}, { __index = { key = function(_, k)
    if type(k) ~= "string" or k == "" then error("a finding's key must be a non-empty string", 2) end
    f.key = k
  end }, __metatable = false })
end

-- Add an outcome (an iteration's, run or replayed) to the rule's.
local function add_outcome(st, vu, failed, warned)
  if vu ~= nil and (st.valid_until == nil or vu < st.valid_until) then st.valid_until = vu end
  st.failed = st.failed or failed or nil
  st.warned = st.warned or warned or nil
end

-- Run one iteration of r:each with its outcome kept apart, keep that in
-- the memo, and add it to the rule's. An iteration that links to another
-- rule or finds the rule not applicable is not kept: that is the rule's
-- outcome, not the record's.
local function iterate(st, fn, rec)
  local nf, vu, failed, warned, nl, na = #st.findings, st.valid_until, st.failed, st.warned, #st.links, st.na
  st.valid_until, st.failed, st.warned = nil, nil, nil
  I.track_push()
  fn(rec)
  local reads, patterns = I.track_pop()
  if #st.links == nl and st.na == na then
    I.memo_put(rec, table.move(st.findings, nf + 1, #st.findings, 1, {}), st.valid_until,
      st.failed == true, st.warned == true, reads, patterns)
  end
  local my_vu, my_failed, my_warned = st.valid_until, st.failed, st.warned
  st.valid_until, st.failed, st.warned = vu, failed, warned
  add_outcome(st, my_vu, my_failed, my_warned)
end

---Run fn(rec) for every record of type t, in the order of r:records(t).
---Use it for a check made record by record: in the daemon, when one
---record of a large register changes, only the iterations over records
---that changed (or whose other reads changed) run again, and the others
---give the findings and valid_until they gave last time. So fn must judge
---its record alone: what it reports may depend on the record, on what it
---reads through r, on r.now and the parameters, but not on values carried
---from one iteration to the next (count or total in a plain loop over
---r:records instead).
function Ctx:each(t, fn)
  local st = verdict_of(self, "r:each")
  if type(fn) ~= "function" then error("r:each(type, fn): fn must be a function", 2) end
  if not I.memo_on() then
    local l = records_of(t)
    for i = 1, #l do fn(l[i]) end
    return
  end
  I.track_type(t)
  -- The replayed iterations' findings go between the others' in record
  -- order, as a plain loop would have made them.
  local runs, at, found, fat, vu, failed, warned = I.memo_scan(t)
  local findings, j, nfound = st.findings, 1, #found
  for i = 1, #runs do
    local k = at[i]
    while j <= nfound and fat[j] < k do
      findings[#findings + 1] = found[j]
      j = j + 1
    end
    iterate(st, fn, runs[i])
  end
  for i = j, nfound do findings[#findings + 1] = found[i] end
  add_outcome(st, vu, failed, warned)
end

---Report a nonconformity with the rule's severity: r:fail([at,] fmt, ...),
---where `at` is a record or `isms.at(rec, "field")`. Returns the finding,
---whose `:key(k)` names the kind of problem for its fingerprint (default:
---the message without its numbers).
function Ctx:fail(...)
  local f = add(self, verdict_of(self, "r:fail").rule.severity, ...)
  state[self].failed = true
  return f
end

---Report a finding of a given severity (major, minor, observation);
---observations make the verdict `warn`, others `fail`.
function Ctx:finding(severity, ...)
  if not SEVERITY[severity] then
    error("severity must be major, minor or observation", 2)
  end
  local f = add(self, severity, ...)
  if severity == "observation" then state[self].warned = true
  else state[self].failed = true end
  return f
end

---Report an observation: the verdict is `warn` unless something fails.
function Ctx:warn(...)
  local f = add(self, "observation", ...)
  state[self].warned = true
  return f
end

---Point at a finding that another rule reports for the same root cause,
---instead of reporting it a second time: r:see(rule_id, [at,] fmt, ...).
---The finding is counted once, under `rule_id`; a rule whose only
---findings are such links is not failed but `not_applicable`, with a note
---"reported under <rule_id>: <message> (<file>:<line>)". A rule that also
---fails or warns on its own keeps its verdict, and the link is listed
---with its findings (prefixed "see <rule_id>:") without raising it.
function Ctx:see(rule_id, ...)
  local st = verdict_of(self, "r:see")
  if type(rule_id) ~= "string" or rule_id == "" then
    error("r:see(rule_id, [at,] fmt, ...): give the id of the rule that reports it", 2)
  end
  local n = select("#", ...)
  local file, line = I.loc((...))
  local msg
  if file then msg = message(n - 1, select(2, ...))
  else msg = message(n, ...) end
  st.links[#st.links + 1] = { rule = rule_id, message = msg, file = file, line = line }
end

---The rule does not apply (for example the SoA excludes the control).
function Ctx:not_applicable(reason)
  verdict_of(self, "r:not_applicable").na = tostring(reason or "not applicable")
end

---The verdict holds through date d; the daemon re-evaluates the next day
---(in the organisation's time zone). The earliest call wins.
function Ctx:valid_until(d)
  local day = isms.date(d)
  -- a date already past changes nothing and must not hide a later one
  if not day or day < self.now then return end
  local st = verdict_of(self, "r:valid_until")
  if st.valid_until == nil or day < st.valid_until then st.valid_until = day end
end

-- Waivers ------------------------------------------------------------------

local function waiver_for(id, today)
  local m = I.manifest()
  local ws = m and m.waivers
  if type(ws) ~= "table" then return nil end
  for _, w in ipairs(ws) do
    if type(w) == "table" and tostring(w.rule) == id and w.approved_by ~= nil then
      local exp = isms.date(w.expires)
      if exp and today <= exp then return w, exp end
    end
  end
end

-- The engine's side --------------------------------------------------------

function S.begin_pack(name) pack = name end
function S.errors() return errors end
function S.rules() return rules end

local loaded = {}
local isms_ro = I.readonly(isms)
local date_ro = I.readonly(D)

---Load a module from the rules lib/ directory, or "isms" / "isms.date".
function S.require(name)
  if name == "isms" then return isms_ro end
  if name == "isms.date" then return date_ro end
  if type(name) ~= "string" then error("module name must be text", 2) end
  if loaded[name] ~= nil then return loaded[name] end
  local fn, path = I.lib_load(name)
  if fn == nil and path == nil then
    error(fmt("module '%s' not found: rule packs can require 'isms', " ..
      "'isms.date' and modules in the rules lib/ directory", name), 2)
  end
  if not fn then error(path, 2) end
  local v = fn(name)
  if v == nil then v = true end
  if type(v) == "table" then v = I.readonly(v) end
  loaded[name] = v
  return v
end
S.isms = isms_ro

-- The values of the rule's declared parameters for this run, into
-- st.params; false after a finding for each value of isms.yaml that is
-- not of its parameter's type.
local function typed_params(ctx, st)
  local rule = st.rule
  if #rule.param_names == 0 then return true end
  local all, own = configured(rule.id)
  local good = true
  for _, name in ipairs(rule.param_names) do
    local p = rule.params[name]
    local map = own and own[name] ~= nil and own or all and all[name] ~= nil and all or nil
    local v
    if map then
      v = coerce(p, map[name], I.text(map, name))
      if v == nil then
        good = false
        ctx:fail(isms.at(map, name), "parameter %s must be %s, not '%s': correct it in isms.yaml "
          .. "(rule %s, declared at %s with default '%s')", name,
          p.positive and "a whole number above zero" or WANTED[p.type], shown(map[name]),
          rule.id, rule.where, p.shown)
      end
    elseif p.type == "list" then
      v = table.move(p.default, 1, #p.default, 1, {})
    else
      v = p.default
    end
    st.params[name] = v
  end
  return good
end

-- The SoA's exclusion of the rule's control, as the reason the rule does
-- not apply; nil when the rule runs (its SoA rule judges an entry that
-- is missing or undecided, 6.1.3 one without justification).
local function excluded(ctx, rule)
  if not rule.control or rule.run_when_excluded then return nil end
  local e = ctx:soa(rule.control)
  if e and e.applicable == false then
    local c = control_index[rule.control]
    return fmt("A.%s %s is excluded in the Statement of Applicability", c.id, c.title)
  end
end

---Run rule i; returns its verdict table for engine.c.
function S.run(i)
  local rule = rules[i]
  local ctx = setmetatable({ now = I.today(), tz = I.tz(), rule = I.readonly({
    id = rule.id, clause = rule.clause, control = rule.control,
    title = rule.title, severity = rule.severity }) }, Ctx)
  local st = { rule = rule, findings = {}, params = {}, links = {} }
  state[ctx] = st
  st.na = excluded(ctx, rule)
  if not st.na and typed_params(ctx, st) then rule.check(ctx) end
  local status = "pass"
  if st.failed then status = "fail"
  elseif st.warned then status = "warn"
  elseif st.na or #st.links > 0 then status = "not_applicable" end
  local note = st.na
  -- Findings of another rule's root cause: listed, never counted here.
  for _, l in ipairs(st.links) do
    local where = l.file and (l.line and l.line > 0 and fmt(" (%s:%d)", l.file, l.line)
      or fmt(" (%s)", l.file)) or ""
    if status == "not_applicable" then
      local text = fmt("reported under %s: %s%s", l.rule, l.message, where)
      note = note and (note .. "; " .. text) or text
    else
      st.findings[#st.findings + 1] = { message = fmt("see %s: %s", l.rule, l.message),
        severity = "observation", file = l.file, line = l.line }
    end
  end
  local w, exp = waiver_for(rule.id, ctx.now)
  if w and (status == "fail" or status == "warn") then
    status = "waived"
    note = fmt("waived until %s by %s: %s", exp:iso(), tostring(w.approved_by),
      tostring(w.reason or "no reason given"))
    if st.valid_until == nil or exp < st.valid_until then st.valid_until = exp end
  end
  return { status = status, findings = st.findings, note = note,
    valid_until = st.valid_until }
end

return S
