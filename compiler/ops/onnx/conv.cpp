// SPDX-License-Identifier: Apache-2.0
// Convolutions (ONNX opset-13 semantics), float32: Conv and ConvTranspose with groups
// (depthwise included), strides, dilations, explicit pads or auto_pad, optional bias; 1-D, 2-D
// and 3-D. Layout is ONNX's: X is N x C x spatial, W is M x C/group x kernel for Conv and
// C x M/group x kernel for ConvTranspose.
#include <algorithm>
#include <array>

#include "ops/onnx/window.h"
#include "ops/op_helpers.h"

namespace tinyexec::ops {
namespace {

struct ConvGeometry {
  int64_t batch = 0;
  int64_t in_channels = 0;
  int64_t out_channels = 0;
  int64_t group = 1;
  Window window;

  Shape output_shape() const {
    Shape shape{batch, out_channels};
    for (const WindowAxis& axis : window) shape.push_back(axis.out);
    return shape;
  }
};

// Checks what Conv and ConvTranspose share: float X and W of equal rank with 1 to 3 spatial
// axes, an optional float bias, kernel_shape (optional) matching W.
void check_conv_inputs(const Node& node) {
  expect_inputs(node, 2, 3);
  expect_float(node, 0);
  expect_float(node, 1);
  const ir::Value& x = input_value(node, 0);
  const ir::Value& w = input_value(node, 1);
  spatial_rank(node, x);
  if (w.rank() != x.rank()) {
    node_error(node, "weight '{}' has shape {}, it must have the rank of input '{}' {}", w.name,
               ir::shape_string(w.shape), x.name, ir::shape_string(x.shape));
  }
  if (node.input(2) != nullptr) expect_float(node, 2);
  if (node.attrs.has("kernel_shape")) {
    const std::vector<int64_t>& kernel = node.attrs.get_ints("kernel_shape");
    if (!std::equal(kernel.begin(), kernel.end(), w.shape.begin() + 2, w.shape.end())) {
      node_error(node, "attribute 'kernel_shape' {} does not match weight '{}' of shape {}",
                 ir::shape_string(kernel), w.name, ir::shape_string(w.shape));
    }
  }
}

int64_t group_of(const Node& node) {
  const int64_t group = node.attrs.int_or("group", 1);
  if (group < 1) node_error(node, "attribute 'group' is {}, it must be at least 1", group);
  return group;
}

void check_bias(const Node& node, const Shape& bias, int64_t out_channels) {
  if (bias.size() != 1 || bias[0] != out_channels) {
    node_error(node, "bias '{}' has shape {}, expected [{}] (one per output channel)",
               input_value(node, 2).name, ir::shape_string(bias), out_channels);
  }
}

// --- Conv

ConvGeometry conv_geometry(const Node& node, const Shape& x, const Shape& w) {
  ConvGeometry g;
  g.batch = x[0];
  g.in_channels = x[1];
  g.out_channels = w[0];
  g.group = group_of(node);
  if (g.in_channels % g.group != 0 || g.out_channels % g.group != 0) {
    node_error(node, "attribute 'group' {} must divide input channels {} and output channels {}",
               g.group, g.in_channels, g.out_channels);
  }
  if (w[1] != g.in_channels / g.group) {
    node_error(node, "weight shape {} needs {} input channels per group ({} channels / group {})",
               ir::shape_string(w), g.in_channels / g.group, g.in_channels, g.group);
  }
  const std::vector<int64_t> in(x.begin() + 2, x.end());
  const std::vector<int64_t> kernel(w.begin() + 2, w.end());
  g.window = forward_window(node, in, kernel, /*ceil_mode=*/false, /*has_dilations=*/true);
  return g;
}

std::vector<OutputType> infer_conv(const Node& node) {
  check_conv_inputs(node);
  const ConvGeometry g =
      conv_geometry(node, input_value(node, 0).shape, input_value(node, 1).shape);
  if (node.input(2) != nullptr) check_bias(node, node.input(2)->shape, g.out_channels);
  return {{DType::kFloat32, g.output_shape()}};
}

std::vector<Tensor> evaluate_conv(const Node& node, Inputs inputs) {
  const Tensor& x = *inputs[0];
  const Tensor& w = *inputs[1];
  const Tensor* bias = inputs.size() > 2 ? inputs[2] : nullptr;
  const ConvGeometry g = conv_geometry(node, x.shape(), w.shape());
  const auto a = as_3d(g.window);
  const int64_t cg = g.in_channels / g.group;   // input channels per group
  const int64_t mg = g.out_channels / g.group;  // output channels per group
  const int64_t in_plane = a[0].in * a[1].in * a[2].in;
  const int64_t kernel_volume = a[0].kernel * a[1].kernel * a[2].kernel;

  Tensor result(DType::kFloat32, g.output_shape());
  const auto xs = x.data<float>();
  const auto ws = w.data<float>();
  auto ys = result.data<float>();
  int64_t out_index = 0;  // Y is written in row-major order
  for (int64_t n = 0; n < g.batch; ++n) {
    for (int64_t m = 0; m < g.out_channels; ++m) {
      const int64_t first_channel = (m / mg) * cg;
      for (int64_t od = 0; od < a[0].out; ++od) {
        for (int64_t oh = 0; oh < a[1].out; ++oh) {
          for (int64_t ow = 0; ow < a[2].out; ++ow) {
            float acc = bias != nullptr ? bias->data<float>()[m] : 0.0f;
            for (int64_t c = 0; c < cg; ++c) {
              const int64_t x_base = (n * g.in_channels + first_channel + c) * in_plane;
              const int64_t w_base = (m * cg + c) * kernel_volume;
              for (int64_t kd = 0; kd < a[0].kernel; ++kd) {
                const int64_t id = od * a[0].stride - a[0].pad_begin + kd * a[0].dilation;
                if (id < 0 || id >= a[0].in) continue;  // zero padding
                for (int64_t kh = 0; kh < a[1].kernel; ++kh) {
                  const int64_t ih = oh * a[1].stride - a[1].pad_begin + kh * a[1].dilation;
                  if (ih < 0 || ih >= a[1].in) continue;
                  for (int64_t kw = 0; kw < a[2].kernel; ++kw) {
                    const int64_t iw = ow * a[2].stride - a[2].pad_begin + kw * a[2].dilation;
                    if (iw < 0 || iw >= a[2].in) continue;
                    const int64_t xi = x_base + (id * a[1].in + ih) * a[2].in + iw;
                    const int64_t wi = w_base + (kd * a[1].kernel + kh) * a[2].kernel + kw;
                    acc += xs[xi] * ws[wi];
                  }
                }
              }
            }
            ys[out_index++] = acc;
          }
        }
      }
    }
  }
  return {std::move(result)};
}

int64_t conv_macs(const Node& node) {
  // Each output element accumulates C/group x kernel products: W's per-filter size.
  const Shape& w = input_value(node, 1).shape;
  return node.output(0)->numel() * ir::shape_numel(Shape(w.begin() + 1, w.end()));
}

// --- ConvTranspose

ConvGeometry conv_transpose_geometry(const Node& node, const Shape& x, const Shape& w) {
  ConvGeometry g;
  g.batch = x[0];
  g.in_channels = x[1];
  g.group = group_of(node);
  if (w[0] != g.in_channels) {
    node_error(node, "weight shape {} must start with the input channels {}", ir::shape_string(w),
               g.in_channels);
  }
  if (g.in_channels % g.group != 0) {
    node_error(node, "attribute 'group' {} must divide input channels {}", g.group, g.in_channels);
  }
  g.out_channels = w[1] * g.group;

  const size_t n = x.size() - 2;
  const std::vector<int64_t> strides = spatial_ints(node, "strides", n, 1, 1);
  const std::vector<int64_t> dilations = spatial_ints(node, "dilations", n, 1, 1);
  const std::vector<int64_t> output_padding = spatial_ints(node, "output_padding", n, 0, 0);
  const std::vector<int64_t> pads = spatial_ints(node, "pads", 2 * n, 0, 0);
  const std::string auto_pad = auto_pad_of(node);
  if (auto_pad != "NOTSET" && std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p; })) {
    node_error(node, "attribute 'pads' must not be set together with auto_pad '{}'", auto_pad);
  }
  std::vector<int64_t> output_shape;
  if (node.attrs.has("output_shape")) {
    output_shape = node.attrs.get_ints("output_shape");
    // Some exporters give the full N x C x spatial shape; the spatial sizes are what counts.
    if (output_shape.size() == n + 2)
      output_shape.erase(output_shape.begin(), output_shape.begin() + 2);
    if (output_shape.size() != n) {
      node_error(node, "attribute 'output_shape' has {} values, expected {} (spatial sizes)",
                 node.attrs.get_ints("output_shape").size(), n);
    }
  }

