#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The CLI on a board (registered in each board build, run with the host build's tinyexec and
# TINYEXEC_BUILD_DIR pointing at the board builds): compile the example model, run 20 test
# images on the board in batches (outputs byte-identical to the host's, an instruction count per
# inference), profile it with analyze, and report the code size.
#   cli_board_test.sh path/to/tinyexec TARGET EXAMPLE_MODEL_DIR
set -uo pipefail
tinyexec=$1
target=$2
model_dir=$3
here=$(cd "$(dirname "$0")" && pwd)
npy="python3 $here/npy_tool.py"
if [[ ! -x $tinyexec ]]; then
  echo "skipped: $tinyexec not built (build the host preset first)"
  exit 77
fi
source "$here/cli_test_lib.sh"

tep=$scratch/model.tep
expect 0 "0 left float" "$tinyexec" compile "$model_dir/fashion_cnn.onnx" \
  --calibrate "$model_dir/calibration.npy" --target "$target" -o "$tep"
$npy slice "$model_dir/test_inputs.npy" 0 20 "$scratch/inputs.npy"
$npy slice "$model_dir/test_labels.npy" 0 20 "$scratch/labels.npy"
# --batch 8: three boots of the board (8 + 8 + 4 samples).
expect 0 "instructions per inference: [0-9,]+" "$tinyexec" run "$tep" --target "$target" \
  --input "$scratch/inputs.npy" --labels "$scratch/labels.npy" --batch 8 -o "$scratch/board.npy"
expect 0 "accuracy: [0-9]+/20" "$tinyexec" run "$tep" --input "$scratch/inputs.npy" \
  --labels "$scratch/labels.npy" -o "$scratch/host.npy"
expect 0 "^" $npy equal "$scratch/board.npy" "$scratch/host.npy"
"$tinyexec" run "$tep" --target "$target" --input "$scratch/inputs.npy" --json \
  >"$scratch/run.json" 2>/dev/null
expect 0 "^checked" python3 -c "
import json
report = json.load(open('$scratch/run.json'))
counts = report['instructions_per_inference']['samples']
assert len(counts) == 20 and all(n > 100000 for n in counts), report
print('checked')"
expect 0 " 2  Conv2d +conv2d_s8 .* [0-9,]+ +[0-9.]+$" "$tinyexec" analyze "$tep" --target "$target" \
  --input "$scratch/inputs.npy"
expect 0 "instructions per inference on $target" "$tinyexec" analyze "$tep" --target "$target"
expect 0 "$target +total +[0-9,]+" "$tinyexec" size --target "$target"
# A corrupt program is refused on the host before QEMU starts: a program error (exit 2).
head -c 2000 "$tep" >"$scratch/truncated.tep"
expect 2 "truncated.tep: the runtime rejects the program" "$tinyexec" run "$scratch/truncated.tep" \
  --target "$target" --input "$scratch/inputs.npy"

echo "$failures failure(s)"
[[ $failures -eq 0 ]]
