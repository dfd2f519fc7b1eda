// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ir/graph.h"

namespace tinyexec::passes {

// Evaluates every node whose inputs are all constants (or omitted) with its reference
// implementation and replaces its outputs by constants. Returns the number of nodes folded.
// This is how the Shape/Gather/Cast/ConstantOfShape chains PyTorch exports around reshapes
// disappear at import.
int fold_constants(ir::Graph& graph);

}  // namespace tinyexec::passes
