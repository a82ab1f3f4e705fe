#!/bin/sh
# What the auditor takes away, on the example ISMS: the SoA (Markdown, CSV
# read back with Python's csv module, HTML opened in headless Chromium,
# JSON), the audit readiness report, OSCAL validated against NIST's
# schema, the versioned check JSON, and the ISMS as of a date (--as-of)
# against a checkout of that date's commit.
. "$(dirname "$0")/../lib.sh"

repo="$ISMS_BUILD/example-isms"
if [ ! -d "$repo/.git" ]; then
	echo "1..0 # SKIP the example ISMS is not built (make example)"
	exit 0
fi
now="--now 2026-11-22"

# The SoA.
out=$($ISMSCTL soa --repo "$repo" $now); rc=$?
is "$rc" 0 "soa exits 0"
like "$out" "Approved by: Katharina Vogt on 2026-10-23" "soa: approval by name"
like "$out" "| 5.7 | Threat intelligence | applicable |" "soa: a control row"
like "$out" "| A.5.1.1, A.5.1.2 |" "soa: the 2013 controls replaced"

$ISMSCTL soa --repo "$repo" $now --format csv -o "$T/soa.csv"; rc=$?
is "$rc" 0 "soa --format csv exits 0"
python3 - "$T/soa.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
head, body = rows[0], rows[1:]
want = ["control", "title", "theme", "applicable", "justification", "status", "owner",
        "owner_id", "evidence", "evidence_last_changed", "evidence_current"]
assert head[:len(want)] == want, head
assert len(body) == 93, len(body)
assert all(len(r) == len(head) for r in body)
ids = [r[0] for r in body]
assert ids[0] == "5.1" and ids[36] == "5.37" and ids[37] == "6.1" and ids[-1] == "8.34", ids
r = dict(zip(head, body[ids.index("5.7")]))
assert r["owner"] == "Yusuf Aydin" and r["owner_id"] == "p-yusuf-aydin", r
assert r["applicable"] == "applicable" and r["control_type"], r
assert r["evidence_last_changed"].count("-") >= 2, r
excluded = [x for x in body if x[3] == "excluded"]
# 7.4 is the example's one exclusion without a justification (6.1.3 d).
assert len(excluded) == 4 and all(bool(x[4]) == (x[0] != "7.4") for x in excluded), excluded
PY
ok $? "soa csv: 93 rows in Annex A order with stable columns, read back"

$ISMSCTL soa --repo "$repo" $now --format json > "$T/soa.json"
python3 - "$T/soa.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "ismsd.soa" and d["format_version"] == 1, d["format"]
assert len(d["rules_digest"]) == 40 and len(d["commit"]) == 40
c = {x["control"]: x for x in d["controls"]}
assert len(c) == 93
assert c["5.1"]["owner"]["name"] == "Henrik Lindqvist"
assert c["5.1"]["verdict"] == "fail" and c["5.1"]["open_findings"][0]["file"]
assert all(e["last_changed"] for e in c["5.2"]["evidence"])
assert c["8.13"]["evidence_records"], "backup evidence records"
PY
ok $? "soa json: envelope, owner by name, verdicts, evidence with dates"

# HTML in a real browser: 93 rows, no console errors.
browser=$(command -v chromium || command -v chromium-browser || true)
html_check() { # html_check FILE SELECTOR-COUNT-WANT DESCRIPTION
	if [ -z "$browser" ]; then ok 0 "$3 # SKIP no chromium"; return; fi
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
		--user-data-dir="$T/chromium" --enable-logging=stderr --v=0 \
		--dump-dom "file://$1" >"$T/dom.html" 2>"$T/console.txt"
	n=$(grep -o "$2" "$T/dom.html" | wc -l)
	errs=$(grep -E 'CONSOLE|Uncaught' "$T/console.txt" || true)
	if [ "$n" -eq "$4" ] && [ -z "$errs" ]; then ok 0 "$3"
	else ok 1 "$3"; echo "#   $n matches of $2 (want $4)"; echo "$errs" | sed 's/^/#   /'; fi
}
$ISMSCTL soa --repo "$repo" $now --format html -o "$T/soa.html"
like "$(cat "$T/soa.html")" "@media print" "soa html: print CSS"
unlike "$(cat "$T/soa.html")" "<script" "soa html: self-contained, no script"
html_check "$T/soa.html" '<tr class="control"' "soa html in headless Chromium: 93 control rows, no console errors" 93

