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

verdicts() { # the verdicts and findings of a full offline check
	$ISMSCTL check --repo "$T/repo" --now $NOW --format json |
		jget '"\n".join(sorted(r["id"]+" "+r["status"]+" "+json.dumps(r["findings"],sort_keys=True) for r in j["results"]))'
}
daemon_verdicts() { # the same from the daemon's published results
	"$ISMSCTL_BIN" results --json |
		jget '"\n".join(sorted(r["id"]+" "+r["status"]+" "+json.dumps(r["findings"],sort_keys=True) for r in j["results"]))'
}
# step WHAT: commit what the work tree holds, wait for the daemon to
# publish it, and compare its verdicts with a full check.
step() {
	cursor=$("$ISMSCTL_BIN" status --json | jget 'j["cursor"]')
	"$ISMSCTL_BIN" watch --json --topics commits --cursor "$cursor" --count 1 --timeout 30 > "$T/watch" &
	w=$!
	(cd "$T/repo" && commit_at 2026-11-21 "$1")
	wait $w
	head=$(cd "$T/repo" && git rev-parse HEAD)
	is "$(jget 'j["params"]["data"]["commit"]' < "$T/watch")" "$head" "$1: evaluated"
	verdicts > "$T/full"
	daemon_verdicts > "$T/inc"
	if cmp -s "$T/full" "$T/inc"; then ok 0 "$1: verdicts and findings equal a full check"
	else
		diff "$T/full" "$T/inc" | head -20 | sed 's/^/# /'
		ok 1 "$1: verdicts and findings equal a full check"
	fi
}
APPS=assets/applications.yaml

sed -i '0,/owner: p-kenji-watanabe/s//owner: p-nobody-here/' "$T/repo/$APPS"
step "one asset's owner is nobody on the staff"
like "$(cat "$T/inc")" "p-nobody-here" "the finding about that asset is there"

sed -i '0,/classification: confidential/s//classification: top-secret/' "$T/repo/$APPS"
step "one asset's classification is off the scheme"
like "$(cat "$T/inc")" "top-secret" "and its finding"

# A person the assets name leaves: iterations that looked the owner up
# read the personnel records, so they are judged again.
owner=$(sed -n 's/^    owner: \(p-[a-z-]*\)$/\1/p' "$T/repo/assets/infrastructure.yaml" | head -1)
awk -v p="$owner" '{print} $0 ~ "id: "p"$" {print "    left: 2026-10-31"}' \
	"$T/repo/people/personnel.yaml" > "$T/p" && cp "$T/p" "$T/repo/people/personnel.yaml"
step "the owner of infrastructure assets ($owner) left"
like "$(cat "$T/inc")" "$owner" "the assets of the leaver are reported"

# A new asset at the top of the file moves every other asset down.
sed -i '0,/^assets:$/s//assets:\n  - id: AS-APP-00\n    name: New first asset\n    kind: application\n    owner: p-also-nobody\n    classification: internal\n/' "$T/repo/$APPS"
step "a new first asset shifts the others' lines"
like "$(cat "$T/inc")" "p-also-nobody" "the new asset is judged"

sed -i 's/^acceptance_threshold: 8/acceptance_threshold: 2/' "$T/repo/risk/method.yaml"
step "the risk acceptance threshold falls"

sed -i 's/^    likelihood: \([0-9]\)$/    likelihood: 5/' "$T/repo/risk/register.yaml"
step "every risk is rescored"

git -C "$T/repo" revert -q --no-edit HEAD~5..HEAD >/dev/null 2>&1 ||
	git -C "$T/repo" checkout -q HEAD~6 -- .
step "everything reverted"
is "$(cat "$T/inc" | grep -c p-nobody-here)" 0 "the first finding is gone again"

stop_ismsd
done_testing
