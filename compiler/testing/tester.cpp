// SPDX-License-Identifier: Apache-2.0
#include "testing/tester.h"

#include <algorithm>

#include "ir/clone.h"
#include "passes/pass_manager.h"
#include "reference/interpreter.h"
#include "runner/run_program.h"

namespace tinyexec::testing {

Tester::Tester(ir::Graph float_graph, std::vector<Sample> calibration_samples)
    : float_graph_(std::move(float_graph)), samples_(std::move(calibration_samples)) {}

Tester& Tester::quantize(quantizer::QuantizerOptions options) {
  quantizer_.emplace(float_graph_, options);
  quantizer_->calibrate(samples_);
  return *this;
}

Tester& Tester::export_() {
  if (!quantizer_) fail("Tester: export_() needs quantize() first");
  qdq_ = quantizer_->convert();
  return *this;
}

Tester& Tester::to_edge() {
  qdq_graph();  // throws when there is none yet
  passes::run_passes(*qdq_, passes::to_edge_passes());
  return *this;
}

Tester& Tester::run_passes() {
  lowered_ = ir::clone(qdq_graph());
  report_ = {};
  std::vector<passes::Pass> lowering = {
      {"lower_to_cortex_m", [this](ir::Graph& graph) {
         return passes::lower_to_cortex_m(graph, &report_);
       }}};
  for (passes::Pass& pass : passes::params_passes()) lowering.push_back(std::move(pass));
  passes::run_passes(*lowered_, lowering);
  return *this;
}

const ir::Graph& Tester::qdq_graph() const {
  if (!qdq_) fail("Tester: no QDQ graph yet (call quantize().export_())");
  return *qdq_;
}

const ir::Graph& Tester::lowered_graph() const {
  if (!lowered_) fail("Tester: no lowered graph yet (call run_passes())");
  return *lowered_;
}

std::map<std::string, int> op_counts(const ir::Graph& graph) {
  std::map<std::string, int> counts;
  for (const ir::Node* node : graph.nodes()) ++counts[node->op];
  return counts;
}

const Tester& Tester::test_dialect(const std::map<std::string, int>& expected) const {
  const std::map<std::string, int> actual = op_counts(lowered_graph());
  std::string differences;
  for (const auto& [op, count] : expected) {
    const auto it = actual.find(op);
    const int found = it == actual.end() ? 0 : it->second;
    if (found != count) differences += fmt::format("\n  {}: expected {}, found {}", op, count, found);
  }
  for (const auto& [op, count] : actual) {
    if (!expected.contains(op)) differences += fmt::format("\n  {}: unexpected ({}x)", op, count);
  }
  if (!differences.empty()) {
    fail("the lowered graph's ops differ from the expected dialect:{}\nlowering report:\n{}",
         differences, report_.to_string());
  }
  return *this;
}

std::vector<ir::Tensor> Tester::run_float(const Sample& inputs) const {
  return reference::run(float_graph_, inputs);
}
std::vector<ir::Tensor> Tester::run_qdq(const Sample& inputs) const {
  return reference::run(qdq_graph(), inputs);
}
std::vector<ir::Tensor> Tester::run_lowered(const Sample& inputs) const {
  return reference::run(lowered_graph(), inputs);
}

Tester& Tester::to_program(emit::EmitOptions options) {
  program_ = emit::emit_program(lowered_graph(), options);
  return *this;
}

const emit::Program& Tester::program() const {
  if (!program_) fail("Tester: no program yet (call to_program())");
  return *program_;
}

std::vector<uint64_t> Tester::test_implementation(const std::string& target,
                                                  const std::vector<Sample>& inputs) const {
  std::vector<uint64_t> instructions;
  for (size_t s = 0; s < inputs.size(); ++s) {
    std::vector<std::vector<uint8_t>> raw;
    for (const ir::Tensor& tensor : inputs[s]) {
      raw.emplace_back(tensor.bytes().begin(), tensor.bytes().end());
    }
    const std::vector<ir::Tensor> expected = run_lowered(inputs[s]);
    const runner::RunResult actual = runner::run_program(target, program().bytes, raw);
    if (actual.outputs.size() != expected.size()) {
      fail("{}: sample {}: the program produced {} outputs, the graph has {}", target, s,
           actual.outputs.size(), expected.size());
    }
    for (size_t o = 0; o < expected.size(); ++o) {
      const auto want = expected[o].bytes();
      const std::vector<uint8_t>& got = actual.outputs[o];
      if (got.size() != want.size() || !std::equal(got.begin(), got.end(), want.begin())) {
        size_t first = 0;
        while (first < got.size() && first < want.size() && got[first] == want[first]) ++first;
        fail("{}: sample {}: output {} ('{}') differs from the host int8 reference at byte {} "
             "of {} ({} bytes produced)",
             target, s, o, lowered_graph().outputs()[o]->name, first, want.size(), got.size());
      }
    }
    if (actual.instructions) instructions.push_back(*actual.instructions);
  }
  return instructions;
}

}  // namespace tinyexec::testing
