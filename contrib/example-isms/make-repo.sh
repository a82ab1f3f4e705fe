#!/bin/sh
# make-repo.sh DEST - build the example ISMS git repository at DEST.
#
# The final records are in records/; history.txt lists the commits that
# lead to them, and asof.awk turns a final file into the text it had on an
# earlier day. The result is deterministic: the same history, authors,
# dates and commit ids on every run. DEST must not exist, be empty, or be a
# repository this script made before (it is then replaced).
#
# Needs only a POSIX shell, git, sed and awk; no git configuration is read.

set -eu

prog=${0##*/}
here=$(cd "$(dirname "$0")" && pwd)
rec=$here/records
hist=$here/history.txt

die() {
	echo "$prog: $*" >&2
	exit 1
}

[ $# -eq 1 ] || { echo "usage: $prog DEST" >&2; exit 2; }
dest=$1
case $dest in
'' | / | . | ..) die "refusing to use '$dest' as destination" ;;
esac

# Replace only what is empty or what this script made before.
if [ -e "$dest" ]; then
	[ -d "$dest" ] || die "$dest exists and is not a directory"
	if [ -n "$(ls -A "$dest")" ]; then
		if [ ! -d "$dest/.git" ] || [ ! -f "$dest/isms.yaml" ]; then
			die "$dest is not empty and not an example repository; not removing it"
		fi
	fi
	rm -rf "$dest"
fi
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)

# A failed run leaves no half-built repository behind (make would take it
# for a finished one).
built=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/make-repo.XXXXXX")
trap 'rm -rf "$tmp"; [ "$built" = 1 ] || rm -rf "$dest"' EXIT
trap 'exit 1' HUP INT TERM

# No user or system git configuration, hooks or templates.
HOME=$tmp
XDG_CONFIG_HOME=$tmp
GIT_CONFIG_NOSYSTEM=1
GIT_CONFIG_GLOBAL=/dev/null
TZ=UTC
LC_ALL=C
export HOME XDG_CONFIG_HOME GIT_CONFIG_NOSYSTEM GIT_CONFIG_GLOBAL TZ LC_ALL
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY \
	GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_TEMPLATE_DIR 2>/dev/null || :
mkdir "$tmp/template"

g() {
	git -C "$dest" -c commit.gpgsign=false -c core.autocrlf=false -c core.fsync=none \
		-c core.hooksPath="$tmp/template" -c user.useConfigOnly=false "$@"
}

git -c init.defaultBranch=main init -q --template="$tmp/template" "$dest"

sedf=$tmp/sed
msgf=$tmp/msg
keyf=$tmp/itemkeys
: >"$sedf"
: >"$keyf"

lineno=0
c_date=
p_op=

# Fail with the history line being read.
bad() {
	die "history.txt:$lineno: $*"
}

# Set keys to the item keys declared for path $1 (space-separated).
item_keys() {
	keys=
	while read -r pat key; do
		# shellcheck disable=SC2254
		case $1 in $pat) keys="$keys $key" ;; esac
	done <"$keyf"
}

