#!/bin/sh
# make-repo.sh DEST - build the Aurora Klinikdata example ISMS as a git
# repository at DEST, with the history in timeline.sh.
#
# records/ is the state of the last commit. timeline.sh replays the commits
# that led to it, oldest first, with their authors and dates, one feature
# branch and its merge. An earlier state of a file is written with:
#
#   put PATH                      records/PATH as it is
#   put PATH -u REGEX             only the lines before the first line that
#                                 matches REGEX (registers that grow at the
#                                 end: evidence, changes, nonconformities)
#   put PATH -e SED [-e SED ...]  records/PATH through sed (older versions,
#                                 dates, statuses); -u may follow the -e's
#   snap DAY PATH                 history/DAY/PATH (exports taken that day)
#   gone PATH                     remove PATH
#
# and branch NAME / onto NAME / merge NAME DATE KEY SUBJECT for work on a
# branch (merged with --no-ff, as the merge request does).
#
# Same input, same commit ids: no git configuration is read, dates are
# fixed, TZ is UTC. DEST must not exist, be empty, or be an earlier output
# of this script (it is then rebuilt). Needs sh, git, sed, awk, cmp.

set -eu

me=${0##*/}
top=$(cd "$(dirname "$0")" && pwd)
REC=$top/records
OLD=$top/history

fail() {
	printf '%s: %s\n' "$me" "$*" >&2
	exit 1
}

[ $# -eq 1 ] || { printf 'usage: %s DEST\n' "$me" >&2; exit 2; }
out=$1
case $out in '' | / | . | ..) fail "will not build into '$out'" ;; esac
if [ -e "$out" ]; then
	[ -d "$out" ] || fail "$out is not a directory"
	if [ -n "$(ls -A "$out")" ] && ! { [ -d "$out/.git" ] && [ -f "$out/isms.yaml" ]; }; then
		fail "$out has other files in it; not touching it"
	fi
	rm -rf "$out"
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/aurora-isms.XXXXXX")
ok=0
trap 'rm -rf "$work"; [ "$ok" = 1 ] || rm -rf "$out"' EXIT
trap 'exit 1' HUP INT TERM

HOME=$work XDG_CONFIG_HOME=$work GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
TZ=UTC LC_ALL=C
export HOME XDG_CONFIG_HOME GIT_CONFIG_NOSYSTEM GIT_CONFIG_GLOBAL TZ LC_ALL
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_TEMPLATE_DIR GIT_OBJECT_DIRECTORY 2>/dev/null || :
mkdir "$work/hooks"

git_() {
	git -C "$out" -c core.autocrlf=false -c core.hooksPath="$work/hooks" \
		-c commit.gpgsign=false -c user.useConfigOnly=false -c merge.ff=false "$@"
}
git -c init.defaultBranch=main init -q --template="$work/hooks" "$out"

# Authors: author KEY "Name" EMAIL
author() {
	eval "name_$1=\$2 mail_$1=\$3"
}

# The commit being assembled: its date, author and message.
when= who= what= body=

as_author() { # run git as the author of the pending commit
	eval "n=\$name_$who m=\$mail_$who"
	GIT_AUTHOR_NAME=$n GIT_AUTHOR_EMAIL=$m GIT_AUTHOR_DATE=$when \
		GIT_COMMITTER_NAME=$n GIT_COMMITTER_EMAIL=$m GIT_COMMITTER_DATE=$when \
		git_ "$@"
}

flush() {
	[ -n "$when" ] || return 0
	git_ add -A
	if [ -n "$body" ]; then
		printf '%s\n\n%s\n' "$what" "$body" >"$work/msg"
	else
		printf '%s\n' "$what" >"$work/msg"
	fi
	as_author commit -q --no-verify -F "$work/msg" >"$work/log" 2>&1 ||
		fail "commit '$what' ($when): $(cat "$work/log")"
	when=
}

# commit DATE KEY SUBJECT [BODY]
commit() {
	flush
	when=$1 who=$2 what=$3 body=${4:-}
	eval "[ -n \"\${name_$who:-}\" ]" || fail "unknown author '$who' in '$what'"
}

# put PATH [-e SED]... [-u REGEX]
put() {
	[ -n "$when" ] || fail "put $1 outside a commit"
	path=$1
	shift
	src=$REC/$path
	[ -f "$src" ] || fail "put: no records/$path"
	cp "$src" "$work/f"
	upto=
	sedargs=
	: >"$work/sed"
	while [ $# -gt 0 ]; do
		case $1 in
		-e) [ $# -ge 2 ] || fail "put $path: -e needs a sed expression"
			printf '%s\n' "$2" >>"$work/sed"
			sedargs=1
			shift 2 ;;
		-u) [ $# -ge 2 ] || fail "put $path: -u needs a pattern"
			upto=$2
			shift 2 ;;
		*) fail "put $path: unknown option '$1'" ;;
		esac
	done
	if [ -n "$sedargs" ]; then
		sed -f "$work/sed" "$work/f" >"$work/g" || fail "put $path: sed failed"
		mv "$work/g" "$work/f"
	fi
	if [ -n "$upto" ]; then
		awk -v re="$upto" '$0 ~ re { found = 1; exit } { print } END { exit !found }' \
			"$work/f" >"$work/g" || fail "put $path: no line matches '$upto'"
		mv "$work/g" "$work/f"
	fi
	mkdir -p "$(dirname "$out/$path")"
	mv "$work/f" "$out/$path"
}

# snap DAY PATH: the file as exported on DAY
snap() {
	[ -n "$when" ] || fail "snap $2 outside a commit"
	[ -f "$OLD/$1/$2" ] || fail "snap: no history/$1/$2"
	mkdir -p "$(dirname "$out/$2")"
	cp "$OLD/$1/$2" "$out/$2"
}

gone() {
	[ -f "$out/$1" ] || fail "gone: $1 is not there"
	rm -f "$out/$1"
}

# branch NAME: start a branch at the last commit and work on it.
branch() {
	flush
	git_ switch -q -c "$1"
}

# onto NAME: go on working on branch NAME.
onto() {
	flush
	git_ switch -q "$1"
}

# merge NAME DATE KEY SUBJECT: back on main, merge branch NAME.
merge() {
	flush
	git_ switch -q main
	when=$2 who=$3
	as_author merge -q --no-ff --no-edit -m "$4" "$1" >"$work/log" 2>&1 ||
		fail "merge $1: $(cat "$work/log")"
	when=
}

. "$top/timeline.sh"
flush

# The last commit must be records/, byte for byte.
(cd "$REC" && find . -type f | sed 's|^\./||' | sort) >"$work/want"
(cd "$out" && find . -path ./.git -prune -o -type f -print | sed 's|^\./||' | sort) >"$work/have"
cmp -s "$work/want" "$work/have" ||
	fail "the last commit and records/ hold different files:
$(diff "$work/want" "$work/have" || :)"
while IFS= read -r f; do
	cmp -s "$REC/$f" "$out/$f" || fail "$f in the last commit is not records/$f"
done <"$work/want"
[ -z "$(git_ status --porcelain)" ] || fail "uncommitted files left in $out"
[ "$(git_ branch --show-current)" = main ] || fail "the build did not end on main"
ok=1
