// SPDX-License-Identifier: Apache-2.0
#include "quantizer/prepare.h"

#include <numeric>
#include <set>

namespace tinyexec::quantizer {
namespace {

const std::set<std::string, std::less<>> kSharesInput = {
    "onnx.MaxPool",   "onnx.AveragePool", "onnx.GlobalAveragePool", "onnx.GlobalMaxPool",
    "onnx.Reshape",   "onnx.Flatten",     "onnx.Squeeze",           "onnx.Unsqueeze",
    "onnx.Transpose", "onnx.Pad",         "onnx.Identity"};

bool is_activation(const ir::Value* value) {
  return value != nullptr && !value->is_constant() && value->dtype == ir::DType::kFloat32;
}

// Union-find over provisional groups; merged at the end into ObserverPlan::groups.
struct Groups {
  std::vector<size_t> parent;
  std::vector<std::optional<ActivationParams>> fixed;

  size_t add(std::optional<ActivationParams> params = std::nullopt) {
    parent.push_back(parent.size());
    fixed.push_back(params);
    return parent.size() - 1;
  }
  size_t find(size_t g) {
    while (parent[g] != g) g = parent[g] = parent[parent[g]];
    return g;
  }
  void merge(size_t a, size_t b) {
    a = find(a);
    b = find(b);
    if (a == b) return;
    parent[b] = a;
    if (!fixed[a]) fixed[a] = fixed[b];
  }
};

}  // namespace

bool is_fusable_activation(const ir::Node& node) {
  if (node.op == "onnx.Relu") return true;
  if (node.op != "onnx.Clip") return false;
  for (size_t i : {size_t{1}, size_t{2}}) {
    const ir::Value* bound = node.input(i);
    if (bound != nullptr && !bound->is_constant()) return false;
  }
  return true;
}

ObserverPlan prepare(const ir::Graph& graph) {
  Groups groups;
  std::map<const ir::Value*, size_t> provisional;
  std::vector<const ir::Value*> order;  // observed values in graph order
  ObserverPlan plan;
  auto assign = [&](const ir::Value* value, size_t group) {
    provisional[value] = group;
    order.push_back(value);
  };

  for (const ir::Value* input : graph.inputs()) {
    if (is_activation(input)) assign(input, groups.add());
  }
  for (const ir::Node* node : graph.nodes()) {
    for (size_t i = 0; i < node->outputs.size(); ++i) {
      const ir::Value* output = node->outputs[i];
      if (!is_activation(output)) continue;
      const ir::Value* first = node->input(0);
      if (kSharesInput.contains(node->op) && i == 0 && provisional.contains(first)) {
        assign(output, provisional.at(first));
      } else if ((node->op == "onnx.Concat" || node->op == "onnx.Max" || node->op == "onnx.Min") &&
                 i == 0) {
        // One observer spans every activation input and the output: concat_s8 copies bytes,
        // maximum_s8 / minimum_s8 compare them, so all must share one quantization.
        const size_t group = groups.add();
        for (const ir::Value* input : node->inputs) {
          if (provisional.contains(input)) groups.merge(group, provisional.at(input));
        }
        assign(output, group);
      } else if (node->op == "onnx.Softmax") {
        assign(output, groups.add(ActivationParams{1.0f / 256.0f, -128}));
      } else if (output->users.size() == 1 && !ir::is_graph_output(graph, output) &&
                 is_fusable_activation(*output->users.front()) &&
                 output->users.front()->input(0) == output && node->op != "onnx.Relu" &&
                 node->op != "onnx.Clip") {
        plan.fused.push_back(output->name);
      } else {
        assign(output, groups.add());
      }
    }
  }

  std::map<size_t, size_t> final_index;  // root -> index into plan.groups
  for (const ir::Value* value : order) {
    const size_t root = groups.find(provisional.at(value));
    auto [it, added] = final_index.emplace(root, plan.groups.size());
    if (added) plan.groups.push_back({{}, groups.fixed[root]});
    plan.groups[it->second].values.push_back(value->name);
    plan.group_of[value->name] = it->second;
  }
  return plan;
}

}  // namespace tinyexec::quantizer
