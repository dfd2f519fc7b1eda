#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Checks every tinyexec subcommand on the host: outputs and exit codes (0 ok, 1 usage, 2 model /
# program / data error, 3 target failure, 4 validation below threshold), on the example model
# and, for inspect, a model of Debian's libonnx-testdata (those checks are skipped without it).
#   cli_test.sh path/to/tinyexec EXAMPLE_MODEL_DIR [NODE_TEST_DATA_DIR]
set -uo pipefail
tinyexec=$1
model_dir=$2
data=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
npy="python3 $here/npy_tool.py"
source "$here/cli_test_lib.sh"
# Board builds are looked up here; nothing is built there, so board runs fail as "not built".
export TINYEXEC_BUILD_DIR=$scratch/no-builds

# check_json FILE PYTHON: runs PYTHON with `report` = the JSON in FILE.
check_json() {
  expect 0 "^checked" python3 -c "
import json
report = json.load(open('$1'))
$2
print('checked')"
}

onnx=$model_dir/fashion_cnn.onnx
calibration=$model_dir/calibration.npy
inputs=$model_dir/test_inputs.npy
labels=$model_dir/test_labels.npy
tep=$scratch/model.tep

# --- help and usage
for command in compile run analyze validate size inspect; do
  expect 0 "^  $command  " "$tinyexec" --help
done
expect 0 "Exit codes: 0 ok; 1 usage error; 2 model, program or data file error; 3 target" \
  "$tinyexec" --help
for command in compile run analyze validate size inspect; do
  expect 0 "Usage: .*$command" "$tinyexec" "$command" --help
done
expect 1 "subcommand" "$tinyexec"
expect 1 "subcommand is required|not expected" "$tinyexec" frobnicate

# --- compile
expect 0 "0 left float" "$tinyexec" compile "$onnx" --calibrate "$calibration" -o "$tep"
expect 0 "MACs: +406,752 per inference" "$tinyexec" compile "$onnx" --calibrate "$calibration" \
  -o "$tep"
"$tinyexec" compile "$onnx" --calibrate "$calibration" -o "$scratch/model2.tep" --json \
  >"$scratch/compile.json" 2>/dev/null
check_json "$scratch/compile.json" "
assert report['macs'] == 406752, report
assert report['left_float'] == 0 and report['calibration_samples'] == 200, report
assert report['kinds']['Conv2d'] == 4 and report['kinds']['DepthwiseConv2d'] == 2, report
assert 0 < report['arena_bytes'] <= report['naive_arena_bytes'], report
assert report['program_bytes'] > report['weight_bytes'] > 0, report"
expect 0 "^" cmp "$tep" "$scratch/model2.tep"  # deterministic
# a folder of .npy files, one sample each
mkdir -p "$scratch/calibration"
for i in 0 1 2; do $npy slice "$calibration" "$i" 1 "$scratch/calibration/$i.npy"; done
expect 0 "calibration: 3 samples from" "$tinyexec" compile "$onnx" --calibrate "$scratch/calibration" \
  -o "$scratch/folder.tep"
expect 1 "is a float model: give calibration samples with --calibrate" \
  "$tinyexec" compile "$onnx" -o "$scratch/x.tep"
expect 1 "--output is required" "$tinyexec" compile "$onnx" --calibrate "$calibration"
expect 1 "--target: cortex-m99 not in" "$tinyexec" compile "$onnx" --calibrate "$calibration" \
  --target cortex-m99 -o "$scratch/x.tep"
expect 2 "no-such-model.onnx: cannot open the file" \
  "$tinyexec" compile "$scratch/no-such-model.onnx" --calibrate "$calibration" -o "$scratch/x.tep"
expect 2 "model.tflite: TFLite models are not supported yet" \
  "$tinyexec" compile "$scratch/model.tflite" --calibrate "$calibration" -o "$scratch/x.tep"
expect 2 "test_labels.npy: .*i64.*the input 'input' is f32\[1,1,28,28\]" \
  "$tinyexec" compile "$onnx" --calibrate "$labels" -o "$scratch/x.tep"
expect 2 "cannot write the program to '$scratch/missing-dir/x.tep'" \
  "$tinyexec" compile "$onnx" --calibrate "$calibration" -o "$scratch/missing-dir/x.tep"

# --- run (host)
expect 0 "accuracy: 2[5-9][0-9]/300 = .* top-1" "$tinyexec" run "$tep" --input "$inputs" \
  --labels "$labels" -o "$scratch/outputs.npy"
expect 0 "<f4 \(300, 1, 10\)" $npy shape "$scratch/outputs.npy"
expect 0 "sample +0: 9 \(Ankle boot\)" "$tinyexec" run "$tep" --input "$inputs" \
  --classes "$model_dir/classes.txt"
