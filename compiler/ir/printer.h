// SPDX-License-Identifier: Apache-2.0
// A readable text dump of a graph: one line per node, values with their types, quantization
// and whether they are constants.
//
//   graph (%input: f32[1,1,28,28]) -> (%logits: f32[1,10])
//     %conv_out: f32[1,8,28,28] = onnx.Conv(%input, %w: f32[8,1,3,3] const, %b) {pads=[1,1,1,1]}
#pragma once

#include <string>

#include "ir/graph.h"

namespace tinyexec::ir {

std::string print_graph(const Graph& graph);

}  // namespace tinyexec::ir
