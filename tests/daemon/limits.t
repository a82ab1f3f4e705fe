#!/bin/sh
# Connection exhaustion: silent clients without a subscription are closed
# after idle_timeout while subscribers stay; one user cannot hold more than
# max_clients_per_user; the last slots stay for root and the daemon's own
# user, so an operator's `ismsctl status` gets through whatever others hold.
. "$(dirname "$0")/daemon.sh"

example_clone "$T/repo"
cat > "$T/ismsd.conf" <<CONF
max_clients: 20
max_clients_per_user: 6
idle_timeout: 1
repositories:
  - name: acme
    path: $T/repo
    poll_interval: 0
CONF
start_ismsd -c "$T/ismsd.conf"
wait_ready; ok $? "daemon ready"

# A silent connection is closed after idle_timeout; a subscriber is not,
# and still receives what is published later.
python3 - "$SOCK" > "$T/idle" <<'PY'
import json, socket, sys, time
path = sys.argv[1]
silent = socket.socket(socket.AF_UNIX); silent.connect(path)
sub = socket.socket(socket.AF_UNIX); sub.connect(path)
sub.sendall(b'{"jsonrpc":"2.0","id":1,"method":"subscribe","params":{"topics":["status"]}}\n')
f = sub.makefile("rb")
json.loads(f.readline())
time.sleep(3)
silent.settimeout(2)
try:
    closed = silent.recv(1) == b""
except OSError:
    closed = False
sub.sendall(b'{"jsonrpc":"2.0","id":2,"method":"status"}\n')
sub.settimeout(5)
alive = False
while True:
    m = json.loads(f.readline())
    if m.get("id") == 2:
        alive = "result" in m
        break
print(int(closed), int(alive))
PY
read closed alive < "$T/idle"
is "$closed" 1 "a silent client without a subscription is closed after idle_timeout"
is "$alive" 1 "a silent subscriber stays connected and is still served"
like "$(cat "$T/ismsd.log")" "without a subscription (idle_timeout)" "the log says why the client was closed"

if [ "$(id -u)" -ne 0 ]; then
	echo "# per-user limits need a second user: skipped when not run as root"
	done_testing; exit
fi

# Another user (nobody) holds every connection it can, each subscribed so
# that the idle timeout cannot help: it gets max_clients_per_user, and the
# operator (root here) still gets through.
chmod 755 "$T"; chmod 666 "$SOCK"
python3 - "$SOCK" "$ISMSCTL_BIN" > "$T/users" <<'PY'
import json, os, socket, subprocess, sys, time
path, ctl = sys.argv[1], sys.argv[2]
def subscribe(s):
    """Subscribe on s; the reply, or the refusal the server sent first."""
    s.settimeout(5)
    try:
        s.sendall(b'{"jsonrpc":"2.0","id":1,"method":"subscribe","params":{"topics":["status"]}}\n')
    except OSError:
        pass  # refused and closed: its reason is still there to read
    return json.loads(s.makefile("rb").readline())
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    os.setgid(65534); os.setuid(65534)
    held, why = [], ""
    for i in range(30):
        s = socket.socket(socket.AF_UNIX); s.connect(path)
        m = subscribe(s)
        if "error" in m:
            why = m["error"]["message"]
            s.close()
            break
        held.append(s)
    os.write(w, ("%d|%s\n" % (len(held), why)).encode())
    time.sleep(4)  # hold them while the operator tries
    os._exit(0)
os.close(w)
got = os.read(r, 1000).decode().strip()
st = subprocess.run([ctl, "status", "--socket", path], capture_output=True, text=True)
os.waitpid(pid, 0)
print(got)
print(st.returncode)
PY
held=$(sed -n 1p "$T/users"); status_rc=$(sed -n 2p "$T/users")
is "${held%%|*}" 6 "one user holds at most max_clients_per_user connections"
like "$held" "too many clients of this user" "the next one is told why"
is "$status_rc" 0 "the operator's ismsctl status gets through meanwhile"

# Fill the server up to its reserved slots with two users: the operator
# still gets in, another user does not.
python3 - "$SOCK" > "$T/reserved" <<'PY'
import json, os, socket, sys, time
path = sys.argv[1]
def subscribe(s):
    """Subscribe on s; the reply, or the refusal the server sent first."""
    s.settimeout(5)
    try:
        s.sendall(b'{"jsonrpc":"2.0","id":1,"method":"subscribe","params":{"topics":["status"]}}\n')
    except OSError:
        pass  # refused and closed: its reason is still there to read
    return json.loads(s.makefile("rb").readline())
def hold(uid, n):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.setgid(uid); os.setuid(uid)
        held = []
        for i in range(n):
            s = socket.socket(socket.AF_UNIX); s.connect(path)
            m = subscribe(s)
            if "error" in m:
                break
            held.append(s)
        os.write(w, b"%d\n" % len(held))
        time.sleep(4)
        os._exit(0)
    os.close(w)
    return pid, int(os.read(r, 100))
# max_clients 20, 8 reserved: 12 for others, 6 each at most.
p1, n1 = hold(65534, 6)
p2, n2 = hold(65533, 8)
op = socket.socket(socket.AF_UNIX); op.connect(path)
op.sendall(b'{"jsonrpc":"2.0","id":9,"method":"status"}\n')
op.settimeout(5)
m = json.loads(op.makefile("rb").readline())
print(n1 + n2, int("result" in m))
for p in (p1, p2):
    os.waitpid(p, 0)
PY
read others operator < "$T/reserved"
is "$others" 12 "other users fill max_clients less the reserved slots, no more"
is "$operator" 1 "root still gets a reserved slot"
kill -0 "$ISMSD_PID"; ok $? "the daemon is still running"
done_testing
