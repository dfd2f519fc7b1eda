// SPDX-License-Identifier: Apache-2.0
#include "ops/op_helpers.h"

namespace tinyexec::ops {

void expect_inputs(const Node& node, size_t min, size_t max) {
  size_t count = node.inputs.size();
  while (count > 0 && node.inputs[count - 1] == nullptr) --count;
  if (count < min || count > max) {
    if (min == max) node_error(node, "expects {} inputs, has {}", min, count);
    node_error(node, "expects {} to {} inputs, has {}", min, max, count);
  }
  for (size_t i = 0; i < min; ++i) {
    if (node.inputs[i] == nullptr) node_error(node, "required input {} is missing", i);
  }
}

const ir::Value& input_value(const Node& node, size_t index) {
  const ir::Value* value = node.input(index);
  if (value == nullptr) node_error(node, "input {} is missing", index);
  return *value;
}

void expect_float(const Node& node, size_t index) {
  const ir::Value& value = input_value(node, index);
  if (value.dtype != DType::kFloat32) {
    node_error(node, "input {} ('{}') is {}, only f32 is supported", index, value.name,
               ir::dtype_name(value.dtype));
  }
}

int64_t normalize_axis(const Node& node, int64_t axis, int64_t rank) {
  const int64_t normalized = axis < 0 ? axis + rank : axis;
  if (normalized < 0 || normalized >= rank) {
    node_error(node, "axis {} is out of range for rank {}", axis, rank);
  }
  return normalized;
}

Shape broadcast_shapes(const Node& node, const Shape& a, const Shape& b) {
  const size_t rank = std::max(a.size(), b.size());
  Shape result(rank);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1) {
      node_error(node, "shapes {} and {} do not broadcast", ir::shape_string(a),
                 ir::shape_string(b));
    }
    result[i] = da == 1 ? db : da;
  }
  return result;
}

std::vector<int64_t> strides_of(const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) strides[i - 1] = strides[i] * shape[i];
  return strides;
}

std::vector<OutputType> infer_same_as_input(const Node& node) {
  const ir::Value& input = input_value(node, 0);
  return {{input.dtype, input.shape}};
}

}  // namespace tinyexec::ops
