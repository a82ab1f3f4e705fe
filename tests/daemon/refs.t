#!/bin/sh
# Ref changes reach the daemon through inotify alone (poll_interval: 0):
# a branch with slashes, refs in directories made after the start, a ref
# changed only in packed-refs (git pack-refs), a configured ref, HEAD
# switched to another branch; and a refs tree too large to watch, where
# the daemon polls instead and says so in the log.
. "$(dirname "$0")/daemon.sh"

mkdirs() { # mkdirs DIR N: N empty directories under DIR
	mkdir -p "$1"
	seq 1 "$2" | sed "s|^|$1/d|" | xargs mkdir -p
}

for n in slash fresh packed plain head many grow; do
	example_clone "$T/$n"
done
git -C "$T/slash" branch release/2026 HEAD~1
git -C "$T/packed" branch x
git -C "$T/plain" branch x HEAD~1
git -C "$T/head" branch other HEAD~2
mkdirs "$T/many/.git/refs/heads/bulk" 1100

cat > "$T/ismsd.conf" <<CONF
repositories:
  - {name: slash, path: $T/slash, ref: refs/heads/release/2026, poll_interval: 0}
  - {name: fresh, path: $T/fresh, ref: refs/heads/team/a/b, poll_interval: 0}
  - {name: packed, path: $T/packed, ref: refs/heads/x, poll_interval: 0}
  - {name: plain, path: $T/plain, ref: refs/heads/x, poll_interval: 0}
  - {name: head, path: $T/head, poll_interval: 0}
  - {name: many, path: $T/many, poll_interval: 0}
  - {name: grow, path: $T/grow, ref: refs/heads/main, poll_interval: 0}
CONF
start_ismsd -c "$T/ismsd.conf" --now 2026-11-22 --frozen-clock --log-level debug
ok $? "daemon with seven repositories starts"

st() { # st NAME FIELD: a field of a repository's status
	"$ISMSCTL_BIN" status --json --repo "$1" 2>/dev/null | jget "j['repositories'][0]['$2']" 2>/dev/null
}
# until_commit NAME SHA [TENTHS]: until NAME is evaluated at SHA (5 s)
until_commit() {
	i=0
	while [ $i -lt "${3:-100}" ]; do
		[ "$(st "$1" commit)" = "$2" ] && [ "$(st "$1" health)" = ok ] && return 0
		sleep 0.05; i=$((i + 1))
	done
	echo "# $1: commit $(st "$1" commit), health $(st "$1" health), want $2"
	return 1
}
# new_commit DIR: commit a change on the checked-out branch of DIR
new_commit() {
	(cd "$1" && echo "# $(date +%s%N)" >> README.md 2>/dev/null; commit_at 2026-11-21 "A change")
}
# A branch with slashes: refs/heads/release/2026 lives in a subdirectory.
until_commit slash "$(git -C "$T/slash" rev-parse release/2026)"
ok $? "slash: evaluated at release/2026"
git -C "$T/slash" update-ref refs/heads/release/2026 "$(git -C "$T/slash" rev-parse main)"
until_commit slash "$(git -C "$T/slash" rev-parse main)"
ok $? "slash: a new commit on refs/heads/release/2026 is evaluated"

# refs/heads/team/a/b does not exist at the start: two new directories.
is "$(st fresh health)" corrupt "fresh: the configured ref does not exist yet"
git -C "$T/fresh" branch team/a/b HEAD~1
until_commit fresh "$(git -C "$T/fresh" rev-parse team/a/b)"
ok $? "fresh: a ref in directories made after the start is evaluated"
git -C "$T/fresh" update-ref refs/heads/team/a/b "$(git -C "$T/fresh" rev-parse main)"
until_commit fresh "$(git -C "$T/fresh" rev-parse main)"
ok $? "fresh: and so is its next change, inside the new directory"

# git pack-refs moves the refs into packed-refs; then x changes there only.
until_commit packed "$(git -C "$T/packed" rev-parse x)"
ok $? "packed: evaluated at x"
git -C "$T/packed" pack-refs --all
ok $([ ! -e "$T/packed/.git/refs/heads/x" ]; echo $?) "packed: git pack-refs removed the loose ref"
old=$(git -C "$T/packed" rev-parse x)
older=$(git -C "$T/packed" rev-parse x~1)
sed "s|^$old refs/heads/x\$|$older refs/heads/x|" "$T/packed/.git/packed-refs" > "$T/packed/.git/packed-refs.lock"
mv "$T/packed/.git/packed-refs.lock" "$T/packed/.git/packed-refs"
is "$(git -C "$T/packed" rev-parse x)" "$older" "packed: x changed in packed-refs"
until_commit packed "$older"
ok $? "packed: the change in packed-refs is evaluated"

# ref: refs/heads/x while main is checked out.
until_commit plain "$(git -C "$T/plain" rev-parse x)"
ok $? "plain: evaluated at the configured ref x"
new_commit "$T/plain"
git -C "$T/plain" branch -f x main
until_commit plain "$(git -C "$T/plain" rev-parse x)"
ok $? "plain: x moved to a new commit is evaluated"

# HEAD only: switch to an existing branch.
until_commit head "$(git -C "$T/head" rev-parse HEAD)"
ok $? "head: evaluated at HEAD"
git -C "$T/head" checkout -q other
until_commit head "$(git -C "$T/head" rev-parse other)"
ok $? "head: HEAD switched to another branch is evaluated"

# Too many directories to watch at the start: polling every 5 s instead.
like "$(cat "$T/ismsd.log")" "repository many: more than 1024 directories under" \
	"many: the log says the refs cannot all be watched"
like "$(grep 'repository many' "$T/ismsd.log")" "polling every 5 s" "and that the daemon polls"
new_commit "$T/many"
until_commit many "$(git -C "$T/many" rev-parse HEAD)" 200
ok $? "many: a commit is evaluated by polling"

# Past the bound after the start: polling from then on, and the log says so.
mkdirs "$T/grow/.git/refs/heads/bulk" 1100
i=0
while [ $i -lt 100 ] && ! grep -q 'repository grow: .*polling every 5 s from now on' "$T/ismsd.log"; do
	sleep 0.05; i=$((i + 1))
done
like "$(grep 'repository grow' "$T/ismsd.log")" "more than 1024 directories" \
	"grow: directories past the bound are reported"
like "$(grep 'repository grow' "$T/ismsd.log")" "polling every 5 s from now on" "and polling starts"
new_commit "$T/grow"
until_commit grow "$(git -C "$T/grow" rev-parse HEAD)"
ok $? "grow: a commit is still evaluated"

stop_ismsd
done_testing
