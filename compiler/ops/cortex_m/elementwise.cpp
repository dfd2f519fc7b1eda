// SPDX-License-Identifier: Apache-2.0
// cortex_m.quantized_add, cortex_m.quantized_mul, cortex_m.maximum and cortex_m.minimum
// (docs/dialect.md): int8 broadcasting binary ops run with add_s8, mul_s8, maximum_s8 and
// minimum_s8.
//
// Attribute choices where docs/dialect.md leaves room:
// - Inputs broadcast numpy-style (rank <= 4 each); the output has the broadcast shape.
// - add (params): left_shift in [0, 22], input1_multiplier / input1_shift,
//   input2_multiplier / input2_shift, output_multiplier / output_shift (single integers).
//   mul (params): output_multiplier / output_shift.
// - maximum / minimum: both inputs and the output share one quantization (checked), no params.
#include "tinyexec/kernels/elementwise.h"

#include "ops/cortex_m/cortex_m_helpers.h"

namespace tinyexec::ops::cortex_m {
namespace {

enum class Binary { kAdd, kMul, kMaximum, kMinimum };

void check_multiplier_pair(const Node& node, const std::string& prefix) {
  check_param_int(node, prefix + "_multiplier", 0, kMultiplierMax);
  check_param_int(node, prefix + "_shift", kShiftMin, kShiftMax);
}

kernels::PerTensorQuant require_multiplier_pair(const Node& node, const std::string& prefix) {
  return {require_param_int(node, prefix + "_multiplier", 0, kMultiplierMax),
          require_param_int(node, prefix + "_shift", kShiftMin, kShiftMax)};
}

Shape binary_shape(const Node& node, Binary kind) {
  expect_inputs(node, 2, 2);
  expect_dtype(node, 0, DType::kInt8);
  expect_dtype(node, 1, DType::kInt8);
  expect_rank(node, 0, 0, 4);
  expect_rank(node, 1, 0, 4);
  input_quant(node, 0);
  input_quant(node, 1);
  output_quant(node);
  const Shape out = broadcast_shapes(node, input_value(node, 0).shape, input_value(node, 1).shape);
  switch (kind) {
    case Binary::kAdd:
      activation_of(node);
      check_param_int(node, "left_shift", 0, 22);
      check_multiplier_pair(node, "input1");
      check_multiplier_pair(node, "input2");
      check_multiplier_pair(node, "output");
      break;
    case Binary::kMul:
      activation_of(node);
      check_multiplier_pair(node, "output");
      break;
    case Binary::kMaximum:
    case Binary::kMinimum:
      expect_same_quant(node, 0, 1);
      expect_output_quant_of_input(node, 0);
      break;
  }
  return out;
}

template <Binary kKind>
std::vector<OutputType> infer_binary(const Node& node) {
  return {{DType::kInt8, binary_shape(node, kKind)}};
}

template <Binary kKind>
std::vector<Tensor> evaluate_binary(const Node& node, Inputs inputs) {
  const Shape out = binary_shape(node, kKind);
  const Tensor& a = *inputs[0];
  const Tensor& b = *inputs[1];
  const kernels::Dims4 a_dims = dims4(node, a.shape());
  const kernels::Dims4 b_dims = dims4(node, b.shape());
  const kernels::Dims4 out_dims = dims4(node, out);
  Tensor result(DType::kInt8, out);
  const auto a_span = span_of<int8_t>(a);
  const auto b_span = span_of<int8_t>(b);
  const auto out_span = mutable_span_of<int8_t>(result);
  if constexpr (kKind == Binary::kAdd) {
    kernels::AddParams params{};
    params.input1_offset = -zero_point(input_quant(node, 0));
    params.input2_offset = -zero_point(input_quant(node, 1));
    params.left_shift = require_param_int(node, "left_shift", 0, 22);
    params.input1 = require_multiplier_pair(node, "input1");
    params.input2 = require_multiplier_pair(node, "input2");
    params.output = require_multiplier_pair(node, "output");
    params.output_offset = zero_point(output_quant(node));
    params.activation = activation_of(node);
    check_status(node, kernels::add_s8(params, a_dims, a_span, b_dims, b_span, out_dims, out_span),
                 "add_s8");
  } else if constexpr (kKind == Binary::kMul) {
    kernels::MulParams params{};
    params.input1_offset = -zero_point(input_quant(node, 0));
    params.input2_offset = -zero_point(input_quant(node, 1));
    params.output = require_multiplier_pair(node, "output");
    params.output_offset = zero_point(output_quant(node));
    params.activation = activation_of(node);
    check_status(node, kernels::mul_s8(params, a_dims, a_span, b_dims, b_span, out_dims, out_span),
                 "mul_s8");
  } else if constexpr (kKind == Binary::kMaximum) {
    check_status(node, kernels::maximum_s8(a_dims, a_span, b_dims, b_span, out_dims, out_span),
                 "maximum_s8");
  } else {
    check_status(node, kernels::minimum_s8(a_dims, a_span, b_dims, b_span, out_dims, out_span),
                 "minimum_s8");
  }
  return {std::move(result)};
}

const ir::RegisterOp kAdd{
    {"cortex_m.quantized_add", infer_binary<Binary::kAdd>, evaluate_binary<Binary::kAdd>}};
const ir::RegisterOp kMul{
    {"cortex_m.quantized_mul", infer_binary<Binary::kMul>, evaluate_binary<Binary::kMul>}};
const ir::RegisterOp kMaximum{
    {"cortex_m.maximum", infer_binary<Binary::kMaximum>, evaluate_binary<Binary::kMaximum>}};
const ir::RegisterOp kMinimum{
    {"cortex_m.minimum", infer_binary<Binary::kMinimum>, evaluate_binary<Binary::kMinimum>}};

}  // namespace
}  // namespace tinyexec::ops::cortex_m
