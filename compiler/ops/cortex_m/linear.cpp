// SPDX-License-Identifier: Apache-2.0
// cortex_m.quantized_linear and cortex_m.quantized_batch_matmul (docs/dialect.md), run with
// the kernels fully_connected_s8 and batch_matmul_s8.
//
// Attribute choices where docs/dialect.md leaves room:
// - linear: input is [B, K] (rank 2; the lowering flattens), weight [O, K] int8 quantized per
//   tensor (any zero point: the kernel's filter_offset) or per channel along axis 0 (zero
//   points 0, since the kernel has one filter offset). (params) multipliers / shifts have 1
//   value (per-tensor requantization) or O (per channel); kernel_sums [O] must equal
//   fully_connected_s8_kernel_sums (the bias plus the input offset times the weight rows'
//   sums): evaluate checks them against the weights, bias and input zero point (wrong sums
//   give wrong outputs on every target) and passes them to the kernel like the runtime does.
// - batch_matmul: lhs [.., R, K] and rhs [.., Cols, K] of rank 2 to 4; the batch dims broadcast
//   as the kernel allows (each operand's size equals the output's or is 1); both per-tensor
//   quantized with any zero point. (params) multiplier and shift are single integers.
#include "ops/cortex_m/cortex_m_helpers.h"
#include "tinyexec/kernels/batch_matmul.h"
#include "tinyexec/kernels/fully_connected.h"

