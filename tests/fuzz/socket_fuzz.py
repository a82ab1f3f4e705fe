#!/usr/bin/env python3
"""socket_fuzz.py - hostile JSON-RPC at a real ismsd for a while.

usage: python3 tests/fuzz/socket_fuzz.py BUILD_DIR SECONDS [SEED]

Starts BUILD_DIR/ismsd on a clone of BUILD_DIR/example-isms and, for
SECONDS, sends it request lines over several connections: the requests of
tests/daemon/protocol/*.txt mutated (bytes flipped, cut, repeated, spliced,
numbers and strings swapped for extreme ones, deep nesting, bad UTF-8), and
calls of every method with parameters of random types, names and sizes,
now and then a line over the message limit. `make fuzz` runs it on the
sanitizer build.

Every line must get exactly one reply (a notification, an object without
an id, none), a JSON-RPC 2.0 response holding a result or an error with an
integer code and a message, within 10 seconds; only a line over the limit
may end its
connection. `status` must keep answering on a fresh connection, and at the
end the daemon must still run and exit cleanly on SIGTERM, with nothing
from the sanitizers in its log. A failure prints the line that caused it
and exits 1; the seed in the first line of output repeats a run.
"""

import glob
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import longrun  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.join(HERE, "..", "..")

METHODS = ["status", "results", "explain", "summary", "soa", "rules", "history", "sync",
           "evaluate", "subscribe", "unsubscribe", "schedule", "calendar", "audit-plan",
           "review-pack", "ack", "no-such-method", ""]
PARAMS = ["repo", "as_of", "clause", "control", "theme", "status", "rule", "ref", "cursor",
          "topics", "limit", "since", "until", "ics", "text", "links", "id", "now",
          "subscription", "fetch"]
LIMIT = 1 << 20  # max_message: the default, 1 MiB


LOG = None  # the daemon's log file, once started


def shown(line):
    return line if len(line) < 2000 else line[:2000] + b"... (%d bytes)" % len(line)


def fail(why, line=None, before=()):
    print("not ok - %s" % why)
    for b in before:
        print("#   earlier on the connection: %r" % shown(b))
    if line is not None:
        print("#   the line: %r" % shown(line))
    if LOG is not None:
        LOG.seek(0)
        for t in LOG.read().splitlines()[-10:]:
            print("#   log: %s" % t)
    sys.exit(1)


def seeds():
    out = []
    for path in sorted(glob.glob(os.path.join(TOP, "tests", "daemon", "protocol", "*.txt"))):
        for line in open(path, encoding="utf-8"):
            if line.startswith("> "):
                out.append(line[2:].rstrip("\n").encode())
    return out


def extreme(rng):
    return rng.choice([
        0, -1, 1, 2**31, -2**63, 2**64, 1e308, -1e-308, 0.5, True, False, None, "",
        "x" * rng.randint(1, 70000), "\u0000", "\ud7ff\ue000", "../../etc/passwd",
        "2026-02-30", "1970-01-01T00:00:00Z", "9999-12-31", "-0001-01-01", "HEAD~999999",
        "refs/heads/../../x", "deadbeef", "0" * 40, "5.2-policy-approved", "A.5.1", "9.2",
        "organizational", "fail", "results,findings", [], {}, ["results"] * 50,
        [["nested"]], {"a": {"b": {}}},
    ])


def nested(rng):
    d = rng.randint(1, 5000)
    o, c = rng.choice([("[", "]"), ('{"a":', "}")])
    return (o * d + "1" + c * d).encode()


def random_value(rng, depth=0):
    k = rng.random()
    if depth > 3 or k < 0.6:
        return extreme(rng)
    if k < 0.8:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(PARAMS): random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def structured(rng, n):
    req = {"jsonrpc": "2.0", "id": rng.choice([n, str(n), None, n + 0.5, [n], {"n": n}]),
           "method": rng.choice(METHODS)}
    if rng.random() < 0.9:
        req["params"] = {rng.choice(PARAMS): random_value(rng) for _ in range(rng.randint(0, 5))}
    if rng.random() < 0.05:
        req["params"] = random_value(rng)
    if rng.random() < 0.05:
        del req["jsonrpc"]
    return json.dumps(req).encode()


def mutate(rng, line, pool):
    b = bytearray(line)
    for _ in range(rng.randint(1, 4)):
        k = rng.randrange(8)
        if not b:
            b = bytearray(rng.choice(pool) or b"{}")
        i = rng.randrange(len(b))
        if k == 0:
            b[i] = rng.randrange(256)
        elif k == 1:
            del b[i:i + rng.randint(1, 16)]
        elif k == 2:
            b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif k == 3:
            j = rng.randrange(len(b))
            b[i:i] = b[min(i, j):max(i, j)] * rng.randint(1, 50)
        elif k == 4:
            other = rng.choice(pool)
            b = b[:i] + other[rng.randrange(len(other) + 1):]
        elif k == 5:
            b[i:i] = json.dumps(extreme(rng)).encode()
        elif k == 6:
            b[i:i] = rng.choice([b"\xff\xfe", b"\xc0\xaf", b"\xed\xa0\x80", b"\\u0000",
                                 b"\\ud800", b"\r", b"\x00"])
        else:
            b[i:i] = nested(rng)
    # One request per line: a newline inside would make two.
    return bytes(b).replace(b"\n", b" ")


