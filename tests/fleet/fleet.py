"""fleet.py - helpers for the fleet tests and the fleet benchmark: a
private nats-server with JetStream on a free loopback port, ismsd daemons
with the nats plugin, the durable consumer (natsconsume), the daemon's
journal, TAP output. Everything lives in one temporary directory, removed
at exit; every process started is stopped by its pid."""
import atexit, json, os, random, shutil, signal, socket, subprocess, sys, tempfile, time

TOP = os.environ.get("ISMS_TOP") or os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
BUILD = os.environ.get("ISMS_BUILD") or os.path.join(TOP, "build")
os.environ.setdefault("ISMS_RULES", os.path.join(TOP, "rules"))
T = tempfile.mkdtemp(prefix="isms-fleet.")
PROCS = []


def cleanup():
    for p in PROCS:
        if p.poll() is None:
            p.kill()
            p.wait()
    shutil.rmtree(T, ignore_errors=True)


if not os.environ.get("FLEET_KEEP"): atexit.register(cleanup)
for s in (signal.SIGTERM, signal.SIGINT):
    signal.signal(s, lambda *a: sys.exit(1))

os.environ.update(HOME=os.path.join(T, "home"), GIT_CONFIG_NOSYSTEM="1",
                  GIT_AUTHOR_NAME="Test Author", GIT_AUTHOR_EMAIL="author@example.invalid",
                  GIT_COMMITTER_NAME="Test Author", GIT_COMMITTER_EMAIL="author@example.invalid")
os.makedirs(os.environ["HOME"])

n_tests = 0
n_failed = 0


def ok(cond, what, diag=None):
    global n_tests, n_failed
    n_tests += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (n_tests, what), flush=True)
    if not cond:
        n_failed += 1
        if diag:
            for line in str(diag).splitlines()[:30]:
                print("#   " + line)


def done():
    print("1..%d" % n_tests)
    sys.exit(1 if n_failed else 0)


def skip_all(why):
    print("1..0 # SKIP " + why)
    sys.exit(0)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(fn, timeout=20.0, step=0.05):
    end = time.time() + timeout
    while time.time() < end:
        try:
            v = fn()
            if v:
                return v
        except Exception:
            pass
        time.sleep(step)
    return None


class Nats:
    """nats-server -js on 127.0.0.1, its store in the sandbox."""

    def __init__(self):
        self.port = free_port()
        self.store = os.path.join(T, "nats-store")
        self.url = "nats://127.0.0.1:%d" % self.port
        self.p = None

    def start(self):
        log = open(os.path.join(T, "nats.log"), "a")
        self.p = subprocess.Popen(["nats-server", "-js", "-sd", self.store, "-a", "127.0.0.1",
                                   "-p", str(self.port)], stdout=log, stderr=log)
        PROCS.append(self.p)

        def up():
            with socket.create_connection(("127.0.0.1", self.port), 0.5):
                return True
        if not wait_for(up, 10):
            raise RuntimeError("nats-server did not start")

    def stop(self):
        if self.p and self.p.poll() is None:
            self.p.terminate()
            self.p.wait()


class Daemon:
    """ismsd -f with a configuration file, a socket and a state dir."""

    def __init__(self, name, conf, env=None):
        self.name = name
        self.conf = conf
        self.sock = os.path.join(T, name + ".sock")
        self.state = os.path.join(T, name + "-state")
        self.env = dict(os.environ, **(env or {}))
        self.p = None

    def start(self):
        log = open(os.path.join(T, self.name + ".log"), "a")
        self.p = subprocess.Popen([os.path.join(BUILD, "ismsd"), "-f", "-c", self.conf,
                                   "--socket", self.sock, "--state-dir", self.state],
                                  stdout=log, stderr=log, env=self.env)
        PROCS.append(self.p)
        if not wait_for(lambda: self.call("status") is not None, 20):
            raise RuntimeError("ismsd %s did not start" % self.name)

    def stop(self, sig=signal.SIGTERM):
        if self.p and self.p.poll() is None:
            self.p.send_signal(sig)
            self.p.wait()

    def call(self, method, params=None):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(30)
        try:
            s.connect(self.sock)
            req = {"jsonrpc": "2.0", "id": 1, "method": method}
            if params:
                req["params"] = params
            s.sendall((json.dumps(req) + "\n").encode())
            data = b""
            while not data.endswith(b"\n"):
                chunk = s.recv(65536)
                if not chunk:
                    return None
                data += chunk
            return json.loads(data).get("result")
        except OSError:
            return None
        finally:
            s.close()

    def plugin_stat(self, name):
        st = self.call("status") or {}
        for p in st.get("plugins", []):
            v = (p.get("stats") or {}).get(name, p.get(name))
            if v is not None:
                return v
        return None

    def journal(self):
        """The journal's notifications, as (topic, repo, data)."""
        out = []
        path = os.path.join(self.state, "journal.jsonl")
        for line in open(path):
            try:
                j = json.loads(line)
            except ValueError:
                continue
            p = j.get("params", j)
            out.append((p.get("topic"), p.get("repo"), p.get("data")))
        return out


def expected_events(entries):
    """How many of each event the plugin gets for these journal entries."""
    n = {"evaluation-finished": 0, "commit-seen": 0, "finding-raised": 0,
         "finding-resolved": 0, "reminder-due": 0}
    for topic, repo, d in entries:
        if topic == "results":
            n["evaluation-finished"] += 1
        elif topic == "commits":
            n["commit-seen"] += 1
        elif topic == "findings":
            n["finding-raised"] += len(d.get("added", []))
            n["finding-resolved"] += len(d.get("resolved", []))
        elif topic == "reminders":
            n["reminder-due"] += 1
    return n


def consume(url, durable, filt="isms.>", idle_ms=1500):
    """Run the durable consumer once: [(subject, msgid)]."""
    r = subprocess.run([os.path.join(BUILD, "natsconsume"), url, "ISMS", durable, filt,
                        str(idle_ms)], capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError("natsconsume: " + r.stderr)
    return [tuple(l.split("\t", 1)) for l in r.stdout.splitlines() if l]


def git(repo, *args):
    subprocess.run(["git", "-C", repo] + list(args), check=True, capture_output=True)


def make_repo(path):
    git(T, "clone", "-q", os.path.join(BUILD, "example-isms"), path)


def commit_change(repo, i):
    """A commit that the rules read: the objectives file's comment."""
    p = os.path.join(repo, "isms.yaml")
    with open(p, "a") as f:
        f.write("# change %d\n" % i)
    git(repo, "commit", "-qam", "change %d" % i)


def plugin_conf(nats, spool=None, health=1):
    c = {"url": nats.url, "stream": "ISMS", "dedup_window": 600, "health_interval": health}
    if spool:
        c["spool"] = spool
    return c


def write_conf(path, repos, plugin_config, extra=""):
    lines = ["rules: %s" % os.environ["ISMS_RULES"], extra, "repositories:"]
    for name, rpath in repos:
        lines += ["  - name: %s" % name, "    path: %s" % rpath, "    poll_interval: 1"]
    lines += ["plugins:", "  - path: %s" % os.path.join(BUILD, "plugins", "nats.so"),
              "    config: %s" % json.dumps(plugin_config)]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
