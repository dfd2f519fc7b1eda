// SPDX-License-Identifier: Apache-2.0
#include "passes/fold_constants.h"

#include <algorithm>

#include "ir/op_registry.h"

namespace tinyexec::passes {

namespace {

// Ops whose result depends only on their input's type, which is static: foldable whatever
// the input's data. They are evaluated on a zero-filled stand-in of the right type.
bool reads_only_the_type(const ir::Node& node) { return node.op == "onnx.Shape"; }

bool keeps_quantization(const ir::Node& node) {
  return node.op == "onnx.QuantizeLinear" || node.op == "onnx.DequantizeLinear";
}

}  // namespace

std::optional<std::vector<ir::Tensor>> try_fold(const ir::Node& node) {
  if (keeps_quantization(node)) return std::nullopt;
  const bool all_constant =
      std::all_of(node.inputs.begin(), node.inputs.end(),
                  [](const ir::Value* v) { return v == nullptr || v->is_constant(); });
  if (!all_constant && !reads_only_the_type(node)) return std::nullopt;
  std::vector<ir::Tensor> stand_ins;
  stand_ins.reserve(node.inputs.size());
  std::vector<const ir::Tensor*> arguments;
  for (const ir::Value* input : node.inputs) {
    if (input == nullptr) {
      arguments.push_back(nullptr);
    } else if (input->is_constant()) {
      arguments.push_back(input->constant.get());
    } else {
      arguments.push_back(&stand_ins.emplace_back(input->dtype, input->shape));
    }
  }
  return ir::evaluate_node(node, arguments);
}

int fold_constants(ir::Graph& graph) {
  int folded = 0;
  for (ir::Node* node : graph.nodes()) {
    std::optional<std::vector<ir::Tensor>> results = try_fold(*node);
    if (!results) continue;
    for (size_t i = 0; i < results->size(); ++i) {
      ir::Value* output = node->outputs[i];
      ir::Value* constant = graph.add_constant(output->name + "_folded", std::move((*results)[i]));
      constant->quant = output->quant;
      graph.replace_all_uses(output, constant);
    }
    graph.erase_node(node);
    ++folded;
  }
  graph.remove_dead_code();
  return folded;
}

}  // namespace tinyexec::passes
