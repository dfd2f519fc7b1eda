// SPDX-License-Identifier: Apache-2.0
// model_bench: the model benchmarks (bench/models/README.md). For each model of a folder
// written by make_models.py (<name>.onnx, <name>_calibration.npy, <name>_inputs.npy,
// <name>_expected.npy) it imports (checking the float model against PyTorch's outputs), quantizes
// on the calibration samples, lowers (every op must become a cortex_m op), emits the program, runs
// it on the host and on each board under QEMU (every test input, then once more with the
// per-operator profile), checks that every output is bit-identical to the host int8 reference, and
// writes one JSON row per model and target: instructions per inference, MACs, MACs per instruction,
// peak arena bytes, program bytes, code bytes and flash (program + code), the profile by operator
// kind, and the int8 output's error against the float model.
//
//   model_bench --models-dir DIR --out models.json [--code-size code_size.json]
//               [--targets cortex-m4 cortex-m55] [--models resnet8 ...] [--save-programs DIR]
//
// A model that does not import or lower completely gets rows with "error" (and the lowering
// report's "float_nodes") and no figures, and the exit status is 2; any other failure (not
// bit-exact, a runner error) exits with 1.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "emit/program_emitter.h"
#include "frontends/onnx/onnx_importer.h"
#include "ir/op_registry.h"
#include "quantizer/quantizer.h"
#include "runner/run_program.h"
#include "support/error.h"
#include "support/npy.h"
#include "testing/tester.h"

namespace fs = std::filesystem;
namespace ir = tinyexec::ir;
using json = nlohmann::json;
using tinyexec::fail;
using tinyexec::testing::Sample;
using tinyexec::testing::Tester;

namespace {

struct Options {
  fs::path models_dir;
  fs::path out;
  fs::path code_size;
  fs::path save_programs;  // where to keep <model>.tep (empty: nowhere)
  std::vector<std::string> targets{"cortex-m4", "cortex-m55"};
  std::vector<std::string> models{"resnet8", "mobilenet", "ds_cnn", "autoencoder"};
};

// Multiply-accumulates of one inference: the registry's count for every node that has one.
int64_t graph_macs(const ir::Graph& graph) {
  int64_t macs = 0;
  for (const ir::Node* node : graph.nodes()) {
    const ir::OpSchema* schema = ir::OpRegistry::instance().find(node->op);
    if (schema != nullptr && schema->macs != nullptr) macs += schema->macs(*node);
  }
  return macs;
}

// Code bytes the board runner links from the runtime and the kernels, per target, from a
// code_size.json as scripts/size.py writes it (text + data: what occupies flash).
std::map<std::string, int64_t> read_code_size(const fs::path& path) {
  std::map<std::string, int64_t> bytes;
  if (path.empty()) return bytes;
  std::ifstream file(path);
  if (!file) fail("model_bench: cannot read '{}'", path.string());
  for (const json& row : json::parse(file)) {
    bytes[row.at("target").get<std::string>()] +=
        row.at("text").get<int64_t>() + row.at("data").get<int64_t>();
  }
  return bytes;
}

std::vector<std::vector<uint8_t>> raw_inputs(const Sample& sample) {
  std::vector<std::vector<uint8_t>> raw;
  for (const ir::Tensor& tensor : sample)
    raw.emplace_back(tensor.bytes().begin(), tensor.bytes().end());
  return raw;
}

// Throws unless `actual` is bit-identical to `expected` (output by output).
void check_bit_exact(const std::string& where, const std::vector<ir::Tensor>& expected,
                     const std::vector<std::vector<uint8_t>>& actual,
                     const std::string& console = "") {
  if (actual.size() != expected.size()) {
    fail("{}: {} outputs, the graph has {}", where, actual.size(), expected.size());
  }
  for (size_t o = 0; o < expected.size(); ++o) {
    const auto want = expected[o].bytes();
    if (actual[o].size() != want.size() ||
        !std::equal(want.begin(), want.end(), actual[o].begin())) {
      size_t first = 0;
      while (first < want.size() && first < actual[o].size() && want[first] == actual[o][first]) {
        ++first;
      }
      fail("{}: output {} differs from the host int8 reference at byte {} of {}{}", where, o, first,
           want.size(), console.empty() ? "" : "; the runner printed:\n" + console);
    }
  }
}

// How far the int8 program's (dequantized) output is from the float model's: the largest
// absolute difference, relative to the float output's largest magnitude, and whether the
// largest element (the class, for classifiers) is the same.
json compare_with_float(const ir::Tensor& reference, const ir::Tensor& quantized) {
  const auto want = reference.data<float>();
  const auto got = quantized.data<float>();
  double max_error = 0, max_value = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    max_error = std::max(max_error, std::abs(static_cast<double>(want[i]) - got[i]));
    max_value = std::max(max_value, std::abs(static_cast<double>(want[i])));
  }
  const auto argmax = [](std::span<const float> values) {
    return std::max_element(values.begin(), values.end()) - values.begin();
  };
  return {{"max_abs_error", max_error},
          {"relative_error", max_value > 0 ? max_error / max_value : 0.0},
          {"same_argmax", argmax(want) == argmax(got)}};
}

