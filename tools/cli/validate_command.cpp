// SPDX-License-Identifier: Apache-2.0
// tinyexec validate MODEL --data X.npy|DIR [--labels L.npy] [--calibrate C]: compiles the model
// and compares, on every sample, the float model with the int8 program's operators (the host's
// int8 kernels, bit-exact with every board): top-1 agreement, accuracy against labels, the
// output's error, and the error of every quantized activation (SNR and max abs error).
#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "command.h"
#include "compile_flow.h"
#include "format.h"
#include "progress.h"
#include "reference/interpreter.h"
#include "support/npy.h"

namespace tinyexec::cli {
namespace {

struct ValidateOptions {
  std::string model;
  std::string data;
  std::string labels;
  std::string calibrate;
  std::string observer = "minmax";
  bool per_channel_linear = false;
  size_t limit = 0;
  int layers = -1;  // rows of the per-layer table to print; -1: all
  double min_agreement = -1.0;
  double min_accuracy = -1.0;
  bool json = false;
};

// Error of an approximation against a reference, accumulated over samples.
struct ErrorStats {
  double signal = 0.0;  // sum of reference^2
  double noise = 0.0;   // sum of (approximation - reference)^2
  double max_abs = 0.0;

  void add(const ir::Tensor& reference, const ir::Tensor& approximation) {
    const auto r = reference.data<float>();
    const auto a = approximation.data<float>();
    for (size_t i = 0; i < r.size() && i < a.size(); ++i) {
      const double difference = static_cast<double>(a[i]) - static_cast<double>(r[i]);
      signal += static_cast<double>(r[i]) * static_cast<double>(r[i]);
      noise += difference * difference;
      max_abs = std::max(max_abs, std::abs(difference));
    }
  }
  // Signal-to-noise ratio in dB; +inf when exact.
  double snr_db() const {
    if (noise == 0.0) return INFINITY;
    if (signal == 0.0) return -INFINITY;
    return 10.0 * std::log10(signal / noise);
  }
};

std::string snr_text(double snr) {
  if (std::isinf(snr)) return snr > 0 ? "exact" : "-inf";
  return fmt::format("{:.1f}", snr);
}

nlohmann::ordered_json snr_json(double snr) {
  return std::isinf(snr) ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(snr);
}

// One quantized activation of the QDQ graph: a DequantizeLinear reading QuantizeLinear(v).
struct Layer {
  std::string value;     // the float graph's name of v
  std::string producer;  // "onnx.Conv 'conv1'" or "graph input"
  std::string shape;
  double scale = 0.0;
  ErrorStats error;
};

int64_t argmax(const ir::Tensor& tensor) {
  int64_t best = 0;
  for (int64_t i = 1; i < tensor.numel(); ++i) {
    if (tensor.as_double(i) > tensor.as_double(best)) best = i;
  }
  return best;
}

int run_validate(const ValidateOptions& options) {
  if (options.min_accuracy >= 0.0 && options.labels.empty()) {
    throw UsageError("--min-accuracy needs --labels");
  }
  std::string calibrate = options.calibrate;
  if (calibrate.empty()) {
    calibrate = options.data;
    std::cerr << "tinyexec: note: no --calibrate given: calibrating on the validation data "
                 "itself (optimistic; give separate calibration samples)\n";
  }
  CompileFlowOptions flow;
  flow.model = options.model;
  flow.calibrate = calibrate;
  flow.quantizer.observer = options.observer == "histogram" ? quantizer::ObserverKind::kHistogram
                                                            : quantizer::ObserverKind::kMinMax;
  flow.quantizer.per_channel_linear = options.per_channel_linear;
  const CompiledModel model = compile_model(flow);
  const bool has_float = model.quantizer.has_value();
  // The float reference: the model as the quantizer prepared it (batch norms folded, the same
  // value names as the QDQ graph); for an already-quantized model, the QDQ graph itself.
  const ir::Graph& reference_graph = has_float ? model.quantizer->prepared_graph() : model.qdq;

  std::vector<Sample> samples = load_samples(model.imported, options.data);
  if (options.limit > 0 && samples.size() > options.limit) samples.resize(options.limit);
  std::vector<int64_t> labels;
  if (!options.labels.empty()) {
    const ir::Tensor tensor = support::read_npy(options.labels);
    if (tensor.numel() < static_cast<int64_t>(samples.size())) {
      fail("{}: {} labels for {} samples", options.labels, tensor.numel(), samples.size());
    }
    if (tensor.dtype() == ir::DType::kFloat32) fail("{}: labels must be integers", options.labels);
    labels = tensor.to_int_vector();
  }
  if (model.lowered.outputs().empty() || model.lowered.outputs()[0]->dtype != ir::DType::kFloat32) {
    fail("{}: validate compares float outputs; output 0 is not float", options.model);
  }

  std::vector<Layer> layers;
  std::map<std::string, size_t> layer_of;  // DequantizeLinear node name -> layers index
  ErrorStats output_error;
  int64_t agree = 0, float_correct = 0, int8_correct = 0;
  Progress progress("validating", samples.size());
  for (size_t s = 0; s < samples.size(); ++s) {
    std::map<std::string, ir::Tensor> float_values;
    const auto record = [&](const ir::Node& node, std::span<const ir::Tensor> outputs) {
      for (size_t o = 0; o < outputs.size(); ++o) float_values[node.outputs[o]->name] = outputs[o];
    };
    const std::vector<ir::Tensor> float_out = reference::run(reference_graph, samples[s], record);
    for (size_t i = 0; i < samples[s].size(); ++i) {
      float_values[reference_graph.inputs()[i]->name] = samples[s][i];
    }
    if (has_float) {
      const auto compare = [&](const ir::Node& node, std::span<const ir::Tensor> outputs) {
        if (node.op != "onnx.DequantizeLinear") return;
        const ir::Node* q = ir::producer_if(node.inputs[0], "onnx.QuantizeLinear");
        if (q == nullptr || outputs.empty() || outputs[0].dtype() != ir::DType::kFloat32) return;
        auto it = float_values.find(q->inputs[0]->name);
        if (it == float_values.end()) it = float_values.find(node.outputs[0]->name);
        if (it == float_values.end() || it->second.shape() != outputs[0].shape()) return;
        auto [entry, added] = layer_of.try_emplace(node.name, layers.size());
        if (added) {
          const ir::Node* producer = q->inputs[0]->producer;
          const ir::Value* dq_in = node.inputs[0];
          layers.push_back({it->first,
                            producer != nullptr
                                ? fmt::format("{} '{}'", producer->op, producer->name)
                                : "graph input",
                            ir::shape_string(outputs[0].shape()),
                            dq_in->quant && !dq_in->quant->scales.empty()
                                ? static_cast<double>(dq_in->quant->scales[0])
                                : 0.0,
                            {}});
        }
        layers[entry->second].error.add(it->second, outputs[0]);
      };
      reference::run(model.qdq, samples[s], compare);
    }
    const std::vector<ir::Tensor> int8_out = reference::run(model.lowered, samples[s]);
    output_error.add(float_out[0], int8_out[0]);
    const int64_t float_class = argmax(float_out[0]);
    const int64_t int8_class = argmax(int8_out[0]);
    agree += float_class == int8_class;
    if (!labels.empty()) {
      float_correct += float_class == labels[s];
      int8_correct += int8_class == labels[s];
    }
    progress.update(s + 1);
  }

  const int64_t total = static_cast<int64_t>(samples.size());
  const double agreement =
      total == 0 ? 0.0 : 100.0 * static_cast<double>(agree) / static_cast<double>(total);
  const double accuracy =
      total == 0 ? 0.0 : 100.0 * static_cast<double>(int8_correct) / static_cast<double>(total);
  std::vector<std::string> failures;
  if (options.min_agreement >= 0.0 && agreement < options.min_agreement) {
    failures.push_back(fmt::format("top-1 agreement {:.2f}% is below --min-agreement {}%",
                                   agreement, options.min_agreement));
  }
  if (options.min_accuracy >= 0.0 && accuracy < options.min_accuracy) {
    failures.push_back(fmt::format("int8 accuracy {:.2f}% is below --min-accuracy {}%", accuracy,
                                   options.min_accuracy));
  }
  const bool below = !failures.empty();
  const std::string output_name = model.lowered.outputs()[0]->name;

  if (options.json) {
    nlohmann::ordered_json json = {{"model", options.model},
                                   {"data", options.data},
                                   {"samples", total},
                                   {"calibration_samples", model.calibration_samples},
                                   {"top1_agreement", {{"agree", agree}, {"total", total}}}};
    if (!labels.empty()) {
      json["accuracy"] = {{"float", {{"correct", float_correct}, {"total", total}}},
                          {"int8", {{"correct", int8_correct}, {"total", total}}}};
    }
    json["output_error"] = {{"output", output_name},
                            {"snr_db", snr_json(output_error.snr_db())},
                            {"max_abs", output_error.max_abs}};
    json["layers"] = nlohmann::ordered_json::array();
    for (const Layer& layer : layers) {
      json["layers"].push_back({{"value", layer.value},
                                {"producer", layer.producer},
                                {"shape", layer.shape},
                                {"scale", layer.scale},
                                {"snr_db", snr_json(layer.error.snr_db())},
                                {"max_abs", layer.error.max_abs}});
    }
    if (options.min_agreement >= 0.0) json["min_agreement"] = options.min_agreement;
    if (options.min_accuracy >= 0.0) json["min_accuracy"] = options.min_accuracy;
    if (options.min_agreement >= 0.0 || options.min_accuracy >= 0.0) {
      json["passed"] = !below;
      json["failures"] = failures;
    }
    std::cout << json.dump(2) << "\n";
    return below ? kExitValidationFailed : kExitOk;
  }

  std::cout << "validated " << options.model << " on " << total << " samples from " << options.data;
  if (model.calibration_samples > 0) {
    std::cout << " (calibrated on " << model.calibration_samples << " from " << calibrate << ")";
  }
  std::cout << "\n  float: "
            << (has_float ? "the float model (batch norms folded)"
                          : "the model's QDQ graph (it is quantized already)")
            << ", reference interpreter\n"
            << "  int8:  the compiled program's operators on the host's int8 kernels (bit-exact "
               "with every board)\n\n"
            << "top-1 agreement, int8 vs float: " << agree << "/" << total << " ("
            << percent(agree, total) << ")\n";
  if (!labels.empty()) {
    std::cout << "accuracy against " << options.labels << ": float " << float_correct << "/"
              << total << " (" << percent(float_correct, total) << "), int8 " << int8_correct << "/"
              << total << " (" << percent(int8_correct, total) << ")\n";
  }
  std::cout << "output '" << output_name << "', int8 vs float: SNR "
            << snr_text(output_error.snr_db()) << " dB, max abs error "
            << fmt::format("{:.4g}", output_error.max_abs) << "\n";
  if (!layers.empty() && options.layers != 0) {
    std::cout << "\nper-layer error of the quantized activations (int8 simulation vs float, all "
                 "samples):\n";
    Table table({"#", "value", "produced by", "shape", "scale", "SNR dB", "max abs error"},
                {true, false, false, false, true, true, true});
    const size_t rows = options.layers < 0
                            ? layers.size()
                            : std::min(layers.size(), static_cast<size_t>(options.layers));
    for (size_t i = 0; i < rows; ++i) {
      const Layer& layer = layers[i];
      table.add({std::to_string(i), layer.value, layer.producer, layer.shape,
                 fmt::format("{:.4g}", layer.scale), snr_text(layer.error.snr_db()),
                 fmt::format("{:.4g}", layer.error.max_abs)});
    }
    std::cout << table.to_string();
  }
  for (const std::string& failure : failures) std::cout << "FAILED: " << failure << "\n";
  if (below) return kExitValidationFailed;
  return kExitOk;
}

}  // namespace

Command add_validate(CLI::App& app) {
  auto options = std::make_shared<ValidateOptions>();
  CLI::App* sub = app.add_subcommand(
      "validate",
      "Compare the float model with its int8 compilation on data: top-1 agreement, accuracy "
      "(with labels), output error and per-layer error (SNR, max abs)");
  sub->add_option("model", options->model, "the model (.onnx)")->required();
  sub->add_option("--data", options->data,
                  "the samples: a folder of .npy files or one .npy stacked along its first axis")
      ->required();
  sub->add_option("--labels", options->labels, "integer labels (.npy, one per sample)");
  sub->add_option("--calibrate", options->calibrate,
                  "calibration samples as for compile (default: the --data samples)");
  sub->add_option("--observer", options->observer, "as for compile")
      ->check(CLI::IsMember({"minmax", "histogram"}))
      ->capture_default_str();
  sub->add_flag("--per-channel-linear", options->per_channel_linear, "as for compile");
  sub->add_option("--limit", options->limit, "use only the first N samples");
  sub->add_option("--layers", options->layers,
                  "print the per-layer table's first N rows only (0: none; JSON has all)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--min-agreement", options->min_agreement,
                  "exit with 4 when top-1 agreement (in %) is below this")
      ->check(CLI::Range(0.0, 100.0));
  sub->add_option("--min-accuracy", options->min_accuracy,
                  "exit with 4 when the int8 top-1 accuracy (in %, needs --labels) is below this")
      ->check(CLI::Range(0.0, 100.0));
  sub->add_flag("--json", options->json, "print the results as JSON");
  return {sub, [options] { return run_validate(*options); }};
}

}  // namespace tinyexec::cli
