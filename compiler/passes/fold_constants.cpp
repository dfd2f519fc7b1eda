// SPDX-License-Identifier: Apache-2.0
#include "passes/fold_constants.h"

#include <algorithm>

#include "ir/op_registry.h"

namespace tinyexec::passes {

namespace {

// Ops whose result depends only on their input's type, which is static: foldable whatever
// the input's data. They are evaluated on a zero-filled stand-in of the right type.
bool reads_only_the_type(const ir::Node& node) { return node.op == "onnx.Shape"; }

}  // namespace

int fold_constants(ir::Graph& graph) {
  int folded = 0;
  for (ir::Node* node : graph.nodes()) {
    const bool all_constant =
        std::all_of(node->inputs.begin(), node->inputs.end(),
                    [](const ir::Value* v) { return v == nullptr || v->is_constant(); });
    if (!all_constant && !reads_only_the_type(*node)) continue;
    std::vector<ir::Tensor> stand_ins;
    stand_ins.reserve(node->inputs.size());
    std::vector<const ir::Tensor*> arguments;
    for (const ir::Value* input : node->inputs) {
      if (input == nullptr) {
        arguments.push_back(nullptr);
      } else if (input->is_constant()) {
        arguments.push_back(input->constant.get());
      } else {
        arguments.push_back(&stand_ins.emplace_back(input->dtype, input->shape));
      }
    }
    std::vector<ir::Tensor> results = ir::evaluate_node(*node, arguments);
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
