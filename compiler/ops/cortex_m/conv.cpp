// SPDX-License-Identifier: Apache-2.0
// cortex_m.quantized_conv2d, cortex_m.quantized_depthwise_conv2d and
// cortex_m.quantized_transpose_conv2d (docs/dialect.md): int8 NHWC convolutions run with the
// kernels conv2d_s8, depthwise_conv2d_s8 and transpose_conv2d_s8.
//
// Attribute choices where docs/dialect.md leaves room:
// - strides / dilations default to [1, 1], pads to zeros, groups to 1, activation_min/max to
//   -128/127. pads (conv, depthwise) are [top, left, bottom, right], each in
//   [0, (K - 1) * dilation] (the kernels' range); the output size is
//   (in + top + bottom - dilated K) / stride + 1, rounded down.
// - groups (conv) is checked against the shapes (input C = groups * weight C, output C a
//   multiple of groups); the kernel derives it from them.
// - Weights are int8 with symmetric quantization (zero point 0), per channel along the
//   dialect's axis or per tensor (the requantization comes from the params anyway).
// - Bias: optional int32 [C_out]; quantization on it is optional (zero point 0 if present).
// - transpose conv: the table's pads [2] (top, left) leaves the output size open, so pads may
//   have 2 values (top, left: the full result minus those, bottom/right 0) or 4 (top, left,
//   bottom, right; bottom/right may be negative down to min(0, K - stride), which is how an
//   ONNX output_padding is expressed). Output size per axis:
//   (in - 1) * stride + K - begin - end. No dilations (the kernel has none).
// - (params) multipliers / shifts have C_out values each.
#include "tinyexec/kernels/conv.h"

#include <algorithm>

#include "ops/cortex_m/cortex_m_helpers.h"
#include "tinyexec/kernels/depthwise_conv.h"
#include "tinyexec/kernels/transpose_conv.h"

