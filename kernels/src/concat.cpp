// SPDX-License-Identifier: Apache-2.0
#include "tinyexec/kernels/concat.h"

#include <cstring>

namespace tinyexec::kernels {
namespace {

void to_array(const Dims4& d, int32_t out[4]) {
  out[0] = d.n;
  out[1] = d.h;
  out[2] = d.w;
  out[3] = d.c;
}

}  // namespace

Status concat_s8_check(Span<const ConcatInput> inputs, int32_t axis, Span<int8_t> output) {
  TE_CHECK(inputs.data() != nullptr && output.data() != nullptr, Status::kNullPointer);
  TE_CHECK(!inputs.empty(), Status::kBadShape);
  TE_CHECK(axis >= 0 && axis < 4, Status::kBadParam);
  int32_t first[4];
  to_array(inputs[0].dims, first);
  int64_t axis_total = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    TE_CHECK(inputs[i].data.data() != nullptr, Status::kNullPointer);
    int32_t dims[4];
    to_array(inputs[i].dims, dims);
    for (int32_t k = 0; k < 4; ++k) {
      TE_CHECK(dims[k] > 0, Status::kBadShape);
      TE_CHECK(k == axis || dims[k] == first[k], Status::kBadShape);
    }
    axis_total += dims[axis];
    int32_t count = 0;
    TE_CHECK(axis_total <= INT32_MAX && dims_count(inputs[i].dims, &count), Status::kOverflow);
    TE_CHECK(inputs[i].data.size() >= static_cast<size_t>(count), Status::kBufferTooSmall);
  }
  // The output holds outer * axis_total * inner elements (see concat_s8).
  int32_t outer = 1, inner = 1, output_count = 0;
  for (int32_t k = 0; k < axis; ++k) outer *= first[k];
  for (int32_t k = axis + 1; k < 4; ++k) inner *= first[k];
  TE_CHECK(checked_mul(outer, static_cast<int32_t>(axis_total), &output_count) &&
               checked_mul(output_count, inner, &output_count),
           Status::kOverflow);
  TE_CHECK(output.size() >= static_cast<size_t>(output_count), Status::kBufferTooSmall);
  return Status::kOk;
}

Status concat_s8(Span<const ConcatInput> inputs, int32_t axis, Span<int8_t> output) {
  TE_RETURN_IF_ERROR(concat_s8_check(inputs, axis, output));
  // The output is `outer` blocks; block o holds, input after input, each input's block o of
  // dims[axis] * inner elements. Every product fits int32: checked above.
  int32_t first[4];
  to_array(inputs[0].dims, first);
  int32_t outer = 1, inner = 1;
  for (int32_t k = 0; k < axis; ++k) outer *= first[k];
  for (int32_t k = axis + 1; k < 4; ++k) inner *= first[k];

  int8_t* dst = output.data();
  for (int32_t o = 0; o < outer; ++o) {
    for (size_t i = 0; i < inputs.size(); ++i) {
      int32_t dims[4];
      to_array(inputs[i].dims, dims);
      const int32_t block = dims[axis] * inner;
      std::memcpy(dst, inputs[i].data.data() + o * block, static_cast<size_t>(block));
      dst += block;
    }
  }
  return Status::kOk;
}

}  // namespace tinyexec::kernels
