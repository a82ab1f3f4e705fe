#!/bin/sh
# as_of the journal does not hold: a repository with commits on three
# known dates made before the daemon started. results, summary and
# history answer them by evaluating from git what `ismsctl check --as-of`
# evaluates offline, say so in "source", keep the evaluation for the next
# request, share it between requests that come together, and never hold
# up other clients while it runs. Bad as_of values are -32602 naming the
# parameter. rules_digest is the offline one.
. "$(dirname "$0")/daemon.sh"

example_clone "$T/repo"
commit_on() { # commit_on DATE MESSAGE: commit the work tree on DATE
	GIT_AUTHOR_DATE="${1}T10:00:00Z" GIT_COMMITTER_DATE="${1}T10:00:00Z" \
		git -C "$T/repo" commit -qam "$2"
}
echo "- a note" >> "$T/repo/README.md"
commit_on 2026-12-01 "A note"
git -C "$T/repo" rm -q suppliers.yaml
commit_on 2026-12-15 "Suppliers register removed"
git -C "$T/repo" rm -q metrics.yaml
commit_on 2027-01-10 "Metrics removed"
DATES="2026-12-01 2026-12-15 2027-01-10"

start_ismsd --repo "$T/repo" --now 2027-02-01 --frozen-clock
wait_ready; ok $? "the daemon evaluates the repository's head"

# verdicts FILE: {rule: status} of a check --format json or a results reply
verdicts() {
	python3 - "$1" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
j = j.get("result", j)
print(json.dumps({r["id"]: r["status"] for r in j["results"]}, sort_keys=True))
PY
}
field() { # field FILE KEY: a key of the reply's result
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); j=j.get("result",j); v=j[sys.argv[2]]; print(v if v is not None else "null")' "$1" "$2"
}
stat() { # stat KEY: a figure of status's as_of_cache
	"$ISMSCTL_BIN" status --json | jget "j['as_of_cache']['$1']"
}

for d in $DATES; do
	"$ISMSCTL_BIN" call results "{\"as_of\": \"$d\"}" > "$T/d-$d.json"
	$ISMSCTL check --repo "$T/repo" --as-of "$d" --format json > "$T/o-$d.json"
	is "$(field "$T/d-$d.json" commit)" "$(field "$T/o-$d.json" commit)" \
		"as_of $d: the commit check --as-of evaluates"
	is "$(verdicts "$T/d-$d.json")" "$(verdicts "$T/o-$d.json")" \
		"as_of $d: every rule's verdict equals check --as-of offline"
	is "$(field "$T/d-$d.json" source)" evaluated "as_of $d: evaluated from git (not in the journal)"
	is "$(field "$T/d-$d.json" evaluated_at)" "${d}T12:00:00Z" "as_of $d: with the clock at that date"
	is "$(field "$T/d-$d.json" rules_digest)" "$(field "$T/o-$d.json" rules_digest)" \
		"as_of $d: the rules_digest of the offline check"
done
n=$(verdicts "$T/d-2026-12-01.json"); m=$(verdicts "$T/d-2027-01-10.json")
ok $([ "$n" != "$m" ]; echo $?) "the three dates differ in their verdicts"

# The second request is answered from the cache, through ismsctl too.
"$ISMSCTL_BIN" results --as-of 2026-12-15 --json > "$T/again.json"
is "$(field "$T/again.json" source)" cache "a second request: from the cache"
is "$(verdicts "$T/again.json")" "$(verdicts "$T/o-2026-12-15.json")" "with the same verdicts"
"$ISMSCTL_BIN" summary --as-of 2026-12-15 --json > "$T/sum.json"
is "$(field "$T/sum.json" source)" cache "summary --as-of: from the same cached evaluation"
is "$(field "$T/sum.json" commit)" "$(field "$T/o-2026-12-15.json" commit)" "of the same commit"
is "$(stat evaluations)" 3 "three evaluations in all"

# A commit id the journal does not hold: evaluated at its commit time.
c=$(git -C "$T/repo" rev-parse HEAD~2)
"$ISMSCTL_BIN" call results "{\"as_of\": \"$(echo "$c" | cut -c1-10)\"}" > "$T/c.json"
is "$(field "$T/c.json" commit)" "$c" "as_of a commit id: that commit"
is "$(field "$T/c.json" evaluated_at)" "2026-12-01T10:00:00Z" "at its commit time"

# The published head: source and rules_digest.
"$ISMSCTL_BIN" call results '{}' > "$T/head.json"
$ISMSCTL check --repo "$T/repo" --now 2027-02-01 --format json > "$T/ohead.json"
is "$(field "$T/head.json" source)" published "without as_of: the published verdicts"
dg=$(field "$T/head.json" rules_digest)
is "$dg" "$(field "$T/ohead.json" rules_digest)" "rules_digest: the offline check's"
is "${#dg}" 40 "rules_digest: 40 hex digits"
is "$("$ISMSCTL_BIN" call soa '{}' | jget 'j["result"]["rules_digest"]')" "$dg" "soa carries it too"

