# daemon.sh - helpers for the daemon's integration tests: a private ismsd
# on a unique socket in the test's sandbox, stopped on exit. Source it
# after nothing else: it sources lib.sh.
. "$(dirname "$0")/../lib.sh"

ISMSD="${ISMS_WRAP:-} $ISMS_BUILD/ismsd"
ISMSCTL_BIN="$ISMS_BUILD/ismsctl"
SOCK="$T/ismsd.sock"
STATE="$T/state"
export ISMS_SOCKET="$SOCK"
ISMSD_PID=

stop_ismsd() { # stop the daemon with SIGTERM and wait for it
	if [ -n "$ISMSD_PID" ]; then
		kill "$ISMSD_PID" 2>/dev/null
		wait "$ISMSD_PID" 2>/dev/null
		ISMSD_PID=
	fi
}
trap 'stop_ismsd; rm -rf "$T"' EXIT INT TERM

start_ismsd() { # start_ismsd ARGS...: foreground daemon, wait for its socket
	$ISMSD -f --socket "$SOCK" --state-dir "$STATE" "$@" >>"$T/ismsd.log" 2>&1 &
	ISMSD_PID=$!
	i=0
	while [ $i -lt 400 ]; do
		kill -0 "$ISMSD_PID" 2>/dev/null || return 1
		"$ISMSCTL_BIN" call status >/dev/null 2>&1 && return 0
		sleep 0.05; i=$((i + 1))
	done
	return 1
}

# jget EXPR: evaluate a Python expression over the JSON on stdin (as j).
jget() {
	python3 -c 'import json,sys; j=json.load(sys.stdin); v=eval(sys.argv[1]); print(v if not isinstance(v,(dict,list,bool)) or v is None else json.dumps(v, sort_keys=True))' "$1"
}

# wait_ready: until the first repository has been evaluated (10 s).
wait_ready() {
	i=0
	while [ $i -lt 200 ]; do
		h=$("$ISMSCTL_BIN" status --json 2>/dev/null | jget 'j["repositories"][0]["health"] + " " + str(j["repositories"][0]["commit"])' 2>/dev/null)
		case "$h" in ok\ [0-9a-f]*) return 0 ;; esac
		sleep 0.05; i=$((i + 1))
	done
	return 1
}

# example_clone DIR: a copy of the example ISMS repository with its history.
# Without it nothing after makes sense, and a command meant for the copy
# could run in the directory the tests were started from: stop there.
example_clone() {
	if ! git clone -q "$ISMS_BUILD/example-isms" "$1"; then
		echo "Bail out! no example repository at $ISMS_BUILD/example-isms (make $ISMS_BUILD/example-isms/.git/HEAD)"
		exit 1
	fi
}

# The verdicts and findings of a full offline check of $T/repo as of
# $NOW, one line a rule; and the same from the daemon's published results.
full_verdicts() {
	$ISMSCTL check --repo "$T/repo" --now $NOW --format json |
		jget '"\n".join(sorted(r["id"]+" "+r["status"]+" "+json.dumps(r["findings"],sort_keys=True) for r in j["results"]))'
}
daemon_verdicts() {
	"$ISMSCTL_BIN" results --json |
		jget '"\n".join(sorted(r["id"]+" "+r["status"]+" "+json.dumps(r["findings"],sort_keys=True) for r in j["results"]))'
}

# commit_and_compare WHAT: commit the work tree of $T/repo, wait for the
# daemon to publish the commit, and compare its verdicts with a full
# check ($T/full, $T/inc; a test each). RUN is how many rules ran.
commit_and_compare() {
	cursor=$("$ISMSCTL_BIN" status --json | jget 'j["cursor"]')
	"$ISMSCTL_BIN" watch --json --topics commits --cursor "$cursor" --count 1 --timeout 30 > "$T/watch" &
	w=$!
	(cd "$T/repo" && commit_at 2026-11-21 "$1")
	wait $w
	head=$(cd "$T/repo" && git rev-parse HEAD)
	is "$(jget 'j["params"]["data"]["commit"]' < "$T/watch")" "$head" "$1: evaluated"
	RUN=$(jget 'j["params"]["data"]["rules_run"]' < "$T/watch")
	full_verdicts > "$T/full"
	daemon_verdicts > "$T/inc"
	if cmp -s "$T/full" "$T/inc"; then ok 0 "$1: verdicts and findings equal a full check"
	else
		diff "$T/full" "$T/inc" | head -20 | sed 's/^/# /'
		ok 1 "$1: verdicts and findings equal a full check"
	fi
}
