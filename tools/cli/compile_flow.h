// SPDX-License-Identifier: Apache-2.0
// The compile flow of `compile` and `validate`, the steps of testing::Tester without its test
// checks: import -> quantize (calibrate, with a progress bar) -> QDQ graph -> to_edge passes ->
// lowering to cortex_m ops -> kernel parameters. A model that is already QDQ skips the quantizer.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/lower_to_cortex_m.h"
#include "quantizer/quantizer.h"

namespace tinyexec::cli {

using Sample = std::vector<ir::Tensor>;  // one tensor per graph input

// Imports a model file (.onnx; .tflite is rejected with a CompileError saying it is not
// supported yet).
ir::Graph import_model(const std::string& path);

// Samples for a one-input float graph: a folder of .npy files (one sample each) or one .npy
// whose first axis indexes samples.
std::vector<Sample> load_samples(const ir::Graph& graph, const std::string& path);

// Whether the graph is already quantized (has QuantizeLinear / DequantizeLinear nodes).
bool is_qdq_model(const ir::Graph& graph);

struct CompileFlowOptions {
  std::string model;
  std::string calibrate;  // folder or .npy; required for float models
  quantizer::QuantizerOptions quantizer;
};

struct CompiledModel {
  ir::Graph imported;                             // as imported
  std::optional<quantizer::Quantizer> quantizer;  // float models: its prepared float graph
  ir::Graph qdq;                                  // after the to_edge passes
  ir::Graph lowered;                              // cortex_m ops, parameters computed
  passes::LoweringReport report;
  size_t calibration_samples = 0;  // 0: the model was QDQ already
};

// Throws UsageError for a float model without options.calibrate.
CompiledModel compile_model(const CompileFlowOptions& options);

}  // namespace tinyexec::cli
