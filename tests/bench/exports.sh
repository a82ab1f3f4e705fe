#!/bin/sh
# exports.sh - time the exports on the large synthetic ISMS (the
# repository tests/bench/run.sh generates): ismsctl soa as Markdown, CSV,
# HTML and JSON, check --format oscal, and the report (which evaluates 12
# more commits for its trend), each beside check --format json, the
# evaluation they all start from. Best of 3, printed beside the target of
# one second; a miss is reported, not fatal.
#
# usage: sh tests/bench/exports.sh BUILD_DIR      (make bench runs it)
set -eu
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
repo=$build/bench-isms
[ -d "$repo/.git" ] || python3 "$here/gen-isms.py" "$repo"
exec python3 - "$build/ismsctl" "$repo" "$here/../../rules" <<'PY'
import os, subprocess, sys, time

ismsctl, repo, rules = sys.argv[1:]
env = dict(os.environ, ISMS_RULES=rules)
cases = [
    ("check json (the evaluation alone)", ["check", "--format", "json"]),
    ("soa markdown", ["soa", "--format", "markdown"]),
    ("soa csv", ["soa", "--format", "csv"]),
    ("soa html", ["soa", "--format", "html"]),
    ("soa json", ["soa", "--format", "json"]),
    ("check oscal", ["check", "--format", "oscal"]),
    ("report html (with 12-month trend)", ["report", "--format", "html"]),
]
print("exports on %s (target: each under 1 s; the export's own share is the time"
      " beyond check json)" % repo)
base = None
for name, args in cases:
    best = None
    for _ in range(3):
        t0 = time.perf_counter()
        p = subprocess.run([ismsctl] + args + ["--repo", repo, "--now", "2026-11-22"],
                           stdout=subprocess.DEVNULL, env=env)
        dt = time.perf_counter() - t0
        if p.returncode not in (0, 1):
            sys.exit("exports.sh: %s failed with %d" % (name, p.returncode))
        best = dt if best is None else min(best, dt)
    if base is None:
        base = best
    print("  %-36s %7.0f ms  (+%5.0f ms over the evaluation)  %s"
          % (name, best * 1000, (best - base) * 1000, "ok" if best < 1 else "OVER 1 s"))
PY
