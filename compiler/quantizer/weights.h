// SPDX-License-Identifier: Apache-2.0
// Weight and bias quantization (CMSIS-NN / TFLite int8 scheme).
#pragma once

#include <cstdint>
#include <vector>

#include "ir/tensor.h"

namespace tinyexec::quantizer {

struct QuantizedTensor {
  ir::Tensor values;          // int8 (weights) or int32 (bias)
  std::vector<float> scales;  // one (per tensor) or one per index of the axis
};

// Symmetric int8: zero point 0, values in [-127, 127], scale = max|w| / 127 per index of `axis`
// (axis -1: one scale for the whole tensor). An all-zero channel gets scale 1.
// q = round_half_to_even(w / scale), as ONNX QuantizeLinear would compute it.
QuantizedTensor quantize_weight(const ir::Tensor& weight, int64_t axis);

// int32 bias with zero point 0: scale[c] = input_scale * weight_scales[c] (one weight scale:
// per tensor), element i uses channel (i / inner) % channels of `axis` (-1: per tensor).
// Saturates to the int32 range.
QuantizedTensor quantize_bias(const ir::Tensor& bias, float input_scale,
                              const std::vector<float>& weight_scales, int64_t axis);

}  // namespace tinyexec::quantizer
