// SPDX-License-Identifier: Apache-2.0
// Lowering of the weighted ops: Conv (regular, grouped, depthwise) and Gemm / MatMul with a
// constant weight. Weights are rearranged at compile time into the kernels' layouts.
#include <algorithm>

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
  if (node.input(0)->rank() != 2) {
    reject("input '{}' of {} has shape {}; only 2-D inputs [batch, K] are lowered",
           node.input(0)->name, node.describe(), ir::shape_string(node.input(0)->shape));
  }
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

  ir::Value* result = node.output(0);
  ir::Value* out = context.new_value(result->name, ir::DType::kInt8, result->shape, match.quant);
  std::vector<ir::Value*> inputs{input.value, weight_value};
  if (bias != nullptr) inputs.push_back(bias);
  ir::Attributes attrs;
  set_activation(attrs, match);
  context.emit("cortex_m.quantized_linear", std::move(inputs), out, std::move(attrs), node.name);
  finish(context, node, match, {out, Layout::kOnnx, nullptr});
}

}  // namespace

void lower_conv(Context& context, ir::Node& node) {
  const ir::Value* x = node.input(0);
  if (x->rank() != 4) {
    reject("{} is a {}-D convolution; only 2-D ones (input rank 4) are lowered", node.describe(),
           x->rank() - 2);
  }
  const OutputMatch match = context.match_output(node, /*fusable=*/true);
  const Lowered input = context.activation(node, 0);
  const QuantizedConstant weight = symmetric_weight(context, node, 1);
  const ir::Shape& w = weight.data->shape();
  const int64_t out_channels = w[0];
  if (weight.quant.per_channel() && weight.quant.axis != 0) {
    reject(
        "weight '{}' of {} is quantized per channel along axis {}; convolutions need axis 0 "
        "(output channels)",
        node.input(1)->name, node.describe(), weight.quant.axis);
  }
  const std::vector<float> scales = per_channel_scales(weight.quant, out_channels);
  const int64_t group = node.attrs.int_or("group", 1);
  const bool depthwise = group > 1 && group == x->shape[1];

  const ops::Window window = ops::forward_window(node, {x->shape[2], x->shape[3]}, {w[2], w[3]},
                                                 /*ceil_mode=*/false, /*has_dilations=*/true);
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
      permute(*weight.data, depthwise ? std::vector<int64_t>{1, 2, 3, 0} : kToNhwc));
  weight_value->quant = weight_quant;

  ir::Value* result = node.output(0);
  ir::Value* out = context.new_value(result->name, ir::DType::kInt8,
                                     permute_shape(result->shape, kToNhwc), match.quant);
  std::vector<ir::Value*> inputs{in, weight_value};
  if (bias != nullptr) inputs.push_back(bias);
  context.emit(depthwise ? "cortex_m.quantized_depthwise_conv2d" : "cortex_m.quantized_conv2d",
               std::move(inputs), out, std::move(attrs), node.name);
  finish(context, node, match, {out, Layout::kNhwc, nullptr});
}

void lower_gemm(Context& context, ir::Node& node) {
  if (node.attrs.int_or("transA", 0) != 0) {
    reject("attribute 'transA' of {} is 1; only transA = 0 is lowered", node.describe());
  }
  lower_linear(context, node, node.attrs.int_or("transB", 0) == 1,
               node.attrs.float_or("alpha", 1.0f), 2, node.attrs.float_or("beta", 1.0f));
}

void lower_matmul(Context& context, ir::Node& node) {
  lower_linear(context, node, /*transposed=*/false, 1.0f, /*bias_index=*/2, 1.0f);
}

}  // namespace tinyexec::passes::lowering
