// SPDX-License-Identifier: Apache-2.0
// Softmax (ONNX opset-13 semantics), float32: exp(x - max) / sum(exp(x - max)) along one axis
// (attribute axis, default -1). Subtracting the maximum keeps exp from overflowing for large
// inputs without changing the result.
#include <algorithm>
#include <cmath>

#include "ops/op_helpers.h"

namespace tinyexec::ops {
namespace {

std::vector<OutputType> infer_softmax(const Node& node) {
  expect_inputs(node, 1, 1);
  expect_float(node, 0);
  const ir::Value& x = input_value(node, 0);
  if (x.rank() == 0) node_error(node, "input '{}' is a scalar; Softmax needs an axis", x.name);
  normalize_axis(node, node.attrs.int_or("axis", -1), x.rank());
  return {{DType::kFloat32, x.shape}};
}

std::vector<Tensor> evaluate_softmax(const Node& node, Inputs inputs) {
  const Tensor& x = *inputs[0];
  const Shape& shape = x.shape();
  const size_t axis =
      static_cast<size_t>(normalize_axis(node, node.attrs.int_or("axis", -1), x.rank()));
  // View X as [outer, length, inner] with the softmax axis in the middle.
  const int64_t length = shape[axis];
  const int64_t inner = ir::shape_numel(Shape(shape.begin() + axis + 1, shape.end()));
  const int64_t outer = length * inner == 0 ? 0 : x.numel() / (length * inner);
  Tensor y(DType::kFloat32, shape);
  const auto xs = x.data<float>();
  auto ys = y.data<float>();
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      const int64_t base = o * length * inner + i;
      float max = xs[base];
      for (int64_t k = 1; k < length; ++k) max = std::max(max, xs[base + k * inner]);
      float sum = 0.0f;
      for (int64_t k = 0; k < length; ++k) {
        const float e = std::exp(xs[base + k * inner] - max);
        ys[base + k * inner] = e;
        sum += e;
      }
      for (int64_t k = 0; k < length; ++k) ys[base + k * inner] /= sum;
    }
  }
  return {std::move(y)};
}

const ir::RegisterOp kSoftmax{{"onnx.Softmax", infer_softmax, evaluate_softmax}};

}  // namespace
}  // namespace tinyexec::ops
