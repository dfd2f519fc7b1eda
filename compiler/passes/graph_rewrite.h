// SPDX-License-Identifier: Apache-2.0
// Small rewrite helpers the passes share.
#pragma once

#include "ir/graph.h"

namespace tinyexec::passes {

// Whether `from` (a node output) can be replaced by `to` everywhere. A graph output keeps its
// name (the program's interface), so it can only be replaced by a value whose name can move:
// not a graph input and not a value that is already a graph output.
bool can_replace(const ir::Graph& graph, const ir::Value* from, const ir::Value* to);

// Every use of `from` becomes a use of `to`; when `from` is a graph output, `to` takes over its
// name. `from`'s producer becomes dead (remove it, or call remove_dead_code).
void replace_value(ir::Graph& graph, ir::Value* from, ir::Value* to);

}  // namespace tinyexec::passes
