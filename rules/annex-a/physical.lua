-- Annex A 7 Physical controls: the evidence an auditor asks for on top of
-- each control's SoA rule (soa.lua). Controls the SoA excludes are not
-- applicable (the engine judges that from `control =`); many
-- organisations working from the cloud exclude most.
local evidence = require "evidence"
local people = require "people"

-- The sites whose entry must be controlled: the asset ids listed in the
-- parameter, or else every facility of the inventory not yet retired.
-- Returns a list of {id, asset (or nil)}.
local function sites(r)
  local listed = people.set(r:param("entry_controlled_sites"))
  local out = {}
  if next(listed) then
    for id in pairs(listed) do out[#out + 1] = { id = id, asset = r:record("asset", id) } end
    table.sort(out, function(a, b) return a.id < b.id end)
    return out
  end
  for _, a in ipairs(r:records("asset")) do
    if a.kind == "facility" and not evidence.retired(r, a) then
      out[#out + 1] = { id = isms.text(a, "id"), asset = a }
    end
  end
  return out
end

isms.rule {
  id = "A.7.1-perimeters-defined", control = "7.1", severity = "minor",
  title = "Security perimeters are defined in an approved policy",
  rationale = "A.7.1 requires security perimeters to be defined and used to protect areas holding information and other associated assets.",
  remediation = "Describe the perimeters of each office or site (what is inside, how it is closed) in the physical security policy and list \"7.1\" under its controls:.",
  check = function(r)
    evidence.documented(r, "7.1", "the physical security perimeters")
  end,
}

isms.rule {
  id = "A.7.2-entry-log-review", control = "7.2", severity = "minor",
  title = "Entry to every site is controlled and the entry logs are reviewed",
  rationale = "A.7.2 requires secure areas to be protected by appropriate entry controls and access points; reviewing who entered shows that they work.",
  remediation = "Review the entry logs (badge system, key register) of each site at the interval and record each review under evidence/ as kind entry-log-review with the site's asset id in `asset`; list the sites in parameter entry_controlled_sites if not every facility asset is one.",
  params = {
    entry_log_review_months = { default = 3, doc = "months between reviews of the entry logs of a site" },
    entry_controlled_sites = { default = {}, doc = "asset ids of the sites whose entry logs are reviewed; empty: every facility asset not retired" },
  },
  check = function(r)
    local months = r:param("entry_log_review_months")
    local items = evidence.find(r, "7.2", { "entry-log-review" })
    local list = sites(r)
    if #list == 0 then
      return evidence.recent(r, { control = "7.2", kinds = { "entry-log-review" },
        months = months, what = "entry log review" })
    end
    -- A review that names no site counts when there is only one.
    local newest = evidence.by_asset(items)
    local unnamed
    if #list == 1 then
      for _, it in ipairs(items) do
        if it.asset == nil and (unnamed == nil or it.date > unnamed.date) then unnamed = it end
      end
    end
    for _, s in ipairs(list) do
      local it = newest[s.id]
      if unnamed and (it == nil or unnamed.date > it.date) then it = unnamed end
      local label = "entry log review of " .. s.id
      if not it then
        local msg = string.format("site %s%s: no entry log review is recorded (evidence of kind "
          .. "entry-log-review with asset: %s)", s.id,
          s.asset and (" (" .. tostring(s.asset.name) .. ")") or "", s.id)
        if s.asset then r:fail(s.asset, msg) else r:fail(msg) end
      elseif evidence.current(r, it, months, label) then
        evidence.result(r, it, { fail = true }, label,
          "record how the unexplained entries were followed up")
      end
    end
  end,
}

isms.rule {
  id = "A.7.4-monitoring-reviewed", control = "7.4", severity = "minor",
  title = "Premises are monitored for unauthorised physical access and the monitoring is reviewed",
  rationale = "A.7.4 requires premises to be continuously monitored for unauthorised physical access (alarms, video, guards); records of its review show that it works.",
  remediation = "Review the alarm, video or guard records at the interval and record each review under evidence/ with \"7.4\" under controls:, or exclude 7.4 in the SoA with a justification if no premises need it.",
  params = {
    monitoring_review_months = { default = 3, doc = "months between reviews of the physical security monitoring" },
  },
  check = function(r)
    evidence.recent(r, { control = "7.4", param = "monitoring_review_months",
      what = "review of physical security monitoring",
      advice = "record how the alarms or gaps found were followed up" })
  end,
}

isms.rule {
  id = "A.7.7-clear-desk-rules", control = "7.7", severity = "minor",
  title = "Clear desk and clear screen rules are defined in an approved policy",
  rationale = "A.7.7 requires clear desk rules for papers and removable media and clear screen rules for information processing facilities to be defined and enforced.",
  remediation = "Set out the clear desk and clear screen rules in an approved policy (e.g. acceptable use or physical security) and list \"7.7\" under its controls:.",
  check = function(r)
    evidence.documented(r, "7.7", "the clear desk and clear screen rules")
  end,
}

-- The newest media-disposal or data-deletion evidence per asset named,
-- dated today or earlier, once per evaluation (r:shared).
local function disposals(r)
  local disposed = {}
  for _, ev in ipairs(r:records("evidence")) do
    local a = isms.text(ev, "asset")
    if a and (ev.kind == "media-disposal" or ev.kind == "data-deletion") then
      local d = isms.date(ev.date)
      if d and d <= r.now and (disposed[a] == nil or d > disposed[a].date) then
        disposed[a] = { ev = ev, date = d }
      end
    end
  end
  return disposed
end

isms.rule {
  id = "A.7.14-disposal-recorded", control = "7.14", severity = "minor",
  title = "Retired equipment with storage media was wiped or destroyed, with a record",
  rationale = "A.7.14 requires items of equipment containing storage media to be verified so that sensitive data and licensed software are removed or securely overwritten before disposal or re-use.",
  remediation = "For each retired item of equipment, record the wiping or destruction under evidence/ as kind media-disposal (or data-deletion) with the asset id in `asset`, and the certificate of the disposal company in attachments.",
  params = {
    disposal_days = { default = 30, doc = "days after retired_on by which the disposal must be recorded" },
    equipment_kinds = { default = { "hardware", "equipment", "device", "endpoint", "media" }, doc = "asset kinds that are equipment with storage media" },
  },
  check = function(r)
    local kinds = people.set(r:param("equipment_kinds"))
    local days = r:param("disposal_days")
    -- Whether any equipment has been retired (then the rule applies).
    local seen = 0
    for _, a in ipairs(r:records("asset")) do
      local gone = a.retired_on and isms.date(a.retired_on)
      if gone and gone <= r.now and kinds[tostring(a.kind)] then seen = 1; break end
    end
    r:each("asset", function(a)
      local gone = a.retired_on and isms.date(a.retired_on)
      if gone and gone <= r.now and kinds[tostring(a.kind)] then
        local id = isms.text(a, "id") or "?"
        local it = r:shared("a7.14.disposals", disposals)[id]
        local due = gone:add_days(days)
        if it then
          evidence.result(r, it, { fail = true, partial = true }, "disposal of " .. id,
            "record how the remaining data were removed or the media destroyed")
        elseif r.now > due then
          r:fail(isms.at(a, "retired_on"), "%s (%s) was retired on %s, but no media-disposal or "
            .. "data-deletion evidence names it (due by %s, %d days overdue)", id, tostring(a.name),
            gone, due, due:days_until(r.now))
        else
          r:valid_until(due)
        end
      end
    end)
    if seen == 0 then r:not_applicable("no equipment in the asset inventory has been retired") end
  end,
}