$npy first "$inputs" "$scratch/one.npy"
expect 0 "output 'probabilities' f32\[1,10\]: \[" "$tinyexec" run "$tep" --input "$scratch/one.npy" \
  -o "$scratch/one_out.npy"
expect 0 "<f4 \(1, 10\)" $npy shape "$scratch/one_out.npy"
"$tinyexec" run "$tep" --input "$inputs" --labels "$labels" --json >"$scratch/run.json" 2>/dev/null
check_json "$scratch/run.json" "
assert report['samples'] == 300 and len(report['predictions']) == 300, report
assert report['accuracy']['total'] == 300 and report['accuracy']['correct'] >= 250, report
assert 'instructions_per_inference' not in report, report  # the host counts none"
expect 2 "no-such.tep: cannot open the file" "$tinyexec" run "$scratch/no-such.tep" --input "$inputs"
head -c 3000 "$tep" >"$scratch/truncated.tep"
expect 2 "truncated.tep: the runtime rejects the program: malformed" \
  "$tinyexec" run "$scratch/truncated.tep" --input "$inputs"
expect 2 "fashion_cnn.onnx: not a tinyexec program" "$tinyexec" run "$onnx" --input "$inputs"
python3 - "$tep" "$scratch/corrupt.tep" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
data[4:8] = b"XXXX"  # the file identifier
open(sys.argv[2], "wb").write(data)
PY
expect 2 "corrupt.tep: not a tinyexec program \(no 'TEP1' identifier\)" \
  "$tinyexec" run "$scratch/corrupt.tep" --input "$inputs"
expect 2 "test_labels.npy: holds i64 data" "$tinyexec" run "$tep" --input "$labels"
$npy zeros '<f4' 5,100 "$scratch/wrong_shape.npy"
expect 2 "wrong_shape.npy: shape \[5,100\] holds neither one sample" \
  "$tinyexec" run "$tep" --input "$scratch/wrong_shape.npy"
expect 1 "needs 1 input\(s\)|has 1 input\(s\)" "$tinyexec" run "$tep" --input "$inputs" --input "$inputs"
expect 1 "--target: cortex-m99 not in" "$tinyexec" run "$tep" --input "$inputs" --target cortex-m99
expect 1 "--input is required" "$tinyexec" run "$tep"
expect 3 "cortex-m4: the board runner .*tinyexec_runner.elf is not built" \
  "$tinyexec" run "$tep" --input "$scratch/one.npy" --target cortex-m4
# A board build whose runner is not a program: QEMU fails, a target error naming the status.
mkdir -p "$scratch/broken/cortex-m4/bin" "$scratch/broken/cortex-m4/lib"
echo "not an ELF file" >"$scratch/broken/cortex-m4/bin/tinyexec_runner.elf"
: >"$scratch/broken/cortex-m4/lib/libte_icount.so"
expect 3 "target error: cortex-m4: the runner exited with status [0-9]+" \
  "$tinyexec" --build-dir "$scratch/broken" run "$tep" --input "$scratch/one.npy" --target cortex-m4

# --- analyze
expect 0 " 2  Conv2d +conv2d_s8 +/stem/stem.0/Conv_1 +i8\[1,28,28,1\] +i8\[1,28,28,16\] +112,896" \
  "$tinyexec" analyze "$tep"
expect 0 "total: 16 operators, 406,752 MACs" "$tinyexec" analyze "$tep"
"$tinyexec" analyze "$tep" --json >"$scratch/analyze.json" 2>/dev/null
check_json "$scratch/analyze.json" "
ops = report['operators']
assert len(ops) == 16 and sum(op['macs'] for op in ops) == 406752, ops
assert max(op['live_bytes'] for op in ops) <= report['arena_bytes'], report
assert ops[2]['kernel'] == 'conv2d_s8' and ops[2]['weight_bytes'] == 208, ops[2]
assert report['inputs'][0]['dtype'] == 'f32' and report['inputs'][0]['shape'] == [1, 1, 28, 28]"
expect 1 "--input is for profiling: give a board with --target too" \
  "$tinyexec" analyze "$tep" --input "$inputs"
expect 1 "--target: host not in" "$tinyexec" analyze "$tep" --target host
expect 2 "truncated.tep: the runtime rejects the program" "$tinyexec" analyze "$scratch/truncated.tep"
expect 3 "not built" "$tinyexec" analyze "$tep" --target cortex-m55

# --- validate
expect 0 "top-1 agreement, int8 vs float: [0-9]+/300" "$tinyexec" validate "$onnx" \
  --data "$inputs" --labels "$labels" --calibrate "$calibration"
expect 0 "accuracy against .*: float 277/300 \(92.33%\), int8 2[5-9][0-9]/300" "$tinyexec" validate \
  "$onnx" --data "$inputs" --labels "$labels" --calibrate "$calibration" --limit 300 --layers 3
