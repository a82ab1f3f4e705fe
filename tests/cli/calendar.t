#!/bin/sh
# The scheduler's commands on the example ISMS: calendar (text, JSON,
# iCalendar checked by an independent RFC 5545 line check in python3),
# audit-plan and review-pack, and their errors.
. "$(dirname "$0")/../lib.sh"

repo="$ISMS_BUILD/example-isms"
if [ ! -d "$repo/.git" ]; then
	echo "1..0 # SKIP the example ISMS is not built (make example)"
	exit 0
fi

out=$($ISMSCTL calendar --repo "$repo" --now 2026-11-22 2>&1); rc=$?
is "$rc" 0 "calendar exits 0"
like "$out" "ISMS calendar as of 2026-11-22 (Europe/Berlin)" "calendar: heading with the zone"
like "$out" "surveillance-audit     Surveillance audit 2 due" "calendar: surveillance audit 2"
like "$out" "OVERDUE  corrective-action" "calendar: an overdue corrective action"

$ISMSCTL calendar --repo "$repo" --now 2026-11-22 --json > "$T/cal.json"; rc=$?
is "$rc" 0 "calendar --json exits 0"
python3 - "$T/cal.json" <<'PY'
import json, sys
ev = json.load(open(sys.argv[1]))
ok = all({"id", "kind", "title", "date", "owner", "file", "line", "overdue"} <= set(e) for e in ev)
ok = ok and len({e["id"] for e in ev}) == len(ev) and len(ev) > 20
sys.exit(0 if ok else 1)
PY
ok $? "calendar --json: every event has its fields, ids are unique"

$ISMSCTL calendar --repo "$repo" --now 2026-11-22 --ics > "$T/cal.ics"; rc=$?
is "$rc" 0 "calendar --ics exits 0"
python3 - "$T/cal.ics" <<'PY'
import sys
raw = open(sys.argv[1], "rb").read()
problems = []
if not raw.endswith(b"\r\n"):
    problems.append("does not end in CRLF")
lines = raw.split(b"\r\n")[:-1]
for i, l in enumerate(lines):
    if b"\n" in l or b"\r" in l:
        problems.append("bare line break in line %d" % (i + 1))
    if len(l) > 75:
        problems.append("line %d is %d octets" % (i + 1, len(l)))
# Unfold (RFC 5545 3.1): a CRLF followed by one blank or tab is removed.
unfolded = []
for l in lines:
    if l[:1] in (b" ", b"\t") and unfolded:
        unfolded[-1] += l[1:]
    else:
        unfolded.append(l)
try:
    text = [l.decode("utf-8") for l in unfolded]
except UnicodeDecodeError as e:
    problems.append("not UTF-8 after unfolding: %s" % e)
    text = []
def name(l):
    return l.split(":", 1)[0].split(";", 1)[0].upper()
if text[:1] != ["BEGIN:VCALENDAR"] or text[-1:] != ["END:VCALENDAR"]:
    problems.append("not one VCALENDAR")
names = [name(l) for l in text]
for req in ("VERSION", "PRODID"):
    if names.count(req) != 1:
        problems.append("VCALENDAR needs one %s" % req)
events, cur, uids = 0, None, set()
for l in text:
    n = name(l)
    if l == "BEGIN:VEVENT":
        cur = []
    elif l == "END:VEVENT":
        events += 1
        for req in ("UID", "DTSTAMP", "DTSTART", "SUMMARY"):
            if [x for x in cur if name(x) == req] == []:
                problems.append("VEVENT %d lacks %s" % (events, req))
        uid = [x for x in cur if name(x) == "UID"][0]
        if uid in uids:
            problems.append("duplicate %s" % uid)
        uids.add(uid)
        if not [x for x in cur if x.startswith("DTSTART;VALUE=DATE:")]:
            problems.append("VEVENT %d: DTSTART is not a DATE" % events)
        cur = None
    elif cur is not None:
        cur.append(l)
if events < 20:
    problems.append("only %d events" % events)
for p in problems[:10]:
    print("# " + p)
sys.exit(1 if problems else 0)
PY
ok $? "calendar --ics: CRLF, folded at 75 octets, required properties (python3 check)"

out=$($ISMSCTL audit-plan --repo "$repo" --rules "$ISMS_TOP/rules" --now 2026-11-22 2>&1); rc=$?
is "$rc" 0 "audit-plan exits 0 on the example"
like "$out" "Internal audit programme, cycle 2025-01-01 to 2028-01-01" "audit-plan: the cycle"
like "$out" "audited every 12 months: open nonconformity NC-2026-04" "audit-plan: raised areas say why"
out=$($ISMSCTL audit-plan --repo "$repo" --rules "$ISMS_TOP/rules" --now 2026-11-22 --json 2>&1)
like "$out" '"feasible": true' "audit-plan --json"

out=$($ISMSCTL review-pack --repo "$repo" --now 2026-11-22 2>&1); rc=$?
is "$rc" 0 "review-pack exits 0"
like "$out" "Since the last management review, MR-2025-12 held on 2025-12-09" "review-pack: since the last review"
like "$out" "## d) 3. Audit results" "review-pack: audit results section"
like "$out" "(../audits/reports/IA-2026-01.md#L" "review-pack: links to the records"

# An infeasible programme: everyone owns everything.
mkdir -p "$T/isms/audits" && cd "$T/isms" && git init -q .
cat > isms.yaml <<'Y'
organisation: Tiny GmbH
parameters:
  audit_blackouts: ["2026-02-30/2026-03-01", "2026-12-24/2026-12-31"]
Y
cat > audits/programme.yaml <<'Y'
cycle_start: 2026-01-01
cycle_months: 36
auditors:
  - person: p-a
    owns: ["4", "5", "6", "7", "8", "9", "10", "A.5", "A.6", "A.7", "A.8"]
    capacity_days: 30
Y
commit_at 2026-01-02 "programme"
out=$($ISMSCTL audit-plan --repo . --rules "$ISMS_TOP/rules" --now 2026-01-05 2>&1); rc=$?
is "$rc" 2 "audit-plan: a malformed blackout is an error"
like "$out" "isms.yaml:3: parameters: audit_blackouts: '2026-02-30/2026-03-01' is not a period" "  ... at isms.yaml:3"
sed -i 's/2026-02-30/2026-02-20/' isms.yaml && commit_at 2026-01-03 "fix"
out=$($ISMSCTL audit-plan --repo . --rules "$ISMS_TOP/rules" --now 2026-01-05 2>&1); rc=$?
is "$rc" 1 "audit-plan: exit 1 when no plan satisfies the constraints"
like "$out" "4.1: independence: every auditor owns 4.1" "  ... naming the constraint and the area"

out=$($ISMSCTL calendar --repo "$T/nowhere" 2>&1); rc=$?
is "$rc" 2 "calendar: a missing repository exits 2"
out=$($ISMSCTL calendar --repo . --now 2026-99-01 2>&1); rc=$?
is "$rc" 2 "calendar: a bad --now exits 2"
like "$out" "months run from 01 to 12" "  ... saying why"
out=$($ISMSCTL calendar --bogus 2>&1); rc=$?
is "$rc" 2 "calendar: an unknown option exits 2"
done_testing
