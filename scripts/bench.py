#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Runs tinyexec's benchmark programs on emulated boards and reports executed instructions.

Every program in build/<target>/bin/ whose name ends in _bench.elf prints lines
    BENCH {"suite": ..., "name": ..., "instructions": N, "work": W, "unit": ...}
This collects them per target, prints a table (instructions, and per unit of work) and writes
bench/results/<suite>.json. Counts are exact executed instructions (QEMU TCG plugin), not cycles.

usage: scripts/bench.py [--targets cortex-m4 cortex-m55] [--programs NAME ...] [--json-only]
"""
import argparse
import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
MACHINES = {
    "cortex-m3": "mps2-an385",
    "cortex-m4": "mps2-an386",
    "cortex-m7": "mps2-an500",
    "cortex-m33": "mps2-an505",
    "cortex-m55": "mps3-an547",
}


def run_program(target, elf):
    build = ROOT / "build" / target
    command = [str(ROOT / "targets/qemu/run"), "--machine", MACHINES[target], "--cpu", target,
               "--plugin", str(build / "lib/libte_icount.so"), "--timeout", "1200", str(elf)]
    print(f"  {target}: {elf.name}", file=sys.stderr, flush=True)
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"bench: {elf.name} failed on {target} (exit {result.returncode}):\n"
                 f"{result.stdout}{result.stderr}")
    rows = []
    for line in result.stdout.splitlines():
        if line.startswith("BENCH "):
            row = json.loads(line[len("BENCH "):])
            row["target"] = target
            rows.append(row)
    if not rows:
        sys.exit(f"bench: {elf.name} on {target} printed no BENCH line")
    return rows


def write_results_markdown(results_dir):
    """bench/RESULTS.md: one table per suite from every bench/results/*.json."""
    lines = ["# Benchmark results", "",
             "Executed instructions under QEMU (exact, from tools/qemu-icount), not cycles.",
             "Regenerate everything with `make bench` (runs scripts/bench.py on M4 and M55).", ""]
    for path in sorted(results_dir.glob("*.json")):
        rows = json.loads(path.read_text())
        if path.stem == "code_size":
            lines += code_size_markdown(rows)
            continue
        targets = sorted({r["target"] for r in rows}, key=lambda t: int(t.split("-m")[1]))
        lines += [f"## {path.stem}", ""]
        header = "| benchmark | unit |" + "".join(f" {t} instructions | {t} per unit |" for t in targets)
        lines += [header, "|---|---|" + "---:|---:|" * len(targets)]
        names = []
        for r in rows:
            if r["name"] not in names:
                names.append(r["name"])
        index = {(r["name"], r["target"]): r for r in rows}
        for name in names:
            unit = next(r["unit"] for r in rows if r["name"] == name)
            cells = ""
            for t in targets:
                r = index.get((name, t))
                cells += (f" {r['instructions']:,} | {r['instructions'] / max(r['work'], 1):.2f} |"
                          if r else " - | - |")
            lines.append(f"| {name} | {unit} |{cells}")
        lines.append("")
    (ROOT / "bench" / "RESULTS.md").write_text("\n".join(lines))


def code_size_markdown(rows):
    """The table of scripts/size.py's bench/results/code_size.json."""
    lines = ["## code size", "",
             "Bytes the board runner links from the runtime (built -Os) and the kernels "
             f"({rows[0]['build']} build), per target. Regenerate with `make size`.", "",
             "| target | runtime text | kernels text | total text | data | bss |",
             "|---|---:|---:|---:|---:|---:|"]
    targets = []
    for r in rows:
        if r["target"] not in targets:
            targets.append(r["target"])
    for t in targets:
        by = {r["library"]: r for r in rows if r["target"] == t}
        data = sum(r["data"] for r in by.values())
        bss = sum(r["bss"] for r in by.values())
        lines.append(f"| {t} | {by['runtime']['text']:,} | {by['kernels']['text']:,} | "
                     f"{by['runtime']['text'] + by['kernels']['text']:,} | {data} | {bss} |")
    return lines + [""]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", nargs="+", default=["cortex-m4", "cortex-m55"],
                        choices=sorted(MACHINES))
    parser.add_argument("--programs", nargs="*", help="program names (default: all *_bench)")
    parser.add_argument("--json-only", action="store_true", help="print JSON, not the table")
    args = parser.parse_args()

    rows = []
    for target in args.targets:
        bin_dir = ROOT / "build" / target / "bin"
        programs = sorted(bin_dir.glob("*_bench.elf"))
        if args.programs:
            programs = [p for p in programs if p.stem in args.programs]
        if not programs:
            sys.exit(f"bench: no benchmark programs in {bin_dir} (run: make build-{target})")
        for elf in programs:
            rows.extend(run_program(target, elf))

    suites = {}
    for row in rows:
        suites.setdefault(row["suite"], []).append(row)
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    for suite, suite_rows in suites.items():
        (out_dir / f"{suite}.json").write_text(json.dumps(suite_rows, indent=1) + "\n")

    write_results_markdown(out_dir)
    if args.json_only:
        print(json.dumps(rows, indent=1))
        return
    # One row per benchmark, one column pair per target.
    names = []
    for row in rows:
        if (row["suite"], row["name"]) not in names:
            names.append((row["suite"], row["name"]))
    index = {(r["suite"], r["name"], r["target"]): r for r in rows}
    header = f"{'suite':<12} {'benchmark':<36}"
    for target in args.targets:
        header += f" {target + ' instr':>18} {'per unit':>10}"
    print(header)
    print("-" * len(header))
    for suite, name in names:
        line = f"{suite:<12} {name:<36}"
        unit = ""
        for target in args.targets:
            r = index.get((suite, name, target))
            if r is None:
                line += f" {'-':>18} {'-':>10}"
                continue
            unit = r["unit"]
            line += f" {r['instructions']:>18,} {r['instructions'] / max(r['work'], 1):>10.2f}"
        print(f"{line}  /{unit}")
    print(f"\nJSON: {', '.join(str(out_dir / (s + '.json')) for s in suites)}")


if __name__ == "__main__":
    main()
