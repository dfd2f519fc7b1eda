// SPDX-License-Identifier: Apache-2.0
// Pooling (ONNX opset-13 semantics) on N x C x spatial inputs with 1 to 3 spatial axes:
// MaxPool (f32, i8, u8; kernel_shape, strides, pads, auto_pad, dilations, ceil_mode and the
// optional Indices output in either storage order), AveragePool (f32; count_include_pad,
// ceil_mode, auto_pad, dilations), GlobalAveragePool (f32) and GlobalMaxPool (f32, i8, u8).
#include <algorithm>
#include <array>
#include <limits>

#include "ops/onnx/window.h"
#include "ops/op_helpers.h"

namespace tinyexec::ops {
namespace {

bool flag_attribute(const Node& node, const char* name) {
  const int64_t value = node.attrs.int_or(name, 0);
  if (value != 0 && value != 1) {
    node_error(node, "attribute '{}' is {}, expected 0 or 1", name, value);
  }
  return value == 1;
}

void expect_max_pool_type(const Node& node) {
  const ir::Value& x = input_value(node, 0);
  if (x.dtype != DType::kFloat32 && x.dtype != DType::kInt8 && x.dtype != DType::kUInt8) {
    node_error(node, "input 0 ('{}') is {}; supported types are f32, i8 and u8", x.name,
               ir::dtype_name(x.dtype));
  }
}

// The window of MaxPool / AveragePool over input shape x (N x C x spatial).
Window pool_window(const Node& node, const Shape& x) {
  const size_t n = x.size() - 2;
  if (!node.attrs.has("kernel_shape")) node_error(node, "attribute 'kernel_shape' is missing");
  const std::vector<int64_t> kernel = spatial_ints(node, "kernel_shape", n, 1, 1);
  const std::vector<int64_t> in(x.begin() + 2, x.end());
  return forward_window(node, in, kernel, flag_attribute(node, "ceil_mode"),
                        /*has_dilations=*/true);
}

Shape pool_output_shape(const Shape& x, const Window& window) {
  Shape shape{x[0], x[1]};
  for (const WindowAxis& axis : window) shape.push_back(axis.out);
  return shape;
}

// Calls visit(output_index, plane, od, oh, ow) for every output element in row-major order,
// where plane = n * C + c.
template <typename F>
void for_each_output(const Shape& x, const std::array<WindowAxis, kMaxSpatialAxes>& a, F&& visit) {
  int64_t index = 0;
  for (int64_t plane = 0; plane < x[0] * x[1]; ++plane) {
    for (int64_t od = 0; od < a[0].out; ++od) {
      for (int64_t oh = 0; oh < a[1].out; ++oh) {
        for (int64_t ow = 0; ow < a[2].out; ++ow) visit(index++, plane, od, oh, ow);
      }
    }
  }
}

// Input coordinate of tap k of the window at output position o on one axis.
int64_t tap(const WindowAxis& axis, int64_t o, int64_t k) {
  return o * axis.stride - axis.pad_begin + k * axis.dilation;
}

// --- MaxPool

std::vector<OutputType> infer_max_pool(const Node& node) {
  expect_inputs(node, 1, 1);
  expect_max_pool_type(node);
  const ir::Value& x = input_value(node, 0);
  spatial_rank(node, x);
  const int64_t storage_order = node.attrs.int_or("storage_order", 0);
  if (storage_order != 0 && storage_order != 1) {
    node_error(node, "attribute 'storage_order' is {}, expected 0 (row major) or 1 (column major)",
               storage_order);
  }
  if (node.outputs.empty() || node.outputs.size() > 2) {
    node_error(node, "has {} outputs; MaxPool has Y and an optional Indices", node.outputs.size());
  }
  const Shape shape = pool_output_shape(x.shape, pool_window(node, x.shape));
  std::vector<OutputType> types{{x.dtype, shape}};
  if (node.outputs.size() == 2) types.push_back({DType::kInt64, shape});
  return types;
}

template <typename T>
void max_pool(const Node& node, const Tensor& x, Tensor& y, Tensor* indices) {
  const Window window = pool_window(node, x.shape());
  const auto a = as_3d(window);
  const bool column_major = node.attrs.int_or("storage_order", 0) == 1;
  const int64_t plane_size = a[0].in * a[1].in * a[2].in;
  const auto xs = x.data<T>();
  auto ys = y.data<T>();
  for_each_output(
      x.shape(), a, [&](int64_t out, int64_t plane, int64_t od, int64_t oh, int64_t ow) {
        // Padding never wins: a window entirely in padding gives the type's lowest value.
        T best = std::numeric_limits<T>::lowest();
        int64_t best_index = -1;
        for (int64_t kd = 0; kd < a[0].kernel; ++kd) {
          const int64_t id = tap(a[0], od, kd);
          if (id < 0 || id >= a[0].in) continue;
          for (int64_t kh = 0; kh < a[1].kernel; ++kh) {
            const int64_t ih = tap(a[1], oh, kh);
            if (ih < 0 || ih >= a[1].in) continue;
            for (int64_t kw = 0; kw < a[2].kernel; ++kw) {
              const int64_t iw = tap(a[2], ow, kw);
              if (iw < 0 || iw >= a[2].in) continue;
              const int64_t spatial = (id * a[1].in + ih) * a[2].in + iw;
              const T value = xs[plane * plane_size + spatial];
              if (best_index < 0 || value > best) {  // the first maximum wins ties
                best = value;
                // Indices count over the whole tensor; storage order 1 numbers the spatial
                // positions column major (first spatial axis fastest).
                best_index = plane * plane_size +
                             (column_major ? (iw * a[1].in + ih) * a[0].in + id : spatial);
              }
            }
          }
        }
        ys[out] = best;
        if (indices != nullptr) indices->data<int64_t>()[out] = best_index;
      });
}

std::vector<Tensor> evaluate_max_pool(const Node& node, Inputs inputs) {
  const Tensor& x = *inputs[0];
  const Shape shape = pool_output_shape(x.shape(), pool_window(node, x.shape()));
  Tensor y(x.dtype(), shape);
  Tensor indices(DType::kInt64, shape);
  Tensor* indices_out = node.outputs.size() == 2 ? &indices : nullptr;
  switch (x.dtype()) {
    case DType::kFloat32: max_pool<float>(node, x, y, indices_out); break;
    case DType::kInt8: max_pool<int8_t>(node, x, y, indices_out); break;
    case DType::kUInt8: max_pool<uint8_t>(node, x, y, indices_out); break;
    default: node_error(node, "input type {} is not supported", ir::dtype_name(x.dtype()));
  }
  std::vector<Tensor> results{std::move(y)};
  if (indices_out != nullptr) results.push_back(std::move(indices));
  return results;
}

// --- AveragePool

std::vector<OutputType> infer_average_pool(const Node& node) {
  expect_inputs(node, 1, 1);
  expect_float(node, 0);
  const ir::Value& x = input_value(node, 0);
  spatial_rank(node, x);
  flag_attribute(node, "count_include_pad");
  return {{DType::kFloat32, pool_output_shape(x.shape, pool_window(node, x.shape))}};
}

// Taps of the window at output position o that fall inside the padded input [-pad_begin,
// in + pad_end): the divisor with count_include_pad (a ceil_mode window may reach past it).
int64_t padded_taps(const WindowAxis& axis, int64_t o) {
  int64_t count = 0;
  for (int64_t k = 0; k < axis.kernel; ++k) {
    const int64_t i = tap(axis, o, k);
    if (i >= -axis.pad_begin && i < axis.in + axis.pad_end) ++count;
  }
  return count;
}

std::vector<Tensor> evaluate_average_pool(const Node& node, Inputs inputs) {
  const Tensor& x = *inputs[0];
  const Window window = pool_window(node, x.shape());
  const auto a = as_3d(window);
  const bool include_pad = flag_attribute(node, "count_include_pad");
  const int64_t plane_size = a[0].in * a[1].in * a[2].in;
  Tensor y(DType::kFloat32, pool_output_shape(x.shape(), window));
  const auto xs = x.data<float>();
  auto ys = y.data<float>();
  for_each_output(x.shape(), a,
                  [&](int64_t out, int64_t plane, int64_t od, int64_t oh, int64_t ow) {
                    float sum = 0.0f;
                    int64_t count = 0;  // taps inside the input
                    for (int64_t kd = 0; kd < a[0].kernel; ++kd) {
                      const int64_t id = tap(a[0], od, kd);
                      if (id < 0 || id >= a[0].in) continue;
                      for (int64_t kh = 0; kh < a[1].kernel; ++kh) {
                        const int64_t ih = tap(a[1], oh, kh);
                        if (ih < 0 || ih >= a[1].in) continue;
                        for (int64_t kw = 0; kw < a[2].kernel; ++kw) {
                          const int64_t iw = tap(a[2], ow, kw);
                          if (iw < 0 || iw >= a[2].in) continue;
                          sum += xs[plane * plane_size + (id * a[1].in + ih) * a[2].in + iw];
                          ++count;
                        }
                      }
                    }
                    if (include_pad) {
                      count = padded_taps(a[0], od) * padded_taps(a[1], oh) * padded_taps(a[2], ow);
                    }
                    // A window entirely in padding (possible with pads as large as the kernel)
                    // averages to 0.
                    ys[out] = count > 0 ? sum / static_cast<float>(count) : 0.0f;
                  });
  return {std::move(y)};
}

// --- GlobalAveragePool, GlobalMaxPool: one value per (n, c) over all spatial positions.

Shape global_output_shape(const Shape& x) {
  Shape shape = x;
  std::fill(shape.begin() + 2, shape.end(), 1);
  return shape;
}

std::vector<OutputType> infer_global_pool(const Node& node) {
  expect_inputs(node, 1, 1);
  const ir::Value& x = input_value(node, 0);
  if (x.rank() < 3) {
    node_error(node, "input '{}' has shape {}; expected N x C followed by spatial axes", x.name,
               ir::shape_string(x.shape));
  }
  return {{x.dtype, global_output_shape(x.shape)}};
}

std::vector<OutputType> infer_global_average_pool(const Node& node) {
  expect_float(node, 0);
  return infer_global_pool(node);
}

std::vector<OutputType> infer_global_max_pool(const Node& node) {
  expect_max_pool_type(node);
  return infer_global_pool(node);
}

std::vector<Tensor> evaluate_global_average_pool(const Node&, Inputs inputs) {
  const Tensor& x = *inputs[0];
  const int64_t planes = x.shape()[0] * x.shape()[1];
  const int64_t plane_size = planes == 0 ? 0 : x.numel() / planes;
  Tensor y(DType::kFloat32, global_output_shape(x.shape()));
  const auto xs = x.data<float>();
  auto ys = y.data<float>();
  for (int64_t p = 0; p < planes; ++p) {
    float sum = 0.0f;
    for (int64_t i = 0; i < plane_size; ++i) sum += xs[p * plane_size + i];
    ys[p] = sum / static_cast<float>(plane_size);
  }
  return {std::move(y)};
}

template <typename T>
void global_max(const Tensor& x, Tensor& y) {
  const int64_t planes = x.shape()[0] * x.shape()[1];
  const int64_t plane_size = planes == 0 ? 0 : x.numel() / planes;
  const auto xs = x.data<T>();
  auto ys = y.data<T>();
  for (int64_t p = 0; p < planes; ++p) {
    T best = std::numeric_limits<T>::lowest();
    for (int64_t i = 0; i < plane_size; ++i) best = std::max(best, xs[p * plane_size + i]);
    ys[p] = best;
  }
}

std::vector<Tensor> evaluate_global_max_pool(const Node& node, Inputs inputs) {
  const Tensor& x = *inputs[0];
  Tensor y(x.dtype(), global_output_shape(x.shape()));
  switch (x.dtype()) {
    case DType::kFloat32: global_max<float>(x, y); break;
    case DType::kInt8: global_max<int8_t>(x, y); break;
    case DType::kUInt8: global_max<uint8_t>(x, y); break;
    default: node_error(node, "input type {} is not supported", ir::dtype_name(x.dtype()));
  }
  return {std::move(y)};
}

const ir::RegisterOp kMaxPool{{"onnx.MaxPool", infer_max_pool, evaluate_max_pool}};
const ir::RegisterOp kAveragePool{{"onnx.AveragePool", infer_average_pool, evaluate_average_pool}};
const ir::RegisterOp kGlobalAveragePool{
    {"onnx.GlobalAveragePool", infer_global_average_pool, evaluate_global_average_pool}};
const ir::RegisterOp kGlobalMaxPool{
    {"onnx.GlobalMaxPool", infer_global_max_pool, evaluate_global_max_pool}};

}  // namespace
}  // namespace tinyexec::ops
