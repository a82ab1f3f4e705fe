-- Annex A 8 Technological controls: the evidence an auditor asks for on
-- top of each control's SoA rule (soa.lua). Controls the SoA excludes are
-- not applicable (the engine judges that from `control =`). Evidence
-- records live under evidence/ (kind, controls, date, result, asset);
-- documents under policies/ and procedures/ list the controls they set
-- rules for.
local evidence = require "evidence"
local people = require "people"

-- The systems a periodic activity must reach (engineer B): production
-- assets of these kinds, with one of these classifications (any, when
-- the list is empty). An empty list of kinds: only the systems the
-- records name.
local function scope_params(prefix, kinds, levels)
  return {
    [prefix .. "_scope_kinds"] = { default = kinds,
      doc = "asset kinds of the production systems that must all have had it (empty: only those the records name)" },
    [prefix .. "_scope_classifications"] = { default = levels,
      doc = "classifications of those systems (empty: any)" },
  }
end

local function merge(a, b)
  local out = {}
  for k, v in pairs(a) do out[k] = v end
  for k, v in pairs(b) do out[k] = v end
  return out
end

-- Every system of the scope has had the activity at least once.
local function coverage(r, control, kinds, prefix, what, kind)
  evidence.never_had(r, evidence.find(r, control, kinds),
    people.set(r:param(prefix .. "_scope_kinds")), people.set(r:param(prefix .. "_scope_classifications")),
    control, what, kind)
end

isms.rule {
  id = "A.8.2-privileged-access-review", control = "8.2", severity = "minor",
  title = "Privileged access rights are reviewed at planned intervals on every system",
  rationale = "A.8.2 requires the allocation and use of privileged access rights to be restricted and managed, which includes reviewing who holds them. Samples the newest review of every system the records name (and its result), and every production system of the kinds declared in access_review_scope_kinds, which must have had one at all.",
  remediation = "Review the privileged accounts and roles of each system at the interval; record each review under evidence/ as kind access-review with \"8.2\" under controls: and the system's asset id in `asset`.",
  params = merge({ access_review_months = { default = 3, doc = "months between access reviews of a system" } },
    scope_params("access_review", {}, {})),
  check = function(r)
    evidence.recent(r, { control = "8.2", kinds = { "access-review" }, per_asset = true,
      param = "access_review_months", what = "privileged access review",
      advice = "record the rights removed and when, or a new review that passes" })
    coverage(r, "8.2", { "access-review" }, "access_review", "privileged access review", "access-review")
  end,
}

isms.rule {
  id = "A.8.3-access-restriction-policy", control = "8.3", severity = "minor",
  title = "Access to information is restricted under the access control policy",
  rationale = "A.8.3 requires access to information and other associated assets to be restricted in accordance with the topic-specific policy on access control.",
  remediation = "Set out how access to information is restricted (need to know, roles, tenants) in the access control policy and list \"8.3\" under its controls:.",
  check = function(r)
    evidence.documented(r, "8.3", "the rules restricting access to information")
  end,
}

isms.rule {
  id = "A.8.5-authentication-policy", control = "8.5", severity = "minor",
  title = "Secure authentication is set out in the access control policy",
  rationale = "A.8.5 requires secure authentication technologies and procedures based on information access restrictions and the topic-specific policy on access control.",
  remediation = "Set out the authentication requirements (passwords or passkeys, multi-factor authentication, sessions) in the access control policy and list \"8.5\" under its controls:.",
  check = function(r)
    evidence.documented(r, "8.5", "the requirements for secure authentication")
  end,
}

isms.rule {
  id = "A.8.7-malware-coverage", control = "8.7", severity = "minor",
  title = "Protection against malware covers the endpoints and is checked regularly",
  rationale = "A.8.7 requires protection against malware to be implemented; a coverage report shows every device has a working agent.",
  remediation = "Export the coverage of the malware protection (devices with an active agent out of all devices) at the interval and record it under evidence/ as kind malware-coverage with the fleet's asset id; bring missing devices under protection.",
  params = { malware_coverage_months = { default = 1, doc = "months between malware protection coverage checks" } },
  check = function(r)
    evidence.recent(r, { control = "8.7", kinds = { "malware-coverage" }, per_asset = true,
      param = "malware_coverage_months", what = "malware protection coverage check",
      bad = { fail = true, partial = true },
      advice = "devices are unprotected; install the agent or record why they are covered otherwise" })
  end,
}

