# lib.sh - TAP helpers and git fixtures for the shell tests.
# Source it; it sets ISMSCTL, a private $T sandbox removed on exit, and a
# git identity that ignores the user's configuration.

: "${ISMS_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${ISMS_BUILD:=$ISMS_TOP/build}"
ISMSCTL="${ISMS_WRAP:-} $ISMS_BUILD/ismsctl"
export ISMS_RULES="$ISMS_TOP/rules"

T=$(mktemp -d "${TMPDIR:-/tmp}/isms-test.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
export HOME="$T/home" GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
export GIT_AUTHOR_NAME="Test Author" GIT_AUTHOR_EMAIL=author@example.invalid
export GIT_COMMITTER_NAME="Test Author" GIT_COMMITTER_EMAIL=author@example.invalid
git config --global init.defaultBranch main
git config --global commit.gpgsign false

tap_n=0
tap_fail=0
ok() { # ok COND-EXIT-STATUS DESCRIPTION
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $tap_n - $2"
	else echo "not ok $tap_n - $2"; tap_fail=$((tap_fail + 1)); fi
}
is() { # is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then ok 0 "$3"
	else ok 1 "$3"; echo "#   got '$1', want '$2'"; fi
}
like() { # like TEXT SUBSTRING DESCRIPTION
	case "$1" in
	*"$2"*) ok 0 "$3" ;;
	*) ok 1 "$3"; printf '#   %s\n' "does not contain: $2"; printf '%s\n' "$1" | head -20 | sed 's/^/#   | /' ;;
	esac
}
unlike() {
	case "$1" in
	*"$2"*) ok 1 "$3"; printf '#   %s\n' "contains: $2" ;;
	*) ok 0 "$3" ;;
	esac
}
done_testing() { echo "1..$tap_n"; [ "$tap_fail" -eq 0 ]; }

# commit_at DATE MESSAGE: commit everything in the current directory.
commit_at() {
	git add -A && GIT_AUTHOR_DATE="$1T12:00:00" GIT_COMMITTER_DATE="$1T12:00:00" \
		git commit -qm "$2"
}
