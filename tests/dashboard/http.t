#!/bin/sh
# The HTTP API: tokens (none: 401, read: 403 on writes), the read methods
# equal to the socket's, params, the event stream resumed by
# Last-Event-ID, the iCalendar feed of two repositories (parsed by
# python3-icalendar), the configuration's refusals, connection limits.
. "$(dirname "$0")/dashboard.sh"

example_clone "$T/acme"
example_clone "$T/beta"
dashboard_conf "$T/acme" "$T/beta"
start_ismsd -c "$T/ismsd.yaml" --now 2026-11-22; ok $? "ismsd starts with http enabled"
i=0; while [ $i -lt 200 ]; do
	"$ISMSCTL_BIN" status --json | jget '" ".join(r["health"] for r in j["repositories"])' | grep -q 'ok ok' && break
	sleep 0.05; i=$((i + 1))
done

r=$(hget /api/status -); like "$r" "401 " "no token: 401"
like "$r" "a token is required" "and it says what is missing"
r=$(hget /api/status not-a-token-at-all-xxxxxxxx); like "$r" "401 " "an unknown token: 401"
r=$(hget "/api/status?token=$READ_TOKEN" -); like "$r" "200 " "the token as a query parameter"
r=$(hget "/calendar.ics?repo=acme" -); like "$r" "401 " "the calendar feed needs a token too"
r=$(hget / -); like "$r" "200 <!doctype html>" "the page itself needs none"
r=$(hget /nothing-here -); like "$r" "404 " "an unknown path: 404"

for m in summary soa history; do
	a=$(hget "/api/$m?repo=acme" | cut -d' ' -f2- | jget 'j')
	b=$("$ISMSCTL_BIN" call "$m" '{"repo":"acme"}' | jget 'j["result"]')
	is "$a" "$b" "GET /api/$m equals the socket's $m"
done
a=$(hget "/api/results?repo=acme&status=fail" | cut -d' ' -f2- | jget 'sorted(x["id"] for x in j["results"])')
b=$("$ISMSCTL_BIN" results --repo acme --status fail --json | jget 'sorted(x["id"] for x in j["results"])')
is "$a" "$b" "results?status=fail equals ismsctl results --status fail"
r=$(hget "/api/explain/5.2-policy-approved?repo=beta"); like "$r" '"id":"5.2-policy-approved"' "explain/RULE"
r=$(hget "/api/explain/no-such-rule?repo=beta"); like "$r" "400 " "explain of an unknown rule: 400"
r=$(hget "/api/summary"); like "$r" "404 " "two repositories and none named: 404"
like "$r" "name one with" "which says to name one"
r=$(hget "/api/history?repo=acme&limit=abc"); like "$r" "400 " "a malformed number: 400"
r=$(hget "/api/history?repo=acme&repo=beta"); like "$r" "given twice" "a parameter given twice: 400"
r=$(hget "/api/calendar?repo=acme"); like "$r" '"overdue":true' "calendar marks overdue events"
r=$(hget "/api/audit-plan?repo=acme"); like "$r" '"feasible"' "audit-plan"
r=$(hget "/api/review-pack?repo=acme"); like "$r" '"markdown":"# Management review pack' "review-pack"
r=$(hget "/api/people?repo=acme"); like "$r" '"p-leonie-brandt":{"name":"Leonie Brandt"' "people by name"
r=$(hget "/api/reminders?repo=acme"); like "$r" '"acknowledged":false' "reminders with their state"
r=$(hget "/api/sync?repo=acme" "$READ_TOKEN" POST); like "$r" "403 " "sync with a read token: 403"
r=$(hget "/api/sync?repo=acme" "$WRITE_TOKEN" POST); like "$r" '200 {"commit":' "sync with a write token"
r=$(hget "/api/ack?repo=acme&id=nothing@2026-01-01" "$WRITE_TOKEN" POST); like "$r" "400 " "ack of an unknown id: 400"
key=$(hget "/api/reminders?repo=acme" | cut -d' ' -f2- | jget 'j["reminders"][0]["ack"]')
r=$(hget "/api/ack?repo=acme&id=$key" "$WRITE_TOKEN" POST); like "$r" '"acknowledged":true' "ack with a write token"
r=$(hget "/api/reminders?repo=acme" | cut -d' ' -f2- | jget '[x["acknowledged"] for x in j["reminders"] if x["ack"] == "'"$key"'"][0]')
is "$r" "true" "the reminder shows as acknowledged"
r=$(hget "/api/status" "$READ_TOKEN" DELETE); like "$r" "501 " "other methods are not served"

