// SPDX-License-Identifier: Apache-2.0
// Int8 transpose (any permutation of up to 4 dimensions), TFLite Transpose / CMSIS-NN
// arm_transpose_s8 semantics.
//
// Tensors: input [d0, d1, d2, d3] = input_dims {n, h, w, c} row-major; output
// [d[perm[0]], d[perm[1]], d[perm[2]], d[perm[3]]] row-major, i.e. output index
// (i0, i1, i2, i3) holds input element with index i_k at dimension perm[k].
// A rank-r tensor (r < 4) is passed with 4 - r leading 1s and perm {0, .., 3 - r, p0 + 4 - r,
// ...}: e.g. a 5x20 matrix transpose is dims {1, 1, 5, 20}, perm {0, 1, 3, 2}.
// Input and output must not overlap. No scratch.
#pragma once

#include <cstdint>

#include "tinyexec/kernels/span.h"
#include "tinyexec/kernels/status.h"
#include "tinyexec/kernels/types.h"

namespace tinyexec::kernels {

struct TransposeParams {
  int32_t perm[4];  // a permutation of {0, 1, 2, 3}: output dimension k is input dimension perm[k]
};

Status transpose_s8(const Dims4& input_dims, const TransposeParams& params,
                    Span<const int8_t> input, Span<int8_t> output);

// Validates the arguments exactly as transpose_s8 does, without reading or writing the
// buffers' contents; for loaders.
Status transpose_s8_check(const Dims4& input_dims, const TransposeParams& params,
                          Span<const int8_t> input, Span<int8_t> output);

}  // namespace tinyexec::kernels
