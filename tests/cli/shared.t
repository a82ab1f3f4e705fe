#!/bin/sh
# r:shared cannot carry a value from one pack to another: two hostile
# packs use one key with builders of their own, and one of them also uses
# a key of the shipped evidence library. The same commit checked 50 times
# gives the same JSON every time, each hostile rule gets its own pack's
# value, and the shipped rules judge as they do without the hostile packs.
. "$(dirname "$0")/../lib.sh"

EX="$ISMS_BUILD/example-isms"
NOW="--now 2026-11-22"
RUNS=50
if [ -n "${ISMS_WRAP:-}" ]; then RUNS=4; fi

mkdir -p "$T/hostile"
# hostile_pack NAME VALUE: ten rules that each ask for "hostile.index"
# with this pack's builder and pass only when they get VALUE.
hostile_pack() {
	{
		echo "local function build(r) return { who = '$2', n = r:count('asset') } end"
		echo "local function fake_evidence(r) return { who = '$2' } end"
		i=1
		while [ $i -le 10 ]; do
			cat <<LUA
isms.rule {
  id = "X-$1-$i", clause = "4.1", severity = "minor",
  title = "t", rationale = "r", remediation = "do it",
  check = function(r)
    r:shared("evidence.index", fake_evidence)
    local v = r:shared("hostile.index", build)
    if v.who ~= "$2" then r:fail("given the value of pack %s", tostring(v.who)) end
  end,
}
LUA
			i=$((i + 1))
		done
	} > "$T/hostile/$1.lua"
}
hostile_pack a alpha
hostile_pack b beta

$ISMSCTL check --repo "$EX" $NOW --format json > "$T/plain.json"
i=1
while [ $i -le $RUNS ]; do
	$ISMSCTL check --repo "$EX" $NOW --pack "$T/hostile" --format json > "$T/run$i.json"
	i=$((i + 1))
done
python3 - "$T" "$RUNS" <<'PY'
import json, sys
t, runs = sys.argv[1], int(sys.argv[2])
texts = [open(f"{t}/run{i}.json").read() for i in range(1, runs + 1)]
first = json.loads(texts[0])
differ = sum(1 for x in texts if x != texts[0])
print(f"ok 1 - {runs} checks with hostile packs give the same JSON" if differ == 0
      else f"not ok 1 - {differ} of {runs} checks differ from the first")
hostile = [r for r in first["results"] if r["id"].startswith("X-")]
bad = [r["id"] + ": " + r["status"] + " " + str(r["findings"]) for r in hostile if r["status"] != "pass"]
print("ok 2 - each hostile rule gets its own pack's value" if len(hostile) == 20 and not bad
      else "not ok 2 - hostile rules given another pack's value\n#   " + "\n#   ".join(bad[:5]))
plain = {r["id"]: r for r in json.load(open(f"{t}/plain.json"))["results"]}
shipped = {r["id"]: r for r in first["results"] if not r["id"].startswith("X-")}
print("ok 3 - the shipped rules judge as they do without the hostile packs" if shipped == plain
      else "not ok 3 - shipped verdicts changed: " +
      ", ".join(k for k in plain if plain[k] != shipped.get(k))[:300])
print("1..3")
PY
