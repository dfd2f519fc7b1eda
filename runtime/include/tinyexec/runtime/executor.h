// SPDX-License-Identifier: Apache-2.0
// Runs a loaded Program with one caller-provided arena: no heap, no globals.
//
//   runtime::Program program;
//   if (program.load(bytes, size) != Error::kOk) ...
//   alignas(16) static uint8_t arena[64 * 1024];
//   runtime::Executor executor;
//   if (executor.init(program, arena, sizeof(arena)) != Error::kOk) ...
//   runtime::TensorRef in;  executor.input(0, &in);   // write the input into in.data
//   executor.execute();
//   runtime::TensorRef out; executor.output(0, &out); // read the result from out.data
#pragma once

#include <cstddef>
#include <cstdint>

#include "tinyexec/kernels/status.h"
#include "tinyexec/runtime/error.h"
#include "tinyexec/runtime/program.h"

namespace tinyexec::runtime {

enum class DType : int8_t { kInt8 = 0, kInt32 = 1, kFloat32 = 2 };

// A graph input or output: where its bytes are in the arena and how to read them.
struct TensorRef {
  const char* name = nullptr;  // may be null when the program carries no names
  DType dtype = DType::kInt8;
  int32_t rank = 0;
  int32_t dims[8] = {};
  void* data = nullptr;
  size_t bytes = 0;
  float scale = 0.0f;  // int8 quantization (0 = none): real = scale * (q - zero_point)
  int32_t zero_point = 0;
};

// Called around every operator (e.g. to count instructions per operator). Optional.
struct OperatorHook {
  void (*before)(void* context, int32_t operator_index) = nullptr;
  void (*after)(void* context, int32_t operator_index) = nullptr;
  void* context = nullptr;
};

class Executor {
 public:
  // Binds `program` (which must stay loaded) to the arena and runs every kernel's argument
  // check on the real buffers. The arena must be 16-byte aligned and at least
  // program.arena_bytes() long.
  Error init(const Program& program, void* arena, size_t arena_size);

  Error input(int32_t index, TensorRef* tensor) const;
  Error output(int32_t index, TensorRef* tensor) const;

  // Runs the operators in order. Kernel failures (which init's checks rule out) are reported,
  // never ignored.
  Error execute(const OperatorHook* hook = nullptr);

  // The output (output 0) of operator `index`, valid right after that operator ran (e.g. in
  // OperatorHook::after, for per-layer checks; later operators may reuse its bytes).
  Error operator_output(int32_t index, TensorRef* tensor) const;

  // Where the last error happened: operator index (or -1) and the kernel's status.
  int32_t failed_operator() const { return failed_operator_; }
  kernels::Status kernel_status() const { return kernel_status_; }
  // The name of operator `index` as the compiler wrote it, or "" when absent.
  const char* operator_name(int32_t index) const;
  // The op of operator `index`, e.g. "Conv2d" (the schema's parameter table name).
  const char* operator_kind(int32_t index) const;

 private:
  Error tensor_ref(int32_t tensor_index, TensorRef* tensor) const;
  Error run_all(bool check_only, const OperatorHook* hook);

  const Program* program_ = nullptr;
  uint8_t* arena_ = nullptr;
  int32_t failed_operator_ = -1;
  kernels::Status kernel_status_ = kernels::Status::kOk;
};

}  // namespace tinyexec::runtime
