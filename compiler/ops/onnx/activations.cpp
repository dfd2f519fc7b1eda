// SPDX-License-Identifier: Apache-2.0
// Element-wise activations (ONNX opset-13 semantics): Relu, Clip, LeakyRelu, Sigmoid, Tanh,
// HardSigmoid, HardSwish. All float32 except Clip, which also clips integer tensors (ONNX
// allows it and exporters clip int8 values).
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "ops/onnx/dtype_dispatch.h"
#include "ops/op_helpers.h"

namespace tinyexec::ops {
namespace {

std::vector<OutputType> infer_float_unary(const Node& node) {
  expect_inputs(node, 1, 1);
  expect_float(node, 0);
  return infer_same_as_input(node);
}

std::vector<Tensor> evaluate_relu(const Node& node, Inputs inputs) {
  return map_float(node, inputs, [](float x) { return x > 0.0f ? x : 0.0f; });
}

// --- Clip: y = min(max(x, min), max); min and max are optional scalar inputs.

// Absent bounds: -inf/+inf for float (ONNX's defaults), the type's limits for integers.
template <typename T>
T lowest_value() {
  if constexpr (std::is_floating_point_v<T>) return -std::numeric_limits<T>::infinity();
  return std::numeric_limits<T>::lowest();
}
template <typename T>
T highest_value() {
  if constexpr (std::is_floating_point_v<T>) return std::numeric_limits<T>::infinity();
  return std::numeric_limits<T>::max();
}

std::vector<OutputType> infer_clip(const Node& node) {
  expect_inputs(node, 1, 3);
  const ir::Value& x = input_value(node, 0);
  if (x.dtype == DType::kBool) {
    node_error(node, "input 0 ('{}') is {}; Clip supports f32, i8, u8, i16, i32 and i64", x.name,
               ir::dtype_name(x.dtype));
  }
  for (size_t index : {size_t{1}, size_t{2}}) {
    const ir::Value* bound = node.input(index);
    if (bound == nullptr) continue;
    const char* which = index == 1 ? "min" : "max";
    if (bound->dtype != x.dtype) {
      node_error(node, "input {} ({} '{}') is {}, it must have the input's type {}", index, which,
                 bound->name, ir::dtype_name(bound->dtype), ir::dtype_name(x.dtype));
    }
    // ONNX requires a scalar; a one-element tensor is accepted as the same thing.
    if (bound->numel() != 1) {
      node_error(node, "input {} ({} '{}') must be a scalar, has shape {}", index, which,
                 bound->name, ir::shape_string(bound->shape));
    }
  }
  return {{x.dtype, x.shape}};
}

std::vector<Tensor> evaluate_clip(const Node& node, Inputs inputs) {
  const Tensor& x = *inputs[0];
  const Tensor* low = inputs.size() > 1 ? inputs[1] : nullptr;
  const Tensor* high = inputs.size() > 2 ? inputs[2] : nullptr;
  Tensor result(x.dtype(), x.shape());
  dispatch_dtype(x.dtype(), [&]<typename T>(std::type_identity<T>) {
    if constexpr (std::is_same_v<T, bool>) {
      node_error(node, "Clip does not support bool");
    } else {
      const T lo = low != nullptr ? low->data<T>()[0] : lowest_value<T>();
      const T hi = high != nullptr ? high->data<T>()[0] : highest_value<T>();
      const auto in = x.data<T>();
      auto out = result.data<T>();
      for (size_t i = 0; i < in.size(); ++i) {
        T value = in[i];  // NaN compares false both ways and passes through, like np.clip
        if (value < lo) value = lo;
        if (value > hi) value = hi;
        out[i] = value;
      }
    }
  });
  return {std::move(result)};
}

// --- Float activations with optional float attributes.

std::vector<Tensor> evaluate_leaky_relu(const Node& node, Inputs inputs) {
  const float alpha = node.attrs.float_or("alpha", 0.01f);
  return map_float(node, inputs, [alpha](float x) { return x < 0.0f ? alpha * x : x; });
}

std::vector<Tensor> evaluate_sigmoid(const Node& node, Inputs inputs) {
  // exp overflows to inf for very negative x, which gives the right limit 0.
  return map_float(node, inputs, [](float x) { return 1.0f / (1.0f + std::exp(-x)); });
}

std::vector<Tensor> evaluate_tanh(const Node& node, Inputs inputs) {
  return map_float(node, inputs, [](float x) { return std::tanh(x); });
}

float hard_sigmoid(float x, float alpha, float beta) {
  float y = alpha * x + beta;
  if (y < 0.0f) y = 0.0f;  // compared this way NaN passes through, as np.clip
  if (y > 1.0f) y = 1.0f;
  return y;
}

std::vector<Tensor> evaluate_hard_sigmoid(const Node& node, Inputs inputs) {
  const float alpha = node.attrs.float_or("alpha", 0.2f);
  const float beta = node.attrs.float_or("beta", 0.5f);
  return map_float(node, inputs, [=](float x) { return hard_sigmoid(x, alpha, beta); });
}

std::vector<Tensor> evaluate_hard_swish(const Node& node, Inputs inputs) {
  // ONNX defines HardSwish as x * HardSigmoid(x) with alpha = 1/6, beta = 0.5.
  return map_float(node, inputs, [](float x) { return x * hard_sigmoid(x, 1.0f / 6.0f, 0.5f); });
}

const ir::RegisterOp kRelu{
    {"onnx.Relu", infer_float_unary, evaluate_relu}};
const ir::RegisterOp kClip{{"onnx.Clip", infer_clip, evaluate_clip}};
const ir::RegisterOp kLeakyRelu{
    {"onnx.LeakyRelu", infer_float_unary, evaluate_leaky_relu}};
const ir::RegisterOp kSigmoid{
    {"onnx.Sigmoid", infer_float_unary, evaluate_sigmoid}};
const ir::RegisterOp kTanh{
    {"onnx.Tanh", infer_float_unary, evaluate_tanh}};
const ir::RegisterOp kHardSigmoid{
    {"onnx.HardSigmoid", infer_float_unary, evaluate_hard_sigmoid}};
const ir::RegisterOp kHardSwish{
    {"onnx.HardSwish", infer_float_unary, evaluate_hard_swish}};

}  // namespace
}  // namespace tinyexec::ops
