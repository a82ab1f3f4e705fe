-- Clause 4 Context of the organization.
local mgmt = require "mgmt"
local people = require "people"

isms.rule {
  id = "4.1-context-issues", clause = "4.1", severity = "minor",
  title = "External and internal issues are determined, reviewed, and climate change considered",
  rationale = "4.1 requires determining the external and internal issues relevant to the ISMS and, since Amd 1:2024, whether climate change is a relevant issue.",
  remediation = "Record the issues in context/issues.yaml with kind (internal or external), climate_relevant and reviewed_on; review them at least once per interval.",
  params = {
    review_months = { default = 12, doc = "months between reviews of each issue" },
  },
  check = function(r)
    local issues = r:records("context_issue")
    if #issues == 0 then
      return r:finding("major", "no external or internal issues are recorded (context/issues.yaml)")
    end
    local months = r:param("review_months")
    local kinds, climate = {}, false
    for _, c in ipairs(issues) do
      if c.kind then kinds[c.kind] = true end
      if type(c.climate_relevant) == "boolean" then climate = true end
      mgmt.due(r, c, "reviewed_on", months, "issue " .. tostring(c.id))
    end
    for _, k in ipairs({ "external", "internal" }) do
      if not kinds[k] then
        r:fail(issues[1], "no %s issue is recorded (kind: %s); 4.1 asks for both", k, k)
      end
    end
    if not climate then
      r:fail(issues[1], "no issue records whether climate change is relevant (climate_relevant), as ISO/IEC 27001:2022/Amd 1:2024 requires")
    end
  end,
}

isms.rule {
  id = "4.2-interested-parties", clause = "4.2", severity = "minor",
  title = "Interested parties, their requirements and how the ISMS addresses them are recorded and reviewed",
  rationale = "4.2 requires determining the interested parties, their relevant requirements, and which of them the ISMS addresses.",
  remediation = "Record each party in context/interested-parties.yaml with its requirements, addressed_by (the policies, controls or processes that meet them) and reviewed_on.",
  params = {
    review_months = { default = 12, doc = "months between reviews of each party" },
  },
  check = function(r)
    local parties = r:records("interested_party")
    if #parties == 0 then
      return r:finding("major", "no interested parties are recorded (context/interested-parties.yaml)")
    end
    local months = r:param("review_months")
    for _, p in ipairs(parties) do
      local id = tostring(p.id)
      if not people.present(p.requirements) then
        r:fail(p, "party %s: no requirements are recorded (4.2 b)", id)
      elseif not people.present(p.addressed_by) then
        r:fail(p, "party %s: the record does not say how its requirements are addressed (addressed_by, 4.2 c)", id)
      end
      mgmt.due(r, p, "reviewed_on", months, "party " .. id)
    end
  end,
}

isms.rule {
  id = "4.3-scope-documented", clause = "4.3", severity = "minor",
  title = "The ISMS scope states its boundaries, its interfaces and the scope statement",
  rationale = "4.3 requires the scope to be available as documented information, with its boundaries, applicability and the interfaces and dependencies with others.",
  remediation = "Write isms/scope.md: boundaries and interfaces in the front matter, the scope statement as its text.",
  check = function(r)
    local s = r:records("scope")[1]
    if not s then return r:finding("major", "no ISMS scope is documented (isms/scope.md)") end
    if not people.present(s.boundaries) then
      r:fail(s, "the scope does not state its boundaries (boundaries: units, sites, systems, processes)")
    end
    if not people.present(s.interfaces) then
      r:fail(s, "the scope does not state the interfaces and dependencies with activities outside it (interfaces, 4.3 c)")
    end
    local body = r:body(s)
    if not people.present(body) then
      r:fail(s, "the scope has no scope statement: write it below the front matter")
    end
  end,
}

isms.rule {
  id = "4.3-scope-approved", clause = "4.3", severity = "major",
  title = "The ISMS scope is owned, approved by top management and reviewed",
  rationale = "4.3 makes management determine the scope; it must stay current as the organisation changes.",
  remediation = "Name the scope's owner, have a member of top management approve it (approved_by, approved_on) and review it within its interval.",
  params = {
    review_months = { default = 12, doc = "months between reviews when the scope sets no review_months" },
  },
  check = function(r)
    local s = r:records("scope")[1]
    if not s then return r:not_applicable("no scope (reported by 4.3-scope-documented)") end
    people.in_post(r, s.owner, s.owner and isms.at(s, "owner") or s, "scope owner")
    if s.approved_by == nil then
      r:fail(s, "the scope records no approver (approved_by)")
    else
      -- judged on the day of the approval, by the top management of that day
      local day = isms.date(s.approved_on)
      local why = people.authority_on(r, s.approved_by, day, true)
      if why then
        r:fail(isms.at(s, "approved_by"), "the scope's approval%s is not valid: %s",
          day and (" on " .. tostring(day)) or "", why)
      end
    end
    local months = mgmt.int(s.review_months, r:param("review_months"))
    -- an overdue review is an isolated lapse; no valid approval is major
    mgmt.review_as(r, "minor", s, months, "ISMS scope")
  end,
}

