// SPDX-License-Identifier: Apache-2.0
// The lowering pass (docs/dialect.md, "passes (lowering)"): a QDQ graph of float onnx.* ops
// becomes a graph of cortex_m.* ops on int8 NHWC values.
//
// Every pattern  DequantizeLinear(s) -> op [-> Relu | Clip] -> QuantizeLinear  whose op has a
// cortex_m counterpart is replaced by that one op; the values' quantization comes from the
// Q/DQ nodes, a fused Relu/Clip becomes activation_min/max. 4-D values are NHWC after
// lowering (weights are transposed at compile time, the boundary gets one cortex_m.transpose
// where the layout really changes). Graph inputs and outputs stay float: their QuantizeLinear /
// DequantizeLinear become cortex_m.quantize / cortex_m.dequantize. An op that cannot be
// lowered stays float between cortex_m.dequantize and cortex_m.quantize and is listed in the
// report with the reason. The (params) attributes are left to compute_kernel_params.
#pragma once

#include <string>
#include <vector>

#include "ir/graph.h"

namespace tinyexec::passes {

struct LoweringReport {
  struct FloatNode {
    std::string node;    // node name
    std::string op;      // e.g. "onnx.LeakyRelu"
    std::string reason;  // why it was not lowered
  };
  int lowered = 0;                     // onnx ops replaced by cortex_m ops
  std::vector<FloatNode> float_nodes;  // every node left that is not cortex_m.*

  std::string to_string() const;  // one line per float node, for the compile log
};

// Lowers `graph` in place and returns the number of onnx ops replaced by cortex_m ops. After
// it, every node is a cortex_m.* op except those listed in `report` (may be nullptr).
int lower_to_cortex_m(ir::Graph& graph, LoweringReport* report = nullptr);

}  // namespace tinyexec::passes
