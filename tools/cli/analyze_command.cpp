// SPDX-License-Identifier: Apache-2.0
// tinyexec analyze PROGRAM [--target BOARD [--input X.npy]] [--json]: one row per operator: op,
// kernel, shapes, MACs, weight bytes, scratch, arena bytes in use; with a board, the
// instructions each operator takes there (the runner's --profile on the first sample).
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "board.h"
#include "command.h"
#include "format.h"
#include "program_io.h"

namespace tinyexec::cli {
namespace {

using program_reader::ProgramInfo;

struct AnalyzeOptions {
  std::string program;
  std::string target;
  std::vector<std::string> inputs;
  bool json = false;
};

std::string activations(const ProgramInfo& program, const std::vector<int32_t>& indices) {
  std::vector<std::string> items;
  for (int32_t index : indices) {
    if (index < 0) continue;
    const program_reader::TensorInfo& tensor = program.tensors[static_cast<size_t>(index)];
    if (!tensor.is_constant()) items.push_back(tensor.type_string());
  }
  return join(items);
}

nlohmann::ordered_json tensor_json(const ProgramInfo& program, int32_t index) {
  const program_reader::TensorInfo& t = program.tensors[static_cast<size_t>(index)];
  nlohmann::ordered_json json = {{"index", index},
                                 {"name", t.name},
                                 {"dtype", std::string(ir::dtype_name(t.dtype))},
                                 {"shape", t.shape},
                                 {"bytes", t.bytes}};
  if (t.is_constant()) {
    json["constant_offset"] = t.constant_offset;
  } else {
    json["arena_offset"] = t.arena_offset;
  }
  if (t.scale != 0.0f) {
    json["scale"] = t.scale;
    json["zero_point"] = t.zero_point;
  }
  return json;
}

int run_analyze(const AnalyzeOptions& options) {
  if (!options.inputs.empty() && options.target.empty()) {
    throw UsageError("--input is for profiling: give a board with --target too");
  }
  const std::vector<uint8_t> bytes = read_file_bytes(options.program);
  const ProgramInfo program = program_reader::parse_program(bytes, options.program);
  const std::vector<program_reader::OperatorFigures> figures =
      program_reader::operator_figures(program);
  const ProgramTotals totals = program_totals(program, figures);

  std::vector<runner::OperatorProfile> profile;
  std::optional<uint64_t> instructions;
  if (!options.target.empty()) {
    ProgramInputs inputs = options.inputs.empty() ? zero_program_inputs(program)
                                                  : load_program_inputs(program, options.inputs);
    inputs.samples.resize(1);  // the first sample is profiled
    runner::RunOptions run;
    run.profile = true;
    const std::vector<runner::RunResult> results =
        run_samples(options.target, bytes, inputs.samples, run);
    profile = results[0].operators;
    instructions = results[0].instructions;
    if (profile.size() != program.operators.size()) {
      throw TargetError(fmt::format("{}: the runner profiled {} operators of {}:\n{}",
                                    options.target, profile.size(), program.operators.size(),
                                    results[0].console));
    }
  }

  if (options.json) {
    nlohmann::ordered_json json = {{"program", options.program},
                                   {"version", program.version},
                                   {"producer", program.producer},
                                   {"program_bytes", program.file_bytes},
                                   {"constant_bytes", program.constant_bytes},
                                   {"arena_bytes", program.arena_bytes}};
    json["inputs"] = nlohmann::ordered_json::array();
    for (int32_t index : program.inputs) json["inputs"].push_back(tensor_json(program, index));
    json["outputs"] = nlohmann::ordered_json::array();
    for (int32_t index : program.outputs) json["outputs"].push_back(tensor_json(program, index));
    json["operators"] = nlohmann::ordered_json::array();
    for (size_t i = 0; i < program.operators.size(); ++i) {
      const program_reader::OperatorInfo& op = program.operators[i];
      nlohmann::ordered_json row = {{"index", i},
                                    {"kind", op.kind},
                                    {"op", op.op},
                                    {"kernel", op.kernel},
                                    {"name", op.name},
                                    {"macs", figures[i].macs},
                                    {"weight_bytes", figures[i].weight_bytes},
                                    {"scratch_bytes", op.scratch_bytes},
                                    {"live_bytes", figures[i].live_bytes}};
      row["inputs"] = nlohmann::ordered_json::array();
      for (int32_t index : op.inputs) {
        row["inputs"].push_back(index < 0 ? nlohmann::ordered_json(nullptr)
                                          : tensor_json(program, index));
      }
      row["outputs"] = nlohmann::ordered_json::array();
      for (int32_t index : op.outputs) row["outputs"].push_back(tensor_json(program, index));
      if (!profile.empty()) row["instructions"] = profile[i].instructions;
      json["operators"].push_back(std::move(row));
    }
    json["totals"] = {{"operators", program.operators.size()},
                      {"macs", totals.macs},
                      {"weight_bytes", totals.weight_bytes},
                      {"peak_live_bytes", totals.peak_live_bytes}};
    if (instructions) {
      json["target"] = options.target;
      json["totals"]["instructions"] = *instructions;
    }
    std::cout << json.dump(2) << "\n";
    return kExitOk;
  }

  std::cout << "program: " << options.program << " (" << program.producer << ", format "
            << program.version << "): " << grouped(program.file_bytes) << " bytes, "
            << grouped(program.constant_bytes) << " of constants; arena "
            << grouped(program.arena_bytes) << " bytes\n";
  if (!options.target.empty()) {
    std::cout << "profiled on " << describe_target(options.target) << " with "
              << (options.inputs.empty() ? "a zero input"
                                         : "the first sample of " + join(options.inputs))
              << "\n";
  }
  std::cout << "\n";
  std::vector<std::string> header = {"#",      "op",   "kernel",  "name",    "inputs",
                                     "output", "MACs", "weights", "scratch", "arena live"};
  std::vector<bool> right = {true, false, false, false, false, false, true, true, true, true};
  if (!profile.empty()) {
    header.push_back("instructions");
    header.push_back("instr/MAC");
    right.push_back(true);
    right.push_back(true);
  }
  Table table(header, right);
  for (size_t i = 0; i < program.operators.size(); ++i) {
    const program_reader::OperatorInfo& op = program.operators[i];
    std::vector<std::string> row = {std::to_string(i),
                                    op.kind,
                                    op.kernel.empty() ? "-" : op.kernel,
                                    op.name,
                                    activations(program, op.inputs),
                                    activations(program, op.outputs),
                                    grouped(figures[i].macs),
                                    grouped(figures[i].weight_bytes),
                                    grouped(op.scratch_bytes),
                                    grouped(figures[i].live_bytes)};
    if (!profile.empty()) {
      row.push_back(grouped(static_cast<int64_t>(profile[i].instructions)));
      row.push_back(figures[i].macs > 0
                        ? fmt::format("{:.2f}", static_cast<double>(profile[i].instructions) /
                                                    static_cast<double>(figures[i].macs))
                        : "");
    }
    table.add(std::move(row));
  }
  std::cout << table.to_string() << "\ntotal: " << program.operators.size() << " operators, "
            << grouped(totals.macs) << " MACs, " << grouped(totals.weight_bytes)
            << " weight bytes, arena " << grouped(program.arena_bytes) << " bytes (peak in use "
            << grouped(totals.peak_live_bytes) << ")";
  if (instructions) {
    std::cout << ", " << grouped(static_cast<int64_t>(*instructions))
              << " instructions per inference on " << options.target;
  }
  std::cout << "\n";
  return kExitOk;
}

}  // namespace

Command add_analyze(CLI::App& app) {
  auto options = std::make_shared<AnalyzeOptions>();
  CLI::App* sub = app.add_subcommand(
      "analyze",
      "Per-operator table of a program: op, kernel, shapes, MACs, weight bytes, arena bytes in "
      "use; with --target, the instructions of each operator on that board");
  sub->add_option("program", options->program, "the program (.tep)")->required();
  sub->add_option("--target", options->target,
                  "profile on this board (QEMU): " + join(board_targets()))
      ->check(CLI::IsMember(board_targets()));
  sub->add_option("--input", options->inputs,
                  "the input to profile with (.npy, one per program input; the first sample of "
                  "a stack); default: zeros")
      ->allow_extra_args(false);
  sub->add_flag("--json", options->json, "print the table as JSON");
  return {sub, [options] { return run_analyze(*options); }};
}

}  // namespace tinyexec::cli
