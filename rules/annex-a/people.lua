-- Annex A 6 People controls: the evidence the personnel and training
-- records hold, in control order. A rule whose control the SoA excludes
-- is not applicable (the engine judges that from `control =`).
local evidence = require "evidence"
local people = require "people"

-- Check that everyone on the staff did `key` on or before joining: the
-- shared question of screening (6.1), terms (6.2) and NDAs (6.6).
local function before_joining(r, key, what)
  for _, p in ipairs(people.staff(r)) do
    local done, joined = isms.date(p[key]), isms.date(p.joined)
    if not done then
      r:fail(p, "%s (%s): no %s is recorded (%s)", tostring(p.id), tostring(p.name), what, key)
    elseif joined and done > joined then
      r:fail(isms.at(p, key), "%s: %s on %s, %d days after joining on %s", tostring(p.id),
        what, done, isms.days_between(joined, done), joined)
    end
  end
end

isms.rule {
  id = "A.6.1-screening", control = "6.1", severity = "minor",
  title = "Everyone on the staff was screened before joining",
  rationale = "A.6.1 requires background verification checks on all candidates prior to joining the organisation.",
  remediation = "Complete the background check before the start date and record screening_completed_on; for someone already working, complete it now and raise a nonconformity.",
  check = function(r)
    before_joining(r, "screening_completed_on", "screening completed")
  end,
}

isms.rule {
  id = "A.6.2-terms-signed", control = "6.2", severity = "minor",
  title = "Everyone on the staff signed terms with security responsibilities on or before joining",
  rationale = "A.6.2 requires the employment contractual agreements to state personnel's and the organisation's responsibilities for information security.",
  remediation = "Have the person sign the terms of employment or contract with the information security clauses and record terms_signed_on.",
  check = function(r)
    before_joining(r, "terms_signed_on", "terms signed")
  end,
}

