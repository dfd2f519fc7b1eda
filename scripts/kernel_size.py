#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Code size of the int8 kernel library per target at -Os and -O2, against CMSIS-NN's subset.

For every target and optimisation level it configures a scratch build of the repository
(<build-root>/size-<target>-<opt>, CMAKE_CXX_FLAGS_RELEASE overridden), builds only the kernel
library (tinyexec_kernels) and measures text bytes (code + read-only data) three ways:
  all             every object of libtinyexec_kernels.a (arm-none-eabi-size);
  subset/objects  the object files of CMSIS-NN's comparison subset (conv, depthwise conv, fully
                  connected, add, pools, softmax): conv, depthwise_conv, fully_connected,
                  elementwise, pooling, softmax (elementwise.o also holds mul, maximum, minimum);
  subset/linked   what a program that calls only the subset's kernels links from the library
                  (ld --gc-sections with those functions as roots), the fair comparison with
                  CMSIS-NN's 18.8 KB (M4) and 15.3 KB (M55) at -Os.
Writes bench/results/kernel_size.json (scripts/bench.py renders it into bench/RESULTS.md).

usage: scripts/kernel_size.py [--targets T ...] [--opts Os O2] [--build-root DIR] [--jobs N]
"""
import argparse
import json
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import bench  # noqa: E402  (KERNELS_REFERENCE, the RESULTS.md renderer)

# GNU ld map lines: an input section with its size and origin on one line, or its name alone
# with the placement on the next.
PLACED = re.compile(r"^\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S+)$")
SECTION_AND_PLACED = re.compile(r"^ (\.\S+)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S+)$")
SECTION_ONLY = re.compile(r"^ (\.\S+)$")
TEXT_SECTIONS = (".text", ".rodata", ".ARM.ex")  # code, read-only data, unwind tables

TARGETS = ["cortex-m3", "cortex-m4", "cortex-m7", "cortex-m33", "cortex-m55"]
SUBSET_OBJECTS = ["conv", "depthwise_conv", "fully_connected", "elementwise", "pooling", "softmax"]
# The subset's entry points (every overload, their checks and scratch-size functions come along).
SUBSET_FUNCTIONS = ["conv2d_s8", "conv2d_s8_scratch_size", "depthwise_conv2d_s8",
                    "depthwise_conv2d_s8_scratch_size", "fully_connected_s8",
                    "fully_connected_s8_scratch_size", "add_s8", "avg_pool_s8",
                    "avg_pool_s8_scratch_size", "max_pool_s8", "softmax_s8"]


def run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        sys.exit(f"kernel_size: {' '.join(map(str, command))} failed:\n{result.stdout}"
                 f"{result.stderr}")
    return result.stdout


def target_flags(target):
    """The target's compiler flags from cmake/targets.cmake."""
    text = (ROOT / "cmake" / "targets.cmake").read_text()
    match = re.search(rf'set\(TE_TARGET_{re.escape(target)}_FLAGS "([^"]*)"\)', text)
    if not match:
        sys.exit(f"kernel_size: no flags for {target} in cmake/targets.cmake")
    return match.group(1).split()


def build_library(build_dir, target, opt, jobs):
    flags = f"-{opt} -DNDEBUG"
    run(["cmake", "-S", ROOT, "-B", build_dir, "-G", "Ninja",
         f"-DCMAKE_TOOLCHAIN_FILE={ROOT / 'cmake' / 'toolchain-arm-none-eabi.cmake'}",
         f"-DTE_TARGET={target}", "-DCMAKE_BUILD_TYPE=Release",
         f"-DCMAKE_CXX_FLAGS_RELEASE={flags}", f"-DCMAKE_C_FLAGS_RELEASE={flags}",
         # Only the kernel library is built; the golden tests' host packer is never used.
         f"-DTE_HOST_BIN_DIR={build_dir / 'no-host-tools'}"])
    run(["cmake", "--build", build_dir, "--target", "tinyexec_kernels", "-j", str(jobs)])
    return build_dir / "lib" / "libtinyexec_kernels.a"


def object_sizes(library):
    """{object stem: text bytes} of every member of the archive."""
    sizes = {}
    for line in run(["arm-none-eabi-size", library]).splitlines()[1:]:
        fields = line.split()
        name = fields[5].split("(")[0] if len(fields) > 6 else fields[-1]
        match = re.match(r"(\w+)\.cpp\.obj", name)
        if match:
            sizes[match.group(1)] = int(fields[0])
    return sizes


