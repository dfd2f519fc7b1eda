// SPDX-License-Identifier: Apache-2.0
#include "quantizer/weights.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tinyexec::quantizer {
namespace {

// Element i -> index of its channel along `axis` (0 for axis -1).
struct ChannelOf {
  int64_t size = 1;
  int64_t inner = 1;
  ChannelOf(const ir::Shape& shape, int64_t axis) {
    if (axis < 0) return;
    if (axis >= static_cast<int64_t>(shape.size())) {
      fail("quantization axis {} is out of range for shape {}", axis, ir::shape_string(shape));
    }
    size = shape[static_cast<size_t>(axis)];
    for (size_t d = static_cast<size_t>(axis) + 1; d < shape.size(); ++d) inner *= shape[d];
  }
  int64_t operator()(int64_t i) const { return (i / inner) % size; }
};

}  // namespace

QuantizedTensor quantize_weight(const ir::Tensor& weight, int64_t axis) {
  const ChannelOf channel_of(weight.shape(), axis);
  const auto w = weight.data<float>();
  std::vector<float> max_abs(static_cast<size_t>(channel_of.size), 0.0f);
  for (int64_t i = 0; i < weight.numel(); ++i) {
    const float v = w[static_cast<size_t>(i)];
    if (!std::isfinite(v)) fail("weight element {} is {}, not finite", i, v);
    float& m = max_abs[static_cast<size_t>(channel_of(i))];
    m = std::max(m, std::fabs(v));
  }
  QuantizedTensor result{ir::Tensor(ir::DType::kInt8, weight.shape()), {}};
  for (float m : max_abs) result.scales.push_back(m > 0.0f ? m / 127.0f : 1.0f);
  auto q = result.values.data<int8_t>();
  for (int64_t i = 0; i < weight.numel(); ++i) {
    const float scale = result.scales[static_cast<size_t>(channel_of(i))];
    const float rounded = std::nearbyint(w[static_cast<size_t>(i)] / scale);
    q[static_cast<size_t>(i)] = static_cast<int8_t>(std::clamp(rounded, -127.0f, 127.0f));
  }
  return result;
}

QuantizedTensor quantize_bias(const ir::Tensor& bias, float input_scale,
                              const std::vector<float>& weight_scales, int64_t axis) {
  const ChannelOf channel_of(bias.shape(), axis);
  if (axis >= 0 && static_cast<int64_t>(weight_scales.size()) != channel_of.size) {
    fail("bias of shape {} has {} channels on axis {}, the weight has {} scales",
         ir::shape_string(bias.shape()), channel_of.size, axis, weight_scales.size());
  }
  QuantizedTensor result{ir::Tensor(ir::DType::kInt32, bias.shape()), {}};
  for (float ws : weight_scales) result.scales.push_back(input_scale * ws);
  const auto b = bias.data<float>();
  auto q = result.values.data<int32_t>();
  constexpr double kLow = std::numeric_limits<int32_t>::lowest();
  constexpr double kHigh = std::numeric_limits<int32_t>::max();
  for (int64_t i = 0; i < bias.numel(); ++i) {
    const float v = b[static_cast<size_t>(i)];
    if (!std::isfinite(v)) fail("bias element {} is {}, not finite", i, v);
    const double scale = result.scales[axis >= 0 ? static_cast<size_t>(channel_of(i)) : 0];
    q[static_cast<size_t>(i)] =
        static_cast<int32_t>(std::clamp(std::nearbyint(v / scale), kLow, kHigh));
  }
  return result;
}

}  // namespace tinyexec::quantizer
