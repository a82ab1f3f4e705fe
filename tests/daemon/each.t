#!/bin/sh
# Incremental by record: rules that judge record by record (r:each) keep
# what each iteration gave, and a commit that changes one record re-judges
# only what changed. After every kind of change (one record, a person the
# records name, lines shifted by a new record, the risk method, a revert)
# the daemon's verdicts and findings equal a full offline check.
. "$(dirname "$0")/daemon.sh"

example_clone "$T/repo"
NOW=2026-11-22
start_ismsd --repo "$T/repo" --now $NOW --frozen-clock
wait_ready; ok $? "the daemon evaluates the repository at start"

APPS=assets/applications.yaml

sed -i '0,/owner: p-kenji-watanabe/s//owner: p-nobody-here/' "$T/repo/$APPS"
commit_and_compare "one asset's owner is nobody on the staff"
like "$(cat "$T/inc")" "p-nobody-here" "the finding about that asset is there"

sed -i '0,/classification: confidential/s//classification: top-secret/' "$T/repo/$APPS"
commit_and_compare "one asset's classification is off the scheme"
like "$(cat "$T/inc")" "top-secret" "and its finding"

# A person the assets name leaves: iterations that looked the owner up
# read the personnel records, so they are judged again.
owner=$(sed -n 's/^    owner: \(p-[a-z-]*\)$/\1/p' "$T/repo/assets/infrastructure.yaml" | head -1)
awk -v p="$owner" '{print} $0 ~ "id: "p"$" {print "    left: 2026-10-31"}' \
	"$T/repo/people/personnel.yaml" > "$T/p" && cp "$T/p" "$T/repo/people/personnel.yaml"
commit_and_compare "the owner of infrastructure assets ($owner) left"
like "$(cat "$T/inc")" "$owner" "the assets of the leaver are reported"

# A new asset at the top of the file moves every other asset down.
sed -i '0,/^assets:$/s//assets:\n  - id: AS-APP-00\n    name: New first asset\n    kind: application\n    owner: p-also-nobody\n    classification: internal\n/' "$T/repo/$APPS"
commit_and_compare "a new first asset shifts the others' lines"
like "$(cat "$T/inc")" "p-also-nobody" "the new asset is judged"

sed -i 's/^acceptance_threshold: 8/acceptance_threshold: 2/' "$T/repo/risk/method.yaml"
commit_and_compare "the risk acceptance threshold falls"

sed -i 's/^    likelihood: \([0-9]\)$/    likelihood: 5/' "$T/repo/risk/register.yaml"
commit_and_compare "every risk is rescored"

git -C "$T/repo" revert -q --no-edit HEAD~5..HEAD >/dev/null 2>&1 ||
	git -C "$T/repo" checkout -q HEAD~6 -- .
commit_and_compare "everything reverted"
is "$(cat "$T/inc" | grep -c p-nobody-here)" 0 "the first finding is gone again"

stop_ismsd
done_testing