isms.rule {
  id = "A.6.3-awareness-programme", control = "6.3", severity = "minor",
  title = "The awareness programme reaches the staff and its assessments are passed",
  rationale = "A.6.3 requires personnel to receive appropriate information security awareness, education and training and regular updates. Samples everyone on the staff today who has been there longer than the days allowed, against their newest passed awareness training of the last awareness_months; a training dated after the person left does not count.",
  remediation = "Have the people named complete the current awareness training (kind awareness) and record it; someone who failed the assessment repeats it.",
  params = {
    awareness_months = { default = 12, doc = "months for which an awareness training counts" },
    awareness_after_joining_days = { default = 30, doc = "days after joining by which awareness training is due" },
    awareness_completion_percent = { default = 95, doc = "share of the staff with current awareness training below which the programme fails" },
  },
  check = function(r)
    local months, days = r:param("awareness_months"), r:param("awareness_after_joining_days")
    -- newest passed and newest failed awareness per person; a training
    -- dated after the person left does not count for them
    local passed, failed = {}, {}
    for _, t in ipairs(people.trainings(r, "awareness")) do
      local d = isms.date(t.completed_on)
      if d and d <= r.now then
        local who = tostring(t.person)
        local p = r:person(who)
        local left = p and isms.date(p.left)
        if left and d >= left then
          r:fail(isms.at(t, "completed_on"), "awareness training '%s' of %s is dated %s, on or after they "
            .. "left on %s: it cannot count; correct the date or the person", tostring(t.course), people.who(p),
            d, left)
        else
          local into = t.passed == false and failed or passed
          if not into[who] or d > into[who].date then into[who] = { t = t, date = d } end
        end
      end
    end
    local due_people, missing, next_due = 0, {}, nil
    for _, p in ipairs(people.staff(r)) do
      local settled, by = people.settled(r, p, days)
      local last = passed[tostring(p.id)]
      local valid = last and last.date:add_months(months)
      if valid and valid >= r.now then
        if not next_due or valid < next_due then next_due = valid end
      end
      if settled then
        due_people = due_people + 1
        if not valid or valid < r.now then missing[#missing + 1] = { p = p, last = last, valid = valid } end
      elseif by and (not next_due or by < next_due) then
        next_due = by
      end
      local f = failed[tostring(p.id)]
      if f and (not last or last.date < f.date) then
        r:fail(isms.at(f.t, "passed"), "%s failed the awareness assessment on %s (%s) and has not passed it since",
          people.who(p), f.date, tostring(f.t.course))
      end
    end
    if next_due then r:valid_until(next_due) end
    if due_people == 0 then return end
    local rate = 100 * (due_people - #missing) / due_people
    if rate < r:param("awareness_completion_percent") then
      -- Each person missing, at their newest awareness record (lapsed) or
      -- their personnel record (never trained); one finding when many.
      local target = tostring(r:param("awareness_completion_percent"))
      people.report(r, missing, missing[1].last and isms.at(missing[1].last.t, "completed_on") or missing[1].p,
        function(m)
          if m.last then
            r:fail(isms.at(m.last.t, "completed_on"), "%s: awareness training last completed on %s, lapsed on %s "
              .. "(%.1f%% of the staff current, target %s%%)", people.who(m.p), m.last.date, m.valid, rate, target)
          else
            r:fail(m.p, "%s has no awareness training on record (%.1f%% of the staff current, target %s%%)",
              people.who(m.p), rate, target)
          end
        end,
        string.format("of %d staff have no awareness training from the last %d months (%.1f%%, below the %s%% target)",
          due_people, months, rate, target), nil, people.who)
    end
  end,
}

isms.rule {
  id = "A.6.4-disciplinary-process", control = "6.4", severity = "minor",
  title = "A disciplinary process for security violations is formalised and communicated",
  rationale = "A.6.4 requires a disciplinary process to be formalised and communicated to take action against personnel who have committed an information security policy violation.",
  remediation = "Set out the disciplinary process in an approved policy (e.g. the HR security policy) that lists \"6.4\" under controls.",
  check = function(r)
    evidence.documented(r, "6.4", "the disciplinary process for information security violations")
  end,
}

isms.rule {
  id = "A.6.5-leaver-access-removed", control = "6.5", severity = "minor",
  title = "Leavers' access is removed within the allowed days",
  rationale = "A.6.5 requires responsibilities after termination to be enforced; A.5.18 requires access rights to be removed on termination.",
  remediation = "Remove all access on the last working day (identity provider, tools without SSO) and record access_removed_on; raise a nonconformity for a late removal and check the access logs for the gap.",
  params = { leaver_access_removal_days = { default = 1,
    doc = "days after leaving by which all access must be removed" } },
  check = function(r)
    people.leaver_step(r, "access_removed_on", r:param("leaver_access_removal_days"),
      "%s left on %s; access was removed on %s, %d days later (allowed: %d)",
      "%s left on %s and no access removal is recorded (access_removed_on); it was due by %s")
  end,
}

isms.rule {
  id = "A.6.6-nda-signed", control = "6.6", severity = "minor",
  title = "Everyone on the staff signed a confidentiality agreement on or before joining",
  rationale = "A.6.6 requires confidentiality or non-disclosure agreements to be signed by personnel.",
  remediation = "Have the person sign the confidentiality agreement and record nda_signed_on.",
  check = function(r)
    before_joining(r, "nda_signed_on", "confidentiality agreement signed")
  end,
}

isms.rule {
  id = "A.6.7-remote-working", control = "6.7", severity = "minor",
  title = "Remote working rules are set out and acknowledged by remote workers",
  rationale = "A.6.7 requires security measures when personnel work remotely; the rules must reach the people who work remotely.",
  remediation = "Approve a remote working policy listing \"6.7\" under controls; where it requires acknowledgement, record each remote worker's confirmation as training of kind policy-acknowledgement.",
  params = { awareness_after_joining_days = { default = 30,
    doc = "days after joining by which a remote worker must have acknowledged the rules" } },
  check = function(r)
    evidence.documented(r, "6.7", "the rules for remote working")
    local live = evidence.documents(r, "6.7")
    local acks, days = nil, r:param("awareness_after_joining_days")
    for _, pol in ipairs(live) do
      if pol.acknowledgement_required == true then
        acks = acks or people.acknowledgements(r)
        local missing = {}
        for _, p in ipairs(people.staff(r)) do
          local settled, by = people.settled(r, p, days)
          if p.remote_worker == true and not people.has_acknowledged(acks, p, pol.id) then
            if settled then missing[#missing + 1] = { p = p }
            elseif by then r:valid_until(by) end
          end
        end
        people.report(r, missing, pol, function(m)
          r:fail(isms.at(m.p, "remote_worker"), "%s works remotely and has not acknowledged '%s'",
            tostring(m.p.id), tostring(pol.id))
        end, string.format("remote workers have not acknowledged '%s'", tostring(pol.id)))
      end
    end
  end,
}

isms.rule {
  id = "A.6.8-event-reporting", control = "6.8", severity = "minor",
  title = "Staff know how to report security events, and reports name the reporter",
  rationale = "A.6.8 requires a mechanism for personnel to report observed or suspected information security events in a timely manner.",
  remediation = "Set out how to report events in an approved policy listing \"6.8\" under controls, and record who reported each incident (reported_by).",
  check = function(r)
    evidence.documented(r, "6.8", "how to report information security events")
    for _, i in ipairs(r:records("incident")) do
      if i.reported_by == nil then
        r:fail(i, "incident %s does not record who reported it (reported_by)", tostring(i.id))
      elseif not r:person(i.reported_by) then
        r:fail(isms.at(i, "reported_by"), "incident %s: reporter '%s' is not in the personnel records",
          tostring(i.id), tostring(i.reported_by))
      end
    end
  end,
}
