// SPDX-License-Identifier: Apache-2.0
#include "reference/interpreter.h"

#include <unordered_map>

#include "ir/op_registry.h"

namespace tinyexec::reference {

std::vector<ir::Tensor> run(const ir::Graph& graph, std::span<const ir::Tensor> inputs,
                            const NodeObserver& observer) {
  if (inputs.size() != graph.inputs().size()) {
    fail("the graph takes {} inputs, {} given", graph.inputs().size(), inputs.size());
  }
  std::unordered_map<const ir::Value*, ir::Tensor> values;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const ir::Value* input = graph.inputs()[i];
    if (inputs[i].dtype() != input->dtype || inputs[i].shape() != input->shape) {
      fail("input '{}' must be {}, got {}{}", input->name, input->type_string(),
           ir::dtype_name(inputs[i].dtype()), ir::shape_string(inputs[i].shape()));
    }
    values.emplace(input, inputs[i]);
  }
  auto lookup = [&](const ir::Value* value) -> const ir::Tensor* {
    if (value == nullptr) return nullptr;
    if (value->is_constant()) return value->constant.get();
    auto it = values.find(value);
    if (it == values.end()) fail("value '{}' has not been computed", value->name);
    return &it->second;
  };

  for (const ir::Node* node : graph.nodes()) {
    std::vector<const ir::Tensor*> arguments;
    for (const ir::Value* input : node->inputs) arguments.push_back(lookup(input));
    std::vector<ir::Tensor> results = ir::evaluate_node(*node, arguments);
    if (results.size() != node->outputs.size()) {
      fail("{}: produced {} outputs, expected {}", node->describe(), results.size(),
           node->outputs.size());
    }
    for (size_t i = 0; i < results.size(); ++i) {
      const ir::Value* output = node->outputs[i];
      if (results[i].dtype() != output->dtype || results[i].shape() != output->shape) {
        fail("{}: output '{}' computed as {}{}, declared {}", node->describe(), output->name,
             ir::dtype_name(results[i].dtype()), ir::shape_string(results[i].shape()),
             output->type_string());
      }
    }
    if (observer) observer(*node, results);
    for (size_t i = 0; i < results.size(); ++i) {
      values.insert_or_assign(node->outputs[i], std::move(results[i]));
    }
  }

  std::vector<ir::Tensor> outputs;
  for (const ir::Value* output : graph.outputs()) outputs.push_back(*lookup(output));
  return outputs;
}

}  // namespace tinyexec::reference
