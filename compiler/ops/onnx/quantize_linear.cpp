// SPDX-License-Identifier: Apache-2.0
// QuantizeLinear and DequantizeLinear exactly as ONNX opset 13 defines them:
//   QuantizeLinear:   y = saturate(round_half_to_even(x / y_scale) + y_zero_point)
//   DequantizeLinear: y = (x - x_zero_point) * x_scale
// per tensor (a scalar or one-element scale) or per axis (a 1-D scale with one entry per
// index of `axis`, default 1). The zero point is optional; QuantizeLinear without one
// produces uint8 with zero point 0.
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "ops/onnx/dtype_dispatch.h"
#include "ops/op_helpers.h"

namespace tinyexec::ops {
namespace {

// Checks the scale (input 1) and zero point (input 2) against x (input 0); returns the
// normalised axis for per-axis parameters and -1 for per-tensor ones.
int64_t check_parameters(const Node& node) {
  const ir::Value& x = input_value(node, 0);
  const ir::Value& scale = input_value(node, 1);
  if (scale.dtype != DType::kFloat32) {
    node_error(node, "input 1 (scale '{}') is {}, it must be f32", scale.name,
               ir::dtype_name(scale.dtype));
  }
  int64_t axis = -1;
  if (scale.numel() != 1 || scale.rank() > 1) {
    if (scale.rank() != 1) {
      node_error(node, "input 1 (scale '{}') must be a scalar or 1-D, has shape {}", scale.name,
                 ir::shape_string(scale.shape));
    }
    axis = normalize_axis(node, node.attrs.int_or("axis", 1), x.rank());
    if (scale.shape[0] != x.shape[axis]) {
      node_error(node,
                 "input 1 (scale '{}') has {} entries but dimension {} (attribute 'axis') of the "
                 "input {} is {}",
                 scale.name, scale.shape[0], axis, ir::shape_string(x.shape), x.shape[axis]);
    }
  }
  if (const ir::Value* zero_point = node.input(2)) {
    // Same entries as the scale (a scalar and a one-element 1-D tensor count as equal).
    if (zero_point->numel() != scale.numel() || zero_point->rank() > 1) {
      node_error(node, "input 2 (zero point '{}') has shape {}, the scale has {}", zero_point->name,
                 ir::shape_string(zero_point->shape), ir::shape_string(scale.shape));
    }
  }
  if (scale.is_constant()) {
    for (int64_t i = 0; i < scale.numel(); ++i) {
      const double value = scale.constant->as_double(i);
      if (!std::isfinite(value) || value == 0.0) {
        node_error(node, "input 1 (scale '{}') has the invalid value {}", scale.name, value);
      }
    }
  }
  return axis;
}

// For element i of x, the index of its scale and zero point.
struct ChannelOf {
  int64_t size = 1;   // dimension `axis` of x (1 per tensor)
  int64_t inner = 1;  // elements after that dimension

