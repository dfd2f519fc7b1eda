#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Model benchmarks: the four MLPerf Tiny architectures compiled and run on M4 and M55.

1. bench/models/make_models.py (Debian's /usr/bin/python3 with PyTorch) writes the ONNX models,
   calibration samples and test inputs into <build>/bench/models/ (generated, not committed:
   ~2.4 MB of ONNX and ~4 MB of samples, reproducible from fixed seeds in seconds), unless they
   are newer than the script.
2. The runtime + kernels code size of each board's runner (`tinyexec size --json`) goes into
   <build>/bench/models/code_size.json.
3. <build>/bin/model_bench compiles each model, runs it on the boards under QEMU (bit-exact
   against the host int8 reference); its rows replace those of the same models and targets in
   bench/results/models.json.
4. bench/RESULTS.md is rendered again (scripts/bench.py's write_results_markdown).

usage: scripts/bench_models.py [--build-dir build/host] [--targets cortex-m4 cortex-m55]
                               [--models resnet8 ...]
The boards' runners are taken from $TINYEXEC_BUILD_DIR/<target>/ (default: build/<target>/).
Exit status: 0, 1 on a failure, 2 when a model does not import or lower completely (its rows
in models.json say why; the table shows it).
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import bench  # noqa: E402  (write_results_markdown)

MODELS = ["resnet8", "mobilenet", "ds_cnn", "autoencoder"]


def models_up_to_date(models_dir, models):
    script = ROOT / "bench" / "models" / "make_models.py"
    for name in models:
        for suffix in (".onnx", "_calibration.npy", "_inputs.npy", "_expected.npy"):
            path = models_dir / f"{name}{suffix}"
            if not path.exists() or path.stat().st_mtime < script.stat().st_mtime:
                return False
    return True


def write_code_size(tool, boards_dir, targets, path):
    """Runtime + kernels text of each board's runner, as `tinyexec size` measures it."""
    target_args = [a for t in targets for a in ("--target", t)]
    result = subprocess.run([str(tool), "--build-dir", str(boards_dir), "size", "--json",
                             *target_args], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"bench_models: tinyexec size failed (build the boards' runners):\n"
                 f"{result.stdout}{result.stderr}")
    rows = [{"target": entry["target"], "library": library, **entry[library]}
            for entry in json.loads(result.stdout) for library in ("runtime", "kernels")]
    path.write_text(json.dumps(rows, indent=1) + "\n")


def write_models_json(path, new_rows):
    """bench/results/models.json: the new rows, and the old rows of models and targets that
    were not run this time, in MODELS order."""
    measured = {(r["model"], r["target"]) for r in new_rows}
    rows = [r for r in (json.loads(path.read_text()) if path.exists() else [])
            if (r["model"], r["target"]) not in measured] + new_rows
    rows.sort(key=lambda r: (MODELS.index(r["model"]) if r["model"] in MODELS else len(MODELS),
                             int(r["target"].split("-m")[1])))
    path.write_text(json.dumps(rows, indent=1) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", default=str(ROOT / "build" / "host"),
                        help="host build with bin/model_bench (default: build/host)")
    parser.add_argument("--targets", nargs="+", default=["cortex-m4", "cortex-m55"])
    parser.add_argument("--models", nargs="+", default=MODELS, choices=MODELS)
    args = parser.parse_args()

    build = pathlib.Path(args.build_dir).resolve()
    boards = pathlib.Path(os.environ.get("TINYEXEC_BUILD_DIR") or ROOT / "build")
    models_dir = build / "bench" / "models"
    if not models_up_to_date(models_dir, args.models):
        print(f"bench_models: writing the models into {models_dir}", file=sys.stderr, flush=True)
        subprocess.run(["/usr/bin/python3", str(ROOT / "bench/models/make_models.py"),
                        "--out", str(models_dir), "--models", *args.models], check=True)
    code_size = models_dir / "code_size.json"
    write_code_size(build / "bin" / "tinyexec", boards, args.targets, code_size)

    driver = build / "bin" / "model_bench"
    if not driver.exists():
        sys.exit(f"bench_models: {driver} not found (cmake --build {build} --target model_bench)")
    results = ROOT / "bench" / "results"
    measured = models_dir / "models.json"
    status = subprocess.run([str(driver), "--models-dir", str(models_dir),
                             "--out", str(measured),
                             "--code-size", str(code_size),
                             "--save-programs", str(models_dir / "programs"),
                             "--targets", *args.targets, "--models", *args.models]).returncode
    if status not in (0, 2):
        sys.exit(f"bench_models: model_bench failed (exit {status})")
    write_models_json(results / "models.json", json.loads(measured.read_text()))
    bench.write_results_markdown(results)
    print("\n".join(bench.models_markdown(json.loads((results / "models.json").read_text()))))
    sys.exit(status)


if __name__ == "__main__":
    main()
