// SPDX-License-Identifier: Apache-2.0
// TFLite import (docs/tflite.md): an int8 TensorFlow Lite model becomes a graph of `cortex_m`
// ops (docs/dialect.md) directly, with the model's own quantization parameters and every
// (params) attribute computed as TensorFlow Lite Micro prepares its int8 kernels, so the
// program computes what TFLite Micro computes, bit for bit. No quantizer, no lowering and no
// params pass run on the result (the params pass would replace the TFLM-exact tables).
//
// The file is untrusted: the FlatBuffers verifier runs before anything is read, and every
// index, shape, buffer size and quantization parameter is checked. Errors are CompileErrors
// "<what>: operator <i> (<TYPE>): <reason>" naming the operator index, its builtin type and
// what is supported.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace tinyexec::frontends {

// One TFLite operator of the imported model: the IR node that produces its output (a TFLite
// op may become several cortex_m nodes; this is the last one), for per-layer comparisons.
struct TfliteLayer {
  int32_t index = 0;  // the operator's index in the subgraph
  std::string op;     // its builtin type, e.g. "CONV_2D"
  std::string node;   // name of the IR node whose output is the operator's output
  int64_t elements = 0;
};

struct TfliteModel {
  ir::Graph graph;
  std::vector<TfliteLayer> layers;  // in execution order, one per TFLite operator
};

// Imports the model file; errors start with the file's path.
TfliteModel import_tflite(const std::filesystem::path& file);
// The same from the file's bytes; errors start with `what`.
TfliteModel import_tflite_bytes(std::span<const uint8_t> bytes, const std::string& what = "tflite");

// The builtin operators the importer accepts, by TFLite name.
std::vector<std::string> supported_tflite_ops();

}  // namespace tinyexec::frontends
