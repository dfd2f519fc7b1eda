// SPDX-License-Identifier: Apache-2.0
// cortex_m.reshape, cortex_m.pad, cortex_m.transpose and cortex_m.concat (docs/dialect.md):
// int8 data movement; the output shares the input's quantization (checked). pad, transpose
// and concat run with pad_s8, transpose_s8 and concat_s8; reshape copies the bytes.
//
// Attribute choices where docs/dialect.md leaves room:
// - reshape: shape (required) is the full output shape, every dim >= 1 (no 0 / -1 wildcards).
// - pad: pads (required) has 2 * rank values >= 0, ONNX order; rank <= 4.
// - transpose: perm (required) is a permutation of [0, rank); rank <= 4.
// - concat: axis (required) may be negative; one or more inputs of equal rank <= 4 and equal
//   quantization (that of input 0, which the output shares).
#include <algorithm>

#include "ops/cortex_m/cortex_m_helpers.h"
#include "tinyexec/kernels/concat.h"
#include "tinyexec/kernels/pad.h"
#include "tinyexec/kernels/transpose.h"

namespace tinyexec::ops::cortex_m {
namespace {

// The checks every layout op shares for input 0.
const ir::Value& layout_input(const Node& node) {
  const ir::Value& x = expect_dtype(node, 0, DType::kInt8);
  expect_rank(node, 0, 0, 4);
  expect_output_quant_of_input(node, 0);
  return x;
}

const std::vector<int64_t>& required_ints(const Node& node, const std::string& name) {
  if (!node.attrs.has(name)) node_error(node, "attribute '{}' is missing", name);
  return node.attrs.get_ints(name);
}

// --- reshape

std::vector<OutputType> infer_reshape(const Node& node) {
  expect_inputs(node, 1, 1);
  const ir::Value& x = expect_dtype(node, 0, DType::kInt8);
  expect_output_quant_of_input(node, 0);
  const std::vector<int64_t>& shape = required_ints(node, "shape");
  for (int64_t d : shape) {
    if (d < 1) node_error(node, "attribute 'shape' {} has a dim < 1", ir::shape_string(shape));
  }
  if (ir::shape_numel(shape) != x.numel()) {
    node_error(node, "attribute 'shape' {} has {} elements, input '{}' {} has {}",
               ir::shape_string(shape), ir::shape_numel(shape), x.name, ir::shape_string(x.shape),
               x.numel());
  }
  return {{DType::kInt8, shape}};
}

std::vector<Tensor> evaluate_reshape(const Node& node, Inputs inputs) {
  return {inputs[0]->reshaped(node.attrs.get_ints("shape"))};
}

// --- pad

std::vector<OutputType> infer_pad(const Node& node) {
  expect_inputs(node, 1, 1);
  const ir::Value& x = layout_input(node);
  const size_t rank = x.shape.size();
  const std::vector<int64_t> pads =
      ints_attr(node, "pads", 2 * rank, required_ints(node, "pads"), 0);
  Shape out = x.shape;
  for (size_t i = 0; i < rank; ++i) out[i] += pads[i] + pads[i + rank];
  return {{DType::kInt8, out}};
}

std::vector<Tensor> evaluate_pad(const Node& node, Inputs inputs) {
  const Shape out = infer_pad(node)[0].shape;
  const Tensor& x = *inputs[0];
  const std::vector<int64_t>& pads = node.attrs.get_ints("pads");
  const size_t rank = x.shape().size();
  const kernels::Dims4 pre = dims4(node, Shape(pads.begin(), pads.begin() + rank));
  const kernels::Dims4 post = dims4(node, Shape(pads.begin() + rank, pads.end()));
  // dims4 fills the leading dims with 1s; padding there must be 0.
  auto unpadded = [&](kernels::Dims4 d) {
    int32_t* v[4] = {&d.n, &d.h, &d.w, &d.c};
    for (size_t i = 0; i < 4 - rank; ++i) *v[i] = 0;
    return d;
  };
  Tensor result(DType::kInt8, out);
  check_status(node,
               kernels::pad_s8(dims4(node, x.shape()), span_of<int8_t>(x), unpadded(pre),
                               unpadded(post), static_cast<int8_t>(zero_point(output_quant(node))),
                               mutable_span_of<int8_t>(result)),
               "pad_s8");
  return {std::move(result)};
}

// --- transpose

std::vector<int64_t> checked_perm(const Node& node, size_t rank) {
  const std::vector<int64_t>& perm = required_ints(node, "perm");
  std::vector<int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  bool valid = sorted.size() == rank;
  for (size_t i = 0; valid && i < rank; ++i) valid = sorted[i] == static_cast<int64_t>(i);
  if (!valid) {
    node_error(node, "attribute 'perm' {} is not a permutation of the input's {} axes",
               ir::shape_string(perm), rank);
  }
  return perm;
}

std::vector<OutputType> infer_transpose(const Node& node) {
  expect_inputs(node, 1, 1);
  const ir::Value& x = layout_input(node);
  const std::vector<int64_t> perm = checked_perm(node, x.shape.size());
  Shape out;
  for (int64_t p : perm) out.push_back(x.shape[static_cast<size_t>(p)]);
  return {{DType::kInt8, out}};
}

std::vector<Tensor> evaluate_transpose(const Node& node, Inputs inputs) {
  const Shape out = infer_transpose(node)[0].shape;
  const Tensor& x = *inputs[0];
  const size_t rank = x.shape().size();
  const std::vector<int64_t> perm = checked_perm(node, rank);
  kernels::TransposeParams params{};
  const size_t lead = 4 - rank;  // leading unit axes stay in place
  for (size_t i = 0; i < lead; ++i) params.perm[i] = static_cast<int32_t>(i);
  for (size_t i = 0; i < rank; ++i) params.perm[lead + i] = static_cast<int32_t>(perm[i] + lead);
  Tensor result(DType::kInt8, out);
  check_status(node,
               kernels::transpose_s8(dims4(node, x.shape()), params, span_of<int8_t>(x),
                                     mutable_span_of<int8_t>(result)),
               "transpose_s8");
  return {std::move(result)};
}

// --- concat

int64_t concat_axis(const Node& node) {
  if (node.inputs.empty()) node_error(node, "expects at least 1 input, has 0");
  const ir::Value& first = layout_input(node);
  if (!node.attrs.has("axis")) node_error(node, "attribute 'axis' is missing");
  const int64_t axis = normalize_axis(node, node.attrs.get_int("axis"), first.rank());
  for (size_t i = 1; i < node.inputs.size(); ++i) {
    const ir::Value& x = expect_dtype(node, i, DType::kInt8);
    expect_same_quant(node, 0, i);
    bool fits = x.rank() == first.rank();
    for (int64_t d = 0; fits && d < first.rank(); ++d) {
      fits = d == axis || x.shape[static_cast<size_t>(d)] == first.shape[static_cast<size_t>(d)];
    }
    if (!fits) {
      node_error(node,
                 "input {} ('{}') has shape {}, it must match input 0's {} except on axis "
                 "{}",
                 i, x.name, ir::shape_string(x.shape), ir::shape_string(first.shape), axis);
    }
  }
  return axis;
}

std::vector<OutputType> infer_concat(const Node& node) {
  const int64_t axis = concat_axis(node);
  Shape out = input_value(node, 0).shape;
  out[static_cast<size_t>(axis)] = 0;
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    out[static_cast<size_t>(axis)] += input_value(node, i).shape[static_cast<size_t>(axis)];
  }
  return {{DType::kInt8, out}};
}

std::vector<Tensor> evaluate_concat(const Node& node, Inputs inputs) {
  const Shape out = infer_concat(node)[0].shape;
  const int64_t axis = concat_axis(node);
  std::vector<kernels::ConcatInput> parts;
  for (const Tensor* x : inputs) parts.push_back({dims4(node, x->shape()), span_of<int8_t>(*x)});
  Tensor result(DType::kInt8, out);
  const int32_t axis4 = static_cast<int32_t>(axis + 4 - static_cast<int64_t>(out.size()));
  check_status(
      node,
      kernels::concat_s8({parts.data(), parts.size()}, axis4, mutable_span_of<int8_t>(result)),
      "concat_s8");
  return {std::move(result)};
}

const ir::RegisterOp kReshape{{"cortex_m.reshape", infer_reshape, evaluate_reshape}};
const ir::RegisterOp kPad{{"cortex_m.pad", infer_pad, evaluate_pad}};
const ir::RegisterOp kTranspose{{"cortex_m.transpose", infer_transpose, evaluate_transpose}};
const ir::RegisterOp kConcat{{"cortex_m.concat", infer_concat, evaluate_concat}};

}  // namespace
}  // namespace tinyexec::ops::cortex_m
