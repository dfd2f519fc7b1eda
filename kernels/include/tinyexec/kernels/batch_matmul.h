// SPDX-License-Identifier: Apache-2.0
// Int8 batched matrix multiplication, TFLite BATCH_MATMUL / CMSIS-NN arm_batch_matmul_s8
// semantics, with per-tensor requantization and broadcasting over the two batch dimensions.
//
// Like CMSIS-NN, the kernel does not transpose: the right-hand side is passed TRANSPOSED, one
// row per output column. For TFLite's adj_x = 1 the caller transposes lhs first; for adj_y = 0
// it transposes rhs (adj_y = 1 already is this layout). Constant operands can be transposed
// at compile time.
//
// Tensors (Dims4 used as [batch, height, rows, depth]):
//   lhs    [lhs_dims]    int8: n, h batch dims, w = output rows, c = depth.
//   rhs    [rhs_dims]    int8: n, h batch dims, w = output columns, c = depth (transposed).
//   output [output_dims] int8: n, h, w = lhs_dims.w, c = rhs_dims.w.
// Broadcasting: for n and h separately, each operand's size equals the output's or is 1 (and
// the output's is the larger of the two); a size-1 operand is reused along the output's.
//   acc = sum_k (lhs[.., r, k] + lhs_offset) * (rhs[.., col, k] + rhs_offset)
//   out[.., r, col] = clamp(requantize(acc, quant) + output_offset, activation)
// Inputs and output must not overlap.
#pragma once

#include <cstdint>

#include "tinyexec/kernels/span.h"
#include "tinyexec/kernels/status.h"
#include "tinyexec/kernels/types.h"

namespace tinyexec::kernels {

struct BatchMatmulParams {
  int32_t lhs_offset = 0;      // -zero point of lhs, [-127, 128]
  int32_t rhs_offset = 0;      // -zero point of rhs, [-127, 128]
  int32_t output_offset = 0;   // zero point of the output, [-128, 127]
  ActivationRange activation;  // applied after output_offset; -128 <= min <= max <= 127
};

// Bytes of scratch batch_matmul_s8 needs, the same on every target: 8 * ceil(depth / 4) + 4
// (the DSP variant widens one lhs row to int16 there); 0 when that cannot be sized. Always
// size scratch with this function.
int32_t batch_matmul_s8_scratch_size(const Dims4& lhs_dims, const Dims4& rhs_dims,
                                     const Dims4& output_dims);

// quant: one multiplier (>= 0, Q31) and shift ([-31, 30]) for the whole output.
// scratch: at least batch_matmul_s8_scratch_size() bytes, any alignment, not null; clobbered.
Status batch_matmul_s8(const BatchMatmulParams& params, const PerTensorQuant& quant,
                       const Dims4& lhs_dims, Span<const int8_t> lhs, const Dims4& rhs_dims,
                       Span<const int8_t> rhs, const Dims4& output_dims, Span<int8_t> output,
                       Span<int8_t> scratch);

// Validates the arguments exactly as batch_matmul_s8 does, without reading or writing the
// buffers' contents; for loaders.
Status batch_matmul_s8_check(const BatchMatmulParams& params, const PerTensorQuant& quant,
                             const Dims4& lhs_dims, Span<const int8_t> lhs, const Dims4& rhs_dims,
                             Span<const int8_t> rhs, const Dims4& output_dims, Span<int8_t> output,
                             Span<int8_t> scratch);

}  // namespace tinyexec::kernels
