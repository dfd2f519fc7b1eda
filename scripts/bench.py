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


def run_program(target, elf, build_root=ROOT / "build"):
    """The BENCH rows a benchmark ELF prints on the emulated target (instruction counter plugin
    from <build_root>/<target>/lib), each with its target."""
    plugin = build_root / target / "lib/libte_icount.so"
    for path in (elf, plugin):
        if not path.exists():
            sys.exit(f"bench: {path} not found (build it: make build-{target})")
    command = [str(ROOT / "targets/qemu/run"), "--machine", MACHINES[target], "--cpu", target,
               "--plugin", str(plugin), "--timeout", "1200", str(elf)]
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
        if path.stem == "mlperf_tflite":
            lines += mlperf_tflite_markdown(rows)
            continue
        if path.stem == "models":
            lines += models_markdown(rows)
            continue
        if path.stem == "kernels" and KERNELS_REFERENCE.exists():
            lines += kernels_markdown(rows)
            continue
        if path.stem == "kernel_size":
            lines += kernel_size_markdown(rows)
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


KERNELS_REFERENCE = ROOT / "bench" / "kernels" / "cmsis_nn_reference.json"


def target_order(target):
    return int(target.split("-m")[1])


def kernels_comparison(rows):
    """The issue's kernel table from kernels_bench rows and bench/kernels/cmsis_nn_reference.json:
    [(reference row, {target: {ours, cmsis_nn, ratio, target, met}})], plus the bench rows the
    reference does not list. Per MAC / element, or the total where the unit is "total"."""
    reference = json.loads(KERNELS_REFERENCE.read_text())
    index = {(r["name"], r["target"]): r for r in rows}
    targets = sorted({r["target"] for r in rows}, key=target_order)
    table = []
    for ref in reference["rows"]:
        cells = {}
        for t in targets:
            r = index.get((ref["bench"], t))
            if r is None:
                continue
            ours = r["instructions"] if ref["unit"] == "total" else r["instructions"] / max(r["work"], 1)
            spec = ref.get(t, {})
            cmsis, goal = spec.get("cmsis_nn"), spec.get("target")
            cells[t] = {"ours": ours, "cmsis_nn": cmsis, "target": goal, "note": spec.get("note"),
                        "ratio": ours / cmsis if cmsis else None,
                        "met": ours <= goal if goal is not None else None}
        table.append((ref, cells))
    listed = {ref["bench"] for ref in reference["rows"]}
    extra = [name for name in dict.fromkeys(r["name"] for r in rows) if name not in listed]
    return table, targets, extra


def kernel_figure(value, unit):
    if value is None:
        return "-"
    return f"{value:,.0f}" if unit == "total" else f"{value:.2f}"


def kernels_markdown(rows):
    """The kernels suite next to CMSIS-NN (ratio = tinyexec / CMSIS-NN, below 1 is better)."""
    table, targets, extra = kernels_comparison(rows)
    compared = [t for t in targets if any(t in cells and cells[t]["cmsis_nn"] for _, cells in table)]
    lines = ["## kernels", "",
             "Executed instructions per MAC / element (softmax: total for one row of 1000) of the "
             "DSP (M4, M7, M33) and Helium (M55) kernels, next to CMSIS-NN's figures and the "
             "targets of issue 9 (bench/kernels/cmsis_nn_reference.json). Ratio = tinyexec / "
             "CMSIS-NN (below 1 is better); met = at or below the target. Regenerate with "
             "`scripts/bench_kernels.py` (`--all-targets` adds M7 and M33).", ""]
    header, rule = "| layer (NHWC, int8) | unit |", "|---|---|"
    for t in targets:
        if t in compared:
            header += f" {t} | CMSIS-NN | ratio | target | met |"
            rule += "---:|---:|---:|---:|:---:|"
        else:
            header += f" {t} |"
            rule += "---:|"
    lines += [header, rule]
    notes = []
    for ref, cells in table:
        line = f"| {ref['layer']} | {ref['unit']} |"
        for t in targets:
            c = cells.get(t)
            if t not in compared:
                line += f" {kernel_figure(c['ours'] if c else None, ref['unit'])} |"
                continue
            if c is None:
                line += " - | - | - | - | - |"
                continue
            mark = "-" if c["met"] is None else ("yes" if c["met"] else "**no**")
            ratio = "-" if c["ratio"] is None else f"{c['ratio']:.2f}"
            line += (f" {kernel_figure(c['ours'], ref['unit'])} |"
                     f" {kernel_figure(c['cmsis_nn'], ref['unit'])} | {ratio} |"
                     f" {kernel_figure(c['target'], ref['unit'])} | {mark} |")
            if c["note"]:
                notes.append(f"{ref['layer']}, {t}: {c['note']}.")
        lines.append(line)
    lines.append("")
    lines += [f"- {n}" for n in notes]
    index = {(r["name"], r["target"]): r for r in rows}
    lines += ["", "Raw counts: instructions / work (per unit):", "",
              "| benchmark | unit |" + "".join(f" {t} |" for t in targets),
              "|---|---|" + "---:|" * len(targets)]
    for name in list(dict.fromkeys(r["name"] for r in rows)):
        unit = next(r["unit"] for r in rows if r["name"] == name)
        cells = ""
        for t in targets:
            r = index.get((name, t))
            cells += (f" {r['instructions']:,} / {r['work']:,} "
                      f"({r['instructions'] / max(r['work'], 1):.2f}) |" if r else " - |")
        lines.append(f"| {name}{' (not in the issue table)' if name in extra else ''} | {unit} |{cells}")
    return lines + [""]


