#!/bin/sh
# The records of repositories' heads are kept only within model_cache:
# with a budget of 0 only the last head evaluated or read stays, so the
# other repository's records are parsed again for each request, commit and
# reminder. Every reply must equal what a daemon keeping them all gives
# (and the offline commands), reminders still fire on time, and a commit
# of a repository whose records were let go is evaluated like any other.
. "$(dirname "$0")/daemon.sh"

example_clone "$T/a"
example_clone "$T/b"
NOW=2026-12-08T10:00:00Z
LEAD1='corrective-action:NC-2026-05@2026-12-15/-1d'

conf() { # conf MODEL_CACHE
	cat > "$T/ismsd.conf" <<CONF
model_cache: $1
repositories:
  - name: a
    path: $T/a
    poll_interval: 0
  - name: b
    path: $T/b
    poll_interval: 0
CONF
}
wait_both() { # until both repositories have verdicts (10 s)
	i=0
	while [ $i -lt 200 ]; do
		n=$("$ISMSCTL_BIN" status --json 2>/dev/null |
			jget 'sum(1 for r in j["repositories"] if r["health"] == "ok" and r["commit"])' 2>/dev/null)
		[ "$n" = 2 ] && return 0
		sleep 0.05; i=$((i + 1))
	done
	return 1
}
# replies DIR: what the model-reading methods give for both repositories.
replies() {
	mkdir -p "$1"
	for r in a b a; do
		for m in 'schedule {}' 'schedule {"ics":true}' 'schedule {"text":true}' \
			'audit-plan {}' 'review-pack {}' 'soa {"detail":true}'; do
			set -- "$1" $m
			"$ISMSCTL_BIN" call "$2" "$(echo "$3" | sed "s/^{/{\"repo\":\"$r\",/; s/,}/}/")" \
				>> "$1/$r.$2"
		done
	done
}

conf 64
start_ismsd -c "$T/ismsd.conf" --now $NOW --frozen-clock; ok $? "a daemon keeping every head starts"
wait_both; ok $? "both repositories are evaluated"
replies "$T/keep"
stop_ismsd
rm -rf "$STATE"

conf 0
start_ismsd -c "$T/ismsd.conf" --now $NOW --frozen-clock; ok $? "a daemon with model_cache: 0 starts"
wait_both; ok $? "both repositories are evaluated"
replies "$T/none"
for f in "$T"/keep/*; do
	cmp -s "$f" "$T/none/$(basename "$f")"
	ok $? "$(basename "$f"): the same reply when the records are parsed again"
done
like "$(cat "$T/none/a.schedule")" '"corrective-action:NC-2026-05"' "the calendar has its events"
offline=$($ISMSCTL calendar --repo "$T/b" --now $NOW)
is "$("$ISMSCTL_BIN" calendar --socket "$SOCK" --repo b)" "$offline" "the calendar equals the offline one"

# The clock reaches the 1-day lead: both repositories' reminders fire by
# the time the clock method replies, the one whose records were let go
# included.
"$ISMSCTL_BIN" call clock '{"set":"2026-12-14T08:00:00Z"}' >/dev/null
n=$("$ISMSCTL_BIN" watch --json --topics reminders --cursor 0 --timeout 1 2>/dev/null |
	python3 -c '
import json, sys
print(sorted(json.loads(l)["params"]["repo"] for l in sys.stdin
             if l.strip() and json.loads(l)["params"]["data"]["id"] == sys.argv[1]))' "$LEAD1")
is "$n" "['a', 'b']" "the 1-day lead reminder fires once for each repository"

# A commit of each: evaluated from its files in full when its last head
# was let go; the verdicts equal a full offline check.
for r in a b; do
	sed -i 's/      due: 2026-12-15/      due: 2027-01-20/' "$T/$r/nonconformities.yaml"
	git -C "$T/$r" commit -qam "NC-2026-05: corrective action due later"
	"$ISMSCTL_BIN" sync --repo "$r" >/dev/null; ok $? "repository $r: the commit is evaluated"
done
for r in a b; do
	"$ISMSCTL_BIN" call results "{\"repo\":\"$r\"}" | jget \
		'sorted((x["id"], x["status"], len(x["findings"])) for x in j["result"]["results"])' \
		> "$T/$r.daemon"
	$ISMSCTL check --repo "$T/$r" --now 2026-12-14T08:00:00Z --format json | jget \
		'sorted((x["id"], x["status"], len(x["findings"])) for x in j["results"])' > "$T/$r.offline"
	[ -s "$T/$r.daemon" ] && cmp -s "$T/$r.daemon" "$T/$r.offline"
	ok $? "repository $r: the verdicts equal a full offline check"
	is "$("$ISMSCTL_BIN" call schedule "{\"repo\":\"$r\"}" | jget \
		'[e["date"] for e in j["result"]["events"] if e["id"] == "corrective-action:NC-2026-05"][0]')" \
		2027-01-20 "repository $r: the calendar follows the commit"
done
stop_ismsd
done_testing
