#!/bin/sh
# A remote repository mirrored into the state directory (file:// URL to a
# bare repository); one that vanishes or is force-pushed shows in status
# while the last good results are served, and recovers by itself.
. "$(dirname "$0")/daemon.sh"

git clone -q --bare "$ISMS_BUILD/example-isms" "$T/origin.git"
git clone -q "$T/origin.git" "$T/work"
cat > "$T/ismsd.conf" <<CONF
# test configuration
log_level: debug
repositories:
  - name: northwind
    url: file://$T/origin.git
    fetch_interval: 3600
CONF
start_ismsd -c "$T/ismsd.conf" --now 2026-11-22 --frozen-clock; ok $? "daemon with a remote repository starts"
wait_ready; ok $? "the mirror is fetched and evaluated"
ok $([ -d "$STATE/mirrors/northwind.git" ]; echo $?) "the mirror lives in the state directory"
is "$("$ISMSCTL_BIN" status --json | jget 'j["repositories"][0]["commit"]')" \
	"$(git -C "$T/origin.git" rev-parse HEAD)" "the mirror's head is the remote's"

cd "$T/work"
sed -i 's/^approved_by: p-katharina-vogt/approved_by: p-nobody-at-all/' policies/information-security-policy.md
commit_at 2026-11-21 "Policy approved by someone else"
git push -q origin HEAD
cd - >/dev/null
s=$("$ISMSCTL_BIN" sync --json --repo northwind)
is "$(echo "$s" | jget 'j["commit"]')" "$(git -C "$T/origin.git" rev-parse HEAD)" "sync fetches the pushed commit"
is "$(echo "$s" | jget 'j["changed"]')" 1 "and publishes the one changed verdict"

mv "$T/origin.git" "$T/gone.git"
out=$("$ISMSCTL_BIN" sync 2>&1); rc=$?
is "$rc" 2 "sync of a vanished remote fails"
like "$out" "cannot fetch" "and says the fetch failed"
st=$("$ISMSCTL_BIN" status --json)
is "$(echo "$st" | jget 'j["repositories"][0]["health"]')" unreachable "status: unreachable"
is "$("$ISMSCTL_BIN" results --json | jget 'len(j["results"])')" \
	"$(echo "$st" | jget 'sum(j["repositories"][0]["counts"].values())')" "the last good results are still served"
mv "$T/gone.git" "$T/origin.git"

# Force-push: rewrite the remote's history to an older commit.
git -C "$T/work" reset -q --hard HEAD~2
git -C "$T/work" push -q -f origin HEAD
s=$("$ISMSCTL_BIN" sync --json)
is "$("$ISMSCTL_BIN" status --json | jget 'j["repositories"][0]["health"]')" ok "recovers on the next successful fetch"
is "$("$ISMSCTL_BIN" status --json | jget 'j["repositories"][0]["history_rewritten"]')" true \
	"a force-push shows in status"
is "$(echo "$s" | jget 'j["commit"]')" "$(git -C "$T/work" rev-parse HEAD)" "the rewritten head is evaluated"
stop_ismsd

# A local repository that vanishes.
example_clone "$T/local"
rm -rf "$STATE"
start_ismsd --repo "$T/local" --now 2026-11-22 --frozen-clock
wait_ready
mv "$T/local" "$T/moved"
"$ISMSCTL_BIN" sync >/dev/null 2>&1
is "$("$ISMSCTL_BIN" status --json | jget 'j["repositories"][0]["health"]')" vanished "status: vanished"
ok $([ "$("$ISMSCTL_BIN" results --json | jget 'len(j["results"])')" -gt 0 ]; echo $?) "results still served"
mv "$T/moved" "$T/local"
"$ISMSCTL_BIN" sync >/dev/null
is "$("$ISMSCTL_BIN" status --json | jget 'j["repositories"][0]["health"]')" ok "healthy again"

# A damaged object store (a truncated loose object, which libgit2 alone
# would read forever): shown as corrupt, naming the object, while the
# last good results are served; repaired, the daemon recovers.
cd "$T/local"
echo "Reviewed again." >> policies/information-security-policy.md
commit_at 2026-11-21 "Policy touched"
head=$(git rev-parse HEAD)
obj=".git/objects/$(echo "$head" | cut -c1-2)/$(echo "$head" | cut -c3-)"
cp "$obj" "$T/good-object"
chmod u+w "$obj"
head -c 20 "$T/good-object" > "$obj"
cd - >/dev/null
"$ISMSCTL_BIN" sync >/dev/null 2>&1
st=$("$ISMSCTL_BIN" status --json)
is "$(echo "$st" | jget 'j["repositories"][0]["health"]')" corrupt "status: corrupt"
like "$(echo "$st" | jget 'j["repositories"][0]["message"]')" "object $head" "the message names the damaged object"
ok $([ "$("$ISMSCTL_BIN" results --json | jget 'len(j["results"])')" -gt 0 ]; echo $?) "results still served"
cp "$T/good-object" "$T/local/$obj"
"$ISMSCTL_BIN" sync >/dev/null
is "$("$ISMSCTL_BIN" status --json | jget 'j["repositories"][0]["health"]')" ok "repaired, healthy again"
is "$("$ISMSCTL_BIN" status --json | jget 'j["repositories"][0]["commit"]')" "$head" "and the repaired commit is evaluated"
done_testing
