// SPDX-License-Identifier: Apache-2.0
// A deep copy of an IR graph (ir::Graph is move-only). Values, nodes, names, attributes,
// quantization and graph inputs/outputs are copied; constant tensors are shared, which is safe
// because a Value holds them as shared_ptr<const Tensor>.
#pragma once

#include "ir/graph.h"

namespace tinyexec::ir {

Graph clone(const Graph& graph);

}  // namespace tinyexec::ir
