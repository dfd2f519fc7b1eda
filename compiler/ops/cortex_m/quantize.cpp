// SPDX-License-Identifier: Apache-2.0
// cortex_m.quantize, cortex_m.dequantize and cortex_m.lut (docs/dialect.md), run with
// quantize_f32_s8, dequantize_s8_f32 and lut_s8.
//
// Attribute choices where docs/dialect.md leaves room:
// - quantize: f32 input, int8 output with per-tensor quantization (the output's). Rounding is
//   the kernel's (TFLite: half away from zero), not ONNX QuantizeLinear's half to even.
// - dequantize: int8 input with per-tensor quantization, f32 output (no quantization).
// - lut: function is a string naming what the table holds (for reports; not interpreted);
//   (params) table is an INTS attribute of 256 values in [-128, 127], indexed by input + 128.
#include "tinyexec/kernels/quantize.h"

#include "ops/cortex_m/cortex_m_helpers.h"

namespace tinyexec::ops::cortex_m {
namespace {

kernels::AffineQuant affine(const ir::QuantParams& quant) {
  return {quant.scales[0], quant.zero_points[0]};
}

std::vector<OutputType> infer_quantize(const Node& node) {
  expect_inputs(node, 1, 1);
  const ir::Value& x = expect_dtype(node, 0, DType::kFloat32);
  output_quant(node);
  return {{DType::kInt8, x.shape}};
}

std::vector<Tensor> evaluate_quantize(const Node& node, Inputs inputs) {
  const Tensor& x = *inputs[0];
  Tensor result(DType::kInt8, x.shape());
  check_status(
      node,
      kernels::quantize_f32_s8(affine(output_quant(node)), to_i32(node, x.numel(), "element count"),
                               span_of<float>(x), mutable_span_of<int8_t>(result)),
      "quantize_f32_s8");
  return {std::move(result)};
}

std::vector<OutputType> infer_dequantize(const Node& node) {
  expect_inputs(node, 1, 1);
  const ir::Value& x = expect_dtype(node, 0, DType::kInt8);
  input_quant(node, 0);
  return {{DType::kFloat32, x.shape}};
}

std::vector<Tensor> evaluate_dequantize(const Node& node, Inputs inputs) {
  const Tensor& x = *inputs[0];
  Tensor result(DType::kFloat32, x.shape());
  check_status(node,
               kernels::dequantize_s8_f32(affine(input_quant(node, 0)),
                                          to_i32(node, x.numel(), "element count"),
                                          span_of<int8_t>(x), mutable_span_of<float>(result)),
               "dequantize_s8_f32");
  return {std::move(result)};
}

std::vector<OutputType> infer_lut(const Node& node) {
  expect_inputs(node, 1, 1);
  const ir::Value& x = expect_dtype(node, 0, DType::kInt8);
  input_quant(node, 0);
  output_quant(node);
  if (!node.attrs.has("function")) node_error(node, "attribute 'function' is missing");
  node.attrs.get_string("function");
  check_param_ints(node, "table", 256, -128, 127);
  return {{DType::kInt8, x.shape}};
}

std::vector<Tensor> evaluate_lut(const Node& node, Inputs inputs) {
  const Tensor& x = *inputs[0];
  const std::vector<int32_t> table32 = require_param_ints(node, "table", 256, -128, 127);
  const std::vector<int8_t> table(table32.begin(), table32.end());
  Tensor result(DType::kInt8, x.shape());
  check_status(node,
               kernels::lut_s8(to_i32(node, x.numel(), "element count"), span_of<int8_t>(x),
                               span_of(table), mutable_span_of<int8_t>(result)),
               "lut_s8");
  return {std::move(result)};
}

const ir::RegisterOp kQuantize{{"cortex_m.quantize", infer_quantize, evaluate_quantize}};
const ir::RegisterOp kDequantize{{"cortex_m.dequantize", infer_dequantize, evaluate_dequantize}};
const ir::RegisterOp kLut{{"cortex_m.lut", infer_lut, evaluate_lut}};

}  // namespace
}  // namespace tinyexec::ops::cortex_m
