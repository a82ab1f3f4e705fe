#!/bin/sh
# C plugins in the daemon: the plugins section of the configuration, the
# exec plugin receiving evaluation and finding events for a commit, a
# plugin that cannot load (another ABI, a missing file) reported in status
# while the daemon goes on, the prometheus plugin's /metrics, ismsd -t.
. "$(dirname "$0")/daemon.sh"

# The system python: it has python3-prometheus-client (make deps).
PY=/usr/bin/python3
PLUGDIR="$ISMS_BUILD/plugins"

example_clone "$T/repo"
NOW=2026-11-22

# A plugin built for another ABI version (its init would abort).
cc -std=c11 -fPIC -shared -I"$ISMS_TOP/sdk/include" -o "$T/badabi.so" \
	"$ISMS_TOP/tests/plugins/badabi.c"
ok $? "the wrong-ABI fixture builds"

port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cat > "$T/ismsd.conf" <<EOF
repositories:
  - name: isms
    path: $T/repo
plugins:
  - path: exec
    queue_max: 100
    config:
      command: "cat >> $T/events.jsonl; echo >> $T/events.jsonl"
      events: [evaluation-finished, finding-raised]
      max_running: 1
      timeout: 10
  - name: oldabi
    path: $T/badabi.so
  - name: gone
    path: $T/no-such-plugin.so
  - path: $PLUGDIR/prometheus.so
    config:
      listen: "127.0.0.1:$port"
EOF

# ismsd -t loads and inits every plugin, reports the failures, stops them.
out=$($ISMSD -t -c "$T/ismsd.conf" 2>&1); rc=$?
is "$rc" 1 "ismsd -t: a plugin that does not load fails the check"
like "$out" "plugin exec: exec " "ismsd -t: names the plugin that loads"
like "$out" "ismsd.conf:12: plugin oldabi: " "ismsd -t: the ABI refusal names the file and line"
like "$out" "plugin ABI version 999" "ismsd -t: says which ABI the plugin was built for"
like "$out" "ismsd.conf:14: plugin gone: " "ismsd -t: the missing file names the file and line"
like "$out" "repository isms: " "ismsd -t: still checks the rule packs"
unlike "$out" "Sanitizer" "ismsd -t: no sanitizer report (under make sanitize)"

start_ismsd -c "$T/ismsd.conf" --now $NOW --frozen-clock
ok $? "the daemon starts although two plugins do not load"
wait_ready; ok $? "and evaluates the repository"

st=$("$ISMSCTL_BIN" status --json)
pl() { echo "$st" | jget "[p for p in j['plugins'] if p['name']=='$1'][0]['$2']"; }
is "$(echo "$st" | jget 'len(j["plugins"])')" 4 "status lists the four configured plugins"
is "$(pl exec state)" running "status: exec runs"
is "$(pl exec queue_max)" 100 "status: exec has the configured queue_max"
is "$(pl prometheus state)" running "status: prometheus runs"
is "$(pl oldabi state)" failed "status: the wrong-ABI plugin failed"
like "$(pl oldabi error)" "was built for plugin ABI version 999" "status: and why"
is "$(pl gone state)" failed "status: the missing plugin failed"
like "$(pl gone error)" "no-such-plugin.so" "status: and why, naming the file"
txt=$("$ISMSCTL_BIN" status)
like "$txt" "oldabi           failed" "ismsctl status shows each plugin's state"
like "$txt" "exec             running" "ismsctl status shows the running ones"

# Wait until the file holds an event matching a Python condition on e.
wait_event() { # wait_event COND
	i=0
	while [ $i -lt 200 ]; do
		[ -f "$T/events.jsonl" ] && $PY - "$T/events.jsonl" "$1" <<'PY' && return 0
import json, sys
for line in open(sys.argv[1]):
    line = line.strip()
    if not line:
        continue
    e = json.loads(line)
    if eval(sys.argv[2]):
        sys.exit(0)
sys.exit(1)
PY
		sleep 0.05; i=$((i + 1))
	done
	return 1
}
wait_event 'e["event"] == "evaluation-finished" and e["repo"] == "isms"'
ok $? "exec: the first evaluation reaches the command"

cd "$T/repo"
sed -i 's/^approved_by: p-katharina-vogt/approved_by: p-nobody-at-all/' policies/information-security-policy.md
commit_at 2026-11-21 "Policy approved by someone else"
cd - >/dev/null
second=$(cd "$T/repo" && git rev-parse HEAD)

wait_event "e['event'] == 'evaluation-finished' and e['data']['commit'] == '$second'"
ok $? "exec: the commit's evaluation-finished event reaches the command"
wait_event "e['event'] == 'finding-raised' and e['data']['rule'] == '5.2-policy-approved' and e['data']['commit'] == '$second'"
ok $? "exec: the finding the commit raised reaches the command"
ev=$($PY - "$T/events.jsonl" "$second" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    if line.strip():
        e = json.loads(line)
        if e["event"] == "finding-raised" and e["data"].get("commit") == sys.argv[2]:
            print(e["repo"], type(e["cursor"]).__name__, e["cursor"] > 0,
                  e["data"]["rule"], bool(e["data"].get("key")))
            break
PY
)
is "$ev" "isms int True 5.2-policy-approved True" \
	"the finding event carries the repository name, a cursor and a key"
