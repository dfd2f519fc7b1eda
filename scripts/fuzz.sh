#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the fuzz preset and runs every libFuzzer target for FUZZ_SECONDS (default 600), each
# on a fresh copy of its seed corpus, as many at once as there are cores; prints each one's
# final libFuzzer stats and fails if any found a crash (docs/fuzzing.md).
# Usage: scripts/fuzz.sh [FUZZER...]   (default: all; FUZZ_SECONDS=60 scripts/fuzz.sh for a short run;
#        FUZZ_BUILD_DIR=dir: build there instead of build/fuzz)
set -uo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-600}
build=${FUZZ_BUILD_DIR:-build/fuzz}
cmake --preset fuzz -B "$build" >/dev/null && cmake --build "$build" --target fuzzers || exit 1

runners=()
if [[ $# -gt 0 ]]; then
  for name in "$@"; do runners+=("$build/fuzzers/$name.cmake"); done
else
  runners=("$build"/fuzzers/*.cmake)
fi
for runner in "${runners[@]}"; do
  [[ -f $runner ]] || { echo "fuzz: no fuzzer $runner"; exit 1; }
done

mkdir -p "$build/fuzz-logs"
echo "=== fuzz: ${#runners[@]} fuzzer(s), $seconds s each, $(nproc) at a time"
printf '%s\n' "${runners[@]}" |
  TE_FUZZ_SECONDS=$seconds LOGS="$build/fuzz-logs" xargs -P "$(nproc)" -I{} sh -c \
    'log=$LOGS/$(basename {} .cmake).log; cmake -P {} >"$log" 2>&1; echo $? >"$log.status"'

failed=0
for runner in "${runners[@]}"; do
  name=$(basename "$runner" .cmake)
  log=$build/fuzz-logs/$name.log
  status=$(cat "$log.status" 2>/dev/null || echo 1)
  echo
  if [[ $status -eq 0 ]]; then
    echo "=== $name: passed"
    grep -E '^ +(Done|#[0-9]+[[:space:]]+DONE|stat::)' "$log"
  else
    echo "=== $name: FAILED (report in $log)"
    tail -n 40 "$log"
    failed=$((failed + 1))
  fi
done
echo
echo "fuzz: $((${#runners[@]} - failed)) passed, $failed failed"
[[ $failed -eq 0 ]]
