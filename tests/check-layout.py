#!/usr/bin/env python3
"""The include rule of the source tree (HACKING.md, "Layout").

Each folder of C may include headers of the folders it is allowed to lean
on, never of one above it:

    lib/base      nothing else
    lib/git       base
    lib/records   base, git
    lib/rules     base, git, records
    lib/calendar  base, git, records
    lib/report    base, git, records, rules, calendar
    daemon, cli   any lib/ folder, never each other
    plugins       only sdk/include

and no two modules include each other, directly or round a longer circle
(module = name.c + name.h, with name_int.h, the private header its pieces
share). Prints every breach as file:line and exits 1
when there is one; run by `make layout`, which `make check` runs.

Usage: check-layout.py [TOP]
"""
import os
import re
import sys

ALLOWED = {
    "lib/base": set(),
    "lib/git": {"lib/base"},
    "lib/records": {"lib/base", "lib/git"},
    "lib/rules": {"lib/base", "lib/git", "lib/records"},
    "lib/calendar": {"lib/base", "lib/git", "lib/records"},
    "lib/report": {"lib/base", "lib/git", "lib/records", "lib/rules", "lib/calendar"},
}
LIB = set(ALLOWED)
ALLOWED["daemon"] = set(LIB)
ALLOWED["cli"] = set(LIB)
ALLOWED["plugins"] = set()
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def module_of(name):
    """The module a file belongs to: rpc_int.h is rpc's private header."""
    base = os.path.splitext(name)[0]
    return base[:-4] if base.endswith("_int") else base


def sources(top):
    for folder in ALLOWED:
        path = os.path.join(top, folder)
        if not os.path.isdir(path):
            continue
        for name in sorted(os.listdir(path)):
            if name.endswith((".c", ".h")):
                yield folder, name


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else "."
    home = {}  # header name -> its folder
    for folder, name in sources(top):
        if name.endswith(".h"):
            if name in home:
                print(f"{folder}/{name}: the header name is also used in {home[name]}/; "
                      "header names must be unique across lib/, daemon/ and cli/")
                return 1
            home[name] = folder
    breaches = []
    uses = {}  # module -> modules it includes
    for folder, name in sources(top):
        module = (folder, module_of(name))
        rel = f"{folder}/{name}"
        with open(os.path.join(top, rel), encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                inc = os.path.basename(m.group(1))
                target = home.get(inc)
                if target is None:
                    continue  # a system, SDK or test header
                if target != folder and target not in ALLOWED[folder]:
                    breaches.append(f"{rel}:{lineno}: includes {target}/{inc}: {folder} "
                                    f"may not lean on {target} (see tests/check-layout.py)")
                dep = (target, module_of(inc))
                if dep != module:
                    uses.setdefault(module, set()).add(dep)
    loops = circles(uses)
    breaches += loops[:10]
    for b in breaches:
        print(b)
    if len(loops) > 10:
        print(f"... and {len(loops) - 10} more circles through the same includes")
    if breaches:
        print(f"{len(breaches)} breach(es) of the include rule")
        return 1
    print(f"include rule holds: {len(home)} headers, {len(uses)} modules, no circles")
    return 0


def circles(uses):
    """Every module that can reach itself through includes, once per circle."""
    found, seen = [], set()
    state = {}  # module -> 1 on the path, 2 done

    def visit(m, path):
        state[m] = 1
        path.append(m)
        for d in sorted(uses.get(m, ())):
            if state.get(d) == 1:
                loop = path[path.index(d):] + [d]
                key = frozenset(loop)
                if key not in seen:
                    seen.add(key)
                    found.append("circle: " + " -> ".join(f"{f}/{n}" for f, n in loop))
            elif d not in state:
                visit(d, path)
        path.pop()
        state[m] = 2

    for m in sorted(uses):
        if m not in state:
            visit(m, [])
    return found


if __name__ == "__main__":
    sys.exit(main())
