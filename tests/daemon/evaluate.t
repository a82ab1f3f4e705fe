#!/bin/sh
# A commit reaches subscribers as exactly the verdicts it changed; only
# the rules that read the changed file run again; history and as_of.
. "$(dirname "$0")/daemon.sh"

example_clone "$T/repo"
NOW=2026-11-22
start_ismsd --repo "$T/repo" --now $NOW --frozen-clock
wait_ready; ok $? "the daemon evaluates the repository at start"

st=$("$ISMSCTL_BIN" status --json)
is "$(echo "$st" | jget 'j["repositories"][0]["health"]')" ok "status: healthy"
is "$(echo "$st" | jget 'j["repositories"][0]["name"]')" repo "status: named after the directory"
first=$(cd "$T/repo" && git rev-parse HEAD)
is "$(echo "$st" | jget 'j["repositories"][0]["commit"]')" "$first" "status: the head commit"
cursor=$(echo "$st" | jget 'j["cursor"]')

# What the commit should change, from the offline check at the same date.
verdicts() { # verdicts REPO: "id status findings" per rule
	$ISMSCTL check --repo "$1" --now $NOW --format json |
		jget '"\n".join(sorted(r["id"]+" "+r["status"]+" "+json.dumps(r["findings"],sort_keys=True) for r in j["results"]))'
}
verdicts "$T/repo" > "$T/before"

"$ISMSCTL_BIN" watch --json --topics results --cursor "$cursor" --count 1 --timeout 20 > "$T/watch" &
watcher=$!
"$ISMSCTL_BIN" watch --json --topics commits --cursor "$cursor" --count 1 --timeout 20 > "$T/watchc" &
watcher2=$!

cd "$T/repo"
sed -i 's/^approved_by: p-katharina-vogt/approved_by: p-nobody-at-all/' policies/information-security-policy.md
commit_at 2026-11-21 "Policy approved by someone else"
cd - >/dev/null
second=$(cd "$T/repo" && git rev-parse HEAD)
verdicts "$T/repo" > "$T/after"
want=$(diff "$T/before" "$T/after" | sed -n 's/^> \([^ ]*\) .*/\1/p' | sort | tr '\n' ' ')

echo "# changed: $want"
wait $watcher; ok $? "a subscriber receives the results notification (inotify, no sync)"
got=$(jget '" ".join(sorted(r["id"] for r in j["params"]["data"]["changed"])) + " "' < "$T/watch")
is "$got" "$want" "exactly the verdicts that changed are published"
like "$want" "5.2-policy-approved" "the policy rule is among them"
is "$(jget 'j["params"]["data"]["commit"]' < "$T/watch")" "$second" "the notification names the new commit"
wait $watcher2
runs=$(jget 'j["params"]["data"]["rules_run"]' < "$T/watchc")
total=$(jget 'j["params"]["data"]["rules"]' < "$T/watchc")
ok $([ "$runs" -gt 0 ] && [ "$runs" -lt "$total" ]; echo $?) "incremental: $runs of $total rules ran again"

r=$("$ISMSCTL_BIN" results --json --status fail)
like "$r" '"5.2-policy-approved"' "results --status fail lists the failing rule"
unlike "$(echo "$r" | jget '[x["status"] for x in j["results"]]')" '"pass"' "the status filter holds"
old=$("$ISMSCTL_BIN" explain 5.2-policy-approved --as-of "$first" --json | jget 'j["status"]')
is "$old" pass "explain --as-of the first commit: the verdict then"
new=$("$ISMSCTL_BIN" explain 5.2-policy-approved --json)
is "$(echo "$new" | jget 'j["status"]')" fail "explain: the verdict now"
like "$(echo "$new" | jget 'j["reads"]')" "policies/information-security-policy.md" "explain: what the rule read"
is "$(echo "$new" | jget 'j["commit"]')" "$second" "explain: at which commit"
h=$("$ISMSCTL_BIN" history --json | jget '" ".join(c["commit"][:7] for c in j["commits"])')
is "$h" "$(echo $first | cut -c1-7) $(echo $second | cut -c1-7)" "history: both commits, oldest first"
s=$("$ISMSCTL_BIN" summary --json | jget '[g["group"] for g in j["groups"] if not g["conformant"]]')
like "$s" '"5"' "summary: clause 5 is not conformant"
out=$("$ISMSCTL_BIN" results --as-of 2000-01-01 2>&1); rc=$?
is "$rc" 2 "results --as-of a date before the repository's first commit fails"
like "$out" "first commit is from" "and says why"
ev=$("$ISMSCTL_BIN" call evaluate "{\"ref\":\"$first\"}")
is "$(echo "$ev" | jget 'j["result"]["commit"]')" "$first" "evaluate: a given commit"
is "$(echo "$ev" | jget '[x["status"] for x in j["result"]["results"] if x["id"]=="5.2-policy-approved"][0]')" pass \
	"evaluate: its verdicts"
is "$("$ISMSCTL_BIN" explain 5.2-policy-approved --json | jget 'j["status"]')" fail \
	"evaluate leaves the published state alone"
sync=$("$ISMSCTL_BIN" sync --json)
is "$(echo "$sync" | jget 'j["changed"]')" 0 "sync with nothing new changes nothing"

# A commit that changes no file (an empty commit; likewise a revert to the
# same tree): no rule runs, but it is the new head, published as such.
cursor=$("$ISMSCTL_BIN" status --json | jget 'j["cursor"]')
(cd "$T/repo" && git -c user.name=t -c user.email=t@x commit -q --allow-empty -m "Nothing changed")
third=$(cd "$T/repo" && git rev-parse HEAD)
"$ISMSCTL_BIN" watch --json --topics commits --cursor "$cursor" --count 1 --timeout 20 > "$T/watche"
ok $? "an empty commit gives a commits notification"
is "$(jget 'j["params"]["data"]["commit"]' < "$T/watche")" "$third" "naming the new commit"
is "$(jget 'j["params"]["data"]["rules_run"]' < "$T/watche")" 0 "with no rule run"
is "$(jget 'j["params"]["data"]["changed"]' < "$T/watche")" 0 "and no verdict changed"
is "$("$ISMSCTL_BIN" status --json | jget 'j["repositories"][0]["commit"]')" "$third" \
	"status: the empty commit is the head"
is "$("$ISMSCTL_BIN" explain 5.2-policy-approved --as-of "$third" --json | jget 'j["status"]')" fail \
	"as_of the empty commit: the verdicts it kept"
"$ISMSCTL_BIN" status >/dev/null; ok $? "ismsctl status (text) succeeds"
stop_ismsd
like "$(cat "$T/ismsd.log")" "stopping" "SIGTERM stops the daemon cleanly"
done_testing
