// SPDX-License-Identifier: Apache-2.0
// The reference interpreter: runs any IR graph with each op's reference implementation
// (ir/op_registry.h). It is the quantizer's calibration engine and the numerical reference
// of the tests, so it favours clarity over speed.
#pragma once

#include <functional>
#include <span>
#include <vector>

#include "ir/graph.h"

namespace tinyexec::reference {

// Called after each node with the node and its output tensors.
using NodeObserver = std::function<void(const ir::Node&, std::span<const ir::Tensor>)>;

// Runs `graph` on one tensor per graph input (in order; dtype and shape must match) and returns
// the graph outputs in order. Throws a CompileError naming the node that failed.
std::vector<ir::Tensor> run(const ir::Graph& graph, std::span<const ir::Tensor> inputs,
                            const NodeObserver& observer = {});

}  // namespace tinyexec::reference
