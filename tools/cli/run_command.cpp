// SPDX-License-Identifier: Apache-2.0
// tinyexec run PROGRAM --input X.npy [--target T] [-o Y.npy] [--labels L.npy] [--json]: runs a
// program on every sample of the input file, on the host or on an emulated board (QEMU), writes
// the outputs stacked like the inputs, and prints instructions per inference (boards),
// predictions and, with labels, top-1 accuracy.
#include <algorithm>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "board.h"
#include "command.h"
#include "format.h"
#include "program_io.h"
#include "support/npy.h"

namespace tinyexec::cli {
namespace {

using program_reader::ProgramInfo;

struct RunOptions {
  std::string program;
  std::vector<std::string> inputs;
  std::string target = "host";
  std::vector<std::string> outputs;
  std::string labels;
  std::string classes;
  size_t show = 5;
  size_t batch = 0;
  int timeout = 600;
  bool json = false;
};

// The class index and score of output 0 of one sample: the argmax over all its elements.
struct Prediction {
  int64_t index = 0;
  double score = 0.0;
};

Prediction predict(const ProgramInfo& program, const std::vector<uint8_t>& raw) {
  const program_reader::TensorInfo& output =
      program.tensors[static_cast<size_t>(program.outputs[0])];
  Prediction best{0, -1e300};
  const size_t count = static_cast<size_t>(ir::shape_numel(output.shape));
  for (size_t i = 0; i < count; ++i) {
    double value = 0.0;
    if (output.dtype == ir::DType::kFloat32) {
      float f;
      std::memcpy(&f, raw.data() + i * 4, 4);
      value = f;
    } else if (output.dtype == ir::DType::kInt8) {
      value = static_cast<int8_t>(raw[i]);
    } else {
      int32_t v;
      std::memcpy(&v, raw.data() + i * 4, 4);
      value = v;
    }
    if (value > best.score) best = {static_cast<int64_t>(i), value};
  }
  return best;
}

std::vector<std::string> read_classes(const std::string& path) {
  if (path.empty()) return {};
  std::ifstream file(path);
  if (!file) fail("{}: cannot open the file", path);
  std::vector<std::string> names;
  for (std::string line; std::getline(file, line);) names.push_back(line);
  return names;
}

std::string class_text(int64_t index, const std::vector<std::string>& classes) {
  if (index >= 0 && static_cast<size_t>(index) < classes.size()) {
    return fmt::format("{} ({})", index, classes[static_cast<size_t>(index)]);
  }
  return std::to_string(index);
}

int run_run(const RunOptions& options) {
  const std::vector<uint8_t> bytes = read_file_bytes(options.program);
  const ProgramInfo program = program_reader::parse_program(bytes, options.program);
  const ProgramInputs inputs = load_program_inputs(program, options.inputs);
  const size_t count = inputs.samples.size();
  if (options.outputs.size() > program.outputs.size()) {
    throw UsageError(fmt::format("{} has {} output(s); {} -o files given", options.program,
                                 program.outputs.size(), options.outputs.size()));
  }
  std::vector<int64_t> labels;
  if (!options.labels.empty()) {
    const ir::Tensor tensor = support::read_npy(options.labels);
    if (tensor.numel() != static_cast<int64_t>(count)) {
      fail("{}: {} labels for {} samples", options.labels, tensor.numel(), count);
    }
    if (tensor.dtype() == ir::DType::kFloat32) fail("{}: labels must be integers", options.labels);
    labels = tensor.to_int_vector();
  }
  const std::vector<std::string> classes = read_classes(options.classes);

  runner::RunOptions run_options;
  run_options.timeout_seconds = options.timeout;
  run_options.max_batch = options.batch;
  const std::vector<runner::RunResult> results =
      run_samples(options.target, bytes, inputs.samples, run_options);

  for (size_t o = 0; o < options.outputs.size(); ++o) {
    support::write_npy(options.outputs[o], output_tensor(program, o, results, inputs.stacked));
  }
  std::vector<uint64_t> instructions;
  for (const runner::RunResult& result : results) {
    if (result.instructions) instructions.push_back(*result.instructions);
  }
  std::vector<Prediction> predictions;
  for (const runner::RunResult& result : results)
    predictions.push_back(predict(program, result.outputs[0]));
  int64_t correct = 0;
  for (size_t s = 0; s < labels.size(); ++s) correct += predictions[s].index == labels[s];

  uint64_t low = 0, high = 0;
  double mean = 0.0;
  if (!instructions.empty()) {
    low = *std::min_element(instructions.begin(), instructions.end());
    high = *std::max_element(instructions.begin(), instructions.end());
    for (uint64_t n : instructions) mean += static_cast<double>(n);
    mean /= static_cast<double>(instructions.size());
  }

  if (options.json) {
    nlohmann::ordered_json json = {{"program", options.program},
                                   {"target", options.target},
                                   {"samples", count},
                                   {"arena_bytes", program.arena_bytes},
                                   {"program_bytes", program.file_bytes}};
    if (!instructions.empty()) {
      json["instructions_per_inference"] = {
          {"mean", mean}, {"min", low}, {"max", high}, {"samples", instructions}};
    }
    json["predictions"] = nlohmann::ordered_json::array();
    for (const Prediction& p : predictions) json["predictions"].push_back(p.index);
    if (!labels.empty()) {
      json["accuracy"] = {{"correct", correct},
                          {"total", count},
                          {"top1", static_cast<double>(correct) / static_cast<double>(count)}};
    }
    json["outputs"] = options.outputs;
    std::cout << json.dump(2) << "\n";
    return kExitOk;
  }

  std::cout << "program: " << options.program << " (" << program.operators.size()
            << " operators, arena " << grouped(program.arena_bytes) << " bytes, "
            << grouped(program.file_bytes) << " bytes)\n"
            << "target:  " << describe_target(options.target) << "\n"
            << "ran " << count << (count == 1 ? " sample" : " samples") << " from "
            << join(options.inputs) << "\n";
  if (!instructions.empty()) {
    std::cout << "instructions per inference: " << grouped(static_cast<int64_t>(mean + 0.5));
    if (low != high) {
      std::cout << " on average (min " << grouped(static_cast<int64_t>(low)) << ", max "
                << grouped(static_cast<int64_t>(high)) << ")";
    }
    std::cout << "\n";
  } else if (options.target == "host") {
    std::cout << "(instructions are counted on the emulated boards: --target cortex-m55)\n";
  }
  const program_reader::TensorInfo& output0 =
      program.tensors[static_cast<size_t>(program.outputs[0])];
  if (count == 1 && labels.empty() && ir::shape_numel(output0.shape) <= 32) {
    const ir::Tensor tensor = output_tensor(program, 0, results, false);
    std::vector<std::string> values;
    for (int64_t i = 0; i < tensor.numel(); ++i) {
      values.push_back(output0.dtype == ir::DType::kFloat32
                           ? fmt::format("{:.4g}", tensor.as_double(i))
                           : std::to_string(tensor.as_int(i)));
    }
    std::cout << "output '" << output0.name << "' " << output0.type_string() << ": ["
              << join(values) << "]\n";
  }
  const size_t shown = std::min(options.show, count);
  if (shown > 0 && ir::shape_numel(output0.shape) > 1) {
    std::cout << "predictions (top-1 of output '" << output0.name << "'"
              << (shown < count ? fmt::format(", first {} of {}", shown, count) : "") << "):\n";
    for (size_t s = 0; s < shown; ++s) {
      std::string line =
          fmt::format("  sample {:>3}: {}, score {:.3g}", s,
                      class_text(predictions[s].index, classes), predictions[s].score);
      if (!labels.empty()) {
        line += fmt::format("   label {}{}", class_text(labels[s], classes),
                            labels[s] == predictions[s].index ? "" : "   <- wrong");
      }
      std::cout << line << "\n";
    }
  }
  if (!labels.empty()) {
    std::cout << "accuracy: " << correct << "/" << count << " = "
              << percent(correct, static_cast<int64_t>(count)) << " top-1 against "
              << options.labels << "\n";
  }
  for (size_t o = 0; o < options.outputs.size(); ++o) {
    const program_reader::TensorInfo& output =
        program.tensors[static_cast<size_t>(program.outputs[o])];
    ir::Shape shape = output.shape;
    if (inputs.stacked) shape.insert(shape.begin(), static_cast<int64_t>(count));
    std::cout << "wrote " << options.outputs[o] << ": " << ir::dtype_name(output.dtype)
              << ir::shape_string(shape) << "\n";
  }
  return kExitOk;
}

}  // namespace

Command add_run(CLI::App& app) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* sub = app.add_subcommand(
      "run",
      "Run a program on the host or an emulated Cortex-M board (QEMU) over every sample of the "
      "input; prints instructions per inference (boards), predictions and accuracy");
  sub->add_option("program", options->program, "the program (.tep)")->required();
  sub->add_option("--input", options->inputs,
                  "one .npy per program input: one sample, or samples stacked along the first "
                  "axis; the input's dtype (f32 for float-interface programs)")
      ->allow_extra_args(false)
      ->required();
  sub->add_option("--target", options->target, "host or a board: " + join(board_targets()))
      ->check(CLI::IsMember(all_targets()))
      ->capture_default_str();
  sub->add_option("-o,--output", options->outputs,
                  "write output 0 (repeat for outputs 1, 2...) as .npy, stacked like the input")
      ->allow_extra_args(false);
  sub->add_option("--labels", options->labels,
                  "integer labels (.npy, one per sample): print top-1 accuracy of output 0");
  sub->add_option("--classes", options->classes, "class names, one per line, for predictions");
  sub->add_option("--show", options->show, "predictions to print")->capture_default_str();
  sub->add_option("--batch", options->batch,
                  "boards: at most this many samples per QEMU boot (default: as many as the "
                  "runner's 256 KiB batch buffers hold)");
  sub->add_option("--timeout", options->timeout, "boards: seconds per QEMU boot")
      ->capture_default_str();
  sub->add_flag("--json", options->json, "print the results as JSON");
  return {sub, [options] { return run_run(*options); }};
}

}  // namespace tinyexec::cli
