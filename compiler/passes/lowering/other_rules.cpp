// SPDX-License-Identifier: Apache-2.0
// Lowering of the ops without weights: pools, Add / Mul, the reshape family, Softmax,
// Transpose, and the dispatch on the op name.
#include <algorithm>
#include <cmath>

#include "ops/onnx/window.h"
#include "passes/lowering/context.h"

namespace tinyexec::passes::lowering {
namespace {

// Ops whose kernel moves or selects bytes: the output keeps the input's quantization.
void expect_same_quant(const ir::Node& node, const Lowered& input, const OutputMatch& match) {
  if (!same_quant(*input.value->quant, match.quant)) {
    reject(
        "{} quantizes its output with {} but its input with {}; {} keeps its input's "
        "quantization",
        node.describe(), match.quant.to_string(), input.value->quant->to_string(), node.op);
  }
}

int64_t normalized_axis(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}

}  // namespace

void lower_pool(Context& context, ir::Node& node) {
  const ir::Value* x = node.input(0);
  if (x->rank() != 4) {
    reject("{} pools {} spatial axes; only 2-D pooling (input rank 4) is lowered", node.describe(),
           x->rank() - 2);
  }
  const bool global = node.op == "onnx.GlobalAveragePool" || node.op == "onnx.GlobalMaxPool";
  const bool average = node.op == "onnx.AveragePool" || node.op == "onnx.GlobalAveragePool";
  const OutputMatch match = context.match_output(node, /*fusable=*/true);
  const Lowered input = context.activation(node, 0);
  expect_same_quant(node, input, match);

  const int64_t height = x->shape[2], width = x->shape[3];
  std::vector<int64_t> kernel{height, width}, strides{1, 1}, pads{0, 0, 0, 0};
  if (!global) {
    if (!node.attrs.has("kernel_shape")) reject("{} has no kernel_shape", node.describe());
    const bool ceil_mode = node.attrs.int_or("ceil_mode", 0) == 1;
    const ops::Window window =
        ops::forward_window(node, {height, width}, node.attrs.get_ints("kernel_shape"), ceil_mode,
                            /*has_dilations=*/true);
    for (size_t i = 0; i < 2; ++i) {
      const ops::WindowAxis& axis = window[i];
      if (axis.dilation != 1) {
        reject("attribute 'dilations' of {} is not 1; the pooling kernels have no dilation",
               node.describe());
      }
      kernel[i] = axis.kernel;
      strides[i] = axis.stride;
      pads[i] = axis.pad_begin;
      // ceil_mode: extend the end padding so that the kernels' floor rule gives the same size.
      pads[i + 2] = std::max(axis.pad_end,
                             (axis.out - 1) * axis.stride + axis.kernel - axis.in - axis.pad_begin);
    }
    const bool padded = std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p > 0; });
    if (average && padded && node.attrs.int_or("count_include_pad", 0) == 1) {
      reject(
          "{} has count_include_pad = 1 with padding; avg_pool_s8 averages over the input "
          "elements only",
          node.describe());
    }
  }
  ir::Attributes attrs;
  attrs.set("kernel", kernel);
  attrs.set("strides", strides);
  attrs.set("pads", pads);
  set_activation(attrs, match);
  ir::Value* in = context.as_nhwc(input);
  ir::Value* result = node.output(0);
  ir::Value* out = context.new_value(result->name, ir::DType::kInt8,
                                     permute_shape(result->shape, kToNhwc), *input.value->quant);
  context.emit(average ? "cortex_m.avg_pool2d" : "cortex_m.max_pool2d", {in}, out, std::move(attrs),
               node.name);
  finish(context, node, match, {out, Layout::kNhwc, nullptr});
}

void lower_binary(Context& context, ir::Node& node) {
  const OutputMatch match = context.match_output(node, /*fusable=*/true);
  const int64_t rank = node.output(0)->rank();
  struct Operand {
    std::optional<Lowered> activation;
    std::optional<QuantizedConstant> constant;
  };
  std::vector<Operand> operands(2);
  bool any_nhwc = false;
  for (size_t i = 0; i < 2; ++i) {
    if (context.is_quantized_constant(node, i)) {
      operands[i].constant = context.quantized_constant(node, i);
      if (operands[i].constant->data->dtype() != ir::DType::kInt8 ||
          operands[i].constant->quant.per_channel()) {
        reject("constant input {} of {} is not int8 quantized per tensor", i, node.describe());
      }
    } else {
      operands[i].activation = context.activation(node, i);
      any_nhwc = any_nhwc || operands[i].activation->layout == Layout::kNhwc;
    }
  }
  if (!operands[0].activation && !operands[1].activation) {
    reject("both inputs of {} are constants (fold them first)", node.describe());
  }
  // Element-wise ops do not care about the layout: NHWC when an operand already is.
  const bool nhwc = rank == 4 && any_nhwc;
  std::vector<ir::Value*> inputs;
  for (size_t i = 0; i < 2; ++i) {
    const ir::Value* onnx_input = node.input(i);
    if (nhwc && onnx_input->rank() != 4 && operands[i].activation) {
      reject("input {} of {} has rank {}; broadcasting it against a 4-D NHWC value is not lowered",
             i, node.describe(), onnx_input->rank());
    }
    if (operands[i].activation) {
      inputs.push_back(nhwc ? context.as_nhwc(*operands[i].activation)
                            : context.as_onnx(*operands[i].activation));
      continue;
    }
    ir::Tensor data = *operands[i].constant->data;
    if (nhwc) {
      ir::Shape shape = data.shape();
      shape.insert(shape.begin(), 4 - shape.size(), 1);  // numpy broadcasting aligns right
      data = permute(data.reshaped(shape), kToNhwc);
    }
    ir::Value* constant = context.graph().add_constant(onnx_input->name + "_i8", std::move(data));
    constant->quant = operands[i].constant->quant;
    inputs.push_back(constant);
  }
  ir::Attributes attrs;
  set_activation(attrs, match);
  ir::Value* result = node.output(0);
  ir::Value* out =
      context.new_value(result->name, ir::DType::kInt8,
                        nhwc ? permute_shape(result->shape, kToNhwc) : result->shape, match.quant);
  context.emit(node.op == "onnx.Add" ? "cortex_m.quantized_add" : "cortex_m.quantized_mul",
               std::move(inputs), out, std::move(attrs), node.name);
  finish(context, node, match, {out, nhwc ? Layout::kNhwc : Layout::kOnnx, nullptr});
}

