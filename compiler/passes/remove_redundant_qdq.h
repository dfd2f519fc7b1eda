// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ir/graph.h"

namespace tinyexec::passes {

// Removes quantize/dequantize round trips that change nothing:
//   q = QuantizeLinear(DequantizeLinear(x, s, z), s, z)  ==>  q is x
// when the scale, the zero point (values and dtype; an absent zero point is 0 of the quantized
// type) and the axis of both nodes are identical. Dequantizing and quantizing again with the
// same parameters returns every integer exactly, so the users of q read x. This is also the
// middle pair of Q -> DQ -> Q. The DequantizeLinear stays while it has other users. Returns the
// number of QuantizeLinear nodes bypassed.
int remove_redundant_qdq(ir::Graph& graph);

}  // namespace tinyexec::passes