expect 0 " 0  input +graph input +\[1,1,28,28\]" "$tinyexec" validate "$onnx" --data "$inputs" \
  --calibrate "$calibration" --limit 20
"$tinyexec" validate "$onnx" --data "$inputs" --labels "$labels" --calibrate "$calibration" \
  --limit 50 --json --min-agreement 90 >"$scratch/validate.json" 2>/dev/null
check_json "$scratch/validate.json" "
assert report['samples'] == 50 and report['passed'] is True, report
assert report['top1_agreement']['agree'] >= 45, report
layers = report['layers']
assert len(layers) >= 10 and layers[0]['value'] == 'input', layers
assert all(layer['snr_db'] is None or layer['snr_db'] > 10 for layer in layers), layers"
expect 4 "FAILED: int8 accuracy .* is below --min-accuracy 100%" "$tinyexec" validate "$onnx" \
  --data "$inputs" --labels "$labels" --calibrate "$calibration" --limit 30 --min-accuracy 100
expect 1 "--min-accuracy needs --labels" "$tinyexec" validate "$onnx" --data "$inputs" \
  --min-accuracy 50
expect 0 "note: no --calibrate given" "$tinyexec" validate "$onnx" --data "$inputs" --limit 10
expect 1 "--data is required" "$tinyexec" validate "$onnx"
expect 2 "no-such-data.npy: cannot open" "$tinyexec" validate "$onnx" --data "$scratch/no-such-data.npy" \
  --calibrate "$calibration"

# --- size (the board builds are in the board test; here only the errors)
expect 1 "--target is required" "$tinyexec" size
expect 1 "--target: host not in" "$tinyexec" size --target host
expect 3 "cortex-m4: .*tinyexec_runner.elf.map not found: the cortex-m4 board is not built" \
  "$tinyexec" size --target cortex-m4

# --- inspect
expect 0 "total: 25 nodes, .* 406,752 MACs" "$tinyexec" inspect "$onnx"
expect 2 "no-such-model.onnx: cannot open the file" "$tinyexec" inspect "$scratch/no-such-model.onnx"
expect 1 "model is required" "$tinyexec" inspect
expect 1 "excludes" "$tinyexec" inspect --json --dump "$onnx"
if [[ -d $data ]]; then
  conv=$data/test_conv_with_strides_padding/model.onnx
  # One Conv, 3x3 kernel, stride 2, pad 1: a 4x3 output, 12 * 9 = 108 MACs; W is a graph input.
  expect 0 '0  onnx\.Conv  Conv_0  f32\[1,1,7,5\], f32\[1,1,3,3\]  f32\[1,1,4,3\] +0 +108' \
    "$tinyexec" inspect "$conv"
  expect 0 'total: 1 nodes, 0 parameter bytes in 0 constants, 108 MACs' "$tinyexec" inspect "$conv"
  expect 0 '^graph \(' "$tinyexec" inspect --dump "$conv"
  "$tinyexec" inspect --json "$conv" >"$scratch/conv.json" 2>/dev/null
  check_json "$scratch/conv.json" "
assert report['nodes'][0]['op'] == 'onnx.Conv', report
assert report['totals'] == {'nodes': 1, 'parameter_bytes': 0, 'constants': 0, 'macs': 108}, report
assert report['nodes'][0]['outputs'][0]['shape'] == [1, 1, 4, 3], report"
  # Model errors name the file, the node and the op.
  expect 2 "test_abs/model.onnx: node 'Abs_0' \(onnx.Abs\): operator 'Abs' is not supported" \
    "$tinyexec" inspect "$data/test_abs/model.onnx"
  # compile lists every node that cannot be lowered, with the reason.
  $npy zeros '<f4' 2,3,4,5 "$scratch/leaky_calibration.npy"
  expect 2 "^  LeakyRelu_0 \(onnx.LeakyRelu\): onnx.LeakyRelu has no cortex_m lowering" \
    "$tinyexec" compile "$data/test_leakyrelu/model.onnx" --calibrate "$scratch/leaky_calibration.npy" \
    -o "$scratch/leaky.tep"
  expect 2 "model.onnx: 1 node\(s\) could not be lowered to cortex_m ops" \
    "$tinyexec" compile "$data/test_leakyrelu/model.onnx" --calibrate "$scratch/leaky_calibration.npy" \
    -o "$scratch/leaky.tep"
  head -c 100 "$conv" >"$scratch/truncated.onnx"
  expect 2 "truncated.onnx: not a valid ONNX model" "$tinyexec" inspect "$scratch/truncated.onnx"
else
  echo "skipped: the inspect checks on $data (Debian libonnx-testdata) are skipped"
fi

echo "$failures failure(s)"
[[ $failures -eq 0 ]]
