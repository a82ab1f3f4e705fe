#!/usr/bin/env python3
"""subscribers.py - what idle subscribers cost the daemon in memory.

usage: python3 tests/bench/subscribers.py BUILD_DIR [REPO] [N]

Starts a private ismsd on a clone of REPO (default BUILD_DIR/bench-isms),
waits for its first evaluation and reads its resident memory (VmRSS in
/proc/PID/status) with no client; then connects N (default 10,000)
clients that each subscribe to commits, reads it again, makes one commit
that every subscriber receives, and reads it a last time with the peak
(VmHWM). The difference over N is the cost of one idle subscriber,
measured apart from what the evaluated ISMS holds: run it on the small
example repository and on the benchmark ISMS to see both. Figures only;
the exit status is non-zero only when the daemon or git fails.
"""
import os, resource, shutil, signal, subprocess, sys, tempfile, time

import benchlib


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: subscribers.py BUILD_DIR [REPO] [N]")
    build = os.path.abspath(sys.argv[1])
    repo = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else build + "/bench-isms"
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < n + 100:
        sys.exit("subscribers.py: %d clients need more open files than the limit %d" % (n, hard))
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    T = tempfile.mkdtemp(prefix="isms-subs.")
    env = dict(os.environ, HOME=T, GIT_CONFIG_NOSYSTEM="1",
               GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="bench@example.invalid",
               GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="bench@example.invalid")
    work = T + "/repo"
    subprocess.run(["git", "clone", "-q", repo, work], check=True, env=env)
    with open(T + "/ismsd.conf", "w") as f:
        f.write("max_clients: %d\nrepositories:\n  - name: r\n    path: %s\n    poll_interval: 0\n"
                % (n + 100, work))
    sock = T + "/s"
    log = open(T + "/ismsd.log", "w")
    d = subprocess.Popen([build + "/ismsd", "-f", "-c", T + "/ismsd.conf", "--socket", sock,
                          "--state-dir", T + "/state", "--rules", top + "/rules",
                          "--now", "2026-11-22", "--log-level", "warning"],
                         stderr=log, env=env)
    subs = []
    try:
        run(d, sock, work, repo, n, subs, env)
    finally:
        for s in subs:
            s.close()
        d.send_signal(signal.SIGTERM)
        try:
            d.wait(30)
        except subprocess.TimeoutExpired:
            d.kill()
        shutil.rmtree(T, ignore_errors=True)


def run(d, sock, work, repo, n, subs, env):
    t0 = time.time()
    while True:
        if d.poll() is not None:
            sys.exit("subscribers.py: the daemon exited (status %d)" % d.returncode)
        if time.time() - t0 > 600:
            sys.exit("subscribers.py: the daemon did not evaluate the repository")
        try:
            r = benchlib.reply(sock, "status")["result"]["repositories"][0]
            if r["health"] == "ok" and r["commit"]:
                break
        except (FileNotFoundError, ConnectionRefusedError, KeyError):
            pass
        time.sleep(0.1)
    time.sleep(1)  # the evaluation's heap handed back
    rss0, hwm0 = benchlib.memory(d.pid)
    mine, sel = benchlib.subscribe(sock, n)
    subs.extend(mine)
    rss1, _ = benchlib.memory(d.pid)
    path = None
    for dirpath, _, files in os.walk(work):
        if ".git" in dirpath:
            continue
        md = [x for x in files if x.endswith(".md")]
        if md and dirpath != work:
            path = os.path.join(dirpath, sorted(md)[0])
            break
    with open(path, "a") as f:
        f.write("\nOne more edit.\n")
    subprocess.run(["git", "-C", work, "commit", "-qam", "fan-out"], check=True, env=env)
    got = set()
    t1 = time.perf_counter()
    while len(got) < n and time.perf_counter() - t1 < 60:
        for key, _ in sel.select(timeout=1):
            if key.fileobj.recv(65536):
                got.add(key.fileobj)
    fan = (time.perf_counter() - t1) * 1000
    time.sleep(0.5)
    rss2, hwm2 = benchlib.memory(d.pid)
    name = os.path.basename(repo.rstrip("/"))
    print("%s: daemon RSS with no client %.1f MB; with %d idle subscribers %.1f MB; "
          "after one event to all (%d received in %.0f ms) %.1f MB, peak %.1f MB"
          % (name, rss0, n, rss1, len(got), fan, rss2, hwm2))
    print("  per idle subscriber: %.1f KB (RSS with %d subscribers - RSS with none, over %d)"
          % ((rss1 - rss0) * 1024 / n, n, n))
    if len(got) < n:
        print("  only %d of %d subscribers received the event" % (len(got), n))


if __name__ == "__main__":
    main()