changed=$($PY - "$T/events.jsonl" "$second" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    if line.strip():
        e = json.loads(line)
        if e["event"] == "evaluation-finished" and e["data"]["commit"] == sys.argv[2]:
            print(" ".join(sorted(c["rule"] for c in e["data"]["changed"])), e["cursor"] > 0)
PY
)
like "$changed" "5.2-policy-approved" "evaluation-finished lists the changed verdict"
like "$changed" "True" "evaluation-finished carries a cursor"
cursors=$($PY -c '
import json, sys
seen = set()
for line in open(sys.argv[1]):
    if line.strip():
        e = json.loads(line)
        k = (e["repo"], e["cursor"], e["event"], e["data"].get("key"))
        if k in seen:
            print("duplicate", k)
        seen.add(k)
print(len(seen))' "$T/events.jsonl")
unlike "$cursors" "duplicate" "(repo, cursor, event, key) identifies each event"

# prometheus: /metrics after the evaluation, parsed by prometheus_client.
metrics() {
	$PY - "$port" <<'PY'
import sys, urllib.request
from prometheus_client.parser import text_string_to_metric_families
body = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=5).read().decode()
fams = {f.name: f for f in text_string_to_metric_families(body)}
rules = {s.labels["status"]: s.value for s in fams["ismsd_rules"].samples if s.labels.get("repo") == "isms"}
print(int(sum(rules.values())), int(rules.get("fail", 0)) > 0,
      "ismsd_clause_conformance_ratio" in fams, "ismsd_evaluations" in fams)
PY
}
m=$(metrics 2>&1)
rules=$("$ISMSCTL_BIN" status --json | jget 'sum(j["repositories"][0]["counts"].values())')
is "$m" "$rules True True True" \
	"prometheus: /metrics parses, ismsd_rules{status} sums to the rule count"

# ismsd -t while the daemon holds the metrics port: the check binds
# nothing, so it passes; a bad listen value still fails it.
cat > "$T/prom.conf" <<EOF
repositories:
  - name: isms
    path: $T/repo
plugins:
  - path: $PLUGDIR/prometheus.so
    config:
      listen: "127.0.0.1:$port"
EOF
out=$($ISMSD -t -c "$T/prom.conf" 2>&1); rc=$?
is "$rc" 0 "ismsd -t passes while the daemon serves the prometheus port"
like "$out" "plugin prometheus: prometheus " "ismsd -t: names the checked plugin"
unlike "$out" "cannot listen" "ismsd -t: binds no port"
sed -i "s/127.0.0.1:$port/nowhere/" "$T/prom.conf"
out=$($ISMSD -t -c "$T/prom.conf" 2>&1); rc=$?
is "$rc" 1 "ismsd -t: a bad listen address still fails the check"
like "$out" "must be address:port" "ismsd -t: and says why"

# A reload with changed plugins keeps the running ones and says so.
echo "  - path: syslog" >> "$T/ismsd.conf"
kill -HUP "$ISMSD_PID"
i=0
while [ $i -lt 100 ] && ! grep -q "plugins changed" "$T/ismsd.log"; do sleep 0.05; i=$((i + 1)); done
like "$(cat "$T/ismsd.log")" "the plugins changed; restart ismsd" "SIGHUP: a plugins change needs a restart"
is "$("$ISMSCTL_BIN" status --json | jget 'len(j["plugins"])')" 4 "SIGHUP keeps the same plugins"
stop_ismsd
like "$(cat "$T/ismsd.log")" "stopped" "the daemon stops cleanly with its plugins"
unlike "$(cat "$T/ismsd.log")" "Sanitizer" "no sanitizer report (under make sanitize)"

# Configuration errors in the plugins section name file and line.
cat > "$T/bad.conf" <<EOF
repositories:
  - name: isms
    path: $T/repo
plugins:
  - path: relative/dir/exec.so
  - name: "two words"
    path: exec
  - path: exec
    queue_max: 0
  - path: exec
    config: [1, 2]
  - config: {}
  - path: exec
    colour: blue
  - just a string
  - name: dup
    path: exec
  - name: dup
    path: syslog
EOF
out=$($ISMSD -t -c "$T/bad.conf" 2>&1); rc=$?
is "$rc" 1 "a bad plugins section is refused"
like "$out" "bad.conf:5: plugin path 'relative/dir/exec.so' must be absolute" "a relative path"
like "$out" "bad.conf:6: plugin name 'two words' may only hold" "a bad instance name"
like "$out" "bad.conf:9: 'queue_max' must be a whole number from 1" "a bad queue_max"
like "$out" "bad.conf:11: 'config' must be a map" "a config that is not a map"
like "$out" "bad.conf:12: a plugin needs a 'path'" "no path"
like "$out" "bad.conf:14: unknown plugin setting 'colour'" "an unknown setting"
like "$out" "bad.conf:15: each plugin must be a map" "an entry that is not a map"
like "$out" "bad.conf:18: two plugins are named 'dup'" "two instances with one name"
unlike "$out" "plugin exec: exec" "a refused file starts no plugin"
printf 'repositories:\n  - name: isms\n    path: %s\nplugins: exec\n' "$T/repo" > "$T/bad2.conf"
out=$($ISMSD -t -c "$T/bad2.conf" 2>&1)
like "$out" "bad2.conf:4: 'plugins' must be a list" "plugins must be a list"
done_testing
