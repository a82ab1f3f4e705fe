#!/bin/sh
# isms-gate.sh - the ISMS merge-request gate for any CI system.
#
# Evaluates the commit under test against the target branch and fails
# when it adds a nonconformity at or above ISMS_FAIL_ON; writes SARIF and
# JUnit reports for the CI system to show. Needs ismsctl (make install,
# or the Debian package) and a clone with the target branch fetched
# (a shallow clone of depth 1 is not enough: fetch the target too).
#
# Environment (all optional):
#   ISMS_BASE      the ref to compare with (default: origin/main, or the
#                  merge base with it when ISMS_MERGE_BASE=1)
#   ISMS_HEAD      the ref under test (default HEAD)
#   ISMS_FAIL_ON   major, minor (default) or observation
#   ISMS_OUT       directory for the reports (default isms-reports)
#   ISMS_NOW       evaluate as of this date (default: today)
#   ISMSCTL        the ismsctl to run (default: ismsctl from PATH)
#
# Exit status: 0 the gate passes, 1 the change adds findings, 2 the check
# could not run.
set -u
ISMSCTL=${ISMSCTL:-ismsctl}
base=${ISMS_BASE:-origin/main}
head=${ISMS_HEAD:-HEAD}
out=${ISMS_OUT:-isms-reports}
level=${ISMS_FAIL_ON:-minor}
mkdir -p "$out" || exit 2
if [ "${ISMS_MERGE_BASE:-0}" = 1 ]; then
	base=$(git merge-base "$base" "$head") || {
		echo "isms-gate: no merge base of $base and $head (fetch more history)" >&2
		exit 2
	}
fi
git rev-parse --verify -q "$base^{commit}" >/dev/null || {
	echo "isms-gate: the baseline $base is not in this clone; fetch it first" >&2
	exit 2
}
set -- check --repo . --ref "$head" --baseline "$base" --fail-on "$level"
[ -n "${ISMS_NOW:-}" ] && set -- "$@" --now "$ISMS_NOW"
# SARIF and JUnit for the CI system, then the text for the log; the exit
# status of the last decides.
"$ISMSCTL" "$@" --format sarif > "$out/isms.sarif"
rc=$?
[ "$rc" -ge 2 ] && exit "$rc"
"$ISMSCTL" "$@" --format junit > "$out/isms-junit.xml"
"$ISMSCTL" "$@" --format text | tee "$out/isms.txt"
exit "$rc"
