#!/bin/sh
# SIGHUP reloads the configuration and rule packs atomically: a broken
# pack keeps the old set running and shows in status; ismsd -t finds it.
. "$(dirname "$0")/daemon.sh"

example_clone "$T/repo"
cp -R "$ISMS_TOP/rules" "$T/rules"
cat > "$T/ismsd.conf" <<CONF
rules: $T/rules
repositories:
  - name: acme
    path: $T/repo
CONF
out=$($ISMSD -t -c "$T/ismsd.conf" 2>&1); ok $? "ismsd -t: a good configuration passes"
like "$out" "rules in" "ismsd -t counts the rules"
start_ismsd -c "$T/ismsd.conf" --now 2026-11-22 --frozen-clock
wait_ready; ok $? "daemon ready"
n1=$("$ISMSCTL_BIN" status --json | jget 'j["repositories"][0]["rules"]')

echo 'isms.rule { id = "broken" ' >> "$T/rules/clauses/5.lua"
out=$($ISMSD -t -c "$T/ismsd.conf" 2>&1); rc=$?
is "$rc" 1 "ismsd -t: a broken pack fails"
like "$out" "clauses/5.lua:" "and names the pack file and line"
kill -HUP "$ISMSD_PID"
i=0; err=None
while [ $i -lt 100 ]; do
	err=$("$ISMSCTL_BIN" status --json | jget 'j["repositories"][0]["rules_error"]')
	[ "$err" != None ] && break
	sleep 0.05; i=$((i + 1))
done
like "$err" "5.lua" "status reports the broken pack after SIGHUP"
is "$("$ISMSCTL_BIN" status --json | jget 'j["repositories"][0]["rules"]')" "$n1" "the old rule set keeps running"
"$ISMSCTL_BIN" sync >/dev/null; ok $? "and keeps evaluating"
like "$(cat "$T/ismsd.log")" "previous rule packs keep running" "the log says so"

# A broken configuration file is refused as a whole.
cp "$T/ismsd.conf" "$T/good.conf"
echo "max_clients: lots" >> "$T/ismsd.conf"
kill -HUP "$ISMSD_PID"
i=0; cerr=None
while [ $i -lt 100 ]; do
	cerr=$("$ISMSCTL_BIN" status --json | jget 'j["config_error"]')
	[ "$cerr" != None ] && break
	sleep 0.05; i=$((i + 1))
done
like "$cerr" "ismsd.conf" "status reports the refused configuration"
like "$(cat "$T/ismsd.log")" "ismsd.conf:5: 'max_clients' must be a whole number" "the log names file and line"

cp "$T/good.conf" "$T/ismsd.conf"
cp "$ISMS_TOP/rules/clauses/5.lua" "$T/rules/clauses/5.lua"
kill -HUP "$ISMSD_PID"
i=0
while [ $i -lt 100 ]; do
	err=$("$ISMSCTL_BIN" status --json | jget 'str(j["repositories"][0]["rules_error"]) + str(j["config_error"])')
	[ "$err" = NoneNone ] && break
	sleep 0.05; i=$((i + 1))
done
is "$err" NoneNone "fixed pack and file: the errors clear after SIGHUP"

