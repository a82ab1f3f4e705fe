-- Annex A 5 Organizational controls: the evidence the repository records
-- for them, in control order. A rule whose control the SoA excludes is
-- not applicable (the engine judges that from `control =`). The SoA entry
-- itself is checked by the A.5.x-soa rules (soa.lua).
local evidence = require "evidence"
local mgmt = require "mgmt"
local people = require "people"

local fmt = string.format

-- Whether a supplier still provides its service today.
local function active_supplier(r, s)
  local ended = isms.date(s.ended_on)
  return ended == nil or ended > r.now
end

-- Supplier access that needs no security clauses.
local NO_ACCESS = { none = true, public = true }

-- A value of a classification scheme, lower-cased.
local function label(v) return tostring(v):lower() end

isms.rule {
  id = "A.5.1-topic-policies-reviewed", control = "5.1", severity = "minor",
  title = "Topic-specific policies are approved by management and reviewed at planned intervals",
  rationale = "A.5.1 requires topic-specific policies to be approved by management and reviewed at planned intervals.",
  remediation = "Review the policy; record who approved it (approved_by, approved_on), or reviewed_on when the text stayed the same, and its review_months.",
  params = { review_months = { default = 12,
    doc = "months between reviews of a policy that sets no review_months" } },
  check = function(r)
    for _, p in ipairs(r:records("policy")) do
      if p.kind == "topic-policy" and (p.status == nil or p.status == "approved") then
        local what = fmt("topic-specific policy '%s'", tostring(p.id))
        if p.approved_by == nil then
          r:fail(p, "%s records no approval by management (approved_by)", what)
        end
        mgmt.review(r, p, p.review_months or r:param("review_months"), what)
      end
    end
  end,
}

