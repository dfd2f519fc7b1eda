// SPDX-License-Identifier: Apache-2.0
#include "quantizer/quantizer.h"

#include <cmath>
#include <cstdio>
#include <unordered_map>

#include "ir/op_registry.h"
#include "ir/clone.h"
#include "passes/fold_batch_norm.h"
#include "passes/pass_manager.h"
#include "quantizer/weights.h"
#include "reference/interpreter.h"

namespace tinyexec::quantizer {
namespace {

std::string describe_value(const ir::Value& value) {
  if (value.producer != nullptr) {
    return fmt::format("value '{}' (output of {})", value.name, value.producer->describe());
  }
  return fmt::format("value '{}' (graph input)", value.name);
}

ir::Tensor scales_tensor(const std::vector<float>& scales, bool per_channel) {
  if (!per_channel) return ir::Tensor::scalar<float>(scales.at(0));
  return ir::Tensor::from<float>({static_cast<int64_t>(scales.size())}, scales);
}

template <typename T>
ir::Tensor zeros_tensor(size_t count, bool per_channel) {
  if (!per_channel) return ir::Tensor::scalar<T>(0);
  return ir::Tensor(ir::dtype_of<T>(), {static_cast<int64_t>(count)});
}

ir::QuantParams quant_params(const std::vector<float>& scales, int64_t axis) {
  return {scales, std::vector<int32_t>(scales.size(), 0), static_cast<int32_t>(axis)};
}

// Replaces constant input `index` of `node` by quantized constant -> DequantizeLinear.
void insert_constant_dq(ir::Graph& graph, ir::Node* node, size_t index,
                        const QuantizedTensor& quantized, int64_t axis) {
  const ir::Value* original = node->input(index);
  const bool per_channel = axis >= 0;
  ir::Value* q = graph.add_constant(original->name + "_quantized", quantized.values);
  q->quant = quant_params(quantized.scales, axis);
  ir::Value* scale =
      graph.add_constant(original->name + "_scale", scales_tensor(quantized.scales, per_channel));
  ir::Value* zero =
      graph.add_constant(original->name + "_zero_point",
                         quantized.values.dtype() == ir::DType::kInt8
                             ? zeros_tensor<int8_t>(quantized.scales.size(), per_channel)
                             : zeros_tensor<int32_t>(quantized.scales.size(), per_channel));
  ir::Value* dq = graph.add_value(original->name + "_dq", ir::DType::kFloat32, original->shape);
  ir::Attributes attrs;
  if (per_channel) attrs.set("axis", axis);
  graph.insert_node(node, "onnx.DequantizeLinear", {q, scale, zero}, {dq}, std::move(attrs),
                    original->name + "_DequantizeLinear");
  graph.set_input(node, index, dq);
}

bool is_f32_constant(const ir::Value* value) {
  return value != nullptr && value->is_constant() && value->dtype == ir::DType::kFloat32;
}

// The weight axis of node's input 1, or nullopt when the node has no quantizable weight.
std::optional<int64_t> weight_axis(const ir::Node& node, const QuantizerOptions& options) {
  const ir::Value* weight = node.input(1);
  if (!is_f32_constant(weight)) return std::nullopt;
  if (node.op == "onnx.Conv") return weight->rank() >= 1 ? std::optional<int64_t>(0) : std::nullopt;
  if (node.op == "onnx.ConvTranspose") {
    return weight->rank() >= 2 ? std::optional<int64_t>(1) : std::nullopt;
  }
  if (node.op == "onnx.Gemm") {
    if (!options.per_channel_linear) return -1;
    return node.attrs.int_or("transB", 0) != 0 ? 0 : 1;
  }
  if (node.op == "onnx.MatMul") {
    if (!options.per_channel_linear || weight->rank() < 2) return -1;
    return weight->rank() - 1;
  }
  return std::nullopt;
}

// The axis of the bias along which the weight scales apply, or nullopt if it cannot be
// expressed (then the bias stays float).
std::optional<int64_t> bias_axis(const ir::Value& bias, int64_t weight_axis, size_t channels) {
  if (weight_axis < 0) return -1;
  const auto count = static_cast<int64_t>(channels);
  if (bias.rank() == 1 && bias.shape[0] == count) return 0;
  if (bias.rank() == 2 && bias.shape[0] == 1 && bias.shape[1] == count) return 1;
  return std::nullopt;
}

// ConvTranspose with groups > 1: the weight has Cout/groups scales, the bias Cout entries.
std::vector<float> bias_weight_scales(const ir::Node& node, const std::vector<float>& scales,
                                      const ir::Value& bias) {
  if (node.op != "onnx.ConvTranspose" || bias.rank() != 1) return scales;
  std::vector<float> expanded;
  for (int64_t c = 0; c < bias.shape[0]; ++c) {
    expanded.push_back(scales[static_cast<size_t>(c) % scales.size()]);
  }
  return expanded;
}

// Where to put nodes computing from `value`: right after its producer (before the next node),
// or at the start for graph inputs. nullptr: append.
ir::Node* position_after(const ir::Graph& graph, const ir::Value* value) {
  const std::vector<ir::Node*> nodes = graph.nodes();
  if (value->producer == nullptr) return nodes.empty() ? nullptr : nodes.front();
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i] == value->producer) return i + 1 < nodes.size() ? nodes[i + 1] : nullptr;
  }
  fail("{} is not in the graph", value->producer->describe());
}

