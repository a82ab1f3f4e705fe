#!/bin/sh
# After kill -9 the restarted daemon serves the same results and history,
# and a subscriber that reconnects with its cursor misses nothing.
. "$(dirname "$0")/daemon.sh"

example_clone "$T/repo"
start_ismsd --repo "$T/repo" --now 2026-11-22 --frozen-clock
wait_ready; ok $? "first daemon ready"
cd "$T/repo"
sed -i 's/^approved_by: p-katharina-vogt/approved_by: p-nobody-at-all/' policies/information-security-policy.md
commit_at 2026-11-21 "Policy approved by someone else"
cd - >/dev/null
"$ISMSCTL_BIN" sync >/dev/null; ok $? "sync evaluates the new commit"
"$ISMSCTL_BIN" results --json | jget 'j["results"]' > "$T/res1"
"$ISMSCTL_BIN" history --json > "$T/hist1"
c1=$("$ISMSCTL_BIN" status --json | jget 'j["cursor"]')

kill -9 "$ISMSD_PID"; wait "$ISMSD_PID" 2>/dev/null; ISMSD_PID=
# A torn last line, as if the crash came in the middle of a write.
printf '{"jsonrpc":"2.0","method":"results","params":{"cur' >> "$STATE/journal.jsonl"
start_ismsd --repo "$T/repo" --now 2026-11-22 --frozen-clock; ok $? "the daemon restarts over the stale socket"
# Served from the journal at once, before any evaluation finishes.
"$ISMSCTL_BIN" results --json | jget 'j["results"]' > "$T/res2"
cmp -s "$T/res1" "$T/res2"; ok $? "same results after kill -9"
wait_ready
"$ISMSCTL_BIN" history --json > "$T/hist2"
cmp -s "$T/hist1" "$T/hist2"; ok $? "same history after kill -9 (no new commit, no new entry)"
"$ISMSCTL_BIN" results --json | jget 'j["results"]' > "$T/res3"
cmp -s "$T/res1" "$T/res3"; ok $? "re-evaluation after restart publishes nothing new"
c2=$("$ISMSCTL_BIN" status --json | jget 'j["cursor"]')
is "$c2" "$((c1 + 1))" "the cursor continues where it stopped (one status notification: healthy)"
n=$(tail -c1 "$STATE/journal.jsonl" | od -An -c | tr -d ' ')
is "$n" '\n' "the torn journal line was cut off"

# A watcher that reconnects with cursor 0 gets the whole history again.
"$ISMSCTL_BIN" watch --json --topics commits --cursor 0 --count 2 --timeout 30 > "$T/w"
is "$(jget 'j["params"]["data"]["commit"]' < "$T/w" 2>/dev/null | wc -l)" 0 "two lines are not one JSON document"
is "$(wc -l < "$T/w" | tr -d ' ')" 2 "replay from cursor 0: both commits"

# A watcher survives a daemon restart and resumes from its last cursor.
"$ISMSCTL_BIN" watch --json --topics results --count 1 --timeout 30 > "$T/w2" 2>"$T/w2.err" &
w=$!
# Until it has subscribed, however slow the machine.
i=0
while [ $i -lt 400 ] && [ "$("$ISMSCTL_BIN" status --json | jget 'j["subscriptions"]')" -lt 1 ]; do
	sleep 0.05; i=$((i + 1))
done
stop_ismsd
cd "$T/repo"
sed -i 's/^approved_by: p-nobody-at-all/approved_by: p-katharina-vogt/' policies/information-security-policy.md
commit_at 2026-11-22 "Approval restored"
cd - >/dev/null
start_ismsd --repo "$T/repo" --now 2026-11-22 --frozen-clock
wait $w; ok $? "the watcher reconnects and receives the change made while the daemon was down"
like "$(cat "$T/w2")" '"5.2-policy-approved"' "it is the restored verdict"
done_testing
