// SPDX-License-Identifier: Apache-2.0
// The int8 matrix product shared by fully_connected_s8 and batch_matmul_s8 (implemented, with
// its portable, DSP and Helium variants, in fully_connected.cpp):
//   out[r, c] = clamp(requantize(bias[c] + sum_k (lhs[r, k] + lhs_offset) *
//                                (rhs[c, k] + rhs_offset), mult(c), shift(c)) + output_offset)
// Arguments are validated by the callers; this only computes.
#pragma once

#include <cstdint>

#include "tinyexec/kernels/span.h"
#include "tinyexec/kernels/types.h"

namespace tinyexec::kernels::detail {

struct MatmulArgs {
  const int8_t* lhs;          // [rows, depth]
  const int8_t* rhs;          // [cols, depth] (one row per output column)
  const int32_t* bias;        // [cols] or null
  const int32_t* multiplier;  // [cols] when per_channel, else [1]
  const int32_t* shift;
  bool per_channel;
  int8_t* output;  // [rows, cols]
  int32_t rows, cols, depth;
  int32_t lhs_offset, rhs_offset, output_offset;
  ActivationRange activation;
  Span<int8_t> scratch;  // at least matmul_s8_scratch_size(depth) bytes
};

// Scratch bytes matmul_s8 needs for a depth (false when that does not fit int32): the same on
// every target (a program planned on the host runs on any board): the DSP variant widens one
// lhs row to int16 there, 8 bytes per group of four, plus 4 bytes to align it.
bool matmul_s8_scratch_bytes(int32_t depth, int32_t* bytes);

void matmul_s8(const MatmulArgs& args);

}  // namespace tinyexec::kernels::detail