# The feed: parsed by python3-icalendar (Debian's, in the system python).
hget "/calendar.ics?repo=acme&token=$READ_TOKEN" - | sed '1s/^[0-9]* //' >"$T/acme.ics"
hget "/calendar.ics?repo=beta&token=$READ_TOKEN" - | sed '1s/^[0-9]* //' >"$T/beta.ics"
out=$(/usr/bin/python3 - "$T/acme.ics" "$T/beta.ics" <<'PY'
import sys, icalendar
uids = []
for path in sys.argv[1:]:
    cal = icalendar.Calendar.from_ical(open(path, "rb").read())
    ev = [c for c in cal.walk("VEVENT")]
    uids += [str(e["UID"]) for e in ev]
    att = [e for e in ev if e.get("ATTENDEE")]
    print(path.rsplit("/", 1)[1], len(ev), "events", len(att), "with attendees")
    a = att[0]["ATTENDEE"]
    print("attendee", str(a), a.params.get("CN"))
print("unique" if len(set(uids)) == len(uids) else "collide", uids[0])
PY
)
like "$out" "acme.ics" "python3-icalendar parses the feed"
like "$out" "attendee mailto:" "owners are attendees by address"
like "$out" "fernwerk.example " "with their names"
like "$out" "unique" "UIDs of two repositories do not collide"
like "$out" "@acme.ismsd" "UIDs carry the repository"

# The event stream: resumed from a cursor, then live.
cur=$("$ISMSCTL_BIN" status --json | jget 'j["cursor"]')
out=$(python3 - "$PORT" "$READ_TOKEN" "$((cur - 2))" <<'PY'
import socket, sys
port, tok, last = sys.argv[1:4]
s = socket.create_connection(("127.0.0.1", int(port)))
s.sendall(f"GET /api/events?token={tok} HTTP/1.1\r\nHost: x\r\nLast-Event-ID: {last}\r\n\r\n".encode())
s.settimeout(3)
buf = b""
try:
    while buf.count(b"\nid: ") < 3:
        d = s.recv(65536)
        if not d: break
        buf += d
except socket.timeout:
    pass
print(buf.decode(errors="replace"))
PY
)
like "$out" "text/event-stream" "the stream is text/event-stream"
like "$out" "id: $((cur - 2))
event: hello" "its hello carries the cursor resumed from"
like "$out" "id: $((cur - 1))" "what was missed is replayed"
like "$out" "id: $cur" "up to the last event"
r=$(hget "/api/events?topics=bogus"); like "$r" "400 " "an unknown topic: 400"

# Connection limits: max_clients connections at once.
stop_ismsd
sed -i 's/^http:$/http:\n  max_clients: 3/' "$T/ismsd.yaml"
start_ismsd -c "$T/ismsd.yaml" --now 2026-11-22
out=$(python3 - "$PORT" "$READ_TOKEN" <<'PY'
import socket, sys, time
port, tok = sys.argv[1:3]
held = []
for i in range(3):
    s = socket.create_connection(("127.0.0.1", int(port)))
    s.sendall(f"GET /api/events?token={tok}&repo=acme HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    s.recv(4096)
    held.append(s)
s = socket.create_connection(("127.0.0.1", int(port)))
s.sendall(f"GET /api/status?token={tok} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
print(s.recv(4096).split(b"\r\n")[0].decode())
for h in held: h.close()
time.sleep(0.3)
s = socket.create_connection(("127.0.0.1", int(port)))
s.sendall(f"GET /api/status?token={tok} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
print(s.recv(4096).split(b"\r\n")[0].decode())
PY
)
like "$out" "HTTP/1.1 503" "past max_clients: 503"
like "$out" "HTTP/1.1 200" "served again once connections close"
r=$(python3 -c "
import socket,sys
s=socket.create_connection(('127.0.0.1',$PORT)); s.sendall(b'GET /api/status HTTP/1.1\r\nHost: x\r\nX-Big: '+b'a'*200000+b'\r\n\r\n')
print(s.recv(4096).split(b'\r\n')[0].decode())" 2>&1)
like "$r" "HTTP/1.1 4" "oversized headers are refused"
stop_ismsd

# The configuration: http refuses a non-loopback address unless allowed,
# and wants a tokens file.
printf 'socket: %s\nhttp:\n  listen: 0.0.0.0:%s\n  tokens: %s\nrepositories:\n  - name: a\n    path: %s\n' \
	"$SOCK" "$PORT" "$T/tokens" "$T/acme" >"$T/remote.yaml"
out=$($ISMSD -t -c "$T/remote.yaml" 2>&1); like "$out" "must be a loopback address" "0.0.0.0 is refused"
sed -i 's/^  tokens:/  allow_remote: true\n  tokens:/' "$T/remote.yaml"
out=$($ISMSD -t -c "$T/remote.yaml" 2>&1); unlike "$out" "loopback" "unless allow_remote is true"
printf 'socket: %s\nhttp:\n  listen: 127.0.0.1:%s\nrepositories:\n  - name: a\n    path: %s\n' \
	"$SOCK" "$PORT" "$T/acme" >"$T/notok.yaml"
out=$($ISMSD -t -c "$T/notok.yaml" 2>&1); like "$out" "needs 'tokens'" "http needs a tokens file"
echo "short read" >"$T/bad-tokens"
sed "s|$T/tokens|$T/bad-tokens|" "$T/ismsd.yaml" >"$T/bad.yaml"
$ISMSD -f -c "$T/bad.yaml" >"$T/bad.log" 2>&1; ok $(($? == 0)) "a bad tokens file stops the start"
like "$(cat "$T/bad.log")" "bad-tokens:1: a token must have 16 to 256 characters" "and says file:line"

echo "1..$tap_n"
[ $tap_fail -eq 0 ]
