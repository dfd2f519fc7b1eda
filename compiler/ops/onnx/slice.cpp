// SPDX-License-Identifier: Apache-2.0
// Slice (opset 13; the same inputs since opset 10): data, starts, ends, optional axes and steps,
// which must be constants (shapes are static). Any dtype; negative steps walk backwards, as
// PyTorch's exports of F.pad and flips use them. Usually folded away at import.
#include <algorithm>
#include <cstring>
#include <optional>

#include "ops/op_helpers.h"

namespace tinyexec::ops {
namespace {

// The values of a constant i32/i64 input.
std::vector<int64_t> constant_values(const Node& node, size_t index, const char* what) {
  const ir::Value& value = input_value(node, index);
  if (!value.is_constant()) {
    node_error(node, "input '{}' ({}) must be a constant: shapes are static", value.name, what);
  }
  if (value.dtype != DType::kInt32 && value.dtype != DType::kInt64) {
    node_error(node, "input '{}' ({}) is {}, expected i32 or i64", value.name, what,
               ir::dtype_name(value.dtype));
  }
  return value.constant->to_int_vector();
}

// Per input axis: the first index, the step and the number of elements taken.
struct AxisSlice {
  int64_t start = 0;
  int64_t step = 1;
  int64_t count = 0;
};

std::vector<AxisSlice> slice_plan(const Node& node, const Shape& shape,
                                  const std::vector<int64_t>& starts,
                                  const std::vector<int64_t>& ends,
                                  std::optional<std::vector<int64_t>> axes,
                                  std::optional<std::vector<int64_t>> steps) {
  const int64_t rank = static_cast<int64_t>(shape.size());
  const size_t n = starts.size();
  if (ends.size() != n || (axes && axes->size() != n) || (steps && steps->size() != n)) {
    node_error(node, "starts, ends, axes and steps must have the same length ({} starts)", n);
  }
  std::vector<AxisSlice> plan(shape.size());
  for (int64_t d = 0; d < rank; ++d) plan[d] = {0, 1, shape[d]};
  std::vector<bool> seen(shape.size(), false);
  for (size_t i = 0; i < n; ++i) {
    const int64_t axis = normalize_axis(node, axes ? (*axes)[i] : static_cast<int64_t>(i), rank);
    if (seen[axis]) node_error(node, "axis {} is sliced twice", axis);
    seen[axis] = true;
    const int64_t dim = shape[axis];
    const int64_t step = steps ? (*steps)[i] : 1;
    if (step == 0) node_error(node, "steps[{}] is 0", i);
    // ONNX: negative start/end count from the end, then clamp ([0, dim] forwards,
    // [-1, dim - 1] backwards).
    auto adjust = [&](int64_t v, int64_t lo, int64_t hi) {
      if (v < 0) v += dim;  // v >= INT64_MIN, dim > 0: no overflow
      return std::clamp(v, lo, hi);
    };
    int64_t start, end;
    if (step > 0) {
      start = adjust(starts[i], 0, dim);
      end = adjust(ends[i], 0, dim);
    } else {
      start = adjust(starts[i], -1, dim - 1);
      end = adjust(ends[i], -1, dim - 1);
    }
    const int64_t count =
        step > 0 ? std::max<int64_t>(0, (end - start + step - 1) / step)
                 : std::max<int64_t>(0, (start - end + (-step) - 1) / (-step));
    if (count == 0) node_error(node, "the slice of axis {} is empty (tensors have no empty dims)", axis);
    plan[axis] = {start, step, count};
  }
  return plan;
}

std::vector<AxisSlice> plan_from_node(const Node& node, const Shape& shape) {
  expect_inputs(node, 3, 5);
  std::optional<std::vector<int64_t>> axes, steps;
  if (node.input(3) != nullptr) axes = constant_values(node, 3, "axes");
  if (node.inputs.size() > 4 && node.input(4) != nullptr) steps = constant_values(node, 4, "steps");
  return slice_plan(node, shape, constant_values(node, 1, "starts"),
                    constant_values(node, 2, "ends"), axes, steps);
}

std::vector<OutputType> infer_slice(const Node& node) {
  const ir::Value& data = input_value(node, 0);
  Shape output;
  for (const AxisSlice& axis : plan_from_node(node, data.shape)) output.push_back(axis.count);
  return {{data.dtype, output}};
}

std::vector<Tensor> evaluate_slice(const Node& node, Inputs inputs) {
  const Tensor& x = *inputs[0];
  const std::vector<AxisSlice> plan = plan_from_node(node, x.shape());
  Shape output;
  for (const AxisSlice& axis : plan) output.push_back(axis.count);
  Tensor result(x.dtype(), output);
  const size_t element = ir::dtype_size(x.dtype());
  const std::vector<int64_t> strides = strides_of(x.shape());
  const int64_t total = result.numel();
  const auto in = x.bytes();
  auto out = result.mutable_bytes();
  std::vector<int64_t> index(plan.size(), 0);
  for (int64_t o = 0; o < total; ++o) {
    int64_t source = 0;
    for (size_t d = 0; d < plan.size(); ++d) {
      source += (plan[d].start + index[d] * plan[d].step) * strides[d];
    }
    std::memcpy(out.data() + o * element, in.data() + source * element, element);
    for (size_t d = plan.size(); d-- > 0;) {  // next output index, row-major
      if (++index[d] < plan[d].count) break;
      index[d] = 0;
    }
  }
  return {std::move(result)};
}

const ir::RegisterOp kSlice{{"onnx.Slice", infer_slice, evaluate_slice}};

}  // namespace
}  // namespace tinyexec::ops
