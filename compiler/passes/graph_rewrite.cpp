// SPDX-License-Identifier: Apache-2.0
#include "passes/graph_rewrite.h"

#include <algorithm>
#include <utility>

namespace tinyexec::passes {

namespace {
bool is_graph_input(const ir::Graph& graph, const ir::Value* value) {
  return std::find(graph.inputs().begin(), graph.inputs().end(), value) != graph.inputs().end();
}
}  // namespace

bool can_replace(const ir::Graph& graph, const ir::Value* from, const ir::Value* to) {
  if (from == to) return false;
  if (!ir::is_graph_output(graph, from)) return true;
  return !is_graph_input(graph, to) && !ir::is_graph_output(graph, to);
}

void replace_value(ir::Graph& graph, ir::Value* from, ir::Value* to) {
  const bool keep_name = ir::is_graph_output(graph, from);
  graph.replace_all_uses(from, to);
  // Both names are already registered with the graph, so swapping them keeps names unique.
  if (keep_name) std::swap(from->name, to->name);
}

}  // namespace tinyexec::passes
