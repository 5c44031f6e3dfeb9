#!/usr/bin/env python3
"""Core's layers: liaison-core's modules form the layer order that lib.rs lists, with no import cycle.

The order of the `pub mod` lines in crates/core/src/lib.rs is the layer order, bottom up. A module may use
modules of its own layer or of layers listed before it, never after. Inside a layer (a folder), the modules
may use one another, but not in a cycle. What counts as a use: a `crate::…` or `super::…` path outside
comments and outside `#[cfg(test)]` code. A folder's mod.rs may re-export its children (`pub use child::X`)
without that counting as a use, because a facade is how the folder is reached, not a dependency.

    python3 scripts/check_layers.py [CORE_SRC]   (default crates/core/src)
"""

import re
import sys
from pathlib import Path

src = Path(sys.argv[1] if len(sys.argv) > 1 else "crates/core/src")
lib = (src / "lib.rs").read_text(encoding="utf-8")
layers = re.findall(r"^pub mod (\w+);", lib, flags=re.M)
rank = {name: i for i, name in enumerate(layers)}


def module_of(path: Path) -> tuple:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "mod":
        parts.pop()
    return tuple(parts)


files = {module_of(p): p for p in src.rglob("*.rs") if p.name != "lib.rs"}


def resolve(segments: list) -> tuple:
    """The longest known module that a path's segments start with."""
    for n in range(len(segments), 0, -1):
        if tuple(segments[:n]) in files:
            return tuple(segments[:n])
    return ()


def code_lines(text: str):
    in_test = False
    pending_cfg_test = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#[cfg(test)]"):
            pending_cfg_test = True
            continue
        if pending_cfg_test and re.match(r"(pub(\(crate\))? )?mod \w+", stripped):
            # A test module, inline or as a file: everything after it in this file is test code.
            in_test = True
        pending_cfg_test = False
        if in_test:
            return
        yield line.split("//", 1)[0]


edges: dict = {m: set() for m in files}
for module, path in files.items():
    is_facade = path.name == "mod.rs"
    for line in code_lines(path.read_text(encoding="utf-8")):
        stripped = line.strip()
        if re.match(r"(pub(\(crate\))? )?mod \w+;", stripped):
            continue
        if is_facade and re.match(r"pub use (self::)?\w+::", stripped) and not stripped.startswith("pub use crate::"):
            continue
        for m in re.finditer(r"\bcrate::((?:\w+::)*\w+)", line):
            target = resolve(m.group(1).split("::"))
            if target and target != module:
                edges[module].add(target)
        for m in re.finditer(r"\bsuper::((?:\w+::)*\w+)", line):
            base = list(module[:-1]) if path.name != "mod.rs" else list(module[:-1])
            target = resolve(base + m.group(1).split("::"))
            if target and target != module:
                edges[module].add(target)
        # A use of a child through a `use child::…` or `child::…` path from the folder's mod.rs.
        if is_facade:
            for m in re.finditer(r"(?<![\w:])(\w+)::\w+", line):
                child = module + (m.group(1),)
                if child in files:
                    edges[module].add(child)

problems = []
for module, targets in sorted(edges.items()):
    for target in sorted(targets):
        a, b = module[0], target[0]
        if a in rank and b in rank and rank[b] > rank[a]:
            problems.append(
                f"{'::'.join(module)} uses {'::'.join(target)}, a layer above it "
                f"({a} comes before {b} in lib.rs)"
            )

# Cycles: Tarjan's strongly connected components over the module graph.
index, low, stack, on_stack, sccs, counter = {}, {}, [], set(), [], [0]


def strongconnect(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on_stack.add(v)
    for w in edges.get(v, ()):
        if w not in index:
            strongconnect(w)
            low[v] = min(low[v], low[w])
        elif w in on_stack:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        component = []
        while True:
            w = stack.pop()
            on_stack.discard(w)
            component.append(w)
            if w == v:
                break
        if len(component) > 1:
            sccs.append(sorted(component))


sys.setrecursionlimit(10000)
for v in sorted(edges):
    if v not in index:
        strongconnect(v)
for component in sccs:
    problems.append("import cycle: " + " ↔ ".join("::".join(m) for m in component))

for module in files:
    if module and module[0] not in rank:
        problems.append(f"{'::'.join(module)} is in no layer: lib.rs does not list {module[0]}")

if problems:
    print("check-layers: FAIL:", file=sys.stderr)
    for p in problems:
        print("  " + p, file=sys.stderr)
    sys.exit(1)
print(f"check-layers: ok: {len(files)} modules in {len(layers)} layers ({', '.join(layers)}), no upward use, no cycle")
