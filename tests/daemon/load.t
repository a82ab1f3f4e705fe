#!/bin/sh
# 1,000 concurrent clients, the client maximum, and a verdict that changes with
# time alone (valid_until) with no commit, on a frozen clock moved by the
# test (ismsd --frozen-clock and the clock method).
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
# overdue (midnight in Europe/Berlin). The clock stands still an hour
# before it until the test moves it (--frozen-clock), however long the
# first evaluation takes on a loaded machine.
wait_s=30
if [ -n "${ISMS_WRAP:-}" ]; then wait_s=90; fi
start_ismsd -c "$T/ismsd.conf" --now 2027-11-09T22:00:00Z --frozen-clock
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

# Time alone: the clock reaches valid_until and the verdict changes.
is "$("$ISMSCTL_BIN" status --json | jget 'j["now"]')" 2027-11-09T22:00:00Z "the frozen clock stands still"
out=$("$ISMSCTL_BIN" call clock '{"set":"2027-11-09T22:00:00Z"}')
is "$(echo "$out" | jget 'j["result"]["evaluations"]')" 0 "setting the clock to its time starts nothing"
out=$("$ISMSCTL_BIN" call clock '{"advance":3599}')
is "$(echo "$out" | jget 'j["result"]["now"]')" 2027-11-09T22:59:59Z "clock advance moves it"
is "$(echo "$out" | jget 'j["result"]["evaluations"]')" 0 "a second before valid_until: no evaluation"
out=$("$ISMSCTL_BIN" call clock '{"set":"2027-11-09T23:00:00Z"}')
is "$(echo "$out" | jget 'j["result"]["evaluations"]')" 1 "at valid_until: one evaluation"
"$ISMSCTL_BIN" watch --json --topics results --cursor "$cursor" --count 1 --timeout "$wait_s" > "$T/w"
ok $? "a results notification arrives with no commit"
like "$(cat "$T/w")" '"5.2-policy-approved"' "the policy rule fell overdue at midnight"
is "$("$ISMSCTL_BIN" explain 5.2-policy-approved --json | jget 'j["status"]')" fail "and now fails"
out=$("$ISMSCTL_BIN" call clock '{"set":"2027-11-09"}')
like "$out" '"code":-32602' "the clock does not go back"
like "$out" "only moves forward" "and says so"
out=$("$ISMSCTL_BIN" call clock '{"advance":-5}')
like "$out" '"code":-32602' "nor by a negative advance"
out=$("$ISMSCTL_BIN" call clock '{"advance":1,"set":"2028-01-01"}')
like "$out" '"code":-32602' "set and advance at once are refused"
out=$("$ISMSCTL_BIN" call clock '{"set":"tomorrow"}')
like "$out" '"code":-32602' "a date that is not ISO 8601 is refused"
kill -0 "$ISMSD_PID"; ok $? "the daemon is still running"
done_testing
