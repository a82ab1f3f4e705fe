#!/bin/sh
# One repository's slow evaluation does not hold up another's: with a
# hostile pack whose rules spin within their budget for seconds, a commit
# to another repository is evaluated while the slow evaluation still runs.
# An evaluation past eval_timeout ends its remaining rules as error, says
# why, and is published; SIGTERM stops the daemon at once while a rule
# spins.
. "$(dirname "$0")/daemon.sh"

example_clone "$T/slow"
example_clone "$T/fast"
cp -r "$ISMS_TOP/rules" "$T/slowrules"
i=1
while [ $i -le 6 ]; do
	cat <<LUA
isms.rule {
  id = "X-spin-$i", clause = "4.1", severity = "minor",
  title = "Spins", rationale = "A hostile rule.", remediation = "Remove it.",
  check = function(r)
    r:glob("**") -- any commit runs it again
    local x = 0
    for k = 1, 60000000 do x = x + k end
  end,
}
LUA
	i=$((i + 1))
done > "$T/slowrules/annex-a/zz-spin.lua"
conf() { # conf EVAL_TIMEOUT
	cat > "$T/ismsd.conf" <<CONF
eval_threads: 2
eval_timeout: $1
repositories:
  - name: slow
    path: $T/slow
    rules: $T/slowrules
    poll_interval: 0
  - name: fast
    path: $T/fast
    poll_interval: 0
CONF
}
conf 60
start_ismsd -c "$T/ismsd.conf" --now 2026-11-22; ok $? "daemon starts"

field() { # field REPO KEY: a field of REPO's status
	"$ISMSCTL_BIN" status --json 2>/dev/null | python3 -c '
import json, sys
j = json.load(sys.stdin)
print([r for r in j["repositories"] if r["name"] == sys.argv[1]][0][sys.argv[2]])' "$1" "$2"
}
wait_commit() { # wait_commit REPO COMMIT SECONDS: until REPO's head is COMMIT
	i=0
	while [ $i -lt $(($3 * 20)) ]; do
		[ "$(field "$1" commit)" = "$2" ] && return 0
		sleep 0.05; i=$((i + 1))
	done
	return 1
}
change() { # change REPO: commit to REPO, print the new head
	echo "- touched $(date +%s%N)" >> "$T/$1/README.md"
	git -C "$T/$1" commit -qam "touch" && git -C "$T/$1" rev-parse HEAD
}
wait_commit slow "$(git -C "$T/slow" rev-parse HEAD)" 120; ok $? "the slow repository is evaluated"
wait_commit fast "$(git -C "$T/fast" rev-parse HEAD)" 60; ok $? "the fast one too"

# A commit to the slow repository starts its spinning rules again; then
# one to the fast repository.
slow_head=$(change slow)
i=0; while [ $i -lt 100 ] && [ "$(field slow evaluating)" != True ]; do sleep 0.05; i=$((i + 1)); done
fast_head=$(change fast)
t0=$(date +%s%N)
wait_commit fast "$fast_head" 60; ok $? "the fast repository's commit is evaluated"
t1=$(date +%s%N)
is "$(field slow commit)" "$(git -C "$T/slow" rev-parse HEAD~1)" \
	"while the slow repository's evaluation still runs"
ms=$(((t1 - t0) / 1000000))
echo "# fast commit evaluated in $ms ms while the slow evaluation ran"
if [ -z "${ISMS_WRAP:-}" ]; then
	ok $([ $ms -lt 5000 ]; echo $?) "within 5 s ($ms ms)"
fi
wait_commit slow "$slow_head" 120; ok $? "the slow commit is evaluated in the end"

out=$("$ISMSCTL_BIN" call clock '{"advance":60}')
like "$out" '"code":-32601' "the clock method exists only under --frozen-clock"

# A bound on an evaluation: eval_timeout 2 s (SIGHUP applies it).
conf 2
kill -HUP "$ISMSD_PID"
i=0; while [ $i -lt 100 ] && ! grep -q "SIGHUP" "$T/ismsd.log"; do sleep 0.05; i=$((i + 1)); done
sleep 0.5
slow_head=$(change slow)
wait_commit slow "$slow_head" 60; ok $? "an evaluation past eval_timeout is published"
out=$("$ISMSCTL_BIN" results --repo slow --status error --json)
like "$out" "X-spin-" "its spinning rules end as error"
like "$out" "the evaluation ran past its deadline of 2000 ms (eval_timeout)" "and say why"
echo "$out" | python3 -c '
import json, sys
bad = [r["id"] for r in json.load(sys.stdin)["results"] if "(eval_timeout)" not in (r["note"] or "")]
sys.exit(1 if bad else 0)'
ok $? "every rule in error was cut or not run by the deadline"

# SIGTERM while a rule spins.
conf 60
kill -HUP "$ISMSD_PID"
sleep 0.5
change slow >/dev/null
i=0; while [ $i -lt 100 ] && [ "$(field slow evaluating)" != True ]; do sleep 0.05; i=$((i + 1)); done
sleep 0.5
t0=$(date +%s%N)
kill -TERM "$ISMSD_PID"
wait "$ISMSD_PID"; rc=$?
t1=$(date +%s%N)
ISMSD_PID=
ms=$(((t1 - t0) / 1000000))
is "$rc" 0 "SIGTERM while a rule spins: exit 0"
limit=2000
if [ -n "${ISMS_WRAP:-}" ]; then limit=20000; fi
ok $([ $ms -lt $limit ]; echo $?) "the daemon stopped within $limit ms ($ms ms)"
done_testing
