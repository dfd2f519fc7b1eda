// SPDX-License-Identifier: Apache-2.0
#include "passes/fold_batch_norm.h"

#include <cmath>
#include <vector>

#include "passes/graph_rewrite.h"

namespace tinyexec::passes {

namespace {

bool is_float_constant(const ir::Value* value) {
  return value != nullptr && value->is_constant() && value->dtype == ir::DType::kFloat32;
}

// The convolution (or Gemm) feeding `bn` if the fold applies, else nullptr.
ir::Node* foldable_conv(const ir::Graph& graph, const ir::Node& bn) {
  if (bn.inputs.size() != 5 || bn.outputs.size() != 1) return nullptr;
  if (bn.attrs.int_or("training_mode", 0) != 0) return nullptr;
  for (size_t i = 1; i < 5; ++i) {
    if (!is_float_constant(bn.inputs[i])) return nullptr;
  }
  ir::Value* x = bn.inputs[0];
  ir::Node* conv = ir::producer_if(x, "onnx.Conv");
  if (conv == nullptr) conv = ir::producer_if(x, "onnx.ConvTranspose");
  if (conv == nullptr) {
    // A Linear (Gemm [N, K] x [K, M] or its transpose) followed by BatchNorm1d over M.
    conv = ir::producer_if(x, "onnx.Gemm");
    if (conv == nullptr || conv->attrs.int_or("transA", 0) != 0 || x->rank() != 2) return nullptr;
    const ir::Value* c = conv->input(2);
    if (c != nullptr && c->numel() != 1 && c->numel() != x->shape[1]) return nullptr;
  }
  if (conv == nullptr || conv->outputs.size() != 1) return nullptr;
  if (ir::only_user_if(graph, x, "onnx.BatchNormalization") != &bn) return nullptr;
  if (!is_float_constant(conv->input(1))) return nullptr;
  if (conv->input(2) != nullptr && !is_float_constant(conv->input(2))) return nullptr;
  if (!can_replace(graph, bn.outputs[0], x)) return nullptr;
  return conv;
}

// Output channel of each weight element: Conv weights are [M, C/group, k...] (channel = the
// first index); ConvTranspose weights are [C, M/group, k...] (channel = group * M/group + the
// second index, the group being the first index's).
std::vector<int64_t> output_channel_of_weights(const ir::Node& conv, const ir::Shape& w) {
  if (conv.op == "onnx.Gemm") {  // B is [K, M], or [M, K] with transB
    const bool transposed = conv.attrs.int_or("transB", 0) != 0;
    std::vector<int64_t> channel(static_cast<size_t>(w[0] * w[1]));
    for (size_t i = 0; i < channel.size(); ++i) {
      const int64_t row = static_cast<int64_t>(i) / w[1], column = static_cast<int64_t>(i) % w[1];
      channel[i] = transposed ? row : column;
    }
    return channel;
  }
  const int64_t kernel = ir::shape_numel(ir::Shape(w.begin() + 2, w.end()));
  std::vector<int64_t> channel(static_cast<size_t>(ir::shape_numel(w)));
  if (conv.op == "onnx.Conv") {
    for (size_t i = 0; i < channel.size(); ++i) {
      channel[i] = static_cast<int64_t>(i) / (w[1] * kernel);
    }
    return channel;
  }
  const int64_t group = conv.attrs.int_or("group", 1);
  const int64_t in_per_group = w[0] / group;
  for (size_t i = 0; i < channel.size(); ++i) {
    const int64_t c = static_cast<int64_t>(i) / (w[1] * kernel);
    const int64_t j = (static_cast<int64_t>(i) / kernel) % w[1];
    channel[i] = (c / in_per_group) * w[1] + j;
  }
  return channel;
}

void fold(ir::Graph& graph, ir::Node& conv, ir::Node& bn) {
  const auto scale = bn.inputs[1]->constant->data<float>();
  const auto shift = bn.inputs[2]->constant->data<float>();
  const auto mean = bn.inputs[3]->constant->data<float>();
  const auto var = bn.inputs[4]->constant->data<float>();
  const double epsilon = bn.attrs.float_or("epsilon", 1e-5f);
  const int64_t channels = static_cast<int64_t>(scale.size());

  std::vector<double> factor(static_cast<size_t>(channels));
  for (int64_t c = 0; c < channels; ++c) {
    factor[c] = static_cast<double>(scale[c]) / std::sqrt(static_cast<double>(var[c]) + epsilon);
  }

  const ir::Value* weight = conv.inputs[1];
  ir::Tensor new_weight(ir::DType::kFloat32, weight->shape);
  const auto w = weight->constant->data<float>();
  auto nw = new_weight.data<float>();
  const std::vector<int64_t> channel_of = output_channel_of_weights(conv, weight->shape);
  for (size_t i = 0; i < w.size(); ++i) {
    nw[i] = static_cast<float>(static_cast<double>(w[i]) * factor[channel_of[i]]);
  }

  ir::Tensor new_bias(ir::DType::kFloat32, {channels});
  const ir::Value* bias = conv.input(2);
  auto nb = new_bias.data<float>();
  // Gemm: y = alpha * A * B + beta * C; the bias becomes beta * C (per channel, or a scalar).
  const bool gemm = conv.op == "onnx.Gemm";
  const double beta = gemm ? conv.attrs.float_or("beta", 1.0f) : 1.0;
  for (int64_t c = 0; c < channels; ++c) {
    double b = 0.0;
    if (bias != nullptr) b = beta * bias->constant->data<float>()[bias->numel() == 1 ? 0 : c];
    nb[c] = static_cast<float>((b - mean[c]) * factor[c] + shift[c]);
  }
  if (gemm) conv.attrs.set("beta", 1.0f);

  // New constants rather than edits in place: the old ones may be shared with other nodes.
  graph.set_input(&conv, 1, graph.add_constant(weight->name + "_bn", std::move(new_weight)));
  const std::string bias_name = bias != nullptr ? bias->name + "_bn" : conv.name + "_bias_bn";
  graph.set_input(&conv, 2, graph.add_constant(bias_name, std::move(new_bias)));
  replace_value(graph, bn.outputs[0], conv.outputs[0]);
  graph.erase_node(&bn);
}

}  // namespace

int fold_batch_norm(ir::Graph& graph) {
  int folded = 0;
  for (ir::Node* node : graph.nodes()) {
    if (node->op != "onnx.BatchNormalization") continue;
    ir::Node* conv = foldable_conv(graph, *node);
    if (conv == nullptr) continue;
    fold(graph, *conv, *node);
    ++folded;
  }
  if (folded > 0) graph.remove_dead_code();  // the old weights, biases and statistics
  return folded;
}

}  // namespace tinyexec::passes
