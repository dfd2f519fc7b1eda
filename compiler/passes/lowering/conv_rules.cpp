// SPDX-License-Identifier: Apache-2.0
// Lowering of the weighted ops: Conv (regular, grouped, depthwise; 1-D and 2-D), ConvTranspose
// (1-D and 2-D), Gemm / MatMul with a constant weight (quantized_linear over the rows of an
// input of any rank), and MatMul of two activations (quantized_batch_matmul). Weights are
// rearranged at compile time into the kernels' layouts.
#include <fmt/ranges.h>

#include <algorithm>
#include <numeric>

#include "ops/onnx/window.h"
#include "passes/lowering/context.h"

namespace tinyexec::passes::lowering {
namespace {

// The int8 weight behind a DequantizeLinear, checked for the symmetric int8 the kernels need.
QuantizedConstant symmetric_weight(Context& context, const ir::Node& node, size_t index) {
  QuantizedConstant weight = context.quantized_constant(node, index);
  const std::string& name = node.input(index)->name;
  if (weight.data->dtype() != ir::DType::kInt8) {
    reject("weight '{}' of {} is {}, expected i8", name, node.describe(),
           ir::dtype_name(weight.data->dtype()));
  }
  if (std::any_of(weight.quant.zero_points.begin(), weight.quant.zero_points.end(),
                  [](int32_t zero_point) { return zero_point != 0; })) {
    reject("weight '{}' of {} has a non-zero zero point; the kernels need symmetric weights", name,
           node.describe());
  }
  return weight;
}

// 1-D ops (input rank 3, [N,C,W]) run as 2-D ones with H = 1. Returns the number of spatial
// axes (1 or 2) or rejects.
int64_t spatial_axes(const ir::Node& node, const char* what) {
  const int64_t rank = node.input(0)->rank();
  if (rank != 3 && rank != 4) {
    reject("{} is a {}-D {}; only 1-D and 2-D ones (input rank 3 or 4) are lowered",
           node.describe(), rank - 2, what);
  }
  return rank - 2;
}

// A 1-D window gets the unit H axis in front.
ops::Window as_2d(ops::Window window) {
  if (window.size() == 1) window.insert(window.begin(), ops::WindowAxis{});
  return window;
}

// A 1-D op's weight [A, B, K] as [A, B, 1, K]; a 2-D one's unchanged.
ir::Tensor weight_as_2d(const ir::Tensor& weight) {
  const ir::Shape& s = weight.shape();
  return s.size() == 3 ? weight.reshaped({s[0], s[1], 1, s[2]}) : weight;
}

// The lowered shape and layout of a 1-D / 2-D op's ONNX output: NCHW -> NHWC, NCW -> [N,1,W,C].
ir::Shape lowered_shape(const ir::Shape& onnx) {
  if (onnx.size() == 3) return {onnx[0], 1, onnx[2], onnx[1]};
  return permute_shape(onnx, kToNhwc);
}
Layout spatial_layout(const ir::Shape& onnx) {
  return onnx.size() == 3 ? Layout::kNwc : Layout::kNhwc;
}

std::string ints_string(const std::vector<int64_t>& values) {
  return fmt::format("[{}]", fmt::join(values, ", "));
}

// The [O, K] weight of a linear reading a kFlatNhwc input: column (h*W + w)*C + c of the result
// is column c*H*W + h*W + w of the NCHW-flatten weight.
ir::Tensor permute_columns_to_nhwc(const ir::Tensor& weight, const ir::Shape& nhwc) {
  const int64_t h_size = nhwc[1], w_size = nhwc[2], c_size = nhwc[3];
  const int64_t rows = weight.shape()[0], columns = weight.shape()[1];
  ir::Tensor result(weight.dtype(), weight.shape());
  const auto in = weight.data<int8_t>();
  auto out = result.data<int8_t>();
  for (int64_t o = 0; o < rows; ++o) {
    for (int64_t h = 0; h < h_size; ++h) {
      for (int64_t w = 0; w < w_size; ++w) {
        for (int64_t c = 0; c < c_size; ++c) {
          out[o * columns + (h * w_size + w) * c_size + c] =
              in[o * columns + c * h_size * w_size + h * w_size + w];
        }
      }
    }
  }
  return result;
}

// A linear layer: `weight` is the ONNX weight, [K, O] (`transposed` false) or [O, K].
void lower_linear(Context& context, ir::Node& node, bool transposed, float alpha, size_t bias_index,
                  float beta) {
  const OutputMatch match = context.match_output(node, /*fusable=*/true);
  const Lowered input = context.activation(node, 0);
  const QuantizedConstant weight = symmetric_weight(context, node, 1);
  if (weight.data->rank() != 2) reject("weight of {} is not 2-D", node.describe());
  const int64_t out_axis = transposed ? 0 : 1;
  if (weight.quant.per_channel() && weight.quant.axis != out_axis) {
    reject(
        "weight '{}' of {} is quantized per channel along K (axis {}); per tensor or per "
        "output channel is required",
        node.input(1)->name, node.describe(), weight.quant.axis);
  }
  if (!(alpha > 0.0f)) {
    reject("attribute 'alpha' of {} is {}; only a positive alpha is lowered", node.describe(),
           alpha);
  }
  const int64_t outputs = weight.data->shape()[out_axis];
  ir::Tensor matrix = transposed ? *weight.data : permute(*weight.data, {1, 0});
  if (input.layout == Layout::kFlatNhwc) {
    matrix = permute_columns_to_nhwc(matrix, input.nhwc_source->shape);
  }
  ir::QuantParams weight_quant = weight.quant;
  for (float& scale : weight_quant.scales) scale *= alpha;  // alpha * A * B: part of B's scale
  if (weight_quant.per_channel()) weight_quant.axis = 0;
  const std::vector<float> scales = per_channel_scales(weight_quant, outputs);

  if (const ir::Value* bias = node.input(bias_index)) {
    const bool row = bias->numel() == outputs && bias->shape.back() == outputs;
    if (!row) {
      reject("bias '{}' of {} has shape {}; only a bias of {} values (one per output) is lowered",
             bias->name, node.describe(), ir::shape_string(bias->shape), outputs);
    }
  }
  const float input_scale = input.value->quant->scales[0];
  ir::Value* bias =
      lower_bias(context, node, bias_index, input_scale, scales, weight_quant.per_channel(), beta);
  ir::Value* weight_value =
      context.graph().add_constant(node.input(1)->name + "_linear", std::move(matrix));
  weight_value->quant = weight_quant;

  // Any other rank (MatMul: [.., T, K], or [K]): the linear runs over the rows [rows, K] of
  // the input in ONNX order, and the result [rows, O] is reshaped back to the ONNX output.
  ir::Value* rows = input.value;
  const ir::Value* x = node.input(0);
  if (x->rank() != 2) {
    const int64_t depth = x->shape.back();
    rows = context.reshape(context.as_onnx(input), {x->numel() / depth, depth});
  }
  ir::Value* result = node.output(0);
  ir::Value* out =
      context.new_value(result->name, ir::DType::kInt8, {rows->shape[0], outputs}, match.quant);
  std::vector<ir::Value*> inputs{rows, weight_value};
  if (bias != nullptr) inputs.push_back(bias);
  ir::Attributes attrs;
  set_activation(attrs, match);
  context.emit("cortex_m.quantized_linear", std::move(inputs), out, std::move(attrs), node.name);
  if (result->shape != out->shape) out = context.reshape(out, result->shape);
  finish(context, node, match, {out, Layout::kOnnx, nullptr});
}

// MatMul without a 2-D constant weight: lhs [.., R, K] times rhs [.., K, Cols] with the batch
// dims broadcasting (numpy, as ONNX), on batch_matmul_s8, which wants rhs transposed to
// [.., Cols, K]: a cortex_m.transpose of an activation, a compile-time permutation of a
// constant.
void lower_batch_matmul(Context& context, ir::Node& node) {
  const ir::Value* a = node.input(0);
  const ir::Value* b = node.input(1);
  for (const ir::Value* operand : {a, b}) {
    if (operand->rank() < 2 || operand->rank() > 4) {
      reject(
          "input '{}' of {} has shape {}; batch_matmul_s8 takes operands of rank 2 to 4 "
          "(1-D operands are not lowered)",
          operand->name, node.describe(), ir::shape_string(operand->shape));
    }
  }
  const OutputMatch match = context.match_output(node, /*fusable=*/true);
  const Lowered lhs = context.activation(node, 0);
  std::vector<int64_t> perm(static_cast<size_t>(b->rank()));
  std::iota(perm.begin(), perm.end(), 0);
  std::swap(perm[perm.size() - 1], perm[perm.size() - 2]);
  ir::Value* rhs = nullptr;
  if (context.is_quantized_constant(node, 1)) {
    const QuantizedConstant constant = context.quantized_constant(node, 1);
    if (constant.data->dtype() != ir::DType::kInt8 || constant.quant.per_channel()) {
      reject(
          "constant input 1 ('{}') of {} is not int8 quantized per tensor; batch_matmul_s8 "
          "takes one rhs scale and zero point",
          b->name, node.describe());
    }
    rhs = context.graph().add_constant(b->name + "_transposed", permute(*constant.data, perm));
    rhs->quant = constant.quant;
  } else {
    ir::Value* onnx_rhs = context.as_onnx(context.activation(node, 1));
    const ir::Node* producer = onnx_rhs->producer;
    if (producer != nullptr && producer->op == "cortex_m.transpose" &&
        producer->attrs.get_ints("perm") == perm) {
      rhs = producer->input(0);  // q @ k^T: k already is the kernel's rhs (the transpose dies)
    } else {
      rhs = context.transpose(onnx_rhs, perm);
    }
  }
  ir::Value* result = node.output(0);
  ir::Value* out = context.new_value(result->name, ir::DType::kInt8, result->shape, match.quant);
  ir::Attributes attrs;
  set_activation(attrs, match);
  context.emit("cortex_m.quantized_batch_matmul", {context.as_onnx(lhs), rhs}, out,
               std::move(attrs), node.name);
  finish(context, node, match, {out, Layout::kOnnx, nullptr});
}

}  // namespace

void lower_conv(Context& context, ir::Node& node) {
  const ir::Value* x = node.input(0);
  spatial_axes(node, "convolution");
  const OutputMatch match = context.match_output(node, /*fusable=*/true);
  const Lowered input = context.activation(node, 0);
  const QuantizedConstant weight = symmetric_weight(context, node, 1);
  const ir::Shape& onnx_w = weight.data->shape();
  const int64_t out_channels = onnx_w[0];
  if (weight.quant.per_channel() && weight.quant.axis != 0) {
    reject(
        "weight '{}' of {} is quantized per channel along axis {}; convolutions need axis 0 "
        "(output channels)",
        node.input(1)->name, node.describe(), weight.quant.axis);
  }
  const std::vector<float> scales = per_channel_scales(weight.quant, out_channels);
  const int64_t group = node.attrs.int_or("group", 1);
  const bool depthwise = group > 1 && group == x->shape[1];

  const ops::Window window = as_2d(ops::forward_window(
      node, {x->shape.begin() + 2, x->shape.end()}, {onnx_w.begin() + 2, onnx_w.end()},
      /*ceil_mode=*/false, /*has_dilations=*/true));
  ir::Attributes attrs;
  attrs.set("strides", std::vector<int64_t>{window[0].stride, window[1].stride});
  attrs.set("pads", std::vector<int64_t>{window[0].pad_begin, window[1].pad_begin,
                                         window[0].pad_end, window[1].pad_end});
  attrs.set("dilations", std::vector<int64_t>{window[0].dilation, window[1].dilation});
  if (!depthwise) attrs.set("groups", group);
  set_activation(attrs, match);

  ir::Value* in = context.as_nhwc(input);
  ir::Value* bias = lower_bias(context, node, 2, input.value->quant->scales[0], scales,
                               /*per_channel=*/true, 1.0);
  // OIHW -> OHWI; depthwise [Co, 1, KH, KW] -> [1, KH, KW, Co] (channels last, axis 3).
  ir::QuantParams weight_quant{scales, std::vector<int32_t>(scales.size(), 0), depthwise ? 3 : 0};
  ir::Value* weight_value = context.graph().add_constant(
      node.input(1)->name + (depthwise ? "_1hwo" : "_ohwi"),
      permute(weight_as_2d(*weight.data), depthwise ? std::vector<int64_t>{1, 2, 3, 0} : kToNhwc));
  weight_value->quant = weight_quant;

  ir::Value* result = node.output(0);
  ir::Value* out =
      context.new_value(result->name, ir::DType::kInt8, lowered_shape(result->shape), match.quant);
  std::vector<ir::Value*> inputs{in, weight_value};
  if (bias != nullptr) inputs.push_back(bias);
  context.emit(depthwise ? "cortex_m.quantized_depthwise_conv2d" : "cortex_m.quantized_conv2d",
               std::move(inputs), out, std::move(attrs), node.name);
  finish(context, node, match, {out, spatial_layout(result->shape), nullptr});
}

// ONNX ConvTranspose (weight [Ci, Co, K..]) on transpose_conv2d_s8 (weight [Co, KH, KW, Ci]).
// Per spatial axis the ONNX output is the full scatter result of size (in - 1) * stride + K,
// extended by output_padding / output_shape at the end and cropped by the pads; the kernel
// crops `begin` = the ONNX start padding (as ops/onnx/conv.cpp resolves pads, auto_pad and
// output_shape) and `end` = full - begin - out, which may be negative (an extension) down to
// min(0, K - stride). Dilations and groups have no kernel counterpart.
void lower_conv_transpose(Context& context, ir::Node& node) {
  const ir::Value* x = node.input(0);
  const size_t n = static_cast<size_t>(spatial_axes(node, "transposed convolution"));
  const int64_t group = node.attrs.int_or("group", 1);
  if (group != 1) {
    reject("attribute 'group' of {} is {}; transpose_conv2d_s8 has no groups (only group = 1)",
           node.describe(), group);
  }
  const std::vector<int64_t> dilations = ops::spatial_ints(node, "dilations", n, 1, 1);
  if (std::any_of(dilations.begin(), dilations.end(), [](int64_t d) { return d != 1; })) {
    reject("attribute 'dilations' of {} is {}; transpose_conv2d_s8 has no dilation (only 1)",
           node.describe(), ints_string(dilations));
  }
  const OutputMatch match = context.match_output(node, /*fusable=*/true);
  const Lowered input = context.activation(node, 0);
  const QuantizedConstant weight = symmetric_weight(context, node, 1);
  const ir::Shape& onnx_w = weight.data->shape();  // [Ci, Co, K..]
  const int64_t out_channels = onnx_w[1];
  if (weight.quant.per_channel() && weight.quant.axis != 1) {
    reject(
        "weight '{}' of {} is quantized per channel along axis {}; ConvTranspose needs axis 1 "
        "(its output channels)",
        node.input(1)->name, node.describe(), weight.quant.axis);
  }
  const std::vector<float> scales = per_channel_scales(weight.quant, out_channels);

  const std::vector<int64_t> strides = ops::spatial_ints(node, "strides", n, 1, 1);
  const std::vector<int64_t> pads = ops::spatial_ints(node, "pads", 2 * n, 0, 0);
  const std::vector<int64_t> output_padding = ops::spatial_ints(node, "output_padding", n, 0, 0);
  const std::string auto_pad = ops::auto_pad_of(node);
  const bool sized =
      node.attrs.has("output_shape") || auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER";
  const ir::Shape& y = node.output(0)->shape;
  std::vector<int64_t> kernel_strides{1, 1}, begins{0, 0}, ends{0, 0};
  for (size_t i = 0; i < n; ++i) {
    const size_t axis = i + 2 - n;  // H = 1 for 1-D: its entries stay 1 / 0 / 0
    const int64_t in = x->shape[i + 2], k = onnx_w[i + 2], stride = strides[i];
    const int64_t out = y[i + 2];
    const int64_t full = (in - 1) * stride + k;  // what the kernel scatters into
    int64_t begin = auto_pad == "NOTSET" ? pads[i] : 0;
    if (sized) {
      const int64_t total = full + output_padding[i] - out;
      begin = total < 0 ? 0 : auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
    }
    const int64_t end = full - begin - out;
    if (begin > k - 1) {
      reject(
          "{} crops {} at the start of spatial axis {}; transpose_conv2d_s8 crops at most "
          "K - 1 = {}",
          node.describe(), begin, i, k - 1);
    }
    if (end > k - 1) {
      reject(
          "{} crops {} at the end of spatial axis {}; transpose_conv2d_s8 crops at most "
          "K - 1 = {}",
          node.describe(), end, i, k - 1);
    }
    if (end < std::min<int64_t>(0, k - stride)) {
      reject(
          "{} extends spatial axis {} by {} past the full result (output_padding / "
          "output_shape); transpose_conv2d_s8 extends by at most stride - K = {}",
          node.describe(), i, -end, std::max<int64_t>(0, stride - k));
    }
    kernel_strides[axis] = stride;
    begins[axis] = begin;
    ends[axis] = end;
  }
  ir::Attributes attrs;
  attrs.set("strides", kernel_strides);
  attrs.set("pads", std::vector<int64_t>{begins[0], begins[1], ends[0], ends[1]});
  set_activation(attrs, match);

  ir::Value* in = context.as_nhwc(input);
  ir::Value* bias = lower_bias(context, node, 2, input.value->quant->scales[0], scales,
                               /*per_channel=*/true, 1.0);
  // [Ci, Co, KH, KW] -> [Co, KH, KW, Ci], per channel along axis 0.
  ir::Value* weight_value = context.graph().add_constant(
      node.input(1)->name + "_ohwi", permute(weight_as_2d(*weight.data), {1, 2, 3, 0}));
  weight_value->quant = ir::QuantParams{scales, std::vector<int32_t>(scales.size(), 0), 0};

  ir::Value* result = node.output(0);
  ir::Value* out =
      context.new_value(result->name, ir::DType::kInt8, lowered_shape(result->shape), match.quant);
  std::vector<ir::Value*> inputs{in, weight_value};
  if (bias != nullptr) inputs.push_back(bias);
  context.emit("cortex_m.quantized_transpose_conv2d", std::move(inputs), out, std::move(attrs),
               node.name);
  finish(context, node, match, {out, spatial_layout(result->shape), nullptr});
}

void lower_gemm(Context& context, ir::Node& node) {
  if (node.attrs.int_or("transA", 0) != 0) {
    reject("attribute 'transA' of {} is 1; only transA = 0 is lowered", node.describe());
  }
  lower_linear(context, node, node.attrs.int_or("transB", 0) == 1,
               node.attrs.float_or("alpha", 1.0f), 2, node.attrs.float_or("beta", 1.0f));
}

void lower_matmul(Context& context, ir::Node& node) {
  // A 2-D constant weight is a linear layer; anything else (two activations, a batched
  // constant) is a batch matmul.
  if (context.is_quantized_constant(node, 1) && node.input(1)->rank() == 2) {
    return lower_linear(context, node, /*transposed=*/false, 1.0f, /*bias_index=*/2, 1.0f);
  }
  lower_batch_matmul(context, node);
}

}  // namespace tinyexec::passes::lowering