# Write the pending put: the source through the sed script, then asof.awk.
flush_put() {
	[ -n "$p_op" ] || return 0
	if [ "$p_op" = old ]; then src=$here/history/$p_path; else src=$rec/$p_path; fi
	[ -f "$src" ] || die "history.txt:$p_line: no such file: $src"
	md=0
	case $p_path in *.md) md=1 ;; esac
	case $p_path in */*) [ -d "$dest/${p_path%/*}" ] || mkdir -p "$dest/${p_path%/*}" ;; esac
	item_keys "$p_path"
	sed -f "$sedf" "$src" >"$tmp/in" ||
		die "history.txt:$p_line: the sed lines of $p_path do not work"
	awk -v D="$c_day" -v md="$md" -v items="$keys" -v drop="$p_drop" \
		-f "$here/asof.awk" "$tmp/in" >"$dest/$p_path" ||
		die "history.txt:$p_line: cannot write $p_path"
	p_op=
	p_drop=
	: >"$sedf"
}

# Commit the pending commit as its author, on its date.
flush_commit() {
	flush_put
	[ -n "$c_date" ] || return 0
	g add -A
	eval "name=\$an_$c_who email=\$ae_$c_who"
	GIT_AUTHOR_NAME=$name GIT_AUTHOR_EMAIL=$email GIT_AUTHOR_DATE=$c_date \
		GIT_COMMITTER_NAME=$name GIT_COMMITTER_EMAIL=$email \
		GIT_COMMITTER_DATE=$c_date g commit -q --no-verify -F "$msgf" \
		>"$tmp/out" 2>&1 ||
		die "history.txt:$c_line: cannot commit '$c_subj': $(cat "$tmp/out")"
	c_date=
}

while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1))
	case $line in '' | '#'*) continue ;; esac
	set -f
	# shellcheck disable=SC2086
	set -- $line
	set +f
	kw=$1
	case $kw in
	author)
		[ $# -ge 4 ] || bad "author KEY Name <email>"
		key=$2
		case $key in *[!a-z0-9_]*) bad "bad author key '$key'" ;; esac
		rest=${line#*author "$key" }
		email=${rest##*<}
		email=${email%>}
		name=${rest% <*}
		eval "an_$key=\$name ae_$key=\$email"
		;;
	itemkey)
		[ $# -eq 3 ] || bad "itemkey GLOB KEY"
		echo "$2 $3" >>"$keyf"
		;;
	commit)
		flush_commit
		[ $# -ge 4 ] || bad "commit DATE AUTHOR subject"
		c_date=$2
		c_day=${2%%T*}
		c_who=$3
		c_line=$lineno
		case $c_who in '' | *[!a-z0-9_]*) bad "bad author key '$c_who'" ;; esac
		eval "[ -n \"\${an_$c_who:-}\" ]" 2>/dev/null || bad "unknown author '$c_who'"
		shift 3
		c_subj=$*
		printf '%s\n' "$c_subj" >"$msgf"
		c_body=0
		;;
	msg)
		[ -n "$c_date" ] || bad "msg outside a commit"
		[ "$c_body" = 1 ] || echo >>"$msgf"
		c_body=1
		printf '%s\n' "${line#*msg }" >>"$msgf"
		;;
	put | old)
		[ -n "$c_date" ] || bad "$kw outside a commit"
		[ $# -eq 2 ] || bad "$kw PATH"
		case $2 in /* | ../* | */../* | *..) bad "path outside the repository: $2" ;; esac
		flush_put
		p_op=$kw
		p_path=$2
		p_line=$lineno
		p_drop=
		;;
	sed)
		[ -n "$p_op" ] || bad "sed without a put"
		printf '%s\n' "${line#*sed }" >>"$sedf"
		;;
	drop)
		[ -n "$p_op" ] || bad "drop without a put"
		shift
		p_drop="$p_drop $*"
		;;
	rm)
		[ -n "$c_date" ] || bad "rm outside a commit"
		case ${2:-} in '' | /* | ../* | */../* | *..) bad "rm PATH inside the repository" ;; esac
		flush_put
		[ -f "$dest/$2" ] || bad "rm: $2 is not in the repository"
		rm -f "$dest/$2"
		;;
	*)
		bad "unknown keyword '$kw'"
		;;
	esac
done <"$hist"
flush_commit

# The last commit must be exactly records/.
(cd "$rec" && find . -type f | sed 's|^\./||' | sort) >"$tmp/want"
(cd "$dest" && find . -name .git -prune -o -type f -print | sed 's|^\./||' | sort) >"$tmp/have"
cmp -s "$tmp/want" "$tmp/have" ||
	die "files of the last commit differ from records/:
$(diff "$tmp/want" "$tmp/have" || :)"
while IFS= read -r f; do
	cmp -s "$rec/$f" "$dest/$f" || die "$f in the last commit differs from records/$f"
done <"$tmp/want"
[ -z "$(g status --porcelain)" ] || die "uncommitted changes left in $dest"
built=1
