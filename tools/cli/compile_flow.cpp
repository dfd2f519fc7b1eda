// SPDX-License-Identifier: Apache-2.0
#include "compile_flow.h"

#include <filesystem>

#include "command.h"
#include "frontends/onnx/onnx_importer.h"
#include "ir/clone.h"
#include "passes/pass_manager.h"
#include "progress.h"

namespace tinyexec::cli {

ir::Graph import_model(const std::string& path) {
  const std::string extension = std::filesystem::path(path).extension().string();
  if (extension == ".tflite") {
    fail("{}: TFLite models are not supported yet (export the model to ONNX, opset 11-17)", path);
  }
  return frontends::import_onnx(path);
}

std::vector<Sample> load_samples(const ir::Graph& graph, const std::string& path) {
  if (std::filesystem::is_directory(path)) return quantizer::load_samples_from_folder(graph, path);
  return quantizer::load_stacked_samples(graph, path);
}

bool is_qdq_model(const ir::Graph& graph) {
  for (const ir::Node* node : graph.nodes()) {
    if (node->op == "onnx.QuantizeLinear" || node->op == "onnx.DequantizeLinear") return true;
  }
  return false;
}

CompiledModel compile_model(const CompileFlowOptions& options) {
  CompiledModel model;
  model.imported = import_model(options.model);
  if (is_qdq_model(model.imported)) {
    model.qdq = ir::clone(model.imported);
  } else {
    if (options.calibrate.empty()) {
      throw UsageError(fmt::format(
          "{} is a float model: give calibration samples with --calibrate (a folder of .npy "
          "files, or one .npy stacked along its first axis)",
          options.model));
    }
    const std::vector<Sample> samples = load_samples(model.imported, options.calibrate);
    model.quantizer.emplace(model.imported, options.quantizer);
    Progress progress("calibrating", samples.size());
    // One sample at a time (observations accumulate), so that the bar moves.
    for (size_t s = 0; s < samples.size(); ++s) {
      try {
        model.quantizer->calibrate({samples[s]});
      } catch (const CompileError& error) {
        fail("{}: while calibrating on sample {} of {}: {}", options.calibrate, s, samples.size(),
             error.what());
      }
      progress.update(s + 1);
    }
    model.calibration_samples = samples.size();
    model.qdq = model.quantizer->convert();
  }
  passes::run_passes(model.qdq, passes::to_edge_passes());
  model.lowered = ir::clone(model.qdq);
  std::vector<passes::Pass> lowering = {{"lower_to_cortex_m", [&model](ir::Graph& graph) {
                                           return passes::lower_to_cortex_m(graph, &model.report);
                                         }}};
  for (passes::Pass& pass : passes::params_passes()) lowering.push_back(std::move(pass));
  passes::run_passes(model.lowered, lowering);
  return model;
}

}  // namespace tinyexec::cli
