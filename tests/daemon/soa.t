#!/bin/sh
# The Statement of Applicability through the daemon: soa with "detail"
# gives the same document ismsctl soa builds offline (all 93 controls,
# owners by name, verdicts), and ismsctl soa --daemon writes it as CSV.
. "$(dirname "$0")/daemon.sh"

example_clone "$T/repo"
NOW=2026-11-22T12:00:00Z
start_ismsd --repo "$T/repo" --now $NOW
wait_ready; ok $? "the daemon evaluates the repository"

"$ISMSCTL_BIN" soa --daemon --format json > "$T/d.json"; rc=$?
is "$rc" 0 "soa --daemon exits 0"
"$ISMSCTL_BIN" soa --repo "$T/repo" --now $NOW --format json > "$T/o.json"
python3 - "$T/d.json" "$T/o.json" <<'PY'
import json, sys
d, o = (json.load(open(p)) for p in sys.argv[1:])
assert d["format"] == "ismsd.soa" and d["commit"] == o["commit"]
assert d["rules_digest"] == o["rules_digest"] and len(d["rules_digest"]) == 40, d["rules_digest"]
strip = lambda doc: [{k: c[k] for k in ("control", "applicable", "owner", "verdict", "rules",
                                        "open_findings", "evidence")} for c in doc["controls"]]
assert len(d["controls"]) == 93
assert strip(d) == strip(o), [a["control"] for a, b in zip(strip(d), strip(o)) if a != b]
PY
ok $? "soa over the socket: the same controls, owners, verdicts and evidence as offline"
n=$("$ISMSCTL_BIN" soa --daemon --format csv | python3 -c 'import csv,sys; print(len(list(csv.reader(sys.stdin))) - 1)')
is "$n" 93 "soa --daemon --format csv: 93 rows"
r=$("$ISMSCTL_BIN" call soa '{"detail": 3}' 2>&1)
like "$r" 'must be true or false' "soa: a detail that is not a boolean is refused"

stop_ismsd
done_testing
