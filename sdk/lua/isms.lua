---@meta isms
-- isms.lua - LuaLS (lua-language-server) annotations of the rule API, so
-- that an editor completes and type-checks rule packs. Declarations only:
-- the engine provides the real module (lib/rules/sdk.lua, lib/rules/lua_date.c,
-- lib/rules/lua_record.c). Point the language server at this directory; see
-- .luarc.json beside it. tests/cli/sdk-annotations.t keeps the two in step.

-- Records ------------------------------------------------------------------

---A record, or a mapping or list inside one: a read-only view of the
---parsed file. Fields read as Lua values (`asset.owner`, `soa.controls[3]`),
---in file order with `pairs`, and `#` gives the length of a list. A field
---that the file does not have is nil. Dates stay text: parse them with
---`isms.date(rec.field)`. Records cannot be changed: copy what you need.
---@class isms.record
---@field [string] any
---@field [integer] any
local record = {}

---The location of a field (or list item) for a finding: the record's own
---location without a key or when the field is absent. When the record has
---a field named `at`, use `isms.at(rec, key)` instead.
---@param key? string|integer a field name or list index
---@return isms.location
function record:at(key) end

-- Locations ----------------------------------------------------------------

---Where a finding points: a file of the repository and a line (0: the
---whole file). tostring gives "file:line".
---@class isms.location
---@field file string the path in the repository
---@field line integer 1-based; 0 for the whole file

---What a finding may point at: a location, or a record (its first line).
---@alias isms.where isms.location|isms.record

-- Dates --------------------------------------------------------------------

---A calendar date (no time of day), immutable. Compare with `<`, `<=`,
---`==` (text in ISO 8601 on the other side works too); `a - b` is the
---number of days from b to a; `d + n` and `d - n` are n days later and
---earlier; tostring and `..` give YYYY-MM-DD.
---@class isms.date
---@operator add(integer): isms.date
---@operator sub(isms.date): integer
---@operator sub(integer): isms.date
---@operator concat(string): string
local date = {}

---n calendar months later (earlier if negative); the day is clamped to the
---end of a shorter month (31 January + 1 month is 28 or 29 February).
---@param n integer
---@return isms.date
function date:add_months(n) end

---n years later; 29 February becomes 28 February in other years.
---@param n integer
---@return isms.date
function date:add_years(n) end

---n days later (earlier if negative).
---@param n integer
---@return isms.date
function date:add_days(n) end

---Whole days from this date to other (negative when other is earlier).
---@param other isms.date|string
---@return integer
function date:days_until(other) end

---@return integer
function date:year() end

---@return integer 1 to 12
function date:month() end

---@return integer 1 to 31
function date:day() end

---The date as "YYYY-MM-DD".
---@return string
function date:iso() end

---The module `require "isms.date"` returns.
---@class isms.date_module
local date_module = {}

---Parse an ISO 8601 date (or the date part of a date-time); nil and a
---message when s is not a date.
---@param s string|isms.date|nil
---@return isms.date|nil
---@return string|nil message
function date_module.parse(s) end

---The date with these parts; raises an error when it does not exist.
---@param y integer
---@param m integer
---@param d integer
---@return isms.date
function date_module.ymd(y, m, d) end

---Whole days from a to b (negative when b is earlier).
---@param a isms.date|string
---@param b isms.date|string
---@return integer
function date_module.days_between(a, b) end

-- The rule definition --------------------------------------------------------

---A rule parameter declared with documentation. Its type is the type of
---the default: a whole number (above zero when the default is), a number,
---text, true or false, or a list of text; the value in isms.yaml must be
---of that type (a list may also be text separated by spaces or commas).
---@class isms.param_def
---@field default integer|number|string|boolean|string[] the value when isms.yaml does not set it
---@field doc? string what it means, shown by `ismsctl rules --markdown`

---What `isms.rule` takes. Give `clause` or `control` (or both). A rule
---with `control` is not applicable, without running its check, when the
---SoA excludes the control, unless `run_when_excluded` is true.
---@class isms.rule_def
---@field id string unique: letters, digits, '.', '_' and '-'
---@field clause? string an ISO/IEC 27001:2022 clause, e.g. "9.2"
---@field control? string an Annex A control, e.g. "8.13"
---@field title string what the rule checks, as a heading
---@field severity "major"|"minor"|"observation" the severity of r:fail findings
---@field rationale string why: the requirement, in a sentence
---@field remediation string what to do when the rule fails
---@field run_when_excluded? boolean run even when the SoA excludes `control` (a rule that judges the exclusion)
---@field params? table<string, integer|number|string|boolean|string[]|isms.param_def> name = default, or name = {default = v, doc = "..."}
---@field tags? string[] free labels
---@field check fun(r: isms.context) runs once per evaluation

