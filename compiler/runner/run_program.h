// SPDX-License-Identifier: Apache-2.0
// Runs a program file on a target: "host" (the runtime linked into this process) or a Cortex-M
// board under QEMU (the board build's tinyexec_runner firmware, targets/runner/). Used by the
// Tester's test_implementation and by the CLI.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tinyexec::runner {

struct OperatorProfile {
  std::string kind;  // the schema's parameter table, e.g. "Conv2d"
  std::string name;  // the node's name
  uint64_t instructions = 0;
};

struct RunResult {
  std::vector<std::vector<uint8_t>> outputs;  // raw bytes of every graph output
  std::optional<uint64_t> instructions;       // per inference, boards only
  std::vector<OperatorProfile> operators;     // with RunOptions::profile, boards only
  std::string console;                        // what the runner printed (boards)
};

struct RunOptions {
  bool profile = false;
  int timeout_seconds = 600;
};

// "host" and the Cortex-M targets of cmake/targets.cmake.
std::vector<std::string> known_targets();

// Runs `program` with one raw input buffer per graph input. Throws a CompileError with the
// target, the reason and the runner's output when the program fails to load or run, or when the
// board's runner has not been built (naming the build command).
RunResult run_program(const std::string& target, std::span<const uint8_t> program,
                      const std::vector<std::vector<uint8_t>>& inputs,
                      const RunOptions& options = {});

}  // namespace tinyexec::runner
