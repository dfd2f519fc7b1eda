#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The demo: runs the example program on the emulated Corstone-300 (Cortex-M55 + Helium, QEMU
# mps3-an547) with the instruction counter attached. `make demo` builds it first.
set -euo pipefail
cd "$(dirname "$0")/.."
build=build/cortex-m55
echo "Running examples/hello on the emulated Corstone-300 (Cortex-M55, QEMU mps3-an547)..."
targets/qemu/run --machine mps3-an547 --cpu cortex-m55 --plugin "$build/lib/libte_icount.so" \
  --total --timeout 60 "$build/bin/hello.elf"
