#!/bin/sh
# The scheduler in the daemon: a corrective action due in 7 days gives its
# lead-time reminder on the reminders topic exactly once, also across
# kill -9; an acknowledgement persists; the calendar (iCalendar), the
# audit plan and the review pack come over the socket.
. "$(dirname "$0")/daemon.sh"

example_clone "$T/repo"
# NC-2026-05's corrective action is due 2026-12-15; NC-2026-04's was due
# 2026-11-13 (overdue). 09:00 Europe/Berlin is 08:00 UTC.
NOW=2026-12-08T10:00:00Z
LEAD='corrective-action:NC-2026-05@2026-12-15/-7d'
OVERDUE_KEY='corrective-action:NC-2026-04@2026-11-13'

# reminders_seen: every reminders notification since cursor 0, one per line.
reminders_seen() {
	"$ISMSCTL_BIN" watch --json --topics reminders --cursor 0 --timeout 1 2>/dev/null
}
count_id() { # count_id ID: notifications carrying reminder ID
	reminders_seen | python3 -c '
import json, sys
n = 0
for line in sys.stdin:
    line = line.strip()
    if line and json.loads(line)["params"]["data"]["id"] == sys.argv[1]:
        n += 1
print(n)' "$1"
}
wait_reminder() { # wait_reminder ID: until it has been published (10 s)
	i=0
	while [ $i -lt 20 ]; do
		[ "$(count_id "$1")" -ge 1 ] && return 0
		i=$((i + 1))
	done
	return 1
}

start_ismsd --repo "$T/repo" --now $NOW --frozen-clock
wait_ready; ok $? "the daemon evaluates the repository"
wait_reminder "$LEAD"; ok $? "the 7-day lead reminder of the corrective action is published"
is "$(count_id "$LEAD")" 1 "exactly once"
reminders_seen | head -n 50 > "$T/seen"
python3 - "$T/seen" "$LEAD" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)["params"]["data"]
    if d["id"] == sys.argv[2]:
        ok = (d["kind"] == "lead" and d["days"] == 7 and d["date"] == "2026-12-15"
              and d["event"] == "corrective-action:NC-2026-05"
              and d["file"] == "nonconformities.yaml" and d["redelivery"] is False
              and json.loads(line)["params"]["repo"] == "repo")
        sys.exit(0 if ok else 1)
