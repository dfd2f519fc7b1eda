#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the given presets (host first: board builds use its tools) and runs their CTest
# suites; prints one summary line per preset and a final "N passed, N failed, N skipped".
# Usage: scripts/test.sh PRESET...   (make test passes host, host-asan, fuzz and the five boards;
# the fuzz preset builds only the fuzzers and runs a 60 s smoke test of each)
set -uo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)
passed=0 failed=0 skipped=0 broken=()
summary=()
for preset in "$@"; do
  echo "=== $preset: build"
  if ! { cmake --preset "$preset" >/dev/null && cmake --build --preset "$preset"; }; then
    broken+=("$preset (build failed)")
    continue
  fi
  echo "=== $preset: test"
  log="build/$preset/ctest.log"
  ctest --preset "$preset" -j "$jobs" 2>&1 | tee "$log"
  ctest_status=${PIPESTATUS[0]}
  p=$(grep -cE 'Test +#[0-9]+: .*[ .]Passed' "$log")
  f=$(grep -cE 'Test +#[0-9]+: .*\*\*\*(Failed|Timeout|Exception|Not Run)' "$log")
  s=$(grep -cE 'Test +#[0-9]+: .*\*\*\*Skipped' "$log")
  if [[ $((p + f + s)) -eq 0 ]]; then
    broken+=("$preset (no test ran)")
  elif [[ $ctest_status -ne 0 && $f -eq 0 ]]; then
    broken+=("$preset (ctest exited with $ctest_status)")
  fi
  summary+=("$(printf '%-12s %4d passed, %d failed, %d skipped' "$preset" "$p" "$f" "$s")")
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
for problem in "${broken[@]}"; do echo "BROKEN: $problem"; done
echo "total: $passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 && ${#broken[@]} -eq 0 ]]