  g.window.resize(n);
  for (size_t i = 0; i < n; ++i) {
    WindowAxis& axis = g.window[i];
    axis.in = x[i + 2];
    axis.kernel = w[i + 2];
    axis.stride = strides[i];
    axis.dilation = dilations[i];
    if (output_padding[i] >= std::max(axis.stride, axis.dilation)) {
      node_error(node,
                 "attribute 'output_padding' {} on spatial axis {} must be less than the stride "
                 "{} or the dilation {}",
                 output_padding[i], i, axis.stride, axis.dilation);
    }
    // Size of the full transposed convolution before pads are cut off.
    const int64_t full = axis.stride * (axis.in - 1) + output_padding[i] + axis.extent();
    int64_t total = 0;  // padding cut off in total
    if (!output_shape.empty() || auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      axis.out = !output_shape.empty() ? output_shape[i] : axis.in * axis.stride;
      if (axis.out < 1) node_error(node, "attribute 'output_shape' has size {} < 1", axis.out);
      total = full - axis.out;
      if (total < 0) {
        axis.pad_begin = 0;  // an output larger than the full result gets zeros at the end
      } else if (auto_pad == "SAME_UPPER") {
        axis.pad_begin = total / 2;  // ONNX: the odd element is cut at the end for SAME_UPPER
      } else {
        axis.pad_begin = total - total / 2;
      }
    } else {
      if (auto_pad == "NOTSET") {
        axis.pad_begin = pads[i];
        total = pads[i] + pads[i + n];
      }
      axis.out = full - total;
      if (axis.out < 1) {
        node_error(node, "pads {} and {} leave no output on spatial axis {} (full size {})",
                   pads[i], pads[i + n], i, full);
      }
    }
    axis.pad_end = total - axis.pad_begin;
  }
  return g;
}

