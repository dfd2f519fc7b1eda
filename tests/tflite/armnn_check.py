#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A second, independent check of the TFLite import: Arm NN's reference backend (CpuRef, TFLite
parser) against tinyexec's compiled programs on deterministic inputs.

Needs Debian's python3-pyarmnn and libarmnn-cpuref-backend22 (run with /usr/bin/python3, the
Python that sees Debian's packages), the host build's tinyexec_runner and the programs written
by `tflite_mlperf_bench --emit DIR`:

  BUILD=/tmp/build-tflite
  $BUILD/bin/tflite_mlperf_bench --emit /tmp/tfl_progs
  /usr/bin/python3 tests/tflite/armnn_check.py --runner $BUILD/bin/tinyexec_runner \\
      --programs /tmp/tfl_progs [--samples 50] [--json out.json]

For each model and sample: top-1 agreement (argmax of the int8 output, first index on ties) and
exact agreement of the whole int8 output vector, plus the largest element difference.
"""
import argparse
import json
import pathlib
import subprocess
import sys
import tempfile

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODELS = ROOT.parent / "shared" / "models" / "mlperf-tiny"


def samples(shape, count, seed):
    """Deterministic int8 inputs: sample k from numpy's MT19937 seeded with seed + k."""
    return [np.random.RandomState(seed + k).randint(-128, 128, size=shape).astype(np.int8)
            for k in range(count)]


def run_tinyexec(runner, program, x, tmp):
    inp, out = tmp / "in.bin", tmp / "out.bin"
    inp.write_bytes(x.tobytes())
    result = subprocess.run([str(runner), str(program), "--input", str(inp), "--output", str(out)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"tinyexec_runner failed on {program}: {result.stdout}{result.stderr}")
    return np.frombuffer(out.read_bytes(), dtype=np.int8)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runner", required=True, help="the host build's tinyexec_runner")
    parser.add_argument("--programs", required=True, help="folder of <model>.tep")
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--json", help="write the counts here")
    args = parser.parse_args()

    import pyarmnn as ann  # noqa: E402 (Debian's python3-pyarmnn)

    runtime = ann.IRuntime(ann.CreationOptions())  # one runtime for every model
    backends = [ann.BackendId("CpuRef")]
    rows = []
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = pathlib.Path(tmpdir)
        for model in sorted(MODELS.glob("*.tflite")):
            tflite = ann.ITfLiteParser()
            network = tflite.CreateNetworkFromBinaryFile(str(model))
            input_name = tflite.GetSubgraphInputTensorNames(0)[0]
            output_name = tflite.GetSubgraphOutputTensorNames(0)[0]
            input_info = tflite.GetNetworkInputBindingInfo(0, input_name)
            output_info = tflite.GetNetworkOutputBindingInfo(0, output_name)
            optimized, _ = ann.Optimize(network, backends, runtime.GetDeviceSpec(),
                                        ann.OptimizerOptions())
            net_id, _ = runtime.LoadNetwork(optimized)
            tensor_shape = input_info[1].GetShape()
            shape = tuple(tensor_shape[i] for i in range(tensor_shape.GetNumDimensions()))
            top1 = exact = 0
            max_diff = 0
            differing_elements = 0
            inputs = samples(shape, args.samples, seed=1000)
            for x in inputs:
                outputs = ann.make_output_tensors([output_info])
                runtime.EnqueueWorkload(net_id, ann.make_input_tensors([input_info], [x]), outputs)
                armnn = ann.workload_tensors_to_ndarray(outputs)[0].astype(np.int8).reshape(-1)
                ours = run_tinyexec(args.runner, pathlib.Path(args.programs) / (model.stem + ".tep"),
                                    x, tmp)
                top1 += int(np.argmax(armnn) == np.argmax(ours))
                exact += int(np.array_equal(armnn, ours))
                diff = np.abs(armnn.astype(np.int32) - ours.astype(np.int32))
                max_diff = max(max_diff, int(diff.max()))
                differing_elements += int((diff != 0).sum())
            # Where TFLite Micro's output is known (tflm_reference.json, pattern input), say
            # whether Arm NN reproduces it (tinyexec does, tests/tflite): it locates differences.
            tflm_pattern = None
            reference = json.loads((MODELS / "tflm_reference.json").read_text())["models"]
            if model.name in reference:
                flat = np.arange(int(np.prod(shape)), dtype=np.int64)
                x = (((flat * 7 + 3) % 256) - 128).astype(np.int8).reshape(shape)
                outputs = ann.make_output_tensors([output_info])
                runtime.EnqueueWorkload(net_id, ann.make_input_tensors([input_info], [x]), outputs)
                armnn = ann.workload_tensors_to_ndarray(outputs)[0].astype(np.int8).reshape(-1)
                want = np.array(reference[model.name]["pattern"]["output"], dtype=np.int8)
                tflm_pattern = bool(np.array_equal(armnn, want))
            runtime.UnloadNetwork(net_id)
            row = {"model": model.name, "samples": len(inputs), "top1_agree": top1,
                   "exact_agree": exact, "max_abs_diff": max_diff,
                   "differing_elements": differing_elements,
                   "elements_per_output": int(output_info[1].GetNumElements()),
                   "armnn_equals_tflm_on_pattern": tflm_pattern}
            rows.append(row)
            print(f"{model.name:32} top-1 {top1}/{len(inputs)}  exact {exact}/{len(inputs)}  "
                  f"max |diff| {max_diff}  differing elements {differing_elements}  "
                  f"Arm NN == TFLM on the pattern input: {tflm_pattern}")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
