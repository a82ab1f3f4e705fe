#!/bin/sh
# sign_key: the daemon signs each commits notification; minisign checks
# the signed text with the public key, and the signed text is the
# notification's data. A key that cannot be read fails ismsd -t.
. "$(dirname "$0")/../daemon/daemon.sh"
command -v minisign >/dev/null || { echo "1..0 # SKIP minisign is not installed (make deps)"; exit 0; }

example_clone "$T/acme"
$ISMSCTL keygen --key "$T/sign.key" >/dev/null
cat > "$T/ismsd.conf" <<CONF
sign_key: $T/sign.key
repositories:
  - name: acme
    path: $T/acme
CONF
out=$($ISMSD -t -c "$T/ismsd.conf" 2>&1); ok $? "ismsd -t accepts the key"
like "$out" "each evaluation published is signed" "and says what it does"
start_ismsd -c "$T/ismsd.conf"; ok $? "the daemon starts with sign_key"
wait_ready; ok $? "and evaluates"
"$ISMSCTL_BIN" watch --json --cursor 0 --count 1 --timeout 5 --topics commits > "$T/watch.json" 2>/dev/null
python3 - "$T" <<'PY'
import json, sys
t = sys.argv[1]
for line in open(t + "/watch.json"):
    try:
        j = json.loads(line)
    except ValueError:
        continue
    p = j.get("params", j)
    if p.get("topic") != "commits":
        continue
    sig = p["data"]["signature"]
    open(t + "/signed.json", "w").write(sig["signed"])
    open(t + "/signed.json.minisig", "w").write(sig["minisig"])
    d = dict(p["data"]); del d["signature"]; d["repo"] = p["repo"]
    print("same" if json.loads(sig["signed"]) == d else "differs")
    break
PY
[ -s "$T/signed.json" ]; ok $? "the commits notification carries a signature"
out=$(minisign -V -p "$T/sign.key.pub" -m "$T/signed.json" 2>&1); ok $? "minisign verifies it with the public key"
like "$out" "ismsd evaluation repo=acme commit=" "the trusted comment names repository and commit"
stop_ismsd

printf 'untrusted comment: x\nnot a key\n' > "$T/bad.key"
sed "s|$T/sign.key|$T/bad.key|" "$T/ismsd.conf" > "$T/bad.conf"
out=$($ISMSD -t -c "$T/bad.conf" 2>&1); rc=$?
is "$rc" 1 "ismsd -t refuses a key it cannot read"
like "$out" "sign_key" "naming the setting"
done_testing
