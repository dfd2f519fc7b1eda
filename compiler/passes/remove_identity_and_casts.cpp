// SPDX-License-Identifier: Apache-2.0
#include "passes/remove_identity_and_casts.h"

#include "passes/graph_rewrite.h"

namespace tinyexec::passes {

namespace {

bool is_no_op(const ir::Node& node) {
  if (node.inputs.size() != 1 || node.outputs.size() != 1 || node.inputs[0] == nullptr) {
    return false;
  }
  if (node.op == "onnx.Identity") return true;
  // Cast to the same type changes nothing (the value's dtype is what the shape rule set).
  return node.op == "onnx.Cast" && node.inputs[0]->dtype == node.outputs[0]->dtype;
}

}  // namespace

int remove_identity_and_casts(ir::Graph& graph) {
  int removed = 0;
  for (ir::Node* node : graph.nodes()) {
    if (!is_no_op(*node)) continue;
    ir::Value* input = node->inputs[0];
    ir::Value* output = node->outputs[0];
    if (!can_replace(graph, output, input)) continue;
    // A quantized output keeps its quantization on the value that replaces it.
    if (!input->quant && output->quant) input->quant = output->quant;
    replace_value(graph, output, input);
    graph.erase_node(node);
    ++removed;
  }
  if (removed > 0) graph.remove_dead_code();  // the bypassed outputs
  return removed;
}

}  // namespace tinyexec::passes
