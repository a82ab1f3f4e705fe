#!/usr/bin/env python3
"""torture.py - kill -9 the daemon at random moments while commits land.

usage: python3 tests/soak/torture.py BUILD_DIR COMMITS [SEED]

`make torture` runs it (TORTURE_COMMITS commits, default 150). It starts
BUILD_DIR/ismsd on a clone of the example ISMS (BUILD_DIR/example-isms)
and makes COMMITS commits, each of which changes verdicts (a broken
record file added, then taken away again: findings appear and resolve).
After a commit it kills the daemon with SIGKILL, at a random moment or the
instant the evaluation's first line reaches the journal, and starts it
again on the same state directory; else it waits for the evaluation. A subscriber
follows every topic and, whenever the daemon is gone, reconnects with the
last cursor it saw.

It prints the counts and exits 1 when any is not 0:
- lost: commits that never got a `commits` notification, and cursors the
  subscriber never saw (a gap);
- duplicated: commits with more than one `commits` notification, and
  cursors seen twice;
- history: commits missing from the daemon's `history` at the end.
The seed in the first line of output repeats a run.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import longrun  # noqa: E402

NOW = "2026-03-01T12:00:00Z"


def fail(why):
    print("not ok - %s" % why)
    sys.exit(1)


def call(sock, method, params=None, timeout=30):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(timeout)
    s.connect(sock)
    f = s.makefile("rb")
    s.sendall(json.dumps({"jsonrpc": "2.0", "id": 1, "method": method,
                          "params": params or {}}).encode() + b"\n")
    try:
        while True:
            m = json.loads(f.readline())
            if "id" in m:
                return m
    finally:
        f.close()
        s.close()


class Subscriber(threading.Thread):
    """Every notification once, in order, across the daemon's deaths."""

    def __init__(self, sock):
        super().__init__(daemon=True)
        self.sock = sock
        self.last = None
        self.seen = []     # cursors, in the order received
        self.commits = []  # the commit of each commits notification
        self.stop = False
        self.lock = threading.Lock()

    def run(self):
        while not self.stop:
            try:
                s = socket.socket(socket.AF_UNIX)
                s.settimeout(5)
                s.connect(self.sock)
                f = s.makefile("rb")
                p = {} if self.last is None else {"cursor": self.last}
                s.sendall(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "subscribe",
                                      "params": p}).encode() + b"\n")
                s.settimeout(1)
                while not self.stop:
                    try:
                        line = f.readline()
                    except (socket.timeout, TimeoutError):
                        continue
                    if not line:
                        break
                    m = json.loads(line)
                    if "id" in m:
                        if self.last is None and "result" in m:
                            self.last = m["result"].get("cursor", 0)
                        continue
                    cur = m["params"]["cursor"]
                    with self.lock:
                        self.seen.append(cur)
                        self.last = cur
                        if m["params"]["topic"] == "commits":
                            self.commits.append(m["params"]["data"]["commit"])
                f.close()
                s.close()
            except (OSError, ValueError):
                time.sleep(0.05)


def git(repo, *args):
    r = subprocess.run(["git", "-C", repo] + list(args), check=True, capture_output=True,
                       text=True)
    return r.stdout.strip()


def main():
    build, ncommits, seed, rng = longrun.args(__doc__)
    ncommits = int(ncommits)
    print("# torture: seed %d, %d commits, %s/ismsd" % (seed, ncommits, build))
    tmp = tempfile.mkdtemp(prefix="ismsd-torture.")
    repo, sock = os.path.join(tmp, "repo"), os.path.join(tmp, "s")
    subprocess.run(["git", "clone", "-q", os.path.join(build, "example-isms"), repo], check=True)
    git(repo, "config", "user.name", "Torture Test")
    git(repo, "config", "user.email", "torture@example.org")
    conf = os.path.join(tmp, "ismsd.conf")
    with open(conf, "w") as f:
        f.write("socket: %s\nstate_dir: %s/state\nrepositories:\n  - name: t\n"
                "    path: %s\n    poll_interval: 1\n" % (sock, tmp, repo))
    log = open(os.path.join(tmp, "ismsd.log"), "w+")
    argv = [os.path.join(build, "ismsd"), "-f", "-c", conf, "--now", NOW]

    def ready(d, want=None, limit=60):
        t0 = time.time()
        while time.time() - t0 < limit:
            if d.poll() is not None:
                fail("the daemon exited (status %s); see %s" % (d.returncode, log.name))
            try:
                st = call(sock, "status", timeout=5)["result"]["repositories"][0]
                if st["health"] == "ok" and st.get("commit") and \
                        (want is None or st["commit"] == want):
                    return
            except (OSError, ValueError, KeyError):
                pass
            time.sleep(0.02)
        fail("the daemon did not evaluate %s within %d s" % (want or "the head", limit))

    journal = os.path.join(tmp, "state", "journal.jsonl")
    d = longrun.start(argv, log)
    ready(d)
    sub = Subscriber(sock)
    sub.start()
    made, kills = [], 0
    for i in range(ncommits):
        bad = os.path.join(repo, "risk", "torture.yaml")
        if os.path.exists(bad):
            os.unlink(bad)
        else:
            with open(bad, "w") as f:
                f.write("risks:\n  - id: T-%d\n    title: [unclosed\n" % i)
        git(repo, "add", "-A")
        size = os.path.getsize(journal) if os.path.exists(journal) else 0
        git(repo, "commit", "-q", "-m", "torture %d" % i)
        head = git(repo, "rev-parse", "HEAD")
        made.append(head)
        how = rng.random()
        if how < 0.6:
            if how < 0.3:
                time.sleep(rng.uniform(0, 0.15))
            else:
                # The moment the evaluation's first line reaches the
                # journal: where a publication split over several writes
                # is cut in two.
                t0 = time.time()
                while os.path.getsize(journal) == size and time.time() - t0 < 10:
                    pass
            d.kill()
            d.wait()
            kills += 1
            d = longrun.start(argv, log)
        ready(d, head)
    time.sleep(1.5)  # the subscriber's last reads
    sub.stop = True
    hist = call(sock, "history", {"limit": 100000})
    longrun.stop(d, fail)
    sub.join(5)

    with sub.lock:
        seen, commits = list(sub.seen), list(sub.commits)
    lost_commits = [c for c in made if commits.count(c) == 0]
    dup_commits = [c for c in made if commits.count(c) > 1]
    gaps = sum(b - a - 1 for a, b in zip(seen, seen[1:]) if b > a + 1)
    repeats = sum(1 for a, b in zip(seen, seen[1:]) if b <= a)
    in_history = {e["commit"] for e in hist["result"]["commits"]}
    missing = [c for c in made if c not in in_history]
    print("# %d commits, %d kills, %d notifications seen" % (len(made), kills, len(seen)))
    print("lost: %d commits without a commits notification, %d cursors never seen"
          % (len(lost_commits), gaps))
    print("duplicated: %d commits notified twice, %d cursors seen twice"
          % (len(dup_commits), repeats))
    print("history: %d commits missing" % len(missing))
    bad = len(lost_commits) + gaps + len(dup_commits) + repeats + len(missing)
    if bad:
        print("# daemon log: %s" % log.name)
        fail("%d notifications lost or repeated across %d kills (seed %d)" % (bad, kills, seed))
    print("ok - every commit published exactly once across %d kills" % kills)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
