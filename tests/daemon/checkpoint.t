#!/bin/sh
# A long history: results as_of commits and dates, and history, equal a
# linear replay of the journal done here in Python (points it lacks are
# evaluated from git); checkpoints are
# written, and after kill -9 with one checkpoint corrupt and one gone the
# daemon gives the same answers and writes them again.
. "$(dirname "$0")/daemon.sh"

example_clone "$T/repo"
cat > "$T/ismsd.conf" <<CONF
repositories:
  - name: acme
    path: $T/repo
CONF
mkdir -p "$STATE"

# 400 evaluated commits as the daemon journals them (with a status
# entry of another repository in between now and then).
python3 - "$STATE/journal.jsonl" <<'PY'
import json, random, sys
rnd = random.Random(7)
out = open(sys.argv[1], "w")
seq = 0
t = 1767225600  # 2026-01-01
def iso(x):
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(x))
def emit(repo, topic, data):
    global seq
    seq += 1
    out.write(json.dumps({"jsonrpc": "2.0", "method": topic, "params": {
        "cursor": seq, "repo": repo, "topic": topic, "time": iso(t), "data": data}},
        separators=(",", ":"), ensure_ascii=False) + "\n")
def verdict(i, gen):
    return {"id": "rule-%03d" % i, "status": ["pass", "fail", "warn"][(i + gen) % 3],
            "clause": "6.1.2" if i % 2 else "9.2", "group": "6", "title": "Rule %d" % i,
            "findings": [{"message": "finding %d" % gen, "line": gen}] if (i + gen) % 3 == 1 else [],
            "reads": ["isms.yaml"], "patterns": []}
for c in range(400):
    t += 3600 + rnd.randrange(3600)
    commit = "%040x" % rnd.getrandbits(160)
    full = c == 0
    ids = range(60) if full else rnd.sample(range(64), rnd.randrange(0, 4))
    changed = [verdict(i, c) for i in ids]
    removed = ["rule-010"] if c % 17 == 5 else []
    if changed or removed or full:
        emit("acme", "results", {"commit": commit, "commit_time": t - 60, "evaluated_at": iso(t),
                                 "organisation": "Fernwerk Systems GmbH", "full": full,
                                 "changed": changed, "removed": removed})
    if c % 10 == 3:
        emit("other", "status", {"health": "ok"})
    emit("acme", "commits", {"commit": commit, "commit_time": t - 60, "evaluated_at": iso(t),
                             "changed": len(changed)})
PY
ok $? "a journal of 400 evaluated commits"

start_ismsd -c "$T/ismsd.conf" --now 2026-11-22 --frozen-clock
wait_ready; ok $? "the daemon starts on it"
n=$(ls "$STATE/checkpoints" 2>/dev/null | grep -c '\.ckpt$')
[ "$n" -ge 4 ]; ok $? "checkpoints were written from the existing journal ($n)"

# compare: as_of at several commits and dates, and history, against the
# linear replay of the journal as it is now.
compare() {
	python3 - "$SOCK" "$STATE/journal.jsonl" <<'PY'
import json, socket, sys, calendar, time
sock, jpath = sys.argv[1:]
entries = [json.loads(l)["params"] for l in open(jpath, encoding="utf-8")]
def ts(s):
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))
def linear(commit=None, when=None):
    res, cur, found = {}, "", commit is None
    for p in entries:
        if p["repo"] != "acme":
            continue
        if when is not None and ts(p["time"]) > when:
            break
        if p["topic"] not in ("results", "commits"):
            continue
        d = p["data"]
        if p["topic"] == "results":
            if d.get("full") is True:
                res.clear()
            for v in d.get("changed", []):
                res[v["id"]] = v
            for x in d.get("removed", []):
                res.pop(x, None)
        c = d.get("commit")
        if isinstance(c, str):
            cur = c[:40]
        if p["topic"] == "commits" and commit and isinstance(c, str) and c.startswith(commit):
            found = True
            break
    if not found or not cur:
        return None
    return cur, [{k: v for k, v in r.items() if k not in ("reads", "patterns")} for r in res.values()]
s = socket.socket(socket.AF_UNIX)
s.connect(sock)
f = s.makefile("rb")
def call(method, params):
    s.sendall(json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode() + b"\n")
    return json.loads(f.readline())
commits = [p["data"]["commit"] for p in entries if p["repo"] == "acme" and p["topic"] == "commits"]
times = [ts(p["time"]) for p in entries if p["repo"] == "acme"]
asks = [commits[i][:4 + i % 37] for i in (0, 1, 63, 64, 65, 150, 257, 399)]
asks += [time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(times[i] + d))
         for i in (0, 100, 333, len(times) // 2, len(times) - 1) for d in (-1, 0)]
asks += ["2025-12-31", "2026-03-15", "deadbeef"]
bad = 0
for a in asks:
    got = call("results", {"repo": "acme", "as_of": a})
    if "-" not in a:
        want = linear(commit=a)
    else:
        want = linear(when=ts(a) if "T" in a else ts(a + "T23:59:59Z"))
    if want is None:
        # not in the journal: evaluated from git (the journal's commits
        # here are made up), or an error for a commit git lacks
        good = "error" in got or got.get("result", {}).get("source") == "evaluated"
    else:
        r = got.get("result", {})
        good = r.get("commit") == want[0] and r.get("results") == want[1]
    if not good:
        bad += 1
        print("# as_of %s: got %s" % (a, json.dumps(got)[:300]))
print("%d %d" % (len(asks), bad))
h = call("history", {"repo": "acme", "limit": 7})["result"]["commits"]
want = [dict(p["data"], cursor=p["cursor"]) for p in entries
        if p["repo"] == "acme" and p["topic"] == "commits"][-7:]
print("history", "same" if h == want else "differs")
PY
}
out=$(compare)
like "$out" "21 0" "as_of at 8 commits and 13 dates equals the linear replay"
like "$out" "history same" "history equals the linear answer"
"$ISMSCTL_BIN" results --json > "$T/res1"

kill -9 "$ISMSD_PID"; wait "$ISMSD_PID" 2>/dev/null; ISMSD_PID=
set -- $(ls "$STATE/checkpoints" | grep '\.ckpt$' | sort -n)
rm -f "$STATE/checkpoints/$1"
python3 -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[len(b)//2]^=0x20; open(p,"wb").write(b)' "$STATE/checkpoints/$2"
start_ismsd -c "$T/ismsd.conf" --now 2026-11-22 --frozen-clock; ok $? "restart after kill -9, a checkpoint gone and one corrupt"
"$ISMSCTL_BIN" results --json > "$T/res2"
cmp -s "$T/res1" "$T/res2"; ok $? "the same current results"
out=$(compare)
like "$out" "21 0" "the same as_of answers"
like "$out" "history same" "the same history"
[ -f "$STATE/checkpoints/$1" ]; ok $? "the missing checkpoint was written again"
done_testing
