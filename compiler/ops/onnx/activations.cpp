// SPDX-License-Identifier: Apache-2.0
// Element-wise activations (ONNX semantics): Relu.
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

const ir::RegisterOp kRelu{{"onnx.Relu", infer_float_unary, evaluate_relu}};

}  // namespace
}  // namespace tinyexec::ops