void lower_reshape_like(Context& context, ir::Node& node) {
  const OutputMatch match = context.match_output(node, /*fusable=*/false);
  const Lowered input = context.activation(node, 0);
  expect_same_quant(node, input, match);
  const ir::Shape& x = node.input(0)->shape;
  const ir::Shape& shape = node.output(0)->shape;
  Lowered result;
  if (input.layout == Layout::kNhwc && shape.size() == 2 && shape[0] == x[0]) {
    // Flatten of an NHWC value: keep the NHWC order; a linear reading it permutes its weight
    // columns. With H*W == 1 (or C == 1) both orders are the same.
    ir::Value* flat = context.reshape(input.value, shape);
    const bool same_order = x[2] * x[3] == 1 || x[1] == 1;
    result = {flat, same_order ? Layout::kOnnx : Layout::kFlatNhwc,
              same_order ? nullptr : input.value};
  } else {
    result = {context.reshape(context.as_onnx(input), shape), Layout::kOnnx, nullptr};
  }
  finish(context, node, match, result);  // keeps the input's quantization, equal to the match's
}

void lower_softmax(Context& context, ir::Node& node) {
  const OutputMatch match = context.match_output(node, /*fusable=*/false);
  if (!same_scale(match.quant.scales[0], 1.0 / 256.0) || match.quant.zero_points[0] != -128) {
    reject("{} output is quantized with {}; softmax_s8 produces scale 1/256, zero point -128",
           node.describe(), match.quant.to_string());
  }
  const Lowered input = context.activation(node, 0);
  const int64_t rank = node.input(0)->rank();
  const int64_t axis = normalized_axis(node.attrs.int_or("axis", -1), rank);
  Lowered source;
  if (input.layout == Layout::kNhwc && axis == 1) {
    source = input;  // channels are the last axis in NHWC
  } else if (input.layout == Layout::kFlatNhwc && axis == 1) {
    source = input;  // a softmax over a whole row does not see the row's order
  } else {
    if (axis != rank - 1) {
      reject("attribute 'axis' of {} is {}; softmax_s8 works on the last axis", node.describe(),
             axis);
    }
    source = {context.as_onnx(input), Layout::kOnnx, nullptr};
  }
  ir::Value* out =
      context.new_value(node.output(0)->name, ir::DType::kInt8, source.value->shape, match.quant);
  context.emit("cortex_m.softmax", {source.value}, out, {}, node.name);
  finish(context, node, match, {out, source.layout, source.nhwc_source});
}

void lower_transpose(Context& context, ir::Node& node) {
  const OutputMatch match = context.match_output(node, /*fusable=*/false);
  const Lowered input = context.activation(node, 0);
  expect_same_quant(node, input, match);
  std::vector<int64_t> perm;
  for (int64_t axis = node.input(0)->rank(); axis-- > 0;) perm.push_back(axis);
  perm = node.attrs.ints_or("perm", perm);
  ir::Value* out = context.transpose(context.as_onnx(input), perm);
  finish(context, node, match, {out, Layout::kOnnx, nullptr});
}

void lower_op(Context& context, ir::Node& node) {
  const std::string& op = node.op;
  if (op == "onnx.Conv") return lower_conv(context, node);
  if (op == "onnx.Gemm") return lower_gemm(context, node);
  if (op == "onnx.MatMul") return lower_matmul(context, node);
  if (op == "onnx.MaxPool" || op == "onnx.AveragePool" || op == "onnx.GlobalAveragePool" ||
      op == "onnx.GlobalMaxPool") {
    return lower_pool(context, node);
  }
  if (op == "onnx.Add" || op == "onnx.Mul") return lower_binary(context, node);
  if (op == "onnx.Flatten" || op == "onnx.Reshape" || op == "onnx.Squeeze" ||
      op == "onnx.Unsqueeze") {
    return lower_reshape_like(context, node);
  }
  if (op == "onnx.Softmax") return lower_softmax(context, node);
  if (op == "onnx.Transpose") return lower_transpose(context, node);
  if (op == "onnx.Sigmoid" || op == "onnx.Tanh" || op == "onnx.HardSwish") {
    return lower_lut(context, node);
  }
  if (op == "onnx.Concat") return lower_concat(context, node);
  if (op == "onnx.Pad") return lower_pad(context, node);
  if (op == "onnx.Relu" || op == "onnx.Clip") {
    reject("{} does not follow an op that fuses it (conv, linear, add, mul, pool)",
           node.describe());
  }
  reject("{} has no cortex_m lowering", op);
}

}  // namespace tinyexec::passes::lowering
