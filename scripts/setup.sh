#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs every Debian package that tinyexec's build, tests and demo need. Idempotent: when
# everything is present it only checks, in a second or two.
set -euo pipefail

packages=(
  cmake ninja-build g++ make                        # host build
  libgtest-dev libgmock-dev libbenchmark-dev        # host tests and benchmarks
  nlohmann-json3-dev                                # JSON (golden vectors, reports)
  libonnx-dev libprotobuf-dev libfmt-dev            # compiler: ONNX import, formatting
  libcli11-dev                                      # the tinyexec command line
  libonnx-testdata                                  # ONNX backend node tests
  gcc-arm-none-eabi libnewlib-arm-none-eabi         # Cortex-M cross toolchain + newlib-nano
  libstdc++-arm-none-eabi-newlib
  qemu-system-arm                                   # emulated Cortex-M boards
  flatbuffers-compiler libflatbuffers-dev           # the program format (runtime/schema)
  python3                                           # benchmark collection (stdlib only)
  python3-pyarmnn libarmnn-cpuref-backend22         # tests/tflite/armnn_check.py (Arm NN CpuRef)
  clang-14 libclang-rt-14-dev llvm-14              # fuzz preset: libFuzzer, ASan/UBSan runtimes,
                                                    # llvm-symbolizer for readable reports
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
[[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
