#!/bin/sh
# scheduler.sh - benchmark the scheduler.
#
# usage: sh tests/bench/scheduler.sh BUILD_DIR
#
# 1. Plans a 3-year internal audit programme for 30 requirement clauses
#    and all 93 Annex A controls (applicable in the SoA), 20 auditors who
#    each own some areas, and 5 sites, with a blackout and high risks
#    raising some controls: `ismsctl audit-plan --timing` on a small
#    generated repository.
# 2. Computes the calendar of the large synthetic ISMS (gen-isms.py,
#    BUILD_DIR/bench-isms, generated or reused as run.sh does):
#    `ismsctl calendar --timing`.
# Each is run 5 times; the best in-process time (from --timing, the
# computation alone, after loading) and the best wall time of the whole
# command are printed beside the target (computation under 100 ms). A
# miss is reported, not fatal.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: sh tests/bench/scheduler.sh BUILD_DIR" >&2
	exit 2
fi
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
ismsctl=$build/ismsctl
[ -x "$ismsctl" ] || { echo "scheduler.sh: $ismsctl is not built" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/isms-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

big=$build/bench-isms
want=$(python3 "$here/gen-isms.py" --stamp)
have=$(cat "$big/.git/bench-stamp" 2>/dev/null || true)
if [ "$want" != "$have" ]; then
	echo "generating $big ..."
	python3 "$here/gen-isms.py" "$big" >/dev/null
fi

# The programme repository: 20 auditors, 5 sites, 93 applicable controls.
python3 - "$tmp/prog" "$top/rules/iso27001-2022.json" <<'PY'
import json, os, subprocess, sys
dest, cat = sys.argv[1], json.load(open(sys.argv[2]))
os.makedirs(dest + "/audits")
controls = [c["id"] for c in cat["annex_a"]]
clauses = [c["id"] for c in cat["clauses"] if c["kind"] == "requirement"]
areas = clauses + ["A." + c for c in controls]
with open(dest + "/isms.yaml", "w") as f:
    f.write("organisation: Bench Logistics AG\ntime_zone: Europe/Berlin\n"
            "parameters:\n  audit_sites: [Hamburg, Bremen, Hannover, Kiel, Rostock]\n"
            "  audit_blackouts: [\"2027-12-20/2028-01-06\", \"2028-07-15/2028-08-15\"]\n")
with open(dest + "/soa.yaml", "w") as f:
    f.write("controls:\n")
    for c in controls:
        f.write("  - control: \"%s\"\n    applicable: true\n    justification: risk\n" % c)
with open(dest + "/audits/programme.yaml", "w") as f:
    f.write("cycle_start: 2027-01-01\ncycle_months: 36\nauditors:\n")
    for k in range(20):
        owns = ", ".join('"%s"' % a for a in areas[k * 6:k * 6 + 6])
        f.write("  - person: p-auditor-%02d\n    owns: [%s]\n    capacity_days: 45\n" % (k, owns))
os.makedirs(dest + "/risk")
with open(dest + "/risk/register.yaml", "w") as f:
    f.write("risks:\n")
    for i in range(12):
        f.write("  - id: R-%d\n    title: risk %d\n    likelihood: 4\n    impact: 5\n"
                "    controls: [\"%s\", \"%s\"]\n" % (i, i, controls[i * 7], controls[i * 7 + 3]))
env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", HOME=dest, GIT_AUTHOR_NAME="b",
           GIT_AUTHOR_EMAIL="b@x.invalid", GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@x.invalid")
for cmd in (["git", "init", "-q", "."], ["git", "add", "-A"], ["git", "commit", "-qm", "bench"]):
    subprocess.run(cmd, cwd=dest, env=env, check=True)
PY

exec python3 - "$ismsctl" "$tmp/prog" "$big" "$top/rules" <<'PY'
import re, subprocess, sys, time
ismsctl, prog, big, rules = sys.argv[1:]
RUNS, TARGET = 5, 100.0

def bench(argv):
    inner, wall, line = [], [], ""
    for _ in range(RUNS):
        t0 = time.perf_counter()
        p = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wall.append((time.perf_counter() - t0) * 1000)
        if p.returncode not in (0, 1):
            sys.exit("scheduler.sh: %s exited %d: %s" % (" ".join(argv), p.returncode, p.stderr))
        m = re.search(r"timing: (.*) in ([0-9.]+) ms", p.stderr)
        if not m:
            sys.exit("scheduler.sh: no timing from %s" % " ".join(argv))
        line = m.group(1)
        inner.append(float(m.group(2)))
    return line, min(inner), min(wall)

plan = bench([ismsctl, "audit-plan", "--repo", prog, "--rules", rules, "--now", "2027-01-04",
              "--timing"])
cal = bench([ismsctl, "calendar", "--repo", big, "--now", "2026-11-22", "--timing"])
print()
print("scheduler benchmark (best of %d)" % RUNS)
print("  %-44s %10s %12s %8s" % ("", "compute ms", "command ms", "target"))
for name, (what, inner, wall) in (("audit-plan: 3-year programme", plan),
                                  ("calendar: large synthetic ISMS", cal)):
    print("  %-44s %10.2f %12.1f %8s" % (name, inner, wall,
                                         "PASS" if inner < TARGET else "MISS"))
    print("    %s" % what)
print("  (compute: the planner or calendar alone, target under %d ms; command: the whole\n"
      "   ismsctl run, including loading and parsing the repository)" % TARGET)
PY
