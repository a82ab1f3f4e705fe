#!/bin/sh
# The merge-request gate on real repositories: the pre-commit hook checks
# the index, not the work tree, and compares findings by fingerprint with
# HEAD; --baseline on a branch that fixes one finding and breaks another;
# moving a record keeps its findings; the update hook refuses a push that
# adds a major nonconformity when configured; check --repo URL; diff.
. "$(dirname "$0")/../lib.sh"

NOW=2026-11-22
mkdir -p "$T/bin"
printf '#!/bin/sh\nexec %s "$@"\n' "$ISMSCTL" > "$T/bin/ismsctl"
chmod +x "$T/bin/ismsctl"
export PATH="$T/bin:$PATH"
# The hooks run ismsctl with a fixed clock through this wrapper.
printf '#!/bin/sh\ncmd=$1; shift\nexec %s "$cmd" --now %s "$@"\n' "$ISMSCTL" "$NOW" > "$T/bin/ismsctl-now"
chmod +x "$T/bin/ismsctl-now"
export ISMSCTL="$T/bin/ismsctl-now"

git clone -q "$ISMS_BUILD/example-isms" "$T/work" && cd "$T/work"
cp "$ISMS_TOP/contrib/hooks/pre-commit" .git/hooks/pre-commit

# suppliers.yaml: SUP-09 is overdue at HEAD (line 117); SUP-01 is not.
overdue_sup01() { sed -i '0,/last_review_on: 2026-05-18/s//last_review_on: 2024-01-10/' suppliers.yaml; }

# 1. A bad change staged, then the work tree reverted: the index is bad.
overdue_sup01
git add suppliers.yaml
git checkout -q -- suppliers.yaml
is "$(git diff --stat)" "" "the work tree is back as at HEAD"
out=$(git commit -qm "stage a bad change, revert the work tree" 2>&1); rc=$?
is "$rc" 1 "a staged bad change is refused although the work tree is clean"
like "$out" "suppliers.yaml:14:" "the new finding is named with file:line"
like "$out" "SUP-01" "and is about the record that changed"
unlike "$out" "SUP-09" "the finding HEAD already has is not listed as new"
unlike "$out" "by nil" "no commit placeholder for staged files"
# 2. The same rule already fails at HEAD (SUP-09): the new one still counts.
like "$out" "A.5.22-supplier-review" "a new finding under an already failing rule is refused"
git reset -q --hard HEAD

# 3. A staged fix with a bad edit left unstaged passes.
sed -i '117s/2025-08-19/2026-09-01/' suppliers.yaml
git add suppliers.yaml
overdue_sup01
out=$(git commit -qm "review SUP-09" 2>&1); rc=$?
is "$rc" 0 "a staged fix passes although the unstaged edit is bad"
is "$(git show --stat --format= HEAD | head -1 | sed 's/|.*//;s/ //g')" "suppliers.yaml" \
	"and the fix is committed"
git checkout -q -- suppliers.yaml

# 4. Moving a record within its file keeps its findings: SUP-02 goes last.
$ISMSCTL check --repo . --format json > "$T/before.json"
awk '
	/^  - id: SUP-02$/ { grab = 1 }
	grab && /^  - id: / && !/SUP-02/ { grab = 0 }
	grab { moved = moved $0 "\n"; next }
	{ print }
	END { printf "%s", moved }
' suppliers.yaml > "$T/s.yaml"
cp "$T/s.yaml" suppliers.yaml
# and edit a field of it that no finding is about
sed -i 's/^    service: Identity provider, e-mail, calendar and documents$/    service: Identity provider, e-mail and calendar/' suppliers.yaml
git add suppliers.yaml
is "$(git diff --cached --numstat | cut -f1)" "$(git diff --cached --numstat | cut -f2)" \
	"the record moved (as many lines added as removed)"
