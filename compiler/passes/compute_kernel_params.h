// SPDX-License-Identifier: Apache-2.0
// The params pass (docs/dialect.md, "passes (params)"): every cortex_m attribute marked
// (params) computed from the quantization of the node's values, exactly as TFLite (Micro)
// prepares its int8 kernels, so the kernels compute bit for bit what TFLite would.
//
// The arithmetic is exposed as free functions (tested against hand-derived TFLite values); the
// pass reads the scales from the values and stores the results as int64 attributes (vectors
// for per-channel ones) under the names of docs/dialect.md.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "ir/graph.h"

namespace tinyexec::passes {

// A real scale as a Q31 multiplier and a power-of-two shift (TFLite's QuantizeMultiplier, via
// kernels::quantize_multiplier). Throws a CompileError starting with `what` when the scale is
// negative, not finite or >= 2^30.
struct Requantization {
  int32_t multiplier = 0;
  int32_t shift = 0;
  bool operator==(const Requantization& other) const = default;
};
Requantization requantization(double real_scale, std::string_view what);

// Convolutions (and per-channel linear): per output channel c,
//   input_scale * weight_scale[c] / output_scale   in double (TFLite's
//   PopulateConvolutionQuantizationParams). One weight scale is used for every channel.
std::vector<Requantization> per_channel_requantization(float input_scale,
                                                       std::span<const float> weight_scales,
                                                       float output_scale, int64_t channels,
                                                       std::string_view what);

// Per-tensor linear and batch matmul: (float)(input_scale * weight_scale) / output_scale, the
// product rounded to float first as TFLite's GetQuantizedConvolutionMultipler does.
Requantization product_requantization(float input_scale, float weight_scale, float output_scale,
                                      std::string_view what);

// Add (TFLite's int8 Add prepare): left_shift = 20, twice_max = 2 * max(s1, s2),
// input_i = s_i / twice_max, output = twice_max / (2^left_shift * s_out).
struct AddRequantization {
  int32_t left_shift = 20;
  Requantization input1, input2, output;
};
AddRequantization add_requantization(float input1_scale, float input2_scale, float output_scale,
                                     std::string_view what);
// The (params) attributes of cortex_m.quantized_add from r.
void set_add_params(ir::Attributes& attrs, const AddRequantization& r);

// Mul: s1 * s2 / s_out in double.
Requantization mul_requantization(float input1_scale, float input2_scale, float output_scale,
                                  std::string_view what);

// Softmax (TFLite's PreprocessSoftmaxScaling(beta, input_scale, 5) and
// diff_min = -CalculateInputRadius(5, input_left_shift)):
//   input_multiplier, input_left_shift = QuantizeMultiplierGreaterThanOne(
//       min(beta * input_scale * 2^26, 2^31 - 1))
//   diff_min = -floor((2^5 - 1) * 2^26 / 2^input_left_shift)
struct SoftmaxScaling {
  int32_t input_multiplier = 0;
  int32_t input_left_shift = 0;
  int32_t diff_min = 0;
  bool operator==(const SoftmaxScaling& other) const = default;
};
SoftmaxScaling softmax_scaling(float input_scale, double beta, std::string_view what);

// The functions cortex_m.lut supports: sigmoid, tanh, hardswish, gelu (exact, with erf).
bool lut_function_known(std::string_view function);
// table[i] = quantize(f(dequantize(i - 128))): i - 128 is the int8 input; dequantize with the
// input's scale and zero point, quantize with the output's, rounding half away from zero and
// saturating to [-128, 127]. Throws for an unknown function.
std::vector<int64_t> lut_table(std::string_view function, float input_scale,
                               int32_t input_zero_point, float output_scale,
                               int32_t output_zero_point);

// CMSIS-NN's kernel sums of a linear layer (fully_connected_s8_kernel_sums): per output o,
// bias[o] + input_offset * sum_k (weight[o, k] + weight_offset), offsets = -zero points; an
// int8 [O, K] weight, an int32 [O] bias or none.
std::vector<int64_t> kernel_sums(const ir::Tensor& weight, int32_t weight_zero_point,
                                 const ir::Tensor* bias, int32_t input_zero_point);

// Sets the (params) attributes of every cortex_m node that has them. Errors name the node,
// the op and the value whose quantization is missing or unsupported. Returns the number of
// nodes whose attributes changed.
int compute_kernel_params(ir::Graph& graph);

}  // namespace tinyexec::passes
