-- Clause 9 Performance evaluation.
local checks = require "checks"

-- The inputs 9.3.2 requires, by field of the management review's inputs.
local INPUTS = {
  { "previous_actions", "status of actions from previous management reviews (a)" },
  { "context_changes", "changes in external and internal issues (b)" },
  { "interested_parties", "changes in needs and expectations of interested parties (c)" },
  { "nonconformities", "nonconformities and corrective actions (d 1)" },
  { "monitoring", "monitoring and measurement results (d 2)" },
  { "audit_results", "audit results (d 3)" },
  { "objectives", "fulfilment of information security objectives (d 4)" },
  { "feedback", "feedback from interested parties (e)" },
  { "risk_assessment", "results of risk assessment and status of the risk treatment plan (f)" },
  { "improvement", "opportunities for continual improvement (g)" },
}

local function latest_review(r)
  local best, best_date
  for _, m in ipairs(r:records("management_review")) do
    local d = isms.date(m.held_on)
    if d and d <= r.now and (best_date == nil or d > best_date) then best, best_date = m, d end
  end
  return best, best_date
end

isms.rule {
  id = "9.3-review-held", clause = "9.3.1", severity = "major",
  title = "Top management reviews the ISMS at planned intervals",
  rationale = "9.3.1 requires management reviews at planned intervals.",
  remediation = "Hold a management review with top management and record it under reviews/ with held_on, attendees, inputs, decisions and actions.",
  params = { interval_months = { default = 12, doc = "months allowed between management reviews" } },
  check = function(r)
    local m, held = latest_review(r)
    if not m then return r:fail("no management review has been recorded (reviews/*.md)") end
    local due = held:add_months(r:param("interval_months"))
    r:valid_until(due)
    if r.now > due then
      r:fail(isms.at(m, "held_on"), "the last management review was on %s; the next was due by %s", held, due)
    end
    local chair = m.chaired_by
    if chair == nil or not r:is_top_management(chair) then
      r:fail(isms.at(m, "chaired_by"), "the review was not chaired by top management")
    end
  end,
}

isms.rule {
  id = "9.3-review-inputs", clause = "9.3.2", severity = "minor",
  title = "The management review considers every required input",
  rationale = "9.3.2 lists the inputs a management review shall include.",
  remediation = "Record each missing input under `inputs:` in the review's front matter (what was presented and concluded).",
  check = function(r)
    local m = latest_review(r)
    if not m then return r:not_applicable("no management review recorded") end
    local inputs = m.inputs
    if type(inputs) ~= "table" then return r:fail(m, "the review records no inputs") end
    for _, k in ipairs(INPUTS) do
      if not checks.present(inputs[k[1]]) then
        r:fail(isms.at(m, "inputs"), "input missing: %s (inputs.%s)", k[2], k[1])
      end
    end
  end,
}

isms.rule {
  id = "9.3-review-outputs", clause = "9.3.3", severity = "minor",
  title = "The management review records decisions and actions",
  rationale = "9.3.3 requires decisions on improvement and changes, retained as documented information.",
  remediation = "Record the review's decisions and the resulting actions with owner and due date.",
  check = function(r)
    local m = latest_review(r)
    if not m then return r:not_applicable("no management review recorded") end
    if not checks.present(m.decisions) then r:fail(m, "the review records no decisions") end
    if type(m.actions) == "table" then
      for n, a in ipairs(m.actions) do
        if a.owner == nil or a.due == nil then
          r:fail(isms.at(m.actions, n), "action %s has no owner or due date", tostring(a.id or n))
        end
      end
    end
  end,
}
