// SPDX-License-Identifier: Apache-2.0
#include "tinyexec/kernels/transpose_conv.h"

#include "common_s8.h"

namespace tinyexec::kernels {
namespace {

// One spatial axis: see the output-size rule in the header. int64 so that huge parameters
// cannot overflow; afterwards every coordinate the kernel computes fits int32.
Status check_axis(int32_t in, int32_t out, int32_t filter, int32_t stride, int32_t pad) {
  TE_CHECK(stride >= 1 && pad >= 0, Status::kBadParam);
  const int64_t full = int64_t{in - 1} * stride + filter;
  TE_CHECK(full + filter <= INT32_MAX && int64_t{out} + filter <= INT32_MAX, Status::kOverflow);
  TE_CHECK(pad <= filter - 1, Status::kBadParam);
  const int64_t pad_after = full - pad - out;
  const int64_t min_after = filter < stride ? filter - stride : 0;
  TE_CHECK(pad_after >= min_after && pad_after <= filter - 1, Status::kBadShape);
  return Status::kOk;
}

Status check_transpose_conv(const TransposeConv2dParams& p, const PerChannelQuant& quant,
                            const Dims4& in, Span<const int8_t> input, const Dims4& f,
                            Span<const int8_t> filter, Span<const int32_t> bias, const Dims4& out,
                            Span<int8_t> output) {
  TE_CHECK(input.data() != nullptr && filter.data() != nullptr && output.data() != nullptr,
           Status::kNullPointer);
  TE_CHECK(dims_positive(in) && dims_positive(f) && dims_positive(out), Status::kBadShape);
  TE_CHECK(f.c == in.c && out.n == in.n && out.c == f.n, Status::kBadShape);
  TE_CHECK(detail::valid_input_offset(p.input_offset) &&
               detail::valid_output_offset(p.output_offset) && valid_activation(p.activation),
           Status::kBadParam);
  TE_RETURN_IF_ERROR(check_axis(in.h, out.h, f.h, p.stride_h, p.pad_h));
  TE_RETURN_IF_ERROR(check_axis(in.w, out.w, f.w, p.stride_w, p.pad_w));
  TE_RETURN_IF_ERROR(detail::check_per_channel(quant, out.c));
  TE_RETURN_IF_ERROR(detail::check_bias(bias, out.c));
  TE_RETURN_IF_ERROR(detail::check_span(input, in));
  TE_RETURN_IF_ERROR(detail::check_span(filter, f));
  TE_RETURN_IF_ERROR(detail::check_span(output, out));
  return Status::kOk;
}

}  // namespace

int32_t transpose_conv2d_s8_scratch_size(const TransposeConv2dParams& params,
                                         const Dims4& input_dims, const Dims4& filter_dims,
                                         const Dims4& output_dims) {
  (void)params;
  (void)input_dims;
  (void)filter_dims;
  int32_t bytes = 0;
  if (output_dims.w <= 0 || output_dims.c <= 0 ||
      !checked_mul(output_dims.w, output_dims.c, &bytes) ||
      !checked_mul(bytes, static_cast<int32_t>(sizeof(int32_t)), &bytes)) {
    return 0;
  }
  return bytes;
}

Status transpose_conv2d_s8_check(const TransposeConv2dParams& params, const PerChannelQuant& quant,
                                 const Dims4& input_dims, Span<const int8_t> input,
                                 const Dims4& filter_dims, Span<const int8_t> filter,
                                 Span<const int32_t> bias, const Dims4& output_dims,
                                 Span<int8_t> output, Span<int8_t> scratch) {
  TE_RETURN_IF_ERROR(check_transpose_conv(params, quant, input_dims, input, filter_dims, filter,
                                          bias, output_dims, output));
  int32_t row_elems = 0;
  TE_CHECK(checked_mul(output_dims.w, output_dims.c, &row_elems) &&
               row_elems <= INT32_MAX / static_cast<int32_t>(sizeof(int32_t)),
           Status::kOverflow);
  const int32_t needed =
      transpose_conv2d_s8_scratch_size(params, input_dims, filter_dims, output_dims);
  TE_CHECK(scratch.size() >= static_cast<size_t>(needed), Status::kScratchTooSmall);
  TE_CHECK(scratch.data() != nullptr, Status::kNullPointer);
  TE_CHECK(reinterpret_cast<uintptr_t>(scratch.data()) % alignof(int32_t) == 0, Status::kBadParam);
  return Status::kOk;
}

Status transpose_conv2d_s8(const TransposeConv2dParams& params, const PerChannelQuant& quant,
                           const Dims4& input_dims, Span<const int8_t> input,
                           const Dims4& filter_dims, Span<const int8_t> filter,
                           Span<const int32_t> bias, const Dims4& output_dims, Span<int8_t> output,
                           Span<int8_t> scratch) {
  TE_RETURN_IF_ERROR(transpose_conv2d_s8_check(params, quant, input_dims, input, filter_dims,
                                               filter, bias, output_dims, output, scratch));

  const int32_t row_elems = output_dims.w * output_dims.c;  // fits: checked above
  const Dims4& in = input_dims;
  const Dims4& f = filter_dims;
  const Dims4& out = output_dims;
  const int32_t* bias_data = detail::bias_or_null(bias);
  int32_t* acc = reinterpret_cast<int32_t*>(scratch.data());  // [out.w][out.c]
  int8_t* dst = output.data();

  for (int32_t n = 0; n < out.n; ++n) {
    for (int32_t oy = 0; oy < out.h; ++oy) {
      for (int32_t i = 0; i < row_elems; ++i) {
        acc[i] = bias_data != nullptr ? bias_data[i % out.c] : 0;
      }
      // Scatter every input row that reaches this output row: iy * stride_h + ky == oy + pad_h.
      for (int32_t ky = 0; ky < f.h; ++ky) {
        const int32_t y = oy + params.pad_h - ky;
        if (y < 0 || y % params.stride_h != 0 || y / params.stride_h >= in.h) continue;
        const int32_t iy = y / params.stride_h;
        for (int32_t ix = 0; ix < in.w; ++ix) {
          const int8_t* src = input.data() + ((n * in.h + iy) * in.w + ix) * in.c;
          for (int32_t kx = 0; kx < f.w; ++kx) {
            const int32_t ox = ix * params.stride_w + kx - params.pad_w;
            if (ox < 0 || ox >= out.w) continue;
            for (int32_t oc = 0; oc < out.c; ++oc) {
              const int8_t* w = filter.data() + ((oc * f.h + ky) * f.w + kx) * f.c;
              int32_t sum = 0;
              for (int32_t ic = 0; ic < in.c; ++ic) {
                sum = detail::wrapping_add(sum, (src[ic] + params.input_offset) * w[ic]);
              }
              acc[ox * out.c + oc] = detail::wrapping_add(acc[ox * out.c + oc], sum);
            }
          }
        }
      }
      for (int32_t i = 0; i < row_elems; ++i) {
        const int32_t oc = i % out.c;
        *dst++ = detail::output_stage(acc[i], quant.multiplier[oc], quant.shift[oc],
                                      params.output_offset, params.activation);
      }
    }
  }
  return Status::kOk;
}

}  // namespace tinyexec::kernels
