// SPDX-License-Identifier: Apache-2.0
// Lowering of the ops without weights: pools (1-D and 2-D), Add / Mul, Max / Min, the reshape
// family, Softmax, Transpose, and the dispatch on the op name.
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
  if (x->rank() != 4 && x->rank() != 3) {
    reject("{} pools {} spatial axes; only 1-D and 2-D pooling (input rank 3 or 4) is lowered",
           node.describe(), x->rank() - 2);
  }
  const bool one_d = x->rank() == 3;  // [N,C,W] runs as [N,1,W,C] with H = 1
  const bool global = node.op == "onnx.GlobalAveragePool" || node.op == "onnx.GlobalMaxPool";
  const bool average = node.op == "onnx.AveragePool" || node.op == "onnx.GlobalAveragePool";
  const OutputMatch match = context.match_output(node, /*fusable=*/true);
  const Lowered input = context.activation(node, 0);
  expect_same_quant(node, input, match);

  const std::vector<int64_t> spatial(x->shape.begin() + 2, x->shape.end());
  const int64_t height = one_d ? 1 : x->shape[2], width = x->shape.back();
  std::vector<int64_t> kernel{height, width}, strides{1, 1}, pads{0, 0, 0, 0};
  if (!global) {
    if (!node.attrs.has("kernel_shape")) reject("{} has no kernel_shape", node.describe());
    const bool ceil_mode = node.attrs.int_or("ceil_mode", 0) == 1;
    ops::Window window = ops::forward_window(node, spatial, node.attrs.get_ints("kernel_shape"),
                                             ceil_mode, /*has_dilations=*/true);
    if (one_d) window.insert(window.begin(), ops::WindowAxis{});
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
  const ir::Shape& y = node.output(0)->shape;
  const ir::Shape out_shape = one_d ? ir::Shape{y[0], 1, y[2], y[1]} : permute_shape(y, kToNhwc);
  ir::Value* out =
      context.new_value(node.output(0)->name, ir::DType::kInt8, out_shape, *input.value->quant);
  context.emit(average ? "cortex_m.avg_pool2d" : "cortex_m.max_pool2d", {in}, out, std::move(attrs),
               node.name);
  finish(context, node, match, {out, one_d ? Layout::kNwc : Layout::kNhwc, nullptr});
}

namespace {

// An operand of an element-wise binary op: a lowered activation, or an int8 constant with its
// quantization.
struct Operand {
  std::optional<Lowered> activation;
  std::optional<QuantizedConstant> constant;
  ir::Tensor data;  // the constant's int8 values (owned here when computed by the rule)
};

// The operands of a binary element-wise op as int8 values in one layout, and that layout.
// Element-wise ops do not care about the layout: 4-D results stay NHWC when an operand already
// is, 3-D ones [N,1,W,C] when an operand is (kNwc); anything else is computed in ONNX order.
// Constants are rearranged at compile time to match.
std::pair<std::vector<ir::Value*>, Layout> binary_inputs(Context& context, const ir::Node& node,
                                                         std::vector<Operand>& operands) {
  const int64_t rank = node.output(0)->rank();
  bool any_nhwc = false, any_nwc = false, all_rank3 = true;
  for (size_t i = 0; i < operands.size(); ++i) {
    if (!operands[i].activation) continue;
    any_nhwc = any_nhwc || operands[i].activation->layout == Layout::kNhwc;
    any_nwc = any_nwc || operands[i].activation->layout == Layout::kNwc;
    all_rank3 = all_rank3 && node.input(i)->rank() == 3;
  }
  const bool nhwc = rank == 4 && any_nhwc;
  const bool nwc = rank == 3 && any_nwc && all_rank3;
  std::vector<ir::Value*> inputs;
  for (size_t i = 0; i < operands.size(); ++i) {
    const ir::Value* onnx_input = node.input(i);
    if (nhwc && onnx_input->rank() != 4 && operands[i].activation) {
      reject("input {} of {} has rank {}; broadcasting it against a 4-D NHWC value is not lowered",
             i, node.describe(), onnx_input->rank());
    }
    if (operands[i].activation) {
      inputs.push_back(nhwc || nwc ? context.as_nhwc(*operands[i].activation)
                                   : context.as_onnx(*operands[i].activation));
      continue;
    }
    ir::Tensor data = operands[i].data;
    if (nhwc || nwc) {
      ir::Shape shape = data.shape();
      shape.insert(shape.begin(), rank - static_cast<int64_t>(shape.size()), 1);  // numpy
      if (nhwc) {
        data = permute(data.reshaped(shape), kToNhwc);
      } else {  // [n,c,w] -> [n,w,c] -> [n,1,w,c]
        data = permute(data.reshaped(shape), {0, 2, 1});
        data = data.reshaped({shape[0], 1, shape[2], shape[1]});
      }
    }
    ir::Value* constant = context.graph().add_constant(onnx_input->name + "_i8", std::move(data));
    constant->quant = operands[i].constant->quant;
    inputs.push_back(constant);
  }
  return {inputs, nhwc ? Layout::kNhwc : nwc ? Layout::kNwc : Layout::kOnnx};
}

// The lowered output shape of an element-wise op in `layout`.
ir::Shape elementwise_shape(const ir::Shape& onnx, Layout layout) {
  if (layout == Layout::kNhwc) return permute_shape(onnx, kToNhwc);
  if (layout == Layout::kNwc) return {onnx[0], 1, onnx[2], onnx[1]};
  return onnx;
}

}  // namespace