  ChannelOf(const Shape& shape, int64_t axis) {
    if (axis < 0) return;
    size = shape[axis];
    for (size_t d = static_cast<size_t>(axis) + 1; d < shape.size(); ++d) inner *= shape[d];
  }
  int64_t operator()(int64_t i) const { return size == 1 ? 0 : (i / inner) % size; }
};

// The normalised axis for evaluate (whose node was verified by check_parameters).
int64_t parameter_axis(const Node& node, const Tensor& x, const Tensor& scale) {
  if (scale.numel() == 1 && scale.rank() <= 1) return -1;
  return normalize_axis(node, node.attrs.int_or("axis", 1), x.rank());
}

float scale_at(const Node& node, const Tensor& scale, int64_t channel) {
  const float value = scale.data<float>()[channel];
  if (!std::isfinite(value) || value == 0.0f) {
    node_error(node, "the scale has the invalid value {}", value);
  }
  return value;
}

// --- QuantizeLinear.

std::vector<OutputType> infer_quantize(const Node& node) {
  expect_inputs(node, 2, 3);
  const ir::Value& x = input_value(node, 0);
  if (x.dtype != DType::kFloat32) {
    node_error(node, "input 0 ('{}') is {}; QuantizeLinear supports f32 input", x.name,
               ir::dtype_name(x.dtype));
  }
  check_parameters(node);
  DType output = DType::kUInt8;
  if (const ir::Value* zero_point = node.input(2)) {
    if (zero_point->dtype != DType::kInt8 && zero_point->dtype != DType::kUInt8) {
      node_error(node, "input 2 (zero point '{}') is {}; supported: i8, u8", zero_point->name,
                 ir::dtype_name(zero_point->dtype));
    }
    output = zero_point->dtype;
  }
  return {{output, x.shape}};
}

template <typename Q>
void quantize(const Node& node, const Tensor& x, const Tensor& scale, const Tensor* zero_point,
              Tensor& result) {
  const ChannelOf channel_of(x.shape(), parameter_axis(node, x, scale));
  const auto in = x.data<float>();
  auto out = result.data<Q>();
  constexpr double kLow = std::numeric_limits<Q>::lowest();
  constexpr double kHigh = std::numeric_limits<Q>::max();
  for (size_t i = 0; i < in.size(); ++i) {
    const int64_t channel = channel_of(static_cast<int64_t>(i));
    const double zero = zero_point != nullptr ? zero_point->as_int(channel) : 0;
    // Divide (not multiply by a reciprocal) in float32 as ONNX does; nearbyint rounds half to
    // even in the default rounding mode. NaN has no defined result in ONNX: it maps to the
    // zero point (real 0).
    const float rounded = std::nearbyint(in[i] / scale_at(node, scale, channel));
    const double value = std::isnan(rounded) ? zero : static_cast<double>(rounded) + zero;
    out[i] = static_cast<Q>(std::clamp(value, kLow, kHigh));
  }
}

std::vector<Tensor> evaluate_quantize(const Node& node, Inputs inputs) {
  const Tensor& x = *inputs[0];
  const Tensor& scale = *inputs[1];
  const Tensor* zero_point = inputs.size() > 2 ? inputs[2] : nullptr;
  Tensor result(zero_point != nullptr ? zero_point->dtype() : DType::kUInt8, x.shape());
  if (result.dtype() == DType::kInt8) {
    quantize<int8_t>(node, x, scale, zero_point, result);
  } else {
    quantize<uint8_t>(node, x, scale, zero_point, result);
  }
  return {std::move(result)};
}

// --- DequantizeLinear.

std::vector<OutputType> infer_dequantize(const Node& node) {
  expect_inputs(node, 2, 3);
  const ir::Value& x = input_value(node, 0);
  if (x.dtype != DType::kInt8 && x.dtype != DType::kUInt8 && x.dtype != DType::kInt32) {
    node_error(node, "input 0 ('{}') is {}; DequantizeLinear supports i8, u8 and i32", x.name,
               ir::dtype_name(x.dtype));
  }
  check_parameters(node);
  if (const ir::Value* zero_point = node.input(2)) {
    if (zero_point->dtype != x.dtype) {
      node_error(node, "input 2 (zero point '{}') is {}, it must have the input's type {}",
                 zero_point->name, ir::dtype_name(zero_point->dtype), ir::dtype_name(x.dtype));
    }
    // ONNX: int32 input (biases) is symmetric, its zero point must be 0.
    if (x.dtype == DType::kInt32 && zero_point->is_constant()) {
      for (int64_t value : zero_point->constant->to_int_vector()) {
        if (value != 0) node_error(node, "an i32 input needs zero point 0, has {}", value);
      }
    }
  }
  return {{DType::kFloat32, x.shape}};
}

std::vector<Tensor> evaluate_dequantize(const Node& node, Inputs inputs) {
  const Tensor& x = *inputs[0];
  const Tensor& scale = *inputs[1];
  const Tensor* zero_point = inputs.size() > 2 ? inputs[2] : nullptr;
  const ChannelOf channel_of(x.shape(), parameter_axis(node, x, scale));
  Tensor result(DType::kFloat32, x.shape());
  auto out = result.data<float>();
  for (int64_t i = 0; i < x.numel(); ++i) {
    const int64_t channel = channel_of(i);
    const int64_t zero = zero_point != nullptr ? zero_point->as_int(channel) : 0;
    if (x.dtype() == DType::kInt32 && zero != 0) {
      node_error(node, "an i32 input needs zero point 0, has {}", zero);
    }
    // The difference is exact in int64; one rounding to float, then one float32 multiply.
    out[i] = static_cast<float>(x.as_int(i) - zero) * scale_at(node, scale, channel);
  }
  return {std::move(result)};
}

const ir::RegisterOp kQuantizeLinear{
    {"onnx.QuantizeLinear", infer_quantize, evaluate_quantize}};
const ir::RegisterOp kDequantizeLinear{
    {"onnx.DequantizeLinear", infer_dequantize, evaluate_dequantize}};

}  // namespace
}  // namespace tinyexec::ops
