// SPDX-License-Identifier: Apache-2.0
// Int8 element-wise binary kernels with NHWC broadcasting: add, mul (TFLite / CMSIS-NN
// arm_elementwise_add_s8 / arm_elementwise_mul_s8 arithmetic) and maximum, minimum
// (arm_maximum_s8 / arm_minimum_s8).
//
// Tensors: input1 [input1_dims], input2 [input2_dims], output [output_dims], all NHWC int8.
// Broadcasting: every dimension of each input equals the output's or is 1 (a size-1 dimension
// is repeated along the output's). Rank < 4 tensors are passed with leading 1s.
// The output may be the same buffer as an input whose dims equal output_dims; no other overlap.
// No scratch.
#pragma once

#include <cstdint>

#include "tinyexec/kernels/span.h"
#include "tinyexec/kernels/status.h"
#include "tinyexec/kernels/types.h"

namespace tinyexec::kernels {

// Quantized add, computed like TFLite's int8 Add: both inputs are moved to a common scale with
// 2^left_shift headroom, summed, and the sum is rescaled to the output.
//   out = clamp(requantize(requantize((in1 + input1_offset) << left_shift, input1) +
//                          requantize((in2 + input2_offset) << left_shift, input2), output)
//               + output_offset, activation)
struct AddParams {
  int32_t input1_offset;  // -zero point of input1, [-127, 128]
  int32_t input2_offset;  // -zero point of input2, [-127, 128]
  int32_t left_shift;     // headroom shift applied to both inputs, [0, 22] (TFLite int8 uses 20)
  PerTensorQuant input1;  // input1 scale / (2 * max scale): multiplier >= 0, shift [-31, 30]
  PerTensorQuant input2;  // input2 scale / (2 * max scale): multiplier >= 0, shift [-31, 30]
  PerTensorQuant output;  // 2 * max scale / (2^left_shift * output scale): same ranges
  int32_t output_offset;  // zero point of the output, [-128, 127]
  ActivationRange activation;  // applied after output_offset; -128 <= min <= max <= 127
};

// Quantized multiply, computed like TFLite's int8 Mul:
//   out = clamp(requantize((in1 + input1_offset) * (in2 + input2_offset), output)
//               + output_offset, activation)
struct MulParams {
  int32_t input1_offset;       // -zero point of input1, [-127, 128]
  int32_t input2_offset;       // -zero point of input2, [-127, 128]
  PerTensorQuant output;       // scale1 * scale2 / output scale: multiplier >= 0, shift [-31, 30]
  int32_t output_offset;       // zero point of the output, [-128, 127]
  ActivationRange activation;  // applied after output_offset; -128 <= min <= max <= 127
};

Status add_s8(const AddParams& params, const Dims4& input1_dims, Span<const int8_t> input1,
              const Dims4& input2_dims, Span<const int8_t> input2, const Dims4& output_dims,
              Span<int8_t> output);

// Validates the arguments exactly as add_s8 does, without reading or writing the
// buffers' contents; for loaders.
Status add_s8_check(const AddParams& params, const Dims4& input1_dims, Span<const int8_t> input1,
                    const Dims4& input2_dims, Span<const int8_t> input2, const Dims4& output_dims,
                    Span<int8_t> output);

Status mul_s8(const MulParams& params, const Dims4& input1_dims, Span<const int8_t> input1,
              const Dims4& input2_dims, Span<const int8_t> input2, const Dims4& output_dims,
              Span<int8_t> output);

// Validates the arguments exactly as mul_s8 does, without reading or writing the
// buffers' contents; for loaders.
Status mul_s8_check(const MulParams& params, const Dims4& input1_dims, Span<const int8_t> input1,
                    const Dims4& input2_dims, Span<const int8_t> input2, const Dims4& output_dims,
                    Span<int8_t> output);

// out = max(in1, in2) / min(in1, in2) on the raw int8 values. TFLite requires both inputs and
// the output to share one scale and zero point, so no rescaling takes place (CMSIS-NN's
// arm_maximum_s8 / arm_minimum_s8 take no quantization parameters either).
Status maximum_s8(const Dims4& input1_dims, Span<const int8_t> input1, const Dims4& input2_dims,
                  Span<const int8_t> input2, const Dims4& output_dims, Span<int8_t> output);

// Validates the arguments exactly as maximum_s8 does, without reading or writing the
// buffers' contents; for loaders.
Status maximum_s8_check(const Dims4& input1_dims, Span<const int8_t> input1,
                        const Dims4& input2_dims, Span<const int8_t> input2,
                        const Dims4& output_dims, Span<int8_t> output);

Status minimum_s8(const Dims4& input1_dims, Span<const int8_t> input1, const Dims4& input2_dims,
                  Span<const int8_t> input2, const Dims4& output_dims, Span<int8_t> output);

// Validates the arguments exactly as minimum_s8 does, without reading or writing the
// buffers' contents; for loaders.
Status minimum_s8_check(const Dims4& input1_dims, Span<const int8_t> input1,
                        const Dims4& input2_dims, Span<const int8_t> input2,
                        const Dims4& output_dims, Span<int8_t> output);

}  // namespace tinyexec::kernels
