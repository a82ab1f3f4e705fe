#!/bin/sh
# The syslog plugin in a real daemon, against Python listeners: a local
# datagram socket that does not read for a while (it fills after ten
# messages) loses nothing and status shows 0 dropped; one with a queue of
# two drops, and status counts exactly what was lost; a UDP collector; a
# TCP collector that checks octet-counting frames (RFC 6587), is stopped
# and started again, and gets what was sent meanwhile after the plugin
# reconnects. A record value with line breaks, control characters and
# something that looks like a frame or a syslog header forges no message.
. "$(dirname "$0")/daemon.sh"

example_clone "$T/repo"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
p_udp=$(free_port); p_tcp=$(free_port)

# listen.py MODE ADDR OUT [GO]: each message received becomes one JSON
# string line in OUT; a unix listener reads nothing until the file GO
# exists. The TCP one reads octet-counted frames and writes
# {"bad": ...} for anything that is not one.
cat > "$T/listen.py" <<'PY'
import json, os, socket, sys, time
mode, addr, out, go = sys.argv[1], sys.argv[2], sys.argv[3], (sys.argv[4:] or [None])[0]
f = open(out, "a", buffering=1)
def put(m):
    f.write(json.dumps(m.decode("utf-8", "backslashreplace")) + "\n")
if mode in ("unix", "udp"):
    if mode == "unix":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(addr)
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(addr)))
    open(out + ".ready", "w").close()
    while go and not os.path.exists(go):
        time.sleep(0.05)
    s.settimeout(60)
    while True:
        put(s.recv(65536))
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(addr))); s.listen(4)
open(out + ".ready", "w").close()
while True:
    c, _ = s.accept()
    buf = b""
    while True:
        d = c.recv(65536)
        if not d:
            break
        buf += d
        while True:
            sp = buf.find(b" ")
            if sp < 0:
                break
            n = buf[:sp]
            if not n.isdigit() or n.startswith(b"0") or sp > 5:
                f.write(json.dumps({"bad": buf[:80].decode("latin-1")}) + "\n"); buf = b""; break
            if len(buf) < sp + 1 + int(n):
                break
            put(buf[sp + 1:sp + 1 + int(n)]); buf = buf[sp + 1 + int(n):]
    if buf:
        f.write(json.dumps({"bad": "cut: " + buf[:80].decode("latin-1")}) + "\n")
    c.close()
PY
listen() { # listen NAME MODE ADDR [GO]: start a listener, wait until bound
	python3 "$T/listen.py" "$2" "$3" "$T/$1.out" ${4:+"$4"} &
	eval "L_$1=\$!"
	i=0; while [ $i -lt 100 ] && [ ! -e "$T/$1.out.ready" ]; do sleep 0.05; i=$((i + 1)); done
	rm -f "$T/$1.out.ready"
}
listen local unix "$T/local.sock" "$T/local.go"
listen tiny unix "$T/tiny.sock" "$T/tiny.go"
listen udp udp "$p_udp"
listen tcp tcp "$p_tcp"
trap 'kill $L_local $L_tiny $L_udp $L_tcp 2>/dev/null; stop_ismsd; rm -rf "$T"' EXIT INT TERM

EV="[evaluation-finished, finding-raised, finding-resolved, reminder-due, commit-seen]"
cat > "$T/ismsd.conf" <<CONF
repositories:
  - name: isms
    path: $T/repo
plugins:
  - name: local
    path: syslog
    config: { socket: "$T/local.sock", events: $EV, backoff_max: 0.2 }
  - name: tiny
    path: syslog
    config: { socket: "$T/tiny.sock", events: $EV, queue: 2, backoff_max: 0.2 }
  - name: udp
    path: syslog
    config: { transport: udp, host: 127.0.0.1, port: $p_udp, events: $EV }
  - name: tcp
    path: syslog
    config: { transport: tcp, host: 127.0.0.1, port: "$p_tcp", events: $EV, backoff_max: 0.2 }
CONF
out=$($ISMSD -t -c "$T/ismsd.conf" 2>&1)
ok $? "ismsd -t accepts unix, udp and tcp destinations"

# Bad destinations: refused by ismsd -t with the plugin's file and line.
cat > "$T/bad.conf" <<CONF
repositories:
  - name: isms
    path: $T/repo
