#!/bin/sh
# SARIF and JUnit output: --format sarif validates against the OASIS SARIF
# 2.1.0 schema (tests/schemas/sarif-2.1.0) with rules, locations,
# fingerprints and, with --baseline, baseline states; --format junit is
# read back by junitparser, one test case per rule. Both with hostile
# record content.
. "$(dirname "$0")/../lib.sh"

# Debian's python3 has python3-jsonschema and python3-junitparser (DEBS).
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
NOW=2026-11-22
SCHEMA="$ISMS_TOP/tests/schemas/sarif-2.1.0/sarif-schema-2.1.0.json"

git clone -q "$ISMS_BUILD/example-isms" "$T/work" && cd "$T/work"
git checkout -qb branch
sed -i '117s/2025-08-19/2026-09-01/' suppliers.yaml
sed -i '0,/last_review_on: 2026-05-18/s//last_review_on: 2024-01-10/' suppliers.yaml
# a finding whose message carries markup and quotes
sed -i 's/^approved_by: p-[a-z-]*/approved_by: "p-<x>\&\x27\\"]]>"/' policies/information-security-policy.md
commit_at 2026-11-20 "a branch with a fix, a break and markup"

validate() { # validate FILE: prints "valid N" or the first error
	"$PY" - "$SCHEMA" "$1" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
v = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
errs = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
if errs:
    e = errs[0]
    print("invalid at", "/".join(map(str, e.path)), e.message[:200])
else:
    print("valid", len(doc["runs"][0]["results"]))
PY
}

$ISMSCTL check --repo . --now $NOW --format sarif > "$T/plain.sarif"; rc=$?
is "$rc" 1 "sarif: the exit status is check's"
like "$(validate "$T/plain.sarif")" "valid" "sarif validates against the OASIS SARIF 2.1.0 schema"

$ISMSCTL check --repo . --now $NOW --baseline main --format sarif > "$T/base.sarif"; rc=$?
is "$rc" 1 "sarif with --baseline: the gate fails on the new findings"
like "$(validate "$T/base.sarif")" "valid" "sarif with baseline states validates too"

facts=$("$PY" - "$T/base.sarif" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
run = d["runs"][0]
rules = run["tool"]["driver"]["rules"]
byid = {r["id"]: r for r in rules}
res = run["results"]
print("version", d["version"])
print("rules", len(rules))
r = byid["A.5.22-supplier-review"]
print("rule", r["properties"]["control"], r["defaultConfiguration"]["level"],
      "help" if r["help"]["text"] else "nohelp", "A.5.22" in r["properties"]["tags"])
print("clause", byid["5.2-policy-approved"]["properties"]["clause"])
for x in res:
    if x["ruleId"] == "A.5.22-supplier-review":
        loc = x["locations"][0]["physicalLocation"]
        print("result", x["baselineState"], loc["artifactLocation"]["uri"],
              loc["region"]["startLine"], len(x["partialFingerprints"]["ismsFinding/v1"]),
              rules[x["ruleIndex"]]["id"] == x["ruleId"])
print("states", ",".join(sorted({x.get("baselineState", "-") for x in res})))
PY
)
like "$facts" "version 2.1.0" "SARIF version 2.1.0"
like "$facts" "rule 5.22 warning help True" "rules carry their control, level, help and tags"
like "$facts" "clause 5.2" "and clause rules their clause"
like "$facts" "result new suppliers.yaml 14 32 True" "the new finding: file, line, fingerprint, new"
like "$facts" "result absent suppliers.yaml 117 32 True" "the resolved one is absent"
like "$facts" "states absent,new,unchanged" "existing findings are unchanged"

# JUnit, read back by a real parser
$ISMSCTL check --repo . --now $NOW --baseline main --format junit > "$T/junit.xml"; rc=$?
is "$rc" 1 "junit: the exit status is the gate's"
junit=$("$PY" - "$T/junit.xml" <<'PY'
import sys
from junitparser import JUnitXml, Failure, Skipped, Error
xml = JUnitXml.fromfile(sys.argv[1])
suites = list(xml)
cases = [c for s in suites for c in s]
fails = [c for c in cases if c.result and isinstance(c.result[0], Failure)]
skips = [c for c in cases if c.result and isinstance(c.result[0], Skipped)]
print("suites", len(suites), "cases", len(cases), "tests", suites[0].tests,
      "failures", suites[0].failures, len(fails), "skipped", len(skips))
for c in fails:
    if c.name.startswith("A.5.22-supplier-review"):
        print("a522", c.classname, c.result[0].type, "[new] suppliers.yaml:14:" in c.result[0].text)
    if c.name.startswith("5.2-policy-approved"):
        print("markup", "p-<x>&'" in c.result[0].text)
PY
)
rules=$($ISMSCTL rules | tail -1 | cut -d' ' -f1)
like "$junit" "suites 1 cases $rules tests $rules" "one test case per rule"
like "$junit" "a522 ISMS.organizational minor True" "failures list the findings with file:line, new marked"
like "$junit" "markup True" "record content with markup is escaped, not structure"
fails=$(printf '%s\n' "$junit" | sed -n 's/.*failures \([0-9]*\) \([0-9]*\).*/\1 \2/p')
is "$(echo "$fails" | cut -d' ' -f1)" "$(echo "$fails" | cut -d' ' -f2)" "the failure count matches the failing cases"

# Without a baseline, junit is the plain check
$ISMSCTL check --repo . --now $NOW --format junit > "$T/plain.xml"; rc=$?
is "$rc" 1 "junit without a baseline"
unlike "$(cat "$T/plain.xml")" "[new]" "marks nothing new"

done_testing