class Conn:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.settimeout(10)
        self.s.connect(path)
        self.buf = b""
        self.sent = []  # the last lines sent, for a failure's report

    def send(self, line):
        self.sent = (self.sent + [line])[-5:]
        self.s.sendall(line + b"\n")

    def reply(self):
        """The next response, skipping notifications; None when closed."""
        while True:
            while b"\n" not in self.buf:
                try:
                    got = self.s.recv(1 << 16)
                except socket.timeout:
                    raise TimeoutError
                if not got:
                    return None
                self.buf += got
            line, self.buf = self.buf.split(b"\n", 1)
            m = json.loads(line)
            if "method" in m and "id" not in m:
                continue  # a notification of a subscription
            return m

    def close(self):
        self.s.close()


def notification(line):
    """Whether line may be a JSON-RPC notification (an object without an
    id), which gets no reply. The daemon's JSON parser refuses some of what
    Python's takes (duplicate keys, NaN), and answers those."""
    try:
        o = json.loads(line)
    except (ValueError, RecursionError):
        return False
    return isinstance(o, dict) and "id" not in o


def check_reply(m, line):
    if not isinstance(m, dict) or m.get("jsonrpc") != "2.0" or "id" not in m:
        fail("not a JSON-RPC 2.0 response: %r" % (m,), line)
    if ("result" in m) == ("error" in m):
        fail("a response needs exactly one of result and error: %r" % (m,), line)
    if "error" in m:
        e = m["error"]
        if not isinstance(e, dict) or not isinstance(e.get("code"), int) or \
                not isinstance(e.get("message"), str) or not e["message"]:
            fail("an error needs an integer code and a message: %r" % (m,), line)


def main():
    build, seconds, seed, rng = longrun.args(__doc__)
    print("# socket fuzz: seed %d, %g s, %s/ismsd" % (seed, seconds, build))
    tmp = tempfile.mkdtemp(prefix="ismsd-fuzz.")
    repo, sock = os.path.join(tmp, "repo"), os.path.join(tmp, "s")
    subprocess.run(["git", "clone", "-q", os.path.join(build, "example-isms"), repo], check=True)
    global LOG
    log = LOG = open(os.path.join(tmp, "ismsd.log"), "w+")
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1", UBSAN_OPTIONS="print_stacktrace=1")
    d = longrun.start([os.path.join(build, "ismsd"), "-f", "--repo", repo, "--socket", sock,
                       "--state-dir", os.path.join(tmp, "state"), "--now", "2026-12-08"],
                      log, env)
    t0 = time.time()
    while not os.path.exists(sock):
        if d.poll() is not None or time.time() - t0 > 60:
            fail("the daemon did not start")
        time.sleep(0.05)
    pool = seeds()
    conns = [Conn(sock) for _ in range(8)]
    n = big = closed = 0
    end = time.time() + seconds
    while time.time() < end:
        n += 1
        k = rng.random()
        if k < 0.002:
            line, big = b'{"jsonrpc":"2.0","id":1,"method":"status","x":"' + \
                b"y" * (LIMIT + rng.randint(0, 1 << 20)) + b'"}', big + 1
        elif k < 0.5:
            line = structured(rng, n)
        else:
            line = mutate(rng, rng.choice(pool), pool)
        ci = rng.randrange(len(conns))
        c = conns[ci]
        # sync and evaluate answer when the evaluation is done, after
        # replies to later lines: give such a line a connection of its own.
        alone = b"sync" in line or b"evaluate" in line
        if alone:
            c = Conn(sock)
        try:
            c.send(line)
            if notification(line):
                # Follow it with a probe: its reply may come first.
                probe = "probe-%d" % n
                c.send(b'{"jsonrpc":"2.0","id":"%s","method":"status"}' % probe.encode())
                m = c.reply()
                if m is not None and m.get("id") != probe:
                    check_reply(m, line)
                    m = c.reply()
                if m is not None and m.get("id") != probe:
                    fail("two replies to one notification, or none to the probe: %r" % m, line)
            else:
                m = c.reply()
        except TimeoutError:
            fail("no reply within 10 s", line)
        except (BrokenPipeError, ConnectionResetError):
            m = None
        except ValueError as e:
            fail("a reply that is not JSON: %s" % e, line)
        if m is None:
            if len(line) <= LIMIT:
                fail("the daemon closed the connection on a line within the limit", line,
                     c.sent[:-1])
            closed += 1
        else:
            check_reply(m, line)
            if len(line) > LIMIT and "error" not in m:
                fail("a line over the limit was not refused", line)
        # The daemon closes a connection after a line over the limit.
        if alone:
            c.close()
        elif m is None or len(line) > LIMIT or rng.random() < 0.01:
            c.close()
            conns[ci] = Conn(sock)
        if n % 500 == 0:
            s = Conn(sock)
            s.send(b'{"jsonrpc":"2.0","id":"alive","method":"status"}')
            m = s.reply()
            s.close()
            if not m or "result" not in m:
                fail("status no longer answers after %d lines" % n)
    for c in conns:
        c.close()
    if d.poll() is not None:
        fail("the daemon exited (status %s)" % d.returncode)
    rc = longrun.stop(d, fail)
    log.seek(0)
    text = log.read()
    for bad in ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer"):
        if bad in text:
            fail("the sanitizers reported: %s" % text[text.index(bad):][:3000])
    if rc != 0:
        fail("the daemon exited with status %d on SIGTERM" % rc)
    subprocess.run(["rm", "-rf", tmp])
    print("ok - %d lines (%d over the limit, their connections closed %d times), "
          "every one answered; the daemon exited cleanly" % (n, big, closed))


if __name__ == "__main__":
    main()
