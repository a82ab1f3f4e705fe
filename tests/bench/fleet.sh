#!/bin/sh
# fleet.sh BUILD_DIR - events per second through NATS and the catch-up
# time of a fleet member restarted empty (tests/bench/fleet.py). Figures
# only, never a failure of the figures.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ISMS_TOP=$(cd "$here/../.." && pwd) exec python3 "$here/fleet.py" "$1" "${FLEET_REPOS:-40}"
