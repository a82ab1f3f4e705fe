#!/usr/bin/env python3
"""fleet.py BUILD_DIR [REPOS] - the fleet benchmark (make bench).

1. Events per second through NATS: one daemon with the nats plugin
   evaluates REPOS copies of the example ISMS (default 40) while the
   nats-server is down, so every event waits in the plugin; then the server
   starts and the time until the last event is acknowledged by JetStream
   gives the rate (each event is published and acknowledged in order, one
   at a time, as in production).
2. Catch-up of a member restarted empty: three daemons share the REPOS
   repositories (shard: I/3); the member with the most is killed, its state
   directory removed, and started again; the time until every one of its
   repositories is evaluated and its events are out.
Figures only; nothing is asserted."""
import os, shutil, signal, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fleet"))
if len(sys.argv) > 1:
    os.environ["ISMS_BUILD"] = os.path.abspath(sys.argv[1])
from fleet import *

if not shutil.which("nats-server"):
    print("fleet: nats-server is not installed (make deps); skipped")
    sys.exit(0)
nrepos = int(sys.argv[2]) if len(sys.argv) > 2 else 40
base = os.path.join(T, "base")
make_repo(base)
repos = []
for i in range(nrepos):
    p = os.path.join(T, "r%03d" % i)
    git(T, "clone", "-q", base, p)
    repos.append(("client-%03d" % i, p))

nats = Nats()
conf = os.path.join(T, "one.conf")
write_conf(conf, repos, plugin_conf(nats, health=0))
d = Daemon("one", conf)
t0 = time.time()
d.start()


def evaluated(m):
    st = m.call("status")
    return all(r["health"] == "ok" for r in st["repositories"]) and st["plugins"][0]["queued"] == 0


wait_for(lambda: evaluated(d), 600, 0.2)
pending = d.plugin_stat("pending")
print("fleet: %d repositories evaluated in %.1f s, %d events waiting for NATS" % (nrepos, time.time() - t0, pending))
nats.start()
t1 = time.time()
wait_for(lambda: d.plugin_stat("pending") == 0, 600, 0.01)
dt = time.time() - t1
print("fleet: %d events published to JetStream and acknowledged in %.2f s: %.0f events/s "
      "(from the server's start, reconnection included)" % (pending, dt, pending / dt))
d.stop()

conf3 = os.path.join(T, "fleet.conf")
write_conf(conf3, repos, plugin_conf(nats, health=1), "shard: 0/3")
members = [Daemon("ismsd-%d" % i, conf3, {"ISMSD_SHARD": str(i)}) for i in range(3)]
for m in members:
    m.start()
for m in members:
    wait_for(lambda m=m: evaluated(m) and m.plugin_stat("pending") == 0, 600, 0.2)
victim = max(members, key=lambda m: len(m.call("status")["repositories"]))
n = len(victim.call("status")["repositories"])
victim.stop(signal.SIGKILL)
shutil.rmtree(victim.state)
t2 = time.time()
victim.start()
wait_for(lambda: evaluated(victim) and victim.plugin_stat("pending") == 0, 600, 0.05)
print("fleet: member %s restarted with an empty state directory caught up on its %d "
      "repositories in %.2f s (rebuilt from git, nothing published twice: skipped %s)"
      % (victim.name, n, time.time() - t2, victim.plugin_stat("skipped_republish")))
for m in members:
    m.stop()
nats.stop()
