#!/bin/sh
# repos.sh - benchmark one ismsd serving many small repositories.
#
# usage: sh tests/bench/repos.sh BUILD_DIR [N]      (make bench runs it)
#
# Clones the example ISMS (BUILD_DIR/example-isms, made when missing) N
# times (default 500, or $REPOS_N) with the git CLI, and in one run:
#   - starts ismsd on one of them and measures its resident memory once it
#     has its first verdicts: the base;
#   - starts ismsd on all N and measures the time until every repository
#     has its first verdicts, and the resident memory, in all and per
#     repository above the base; counts the daemon's inotify instances
#     and watches, and the repositories it polls instead (the log);
#   - adds the large synthetic ISMS (BUILD_DIR/bench-isms, as daemon.sh
#     makes it) by a reload, and while it is evaluated in full (the
#     `evaluate` method) commits one file to a small repository (the
#     last, past the 128 inotify instances Linux allows by default): the
#     latency from that commit to its `commits` notification, median and
#     90th percentile of 7.
# Figures are printed beside their targets; a missed target is reported,
# never fatal.
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: sh tests/bench/repos.sh BUILD_DIR [N]" >&2
	exit 2
fi
build=$(cd "$1" && pwd)
n=${2:-${REPOS_N:-500}}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
for b in ismsd ismsctl; do
	if [ ! -x "$build/$b" ]; then
		echo "repos.sh: $build/$b is not built (run make all)" >&2
		exit 1
	fi
done
example=$build/example-isms
[ -d "$example/.git" ] || sh "$top/contrib/example-isms/make-repo.sh" "$example" >/dev/null
big=$build/bench-isms
want=$(python3 "$here/gen-isms.py" --stamp)
have=$(cat "$big/.git/bench-stamp" 2>/dev/null || true)
if [ "$want" != "$have" ]; then
	echo "generating $big ..."
	python3 "$here/gen-isms.py" "$big"
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/isms-rbench.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
export HOME="$T/home" GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME" "$T/r"
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.invalid

t0=$(date +%s)
i=1
while [ "$i" -le "$n" ]; do
	git clone -q "$example" "$T/r/$i"
	i=$((i + 1))
done
git clone -q "$big" "$T/big"
echo "$n clones of the example ISMS made in $(($(date +%s) - t0)) s"

PYTHONPATH="$here" exec python3 - "$build" "$top/rules" "$T" "$n" <<'PY'
import json, os, signal, socket, statistics, subprocess, sys, threading, time

import benchlib

build, rules, T, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
SOCK = T + "/s"


def conf(k, big=False):
    with open(T + "/ismsd.conf", "w") as f:
        f.write("max_clients: 2000\nrepositories:\n")
        for i in range(1, k + 1):
            f.write("  - name: r%d\n    path: %s/r/%d\n    poll_interval: 0\n" % (i, T, i))
        if big:
            f.write("  - name: big\n    path: %s/big\n    poll_interval: 0\n" % T)


def start(tag):
    log = open("%s/ismsd-%s.log" % (T, tag), "w")
    return subprocess.Popen([build + "/ismsd", "-f", "-c", T + "/ismsd.conf", "--socket", SOCK,
                             "--state-dir", "%s/state-%s" % (T, tag), "--rules", rules,
                             "--now", "2026-11-22", "--log-level", "warning"],
                            stdout=log, stderr=log)


def call(method, params=None):
    return benchlib.call(SOCK, method, params, "repos.sh")


def wait_all(p, k, t0, limit=900):
    """Seconds from t0 until all k repositories have their first verdicts."""
    while time.time() - t0 < limit:
        if p.poll() is not None:
            tail = open(p.args[p.args.index("--state-dir") + 1].replace("state-", "ismsd-")
                        + ".log").read()[-2000:]
            raise SystemExit("repos.sh: ismsd exited with %d:\n%s" % (p.returncode, tail))
        try:
            rs = call("status")["repositories"]
            bad = [r for r in rs if r["health"] not in ("ok", "pending")]
            if bad:
                raise SystemExit("repos.sh: repository %s: %s" % (bad[0]["name"], bad[0]["message"]))
            done = sum(1 for r in rs if r["health"] == "ok" and r["commit"])
            if len(rs) >= k and done >= k:
                return time.time() - t0
        except (FileNotFoundError, ConnectionRefusedError):
            pass
        time.sleep(0.2)
    raise SystemExit("repos.sh: not every repository was evaluated in %d s" % limit)


