# SPDX-License-Identifier: Apache-2.0
# Shared by cli_test.sh and cli_board_test.sh (sourced): a failure counter, a scratch folder
# removed on exit, and `expect`.
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
    echo "FAIL: $(head -1 <<<"$*") -> exit $actual (expected $status), output:"
    echo "$output" | head -30
    echo "  (expected to match: $pattern)"
    failures=$((failures + 1))
  else
    echo "ok: $(head -1 <<<"$*")"
  fi
}
