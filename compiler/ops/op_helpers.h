// SPDX-License-Identifier: Apache-2.0
// Small helpers shared by the op files: argument checks that name the node, and the shape
// rules several ops share.
#pragma once

#include <cmath>
#include <span>
#include <vector>

#include "ir/op_registry.h"

namespace tinyexec::ops {

using ir::DType;
using ir::Node;
using ir::OutputType;
using ir::Shape;
using ir::Tensor;
using Inputs = std::span<const Tensor* const>;

// Throws "<node>: <message>" as a CompileError.
template <typename... Args>
[[noreturn]] void node_error(const Node& node, fmt::format_string<Args...> format,
                             Args&&... args) {
  fail("{}: {}", node.describe(), fmt::format(format, std::forward<Args>(args)...));
}

// Checks min <= number of inputs <= max (omitted trailing optionals count as absent).
void expect_inputs(const Node& node, size_t min, size_t max);
// The input's value (typed), throwing if absent.
const ir::Value& input_value(const Node& node, size_t index);
// The input must be present and a float tensor.
void expect_float(const Node& node, size_t index);
// Normalises a possibly negative axis against rank, throwing if out of range.
int64_t normalize_axis(const Node& node, int64_t axis, int64_t rank);
// Numpy-style broadcast of two shapes, throwing if incompatible.
Shape broadcast_shapes(const Node& node, const Shape& a, const Shape& b);
// Row-major strides of a shape.
std::vector<int64_t> strides_of(const Shape& shape);

// Shape rule: one output with the type of input 0.
std::vector<OutputType> infer_same_as_input(const Node& node);

// Reference implementation of an element-wise float function on input 0.
template <typename F>
std::vector<Tensor> map_float(const Node& node, Inputs inputs, F function) {
  if (inputs.empty() || inputs[0] == nullptr) node_error(node, "input 0 is missing");
  Tensor result(DType::kFloat32, inputs[0]->shape());
  const auto in = inputs[0]->data<float>();
  auto out = result.data<float>();
  for (size_t i = 0; i < in.size(); ++i) out[i] = function(in[i]);
  return {std::move(result)};
}

}  // namespace tinyexec::ops
