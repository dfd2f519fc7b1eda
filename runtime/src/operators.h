// SPDX-License-Identifier: Apache-2.0
// Per-op knowledge of the runtime, in one place (operators.cpp): what operands and parameters
// each parameter table of the schema requires (checked at load), and how its tensors and
// parameters become the arguments of its kernel (used by init for the kernel's argument check
// and by execute for the kernel itself, so the two never disagree).
#pragma once

#include <cstdint>

#include "tinyexec/kernels/status.h"
#include "tinyexec/program/program_generated.h"
#include "tinyexec/runtime/error.h"

namespace tinyexec::runtime::detail {

// Most inputs a concat may have (its kernel call builds the input list on the stack).
constexpr int32_t kMaxConcatInputs = 16;

// Load-time checks of one operator of a program whose tensors are verified.
Error verify_operator(const program::Program& program, const program::Operator& op);

// A program bound to an arena.
struct Binding {
  const program::Program* program = nullptr;
  uint8_t* arena = nullptr;
  const uint8_t* constants = nullptr;
};

// Runs the operator's kernel, or only its argument check when `check_only`.
kernels::Status run_operator(const Binding& binding, const program::Operator& op, bool check_only);

}  // namespace tinyexec::runtime::detail
