// SPDX-License-Identifier: Apache-2.0
// Int8 2-D convolution with per-channel requantization, TFLite / CMSIS-NN (arm_convolve_s8,
// arm_convolve_1x1_s8_fast, arm_convolve_1_x_n_s8, grouped convolution) semantics. Covers any
// kernel size (1x1 and 1xN included), stride, padding, dilation, batch count and group count.
//
// Tensors:
//   input  [input_dims]  NHWC int8.
//   filter [filter_dims] OHWI int8: n = output channels, h, w = kernel size, c = input channels
//          per group. groups = input_dims.c / filter_dims.c; output channel o belongs to group
//          o / (output_dims.c / groups) and reads that group's filter_dims.c input channels.
//   bias   [output_dims.c] int32, or an empty span for no bias.
//   output [output_dims] NHWC int8; n equals input's, c equals filter_dims.n.
// Output (y, x) reads input rows y * stride_h - pad_h + i * dilation_h (i < filter h) and
// columns likewise; positions outside the input are padding and contribute nothing.
//   acc = bias[o] + sum((input + input_offset) * filter)    (int32, wrapping like the target)
//   out = clamp(requantize(acc, multiplier[o], shift[o]) + output_offset, activation)
// The output size must be one that SAME / VALID-style padding gives: with
// pad_after = (out - 1) * stride + (filter - 1) * dilation + 1 - in - pad_before,
// 1 - stride <= pad_after <= (filter - 1) * dilation, per axis (otherwise kBadShape).
// Input and output must not overlap.
#pragma once

#include <cstdint>

#include "tinyexec/kernels/span.h"
#include "tinyexec/kernels/status.h"
#include "tinyexec/kernels/types.h"

namespace tinyexec::kernels {

// Shared by conv2d_s8 and depthwise_conv2d_s8.
struct Conv2dParams {
  int32_t stride_h = 1;        // >= 1
  int32_t stride_w = 1;        // >= 1
  int32_t pad_h = 0;           // rows of padding above, [0, (filter_h - 1) * dilation_h]
  int32_t pad_w = 0;           // columns of padding left, [0, (filter_w - 1) * dilation_w]
  int32_t dilation_h = 1;      // >= 1
  int32_t dilation_w = 1;      // >= 1
  int32_t input_offset = 0;    // -zero point of the input, [-127, 128]
  int32_t output_offset = 0;   // zero point of the output, [-128, 127]
  ActivationRange activation;  // applied after output_offset; -128 <= min <= max <= 127
};

// Bytes of scratch conv2d_s8 needs, the same on every target (a program planned on one machine
// runs on any other): with K = filter h * w * c, 5 * roundup(K, 16) + 64 * groups *
// ceil(output channels per group / 3) + 16 (im2col columns and requantization tables of the
// DSP / Helium variants; docs/kernels/conv.md). 0 when the dims cannot be sized.
// Always size scratch with this function.
int32_t conv2d_s8_scratch_size(const Conv2dParams& params, const Dims4& input_dims,
                               const Dims4& filter_dims, const Dims4& output_dims);

// quant: per-output-channel multiplier (>= 0, Q31) and shift ([-31, 30]), output_dims.c each.
// scratch: at least conv2d_s8_scratch_size() bytes, any alignment, not null; clobbered.
Status conv2d_s8(const Conv2dParams& params, const PerChannelQuant& quant, const Dims4& input_dims,
                 Span<const int8_t> input, const Dims4& filter_dims, Span<const int8_t> filter,
                 Span<const int32_t> bias, const Dims4& output_dims, Span<int8_t> output,
                 Span<int8_t> scratch);

// Validates the arguments exactly as conv2d_s8 does, without reading or writing the
// buffers' contents; for loaders.
Status conv2d_s8_check(const Conv2dParams& params, const PerChannelQuant& quant,
                       const Dims4& input_dims, Span<const int8_t> input, const Dims4& filter_dims,
                       Span<const int8_t> filter, Span<const int32_t> bias,
                       const Dims4& output_dims, Span<int8_t> output, Span<int8_t> scratch);

}  // namespace tinyexec::kernels
