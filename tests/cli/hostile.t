#!/bin/sh
# Hostile repository content through every human-readable output: a risk
# id with a newline and a TAP line after it, titles with ANSI escapes and
# control characters, a file name with a newline. No output may gain a
# line from them (escape.h: one escaping rule for all of them), JSON stays
# valid, and TAP keeps its plan with warn marked as a TODO.
. "$(dirname "$0")/../lib.sh"

NOW="--now 2026-11-22"
git clone -q "$ISMS_BUILD/example-isms" "$T/h" && cd "$T/h" || exit 1
sed -i '4s/.*/  - id: "R-01\\nok 998 - forged"/' risk/register.yaml
sed -i '5s/.*/    title: "Stolen \\e[31mRED\\e[0m\\x01 and \\u2028 and \\x85 and \\r\\nok 994 - forged"/' risk/register.yaml
printf -- '---\nid: "evil\\nok 996 - forged"\ntitle: "Evil \\e[2J policy"\nkind: topic-policy\n---\n# x\n' \
	> "policies/evil
ok 995 - forged.md"
commit_at 2026-11-20 "hostile content"

# No control character but the line ends (and ICS's CR) in an output.
clean() { # clean FILE DESCRIPTION
	n=$(tr -d '\r\n' < "$1" | LC_ALL=C tr -d '[:print:]' | LC_ALL=C tr -d '\200-\377' | wc -c)
	is "$n" 0 "$2: no control characters"
	n=$(grep -c '^ok 99[0-9]\|^not ok 99[0-9]' "$1")
	is "$n" 0 "$2: no forged line"
}

$ISMSCTL check --repo . $NOW --format text > "$T/text" 2>&1
clean "$T/text" "check text"
like "$(cat "$T/text")" 'R-01\nok 998 - forged' "text: the newline is shown as \\n"
like "$(cat "$T/text")" 'policies/evil\nok 995 - forged.md:2:' "text: the file name too"

$ISMSCTL check --repo . $NOW --format tap > "$T/tap" 2>&1
clean "$T/tap" "check tap"
plan=$(head -1 "$T/tap" | sed 's/^1\.\.//')
tests=$(grep -c '^ok \|^not ok ' "$T/tap")
is "$tests" "$plan" "tap: as many test lines as the plan"
like "$(cat "$T/tap")" "# TODO warn" "tap: warn is a TODO, not a plain ok"
prove -e cat "$T/tap" > "$T/prove" 2>&1
like "$(cat "$T/prove")" "Tests=$plan," "prove counts the plan's tests"

$ISMSCTL check --repo . $NOW --format json > "$T/json" 2>&1
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert any("R-01\nok 998" in f["message"] for r in d["results"] for f in r["findings"])' "$T/json"
ok $? "json: valid, with the value as it is"

for cmd in calendar "calendar --ics" review-pack audit-plan; do
	$ISMSCTL $cmd --repo . $NOW > "$T/out" 2>&1
	clean "$T/out" "$cmd"
	like "$(cat "$T/out")" "forged" "$cmd: the hostile value is shown"
done
grep -v '^ ' "$T/out" > /dev/null
$ISMSCTL calendar --ics --repo . $NOW > "$T/ics" 2>&1
n=$(grep -c '^ok 99\|^[^A-Z ]' "$T/ics")
is "$n" 0 "ics: every line is a property or a folded continuation"

# ismsctl test prints TAP too: a spec name with a newline.
mkdir -p "$T/pack/specs"
cat > "$T/pack/p.lua" <<'LUA'
isms.rule { id = "x-1", clause = "4.1", severity = "minor", title = "t\nok 990 - forged",
  rationale = "r", remediation = "m", check = function(r) r:fail("bad\27[31m\nok 991 - forged") end }
LUA
cat > "$T/pack/specs/p.lua" <<'LUA'
spec { name = "a\nok 992 - forged", now = "2026-02-14",
  files = { ["isms.yaml"] = "organisation: x\ntime_zone: UTC\n" }, expect = { ["x-1"] = "pass" } }
LUA
$ISMSCTL test "$T/pack" > "$T/spec" 2>&1
clean "$T/spec" "ismsctl test"
like "$(cat "$T/spec")" 'ok 991 - forged' "ismsctl test: the finding is shown, escaped"

done_testing
