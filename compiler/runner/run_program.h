// SPDX-License-Identifier: Apache-2.0
// Runs a program file on a target: "host" (the runtime linked into this process) or a Cortex-M
// board under QEMU (the board build's tinyexec_runner firmware, targets/runner/). Used by the
// Tester's test_implementation and by the CLI.
#pragma once

#include <cstdint>
#include <functional>
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
  // The runner's --hash-layers (host too): console gets "layer <i> fnv1a 0x<hex>" for every
  // operator of the (first) inference, the FNV-1a 32-bit hash of its output's bytes.
  bool hash_layers = false;
  int timeout_seconds = 600;  // per boot of the board
  // run_program_batch on a board: at most this many samples per boot (0: as many as the
  // runner's batch buffers hold, kBoardBatchBytes of inputs and of outputs).
  size_t max_batch = 0;
};

// The board runner's batch buffers (targets/runner/runner.cpp, TE_RUNNER_BATCH_BYTES).
constexpr size_t kBoardBatchBytes = 256 * 1024;

// One raw buffer per graph input.
using RawSample = std::vector<std::vector<uint8_t>>;

// "host" and the Cortex-M targets of cmake/targets.cmake.
std::vector<std::string> known_targets();

// Runs `program` with one raw input buffer per graph input. Throws a CompileError with the
// target, the reason and the runner's output when the program fails to load or run, or when the
// board's runner has not been built (naming the build command).
RunResult run_program(const std::string& target, std::span<const uint8_t> program,
                      const std::vector<std::vector<uint8_t>>& inputs,
                      const RunOptions& options = {});

// Runs `program` on every sample and returns one result per sample, in order. On a board,
// several samples share one boot of QEMU (the runner's --count), which saves ~0.2 s per sample;
// results are the same as run_program's one by one. With options.profile only the first sample
// is profiled. `progress` (optional) is called with the number of samples done after each boot
// (host: after each sample). Errors as run_program's, naming the first sample of the failing
// batch.
std::vector<RunResult> run_program_batch(const std::string& target,
                                         std::span<const uint8_t> program,
                                         const std::vector<RawSample>& samples,
                                         const RunOptions& options = {},
                                         const std::function<void(size_t done)>& progress = {});

}  // namespace tinyexec::runner
