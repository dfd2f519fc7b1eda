// SPDX-License-Identifier: Apache-2.0
// The GELU family, float32: Erf (ONNX opset-13 semantics), which PyTorch exports nn.GELU()
// with at opsets <= 17, and Gelu (opset-20 semantics), which the fuse_gelu pass
// (passes/fuse_gelu.h) makes of the exported Div -> Erf -> Add -> Mul -> Mul pattern so that the
// lowering sees one op (a cortex_m.lut).
//
// Gelu: y = 0.5 * x * (1 + erf(x / sqrt(2))) with approximate = "none" (the default);
// y = 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3))) with approximate = "tanh".
// Erf in ONNX also takes integer and double tensors; exporters only give it float32.
#include <cmath>
#include <numbers>
#include <string>

#include "ops/op_helpers.h"

namespace tinyexec::ops {
namespace {

std::vector<OutputType> infer_erf(const Node& node) {
  expect_inputs(node, 1, 1);
  expect_float(node, 0);
  return infer_same_as_input(node);
}

std::vector<Tensor> evaluate_erf(const Node& node, Inputs inputs) {
  return map_float(node, inputs, [](float x) { return std::erf(x); });
}

std::string approximation(const Node& node) {
  const std::string value = node.attrs.string_or("approximate", "none");
  if (value != "none" && value != "tanh") {
    node_error(node, "attribute 'approximate' is '{}'; supported: 'none', 'tanh'", value);
  }
  return value;
}

std::vector<OutputType> infer_gelu(const Node& node) {
  expect_inputs(node, 1, 1);
  expect_float(node, 0);
  approximation(node);
  return infer_same_as_input(node);
}

std::vector<Tensor> evaluate_gelu(const Node& node, Inputs inputs) {
  if (approximation(node) == "tanh") {
    const double beta = std::sqrt(2.0 / std::numbers::pi);
    return map_float(node, inputs, [beta](float x) {
      const double v = x;
      return static_cast<float>(0.5 * v * (1.0 + std::tanh(beta * (v + 0.044715 * v * v * v))));
    });
  }
  return map_float(node, inputs, [](float x) {
    const double v = x;
    return static_cast<float>(0.5 * v * (1.0 + std::erf(v / std::numbers::sqrt2)));
  });
}

const ir::RegisterOp kErf{{"onnx.Erf", infer_erf, evaluate_erf}};
const ir::RegisterOp kGelu{{"onnx.Gelu", infer_gelu, evaluate_gelu}};

}  // namespace
}  // namespace tinyexec::ops
