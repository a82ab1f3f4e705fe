#!/bin/sh
# 1,000 concurrent clients, the client maximum, and a verdict that changes with
# time alone (valid_until) with no commit.
. "$(dirname "$0")/daemon.sh"

example_clone "$T/repo"
cat > "$T/ismsd.conf" <<CONF
max_clients: 1100
repositories:
  - name: acme
    path: $T/repo
    poll_interval: 0
CONF
# 2027-11-09T23:00:00Z is when the policy approved on 2026-11-09 falls
# overdue (midnight in Europe/Berlin); start the clock 2 s before it, or
# 40 s under valgrind, where the first evaluation alone takes seconds.
start=2027-11-09T22:59:58Z wait_s=30
if [ -n "${ISMS_WRAP:-}" ]; then start=2027-11-09T22:59:20Z wait_s=90; fi
start_ismsd -c "$T/ismsd.conf" --now "$start"
wait_ready; ok $? "daemon ready"
cursor=$("$ISMSCTL_BIN" status --json | jget 'j["cursor"]')
st=$("$ISMSCTL_BIN" explain 5.2-policy-approved --json)
is "$(echo "$st" | jget 'j["status"]')" pass "the policy is within its review interval"
is "$(echo "$st" | jget 'j["valid_until"]')" 2027-11-09T23:00:00Z "until midnight in the organisation's zone"

{ python3 - "$SOCK" <<'PY'
import json, socket, sys
path = sys.argv[1]
socks = []
for i in range(1000):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    socks.append(s)
for i, s in enumerate(socks):
    s.sendall(b'{"jsonrpc":"2.0","id":%d,"method":"status"}\n' % i)
good = 0
for i, s in enumerate(socks):
    f = s.makefile("rb")
    m = json.loads(f.readline())
    good += m.get("id") == i and m["result"]["clients"] >= 1
    f.close()
# The 1,101st client is refused with a reason.
extra = []
for i in range(101):
    s = socket.socket(socket.AF_UNIX); s.connect(path); extra.append(s)
s = extra[-1]
s.settimeout(5)
refused = s.makefile("rb").readline()
for s in socks + extra:
    s.close()
print(good, 1 if b"too many clients" in refused else 0)
PY
} 2>&1 > "$T/many"
read good refused < "$T/many"
is "$good" 1000 "1,000 concurrent clients all get their reply"
is "$refused" 1 "the client over max_clients is told why"

# Time alone: the timer fires at valid_until and the verdict changes.
"$ISMSCTL_BIN" watch --json --topics results --cursor "$cursor" --count 1 --timeout "$wait_s" > "$T/w"
ok $? "a results notification arrives with no commit"
like "$(cat "$T/w")" '"5.2-policy-approved"' "the policy rule fell overdue at midnight"
is "$("$ISMSCTL_BIN" explain 5.2-policy-approved --json | jget 'j["status"]')" fail "and now fails"
kill -0 "$ISMSD_PID"; ok $? "the daemon is still running"
done_testing
