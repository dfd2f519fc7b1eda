// SPDX-License-Identifier: Apache-2.0
#include "tinyexec/kernels/pad.h"

#include <cstring>

namespace tinyexec::kernels {

Status pad_s8_check(const Dims4& input_dims, Span<const int8_t> input, const Dims4& pre_pad,
                    const Dims4& post_pad, int8_t pad_value, Span<int8_t> output) {
  (void)pad_value;  // any int8 value is valid
  TE_CHECK(input.data() != nullptr && output.data() != nullptr, Status::kNullPointer);
  TE_CHECK(dims_positive(input_dims), Status::kBadShape);
  TE_CHECK(pre_pad.n >= 0 && pre_pad.h >= 0 && pre_pad.w >= 0 && pre_pad.c >= 0 &&
               post_pad.n >= 0 && post_pad.h >= 0 && post_pad.w >= 0 && post_pad.c >= 0,
           Status::kBadParam);
  const int64_t out_n = int64_t{input_dims.n} + pre_pad.n + post_pad.n;
  const int64_t out_h = int64_t{input_dims.h} + pre_pad.h + post_pad.h;
  const int64_t out_w = int64_t{input_dims.w} + pre_pad.w + post_pad.w;
  const int64_t out_c = int64_t{input_dims.c} + pre_pad.c + post_pad.c;
  TE_CHECK(out_n <= INT32_MAX && out_h <= INT32_MAX && out_w <= INT32_MAX && out_c <= INT32_MAX,
           Status::kOverflow);
  const Dims4 out = {static_cast<int32_t>(out_n), static_cast<int32_t>(out_h),
                     static_cast<int32_t>(out_w), static_cast<int32_t>(out_c)};
  int32_t input_count = 0, output_count = 0;
  TE_CHECK(dims_count(input_dims, &input_count) && dims_count(out, &output_count),
           Status::kOverflow);
  TE_CHECK(input.size() >= static_cast<size_t>(input_count) &&
               output.size() >= static_cast<size_t>(output_count),
           Status::kBufferTooSmall);
  return Status::kOk;
}

Status pad_s8(const Dims4& input_dims, Span<const int8_t> input, const Dims4& pre_pad,
              const Dims4& post_pad, int8_t pad_value, Span<int8_t> output) {
  TE_RETURN_IF_ERROR(pad_s8_check(input_dims, input, pre_pad, post_pad, pad_value, output));
  // The output dims fit int32 and their product too: checked above.
  const Dims4 out = {input_dims.n + pre_pad.n + post_pad.n, input_dims.h + pre_pad.h + post_pad.h,
                     input_dims.w + pre_pad.w + post_pad.w, input_dims.c + pre_pad.c + post_pad.c};
  const int32_t output_count = out.n * out.h * out.w * out.c;

  // Fill everything, then copy each input row of c values into place.
  std::memset(output.data(), static_cast<uint8_t>(pad_value), static_cast<size_t>(output_count));
  const int8_t* src = input.data();
  for (int32_t n = 0; n < input_dims.n; ++n) {
    for (int32_t h = 0; h < input_dims.h; ++h) {
      for (int32_t w = 0; w < input_dims.w; ++w) {
        const int32_t offset =
            (((n + pre_pad.n) * out.h + h + pre_pad.h) * out.w + w + pre_pad.w) * out.c + pre_pad.c;
        std::memcpy(output.data() + offset, src, static_cast<size_t>(input_dims.c));
        src += input_dims.c;
      }
    }
  }
  return Status::kOk;
}

}  // namespace tinyexec::kernels
