// SPDX-License-Identifier: Apache-2.0
// TensorFlow Lite Micro's int8 arithmetic where tinyexec's kernels do not already compute it:
// the element-wise int8 -> int8 functions (LOGISTIC, TANH, HARD_SWISH, int8 QUANTIZE) as
// 256-entry tables — a table over every input value is exact for any element-wise function —
// built by running TFLM's own integer algorithms (gemmlowp fixed point) on each input, and
// the fused-activation ranges. Facts from TFLite's reference kernels; code written here.
#pragma once

#include <cstdint>
#include <vector>

namespace tinyexec::frontends::tflm {

// TFLite's MultiplyByQuantizedMultiplier (double rounding, left shift first).
int32_t multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int32_t shift);

// CalculateActivationRangeQuantized for int8: the fused activation's [min, max] in the output's
// int8 domain. activation: 0 NONE, 1 RELU, 2 RELU_N1_TO_1, 3 RELU6. Other values are rejected
// by the caller.
struct Range {
  int32_t min = -128;
  int32_t max = 127;
};
Range activation_range(int activation, float output_scale, int32_t output_zero_point);

// table[i] is the op's output for the int8 input i - 128.
// LOGISTIC (output scale 1/256, zero point -128): reference_integer_ops::Logistic with the
// input multiplier TFLM's Prepare derives (4 integer bits, frexp).
std::vector<int8_t> logistic_table(float input_scale, int32_t input_zero_point);
// TANH (output scale 1/128, zero point 0): reference_integer_ops::Tanh likewise.
std::vector<int8_t> tanh_table(float input_scale, int32_t input_zero_point);
// HARD_SWISH: reference_ops::HardSwish<int8_t> with HardSwishParams as TFLM prepares them
// (16-bit fixed-point multipliers). Throws a CompileError when TFLM would reject the scales
// (output multiplier exponent > 0).
std::vector<int8_t> hard_swish_table(float input_scale, int32_t input_zero_point,
                                     float output_scale, int32_t output_zero_point);
// QUANTIZE int8 -> int8: reference_ops::Requantize with QuantizeMultiplier(in / out).
std::vector<int8_t> requantize_table(float input_scale, int32_t input_zero_point,
                                     float output_scale, int32_t output_zero_point);

}  // namespace tinyexec::frontends::tflm