def kernel_size_markdown(rows):
    """The table of scripts/kernel_size.py's bench/results/kernel_size.json."""
    lines = ["## kernel code size", "",
             "Text bytes of the kernel library per target and optimisation level "
             "(scripts/kernel_size.py). Subset = conv, depthwise conv, fully connected, add, "
             "average and max pool, softmax: \"objects\" sums those families' whole object files "
             "(mul, maximum, minimum included, as they share elementwise.cpp); \"linked\" is what a "
             "program calling only those kernels links (--gc-sections), the comparison with "
             "CMSIS-NN's subset. All = every kernel object.", "",
             "| target | opt | subset, objects | subset, linked | CMSIS-NN subset (-Os) | "
             "linked / CMSIS-NN | all kernels |", "|---|---|---:|---:|---:|---:|---:|"]
    for r in sorted(rows, key=lambda r: (target_order(r["target"]), r["opt"])):
        cmsis = r.get("cmsis_nn_bytes") if r["opt"] == "Os" else None
        ratio = f"{r['subset_linked'] / cmsis:.2f}" if cmsis else "-"
        lines.append(f"| {r['target']} | -{r['opt']} | {r['subset_objects']:,} | "
                     f"{r['subset_linked']:,} | {f'{cmsis:,}' if cmsis else '-'} | {ratio} | "
                     f"{r['all_objects']:,} |")
    objects = sorted({o for r in rows for o in r["objects"]})
    opts = [r for r in sorted(rows, key=lambda r: (target_order(r["target"]), r["opt"]))]
    lines += ["", "Subset, linked, per object file (text bytes):", "",
              "| object |" + "".join(f" {r['target']} -{r['opt']} |" for r in opts),
              "|---|" + "---:|" * len(opts)]
    for o in sorted({o for r in rows for o in r.get("subset_linked_objects", {})}):
        lines.append(f"| {o} |" + "".join(
            f" {r.get('subset_linked_objects', {}).get(o, 0):,} |" for r in opts))
    lines += ["", "All objects (text bytes):", "",
              "| object |" + "".join(f" {r['target']} -{r['opt']} |" for r in opts),
              "|---|" + "---:|" * len(opts)]
    for o in objects:
        lines.append(f"| {o} |" + "".join(f" {r['objects'].get(o, 0):,} |" for r in opts))
    return lines + [""]


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


