#!/usr/bin/env python3
"""soak.py - a long run of the daemon under a stream of commits.

usage: python3 tests/soak/soak.py BUILD_DIR SECONDS [SEED]

`make soak` runs it (SOAK_TIME seconds, default 300). It starts
BUILD_DIR/ismsd on a clone of the large synthetic ISMS (BUILD_DIR/bench-isms,
made by tests/bench/gen-isms.py when missing or stale) and for SECONDS commits to it as a team
would: mostly one-file edits, files deleted and brought back (verdicts
change), empty commits, now and then the last commits rewritten (a force-push) and the
configuration reloaded with SIGHUP, while a subscriber follows every topic
and reconnects now and then with its last cursor, and a client polls
status. It checks, and exits 1 when one fails:

- the subscriber sees every cursor once, in order, across its reconnects;
- every commit it made is evaluated (a `commits` notification names the
  final head), and the daemon stays healthy;
- the daemon's verdicts and findings at the end equal those of a full
  `ismsctl check` of the same commit at the same instant: hundreds of
  incremental evaluations add up to a full one;
- the daemon's resident memory does not keep growing: over the second
  half of the run (the median of its first and of its last few samples)
  it may not rise by more than 10% plus 8 MiB (the journal's index grows
  by a few bytes a notification).

It prints the figures: commits, notifications, evaluation times, RSS over
time. The seed in the first line of output repeats a run.
"""

import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import longrun  # noqa: E402


def fail(why):
    print("not ok - %s" % why)
    sys.exit(1)