---The rule a context runs for (read-only).
---@class isms.rule_info
---@field id string
---@field clause string|nil
---@field control string|nil
---@field title string
---@field severity "major"|"minor"|"observation"

-- The rule context -----------------------------------------------------------

---A file of the repository.
---@class isms.file_info
---@field path string
---@field commit string the commit that last changed it
---@field date isms.date|nil the day of that commit, in the organisation's time zone
---@field author string|nil

---A problem found loading the repository.
---@class isms.problem
---@field file string|nil
---@field line integer
---@field message string
---@field note boolean true: an observation (a file of no known type)

---The context `r` a rule's check function receives: the records as of the
---evaluated commit, the evaluation date, and the verdict being built.
---@class isms.context
---@field now isms.date the evaluation date, in the organisation's time zone
---@field tz string the organisation's time zone (isms.yaml time_zone, else UTC)
---@field rule isms.rule_info the rule being run
local context = {}

---Every record of a type ("risk", "policy", "asset", ...; see
---`ismsctl schema --list`), as a new list.
---@param t string a record type
---@return isms.record[]
function context:records(t) end

---How many records of a type there are; the same as #r:records(t), but
---without making the list (cheap on 20,000 training records).
---@param t string a record type
---@return integer
function context:count(t) end

---The record of type t whose id field is id, or nil.
---@param t string
---@param id string|number|nil
---@return isms.record|nil
function context:record(t, id) end

---The whole record file at path (its root mapping), or nil.
---@param path string
---@return isms.record|nil
function context:doc(path) end

---Paths of all files matching a pattern ('*', '?', '**'), sorted.
---@param pattern string
---@return string[]
function context:glob(pattern) end

---A file of the repository (any type), or nil when it does not exist.
---@param path string
---@return isms.file_info|nil
function context:file(path) end

---When a record's file last changed.
---@param rec isms.record
---@return isms.file_info|nil
function context:changed(rec) end

---The Markdown text after a record's front matter, and its first line;
---nil when the file has no body.
---@param rec isms.record
---@return string|nil body
---@return integer|nil line
function context:body(rec) end

---The manifest isms.yaml (its root mapping), or nil.
---@return isms.record|nil
function context:manifest() end

---Problems found loading the repository: unparseable or invalid records,
---files of no known type, files not loaded.
---@return isms.problem[]
function context:problems() end

---A rule parameter: isms.yaml parameters["<rule id>"][name], then
---parameters[name], then the rule's declared default, then default. A
---declared parameter comes as the type of its default (a list as a list
---of text), checked before the rule's check ran.
---@param name string
---@param default? any
---@return any
function context:param(name, default) end

---The person with this id (people/personnel.yaml), or nil.
---@param id string|nil
---@return isms.record|nil
function context:person(id) end

---Compute `fn(r)` once per evaluation and give every rule asking with the
---same key and the same `fn` the same result, read-only. `fn` is the same
---when it is defined at the same place and closes over the same
---variables: define it in a module or at the top of a pack. Another pack's
---builder never shares a result with yours, even under the same key. What
---`fn` reads counts as read by each of those rules. `fn` may not report
---findings; put any parameter it uses in the key.
---@generic T
---@param key string names the result; prefix it with your pack's name
---@param fn fun(r: isms.context): T defined once, outside the check
---@return T
function context:shared(key, fn) end

---Call `fn(rec)` for every record of a type, in the order of
---`r:records(type)`. In the daemon only the iterations over records that
---changed (or whose reads through `r` changed) run again; the others give
---the findings they gave. `fn` must judge its record alone: no index built
---from other records before the loop (use `r:shared` inside `fn`), no
---counts carried from one record to the next.
---@param type string a record type ("asset", "risk", ...)
---@param fn fun(rec: isms.record)
function context:each(type, fn) end

---Whether a person id is one of isms.yaml's top_management.
---@param id string|nil
---@return boolean
function context:is_top_management(id) end

---The SoA entry of an Annex A control, or nil when the SoA has none.
---@param control string
---@return isms.record|nil
function context:soa(control) end