like "$(git diff --cached)" "+    service: Identity provider, e-mail and calendar" "and a field changed"
out=$(git commit -qm "move SUP-02 to the end" 2>&1); rc=$?
is "$rc" 0 "moving a record does not create a new finding"
$ISMSCTL check --repo . --format json > "$T/after.json"
fps() { python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
print("\n".join(sorted(f["fingerprint"] for r in d["results"] for f in r["findings"])))' "$1"; }
is "$(fps "$T/after.json")" "$(fps "$T/before.json")" "every fingerprint is as before the move"

# 5. A broken record is refused, named by file.
printf 'risks:\n  - id: [broken\n' > risk/register.yaml
git add -A
out=$(git commit -qm "break a record" 2>&1); rc=$?
is "$rc" 1 "a record that no longer parses is refused"
like "$out" "risk/register.yaml" "naming the file"
git reset -q --hard HEAD

# 6. --fail-on major lets a minor finding through.
git config isms.failOn major
overdue_sup01
git add suppliers.yaml
out=$(git commit -qm "minor only" 2>&1); rc=$?
is "$rc" 0 "with isms.failOn major a new minor finding passes"
git config --unset isms.failOn

# 7. --baseline on the example: a branch that fixes one finding and breaks
# another.
cd "$T" && git clone -q "$ISMS_BUILD/example-isms" branchy && cd branchy
git checkout -qb fix-one-break-one
sed -i '117s/2025-08-19/2026-09-01/' suppliers.yaml
overdue_sup01
commit_at 2026-11-20 "review SUP-09, but SUP-01's review date is wrong"
out=$($ISMSCTL check --repo . --baseline main); rc=$?
is "$rc" 1 "the branch fails the gate"
like "$out" "1 new, 1 resolved" "one new, one resolved"
$ISMSCTL check --repo . --baseline main --format json > "$T/b.json"
# Existing: every finding of a failing or warning rule in main's own
# check, but the one resolved (links to another rule's finding are not
# findings of their own).
git checkout -q main
$ISMSCTL check --repo . --format json > "$T/main.json"
git checkout -q fix-one-break-one
was=$(python3 -c 'import json,sys
print(sum(len(r.get("findings") or []) for r in json.load(open(sys.argv[1]))["results"]
          if r["status"] in ("fail", "warn")))' "$T/main.json")
is "$(python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
b=d["baseline"]
print(len(b["new"]), len(b["resolved"]), len(b["existing"]), b["new"][0]["rule"], b["resolved"][0]["line"], d["gate"]["passed"])' "$T/b.json")" \
	"1 1 $((was - 1)) A.5.22-supplier-review 117 False" "JSON: new, resolved, existing and the gate"
like "$(grep -c '"baseline_state": "new"' "$T/b.json")" "1" "the new finding is marked new"
$ISMSCTL check --repo . --baseline main --fail-on major > /dev/null; rc=$?
is "$rc" 0 "--fail-on major: the new minor finding does not fail"
$ISMSCTL check --repo . --baseline main~3 > /dev/null 2>&1; rc=$?
like "01" "$rc" "a baseline that evaluates differently still runs"
$ISMSCTL check --repo . --baseline no-such-ref > /dev/null 2>&1; rc=$?
is "$rc" 2 "an unknown baseline is a usage error"

# diff, offline, in text and JSON
out=$($ISMSCTL diff main fix-one-break-one --repo .); rc=$?
is "$rc" 1 "diff exits 1 when the second ref adds findings"
like "$out" "Resolved findings" "diff lists the resolved"
like "$out" "suppliers.yaml:14:" "and the new with file:line"
out=$($ISMSCTL diff main fix-one-break-one --repo . --json)
is "$(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["from"]["ref"], d["to"]["ref"], len(d["new"]), len(d["resolved"]))')" \
	"main fix-one-break-one 1 1" "diff --json"
out=$($ISMSCTL diff main main --repo .); rc=$?
is "$rc" 0 "a ref against itself: nothing new"
like "$out" "0 new, 0 resolved" "and says so"

# the CI script: reports for the CI system, the gate's exit status
out=$(ISMS_BASE=main ISMS_OUT="$T/reports" sh "$ISMS_TOP/contrib/ci/isms-gate.sh" 2>&1); rc=$?
is "$rc" 1 "isms-gate.sh fails the merge request"
like "$out" "Gate: FAILED" "and prints the gate"
ok "$([ -s "$T/reports/isms.sarif" ] && [ -s "$T/reports/isms-junit.xml" ]; echo $?)" \
	"and writes SARIF and JUnit"
out=$(ISMS_BASE=main ISMS_MERGE_BASE=1 ISMS_FAIL_ON=major ISMS_OUT="$T/reports" \
	sh "$ISMS_TOP/contrib/ci/isms-gate.sh" 2>&1); rc=$?
is "$rc" 0 "isms-gate.sh against the merge base at major passes"
out=$(ISMS_BASE=nowhere ISMS_OUT="$T/reports" sh "$ISMS_TOP/contrib/ci/isms-gate.sh" 2>&1); rc=$?
is "$rc" 2 "isms-gate.sh without the base commit says so"
like "$out" "not in this clone" "and why"

# 8. check --repo URL: a temporary bare mirror of a file:// URL.
git clone -q --bare "$T/branchy" "$T/shared.git"
out=$($ISMSCTL check --repo "file://$T/shared.git" --ref fix-one-break-one --baseline main); rc=$?
is "$rc" 1 "check --repo file://URL with a baseline"
like "$out" "1 new, 1 resolved" "evaluates the mirror"
is "$(ls "${TMPDIR:-/tmp}" | grep -c "ismsctl-mirror" || true)" "0" "and removes it"
out=$($ISMSCTL check --repo "file://$T/nowhere.git" 2>&1); rc=$?
is "$rc" 2 "an unreachable URL is an error"
out=$($ISMSCTL check --repo "file://$T/shared.git" --index 2>&1); rc=$?
is "$rc" 2 "a URL has no index"

# 9. The update hook refuses a push that adds a major nonconformity.
cp "$ISMS_TOP/contrib/hooks/update" "$T/shared.git/hooks/update"
cd "$T" && git clone -q -b main "$T/shared.git" pusher && cd pusher
sed -i 's/^approved_by: p-[a-z-]*/approved_by: p-nobody/' policies/information-security-policy.md
commit_at 2026-11-21 "drop the policy approval"
out=$(git push -q origin HEAD:refs/heads/try 2>&1); rc=$?
is "$rc" 0 "without isms.refuseOn the update hook lets everything through"
git -C "$T/shared.git" config isms.refuseOn major
out=$(git push origin HEAD:main 2>&1); rc=$?
ok "$([ "$rc" -ne 0 ]; echo $?)" "with isms.refuseOn major a push adding a major finding is refused"
like "$out" "5.2-policy-approved" "naming the rule"
like "$out" "refs/heads/main refused" "and saying so"
out=$(git push origin HEAD:refs/heads/other 2>&1); rc=$?
ok "$([ "$rc" -ne 0 ]; echo $?)" "a new branch is compared with HEAD"
git reset -q --hard origin/main
overdue_sup01
commit_at 2026-11-21 "a minor finding"
out=$(git push -q origin HEAD:main 2>&1); rc=$?
is "$rc" 0 "a push adding only a minor finding passes isms.refuseOn major"

# 10. post-receive with a summary never fails a push.
git -C "$T/shared.git" config isms.summary true
cp "$ISMS_TOP/contrib/hooks/post-receive" "$T/shared.git/hooks/post-receive"
export ISMS_SOCKET="$T/none.sock"
sed -i '117s/2025-08-19/2026-09-01/' suppliers.yaml
commit_at 2026-11-21 "review SUP-09"
out=$(git push origin HEAD:main 2>&1); rc=$?
is "$rc" 0 "post-receive does not fail the push"
like "$out" "1 resolved" "and shows the pusher what the push resolved"

done_testing