def rss_kb(p):
    for line in open("/proc/%d/status" % p.pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def inotify(p):
    """The inotify instances of p and the directories they watch."""
    n = watches = 0
    for fd in os.listdir("/proc/%d/fd" % p.pid):
        try:
            if os.readlink("/proc/%d/fd/%s" % (p.pid, fd)) != "anon_inode:inotify":
                continue
            n += 1
            watches += sum(1 for l in open("/proc/%d/fdinfo/%s" % (p.pid, fd))
                           if l.startswith("inotify wd:"))
        except OSError:
            pass
    return n, watches


def stop(p):
    p.send_signal(signal.SIGTERM)
    p.wait()


# 1. The base: one repository.
conf(1)
p = start("one")
t1 = wait_all(p, 1, time.time())
time.sleep(1)
base = rss_kb(p)
stop(p)
print("1 repository: first verdicts in %.1f s, RSS %.1f MB (the base)" % (t1, base / 1000))

# 2. All n.
conf(n)
t0 = time.time()
p = start("all")
ready = wait_all(p, n, t0)
time.sleep(1)
total = rss_kb(p)
per = (total - base) / (n - 1) / 1000 if n > 1 else 0
print("%d repositories: every one has its first verdicts %.1f s after start   target < 60 s  %s"
      % (n, ready, "met" if ready < 60 else "MISSED"))
print("  RSS %.1f MB in all; %.2f MB per repository above the base   target < 2 MB  %s"
      % (total / 1000, per, "met" if per < 2 else "MISSED"))
ino, watches = inotify(p)
polled = sum(1 for l in open(T + "/ismsd-all.log") if "; polling every" in l)
print("  inotify: %d instance(s) watching %d directories; %d repositories polled instead"
      % (ino, watches, polled))

# 3. The large ISMS joins (a reload); a small repository's commit while
# the large one is evaluated in full.
conf(n, big=True)
p.send_signal(signal.SIGHUP)
wait_all(p, n + 1, time.time())
small = "%s/r/%d" % (T, n)
sub = socket.socket(socket.AF_UNIX)
sub.connect(SOCK)
sf = sub.makefile("rb")
sub.sendall(b'{"jsonrpc":"2.0","id":1,"method":"subscribe","params":{"topics":["commits"]}}\n')
json.loads(sf.readline())
lat, overlap = [], 0


def full_eval(out):
    t = time.perf_counter()
    r = call("evaluate", {"repo": "big", "ref": "HEAD"})
    out.append((t, time.perf_counter(), r["eval_ms"]))


for i in range(7):
    ev = []
    th = threading.Thread(target=full_eval, args=(ev,))
    th.start()
    time.sleep(0.05)  # the full evaluation is under way
    with open(small + "/isms/scope.md", "a") as f:
        f.write("\nBenchmark edit %d.\n" % i)
    t = time.perf_counter()
    subprocess.run(["git", "-C", small, "commit", "-qam", "bench %d" % i], check=True)
    while True:
        m = json.loads(sf.readline())
        if m["params"]["repo"] == "r%d" % n:
            break
    got = time.perf_counter()
    lat.append((got - t) * 1000)
    th.join()
    if ev and ev[0][1] > got:
        overlap += 1
sf.close(); sub.close()
lat.sort()
med = statistics.median(lat)
p90 = lat[min(len(lat) - 1, int(round(0.9 * (len(lat) - 1))))]
print("commit to notification of a small repository while the large ISMS is evaluated in full:")
print("  median %.1f ms, p90 %.1f ms (%d of %d notified before the full evaluation ended)   "
      "target < 100 ms  %s" % (med, p90, overlap, len(lat), "met" if p90 < 100 else "MISSED"))
print("  (includes git commit itself; each: %s ms)" % ", ".join("%.1f" % x for x in lat))
stop(p)
PY
