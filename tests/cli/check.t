#!/bin/sh
# ismsctl check end to end: the example ISMS, every output format, exit
# statuses, and broken repositories (malformed YAML, no manifest, a file
# name that is not UTF-8, a record over the size cap, uncommitted work).
. "$(dirname "$0")/../lib.sh"

EX="$ISMS_BUILD/example-isms"
NOW="--now 2026-11-22"

out=$($ISMSCTL check --repo "$EX" $NOW 2>&1); rc=$?
is "$rc" 1 "the example has nonconformities: exit 1"
like "$out" "Fernwerk Systems GmbH" "the report names the organisation"
like "$out" "Summary by clause and Annex A theme" "a summary per clause and theme"
like "$out" "soa.yaml:510: control 7.4 is excluded without a justification" "a finding with file:line"
like "$out" "What to do:" "each nonconformity says what to do"
like "$out" "Result: NOT CONFORMANT" "a verdict line"

$ISMSCTL check --repo "$EX" $NOW --format json > "$T/out.json"; rc=$?
is "$rc" 1 "json: same exit status"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["results"] and "counts" in d; print("# rules:", len(d["results"]))' "$T/out.json"
ok $? "json output parses and has results and counts"

out=$($ISMSCTL check --repo "$EX" $NOW --format tap); rc=$?
like "$out" "not ok" "tap output marks failures"
first=$(printf '%s\n' "$out" | head -1)
like "$first" "1.." "tap output starts with a plan"

out=$($ISMSCTL check --repo "$EX" --now 2025-13-45 2>&1); rc=$?
is "$rc" 2 "a bad --now is a usage error"
like "$out" "not a valid date" "and says why"

out=$($ISMSCTL check --repo "$EX" --format pdf 2>&1); rc=$?
is "$rc" 2 "an unknown format is a usage error"

out=$($ISMSCTL check --repo "$T/nowhere" 2>&1); rc=$?
is "$rc" 2 "a missing repository is exit 2"
like "$out" "$T/nowhere" "and names the path"

# Not an ISMS repository: no isms.yaml.
mkdir "$T/plain" && cd "$T/plain" && git init -q && echo hi > notes.md && commit_at 2026-01-01 "notes"
out=$($ISMSCTL check --repo "$T/plain" $NOW 2>&1); rc=$?
is "$rc" 2 "no manifest: exit 2"
like "$out" "no isms.yaml" "and says the manifest is missing"

# A working copy of the example to break.
git clone -q "$EX" "$T/work" && cd "$T/work"

out=$($ISMSCTL check --repo "$T/work" --ref HEAD~40 $NOW 2>&1); rc=$?
ok $([ "$rc" -le 1 ] && echo 0 || echo 1) "an older commit can be checked (--ref HEAD~40)"

printf 'risks:\n  - id: R-1\n    title: "unterminated\n' > risk/register.yaml
commit_at 2026-11-20 "break the register"
out=$($ISMSCTL check --repo "$T/work" $NOW 2>&1); rc=$?
is "$rc" 1 "malformed YAML is a nonconformity, not a crash"
like "$out" "risk/register.yaml:3:" "the parse error names file and line"
like "$out" "7.5-records-valid" "reported by the records rule"
git reset -q --hard HEAD~1

printf 'x: 1\n' > "$(printf 'evidence/bad\377name.yaml')"
commit_at 2026-11-20 "a file name that is not UTF-8"
out=$($ISMSCTL check --repo "$T/work" $NOW 2>&1); rc=$?
is "$rc" 1 "a non-UTF-8 file name is reported, the rest still checked"
like "$out" 'bad\xffname.yaml' "the name is shown with the bad byte escaped"
git reset -q --hard HEAD~1

python3 -c 'import sys; f=open("evidence/huge.yaml","w"); f.write("evidence:\n"); f.write("# " + "x"*100 + "\n" * 1) ; [f.write("# " + "x"*1000 + "\n") for _ in range(17*1024)]'
commit_at 2026-11-20 "a record over the size cap"
out=$($ISMSCTL check --repo "$T/work" $NOW 2>&1); rc=$?
is "$rc" 1 "a record over the 16 MiB cap is reported"
like "$out" "evidence/huge.yaml" "naming the file"
like "$out" "16 MiB" "and the limit"
git reset -q --hard HEAD~1

# Uncommitted changes: --worktree sees them, the committed tree does not.
sed -i 's/^approved_by: p-[a-z-]*/approved_by: p-nobody/' policies/information-security-policy.md
out=$($ISMSCTL check --repo "$T/work" $NOW 2>&1)
unlike "$out" "top management must approve the policy" "the committed tree is unchanged"
out=$($ISMSCTL check --repo "$T/work" --worktree "$T/work" $NOW 2>&1)
like "$out" "top management must approve the policy" "--worktree evaluates the uncommitted change"
like "$out" "with uncommitted changes" "and says so"
git checkout -q -- .

# A bare mirror gives the same verdicts as the work tree.
git clone -q --mirror "$EX" "$T/mirror.git"
a=$($ISMSCTL check --repo "$EX" $NOW --format tap)
b=$($ISMSCTL check --repo "$T/mirror.git" $NOW --format tap)
is "$b" "$a" "a bare mirror gives the same verdicts"

# isms.yaml that is not a mapping
printf -- '- just\n- a list\n' > isms.yaml
commit_at 2026-11-20 "manifest is a list"
out=$($ISMSCTL check --repo "$T/work" $NOW 2>&1); rc=$?
ok $([ "$rc" -le 2 ] && echo 0 || echo 1) "a manifest that is a list does not crash (exit $rc)"
like "$out" "isms.yaml" "and is reported against isms.yaml"

# --rule: only the rules named run, and a misspelt id is refused with a hint.
out=$($ISMSCTL check --repo "$EX" $NOW --rule 'A.5.1-policies-acknowledged' --rule '7.5.*' --format json)
ids=$(printf '%s' "$out" | python3 -c 'import json,sys; print(" ".join(sorted(r["id"] for r in json.load(sys.stdin)["results"])))')
like "$ids" "7.5.1-required-documents" "--rule runs the rules of a pattern"
like "$ids" "A.5.1-policies-acknowledged" "and the rule named"
unlike "$ids" "A.5.9" "and no other"
full=$($ISMSCTL check --repo "$EX" $NOW --format json | python3 -c 'import json,sys; print([r for r in json.load(sys.stdin)["results"] if r["id"] == "A.5.1-policies-acknowledged"])')
one=$(printf '%s' "$out" | python3 -c 'import json,sys; print([r for r in json.load(sys.stdin)["results"] if r["id"] == "A.5.1-policies-acknowledged"])')
is "$one" "$full" "a rule run alone gives the verdict and findings it gives in a full check"
out=$($ISMSCTL check --repo "$EX" $NOW --rule 'A.5.1-policies-acknowledgd' 2>&1); rc=$?
is "$rc" 2 "an id that names no rule is a usage error"
like "$out" "did you mean 'A.5.1-policies-acknowledged'" "with the closest id as a hint"

done_testing