def subset_symbols(library):
    """Mangled names of the subset's global functions in the library (every overload)."""
    mangled = run(["arm-none-eabi-nm", "--defined-only", "-g", library]).splitlines()
    demangled = run(["arm-none-eabi-nm", "--defined-only", "-g", "-C", library]).splitlines()
    symbols, found = set(), set()
    for raw, readable in zip(mangled, demangled):  # the same lines, mangled and not
        parts, names = raw.split(maxsplit=2), readable.split(maxsplit=2)
        if len(parts) < 3 or len(names) < 3 or parts[1] not in ("T", "W"):
            continue
        for f in SUBSET_FUNCTIONS:
            if names[2].startswith(f"tinyexec::kernels::{f}("):
                symbols.add(parts[2])
                found.add(f)
    missing = sorted(set(SUBSET_FUNCTIONS) - found)
    if missing:
        sys.exit(f"kernel_size: {library} lacks {', '.join(missing)}")
    return sorted(symbols)


def linked_subset(build_dir, library, target):
    """Text bytes a program calling only the subset links from the library."""
    main = build_dir / "size_main.c"
    main.write_text("int main(void) { return 0; }\n")
    elf = build_dir / "size_subset.elf"
    map_path = build_dir / "size_subset.map"
    command = ["arm-none-eabi-g++", *target_flags(target), "-Os", main, library,
               "-nostartfiles", "--specs=nano.specs", "--specs=nosys.specs",
               "-Wl,--gc-sections", "-Wl,--entry=main", f"-Wl,-Map={map_path}", "-o", elf]
    command += [f"-Wl,--undefined={s}" for s in subset_symbols(library)]
    run(command)
    kept = linked_objects(map_path)
    return sum(kept.values()), kept


def linked_objects(map_path):
    """{object stem: text bytes} the subset link kept from the kernel library."""
    text = map_path.read_text()
    kept, section = {}, None
    for line in text[text.find("Linker script and memory map"):].splitlines():
        match = SECTION_AND_PLACED.match(line)
        if match:
            section, length, origin = match.group(1), int(match.group(2), 16), match.group(3)
        else:
            only = SECTION_ONLY.match(line)
            if only:
                section = only.group(1)
                continue
            placed = PLACED.match(line)
            if not placed or section is None:
                continue
            length, origin = int(placed.group(1), 16), placed.group(2)
        member = re.search(r"libtinyexec_kernels\.a\((\w+)\.cpp\.obj\)", origin)
        if member and section.startswith(TEXT_SECTIONS):
            kept[member.group(1)] = kept.get(member.group(1), 0) + length
        section = None
    return kept


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", nargs="+", default=TARGETS, choices=TARGETS)
    parser.add_argument("--opts", nargs="+", default=["Os", "O2"], choices=["Os", "O2", "O3"])
    parser.add_argument("--build-root", type=pathlib.Path, default=ROOT / "build",
                        help="scratch builds go to <build-root>/size-<target>-<opt>")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-write", action="store_true",
                        help="do not write bench/results/kernel_size.json and bench/RESULTS.md")
    args = parser.parse_args()

    reference = json.loads(bench.KERNELS_REFERENCE.read_text())["code_size"]
    rows = []
    for target in args.targets:
        for opt in args.opts:
            build_dir = (args.build_root / f"size-{target}-{opt}").resolve()
            print(f"  {target} -{opt}: {build_dir}", file=sys.stderr, flush=True)
            library = build_library(build_dir, target, opt, args.jobs)
            objects = object_sizes(library)
            linked, linked_by_object = linked_subset(build_dir, library, target)
            row = {"target": target, "opt": opt, "objects": objects,
                   "all_objects": sum(objects.values()),
                   "subset_objects": sum(objects.get(o, 0) for o in SUBSET_OBJECTS),
                   "subset_linked": linked, "subset_linked_objects": linked_by_object}
            if target in reference:
                row["cmsis_nn_bytes"] = reference[target]["cmsis_nn_bytes"]
            rows.append(row)

    print(f"{'target':<11} {'opt':<4} {'subset linked':>13} {'subset objects':>14} "
          f"{'all':>7} {'CMSIS-NN -Os':>12}  subset linked, per object")
    over = []
    for r in rows:
        budget = r.get("cmsis_nn_bytes")
        largest = sorted(r["subset_linked_objects"].items(), key=lambda kv: -kv[1])
        print(f"{r['target']:<11} -{r['opt']:<3} {r['subset_linked']:>13,} "
              f"{r['subset_objects']:>14,} {r['all_objects']:>7,} "
              f"{f'{budget:,}' if budget else '-':>12}  "
              + ", ".join(f"{k} {v:,}" for k, v in largest))
        if budget and r["opt"] == "Os" and r["subset_linked"] > budget:
            over.append(f"{r['target']}: {r['subset_linked']:,} > {budget:,} bytes")
    if over:
        print("over CMSIS-NN's subset at -Os: " + "; ".join(over))
    if not args.no_write:
        out = ROOT / "bench" / "results" / "kernel_size.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(rows, indent=1) + "\n")
        bench.write_results_markdown(out.parent)
        print(f"\nJSON: {out}; table: {ROOT / 'bench' / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
