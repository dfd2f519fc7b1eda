// SPDX-License-Identifier: Apache-2.0
// quantizer::prepare: which activation values get quantized, and which share parameters.
//
// Every float, non-constant value (graph inputs and node outputs) belongs to one observer
// group, except the output of an op whose only user is a fusable activation (onnx.Relu, or
// onnx.Clip whose min/max are constants: ReLU6, HardTanh): that value stays float so the
// lowering can fuse `op -> activation` into one kernel; the activation's output is observed.
// Values in one group get the same parameters:
// - MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, Reshape, Flatten, Squeeze,
//   Unsqueeze, Transpose, Pad, Identity: the output joins the group of input 0;
// - Concat, Max, Min: all activation inputs and the output are one group (one observer spans
//   them all; a constant input stays float and the lowering quantizes it with the group's
//   parameters);
// - Softmax: the output's group has the fixed parameters scale 1/256, zero point -128.
// A group that merges with a fixed group takes the fixed parameters.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "quantizer/observer.h"

namespace tinyexec::quantizer {

struct ObserverGroup {
  std::vector<std::string> values;        // value names, in graph order
  std::optional<ActivationParams> fixed;  // set: no observer, these parameters
};

struct ObserverPlan {
  std::vector<ObserverGroup> groups;
  std::map<std::string, size_t> group_of;  // value name -> index into groups
  // Values left float because an activation fused with their producer follows them.
  std::vector<std::string> fused;

  const ObserverGroup* group(const std::string& value) const {
    auto it = group_of.find(value);
    return it == group_of.end() ? nullptr : &groups[it->second];
  }
};

// True for onnx.Relu and for onnx.Clip whose min and max inputs are absent or constant.
bool is_fusable_activation(const ir::Node& node);

ObserverPlan prepare(const ir::Graph& graph);

}  // namespace tinyexec::quantizer
