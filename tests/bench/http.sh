#!/bin/sh
# http.sh - benchmark ismsd's HTTP API and event stream on the example
# ISMS, in one run with the Unix socket for comparison.
#
# usage: sh tests/bench/http.sh BUILD_DIR      (make bench runs it)
#
#   - `status` requests per second, 50 keep-alive connections over HTTP
#     (BUILD_DIR/httpgen, tests/bench/httpgen.c), beside the same method on
#     the Unix socket with 50 connections (BUILD_DIR/loadgen); then
#     `summary` both ways;
#   - 1,000 event streams (GET /api/events) open at once, a commit, and
#     how long until every stream has its event.
# Figures are printed; a missed target is reported, never fatal.
set -eu

build=$(cd "$1" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
for b in ismsd loadgen httpgen example-isms; do
	[ -e "$build/$b" ] || { echo "http.sh: $build/$b is missing (make bench)" >&2; exit 1; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/isms-bench-http.XXXXXX")
daemon=
trap '[ -n "$daemon" ] && kill "$daemon" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT INT TERM
export HOME="$T/home" GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.invalid
git clone -q "$build/example-isms" "$T/repo"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
token=bench-token-0123456789abcdef
echo "$token read" >"$T/tokens"
cat >"$T/ismsd.conf" <<CONF
max_clients: 4000
http:
  listen: 127.0.0.1:$port
  tokens: $T/tokens
repositories:
  - name: example
    path: $T/repo
    poll_interval: 0
CONF
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
"$build/ismsd" -f -c "$T/ismsd.conf" --socket "$T/s" --state-dir "$T/state" \
	--rules "$top/rules" --now 2026-11-22 --log-level warning 2>"$T/ismsd.log" &
daemon=$!
i=0
until ISMS_SOCKET="$T/s" "$build/ismsctl" status --json 2>/dev/null | grep -q '"health": "ok"'; do
	i=$((i + 1)); [ $i -lt 600 ] || { echo "http.sh: the daemon did not start" >&2; exit 1; }
	sleep 0.1
done

echo "HTTP API and Unix socket, same daemon, same run (50 connections, 3 s each):"
for m in status summary; do
	s=$("$build/loadgen" -s "$T/s" -c 50 -t 3 -r "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$m\"}" 2>&1 |
		awk '/^requests\/s:/ {r=$2} /^latency/ {p50=$4; p99=$8} END {printf "%s requests/s, p50 %s ms, p99 %s ms", r, p50, p99}')
	h=$("$build/httpgen" -p "$port" -k "$token" -c 50 -t 3 -u "/api/$m" 2>&1 | tail -1 | sed 's/^.*s: //')
	echo "  $m, Unix socket: $s"
	echo "  $m, HTTP:        $h"
done

echo "1,000 event streams (GET /api/events), one commit:"
"$build/httpgen" -p "$port" -k "$token" -e 1000 -t 60 >"$T/sse.out" 2>&1 &
gen=$!
i=0
until grep -q ready "$T/sse.out" 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 600 ] || ! kill -0 $gen 2>/dev/null; then cat "$T/sse.out"; exit 1; fi
	sleep 0.1
done
sed 's/^/  /' "$T/sse.out"
t0=$(date +%s%N)
sed -i 's/^approved_by: p-katharina-vogt/approved_by: p-nobody-at-all/' "$T/repo/policies/information-security-policy.md"
git -C "$T/repo" commit -qam "Policy approved by someone else"
ISMS_SOCKET="$T/s" "$build/ismsctl" sync >/dev/null
rc=0
wait $gen || rc=$?
t1=$(date +%s%N)
tail -1 "$T/sse.out" | sed 's/^/  /'
echo "  commit to the last stream's event: $(( (t1 - t0) / 1000000 )) ms (target: under 2000 ms)"
rss=$(awk '/VmRSS/ {print $2}' /proc/$daemon/status)
echo "  daemon resident memory with 1,000 streams open: $((rss / 1024)) MiB"
[ $rc -eq 0 ] || echo "  MISSED: not every stream received the event"
