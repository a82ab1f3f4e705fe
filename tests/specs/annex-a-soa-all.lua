-- Every one of the 93 SoA rules, passing and failing, on the example ISMS.
-- annex-a-soa.lua covers each way an SoA entry can fail; this file makes
-- sure that no control's rule is left without a spec of each kind.
local EXAMPLE = "../../contrib/example-isms/records"
local NOW = "2026-11-22"

-- The Annex A themes and their number of controls.
local THEMES = { { 5, 37 }, { 6, 8 }, { 7, 14 }, { 8, 34 } }

-- The example decides every control: all are implemented and evidenced
-- except these (7.4 is its deliberate unjustified exclusion, reported once
-- by 6.1.3-soa-exclusions-justified, to which its SoA rule links).
local EXCEPT = {
  ["7.4"] = "not_applicable",
  ["7.6"] = "not_applicable", ["7.12"] = "not_applicable", ["8.30"] = "not_applicable",
}

local on_example, without_soa = {}, {}
local n = 0
for _, t in ipairs(THEMES) do
  for i = 1, t[2] do
    local id = t[1] .. "." .. i
    on_example["A." .. id .. "-soa"] = EXCEPT[id] or "pass"
    without_soa["A." .. id .. "-soa"] = { status = "not_applicable", count = 0,
      note = "reported under 6.1.3-soa-complete: no Statement of Applicability" }
    n = n + 1
  end
end
assert(n == 93, "the catalogue has 93 Annex A controls")

spec {
  name = "on the example, every control's SoA entry is decided, owned and evidenced",
  now = NOW, fixture = EXAMPLE,
  expect = on_example,
}

spec {
  name = "without a Statement of Applicability every control's SoA rule links to 6.1.3-soa-complete",
  now = NOW, fixture = EXAMPLE,
  remove = { "soa.yaml" },
  expect = without_soa,
}

spec {
  name = "7.4, the example's unjustified exclusion, is not applicable once justified",
  now = NOW, fixture = EXAMPLE,
  edit = { ["soa.yaml"] = { { "  - control: \"7.4\"\n    # Physical security monitoring\n    applicable: false\n",
    "  - control: \"7.4\"\n    # Physical security monitoring\n    applicable: false\n"
    .. "    justification: No premises of our own hold information systems; the offices are monitored by the landlord.\n" } } },
  expect = { ["A.7.4-soa"] = "not_applicable" },
}
