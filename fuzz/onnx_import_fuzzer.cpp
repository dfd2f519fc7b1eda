// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: arbitrary bytes as a serialized ONNX ModelProto through the importer
// (parse, opset normalisation, shape rules, folding, the final infer_shapes + verify), then
// what every later stage does first with an imported graph: verify it again, print it and ask
// each node for its MAC count.
//
// A CompileError is the documented way to reject a model: expected. Anything else is a bug:
// a crash, a sanitizer report, another exception (uncaught here, so libFuzzer reports it), an
// input slower than the run's -timeout, or memory beyond its -rss_limit_mb.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "frontends/onnx/onnx_importer.h"
#include "ir/op_registry.h"
#include "ir/printer.h"

namespace {

namespace fe = tinyexec::frontends;
namespace ir = tinyexec::ir;

void use_graph(const ir::Graph& graph) {
  ir::verify(graph);
  const std::string text = ir::print_graph(graph);
  uint64_t macs = 0;  // unsigned: the total of absurd models may wrap, harmlessly
  for (const ir::Node* node : graph.nodes()) {
    const ir::OpSchema& schema = ir::OpRegistry::instance().get(*node);
    if (schema.macs != nullptr) macs += static_cast<uint64_t>(schema.macs(*node));
  }
  // Keep the results observable so nothing is optimised away.
  volatile uint64_t sink = text.size() + macs;
  (void)sink;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fe::ImportOptions options;
  options.warn = [](const std::string&) {};     // warnings are part of a normal import
  options.accept_unchanged_older_opset = true;  // the wider path: more of the importer runs
  try {
    const ir::Graph graph = fe::import_onnx_bytes(std::span<const uint8_t>(data, size), options);
    use_graph(graph);
  } catch (const tinyexec::CompileError&) {
    // The model was rejected with a message: the expected outcome for most inputs.
  }
  return 0;
}
