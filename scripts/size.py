#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Code size of the runtime and the kernels on each target, from the board runner's link map.

The board runner (targets/runner) links the whole runtime and, through the runtime's operator
dispatch, every kernel; the linker garbage-collects everything unused. This sums the input
sections that the link kept from libtinyexec_runtime.a and libtinyexec_kernels.a:
text (code, read-only data, unwind tables), data (initialised RAM) and bss (zeroed RAM).

usage: scripts/size.py [--targets cortex-m4 cortex-m55 ...] [--json]
Writes bench/results/code_size.json (scripts/bench.py renders it into bench/RESULTS.md).
"""
import argparse
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
TARGETS = ["cortex-m3", "cortex-m4", "cortex-m7", "cortex-m33", "cortex-m55"]
LIBRARIES = {"libtinyexec_runtime.a": "runtime", "libtinyexec_kernels.a": "kernels"}
PLACED = re.compile(r"^\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S+)$")
SECTION_AND_PLACED = re.compile(r"^ (\.\S+)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S+)$")
SECTION_ONLY = re.compile(r"^ (\.\S+)$")


def kind_of(section):
    for prefix, kind in ((".text", "text"), (".rodata", "text"), (".ARM.ex", "text"),
                         (".data", "data"), (".bss", "bss")):
        if section.startswith(prefix):
            return kind
    return None  # debug info, comments, attributes: not on the device


def sizes_from_map(map_path):
    """{library: {text, data, bss}} of the sections the link kept."""
    totals = {name: {"text": 0, "data": 0, "bss": 0} for name in LIBRARIES.values()}
    text = map_path.read_text()
    start = text.find("Linker script and memory map")
    if start < 0:
        sys.exit(f"size: {map_path} is not a GNU ld map")
    section = None
    for line in text[start:].splitlines():
        match = SECTION_AND_PLACED.match(line)
        if match:
            section, size, origin = match.group(1), int(match.group(2), 16), match.group(3)
        else:
            only = SECTION_ONLY.match(line)
            if only:
                section = only.group(1)
                continue
            placed = PLACED.match(line)
            if not placed or section is None:
                continue
            size, origin = int(placed.group(1), 16), placed.group(2)
        library = next((LIBRARIES[lib] for lib in LIBRARIES if lib + "(" in origin), None)
        kind = kind_of(section)
        if library and kind:
            totals[library][kind] += size
        section = None
    return totals


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", nargs="+", default=TARGETS, choices=TARGETS)
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = parser.parse_args()

    rows = []
    for target in args.targets:
        map_path = ROOT / "build" / target / "bin" / "tinyexec_runner.elf.map"
        if not map_path.exists():
            sys.exit(f"size: {map_path} not found (run: make build-{target})")
        flags = (ROOT / "build" / target / "CMakeCache.txt").read_text()
        build_type = re.search(r"^CMAKE_BUILD_TYPE:\w+=(\w+)", flags, re.M).group(1)
        for library, size in sizes_from_map(map_path).items():
            rows.append({"target": target, "library": library, "build": build_type, **size})

    out = ROOT / "bench" / "results" / "code_size.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=1) + "\n")
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    print(f"{'target':<12} {'library':<8} {'text':>8} {'data':>6} {'bss':>6}  (bytes, {rows[0]['build']})")
    for target in args.targets:
        total = {"text": 0, "data": 0, "bss": 0}
        for row in (r for r in rows if r["target"] == target):
            print(f"{target:<12} {row['library']:<8} {row['text']:>8} {row['data']:>6} {row['bss']:>6}")
            for key in total:
                total[key] += row[key]
        print(f"{target:<12} {'total':<8} {total['text']:>8} {total['data']:>6} {total['bss']:>6}")
    print(f"\nJSON: {out}")


if __name__ == "__main__":
    main()