# A hostile justification is text, not markup, in HTML and Markdown.
git clone -q "$repo" "$T/hostile"
sed -i 's/justification: Treats risk R-05\./justification: "<script>alert(1)<\/script> | x, \\"y\\""/' "$T/hostile/soa.yaml"
(cd "$T/hostile" && commit_at 2026-11-21 "hostile text")
h=$($ISMSCTL soa --repo "$T/hostile" $now --format html)
like "$h" "&lt;script&gt;alert(1)&lt;/script&gt;" "soa html: repository text is escaped"
h=$($ISMSCTL soa --repo "$T/hostile" $now --format csv | python3 -c '
import csv, sys
print([r for r in csv.reader(sys.stdin) if r[0] == "5.7"][0][4])')
is "$h" '<script>alert(1)</script> | x, "y"' "soa csv: commas and quotes survive the round trip"

# The audit readiness report.
$ISMSCTL report --repo "$repo" $now -o "$T/report.html"; rc=$?
is "$rc" 0 "report exits 0"
r=$(cat "$T/report.html")
like "$r" "Certamon Zertifizierung GmbH" "report: the certification body"
like "$r" "Findings by owner" "report: findings grouped by owner"
like "$r" "Leonie Brandt" "report: people by name"
like "$r" "Evidence index" "report: the evidence index"
like "$r" "Trend over the last 12 months" "report: the trend"
html_check "$T/report.html" '<tr class="group\|<tr class="trend' "report html in headless Chromium: 11 group rows and 12 trend rows, no console errors" 23
$ISMSCTL report --repo "$repo" $now --format json > "$T/report.json"
python3 - "$T/report.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "ismsd.report"
assert len(d["trend"]) == 12, len(d["trend"])
assert len(d["groups"]) == 11
nc = [f for f in d["findings"] if f["kind"] == "nonconformity"]
assert nc and all(f["file"] and f["owner"]["name"] and f["remediation"] for f in nc), nc
ev = [e for e in d["evidence_index"] if e["kind"] == "evidence record"]
assert ev and all("current" in e and e["controls"] for e in ev)
assert any(e["file"].startswith("policies/") for e in d["evidence_index"])
PY
ok $? "report json: 12 trend points, findings with file, owner and remedy, evidence index"
$ISMSCTL report --repo "$repo" $now --format markdown > "$T/report.md"
like "$(cat "$T/report.md")" "## Nonconformities and observations" "report markdown"

# OSCAL, validated against NIST's schema.
$ISMSCTL check --repo "$repo" $now --format oscal > "$T/oscal.json"
is "$?" 1 "check --format oscal exits 1 on nonconformities"
/usr/bin/python3 "$ISMS_TOP/tests/schemas/validate.py" \
	"$ISMS_TOP/tests/schemas/oscal_assessment-results_schema.json" "$T/oscal.json"
ok $? "oscal: valid against the OSCAL 1.0.6 assessment-results schema"
$ISMSCTL check --repo "$repo" $now --format json > "$T/plain.json"
python3 - "$T/oscal.json" "$T/plain.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["assessment-results"]["results"][0]
failing = [x for x in json.load(open(sys.argv[2]))["results"] if x["status"] in ("fail", "error")]
obs = {o["uuid"]: o for o in r["observations"]}
assert failing and len(r["findings"]) == len(failing) and len(obs) == len(failing)
for f in r["findings"]:
    o = obs[f["related-observations"][0]["observation-uuid"]]
    assert o["relevant-evidence"][0]["href"]
    assert f["target"]["status"]["state"] == "not-satisfied"
assert any(f["target"]["target-id"] == "a.5.1" for f in r["findings"])
assert any(f["target"]["target-id"].startswith("clause-6") for f in r["findings"])
PY
ok $? "oscal: one finding and observation per failing rule, linked to control or clause"
$ISMSCTL check --repo "$repo" $now --format oscal > "$T/oscal2.json"
cmp -s "$T/oscal.json" "$T/oscal2.json"
ok $? "oscal: the same evaluation gives the same document (name-based UUIDs)"

# check JSON: the versioned envelope, the old keys kept.
$ISMSCTL check --repo "$repo" $now --format json > "$T/check.json"
python3 - "$T/check.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("format", "format_version", "tool", "commit", "rules_digest", "evaluated_at",
          "repository", "conformant", "counts", "results"):
    assert k in d, k
