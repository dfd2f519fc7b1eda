// SPDX-License-Identifier: Apache-2.0
#include "ops/cortex_m/cortex_m_helpers.h"

#include <cmath>

namespace tinyexec::ops::cortex_m {
namespace {

bool valid_scale(float scale) {
  return std::isfinite(scale) && scale > 0.0f;
}

// Per-tensor int8 activation quantization of `value`, `what` naming it in errors.
const ir::QuantParams& activation_quant(const Node& node, const ir::Value& value,
                                        const std::string& what) {
  if (!value.quant) {
    node_error(node,
               "{} ('{}') has no quantization; cortex_m ops need int8 values with "
               "per-tensor quantization",
               what, value.name);
  }
  const ir::QuantParams& quant = *value.quant;
  if (quant.per_channel() || quant.scales.size() != 1 || quant.zero_points.size() != 1) {
    node_error(node, "{} ('{}') has quantization {}, only per-tensor is supported", what,
               value.name, quant.to_string());
  }
  if (!valid_scale(quant.scales[0])) {
    node_error(node, "{} ('{}') has scale {}, it must be finite and > 0", what, value.name,
               quant.scales[0]);
  }
  if (quant.zero_points[0] < -128 || quant.zero_points[0] > 127) {
    node_error(node, "{} ('{}') has zero point {}, it must be in [-128, 127]", what, value.name,
               quant.zero_points[0]);
  }
  return quant;
}

}  // namespace

const ir::Value& expect_dtype(const Node& node, size_t index, DType dtype) {
  const ir::Value& value = input_value(node, index);
  if (value.dtype != dtype) {
    node_error(node, "input {} ('{}') is {}, it must be {}", index, value.name,
               ir::dtype_name(value.dtype), ir::dtype_name(dtype));
  }
  return value;
}

const ir::QuantParams& input_quant(const Node& node, size_t index) {
  return activation_quant(node, input_value(node, index), fmt::format("input {}", index));
}

const ir::QuantParams& output_quant(const Node& node) {
  if (node.outputs.empty()) node_error(node, "has no output");
  return activation_quant(node, *node.output(0), "output 0");
}

const ir::QuantParams& weight_quant(const Node& node, size_t index, int32_t axis, int64_t channels,
                                    bool symmetric) {
  const ir::Value& value = input_value(node, index);
  if (!value.quant)
    node_error(node, "weight (input {}, '{}') has no quantization", index, value.name);
  const ir::QuantParams& quant = *value.quant;
  const size_t count = quant.per_channel() ? static_cast<size_t>(channels) : 1;
  if (quant.per_channel() && quant.axis != axis) {
    node_error(node, "weight '{}' is quantized per channel along axis {}, it must be axis {}",
               value.name, quant.axis, axis);
  }
  if (quant.scales.size() != count || quant.zero_points.size() != count) {
    node_error(node,
               "weight '{}' has quantization {} with {} scales and {} zero points, "
               "expected {}",
               value.name, quant.to_string(), quant.scales.size(), quant.zero_points.size(), count);
  }
  for (size_t i = 0; i < count; ++i) {
    if (!valid_scale(quant.scales[i])) {
      node_error(node, "weight '{}' scale {} is {}, it must be finite and > 0", value.name, i,
                 quant.scales[i]);
    }
    const int32_t zp = quant.zero_points[i];
    if (symmetric ? zp != 0 : (zp < -128 || zp > 127)) {
      node_error(node, "weight '{}' zero point {} is {}, {}", value.name, i, zp,
                 symmetric ? "it must be 0 (symmetric weights)" : "it must be in [-128, 127]");
    }
  }
  return quant;
}

const ir::Value* check_bias(const Node& node, size_t index, int64_t channels) {
  const ir::Value* bias = node.input(index);
  if (bias == nullptr) return nullptr;
  expect_dtype(node, index, DType::kInt32);
  if (bias->shape != Shape{channels}) {
    node_error(node, "bias '{}' has shape {}, expected [{}]", bias->name,
               ir::shape_string(bias->shape), channels);
  }
  if (bias->quant) {
    for (int32_t zp : bias->quant->zero_points) {
      if (zp != 0) node_error(node, "bias '{}' has zero point {}, it must be 0", bias->name, zp);
    }
  }
  return bias;
}

void expect_output_quant_of_input(const Node& node, size_t index) {
  const ir::QuantParams& in = input_quant(node, index);
  const ir::QuantParams& out = output_quant(node);
  if (!(in == out)) {
    node_error(node, "output quantization {} must equal input {}'s {} (the op does not rescale)",
               out.to_string(), index, in.to_string());
  }
}

void expect_same_quant(const Node& node, size_t index, size_t other) {
  const ir::QuantParams& a = input_quant(node, index);
  const ir::QuantParams& b = input_quant(node, other);
  if (!(a == b)) {
    node_error(node, "input {} quantization {} must equal input {}'s {}", other, b.to_string(),
               index, a.to_string());
  }
}

kernels::ActivationRange activation_of(const Node& node) {
  const int64_t min = node.attrs.int_or("activation_min", -128);
  const int64_t max = node.attrs.int_or("activation_max", 127);
  if (min < -128 || max > 127 || min > max) {
    node_error(node,
               "attributes 'activation_min' {} / 'activation_max' {} must satisfy "
               "-128 <= min <= max <= 127",
               min, max);
  }
  return {static_cast<int32_t>(min), static_cast<int32_t>(max)};
}

std::vector<int64_t> ints_attr(const Node& node, const std::string& name, size_t count,
                               std::vector<int64_t> fallback, int64_t min_value) {
  std::vector<int64_t> values = node.attrs.ints_or(name, std::move(fallback));
  if (values.size() != count) {
    node_error(node, "attribute '{}' has {} values, expected {}", name, values.size(), count);
  }
  for (int64_t v : values) {
    if (v < min_value || v > INT32_MAX) {
      node_error(node, "attribute '{}' value {} is out of range (must be >= {})", name, v,
                 min_value);
    }
  }
  return values;
}

void check_param_ints(const Node& node, const std::string& name, size_t count, int64_t lo,
                      int64_t hi) {
  if (!node.attrs.has(name)) return;
  const std::vector<int64_t>& values = node.attrs.get_ints(name);
  if (values.size() != count) {
    node_error(node, "(params) attribute '{}' has {} values, expected {}", name, values.size(),
               count);
  }
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i] < lo || values[i] > hi) {
      node_error(node, "(params) attribute '{}'[{}] is {}, it must be in [{}, {}]", name, i,
                 values[i], lo, hi);
    }
  }
}

