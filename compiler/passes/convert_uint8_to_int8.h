// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ir/graph.h"

namespace tinyexec::passes {

// Makes an already-quantized uint8 QDQ model int8 (docs/dialect.md): a uint8 value produced
// by an onnx.QuantizeLinear, or a uint8 constant, whose every user is an
// onnx.DequantizeLinear reading it as input 0, becomes int8 with values - 128, and the zero
// points of its producer and users become int8 zero point - 128 (an absent zero point, 0,
// becomes -128). Quantizing gives the uint8 result - 128 and dequantizing computes the same
// q - zero_point, so every float value is unchanged. Zero points must be constants. Values
// that are graph inputs or outputs keep their type (the program's interface). Returns the
// number of values converted.
int convert_uint8_to_int8(ir::Graph& graph);

}  // namespace tinyexec::passes
