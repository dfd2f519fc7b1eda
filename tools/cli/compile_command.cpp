// SPDX-License-Identifier: Apache-2.0
// tinyexec compile MODEL [--calibrate DIR|FILE.npy] [--target T] -o OUT.tep [--json]: quantize,
// lower, plan and write a program file, then summarise it: ops lowered / left float, MACs,
// weight bytes, peak arena, program size and, when the target's board build exists, the flash
// the runtime and kernels add.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "board.h"
#include "command.h"
#include "compile_flow.h"
#include "emit/program_emitter.h"
#include "format.h"
#include "link_map.h"
#include "program_io.h"
#include "program_reader/program_reader.h"

namespace tinyexec::cli {
namespace {

struct CompileOptions {
  std::string model;
  std::string calibrate;
  std::string target = "cortex-m55";
  std::string output;
  std::string observer = "minmax";
  bool per_channel_linear = false;
  bool no_names = false;
  bool json = false;
};

int run_compile(const CompileOptions& options) {
  CompileFlowOptions flow;
  flow.model = options.model;
  flow.calibrate = options.calibrate;
  flow.quantizer.observer = options.observer == "histogram" ? quantizer::ObserverKind::kHistogram
                                                            : quantizer::ObserverKind::kMinMax;
  flow.quantizer.per_channel_linear = options.per_channel_linear;
  const CompiledModel model = compile_model(flow);
  if (!model.report.float_nodes.empty()) {
    fail(
        "{}: {} node(s) could not be lowered to cortex_m ops, and a program holds only cortex_m "
        "ops (docs/supported-ops.md):\n{}",
        options.model, model.report.float_nodes.size(), model.report.to_string());
  }
  emit::EmitOptions emit_options;
  emit_options.names = !options.no_names;
  const emit::Program program = emit::emit_program(model.lowered, emit_options);
  emit::write_program(program, options.output);

  // The summary reads the file back, as `analyze` does, so both report the same figures.
  const program_reader::ProgramInfo info =
      program_reader::parse_program(program.bytes, options.output);
  const ProgramTotals totals = program_totals(info, program_reader::operator_figures(info));
  const std::optional<CodeSize> code =
      options.target == "host" ? std::nullopt : code_size_if_built(options.target);

  if (options.json) {
    nlohmann::ordered_json json = {{"model", options.model},
                                   {"program", options.output},
                                   {"target", options.target},
                                   {"calibration_samples", model.calibration_samples},
                                   {"onnx_nodes", model.imported.node_count()},
                                   {"lowered", model.report.lowered},
                                   {"left_float", model.report.float_nodes.size()},
                                   {"operators", info.operators.size()},
                                   {"kinds", totals.kinds},
                                   {"macs", totals.macs},
                                   {"weight_bytes", totals.weight_bytes},
                                   {"arena_bytes", info.arena_bytes},
                                   {"naive_arena_bytes", program.plan.naive_arena_bytes},
                                   {"program_bytes", info.file_bytes}};
    if (code) {
      json["code_size"] = {
          {"text", code->total().text}, {"data", code->total().data}, {"bss", code->total().bss}};
      json["flash_bytes"] = info.file_bytes + code->total().flash();
    }
    std::cout << json.dump(2) << "\n";
    return kExitOk;
  }

  std::vector<std::string> kinds;
  for (const auto& [kind, count] : totals.kinds) kinds.push_back(fmt::format("{} {}", count, kind));
  std::cout << "compiled " << options.model << " -> " << options.output << "\n";
  if (model.calibration_samples > 0) {
    std::cout << "  calibration: " << model.calibration_samples << " samples from "
              << options.calibrate << " (" << options.observer << " observers)\n";
  } else {
    std::cout << "  calibration: none (the model is quantized already)\n";
  }
  const auto plural = [](size_t n, const char* word) {
    return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
  };
  std::cout << "  ops:         " << plural(model.imported.node_count(), "ONNX node") << " -> "
            << plural(info.operators.size(), "cortex_m operator") << " ("
            << plural(static_cast<size_t>(model.report.lowered), "pattern")
            << " lowered), 0 left float\n"
            << "               " << join(kinds) << "\n"
            << "  MACs:        " << grouped(totals.macs) << " per inference\n"
            << "  weights:     " << grouped(totals.weight_bytes) << " bytes\n"
            << "  arena:       " << grouped(info.arena_bytes) << " bytes peak (without reuse "
            << grouped(program.plan.naive_arena_bytes) << ")\n"
            << "  program:     " << grouped(info.file_bytes) << " bytes\n";
  if (code) {
    std::cout << "  flash:       " << grouped(info.file_bytes + code->total().flash())
              << " bytes on " << options.target << " (program + runtime and kernels "
              << grouped(code->total().flash()) << ")\n";
  } else if (options.target != "host") {
    std::cout << "  flash:       program + runtime and kernels: build the " << options.target
              << " board to measure them (`tinyexec size --help`)\n";
  }
  return kExitOk;
}

}  // namespace

Command add_compile(CLI::App& app) {
  auto options = std::make_shared<CompileOptions>();
  CLI::App* sub = app.add_subcommand(
      "compile",
      "Quantize a model to int8, lower it to cortex_m ops, plan its memory and write a program "
      "(.tep); prints ops lowered / left float, MACs, weight bytes, peak arena and flash");
  sub->add_option("model", options->model, "the model (.onnx; .tflite later)")->required();
  sub->add_option("--calibrate", options->calibrate,
                  "calibration samples: a folder of .npy files (one sample each) or one .npy "
                  "stacked along its first axis (required for float models)");
  sub->add_option("--target", options->target,
                  "the target whose runtime code size the summary adds (the program itself is "
                  "the same on every target)")
      ->check(CLI::IsMember(all_targets()))
      ->capture_default_str();
  sub->add_option("-o,--output", options->output, "the program file to write (.tep)")->required();
  sub->add_option("--observer", options->observer,
                  "activation ranges: minmax (the full range seen) or histogram (99.99th "
                  "percentile of |x|)")
      ->check(CLI::IsMember({"minmax", "histogram"}))
      ->capture_default_str();
  sub->add_flag("--per-channel-linear", options->per_channel_linear,
                "quantize Gemm/MatMul weights per output channel (default: per tensor)");
  sub->add_flag("--no-names", options->no_names,
                "leave tensor and operator names out of the program (smaller; profiles and "
                "errors then show indices)");
  sub->add_flag("--json", options->json, "print the summary as JSON");
  return {sub, [options] { return run_compile(*options); }};
}

}  // namespace tinyexec::cli