plugins:
  - name: smoke
    path: syslog
    config: { transport: smoke-signals }
  - name: noport
    path: syslog
    config: { transport: tcp, host: 127.0.0.1, port: 99999 }
  - name: nohost
    path: syslog
    config: { transport: udp }
CONF
out=$($ISMSD -t -c "$T/bad.conf" 2>&1); rc=$?
is "$rc" 1 "ismsd -t refuses bad syslog destinations"
like "$out" 'bad.conf:5: plugin smoke: its init failed: "transport" must be unix, udp or tcp, not "smoke-signals"' \
	"an unknown transport, with file and line"
like "$out" 'bad.conf:8: plugin noport: its init failed: "port" must be a number from 1 to 65535' \
	"a bad port, with file and line"
like "$out" 'bad.conf:11: plugin nohost: its init failed: transport udp needs "host"' \
	"a missing host, with file and line"

start_ismsd -c "$T/ismsd.conf" --now 2026-11-22 --frozen-clock
ok $? "the daemon starts with four syslog instances"
wait_ready; ok $? "and evaluates"

# wait_st COND: until the status JSON (j) satisfies a Python condition, with
# p(name) the plugin's entry and s(name, counter) its counter (10 s).
wait_st() {
	i=0
	while [ $i -lt 200 ]; do
		"$ISMSCTL_BIN" status --json | python3 -c '
import json, sys
j = json.load(sys.stdin)
p = lambda n: [x for x in j["plugins"] if x["name"] == n][0]
s = lambda n, k: p(n)["stats"].get(k, 0)
sys.exit(0 if eval(sys.argv[1]) else 1)' "$1" && return 0
		sleep 0.05; i=$((i + 1))
	done
	return 1
}
st() { "$ISMSCTL_BIN" status --json | jget "[p for p in j['plugins'] if p['name']=='$1'][0]['stats'].get('$2', 0)"; }
lines() { grep -c . "$T/$1.out" 2>/dev/null || echo 0; }
all_in='p("local")["delivered"] == p("local")["published"]'

# (a) The local socket fills; nothing is lost once the listener reads.
wait_st "$all_in and s('local', 'failed_attempts') > 0 and s('local', 'queued') > 0"
ok $? "the unread socket fills: messages wait in the plugin's queue"
n=$("$ISMSCTL_BIN" status --json | jget "[p for p in j['plugins'] if p['name']=='local'][0]['delivered']")
echo "# $n messages at start-up, $(st local queued) queued behind the full socket"
ok $([ "$n" -gt 12 ]; echo $?) "more messages than the socket holds ($n)"
touch "$T/local.go"
wait_st "s('local', 'sent') == $n and s('local', 'queued') == 0"
ok $? "once the listener reads, every message is sent"
i=0; while [ $i -lt 100 ] && [ "$(lines local)" -lt "$n" ]; do sleep 0.05; i=$((i + 1)); done
is "$(lines local)" "$n" "the listener received all $n"
is "$(st local dropped)" 0 "none dropped"
txt=$("$ISMSCTL_BIN" status)
like "$txt" "local            running  syslog 1.1.0, $n delivered, 0 dropped, 0 queued" \
	"ismsctl status: 0 dropped"
like "$txt" "counters: sent $n, dropped 0, queued 0" "ismsctl status shows the plugin's counters"

# A queue of two behind the full socket: drops, counted exactly.
wait_st "p('tiny')['delivered'] == $n and s('tiny', 'dropped') > 0"
ok $? "the tiny queue overflows"
touch "$T/tiny.go"
wait_st "s('tiny', 'queued') == 0 and s('tiny', 'sent') + s('tiny', 'dropped') == $n"
ok $? "every message is either sent or dropped"
sent=$(st tiny sent); dropped=$(st tiny dropped)
i=0; while [ $i -lt 100 ] && [ "$(lines tiny)" -lt "$sent" ]; do sleep 0.05; i=$((i + 1)); done
sleep 0.2
is "$(lines tiny)" "$sent" "the listener got exactly the $sent sent"
is "$((sent + dropped))" "$n" "and the $dropped dropped are exactly the rest"
like "$("$ISMSCTL_BIN" status)" "tiny             running  syslog 1.1.0, $n delivered, $dropped dropped" \
	"ismsctl status counts the drops"