namespace tinyexec::ops::cortex_m {
namespace {

// --- linear

kernels::FullyConnectedShape linear_shape(const Node& node) {
  expect_inputs(node, 2, 3);
  expect_dtype(node, 0, DType::kInt8);
  expect_dtype(node, 1, DType::kInt8);
  expect_rank(node, 0, 2, 2);
  expect_rank(node, 1, 2, 2);
  input_quant(node, 0);
  const Shape& x = input_value(node, 0).shape;
  const Shape& w = input_value(node, 1).shape;
  if (w[1] != x[1]) {
    node_error(node, "weight {} must be [O, K] with K = {} (input {})", ir::shape_string(w), x[1],
               ir::shape_string(x));
  }
  const ir::QuantParams& wq = weight_quant(node, 1, 0, w[0], /*symmetric=*/false);
  if (wq.per_channel()) weight_quant(node, 1, 0, w[0], /*symmetric=*/true);
  check_bias(node, 2, w[0]);
  activation_of(node);
  for (const char* name : {"multipliers", "shifts"}) {
    if (node.attrs.has(name)) {
      const size_t count = node.attrs.get_ints(name).size();
      if (count != 1 && count != static_cast<size_t>(w[0])) {
        node_error(node, "(params) attribute '{}' has {} values, expected 1 or {}", name, count,
                   w[0]);
      }
    }
  }
  for (const char* name : {"multipliers", "shifts"}) {
    if (node.attrs.has(name)) {
      check_requant_params(node, "multipliers", "shifts", node.attrs.get_ints(name).size());
    }
  }
  check_param_ints(node, "kernel_sums", static_cast<size_t>(w[0]), INT32_MIN, INT32_MAX);
  output_quant(node);
  return {to_i32(node, x[0], "batch size"), to_i32(node, x[1], "input depth"),
          to_i32(node, w[0], "output depth")};
}

std::vector<OutputType> infer_linear(const Node& node) {
  const kernels::FullyConnectedShape s = linear_shape(node);
  return {{DType::kInt8, {s.batches, s.output_depth}}};
}

// The scratch fully_connected_s8 needs (shared by evaluate and scratch_bytes).
int64_t linear_scratch(const Node& node, const kernels::FullyConnectedShape& s) {
  return scratch_size(node, kernels::fully_connected_s8_scratch_size(s), "fully_connected_s8");
}

int64_t linear_scratch_bytes(const Node& node) {
  return linear_scratch(node, linear_shape(node));
}

std::vector<Tensor> evaluate_linear(const Node& node, Inputs inputs) {
  const kernels::FullyConnectedShape s = linear_shape(node);
  const Tensor& x = *inputs[0];
  const Tensor& w = *inputs[1];
  const Tensor* bias = inputs.size() > 2 ? inputs[2] : nullptr;
  kernels::FullyConnectedParams params;
  params.input_offset = -zero_point(input_quant(node, 0));
  params.filter_offset = -input_value(node, 1).quant->zero_points[0];
  params.output_offset = zero_point(output_quant(node));
  params.activation = activation_of(node);

  if (!node.attrs.has("multipliers")) {
    node_error(node, "(params) attribute 'multipliers' is missing (the params pass computes it)");
  }
  const size_t count = node.attrs.get_ints("multipliers").size();
  const std::vector<int32_t> multipliers =
      require_param_ints(node, "multipliers", count, 0, kMultiplierMax);
  const std::vector<int32_t> shifts =
      require_param_ints(node, "shifts", count, kShiftMin, kShiftMax);
  const std::vector<int32_t> kernel_sums = require_param_ints(
      node, "kernel_sums", static_cast<size_t>(s.output_depth), INT32_MIN, INT32_MAX);
  std::vector<int32_t> sums(static_cast<size_t>(s.output_depth));
  check_status(node,
               kernels::fully_connected_s8_kernel_sums(params, s, span_of<int8_t>(w),
                                                       bias_span(bias), {sums.data(), sums.size()}),
               "fully_connected_s8_kernel_sums");
  if (sums != kernel_sums) {
    node_error(node,
               "(params) attribute 'kernel_sums' does not match the bias plus the input offset "
               "times the weights' row sums");
  }

  std::vector<int8_t> scratch = scratch_buffer(linear_scratch(node, s));
  Tensor result(DType::kInt8, {s.batches, s.output_depth});
  kernels::Status status;
  if (count == 1) {
    status = kernels::fully_connected_s8(params, kernels::PerTensorQuant{multipliers[0], shifts[0]},
                                         s, span_of<int8_t>(x), span_of<int8_t>(w), bias_span(bias),
                                         mutable_span_of<int8_t>(result),
                                         {scratch.data(), scratch.size()}, span_of(kernel_sums));
  } else {
    status = kernels::fully_connected_s8(
        params, kernels::PerChannelQuant{span_of(multipliers), span_of(shifts)}, s,
        span_of<int8_t>(x), span_of<int8_t>(w), bias_span(bias), mutable_span_of<int8_t>(result),
        {scratch.data(), scratch.size()}, span_of(kernel_sums));
  }
  check_status(node, status, "fully_connected_s8");
  return {std::move(result)};
}

int64_t linear_macs(const Node& node) {
  const Shape& x = input_value(node, 0).shape;
  const Shape& w = input_value(node, 1).shape;
  return x[0] * w[0] * w[1];
}

// --- batch matmul

Shape batch_matmul_shape(const Node& node) {
  expect_inputs(node, 2, 2);
  expect_dtype(node, 0, DType::kInt8);
  expect_dtype(node, 1, DType::kInt8);
  expect_rank(node, 0, 2, 4);
  expect_rank(node, 1, 2, 4);
  input_quant(node, 0);
  input_quant(node, 1);
  const Shape& lhs = input_value(node, 0).shape;
  const Shape& rhs = input_value(node, 1).shape;
  if (lhs.back() != rhs.back()) {
    node_error(node, "lhs {} and rhs {} (transposed: [.., Cols, K]) must share the depth K",
               ir::shape_string(lhs), ir::shape_string(rhs));
  }
  Shape out =
      broadcast_shapes(node, Shape(lhs.begin(), lhs.end() - 2), Shape(rhs.begin(), rhs.end() - 2));
  out.push_back(lhs[lhs.size() - 2]);
  out.push_back(rhs[rhs.size() - 2]);
  activation_of(node);
  check_param_int(node, "multiplier", 0, kMultiplierMax);
  check_param_int(node, "shift", kShiftMin, kShiftMax);
  output_quant(node);
  return out;
}

std::vector<OutputType> infer_batch_matmul(const Node& node) {
  return {{DType::kInt8, batch_matmul_shape(node)}};
}

// The scratch batch_matmul_s8 needs (shared by evaluate and scratch_bytes).
int64_t batch_matmul_scratch(const Node& node, const Shape& out) {
  return scratch_size(node,
                      kernels::batch_matmul_s8_scratch_size(dims4(node, input_value(node, 0).shape),
                                                            dims4(node, input_value(node, 1).shape),
                                                            dims4(node, out)),
                      "batch_matmul_s8");
}

int64_t batch_matmul_scratch_bytes(const Node& node) {
  return batch_matmul_scratch(node, batch_matmul_shape(node));
}

std::vector<Tensor> evaluate_batch_matmul(const Node& node, Inputs inputs) {
  const Shape out = batch_matmul_shape(node);
  std::vector<int8_t> scratch = scratch_buffer(batch_matmul_scratch(node, out));
  kernels::BatchMatmulParams params;
  params.lhs_offset = -zero_point(input_quant(node, 0));
  params.rhs_offset = -zero_point(input_quant(node, 1));
  params.output_offset = zero_point(output_quant(node));
  params.activation = activation_of(node);
  const kernels::PerTensorQuant quant{require_param_int(node, "multiplier", 0, kMultiplierMax),
                                      require_param_int(node, "shift", kShiftMin, kShiftMax)};
  const Tensor& lhs = *inputs[0];
  const Tensor& rhs = *inputs[1];
  const kernels::Dims4 lhs_dims = dims4(node, lhs.shape());
  const kernels::Dims4 rhs_dims = dims4(node, rhs.shape());
  const kernels::Dims4 out_dims = dims4(node, out);
  Tensor result(DType::kInt8, out);
  check_status(node,
               kernels::batch_matmul_s8(
                   params, quant, lhs_dims, span_of<int8_t>(lhs), rhs_dims, span_of<int8_t>(rhs),
                   out_dims, mutable_span_of<int8_t>(result), {scratch.data(), scratch.size()}),
               "batch_matmul_s8");
  return {std::move(result)};
}

int64_t batch_matmul_macs(const Node& node) {
  return node.output(0)->numel() * input_value(node, 0).shape.back();
}

const ir::RegisterOp kLinear{{"cortex_m.quantized_linear", infer_linear, evaluate_linear,
                              linear_macs, linear_scratch_bytes}};
const ir::RegisterOp kBatchMatmul{{"cortex_m.quantized_batch_matmul", infer_batch_matmul,
                                   evaluate_batch_matmul, batch_matmul_macs,
                                   batch_matmul_scratch_bytes}};

}  // namespace
}  // namespace tinyexec::ops::cortex_m