json op_counts_json(const ir::Graph& graph) {
  json counts = json::object();
  for (const auto& [op, count] : tinyexec::testing::op_counts(graph)) counts[op] = count;
  return counts;
}

// One row per target that says why the model was not compiled.
std::vector<json> error_rows(const Options& options, const json& base, const std::string& error,
                             const json& float_nodes) {
  std::vector<json> rows;
  for (const std::string& target : options.targets) {
    json row = base;
    row["target"] = target;
    row["error"] = error;
    if (!float_nodes.empty()) row["float_nodes"] = float_nodes;
    rows.push_back(row);
  }
  return rows;
}

// Compiles one model and runs it on every target; returns one row per target. `gap` is set
// when the model does not import or lower completely (its rows then carry only "error").
std::vector<json> bench_model(const Options& options, const std::string& name,
                              const std::map<std::string, int64_t>& code_bytes, bool* gap) {
  json base = {{"model", name}};
  std::optional<Tester> compiled;
  std::vector<Sample> inputs;
  try {
    ir::Graph graph = tinyexec::frontends::import_onnx(options.models_dir / (name + ".onnx"));
    base["input"] = graph.inputs().at(0)->shape;
    base["float_macs"] = graph_macs(graph);
    auto calibration = tinyexec::quantizer::load_stacked_samples(
        graph, options.models_dir / (name + "_calibration.npy"));
    inputs = tinyexec::quantizer::load_stacked_samples(graph,
                                                       options.models_dir / (name + "_inputs.npy"));
    compiled.emplace(std::move(graph), std::move(calibration));
    compiled->quantize().export_().to_edge().run_passes();
  } catch (const tinyexec::CompileError& error) {
    *gap = true;
    std::fprintf(stderr, "%s: not compiled: %s\n", name.c_str(), error.what());
    return error_rows(options, base, error.what(), json::array());
  }
  Tester& tester = *compiled;
  const auto& report = tester.lowering_report();
  if (!report.float_nodes.empty()) {
    *gap = true;
    std::fprintf(stderr, "%s: not lowered completely:\n%s", name.c_str(),
                 report.to_string().c_str());
    json float_nodes = json::array();
    for (const auto& node : report.float_nodes) {
      float_nodes.push_back({{"node", node.node}, {"op", node.op}, {"reason", node.reason}});
    }
    return error_rows(options, base, report.to_string(), float_nodes);
  }
  const int64_t macs = graph_macs(tester.lowered_graph());

  // The deployable program has no names (EmitOptions::names = false); the benchmark runs the
  // named one for the per-operator profile. Names change nothing else (same plan and code).
  tinyexec::emit::EmitOptions unnamed;
  unnamed.names = false;
  const tinyexec::emit::Program unnamed_program =
      tinyexec::emit::emit_program(tester.lowered_graph(), unnamed);
  const tinyexec::emit::ProgramStats& deployed = unnamed_program.stats;
  tester.to_program();
  const auto& program = tester.program();
  if (program.stats.arena_bytes != deployed.arena_bytes) {
    fail("{}: the named program needs {} arena bytes, the unnamed one {}", name,
         program.stats.arena_bytes, deployed.arena_bytes);
  }
  if (!options.save_programs.empty()) {
    fs::create_directories(options.save_programs);
    tinyexec::emit::write_program(program, (options.save_programs / (name + ".tep")).string());
  }

  // The imported float model must compute what PyTorch computed (make_models.py's outputs for
  // the test inputs), within float32 rounding.
  const ir::Tensor torch_outputs =
      tinyexec::support::read_npy(options.models_dir / (name + "_expected.npy"));
  const auto torch_values = torch_outputs.data<float>();
  double import_error = 0;
  for (size_t s = 0; s < inputs.size(); ++s) {
    const ir::Tensor output = tester.run_float(inputs[s])[0];
    const auto values = output.data<float>();
    if (torch_values.size() != inputs.size() * values.size()) {
      fail("{}: {}_expected.npy has {} values, expected {} per input", name, name,
           torch_values.size(), values.size());
    }
    for (size_t i = 0; i < values.size(); ++i) {
      const double want = torch_values[s * values.size() + i];
      import_error =
          std::max(import_error, std::abs(want - values[i]) / std::max(1.0, std::abs(want)));
    }
  }
  if (import_error > 1e-3) {
    fail("{}: the imported float model differs from PyTorch by {} (relative)", name, import_error);
  }
  base["float_vs_torch"] = import_error;

  std::vector<std::vector<ir::Tensor>> expected;
  json accuracy = json::array();
  for (size_t s = 0; s < inputs.size(); ++s) {
    expected.push_back(tester.run_lowered(inputs[s]));
    const auto host = tinyexec::runner::run_program("host", program.bytes, raw_inputs(inputs[s]));
    check_bit_exact(fmt::format("{} on host, sample {}", name, s), expected[s], host.outputs);
    const auto unnamed_host =
        tinyexec::runner::run_program("host", unnamed_program.bytes, raw_inputs(inputs[s]));
    check_bit_exact(fmt::format("{} (no names) on host, sample {}", name, s), expected[s],
                    unnamed_host.outputs);
    accuracy.push_back(compare_with_float(tester.run_float(inputs[s])[0], expected[s][0]));
  }
  base["int8_vs_float"] = accuracy;
  std::fprintf(stderr, "%s: int8 vs float: %s\n", name.c_str(), accuracy.dump().c_str());

  std::vector<json> rows;
  for (const std::string& target : options.targets) {
    json row = base;
    row["target"] = target;
    std::vector<uint64_t> instructions;
    for (size_t s = 0; s < inputs.size(); ++s) {
      std::fprintf(stderr, "  %s on %s, sample %zu\n", name.c_str(), target.c_str(), s);
      const auto result =
          tinyexec::runner::run_program(target, program.bytes, raw_inputs(inputs[s]));
      check_bit_exact(fmt::format("{} on {}, sample {}", name, target, s), expected[s],
                      result.outputs, result.console);
      if (!result.instructions) {
        fail("{} on {}: the runner printed no instruction count", name, target);
      }
      instructions.push_back(*result.instructions);
    }
    // The per-operator profile from a run of its own, outputs ignored: the runner profiles a
    // second execution, whose input the memory plan may already have overwritten (the arena
    // bytes of a graph input are reused once it dies), so that run's outputs are not the
    // sample's.
    tinyexec::runner::RunOptions profile;
    profile.profile = true;
    std::map<std::string, uint64_t> by_kind;
    for (const auto& op :
         tinyexec::runner::run_program(target, program.bytes, raw_inputs(inputs[0]), profile)
             .operators) {
      by_kind[op.kind] += op.instructions;
    }
    const uint64_t count = instructions.front();
    row["instructions"] = count;
    row["instructions_per_sample"] = instructions;
    row["bit_exact_samples"] = inputs.size();
    row["macs"] = macs;
    row["macs_per_instruction"] = static_cast<double>(macs) / static_cast<double>(count);
    row["arena_bytes"] = deployed.arena_bytes;
    row["program_bytes"] = deployed.file_bytes;
    row["constant_bytes"] = deployed.constant_bytes;
    row["operators"] = deployed.operators;
    row["profile"] = by_kind;
    row["ops"] = op_counts_json(tester.lowered_graph());
    if (const auto it = code_bytes.find(target); it != code_bytes.end()) {
      row["code_bytes"] = it->second;
      row["flash_bytes"] = deployed.file_bytes + it->second;
    }
    std::fprintf(stderr,
                 "%s on %s: %llu instructions, %lld MACs (%.3f per instruction), arena %lld, "
                 "program %lld bytes\n",
                 name.c_str(), target.c_str(), static_cast<unsigned long long>(count),
                 static_cast<long long>(macs), row["macs_per_instruction"].get<double>(),
                 static_cast<long long>(deployed.arena_bytes),
                 static_cast<long long>(deployed.file_bytes));
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"tinyexec model benchmarks: compile models, run them on boards, write JSON"};
  app.add_option("--models-dir", options.models_dir, "folder written by make_models.py")
      ->required();
  app.add_option("--out", options.out, "JSON file to write")->required();
  app.add_option("--code-size", options.code_size, "code_size.json (scripts/size.py format)");
  app.add_option("--targets", options.targets, "Cortex-M targets");
  app.add_option("--models", options.models, "model names");
  app.add_option("--save-programs", options.save_programs, "folder to keep each <model>.tep in");
  CLI11_PARSE(app, argc, argv);

  try {
    const auto code_bytes = read_code_size(options.code_size);
    json rows = json::array();
    bool gap = false;
    for (const std::string& name : options.models) {
      for (json& row : bench_model(options, name, code_bytes, &gap)) rows.push_back(std::move(row));
    }
    std::ofstream out(options.out);
    out << rows.dump(1) << "\n";
    if (!out) fail("model_bench: cannot write '{}'", options.out.string());
    std::fprintf(stderr, "wrote %s\n", options.out.string().c_str());
    return gap ? 2 : 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "model_bench: %s\n", error.what());
    return 1;
  }
}