isms.rule {
  id = "4.4-processes-documented", clause = "4.4", severity = "minor",
  title = "The ISMS processes the standard requires are described and approved",
  rationale = "4.4 requires establishing the ISMS with the processes needed and their interactions; an auditor asks for the description of each core process.",
  remediation = "Describe each process in an approved policy or procedure and list the clause it implements under `clauses:` in its front matter (the risk method in risk/method.yaml describes 6.1.2 and 6.1.3).",
  params = {
    processes = { default = { "6.1.2", "6.1.3", "6.3", "7.5", "9.2", "10.2" },
      doc = "clauses whose process must be described by an approved document" },
  },
  check = function(r)
    local described = {}
    for _, d in ipairs(r:records("policy")) do
      if mgmt.in_force(d) and d.approved_on ~= nil then
        for _, c in ipairs(people.items(d.clauses)) do described[c] = d end
      end
    end
    local method = r:records("risk_method")[1]
    if method and method.approved_on ~= nil then
      described["6.1.2"] = described["6.1.2"] or method
      described["6.1.3"] = described["6.1.3"] or method
    end
    local missing = {}
    for _, p in ipairs(r:param("processes")) do
      local found = false
      for c in pairs(described) do
        if mgmt.areas_overlap(c, p) then found = true; break end
      end
      if not found then missing[#missing + 1] = p end
    end
    if #missing > 0 then
      r:fail("no approved policy or procedure describes the process of clause %s (list it under `clauses:`)",
        people.list(missing))
    end
  end,
}

-- Scope against reality -------------------------------------------------------

-- Text folded for matching names of sites and departments.
local function fold(v) return (tostring(v):lower():gsub("%s+", " "):gsub("^ ", ""):gsub(" $", "")) end

-- The excluded name of `list` that `value` names: equal, or for a free-text
-- location, containing it as a whole word; nil when none.
local function excluded_by(list, value, contains)
  if value == nil then return nil end
  local v = fold(value)
  for _, x in ipairs(list) do
    local f = fold(x)
    if f ~= "" and (v == f or contains and (" " .. v:gsub("%p", " ") .. " "):find(" " .. f:gsub("%p", " ") .. " ", 1, true)) then
      return x
    end
  end
end

-- Classifications that mean information in use, not public.
local PUBLIC = { public = true, open = true, ["public-use"] = true, unclassified = true }

isms.rule {
  id = "4.3-scope-reality", clause = "4.3", severity = "minor",
  title = "Nothing the ISMS depends on is located where the scope excludes",
  rationale = "4.3 requires the scope's boundaries to hold: people with ISMS duties or in charge of assets, and assets in production or holding classified information, located at an excluded site or in an excluded department contradict the scope.",
  remediation = "Either bring the site or department into the scope (isms/scope.md), or move the duty, the asset or its ownership to someone or somewhere inside it; correct the person's site or the asset's location if it is wrong.",
  check = function(r)
    local s = r:records("scope")[1]
    if not s then return r:not_applicable("no scope (reported by 4.3-scope-documented)") end
    local sites, depts = people.items(s.excluded_sites), people.items(s.excluded_departments)
    if #sites == 0 and #depts == 0 then
      return r:not_applicable("the scope names no excluded_sites or excluded_departments")
    end
    -- Who is in scope by use: owners of assets in production or classified,
    -- holders of ISMS roles, SoA control owners, risk owners.
    local duties = {}
    local function duty(id, what)
      if id == nil then return end
      local k = tostring(id)
      duties[k] = duties[k] or what
    end
    for _, a in ipairs(r:records("asset")) do
      if a.retired_on == nil and (a.production == true or (a.classification ~= nil and not PUBLIC[tostring(a.classification)])) then
        duty(a.owner, "owns asset " .. tostring(a.id))
      end
    end
    for _, role in ipairs(r:records("role")) do
      if role.isms_role ~= nil then duty(role.holder, "holds the ISMS role " .. tostring(role.id)) end
    end
    local soa = r:records("soa")[1]
    if soa then
      for _, e in people.each(soa.controls) do
        if e.applicable == true then duty(e.owner, "owns control " .. tostring(isms.text(e, "control"))) end
      end
    end
    for _, k in ipairs(r:records("risk")) do
      if k.status ~= "closed" then duty(k.owner, "owns risk " .. tostring(k.id)) end
    end
    for _, p in ipairs(people.staff(r)) do
      local what = duties[tostring(p.id)]
      if what then
        local site = excluded_by(sites, p.site, false)
        local dept = excluded_by(depts, p.department, false)
        if site or dept then
          r:fail(isms.at(p, site and "site" or "department"),
            "%s %s but works %s, which the scope excludes", people.name(r, p.id), what,
            site and ("at the site " .. site) or ("in the department " .. dept))
        end
      end
    end
    for _, a in ipairs(r:records("asset")) do
      if a.retired_on == nil and (a.production == true or (a.classification ~= nil and not PUBLIC[tostring(a.classification)])) then
        local site = excluded_by(sites, a.location, true)
        if site then
          r:fail(isms.at(a, "location"), "asset %s (%s) is %s but located at %s, which the scope excludes",
            tostring(a.id), tostring(a.name), a.production == true and "in production" or ("classified " .. tostring(a.classification)), site)
        end
      end
    end
  end,
}