[[noreturn]] static void missing_param(const Node& node, const std::string& name) {
  node_error(node, "(params) attribute '{}' is missing (the params pass computes it)", name);
}

std::vector<int32_t> require_param_ints(const Node& node, const std::string& name, size_t count,
                                        int64_t lo, int64_t hi) {
  if (!node.attrs.has(name)) missing_param(node, name);
  check_param_ints(node, name, count, lo, hi);
  const std::vector<int64_t>& values = node.attrs.get_ints(name);
  return std::vector<int32_t>(values.begin(), values.end());
}

void check_param_int(const Node& node, const std::string& name, int64_t lo, int64_t hi) {
  if (!node.attrs.has(name)) return;
  const int64_t value = node.attrs.get_int(name);
  if (value < lo || value > hi) {
    node_error(node, "(params) attribute '{}' is {}, it must be in [{}, {}]", name, value, lo, hi);
  }
}

int32_t require_param_int(const Node& node, const std::string& name, int64_t lo, int64_t hi) {
  if (!node.attrs.has(name)) missing_param(node, name);
  check_param_int(node, name, lo, hi);
  return static_cast<int32_t>(node.attrs.get_int(name));
}

void check_requant_params(const Node& node, const std::string& multipliers,
                          const std::string& shifts, size_t count) {
  check_param_ints(node, multipliers, count, 0, kMultiplierMax);
  check_param_ints(node, shifts, count, kShiftMin, kShiftMax);
}

void expect_rank(const Node& node, size_t index, int64_t min_rank, int64_t max_rank) {
  const ir::Value& value = input_value(node, index);
  if (value.rank() < min_rank || value.rank() > max_rank) {
    if (min_rank == max_rank) {
      node_error(node, "input {} ('{}') has shape {}, it must have rank {}", index, value.name,
                 ir::shape_string(value.shape), min_rank);
    }
    node_error(node, "input {} ('{}') has shape {}, its rank must be in [{}, {}]", index,
               value.name, ir::shape_string(value.shape), min_rank, max_rank);
  }
  for (int64_t d : value.shape) {
    if (d < 1) {
      node_error(node, "input {} ('{}') has shape {}: every dimension must be >= 1", index,
                 value.name, ir::shape_string(value.shape));
    }
  }
}

int32_t to_i32(const Node& node, int64_t value, const char* what) {
  if (value < INT32_MIN || value > INT32_MAX) {
    node_error(node, "{} {} does not fit the kernels' int32", what, value);
  }
  return static_cast<int32_t>(value);
}

kernels::Dims4 dims4(const Node& node, const Shape& shape) {
  if (shape.size() > 4) {
    node_error(node, "shape {} has rank > 4, the kernels take at most 4", ir::shape_string(shape));
  }
  int32_t d[4] = {1, 1, 1, 1};
  for (size_t i = 0; i < shape.size(); ++i) {
    d[4 - shape.size() + i] = to_i32(node, shape[i], "dimension");
  }
  return {d[0], d[1], d[2], d[3]};
}

void check_status(const Node& node, kernels::Status status, const char* kernel) {
  if (status != kernels::Status::kOk) {
    node_error(node, "kernel {} failed with status {}", kernel, kernels::status_name(status));
  }
}

int64_t scratch_size(const Node& node, int32_t bytes, const char* kernel) {
  if (bytes < 0) node_error(node, "{}_scratch_size returned {}", kernel, bytes);
  return bytes;
}

std::vector<int8_t> scratch_buffer(int64_t bytes) {
  return std::vector<int8_t>(static_cast<size_t>(bytes));
}

}  // namespace tinyexec::ops::cortex_m
