// SPDX-License-Identifier: Apache-2.0
// The program emitter: a lowered graph (only cortex_m ops, params computed, docs/dialect.md) and
// its memory plan become the bytes of a program file (.tep, runtime/schema/program.fbs), which
// the runtime verifies and executes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "planner/memory_planner.h"

namespace tinyexec::emit {

struct EmitOptions {
  planner::PlannerOptions planner;
  bool names = true;  // tensor and operator names (errors, profiles); off saves flash
};

// Figures of an emitted program, for summaries and benchmarks.
struct ProgramStats {
  int64_t file_bytes = 0;
  int64_t constant_bytes = 0;  // weights, biases (with alignment padding)
  int64_t arena_bytes = 0;     // activations + scratch at the peak
  int32_t operators = 0;
  int32_t tensors = 0;
};

struct Program {
  std::vector<uint8_t> bytes;  // the file; 16-byte aligned in memory (operator new)
  planner::MemoryPlan plan;
  ProgramStats stats;
};

// Throws a CompileError naming the node for any op that is not a cortex_m op or misses a
// (params) attribute, and for values the program cannot hold (rank > 8, float constants...).
Program emit_program(const ir::Graph& graph, const EmitOptions& options = {});

// Writes program.bytes to `path`; throws a CompileError naming the path on failure.
void write_program(const Program& program, const std::string& path);

}  // namespace tinyexec::emit
