// SPDX-License-Identifier: Apache-2.0
#include "ir/clone.h"

#include <unordered_map>

namespace tinyexec::ir {

Graph clone(const Graph& graph) {
  ir::Graph copy;
  std::unordered_map<const ir::Value*, ir::Value*> map;
  // Every value first, in the original order, so names come out unchanged (node and value
  // names are unique together in the original, so nothing clashes).
  for (const auto& value : graph.values()) {
    ir::Value* v = copy.add_value(value->name, value->dtype, value->shape);
    v->quant = value->quant;
    v->constant = value->constant;
    map.emplace(value.get(), v);
  }
  auto mapped = [&](const ir::Value* value) -> ir::Value* {
    if (value == nullptr) return nullptr;
    auto it = map.find(value);
    if (it == map.end()) fail("clone: value '{}' is not owned by the graph", value->name);
    return it->second;
  };
  for (const ir::Node* node : graph.nodes()) {
    std::vector<ir::Value*> inputs, outputs;
    for (const ir::Value* input : node->inputs) inputs.push_back(mapped(input));
    for (const ir::Value* output : node->outputs) outputs.push_back(mapped(output));
    copy.add_node(node->op, std::move(inputs), std::move(outputs), node->attrs, node->name);
  }
  for (const ir::Value* input : graph.inputs()) copy.inputs().push_back(mapped(input));
  for (const ir::Value* output : graph.outputs()) copy.outputs().push_back(mapped(output));
  return copy;
}

}  // namespace tinyexec::ir
