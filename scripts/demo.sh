#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The demo: compiles the embedded example model (examples/model: a Fashion-MNIST CNN) to an int8
# program with the tinyexec CLI, runs it on the emulated Corstone-300 (Cortex-M55 + Helium, QEMU
# mps3-an547) over the 300 bundled test images, and prints predictions, int8 and float accuracy,
# instructions per inference, arena and flash bytes.
#
# It builds only what it needs: the host's `tinyexec` and the Cortex-M55 board runner. Builds go
# to build/<preset> (the CMake presets), or to $TINYEXEC_BUILD_DIR/<preset> when that is set.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
start=$SECONDS

step() { printf '\n== %s\n' "$*"; }

# configure_and_build PRESET TARGET...: quiet unless something fails.
configure_and_build() {
  local preset=$1
  shift
  local log
  log=$(mktemp "${TMPDIR:-/tmp}/tinyexec-demo-build.XXXXXX")
  local configure=(cmake --preset "$preset")
  local build=(cmake --build --preset "$preset" --target "$@")
  if [[ -n ${TINYEXEC_BUILD_DIR:-} ]]; then
    local dir=$TINYEXEC_BUILD_DIR/$preset
    configure=(cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release)
    if [[ $preset == host ]]; then
      configure+=(-DTE_TARGET=host -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++)
    else
      configure+=(-DTE_TARGET="$preset" -DTE_HOST_BIN_DIR="$TINYEXEC_BUILD_DIR/host/bin"
                  -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchain-arm-none-eabi.cmake")
    fi
    build=(cmake --build "$dir" --target "$@")
  fi
  if ! { "${configure[@]}" && "${build[@]}"; } >"$log" 2>&1; then
    tail -40 "$log"
    echo "demo: building $preset failed (log: $log)" >&2
    exit 1
  fi
  rm -f "$log"
}

build_root=${TINYEXEC_BUILD_DIR:-$root/build}
export TINYEXEC_BUILD_DIR=$build_root  # where `tinyexec run` finds the board runner
step "Building the tinyexec CLI (host) and the Cortex-M55 board runner in $build_root"
configure_and_build host tinyexec
configure_and_build cortex-m55 tinyexec_runner te_icount
echo "built in $((SECONDS - start)) s"

tinyexec=$build_root/host/bin/tinyexec
model=examples/model
out=$build_root/demo
mkdir -p "$out"
log=$out/log
mkdir -p "$log"

step "1. Compile $model/fashion_cnn.onnx to int8 (calibrated on 200 training images)"
"$tinyexec" compile "$model/fashion_cnn.onnx" --calibrate "$model/calibration.npy" \
  --target cortex-m55 -o "$out/fashion_cnn.tep" | tee "$log/compile.txt"

step "2. Run it on the emulated Corstone-300 (Cortex-M55 + Helium) over 300 test images"
"$tinyexec" run "$out/fashion_cnn.tep" --target cortex-m55 --input "$model/test_inputs.npy" \
  --labels "$model/test_labels.npy" --classes "$model/classes.txt" --show 8 \
  -o "$out/m55_outputs.npy" | tee "$log/run.txt"

step "3. The float model on the same images (reference interpreter on the host)"
"$tinyexec" validate "$model/fashion_cnn.onnx" --data "$model/test_inputs.npy" \
  --labels "$model/test_labels.npy" --calibrate "$model/calibration.npy" --layers 0 \
  | tee "$log/validate.txt"

# The summary, from the tools' own output above.
field() { sed -n "s/$2/\\1/p" "$log/$1" | head -1; }
int8_accuracy=$(field run.txt '^accuracy: \([0-9/]* = [0-9.]*%\).*')
float_accuracy=$(field validate.txt '^accuracy against .*: float \([0-9/]* ([0-9.]*%)\).*')
instructions=$(field run.txt '^instructions per inference: \([0-9,]*\).*')
arena=$(field compile.txt '^  arena: *\([0-9,]*\) bytes.*')
program=$(field compile.txt '^  program: *\([0-9,]*\) bytes.*')
flash=$(field compile.txt '^  flash: *\([0-9,]* bytes\).*')
code=$(field compile.txt '^  flash: .*runtime and kernels \([0-9,]*\)).*')

step "Summary"
cat <<SUMMARY
  model:        $model/fashion_cnn.onnx (Fashion-MNIST, 10 classes), int8 program $out/fashion_cnn.tep
  accuracy:     int8 on Cortex-M55 $int8_accuracy; float $float_accuracy (300 test images)
  instructions: $instructions per inference on Cortex-M55 (QEMU: executed instructions, not cycles)
  RAM:          arena $arena bytes (all activations and scratch)
  flash:        $flash (program $program + runtime and kernels $code)
  time:         $((SECONDS - start)) s in all

Next: docs/getting-started.md; \`$tinyexec --help\`; \`$tinyexec analyze $out/fashion_cnn.tep --target cortex-m55\`
SUMMARY