# Requests for the same as_of that come together share one evaluation.
before=$(stat evaluations)
"$ISMSCTL_BIN" call results '{"as_of": "2026-11-20"}' > "$T/s1.json" &
p1=$!
"$ISMSCTL_BIN" call results '{"as_of": "2026-11-20"}' > "$T/s2.json" &
p2=$!
wait $p1 $p2
is "$(field "$T/s1.json" commit)" "$(field "$T/s2.json" commit)" "two requests together: the same commit"
is "$(stat evaluations)" $((before + 1)) "and one evaluation between them"

# history --from back-fills the trend through the daemon as offline.
"$ISMSCTL_BIN" history --from 2026-10-01 --to 2027-01-15 --every month --daemon --json > "$T/hd.json"; rc=$?
is "$rc" 0 "history --from --daemon"
$ISMSCTL history --from 2026-10-01 --to 2027-01-15 --every month --repo "$T/repo" --json > "$T/ho.json"
python3 - "$T/hd.json" "$T/ho.json" <<'PY'
import json, sys
d, o = (json.load(open(p)) for p in sys.argv[1:])
pick = lambda doc: [(p["date"], p["commit"], p["counts"]) for p in doc["points"]]
assert len(d["points"]) == 4, d
assert pick(d) == pick(o), (pick(d), pick(o))
assert all(p["source"] in ("evaluated", "cache") for p in d["points"]), d["points"]
PY
ok $? "history --from through the daemon: the points offline gives, evaluated from git"
r=$("$ISMSCTL_BIN" call history '{"from": "2020-01-01", "every": "week"}')
like "$r" '-32602' "a range of more points than a request may evaluate is refused"
like "$r" 'more than 30 points' "saying how many are allowed"

# Bad as_of values: -32602 with a message naming the parameter.
bad() { # bad AS_OF WANT DESCRIPTION
	r=$("$ISMSCTL_BIN" call results "{\"as_of\": \"$1\"}")
	like "$r" '"code":-32602' "$3: -32602"
	like "$r" "$2" "$3: says why"
}
bad "garbage" '\"as_of\" '"'"'garbage'"'"' is neither a date' "garbage"
bad "2019-06-01" 'its first commit is from 2024-' "a date before the first commit"
bad "0123456789abcdef0123" 'no commit 0123456789abcdef0123 in repository' "a commit that does not exist"
long=$(python3 -c 'print("2" * 5000)')
bad "$long" '\"as_of\" is too long' "an oversized as_of"
r=$("$ISMSCTL_BIN" summary --as-of 2019-06-01 2>&1)
like "$r" 'first commit' "summary --as-of before the first commit: the reason, through ismsctl"
kill -0 "$ISMSD_PID"; ok $? "the daemon is still running"
stop_ismsd

# A slow evaluation from git does not hold up other clients: with a rule
# that spins for seconds, status answers while as_of is evaluated.
cp -r "$ISMS_TOP/rules" "$T/slowrules"
for i in 1 2 3 4; do
	cat <<LUA
isms.rule {
  id = "X-spin-$i", clause = "4.1", severity = "minor",
  title = "Spins", rationale = "A slow rule.", remediation = "Remove it.",
  check = function(r)
    local x = 0
    for k = 1, 60000000 do x = x + k end
  end,
}
LUA
done > "$T/slowrules/annex-a/zz-spin.lua"
cat > "$T/slow.conf" <<CONF
repositories:
  - name: slow
    path: $T/repo
    rules: $T/slowrules
    poll_interval: 0
CONF
rm -rf "$STATE"
start_ismsd -c "$T/slow.conf" --now 2027-02-01 --frozen-clock; ok $? "a daemon with a slow rule starts"
wait_ready; ok $? "and evaluates its head"
"$ISMSCTL_BIN" call results '{"as_of": "2026-12-15"}' > "$T/slow.json" &
bg=$!
i=0; while [ $i -lt 200 ] && [ "$(stat running)" != 1 ]; do sleep 0.05; i=$((i + 1)); done
t0=$(date +%s%N)
st=$("$ISMSCTL_BIN" status --json | jget 'j["repositories"][0]["health"] + " " + str(j["as_of_cache"]["running"])')
t1=$(date +%s%N)
is "$st" "ok 1" "status answers while the as_of evaluation runs"
kill -0 $bg 2>/dev/null
ok $? "and the as_of request is still waiting for it"
echo "# status answered in $(((t1 - t0) / 1000000)) ms during the evaluation"
wait $bg
is "$(field "$T/slow.json" source)" evaluated "the slow request is answered once evaluated"
stop_ismsd
done_testing
