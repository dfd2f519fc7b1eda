// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <vector>

#include "ir/graph.h"

namespace tinyexec::passes {

// The outputs of `node` if they are known at compile time: every input constant (or omitted),
// or an op that reads only its input's static type (Shape). QuantizeLinear/DequantizeLinear
// are never folded: a QDQ model's int8 weights must keep their quantization. The node need
// not be in a graph yet (the ONNX importer folds as it reads).
std::optional<std::vector<ir::Tensor>> try_fold(const ir::Node& node);

// Replaces every foldable node of the graph by constants. Returns the number of nodes folded.
// This is how the Shape/Gather/Cast/ConstantOfShape chains PyTorch exports around reshapes
// disappear.
int fold_constants(ir::Graph& graph);

}  // namespace tinyexec::passes
