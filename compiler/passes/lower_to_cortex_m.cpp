// SPDX-License-Identifier: Apache-2.0
#include "passes/lower_to_cortex_m.h"

#include <algorithm>
#include <map>

#include "ir/op_registry.h"
#include "passes/lowering/context.h"

namespace tinyexec::passes {

namespace {

using lowering::Context;
using lowering::Lowered;
using lowering::NotLowerable;

bool is_qdq(const ir::Node& node) {
  return node.op == "onnx.QuantizeLinear" || node.op == "onnx.DequantizeLinear";
}

// Replaces the single-output `old` by op(inputs) producing the same value, so the value keeps
// its name (graph outputs keep theirs) and its users.
void replace_producer(ir::Graph& graph, ir::Node* old, const std::string& op,
                      std::vector<ir::Value*> inputs) {
  const std::vector<ir::Node*> order = graph.nodes();
  const auto it = std::find(order.begin(), order.end(), old);
  ir::Node* next = it + 1 != order.end() ? *(it + 1) : nullptr;
  ir::Value* value = old->output(0);
  ir::Value* hold = graph.add_value(value->name + "_hold", value->dtype, value->shape);
  graph.replace_all_uses(value, hold);
  graph.erase_node(old);
  if (next != nullptr) {
    graph.insert_node(next, op, std::move(inputs), {value});
  } else {
    graph.add_node(op, std::move(inputs), {value});
  }
  graph.replace_all_uses(hold, value);
}

// Whether the float output of `dequantize` is still read once the lowered patterns are gone.
bool still_read(Context& context, const ir::Node& dequantize) {
  const ir::Value* value = dequantize.output(0);
  if (ir::is_graph_output(context.graph(), value)) return true;
  return std::any_of(value->users.begin(), value->users.end(),
                     [&](const ir::Node* user) { return !context.consumed().contains(user); });
}

// A DequantizeLinear of a constant feeding a float op: the float constant it computes.
void fold_dequantize(ir::Graph& graph, ir::Node* dequantize) {
  std::vector<const ir::Tensor*> arguments;
  for (const ir::Value* input : dequantize->inputs) {
    if (input != nullptr && !input->is_constant()) return;
    arguments.push_back(input != nullptr ? input->constant.get() : nullptr);
  }
  std::vector<ir::Tensor> results = ir::evaluate_node(*dequantize, arguments);
  ir::Value* output = dequantize->output(0);
  graph.replace_all_uses(output, graph.add_constant(output->name, std::move(results[0])));
}

// The boundaries: every DequantizeLinear of a lowered value that a float op or a graph output
// still reads becomes cortex_m.dequantize (after a transpose back to the ONNX layout).
void lower_dequantizes(Context& context) {
  ir::Graph& graph = context.graph();
  context.clear_conversions();
  for (ir::Node* node : graph.nodes()) {
    if (node->op != "onnx.DequantizeLinear" || !still_read(context, *node)) continue;
    ir::Value* quantized = node->input(0);
    if (quantized->is_constant()) {
      fold_dequantize(graph, node);
      continue;
    }
    try {
      std::optional<Lowered> lowered = context.lowered_value(quantized);
      if (!lowered || !lowering::same_quant(*lowered->value->quant, context.quant_of(*node))) {
        continue;  // stays as is and is reported
      }
      context.set_position(node);
      ir::Value* value = context.as_onnx(*lowered);
      replace_producer(graph, node, "cortex_m.dequantize", {value});
    } catch (const NotLowerable&) {
      continue;  // reported: it stays an onnx op
    }
  }
}

}  // namespace

std::string LoweringReport::to_string() const {
  std::string text =
      fmt::format("lowered {} ops; {} nodes stay float\n", lowered, float_nodes.size());
  for (const FloatNode& node : float_nodes) {
    text += fmt::format("  {} ({}): {}\n", node.node, node.op, node.reason);
  }
  return text;
}

int lower_to_cortex_m(ir::Graph& graph, LoweringReport* report) {
  Context context(graph);
  std::map<const ir::Node*, std::string> reasons;
  int lowered = 0;
  for (ir::Node* node : graph.nodes()) {
    if (context.consumed().contains(node) || reasons.contains(node)) continue;
    if (is_qdq(*node) || node->op.starts_with("cortex_m.")) continue;
    context.set_position(node);
    try {
      lowering::lower_op(context, *node);
      ++lowered;
    } catch (const NotLowerable& error) {
      reasons[node] = error.what();
      // A Relu / Clip it would have fused stays float with it.
      if (node->outputs.size() == 1) {
        for (const char* activation : {"onnx.Relu", "onnx.Clip"}) {
          if (ir::Node* user = ir::only_user_if(graph, node->output(0), activation)) {
            reasons[user] = fmt::format("it follows {}, which stays float", node->describe());
          }
        }
      }
    }
  }
  lower_dequantizes(context);
  graph.remove_dead_code();

  if (report != nullptr) {
    report->lowered = lowered;
    report->float_nodes.clear();
    for (const ir::Node* node : graph.nodes()) {
      if (node->op.starts_with("cortex_m.")) continue;
      auto it = reasons.find(node);
      std::string reason = it != reasons.end() ? it->second
                           : is_qdq(*node) ? "quantizes or dequantizes a value no lowered op uses"
                                           : "not reached by the lowering";
      report->float_nodes.push_back({node->name, node->op, std::move(reason)});
    }
  }
  return lowered;
}

}  // namespace tinyexec::passes
