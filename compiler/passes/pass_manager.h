// SPDX-License-Identifier: Apache-2.0
// The pass pipeline: an ordered, readable list of named graph rewrites, run in order with the
// graph verified after each one, so a broken graph is blamed on the pass that broke it.
//
//   ir::Graph graph = ...;
//   passes::PassOptions options;
//   options.dump = &std::cerr;  // print the graph after every pass
//   const auto results = passes::run_passes(graph, passes::to_edge_passes(), options);
//   std::cerr << passes::summary(results);
#pragma once

#include <functional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace tinyexec::passes {

// One rewrite of the graph. `run` returns how many changes it made (nodes folded, removed,
// rewritten; 0 when the graph was already in the pass's normal form).
struct Pass {
  std::string name;
  std::function<int(ir::Graph&)> run;
};

struct PassOptions {
  bool verify = true;            // ir::verify before the first pass and after every pass
  std::ostream* dump = nullptr;  // when set, the graph is printed here after every pass
};

struct PassResult {
  std::string name;
  int changes = 0;
};

// Runs `passes` in order. A pass that throws, or leaves a graph ir::verify rejects, ends the
// run with a CompileError that names the pass ("after pass 'fold_batch_norm': ...").
std::vector<PassResult> run_passes(ir::Graph& graph, std::span<const Pass> passes,
                                   const PassOptions& options = {});

// One line per pass: "  fold_constants           3 changes".
std::string summary(std::span<const PassResult> results);

// The rewrites of the float graph that the quantizer runs before it places observers
// (docs/dialect.md, "quantizer::prepare"): fuse_gelu (the exported Div/Erf/Add/Mul GELU ->
// onnx.Gelu, one activation to observe and one cortex_m.lut to lower to).
std::vector<Pass> float_passes();

// The clean-ups between import/quantization and lowering (docs/dialect.md, "passes
// (to_edge)"): fold constants, drop Identity and no-op Casts, fold BatchNormalization into
// convolutions, make uint8 QDQ models int8, drop redundant quantize/dequantize pairs.
std::vector<Pass> to_edge_passes();

// The parameter passes after lowering ("passes (params)"): requantization multipliers and
// shifts, kernel sums, lookup tables.
std::vector<Pass> params_passes();

// The whole pipeline: to_edge, then `lowering` (the lowering passes, e.g.
// {"lower_to_cortex_m", lower_to_cortex_m}), then params. The lowering passes are a parameter
// so the pipeline is one list whatever lowering a target uses.
std::vector<Pass> compile_passes(std::vector<Pass> lowering);

}  // namespace tinyexec::passes
