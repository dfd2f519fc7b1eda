// SPDX-License-Identifier: Apache-2.0
// The MLPerf Tiny int8 models (../shared/models/mlperf-tiny) imported from TFLite, compiled and
// run on a target, against what TensorFlow Lite Micro computes (tflm_reference.json): the final
// int8 output, the int8 logits before softmax and the FNV-1a hash of every layer's output, for
// the reference input pattern (and the extra inputs the file lists). Every model in the folder
// must also run on the target bit-identically to the host int8 reference.
//
// The target comes from $TE_TFLITE_TARGET: "host" (default: the runtime in this process) or a
// Cortex-M target whose board build's runner runs under QEMU (CTest sets it in board builds).
// Without ../shared every test reports itself skipped.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "emit/program_emitter.h"
#include "frontends/tflite/tflite_importer.h"
#include "mlperf_support.h"
#include "reference/interpreter.h"
#include "runner/run_program.h"
#include "support/npy.h"

namespace fs = std::filesystem;
namespace ir = tinyexec::ir;
using tinyexec::frontends::TfliteModel;
using namespace tinyexec::tflite_test;

namespace {

std::string target() {
  const char* value = std::getenv("TE_TFLITE_TARGET");
  return value != nullptr && *value != '\0' ? value : "host";
}

nlohmann::json reference() {
  return nlohmann::json::parse(read_file(mlperf_dir() / "tflm_reference.json"));
}

std::vector<uint8_t> json_bytes(const nlohmann::json& values) {
  std::vector<uint8_t> bytes;
  for (int v : values) bytes.push_back(static_cast<uint8_t>(static_cast<int8_t>(v)));
  return bytes;
}

std::string hex(uint32_t v) { return fmt::format("0x{:08x}", v); }

// The value the SOFTMAX layer reads (TFLM's "logits before softmax"), or nullptr.
ir::Value* logits_of(const TfliteModel& model) {
  for (const auto& layer : model.layers) {
    if (layer.op != "SOFTMAX") continue;
    for (const ir::Node* node : model.graph.nodes()) {
      if (node->name == layer.node) return node->input(0);
    }
  }
  return nullptr;
}

class ReferenceModel : public ::testing::TestWithParam<MlperfModel> {};

TEST_P(ReferenceModel, ReproducesTflmOutputsLogitsAndEveryLayerHash) {
  if (mlperf_dir().empty()) GTEST_SKIP() << "skipped: ../shared not found";
  const MlperfModel& m = GetParam();
  const nlohmann::json ref = reference()["models"][m.file];
  TfliteModel model = tinyexec::frontends::import_tflite(mlperf_dir() / m.file);
  ir::Value* logits = logits_of(model);
  if (logits != nullptr) model.graph.outputs().push_back(logits);  // read back for the check
  const tinyexec::emit::Program program = tinyexec::emit::emit_program(model.graph);
  const std::vector<std::string> names = operator_names(program.bytes);
  const ir::Value* input = model.graph.inputs().at(0);

  for (const auto& [case_name, expected] : ref.items()) {
    SCOPED_TRACE(fmt::format("{} / {} on {}", m.file, case_name, target()));
    std::vector<uint8_t> bytes;
    if (case_name == "pattern") {
      bytes = pattern_input(input->numel());
    } else if (case_name == "all_minus_128") {
      bytes.assign(static_cast<size_t>(input->numel()), static_cast<uint8_t>(-128));
    } else {
      const ir::Tensor sample = tinyexec::support::read_npy(mlperf_dir() / case_name);
      ASSERT_EQ(sample.numel(), input->numel());
      bytes.assign(sample.bytes().begin(), sample.bytes().end());
    }
    tinyexec::runner::RunOptions options;
    options.hash_layers = expected.contains("layers");
    const tinyexec::runner::RunResult result =
        tinyexec::runner::run_program(target(), program.bytes, {bytes}, options);
    EXPECT_EQ(result.outputs.at(0), json_bytes(expected["output"])) << "final output";
    if (expected.contains("logits_before_softmax")) {
      ASSERT_NE(logits, nullptr);
      EXPECT_EQ(result.outputs.at(1), json_bytes(expected["logits_before_softmax"])) << "logits";
    }
    if (!expected.contains("layers")) continue;

    // Per layer: the program operator that computes the TFLite operator's output.
    const auto hashes = parse_layer_hashes(result.console);
    const auto& layers = expected["layers"];
    ASSERT_EQ(layers.size(), model.layers.size()) << "TFLite operators";
    int matched = 0;
    for (size_t k = 0; k < layers.size(); ++k) {
      const auto& layer = model.layers[k];
      const auto it = std::find(names.begin(), names.end(), layer.node);
      ASSERT_NE(it, names.end()) << layer.node;
      const int32_t op = static_cast<int32_t>(it - names.begin());
      ASSERT_TRUE(hashes.contains(op)) << "no hash line for operator " << op;
      EXPECT_EQ(layer.elements, layers[k]["elements"].get<int64_t>()) << "layer " << k;
      const uint32_t want = static_cast<uint32_t>(
          std::stoul(layers[k]["fnv1a"].get<std::string>(), nullptr, 16));
      if (hashes.at(op) == want) {
        ++matched;
      } else {
        ADD_FAILURE() << "layer " << k << " (" << layer.op << ", " << layer.node << "): fnv1a "
                      << hex(hashes.at(op)) << ", TFLM " << hex(want);
      }
    }
    std::printf("%s on %s: %d/%zu layers bit-exact with TFLite Micro\n", m.file, target().c_str(),
                matched, layers.size());
  }
}

INSTANTIATE_TEST_SUITE_P(Mlperf, ReferenceModel, ::testing::ValuesIn(kReferenceModels),
                         [](const auto& info) {
                           return std::string(info.param.key);
                         });

// The host int8 reference (the reference interpreter over the imported graph, which calls the
// kernels) reproduces the per-layer hashes too: the graph itself is right, not only the program.
TEST(MlperfReferenceInterpreter, LayerHashesMatchTflm) {
  if (mlperf_dir().empty()) GTEST_SKIP() << "skipped: ../shared not found";
  if (target() != "host") GTEST_SKIP() << "host only";
  const nlohmann::json ref = reference();
  for (const MlperfModel& m : kReferenceModels) {
    SCOPED_TRACE(m.file);
    const TfliteModel model = tinyexec::frontends::import_tflite(mlperf_dir() / m.file);
    const ir::Value* input = model.graph.inputs().at(0);
    const std::vector<uint8_t> bytes = pattern_input(input->numel());
    const ir::Tensor x = ir::Tensor::from<int8_t>(
        input->shape, std::span(reinterpret_cast<const int8_t*>(bytes.data()), bytes.size()));
    std::map<std::string, uint32_t> by_node;
    tinyexec::reference::run(model.graph, std::span(&x, 1),
                             [&](const ir::Node& node, std::span<const ir::Tensor> outputs) {
                               by_node[node.name] = fnv1a(outputs[0].bytes());
                             });
    const auto& layers = ref["models"][m.file]["pattern"]["layers"];
    for (size_t k = 0; k < layers.size(); ++k) {
      EXPECT_EQ(hex(by_node.at(model.layers[k].node)), layers[k]["fnv1a"].get<std::string>())
          << "layer " << k << " " << model.layers[k].op;
    }
  }
}

// Every .tflite model in the folder (including those without TFLM figures) compiles and runs on
// the target with outputs bit-identical to the host int8 reference.
TEST(MlperfAllModels, RunBitIdenticalToTheHostReference) {
  if (mlperf_dir().empty()) GTEST_SKIP() << "skipped: ../shared not found";
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(mlperf_dir())) {
    if (entry.path().extension() == ".tflite") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 5u);
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    const TfliteModel model = tinyexec::frontends::import_tflite(file);
    const tinyexec::emit::Program program = tinyexec::emit::emit_program(model.graph);
    const ir::Value* input = model.graph.inputs().at(0);
    const std::vector<uint8_t> bytes = pattern_input(input->numel());
    const ir::Tensor x = ir::Tensor::from<int8_t>(
        input->shape, std::span(reinterpret_cast<const int8_t*>(bytes.data()), bytes.size()));
    const std::vector<ir::Tensor> expected = tinyexec::reference::run(model.graph, std::span(&x, 1));
    const auto result = tinyexec::runner::run_program(target(), program.bytes, {bytes});
    ASSERT_EQ(result.outputs.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_TRUE(std::equal(result.outputs[i].begin(), result.outputs[i].end(),
                             expected[i].bytes().begin(), expected[i].bytes().end()))
          << "output " << i;
    }
    std::printf("%s on %s: output bit-identical to the host int8 reference (%zu operators)\n",
                file.filename().c_str(), target().c_str(), operator_names(program.bytes).size());
  }
}

}  // namespace
