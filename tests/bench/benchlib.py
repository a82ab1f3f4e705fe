"""benchlib.py - what the daemon benchmarks (daemon.sh, repos.sh,
subscribers.py) share: a JSON-RPC call on the daemon's socket, its memory
from /proc, and many idle subscribers."""
import json
import selectors
import socket

SUBSCRIBE = b'{"jsonrpc":"2.0","id":1,"method":"subscribe","params":{"topics":["commits"]}}\n'


def connect(sock):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock)
    return s


def reply(sock, method, params=None):
    """The whole JSON-RPC reply to one request on its own connection."""
    s = connect(sock)
    f = s.makefile("rb")
    req = {"jsonrpc": "2.0", "id": 1, "method": method}
    if params is not None:
        req["params"] = params
    s.sendall(json.dumps(req).encode() + b"\n")
    m = json.loads(f.readline())
    f.close()
    s.close()
    return m


def call(sock, method, params=None, who="bench"):
    """The result of a request; an error ends the benchmark, named."""
    m = reply(sock, method, params or {})
    if "error" in m:
        raise SystemExit("%s: %s: %s" % (who, method, m["error"]["message"]))
    return m["result"]


def memory(pid):
    """The process's resident memory and its peak so far, in MB."""
    kb = {}
    with open("/proc/%d/status" % int(pid)) as f:
        for line in f:
            k, v = line.split(":", 1)
            kb[k] = v.split()[0] if v.split() else ""
    return int(kb["VmRSS"]) / 1024.0, int(kb["VmHWM"]) / 1024.0


def subscribe(sock, n):
    """n connections subscribed to commits, each past its reply, and a
    selector that reads them."""
    subs = []
    for _ in range(n):
        s = connect(sock)
        s.sendall(SUBSCRIBE)
        subs.append(s)
    sel = selectors.DefaultSelector()
    for s in subs:
        f = s.makefile("rb")
        json.loads(f.readline())
        f.close()
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
    return subs, sel
