// SPDX-License-Identifier: Apache-2.0
// The Tester: the compile flow step by step, for tests and experiments.
//
//   Tester tester(std::move(float_graph), calibration_samples);
//   tester.quantize().export_().to_edge().run_passes();
//   tester.test_dialect({{"cortex_m.quantized_conv2d", 3}, {"cortex_m.softmax", 1}});
//   tester.run_lowered(inputs);   // the int8 kernels on the host
//   tester.to_program().test_implementation("cortex-m55", inputs);   // the runtime on a board
//
// Each step keeps its graph so that tests can compare stages (float, QDQ, lowered).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "emit/program_emitter.h"
#include "passes/lower_to_cortex_m.h"
#include "quantizer/quantizer.h"

namespace tinyexec::testing {

using Sample = std::vector<ir::Tensor>;  // one tensor per graph input

class Tester {
 public:
  Tester(ir::Graph float_graph, std::vector<Sample> calibration_samples);

  // Calibrates a quantizer on the samples.
  Tester& quantize(quantizer::QuantizerOptions options = {});
  // The QDQ graph (float ops between QuantizeLinear/DequantizeLinear).
  Tester& export_();
  // Standard clean-up passes on the QDQ graph.
  Tester& to_edge();
  // Lowering to cortex_m ops and their kernel parameters.
  Tester& run_passes();

  // Throws a CompileError listing every difference between the lowered graph's op counts and
  // `expected` (ops not named there must not occur).
  const Tester& test_dialect(const std::map<std::string, int>& expected) const;

  // The program file of the lowered graph (memory plan included).
  Tester& to_program(emit::EmitOptions options = {});
  const emit::Program& program() const;

  // Runs the program on `target` ("host": the runtime in this process; a Cortex-M target: its
  // board under QEMU) for every sample and throws a CompileError naming the sample and output
  // unless each output is bit-identical to the host int8 reference (run_lowered). Returns the
  // instructions per inference of each sample (boards; empty on the host).
  std::vector<uint64_t> test_implementation(const std::string& target,
                                            const std::vector<Sample>& inputs) const;

  std::vector<ir::Tensor> run_float(const Sample& inputs) const;
  std::vector<ir::Tensor> run_qdq(const Sample& inputs) const;
  std::vector<ir::Tensor> run_lowered(const Sample& inputs) const;

  const ir::Graph& float_graph() const { return float_graph_; }
  const ir::Graph& qdq_graph() const;
  const ir::Graph& lowered_graph() const;
  const passes::LoweringReport& lowering_report() const { return report_; }

 private:
  ir::Graph float_graph_;
  std::vector<Sample> samples_;
  std::optional<quantizer::Quantizer> quantizer_;
  std::optional<ir::Graph> qdq_;
  std::optional<ir::Graph> lowered_;
  passes::LoweringReport report_;
  std::optional<emit::Program> program_;
};

// Op name -> number of nodes.
std::map<std::string, int> op_counts(const ir::Graph& graph);

}  // namespace tinyexec::testing
