// SPDX-License-Identifier: Apache-2.0
// cortex_m.avg_pool2d and cortex_m.max_pool2d (docs/dialect.md): int8 NHWC pooling run with
// avg_pool_s8 and max_pool_s8. The output shares the input's quantization (checked).
//
// Attribute choices where docs/dialect.md leaves room:
// - kernel [KH, KW] is required; strides default to [1, 1], pads [top, left, bottom, right] to
//   zeros, each in [0, K - 1] (the kernel's range); activation_min/max default -128/127.
// - Output size per axis: (in + begin + end - K) / stride + 1, rounded down (no ceil mode:
//   the lowering expresses ceil_mode with a larger end pad).
// - Padded positions are ignored, never counted (the kernels' semantics): average pooling is
//   ONNX's count_include_pad = 0; the lowering must reject count_include_pad = 1 with pads.
#include "ops/cortex_m/cortex_m_helpers.h"
#include "tinyexec/kernels/pooling.h"

namespace tinyexec::ops::cortex_m {
namespace {

struct PoolGeometry {
  kernels::PoolParams params;
  Shape output;
};

int64_t pool_out_size(const Node& node, const char* axis, int64_t in, int64_t kernel,
                      int64_t stride, int64_t begin, int64_t end) {
  if (begin > kernel - 1 || end > kernel - 1) {
    node_error(node, "attribute 'pads' {} / {} on the {} axis must be at most K - 1 = {}", begin,
               end, axis, kernel - 1);
  }
  if (in + begin + end < kernel) {
    node_error(node, "the kernel ({}) is larger than the padded input ({}) on the {} axis", kernel,
               in + begin + end, axis);
  }
  return (in + begin + end - kernel) / stride + 1;
}

PoolGeometry pool_geometry(const Node& node) {
  expect_inputs(node, 1, 1);
  expect_dtype(node, 0, DType::kInt8);
  expect_rank(node, 0, 4, 4);
  expect_output_quant_of_input(node, 0);
  const Shape& x = input_value(node, 0).shape;
  if (!node.attrs.has("kernel")) node_error(node, "attribute 'kernel' is missing");
  const std::vector<int64_t> kernel = ints_attr(node, "kernel", 2, {}, 1);
  const std::vector<int64_t> strides = ints_attr(node, "strides", 2, {1, 1}, 1);
  const std::vector<int64_t> pads = ints_attr(node, "pads", 4, {0, 0, 0, 0}, 0);
  PoolGeometry g;
  const int64_t oh = pool_out_size(node, "height", x[1], kernel[0], strides[0], pads[0], pads[2]);
  const int64_t ow = pool_out_size(node, "width", x[2], kernel[1], strides[1], pads[1], pads[3]);
  g.params.filter_h = static_cast<int32_t>(kernel[0]);
  g.params.filter_w = static_cast<int32_t>(kernel[1]);
  g.params.stride_h = static_cast<int32_t>(strides[0]);
  g.params.stride_w = static_cast<int32_t>(strides[1]);
  g.params.pad_h = static_cast<int32_t>(pads[0]);
  g.params.pad_w = static_cast<int32_t>(pads[1]);
  g.params.activation = activation_of(node);
  g.output = {x[0], oh, ow, x[3]};
  return g;
}

std::vector<OutputType> infer_pool(const Node& node) {
  return {{DType::kInt8, pool_geometry(node).output}};
}

// The scratch avg_pool_s8 needs (shared by evaluate and scratch_bytes).
int64_t avg_pool_scratch(const Node& node, const PoolGeometry& g) {
  return scratch_size(node,
                      kernels::avg_pool_s8_scratch_size(dims4(node, input_value(node, 0).shape),
                                                        dims4(node, g.output)),
                      "avg_pool_s8");
}

int64_t avg_pool_scratch_bytes(const Node& node) {
  return avg_pool_scratch(node, pool_geometry(node));
}

std::vector<Tensor> evaluate_avg_pool(const Node& node, Inputs inputs) {
  const PoolGeometry g = pool_geometry(node);
  const kernels::Dims4 in_dims = dims4(node, inputs[0]->shape());
  const kernels::Dims4 out_dims = dims4(node, g.output);
  std::vector<int8_t> scratch = scratch_buffer(avg_pool_scratch(node, g));
  Tensor result(DType::kInt8, g.output);
  check_status(
      node,
      kernels::avg_pool_s8(g.params, in_dims, span_of<int8_t>(*inputs[0]), out_dims,
                           mutable_span_of<int8_t>(result), {scratch.data(), scratch.size()}),
      "avg_pool_s8");
  return {std::move(result)};
}

std::vector<Tensor> evaluate_max_pool(const Node& node, Inputs inputs) {
  const PoolGeometry g = pool_geometry(node);
  Tensor result(DType::kInt8, g.output);
  check_status(
      node,
      kernels::max_pool_s8(g.params, dims4(node, inputs[0]->shape()), span_of<int8_t>(*inputs[0]),
                           dims4(node, g.output), mutable_span_of<int8_t>(result)),
      "max_pool_s8");
  return {std::move(result)};
}

const ir::RegisterOp kAvgPool{
    {"cortex_m.avg_pool2d", infer_pool, evaluate_avg_pool, nullptr, avg_pool_scratch_bytes}};
const ir::RegisterOp kMaxPool{{"cortex_m.max_pool2d", infer_pool, evaluate_max_pool}};

}  // namespace
}  // namespace tinyexec::ops::cortex_m
