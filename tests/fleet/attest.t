#!/bin/sh
# Signed attestations: ismsctl keygen, attest and verify; Debian's minisign
# checks what ismsctl signs (and ismsctl reads a key minisign made); the
# signed file is byte for byte what `ismsctl check --format json` prints;
# a changed file, a changed trusted comment, another key and a verdict
# that no longer holds are all refused.
. "$(dirname "$0")/../lib.sh"

EX="$ISMS_BUILD/example-isms"
NOW="--now 2026-11-22"
command -v minisign >/dev/null || { echo "1..0 # SKIP minisign is not installed (make deps)"; exit 0; }
cd "$T"

out=$($ISMSCTL keygen --key k.key 2>&1); ok $? "keygen makes a key pair"
like "$out" "key id" "and names the key id"
is "$(stat -c %a k.key)" 600 "the secret key is private (0600)"
$ISMSCTL keygen --key k.key >/dev/null 2>&1; is $? 2 "keygen never overwrites a key"

out=$($ISMSCTL attest --key k.key --repo "$EX" $NOW --out att.json 2>&1); rc=$?
is "$rc" 1 "attest exits as check does (nonconformities: 1)"
like "$out" "NOT conformant" "and says the verdict"
$ISMSCTL check --repo "$EX" $NOW --format json > check.json
cmp -s att.json check.json; ok $? "the signed file is byte for byte check's JSON"
out=$(minisign -V -p k.key.pub -m att.json 2>&1); ok $? "Debian's minisign verifies the signature"
like "$out" "commit=$(git -C "$EX" rev-parse HEAD)" "the trusted comment names the commit"
like "$out" "rules_sha256=" "and a digest of the rule packs"

out=$($ISMSCTL verify att.json --pub k.key.pub 2>&1); rc=$?
is "$rc" 0 "verify: good signature, verdicts confirmed"
nrules=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["results"]))' check.json)
like "$out" "verdicts: confirmed: $nrules rules" "every rule evaluated again agrees"

sed 's/"status": "fail"/"status": "pass"/' att.json > forged.json
cp att.json.minisig forged.json.minisig
out=$($ISMSCTL verify forged.json --pub k.key.pub 2>&1); rc=$?
is "$rc" 1 "a changed verdict breaks the signature"
like "$out" "signature: BAD" "verify says so"
minisign -V -p k.key.pub -m forged.json >/dev/null 2>&1; ok $((! $?)) "minisign refuses it too"

sed '3s/conformant=false/conformant=true/' att.json.minisig > tc.minisig
cp att.json tc.json && cp tc.minisig tc.json.minisig
out=$($ISMSCTL verify tc.json --pub k.key.pub 2>&1)
like "$out" "trusted comment was altered" "a changed trusted comment is refused"

$ISMSCTL keygen --key other.key >/dev/null
out=$($ISMSCTL verify att.json --pub other.key.pub 2>&1); rc=$?
is "$rc" 1 "another public key is refused"
like "$out" "but the public key given is" "naming both key ids"

# A result set that was signed honestly but no longer holds: sign a
# hand-made report whose verdict the commit does not give.
python3 - att.json > wrong.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = next(x for x in d["results"] if x["status"] == "fail")
r["status"] = "pass"; r["findings"] = []
print(json.dumps(d, indent=2))
PY
minisign -S -l -s k.key -m wrong.json -x wrong.json.minisig -t "hand-made" >/dev/null 2>&1 </dev/null
ok $? "minisign signs with a key ismsctl made (its own format)"
out=$($ISMSCTL verify wrong.json --pub k.key.pub 2>&1); rc=$?
is "$rc" 1 "a verdict the commit does not give is refused"
like "$out" "evaluates to fail" "verify names the rule that differs"

minisign -G -W -p mk.pub -s mk.key >/dev/null 2>&1 </dev/null
$ISMSCTL attest --key mk.key --repo "$EX" $NOW --out m.json >/dev/null 2>&1
minisign -V -p mk.pub -m m.json >/dev/null 2>&1; ok $? "ismsctl signs with a key minisign -G -W made"
out=$($ISMSCTL verify m.json --pub "$(tail -1 mk.pub)" --signature-only 2>&1)
ok $? "the public key may be given as its base64 line"

printf 'untrusted comment: x\nRWQAAEIyAAAA\n' > bad.key
out=$($ISMSCTL attest --key bad.key --repo "$EX" 2>&1); rc=$?
is "$rc" 2 "a malformed key is a usage error"
like "$out" "not a minisign key" "and says why"
out=$($ISMSCTL attest --key k.key --repo "$T/nowhere" 2>&1); rc=$?
is "$rc" 2 "a missing repository signs nothing"
[ ! -e isms-attestation.json ]; ok $? "and writes no file"

done_testing
