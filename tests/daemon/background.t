#!/bin/sh
# Background mode with a pidfile; two repositories (methods name one);
# the loopback TCP listener is read-only; a second daemon on the same
# socket is refused.
. "$(dirname "$0")/daemon.sh"

example_clone "$T/one"
example_clone "$T/two"
port=$((20000 + $$ % 20000))
cat > "$T/ismsd.conf" <<CONF
socket: $SOCK
state_dir: $STATE
pidfile: $T/ismsd.pid
listen_tcp: 127.0.0.1:$port
repositories:
  - name: one
    path: $T/one
  - name: two
    path: $T/two
CONF
$ISMSD -c "$T/ismsd.conf" --now 2026-11-22 --frozen-clock 2>"$T/bg.err"
ok $? "ismsd detaches and exits 0 once it serves"
ISMSD_PID=$(cat "$T/ismsd.pid" 2>/dev/null)
ok $([ -n "$ISMSD_PID" ] && kill -0 "$ISMSD_PID"; echo $?) "the pidfile names the running daemon"
is "$(stat -c %a "$SOCK")" 660 "the socket's mode is 0660"
out=$($ISMSD -f -c "$T/ismsd.conf" 2>&1); rc=$?
is "$rc" 2 "a second daemon is refused"
like "$out" "already" "because one is running"

i=0
while [ $i -lt 200 ]; do
	n=$("$ISMSCTL_BIN" status --json | jget 'sum(1 for r in j["repositories"] if r["health"] == "ok")')
	[ "$n" = 2 ] && break
	sleep 0.05; i=$((i + 1))
done
is "$n" 2 "both repositories evaluated"
out=$("$ISMSCTL_BIN" results 2>&1); rc=$?
is "$rc" 2 "results without --repo fails when there are two"
like "$out" "serves 2 repositories (one, two)" "and names them"
is "$("$ISMSCTL_BIN" results --repo two --json | jget 'j["repo"]')" two "--repo two"
out=$("$ISMSCTL_BIN" results --repo three 2>&1)
like "$out" "no repository named 'three'" "an unknown repository"

cd "$T/two"
sed -i 's/^approved_by: p-katharina-vogt/approved_by: p-nobody-at-all/' policies/information-security-policy.md
commit_at 2026-11-21 "Change in two only"
cd - >/dev/null
"$ISMSCTL_BIN" sync --repo two >/dev/null
is "$("$ISMSCTL_BIN" explain 5.2-policy-approved --repo two --json | jget 'j["status"]')" fail \
	"the change shows in repository two"
is "$("$ISMSCTL_BIN" explain 5.2-policy-approved --repo one --json | jget 'j["status"]')" pass \
	"and not in repository one"

python3 - "$port" <<'PY'
import json, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
f = s.makefile("rb")
s.sendall(b'{"jsonrpc":"2.0","id":1,"method":"status"}\n')
a = json.loads(f.readline())
s.sendall(b'{"jsonrpc":"2.0","id":2,"method":"sync","params":{"repo":"one"}}\n')
b = json.loads(f.readline())
sys.exit(0 if "result" in a and b.get("error", {}).get("code") == -32001 else 1)
PY
ok $? "TCP on loopback answers reads and refuses writes"

kill "$ISMSD_PID"
i=0
while kill -0 "$ISMSD_PID" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
ISMSD_PID=
ok $([ ! -e "$T/ismsd.pid" ]; echo $?) "SIGTERM: the pidfile is removed"
ok $([ ! -e "$SOCK" ]; echo $?) "and the socket"
done_testing