like "$(cat "$T/ismsd.log")" "plugin tiny: the queue for the syslog socket $T/tiny.sock is full (2 messages)" \
	"the overflow is logged"

# (b) UDP.
wait_st "s('udp', 'sent') == $n"
ok $? "udp: every message sent"
i=0; while [ $i -lt 100 ] && [ "$(lines udp)" -lt "$n" ]; do sleep 0.05; i=$((i + 1)); done
is "$(lines udp)" "$n" "udp: the collector received all $n"

# (c) TCP, octet counting; then the collector stops and starts again.
wait_st "s('tcp', 'sent') == $n"
ok $? "tcp: every message sent"
i=0; while [ $i -lt 100 ] && [ "$(lines tcp)" -lt "$n" ]; do sleep 0.05; i=$((i + 1)); done
is "$(lines tcp)" "$n" "tcp: the collector read $n octet-counted frames"
is "$(grep -c '"bad"' "$T/tcp.out")" 0 "tcp: every frame is well formed"
kill "$L_tcp"; wait "$L_tcp" 2>/dev/null
before=$(st local sent)

# (d) A commit whose record value tries to forge messages and frames.
cd "$T/repo"
sed -i 's/^approved_by: p-katharina-vogt/approved_by: "p-x\\n<13>1 2026-01-01T00:00:00Z forged ismsd 1 finding-raised - FORGED\\r\\n57 <13>1 FORGED2\\u0085\\u2028\\x1b[31m\\t\\x7f]"/' \
	policies/information-security-policy.md
commit_at 2026-11-21 "Policy approved by someone else"
cd - >/dev/null
head=$(cd "$T/repo" && git rev-parse HEAD)
wait_st "s('local', 'sent') > $before and s('local', 'sent') == p('local')['delivered'] and s('tcp', 'failed_attempts') > 0"
ok $? "the commit's messages go out locally while the TCP collector is down"
m=$(( $(st local sent) - before ))
is "$(st tcp queued)" "$m" "tcp: the $m messages wait for the collector"
listen tcp tcp "$p_tcp"
wait_st "s('tcp', 'queued') == 0 and s('tcp', 'sent') == $n + $m"
ok $? "tcp: sent after the plugin reconnects"
i=0; while [ $i -lt 100 ] && [ "$(lines tcp)" -lt $((n + m)) ]; do sleep 0.05; i=$((i + 1)); done
is "$(lines tcp)" "$((n + m))" "tcp: the collector received every message, none lost"
is "$(grep -c '"bad"' "$T/tcp.out")" 0 "tcp: the frames after reconnecting are well formed"
is "$(st tcp dropped)" 0 "tcp: none dropped"
like "$(cat "$T/ismsd.log")" "plugin tcp: cannot send to the tcp collector 127.0.0.1:$p_tcp" \
	"the outage is logged"

# Every message anywhere is one well-formed RFC 5424 line; the forged
# header and frame only show inside the one message that quotes them.
for f in local tcp udp; do
	r=$(python3 - "$T/$f.out" "$head" <<'PY'
import json, re, sys
hdr = re.compile(r'^<\d{1,3}>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \S+ ismsd \d+ [a-z-]+ \[ismsd@32473 repo="isms" cursor="\d+"')
bad, quoting = [], 0
for line in open(sys.argv[1]):
    m = json.loads(line)
    if not isinstance(m, str) or not hdr.match(m) or re.search(r'[\x00-\x1f\x7f\x85\u2028\u2029]', m):
        bad.append(repr(m)[:120])
    if "FORGED" in m:
        quoting += 1
        if "approval on" not in m or "p-x <13>1 2026-01-01T00:00:00Z forged" not in m or \
           "FORGED  57 <13>1 FORGED2   [31m  ]" not in m:
            bad.append("quoted badly: " + repr(m)[:300])
print(len(bad), quoting, bad[:3])
PY
)
	is "$r" "0 1 []" "$f: every message is well formed, the hostile value stays inside one"
done
stop_ismsd
unlike "$(cat "$T/ismsd.log")" "Sanitizer" "no sanitizer report (under make sanitize)"
done_testing
