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
start_ismsd -c "$T/ismsd.conf" --now 2026-11-22
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

out=$($ISMSD -t --repo "$T/repo" -c /nonexistent 2>&1); rc=$?
is "$rc" 1 "ismsd -t: a missing configuration file fails"
like "$out" "/nonexistent" "and names it"
printf 'socket: [1\nrepositories: 3\nbogus: 1\n' > "$T/bad.conf"
out=$($ISMSD -t -c "$T/bad.conf" 2>&1)
like "$out" "bad.conf:" "malformed YAML is reported with file:line"
done_testing
