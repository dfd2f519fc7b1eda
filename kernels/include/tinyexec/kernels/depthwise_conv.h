// SPDX-License-Identifier: Apache-2.0
// Int8 depthwise 2-D convolution with per-channel requantization and a depth multiplier,
// TFLite / CMSIS-NN (arm_depthwise_conv_s8, arm_depthwise_conv_s8_opt,
// arm_depthwise_conv_3x3_s8) semantics.
//
// Tensors:
//   input  [input_dims]  NHWC int8.
//   filter [filter_dims] = [1, H, W, C_out] int8, C_out = output_dims.c.
//   bias   [C_out] int32, or an empty span for no bias.
//   output [output_dims] NHWC int8; n equals input's, C_out = input_dims.c * ch_mult.
// The depth multiplier ch_mult = C_out / C_in (>= 1): output channel o = i * ch_mult + m reads
// only input channel i = o / ch_mult, with filter channel o.
// Windows, padding, dilation, accumulation and the output stage are as in conv2d_s8 (conv.h),
// including its rule for a consistent output size. Input and output must not overlap.
#pragma once

#include <cstdint>

#include "tinyexec/kernels/conv.h"
#include "tinyexec/kernels/span.h"
#include "tinyexec/kernels/status.h"
#include "tinyexec/kernels/types.h"

namespace tinyexec::kernels {

// Bytes of scratch depthwise_conv2d_s8 needs, the same on every target: with C16 = C_out
// rounded up to 16 and T = filter h * w taps, C16 * (2 * T + 26) + 4 * T + 32 (widened
// weights, folded biases and requantization records of the DSP / Helium variants;
// docs/kernels/conv.md). 0 when the dims cannot be sized. Always size scratch with this
// function.
int32_t depthwise_conv2d_s8_scratch_size(const Conv2dParams& params, const Dims4& input_dims,
                                         const Dims4& filter_dims, const Dims4& output_dims);

// params: as for conv2d_s8 (strides, paddings, dilations, offsets, activation).
// quant: per-output-channel multiplier (>= 0, Q31) and shift ([-31, 30]), C_out each.
// scratch: at least depthwise_conv2d_s8_scratch_size() bytes, any alignment, not null;
// clobbered.
Status depthwise_conv2d_s8(const Conv2dParams& params, const PerChannelQuant& quant,
                           const Dims4& input_dims, Span<const int8_t> input,
                           const Dims4& filter_dims, Span<const int8_t> filter,
                           Span<const int32_t> bias, const Dims4& output_dims, Span<int8_t> output,
                           Span<int8_t> scratch);

// Validates the arguments exactly as depthwise_conv2d_s8 does, without reading or writing the
// buffers' contents; for loaders.
Status depthwise_conv2d_s8_check(const Conv2dParams& params, const PerChannelQuant& quant,
                                 const Dims4& input_dims, Span<const int8_t> input,
                                 const Dims4& filter_dims, Span<const int8_t> filter,
                                 Span<const int32_t> bias, const Dims4& output_dims,
                                 Span<int8_t> output, Span<int8_t> scratch);

}  // namespace tinyexec::kernels
