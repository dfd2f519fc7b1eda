#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Checks the tinyexec command line: output and exit codes (0 ok, 1 model error, 2 usage).
#   cli_test.sh path/to/tinyexec NODE_TEST_DATA_DIR
set -uo pipefail
tinyexec=$1
data=$2
if [[ ! -d $data ]]; then
  echo "skipped: $data not found (Debian libonnx-testdata)"
  exit 77
fi
failures=0
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# expect STATUS PATTERN COMMAND...: the command exits with STATUS and its stdout+stderr
# matches the extended regex PATTERN.
expect() {
  local status=$1 pattern=$2
  shift 2
  local output
  output=$("$@" 2>&1)
  local actual=$?
  if [[ $actual -ne $status ]] || ! grep -Eq -- "$pattern" <<<"$output"; then
    echo "FAIL: $* -> exit $actual (expected $status), output:"
    echo "$output" | head -20
    echo "  (expected to match: $pattern)"
    failures=$((failures + 1))
  else
    echo "ok: $*"
  fi
}

conv=$data/test_conv_with_strides_padding/model.onnx
# One Conv, 3x3 kernel, stride 2, pad 1: a 4x3 output, 12 * 9 = 108 MACs; W is a graph input.
expect 0 '0  onnx\.Conv  Conv_0  f32\[1,1,7,5\], f32\[1,1,3,3\]  f32\[1,1,4,3\] +0 +108' \
  "$tinyexec" inspect "$conv"
expect 0 'total: 1 nodes, 0 parameter bytes in 0 constants, 108 MACs' "$tinyexec" inspect "$conv"
expect 0 '^graph \(' "$tinyexec" inspect --dump "$conv"
"$tinyexec" inspect --json "$conv" >"$scratch/conv.json" 2>/dev/null
expect 0 '"macs"' python3 -c "
import json, sys
report = json.load(open('$scratch/conv.json'))
assert report['nodes'][0]['op'] == 'onnx.Conv', report
assert report['totals'] == {'nodes': 1, 'parameter_bytes': 0, 'constants': 0, 'macs': 108}, report
assert report['nodes'][0]['outputs'][0]['shape'] == [1, 1, 4, 3], report
print('\"macs\"', report['totals']['macs'])"
# Model errors name the file, the node and the op.
expect 1 "test_abs/model.onnx: node 'Abs_0' \(onnx.Abs\): operator 'Abs' is not supported" \
  "$tinyexec" inspect "$data/test_abs/model.onnx"
expect 1 "no-such-model.onnx: cannot open the file" "$tinyexec" inspect "$scratch/no-such-model.onnx"
head -c 100 "$conv" >"$scratch/truncated.onnx"
expect 1 "truncated.onnx: not a valid ONNX model" "$tinyexec" inspect "$scratch/truncated.onnx"
# Usage errors.
expect 2 "model is required" "$tinyexec" inspect
expect 2 "excludes" "$tinyexec" inspect --json --dump "$conv"
expect 2 "subcommand" "$tinyexec"
expect 0 "inspect" "$tinyexec" --help

echo "$failures failure(s)"
[[ $failures -eq 0 ]]
