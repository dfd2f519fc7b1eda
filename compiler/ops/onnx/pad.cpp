// SPDX-License-Identifier: Apache-2.0
// Pad (ONNX opset-13 semantics): inputs data, pads (int64 [2 * rank]: all begins, then all
// ends; negative values crop) and the optional scalar constant_value; attribute mode =
// constant (default) | reflect | edge. Data movement, so every dtype in every mode: elements
// are copied as bytes. pads must be a constant, because output shapes are static.
#include <cstring>
#include <string>

#include "ops/op_helpers.h"

namespace tinyexec::ops {
namespace {

enum class PadMode { kConstant, kReflect, kEdge };

PadMode pad_mode(const Node& node) {
  const std::string mode = node.attrs.string_or("mode", "constant");
  if (mode == "constant") return PadMode::kConstant;
  if (mode == "reflect") return PadMode::kReflect;
  if (mode == "edge") return PadMode::kEdge;
  node_error(node, "attribute 'mode' is '{}'; supported modes are constant, reflect and edge",
             mode);
}

// The pads as integers, checked against the data's rank.
std::vector<int64_t> pads_of(const Node& node, const Tensor& pads, int64_t rank) {
  if (pads.dtype() != DType::kInt64) {
    node_error(node, "input 1 (pads) is {}, expected i64", ir::dtype_name(pads.dtype()));
  }
  if (pads.rank() != 1 || pads.numel() != 2 * rank) {
    node_error(node, "input 1 (pads) has shape {}, expected [{}] (begin and end per axis)",
               ir::shape_string(pads.shape()), 2 * rank);
  }
  return pads.to_int_vector();
}

Shape padded_shape(const Node& node, const Shape& shape, const std::vector<int64_t>& pads,
                   PadMode mode) {
  const size_t rank = shape.size();
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Bounded so that neither the output size nor the reference's index arithmetic overflows.
    for (int64_t pad : {pads[i], pads[i + rank]}) {
      if (pad < -ir::kMaxTensorBytes || pad > ir::kMaxTensorBytes) {
        node_error(node, "pad {} on axis {} is out of range (at most 2^31 either way)", pad, i);
      }
    }
    if (__builtin_add_overflow(shape[i], pads[i] + pads[i + rank], &out[i])) {
      node_error(node, "pads {} and {} on axis {} overflow its size {}", pads[i], pads[i + rank], i,
                 shape[i]);
    }
    if (out[i] < 0) {
      node_error(node, "pads {} and {} on axis {} crop more than its size {}", pads[i],
                 pads[i + rank], i, shape[i]);
    }
    if (mode != PadMode::kConstant && shape[i] == 0 && out[i] > 0) {
      node_error(node, "axis {} is empty: reflect and edge padding need at least one element", i);
    }
  }
  return out;
}

std::vector<OutputType> infer_pad(const Node& node) {
  expect_inputs(node, 2, 3);
  const ir::Value& data = input_value(node, 0);
  const PadMode mode = pad_mode(node);
  const ir::Value& pads = input_value(node, 1);
  if (!pads.is_constant()) {
    node_error(node, "input 1 (pads '{}') must be a constant: output shapes are static", pads.name);
  }
  if (const ir::Value* value = node.input(2)) {
    if (value->dtype != data.dtype) {
      node_error(node, "input 2 (constant_value '{}') is {}, it must have the data's type {}",
                 value->name, ir::dtype_name(value->dtype), ir::dtype_name(data.dtype));
    }
    if (value->numel() != 1) {
      node_error(node, "input 2 (constant_value '{}') must be a scalar, has shape {}", value->name,
                 ir::shape_string(value->shape));
    }
  }
  const std::vector<int64_t> amounts = pads_of(node, *pads.constant, data.rank());
  return {{data.dtype, padded_shape(node, data.shape, amounts, mode)}};
}

// The source index along an axis of size n for output index o shifted by the begin pad, or -1
// for the constant value. reflect mirrors without repeating the edge element, like numpy.
int64_t source_index(int64_t i, int64_t n, PadMode mode) {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case PadMode::kConstant: return -1;
    case PadMode::kEdge: return i < 0 ? 0 : n - 1;
    case PadMode::kReflect: {
      if (n == 1) return 0;
      const int64_t period = 2 * (n - 1);
      int64_t r = ((i % period) + period) % period;
      return r < n ? r : period - r;
    }
  }
  return -1;
}

std::vector<Tensor> evaluate_pad(const Node& node, Inputs inputs) {
  const Tensor& data = *inputs[0];
  const PadMode mode = pad_mode(node);
  const std::vector<int64_t> pads = pads_of(node, *inputs[1], data.rank());
  const Tensor* value = inputs.size() > 2 ? inputs[2] : nullptr;
  const Shape& in_shape = data.shape();
  Tensor result(data.dtype(), padded_shape(node, in_shape, pads, mode));
  const Shape& out_shape = result.shape();
  const size_t rank = in_shape.size();
  const size_t element = ir::dtype_size(data.dtype());
  const std::vector<int64_t> in_strides = strides_of(in_shape);
  const uint8_t* in = data.bytes().data();
  uint8_t* out = result.mutable_bytes().data();

  std::vector<int64_t> index(rank, 0);  // output multi-index, advanced like an odometer
  for (int64_t flat = 0; flat < result.numel(); ++flat) {
    int64_t offset = 0;
    for (size_t d = 0; d < rank && offset >= 0; ++d) {
      const int64_t source = source_index(index[d] - pads[d], in_shape[d], mode);
      offset = source < 0 ? -1 : offset + source * in_strides[d];
    }
    uint8_t* destination = out + flat * element;
    if (offset >= 0) {
      std::memcpy(destination, in + offset * element, element);
    } else if (value != nullptr) {
      std::memcpy(destination, value->bytes().data(), element);
    }  // else: the default constant 0, already there
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < out_shape[d]) break;
      index[d] = 0;
    }
  }
  return {std::move(result)};
}

const ir::RegisterOp kPad{{"onnx.Pad", infer_pad, evaluate_pad}};

}  // namespace
}  // namespace tinyexec::ops