isms.rule {
  id = "A.8.8-vulnerability-scans", control = "8.8", severity = "minor",
  title = "Technical vulnerabilities are scanned for at the planned interval",
  rationale = "A.8.8 requires information about technical vulnerabilities of systems in use to be obtained in a timely way. Samples the newest scan of every system the records name, and every production system of the kinds in vulnerability_scan_scope_kinds.",
  remediation = "Run the vulnerability scans at the interval and record each under evidence/ as kind vulnerability-scan with the scanned asset in `asset`.",
  params = merge({ vulnerability_scan_months = { default = 1, doc = "months between vulnerability scans of a system" } },
    scope_params("vulnerability_scan", {}, {})),
  check = function(r)
    evidence.recent(r, { control = "8.8", kinds = { "vulnerability-scan" }, per_asset = true,
      param = "vulnerability_scan_months", what = "vulnerability scan", bad = {} })
    coverage(r, "8.8", { "vulnerability-scan" }, "vulnerability_scan", "vulnerability scan", "vulnerability-scan")
  end,
}

isms.rule {
  id = "A.8.8-remediation-deadlines", control = "8.8", severity = "minor",
  title = "Vulnerabilities found are fixed within the remediation deadlines",
  rationale = "A.8.8 requires exposure to vulnerabilities to be evaluated and appropriate measures taken; the vulnerability procedure sets deadlines by severity. Samples every vulnerability record still open, and those fixed or accepted that were found in the last vulnerability_sample_months, each against its own deadline; without vulnerability records, the newest scan or patch review of each system.",
  remediation = "Fix or mitigate the findings past their deadline, or have the risk owner accept them (accepted_by, accepted_on, risk); record each vulnerability under vulnerabilities/ with its severity, found_on and fixed_on, or let the next scan or patch review record the result pass once every finding is within its deadline.",
  params = {
    critical_fix_days = { default = 7, doc = "days to fix a critical vulnerability, when a record sets no due date" },
    high_fix_days = { default = 30, doc = "days to fix a high vulnerability" },
    medium_fix_days = { default = 90, doc = "days to fix a medium vulnerability" },
    low_fix_days = { default = 180, doc = "days to fix a low vulnerability" },
    vulnerability_sample_months = { default = 12, doc = "months back in which fixed vulnerabilities are sampled (open ones always are)" },
  },
  check = function(r)
    local vulns = r:records("vulnerability")
    if #vulns > 0 then
      -- Each vulnerability at its own deadline: open ones always, fixed or
      -- accepted ones found in the sample period.
      local from = r.now:add_months(-r:param("vulnerability_sample_months"))
      for _, v in ipairs(vulns) do
        local found = isms.date(v.found_on)
        if found and found <= r.now then
          local id = tostring(v.id)
          local due = isms.date(v.due)
            or found:add_days(r:param(tostring(v.severity or "low") .. "_fix_days"))
          local fixed, accepted = isms.date(v.fixed_on), isms.date(v.accepted_on)
          local closed = fixed or accepted
          local on = v.asset and (" on " .. isms.text(v, "asset")) or ""
          if fixed and fixed < found then
            r:fail(isms.at(v, "fixed_on"), "vulnerability %s%s: fixed_on %s is before it was found on %s",
              id, on, fixed, found)
          elseif accepted and v.accepted_by ~= nil and not r:person(v.accepted_by) then
            r:fail(isms.at(v, "accepted_by"), "vulnerability %s%s: '%s', who accepted it, is not in the personnel records",
              id, on, tostring(v.accepted_by))
          elseif accepted and v.accepted_by ~= nil and not people.active(r, r:person(v.accepted_by), accepted) then
            r:fail(isms.at(v, "accepted_by"), "vulnerability %s%s was accepted on %s by %s, who was not on the staff then",
              id, on, accepted, people.who(r:person(v.accepted_by)))
          elseif not closed then
            if r.now > due then
              r:fail(v, "vulnerability %s%s (%s, found %s) is still open %d days after its deadline of %s",
                id, on, tostring(v.severity), found, due:days_until(r.now), due)
            else
              r:valid_until(due)
            end
          elseif found >= from and closed > due then
            r:fail(isms.at(v, fixed and "fixed_on" or "accepted_on"), "vulnerability %s%s (%s, found %s) was %s on %s, %d days after its deadline of %s",
              id, on, tostring(v.severity), found, fixed and "fixed" or "accepted", closed, due:days_until(closed), due)
          end
        end
      end
    end
    local items = evidence.find(r, "8.8", { "vulnerability-scan", "patch-review" })
    if #items == 0 then
      if #vulns > 0 then return end
      return r:not_applicable("no vulnerability scan, patch review or vulnerability record is recorded")
    end
    -- The newest record of each system in use, or the newest of all when
    -- the records name no system.
    local newest, ids = evidence.by_asset(items)
    local list = {}
    for _, a in ipairs(ids) do
      if not evidence.retired_id(r, a) then list[#list + 1] = newest[a] end
    end
    if #ids == 0 then list[1] = evidence.newest(items) end
    for _, it in ipairs(list) do
      evidence.result(r, it, { fail = true, partial = true },
        it.ev.kind:gsub("-", " ") .. (it.asset and (" of " .. it.asset) or ""),
        "findings are past their remediation deadline; fix them or record their risk acceptance")
    end
  end,
}

isms.rule {
  id = "A.8.9-configuration-review", control = "8.9", severity = "minor",
  title = "Configurations are set out in approved rules and their reviews are current",
  rationale = "A.8.9 requires configurations, including security configurations, to be established, documented, implemented, monitored and reviewed.",
  remediation = "List \"8.9\" under controls: of the policy or procedure that sets the configuration baselines; record configuration reviews under evidence/ as kind configuration-review at the interval.",
  params = { configuration_review_months = { default = 12, doc = "months between recorded configuration reviews, where they are recorded" } },
  check = function(r)
    evidence.documented(r, "8.9", "the configuration baselines and how they are managed")
    evidence.recent(r, { control = "8.9", kinds = { "configuration-review" }, optional = true,
      per_asset = true, param = "configuration_review_months",
      what = "configuration review" })
  end,
}

isms.rule {
  id = "A.8.12-dlp-review", control = "8.12", severity = "minor",
  title = "Data leakage prevention is set out in approved rules and its reviews are current",
  rationale = "A.8.12 requires data leakage prevention measures on systems, networks and devices that process, store or transmit sensitive information.",
  remediation = "List \"8.12\" under controls: of the policy that sets the data leakage prevention measures; where their reviews are recorded (evidence naming 8.12), keep them within the interval.",
  params = { dlp_review_months = { default = 12, doc = "months between recorded reviews of data leakage prevention, where they are recorded" } },
  check = function(r)
    evidence.documented(r, "8.12", "the data leakage prevention measures")
    evidence.recent(r, { control = "8.12", optional = true, param = "dlp_review_months",
      what = "data leakage prevention review" })
  end,
}

isms.rule {
  id = "A.8.13-backup-restore-tested", control = "8.13", severity = "minor",
  title = "Backups are tested by restoring them at the planned interval",
  rationale = "A.8.13 requires backup copies of information, software and systems to be maintained and regularly tested in accordance with the topic-specific policy on backup. Samples the newest restore test for the interval, and every failed or partial restore test of the last follow_up_months for its follow-up: a later pass of the same asset or a nonconformity naming it.",
  remediation = "Restore from backup at the interval and record each test under evidence/ as kind backup-restore-test with the asset, the restore time and the check of the data; a failed test needs a corrective action and a new test.",
  params = {
    backup_test_months = { default = 3, doc = "months between backup restore tests" },
    restore_retest_days = { default = 30, doc = "days after a failed or partial restore test by which a repeat must pass or a nonconformity name it" },
    follow_up_months = { default = 12, doc = "months back in which every failed restore test is sampled" },
  },
  check = function(r)
    evidence.recent(r, { control = "8.13", kinds = { "backup-restore-test" },
      param = "backup_test_months", what = "backup restore test", bad = {} })
    evidence.follow_ups(r, evidence.find(r, "8.13", { "backup-restore-test" }), { fail = true, partial = true },
      r:param("follow_up_months"), r:param("restore_retest_days"), "backup restore test")
  end,
}

-- The newest restore test per asset named, once per evaluation (read
-- through r:shared by each iteration of A.8.13-backup-assets-tested).
local function restore_tests(r)
  return (evidence.by_asset(evidence.find(r, "8.13", { "backup-restore-test" })))
end

isms.rule {
  id = "A.8.13-backup-assets-tested", control = "8.13", severity = "observation",
  title = "Every production asset that must be backed up has had its restore tested",
  rationale = "A.8.13 requires backups of the information, software and systems the backup policy covers to be tested; an asset never restored may not be recoverable.",
  remediation = "Include the asset in a restore test and record it under evidence/ as kind backup-restore-test with the asset id in `asset`, or correct backup_required in the inventory.",
  params = {
    restore_coverage_months = { default = 12, doc = "months within which each production asset with backup_required has had a restore test" },
    backup_test_exempt_kinds = { default = { "information" }, doc = "asset kinds tested through the systems holding them (e.g. information kept in a database)" },
  },
  check = function(r)
    local months = r:param("restore_coverage_months")
    local exempt = people.set(r:param("backup_test_exempt_kinds"))
    r:each("asset", function(a)
      if a.production == true and a.backup_required == true and not exempt[tostring(a.kind)]
        and not evidence.retired(r, a) then
        local id = isms.text(a, "id") or "?"
        local it = r:shared("a8.13.restore_tests", restore_tests)[id]
        if not it then
          r:warn(isms.at(a, "backup_required"), "%s (%s) must be backed up but no restore test "
            .. "names it", id, tostring(a.name))
        else
          local due = it.date:add_months(months)
          r:valid_until(due)
          if r.now > due then
            r:warn(isms.at(a, "backup_required"), "%s (%s): its last restore test (%s) was on %s, "
              .. "more than %d months ago", id, tostring(a.name), tostring(it.ev.id), it.date, months)
          end
        end
      end
    end)
  end,
}

isms.rule {
  id = "A.8.14-redundancy-tested", control = "8.14", severity = "minor",
  title = "Redundancy of information processing facilities is tested at the planned interval",
  rationale = "A.8.14 requires information processing facilities to be implemented with redundancy sufficient to meet availability requirements; a failover exercise shows it works.",
  remediation = "Exercise the failover or the recovery to the redundant site at the interval and record it under evidence/ (e.g. kind bcp-test) with \"8.14\" under controls:.",
  params = { bcp_test_months = { default = 12, doc = "months between continuity or failover exercises" } },
  check = function(r)
    evidence.recent(r, { control = "8.14", param = "bcp_test_months",
      what = "failover or continuity exercise",
      advice = "the redundant facilities did not take over; fix them and repeat the exercise" })
  end,
}

isms.rule {
  id = "A.8.15-log-review", control = "8.15", severity = "minor",
  title = "Logs of every system are reviewed at the planned interval",
  rationale = "A.8.15 requires logs that record activities, exceptions, faults and other relevant events to be produced, stored, protected and analysed. Samples the newest review of every log source the records name, and every production system of the kinds in log_review_scope_kinds.",
  remediation = "Review the security logs at the interval and record each review under evidence/ as kind log-review with \"8.15\" under controls: and the log source's asset id.",
  params = merge({ log_review_months = { default = 1, doc = "months between log reviews" } },
    scope_params("log_review", {}, {})),
  check = function(r)
    evidence.recent(r, { control = "8.15", kinds = { "log-review" }, per_asset = true,
      param = "log_review_months", what = "log review",
      advice = "record how the events found were followed up (incident, correction)" })
    coverage(r, "8.15", { "log-review" }, "log_review", "log review", "log-review")
  end,
}

isms.rule {
  id = "A.8.16-monitoring-review", control = "8.16", severity = "minor",
  title = "Monitoring for anomalous behaviour is reviewed at the planned interval",
  rationale = "A.8.16 requires networks, systems and applications to be monitored for anomalous behaviour and appropriate actions taken to evaluate potential incidents.",
  remediation = "Review the monitoring alerts at the interval and record each review under evidence/ (kind log-review) with \"8.16\" under controls:.",
  params = { log_review_months = { default = 1, doc = "months between reviews of the monitoring" } },
  check = function(r)
    evidence.recent(r, { control = "8.16", kinds = { "log-review" },
      param = "log_review_months", what = "monitoring review",
      advice = "record how the anomalies found were evaluated (incident or false positive)" })
  end,
}

-- Network controls 8.20 to 8.22: rules set out in an approved document
-- and, where firewall and network reviews are recorded, reviews current.
local function network(r, control, what)
  evidence.documented(r, control, what)
  evidence.recent(r, { control = control, kinds = { "firewall-review" }, optional = true,
    per_asset = true, param = "firewall_review_months", what = "firewall and network review",
    advice = "record how the rules found too open were corrected" })
end

local FIREWALL = { firewall_review_months = { default = 12,
  doc = "months between recorded firewall and network reviews, where they are recorded" } }

isms.rule {
  id = "A.8.20-network-security", control = "8.20", severity = "minor",
  title = "Network security is set out in approved rules and network reviews are current",
  rationale = "A.8.20 requires networks and network devices to be secured, managed and controlled to protect information in systems and applications.",
  remediation = "List \"8.20\" under controls: of the network security policy; record firewall and security group reviews under evidence/ as kind firewall-review naming 8.20, within the interval.",
  params = FIREWALL,
  check = function(r) network(r, "8.20", "how networks and network devices are secured") end,
}

isms.rule {
  id = "A.8.21-network-services", control = "8.21", severity = "minor",
  title = "Security of network services is set out in approved rules and reviewed",
  rationale = "A.8.21 requires security mechanisms, service levels and service requirements of network services to be identified, implemented and monitored.",
  remediation = "List \"8.21\" under controls: of the policy that sets the requirements for network services; record their reviews under evidence/ as kind firewall-review naming 8.21, within the interval.",
  params = FIREWALL,
  check = function(r) network(r, "8.21", "the security requirements of network services") end,
}

isms.rule {
  id = "A.8.22-network-segregation", control = "8.22", severity = "minor",
  title = "Segregation of networks is set out in approved rules and reviewed",
  rationale = "A.8.22 requires groups of information services, users and information systems to be segregated in the organisation's networks.",
  remediation = "List \"8.22\" under controls: of the policy that defines the network segments; record reviews of the segmentation under evidence/ as kind firewall-review naming 8.22, within the interval.",
  params = FIREWALL,
  check = function(r) network(r, "8.22", "how networks are segregated") end,
}

isms.rule {
  id = "A.8.24-cryptography-policy", control = "8.24", severity = "major",
  title = "Rules for cryptography and key management are set out in an approved policy",
  rationale = "A.8.24 requires rules for the effective use of cryptography, including cryptographic key management, to be defined and implemented.",
  remediation = "Approve a topic-specific cryptography policy (algorithms, where encryption is used, key generation, storage, rotation and revocation) and list \"8.24\" under its controls:.",
  check = function(r)
    -- Its review falls to the rules on topic-specific policies (5.1, 7.5).
    local p = evidence.documented(r, "8.24", "the rules for the use of cryptography")
    if not p then return end
    local text = tostring(p.title or "") .. "\n" .. tostring(r:body(p) or "")
    if not text:lower():find("%f[%a]keys?%f[%A]") then
      r:warn(p, "%s '%s' says nothing about cryptographic keys: A.8.24 asks for rules on key management",
        tostring(p.kind or "document"), tostring(p.id))
    end
  end,
}

isms.rule {
  id = "A.8.25-secure-development-policy", control = "8.25", severity = "minor",
  title = "Rules for the secure development of software and systems are set out in an approved policy",
  rationale = "A.8.25 requires rules for the secure development of software and systems to be established and applied.",
  remediation = "Approve a secure development policy (requirements, design review, coding, testing, environments) and list \"8.25\" under its controls:.",
  check = function(r)
    evidence.documented(r, "8.25", "the rules for secure development")
  end,
}

isms.rule {
  id = "A.8.28-secure-code-review", control = "8.28", severity = "minor",
  title = "Secure coding principles are set out in approved rules and code reviews are current",
  rationale = "A.8.28 requires secure coding principles to be applied to software development; recorded security code reviews show that they are.",
  remediation = "List \"8.28\" under controls: of the secure development policy; record security code reviews under evidence/ as kind secure-code-review within the interval.",
  params = { code_review_months = { default = 12, doc = "months between recorded security code reviews, where they are recorded" } },
  check = function(r)
    evidence.documented(r, "8.28", "the secure coding principles")
    evidence.recent(r, { control = "8.28", kinds = { "secure-code-review" }, optional = true,
      per_asset = true, param = "code_review_months", what = "secure code review",
      advice = "record how the weaknesses found were fixed" })
  end,
}

isms.rule {
  id = "A.8.29-security-testing", control = "8.29", severity = "minor",
  title = "Security testing is performed at the planned interval and its findings are retested",
  rationale = "A.8.29 requires security testing processes to be defined and implemented in the development life cycle.",
  remediation = "Have the application penetration tested at the interval and record it under evidence/ as kind pen-test; after fixing the findings, record the retest (result pass).",
  params = {
    pen_test_months = { default = 12, doc = "months between penetration tests" },
    pen_test_retest_days = { default = 90, doc = "days after a test with findings (result partial or fail) by which a retest must pass" },
  },
  check = function(r)
    local months = r:param("pen_test_months")
    local last = evidence.recent(r, { control = "8.29", kinds = { "pen-test" },
      months = months, what = "penetration test", bad = {} })
    if not last or r.now > last.date:add_months(months) then return end
    if last.ev.result == nil or last.ev.result == "pass" then return end
    local days = r:param("pen_test_retest_days")
    local due = last.date:add_days(days)
    r:valid_until(due)
    if r.now > due then
      r:fail(isms.at(last.ev, "result"), "penetration test %s on %s had findings (result %s) and no "
        .. "retest has passed since; the retest was due by %s (%d days overdue)", tostring(last.ev.id),
        last.date, tostring(last.ev.result), due, due:days_until(r.now))
    end
  end,
}

isms.rule {
  id = "A.8.32-change-approved", control = "8.32", severity = "minor",
  title = "Every change to systems was assessed and approved before it was made",
  rationale = "A.8.32 requires changes to information processing facilities and information systems to be subject to change management procedures. Samples every implemented technical change; one change made before its approval is an isolated lapse (minor).",
  remediation = "Record for each technical change in changes.yaml its impact_assessment, who approved it (approved_by, someone other than the requester) and when (approved_on, before implemented_on).",
  check = function(r)
    -- Changes to the ISMS itself (kind isms) are for clause 6.3; a missing
    -- implemented_on, for 8.1.
    for _, c in ipairs(r:records("change")) do
      local done = c.status == "implemented" or (c.implemented_on ~= nil and c.status ~= "cancelled"
        and c.status ~= "rejected")
      if c.kind ~= "isms" and done then
        local id = tostring(c.id)
        local impl = isms.date(c.implemented_on)
        local appr = isms.date(c.approved_on)
        if c.approved_by == nil or c.approved_on == nil then
          r:fail(c, "change %s was implemented%s without a recorded approval (approved_by, approved_on)",
            id, impl and (" on " .. tostring(impl)) or "")
        elseif appr and impl and appr > impl then
          r:fail(isms.at(c, "approved_on"), "change %s was approved on %s, %d days after it was "
            .. "implemented on %s", id, appr, impl:days_until(appr), impl)
        end
        if c.approved_by ~= nil and c.requested_by ~= nil
          and tostring(c.approved_by) == tostring(c.requested_by) then
          r:warn(isms.at(c, "approved_by"), "change %s was approved by %s, who requested it",
            id, tostring(c.approved_by))
        end
        if not people.present(c.impact_assessment) then
          r:fail(c, "change %s was implemented without an impact assessment (impact_assessment)", id)
        end
      end
    end
  end,
}