isms.rule {
  id = "A.5.1-policies-acknowledged", control = "5.1", severity = "minor",
  title = "Policies that must be acknowledged are acknowledged by their audience",
  rationale = "A.5.1 requires policies to be communicated to and acknowledged by relevant personnel. Samples every policy in force with acknowledgement_required, against everyone on the staff today who belongs to its audience (audience: departments, sites, roles, remote_workers; all staff when it declares none) and has been there longer than the days allowed.",
  remediation = "Have each person named confirm the policy, and record it as a training record of kind policy-acknowledgement with `policy:` set to the policy id; if the policy is for part of the staff only, say so with `audience:` in its front matter.",
  params = { awareness_after_joining_days = { default = 30,
    doc = "days after joining by which new staff must have acknowledged the policies" } },
  check = function(r)
    local policies = {}
    for _, p in ipairs(r:records("policy")) do
      if p.acknowledgement_required == true and (p.status == nil or p.status == "approved") then
        policies[#policies + 1] = p
      end
    end
    if #policies == 0 then return end
    local acks = people.acknowledgements(r)
    local days = r:param("awareness_after_joining_days")
    local due_people = {}
    for _, f in ipairs(people.staff_profiles(r)) do
      local settled, by = people.settled(r, f.p, days)
      if settled then due_people[#due_people + 1] = { p = f.p, by = by, f = f }
      elseif by then r:valid_until(by) end
    end
    -- Each person's audiences are tested on folded values and their
    -- acknowledgements looked up by id: policies x staff stays cheap.
    for _, p in ipairs(policies) do
      local missing, audience = {}, 0
      local match, pid = people.audience_matcher(p), tostring(p.id)
      for _, d in ipairs(due_people) do
        if match == nil or match(d.f) then
          audience = audience + 1
          local mine = acks[d.f.id]
          if mine == nil or mine[pid] == nil then missing[#missing + 1] = d end
        end
      end
      if people.has_audience(p) and audience == 0 then
        r:warn(isms.at(p, "audience"), "the audience of policy '%s' (%s) names nobody on the staff: "
          .. "check the audience against the people records' department, site and role", tostring(p.id),
          people.audience_text(p))
      end
      people.report(r, missing, p, function(d)
        r:fail(d.p, "%s has not acknowledged the policy '%s' (due %s)", people.who(d.p), tostring(p.id),
          d.by and fmt("by %s, %d days after joining", d.by, days) or "on joining")
      end, fmt("of the %d people of its audience (%s) have not acknowledged the policy '%s'", audience,
        people.audience_text(p), tostring(p.id)), nil, people.who)
    end
  end,
}

isms.rule {
  id = "A.5.9-asset-inventory", control = "5.9", severity = "minor",
  title = "Every asset in use has an owner on the staff and a classification",
  rationale = "A.5.9 requires an inventory of information and other associated assets, including owners; A.5.12 requires their classification.",
  remediation = "Give each asset an `owner` who is on the staff (reassign the assets of leavers) and a `classification`; record retired_on for assets no longer in use.",
  params = { max_assets = { default = 500000,
    doc = "assets this rule judges at most; a larger register is reported, not judged" } },
  check = function(r)
    local n, max = r:count("asset"), r:param("max_assets")
    if n == 0 then return r:fail("the asset inventory (assets/*.yaml) is empty or missing") end
    if n > max then
      return r:warn("the asset inventory has %d assets, more than this rule can judge (%d, parameter max_assets): "
        .. "split it by organisational unit, or raise max_assets if the evaluation has time for it", n, max)
    end
    -- Record by record (r:each), so that an edit of one asset re-judges
    -- that asset alone.
    r:each("asset", function(a)
      local retired = a.retired_on ~= nil and isms.date(a.retired_on) or nil
      if not retired or retired > r.now then
        -- what a finding says is only built for a finding
        local o = a.owner
        local p = o ~= nil and r:person(o) or nil
        local left = p and isms.date(p.left)
        if not p or (left and left <= r.now) then
          people.in_post(r, o, o ~= nil and isms.at(a, "owner") or a, fmt("asset %s owner", tostring(a.id)))
        end
        if not people.present(a.classification) then
          r:fail(a, "asset %s (%s) has no classification", tostring(a.id), tostring(a.name))
        end
        if retired then r:valid_until(retired) end
      end
    end)
  end,
}

isms.rule {
  id = "A.5.11-assets-returned", control = "5.11", severity = "minor",
  title = "Leavers return the organisation's assets promptly",
  rationale = "A.5.11 requires personnel to return all the organisation's assets in their possession upon change or termination of their employment.",
  remediation = "Collect the leaver's equipment and record the date in `assets_returned_on`; follow up with the leaver if it is late.",
  params = { leaver_asset_return_days = { default = 7,
    doc = "days after leaving by which a leaver's assets must be returned" } },
  check = function(r)
    people.leaver_step(r, "assets_returned_on", r:param("leaver_asset_return_days"),
      "%s left on %s and returned the assets on %s, %d days later (allowed: %d)",
      "%s left on %s and has no assets_returned_on; the return was due by %s")
  end,
}

isms.rule {
  id = "A.5.12-classification-scheme", control = "5.12", severity = "minor",
  title = "Assets and supplier access are classified with the labels of the scheme",
  rationale = "A.5.12 requires information to be classified according to the organisation's classification scheme.",
  remediation = "Use one of the scheme's labels (parameter classification_levels) in the asset's `classification` and the supplier's `data_access` (or none); extend the scheme in the policy and isms.yaml if a label is missing.",
  params = { classification_levels = { default = { "public", "internal", "confidential", "restricted" },
    doc = "labels of the classification scheme, as a list or separated by spaces" } },
  check = function(r)
    local levels = {}
    for w in pairs(people.set(r:param("classification_levels"))) do levels[label(w)] = true end
    r:each("asset", function(a)
      local c = a.classification
      if c ~= nil and not levels[label(c)] then
        r:fail(isms.at(a, "classification"), "asset %s: classification '%s' is not a label of the scheme",
          tostring(a.id), tostring(c))
      end
    end)
    for _, s in ipairs(r:records("supplier")) do
      local c = s.data_access
      if c ~= nil and label(c) ~= "none" and not levels[label(c)] then
        r:fail(isms.at(s, "data_access"), "supplier %s: data_access '%s' is not a label of the scheme",
          tostring(s.id), tostring(c))
      end
    end
  end,
}

isms.rule {
  id = "A.5.15-access-review", control = "5.15", severity = "minor",
  title = "Access control is reviewed at the planned interval",
  rationale = "A.5.15 requires rules to control access to be established and implemented; periodic access reviews show that they are applied.",
  remediation = "Review who has access to the systems in scope and record it as evidence of kind access-review naming control 5.15.",
  params = { access_review_months = { default = 3, doc = "months between access reviews" } },
  check = function(r)
    evidence.recent(r, { control = "5.15", kinds = { "access-review" },
      months = r:param("access_review_months"), what = "access review" })
  end,
}

isms.rule {
  id = "A.5.18-access-rights-reviewed", control = "5.18", severity = "minor",
  title = "The access rights of every reviewed system are reviewed again at the interval",
  rationale = "A.5.18 requires access rights to be reviewed at regular intervals. Samples the newest review of every system the records name, and every production system of the kinds declared in access_review_scope_kinds, which must have had one at all.",
  remediation = "Review the access rights of the system named and record it as evidence of kind access-review with the asset and control 5.18; a system taken out of use gets retired_on.",
  params = {
    access_review_months = { default = 3, doc = "months between access reviews of a system" },
    access_review_scope_kinds = { default = {},
      doc = "asset kinds of the production systems that must all have had it (empty: only those the records name)" },
    access_review_scope_classifications = { default = {},
      doc = "classifications of those systems (empty: any)" },
  },
  check = function(r)
    evidence.recent(r, { control = "5.18", kinds = { "access-review" }, per_asset = true,
      months = r:param("access_review_months"), what = "access review" })
    evidence.never_had(r, evidence.find(r, "5.18", { "access-review" }),
      people.set(r:param("access_review_scope_kinds")), people.set(r:param("access_review_scope_classifications")),
      "5.18", "access review", "access-review")
  end,
}

isms.rule {
  id = "A.5.19-supplier-register", control = "5.19", severity = "minor",
  title = "Every supplier has an owner, a criticality and the information it can access",
  rationale = "A.5.19 requires processes to manage the information security risks of suppliers' products and services. Samples every active supplier; one processing personal data must name the risks that assess it.",
  remediation = "For each supplier, record the `owner` who manages the relationship, its `criticality`, and the highest classification it can access in `data_access` (or none); a supplier processing personal data names the risks that assess it (`risks`).",
  check = function(r)
    for _, s in ipairs(r:records("supplier")) do
      if active_supplier(r, s) then
        local what = fmt("supplier %s (%s)", tostring(s.id), tostring(s.name))
        people.in_post(r, s.owner, s.owner ~= nil and isms.at(s, "owner") or s, what .. " owner")
        if s.criticality == nil then r:fail(s, "%s has no criticality", what) end
        if s.data_access == nil then
          r:fail(s, "%s: the information it can access is not recorded (data_access)", what)
        end
        if s.personal_data == true then
          local risks = people.items(s.risks)
          if #risks == 0 then
            r:fail(isms.at(s, "personal_data"), "%s processes personal data but names no risk assessment of it "
              .. "(risks: the ids of the risks in the register)", what)
          end
          for i, id in ipairs(risks) do
            if not r:record("risk", id) then
              r:fail(type(s.risks) == "table" and isms.at(s.risks, i) or isms.at(s, "risks"),
                "%s: risk '%s' is not in the risk register", what, id)
            end
          end
        end
      end
    end
  end,
}

isms.rule {
  id = "A.5.20-supplier-agreements", control = "5.20", severity = "minor",
  title = "Suppliers with access to information have signed agreements with security clauses",
  rationale = "A.5.20 requires information security requirements to be established and agreed with each supplier. Samples every active supplier: its agreement, security clauses and contract end; a critical or high supplier without them is major.",
  remediation = "Sign an agreement that sets out the information security requirements (a DPA and security annex) and record agreement_signed_on and security_clauses: true; renew it before contract_ends_on, or record ended_on when the supplier is no longer used.",
  check = function(r)
    for _, s in ipairs(r:records("supplier")) do
      if active_supplier(r, s) then
        local what = fmt("supplier %s (%s)", tostring(s.id), tostring(s.name))
        -- A critical supplier without an agreement with security clauses
        -- leaves a requirement unaddressed where it matters most: major.
        local key = s.criticality == "critical" or s.criticality == "high"
        local sev = key and "major" or "minor"
        local why = key and fmt(" (major: its criticality is %s)", s.criticality) or ""
        if s.agreement_signed_on == nil then
          r:finding(sev, s, "%s has no signed agreement (agreement_signed_on)%s", what, why)
        end
        local access = s.data_access == nil or NO_ACCESS[label(s.data_access)] == nil
        if access and s.security_clauses ~= true then
          r:finding(sev, isms.at(s, "security_clauses") or s, "%s can access %s information but its agreement has no security clauses%s",
            what, tostring(s.data_access or "unrecorded"), why)
        end
        local ends = isms.date(s.contract_ends_on)
        if ends and ends <= r.now then
          r:finding(sev, isms.at(s, "contract_ends_on"), "%s is still in use (no ended_on) but its agreement "
            .. "ended on %s: renew it, or end the service and record ended_on%s", what, ends, why)
        elseif ends then
          r:valid_until(ends - 1)
        end
      end
    end
  end,
}

isms.rule {
  id = "A.5.21-ict-supplier-assurance", control = "5.21", severity = "minor",
  title = "Critical ICT and cloud suppliers show independent security assurance",
  rationale = "A.5.21 requires managing the information security risks of the ICT products and services supply chain.",
  remediation = "Obtain and record the supplier's certifications or attestation reports (ISO/IEC 27001, SOC 2, C5) in `certifications`, or assess it yourself and record the evidence.",
  check = function(r)
    for _, s in ipairs(r:records("supplier")) do
      local key = s.criticality == "high" or s.criticality == "critical"
      if active_supplier(r, s) and s.cloud == true and key and not people.present(s.certifications) then
        r:fail(s, "supplier %s (%s) is a %s cloud service but records no certification or attestation",
          tostring(s.id), tostring(s.name), s.criticality)
      end
    end
  end,
}

isms.rule {
  id = "A.5.22-supplier-review", control = "5.22", severity = "minor",
  title = "Suppliers are reviewed at their planned interval",
  rationale = "A.5.22 requires the organisation to regularly monitor, review and evaluate supplier information security practices and service delivery.",
  remediation = "Review the supplier (service, incidents, certifications, agreement) and record last_review_on; set review_months per supplier if it differs from the default.",
  params = { supplier_review_months = { default = 12,
    doc = "months between supplier reviews, for suppliers that set no review_months" } },
  check = function(r)
    for _, s in ipairs(r:records("supplier")) do
      if active_supplier(r, s) then
        local what = fmt("supplier %s (%s)", tostring(s.id), tostring(s.name))
        local months = s.review_months or r:param("supplier_review_months")
        local last = isms.date(s.last_review_on)
        local since = last or isms.date(s.agreement_signed_on)
        if not since then
          r:fail(s, "%s has never been reviewed (last_review_on)", what)
        else
          local due = since:add_months(months)
          if r.now <= due then
            r:valid_until(due)
          else
            r:fail(isms.at(s, last and "last_review_on" or "agreement_signed_on"),
              "%s: %s on %s; the %d-month review was due on %s (%d days overdue)", what,
              last and "last reviewed" or "never reviewed since the agreement", since,
              months, due, due:days_until(r.now))
          end
        end
      end
    end
  end,
}

isms.rule {
  id = "A.5.24-incident-procedure", control = "5.24", severity = "major",
  title = "An approved procedure plans incident management",
  rationale = "A.5.24 requires the organisation to plan and prepare for managing incidents by defining processes, roles and responsibilities.",
  remediation = "Write and approve an incident management procedure (procedures/) that lists \"5.24\" under controls.",
  check = function(r)
    evidence.documented(r, "5.24", "the incident management process, roles and responsibilities")
  end,
}

isms.rule {
  id = "A.5.25-incident-triage", control = "5.25", severity = "minor",
  title = "Reported events are assessed promptly",
  rationale = "A.5.25 requires information security events to be assessed and decided on whether they are incidents.",
  remediation = "Assess the event, decide whether it is an incident, and record triaged_on and severity.",
  params = { incident_triage_days = { default = 2, doc = "days after the report by which an event must be triaged" } },
  check = function(r)
    local days = r:param("incident_triage_days")
    for _, i in ipairs(r:records("incident")) do
      local reported = isms.date(i.reported_on)
      if reported then
        local by = reported:add_days(days)
        local triaged = isms.date(i.triaged_on)
        if triaged then
          if triaged > by then
            r:fail(isms.at(i, "triaged_on"), "incident %s was reported on %s and triaged on %s, %d days later (allowed: %d)",
              tostring(i.id), reported, triaged, isms.days_between(reported, triaged), days)
          end
        elseif r.now > by then
          r:fail(i, "incident %s was reported on %s and has not been triaged (due by %s)",
            tostring(i.id), reported, by)
        else
          r:valid_until(by)
        end
      end
    end
  end,
}

isms.rule {
  id = "A.5.26-incident-response", control = "5.26", severity = "minor",
  title = "Incidents are responded to and closed",
  rationale = "A.5.26 requires incidents to be responded to in accordance with the documented procedures.",
  remediation = "Record status and closed_on consistently; an incident open longer than the limit needs its response completed or escalated.",
  params = { incident_close_days = { default = 90, doc = "days after the report by which an incident should be closed" } },
  check = function(r)
    local days = r:param("incident_close_days")
    for _, i in ipairs(r:records("incident")) do
      local id, reported = tostring(i.id), isms.date(i.reported_on)
      local closed = isms.date(i.closed_on)
      if i.status == "closed" and not closed then
        r:fail(isms.at(i, "status"), "incident %s is closed but has no closed_on date", id)
      elseif closed and i.status ~= nil and i.status ~= "closed" then
        r:fail(isms.at(i, "closed_on"), "incident %s has closed_on %s but its status is %s", id, closed, i.status)
      elseif closed and reported and closed < reported then
        r:fail(isms.at(i, "closed_on"), "incident %s was closed on %s, before it was reported on %s", id, closed, reported)
      elseif not closed and reported then
        local by = reported:add_days(days)
        if r.now > by then
          r:fail(i, "incident %s has been open since %s, more than %d days (status %s)",
            id, reported, days, tostring(i.status or "open"))
        else
          r:valid_until(by)
        end
      end
    end
  end,
}

isms.rule {
  id = "A.5.27-lessons-learned", control = "5.27", severity = "minor",
  title = "Closed incidents record their root cause and lessons learned",
  rationale = "A.5.27 requires knowledge gained from incidents to be used to strengthen and improve the controls.",
  remediation = "Record the `root_cause` and the `lessons_learned` (what was changed as a result) before closing the incident.",
  check = function(r)
    for _, i in ipairs(r:records("incident")) do
      if i.status == "closed" or i.closed_on ~= nil then
        if not people.present(i.root_cause) then
          r:fail(i, "incident %s is closed without a root cause", tostring(i.id))
        end
        if not people.present(i.lessons_learned) then
          r:fail(i, "incident %s is closed without lessons learned", tostring(i.id))
        end
      end
    end
  end,
}

isms.rule {
  id = "A.5.29-continuity-plan-tested", control = "5.29", severity = "major",
  title = "An approved continuity plan maintains security during disruption and is tested",
  rationale = "A.5.29 requires planning how to maintain information security at an appropriate level during disruption.",
  remediation = "Approve a business continuity plan listing \"5.29\" under controls, exercise it, and record the exercise as evidence of kind bcp-test naming 5.29.",
  params = { bcp_test_months = { default = 12, doc = "months between continuity tests" } },
  check = function(r)
    evidence.documented(r, "5.29", "how information security is maintained during disruption")
    evidence.recent(r, { control = "5.29", kinds = { "bcp-test" },
      months = r:param("bcp_test_months"), what = "continuity test" })
  end,
}

isms.rule {
  id = "A.5.30-ict-readiness-tested", control = "5.30", severity = "minor",
  title = "ICT readiness for business continuity is tested within the interval",
  rationale = "A.5.30 requires ICT readiness to be planned, implemented, maintained and tested based on continuity objectives.",
  remediation = "Run a recovery exercise against the recovery objectives and record it as evidence of kind bcp-test naming 5.30, with its result.",
  params = { bcp_test_months = { default = 12, doc = "months between ICT continuity tests" } },
  check = function(r)
    evidence.recent(r, { control = "5.30", kinds = { "bcp-test" },
      months = r:param("bcp_test_months"), what = "ICT continuity test",
      advice = "record the corrective actions and a repeated test that meets the recovery objectives" })
  end,
}

isms.rule {
  id = "A.5.31-legal-register", control = "5.31", severity = "minor",
  title = "Legal, regulatory and contractual requirements are identified, owned and kept up to date",
  rationale = "A.5.31 requires the relevant legal, statutory, regulatory and contractual requirements to be identified, documented and kept up to date.",
  remediation = "Keep legal/register.yaml current: an owner for each requirement, a review within the interval (reviewed_on), and its compliance state.",
  params = { legal_review_months = { default = 12, doc = "months between reviews of each requirement" } },
  check = function(r)
    local reqs = r:records("legal_requirement")
    if #reqs == 0 then return r:fail("no legal, regulatory or contractual requirements are identified (legal/register.yaml)") end
    local months = r:param("legal_review_months")
    for _, q in ipairs(reqs) do
      local what = "requirement " .. tostring(q.id)
      people.in_post(r, q.owner, q.owner ~= nil and isms.at(q, "owner") or q, what .. " owner")
      mgmt.due(r, q, "reviewed_on", months, what)
      if q.compliance == "non-compliant" then
        r:fail(isms.at(q, "compliance"), "%s (%s) is not complied with", what, tostring(q.source or q.requirement))
      elseif q.compliance == nil or q.compliance == "not-assessed" then
        r:warn(q, "%s: compliance has not been assessed", what)
      end
    end
  end,
}

isms.rule {
  id = "A.5.34-breach-notification", control = "5.34", severity = "major",
  title = "Breaches of personal data are notified in time",
  rationale = "A.5.34 requires meeting the requirements for privacy and protection of PII, including breach notification (GDPR Art. 33: 72 hours). Samples every incident with personal_data: true: a notification within the days allowed, or a decision that it was not notifiable taken within them by someone in post on that day.",
  remediation = "Notify the supervisory authority (and the controllers, as processor) and record authority_notified_on; where the breach is not notifiable, record the decision in the incident: notifiable: false, notification_decided_by (who, e.g. the DPO), notification_decided_on and notification_reason.",
  params = { breach_notification_days = { default = 3,
    doc = "days after the report by which a personal data breach must be notified" } },
  check = function(r)
    local days = r:param("breach_notification_days")
    for _, i in ipairs(r:records("incident")) do
      local reported = isms.date(i.reported_on)
      if i.personal_data == true and reported then
        local notified, by = isms.date(i.authority_notified_on), reported:add_days(days)
        local decided = isms.date(i.notification_decided_on)
        if i.notifiable == false and not notified then
          local who = i.notification_decided_by
          if who == nil or decided == nil then
            r:warn(isms.at(i, "notifiable"), "incident %s: personal data breach judged not notifiable, "
              .. "but the decision does not say who took it and when (notification_decided_by, "
              .. "notification_decided_on)", tostring(i.id))
          else
            local p = r:person(who)
            if not p then
              r:fail(isms.at(i, "notification_decided_by"), "incident %s: '%s', who decided the breach "
                .. "was not notifiable, is not in the personnel records", tostring(i.id), tostring(who))
            elseif not people.active(r, p, decided) then
              r:fail(isms.at(i, "notification_decided_by"), "incident %s: %s was not on the staff on %s, "
                .. "when the breach was judged not notifiable", tostring(i.id), people.who(p), decided)
            end
            if decided < reported then
              r:fail(isms.at(i, "notification_decided_on"), "incident %s: the decision not to notify "
                .. "(%s) is dated before the incident was reported (%s)", tostring(i.id), decided, reported)
            elseif decided > by then
              r:fail(isms.at(i, "notification_decided_on"), "incident %s: judged not notifiable on %s, "
                .. "%d days after it was reported on %s (allowed: %d): the decision itself was late",
                tostring(i.id), decided, isms.days_between(reported, decided), reported, days)
            end
          end
        elseif notified then
          if notified > by then
            r:fail(isms.at(i, "authority_notified_on"), "incident %s affected personal data; reported on %s, notified on %s, %d days later (allowed: %d)",
              tostring(i.id), reported, notified, isms.days_between(reported, notified), days)
          end
        elseif r.now > by then
          r:warn(isms.at(i, "personal_data"), "incident %s affected personal data and records no notification (authority_notified_on) or why none was needed",
            tostring(i.id))
        else
          r:valid_until(by)
        end
      end
    end
  end,
}

-- Whether the auditor of a report is independent of what it audited:
-- external, or owning none of its areas, per the audit programme.
-- Whether the report's auditor was independent of what they reviewed:
-- external, or an internal auditor with none of the conflicts 9.2.2
-- names (areas or SoA controls they own, their own department, being an
-- auditee), judged as 9.2.2-auditor-independence judges them.
local function independent(r, rep, controls)
  local prog = r:records("audit_programme")[1]
  if not prog or type(prog.auditors) ~= "table" then return false end
  local who = tostring(rep.auditor)
  for _, a in ipairs(prog.auditors) do
    if tostring(a.person) == who then
      if a.external == true then return true end
      if type(rep.areas) ~= "table" then return false end
      local why = mgmt.auditor_conflicts(r, who, people.items(a.owns), people.items(rep.areas),
        people.items(rep.auditees), people.items(rep.departments), controls)
      return #why == 0
    end
  end
  return false
end

isms.rule {
  id = "A.5.35-independent-review", control = "5.35", severity = "minor",
  title = "Information security is reviewed independently within the interval",
  rationale = "A.5.35 requires the approach to managing information security and its implementation to be reviewed independently at planned intervals.",
  remediation = "Have an external auditor, or an internal auditor independent of what they review (owning none of its areas or SoA controls, from another department, not an auditee), review the ISMS and record the final report under audits/reports/, or an external review as evidence naming 5.35.",
  params = { independent_review_months = { default = 12, doc = "months between independent reviews" } },
  check = function(r)
    local best, best_d
    local controls = mgmt.soa_owned(r)
    for _, rep in ipairs(r:records("audit_report")) do
      local d = isms.date(rep.held_on)
      if d and d <= r.now and rep.status ~= "draft" and (not best_d or d > best_d) and independent(r, rep, controls) then
        best, best_d = rep, d
      end
    end
    local ev = evidence.newest(evidence.find(r, "5.35"))
    if ev and (not best_d or ev.date > best_d) then best, best_d = ev.ev, ev.date end
    if not best then
      return r:fail("no independent review is recorded: no final audit report by an independent auditor and no evidence naming 5.35")
    end
    local months = r:param("independent_review_months")
    local due = best_d:add_months(months)
    if r.now > due then
      r:fail(best, "the last independent review (%s) was on %s; the next was due by %s (%d days overdue)",
        tostring(best.id), best_d, due, due:days_until(r.now))
    else
      r:valid_until(due)
    end
  end,
}
