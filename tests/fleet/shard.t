#!/usr/bin/env python3
# Three daemons share one configuration of six repositories (shard: 0/3,
# each member's index from ISMSD_SHARD as a StatefulSet pod name) and one
# nats-server. Each serves its own repositories; together all of them.
# One member is killed, its state directory wiped, and started again while
# a commit lands on one of its repositories: a durable consumer sees every
# evaluated commit once, nothing published twice, and ismsctl status
# --fleet shows every member and repository from anywhere.
import os, signal, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fleet import *

if not shutil.which("nats-server"):
    skip_all("nats-server is not installed (make deps)")

nats = Nats()
nats.start()
names = ["acme", "globex", "initech", "umbrella", "hooli", "stark"]
repos = []
for n in names:
    make_repo(os.path.join(T, n))
    repos.append((n, os.path.join(T, n)))
conf = os.path.join(T, "fleet.conf")
write_conf(conf, repos, plugin_conf(nats, spool=os.path.join(T, "{member}.spool")), "shard: 0/3")
members = [Daemon("ismsd-%d" % i, conf, {"ISMSD_SHARD": "ismsd-%d" % i}) for i in range(3)]
for m in members:
    m.start()


def served(m):
    return sorted(r["name"] for r in m.call("status")["repositories"])


def idle(m):
    st = m.call("status")
    return all(r["health"] == "ok" for r in st["repositories"]) and \
        m.plugin_stat("pending") == 0 and st["plugins"][0]["queued"] == 0


own = [served(m) for m in members]
print("# shards: %s" % own)
flat = sorted(sum(own, []))
ok(flat == sorted(names), "together the members serve every repository, each once", own)
ok(all(len(o) < len(names) for o in own), "no member serves them all")
ok(all(wait_for(lambda m=m: idle(m), 30) for m in members), "every member evaluated and published")

owner = {n: members[i] for i, o in enumerate(own) for n in o}
for n, path in repos:
    commit_change(path, 1)
    owner[n].call("sync", {"repo": n})
ok(all(wait_for(lambda m=m: idle(m), 30) for m in members), "a commit on every repository is published")
before = consume(nats.url, "dash")

# Kill a member that serves something, wipe its state, commit meanwhile.
victim = max(members, key=lambda m: len(served(m)))
vrepos = served(victim)
victim.stop(signal.SIGKILL)
shutil.rmtree(victim.state)
moved = vrepos[0]
commit_change(dict(repos)[moved], 2)
t0 = time.time()
victim.start()
ok(wait_for(lambda: idle(victim), 60), "the member restarted empty rebuilt its state from git")
print("# catch-up of %s (%d repositories) in %.2f s" % (victim.name, len(vrepos), time.time() - t0))
ok(served(victim) == vrepos, "and serves the same repositories")
time.sleep(0.3)
after = consume(nats.url, "dash")
seen = before + after
ids = [i for _, i in seen]
ok(len(ids) == len(set(ids)), "no message id twice")
commits = {}
for s, i in seen:
    if s.endswith(".commit-seen"):
        repo, commit = i.split(":")[0], i.split(":")[3]
        commits.setdefault(repo, []).append(commit)
ok(all(len(c) == len(set(c)) for c in commits.values()), "no commit published twice for a repository", commits)
heads = {n: subprocess.run(["git", "-C", p, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip() for n, p in repos}
ok(all(heads[n] in commits.get(n, []) for n in names), "every repository's head was published")
ok(len(commits[moved]) == 3, "the commit made while its member was down was published once (%s)" % moved, commits[moved])
unmoved = [n for n in vrepos[1:]]
ok(all(len(commits[n]) == 2 for n in unmoved), "the rebuilt member did not publish its unchanged repositories again", {n: commits[n] for n in unmoved})

r = subprocess.run([os.path.join(BUILD, "ismsctl"), "status", "--fleet", "--nats", nats.url, "--json"],
                   capture_output=True, text=True)
fl = json.loads(r.stdout or "[]")
ok(sorted(m["member"] for m in fl) == ["shard-0", "shard-1", "shard-2"], "status --fleet lists the three members", r.stdout + r.stderr)
ok(sorted(x["name"] for m in fl for x in m["repositories"]) == sorted(names), "and every repository once")
r = subprocess.run([os.path.join(BUILD, "ismsctl"), "status", "--fleet", "--nats", nats.url],
                   capture_output=True, text=True)
ok("Fleet: 3 members, 6 repositories" in r.stdout, "the text names members and repositories", r.stdout)
for m in members:
    m.stop()
done()
