#!/bin/sh
# The git hooks in contrib/hooks: pre-commit refuses a commit that makes a
# rule fail, lets unrelated commits through despite existing
# nonconformities; post-receive never fails a push.
. "$(dirname "$0")/../lib.sh"

mkdir -p "$T/bin"
printf '#!/bin/sh\nexec %s "$@"\n' "$ISMSCTL" > "$T/bin/ismsctl"
chmod +x "$T/bin/ismsctl"
export PATH="$T/bin:$PATH"

git clone -q "$ISMS_BUILD/example-isms" "$T/work" && cd "$T/work"
cp "$ISMS_TOP/contrib/hooks/pre-commit" .git/hooks/pre-commit

echo "# notes" >> scope-notes.txt
git add scope-notes.txt
out=$(git commit -qm "an unrelated file" 2>&1); rc=$?
is "$rc" 0 "an unrelated commit passes although the ISMS has nonconformities"

sed -i 's/^approved_by: p-[a-z-]*/approved_by: p-nobody/' policies/information-security-policy.md
git add -A
out=$(git commit -qm "drop the approval" 2>&1); rc=$?
is "$rc" 1 "a commit that makes a rule fail is refused"
like "$out" "5.2-policy-approved" "naming the rule"
like "$out" "top management must approve the policy" "and the finding"
git checkout -q HEAD -- .

printf 'risks:\n  - id: [broken\n' > risk/register.yaml
git add -A
out=$(git commit -qm "break a record" 2>&1); rc=$?
is "$rc" 1 "a record that no longer parses is refused"
like "$out" "risk/register.yaml" "naming the file"
git checkout -q HEAD -- .

export ISMS_SOCKET="$T/none.sock"
out=$(sh "$ISMS_TOP/contrib/hooks/post-receive" < /dev/null 2>&1); rc=$?
is "$rc" 0 "post-receive never fails a push"
like "$out" "will see it at its next poll" "and says why when the daemon is away"

done_testing
