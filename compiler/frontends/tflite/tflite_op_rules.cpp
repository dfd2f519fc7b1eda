// SPDX-License-Identifier: Apache-2.0
// One conversion per TFLite builtin operator: TFLite int8 semantics (as TFLite Micro's
// kernels compute them) expressed with cortex_m ops whose (params) attributes are computed
// here, from the model's own quantization. docs/tflite.md lists what each becomes and why.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>

#include "frontends/tflite/tflite_model.h"
#include "frontends/tflite/tflm_arith.h"
#include "passes/compute_kernel_params.h"
#include "tinyexec/kernels/requant.h"

namespace tinyexec::frontends::tflite_import {
namespace {

using ir::Attributes;
using ir::DType;
using ir::QuantParams;
using ir::Shape;
using ir::Tensor;
using ir::Value;

constexpr int32_t kAddLeftShift = 20;

std::string describe(const OpContext& c) {
  return fmt::format("operator {} ({})", c.index(), c.type());
}

// --- shared checks and attribute helpers

// A fused activation as the output's int8 range.
tflm::Range fused_activation(const OpContext& c, fb::ActivationFunctionType activation,
                             const QuantParams& out) {
  const int a = static_cast<int>(activation);
  if (a > 3) {
    c.error(fmt::format("fused activation {} is not supported (supported: NONE, RELU, "
                        "RELU_N1_TO_1, RELU6)",
                        fb::EnumNameActivationFunctionType(activation)));
  }
  return tflm::activation_range(a, out.scales[0], out.zero_points[0]);
}

void set_activation(Attributes& attrs, const tflm::Range& range) {
  attrs.set("activation_min", int64_t{range.min});
  attrs.set("activation_max", int64_t{range.max});
}

float scale_of(const Value* v) { return v->quant->scales[0]; }
int32_t zero_point_of(const Value* v) { return v->quant->zero_points[0]; }

void expect_same_quant(const OpContext& c, const Value* input, const QuantParams& out,
                       const char* why) {
  if (!(*input->quant == out)) {
    c.error(fmt::format("input '{}' is quantized {}, the output {}; {}", input->name,
                        input->quant->to_string(), out.to_string(), why));
  }
}

Value* activation_input(OpContext& c, size_t i) {
  Value* v = c.int8_input(i);
  if (v->is_constant()) c.error(fmt::format("input {} ('{}') is a constant; an activation is expected", i, v->name));
  return v;
}

// A constant int8 weight of `rank`, symmetric when `symmetric`.
Value* weight_input(OpContext& c, size_t i, int64_t rank, bool symmetric) {
  Value* w = c.input(i);
  if (!w->is_constant()) {
    c.error(fmt::format("weight '{}' is not a constant (weights computed at run time are not "
                        "supported)",
                        w->name));
  }
  if (w->dtype != DType::kInt8) {
    c.error(fmt::format("weight '{}' is {}; supported: int8 weights{}", w->name,
                        ir::dtype_name(w->dtype),
                        w->dtype == DType::kFloat32 ? " (float models are not supported yet: "
                                                      "quantize the model to int8)"
                                                    : ""));
  }
  if (w->rank() != rank) {
    c.error(fmt::format("weight '{}' {} must have rank {}", w->name, ir::shape_string(w->shape),
                        rank));
  }
  if (!w->quant) c.error(fmt::format("weight '{}' has no quantization parameters", w->name));
  if (symmetric) {
    for (int32_t zp : w->quant->zero_points) {
      if (zp != 0) {
        c.error(fmt::format("weight '{}' has zero point {}; int8 weights must be symmetric "
                            "(zero point 0)",
                            w->name, zp));
      }
    }
  }
  return w;
}

Value* bias_input(OpContext& c, size_t i, int64_t channels) {
  if (!c.has_input(i)) return nullptr;
  Value* b = c.input(i);
  if (!b->is_constant()) c.error(fmt::format("bias '{}' is not a constant", b->name));
  if (b->dtype != DType::kInt32) {
    c.error(fmt::format("bias '{}' is {}; supported: int32 bias (int8 models){}", b->name,
                        ir::dtype_name(b->dtype),
                        b->dtype == DType::kInt64 ? " — int64 bias (16x8 models) is not supported"
                                                  : ""));
  }
  if (b->numel() != channels) {
    c.error(fmt::format("bias '{}' {} must have {} values", b->name, ir::shape_string(b->shape),
                        channels));
  }
  if (b->rank() != 1) {
    Value* flat = c.add_constant("bias", b->constant->reshaped({channels}), std::nullopt);
    return flat;
  }
  b->quant.reset();  // the kernels take the bias as plain int32 (scale = input * weight)
  return b;
}

std::vector<int64_t> multipliers_of(const std::vector<passes::Requantization>& r) {
  std::vector<int64_t> v;
  for (const auto& x : r) v.push_back(x.multiplier);
  return v;
}
std::vector<int64_t> shifts_of(const std::vector<passes::Requantization>& r) {
  std::vector<int64_t> v;
  for (const auto& x : r) v.push_back(x.shift);
  return v;
}

// TFLite padding: the output size and the (before, after) padding of one spatial axis.
struct AxisPadding {
  int64_t out = 0, before = 0, after = 0;
};

AxisPadding axis_padding(const OpContext& c, fb::Padding padding, int64_t in, int64_t kernel,
                         int64_t stride, int64_t dilation, const char* axis) {
  if (stride < 1 || dilation < 1) {
    c.error(fmt::format("stride {} / dilation {} on the {} axis must be >= 1", stride, dilation,
                        axis));
  }
  const int64_t effective = (kernel - 1) * dilation + 1;
  AxisPadding p;
  if (padding == fb::Padding::SAME) {
    p.out = (in + stride - 1) / stride;
  } else if (padding == fb::Padding::VALID) {
    p.out = (in - effective + stride) / stride;
  } else {
    c.error("padding must be SAME or VALID");
  }
  if (p.out < 1) {
    c.error(fmt::format("the {} window ({}) is larger than the input ({})", axis, effective, in));
  }
  const int64_t total = std::max<int64_t>((p.out - 1) * stride + effective - in, 0);
  p.before = total / 2;
  p.after = total - p.before;
  return p;
}

// --- convolutions

void convert_conv(OpContext& c, bool depthwise) {
  c.expect_inputs(2, 3);
  c.expect_outputs(1);
  Value* x = activation_input(c, 0);
  Value* w = weight_input(c, 1, 4, /*symmetric=*/true);
  if (x->rank() != 4) c.error(fmt::format("input {} must be 4-D NHWC", ir::shape_string(x->shape)));
  const int64_t channels = depthwise ? w->shape[3] : w->shape[0];
  Value* bias = bias_input(c, 2, channels);
  fb::Padding padding;
  int64_t stride_h, stride_w, dilation_h, dilation_w;
  fb::ActivationFunctionType activation;
  if (depthwise) {
    const auto* o = c.options<fb::DepthwiseConv2DOptions>(fb::BuiltinOptions::DepthwiseConv2DOptions);
    if (o == nullptr) c.error("DepthwiseConv2DOptions are missing");
    padding = o->padding();
    stride_h = o->stride_h();
    stride_w = o->stride_w();
    dilation_h = o->dilation_h_factor();
    dilation_w = o->dilation_w_factor();
    activation = o->fused_activation_function();
    if (w->shape[0] != 1 || channels % x->shape[3] != 0) {
      c.error(fmt::format("depthwise weight {} must be [1, KH, KW, C * multiplier] for input {}",
                          ir::shape_string(w->shape), ir::shape_string(x->shape)));
    }
    if (w->quant->per_channel() && w->quant->axis != 3) {
      c.error("depthwise weights must be quantized per channel along dimension 3");
    }
  } else {
    const auto* o = c.options<fb::Conv2DOptions>(fb::BuiltinOptions::Conv2DOptions);
    if (o == nullptr) c.error("Conv2DOptions are missing");
    padding = o->padding();
    stride_h = o->stride_h();
    stride_w = o->stride_w();
    dilation_h = o->dilation_h_factor();
    dilation_w = o->dilation_w_factor();
    activation = o->fused_activation_function();
    if (o->quantized_bias_type() != fb::TensorType::FLOAT32 &&
        o->quantized_bias_type() != fb::TensorType::INT32) {
      c.error("quantized_bias_type other than INT32 is not supported");
    }
    if (w->shape[3] < 1 || x->shape[3] % w->shape[3] != 0) {
      c.error(fmt::format("weight {} does not fit input {} (input channels must be a multiple "
                          "of the weight's)",
                          ir::shape_string(w->shape), ir::shape_string(x->shape)));
    }
    if (w->quant->per_channel() && w->quant->axis != 0) {
      c.error("convolution weights must be quantized per channel along dimension 0");
    }
  }
  const QuantParams out = c.output_quant();
  const AxisPadding ph = axis_padding(c, padding, x->shape[1], w->shape[1], stride_h, dilation_h, "height");
  const AxisPadding pw = axis_padding(c, padding, x->shape[2], w->shape[2], stride_w, dilation_w, "width");
  Attributes attrs;
  attrs.set("strides", std::vector<int64_t>{stride_h, stride_w});
  attrs.set("dilations", std::vector<int64_t>{dilation_h, dilation_w});
  attrs.set("pads", std::vector<int64_t>{ph.before, pw.before, ph.after, pw.after});
  if (!depthwise) attrs.set("groups", x->shape[3] / w->shape[3]);
  set_activation(attrs, fused_activation(c, activation, out));
  // PopulateConvolutionQuantizationParams: per channel, in double.
  const auto r = passes::per_channel_requantization(scale_of(x), w->quant->scales, out.scales[0],
                                                    channels, describe(c));
  attrs.set("multipliers", multipliers_of(r));
  attrs.set("shifts", shifts_of(r));
  std::vector<Value*> inputs{x, w};
  if (bias != nullptr) inputs.push_back(bias);
  c.add_output_node(depthwise ? "cortex_m.quantized_depthwise_conv2d" : "cortex_m.quantized_conv2d",
                    inputs, attrs);
}

// --- fully connected

void convert_fully_connected(OpContext& c) {
  c.expect_inputs(2, 3);
  c.expect_outputs(1);
  Value* x = activation_input(c, 0);
  Value* w = weight_input(c, 1, 2, /*symmetric=*/false);
  const int64_t rows = w->shape[0], depth = w->shape[1];
  Value* bias = bias_input(c, 2, rows);
  const auto* o = c.options<fb::FullyConnectedOptions>(fb::BuiltinOptions::FullyConnectedOptions);
  fb::ActivationFunctionType activation = fb::ActivationFunctionType::NONE;
  if (o != nullptr) {
    if (o->weights_format() != fb::FullyConnectedOptionsWeightsFormat::DEFAULT) {
      c.error("shuffled weights (weights_format SHUFFLED4x16INT8) are not supported");
    }
    activation = o->fused_activation_function();
  }
  if (w->quant->per_channel()) {
    if (w->quant->axis != 0) c.error("per-channel weights must be quantized along dimension 0");
    for (int32_t zp : w->quant->zero_points) {
      if (zp != 0) c.error("per-channel weights must have zero point 0");
    }
  }
  if (x->numel() % depth != 0) {
    c.error(fmt::format("input {} does not split into rows of the weight's depth {}",
                        ir::shape_string(x->shape), depth));
  }
  const int64_t batches = x->numel() / depth;
  const QuantParams out = c.output_quant();
  Value* rows_in = x;
  if (x->shape != Shape{batches, depth}) {
    Attributes reshape;
    reshape.set("shape", std::vector<int64_t>{batches, depth});
    rows_in = c.add_intermediate("cortex_m.reshape", {x}, reshape, DType::kInt8, {batches, depth},
                                 x->quant);
  }
  Attributes attrs;
  set_activation(attrs, fused_activation(c, activation, out));
  std::vector<passes::Requantization> r;
  if (w->quant->scales.size() == 1) {
    // GetQuantizedConvolutionMultipler: the float product, then double.
    r.push_back(passes::product_requantization(scale_of(x), w->quant->scales[0], out.scales[0],
                                               describe(c)));
  } else {
    r = passes::per_channel_requantization(scale_of(x), w->quant->scales, out.scales[0], rows,
                                           describe(c));
  }
  attrs.set("multipliers", multipliers_of(r));
  attrs.set("shifts", shifts_of(r));
  attrs.set("kernel_sums",
            passes::kernel_sums(*w->constant, w->quant->zero_points[0],
                                bias != nullptr ? bias->constant.get() : nullptr,
                                x->quant->zero_points[0]));
  std::vector<Value*> inputs{rows_in, w};
  if (bias != nullptr) inputs.push_back(bias);
  if (c.output_shape() == Shape{batches, rows}) {
    c.add_output_node("cortex_m.quantized_linear", inputs, attrs);
    return;
  }
  Value* y = c.add_intermediate("cortex_m.quantized_linear", inputs, attrs, DType::kInt8,
                                {batches, rows}, out);
  Attributes reshape;
  reshape.set("shape", c.output_shape());
  c.add_output_node("cortex_m.reshape", {y}, reshape);
}

// --- element-wise binary ops

fb::ActivationFunctionType binary_activation(OpContext& c) {
  switch (c.code()) {
    case kAdd: {
      const auto* o = c.options<fb::AddOptions>(fb::BuiltinOptions::AddOptions);
      return o != nullptr ? o->fused_activation_function() : fb::ActivationFunctionType::NONE;
    }
    case kSub: {
      const auto* o = c.options<fb::SubOptions>(fb::BuiltinOptions::SubOptions);
      return o != nullptr ? o->fused_activation_function() : fb::ActivationFunctionType::NONE;
    }
    default: {
      const auto* o = c.options<fb::MulOptions>(fb::BuiltinOptions::MulOptions);
      return o != nullptr ? o->fused_activation_function() : fb::ActivationFunctionType::NONE;
    }
  }
}

std::vector<int64_t> table_attr(const std::vector<int8_t>& table) {
  return std::vector<int64_t>(table.begin(), table.end());
}

// SUB as ADD of the negated second input. The negation is exact in int8: -1 - b with zero
// point -1 - zb represents -(real b). The add kernel then scales (zb - b) where TFLite scales
// (b - zb) and negates the result; the two differ only where the doubling high multiply meets
// an exact tie, which is checked here for all 256 values of b.
Value* negated_input(OpContext& c, Value* b, const passes::Requantization& input2) {
  for (int v = -128; v <= 127; ++v) {
    const int32_t shifted = (v - zero_point_of(b)) * (1 << kAddLeftShift);
    const int32_t tflite = -kernels::requantize(shifted, input2.multiplier, input2.shift);
    const int32_t ours = kernels::requantize(-shifted, input2.multiplier, input2.shift);
    if (tflite != ours) {
      c.error(fmt::format(
          "the second input's scaling (multiplier {}, shift {}) rounds a tie at input {} "
          "differently once negated, so SUB cannot be reproduced bit-exactly with "
          "quantized_add; not supported for these scales",
          input2.multiplier, input2.shift, v));
    }
  }
  QuantParams quant = *b->quant;
  quant.zero_points[0] = -1 - quant.zero_points[0];
  if (b->is_constant()) {
    Tensor data(DType::kInt8, b->shape);
    const auto in = b->constant->data<int8_t>();
    auto out = data.data<int8_t>();
    for (size_t i = 0; i < in.size(); ++i) out[i] = static_cast<int8_t>(-1 - in[i]);
    return c.add_constant("negated", std::move(data), quant);
  }
  std::vector<int8_t> table(256);
  for (int i = 0; i < 256; ++i) table[i] = static_cast<int8_t>(-1 - (i - 128));
  Attributes attrs;
  attrs.set("function", std::string("negate"));
  attrs.set("table", table_attr(table));
  return c.add_intermediate("cortex_m.lut", {b}, attrs, DType::kInt8, b->shape, quant);
}

void convert_binary(OpContext& c) {
  c.expect_inputs(2, 2);
  c.expect_outputs(1);
  Value* a = c.int8_input(0);
  Value* b = c.int8_input(1);
  if (a->is_constant() && b->is_constant()) c.error("both inputs are constants (fold them first)");
  if (a->rank() > 4 || b->rank() > 4) c.error("inputs of rank > 4 are not supported");
  const QuantParams out = c.output_quant();
  Attributes attrs;
  set_activation(attrs, fused_activation(c, binary_activation(c), out));
  if (c.code() == kMul) {
    const passes::Requantization r =
        passes::mul_requantization(scale_of(a), scale_of(b), out.scales[0], describe(c));
    attrs.set("output_multiplier", int64_t{r.multiplier});
    attrs.set("output_shift", int64_t{r.shift});
    c.add_output_node("cortex_m.quantized_mul", {a, b}, attrs);
    return;
  }
  const passes::AddRequantization r =
      passes::add_requantization(scale_of(a), scale_of(b), out.scales[0], describe(c));
  passes::set_add_params(attrs, r);
  if (c.code() == kSub) b = negated_input(c, b, r.input2);
  c.add_output_node("cortex_m.quantized_add", {a, b}, attrs);
}

// --- pooling

void convert_pool(OpContext& c) {
  c.expect_inputs(1, 1);
  c.expect_outputs(1);
  Value* x = activation_input(c, 0);
  if (x->rank() != 4) c.error(fmt::format("input {} must be 4-D NHWC", ir::shape_string(x->shape)));
  const auto* o = c.options<fb::Pool2DOptions>(fb::BuiltinOptions::Pool2DOptions);
  if (o == nullptr) c.error("Pool2DOptions are missing");
  const QuantParams out = c.output_quant();
  expect_same_quant(c, x, out, "pooling keeps its input's quantization (TFLite Micro requires it)");
  const AxisPadding ph = axis_padding(c, o->padding(), x->shape[1], o->filter_height(), o->stride_h(), 1, "height");
  const AxisPadding pw = axis_padding(c, o->padding(), x->shape[2], o->filter_width(), o->stride_w(), 1, "width");
  Attributes attrs;
  attrs.set("kernel", std::vector<int64_t>{o->filter_height(), o->filter_width()});
  attrs.set("strides", std::vector<int64_t>{o->stride_h(), o->stride_w()});
  attrs.set("pads", std::vector<int64_t>{ph.before, pw.before, ph.after, pw.after});
  set_activation(attrs, fused_activation(c, o->fused_activation_function(), out));
  c.add_output_node(c.code() == kAveragePool2d ? "cortex_m.avg_pool2d" : "cortex_m.max_pool2d", {x},
                    attrs);
}

// --- data movement

void convert_reshape(OpContext& c) {
  c.expect_inputs(1, 2);
  c.expect_outputs(1);
  Value* x = activation_input(c, 0);
  const QuantParams out = c.output_quant();
  expect_same_quant(c, x, out, "a reshape keeps its input's quantization");
  const Shape shape = c.output_shape();
  if (ir::shape_numel(shape) != x->numel()) {
    c.error(fmt::format("output {} has another element count than input {}",
                        ir::shape_string(shape), ir::shape_string(x->shape)));
  }
  Attributes attrs;
  attrs.set("shape", shape);
  c.add_output_node("cortex_m.reshape", {x}, attrs);
}

void convert_softmax(OpContext& c) {
  c.expect_inputs(1, 1);
  c.expect_outputs(1);
  Value* x = activation_input(c, 0);
  const auto* o = c.options<fb::SoftmaxOptions>(fb::BuiltinOptions::SoftmaxOptions);
  const double beta = o != nullptr ? static_cast<double>(o->beta()) : 1.0;
  if (!(beta > 0.0) || !std::isfinite(beta)) c.error(fmt::format("beta {} must be > 0", beta));
  const QuantParams out = c.output_quant();
  if (out.scales[0] != 1.0f / 256.0f || out.zero_points[0] != -128) {
    c.error(fmt::format("output is quantized {}; the int8 softmax's output must be scale 1/256, "
                        "zero point -128",
                        out.to_string()));
  }
  const passes::SoftmaxScaling s = passes::softmax_scaling(scale_of(x), beta, describe(c));
  Attributes attrs;
  attrs.set("input_multiplier", int64_t{s.input_multiplier});
  attrs.set("input_left_shift", int64_t{s.input_left_shift});
  attrs.set("diff_min", int64_t{s.diff_min});
  c.add_output_node("cortex_m.softmax", {x}, attrs);
}

std::vector<int64_t> int_values(OpContext& c, size_t i, const char* what) {
  const Tensor& t = c.constant_input(i);
  if (t.dtype() != DType::kInt32 && t.dtype() != DType::kInt64) {
    c.error(fmt::format("{} must be int32 or int64", what));
  }
  return t.to_int_vector();
}

void convert_pad(OpContext& c) {
  c.expect_inputs(2, 2);
  c.expect_outputs(1);
  Value* x = activation_input(c, 0);
  const std::vector<int64_t> paddings = int_values(c, 1, "paddings");
  const size_t rank = x->shape.size();
  if (rank > 4 || paddings.size() != 2 * rank) {
    c.error(fmt::format("paddings must be [{}, 2] for input {} (rank <= 4)", rank,
                        ir::shape_string(x->shape)));
  }
  const QuantParams out = c.output_quant();
  expect_same_quant(c, x, out, "PAD keeps its input's quantization (TFLite Micro requires it)");
  std::vector<int64_t> pads(2 * rank);
  for (size_t d = 0; d < rank; ++d) {
    pads[d] = paddings[2 * d];
    pads[d + rank] = paddings[2 * d + 1];
    if (pads[d] < 0 || pads[d + rank] < 0) c.error("negative paddings are not supported");
  }
  Attributes attrs;
  attrs.set("pads", pads);
  c.add_output_node("cortex_m.pad", {x}, attrs);
}

void convert_transpose(OpContext& c) {
  c.expect_inputs(2, 2);
  c.expect_outputs(1);
  Value* x = activation_input(c, 0);
  const std::vector<int64_t> perm = int_values(c, 1, "perm");
  const QuantParams out = c.output_quant();
  expect_same_quant(c, x, out, "TRANSPOSE keeps its input's quantization");
  Attributes attrs;
  attrs.set("perm", perm);
  c.add_output_node("cortex_m.transpose", {x}, attrs);
}

// An int8 -> int8 table op (the op's output node, or an intermediate when `intermediate`).
Value* lut(OpContext& c, Value* x, const std::string& function, const std::vector<int8_t>& table,
           const QuantParams* intermediate_quant) {
  Attributes attrs;
  attrs.set("function", function);
  attrs.set("table", table_attr(table));
  if (intermediate_quant != nullptr) {
    return c.add_intermediate("cortex_m.lut", {x}, attrs, DType::kInt8, x->shape, *intermediate_quant);
  }
  c.add_output_node("cortex_m.lut", {x}, attrs);
  return nullptr;
}

Value* requantized(OpContext& c, Value* x, const QuantParams& out) {
  const std::vector<int8_t> table =
      tflm::requantize_table(scale_of(x), zero_point_of(x), out.scales[0], out.zero_points[0]);
  if (x->is_constant()) {
    Tensor data(DType::kInt8, x->shape);
    const auto in = x->constant->data<int8_t>();
    auto o = data.data<int8_t>();
    for (size_t i = 0; i < in.size(); ++i) o[i] = table[static_cast<size_t>(in[i] + 128)];
    return c.add_constant("requantized", std::move(data), out);
  }
  return lut(c, x, "tflm_requantize", table, &out);
}

void convert_concatenation(OpContext& c) {
  c.expect_inputs(1, 64);
  c.expect_outputs(1);
  const auto* o = c.options<fb::ConcatenationOptions>(fb::BuiltinOptions::ConcatenationOptions);
  if (o == nullptr) c.error("ConcatenationOptions are missing");
  if (o->fused_activation_function() != fb::ActivationFunctionType::NONE) {
    c.error("a fused activation on CONCATENATION is not supported");
  }
  const QuantParams out = c.output_quant();
  std::vector<Value*> inputs;
  for (size_t i = 0; i < c.num_inputs(); ++i) {
    Value* x = c.int8_input(i);
    // TFLite Micro requires equal quantization; a differing input is requantized first, as
    // an int8 QUANTIZE would (tinyexec's extension).
    inputs.push_back(*x->quant == out ? x : requantized(c, x, out));
  }
  const int64_t rank = inputs[0]->rank();
  int64_t axis = o->axis();
  if (axis < -rank || axis >= rank) c.error(fmt::format("axis {} is out of range", axis));
  if (axis < 0) axis += rank;
  Attributes attrs;
  attrs.set("axis", axis);
  c.add_output_node("cortex_m.concat", inputs, attrs);
}

// --- element-wise functions (tables)

void convert_table_op(OpContext& c) {
  c.expect_inputs(1, 1);
  c.expect_outputs(1);
  Value* x = activation_input(c, 0);
  const QuantParams out = c.output_quant();
  if (c.code() == kLogistic) {
    if (out.zero_points[0] != -128 || out.scales[0] != 1.0f / 256.0f) {
      c.error(fmt::format("output is quantized {}; the int8 LOGISTIC's must be 1/256, -128",
                          out.to_string()));
    }
    lut(c, x, "tflm_logistic", tflm::logistic_table(scale_of(x), zero_point_of(x)), nullptr);
  } else if (c.code() == kTanh) {
    if (out.zero_points[0] != 0 || out.scales[0] != 1.0f / 128.0f) {
      c.error(fmt::format("output is quantized {}; the int8 TANH's must be 1/128, 0",
                          out.to_string()));
    }
    lut(c, x, "tflm_tanh", tflm::tanh_table(scale_of(x), zero_point_of(x)), nullptr);
  } else if (c.code() == kHardSwish) {
    try {
      lut(c, x, "tflm_hard_swish",
          tflm::hard_swish_table(scale_of(x), zero_point_of(x), out.scales[0], out.zero_points[0]),
          nullptr);
    } catch (const CompileError& e) {
      c.error(e.what());
    }
  }
}

void convert_quantize(OpContext& c) {
  c.expect_inputs(1, 1);
  c.expect_outputs(1);
  Value* x = c.input(0);
  const QuantParams out = c.output_quant();
  if (x->dtype == DType::kFloat32) {
    if (x->is_constant()) c.error("quantizing a constant is not supported");
    c.add_output_node("cortex_m.quantize", {x}, {});
    return;
  }
  x = activation_input(c, 0);
  lut(c, x, "tflm_requantize",
      tflm::requantize_table(scale_of(x), zero_point_of(x), out.scales[0], out.zero_points[0]),
      nullptr);
}

void convert_dequantize(OpContext& c) {
  c.expect_inputs(1, 1);
  c.expect_outputs(1);
  Value* x = activation_input(c, 0);
  if (c.output_type() != fb::TensorType::FLOAT32) c.error("output must be FLOAT32");
  c.add_output_node("cortex_m.dequantize", {x}, {});
}

// --- MEAN

// MEAN as TFLite Micro computes it for int8: the raw sum S of the reduced values, then
//   equal input/output quantization: trunc(S / n) (reference_ops::Mean, integer division);
//   otherwise: round(float(S) / n * (s_in / s_out) - z_in * (s_in / s_out)) + z_out in float.
// Both are functions of S alone. A depthwise convolution of weight W over the reduced values
// computes W * (S - n z_in) + bias and requantizes it; its multiplier, shift and bias are
// chosen to round at the same places, and the result is checked for every possible S.
// trunc needs two (floor, then max with 0; ceil) and a minimum of the two.
struct SumRequant {
  int32_t multiplier = 0, shift = 0, bias = 0;
  tflm::Range range;
};

constexpr int32_t kMeanWeight = 64;

int32_t mean_conv_output(const SumRequant& r, int64_t s, int64_t n, int32_t zi, int32_t zo) {
  const int32_t acc = static_cast<int32_t>(kMeanWeight * (s - n * zi) + r.bias);
  const int32_t value = kernels::requantize(acc, r.multiplier, r.shift) + zo;
  return std::clamp(value, r.range.min, r.range.max);
}

void convert_mean(OpContext& c) {
  c.expect_inputs(2, 2);
  c.expect_outputs(1);
  Value* x = activation_input(c, 0);
  const int64_t rank = x->rank();
  if (rank < 1 || rank > 4) c.error("input rank must be 1 to 4");
  std::set<int64_t> axes;
  for (int64_t a : int_values(c, 1, "axis")) {
    if (a < -rank || a >= rank) c.error(fmt::format("axis {} is out of range", a));
    axes.insert(a < 0 ? a + rank : a);
  }
  if (axes.empty()) c.error("no axis to reduce");
  const int64_t first = *axes.begin(), last = *axes.rbegin();
  if (last - first + 1 != static_cast<int64_t>(axes.size())) {
    c.error("reducing non-adjacent axes is not supported");
  }
  int64_t before = 1, n = 1, after = 1;
  for (int64_t d = 0; d < rank; ++d) {
    const int64_t size = x->shape[static_cast<size_t>(d)];
    (d < first ? before : d > last ? after : n) *= size;
  }
  if (n > 65536) c.error(fmt::format("reducing {} values at once is not supported", n));
  const QuantParams out = c.output_quant();
  const float si = scale_of(x), so = out.scales[0];
  const int32_t zi = zero_point_of(x), zo = out.zero_points[0];
  const bool same = si == so && zi == zo;
  auto expected = [&](int64_t s) -> int32_t {
    if (same) return static_cast<int32_t>(s / n);
    const float scale = si / so;
    const float bias = static_cast<float>(-zi) * scale;
    const float mean = static_cast<float>(s) / static_cast<float>(n);
    float result = std::min(std::round(mean * scale + bias) + static_cast<float>(zo), 127.0f);
    result = std::max(result, -128.0f);
    return static_cast<int32_t>(result);
  };
  // One requantization of the sum, searched around the nominal multiplier until it agrees
  // with `target` for every S.
  auto fit = [&](double real, int32_t bias, tflm::Range range, auto target) -> SumRequant {
    SumRequant r;
    if (kernels::quantize_multiplier(real, &r.multiplier, &r.shift) != kernels::Status::kOk) {
      c.error(fmt::format("the scale ratio {} cannot be represented", real));
    }
    r.bias = bias;
    r.range = range;
    const int32_t nominal = r.multiplier;
    for (int32_t delta : {0, 1, -1, 2, -2, 3, -3}) {
      r.multiplier = nominal + delta;
      bool ok = r.multiplier >= 0;
      for (int64_t s = -128 * n; ok && s <= 127 * n; ++s) {
        ok = mean_conv_output(r, s, n, zi, zo) == target(s);
      }
      if (ok) return r;
    }
    c.error("no requantization reproduces TFLite Micro's rounding of the mean for these scales; "
            "not supported");
  };
  // Reduction as a depthwise convolution over [1, before, n, after].
  Value* x4 = x;
  const Shape shape4{1, before, n, after};
  if (x->shape != shape4) {
    Attributes reshape;
    reshape.set("shape", shape4);
    x4 = c.add_intermediate("cortex_m.reshape", {x}, reshape, DType::kInt8, shape4, x->quant);
  }
  Tensor ones(DType::kInt8, {1, 1, n, after});
  for (int8_t& v : ones.data<int8_t>()) v = static_cast<int8_t>(kMeanWeight);
  QuantParams weight_quant;
  weight_quant.scales = {1.0f / kMeanWeight};
  weight_quant.zero_points = {0};
  Value* weight = c.add_constant("mean_weight", std::move(ones), weight_quant);
  const Shape sum_shape{1, before, 1, after};
  auto sum_node = [&](const SumRequant& r, bool final_node) -> Value* {
    Tensor bias(DType::kInt32, {after});
    for (int32_t& v : bias.data<int32_t>()) v = r.bias;
    Value* bias_value = c.add_constant("mean_bias", std::move(bias), std::nullopt);
    Attributes attrs;
    attrs.set("strides", std::vector<int64_t>{1, 1});
    attrs.set("pads", std::vector<int64_t>{0, 0, 0, 0});
    set_activation(attrs, r.range);
    attrs.set("multipliers", std::vector<int64_t>(static_cast<size_t>(after), r.multiplier));
    attrs.set("shifts", std::vector<int64_t>(static_cast<size_t>(after), r.shift));
    if (final_node) {
      c.add_output_node("cortex_m.quantized_depthwise_conv2d", {x4, weight, bias_value}, attrs);
      return nullptr;
    }
    return c.add_intermediate("cortex_m.quantized_depthwise_conv2d", {x4, weight, bias_value},
                              attrs, DType::kInt8, sum_shape, out);
  };
  const bool reshape_after = c.output_shape() != sum_shape;
  const int64_t w = kMeanWeight;
  if (!same) {
    const SumRequant r =
        fit(static_cast<double>(si) / static_cast<double>(so) / static_cast<double>(w * n), 0,
            tflm::Range{}, expected);
    Value* sum = sum_node(r, !reshape_after);
    if (reshape_after) {
      Attributes reshape;
      reshape.set("shape", c.output_shape());
      c.add_output_node("cortex_m.reshape", {sum}, reshape);
    }
    return;
  }
  // floor(S / n) = round((2S - n + 1) / 2n), ceil(S / n) = round((2S + n - 1) / 2n).
  const int64_t base = w * n * zi - w * n * zo;
  auto floor_div = [&](int64_t s) {
    return static_cast<int32_t>(s >= 0 ? s / n : -((-s + n - 1) / n));
  };
  const SumRequant lower = fit(1.0 / static_cast<double>(w * n),
                               static_cast<int32_t>(base - (w / 2) * (n - 1)), tflm::Range{0, 127},
                               [&](int64_t s) { return std::max(floor_div(s), 0); });
  const SumRequant upper =
      fit(1.0 / static_cast<double>(w * n), static_cast<int32_t>(base + (w / 2) * (n - 1)),
          tflm::Range{}, [&](int64_t s) { return -floor_div(-s); });
  Value* a = sum_node(lower, false);
  Value* b = sum_node(upper, false);
  if (!reshape_after) {
    c.add_output_node("cortex_m.minimum", {b, a}, {});
    return;
  }
  Value* m = c.add_intermediate("cortex_m.minimum", {b, a}, {}, DType::kInt8, sum_shape, out);
  Attributes reshape;
  reshape.set("shape", c.output_shape());
  c.add_output_node("cortex_m.reshape", {m}, reshape);
}

}  // namespace

bool is_supported(int32_t code) {
  switch (code) {
    case kAdd: case kAveragePool2d: case kConcatenation: case kConv2d: case kDepthwiseConv2d:
    case kDequantize: case kFullyConnected: case kLogistic: case kMaxPool2d: case kMul:
    case kReshape: case kSoftmax: case kTanh: case kPad: case kTranspose: case kMean: case kSub:
    case kSqueeze: case kExpandDims: case kQuantize: case kHardSwish:
      return true;
    default:
      return false;
  }
}

void convert_operator(OpContext& c) {
  switch (c.code()) {
    case kConv2d: return convert_conv(c, false);
    case kDepthwiseConv2d: return convert_conv(c, true);
    case kFullyConnected: return convert_fully_connected(c);
    case kAdd: case kSub: case kMul: return convert_binary(c);
    case kAveragePool2d: case kMaxPool2d: return convert_pool(c);
    case kReshape: case kSqueeze: case kExpandDims: return convert_reshape(c);
    case kSoftmax: return convert_softmax(c);
    case kPad: return convert_pad(c);
    case kTranspose: return convert_transpose(c);
    case kConcatenation: return convert_concatenation(c);
    case kLogistic: case kTanh: case kHardSwish: return convert_table_op(c);
    case kQuantize: return convert_quantize(c);
    case kDequantize: return convert_dequantize(c);
    case kMean: return convert_mean(c);
    default: c.error("operator type is not supported");
  }
}

}  // namespace tinyexec::frontends::tflite_import
