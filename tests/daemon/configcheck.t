#!/bin/sh
# ismsd -t reports every problem at once, each with file:line, and checks
# what start-up needs: the rules directory and the packs' Lua errors, the
# state directory, repository paths and urls, the socket's directory.
# Also ismsctl: `calendar --repo NAME` offline says what --repo means.
. "$(dirname "$0")/daemon.sh"

out=$($ISMSD -t --repo "$ISMS_BUILD/example-isms" --socket "$T/s.sock" --state-dir "$T/st" --rules /nonexistent 2>&1); rc=$?
is "$rc" 1 "rules: /nonexistent fails the check"
like "$out" "the rules directory /nonexistent does not exist" "and says the directory does not exist"
unlike "$out" ":-1:" "no line -1"

mkdir -p "$T/mypacks" && printf 'isms.rule { id = "x"\n' > "$T/mypacks/p.lua"
out=$($ISMSD -t --repo "$ISMS_BUILD/example-isms" --socket "$T/s.sock" --state-dir "$T/st" --rules "$T/mypacks" 2>&1)
like "$out" "p.lua:2: '}' expected" "a pack's Lua syntax error is shown with file:line"
like "$out" "must name a rules directory with the catalogue" "and why the directory is not a rules directory"
cp -R "$ISMS_TOP/rules" "$T/rules" && printf 'isms.rule { id = "x"\n' > "$T/rules/clauses/broken.lua"
out=$($ISMSD -t --repo "$ISMS_BUILD/example-isms" --socket "$T/s.sock" --state-dir "$T/st" --rules "$T/rules" 2>&1)
like "$out" "clauses/broken.lua:2: '}' expected" "a syntax error in a full rules directory"

long=$(printf 'x%.0s' $(seq 1 110))
cat > "$T/bad.conf" <<CONF
socket: /etc/passwd/$long.sock
listen_tcp: 0.0.0.0:7027
state_dir: /etc/passwd/state
repositories:
  - name: a
    path: $T/does-not-exist
  - name: a
    path: $T
    url: https://example.invalid/x.git
  - name: b
  - name: c
    url: "not a url"
  - name: d
    path: $T
    polll_interval: 5
CONF
out=$($ISMSD -t -c "$T/bad.conf" 2>&1); rc=$?
is "$rc" 1 "a bad configuration fails the check"
like "$out" "bad.conf:7: two repositories are named 'a' (the other is at line 5)" "a duplicate name, with its line"
like "$out" "bad.conf:7: repository 'a' has both a path and a url" "both path and url, said so"
like "$out" "bad.conf:10: repository 'b' has neither a path nor a url" "a repository without a path, with its line"
like "$out" "bad.conf:2: listen_tcp '0.0.0.0:7027' must be a loopback address" "a public listen_tcp, with its line"
like "$out" "bad.conf:1: the socket path must be shorter than 108 bytes" "a long socket path, with its line"
like "$out" "bad.conf:1: the socket's directory /etc/passwd cannot be used: /etc/passwd is not a directory" "a socket directory that cannot be made"
like "$out" "state_dir /etc/passwd/state cannot be used: /etc/passwd is not a directory" "a state directory that cannot be created"
like "$out" "bad.conf:5: repository 'a': the path $T/does-not-exist does not exist" "a repository path that does not exist"
like "$out" "bad.conf:11: repository 'c': the url not a url is not one git can fetch" "a malformed url"
like "$out" "bad.conf:15: unknown repository setting 'polll_interval' (did you mean 'poll_interval'?)" "a parse problem in the same run"
nrules=$($ISMSCTL rules --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
like "$out" "repository d: $nrules rules" "the rule packs are checked in the same run"

# What -t accepts, start-up accepts.
example_clone "$T/repo"
cat > "$T/good.conf" <<CONF
socket: $SOCK
state_dir: $T/new/state
repositories:
  - name: r
    path: $T/repo
CONF
out=$($ISMSD -t -c "$T/good.conf" 2>&1); rc=$?
is "$rc" 0 "a good configuration passes -t"
ok $([ ! -d "$T/new" ]; echo $?) "and -t creates nothing"
start_ismsd -c "$T/good.conf" --now 2026-11-22
ok $? "and the daemon starts with it"
stop_ismsd

out=$("$ISMSCTL_BIN" calendar --repo some-name --now 2026-11-22 2>&1); rc=$?
is "$rc" 2 "calendar --repo NAME offline is an error"
like "$out" "Without --socket, --repo is the path of a repository read offline" "that says what --repo means offline"
done_testing
