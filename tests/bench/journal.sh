#!/bin/sh
# journal.sh - benchmark the history journal over years of operation.
#
# usage: sh tests/bench/journal.sh BUILD_DIR      (make bench runs it)
#
# Writes the journal a daemon would have after 10,000 evaluated commits of
# a large ISMS (a first evaluation of about 2 MB, then each commit's
# changed verdicts, findings and commit entry), and runs a private ismsd
# on a copy of the example ISMS three times:
#   - on a fresh state directory;
#   - on the long journal without checkpoints (the first start after an
#     upgrade: they are all written then);
#   - on the long journal again, from its checkpoints.
#   - and once more where no checkpoint can be written, so that every
#     as_of replays the journal from the start as it did before them.
# Reported for each: time until the socket answers (journal indexed,
# published state rebuilt), the daemon's resident memory, and the latency
# of `results` as_of commits and dates across the history. Figures only;
# the exit status is non-zero only when something fails to run.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: sh tests/bench/journal.sh BUILD_DIR" >&2
	exit 2
fi
build=$(cd "$1" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ ! -x "$build/ismsd" ]; then
	echo "journal.sh: $build/ismsd is not built (run make all)" >&2
	exit 1
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/isms-jbench.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
export HOME="$T/home" GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
if [ -d "$build/example-isms/.git" ]; then
	git clone -q "$build/example-isms" "$T/repo"
else
	sh "$top/contrib/example-isms/make-repo.sh" "$T/example" >/dev/null
	git clone -q "$T/example" "$T/repo"
fi
cat > "$T/ismsd.conf" <<CONF
repositories:
  - name: acme
    path: $T/repo
    poll_interval: 0
CONF

python3 - "$build/ismsd" "$top/rules" "$T" <<'PY'
import calendar, json, os, random, signal, socket, statistics, subprocess, sys, time

ismsd, rules, T = sys.argv[1:]
NCOMMITS = 10000


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def verdict(i, gen, rnd):
    """A verdict as the daemon publishes it; rules 0-29 have many findings."""
    nf = 300 + rnd.randrange(100) if i < 30 else rnd.randrange(3)
    return {"id": "rule-%03d" % i, "clause": "6.1.2" if i % 3 else None,
            "control": None if i % 3 else "5.%d" % (i % 37), "theme": "organizational",
            "group": "6", "title": "Synthetic rule %d checks a record type" % i,
            "severity": "minor", "status": ["pass", "fail", "warn"][(i + gen) % 3],
            "remediation": "Update the record and commit it.", "note": None,
            "findings": [{"message": "risk R-%05d: review overdue by %d days (generation %d)"
                          % (k, k % 90, gen), "severity": "minor",
                          "file": "risk/register.yaml", "line": 10 + 7 * k} for k in range(nf)],
            "valid_until": None, "reads": ["isms.yaml", "risk/register.yaml", "soa.yaml"],
            "patterns": ["risk/**"]}


def write_journal(path):
    """The journal of NCOMMITS evaluated commits, in journal_append's form."""
    rnd = random.Random(2024)
    seq, t = 0, calendar.timegm((2025, 1, 1, 0, 0, 0))
    commits, times = [], []
    with open(path, "w") as out:
        def emit(topic, data):
            nonlocal seq
            seq += 1
            out.write(json.dumps({"jsonrpc": "2.0", "method": topic, "params": {
                "cursor": seq, "repo": "acme", "topic": topic, "time": iso(t),
                "data": data}}, separators=(",", ":")) + "\n")
        for c in range(NCOMMITS):
            t += 1800 + rnd.randrange(3600)
            commit = "%040x" % rnd.getrandbits(160)
            full = c == 0
            if full:
                ids = range(200)
            else:
                ids = rnd.sample(range(30, 200), rnd.randrange(1, 4))
                if rnd.random() < 0.1:
                    ids.append(rnd.randrange(30))
            changed = [verdict(i, c, rnd) for i in ids]
            emit("results", {"commit": commit, "commit_time": t - 60, "evaluated_at": iso(t),
                             "organisation": "Fernwerk Systems GmbH", "full": full,
                             "changed": changed, "removed": []})
            for v in changed[:3]:
                emit("findings", {"rule": v["id"], "commit": commit, "status": v["status"],
                                  "added": v["findings"][:2], "resolved": []})
            emit("commits", {"commit": commit, "commit_time": t - 60, "evaluated_at": iso(t),
                             "counts": {"pass": 70, "fail": 60, "warn": 70}, "conformant": False,
                             "changed": len(changed), "rules_run": 12, "rules": 200,
                             "eval_ms": 41.5, "history_rewritten": False,
                             "phases_ms": {"files": 12.0, "records": 14.1, "rules": 15.4}})
            commits.append(commit)
            times.append(t)
    return commits, times


