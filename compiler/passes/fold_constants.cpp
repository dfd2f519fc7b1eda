// SPDX-License-Identifier: Apache-2.0
#include "passes/fold_constants.h"

#include <algorithm>

#include "ir/op_registry.h"

namespace tinyexec::passes {

int fold_constants(ir::Graph& graph) {
  int folded = 0;
  for (ir::Node* node : graph.nodes()) {
    const bool all_constant =
        std::all_of(node->inputs.begin(), node->inputs.end(),
                    [](const ir::Value* v) { return v == nullptr || v->is_constant(); });
    if (!all_constant) continue;
    std::vector<const ir::Tensor*> arguments;
    for (const ir::Value* input : node->inputs) {
      arguments.push_back(input == nullptr ? nullptr : input->constant.get());
    }
    std::vector<ir::Tensor> results =
        ir::OpRegistry::instance().get(*node).evaluate(*node, arguments);
    for (size_t i = 0; i < results.size(); ++i) {
      ir::Value* output = node->outputs[i];
      ir::Value* constant = graph.add_constant(output->name + "_folded", std::move(results[i]));
      constant->quant = output->quant;
      graph.replace_all_uses(output, constant);
    }
    for (ir::Value* output : node->outputs) {
      if (!output->users.empty()) fail("{}: folded output still in use", node->describe());
    }
    graph.erase_node(node);
    ++folded;
  }
  graph.remove_dead_code();
  return folded;
}

}  // namespace tinyexec::passes
