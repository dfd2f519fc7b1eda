// SPDX-License-Identifier: Apache-2.0
// Max and Min (ONNX opset-13 semantics): the element-wise maximum / minimum of one or more
// inputs with numpy (multidirectional) broadcasting. float32 and the integer types (not bool);
// a NaN in any input gives NaN, as numpy's maximum / minimum and onnxruntime do.
#include <cmath>
#include <type_traits>

#include "ops/onnx/dtype_dispatch.h"
#include "ops/op_helpers.h"

namespace tinyexec::ops {
namespace {

std::vector<OutputType> infer_min_max(const Node& node) {
  if (node.inputs.empty()) node_error(node, "has no inputs; at least one is required");
  const ir::Value& first = input_value(node, 0);
  if (first.dtype == DType::kBool) {
    node_error(node, "input 0 ('{}') is bool; supported types are f32, i8, u8, i16, i32 and i64",
               first.name);
  }
  Shape shape = first.shape;
  for (size_t i = 1; i < node.inputs.size(); ++i) {
    const ir::Value& input = input_value(node, i);
    if (input.dtype != first.dtype) {
      node_error(node, "input {} ('{}') is {}; every input must have input 0's type {}", i,
                 input.name, ir::dtype_name(input.dtype), ir::dtype_name(first.dtype));
    }
    shape = broadcast_shapes(node, shape, input.shape);
  }
  return {{first.dtype, shape}};
}

// The index into `input` (broadcast to `output`) of each output element, row-major.
std::vector<int64_t> broadcast_indices(const Shape& input, const Shape& output) {
  std::vector<int64_t> steps(output.size(), 0);
  const std::vector<int64_t> own = strides_of(input);
  const size_t offset = output.size() - input.size();
  for (size_t d = 0; d < input.size(); ++d) steps[offset + d] = input[d] == 1 ? 0 : own[d];
  std::vector<int64_t> indices(static_cast<size_t>(ir::shape_numel(output)));
  for (size_t i = 0; i < indices.size(); ++i) {
    int64_t rest = static_cast<int64_t>(i), index = 0;
    for (size_t d = output.size(); d-- > 0;) {
      index += rest % output[d] * steps[d];
      rest /= output[d];
    }
    indices[i] = index;
  }
  return indices;
}

template <bool kMax>
std::vector<Tensor> evaluate_min_max(const Node& node, Inputs inputs) {
  Shape shape = inputs[0]->shape();
  for (size_t i = 1; i < inputs.size(); ++i) {
    shape = broadcast_shapes(node, shape, inputs[i]->shape());
  }
  Tensor result(inputs[0]->dtype(), shape);
  dispatch_dtype(result.dtype(), [&]<typename T>(std::type_identity<T>) {
    if constexpr (std::is_same_v<T, bool>) {
      node_error(node, "bool inputs are not supported");
    } else {
      auto out = result.data<T>();
      for (size_t i = 0; i < inputs.size(); ++i) {
        const auto in = inputs[i]->data<T>();
        const std::vector<int64_t> index = broadcast_indices(inputs[i]->shape(), shape);
        for (size_t k = 0; k < out.size(); ++k) {
          const T value = in[static_cast<size_t>(index[k])];
          if (i == 0) {
            out[k] = value;
            continue;
          }
          if constexpr (std::is_floating_point_v<T>) {
            if (std::isnan(out[k])) continue;
            if (std::isnan(value)) {
              out[k] = value;
              continue;
            }
          }
          if (kMax ? value > out[k] : value < out[k]) out[k] = value;
        }
      }
    }
  });
  return {std::move(result)};
}

const ir::RegisterOp kMax{{"onnx.Max", infer_min_max, evaluate_min_max<true>}};
const ir::RegisterOp kMin{{"onnx.Min", infer_min_max, evaluate_min_max<false>}};

}  // namespace
}  // namespace tinyexec::ops
