// SPDX-License-Identifier: Apache-2.0
// Int8 fully-connected layer, TFLite / CMSIS-NN (arm_fully_connected_s8,
// arm_fully_connected_per_channel_s8) semantics, with per-tensor or per-channel
// requantization and an optional non-zero weight zero point.
//
// Tensors:
//   input   [batches, input_depth] int8, row-major (any NHWC tensor with n = batches and
//           h * w * c = input_depth).
//   weights [output_depth, input_depth] int8, row-major (one row per output channel).
//   bias    [output_depth] int32, or an empty span for no bias.
//   output  [batches, output_depth] int8, row-major.
//   acc = bias[o] + sum_i (input[b, i] + input_offset) * (weights[o, i] + filter_offset)
//         (int32, wrapping like the target)
//   out = clamp(requantize(acc, multiplier, shift) + output_offset, activation)
// with one (multiplier, shift) for the whole tensor or one per output channel o.
// Input and output must not overlap.
#pragma once

#include <cstdint>

#include "tinyexec/kernels/span.h"
#include "tinyexec/kernels/status.h"
#include "tinyexec/kernels/types.h"

namespace tinyexec::kernels {

struct FullyConnectedShape {
  int32_t batches;       // rows of input and output, >= 1
  int32_t input_depth;   // accumulation depth (input row length, weight row length), >= 1
  int32_t output_depth;  // output channels (weight rows), >= 1
};

struct FullyConnectedParams {
  int32_t input_offset = 0;    // -zero point of the input, [-127, 128]
  int32_t filter_offset = 0;   // -zero point of the weights (0 when symmetric), [-127, 128]
  int32_t output_offset = 0;   // zero point of the output, [-128, 127]
  ActivationRange activation;  // applied after output_offset; -128 <= min <= max <= 127
};

// Bytes of scratch fully_connected_s8 needs: 8 * ceil(input_depth / 4) + 4 (the DSP variant
// widens one input row to int16 there), the same on every target so that a program planned on
// one machine runs on any other; 0 when input_depth is too large to size (the kernel then
// reports kOverflow). Always size scratch with this function.
int32_t fully_connected_s8_scratch_size(const FullyConnectedShape& shape);

// Per-tensor requantization: quant.multiplier >= 0 (Q31), quant.shift in [-31, 30].
// scratch: at least fully_connected_s8_scratch_size() bytes (any alignment); clobbered.
// kernel_sums: optional, empty or fully_connected_s8_kernel_sums(params, shape, weights, bias)
// (output_depth entries, precomputed by the compiler): the bias with the input offset's share
// folded in. When given they replace the bias and the inputs are used without the offset (the
// Helium variant's fastest path). The check cannot see whether they match the weights.
Status fully_connected_s8(const FullyConnectedParams& params, const PerTensorQuant& quant,
                          const FullyConnectedShape& shape, Span<const int8_t> input,
                          Span<const int8_t> weights, Span<const int32_t> bias, Span<int8_t> output,
                          Span<int8_t> scratch, Span<const int32_t> kernel_sums = {});

// Validates the arguments exactly as fully_connected_s8 does, without reading or writing the
// buffers' contents; for loaders.
Status fully_connected_s8_check(const FullyConnectedParams& params, const PerTensorQuant& quant,
                                const FullyConnectedShape& shape, Span<const int8_t> input,
                                Span<const int8_t> weights, Span<const int32_t> bias,
                                Span<int8_t> output, Span<int8_t> scratch,
                                Span<const int32_t> kernel_sums = {});

// Per-channel requantization: output_depth multipliers (>= 0, Q31) and shifts ([-31, 30]).
Status fully_connected_s8(const FullyConnectedParams& params, const PerChannelQuant& quant,
                          const FullyConnectedShape& shape, Span<const int8_t> input,
                          Span<const int8_t> weights, Span<const int32_t> bias, Span<int8_t> output,
                          Span<int8_t> scratch, Span<const int32_t> kernel_sums = {});

// Validates the arguments exactly as fully_connected_s8 does, without reading or writing the
// buffers' contents; for loaders.
Status fully_connected_s8_check(const FullyConnectedParams& params, const PerChannelQuant& quant,
                                const FullyConnectedShape& shape, Span<const int8_t> input,
                                Span<const int8_t> weights, Span<const int32_t> bias,
                                Span<int8_t> output, Span<int8_t> scratch,
                                Span<const int32_t> kernel_sums = {});

// CMSIS-NN's kernel sums: kernel_sums[o] = bias[o] + input_offset * sum_i (weights[o, i] +
// filter_offset) (bias 0 when empty; output_depth entries; int32, wrapping; shape.batches is
// ignored). The weights, the bias and the input zero point are known when a model is compiled,
// so a compiler computes this once; then
//   acc = kernel_sums[o] + sum_i input[b, i] * (weights[o, i] + filter_offset),
// which saves adding the offset to every input value.
Status fully_connected_s8_kernel_sums(const FullyConnectedParams& params,
                                      const FullyConnectedShape& shape, Span<const int8_t> weights,
                                      Span<const int32_t> bias, Span<int32_t> kernel_sums);

// Validates the arguments exactly as fully_connected_s8_kernel_sums does, without reading or
// writing the buffers' contents; for loaders.
Status fully_connected_s8_kernel_sums_check(const FullyConnectedParams& params,
                                            const FullyConnectedShape& shape,
                                            Span<const int8_t> weights, Span<const int32_t> bias,
                                            Span<int32_t> kernel_sums);

}  // namespace tinyexec::kernels