ir::Node* place(ir::Graph& graph, ir::Node* position, std::string_view op,
                std::vector<ir::Value*> inputs, std::vector<ir::Value*> outputs,
                std::string_view name) {
  if (position == nullptr) return graph.add_node(op, inputs, outputs, {}, name);
  return graph.insert_node(position, op, inputs, outputs, {}, name);
}

// value -> QuantizeLinear -> DequantizeLinear; every former use of value reads the result.
void insert_qdq(ir::Graph& graph, ir::Value* value, ActivationParams params) {
  ir::Node* position = position_after(graph, value);
  const bool is_output = ir::is_graph_output(graph, value);
  const std::string base = value->name;
  ir::Value* scale = graph.add_constant(base + "_scale", ir::Tensor::scalar<float>(params.scale));
  ir::Value* zero = graph.add_constant(
      base + "_zero_point", ir::Tensor::scalar<int8_t>(static_cast<int8_t>(params.zero_point)));
  ir::Value* q = graph.add_value(base + "_quantized", ir::DType::kInt8, value->shape);
  q->quant = ir::QuantParams{{params.scale}, {params.zero_point}, -1};
  ir::Value* dq =
      graph.add_value(base + (is_output ? "_float" : "_dq"), ir::DType::kFloat32, value->shape);
  graph.replace_all_uses(value, dq);  // before the Q node exists, so it keeps reading value
  place(graph, position, "onnx.QuantizeLinear", {value, scale, zero}, {q},
        base + "_QuantizeLinear");
  place(graph, position, "onnx.DequantizeLinear", {q, scale, zero}, {dq},
        base + "_DequantizeLinear");
  // A graph output keeps its name: the float value before the pair takes "<name>_float".
  if (is_output) std::swap(value->name, dq->name);
}

}  // namespace

Quantizer::Quantizer(const ir::Graph& float_graph, QuantizerOptions options)
    : graph_(ir::clone(float_graph)), options_(options) {
  if (options_.fold_batch_norm) passes::fold_batch_norm(graph_);
  ir::infer_shapes(graph_);
  ir::verify(graph_);
  // Float rewrites that change what gets observed (GELU patterns -> onnx.Gelu).
  passes::run_passes(graph_, passes::float_passes());
  plan_ = prepare(graph_);
  for (const ObserverGroup& group : plan_.groups) {
    observers_.push_back(group.fixed ? nullptr
                                     : make_observer(options_.observer, options_.histogram_bins,
                                                     options_.percentile));
  }
}

void Quantizer::observe(size_t sample, const ir::Value& value, const ir::Tensor& tensor) {
  auto it = plan_.group_of.find(value.name);
  if (it == plan_.group_of.end() || observers_[it->second] == nullptr) return;
  const auto data = tensor.data<float>();
  for (float v : data) {
    if (!std::isfinite(v)) {
      fail("calibration sample {}: {} contains {}; cannot calibrate a non-finite range", sample,
           describe_value(value), v);
    }
  }
  observers_[it->second]->update(data);
}

void Quantizer::calibrate(const std::vector<std::vector<ir::Tensor>>& samples) {
  if (samples.empty()) fail("calibrate: no samples given; at least one input set is needed");
  for (size_t s = 0; s < samples.size(); ++s) {
    if (options_.show_progress) {
      std::fprintf(stderr, "\rcalibrating %zu/%zu", s + 1, samples.size());
      std::fflush(stderr);
    }
    const std::vector<ir::Tensor>& inputs = samples[s];
    if (inputs.size() != graph_.inputs().size()) {
      fail("calibration sample {}: {} tensors given, the graph has {} inputs", s, inputs.size(),
           graph_.inputs().size());
    }
    try {
      for (size_t i = 0; i < inputs.size(); ++i) {
        const ir::Value& input = *graph_.inputs()[i];
        if (inputs[i].dtype() != input.dtype || inputs[i].shape() != input.shape) {
          fail("input '{}' must be {}, got {}{}", input.name, input.type_string(),
               ir::dtype_name(inputs[i].dtype()), ir::shape_string(inputs[i].shape()));
        }
        if (input.dtype == ir::DType::kFloat32) observe(s, input, inputs[i]);
      }
      reference::run(graph_, inputs, [&](const ir::Node& node, std::span<const ir::Tensor> out) {
        for (size_t i = 0; i < out.size(); ++i) {
          if (node.outputs[i]->dtype == ir::DType::kFloat32) observe(s, *node.outputs[i], out[i]);
        }
      });
    } catch (const CompileError& error) {
      const std::string message = error.what();
      if (message.starts_with("calibration sample")) throw;
      fail("calibration sample {}: {}", s, message);
    }
    ++samples_;
  }
  if (options_.show_progress) std::fprintf(stderr, "\n");
}

