#!/bin/sh
# The LuaLS annotations in sdk/lua/isms.lua against the real API: every
# public function of lib/rules/sdk.lua (isms.X, Ctx:X), every date method and
# date module function of lib/rules/lua_date.c, and the record method of
# lib/rules/lua_record.c are annotated, and nothing is annotated that does
# not exist. A failure names what is missing where.
top="${ISMS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}"
exec python3 - "$top" <<'PY'
import re, subprocess, sys

top = sys.argv[1]
def read(rel):
    with open(f"{top}/{rel}") as f:
        return f.read()

sdk, ldate, lrec, ann = (read("lib/rules/sdk.lua"), read("lib/rules/lua_date.c"),
                         read("lib/rules/lua_record.c"), read("sdk/lua/isms.lua"))
n = 0
failed = 0
def ok(cond, what, diag=""):
    global n, failed
    n += 1
    print(("ok" if cond else "not ok") + f" {n} - {what}")
    if not cond:
        failed += 1
        if diag:
            print(f"#   {diag}")

def c_table(src, name):
    """Names registered in the luaL_Reg table `name` of a C file."""
    m = re.search(r"luaL_Reg\s+" + name + r"\[\]\s*=\s*\{(.*?)\};", src, re.S)
    return set(re.findall(r'\{\s*"(\w+)"', m.group(1))) if m else set()

# What exists.
real = {
    "isms module": set(re.findall(r"^function isms\.(\w+)", sdk, re.M))
                   | set(re.findall(r"^isms\.(\w+)\s*=", sdk, re.M)),
    "rule context": set(re.findall(r"^function Ctx:(\w+)", sdk, re.M)),
    "date method": c_table(ldate, "methods"),
    "date module": c_table(ldate, "funcs"),
    "record method": set(re.findall(r'strcmp\(k, "(\w+)"\) == 0\)\s*\{\s*lua_pushcfunction', lrec)),
}
# What is annotated.
annotated = {
    "isms module": set(re.findall(r"^function isms\.(\w+)", ann, re.M))
                   | set(re.findall(r"^isms\.(\w+)\s*=", ann, re.M)),
    "rule context": set(re.findall(r"^function context:(\w+)", ann, re.M)),
    "date method": set(re.findall(r"^function date:(\w+)", ann, re.M)),
    "date module": set(re.findall(r"^function date_module\.(\w+)", ann, re.M)),
    "record method": set(re.findall(r"^function record:(\w+)", ann, re.M)),
}
where = {
    "isms module": "lib/rules/sdk.lua", "rule context": "lib/rules/sdk.lua",
    "date method": "lib/rules/lua_date.c", "date module": "lib/rules/lua_date.c",
    "record method": "lib/rules/lua_record.c",
}
for kind in real:
    ok(len(real[kind]) > 0, f"found the {kind} functions in {where[kind]}",
       "the pattern no longer matches: update this test")
    for name in sorted(real[kind]):
        ok(name in annotated[kind], f"{kind} {name} is annotated",
           f"{where[kind]} has {name}; add it to sdk/lua/isms.lua")
    for name in sorted(annotated[kind] - real[kind]):
        ok(False, f"annotated {kind} {name} exists",
           f"sdk/lua/isms.lua annotates {name}, which {where[kind]} does not have")

# The date operators of lua_date.c have their @operator annotations.
meta = c_table(ldate, "meta")
ops = set(re.findall(r"---@operator (\w+)", ann))
for mm, op in (("__add", "add"), ("__sub", "sub"), ("__concat", "concat")):
    ok(mm not in meta or op in ops, f"date operator {op} is annotated")

# Every documented public function carries a doc comment in the
# annotations (a --- line right above it).
for m in re.finditer(r"^function ([\w.:]+)\(", ann, re.M):
    before = ann[:m.start()].rstrip("\n").rsplit("\n", 1)[-1]
    ok(before.startswith("---"), f"{m.group(1)} has a doc comment")

# Both files are valid Lua.
for rel in ("sdk/lua/isms.lua", "sdk/lua/isms/date.lua"):
    r = subprocess.run(["luac5.4", "-p", f"{top}/{rel}"], capture_output=True, text=True)
    ok(r.returncode == 0, f"{rel} is valid Lua", r.stderr.strip())

print(f"1..{n}")
sys.exit(1 if failed else 0)
PY