def models_markdown(rows):
    """The tables of scripts/bench_models.py's bench/results/models.json."""
    targets = []
    for r in rows:
        if r["target"] not in targets:
            targets.append(r["target"])
    models = []
    for r in rows:
        if r["model"] not in models:
            models.append(r["model"])
    index = {(r["model"], r["target"]): r for r in rows}
    lines = ["## models", "",
             "The MLPerf Tiny reference architectures (random weights, fixed seeds; "
             "bench/models/make_models.py), int8, compiled by tinyexec and run by the runtime on "
             "the emulated boards, bit-exact with the host int8 reference. Instructions per "
             "inference (first test input); MACs of the lowered graph; arena = the memory "
             "plan's peak (the float graph input included); program = the .tep file without "
             "names (weights and biases included); flash = program + runtime and kernels code. "
             "Regenerate with `scripts/bench_models.py`.", ""]
    header = "| model | input | MACs |"
    rule = "|---|---|---:|"
    for t in targets:
        header += f" {t} instructions | {t} MACs/instr |"
        rule += "---:|---:|"
    header += " arena bytes | program bytes (weights) |"
    rule += "---:|---:|"
    for t in targets:
        header += f" {t} flash bytes |"
        rule += "---:|"
    lines += [header, rule]
    for m in models:
        first = index[(m, targets[0])] if (m, targets[0]) in index else next(
            r for r in rows if r["model"] == m)
        shape = "x".join(str(d) for d in first.get("input", [])) or "-"
        if "error" in first:
            nodes = first.get("float_nodes", [])
            reason = (f"{len(nodes)} nodes stay float: {nodes[0]['op']}: {nodes[0]['reason']}"
                      if nodes else first["error"].strip().splitlines()[0].split(" (supported:")[0])
            lines.append(f"| {m} | {shape} | - | not compiled: {reason.replace('|', '/')} |")
            continue
        cells = f"| {m} | {shape} | {first['macs']:,} |"
        for t in targets:
            r = index.get((m, t))
            cells += (f" {r['instructions']:,} | {r['macs_per_instruction']:.3f} |"
                      if r and "instructions" in r else " - | - |")
        cells += f" {first['arena_bytes']:,} | {first['program_bytes']:,} ({first['constant_bytes']:,}) |"
        for t in targets:
            r = index.get((m, t))
            cells += f" {r['flash_bytes']:,} |" if r and "flash_bytes" in r else " - |"
        lines.append(cells)
    lines += ["", "Where the instructions go (share of one inference by operator kind):", "",
              "| model | target | operators |", "|---|---|---|"]
    for m in models:
        for t in targets:
            r = index.get((m, t))
            if not r or not r.get("profile"):
                continue
            total = sum(r["profile"].values()) or 1
            kinds = sorted(r["profile"].items(), key=lambda kv: -kv[1])
            shares = [f"{k} {100 * v / total:.1f}%" for k, v in kinds if v / total >= 0.001]
            rest = sum(v for _, v in kinds if v / total < 0.001)
            shares = ", ".join(shares + ([f"other {100 * rest / total:.1f}%"] if rest else []))
            lines.append(f"| {m} | {t} | {shares} |")
    return lines + [""]


def mlperf_tflite_markdown(data):
    """The MLPerf Tiny TFLite models vs TFLite Micro (tests/tflite/mlperf_bench.cpp's JSON)."""
    lines = ["## mlperf_tflite", "",
             "The MLPerf Tiny int8 models imported from TFLite (bit-exact with TFLite Micro, "
             "tests/tflite), pattern input. TFLM: tflm_cost_on_qemu of "
             "../shared/models/mlperf-tiny/tflm_reference.json (TFLite Micro + CMSIS-NN, same "
             "QEMU). Ratio = tinyexec / TFLM (below 1 is better). Code = runtime + kernels text "
             "(code_size); program = the .tep file (constants + plan + params). Regenerate: "
             "`build/host/bin/tflite_mlperf_bench && scripts/bench.py --render`.", "",
             "| model | target | instructions | TFLM instructions | ratio | MACs / instruction "
             "| arena bytes | TFLM arena bytes | ratio | code + program bytes |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in data["rows"]:
        code = f"{r['runtime_code_bytes']:,} + {r['program_bytes']:,}"
        lines.append(f"| {r['key']} | {r['target']} | {r['instructions']:,} | "
                     f"{r['tflm_instructions']:,} | {r['instructions_vs_tflm']:.2f} | "
                     f"{r['macs_per_instruction']:.3f} | {r['arena_bytes']:,} | "
                     f"{r['tflm_arena_bytes']:,} | {r['arena_vs_tflm']:.2f} | {code} |")
    profile = data.get("profile", [])
    if profile:
        total = sum(p["instructions"] for p in profile)
        first = profile[0]
        lines += ["", f"Per-operator instructions, {first['model']} on {first['target']}:", "",
                  "| # | operator | kind | instructions | share |", "|---:|---|---|---:|---:|"]
        for i, p in enumerate(profile):
            lines.append(f"| {i} | {p['name']} | {p['kind']} | {p['instructions']:,} | "
                         f"{100.0 * p['instructions'] / max(total, 1):.1f}% |")
    return lines + [""]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", nargs="+", default=["cortex-m4", "cortex-m55"],
                        choices=sorted(MACHINES))
    parser.add_argument("--programs", nargs="*", help="program names (default: all *_bench)")
    parser.add_argument("--json-only", action="store_true", help="print JSON, not the table")
    parser.add_argument("--render", action="store_true",
                        help="only rewrite bench/RESULTS.md from bench/results/*.json")
    args = parser.parse_args()
    if args.render:
        write_results_markdown(ROOT / "bench" / "results")
        return

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
