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
start_ismsd -c "$T/ismsd.conf" --now 2026-11-22 --frozen-clock
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

# Bytes that are not UTF-8 where the JSON parser quotes them in its error:
# still a JSON error reply, and the daemon goes on (this once crashed it).
s, f = connect()
s.sendall(b'{"jsonrpc":"2.0","id":3"\\\xee\x96\xb3\xcfud7ff","method":"status"}\n')
got = f.readline()
try:
    m = json.loads(got)
except ValueError:
    m = {}
report(m.get("error", {}).get("code") == -32700, "a line with bad UTF-8 gets a parse error", got[:200])
s.sendall(b'{"jsonrpc":"2.0","id":4,"method":"status"}\n')
report(b'"result"' in f.readline(), "and the connection goes on")
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

# status is kept within a pass of the event loop (rpc.c): under a stream
# of status requests it still shows every change at once - a subscription
# made in the same read, and a new commit as soon as its notification is out.
python3 - "$SOCK" "$T/repo" > "$T/cases2" <<'PY'
import json, os, socket, subprocess, sys, threading
sock, repo = sys.argv[1:]
def report(good, what, extra=""):
    print("%d %s" % (0 if good else 1, what))
    if not good and extra:
        print("# " + extra.replace("\n", " ")[:400])
def connect():
    s = socket.socket(socket.AF_UNIX); s.connect(sock); s.settimeout(30)
    return s, s.makefile("rb")
STATUS = b'{"jsonrpc":"2.0","id":1,"method":"status"}\n'
stop, bad = threading.Event(), []
def hammer():
    s, f = connect()
    while not stop.is_set():
        s.sendall(STATUS * 8)
        for _ in range(8):
            m = json.loads(f.readline())
            if "result" not in m:
                bad.append(m)
    f.close(); s.close()
threads = [threading.Thread(target=hammer) for _ in range(3)]
for t in threads:
    t.start()

# Several requests in one write: one pass, one kept status for them all.
s, f = connect()
s.sendall(b'{"jsonrpc":"2.0","id":1,"method":"status"}\n'
          b'{"jsonrpc":"2.0","id":2,"method":"subscribe","params":{"topics":["commits"]}}\n'
          b'{"jsonrpc":"2.0","id":"a\\"b","method":"status","params":{"repo":"acme"}}\n'
          b'{"jsonrpc":"2.0","id":-7,"method":"status","params":{"repo":"nope"}}\n'
          b'{"jsonrpc":"2.0","id":null,"method":"status"}\n')
lines = [f.readline() for _ in range(5)]
r = [json.loads(l) for l in lines]
n0 = r[0]["result"]["subscriptions"]
report(r[2]["result"]["subscriptions"] == n0 + 1,
       "status right after subscribe in the same write counts the subscription",
       "%s then %s" % (n0, r[2]["result"]["subscriptions"]))
report(lines[2].startswith(b'{"jsonrpc":"2.0","id":"a\\"b","result":{"version":'),
       "a kept status is sent with the request's own id", lines[2][:80].decode())
report([x["name"] for x in r[2]["result"]["repositories"]] == ["acme"],
       "status with repo names that repository")
report(r[3].get("id") == -7 and r[3].get("error", {}).get("code") == -32002,
       "status of an unknown repository is still an error", lines[3].decode())
report(r[4].get("id") is None and "result" in r[4], "a null id is answered with null")
s.sendall(b'{"jsonrpc":"2.0","id":3,"method":"unsubscribe"}\n' + STATUS)
f.readline()
report(json.loads(f.readline())["result"]["subscriptions"] == n0,
       "and right after unsubscribe it no longer does")

# A commit that makes 5.2 fail: the status asked for right after the
# notification shows its commit and counts, here and on another connection.
s.sendall(b'{"jsonrpc":"2.0","id":4,"method":"subscribe","params":{"topics":["commits"]}}\n')
f.readline()
s.sendall(STATUS)
before = json.loads(f.readline())["result"]
o, of = connect()
path = repo + "/policies/information-security-policy.md"
text = open(path).read().replace("approved_by: p-katharina-vogt", "approved_by: p-nobody-at-all")
open(path, "w").write(text)
env = dict(os.environ, GIT_AUTHOR_DATE="2026-11-21T12:00:00",
           GIT_COMMITTER_DATE="2026-11-21T12:00:00")
subprocess.run(["git", "-C", repo, "commit", "-qam", "Policy approved by someone else"],
               check=True, env=env)
note = json.loads(f.readline())
s.sendall(STATUS)
o.sendall(STATUS)
for name, st in (("the subscriber's", json.loads(f.readline())),
                 ("another connection's", json.loads(of.readline()))):
    rs = st["result"]["repositories"][0]
    data = note["params"]["data"]
    report(rs["commit"] == data["commit"] and rs["commit"] != before["repositories"][0]["commit"],
           "%s status after the notification shows the new commit" % name,
           "%s, notified %s" % (rs["commit"], data["commit"]))
    report(rs["counts"] == data["counts"] and rs["counts"]["fail"] == before["repositories"][0]["counts"]["fail"] + 1,
           "%s status shows the new counts" % name, "%s, notified %s" % (rs["counts"], data["counts"]))
    report(st["result"]["cursor"] >= note["params"]["cursor"], "%s status has the new cursor" % name)
stop.set()
for t in threads:
    t.join()
report(not bad, "every status under load was a result", str(bad[:1]))
f.close(); s.close(); of.close(); o.close()
PY
ok $? "status under load ran"
while read -r st desc; do
	case "$st" in
	\#) echo "#   $desc" ;;
	*) ok "$st" "$desc" ;;
	esac
done < "$T/cases2"

kill -0 "$ISMSD_PID"; ok $? "the daemon survived all of it"
done_testing
