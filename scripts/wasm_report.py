#!/usr/bin/env python3
"""What the app's wasm is made of: twiggy's top items and the bytes of code per crate.

    python3 scripts/wasm_report.py [WASM] [--top N]

WASM defaults to the release build's module before wasm-bindgen and wasm-opt
(target/wasm32-unknown-unknown/wasm-release/liaison.wasm, which `trunk build --release` leaves), because
that one still has its function names. Custom sections (names, wasm-bindgen's descriptors) are dropped
by wasm-bindgen and wasm-opt before shipping, so they are left out of the percentages. Generic code is
counted in the crate that defines it (a Leptos view's instantiation counts in tachys), so the table says
where bytes come from, not who asked for them: read it beside `twiggy dominators`.
"""
import collections
import csv
import io
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT = os.path.join(ROOT, "target/wasm32-unknown-unknown/wasm-release/liaison.wasm")


def crate_of(name: str) -> str:
    if name.startswith("data segment"):
        return "(data: strings and tables)"
    if name.startswith("__wbindgen") or name.startswith("export ") or name.startswith("import "):
        return "(wasm-bindgen glue)"
    paths = re.findall(r"([a-z_][a-z0-9_]*)(?:\[[0-9a-f]+\])?::", name)
    return paths[0] if paths else "(other)"


def main() -> int:
    args = sys.argv[1:]
    top = 20
    if "--top" in args:
        i = args.index("--top")
        top = int(args[i + 1])
        del args[i : i + 2]
    wasm = args[0] if args else DEFAULT
    if not shutil.which("twiggy"):
        print("wasm-report: twiggy is missing: cargo install twiggy --locked", file=sys.stderr)
        return 1
    if not os.path.exists(wasm):
        print(f"wasm-report: {wasm} is missing: run trunk build --release --offline first", file=sys.stderr)
        return 1
    out = subprocess.run(["twiggy", "top", "-f", "csv", wasm], check=True, capture_output=True, text=True).stdout
    rows = [r for r in csv.DictReader(io.StringIO(out))]
    # wasm-bindgen reads its `__wbindgen_describe_*` functions at build time and removes them.
    dropped = ("\"", "custom section", "__wbindgen_describe", 'export "__wbindgen_describe')
    shipped = [r for r in rows if not r["Name"].startswith(dropped)]
    total = sum(int(r["ShallowSize"]) for r in shipped)
    print(f"{os.path.relpath(wasm, ROOT)}: {total:,} bytes of code and data before wasm-opt "
          f"(custom sections and wasm-bindgen's descriptors left out)\n")
    print(f"| top {top} item | bytes | % |\n| --- | ---: | ---: |")
    for r in sorted(shipped, key=lambda r: -int(r["ShallowSize"]))[:top]:
        name = r["Name"].replace("|", "\\|")
        name = name if len(name) <= 110 else name[:107] + "..."
        size = int(r["ShallowSize"])
        print(f"| `{name}` | {size:,} | {100 * size / total:.1f} |")
    per = collections.Counter()
    for r in shipped:
        per[crate_of(r["Name"])] += int(r["ShallowSize"])
    print(f"\n| crate | bytes | % |\n| --- | ---: | ---: |")
    for crate, size in per.most_common(top):
        print(f"| {crate} | {size:,} | {100 * size / total:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