void lower_binary(Context& context, ir::Node& node) {
  const OutputMatch match = context.match_output(node, /*fusable=*/true);
  std::vector<Operand> operands(2);
  for (size_t i = 0; i < 2; ++i) {
    if (context.is_quantized_constant(node, i)) {
      operands[i].constant = context.quantized_constant(node, i);
      if (operands[i].constant->data->dtype() != ir::DType::kInt8 ||
          operands[i].constant->quant.per_channel()) {
        reject("constant input {} of {} is not int8 quantized per tensor", i, node.describe());
      }
      operands[i].data = *operands[i].constant->data;
    } else {
      operands[i].activation = context.activation(node, i);
    }
  }
  if (!operands[0].activation && !operands[1].activation) {
    reject("both inputs of {} are constants (fold them first)", node.describe());
  }
  const auto [inputs, layout] = binary_inputs(context, node, operands);
  ir::Attributes attrs;
  set_activation(attrs, match);
  ir::Value* result = node.output(0);
  ir::Value* out = context.new_value(result->name, ir::DType::kInt8,
                                     elementwise_shape(result->shape, layout), match.quant);
  context.emit(node.op == "onnx.Add" ? "cortex_m.quantized_add" : "cortex_m.quantized_mul", inputs,
               out, std::move(attrs), node.name);
  finish(context, node, match, {out, layout, nullptr});
}

// Max / Min of two inputs: maximum_s8 / minimum_s8 compare int8 values directly, so both
// inputs and the output must share one quantization (the quantizer gives them one). A constant
// operand (float, or quantized with any parameters) is quantized with the output's parameters
// at compile time: quantization is monotonic, so max(Q(a), Q(c)) = Q(max(a, c)) exactly.
void lower_min_max(Context& context, ir::Node& node) {
  const bool maximum = node.op == "onnx.Max";
  if (node.inputs.size() != 2) {
    reject("{} has {} inputs; {} takes exactly two", node.describe(), node.inputs.size(),
           maximum ? "maximum_s8" : "minimum_s8");
  }
  const OutputMatch match = context.match_output(node, /*fusable=*/false);
  const ir::QuantParams& quant = match.quant;
  std::vector<Operand> operands(2);
  for (size_t i = 0; i < 2; ++i) {
    const ir::Value* value = node.input(i);
    std::optional<ir::Tensor> real;  // a constant operand's float values
    if (context.is_quantized_constant(node, i)) {
      const QuantizedConstant constant = context.quantized_constant(node, i);
      if (constant.quant.per_channel()) {
        reject("constant input {} of {} is quantized per channel", i, node.describe());
      }
      real = ir::Tensor(ir::DType::kFloat32, constant.data->shape());
      auto out = real->data<float>();
      for (int64_t k = 0; k < constant.data->numel(); ++k) {
        out[k] = constant.quant.scales[0] *
                 static_cast<float>(constant.data->as_int(k) - constant.quant.zero_points[0]);
      }
    } else if (value != nullptr && value->is_constant() && value->dtype == ir::DType::kFloat32) {
      real = *value->constant;
    }
    if (real) {
      // As QuantizeLinear: float division, round half to even, add the zero point, saturate.
      ir::Tensor data(ir::DType::kInt8, real->shape());
      auto q = data.data<int8_t>();
      const auto r = real->data<float>();
      for (size_t k = 0; k < r.size(); ++k) {
        const float scaled = std::nearbyint(r[k] / quant.scales[0]);
        q[k] = static_cast<int8_t>(
            std::clamp(static_cast<double>(scaled) + quant.zero_points[0], -128.0, 127.0));
      }
      operands[i].constant = QuantizedConstant{nullptr, quant};
      operands[i].data = std::move(data);
      continue;
    }
    operands[i].activation = context.activation(node, i);
    if (!same_quant(*operands[i].activation->value->quant, quant)) {
      reject(
          "{} quantizes its output with {} but input {} with {}; {} needs both inputs and the "
          "output to share one quantization",
          node.describe(), quant.to_string(), i, operands[i].activation->value->quant->to_string(),
          maximum ? "maximum_s8" : "minimum_s8");
    }
  }
  if (!operands[0].activation && !operands[1].activation) {
    reject("both inputs of {} are constants (fold them first)", node.describe());
  }
  const auto [inputs, layout] = binary_inputs(context, node, operands);
  ir::Value* result = node.output(0);
  ir::Value* out = context.new_value(result->name, ir::DType::kInt8,
                                     elementwise_shape(result->shape, layout), quant);
  context.emit(maximum ? "cortex_m.maximum" : "cortex_m.minimum", inputs, out, {}, node.name);
  finish(context, node, match, {out, layout, nullptr});
}

