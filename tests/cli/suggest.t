#!/bin/sh
# "Did you mean" wherever a name is mistyped: a record type, a field, a
# command, a flag, a configuration key (lib/base/suggest.c).
. "$(dirname "$0")/../lib.sh"

git clone -q "$ISMS_BUILD/example-isms" "$T/r" && cd "$T/r" || exit 1
mkdir -p misc && printf 'type: rsk\nid: R-99\n' > misc/r.yaml
sed -i 's/^    likelihood: 4$/    likelihod: 4/' risk/register.yaml
commit_at 2026-11-20 "typos"
out=$($ISMSCTL check --repo . --now 2026-11-22 2>&1)
like "$out" "'rsk' is not a known record type (did you mean 'risk'?)" "a mistyped record type"
like "$out" "did you mean 'likelihood'?" "a mistyped field name"

out=$($ISMSCTL chek 2>&1); rc=$?
is "$rc" 2 "an unknown command is a usage error"
like "$out" "unknown command 'chek' (did you mean 'check'?)" "a mistyped command"
out=$($ISMSCTL check --fromat tap 2>&1)
like "$out" "unknown option '--fromat' (did you mean '--format'?)" "a mistyped flag (getopt)"
out=$($ISMSCTL results --staus fail 2>&1)
like "$out" "unknown option '--staus' (did you mean '--status'?)" "a mistyped flag (daemon commands)"
out=$($ISMSCTL check --format 2>&1)
like "$out" "option '--format' needs a value" "a flag without its value"

printf 'sokcet: /tmp/x.sock\nrepositories:\n  - name: a\n    pth: /tmp\nplugins:\n  - name: p\n    path: exec\n    confg: {}\n' > "$T/c.conf"
out=$("$ISMS_BUILD/ismsd" -t -c "$T/c.conf" 2>&1)
like "$out" "c.conf:1: unknown setting 'sokcet' (did you mean 'socket'?)" "a mistyped configuration key"
like "$out" "c.conf:4: unknown repository setting 'pth' (did you mean 'path'?)" "a mistyped repository key"
like "$out" "unknown plugin setting 'confg' (did you mean 'config'?)" "a mistyped plugin key"
done_testing
