// SPDX-License-Identifier: Apache-2.0
// Reads a program file (.tep, runtime/schema/program.fbs) back into plain structs, for the
// tools that report on programs (`tinyexec run`, `tinyexec analyze`): its tensors, operators,
// memory plan and constants, and per-operator figures the file does not store (MACs, weight
// bytes, arena bytes in use).
//
// The bytes are verified by the runtime's own loader first (runtime::Program::load), so a file
// the tools accept is exactly a file the runtime accepts; a rejected file is a CompileError
// naming the file, the runtime's error and, when known, the tensor or operator.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ir/graph.h"

namespace tinyexec::program_reader {

struct TensorInfo {
  std::string name;  // may be empty (programs emitted without names)
  ir::DType dtype = ir::DType::kInt8;
  ir::Shape shape;
  float scale = 0.0f;  // per-tensor quantization (0: none)
  int32_t zero_point = 0;
  int64_t arena_offset = -1;     // an activation in the arena, or
  int64_t constant_offset = -1;  // a constant in the program's constants
  int64_t bytes = 0;

  bool is_constant() const { return constant_offset >= 0; }
  std::string type_string() const;  // "i8[1,28,28,16]"
};

struct OperatorInfo {
  std::string kind;             // the schema's parameter table, e.g. "Conv2d"
  std::string op;               // the dialect's op, e.g. "cortex_m.quantized_conv2d"
  std::string kernel;           // the kernel it runs, e.g. "conv2d_s8" ("" for reshape: no kernel)
  std::string name;             // the graph node's name (may be empty)
  std::vector<int32_t> inputs;  // tensor indices; -1 for an omitted optional input
  std::vector<int32_t> outputs;
  int64_t scratch_offset = -1;
  int64_t scratch_bytes = 0;
};

struct ProgramInfo {
  std::string path;  // the file, or the name given to parse_program
  uint32_t version = 0;
  std::string producer;
  int64_t file_bytes = 0;
  int64_t constant_bytes = 0;  // the constants blob, alignment padding included
  int64_t arena_bytes = 0;     // the memory plan's peak
  std::vector<TensorInfo> tensors;
  std::vector<OperatorInfo> operators;
  std::vector<int32_t> inputs;  // tensor indices of the graph inputs, in order
  std::vector<int32_t> outputs;
};

// Reads and verifies the file. Errors (CompileError) start with the path: cannot open, empty,
// not a tinyexec program, or the runtime's reason for rejecting it.
ProgramInfo read_program(const std::filesystem::path& file);
// The same on bytes in memory; `name` names them in errors.
ProgramInfo parse_program(std::span<const uint8_t> bytes, std::string_view name);

// Figures of one operator that the file does not store.
struct OperatorFigures {
  int64_t macs = 0;          // multiply-accumulates per inference (the op schema's rule)
  int64_t weight_bytes = 0;  // bytes of its constant operands (weights, bias, tables)
  int64_t live_bytes = 0;    // arena bytes in use while it runs: live tensors and its scratch
};

// One entry per operator. Lifetimes are recomputed from operator order as the planner defines
// them (docs/planner.md): a tensor lives from its producer (graph inputs: the first operator) to
// its last reader (graph outputs: the last operator); tensors sharing bytes (reshape aliases,
// in-place outputs) are counted once.
std::vector<OperatorFigures> operator_figures(const ProgramInfo& program);

}  // namespace tinyexec::program_reader