void lower_reshape_like(Context& context, ir::Node& node) {
  const OutputMatch match = context.match_output(node, /*fusable=*/false);
  const Lowered input = context.activation(node, 0);
  expect_same_quant(node, input, match);
  const ir::Shape& x = node.input(0)->shape;
  const ir::Shape& shape = node.output(0)->shape;
  Lowered result;
  const bool spatial = input.layout == Layout::kNhwc || input.layout == Layout::kNwc;
  if (spatial && shape.size() == 2 && shape[0] == x[0]) {
    // Flatten of an NHWC value ([N,1,W,C] for 1-D): keep the NHWC order; a linear reading it
    // permutes its weight columns. With H*W == 1 (or C == 1) both orders are the same.
    ir::Value* flat = context.reshape(input.value, shape);
    const bool same_order = x[1] == 1 || ir::shape_numel(ir::Shape(x.begin() + 2, x.end())) == 1;
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
  if ((input.layout == Layout::kNhwc || input.layout == Layout::kNwc) && axis == 1) {
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
  ir::Value* out = nullptr;
  if (input.layout == Layout::kNwc && perm == std::vector<int64_t>{0, 2, 1}) {
    // [N,C,W] -> [N,W,C] (a 1-D conv's features per time step): the lowered [N,1,W,C] already
    // is that order.
    out = context.reshape(input.value, node.output(0)->shape);
  } else {
    out = context.transpose(context.as_onnx(input), perm);
  }
  finish(context, node, match, {out, Layout::kOnnx, nullptr});
}

void lower_op(Context& context, ir::Node& node) {
  const std::string& op = node.op;
  if (op == "onnx.Conv") return lower_conv(context, node);
  if (op == "onnx.ConvTranspose") return lower_conv_transpose(context, node);
  if (op == "onnx.Gemm") return lower_gemm(context, node);
  if (op == "onnx.MatMul") return lower_matmul(context, node);
  if (op == "onnx.MaxPool" || op == "onnx.AveragePool" || op == "onnx.GlobalAveragePool" ||
      op == "onnx.GlobalMaxPool") {
    return lower_pool(context, node);
  }
  if (op == "onnx.Add" || op == "onnx.Mul") return lower_binary(context, node);
  if (op == "onnx.Max" || op == "onnx.Min") return lower_min_max(context, node);
  if (op == "onnx.Flatten" || op == "onnx.Reshape" || op == "onnx.Squeeze" ||
      op == "onnx.Unsqueeze") {
    return lower_reshape_like(context, node);
  }
  if (op == "onnx.Softmax") return lower_softmax(context, node);
  if (op == "onnx.Transpose") return lower_transpose(context, node);
  if (op == "onnx.Sigmoid" || op == "onnx.Tanh" || op == "onnx.HardSwish" || op == "onnx.Gelu") {
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
