#!/bin/sh
# Readiness for systemd (Type=notify): a fake service manager, a Python
# datagram socket named by NOTIFY_SOCKET, receives READY=1 once the daemon
# serves, RELOADING=1 then READY=1 around a SIGHUP, and STOPPING=1 on
# SIGTERM, each with a STATUS= line. Without NOTIFY_SOCKET nothing breaks.
. "$(dirname "$0")/daemon.sh"

example_clone "$T/repo"
NSOCK="$T/notify.sock"
MSGS="$T/notify.log"

# The listener writes each datagram as one line, fields joined by '|'.
python3 - "$NSOCK" "$MSGS" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(60)
with open(sys.argv[2], "a", buffering=1) as out:
    out.write("LISTENING\n")
    try:
        while True:
            m = s.recv(4096).decode()
            out.write("|".join(m.strip().split("\n")) + "\n")
            if "STOPPING=1" in m:
                break
    except socket.timeout:
        pass
PY
LPID=$!
i=0; while [ $i -lt 100 ] && ! grep -q LISTENING "$MSGS" 2>/dev/null; do sleep 0.05; i=$((i + 1)); done

# wait_msg N PATTERN: until line N or later of the log matches PATTERN.
wait_msg() {
	i=0
	while [ $i -lt 200 ]; do
		tail -n +"$1" "$MSGS" | grep -q -- "$2" && return 0
		sleep 0.05; i=$((i + 1))
	done
	return 1
}
lines() { wc -l < "$MSGS"; }

NOTIFY_SOCKET="$NSOCK" start_ismsd --repo "$T/repo" --now 2026-11-22 --frozen-clock
ok $? "the daemon starts with NOTIFY_SOCKET set"
wait_msg 1 "^READY=1|STATUS=serving 1 repository on $SOCK"
ok $? "READY=1 with a status line once it serves"

n=$(($(lines) + 1))
kill -HUP "$ISMSD_PID"
wait_msg "$n" "^READY=1|STATUS=reloaded; serving 1 repository"
ok $? "READY=1 again after a SIGHUP"
got=$(tail -n +"$n" "$MSGS" | cut -d'|' -f1 | tr '\n' ' ')
like "$got" "RELOADING=1 READY=1" "RELOADING=1 comes before it"
like "$(tail -n +"$n" "$MSGS")" "MONOTONIC_USEC=" "RELOADING=1 carries MONOTONIC_USEC"
"$ISMSCTL_BIN" call status >/dev/null 2>&1; ok $? "the daemon still answers after the reload"

n=$(($(lines) + 1))
stop_ismsd
wait_msg "$n" "^STOPPING=1"
ok $? "STOPPING=1 on SIGTERM"
wait "$LPID" 2>/dev/null

# No service manager: the same daemon starts and stops as before.
start_ismsd --repo "$T/repo" --now 2026-11-22 --frozen-clock
ok $? "without NOTIFY_SOCKET the daemon starts"
stop_ismsd
like "$(cat "$T/ismsd.log")" "stopped" "and stops cleanly"
done_testing
