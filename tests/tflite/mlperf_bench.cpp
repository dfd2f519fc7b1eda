// SPDX-License-Identifier: Apache-2.0
// tflite_mlperf_bench: the four MLPerf Tiny reference models imported from TFLite, compiled and
// run on emulated Cortex-M4 and Cortex-M55 (the board builds under $TINYEXEC_BUILD_DIR or
// build/), next to TensorFlow Lite Micro's figures from tflm_reference.json. Writes
// bench/results/mlperf_tflite.json (or the path given); scripts/bench.py --render turns it into
// the "mlperf_tflite" section of bench/RESULTS.md.
//
//   tflite_mlperf_bench [OUTPUT.json]
//   tflite_mlperf_bench --emit DIR     writes DIR/<model>.tep for every model of the folder (for
//                                      tests/tflite/armnn_check.py)
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "emit/program_emitter.h"
#include "frontends/tflite/tflite_importer.h"
#include "ir/op_registry.h"
#include "mlperf_support.h"
#include "runner/run_program.h"

namespace fs = std::filesystem;
using namespace tinyexec::tflite_test;

namespace {

int64_t macs_of(const tinyexec::ir::Graph& graph) {
  int64_t macs = 0;
  for (const tinyexec::ir::Node* node : graph.nodes()) {
    const tinyexec::ir::OpSchema* schema = tinyexec::ir::OpRegistry::instance().find(node->op);
    if (schema != nullptr && schema->macs != nullptr) macs += schema->macs(*node);
  }
  return macs;
}

// Runtime + kernels text the board runner links (scripts/size.py's code_size.json), if present.
std::map<std::string, int64_t> runtime_code_bytes(const fs::path& results) {
  std::map<std::string, int64_t> code;
  std::ifstream file(results / "code_size.json");
  if (!file) return code;
  for (const auto& row : nlohmann::json::parse(file)) {
    code[row["target"].get<std::string>()] += row["text"].get<int64_t>();
  }
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (mlperf_dir().empty()) {
      std::fprintf(stderr, "tflite_mlperf_bench: ../shared/models/mlperf-tiny not found\n");
      return 1;
    }
    if (argc == 3 && std::string(argv[1]) == "--emit") {
      for (const auto& entry : fs::directory_iterator(mlperf_dir())) {
        if (entry.path().extension() != ".tflite") continue;
        const auto model = tinyexec::frontends::import_tflite(entry.path());
        const fs::path tep = fs::path(argv[2]) / (entry.path().stem().string() + ".tep");
        tinyexec::emit::write_program(tinyexec::emit::emit_program(model.graph), tep.string());
        std::printf("%s\n", tep.c_str());
      }
      return 0;
    }
    const fs::path results = fs::path(TE_SOURCE_DIR) / "bench" / "results";
    const fs::path out = argc > 1 ? fs::path(argv[1]) : results / "mlperf_tflite.json";
    const nlohmann::json reference =
        nlohmann::json::parse(read_file(mlperf_dir() / "tflm_reference.json"));
    const auto code = runtime_code_bytes(results);
    nlohmann::json rows = nlohmann::json::array();
    nlohmann::json profile = nlohmann::json::array();
    for (const MlperfModel& m : kReferenceModels) {
      const auto model = tinyexec::frontends::import_tflite(mlperf_dir() / m.file);
      const tinyexec::emit::Program program = tinyexec::emit::emit_program(model.graph);
      const int64_t macs = macs_of(model.graph);
      const std::vector<uint8_t> input = pattern_input(model.graph.inputs().at(0)->numel());
      for (const char* target : {"cortex-m4", "cortex-m55"}) {
        std::fprintf(stderr, "  %s on %s\n", m.file, target);
        tinyexec::runner::RunOptions options;
        options.profile = std::string(m.key) == "ic" && std::string(target) == "cortex-m55";
        const auto run = tinyexec::runner::run_program(target, program.bytes, {input}, options);
        const uint64_t instructions = run.instructions.value_or(0);
        const auto& tflm = reference["tflm_cost_on_qemu"][target][m.key];
        const int64_t tflm_instructions = tflm[0].get<int64_t>();
        const int64_t tflm_arena = tflm[1].get<int64_t>();
        const auto code_it = code.find(target);
        rows.push_back({
            {"model", m.file},
            {"key", m.key},
            {"target", target},
            {"instructions", instructions},
            {"macs", macs},
            {"macs_per_instruction", static_cast<double>(macs) / static_cast<double>(instructions)},
            {"arena_bytes", program.stats.arena_bytes},
            {"program_bytes", program.stats.file_bytes},
            {"constant_bytes", program.stats.constant_bytes},
            {"runtime_code_bytes", code_it != code.end() ? code_it->second : 0},
            {"operators", program.stats.operators},
            {"tflm_instructions", tflm_instructions},
            {"tflm_arena_bytes", tflm_arena},
            {"instructions_vs_tflm",
             static_cast<double>(instructions) / static_cast<double>(tflm_instructions)},
            {"arena_vs_tflm",
             static_cast<double>(program.stats.arena_bytes) / static_cast<double>(tflm_arena)},
        });
        for (const auto& op : run.operators) {
          profile.push_back({{"model", m.file}, {"target", target}, {"kind", op.kind},
                             {"name", op.name}, {"instructions", op.instructions}});
        }
      }
    }
    std::ofstream file(out);
    file << nlohmann::json{{"rows", rows}, {"profile", profile}}.dump(1) << "\n";
    if (!file) throw tinyexec::CompileError("cannot write " + out.string());
    std::printf("%s\n", out.c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tflite_mlperf_bench: %s\n", e.what());
    return 1;
  }
}
