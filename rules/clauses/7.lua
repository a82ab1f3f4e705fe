-- Clause 7 Support: resources, competence, awareness, communication and
-- documented information.
local mgmt = require "mgmt"
local people = require "people"

-- The roles that have a part in the ISMS (isms_role set).
local function isms_roles(r)
  local out = {}
  for _, role in ipairs(r:records("role")) do
    if role.isms_role ~= nil then out[#out + 1] = role end
  end
  return out
end

isms.rule {
  id = "7.1-isms-roles-staffed", clause = "7.1", severity = "minor",
  title = "Every ISMS role is held by someone in post",
  rationale = "7.1 requires providing the resources needed for the ISMS; a role nobody holds is a resource not provided.",
  remediation = "Name a current member of staff as holder (and deputy, if any) of each role in org/roles.yaml; update it when people leave.",
  check = function(r)
    local roles = isms_roles(r)
    if #roles == 0 then return r:not_applicable("no ISMS roles (reported by 5.3-roles-defined)") end
    for _, role in ipairs(roles) do
      local id = tostring(role.id)
      people.in_post(r, role.holder, role.holder and isms.at(role, "holder") or role, "holder of role " .. id)
      if role.deputy ~= nil then
        people.in_post(r, role.deputy, isms.at(role, "deputy"), "deputy of role " .. id)
      end
    end
  end,
}

-- Role training per person that is current today: id -> its latest
-- expiry date, or true when one does not expire.
local function role_training(r)
  local idx = {}
  for _, t in ipairs(people.trainings(r, "role")) do
    if t.passed ~= false then
      local done, exp = isms.date(t.completed_on), isms.date(t.expires_on)
      if done and done <= r.now and (exp == nil or exp >= r.now) then
        local who, cur = tostring(t.person), idx[tostring(t.person)]
        if exp == nil or cur == true then idx[who] = true
        elseif cur == nil or exp > cur then idx[who] = exp end
      end
    end
  end
  return idx
end

-- Whether `want` (a list of isms_role values, or "*" for all) names kind.
local function wanted(want, kind)
  for _, w in ipairs(want) do
    if w == "*" or w == kind then return true end
  end
  return false
end

-- Words of a competence, folded, without the small ones ("of", "the").
local function words_of(text)
  local out = {}
  for w in tostring(text):lower():gmatch("[%w\128-\255]+") do
    if #w >= 3 or w:match("%d") then out[#out + 1] = w end
  end
  return out
end

-- Whether one of the evidence texts holds every word of `need`.
local function evidenced(need, evidence)
  local want = words_of(need)
  if #want == 0 then return true end
  for _, ev in ipairs(evidence) do
    local have = {}
    for _, w in ipairs(words_of(ev)) do have[w] = true end
    local all = true
    for _, w in ipairs(want) do
      if not have[w] then all = false; break end
    end
    if all then return true end
  end
  return false
end

-- What shows a person's competence: their competences, and the courses of
-- their role training (kind role) completed, passed and current today.
local function competence_evidence(r, p)
  local out = people.items(p.competences)
  local id = tostring(p.id)
  for _, t in ipairs(people.trainings(r, "role")) do
    if t.passed ~= false and tostring(t.person) == id then
      local done, exp = isms.date(t.completed_on), isms.date(t.expires_on)
      if done and done <= r.now and (exp == nil or exp >= r.now) then out[#out + 1] = tostring(t.course) end
    end
  end
  return out
end

isms.rule {
  id = "7.2-role-competences", clause = "7.2", severity = "minor",
  title = "Holders of ISMS roles have the competences their role requires",
  rationale = "7.2 a) requires determining the competence needed by people doing ISMS work, and b) and d) ensuring and retaining evidence that they have it.",
  remediation = "Record in people/personnel.yaml (competences) or as role training (kind role) the holder's evidence of each competence the role lists under competences_required, or plan the training; write each required competence in words that its evidence also uses (e.g. \"ISO/IEC 27001 internal auditor\").",
  check = function(r)
    local any = false
    for _, role in ipairs(r:records("role")) do
      local need = {}
      if type(role.competences_required) == "table" then
        for _, x in ipairs(role.competences_required) do need[#need + 1] = tostring(x) end
      elseif people.present(role.competences_required) then
        need[1] = tostring(role.competences_required)
      end
      if #need > 0 then
        any = true
        local p = role.holder ~= nil and r:person(role.holder)
        if p and people.active(r, p) then
          local ev = competence_evidence(r, p)
          for n, c in ipairs(need) do
            if not evidenced(c, ev) then
              r:fail(type(role.competences_required) == "table" and isms.at(role.competences_required, n) or isms.at(role, "competences_required"),
                "role %s requires '%s'; %s, its holder, has no competence or current role training that shows it",
                tostring(role.id), c, people.name(r, p.id))
            end
          end
        end
      end
    end
    if not any then r:not_applicable("no role lists competences_required") end
  end,
}

isms.rule {
  id = "7.2-competence-evidence", clause = "7.2", severity = "minor",
  title = "People in ISMS roles and internal auditors have evidence of competence",
  rationale = "7.2 requires the people doing ISMS work to be competent, and evidence of their competence to be retained.",
  remediation = "Record each person's relevant qualifications under `competences` in people/personnel.yaml, or their role training (kind: role) in people/training/.",
  params = {
    roles = { default = { "*" }, doc = "isms_role values whose holders need evidence (* for every ISMS role)" },
  },
  check = function(r)
    local want = r:param("roles")
    local need, order = {}, {}
    local function add(id, why)
      if id ~= nil and not need[tostring(id)] then
        need[tostring(id)] = why
        order[#order + 1] = tostring(id)
      end
    end
    for _, role in ipairs(isms_roles(r)) do
      if wanted(want, tostring(role.isms_role)) then add(role.holder, "holds role " .. tostring(role.id)) end
    end
    local prog = r:records("audit_programme")[1]
    if prog and type(prog.auditors) == "table" then
      for _, a in people.each(prog.auditors) do add(a.person, "is an internal auditor") end
    end
    if #order == 0 then return r:not_applicable("no ISMS roles or auditors recorded") end
    local trained = role_training(r)
    for _, id in ipairs(order) do
      local p = r:person(id)
      if p and people.active(r, p) and not people.present(p.competences) then
        local t = trained[id]
        if t == nil then
          r:fail(p, "%s %s but has no evidence of competence: no competences in the personnel record and no current role training",
            id, need[id])
        elseif t ~= true then
          r:valid_until(t)
        end
      end
    end
  end,
}

-- The newest completed awareness training per person: id -> date.
local function awareness(r)
  local idx = {}
  for _, t in ipairs(people.trainings(r, "awareness")) do
    if t.passed ~= false then
      local d = isms.date(t.completed_on)
      local who = tostring(t.person)
      if d and d <= r.now and (idx[who] == nil or d > idx[who]) then idx[who] = d end
    end
  end
  return idx
end

isms.rule {
  id = "7.3-awareness-current", clause = "7.3", severity = "minor",
  title = "Everyone working for the organisation has current awareness training",
  rationale = "7.3 requires everyone doing work under the organisation's control to be aware of the policy, their contribution and the implications of not conforming.",
  remediation = "Have the people listed complete the awareness training and record it in people/training/ (kind: awareness); new staff within the allowed days of joining.",
  params = {
    awareness_months = { default = 12, doc = "months after which awareness training must be repeated" },
    awareness_after_joining_days = { default = 30, doc = "days a new joiner has to complete it" },
  },
  check = function(r)
    local months = r:param("awareness_months")
    local grace = r:param("awareness_after_joining_days")
    local last = awareness(r)
    for _, p in ipairs(r:records("person")) do
      if people.active(r, p) then
        local id, done = tostring(p.id), last[tostring(p.id)]
        local joined = isms.date(p.joined)
        if done then
          local due = done:add_months(months)
          r:valid_until(due)
          if r.now > due then
            r:fail(p, "%s: last awareness training on %s; it was due again by %s (%d days overdue)",
              id, done, due, due:days_until(r.now))
          end
        elseif joined then
          local due = joined:add_days(grace)
          r:valid_until(due)
          if r.now > due then
            r:fail(p, "%s joined on %s and has no awareness training; it was due by %s (%d days overdue)",
              id, joined, due, due:days_until(r.now))
          end
        else
          r:fail(p, "%s has no awareness training recorded", id)
        end
      end
    end
  end,
}

isms.rule {
  id = "7.4-communication-defined", clause = "7.4", severity = "minor",
  title = "What the ISMS communicates, when, to whom and how is determined",
  rationale = "7.4 requires determining the internal and external communications relevant to the ISMS: on what, when, with whom and how.",
  remediation = "Set out the ISMS communications in an approved policy or procedure and list 7.4 under its `clauses:`.",
  check = function(r)
    for _, d in ipairs(r:records("policy")) do
      if mgmt.in_force(d) and d.approved_on ~= nil then
        for _, c in ipairs(people.items(d.clauses)) do
          if mgmt.area_contains(c, "7.4") then return end
        end
      end
    end
    r:finding("major", "no approved policy or procedure sets out the ISMS communications (list 7.4 under `clauses:` in the one that does)")
  end,
}

-- The documented information the standard requires, by record type.
local REQUIRED = {
  { "scope", "4.3", "the ISMS scope", "isms/scope.md" },
  { "policy", "5.2", "the information security policy", "policies/*.md with kind: policy" },
  { "risk_method", "6.1.2", "the risk assessment process and criteria", "risk/method.yaml" },
  { "soa", "6.1.3", "the Statement of Applicability", "soa.yaml" },
  { "risk_treatment", "6.1.3", "the risk treatment plan", "risk/treatment-plan.yaml" },
  { "objective", "6.2", "the information security objectives", "objectives.yaml" },
  { "training", "7.2", "evidence of competence", "people/training/*.yaml" },
  { "risk", "8.2", "the results of risk assessments", "risk/register.yaml" },
  { "metric", "9.1", "monitoring and measurement results", "metrics.yaml" },
  { "audit_programme", "9.2.2", "the internal audit programme", "audits/programme.yaml" },
  { "audit_report", "9.2.2", "internal audit results", "audits/reports/*.md" },
  { "management_review", "9.3.3", "the results of management reviews", "reviews/*.md" },
}

-- Whether the repository holds documented information of a REQUIRED row.
local function has(r, t)
  if t == "policy" then return mgmt.main_policy(r) ~= nil end
  if t == "training" then
    if r:count("training") > 0 then return true end
    for _, p in ipairs(r:records("person")) do
      if people.present(p.competences) then return true end
    end
    return false
  end
  return r:count(t) > 0
end

isms.rule {
  id = "7.5.1-required-documents", clause = "7.5.1", severity = "major",
  title = "The documented information the standard requires exists",
  rationale = "7.5.1 a) requires the ISMS to include the documented information required by the standard.",
  remediation = "Create the missing record at the path shown (or where isms.yaml `paths:` says).",
  check = function(r)
    for _, row in ipairs(REQUIRED) do
      if not has(r, row[1]) then
        r:fail("no documented information for %s: %s (%s)", row[2], row[3], row[4])
      end
    end
  end,
}

isms.rule {
  id = "7.5-records-valid", clause = "7.5.2", severity = "minor",
  title = "ISMS records are readable and complete",
  rationale = "7.5.2 requires documented information in an appropriate format; a record that cannot be read is evidence that does not exist.",
  remediation = "Fix the file at the line shown: the message says what is wrong (syntax, a misspelt or missing field, a wrong value).",
  check = function(r)
    for _, p in ipairs(r:problems()) do
      local at = p.file and isms.location(p.file, p.line)
      local report = p.note and r.warn or r.fail
      if at then report(r, at, p.message) else report(r, p.message) end
    end
  end,
}

-- The version in force cannot have been approved before it was written:
-- its entry in the document's revision history dates it. The finding is
-- on the revision's date, the later of the two.
local function written_before_approval(r, d, id, approved)
  if not approved or d.version == nil or d.revisions == nil then return end
  local version = tostring(isms.text(d, "version"))
  for _, rev in ipairs(d.revisions) do
    local written = isms.date(rev.date)
    if tostring(isms.text(rev, "version")) == version and written and written > approved then
      r:fail(isms.at(rev, "date"), "document %s: version %s was written on %s, after its approval on %s: "
        .. "the approval cannot be of this text; have version %s approved (approved_on on or after %s) "
        .. "or correct the revision history", id, version, written, approved, version, written)
    end
  end
end

isms.rule {
  id = "7.5.2-documents-approved", clause = "7.5.2", severity = "minor",
  title = "Every policy and procedure in force is identified, owned and approved",
  rationale = "7.5.2 requires identification (title, version, owner) and review and approval of documented information for suitability and adequacy.",
  remediation = "Give the document an owner in post, a version, and the approval (approved_by, approved_on) of this version in its front matter; mark unfinished documents `status: draft`.",
  check = function(r)
    for _, d in ipairs(r:records("policy")) do
      if mgmt.in_force(d) then
        local id = tostring(d.id)
        people.in_post(r, d.owner, d.owner and isms.at(d, "owner") or d, "document " .. id .. " owner")
        if d.version == nil then
          r:fail(d, "document %s has no version", id)
        end
        -- the approval of the policy is checked by 5.2, of topic policies by A.5.1
        if d.kind ~= "policy" and d.kind ~= "topic-policy" and (d.approved_by == nil or d.approved_on == nil) then
          r:fail(d, "document %s is in force without a recorded approval (approved_by, approved_on)", id)
        end
        -- Whoever approved it must have been in post on the day (5.2 judges
        -- the policy's approver, who must also be top management).
        local day = isms.date(d.approved_on)
        written_before_approval(r, d, id, day)
        if d.kind ~= "policy" and d.approved_by ~= nil and day then
          local why = people.authority_on(r, d.approved_by, day)
          if why then
            r:fail(isms.at(d, "approved_by"), "document %s: the approval of version %s on %s is not valid: %s; have it approved again by someone in post",
              id, tostring(isms.text(d, "version") or "?"), day, why)
          end
        end
      end
    end
  end,
}

isms.rule {
  id = "7.5.2-documents-reviewed", clause = "7.5.2", severity = "minor",
  title = "Procedures and standards are reviewed within their interval",
  rationale = "7.5.2 requires appropriate review of documented information for suitability and adequacy.",
  remediation = "Review the document; record the new approval (approved_on, version) or, when unchanged, reviewed_on.",
  params = {
    kinds = { default = { "procedure", "standard" },
      doc = "document kinds checked here (the policy is checked by 5.2, topic policies by A.5.1)" },
    review_months = { default = 12, doc = "months between reviews when the document sets no review_months" },
  },
  check = function(r)
    local kinds = people.set(r:param("kinds"))
    local dflt = r:param("review_months")
    for _, d in ipairs(r:records("policy")) do
      if mgmt.in_force(d) and kinds[tostring(d.kind or "procedure")] and d.approved_on ~= nil then
        mgmt.review(r, d, mgmt.int(d.review_months, dflt), "document " .. tostring(d.id))
      end
    end
  end,
}

-- Report a document whose file changed after its last approval.
local function changed_since_approval(r, d, what, grace)
  local last = mgmt.last_review(d)
  local c = r:changed(d)
  local when = c and isms.date(c.date)
  if not last or not when or when <= last:add_days(grace) then return end
  -- a staged or edited file (pre-commit, --worktree) has no commit yet
  local by = (c.commit or "") == "" and "not committed yet"
    or string.format("commit %s by %s", tostring(c.commit):sub(1, 12), tostring(c.author or "unknown"))
  r:fail(d, "%s was changed on %s (%s), %d days after its approval or review on %s: "
    .. "the text in force is not the approved one", what, when, by, last:days_until(when), last)
end

isms.rule {
  id = "7.5.3-document-changes-approved", clause = "7.5.3", severity = "minor",
  title = "Policies, procedures and the scope are not changed without approval",
  rationale = "7.5.3 requires control of changes to documented information (version control).",
  remediation = "Have the change approved and record the new version and approved_on, or revert the unapproved change.",
  params = {
    grace_days = { default = 14, doc = "days a change may be committed after its approval date" },
  },
  check = function(r)
    local grace = r:param("grace_days")
    for _, d in ipairs(r:records("policy")) do
      if mgmt.in_force(d) then changed_since_approval(r, d, "document " .. tostring(d.id), grace) end
    end
    local s = r:records("scope")[1]
    if s then changed_since_approval(r, s, "the ISMS scope", grace) end
  end,
}
