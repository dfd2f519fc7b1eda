// SPDX-License-Identifier: Apache-2.0
#include "passes/compute_kernel_params.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "ops/op_helpers.h"
#include "tinyexec/kernels/fully_connected.h"
#include "tinyexec/kernels/requant.h"

namespace tinyexec::passes {

namespace {

constexpr int32_t kAddLeftShift = 20;        // TFLite's int8 Add headroom
constexpr int kSoftmaxInputIntegerBits = 5;  // TFLite's kScaledDiffIntegerBits

std::vector<int64_t> multipliers_of(std::span<const Requantization> values) {
  std::vector<int64_t> result;
  for (const Requantization& r : values) result.push_back(r.multiplier);
  return result;
}

std::vector<int64_t> shifts_of(std::span<const Requantization> values) {
  std::vector<int64_t> result;
  for (const Requantization& r : values) result.push_back(r.shift);
  return result;
}

}  // namespace

Requantization requantization(double real_scale, std::string_view what) {
  Requantization result;
  if (kernels::quantize_multiplier(real_scale, &result.multiplier, &result.shift) !=
      kernels::Status::kOk) {
    fail(
        "{}: the requantization scale {} cannot be represented (it must be finite, >= 0 and "
        "below 2^30)",
        what, real_scale);
  }
  return result;
}

std::vector<Requantization> per_channel_requantization(float input_scale,
                                                       std::span<const float> weight_scales,
                                                       float output_scale, int64_t channels,
                                                       std::string_view what) {
  if (weight_scales.size() != 1 && static_cast<int64_t>(weight_scales.size()) != channels) {
    fail("{}: the weight has {} scales for {} output channels (expected 1 or {})", what,
         weight_scales.size(), channels, channels);
  }
  std::vector<Requantization> result;
  for (int64_t c = 0; c < channels; ++c) {
    const float weight_scale = weight_scales[weight_scales.size() == 1 ? 0 : c];
    result.push_back(
        requantization(static_cast<double>(input_scale) * static_cast<double>(weight_scale) /
                           static_cast<double>(output_scale),
                       what));
  }
  return result;
}

Requantization product_requantization(float input_scale, float weight_scale, float output_scale,
                                      std::string_view what) {
  const float product = input_scale * weight_scale;  // float, as TFLite rounds it
  return requantization(static_cast<double>(product) / static_cast<double>(output_scale), what);
}

AddRequantization add_requantization(float input1_scale, float input2_scale, float output_scale,
                                     std::string_view what) {
  AddRequantization result;
  result.left_shift = kAddLeftShift;
  const double twice_max = 2.0 * static_cast<double>(std::max(input1_scale, input2_scale));
  result.input1 = requantization(static_cast<double>(input1_scale) / twice_max, what);
  result.input2 = requantization(static_cast<double>(input2_scale) / twice_max, what);
  result.output = requantization(
      twice_max / (static_cast<double>(1 << kAddLeftShift) * static_cast<double>(output_scale)),
      what);
  return result;
}

Requantization mul_requantization(float input1_scale, float input2_scale, float output_scale,
                                  std::string_view what) {
  return requantization(static_cast<double>(input1_scale) * static_cast<double>(input2_scale) /
                            static_cast<double>(output_scale),
                        what);
}

SoftmaxScaling softmax_scaling(float input_scale, double beta, std::string_view what) {
  const double real = std::min(beta * static_cast<double>(input_scale) *
                                   static_cast<double>(1 << (31 - kSoftmaxInputIntegerBits)),
                               static_cast<double>((int64_t{1} << 31) - 1));
  // quantize_multiplier stops at shift 30; halving the scale keeps the mantissa and lowers the
  // exponent by one exactly, which reaches TFLite's full [0, 31] range of left shifts.
  Requantization half = requantization(real / 2.0, what);
  SoftmaxScaling result;
  result.input_multiplier = half.multiplier;
  result.input_left_shift = half.shift + 1;
  if (result.input_multiplier == 0 || result.input_left_shift < 0) {
    fail(
        "{}: the input scale {} is too small for the int8 softmax (beta * scale * 2^26 = {} must "
        "be at least 1)",
        what, input_scale, real);
  }
  const double radius = static_cast<double>((1 << kSoftmaxInputIntegerBits) - 1) *
                        static_cast<double>(int64_t{1} << (31 - kSoftmaxInputIntegerBits)) /
                        static_cast<double>(int64_t{1} << result.input_left_shift);
  result.diff_min = -static_cast<int32_t>(std::floor(radius));
  return result;
}

namespace {

double apply_lut_function(std::string_view function, double x) {
  if (function == "sigmoid") return 1.0 / (1.0 + std::exp(-x));
  if (function == "tanh") return std::tanh(x);
  if (function == "hardswish") return x * std::clamp(x + 3.0, 0.0, 6.0) / 6.0;
  if (function == "gelu") return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
  fail("cortex_m.lut: unknown function '{}' (supported: sigmoid, tanh, hardswish, gelu)", function);
}

}  // namespace

bool lut_function_known(std::string_view function) {
  return function == "sigmoid" || function == "tanh" || function == "hardswish" ||
         function == "gelu";
}

std::vector<int64_t> lut_table(std::string_view function, float input_scale,
                               int32_t input_zero_point, float output_scale,
                               int32_t output_zero_point) {
  std::vector<int64_t> table(256);
  for (int i = 0; i < 256; ++i) {
    const double x = static_cast<double>(input_scale) * (i - 128 - input_zero_point);
    const double y = apply_lut_function(function, x);
    const double q = std::round(y / static_cast<double>(output_scale)) + output_zero_point;
    table[i] = static_cast<int64_t>(std::clamp(q, -128.0, 127.0));
  }
  return table;
}

void set_add_params(ir::Attributes& attrs, const AddRequantization& r) {
  attrs.set("left_shift", int64_t{r.left_shift});
  attrs.set("input1_multiplier", int64_t{r.input1.multiplier});
  attrs.set("input1_shift", int64_t{r.input1.shift});
  attrs.set("input2_multiplier", int64_t{r.input2.multiplier});
  attrs.set("input2_shift", int64_t{r.input2.shift});
  attrs.set("output_multiplier", int64_t{r.output.multiplier});
  attrs.set("output_shift", int64_t{r.output.shift});
}

std::vector<int64_t> kernel_sums(const ir::Tensor& weight, int32_t weight_zero_point,
                                 const ir::Tensor* bias, int32_t input_zero_point) {
  if (weight.rank() != 2 || weight.dtype() != ir::DType::kInt8) {
    fail("kernel sums need an i8 [O, K] weight, got {}{}", ir::dtype_name(weight.dtype()),
         ir::shape_string(weight.shape()));
  }
  const int64_t rows = weight.shape()[0];
  if (bias != nullptr && (bias->dtype() != ir::DType::kInt32 || bias->numel() != rows)) {
    fail("kernel sums need an i32 bias of {} values, got {}{}", rows,
         ir::dtype_name(bias->dtype()), ir::shape_string(bias->shape()));
  }
  kernels::FullyConnectedParams params;
  params.input_offset = -input_zero_point;
  params.filter_offset = -weight_zero_point;
  const kernels::FullyConnectedShape shape{1, static_cast<int32_t>(weight.shape()[1]),
                                           static_cast<int32_t>(rows)};
  const auto w = weight.data<int8_t>();
  kernels::Span<const int32_t> bias_span;
  if (bias != nullptr) bias_span = {bias->data<int32_t>().data(), bias->data<int32_t>().size()};
  std::vector<int32_t> sums(static_cast<size_t>(rows));
  const kernels::Status status = kernels::fully_connected_s8_kernel_sums(
      params, shape, {w.data(), w.size()}, bias_span, {sums.data(), sums.size()});
  if (status != kernels::Status::kOk) {
    fail("fully_connected_s8_kernel_sums: {}", kernels::status_name(status));
  }
  return {sums.begin(), sums.end()};
}

namespace {

// --- Reading the quantization of a node's values.

const ir::Value& value_at(const ir::Node& node, const ir::Value* value, std::string_view role) {
  if (value == nullptr) ops::node_error(node, "the {} is missing", role);
  return *value;
}

const ir::QuantParams& quant_of(const ir::Node& node, const ir::Value* value,
                                std::string_view role) {
  const ir::Value& v = value_at(node, value, role);
  if (!v.quant || v.quant->scales.empty()) {
    ops::node_error(node, "the {} '{}' has no quantization parameters", role, v.name);
  }
  return *v.quant;
}

float tensor_scale(const ir::Node& node, const ir::Value* value, std::string_view role) {
  const ir::QuantParams& quant = quant_of(node, value, role);
  if (quant.scales.size() != 1) {
    ops::node_error(node, "the {} '{}' must be quantized per tensor, it has {}", role, value->name,
                    quant.to_string());
  }
  return quant.scales[0];
}

int32_t tensor_zero_point(const ir::Node& node, const ir::Value* value, std::string_view role) {
  const ir::QuantParams& quant = quant_of(node, value, role);
  return quant.zero_points.empty() ? 0 : quant.zero_points[0];
}

// --- One function per op family: sets the attributes on `attrs`.

void conv_params(const ir::Node& node, ir::Attributes& attrs) {
  const std::string what = node.describe();
  const ir::Value& output = value_at(node, node.output(0), "output");
  const int64_t channels = output.shape.empty() ? 1 : output.shape.back();  // NHWC
  const std::vector<Requantization> r = per_channel_requantization(
      tensor_scale(node, node.input(0), "input"), quant_of(node, node.input(1), "weight").scales,
      tensor_scale(node, node.output(0), "output"), channels, what);
  attrs.set("multipliers", multipliers_of(r));
  attrs.set("shifts", shifts_of(r));
}

void linear_params(const ir::Node& node, ir::Attributes& attrs) {
  const std::string what = node.describe();
  const ir::Value& weight = value_at(node, node.input(1), "weight");
  const ir::QuantParams& weight_quant = quant_of(node, &weight, "weight");
  const float input_scale = tensor_scale(node, node.input(0), "input");
  const float output_scale = tensor_scale(node, node.output(0), "output");
  std::vector<Requantization> r;
  if (!weight_quant.per_channel() && weight_quant.scales.size() == 1) {
    r.push_back(product_requantization(input_scale, weight_quant.scales[0], output_scale, what));
  } else {
    const int64_t rows = weight.rank() == 2 ? weight.shape[0] : 0;
    r = per_channel_requantization(input_scale, weight_quant.scales, output_scale, rows, what);
  }
  attrs.set("multipliers", multipliers_of(r));
  attrs.set("shifts", shifts_of(r));
  if (!weight.is_constant() || weight.dtype != ir::DType::kInt8 || weight.rank() != 2) {
    ops::node_error(node, "the weight '{}' ({}) must be a constant i8 [O, K] for kernel_sums",
                    weight.name, weight.type_string());
  }
  const ir::Value* bias = node.inputs.size() > 2 ? node.input(2) : nullptr;
  if (bias != nullptr && !bias->is_constant()) {
    ops::node_error(node, "the bias '{}' must be a constant for kernel_sums", bias->name);
  }
  const ir::QuantParams& input_quant = quant_of(node, node.input(0), "input");
  attrs.set("kernel_sums",
            kernel_sums(*weight.constant, weight_quant.zero_points.at(0),
                        bias != nullptr ? bias->constant.get() : nullptr,
                        input_quant.zero_points.at(0)));
}

void batch_matmul_params(const ir::Node& node, ir::Attributes& attrs) {
  const Requantization r = product_requantization(
      tensor_scale(node, node.input(0), "lhs"), tensor_scale(node, node.input(1), "rhs"),
      tensor_scale(node, node.output(0), "output"), node.describe());
  attrs.set("multiplier", int64_t{r.multiplier});
  attrs.set("shift", int64_t{r.shift});
}

void add_params(const ir::Node& node, ir::Attributes& attrs) {
  const AddRequantization r = add_requantization(
      tensor_scale(node, node.input(0), "input 0"), tensor_scale(node, node.input(1), "input 1"),
      tensor_scale(node, node.output(0), "output"), node.describe());
  set_add_params(attrs, r);
}

void mul_params(const ir::Node& node, ir::Attributes& attrs) {
  const Requantization r = mul_requantization(
      tensor_scale(node, node.input(0), "input 0"), tensor_scale(node, node.input(1), "input 1"),
      tensor_scale(node, node.output(0), "output"), node.describe());
  attrs.set("output_multiplier", int64_t{r.multiplier});
  attrs.set("output_shift", int64_t{r.shift});
}

void softmax_params(const ir::Node& node, ir::Attributes& attrs) {
  const SoftmaxScaling s =
      softmax_scaling(tensor_scale(node, node.input(0), "input"), 1.0, node.describe());
  attrs.set("input_multiplier", int64_t{s.input_multiplier});
  attrs.set("input_left_shift", int64_t{s.input_left_shift});
  attrs.set("diff_min", int64_t{s.diff_min});
}

void lut_params(const ir::Node& node, ir::Attributes& attrs) {
  const std::string& function = node.attrs.get_string("function");
  if (!lut_function_known(function)) {
    ops::node_error(node, "attribute 'function' is '{}'; supported: sigmoid, tanh, hardswish, gelu",
                    function);
  }
  attrs.set("table", lut_table(function, tensor_scale(node, node.input(0), "input"),
                               tensor_zero_point(node, node.input(0), "input"),
                               tensor_scale(node, node.output(0), "output"),
                               tensor_zero_point(node, node.output(0), "output")));
}

using ParamsFunction = void (*)(const ir::Node&, ir::Attributes&);

ParamsFunction params_function(std::string_view op) {
  if (op == "cortex_m.quantized_conv2d" || op == "cortex_m.quantized_depthwise_conv2d" ||
      op == "cortex_m.quantized_transpose_conv2d") {
    return conv_params;
  }
  if (op == "cortex_m.quantized_linear") return linear_params;
  if (op == "cortex_m.quantized_batch_matmul") return batch_matmul_params;
  if (op == "cortex_m.quantized_add") return add_params;
  if (op == "cortex_m.quantized_mul") return mul_params;
  if (op == "cortex_m.softmax") return softmax_params;
  if (op == "cortex_m.lut") return lut_params;
  return nullptr;
}

}  // namespace

int compute_kernel_params(ir::Graph& graph) {
  int changed = 0;
  for (ir::Node* node : graph.nodes()) {
    const ParamsFunction function = params_function(node->op);
    if (function == nullptr) continue;
    ir::Attributes attrs = node->attrs;
    try {
      function(*node, attrs);
    } catch (const CompileError& error) {
      // The free functions' errors already start with the node; others (attribute getters,
      // tensor accessors) get it prefixed.
      const std::string message = error.what();
      if (message.starts_with(node->describe())) throw;
      ops::node_error(*node, "{}", message);
    }
    if (!(attrs == node->attrs)) {
      node->attrs = std::move(attrs);
      ++changed;
    }
  }
  return changed;
}

}  // namespace tinyexec::passes