# Repositories added, changed and removed by SIGHUP, without a restart.
# until_is EXPR WANT: until jget EXPR over status prints WANT (10 s)
until_is() {
	i=0
	while [ $i -lt 200 ]; do
		got=$("$ISMSCTL_BIN" status --json 2>/dev/null | jget "$1" 2>/dev/null)
		[ "$got" = "$2" ] && return 0
		sleep 0.05; i=$((i + 1))
	done
	echo "#   got '$got', want '$2'"
	return 1
}
beta() { # beta FIELD: a field of beta's status
	"$ISMSCTL_BIN" status --json | jget "[r['$1'] for r in j['repositories'] if r['name'] == 'beta'][0]"
}
conf() { # conf [PATH [MORE]]: acme, and beta at PATH (polling off) with MORE
	{
		echo "rules: $T/rules"
		echo "repositories:"
		echo "  - {name: acme, path: $T/repo}"
		[ $# -gt 0 ] && echo "  - {name: beta, path: $1, poll_interval: 0${2:+, $2}}"
	} > "$T/ismsd.conf"
}
inotify_fds() { # the daemon's inotify instances
	ls -l "/proc/$ISMSD_PID/fd" 2>/dev/null | grep -c anon_inode:inotify
}
inotify_watches() { # the directories they watch
	cat "/proc/$ISMSD_PID/fdinfo/"* 2>/dev/null | grep -c '^inotify wd:'
}
example_clone "$T/repo2"
example_clone "$T/repo3"
git -C "$T/repo2" branch release HEAD~1
fds=$(inotify_fds)
watches=$(inotify_watches)
cursor=$("$ISMSCTL_BIN" status --json | jget 'j["cursor"]')
"$ISMSCTL_BIN" watch --json --topics status --cursor "$cursor" --count 3 --timeout 60 > "$T/status.jsonl" &
watcher=$!
conf "$T/repo2"
kill -HUP "$ISMSD_PID"
until_is '" ".join(r["name"] + ":" + r["health"] for r in j["repositories"])' "acme:ok beta:ok"
ok $? "SIGHUP: an added repository is served and evaluated"
is "$(beta commit)" "$(git -C "$T/repo2" rev-parse HEAD)" "at its head"
is "$("$ISMSCTL_BIN" results --repo beta --json | jget 'j["repo"]')" beta "its verdicts are served"
ok $([ "$(inotify_watches)" -gt "$watches" ]; echo $?) "its refs are watched"
is "$(inotify_fds)" "$fds" "by the daemon's one inotify instance"
beta_watches=$(inotify_watches)
like "$(cat "$T/ismsd.log")" "repository beta: added in $T/ismsd.conf" "the log says so"
cd "$T/repo2"
sed -i 's/^approved_by: p-katharina-vogt/approved_by: p-nobody-at-all/' policies/information-security-policy.md
commit_at 2026-11-21 "Policy approved by someone else"
cd - >/dev/null
until_is "[r['commit'] for r in j['repositories'] if r['name'] == 'beta'][0]" "$(git -C "$T/repo2" rev-parse HEAD)"
ok $? "a commit to it is evaluated (inotify, no polling)"
is "$("$ISMSCTL_BIN" explain 5.2-policy-approved --repo beta --json | jget 'j["status"]')" fail \
	"with the verdict of that commit"

conf "$T/repo2" "ref: refs/heads/release"
kill -HUP "$ISMSD_PID"
until_is "[r['commit'] for r in j['repositories'] if r['name'] == 'beta'][0]" "$(git -C "$T/repo2" rev-parse release)"
ok $? "SIGHUP: a changed ref is applied"
is "$("$ISMSCTL_BIN" explain 5.2-policy-approved --repo beta --json | jget 'j["status"]')" pass \
	"and its verdicts are those of the new ref"
git -C "$T/repo2" branch -f release main
until_is "[r['commit'] for r in j['repositories'] if r['name'] == 'beta'][0]" "$(git -C "$T/repo2" rev-parse main)"
ok $? "the new ref is watched"

conf "$T/repo3"
kill -HUP "$ISMSD_PID"
until_is "[r['commit'] for r in j['repositories'] if r['name'] == 'beta'][0]" "$(git -C "$T/repo3" rev-parse HEAD)"
ok $? "SIGHUP: a changed path is applied"
is "$(beta source)" "$T/repo3" "status names the new path"
is "$("$ISMSCTL_BIN" explain 5.2-policy-approved --repo beta --json | jget 'j["status"]')" pass \
	"and its verdicts are those of the new repository"
(cd "$T/repo3" && echo "More." >> README.md && commit_at 2026-11-21 "A change")
until_is "[r['commit'] for r in j['repositories'] if r['name'] == 'beta'][0]" "$(git -C "$T/repo3" rev-parse HEAD)"
ok $? "the new path is watched"
is "$(inotify_watches)" "$beta_watches" "the old path is not watched any more"

conf
kill -HUP "$ISMSD_PID"
until_is '" ".join(r["name"] for r in j["repositories"])' "acme"
ok $? "SIGHUP: a removed repository is no longer served"
out=$("$ISMSCTL_BIN" call results '{"repo":"beta"}')
is "$(echo "$out" | jget 'j["error"]["code"]')" -32002 "methods naming it answer -32002"
like "$out" "no repository named 'beta'" "unknown repository"
is "$(inotify_watches)" "$watches" "its watch is stopped"
is "$(inotify_fds)" "$fds" "and the instance stays for acme"
wait $watcher
is "$(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    p = json.loads(l)["params"]
    print(p["repo"] + ":" + p["data"]["health"], end=" ")' "$T/status.jsonl")" \
	"beta:pending beta:ok beta:removed " "its clients were told with status notifications"
like "$(cat "$T/ismsd.log")" "repository beta: removed from $T/ismsd.conf" "the log says so"
"$ISMSCTL_BIN" sync >/dev/null; ok $? "acme keeps evaluating"

# A configuration with a problem across repositories is refused whole.
conf "$T/repo2"
echo "  - {name: acme, path: $T/repo3}" >> "$T/ismsd.conf"
kill -HUP "$ISMSD_PID"
until_is 'str(j["config_error"] is not None)' True
ok $? "two repositories of one name: the reload is refused"
like "$(cat "$T/ismsd.log")" "two repositories are named 'acme'" "the log says why"
is "$("$ISMSCTL_BIN" status --json | jget '" ".join(r["name"] for r in j["repositories"])')" acme \
	"the previous repositories keep running"
conf "$T/repo2"
kill -HUP "$ISMSD_PID"
until_is '" ".join(r["name"] + ":" + r["health"] for r in j["repositories"]) + " " + str(j["config_error"])' \
	"acme:ok beta:ok None"
ok $? "a repository removed and added again is served again"
stop_ismsd

# Repositories given with --repo stay across a reload of the file.
example_clone "$T/flagged"
start_ismsd -c "$T/ismsd.conf" --repo "$T/flagged" --now 2026-11-22 --frozen-clock
conf
kill -HUP "$ISMSD_PID"
until_is '" ".join(r["name"] for r in j["repositories"])' "acme flagged"
ok $? "SIGHUP keeps a --repo repository and removes the file's"
stop_ismsd

out=$($ISMSD -t --repo "$T/repo" -c /nonexistent 2>&1); rc=$?
is "$rc" 1 "ismsd -t: a missing configuration file fails"
like "$out" "/nonexistent" "and names it"
printf 'socket: [1\nrepositories: 3\nbogus: 1\n' > "$T/bad.conf"
out=$($ISMSD -t -c "$T/bad.conf" 2>&1)
like "$out" "bad.conf:" "malformed YAML is reported with file:line"
done_testing
