#!/bin/sh
# Every code block of docs/writing-rules.md is tested. A block must follow
# a marker line:
#   <!-- tested: PATH -->   its lines (indentation and blank lines aside)
#                           appear, in order and together, in PATH: a file
#                           under sdk/examples/ (run by sdk-examples.t) or
#                           scaffold:REL, a file of the pack that
#                           `ismsctl new-pack acme-backups --dir packs` makes
#   <!-- run -->            a shell block, run as written (every line must
#                           succeed) in a scratch directory that has sdk/
#                           and ismsctl on PATH
. "$(dirname "$0")/../lib.sh"

DOC="${ISMS_DOC:-$ISMS_TOP/docs/writing-rules.md}"
mkdir -p "$T/scaffold" "$T/run/bin"
( cd "$T/scaffold" && $ISMSCTL new-pack acme-backups --dir packs >/dev/null ); ok $? "new-pack for the scaffold: blocks"
ln -s "$ISMS_TOP/sdk" "$T/run/sdk"
printf '#!/bin/sh\nexec %s "$@"\n' "$ISMSCTL" > "$T/run/bin/ismsctl"
chmod +x "$T/run/bin/ismsctl"

python3 - "$DOC" "$ISMS_TOP" "$T" <<'PY'
import os, re, subprocess, sys

doc, top, tmp = sys.argv[1:4]
lines = open(doc).read().split("\n")
n, failed = 1, 0   # test 1 was the scaffold above
def ok(cond, what, diag=()):
    global n, failed
    n += 1
    print(("ok" if cond else "not ok") + f" {n} - {what}")
    if not cond:
        failed += 1
        for d in diag:
            print(f"#   {d}")

def norm(text_lines):
    return [l.strip() for l in text_lines if l.strip()]

blocks = 0
i = 0
while i < len(lines):
    m = re.match(r"^```(\w*)\s*$", lines[i])
    if not m:
        i += 1
        continue
    lang, start = m.group(1), i + 1
    j = start
    while j < len(lines) and lines[j] != "```":
        j += 1
    body = lines[start:j]
    k = i - 1
    while k >= 0 and not lines[k].strip():
        k -= 1
    marker = lines[k].strip() if k >= 0 else ""
    where = f"{os.path.basename(doc)}:{i + 1}"
    blocks += 1
    t = re.match(r"^<!-- tested: (\S+) -->$", marker)
    if t:
        ref = t.group(1)
        if ref.startswith("scaffold:"):
            path = os.path.join(tmp, "scaffold", ref[len("scaffold:"):])
        else:
            path = os.path.join(top, ref)
            ok(ref.startswith("sdk/examples/"), f"{where}: {ref} is run by the tests",
               ["quote files under sdk/examples/ or scaffold:"])
        try:
            src = norm(open(path).read().split("\n"))
        except OSError as e:
            ok(False, f"{where}: {ref} exists", [str(e)])
            i = j + 1
            continue
        want = norm(body)
        found = any(src[s:s + len(want)] == want for s in range(len(src) - len(want) + 1))
        ok(want and found, f"{where}: the {lang} block is in {ref}",
           ["not found there as written:"] + want[:5])
    elif marker == "<!-- run -->":
        ok(lang == "sh", f"{where}: a run block is sh")
        env = dict(os.environ, PATH=os.path.join(tmp, "run", "bin") + ":" + os.environ["PATH"])
        for cmd in body:
            if not cmd.strip():
                continue
            r = subprocess.run(cmd, shell=True, cwd=os.path.join(tmp, "run"), env=env,
                               capture_output=True, text=True)
            ok(r.returncode == 0, f"{where}: `{cmd}` succeeds",
               [f"exit {r.returncode}"] + (r.stdout + r.stderr).splitlines()[-8:])
    else:
        ok(False, f"{where}: the {lang} block is marked tested or run",
           ["put <!-- tested: PATH --> or <!-- run --> on the line before it"])
    i = j + 1

ok(blocks > 0, f"{doc} has code blocks")
print(f"1..{n}")
sys.exit(1 if failed else 0)
PY