assert d["format"] == "ismsd.check" and d["format_version"] == 1
assert d["tool"]["name"] == "ismsd" and d["tool"]["version"]
PY
ok $? "check json: format, version, tool, commit, rules digest, evaluation time"

# --as-of: three dates, each against a checkout of that day's commit.
for day in 2025-03-01 2025-11-15 2026-06-30; do
	commit=$(git -C "$repo" rev-list -1 --first-parent --before="${day}T12:00:00Z" HEAD)
	rm -rf "$T/wt"
	git -C "$repo" worktree add -q --detach "$T/wt" "$commit"
	$ISMSCTL check --repo "$repo" --as-of "$day" --format json > "$T/asof.json"
	$ISMSCTL check --repo "$T/wt" --now "$day" --format json > "$T/wt.json"
	git -C "$repo" worktree remove --force "$T/wt"
	python3 - "$T/asof.json" "$T/wt.json" "$commit" <<'PY'
import json, sys
a, w = (json.load(open(p)) for p in sys.argv[1:3])
assert a["commit"] == sys.argv[3], (a["commit"], sys.argv[3])
assert a["evaluated_at"] == w["evaluated_at"]
va = {r["id"]: (r["status"], r["findings"]) for r in a["results"]}
vw = {r["id"]: (r["status"], r["findings"]) for r in w["results"]}
assert va == vw, [k for k in va if va[k] != vw.get(k)]
PY
	ok $? "check --as-of $day: the verdicts of a checkout of $(echo "$commit" | cut -c1-12) at that date"
done
out=$($ISMSCTL check --repo "$repo" --as-of 2020-01-01 2>&1); rc=$?
is "$rc" 2 "check --as-of before the first commit: usage error"
like "$out" "its first commit is from" "check --as-of before the first commit says why"
first=$(git -C "$repo" rev-list --max-parents=0 HEAD)
$ISMSCTL check --repo "$repo" --as-of "$first" --format json > "$T/first.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["commit"]==sys.argv[2] and d["evaluated_at"].startswith("2024-11-05")' "$T/first.json" "$first"
ok $? "check --as-of COMMIT: that commit with the clock at its time"

# history --from: the trend back-filled from git.
out=$($ISMSCTL history --repo "$repo" --from 2025-01-01 --to 2025-06-01 --every month); rc=$?
is "$rc" 0 "history --from exits 0"
is "$(printf '%s\n' "$out" | wc -l)" 6 "history --from: one line a month"
$ISMSCTL history --repo "$repo" --from 2026-10-01 --to 2026-11-22 --every week --json > "$T/h.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["format"]=="ismsd.history" and len(d["points"])==8, len(d["points"])' "$T/h.json"
ok $? "history --from --every week --json: eight weekly points"

# Certification audits as records: the calendar tells held from missed.
out=$($ISMSCTL calendar --repo "$repo" --now 2027-05-01)
like "$out" "Surveillance audit 1 held on 2026-02-17 (CA-2026-SA1, due 2026-03-14)" "calendar: surveillance audit 1 held, from its record"
like "$out" "2027-03-14  OVERDUE  surveillance-audit     Surveillance audit 2 due" "calendar: surveillance audit 2 not held by its date is overdue"
out=$($ISMSCTL check --repo "$repo" $now --verbose)
like "$out" "PASS   10.2-certification-findings-closed" "10.2: the certification body's nonconformities are closed"

done_testing
