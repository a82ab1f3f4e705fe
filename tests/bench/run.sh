#!/bin/sh
# run.sh - benchmark `ismsctl check` on a large synthetic ISMS.
#
# usage: sh tests/bench/run.sh BUILD_DIR      (make bench runs it)
#
# Generates the repository BUILD_DIR/bench-isms with gen-isms.py (or reuses
# it when its stamp matches the generator), then measures in one run:
#   - `ismsctl check --now 2026-11-22 --format json` on it: wall time, best
#     of 5, and peak resident memory, the highest of the runs;
#   - the baseline, `git cat-file --batch` reading every blob of HEAD's
#     tree: wall time, best of 5;
# and prints them beside the targets (check under 0.5 s and under 150 MB).
# A missed target is reported, not fatal: the exit status is 0 unless the
# generator, git or ismsctl itself fails.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: sh tests/bench/run.sh BUILD_DIR" >&2
	exit 2
fi
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
gen=$here/gen-isms.py
repo=$build/bench-isms
ismsctl=$build/ismsctl

if [ ! -x "$ismsctl" ]; then
	echo "run.sh: $ismsctl is not built (run make all)" >&2
	exit 1
fi

want=$(python3 "$gen" --stamp)
have=$(cat "$repo/.git/bench-stamp" 2>/dev/null || true)
if [ "$want" = "$have" ]; then
	echo "reusing $repo (generator unchanged)"
else
	echo "generating $repo ..."
	python3 "$gen" "$repo"
fi

exec python3 - "$ismsctl" "$repo" "$top/rules" <<'EOF'
import json, os, statistics, subprocess, sys, tempfile, time

ismsctl, repo, rules = sys.argv[1:]
RUNS = 5
TARGET_MS = 500
TARGET_BYTES = 150 * 1000 * 1000
# The tighter targets: within twice what git needs to read the files, and
# under 100 MB (decimal).
TARGET_RATIO = 2.0
TARGET_BYTES_TIGHT = 100 * 1000 * 1000
NOW = "2026-11-22"


def fail(msg):
    sys.stderr.write("run.sh: " + msg + "\n")
    sys.exit(1)


def run(argv, stdin=None, stdout=subprocess.DEVNULL):
    """Run argv once; return (wall seconds, peak RSS bytes, exit status)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdin=stdin or subprocess.DEVNULL, stdout=stdout)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    return wall, ru.ru_maxrss * 1024, p.returncode


def git(*args):
    r = subprocess.run(["git", "-C", repo] + list(args), stdout=subprocess.PIPE, check=False)
    if r.returncode != 0:
        fail("git %s failed" % " ".join(args))
    return r.stdout


check = [ismsctl, "check", "--repo", repo, "--rules", rules, "--now", NOW, "--format", "json"]

# One untimed run keeps the JSON (and warms the page cache); then the
# timed runs write to /dev/null, as a CI job piping the output would.
with tempfile.TemporaryFile() as out:
    _, _, rc = run(check, stdout=out)
    if rc not in (0, 1):
        fail("ismsctl check exited %d: %s" % (rc, " ".join(check)))
    out.seek(0)
    try:
        report = json.load(out)
    except ValueError as e:
        fail("ismsctl check did not print JSON: %s" % e)
times, peak = [], 0
for _ in range(RUNS):
    wall, rss, rc = run(check)
    if rc not in (0, 1):
        fail("ismsctl check exited %d" % rc)
    times.append(wall)
    peak = max(peak, rss)

# The baseline: read the same blobs with git alone.
tree = [line.split(None, 4) for line in git("ls-tree", "-r", "-l", "HEAD").decode().splitlines()]
blobs = [(t[2], int(t[3]), t[4]) for t in tree if t[1] == "blob"]
with tempfile.TemporaryFile() as ids:
    ids.write("".join(b[0] + "\n" for b in blobs).encode())
    base_times, base_peak = [], 0
    for _ in range(RUNS):
        ids.seek(0)
        wall, rss, rc = run(["git", "-C", repo, "cat-file", "--batch"], stdin=ids)
        if rc != 0:
            fail("git cat-file --batch exited %d" % rc)
        base_times.append(wall)
        base_peak = max(base_peak, rss)

# What the repository holds, counted from HEAD: top-level list items of
# the collection files, and one record per Markdown document.
def items(prefix):
    n = 0
    for sha, _, path in blobs:
        if path.startswith(prefix) and path.endswith(".yaml"):
            n += sum(1 for l in git("cat-file", "blob", sha).splitlines() if l.startswith(b"  - "))
    return n

commits = int(git("rev-list", "--count", "HEAD"))
size = sum(b[1] for b in blobs)
docs = sum(1 for b in blobs if b[2].startswith(("policies/", "procedures/")) and b[2].endswith(".md"))

results = report.get("results", [])
counts = report.get("counts", {})
invalid = [r for r in results if r.get("id") == "7.5-records-valid"]
problems = invalid[0].get("findings", []) if invalid else []

best, base = min(times) * 1000, min(base_times) * 1000
mib = lambda b: b / (1024 * 1024)
verdict = lambda ok: "PASS" if ok else "MISS"

print()
print("ismsctl check benchmark: %s" % repo)
print("  %d commits, %d files, %.1f MiB of records in HEAD" % (commits, len(blobs), mib(size)))
print("  records: %d people, %d training, %d assets, %d risks, %d documents"
      % (items("people/personnel.yaml"), items("people/training/"), items("assets/"),
         items("risk/register.yaml"), docs))
print("  rules run: %d; %s" % (len(results), ", ".join(
    "%s %d" % (k, v) for k, v in counts.items())))
print("  record problems (7.5-records-valid findings): %d" % len(problems))
for f in problems[:5]:
    print("    %s:%s: %s" % (f.get("file"), f.get("line"), f.get("message")))
print()
print("  %-34s %10s %10s %14s" % ("", "wall ms", "median ms", "peak RSS MiB"))
print("  %-34s %10.1f %10.1f %14.1f" % ("ismsctl check (best of %d)" % RUNS, best,
                                         statistics.median(times) * 1000, mib(peak)))
print("  %-34s %10.1f %10.1f %14.1f" % ("git cat-file --batch (best of %d)" % RUNS, base,
                                         statistics.median(base_times) * 1000, mib(base_peak)))
print("  %-34s %10.1fx" % ("ratio check / cat-file", best / base if base > 0 else 0.0))
print()
print("  %-34s %14s %8s" % ("target", "measured", "result"))
print("  %-34s %11.1f ms %8s" % ("check wall time under 500 ms", best,
                                  verdict(best < TARGET_MS)))
print("  %-34s %10.1f MiB %8s" % ("check peak RSS under 150 MB", mib(peak),
                                   verdict(peak < TARGET_BYTES)))
print("  %-34s %12.1fx %8s" % ("check under 2x git cat-file", best / base if base > 0 else 0.0,
                                  verdict(base > 0 and best < TARGET_RATIO * base)))
print("  %-34s %10.1f MiB %8s" % ("check peak RSS under 100 MB", mib(peak),
                                   verdict(peak < TARGET_BYTES_TIGHT)))
print("  (150 MB = %.1f MiB, 100 MB = %.1f MiB)" % (mib(TARGET_BYTES), mib(TARGET_BYTES_TIGHT)))
EOF
