// SPDX-License-Identifier: Apache-2.0
// cortex_m.softmax (docs/dialect.md): int8 softmax over the last axis, run with softmax_s8.
//
// Attribute choices where docs/dialect.md leaves room:
// - The output quantization must be TFLite's fixed scale 1/256, zero point -128 (checked: the
//   kernel produces exactly that).
// - (params) input_multiplier in [0, 2^31 - 1], input_left_shift in [0, 31], diff_min <= 0
//   (single integers, TFLite's PreprocessSoftmaxScaling / CalculateInputRadius with 5 integer
//   bits and beta folded into the multiplier).
#include "tinyexec/kernels/softmax.h"

#include <cmath>

#include "ops/cortex_m/cortex_m_helpers.h"

namespace tinyexec::ops::cortex_m {
namespace {

std::vector<OutputType> infer_softmax(const Node& node) {
  expect_inputs(node, 1, 1);
  const ir::Value& x = expect_dtype(node, 0, DType::kInt8);
  expect_rank(node, 0, 1, 8);
  input_quant(node, 0);
  const ir::QuantParams& out = output_quant(node);
  if (std::fabs(out.scales[0] - 1.0f / 256.0f) > 1e-9f || out.zero_points[0] != -128) {
    node_error(node, "output quantization is {}, softmax's must be scale 1/256, zero point -128",
               out.to_string());
  }
  check_param_int(node, "input_multiplier", 0, kMultiplierMax);
  check_param_int(node, "input_left_shift", 0, 31);
  check_param_int(node, "diff_min", INT32_MIN, 0);
  return {{DType::kInt8, x.shape}};
}

std::vector<Tensor> evaluate_softmax(const Node& node, Inputs inputs) {
  const Tensor& x = *inputs[0];
  kernels::SoftmaxParams params{};
  params.input_multiplier = require_param_int(node, "input_multiplier", 0, kMultiplierMax);
  params.input_left_shift = require_param_int(node, "input_left_shift", 0, 31);
  params.diff_min = require_param_int(node, "diff_min", INT32_MIN, 0);
  const int64_t row = x.shape().back();
  Tensor result(DType::kInt8, x.shape());
  check_status(node,
               kernels::softmax_s8(params, to_i32(node, x.numel() / row, "row count"),
                                   to_i32(node, row, "row size"), span_of<int8_t>(x),
                                   mutable_span_of<int8_t>(result)),
               "softmax_s8");
  return {std::move(result)};
}

const ir::RegisterOp kSoftmax{{"cortex_m.softmax", infer_softmax, evaluate_softmax}};

}  // namespace
}  // namespace tinyexec::ops::cortex_m
