#!/bin/sh
# The rule author's kit end to end: the worked example pack's specs, a
# pack made by `ismsctl new-pack` (its specs must pass as made), the
# harness on failing specs, broken packs, and --pack with check and rules.
. "$(dirname "$0")/../lib.sh"

EXAMPLE="$ISMS_TOP/sdk/examples/production-backups"
TOUR="$ISMS_TOP/sdk/examples/api-tour"

out=$($ISMSCTL test --pack "$EXAMPLE" "$EXAMPLE/specs"); rc=$?
is "$rc" 0 "the production-backups example's specs pass"
like "$out" "org-production-backups holds through 2026-03-16" "valid_until is checked"
unlike "$out" "not ok" "no expectation fails"
plan=$(printf '%s\n' "$out" | tail -1)
like "$plan" "1.." "TAP ends with a plan"

out=$($ISMSCTL test --pack "$TOUR" "$TOUR/specs"); rc=$?
is "$rc" 0 "the api-tour example's specs pass"
unlike "$out" "not ok" "no expectation fails"
out=$($ISMSCTL test --pack "$TOUR" --pack "$EXAMPLE" "$EXAMPLE/specs" "$TOUR/specs"); rc=$?
is "$rc" 0 "two --pack directories load together"

# A fresh scaffold passes its own specs, in the directory it was made in.
cd "$T"
out=$($ISMSCTL new-pack acme-backups --dir packs); rc=$?
is "$rc" 0 "new-pack succeeds"
like "$out" "ismsctl test --pack packs/acme-backups packs/acme-backups/specs" "and says how to run it"
for f in acme-backups.lua specs/acme-backups.lua README.md; do
	[ -s "packs/acme-backups/$f" ]; ok $? "new-pack wrote $f"
done
like "$(cat packs/acme-backups/README.md)" "ismsctl test --pack packs/acme-backups packs/acme-backups/specs" \
	"the README's command names the pack's path"
out=$($ISMSCTL test --pack packs/acme-backups packs/acme-backups/specs); rc=$?
is "$rc" 0 "the scaffold's specs pass as made"
like "$out" "ok 1 - " "and print TAP"
unlike "$out" "not ok" "with no failure"

out=$($ISMSCTL new-pack acme-backups --dir packs 2>&1); rc=$?
is "$rc" 2 "new-pack refuses an existing pack"
like "$out" "already exists" "and says so"
for bad in Acme 1pack a--b "a b" a/b "" trailing-; do
	$ISMSCTL new-pack "$bad" --dir packs >/dev/null 2>&1; rc=$?
	is "$rc" 2 "new-pack refuses the name '$bad'"
done
out=$($ISMSCTL new-pack x --dir /proc/no-such-dir 2>&1); rc=$?
is "$rc" 2 "new-pack in a directory it cannot create fails"
like "$out" "cannot create" "and says why"
[ ! -e packs/Acme ] && [ ! -e packs/a--b ]; ok $? "refused names leave nothing behind"

# The harness on failing specs: a wrong status, a wrong valid_until, a
# finding that is not there, a rule that does not exist: not ok, exit 1.
sed -e 's/valid_until = "2026-04-15"/valid_until = "2026-04-16"/' \
    -e 's/status = "fail", count = 1/status = "pass", count = 1/' \
    -e 's/message = "no access review is recorded"/message = "no such message"/' \
    packs/acme-backups/specs/acme-backups.lua > "$T/failing.lua"
out=$($ISMSCTL test --pack packs/acme-backups "$T/failing.lua"); rc=$?
is "$rc" 1 "failing specs exit 1"
like "$out" "not ok 2 - an access review 30 days ago passes until the next is due: acme-backups-access-review holds through 2026-04-16" \
	"a wrong valid_until is not ok"
like "$out" "#   got valid_until 2026-04-15" "and shows what the rule gave"
like "$out" "acme-backups-access-review is pass" "a wrong status is reported"
like "$out" "#   got fail" "with the verdict found"
like "$out" "finds 'no such message'" "a missing finding is reported"
cat > "$T/unknown.lua" <<'SPEC'
spec { name = "unknown rule", now = "2026-01-01", files = { ["isms.yaml"] = "organisation: X\n" },
  expect = { ["no-such-rule"] = "pass" } }
SPEC
out=$($ISMSCTL test --pack packs/acme-backups "$T/unknown.lua"); rc=$?
is "$rc" 1 "a spec naming an unknown rule fails"
like "$out" "there is no rule 'no-such-rule'" "and names it"

# Without --pack the organisation's rule is unknown to the harness.
out=$($ISMSCTL test packs/acme-backups/specs); rc=$?
is "$rc" 1 "without --pack the pack's rules are not loaded"

# A broken pack: the load fails with the file and line, exit 2.
mkdir -p broken
printf 'isms.rule { id = "x-1", clause = "9.2", title = "t", severity = "major",\n  rationale = "r", remediation = "m", check = 42 }\n' > broken/broken.lua
out=$($ISMSCTL test --pack broken packs/acme-backups/specs 2>&1); rc=$?
is "$rc" 2 "a broken pack is an error"
like "$out" "broken/broken.lua:1: rule 'x-1': check must be a function(r)" "named by file and line"
printf 'isms.rule {\n' > broken/broken.lua
out=$($ISMSCTL test --pack broken packs/acme-backups/specs 2>&1); rc=$?
is "$rc" 2 "a pack with a syntax error is an error"
like "$out" "broken/broken.lua" "named by file"
out=$($ISMSCTL test --pack "$T/missing" packs/acme-backups/specs 2>&1); rc=$?
is "$rc" 2 "a missing pack directory is an error"
like "$out" "$T/missing" "and names it"
# Two packs may not declare the same rule id.
out=$($ISMSCTL test --pack packs/acme-backups --pack packs/acme-backups packs/acme-backups/specs 2>&1); rc=$?
is "$rc" 2 "a rule id declared twice is an error"
like "$out" "is already used by the rule at" "and says where"

# --pack with rules and check.
out=$($ISMSCTL rules --pack "$EXAMPLE"); rc=$?
is "$rc" 0 "rules --pack lists the rules"
like "$out" "org-production-backups" "including the organisation's rule"
mkdir repo && cd repo && git init -q
cat > isms.yaml <<'YAML'
organisation: Example Ltd
top_management: [p-ada]
YAML
mkdir people assets evidence
printf 'people:\n  - id: p-ada\n    name: Ada Lovelace\n' > people/personnel.yaml
printf 'assets:\n  - id: DB-1\n    name: Customer database\n    owner: p-ada\n    production: true\n' > assets/db.yaml
printf 'evidence:\n  - id: EV-1\n    kind: backup-restore-test\n    date: 2026-03-09\n    asset: DB-1\n' > evidence/backups.yaml
commit_at 2026-03-10 "records"
cd "$T"
out=$($ISMSCTL check --repo repo --now 2026-03-20 --pack "$EXAMPLE" --verbose --format tap 2>&1)
like "$out" "org-production-backups" "check --pack evaluates the organisation's rule"
like "$out" "evidence/backups.yaml:4" "and its finding points at the backup's date"
$ISMSCTL check --repo repo --now 2026-03-12 --pack "$EXAMPLE" --verbose --format json > "$T/check.json"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
r = [x for x in d["results"] if x.get("id", x.get("rule")) == "org-production-backups"]
assert r and r[0]["status"] == "pass", r
' "$T/check.json"
ok $? "check --pack: a recent backup passes"

done_testing
