// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ir/graph.h"

namespace tinyexec::passes {

// Removes onnx.Identity nodes and onnx.Cast nodes whose output has the input's dtype: their
// users read the input directly. A graph output keeps its name (it moves to the input value);
// a node that maps a graph input straight to a graph output stays. Returns nodes removed.
int remove_identity_and_casts(ir::Graph& graph);

}  // namespace tinyexec::passes