def rss_kib(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Client:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.settimeout(60)
        self.s.connect(path)
        self.f = self.s.makefile("rb")

    def call(self, method, params=None):
        self.s.sendall(json.dumps({"jsonrpc": "2.0", "id": 1, "method": method,
                                   "params": params or {}}).encode() + b"\n")
        while True:
            m = json.loads(self.f.readline())
            if "id" in m:
                return m

    def close(self):
        self.f.close()
        self.s.close()


class Subscriber(threading.Thread):
    """Follows every topic; reconnects with its last cursor now and then."""

    def __init__(self, sock, rng):
        super().__init__(daemon=True)
        self.sock, self.rng = sock, rng
        self.cursors, self.heads, self.errors = [], [], []
        self.evals = []
        self.reconnects = 0
        self.stop = False

    def run(self):
        last = None
        while not self.stop:
            try:
                c = Client(self.sock)
                p = {} if last is None else {"cursor": last}
                r = c.call("subscribe", p)
                if "error" in r:
                    self.errors.append("subscribe: %s" % r["error"])
                    return
                if last is None:
                    last = r["result"].get("cursor", 0)
                deadline = time.time() + self.rng.uniform(2, 15)
                c.s.settimeout(1)
                while not self.stop and time.time() < deadline:
                    try:
                        line = c.f.readline()
                    except (socket.timeout, OSError):
                        continue
                    if not line:
                        break
                    m = json.loads(line)
                    if "method" not in m:
                        continue
                    cur = m["params"]["cursor"]
                    if cur != last + 1:
                        self.errors.append("cursor %d after %d" % (cur, last))
                    last = cur
                    self.cursors.append(cur)
                    if m["params"]["topic"] == "commits":
                        d = m["params"]["data"]
                        self.heads.append(d["commit"])
                        self.evals.append(d["eval_ms"])
                c.close()
                self.reconnects += 1
            except (OSError, ValueError) as e:
                if not self.stop:
                    self.errors.append("subscriber: %s" % e)
                time.sleep(0.5)


def git(repo, *args, out=False):
    r = subprocess.run(["git", "-C", repo] + list(args), check=True,
                       stdout=subprocess.PIPE if out else subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, text=True)
    return r.stdout.strip() if out else None


def verdicts(results):
    """{rule id: (status, sorted findings)} of a results list."""
    out = {}
    for r in results:
        fs = sorted((f.get("file") or "", f.get("line") or 0, f["message"])
                    for f in r.get("findings", []))
        out[r["id"]] = (r["status"], fs)
    return out


def main():
    build, seconds, seed, rng = longrun.args(__doc__)
    now = "2026-11-25T10:00:00Z"  # a fixed clock: the check at the end agrees
    print("# soak: seed %d, %g s, %s/ismsd on %s/bench-isms" % (seed, seconds, build, build))
    gen = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench", "gen-isms.py")
    bench = os.path.join(build, "bench-isms")
    want = subprocess.run([sys.executable, gen, "--stamp"], check=True, capture_output=True,
                          text=True).stdout.strip()
    try:
        have = open(os.path.join(bench, ".git", "bench-stamp")).read().strip()
    except OSError:
        have = ""
    if want != have:
        print("# generating %s ..." % bench)
        subprocess.run([sys.executable, gen, bench], check=True)
    tmp = tempfile.mkdtemp(prefix="ismsd-soak.")
    repo, sock = os.path.join(tmp, "repo"), os.path.join(tmp, "s")
    subprocess.run(["git", "clone", "-q", os.path.join(build, "bench-isms"), repo], check=True)
    git(repo, "config", "user.name", "Soak Test")
    git(repo, "config", "user.email", "soak@example.org")
    conf = os.path.join(tmp, "ismsd.conf")
    with open(conf, "w") as f:
        f.write("socket: %s\nstate_dir: %s/state\nrepositories:\n  - name: soak\n"
                "    path: %s\n" % (sock, tmp, repo))
    log = open(os.path.join(tmp, "ismsd.log"), "w+")
    d = longrun.start([os.path.join(build, "ismsd"), "-f", "-c", conf, "--now", now], log)
    t0 = time.time()
    while True:
        try:
            c = Client(sock)
            st = c.call("status")["result"]["repositories"][0]
            c.close()
            if st["health"] == "ok" and st.get("commit"):
                break
        except (OSError, ValueError, KeyError):
            pass
        if d.poll() is not None or time.time() - t0 > 300:
            fail("the daemon did not evaluate the repository")
        time.sleep(0.2)
    print("# first evaluation done in %.1f s" % (time.time() - t0))

    sub = Subscriber(sock, rng)
    sub.start()
    files = [p for p in git(repo, "ls-files", out=True).split("\n")
             if p != "isms.yaml" and (p.endswith(".yaml") or p.endswith(".md"))]
    deleted = []
    base = git(repo, "rev-parse", "HEAD", out=True)  # where deleted files come back from
    commits = rewrites = reloads = polls = 0
    rss = [(0.0, rss_kib(d.pid))]
    start = time.time()
    next_sample = start + 5
    while time.time() - start < seconds:
        k = rng.random()
        if k < 0.15 and len(deleted) < 20:
            p = rng.choice(files)
            files.remove(p)
            deleted.append(p)
            git(repo, "rm", "-q", p)
            what = "remove " + p
        elif k < 0.3 and deleted:
            p = deleted.pop(rng.randrange(len(deleted)))
            git(repo, "checkout", "-q", base, "--", p)
            files.append(p)
            what = "restore " + p
        elif k < 0.35:
            what = "nothing"  # an empty commit: the head moves all the same
        else:
            p = rng.choice(files)
            with open(os.path.join(repo, p), "a") as f:
                f.write("\n# soak edit %d\n" % commits if p.endswith(".yaml")
                        else "\nSoak edit %d.\n" % commits)
            git(repo, "add", p)
            what = "edit " + p
        git(repo, "commit", "-q", "--allow-empty", "-m", "soak %d: %s" % (commits, what))
        commits += 1
        if commits % 60 == 0:
            git(repo, "reset", "-q", "--hard", "HEAD~3")  # a force-push
            files = [p for p in git(repo, "ls-files", out=True).split("\n")
                     if p != "isms.yaml" and (p.endswith(".yaml") or p.endswith(".md"))]
            deleted = [p for p in deleted if p not in files]
            rewrites += 1
        if commits % 150 == 0:
            d.send_signal(signal.SIGHUP)
            reloads += 1
        if rng.random() < 0.3:
            c = Client(sock)
            r = c.call("status")
            c.close()
            polls += 1
            if "result" not in r:
                fail("status failed: %s" % r)
        time.sleep(rng.uniform(0.02, 0.3))
        if time.time() >= next_sample:
            rss.append((time.time() - start, rss_kib(d.pid)))
            next_sample += 5
        if d.poll() is not None:
            fail("the daemon exited (status %s)" % d.returncode)

    # Let the last commit be evaluated and published.
    head = git(repo, "rev-parse", "HEAD", out=True)
    t1 = time.time()
    while head not in sub.heads[-5:] and time.time() - t1 < 120:
        time.sleep(0.2)
    sub.stop = True
    sub.join(30)
    rss.append((time.time() - start, rss_kib(d.pid)))
    if sub.errors:
        fail("subscriber: %s" % "; ".join(sub.errors[:5]))
    if head not in sub.heads[-5:]:
        fail("the final head %s was not published in a commits notification" % head[:12])
    c = Client(sock)
    st = c.call("status")["result"]["repositories"][0]
    res = c.call("results")["result"]
    c.close()
    if st["health"] != "ok" or st["commit"] != head:
        fail("status at the end: %s at %s, head %s" % (st["health"], st["commit"], head))

    # The verdicts the daemon built commit by commit against a full check.
    chk = subprocess.run([os.path.join(build, "ismsctl"), "check", "--repo", repo,
                          "--now", now, "--format", "json"], capture_output=True, text=True)
    full = json.loads(chk.stdout)
    a, b = verdicts(res["results"]), verdicts(full["results"])
    diff = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    if diff:
        for k in diff[:5]:
            print("#   %s: daemon %s; full check %s" % (k, a.get(k), b.get(k)))
        fail("%d verdicts differ from a full check of the same commit" % len(diff))

    rc = longrun.stop(d, fail)
    if rc != 0:
        fail("the daemon exited with status %d on SIGTERM" % rc)

    # RSS swings with the evaluation in flight: compare the medians of the
    # first and the last few samples of the second half.
    half = [kib for t, kib in rss if t >= seconds / 2]
    k = max(1, min(3, len(half) // 3))
    early = statistics.median(half[:k]) if half else 0
    late = statistics.median(half[-k:]) if half else 0
    grow = late - early
    print("# %d commits (%d rewrites of history, %d reloads), %d status polls" %
          (commits, rewrites, reloads, polls))
    print("# %d notifications followed across %d reconnects, none missed or repeated" %
          (len(sub.cursors), sub.reconnects))
    if sub.evals:
        print("# evaluation per commit: median %.1f ms, p90 %.1f ms, max %.1f ms" %
              (statistics.median(sub.evals),
               sorted(sub.evals)[int(0.9 * (len(sub.evals) - 1))], max(sub.evals)))
    print("# RSS MiB over time: %s" % ", ".join("%.0fs %.1f" % (t, kib / 1024)
                                                  for t, kib in rss[::max(1, len(rss) // 12)]))
    print("# RSS second half (medians of %d samples): %.1f -> %.1f MiB (%+.1f MiB)" %
          (k, early / 1024, late / 1024, grow / 1024))
    if half and grow > early * 0.10 + 8 * 1024:
        fail("resident memory kept growing over the second half: +%.1f MiB" % (grow / 1024))
    shutil.rmtree(tmp, ignore_errors=True)
    print("ok - %d verdicts equal a full check of the final commit; the daemon exited cleanly"
          % len(a))


if __name__ == "__main__":
    main()
