#!/bin/sh
# The man pages (docs/man/*.scd) render with scdoc and are clean for
# man --warnings (groff, as lintian runs it) and mandoc -T lint; every
# command `ismsctl help` lists is in ismsctl(1) and in the bash and zsh
# completion, and the bash completion offers them.
. "$(dirname "$0")/../lib.sh"

MAN="$ISMS_TOP/docs/man"
COMP="$ISMS_TOP/contrib/completion"
for tool in scdoc mandoc man; do
	command -v $tool >/dev/null || { echo "1..0 # SKIP $tool is not installed (make deps)"; exit 0; }
done

for src in "$MAN"/*.scd; do
	page=$(basename "$src" .scd)
	scdoc < "$src" > "$T/$page" 2> "$T/err"
	ok $? "$page renders with scdoc"
	w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$T/$page" 2>&1 >/dev/null)
	is "$w" "" "$page: man --warnings is silent"
	# scdoc puts .P after .SH and around lists; mandoc's style notes on
	# that are the generator's, not the page's.
	l=$(mandoc -T lint -W warning "$T/$page" 2>&1 | grep -v -e 'skipping paragraph macro' \
		-e 'lower case character in document title')
	is "$l" "" "$page: mandoc -T lint has no warnings"
	txt=$(MANWIDTH=80 man -l "$T/$page" 2>/dev/null)
	like "$txt" "SEE ALSO" "$page: has a SEE ALSO section"
done
for want in ismsctl.1 ismsd.8 ismsd.conf.5 ismsd-protocol.7 ismsd-rules.7; do
	[ -f "$T/$want" ]; ok $? "the page $want exists"
done

# Every command of `ismsctl help`, in the page and the completions.
cmds=$($ISMSCTL help | awk '/^Commands:/ {on = 1; next} on && /^  [a-z]/ {print $1}')
[ -n "$cmds" ]; ok $? "ismsctl help lists commands"
page=$(MANWIDTH=200 man -l "$T/ismsctl.1" 2>/dev/null)
missing_page= missing_bash= missing_zsh=
for c in $cmds; do
	printf '%s\n' "$page" | grep -qE "^ +$c( |$)" || missing_page="$missing_page $c"
	grep -qw -- "$c" "$COMP/ismsctl.bash" || missing_bash="$missing_bash $c"
	grep -q "'$c:" "$COMP/_ismsctl" || missing_zsh="$missing_zsh $c"
done
is "$missing_page" "" "ismsctl(1) describes every command"
is "$missing_bash" "" "the bash completion knows every command"
is "$missing_zsh" "" "the zsh completion knows every command"

# The bash completion, run: the first word offers every command, and
# check's options after it.
BC=/usr/share/bash-completion/bash_completion
if [ -r "$BC" ]; then
	got=$(bash -c '. "$1"; . "$2"
		COMP_WORDS=(ismsctl ""); COMP_CWORD=1; COMP_LINE="ismsctl "; COMP_POINT=8
		_ismsctl; printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$BC" "$COMP/ismsctl.bash")
	want=$(printf '%s\n' $cmds | sort | tr '\n' ' ')
	is "$got" "$want" "bash: ismsctl <TAB> offers exactly the commands of ismsctl help"
	got=$(bash -c '. "$1"; . "$2"
		COMP_WORDS=(ismsctl check --fo); COMP_CWORD=2; COMP_LINE="ismsctl check --fo"; COMP_POINT=18
		_ismsctl; echo "${COMPREPLY[*]}"' _ "$BC" "$COMP/ismsctl.bash")
	is "$got" "--format" "bash: ismsctl check --fo<TAB> completes --format"
	got=$(bash -c '. "$1"; . "$2"
		COMP_WORDS=(ismsd --log-level d); COMP_CWORD=2; COMP_LINE="ismsd --log-level d"; COMP_POINT=19
		_ismsd; echo "${COMPREPLY[*]}"' _ "$BC" "$COMP/ismsd.bash")
	is "$got" "debug" "bash: ismsd --log-level d<TAB> completes debug"
fi
if command -v zsh >/dev/null; then
	zsh -n "$COMP/_ismsctl" && zsh -n "$COMP/_ismsd"; ok $? "the zsh completions parse"
fi
done_testing
