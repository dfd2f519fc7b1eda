#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Runs bench/kernels (kernels_bench.elf) on emulated boards and prints issue 9's kernel table.

For every layer of the table (bench/kernels/cmsis_nn_reference.json) it prints tinyexec's executed
instructions per MAC / element (softmax: the total) next to CMSIS-NN's figure, the ratio
(tinyexec / CMSIS-NN, below 1 is better) and whether the issue's target is met. Counts are exact
executed instructions under QEMU (TCG plugin), not cycles.

It builds nothing: it runs <build-root>/<target>/bin/kernels_bench.elf with
<build-root>/<target>/lib/libte_icount.so (build them first, e.g. `make build-cortex-m4
build-cortex-m55`). It writes bench/results/kernels.json (the rows scripts/bench.py would write)
and rewrites bench/RESULTS.md.

usage: scripts/bench_kernels.py [--build-root DIR] [--all-targets | --targets T ...]
                                [--check] [--no-write]
"""
import argparse
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import bench  # noqa: E402  (MACHINES, the RESULTS.md renderer)

DEFAULT_TARGETS = ["cortex-m4", "cortex-m55"]
ALL_TARGETS = ["cortex-m4", "cortex-m7", "cortex-m33", "cortex-m55"]


def run_kernels_bench(build_root, target):
    elf = build_root / target / "bin" / "kernels_bench.elf"
    return [row for row in bench.run_program(target, elf, build_root)
            if row["suite"] == "kernels"]


def print_table(rows):
    table, targets, extra = bench.kernels_comparison(rows)
    compared = [t for t in targets if any(t in c and c[t]["cmsis_nn"] for _, c in table)]
    header = f"{'layer (NHWC, int8)':<34} {'unit':<8}"
    for t in targets:
        header += (f" | {t:>10} {'CMSIS-NN':>9} {'ratio':>5} {'target':>8} {'met':>3}"
                   if t in compared else f" | {t:>10}")
    print(header)
    print("-" * len(header))
    missed = []
    for ref, cells in table:
        line = f"{ref['layer']:<34} {ref['unit']:<8}"
        for t in targets:
            c = cells.get(t)
            ours = bench.kernel_figure(c["ours"] if c else None, ref["unit"])
            if t not in compared:
                line += f" | {ours:>10}"
                continue
            if c is None:
                line += f" | {'-':>10} {'-':>9} {'-':>5} {'-':>8} {'-':>3}"
                continue
            met = "-" if c["met"] is None else ("yes" if c["met"] else "NO")
            if c["met"] is False:
                missed.append(f"{ref['layer']} on {t}")
            ratio = "-" if c["ratio"] is None else f"{c['ratio']:.2f}"
            line += (f" | {ours:>10} {bench.kernel_figure(c['cmsis_nn'], ref['unit']):>9}"
                     f" {ratio:>5} {bench.kernel_figure(c['target'], ref['unit']):>8} {met:>3}")
        print(line)
    for name in extra:
        print(f"(bench row not in the issue table: {name})")
    return missed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-root", type=pathlib.Path, default=ROOT / "build",
                        help="directory holding <target>/bin/kernels_bench.elf (default: build)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--targets", nargs="+", choices=ALL_TARGETS, default=DEFAULT_TARGETS)
    group.add_argument("--all-targets", action="store_true", help="M4, M7, M33 and M55")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if a row misses its target (or a table row is missing)")
    parser.add_argument("--no-write", action="store_true",
                        help="do not write bench/results/kernels.json and bench/RESULTS.md")
    args = parser.parse_args()
    targets = ALL_TARGETS if args.all_targets else args.targets

    rows = []
    for target in targets:
        rows.extend(run_kernels_bench(args.build_root.resolve(), target))

    # Every layer of the table must be measured on every target.
    reference = json.loads(bench.KERNELS_REFERENCE.read_text())
    measured = {(r["name"], r["target"]) for r in rows}
    absent = [f"{ref['bench']} on {t}" for ref in reference["rows"] for t in targets
              if (ref["bench"], t) not in measured]
    if absent:
        print("bench_kernels: rows missing from kernels_bench: " + ", ".join(absent),
              file=sys.stderr)

    missed = print_table(rows)
    if not args.no_write:
        out_dir = ROOT / "bench" / "results"
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "kernels.json").write_text(json.dumps(rows, indent=1) + "\n")
        bench.write_results_markdown(out_dir)
        print(f"\nJSON: {out_dir / 'kernels.json'}; table: {ROOT / 'bench' / 'RESULTS.md'}")
    if missed:
        print(f"{len(missed)} row(s) miss their target:\n  " + "\n  ".join(missed))
    if args.check and (missed or absent):
        sys.exit(1)


if __name__ == "__main__":
    main()