class Daemon:
    def __init__(self, state):
        self.sock = T + "/s"
        self.state = state
        t0 = time.perf_counter()
        self.p = subprocess.Popen([ismsd, "-f", "-c", T + "/ismsd.conf", "--socket", self.sock,
                                   "--state-dir", state, "--rules", rules, "--now", "2026-11-22",
                                   "--log-level", "warning"], stderr=open(T + "/ismsd.log", "a"))
        while True:
            if self.p.poll() is not None:
                raise SystemExit("journal.sh: ismsd exited; see its log")
            try:
                self.call("status")
                break
            except OSError:
                time.sleep(0.01)
        self.start_s = time.perf_counter() - t0
        while self.call("status")["repositories"][0]["health"] != "ok":
            time.sleep(0.05)

    def call(self, method, params=None):
        s = socket.socket(socket.AF_UNIX)
        s.connect(self.sock)
        f = s.makefile("rb")
        s.sendall(json.dumps({"jsonrpc": "2.0", "id": 1, "method": method,
                              "params": params or {}}).encode() + b"\n")
        m = json.loads(f.readline())
        f.close()
        s.close()
        if "error" in m:
            raise SystemExit("journal.sh: %s %s: %s" % (method, params, m["error"]["message"]))
        return m["result"]

    def ms(self, method, params, n=5):
        v = []
        for _ in range(n):
            t0 = time.perf_counter()
            self.call(method, params)
            v.append((time.perf_counter() - t0) * 1000)
        return statistics.median(v)

    def rss(self):
        kb = {}
        for line in open("/proc/%d/status" % self.p.pid):
            k, v = line.split(":", 1)
            kb[k] = int(v.split()[0]) if v.strip().endswith("kB") else 0
        return kb["VmRSS"] / 1024.0, kb["VmHWM"] / 1024.0

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        self.p.wait()


def ckpts(state):
    d = state + "/checkpoints"
    names = [n for n in os.listdir(d) if n.endswith(".ckpt")] if os.path.isdir(d) else []
    return len(names), sum(os.path.getsize(os.path.join(d, n)) for n in names) / 1048576.0


t0 = time.perf_counter()
os.makedirs(T + "/long")
commits, times = write_journal(T + "/long/journal.jsonl")
jsize = os.path.getsize(T + "/long/journal.jsonl") / 1048576.0
nlines = sum(1 for _ in open(T + "/long/journal.jsonl", "rb"))
print("journal: %d evaluated commits, %d entries, %.0f MiB (written in %.1f s)"
      % (NCOMMITS, nlines, jsize, time.perf_counter() - t0))

# as_of with a filter that matches no verdict: the reply is small, so
# the figure is the rebuilding of the state, not its encoding.
NONE = {"control": "no-such-control"}
POINTS = (0, 2500, 5000, 7500, 9999)


def asof(d, points, n=5):
    c = [d.ms("results", dict(NONE, as_of=commits[i][:12]), n) for i in points]
    t = [d.ms("results", dict(NONE, as_of=iso(times[i]))) for i in points] if n > 1 else []
    return c, t


rows = []
d = Daemon(T + "/fresh")
head = d.call("status")["repositories"][0]["commit"]
rows.append(("fresh journal", d.start_s, d.rss(),
             d.ms("results", dict(NONE, as_of=head[:12])),
             d.ms("results", dict(NONE, as_of="2026-11-22T23:59:59Z"))))
d.stop()

def settled(state):
    """ckpts(state) once the files stop changing (they are written off
    the loop thread)."""
    last = None
    while True:
        now = ckpts(state)
        if now == last:
            return now
        last = now
        time.sleep(1)


d = Daemon(T + "/long")
rows.append(("10,000 commits, no checkpoints yet", d.start_s, d.rss(), None, None))
n, mib = settled(T + "/long")
d.stop()

d = Daemon(T + "/long")
rss0 = d.rss()
asof_c, asof_d = asof(d, POINTS)
hist = d.ms("history", {"limit": 20})
rows.append(("10,000 commits, from checkpoints", d.start_s, d.rss(), max(asof_c), max(asof_d)))
d.stop()

# The same without checkpoints (none can be written): every as_of
# replays the journal from its first entry, as before checkpoints.
os.rename(T + "/long/checkpoints", T + "/ck")
open(T + "/long/checkpoints", "w").close()
d = Daemon(T + "/long")
lin_c, _ = asof(d, (0, 5000, 9999), n=1)
rows.append(("10,000 commits, no checkpoints possible", d.start_s, d.rss(), max(lin_c), None))
d.stop()

# Every checkpoint full, as before differences: their disk use.
os.unlink(T + "/long/checkpoints")
conf = open(T + "/ismsd.conf").read()
open(T + "/ismsd.conf", "w").write("checkpoint_full_every: 1\n" + conf)
d = Daemon(T + "/long")
n_full, mib_full = settled(T + "/long")
d.stop()
open(T + "/ismsd.conf", "w").write(conf)

print()
print("%-40s %8s %9s %9s %13s %13s" % ("", "start s", "RSS MiB", "peak MiB",
                                        "as_of commit", "as_of date"))
for name, st, (r, hwm), ac, ad in rows:
    f = lambda x: "%10.1f ms" % x if x is not None else "%13s" % "-"
    print("%-40s %8.2f %9.1f %9.1f %s %s" % (name, st, r, hwm, f(ac), f(ad)))
print()
print("start s: until the socket answers (journal indexed, published state rebuilt);")
print("as_of: the slowest of 5 points across the history, median of 5 requests each")
print("  from checkpoints, commits: %s ms" % ", ".join("%.1f" % x for x in asof_c))
print("  from checkpoints, dates:   %s ms" % ", ".join("%.1f" % x for x in asof_d))
print("  without (oldest, middle, newest commit, once each): %s ms"
      % ", ".join("%.0f" % x for x in lin_c))
print("checkpoints written at the first start: %d files, %.0f MiB beside the %.0f MiB journal"
      % (n, mib, jsize))
print("checkpoint disk use per 1,000 commits: %.2f MiB every one full (before), %.2f MiB "
      "differences with a full one every 16 (now); %.0f%% of before"
      % (mib_full / 10, mib / 10, 100.0 * mib / mib_full if mib_full else 0))
print("history limit 20: %.1f ms; RSS before the as_of requests %.1f MiB, after %.1f MiB"
      % (hist, rss0[0], rows[2][2][0]))
print("RSS with the long journal, from checkpoints: %+.1f MiB over the fresh one"
      % (rows[2][2][0] - rows[0][2][0]))