sys.exit(1)
PY
ok $? "the reminder carries its kind, date, days, event and record"
is "$(count_id "$LEAD" | tr -d ' ')" 1 "no 30-day reminder catches up beside it"
seen30=$(count_id 'corrective-action:NC-2026-05@2026-12-15/-30d')
is "$seen30" 0 "the missed 30-day lead is superseded by the 7-day one"
overdue=$(reminders_seen | python3 -c '
import json, sys
print("\n".join(json.loads(l)["params"]["data"]["id"] for l in sys.stdin if l.strip()))')
like "$overdue" "$OVERDUE_KEY/overdue-" "the overdue corrective action is reminded too"
ls "$STATE/reminders/repo/reminders.log" >/dev/null 2>&1; ok $? "state kept per repository"

# kill -9, restart: nothing fires again.
kill -9 "$ISMSD_PID"; wait "$ISMSD_PID" 2>/dev/null; ISMSD_PID=
start_ismsd --repo "$T/repo" --now $NOW --frozen-clock; ok $? "the daemon restarts after kill -9"
wait_ready
"$ISMSCTL_BIN" calendar >/dev/null; ok $? "calendar from the daemon after restart"
sleep 1
is "$(count_id "$LEAD")" 1 "after kill -9 and restart the reminder is not fired again"

# ack: by its ack key; the write is authorised like sync.
out=$("$ISMSCTL_BIN" ack "$OVERDUE_KEY"); rc=$?
is "$rc" 0 "ismsctl ack exits 0"
like "$out" "acknowledged $OVERDUE_KEY in repo" "ismsctl ack says what it acknowledged"
out=$("$ISMSCTL_BIN" call ack '{"id":"bad\u0001id"}')
like "$out" '"code":-32602' "ack refuses control characters"
out=$("$ISMSCTL_BIN" call ack '{}')
like "$out" '"code":-32602' "ack needs an id"
out=$("$ISMSCTL_BIN" ack 'corrective-action:NC-2026-04@2026-11-14' 2>&1); rc=$?
ok $([ "$rc" -ne 0 ]; echo $?) "ack of a date the event does not fall on fails"
like "$out" "no reminder has the id or ack key" "and says no reminder has that key"
out=$("$ISMSCTL_BIN" call ack '{"id":"../../etc/passwd"}')
like "$out" '"code":-32602' "ack of something that is no reminder is refused"
out=$("$ISMSCTL_BIN" ack 'document-review:remote-working-policy@2026-12-15'); rc=$?
is "$rc" 0 "ack of a calendar event ahead of its next reminder (<event>@<date>)"
out=$("$ISMSCTL_BIN" ack 2>&1); rc=$?
is "$rc" 2 "ismsctl ack without an id is a usage error"

# The clock moves (--frozen-clock, the clock method): the 1-day lead
# reminder falls due on 2026-12-14 at 09:00 Berlin and is published by
# the time the method replies.
out=$("$ISMSCTL_BIN" call clock '{"set":"2026-12-14T07:59:59Z"}')
like "$out" '"now":"2026-12-14T07:59:59Z"' "the clock is set a second before the 1-day lead"
is "$(count_id 'corrective-action:NC-2026-05@2026-12-15/-1d')" 0 "nothing fires before it"
"$ISMSCTL_BIN" call clock '{"advance":1}' >/dev/null
is "$(count_id 'corrective-action:NC-2026-05@2026-12-15/-1d')" 1 "the reminder fires when the clock reaches it"
"$ISMSCTL_BIN" call clock '{"advance":3600}' >/dev/null
is "$(count_id 'corrective-action:NC-2026-05@2026-12-15/-1d')" 1 "and only once"

# Eight days later: the acknowledged overdue event does not repeat, the
# corrective action now overdue does (the clock moved past 2026-12-15).
stop_ismsd
start_ismsd --repo "$T/repo" --now 2026-12-16T10:00:00Z --frozen-clock; ok $? "restart eight days later"
wait_ready
wait_reminder 'corrective-action:NC-2026-05@2026-12-15/overdue-0'
ok $? "the newly overdue corrective action fires"
n=$(reminders_seen | python3 -c '
import json, sys
print(sum(1 for l in sys.stdin if l.strip() and json.loads(l)["params"]["data"]["id"].startswith(sys.argv[1] + "/")))' "$OVERDUE_KEY")
is "$n" 1 "the acknowledged overdue reminder did not repeat after restart (ack persisted)"

# The calendar over the socket: JSON events and iCalendar.
"$ISMSCTL_BIN" call schedule > "$T/sched.json"
is "$(jget 'j["result"]["today"]' < "$T/sched.json")" 2026-12-16 "schedule: today on the daemon clock"
like "$(jget '[e["id"] for e in j["result"]["events"]]' < "$T/sched.json")" \
	'"corrective-action:NC-2026-05"' "schedule: the corrective action is an event"
"$ISMSCTL_BIN" calendar --ics > "$T/cal.ics"; rc=$?
is "$rc" 0 "ismsctl calendar --ics from the daemon"
python3 - "$T/cal.ics" <<'PY'
import sys
raw = open(sys.argv[1], "rb").read()
assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n"), "envelope"
lines = raw.split(b"\r\n")[:-1]
assert all(len(l) <= 75 for l in lines), "folded"
assert b"\n" not in raw.replace(b"\r\n", b""), "CRLF only"
text = raw.replace(b"\r\n ", b"").decode()
events = text.count("BEGIN:VEVENT")
assert events > 5 and events == text.count("END:VEVENT"), "events"
assert "UID:corrective-action:NC-2026-05@ismsd" in text, "uid"
assert "DTSTART;VALUE=DATE:20261215" in text, "date"
assert "DTSTAMP:20261216T" in text, "dtstamp on the daemon clock"
PY
ok $? "iCalendar from the daemon parses: CRLF, folded, events, UIDs, dates"
"$ISMSCTL_BIN" calendar > "$T/cal.txt"
like "$(cat "$T/cal.txt")" "ISMS calendar as of 2026-12-16" "ismsctl calendar (text) from the daemon"
offline=$($ISMSCTL calendar --repo "$T/repo" --now 2026-12-16T10:00:00Z)
is "$(cat "$T/cal.txt")" "$offline" "the daemon's calendar equals the offline one"

# audit-plan and review-pack over the socket.
out=$("$ISMSCTL_BIN" call audit-plan)
is "$(echo "$out" | jget 'j["result"]["feasible"]')" true "audit-plan: a feasible plan"
ok $([ "$(echo "$out" | jget 'len(j["result"]["audits"])')" -gt 0 ]; echo $?) "audit-plan: audits planned"
out=$("$ISMSCTL_BIN" audit-plan 2>&1); rc=$?
is "$rc" 0 "ismsctl audit-plan from the daemon exits 0"
like "$out" "Internal audit programme, cycle 2025-01-01 to 2028-01-01" "ismsctl audit-plan: the cycle"
out=$("$ISMSCTL_BIN" call review-pack '{"links":"../../"}')
like "$out" 'Since the last management review' "review-pack over the socket"
like "$out" '../../audits/reports/' "review-pack: links with the prefix asked for"
out=$("$ISMSCTL_BIN" review-pack)
like "$out" "## d) 3. Audit results" "ismsctl review-pack from the daemon"
out=$("$ISMSCTL_BIN" call review-pack '{"links":"a\nb"}')
like "$out" '"code":-32602' "review-pack refuses a links prefix with a line break"
out=$("$ISMSCTL_BIN" call schedule '{"ics":"yes"}')
like "$out" '"code":-32602' "schedule: ics must be a boolean"
out=$("$ISMSCTL_BIN" calendar --now 2026-01-01 --socket "$SOCK" 2>&1); rc=$?
is "$rc" 2 "calendar --now with --socket is a usage error"

# A commit moves the corrective action's due date: the calendar follows
# the commit the daemon evaluated (the evaluator's model of it).
event_date() { # event_date ID: the date of calendar event ID, from the daemon
	"$ISMSCTL_BIN" call schedule 2>/dev/null | python3 -c '
import json, sys
j = json.load(sys.stdin)
print(*[e["date"] for e in j.get("result", {}).get("events", []) if e["id"] == sys.argv[1]])' "$1"
}
wait_event_date() { # wait_event_date ID DATE: until event ID falls on DATE (5 s)
	i=0
	while [ $i -lt 100 ] && [ "$(event_date "$1")" != "$2" ]; do
		sleep 0.05; i=$((i + 1))
	done
}
sed -i 's/      due: 2026-12-15/      due: 2027-01-20/' "$T/repo/nonconformities.yaml"
git -C "$T/repo" commit -qam "NC-2026-05: corrective action due later"
head=$(git -C "$T/repo" rev-parse HEAD)
wait_event_date corrective-action:NC-2026-05 2027-01-20
is "$(event_date corrective-action:NC-2026-05)" 2027-01-20 "the calendar follows a new commit"
is "$("$ISMSCTL_BIN" status --json | jget 'j["repositories"][0]["commit"]')" "$head" \
	"at the commit evaluated"
# The key `ismsctl watch` printed with the reminder of the old date is
# still accepted, as docs/protocol.md says.
out=$("$ISMSCTL_BIN" ack 'corrective-action:NC-2026-05@2026-12-15' 2>&1); rc=$?
is "$rc" 0 "ack by the key watch printed, after the event's date moved"
like "$out" "acknowledged corrective-action:NC-2026-05@2026-12-15" "and says what it acknowledged"

# ismsctl watch in words: what is not passing, each finding with its
# record, each reminder with whom it is for and how to acknowledge it.
human=$("$ISMSCTL_BIN" watch --cursor 0 --timeout 1 2>/dev/null)
like "$human" "repo results: first evaluation at " "watch: the first evaluation"
like "$human" "    fail            10.2-corrective-action" "watch: a rule not passing"
unlike "$(echo "$human" | sed -n '2,/^\[/p')" "    pass  " "watch: a first evaluation lists no passing rule"
like "$human" "    new      nonconformities.yaml:193: the corrective action of NC-2026-04" \
	"watch: a new finding with its file and line"
like "$human" "    resolved nonconformities.yaml:" "watch: a resolved finding"
like "$human" "repo reminders: " "watch: a reminder"
like "$human" "    to:          p-leonie-brandt" "watch: whom it is for"
like "$human" "    acknowledge: ismsctl ack corrective-action:NC-2026-05@2026-12-15" \
	"watch: how to acknowledge it"
stop_ismsd

# With no rule packs loadable the daemon has no verdicts, yet the
# calendar and its reminders still come from the head commit.
cp -r "$ISMS_TOP/rules" "$T/badrules"
echo 'isms.rule {' >> "$T/badrules/clauses/4.lua"
start_ismsd --repo "$T/repo" --rules "$T/badrules" --now $NOW --frozen-clock
wait_event_date corrective-action:NC-2026-05 2027-01-20
is "$(event_date corrective-action:NC-2026-05)" 2027-01-20 "the calendar without rule packs"
like "$("$ISMSCTL_BIN" status --json | jget 'j["repositories"][0]["rules_error"]')" 'clauses/4.lua' \
	"status names the broken rule pack"
stop_ismsd
done_testing