---The catalogue entry of an Annex A control, or nil.
---@param id string
---@return table|nil
function context:control(id) end

---Report a nonconformity with the rule's severity; the verdict is fail.
---`r:fail([where,] format, ...)`: where is a record or a location
---(`rec:at("field")`), format and its arguments as in string.format.
---Returns the finding: `:key(k)` names its kind of problem for the
---fingerprint (docs/ci.md), by default the message without its numbers.
---@param where_or_format isms.where|string
---@param ... any
---@return isms.finding
function context:fail(where_or_format, ...) end

---Report a finding of a given severity: major and minor make the verdict
---fail, observation warn.
---@param severity "major"|"minor"|"observation"
---@param where_or_format isms.where|string
---@param ... any
---@return isms.finding
function context:finding(severity, where_or_format, ...) end

---Report an observation: the verdict is warn unless something fails.
---@param where_or_format isms.where|string
---@param ... any
---@return isms.finding
function context:warn(where_or_format, ...) end

---Point at the finding another rule reports for the same root cause
---instead of reporting it again: the rule is not_applicable with the note
---"reported under <rule_id>: ..." when it has only such links, else the
---link is listed among its findings as "see <rule_id>: ...".
---@param rule_id string the id of the rule that reports the root cause
---@param where_or_format isms.where|string
---@param ... any
function context:see(rule_id, where_or_format, ...) end

---A finding just reported.
---@class isms.finding
local finding = {}

---Name the kind of problem, for the finding's fingerprint: the same key
---for the same record and rule is the same finding in every commit,
---whatever the message says. Use it when the message carries a value
---that changes without the problem changing (a name, a status).
---@param k string
function finding:key(k) end

---The rule does not apply (for example the SoA excludes the control).
---@param reason? string
function context:not_applicable(reason) end

---The verdict holds through date d; the daemon evaluates again the next
---day (in the organisation's time zone) without waiting for a commit. The
---earliest call wins.
---@param d isms.date|string
function context:valid_until(d) end

-- The isms module ------------------------------------------------------------

---The rule API: the global `isms`, also `require "isms"`.
---@class isms
isms = {}

---The SDK version (semantic: a major change may break rule packs).
---@type string
isms.VERSION = "1.0.0"

---The ISO/IEC 27001:2022 catalogue: `clauses` and `annex_a` lists of
---{id, title, ...}.
---@type { clauses: table[], annex_a: table[] }
isms.catalogue = {}

---Declare a rule.
---@param def isms.rule_def
function isms.rule(def) end

---Parse an ISO 8601 date (or the date part of a date-time); nil and a
---message when s is nil or not a valid date.
---@param s string|isms.date|nil
---@return isms.date|nil
---@return string|nil message
function isms.date(s) end

---The date with the given year, month and day.
---@param y integer
---@param m integer
---@param d integer
---@return isms.date
function isms.ymd(y, m, d) end

---Whole days from a to b (negative when b is earlier).
---@param a isms.date|string
---@param b isms.date|string
---@return integer
function isms.days_between(a, b) end

---The location of a record or of one of its fields, for findings.
---@param rec isms.record
---@param key? string|integer a field name or list index
---@return isms.location
function isms.at(rec, key) end

---A location to point a finding at: a file and a line (0: the whole file).
---@param file string
---@param line? integer
---@return isms.location
function isms.location(file, line) end

---The text of a field as written in the file (so that 5.10 stays "5.10"),
---or nil when it is absent, a list or a mapping.
---@param rec isms.record
---@param key string
---@return string|nil
function isms.text(rec, key) end

---One Annex A control: {id, title, theme, ...}, or nil.
---@param id string
---@return table|nil
function isms.control(id) end

---One clause: {id, title, documented_information, ...}, or nil.
---@param id string
---@return table|nil
function isms.clause(id) end

---Specs: one case of `ismsctl test` (see docs/writing-rules.md).
---@class isms.spec
---@field name string
---@field now string the evaluation date, ISO 8601
---@field fixture? string a directory of records, relative to the spec file
---@field files? table<string, string> path = text: files added or replaced
---@field edit? table<string, string[][]> path = {{from, to}, ...}: text replaced once each
---@field remove? string[] paths removed
---@field expect table<string, string|{status: string, count?: integer, valid_until?: string, findings?: {file?: string, line?: integer, message?: string}[]}>

---Declare a spec case (in spec files only).
---@param case isms.spec
function spec(case) end

return isms
