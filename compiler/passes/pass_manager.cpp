// SPDX-License-Identifier: Apache-2.0
#include "passes/pass_manager.h"

#include <fmt/format.h>

#include "ir/op_registry.h"
#include "ir/printer.h"
#include "passes/compute_kernel_params.h"
#include "passes/convert_uint8_to_int8.h"
#include "passes/fold_batch_norm.h"
#include "passes/fold_constants.h"
#include "passes/fuse_gelu.h"
#include "passes/remove_identity_and_casts.h"
#include "passes/remove_redundant_qdq.h"
#include "support/error.h"

namespace tinyexec::passes {

namespace {

void verify_or_blame(const ir::Graph& graph, const std::string& when) {
  try {
    ir::verify(graph);
  } catch (const CompileError& error) {
    fail("{}: the graph is invalid: {}", when, error.what());
  }
}

}  // namespace

std::vector<PassResult> run_passes(ir::Graph& graph, std::span<const Pass> passes,
                                   const PassOptions& options) {
  // Verifying the input first keeps a problem of the input from being blamed on pass one.
  if (options.verify) verify_or_blame(graph, "before the first pass");
  std::vector<PassResult> results;
  results.reserve(passes.size());
  for (const Pass& pass : passes) {
    int changes = 0;
    try {
      changes = pass.run(graph);
    } catch (const CompileError& error) {
      fail("in pass '{}': {}", pass.name, error.what());
    }
    results.push_back({pass.name, changes});
    if (options.dump != nullptr) {
      *options.dump << fmt::format("// after pass '{}' ({} changes)\n", pass.name, changes)
                    << ir::print_graph(graph) << "\n";
    }
    if (options.verify) verify_or_blame(graph, fmt::format("after pass '{}'", pass.name));
  }
  return results;
}

std::string summary(std::span<const PassResult> results) {
  std::string text;
  for (const PassResult& result : results) {
    text += fmt::format("  {:<28} {} change{}\n", result.name, result.changes,
                        result.changes == 1 ? "" : "s");
  }
  return text;
}

std::vector<Pass> float_passes() {
  return {
      {"fuse_gelu", fuse_gelu},
  };
}

std::vector<Pass> to_edge_passes() {
  return {
      {"fold_constants", fold_constants},
      {"remove_identity_and_casts", remove_identity_and_casts},
      {"fold_batch_norm", fold_batch_norm},
      {"convert_uint8_to_int8", convert_uint8_to_int8},
      {"remove_redundant_qdq", remove_redundant_qdq},
  };
}

std::vector<Pass> params_passes() {
  return {
      {"compute_kernel_params", compute_kernel_params},
  };
}

std::vector<Pass> compile_passes(std::vector<Pass> lowering) {
  std::vector<Pass> pipeline = to_edge_passes();
  for (Pass& pass : lowering) pipeline.push_back(std::move(pass));
  for (Pass& pass : params_passes()) pipeline.push_back(std::move(pass));
  return pipeline;
}

}  // namespace tinyexec::passes
