// SPDX-License-Identifier: Apache-2.0
// Int8 transposed 2-D convolution (TFLite TRANSPOSE_CONV, CMSIS-NN arm_transpose_conv_s8) with
// per-channel requantization.
//
// Tensors:
//   input  [input_dims]  NHWC int8.
//   filter [filter_dims] OHWI int8: n = output channels, h, w = kernel size, c = input_dims.c.
//   bias   [output_dims.c] int32, or an empty span for no bias.
//   output [output_dims] NHWC int8; n equals input's, c equals filter_dims.n.
// Every input pixel (iy, ix) scatters input * filter into the uncropped result at rows
// iy * stride_h + ky and columns ix * stride_w + kx; the output is that result cropped to start
// at row pad_h, column pad_w:
//   acc(y, x, o) = bias[o] + sum over iy * stride_h + ky == y + pad_h and
//                  ix * stride_w + kx == x + pad_w of (input + input_offset) * filter[o, ky, kx]
//   out = clamp(requantize(acc, multiplier[o], shift[o]) + output_offset, activation)
// pad_h / pad_w are TFLite's padding (CMSIS-NN's padding, i.e. the golden pad_x / pad_y), NOT
// the "with offset" values. Per axis, with full = (in - 1) * stride + filter and
// pad_after = full - pad_before - out, the output size must satisfy
// min(0, filter - stride) <= pad_after <= filter - 1 (what SAME and VALID give; else
// kBadShape). Input and output must not overlap.
#pragma once

#include <cstdint>

#include "tinyexec/kernels/span.h"
#include "tinyexec/kernels/status.h"
#include "tinyexec/kernels/types.h"

namespace tinyexec::kernels {

struct TransposeConv2dParams {
  int32_t stride_h = 1;        // >= 1
  int32_t stride_w = 1;        // >= 1
  int32_t pad_h = 0;           // rows cropped from the top of the result, [0, filter_h - 1]
  int32_t pad_w = 0;           // columns cropped from the left, [0, filter_w - 1]
  int32_t input_offset = 0;    // -zero point of the input, [-127, 128]
  int32_t output_offset = 0;   // zero point of the output, [-128, 127]
  ActivationRange activation;  // applied after output_offset; -128 <= min <= max <= 127
};

// Bytes of scratch transpose_conv2d_s8 needs: one output row of int32 accumulators,
// 4 * output_dims.w * output_dims.c, in this portable version (accelerated variants may need a
// different amount; always size scratch with this function). 0 for invalid or overflowing dims.
int32_t transpose_conv2d_s8_scratch_size(const TransposeConv2dParams& params,
                                         const Dims4& input_dims, const Dims4& filter_dims,
                                         const Dims4& output_dims);

// quant: per-output-channel multiplier (>= 0, Q31) and shift ([-31, 30]), output_dims.c each.
// scratch: at least transpose_conv2d_s8_scratch_size() bytes, 4-byte aligned (kBadParam if
// not); its contents on entry do not matter and are clobbered.
Status transpose_conv2d_s8(const TransposeConv2dParams& params, const PerChannelQuant& quant,
                           const Dims4& input_dims, Span<const int8_t> input,
                           const Dims4& filter_dims, Span<const int8_t> filter,
                           Span<const int32_t> bias, const Dims4& output_dims, Span<int8_t> output,
                           Span<int8_t> scratch);

// Validates the arguments exactly as transpose_conv2d_s8 does, without reading or writing the
// buffers' contents; for loaders.
Status transpose_conv2d_s8_check(const TransposeConv2dParams& params, const PerChannelQuant& quant,
                                 const Dims4& input_dims, Span<const int8_t> input,
                                 const Dims4& filter_dims, Span<const int8_t> filter,
                                 Span<const int32_t> bias, const Dims4& output_dims,
                                 Span<int8_t> output, Span<int8_t> scratch);

}  // namespace tinyexec::kernels
