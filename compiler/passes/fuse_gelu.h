// SPDX-License-Identifier: Apache-2.0
// fuse_gelu: the GELU that PyTorch exports at opsets <= 17 (nn.GELU(), F.gelu, and the
// hand-written BERT form) becomes one onnx.Gelu (approximate = "none"), so that the quantizer
// observes one activation and the lowering makes one cortex_m.lut of it, instead of five float
// ops and four quantized intermediate values.
//
// Matched (x any float value; c constants with one element; every intermediate value used only
// by the next node of the pattern and not a graph output):
//
//   u = Div(x, 1.4142135)  or  Mul(x, 0.70710678) (either operand order)
//   a = Add(Erf(u), 1)                                  (either operand order)
//   y = Mul(Mul(x, a), 0.5)     torch.onnx (1.13, 2.x): nn.GELU() / F.gelu
//     | Mul(Mul(a, 0.5), x)     0.5 * (1 + erf) first
//     | Mul(Mul(x, 0.5), a)     x * 0.5 * (1 + erf(x / sqrt(2))): BERT, HuggingFace
//   (each Mul in either operand order), and y has x's shape.
//
// Where it runs: on the float graph, before observers are placed (passes::float_passes(), run
// by the quantizer's constructor). A QDQ model already has Q/DQ pairs between these ops; its
// float Erf patterns are not fused (they stay float, like any unlowered op).
#pragma once

#include "ir/graph.h"

namespace tinyexec::passes {

// Returns the number of GELU patterns replaced.
int fuse_gelu(ir::Graph& graph);

}  // namespace tinyexec::passes
