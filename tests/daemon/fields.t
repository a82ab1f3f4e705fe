#!/bin/sh
# Incremental by field: a rule that read the records of a file runs again
# after a commit only when a field it read changed in some record of that
# file (or more than field values changed: a record added, a field added,
# lines moved). After every commit the daemon's verdicts and findings
# equal a full offline check.
. "$(dirname "$0")/daemon.sh"

example_clone "$T/repo"
NOW=2026-11-22
start_ismsd --repo "$T/repo" --now $NOW --frozen-clock
wait_ready; ok $? "the daemon evaluates the repository at start"

APPS=assets/applications.yaml

# A field added: more than values changed, so every rule that read the
# file runs; how many they are is the measure for the steps after.
sed -i '0,/^    location: /s//    hosting_note: new field\n    location: /' "$T/repo/$APPS"
commit_and_compare "a field added to an asset"
n=$RUN
ok "$([ "$n" -gt 5 ] && echo 0 || echo 1)" "a new field runs every rule that read the file ($n)"

# The note on an asset: no rule reads it.
sed -i '0,/^    location: AWS eu-central-1, EKS production$/s//    location: AWS eu-central-1, EKS production (moved)/' "$T/repo/$APPS"
commit_and_compare "one asset's location changed"
ok "$([ "$RUN" -lt "$n" ] && echo 0 || echo 1)" "only the rules that read locations ran ($RUN of $n)"

sed -i '0,/owner: p-kenji-watanabe/s//owner: p-nobody-here/' "$T/repo/$APPS"
commit_and_compare "one asset's owner is nobody on the staff"
ok "$([ "$RUN" -ge 1 ] && echo 0 || echo 1)" "the rules that read owners ran ($RUN)"
like "$(cat "$T/inc")" "p-nobody-here" "the finding about that asset is there"

printf '# Reviewed in November.\n' >> "$T/repo/$APPS"
commit_and_compare "a comment added"
ok "$([ "$RUN" -lt "$n" ] && echo 0 || echo 1)" "a comment runs only rules that read the file as a whole ($RUN)"

sed -i '0,/classification: confidential/s//classification: top-secret/' "$T/repo/$APPS"
commit_and_compare "one asset's classification is off the scheme"
like "$(cat "$T/inc")" "top-secret" "and its finding"

# A policy's front matter: one record per file.
pol=$(cd "$T/repo" && ls policies/*.md | head -1)
sed -i '0,/^owner: /s//owner: p-nobody-either\nowner_was: /' "$T/repo/$pol"
commit_and_compare "a policy's owner changed and a field added"
sed -i '/^owner_was: /d' "$T/repo/$pol"
commit_and_compare "the field removed again"

# The SoA's controls are read for every rule with a control, also when
# the SDK answers r:soa from the index another rule made.
sed -i '0,/^    applicable: true$/s//    applicable: false/' "$T/repo/soa.yaml"
commit_and_compare "the first control of the SoA excluded"

sed -i 's/^    likelihood: \([0-9]\)$/    likelihood: 5/' "$T/repo/risk/register.yaml"
commit_and_compare "every risk is rescored"

git -C "$T/repo" revert -q --no-edit HEAD~9..HEAD >/dev/null 2>&1 ||
	git -C "$T/repo" checkout -q HEAD~10 -- .
commit_and_compare "everything reverted"
is "$(grep -c p-nobody-here "$T/inc")" 0 "the owner's finding is gone again"

stop_ismsd
done_testing
