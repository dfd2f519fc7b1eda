// SPDX-License-Identifier: Apache-2.0
// Lowering of Sigmoid / Tanh / HardSwish / Gelu (cortex_m.lut), Concat (cortex_m.concat) and
// constant Pad (cortex_m.pad). All keep the layout of their inputs where they can: a value
// already NHWC stays NHWC and the axis / pads are mapped to it (the LUT keeps any layout).
#include <algorithm>

#include "passes/lowering/context.h"

namespace tinyexec::passes::lowering {
namespace {

// The position of ONNX (NCHW) axis `axis` in the NHWC order: N, C, H, W -> 0, 3, 1, 2.
int64_t nhwc_axis(int64_t axis) {
  static constexpr int64_t kPosition[4] = {0, 3, 1, 2};
  return kPosition[axis];
}

void expect_quant(const ir::Node& node, size_t index, const Lowered& input,
                  const OutputMatch& match) {
  if (!same_quant(*input.value->quant, match.quant)) {
    reject(
        "{} quantizes its output with {} but input {} with {}; {} keeps its inputs' "
        "quantization",
        node.describe(), match.quant.to_string(), index, input.value->quant->to_string(), node.op);
  }
}

// Whether the optional pad value input of a Pad is 0 in the float domain: absent, a float
// constant 0, or a quantized constant holding its zero point.
bool pad_value_is_zero(const Context& context, const ir::Node& node) {
  const ir::Value* value = node.input(2);
  if (value == nullptr) return true;
  if (context.is_quantized_constant(node, 2)) {
    const QuantizedConstant constant = context.quantized_constant(node, 2);
    return constant.data->numel() == 1 && constant.data->as_int(0) == constant.quant.zero_points[0];
  }
  if (!value->is_constant() || value->constant->numel() != 1) return false;
  return value->constant->as_double(0) == 0.0;
}

}  // namespace

void lower_lut(Context& context, ir::Node& node) {
  const char* function = node.op == "onnx.Sigmoid" ? "sigmoid"
                         : node.op == "onnx.Tanh"  ? "tanh"
                         : node.op == "onnx.Gelu"  ? "gelu"
                                                   : "hardswish";
  if (node.op == "onnx.Gelu" && node.attrs.string_or("approximate", "none") != "none") {
    reject(
        "attribute 'approximate' of {} is '{}'; the lut function 'gelu' is the exact (erf) "
        "GELU",
        node.describe(), node.attrs.get_string("approximate"));
  }
  const OutputMatch match = context.match_output(node, /*fusable=*/false);
  const Lowered input = context.activation(node, 0);
  // Element-wise: any layout will do, the result has the input's.
  ir::Value* out =
      context.new_value(node.output(0)->name, ir::DType::kInt8, input.value->shape, match.quant);
  ir::Attributes attrs;
  attrs.set("function", std::string(function));
  context.emit("cortex_m.lut", {input.value}, out, std::move(attrs), node.name);
  finish(context, node, match, {out, input.layout, input.nhwc_source});
}

void lower_concat(Context& context, ir::Node& node) {
  const OutputMatch match = context.match_output(node, /*fusable=*/false);
  const int64_t rank = node.output(0)->rank();
  if (rank > 4) reject("{} has rank {}; concat_s8 takes rank <= 4", node.describe(), rank);
  if (!node.attrs.has("axis")) reject("{} has no attribute 'axis'", node.describe());
  int64_t axis = node.attrs.get_int("axis");
  if (axis < 0) axis += rank;
  std::vector<Lowered> inputs;
  bool any_nhwc = false;
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    inputs.push_back(context.activation(node, i));
    expect_quant(node, i, inputs.back(), match);
    any_nhwc = any_nhwc || inputs.back().layout == Layout::kNhwc;
  }
  if (inputs.empty()) reject("{} has no inputs", node.describe());
  const bool nhwc = rank == 4 && any_nhwc;
  std::vector<ir::Value*> values;
  for (const Lowered& input : inputs) {
    values.push_back(nhwc ? context.as_nhwc(input) : context.as_onnx(input));
  }
  ir::Attributes attrs;
  attrs.set("axis", nhwc ? nhwc_axis(axis) : axis);
  ir::Value* result = node.output(0);
  ir::Value* out =
      context.new_value(result->name, ir::DType::kInt8,
                        nhwc ? permute_shape(result->shape, kToNhwc) : result->shape, match.quant);
  context.emit("cortex_m.concat", std::move(values), out, std::move(attrs), node.name);
  finish(context, node, match, {out, nhwc ? Layout::kNhwc : Layout::kOnnx, nullptr});
}

void lower_pad(Context& context, ir::Node& node) {
  const std::string mode = node.attrs.string_or("mode", "constant");
  if (mode != "constant") {
    reject("attribute 'mode' of {} is '{}'; pad_s8 pads with a constant", node.describe(), mode);
  }
  if (node.inputs.size() > 3 && node.input(3) != nullptr) {
    reject("{} has an 'axes' input; only pads over all axes are lowered", node.describe());
  }
  const ir::Value* pads_value = node.input(1);
  if (pads_value == nullptr || !pads_value->is_constant()) {
    reject("the pads of {} are not a constant", node.describe());
  }
  std::vector<int64_t> pads = pads_value->constant->to_int_vector();
  if (std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p < 0; })) {
    reject("{} has negative pads (cropping); pad_s8 only pads", node.describe());
  }
  if (!pad_value_is_zero(context, node)) {
    reject("the pad value of {} is not 0; pad_s8 pads with the zero point", node.describe());
  }
  const int64_t rank = node.input(0)->rank();
  if (rank > 4) reject("{} has rank {}; pad_s8 takes rank <= 4", node.describe(), rank);
  const OutputMatch match = context.match_output(node, /*fusable=*/false);
  const Lowered input = context.activation(node, 0);
  expect_quant(node, 0, input, match);
  const bool nhwc = input.layout == Layout::kNhwc;
  if (nhwc) {
    const std::vector<int64_t> begins = permute_shape({pads.begin(), pads.begin() + 4}, kToNhwc);
    const std::vector<int64_t> ends = permute_shape({pads.begin() + 4, pads.end()}, kToNhwc);
    pads = begins;
    pads.insert(pads.end(), ends.begin(), ends.end());
  }
  ir::Attributes attrs;
  attrs.set("pads", pads);
  ir::Value* result = node.output(0);
  ir::Value* out =
      context.new_value(result->name, ir::DType::kInt8,
                        nhwc ? permute_shape(result->shape, kToNhwc) : result->shape, match.quant);
  context.emit("cortex_m.pad", {nhwc ? input.value : context.as_onnx(input)}, out, std::move(attrs),
               node.name);
  finish(context, node, match, {out, nhwc ? Layout::kNhwc : Layout::kOnnx, nullptr});
}

}  // namespace tinyexec::passes::lowering
