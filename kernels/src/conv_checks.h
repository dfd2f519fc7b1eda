// SPDX-License-Identifier: Apache-2.0
// Argument checks shared by conv2d_s8 and depthwise_conv2d_s8, which differ only in how the
// channel counts of input, filter and output must relate.
#pragma once

#include "common_s8.h"
#include "tinyexec/kernels/conv.h"

namespace tinyexec::kernels::detail {

// channels_agree is only called with positive dims.
// (Spans by reference: copying them costs more code than the checks.)
inline Status check_conv_arguments(const Conv2dParams& p, const PerChannelQuant& quant,
                                   const Dims4& in, const Span<const int8_t>& input,
                                   const Dims4& f, const Span<const int8_t>& filter,
                                   const Span<const int32_t>& bias, const Dims4& out,
                                   const Span<int8_t>& output,
                                   bool (*channels_agree)(const Dims4& in, const Dims4& f,
                                                          const Dims4& out)) {
  TE_CHECK(input.data() != nullptr && filter.data() != nullptr && output.data() != nullptr,
           Status::kNullPointer);
  TE_CHECK(dims_positive(in) && dims_positive(f) && dims_positive(out), Status::kBadShape);
  TE_CHECK(out.n == in.n && channels_agree(in, f, out), Status::kBadShape);
  TE_CHECK(valid_input_offset(p.input_offset) && valid_output_offset(p.output_offset) &&
               valid_activation(p.activation),
           Status::kBadParam);
  TE_RETURN_IF_ERROR(check_window_axis(in.h, out.h, f.h, p.stride_h, p.dilation_h, p.pad_h));
  TE_RETURN_IF_ERROR(check_window_axis(in.w, out.w, f.w, p.stride_w, p.dilation_w, p.pad_w));
  TE_RETURN_IF_ERROR(check_per_channel(quant, out.c));
  TE_RETURN_IF_ERROR(check_bias(bias, out.c));
  TE_RETURN_IF_ERROR(check_span(input, in));
  TE_RETURN_IF_ERROR(check_span(filter, f));
  return check_span(output, out);
}

// Scratch of the accelerated conv2d_s8 / depthwise_conv2d_s8 variants, the same on every
// target (a program planned on the host runs on any board): `per_value` bytes per value of a
// `values`-long column plus `per_channel` bytes per output channel plus 16 for alignment.
// False when a count is not positive or the size does not fit int32.
inline bool scratch_bytes(int32_t values, int32_t per_value, int32_t channels, int32_t per_channel,
                          int32_t* bytes) {
  if (values <= 0 || channels <= 0) return false;
  const int64_t total = int64_t{values} * per_value + int64_t{channels} * per_channel + 16;
  if (total > INT32_MAX) return false;
  *bytes = static_cast<int32_t>(total);
  return true;
}

// The first 16-byte boundary at or after p: the accelerated variants' scratch tables and
// columns start there (scratch sizes include the 16 bytes this may skip).
inline int8_t* align16(int8_t* p) {
  return reinterpret_cast<int8_t*>((reinterpret_cast<uintptr_t>(p) + 15) & ~uintptr_t{15});
}

}  // namespace tinyexec::kernels::detail
