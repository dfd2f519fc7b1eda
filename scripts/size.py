#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Code size of the runtime and the kernels on each target, recorded for bench/RESULTS.md.

The measurement is `tinyexec size` (tools/cli/link_map.cpp: what the board runner links from
libtinyexec_runtime.a and libtinyexec_kernels.a, from its link map); this script only runs it
for every target and writes bench/results/code_size.json, which scripts/bench.py renders.

usage: scripts/size.py [--targets cortex-m4 cortex-m55 ...] [--json]
"""
import argparse
import json
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
TARGETS = ["cortex-m3", "cortex-m4", "cortex-m7", "cortex-m33", "cortex-m55"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", nargs="+", default=TARGETS, choices=TARGETS)
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = parser.parse_args()

    tool = ROOT / "build" / "host" / "bin" / "tinyexec"
    if not tool.exists():
        sys.exit(f"size: {tool} not found (run: make build-host)")
    target_args = [a for t in args.targets for a in ("--target", t)]
    result = subprocess.run([str(tool), "size", "--json", *target_args],
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"size: tinyexec size failed:\n{result.stdout}{result.stderr}")
    rows = []
    for entry in json.loads(result.stdout):
        cache = (ROOT / "build" / entry["target"] / "CMakeCache.txt").read_text()
        build_type = re.search(r"^CMAKE_BUILD_TYPE:\w+=(\w+)", cache, re.M).group(1)
        for library in ("runtime", "kernels"):
            rows.append({"target": entry["target"], "library": library, "build": build_type,
                         **entry[library]})

    out = ROOT / "bench" / "results" / "code_size.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=1) + "\n")
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    print(subprocess.run([str(tool), "size", *target_args],
                         capture_output=True, text=True).stdout, end="")
    print(f"\nJSON: {out}")


if __name__ == "__main__":
    main()
