#!/bin/sh
# docs/rules.md is the output of `ismsctl rules --markdown`: the rule
# reference cannot drift from the rule packs.
. "$(dirname "$0")/../lib.sh"

doc="$ISMS_TOP/docs/rules.md"
$ISMSCTL rules --markdown > "$T/rules.md"; rc=$?
is "$rc" 0 "ismsctl rules --markdown exits 0"
like "$(cat "$T/rules.md")" "| id | clause | title | what it checks | parameters | severity |" "it prints the rule tables"

if [ -f "$doc" ]; then ok 0 "docs/rules.md exists"; else ok 1 "docs/rules.md exists"; fi
# The tables are the part between the markers; the sections after them
# (severity policy, linked findings, what each rule samples) are written
# by hand.
sed -n '/^<!-- BEGIN GENERATED RULE TABLES/,/^<!-- END GENERATED RULE TABLES -->/p' "$doc" 2>/dev/null |
	sed '1,/-->$/d' | sed '$d' >"$T/doc-tables.md"
if cmp -s "$T/rules.md" "$T/doc-tables.md"; then
	ok 0 "docs/rules.md is up to date with the rule packs"
else
	ok 1 "docs/rules.md is up to date with the rule packs"
	echo "#   docs/rules.md differs from the packs; regenerate the part between"
	echo "#   the GENERATED RULE TABLES markers with build/ismsctl rules --markdown"
	diff -u "$T/doc-tables.md" "$T/rules.md" 2>&1 | head -40 | sed 's/^/#   /'
fi

# Every rule of every pack appears in it.
missing=""
for id in $($ISMSCTL rules --json | python3 -c 'import json,sys; print("\n".join(r["id"] for r in json.load(sys.stdin)))'); do
	grep -qF "| \`$id\` |" "$doc" 2>/dev/null || missing="$missing $id"
done
is "$missing" "" "docs/rules.md names every rule"

done_testing
