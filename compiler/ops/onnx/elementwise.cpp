// SPDX-License-Identifier: Apache-2.0
// Element-wise binary arithmetic with numpy broadcasting (ONNX opset-13/14 semantics): Add,
// Sub, Mul, Div. float32 for the network's math; the integer types for the shape arithmetic
// exporters emit (PyTorch divides and multiplies int64 shape values). Integers wrap around
// (two's complement, like numpy and onnxruntime); integer Div truncates toward zero like
// ONNX's C++ implementation, and dividing by zero is an error rather than undefined behaviour.
#include <cstdint>
#include <limits>
#include <type_traits>

#include "ops/onnx/dtype_dispatch.h"
#include "ops/op_helpers.h"

namespace tinyexec::ops {
namespace {

enum class Arith { kAdd, kSub, kMul, kDiv };

std::vector<OutputType> infer_binary(const Node& node) {
  expect_inputs(node, 2, 2);
  const ir::Value& a = input_value(node, 0);
  const ir::Value& b = input_value(node, 1);
  if (a.dtype != b.dtype) {
    node_error(node, "inputs '{}' ({}) and '{}' ({}) must have the same type", a.name,
               ir::dtype_name(a.dtype), b.name, ir::dtype_name(b.dtype));
  }
  if (a.dtype == DType::kBool) {
    node_error(node, "input '{}' is bool; supported types are f32, i8, u8, i16, i32 and i64",
               a.name);
  }
  return {{a.dtype, broadcast_shapes(node, a.shape, b.shape)}};
}

template <typename T>
T apply(const Node& node, Arith op, T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case Arith::kAdd: return a + b;
      case Arith::kSub: return a - b;
      case Arith::kMul: return a * b;
      case Arith::kDiv: return a / b;  // IEEE: x/0 is +-inf or NaN, as in ONNX
    }
  } else {
    // Wrap-around arithmetic done in uint64_t (defined for every width), then narrowed
    // (modular since C++20).
    const uint64_t ua = static_cast<uint64_t>(a);
    const uint64_t ub = static_cast<uint64_t>(b);
    switch (op) {
      case Arith::kAdd: return static_cast<T>(ua + ub);
      case Arith::kSub: return static_cast<T>(ua - ub);
      case Arith::kMul: return static_cast<T>(ua * ub);
      case Arith::kDiv:
        if (b == 0) node_error(node, "integer division by zero");
        if constexpr (std::is_signed_v<T>) {
          // The one overflowing quotient: wraps to itself, as in two's complement hardware.
          if (a == std::numeric_limits<T>::min() && b == -1) return a;
        }
        return static_cast<T>(a / b);  // C++ division truncates toward zero
    }
  }
  return T{};
}

// Per output dimension, the step in an input broadcast to the output shape: 0 where the input
// has size 1 (or lacks the dimension), its row-major stride otherwise.
std::vector<int64_t> broadcast_strides(const Shape& input, const Shape& output) {
  std::vector<int64_t> strides(output.size(), 0);
  const std::vector<int64_t> own = strides_of(input);
  const size_t offset = output.size() - input.size();
  for (size_t i = 0; i < input.size(); ++i) strides[offset + i] = input[i] == 1 ? 0 : own[i];
  return strides;
}

template <typename T>
void compute(const Node& node, Arith op, const Tensor& a, const Tensor& b, Tensor& result) {
  const Shape& shape = result.shape();
  const std::vector<int64_t> stride_a = broadcast_strides(a.shape(), shape);
  const std::vector<int64_t> stride_b = broadcast_strides(b.shape(), shape);
  const auto in_a = a.data<T>();
  const auto in_b = b.data<T>();
  auto out = result.data<T>();
  for (int64_t i = 0; i < result.numel(); ++i) {
    // Decompose the output index into coordinates (last dimension fastest).
    int64_t rest = i;
    int64_t index_a = 0;
    int64_t index_b = 0;
    for (size_t d = shape.size(); d-- > 0;) {
      const int64_t coordinate = rest % shape[d];
      rest /= shape[d];
      index_a += coordinate * stride_a[d];
      index_b += coordinate * stride_b[d];
    }
    out[i] = apply<T>(node, op, in_a[index_a], in_b[index_b]);
  }
}

std::vector<Tensor> evaluate_binary(const Node& node, Inputs inputs, Arith op) {
  const Tensor& a = *inputs[0];
  const Tensor& b = *inputs[1];
  Tensor result(a.dtype(), broadcast_shapes(node, a.shape(), b.shape()));
  dispatch_dtype(a.dtype(), [&]<typename T>(std::type_identity<T>) {
    if constexpr (std::is_same_v<T, bool>) {
      node_error(node, "bool arithmetic is not supported");
    } else {
      compute<T>(node, op, a, b, result);
    }
  });
  return {std::move(result)};
}

std::vector<Tensor> evaluate_add(const Node& node, Inputs inputs) {
  return evaluate_binary(node, inputs, Arith::kAdd);
}
std::vector<Tensor> evaluate_sub(const Node& node, Inputs inputs) {
  return evaluate_binary(node, inputs, Arith::kSub);
}
std::vector<Tensor> evaluate_mul(const Node& node, Inputs inputs) {
  return evaluate_binary(node, inputs, Arith::kMul);
}
std::vector<Tensor> evaluate_div(const Node& node, Inputs inputs) {
  return evaluate_binary(node, inputs, Arith::kDiv);
}

const ir::RegisterOp kAdd{{"onnx.Add", infer_binary, evaluate_add}};
const ir::RegisterOp kSub{{"onnx.Sub", infer_binary, evaluate_sub}};
const ir::RegisterOp kMul{{"onnx.Mul", infer_binary, evaluate_mul}};
const ir::RegisterOp kDiv{{"onnx.Div", infer_binary, evaluate_div}};

}  // namespace
}  // namespace tinyexec::ops
