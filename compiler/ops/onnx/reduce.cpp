// SPDX-License-Identifier: Apache-2.0
// ReduceMean (ONNX opset-13 semantics), float32: the mean over the axes attribute (absent or
// empty: every axis), keeping reduced axes as size 1 when keepdims = 1 (the default).
#include <algorithm>

#include "ops/op_helpers.h"

namespace tinyexec::ops {
namespace {

// Which axes are reduced, checked: in range, no duplicates.
std::vector<bool> reduced_axes(const Node& node, int64_t rank) {
  const std::vector<int64_t> axes = node.attrs.ints_or("axes", {});
  std::vector<bool> reduced(static_cast<size_t>(rank), axes.empty());
  for (int64_t axis : axes) {
    const size_t a = static_cast<size_t>(normalize_axis(node, axis, rank));
    if (reduced[a]) node_error(node, "attribute 'axes' names axis {} twice", a);
    reduced[a] = true;
  }
  return reduced;
}

bool keep_dims(const Node& node) {
  const int64_t keepdims = node.attrs.int_or("keepdims", 1);
  if (keepdims != 0 && keepdims != 1) {
    node_error(node, "attribute 'keepdims' is {}, expected 0 or 1", keepdims);
  }
  return keepdims == 1;
}

Shape reduced_shape(const Shape& shape, const std::vector<bool>& reduced, bool keepdims) {
  Shape out;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (!reduced[i]) {
      out.push_back(shape[i]);
    } else if (keepdims) {
      out.push_back(1);
    }
  }
  return out;
}

std::vector<OutputType> infer_reduce_mean(const Node& node) {
  expect_inputs(node, 1, 1);
  expect_float(node, 0);
  const ir::Value& x = input_value(node, 0);
  const std::vector<bool> reduced = reduced_axes(node, x.rank());
  return {{DType::kFloat32, reduced_shape(x.shape, reduced, keep_dims(node))}};
}

std::vector<Tensor> evaluate_reduce_mean(const Node& node, Inputs inputs) {
  const Tensor& x = *inputs[0];
  const Shape& shape = x.shape();
  const std::vector<bool> reduced = reduced_axes(node, x.rank());
  // Accumulate into the keepdims-shaped result: each input element adds to the output element
  // whose index equals its own with reduced axes set to 0.
  const Shape kept = reduced_shape(shape, reduced, /*keepdims=*/true);
  const std::vector<int64_t> out_strides = strides_of(kept);
  Tensor sums(DType::kFloat32, kept);
  auto acc = sums.data<float>();
  const auto xs = x.data<float>();
  std::vector<int64_t> index(shape.size(), 0);
  for (int64_t flat = 0; flat < x.numel(); ++flat) {
    int64_t out = 0;
    for (size_t d = 0; d < shape.size(); ++d) {
      if (!reduced[d]) out += index[d] * out_strides[d];
    }
    acc[out] += xs[flat];
    for (size_t d = shape.size(); d-- > 0;) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  const int64_t count = sums.numel() == 0 ? 0 : x.numel() / sums.numel();
  for (float& value : acc) value /= static_cast<float>(count);
  return {sums.reshaped(reduced_shape(shape, reduced, keep_dims(node)))};
}

const ir::RegisterOp kReduceMean{{"onnx.ReduceMean", infer_reduce_mean, evaluate_reduce_mean}};

}  // namespace
}  // namespace tinyexec::ops
