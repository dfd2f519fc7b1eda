// SPDX-License-Identifier: Apache-2.0
#include "tinyexec/kernels/depthwise_conv.h"

#include "common_s8.h"
#include "conv_checks.h"

namespace tinyexec::kernels {
namespace {

// Filter [1, H, W, C_out] with C_out a multiple of C_in (the depth multiplier).
bool depthwise_channels_agree(const Dims4& in, const Dims4& f, const Dims4& out) {
  return f.n == 1 && f.c == out.c && out.c % in.c == 0;
}

}  // namespace

int32_t depthwise_conv2d_s8_scratch_size(const Conv2dParams& params, const Dims4& input_dims,
                                         const Dims4& filter_dims, const Dims4& output_dims) {
  (void)params;
  (void)input_dims;
  (void)filter_dims;
  (void)output_dims;
  return 0;
}

Status depthwise_conv2d_s8_check(const Conv2dParams& params, const PerChannelQuant& quant,
                                 const Dims4& input_dims, Span<const int8_t> input,
                                 const Dims4& filter_dims, Span<const int8_t> filter,
                                 Span<const int32_t> bias, const Dims4& output_dims,
                                 Span<int8_t> output, Span<int8_t> scratch) {
  TE_RETURN_IF_ERROR(detail::check_conv_arguments(params, quant, input_dims, input, filter_dims,
                                                  filter, bias, output_dims, output,
                                                  depthwise_channels_agree));
  const int32_t needed =
      depthwise_conv2d_s8_scratch_size(params, input_dims, filter_dims, output_dims);
  TE_CHECK(scratch.size() >= static_cast<size_t>(needed), Status::kScratchTooSmall);
  return Status::kOk;
}

Status depthwise_conv2d_s8(const Conv2dParams& params, const PerChannelQuant& quant,
                           const Dims4& input_dims, Span<const int8_t> input,
                           const Dims4& filter_dims, Span<const int8_t> filter,
                           Span<const int32_t> bias, const Dims4& output_dims, Span<int8_t> output,
                           Span<int8_t> scratch) {
  TE_RETURN_IF_ERROR(depthwise_conv2d_s8_check(params, quant, input_dims, input, filter_dims,
                                               filter, bias, output_dims, output, scratch));

  const Dims4& in = input_dims;
  const Dims4& f = filter_dims;
  const Dims4& out = output_dims;
  const int32_t ch_mult = out.c / in.c;
  const int32_t* bias_data = detail::bias_or_null(bias);
  int8_t* dst = output.data();

  for (int32_t n = 0; n < out.n; ++n) {
    for (int32_t oy = 0; oy < out.h; ++oy) {
      const int32_t y0 = oy * params.stride_h - params.pad_h;
      for (int32_t ox = 0; ox < out.w; ++ox) {
        const int32_t x0 = ox * params.stride_w - params.pad_w;
        for (int32_t oc = 0; oc < out.c; ++oc) {
          const int32_t ic = oc / ch_mult;
          int32_t acc = bias_data != nullptr ? bias_data[oc] : 0;
          for (int32_t ky = 0; ky < f.h; ++ky) {
            const int32_t y = y0 + ky * params.dilation_h;
            if (y < 0 || y >= in.h) continue;
            for (int32_t kx = 0; kx < f.w; ++kx) {
              const int32_t x = x0 + kx * params.dilation_w;
              if (x < 0 || x >= in.w) continue;
              const int32_t value = input[((n * in.h + y) * in.w + x) * in.c + ic];
              const int32_t weight = filter[(ky * f.w + kx) * f.c + oc];
              acc = detail::wrapping_add(acc, (value + params.input_offset) * weight);
            }
          }
          *dst++ = detail::output_stage(acc, quant.multiplier[oc], quant.shift[oc],
                                        params.output_offset, params.activation);
        }
      }
    }
  }
  return Status::kOk;
}

}  // namespace tinyexec::kernels
