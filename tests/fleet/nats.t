#!/usr/bin/env python3
# The nats plugin against a real nats-server with JetStream: commits land
# while the daemon (SIGTERM) and the server are restarted at random
# moments (a bounded number of times, seeded), and a durable consumer,
# run now and then and at the end, sees every event of the daemon's
# journal exactly once. Then: the spool, ismsd -t, bad settings.
import os, random, signal, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fleet import *

if not shutil.which("nats-server"):
    skip_all("nats-server is not installed (make deps)")

seed = int(os.environ.get("FLEET_SEED", random.randrange(1 << 30)))
rng = random.Random(seed)
print("# seed %d (FLEET_SEED=%d repeats this run)" % (seed, seed))
commits = int(os.environ.get("FLEET_COMMITS", "14"))
max_restarts = int(os.environ.get("FLEET_RESTARTS", "4"))

nats = Nats()
nats.start()
repo = os.path.join(T, "acme")
make_repo(repo)
conf = os.path.join(T, "ismsd.conf")
write_conf(conf, [("acme", repo)], plugin_conf(nats, spool=os.path.join(T, "nats.spool")))
d = Daemon("d", conf)
d.start()
ok(wait_for(lambda: (d.call("status")["repositories"][0]["commit"] or None)), "the daemon evaluated the repository")

seen = []
restarts = {"daemon": 0, "nats": 0}
for i in range(commits):
    commit_change(repo, i)
    r = rng.random()
    if r < 0.2 and restarts["daemon"] < max_restarts:
        d.stop()
        restarts["daemon"] += 1
        d.start()
    elif r < 0.4 and restarts["nats"] < max_restarts:
        nats.stop()
        restarts["nats"] += 1
        time.sleep(rng.random() * 0.5)
        commit_change(repo, 1000 + i)  # lands while the server is away
        d.call("sync")
        nats.start()
    else:
        d.call("sync")
    if i == commits // 2:
        seen += consume(nats.url, "audit")
print("# restarts: daemon %d, nats-server %d" % (restarts["daemon"], restarts["nats"]))

d.call("sync")
idle = lambda: (d.plugin_stat("pending") == 0 and d.call("status")["plugins"][0]["queued"] == 0)
ok(wait_for(idle, 30), "the plugin delivered everything once the server was back")
time.sleep(0.3)
seen += consume(nats.url, "audit")
entries = [e for e in d.journal() if e[0] in ("results", "findings", "commits", "reminders")]
want = expected_events(entries)
got = {}
for subj, mid in seen:
    ev = subj.split(".")[-1]
    got[ev] = got.get(ev, 0) + 1
ids = [m for _, m in seen]
dups = len(ids) - len(set(ids))
ok(dups == 0, "the durable consumer saw no event twice", "%d duplicates" % dups)
ok(all(got.get(k, 0) == v for k, v in want.items()),
   "it saw every event of the journal: %s" % want, "got %s" % got)
jc = [e[2]["commit"] for e in entries if e[0] == "commits"]
sc = sum(1 for s, _ in seen if s == "isms.acme.commit-seen")
ok(len(jc) >= commits and sc == len(jc), "one commit-seen per evaluated commit (%d)" % len(jc),
   "journal %d, stream %d" % (len(jc), sc))
ok(all(s.startswith("isms.acme.") for s, _ in seen), "subjects are isms.<repo>.<event>")

# A second, new durable consumer reads the whole stream from the start:
# the server kept each event once, whatever the plugin retried.
again = consume(nats.url, "late")
ok(len(again) == len(seen) and len(set(m for _, m in again)) == len(again),
   "a new consumer finds each event once in the stream (%d)" % len(again))

# The spool: events that could not be delivered when the daemon stopped
# are published at the next start.
nats.stop()
commit_change(repo, 9999)
d.call("sync")
time.sleep(0.5)
d.stop()
ok(os.path.getsize(os.path.join(T, "nats.spool")) > 0, "undelivered events wait in the spool")
nats.start()
d.start()
ok(wait_for(idle, 30), "the next start publishes them")
late = consume(nats.url, "audit")
ok(sum(1 for s, _ in late if s.endswith("commit-seen")) == 1, "the commit made while the server was down arrives once", late)
ok(os.path.getsize(os.path.join(T, "nats.spool")) == 0, "and the spool is empty again")

# Health: the member's status in the key-value bucket.
r = subprocess.run([os.path.join(BUILD, "ismsctl"), "status", "--fleet", "--nats", nats.url],
                   capture_output=True, text=True)
ok(r.returncode == 0 and "acme" in r.stdout, "ismsctl status --fleet shows the member and its repository", r.stdout + r.stderr)
d.stop()

# ismsd -t checks the plugin's settings without connecting.
bad = os.path.join(T, "bad.conf")
write_conf(bad, [("acme", repo)], {"url": "nats://127.0.0.1:1", "dedup_window": "x"})
r = subprocess.run([os.path.join(BUILD, "ismsd"), "-t", "-c", bad], capture_output=True, text=True)
ok(r.returncode == 1 and "dedup_window" in (r.stdout + r.stderr), "ismsd -t names a bad setting", r.stdout + r.stderr)
good = os.path.join(T, "good.conf")
write_conf(good, [("acme", repo)], {"url": "nats://127.0.0.1:1"})
r = subprocess.run([os.path.join(BUILD, "ismsd"), "-t", "-c", good], capture_output=True, text=True)
ok(r.returncode == 0, "ismsd -t passes without a server to connect to", r.stdout + r.stderr)
done()