namespace tinyexec::ops::cortex_m {
namespace {

enum class ConvKind { kConv, kDepthwise };

struct ConvGeometry {
  kernels::Conv2dParams params;  // strides, pads, dilations, activation (offsets not yet)
  Shape output;
  int64_t out_channels = 0;
};

int64_t out_size(const Node& node, const char* axis, int64_t in, int64_t kernel, int64_t stride,
                 int64_t dilation, int64_t begin, int64_t end) {
  const int64_t extent = (kernel - 1) * dilation + 1;
  if (begin > extent - 1 || end > extent - 1) {
    node_error(node,
               "attribute 'pads' {} / {} on the {} axis must be at most (K - 1) * "
               "dilation = {}",
               begin, end, axis, extent - 1);
  }
  if (in + begin + end < extent) {
    node_error(node, "the dilated kernel ({}) is larger than the padded input ({}) on the {} axis",
               extent, in + begin + end, axis);
  }
  return (in + begin + end - extent) / stride + 1;
}

// Everything conv and depthwise share: inputs, quantization, attributes, output shape.
ConvGeometry conv_geometry(const Node& node, ConvKind kind) {
  expect_inputs(node, 2, 3);
  expect_dtype(node, 0, DType::kInt8);
  expect_dtype(node, 1, DType::kInt8);
  expect_rank(node, 0, 4, 4);
  expect_rank(node, 1, 4, 4);
  input_quant(node, 0);
  const Shape& x = input_value(node, 0).shape;
  const Shape& w = input_value(node, 1).shape;
  ConvGeometry g;
  if (kind == ConvKind::kConv) {
    g.out_channels = w[0];
    const int64_t groups = node.attrs.int_or("groups", 1);
    if (groups < 1 || x[3] != groups * w[3] || g.out_channels % groups != 0) {
      node_error(node,
                 "weight {} does not fit input {} with groups {} (input C must be groups "
                 "* weight C, output C a multiple of groups)",
                 ir::shape_string(w), ir::shape_string(x), groups);
    }
    weight_quant(node, 1, 0, g.out_channels, /*symmetric=*/true);
  } else {
    g.out_channels = w[3];
    if (w[0] != 1 || g.out_channels % x[3] != 0) {
      node_error(node,
                 "weight {} must be [1, KH, KW, C_out] with C_out a multiple of the input "
                 "channels {}",
                 ir::shape_string(w), x[3]);
    }
    weight_quant(node, 1, 3, g.out_channels, /*symmetric=*/true);
  }
  check_bias(node, 2, g.out_channels);

  const std::vector<int64_t> strides = ints_attr(node, "strides", 2, {1, 1}, 1);
  const std::vector<int64_t> dilations = ints_attr(node, "dilations", 2, {1, 1}, 1);
  const std::vector<int64_t> pads = ints_attr(node, "pads", 4, {0, 0, 0, 0}, 0);
  const int64_t oh =
      out_size(node, "height", x[1], w[1], strides[0], dilations[0], pads[0], pads[2]);
  const int64_t ow =
      out_size(node, "width", x[2], w[2], strides[1], dilations[1], pads[1], pads[3]);
  g.params.stride_h = static_cast<int32_t>(strides[0]);
  g.params.stride_w = static_cast<int32_t>(strides[1]);
  g.params.dilation_h = static_cast<int32_t>(dilations[0]);
  g.params.dilation_w = static_cast<int32_t>(dilations[1]);
  g.params.pad_h = static_cast<int32_t>(pads[0]);
  g.params.pad_w = static_cast<int32_t>(pads[1]);
  g.params.activation = activation_of(node);
  check_requant_params(node, "multipliers", "shifts", static_cast<size_t>(g.out_channels));
  output_quant(node);
  g.output = {x[0], oh, ow, g.out_channels};
  return g;
}

// Offsets from the values' quantization and the (required) per-channel params.
struct Requant {
  std::vector<int32_t> multipliers;
  std::vector<int32_t> shifts;
  kernels::PerChannelQuant quant() const { return {span_of(multipliers), span_of(shifts)}; }
};

Requant require_requant(const Node& node, int64_t channels) {
  Requant r;
  r.multipliers =
      require_param_ints(node, "multipliers", static_cast<size_t>(channels), 0, kMultiplierMax);
  r.shifts =
      require_param_ints(node, "shifts", static_cast<size_t>(channels), kShiftMin, kShiftMax);
  return r;
}

std::vector<OutputType> infer_conv(const Node& node) {
  return {{DType::kInt8, conv_geometry(node, ConvKind::kConv).output}};
}
std::vector<OutputType> infer_depthwise(const Node& node) {
  return {{DType::kInt8, conv_geometry(node, ConvKind::kDepthwise).output}};
}

// The scratch conv2d_s8 / depthwise_conv2d_s8 needs for this node (the one size computation
// evaluate allocates and scratch_bytes reports to the memory planner).
int64_t conv_like_scratch(const Node& node, const ConvGeometry& g, ConvKind kind) {
  const kernels::Dims4 in_dims = dims4(node, input_value(node, 0).shape);
  const kernels::Dims4 w_dims = dims4(node, input_value(node, 1).shape);
  const kernels::Dims4 out_dims = dims4(node, g.output);
  if (kind == ConvKind::kConv) {
    return scratch_size(node, kernels::conv2d_s8_scratch_size(g.params, in_dims, w_dims, out_dims),
                        "conv2d_s8");
  }
  return scratch_size(
      node, kernels::depthwise_conv2d_s8_scratch_size(g.params, in_dims, w_dims, out_dims),
      "depthwise_conv2d_s8");
}

int64_t conv_scratch_bytes(const Node& node) {
  return conv_like_scratch(node, conv_geometry(node, ConvKind::kConv), ConvKind::kConv);
}
int64_t depthwise_scratch_bytes(const Node& node) {
  return conv_like_scratch(node, conv_geometry(node, ConvKind::kDepthwise), ConvKind::kDepthwise);
}

std::vector<Tensor> evaluate_conv_like(const Node& node, Inputs inputs, ConvKind kind) {
  ConvGeometry g = conv_geometry(node, kind);
  std::vector<int8_t> scratch = scratch_buffer(conv_like_scratch(node, g, kind));
  g.params.input_offset = -zero_point(input_quant(node, 0));
  g.params.output_offset = zero_point(output_quant(node));
  const Requant r = require_requant(node, g.out_channels);
  const Tensor& x = *inputs[0];
  const Tensor& w = *inputs[1];
  const Tensor* bias = inputs.size() > 2 ? inputs[2] : nullptr;
  const kernels::Dims4 in_dims = dims4(node, x.shape());
  const kernels::Dims4 w_dims = dims4(node, w.shape());
  const kernels::Dims4 out_dims = dims4(node, g.output);
  Tensor result(DType::kInt8, g.output);
  if (kind == ConvKind::kConv) {
    check_status(
        node,
        kernels::conv2d_s8(g.params, r.quant(), in_dims, span_of<int8_t>(x), w_dims,
                           span_of<int8_t>(w), bias_span(bias), out_dims,
                           mutable_span_of<int8_t>(result), {scratch.data(), scratch.size()}),
        "conv2d_s8");
  } else {
    check_status(node,
                 kernels::depthwise_conv2d_s8(g.params, r.quant(), in_dims, span_of<int8_t>(x),
                                              w_dims, span_of<int8_t>(w), bias_span(bias), out_dims,
                                              mutable_span_of<int8_t>(result),
                                              {scratch.data(), scratch.size()}),
                 "depthwise_conv2d_s8");
  }
  return {std::move(result)};
}

std::vector<Tensor> evaluate_conv(const Node& node, Inputs inputs) {
  return evaluate_conv_like(node, inputs, ConvKind::kConv);
}
std::vector<Tensor> evaluate_depthwise(const Node& node, Inputs inputs) {
  return evaluate_conv_like(node, inputs, ConvKind::kDepthwise);
}

int64_t conv_macs(const Node& node) {
  // Each output element accumulates KH x KW x C_in/groups products: a filter's size.
  const Shape& w = input_value(node, 1).shape;
  return node.output(0)->numel() * w[1] * w[2] * w[3];
}
int64_t depthwise_macs(const Node& node) {
  const Shape& w = input_value(node, 1).shape;
  return node.output(0)->numel() * w[1] * w[2];
}

// --- transpose conv

struct TransposeGeometry {
  kernels::TransposeConv2dParams params;
  Shape output;
};

int64_t transpose_out_size(const Node& node, const char* axis, int64_t in, int64_t kernel,
                           int64_t stride, int64_t begin, int64_t end) {
  if (begin < 0 || begin > kernel - 1 || end < std::min<int64_t>(0, kernel - stride) ||
      end > kernel - 1) {
    node_error(node,
               "attribute 'pads' {} / {} on the {} axis: begin must be in [0, K - 1], end "
               "in [min(0, K - stride), K - 1] (K = {}, stride = {})",
               begin, end, axis, kernel, stride);
  }
  return (in - 1) * stride + kernel - begin - end;
}

TransposeGeometry transpose_geometry(const Node& node) {
  expect_inputs(node, 2, 3);
  expect_dtype(node, 0, DType::kInt8);
  expect_dtype(node, 1, DType::kInt8);
  expect_rank(node, 0, 4, 4);
  expect_rank(node, 1, 4, 4);
  input_quant(node, 0);
  const Shape& x = input_value(node, 0).shape;
  const Shape& w = input_value(node, 1).shape;
  if (w[3] != x[3]) {
    node_error(node, "weight {} must be [C_out, KH, KW, C_in] with C_in = {}", ir::shape_string(w),
               x[3]);
  }
  weight_quant(node, 1, 0, w[0], /*symmetric=*/true);
  check_bias(node, 2, w[0]);
  const std::vector<int64_t> strides = ints_attr(node, "strides", 2, {1, 1}, 1);
  std::vector<int64_t> pads = node.attrs.ints_or("pads", {0, 0, 0, 0});
  if (pads.size() == 2) pads.insert(pads.end(), {0, 0});
  if (pads.size() != 4) {
    node_error(node,
               "attribute 'pads' has {} values, expected 2 (top, left) or 4 (top, left, "
               "bottom, right)",
               pads.size());
  }
  TransposeGeometry g;
  const int64_t oh = transpose_out_size(node, "height", x[1], w[1], strides[0], pads[0], pads[2]);
  const int64_t ow = transpose_out_size(node, "width", x[2], w[2], strides[1], pads[1], pads[3]);
  g.params.stride_h = static_cast<int32_t>(strides[0]);
  g.params.stride_w = static_cast<int32_t>(strides[1]);
  g.params.pad_h = static_cast<int32_t>(pads[0]);
  g.params.pad_w = static_cast<int32_t>(pads[1]);
  g.params.activation = activation_of(node);
  check_requant_params(node, "multipliers", "shifts", static_cast<size_t>(w[0]));
  output_quant(node);
  g.output = {x[0], oh, ow, w[0]};
  return g;
}

std::vector<OutputType> infer_transpose_conv(const Node& node) {
  return {{DType::kInt8, transpose_geometry(node).output}};
}

// The scratch transpose_conv2d_s8 needs for this node (shared by evaluate and scratch_bytes).
int64_t transpose_conv_scratch(const Node& node, const TransposeGeometry& g) {
  return scratch_size(node,
                      kernels::transpose_conv2d_s8_scratch_size(
                          g.params, dims4(node, input_value(node, 0).shape),
                          dims4(node, input_value(node, 1).shape), dims4(node, g.output)),
                      "transpose_conv2d_s8");
}

int64_t transpose_conv_scratch_bytes(const Node& node) {
  return transpose_conv_scratch(node, transpose_geometry(node));
}

std::vector<Tensor> evaluate_transpose_conv(const Node& node, Inputs inputs) {
  TransposeGeometry g = transpose_geometry(node);
  std::vector<int8_t> scratch = scratch_buffer(transpose_conv_scratch(node, g));
  g.params.input_offset = -zero_point(input_quant(node, 0));
  g.params.output_offset = zero_point(output_quant(node));
  const Requant r = require_requant(node, g.output[3]);
  const Tensor& x = *inputs[0];
  const Tensor& w = *inputs[1];
  const Tensor* bias = inputs.size() > 2 ? inputs[2] : nullptr;
  const kernels::Dims4 in_dims = dims4(node, x.shape());
  const kernels::Dims4 w_dims = dims4(node, w.shape());
  const kernels::Dims4 out_dims = dims4(node, g.output);
  Tensor result(DType::kInt8, g.output);
  check_status(node,
               kernels::transpose_conv2d_s8(g.params, r.quant(), in_dims, span_of<int8_t>(x),
                                            w_dims, span_of<int8_t>(w), bias_span(bias), out_dims,
                                            mutable_span_of<int8_t>(result),
                                            {scratch.data(), scratch.size()}),
               "transpose_conv2d_s8");
  return {std::move(result)};
}

int64_t transpose_conv_macs(const Node& node) {
  // Each input element is multiplied by C_out x KH x KW weights.
  const Shape& w = input_value(node, 1).shape;
  return input_value(node, 0).numel() * w[0] * w[1] * w[2];
}

const ir::RegisterOp kConv{
    {"cortex_m.quantized_conv2d", infer_conv, evaluate_conv, conv_macs, conv_scratch_bytes}};
const ir::RegisterOp kDepthwise{{"cortex_m.quantized_depthwise_conv2d", infer_depthwise,
                                 evaluate_depthwise, depthwise_macs, depthwise_scratch_bytes}};
const ir::RegisterOp kTransposeConv{{"cortex_m.quantized_transpose_conv2d", infer_transpose_conv,
                                     evaluate_transpose_conv, transpose_conv_macs,
                                     transpose_conv_scratch_bytes}};

}  // namespace
}  // namespace tinyexec::ops::cortex_m