std::vector<OutputType> infer_conv_transpose(const Node& node) {
  check_conv_inputs(node);
  const ConvGeometry g =
      conv_transpose_geometry(node, input_value(node, 0).shape, input_value(node, 1).shape);
  if (node.input(2) != nullptr) check_bias(node, node.input(2)->shape, g.out_channels);
  return {{DType::kFloat32, g.output_shape()}};
}

std::vector<Tensor> evaluate_conv_transpose(const Node& node, Inputs inputs) {
  const Tensor& x = *inputs[0];
  const Tensor& w = *inputs[1];
  const Tensor* bias = inputs.size() > 2 ? inputs[2] : nullptr;
  const ConvGeometry g = conv_transpose_geometry(node, x.shape(), w.shape());
  const auto a = as_3d(g.window);
  const int64_t cg = g.in_channels / g.group;
  const int64_t mg = g.out_channels / g.group;
  const int64_t out_plane = a[0].out * a[1].out * a[2].out;
  const int64_t kernel_volume = a[0].kernel * a[1].kernel * a[2].kernel;

  Tensor result(DType::kFloat32, g.output_shape());
  auto ys = result.data<float>();
  for (int64_t n = 0; n < g.batch; ++n) {
    for (int64_t m = 0; m < g.out_channels; ++m) {
      const float b = bias != nullptr ? bias->data<float>()[m] : 0.0f;
      std::fill_n(ys.begin() + (n * g.out_channels + m) * out_plane, out_plane, b);
    }
  }
  // Scatter: every input element adds its products with the kernel to the outputs it reaches.
  const auto xs = x.data<float>();
  const auto ws = w.data<float>();
  int64_t in_index = 0;  // X is read in row-major order
  for (int64_t n = 0; n < g.batch; ++n) {
    for (int64_t c = 0; c < g.in_channels; ++c) {
      const int64_t first_out_channel = (c / cg) * mg;
      for (int64_t id = 0; id < a[0].in; ++id) {
        for (int64_t ih = 0; ih < a[1].in; ++ih) {
          for (int64_t iw = 0; iw < a[2].in; ++iw) {
            const float value = xs[in_index++];
            for (int64_t mo = 0; mo < mg; ++mo) {
              const int64_t y_base = (n * g.out_channels + first_out_channel + mo) * out_plane;
              const int64_t w_base = (c * mg + mo) * kernel_volume;
              for (int64_t kd = 0; kd < a[0].kernel; ++kd) {
                const int64_t od = id * a[0].stride - a[0].pad_begin + kd * a[0].dilation;
                if (od < 0 || od >= a[0].out) continue;  // cut off by pads
                for (int64_t kh = 0; kh < a[1].kernel; ++kh) {
                  const int64_t oh = ih * a[1].stride - a[1].pad_begin + kh * a[1].dilation;
                  if (oh < 0 || oh >= a[1].out) continue;
                  for (int64_t kw = 0; kw < a[2].kernel; ++kw) {
                    const int64_t ow = iw * a[2].stride - a[2].pad_begin + kw * a[2].dilation;
                    if (ow < 0 || ow >= a[2].out) continue;
                    const int64_t wi = w_base + (kd * a[1].kernel + kh) * a[2].kernel + kw;
                    ys[y_base + (od * a[1].out + oh) * a[2].out + ow] += value * ws[wi];
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  return {std::move(result)};
}

int64_t conv_transpose_macs(const Node& node) {
  // Each input element is multiplied by M/group x kernel weights: W's per-input-channel size.
  const Shape& w = input_value(node, 1).shape;
  return input_value(node, 0).numel() * ir::shape_numel(Shape(w.begin() + 1, w.end()));
}

const ir::RegisterOp kConv{{"onnx.Conv", infer_conv, evaluate_conv, conv_macs}};
const ir::RegisterOp kConvTranspose{
    {"onnx.ConvTranspose", infer_conv_transpose, evaluate_conv_transpose, conv_transpose_macs}};

}  // namespace
}  // namespace tinyexec::ops