size_t Quantizer::group_index(const std::string& value) const {
  auto it = plan_.group_of.find(value);
  if (it == plan_.group_of.end()) {
    fail(
        "value '{}' is not quantized (not a float activation, or fused into the activation "
        "that follows it)",
        value);
  }
  return it->second;
}

Range Quantizer::range(const std::string& value) const {
  const size_t g = group_index(value);
  if (const auto& fixed = plan_.groups[g].fixed) {
    return {fixed->scale * static_cast<float>(-128 - fixed->zero_point),
            fixed->scale * static_cast<float>(127 - fixed->zero_point)};
  }
  if (!observers_[g]->seen()) {
    const ir::Value* v = graph_.find_value(value);
    fail(
        "{} was never seen during calibration ({} samples run); call calibrate() with samples "
        "first",
        v != nullptr ? describe_value(*v) : "value '" + value + "'", samples_);
  }
  return observers_[g]->range();
}

ActivationParams Quantizer::params(const std::string& value) const {
  const size_t g = group_index(value);
  if (const auto& fixed = plan_.groups[g].fixed) return *fixed;
  const Range r = range(value);
  if (std::isnan(r.min) || std::isnan(r.max)) fail("value '{}' has a NaN range", value);
  try {
    return activation_params(r);
  } catch (const CompileError& error) {
    fail("value '{}': {}", value, error.what());
  }
}

ir::Graph Quantizer::convert() const {
  if (samples_ == 0) fail("convert: the quantizer has not been calibrated (no samples run)");
  std::unordered_map<std::string, ActivationParams> params_of;
  for (const auto& [name, group] : plan_.group_of) params_of.emplace(name, params(name));

  ir::Graph graph = ir::clone(graph_);
  // Weights and biases first: their scales depend on the inputs' parameters, not on Q/DQ nodes.
  for (ir::Node* node : graph.nodes()) {
    const std::optional<int64_t> axis = weight_axis(*node, options_);
    if (!axis) continue;
    try {
      const QuantizedTensor weight = quantize_weight(*node->input(1)->constant, *axis);
      const ir::Value* input = node->input(0);
      const ir::Value* bias = node->op == "onnx.MatMul" ? nullptr : node->input(2);
      if (is_f32_constant(bias) && input != nullptr && params_of.contains(input->name)) {
        const std::vector<float> scales = bias_weight_scales(*node, weight.scales, *bias);
        if (const auto b_axis = bias_axis(*bias, *axis, scales.size())) {
          insert_constant_dq(
              graph, node, 2,
              quantize_bias(*bias->constant, params_of.at(input->name).scale, scales, *b_axis),
              *b_axis);
        }
      }
      insert_constant_dq(graph, node, 1, weight, *axis);
    } catch (const CompileError& error) {
      fail("{}: quantizing its weights: {}", node->describe(), error.what());
    }
  }
  // Constant operands of Add / Mul (a per-channel offset or scale): int8 symmetric per tensor,
  // so that add_s8 / mul_s8 read them like a second activation.
  for (ir::Node* node : graph.nodes()) {
    if (node->op != "onnx.Add" && node->op != "onnx.Mul") continue;
    for (size_t i = 0; i < 2; ++i) {
      const ir::Value* other = node->input(1 - i);
      if (!is_f32_constant(node->input(i)) || other == nullptr ||
          !params_of.contains(other->name)) {
        continue;
      }
      insert_constant_dq(graph, node, i, quantize_weight(*node->input(i)->constant, -1), -1);
    }
  }
  // In graph order, so the result does not depend on hash order.
  std::vector<ir::Value*> observed;
  for (const auto& value : graph.values()) {
    if (params_of.contains(value->name)) observed.push_back(value.get());
  }
  for (ir::Value* value : observed) insert_qdq(graph, value, params_of.at(value->name));
  ir::infer_shapes(graph);
  ir::verify(graph);
  return graph;
}

}  // namespace tinyexec::quantizer
