// SPDX-License-Identifier: Apache-2.0
#include "tinyexec/kernels/transpose.h"

namespace tinyexec::kernels {

Status transpose_s8_check(const Dims4& input_dims, const TransposeParams& params,
                          Span<const int8_t> input, Span<int8_t> output) {
  TE_CHECK(input.data() != nullptr && output.data() != nullptr, Status::kNullPointer);
  TE_CHECK(dims_positive(input_dims), Status::kBadShape);
  bool seen[4] = {false, false, false, false};
  for (int32_t k = 0; k < 4; ++k) {
    const int32_t p = params.perm[k];
    TE_CHECK(p >= 0 && p < 4 && !seen[p], Status::kBadParam);
    seen[p] = true;
  }
  int32_t count = 0;
  TE_CHECK(dims_count(input_dims, &count), Status::kOverflow);
  TE_CHECK(
      input.size() >= static_cast<size_t>(count) && output.size() >= static_cast<size_t>(count),
      Status::kBufferTooSmall);
  return Status::kOk;
}

Status transpose_s8(const Dims4& input_dims, const TransposeParams& params,
                    Span<const int8_t> input, Span<int8_t> output) {
  TE_RETURN_IF_ERROR(transpose_s8_check(input_dims, params, input, output));
  // Row-major input strides, then walk the output in order, stepping through the input with
  // the strides of the dimensions the output dimensions come from.
  const int32_t dims[4] = {input_dims.n, input_dims.h, input_dims.w, input_dims.c};
  const int32_t in_stride[4] = {dims[1] * dims[2] * dims[3], dims[2] * dims[3], dims[3], 1};
  int32_t out_dim[4], stride[4];
  for (int32_t k = 0; k < 4; ++k) {
    out_dim[k] = dims[params.perm[k]];
    stride[k] = in_stride[params.perm[k]];
  }
  int8_t* dst = output.data();
  const int8_t* src = input.data();
  for (int32_t i0 = 0; i0 < out_dim[0]; ++i0) {
    for (int32_t i1 = 0; i1 < out_dim[1]; ++i1) {
      for (int32_t i2 = 0; i2 < out_dim[2]; ++i2) {
        const int8_t* base = src + i0 * stride[0] + i1 * stride[1] + i2 * stride[2];
        for (int32_t i3 = 0; i3 < out_dim[3]; ++i3) *dst++ = base[i3 * stride[3]];
      }
    }
  }
  return Status::kOk;
}

}  // namespace tinyexec::kernels
