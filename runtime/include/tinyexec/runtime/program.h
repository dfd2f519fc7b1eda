// SPDX-License-Identifier: Apache-2.0
// A loaded program (.tep, runtime/schema/program.fbs): untrusted bytes verified once, then read
// in place (zero copy; the bytes may live in flash).
//
// load() checks everything that does not need the arena: the FlatBuffers structure, the
// version, every tensor (dtype, shape, size, placement inside the arena size or the constants),
// the graph inputs/outputs, and every operator (its parameter table, operand counts and dtypes,
// parameter vector lengths, scratch placement, and which of its buffers may overlap). The
// kernels' own argument checks run in Executor::init, once the arena is known.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tinyexec/runtime/error.h"

namespace tinyexec::program {
struct Program;
}

namespace tinyexec::runtime {

// The program format version this runtime reads.
constexpr uint32_t kProgramVersion = 2;  // 2: Linear.kernel_sums hold the folded bias
// Alignment of the program bytes (so that the constants are 16-byte aligned) and of the arena.
constexpr size_t kAlignment = 16;

class Program {
 public:
  // Verifies `size` bytes at `data` (16-byte aligned; they must outlive the Program). On error
  // the program stays unloaded and failed_tensor()/failed_operator() say where, when known.
  Error load(const void* data, size_t size);

  bool loaded() const { return program_ != nullptr; }
  const program::Program& flatbuffer() const { return *program_; }
  uint32_t arena_bytes() const { return arena_bytes_; }
  int32_t num_inputs() const;
  int32_t num_outputs() const;
  int32_t num_operators() const;
  // Index of the tensor / operator the last load error is about, or -1.
  int32_t failed_tensor() const { return failed_tensor_; }
  int32_t failed_operator() const { return failed_operator_; }

 private:
  Error verify_tensors();
  Error verify_operators();

  const program::Program* program_ = nullptr;
  const uint8_t* constants_ = nullptr;
  uint32_t constants_size_ = 0;
  uint32_t arena_bytes_ = 0;
  int32_t failed_tensor_ = -1;
  int32_t failed_operator_ = -1;

  friend class Executor;
};

}  // namespace tinyexec::runtime
