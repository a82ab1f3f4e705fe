#!/bin/sh
# Protocol cases from tests/daemon/protocol/*.txt, then hostile input:
# a 10 MiB line, an unauthorised write, a client that never reads.
. "$(dirname "$0")/daemon.sh"

example_clone "$T/repo"
cat > "$T/ismsd.conf" <<CONF
write_users: [54321]
subscriber_buffer: 65536
max_message: 1048576
repositories:
  - name: acme
    path: $T/repo
CONF
start_ismsd -c "$T/ismsd.conf" --now 2026-11-22
wait_ready; ok $? "daemon ready"

python3 - "$SOCK" "$(dirname "$0")/protocol" > "$T/cases" <<'PY'
import glob, json, os, socket, sys, time
sock, casedir = sys.argv[1:]
n = 0
fails = 0
def report(good, what, extra=""):
    global n, fails
    n += 1
    print("%d %s" % (0 if good else 1, what))
    if not good:
        fails += 1
        if extra: print("# " + extra.replace("\n", " "))
def subset(want, got):
    if isinstance(want, dict):
        return isinstance(got, dict) and all(k in got and subset(v, got[k]) for k, v in want.items())
    if isinstance(want, list):
        return isinstance(got, list) and len(want) <= len(got) and all(subset(w, g) for w, g in zip(want, got))
    return want == got
def connect():
    s = socket.socket(socket.AF_UNIX); s.connect(sock); s.settimeout(10)
    return s, s.makefile("rb")
for path in sorted(glob.glob(os.path.join(casedir, "*.txt"))):
    if os.path.basename(path) == "write.txt":
        continue
    s, f = connect()
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("> "):
            sent = line[2:]
            s.sendall(sent.encode() + b"\n")
        elif line.startswith("< "):
            want = json.loads(line[2:])
            got = f.readline()
            try:
                ok = subset(want, json.loads(got))
            except ValueError:
                ok = False
            report(ok, "%s: %s" % (os.path.basename(path), sent[:60]), "got %s" % got[:400])
    f.close(); s.close()

# A 10 MiB line: an error reply, then the connection is closed.
s, f = connect()
try:
    s.sendall(b"{" + b" " * (10 << 20) + b"}\n")
except OSError:
    pass
got = f.readline()
report(b"-32600" in got and b"longer than" in got, "a 10 MiB line gets an error", got[:200].decode(errors="replace"))
report(f.readline() == b"", "and the connection is closed")
f.close(); s.close()

# A client that subscribes and never reads is dropped once its buffer
# passes subscriber_buffer; the daemon keeps answering others.
s = socket.socket(socket.AF_UNIX); s.connect(sock)
s.sendall(b'{"jsonrpc":"2.0","id":1,"method":"subscribe","params":{"cursor":0}}\n')
s.setblocking(False)
req = b'{"jsonrpc":"2.0","id":2,"method":"results"}\n'
for i in range(2000):
    try:
        s.sendall(req)
    except OSError:
        break
clients = -1
for i in range(60):
    o, of = connect()
    o.sendall(b'{"jsonrpc":"2.0","id":1,"method":"status"}\n')
    clients = json.loads(of.readline())["result"]["clients"]
    of.close(); o.close()
    if clients == 1:
        break
    time.sleep(0.05)
report(clients == 1, "a client that never reads is dropped")
o, of = connect()
s.close(); of.close(); o.close()
sys.exit(1 if fails else 0)
PY
ok $? "protocol cases ran"
while read -r st desc; do
	case "$st" in
	\#) echo "#   $desc" ;;
	*) ok "$st" "$desc" ;;
	esac
done < "$T/cases"

# Write methods from a peer not allowed by write_users.
out=$("$ISMSCTL_BIN" sync 2>&1); rc=$?
is "$rc" 2 "sync is refused to a user not in write_users"
like "$out" "not authorised" "and the reason is given"
python3 - "$SOCK" "$(dirname "$0")/protocol/write.txt" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile("rb")
bad = 0
for line in open(sys.argv[2]):
    if line.startswith("> "): s.sendall(line[2:].encode())
    elif line.startswith("< "):
        want = json.loads(line[2:]); got = json.loads(f.readline())
        if want["id"] != got["id"] or ("error" in want) != ("error" in got) or \
           ("error" in want and want["error"]["code"] != got["error"]["code"]):
            bad += 1; print("# unexpected:", got)
sys.exit(bad)
PY
ok $? "write.txt: write methods refused, reads still allowed"
kill -0 "$ISMSD_PID"; ok $? "the daemon survived all of it"
done_testing
