#!/bin/sh
# Twenty repositories in one daemon with one evaluation thread: every one
# is evaluated with the verdicts of `ismsctl check` on it; commits to some
# of them are noticed through inotify (the poll interval is a day, so
# polling cannot explain them) and notified for those repositories only;
# a repository whose refs directory is removed, and one that is removed
# altogether, are reported in the log and in status while the others go
# on; status lists all twenty.
. "$(dirname "$0")/daemon.sh"

N=20
i=1
while [ $i -le $N ]; do
	example_clone "$T/r$i"
	i=$((i + 1))
done
# Different verdicts in some: the policy approved by nobody known (5.2).
for i in 4 9 14; do
	(cd "$T/r$i" && sed -i 's/^approved_by: p-katharina-vogt/approved_by: p-nobody-at-all/' \
		policies/information-security-policy.md && commit_at 2026-11-21 "Policy approved by someone else")
done
{
	echo "eval_threads: 1"
	echo "repositories:"
	i=1
	while [ $i -le $N ]; do
		echo "  - {name: r$i, path: $T/r$i, poll_interval: 86400}"
		i=$((i + 1))
	done
} > "$T/ismsd.conf"
start_ismsd -c "$T/ismsd.conf" --now 2026-11-22 --frozen-clock
ok $? "the daemon starts with $N repositories"

# status as NAME:HEALTH:COMMIT, one line per repository
states() {
	"$ISMSCTL_BIN" status --json 2>/dev/null | python3 -c '
import json, sys
for r in json.load(sys.stdin)["repositories"]:
    print("%s:%s:%s" % (r["name"], r["health"], r["commit"]))'
}
# Tenths of a second to wait for the daemon: more under valgrind.
WAIT=200
[ -n "${ISMS_WRAP:-}" ] && WAIT=3000
# until_states WANT: until every repository is at the commit WANT gives
# (a file of NAME:HEALTH:COMMIT lines)
until_states() {
	i=0
	while [ $i -lt $((WAIT * 2)) ]; do
		[ "$(states)" = "$(cat "$1")" ] && return 0
		sleep 0.05; i=$((i + 1))
	done
	states | diff "$1" - | sed 's/^/# /'
	return 1
}
heads() { # the expected status lines: every repository ok at its head
	i=1
	while [ $i -le $N ]; do
		echo "r$i:ok:$(git -C "$T/r$i" rev-parse HEAD)"
		i=$((i + 1))
	done
}
heads > "$T/want"
until_states "$T/want"
ok $? "all $N repositories are evaluated at their heads"
is "$(states | wc -l)" $N "status lists all $N"
is "$(ls -l "/proc/$ISMSD_PID/fd" | grep -c anon_inode:inotify)" 1 "one inotify instance watches them all"

# verdicts REPO: rule, status and findings (file, line, fingerprint) of
# the daemon's results, one rule a line; from the JSON on stdin
verdicts() {
	python3 -c '
import json, sys
for r in sorted(json.load(sys.stdin)["results"], key=lambda r: r["id"]):
    f = sorted("%s:%s:%s" % (x.get("file"), x.get("line"), x.get("fingerprint")) for x in r["findings"] or [])
    print(r["id"], r["status"], " ".join(f))'
}
same() { # same I: whether the daemon's verdicts for rI are check's
	"$ISMSCTL_BIN" results --repo "r$1" --json | verdicts > "$T/d$1"
	"$ISMSCTL_BIN" check --repo "$T/r$1" --now 2026-11-22 --format json | verdicts > "$T/c$1"
	[ -s "$T/c$1" ] && cmp -s "$T/d$1" "$T/c$1"
}
bad=
i=1
while [ $i -le $N ]; do
	same $i || bad="$bad r$i"
	i=$((i + 1))
done
is "$bad" "" "every repository's verdicts are those of ismsctl check on it"
like "$(grep 5.2-policy-approved "$T/d9")" "fail" "r9 has its own: the policy approval fails"
like "$(grep 5.2-policy-approved "$T/d10")" "pass" "r10 its own: it passes"

# Commits to three repositories, with a subscriber to commits.
cursor=$("$ISMSCTL_BIN" status --json | jget 'j["cursor"]')
"$ISMSCTL_BIN" watch --json --topics commits --cursor "$cursor" --count 3 --timeout $((WAIT / 10 + 20)) > "$T/commits.jsonl" &
watcher=$!
sleep 0.3
(cd "$T/r3" && echo "More." >> README.md && commit_at 2026-11-21 "A change")
(cd "$T/r11" && sed -i 's/^approved_by: p-katharina-vogt/approved_by: p-nobody-at-all/' \
	policies/information-security-policy.md && commit_at 2026-11-21 "Policy approved by someone else")
(cd "$T/r20" && echo "More." >> README.md && commit_at 2026-11-21 "A change")
heads > "$T/want"
until_states "$T/want"
ok $? "commits to r3, r11 and r20 are evaluated within seconds (inotify; polling is daily)"
wait $watcher
is "$(python3 -c '
import json, sys
print(" ".join(sorted(json.loads(l)["params"]["repo"] + ":" + json.loads(l)["params"]["data"]["commit"][:12]
               for l in open(sys.argv[1]))))' "$T/commits.jsonl")" \
	"r11:$(git -C "$T/r11" rev-parse --short=12 HEAD) r20:$(git -C "$T/r20" rev-parse --short=12 HEAD) r3:$(git -C "$T/r3" rev-parse --short=12 HEAD)" \
	"each commit is notified once, for its own repository only"
same 11; ok $? "r11's new verdicts are those of ismsctl check"
like "$(grep 5.2-policy-approved "$T/d11")" "fail" "the changed policy approval fails there"

# A repository's refs directory removed; another repository removed.
rm -rf "$T/r5/.git/refs"
rm -rf "$T/r6"
i=0
while [ $i -lt $WAIT ]; do
	s=$(states)
	case "$s" in *r5:corrupt:*r6:vanished:*) break ;; esac
	sleep 0.05; i=$((i + 1))
done
like "$s" "r5:corrupt:" "r5 without refs/ is reported corrupt"
like "$s" "r6:vanished:" "r6 removed is reported vanished"
log=$(cat "$T/ismsd.log")
like "$log" "repository r5: corrupt: the repository $T/r5 has lost its refs directory ($T/r5/.git/refs is missing)" \
	"the log says r5 lost its refs directory"
like "$log" "repository r6: $T/r6/.git was removed or moved" "the log says r6's git directory went"
like "$log" "repository r6: vanished: the repository $T/r6 is gone" "and that the repository is gone"
is "$(states | wc -l)" $N "status still lists all $N"
"$ISMSCTL_BIN" status --repo r5 --json | jget 'j["repositories"][0]["message"]' > "$T/msg5"
like "$(cat "$T/msg5")" "lost its refs directory" "status gives r5's reason"

(cd "$T/r7" && echo "More." >> README.md && commit_at 2026-11-21 "A change")
i=0
while [ $i -lt $WAIT ] && ! states | grep -qx "r7:ok:$(git -C "$T/r7" rev-parse HEAD)"; do
	sleep 0.05; i=$((i + 1))
done
ok $([ $i -lt $WAIT ]; echo $?) "a commit to a neighbour is still noticed"
want=$(heads 2>/dev/null | grep -v '^r[56]:')
is "$(states | grep -v '^r[56]:')" "$want" "the others are where they were"
kill -0 "$ISMSD_PID"; ok $? "the daemon is alive"
stop_ismsd
done_testing
