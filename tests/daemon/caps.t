#!/bin/sh
# Limits that do not mislead: a repository with more files than the file
# count cap is still read with its isms.yaml and told which cap left files
# out; one without isms.yaml is not conformant, is not read again on
# every poll while its head stays the same, and is read again once it
# moves; one with no commits says so.
. "$(dirname "$0")/daemon.sh"

# many: the example ISMS and 100,000 more files in aaa/, which sorts
# before isms.yaml (bare, so nothing is checked out).
git clone -q --bare "$ISMS_BUILD/example-isms" "$T/many.git"
python3 - <<'PY' | git -C "$T/many.git" fast-import --quiet
import sys
w = sys.stdout.write
w("blob\nmark :1\ndata 9\nevidence\n")
w("commit refs/heads/main\ncommitter T <t@example.invalid> 1795000000 +0000\n"
  "data 11\nmany files\nfrom refs/heads/main^0\n")
for i in range(100000):
    w("M 100644 :1 aaa/d%03d/f%05d.txt\n" % (i // 1000, i))
w("\n")
PY
mkdir "$T/plain" && (cd "$T/plain" && git init -q && echo hi > notes.md && commit_at 2026-01-01 notes)
git init -q "$T/empty"

cat > "$T/ismsd.conf" <<CONF
repositories:
  - name: many
    path: $T/many.git
  - name: plain
    path: $T/plain
    poll_interval: 1
  - name: empty
    path: $T/empty
CONF
start_ismsd -c "$T/ismsd.conf" --now 2026-11-22 --frozen-clock --log-level debug; ok $? "daemon starts"

health() { # health NAME: health and message of repository NAME
	"$ISMSCTL_BIN" status --json 2>/dev/null |
		jget '[r["health"] + " " + str(r["message"]) for r in j["repositories"] if r["name"] == sys.argv[2]][0]' "$1"
}
wait_health() { # wait_health NAME WORD: until NAME's health starts with WORD (30 s)
	i=0
	while [ $i -lt 600 ]; do
		case "$(health "$1")" in "$2"*) return 0 ;; esac
		sleep 0.05; i=$((i + 1))
	done
	return 1
}
# jget takes its expression only; pass the name through the environment.
jget() {
	python3 -c 'import json,sys; j=json.load(sys.stdin); v=eval(sys.argv[1]); print(v if not isinstance(v,(dict,list,bool)) or v is None else json.dumps(v, sort_keys=True))' "$@"
}

wait_health many ok; ok $? "100,000 files plus isms.yaml: evaluated, not 'no isms.yaml'"
out=$("$ISMSCTL_BIN" results --repo many --json)
like "$out" "more files than the file count cap (100000 files)" "a finding names the cap and its value"

wait_health plain not_isms; ok $? "no isms.yaml: not_isms"
st=$("$ISMSCTL_BIN" status --json)
is "$(echo "$st" | jget '[r["conformant"] for r in j["repositories"] if r["name"] == "plain"][0]')" false \
	"status: a repository without verdicts is not conformant"
out=$("$ISMSCTL_BIN" status 2>&1)
like "$out" "conformant: NO (no verdicts: not_isms)" "ismsctl status says so"
unlike "$out" "conformant: yes" "and never prints 'conformant: yes' for it"
out=$("$ISMSCTL_BIN" call summary '{"repo":"plain"}')
like "$out" '"conformant":false' "summary: not conformant without verdicts"

reads() { grep -c "$T/plain: [0-9a-f]* cannot be read" "$T/ismsd.log"; }
sleep 3.5
is "$(reads)" 1 "polled every second for 3.5 s, the unchanged head was read once"
(cd "$T/plain" && echo more >> notes.md && commit_at 2026-01-02 more)
i=0; while [ $i -lt 200 ] && [ "$(reads)" -lt 2 ]; do sleep 0.05; i=$((i + 1)); done
is "$(reads)" 2 "a new commit is read at once"
"$ISMSCTL_BIN" sync --repo plain >/dev/null 2>&1
is "$(reads)" 3 "and sync reads it again whatever the wait"

wait_health empty empty; ok $? "an unborn HEAD: health empty"
like "$(health empty)" "has no commits yet" "the message says there are no commits yet"
unlike "$(health empty)" "corrupt" "not corrupt"
stop_ismsd
done_testing
